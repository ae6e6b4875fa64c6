/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* xml_assert: the cmocka helpers shared by the tests of the JSON → XML builders and
 * XML → JSON readers (test_virt_{network,pool,volume,device,snapshot,caps}_xml.c,
 * test_virt_domain.c): read a fixture file, parse a JSON literal, run a builder expecting success
 * or a 400 refusal, evaluate XPath over the XML it built, run a reader expecting success.
 *
 * Header-only (static inline, like tests/fuzz/fuzz_input.h); include it after
 * <cmocka.h>. Every helper fails the running test itself, so tests stay one line per
 * fact. Single thread. */
#pragma once

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/app_error.h"

/* A builder under test: req → 0 with *xml (caller frees), or -1 with err. */
typedef int (*xml_assert_build_fn)(struct json_object *req, char **xml, struct app_error *err);

/* A reader under test: xml → 0 with fields added to obj, or -1 with err. */
typedef int (*xml_assert_read_fn)(const char *xml, struct json_object *obj, struct app_error *err);

/* The whole file at path (a fixture) as a new string; fails the test when it cannot be
 * read or is empty. */
static inline char *xml_assert_read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *data;
    long len;

    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    len = ftell(fp);
    assert_true(len > 0);
    rewind(fp);
    data = malloc((size_t)len + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)len, fp), (size_t)len);
    data[len] = '\0';
    fclose(fp);
    return data;
}

/* The JSON text json as a new object; fails the test when it does not parse. */
static inline struct json_object *xml_assert_parse(const char *json)
{
    struct json_object *obj = json_tokener_parse(json);

    if (!obj)
        fail_msg("test JSON does not parse: %s", json);
    return obj;
}

/* Builds json with build; fails the test unless that succeeds with XML. Caller frees
 * the XML. */
static inline char *xml_assert_build_ok(xml_assert_build_fn build, const char *json)
{
    struct json_object *req = xml_assert_parse(json);
    struct app_error err;
    char *xml = NULL;

    app_error_clear(&err);
    if (build(req, &xml, &err) != 0)
        fail_msg("refused %s: %s", json, err.message);
    json_object_put(req);
    assert_non_null(xml);
    return xml;
}

/* Builds json with build; fails the test unless it is refused (-1, no XML) with 400
 * bad_request and a message containing want. */
static inline void xml_assert_build_refused(xml_assert_build_fn build, const char *json,
                                            const char *want)
{
    struct json_object *req = xml_assert_parse(json);
    struct app_error err;
    char *xml = (char *)"sentinel";

    app_error_clear(&err);
    if (build(req, &xml, &err) == 0)
        fail_msg("accepted %s", json);
    assert_null(xml);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.code, APP_ERR_BAD_REQUEST);
    if (!strstr(err.message, want))
        fail_msg("%s: message \"%s\" lacks \"%s\"", json, err.message, want);
    json_object_put(req);
}

/* The value of the XPath expression expr over xml: a number (count()) printed with %g,
 * anything else as its string value ("" when none). Caller frees. */
static inline char *xml_assert_xpath(const char *xml, const char *expr)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "t.xml", NULL, XML_PARSE_NONET);
    xmlXPathContextPtr ctx;
    xmlXPathObjectPtr res;
    char *out;

    assert_non_null(doc);
    ctx = xmlXPathNewContext(doc);
    res = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    assert_non_null(res);
    if (res->type == XPATH_NUMBER) {
        char buf[32];

        snprintf(buf, sizeof(buf), "%g", res->floatval);
        out = strdup(buf);
    } else {
        out = strdup(res->stringval ? (const char *)res->stringval : "");
    }
    xmlXPathFreeObject(res);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return out;
}

/* Fails the test unless expr over xml is want. */
static inline void xml_assert_xpath_eq(const char *xml, const char *expr, const char *want)
{
    char *got = xml_assert_xpath(xml, expr);

    if (strcmp(got, want) != 0)
        fail_msg("%s: got \"%s\", want \"%s\" in\n%s", expr, got, want, xml);
    free(got);
}

/* Reads xml with read into a new object (caller puts it); fails the test unless that
 * succeeds. */
static inline struct json_object *xml_assert_read_ok(xml_assert_read_fn read, const char *xml)
{
    struct json_object *obj = json_object_new_object();
    struct app_error err;

    app_error_clear(&err);
    if (read(xml, obj, &err) != 0)
        fail_msg("reader refused: %s", err.message);
    return obj;
}
