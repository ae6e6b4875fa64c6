/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_api_json: server/api/api_json.c — strict request-body parsing: valid objects,
 * unknown fields, wrong top-level types, trailing data, nesting depth, NUL bytes, empty
 * bodies with/without empty_ok, api_json_get_string's type and length checks and
 * api_json_get_bool.
 * Pure; single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "api/api_json.h"
#include "util/app_error.h"

static const char *const login_fields[] = {"username", "password", NULL};
static const char *const no_fields[] = {NULL};

static struct json_object *parse_len(const char *body, size_t len, const char *const *allowed,
                                     bool empty_ok, struct app_error *err)
{
    app_error_clear(err);
    return api_json_parse_object(body, len, allowed, empty_ok, err);
}

static struct json_object *parse(const char *body, const char *const *allowed, bool empty_ok,
                                 struct app_error *err)
{
    return parse_len(body, strlen(body), allowed, empty_ok, err);
}

/* body must be refused with a 400 bad_request whose message contains `contains`. */
static void expect_reject_len(const char *body, size_t len, const char *const *allowed,
                              bool empty_ok, const char *contains)
{
    struct app_error err;
    struct json_object *obj = parse_len(body, len, allowed, empty_ok, &err);

    if (obj) {
        json_object_put(obj);
        fail_msg("accepted %.*s", (int)len, body);
    }
    assert_int_equal(err.status, 400);
    assert_non_null(err.code);
    assert_string_equal(err.code, APP_ERR_BAD_REQUEST);
    assert_true(err.message[0] != '\0');
    if (contains && !strstr(err.message, contains))
        fail_msg("%.*s: message \"%s\" lacks \"%s\"", (int)len, body, err.message, contains);
}

static void expect_reject(const char *body, const char *const *allowed, const char *contains)
{
    expect_reject_len(body, strlen(body), allowed, false, contains);
}

static void test_valid_object(void **state)
{
    struct app_error err;
    struct json_object *obj;

    obj = parse("{\"username\":\"alice\",\"password\":\"s3cret\"}", login_fields, false, &err);
    assert_non_null(obj);
    assert_int_equal(err.status, 0);
    assert_int_equal(json_object_object_length(obj), 2);
    assert_string_equal(api_json_get_string(obj, "username", 64, &err), "alice");
    assert_string_equal(api_json_get_string(obj, "password", 64, &err), "s3cret");
    json_object_put(obj);

    /* Surrounding whitespace, a subset of the allowed keys, nested values are fine. */
    obj = parse(" \r\n\t{ \"username\" : \"bob\" } \n\t ", login_fields, false, &err);
    assert_non_null(obj);
    assert_string_equal(api_json_get_string(obj, "username", 64, &err), "bob");
    json_object_put(obj);

    obj = parse("{}", login_fields, false, &err);
    assert_non_null(obj);
    assert_int_equal(json_object_object_length(obj), 0);
    json_object_put(obj);

    obj = parse("{\"username\":{\"x\":[1,2,{\"y\":null}]}}", login_fields, false, &err);
    assert_non_null(obj);
    json_object_put(obj);
}

/* Only len bytes are read: the body need not be NUL-terminated. */
static void test_length_bounded(void **state)
{
    struct app_error err;
    const char body[] = "{\"username\":\"a\"}GARBAGE";
    char *exact = malloc(16);
    struct json_object *obj;

    obj = parse_len(body, 16, login_fields, false, &err);
    assert_non_null(obj);
    json_object_put(obj);

    /* A heap copy without terminator: ASan would catch a read past len. */
    memcpy(exact, body, 16);
    obj = parse_len(exact, 16, login_fields, false, &err);
    assert_non_null(obj);
    assert_string_equal(api_json_get_string(obj, "username", 8, &err), "a");
    json_object_put(obj);
    free(exact);

    /* Cut short: incomplete. */
    expect_reject_len(body, 15, login_fields, false, "malformed JSON");
}

static void test_unknown_field(void **state)
{
    expect_reject("{\"username\":\"a\",\"admin\":true}", login_fields, "unknown field \"admin\"");
    expect_reject("{\"x\":1}", no_fields, "unknown field \"x\"");
    expect_reject("{\"x\":1}", NULL, "unknown field \"x\"");
    /* Case matters, prefixes are not matches. */
    expect_reject("{\"Username\":\"a\"}", login_fields, "unknown field");
    expect_reject("{\"user\":\"a\"}", login_fields, "unknown field");
    expect_reject("{\"usernamex\":\"a\"}", login_fields, "unknown field");

    /* A very long unknown key does not overflow the message. */
    char body[2100];
    size_t n = 0;
    body[n++] = '{';
    body[n++] = '"';
    memset(body + n, 'k', 2000);
    n += 2000;
    memcpy(body + n, "\":1}", 5);
    expect_reject(body, login_fields, "unknown field \"kkkk");
}

static void test_top_level_not_object(void **state)
{
    const char *bodies[] = {
        "[]", "[{\"username\":\"a\"}]", "\"string\"", "42 ", "-1.5\n", "true ", "false\t",
    };

    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
        expect_reject(bodies[i], login_fields, "must be a JSON object");
    /* A bare scalar that ends the body and null (json-c gives no object) are still 400s. */
    expect_reject("42", login_fields, NULL);
    expect_reject("-1.5", login_fields, NULL);
    expect_reject("true", login_fields, NULL);
    expect_reject("false", login_fields, NULL);
    expect_reject("null", login_fields, NULL);
    expect_reject("null ", login_fields, NULL);
}

static void test_not_quite_json(void **state)
{
    static const char *const any[] = {"a", NULL};
    struct app_error err = {0};
    const char *ok = "{\"a\":\"it's \\\"quoted\\\" 'here'\"}";
    struct json_object *obj;

    (void)state;
    /* json-c takes these even in strict mode; JSON does not */
    expect_reject("{\"a\":NaN}", any, "non-finite");
    expect_reject("{\"a\":Infinity}", any, "non-finite");
    expect_reject("{\"a\":-Infinity}", any, "non-finite");
    expect_reject("{\"a\":1e999}", any, "non-finite");
    expect_reject("{\"a\":[1,{\"b\":NaN}]}", any, "non-finite");
    expect_reject("{'a':\"x\"}", any, "single quotes");
    expect_reject("{\"a\":'x'}", any, "malformed JSON");
    /* a single quote inside a string is fine */
    obj = api_json_parse_object(ok, strlen(ok), any, false, &err);
    assert_non_null(obj);
    assert_string_equal(json_object_get_string(json_object_object_get(obj, "a")),
                        "it's \"quoted\" 'here'");
    json_object_put(obj);
    /* no list: any member passes (the handler names an unknown one), the rest still holds */
    obj = api_json_parse_object("{\"zz\":1,\"x y\":[]}", strlen("{\"zz\":1,\"x y\":[]}"),
                                api_json_any_keys, false, &err);
    assert_non_null(obj);
    assert_int_equal(json_object_object_length(obj), 2);
    json_object_put(obj);
    expect_reject("{\"a\":1,\"a\":2}", api_json_any_keys, "same field twice");
}

static void test_malformed(void **state)
{
    expect_reject("{", login_fields, "malformed JSON");
    expect_reject("{\"username\":", login_fields, "malformed JSON");
    expect_reject("{\"username\":\"a\"", login_fields, "malformed JSON");
    expect_reject("{username:\"a\"}", login_fields, "malformed JSON");
    expect_reject("{'username':'a'}", login_fields, "malformed JSON");
    expect_reject("{\"username\":\"a\",}", login_fields, "malformed JSON");
    expect_reject("{\"username\":01}", login_fields, "malformed JSON");
    expect_reject("{\"username\":\"a\\q\"}", login_fields, "malformed JSON");
    expect_reject("}", login_fields, "malformed JSON");
    expect_reject("nope", login_fields, "malformed JSON");
}

static void test_trailing_garbage(void **state)
{
    expect_reject("{} x", login_fields, "malformed JSON");
    expect_reject("{}{}", login_fields, "malformed JSON");
    expect_reject("{\"username\":\"a\"} {\"password\":\"b\"}", login_fields, "malformed JSON");
    expect_reject("{}\n,", login_fields, "malformed JSON");
    expect_reject("{}]", login_fields, "malformed JSON");
    expect_reject("{} \n\t\r1", login_fields, "malformed JSON");
}

/* Builds {"username": [[[...1...]]]} with `levels` containers in total. */
static char *nested(int levels)
{
    size_t cap = (size_t)levels * 2 + 32;
    char *s = malloc(cap);
    size_t n = 0;

    assert_non_null(s);
    n += (size_t)snprintf(s, cap, "{\"username\":");
    for (int i = 1; i < levels; i++)
        s[n++] = '[';
    s[n++] = '1';
    for (int i = 1; i < levels; i++)
        s[n++] = ']';
    s[n++] = '}';
    s[n] = '\0';
    return s;
}

static void test_depth(void **state)
{
    struct app_error err;
    struct json_object *obj;
    char *body;

    /* Within the limit. */
    body = nested(7);
    obj = parse(body, login_fields, false, &err);
    assert_non_null(obj);
    json_object_put(obj);
    free(body);

    /* Past "at most 8 deep". */
    body = nested(9);
    expect_reject(body, login_fields, "malformed JSON");
    free(body);

    /* Far past it: refused without recursing deep. */
    body = nested(100000);
    expect_reject(body, login_fields, "malformed JSON");
    free(body);
}

static void test_nul_bytes(void **state)
{
    static const char inside[] = "{\"username\":\"a\0b\"}";
    static const char after[] = "{\"username\":\"a\"}\0";
    static const char before[] = " \0{}";

    expect_reject_len(inside, sizeof(inside) - 1, login_fields, false, "NUL");
    expect_reject_len(after, sizeof(after) - 1, login_fields, false, "NUL");
    expect_reject_len(before, sizeof(before) - 1, login_fields, true, "NUL");
}

/* A body of nothing but NUL bytes is not an empty body: it must be refused for its NUL
 * like any other body containing one, also when empty bodies are allowed. */
static void test_nul_only_body_is_not_empty(void **state)
{
    static const char nuls[] = "\0\0";

    expect_reject_len(nuls, 2, no_fields, true, "NUL");
    expect_reject_len(" \0 ", 3, no_fields, true, "NUL");
    expect_reject_len(nuls, 1, no_fields, false, "NUL");
}

static void test_empty_body(void **state)
{
    struct app_error err;
    struct json_object *obj;

    obj = parse_len("", 0, no_fields, true, &err);
    assert_non_null(obj);
    assert_true(json_object_is_type(obj, json_type_object));
    assert_int_equal(json_object_object_length(obj), 0);
    json_object_put(obj);

    obj = parse_len(NULL, 0, no_fields, true, &err);
    assert_non_null(obj);
    assert_int_equal(json_object_object_length(obj), 0);
    json_object_put(obj);

    obj = parse(" \r\n\t ", no_fields, true, &err);
    assert_non_null(obj);
    assert_int_equal(json_object_object_length(obj), 0);
    json_object_put(obj);

    /* A real body is still checked when empty_ok. */
    obj = parse("{}", no_fields, true, &err);
    assert_non_null(obj);
    json_object_put(obj);
    expect_reject_len("{\"x\":1}", 7, no_fields, true, "unknown field");
    expect_reject_len("[]", 2, no_fields, true, "must be a JSON object");

    /* Without empty_ok, an empty body is a 400. */
    expect_reject_len("", 0, login_fields, false, "must be a JSON object");
    expect_reject_len(NULL, 0, login_fields, false, "must be a JSON object");
    expect_reject_len("  \n", 3, login_fields, false, "must be a JSON object");
}

static void test_get_string(void **state)
{
    struct app_error err;
    struct json_object *obj = parse(
        "{\"username\":\"alice\",\"password\":5,\"n\":null,\"a\":[\"x\"],\"o\":{},\"b\":true,"
        "\"e\":\"\"}",
        (const char *const[]){"username", "password", "n", "a", "o", "b", "e", NULL}, false, &err);
    const char *s;

    assert_non_null(obj);
    s = api_json_get_string(obj, "username", 64, &err);
    assert_non_null(s);
    assert_string_equal(s, "alice");

    app_error_clear(&err);
    assert_null(api_json_get_string(obj, "missing", 64, &err));
    assert_int_equal(err.status, 400);
    assert_string_equal(err.code, APP_ERR_BAD_REQUEST);
    assert_non_null(strstr(err.message, "\"missing\" is required"));
    assert_string_equal(err.field, "missing");

    const char *wrong[] = {"password", "n", "a", "o", "b"};
    for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
        app_error_clear(&err);
        if (api_json_get_string(obj, wrong[i], 64, &err))
            fail_msg("%s accepted as a string", wrong[i]);
        assert_int_equal(err.status, 400);
        assert_non_null(strstr(err.message, "must be a string"));
        assert_string_equal(err.field, wrong[i]);
    }

    s = api_json_get_string(obj, "e", 64, &err);
    assert_non_null(s);
    assert_string_equal(s, "");
    json_object_put(obj);
}

static void test_get_string_length(void **state)
{
    struct app_error err;
    struct json_object *obj = parse("{\"username\":\"abcde\"}", login_fields, false, &err);

    assert_non_null(obj);
    /* maxlen is inclusive. */
    assert_string_equal(api_json_get_string(obj, "username", 5, &err), "abcde");
    app_error_clear(&err);
    assert_null(api_json_get_string(obj, "username", 4, &err));
    assert_int_equal(err.status, 400);
    assert_non_null(strstr(err.message, "too long"));
    app_error_clear(&err);
    assert_null(api_json_get_string(obj, "username", 0, &err));
    assert_int_equal(err.status, 400);
    json_object_put(obj);

    /* Length is in bytes, not characters. */
    obj = parse("{\"username\":\"\xc3\xa9\xc3\xa9\"}", login_fields, false, &err);
    assert_non_null(obj);
    assert_non_null(api_json_get_string(obj, "username", 4, &err));
    assert_null(api_json_get_string(obj, "username", 3, &err));
    json_object_put(obj);
}

/* Control characters (C0 with NUL, DEL, C1), escaped or raw, in keys or values, and
 * bytes that are not UTF-8 are refused before any handler sees the object: a
 * "\u0000" would otherwise cut a name short ("v\u0000/../x" became volume "v"). */
static void test_control_characters(void **state)
{
    static const char *const bad[] = {
        "{\"username\":\"ad\\u0000min\"}",
        "{\"username\":\"v\\u0000/../../etc/shadow\"}",
        "{\"user\\u0000name\":\"a\"}",
        "{\"username\":\"a\\u001fb\"}",
        "{\"username\":\"a\\u007Fb\"}",
        "{\"username\":\"a\\u0085b\"}",
        "{\"username\":\"line\\nbreak\"}",
        "{\"username\":\"tab\\there\"}",
        "{\"username\":\"cr\\r\"}",
        "{\"username\":\"a\\bb\\f\"}",
        "{\"username\":\"a\x7f\"}",
        "{\"username\":\"a\xc2\x85\"}",
        "{\"username\":[\"ok\",{\"deep\":\"x\\u0001\"}]}",
    };
    static const char *const not_utf8[] = {
        "{\"username\":\"\xff\"}",
        "{\"username\":\"\xc0\xaf\"}",         /* overlong '/' */
        "{\"username\":\"\xed\xa0\x80\"}",     /* a surrogate */
        "{\"username\":\"\xe4\xb8\"}",         /* cut short */
        "{\"username\":\"\xf4\x90\x80\x80\"}", /* above U+10FFFF */
        "{\"username\":\"a\\ud800\"}",         /* escapes: a lone high surrogate */
        "{\"username\":\"\\udc00b\"}",         /* a lone low one */
        "{\"username\":\"\\ud800\\u0041\"}",   /* high, then no low */
        "{\"username\":\"\\udc00\\ud800\"}",   /* the wrong order */
    };
    struct app_error err;
    struct json_object *obj;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_reject(bad[i], login_fields, "control character");
    for (size_t i = 0; i < sizeof(not_utf8) / sizeof(not_utf8[0]); i++)
        expect_reject(not_utf8[i], login_fields, "UTF-8");
    /* names in any script, escaped or not, and the harmless escapes stay valid */
    obj = parse("{\"username\":\"\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e \\u00e9\\\" \\\\ \\/ "
                "\\ud83d\\udda5\"}",
                login_fields, false, &err);
    assert_non_null(obj);
    assert_string_equal(json_object_get_string(json_object_object_get(obj, "username")),
                        "\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e \xc3\xa9\" \\ / \xf0\x9f\x96\xa5");
    json_object_put(obj);
}

/* api_json_get_bool: true/false read; absent is a 400 only when required (else *out is
 * kept); any other type is a 400 naming the key. */
static void test_get_bool(void **state)
{
    static const char *const bool_fields[] = {"on", "off", "num", "str", NULL};
    struct app_error err;
    struct json_object *obj =
        parse("{\"on\":true,\"off\":false,\"num\":1,\"str\":\"true\"}", bool_fields, false, &err);
    bool b = false;

    assert_non_null(obj);
    app_error_clear(&err);
    assert_int_equal(api_json_get_bool(obj, "on", true, &b, &err), 0);
    assert_true(b);
    assert_int_equal(api_json_get_bool(obj, "off", false, &b, &err), 0);
    assert_false(b);
    b = true;
    assert_int_equal(api_json_get_bool(obj, "absent", false, &b, &err), 0);
    assert_true(b);
    assert_int_equal(err.status, 0);
    assert_int_equal(api_json_get_bool(obj, "absent", true, &b, &err), -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.message, "\"absent\" must be true or false");
    for (size_t i = 0; i < 2; i++) {
        const char *key = i ? "str" : "num";

        app_error_clear(&err);
        b = true;
        assert_int_equal(api_json_get_bool(obj, key, false, &b, &err), -1);
        assert_int_equal(err.status, 400);
        assert_non_null(strstr(err.message, key));
        assert_true(b);
    }
    json_object_put(obj);
}

/* api_json_parse_body: escaped line breaks and tabs only in the top-level string values
 * of the members named multi-line (a description), and nowhere else; every other
 * control character, and raw (unescaped) ones, stay refused everywhere. */
static void test_multiline_members(void **state)
{
    static const char *const fields[] = {"title", "description", NULL};
    static const char *const multiline[] = {"description", NULL};
    static const char *const bad[] = {
        "{\"title\":\"a\\nb\"}",          "{\"title\":\"a\\tb\"}",
        "{\"description\":\"a\\rb\"}",    "{\"description\":\"a\\u000bb\"}",
        "{\"description\":\"a\\u0085\"}", "{\"description\":\"raw\nbreak\"}",
        "{\"description\":[\"a\\nb\"]}",  "{\"description\":{\"x\":\"a\\nb\"}}",
    };
    const char *ok = "{\"title\":\"\u6807\u9898\","
                     "\"description\":\"\u7b2c\u4e00\u884c\\n\\tsecond\\u000a\"}";
    struct app_error err;
    struct json_object *obj;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        app_error_clear(&err);
        obj = api_json_parse_body(bad[i], strlen(bad[i]), fields, multiline, false, &err);
        if (obj)
            fail_msg("accepted %s", bad[i]);
        assert_int_equal(err.status, 400);
        if (!strstr(err.message, "control character") && !strstr(err.message, "malformed"))
            fail_msg("%s: %s", bad[i], err.message);
    }
    app_error_clear(&err);
    obj = api_json_parse_body(ok, strlen(ok), fields, multiline, false, &err);
    assert_non_null(obj);
    assert_string_equal(json_object_get_string(json_object_object_get(obj, "description")),
                        "\u7b2c\u4e00\u884c\n\tsecond\n");
    json_object_put(obj);
    /* without multi-line members, a line break is refused as before */
    expect_reject("{\"description\":\"a\\nb\"}", fields, "control character");
}

/* A dotted multi-line path lets line breaks into that nested member only: not into its
 * siblings, its parent's other members, an array element, or the same key elsewhere. */
static void test_multiline_nested(void **state)
{
    static const char *const fields[] = {"source", "user_data", NULL};
    static const char *const multiline[] = {"source.cloud_init.user_data", NULL};
    static const char *const bad[] = {
        "{\"source\":{\"cloud_init\":{\"hostname\":\"a\\nb\"}}}",
        "{\"source\":{\"user_data\":\"a\\nb\"}}",
        "{\"user_data\":\"a\\nb\"}",
        "{\"source\":{\"cloud_init\":{\"user_data\":[\"a\\nb\"]}}}",
        "{\"source\":{\"cloud_init\":{\"user_data\":{\"x\":\"a\\nb\"}}}}",
        "{\"source\":{\"cloud_init\":{\"user_data\":\"a\\rb\"}}}",
    };
    const char *ok = "{\"source\":{\"cloud_init\":{\"user_data\":\"#cloud-config\\n\\tx: 1\\n\"}}}";
    struct app_error err;
    struct json_object *obj, *v;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        app_error_clear(&err);
        obj = api_json_parse_body(bad[i], strlen(bad[i]), fields, multiline, false, &err);
        if (obj)
            fail_msg("accepted %s", bad[i]);
        assert_int_equal(err.status, 400);
    }
    app_error_clear(&err);
    obj = api_json_parse_body(ok, strlen(ok), fields, multiline, false, &err);
    assert_non_null(obj);
    assert_true(json_object_object_get_ex(json_object_object_get(obj, "source"), "cloud_init", &v));
    assert_string_equal(json_object_get_string(json_object_object_get(v, "user_data")),
                        "#cloud-config\n\tx: 1\n");
    json_object_put(obj);
}

/* json-c keeps the last of two equal member names; a body that names a field twice,
 * at any depth and however the name is spelt, is refused instead. */
static void test_duplicate_names(void **state)
{
    static const char *const fields[] = {"title", "description", "x", NULL};
    static const char *const dup[] = {
        "{\"title\":\"a\",\"title\":\"b\"}",
        "{\"title\":\"a\",\"description\":\"b\",\"title\":\"c\"}",
        "{\"t\\u0069tle\":\"a\",\"title\":\"b\"}",
        "{\"x\":{\"k\":1,\"k\":2}}",
        "{\"x\":[{\"k\":1},{\"k\":1,\"k\":2}]}",
        "{\"x\":[{\"a\":{\"k\":\"}\",\"k\":\":\"}}]}",
    };
    static const char *const unique[] = {
        "{\"title\":\"a:b\",\"description\":\"{\\\"title\\\":1}\"}",
        "{\"x\":[{\"k\":1},{\"k\":2}],\"title\":\"\\\\\"}",
        "{\"x\":{\"k\":{\"k\":{}}}}",
    };
    struct app_error err;
    struct json_object *obj;

    (void)state;
    for (size_t i = 0; i < sizeof(dup) / sizeof(dup[0]); i++)
        expect_reject(dup[i], fields, "names the same field twice");
    for (size_t i = 0; i < sizeof(unique) / sizeof(unique[0]); i++) {
        app_error_clear(&err);
        obj = api_json_parse_object(unique[i], strlen(unique[i]), fields, false, &err);
        if (!obj)
            fail_msg("refused %s: %s", unique[i], err.message);
        json_object_put(obj);
    }
}

/* A member refused by a row's FIELDS names itself in err.field; an integer out of its
 * range carries the range, so a form can say "at most …" in its own words. */
static void test_check_fields_names_member(void **state)
{
    static const struct route_field fields[] = {
        {.key = "title", .type = ROUTE_JSON_STRING, .max = 4},
        {.key = "vcpus", .type = ROUTE_JSON_INT, .min = 1, .max = 64},
        {.key = "on", .type = ROUTE_JSON_BOOL},
        {NULL},
    };
    struct app_error err;
    struct {
        const char *body, *field;
        bool limits;
    } cases[] = {
        {"{\"vcpus\":65}", "vcpus", true},
        {"{\"vcpus\":\"2\"}", "vcpus", true},
        {"{\"title\":\"too long\"}", "title", false},
        {"{\"on\":1}", "on", false},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct json_object *obj =
            parse(cases[i].body, (const char *const[]){"title", "vcpus", "on", NULL}, false, &err);

        assert_non_null(obj);
        app_error_clear(&err);
        assert_int_equal(api_json_check_fields(obj, fields, &err), -1);
        assert_int_equal(err.status, 400);
        assert_string_equal(err.field, cases[i].field);
        assert_int_equal(err.has_limits, cases[i].limits);
        if (cases[i].limits) {
            assert_true(err.min == 1);
            assert_true(err.max == 64);
        }
        json_object_put(obj);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_object),
        cmocka_unit_test(test_length_bounded),
        cmocka_unit_test(test_unknown_field),
        cmocka_unit_test(test_top_level_not_object),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_not_quite_json),
        cmocka_unit_test(test_trailing_garbage),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_nul_only_body_is_not_empty),
        cmocka_unit_test(test_empty_body),
        cmocka_unit_test(test_get_string),
        cmocka_unit_test(test_get_string_length),
        cmocka_unit_test(test_control_characters),
        cmocka_unit_test(test_get_bool),
        cmocka_unit_test(test_multiline_members),
        cmocka_unit_test(test_multiline_nested),
        cmocka_unit_test(test_duplicate_names),
        cmocka_unit_test(test_check_fields_names_member),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
