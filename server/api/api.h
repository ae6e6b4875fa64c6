/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api: the JSON API's dispatcher, called by http_server for every /api/ request that
 * passed routing, session, CSRF and Origin checks.
 *
 * DESIGN: the request's row of the route table (http/route_table.def) says everything
 * the dispatcher checks, in one place and in the row's order: the role against the
 * object (route_check_right), the ids in the path (route_check_object), then the input:
 * an {action} no row has, the query arguments, the body (parsed once, unknown members
 * and wrong types refused, bounds checked) and last the handler's own check. Then the
 * handler runs: at once (ROUTE_RUN_INLINE) or as a job on the work pool or the password
 * lane (api_job.c), which also writes the audit record and delivers the answer. A
 * handler sees a struct api_call and answers a struct api_reply (api_call.h); it never
 * checks a role and never sees the daemon's other parts or an HTTP response. Per-VM
 * ownership plugs into route_check_right (which asks auth_policy_allows with the object
 * the row names). What the dispatcher itself uses of the daemon is struct api_services,
 * filled once by serve.c: api/ includes nothing above the connection layer.
 *
 * Service thread. A request is answered at once (API_DONE, resp filled) or by a job
 * whose `done` delivers the response later (API_PENDING). */
#pragma once

#include <sqlite3.h>

#include "http/request.h"
#include "http/response.h"

struct api_call;
struct api_handler;
struct api_reply;
struct route_row;
struct auth_sessions;
struct auth_tokens;
struct auth_throttle;
struct auth_owners;
struct auth_approved;
struct auth_quota;
struct auth_pam;
struct conn_server;
struct virt_conn;
struct work_pool;
struct api_runner;
struct metrics_latest;
struct metrics_daemon;
struct metrics_history;
struct alerts;

/* The most body members one row may accept (test_api.c checks the table). */
#define API_BODY_KEYS_MAX 32

enum api_result { API_DONE, API_PENDING };

/* Everything of the daemon that the API uses: the first seven go to every handler
 * (struct api_call), the rest to the dispatcher's job side (api_job.c). serve.c fills it
 * once, before the first request, and it outlives every call and job; the parts keep
 * their own thread rules. It is the API endpoint's ctx (conn_server_options.api_ctx). */
struct api_services {
    sqlite3 *db;                     /* borrowed: thread-safe handle */
    struct auth_sessions *sessions;  /* borrowed: thread-safe */
    struct auth_tokens *tokens;      /* borrowed: thread-safe (API tokens) */
    struct auth_throttle *throttle;  /* borrowed: thread-safe */
    struct auth_owners *owners;      /* borrowed: thread-safe (VM owners, shares, groups) */
    struct auth_approved *approved;  /* borrowed: thread-safe (the self-service set) */
    struct auth_quota *quota;        /* borrowed: thread-safe (quota reservations) */
    int session_max_s;               /* a session's absolute lifetime (cookie Max-Age) */
    struct auth_pam *pam;            /* borrowed: system accounts (login); NULL: pam = off */
    bool totp_required_for_admins;   /* login: an admin without TOTP may only enrol it */
    struct virt_conn *virt;          /* borrowed: ROUTE_RUN_LIBVIRT rows' connection */
    struct work_pool *pool;          /* borrowed: the jobs of every other row */
    struct work_pool *password_lane; /* borrowed: ROUTE_RUN_PASSWORD rows' jobs */
    struct conn_server *conns;       /* borrowed: a job's answer reaches its connection */
    struct api_runner *jobs;         /* borrowed: long work answered with 202 (thread-safe) */
    struct metrics_latest *metrics;  /* borrowed: the newest sample (thread-safe); may be NULL */
    /* GET /metrics: fills the daemon's health figures now (service thread); may be NULL */
    void (*health)(void *ctx, struct metrics_daemon *out);
    void *health_ctx;                /* borrowed */
    struct metrics_history *history; /* borrowed: the metrics history (thread-safe) */
    struct alerts *alerts;           /* borrowed: alert rules and alerts (thread-safe) */
};

/* Dispatches req (body complete) with services: fills resp and returns API_DONE, or
 * returns API_PENDING when a job answers the connection later. Service thread. */
enum api_result api_handle(const struct api_services *services, const struct http_request *req,
                           struct http_response *resp);

/* The handler the table names for row (NULL for rows http_server serves itself, and
 * for rows that only refuse). Exported for tests (test_api.c). */
const struct api_handler *api_handler_for(const struct route_row *row);

/* The checks of call's row for req, in the row's order: right, object, input (the
 * body is parsed into call->body; the handler's check runs last). Returns 0 when the
 * handler may run, or -1 with the refusal in reply. Service thread. Exported for
 * tests (tests/unit/test_api.c); api_handle is its only caller in the daemon. */
int api_prepare(struct api_call *call, const struct http_request *req, struct api_reply *reply)
    __attribute__((warn_unused_result));
