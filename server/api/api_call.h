/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_call: what an API handler gets and gives back.
 *
 * A handler is named by its route's row (http/route_table.def) and sees one request
 * through struct api_call: the path's ids (validated as the row says), the query, the
 * parsed body (every member the row names is of the right type and within bounds), who
 * asked, and the few services a handler may use; on a worker, the libvirt connection.
 * It answers with struct api_reply: JSON and a status, or an error; never an HTTP
 * response. The dispatcher (api.c, api_job.c) does the rest: the role check, parsing,
 * the job, the audit record and the HTTP answer.
 *
 * A call belongs to one thread at a time: the service thread while it is checked, then
 * the worker that runs it, then the service thread again when it is answered (the work
 * pool's queues order the hand-overs). */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api_reply.h"
#include "auth_sessions.h"
#include "http/request.h"
#include "http/route.h"
#include "util/app_error.h"

struct auth_owners;
struct auth_approved;
struct auth_quota;
struct auth_throttle;
struct auth_pam;
struct auth_tokens;
struct api_runner;
struct metrics_latest;
struct metrics_daemon;
struct metrics_history;
struct alerts;

struct api_call {
    const struct route_row *row; /* borrowed: the static table */
    enum http_method method;
    uint64_t conn_id;
    char uuid[ROUTE_PARAM_MAX]; /* the path's parameters; a MAC {item} in lower case */
    char name[ROUTE_PARAM_MAX];
    char item[ROUTE_PARAM_MAX];
    char action[ROUTE_PARAM_MAX];
    char *query;              /* owned: decoded arguments joined by '&' ("" if none) */
    struct json_object *body; /* owned: the parsed body; NULL if the row reads none */
    bool hidden;      /* the caller may not see the domain {uuid}: the job answers, instead of
                       * the handler, what a lookup of a UUID no domain has answers (api_job.c) */
    bool has_session; /* false only for login */
    struct auth_session session; /* who asked (a copy) */
    char peer[64];               /* from where */
    bool prefer_async;           /* Prefer: respond-async: answer 202 with a job */
    bool accept_ndjson;          /* Accept: application/x-ndjson (the audit export) */
    void *state;                 /* owned: what the handler's check prepared for run (free()d) */
    size_t state_size;           /* > 0: state's bytes are wiped before it is freed (secrets) */
    /* what a handler may use besides its request (borrowed; set by the dispatcher) */
    sqlite3 *db;                    /* thread-safe handle */
    struct auth_sessions *sessions; /* thread-safe */
    struct auth_tokens *tokens;     /* thread-safe */
    struct auth_throttle *throttle; /* thread-safe */
    struct auth_owners *owners;     /* thread-safe: VM owners, shares, groups */
    struct auth_approved *approved; /* thread-safe: what users may create from */
    struct auth_quota *quota;       /* thread-safe: the quota reservations (auth_quota.h) */
    int session_max_s;              /* a session's absolute lifetime (cookie Max-Age) */
    struct auth_pam *pam;           /* login: system accounts (thread-safe); NULL: pam = off */
    bool totp_required_for_admins;  /* login: an admin without TOTP may only enrol it */
    virConnectPtr conn;             /* ROUTE_RUN_LIBVIRT rows, on the worker: borrowed */
    struct api_runner *jobs;        /* long work answered with 202 (thread-safe) */
    struct metrics_latest *metrics; /* the newest sample (thread-safe); may be NULL */
    /* the daemon's health figures (GET /metrics's check, service thread); may be NULL */
    void (*health)(void *ctx, struct metrics_daemon *out);
    void *health_ctx;                /* borrowed */
    struct metrics_history *history; /* the figures kept on disk (thread-safe) */
    struct alerts *alerts;           /* thread-safe: alert rules and alerts (alerts.h) */
};

/* A route's handler. check and refused run on the service thread and must not block;
 * run runs where the row says (route.h enum route_run). */
struct api_handler {
    /* Optional: what the row's checks cannot see (a whole XML builder, the login
     * throttle). Runs after them, last. Returns 0, or -1 with reply->err (and maybe
     * reply->retry_after_s) set. req is borrowed for the call only. */
    int (*check)(struct api_call *call, const struct http_request *req, struct api_reply *reply);
    /* The work: fills reply with JSON or an error. */
    void (*run)(struct api_call *call, struct api_reply *reply);
    /* Optional: the job could not be queued (reply holds the 503). */
    void (*refused)(struct api_call *call, struct api_reply *reply);
};

/* Fills call from req for row (ids copied, not yet validated; query copied; session
 * copied). The services and state stay NULL. */
void api_call_init(struct api_call *call, const struct route_row *row,
                   const struct http_request *req);
/* A zeroed state of size bytes for the handler's check to fill (call owns it; it is
 * wiped when call is cleared). */
void *api_call_state_new(struct api_call *call, size_t size);
/* Releases what call owns (body, query, state) and wipes its session copy. NULL-safe. */
void api_call_clear(struct api_call *call);

/* The caller as auth_policy sees it (the ownership index's view of a viewer). */
struct auth_subject api_call_subject(const struct api_call *call);

/* Body members, as the row's FIELDS let them through (absent: def / NULL). */
bool api_call_bool(const struct api_call *call, const char *key, bool def);
int64_t api_call_int64(const struct api_call *call, const char *key, int64_t def);
const char *api_call_string(const struct api_call *call, const char *key);

/* A query argument's value ("" for a bare "?name"), or NULL when absent. out holds it. */
const char *api_call_query(const struct api_call *call, const char *name, char *out, size_t outlen);
