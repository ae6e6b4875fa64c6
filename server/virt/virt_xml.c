/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_xml: shared libxml2/json-c plumbing of the virt/ XML builders and readers
 * (see the header). Pure; any thread. Every allocation failure aborts, so callers
 * only ever see parse errors, reported as 502 (the XML comes from libvirt). */
#include "virt/virt_xml.h"

#include <libxml/parser.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static pthread_once_t virt_xml_once = PTHREAD_ONCE_INIT;

static void virt_xml_init_once(void)
{
    xmlInitParser();
}

__attribute__((noreturn)) static void virt_xml_oom(void)
{
    fprintf(stderr, "virt_xml: out of memory\n");
    abort();
}

void virt_xml_init(void)
{
    pthread_once(&virt_xml_once, virt_xml_init_once);
}

/* ---- reading ------------------------------------------------------------------------ */

xmlDocPtr virt_xml_read(const char *xml, const char *root_name, struct app_error *err)
{
    xmlDocPtr doc = NULL;
    xmlNodePtr root;
    size_t len = xml ? strnlen(xml, (size_t)INT32_MAX + 1) : 0;

    virt_xml_init();
    if (xml && len <= INT32_MAX)
        doc = xmlReadMemory(xml, (int)len, NULL, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || !root->name || strcmp((const char *)root->name, root_name) != 0) {
        xmlFreeDoc(doc);
        app_error_set(err, 502, APP_ERR_LIBVIRT, "malformed %s XML", root_name);
        return NULL;
    }
    return doc;
}

xmlXPathContextPtr virt_xml_xpath_new(xmlDocPtr doc)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);

    if (!ctx)
        virt_xml_oom();
    return ctx;
}

/* Evaluates expr with node as the context node; the result may be NULL. */
static xmlXPathObjectPtr virt_xml_eval(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
    ctx->node = node;
    return xmlXPathEvalExpression((const xmlChar *)expr, ctx);
}

char *virt_xml_xpath_string(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
    xmlXPathObjectPtr res = virt_xml_eval(ctx, node, expr);
    char *out = NULL;

    if (res && res->type == XPATH_STRING && res->stringval && res->stringval[0])
        out = xstrdup((const char *)res->stringval);
    xmlXPathFreeObject(res);
    return out;
}

bool virt_xml_xpath_bool(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
    xmlXPathObjectPtr res = virt_xml_eval(ctx, node, expr);
    bool out = res && res->type == XPATH_BOOLEAN && res->boolval != 0;

    xmlXPathFreeObject(res);
    return out;
}

xmlXPathObjectPtr virt_xml_xpath_nodes(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
    xmlXPathObjectPtr res = virt_xml_eval(ctx, node, expr);

    if (res && (res->type != XPATH_NODESET || xmlXPathNodeSetIsEmpty(res->nodesetval))) {
        xmlXPathFreeObject(res);
        res = NULL;
    }
    return res;
}

/* ---- JSON ------------------------------------------------------------------------------ */

void virt_xml_json_add(struct json_object *obj, const char *key, struct json_object *val)
{
    if (json_object_object_add(obj, key, val) < 0)
        virt_xml_oom();
}

void virt_xml_json_push(struct json_object *arr, struct json_object *val)
{
    if (json_object_array_add(arr, val) < 0)
        virt_xml_oom();
}

int virt_xml_json_list_add(struct json_object *arr, struct json_object *item, struct app_error *err)
{
    if (item) {
        virt_xml_json_push(arr, item);
        return 0;
    }
    if (err->status != 404)
        return -1;
    app_error_clear(err);
    return 0;
}

static int virt_xml_json_name_cmp(const void *a, const void *b)
{
    struct json_object *const *x = a, *const *y = b;
    struct json_object *nx = NULL, *ny = NULL;
    const char *sx, *sy;

    json_object_object_get_ex(*x, "name", &nx);
    json_object_object_get_ex(*y, "name", &ny);
    sx = json_object_get_string(nx);
    sy = json_object_get_string(ny);
    return strcmp(sx ? sx : "", sy ? sy : "");
}

struct json_object *virt_xml_json_list_take(struct json_object *arr, const char *key)
{
    struct json_object *out = json_object_new_object();

    json_object_array_sort(arr, virt_xml_json_name_cmp);
    virt_xml_json_add(out, key, arr);
    return out;
}

void virt_xml_json_set_xpath(struct json_object *obj, const char *key, xmlXPathContextPtr ctx,
                             xmlNodePtr node, const char *expr, const char *fallback)
{
    char *s = virt_xml_xpath_string(ctx, node, expr);
    const char *v = s ? s : fallback;

    virt_xml_json_add(obj, key, v ? json_object_new_string(v) : NULL);
    free(s);
}

/* ---- building ----------------------------------------------------------------------- */

xmlNodePtr virt_xml_child(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
            return c;
    return NULL;
}

xmlNodePtr virt_xml_new_root(xmlDocPtr *doc, const char *name)
{
    xmlNodePtr root;

    virt_xml_init();
    if (!(*doc = xmlNewDoc((const xmlChar *)"1.0")) ||
        !(root = xmlNewNode(NULL, (const xmlChar *)name)))
        virt_xml_oom();
    xmlDocSetRootElement(*doc, root);
    return root;
}

xmlNodePtr virt_xml_add(xmlNodePtr parent, const char *name)
{
    xmlNodePtr node = xmlNewChild(parent, NULL, (const xmlChar *)name, NULL);

    if (!node)
        virt_xml_oom();
    return node;
}

xmlNodePtr virt_xml_add_text(xmlNodePtr parent, const char *name, const char *text)
{
    xmlNodePtr node = xmlNewTextChild(parent, NULL, (const xmlChar *)name, (const xmlChar *)text);

    if (!node)
        virt_xml_oom();
    return node;
}

void virt_xml_set(xmlNodePtr node, const char *name, const char *value)
{
    if (!xmlSetProp(node, (const xmlChar *)name, (const xmlChar *)value))
        virt_xml_oom();
}

xmlNodePtr virt_xml_add_prop(xmlNodePtr parent, const char *elem, const char *attr,
                             const char *value)
{
    xmlNodePtr node = virt_xml_add(parent, elem);

    virt_xml_set(node, attr, value);
    return node;
}

char *virt_xml_doc_string(xmlDocPtr doc, bool format)
{
    xmlChar *mem = NULL;
    int len = 0;
    char *out;

    xmlDocDumpFormatMemory(doc, &mem, &len, format ? 1 : 0);
    if (!mem || len <= 0)
        virt_xml_oom();
    out = xstrndup((const char *)mem, (size_t)len);
    xmlFree(mem);
    return out;
}
