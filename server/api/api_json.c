/* api_json: strict request-body parsing (pure; any thread). */
#include "api/api_json.h"

#include <math.h>
#include <string.h>

#define API_JSON_MAX_DEPTH 8

static bool api_json_key_allowed(const char *key, const char *const *allowed)
{
    for (; allowed && *allowed; allowed++)
        if (!strcmp(key, *allowed))
            return true;
    return false;
}

/* json-c accepts some things JSON does not even in strict mode: single-quoted strings
 * and the words NaN/Infinity. A single quote is never valid outside a string, so one
 * scan finds the first; non-finite numbers are found on the parsed tree. */
static bool api_json_has_single_quote(const char *body, size_t len)
{
    bool in_string = false;

    for (size_t i = 0; i < len; i++) {
        if (in_string) {
            if (body[i] == '\\')
                i++;
            else if (body[i] == '"')
                in_string = false;
        } else if (body[i] == '"') {
            in_string = true;
        } else if (body[i] == '\'') {
            return true;
        }
    }
    return false;
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
    if (api_json_has_single_quote(body, len) || !api_json_all_finite(obj)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "malformed JSON: single quotes or non-finite numbers");
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
