/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* route: the route table (route_table.def) and matching a request against it.
 *
 * Every endpoint the daemon serves is a row of the table, one row per operation (a path
 * pattern and the methods that do the same thing): the JSON API, the websockets, the
 * volume content stream and the static UI. A row says who may use it (the auth_policy
 * right and the object it is checked against, named by a path parameter), what input it
 * accepts (query arguments, body keys with their JSON types and bounds), where its
 * handler runs and what it writes to the audit log. The API dispatcher (api/api.c)
 * checks all of that in one place; the websocket gate and the volume transfer check the
 * rights through route_authorize().
 *
 * Pure logic over a constant table (any thread), unit-tested and fuzzed. Paths under
 * /api/ are API routes (unknown ones are ROUTE_NONE → 404); everything else is the
 * static UI, except the few rows with .outside_api (GET /metrics). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "auth_policy.h"
#include "util/app_error.h"

enum http_method {
    HTTP_GET = 1u << 0,
    HTTP_HEAD = 1u << 1,
    HTTP_POST = 1u << 2,
    HTTP_PUT = 1u << 3,
    HTTP_PATCH = 1u << 4,
    HTTP_DELETE = 1u << 5,
    HTTP_OPTIONS = 1u << 6,
    HTTP_OTHER = 1u << 7,
};

/* A path, whatever the method: the rows for GET and DELETE of one pattern share it. */
enum route_id {
    ROUTE_NONE = 0,
    ROUTE_STATIC,
    ROUTE_LOGIN,
    ROUTE_LOGOUT,
    ROUTE_SESSION,
    ROUTE_HOST,
    ROUTE_DOMAINS,
    ROUTE_DOMAIN,
    ROUTE_DOMAIN_ACTION,
    ROUTE_DOMAIN_METADATA,        /* /api/domains/{uuid}/metadata */
    ROUTE_DOMAIN_TEMPLATE,        /* /api/domains/{uuid}/template */
    ROUTE_DOMAIN_XML,             /* /api/domains/{uuid}/xml (admins) */
    ROUTE_EVENTS,                 /* websocket */
    ROUTE_CONSOLE,                /* websocket: /api/domains/{uuid}/console */
    ROUTE_SERIAL,                 /* websocket: /api/domains/{uuid}/serial */
    ROUTE_DOMAIN_ADDRESSES,       /* /api/domains/{uuid}/addresses */
    ROUTE_DOMAIN_VOLUMES,         /* /api/domains/{uuid}/volumes */
    ROUTE_DOMAIN_CLONE,           /* /api/domains/{uuid}/clone */
    ROUTE_DOMAIN_DISKS,           /* /api/domains/{uuid}/disks */
    ROUTE_DOMAIN_DISK,            /* /api/domains/{uuid}/disks/{item=target} */
    ROUTE_DOMAIN_DISK_MEDIA,      /* /api/domains/{uuid}/disks/{item=target}/media */
    ROUTE_DOMAIN_INTERFACES,      /* /api/domains/{uuid}/interfaces */
    ROUTE_DOMAIN_INTERFACE,       /* /api/domains/{uuid}/interfaces/{item=mac} */
    ROUTE_DOMAIN_SNAPSHOTS,       /* /api/domains/{uuid}/snapshots */
    ROUTE_DOMAIN_SNAPSHOT,        /* /api/domains/{uuid}/snapshots/{item=name} */
    ROUTE_DOMAIN_SNAPSHOT_ACTION, /* /api/domains/{uuid}/snapshots/{item=name}/{action} */
    ROUTE_NETWORKS,               /* /api/networks */
    ROUTE_NETWORK,                /* /api/networks/{name} */
    ROUTE_NETWORK_LEASES,         /* /api/networks/{name}/leases */
    ROUTE_NETWORK_ACTION,         /* /api/networks/{name}/{action} */
    ROUTE_POOLS,                  /* /api/pools */
    ROUTE_POOL,                   /* /api/pools/{name} */
    ROUTE_POOL_ACTION,            /* /api/pools/{name}/{action} */
    ROUTE_VOLUMES,                /* /api/pools/{name}/volumes */
    ROUTE_VOLUME,                 /* /api/pools/{name}/volumes/{item} */
    ROUTE_VOLUME_ACTION,          /* /api/pools/{name}/volumes/{item}/{action} */
    ROUTE_VOLUME_CONTENT,         /* /api/pools/{name}/volumes/{item}/content (streamed) */
    ROUTE_OS,                     /* /api/os (the osinfo database) */
    ROUTE_HOST_CAPABILITIES,      /* /api/host/capabilities */
    ROUTE_JOBS,                   /* /api/jobs */
    ROUTE_JOB,                    /* /api/jobs/{name}: a job's id */
    ROUTE_TOKENS,                 /* /api/tokens */
    ROUTE_TOKEN,                  /* /api/tokens/{name}: a token's id */
    ROUTE_AUDIT,                  /* /api/audit (the audit log) */
    ROUTE_DOMAIN_OWNER,           /* /api/domains/{uuid}/owner */
    ROUTE_DOMAIN_SHARES,          /* /api/domains/{uuid}/shares */
    ROUTE_OWNERS,                 /* /api/owners (many domains' owner at once) */
    ROUTE_GROUPS,                 /* /api/groups */
    ROUTE_GROUP,                  /* /api/groups/{name} */
    ROUTE_USERS,                  /* /api/users */
    ROUTE_USER,                   /* /api/users/{name}: a user's name */
    ROUTE_SELF_SERVICE,           /* /api/self-service (what users may create from) */
    ROUTE_ACCOUNT,                /* /api/account (the caller's own) */
    ROUTE_ACCOUNT_PASSWORD,       /* /api/account/password */
    ROUTE_ACCOUNT_TOTP,           /* /api/account/totp */
    ROUTE_ACCOUNT_TOTP_CONFIRM,   /* /api/account/totp/confirm */
    ROUTE_ACCOUNT_SESSIONS,       /* /api/account/sessions */
    ROUTE_ACCOUNT_SESSION,        /* /api/account/sessions/{name}: a session's id */
    ROUTE_ACCOUNT_LOGOUT_ALL,     /* /api/account/logout-all */
    ROUTE_QUOTA,                  /* /api/quota (the caller's use and limits) */
    ROUTE_USER_QUOTA,             /* /api/users/{name}/quota */
    ROUTE_GROUP_QUOTA,            /* /api/groups/{name}/quota */
    ROUTE_METRICS,                /* /metrics (Prometheus; outside /api) */
    ROUTE_DOMAIN_METRICS,         /* /api/domains/{uuid}/metrics (history) */
    ROUTE_HOST_METRICS,           /* /api/host/metrics (history) */
    ROUTE_ALERT_RULES,            /* /api/alerts/rules */
    ROUTE_ALERT_RULE,             /* /api/alerts/rules/{name}: a rule's id */
    ROUTE_ALERTS,                 /* /api/alerts (firing and recent) */
};

/* One name per row of route_table.def, in table order: ROUTE_ROW_LOGIN, ... */
enum route_row_id {
#define ROUTE_ROW(name, handler, ...) ROUTE_ROW_##name,
#include "http/route_table.def"
#undef ROUTE_ROW
    ROUTE_ROW_COUNT
};

/* Who may use a row. The zero value refuses everyone, so a row that forgets to say is
 * closed, not open. */
enum route_access {
    ROUTE_ACCESS_UNSET = 0,
    ROUTE_ACCESS_PUBLIC,  /* no session needed (login, the UI's files) */
    ROUTE_ACCESS_SESSION, /* any logged-in user (jobs, tokens) but one that must enrol TOTP */
    ROUTE_ACCESS_RIGHT,   /* a session whose role has .right on the row's object */
    ROUTE_ACCESS_ANY,     /* any logged-in user, even one that must enrol TOTP (logout) */
    ROUTE_ACCESS_ACCOUNT, /* a login session (not an API token) on its own account */
    ROUTE_ACCESS_SCRAPE,  /* a session (cookie or API token), or the scrape token
                           * (config metrics_token: http_request.scrape); the handler shows
                           * what the subject may see */
};

/* What the right is checked against. A volume's right is its pool's (auth_policy has
 * no volume kind); its name is validated too. */
enum route_object {
    ROUTE_OBJECT_NONE = 0, /* nothing (the host): auth_policy gets no object */
    ROUTE_OBJECT_DOMAIN,
    ROUTE_OBJECT_NETWORK,
    ROUTE_OBJECT_POOL,
    ROUTE_OBJECT_VOLUME,
};

/* Which path parameter names the object. */
enum route_param {
    ROUTE_PARAM_NONE = 0, /* any object of the kind (lists, creates) */
    ROUTE_PARAM_UUID,     /* {uuid}: a domain */
    ROUTE_PARAM_NAME,     /* {name}: a network or pool */
    ROUTE_PARAM_ITEM,     /* {item} in pool {name}: a volume */
};

/* A device route's {item}, checked right after the object. */
enum route_item {
    ROUTE_ITEM_NONE = 0,
    ROUTE_ITEM_DISK,     /* a disk target: 3 to 6 lower-case letters */
    ROUTE_ITEM_MAC,      /* a unicast MAC address (the call gets it in lower case) */
    ROUTE_ITEM_SNAPSHOT, /* a snapshot name: utf8_name's FILE rule */
};

/* The order of the checks: the right, the object (ids in the path), the input (the
 * {action}, query, body and the handler's own check). The rule is the first one; the
 * others are the orders some routes have always answered in, kept so that a request
 * with two faults gets the same answer as before. */
enum route_order {
    ROUTE_ORDER_RIGHT_OBJECT_INPUT = 0,
    ROUTE_ORDER_OBJECT_RIGHT_INPUT, /* consoles: a malformed UUID is 400 for everyone */
    ROUTE_ORDER_INPUT_RIGHT_OBJECT, /* domain actions: the action and body come first */
    ROUTE_ORDER_RIGHT_INPUT_OBJECT, /* network changes: the name comes last */
};

/* Where the API handler runs (api/api_job.c). */
enum route_run {
    ROUTE_RUN_LIBVIRT = 0, /* on a worker, with a libvirt connection (503 without one) */
    ROUTE_RUN_WORKER,      /* on a worker, no libvirt */
    ROUTE_RUN_PASSWORD,    /* on the password lane (login: yescrypt, its own thread) */
    ROUTE_RUN_INLINE,      /* on the service thread, at once (no blocking call) */
};

/* How a row reads the request body. */
enum route_body {
    ROUTE_BODY_IGNORED = 0, /* never read */
    ROUTE_BODY_REFUSED,     /* must be empty: "<METHOD> takes no request body" */
    ROUTE_BODY_OBJECT,      /* a JSON object (an empty body is 400) */
    ROUTE_BODY_OPTIONAL,    /* a JSON object, or nothing (read as {}) */
};

enum route_json {
    ROUTE_JSON_STRING = 1,
    ROUTE_JSON_BOOL,
    ROUTE_JSON_INT,
};

/* A body member the dispatcher checks (members the handler's builder checks are
 * .keys). Messages quote printf's forms "%s" and "%.Ns" (see route_format). */
struct route_field {
    const char *key;
    enum route_json type;
    bool required;
    long long min, max;           /* INT: bounds; STRING: max bytes (0: none) */
    bool (*valid)(const char *s); /* STRING: the value's rule, or NULL */
    /* STRING: the value's rule with a reason: NULL when s is fine, else why not (a static
     * phrase that follows the message .invalid, after ": "), or NULL */
    const char *(*explain)(const char *s);
    const char *invalid; /* STRING: when valid() or explain() refuses ("%s": the value) */
    bool multiline;      /* STRING: may hold line breaks and tabs (api_json_parse_body) */
    const char *wrong;   /* every failure of this member, instead of the type's */
};

/* A query argument the dispatcher checks: absent, or one of values. */
struct route_query_arg {
    const char *name;
    const char *const *values; /* NULL-terminated; "" allows a bare "?name" */
    const char *invalid;       /* message for anything else */
};

struct route_row {
    enum route_row_id row; /* its own name: the index in the table */
    const char *name;      /* "DOMAIN_START" (tests, logs) */
    enum route_id route;   /* the path it serves */
    const char *pattern;   /* relative to /api, e.g. "/pools/{name}/volumes/{item}"; NULL
                            * for the static UI (every path outside /api/ but the rows
                            * with .outside_api) */
    bool outside_api;      /* pattern is a whole path outside /api ("/metrics"), matched
                            * exactly, before the static UI */
    unsigned methods;      /* HTTP_* bits */
    bool websocket;        /* an upgrade, handed to its endpoint by http_server */
    bool stream;           /* the volume content stream (transfer/), past the body limit */
    enum route_access access;
    enum auth_action right;   /* ROUTE_ACCESS_RIGHT: what the role must allow */
    enum route_object object; /* what the right is checked against */
    enum route_param param;   /* which path parameter names it */
    enum route_item item;
    enum route_order order;
    const char *deny;    /* 403 message; "%s" is the role's name */
    const char *invalid; /* 400 for a malformed id; NULL: the object kind's message */
    const char *unknown; /* set: an {action} no other row has, 400 ("%.32s": it) */
    const struct route_query_arg *query; /* {NULL}-terminated, or NULL */
    enum route_body body;
    const char *const *keys; /* accepted members the handler checks; NULL-terminated */
    bool any_keys; /* every member reaches the handler, which refuses an unknown one itself
                    * (400 naming it; .keys unused, .fields still checked here) */
    const struct route_field *fields; /* accepted members checked here; {NULL}-terminated */
    /* nested members (dotted paths: "source.cloud_init.user_data") whose strings may hold
     * line breaks and tabs, like a .multiline field's; NULL-terminated, or NULL */
    const char *const *multiline;
    enum route_run run;
    const char *audit; /* the audit log's action for a change (NULL: none) */
};

/* A path segment's bytes + 1: a volume name may have UTF8_NAME_FILE_MAX (255) bytes. */
#define ROUTE_PARAM_MAX 256
/* The longest password a login accepts (bytes). */
#define ROUTE_PASSWORD_MAX 1024

struct route_match {
    enum route_id id;
    unsigned methods;             /* allowed methods (HTTP_* bits): every row of the path */
    bool websocket;               /* endpoint is a websocket upgrade */
    bool public_route;            /* reachable without a session (login, static UI) */
    bool scrape;                  /* the scrape token opens it too (ROUTE_ACCESS_SCRAPE) */
    char uuid[ROUTE_PARAM_MAX];   /* {uuid}: a domain's UUID, unvalidated ("" if none) */
    char name[ROUTE_PARAM_MAX];   /* {name}: a network's or pool's name, unvalidated */
    char item[ROUTE_PARAM_MAX];   /* {item}: a volume name, disk target or interface MAC */
    char action[ROUTE_PARAM_MAX]; /* {action} segment ("" if none) */
    const struct route_row *rows; /* borrowed (the static table): the path's rows */
    size_t nrows;
    /* set by the caller of route_check_right/route_authorize when they said so: the
     * subject may not see the domain {uuid} (or the network, pool or volume of an API
     * row), so every lookup of it must answer exactly as for one that does not exist
     * (virt_domain_find; api_job.c for the others) */
    bool hidden;
};

/* Matches path (no query string). Returns 0 with out filled, or -1 (out->id =
 * ROUTE_NONE) for an unknown /api/ path or a segment longer than ROUTE_PARAM_MAX-1. */
int route_match(const char *path, struct route_match *out);

/* The row of a match for method (HEAD is served by the GET row), or NULL when the path
 * does not allow it (405). */
const struct route_row *route_row_for(const struct route_match *match, enum http_method method);

/* The row named id (any id below ROUTE_ROW_COUNT), or NULL. Exported for tests
 * (test_route.c, test_api.c, fuzz_route.c). */
const struct route_row *route_row_get(enum route_row_id id);

/* The whole check of a websocket or stream row for subject (NULL: no session): the
 * object's ids and the right, in the row's order; level is what the subject holds on
 * the path's object (a domain: auth_owners_level; a network, pool or volume:
 * auth_approved_level). Returns 0 (with
 * *hidden as route_check_right says), or -1 with err (400 bad_request, 403 forbidden,
 * 405 when match has no row for method). The one call the websocket gate and the
 * volume transfer make. */
int route_authorize(const struct route_match *match, enum http_method method,
                    const struct auth_subject *subject, enum auth_level level, bool *hidden,
                    struct app_error *err) __attribute__((warn_unused_result));

/* The right alone: ROUTE_ACCESS_RIGHT rows ask auth_policy for subject on the object the
 * row names (kind and id from the path; the level is the caller's: a domain's from the
 * ownership index, a network's, pool's or volume's from the self-service set). The one
 * place a role meets an object. An object the subject may not even see (a domain, or a
 * network, pool or volume a `user` has not been given) is not refused here when the role
 * has the right: the call returns 0 with *hidden set, and the caller lets the request
 * take the very path of an object that does not exist (its lookup says 404), so the two
 * cannot be told apart; a refusal the role
 * alone decides is the same for every id. Returns 0, or -1 with err (403 with the row's
 * message; 401 for a session row without subject). */
int route_check_right(const struct route_row *row, const struct route_match *match,
                      const struct auth_subject *subject, enum auth_level level, bool *hidden,
                      struct app_error *err) __attribute__((warn_unused_result));

/* The path's ids the row names (the object's, then a device's {item}) are well formed.
 * Returns 0, or -1 with err (400). */
int route_check_object(const struct route_row *row, const struct route_match *match,
                       struct app_error *err) __attribute__((warn_unused_result));

/* For rows with .unknown: the 400 naming match's {action}. Returns -1 with err then,
 * else 0. */
int route_check_action(const struct route_row *row, const struct route_match *match,
                       struct app_error *err) __attribute__((warn_unused_result));

/* The query arguments the row names are absent or allowed (query as in
 * route_query_get). Returns 0, or -1 with err (400). */
int route_check_query(const struct route_row *row, const char *query, struct app_error *err)
    __attribute__((warn_unused_result));

/* Formats a table message: "%s" and "%.Ns" take arg (NULL: ""), "%%" is '%', anything
 * else is copied. arg is cut only between whole UTF-8 characters (N is a bound in bytes)
 * and ends before any byte that is not UTF-8. Always NUL-terminates out (outlen > 0). */
void route_format(char *out, size_t outlen, const char *text, const char *arg);

/* Finds name in a query string ("a=1&force=true", already percent-decoded). Copies its
 * value into out: returns 1 if present ("" for a bare "force"), 0 if absent, -1 if the
 * value does not fit. */
int route_query_get(const char *query, const char *name, char *out, size_t outlen);

/* True if method (one HTTP_* bit) is allowed on the match. */
bool route_allows(const struct route_match *match, enum http_method method);

/* The label of row for the request counters (GET /metrics): its whole path pattern
 * ("/api/domains/{uuid}", "/metrics"; "static" for the UI's files) and its first
 * method's name. */
void route_row_label(const struct route_row *row, char *out, size_t outlen, const char **method);

/* Writes the Allow header value ("GET, HEAD") for a method mask into out. */
void route_allow_header(unsigned methods, char *out, size_t outlen);

/* True for methods that change state and so need CSRF protection. */
bool route_method_mutates(enum http_method method);

/* Name for logs ("GET"). */
const char *route_method_name(enum http_method method);
