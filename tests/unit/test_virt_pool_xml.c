/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_pool_xml: server/virt/virt_pool_xml.c — the JSON → <pool> builder for every
 * pool type (what it emits, per-type defaults, nothing else), every refusal (bad type,
 * keys of another type, missing required keys, unnormalised paths, bad hosts, ports,
 * IQNs, formats, auth pairs, non-boolean flags, unknown keys), the name and path
 * checks, and the reader on inline pool XML fixtures. Pure; single thread. */
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
#include "virt/virt_pool_xml.h"
#include "xml_assert.h"

static char *build_ok(const char *json)
{
    return xml_assert_build_ok(virt_pool_xml_build, json);
}

static void build_bad(const char *json, const char *contains)
{
    xml_assert_build_refused(virt_pool_xml_build, json, contains);
}

static void test_dir(void **state)
{
    char *xml = build_ok("{\"name\":\"p1\",\"type\":\"dir\",\"target_path\":\"/var/lib/vd/p1\","
                         "\"build\":true,\"start\":false,\"autostart\":true}");

    xml_assert_xpath_eq(xml, "string(/pool/@type)", "dir");
    xml_assert_xpath_eq(xml, "string(/pool/name)", "p1");
    xml_assert_xpath_eq(xml, "string(/pool/target/path)", "/var/lib/vd/p1");
    xml_assert_xpath_eq(xml, "string(count(/pool/source))", "0");
    xml_assert_xpath_eq(xml, "string(count(/pool/*))", "2");
    xml_assert_xpath_eq(xml, "string(count(//@*))", "1");
    free(xml);
}

static void test_fs(void **state)
{
    char *xml = build_ok("{\"name\":\"f\",\"type\":\"fs\",\"target_path\":\"/mnt/f\","
                         "\"source_device\":\"/dev/sdb1\",\"source_format\":\"ext4\"}");

    xml_assert_xpath_eq(xml, "string(/pool/source/device/@path)", "/dev/sdb1");
    xml_assert_xpath_eq(xml, "string(/pool/source/format/@type)", "ext4");
    xml_assert_xpath_eq(xml, "string(count(/pool/source/*))", "2");
    xml_assert_xpath_eq(xml, "string(/pool/target/path)", "/mnt/f");
    free(xml);
    xml = build_ok("{\"name\":\"f\",\"type\":\"fs\",\"target_path\":\"/mnt/f\","
                   "\"source_device\":\"/dev/disk/by-id/x-y_z\"}");
    xml_assert_xpath_eq(xml, "string(count(/pool/source/format))", "0");
    free(xml);
}

static void test_netfs(void **state)
{
    char *xml = build_ok("{\"name\":\"n\",\"type\":\"netfs\",\"target_path\":\"/mnt/n\","
                         "\"source_host\":\"nfs.example.org\",\"source_path\":\"/export/vms\"}");

    xml_assert_xpath_eq(xml, "string(/pool/source/host/@name)", "nfs.example.org");
    xml_assert_xpath_eq(xml, "string(count(/pool/source/host/@port))", "0");
    xml_assert_xpath_eq(xml, "string(/pool/source/dir/@path)", "/export/vms");
    /* the documented default */
    xml_assert_xpath_eq(xml, "string(/pool/source/format/@type)", "nfs");
    free(xml);
    xml =
        build_ok("{\"name\":\"n\",\"type\":\"netfs\",\"target_path\":\"/mnt/n\","
                 "\"source_host\":\"fd00::1\",\"source_path\":\"/e\",\"source_format\":\"cifs\"}");
    xml_assert_xpath_eq(xml, "string(/pool/source/host/@name)", "fd00::1");
    xml_assert_xpath_eq(xml, "string(/pool/source/format/@type)", "cifs");
    free(xml);
}

static void test_logical(void **state)
{
    char *xml = build_ok("{\"name\":\"l\",\"type\":\"logical\",\"source_name\":\"vg0\"}");

    xml_assert_xpath_eq(xml, "string(/pool/source/name)", "vg0");
    xml_assert_xpath_eq(xml, "string(count(/pool/target))", "0");
    free(xml);
    xml = build_ok("{\"name\":\"l\",\"type\":\"logical\",\"source_name\":\"vg0\","
                   "\"source_device\":\"/dev/sdc\",\"target_path\":\"/dev/vg0\"}");
    xml_assert_xpath_eq(xml, "string(/pool/source/device/@path)", "/dev/sdc");
    xml_assert_xpath_eq(xml, "string(/pool/target/path)", "/dev/vg0");
    free(xml);
}

static void test_iscsi(void **state)
{
    char *xml = build_ok("{\"name\":\"i\",\"type\":\"iscsi\",\"source_host\":\"192.0.2.7\","
                         "\"source_port\":3260,\"source_iqn\":\"iqn.2024-01.org.example:t1\","
                         "\"initiator_iqn\":\"iqn.2024-01.org.example:me\"}");

    xml_assert_xpath_eq(xml, "string(/pool/source/host/@name)", "192.0.2.7");
    xml_assert_xpath_eq(xml, "string(/pool/source/host/@port)", "3260");
    xml_assert_xpath_eq(xml, "string(/pool/source/device/@path)", "iqn.2024-01.org.example:t1");
    xml_assert_xpath_eq(xml, "string(/pool/source/initiator/iqn/@name)",
                        "iqn.2024-01.org.example:me");
    /* the documented default target */
    xml_assert_xpath_eq(xml, "string(/pool/target/path)", "/dev/disk/by-path");
    free(xml);
}

static void test_rbd(void **state)
{
    char *xml = build_ok("{\"name\":\"r\",\"type\":\"rbd\",\"source_host\":\"mon1\","
                         "\"source_port\":6789,\"source_name\":\"rbd\","
                         "\"auth_username\":\"libvirt\","
                         "\"auth_secret_uuid\":\"2a5b08e1-4d5e-4b1d-8a3c-3c1f9d7e6b01\"}");

    xml_assert_xpath_eq(xml, "string(/pool/source/name)", "rbd");
    xml_assert_xpath_eq(xml, "string(/pool/source/host/@port)", "6789");
    xml_assert_xpath_eq(xml, "string(/pool/source/auth/@type)", "ceph");
    xml_assert_xpath_eq(xml, "string(/pool/source/auth/@username)", "libvirt");
    xml_assert_xpath_eq(xml, "string(/pool/source/auth/secret/@uuid)",
                        "2a5b08e1-4d5e-4b1d-8a3c-3c1f9d7e6b01");
    xml_assert_xpath_eq(xml, "string(count(/pool/target))", "0");
    free(xml);
}

static void test_refusals(void **state)
{
    build_bad("{\"type\":\"dir\",\"target_path\":\"/x\"}", "name");
    build_bad("{\"name\":\"\",\"type\":\"dir\",\"target_path\":\"/x\"}", "name");
    build_bad("{\"name\":\"-p\",\"type\":\"dir\",\"target_path\":\"/x\"}", "name");
    build_bad("{\"name\":\"a/b\",\"type\":\"dir\",\"target_path\":\"/x\"}", "name");
    build_bad("{\"name\":7,\"type\":\"dir\",\"target_path\":\"/x\"}", "string");
    build_bad("{\"name\":\"p\",\"type\":\"zfs\",\"target_path\":\"/x\"}", "type");
    build_bad("{\"name\":\"p\",\"target_path\":\"/x\"}", "type");
    build_bad("{\"name\":\"p\",\"type\":\"dir\"}", "target_path");
    build_bad("{\"name\":\"p\",\"type\":\"dir\",\"target_path\":\"x/y\"}", "target_path");
    build_bad("{\"name\":\"p\",\"type\":\"dir\",\"target_path\":\"/x/../y\"}", "target_path");
    build_bad("{\"name\":\"p\",\"type\":\"dir\",\"target_path\":\"/x//y\"}", "target_path");
    build_bad("{\"name\":\"p\",\"type\":\"dir\",\"target_path\":\"/x/\"}", "target_path");
    build_bad("{\"name\":\"p\",\"type\":\"dir\",\"target_path\":\"/\"}", "target_path");
    build_bad("{\"name\":\"p\",\"type\":\"dir\",\"target_path\":\"/x y\"}", "target_path");
    build_bad("{\"name\":\"p\",\"type\":\"dir\",\"target_path\":\"/x\\u0000y\"}", "string");
    build_bad("{\"name\":\"p\",\"type\":\"dir\",\"target_path\":\"/x\",\"source_host\":\"h\"}",
              "not valid for a dir pool");
    build_bad("{\"name\":\"p\",\"type\":\"dir\",\"target_path\":\"/x\",\"bogus\":1}", "unknown");
    build_bad("{\"name\":\"p\",\"type\":\"dir\",\"target_path\":\"/x\",\"start\":\"yes\"}",
              "true or false");
    build_bad("{\"name\":\"p\",\"type\":\"fs\",\"target_path\":\"/x\"}", "source_device");
    build_bad(
        "{\"name\":\"p\",\"type\":\"fs\",\"target_path\":\"/x\",\"source_device\":\"/etc/x\"}",
        "/dev/");
    build_bad("{\"name\":\"p\",\"type\":\"fs\",\"target_path\":\"/x\",\"source_device\":\"/dev/a\","
              "\"source_format\":\"nfs\"}",
              "source_format");
    build_bad("{\"name\":\"p\",\"type\":\"netfs\",\"target_path\":\"/x\",\"source_host\":\"h\"}",
              "source_path");
    build_bad("{\"name\":\"p\",\"type\":\"netfs\",\"target_path\":\"/x\",\"source_host\":\"h\","
              "\"source_path\":\"/e\",\"source_format\":\"ext4\"}",
              "source_format");
    build_bad("{\"name\":\"p\",\"type\":\"netfs\",\"target_path\":\"/x\",\"source_host\":\"a b\","
              "\"source_path\":\"/e\"}",
              "source_host");
    build_bad("{\"name\":\"p\",\"type\":\"netfs\",\"target_path\":\"/x\",\"source_host\":\"-h\","
              "\"source_path\":\"/e\"}",
              "source_host");
    /* host names: every label 1-63 of [A-Za-z0-9-], no '-' at either end, <= 253 in all */
    {
        static const char *const bad_hosts[] = {
            "nas.example..com",
            "nas.",
            ".nas",
            "nas-.lan",
            "nas.-lan",
            "n_s",
            "nas:2049",
            "1.2.3.4.",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.lan", /* 64 */
            "fd00::1::2",
        };
        char body[512];

        for (size_t i = 0; i < sizeof(bad_hosts) / sizeof(bad_hosts[0]); i++) {
            snprintf(body, sizeof(body),
                     "{\"name\":\"p\",\"type\":\"netfs\",\"target_path\":\"/x\","
                     "\"source_host\":\"%s\",\"source_path\":\"/e\"}",
                     bad_hosts[i]);
            build_bad(body, "is not a host name or an IP address");
        }
        static const char *const good_hosts[] = {
            "nas",
            "nas-1.Example.com",
            "192.0.2.7",
            "fd00::1",
            "1e100.net",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.lan", /* 63 */
        };
        for (size_t i = 0; i < sizeof(good_hosts) / sizeof(good_hosts[0]); i++) {
            snprintf(body, sizeof(body),
                     "{\"name\":\"p\",\"type\":\"netfs\",\"target_path\":\"/x\","
                     "\"source_host\":\"%s\",\"source_path\":\"/e\"}",
                     good_hosts[i]);
            free(build_ok(body));
        }
    }
    build_bad("{\"name\":\"p\",\"type\":\"netfs\",\"target_path\":\"/x\",\"source_host\":\"h\","
              "\"source_path\":\"/e\",\"source_port\":2049}",
              "not valid for a netfs pool");
    build_bad("{\"name\":\"p\",\"type\":\"logical\"}", "source_name");
    build_bad("{\"name\":\"p\",\"type\":\"logical\",\"source_name\":\"vg 0\"}", "source_name");
    /* a block pool's volumes are <target>/<name>: the target must be a /dev directory */
    build_bad("{\"name\":\"p\",\"type\":\"logical\",\"source_name\":\"vg0\","
              "\"target_path\":\"/etc\"}",
              "under /dev/");
    build_bad("{\"name\":\"p\",\"type\":\"iscsi\",\"source_host\":\"h\",\"source_iqn\":\"iqn.x\","
              "\"target_path\":\"/var/lib/x\"}",
              "under /dev/");
    build_bad("{\"name\":\"p\",\"type\":\"iscsi\",\"source_host\":\"h\"}", "source_iqn");
    build_bad("{\"name\":\"p\",\"type\":\"iscsi\",\"source_host\":\"h\",\"source_iqn\":\"foo\"}",
              "IQN");
    build_bad("{\"name\":\"p\",\"type\":\"iscsi\",\"source_host\":\"h\",\"source_iqn\":\"iqn.x\","
              "\"source_port\":0}",
              "source_port");
    build_bad("{\"name\":\"p\",\"type\":\"iscsi\",\"source_host\":\"h\",\"source_iqn\":\"iqn.x\","
              "\"source_port\":\"3260\"}",
              "source_port");
    build_bad("{\"name\":\"p\",\"type\":\"rbd\",\"source_host\":\"h\",\"source_name\":\"r\","
              "\"target_path\":\"/x\"}",
              "not valid for a rbd pool");
    build_bad("{\"name\":\"p\",\"type\":\"rbd\",\"source_host\":\"h\",\"source_name\":\"r\","
              "\"auth_username\":\"u\"}",
              "go together");
    build_bad("{\"name\":\"p\",\"type\":\"rbd\",\"source_host\":\"h\",\"source_name\":\"r\","
              "\"auth_username\":\"u\",\"auth_secret_uuid\":\"nope\"}",
              "UUID");
    build_bad("[1]", "object");
}

static void test_names_and_paths(void **state)
{
    assert_true(virt_pool_xml_name_valid("a"));
    assert_true(virt_pool_xml_name_valid("default-pool.2_x"));
    assert_true(virt_pool_xml_name_valid("a2345678901234567890123456789012345678901234567890"));
    assert_false(virt_pool_xml_name_valid("a23456789012345678901234567890123456789012345678901"));
    assert_false(virt_pool_xml_name_valid(""));
    assert_false(virt_pool_xml_name_valid(NULL));
    assert_false(virt_pool_xml_name_valid(".a"));
    assert_false(virt_pool_xml_name_valid("_a"));
    assert_false(virt_pool_xml_name_valid("a b"));
    assert_false(virt_pool_xml_name_valid("a/b"));

    assert_true(virt_pool_xml_path_valid("/a"));
    assert_true(virt_pool_xml_path_valid("/var/lib/libvirt/images"));
    assert_true(virt_pool_xml_path_valid("/a/.b/c..d/..e"));
    assert_false(virt_pool_xml_path_valid("/"));
    assert_false(virt_pool_xml_path_valid(""));
    assert_false(virt_pool_xml_path_valid("a"));
    assert_false(virt_pool_xml_path_valid("/a/"));
    assert_false(virt_pool_xml_path_valid("//a"));
    assert_false(virt_pool_xml_path_valid("/a/./b"));
    assert_false(virt_pool_xml_path_valid("/a/."));
    assert_false(virt_pool_xml_path_valid("/a/.."));
    assert_false(virt_pool_xml_path_valid("/../a"));
    assert_false(virt_pool_xml_path_valid("/a\nb"));
    assert_false(virt_pool_xml_path_valid("/a'b"));
}

static const char *member(struct json_object *obj, const char *path)
{
    struct json_object *v = obj;
    char buf[64], *save = NULL, *tok;

    snprintf(buf, sizeof(buf), "%s", path);
    for (tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
        if (!json_object_object_get_ex(v, tok, &v))
            return NULL;
    return json_object_get_string(v);
}

static void test_read(void **state)
{
    struct json_object *obj;
    struct app_error err;

    /* what the test driver returns for default-pool */
    obj = xml_assert_read_ok(
        virt_pool_xml_read,
        "<pool type='dir'><name>default-pool</name><uuid>dfe224cb-28fb-8dd0-c4b2-"
        "64eb3f0f4566</uuid><capacity unit='bytes'>107374182400</capacity><source>"
        "</source><target><path>/default-pool</path></target></pool>");
    assert_string_equal(member(obj, "type"), "dir");
    assert_string_equal(member(obj, "target_path"), "/default-pool");
    assert_int_equal(json_object_object_length(json_object_object_get(obj, "source")), 0);
    assert_int_equal(json_object_object_length(obj), 3);
    json_object_put(obj);

    obj = xml_assert_read_ok(
        virt_pool_xml_read,
        "<pool type='netfs'><name>n</name><source><host name='nfs.example'/>"
        "<dir path='/export'/><format type='nfs'/></source><target><path>/mnt/n</path>"
        "</target></pool>");
    assert_string_equal(member(obj, "source.host"), "nfs.example");
    assert_string_equal(member(obj, "source.path"), "/export");
    assert_string_equal(member(obj, "source.format"), "nfs");
    json_object_put(obj);

    obj = xml_assert_read_ok(
        virt_pool_xml_read,
        "<pool type='iscsi'><name>i</name><source><host name='h' port='3260'/>"
        "<device path='iqn.2024-01.org.example:t'/><initiator><iqn name='iqn.x:me'/>"
        "</initiator></source><target><path>/dev/disk/by-path</path></target></pool>");
    assert_string_equal(member(obj, "source.iqn"), "iqn.2024-01.org.example:t");
    assert_null(member(obj, "source.device"));
    assert_int_equal(
        json_object_get_int(json_object_object_get(json_object_object_get(obj, "source"), "port")),
        3260);
    assert_string_equal(member(obj, "source.initiator_iqn"), "iqn.x:me");
    json_object_put(obj);

    obj = xml_assert_read_ok(
        virt_pool_xml_read,
        "<pool type='rbd'><name>r</name><source><name>rbd</name><host name='mon'/>"
        "<auth type='ceph' username='admin'><secret uuid='2a5b08e1-4d5e-4b1d-8a3c-"
        "3c1f9d7e6b01'/></auth></source></pool>");
    assert_string_equal(member(obj, "source.name"), "rbd");
    assert_string_equal(member(obj, "source.auth_username"), "admin");
    assert_string_equal(member(obj, "source.auth_secret_uuid"),
                        "2a5b08e1-4d5e-4b1d-8a3c-3c1f9d7e6b01");
    assert_true(json_object_object_get_ex(obj, "target_path", NULL));
    assert_null(json_object_object_get(obj, "target_path"));
    json_object_put(obj);

    obj = xml_assert_read_ok(
        virt_pool_xml_read,
        "<pool type='fs'><name>f</name><source><device path='/dev/sdb1'/><format "
        "type='auto'/></source><target><path>/mnt/f</path></target></pool>");
    assert_string_equal(member(obj, "source.device"), "/dev/sdb1");
    assert_string_equal(member(obj, "source.format"), "auto");
    json_object_put(obj);

    /* malformed or not a pool: 502, obj untouched */
    obj = json_object_new_object();
    app_error_clear(&err);
    assert_int_equal(virt_pool_xml_read("<pool", obj, &err), -1);
    assert_int_equal(err.status, 502);
    assert_int_equal(virt_pool_xml_read("<volume/>", obj, &err), -1);
    assert_int_equal(virt_pool_xml_read(NULL, obj, &err), -1);
    assert_int_equal(json_object_object_length(obj), 0);
    json_object_put(obj);
}

/* The builder's output reads back as what was asked (round trip). */
static void test_round_trip(void **state)
{
    char *xml = build_ok("{\"name\":\"n\",\"type\":\"netfs\",\"target_path\":\"/mnt/n\","
                         "\"source_host\":\"h.example\",\"source_path\":\"/e\","
                         "\"source_format\":\"glusterfs\"}");
    struct json_object *obj = xml_assert_read_ok(virt_pool_xml_read, xml);

    assert_string_equal(member(obj, "type"), "netfs");
    assert_string_equal(member(obj, "target_path"), "/mnt/n");
    assert_string_equal(member(obj, "source.host"), "h.example");
    assert_string_equal(member(obj, "source.path"), "/e");
    assert_string_equal(member(obj, "source.format"), "glusterfs");
    json_object_put(obj);
    free(xml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dir),      cmocka_unit_test(test_fs),
        cmocka_unit_test(test_netfs),    cmocka_unit_test(test_logical),
        cmocka_unit_test(test_iscsi),    cmocka_unit_test(test_rbd),
        cmocka_unit_test(test_refusals), cmocka_unit_test(test_names_and_paths),
        cmocka_unit_test(test_read),     cmocka_unit_test(test_round_trip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
