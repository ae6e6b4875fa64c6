/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* alerts_eval: the alert state machine (see alerts_eval.h). Pure; the caller serialises. */
#include "alerts/alerts_eval.h"

#include <libvirt/libvirt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics_sample.h"
#include "util/xalloc.h"

void alerts_eval_init(struct alerts_eval *ev)
{
    memset(ev, 0, sizeof(*ev));
}

void alerts_eval_clear(struct alerts_eval *ev)
{
    free(ev->entries);
    memset(ev, 0, sizeof(*ev));
}

void alerts_transitions_clear(struct alerts_transitions *out)
{
    free(out->items);
    memset(out, 0, sizeof(*out));
}

static struct alerts_eval_entry *alerts_eval_find(struct alerts_eval *ev, const char *rule_id,
                                                  const char *subject)
{
    for (size_t i = 0; i < ev->count; i++)
        if (strcmp(ev->entries[i].rule_id, rule_id) == 0 &&
            strcmp(ev->entries[i].subject, subject) == 0)
            return &ev->entries[i];
    return NULL;
}

static struct alerts_eval_entry *alerts_eval_get(struct alerts_eval *ev, const char *rule_id,
                                                 const char *subject)
{
    struct alerts_eval_entry *e = alerts_eval_find(ev, rule_id, subject);

    if (e)
        return e;
    if (ev->count == ev->cap) {
        ev->cap = ev->cap ? ev->cap * 2 : 16;
        ev->entries = xrealloc(ev->entries, ev->cap * sizeof(*ev->entries));
    }
    e = &ev->entries[ev->count++];
    memset(e, 0, sizeof(*e));
    snprintf(e->rule_id, sizeof(e->rule_id), "%s", rule_id);
    snprintf(e->subject, sizeof(e->subject), "%s", subject);
    e->value = NAN;
    return e;
}

static void alerts_eval_remove(struct alerts_eval *ev, size_t i)
{
    ev->entries[i] = ev->entries[--ev->count];
}

static void alerts_eval_emit(struct alerts_transitions *out, const struct alerts_eval_entry *e,
                             bool firing, int64_t now_ms)
{
    struct alerts_transition *t;

    if (out->count == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 8;
        out->items = xrealloc(out->items, out->cap * sizeof(*out->items));
    }
    t = &out->items[out->count++];
    memset(t, 0, sizeof(*t));
    snprintf(t->rule_id, sizeof(t->rule_id), "%s", e->rule_id);
    snprintf(t->subject, sizeof(t->subject), "%s", e->subject);
    t->firing = firing;
    t->value = e->value;
    t->at_ms = now_ms;
    t->fired_at_ms = e->fired_at_ms;
    t->event_id = e->event_id;
}

/* The condition's value for the entry is v at now: pending, firing or resolved. */
static void alerts_eval_step(struct alerts_eval_entry *e, const struct alerts_rule *rule, double v,
                             int64_t now_ms, struct alerts_transitions *out)
{
    bool holds = rule->op == '>' ? v > rule->threshold : v < rule->threshold;

    e->seen = true;
    e->value = v;
    if (!holds) {
        e->pending_since_ms = 0;
        if (e->firing) {
            alerts_eval_emit(out, e, false, now_ms);
            e->firing = false;
            e->event_id = 0;
        }
        return;
    }
    if (!e->pending_since_ms)
        e->pending_since_ms = now_ms;
    if (!e->firing && now_ms - e->pending_since_ms >= (int64_t)rule->for_seconds * 1000) {
        e->firing = true;
        e->fired_at_ms = now_ms;
        e->event_id = 0;
        alerts_eval_emit(out, e, true, now_ms);
    }
}

double alerts_eval_vm_value(enum alerts_metric metric, const struct metrics_domain *dom)
{
    switch (metric) {
    case ALERTS_METRIC_VM_CPU_PERCENT:
        return dom->cpu_percent;
    case ALERTS_METRIC_VM_MEMORY_USED_PERCENT:
        if (dom->has_mem_used && dom->memory_max_kib)
            return 100.0 * (double)dom->mem_used_kib / (double)dom->memory_max_kib;
        return NAN;
    case ALERTS_METRIC_VM_DISK_RD_BPS:
        return dom->disk_rd_bps;
    case ALERTS_METRIC_VM_DISK_WR_BPS:
        return dom->disk_wr_bps;
    case ALERTS_METRIC_VM_NET_RX_BPS:
        return dom->net_rx_bps;
    case ALERTS_METRIC_VM_NET_TX_BPS:
        return dom->net_tx_bps;
    default:
        return NAN;
    }
}

static double alerts_eval_host_value(enum alerts_metric metric, const struct metrics_host *host)
{
    if (metric == ALERTS_METRIC_HOST_CPU_PERCENT)
        return host->cpu_percent;
    if (metric == ALERTS_METRIC_HOST_MEMORY_FREE_PERCENT && host->has_memory &&
        host->memory_total_kib)
        return 100.0 * (double)host->memory_free_kib / (double)host->memory_total_kib;
    return NAN;
}

/* One value for (rule, subject): NAN keeps the entry as it is (no figure this time). */
static void alerts_eval_value(struct alerts_eval *ev, const struct alerts_rule *rule,
                              const char *subject, double v, int64_t now_ms,
                              struct alerts_transitions *out)
{
    struct alerts_eval_entry *e;

    if (isnan(v)) {
        if ((e = alerts_eval_find(ev, rule->id, subject)))
            e->seen = true;
        return;
    }
    alerts_eval_step(alerts_eval_get(ev, rule->id, subject), rule, v, now_ms, out);
}

static void alerts_eval_sample_rule(struct alerts_eval *ev, const struct alerts_rule *rule,
                                    const struct metrics_sample *s, int64_t now_ms,
                                    struct alerts_transitions *out)
{
    switch (alerts_metric_subject(rule->metric)) {
    case ALERTS_SUBJECT_HOST:
        alerts_eval_value(ev, rule, "host", alerts_eval_host_value(rule->metric, &s->host), now_ms,
                          out);
        break;
    case ALERTS_SUBJECT_VM:
        for (size_t i = 0; i < s->domain_count; i++)
            if (alerts_rule_covers(rule, s->domains[i].uuid))
                alerts_eval_value(ev, rule, s->domains[i].uuid,
                                  alerts_eval_vm_value(rule->metric, &s->domains[i]), now_ms, out);
        break;
    case ALERTS_SUBJECT_POOL:
        for (size_t i = 0; i < s->pool_count; i++) {
            const struct metrics_pool *p = &s->pools[i];

            if (alerts_rule_covers(rule, p->name))
                alerts_eval_value(ev, rule, p->name,
                                  p->active && p->capacity
                                      ? 100.0 * (double)p->allocation / (double)p->capacity
                                      : NAN,
                                  now_ms, out);
        }
        break;
    }
}

static const struct alerts_rule *alerts_eval_rule(const struct alerts_rule *rules, size_t n,
                                                  const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rules[i].id, id) == 0)
            return &rules[i];
    return NULL;
}

/* Drops entry i, resolving it first if it fires. */
static void alerts_eval_drop(struct alerts_eval *ev, size_t i, int64_t now_ms,
                             struct alerts_transitions *out)
{
    if (ev->entries[i].firing)
        alerts_eval_emit(out, &ev->entries[i], false, now_ms);
    alerts_eval_remove(ev, i);
}

void alerts_eval_run(struct alerts_eval *ev, const struct alerts_rule *rules, size_t nrules,
                     const struct metrics_sample *sample, int64_t now_ms,
                     struct alerts_transitions *out)
{
    /* a sample without libvirt (connected false) has no VM or pool figures: their
     * alerts keep their state rather than resolve as if every VM had vanished */
    bool domains = sample && sample->connected;

    for (size_t i = 0; i < ev->count; i++)
        ev->entries[i].seen = false;
    for (size_t r = 0; r < nrules; r++) {
        const struct alerts_rule *rule = &rules[r];

        if (!rule->enabled)
            continue;
        if (rule->metric == ALERTS_METRIC_LIBVIRT_UNREACHABLE) {
            struct alerts_eval_entry *e = alerts_eval_get(ev, rule->id, "host");

            e->seen = true;
            if (!ev->libvirt_down) {
                e->pending_since_ms = 0;
                if (e->firing) {
                    alerts_eval_emit(out, e, false, now_ms);
                    e->firing = false;
                    e->event_id = 0;
                }
            } else {
                e->pending_since_ms = ev->down_since_ms;
                if (!e->firing &&
                    now_ms - e->pending_since_ms >= (int64_t)rule->for_seconds * 1000) {
                    e->firing = true;
                    e->fired_at_ms = now_ms;
                    e->event_id = 0;
                    alerts_eval_emit(out, e, true, now_ms);
                }
            }
            continue;
        }
        if (alerts_metric_is_event(rule->metric) || !sample)
            continue;
        if (!domains && alerts_metric_subject(rule->metric) != ALERTS_SUBJECT_HOST)
            continue;
        alerts_eval_sample_rule(ev, rule, sample, now_ms, out);
    }
    for (size_t i = ev->count; i-- > 0;) {
        const struct alerts_eval_entry *e = &ev->entries[i];
        const struct alerts_rule *rule = alerts_eval_rule(rules, nrules, e->rule_id);

        if (!rule || !rule->enabled)
            alerts_eval_drop(ev, i, now_ms, out); /* deleted or disabled */
        else if (alerts_metric_is_event(rule->metric))
            continue; /* resolved by the VM's start */
        else if (!e->seen && sample &&
                 (domains || alerts_metric_subject(rule->metric) == ALERTS_SUBJECT_HOST))
            alerts_eval_drop(ev, i, now_ms, out); /* the VM or pool vanished */
    }
}

void alerts_eval_host_state(struct alerts_eval *ev, bool connected, int64_t now_ms)
{
    if (!connected) {
        if (!ev->libvirt_down)
            ev->down_since_ms = now_ms;
        ev->libvirt_down = true;
    } else {
        ev->libvirt_down = false;
        ev->down_since_ms = 0;
    }
}

void alerts_eval_vm_event(struct alerts_eval *ev, const struct alerts_rule *rules, size_t nrules,
                          const char *uuid, enum alerts_vm_event kind, int64_t now_ms,
                          struct alerts_transitions *out)
{
    if (kind == ALERTS_VM_EVENT_NONE)
        return;
    for (size_t r = 0; r < nrules; r++) {
        const struct alerts_rule *rule = &rules[r];
        struct alerts_eval_entry *e;
        bool fires;

        if (!rule->enabled || !alerts_rule_covers(rule, uuid))
            continue;
        if (rule->metric == ALERTS_METRIC_VM_CRASHED)
            fires = kind == ALERTS_VM_EVENT_CRASHED;
        else if (rule->metric == ALERTS_METRIC_VM_STOPPED_UNEXPECTEDLY)
            fires = kind == ALERTS_VM_EVENT_CRASHED || kind == ALERTS_VM_EVENT_UNEXPECTED;
        else
            continue;
        if (kind == ALERTS_VM_EVENT_STARTED || kind == ALERTS_VM_EVENT_GONE) {
            if ((e = alerts_eval_find(ev, rule->id, uuid)))
                alerts_eval_drop(ev, (size_t)(e - ev->entries), now_ms, out);
            continue;
        }
        if (!fires)
            continue;
        e = alerts_eval_get(ev, rule->id, uuid);
        if (e->firing)
            continue; /* one alert per stop: it resolves when the VM starts */
        e->firing = true;
        e->fired_at_ms = now_ms;
        e->pending_since_ms = now_ms;
        e->event_id = 0;
        alerts_eval_emit(out, e, true, now_ms);
    }
}

enum alerts_vm_event alerts_eval_classify(int event, int detail, bool expected)
{
    switch (event) {
    case VIR_DOMAIN_EVENT_STARTED:
        return ALERTS_VM_EVENT_STARTED;
    case VIR_DOMAIN_EVENT_UNDEFINED:
        return ALERTS_VM_EVENT_GONE;
    case VIR_DOMAIN_EVENT_CRASHED:
        return ALERTS_VM_EVENT_CRASHED;
    case VIR_DOMAIN_EVENT_STOPPED:
        switch (detail) {
        case VIR_DOMAIN_EVENT_STOPPED_CRASHED:
            return ALERTS_VM_EVENT_CRASHED;
        case VIR_DOMAIN_EVENT_STOPPED_FAILED:
            return ALERTS_VM_EVENT_UNEXPECTED;
        case VIR_DOMAIN_EVENT_STOPPED_DESTROYED:
            return expected ? ALERTS_VM_EVENT_NONE : ALERTS_VM_EVENT_UNEXPECTED;
        default: /* SHUTDOWN (the guest or virtdeck), MIGRATED, SAVED, FROM_SNAPSHOT */
            return ALERTS_VM_EVENT_NONE;
        }
    default:
        return ALERTS_VM_EVENT_NONE;
    }
}

void alerts_eval_restore(struct alerts_eval *ev, const char *rule_id, const char *subject,
                         int64_t event_id, int64_t fired_at_ms)
{
    struct alerts_eval_entry *e = alerts_eval_get(ev, rule_id, subject);

    e->firing = true;
    e->fired_at_ms = fired_at_ms;
    e->pending_since_ms = fired_at_ms;
    e->event_id = event_id;
}

void alerts_eval_set_event_id(struct alerts_eval *ev, const char *rule_id, const char *subject,
                              int64_t event_id)
{
    struct alerts_eval_entry *e = alerts_eval_find(ev, rule_id, subject);

    if (e && e->firing)
        e->event_id = event_id;
}

size_t alerts_eval_firing_count(const struct alerts_eval *ev)
{
    size_t n = 0;

    for (size_t i = 0; i < ev->count; i++)
        n += ev->entries[i].firing;
    return n;
}
