/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_caps_xml: capabilities and domain capabilities XML → JSON (virt_caps_xml.h).
 * Pure, any thread. Every list is bounded by VIRT_CAPS_XML_MAX_ITEMS and every number
 * is checked, so odd input (the fuzzer's) yields short lists or nulls, never a crash. */
#include "virt/virt_caps_xml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlmemory.h>

#include "virt/virt_xml.h"

/* A number from the string expr gives, or JSON null when it is absent or not a whole
 * non-negative number. */
static struct json_object *caps_number(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
    char *s = virt_xml_xpath_string(ctx, node, expr);
    struct json_object *ret = NULL;
    char *end = NULL;
    long long v;

    if (s && s[0] >= '0' && s[0] <= '9') {
        errno = 0;
        v = strtoll(s, &end, 10);
        if (!errno && !*end)
            ret = json_object_new_int64(v);
    }
    free(s);
    return ret;
}

/* The strings of the nodes expr selects (their text, or the attribute value), as an
 * array, at most VIRT_CAPS_XML_MAX_ITEMS; empty strings and repeats are left out. */
static struct json_object *caps_strings(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
    xmlXPathObjectPtr set = virt_xml_xpath_nodes(ctx, node, expr);
    struct json_object *arr = json_object_new_array();

    for (int i = 0; set && i < set->nodesetval->nodeNr; i++) {
        xmlChar *text;
        bool seen = false;

        if (json_object_array_length(arr) >= VIRT_CAPS_XML_MAX_ITEMS)
            break;
        text = xmlNodeGetContent(set->nodesetval->nodeTab[i]);
        if (!text || !text[0]) {
            xmlFree(text);
            continue;
        }
        for (size_t j = 0; j < json_object_array_length(arr) && !seen; j++)
            seen = !strcmp(json_object_get_string(json_object_array_get_idx(arr, j)),
                           (const char *)text);
        if (!seen)
            virt_xml_json_push(arr, json_object_new_string((const char *)text));
        xmlFree(text);
    }
    xmlXPathFreeObject(set);
    return arr;
}

/* The numbers of the nodes expr selects, each a whole non-negative number (others left
 * out), at most VIRT_CAPS_XML_MAX_ITEMS; above > 0 keeps only those greater. */
static struct json_object *caps_numbers(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr,
                                        long long above)
{
    struct json_object *strings = caps_strings(ctx, node, expr);
    struct json_object *arr = json_object_new_array();

    for (size_t i = 0; i < json_object_array_length(strings); i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(strings, i));
        char *end = NULL;
        long long v;

        if (s[0] < '0' || s[0] > '9')
            continue;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (!errno && !*end && v > above)
            virt_xml_json_push(arr, json_object_new_int64(v));
    }
    json_object_put(strings);
    return arr;
}

/* ---- capabilities ----------------------------------------------------------------- */

static struct json_object *caps_host_cpu(xmlXPathContextPtr ctx)
{
    struct json_object *cpu = json_object_new_object();
    static const char *const topo[] = {"sockets", "dies", "cores", "threads"};

    virt_xml_json_set_xpath(cpu, "model", ctx, NULL, "string(/capabilities/host/cpu/model)", NULL);
    virt_xml_json_set_xpath(cpu, "vendor", ctx, NULL, "string(/capabilities/host/cpu/vendor)",
                            NULL);
    for (size_t i = 0; i < sizeof(topo) / sizeof(topo[0]); i++) {
        char expr[96];

        snprintf(expr, sizeof(expr), "string(/capabilities/host/cpu/topology/@%s)", topo[i]);
        virt_xml_json_add(cpu, topo[i], caps_number(ctx, NULL, expr));
    }
    return cpu;
}

static struct json_object *caps_host_numa(xmlXPathContextPtr ctx)
{
    xmlXPathObjectPtr cells =
        virt_xml_xpath_nodes(ctx, NULL, "/capabilities/host/topology/cells/cell");
    struct json_object *arr = json_object_new_array();

    for (int i = 0; cells && i < cells->nodesetval->nodeNr && i < VIRT_CAPS_XML_MAX_ITEMS; i++) {
        xmlNodePtr cell = cells->nodesetval->nodeTab[i];
        struct json_object *obj = json_object_new_object();

        virt_xml_json_add(obj, "id", caps_number(ctx, cell, "string(@id)"));
        virt_xml_json_add(obj, "memory_kib", caps_number(ctx, cell, "string(memory)"));
        virt_xml_json_add(obj, "cpus", caps_numbers(ctx, cell, "cpus/cpu/@id", -1));
        virt_xml_json_push(arr, obj);
    }
    xmlXPathFreeObject(cells);
    return arr;
}

static struct json_object *caps_guests(xmlXPathContextPtr ctx)
{
    xmlXPathObjectPtr guests = virt_xml_xpath_nodes(ctx, NULL, "/capabilities/guest");
    struct json_object *arr = json_object_new_array();

    for (int i = 0; guests && i < guests->nodesetval->nodeNr && i < VIRT_CAPS_XML_MAX_ITEMS; i++) {
        xmlNodePtr g = guests->nodesetval->nodeTab[i];
        struct json_object *obj = json_object_new_object();

        virt_xml_json_set_xpath(obj, "os_type", ctx, g, "string(os_type)", NULL);
        virt_xml_json_set_xpath(obj, "arch", ctx, g, "string(arch/@name)", NULL);
        virt_xml_json_set_xpath(obj, "emulator", ctx, g, "string(arch/emulator)", NULL);
        virt_xml_json_add(obj, "machines", caps_strings(ctx, g, "arch/machine"));
        virt_xml_json_add(obj, "domains", caps_strings(ctx, g, "arch/domain/@type"));
        virt_xml_json_push(arr, obj);
    }
    xmlXPathFreeObject(guests);
    return arr;
}

struct json_object *virt_caps_xml_host(const char *xml, struct app_error *err)
{
    struct json_object *ret = NULL;
    xmlDocPtr doc = NULL;
    xmlXPathContextPtr ctx = NULL;

    doc = virt_xml_read(xml, "capabilities", err);
    if (!doc)
        goto cleanup;
    ctx = virt_xml_xpath_new(doc);
    ret = json_object_new_object();
    virt_xml_json_set_xpath(ret, "arch", ctx, NULL, "string(/capabilities/host/cpu/arch)", NULL);
    virt_xml_json_add(ret, "cpu", caps_host_cpu(ctx));
    virt_xml_json_add(ret, "numa", caps_host_numa(ctx));
    virt_xml_json_add(ret, "page_sizes_kib",
                      caps_numbers(ctx, NULL, "/capabilities/host/cpu/pages/@size", -1));
    /* huge pages: every size above the 4 KiB base page */
    virt_xml_json_add(ret, "huge_pages_kib",
                      caps_numbers(ctx, NULL, "/capabilities/host/cpu/pages/@size", 4));
    virt_xml_json_add(ret, "guests", caps_guests(ctx));

cleanup:
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return ret;
}

/* ---- domain capabilities ------------------------------------------------------------ */

static bool caps_has(struct json_object *arr, const char *value)
{
    for (size_t i = 0; i < json_object_array_length(arr); i++)
        if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), value))
            return true;
    return false;
}

static struct json_object *caps_firmware(xmlXPathContextPtr ctx, const char *arch)
{
    struct json_object *fw = json_object_new_object();
    struct json_object *loaders =
        caps_strings(ctx, NULL, "/domainCapabilities/os[@supported='yes']/loader/value");
    struct json_object *kinds = caps_strings(
        ctx, NULL, "/domainCapabilities/os[@supported='yes']/enum[@name='firmware']/value");
    struct json_object *secure = caps_strings(
        ctx, NULL, "/domainCapabilities/os/loader[@supported='yes']/enum[@name='secure']/value");
    bool os = virt_xml_xpath_bool(ctx, NULL, "/domainCapabilities/os/@supported = 'yes'");
    bool x86 = arch && (!strcmp(arch, "x86_64") || !strcmp(arch, "i686"));

    /* SeaBIOS comes with QEMU itself on x86; libvirt lists only the firmware it can
     * select automatically (efi), so BIOS is implied there */
    json_object_object_add(fw, "bios", json_object_new_boolean(os && x86));
    json_object_object_add(
        fw, "uefi",
        json_object_new_boolean(json_object_array_length(loaders) > 0 || caps_has(kinds, "efi")));
    json_object_object_add(fw, "secure_boot", json_object_new_boolean(caps_has(secure, "yes")));
    virt_xml_json_add(fw, "loaders", loaders);
    json_object_put(kinds);
    json_object_put(secure);
    return fw;
}

static struct json_object *caps_tpm(xmlXPathContextPtr ctx)
{
    struct json_object *tpm = json_object_new_object();

    json_object_object_add(tpm, "supported",
                           json_object_new_boolean(virt_xml_xpath_bool(
                               ctx, NULL, "/domainCapabilities/devices/tpm/@supported = 'yes'")));
    virt_xml_json_add(tpm, "models",
                      caps_strings(ctx, NULL,
                                   "/domainCapabilities/devices/tpm[@supported='yes']"
                                   "/enum[@name='model']/value"));
    virt_xml_json_add(tpm, "backends",
                      caps_strings(ctx, NULL,
                                   "/domainCapabilities/devices/tpm[@supported='yes']"
                                   "/enum[@name='backendModel']/value"));
    return tpm;
}

struct json_object *virt_caps_xml_domain(const char *xml, struct app_error *err)
{
    struct json_object *ret = NULL;
    xmlDocPtr doc = NULL;
    xmlXPathContextPtr ctx = NULL;
    char *arch = NULL;

    doc = virt_xml_read(xml, "domainCapabilities", err);
    if (!doc)
        goto cleanup;
    ctx = virt_xml_xpath_new(doc);
    arch = virt_xml_xpath_string(ctx, NULL, "string(/domainCapabilities/arch)");
    ret = json_object_new_object();
    virt_xml_json_set_xpath(ret, "emulator", ctx, NULL, "string(/domainCapabilities/path)", NULL);
    virt_xml_json_set_xpath(ret, "domain", ctx, NULL, "string(/domainCapabilities/domain)", NULL);
    virt_xml_json_set_xpath(ret, "machine", ctx, NULL, "string(/domainCapabilities/machine)", NULL);
    virt_xml_json_add(ret, "arch", arch ? json_object_new_string(arch) : NULL);
    virt_xml_json_add(ret, "vcpu_max",
                      caps_number(ctx, NULL, "string(/domainCapabilities/vcpu/@max)"));
    virt_xml_json_add(
        ret, "cpu_modes",
        caps_strings(ctx, NULL, "/domainCapabilities/cpu/mode[@supported='yes']/@name"));
    virt_xml_json_add(ret, "cpu_models",
                      caps_strings(ctx, NULL,
                                   "/domainCapabilities/cpu/mode[@name='custom'][@supported='yes']"
                                   "/model[@usable='yes']"));
    virt_xml_json_add(ret, "firmware", caps_firmware(ctx, arch));
    virt_xml_json_add(ret, "disk_buses",
                      caps_strings(ctx, NULL,
                                   "/domainCapabilities/devices/disk[@supported='yes']"
                                   "/enum[@name='bus']/value"));
    /* libvirt 9.0 lists no NIC models; a newer one may (<interface><enum name='model'>) */
    if (virt_xml_xpath_bool(ctx, NULL,
                            "count(/domainCapabilities/devices/interface"
                            "[@supported='yes']/enum[@name='model']) > 0"))
        virt_xml_json_add(ret, "nic_models",
                          caps_strings(ctx, NULL,
                                       "/domainCapabilities/devices/interface[@supported='yes']"
                                       "/enum[@name='model']/value"));
    else
        virt_xml_json_add(ret, "nic_models", NULL);
    virt_xml_json_add(ret, "tpm", caps_tpm(ctx));

cleanup:
    free(arch);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return ret;
}
