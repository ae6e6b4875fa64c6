/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* alerts: rules in force, the evaluation job, the store's alerts (see alerts.h for the
 * threads). */
#include "alerts/alerts.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/alerts_eval.h"
#include "metrics/metrics_sample.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "work/work_pool.h"

#define ALERTS_EVENTS_MAX    256 /* domain events waiting for the job */
#define ALERTS_EXPECT_MAX    64  /* VMs virtdeck is stopping at once */
#define ALERTS_DOWN_EVERY_MS 1000

struct alerts_vm_event_item {
    char uuid[37];
    enum alerts_vm_event kind;
    int64_t at_ms;
};

struct alerts_expect {
    char uuid[37];
    int64_t at_ms;
};

struct alerts {
    sqlite3 *db;                    /* borrowed */
    struct work_pool *pool;         /* borrowed */
    struct metrics_latest *metrics; /* borrowed */
    struct alerts_deliver *deliver; /* owned */
    void (*post)(void *ctx, struct json_object *msg, const char *uuid);
    void *post_ctx;

    pthread_mutex_t lock;      /* rules, eval, the store's alert rows */
    struct alerts_rule *rules; /* owned, count nrules */
    size_t nrules;
    struct alerts_eval eval;

    pthread_mutex_t inbox_lock; /* what other threads hand over */
    struct alerts_vm_event_item events[ALERTS_EVENTS_MAX];
    size_t nevents;
    uint64_t events_lost;
    bool host_changed, host_connected;
    int64_t host_at_ms;
    struct alerts_expect expect[ALERTS_EXPECT_MAX];

    atomic_bool busy;         /* an evaluation job is in flight */
    int64_t last_sample_ms;   /* service thread: the sample the last job got */
    int64_t last_run_ms;      /* service thread */
    atomic_bool libvirt_down; /* as last reported */
};

static int64_t alerts_wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* RFC 3339, UTC, milliseconds. */
static struct json_object *alerts_time_json(int64_t ms)
{
    char text[40];
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    size_t n;

    if (ms <= 0)
        return NULL;
    gmtime_r(&s, &tm);
    n = strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(text + n, sizeof(text) - n, ".%03dZ", (int)(ms % 1000));
    return json_object_new_string(text);
}

static const char *alerts_kind_name(enum alerts_subject_kind kind)
{
    return kind == ALERTS_SUBJECT_VM ? "vm" : kind == ALERTS_SUBJECT_HOST ? "host" : "pool";
}

static struct json_object *alerts_number(double v)
{
    return isfinite(v) ? json_object_new_double(v) : NULL;
}

static const struct alerts_rule *alerts_find_rule(const struct alerts *alerts, const char *id)
{
    for (size_t i = 0; i < alerts->nrules; i++)
        if (strcmp(alerts->rules[i].id, id) == 0)
            return &alerts->rules[i];
    return NULL;
}

static void alerts_push_rule(struct alerts *alerts, const struct alerts_rule *rule)
{
    alerts->rules = xrealloc(alerts->rules, (alerts->nrules + 1) * sizeof(*alerts->rules));
    alerts->rules[alerts->nrules++] = *rule;
}

/* ---- transitions: the store, the delivery, the hub (under lock) ---------------------- */

static int64_t alerts_store_fire(struct alerts *alerts, const struct alerts_rule *rule,
                                 const struct alerts_transition *t)
{
    static const char sql[] = "INSERT INTO alert_events (rule_id, rule_name, metric, subject, "
                              "subject_kind, state, value, threshold, fired_at) "
                              "VALUES (?, ?, ?, ?, ?, 'firing', ?, ?, ?)";
    sqlite3_stmt *stmt = NULL;
    int64_t id = 0;

    if (sqlite3_prepare_v2(alerts->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    sqlite3_bind_text(stmt, 1, rule->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, rule->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, alerts_metric_name(rule->metric), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, t->subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, alerts_kind_name(alerts_metric_subject(rule->metric)), -1,
                      SQLITE_STATIC);
    if (isfinite(t->value))
        sqlite3_bind_double(stmt, 6, t->value);
    if (isfinite(rule->threshold))
        sqlite3_bind_double(stmt, 7, rule->threshold);
    sqlite3_bind_int64(stmt, 8, t->at_ms);
    if (sqlite3_step(stmt) == SQLITE_DONE)
        id = sqlite3_last_insert_rowid(alerts->db);

cleanup:
    if (!id)
        log_error("alerts: cannot record an alert: %s", sqlite3_errmsg(alerts->db));
    sqlite3_finalize(stmt);
    return id;
}

static void alerts_store_resolve(struct alerts *alerts, const struct alerts_transition *t)
{
    static const char sql[] = "UPDATE alert_events SET state = 'resolved', resolved_at = ? "
                              "WHERE id = ? AND state = 'firing'";
    sqlite3_stmt *stmt = NULL;

    if (!t->event_id)
        return;
    if (sqlite3_prepare_v2(alerts->db, sql, -1, &stmt, NULL) != SQLITE_OK ||
        (sqlite3_bind_int64(stmt, 1, t->at_ms), sqlite3_bind_int64(stmt, 2, t->event_id),
         sqlite3_step(stmt) != SQLITE_DONE))
        log_error("alerts: cannot record a resolution: %s", sqlite3_errmsg(alerts->db));
    sqlite3_finalize(stmt);
}

/* The delivery's message (docs/api.md "Alert webhook"). */
static struct json_object *alerts_message(const struct alerts_rule *rule,
                                          const struct alerts_transition *t, int64_t event_id)
{
    struct json_object *msg = json_object_new_object();
    char id[48];

    snprintf(id, sizeof(id), "%" PRId64 "-%s", event_id, t->firing ? "firing" : "resolved");
    json_object_object_add(msg, "id", json_object_new_string(id));
    json_object_object_add(msg, "event_id", json_object_new_int64(event_id));
    json_object_object_add(msg, "alert", json_object_new_string(rule->name));
    json_object_object_add(msg, "rule_id", json_object_new_string(rule->id));
    json_object_object_add(msg, "metric", json_object_new_string(alerts_metric_name(rule->metric)));
    json_object_object_add(msg, "state", json_object_new_string(t->firing ? "firing" : "resolved"));
    json_object_object_add(
        msg, "subject_kind",
        json_object_new_string(alerts_kind_name(alerts_metric_subject(rule->metric))));
    json_object_object_add(msg, "subject", json_object_new_string(t->subject));
    json_object_object_add(msg, "value", alerts_number(t->value));
    json_object_object_add(msg, "threshold", alerts_number(rule->threshold));
    json_object_object_add(msg, "at", alerts_time_json(t->at_ms));
    json_object_object_add(msg, "fired_at", alerts_time_json(t->fired_at_ms));
    return msg;
}

static void alerts_apply(struct alerts *alerts, const struct alerts_transitions *ts)
{
    for (size_t i = 0; i < ts->count; i++) {
        const struct alerts_transition *t = &ts->items[i];
        const struct alerts_rule *rule = alerts_find_rule(alerts, t->rule_id);
        int64_t event_id = t->event_id;
        struct json_object *msg;

        if (!rule)
            continue; /* alerts_rule_delete resolves before it removes */
        if (t->firing) {
            event_id = alerts_store_fire(alerts, rule, t);
            alerts_eval_set_event_id(&alerts->eval, t->rule_id, t->subject, event_id);
        } else {
            alerts_store_resolve(alerts, t);
        }
        log_info("alerts: %s %s on %s", rule->name, t->firing ? "firing" : "resolved", t->subject);
        msg = alerts_message(rule, t, event_id);
        if (alerts->post && alerts_metric_subject(rule->metric) == ALERTS_SUBJECT_VM) {
            struct json_object *live = json_object_new_object();

            json_object_object_add(live, "type", json_object_new_string("alert"));
            json_object_object_foreach(msg, key, val)
                json_object_object_add(live, key, json_object_get(val));
            alerts->post(alerts->post_ctx, live, t->subject);
        }
        alerts_deliver_post(alerts->deliver, msg);
    }
}

/* ---- the evaluation job ----------------------------------------------------------------- */

static void alerts_job_run(struct work_job *job)
{
    struct alerts *alerts = job->arg;
    struct alerts_vm_event_item events[ALERTS_EVENTS_MAX];
    struct alerts_transitions ts = {0};
    struct metrics_sample *sample = metrics_latest_get(alerts->metrics);
    size_t nevents;
    bool host_changed, connected;
    int64_t host_at, now = alerts_wall_ms();

    pthread_mutex_lock(&alerts->inbox_lock);
    nevents = alerts->nevents;
    memcpy(events, alerts->events, nevents * sizeof(events[0]));
    alerts->nevents = 0;
    host_changed = alerts->host_changed;
    connected = alerts->host_connected;
    host_at = alerts->host_at_ms;
    alerts->host_changed = false;
    pthread_mutex_unlock(&alerts->inbox_lock);

    pthread_mutex_lock(&alerts->lock);
    if (host_changed)
        alerts_eval_host_state(&alerts->eval, connected, host_at);
    for (size_t i = 0; i < nevents; i++)
        alerts_eval_vm_event(&alerts->eval, alerts->rules, alerts->nrules, events[i].uuid,
                             events[i].kind, events[i].at_ms, &ts);
    alerts_eval_run(&alerts->eval, alerts->rules, alerts->nrules, sample, now, &ts);
    alerts_apply(alerts, &ts);
    pthread_mutex_unlock(&alerts->lock);

    alerts_transitions_clear(&ts);
    metrics_sample_unref(sample);
    atomic_store(&alerts->busy, false);
}

void alerts_tick(struct alerts *alerts, int64_t now_ms)
{
    struct metrics_sample *sample;
    int64_t at = 0;
    bool pending;

    if (!alerts || atomic_load(&alerts->busy))
        return;
    if ((sample = metrics_latest_get(alerts->metrics))) {
        at = sample->at_ms;
        metrics_sample_unref(sample);
    }
    pthread_mutex_lock(&alerts->inbox_lock);
    pending = alerts->nevents > 0 || alerts->host_changed;
    pthread_mutex_unlock(&alerts->inbox_lock);
    if (!pending && at == alerts->last_sample_ms &&
        !(atomic_load(&alerts->libvirt_down) &&
          now_ms - alerts->last_run_ms >= ALERTS_DOWN_EVERY_MS))
        return;
    atomic_store(&alerts->busy, true);
    alerts->last_sample_ms = at;
    alerts->last_run_ms = now_ms;
    if (work_pool_submit(alerts->pool, work_job_new(0, alerts_job_run, NULL, alerts, NULL)) < 0) {
        atomic_store(&alerts->busy, false);
        alerts->last_sample_ms = 0; /* try again at the next tick */
    }
}

/* ---- what other threads hand over ----------------------------------------------------- */

static bool alerts_expected(struct alerts *alerts, const char *uuid, int64_t now)
{
    for (size_t i = 0; i < ALERTS_EXPECT_MAX; i++)
        if (alerts->expect[i].at_ms && now - alerts->expect[i].at_ms <= ALERTS_EXPECT_STOP_MS &&
            strcmp(alerts->expect[i].uuid, uuid) == 0)
            return true;
    return false;
}

void alerts_on_domain_event(struct alerts *alerts, const char *uuid, int event, int detail)
{
    int64_t now = alerts_wall_ms();
    enum alerts_vm_event kind;

    if (!alerts || !uuid)
        return;
    pthread_mutex_lock(&alerts->inbox_lock);
    kind = alerts_eval_classify(event, detail, alerts_expected(alerts, uuid, now));
    if (kind != ALERTS_VM_EVENT_NONE) {
        if (alerts->nevents < ALERTS_EVENTS_MAX) {
            struct alerts_vm_event_item *it = &alerts->events[alerts->nevents++];

            snprintf(it->uuid, sizeof(it->uuid), "%s", uuid);
            it->kind = kind;
            it->at_ms = now;
        } else {
            alerts->events_lost++;
        }
    }
    pthread_mutex_unlock(&alerts->inbox_lock);
    if (kind != ALERTS_VM_EVENT_NONE && alerts->nevents >= ALERTS_EVENTS_MAX)
        log_warn("alerts: domain events arrive faster than they are evaluated; some are lost");
}

void alerts_on_host_state(struct alerts *alerts, bool connected)
{
    if (!alerts)
        return;
    pthread_mutex_lock(&alerts->inbox_lock);
    if (!alerts->host_changed || alerts->host_connected != connected) {
        alerts->host_changed = true;
        alerts->host_connected = connected;
        /* the first disconnect of a run of them is when it went down */
        if (connected || !atomic_load(&alerts->libvirt_down))
            alerts->host_at_ms = alerts_wall_ms();
    }
    atomic_store(&alerts->libvirt_down, !connected);
    pthread_mutex_unlock(&alerts->inbox_lock);
}

void alerts_expect_stop(struct alerts *alerts, const char *uuid)
{
    size_t oldest = 0;
    int64_t now = alerts_wall_ms();

    if (!alerts || !uuid)
        return;
    pthread_mutex_lock(&alerts->inbox_lock);
    for (size_t i = 0; i < ALERTS_EXPECT_MAX; i++) {
        if (strcmp(alerts->expect[i].uuid, uuid) == 0) {
            oldest = i;
            break;
        }
        if (alerts->expect[i].at_ms < alerts->expect[oldest].at_ms)
            oldest = i;
    }
    snprintf(alerts->expect[oldest].uuid, sizeof(alerts->expect[oldest].uuid), "%s", uuid);
    alerts->expect[oldest].at_ms = now;
    pthread_mutex_unlock(&alerts->inbox_lock);
}

/* ---- rules ------------------------------------------------------------------------------ */

struct json_object *alerts_rules_json(struct alerts *alerts)
{
    struct json_object *out = json_object_new_object(), *list = json_object_new_array();

    pthread_mutex_lock(&alerts->lock);
    for (size_t i = 0; i < alerts->nrules; i++)
        json_object_array_add(list, alerts_rule_json(&alerts->rules[i]));
    pthread_mutex_unlock(&alerts->lock);
    json_object_object_add(out, "rules", list);
    return out;
}

/* The JSON a rule is stored as (alerts_rule_parse reads it back). */
static char *alerts_rule_text(const struct alerts_rule *rule)
{
    struct json_object *obj = alerts_rule_json(rule);
    char *text;

    json_object_object_del(obj, "id");
    json_object_object_del(obj, "source");
    if (!rule->op) {
        json_object_object_del(obj, "op");
        json_object_object_del(obj, "threshold");
    }
    text = xstrdup(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN));
    json_object_put(obj);
    return text;
}

int alerts_rule_add(struct alerts *alerts, struct alerts_rule *rule, struct app_error *err)
{
    static const char sql[] = "INSERT INTO alert_rules (rule, created_at) VALUES (?, ?)";
    char *text = alerts_rule_text(rule);
    sqlite3_stmt *stmt = NULL;
    int ret = -1;

    pthread_mutex_lock(&alerts->lock);
    if (sqlite3_prepare_v2(alerts->db, sql, -1, &stmt, NULL) != SQLITE_OK ||
        sqlite3_bind_text(stmt, 1, text, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int64(stmt, 2, alerts_wall_ms() / 1000) != SQLITE_OK ||
        sqlite3_step(stmt) != SQLITE_DONE) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot store the rule: %s",
                      sqlite3_errmsg(alerts->db));
        goto cleanup;
    }
    snprintf(rule->id, sizeof(rule->id), "%lld", (long long)sqlite3_last_insert_rowid(alerts->db));
    rule->read_only = false;
    alerts_push_rule(alerts, rule);
    alerts->last_sample_ms = 0; /* racy by design: at worst the next sample evaluates it */
    ret = 0;

cleanup:
    pthread_mutex_unlock(&alerts->lock);
    sqlite3_finalize(stmt);
    free(text);
    return ret;
}

int alerts_rule_delete(struct alerts *alerts, const char *id, struct app_error *err)
{
    static const char sql[] = "DELETE FROM alert_rules WHERE id = ?";
    struct alerts_transitions ts = {0};
    struct alerts_rule *rule = NULL;
    sqlite3_stmt *stmt = NULL;
    int ret = -1;

    pthread_mutex_lock(&alerts->lock);
    for (size_t i = 0; i < alerts->nrules; i++)
        if (strcmp(alerts->rules[i].id, id) == 0)
            rule = &alerts->rules[i];
    if (!rule) {
        app_error_set(err, 404, APP_ERR_NOT_FOUND, "no alert rule %.32s", id);
        goto cleanup;
    }
    if (rule->read_only) {
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "alert rule %s comes from the config file; remove it there", rule->id);
        goto cleanup;
    }
    if (sqlite3_prepare_v2(alerts->db, sql, -1, &stmt, NULL) != SQLITE_OK ||
        sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_step(stmt) != SQLITE_DONE) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot delete the rule: %s",
                      sqlite3_errmsg(alerts->db));
        goto cleanup;
    }
    /* its alerts resolve (with the rule's name still known), then it goes */
    rule->enabled = false;
    alerts_eval_run(&alerts->eval, alerts->rules, alerts->nrules, NULL, alerts_wall_ms(), &ts);
    alerts_apply(alerts, &ts);
    *rule = alerts->rules[--alerts->nrules];
    ret = 0;

cleanup:
    pthread_mutex_unlock(&alerts->lock);
    sqlite3_finalize(stmt);
    alerts_transitions_clear(&ts);
    return ret;
}

/* ---- the alerts ------------------------------------------------------------------------- */

static struct json_object *alerts_row_json(sqlite3_stmt *stmt)
{
    struct json_object *obj = json_object_new_object();
    const char *state = (const char *)sqlite3_column_text(stmt, 6);

    json_object_object_add(obj, "id", json_object_new_int64(sqlite3_column_int64(stmt, 0)));
    json_object_object_add(obj, "rule_id",
                           json_object_new_string((const char *)sqlite3_column_text(stmt, 1)));
    json_object_object_add(obj, "alert",
                           json_object_new_string((const char *)sqlite3_column_text(stmt, 2)));
    json_object_object_add(obj, "metric",
                           json_object_new_string((const char *)sqlite3_column_text(stmt, 3)));
    json_object_object_add(obj, "subject",
                           json_object_new_string((const char *)sqlite3_column_text(stmt, 4)));
    json_object_object_add(obj, "subject_kind",
                           json_object_new_string((const char *)sqlite3_column_text(stmt, 5)));
    json_object_object_add(obj, "state", json_object_new_string(state ? state : ""));
    json_object_object_add(obj, "value",
                           sqlite3_column_type(stmt, 7) == SQLITE_NULL
                               ? NULL
                               : json_object_new_double(sqlite3_column_double(stmt, 7)));
    json_object_object_add(obj, "threshold",
                           sqlite3_column_type(stmt, 8) == SQLITE_NULL
                               ? NULL
                               : json_object_new_double(sqlite3_column_double(stmt, 8)));
    json_object_object_add(obj, "fired_at", alerts_time_json(sqlite3_column_int64(stmt, 9)));
    json_object_object_add(obj, "resolved_at", alerts_time_json(sqlite3_column_int64(stmt, 10)));
    return obj;
}

/* Appends to list the rows of sql that visible allows, at most max. */
static int alerts_list_rows(sqlite3 *db, const char *sql, struct json_object *list, size_t max,
                            alerts_visible_fn visible, void *ctx, struct app_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc, ret = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    while (json_object_array_length(list) < max && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(stmt, 5);
        const char *subject = (const char *)sqlite3_column_text(stmt, 4);

        if (kind && subject && (!visible || visible(ctx, kind, subject)))
            json_object_array_add(list, alerts_row_json(stmt));
    }
    ret = 0;

cleanup:
    if (ret < 0)
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot read the alerts: %s", sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return ret;
}

struct json_object *alerts_list_json(struct alerts *alerts, alerts_visible_fn visible, void *ctx,
                                     struct app_error *err)
{
#define ALERTS_COLUMNS                                                                             \
    "SELECT id, rule_id, rule_name, metric, subject, subject_kind, state, value, threshold, "      \
    "fired_at, resolved_at FROM alert_events "
    struct json_object *firing = json_object_new_array(), *recent = json_object_new_array();
    struct json_object *out;

    if (alerts_list_rows(alerts->db, ALERTS_COLUMNS "WHERE state = 'firing' ORDER BY fired_at DESC",
                         firing, SIZE_MAX, visible, ctx, err) < 0 ||
        alerts_list_rows(alerts->db,
                         ALERTS_COLUMNS
                         "WHERE state = 'resolved' ORDER BY resolved_at DESC, id DESC",
                         recent, ALERTS_RECENT_MAX, visible, ctx, err) < 0) {
        json_object_put(firing);
        json_object_put(recent);
        return NULL;
    }
#undef ALERTS_COLUMNS
    out = json_object_new_object();
    json_object_object_add(out, "firing", firing);
    json_object_object_add(out, "recent", recent);
    return out;
}

/* ---- start and stop --------------------------------------------------------------------- */

static int alerts_load_config(struct alerts *alerts, const char *lines, struct app_error *err)
{
    const char *p = lines;
    int n = 0;

    while (p && *p) {
        const char *end = strchr(p, '\n');
        char *line = end ? xstrndup(p, (size_t)(end - p)) : xstrdup(p);
        struct alerts_rule rule;
        int rc = alerts_rule_parse_text(line, &rule, err);

        free(line);
        n++;
        if (rc < 0) {
            char why[sizeof(err->message)];

            snprintf(why, sizeof(why), "%s", err->message);
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "alert_rule %d: %s", n, why);
            return -1;
        }
        snprintf(rule.id, sizeof(rule.id), "cfg-%d", n);
        rule.read_only = true;
        alerts_push_rule(alerts, &rule);
        p = end ? end + 1 : NULL;
    }
    return 0;
}

static int alerts_load_store(struct alerts *alerts, struct app_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc, ret = -1;

    if (sqlite3_prepare_v2(alerts->db, "SELECT id, rule FROM alert_rules ORDER BY id", -1, &stmt,
                           NULL) != SQLITE_OK)
        goto cleanup;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct alerts_rule rule;
        struct app_error bad;

        app_error_clear(&bad);
        if (alerts_rule_parse_text((const char *)sqlite3_column_text(stmt, 1), &rule, &bad) < 0) {
            log_warn("alerts: stored rule %lld is not valid (%s); ignored",
                     (long long)sqlite3_column_int64(stmt, 0), bad.message);
            continue;
        }
        snprintf(rule.id, sizeof(rule.id), "%lld", (long long)sqlite3_column_int64(stmt, 0));
        alerts_push_rule(alerts, &rule);
    }
    if (rc != SQLITE_DONE)
        goto cleanup;
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (sqlite3_prepare_v2(alerts->db,
                           "SELECT id, rule_id, subject, fired_at FROM alert_events "
                           "WHERE state = 'firing'",
                           -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        alerts_eval_restore(&alerts->eval, (const char *)sqlite3_column_text(stmt, 1),
                            (const char *)sqlite3_column_text(stmt, 2),
                            sqlite3_column_int64(stmt, 0), sqlite3_column_int64(stmt, 3));
    if (rc != SQLITE_DONE)
        goto cleanup;
    ret = 0;

cleanup:
    if (ret < 0)
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot read the alert rules: %s",
                      sqlite3_errmsg(alerts->db));
    sqlite3_finalize(stmt);
    return ret;
}

struct alerts *alerts_new(const struct alerts_options *options, struct app_error *err)
{
    struct alerts *alerts = xcalloc(1, sizeof(*alerts));

    alerts->db = options->db;
    alerts->pool = options->pool;
    alerts->metrics = options->metrics;
    alerts->post = options->post;
    alerts->post_ctx = options->post_ctx;
    pthread_mutex_init(&alerts->lock, NULL);
    pthread_mutex_init(&alerts->inbox_lock, NULL);
    alerts_eval_init(&alerts->eval);
    atomic_init(&alerts->busy, false);
    atomic_init(&alerts->libvirt_down, false);
    if (alerts_load_config(alerts, options->config_rules, err) < 0 ||
        alerts_load_store(alerts, err) < 0 ||
        !(alerts->deliver = alerts_deliver_new(&options->deliver, err))) {
        alerts_free(alerts);
        return NULL;
    }
    return alerts;
}

void alerts_free(struct alerts *alerts)
{
    if (!alerts)
        return;
    alerts_deliver_free(alerts->deliver);
    alerts_eval_clear(&alerts->eval);
    free(alerts->rules);
    pthread_mutex_destroy(&alerts->inbox_lock);
    pthread_mutex_destroy(&alerts->lock);
    free(alerts);
}
