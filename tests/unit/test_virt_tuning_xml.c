/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_tuning_xml: server/virt/virt_tuning_xml.c — the tuning members of PATCH:
 * the cpuset parser (syntax, exclusions, bounds), every check with the field it names
 * (a host CPU, NUMA node or page size the host lacks; ranges; unknown members; types),
 * the edits of a definition (tests/fixtures/tuning/plain.xml: every member added;
 * tuned.xml: every member removed or changed, what the request does not name kept), the
 * refusals apply makes against the definition (vCPU ids, disk targets; nothing edited),
 * and the reader on libvirt's own forms (units, unlimited, extra elements). Pure; single
 * thread. */
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
#include "virt/virt_tuning_xml.h"
#include "virt/virt_xml.h"
#include "xml_assert.h"

#define FIXTURES VIRTDECK_SOURCE_DIR "/tests/fixtures/tuning/"

static const long long test_pages[] = {2048, 1048576};
static const struct virt_host_cpus test_host = {8, 2, test_pages, 2};

static xmlDocPtr load(const char *name)
{
    char path[512], *text;
    struct app_error err;
    xmlDocPtr doc;

    snprintf(path, sizeof(path), FIXTURES "%s", name);
    text = xml_assert_read_file(path);
    doc = virt_xml_read(text, "domain", &err);
    assert_non_null(doc);
    free(text);
    return doc;
}

/* The tuning members read from doc, as compact JSON (caller frees). */
static char *read_json(xmlDocPtr doc)
{
    struct json_object *config = json_object_new_object();
    struct app_error err;
    char *ret;

    app_error_clear(&err);
    assert_int_equal(virt_tuning_xml_read(xmlDocGetRootElement(doc), config, &err), 0);
    ret = strdup(json_object_to_json_string_ext(config, JSON_C_TO_STRING_PLAIN));
    json_object_put(config);
    return ret;
}

static void assert_check_ok(const char *json)
{
    struct json_object *patch = xml_assert_parse(json);
    struct app_error err;

    app_error_clear(&err);
    if (virt_tuning_xml_check(patch, &test_host, &err) != 0)
        fail_msg("%s refused: %s (%s)", json, err.message, err.field);
    json_object_put(patch);
}

/* check refuses json with 400 at field. */
static void assert_check_refused(const char *json, const char *field)
{
    struct json_object *patch = xml_assert_parse(json);
    struct app_error err;

    app_error_clear(&err);
    assert_int_equal(virt_tuning_xml_check(patch, &test_host, &err), -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.code, APP_ERR_BAD_REQUEST);
    if (strcmp(err.field, field) != 0)
        fail_msg("%s: field %s, want %s (%s)", json, err.field, field, err.message);
    assert_true(err.message[0] != '\0');
    json_object_put(patch);
}

/* Checks and applies json to fixture; returns the edited document (caller frees). */
static xmlDocPtr apply_ok(const char *fixture, const char *json)
{
    struct json_object *patch = xml_assert_parse(json);
    xmlDocPtr doc = load(fixture);
    struct app_error err;

    app_error_clear(&err);
    if (virt_tuning_xml_check(patch, &test_host, &err) != 0 ||
        virt_tuning_xml_apply(xmlDocGetRootElement(doc), patch, &err) != 0)
        fail_msg("%s refused: %s (%s)", json, err.message, err.field);
    json_object_put(patch);
    return doc;
}

static char *doc_xml(xmlDocPtr doc)
{
    return virt_xml_doc_string(doc, false);
}

/* An XPath expression and the string it must give. */
struct xpath_fact {
    const char *expr, *want;
};

/* Every fact of facts (n) holds in doc. */
static void assert_facts(xmlDocPtr doc, const struct xpath_fact *facts, size_t n)
{
    char *xml = doc_xml(doc);

    for (size_t i = 0; i < n; i++)
        xml_assert_xpath_eq(xml, facts[i].expr, facts[i].want);
    free(xml);
}

#define FACTS(doc, ...)                                                                            \
    do {                                                                                           \
        const struct xpath_fact facts_[] = {__VA_ARGS__};                                          \
        assert_facts(doc, facts_, sizeof(facts_) / sizeof(facts_[0]));                             \
    } while (0)

/* ---- members and cpusets -------------------------------------------------------------- */

static void test_member(void **state)
{
    static const char *const yes[] = {"vcpupin",    "emulatorpin", "numatune",
                                      "numa_cells", "hugepages",   "cputune",
                                      "blkiotune",  "iotune",      "memtune"};

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        assert_true(virt_tuning_member(yes[i]));
    assert_false(virt_tuning_member("vcpus"));
    assert_false(virt_tuning_member("max_vcpus"));
    assert_false(virt_tuning_member("VCPUPIN"));
    assert_false(virt_tuning_member(""));
    assert_false(virt_tuning_member(NULL));
}

static void test_cpuset(void **state)
{
    unsigned char map[2];
    long long bad = -1;

    assert_int_equal(virt_tuning_xml_cpuset("0-3,^2,5", 8, map, sizeof(map), NULL), 0);
    assert_int_equal(map[0], 0x2b); /* 0, 1, 3, 5 */
    assert_int_equal(map[1], 0);
    assert_int_equal(virt_tuning_xml_cpuset("^1,0-1", 16, map, sizeof(map), NULL), 0);
    assert_int_equal(map[0], 0x03); /* in order: the later range adds 1 back */
    assert_int_equal(virt_tuning_xml_cpuset("15", 16, map, sizeof(map), NULL), 0);
    assert_int_equal(map[1], 0x80);
    assert_int_equal(virt_tuning_xml_cpuset("7", 8, NULL, 0, NULL), 0);
    /* bounds */
    assert_int_equal(virt_tuning_xml_cpuset("8", 8, NULL, 0, &bad), -2);
    assert_int_equal(bad, 8);
    assert_int_equal(virt_tuning_xml_cpuset("2-40", 8, NULL, 0, &bad), -2);
    assert_int_equal(bad, 8);
    assert_int_equal(virt_tuning_xml_cpuset("0,99999", 8, NULL, 0, &bad), -2);
    assert_int_equal(bad, 99999);
    /* syntax and empty sets */
    static const char *const wrong[] = {"",    "a",     "1-",     "3-1", "^",    "1,,2",    " 1",
                                        "1 ",  "-1",    "1,",     "^2",  "0,^0", "^1-2",    "+1",
                                        "0x1", "1-2-3", "100000", "1;2", "1\n",  "0-1,^0-1"};

    for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++)
        if (virt_tuning_xml_cpuset(wrong[i], 8, NULL, 0, NULL) != -1)
            fail_msg("cpuset \"%s\" accepted", wrong[i]);
    assert_int_equal(virt_tuning_xml_cpuset(NULL, 8, NULL, 0, NULL), -1);
    assert_int_equal(virt_tuning_xml_cpuset("0", 0, NULL, 0, NULL), -1);
}

/* ---- checks --------------------------------------------------------------------------- */

static const char *const full_patch =
    "{\"vcpupin\":[{\"vcpu\":0,\"cpuset\":\"0-3,^2\"},{\"vcpu\":1,\"cpuset\":\"7\"}],"
    "\"emulatorpin\":\"4-5\","
    "\"numatune\":{\"mode\":\"preferred\",\"nodeset\":\"1\"},"
    "\"numa_cells\":[{\"id\":1,\"cpus\":\"2-3\",\"memory_mib\":512},"
    "{\"id\":0,\"cpus\":\"0,1\",\"memory_mib\":512}],"
    "\"hugepages\":{\"size_kib\":2048},"
    "\"cputune\":{\"shares\":512,\"period\":50000,\"quota\":25000},"
    "\"blkiotune\":{\"weight\":300},"
    "\"iotune\":[{\"target\":\"vda\",\"total_iops_sec\":1000,\"read_iops_sec\":0,"
    "\"write_iops_sec\":0,\"total_bytes_sec\":0,\"read_bytes_sec\":1048576,"
    "\"write_bytes_sec\":2097152}],"
    "\"memtune\":{\"hard_limit_mib\":2048,\"soft_limit_mib\":1024,\"swap_hard_limit_mib\":4096},"
    "\"name\":\"ignored here\",\"vcpus\":\"B checks its own\"}";

static void test_check_ok(void **state)
{
    assert_check_ok(full_patch);
    assert_check_ok("{}");
    assert_check_ok("{\"vcpupin\":[],\"numa_cells\":[],\"iotune\":[]}");
    assert_check_ok("{\"emulatorpin\":null,\"numatune\":null,\"hugepages\":null,\"cputune\":null,"
                    "\"blkiotune\":null,\"memtune\":null}");
    assert_check_ok(
        "{\"cputune\":{\"shares\":null,\"quota\":-1},\"memtune\":{\"soft_limit_mib\":null}}");
    assert_check_ok("{\"vcpupin\":[{\"vcpu\":3,\"cpuset\":\"0\"}],\"max_vcpus\":4}");
    assert_check_ok("{\"numatune\":{\"mode\":\"restrictive\",\"nodeset\":\"0-1\"}}");
    assert_check_ok("{\"hugepages\":{\"size_kib\":1048576}}");
    assert_check_ok(
        "{\"iotune\":[{\"target\":\"vda\"},{\"target\":\"sda\",\"write_iops_sec\":5}]}");
}

static void test_check_host(void **state)
{
    /* the host has CPUs 0-7, NUMA nodes 0-1, huge pages of 2 MiB and 1 GiB */
    assert_check_refused(
        "{\"vcpupin\":[{\"vcpu\":0,\"cpuset\":\"0\"},{\"vcpu\":1,\"cpuset\":\"6-8\"}]}",
        "vcpupin[1].cpuset");
    assert_check_refused("{\"vcpupin\":[{\"vcpu\":0,\"cpuset\":\"64\"}]}", "vcpupin[0].cpuset");
    assert_check_refused("{\"emulatorpin\":\"8\"}", "emulatorpin");
    assert_check_refused("{\"numatune\":{\"mode\":\"strict\",\"nodeset\":\"2\"}}",
                         "numatune.nodeset");
    assert_check_refused("{\"hugepages\":{\"size_kib\":4}}", "hugepages.size_kib");
    assert_check_refused("{\"hugepages\":{\"size_kib\":4096}}", "hugepages.size_kib");
}

static void test_check_host_range(void **state)
{
    struct json_object *patch = xml_assert_parse("{\"vcpupin\":[{\"vcpu\":0,\"cpuset\":\"9\"}]}");
    struct app_error err;

    app_error_clear(&err);
    assert_int_equal(virt_tuning_xml_check(patch, &test_host, &err), -1);
    assert_true(err.has_limits);
    assert_int_equal(err.min, 0);
    assert_int_equal(err.max, 7);
    assert_non_null(strstr(err.message, "9"));
    json_object_put(patch);
}

static void test_check_vcpus(void **state)
{
    assert_check_refused("{\"max_vcpus\":2,\"vcpupin\":[{\"vcpu\":2,\"cpuset\":\"0\"}]}",
                         "vcpupin[0].vcpu");
    assert_check_refused("{\"vcpupin\":[{\"vcpu\":-1,\"cpuset\":\"0\"}]}", "vcpupin[0].vcpu");
    assert_check_refused(
        "{\"vcpupin\":[{\"vcpu\":1,\"cpuset\":\"0\"},{\"vcpu\":1,\"cpuset\":\"1\"}]}",
        "vcpupin[1].vcpu");
    assert_check_refused(
        "{\"max_vcpus\":2,\"numa_cells\":[{\"id\":0,\"cpus\":\"0-2\",\"memory_mib\":1}]}",
        "numa_cells[0].cpus");
}

static void test_check_shapes(void **state)
{
    assert_check_refused("{\"vcpupin\":{}}", "vcpupin");
    assert_check_refused("{\"vcpupin\":null}", "vcpupin");
    assert_check_refused("{\"vcpupin\":[3]}", "vcpupin[0]");
    assert_check_refused("{\"vcpupin\":[{\"vcpu\":0}]}", "vcpupin[0].cpuset");
    assert_check_refused("{\"vcpupin\":[{\"cpuset\":\"0\"}]}", "vcpupin[0].vcpu");
    assert_check_refused("{\"vcpupin\":[{\"vcpu\":\"0\",\"cpuset\":\"0\"}]}", "vcpupin[0].vcpu");
    assert_check_refused("{\"vcpupin\":[{\"vcpu\":0.5,\"cpuset\":\"0\"}]}", "vcpupin[0].vcpu");
    assert_check_refused("{\"vcpupin\":[{\"vcpu\":0,\"cpuset\":0}]}", "vcpupin[0].cpuset");
    assert_check_refused("{\"vcpupin\":[{\"vcpu\":0,\"cpuset\":\"0\",\"x\":1}]}", "vcpupin[0].x");
    assert_check_refused("{\"vcpupin\":[{\"vcpu\":0,\"cpuset\":\"0-\"}]}", "vcpupin[0].cpuset");
    assert_check_refused("{\"emulatorpin\":\"\"}", "emulatorpin");
    assert_check_refused("{\"emulatorpin\":[0]}", "emulatorpin");
    assert_check_refused("{\"numatune\":\"strict\"}", "numatune");
    assert_check_refused("{\"numatune\":{\"nodeset\":\"0\"}}", "numatune.mode");
    assert_check_refused("{\"numatune\":{\"mode\":\"auto\",\"nodeset\":\"0\"}}", "numatune.mode");
    assert_check_refused("{\"numatune\":{\"mode\":\"strict\"}}", "numatune.nodeset");
    assert_check_refused(
        "{\"numatune\":{\"mode\":\"strict\",\"nodeset\":\"0\",\"placement\":\"auto\"}}",
        "numatune.placement");
    assert_check_refused("{\"numa_cells\":null}", "numa_cells");
    assert_check_refused("{\"numa_cells\":[{\"id\":1,\"cpus\":\"0\",\"memory_mib\":1}]}",
                         "numa_cells[0].id");
    assert_check_refused("{\"numa_cells\":[{\"id\":0,\"cpus\":\"0\",\"memory_mib\":1},"
                         "{\"id\":0,\"cpus\":\"1\",\"memory_mib\":1}]}",
                         "numa_cells[1].id");
    assert_check_refused("{\"numa_cells\":[{\"id\":0,\"cpus\":\"0-1\",\"memory_mib\":1},"
                         "{\"id\":1,\"cpus\":\"1\",\"memory_mib\":1}]}",
                         "numa_cells[1].cpus");
    assert_check_refused("{\"numa_cells\":[{\"id\":0,\"cpus\":\"0\",\"memory_mib\":0}]}",
                         "numa_cells[0].memory_mib");
    assert_check_refused("{\"hugepages\":{}}", "hugepages.size_kib");
    assert_check_refused("{\"hugepages\":{\"size_kib\":\"2048\"}}", "hugepages.size_kib");
    assert_check_refused("{\"cputune\":{\"shares\":1}}", "cputune.shares");
    assert_check_refused("{\"cputune\":{\"shares\":262145}}", "cputune.shares");
    assert_check_refused("{\"cputune\":{\"period\":999}}", "cputune.period");
    assert_check_refused("{\"cputune\":{\"quota\":0}}", "cputune.quota");
    assert_check_refused("{\"cputune\":{\"quota\":-2}}", "cputune.quota");
    assert_check_refused("{\"cputune\":{\"weight\":1}}", "cputune.weight");
    assert_check_refused("{\"cputune\":[]}", "cputune");
    assert_check_refused("{\"blkiotune\":{\"weight\":99}}", "blkiotune.weight");
    assert_check_refused("{\"blkiotune\":{\"weight\":1001}}", "blkiotune.weight");
    assert_check_refused("{\"blkiotune\":{}}", "blkiotune.weight");
    assert_check_refused("{\"iotune\":[{}]}", "iotune[0].target");
    assert_check_refused("{\"iotune\":[{\"target\":\"\"}]}", "iotune[0].target");
    assert_check_refused("{\"iotune\":[{\"target\":\"vda\",\"read_iops_sec\":-1}]}",
                         "iotune[0].read_iops_sec");
    assert_check_refused(
        "{\"iotune\":[{\"target\":\"vda\",\"total_iops_sec\":1,\"read_iops_sec\":1}]}",
        "iotune[0].total_iops_sec");
    assert_check_refused(
        "{\"iotune\":[{\"target\":\"vda\",\"total_bytes_sec\":1,\"write_bytes_sec\":1}]}",
        "iotune[0].total_bytes_sec");
    assert_check_refused("{\"iotune\":[{\"target\":\"vda\"},{\"target\":\"vda\"}]}",
                         "iotune[1].target");
    assert_check_refused("{\"iotune\":[{\"target\":\"vda\",\"size_iops_sec\":1}]}",
                         "iotune[0].size_iops_sec");
    assert_check_refused("{\"memtune\":{\"hard_limit_mib\":0}}", "memtune.hard_limit_mib");
    assert_check_refused("{\"memtune\":{\"hard_limit_mib\":2048,\"swap_hard_limit_mib\":1024}}",
                         "memtune.swap_hard_limit_mib");
    assert_check_refused("{\"memtune\":{\"min_guarantee_mib\":1}}", "memtune.min_guarantee_mib");
}

/* ---- apply and read ------------------------------------------------------------------- */

static void test_apply_full(void **state)
{
    xmlDocPtr doc = apply_ok("plain.xml", full_patch);
    char *json = read_json(doc);

    FACTS(doc, {"string(/domain/cputune/vcpupin[1]/@cpuset)", "0-1,3"},
          {"string(/domain/cputune/vcpupin[2]/@vcpu)", "1"},
          {"string(/domain/cputune/emulatorpin/@cpuset)", "4-5"},
          {"string(/domain/cputune/shares)", "512"},
          {"string(/domain/numatune/memory/@mode)", "preferred"},
          {"string(/domain/cpu/@mode)", "host-passthrough"},
          {"string(/domain/cpu/numa/cell[1]/@id)", "0"},
          {"string(/domain/cpu/numa/cell[1]/@cpus)", "0-1"},
          {"string(/domain/cpu/numa/cell[2]/@memory)", "524288"},
          {"string(/domain/cpu/numa/cell[2]/@unit)", "KiB"},
          {"string(/domain/memoryBacking/hugepages/page/@size)", "2048"},
          {"string(/domain/blkiotune/weight)", "300"},
          {"string(count(/domain/devices/disk[1]/iotune/*))", "3"},
          {"string(/domain/devices/disk[1]/iotune/write_bytes_sec)", "2097152"},
          {"string(count(/domain/devices/disk[2]/iotune))", "0"},
          {"string(/domain/memtune/swap_hard_limit)", "4194304"},
          {"string(/domain/memtune/swap_hard_limit/@unit)", "KiB"});
    assert_string_equal(
        json,
        "{\"vcpupin\":[{\"vcpu\":0,\"cpuset\":\"0-1,3\"},{\"vcpu\":1,\"cpuset\":\"7\"}],"
        "\"emulatorpin\":\"4-5\",\"cputune\":{\"shares\":512,\"period\":50000,\"quota\":25000},"
        "\"numatune\":{\"mode\":\"preferred\",\"nodeset\":\"1\"},"
        "\"numa_cells\":[{\"id\":0,\"cpus\":\"0-1\",\"memory_mib\":512},"
        "{\"id\":1,\"cpus\":\"2-3\",\"memory_mib\":512}],"
        "\"hugepages\":{\"size_kib\":2048},\"blkiotune\":{\"weight\":300},"
        "\"iotune\":[{\"target\":\"vda\",\"total_iops_sec\":1000,\"read_iops_sec\":0,"
        "\"write_iops_sec\":0,\"total_bytes_sec\":0,\"read_bytes_sec\":1048576,"
        "\"write_bytes_sec\":2097152},{\"target\":\"sda\",\"total_iops_sec\":0,"
        "\"read_iops_sec\":0,\"write_iops_sec\":0,\"total_bytes_sec\":0,\"read_bytes_sec\":0,"
        "\"write_bytes_sec\":0}],"
        "\"memtune\":{\"hard_limit_mib\":2048,\"soft_limit_mib\":1024,"
        "\"swap_hard_limit_mib\":4096}}");
    free(json);
    xmlFreeDoc(doc);
}

static void test_read_plain(void **state)
{
    xmlDocPtr doc = load("plain.xml");
    char *json = read_json(doc);

    assert_string_equal(json,
                        "{\"vcpupin\":[],\"emulatorpin\":null,\"cputune\":null,\"numatune\":null,"
                        "\"numa_cells\":[],\"hugepages\":null,\"blkiotune\":null,"
                        "\"iotune\":[{\"target\":\"vda\",\"total_iops_sec\":0,\"read_iops_sec\":0,"
                        "\"write_iops_sec\":0,\"total_bytes_sec\":0,\"read_bytes_sec\":0,"
                        "\"write_bytes_sec\":0},{\"target\":\"sda\",\"total_iops_sec\":0,"
                        "\"read_iops_sec\":0,\"write_iops_sec\":0,\"total_bytes_sec\":0,"
                        "\"read_bytes_sec\":0,\"write_bytes_sec\":0}],\"memtune\":null}");
    free(json);
    xmlFreeDoc(doc);
}

static void test_read_tuned(void **state)
{
    xmlDocPtr doc = load("tuned.xml");
    char *json = read_json(doc);

    /* GiB units, an unlimited swap limit (null), iotune members QEMU has beyond ours */
    assert_string_equal(
        json, "{\"vcpupin\":[{\"vcpu\":0,\"cpuset\":\"0-1\"},{\"vcpu\":1,\"cpuset\":\"2,4\"}],"
              "\"emulatorpin\":\"3\",\"cputune\":{\"shares\":2048,\"period\":100000,\"quota\":-1},"
              "\"numatune\":{\"mode\":\"interleave\",\"nodeset\":\"0-1\"},"
              "\"numa_cells\":[{\"id\":0,\"cpus\":\"0\",\"memory_mib\":1024},"
              "{\"id\":1,\"cpus\":\"1\",\"memory_mib\":1024}],"
              "\"hugepages\":{\"size_kib\":1048576},\"blkiotune\":{\"weight\":800},"
              "\"iotune\":[{\"target\":\"vda\",\"total_iops_sec\":0,\"read_iops_sec\":400,"
              "\"write_iops_sec\":200,\"total_bytes_sec\":10485760,\"read_bytes_sec\":0,"
              "\"write_bytes_sec\":0},{\"target\":\"vdb\",\"total_iops_sec\":0,\"read_iops_sec\":0,"
              "\"write_iops_sec\":0,\"total_bytes_sec\":0,\"read_bytes_sec\":0,"
              "\"write_bytes_sec\":0}],"
              "\"memtune\":{\"hard_limit_mib\":3072,\"soft_limit_mib\":null,"
              "\"swap_hard_limit_mib\":null}}");
    free(json);
    xmlFreeDoc(doc);
}

static void test_apply_remove(void **state)
{
    xmlDocPtr doc = apply_ok("tuned.xml", "{\"vcpupin\":[],\"emulatorpin\":null,\"numatune\":null,"
                                          "\"numa_cells\":[],\"hugepages\":null,\"cputune\":null,"
                                          "\"blkiotune\":null,\"memtune\":null,"
                                          "\"iotune\":[{\"target\":\"vda\"}]}");
    char *json = read_json(doc);

    FACTS(doc, {"string(count(/domain/cputune))", "0"}, {"string(count(/domain/numatune))", "0"},
          {"string(count(/domain/memtune/*))", "1"}, {"string(count(/domain/cpu/numa))", "0"});
    /* what is not ours stays: min_guarantee, the CPU model, <nosharepages/>, a device's
     * blkio weight */
    FACTS(doc, {"string(/domain/memtune/min_guarantee)", "1024"},
          {"string(/domain/cpu/model)", "qemu64"},
          {"string(count(/domain/memoryBacking/nosharepages))", "1"},
          {"string(count(/domain/memoryBacking/hugepages))", "0"},
          {"string(/domain/blkiotune/device/weight)", "500"},
          {"string(count(/domain/blkiotune/weight))", "0"},
          {"string(count(/domain/devices/disk[1]/iotune))", "0"});
    assert_non_null(strstr(json, "\"vcpupin\":[],\"emulatorpin\":null,\"cputune\":null,"
                                 "\"numatune\":null,\"numa_cells\":[],\"hugepages\":null,"
                                 "\"blkiotune\":null,"));
    assert_non_null(strstr(json, "\"memtune\":null}"));
    free(json);
    xmlFreeDoc(doc);
}

static void test_apply_partial(void **state)
{
    /* cputune: a null member is unchanged, a null object drops only the three numbers
     * (the pins stay); memtune: absent unchanged, null removes that limit */
    xmlDocPtr doc = apply_ok("tuned.xml", "{\"cputune\":{\"shares\":100,\"quota\":null},"
                                          "\"memtune\":{\"hard_limit_mib\":null,"
                                          "\"soft_limit_mib\":512}}");
    FACTS(doc, {"string(/domain/cputune/shares)", "100"},
          {"string(/domain/cputune/period)", "100000"}, {"string(/domain/cputune/quota)", "-1"},
          {"string(count(/domain/memtune/hard_limit))", "0"},
          {"string(/domain/memtune/soft_limit)", "524288"},
          {"string(/domain/memtune/min_guarantee)", "1024"},
          {"string(count(/domain/memtune/swap_hard_limit))", "1"});
    xmlFreeDoc(doc);

    doc = apply_ok("tuned.xml", "{\"cputune\":null}");
    FACTS(doc, {"string(count(/domain/cputune/*))", "3"},
          {"string(count(/domain/cputune/vcpupin))", "2"},
          {"string(count(/domain/cputune/shares))", "0"});
    xmlFreeDoc(doc);
}

/* apply refuses (400 at field) and leaves the definition as it was. */
static void assert_apply_refused(const char *fixture, const char *json, const char *field)
{
    struct json_object *patch = xml_assert_parse(json);
    xmlDocPtr doc = load(fixture);
    char *before = doc_xml(doc), *after;
    struct app_error err;

    app_error_clear(&err);
    assert_int_equal(virt_tuning_xml_check(patch, &test_host, &err), 0);
    assert_int_equal(virt_tuning_xml_apply(xmlDocGetRootElement(doc), patch, &err), -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.field, field);
    after = doc_xml(doc);
    assert_string_equal(before, after);
    free(before);
    free(after);
    json_object_put(patch);
    xmlFreeDoc(doc);
}

static void test_apply_refused(void **state)
{
    /* tuned.xml has <vcpu>2</vcpu>, disks vda and vdb; the earlier members are valid */
    assert_apply_refused("tuned.xml",
                         "{\"emulatorpin\":\"1\",\"vcpupin\":[{\"vcpu\":1,\"cpuset\":\"0\"},"
                         "{\"vcpu\":2,\"cpuset\":\"0\"}]}",
                         "vcpupin[1].vcpu");
    assert_apply_refused("tuned.xml",
                         "{\"cputune\":{\"shares\":10},\"numa_cells\":[{\"id\":0,\"cpus\":\"0-2\","
                         "\"memory_mib\":1}]}",
                         "numa_cells[0].cpus");
    assert_apply_refused("tuned.xml",
                         "{\"blkiotune\":{\"weight\":100},\"iotune\":[{\"target\":\"vdb\"},"
                         "{\"target\":\"vdc\",\"read_iops_sec\":1}]}",
                         "iotune[1].target");
    /* markup in a target only ever compares */
    assert_apply_refused("plain.xml", "{\"iotune\":[{\"target\":\"vda'/><x a='\"}]}",
                         "iotune[0].target");
}

static void test_apply_max_vcpus(void **state)
{
    /* the same PATCH raises max_vcpus (B's member): its value is the bound */
    xmlDocPtr doc = apply_ok("tuned.xml", "{\"max_vcpus\":4,\"vcpupin\":[{\"vcpu\":3,"
                                          "\"cpuset\":\"1\"}]}");
    FACTS(doc, {"string(/domain/cputune/vcpupin/@vcpu)", "3"},
          {"string(count(/domain/cputune/vcpupin))", "1"});
    xmlFreeDoc(doc);
}

static void test_read_not_domain(void **state)
{
    struct json_object *config = json_object_new_object();
    struct app_error err;
    xmlDocPtr doc = NULL;
    xmlNodePtr root = virt_xml_new_root(&doc, "network");

    app_error_clear(&err);
    assert_int_equal(virt_tuning_xml_read(root, config, &err), -1);
    assert_int_equal(err.status, 502);
    assert_int_equal(virt_tuning_xml_apply(root, config, &err), -1);
    json_object_put(config);
    xmlFreeDoc(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member),           cmocka_unit_test(test_cpuset),
        cmocka_unit_test(test_check_ok),         cmocka_unit_test(test_check_host),
        cmocka_unit_test(test_check_host_range), cmocka_unit_test(test_check_vcpus),
        cmocka_unit_test(test_check_shapes),     cmocka_unit_test(test_apply_full),
        cmocka_unit_test(test_read_plain),       cmocka_unit_test(test_read_tuned),
        cmocka_unit_test(test_apply_remove),     cmocka_unit_test(test_apply_partial),
        cmocka_unit_test(test_apply_refused),    cmocka_unit_test(test_apply_max_vcpus),
        cmocka_unit_test(test_read_not_domain),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
