/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_snapshot_xml: server/virt/virt_snapshot_xml.c — the JSON → <domainsnapshot>
 * builder (name, description, memory; nothing else emitted; markup escaped), every
 * refusal with its field, the reader on libvirt's snapshot XML (tests/fixtures/snapshots/:
 * internal with memory, external disk-only, external with memory, old metadata without
 * <memory>), and the kinds rule on domain XML (qcow2, raw, readonly CD-ROM, pflash,
 * diskless; running or not). Pure; single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "util/app_error.h"
#include "virt/virt_snapshot_xml.h"
#include "xml_assert.h"

#define FIXTURES VIRTDECK_SOURCE_DIR "/tests/fixtures/snapshots/"

static char *read_fixture(const char *name)
{
    char path[512];

    snprintf(path, sizeof(path), FIXTURES "%s", name);
    return xml_assert_read_file(path);
}

/* obj as compact JSON, compared with want. */
static void assert_json(struct json_object *obj, const char *want)
{
    assert_non_null(obj);
    assert_string_equal(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN), want);
}

/* ---- builder ---------------------------------------------------------------------------- */

static void test_build_full(void **state)
{
    char *xml = xml_assert_build_ok(virt_snapshot_xml_build,
                                    "{\"name\":\"before upgrade\",\"description\":\"two\\nlines\","
                                    "\"memory\":true}");

    xml_assert_xpath_eq(xml, "string(/domainsnapshot/name)", "before upgrade");
    xml_assert_xpath_eq(xml, "string(/domainsnapshot/description)", "two\nlines");
    xml_assert_xpath_eq(xml, "string(/domainsnapshot/memory/@snapshot)", "internal");
    xml_assert_xpath_eq(xml, "string(count(/domainsnapshot/*))", "3");
    xml_assert_xpath_eq(xml, "string(count(/domainsnapshot/memory/@*))", "1");
    free(xml);
}

static void test_build_defaults(void **state)
{
    char *xml = xml_assert_build_ok(virt_snapshot_xml_build, "{}");

    /* no name: libvirt names it after its creation time */
    xml_assert_xpath_eq(xml, "string(count(/domainsnapshot/*))", "1");
    xml_assert_xpath_eq(xml, "string(/domainsnapshot/memory/@snapshot)", "no");
    free(xml);
    xml = xml_assert_build_ok(virt_snapshot_xml_build, "{\"description\":\"\",\"memory\":false}");
    xml_assert_xpath_eq(xml, "string(count(/domainsnapshot/description))", "0");
    free(xml);
}

static void test_build_escapes_markup(void **state)
{
    char *xml = xml_assert_build_ok(
        virt_snapshot_xml_build,
        "{\"name\":\"<a>&b\\\"'\",\"description\":\"</description><disks><disk name='vda' "
        "snapshot='external'/></disks>\"}");

    xml_assert_xpath_eq(xml, "string(/domainsnapshot/name)", "<a>&b\"'");
    xml_assert_xpath_eq(xml, "string(count(/domainsnapshot/*))", "3");
    xml_assert_xpath_eq(xml, "string(count(//disks))", "0");
    free(xml);
}

static void test_build_chinese(void **state)
{
    char *xml = xml_assert_build_ok(virt_snapshot_xml_build, "{\"name\":\"升级前\"}");

    xml_assert_xpath_eq(xml, "string(/domainsnapshot/name)", "升级前");
    free(xml);
}

/* Refused with 400 and field. */
static void build_bad(const char *json, const char *field, const char *contains)
{
    struct json_object *req = xml_assert_parse(json);
    struct app_error err;
    char *xml = NULL;

    xml_assert_build_refused(virt_snapshot_xml_build, json, contains);
    app_error_clear(&err);
    assert_int_equal(virt_snapshot_xml_build(req, &xml, &err), -1);
    if (field)
        assert_string_equal(err.field, field);
    else
        assert_string_equal(err.field, "");
    json_object_put(req);
}

static void test_build_refusals(void **state)
{
    build_bad("{\"name\":\"\"}", "name", "empty");
    build_bad("{\"name\":\"a/b\"}", "name", "\"name\"");
    build_bad("{\"name\":\".\"}", "name", "\"name\"");
    build_bad("{\"name\":\"-x\"}", "name", "\"name\"");
    build_bad("{\"name\":\" x\"}", "name", "\"name\"");
    build_bad("{\"name\":\"a\\u0001\"}", "name", "control");
    build_bad("{\"name\":5}", "name", "must be a string");
    build_bad("{\"description\":\"a\\rb\"}", "description", "control");
    build_bad("{\"description\":[]}", "description", "must be a string");
    build_bad("{\"memory\":\"yes\"}", "memory", "boolean");
    build_bad("{\"name\":\"x\",\"disks\":[]}", NULL, "unknown field");
}

static void test_build_not_object(void **state)
{
    struct json_object *arr = json_object_new_array();
    struct app_error err;
    char *xml = NULL;

    app_error_clear(&err);
    assert_int_equal(virt_snapshot_xml_build(arr, &xml, &err), -1);
    assert_null(xml);
    assert_int_equal(err.status, 400);
    json_object_put(arr);
}

/* ---- reader ----------------------------------------------------------------------------- */

static void read_fixture_as(const char *name, const char *want)
{
    char *xml = read_fixture(name);
    struct app_error err;
    struct json_object *obj;

    app_error_clear(&err);
    obj = virt_snapshot_xml_to_json(xml, &err);
    assert_json(obj, want);
    json_object_put(obj);
    free(xml);
}

static void test_read_fixtures(void **state)
{
    read_fixture_as("running-internal.xml",
                    "{\"name\":\"before upgrade\",\"description\":\"kernel 6.1 & friends\","
                    "\"creation_time\":1764780000,\"state\":\"running\",\"parent\":\"fresh "
                    "install\",\"kind\":\"internal\",\"memory\":true}");
    read_fixture_as("disk-only-external.xml",
                    "{\"name\":\"1764780123\",\"description\":null,\"creation_time\":1764780123,"
                    "\"state\":\"disk-snapshot\",\"parent\":null,\"kind\":\"disk-only\","
                    "\"memory\":false}");
    read_fixture_as("external-memory.xml",
                    "{\"name\":\"ext\",\"description\":null,\"creation_time\":1764780200,"
                    "\"state\":\"running\",\"parent\":null,\"kind\":\"external\",\"memory\":true}");
    read_fixture_as(
        "old-shutoff.xml",
        "{\"name\":\"old\",\"description\":null,\"creation_time\":12,"
        "\"state\":\"shutoff\",\"parent\":null,\"kind\":\"internal\",\"memory\":false}");
}

static void test_read_malformed(void **state)
{
    const char *bad[] = {NULL, "", "<domainsnapshot>", "<domain/>", "not xml"};
    struct app_error err;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        app_error_clear(&err);
        assert_null(virt_snapshot_xml_to_json(bad[i], &err));
        assert_int_equal(err.status, 502);
    }
}

static void test_read_odd_time(void **state)
{
    struct app_error err;
    struct json_object *obj;

    app_error_clear(&err);
    obj = virt_snapshot_xml_to_json("<domainsnapshot><name>n</name><creationTime>-5</creationTime>"
                                    "</domainsnapshot>",
                                    &err);
    assert_json(obj, "{\"name\":\"n\",\"description\":null,\"creation_time\":0,\"state\":"
                     "\"nostate\",\"parent\":null,\"kind\":\"internal\",\"memory\":false}");
    json_object_put(obj);
}

/* ---- kinds ------------------------------------------------------------------------------ */

static void can_as(const char *xml, bool active, const char *want)
{
    struct app_error err;
    struct json_object *obj;

    app_error_clear(&err);
    obj = virt_snapshot_xml_can(xml, active, &err);
    assert_json(obj, want);
    json_object_put(obj);
}

#define DISK(type, dev)                                                                            \
    "<disk type='file' device='disk'><driver name='qemu' type='" type "'/><source file='/i/" dev   \
    "'/><target dev='" dev "'/></disk>"

static void test_can_qcow2(void **state)
{
    const char *xml =
        "<domain><devices>" DISK("qcow2", "vda") DISK("qcow2", "vdb") "</devices></domain>";

    can_as(xml, true, "{\"internal\":true,\"memory\":true}");
    can_as(xml, false, "{\"internal\":true,\"memory\":false,\"memory_reason\":\"not_running\"}");
}

static void test_can_raw(void **state)
{
    char *xml = read_fixture("domain-mixed.xml");

    /* the read-only raw CD-ROM is left out; the raw data disk is not */
    can_as(xml, true,
           "{\"internal\":false,\"reason\":\"raw_disk\",\"disk\":\"vdb\",\"format\":\"raw\","
           "\"memory\":false,\"memory_reason\":\"internal\"}");
    can_as(xml, false,
           "{\"internal\":false,\"reason\":\"raw_disk\",\"disk\":\"vdb\",\"format\":\"raw\","
           "\"memory\":false,\"memory_reason\":\"not_running\"}");
    free(xml);
    /* no driver type: libvirt does not probe, so it is raw */
    can_as("<domain><devices><disk type='block'><source dev='/dev/sdb'/><target dev='vdc'/>"
           "</disk></devices></domain>",
           false,
           "{\"internal\":false,\"reason\":\"raw_disk\",\"disk\":\"vdc\",\"format\":\"raw\","
           "\"memory\":false,\"memory_reason\":\"not_running\"}");
}

static void test_can_pflash_and_diskless(void **state)
{
    can_as("<domain><os><loader readonly='yes' type='pflash'>/f.fd</loader></os><devices>" DISK(
               "qcow2", "vda") "</devices></domain>",
           true,
           "{\"internal\":false,\"reason\":\"pflash\",\"memory\":false,\"memory_reason\":"
           "\"internal\"}");
    can_as("<domain><devices/></domain>", true,
           "{\"internal\":true,\"memory\":false,\"memory_reason\":\"no_disk\"}");
    can_as("<domain><devices/></domain>", false,
           "{\"internal\":true,\"memory\":false,\"memory_reason\":\"not_running\"}");
}

static void test_can_malformed(void **state)
{
    struct app_error err;

    app_error_clear(&err);
    assert_null(virt_snapshot_xml_can("<domainsnapshot/>", true, &err));
    assert_int_equal(err.status, 502);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_full),
        cmocka_unit_test(test_build_defaults),
        cmocka_unit_test(test_build_escapes_markup),
        cmocka_unit_test(test_build_chinese),
        cmocka_unit_test(test_build_refusals),
        cmocka_unit_test(test_build_not_object),
        cmocka_unit_test(test_read_fixtures),
        cmocka_unit_test(test_read_malformed),
        cmocka_unit_test(test_read_odd_time),
        cmocka_unit_test(test_can_qcow2),
        cmocka_unit_test(test_can_raw),
        cmocka_unit_test(test_can_pflash_and_diskless),
        cmocka_unit_test(test_can_malformed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
