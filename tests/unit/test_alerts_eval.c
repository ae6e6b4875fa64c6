/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_alerts_eval: server/alerts/alerts_eval.c — the alert state machine on a test
 * clock: a threshold rule fires only after for_seconds of its condition (one transition),
 * resolves when it is false again (one transition), a vanished VM resolves, a sample
 * without libvirt keeps the state, event rules fire once per stop and resolve on start,
 * the classification of STOPPED events, libvirt_unreachable after its duration, restored
 * and deleted rules. Pure; never sleeps. */
#include <libvirt/libvirt.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alerts/alerts_eval.h"
#include "metrics/metrics_sample.h"
#include "util/xalloc.h"

#define UUID_A "00000000-0000-4000-8000-00000000000a"
#define UUID_B "00000000-0000-4000-8000-00000000000b"
#define T0     1700000000000LL

static struct alerts_rule rule_of(const char *id, const char *json)
{
    struct alerts_rule rule;
    struct app_error err;

    app_error_clear(&err);
    assert_int_equal(alerts_rule_parse_text(json, &rule, &err), 0);
    snprintf(rule.id, sizeof(rule.id), "%s", id);
    return rule;
}

/* A connected sample with the VMs uuids at cpu % each (NULL-terminated pairs). */
static struct metrics_sample *sample_of(size_t n, const char *const *uuids, const double *cpu)
{
    struct metrics_sample *s = metrics_sample_new();

    s->connected = true;
    s->domain_count = n;
    s->domains = xcalloc(n ? n : 1, sizeof(*s->domains));
    for (size_t i = 0; i < n; i++) {
        snprintf(s->domains[i].uuid, sizeof(s->domains[i].uuid), "%s", uuids[i]);
        s->domains[i].name = xstrdup(uuids[i]);
        s->domains[i].cpu_percent = cpu[i];
        s->domains[i].disk_rd_bps = s->domains[i].disk_wr_bps = NAN;
        s->domains[i].net_rx_bps = s->domains[i].net_tx_bps = NAN;
        s->domains[i].steal_percent = NAN;
    }
    return s;
}

static size_t run(struct alerts_eval *ev, const struct alerts_rule *rules, size_t n,
                  const struct metrics_sample *s, int64_t now, struct alerts_transitions *out)
{
    size_t before = out->count;

    alerts_eval_run(ev, rules, n, s, now, out);
    return out->count - before;
}

static void test_fires_after_for_seconds_and_resolves_once(void **state)
{
    struct alerts_rule r = rule_of("1", "{\"name\":\"hot\",\"metric\":\"vm_cpu_percent\","
                                        "\"op\":\">\",\"threshold\":90,\"for_seconds\":60}");
    const char *uuids[] = {UUID_A};
    double hot = 95, cool = 10;
    struct metrics_sample *h = sample_of(1, uuids, &hot), *c = sample_of(1, uuids, &cool);
    struct alerts_eval ev;
    struct alerts_transitions out = {0};

    alerts_eval_init(&ev);
    assert_int_equal(run(&ev, &r, 1, h, T0, &out), 0);         /* pending */
    assert_int_equal(run(&ev, &r, 1, h, T0 + 59999, &out), 0); /* not yet */
    assert_int_equal(run(&ev, &r, 1, h, T0 + 60000, &out), 1); /* fires */
    assert_true(out.items[0].firing);
    assert_string_equal(out.items[0].subject, UUID_A);
    assert_true(out.items[0].value == 95);
    assert_int_equal(run(&ev, &r, 1, h, T0 + 70000, &out), 0); /* once */
    assert_int_equal(alerts_eval_firing_count(&ev), 1);
    alerts_eval_set_event_id(&ev, "1", UUID_A, 42);
    assert_int_equal(run(&ev, &r, 1, c, T0 + 80000, &out), 1); /* resolves */
    assert_false(out.items[1].firing);
    assert_int_equal(out.items[1].event_id, 42);
    assert_int_equal(run(&ev, &r, 1, c, T0 + 90000, &out), 0); /* once */
    /* a dip resets the pending time */
    assert_int_equal(run(&ev, &r, 1, h, T0 + 100000, &out), 0);
    assert_int_equal(run(&ev, &r, 1, c, T0 + 130000, &out), 0);
    assert_int_equal(run(&ev, &r, 1, h, T0 + 150000, &out), 0);
    assert_int_equal(run(&ev, &r, 1, h, T0 + 200000, &out), 0);
    assert_int_equal(run(&ev, &r, 1, h, T0 + 210000, &out), 1);
    assert_int_equal(alerts_eval_firing_count(&ev), 1);
    alerts_transitions_clear(&out);
    alerts_eval_clear(&ev);
    metrics_sample_unref(h);
    metrics_sample_unref(c);
}

static void test_zero_duration_and_nan(void **state)
{
    struct alerts_rule r = rule_of("1", "{\"name\":\"any\",\"metric\":\"vm_cpu_percent\","
                                        "\"op\":\">\",\"threshold\":-1}");
    const char *uuids[] = {UUID_A};
    double none = NAN, some = 0;
    struct metrics_sample *n = sample_of(1, uuids, &none), *s = sample_of(1, uuids, &some);
    struct alerts_eval ev;
    struct alerts_transitions out = {0};

    alerts_eval_init(&ev);
    assert_int_equal(run(&ev, &r, 1, n, T0, &out), 0); /* no figure: nothing */
    assert_int_equal(run(&ev, &r, 1, s, T0 + 1, &out), 1);
    assert_int_equal(run(&ev, &r, 1, n, T0 + 2, &out), 0); /* a missing figure keeps it */
    assert_int_equal(alerts_eval_firing_count(&ev), 1);
    alerts_transitions_clear(&out);
    alerts_eval_clear(&ev);
    metrics_sample_unref(n);
    metrics_sample_unref(s);
}

static void test_vanishing_vm_resolves(void **state)
{
    struct alerts_rule r = rule_of("1", "{\"name\":\"any\",\"metric\":\"vm_cpu_percent\","
                                        "\"op\":\">\",\"threshold\":-1}");
    const char *both[] = {UUID_A, UUID_B}, *only_b[] = {UUID_B};
    double cpu[] = {5, 5};
    struct metrics_sample *s2 = sample_of(2, both, cpu), *s1 = sample_of(1, only_b, cpu);
    struct metrics_sample *offline = sample_of(0, NULL, NULL);
    struct alerts_eval ev;
    struct alerts_transitions out = {0};

    offline->connected = false;
    alerts_eval_init(&ev);
    assert_int_equal(run(&ev, &r, 1, s2, T0, &out), 2);
    /* libvirt down: no VM figures, nothing resolves */
    assert_int_equal(run(&ev, &r, 1, offline, T0 + 1000, &out), 0);
    assert_int_equal(run(&ev, &r, 1, s1, T0 + 2000, &out), 1);
    assert_false(out.items[2].firing);
    assert_string_equal(out.items[2].subject, UUID_A);
    assert_int_equal(alerts_eval_firing_count(&ev), 1);
    alerts_transitions_clear(&out);
    alerts_eval_clear(&ev);
    metrics_sample_unref(s2);
    metrics_sample_unref(s1);
    metrics_sample_unref(offline);
}

static void test_scope_one_vm(void **state)
{
    struct alerts_rule r = rule_of("1", "{\"name\":\"b\",\"metric\":\"vm_cpu_percent\","
                                        "\"op\":\">\",\"threshold\":-1,\"scope\":\"" UUID_B "\"}");
    const char *both[] = {UUID_A, UUID_B};
    double cpu[] = {5, 5};
    struct metrics_sample *s = sample_of(2, both, cpu);
    struct alerts_eval ev;
    struct alerts_transitions out = {0};

    alerts_eval_init(&ev);
    assert_int_equal(run(&ev, &r, 1, s, T0, &out), 1);
    assert_string_equal(out.items[0].subject, UUID_B);
    alerts_transitions_clear(&out);
    alerts_eval_clear(&ev);
    metrics_sample_unref(s);
}

static void test_host_and_pool(void **state)
{
    struct alerts_rule rules[2] = {
        rule_of("1", "{\"name\":\"mem\",\"metric\":\"host_memory_free_percent\",\"op\":\"<\","
                     "\"threshold\":101}"),
        rule_of("2", "{\"name\":\"pool\",\"metric\":\"pool_used_percent\",\"op\":\">\","
                     "\"threshold\":50}"),
    };
    struct metrics_sample *s = sample_of(0, NULL, NULL);
    struct alerts_eval ev;
    struct alerts_transitions out = {0};

    s->host.has_memory = true;
    s->host.memory_total_kib = 1000;
    s->host.memory_free_kib = 250;
    s->pool_count = 1;
    s->pools = xcalloc(1, sizeof(*s->pools));
    s->pools[0].name = xstrdup("default");
    s->pools[0].active = true;
    s->pools[0].capacity = 100;
    s->pools[0].allocation = 60;
    alerts_eval_init(&ev);
    assert_int_equal(run(&ev, rules, 2, s, T0, &out), 2);
    assert_string_equal(out.items[0].subject, "host");
    assert_true(out.items[0].value == 25);
    assert_string_equal(out.items[1].subject, "default");
    assert_true(out.items[1].value == 60);
    alerts_transitions_clear(&out);
    alerts_eval_clear(&ev);
    metrics_sample_unref(s);
}

static void test_event_rules_fire_once_and_resolve_on_start(void **state)
{
    struct alerts_rule rules[2] = {
        rule_of("c", "{\"name\":\"crash\",\"metric\":\"vm_crashed\"}"),
        rule_of("u", "{\"name\":\"unexpected\",\"metric\":\"vm_stopped_unexpectedly\"}"),
    };
    struct metrics_sample *empty = sample_of(0, NULL, NULL);
    struct alerts_eval ev;
    struct alerts_transitions out = {0};

    alerts_eval_init(&ev);
    alerts_eval_vm_event(&ev, rules, 2, UUID_A, ALERTS_VM_EVENT_UNEXPECTED, T0, &out);
    assert_int_equal(out.count, 1);
    assert_string_equal(out.items[0].rule_id, "u");
    assert_true(out.items[0].firing);
    /* the same stop again, or a crash after it: the unexpected alert is not repeated */
    alerts_eval_vm_event(&ev, rules, 2, UUID_A, ALERTS_VM_EVENT_UNEXPECTED, T0 + 1, &out);
    assert_int_equal(out.count, 1);
    alerts_eval_vm_event(&ev, rules, 2, UUID_A, ALERTS_VM_EVENT_CRASHED, T0 + 2, &out);
    assert_int_equal(out.count, 2);
    assert_string_equal(out.items[1].rule_id, "c");
    /* the VM is gone from the samples: event alerts stay */
    assert_int_equal(run(&ev, rules, 2, empty, T0 + 3, &out), 0);
    alerts_eval_vm_event(&ev, rules, 2, UUID_A, ALERTS_VM_EVENT_STARTED, T0 + 4, &out);
    assert_int_equal(out.count, 4);
    assert_false(out.items[2].firing);
    assert_false(out.items[3].firing);
    assert_int_equal(alerts_eval_firing_count(&ev), 0);
    alerts_eval_vm_event(&ev, rules, 2, UUID_A, ALERTS_VM_EVENT_NONE, T0 + 5, &out);
    assert_int_equal(out.count, 4);
    alerts_transitions_clear(&out);
    alerts_eval_clear(&ev);
    metrics_sample_unref(empty);
}

static void test_classify(void **state)
{
    assert_int_equal(
        alerts_eval_classify(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_CRASHED, false),
        ALERTS_VM_EVENT_CRASHED);
    assert_int_equal(
        alerts_eval_classify(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_FAILED, true),
        ALERTS_VM_EVENT_UNEXPECTED);
    assert_int_equal(
        alerts_eval_classify(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED, false),
        ALERTS_VM_EVENT_UNEXPECTED);
    assert_int_equal(
        alerts_eval_classify(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED, true),
        ALERTS_VM_EVENT_NONE);
    assert_int_equal(
        alerts_eval_classify(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, false),
        ALERTS_VM_EVENT_NONE);
    assert_int_equal(alerts_eval_classify(VIR_DOMAIN_EVENT_STARTED, 0, false),
                     ALERTS_VM_EVENT_STARTED);
    assert_int_equal(alerts_eval_classify(VIR_DOMAIN_EVENT_UNDEFINED, 0, false),
                     ALERTS_VM_EVENT_GONE);
    assert_int_equal(alerts_eval_classify(VIR_DOMAIN_EVENT_SUSPENDED, 0, false),
                     ALERTS_VM_EVENT_NONE);
}

static void test_libvirt_unreachable(void **state)
{
    struct alerts_rule r = rule_of("d", "{\"name\":\"down\",\"metric\":\"libvirt_unreachable\","
                                        "\"for_seconds\":30}");
    struct alerts_eval ev;
    struct alerts_transitions out = {0};

    alerts_eval_init(&ev);
    assert_int_equal(run(&ev, &r, 1, NULL, T0, &out), 0);
    alerts_eval_host_state(&ev, false, T0);
    alerts_eval_host_state(&ev, false, T0 + 5000); /* still the first time */
    assert_int_equal(run(&ev, &r, 1, NULL, T0 + 29999, &out), 0);
    assert_int_equal(run(&ev, &r, 1, NULL, T0 + 30000, &out), 1);
    assert_int_equal(run(&ev, &r, 1, NULL, T0 + 31000, &out), 0);
    alerts_eval_host_state(&ev, true, T0 + 40000);
    assert_int_equal(run(&ev, &r, 1, NULL, T0 + 40000, &out), 1);
    assert_false(out.items[1].firing);
    alerts_transitions_clear(&out);
    alerts_eval_clear(&ev);
}

static void test_restored_and_deleted(void **state)
{
    struct alerts_rule r = rule_of("1", "{\"name\":\"any\",\"metric\":\"vm_cpu_percent\","
                                        "\"op\":\">\",\"threshold\":-1}");
    const char *uuids[] = {UUID_A};
    double cpu = 3;
    struct metrics_sample *s = sample_of(1, uuids, &cpu);
    struct alerts_eval ev;
    struct alerts_transitions out = {0};

    alerts_eval_init(&ev);
    alerts_eval_restore(&ev, "1", UUID_A, 7, T0 - 1000);
    assert_int_equal(run(&ev, &r, 1, s, T0, &out), 0); /* still firing: no second one */
    r.enabled = false;                                 /* disabled or deleted: resolves */
    assert_int_equal(run(&ev, &r, 1, NULL, T0 + 1, &out), 1);
    assert_false(out.items[0].firing);
    assert_int_equal(out.items[0].event_id, 7);
    assert_int_equal(ev.count, 0);
    alerts_transitions_clear(&out);
    alerts_eval_clear(&ev);
    metrics_sample_unref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fires_after_for_seconds_and_resolves_once),
        cmocka_unit_test(test_zero_duration_and_nan),
        cmocka_unit_test(test_vanishing_vm_resolves),
        cmocka_unit_test(test_scope_one_vm),
        cmocka_unit_test(test_host_and_pool),
        cmocka_unit_test(test_event_rules_fire_once_and_resolve_on_start),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_libvirt_unreachable),
        cmocka_unit_test(test_restored_and_deleted),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
