/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_device_xml: device requests → <disk>/<interface> XML, and the readers and
 * editors of those elements in a domain XML (see the header).
 *
 * Pure; any thread. Documents are parsed without network access, entity substitution
 * or error output; request values never reach an XPath expression (elements are found
 * by walking the tree and comparing in C). Every element that is edited is taken from
 * the document it lives in and serialized alone afterwards. */
#include "virt/virt_device_xml.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "util/hex.h"
#include "util/xalloc.h"
#include "virt/virt_network_xml.h"
#include "virt/virt_pool_xml.h"
#include "virt/virt_volume_xml.h"
#include "virt/virt_xml.h"

static const char *const device_devices[] = {"disk", "cdrom", NULL};
static const char *const device_buses[] = {"virtio", "sata", "scsi", NULL};
static const char *const device_caches[] = {
    "default", "none", "writethrough", "writeback", "directsync", "unsafe", NULL};
static const char *const device_ios[] = {"default", "native", "threads", "io_uring", NULL};
static const char *const device_models[] = {"virtio", "e1000e", "e1000", "rtl8139", NULL};
static const char *const device_links[] = {"up", "down", NULL};
static const char *const device_new_formats[] = {"qcow2", "raw", NULL};

/* ---- small checks ------------------------------------------------------------------- */

static bool device_in(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(s, *set) == 0)
            return true;
    return false;
}

/* A list of the set for messages: "a, b, c". */
static void device_join(const char *const *set, char *out, size_t len)
{
    size_t used = 0;

    out[0] = '\0';
    for (; *set && used < len; set++) {
        int n = snprintf(out + used, len - used, "%s%s", used ? ", " : "", *set);

        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* Linux interface names: 1..15 of [A-Za-z0-9_.-], not starting with '-' or '.'. */
static bool device_bridge_valid(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 15 || s[0] == '-' || s[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
            return false;
    return true;
}

bool virt_device_xml_target_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n < 3 || n > 6)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'a' || s[i] > 'z')
            return false;
    return true;
}

int virt_device_xml_mac_parse(const char *s, char out[VIRT_DEVICE_MAC_LEN])
{
    unsigned char b[6];
    bool zero = true;

    if (!s || strlen(s) != 17)
        return -1;
    for (int i = 0; i < 6; i++) {
        int hi = hex_digit_value(s[i * 3]), lo = hex_digit_value(s[i * 3 + 1]);

        if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
            return -1;
        b[i] = (unsigned char)(hi << 4 | lo);
        zero = zero && b[i] == 0;
    }
    if (zero || (b[0] & 1))
        return -1;
    snprintf(out, VIRT_DEVICE_MAC_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3],
             b[4], b[5]);
    return 0;
}

const char *virt_device_xml_driver_type(const char *format)
{
    static const char *const same[] = {"qcow2", "raw", "qed", "vmdk", "vpc", "vdi", "vhdx", NULL};

    if (!format || !format[0] || strcmp(format, "iso") == 0 || strcmp(format, "none") == 0)
        return "raw";
    for (const char *const *f = same; *f; f++)
        if (strcmp(format, *f) == 0)
            return *f;
    return NULL;
}

/* ---- JSON request fields ---------------------------------------------------------------- */

/* Refuses keys of obj (a nested object named what) that are not in allowed. */
static int device_json_keys(struct json_object *obj, const char *what, const char *const *allowed,
                            struct app_error *err)
{
    json_object_object_foreach(obj, key, value)
    {
        (void)value;
        if (!device_in(key, allowed)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "unknown field \"%.64s\" in \"%s\"", key,
                          what);
            return -1;
        }
    }
    return 0;
}

/* An optional string member limited to set (given says whether it was there). */
static int device_json_enum(struct json_object *obj, const char *key, const char *const *set,
                            char *out, size_t len, bool *given, struct app_error *err)
{
    struct json_object *v = NULL;
    char list[160];

    *given = false;
    if (!json_object_object_get_ex(obj, key, &v))
        return 0;
    if (json_object_is_type(v, json_type_string) && device_in(json_object_get_string(v), set) &&
        strlen(json_object_get_string(v)) < len) {
        snprintf(out, len, "%s", json_object_get_string(v));
        *given = true;
        return 0;
    }
    device_join(set, list, sizeof(list));
    app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s\" must be one of: %s", key, list);
    app_error_at_field(err, "", key);
    return -1;
}

/* Names the member what.key (key alone when what is "") as the refused one. */
static void device_error_at(struct app_error *err, const char *what, const char *key)
{
    char prefix[32];

    snprintf(prefix, sizeof(prefix), "%s%s", what, what[0] ? "." : "");
    app_error_at_field(err, prefix, key);
}

/* A required string member (a name) checked with valid(); copied into out. */
static int device_json_name(struct json_object *obj, const char *what, const char *key,
                            bool (*valid)(const char *), char *out, size_t len,
                            struct app_error *err)
{
    struct json_object *v = NULL;
    const char *s;

    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s%s%s\" must be a string", what,
                      what[0] ? "." : "", key);
        device_error_at(err, what, key);
        return -1;
    }
    s = json_object_get_string(v);
    if ((size_t)json_object_get_string_len(v) != strlen(s) || strlen(s) >= len || !valid(s)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s%s%s\" is not a valid name", what,
                      what[0] ? "." : "", key);
        device_error_at(err, what, key);
        return -1;
    }
    snprintf(out, len, "%s", s);
    return 0;
}

/* An integer member in [min, max]. */
static int device_json_uint(struct json_object *v, const char *name, uint64_t min, uint64_t max,
                            uint64_t *out, struct app_error *err)
{
    int64_t n;

    if (!json_object_is_type(v, json_type_int) || (n = json_object_get_int64(v)) < 0 ||
        (uint64_t)n < min || (uint64_t)n > max || n == INT64_MAX) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "field \"%s\" must be an integer from %" PRIu64 " to %" PRIu64, name, min,
                      max);
        app_error_at_range(err, "", name, (long long)min, (long long)max);
        return -1;
    }
    *out = (uint64_t)n;
    return 0;
}

static bool device_pool_name_valid(const char *s)
{
    return virt_pool_xml_name_valid(s) != 0;
}

static bool device_volume_name_valid(const char *s)
{
    return virt_volume_xml_name_valid(s) != 0;
}

static bool device_network_name_valid(const char *s)
{
    return virt_network_xml_name_valid(s);
}

static int device_io_check(const char *io, const char *cache, struct app_error *err)
{
    if (strcmp(io, "native") == 0 && strcmp(cache, "none") != 0 &&
        strcmp(cache, "directsync") != 0) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"io\": \"native\" needs \"cache\": \"none\" or \"directsync\"");
        app_error_at_field(err, "", "io");
        return -1;
    }
    return 0;
}

static int device_disk_parse_source(struct json_object *body, struct virt_device_disk_req *out,
                                    struct app_error *err)
{
    static const char *const source_keys[] = {"pool", "volume", NULL};
    static const char *const new_keys[] = {"pool", "name", "capacity_bytes", "format", NULL};
    struct json_object *source = NULL, *fresh = NULL, *v = NULL;
    bool given;

    json_object_object_get_ex(body, "source", &source);
    json_object_object_get_ex(body, "new", &fresh);
    if (source && fresh) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "give either \"source\" or \"new\", not both");
        return -1;
    }
    if (source) {
        if (!json_object_is_type(source, json_type_object)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "field \"source\" must be an object {\"pool\", \"volume\"}");
            app_error_at_field(err, "", "source");
            return -1;
        }
        if (device_json_keys(source, "source", source_keys, err) < 0 ||
            device_json_name(source, "source", "pool", device_pool_name_valid, out->pool,
                             sizeof(out->pool), err) < 0 ||
            device_json_name(source, "source", "volume", device_volume_name_valid, out->volume,
                             sizeof(out->volume), err) < 0)
            return -1;
        out->source = VIRT_DEVICE_SOURCE_VOLUME;
    } else if (fresh) {
        if (!json_object_is_type(fresh, json_type_object)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "field \"new\" must be an object {\"pool\", \"name\", "
                          "\"capacity_bytes\", \"format\"}");
            app_error_at_field(err, "", "new");
            return -1;
        }
        if (device_json_keys(fresh, "new", new_keys, err) < 0 ||
            device_json_name(fresh, "new", "pool", device_pool_name_valid, out->pool,
                             sizeof(out->pool), err) < 0 ||
            device_json_name(fresh, "new", "name", device_volume_name_valid, out->volume,
                             sizeof(out->volume), err) < 0)
            return -1;
        if (!json_object_object_get_ex(fresh, "capacity_bytes", &v)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "field \"new.capacity_bytes\" is required");
            app_error_at_field(err, "new.", "capacity_bytes");
            return -1;
        }
        if (device_json_uint(v, "new.capacity_bytes", 1, VIRT_VOLUME_MAX_CAPACITY, &out->capacity,
                             err) < 0 ||
            device_json_enum(fresh, "format", device_new_formats, out->new_format,
                             sizeof(out->new_format), &given, err) < 0)
            return -1;
        if (!given) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "field \"new.format\" is required (qcow2 or raw)");
            app_error_at_field(err, "new.", "format");
            return -1;
        }
        out->source = VIRT_DEVICE_SOURCE_NEW;
    } else {
        out->source = VIRT_DEVICE_SOURCE_NONE;
    }
    return 0;
}

/* The target prefix a bus names its disks with. */
static const char *device_bus_prefix(const char *bus)
{
    return strcmp(bus, "virtio") == 0 ? "vd" : "sd";
}

int virt_device_xml_disk_parse(struct json_object *body, struct virt_device_disk_req *out,
                               struct app_error *err)
{
    static const char *const keys[] = {"source", "new", "device",   "bus", "target",
                                       "cache",  "io",  "readonly", NULL};
    struct json_object *v = NULL;
    bool given;
    const char *prefix;

    memset(out, 0, sizeof(*out));
    if (!body || !json_object_is_type(body, json_type_object)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "request body must be a JSON object");
        return -1;
    }
    if (device_json_keys(body, "body", keys, err) < 0 ||
        device_disk_parse_source(body, out, err) < 0 ||
        device_json_enum(body, "device", device_devices, out->device, sizeof(out->device), &given,
                         err) < 0)
        return -1;
    if (!given)
        snprintf(out->device, sizeof(out->device), "disk");
    if (device_json_enum(body, "bus", device_buses, out->bus, sizeof(out->bus), &given, err) < 0)
        return -1;
    if (!given)
        snprintf(out->bus, sizeof(out->bus), "%s",
                 strcmp(out->device, "cdrom") == 0 ? "sata" : "virtio");
    if (strcmp(out->device, "cdrom") == 0) {
        if (strcmp(out->bus, "virtio") == 0) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "a cdrom cannot be on the virtio bus (use sata or scsi)");
            app_error_at_field(err, "", "bus");
            return -1;
        }
        if (out->source == VIRT_DEVICE_SOURCE_NEW) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "a cdrom takes an existing volume (\"source\"), not \"new\"");
            return -1;
        }
    } else if (out->source == VIRT_DEVICE_SOURCE_NONE) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "a disk needs \"source\" {\"pool\", \"volume\"} or \"new\"");
        app_error_at_field(err, "", "source");
        return -1;
    }
    if (json_object_object_get_ex(body, "target", &v)) {
        const char *t = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";

        prefix = device_bus_prefix(out->bus);
        if (!virt_device_xml_target_valid(t) || strncmp(t, prefix, 2) != 0 || strlen(t) > 5) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "field \"target\" must be %s followed by 1 to 3 letters (bus %s)", prefix,
                          out->bus);
            app_error_at_field(err, "", "target");
            return -1;
        }
        snprintf(out->target, sizeof(out->target), "%s", t);
    }
    if (device_json_enum(body, "cache", device_caches, out->cache, sizeof(out->cache), &given,
                         err) < 0 ||
        device_json_enum(body, "io", device_ios, out->io, sizeof(out->io), &given, err) < 0)
        return -1;
    if (strcmp(out->cache, "default") == 0)
        out->cache[0] = '\0';
    if (strcmp(out->io, "default") == 0)
        out->io[0] = '\0';
    if (device_io_check(out->io, out->cache, err) < 0)
        return -1;
    out->readonly = strcmp(out->device, "cdrom") == 0;
    if (json_object_object_get_ex(body, "readonly", &v)) {
        if (!json_object_is_type(v, json_type_boolean)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"readonly\" must be a boolean");
            app_error_at_field(err, "", "readonly");
            return -1;
        }
        if (out->readonly && !json_object_get_boolean(v)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "a cdrom is always read-only");
            app_error_at_field(err, "", "readonly");
            return -1;
        }
        out->readonly = json_object_get_boolean(v);
    }
    return 0;
}

int virt_device_xml_disk_patch_parse(struct json_object *body, struct virt_device_disk_patch *out,
                                     struct app_error *err)
{
    static const char *const keys[] = {"cache", "io", "readonly", NULL};
    struct json_object *v = NULL;

    memset(out, 0, sizeof(*out));
    if (!body || !json_object_is_type(body, json_type_object)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "request body must be a JSON object");
        return -1;
    }
    if (device_json_keys(body, "body", keys, err) < 0 ||
        device_json_enum(body, "cache", device_caches, out->cache, sizeof(out->cache),
                         &out->has_cache, err) < 0 ||
        device_json_enum(body, "io", device_ios, out->io, sizeof(out->io), &out->has_io, err) < 0)
        return -1;
    if (json_object_object_get_ex(body, "readonly", &v)) {
        if (!json_object_is_type(v, json_type_boolean)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"readonly\" must be a boolean");
            app_error_at_field(err, "", "readonly");
            return -1;
        }
        out->has_readonly = true;
        out->readonly = json_object_get_boolean(v);
    }
    if (!out->has_cache && !out->has_io && !out->has_readonly) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "nothing to change: give \"cache\", \"io\" or \"readonly\"");
        return -1;
    }
    return 0;
}

static int device_rate_parse(struct json_object *bw, const char *dir, struct virt_device_rate *out,
                             struct app_error *err)
{
    static const char *const keys[] = {"average", "peak", "burst", NULL};
    struct json_object *obj = NULL, *v = NULL;
    char name[32];
    uint64_t n;

    memset(out, 0, sizeof(*out));
    if (!json_object_object_get_ex(bw, dir, &obj))
        return 0;
    snprintf(name, sizeof(name), "bandwidth.%s", dir);
    if (!json_object_is_type(obj, json_type_object)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "field \"%s\" must be an object {\"average\", \"peak\", \"burst\"}", name);
        app_error_at_field(err, "", name);
        return -1;
    }
    if (device_json_keys(obj, name, keys, err) < 0)
        return -1;
    if (!json_object_object_get_ex(obj, "average", &v)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s.average\" is required", name);
        app_error_at_field(err, name, ".average");
        return -1;
    }
    snprintf(name, sizeof(name), "bandwidth.%s.average", dir);
    if (device_json_uint(v, name, 1, UINT32_MAX, &n, err) < 0)
        return -1;
    out->average = (uint32_t)n;
    if (json_object_object_get_ex(obj, "peak", &v)) {
        snprintf(name, sizeof(name), "bandwidth.%s.peak", dir);
        if (device_json_uint(v, name, 1, UINT32_MAX, &n, err) < 0)
            return -1;
        out->peak = (uint32_t)n;
    }
    if (json_object_object_get_ex(obj, "burst", &v)) {
        snprintf(name, sizeof(name), "bandwidth.%s.burst", dir);
        if (device_json_uint(v, name, 1, UINT32_MAX, &n, err) < 0)
            return -1;
        out->burst = (uint32_t)n;
    }
    out->given = true;
    return 0;
}

int virt_device_xml_nic_parse(struct json_object *body, bool patch, struct virt_device_nic_req *out,
                              struct app_error *err)
{
    static const char *const attach_keys[] = {"network", "bridge",    "user", "model", "mac",
                                              "link",    "bandwidth", "vlan", NULL};
    static const char *const patch_keys[] = {"network", "bridge",    "user", "model",
                                             "link",    "bandwidth", "vlan", NULL};
    static const char *const bw_keys[] = {"inbound", "outbound", NULL};
    struct json_object *v = NULL;
    uint64_t n;

    memset(out, 0, sizeof(*out));
    if (!body || !json_object_is_type(body, json_type_object)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "request body must be a JSON object");
        return -1;
    }
    if (device_json_keys(body, "body", patch ? patch_keys : attach_keys, err) < 0)
        return -1;
    if (json_object_object_get_ex(body, "network", &v)) {
        if (device_json_name(body, "", "network", device_network_name_valid, out->network,
                             sizeof(out->network), err) < 0)
            return -1;
        out->has_network = true;
    }
    if (json_object_object_get_ex(body, "bridge", &v)) {
        if (device_json_name(body, "", "bridge", device_bridge_valid, out->bridge,
                             sizeof(out->bridge), err) < 0)
            return -1;
        out->has_bridge = true;
    }
    if (json_object_object_get_ex(body, "user", &v)) {
        if (!json_object_is_type(v, json_type_boolean) || !json_object_get_boolean(v)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"user\" must be true");
            app_error_at_field(err, "", "user");
            return -1;
        }
        out->user = true;
    }
    if (out->has_network + out->has_bridge + out->user > 1) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "give one of \"network\", \"bridge\" or \"user\"");
        return -1;
    }
    if (!patch && !out->has_network && !out->has_bridge && !out->user) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "field \"network\", \"bridge\" or \"user\" is required");
        app_error_at_field(err, "", "network");
        return -1;
    }
    if (device_json_enum(body, "model", device_models, out->model, sizeof(out->model),
                         &out->has_model, err) < 0 ||
        device_json_enum(body, "link", device_links, out->link, sizeof(out->link), &out->has_link,
                         err) < 0)
        return -1;
    if (json_object_object_get_ex(body, "mac", &v)) {
        if (!json_object_is_type(v, json_type_string) ||
            virt_device_xml_mac_parse(json_object_get_string(v), out->mac) < 0) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "field \"mac\" must be a unicast MAC address like 52:54:00:12:34:56 "
                          "(not all zero)");
            app_error_at_field(err, "", "mac");
            return -1;
        }
        out->has_mac = true;
    }
    if (json_object_object_get_ex(body, "bandwidth", &v)) {
        out->has_bandwidth = true;
        if (patch && json_object_is_type(v, json_type_null)) {
            out->bandwidth_null = true;
        } else if (!json_object_is_type(v, json_type_object)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "field \"bandwidth\" must be an object {\"inbound\", \"outbound\"}%s",
                          patch ? " or null" : "");
            app_error_at_field(err, "", "bandwidth");
            return -1;
        } else if (device_json_keys(v, "bandwidth", bw_keys, err) < 0 ||
                   device_rate_parse(v, "inbound", &out->inbound, err) < 0 ||
                   device_rate_parse(v, "outbound", &out->outbound, err) < 0) {
            return -1;
        } else if (!out->inbound.given && !out->outbound.given) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "field \"bandwidth\" needs \"inbound\" or \"outbound\"");
            app_error_at_field(err, "", "bandwidth");
            return -1;
        }
    }
    if (json_object_object_get_ex(body, "vlan", &v)) {
        out->has_vlan = true;
        if (patch && json_object_is_type(v, json_type_null))
            out->vlan_null = true;
        else if (device_json_uint(v, "vlan", 1, 4094, &n, err) < 0)
            return -1;
        else
            out->vlan = (int)n;
    }
    if (patch && !out->has_network && !out->has_bridge && !out->user && !out->has_model &&
        !out->has_link && !out->has_bandwidth && !out->has_vlan) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "nothing to change: give \"network\", \"bridge\", \"user\", \"model\", "
                      "\"link\", \"bandwidth\" or \"vlan\"");
        return -1;
    }
    return 0;
}

/* ---- libxml2 helpers ---------------------------------------------------------------- */

/* One element (not the document) as a new string. */
static char *device_xml_dump(xmlDocPtr doc, xmlNodePtr node)
{
    xmlBufferPtr buf = xmlBufferCreate();
    char *out;

    if (!buf)
        abort();
    if (xmlNodeDump(buf, doc, node, 0, 0) < 0)
        out = xstrdup("");
    else
        out = xstrdup((const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    return out;
}

static xmlNodePtr device_xml_child(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr c = parent->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

static void device_xml_remove_children(xmlNodePtr parent, const char *name)
{
    xmlNodePtr c = parent->children;

    while (c) {
        xmlNodePtr next = c->next;

        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
        c = next;
    }
}

static void device_xml_set_u32(xmlNodePtr node, const char *name, uint32_t value)
{
    char s[16];

    snprintf(s, sizeof(s), "%" PRIu32, value);
    virt_xml_set(node, name, s);
}

/* An attribute's value as a new string ("" when absent). */
static char *device_xml_attr(xmlNodePtr node, const char *name)
{
    xmlChar *v = node ? xmlGetProp(node, (const xmlChar *)name) : NULL;
    char *out = xstrdup(v ? (const char *)v : "");

    xmlFree(v);
    return out;
}

static bool device_xml_attr_is(xmlNodePtr node, const char *name, const char *value, bool nocase)
{
    char *v = device_xml_attr(node, name);
    bool same = nocase ? strcasecmp(v, value) == 0 : strcmp(v, value) == 0;

    free(v);
    return same;
}

/* The <devices> element's first child named name after `from` (NULL: the first). */
static xmlNodePtr device_xml_next(xmlDocPtr doc, xmlNodePtr from, const char *name)
{
    xmlNodePtr c;

    if (!from) {
        xmlNodePtr devices = device_xml_child(xmlDocGetRootElement(doc), "devices");

        c = devices ? devices->children : NULL;
    } else {
        c = from->next;
    }
    for (; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

static xmlNodePtr device_xml_find_disk(xmlDocPtr doc, const char *target)
{
    for (xmlNodePtr d = device_xml_next(doc, NULL, "disk"); d; d = device_xml_next(doc, d, "disk"))
        if (device_xml_attr_is(device_xml_child(d, "target"), "dev", target, false))
            return d;
    return NULL;
}

static xmlNodePtr device_xml_find_nic(xmlDocPtr doc, const char *mac)
{
    for (xmlNodePtr n = device_xml_next(doc, NULL, "interface"); n;
         n = device_xml_next(doc, n, "interface"))
        if (device_xml_attr_is(device_xml_child(n, "mac"), "address", mac, true))
            return n;
    return NULL;
}

/* ---- disks ------------------------------------------------------------------------------ */

int virt_device_xml_disk_build(const struct virt_device_disk_req *req, const char *target,
                               const struct virt_device_volume *vol, char **xml,
                               struct app_error *err)
{
    xmlDocPtr doc = NULL;
    xmlNodePtr disk, node;
    const char *type = "raw";
    const char *dev = req->target[0] ? req->target : target;

    *xml = NULL;
    if (!dev || !virt_device_xml_target_valid(dev)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "no valid disk target");
        return -1;
    }
    if ((req->source == VIRT_DEVICE_SOURCE_NONE) != (vol == NULL) ||
        (vol && (!vol->path || vol->path[0] != '/'))) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the disk's volume has no usable path");
        return -1;
    }
    if (vol && !(type = virt_device_xml_driver_type(vol->format))) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "a volume of format \"%.32s\" cannot be attached",
                      vol->format);
        return -1;
    }
    disk = virt_xml_new_root(&doc, "disk");
    virt_xml_set(disk, "type", vol && vol->block ? "block" : "file");
    virt_xml_set(disk, "device", req->device);
    node = virt_xml_add(disk, "driver");
    virt_xml_set(node, "name", "qemu");
    virt_xml_set(node, "type", type);
    if (req->cache[0])
        virt_xml_set(node, "cache", req->cache);
    if (req->io[0])
        virt_xml_set(node, "io", req->io);
    if (vol)
        virt_xml_set(virt_xml_add(disk, "source"), vol->block ? "dev" : "file", vol->path);
    node = virt_xml_add(disk, "target");
    virt_xml_set(node, "dev", dev);
    virt_xml_set(node, "bus", req->bus);
    if (req->readonly)
        virt_xml_add(disk, "readonly");
    *xml = device_xml_dump(doc, disk);
    xmlFreeDoc(doc);
    return 0;
}

int virt_device_xml_disk(struct json_object *body, const struct virt_device_volume *vol,
                         const char *target, char **xml, struct app_error *err)
{
    struct virt_device_disk_req req;

    *xml = NULL;
    if (virt_device_xml_disk_parse(body, &req, err) < 0)
        return -1;
    return virt_device_xml_disk_build(&req, target, vol, xml, err);
}

/* The element find() picks in domain_xml by key: 1 with *elem its XML (without
 * <address>/<alias> when strip) and device its @device ("disk" when absent; skipped
 * when device is NULL), 0 when there is none, -1 with err. */
static int device_xml_find_elem(const char *domain_xml, xmlNodePtr (*find)(xmlDocPtr, const char *),
                                const char *key, bool strip, char **elem, char *device,
                                size_t device_len, struct app_error *err)
{
    xmlDocPtr doc = virt_xml_read(domain_xml, "domain", err);
    xmlNodePtr node;
    int ret = -1;

    if (elem)
        *elem = NULL;
    if (!doc)
        return -1;
    if (!(node = find(doc, key))) {
        ret = 0;
        goto cleanup;
    }
    if (device) {
        char *d = device_xml_attr(node, "device");

        snprintf(device, device_len, "%s", d[0] ? d : "disk");
        free(d);
    }
    if (strip) {
        device_xml_remove_children(node, "address");
        device_xml_remove_children(node, "alias");
    }
    if (elem)
        *elem = device_xml_dump(doc, node);
    ret = 1;

cleanup:
    xmlFreeDoc(doc);
    return ret;
}

int virt_device_xml_disk_find(const char *domain_xml, const char *target, bool strip, char **elem,
                              char *device, size_t device_len, struct app_error *err)
{
    return device_xml_find_elem(domain_xml, device_xml_find_disk, target, strip, elem, device,
                                device_len, err);
}

int virt_device_xml_nic_find(const char *domain_xml, const char *mac, bool strip, char **elem,
                             struct app_error *err)
{
    return device_xml_find_elem(domain_xml, device_xml_find_nic, mac, strip, elem, NULL, 0, err);
}

/* Target name number i of prefix: a..z, then aa..zz. */
static void device_target_name(const char *prefix, unsigned i, char out[VIRT_DEVICE_TARGET_MAX])
{
    if (i < 26)
        snprintf(out, VIRT_DEVICE_TARGET_MAX, "%.2s%c", prefix, 'a' + i);
    else
        snprintf(out, VIRT_DEVICE_TARGET_MAX, "%.2s%c%c", prefix, 'a' + (i - 26) / 26,
                 'a' + (i - 26) % 26);
}

int virt_device_xml_free_target(const char *const *domain_xmls, size_t n, const char *prefix,
                                char out[VIRT_DEVICE_TARGET_MAX], struct app_error *err)
{
    enum { DEVICE_TARGETS = 26 + 26 * 26 };
    bool used[DEVICE_TARGETS] = {false};
    char name[VIRT_DEVICE_TARGET_MAX];

    for (size_t k = 0; k < n; k++) {
        xmlDocPtr doc;

        if (!domain_xmls[k])
            continue;
        if (!(doc = virt_xml_read(domain_xmls[k], "domain", err)))
            return -1;
        for (xmlNodePtr d = device_xml_next(doc, NULL, "disk"); d;
             d = device_xml_next(doc, d, "disk")) {
            char *dev = device_xml_attr(device_xml_child(d, "target"), "dev");

            for (unsigned i = 0; i < DEVICE_TARGETS; i++) {
                device_target_name(prefix, i, name);
                if (strcmp(dev, name) == 0)
                    used[i] = true;
            }
            free(dev);
        }
        xmlFreeDoc(doc);
    }
    for (unsigned i = 0; i < DEVICE_TARGETS; i++) {
        if (!used[i]) {
            device_target_name(prefix, i, out);
            return 0;
        }
    }
    app_error_set(err, 409, APP_ERR_CONFLICT, "every %.2s* disk target is taken", prefix);
    return -1;
}

int virt_device_xml_disk_uses(const char *domain_xml, const char *path, const char *pool,
                              const char *volume, struct app_error *err)
{
    xmlDocPtr doc = virt_xml_read(domain_xml, "domain", err);
    int ret = 0;

    if (!doc)
        return -1;
    for (xmlNodePtr d = device_xml_next(doc, NULL, "disk"); d && !ret;
         d = device_xml_next(doc, d, "disk")) {
        xmlNodePtr src = device_xml_child(d, "source");

        if (!src)
            continue;
        if (path && path[0] &&
            (device_xml_attr_is(src, "file", path, false) ||
             device_xml_attr_is(src, "dev", path, false)))
            ret = 1;
        if (pool && volume && device_xml_attr_is(src, "pool", pool, false) &&
            device_xml_attr_is(src, "volume", volume, false))
            ret = 1;
    }
    xmlFreeDoc(doc);
    return ret;
}

/* domain_xml parsed, with *disk its disk target; NULL with err (502 malformed, 404 no
 * such disk). Free with xmlFreeDoc. */
static xmlDocPtr device_xml_read_disk(const char *domain_xml, const char *target, xmlNodePtr *disk,
                                      struct app_error *err)
{
    xmlDocPtr doc = virt_xml_read(domain_xml, "domain", err);

    if (doc && !(*disk = device_xml_find_disk(doc, target))) {
        app_error_set(err, 404, APP_ERR_NOT_FOUND, "no disk %s", target);
        xmlFreeDoc(doc);
        doc = NULL;
    }
    return doc;
}

/* The <driver> of a disk, created (name='qemu') when missing. */
static xmlNodePtr device_xml_driver(xmlNodePtr disk)
{
    xmlNodePtr driver = device_xml_child(disk, "driver");

    if (!driver) {
        driver = virt_xml_add(disk, "driver");
        virt_xml_set(driver, "name", "qemu");
    }
    return driver;
}

int virt_device_xml_disk_patch(const char *domain_xml, const char *target,
                               const struct virt_device_disk_patch *patch, char **xml,
                               struct app_error *err)
{
    xmlNodePtr disk, driver;
    xmlDocPtr doc = device_xml_read_disk(domain_xml, target, &disk, err);
    char *device = NULL, *cache = NULL, *io = NULL;
    int ret = -1;

    *xml = NULL;
    if (!doc)
        return -1;
    device = device_xml_attr(disk, "device");
    if (patch->has_readonly) {
        if (!patch->readonly && strcmp(device, "cdrom") == 0) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "a cdrom is always read-only");
            app_error_at_field(err, "", "readonly");
            goto cleanup;
        }
        device_xml_remove_children(disk, "readonly");
        if (patch->readonly)
            virt_xml_add(disk, "readonly");
    }
    if (patch->has_cache || patch->has_io) {
        driver = device_xml_driver(disk);
        if (patch->has_cache && strcmp(patch->cache, "default") == 0)
            xmlUnsetProp(driver, (const xmlChar *)"cache");
        else if (patch->has_cache)
            virt_xml_set(driver, "cache", patch->cache);
        if (patch->has_io && strcmp(patch->io, "default") == 0)
            xmlUnsetProp(driver, (const xmlChar *)"io");
        else if (patch->has_io)
            virt_xml_set(driver, "io", patch->io);
        cache = device_xml_attr(driver, "cache");
        io = device_xml_attr(driver, "io");
        if (device_io_check(io, cache, err) < 0)
            goto cleanup;
    }
    *xml = device_xml_dump(doc, disk);
    ret = 0;

cleanup:
    free(device);
    free(cache);
    free(io);
    xmlFreeDoc(doc);
    return ret;
}

int virt_device_xml_disk_media(const char *domain_xml, const char *target,
                               const struct virt_device_volume *vol, char **xml,
                               struct app_error *err)
{
    xmlNodePtr disk;
    xmlDocPtr doc = device_xml_read_disk(domain_xml, target, &disk, err);
    char *device = NULL;
    const char *type = NULL;
    int ret = -1;

    *xml = NULL;
    if (!doc)
        return -1;
    device = device_xml_attr(disk, "device");
    if (strcmp(device, "cdrom") != 0 && strcmp(device, "floppy") != 0) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "disk %s is a %s, not a cdrom or floppy", target,
                      device[0] ? device : "disk");
        goto cleanup;
    }
    if (vol && (!vol->path || vol->path[0] != '/')) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the volume has no usable path");
        goto cleanup;
    }
    if (vol && !(type = virt_device_xml_driver_type(vol->format))) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "a volume of format \"%.32s\" cannot be inserted",
                      vol->format);
        goto cleanup;
    }
    device_xml_remove_children(disk, "source");
    device_xml_remove_children(disk, "backingStore");
    if (vol) {
        virt_xml_set(disk, "type", vol->block ? "block" : "file");
        virt_xml_set(device_xml_driver(disk), "type", type);
        virt_xml_set(virt_xml_add(disk, "source"), vol->block ? "dev" : "file", vol->path);
    }
    *xml = device_xml_dump(doc, disk);
    ret = 0;

cleanup:
    free(device);
    xmlFreeDoc(doc);
    return ret;
}

/* ---- interfaces --------------------------------------------------------------------------- */

static void device_xml_rate(xmlNodePtr bw, const char *dir, const struct virt_device_rate *rate)
{
    xmlNodePtr node;

    if (!rate->given)
        return;
    node = virt_xml_add(bw, dir);
    device_xml_set_u32(node, "average", rate->average);
    if (rate->peak)
        device_xml_set_u32(node, "peak", rate->peak);
    if (rate->burst)
        device_xml_set_u32(node, "burst", rate->burst);
}

/* Sets what req asks for on an <interface> element (attach: empty element; patch: the
 * existing one, whose replaced children are removed first). */
static void device_xml_nic_apply(xmlNodePtr nic, const struct virt_device_nic_req *req, bool live)
{
    if (req->has_network || req->has_bridge || req->user) {
        device_xml_remove_children(nic, "source");
        virt_xml_set(nic, "type",
                     req->has_network  ? "network"
                     : req->has_bridge ? "bridge"
                                       : "user");
    }
    if (req->has_network || req->has_bridge)
        virt_xml_set(virt_xml_add(nic, "source"), req->has_network ? "network" : "bridge",
                     req->has_network ? req->network : req->bridge);
    if (req->has_mac) {
        device_xml_remove_children(nic, "mac");
        virt_xml_set(virt_xml_add(nic, "mac"), "address", req->mac);
    }
    if (req->has_model && !live) {
        device_xml_remove_children(nic, "model");
        virt_xml_set(virt_xml_add(nic, "model"), "type", req->model);
    }
    if (req->has_link) {
        device_xml_remove_children(nic, "link");
        virt_xml_set(virt_xml_add(nic, "link"), "state", req->link);
    }
    if (req->has_bandwidth) {
        device_xml_remove_children(nic, "bandwidth");
        if (!req->bandwidth_null) {
            xmlNodePtr bw = virt_xml_add(nic, "bandwidth");

            device_xml_rate(bw, "inbound", &req->inbound);
            device_xml_rate(bw, "outbound", &req->outbound);
        }
    }
    if (req->has_vlan) {
        device_xml_remove_children(nic, "vlan");
        if (!req->vlan_null) {
            char id[8];

            snprintf(id, sizeof(id), "%d", req->vlan);
            virt_xml_set(virt_xml_add(virt_xml_add(nic, "vlan"), "tag"), "id", id);
        }
    }
}

int virt_device_xml_nic_build(const struct virt_device_nic_req *req, char **xml,
                              struct app_error *err)
{
    xmlDocPtr doc = NULL;
    xmlNodePtr nic;
    struct virt_device_nic_req full = *req;

    *xml = NULL;
    if (req->has_network + req->has_bridge + req->user != 1 || req->bandwidth_null ||
        req->vlan_null) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "an interface needs a network, a bridge or user-mode networking");
        return -1;
    }
    if (!full.has_model) {
        full.has_model = true;
        snprintf(full.model, sizeof(full.model), "virtio");
    }
    nic = virt_xml_new_root(&doc, "interface");
    device_xml_nic_apply(nic, &full, false);
    *xml = device_xml_dump(doc, nic);
    xmlFreeDoc(doc);
    return 0;
}

int virt_device_xml_interface(struct json_object *body, char **xml, struct app_error *err)
{
    struct virt_device_nic_req req;

    *xml = NULL;
    if (virt_device_xml_nic_parse(body, false, &req, err) < 0)
        return -1;
    return virt_device_xml_nic_build(&req, xml, err);
}

int virt_device_xml_nic_patch(const char *domain_xml, const char *mac,
                              const struct virt_device_nic_req *req, bool live, char **xml,
                              bool *changed, struct app_error *err)
{
    xmlDocPtr doc = virt_xml_read(domain_xml, "domain", err);
    xmlNodePtr nic;
    struct virt_device_nic_req edit = *req;
    char *before = NULL;
    int ret = -1;

    *xml = NULL;
    *changed = false;
    if (!doc)
        return -1;
    if (!(nic = device_xml_find_nic(doc, mac))) {
        app_error_set(err, 404, APP_ERR_NOT_FOUND, "no interface with MAC %s", mac);
        goto cleanup;
    }
    /* the source stays as it is (live: with its port and bridge) unless it changes */
    if (edit.has_network && device_xml_attr_is(nic, "type", "network", false) &&
        device_xml_attr_is(device_xml_child(nic, "source"), "network", edit.network, false))
        edit.has_network = false;
    if (edit.has_bridge && device_xml_attr_is(nic, "type", "bridge", false) &&
        device_xml_attr_is(device_xml_child(nic, "source"), "bridge", edit.bridge, false))
        edit.has_bridge = false;
    if (edit.user && device_xml_attr_is(nic, "type", "user", false))
        edit.user = false;
    edit.has_mac = false;
    before = device_xml_dump(doc, nic);
    device_xml_nic_apply(nic, &edit, live);
    *xml = device_xml_dump(doc, nic);
    *changed = strcmp(before, *xml) != 0;
    ret = 0;

cleanup:
    free(before);
    xmlFreeDoc(doc);
    return ret;
}
