/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_xml: the libxml2 and json-c plumbing that every libvirt XML builder and reader
 * in virt/ shares (virt_domain, virt_network_xml, virt_pool_xml, virt_volume_xml,
 * virt_device_xml): parsing untrusted XML safely, XPath getters, building elements
 * and attributes with the tree API, serialising, and adding XPath results to JSON.
 *
 * Pure (no libvirt calls), any thread. Parsing never touches the network, never
 * substitutes entities and never prints libxml2 errors. Allocation failure aborts
 * (like util/xalloc.h), so the builders here return no error. */
#pragma once

#include <json-c/json.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <stdbool.h>

#include "util/app_error.h"

/* Initialises libxml2 once per process. Called by virt_xml_read and virt_xml_new_root;
 * call it yourself before any other libxml2 use. */
void virt_xml_init(void);

/* Parses xml (NULL-safe) and checks that its root element is named root_name.
 * Returns the document (free with xmlFreeDoc), or NULL with err = 502 libvirt_error
 * "malformed <root_name> XML" when xml is NULL, longer than INT32_MAX, not
 * well-formed or rooted elsewhere. */
xmlDocPtr virt_xml_read(const char *xml, const char *root_name, struct app_error *err)
    __attribute__((warn_unused_result));

/* A new XPath context on doc (free with xmlXPathFreeContext). */
xmlXPathContextPtr virt_xml_xpath_new(xmlDocPtr doc);

/* The string expr evaluates to with node as the context node (node may be NULL for
 * an absolute expr), as a new string; NULL when it is empty or not a string. */
char *virt_xml_xpath_string(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr);

/* The boolean expr evaluates to relative to node; false when it is not a boolean. */
bool virt_xml_xpath_bool(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr);

/* The node set expr selects relative to node, or NULL when it selects nothing (a
 * non-NULL result has at least one node). Free with xmlXPathFreeObject. */
xmlXPathObjectPtr virt_xml_xpath_nodes(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr);

/* obj[key] = val (takes val; NULL is JSON null). */
void virt_xml_json_add(struct json_object *obj, const char *key, struct json_object *val);

/* Appends val to the array arr (takes val). */
void virt_xml_json_push(struct json_object *arr, struct json_object *val);

/* Appends item (taken) to the list array arr. A NULL item is one that failed to read:
 * when err is a 404 (the object went away while the list was built) it is left out and
 * err cleared (0); any other error is -1 with err kept. */
int virt_xml_json_list_add(struct json_object *arr, struct json_object *item, struct app_error *err)
    __attribute__((warn_unused_result));

/* Sorts the objects of arr by their "name" string and returns {key: arr} (takes arr). */
struct json_object *virt_xml_json_list_take(struct json_object *arr, const char *key);

/* obj[key] = the string expr evaluates to relative to node; when that is empty, the
 * string fallback, or JSON null if fallback is NULL. */
void virt_xml_json_set_xpath(struct json_object *obj, const char *key, xmlXPathContextPtr ctx,
                             xmlNodePtr node, const char *expr, const char *fallback);

/* The first child element of parent (NULL-safe) named name, or NULL. */
xmlNodePtr virt_xml_child(xmlNodePtr parent, const char *name);

/* A new document (*doc, free with xmlFreeDoc) whose root is a new element name;
 * returns the root. */
xmlNodePtr virt_xml_new_root(xmlDocPtr *doc, const char *name);

/* Appends a new empty element name to parent and returns it. */
xmlNodePtr virt_xml_add(xmlNodePtr parent, const char *name);

/* Appends <name>text</name> (text is escaped) to parent and returns it. */
xmlNodePtr virt_xml_add_text(xmlNodePtr parent, const char *name, const char *text);

/* Sets attribute name = value (escaped) on node. */
void virt_xml_set(xmlNodePtr node, const char *name, const char *value);

/* Appends <elem attr="value"/> to parent and returns it. */
xmlNodePtr virt_xml_add_prop(xmlNodePtr parent, const char *elem, const char *attr,
                             const char *value);

/* The whole document as a new string with an XML declaration; indented when format. */
char *virt_xml_doc_string(xmlDocPtr doc, bool format);
