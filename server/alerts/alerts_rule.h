/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* alerts_rule: one alert rule (what is watched, the threshold, for how long, on what) and
 * its JSON form: parse and validate a POST body or an `alert_rule` config line, answer it.
 *
 * Pure: no I/O, no locks; any thread. A rule is a plain value (copied freely). */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "util/app_error.h"

#define ALERTS_ID_MAX    24  /* "cfg-12", or the store's row id in decimal */
#define ALERTS_NAME_MAX  128 /* bytes of a rule's name */
#define ALERTS_SCOPE_MAX 128 /* "all", "host", a VM's UUID or a pool's name */
/* for_seconds: at most a week */
#define ALERTS_FOR_MAX_S (7 * 86400)

enum alerts_metric {
    ALERTS_METRIC_VM_CPU_PERCENT = 0,
    ALERTS_METRIC_VM_MEMORY_USED_PERCENT, /* balloon used / maximum */
    ALERTS_METRIC_VM_DISK_RD_BPS,
    ALERTS_METRIC_VM_DISK_WR_BPS,
    ALERTS_METRIC_VM_NET_RX_BPS,
    ALERTS_METRIC_VM_NET_TX_BPS,
    ALERTS_METRIC_HOST_CPU_PERCENT,
    ALERTS_METRIC_HOST_MEMORY_FREE_PERCENT,
    ALERTS_METRIC_POOL_USED_PERCENT,
    /* events: no threshold */
    ALERTS_METRIC_VM_CRASHED,
    ALERTS_METRIC_VM_STOPPED_UNEXPECTEDLY,
    ALERTS_METRIC_LIBVIRT_UNREACHABLE,
    ALERTS_METRIC_COUNT
};

/* What a metric's subjects are. */
enum alerts_subject_kind {
    ALERTS_SUBJECT_VM,   /* scope "all" or a VM's UUID; subject: the UUID */
    ALERTS_SUBJECT_HOST, /* scope "host"; subject "host" */
    ALERTS_SUBJECT_POOL, /* scope "all" or a pool's name; subject: the pool's name */
};

struct alerts_rule {
    char id[ALERTS_ID_MAX + 1];
    char name[ALERTS_NAME_MAX + 1];
    enum alerts_metric metric;
    char op;          /* '>' or '<'; 0 for an event rule */
    double threshold; /* NAN for an event rule */
    int for_seconds;  /* the condition must hold this long (0: at the first sample) */
    char scope[ALERTS_SCOPE_MAX + 1];
    bool enabled;
    bool read_only; /* from the config file (id "cfg-N"): cannot be deleted */
};

/* "vm_cpu_percent", ...; NULL for an unknown value. */
const char *alerts_metric_name(enum alerts_metric metric);
/* Returns 0 with *out, or -1 for an unknown name. */
int alerts_metric_parse(const char *name, enum alerts_metric *out)
    __attribute__((warn_unused_result));
/* True for vm_crashed, vm_stopped_unexpectedly and libvirt_unreachable. */
bool alerts_metric_is_event(enum alerts_metric metric);
enum alerts_subject_kind alerts_metric_subject(enum alerts_metric metric);

/* Fills out from obj (a JSON object: name, metric, op, threshold, for_seconds, scope,
 * enabled; any other member is refused). out->id is left empty and read_only false.
 * Returns 0, or -1 with err 400 naming the field. */
int alerts_rule_parse(struct json_object *obj, struct alerts_rule *out, struct app_error *err)
    __attribute__((warn_unused_result));
/* As alerts_rule_parse from JSON text (a config line). */
int alerts_rule_parse_text(const char *text, struct alerts_rule *out, struct app_error *err)
    __attribute__((warn_unused_result));

/* A new object {id, name, metric, op, threshold, for_seconds, scope, enabled, source}
 * (op and threshold null for an event rule; source "api" or "config"). */
struct json_object *alerts_rule_json(const struct alerts_rule *rule);

/* True if subject (a VM UUID, "host" or a pool's name, of the metric's kind) is in the
 * rule's scope. */
bool alerts_rule_covers(const struct alerts_rule *rule, const char *subject);
