/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_caps: server/virt/virt_caps.c's per-connection cache, with libvirt's calls
 * wrapped (tests/unit/wraps.mk) and connections faked by address: the first request on a
 * connection reads libvirt, later ones on it do not; a request on another connection (a
 * reconnect) reads again and drops the reference held on the old one; without domain
 * capabilities (test:///) the CPU models come from virConnectGetCPUModelNames. Single
 * thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libvirt/libvirt.h>

#include "util/xalloc.h"
#include "virt/virt_caps.h"

char *__wrap_virConnectGetCapabilities(virConnectPtr conn);
char *__wrap_virConnectGetDomainCapabilities(virConnectPtr conn, const char *emulator,
                                             const char *arch, const char *machine,
                                             const char *virttype, unsigned int flags);
int __wrap_virConnectGetCPUModelNames(virConnectPtr conn, const char *arch, char ***models,
                                      unsigned int flags);
int __wrap_virConnectRef(virConnectPtr conn);
int __wrap_virConnectClose(virConnectPtr conn);

static struct {
    int caps_reads, domcaps_reads, model_reads;
    int refs, closes;
    virConnectPtr last_closed;
    bool no_domcaps;
} fake;

static char conn_a, conn_b; /* two connections, told apart by address */

char *__wrap_virConnectGetCapabilities(virConnectPtr conn)
{
    fake.caps_reads++;
    return xstrdup("<capabilities><host><cpu><arch>x86_64</arch>"
                   "<topology sockets='1' dies='1' cores='2' threads='1'/></cpu></host>"
                   "</capabilities>");
}

char *__wrap_virConnectGetDomainCapabilities(virConnectPtr conn, const char *emulator,
                                             const char *arch, const char *machine,
                                             const char *virttype, unsigned int flags)
{
    fake.domcaps_reads++;
    if (fake.no_domcaps)
        return NULL; /* no libvirt error set: not a lost connection */
    return xstrdup("<domainCapabilities><arch>x86_64</arch><cpu>"
                   "<mode name='custom' supported='yes'><model usable='yes'>qemu64</model>"
                   "</mode></cpu></domainCapabilities>");
}

int __wrap_virConnectGetCPUModelNames(virConnectPtr conn, const char *arch, char ***models,
                                      unsigned int flags)
{
    fake.model_reads++;
    *models = xcalloc(2, sizeof(char *));
    (*models)[0] = xstrdup("pentium3");
    return 1;
}

int __wrap_virConnectRef(virConnectPtr conn)
{
    fake.refs++;
    return 0;
}

int __wrap_virConnectClose(virConnectPtr conn)
{
    fake.closes++;
    fake.last_closed = conn;
    return 0;
}

static const char *cpu_models(struct json_object *caps)
{
    return json_object_to_json_string(json_object_object_get(caps, "cpu_models"));
}

static void test_cached_per_connection(void **state)
{
    struct app_error err;
    struct json_object *a1, *a2, *b1;

    (void)state;
    memset(&fake, 0, sizeof(fake));
    app_error_clear(&err);
    a1 = virt_caps_get((virConnectPtr)&conn_a, &err);
    assert_non_null(a1);
    a2 = virt_caps_get((virConnectPtr)&conn_a, &err);
    assert_non_null(a2);
    assert_int_equal(fake.caps_reads, 1); /* the second from the cache */
    assert_int_equal(fake.domcaps_reads, 1);
    assert_ptr_not_equal(a1, a2); /* a copy each: the caller's to free */
    assert_string_equal(json_object_to_json_string(a1), json_object_to_json_string(a2));
    assert_string_equal(cpu_models(a1), "[ \"qemu64\" ]");
    assert_int_equal(fake.refs, 1); /* the cache holds connection a */
    assert_int_equal(fake.closes, 0);

    b1 = virt_caps_get((virConnectPtr)&conn_b, &err); /* reconnected */
    assert_non_null(b1);
    assert_int_equal(fake.caps_reads, 2);
    assert_int_equal(fake.refs, 2);
    assert_int_equal(fake.closes, 1);
    assert_ptr_equal(fake.last_closed, (virConnectPtr)&conn_a);

    virt_caps_cache_free();
    assert_int_equal(fake.closes, 2);
    assert_ptr_equal(fake.last_closed, (virConnectPtr)&conn_b);
    json_object_put(a1);
    json_object_put(a2);
    json_object_put(b1);
}

static void test_no_domain_capabilities(void **state)
{
    struct app_error err;
    struct json_object *caps;

    (void)state;
    memset(&fake, 0, sizeof(fake));
    fake.no_domcaps = true;
    app_error_clear(&err);
    caps = virt_caps_get((virConnectPtr)&conn_a, &err);
    assert_non_null(caps);
    assert_null(json_object_object_get(caps, "domain"));
    assert_int_equal(fake.model_reads, 1);
    assert_string_equal(cpu_models(caps), "[ \"pentium3\" ]");
    json_object_put(caps);
    virt_caps_cache_free();
    virt_caps_cache_free(); /* twice is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cached_per_connection),
        cmocka_unit_test(test_no_domain_capabilities),
    };

    if (virInitialize() < 0) /* libvirt's thread-local last error */
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
