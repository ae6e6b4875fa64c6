/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* response: an HTTP response being prepared (status, type, extra headers, body).
 *
 * A plain value with no lws in it, so workers can fill one and hand it back to the
 * service thread inside a work_job. Owned by whoever embeds it. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "util/app_error.h"
#include "util/buf.h"

#define HTTP_RESPONSE_MAX_BODY (64u * 1024 * 1024)
/* JSON bodies from this size on are sent gzip-compressed to clients that accept it
 * (never one marked secret). */
#define HTTP_RESPONSE_GZIP_MIN (4u * 1024)

struct http_response {
    int status;               /* 0 until something set it */
    const char *content_type; /* static string */
    struct buf headers;       /* extra "Name: value\r\n" lines */
    struct buf body;
    bool secret; /* the body holds a secret: never compressed (BREACH, server/README.md) */
};

void http_response_init(struct http_response *resp);
void http_response_free(struct http_response *resp);
/* Moves src into dst (dst freed first); src is left empty. */
void http_response_move(struct http_response *dst, struct http_response *src);

/* Sets status and a JSON body serialised from obj (obj is not taken). */
void http_response_json(struct http_response *resp, int status, struct json_object *obj);
/* Same, and drops the caller's reference to obj. */
void http_response_json_take(struct http_response *resp, int status, struct json_object *obj);
/* The error body {"error":{"code","message","field"?,"min"?,"max"?}} of err (new). */
struct json_object *http_response_error_body(const struct app_error *err);
/* {"error":{"code","message"}} with err->status (500 if unset). */
void http_response_error(struct http_response *resp, const struct app_error *err);
void http_response_errorf(struct http_response *resp, int status, const char *code, const char *fmt,
                          ...) __attribute__((format(printf, 4, 5)));
/* Adds a header line. name and value must not contain CR/LF (they are dropped if so). */
void http_response_header(struct http_response *resp, const char *name, const char *value);
/* Adds "Content-Disposition: attachment; filename=..." for filename (UTF-8, any
 * script; RFC 6266): filename="..." is an ASCII fallback (one '_' for each character
 * that is not printable ASCII, and for '"' and '\\'); when that is not the name itself,
 * filename*=UTF-8''<the name's bytes percent-encoded (RFC 5987)> follows, which every
 * current browser prefers. */
void http_response_attachment(struct http_response *resp, const char *filename);
/* True if a header line named name (any case) was added. */
bool http_response_has_header(const struct http_response *resp, const char *name);
/* For an application/json body of HTTP_RESPONSE_GZIP_MIN bytes or more without a
 * Content-Encoding: adds "Vary: Accept-Encoding" and, when accept_gzip and gzip makes
 * it smaller, replaces the body with its gzip (fast level: this runs on the service
 * thread, about a millisecond for 200 KiB) and adds "Content-Encoding: gzip".
 * Anything else is left alone. Any thread. */
void http_response_gzip_json(struct http_response *resp, bool accept_gzip);
