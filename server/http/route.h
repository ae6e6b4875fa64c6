/* route: maps a request path to an endpoint and its parameters.
 *
 * Pure string logic (any thread), unit-tested. Paths under /api/ are API routes
 * (unknown ones are ROUTE_NONE → 404); everything else is the static UI. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

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
    ROUTE_EVENTS,            /* websocket */
    ROUTE_CONSOLE,           /* websocket: /api/domains/{uuid}/console */
    ROUTE_SERIAL,            /* websocket: /api/domains/{uuid}/serial */
    ROUTE_DOMAIN_ADDRESSES,  /* /api/domains/{uuid}/addresses */
    ROUTE_DOMAIN_DISKS,      /* /api/domains/{uuid}/disks */
    ROUTE_DOMAIN_DISK,       /* /api/domains/{uuid}/disks/{item=target} */
    ROUTE_DOMAIN_DISK_MEDIA, /* /api/domains/{uuid}/disks/{item=target}/media */
    ROUTE_DOMAIN_INTERFACES, /* /api/domains/{uuid}/interfaces */
    ROUTE_DOMAIN_INTERFACE,  /* /api/domains/{uuid}/interfaces/{item=mac} */
    ROUTE_NETWORKS,          /* /api/networks */
    ROUTE_NETWORK,           /* /api/networks/{name} */
    ROUTE_NETWORK_LEASES,    /* /api/networks/{name}/leases */
    ROUTE_NETWORK_ACTION,    /* /api/networks/{name}/{action} */
    ROUTE_POOLS,             /* /api/pools */
    ROUTE_POOL,              /* /api/pools/{name} */
    ROUTE_POOL_ACTION,       /* /api/pools/{name}/{action} */
    ROUTE_VOLUMES,           /* /api/pools/{name}/volumes */
    ROUTE_VOLUME,            /* /api/pools/{name}/volumes/{item} */
    ROUTE_VOLUME_ACTION,     /* /api/pools/{name}/volumes/{item}/{action} */
    ROUTE_VOLUME_CONTENT,    /* /api/pools/{name}/volumes/{item}/content (streamed) */
};

#define ROUTE_PARAM_MAX 128

struct route_match {
    enum route_id id;
    unsigned methods;             /* allowed methods (HTTP_* bits) */
    bool websocket;               /* endpoint is a websocket upgrade */
    bool public_route;            /* reachable without a session (login, static UI) */
    char uuid[ROUTE_PARAM_MAX];   /* {uuid}: a domain's UUID, unvalidated ("" if none) */
    char name[ROUTE_PARAM_MAX];   /* {name}: a network's or pool's name, unvalidated */
    char item[ROUTE_PARAM_MAX];   /* {item}: a volume name, disk target or interface MAC */
    char action[ROUTE_PARAM_MAX]; /* {action} segment ("" if none) */
};

/* Matches path (no query string). Returns 0 with out filled, or -1 (out->id =
 * ROUTE_NONE) for an unknown /api/ path or a segment longer than ROUTE_PARAM_MAX-1. */
int route_match(const char *path, struct route_match *out);

/* Finds name in a query string ("a=1&force=true", already percent-decoded). Copies its
 * value into out: returns 1 if present ("" for a bare "force"), 0 if absent, -1 if the
 * value does not fit. */
int route_query_get(const char *query, const char *name, char *out, size_t outlen);

/* True if method (one HTTP_* bit) is allowed on the match. */
bool route_allows(const struct route_match *match, enum http_method method);

/* Writes the Allow header value ("GET, HEAD") for a method mask into out. */
void route_allow_header(unsigned methods, char *out, size_t outlen);

/* True for methods that change state and so need CSRF protection. */
bool route_method_mutates(enum http_method method);

/* Name for logs ("GET"). */
const char *route_method_name(enum http_method method);
