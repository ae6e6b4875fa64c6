/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_alerts: the alert routes (see api_alerts.h). The rules' check and list run on the
 * service thread (memory only); create, delete and the alerts on a worker (SQLite). */
#include "api/api_alerts.h"

#include <string.h>

#include "alerts/alerts.h"
#include "auth_approved.h"
#include "auth_owners.h"

static void api_alerts_rules_list_run(struct api_call *call, struct api_reply *reply)
{
    api_reply_json(reply, 200, alerts_rules_json(call->alerts));
}

const struct api_handler api_alerts_rules_list = {.run = api_alerts_rules_list_run};

static int api_alerts_rule_create_check(struct api_call *call, const struct http_request *req,
                                        struct api_reply *reply)
{
    struct alerts_rule *rule = api_call_state_new(call, sizeof(*rule));

    return alerts_rule_parse(call->body, rule, &reply->err);
}

static void api_alerts_rule_create_run(struct api_call *call, struct api_reply *reply)
{
    struct alerts_rule *rule = call->state;

    if (alerts_rule_add(call->alerts, rule, &reply->err) < 0)
        return;
    api_reply_audit_object(reply, "alert-rule:%s", rule->id);
    api_reply_json(reply, 201, alerts_rule_json(rule));
}

const struct api_handler api_alerts_rule_create = {
    .check = api_alerts_rule_create_check,
    .run = api_alerts_rule_create_run,
};

static void api_alerts_rule_delete_run(struct api_call *call, struct api_reply *reply)
{
    struct json_object *ok;

    api_reply_audit_object(reply, "alert-rule:%.24s", call->name);
    if (alerts_rule_delete(call->alerts, call->name, &reply->err) < 0)
        return;
    ok = json_object_new_object();
    json_object_object_add(ok, "ok", json_object_new_boolean(1));
    api_reply_json(reply, 200, ok);
}

const struct api_handler api_alerts_rule_delete = {.run = api_alerts_rule_delete_run};

/* What the caller sees: a VM's alert as the domain list (the ownership index), the
 * host's as GET /api/host, a pool's as the pool list. */
static bool api_alerts_visible(void *ctx, const char *kind, const char *subject)
{
    struct api_call *call = ctx;
    struct auth_subject who = api_call_subject(call);

    if (strcmp(kind, "vm") == 0)
        return auth_owners_sees(call->owners, &who, subject);
    if (strcmp(kind, "host") == 0)
        return auth_policy_role_allows(&who, AUTH_ACTION_HOST_READ);
    if (strcmp(kind, "pool") == 0) {
        struct auth_object pool = {
            .kind = AUTH_OBJECT_POOL,
            .id = subject,
            .level = auth_approved_level(call->approved, AUTH_OBJECT_POOL, subject, NULL),
        };

        return auth_policy_allows(&who, AUTH_ACTION_STORAGE_READ, &pool) &&
               auth_policy_sees(&who, &pool);
    }
    return false;
}

static void api_alerts_list_run(struct api_call *call, struct api_reply *reply)
{
    struct json_object *out = alerts_list_json(call->alerts, api_alerts_visible, call, &reply->err);

    if (out)
        api_reply_json(reply, 200, out);
}

const struct api_handler api_alerts_list = {.run = api_alerts_list_run};
