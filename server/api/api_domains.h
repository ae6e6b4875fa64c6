/* api_domains: GET /api/domains, GET /api/domains/{uuid} and the lifecycle actions
 * POST /api/domains/{uuid}/{start|shutdown|destroy|reboot|reset|suspend|resume} (rows
 * DOMAINS_LIST, DOMAIN_GET, DOMAIN_<ACTION>). Runs on workers with libvirt. */
#pragma once

#include "api/api_call.h"

extern const struct api_handler api_domains_list;
extern const struct api_handler api_domains_get;
/* Every action row: the action is the path's {action}. */
extern const struct api_handler api_domains_act;
