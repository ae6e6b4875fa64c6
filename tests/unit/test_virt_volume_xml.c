/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_volume_xml: server/virt/virt_volume_xml.c — the JSON → <volume> builder
 * (qcow2, raw, allocation, backing store; nothing else emitted), every refusal (names,
 * formats, capacity and allocation bounds and types, backing shape and format, unknown
 * keys, a backing path without "backing"), the space rule, the name check, and the
 * reader on inline volume XML fixtures. Pure; single thread. */
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
#include "util/utf8_name.h"
#include "virt/virt_volume_xml.h"
#include "xml_assert.h"

/* The backing volume the builder is given next (xml_assert builders take no more). */
static const char *backing_path, *backing_format;

static int build_with_backing(struct json_object *req, char **xml, struct app_error *err)
{
    return virt_volume_xml_build(req, backing_path, backing_format, xml, err);
}

static char *build_ok(const char *json, const char *bpath, const char *bformat)
{
    backing_path = bpath;
    backing_format = bformat;
    return xml_assert_build_ok(build_with_backing, json);
}

static void build_bad(const char *json, const char *bpath, const char *contains)
{
    backing_path = bpath;
    backing_format = bpath ? "qcow2" : NULL;
    xml_assert_build_refused(build_with_backing, json, contains);
}

static void test_qcow2(void **state)
{
    char *xml = build_ok("{\"name\":\"disk1.qcow2\",\"capacity_bytes\":10737418240,"
                         "\"format\":\"qcow2\"}",
                         NULL, NULL);

    xml_assert_xpath_eq(xml, "string(/volume/name)", "disk1.qcow2");
    xml_assert_xpath_eq(xml, "string(/volume/capacity)", "10737418240");
    xml_assert_xpath_eq(xml, "string(/volume/capacity/@unit)", "bytes");
    xml_assert_xpath_eq(xml, "string(count(/volume/allocation))", "0");
    xml_assert_xpath_eq(xml, "string(/volume/target/format/@type)", "qcow2");
    xml_assert_xpath_eq(xml, "string(count(/volume/target/*))", "1");
    xml_assert_xpath_eq(xml, "string(count(/volume/*))", "3");
    xml_assert_xpath_eq(xml, "string(count(/volume/@*))", "0");
    free(xml);
}

static void test_raw_allocation(void **state)
{
    char *xml = build_ok("{\"name\":\"r.img\",\"capacity_bytes\":17592186044416,\"format\":\"raw\","
                         "\"allocation_bytes\":0}",
                         NULL, NULL);

    xml_assert_xpath_eq(xml, "string(/volume/capacity)", "17592186044416");
    xml_assert_xpath_eq(xml, "string(/volume/allocation)", "0");
    xml_assert_xpath_eq(xml, "string(/volume/allocation/@unit)", "bytes");
    xml_assert_xpath_eq(xml, "string(/volume/target/format/@type)", "raw");
    free(xml);
    /* an upload chosen as an ISO image is created as one (libvirt's "iso" file format) */
    xml = build_ok("{\"name\":\"cd.iso\",\"capacity_bytes\":65536,\"format\":\"iso\"}", NULL, NULL);
    xml_assert_xpath_eq(xml, "string(/volume/target/format/@type)", "iso");
    free(xml);
}

static void test_backing(void **state)
{
    char *xml = build_ok("{\"name\":\"child\",\"capacity_bytes\":1048576,\"format\":\"qcow2\","
                         "\"backing\":{\"volume\":\"base.img\"}}",
                         "/pool/base & <x>.img", "raw");

    xml_assert_xpath_eq(xml, "string(/volume/backingStore/path)", "/pool/base & <x>.img");
    xml_assert_xpath_eq(xml, "string(/volume/backingStore/format/@type)", "raw");
    xml_assert_xpath_eq(xml, "string(count(/volume/backingStore/*))", "2");
    free(xml);
}

static void test_refusals(void **state)
{
    build_bad("{\"capacity_bytes\":1,\"format\":\"raw\"}", NULL, "name");
    build_bad("{\"name\":\"..\",\"capacity_bytes\":1,\"format\":\"raw\"}", NULL, "name");
    build_bad("{\"name\":\".\",\"capacity_bytes\":1,\"format\":\"raw\"}", NULL, "name");
    build_bad("{\"name\":\"-x\",\"capacity_bytes\":1,\"format\":\"raw\"}", NULL, "name");
    build_bad("{\"name\":\"\\u3000x\",\"capacity_bytes\":1,\"format\":\"raw\"}", NULL, "name");
    build_bad("{\"name\":\"x \",\"capacity_bytes\":1,\"format\":\"raw\"}", NULL, "name");
    build_bad("{\"name\":\"x\\uffff\",\"capacity_bytes\":1,\"format\":\"raw\"}", NULL, "name");
    build_bad("{\"name\":\"a/b\",\"capacity_bytes\":1,\"format\":\"raw\"}", NULL, "name");
    build_bad("{\"name\":\"../etc/passwd\",\"capacity_bytes\":1,\"format\":\"raw\"}", NULL, "name");
    build_bad("{\"name\":5,\"capacity_bytes\":1,\"format\":\"raw\"}", NULL, "name");
    build_bad("{\"name\":\"v\",\"capacity_bytes\":1,\"format\":\"vmdk\"}", NULL, "format");
    build_bad("{\"name\":\"v\",\"capacity_bytes\":1}", NULL, "format");
    build_bad("{\"name\":\"v\",\"format\":\"raw\"}", NULL, "capacity_bytes");
    build_bad("{\"name\":\"v\",\"capacity_bytes\":0,\"format\":\"raw\"}", NULL, "capacity_bytes");
    build_bad("{\"name\":\"v\",\"capacity_bytes\":-5,\"format\":\"raw\"}", NULL, "capacity_bytes");
    build_bad("{\"name\":\"v\",\"capacity_bytes\":17592186044417,\"format\":\"raw\"}", NULL,
              "capacity_bytes");
    build_bad("{\"name\":\"v\",\"capacity_bytes\":1.0,\"format\":\"raw\"}", NULL, "integer");
    build_bad("{\"name\":\"v\",\"capacity_bytes\":\"1\",\"format\":\"raw\"}", NULL, "integer");
    build_bad("{\"name\":\"v\",\"capacity_bytes\":10,\"format\":\"raw\",\"allocation_bytes\":11}",
              NULL, "allocation_bytes");
    build_bad("{\"name\":\"v\",\"capacity_bytes\":10,\"format\":\"raw\",\"allocation_bytes\":-1}",
              NULL, "allocation_bytes");
    build_bad("{\"name\":\"v\",\"capacity_bytes\":10,\"format\":\"raw\",\"path\":\"/etc\"}", NULL,
              "unknown");
    build_bad("{\"name\":\"v\",\"capacity_bytes\":10,\"format\":\"raw\",\"backing\":{\"volume\":"
              "\"b\"}}",
              "/p/b", "qcow2");
    build_bad("{\"name\":\"v\",\"capacity_bytes\":10,\"format\":\"qcow2\",\"backing\":\"b\"}",
              "/p/b", "backing");
    build_bad("{\"name\":\"v\",\"capacity_bytes\":10,\"format\":\"qcow2\",\"backing\":{\"path\":"
              "\"/etc/passwd\"}}",
              "/p/b", "backing");
    build_bad("{\"name\":\"v\",\"capacity_bytes\":10,\"format\":\"qcow2\",\"backing\":{\"volume\":"
              "\"b\",\"x\":1}}",
              "/p/b", "backing");
    build_bad("{\"name\":\"v\",\"capacity_bytes\":10,\"format\":\"qcow2\",\"backing\":{\"volume\":"
              "\"../b\"}}",
              "/p/b", "backing");
    /* "backing" without a resolved path, and a path without "backing" */
    build_bad("{\"name\":\"v\",\"capacity_bytes\":10,\"format\":\"qcow2\",\"backing\":{\"volume\":"
              "\"b\"}}",
              NULL, "backing");
    build_bad("{\"name\":\"v\",\"capacity_bytes\":10,\"format\":\"qcow2\"}", "/p/b", "backing");
    build_bad("[]", NULL, "object");
}

static void test_names(void **state)
{
    char name[UTF8_NAME_FILE_MAX + 2];

    /* the rule is util/utf8_name.c's (test_utf8_name.c); here: that the builder uses it */
    assert_true(virt_volume_xml_name_valid("a"));
    assert_true(virt_volume_xml_name_valid("_a.b+c-d.qcow2"));
    assert_true(virt_volume_xml_name_valid("\u4e2d\u6587\u7cfb\u7edf\u5b89\u88c5\u76d8.iso"));
    assert_true(virt_volume_xml_name_valid(".hidden"));
    assert_true(virt_volume_xml_name_valid("+a"));
    assert_true(virt_volume_xml_name_valid("a b:c\\d"));
    assert_false(virt_volume_xml_name_valid(NULL));
    assert_false(virt_volume_xml_name_valid(""));
    assert_false(virt_volume_xml_name_valid("."));
    assert_false(virt_volume_xml_name_valid(".."));
    assert_false(virt_volume_xml_name_valid("-a"));
    assert_false(virt_volume_xml_name_valid("a/b"));
    assert_false(virt_volume_xml_name_valid("a\tb"));
    assert_false(virt_volume_xml_name_valid(" a"));
    memset(name, 'a', UTF8_NAME_FILE_MAX);
    name[UTF8_NAME_FILE_MAX] = '\0';
    assert_true(virt_volume_xml_name_valid(name));
    name[UTF8_NAME_FILE_MAX] = 'a';
    name[UTF8_NAME_FILE_MAX + 1] = '\0';
    assert_false(virt_volume_xml_name_valid(name));
}

static void test_needed_bytes(void **state)
{
    assert_int_equal(virt_volume_xml_needed_bytes("raw", 1000, 0, 0), 1000);
    assert_int_equal(virt_volume_xml_needed_bytes("raw", 1000, 1, 10), 10);
    assert_int_equal(virt_volume_xml_needed_bytes("qcow2", 1000, 0, 0), 0);
    assert_int_equal(virt_volume_xml_needed_bytes("qcow2", 1000, 1, 1000), 1000);
    assert_int_equal(virt_volume_xml_needed_bytes("iso", 1000, 0, 0), 1000);
}

static void test_read(void **state)
{
    struct json_object *obj = json_object_new_object(), *backing;
    struct app_error err;

    app_error_clear(&err);
    assert_int_equal(virt_volume_xml_read("<volume type='file'><name>c</name><target><path>/p/c"
                                          "</path><format type='qcow2'/></target><backingStore>"
                                          "<path>/p/base.img</path><format type='raw'/>"
                                          "</backingStore></volume>",
                                          obj, &err),
                     0);
    assert_string_equal(json_object_get_string(json_object_object_get(obj, "format")), "qcow2");
    backing = json_object_object_get(obj, "backing");
    assert_string_equal(json_object_get_string(json_object_object_get(backing, "path")),
                        "/p/base.img");
    assert_string_equal(json_object_get_string(json_object_object_get(backing, "format")), "raw");
    json_object_put(obj);

    /* no format: "raw"; no backing store: null */
    obj = json_object_new_object();
    assert_int_equal(virt_volume_xml_read("<volume type='block'><name>b</name><target><path>"
                                          "/dev/vg/b</path></target></volume>",
                                          obj, &err),
                     0);
    assert_string_equal(json_object_get_string(json_object_object_get(obj, "format")), "raw");
    assert_true(json_object_object_get_ex(obj, "backing", NULL));
    assert_null(json_object_object_get(obj, "backing"));
    assert_int_equal(json_object_object_length(obj), 2);
    json_object_put(obj);

    obj = json_object_new_object();
    assert_int_equal(virt_volume_xml_read("<pool/>", obj, &err), -1);
    assert_int_equal(err.status, 502);
    assert_int_equal(virt_volume_xml_read("<volume>", obj, &err), -1);
    assert_int_equal(virt_volume_xml_read(NULL, obj, &err), -1);
    assert_int_equal(json_object_object_length(obj), 0);
    json_object_put(obj);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qcow2),   cmocka_unit_test(test_raw_allocation),
        cmocka_unit_test(test_backing), cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_names),   cmocka_unit_test(test_needed_bytes),
        cmocka_unit_test(test_read),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
