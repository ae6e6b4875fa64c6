/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_alerts_rule: server/alerts/alerts_rule.c — parsing and validating alert rules: a
 * threshold rule with its defaults, event rules without a threshold, each bad field
 * named in the 400, scopes per metric kind, the JSON answer and scope coverage. Pure. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alerts/alerts_rule.h"

#define UUID "0f3c2a1e-5d4b-4c3a-9e8f-7a6b5c4d3e2f"

static int parse(const char *text, struct alerts_rule *rule, struct app_error *err)
{
    app_error_clear(err);
    return alerts_rule_parse_text(text, rule, err);
}

/* The rule is refused with 400 and the message names field. */
static void assert_refused(const char *text, const char *field)
{
    struct alerts_rule rule;
    struct app_error err;

    assert_int_equal(parse(text, &rule, &err), -1);
    assert_int_equal(err.status, 400);
    if (!strstr(err.message, field))
        fail_msg("\"%s\" does not name %s", err.message, field);
}

static void test_threshold_rule_defaults(void **state)
{
    struct alerts_rule rule;
    struct app_error err;

    assert_int_equal(parse("{\"name\":\"CPU hot\",\"metric\":\"vm_cpu_percent\",\"op\":\">\","
                           "\"threshold\":90}",
                           &rule, &err),
                     0);
    assert_string_equal(rule.name, "CPU hot");
    assert_int_equal(rule.metric, ALERTS_METRIC_VM_CPU_PERCENT);
    assert_int_equal(rule.op, '>');
    assert_true(rule.threshold == 90.0);
    assert_int_equal(rule.for_seconds, 0);
    assert_string_equal(rule.scope, "all");
    assert_true(rule.enabled);
    assert_false(rule.read_only);

    assert_int_equal(parse("{\"name\":\"low mem\",\"metric\":\"host_memory_free_percent\","
                           "\"op\":\"<\",\"threshold\":10.5,\"for_seconds\":300,\"enabled\":false}",
                           &rule, &err),
                     0);
    assert_string_equal(rule.scope, "host");
    assert_int_equal(rule.for_seconds, 300);
    assert_false(rule.enabled);
    assert_true(rule.threshold == 10.5);
}

static void test_event_rules(void **state)
{
    struct alerts_rule rule;
    struct app_error err;

    assert_int_equal(
        parse("{\"name\":\"crash\",\"metric\":\"vm_crashed\",\"scope\":\"" UUID "\"}", &rule, &err),
        0);
    assert_int_equal(rule.op, 0);
    assert_true(isnan(rule.threshold));
    assert_string_equal(rule.scope, UUID);
    assert_int_equal(parse("{\"name\":\"down\",\"metric\":\"libvirt_unreachable\","
                           "\"for_seconds\":30}",
                           &rule, &err),
                     0);
    assert_string_equal(rule.scope, "host");
    assert_refused("{\"name\":\"x\",\"metric\":\"vm_crashed\",\"op\":\">\"}", "\"op\"");
    assert_refused("{\"name\":\"x\",\"metric\":\"vm_stopped_unexpectedly\",\"threshold\":1}",
                   "\"threshold\"");
}

static void test_bad_fields_named(void **state)
{
    assert_refused("{\"metric\":\"vm_cpu_percent\",\"op\":\">\",\"threshold\":1}", "\"name\"");
    assert_refused("{\"name\":\"\",\"metric\":\"vm_cpu_percent\",\"op\":\">\",\"threshold\":1}",
                   "\"name\"");
    assert_refused("{\"name\":\"a\\nb\",\"metric\":\"vm_cpu_percent\",\"op\":\">\","
                   "\"threshold\":1}",
                   "\"name\"");
    assert_refused("{\"name\":\"x\",\"metric\":\"vm_temperature\",\"op\":\">\",\"threshold\":1}",
                   "\"metric\"");
    assert_refused("{\"name\":\"x\",\"metric\":\"vm_cpu_percent\",\"op\":\">=\",\"threshold\":1}",
                   "\"op\"");
    assert_refused("{\"name\":\"x\",\"metric\":\"vm_cpu_percent\",\"threshold\":1}", "\"op\"");
    assert_refused("{\"name\":\"x\",\"metric\":\"vm_cpu_percent\",\"op\":\">\"}", "\"threshold\"");
    assert_refused(
        "{\"name\":\"x\",\"metric\":\"vm_cpu_percent\",\"op\":\">\",\"threshold\":\"9\"}",
        "\"threshold\"");
    assert_refused("{\"name\":\"x\",\"metric\":\"vm_cpu_percent\",\"op\":\">\",\"threshold\":1,"
                   "\"for_seconds\":-1}",
                   "\"for_seconds\"");
    assert_refused("{\"name\":\"x\",\"metric\":\"vm_cpu_percent\",\"op\":\">\",\"threshold\":1,"
                   "\"for_seconds\":604801}",
                   "\"for_seconds\"");
    assert_refused("{\"name\":\"x\",\"metric\":\"vm_cpu_percent\",\"op\":\">\",\"threshold\":1,"
                   "\"enabled\":1}",
                   "\"enabled\"");
    assert_refused("{\"name\":\"x\",\"metric\":\"vm_cpu_percent\",\"op\":\">\",\"threshold\":1,"
                   "\"colour\":\"red\"}",
                   "\"colour\"");
    assert_refused("[1]", "JSON object");
    assert_refused("{\"name\":\"x\"} trailing", "JSON object");
}

static void test_scopes(void **state)
{
    struct alerts_rule rule;
    struct app_error err;

    assert_refused("{\"name\":\"x\",\"metric\":\"vm_cpu_percent\",\"op\":\">\",\"threshold\":1,"
                   "\"scope\":\"host\"}",
                   "\"scope\"");
    assert_refused("{\"name\":\"x\",\"metric\":\"vm_cpu_percent\",\"op\":\">\",\"threshold\":1,"
                   "\"scope\":\"0F3C2A1E-5D4B-4C3A-9E8F-7A6B5C4D3E2F\"}",
                   "\"scope\"");
    assert_refused("{\"name\":\"x\",\"metric\":\"host_cpu_percent\",\"op\":\">\",\"threshold\":1,"
                   "\"scope\":\"all\"}",
                   "\"scope\"");
    assert_refused("{\"name\":\"x\",\"metric\":\"pool_used_percent\",\"op\":\">\",\"threshold\":1,"
                   "\"scope\":\"a/b\"}",
                   "\"scope\"");
    assert_int_equal(parse("{\"name\":\"full\",\"metric\":\"pool_used_percent\",\"op\":\">\","
                           "\"threshold\":90,\"scope\":\"default\"}",
                           &rule, &err),
                     0);
    assert_true(alerts_rule_covers(&rule, "default"));
    assert_false(alerts_rule_covers(&rule, "images"));
    snprintf(rule.scope, sizeof(rule.scope), "all");
    assert_true(alerts_rule_covers(&rule, "images"));
}

static void test_json_answer(void **state)
{
    struct alerts_rule rule;
    struct app_error err;
    struct json_object *obj, *v;

    assert_int_equal(parse("{\"name\":\"crash\",\"metric\":\"vm_crashed\"}", &rule, &err), 0);
    snprintf(rule.id, sizeof(rule.id), "cfg-1");
    rule.read_only = true;
    obj = alerts_rule_json(&rule);
    assert_true(json_object_object_get_ex(obj, "id", &v));
    assert_string_equal(json_object_get_string(v), "cfg-1");
    assert_true(json_object_object_get_ex(obj, "op", &v));
    assert_null(v);
    assert_true(json_object_object_get_ex(obj, "threshold", &v));
    assert_null(v);
    assert_true(json_object_object_get_ex(obj, "source", &v));
    assert_string_equal(json_object_get_string(v), "config");
    assert_true(json_object_object_get_ex(obj, "metric", &v));
    assert_string_equal(json_object_get_string(v), "vm_crashed");
    json_object_put(obj);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threshold_rule_defaults),
        cmocka_unit_test(test_event_rules),
        cmocka_unit_test(test_bad_fields_named),
        cmocka_unit_test(test_scopes),
        cmocka_unit_test(test_json_answer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
