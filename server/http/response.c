/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* response: building HTTP responses as plain values (any thread; see response.h). */
#include "http/response.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "http/static_files.h"
#include "util/log.h"
#include "util/utf8_name.h"

#define RESPONSE_MAX_HEADERS (16u * 1024)

void http_response_init(struct http_response *resp)
{
    resp->status = 0;
    resp->content_type = NULL;
    resp->secret = false;
    buf_init(&resp->headers, RESPONSE_MAX_HEADERS);
    buf_init(&resp->body, HTTP_RESPONSE_MAX_BODY);
}

void http_response_free(struct http_response *resp)
{
    if (!resp)
        return;
    buf_free(&resp->headers);
    buf_free(&resp->body);
    resp->status = 0;
    resp->content_type = NULL;
}

void http_response_move(struct http_response *dst, struct http_response *src)
{
    http_response_free(dst);
    *dst = *src;
    http_response_init(src);
}

void http_response_json(struct http_response *resp, int status, struct json_object *obj)
{
    const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE);

    resp->status = status;
    resp->content_type = "application/json";
    buf_reset(&resp->body);
    if (buf_append_str(&resp->body, text) < 0 || buf_append(&resp->body, "\n", 1) < 0) {
        log_error("response: JSON body larger than %u bytes", HTTP_RESPONSE_MAX_BODY);
        buf_reset(&resp->body);
        resp->status = 500;
        if (buf_append_str(&resp->body, "{\"error\":{\"code\":\"internal_error\","
                                        "\"message\":\"response too large\"}}\n") < 0)
            buf_reset(&resp->body);
    }
}

void http_response_json_take(struct http_response *resp, int status, struct json_object *obj)
{
    http_response_json(resp, status, obj);
    json_object_put(obj);
}

struct json_object *http_response_error_body(const struct app_error *err)
{
    struct json_object *root = json_object_new_object();
    struct json_object *inner = json_object_new_object();

    json_object_object_add(inner, "code",
                           json_object_new_string(err->code ? err->code : APP_ERR_INTERNAL));
    json_object_object_add(inner, "message", json_object_new_string(err->message));
    if (err->field[0])
        json_object_object_add(inner, "field", json_object_new_string(err->field));
    if (err->has_limits) {
        json_object_object_add(inner, "min", json_object_new_int64(err->min));
        json_object_object_add(inner, "max", json_object_new_int64(err->max));
    }
    json_object_object_add(root, "error", inner);
    return root;
}

void http_response_error(struct http_response *resp, const struct app_error *err)
{
    http_response_json_take(resp, err->status ? err->status : 500, http_response_error_body(err));
}

void http_response_errorf(struct http_response *resp, int status, const char *code, const char *fmt,
                          ...)
{
    struct app_error err;
    va_list ap;

    app_error_clear(&err);
    err.status = status;
    err.code = code;
    va_start(ap, fmt);
    vsnprintf(err.message, sizeof(err.message), fmt, ap);
    va_end(ap);
    http_response_error(resp, &err);
}

void http_response_header(struct http_response *resp, const char *name, const char *value)
{
    if (strpbrk(name, "\r\n") || strpbrk(value, "\r\n")) {
        log_error("response: dropped header %s with a line break", name);
        return;
    }
    if (buf_appendf(&resp->headers, "%s: %s\r\n", name, value) < 0)
        log_error("response: header space exhausted, dropped %s", name);
}

/* RFC 5987's attr-char: what filename*= carries as it is; every other byte is %XX. */
static bool response_attr_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$&+-.^_`|~", c));
}

void http_response_attachment(struct http_response *resp, const char *filename)
{
    const unsigned char *p = (const unsigned char *)filename;
    size_t len = strlen(filename), n;
    struct buf value;
    bool plain = true;
    uint32_t cp;
    int rc;

    buf_init(&value, RESPONSE_MAX_HEADERS);
    /* the fallback for clients that know only filename=: one '_' for each character
     * that is not printable ASCII, and for '"' and '\' */
    rc = buf_append_str(&value, "attachment; filename=\"");
    for (size_t i = 0; rc == 0 && i < len; i += n) {
        bool ascii;

        if (!(n = utf8_name_decode(p + i, len - i, &cp)))
            n = 1, cp = 0xfffd;
        ascii = cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\';
        plain = plain && ascii;
        rc = buf_append(&value, ascii ? (const char *)p + i : "_", 1);
    }
    if (rc == 0)
        rc = buf_append_str(&value, "\"");
    if (rc == 0 && !plain)
        rc = buf_append_str(&value, "; filename*=UTF-8''");
    for (size_t i = 0; rc == 0 && !plain && i < len; i++)
        rc = response_attr_char(p[i]) ? buf_append(&value, p + i, 1)
                                      : buf_appendf(&value, "%%%02X", p[i]);
    if (rc == 0)
        http_response_header(resp, "Content-Disposition", value.data);
    else
        log_error("response: Content-Disposition does not fit, dropped");
    buf_free(&value);
}

bool http_response_has_header(const struct http_response *resp, const char *name)
{
    size_t name_len = strlen(name);
    const char *line = resp->headers.data;
    const char *end = line ? line + resp->headers.len : NULL;

    while (line && line < end) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if ((size_t)(end - line) > name_len && line[name_len] == ':' &&
            !strncasecmp(line, name, name_len))
            return true;
        line = eol ? eol + 1 : end;
    }
    return false;
}

void http_response_gzip_json(struct http_response *resp, bool accept_gzip)
{
    unsigned char *gz;
    size_t gz_len = 0;

    if (resp->secret || !resp->content_type ||
        strcmp(resp->content_type, "application/json") != 0 ||
        resp->body.len < HTTP_RESPONSE_GZIP_MIN ||
        http_response_has_header(resp, "Content-Encoding"))
        return;
    http_response_header(resp, "Vary", "Accept-Encoding");
    if (!accept_gzip)
        return;
    gz = static_files_gzip((const unsigned char *)resp->body.data, resp->body.len, Z_BEST_SPEED,
                           &gz_len);
    if (!gz)
        return;
    buf_reset(&resp->body);
    if (buf_append(&resp->body, gz, gz_len) == 0)
        http_response_header(resp, "Content-Encoding", "gzip");
    else
        log_error("response: gzip body did not fit"); /* cannot happen: it is smaller */
    free(gz);
}
