/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_reply: a handler's answer (see api_call.h) and how it becomes an HTTP response.
 * Pure; whichever thread holds the reply. */
#include "api/api_reply.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_reply_init(struct api_reply *reply)
{
    memset(reply, 0, sizeof(*reply));
    app_error_clear(&reply->err);
}

void api_reply_clear(struct api_reply *reply)
{
    if (!reply)
        return;
    json_object_put(reply->json);
    reply->json = NULL;
    free(reply->text);
    reply->text = NULL;
    OPENSSL_cleanse(reply->cookie, sizeof(reply->cookie));
}

void api_reply_json(struct api_reply *reply, int status, struct json_object *obj)
{
    json_object_put(reply->json);
    free(reply->text);
    reply->text = NULL;
    reply->json = obj;
    reply->status = status;
    app_error_clear(&reply->err);
}

void api_reply_text(struct api_reply *reply, int status, const char *type, char *text, size_t len)
{
    json_object_put(reply->json);
    reply->json = NULL;
    free(reply->text);
    reply->text = text;
    reply->text_len = len;
    reply->text_type = type;
    reply->text_gzip = false;
    reply->status = status;
    app_error_clear(&reply->err);
}

void api_reply_error(struct api_reply *reply, const struct app_error *err)
{
    json_object_put(reply->json);
    reply->json = NULL;
    free(reply->text);
    reply->text = NULL;
    reply->status = 0;
    reply->err = *err;
}

void api_reply_result(struct api_reply *reply, int status, struct json_object *out,
                      const struct app_error *err)
{
    if (out)
        api_reply_json(reply, status, out);
    else
        api_reply_error(reply, err);
}

void api_reply_audit_object(struct api_reply *reply, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(reply->audit_object, sizeof(reply->audit_object), fmt, ap);
    va_end(ap);
}

const char *api_reply_outcome(const struct api_reply *reply)
{
    return !reply->json && !reply->text && reply->err.code ? reply->err.code : "ok";
}

void api_reply_to_response(struct api_reply *reply, struct http_response *resp)
{
    char retry[16];

    if (reply->json) {
        http_response_json_take(resp, reply->status, reply->json);
        reply->json = NULL;
        resp->secret = reply->secret;
    } else if (reply->text) {
        resp->status = reply->status;
        resp->content_type = reply->text_type;
        if (reply->text_gzip)
            http_response_header(resp, "Content-Encoding", "gzip");
        if (buf_append(&resp->body, reply->text, reply->text_len) < 0)
            http_response_errorf(resp, 500, APP_ERR_INTERNAL, "answer too large");
        free(reply->text);
        reply->text = NULL;
    } else {
        http_response_error(resp, &reply->err);
    }
    if (reply->retry_after_s > 0) {
        snprintf(retry, sizeof(retry), "%d", reply->retry_after_s);
        http_response_header(resp, "Retry-After", retry);
    }
    if (reply->location[0])
        http_response_header(resp, "Location", reply->location);
    if (reply->cookie[0]) {
        http_response_header(resp, "Set-Cookie", reply->cookie);
        OPENSSL_cleanse(reply->cookie, sizeof(reply->cookie));
    }
}
