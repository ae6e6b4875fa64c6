/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_xml: invariant checks the libFuzzer targets of the JSON → XML builders share
 * (fuzz_{network,pool,volume,device}_xml.c): reading the request object from the input,
 * parsing what a builder emitted, the shape of a refusal, and the "slot" walk that proves a
 * document holds exactly the values a request asked for. Header-only (static functions), like
 * fuzz_input.h; runs on libFuzzer's one thread. Every failed check aborts through FUZZ_ASSERT. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "fuzz_input.h"
#include "util/app_error.h"

/* Parses xml that a builder emitted: it must be well-formed, have a root element and
 * nothing else at the top (no comment, PI or DTD). Free with xmlFreeDoc. */
__attribute__((unused)) static xmlDocPtr fuzz_xml_read(const char *xml)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "fuzz.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

    FUZZ_ASSERT(doc != NULL && xmlDocGetRootElement(doc) != NULL);
    for (xmlNodePtr top = doc->children; top; top = top->next)
        FUZZ_ASSERT(top->type == XML_ELEMENT_NODE);
    return doc;
}

/* The request a builder gets: the input's bytes up to the first NUL parsed as JSON
 * (nesting depth at most 8), or NULL when they are not a JSON object. The caller owns
 * the reference (json_object_put). */
__attribute__((unused)) static struct json_object *fuzz_xml_request(const uint8_t *data,
                                                                    size_t size)
{
    char *text = fuzz_input_cstr(data, size);
    struct json_tokener *tok = json_tokener_new_ex(8);
    struct json_object *req = json_tokener_parse_ex(tok, text, (int)strlen(text));

    json_tokener_free(tok);
    free(text);
    if (req && !json_object_is_type(req, json_type_object)) {
        json_object_put(req);
        req = NULL;
    }
    return req;
}

/* A builder's refusal: no XML, 400 bad_request, a non-empty NUL-terminated message. */
__attribute__((unused)) static void fuzz_xml_refused(const struct app_error *err, const char *xml)
{
    FUZZ_ASSERT(xml == NULL);
    FUZZ_ASSERT(err->status == 400);
    FUZZ_ASSERT(err->code && strcmp(err->code, APP_ERR_BAD_REQUEST) == 0);
    FUZZ_ASSERT(memchr(err->message, '\0', sizeof(err->message)) && err->message[0]);
}

/* A builder's outcome (its return value rc, *xml and err): true when it built XML
 * (rc 0, xml set: the caller checks it), false after checking it is a refusal. */
__attribute__((unused)) static bool fuzz_xml_built(int rc, const char *xml,
                                                   const struct app_error *err)
{
    if (rc != 0) {
        fuzz_xml_refused(err, xml);
        return false;
    }
    FUZZ_ASSERT(xml != NULL);
    return true;
}

/* One place a value may appear in a document. */
struct fuzz_xml_slot {
    const char *path; /* element path from the root, e.g. "pool/source/host" */
    const char *attr; /* attribute name, or NULL for the element's text */
    const char *want; /* expected value; NULL: must not appear */
    int seen;
};

__attribute__((unused)) static struct fuzz_xml_slot *
fuzz_xml_slot_find(struct fuzz_xml_slot *slots, size_t n, const char *path, const char *attr)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(slots[i].path, path) == 0 &&
            (attr ? slots[i].attr && strcmp(slots[i].attr, attr) == 0 : !slots[i].attr))
            return &slots[i];
    return NULL;
}

/* May the element at path exist: is it the root, or on the way to a wanted slot? */
__attribute__((unused)) static bool fuzz_xml_slot_container(struct fuzz_xml_slot *slots, size_t n,
                                                            const char *path)
{
    size_t len = strlen(path);

    if (!strchr(path, '/'))
        return true;
    for (size_t i = 0; i < n; i++)
        if (slots[i].want && strncmp(slots[i].path, path, len) == 0 &&
            (slots[i].path[len] == '\0' || slots[i].path[len] == '/'))
            return true;
    return false;
}

/* Walks node (below parent's path): every element is un-namespaced and may exist,
 * every attribute and text is a wanted slot with its value; counts what it saw. */
__attribute__((unused)) static void fuzz_xml_slot_walk(xmlNodePtr node, const char *parent,
                                                       struct fuzz_xml_slot *slots, size_t n)
{
    char path[256];
    bool has_text_slot;
    struct fuzz_xml_slot *slot;

    FUZZ_ASSERT(node->type == XML_ELEMENT_NODE);
    FUZZ_ASSERT(node->ns == NULL);
    snprintf(path, sizeof(path), "%s%s%s", parent, parent[0] ? "/" : "", (const char *)node->name);
    FUZZ_ASSERT(fuzz_xml_slot_container(slots, n, path));
    for (xmlAttrPtr a = node->properties; a; a = a->next) {
        xmlChar *value = xmlNodeGetContent((xmlNodePtr)a);

        slot = fuzz_xml_slot_find(slots, n, path, (const char *)a->name);
        FUZZ_ASSERT(slot && slot->want);
        FUZZ_ASSERT(value && strcmp((const char *)value, slot->want) == 0);
        slot->seen++;
        xmlFree(value);
    }
    slot = fuzz_xml_slot_find(slots, n, path, NULL);
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
        fuzz_xml_slot_walk(c, path, slots, n);
    }
}

/* xml holds exactly the slots: each wanted value once, at its place, and nothing
 * else (no other element, attribute or text). */
__attribute__((unused)) static void fuzz_xml_check_slots(const char *xml,
                                                         struct fuzz_xml_slot *slots, size_t n)
{
    xmlDocPtr doc = fuzz_xml_read(xml);

    fuzz_xml_slot_walk(xmlDocGetRootElement(doc), "", slots, n);
    for (size_t i = 0; i < n; i++)
        FUZZ_ASSERT(slots[i].seen == (slots[i].want ? 1 : 0));
    xmlFreeDoc(doc);
}
