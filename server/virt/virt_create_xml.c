/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_create_xml: a new VM's domain XML from its resolved spec (see virt_create_xml.h).
 * Pure; any thread. Every string is checked before it reaches the tree, and the tree
 * API escapes it, so the document holds exactly the elements this file adds. */
#include "virt/virt_create_xml.h"

#include <stdio.h>
#include <string.h>

#include "virt/virt_osinfo.h"
#include "virt/virt_xml.h"

static const char *const create_buses[] = {"virtio", "sata", "scsi", "ide", NULL};
static const char *const create_nic_models[] = {"virtio", "e1000e", "e1000", "rtl8139", NULL};

static bool create_in(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return true;
    return false;
}

bool virt_create_xml_bus_valid(const char *s)
{
    return s && create_in(s, create_buses);
}

bool virt_create_xml_nic_model_valid(const char *s)
{
    return s && create_in(s, create_nic_models);
}

/* True if s is non-empty, fits max bytes with its NUL and holds no control character
 * and only valid UTF-8 (the TITLE rule: one line). */
static bool create_text_ok(const char *s, size_t max)
{
    size_t len = strnlen(s, max);

    return len > 0 && len < max && utf8_name_check(s, len, UTF8_NAME_TITLE) == UTF8_NAME_OK;
}

/* True if s is 3 to 7 lower-case letters (a disk target). */
static bool create_target_ok(const char *s)
{
    size_t len = strnlen(s, 8);

    if (len < 3 || len > 7)
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] < 'a' || s[i] > 'z')
            return false;
    return true;
}

static int create_refuse(struct app_error *err, const char *field, const char *why)
{
    app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s\" %s", field, why);
    app_error_at_field(err, "", field);
    return -1;
}

/* True if s is a UUID: 36 characters, hex digits with '-' at 8, 13, 18 and 23. */
static bool create_uuid_ok(const char *s)
{
    if (strnlen(s, VIRT_CREATE_UUID_LEN) != VIRT_CREATE_UUID_LEN - 1)
        return false;
    for (size_t i = 0; i < VIRT_CREATE_UUID_LEN - 1; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;

        if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]))
            return false;
    }
    return true;
}

/* The uuid and the direct kernel boot: all three of kernel, initrd, cmdline or none. */
static int create_check_boot(const struct virt_create_spec *spec, struct app_error *err)
{
    if (spec->uuid[0] && !create_uuid_ok(spec->uuid))
        return create_refuse(err, "uuid", "is not a UUID");
    if (!spec->kernel[0] && !spec->initrd[0] && !spec->cmdline[0])
        return 0;
    if (!create_text_ok(spec->kernel, sizeof(spec->kernel)) || spec->kernel[0] != '/' ||
        !create_text_ok(spec->initrd, sizeof(spec->initrd)) || spec->initrd[0] != '/')
        return create_refuse(err, "source.url", "has no valid kernel and initrd volumes");
    if (!create_text_ok(spec->cmdline, sizeof(spec->cmdline)))
        return create_refuse(err, "source.url", "gives no valid kernel command line");
    return 0;
}

/* Every member against its rule; 0 or -1 with err. */
static int create_check(const struct virt_create_spec *spec, struct app_error *err)
{
    const char *why;

    if ((why = utf8_name_explain(spec->name, UTF8_NAME_FILE)))
        return create_refuse(err, "name", why);
    if ((why = utf8_name_explain(spec->title, UTF8_NAME_TITLE)))
        return create_refuse(err, "title", why);
    if ((why = utf8_name_explain(spec->description, UTF8_NAME_DESCRIPTION)))
        return create_refuse(err, "description", why);
    if (spec->os_id[0] && !create_text_ok(spec->os_id, sizeof(spec->os_id)))
        return create_refuse(err, "os", "is not a valid OS id");
    if (strcmp(spec->domain_type, "kvm") && strcmp(spec->domain_type, "qemu") &&
        strcmp(spec->domain_type, "test"))
        return create_refuse(err, "type", "is not kvm, qemu or test");
    if (strcmp(spec->machine, "q35") && strcmp(spec->machine, "pc"))
        return create_refuse(err, "machine", "is not q35 or pc");
    if (spec->vcpus < 1 || spec->vcpus > VIRT_CREATE_VCPUS_MAX) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"vcpus\" must be from 1 to %d",
                      VIRT_CREATE_VCPUS_MAX);
        app_error_at_range(err, "", "vcpus", 1, VIRT_CREATE_VCPUS_MAX);
        return -1;
    }
    if (spec->memory_mib < 1 || spec->memory_mib > VIRT_CREATE_MEMORY_MIB_MAX) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"memory_mib\" must be from 1 to %llu",
                      VIRT_CREATE_MEMORY_MIB_MAX);
        app_error_at_range(err, "", "memory_mib", 1, (long long)VIRT_CREATE_MEMORY_MIB_MAX);
        return -1;
    }
    if (spec->disk_count > VIRT_CREATE_DISKS_MAX)
        return create_refuse(err, "disk", "has too many disks");
    for (size_t i = 0; i < spec->disk_count; i++) {
        const struct virt_create_disk *d = &spec->disks[i];

        if (!create_text_ok(d->path, sizeof(d->path)) || d->path[0] != '/')
            return create_refuse(err, "disk", "has no valid volume path");
        if (strcmp(d->format, "qcow2") && strcmp(d->format, "raw"))
            return create_refuse(err, "disk.format", "must be qcow2 or raw");
        if (!virt_create_xml_bus_valid(d->bus))
            return create_refuse(err, "disk.bus", "must be virtio, sata, scsi or ide");
        if (!create_target_ok(d->target))
            return create_refuse(err, "disk", "has no valid target");
    }
    if (spec->nic != VIRT_CREATE_NIC_NONE && !virt_create_xml_nic_model_valid(spec->nic_model))
        return create_refuse(err, "network.model", "must be virtio, e1000e, e1000 or rtl8139");
    if ((spec->nic == VIRT_CREATE_NIC_NETWORK || spec->nic == VIRT_CREATE_NIC_BRIDGE) &&
        !create_text_ok(spec->nic_source, sizeof(spec->nic_source)))
        return create_refuse(err, "network", "names no valid network or bridge");
    return create_check_boot(spec, err);
}

static xmlNodePtr create_add_unsigned(xmlNodePtr parent, const char *name, unsigned long long n)
{
    char text[24];

    snprintf(text, sizeof(text), "%llu", n);
    return virt_xml_add_text(parent, name, text);
}

static void create_add_boot(xmlNodePtr parent, unsigned order)
{
    char text[16];

    if (!order)
        return;
    snprintf(text, sizeof(text), "%u", order);
    virt_xml_add_prop(parent, "boot", "order", text);
}

/* <metadata><libosinfo:libosinfo><libosinfo:os id=.../></...></metadata>, as
 * virt-install writes it. */
static void create_add_metadata(xmlNodePtr root, const char *os_id)
{
    xmlNodePtr metadata = virt_xml_add(root, "metadata");
    xmlNodePtr info = xmlNewChild(metadata, NULL, BAD_CAST "libosinfo", NULL);
    xmlNsPtr ns = xmlNewNs(info, BAD_CAST VIRT_OSINFO_METADATA_NS, BAD_CAST "libosinfo");
    xmlNodePtr os;

    xmlSetNs(info, ns);
    os = xmlNewChild(info, ns, BAD_CAST "os", NULL);
    virt_xml_set(os, "id", os_id);
}

static void create_add_os(xmlNodePtr root, const struct virt_create_spec *spec)
{
    xmlNodePtr os = virt_xml_add(root, "os"), type, features;

    if (spec->uefi)
        virt_xml_set(os, "firmware", "efi");
    type = virt_xml_add_text(os, "type", "hvm");
    virt_xml_set(type, "arch", "x86_64");
    virt_xml_set(type, "machine", spec->machine);
    if (spec->kernel[0]) {
        virt_xml_add_text(os, "kernel", spec->kernel);
        virt_xml_add_text(os, "initrd", spec->initrd);
        virt_xml_add_text(os, "cmdline", spec->cmdline);
    }
    features = virt_xml_add(root, "features");
    virt_xml_add(features, "acpi");
    virt_xml_add(features, "apic");
    /* host-passthrough: the fastest and what a single-host console wants; a VM that
     * must migrate between unlike hosts can be changed to host-model later (PATCH cpu) */
    if (!strcmp(spec->domain_type, "kvm"))
        virt_xml_add_prop(root, "cpu", "mode", "host-passthrough");
}

static void create_add_disk(xmlNodePtr devices, const struct virt_create_disk *d)
{
    xmlNodePtr disk = virt_xml_add(devices, "disk"), driver, target;

    virt_xml_set(disk, "type", d->block ? "block" : "file");
    virt_xml_set(disk, "device", d->cdrom ? "cdrom" : "disk");
    driver = virt_xml_add_prop(disk, "driver", "name", "qemu");
    virt_xml_set(driver, "type", d->format);
    virt_xml_add_prop(disk, "source", d->block ? "dev" : "file", d->path);
    target = virt_xml_add_prop(disk, "target", "dev", d->target);
    virt_xml_set(target, "bus", d->bus);
    if (d->cdrom)
        virt_xml_add(disk, "readonly");
    create_add_boot(disk, d->boot_order);
}

void virt_create_xml_add_nic(xmlNodePtr devices, const struct virt_create_spec *spec)
{
    static const char *const types[] = {
        [VIRT_CREATE_NIC_NETWORK] = "network",
        [VIRT_CREATE_NIC_BRIDGE] = "bridge",
        [VIRT_CREATE_NIC_USER] = "user",
    };
    xmlNodePtr nic;

    if (spec->nic == VIRT_CREATE_NIC_NONE)
        return;
    nic = virt_xml_add_prop(devices, "interface", "type", types[spec->nic]);
    if (spec->nic != VIRT_CREATE_NIC_USER)
        virt_xml_add_prop(nic, "source", types[spec->nic], spec->nic_source);
    virt_xml_add_prop(nic, "model", "type", spec->nic_model);
    create_add_boot(nic, spec->nic_boot_order);
}

static void create_add_devices(xmlNodePtr root, const struct virt_create_spec *spec)
{
    xmlNodePtr devices = virt_xml_add(root, "devices"), node, rng, tpm;

    bool scsi = false;

    for (size_t i = 0; i < spec->disk_count; i++) {
        create_add_disk(devices, &spec->disks[i]);
        scsi = scsi || !strcmp(spec->disks[i].bus, "scsi");
    }
    /* SCSI disks on virtio-scsi (libvirt's default model is an emulated LSI card, which
     * e.g. Debian's cloud kernel lacks) */
    if (scsi)
        virt_xml_set(virt_xml_add_prop(devices, "controller", "type", "scsi"), "model",
                     "virtio-scsi");
    virt_create_xml_add_nic(devices, spec);
    node = virt_xml_add_prop(devices, "serial", "type", "pty");
    virt_xml_add_prop(node, "target", "port", "0");
    node = virt_xml_add_prop(devices, "console", "type", "pty");
    node = virt_xml_add_prop(node, "target", "type", "serial");
    virt_xml_set(node, "port", "0");
    node = virt_xml_add_prop(devices, "graphics", "type", "vnc");
    virt_xml_set(node, "port", "-1");
    virt_xml_set(node, "autoport", "yes");
    node = virt_xml_add_prop(node, "listen", "type", "address");
    virt_xml_set(node, "address", "127.0.0.1");
    node = virt_xml_add(devices, "video");
    virt_xml_add_prop(node, "model", "type", spec->virtio ? "virtio" : "vga");
    rng = virt_xml_add_prop(devices, "rng", "model", "virtio");
    virt_xml_set(virt_xml_add_text(rng, "backend", "/dev/urandom"), "model", "random");
    if (spec->tpm) {
        tpm = virt_xml_add_prop(devices, "tpm", "model", "tpm-crb");
        virt_xml_set(virt_xml_add_prop(tpm, "backend", "type", "emulator"), "version", "2.0");
    }
}

char *virt_create_xml_build(const struct virt_create_spec *spec, struct app_error *err)
{
    xmlDocPtr doc = NULL;
    xmlNodePtr root;
    char *xml = NULL;

    if (create_check(spec, err) < 0)
        return NULL;
    root = virt_xml_new_root(&doc, "domain");
    virt_xml_set(root, "type", spec->domain_type);
    virt_xml_add_text(root, "name", spec->name);
    if (spec->uuid[0])
        virt_xml_add_text(root, "uuid", spec->uuid);
    if (spec->title[0])
        virt_xml_add_text(root, "title", spec->title);
    if (spec->description[0])
        virt_xml_add_text(root, "description", spec->description);
    if (spec->os_id[0])
        create_add_metadata(root, spec->os_id);
    virt_xml_set(create_add_unsigned(root, "memory", spec->memory_mib), "unit", "MiB");
    create_add_unsigned(root, "vcpu", spec->vcpus);
    create_add_os(root, spec);
    /* the installer's closing reboot ends the install boot: the next start is the
     * persistent definition's, from the disk */
    if (spec->kernel[0])
        virt_xml_add_text(root, "on_reboot", "destroy");
    create_add_devices(root, spec);
    xml = virt_xml_doc_string(doc, true);
    xmlFreeDoc(doc);
    return xml;
}
