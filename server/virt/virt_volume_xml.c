/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_volume_xml: JSON request → <volume> XML, and <volume> XML → volume fields.
 *
 * Pure, any thread. Every value is checked before it reaches the document; the
 * document is built with libxml2's tree API (which escapes) and read with XPath. The
 * builder refuses unknown keys so a request can never add an element we did not
 * plan for (tests/fuzz/fuzz_volume_xml.c checks exactly that). */
#include "virt/virt_volume_xml.h"

#include <inttypes.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8_name.h"
#include "util/xalloc.h"
#include "virt/virt_xml.h"

int virt_volume_xml_name_valid(const char *name)
{
    return utf8_name_file_valid(name);
}

/* Reads an integer member in [min, max]. Returns 1 if present and valid, 0 if absent,
 * -1 with err if malformed. */
static int volume_json_u64(struct json_object *req, const char *key, uint64_t min, uint64_t max,
                           uint64_t *out, struct app_error *err)
{
    struct json_object *v;
    int64_t n;

    if (!json_object_object_get_ex(req, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_int)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%s\" must be an integer", key);
        app_error_at_field(err, "", key);
        return -1;
    }
    n = json_object_get_int64(v);
    if (n < 0 || (uint64_t)n < min || (uint64_t)n > max) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"%s\" must be between %" PRIu64 " and %" PRIu64, key, min, max);
        app_error_at_range(err, "", key, (long long)min, (long long)max);
        return -1;
    }
    *out = (uint64_t)n;
    return 1;
}

/* Checks that every key of req is one we know. */
static int volume_check_keys(struct json_object *req, struct app_error *err)
{
    static const char *const known[] = {
        "name", "capacity_bytes", "format", "allocation_bytes", "backing", NULL};

    json_object_object_foreach(req, key, val)
    {
        size_t i;
        bool found = false;

        (void)val;
        for (i = 0; known[i]; i++)
            found = found || strcmp(key, known[i]) == 0;
        if (!found) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "unknown field \"%.64s\"", key);
            return -1;
        }
    }
    return 0;
}

/* Checks "backing": {"volume": name} and nothing else. */
static int volume_check_backing(struct json_object *backing, struct app_error *err)
{
    struct json_object *v;

    if (!json_object_is_type(backing, json_type_object) ||
        json_object_object_length(backing) != 1 ||
        !json_object_object_get_ex(backing, "volume", &v) ||
        !json_object_is_type(v, json_type_string) ||
        !virt_volume_xml_name_valid(json_object_get_string(v))) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"backing\" must be {\"volume\": <name of a volume in the same pool>}");
        app_error_at_field(err, "", "backing");
        return -1;
    }
    return 0;
}

static bool volume_backing_value_ok(const char *s)
{
    size_t i, len = s ? strlen(s) : 0;

    if (len == 0 || len > 4096)
        return false;
    for (i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
            return false;
    return true;
}

int virt_volume_xml_build(struct json_object *req, const char *backing_path,
                          const char *backing_format, char **xml_out, struct app_error *err)
{
    int ret = -1, has_alloc;
    enum utf8_name_fault fault;
    struct json_object *v, *backing = NULL;
    const char *name, *format;
    uint64_t capacity = 0, allocation = 0;
    xmlDocPtr doc = NULL;
    xmlNodePtr root, node;
    char num[32];

    *xml_out = NULL;
    if (!json_object_is_type(req, json_type_object)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the request must be a JSON object");
        goto cleanup;
    }
    if (volume_check_keys(req, err) < 0)
        goto cleanup;
    if (!json_object_object_get_ex(req, "name", &v) || !json_object_is_type(v, json_type_string)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"name\" must be a string");
        app_error_at_field(err, "", "name");
        goto cleanup;
    }
    name = json_object_get_string(v);
    if ((fault = utf8_name_check(name, (size_t)json_object_get_string_len(v), UTF8_NAME_FILE))) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"name\" %s",
                      utf8_name_fault_text(fault, UTF8_NAME_FILE));
        app_error_at_field(err, "", "name");
        goto cleanup;
    }
    if (!json_object_object_get_ex(req, "format", &v) ||
        !json_object_is_type(v, json_type_string) ||
        (strcmp(format = json_object_get_string(v), "qcow2") != 0 && strcmp(format, "raw") != 0 &&
         strcmp(format, "iso") != 0)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"format\" must be \"qcow2\", \"raw\" or \"iso\"");
        app_error_at_field(err, "", "format");
        goto cleanup;
    }
    switch (volume_json_u64(req, "capacity_bytes", 1, VIRT_VOLUME_MAX_CAPACITY, &capacity, err)) {
    case -1:
        goto cleanup;
    case 0:
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"capacity_bytes\" is required");
        app_error_at_field(err, "", "capacity_bytes");
        goto cleanup;
    default:
        break;
    }
    if ((has_alloc = volume_json_u64(req, "allocation_bytes", 0, capacity, &allocation, err)) < 0)
        goto cleanup;
    if (json_object_object_get_ex(req, "backing", &backing)) {
        if (volume_check_backing(backing, err) < 0)
            goto cleanup;
        if (strcmp(format, "qcow2") != 0) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "only qcow2 volumes can have a backing "
                          "volume");
            app_error_at_field(err, "", "backing");
            goto cleanup;
        }
        if (!volume_backing_value_ok(backing_path) || !volume_backing_value_ok(backing_format)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the backing volume has no usable path");
            goto cleanup;
        }
    } else if (backing_path || backing_format) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "a backing path without \"backing\"");
        goto cleanup;
    }

    root = virt_xml_new_root(&doc, "volume");
    virt_xml_add_text(root, "name", name);
    snprintf(num, sizeof(num), "%" PRIu64, capacity);
    virt_xml_set(virt_xml_add_text(root, "capacity", num), "unit", "bytes");
    if (has_alloc) {
        snprintf(num, sizeof(num), "%" PRIu64, allocation);
        virt_xml_set(virt_xml_add_text(root, "allocation", num), "unit", "bytes");
    }
    virt_xml_add_prop(virt_xml_add(root, "target"), "format", "type", format);
    if (backing) {
        node = virt_xml_add(root, "backingStore");
        virt_xml_add_text(node, "path", backing_path);
        virt_xml_add_prop(node, "format", "type", backing_format);
    }
    *xml_out = virt_xml_doc_string(doc, false);
    ret = 0;

cleanup:
    xmlFreeDoc(doc);
    return ret;
}

uint64_t virt_volume_xml_needed_bytes(const char *format, uint64_t capacity, int has_allocation,
                                      uint64_t allocation)
{
    if (has_allocation)
        return allocation;
    if (format && (strcmp(format, "raw") == 0 || strcmp(format, "iso") == 0))
        return capacity;
    return 0;
}

int virt_volume_xml_read(const char *xml, struct json_object *obj, struct app_error *err)
{
    int ret = -1;
    xmlDocPtr doc = NULL;
    xmlXPathContextPtr ctx = NULL;
    char *format = NULL, *bpath = NULL, *bformat = NULL;
    struct json_object *backing = NULL;

    if (!(doc = virt_xml_read(xml, "volume", err)))
        goto cleanup;
    ctx = virt_xml_xpath_new(doc);
    format = virt_xml_xpath_string(ctx, NULL, "string(/volume/target/format/@type)");
    json_object_object_add(obj, "format", json_object_new_string(format ? format : "raw"));
    bpath = virt_xml_xpath_string(ctx, NULL, "string(/volume/backingStore/path)");
    if (bpath) {
        bformat = virt_xml_xpath_string(ctx, NULL, "string(/volume/backingStore/format/@type)");
        backing = json_object_new_object();
        json_object_object_add(backing, "path", json_object_new_string(bpath));
        json_object_object_add(backing, "format", bformat ? json_object_new_string(bformat) : NULL);
    }
    json_object_object_add(obj, "backing", backing);
    ret = 0;

cleanup:
    free(format);
    free(bpath);
    free(bformat);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return ret;
}
