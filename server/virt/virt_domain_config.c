/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_domain_config: a PATCH body's basic members checked, a persistent <domain> edited
 * for them and read back (see virt_domain_config.h). Pure, any thread.
 *
 * Invariant: virt_domain_config_apply writes only values virt_domain_config_check let
 * through (fixed lists, ranges, or text the tree API escapes), so the edited definition
 * re-parses to exactly the members the body named (tests/fuzz/fuzz_domain_config.c). */
#include "virt/virt_domain_config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8_name.h"
#include "util/xalloc.h"
#include "virt/virt_tuning_xml.h"
#include "virt/virt_xml.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const config_members[] = {
    "name",  "title", "description", "vcpus",    "max_vcpus", "memory_mib", "max_memory_mib",
    "cpu",   "boot",  "autostart",   "firmware", "watchdog",  "rng",        "tpm",
    "video", "vnc",
};
/* the members virt_domain_config_read gives, in its order */
static const char *const config_read_members[] = {
    "title", "description", "vcpus",    "max_vcpus", "memory_mib", "max_memory_mib", "cpu",
    "boot",  "firmware",    "watchdog", "rng",       "tpm",        "video",          "vnc",
};
static const char *const config_cpu_modes[] = {"host-passthrough", "host-model", "custom",
                                               "maximum", NULL};
static const char *const config_boot_devs[] = {"hd", "cdrom", "network", "fd", NULL};
static const char *const config_firmwares[] = {"bios", "uefi", NULL};
static const char *const config_watchdog_models[] = {"i6300esb", "itco", NULL};
static const char *const config_watchdog_actions[] = {"reset", "poweroff", "shutdown",   "pause",
                                                      "none",  "dump",     "inject-nmi", NULL};
static const char *const config_tpm_models[] = {"tpm-crb", "tpm-tis", NULL};
static const char *const config_tpm_versions[] = {"2.0", NULL};
static const char *const config_video_models[] = {"virtio", "qxl",  "vga", "bochs",
                                                  "cirrus", "none", NULL};
/* QEMU's keymaps (pc-bios/keymaps) */
static const char *const config_keymaps[] = {
    "ar", "bepo",  "cz",    "da",    "de",    "de-ch", "en-gb", "en-us", "es", "et", "fi", "fo",
    "fr", "fr-be", "fr-ca", "fr-ch", "hr",    "hu",    "is",    "it",    "ja", "lt", "lv", "mk",
    "nl", "no",    "pl",    "pt",    "pt-br", "ru",    "sl",    "sv",    "th", "tr", NULL};

bool virt_domain_config_member(const char *key)
{
    for (size_t i = 0; i < ARRAY_LEN(config_members); i++)
        if (!strcmp(key, config_members[i]))
            return true;
    return false;
}

static bool config_in(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (!strcmp(s, *list))
            return true;
    return false;
}

/* ---- reading the definition ------------------------------------------------------- */

/* The first child of parent named name whose attribute attr is value (attr NULL: any). */
static xmlNodePtr config_child_with(xmlNodePtr parent, const char *name, const char *attr,
                                    const char *value)
{
    for (xmlNodePtr n = parent ? parent->children : NULL; n; n = n->next) {
        xmlChar *v;
        bool match;

        if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, name))
            continue;
        if (!attr)
            return n;
        v = xmlGetProp(n, (const xmlChar *)attr);
        match = v && !strcmp((const char *)v, value);
        xmlFree(v);
        if (match)
            return n;
    }
    return NULL;
}

/* The attribute as a new JSON string, or JSON null when absent (fallback if set). */
static struct json_object *config_attr_json(xmlNodePtr node, const char *attr, const char *fallback)
{
    xmlChar *v = node ? xmlGetProp(node, (const xmlChar *)attr) : NULL;
    struct json_object *out = NULL;

    if (v)
        out = json_object_new_string((const char *)v);
    else if (fallback)
        out = json_object_new_string(fallback);
    xmlFree(v);
    return out;
}

/* A non-negative decimal at s, or -1. */
static long long config_parse_count(const char *s)
{
    char *end = NULL;
    unsigned long long v;

    if (!s || *s < '0' || *s > '9')
        return -1;
    v = strtoull(s, &end, 10);
    if (*end || v > INT64_MAX / 1024)
        return -1;
    return (long long)v;
}

static long long config_attr_count(xmlNodePtr node, const char *attr)
{
    xmlChar *v = node ? xmlGetProp(node, (const xmlChar *)attr) : NULL;
    long long n = config_parse_count((const char *)v);

    xmlFree(v);
    return n;
}

static long long config_text_count(xmlNodePtr node)
{
    xmlChar *v = node ? xmlNodeGetContent(node) : NULL;
    long long n = config_parse_count((const char *)v);

    xmlFree(v);
    return n;
}

/* A <memory>-like element's size in MiB (its unit attribute as libvirt reads it, KiB
 * when absent), or -1. */
static long long config_memory_mib(xmlNodePtr node)
{
    static const struct {
        const char *unit;
        long long bytes_per;
    } units[] = {{"b", 1},           {"bytes", 1},         {"k", 1024},      {"KiB", 1024},
                 {"M", 1024 * 1024}, {"MiB", 1024 * 1024}, {"G", 1LL << 30}, {"GiB", 1LL << 30},
                 {"T", 1LL << 40},   {"TiB", 1LL << 40}};
    xmlChar *unit = node ? xmlGetProp(node, (const xmlChar *)"unit") : NULL;
    const char *name = unit ? (const char *)unit : "KiB";
    long long n = config_text_count(node), mib = -1;

    for (size_t i = 0; n >= 0 && i < ARRAY_LEN(units); i++) {
        if (strcmp(name, units[i].unit))
            continue;
        if (units[i].bytes_per < (1LL << 20))
            mib = n / ((1LL << 20) / units[i].bytes_per);
        else if (n <= INT64_MAX / (units[i].bytes_per >> 20))
            mib = n * (units[i].bytes_per >> 20);
        break;
    }
    xmlFree(unit);
    return mib;
}

static struct json_object *config_count_json(long long n)
{
    return n < 0 ? NULL : json_object_new_int64(n);
}

static struct json_object *config_read_cpu(xmlNodePtr domain)
{
    xmlNodePtr cpu = virt_xml_child(domain, "cpu");
    xmlNodePtr model = virt_xml_child(cpu, "model");
    xmlNodePtr topology = virt_xml_child(cpu, "topology");
    struct json_object *out, *topo = NULL;
    xmlChar *mode, *text;

    if (!cpu)
        return NULL;
    out = json_object_new_object();
    mode = xmlGetProp(cpu, (const xmlChar *)"mode");
    virt_xml_json_add(out, "mode", json_object_new_string(mode ? (const char *)mode : "custom"));
    xmlFree(mode);
    text = model ? xmlNodeGetContent(model) : NULL;
    virt_xml_json_add(out, "model",
                      text && *text ? json_object_new_string((const char *)text) : NULL);
    xmlFree(text);
    if (topology) {
        static const char *const parts[] = {"sockets", "dies", "cores", "threads"};

        topo = json_object_new_object();
        for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
            long long n = config_attr_count(topology, parts[i]);

            virt_xml_json_add(topo, parts[i], config_count_json(n < 0 && i == 1 ? 1 : n));
        }
    }
    virt_xml_json_add(out, "topology", topo);
    return out;
}

static struct json_object *config_read_boot(xmlNodePtr domain)
{
    xmlNodePtr os = virt_xml_child(domain, "os");
    xmlNodePtr menu = virt_xml_child(os, "bootmenu");
    struct json_object *out = json_object_new_object();
    struct json_object *order = json_object_new_array();
    xmlChar *enable = menu ? xmlGetProp(menu, (const xmlChar *)"enable") : NULL;

    for (xmlNodePtr n = os ? os->children : NULL; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, "boot")) {
            struct json_object *dev = config_attr_json(n, "dev", NULL);

            if (dev)
                virt_xml_json_push(order, dev);
        }
    }
    virt_xml_json_add(out, "order", order);
    virt_xml_json_add(out, "menu",
                      json_object_new_boolean(enable && !strcmp((const char *)enable, "yes")));
    xmlFree(enable);
    /* a direct kernel boot (a network install's first boot, virt_domain_create.h): only
     * then, so a running install lists "boot" in "pending" */
    if (virt_xml_child(os, "kernel")) {
        xmlChar *kernel = xmlNodeGetContent(virt_xml_child(os, "kernel"));

        virt_xml_json_add(out, "kernel", json_object_new_string((const char *)kernel));
        xmlFree(kernel);
    }
    return out;
}

static const char *config_read_firmware(xmlNodePtr domain)
{
    xmlNodePtr os = virt_xml_child(domain, "os");
    xmlChar *fw = os ? xmlGetProp(os, (const xmlChar *)"firmware") : NULL;
    bool uefi = (fw && !strcmp((const char *)fw, "efi")) ||
                config_child_with(os, "loader", "type", "pflash");

    xmlFree(fw);
    return uefi ? "uefi" : "bios";
}

static struct json_object *config_read_vnc(xmlNodePtr vnc, bool secret)
{
    struct json_object *out;
    xmlChar *passwd;

    if (!vnc)
        return NULL;
    out = json_object_new_object();
    passwd = xmlGetProp(vnc, (const xmlChar *)"passwd");
    if (secret)
        virt_xml_json_add(out, "password",
                          passwd ? json_object_new_string((const char *)passwd) : NULL);
    else
        virt_xml_json_add(out, "password_set", json_object_new_boolean(passwd != NULL));
    if (passwd)
        memset(passwd, 0, strlen((const char *)passwd));
    xmlFree(passwd);
    virt_xml_json_add(out, "keymap", config_attr_json(vnc, "keymap", NULL));
    return out;
}

void virt_domain_config_read(xmlNodePtr domain, bool secret, struct json_object *config)
{
    xmlNodePtr devices = virt_xml_child(domain, "devices");
    xmlNodePtr vcpu = virt_xml_child(domain, "vcpu");
    xmlNodePtr watchdog = virt_xml_child(devices, "watchdog");
    xmlNodePtr tpm = virt_xml_child(devices, "tpm");
    xmlNodePtr video = virt_xml_child(devices, "video");
    long long max_vcpus = config_text_count(vcpu), vcpus = config_attr_count(vcpu, "current");
    long long max_mib = config_memory_mib(virt_xml_child(domain, "memory"));
    long long cur_mib = config_memory_mib(virt_xml_child(domain, "currentMemory"));
    struct json_object *obj;

    for (size_t i = 0; i < 2; i++) {
        xmlNodePtr node = virt_xml_child(domain, config_read_members[i]);
        xmlChar *text = node ? xmlNodeGetContent(node) : NULL;

        virt_xml_json_add(config, config_read_members[i],
                          json_object_new_string(text ? (const char *)text : ""));
        xmlFree(text);
    }
    virt_xml_json_add(config, "vcpus", config_count_json(vcpus < 0 ? max_vcpus : vcpus));
    virt_xml_json_add(config, "max_vcpus", config_count_json(max_vcpus));
    virt_xml_json_add(config, "memory_mib", config_count_json(cur_mib < 0 ? max_mib : cur_mib));
    virt_xml_json_add(config, "max_memory_mib", config_count_json(max_mib));
    virt_xml_json_add(config, "cpu", config_read_cpu(domain));
    virt_xml_json_add(config, "boot", config_read_boot(domain));
    virt_xml_json_add(config, "firmware", json_object_new_string(config_read_firmware(domain)));
    obj = NULL;
    if (watchdog) {
        obj = json_object_new_object();
        virt_xml_json_add(obj, "model", config_attr_json(watchdog, "model", NULL));
        virt_xml_json_add(obj, "action", config_attr_json(watchdog, "action", "reset"));
    }
    virt_xml_json_add(config, "watchdog", obj);
    virt_xml_json_add(config, "rng",
                      json_object_new_boolean(virt_xml_child(devices, "rng") != NULL));
    obj = NULL;
    if (tpm) {
        obj = json_object_new_object();
        virt_xml_json_add(obj, "model", config_attr_json(tpm, "model", "tpm-tis"));
        virt_xml_json_add(obj, "version",
                          config_attr_json(virt_xml_child(tpm, "backend"), "version", NULL));
    }
    virt_xml_json_add(config, "tpm", obj);
    obj = NULL;
    if (video) {
        obj = json_object_new_object();
        virt_xml_json_add(obj, "model",
                          config_attr_json(virt_xml_child(video, "model"), "type", NULL));
    }
    virt_xml_json_add(config, "video", obj);
    virt_xml_json_add(
        config, "vnc",
        config_read_vnc(config_child_with(devices, "graphics", "type", "vnc"), secret));
}

/* A host-model CPU runs as the custom CPU libvirt expanded it to at start. */
static bool config_cpu_expanded(struct json_object *live, struct json_object *persistent)
{
    struct json_object *pmode = NULL, *lmode = NULL;

    return json_object_object_get_ex(persistent, "mode", &pmode) &&
           json_object_object_get_ex(live, "mode", &lmode) &&
           !strcmp(json_object_get_string(pmode), "host-model") &&
           !strcmp(json_object_get_string(lmode), "custom");
}

/* Adds to out the tuning members that only a start applies (guest NUMA cells, huge pages)
 * where the running definition differs from the persistent one. The live ones are not
 * compared: libvirt shows a running VM's unpinned vCPUs as pinned to every host CPU. */
static void config_pending_tuning(xmlNodePtr live, xmlNodePtr persistent, struct json_object *out)
{
    static const char *const next_boot_only[] = {"numa_cells", "hugepages"};
    struct json_object *a = json_object_new_object(), *b = json_object_new_object();
    struct app_error err = {0};

    if (virt_tuning_xml_read(live, a, &err) < 0 || virt_tuning_xml_read(persistent, b, &err) < 0)
        goto cleanup;
    for (size_t i = 0; i < ARRAY_LEN(next_boot_only); i++) {
        struct json_object *x = NULL, *y = NULL;

        json_object_object_get_ex(a, next_boot_only[i], &x);
        json_object_object_get_ex(b, next_boot_only[i], &y);
        if (!json_object_equal(x, y))
            virt_xml_json_push(out, json_object_new_string(next_boot_only[i]));
    }

cleanup:
    json_object_put(a);
    json_object_put(b);
}

struct json_object *virt_domain_config_pending(xmlNodePtr live, xmlNodePtr persistent)
{
    struct json_object *a = json_object_new_object();
    struct json_object *b = json_object_new_object();
    struct json_object *out = json_object_new_array();

    virt_domain_config_read(live, true, a);
    virt_domain_config_read(persistent, true, b);
    for (size_t i = 0; i < ARRAY_LEN(config_read_members); i++) {
        const char *key = config_read_members[i];
        struct json_object *x = NULL, *y = NULL;

        json_object_object_get_ex(a, key, &x);
        json_object_object_get_ex(b, key, &y);
        if (!strcmp(key, "cpu") && x && y && config_cpu_expanded(x, y))
            continue;
        if (!json_object_equal(x, y))
            virt_xml_json_push(out, json_object_new_string(key));
    }
    config_pending_tuning(live, persistent, out);
    json_object_put(a); /* the VNC passwords die with the objects */
    json_object_put(b);
    return out;
}

int virt_domain_config_detail(const char *live_xml, const char *persistent_xml, bool active,
                              struct json_object *detail, struct app_error *err)
{
    /* the summary has them as they are in the persistent definition too (metadata is set
     * on both); vcpus and memory_mib stay: the summary's are the running VM's */
    static const char *const summary_members[] = {"title", "description"};
    int ret = -1;
    xmlDocPtr live = NULL, persistent = NULL;
    struct json_object *config = NULL;

    if (!(persistent = virt_xml_read(persistent_xml, "domain", err)))
        goto cleanup;
    if (active && !(live = virt_xml_read(live_xml, "domain", err)))
        goto cleanup;
    config = json_object_new_object();
    virt_domain_config_read(xmlDocGetRootElement(persistent), false, config);
    for (size_t i = 0; i < ARRAY_LEN(summary_members); i++)
        json_object_object_del(config, summary_members[i]);
    if (virt_tuning_xml_read(xmlDocGetRootElement(persistent), config, err) < 0)
        goto cleanup;
    virt_xml_json_add(detail, "config", config);
    config = NULL;
    virt_xml_json_add(detail, "pending",
                      live ? virt_domain_config_pending(xmlDocGetRootElement(live),
                                                        xmlDocGetRootElement(persistent))
                           : json_object_new_array());
    ret = 0;

cleanup:
    json_object_put(config);
    xmlFreeDoc(live);
    xmlFreeDoc(persistent);
    return ret;
}

/* ---- checking a body ------------------------------------------------------------- */

static int config_refuse(struct app_error *err, const char *prefix, const char *key,
                         const char *what)
{
    app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s%s\" %s", prefix, key, what);
    app_error_at_field(err, prefix, key);
    return -1;
}

static int config_refuse_unknown(struct app_error *err, const char *prefix, const char *key)
{
    app_error_set(err, 400, APP_ERR_BAD_REQUEST, "unknown field \"%s%.64s\"", prefix, key);
    app_error_at_field(err, prefix, key);
    return -1;
}

/* patch[key] when present (a JSON null too: *present, NULL value). */
static struct json_object *config_get(struct json_object *obj, const char *key, bool *present)
{
    struct json_object *v = NULL;

    *present = json_object_object_get_ex(obj, key, &v);
    return v;
}

/* An integer member in [min, max]: 1 with *out when present, 0 when absent; -1 with err
 * for anything else (null included). */
static int config_int(struct json_object *obj, const char *prefix, const char *key, long long min,
                      long long max, long long *out, struct app_error *err)
{
    bool present;
    struct json_object *v = config_get(obj, key, &present);
    int64_t n;

    if (!present)
        return 0;
    if (!json_object_is_type(v, json_type_int))
        return config_refuse(err, prefix, key, "must be an integer");
    n = json_object_get_int64(v);
    if (n < min || n > max) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s%s\" must be between %lld and %lld",
                      prefix, key, min, max);
        app_error_at_range(err, prefix, key, min, max);
        return -1;
    }
    *out = n;
    return 1;
}

/* A string member from list: 1 with *out when present (NULL for a JSON null when
 * nullable), 0 when absent, -1 with err. */
static int config_enum(struct json_object *obj, const char *prefix, const char *key,
                       const char *const *list, bool nullable, const char **out,
                       struct app_error *err)
{
    bool present;
    struct json_object *v = config_get(obj, key, &present);

    if (!present)
        return 0;
    if (!v && nullable) {
        *out = NULL;
        return 1;
    }
    if (!json_object_is_type(v, json_type_string) || !config_in(json_object_get_string(v), list))
        return config_refuse(err, prefix, key, "is not one of the values allowed");
    *out = json_object_get_string(v);
    return 1;
}

/* obj (the member prefix+key) is an object whose members are all in allowed. */
static int config_object(struct json_object *obj, const char *prefix, const char *key,
                         const char *const *allowed, struct app_error *err)
{
    char path[64];

    if (!json_object_is_type(obj, json_type_object))
        return config_refuse(err, prefix, key, "must be an object");
    snprintf(path, sizeof(path), "%s%s.", prefix, key);
    json_object_object_foreach(obj, name, value)
    {
        (void)value;
        if (!config_in(name, allowed))
            return config_refuse_unknown(err, path, name);
    }
    return 0;
}

static int config_check_text(struct json_object *patch, const char *key, enum utf8_name_kind kind,
                             struct app_error *err)
{
    bool present;
    struct json_object *v = config_get(patch, key, &present);
    const char *why;

    if (!present)
        return 0;
    if (!json_object_is_type(v, json_type_string))
        return config_refuse(err, "", key, "must be a string");
    if ((why = utf8_name_explain(json_object_get_string(v), kind)))
        return config_refuse(err, "", key, why);
    if (kind == UTF8_NAME_FILE && strchr(json_object_get_string(v), '/'))
        return config_refuse(err, "", key, "holds a \"/\"");
    return 0;
}

/* The vCPUs a <vcpu> element starts (its current attribute, else its count), or -1. */
static long long config_vcpus_current(xmlNodePtr vcpu)
{
    long long current = config_attr_count(vcpu, "current");

    return current < 0 ? config_text_count(vcpu) : current;
}

/* The <vcpu> and memory members against each other and the definition. */
static int config_check_sizes(struct json_object *patch, xmlNodePtr domain, struct app_error *err)
{
    xmlNodePtr vcpu = virt_xml_child(domain, "vcpu");
    long long max_vcpus = config_text_count(vcpu), vcpus = -1;
    long long max_mib = config_memory_mib(virt_xml_child(domain, "memory")), mib = -1;
    int rc;

    if ((rc = config_int(patch, "", "max_vcpus", 1, VIRT_DOMAIN_CONFIG_VCPUS_MAX, &max_vcpus,
                         err)) < 0)
        return -1;
    if (max_vcpus < 1)
        max_vcpus = VIRT_DOMAIN_CONFIG_VCPUS_MAX;
    if (config_int(patch, "", "vcpus", 1, max_vcpus, &vcpus, err) < 0)
        return -1;
    if (rc == 1 && vcpus < 0 && config_vcpus_current(vcpu) > max_vcpus)
        return config_refuse(err, "", "max_vcpus", "is below the current vCPU count");
    if ((rc = config_int(patch, "", "max_memory_mib", VIRT_DOMAIN_CONFIG_MEMORY_MIB_MIN,
                         VIRT_DOMAIN_CONFIG_MEMORY_MIB_MAX, &max_mib, err)) < 0)
        return -1;
    if (max_mib < VIRT_DOMAIN_CONFIG_MEMORY_MIB_MIN)
        max_mib = VIRT_DOMAIN_CONFIG_MEMORY_MIB_MAX;
    if (config_int(patch, "", "memory_mib", VIRT_DOMAIN_CONFIG_MEMORY_MIB_MIN, max_mib, &mib, err) <
        0)
        return -1;
    if (rc == 1 && mib < 0 && config_memory_mib(virt_xml_child(domain, "currentMemory")) > max_mib)
        return config_refuse(err, "", "max_memory_mib", "is below the current memory size");
    return 0;
}

/* The effective maximum vCPU count after the patch (the definition's when absent). */
static long long config_max_vcpus(struct json_object *patch, xmlNodePtr domain)
{
    struct json_object *v = NULL;

    if (json_object_object_get_ex(patch, "max_vcpus", &v))
        return json_object_get_int64(v);
    return config_text_count(virt_xml_child(domain, "vcpu"));
}

static const char *const config_topology_parts[] = {"sockets", "dies", "cores", "threads", NULL};

/* The product of the topology element's parts (a missing one counts as 1), or -1 when a
 * part is above VIRT_DOMAIN_CONFIG_VCPUS_MAX (no vCPU count matches it then). */
static long long config_topology_product(xmlNodePtr topology)
{
    long long product = 1;

    for (size_t i = 0; config_topology_parts[i]; i++) {
        long long n = config_attr_count(topology, config_topology_parts[i]);

        if (n > VIRT_DOMAIN_CONFIG_VCPUS_MAX)
            return -1;
        product *= n > 0 ? n : 1;
    }
    return product;
}

static int config_check_topology(struct json_object *topo, long long max_vcpus,
                                 struct app_error *err)
{
    long long product = 1;

    if (!topo)
        return 0;
    if (config_object(topo, "cpu.", "topology", config_topology_parts, err) < 0)
        return -1;
    for (size_t i = 0; config_topology_parts[i]; i++) {
        const char *part = config_topology_parts[i];
        long long n = 1;
        int rc = config_int(topo, "cpu.topology.", part, 1, VIRT_DOMAIN_CONFIG_VCPUS_MAX, &n, err);

        if (rc < 0)
            return -1;
        if (rc == 0 && strcmp(part, "dies"))
            return config_refuse(err, "cpu.topology.", part, "is required");
        product *= n;
    }
    if (product != max_vcpus) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "field \"cpu.topology\": sockets × dies × cores × threads is %lld, not the "
                      "%lld maximum vCPUs",
                      product, max_vcpus);
        app_error_at_field(err, "", "cpu.topology");
        return -1;
    }
    return 0;
}

/* A CPU model name: what libvirt's cpu_map names look like. */
static bool config_cpu_model_valid(const char *s)
{
    size_t n = strlen(s);

    if (!n || n > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("-_.", *s)))
            return false;
    return true;
}

static int config_check_cpu(struct json_object *patch, xmlNodePtr domain, struct app_error *err)
{
    static const char *const members[] = {"mode", "model", "topology", NULL};
    bool present, has_model, has_topo;
    struct json_object *cpu = config_get(patch, "cpu", &present), *model, *topo;
    const char *mode = "custom";

    if (!present)
        return 0;
    if (config_object(cpu, "", "cpu", members, err) < 0)
        return -1;
    if (config_enum(cpu, "cpu.", "mode", config_cpu_modes, false, &mode, err) < 0)
        return -1;
    if (!json_object_object_get_ex(cpu, "mode", NULL))
        return config_refuse(err, "cpu.", "mode", "is required");
    model = config_get(cpu, "model", &has_model);
    if (model && (!json_object_is_type(model, json_type_string) ||
                  !config_cpu_model_valid(json_object_get_string(model))))
        return config_refuse(err, "cpu.", "model", "is not a valid CPU model name");
    if (!strcmp(mode, "custom") && !model)
        return config_refuse(err, "cpu.", "model", "is required for mode \"custom\"");
    if (strcmp(mode, "custom") && model)
        return config_refuse(err, "cpu.", "model", "is only for mode \"custom\"");
    topo = config_get(cpu, "topology", &has_topo);
    return config_check_topology(topo, config_max_vcpus(patch, domain), err);
}

/* A new max_vcpus must still match a topology the definition keeps. */
static int config_check_kept_topology(struct json_object *patch, xmlNodePtr domain,
                                      struct app_error *err)
{
    xmlNodePtr topology = virt_xml_child(virt_xml_child(domain, "cpu"), "topology");
    struct json_object *cpu = NULL;

    if (!topology || !json_object_object_get_ex(patch, "max_vcpus", NULL) ||
        (json_object_object_get_ex(patch, "cpu", &cpu) &&
         json_object_object_get_ex(cpu, "topology", NULL)))
        return 0;
    if (config_topology_product(topology) != config_max_vcpus(patch, domain))
        return config_refuse(err, "", "max_vcpus",
                             "does not match the CPU topology (change \"cpu.topology\" too)");
    return 0;
}

/* The first child of the domain's <devices>, or NULL. */
static xmlNodePtr config_devices_first(xmlNodePtr domain)
{
    xmlNodePtr devices = virt_xml_child(domain, "devices");

    return devices ? devices->children : NULL;
}

static int config_check_boot(struct json_object *patch, xmlNodePtr domain, struct app_error *err)
{
    static const char *const members[] = {"order", "menu", NULL};
    bool present;
    struct json_object *boot = config_get(patch, "boot", &present), *order, *menu;
    size_t n;

    if (!present)
        return 0;
    if (config_object(boot, "", "boot", members, err) < 0)
        return -1;
    menu = config_get(boot, "menu", &present);
    if (present && !json_object_is_type(menu, json_type_boolean))
        return config_refuse(err, "boot.", "menu", "must be true or false");
    order = config_get(boot, "order", &present);
    if (!present)
        return 0;
    if (!json_object_is_type(order, json_type_array) || !(n = json_object_array_length(order)) ||
        n > 4)
        return config_refuse(err, "boot.", "order", "must list 1 to 4 boot devices");
    for (size_t i = 0; i < n; i++) {
        struct json_object *dev = json_object_array_get_idx(order, i);

        if (!json_object_is_type(dev, json_type_string) ||
            !config_in(json_object_get_string(dev), config_boot_devs))
            return config_refuse(err, "boot.", "order",
                                 "may hold only \"hd\", \"cdrom\", \"network\" and \"fd\"");
        for (size_t j = 0; j < i; j++)
            if (!strcmp(json_object_get_string(dev),
                        json_object_get_string(json_object_array_get_idx(order, j))))
                return config_refuse(err, "boot.", "order", "names a device twice");
    }
    for (xmlNodePtr dev = config_devices_first(domain); dev; dev = dev->next)
        if (dev->type == XML_ELEMENT_NODE && virt_xml_child(dev, "boot"))
            return config_refuse(err, "boot.", "order",
                                 "cannot be set: this domain orders boot per device");
    return 0;
}

/* member: null, or an object of allowed members whose enums come from lists. */
static int config_check_device(struct json_object *patch, const char *key,
                               const char *const *allowed, const char *const *const *lists,
                               const bool *required, struct app_error *err)
{
    bool present;
    struct json_object *obj = config_get(patch, key, &present);
    char prefix[32];
    const char *value;

    if (!present || !obj)
        return 0;
    if (config_object(obj, "", key, allowed, err) < 0)
        return -1;
    snprintf(prefix, sizeof(prefix), "%s.", key);
    for (size_t i = 0; allowed[i]; i++) {
        int rc = config_enum(obj, prefix, allowed[i], lists[i], false, &value, err);

        if (rc < 0)
            return -1;
        if (rc == 0 && required[i])
            return config_refuse(err, prefix, allowed[i], "is required");
    }
    return 0;
}

static int config_check_vnc(struct json_object *patch, xmlNodePtr domain, struct app_error *err)
{
    static const char *const members[] = {"password", "keymap", NULL};
    bool present;
    struct json_object *vnc = config_get(patch, "vnc", &present), *password;
    const char *keymap;
    size_t len;

    if (!present)
        return 0;
    if (config_object(vnc, "", "vnc", members, err) < 0)
        return -1;
    if (!config_child_with(virt_xml_child(domain, "devices"), "graphics", "type", "vnc"))
        return config_refuse(err, "", "vnc", "cannot be set: the domain has no VNC display");
    if (config_enum(vnc, "vnc.", "keymap", config_keymaps, true, &keymap, err) < 0)
        return -1;
    password = config_get(vnc, "password", &present);
    if (!password)
        return 0;
    if (!json_object_is_type(password, json_type_string))
        return config_refuse(err, "vnc.", "password", "must be a string or null");
    len = (size_t)json_object_get_string_len(password);
    if (len < 1 || len > VIRT_DOMAIN_CONFIG_VNC_PASSWORD_MAX ||
        utf8_name_check(json_object_get_string(password), len, UTF8_NAME_TITLE)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "field \"vnc.password\" must be 1 to 8 bytes of text (VNC authentication "
                      "uses only 8)");
        app_error_at_range(err, "vnc.", "password", 1, VIRT_DOMAIN_CONFIG_VNC_PASSWORD_MAX);
        return -1;
    }
    return 0;
}

int virt_domain_config_check(struct json_object *patch, xmlNodePtr domain, struct app_error *err)
{
    static const char *const watchdog_members[] = {"model", "action", NULL};
    static const char *const *const watchdog_lists[] = {config_watchdog_models,
                                                        config_watchdog_actions};
    static const bool watchdog_required[] = {true, false};
    static const char *const tpm_members[] = {"model", "version", NULL};
    static const char *const *const tpm_lists[] = {config_tpm_models, config_tpm_versions};
    static const bool tpm_required[] = {true, false};
    static const char *const video_members[] = {"model", NULL};
    static const char *const *const video_lists[] = {config_video_models};
    static const bool video_required[] = {true};
    struct json_object *v = NULL;
    const char *firmware;

    if (!json_object_is_type(patch, json_type_object) || !json_object_object_length(patch)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the request names no field to change");
        return -1;
    }
    json_object_object_foreach(patch, key, value)
    {
        (void)value;
        if (!virt_domain_config_member(key) && !virt_tuning_member(key))
            return config_refuse_unknown(err, "", key);
    }
    if (config_check_text(patch, "name", UTF8_NAME_FILE, err) < 0 ||
        config_check_text(patch, "title", UTF8_NAME_TITLE, err) < 0 ||
        config_check_text(patch, "description", UTF8_NAME_DESCRIPTION, err) < 0 ||
        config_check_sizes(patch, domain, err) < 0 || config_check_cpu(patch, domain, err) < 0 ||
        config_check_kept_topology(patch, domain, err) < 0 ||
        config_check_boot(patch, domain, err) < 0)
        return -1;
    if (json_object_object_get_ex(patch, "autostart", &v) &&
        !json_object_is_type(v, json_type_boolean))
        return config_refuse(err, "", "autostart", "must be true or false");
    if (json_object_object_get_ex(patch, "rng", &v) && !json_object_is_type(v, json_type_boolean))
        return config_refuse(err, "", "rng", "must be true or false");
    if (config_enum(patch, "", "firmware", config_firmwares, false, &firmware, err) < 0 ||
        config_check_device(patch, "watchdog", watchdog_members, watchdog_lists, watchdog_required,
                            err) < 0 ||
        config_check_device(patch, "tpm", tpm_members, tpm_lists, tpm_required, err) < 0 ||
        config_check_vnc(patch, domain, err) < 0)
        return -1;
    if (json_object_object_get_ex(patch, "video", &v) && !v)
        return config_refuse(err, "", "video", "must be an object");
    return config_check_device(patch, "video", video_members, video_lists, video_required, err);
}

/* ---- editing the definition -------------------------------------------------------- */

static void config_remove(xmlNodePtr node)
{
    if (node) {
        xmlUnlinkNode(node);
        xmlFreeNode(node);
    }
}

/* Removes every child of parent named name. */
static void config_remove_all(xmlNodePtr parent, const char *name)
{
    xmlNodePtr node;

    while ((node = virt_xml_child(parent, name)))
        config_remove(node);
}

/* The child of parent named name, added when missing. */
static xmlNodePtr config_ensure(xmlNodePtr parent, const char *name)
{
    xmlNodePtr node = virt_xml_child(parent, name);

    return node ? node : virt_xml_add(parent, name);
}

static void config_set_count(xmlNodePtr node, long long n)
{
    char text[32];

    snprintf(text, sizeof(text), "%lld", n);
    xmlNodeSetContent(node, (const xmlChar *)text);
}

static void config_set_memory(xmlNodePtr domain, const char *name, long long mib)
{
    xmlNodePtr node = config_ensure(domain, name);

    config_set_count(node, mib * 1024);
    virt_xml_set(node, "unit", "KiB");
}

static void config_set_text(xmlNodePtr domain, const char *name, const char *text)
{
    xmlNodePtr node = virt_xml_child(domain, name);

    if (!*text) {
        config_remove(node);
        return;
    }
    if (!node)
        node = virt_xml_add(domain, name);
    xmlNodeSetContent(node, NULL);
    xmlNodeAddContent(node, (const xmlChar *)text); /* escapes, unlike xmlNodeSetContent */
}

static const char *config_str(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;

    return json_object_object_get_ex(obj, key, &v) && v ? json_object_get_string(v) : NULL;
}

static void config_apply_cpu(xmlNodePtr domain, struct json_object *cpu)
{
    xmlNodePtr node = config_ensure(domain, "cpu"), model;
    struct json_object *topo = NULL;
    const char *mode = config_str(cpu, "mode");
    const char *name = config_str(cpu, "model");

    virt_xml_set(node, "mode", mode);
    config_remove_all(node, "model");
    if (!strcmp(mode, "custom")) {
        xmlChar *match = xmlGetProp(node, (const xmlChar *)"match");

        if (!match)
            virt_xml_set(node, "match", "exact");
        xmlFree(match);
        model = xmlNewNode(NULL, (const xmlChar *)"model");
        xmlNodeAddContent(model, (const xmlChar *)name);
        node->children ? xmlAddPrevSibling(node->children, model) : xmlAddChild(node, model);
    } else {
        xmlUnsetProp(node, (const xmlChar *)"match");
    }
    if (json_object_object_get_ex(cpu, "topology", &topo)) {
        config_remove_all(node, "topology");
        if (topo) {
            xmlNodePtr t = xmlNewNode(NULL, (const xmlChar *)"topology");
            xmlNodePtr after = virt_xml_child(node, "model");

            json_object_object_foreach(topo, key, value)
            {
                char text[32];

                snprintf(text, sizeof(text), "%" PRId64, json_object_get_int64(value));
                virt_xml_set(t, key, text);
            }
            if (!json_object_object_get_ex(topo, "dies", NULL))
                virt_xml_set(t, "dies", "1");
            if (after)
                xmlAddNextSibling(after, t);
            else if (node->children)
                xmlAddPrevSibling(node->children, t);
            else
                xmlAddChild(node, t);
        }
    }
}

static void config_apply_boot(xmlNodePtr domain, struct json_object *boot)
{
    xmlNodePtr os = config_ensure(domain, "os"), last = NULL;
    struct json_object *order = NULL, *menu = NULL;

    if (json_object_object_get_ex(boot, "order", &order)) {
        config_remove_all(os, "boot");
        for (xmlNodePtr n = os->children; n; n = n->next)
            if (n->type == XML_ELEMENT_NODE && (!strcmp((const char *)n->name, "type") ||
                                                !strcmp((const char *)n->name, "loader") ||
                                                !strcmp((const char *)n->name, "nvram")))
                last = n;
        for (size_t i = 0; i < json_object_array_length(order); i++) {
            xmlNodePtr b = xmlNewNode(NULL, (const xmlChar *)"boot");

            virt_xml_set(b, "dev", json_object_get_string(json_object_array_get_idx(order, i)));
            last = last ? xmlAddNextSibling(last, b) : xmlAddChild(os, b);
        }
    }
    if (json_object_object_get_ex(boot, "menu", &menu)) {
        config_remove_all(os, "bootmenu");
        virt_xml_add_prop(os, "bootmenu", "enable", json_object_get_boolean(menu) ? "yes" : "no");
    }
}

static void config_apply_firmware(xmlNodePtr domain, const char *firmware)
{
    xmlNodePtr os = config_ensure(domain, "os");

    if (!strcmp(firmware, config_read_firmware(domain)))
        return;
    config_remove_all(os, "loader");
    config_remove_all(os, "nvram");
    config_remove_all(os, "firmware");
    if (!strcmp(firmware, "uefi"))
        virt_xml_set(os, "firmware", "efi");
    else
        xmlUnsetProp(os, (const xmlChar *)"firmware");
}

static void config_apply_devices(xmlNodePtr domain, struct json_object *patch)
{
    xmlNodePtr devices = config_ensure(domain, "devices"), node;
    struct json_object *v = NULL;

    if (json_object_object_get_ex(patch, "watchdog", &v)) {
        config_remove_all(devices, "watchdog");
        if (v) {
            node = virt_xml_add_prop(devices, "watchdog", "model", config_str(v, "model"));
            virt_xml_set(node, "action",
                         config_str(v, "action") ? config_str(v, "action") : "reset");
        }
    }
    if (json_object_object_get_ex(patch, "rng", &v)) {
        if (!json_object_get_boolean(v)) {
            config_remove_all(devices, "rng");
        } else if (!virt_xml_child(devices, "rng")) {
            node = virt_xml_add_prop(devices, "rng", "model", "virtio");
            virt_xml_set(virt_xml_add_text(node, "backend", "/dev/urandom"), "model", "random");
        }
    }
    if (json_object_object_get_ex(patch, "tpm", &v)) {
        config_remove_all(devices, "tpm");
        if (v) {
            node = virt_xml_add_prop(devices, "tpm", "model", config_str(v, "model"));
            node = virt_xml_add_prop(node, "backend", "type", "emulator");
            virt_xml_set(node, "version",
                         config_str(v, "version") ? config_str(v, "version") : "2.0");
        }
    }
    if (json_object_object_get_ex(patch, "video", &v)) {
        const char *model = config_str(v, "model");

        node = virt_xml_child(devices, "video");
        if (!strcmp(model, "none")) {
            config_remove_all(devices, "video");
            node = NULL;
        }
        if (!node)
            node = virt_xml_add(devices, "video");
        config_remove_all(node, "model");
        xmlAddChild(node, xmlNewNode(NULL, (const xmlChar *)"model"));
        virt_xml_set(virt_xml_child(node, "model"), "type", model);
    }
    if (json_object_object_get_ex(patch, "vnc", &v)) {
        struct json_object *m = NULL;

        node = config_child_with(devices, "graphics", "type", "vnc");
        if (json_object_object_get_ex(v, "password", &m)) {
            if (m)
                virt_xml_set(node, "passwd", json_object_get_string(m));
            else
                xmlUnsetProp(node, (const xmlChar *)"passwd");
        }
        if (json_object_object_get_ex(v, "keymap", &m)) {
            if (m)
                virt_xml_set(node, "keymap", json_object_get_string(m));
            else
                xmlUnsetProp(node, (const xmlChar *)"keymap");
        }
    }
}

void virt_domain_config_apply(xmlNodePtr domain, struct json_object *patch)
{
    struct json_object *v = NULL;

    if (json_object_object_get_ex(patch, "title", &v))
        config_set_text(domain, "title", json_object_get_string(v));
    if (json_object_object_get_ex(patch, "description", &v))
        config_set_text(domain, "description", json_object_get_string(v));
    if (json_object_object_get_ex(patch, "max_vcpus", NULL) ||
        json_object_object_get_ex(patch, "vcpus", NULL)) {
        xmlNodePtr vcpu = config_ensure(domain, "vcpu");
        long long current = config_vcpus_current(vcpu);
        char text[32];

        if (json_object_object_get_ex(patch, "vcpus", &v))
            current = json_object_get_int64(v);
        snprintf(text, sizeof(text), "%lld", current);
        config_set_count(vcpu, config_max_vcpus(patch, domain));
        virt_xml_set(vcpu, "current", text);
    }
    if (json_object_object_get_ex(patch, "max_memory_mib", &v))
        config_set_memory(domain, "memory", json_object_get_int64(v));
    if (json_object_object_get_ex(patch, "memory_mib", &v))
        config_set_memory(domain, "currentMemory", json_object_get_int64(v));
    if (json_object_object_get_ex(patch, "cpu", &v))
        config_apply_cpu(domain, v);
    if (json_object_object_get_ex(patch, "boot", &v))
        config_apply_boot(domain, v);
    if (json_object_object_get_ex(patch, "firmware", &v))
        config_apply_firmware(domain, json_object_get_string(v));
    config_apply_devices(domain, patch);
}
