/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_reply: what an API handler answers (JSON and a status, or an error), and how the
 * dispatcher turns it into an HTTP response. Pure; whichever thread holds the reply
 * (see api_call.h). */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "http/response.h"
#include "util/app_error.h"

struct api_reply {
    int status;               /* with json: 200, 201, 202 */
    struct json_object *json; /* owned: the answer; NULL when err says what failed */
    struct app_error err;
    int retry_after_s;        /* > 0: the client should wait this long (429, 503) */
    char cookie[256];         /* a Set-Cookie value for the answer ("" none); wiped */
    const char *audit_suffix; /* static: appended to the row's audit action ("-force") */
    char audit_object[320];   /* the audit record's object, when the path does not name it */
    bool secret;              /* the answer holds a secret: never compressed */
    char location[96];        /* a Location value for the answer ("" none): a 202's job */
    char *text;               /* owned: a non-JSON answer (NULL: none), text_len bytes */
    size_t text_len;
    const char *text_type; /* static: text's Content-Type */
    bool text_gzip;        /* text is gzip already (compressed on the worker that made it):
                            * sent with Content-Encoding: gzip */
};

/* An empty reply (no answer yet). */
void api_reply_init(struct api_reply *reply);
/* Releases the JSON and the text and wipes the cookie. NULL-safe. */
void api_reply_clear(struct api_reply *reply);

/* reply's JSON answer (takes obj). */
void api_reply_json(struct api_reply *reply, int status, struct json_object *obj);
/* out ? api_reply_json(reply, status, out) : the error err. The usual end of a run. */
void api_reply_result(struct api_reply *reply, int status, struct json_object *out,
                      const struct app_error *err);
/* reply's non-JSON answer of type (static) with status (takes text, len bytes). */
void api_reply_text(struct api_reply *reply, int status, const char *type, char *text, size_t len);
/* reply's error. */
void api_reply_error(struct api_reply *reply, const struct app_error *err);
/* The audit object, printf-formatted. */
void api_reply_audit_object(struct api_reply *reply, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The audit outcome: the error's code, or "ok". */
const char *api_reply_outcome(const struct api_reply *reply);

/* Moves reply into resp: status and JSON (or the error body), Retry-After, Set-Cookie.
 * reply keeps no answer afterwards. */
void api_reply_to_response(struct api_reply *reply, struct http_response *resp);
