/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* alerts: the alert rules in force, their evaluation and what they raised.
 *
 * DESIGN (threads): one struct alerts per daemon (serve.c). Rules live in memory (the
 * store's alert_rules rows plus the config file's read-only `alert_rule` lines) under
 * `lock`, with the state machine (alerts_eval.h). The housekeeping tick (service thread)
 * calls alerts_tick, which only compares numbers and, when the metrics have a newer
 * sample, a domain event or the libvirt connection's state is waiting, or libvirt is
 * down, submits ONE evaluation job to the work pool (never two in flight). The job takes
 * `lock`, runs the state machine, writes each transition to the store (alert_events) and
 * hands its message to the delivery thread (alerts_deliver.h) and to the events hub
 * (a VM's alert only: the hub shows it to those who see the VM). The libvirt threads
 * hand events over with alerts_on_domain_event / alerts_on_host_state, which take only
 * the small `inbox_lock` (a bounded queue); the API's stop, force-off, reboot and delete
 * routes mark the VM with alerts_expect_stop, so the STOPPED_DESTROYED that follows is
 * not "unexpected". API workers change rules (alerts_rule_add/delete, under `lock`) and
 * read the alerts from the store. */
#pragma once

#include <json-c/json.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "alerts/alerts_deliver.h"
#include "alerts/alerts_rule.h"
#include "util/app_error.h"

struct alerts;
struct work_pool;
struct metrics_latest;

/* How long a stop asked through virtdeck makes a STOPPED_DESTROYED expected. */
#define ALERTS_EXPECT_STOP_MS 30000
/* Resolved alerts GET /api/alerts answers at most. */
#define ALERTS_RECENT_MAX 100

struct alerts_options {
    sqlite3 *db;                    /* borrowed: thread-safe handle */
    struct work_pool *pool;         /* borrowed: the evaluation job's */
    struct metrics_latest *metrics; /* borrowed: the newest sample */
    const char *config_rules;       /* borrowed: `alert_rule` lines joined by '\n', or NULL */
    struct alerts_deliver_options deliver;
    /* Any thread: a VM's alert message ({"type":"alert",...}, taken) for the events
     * websocket's subscribers who see uuid. NULL: none. */
    void (*post)(void *ctx, struct json_object *msg, const char *uuid);
    void *post_ctx;
};

/* Loads the rules and the firing alerts (so they resolve rather than fire again), starts
 * the delivery thread. Returns NULL with err (a bad config rule, the store). Main thread,
 * before the pool runs jobs of it. */
struct alerts *alerts_new(const struct alerts_options *options, struct app_error *err);
/* After the work pool is stopped. NULL-safe. Main thread. */
void alerts_free(struct alerts *alerts);

/* Service thread (housekeeping tick): submits the evaluation job when there is something
 * new and none is in flight. Never blocks. now_ms: the wall clock. */
void alerts_tick(struct alerts *alerts, int64_t now_ms);

/* Any thread (virt-events): a VIR_DOMAIN_EVENT_* for uuid; queued, never blocks on more
 * than a short lock. */
void alerts_on_domain_event(struct alerts *alerts, const char *uuid, int event, int detail);
/* Any thread (virt-connect): libvirt came up or went down. */
void alerts_on_host_state(struct alerts *alerts, bool connected);
/* Any thread: virtdeck itself is stopping, destroying, rebooting or deleting uuid. */
void alerts_expect_stop(struct alerts *alerts, const char *uuid);

/* {"rules":[...]} in id order. Any thread. */
struct json_object *alerts_rules_json(struct alerts *alerts);
/* Stores rule (its id set from the row) and puts it in force. Worker. */
int alerts_rule_add(struct alerts *alerts, struct alerts_rule *rule, struct app_error *err)
    __attribute__((warn_unused_result));
/* Deletes rule id (its firing alerts resolve). 404 unknown, 409 a config file's rule.
 * Worker. */
int alerts_rule_delete(struct alerts *alerts, const char *id, struct app_error *err)
    __attribute__((warn_unused_result));

/* Whether the caller may see an alert about subject of kind ("vm", "host", "pool"). */
typedef bool (*alerts_visible_fn)(void *ctx, const char *kind, const char *subject);
/* {"firing":[...], "recent":[... at most ALERTS_RECENT_MAX resolved, newest first]}, only
 * what visible allows. Worker (SQLite). NULL with err on a store error. */
struct json_object *alerts_list_json(struct alerts *alerts, alerts_visible_fn visible, void *ctx,
                                     struct app_error *err);
