/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_api: server/api/api.c, api_call.c, api_reply.c, api_job.c's pure parts — the
 * dispatcher's checks before a handler runs: every row the dispatcher serves has a
 * handler (or only refuses) and accepts the members it names; the role is checked
 * before the input except where a route always answered otherwise (domain actions:
 * the body first; network changes: the name last); ids, {item}s and query arguments;
 * the body's kinds (ignored, refused, required, optional) and typed members with
 * today's messages; the handlers' own checks (the XML builders, the login throttle's
 * 429 with Retry-After); the reply → HTTP response conversion; the audit object and
 * the one audit writer (a real SQLite store in a private directory); and api_handle
 * answering at once (refusals, the session) without a work pool.
 * Single thread; no libvirt, no sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/api.h"
#include "api/api_call.h"
#include "api/api_job.h"
#include "auth_throttle.h"
#include "http/route.h"
#include "store/store.h"
#include "tmp_dir.h"
#include "util/utf8_name.h"

#define UUID_OK "6695eb01-f6a4-8304-79aa-97f2502e193f"
#define D       "/api/domains/" UUID_OK

enum {
    NO_SESSION = -1,
    VIEWER = AUTH_ROLE_VIEWER,
    OPERATOR = AUTH_ROLE_OPERATOR,
    ADMIN = AUTH_ROLE_ADMIN
};

static struct api_call call;
static struct api_reply reply;
static struct http_request req;
static struct auth_throttle *throttle;

/* Builds req for method path?query with body as role. */
static void request(enum http_method method, const char *path, const char *query, const char *body,
                    int role)
{
    memset(&req, 0, sizeof(req));
    if (route_match(path, &req.route) != 0)
        fail_msg("%s: no route", path);
    req.method = method;
    req.path = path;
    req.query = query ? query : "";
    req.body = body ? body : "";
    req.body_len = strlen(req.body);
    req.has_session = role != NO_SESSION;
    if (req.has_session) {
        snprintf(req.session.username, sizeof(req.session.username), "someone");
        req.session.role = (enum auth_role)role;
    }
    req.session_token = "0123";
    req.peer = "127.0.0.9";
}

/* api_prepare on req (see request); call and reply stay for inspection until done(). */
static int prepare(enum http_method method, const char *path, const char *query, const char *body,
                   int role)
{
    const struct route_row *row;

    request(method, path, query, body, role);
    row = route_row_for(&req.route, method);
    if (!row)
        fail_msg("%s %s: no row", route_method_name(method), path);
    api_call_init(&call, row, &req);
    call.throttle = throttle;
    api_reply_init(&reply);
    return api_prepare(&call, &req, &reply);
}

static void done(void)
{
    api_call_clear(&call);
    api_reply_clear(&reply);
}

static void expect_ok(enum http_method method, const char *path, const char *query,
                      const char *body, int role)
{
    if (prepare(method, path, query, body, role) != 0)
        fail_msg("%s %s%s%s %s: refused %d \"%s\"", route_method_name(method), path,
                 query ? "?" : "", query ? query : "", body ? body : "", reply.err.status,
                 reply.err.message);
    done();
}

static void expect_refused(enum http_method method, const char *path, const char *query,
                           const char *body, int role, int status, const char *message)
{
    if (prepare(method, path, query, body, role) == 0)
        fail_msg("%s %s %s: allowed, want %d \"%s\"", route_method_name(method), path,
                 body ? body : "", status, message);
    if (reply.err.status != status || strcmp(reply.err.message, message) != 0)
        fail_msg("%s %s %s: %d \"%s\", want %d \"%s\"", route_method_name(method), path,
                 body ? body : "", reply.err.status, reply.err.message, status, message);
    assert_null(reply.json);
    done();
}

static int setup(void **state)
{
    throttle = auth_throttle_new();
    return 0;
}

static int teardown(void **state)
{
    auth_throttle_free(throttle);
    return 0;
}

/* ---- the table's handlers --------------------------------------------------------- */

static bool served(const struct route_row *row)
{
    return row->route != ROUTE_STATIC && !row->websocket && !row->stream;
}

static void test_every_row_has_its_handler(void **state)
{
    for (int i = 0; i < ROUTE_ROW_COUNT; i++) {
        const struct route_row *row = route_row_get((enum route_row_id)i);
        const struct api_handler *h = api_handler_for(row);

        if (!served(row) && h)
            fail_msg("%s: http_server serves it, yet it names a handler", row->name);
        if (served(row) && !row->unknown && (!h || !h->run))
            fail_msg("%s: no handler to run", row->name);
        if (row->unknown && h)
            fail_msg("%s: only refuses, yet names a handler", row->name);
        if (row->run == ROUTE_RUN_INLINE && h && h->check)
            fail_msg("%s: an inline handler has nothing to check first", row->name);
    }
}

/* Every member a row accepts fits the dispatcher's list of allowed keys. */
static void test_every_accepted_member_fits(void **state)
{
    for (int i = 0; i < ROUTE_ROW_COUNT; i++) {
        const struct route_row *row = route_row_get((enum route_row_id)i);
        size_t n = 0;

        for (const char *const *k = row->keys; k && *k; k++)
            n++;
        for (const struct route_field *f = row->fields; f && f->key; f++)
            n++;
        if (n > API_BODY_KEYS_MAX)
            fail_msg("%s: %zu members, the dispatcher lists %d", row->name, n, API_BODY_KEYS_MAX);
    }
}

/* ---- the order of the checks ------------------------------------------------------ */

static void test_role_before_input(void **state)
{
    expect_refused(HTTP_POST, "/api/networks", NULL, "{\"x\":1}", VIEWER, 403,
                   "role viewer may not change networks");
    expect_refused(HTTP_POST, "/api/pools/-bad/volumes", NULL, "nonsense", OPERATOR, 403,
                   "role operator may not change storage volumes");
    expect_refused(HTTP_DELETE, "/api/domains/nope/disks/VDA", NULL, "{\"x\":1}", VIEWER, 403,
                   "role viewer may not change the devices of this domain");
    expect_refused(HTTP_POST, "/api/pools/-bad/explode", NULL, "{\"x\":1}", OPERATOR, 403,
                   "role operator may not change storage pools");
    expect_refused(HTTP_POST, "/api/networks/-bad/explode", NULL, "{}", VIEWER, 403,
                   "role viewer may not change networks");
    /* then the ids, then the input */
    expect_refused(HTTP_POST, "/api/pools/-bad/explode", NULL, "{\"x\":1}", ADMIN, 400,
                   "\"-bad\" is not a valid pool name");
    expect_refused(HTTP_POST, "/api/pools/p/explode", NULL, "{\"x\":1}", ADMIN, 400,
                   "unknown pool action \"explode\" (start, stop, refresh, autostart)");
    expect_refused(HTTP_POST, "/api/pools/p/volumes/-v/explode", NULL, "{}", ADMIN, 400,
                   "\"-v\" is not a valid volume name: starts with \"-\"");
    expect_refused(HTTP_PATCH, "/api/domains/nope/disks/VDA", NULL, "{\"x\":1}", ADMIN, 400,
                   "\"nope\" is not a UUID");
    expect_refused(HTTP_PATCH, D "/disks/VDA", NULL, "{\"x\":1}", ADMIN, 400,
                   "\"VDA\" is not a disk target (3 to 6 lower-case letters, e.g. vdb)");
    expect_refused(HTTP_GET, D "/addresses", "source=bogus", "{\"x\":1}", VIEWER, 400,
                   "\"source\" must be lease, agent or arp");
    expect_refused(HTTP_GET, D "/addresses", NULL, "{\"x\":1}", VIEWER, 400, "unknown field \"x\"");
    /* configure: the role first; any member name reaches the worker's check, which names
     * an unknown one (virt_domain_config_check); the title rule is the dispatcher's */
    expect_refused(HTTP_PATCH, D, NULL, "{\"vcpus\":1}", VIEWER, 403,
                   "role viewer may not configure domains");
    expect_refused(HTTP_PATCH, "/api/domains/nope", NULL, "{\"x\":1}", OPERATOR, 400,
                   "\"nope\" is not a UUID");
    expect_refused(HTTP_PATCH, D, NULL, "", OPERATOR, 400, "request body must be a JSON object");
    expect_refused(HTTP_PATCH, D, NULL, "{\"title\":\"a\\nb\"}", OPERATOR, 400,
                   "a JSON string holds the control character U+000A or U+0009 (a line break or "
                   "tab); only a multi-line field such as \"description\" may");
    expect_ok(HTTP_PATCH, D, NULL, "{\"x\":1,\"description\":\"a\\nb\"}", OPERATOR);
}

/* Domain actions always answered the action and the body before the role. */
static void test_domain_action_order(void **state)
{
    expect_refused(HTTP_POST, "/api/domains/nope/explode", NULL, "{\"x\":1}", VIEWER, 400,
                   "unknown action \"explode\" (start, shutdown, destroy, reboot, reset, "
                   "suspend, resume)");
    expect_refused(HTTP_POST, "/api/domains/nope/start", NULL, "{\"x\":1}", VIEWER, 400,
                   "unknown field \"x\"");
    expect_refused(HTTP_POST, "/api/domains/nope/start", NULL, "{}", VIEWER, 403,
                   "role viewer may not start domains");
    expect_refused(HTTP_POST, "/api/domains/nope/reboot", NULL, "", OPERATOR, 400,
                   "\"nope\" is not a UUID");
    expect_ok(HTTP_POST, D "/suspend", NULL, NULL, OPERATOR);
    expect_ok(HTTP_POST, D "/resume", NULL, " {} ", ADMIN);
}

/* Network changes always answered the name last. */
static void test_network_change_order(void **state)
{
    expect_refused(HTTP_POST, "/api/networks/-bad/start", NULL, "{\"x\":1}", ADMIN, 400,
                   "unknown field \"x\"");
    expect_refused(HTTP_POST, "/api/networks/-bad/start", NULL, "{}", ADMIN, 400,
                   "\"-bad\" is not a valid network name");
    expect_refused(HTTP_POST, "/api/networks/-bad/explode", NULL, "{\"x\":1}", ADMIN, 400,
                   "unknown action \"explode\" (start, stop, autostart)");
    expect_refused(HTTP_DELETE, "/api/networks/-bad", "force=maybe", "{}", ADMIN, 400,
                   "force must be true or false");
    expect_refused(HTTP_DELETE, "/api/networks/-bad", "force=1", "{}", ADMIN, 400,
                   "DELETE takes no request body");
    expect_refused(HTTP_DELETE, "/api/networks/-bad", "force", NULL, ADMIN, 400,
                   "\"-bad\" is not a valid network name");
    expect_ok(HTTP_DELETE, "/api/networks/lan0", "force=true", NULL, ADMIN);
}

/* ---- bodies ------------------------------------------------------------------------ */

static void test_body_kinds(void **state)
{
    /* ignored: never read */
    expect_ok(HTTP_GET, "/api/host", NULL, "not json", VIEWER);
    expect_ok(HTTP_DELETE, "/api/pools/p1", NULL, "not json", ADMIN);
    expect_ok(HTTP_POST, "/api/logout", NULL, "not json", VIEWER);
    /* required */
    expect_refused(HTTP_POST, "/api/networks", NULL, "", ADMIN, 400,
                   "request body must be a JSON object");
    expect_refused(HTTP_POST, "/api/pools/p/volumes", NULL, "[1]", ADMIN, 400,
                   "request body must be a JSON object");
    expect_refused(HTTP_POST, D "/disks", NULL, "{\"source\":1,\"bogus\":2}", ADMIN, 400,
                   "unknown field \"bogus\"");
    /* optional: nothing is {} */
    expect_ok(HTTP_POST, "/api/pools/p1/refresh", NULL, "", ADMIN);
    expect_ok(HTTP_DELETE, D "/disks/vdb", NULL, "{}", ADMIN);
    expect_refused(HTTP_DELETE, D "/disks/vdb", NULL, "{\"x\":1}", ADMIN, 400,
                   "unknown field \"x\"");
    expect_refused(HTTP_POST, "/api/pools/p1/refresh", NULL, "{'a':1}", ADMIN, 400,
                   "malformed JSON: single quotes");
}

static void test_typed_members(void **state)
{
    const char *resize = "/api/pools/p/volumes/v.img/resize";

    expect_refused(HTTP_POST, "/api/login", NULL, "{\"username\":1,\"password\":\"p\"}", NO_SESSION,
                   400, "field \"username\" must be a string");
    expect_refused(HTTP_POST, "/api/login", NULL, "{\"username\":\"u\"}", NO_SESSION, 400,
                   "field \"password\" is required");
    expect_refused(HTTP_POST, "/api/login", NULL,
                   "{\"username\":\"" /* 65 bytes */
                   "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
                   "\",\"password\":\"p\"}",
                   NO_SESSION, 400, "field \"username\" is too long or has a NUL");
    expect_refused(HTTP_POST, "/api/networks/lan0/autostart", NULL, "{\"enabled\":\"yes\"}", ADMIN,
                   400, "field \"enabled\" is required and must be a boolean");
    expect_refused(HTTP_POST, "/api/networks/lan0/autostart", NULL, "{}", ADMIN, 400,
                   "field \"enabled\" is required and must be a boolean");
    expect_ok(HTTP_POST, "/api/networks/lan0/autostart", NULL, "{\"enabled\":false}", ADMIN);
    expect_refused(HTTP_POST, "/api/pools/p/autostart", NULL, "{}", ADMIN, 400,
                   "\"enabled\" must be true or false");
    expect_refused(HTTP_POST, resize, NULL, "{\"capacity_bytes\":0}", ADMIN, 400,
                   "\"capacity_bytes\" must be an integer from 1 to 17592186044416");
    expect_refused(HTTP_POST, resize, NULL, "{\"capacity_bytes\":17592186044417}", ADMIN, 400,
                   "\"capacity_bytes\" must be an integer from 1 to 17592186044416");
    expect_refused(HTTP_POST, resize, NULL, "{\"capacity_bytes\":1.5}", ADMIN, 400,
                   "\"capacity_bytes\" must be an integer from 1 to 17592186044416");
    expect_refused(HTTP_POST, resize, NULL, "{\"capacity_bytes\":5,\"shrink\":1}", ADMIN, 400,
                   "\"shrink\" must be true or false");
    expect_ok(HTTP_POST, resize, NULL, "{\"capacity_bytes\":17592186044416,\"shrink\":true}",
              ADMIN);
    expect_refused(HTTP_POST, "/api/pools/p/volumes/v.img/clone", NULL, "{\"name\":\"../x\"}",
                   ADMIN, 400, "\"../x\" is not a valid volume name: holds a \"/\"");
    expect_refused(HTTP_POST, "/api/pools/p/volumes/v.img/clone", NULL, "{\"name\":5}", ADMIN, 400,
                   "field \"name\" must be a string");
    expect_refused(HTTP_POST, "/api/pools/p/volumes/v.img/wipe", NULL, "{\"algorithm\":5}", ADMIN,
                   400, "\"algorithm\" must be \"zero\"");
    expect_refused(HTTP_POST, "/api/pools/p/volumes/v.img/wipe", NULL, "{\"algorithm\":\"one\"}",
                   ADMIN, 400, "\"algorithm\" must be \"zero\"");
    expect_ok(HTTP_POST, "/api/pools/p/volumes/v.img/wipe", NULL, "{\"algorithm\":\"zero\"}",
              ADMIN);
    expect_refused(HTTP_PUT, D "/disks/hdc/media", NULL, "{\"pool\":\"-bad\",\"volume\":\"x\"}",
                   ADMIN, 400, "field \"pool\" is not a valid name");
    expect_refused(HTTP_PUT, D "/disks/hdc/media", NULL, "{\"volume\":\"x\"}", ADMIN, 400,
                   "field \"pool\" is required");
    expect_ok(HTTP_PUT, D "/disks/hdc/media", NULL, "{\"pool\":\"p\",\"volume\":\"x.iso\"}", ADMIN);
}

/* ---- what the handlers' own checks add --------------------------------------------- */

static void test_handler_checks(void **state)
{
    /* the builders answer before any job exists */
    expect_refused(HTTP_POST, "/api/networks", NULL, "{\"name\":\"-bad\",\"mode\":\"isolated\"}",
                   ADMIN, 400, "field \"name\" must match [A-Za-z0-9][A-Za-z0-9_.-]{0,49}");
    assert_int_equal(
        prepare(HTTP_POST, "/api/networks", NULL, "{\"name\":\"n1\",\"mode\":\"isolated\"}", ADMIN),
        0);
    assert_non_null(call.state); /* the XML, for the worker */
    assert_non_null(strstr(call.state, "<name>n1</name>"));
    done();
    expect_refused(HTTP_POST, "/api/pools", NULL, "{\"name\":\"p\"}", ADMIN, 400,
                   "\"type\" must be dir, fs, netfs, logical, iscsi or rbd");
    expect_refused(HTTP_POST, D "/interfaces", NULL, "{\"model\":\"virtio\"}", ADMIN, 400,
                   "field \"network\", \"bridge\" or \"user\" is required");
    /* the MAC is the call's in lower case */
    assert_int_equal(prepare(HTTP_DELETE, D "/interfaces/52:54:00:AA:BB:CC", NULL, NULL, ADMIN), 0);
    assert_string_equal(call.item, "52:54:00:aa:bb:cc");
    assert_string_equal(call.uuid, UUID_OK);
    done();
}

/* PUT .../metadata: operators may, viewers may not (before the body is read); each
 * member by its rule with the reason; a description may have lines and tabs, a title
 * not; at least one member. */
static void test_domain_metadata(void **state)
{
    const char *path = D "/metadata";
    char body[UTF8_NAME_DESCRIPTION_MAX + 64];
    size_t used;

    expect_refused(HTTP_PUT, path, NULL, "{\"title\":\"x\"}", VIEWER, 403,
                   "role viewer may not change the title or description of domains");
    expect_refused(HTTP_PUT, path, NULL, "{bad", VIEWER, 403,
                   "role viewer may not change the title or description of domains");
    expect_ok(HTTP_PUT, path, NULL, "{\"title\":\"\u4e2d\u6587\u6807\u9898\"}", OPERATOR);
    expect_ok(HTTP_PUT, path, NULL, "{\"title\":\"\",\"description\":\"\"}", ADMIN);
    expect_ok(HTTP_PUT, path, NULL, "{\"description\":\"\u7b2c\u4e00\u884c\\n\\tsecond\"}",
              OPERATOR);
    expect_refused(HTTP_PUT, path, NULL, "{}", OPERATOR, 400,
                   "give \"title\", \"description\" or both");
    expect_refused(HTTP_PUT, path, NULL, "{\"name\":\"x\"}", OPERATOR, 400,
                   "unknown field \"name\"");
    expect_refused(HTTP_PUT, path, NULL, "{\"title\":null}", OPERATOR, 400,
                   "field \"title\" must be a string");
    expect_refused(HTTP_PUT, path, NULL, "{\"title\":\"a\\nb\"}", OPERATOR, 400,
                   "a JSON string holds the control character U+000A or U+0009 (a line break or "
                   "tab); only a multi-line field such as \"description\" may");
    expect_refused(HTTP_PUT, path, NULL, "{\"description\":\"a\\r\\nb\"}", OPERATOR, 400,
                   "a JSON string holds the control character U+000D (byte 17); no name or value "
                   "may");
    expect_refused(HTTP_PUT, path, NULL, "{\"title\":\"\xef\xbf\xbf\"}", OPERATOR, 400,
                   "field \"title\" is not a valid title: holds U+FFFE or U+FFFF, which XML "
                   "cannot hold");
    used = (size_t)snprintf(body, sizeof(body), "{\"description\":\"");
    memset(body + used, 'd', UTF8_NAME_DESCRIPTION_MAX);
    used += UTF8_NAME_DESCRIPTION_MAX;
    snprintf(body + used, sizeof(body) - used, "\"}");
    expect_ok(HTTP_PUT, path, NULL, body, OPERATOR);
    snprintf(body + used, sizeof(body) - used, "d\"}");
    expect_refused(HTTP_PUT, path, NULL, body, OPERATOR, 400,
                   "field \"description\" is too long or has a NUL");
}

/* The login throttle counts each attempt as it is checked; the 4th failure of one user
 * from one address waits, with Retry-After. */
static void test_login_throttle(void **state)
{
    const char *body = "{\"username\":\"victim\",\"password\":\"guess\"}";

    for (int i = 0; i < 3; i++) {
        assert_int_equal(prepare(HTTP_POST, "/api/login", NULL, body, NO_SESSION), 0);
        done();
    }
    assert_int_equal(prepare(HTTP_POST, "/api/login", NULL, body, NO_SESSION), -1);
    assert_int_equal(reply.err.status, 429);
    assert_true(reply.retry_after_s > 0);
    assert_non_null(strstr(reply.err.message, "too many failed logins; try again in"));
    done();
}

/* ---- answers and records ------------------------------------------------------------ */

static void test_reply_to_response(void **state)
{
    struct api_reply r;
    struct http_response resp;
    struct app_error err;

    api_reply_init(&r);
    http_response_init(&resp);
    api_reply_json(&r, 201, json_object_new_object());
    snprintf(r.cookie, sizeof(r.cookie), "virtdeck_session=abc; Path=/");
    api_reply_to_response(&r, &resp);
    assert_int_equal(resp.status, 201);
    assert_string_equal(resp.body.data, "{}\n");
    assert_true(http_response_has_header(&resp, "Set-Cookie"));
    assert_false(http_response_has_header(&resp, "Retry-After"));
    assert_string_equal(r.cookie, "");
    assert_null(r.json);
    http_response_free(&resp);

    http_response_init(&resp);
    app_error_set(&err, 429, APP_ERR_TOO_MANY, "wait");
    api_reply_error(&r, &err);
    r.retry_after_s = 7;
    assert_string_equal(api_reply_outcome(&r), APP_ERR_TOO_MANY);
    api_reply_to_response(&r, &resp);
    assert_int_equal(resp.status, 429);
    assert_non_null(strstr(resp.headers.data, "Retry-After: 7\r\n"));
    assert_non_null(strstr(resp.body.data, "\"too_many_requests\""));
    http_response_free(&resp);
    api_reply_clear(&r);
}

static void expect_audit_object(enum http_method method, const char *path, const char *want)
{
    char object[320];

    request(method, path, NULL, NULL, ADMIN);
    api_call_init(&call, route_row_for(&req.route, method), &req);
    api_job_audit_object(&call, object, sizeof(object));
    assert_string_equal(object, want);
    api_call_clear(&call);
}

static void test_audit_objects(void **state)
{
    expect_audit_object(HTTP_POST, D "/destroy", "domain:" UUID_OK);
    expect_audit_object(HTTP_DELETE, "/api/networks/lan0", "network:lan0");
    expect_audit_object(HTTP_POST, "/api/pools/p1/stop", "pool:p1");
    expect_audit_object(HTTP_POST, "/api/pools/p1/volumes/v.img/wipe", "volume:p1/v.img");
    expect_audit_object(HTTP_POST, "/api/networks", "");
}

/* The last audit record as "user|address|action|object|outcome". */
static void last_audit(sqlite3 *db, char *out, size_t outlen)
{
    sqlite3_stmt *st = NULL;

    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT username || '|' || address || '|' || action || '|' "
                                        "|| object || '|' || outcome FROM audit_log "
                                        "ORDER BY id DESC LIMIT 1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* api_job_record for a call on method path whose handler answered as given. */
static void record(sqlite3 *db, enum http_method method, const char *path, bool ok,
                   const char *suffix, const char *object, char *out, size_t outlen)
{
    struct api_reply r;
    struct app_error err;

    request(method, path, NULL, NULL, ADMIN);
    api_call_init(&call, route_row_for(&req.route, method), &req);
    call.db = db;
    api_reply_init(&r);
    if (ok) {
        api_reply_json(&r, 200, json_object_new_object());
    } else {
        app_error_set(&err, 409, APP_ERR_CONFLICT, "in use");
        api_reply_error(&r, &err);
    }
    r.audit_suffix = suffix;
    if (object)
        api_reply_audit_object(&r, "%s", object);
    api_job_record(&call, &r);
    last_audit(db, out, outlen);
    api_reply_clear(&r);
    api_call_clear(&call);
}

static void test_audit_records(void **state)
{
    char *dir = tmp_dir_make("api");
    struct app_error err;
    sqlite3 *db;
    char row[512];

    assert_non_null(dir);
    assert_non_null(db = store_open(dir, &err));
    record(db, HTTP_POST, D "/destroy", true, NULL, NULL, row, sizeof(row));
    assert_string_equal(row, "someone|127.0.0.9|destroy|domain:" UUID_OK "|ok");
    record(db, HTTP_POST, "/api/networks/lan0/autostart", false, "-off", NULL, row, sizeof(row));
    assert_string_equal(row, "someone|127.0.0.9|network-autostart-off|network:lan0|conflict");
    record(db, HTTP_DELETE, "/api/networks/lan0", true, "-force", NULL, row, sizeof(row));
    assert_string_equal(row, "someone|127.0.0.9|network-delete-force|network:lan0|ok");
    record(db, HTTP_POST, "/api/pools/p1/volumes", true, NULL, "volume:p1/new.qcow2", row,
           sizeof(row));
    assert_string_equal(row, "someone|127.0.0.9|volume-create|volume:p1/new.qcow2|ok");
    record(db, HTTP_POST, "/api/pools/p1/volumes/v.img/resize", false, NULL, NULL, row,
           sizeof(row));
    assert_string_equal(row, "someone|127.0.0.9|volume-resize|volume:p1/v.img|conflict");
    record(db, HTTP_DELETE, D "/interfaces/52:54:00:aa:bb:cc", true, NULL,
           "domain:" UUID_OK "/interface:52:54:00:aa:bb:cc", row, sizeof(row));
    assert_string_equal(row, "someone|127.0.0.9|interface-detach|domain:" UUID_OK
                             "/interface:52:54:00:aa:bb:cc|ok");
    store_close(db);
    tmp_dir_remove(dir);
}

/* api_handle answers refusals and inline rows at once, without a pool. */
static void test_handle_at_once(void **state)
{
    struct api_services services = {.session_max_s = 60};
    struct http_response resp;

    /* a refused read is answered at once (a refused change is first recorded on a
     * worker: api_job_submit_refusal, tests/integration/audit.test.mjs) */
    request(HTTP_GET, "/api/users", NULL, NULL, VIEWER);
    http_response_init(&resp);
    assert_int_equal(api_handle(&services, &req, &resp), API_DONE);
    assert_int_equal(resp.status, 403);
    assert_non_null(strstr(resp.body.data, "role viewer may not manage users"));
    http_response_free(&resp);

    request(HTTP_GET, "/api/session", NULL, NULL, OPERATOR);
    snprintf(req.session.csrf_token, sizeof(req.session.csrf_token), "c5rf");
    http_response_init(&resp);
    assert_int_equal(api_handle(&services, &req, &resp), API_DONE);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body.data, "\"role\":\"operator\""));
    assert_non_null(strstr(resp.body.data, "\"csrf_token\":\"c5rf\""));
    http_response_free(&resp);

    /* rows http_server serves itself never reach a handler */
    request(HTTP_GET, "/api/events", NULL, NULL, ADMIN);
    http_response_init(&resp);
    assert_int_equal(api_handle(&services, &req, &resp), API_DONE);
    assert_int_equal(resp.status, 404);
    http_response_free(&resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_row_has_its_handler),
        cmocka_unit_test(test_every_accepted_member_fits),
        cmocka_unit_test(test_role_before_input),
        cmocka_unit_test(test_domain_action_order),
        cmocka_unit_test(test_network_change_order),
        cmocka_unit_test(test_body_kinds),
        cmocka_unit_test(test_typed_members),
        cmocka_unit_test(test_handler_checks),
        cmocka_unit_test(test_domain_metadata),
        cmocka_unit_test(test_login_throttle),
        cmocka_unit_test(test_reply_to_response),
        cmocka_unit_test(test_audit_objects),
        cmocka_unit_test(test_audit_records),
        cmocka_unit_test(test_handle_at_once),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
