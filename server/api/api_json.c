/* api_json: strict request-body parsing (pure; any thread). */
#include "api/api_json.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "util/hex.h"

#define API_JSON_MAX_DEPTH 8

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

/* True for the code points no name, path or value of ours may hold: C0 controls (NUL
 * included), DEL and the C1 controls. */
static bool api_json_is_control(long cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Length of the valid UTF-8 sequence at s[0..left) (1..4), or 0 if it is not one:
 * no overlong forms, no surrogates, nothing above U+10FFFF. Stores the code point. */
static size_t api_json_utf8_seq(const unsigned char *s, size_t left, long *cp)
{
    size_t n;
    long min;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0) {
        n = 2, min = 0x80, *cp = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        n = 3, min = 0x800, *cp = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        n = 4, min = 0x10000, *cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3f);
    }
    if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
        return 0;
    return n;
}

/* Decodes the string character at s[i] (inside a JSON string, not its closing quote):
 * an escape or a UTF-8 sequence. Stores its code point; returns the bytes it takes, or
 * 0 when it is not valid UTF-8. A truncated escape gives its own length (the parser
 * reports it). */
static size_t api_json_string_char(const unsigned char *s, size_t len, size_t i, long *cp)
{
    if (s[i] != '\\')
        return api_json_utf8_seq(s + i, len - i, cp);
    if (i + 1 >= len) {
        *cp = -1;
        return 1;
    }
    if (s[i + 1] == 'u') {
        *cp = i + 6 <= len ? api_json_hex4((const char *)s + i + 2) : -1;
        return 6;
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
 * Returns 0, or -1 with err (400) naming the byte offset. */
static int api_json_scan_text(const char *body, size_t len, struct app_error *err)
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
        } else if (cp >= 0 && api_json_is_control(cp)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "a JSON string holds the control character U+%04lX (byte %zu); "
                          "no name or value may",
                          (unsigned long)cp, i);
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

struct json_object *api_json_parse_object(const char *body, size_t len, const char *const *allowed,
                                          bool empty_ok, struct app_error *err)
{
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
    if (api_json_scan_text(body, len, err) < 0)
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
        if (!api_json_key_allowed(key, allowed)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "unknown field \"%.64s\"", key);
            goto cleanup;
        }
    }
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
        return NULL;
    }
    if (!json_object_is_type(value, json_type_string)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s\" must be a string", key);
        return NULL;
    }
    s = json_object_get_string(value);
    if ((size_t)json_object_get_string_len(value) > maxlen ||
        strlen(s) != (size_t)json_object_get_string_len(value)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s\" is too long or has a NUL", key);
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
    const char *s;
    int64_t n;

    if (!present && !f->required)
        return 0;
    switch (f->type) {
    case ROUTE_JSON_STRING:
        if (!(s = api_json_get_string(obj, f->key, f->max > 0 ? (size_t)f->max : SIZE_MAX, err)))
            break;
        if (!f->valid || f->valid(s))
            return 0;
        if (!f->wrong) {
            char message[sizeof(err->message)];

            route_format(message, sizeof(message), f->invalid, s);
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "%s", message);
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
        break;
    }
    if (f->wrong)
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "%s", f->wrong);
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
