/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_create_xml: libFuzzer target for virt_create_xml_build (server/virt/virt_create_xml.h),
 * the resolved spec → domain XML builder of POST /api/domains, whose strings come from a
 * user (name, title, description) or from libvirt and the osinfo database (paths, the
 * network or bridge, the OS id). Runs on libFuzzer's thread; no state.
 *
 * Input: 8 flag/number bytes, then the strings name, title, description, os id, NIC
 * source, disk path, CD-ROM path, kernel, initrd, kernel command line and UUID (a network
 * install's first boot) separated by '\n' (each may be empty or hold anything).
 * Invariants beyond "no crash": a refusal is a 400 with a field and no XML; an accepted
 * spec gives XML that parses back with root <domain>, exactly the given name, title and
 * description (or none when empty), OS id, UUID, kernel, initrd and command line; and the same
 * elements and attributes, in the same order, as the spec with every string replaced by a plain one
 * of the same emptiness: no string can add or remove an element or attribute (no injection). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "fuzz_input.h"
#include "fuzz_xml.h"
#include "util/buf.h"
#include "virt/virt_create_xml.h"

#define FUZZ_CREATE_STRINGS 11

static void fuzz_create_put(struct buf *out, const char *s)
{
    FUZZ_ASSERT(buf_append_str(out, s) == 0);
}

/* The document's shape: every element's name and every attribute's name, in order. */
static void fuzz_create_shape(xmlNodePtr node, struct buf *out)
{
    for (; node; node = node->next) {
        if (node->type != XML_ELEMENT_NODE)
            continue;
        fuzz_create_put(out, "<");
        fuzz_create_put(out, (const char *)node->name);
        for (xmlAttrPtr a = node->properties; a; a = a->next) {
            fuzz_create_put(out, " ");
            fuzz_create_put(out, (const char *)a->name);
        }
        fuzz_create_put(out, ">");
        fuzz_create_shape(node->children, out);
        fuzz_create_put(out, "/");
    }
}

static char *fuzz_create_shape_of(const char *xml)
{
    xmlDocPtr doc = fuzz_xml_read(xml);
    struct buf out;

    buf_init(&out, 1 << 20);
    fuzz_create_shape(xmlDocGetRootElement(doc), &out);
    xmlFreeDoc(doc);
    return buf_take(&out);
}

/* The first child element of node named name, or NULL. */
static xmlNodePtr fuzz_create_child(xmlNodePtr node, const char *name)
{
    for (xmlNodePtr c = node ? node->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
            return c;
    return NULL;
}

/* The text of the child element name of the root, or NULL when absent (caller frees). */
static char *fuzz_create_text(xmlDocPtr doc, const char *name)
{
    xmlNodePtr c = fuzz_create_child(xmlDocGetRootElement(doc), name);
    xmlChar *t;
    char *s;

    if (!c)
        return NULL;
    t = xmlNodeGetContent(c);
    s = xstrdup((const char *)t);
    xmlFree(t);
    return s;
}

static void fuzz_create_expect_text(xmlDocPtr doc, const char *name, const char *want)
{
    char *got = fuzz_create_text(doc, name);

    if (!want[0])
        FUZZ_ASSERT(got == NULL);
    else
        FUZZ_ASSERT(got && !strcmp(got, want));
    free(got);
}

static void fuzz_create_fill(struct virt_create_spec *spec, const uint8_t *flags, char **s)
{
    static const char *const buses[] = {"virtio", "sata", "scsi", "ide", "usb"};
    static const char *const models[] = {"virtio", "e1000e", "e1000", "rtl8139", "ne2k"};
    static const char *const types[] = {"kvm", "qemu", "test", "xen"};

    memset(spec, 0, sizeof(*spec));
    snprintf(spec->name, sizeof(spec->name), "%s", s[0]);
    snprintf(spec->title, sizeof(spec->title), "%s", s[1]);
    snprintf(spec->description, sizeof(spec->description), "%s", s[2]);
    snprintf(spec->os_id, sizeof(spec->os_id), "%s", s[3]);
    snprintf(spec->nic_source, sizeof(spec->nic_source), "%s", s[4]);
    snprintf(spec->domain_type, sizeof(spec->domain_type), "%s", types[flags[0] % 4]);
    snprintf(spec->machine, sizeof(spec->machine), "%s", flags[0] & 4 ? "pc" : "q35");
    spec->uefi = flags[0] & 8;
    spec->tpm = flags[0] & 16;
    spec->virtio = flags[0] & 32;
    spec->vcpus = flags[1] | (flags[2] & 31) << 8;
    spec->memory_mib = (unsigned long long)flags[3] << 8 | flags[4];
    spec->nic = (enum virt_create_nic)(flags[5] % 4);
    snprintf(spec->nic_model, sizeof(spec->nic_model), "%s", models[(flags[5] >> 2) % 5]);
    spec->nic_boot_order = flags[5] >> 5;
    snprintf(spec->kernel, sizeof(spec->kernel), "%s", s[7]);
    snprintf(spec->initrd, sizeof(spec->initrd), "%s", s[8]);
    snprintf(spec->cmdline, sizeof(spec->cmdline), "%s", s[9]);
    snprintf(spec->uuid, sizeof(spec->uuid), "%s", s[10]);
    spec->disk_count = flags[6] % 3;
    for (size_t i = 0; i < spec->disk_count; i++) {
        struct virt_create_disk *d = &spec->disks[i];

        snprintf(d->path, sizeof(d->path), "%s", s[5 + i]);
        snprintf(d->format, sizeof(d->format), "%s", flags[7] & (1 << i) ? "raw" : "qcow2");
        snprintf(d->bus, sizeof(d->bus), "%s", buses[(flags[6] >> (2 + 2 * i)) % 5]);
        snprintf(d->target, sizeof(d->target), "%s", i ? "sdb" : "vda");
        d->cdrom = i == 1;
        d->block = flags[7] & (4 << i);
        d->boot_order = flags[7] >> 6;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const plain[FUZZ_CREATE_STRINGS] = {"n",
                                                           "t",
                                                           "d",
                                                           "http://o/s",
                                                           "net",
                                                           "/p/a",
                                                           "/p/b",
                                                           "/p/k",
                                                           "/p/i",
                                                           "c",
                                                           "00000000-0000-0000-0000-000000000000"};
    struct virt_create_spec *spec = xcalloc(2, sizeof(*spec));
    char *s[FUZZ_CREATE_STRINGS] = {NULL}, *p[FUZZ_CREATE_STRINGS];
    char *xml = NULL, *xml2 = NULL, *shape = NULL, *shape2 = NULL;
    uint8_t flags[8] = {0};
    struct app_error err;
    xmlDocPtr doc;
    int found = 1;

    memcpy(flags, data, size < 8 ? size : 8);
    data += size < 8 ? size : 8;
    size -= size < 8 ? size : 8;
    for (size_t i = 0; i < FUZZ_CREATE_STRINGS; i++) {
        s[i] = found ? fuzz_input_take(&data, &size, '\n', &found) : xstrdup("");
        p[i] = s[i][0] ? (char *)plain[i] : "";
    }
    fuzz_create_fill(&spec[0], flags, s);
    app_error_clear(&err);
    xml = virt_create_xml_build(&spec[0], &err);
    if (!xml) {
        fuzz_xml_refused(&err, xml);
        FUZZ_ASSERT(err.field[0]);
        goto cleanup;
    }
    doc = fuzz_xml_read(xml);
    FUZZ_ASSERT(!strcmp((const char *)xmlDocGetRootElement(doc)->name, "domain"));
    fuzz_create_expect_text(doc, "name", spec[0].name);
    fuzz_create_expect_text(doc, "title", spec[0].title);
    fuzz_create_expect_text(doc, "description", spec[0].description);
    fuzz_create_expect_text(doc, "uuid", spec[0].uuid);
    {
        xmlNodePtr os = fuzz_create_child(xmlDocGetRootElement(doc), "os");
        static const char *const boot[] = {"kernel", "initrd", "cmdline"};
        const char *want[] = {spec[0].kernel, spec[0].initrd, spec[0].cmdline};

        for (size_t i = 0; i < 3; i++) {
            xmlNodePtr c = fuzz_create_child(os, boot[i]);
            xmlChar *t = c ? xmlNodeGetContent(c) : NULL;

            FUZZ_ASSERT(want[i][0] ? t && !strcmp((const char *)t, want[i]) : !c);
            xmlFree(t);
        }
    }
    if (spec[0].os_id[0]) {
        xmlNodePtr os = fuzz_create_child(
            fuzz_create_child(fuzz_create_child(xmlDocGetRootElement(doc), "metadata"),
                              "libosinfo"),
            "os");
        xmlChar *id = os ? xmlGetProp(os, BAD_CAST "id") : NULL;

        FUZZ_ASSERT(id && !strcmp((const char *)id, spec[0].os_id));
        xmlFree(id);
    }
    xmlFreeDoc(doc);
    /* the same spec with plain strings has the same shape */
    fuzz_create_fill(&spec[1], flags, p);
    xml2 = virt_create_xml_build(&spec[1], &err);
    FUZZ_ASSERT(xml2 != NULL);
    shape = fuzz_create_shape_of(xml);
    shape2 = fuzz_create_shape_of(xml2);
    FUZZ_ASSERT(!strcmp(shape, shape2));

cleanup:
    for (size_t i = 0; i < FUZZ_CREATE_STRINGS; i++)
        free(s[i]);
    free(xml);
    free(xml2);
    free(shape);
    free(shape2);
    free(spec);
    return 0;
}
