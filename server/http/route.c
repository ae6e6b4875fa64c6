/* route: path → endpoint table (pure; any thread).
 *
 * The table below is the whole API surface. A pattern is a list of segments; a
 * segment is either a literal or a capture ({uuid}, {name}, {item}, {action}) that
 * takes one non-empty path segment of at most ROUTE_PARAM_MAX-1 bytes. The first
 * pattern that matches wins, so specific patterns come before generic ones. */
#include "http/route.h"

#include <stdio.h>
#include <string.h>

#define ROUTE_SEGMENTS_MAX 6

struct route_entry {
    const char *pattern; /* relative to /api, e.g. "/pools/{name}/volumes/{item}" */
    enum route_id id;
    unsigned methods;
    bool websocket;
    bool public_route;
};

#define GET_HEAD (HTTP_GET | HTTP_HEAD)

static const struct route_entry route_table[] = {
    {"/login", ROUTE_LOGIN, HTTP_POST, false, true},
    {"/logout", ROUTE_LOGOUT, HTTP_POST, false, false},
    {"/session", ROUTE_SESSION, GET_HEAD, false, false},
    {"/host", ROUTE_HOST, GET_HEAD, false, false},
    {"/events", ROUTE_EVENTS, HTTP_GET, true, false},
    {"/domains", ROUTE_DOMAINS, GET_HEAD, false, false},
    {"/domains/{uuid}", ROUTE_DOMAIN, GET_HEAD, false, false},
    {"/domains/{uuid}/{action=console}", ROUTE_CONSOLE, HTTP_GET, true, false},
    {"/domains/{uuid}/{action=serial}", ROUTE_SERIAL, HTTP_GET, true, false},
    {"/domains/{uuid}/addresses", ROUTE_DOMAIN_ADDRESSES, GET_HEAD, false, false},
    {"/domains/{uuid}/disks", ROUTE_DOMAIN_DISKS, HTTP_POST, false, false},
    {"/domains/{uuid}/disks/{item}", ROUTE_DOMAIN_DISK, HTTP_PATCH | HTTP_DELETE, false, false},
    {"/domains/{uuid}/disks/{item}/media", ROUTE_DOMAIN_DISK_MEDIA, HTTP_PUT | HTTP_DELETE, false,
     false},
    {"/domains/{uuid}/interfaces", ROUTE_DOMAIN_INTERFACES, HTTP_POST, false, false},
    {"/domains/{uuid}/interfaces/{item}", ROUTE_DOMAIN_INTERFACE, HTTP_PATCH | HTTP_DELETE, false,
     false},
    {"/domains/{uuid}/{action}", ROUTE_DOMAIN_ACTION, HTTP_POST, false, false},
    {"/networks", ROUTE_NETWORKS, GET_HEAD | HTTP_POST, false, false},
    {"/networks/{name}", ROUTE_NETWORK, GET_HEAD | HTTP_DELETE, false, false},
    {"/networks/{name}/leases", ROUTE_NETWORK_LEASES, GET_HEAD, false, false},
    {"/networks/{name}/{action}", ROUTE_NETWORK_ACTION, HTTP_POST, false, false},
    {"/pools", ROUTE_POOLS, GET_HEAD | HTTP_POST, false, false},
    {"/pools/{name}", ROUTE_POOL, GET_HEAD | HTTP_DELETE, false, false},
    {"/pools/{name}/volumes", ROUTE_VOLUMES, GET_HEAD | HTTP_POST, false, false},
    {"/pools/{name}/volumes/{item}", ROUTE_VOLUME, GET_HEAD | HTTP_DELETE, false, false},
    {"/pools/{name}/volumes/{item}/content", ROUTE_VOLUME_CONTENT, GET_HEAD | HTTP_PUT, false,
     false},
    {"/pools/{name}/volumes/{item}/{action}", ROUTE_VOLUME_ACTION, HTTP_POST, false, false},
    {"/pools/{name}/{action}", ROUTE_POOL_ACTION, HTTP_POST, false, false},
};

/* Where a capture named in a pattern segment ("{uuid}", "{action=console}") goes. */
static char *route_capture_slot(struct route_match *out, const char *seg, size_t seglen)
{
    if (seglen >= 6 && !strncmp(seg, "{uuid}", 6))
        return out->uuid;
    if (seglen >= 6 && !strncmp(seg, "{name}", 6))
        return out->name;
    if (seglen >= 6 && !strncmp(seg, "{item}", 6))
        return out->item;
    if (seglen >= 7 && !strncmp(seg, "{action", 7))
        return out->action;
    return NULL;
}

/* Matches path (relative to /api) against one pattern, filling captures into out. */
static bool route_try(const char *pattern, const char *path, struct route_match *out)
{
    const char *p = pattern, *s = path;

    while (*p) {
        size_t plen, slen;
        char *slot;

        if (*p != '/' || *s != '/')
            return false;
        p++;
        s++;
        plen = strcspn(p, "/");
        slen = strcspn(s, "/");
        if (slen == 0)
            return false;
        if (*p == '{') {
            const char *fixed = memchr(p, '=', plen);
            if (!(slot = route_capture_slot(out, p, plen)) || slen >= ROUTE_PARAM_MAX)
                return false;
            /* "{action=console}" captures only that literal value */
            if (fixed &&
                (slen != plen - (size_t)(fixed + 1 - p) - 1 || strncmp(s, fixed + 1, slen) != 0))
                return false;
            memcpy(slot, s, slen);
            slot[slen] = '\0';
        } else if (plen != slen || strncmp(p, s, slen) != 0) {
            return false;
        }
        p += plen;
        s += slen;
    }
    return *s == '\0';
}

int route_match(const char *path, struct route_match *out)
{
    memset(out, 0, sizeof(*out));
    if (strncmp(path, "/api/", 5) != 0 && strcmp(path, "/api") != 0) {
        out->id = ROUTE_STATIC;
        out->methods = GET_HEAD;
        out->public_route = true;
        return 0;
    }
    for (size_t i = 0; i < sizeof(route_table) / sizeof(route_table[0]); i++) {
        const struct route_entry *e = &route_table[i];

        memset(out, 0, sizeof(*out));
        if (!route_try(e->pattern, path + 4, out))
            continue;
        out->id = e->id;
        out->methods = e->methods;
        out->websocket = e->websocket;
        out->public_route = e->public_route;
        return 0;
    }
    memset(out, 0, sizeof(*out));
    return -1;
}

int route_query_get(const char *query, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    const char *p = query;

    if (outlen == 0)
        return -1;
    out[0] = '\0';
    while (p && *p) {
        size_t len = strcspn(p, "&");
        if (len > nlen && !strncmp(p, name, nlen) && p[nlen] == '=') {
            size_t vlen = len - nlen - 1;
            if (vlen >= outlen)
                return -1;
            memcpy(out, p + nlen + 1, vlen);
            out[vlen] = '\0';
            return 1;
        }
        if (len == nlen && !strncmp(p, name, nlen))
            return 1; /* "?force": present, empty value */
        p += len;
        if (*p == '&')
            p++;
    }
    return 0;
}

bool route_allows(const struct route_match *match, enum http_method method)
{
    return (match->methods & (unsigned)method) != 0;
}

static const struct {
    enum http_method method;
    const char *name;
} route_methods[] = {
    {HTTP_GET, "GET"},     {HTTP_HEAD, "HEAD"},     {HTTP_POST, "POST"},       {HTTP_PUT, "PUT"},
    {HTTP_PATCH, "PATCH"}, {HTTP_DELETE, "DELETE"}, {HTTP_OPTIONS, "OPTIONS"},
};

void route_allow_header(unsigned methods, char *out, size_t outlen)
{
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < sizeof(route_methods) / sizeof(route_methods[0]); i++) {
        if (!(methods & (unsigned)route_methods[i].method))
            continue;
        int n =
            snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", route_methods[i].name);
        if (n < 0 || (size_t)n >= outlen - used)
            break;
        used += (size_t)n;
    }
}

bool route_method_mutates(enum http_method method)
{
    return method == HTTP_POST || method == HTTP_PUT || method == HTTP_PATCH ||
           method == HTTP_DELETE;
}

const char *route_method_name(enum http_method method)
{
    for (size_t i = 0; i < sizeof(route_methods) / sizeof(route_methods[0]); i++)
        if (route_methods[i].method == method)
            return route_methods[i].name;
    return "OTHER";
}
