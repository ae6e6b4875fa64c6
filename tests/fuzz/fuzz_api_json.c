/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_api_json: libFuzzer target for api_json_parse_object and api_json_get_string
 * (server/api/api_json.h), which read every request body. Runs on libFuzzer's thread; no
 * state between inputs.
 *
 * Input: the body, all bytes (NULs included), passed with its exact length and no
 * terminator so a read past the end is an ASan report. Each body is parsed as the login
 * endpoint does (fields username/password, empty not ok) and as the action endpoints do
 * (no fields, empty ok). Invariants beyond "no crash": a returned value is always a JSON
 * object whose keys are all in the allowed list, and it survives a round trip through
 * its own serialisation; a NUL byte is always refused; a refusal is always a 400
 * bad_request with a terminated, non-empty message; a blank body is an empty object
 * exactly when empty_ok; api_json_get_string returns a string exactly when the member
 * is a string without NUL and within maxlen, and that string is the member's own.
 * Each body is also parsed as the metadata route does (api_json_parse_body, fields
 * title/description, description multi-line) and as it would be without multi-line
 * members: what is accepted holds only valid UTF-8 without control characters, but for
 * line breaks and tabs in the top-level "description" string; the two parses agree
 * except exactly there. */
#include <stdbool.h>
#include <string.h>

#include <json-c/json.h>

#include "api/api_json.h"
#include "fuzz_input.h"
#include "util/utf8_name.h"

static const char *const fuzz_api_json_fields[] = {"username", "password", NULL};
static const char *const fuzz_api_json_no_fields[] = {NULL};
static const char *const fuzz_api_json_meta_fields[] = {"title", "description", NULL};
static const char *const fuzz_api_json_multiline[] = {"description", NULL};

static bool fuzz_api_json_blank(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r' && data[i] != '\n')
            return false;
    return true;
}

static void fuzz_api_json_check_refusal(const struct app_error *err)
{
    FUZZ_ASSERT(err->status == 400);
    FUZZ_ASSERT(err->code && strcmp(err->code, APP_ERR_BAD_REQUEST) == 0);
    FUZZ_ASSERT(memchr(err->message, '\0', sizeof(err->message)) != NULL);
    FUZZ_ASSERT(err->message[0] != '\0');
}

static void fuzz_api_json_check_object(struct json_object *obj, const char *const *allowed,
                                       bool empty_ok)
{
    struct app_error err;
    struct json_object *again;
    const char *text;

    FUZZ_ASSERT(json_object_is_type(obj, json_type_object));
    json_object_object_foreach(obj, key, value)
    {
        bool ok = false;

        (void)value;
        for (const char *const *a = allowed; *a; a++)
            ok = ok || strcmp(key, *a) == 0;
        FUZZ_ASSERT(ok);
    }
    /* What we accepted, serialised, is accepted again and means the same (json-c takes
     * NaN even in strict mode, and NaN != NaN: then the texts must match instead). */
    text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
    FUZZ_ASSERT(text != NULL);
    app_error_clear(&err);
    again = api_json_parse_object(text, strlen(text), allowed, empty_ok, &err);
    FUZZ_ASSERT(again != NULL);
    FUZZ_ASSERT(json_object_equal(obj, again) ||
                strcmp(text, json_object_to_json_string_ext(again, JSON_C_TO_STRING_PLAIN)) == 0);
    json_object_put(again);
}

static void fuzz_api_json_check_get_string(struct json_object *obj, const char *key)
{
    static const size_t maxlens[] = {0, 5, 64, 4096};

    for (size_t i = 0; i < sizeof(maxlens) / sizeof(maxlens[0]); i++) {
        struct json_object *member = NULL;
        struct app_error err;
        const char *s;
        bool expect;

        app_error_clear(&err);
        s = api_json_get_string(obj, key, maxlens[i], &err);
        expect =
            json_object_object_get_ex(obj, key, &member) &&
            json_object_is_type(member, json_type_string) &&
            (size_t)json_object_get_string_len(member) <= maxlens[i] &&
            strlen(json_object_get_string(member)) == (size_t)json_object_get_string_len(member);
        if (expect) {
            FUZZ_ASSERT(s == json_object_get_string(member));
            FUZZ_ASSERT(strlen(s) <= maxlens[i]);
        } else {
            FUZZ_ASSERT(s == NULL);
            fuzz_api_json_check_refusal(&err);
        }
    }
}

/* s[0..len) is valid UTF-8 with no control character, but LF and TAB when breaks; sets
 * *has_break when it holds one. */
static void fuzz_api_json_check_text(const char *s, size_t len, bool breaks, bool *has_break)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t cp;
    size_t n;

    for (size_t i = 0; i < len; i += n) {
        n = utf8_name_decode(p + i, len - i, &cp);
        FUZZ_ASSERT(n > 0);
        if (cp == '\n' || cp == '\t') {
            FUZZ_ASSERT(breaks);
            *has_break = true;
        } else {
            FUZZ_ASSERT(!utf8_name_is_control(cp));
        }
    }
}

/* Every key and string of v, as fuzz_api_json_check_text says. */
static void fuzz_api_json_check_strings(struct json_object *v, bool breaks, bool *has_break)
{
    switch (json_object_get_type(v)) {
    case json_type_string:
        fuzz_api_json_check_text(json_object_get_string(v), (size_t)json_object_get_string_len(v),
                                 breaks, has_break);
        break;
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(v); i++)
            fuzz_api_json_check_strings(json_object_array_get_idx(v, i), false, has_break);
        break;
    case json_type_object: {
        json_object_object_foreach(v, key, value)
        {
            fuzz_api_json_check_text(key, strlen(key), false, has_break);
            fuzz_api_json_check_strings(value, false, has_break);
        }
        break;
    }
    default:
        break;
    }
}

/* The metadata route's parse against the plain one (same keys, no multi-line member). */
static void fuzz_api_json_check_multiline(const char *body, size_t size)
{
    struct app_error err;
    struct json_object *plain, *multi;
    bool has_break = false;

    app_error_clear(&err);
    plain = api_json_parse_object(body, size, fuzz_api_json_meta_fields, false, &err);
    if (!plain)
        fuzz_api_json_check_refusal(&err);
    app_error_clear(&err);
    multi = api_json_parse_body(body, size, fuzz_api_json_meta_fields, fuzz_api_json_multiline,
                                false, &err);
    if (!multi) {
        fuzz_api_json_check_refusal(&err);
        FUZZ_ASSERT(!plain);
        return;
    }
    json_object_object_foreach(multi, key, value)
    {
        fuzz_api_json_check_text(key, strlen(key), false, &has_break);
        if (strcmp(key, "description") == 0 && json_object_is_type(value, json_type_string))
            fuzz_api_json_check_strings(value, true, &has_break);
        else
            fuzz_api_json_check_strings(value, false, &has_break);
    }
    if (plain) {
        FUZZ_ASSERT(!has_break);
        FUZZ_ASSERT(strcmp(json_object_to_json_string_ext(plain, JSON_C_TO_STRING_PLAIN),
                           json_object_to_json_string_ext(multi, JSON_C_TO_STRING_PLAIN)) == 0);
        fuzz_api_json_check_strings(plain, false, &has_break);
    } else {
        FUZZ_ASSERT(has_break);
    }
    json_object_put(plain);
    json_object_put(multi);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy: no terminator after the body. */
    char *body = xmalloc(size ? size : 1);
    struct json_object *login = NULL;
    struct json_object *action = NULL;
    struct app_error err;
    bool has_nul = memchr(data, '\0', size) != NULL;
    bool blank = fuzz_api_json_blank(data, size);

    memcpy(body, data, size);

    app_error_clear(&err);
    login = api_json_parse_object(body, size, fuzz_api_json_fields, false, &err);
    if (login) {
        FUZZ_ASSERT(!has_nul && !blank);
        fuzz_api_json_check_object(login, fuzz_api_json_fields, false);
        fuzz_api_json_check_get_string(login, "username");
        fuzz_api_json_check_get_string(login, "password");
        fuzz_api_json_check_get_string(login, "absent");
    } else {
        fuzz_api_json_check_refusal(&err);
    }

    app_error_clear(&err);
    action = api_json_parse_object(body, size, fuzz_api_json_no_fields, true, &err);
    if (action) {
        FUZZ_ASSERT(!has_nul);
        FUZZ_ASSERT(json_object_object_length(action) == 0);
        fuzz_api_json_check_object(action, fuzz_api_json_no_fields, true);
        /* An object with no fields is acceptable under any list. */
        FUZZ_ASSERT(blank || login != NULL);
    } else {
        FUZZ_ASSERT(!blank);
        fuzz_api_json_check_refusal(&err);
        /* Refused without fields: either malformed or it has a field. */
        FUZZ_ASSERT(!login || json_object_object_length(login) > 0);
    }

    fuzz_api_json_check_multiline(body, size);

    json_object_put(login);
    json_object_put(action);
    free(body);
    return 0;
}
