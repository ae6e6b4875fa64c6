/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_alerts: GET|POST /api/alerts/rules, DELETE /api/alerts/rules/{id} (admins: rows
 * ALERT_RULES_LIST, ALERT_RULE_CREATE, ALERT_RULE_DELETE) and GET /api/alerts (any
 * logged-in user: the firing and recent alerts about what the caller may see; row
 * ALERTS_LIST). The rules and the alerts are alerts/alerts.h's; these only answer. */
#pragma once

#include "api/api_call.h"

/* The rules in force, from memory: inline. */
extern const struct api_handler api_alerts_rules_list;
/* Checks the body (alerts_rule_parse: 400 naming the field) on the service thread;
 * stores it on a worker: 201 with the rule. */
extern const struct api_handler api_alerts_rule_create;
/* Worker: 404 unknown, 409 a config file's rule. */
extern const struct api_handler api_alerts_rule_delete;
/* Worker (SQLite): {"firing":[...],"recent":[...]} filtered by visibility. */
extern const struct api_handler api_alerts_list;
