/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* route: the route table, matching and the checks that read only the table and the
 * path (pure; any thread).
 *
 * The rows come from route_table.def. A pattern is a list of segments; a segment is a
 * literal or a capture ({uuid}, {name}, {item}, {action}, or {action=value} for one
 * literal value) that takes one non-empty path segment of at most ROUTE_PARAM_MAX-1
 * bytes. The first pattern that matches wins; the match then covers every adjacent row
 * with the same pattern (one per method). Invariant (test_route.c): rows of one pattern
 * are adjacent, allow disjoint methods and agree on websocket and access. */
#include "http/route.h"

#include <stdio.h>
#include <string.h>

#include "auth_tokens.h"
#include "auth_users.h"
#include "virt/virt_device_xml.h"
#include "virt/virt_domain.h"
#include "virt/virt_network_xml.h"
#include "virt/virt_pool_xml.h"
#include "util/utf8_name.h"
#include "virt/virt_create_xml.h"
#include "virt/virt_define_xml.h"
#include "virt/virt_volume_xml.h"

/* ---- the rules the table's body members name ---------------------------------------- */

static bool route_pool_name_valid(const char *s)
{
    return virt_pool_xml_name_valid(s) != 0;
}

/* NULL for a valid value, else why it is not (util/utf8_name.h): the table's .explain. */
static const char *route_volume_name_fault(const char *s)
{
    return utf8_name_explain(s, UTF8_NAME_FILE);
}

static const char *route_title_fault(const char *s)
{
    return utf8_name_explain(s, UTF8_NAME_TITLE);
}

static const char *route_description_fault(const char *s)
{
    return utf8_name_explain(s, UTF8_NAME_DESCRIPTION);
}

static bool route_is_zero(const char *s)
{
    return strcmp(s, "zero") == 0;
}

/* ---- the table ------------------------------------------------------------------------ */

static const struct route_row route_rows[ROUTE_ROW_COUNT] = {
#define ROUTE_ROW(n, handler, ...)                                                                 \
    [ROUTE_ROW_##n] = {.row = ROUTE_ROW_##n, .name = #n, __VA_ARGS__},
#include "http/route_table.def"
#undef ROUTE_ROW
};

const struct route_row *route_row_get(enum route_row_id id)
{
    return (unsigned)id < ROUTE_ROW_COUNT ? &route_rows[id] : NULL;
}

/* ---- matching ------------------------------------------------------------------------- */

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

static bool route_same_pattern(const struct route_row *a, const struct route_row *b)
{
    return a->pattern && b->pattern && strcmp(a->pattern, b->pattern) == 0;
}

/* Fills out's path-level fields from the rows [first, first + n). */
static void route_fill(struct route_match *out, const struct route_row *first, size_t n)
{
    out->id = first->route;
    out->rows = first;
    out->nrows = n;
    out->websocket = first->websocket;
    out->public_route = first->access == ROUTE_ACCESS_PUBLIC;
    out->scrape = first->access == ROUTE_ACCESS_SCRAPE;
    for (size_t i = 0; i < n; i++)
        out->methods |= first[i].methods;
}

int route_match(const char *path, struct route_match *out)
{
    memset(out, 0, sizeof(*out));
    if (strncmp(path, "/api/", 5) != 0 && strcmp(path, "/api") != 0) {
        size_t i = 0;

        while (i < ROUTE_ROW_COUNT &&
               !(route_rows[i].outside_api && !strcmp(route_rows[i].pattern, path)))
            i++;
        if (i == ROUTE_ROW_COUNT) {
            route_fill(out, &route_rows[ROUTE_ROW_STATIC], 1);
            return 0;
        }
        route_fill(out, &route_rows[i], 1);
        return 0;
    }
    for (size_t i = 0; i < ROUTE_ROW_COUNT; i++) {
        const struct route_row *row = &route_rows[i];
        size_t n = 1;

        if (!row->pattern || row->outside_api ||
            (i > 0 && route_same_pattern(&route_rows[i - 1], row)))
            continue; /* the static UI, /metrics, or a pattern already tried */
        memset(out, 0, sizeof(*out));
        if (!route_try(row->pattern, path + 4, out))
            continue;
        while (i + n < ROUTE_ROW_COUNT && route_same_pattern(row, &route_rows[i + n]))
            n++;
        route_fill(out, row, n);
        return 0;
    }
    memset(out, 0, sizeof(*out));
    return -1;
}

const struct route_row *route_row_for(const struct route_match *match, enum http_method method)
{
    for (size_t i = 0; match->rows && i < match->nrows; i++)
        if (match->rows[i].methods & (unsigned)method)
            return &match->rows[i];
    return NULL;
}

/* ---- checks --------------------------------------------------------------------------- */

void route_format(char *out, size_t outlen, const char *text, const char *arg)
{
    size_t used = 0;

    if (!arg)
        arg = "";
    for (const char *p = text; *p && used + 1 < outlen; p++) {
        size_t take = 1, limit = (size_t)-1;
        const char *from = p;

        if (p[0] == '%' && p[1] == '%') {
            p++;
        } else if (p[0] == '%' && (p[1] == 's' || p[1] == '.')) {
            const char *q = p + 1;
            if (*q == '.') {
                limit = 0;
                for (q++; *q >= '0' && *q <= '9'; q++)
                    limit = limit * 10 + (size_t)(*q - '0');
            }
            if (*q == 's') {
                /* whole characters only: a name cut in the middle of one is not UTF-8 */
                from = arg;
                take = strlen(arg);
                take = utf8_name_clip(arg, take,
                                      limit < outlen - 1 - used ? limit : outlen - 1 - used);
                p = q;
            }
        }
        if (take > outlen - 1 - used)
            take = outlen - 1 - used;
        memcpy(out + used, from, take);
        used += take;
    }
    out[used] = '\0';
}

/* 400 or 403 with a table message formatted with arg. */
static int route_refuse(struct app_error *err, int status, const char *text, const char *arg)
{
    char message[sizeof(err->message)];

    route_format(message, sizeof(message), text, arg);
    app_error_set(err, status, status == 403 ? APP_ERR_FORBIDDEN : APP_ERR_BAD_REQUEST, "%s",
                  message);
    return -1;
}

/* A session that must enrol TOTP first asked for anything else: 403 with the code the
 * UI turns into the enrolment page. */
static int route_refuse_enrol(struct app_error *err)
{
    app_error_set(err, 403, APP_ERR_TOTP_ENROL,
                  "two-factor authentication is required for this account: enrol it first");
    return -1;
}

/* The id of the row's object in match (NULL: any object of its kind). */
static const char *route_object_id(const struct route_row *row, const struct route_match *match)
{
    switch (row->param) {
    case ROUTE_PARAM_UUID:
        return match->uuid;
    case ROUTE_PARAM_NAME:
    case ROUTE_PARAM_ITEM: /* a volume's right is its pool's */
        return match->name;
    default:
        return NULL;
    }
}

int route_check_right(const struct route_row *row, const struct route_match *match,
                      const struct auth_subject *subject, enum auth_level level, bool *hidden,
                      struct app_error *err)
{
    static const enum auth_object_kind kinds[] = {
        [ROUTE_OBJECT_DOMAIN] = AUTH_OBJECT_DOMAIN,
        [ROUTE_OBJECT_NETWORK] = AUTH_OBJECT_NETWORK,
        [ROUTE_OBJECT_POOL] = AUTH_OBJECT_POOL,
        [ROUTE_OBJECT_VOLUME] = AUTH_OBJECT_POOL,
    };
    struct auth_object object;

    *hidden = false;
    switch (row->access) {
    case ROUTE_ACCESS_PUBLIC:
        return 0;
    case ROUTE_ACCESS_ANY:
    case ROUTE_ACCESS_SESSION:
    case ROUTE_ACCESS_ACCOUNT:
        if (!subject) {
            app_error_set(err, 401, APP_ERR_UNAUTHORIZED, "not logged in");
            return -1;
        }
        if (row->access == ROUTE_ACCESS_ACCOUNT && !auth_policy_may_manage_account(subject))
            return route_refuse(err, 403, "an API token may not change its user's account", NULL);
        if (row->access == ROUTE_ACCESS_SESSION && !auth_policy_may_use_session(subject))
            return route_refuse_enrol(err);
        return 0;
    case ROUTE_ACCESS_SCRAPE:
        /* no subject: the connection layer let only the scrape token through */
        if (subject && !auth_policy_may_use_session(subject))
            return route_refuse_enrol(err);
        return 0;
    case ROUTE_ACCESS_RIGHT:
        if (subject && !auth_policy_may_use_session(subject))
            return route_refuse_enrol(err);
        object.kind = kinds[row->object];
        object.id = route_object_id(row, match);
        object.level = level;
        if (subject && row->object != ROUTE_OBJECT_NONE && object.id &&
            auth_policy_role_allows(subject, row->right) && !auth_policy_sees(subject, &object)) {
            *hidden = true; /* answered as a domain, network, pool or volume that does not
                             * exist */
            return 0;
        }
        if (subject && auth_policy_allows(subject, row->right,
                                          row->object == ROUTE_OBJECT_NONE ? NULL : &object))
            return 0;
        return route_refuse(err, 403, row->deny ? row->deny : "not allowed",
                            subject ? auth_role_name(subject->role) : "nobody");
    default:
        return route_refuse(err, 403, "not allowed", NULL); /* a row that names no access */
    }
}

int route_check_object(const struct route_row *row, const struct route_match *match,
                       struct app_error *err)
{
    const char *own = row->invalid, *why;
    char mac[VIRT_DEVICE_MAC_LEN];

    switch (row->param) {
    case ROUTE_PARAM_UUID:
        if (!virt_domain_uuid_valid(match->uuid))
            return route_refuse(err, 400, own ? own : "\"%.40s\" is not a UUID", match->uuid);
        break;
    case ROUTE_PARAM_NAME:
    case ROUTE_PARAM_ITEM:
        if (row->object == ROUTE_OBJECT_NETWORK && !virt_network_xml_name_valid(match->name))
            return route_refuse(err, 400, own ? own : "\"%.64s\" is not a valid network name",
                                match->name);
        if (row->object != ROUTE_OBJECT_NETWORK && !virt_pool_xml_name_valid(match->name))
            return route_refuse(err, 400, own ? own : "\"%.64s\" is not a valid pool name",
                                match->name);
        if (row->param == ROUTE_PARAM_ITEM && (why = route_volume_name_fault(match->item))) {
            char text[160];

            snprintf(text, sizeof(text), "\"%%.64s\" is not a valid volume name: %s", why);
            return route_refuse(err, 400, text, match->item);
        }
        break;
    default:
        break;
    }
    if (row->item == ROUTE_ITEM_DISK && !virt_device_xml_target_valid(match->item))
        return route_refuse(err, 400,
                            "\"%.32s\" is not a disk target (3 to 6 lower-case letters, e.g. vdb)",
                            match->item);
    if (row->item == ROUTE_ITEM_SNAPSHOT && (why = route_volume_name_fault(match->item))) {
        char text[160];

        snprintf(text, sizeof(text), "\"%%.64s\" is not a valid snapshot name: %s", why);
        return route_refuse(err, 400, text, match->item);
    }
    if (row->item == ROUTE_ITEM_MAC && virt_device_xml_mac_parse(match->item, mac) < 0)
        return route_refuse(
            err, 400, "\"%.32s\" is not a unicast MAC address like 52:54:00:12:34:56", match->item);
    return 0;
}

int route_check_action(const struct route_row *row, const struct route_match *match,
                       struct app_error *err)
{
    return row->unknown ? route_refuse(err, 400, row->unknown, match->action) : 0;
}

int route_check_query(const struct route_row *row, const char *query, struct app_error *err)
{
    for (const struct route_query_arg *arg = row->query; arg && arg->name; arg++) {
        char value[ROUTE_PARAM_MAX];
        int found = route_query_get(query, arg->name, value, sizeof(value));
        bool ok = found == 0;

        for (const char *const *v = arg->values; found == 1 && *v && !ok; v++)
            ok = strcmp(value, *v) == 0;
        if (!ok)
            return route_refuse(err, 400, arg->invalid, NULL);
    }
    return 0;
}

int route_authorize(const struct route_match *match, enum http_method method,
                    const struct auth_subject *subject, enum auth_level level, bool *hidden,
                    struct app_error *err)
{
    const struct route_row *row = route_row_for(match, method);

    *hidden = false;
    if (!row) {
        app_error_set(err, 405, APP_ERR_METHOD, "method not allowed here");
        return -1;
    }
    if (row->order == ROUTE_ORDER_OBJECT_RIGHT_INPUT)
        return route_check_object(row, match, err) < 0 ||
                       route_check_right(row, match, subject, level, hidden, err) < 0
                   ? -1
                   : 0;
    return route_check_right(row, match, subject, level, hidden, err) < 0 ||
                   route_check_object(row, match, err) < 0
               ? -1
               : 0;
}

/* ---- query strings and methods -------------------------------------------------------- */

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

void route_row_label(const struct route_row *row, char *out, size_t outlen, const char **method)
{
    unsigned bit = row->methods & (0u - row->methods); /* the lowest: GET before HEAD */

    if (!row->pattern)
        snprintf(out, outlen, "static");
    else
        snprintf(out, outlen, "%s%s", row->outside_api ? "" : "/api", row->pattern);
    *method = route_method_name((enum http_method)bit);
}
