/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_create_xml: server/virt/virt_create_xml.c — the resolved spec → domain XML
 * builder of POST /api/domains: a full spec and a bare one against fixtures
 * (tests/fixtures/create/), markup in every string kept as text, and every refusal with
 * its field (and range). Pure; single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/app_error.h"
#include "virt/virt_create_xml.h"
#include "xml_assert.h"

#define FIXTURES VIRTDECK_SOURCE_DIR "/tests/fixtures/create/"

static void fill_bare(struct virt_create_spec *s)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "bare");
    snprintf(s->domain_type, sizeof(s->domain_type), "qemu");
    snprintf(s->machine, sizeof(s->machine), "pc");
    s->vcpus = 1;
    s->memory_mib = 512;
}

static void fill_full(struct virt_create_spec *s)
{
    struct virt_create_disk *d;

    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "网站-1");
    snprintf(s->title, sizeof(s->title), "Web 1");
    snprintf(s->description, sizeof(s->description), "two\nlines");
    snprintf(s->os_id, sizeof(s->os_id), "http://debian.org/debian/11");
    snprintf(s->domain_type, sizeof(s->domain_type), "kvm");
    snprintf(s->machine, sizeof(s->machine), "q35");
    s->vcpus = 2;
    s->memory_mib = 2048;
    s->uefi = true;
    s->tpm = true;
    s->virtio = true;
    d = &s->disks[s->disk_count++];
    snprintf(d->path, sizeof(d->path), "/var/lib/libvirt/images/网站-1-vda.qcow2");
    snprintf(d->format, sizeof(d->format), "qcow2");
    snprintf(d->bus, sizeof(d->bus), "virtio");
    snprintf(d->target, sizeof(d->target), "vda");
    d->boot_order = 2;
    d = &s->disks[s->disk_count++];
    snprintf(d->path, sizeof(d->path), "/dev/vg/install");
    snprintf(d->format, sizeof(d->format), "raw");
    snprintf(d->bus, sizeof(d->bus), "sata");
    snprintf(d->target, sizeof(d->target), "sda");
    d->cdrom = true;
    d->block = true;
    d->boot_order = 1;
    s->nic = VIRT_CREATE_NIC_BRIDGE;
    snprintf(s->nic_source, sizeof(s->nic_source), "br0");
    snprintf(s->nic_model, sizeof(s->nic_model), "e1000e");
}

static void assert_fixture(const struct virt_create_spec *s, const char *name)
{
    char path[512], *want, *got;
    struct app_error err;

    app_error_clear(&err);
    snprintf(path, sizeof(path), FIXTURES "%s", name);
    want = xml_assert_read_file(path);
    got = virt_create_xml_build(s, &err);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
    free(want);
}

static void test_full(void **state)
{
    struct virt_create_spec *s = malloc(sizeof(*s));

    fill_full(s);
    assert_fixture(s, "full.xml");
    free(s);
}

static void test_bare(void **state)
{
    struct virt_create_spec *s = malloc(sizeof(*s));
    char *xml;
    struct app_error err;

    fill_bare(s);
    assert_fixture(s, "bare.xml");
    /* a user-mode NIC has no <source>; a network boots when told to */
    s->nic = VIRT_CREATE_NIC_USER;
    snprintf(s->nic_model, sizeof(s->nic_model), "virtio");
    s->nic_boot_order = 1;
    app_error_clear(&err);
    xml = virt_create_xml_build(s, &err);
    assert_non_null(xml);
    xml_assert_xpath_eq(xml, "string(/domain/devices/interface/@type)", "user");
    xml_assert_xpath_eq(xml, "string(count(/domain/devices/interface/*))", "2");
    xml_assert_xpath_eq(xml, "string(/domain/devices/interface/boot/@order)", "1");
    xml_assert_xpath_eq(xml, "string(count(/domain/cpu))", "0");
    free(xml);
    free(s);
}

static void test_markup_is_text(void **state)
{
    struct virt_create_spec *s = malloc(sizeof(*s));
    struct app_error err;
    char *xml;

    fill_full(s);
    snprintf(s->name, sizeof(s->name), "a<on_crash>x&amp;");
    snprintf(s->title, sizeof(s->title), "t' onload='x");
    snprintf(s->description, sizeof(s->description), "<![CDATA[x]]>&amp;");
    snprintf(s->nic_source, sizeof(s->nic_source), "br0'/><script");
    snprintf(s->os_id, sizeof(s->os_id), "http://x/\"/><os id=\"y");
    app_error_clear(&err);
    xml = virt_create_xml_build(s, &err);
    assert_non_null(xml);
    xml_assert_xpath_eq(xml, "string(/domain/name)", "a<on_crash>x&amp;");
    xml_assert_xpath_eq(xml, "string(count(/domain/on_crash))", "0");
    xml_assert_xpath_eq(xml, "string(/domain/title)", "t' onload='x");
    xml_assert_xpath_eq(xml, "string(/domain/description)", "<![CDATA[x]]>&amp;");
    xml_assert_xpath_eq(xml, "string(/domain/devices/interface/source/@bridge)", "br0'/><script");
    xml_assert_xpath_eq(xml, "string(count(//*[local-name()='os' and @id]))", "1");
    free(xml);
    free(s);
}

static void expect_refused(struct virt_create_spec *s, const char *field)
{
    struct app_error err;
    char *xml;

    app_error_clear(&err);
    xml = virt_create_xml_build(s, &err);
    assert_null(xml);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.field, field);
}

static void test_refusals(void **state)
{
    struct virt_create_spec *s = malloc(sizeof(*s));
    struct app_error err;

    fill_full(s);
    s->name[0] = '\0';
    expect_refused(s, "name");
    fill_full(s);
    snprintf(s->name, sizeof(s->name), "a/b");
    expect_refused(s, "name");
    fill_full(s);
    snprintf(s->title, sizeof(s->title), "two\nlines");
    expect_refused(s, "title");
    fill_full(s);
    snprintf(s->description, sizeof(s->description), "cr\r");
    expect_refused(s, "description");
    fill_full(s);
    snprintf(s->os_id, sizeof(s->os_id), "x\001");
    expect_refused(s, "os");
    fill_full(s);
    snprintf(s->domain_type, sizeof(s->domain_type), "xen");
    expect_refused(s, "type");
    fill_full(s);
    snprintf(s->machine, sizeof(s->machine), "virt");
    expect_refused(s, "machine");
    fill_full(s);
    s->vcpus = 0;
    app_error_clear(&err);
    assert_null(virt_create_xml_build(s, &err));
    assert_string_equal(err.field, "vcpus");
    assert_true(err.has_limits);
    assert_int_equal(err.min, 1);
    assert_int_equal(err.max, VIRT_CREATE_VCPUS_MAX);
    fill_full(s);
    s->memory_mib = VIRT_CREATE_MEMORY_MIB_MAX + 1;
    expect_refused(s, "memory_mib");
    fill_full(s);
    snprintf(s->disks[0].path, sizeof(s->disks[0].path), "relative.qcow2");
    expect_refused(s, "disk");
    fill_full(s);
    snprintf(s->disks[0].format, sizeof(s->disks[0].format), "vmdk");
    expect_refused(s, "disk.format");
    fill_full(s);
    snprintf(s->disks[1].bus, sizeof(s->disks[1].bus), "usb");
    expect_refused(s, "disk.bus");
    fill_full(s);
    snprintf(s->disks[0].target, sizeof(s->disks[0].target), "vd1");
    expect_refused(s, "disk");
    fill_full(s);
    snprintf(s->nic_model, sizeof(s->nic_model), "ne2k");
    expect_refused(s, "network.model");
    fill_full(s);
    s->nic_source[0] = '\0';
    expect_refused(s, "network");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_bare),
        cmocka_unit_test(test_markup_is_text),
        cmocka_unit_test(test_refusals),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
