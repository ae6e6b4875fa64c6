/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_device_xml: libFuzzer target for the device request parsers and XML builders of
 * server/virt/virt_device_xml.h (their JSON comes straight from API clients). Runs on
 * libFuzzer's thread; no state between runs.
 *
 * Input: one selector byte, then a JSON request. Selector % 4: 0 a disk attach on a file
 * volume, 1 a disk attach on a block volume (a cdrom without source gets no volume),
 * 2 an interface attach, 3 an interface PATCH of a fixed domain XML (live when the
 * selector's bit 2 is set). Invariants beyond "no crash": a refusal is a 400 (or 409
 * for a volume format) with a message and no XML; an accepted request gives XML that
 * re-parses to exactly what the request asked for, read independently from the JSON:
 * no element or attribute it did not ask for (<bandwidth> only with "bandwidth",
 * <vlan> only with "vlan", <link> only with "link", cache/io only when given and not
 * "default", <readonly/> only for a cdrom or "readonly": true), and every value equal
 * to the request's. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "fuzz_input.h"
#include "fuzz_xml.h"
#include "virt/virt_device_xml.h"

static const char *const fuzz_device_domain =
    "<domain><devices><interface type='network'><mac address='52:54:00:aa:bb:cc'/>"
    "<source network='default' portid='x'/><model type='virtio'/><link state='up'/>"
    "<bandwidth><inbound average='5'/></bandwidth><alias name='net0'/></interface>"
    "</devices></domain>";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    xmlInitParser();
    return 0;
}

/* The string member key of obj, or NULL. */
static const char *fuzz_str(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;

    if (!obj || !json_object_object_get_ex(obj, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static struct json_object *fuzz_member(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;

    return obj && json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

/* (json-c represents a JSON null as a NULL member: absent and null look alike here;
 * json_object_object_get_ex(obj, key, NULL) tells them apart) */
static bool fuzz_is(const xmlChar *a, const char *b)
{
    return a && b && strcmp((const char *)a, b) == 0;
}

/* Checks that node has exactly the attributes of names (NULL-terminated), with these
 * values (NULL value: any). */
static void fuzz_attrs(xmlNodePtr node, const char *const *names, const char *const *values)
{
    size_t n = 0, seen = 0;

    for (; names[n]; n++) {
        xmlChar *v = xmlGetProp(node, (const xmlChar *)names[n]);

        FUZZ_ASSERT(v != NULL);
        if (values[n])
            FUZZ_ASSERT(fuzz_is(v, values[n]));
        xmlFree(v);
    }
    for (xmlAttrPtr a = node->properties; a; a = a->next)
        seen++;
    FUZZ_ASSERT(seen == n);
}

/* Checks node's element children against the allowed set, each at most once, no text;
 * returns how many there are. */
static size_t fuzz_children(xmlNodePtr node, const char *const *allowed)
{
    size_t count = 0;

    for (xmlNodePtr c = node->children; c; c = c->next) {
        bool ok = false;

        FUZZ_ASSERT(c->type == XML_ELEMENT_NODE);
        for (const char *const *a = allowed; *a; a++)
            ok = ok || fuzz_is(c->name, *a);
        FUZZ_ASSERT(ok);
        for (xmlNodePtr d = c->next; d; d = d->next)
            FUZZ_ASSERT(!fuzz_is(d->name, (const char *)c->name));
        count++;
    }
    return count;
}

static xmlNodePtr fuzz_child(xmlNodePtr node, const char *name)
{
    for (xmlNodePtr c = node->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && fuzz_is(c->name, name))
            return c;
    return NULL;
}

static void fuzz_check_disk(struct json_object *req, const struct virt_device_volume *vol,
                            const char *xml)
{
    static const char *const kids[] = {"driver", "source", "target", "readonly", NULL};
    xmlDocPtr doc = fuzz_xml_read(xml);
    xmlNodePtr disk = xmlDocGetRootElement(doc), node;
    const char *device = fuzz_str(req, "device") ? fuzz_str(req, "device") : "disk";
    bool cdrom = strcmp(device, "cdrom") == 0;
    const char *bus = fuzz_str(req, "bus") ? fuzz_str(req, "bus") : cdrom ? "sata" : "virtio";
    const char *target = fuzz_str(req, "target") ? fuzz_str(req, "target") : "vdq";
    const char *cache = fuzz_str(req, "cache"), *io = fuzz_str(req, "io");
    struct json_object *ro = fuzz_member(req, "readonly");
    bool readonly = cdrom || (ro && json_object_get_boolean(ro));
    bool has_source = fuzz_member(req, "source") || fuzz_member(req, "new");
    const char *names[8], *values[8];
    size_t n = 0, kids_expected = 2;

    if (cache && strcmp(cache, "default") == 0)
        cache = NULL;
    if (io && strcmp(io, "default") == 0)
        io = NULL;
    FUZZ_ASSERT(fuzz_is(disk->name, "disk"));
    FUZZ_ASSERT(has_source == (vol != NULL));
    {
        const char *const an[] = {"type", "device", NULL};
        const char *const av[] = {vol && vol->block ? "block" : "file", device, NULL};

        fuzz_attrs(disk, an, av);
    }
    FUZZ_ASSERT((node = fuzz_child(disk, "driver")) != NULL);
    names[n] = "name", values[n++] = "qemu";
    names[n] = "type", values[n++] = vol ? virt_device_xml_driver_type(vol->format) : "raw";
    if (cache)
        names[n] = "cache", values[n++] = cache;
    if (io)
        names[n] = "io", values[n++] = io;
    names[n] = NULL;
    fuzz_attrs(node, names, values);
    FUZZ_ASSERT((node = fuzz_child(disk, "target")) != NULL);
    {
        const char *const an[] = {"dev", "bus", NULL};
        const char *const av[] = {target, bus, NULL};

        fuzz_attrs(node, an, av);
    }
    if (vol) {
        const char *const an[] = {vol->block ? "dev" : "file", NULL};
        const char *const av[] = {vol->path, NULL};

        FUZZ_ASSERT((node = fuzz_child(disk, "source")) != NULL);
        fuzz_attrs(node, an, av);
        kids_expected++;
    }
    if (readonly) {
        const char *const none[] = {NULL};

        FUZZ_ASSERT((node = fuzz_child(disk, "readonly")) != NULL);
        fuzz_attrs(node, none, none);
        FUZZ_ASSERT(node->children == NULL);
        kids_expected++;
    }
    FUZZ_ASSERT(fuzz_children(disk, kids) == kids_expected);
    xmlFreeDoc(doc);
}

/* The decimal string of an integer member, in buf; NULL if absent. */
static const char *fuzz_int_str(struct json_object *obj, const char *key, char *buf, size_t len)
{
    struct json_object *v = fuzz_member(obj, key);

    if (!v)
        return NULL;
    FUZZ_ASSERT(json_object_is_type(v, json_type_int));
    snprintf(buf, len, "%" PRId64, json_object_get_int64(v));
    return buf;
}

static void fuzz_check_rate(xmlNodePtr bw, struct json_object *req_bw, const char *dir)
{
    struct json_object *r = fuzz_member(req_bw, dir);
    xmlNodePtr node = fuzz_child(bw, dir);
    char a[24], p[24], b[24];
    const char *names[4], *values[4];
    size_t n = 0;

    FUZZ_ASSERT((r != NULL) == (node != NULL));
    if (!r)
        return;
    names[n] = "average", values[n++] = fuzz_int_str(r, "average", a, sizeof(a));
    if (fuzz_member(r, "peak"))
        names[n] = "peak", values[n++] = fuzz_int_str(r, "peak", p, sizeof(p));
    if (fuzz_member(r, "burst"))
        names[n] = "burst", values[n++] = fuzz_int_str(r, "burst", b, sizeof(b));
    names[n] = NULL;
    fuzz_attrs(node, names, values);
    FUZZ_ASSERT(node->children == NULL);
}

/* Checks the link/bandwidth/vlan children of an interface against req; for a patch,
 * what req does not mention must be as in the original (link up, inbound 5). */
static size_t fuzz_check_nic_extras(xmlNodePtr nic, struct json_object *req, bool patch)
{
    static const char *const bw_kids[] = {"inbound", "outbound", NULL};
    static const char *const vlan_kids[] = {"tag", NULL};
    struct json_object *bw = fuzz_member(req, "bandwidth"), *vlan = fuzz_member(req, "vlan");
    const char *link = fuzz_str(req, "link");
    xmlNodePtr node;
    size_t kids = 0;
    char id[24];

    if (patch && !link)
        link = "up";
    node = fuzz_child(nic, "link");
    FUZZ_ASSERT((link != NULL) == (node != NULL));
    if (node) {
        const char *const an[] = {"state", NULL};
        const char *const av[] = {link, NULL};

        fuzz_attrs(node, an, av);
        kids++;
    }
    node = fuzz_child(nic, "bandwidth");
    if (patch && !json_object_object_get_ex(req, "bandwidth", NULL)) {
        FUZZ_ASSERT(node != NULL);
        kids++;
    } else {
        bool want = bw && !json_object_is_type(bw, json_type_null);

        FUZZ_ASSERT(want == (node != NULL));
        if (node) {
            FUZZ_ASSERT(fuzz_children(node, bw_kids) > 0);
            fuzz_check_rate(node, bw, "inbound");
            fuzz_check_rate(node, bw, "outbound");
            kids++;
        }
    }
    node = fuzz_child(nic, "vlan");
    FUZZ_ASSERT((vlan && !json_object_is_type(vlan, json_type_null)) == (node != NULL));
    if (node) {
        const char *const an[] = {"id", NULL};
        const char *const av[] = {fuzz_int_str(req, "vlan", id, sizeof(id)), NULL};

        FUZZ_ASSERT(fuzz_children(node, vlan_kids) == 1);
        fuzz_attrs(fuzz_child(node, "tag"), an, av);
        kids++;
    }
    return kids;
}

static void fuzz_check_source(xmlNodePtr nic, const char *kind, const char *name)
{
    const char *const an[] = {"type", NULL};
    const char *const av[] = {kind, NULL};
    const char *const sn[] = {kind, NULL};
    const char *const sv[] = {name, NULL};
    xmlNodePtr src = fuzz_child(nic, "source");

    fuzz_attrs(nic, an, av);
    FUZZ_ASSERT(src != NULL);
    fuzz_attrs(src, sn, sv);
}

static void fuzz_check_interface(struct json_object *req, const char *xml)
{
    static const char *const kids[] = {"source", "mac", "model", "link", "bandwidth", "vlan", NULL};
    xmlDocPtr doc = fuzz_xml_read(xml);
    xmlNodePtr nic = xmlDocGetRootElement(doc), node;
    const char *net = fuzz_str(req, "network"), *bridge = fuzz_str(req, "bridge");
    const char *mac = fuzz_str(req, "mac");
    const char *model = fuzz_str(req, "model") ? fuzz_str(req, "model") : "virtio";
    struct json_object *v_user = NULL;
    bool user = json_object_object_get_ex(req, "user", &v_user);
    size_t expected = user ? 1 : 2; /* <model>, and <source> unless user-mode */

    FUZZ_ASSERT(fuzz_is(nic->name, "interface"));
    /* exactly one of network, bridge, user ("user" only ever true) */
    FUZZ_ASSERT((net != NULL) + (bridge != NULL) + user == 1);
    if (user) {
        const char *const an[] = {"type", NULL};
        const char *const av[] = {"user", NULL};

        FUZZ_ASSERT(json_object_get_boolean(v_user));
        fuzz_attrs(nic, an, av);
        FUZZ_ASSERT(fuzz_child(nic, "source") == NULL);
    } else {
        fuzz_check_source(nic, net ? "network" : "bridge", net ? net : bridge);
    }
    node = fuzz_child(nic, "mac");
    FUZZ_ASSERT((mac != NULL) == (node != NULL));
    if (node) {
        xmlChar *v = xmlGetProp(node, (const xmlChar *)"address");

        FUZZ_ASSERT(v && strcasecmp((const char *)v, mac) == 0);
        xmlFree(v);
        expected++;
    }
    {
        const char *const an[] = {"type", NULL};
        const char *const av[] = {model, NULL};

        FUZZ_ASSERT((node = fuzz_child(nic, "model")) != NULL);
        fuzz_attrs(node, an, av);
    }
    expected += fuzz_check_nic_extras(nic, req, false);
    FUZZ_ASSERT(fuzz_children(nic, kids) == expected);
    xmlFreeDoc(doc);
}

static void fuzz_check_patch(struct json_object *req, bool live, const char *xml)
{
    static const char *const kids[] = {"source",    "mac",  "model", "link",
                                       "bandwidth", "vlan", "alias", NULL};
    xmlDocPtr doc = fuzz_xml_read(xml);
    xmlNodePtr nic = xmlDocGetRootElement(doc), node;
    const char *net = fuzz_str(req, "network"), *bridge = fuzz_str(req, "bridge");
    const char *model = fuzz_str(req, "model");
    const char *const mn[] = {"address", NULL};
    const char *const mv[] = {"52:54:00:aa:bb:cc", NULL};
    const char *const tn[] = {"type", NULL};
    const char *tv[] = {(model && !live) ? model : "virtio", NULL};

    struct json_object *v_user = NULL;
    bool user = json_object_object_get_ex(req, "user", &v_user);

    FUZZ_ASSERT(fuzz_is(nic->name, "interface"));
    if (user) { /* user-mode networking: type='user' and no <source> at all */
        const char *const an[] = {"type", NULL};
        const char *const av[] = {"user", NULL};

        FUZZ_ASSERT(json_object_get_boolean(v_user));
        fuzz_attrs(nic, an, av);
        FUZZ_ASSERT(fuzz_child(nic, "source") == NULL);
    } else if (bridge)
        fuzz_check_source(nic, "bridge", bridge);
    else if (net && strcmp(net, "default") != 0)
        fuzz_check_source(nic, "network", net);
    else
        FUZZ_ASSERT((node = fuzz_child(nic, "source")) &&
                    xmlHasProp(node, (const xmlChar *)"portid"));
    FUZZ_ASSERT((node = fuzz_child(nic, "mac")) != NULL);
    fuzz_attrs(node, mn, mv);
    FUZZ_ASSERT((node = fuzz_child(nic, "model")) != NULL);
    fuzz_attrs(node, tn, tv);
    FUZZ_ASSERT(fuzz_child(nic, "alias") != NULL);
    FUZZ_ASSERT(fuzz_children(nic, kids) == (user ? 3 : 4) + fuzz_check_nic_extras(nic, req, true));
    xmlFreeDoc(doc);
}

static void fuzz_check_refusal(int rc, const struct app_error *err, const char *xml)
{
    FUZZ_ASSERT(rc == -1);
    FUZZ_ASSERT(xml == NULL);
    FUZZ_ASSERT(err->status == 400 || err->status == 409);
    FUZZ_ASSERT(memchr(err->message, '\0', sizeof(err->message)) && err->message[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct app_error err;
    struct json_object *req;
    char *text, *xml = NULL;
    uint8_t mode;
    int rc;

    if (size < 1)
        return 0;
    mode = data[0];
    text = fuzz_input_cstr(data + 1, size - 1);
    req = json_tokener_parse(text);
    free(text);
    if (!req)
        return 0;
    app_error_clear(&err);
    switch (mode % 4) {
    case 0:
    case 1: {
        struct virt_device_volume vol = {"/pool/v&<'\".img", mode % 4 == 1,
                                         (mode & 4)   ? "iso"
                                         : (mode & 8) ? "qcow2"
                                                      : NULL};
        bool has_source = json_object_is_type(req, json_type_object) &&
                          (fuzz_member(req, "source") || fuzz_member(req, "new"));

        rc = virt_device_xml_disk(req, has_source ? &vol : NULL, "vdq", &xml, &err);
        if (rc == 0)
            fuzz_check_disk(req, has_source ? &vol : NULL, xml);
        else
            fuzz_check_refusal(rc, &err, xml);
        break;
    }
    case 2:
        rc = virt_device_xml_interface(req, &xml, &err);
        if (rc == 0)
            fuzz_check_interface(req, xml);
        else
            fuzz_check_refusal(rc, &err, xml);
        break;
    default: {
        struct virt_device_nic_req nic;
        bool changed;

        rc = virt_device_xml_nic_parse(req, true, &nic, &err);
        if (rc == 0) {
            rc = virt_device_xml_nic_patch(fuzz_device_domain, "52:54:00:AA:BB:CC", &nic,
                                           (mode & 4) != 0, &xml, &changed, &err);
            FUZZ_ASSERT(rc == 0);
            fuzz_check_patch(req, (mode & 4) != 0, xml);
        } else {
            fuzz_check_refusal(rc, &err, xml);
        }
        break;
    }
    }
    free(xml);
    json_object_put(req);
    return 0;
}
