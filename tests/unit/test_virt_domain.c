/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_domain: server/virt/virt_domain.c.
 *
 * Pure parts (name tables, UUID check, XML → JSON on tests/fixtures/domain-detail.xml)
 * and the libvirt parts against the real test driver (test:///default, whose state
 * starts fresh each time the last connection to it closes: one domain "test",
 * running). Link seams (tests/unit/wraps.mk) force libvirt failures. Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libvirt/virterror.h>

#include "util/app_error.h"
#include "util/clock.h"
#include "virt/virt_domain.h"
#include "xml_assert.h"

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"
#define FIXTURE   VIRTDECK_SOURCE_DIR "/tests/fixtures/domain-detail.xml"

/* ---- link seams ------------------------------------------------------------------ */

static int seam_reset_unsupported;
static int seam_list_fails;
static int seam_bad_xml;
static int seam_stats_fails;
/* Calls counted by the seams below, to hold the list to its bulk calls. */
static struct {
    int list_all, get_state, is_persistent, get_autostart, list_stats;
} seam_calls;

int __real_virDomainReset(virDomainPtr dom, unsigned int flags);
int __wrap_virDomainReset(virDomainPtr dom, unsigned int flags);
int __real_virConnectListAllDomains(virConnectPtr conn, virDomainPtr **doms, unsigned int flags);
int __wrap_virConnectListAllDomains(virConnectPtr conn, virDomainPtr **doms, unsigned int flags);
char *__real_virDomainGetXMLDesc(virDomainPtr dom, unsigned int flags);
char *__wrap_virDomainGetXMLDesc(virDomainPtr dom, unsigned int flags);
int __real_virDomainGetState(virDomainPtr dom, int *state, int *reason, unsigned int flags);
int __wrap_virDomainGetState(virDomainPtr dom, int *state, int *reason, unsigned int flags);
int __real_virDomainIsPersistent(virDomainPtr dom);
int __wrap_virDomainIsPersistent(virDomainPtr dom);
int __real_virDomainGetAutostart(virDomainPtr dom, int *autostart);
int __wrap_virDomainGetAutostart(virDomainPtr dom, int *autostart);
int __real_virDomainListGetStats(virDomainPtr *doms, unsigned int stats,
                                 virDomainStatsRecordPtr **retStats, unsigned int flags);
int __wrap_virDomainListGetStats(virDomainPtr *doms, unsigned int stats,
                                 virDomainStatsRecordPtr **retStats, unsigned int flags);

int __wrap_virDomainReset(virDomainPtr dom, unsigned int flags)
{
    if (seam_reset_unsupported) {
        /* A genuine VIR_ERR_NO_SUPPORT: the test driver has no keepalive. */
        assert_int_equal(virConnectSetKeepAlive(virDomainGetConnect(dom), 5, 3), -1);
        return -1;
    }
    return __real_virDomainReset(dom, flags);
}

int __wrap_virConnectListAllDomains(virConnectPtr conn, virDomainPtr **doms, unsigned int flags)
{
    /* A NULL connection raises VIR_ERR_INVALID_CONN, as a dead connection would. */
    seam_calls.list_all++;
    return __real_virConnectListAllDomains(seam_list_fails ? NULL : conn, doms, flags);
}

char *__wrap_virDomainGetXMLDesc(virDomainPtr dom, unsigned int flags)
{
    if (seam_bad_xml)
        return strdup("<domain><name>broken</nam></domain>");
    return __real_virDomainGetXMLDesc(dom, flags);
}

int __wrap_virDomainGetState(virDomainPtr dom, int *state, int *reason, unsigned int flags)
{
    seam_calls.get_state++;
    return __real_virDomainGetState(dom, state, reason, flags);
}

int __wrap_virDomainIsPersistent(virDomainPtr dom)
{
    seam_calls.is_persistent++;
    return __real_virDomainIsPersistent(dom);
}

int __wrap_virDomainGetAutostart(virDomainPtr dom, int *autostart)
{
    seam_calls.get_autostart++;
    return __real_virDomainGetAutostart(dom, autostart);
}

int __wrap_virDomainListGetStats(virDomainPtr *doms, unsigned int stats,
                                 virDomainStatsRecordPtr **retStats, unsigned int flags)
{
    seam_calls.list_stats++;
    /* A NULL array raises VIR_ERR_INVALID_ARG, as an unsupported call would fail. */
    return __real_virDomainListGetStats(seam_stats_fails ? NULL : doms, stats, retStats, flags);
}

/* ---- helpers ----------------------------------------------------------------------- */

static void quiet(void *opaque, virErrorPtr error)
{
}

static const char *str_field(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;

    assert_true(json_object_object_get_ex(obj, key, &v));
    assert_true(json_object_is_type(v, json_type_string));
    return json_object_get_string(v);
}

static int64_t int_field(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;

    assert_true(json_object_object_get_ex(obj, key, &v));
    assert_true(json_object_is_type(v, json_type_int));
    return json_object_get_int64(v);
}

static int bool_field(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;

    assert_true(json_object_object_get_ex(obj, key, &v));
    assert_true(json_object_is_type(v, json_type_boolean));
    return json_object_get_boolean(v);
}

static struct json_object *array_field(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;

    assert_true(json_object_object_get_ex(obj, key, &v));
    assert_true(json_object_is_type(v, json_type_array));
    return v;
}

static int open_default(void **state)
{
    virConnectPtr conn = virConnectOpen("test:///default");

    assert_non_null(conn);
    *state = conn;
    return 0;
}

static int close_default(void **state)
{
    seam_reset_unsupported = seam_list_fails = seam_bad_xml = 0;
    virConnectClose(*state);
    return 0;
}

static virDomainPtr define_domain(virConnectPtr conn, const char *name, const char *uuid,
                                  int with_vnc)
{
    char xml[1024];
    virDomainPtr dom;

    snprintf(xml, sizeof(xml),
             "<domain type='test'><name>%s</name><uuid>%s</uuid>"
             "<memory unit='KiB'>1048576</memory><vcpu>1</vcpu>"
             "<os><type>hvm</type></os><devices>%s</devices></domain>",
             name, uuid, with_vnc ? "<graphics type='vnc' port='-1' autoport='yes'/>" : "");
    dom = virDomainDefineXML(conn, xml);
    assert_non_null(dom);
    return dom;
}

static const char *state_of(virDomainPtr dom)
{
    int state = -1, reason = -1;

    assert_int_equal(virDomainGetState(dom, &state, &reason, 0), 0);
    return virt_domain_state_name(state);
}

/* ---- pure ---------------------------------------------------------------------------- */

static void test_state_and_reason_names(void **state)
{
    assert_string_equal(virt_domain_state_name(VIR_DOMAIN_RUNNING), "running");
    assert_string_equal(virt_domain_state_name(VIR_DOMAIN_PAUSED), "paused");
    assert_string_equal(virt_domain_state_name(VIR_DOMAIN_SHUTOFF), "shutoff");
    assert_string_equal(virt_domain_state_name(VIR_DOMAIN_PMSUSPENDED), "pmsuspended");
    assert_string_equal(virt_domain_state_name(VIR_DOMAIN_NOSTATE), "nostate");
    assert_string_equal(virt_domain_state_name(-1), "nostate");
    assert_string_equal(virt_domain_state_name(99), "nostate");

    assert_string_equal(virt_domain_reason_name(VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED),
                        "booted");
    assert_string_equal(
        virt_domain_reason_name(VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_POSTCOPY_FAILED),
        "postcopy_failed");
    assert_string_equal(virt_domain_reason_name(VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER), "user");
    assert_string_equal(
        virt_domain_reason_name(VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY_FAILED),
        "postcopy_failed");
    assert_string_equal(virt_domain_reason_name(VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED),
                        "destroyed");
    assert_string_equal(virt_domain_reason_name(VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DAEMON),
                        "daemon");
    assert_string_equal(virt_domain_reason_name(VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED),
                        "panicked");
    assert_string_equal(virt_domain_reason_name(VIR_DOMAIN_SHUTOFF, 99), "unknown");
    assert_string_equal(virt_domain_reason_name(VIR_DOMAIN_BLOCKED, 1), "unknown");
    assert_string_equal(virt_domain_reason_name(42, 0), "unknown");
    assert_string_equal(virt_domain_reason_name(-3, -3), "unknown");
}

static void test_event_names(void **state)
{
    static const char *const events[] = {"defined",   "undefined",   "started",
                                         "suspended", "resumed",     "stopped",
                                         "shutdown",  "pmsuspended", "crashed"};
    int i;

    for (i = 0; i < 9; i++)
        assert_string_equal(virt_domain_event_name(i), events[i]);
    assert_string_equal(virt_domain_event_name(9), "unknown");
    assert_string_equal(virt_domain_event_name(-1), "unknown");

    assert_string_equal(
        virt_domain_event_detail_name(VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED),
        "booted");
    assert_string_equal(virt_domain_event_detail_name(VIR_DOMAIN_EVENT_SUSPENDED,
                                                      VIR_DOMAIN_EVENT_SUSPENDED_PAUSED),
                        "paused");
    assert_string_equal(
        virt_domain_event_detail_name(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED),
        "destroyed");
    assert_string_equal(virt_domain_event_detail_name(VIR_DOMAIN_EVENT_UNDEFINED,
                                                      VIR_DOMAIN_EVENT_UNDEFINED_REMOVED),
                        "removed");
    assert_string_equal(
        virt_domain_event_detail_name(VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_HOST),
        "host");
    assert_string_equal(virt_domain_event_detail_name(VIR_DOMAIN_EVENT_CRASHED,
                                                      VIR_DOMAIN_EVENT_CRASHED_CRASHLOADED),
                        "crashloaded");
    assert_string_equal(virt_domain_event_name(VIRT_DOMAIN_EVENT_METADATA), "metadata");
    assert_string_equal(
        virt_domain_event_detail_name(VIRT_DOMAIN_EVENT_METADATA, VIR_DOMAIN_METADATA_TITLE),
        "title");
    assert_string_equal(
        virt_domain_event_detail_name(VIRT_DOMAIN_EVENT_METADATA, VIR_DOMAIN_METADATA_DESCRIPTION),
        "description");
    assert_string_equal(virt_domain_event_detail_name(VIRT_DOMAIN_EVENT_METADATA, 9), "unknown");
    assert_string_equal(virt_domain_event_detail_name(VIR_DOMAIN_EVENT_RESUMED, 77), "unknown");
    assert_string_equal(virt_domain_event_detail_name(55, 0), "unknown");
}

static void test_uuid_valid(void **state)
{
    assert_true(virt_domain_uuid_valid(TEST_UUID));
    assert_true(virt_domain_uuid_valid("6695EB01-F6A4-8304-79AA-97F2502E193F"));
    assert_false(virt_domain_uuid_valid(NULL));
    assert_false(virt_domain_uuid_valid(""));
    assert_false(virt_domain_uuid_valid("6695eb01-f6a4-8304-79aa-97f2502e193"));   /* short */
    assert_false(virt_domain_uuid_valid("6695eb01-f6a4-8304-79aa-97f2502e193ff")); /* long */
    assert_false(virt_domain_uuid_valid("6695eb01f-6a4-8304-79aa-97f2502e193f"));  /* dash */
    assert_false(virt_domain_uuid_valid("6695eb01-f6a4-8304-79aa-97f2502e193g"));  /* hex */
    assert_false(virt_domain_uuid_valid("6695eb01-f6a4-8304-79aa+97f2502e193f"));
    assert_false(virt_domain_uuid_valid("6695eb01-f6a4-8304-79aa-97f2502e19/f"));
    assert_false(virt_domain_uuid_valid("6695eb0166f6a4-8304-79aa-97f2502e193f"));
}

static void test_action_valid(void **state)
{
    static const char *const good[] = {"start", "shutdown", "destroy", "reboot",
                                       "reset", "suspend",  "resume"};
    size_t i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_true(virt_domain_action_valid(good[i]));
    assert_false(virt_domain_action_valid(NULL));
    assert_false(virt_domain_action_valid(""));
    assert_false(virt_domain_action_valid("Start"));
    assert_false(virt_domain_action_valid("undefine"));
    assert_false(virt_domain_action_valid("start "));
}

static void test_xml_to_json_fixture(void **state)
{
    char *xml = xml_assert_read_file(FIXTURE);
    struct json_object *obj = json_object_new_object();
    struct app_error err = {0};
    struct json_object *disks, *nics, *gfx, *d;

    assert_int_equal(virt_domain_xml_to_json(xml, obj, &err), 0);
    assert_string_equal(str_field(obj, "description"), "web server & TLS terminator");
    assert_string_equal(str_field(obj, "title"), "Web frontend");
    assert_string_equal(str_field(obj, "os_type"), "hvm");
    assert_true(bool_field(obj, "has_vnc"));

    disks = array_field(obj, "disks");
    assert_int_equal(json_object_array_length(disks), 4);
    d = json_object_array_get_idx(disks, 0);
    assert_string_equal(str_field(d, "device"), "disk");
    assert_string_equal(str_field(d, "target"), "vda");
    assert_string_equal(str_field(d, "bus"), "virtio");
    assert_string_equal(str_field(d, "source"), "/var/lib/libvirt/images/web-01.qcow2");
    assert_string_equal(str_field(d, "format"), "qcow2");
    assert_false(bool_field(d, "readonly"));
    d = json_object_array_get_idx(disks, 1);
    assert_string_equal(str_field(d, "device"), "cdrom");
    assert_string_equal(str_field(d, "source"), "");
    assert_string_equal(str_field(d, "bus"), "sata");
    assert_true(bool_field(d, "readonly"));
    d = json_object_array_get_idx(disks, 2);
    assert_string_equal(str_field(d, "source"), "/dev/vg0/web-data");
    assert_string_equal(str_field(d, "format"), "raw");
    d = json_object_array_get_idx(disks, 3);
    assert_string_equal(str_field(d, "source"), "default/web-logs.qcow2");

    nics = array_field(obj, "interfaces");
    assert_int_equal(json_object_array_length(nics), 2);
    d = json_object_array_get_idx(nics, 0);
    assert_string_equal(str_field(d, "type"), "network");
    assert_string_equal(str_field(d, "mac"), "52:54:00:12:34:56");
    assert_string_equal(str_field(d, "source"), "default");
    assert_string_equal(str_field(d, "model"), "virtio");
    assert_string_equal(str_field(d, "target"), "vnet0");
    assert_string_equal(str_field(d, "link"), "up");
    d = json_object_array_get_idx(nics, 1);
    assert_string_equal(str_field(d, "type"), "bridge");
    assert_string_equal(str_field(d, "source"), "br0");
    assert_string_equal(str_field(d, "model"), "e1000");
    assert_string_equal(str_field(d, "target"), "");
    assert_string_equal(str_field(d, "link"), "down");

    gfx = array_field(obj, "graphics");
    assert_int_equal(json_object_array_length(gfx), 2);
    d = json_object_array_get_idx(gfx, 0);
    assert_string_equal(str_field(d, "type"), "vnc");
    assert_string_equal(str_field(d, "listen"), "127.0.0.1");
    assert_int_equal(int_field(d, "port"), 5901);
    assert_false(bool_field(d, "autoport"));
    d = json_object_array_get_idx(gfx, 1);
    assert_string_equal(str_field(d, "type"), "spice");
    assert_string_equal(str_field(d, "listen"), "0.0.0.0");
    assert_int_equal(int_field(d, "port"), -1);
    assert_true(bool_field(d, "autoport"));

    json_object_put(obj);
    free(xml);
}

static void test_xml_to_json_minimal(void **state)
{
    struct json_object *obj = json_object_new_object();
    struct app_error err = {0};

    assert_int_equal(virt_domain_xml_to_json("<domain><name>m</name><os><type>exe</type></os>"
                                             "<devices><graphics type='spice'/></devices>"
                                             "</domain>",
                                             obj, &err),
                     0);
    assert_string_equal(str_field(obj, "description"), "");
    assert_string_equal(str_field(obj, "title"), "");
    assert_string_equal(str_field(obj, "os_type"), "exe");
    assert_false(bool_field(obj, "has_vnc"));
    assert_int_equal(json_object_array_length(array_field(obj, "disks")), 0);
    assert_int_equal(json_object_array_length(array_field(obj, "interfaces")), 0);
    assert_int_equal(json_object_array_length(array_field(obj, "graphics")), 1);
    json_object_put(obj);
}

static void test_xml_to_json_malformed(void **state)
{
    static const char *const bad[] = {
        "",
        "not xml",
        "<domain><name>x</domain>",
        "<network><name>n</name></network>",
        "<?xml version='1.0'?>",
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct json_object *obj = json_object_new_object();
        struct app_error err = {0};

        assert_int_equal(virt_domain_xml_to_json(bad[i], obj, &err), -1);
        assert_int_equal(err.status, 502);
        assert_string_equal(err.code, APP_ERR_LIBVIRT);
        assert_int_equal(json_object_object_length(obj), 0);
        json_object_put(obj);
    }
}

/* An external entity must not be fetched or expanded (XML_PARSE_NONET, no NOENT). */
static void test_xml_to_json_no_entities(void **state)
{
    struct json_object *obj = json_object_new_object();
    struct app_error err = {0};
    const char *xml = "<?xml version='1.0'?>"
                      "<!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/hostname'>]>"
                      "<domain><description>&x;</description></domain>";

    assert_int_equal(virt_domain_xml_to_json(xml, obj, &err), 0);
    assert_string_equal(str_field(obj, "description"), "");
    json_object_put(obj);
}

/* ---- against the test driver ---------------------------------------------------------- */

static void test_list_default(void **state)
{
    virConnectPtr conn = *state;
    struct app_error err = {0};
    struct json_object *list = virt_domain_list(conn, &err);
    struct json_object *domains, *d;

    assert_non_null(list);
    domains = array_field(list, "domains");
    assert_int_equal(json_object_array_length(domains), 1);
    d = json_object_array_get_idx(domains, 0);
    assert_string_equal(str_field(d, "uuid"), TEST_UUID);
    assert_string_equal(str_field(d, "name"), "test");
    assert_string_equal(str_field(d, "state"), "running");
    assert_non_null(str_field(d, "reason"));
    assert_true(bool_field(d, "persistent"));
    assert_false(bool_field(d, "autostart"));
    assert_int_equal(int_field(d, "vcpus"), 2);
    assert_int_equal(int_field(d, "max_memory_kib"), 8388608);
    assert_int_equal(int_field(d, "memory_kib"), 2097152);
    assert_string_equal(str_field(d, "os_type"), "hvm");
    assert_false(bool_field(d, "has_vnc"));
    /* The summary form carries no detail fields. */
    assert_false(json_object_object_get_ex(d, "disks", NULL));
    json_object_put(list);
}

static void test_list_sorted_and_traits(void **state)
{
    virConnectPtr conn = *state;
    struct app_error err = {0};
    virDomainPtr zeta = define_domain(conn, "zeta", "00000000-0000-4000-8000-00000000000a", 0);
    virDomainPtr alpha = define_domain(conn, "alpha", "00000000-0000-4000-8000-00000000000b", 1);
    virDomainPtr mid = define_domain(conn, "mid", "00000000-0000-4000-8000-00000000000c", 0);
    struct json_object *list, *domains, *d;

    assert_int_equal(virDomainSetAutostart(mid, 1), 0);
    list = virt_domain_list(conn, &err);
    assert_non_null(list);
    domains = array_field(list, "domains");
    assert_int_equal(json_object_array_length(domains), 4);
    assert_string_equal(str_field(json_object_array_get_idx(domains, 0), "name"), "alpha");
    assert_string_equal(str_field(json_object_array_get_idx(domains, 1), "name"), "mid");
    assert_string_equal(str_field(json_object_array_get_idx(domains, 2), "name"), "test");
    assert_string_equal(str_field(json_object_array_get_idx(domains, 3), "name"), "zeta");
    d = json_object_array_get_idx(domains, 0);
    assert_true(bool_field(d, "has_vnc"));
    assert_string_equal(str_field(d, "state"), "shutoff");
    assert_true(bool_field(d, "persistent"));
    assert_false(bool_field(d, "autostart"));
    assert_true(bool_field(json_object_array_get_idx(domains, 1), "autostart"));
    assert_false(bool_field(json_object_array_get_idx(domains, 3), "has_vnc"));
    json_object_put(list);
    virDomainFree(zeta);
    virDomainFree(alpha);
    virDomainFree(mid);
}

/* The cached XML traits follow a redefinition once the domain is forgotten (what
 * virt_conn does on every lifecycle event), and a start (new domain id). */
static void test_traits_cache_invalidation(void **state)
{
    virConnectPtr conn = *state;
    const char *uuid = "00000000-0000-4000-8000-0000000000cc";
    struct app_error err = {0};
    virDomainPtr dom = define_domain(conn, "cachevm", uuid, 0);
    struct json_object *sum;

    sum = virt_domain_summary(dom, &err);
    assert_non_null(sum);
    assert_false(bool_field(sum, "has_vnc"));
    json_object_put(sum);

    virDomainFree(dom);
    dom = define_domain(conn, "cachevm", uuid, 1);
    virt_domain_forget("not-a-uuid"); /* ignored */
    virt_domain_forget(uuid);
    sum = virt_domain_summary(dom, &err);
    assert_non_null(sum);
    assert_true(bool_field(sum, "has_vnc"));
    json_object_put(sum);

    /* Redefine without VNC while shut off, then start: the live XML has no VNC and
     * the new domain id misses the cache even without a forget. */
    virDomainFree(dom);
    dom = define_domain(conn, "cachevm", uuid, 0);
    assert_int_equal(virDomainCreate(dom), 0);
    sum = virt_domain_summary(dom, &err);
    assert_non_null(sum);
    assert_false(bool_field(sum, "has_vnc"));
    assert_string_equal(str_field(sum, "state"), "running");
    json_object_put(sum);
    virDomainFree(dom);
}

/* Title and description in any script: set in the definition and the running domain,
 * read back byte for byte by the summary (through the traits cache, which the set
 * forgets), the list and the detail; "" removes them; a refused value changes nothing. */
static void test_set_metadata(void **state)
{
    static const char *const title =
        "中文标题 \xF0\x9F\x96\xA5 \xD7\xA2\xD7\x91\xD7\xA8\xD7\x99\xD7\xAA";
    static const char *const description = "  第一行\n\tsecond line, Cafe\xCC\x81\n\n";
    virConnectPtr conn = *state;
    struct app_error err = {0};
    virDomainPtr dom = virt_domain_lookup(conn, TEST_UUID, &err);
    struct json_object *sum, *list, *detail;
    char *xml;

    assert_non_null(dom);
    sum = virt_domain_summary(dom, &err); /* fills the cache */
    assert_non_null(sum);
    assert_string_equal(str_field(sum, "title"), "");
    assert_string_equal(str_field(sum, "description"), "");
    json_object_put(sum);
    assert_int_equal(virt_domain_set_metadata(dom, title, description, &err), 0);
    sum = virt_domain_summary(dom, &err);
    assert_non_null(sum);
    assert_string_equal(str_field(sum, "title"), title);
    assert_string_equal(str_field(sum, "description"), description);
    json_object_put(sum);
    list = virt_domain_list(conn, &err);
    assert_non_null(list);
    sum = json_object_array_get_idx(array_field(list, "domains"), 0);
    assert_string_equal(str_field(sum, "title"), title);
    assert_string_equal(str_field(sum, "description"), description);
    json_object_put(list);
    /* the running domain and its definition both have them */
    xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    assert_non_null(strstr(xml, "<title>中文标题"));
    free(xml);

    /* refused before libvirt, nothing changed: the title stays */
    assert_int_equal(virt_domain_set_metadata(dom, "a\nb", NULL, &err), -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.message,
                        "field \"title\" holds a control character (one line, no tabs)");
    assert_int_equal(virt_domain_set_metadata(dom, "new", "bad\r\n", &err), -1);
    assert_string_equal(err.message, "field \"description\" holds a control character (only line "
                                     "breaks and tabs are allowed)");
    detail = virt_domain_detail(dom, &err);
    assert_non_null(detail);
    assert_string_equal(str_field(detail, "title"), title);
    assert_string_equal(str_field(detail, "description"), description);
    json_object_put(detail);

    /* NULL leaves one alone, "" removes it */
    assert_int_equal(virt_domain_set_metadata(dom, "", NULL, &err), 0);
    detail = virt_domain_detail(dom, &err);
    assert_string_equal(str_field(detail, "title"), "");
    assert_string_equal(str_field(detail, "description"), description);
    json_object_put(detail);
    virDomainFree(dom);
}

static void test_detail_default(void **state)
{
    virConnectPtr conn = *state;
    struct app_error err = {0};
    virDomainPtr dom = virt_domain_lookup(conn, TEST_UUID, &err);
    struct json_object *detail, *d;

    assert_non_null(dom);
    detail = virt_domain_detail(dom, &err);
    assert_non_null(detail);
    assert_string_equal(str_field(detail, "name"), "test");
    assert_string_equal(str_field(detail, "state"), "running");
    assert_string_equal(str_field(detail, "os_type"), "hvm");
    assert_int_equal(json_object_array_length(array_field(detail, "disks")), 1);
    d = json_object_array_get_idx(array_field(detail, "disks"), 0);
    assert_string_equal(str_field(d, "source"), "/guest/diskimage1");
    assert_string_equal(str_field(d, "target"), "vda");
    d = json_object_array_get_idx(array_field(detail, "interfaces"), 0);
    assert_string_equal(str_field(d, "mac"), "aa:bb:cc:dd:ee:ff");
    assert_string_equal(str_field(d, "source"), "default");
    assert_string_equal(str_field(d, "target"), "testnet0");
    assert_int_equal(json_object_array_length(array_field(detail, "graphics")), 0);
    json_object_put(detail);
    virDomainFree(dom);
}

static void test_lookup_errors(void **state)
{
    virConnectPtr conn = *state;
    struct app_error err = {0};

    assert_null(virt_domain_lookup(conn, "nope", &err));
    assert_int_equal(err.status, 400);
    assert_string_equal(err.code, APP_ERR_BAD_REQUEST);

    assert_null(virt_domain_lookup(conn, NULL, &err));
    assert_int_equal(err.status, 400);

    assert_null(virt_domain_lookup(conn, "11111111-2222-3333-4444-555555555555", &err));
    assert_int_equal(err.status, 404);
    assert_string_equal(err.code, APP_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "11111111-2222-3333-4444-555555555555"));
    assert_null(virGetLastError());
}

static void expect_act(virDomainPtr dom, const char *action, int status, const char *message)
{
    struct app_error err = {0};
    int rc = virt_domain_act(dom, action, &err);

    if (status == 0) {
        if (rc != 0)
            fail_msg("%s: %d %s", action, err.status, err.message);
        return;
    }
    assert_int_equal(rc, -1);
    assert_int_equal(err.status, status);
    if (message && strcmp(err.message, message) != 0)
        fail_msg("%s: message \"%s\", want \"%s\"", action, err.message, message);
}

static void test_actions_and_conflicts(void **state)
{
    virConnectPtr conn = *state;
    struct app_error err = {0};
    virDomainPtr dom = virt_domain_lookup(conn, TEST_UUID, &err);

    assert_non_null(dom);
    /* running */
    expect_act(dom, "start", 409, "domain is already running");
    expect_act(dom, "resume", 409, "domain is not paused");
    expect_act(dom, "suspend", 0, NULL);
    assert_string_equal(state_of(dom), "paused");
    /* paused */
    expect_act(dom, "suspend", 409, "domain is already paused");
    expect_act(dom, "start", 409, "domain is already running");
    expect_act(dom, "resume", 0, NULL);
    assert_string_equal(state_of(dom), "running");
    expect_act(dom, "reboot", 0, NULL);
    assert_string_equal(state_of(dom), "running");
    expect_act(dom, "reset", 0, NULL);
    assert_string_equal(state_of(dom), "running");
    expect_act(dom, "shutdown", 0, NULL);
    assert_string_equal(state_of(dom), "shutoff");
    /* shut off */
    expect_act(dom, "shutdown", 409, "domain is not running");
    expect_act(dom, "destroy", 409, "domain is not running");
    expect_act(dom, "reboot", 409, "domain is not running");
    expect_act(dom, "reset", 409, "domain is not running");
    expect_act(dom, "suspend", 409, "domain is not running");
    expect_act(dom, "resume", 409, "domain is not paused");
    expect_act(dom, "start", 0, NULL);
    assert_string_equal(state_of(dom), "running");
    expect_act(dom, "destroy", 0, NULL);
    assert_string_equal(state_of(dom), "shutoff");
    /* unknown action */
    expect_act(dom, "explode", 400, NULL);
    expect_act(dom, NULL, 400, NULL);
    virDomainFree(dom);
}

/* A libvirt error from the action itself is mapped, and its message kept. */
static void test_action_unsupported(void **state)
{
    virConnectPtr conn = *state;
    struct app_error err = {0};
    virDomainPtr dom = virt_domain_lookup(conn, TEST_UUID, &err);

    assert_non_null(dom);
    seam_reset_unsupported = 1;
    assert_int_equal(virt_domain_act(dom, "reset", &err), -1);
    assert_int_equal(err.status, 501);
    assert_string_equal(err.code, APP_ERR_UNSUPPORTED);
    assert_int_equal(strncmp(err.message, "reset domain: ", 14), 0);
    assert_null(virGetLastError());
    virDomainFree(dom);
}

static void test_list_failure(void **state)
{
    struct app_error err = {0};

    seam_list_fails = 1;
    assert_null(virt_domain_list(*state, &err));
    assert_int_equal(err.status, 503);
    assert_string_equal(err.code, APP_ERR_UNAVAILABLE);
    assert_int_equal(strncmp(err.message, "list domains: ", 14), 0);
}

static void test_detail_bad_xml(void **state)
{
    virConnectPtr conn = *state;
    struct app_error err = {0};
    virDomainPtr dom = virt_domain_lookup(conn, TEST_UUID, &err);

    assert_non_null(dom);
    virt_domain_forget(NULL);
    seam_bad_xml = 1;
    assert_null(virt_domain_detail(dom, &err));
    assert_int_equal(err.status, 502);
    assert_string_equal(err.code, APP_ERR_LIBVIRT);
    app_error_clear(&err); /* the summary must report its own error */
    assert_null(virt_domain_summary(dom, &err));
    assert_int_equal(err.status, 502);
    assert_string_equal(err.code, APP_ERR_LIBVIRT);
    virDomainFree(dom);
}

/* The list of 1,000 domains: the target is ~20 ms warm (docs/performance.md gets the
 * real figures from the benchmark); this only catches gross regressions, with room
 * for sanitizer builds, and checks that every domain is there in order. */
/* The bulk stats record fills what it carries and leaves the rest to the fallback:
 * the test driver's record has the state group only. */
static void test_facts_from_stats(void **state)
{
    virTypedParameterPtr params = NULL;
    int n = 0, max = 0;
    struct virt_domain_facts facts = {.state = VIR_DOMAIN_NOSTATE, .vcpus = 7};

    assert_int_equal(virt_domain_facts_from_stats(NULL, 0, &facts), 0);
    assert_int_equal(facts.vcpus, 7);
    assert_int_equal(virTypedParamsAddInt(&params, &n, &max, "state.state", VIR_DOMAIN_PAUSED), 0);
    assert_int_equal(virTypedParamsAddInt(&params, &n, &max, "state.reason", 1), 0);
    assert_int_equal(virt_domain_facts_from_stats(params, n, &facts), VIRT_DOMAIN_FACT_STATE);
    assert_int_equal(facts.state, VIR_DOMAIN_PAUSED);
    assert_int_equal(facts.reason, 1);
    assert_int_equal(facts.vcpus, 7);
    /* balloon.current alone is not enough: both sizes come from one source */
    assert_int_equal(virTypedParamsAddULLong(&params, &n, &max, "balloon.current", 1024), 0);
    assert_int_equal(virt_domain_facts_from_stats(params, n, &facts), VIRT_DOMAIN_FACT_STATE);
    assert_int_equal(virTypedParamsAddULLong(&params, &n, &max, "balloon.maximum", 4096), 0);
    assert_int_equal(virTypedParamsAddUInt(&params, &n, &max, "vcpu.current", 3), 0);
    assert_int_equal(virt_domain_facts_from_stats(params, n, &facts),
                     VIRT_DOMAIN_FACT_STATE | VIRT_DOMAIN_FACT_VCPUS | VIRT_DOMAIN_FACT_MEMORY);
    assert_int_equal(facts.vcpus, 3);
    assert_int_equal(facts.memory_kib, 1024);
    assert_int_equal(facts.max_memory_kib, 4096);
    virTypedParamsFree(params, n);
}

/* The list's bulk facts equal what each domain says of itself (the summary's path). */
static void test_list_matches_summary(void **state)
{
    virConnectPtr conn = *state;
    struct app_error err = {0};
    virDomainPtr a = define_domain(conn, "facts-a", "00000000-0000-4000-8000-0000000000a1", 0);
    virDomainPtr b = define_domain(conn, "facts-b", "00000000-0000-4000-8000-0000000000b2", 1);
    virDomainPtr t = virDomainCreateXML(
        conn,
        "<domain type='test'><name>facts-t</name><uuid>00000000-0000-4000-8000-0000000000c3</uuid>"
        "<memory unit='KiB'>524288</memory><vcpu>3</vcpu><os><type>hvm</type></os></domain>",
        0);
    struct json_object *list, *domains;
    size_t i, transient = 0;

    assert_non_null(t);
    assert_int_equal(virDomainSetAutostart(a, 1), 0);
    assert_int_equal(virDomainCreate(b), 0);
    assert_int_equal(virDomainSuspend(b), 0);
    list = virt_domain_list(conn, &err);
    assert_non_null(list);
    domains = array_field(list, "domains");
    assert_int_equal(json_object_array_length(domains), 4);
    for (i = 0; i < json_object_array_length(domains); i++) {
        struct json_object *d = json_object_array_get_idx(domains, i);
        virDomainPtr dom = virDomainLookupByUUIDString(conn, str_field(d, "uuid"));
        struct json_object *one = virt_domain_summary(dom, &err);

        assert_non_null(one);
        assert_string_equal(json_object_to_json_string(d), json_object_to_json_string(one));
        transient += !bool_field(d, "persistent");
        json_object_put(one);
        virDomainFree(dom);
    }
    assert_int_equal(transient, 1);
    json_object_put(list);
    assert_int_equal(virDomainDestroy(t), 0);
    virDomainFree(t);
    virDomainFree(a);
    virDomainFree(b);
}

/* The list asks libvirt in bulk: three listings and one stats call, never a
 * per-domain state, persistence or autostart call (the test driver's stats carry
 * the state group; only vCPUs and memory fall back to virDomainGetInfo there). When
 * the bulk stats call fails, each domain is asked and the list is the same. */
static void test_list_bulk_calls(void **state)
{
    virConnectPtr conn = *state;
    struct app_error err = {0};
    virDomainPtr a = define_domain(conn, "bulk-a", "00000000-0000-4000-8000-0000000000d1", 0);
    virDomainPtr b = define_domain(conn, "bulk-b", "00000000-0000-4000-8000-0000000000d2", 1);
    struct json_object *bulk, *fallback;

    assert_int_equal(virDomainSetAutostart(b, 1), 0);
    memset(&seam_calls, 0, sizeof(seam_calls));
    bulk = virt_domain_list(conn, &err);
    assert_non_null(bulk);
    assert_int_equal(json_object_array_length(array_field(bulk, "domains")), 3);
    assert_int_equal(seam_calls.list_all, 3);
    assert_int_equal(seam_calls.list_stats, 1);
    assert_int_equal(seam_calls.get_state, 0);
    assert_int_equal(seam_calls.is_persistent, 0);
    assert_int_equal(seam_calls.get_autostart, 0);

    seam_stats_fails = 1;
    memset(&seam_calls, 0, sizeof(seam_calls));
    fallback = virt_domain_list(conn, &err);
    seam_stats_fails = 0;
    assert_non_null(fallback);
    assert_int_equal(seam_calls.get_state, 3);
    assert_string_equal(json_object_to_json_string(bulk), json_object_to_json_string(fallback));
    json_object_put(bulk);
    json_object_put(fallback);
    virDomainFree(a);
    virDomainFree(b);
}

static void test_list_thousand(void **state)
{
    virConnectPtr conn = *state;
    struct app_error err = {0};
    struct json_object *list;
    char name[32], uuid[40], prev[32] = "";
    int64_t t0, cold_us, warm_us;
    size_t i;

    for (i = 0; i < 999; i++) {
        virDomainPtr dom;

        snprintf(name, sizeof(name), "vm-%04zu", 999 - i);
        snprintf(uuid, sizeof(uuid), "00000000-0000-4000-8000-%012zu", i + 1000);
        dom = define_domain(conn, name, uuid, (int)(i % 2));
        if (i % 3 == 0)
            assert_int_equal(virDomainCreate(dom), 0);
        virDomainFree(dom);
    }
    virt_domain_forget(NULL);
    t0 = clock_mono_us();
    list = virt_domain_list(conn, &err);
    cold_us = clock_mono_us() - t0;
    assert_non_null(list);
    json_object_put(list);

    t0 = clock_mono_us();
    list = virt_domain_list(conn, &err);
    warm_us = clock_mono_us() - t0;
    assert_non_null(list);
    assert_int_equal(json_object_array_length(array_field(list, "domains")), 1000);
    for (i = 0; i < 1000; i++) {
        const char *n =
            str_field(json_object_array_get_idx(array_field(list, "domains"), i), "name");

        assert_true(strcmp(prev, n) < 0);
        snprintf(prev, sizeof(prev), "%s", n);
    }
    json_object_put(list);
    print_message("virt_domain_list, 1000 domains: %.1f ms cold, %.1f ms warm\n",
                  (double)cold_us / 1000.0, (double)warm_us / 1000.0);
    assert_true(warm_us < 200000);
}

/* packaging/demo/demo.xml loads in the test driver and shows what the demo promises. */
static void test_demo_file(void **state)
{
    virConnectPtr conn = virConnectOpen("test://" VIRTDECK_SOURCE_DIR "/packaging/demo/demo.xml");
    struct app_error err = {0};
    struct json_object *list, *domains;
    int running = 0, paused = 0, shutoff = 0, vnc = 0, transient = 0;
    size_t i, j, n;

    assert_non_null(conn);
    list = virt_domain_list(conn, &err);
    assert_non_null(list);
    domains = array_field(list, "domains");
    n = json_object_array_length(domains);
    assert_true(n >= 10);
    for (i = 0; i < n; i++) {
        struct json_object *d = json_object_array_get_idx(domains, i);
        const char *st = str_field(d, "state");

        running += strcmp(st, "running") == 0;
        paused += strcmp(st, "paused") == 0;
        shutoff += strcmp(st, "shutoff") == 0;
        vnc += bool_field(d, "has_vnc");
        transient += !bool_field(d, "persistent");
        for (j = 0; j < i; j++)
            assert_string_not_equal(str_field(d, "uuid"),
                                    str_field(json_object_array_get_idx(domains, j), "uuid"));
    }
    assert_true(running >= 1 && paused >= 1 && shutoff >= 1);
    assert_true(vnc >= 1);
    assert_true(transient >= 1 && transient < (int)n);
    assert_int_equal(virConnectNumOfDefinedNetworks(conn) + virConnectNumOfNetworks(conn), 2);
    assert_int_equal(virConnectNumOfStoragePools(conn) + virConnectNumOfDefinedStoragePools(conn),
                     2);
    json_object_put(list);
    virConnectClose(conn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_and_reason_names),
        cmocka_unit_test(test_event_names),
        cmocka_unit_test(test_uuid_valid),
        cmocka_unit_test(test_action_valid),
        cmocka_unit_test(test_xml_to_json_fixture),
        cmocka_unit_test(test_xml_to_json_minimal),
        cmocka_unit_test(test_xml_to_json_malformed),
        cmocka_unit_test(test_xml_to_json_no_entities),
        cmocka_unit_test_setup_teardown(test_list_default, open_default, close_default),
        cmocka_unit_test_setup_teardown(test_list_sorted_and_traits, open_default, close_default),
        cmocka_unit_test_setup_teardown(test_traits_cache_invalidation, open_default,
                                        close_default),
        cmocka_unit_test_setup_teardown(test_detail_default, open_default, close_default),
        cmocka_unit_test_setup_teardown(test_set_metadata, open_default, close_default),
        cmocka_unit_test_setup_teardown(test_lookup_errors, open_default, close_default),
        cmocka_unit_test_setup_teardown(test_actions_and_conflicts, open_default, close_default),
        cmocka_unit_test_setup_teardown(test_action_unsupported, open_default, close_default),
        cmocka_unit_test_setup_teardown(test_list_failure, open_default, close_default),
        cmocka_unit_test_setup_teardown(test_detail_bad_xml, open_default, close_default),
        cmocka_unit_test(test_facts_from_stats),
        cmocka_unit_test_setup_teardown(test_list_matches_summary, open_default, close_default),
        cmocka_unit_test_setup_teardown(test_list_bulk_calls, open_default, close_default),
        cmocka_unit_test_setup_teardown(test_list_thousand, open_default, close_default),
        cmocka_unit_test(test_demo_file),
    };

    virSetErrorFunc(NULL, quiet);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
