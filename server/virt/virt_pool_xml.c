/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_pool_xml: JSON request → <pool> XML, and <pool> XML → pool fields.
 *
 * Pure, any thread. A table says which request keys each pool type accepts and
 * requires; a key outside it is refused, every value is checked against a narrow
 * character set, and the document is built with libxml2's tree API. So the XML holds
 * exactly what the request asked for (tests/fuzz/fuzz_pool_xml.c checks that). */
#include "virt/virt_pool_xml.h"

#include <arpa/inet.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "virt/virt_domain.h"
#include "virt/virt_xml.h"

#define POOL_PATH_MAX 1024

enum pool_key {
    POOL_TARGET = 1u << 0,
    POOL_SRC_DEVICE = 1u << 1,
    POOL_SRC_FORMAT = 1u << 2,
    POOL_SRC_HOST = 1u << 3,
    POOL_SRC_PORT = 1u << 4,
    POOL_SRC_PATH = 1u << 5,
    POOL_SRC_NAME = 1u << 6,
    POOL_SRC_IQN = 1u << 7,
    POOL_INITIATOR = 1u << 8,
    POOL_AUTH_USER = 1u << 9,
    POOL_AUTH_SECRET = 1u << 10,
};

/* Request keys that depend on the type, with their bit. */
static const struct {
    const char *key;
    unsigned bit;
} pool_keys[] = {
    {"target_path", POOL_TARGET},           {"source_device", POOL_SRC_DEVICE},
    {"source_format", POOL_SRC_FORMAT},     {"source_host", POOL_SRC_HOST},
    {"source_port", POOL_SRC_PORT},         {"source_path", POOL_SRC_PATH},
    {"source_name", POOL_SRC_NAME},         {"source_iqn", POOL_SRC_IQN},
    {"initiator_iqn", POOL_INITIATOR},      {"auth_username", POOL_AUTH_USER},
    {"auth_secret_uuid", POOL_AUTH_SECRET},
};

static const char *const pool_fs_formats[] = {"auto",    "ext2", "ext3",  "ext4", "ufs",
                                              "iso9660", "udf",  "gfs",   "gfs2", "vfat",
                                              "hfs+",    "xfs",  "ocfs2", "vmfs", NULL};
static const char *const pool_netfs_formats[] = {"auto", "nfs", "glusterfs", "cifs", NULL};

static const struct pool_type {
    const char *type;
    unsigned allowed;
    unsigned required;
    const char *default_target; /* NULL: none */
    bool dev_target;            /* the target is a directory of device nodes under /dev/ */
} pool_types[] = {
    {"dir", POOL_TARGET, POOL_TARGET, NULL, false},
    {"fs", POOL_TARGET | POOL_SRC_DEVICE | POOL_SRC_FORMAT, POOL_TARGET | POOL_SRC_DEVICE, NULL,
     false},
    {"netfs", POOL_TARGET | POOL_SRC_HOST | POOL_SRC_PATH | POOL_SRC_FORMAT,
     POOL_TARGET | POOL_SRC_HOST | POOL_SRC_PATH, NULL, false},
    {"logical", POOL_TARGET | POOL_SRC_NAME | POOL_SRC_DEVICE, POOL_SRC_NAME, NULL, true},
    {"iscsi", POOL_TARGET | POOL_SRC_HOST | POOL_SRC_PORT | POOL_SRC_IQN | POOL_INITIATOR,
     POOL_SRC_HOST | POOL_SRC_IQN, "/dev/disk/by-path", true},
    {"rbd", POOL_SRC_HOST | POOL_SRC_PORT | POOL_SRC_NAME | POOL_AUTH_USER | POOL_AUTH_SECRET,
     POOL_SRC_HOST | POOL_SRC_NAME, NULL, false},
};

static bool pool_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Every byte of s is alphanumeric or in extra; length 1..max. */
static bool pool_chars_ok(const char *s, size_t max, const char *extra)
{
    size_t i, len = strlen(s);

    if (len == 0 || len > max)
        return false;
    for (i = 0; i < len; i++)
        if (!pool_alnum(s[i]) && !strchr(extra, s[i]))
            return false;
    return true;
}

int virt_pool_xml_name_valid(const char *name)
{
    return name && pool_alnum(name[0]) && pool_chars_ok(name, 50, "_.-");
}

int virt_pool_xml_path_valid(const char *path)
{
    const char *seg;

    if (!path || path[0] != '/' || !pool_chars_ok(path, POOL_PATH_MAX, "/._+@:,=~-"))
        return 0;
    for (seg = path; seg; seg = strchr(seg + 1, '/')) {
        const char *next = strchr(seg + 1, '/');
        size_t len = next ? (size_t)(next - seg - 1) : strlen(seg + 1);

        /* empty segments: "//", a trailing "/" and "/" itself */
        if (len == 0 || (len == 1 && seg[1] == '.') || (len == 2 && seg[1] == '.' && seg[2] == '.'))
            return 0;
    }
    return 1;
}

/* One DNS label: 1-63 of [A-Za-z0-9-], not starting or ending with '-'. */
static bool pool_label_valid(const char *s, size_t len)
{
    if (len == 0 || len > 63 || s[0] == '-' || s[len - 1] == '-')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!pool_alnum(s[i]) && s[i] != '-')
            return false;
    return true;
}

/* An IPv4 or IPv6 literal, or a DNS name of at most 253 characters whose dot-separated
 * labels pool_label_valid accepts ("nas.example..com" and "nas-.lan" are refused). */
static bool pool_host_valid(const char *s)
{
    unsigned char raw[16];
    size_t len = strlen(s);

    if (inet_pton(AF_INET, s, raw) == 1 || inet_pton(AF_INET6, s, raw) == 1)
        return true;
    if (len == 0 || len > 253)
        return false;
    for (const char *p = s;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);

        if (!pool_label_valid(p, n))
            return false;
        if (!dot)
            return true;
        p = dot + 1;
    }
}

static bool pool_source_name_valid(const char *s)
{
    return s[0] != '-' && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
           pool_chars_ok(s, 127, "_.+-");
}

static bool pool_iqn_valid(const char *s)
{
    return (strncmp(s, "iqn.", 4) == 0 || strncmp(s, "eui.", 4) == 0 ||
            strncmp(s, "naa.", 4) == 0) &&
           strlen(s) > 4 && pool_chars_ok(s, 223, ".:_-");
}

static bool pool_user_valid(const char *s)
{
    return s[0] != '-' && pool_chars_ok(s, 64, "_.@-");
}

static bool pool_in_list(const char *s, const char *const *list)
{
    size_t i;

    for (i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

/* The string member key (NULL if absent); -1 with err if not a plain string. */
static int pool_get_string(struct json_object *req, const char *key, const char **out,
                           struct app_error *err)
{
    struct json_object *v;

    *out = NULL;
    if (!json_object_object_get_ex(req, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_string) ||
        (size_t)json_object_get_string_len(v) != strlen(json_object_get_string(v))) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%s\" must be a string", key);
        app_error_at_field(err, "", key);
        return -1;
    }
    *out = json_object_get_string(v);
    return 0;
}

/* Every string field of a request, NULL when absent. */
struct pool_req {
    const struct pool_type *type;
    const char *name, *target, *device, *format, *host, *path, *source_name, *iqn, *initiator,
        *user, *secret;
    char port[8]; /* "" when absent */
};

static int pool_check_keys(struct json_object *req, const struct pool_type *type, unsigned *present,
                           struct app_error *err)
{
    static const char *const common[] = {"name", "type", "build", "start", "autostart", NULL};

    *present = 0;
    json_object_object_foreach(req, key, val)
    {
        size_t i;
        bool found = pool_in_list(key, common);

        (void)val;
        for (i = 0; !found && i < sizeof(pool_keys) / sizeof(pool_keys[0]); i++) {
            if (strcmp(key, pool_keys[i].key) != 0)
                continue;
            if (!(type->allowed & pool_keys[i].bit)) {
                app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%s\" is not valid for a %s pool",
                              key, type->type);
                app_error_at_field(err, "", key);
                return -1;
            }
            *present |= pool_keys[i].bit;
            found = true;
        }
        if (!found) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "unknown field \"%.64s\"", key);
            return -1;
        }
    }
    for (size_t i = 0; i < sizeof(pool_keys) / sizeof(pool_keys[0]); i++) {
        if ((type->required & pool_keys[i].bit) && !(*present & pool_keys[i].bit)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "a %s pool needs \"%s\"", type->type,
                          pool_keys[i].key);
            app_error_at_field(err, "", pool_keys[i].key);
            return -1;
        }
    }
    return 0;
}

static int pool_check_bools(struct json_object *req, struct app_error *err)
{
    static const char *const keys[] = {"build", "start", "autostart", NULL};
    struct json_object *v;
    size_t i;

    for (i = 0; keys[i]; i++) {
        if (json_object_object_get_ex(req, keys[i], &v) &&
            !json_object_is_type(v, json_type_boolean)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%s\" must be true or false", keys[i]);
            app_error_at_field(err, "", keys[i]);
            return -1;
        }
    }
    return 0;
}

static int pool_check_port(struct json_object *req, char *out, size_t len, struct app_error *err)
{
    struct json_object *v;
    int64_t port;

    out[0] = '\0';
    if (!json_object_object_get_ex(req, "source_port", &v))
        return 0;
    if (!json_object_is_type(v, json_type_int) || (port = json_object_get_int64(v)) < 1 ||
        port > 65535) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"source_port\" must be 1-65535");
        app_error_at_range(err, "", "source_port", 1, 65535);
        return -1;
    }
    snprintf(out, len, "%d", (int)port);
    return 0;
}

/* Reads and checks every field of req into r. */
static int pool_parse(struct json_object *req, struct pool_req *r, struct app_error *err)
{
    const char *type = NULL;
    unsigned present;
    size_t i;

    memset(r, 0, sizeof(*r));
    if (!json_object_is_type(req, json_type_object)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the request must be a JSON object");
        return -1;
    }
    if (pool_get_string(req, "name", &r->name, err) < 0 ||
        pool_get_string(req, "type", &type, err) < 0)
        return -1;
    if (!r->name || !virt_pool_xml_name_valid(r->name)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"name\" must be 1-50 characters of A-Z a-z 0-9 _ . - starting with a "
                      "letter or digit");
        app_error_at_field(err, "", "name");
        return -1;
    }
    for (i = 0; type && i < sizeof(pool_types) / sizeof(pool_types[0]); i++)
        if (strcmp(type, pool_types[i].type) == 0)
            r->type = &pool_types[i];
    if (!r->type) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"type\" must be dir, fs, netfs, logical, iscsi or rbd");
        app_error_at_field(err, "", "type");
        return -1;
    }
    if (pool_check_keys(req, r->type, &present, err) < 0 || pool_check_bools(req, err) < 0 ||
        pool_check_port(req, r->port, sizeof(r->port), err) < 0)
        return -1;
    if (pool_get_string(req, "target_path", &r->target, err) < 0 ||
        pool_get_string(req, "source_device", &r->device, err) < 0 ||
        pool_get_string(req, "source_format", &r->format, err) < 0 ||
        pool_get_string(req, "source_host", &r->host, err) < 0 ||
        pool_get_string(req, "source_path", &r->path, err) < 0 ||
        pool_get_string(req, "source_name", &r->source_name, err) < 0 ||
        pool_get_string(req, "source_iqn", &r->iqn, err) < 0 ||
        pool_get_string(req, "initiator_iqn", &r->initiator, err) < 0 ||
        pool_get_string(req, "auth_username", &r->user, err) < 0 ||
        pool_get_string(req, "auth_secret_uuid", &r->secret, err) < 0)
        return -1;
    if (r->target && !virt_pool_xml_path_valid(r->target)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"target_path\" must be an absolute, normalised path (no \"..\", \".\", "
                      "\"//\" or trailing \"/\"; characters A-Z a-z 0-9 / . _ + @ : , = ~ -)");
        app_error_at_field(err, "", "target_path");
        return -1;
    }
    if (r->target && r->type->dev_target && strncmp(r->target, "/dev/", 5) != 0) {
        /* libvirt names a block pool's volumes <target>/<name> and wipes them there */
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"target_path\" of a %s pool must be a directory under /dev/",
                      r->type->type);
        app_error_at_field(err, "", "target_path");
        return -1;
    }
    if (r->device &&
        (!virt_pool_xml_path_valid(r->device) || strncmp(r->device, "/dev/", 5) != 0)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"source_device\" must be a normalised path under /dev/");
        app_error_at_field(err, "", "source_device");
        return -1;
    }
    if (r->path && !virt_pool_xml_path_valid(r->path)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"source_path\" must be an absolute, normalised path");
        app_error_at_field(err, "", "source_path");
        return -1;
    }
    if (r->format &&
        !pool_in_list(r->format,
                      strcmp(r->type->type, "fs") == 0 ? pool_fs_formats : pool_netfs_formats)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"source_format\" \"%.32s\" is not valid "
                      "for a %s pool",
                      r->format, r->type->type);
        app_error_at_field(err, "", "source_format");
        return -1;
    }
    if (r->host && !pool_host_valid(r->host)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"source_host\": \"%.64s\" is not a host name or an IP address "
                      "(dot-separated labels of letters, digits and '-')",
                      r->host);
        app_error_at_field(err, "", "source_host");
        return -1;
    }
    if (r->source_name && !pool_source_name_valid(r->source_name)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"source_name\" must be 1-127 characters of A-Z a-z 0-9 _ . + -");
        app_error_at_field(err, "", "source_name");
        return -1;
    }
    if ((r->iqn && !pool_iqn_valid(r->iqn)) || (r->initiator && !pool_iqn_valid(r->initiator))) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "an IQN must start with iqn., eui. or naa. (A-Z a-z 0-9 . : _ -)");
        app_error_at_field(err, "",
                           r->iqn && !pool_iqn_valid(r->iqn) ? "source_iqn" : "initiator_iqn");
        return -1;
    }
    if (!r->user != !r->secret) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"auth_username\" and \"auth_secret_uuid\" go together");
        app_error_at_field(err, "", r->user ? "auth_secret_uuid" : "auth_username");
        return -1;
    }
    if ((r->user && !pool_user_valid(r->user)) ||
        (r->secret && !virt_domain_uuid_valid(r->secret))) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"auth_username\" must be A-Z a-z 0-9 _ . @ - and \"auth_secret_uuid\" a "
                      "UUID");
        app_error_at_field(
            err, "", r->user && !pool_user_valid(r->user) ? "auth_username" : "auth_secret_uuid");
        return -1;
    }
    if (!r->target)
        r->target = r->type->default_target;
    if (!r->format && strcmp(r->type->type, "netfs") == 0)
        r->format = "nfs";
    return 0;
}

int virt_pool_xml_build(struct json_object *req, char **xml_out, struct app_error *err)
{
    int ret = -1;
    struct pool_req r;
    xmlDocPtr doc = NULL;
    xmlNodePtr root, src = NULL, node;

    *xml_out = NULL;
    if (pool_parse(req, &r, err) < 0)
        goto cleanup;

    root = virt_xml_new_root(&doc, "pool");
    virt_xml_set(root, "type", r.type->type);
    virt_xml_add_text(root, "name", r.name);
    if (r.host || r.device || r.format || r.path || r.source_name || r.iqn)
        src = virt_xml_add(root, "source");
    if (r.host) {
        node = virt_xml_add_prop(src, "host", "name", r.host);
        if (r.port[0])
            virt_xml_set(node, "port", r.port);
    }
    if (r.path)
        virt_xml_add_prop(src, "dir", "path", r.path);
    if (r.device)
        virt_xml_add_prop(src, "device", "path", r.device);
    if (r.iqn)
        virt_xml_add_prop(src, "device", "path", r.iqn);
    if (r.initiator)
        virt_xml_add_prop(virt_xml_add(src, "initiator"), "iqn", "name", r.initiator);
    if (r.source_name)
        virt_xml_add_text(src, "name", r.source_name);
    if (r.format)
        virt_xml_add_prop(src, "format", "type", r.format);
    if (r.user) {
        node = virt_xml_add_prop(src, "auth", "type", "ceph");
        virt_xml_set(node, "username", r.user);
        virt_xml_add_prop(node, "secret", "uuid", r.secret);
    }
    if (r.target)
        virt_xml_add_text(virt_xml_add(root, "target"), "path", r.target);
    *xml_out = virt_xml_doc_string(doc, false);
    ret = 0;

cleanup:
    xmlFreeDoc(doc);
    return ret;
}

/* Adds key = the expression's string to obj when it is not empty. */
static void pool_read_into(struct json_object *obj, const char *key, xmlXPathContextPtr ctx,
                           const char *expr)
{
    char *s = virt_xml_xpath_string(ctx, NULL, expr);

    if (s)
        virt_xml_json_add(obj, key, json_object_new_string(s));
    free(s);
}

int virt_pool_xml_read(const char *xml, struct json_object *obj, struct app_error *err)
{
    int ret = -1;
    xmlDocPtr doc = NULL;
    xmlXPathContextPtr ctx = NULL;
    char *type = NULL, *target = NULL, *port = NULL;
    struct json_object *source;

    if (!(doc = virt_xml_read(xml, "pool", err)))
        goto cleanup;
    ctx = virt_xml_xpath_new(doc);
    type = virt_xml_xpath_string(ctx, NULL, "string(/pool/@type)");
    target = virt_xml_xpath_string(ctx, NULL, "string(/pool/target/path)");
    json_object_object_add(obj, "type", json_object_new_string(type ? type : "unknown"));
    json_object_object_add(obj, "target_path", target ? json_object_new_string(target) : NULL);
    source = json_object_new_object();
    pool_read_into(source, "host", ctx, "string(/pool/source/host[1]/@name)");
    port = virt_xml_xpath_string(ctx, NULL, "string(/pool/source/host[1]/@port)");
    if (port) {
        char *end;
        long n = strtol(port, &end, 10);

        if (*end == '\0' && n > 0 && n < 65536)
            json_object_object_add(source, "port", json_object_new_int((int)n));
    }
    pool_read_into(source, "path", ctx, "string(/pool/source/dir/@path)");
    if (type && strcmp(type, "iscsi") == 0)
        pool_read_into(source, "iqn", ctx, "string(/pool/source/device[1]/@path)");
    else
        pool_read_into(source, "device", ctx, "string(/pool/source/device[1]/@path)");
    pool_read_into(source, "initiator_iqn", ctx, "string(/pool/source/initiator/iqn/@name)");
    pool_read_into(source, "name", ctx, "string(/pool/source/name)");
    pool_read_into(source, "format", ctx, "string(/pool/source/format/@type)");
    pool_read_into(source, "auth_username", ctx, "string(/pool/source/auth/@username)");
    pool_read_into(source, "auth_secret_uuid", ctx, "string(/pool/source/auth/secret/@uuid)");
    json_object_object_add(obj, "source", source);
    ret = 0;

cleanup:
    free(type);
    free(target);
    free(port);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return ret;
}
