/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_caps_xml: server/virt/virt_caps_xml.c on real libvirt output kept in
 * tests/fixtures/: `virsh capabilities` and `virsh domcapabilities` of this project's
 * test machine's system libvirtd (Debian 12, QEMU 7.2 with KVM, ovmf installed), and
 * `virsh capabilities` of the test driver (which has no domain capabilities); plus
 * documents that are not capabilities. Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "virt/virt_caps_xml.h"
#include "xml_assert.h"

#define FIXTURES VIRTDECK_SOURCE_DIR "/tests/fixtures/"

/* A fixture of tests/fixtures/ by name, NUL-terminated; free it. */
static char *read_fixture(const char *name)
{
    char path[512];

    snprintf(path, sizeof(path), FIXTURES "%s", name);
    return xml_assert_read_file(path);
}

static struct json_object *member(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;

    if (!json_object_object_get_ex(obj, key, &v))
        fail_msg("no member %s", key);
    return v;
}

static bool has_string(struct json_object *arr, const char *s)
{
    for (size_t i = 0; i < json_object_array_length(arr); i++)
        if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s))
            return true;
    return false;
}

static void test_host_qemu_system(void **state)
{
    char *xml = read_fixture("capabilities-qemu-system.xml");
    struct app_error err;
    struct json_object *host, *cpu, *numa, *cell, *guests, *x86 = NULL;

    (void)state;
    app_error_clear(&err);
    host = virt_caps_xml_host(xml, &err);
    assert_non_null(host);
    assert_string_equal(json_object_get_string(member(host, "arch")), "x86_64");
    cpu = member(host, "cpu");
    assert_string_equal(json_object_get_string(member(cpu, "model")), "Broadwell");
    assert_string_equal(json_object_get_string(member(cpu, "vendor")), "Intel");
    assert_int_equal(json_object_get_int(member(cpu, "sockets")), 1);
    assert_int_equal(json_object_get_int(member(cpu, "cores")), 2);
    assert_int_equal(json_object_get_int(member(cpu, "threads")), 1);
    numa = member(host, "numa");
    assert_int_equal(json_object_array_length(numa), 1);
    cell = json_object_array_get_idx(numa, 0);
    assert_int_equal(json_object_get_int(member(cell, "id")), 0);
    assert_int_equal(json_object_get_int64(member(cell, "memory_kib")), 9135864);
    assert_int_equal(json_object_array_length(member(cell, "cpus")), 2);
    assert_string_equal(json_object_to_json_string(member(host, "huge_pages_kib")),
                        "[ 2048, 1048576 ]");
    assert_string_equal(json_object_to_json_string(member(host, "page_sizes_kib")),
                        "[ 4, 2048, 1048576 ]");
    guests = member(host, "guests");
    for (size_t i = 0; i < json_object_array_length(guests); i++)
        if (!strcmp(json_object_get_string(member(json_object_array_get_idx(guests, i), "arch")),
                    "x86_64"))
            x86 = json_object_array_get_idx(guests, i);
    assert_non_null(x86);
    assert_string_equal(json_object_get_string(member(x86, "emulator")),
                        "/usr/bin/qemu-system-x86_64");
    assert_true(has_string(member(x86, "machines"), "q35"));
    assert_true(has_string(member(x86, "machines"), "pc-q35-7.2"));
    assert_true(has_string(member(x86, "domains"), "kvm"));
    assert_true(has_string(member(x86, "domains"), "qemu"));
    json_object_put(host);
    free(xml);
}

static void test_domain_qemu_system(void **state)
{
    char *xml = read_fixture("domcapabilities-qemu-system.xml");
    struct app_error err;
    struct json_object *dom, *fw, *tpm, *models;

    (void)state;
    app_error_clear(&err);
    dom = virt_caps_xml_domain(xml, &err);
    assert_non_null(dom);
    assert_string_equal(json_object_get_string(member(dom, "emulator")),
                        "/usr/bin/qemu-system-x86_64");
    assert_string_equal(json_object_get_string(member(dom, "domain")), "kvm");
    assert_string_equal(json_object_get_string(member(dom, "machine")), "pc-i440fx-7.2");
    assert_string_equal(json_object_get_string(member(dom, "arch")), "x86_64");
    assert_int_equal(json_object_get_int(member(dom, "vcpu_max")), 255);
    assert_string_equal(json_object_to_json_string(member(dom, "cpu_modes")),
                        "[ \"host-passthrough\", \"maximum\", \"host-model\", \"custom\" ]");
    models = member(dom, "cpu_models"); /* only the usable ones */
    assert_true(has_string(models, "pentium3"));
    assert_true(has_string(models, "486"));
    assert_false(has_string(models, "Haswell"));
    fw = member(dom, "firmware");
    assert_true(json_object_get_boolean(member(fw, "bios")));
    assert_true(json_object_get_boolean(member(fw, "uefi")));
    assert_false(json_object_get_boolean(member(fw, "secure_boot")));
    assert_true(has_string(member(fw, "loaders"), "/usr/share/OVMF/OVMF_CODE_4M.fd"));
    assert_string_equal(json_object_to_json_string(member(dom, "disk_buses")),
                        "[ \"ide\", \"fdc\", \"scsi\", \"virtio\", \"usb\", \"sata\" ]");
    assert_null(member(dom, "nic_models")); /* libvirt 9.0 lists none */
    tpm = member(dom, "tpm");
    assert_true(json_object_get_boolean(member(tpm, "supported")));
    assert_true(has_string(member(tpm, "models"), "tpm-crb"));
    assert_true(has_string(member(tpm, "backends"), "passthrough"));
    json_object_put(dom);
    free(xml);
}

static void test_host_test_driver(void **state)
{
    char *xml = read_fixture("capabilities-test-driver.xml");
    struct app_error err;
    struct json_object *host, *cpu, *numa;

    (void)state;
    app_error_clear(&err);
    host = virt_caps_xml_host(xml, &err);
    assert_non_null(host);
    assert_string_equal(json_object_get_string(member(host, "arch")), "i686");
    cpu = member(host, "cpu"); /* the test driver gives no model and no topology */
    assert_null(member(cpu, "model"));
    assert_null(member(cpu, "sockets"));
    numa = member(host, "numa");
    assert_int_equal(json_object_array_length(numa), 2);
    assert_int_equal(
        json_object_get_int64(member(json_object_array_get_idx(numa, 1), "memory_kib")), 4194304);
    assert_int_equal(json_object_array_length(member(json_object_array_get_idx(numa, 1), "cpus")),
                     8);
    assert_string_equal(json_object_to_json_string(member(host, "huge_pages_kib")),
                        "[ 8, 2048, 1048576 ]");
    json_object_put(host);
    free(xml);
}

static void test_not_capabilities(void **state)
{
    static const char *const bad[] = {
        NULL,
        "",
        "<capabilities",
        "<domain/>",
        "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><capabilities>&e;</capabilities>",
    };
    struct app_error err;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct json_object *host, *dom;

        app_error_clear(&err);
        host = virt_caps_xml_host(bad[i], &err);
        if (host) { /* the entity one parses (unsubstituted): nothing read from the file */
            assert_int_equal(i, 4);
            assert_null(member(member(host, "cpu"), "model"));
            json_object_put(host);
        } else {
            assert_int_equal(err.status, 502);
        }
        app_error_clear(&err);
        dom = virt_caps_xml_domain(bad[i], &err);
        assert_null(dom);
        assert_int_equal(err.status, 502);
    }
}

static void test_odd_values(void **state)
{
    static const char xml[] =
        "<capabilities><host><cpu><arch>x86_64</arch>"
        "<topology sockets='-1' cores='two' threads='99999999999999999999'/>"
        "<pages size='4'/><pages size='abc'/><pages size='2048'/><pages size='2048'/>"
        "</cpu></host></capabilities>";
    struct app_error err;
    struct json_object *host, *cpu;

    (void)state;
    app_error_clear(&err);
    host = virt_caps_xml_host(xml, &err);
    assert_non_null(host);
    cpu = member(host, "cpu");
    assert_null(member(cpu, "sockets"));
    assert_null(member(cpu, "cores"));
    assert_null(member(cpu, "threads"));
    /* bad sizes left out, a repeat listed once */
    assert_string_equal(json_object_to_json_string(member(host, "huge_pages_kib")), "[ 2048 ]");
    assert_int_equal(json_object_array_length(member(host, "numa")), 0);
    json_object_put(host);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_qemu_system), cmocka_unit_test(test_domain_qemu_system),
        cmocka_unit_test(test_host_test_driver), cmocka_unit_test(test_not_capabilities),
        cmocka_unit_test(test_odd_values),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
