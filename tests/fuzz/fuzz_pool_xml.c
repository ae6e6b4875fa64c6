/* fuzz_pool_xml: libFuzzer target for virt_pool_xml_build (server/virt/virt_pool_xml.h),
 * the JSON request → <pool> XML builder, whose every field comes from a user. Runs on
 * libFuzzer's thread; no state.
 *
 * Input: a JSON document (bytes up to the first NUL); anything that is not an object
 * is skipped. Invariants beyond "no crash": a refusal is a 400 bad_request with a
 * message and no XML; an accepted request gives XML that libxml2 parses back into
 * exactly the elements, attributes and text the request asked for, with the request's
 * values (plus the documented defaults: netfs format "nfs", iscsi target
 * /dev/disk/by-path, rbd auth type "ceph"), every asked-for value appears exactly
 * once, and the target path is normalised (virt_pool_xml_path_valid). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "fuzz_input.h"
#include "virt/virt_pool_xml.h"

/* One place a value may appear in the document. */
struct fuzz_pool_slot {
    const char *path; /* element path from the root, e.g. "pool/source/host" */
    const char *attr; /* attribute name, or NULL for the element's text */
    const char *want; /* expected value, NULL if the request did not ask for it */
    int seen;
};

static const char *fuzz_pool_str(struct json_object *req, const char *key)
{
    struct json_object *v;

    if (!json_object_object_get_ex(req, key, &v))
        return NULL;
    FUZZ_ASSERT(json_object_is_type(v, json_type_string)); /* it was accepted */
    return json_object_get_string(v);
}

static struct fuzz_pool_slot *fuzz_pool_find(struct fuzz_pool_slot *slots, size_t n,
                                             const char *path, const char *attr)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(slots[i].path, path) == 0 &&
            (attr ? slots[i].attr && strcmp(slots[i].attr, attr) == 0 : !slots[i].attr))
            return &slots[i];
    return NULL;
}

/* Is path the parent of some slot that is asked for (so the element may exist)? */
static bool fuzz_pool_container(struct fuzz_pool_slot *slots, size_t n, const char *path)
{
    size_t len = strlen(path);

    for (size_t i = 0; i < n; i++)
        if (slots[i].want && strncmp(slots[i].path, path, len) == 0 &&
            (slots[i].path[len] == '\0' || slots[i].path[len] == '/'))
            return true;
    return false;
}

static void fuzz_pool_walk(xmlNodePtr node, const char *parent, struct fuzz_pool_slot *slots,
                           size_t n)
{
    char path[256];
    bool has_text_slot;
    struct fuzz_pool_slot *slot;

    FUZZ_ASSERT(node->type == XML_ELEMENT_NODE);
    FUZZ_ASSERT(node->ns == NULL);
    snprintf(path, sizeof(path), "%s%s%s", parent, parent[0] ? "/" : "", (const char *)node->name);
    FUZZ_ASSERT(fuzz_pool_container(slots, n, path));
    for (xmlAttrPtr a = node->properties; a; a = a->next) {
        xmlChar *value = xmlNodeGetContent((xmlNodePtr)a);

        slot = fuzz_pool_find(slots, n, path, (const char *)a->name);
        FUZZ_ASSERT(slot && slot->want);
        FUZZ_ASSERT(value && strcmp((const char *)value, slot->want) == 0);
        slot->seen++;
        xmlFree(value);
    }
    slot = fuzz_pool_find(slots, n, path, NULL);
    has_text_slot = slot && slot->want;
    if (has_text_slot) {
        xmlChar *text = xmlNodeGetContent(node);

        FUZZ_ASSERT(text && strcmp((const char *)text, slot->want) == 0);
        slot->seen++;
        xmlFree(text);
    }
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE) {
            FUZZ_ASSERT(has_text_slot);
            continue;
        }
        fuzz_pool_walk(c, path, slots, n);
    }
}

static void fuzz_pool_check(struct json_object *req, const char *xml)
{
    const char *type = fuzz_pool_str(req, "type");
    const char *target = fuzz_pool_str(req, "target_path");
    const char *format = fuzz_pool_str(req, "source_format");
    const char *iqn = fuzz_pool_str(req, "source_iqn");
    const char *device = fuzz_pool_str(req, "source_device");
    const char *user = fuzz_pool_str(req, "auth_username");
    struct json_object *v;
    char port[16] = "";
    xmlDocPtr doc;

    if (json_object_object_get_ex(req, "source_port", &v))
        snprintf(port, sizeof(port), "%d", json_object_get_int(v));
    if (!target && strcmp(type, "iscsi") == 0)
        target = "/dev/disk/by-path";
    if (!format && strcmp(type, "netfs") == 0)
        format = "nfs";
    FUZZ_ASSERT(!(iqn && device));
    {
        struct fuzz_pool_slot slots[] = {
            {"pool", "type", type, 0},
            {"pool/name", NULL, fuzz_pool_str(req, "name"), 0},
            {"pool/target/path", NULL, target, 0},
            {"pool/source/host", "name", fuzz_pool_str(req, "source_host"), 0},
            {"pool/source/host", "port", port[0] ? port : NULL, 0},
            {"pool/source/dir", "path", fuzz_pool_str(req, "source_path"), 0},
            {"pool/source/device", "path", iqn ? iqn : device, 0},
            {"pool/source/initiator/iqn", "name", fuzz_pool_str(req, "initiator_iqn"), 0},
            {"pool/source/name", NULL, fuzz_pool_str(req, "source_name"), 0},
            {"pool/source/format", "type", format, 0},
            {"pool/source/auth", "type", user ? "ceph" : NULL, 0},
            {"pool/source/auth", "username", user, 0},
            {"pool/source/auth/secret", "uuid", fuzz_pool_str(req, "auth_secret_uuid"), 0},
        };
        size_t n = sizeof(slots) / sizeof(slots[0]);

        doc = xmlReadMemory(xml, (int)strlen(xml), "pool.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        FUZZ_ASSERT(doc != NULL);
        FUZZ_ASSERT(xmlDocGetRootElement(doc) != NULL);
        for (xmlNodePtr c = doc->children; c; c = c->next)
            FUZZ_ASSERT(c->type == XML_ELEMENT_NODE); /* no comment, PI or DTD */
        fuzz_pool_walk(xmlDocGetRootElement(doc), "", slots, n);
        for (size_t i = 0; i < n; i++)
            FUZZ_ASSERT(slots[i].seen == (slots[i].want ? 1 : 0));
        xmlFreeDoc(doc);
    }
    if (target)
        FUZZ_ASSERT(virt_pool_xml_path_valid(target));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_input_cstr(data, size);
    struct json_tokener *tok = json_tokener_new_ex(8);
    struct json_object *req = json_tokener_parse_ex(tok, text, (int)strlen(text));
    struct app_error err;
    char *xml = NULL;

    if (req && json_object_is_type(req, json_type_object)) {
        app_error_clear(&err);
        if (virt_pool_xml_build(req, &xml, &err) == 0) {
            FUZZ_ASSERT(xml != NULL);
            fuzz_pool_check(req, xml);
        } else {
            FUZZ_ASSERT(xml == NULL);
            FUZZ_ASSERT(err.status == 400);
            FUZZ_ASSERT(err.code && strcmp(err.code, APP_ERR_BAD_REQUEST) == 0);
            FUZZ_ASSERT(memchr(err.message, '\0', sizeof(err.message)) && err.message[0]);
        }
    }
    free(xml);
    json_object_put(req);
    json_tokener_free(tok);
    free(text);
    return 0;
}
