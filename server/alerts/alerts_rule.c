/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* alerts_rule: parsing, validating and answering alert rules (see alerts_rule.h). Pure. */
#include "alerts/alerts_rule.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const alerts_metric_names[ALERTS_METRIC_COUNT] = {
    [ALERTS_METRIC_VM_CPU_PERCENT] = "vm_cpu_percent",
    [ALERTS_METRIC_VM_MEMORY_USED_PERCENT] = "vm_memory_used_percent",
    [ALERTS_METRIC_VM_DISK_RD_BPS] = "vm_disk_rd_bps",
    [ALERTS_METRIC_VM_DISK_WR_BPS] = "vm_disk_wr_bps",
    [ALERTS_METRIC_VM_NET_RX_BPS] = "vm_net_rx_bps",
    [ALERTS_METRIC_VM_NET_TX_BPS] = "vm_net_tx_bps",
    [ALERTS_METRIC_HOST_CPU_PERCENT] = "host_cpu_percent",
    [ALERTS_METRIC_HOST_MEMORY_FREE_PERCENT] = "host_memory_free_percent",
    [ALERTS_METRIC_POOL_USED_PERCENT] = "pool_used_percent",
    [ALERTS_METRIC_VM_CRASHED] = "vm_crashed",
    [ALERTS_METRIC_VM_STOPPED_UNEXPECTEDLY] = "vm_stopped_unexpectedly",
    [ALERTS_METRIC_LIBVIRT_UNREACHABLE] = "libvirt_unreachable",
};

static const char *const alerts_rule_keys[] = {"name",        "metric", "op",      "threshold",
                                               "for_seconds", "scope",  "enabled", NULL};

const char *alerts_metric_name(enum alerts_metric metric)
{
    return (unsigned)metric < ALERTS_METRIC_COUNT ? alerts_metric_names[metric] : NULL;
}

int alerts_metric_parse(const char *name, enum alerts_metric *out)
{
    for (int i = 0; i < ALERTS_METRIC_COUNT; i++) {
        if (name && strcmp(name, alerts_metric_names[i]) == 0) {
            *out = (enum alerts_metric)i;
            return 0;
        }
    }
    return -1;
}

bool alerts_metric_is_event(enum alerts_metric metric)
{
    return metric == ALERTS_METRIC_VM_CRASHED || metric == ALERTS_METRIC_VM_STOPPED_UNEXPECTEDLY ||
           metric == ALERTS_METRIC_LIBVIRT_UNREACHABLE;
}

enum alerts_subject_kind alerts_metric_subject(enum alerts_metric metric)
{
    switch (metric) {
    case ALERTS_METRIC_HOST_CPU_PERCENT:
    case ALERTS_METRIC_HOST_MEMORY_FREE_PERCENT:
    case ALERTS_METRIC_LIBVIRT_UNREACHABLE:
        return ALERTS_SUBJECT_HOST;
    case ALERTS_METRIC_POOL_USED_PERCENT:
        return ALERTS_SUBJECT_POOL;
    default:
        return ALERTS_SUBJECT_VM;
    }
}

/* A UUID in libvirt's text form: 8-4-4-4-12 hex digits. */
static bool alerts_rule_uuid_valid(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = s[i];

        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

/* A name: 1..max bytes, no control characters (the UI and mails show it). */
static bool alerts_rule_text_valid(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static int alerts_rule_bad(struct app_error *err, const char *field, const char *why)
{
    app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s\" %s", field, why);
    return -1;
}

static int alerts_rule_scope(struct json_object *obj, struct alerts_rule *out,
                             struct app_error *err)
{
    enum alerts_subject_kind kind = alerts_metric_subject(out->metric);
    struct json_object *v = NULL;
    const char *s;

    if (!json_object_object_get_ex(obj, "scope", &v) || !v) {
        snprintf(out->scope, sizeof(out->scope), "%s",
                 kind == ALERTS_SUBJECT_HOST ? "host" : "all");
        return 0;
    }
    if (!json_object_is_type(v, json_type_string))
        return alerts_rule_bad(err, "scope", "must be a string");
    s = json_object_get_string(v);
    switch (kind) {
    case ALERTS_SUBJECT_HOST:
        if (strcmp(s, "host") != 0)
            return alerts_rule_bad(err, "scope", "must be \"host\" for this metric");
        break;
    case ALERTS_SUBJECT_VM:
        if (strcmp(s, "all") != 0 && !alerts_rule_uuid_valid(s))
            return alerts_rule_bad(err, "scope", "must be \"all\" or a VM's UUID (lower case)");
        break;
    case ALERTS_SUBJECT_POOL:
        if (strcmp(s, "all") != 0 &&
            (!alerts_rule_text_valid(s, ALERTS_SCOPE_MAX) || strchr(s, '/')))
            return alerts_rule_bad(err, "scope", "must be \"all\" or a storage pool's name");
        break;
    }
    snprintf(out->scope, sizeof(out->scope), "%s", s);
    return 0;
}

static int alerts_rule_threshold(struct json_object *obj, struct alerts_rule *out,
                                 struct app_error *err)
{
    struct json_object *op = NULL, *th = NULL;
    bool has_op = json_object_object_get_ex(obj, "op", &op) && op;
    bool has_th = json_object_object_get_ex(obj, "threshold", &th) && th;
    const char *s;

    out->op = 0;
    out->threshold = NAN;
    if (alerts_metric_is_event(out->metric)) {
        if (has_op)
            return alerts_rule_bad(err, "op", "must be absent for an event metric");
        if (has_th)
            return alerts_rule_bad(err, "threshold", "must be absent for an event metric");
        return 0;
    }
    if (!has_op || !json_object_is_type(op, json_type_string) ||
        (strcmp((s = json_object_get_string(op)), ">") != 0 && strcmp(s, "<") != 0))
        return alerts_rule_bad(err, "op", "must be \">\" or \"<\"");
    out->op = s[0];
    if (!has_th ||
        !(json_object_is_type(th, json_type_int) || json_object_is_type(th, json_type_double)) ||
        !isfinite(json_object_get_double(th)))
        return alerts_rule_bad(err, "threshold", "must be a number");
    out->threshold = json_object_get_double(th);
    return 0;
}

int alerts_rule_parse(struct json_object *obj, struct alerts_rule *out, struct app_error *err)
{
    struct json_object *v = NULL;

    memset(out, 0, sizeof(*out));
    out->enabled = true;
    if (!obj || !json_object_is_type(obj, json_type_object)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "a rule must be a JSON object");
        return -1;
    }
    json_object_object_foreach(obj, key, val)
    {
        bool known = false;

        (void)val;
        for (size_t i = 0; alerts_rule_keys[i]; i++)
            known = known || strcmp(key, alerts_rule_keys[i]) == 0;
        if (!known) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "unknown field \"%.64s\"", key);
            return -1;
        }
    }
    if (!json_object_object_get_ex(obj, "name", &v) || !json_object_is_type(v, json_type_string) ||
        !alerts_rule_text_valid(json_object_get_string(v), ALERTS_NAME_MAX))
        return alerts_rule_bad(err, "name", "must be 1 to 128 bytes without control characters");
    snprintf(out->name, sizeof(out->name), "%s", json_object_get_string(v));
    if (!json_object_object_get_ex(obj, "metric", &v) ||
        !json_object_is_type(v, json_type_string) ||
        alerts_metric_parse(json_object_get_string(v), &out->metric) < 0)
        return alerts_rule_bad(err, "metric", "is not a known metric");
    if (alerts_rule_threshold(obj, out, err) < 0)
        return -1;
    if (json_object_object_get_ex(obj, "for_seconds", &v) && v) {
        int64_t n = json_object_get_int64(v);

        if (!json_object_is_type(v, json_type_int) || n < 0 || n > ALERTS_FOR_MAX_S)
            return alerts_rule_bad(err, "for_seconds", "must be a whole number from 0 to 604800");
        out->for_seconds = (int)n;
    }
    if (alerts_rule_scope(obj, out, err) < 0)
        return -1;
    if (json_object_object_get_ex(obj, "enabled", &v) && v) {
        if (!json_object_is_type(v, json_type_boolean))
            return alerts_rule_bad(err, "enabled", "must be true or false");
        out->enabled = json_object_get_boolean(v);
    }
    return 0;
}

int alerts_rule_parse_text(const char *text, struct alerts_rule *out, struct app_error *err)
{
    struct json_tokener *tok = json_tokener_new_ex(8);
    struct json_object *obj = NULL;
    int ret = -1;

    obj = json_tokener_parse_ex(tok, text, (int)strlen(text));
    if (!obj || json_tokener_get_error(tok) != json_tokener_success ||
        tok->char_offset != (int)strlen(text)) {
        memset(out, 0, sizeof(*out));
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "a rule must be one JSON object");
        goto cleanup;
    }
    ret = alerts_rule_parse(obj, out, err);

cleanup:
    json_object_put(obj);
    json_tokener_free(tok);
    return ret;
}

struct json_object *alerts_rule_json(const struct alerts_rule *rule)
{
    struct json_object *obj = json_object_new_object();
    char op[2] = {rule->op, 0};

    json_object_object_add(obj, "id", json_object_new_string(rule->id));
    json_object_object_add(obj, "name", json_object_new_string(rule->name));
    json_object_object_add(obj, "metric", json_object_new_string(alerts_metric_name(rule->metric)));
    json_object_object_add(obj, "op", rule->op ? json_object_new_string(op) : NULL);
    json_object_object_add(obj, "threshold",
                           isfinite(rule->threshold) ? json_object_new_double(rule->threshold)
                                                     : NULL);
    json_object_object_add(obj, "for_seconds", json_object_new_int(rule->for_seconds));
    json_object_object_add(obj, "scope", json_object_new_string(rule->scope));
    json_object_object_add(obj, "enabled", json_object_new_boolean(rule->enabled));
    json_object_object_add(obj, "source",
                           json_object_new_string(rule->read_only ? "config" : "api"));
    return obj;
}

bool alerts_rule_covers(const struct alerts_rule *rule, const char *subject)
{
    return strcmp(rule->scope, "all") == 0 || strcmp(rule->scope, subject) == 0;
}
