/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_route: server/http/route.c — the route table (route_table.def) and its checks:
 * every row is matched by a path built from its pattern, for each of its methods; the
 * table's invariants (adjacent patterns, disjoint methods, each row names its access, a
 * right has a message, the object and its parameter agree with the pattern, changes are
 * audited); every row's right per role against auth_policy_allows and against the
 * documented role table; the messages of today's checks (role, ids, {action}, query);
 * route_authorize as the websocket gate and the transfer use it; static paths, unknown
 * /api paths, segment limits, trailing slashes, the Allow header text and which methods
 * mutate. Pure; single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth_policy.h"
#include "http/route.h"

#define ALL_METHODS                                                                                \
    (HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE | HTTP_OPTIONS |       \
     HTTP_OTHER)

static const enum http_method every_method[] = {
    HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS, HTTP_OTHER,
};

/* Matches path and checks id, the exact method mask (through route_allows, method by
 * method), the flags and the parameters. */
static void expect_route(const char *path, enum route_id id, unsigned methods, bool websocket,
                         bool public_route, const char *uuid, const char *action)
{
    struct route_match m;

    if (route_match(path, &m) != 0)
        fail_msg("%s: route_match failed", path);
    if (m.id != id)
        fail_msg("%s: id %d, want %d", path, (int)m.id, (int)id);
    if (m.methods != methods)
        fail_msg("%s: methods 0x%x, want 0x%x", path, m.methods, methods);
    for (size_t i = 0; i < sizeof(every_method) / sizeof(every_method[0]); i++) {
        bool want = (methods & (unsigned)every_method[i]) != 0;
        if (route_allows(&m, every_method[i]) != want)
            fail_msg("%s: %s allowed=%d, want %d", path, route_method_name(every_method[i]), !want,
                     want);
    }
    if (m.websocket != websocket)
        fail_msg("%s: websocket=%d", path, m.websocket);
    if (m.public_route != public_route)
        fail_msg("%s: public_route=%d", path, m.public_route);
    assert_string_equal(m.uuid, uuid);
    assert_string_equal(m.action, action);
}

static void expect_unknown(const char *path)
{
    struct route_match m;

    /* Poison the output so a stale field would show. */
    memset(&m, 0x5a, sizeof(m));
    if (route_match(path, &m) != -1)
        fail_msg("%s: matched (id %d), want -1", path, (int)m.id);
    if (m.id != ROUTE_NONE || m.methods != 0 || m.websocket || m.public_route || m.uuid[0] ||
        m.action[0])
        fail_msg("%s: output not cleared on failure", path);
}

/* The new routes: id, methods and all four parameters. */
static void expect_params(const char *path, enum route_id id, unsigned methods, const char *uuid,
                          const char *name, const char *item, const char *action)
{
    struct route_match m;

    memset(&m, 0x5a, sizeof(m));
    if (route_match(path, &m) != 0)
        fail_msg("%s: route_match failed", path);
    if (m.id != id)
        fail_msg("%s: id %d, want %d", path, (int)m.id, (int)id);
    if (m.methods != methods)
        fail_msg("%s: methods 0x%x, want 0x%x", path, m.methods, methods);
    assert_false(m.websocket);
    assert_false(m.public_route);
    assert_string_equal(m.uuid, uuid);
    assert_string_equal(m.name, name);
    assert_string_equal(m.item, item);
    assert_string_equal(m.action, action);
}

static void test_device_routes(void **state)
{
    const unsigned get = HTTP_GET | HTTP_HEAD;

    expect_params("/api/domains/u1/addresses", ROUTE_DOMAIN_ADDRESSES, get, "u1", "", "", "");
    expect_params("/api/domains/u1/volumes", ROUTE_DOMAIN_VOLUMES, get, "u1", "", "", "");
    expect_params("/api/domains/u1/clone", ROUTE_DOMAIN_CLONE, HTTP_POST, "u1", "", "", "");
    expect_params("/api/domains/u1/disks", ROUTE_DOMAIN_DISKS, HTTP_POST, "u1", "", "", "");
    expect_params("/api/domains/u1/disks/vdb", ROUTE_DOMAIN_DISK, HTTP_PATCH | HTTP_DELETE, "u1",
                  "", "vdb", "");
    expect_params("/api/domains/u1/disks/sda/media", ROUTE_DOMAIN_DISK_MEDIA,
                  HTTP_PUT | HTTP_DELETE, "u1", "", "sda", "");
    expect_params("/api/domains/u1/interfaces", ROUTE_DOMAIN_INTERFACES, HTTP_POST, "u1", "", "",
                  "");
    expect_params("/api/domains/u1/interfaces/52:54:00:aa:bb:cc", ROUTE_DOMAIN_INTERFACE,
                  HTTP_PATCH | HTTP_DELETE, "u1", "", "52:54:00:aa:bb:cc", "");
    expect_params("/api/domains/u1/snapshots", ROUTE_DOMAIN_SNAPSHOTS, get | HTTP_POST, "u1", "",
                  "", "");
    expect_params("/api/domains/u1/snapshots/before upgrade", ROUTE_DOMAIN_SNAPSHOT, HTTP_DELETE,
                  "u1", "", "before upgrade", "");
    expect_params("/api/domains/u1/snapshots/s1/revert", ROUTE_DOMAIN_SNAPSHOT_ACTION, HTTP_POST,
                  "u1", "", "s1", "revert");
    /* a verb that is not a device collection is still a lifecycle action */
    expect_params("/api/domains/u1/reboot", ROUTE_DOMAIN_ACTION, HTTP_POST, "u1", "", "", "reboot");
}

static void test_network_and_storage_routes(void **state)
{
    const unsigned get = HTTP_GET | HTTP_HEAD;

    expect_params("/api/networks", ROUTE_NETWORKS, get | HTTP_POST, "", "", "", "");
    expect_params("/api/networks/lan", ROUTE_NETWORK, get | HTTP_DELETE, "", "lan", "", "");
    expect_params("/api/networks/lan/leases", ROUTE_NETWORK_LEASES, get, "", "lan", "", "");
    expect_params("/api/networks/lan/start", ROUTE_NETWORK_ACTION, HTTP_POST, "", "lan", "",
                  "start");
    expect_params("/api/pools", ROUTE_POOLS, get | HTTP_POST, "", "", "", "");
    expect_params("/api/pools/p1", ROUTE_POOL, get | HTTP_DELETE, "", "p1", "", "");
    expect_params("/api/pools/p1/refresh", ROUTE_POOL_ACTION, HTTP_POST, "", "p1", "", "refresh");
    expect_params("/api/pools/p1/volumes", ROUTE_VOLUMES, get | HTTP_POST, "", "p1", "", "");
    expect_params("/api/pools/p1/volumes/a.qcow2", ROUTE_VOLUME, get | HTTP_DELETE, "", "p1",
                  "a.qcow2", "");
    expect_params("/api/pools/p1/volumes/a.qcow2/resize", ROUTE_VOLUME_ACTION, HTTP_POST, "", "p1",
                  "a.qcow2", "resize");
    expect_params("/api/pools/p1/volumes/a.iso/content", ROUTE_VOLUME_CONTENT, get | HTTP_PUT, "",
                  "p1", "a.iso", "");
    /* "volumes" is a collection, never a pool action */
    expect_params("/api/pools/volumes/volumes", ROUTE_VOLUMES, get | HTTP_POST, "", "volumes", "",
                  "");
    expect_unknown("/api/networks/lan/leases/x");
    expect_unknown("/api/pools/p1/volumes/a/content/x");
    expect_unknown("/api/pools//volumes");
    expect_unknown("/api/domains/u1/disks/");
}

static void test_query_get(void **state)
{
    char v[8];

    assert_int_equal(route_query_get("force=true", "force", v, sizeof(v)), 1);
    assert_string_equal(v, "true");
    assert_int_equal(route_query_get("a=1&force&b=2", "force", v, sizeof(v)), 1);
    assert_string_equal(v, "");
    assert_int_equal(route_query_get("a=1&b=2", "b", v, sizeof(v)), 1);
    assert_string_equal(v, "2");
    assert_int_equal(route_query_get("forced=1&xforce=1", "force", v, sizeof(v)), 0);
    assert_string_equal(v, "");
    assert_int_equal(route_query_get("", "force", v, sizeof(v)), 0);
    assert_int_equal(route_query_get(NULL, "force", v, sizeof(v)), 0);
    assert_int_equal(route_query_get("force=12345678", "force", v, sizeof(v)), -1);
    assert_int_equal(route_query_get("force=1", "force", v, 0), -1);
}

static void test_api_routes(void **state)
{
    expect_route("/api/login", ROUTE_LOGIN, HTTP_POST, false, true, "", "");
    expect_route("/api/logout", ROUTE_LOGOUT, HTTP_POST, false, false, "", "");
    expect_route("/api/session", ROUTE_SESSION, HTTP_GET | HTTP_HEAD, false, false, "", "");
    expect_route("/api/host", ROUTE_HOST, HTTP_GET | HTTP_HEAD, false, false, "", "");
    expect_route("/api/events", ROUTE_EVENTS, HTTP_GET, true, false, "", "");
    expect_route("/api/domains", ROUTE_DOMAINS, HTTP_GET | HTTP_HEAD | HTTP_POST, false, false, "",
                 "");
    expect_route("/api/domains/6695eb01-f6a4-8304-79aa-97f2502e193f", ROUTE_DOMAIN,
                 HTTP_GET | HTTP_HEAD | HTTP_PATCH | HTTP_DELETE, false, false,
                 "6695eb01-f6a4-8304-79aa-97f2502e193f", "");
    expect_route("/api/domains/6695eb01-f6a4-8304-79aa-97f2502e193f/start", ROUTE_DOMAIN_ACTION,
                 HTTP_POST, false, false, "6695eb01-f6a4-8304-79aa-97f2502e193f", "start");
    expect_route("/api/domains/abc/console", ROUTE_CONSOLE, HTTP_GET, true, false, "abc",
                 "console");
    expect_route("/api/domains/abc/shutdown", ROUTE_DOMAIN_ACTION, HTTP_POST, false, false, "abc",
                 "shutdown");
    /* a literal segment before the generic {action}: POST there is 405, not an action */
    expect_route("/api/domains/abc/metadata", ROUTE_DOMAIN_METADATA, HTTP_PUT, false, false, "abc",
                 "");
    expect_route("/api/domains/abc/template", ROUTE_DOMAIN_TEMPLATE, HTTP_POST, false, false, "abc",
                 "");
    expect_route("/api/domains/abc/xml", ROUTE_DOMAIN_XML, HTTP_GET | HTTP_HEAD | HTTP_PUT, false,
                 false, "abc", "");
}

/* The uuid and action segments are returned unvalidated (the handler validates). */
static void test_params_unvalidated(void **state)
{
    expect_route("/api/domains/x", ROUTE_DOMAIN, HTTP_GET | HTTP_HEAD | HTTP_PATCH | HTTP_DELETE,
                 false, false, "x", "");
    expect_route("/api/domains/..", ROUTE_DOMAIN, HTTP_GET | HTTP_HEAD | HTTP_PATCH | HTTP_DELETE,
                 false, false, "..", "");
    expect_route("/api/domains/a%2Fb/no-such-action", ROUTE_DOMAIN_ACTION, HTTP_POST, false, false,
                 "a%2Fb", "no-such-action");
}

static void test_static_paths(void **state)
{
    const char *paths[] = {
        "/",       "/index.html",      "/app.js", "/views/list.js", "/apis", "/apix/host",
        "/api.js", "/static/api/host", "",        "/API/host",
    };

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        expect_route(paths[i], ROUTE_STATIC, HTTP_GET | HTTP_HEAD, false, true, "", "");
}

static void test_unknown_api_paths(void **state)
{
    expect_unknown("/api");
    expect_unknown("/api/");
    expect_unknown("/api/nothing");
    expect_unknown("/api/login/x");
    expect_unknown("/api/loginx");
    expect_unknown("/api/hosts");
    expect_unknown("/api/eventsx");
    expect_unknown("/api/Domains");
    expect_unknown("/api//host");
    expect_unknown("/api/domainsx");
    expect_unknown("/api/domains//start");
}

static void test_trailing_slashes(void **state)
{
    expect_unknown("/api/login/");
    expect_unknown("/api/logout/");
    expect_unknown("/api/session/");
    expect_unknown("/api/host/");
    expect_unknown("/api/events/");
    expect_unknown("/api/domains/");
    expect_unknown("/api/domains/abc/");
    expect_unknown("/api/domains/abc/start/");
    expect_unknown("/api/domains/abc//");
}

static void test_extra_segments(void **state)
{
    expect_unknown("/api/domains/abc/start/now");
    expect_unknown("/api/domains/abc/start/now/later");
    expect_unknown("/api/domains/abc/start//");
    expect_unknown("/api/host/extra");
    expect_unknown("/api/session/x/y");
}

static void test_segment_lengths(void **state)
{
    char seg[ROUTE_PARAM_MAX + 2];
    char path[ROUTE_PARAM_MAX + 64];

    /* ROUTE_PARAM_MAX-1 characters fit, ROUTE_PARAM_MAX do not (uuid segment). */
    memset(seg, 'u', ROUTE_PARAM_MAX - 1);
    seg[ROUTE_PARAM_MAX - 1] = '\0';
    snprintf(path, sizeof(path), "/api/domains/%s", seg);
    expect_route(path, ROUTE_DOMAIN, HTTP_GET | HTTP_HEAD | HTTP_PATCH | HTTP_DELETE, false, false,
                 seg, "");
    snprintf(path, sizeof(path), "/api/domains/%s/start", seg);
    expect_route(path, ROUTE_DOMAIN_ACTION, HTTP_POST, false, false, seg, "start");

    memset(seg, 'u', ROUTE_PARAM_MAX);
    seg[ROUTE_PARAM_MAX] = '\0';
    snprintf(path, sizeof(path), "/api/domains/%s", seg);
    expect_unknown(path);
    snprintf(path, sizeof(path), "/api/domains/%s/start", seg);
    expect_unknown(path);

    /* Same limits for the action segment. */
    memset(seg, 'a', ROUTE_PARAM_MAX - 1);
    seg[ROUTE_PARAM_MAX - 1] = '\0';
    snprintf(path, sizeof(path), "/api/domains/abc/%s", seg);
    expect_route(path, ROUTE_DOMAIN_ACTION, HTTP_POST, false, false, "abc", seg);
    memset(seg, 'a', ROUTE_PARAM_MAX);
    seg[ROUTE_PARAM_MAX] = '\0';
    snprintf(path, sizeof(path), "/api/domains/abc/%s", seg);
    expect_unknown(path);
}

static void test_rematch_clears_previous(void **state)
{
    struct route_match m;

    assert_int_equal(route_match("/api/domains/abc/start", &m), 0);
    assert_int_equal(route_match("/api/host", &m), 0);
    assert_int_equal(m.id, ROUTE_HOST);
    assert_string_equal(m.uuid, "");
    assert_string_equal(m.action, "");
    assert_int_equal(route_match("/api/events", &m), 0);
    assert_true(m.websocket);
    assert_int_equal(route_match("/", &m), 0);
    assert_false(m.websocket);
    assert_true(m.public_route);
}

static void expect_allow(unsigned methods, const char *want)
{
    char out[128];

    memset(out, 'X', sizeof(out));
    route_allow_header(methods, out, sizeof(out));
    assert_string_equal(out, want);
}

static void test_allow_header(void **state)
{
    expect_allow(HTTP_GET | HTTP_HEAD, "GET, HEAD");
    expect_allow(HTTP_POST, "POST");
    expect_allow(HTTP_GET, "GET");
    expect_allow(0, "");
    expect_allow(HTTP_OTHER, "");
    expect_allow(HTTP_DELETE | HTTP_GET, "GET, DELETE");
    expect_allow(ALL_METHODS, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");

    /* The header for each real route, as the server builds it. */
    struct route_match m;
    char out[96];
    assert_int_equal(route_match("/api/domains/abc", &m), 0);
    route_allow_header(m.methods, out, sizeof(out));
    assert_string_equal(out, "GET, HEAD, PATCH, DELETE");
    assert_int_equal(route_match("/api/domains/abc/reboot", &m), 0);
    route_allow_header(m.methods, out, sizeof(out));
    assert_string_equal(out, "POST");
    assert_int_equal(route_match("/api/events", &m), 0);
    route_allow_header(m.methods, out, sizeof(out));
    assert_string_equal(out, "GET");
}

/* A short buffer never overflows and stays NUL-terminated. */
static void test_allow_header_short_buffer(void **state)
{
    char out[16];

    memset(out, 'X', sizeof(out));
    route_allow_header(ALL_METHODS, out, 10);
    assert_true(strlen(out) < 10);
    assert_int_equal(strncmp(out, "GET, HEAD", strlen(out)), 0);
    for (size_t i = 10; i < sizeof(out); i++)
        assert_int_equal(out[i], 'X');

    memset(out, 'X', sizeof(out));
    route_allow_header(ALL_METHODS, out, 1);
    assert_string_equal(out, "");
    assert_int_equal(out[1], 'X');
}

static void test_method_mutates(void **state)
{
    assert_false(route_method_mutates(HTTP_GET));
    assert_false(route_method_mutates(HTTP_HEAD));
    assert_false(route_method_mutates(HTTP_OPTIONS));
    assert_false(route_method_mutates(HTTP_OTHER));
    assert_true(route_method_mutates(HTTP_POST));
    assert_true(route_method_mutates(HTTP_PUT));
    assert_true(route_method_mutates(HTTP_PATCH));
    assert_true(route_method_mutates(HTTP_DELETE));
}

static void test_method_names(void **state)
{
    assert_string_equal(route_method_name(HTTP_GET), "GET");
    assert_string_equal(route_method_name(HTTP_HEAD), "HEAD");
    assert_string_equal(route_method_name(HTTP_POST), "POST");
    assert_string_equal(route_method_name(HTTP_PUT), "PUT");
    assert_string_equal(route_method_name(HTTP_PATCH), "PATCH");
    assert_string_equal(route_method_name(HTTP_DELETE), "DELETE");
    assert_string_equal(route_method_name(HTTP_OPTIONS), "OPTIONS");
    assert_string_equal(route_method_name(HTTP_OTHER), "OTHER");
}

/* ---- the table, row by row -------------------------------------------------------- */

#define UUID_OK "6695eb01-f6a4-8304-79aa-97f2502e193f"

static const unsigned row_methods[] = {HTTP_GET,   HTTP_HEAD,   HTTP_POST,    HTTP_PUT,
                                       HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS, HTTP_OTHER};

/* A path that reaches row: its pattern with well-formed parameters. */
static void row_path(const struct route_row *row, char *out, size_t outlen)
{
    const char *p = row->pattern;
    size_t used = (size_t)snprintf(out, outlen, "%s", row->outside_api ? "" : "/api");

    while (*p) {
        size_t len = strcspn(p + 1, "/") + 1;
        const char *fill = NULL;
        char seg[64];

        snprintf(seg, sizeof(seg), "%.*s", (int)len, p);
        if (!strcmp(seg, "/{uuid}"))
            fill = UUID_OK;
        else if (!strcmp(seg, "/{name}"))
            fill = "lan0";
        else if (!strcmp(seg, "/{item}"))
            fill = row->item == ROUTE_ITEM_MAC    ? "52:54:00:AA:BB:CC"
                   : row->item == ROUTE_ITEM_DISK ? "vdb"
                                                  : "a.qcow2";
        else if (!strcmp(seg, "/{action}"))
            fill = "bogus";
        else if (!strncmp(seg, "/{action=", 9))
            fill = NULL; /* the literal inside */
        if (!strncmp(seg, "/{action=", 9))
            used += (size_t)snprintf(out + used, outlen - used, "/%.*s", (int)(len - 10), seg + 9);
        else
            used += (size_t)snprintf(out + used, outlen - used, "%s%s", fill ? "/" : "",
                                     fill ? fill : seg);
        p += len;
    }
}

/* GET /metrics is a whole path outside /api: /api/metrics is no route, /metrics/x is the
 * static UI's (404 there), and it is counted under its own label. */
static void test_metrics_outside_api(void **state)
{
    struct route_match m;
    char label[64];
    const char *method = NULL;

    assert_int_equal(route_match("/metrics", &m), 0);
    assert_int_equal(m.id, ROUTE_METRICS);
    assert_true(m.scrape);
    assert_false(m.public_route);
    assert_ptr_equal(route_row_for(&m, HTTP_GET), route_row_get(ROUTE_ROW_METRICS));
    assert_ptr_equal(route_row_for(&m, HTTP_HEAD), route_row_get(ROUTE_ROW_METRICS));
    assert_null(route_row_for(&m, HTTP_POST));
    assert_int_equal(route_match("/api/metrics", &m), -1);
    assert_int_equal(route_match("/metrics/x", &m), 0);
    assert_int_equal(m.id, ROUTE_STATIC);
    assert_false(m.scrape);
    assert_int_equal(route_match("/metricsx", &m), 0);
    assert_int_equal(m.id, ROUTE_STATIC);
    route_row_label(route_row_get(ROUTE_ROW_METRICS), label, sizeof(label), &method);
    assert_string_equal(label, "/metrics");
    assert_string_equal(method, "GET");
    route_row_label(route_row_get(ROUTE_ROW_DOMAIN_DELETE), label, sizeof(label), &method);
    assert_string_equal(label, "/api/domains/{uuid}");
    assert_string_equal(method, "DELETE");
    route_row_label(route_row_get(ROUTE_ROW_STATIC), label, sizeof(label), &method);
    assert_string_equal(label, "static");
}

static void test_every_row_matches(void **state)
{
    for (int i = 0; i < ROUTE_ROW_COUNT; i++) {
        const struct route_row *row = route_row_get((enum route_row_id)i);
        struct route_match m;
        char path[512];

        assert_non_null(row);
        if (row->row != (enum route_row_id)i)
            fail_msg("row %d names itself %d", i, (int)row->row);
        if (!row->pattern) {
            assert_int_equal(i, ROUTE_ROW_STATIC);
            continue;
        }
        row_path(row, path, sizeof(path));
        if (route_match(path, &m) != 0)
            fail_msg("%s: %s does not match", row->name, path);
        if (m.id != row->route || row < m.rows || row >= m.rows + m.nrows)
            fail_msg("%s: %s matched route %d (rows %s..)", row->name, path, (int)m.id,
                     m.rows ? m.rows->name : "none");
        if (m.websocket != row->websocket || m.public_route != (row->access == ROUTE_ACCESS_PUBLIC))
            fail_msg("%s: flags", row->name);
        for (size_t k = 0; k < sizeof(row_methods) / sizeof(row_methods[0]); k++) {
            const struct route_row *got = route_row_for(&m, (enum http_method)row_methods[k]);
            bool allowed = (m.methods & row_methods[k]) != 0;

            if ((row->methods & row_methods[k]) && got != row)
                fail_msg("%s: %s %s goes to %s", row->name, route_method_name(row_methods[k]), path,
                         got ? got->name : "nothing");
            if (allowed != (got != NULL))
                fail_msg("%s: %s allowed=%d but row %p", row->name,
                         route_method_name(row_methods[k]), allowed, (const void *)got);
        }
    }
}

static bool pattern_has(const struct route_row *row, const char *capture)
{
    return row->pattern && strstr(row->pattern, capture) != NULL;
}

static void test_table_invariants(void **state)
{
    const unsigned known = HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE;

    for (int i = 0; i < ROUTE_ROW_COUNT; i++) {
        const struct route_row *row = route_row_get((enum route_row_id)i);
        const struct route_row *prev = i ? route_row_get((enum route_row_id)(i - 1)) : NULL;
        bool same = prev && prev->pattern && row->pattern && !strcmp(prev->pattern, row->pattern);
        bool mutates = (row->methods & (HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE)) != 0;

        assert_non_null(row->name);
        if (!row->methods || (row->methods & ~known) ||
            ((row->methods & HTTP_HEAD) && !(row->methods & HTTP_GET)))
            fail_msg("%s: methods 0x%x", row->name, row->methods);
        if (row->access == ROUTE_ACCESS_UNSET)
            fail_msg("%s: names no access", row->name);
        if (row->access == ROUTE_ACCESS_RIGHT && !row->deny)
            fail_msg("%s: a right without a message", row->name);
        if (row->access != ROUTE_ACCESS_RIGHT && row->object != ROUTE_OBJECT_NONE)
            fail_msg("%s: an object without a right", row->name);
        /* rows of one pattern are adjacent, split the methods and agree on the rest */
        if (same && ((prev->methods & row->methods) || prev->websocket != row->websocket ||
                     prev->route != row->route ||
                     (prev->access == ROUTE_ACCESS_PUBLIC) != (row->access == ROUTE_ACCESS_PUBLIC)))
            fail_msg("%s: disagrees with %s", row->name, prev->name);
        for (int j = 0; !same && row->pattern && j < i - 1; j++) {
            const struct route_row *other = route_row_get((enum route_row_id)j);
            if (other->pattern && !strcmp(other->pattern, row->pattern))
                fail_msg("%s: pattern of %s again, not next to it", row->name, other->name);
        }
        /* the object, its parameter and the pattern agree */
        switch (row->param) {
        case ROUTE_PARAM_UUID:
            assert_true(row->object == ROUTE_OBJECT_DOMAIN && pattern_has(row, "{uuid}"));
            break;
        case ROUTE_PARAM_NAME:
            assert_true((row->object == ROUTE_OBJECT_NETWORK || row->object == ROUTE_OBJECT_POOL) &&
                        pattern_has(row, "{name}"));
            break;
        case ROUTE_PARAM_ITEM:
            assert_true(row->object == ROUTE_OBJECT_VOLUME && pattern_has(row, "{name}") &&
                        pattern_has(row, "{item}"));
            break;
        case ROUTE_PARAM_NONE:
            assert_true(row->object != ROUTE_OBJECT_VOLUME);
            break;
        }
        if (row->item != ROUTE_ITEM_NONE)
            assert_true(row->object == ROUTE_OBJECT_DOMAIN && pattern_has(row, "{item}"));
        if (row->unknown && !pattern_has(row, "{action}"))
            fail_msg("%s: refuses an {action} it does not capture", row->name);
        if (row->websocket && (row->methods != HTTP_GET || row->body != ROUTE_BODY_IGNORED))
            fail_msg("%s: a websocket is a plain GET", row->name);
        if (row->stream != (row->route == ROUTE_VOLUME_CONTENT))
            fail_msg("%s: only the content route streams", row->name);
        if ((row->keys || row->fields) && row->body != ROUTE_BODY_OBJECT &&
            row->body != ROUTE_BODY_OPTIONAL)
            fail_msg("%s: names body members it never reads", row->name);
        /* changes are recorded; login, logout and the stream record themselves */
        if (row->audit && !mutates)
            fail_msg("%s: audits a read", row->name);
        if (mutates && !row->audit && !row->unknown && !row->stream && i != ROUTE_ROW_LOGIN &&
            i != ROUTE_ROW_LOGOUT)
            fail_msg("%s: a change without an audit action", row->name);
        for (const struct route_field *f = row->fields; f && f->key; f++)
            for (const char *const *k = row->keys; k && *k; k++)
                if (!strcmp(*k, f->key))
                    fail_msg("%s: %s is both a key and a field", row->name, f->key);
    }
}

/* ---- rights --------------------------------------------------------------------------- */

/* Who may use each row, as docs/api.md documents it (0: the row is missing here). */
enum { NEED_VIEWER = 1, NEED_OPERATOR, NEED_ADMIN, NEED_NOTHING, NEED_SESSION };
static const int row_needs[ROUTE_ROW_COUNT] = {
    [ROUTE_ROW_STATIC] = NEED_NOTHING,
    [ROUTE_ROW_LOGIN] = NEED_NOTHING,
    /* the connection layer lets only a session or the scrape token through; what each
     * sees is api_metrics.c's (auth_owners_sees, HOST_READ) */
    [ROUTE_ROW_METRICS] = NEED_NOTHING,
    [ROUTE_ROW_LOGOUT] = NEED_SESSION,
    [ROUTE_ROW_SESSION] = NEED_SESSION,
    [ROUTE_ROW_ACCOUNT_GET] = NEED_SESSION, /* the caller's own account (api_account.c) */
    [ROUTE_ROW_ACCOUNT_PASSWORD] = NEED_SESSION,
    [ROUTE_ROW_ACCOUNT_TOTP_BEGIN] = NEED_SESSION,
    [ROUTE_ROW_ACCOUNT_TOTP_DISABLE] = NEED_SESSION,
    [ROUTE_ROW_ACCOUNT_TOTP_CONFIRM] = NEED_SESSION,
    [ROUTE_ROW_ACCOUNT_SESSIONS] = NEED_SESSION,
    [ROUTE_ROW_ACCOUNT_SESSION_END] = NEED_SESSION,
    [ROUTE_ROW_ACCOUNT_LOGOUT_ALL] = NEED_SESSION,
    [ROUTE_ROW_HOST] = NEED_VIEWER,
    [ROUTE_ROW_OS_LIST] = NEED_SESSION,
    [ROUTE_ROW_JOBS_LIST] = NEED_SESSION, /* each user sees its own jobs (api_jobs.c) */
    [ROUTE_ROW_JOB_GET] = NEED_SESSION,
    [ROUTE_ROW_TOKENS_LIST] = NEED_SESSION, /* each user keeps their own tokens (api_tokens.c) */
    [ROUTE_ROW_TOKENS_CREATE] = NEED_SESSION,
    [ROUTE_ROW_TOKEN_DELETE] = NEED_SESSION,
    [ROUTE_ROW_HOST_CAPABILITIES] = NEED_VIEWER,
    [ROUTE_ROW_HOST_METRICS] = NEED_VIEWER, /* the host page's rule */
    [ROUTE_ROW_AUDIT_LIST] = NEED_VIEWER,   /* every role; which rows: auth_policy_audit_reach */
    [ROUTE_ROW_EVENTS] = NEED_VIEWER,
    [ROUTE_ROW_DOMAINS_LIST] = NEED_VIEWER,
    [ROUTE_ROW_DOMAINS_CREATE] = NEED_OPERATOR,
    [ROUTE_ROW_DOMAIN_GET] = NEED_VIEWER,
    [ROUTE_ROW_DOMAIN_METRICS] = NEED_VIEWER, /* the domain's own visibility */
    [ROUTE_ROW_DOMAIN_OWNER] = NEED_ADMIN,
    [ROUTE_ROW_OWNERS_SET] = NEED_ADMIN,
    [ROUTE_ROW_DOMAIN_SHARES_GET] = NEED_ADMIN, /* or the owner: a user (not in this loop) */
    [ROUTE_ROW_DOMAIN_SHARES_PUT] = NEED_ADMIN,
    [ROUTE_ROW_GROUPS_LIST] = NEED_ADMIN,
    [ROUTE_ROW_GROUP_CREATE] = NEED_ADMIN,
    [ROUTE_ROW_GROUP_CHANGE] = NEED_ADMIN,
    [ROUTE_ROW_GROUP_DELETE] = NEED_ADMIN,
    [ROUTE_ROW_ALERT_RULES_LIST] = NEED_ADMIN, /* alert rules (api_alerts.c) */
    [ROUTE_ROW_ALERT_RULE_CREATE] = NEED_ADMIN,
    [ROUTE_ROW_ALERT_RULE_DELETE] = NEED_ADMIN,
    [ROUTE_ROW_ALERTS_LIST] = NEED_SESSION, /* filtered by what the caller sees */
    [ROUTE_ROW_USERS_LIST] = NEED_ADMIN,
    [ROUTE_ROW_USERS_CREATE] = NEED_ADMIN,
    [ROUTE_ROW_USER_PATCH] = NEED_ADMIN,
    [ROUTE_ROW_USER_DELETE] = NEED_ADMIN,
    [ROUTE_ROW_SELF_SERVICE_GET] = NEED_OPERATOR, /* and a user: what it may create from */
    [ROUTE_ROW_SELF_SERVICE_PUT] = NEED_ADMIN,
    [ROUTE_ROW_QUOTA_GET] = NEED_SESSION, /* each user reads its own (api_quota.c) */
    [ROUTE_ROW_USER_QUOTA_PUT] = NEED_ADMIN,
    [ROUTE_ROW_GROUP_QUOTA_PUT] = NEED_ADMIN,
    [ROUTE_ROW_DOMAIN_DELETE] = NEED_OPERATOR,
    [ROUTE_ROW_DOMAIN_PATCH] = NEED_OPERATOR,
    [ROUTE_ROW_DOMAIN_VOLUMES] = NEED_VIEWER,
    [ROUTE_ROW_DOMAIN_CLONE] = NEED_OPERATOR,
    [ROUTE_ROW_DOMAIN_METADATA] = NEED_OPERATOR,
    [ROUTE_ROW_DOMAIN_TEMPLATE] = NEED_OPERATOR,
    [ROUTE_ROW_DOMAIN_XML_GET] = NEED_ADMIN,
    [ROUTE_ROW_DOMAIN_XML_PUT] = NEED_ADMIN,
    [ROUTE_ROW_CONSOLE] = NEED_OPERATOR,
    [ROUTE_ROW_SERIAL] = NEED_OPERATOR,
    [ROUTE_ROW_DOMAIN_ADDRESSES] = NEED_VIEWER,
    [ROUTE_ROW_DISK_ATTACH] = NEED_ADMIN,
    [ROUTE_ROW_DISK_CHANGE] = NEED_ADMIN,
    [ROUTE_ROW_DISK_DETACH] = NEED_ADMIN,
    [ROUTE_ROW_MEDIA_INSERT] = NEED_ADMIN,
    [ROUTE_ROW_MEDIA_EJECT] = NEED_ADMIN,
    [ROUTE_ROW_NIC_ATTACH] = NEED_ADMIN,
    [ROUTE_ROW_NIC_CHANGE] = NEED_ADMIN,
    [ROUTE_ROW_NIC_DETACH] = NEED_ADMIN,
    [ROUTE_ROW_SNAPSHOTS_LIST] = NEED_VIEWER,
    [ROUTE_ROW_SNAPSHOT_CREATE] = NEED_OPERATOR,
    [ROUTE_ROW_SNAPSHOT_DELETE] = NEED_OPERATOR,
    [ROUTE_ROW_SNAPSHOT_REVERT] = NEED_OPERATOR,
    [ROUTE_ROW_SNAPSHOT_ACTION_UNKNOWN] = NEED_OPERATOR,
    [ROUTE_ROW_DOMAIN_START] = NEED_OPERATOR,
    [ROUTE_ROW_DOMAIN_SHUTDOWN] = NEED_OPERATOR,
    [ROUTE_ROW_DOMAIN_DESTROY] = NEED_OPERATOR,
    [ROUTE_ROW_DOMAIN_REBOOT] = NEED_OPERATOR,
    [ROUTE_ROW_DOMAIN_RESET] = NEED_OPERATOR,
    [ROUTE_ROW_DOMAIN_SUSPEND] = NEED_OPERATOR,
    [ROUTE_ROW_DOMAIN_RESUME] = NEED_OPERATOR,
    [ROUTE_ROW_DOMAIN_ACTION_UNKNOWN] = NEED_OPERATOR,
    [ROUTE_ROW_NETWORKS_LIST] = NEED_VIEWER,
    [ROUTE_ROW_NETWORK_CREATE] = NEED_ADMIN,
    [ROUTE_ROW_NETWORK_GET] = NEED_VIEWER,
    [ROUTE_ROW_NETWORK_DELETE] = NEED_ADMIN,
    [ROUTE_ROW_NETWORK_LEASES] = NEED_VIEWER,
    [ROUTE_ROW_NETWORK_START] = NEED_ADMIN,
    [ROUTE_ROW_NETWORK_STOP] = NEED_ADMIN,
    [ROUTE_ROW_NETWORK_AUTOSTART] = NEED_ADMIN,
    [ROUTE_ROW_NETWORK_ACTION_UNKNOWN] = NEED_ADMIN,
    [ROUTE_ROW_POOLS_LIST] = NEED_VIEWER,
    [ROUTE_ROW_POOL_CREATE] = NEED_ADMIN,
    [ROUTE_ROW_POOL_GET] = NEED_VIEWER,
    [ROUTE_ROW_POOL_DELETE] = NEED_ADMIN,
    [ROUTE_ROW_VOLUMES_LIST] = NEED_VIEWER,
    [ROUTE_ROW_VOLUME_CREATE] = NEED_ADMIN,
    [ROUTE_ROW_VOLUME_GET] = NEED_VIEWER,
    [ROUTE_ROW_VOLUME_DELETE] = NEED_ADMIN,
    [ROUTE_ROW_VOLUME_DOWNLOAD] = NEED_ADMIN,
    [ROUTE_ROW_VOLUME_UPLOAD] = NEED_ADMIN,
    [ROUTE_ROW_VOLUME_RESIZE] = NEED_ADMIN,
    [ROUTE_ROW_VOLUME_CLONE] = NEED_ADMIN,
    [ROUTE_ROW_VOLUME_WIPE] = NEED_ADMIN,
    [ROUTE_ROW_VOLUME_ACTION_UNKNOWN] = NEED_ADMIN,
    [ROUTE_ROW_POOL_START] = NEED_ADMIN,
    [ROUTE_ROW_POOL_STOP] = NEED_ADMIN,
    [ROUTE_ROW_POOL_REFRESH] = NEED_ADMIN,
    [ROUTE_ROW_POOL_AUTOSTART] = NEED_ADMIN,
    [ROUTE_ROW_POOL_ACTION_UNKNOWN] = NEED_ADMIN,
};

/* The match of row's sample path. */
static void row_match(const struct route_row *row, struct route_match *m)
{
    char path[512];

    if (!row->pattern) {
        assert_int_equal(route_match("/index.html", m), 0);
        return;
    }
    row_path(row, path, sizeof(path));
    assert_int_equal(route_match(path, m), 0);
}

static void test_rights_per_row(void **state)
{
    static const enum auth_object_kind kinds[] = {
        [ROUTE_OBJECT_DOMAIN] = AUTH_OBJECT_DOMAIN,
        [ROUTE_OBJECT_NETWORK] = AUTH_OBJECT_NETWORK,
        [ROUTE_OBJECT_POOL] = AUTH_OBJECT_POOL,
        [ROUTE_OBJECT_VOLUME] = AUTH_OBJECT_POOL,
    };

    for (int i = 0; i < ROUTE_ROW_COUNT; i++) {
        const struct route_row *row = route_row_get((enum route_row_id)i);
        struct route_match m;
        struct app_error err;
        bool hidden;

        if (!row_needs[i])
            fail_msg("%s: not in row_needs: say who may use it", row->name);
        row_match(row, &m);
        /* no session */
        app_error_clear(&err);
        if ((route_check_right(row, &m, NULL, AUTH_LEVEL_NONE, &hidden, &err) == 0) !=
            (row_needs[i] == NEED_NOTHING))
            fail_msg("%s: without a session", row->name);
        for (int role = AUTH_ROLE_VIEWER; role <= AUTH_ROLE_ADMIN; role++) {
            struct auth_subject subject = {.username = "someone", .role = (enum auth_role)role};
            struct auth_object object = {kinds[row->object],
                                         row->param == ROUTE_PARAM_UUID   ? m.uuid
                                         : row->param == ROUTE_PARAM_NONE ? NULL
                                                                          : m.name,
                                         AUTH_LEVEL_NONE};
            bool want = row_needs[i] >= NEED_NOTHING || role + 1 >= row_needs[i];
            bool got;

            app_error_clear(&err);
            got = route_check_right(row, &m, &subject, AUTH_LEVEL_NONE, &hidden, &err) == 0;
            if (got != want)
                fail_msg("%s: role %s allowed=%d, documented %d", row->name,
                         auth_role_name(subject.role), got, want);
            if (row->access == ROUTE_ACCESS_RIGHT &&
                got != auth_policy_allows(&subject, row->right,
                                          row->object == ROUTE_OBJECT_NONE ? NULL : &object))
                fail_msg("%s: differs from auth_policy_allows for %s", row->name,
                         auth_role_name(subject.role));
            if (!got && (err.status != 403 || strcmp(err.code, APP_ERR_FORBIDDEN) != 0))
                fail_msg("%s: refused with %d %s", row->name, err.status, err.code);
        }
    }
}

/* A session that must enrol TOTP reaches only logout, the session and the account rows
 * (403 totp_enrolment_required elsewhere); an API token reaches every row its role allows
 * but the account rows (403 forbidden). */
static void test_enrol_only_and_tokens(void **state)
{
    for (int i = 0; i < ROUTE_ROW_COUNT; i++) {
        const struct route_row *row = route_row_get((enum route_row_id)i);
        struct auth_subject enrol = {
            .username = "someone", .role = AUTH_ROLE_ADMIN, .enrol_only = true};
        struct auth_subject token = {.username = "someone", .role = AUTH_ROLE_ADMIN, .token = true};
        bool account = row->access == ROUTE_ACCESS_ACCOUNT;
        bool open =
            row->access == ROUTE_ACCESS_PUBLIC || row->access == ROUTE_ACCESS_ANY || account;
        struct route_match m;
        struct app_error err;
        bool hidden;
        int rc;

        row_match(row, &m);
        app_error_clear(&err);
        rc = route_check_right(row, &m, &enrol, AUTH_LEVEL_OWNER, &hidden, &err);
        if ((rc == 0) != open)
            fail_msg("%s: a session limited to enrolment allowed=%d", row->name, rc == 0);
        if (rc < 0 && (err.status != 403 || strcmp(err.code, APP_ERR_TOTP_ENROL) != 0))
            fail_msg("%s: enrolment refusal %d %s", row->name, err.status, err.code);
        if (account && strncmp(row->pattern, "/account", 8) != 0)
            fail_msg("%s: an account row outside /account", row->name);
        app_error_clear(&err);
        rc = route_check_right(row, &m, &token, AUTH_LEVEL_OWNER, &hidden, &err);
        if (account && (rc == 0 || err.status != 403 || strcmp(err.code, APP_ERR_FORBIDDEN) != 0))
            fail_msg("%s: an API token got %d %s", row->name, err.status, err.code);
        if (!account && rc < 0)
            fail_msg("%s: an admin's API token refused (%s)", row->name, err.message);
    }
}

/* route_check_right's refusal of row for role. */
static void expect_deny(enum route_row_id id, enum auth_role role, const char *message)
{
    const struct route_row *row = route_row_get(id);
    struct auth_subject subject = {.username = "someone", .role = role};
    struct route_match m;
    struct app_error err;
    bool hidden;

    row_match(row, &m);
    app_error_clear(&err);
    assert_int_equal(route_check_right(row, &m, &subject, AUTH_LEVEL_NONE, &hidden, &err), -1);
    assert_int_equal(err.status, 403);
    assert_string_equal(err.message, message);
}

/* The messages each handler and the transfer gave before the table. */
static void test_deny_messages(void **state)
{
    expect_deny(ROUTE_ROW_DOMAIN_START, AUTH_ROLE_VIEWER, "role viewer may not start domains");
    expect_deny(ROUTE_ROW_DOMAIN_RESUME, AUTH_ROLE_VIEWER, "role viewer may not resume domains");
    expect_deny(ROUTE_ROW_DISK_ATTACH, AUTH_ROLE_OPERATOR,
                "role operator may not change the devices of this domain");
    expect_deny(ROUTE_ROW_NIC_DETACH, AUTH_ROLE_VIEWER,
                "role viewer may not change the devices of this domain");
    expect_deny(ROUTE_ROW_NETWORK_CREATE, AUTH_ROLE_OPERATOR,
                "role operator may not change networks");
    expect_deny(ROUTE_ROW_NETWORK_ACTION_UNKNOWN, AUTH_ROLE_VIEWER,
                "role viewer may not change networks");
    expect_deny(ROUTE_ROW_POOL_CREATE, AUTH_ROLE_VIEWER,
                "role viewer may not change storage pools");
    expect_deny(ROUTE_ROW_POOL_AUTOSTART, AUTH_ROLE_OPERATOR,
                "role operator may not change storage pools");
    expect_deny(ROUTE_ROW_VOLUME_CREATE, AUTH_ROLE_OPERATOR,
                "role operator may not change storage volumes");
    expect_deny(ROUTE_ROW_VOLUME_WIPE, AUTH_ROLE_VIEWER,
                "role viewer may not change storage volumes");
    expect_deny(ROUTE_ROW_VOLUME_UPLOAD, AUTH_ROLE_OPERATOR,
                "role operator may not upload volume contents");
    expect_deny(ROUTE_ROW_VOLUME_DOWNLOAD, AUTH_ROLE_VIEWER,
                "role viewer may not download volume contents");
    expect_deny(ROUTE_ROW_CONSOLE, AUTH_ROLE_VIEWER, "not allowed to use this domain's console");
    expect_deny(ROUTE_ROW_SERIAL, AUTH_ROLE_VIEWER, "not allowed to use this domain's console");
}

/* ---- route_authorize: the websocket gate and the transfer ----------------------------- */

static int authorize(const char *path, enum http_method method, int role, struct app_error *err)
{
    struct auth_subject subject = {.username = "someone",
                                   .role = (enum auth_role)(role < 0 ? 0 : role)};
    struct route_match m;
    bool hidden;

    assert_int_equal(route_match(path, &m), 0);
    app_error_clear(err);
    return route_authorize(&m, method, role < 0 ? NULL : &subject, AUTH_LEVEL_NONE, &hidden, err);
}

static void expect_authorize(const char *path, enum http_method method, int role, int status,
                             const char *message)
{
    struct app_error err;
    int rc = authorize(path, method, role, &err);

    if (!status) {
        if (rc != 0)
            fail_msg("%s as %d: refused %d %s", path, role, err.status, err.message);
        return;
    }
    if (rc != -1 || err.status != status || strcmp(err.message, message) != 0)
        fail_msg("%s as %d: %d \"%s\", want %d \"%s\"", path, role, rc ? err.status : 0,
                 err.message, status, message);
}

static void test_authorize_gate_and_transfer(void **state)
{
    const char *console = "/api/domains/" UUID_OK "/console";
    const char *content = "/api/pools/p1/volumes/a.iso/content";

    /* the gate: a malformed UUID is 400 for everyone (checked first), then the right */
    expect_authorize("/api/domains/nope/console", HTTP_GET, AUTH_ROLE_VIEWER, 400,
                     "not a domain UUID");
    expect_authorize("/api/domains/nope/serial", HTTP_GET, AUTH_ROLE_ADMIN, 400,
                     "not a domain UUID");
    expect_authorize(console, HTTP_GET, AUTH_ROLE_VIEWER, 403,
                     "not allowed to use this domain's console");
    expect_authorize(console, HTTP_GET, AUTH_ROLE_OPERATOR, 0, NULL);
    expect_authorize("/api/domains/" UUID_OK "/serial", HTTP_GET, AUTH_ROLE_ADMIN, 0, NULL);
    expect_authorize("/api/events", HTTP_GET, AUTH_ROLE_VIEWER, 0, NULL);
    expect_authorize("/api/events", HTTP_GET, -1, 403, "not allowed");
    expect_authorize("/api/events", HTTP_POST, AUTH_ROLE_ADMIN, 405, "method not allowed here");
    /* the transfer: the right on the pool first, then the pool's and the volume's names */
    expect_authorize("/api/pools/-x/volumes/a.iso/content", HTTP_PUT, AUTH_ROLE_OPERATOR, 403,
                     "role operator may not upload volume contents");
    expect_authorize("/api/pools/-x/volumes/a.iso/content", HTTP_PUT, AUTH_ROLE_ADMIN, 400,
                     "\"-x\" is not a valid pool name");
    expect_authorize("/api/pools/p1/volumes/..x/content", HTTP_HEAD, AUTH_ROLE_ADMIN, 0, NULL);
    expect_authorize("/api/pools/p1/volumes/-x/content", HTTP_HEAD, AUTH_ROLE_ADMIN, 400,
                     "\"-x\" is not a valid volume name: starts with \"-\"");
    expect_authorize(content, HTTP_GET, AUTH_ROLE_VIEWER, 403,
                     "role viewer may not download volume contents");
    expect_authorize(content, HTTP_HEAD, AUTH_ROLE_ADMIN, 0, NULL);
    expect_authorize(content, HTTP_PUT, AUTH_ROLE_ADMIN, 0, NULL);
}

/* ---- ids, {action}, query ------------------------------------------------------------- */

static void expect_object(enum route_row_id id, const char *path, const char *message)
{
    const struct route_row *row = route_row_get(id);
    struct route_match m;
    struct app_error err;

    assert_int_equal(route_match(path, &m), 0);
    app_error_clear(&err);
    if (!message) {
        assert_int_equal(route_check_object(row, &m, &err), 0);
        return;
    }
    assert_int_equal(route_check_object(row, &m, &err), -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.code, APP_ERR_BAD_REQUEST);
    assert_string_equal(err.message, message);
}

static void test_object_ids(void **state)
{
    expect_object(ROUTE_ROW_DOMAIN_GET, "/api/domains/" UUID_OK, NULL);
    expect_object(ROUTE_ROW_DOMAIN_GET,
                  "/api/domains/0123456789012345678901234567890123456789-and-more",
                  "\"0123456789012345678901234567890123456789\" is not a UUID");
    expect_object(ROUTE_ROW_NETWORK_GET, "/api/networks/-bad",
                  "\"-bad\" is not a valid network name");
    expect_object(ROUTE_ROW_POOL_GET, "/api/pools/a%20b", "\"a%20b\" is not a valid pool name");
    expect_object(ROUTE_ROW_VOLUMES_LIST, "/api/pools/-p/volumes",
                  "\"-p\" is not a valid pool name");
    expect_object(ROUTE_ROW_VOLUME_GET, "/api/pools/-p/volumes/-v",
                  "\"-p\" is not a valid pool name");
    expect_object(ROUTE_ROW_VOLUME_GET, "/api/pools/p/volumes/-v",
                  "\"-v\" is not a valid volume name: starts with \"-\"");
    expect_object(ROUTE_ROW_DISK_CHANGE, "/api/domains/nope/disks/VDA", "\"nope\" is not a UUID");
    expect_object(ROUTE_ROW_DISK_CHANGE, "/api/domains/" UUID_OK "/disks/VDA",
                  "\"VDA\" is not a disk target (3 to 6 lower-case letters, e.g. vdb)");
    expect_object(ROUTE_ROW_NIC_CHANGE, "/api/domains/" UUID_OK "/interfaces/01:00:00:00:00:00",
                  "\"01:00:00:00:00:00\" is not a unicast MAC address like 52:54:00:12:34:56");
    expect_object(ROUTE_ROW_NIC_CHANGE, "/api/domains/" UUID_OK "/interfaces/52:54:00:AA:bb:cc",
                  NULL);
    expect_object(ROUTE_ROW_HOST, "/api/host", NULL);
    expect_object(ROUTE_ROW_NETWORKS_LIST, "/api/networks", NULL);
}

static void test_unknown_actions(void **state)
{
    struct route_match m;
    struct app_error err;

    assert_int_equal(route_match("/api/domains/x/explode", &m), 0);
    assert_int_equal(route_check_action(route_row_get(ROUTE_ROW_DOMAIN_ACTION_UNKNOWN), &m, &err),
                     -1);
    assert_string_equal(err.message,
                        "unknown action \"explode\" (start, shutdown, destroy, reboot, "
                        "reset, suspend, resume)");
    assert_int_equal(route_match("/api/pools/p/volumes/v/"
                                 "0123456789012345678901234567890123456789",
                                 &m),
                     0);
    assert_int_equal(route_check_action(route_row_get(ROUTE_ROW_VOLUME_ACTION_UNKNOWN), &m, &err),
                     -1);
    assert_string_equal(err.message, "unknown volume action \"01234567890123456789012345678901\" "
                                     "(resize, clone, wipe)");
    assert_int_equal(route_check_action(route_row_get(ROUTE_ROW_VOLUME_RESIZE), &m, &err), 0);
}

static void expect_query(enum route_row_id id, const char *query, const char *message)
{
    struct app_error err;

    app_error_clear(&err);
    if (!message) {
        assert_int_equal(route_check_query(route_row_get(id), query, &err), 0);
        return;
    }
    assert_int_equal(route_check_query(route_row_get(id), query, &err), -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.message, message);
}

static void test_query_args(void **state)
{
    const char *source = "\"source\" must be lease, agent or arp";

    expect_query(ROUTE_ROW_DOMAIN_ADDRESSES, "", NULL);
    expect_query(ROUTE_ROW_DOMAIN_ADDRESSES, "other=1", NULL);
    expect_query(ROUTE_ROW_DOMAIN_ADDRESSES, "source=agent", NULL);
    expect_query(ROUTE_ROW_DOMAIN_ADDRESSES, "source=arp&x=1", NULL);
    expect_query(ROUTE_ROW_DOMAIN_ADDRESSES, "source=", source);
    expect_query(ROUTE_ROW_DOMAIN_ADDRESSES, "source", source);
    expect_query(ROUTE_ROW_DOMAIN_ADDRESSES, "source=leases", source);
    expect_query(ROUTE_ROW_NETWORK_DELETE, "force", NULL);
    expect_query(ROUTE_ROW_NETWORK_DELETE, "force=0", NULL);
    expect_query(ROUTE_ROW_NETWORK_DELETE, "force=maybe", "force must be true or false");
    expect_query(ROUTE_ROW_NETWORK_DELETE, "force=truetruetrue", "force must be true or false");
    /* rows that name no argument ignore the query */
    expect_query(ROUTE_ROW_DOMAINS_LIST, "force=maybe&source=x", NULL);
}

static void test_format(void **state)
{
    char out[32];

    route_format(out, sizeof(out), "a %s b", "X");
    assert_string_equal(out, "a X b");
    route_format(out, sizeof(out), "\"%.3s\" %% %d", "abcdef");
    assert_string_equal(out, "\"abc\" % %d");
    route_format(out, sizeof(out), "%s", NULL);
    assert_string_equal(out, "");
    route_format(out, sizeof(out), "100%", "x");
    assert_string_equal(out, "100%");
    route_format(out, 8, "%s and more", "0123456789");
    assert_string_equal(out, "0123456");
    route_format(out, 1, "anything", "x");
    assert_string_equal(out, "");
    /* a name in any script is cut between characters, by %.N and by the room left */
    route_format(out, sizeof(out), "\"%.7s\"", "中文系统");
    assert_string_equal(out, "\"中文\"");
    route_format(out, 8, "%s!", "中文系统"); /* 7 bytes of room: 中文 and "!" */
    assert_string_equal(out, "中文!");
    route_format(out, 7, "%s!", "中文系统"); /* 6: 中文, no room for "!" */
    assert_string_equal(out, "中文");
    route_format(out, 6, "%s!", "中文系统"); /* 5: 中 and "!", never half of 文 */
    assert_string_equal(out, "中!");
    route_format(out, sizeof(out), "\"%s\"", "ab\xff\xfe");
    assert_string_equal(out, "\"ab\"");
}

/* A volume name of 255 bytes in any script is one path segment; 256 bytes is not. */
static void test_volume_names_any_script(void **state)
{
    char name[ROUTE_PARAM_MAX + 4], path[ROUTE_PARAM_MAX + 64];
    struct route_match m;
    struct app_error err;

    for (int i = 0; i < 85; i++)
        memcpy(name + 3 * i, "盘", 3);
    name[255] = '\0';
    snprintf(path, sizeof(path), "/api/pools/p/volumes/%s/content", name);
    assert_int_equal(route_match(path, &m), 0);
    assert_int_equal(m.id, ROUTE_VOLUME_CONTENT);
    assert_string_equal(m.item, name);
    app_error_clear(&err);
    assert_int_equal(route_check_object(route_row_get(ROUTE_ROW_VOLUME_GET), &m, &err), 0);
    name[255] = 'x';
    name[256] = '\0';
    snprintf(path, sizeof(path), "/api/pools/p/volumes/%s", name);
    expect_unknown(path);
    expect_object(ROUTE_ROW_VOLUME_GET, "/api/pools/p/volumes/中文系统安装盘.iso", NULL);
    expect_object(ROUTE_ROW_VOLUME_GET, "/api/pools/p/volumes/..",
                  "\"..\" is not a valid volume name: is \".\" or \"..\"");
    expect_object(ROUTE_ROW_VOLUME_GET, "/api/pools/p/volumes/\xe3\x80\x80x",
                  "\"\xe3\x80\x80x\" is not a valid volume name: starts or ends with white space");
    expect_object(ROUTE_ROW_VOLUME_GET,
                  "/api/pools/p/volumes/a\xff"
                  "b",
                  "\"a\" is not a valid volume name: is not valid UTF-8");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_routes),
        cmocka_unit_test(test_params_unvalidated),
        cmocka_unit_test(test_static_paths),
        cmocka_unit_test(test_unknown_api_paths),
        cmocka_unit_test(test_trailing_slashes),
        cmocka_unit_test(test_extra_segments),
        cmocka_unit_test(test_segment_lengths),
        cmocka_unit_test(test_rematch_clears_previous),
        cmocka_unit_test(test_allow_header),
        cmocka_unit_test(test_allow_header_short_buffer),
        cmocka_unit_test(test_method_mutates),
        cmocka_unit_test(test_method_names),
        cmocka_unit_test(test_device_routes),
        cmocka_unit_test(test_network_and_storage_routes),
        cmocka_unit_test(test_query_get),
        cmocka_unit_test(test_every_row_matches),
        cmocka_unit_test(test_metrics_outside_api),
        cmocka_unit_test(test_table_invariants),
        cmocka_unit_test(test_enrol_only_and_tokens),
        cmocka_unit_test(test_rights_per_row),
        cmocka_unit_test(test_deny_messages),
        cmocka_unit_test(test_authorize_gate_and_transfer),
        cmocka_unit_test(test_object_ids),
        cmocka_unit_test(test_unknown_actions),
        cmocka_unit_test(test_query_args),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_volume_names_any_script),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
