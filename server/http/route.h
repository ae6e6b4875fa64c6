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
    ROUTE_EVENTS,  /* websocket */
    ROUTE_CONSOLE, /* websocket: /api/domains/{uuid}/console */
    ROUTE_SERIAL,  /* websocket: /api/domains/{uuid}/serial */
};

#define ROUTE_PARAM_MAX 64

struct route_match {
    enum route_id id;
    unsigned methods;             /* allowed methods (HTTP_* bits) */
    bool websocket;               /* endpoint is a websocket upgrade */
    bool public_route;            /* reachable without a session (login, static UI) */
    char uuid[ROUTE_PARAM_MAX];   /* {uuid} segment, unvalidated ("" if none) */
    char action[ROUTE_PARAM_MAX]; /* {action} segment ("" if none) */
};

/* Matches path (no query string). Returns 0 with out filled, or -1 (out->id =
 * ROUTE_NONE) for an unknown /api/ path or a segment longer than ROUTE_PARAM_MAX-1. */
int route_match(const char *path, struct route_match *out);

/* True if method (one HTTP_* bit) is allowed on the match. */
bool route_allows(const struct route_match *match, enum http_method method);

/* Writes the Allow header value ("GET, HEAD") for a method mask into out. */
void route_allow_header(unsigned methods, char *out, size_t outlen);

/* True for methods that change state and so need CSRF protection. */
bool route_method_mutates(enum http_method method);

/* Name for logs ("GET"). */
const char *route_method_name(enum http_method method);
