/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_domain_config: server/virt/virt_domain_config.c on the fixture
 * tests/fixtures/domain-config.xml: reading every member, each refusal naming its
 * field, edits that read back as asked, "pending" and the detail's "config" (which never
 * holds the VNC password). Pure; no libvirt connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "virt/virt_domain_config.h"
#include "virt/virt_xml.h"
#include "xml_assert.h"

#define FIXTURE VIRTDECK_SOURCE_DIR "/tests/fixtures/domain-config.xml"

static xmlDocPtr fixture_doc(void)
{
    char *xml = xml_assert_read_file(FIXTURE);
    struct app_error err;
    xmlDocPtr doc;

    app_error_clear(&err);
    doc = virt_xml_read(xml, "domain", &err);
    assert_non_null(doc);
    free(xml);
    return doc;
}

/* The config read from doc as JSON text (without secrets). */
static void expect_config(xmlDocPtr doc, const char *want)
{
    struct json_object *config = json_object_new_object();
    struct json_object *expected = xml_assert_parse(want);

    virt_domain_config_read(xmlDocGetRootElement(doc), false, config);
    if (!json_object_equal(config, expected))
        fail_msg("config %s\nwanted %s", json_object_to_json_string(config), want);
    json_object_put(config);
    json_object_put(expected);
}

static void test_read_fixture(void **state)
{
    xmlDocPtr doc = fixture_doc();

    (void)state;
    expect_config(doc,
                  "{\"title\":\"a title\",\"description\":\"\",\"vcpus\":2,\"max_vcpus\":4,"
                  "\"memory_mib\":2048,\"max_memory_mib\":4096,"
                  "\"cpu\":{\"mode\":\"host-model\",\"model\":null,\"topology\":"
                  "{\"sockets\":1,\"dies\":1,\"cores\":2,\"threads\":2}},"
                  "\"boot\":{\"order\":[\"hd\",\"cdrom\"],\"menu\":true},\"firmware\":\"uefi\","
                  "\"watchdog\":{\"model\":\"itco\",\"action\":\"pause\"},\"rng\":true,"
                  "\"tpm\":{\"model\":\"tpm-tis\",\"version\":\"2.0\"},"
                  "\"video\":{\"model\":\"qxl\"},"
                  "\"vnc\":{\"password_set\":true,\"keymap\":\"fr\"}}");
    xmlFreeDoc(doc);
}

static void expect_refused(const char *json, const char *field)
{
    xmlDocPtr doc = fixture_doc();
    struct json_object *patch = xml_assert_parse(json);
    struct app_error err;

    app_error_clear(&err);
    if (virt_domain_config_check(patch, xmlDocGetRootElement(doc), &err) == 0)
        fail_msg("accepted: %s", json);
    assert_int_equal(err.status, 400);
    if (strcmp(err.field, field))
        fail_msg("%s: field \"%s\" (%s), wanted \"%s\"", json, err.field, err.message, field);
    json_object_put(patch);
    xmlFreeDoc(doc);
}

static void test_check_refusals(void **state)
{
    (void)state;
    expect_refused("{}", "");
    expect_refused("{\"colour\":1}", "colour");
    expect_refused("{\"vcpus\":5}", "vcpus");
    expect_refused("{\"vcpus\":true}", "vcpus");
    /* the fixture's topology has 4 vCPUs */
    expect_refused("{\"max_vcpus\":6}", "max_vcpus");
    expect_refused("{\"max_vcpus\":1}", "max_vcpus");
    expect_refused("{\"max_vcpus\":2,\"vcpus\":2}", "max_vcpus");
    expect_refused("{\"memory_mib\":4097}", "memory_mib");
    expect_refused("{\"max_memory_mib\":1024}", "max_memory_mib");
    expect_refused("{\"max_memory_mib\":99999999999}", "max_memory_mib");
    expect_refused("{\"cpu\":{\"mode\":\"custom\",\"model\":\"<x/>\"}}", "cpu.model");
    expect_refused("{\"cpu\":{\"mode\":\"maximum\",\"topology\":{\"sockets\":2,\"cores\":1,"
                   "\"threads\":1}}}",
                   "cpu.topology");
    expect_refused("{\"cpu\":{\"mode\":\"maximum\",\"topology\":{\"sockets\":0,\"cores\":4,"
                   "\"threads\":1}}}",
                   "cpu.topology.sockets");
    expect_refused("{\"cpu\":{\"mode\":\"maximum\",\"topology\":{\"sockets\":1,\"cores\":4,"
                   "\"threads\":1,\"books\":1}}}",
                   "cpu.topology.books");
    expect_refused("{\"boot\":{\"order\":[\"hd\",\"cdrom\",\"network\",\"fd\",\"hd\"]}}",
                   "boot.order");
    expect_refused("{\"boot\":[]}", "boot");
    expect_refused("{\"firmware\":null}", "firmware");
    expect_refused("{\"tpm\":{\"model\":\"tpm-crb\",\"version\":2}}", "tpm.version");
    expect_refused("{\"watchdog\":\"itco\"}", "watchdog");
    expect_refused("{\"vnc\":{\"password\":\"ninechars\"}}", "vnc.password");
    expect_refused("{\"vnc\":{\"password\":7}}", "vnc.password");
    expect_refused("{\"vnc\":{\"keymap\":\"us\"}}", "vnc.keymap");
    expect_refused("{\"vnc\":null}", "vnc");
    expect_refused("{\"title\":\"a\\u0001b\"}", "title");
    expect_refused("{\"name\":\"\"}", "name");
}

/* Checks and applies json to the fixture; the config then reads as want. */
static void expect_applied(const char *json, const char *want)
{
    xmlDocPtr doc = fixture_doc();
    struct json_object *patch = xml_assert_parse(json);
    struct json_object *config = json_object_new_object();
    struct json_object *expected = xml_assert_parse(want);
    struct app_error err;
    char *xml;
    xmlDocPtr again;

    app_error_clear(&err);
    if (virt_domain_config_check(patch, xmlDocGetRootElement(doc), &err) < 0)
        fail_msg("refused %s: %s (%s)", json, err.message, err.field);
    virt_domain_config_apply(xmlDocGetRootElement(doc), patch);
    xml = virt_xml_doc_string(doc, false);
    again = virt_xml_read(xml, "domain", &err); /* the edit re-parses */
    assert_non_null(again);
    virt_domain_config_read(xmlDocGetRootElement(again), true, config);
    json_object_object_foreach(expected, key, value)
    {
        struct json_object *got = json_object_object_get(config, key);

        if (!json_object_equal(got, value))
            fail_msg("%s: %s is %s, wanted %s", json, key, json_object_to_json_string(got),
                     json_object_to_json_string(value));
    }
    free(xml);
    xmlFreeDoc(again);
    json_object_put(expected);
    json_object_put(config);
    json_object_put(patch);
    xmlFreeDoc(doc);
}

static void test_apply(void **state)
{
    (void)state;
    expect_applied("{\"vcpus\":4,\"memory_mib\":4096,\"title\":\"<b>&amp;\"}",
                   "{\"vcpus\":4,\"max_vcpus\":4,\"memory_mib\":4096,\"title\":\"<b>&amp;\"}");
    expect_applied("{\"max_vcpus\":8,\"cpu\":{\"mode\":\"custom\",\"model\":\"EPYC\","
                   "\"topology\":{\"sockets\":2,\"cores\":2,\"threads\":2}}}",
                   "{\"vcpus\":2,\"max_vcpus\":8,\"cpu\":{\"mode\":\"custom\",\"model\":\"EPYC\","
                   "\"topology\":{\"sockets\":2,\"dies\":1,\"cores\":2,\"threads\":2}}}");
    expect_applied("{\"boot\":{\"order\":[\"network\"]},\"firmware\":\"bios\"}",
                   "{\"boot\":{\"order\":[\"network\"],\"menu\":true},\"firmware\":\"bios\"}");
    expect_applied("{\"watchdog\":null,\"rng\":false,\"tpm\":null,\"video\":{\"model\":\"none\"}}",
                   "{\"watchdog\":null,\"rng\":false,\"tpm\":null,\"video\":{\"model\":\"none\"}}");
    expect_applied("{\"vnc\":{\"password\":\"a'\\\"<&\",\"keymap\":null}}",
                   "{\"vnc\":{\"password\":\"a'\\\"<&\",\"keymap\":null}}");
    expect_applied(
        "{\"description\":\"\",\"title\":\"\",\"max_memory_mib\":2048}",
        "{\"description\":\"\",\"title\":\"\",\"max_memory_mib\":2048,\"memory_mib\":2048}");
}

static void test_pending_and_detail(void **state)
{
    xmlDocPtr live = fixture_doc();
    char *xml = xml_assert_read_file(FIXTURE);
    struct json_object *patch = xml_assert_parse("{\"max_vcpus\":8,\"vcpus\":1,\"cpu\":"
                                                 "{\"mode\":\"maximum\",\"topology\":null},"
                                                 "\"vnc\":{\"password\":\"newpass\"}}");
    struct json_object *pending, *detail = json_object_new_object();
    struct app_error err;
    xmlDocPtr persistent = fixture_doc();
    xmlNodePtr cpu;
    char *persistent_xml;

    (void)state;
    app_error_clear(&err);
    /* a live host-model CPU is the expanded custom one: not pending */
    for (cpu = xmlDocGetRootElement(live)->children; strcmp((const char *)cpu->name, "cpu");)
        cpu = cpu->next;
    xmlSetProp(cpu, (const xmlChar *)"mode", (const xmlChar *)"custom");
    pending =
        virt_domain_config_pending(xmlDocGetRootElement(live), xmlDocGetRootElement(persistent));
    assert_int_equal(json_object_array_length(pending), 0);
    json_object_put(pending);

    assert_int_equal(virt_domain_config_check(patch, xmlDocGetRootElement(persistent), &err), 0);
    virt_domain_config_apply(xmlDocGetRootElement(persistent), patch);
    pending =
        virt_domain_config_pending(xmlDocGetRootElement(live), xmlDocGetRootElement(persistent));
    assert_string_equal(json_object_to_json_string(pending),
                        "[ \"vcpus\", \"max_vcpus\", \"cpu\", \"vnc\" ]");
    json_object_put(pending);

    persistent_xml = virt_xml_doc_string(persistent, false);
    assert_int_equal(virt_domain_config_detail(xml, persistent_xml, true, detail, &err), 0);
    assert_null(strstr(json_object_to_json_string(detail), "newpass"));
    assert_null(strstr(json_object_to_json_string(detail), "oldpass"));
    /* the next boot's vCPUs (the summary has the running VM's) */
    assert_int_equal(json_object_get_int(
                         json_object_object_get(json_object_object_get(detail, "config"), "vcpus")),
                     1);
    assert_string_equal(json_object_to_json_string(json_object_object_get(detail, "pending")),
                        "[ \"vcpus\", \"max_vcpus\", \"cpu\", \"vnc\" ]");
    json_object_put(detail);
    detail = json_object_new_object();
    assert_int_equal(virt_domain_config_detail(NULL, persistent_xml, false, detail, &err), 0);
    assert_int_equal(json_object_array_length(json_object_object_get(detail, "pending")), 0);
    assert_int_equal(virt_domain_config_detail(NULL, "<domain", false, detail, &err), -1);
    assert_int_equal(err.status, 502);

    free(persistent_xml);
    free(xml);
    json_object_put(detail);
    json_object_put(patch);
    xmlFreeDoc(live);
    xmlFreeDoc(persistent);
}

/* A network install's running VM boots a kernel directly, its persistent definition
 * does not: "boot" holds the kernel and is pending. */
static void test_pending_kernel_boot(void **state)
{
    xmlDocPtr live = fixture_doc(), persistent = fixture_doc();
    xmlNodePtr os = xmlDocGetRootElement(live)->children;
    struct json_object *config = json_object_new_object(), *boot, *pending;

    (void)state;
    while (strcmp((const char *)os->name, "os"))
        os = os->next;
    xmlNewTextChild(os, NULL, (const xmlChar *)"kernel", (const xmlChar *)"/p/vm-kernel");
    virt_domain_config_read(xmlDocGetRootElement(live), false, config);
    boot = json_object_object_get(config, "boot");
    assert_string_equal(json_object_get_string(json_object_object_get(boot, "kernel")),
                        "/p/vm-kernel");
    pending =
        virt_domain_config_pending(xmlDocGetRootElement(live), xmlDocGetRootElement(persistent));
    assert_string_equal(json_object_to_json_string(pending), "[ \"boot\" ]");
    json_object_put(pending);
    json_object_put(config);
    xmlFreeDoc(live);
    xmlFreeDoc(persistent);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_fixture),
        cmocka_unit_test(test_check_refusals),
        cmocka_unit_test(test_apply),
        cmocka_unit_test(test_pending_and_detail),
        cmocka_unit_test(test_pending_kernel_boot),
    };

    virt_xml_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
