/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* request: what the API dispatcher needs to know about one HTTP request.
 *
 * Filled by http_server on the service thread and passed (borrowed) to api_handle and
 * transfer_begin; the dispatcher copies what a handler needs into its struct api_call
 * (api/api_call.h), since the request dies with the call. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth_sessions.h"
#include "http/route.h"

struct http_request {
    uint64_t conn_id;
    enum http_method method;
    const char *path;  /* borrowed, decoded, no query */
    const char *query; /* borrowed, decoded arguments joined by '&' ("" if none); see
                        * route_query_get() */
    struct route_match route;
    const char *body; /* borrowed, NUL-terminated ("" if none) */
    size_t body_len;
    bool has_session;
    struct auth_session session; /* valid if has_session */
    const char *session_token;   /* borrowed cookie token, "" if none */
    const char *peer;            /* client address */
    bool accept_gzip;
    bool prefer_async;       /* the client sent Prefer: respond-async (RFC 7240) */
    bool accept_ndjson;      /* the client's Accept names application/x-ndjson */
    bool accept_openmetrics; /* the client's Accept names application/openmetrics-text */
    bool scrape;             /* Authorization: Bearer carried the scrape token (config
                              * metrics_token) on a ROUTE_ACCESS_SCRAPE row; no session */
    const char *user_agent;  /* borrowed: User-Agent of a login ("" otherwise) */
};
