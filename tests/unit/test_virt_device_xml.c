/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_device_xml: the device request checks and XML builders/editors of
 * server/virt/virt_device_xml.c — every refusal, the exact XML built, and finding,
 * patching and choosing devices in domain XML. Pure; no libvirt connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/xalloc.h"
#include "virt/virt_device_xml.h"
#include "xml_assert.h"

static const char *const domain_xml =
    "<domain type='kvm'><name>t</name><devices>"
    "<disk type='file' device='disk'><driver name='qemu' type='qcow2' cache='none' io='native'/>"
    "<source file='/pool/a.qcow2'/><target dev='vda' bus='virtio'/><alias name='virtio-disk0'/>"
    "<address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/></disk>"
    "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
    "<source file='/pool/old.iso'/><backingStore/><target dev='sda' bus='sata'/><readonly/></disk>"
    "<disk type='volume' device='disk'><source pool='p' volume='v.img'/>"
    "<target dev='vdc' bus='virtio'/></disk>"
    "<interface type='network'><mac address='52:54:00:AA:BB:CC'/>"
    "<source network='default' portid='1234' bridge='virbr0'/><target dev='vnet0'/>"
    "<model type='virtio'/><bandwidth><inbound average='5'/></bandwidth>"
    "<alias name='net0'/></interface>"
    "</devices></domain>";

/* ---- names ---------------------------------------------------------------------- */

static void test_target_valid(void **state)
{
    (void)state;
    assert_true(virt_device_xml_target_valid("vda"));
    assert_true(virt_device_xml_target_valid("sdaaa"));
    assert_true(virt_device_xml_target_valid("hdabcd"));
    assert_false(virt_device_xml_target_valid("vd"));
    assert_false(virt_device_xml_target_valid("vdabcde"));
    assert_false(virt_device_xml_target_valid("VDA"));
    assert_false(virt_device_xml_target_valid("vd1"));
    assert_false(virt_device_xml_target_valid(""));
    assert_false(virt_device_xml_target_valid(NULL));
}

static void test_mac_parse(void **state)
{
    char mac[VIRT_DEVICE_MAC_LEN];

    (void)state;
    assert_int_equal(virt_device_xml_mac_parse("52:54:00:AB:cd:Ef", mac), 0);
    assert_string_equal(mac, "52:54:00:ab:cd:ef");
    assert_int_equal(virt_device_xml_mac_parse("02:00:00:00:00:00", mac), 0);
    assert_int_equal(virt_device_xml_mac_parse("00:00:00:00:00:00", mac), -1);
    assert_int_equal(virt_device_xml_mac_parse("01:00:5e:00:00:01", mac), -1);
    assert_int_equal(virt_device_xml_mac_parse("ff:ff:ff:ff:ff:ff", mac), -1);
    assert_int_equal(virt_device_xml_mac_parse("52:54:00:ab:cd", mac), -1);
    assert_int_equal(virt_device_xml_mac_parse("52:54:00:ab:cd:ef:", mac), -1);
    assert_int_equal(virt_device_xml_mac_parse("52-54-00-ab-cd-ef", mac), -1);
    assert_int_equal(virt_device_xml_mac_parse("52:54:00:ab:cd:eg", mac), -1);
    assert_int_equal(virt_device_xml_mac_parse(NULL, mac), -1);
}

static void test_driver_type(void **state)
{
    (void)state;
    assert_string_equal(virt_device_xml_driver_type("qcow2"), "qcow2");
    assert_string_equal(virt_device_xml_driver_type("iso"), "raw");
    assert_string_equal(virt_device_xml_driver_type(NULL), "raw");
    assert_string_equal(virt_device_xml_driver_type(""), "raw");
    assert_null(virt_device_xml_driver_type("dir"));
    assert_null(virt_device_xml_driver_type("qcow2 "));
}

/* ---- disks ---------------------------------------------------------------------- */

static void test_disk_refusals(void **state)
{
    static const char *const bad[] = {
        "{}",
        "{\"device\":\"disk\"}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"x\":1}",
        "{\"source\":{\"pool\":\"p\"}}",
        "{\"source\":{\"volume\":\"v\"}}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"v\",\"x\":1}}",
        "{\"source\":\"p/v\"}",
        "{\"source\":{\"pool\":\"../p\",\"volume\":\"v\"}}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"../v\"}}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"a/b\"}}",
        "{\"source\":{\"pool\":\"p\",\"volume\":7}}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"new\":{}}",
        "{\"new\":{\"pool\":\"p\",\"name\":\"n\",\"capacity_bytes\":0,\"format\":\"raw\"}}",
        "{\"new\":{\"pool\":\"p\",\"name\":\"n\",\"capacity_bytes\":-1,\"format\":\"raw\"}}",
        "{\"new\":{\"pool\":\"p\",\"name\":\"n\",\"capacity_bytes\":1.5,\"format\":\"raw\"}}",
        "{\"new\":{\"pool\":\"p\",\"name\":\"n\",\"capacity_bytes\":99999999999999999999,"
        "\"format\":\"raw\"}}",
        "{\"new\":{\"pool\":\"p\",\"name\":\"n\",\"capacity_bytes\":17592186044417,"
        "\"format\":\"raw\"}}",
        "{\"new\":{\"pool\":\"p\",\"name\":\"n\",\"capacity_bytes\":1}}",
        "{\"new\":{\"pool\":\"p\",\"name\":\"n\",\"capacity_bytes\":1,\"format\":\"vmdk\"}}",
        "{\"new\":{\"pool\":\"p\",\"name\":\"n\",\"format\":\"raw\"}}",
        "{\"new\":{\"pool\":\"p\",\"name\":\"n\",\"capacity_bytes\":1,\"format\":\"raw\",\"x\":1}}",
        "{\"new\":[]}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"device\":\"floppy\"}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"bus\":\"ide\"}",
        "{\"device\":\"cdrom\",\"bus\":\"virtio\"}",
        "{\"device\":\"cdrom\",\"new\":{\"pool\":\"p\",\"name\":\"n\",\"capacity_bytes\":1,"
        "\"format\":\"raw\"}}",
        "{\"device\":\"cdrom\",\"readonly\":false}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"target\":\"sdb\"}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"bus\":\"scsi\",\"target\":\"vdb\"}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"target\":\"vdabcd\"}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"target\":\"vd\"}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"target\":null}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"cache\":\"fast\"}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"cache\":1}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"io\":\"aio\"}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"io\":\"native\"}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"io\":\"native\",\"cache\":\"unsafe\"}",
        "{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"readonly\":\"true\"}",
    };
    struct virt_device_disk_req req;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct json_object *o = xml_assert_parse(bad[i]);
        struct app_error err = {0};

        if (virt_device_xml_disk_parse(o, &req, &err) != -1 || err.status != 400)
            fail_msg("accepted: %s", bad[i]);
        assert_true(err.message[0] != '\0');
        json_object_put(o);
    }
}

/* A refusal about one member names it (dotted when nested), with the range of a number. */
static void test_disk_refusal_fields(void **state)
{
    static const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"bus\":\"floppy\"}", "bus"},
        {"{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"readonly\":\"true\"}", "readonly"},
        {"{\"source\":{\"pool\":\"p\",\"volume\":\"v\"},\"io\":\"native\"}", "io"},
        {"{\"source\":{\"pool\":\"p\"}}", "source.volume"},
        {"{\"new\":{\"pool\":\"p\",\"name\":\"n\",\"format\":\"raw\"}}", "new.capacity_bytes"},
        {"{}", "source"},
    };
    struct virt_device_disk_req req;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct json_object *o = xml_assert_parse(cases[i].body);
        struct app_error err = {0};

        assert_int_equal(virt_device_xml_disk_parse(o, &req, &err), -1);
        if (strcmp(err.field, cases[i].field) != 0)
            fail_msg("%s: field \"%s\", want \"%s\"", cases[i].body, err.field, cases[i].field);
        json_object_put(o);
    }
}

static void test_disk_defaults(void **state)
{
    struct virt_device_disk_req req;
    struct app_error err = {0};
    struct json_object *o = xml_assert_parse("{\"device\":\"cdrom\"}");

    (void)state;
    assert_int_equal(virt_device_xml_disk_parse(o, &req, &err), 0);
    assert_int_equal(req.source, VIRT_DEVICE_SOURCE_NONE);
    assert_string_equal(req.bus, "sata");
    assert_true(req.readonly);
    assert_string_equal(req.cache, "");
    json_object_put(o);

    o = xml_assert_parse(
        "{\"new\":{\"pool\":\"default-pool\",\"name\":\"n.img\",\"capacity_bytes\":"
        "17592186044416,\"format\":\"raw\"},\"cache\":\"default\",\"io\":\"default\"}");
    assert_int_equal(virt_device_xml_disk_parse(o, &req, &err), 0);
    assert_int_equal(req.source, VIRT_DEVICE_SOURCE_NEW);
    assert_string_equal(req.pool, "default-pool");
    assert_string_equal(req.volume, "n.img");
    assert_true(req.capacity == 17592186044416ULL);
    assert_string_equal(req.new_format, "raw");
    assert_string_equal(req.bus, "virtio");
    assert_string_equal(req.device, "disk");
    assert_string_equal(req.cache, "");
    assert_string_equal(req.io, "");
    assert_false(req.readonly);
    json_object_put(o);
}

static void test_disk_build(void **state)
{
    struct virt_device_volume file = {"/pool/a&b.qcow2", false, "qcow2"};
    struct virt_device_volume block = {"/dev/vg/lv", true, NULL};
    struct virt_device_volume iso = {"/pool/x.iso", false, "iso"};
    struct virt_device_volume weird = {"/pool/d", false, "dir"};
    struct app_error err = {0};
    struct json_object *o;
    char *xml = NULL;

    (void)state;
    o = xml_assert_parse(
        "{\"source\":{\"pool\":\"p\",\"volume\":\"a\"},\"cache\":\"none\",\"io\":\"native\"}");
    assert_int_equal(virt_device_xml_disk(o, &file, "vdb", &xml, &err), 0);
    assert_string_equal(
        xml, "<disk type=\"file\" device=\"disk\"><driver name=\"qemu\" "
             "type=\"qcow2\" cache=\"none\" io=\"native\"/><source "
             "file=\"/pool/a&amp;b.qcow2\"/><target dev=\"vdb\" bus=\"virtio\"/></disk>");
    free(xml);
    json_object_put(o);

    o = xml_assert_parse(
        "{\"source\":{\"pool\":\"p\",\"volume\":\"a\"},\"bus\":\"scsi\",\"target\":\"sdc\","
        "\"readonly\":true}");
    assert_int_equal(virt_device_xml_disk(o, &block, NULL, &xml, &err), 0);
    assert_string_equal(xml, "<disk type=\"block\" device=\"disk\"><driver name=\"qemu\" "
                             "type=\"raw\"/><source dev=\"/dev/vg/lv\"/><target dev=\"sdc\" "
                             "bus=\"scsi\"/><readonly/></disk>");
    free(xml);
    /* a volume format qemu cannot take: 409 */
    assert_int_equal(virt_device_xml_disk(o, &weird, NULL, &xml, &err), -1);
    assert_int_equal(err.status, 409);
    assert_null(xml);
    json_object_put(o);

    o = xml_assert_parse("{\"device\":\"cdrom\"}");
    assert_int_equal(virt_device_xml_disk(o, NULL, "sda", &xml, &err), 0);
    assert_string_equal(xml, "<disk type=\"file\" device=\"cdrom\"><driver name=\"qemu\" "
                             "type=\"raw\"/><target dev=\"sda\" bus=\"sata\"/><readonly/></disk>");
    free(xml);
    /* a source the request did not ask for, or no target at all */
    assert_int_equal(virt_device_xml_disk(o, &iso, "sda", &xml, &err), -1);
    assert_int_equal(virt_device_xml_disk(o, NULL, NULL, &xml, &err), -1);
    assert_int_equal(virt_device_xml_disk(o, NULL, "s", &xml, &err), -1);
    json_object_put(o);

    o = xml_assert_parse("{\"source\":{\"pool\":\"p\",\"volume\":\"a\"}}");
    assert_int_equal(virt_device_xml_disk(o, NULL, "vdb", &xml, &err), -1);
    struct virt_device_volume relative = {"pool/a", false, "raw"};
    assert_int_equal(virt_device_xml_disk(o, &relative, "vdb", &xml, &err), -1);
    json_object_put(o);
}

static void test_disk_patch_parse(void **state)
{
    static const char *const bad[] = {"{}", "{\"cache\":\"x\"}", "{\"io\":2}",
                                      "{\"readonly\":\"no\"}", "{\"bus\":\"sata\"}"};
    struct virt_device_disk_patch p;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct json_object *o = xml_assert_parse(bad[i]);
        struct app_error err = {0};

        if (virt_device_xml_disk_patch_parse(o, &p, &err) != -1 || err.status != 400)
            fail_msg("accepted: %s", bad[i]);
        json_object_put(o);
    }
}

static void test_disk_patch(void **state)
{
    struct virt_device_disk_patch p = {0};
    struct app_error err = {0};
    char *xml = NULL;

    (void)state;
    p.has_cache = true;
    snprintf(p.cache, sizeof(p.cache), "default");
    p.has_io = true;
    snprintf(p.io, sizeof(p.io), "default");
    p.has_readonly = true;
    p.readonly = true;
    assert_int_equal(virt_device_xml_disk_patch(domain_xml, "vda", &p, &xml, &err), 0);
    assert_non_null(strstr(xml, "<driver name=\"qemu\" type=\"qcow2\"/>"));
    assert_non_null(strstr(xml, "<readonly/>"));
    assert_non_null(strstr(xml, "<address type=\"pci\""));
    free(xml);

    /* io native needs cache none/directsync after the change */
    memset(&p, 0, sizeof(p));
    p.has_cache = true;
    snprintf(p.cache, sizeof(p.cache), "writeback");
    assert_int_equal(virt_device_xml_disk_patch(domain_xml, "vda", &p, &xml, &err), -1);
    assert_int_equal(err.status, 400);
    assert_null(xml);

    /* a cdrom stays read-only */
    memset(&p, 0, sizeof(p));
    p.has_readonly = true;
    assert_int_equal(virt_device_xml_disk_patch(domain_xml, "sda", &p, &xml, &err), -1);
    assert_int_equal(err.status, 400);

    /* a disk without <driver> gets one */
    p.has_readonly = false;
    p.has_io = true;
    snprintf(p.io, sizeof(p.io), "threads");
    assert_int_equal(virt_device_xml_disk_patch(domain_xml, "vdc", &p, &xml, &err), 0);
    assert_non_null(strstr(xml, "<driver name=\"qemu\" io=\"threads\"/>"));
    free(xml);

    assert_int_equal(virt_device_xml_disk_patch(domain_xml, "vdz", &p, &xml, &err), -1);
    assert_int_equal(err.status, 404);
    assert_int_equal(virt_device_xml_disk_patch("<domain", "vda", &p, &xml, &err), -1);
    assert_int_equal(err.status, 502);
}

static void test_disk_media(void **state)
{
    struct virt_device_volume iso = {"/pool/new.iso", false, "iso"};
    struct virt_device_volume dev = {"/dev/sr0", true, "raw"};
    struct app_error err = {0};
    char *xml = NULL;

    (void)state;
    assert_int_equal(virt_device_xml_disk_media(domain_xml, "sda", &iso, &xml, &err), 0);
    assert_string_equal(xml, "<disk type=\"file\" device=\"cdrom\"><driver name=\"qemu\" "
                             "type=\"raw\"/><target dev=\"sda\" bus=\"sata\"/><readonly/><source "
                             "file=\"/pool/new.iso\"/></disk>");
    free(xml);
    assert_int_equal(virt_device_xml_disk_media(domain_xml, "sda", &dev, &xml, &err), 0);
    assert_non_null(strstr(xml, "type=\"block\""));
    assert_non_null(strstr(xml, "<source dev=\"/dev/sr0\"/>"));
    free(xml);
    assert_int_equal(virt_device_xml_disk_media(domain_xml, "sda", NULL, &xml, &err), 0);
    assert_null(strstr(xml, "<source"));
    assert_null(strstr(xml, "backingStore"));
    free(xml);
    assert_int_equal(virt_device_xml_disk_media(domain_xml, "vda", &iso, &xml, &err), -1);
    assert_int_equal(err.status, 409);
    assert_int_equal(virt_device_xml_disk_media(domain_xml, "vda", NULL, &xml, &err), -1);
    assert_int_equal(err.status, 409);
    assert_int_equal(virt_device_xml_disk_media(domain_xml, "sdq", NULL, &xml, &err), -1);
    assert_int_equal(err.status, 404);
}

static void test_disk_find(void **state)
{
    struct app_error err = {0};
    char device[16];
    char *elem = NULL;

    (void)state;
    assert_int_equal(
        virt_device_xml_disk_find(domain_xml, "vda", true, &elem, device, sizeof(device), &err), 1);
    assert_string_equal(device, "disk");
    assert_null(strstr(elem, "<address"));
    assert_null(strstr(elem, "<alias"));
    assert_non_null(strstr(elem, "<target dev=\"vda\""));
    free(elem);
    assert_int_equal(virt_device_xml_disk_find(domain_xml, "vda", false, &elem, NULL, 0, &err), 1);
    assert_non_null(strstr(elem, "<address"));
    free(elem);
    assert_int_equal(
        virt_device_xml_disk_find(domain_xml, "sda", false, NULL, device, sizeof(device), &err), 1);
    assert_string_equal(device, "cdrom");
    assert_int_equal(virt_device_xml_disk_find(domain_xml, "vdb", false, &elem, NULL, 0, &err), 0);
    assert_null(elem);
    assert_int_equal(virt_device_xml_disk_find("<network/>", "vda", false, NULL, NULL, 0, &err),
                     -1);
    assert_int_equal(err.status, 502);
    assert_int_equal(virt_device_xml_disk_find("<domain/>", "vda", false, NULL, NULL, 0, &err), 0);
}

static void test_free_target(void **state)
{
    struct app_error err = {0};
    char t[VIRT_DEVICE_TARGET_MAX];
    const char *xmls[3] = {domain_xml, NULL,
                           "<domain><devices><disk><target dev='vdb'/></disk></devices></domain>"};
    char *full;
    size_t len = 0, cap = 64 * 1024;

    (void)state;
    assert_int_equal(virt_device_xml_free_target(xmls, 3, "vd", t, &err), 0);
    assert_string_equal(t, "vdd");
    assert_int_equal(virt_device_xml_free_target(xmls, 1, "sd", t, &err), 0);
    assert_string_equal(t, "sdb");

    /* every name taken: vda..vdz, vdaa..vdzz */
    full = xmalloc(cap);
    len += (size_t)snprintf(full + len, cap - len, "<domain><devices>");
    for (int i = 0; i < 26 + 26 * 26; i++) {
        char name[8];

        if (i < 26)
            snprintf(name, sizeof(name), "vd%c", 'a' + i);
        else
            snprintf(name, sizeof(name), "vd%c%c", 'a' + (i - 26) / 26, 'a' + (i - 26) % 26);
        len += (size_t)snprintf(full + len, cap - len, "<disk><target dev='%s'/></disk>", name);
    }
    snprintf(full + len, cap - len, "</devices></domain>");
    xmls[0] = full;
    assert_int_equal(virt_device_xml_free_target(xmls, 1, "vd", t, &err), -1);
    assert_int_equal(err.status, 409);
    assert_int_equal(virt_device_xml_free_target(xmls, 1, "sd", t, &err), 0);
    assert_string_equal(t, "sda");
    free(full);
    xmls[0] = "garbage";
    assert_int_equal(virt_device_xml_free_target(xmls, 1, "vd", t, &err), -1);
    assert_int_equal(err.status, 502);
}

static void test_disk_uses(void **state)
{
    struct app_error err = {0};

    (void)state;
    assert_int_equal(virt_device_xml_disk_uses(domain_xml, "/pool/a.qcow2", NULL, NULL, &err), 1);
    assert_int_equal(virt_device_xml_disk_uses(domain_xml, "/pool/b.qcow2", NULL, NULL, &err), 0);
    assert_int_equal(virt_device_xml_disk_uses(domain_xml, "/other", "p", "v.img", &err), 1);
    assert_int_equal(virt_device_xml_disk_uses(domain_xml, "/other", "p", "w.img", &err), 0);
    assert_int_equal(virt_device_xml_disk_uses(domain_xml, "", NULL, NULL, &err), 0);
    assert_int_equal(virt_device_xml_disk_uses("<x/>", "/a", NULL, NULL, &err), -1);
}

/* ---- interfaces ---------------------------------------------------------------------- */

static void test_nic_refusals(void **state)
{
    static const char *const bad_attach[] = {
        "{}",
        "{\"model\":\"virtio\"}",
        "{\"network\":\"default\",\"bridge\":\"br0\"}",
        "{\"network\":\"default\",\"x\":1}",
        "{\"network\":\"\"}",
        "{\"network\":\"a/b\"}",
        "{\"network\":5}",
        "{\"bridge\":\"0123456789abcdef\"}",
        "{\"bridge\":\"-br\"}",
        "{\"bridge\":\"br 0\"}",
        "{\"network\":\"default\",\"model\":\"ne2k_pci\"}",
        "{\"network\":\"default\",\"mac\":\"01:00:00:00:00:01\"}",
        "{\"network\":\"default\",\"mac\":\"00:00:00:00:00:00\"}",
        "{\"network\":\"default\",\"mac\":52}",
        "{\"network\":\"default\",\"link\":\"UP\"}",
        "{\"network\":\"default\",\"vlan\":0}",
        "{\"network\":\"default\",\"vlan\":4095}",
        "{\"network\":\"default\",\"vlan\":null}",
        "{\"network\":\"default\",\"vlan\":\"5\"}",
        "{\"network\":\"default\",\"bandwidth\":null}",
        "{\"network\":\"default\",\"bandwidth\":{}}",
        "{\"network\":\"default\",\"bandwidth\":[]}",
        "{\"network\":\"default\",\"bandwidth\":{\"inbound\":{}}}",
        "{\"network\":\"default\",\"bandwidth\":{\"inbound\":5}}",
        "{\"network\":\"default\",\"bandwidth\":{\"inbound\":{\"peak\":1}}}",
        "{\"network\":\"default\",\"bandwidth\":{\"inbound\":{\"average\":0}}}",
        "{\"network\":\"default\",\"bandwidth\":{\"inbound\":{\"average\":4294967296}}}",
        "{\"network\":\"default\",\"bandwidth\":{\"outbound\":{\"average\":1,\"burst\":0}}}",
        "{\"network\":\"default\",\"bandwidth\":{\"outbound\":{\"average\":1,\"floor\":1}}}",
        "{\"network\":\"default\",\"bandwidth\":{\"inbound\":{\"average\":1},\"x\":{}}}",
        "{\"user\":false}",
        "{\"user\":\"yes\"}",
        "{\"user\":true,\"network\":\"default\"}",
        "{\"user\":true,\"bridge\":\"br0\"}",
    };
    static const char *const bad_patch[] = {
        "{}",
        "{\"user\":false}",
        "{\"user\":true,\"bridge\":\"b\"}",
        "{\"mac\":\"52:54:00:00:00:01\"}",
        "{\"network\":\"a\",\"bridge\":\"b\"}",
        "{\"vlan\":-1}",
        "{\"bandwidth\":{}}",
        "{\"link\":null}",
    };
    struct virt_device_nic_req req;

    (void)state;
    for (size_t i = 0; i < sizeof(bad_attach) / sizeof(bad_attach[0]); i++) {
        struct json_object *o = xml_assert_parse(bad_attach[i]);
        struct app_error err = {0};

        if (virt_device_xml_nic_parse(o, false, &req, &err) != -1 || err.status != 400)
            fail_msg("accepted: %s", bad_attach[i]);
        json_object_put(o);
    }
    for (size_t i = 0; i < sizeof(bad_patch) / sizeof(bad_patch[0]); i++) {
        struct json_object *o = xml_assert_parse(bad_patch[i]);
        struct app_error err = {0};

        if (virt_device_xml_nic_parse(o, true, &req, &err) != -1 || err.status != 400)
            fail_msg("accepted patch: %s", bad_patch[i]);
        json_object_put(o);
    }
}

static void test_nic_build(void **state)
{
    struct app_error err = {0};
    struct json_object *o;
    char *xml = NULL;

    (void)state;
    o = xml_assert_parse("{\"network\":\"default\"}");
    assert_int_equal(virt_device_xml_interface(o, &xml, &err), 0);
    assert_string_equal(xml, "<interface type=\"network\"><source network=\"default\"/><model "
                             "type=\"virtio\"/></interface>");
    free(xml);
    json_object_put(o);

    o = xml_assert_parse(
        "{\"bridge\":\"br0\",\"model\":\"e1000e\",\"mac\":\"52:54:00:AB:CD:EF\",\"link\":"
        "\"down\",\"vlan\":4094,\"bandwidth\":{\"inbound\":{\"average\":1000,\"peak\":2000,"
        "\"burst\":512},\"outbound\":{\"average\":4294967295}}}");
    assert_int_equal(virt_device_xml_interface(o, &xml, &err), 0);
    assert_string_equal(
        xml, "<interface type=\"bridge\"><source bridge=\"br0\"/><mac "
             "address=\"52:54:00:ab:cd:ef\"/><model type=\"e1000e\"/><link state=\"down\"/>"
             "<bandwidth><inbound average=\"1000\" peak=\"2000\" burst=\"512\"/><outbound "
             "average=\"4294967295\"/></bandwidth><vlan><tag id=\"4094\"/></vlan></interface>");
    free(xml);
    json_object_put(o);

    /* user-mode networking: no <source> */
    o = xml_assert_parse("{\"user\":true,\"model\":\"e1000\",\"link\":\"down\"}");
    assert_int_equal(virt_device_xml_interface(o, &xml, &err), 0);
    assert_string_equal(xml, "<interface type=\"user\"><model type=\"e1000\"/><link "
                             "state=\"down\"/></interface>");
    free(xml);
    json_object_put(o);
}

static void test_nic_find_and_patch(void **state)
{
    struct virt_device_nic_req req;
    struct app_error err = {0};
    struct json_object *o;
    char *xml = NULL;
    bool changed;

    (void)state;
    assert_int_equal(virt_device_xml_nic_find(domain_xml, "52:54:00:aa:bb:cc", true, &xml, &err),
                     1);
    assert_null(strstr(xml, "<alias"));
    free(xml);
    assert_int_equal(virt_device_xml_nic_find(domain_xml, "52:54:00:aa:bb:cd", true, &xml, &err),
                     0);

    /* live: the model waits for the next boot; the source keeps its port */
    o = xml_assert_parse(
        "{\"model\":\"e1000\",\"link\":\"down\",\"bandwidth\":null,\"network\":\"default\"}");
    assert_int_equal(virt_device_xml_nic_parse(o, true, &req, &err), 0);
    json_object_put(o);
    assert_int_equal(virt_device_xml_nic_patch(domain_xml, "52:54:00:aa:bb:cc", &req, true, &xml,
                                               &changed, &err),
                     0);
    assert_true(changed);
    assert_non_null(strstr(xml, "portid=\"1234\""));
    assert_non_null(strstr(xml, "<model type=\"virtio\"/>"));
    assert_non_null(strstr(xml, "<link state=\"down\"/>"));
    assert_null(strstr(xml, "bandwidth"));
    free(xml);
    assert_int_equal(virt_device_xml_nic_patch(domain_xml, "52:54:00:aa:bb:cc", &req, false, &xml,
                                               &changed, &err),
                     0);
    assert_non_null(strstr(xml, "<model type=\"e1000\"/>"));
    free(xml);

    /* only the model, live: nothing changes */
    o = xml_assert_parse("{\"model\":\"e1000\"}");
    assert_int_equal(virt_device_xml_nic_parse(o, true, &req, &err), 0);
    json_object_put(o);
    assert_int_equal(virt_device_xml_nic_patch(domain_xml, "52:54:00:aa:bb:cc", &req, true, &xml,
                                               &changed, &err),
                     0);
    assert_false(changed);
    free(xml);

    /* a new source replaces the old one and sets the type */
    o = xml_assert_parse("{\"bridge\":\"br1\",\"vlan\":7}");
    assert_int_equal(virt_device_xml_nic_parse(o, true, &req, &err), 0);
    json_object_put(o);
    assert_int_equal(virt_device_xml_nic_patch(domain_xml, "52:54:00:aa:bb:cc", &req, false, &xml,
                                               &changed, &err),
                     0);
    assert_non_null(strstr(xml, "<interface type=\"bridge\">"));
    assert_non_null(strstr(xml, "<source bridge=\"br1\"/>"));
    assert_null(strstr(xml, "network="));
    assert_non_null(strstr(xml, "<vlan><tag id=\"7\"/></vlan>"));
    free(xml);

    /* to user-mode: the type changes and the source goes */
    o = xml_assert_parse("{\"user\":true}");
    assert_int_equal(virt_device_xml_nic_parse(o, true, &req, &err), 0);
    json_object_put(o);
    assert_int_equal(virt_device_xml_nic_patch(domain_xml, "52:54:00:aa:bb:cc", &req, false, &xml,
                                               &changed, &err),
                     0);
    assert_true(changed);
    assert_non_null(strstr(xml, "<interface type=\"user\">"));
    assert_null(strstr(xml, "<source"));
    free(xml);

    assert_int_equal(virt_device_xml_nic_patch(domain_xml, "52:54:00:00:00:01", &req, false, &xml,
                                               &changed, &err),
                     -1);
    assert_int_equal(err.status, 404);
    assert_null(xml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_valid),       cmocka_unit_test(test_mac_parse),
        cmocka_unit_test(test_driver_type),        cmocka_unit_test(test_disk_refusals),
        cmocka_unit_test(test_disk_defaults),      cmocka_unit_test(test_disk_build),
        cmocka_unit_test(test_disk_patch_parse),   cmocka_unit_test(test_disk_patch),
        cmocka_unit_test(test_disk_media),         cmocka_unit_test(test_disk_find),
        cmocka_unit_test(test_free_target),        cmocka_unit_test(test_disk_uses),
        cmocka_unit_test(test_nic_refusals),       cmocka_unit_test(test_nic_build),
        cmocka_unit_test(test_nic_find_and_patch), cmocka_unit_test(test_disk_refusal_fields),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
