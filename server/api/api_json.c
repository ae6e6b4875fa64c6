/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_json: strict request-body parsing (pure; any thread). */
#include "api/api_json.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "util/hex.h"
#include "util/xalloc.h"
#include "util/utf8_name.h"

#define API_JSON_MAX_DEPTH 8

const char *const api_json_any_keys[] = {NULL};

static bool api_json_key_allowed(const char *key, const char *const *allowed)
{
    for (; allowed && *allowed; allowed++)
        if (!strcmp(key, *allowed))
            return true;
    return false;
}

/* Reads four hex digits at p (which has at least 4 bytes). Returns the value or -1. */
static long api_json_hex4(const char *p)
{
    long v = 0;

    for (int i = 0; i < 4; i++) {
        int d = hex_digit_value(p[i]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Decodes the string character at s[i] (inside a JSON string, not its closing quote):
 * an escape (a surrogate pair of escapes is one) or a UTF-8 sequence. Stores its code
 * point; returns the bytes it takes, or 0 when it is not valid UTF-8 (a lone surrogate
 * escape included). A truncated escape gives its own length (the parser reports it). */
static size_t api_json_string_char(const unsigned char *s, size_t len, size_t i, long *cp)
{
    if (s[i] != '\\') {
        uint32_t u = 0;
        size_t n = utf8_name_decode(s + i, len - i, &u);

        *cp = (long)u;
        return n;
    }
    if (i + 1 >= len) {
        *cp = -1;
        return 1;
    }
    if (s[i + 1] == 'u') {
        long low;

        *cp = i + 6 <= len ? api_json_hex4((const char *)s + i + 2) : -1;
        if (*cp < 0xd800 || *cp > 0xdfff)
            return 6;
        /* a surrogate: only a high one followed by a low one is a character (json-c
         * would quietly turn a lone one into U+FFFD: the text would not come back) */
        low = i + 12 <= len && s[i + 6] == '\\' && s[i + 7] == 'u'
                  ? api_json_hex4((const char *)s + i + 8)
                  : -1;
        if (*cp > 0xdbff || low < 0xdc00 || low > 0xdfff)
            return 0;
        *cp = 0x10000 + ((*cp - 0xd800) << 10) + (low - 0xdc00);
        return 12;
    }
    switch (s[i + 1]) {
    case 'b':
        *cp = '\b';
        break;
    case 'f':
        *cp = '\f';
        break;
    case 'n':
        *cp = '\n';
        break;
    case 'r':
        *cp = '\r';
        break;
    case 't':
        *cp = '\t';
        break;
    default:
        *cp = s[i + 1];
    }
    return 2;
}

/* json-c accepts some things JSON does not even in strict mode (single-quoted strings),
 * and passes through what no name or value of ours may hold: escaped or raw control
 * characters (a "\u0000" would cut a name short in every C string after it) and bytes
 * that are not UTF-8. One scan of the text finds them all, in keys and values alike.
 * With breaks, a line break or tab written as an escape ("\n", "\t", "\u000a") passes:
 * api_json_breaks_placed then checks where it stands. Returns 0, or -1 with err (400)
 * naming the byte offset. */
static int api_json_scan_text(const char *body, size_t len, bool breaks, struct app_error *err)
{
    const unsigned char *s = (const unsigned char *)body;
    bool in_string = false;
    size_t n;
    long cp;

    for (size_t i = 0; i < len; i += n) {
        n = 1;
        if (!in_string) {
            if (s[i] == '\'') {
                app_error_set(err, 400, APP_ERR_BAD_REQUEST, "malformed JSON: single quotes");
                return -1;
            }
            in_string = s[i] == '"';
        } else if (s[i] == '"') {
            in_string = false;
        } else if (!(n = api_json_string_char(s, len, i, &cp))) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "a JSON string is not valid UTF-8 (byte %zu)", i);
            return -1;
        } else if (cp >= 0 && utf8_name_is_control((uint32_t)cp) &&
                   !(breaks && s[i] == '\\' && (cp == '\n' || cp == '\t'))) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "a JSON string holds the control character U+%04lX (byte %zu); "
                          "no name or value may",
                          (unsigned long)cp, i);
            return -1;
        }
    }
    return 0;
}

static bool api_json_has_break(const char *s, size_t len)
{
    return memchr(s, '\n', len) || memchr(s, '\t', len);
}

/* True when v (at the dotted path, NULL when it has none: inside an array) holds no line
 * break or tab, but in a string value whose path multiline names. */
static bool api_json_breaks_none(struct json_object *v, const char *path,
                                 const char *const *multiline)
{
    switch (json_object_get_type(v)) {
    case json_type_string:
        return (path && api_json_key_allowed(path, multiline)) ||
               !api_json_has_break(json_object_get_string(v),
                                   (size_t)json_object_get_string_len(v));
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(v); i++)
            if (!api_json_breaks_none(json_object_array_get_idx(v, i), NULL, multiline))
                return false;
        return true;
    case json_type_object: {
        json_object_object_foreach(v, key, value)
        {
            char child[128];
            int n = path ? snprintf(child, sizeof(child), "%s.%s", path, key) : -1;

            if (api_json_has_break(key, strlen(key)) ||
                !api_json_breaks_none(value, n > 0 && (size_t)n < sizeof(child) ? child : NULL,
                                      multiline))
                return false;
        }
        return true;
    }
    default:
        return true;
    }
}

/* After a scan that let escaped line breaks and tabs through: they may stand only in the
 * string values of obj's members named in multiline (a top-level key, or a dotted path
 * to a nested member). Returns 0, or -1 with err (400). */
static int api_json_breaks_placed(struct json_object *obj, const char *const *multiline,
                                  struct app_error *err)
{
    json_object_object_foreach(obj, key, value)
    {
        if (api_json_has_break(key, strlen(key)) || !api_json_breaks_none(value, key, multiline)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "a JSON string holds the control character U+000A or U+0009 (a line "
                          "break or tab); only a multi-line field such as \"description\" may");
            return -1;
        }
    }
    return 0;
}

static bool api_json_all_finite(struct json_object *obj)
{
    switch (json_object_get_type(obj)) {
    case json_type_double:
        return isfinite(json_object_get_double(obj));
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(obj); i++)
            if (!api_json_all_finite(json_object_array_get_idx(obj, i)))
                return false;
        return true;
    case json_type_object: {
        json_object_object_foreach(obj, key, value)
        {
            (void)key;
            if (!api_json_all_finite(value))
                return false;
        }
        return true;
    }
    default:
        return true;
    }
}

/* The member count of each object under v, in document order (pre-order), into counts
 * (room for max); *n ends as the number of objects found. */
static void api_json_member_counts(struct json_object *v, size_t *counts, size_t max, size_t *n)
{
    switch (json_object_get_type(v)) {
    case json_type_object: {
        if (*n < max)
            counts[*n] = (size_t)json_object_object_length(v);
        (*n)++;
        json_object_object_foreach(v, key, value)
        {
            (void)key;
            api_json_member_counts(value, counts, max, n);
        }
        break;
    }
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(v); i++)
            api_json_member_counts(json_object_array_get_idx(v, i), counts, max, n);
        break;
    default:
        break;
    }
}

/* True when no object in body names a member twice. json-c keeps only the last of
 * duplicate names, so a body like {"title":"a","title":"b"} would mean whatever the
 * last copy says while every check that reads the text saw both; such bodies are
 * refused. Each object's members in the text (its own ':' separators, strings skipped)
 * must number what the parsed object holds, object by object in document order. body
 * has already parsed as JSON of at most API_JSON_MAX_DEPTH levels. */
static bool api_json_names_unique(const char *body, size_t len, struct json_object *obj)
{
    size_t open[API_JSON_MAX_DEPTH + 1]; /* per level: its object's index, or SIZE_MAX */
    size_t *text_counts = NULL;          /* owned */
    size_t *parsed_counts = NULL;        /* owned */
    size_t nobj = 0, nparsed = 0, next = 0, depth = 0;
    bool in_string = false;
    bool ret = false;

    for (size_t i = 0; i < len; i++) {
        if (in_string) {
            if (body[i] == '\\')
                i++;
            else if (body[i] == '"')
                in_string = false;
        } else if (body[i] == '"') {
            in_string = true;
        } else if (body[i] == '{') {
            nobj++;
        }
    }
    text_counts = xcalloc(nobj + 1, sizeof(*text_counts));
    parsed_counts = xcalloc(nobj + 1, sizeof(*parsed_counts));
    api_json_member_counts(obj, parsed_counts, nobj, &nparsed);
    if (nparsed != nobj)
        goto cleanup;
    in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = body[i];

        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (depth == sizeof(open) / sizeof(open[0]))
                goto cleanup;
            open[depth++] = c == '{' ? next++ : SIZE_MAX;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                goto cleanup;
            depth--;
        } else if (c == ':' && depth && open[depth - 1] != SIZE_MAX) {
            text_counts[open[depth - 1]]++;
        }
    }
    ret = memcmp(text_counts, parsed_counts, nobj * sizeof(*text_counts)) == 0;

cleanup:
    free(text_counts);
    free(parsed_counts);
    return ret;
}

struct json_object *api_json_parse_object(const char *body, size_t len, const char *const *allowed,
                                          bool empty_ok, struct app_error *err)
{
    return api_json_parse_body(body, len, allowed, NULL, empty_ok, err);
}

struct json_object *api_json_parse_body(const char *body, size_t len, const char *const *allowed,
                                        const char *const *multiline, bool empty_ok,
                                        struct app_error *err)
{
    bool breaks = multiline && multiline[0];
    struct json_tokener *tok = NULL;
    struct json_object *obj = NULL;
    struct json_object *ret = NULL;
    size_t i = 0;

    if (len && memchr(body, '\0', len)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "request body contains a NUL byte");
        goto cleanup;
    }
    while (i < len && strchr(" \t\r\n", body[i]))
        i++;
    if (i == len) {
        if (empty_ok)
            return json_object_new_object();
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "request body must be a JSON object");
        goto cleanup;
    }
    tok = json_tokener_new_ex(API_JSON_MAX_DEPTH);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    obj = json_tokener_parse_ex(tok, body, (int)len);
    if (!obj || json_tokener_get_error(tok) != json_tokener_success) {
        enum json_tokener_error e = json_tokener_get_error(tok);
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "malformed JSON: %s",
                      e == json_tokener_continue ? "unexpected end of input"
                                                 : json_tokener_error_desc(e));
        goto cleanup;
    }
    if (api_json_scan_text(body, len, breaks, err) < 0)
        goto cleanup;
    if (!api_json_all_finite(obj)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "malformed JSON: non-finite numbers");
        goto cleanup;
    }
    if (!json_object_is_type(obj, json_type_object)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "request body must be a JSON object");
        goto cleanup;
    }
    json_object_object_foreach(obj, key, value)
    {
        (void)value;
        if (allowed != api_json_any_keys && !api_json_key_allowed(key, allowed)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "unknown field \"%.64s\"", key);
            goto cleanup;
        }
    }
    if (!api_json_names_unique(body, len, obj)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "malformed JSON: an object names the same field twice");
        goto cleanup;
    }
    if (breaks && api_json_breaks_placed(obj, multiline, err) < 0)
        goto cleanup;
    ret = obj;
    obj = NULL;

cleanup:
    json_object_put(obj);
    if (tok)
        json_tokener_free(tok);
    return ret;
}

const char *api_json_get_string(struct json_object *obj, const char *key, size_t maxlen,
                                struct app_error *err)
{
    struct json_object *value = NULL;
    const char *s;

    if (!json_object_object_get_ex(obj, key, &value)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s\" is required", key);
        app_error_at_field(err, "", key);
        return NULL;
    }
    if (!json_object_is_type(value, json_type_string)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s\" must be a string", key);
        app_error_at_field(err, "", key);
        return NULL;
    }
    s = json_object_get_string(value);
    if ((size_t)json_object_get_string_len(value) > maxlen ||
        strlen(s) != (size_t)json_object_get_string_len(value)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s\" is too long or has a NUL", key);
        app_error_at_field(err, "", key);
        return NULL;
    }
    return s;
}

int api_json_get_bool(struct json_object *obj, const char *key, bool required, bool *out,
                      struct app_error *err)
{
    struct json_object *value = NULL;

    if (!json_object_object_get_ex(obj, key, &value) && !required)
        return 0;
    if (!json_object_is_type(value, json_type_boolean)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%s\" must be true or false", key);
        app_error_at_field(err, "", key);
        return -1;
    }
    *out = json_object_get_boolean(value) != 0;
    return 0;
}

/* One member of a row's FIELDS: 0, or -1 with err (400). */
static int api_json_check_field(struct json_object *obj, const struct route_field *f,
                                struct app_error *err)
{
    struct json_object *v = NULL;
    bool present = json_object_object_get_ex(obj, f->key, &v);
    const char *s, *why;
    int64_t n;

    if (!present && !f->required)
        return 0;
    switch (f->type) {
    case ROUTE_JSON_STRING:
        if (!(s = api_json_get_string(obj, f->key, f->max > 0 ? (size_t)f->max : SIZE_MAX, err)))
            break;
        if (!(why = f->explain ? f->explain(s) : NULL) && (!f->valid || f->valid(s)))
            return 0;
        if (!f->wrong) {
            char message[sizeof(err->message)];

            route_format(message, sizeof(message), f->invalid, s);
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "%s%s%s", message, why ? ": " : "",
                          why ? why : "");
            app_error_at_field(err, "", f->key);
            return -1;
        }
        break;
    case ROUTE_JSON_BOOL:
        if (present && json_object_is_type(v, json_type_boolean))
            return 0;
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%s\" must be true or false", f->key);
        break;
    case ROUTE_JSON_INT:
        if (present && json_object_is_type(v, json_type_int) &&
            (n = json_object_get_int64(v)) >= f->min && n <= f->max)
            return 0;
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%s\" must be an integer from %lld to %lld",
                      f->key, f->min, f->max);
        if (!f->wrong)
            app_error_at_range(err, "", f->key, f->min, f->max);
        break;
    }
    if (f->wrong)
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "%s", f->wrong);
    if (!err || !err->field[0])
        app_error_at_field(err, "", f->key);
    return -1;
}

int api_json_check_fields(struct json_object *obj, const struct route_field *fields,
                          struct app_error *err)
{
    for (const struct route_field *f = fields; f && f->key; f++)
        if (api_json_check_field(obj, f, err) < 0)
            return -1;
    return 0;
}
