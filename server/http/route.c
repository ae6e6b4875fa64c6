/* route: path → endpoint table (pure; any thread). */
#include "http/route.h"

#include <stdio.h>
#include <string.h>

/* Copies the next path segment of *p (up to '/' or end) into out. Returns its length,
 * or -1 if empty or too long. */
static int route_segment(const char **p, char *out)
{
    const char *s = *p;
    size_t n = strcspn(s, "/");

    if (n == 0 || n >= ROUTE_PARAM_MAX)
        return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    *p = s + n;
    return (int)n;
}

static void route_set(struct route_match *out, enum route_id id, unsigned methods)
{
    out->id = id;
    out->methods = methods;
}

int route_match(const char *path, struct route_match *out)
{
    const char *rest;

    memset(out, 0, sizeof(*out));
    if (strncmp(path, "/api/", 5) != 0 && strcmp(path, "/api") != 0) {
        route_set(out, ROUTE_STATIC, HTTP_GET | HTTP_HEAD);
        out->public_route = true;
        return 0;
    }
    rest = path + 4;
    if (!strcmp(rest, "/login")) {
        route_set(out, ROUTE_LOGIN, HTTP_POST);
        out->public_route = true;
    } else if (!strcmp(rest, "/logout")) {
        route_set(out, ROUTE_LOGOUT, HTTP_POST);
    } else if (!strcmp(rest, "/session")) {
        route_set(out, ROUTE_SESSION, HTTP_GET | HTTP_HEAD);
    } else if (!strcmp(rest, "/host")) {
        route_set(out, ROUTE_HOST, HTTP_GET | HTTP_HEAD);
    } else if (!strcmp(rest, "/events")) {
        route_set(out, ROUTE_EVENTS, HTTP_GET);
        out->websocket = true;
    } else if (!strcmp(rest, "/domains")) {
        route_set(out, ROUTE_DOMAINS, HTTP_GET | HTTP_HEAD);
    } else if (!strncmp(rest, "/domains/", 9)) {
        rest += 9;
        if (route_segment(&rest, out->uuid) < 0)
            goto unknown;
        if (*rest == '\0') {
            route_set(out, ROUTE_DOMAIN, HTTP_GET | HTTP_HEAD);
        } else {
            rest++;
            if (route_segment(&rest, out->action) < 0 || *rest != '\0')
                goto unknown;
            if (!strcmp(out->action, "console") || !strcmp(out->action, "serial")) {
                route_set(out, out->action[0] == 'c' ? ROUTE_CONSOLE : ROUTE_SERIAL, HTTP_GET);
                out->websocket = true;
            } else {
                route_set(out, ROUTE_DOMAIN_ACTION, HTTP_POST);
            }
        }
    } else {
        goto unknown;
    }
    return 0;

unknown:
    memset(out, 0, sizeof(*out));
    return -1;
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
