/* test_route: server/http/route.c — the path → endpoint table: every API route with its
 * methods and flags, static paths, unknown /api paths, segment limits, trailing slashes,
 * the Allow header text and which methods mutate. Pure; single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

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
    expect_params("/api/domains/u1/disks", ROUTE_DOMAIN_DISKS, HTTP_POST, "u1", "", "", "");
    expect_params("/api/domains/u1/disks/vdb", ROUTE_DOMAIN_DISK, HTTP_PATCH | HTTP_DELETE, "u1",
                  "", "vdb", "");
    expect_params("/api/domains/u1/disks/sda/media", ROUTE_DOMAIN_DISK_MEDIA,
                  HTTP_PUT | HTTP_DELETE, "u1", "", "sda", "");
    expect_params("/api/domains/u1/interfaces", ROUTE_DOMAIN_INTERFACES, HTTP_POST, "u1", "", "",
                  "");
    expect_params("/api/domains/u1/interfaces/52:54:00:aa:bb:cc", ROUTE_DOMAIN_INTERFACE,
                  HTTP_PATCH | HTTP_DELETE, "u1", "", "52:54:00:aa:bb:cc", "");
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
    expect_route("/api/domains", ROUTE_DOMAINS, HTTP_GET | HTTP_HEAD, false, false, "", "");
    expect_route("/api/domains/6695eb01-f6a4-8304-79aa-97f2502e193f", ROUTE_DOMAIN,
                 HTTP_GET | HTTP_HEAD, false, false, "6695eb01-f6a4-8304-79aa-97f2502e193f", "");
    expect_route("/api/domains/6695eb01-f6a4-8304-79aa-97f2502e193f/start", ROUTE_DOMAIN_ACTION,
                 HTTP_POST, false, false, "6695eb01-f6a4-8304-79aa-97f2502e193f", "start");
    expect_route("/api/domains/abc/console", ROUTE_CONSOLE, HTTP_GET, true, false, "abc",
                 "console");
    expect_route("/api/domains/abc/shutdown", ROUTE_DOMAIN_ACTION, HTTP_POST, false, false, "abc",
                 "shutdown");
}

/* The uuid and action segments are returned unvalidated (the handler validates). */
static void test_params_unvalidated(void **state)
{
    expect_route("/api/domains/x", ROUTE_DOMAIN, HTTP_GET | HTTP_HEAD, false, false, "x", "");
    expect_route("/api/domains/..", ROUTE_DOMAIN, HTTP_GET | HTTP_HEAD, false, false, "..", "");
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
    char path[256];

    /* ROUTE_PARAM_MAX-1 characters fit, ROUTE_PARAM_MAX do not (uuid segment). */
    memset(seg, 'u', ROUTE_PARAM_MAX - 1);
    seg[ROUTE_PARAM_MAX - 1] = '\0';
    snprintf(path, sizeof(path), "/api/domains/%s", seg);
    expect_route(path, ROUTE_DOMAIN, HTTP_GET | HTTP_HEAD, false, false, seg, "");
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
    assert_string_equal(out, "GET, HEAD");
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_routes),       cmocka_unit_test(test_params_unvalidated),
        cmocka_unit_test(test_static_paths),     cmocka_unit_test(test_unknown_api_paths),
        cmocka_unit_test(test_trailing_slashes), cmocka_unit_test(test_extra_segments),
        cmocka_unit_test(test_segment_lengths),  cmocka_unit_test(test_rematch_clears_previous),
        cmocka_unit_test(test_allow_header),     cmocka_unit_test(test_allow_header_short_buffer),
        cmocka_unit_test(test_method_mutates),   cmocka_unit_test(test_method_names),
        cmocka_unit_test(test_device_routes),    cmocka_unit_test(test_network_and_storage_routes),
        cmocka_unit_test(test_query_get),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
