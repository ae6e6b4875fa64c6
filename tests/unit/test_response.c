/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_response: server/http/response.c — responses as plain values: JSON bodies (parsed
 * back with json-c), the error shape {"error":{"code","message"}}, reference handling of
 * _json vs _json_take, header lines (CR/LF refused, bounded), the body bound and move
 * semantics. Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <zlib.h>

#include "http/response.h"
#include "util/app_error.h"

/* Parses the body (which must end with one newline) as strict JSON. Caller puts. */
static struct json_object *parse_body(const struct http_response *resp)
{
    struct json_tokener *tok = json_tokener_new();
    struct json_object *obj;

    assert_non_null(resp->body.data);
    assert_true(resp->body.len >= 2);
    assert_int_equal(resp->body.data[resp->body.len - 1], '\n');
    assert_int_equal(strlen(resp->body.data), resp->body.len);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    obj = json_tokener_parse_ex(tok, resp->body.data, (int)resp->body.len - 1);
    assert_int_equal(json_tokener_get_error(tok), json_tokener_success);
    assert_int_equal(json_tokener_get_parse_end(tok), resp->body.len - 1);
    json_tokener_free(tok);
    assert_non_null(obj);
    return obj;
}

static const char *get_str(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;

    assert_true(json_object_object_get_ex(obj, key, &v));
    assert_true(json_object_is_type(v, json_type_string));
    return json_object_get_string(v);
}

/* Checks resp is exactly {"error":{"code":code,"message":message}} with status. */
static void expect_error(const struct http_response *resp, int status, const char *code,
                         const char *message)
{
    struct json_object *root = parse_body(resp);
    struct json_object *inner = NULL;

    assert_int_equal(resp->status, status);
    assert_string_equal(resp->content_type, "application/json");
    assert_true(json_object_is_type(root, json_type_object));
    assert_int_equal(json_object_object_length(root), 1);
    assert_true(json_object_object_get_ex(root, "error", &inner));
    assert_true(json_object_is_type(inner, json_type_object));
    assert_int_equal(json_object_object_length(inner), 2);
    assert_string_equal(get_str(inner, "code"), code);
    assert_string_equal(get_str(inner, "message"), message);
    json_object_put(root);
}

static void test_init_empty(void **state)
{
    struct http_response r;

    http_response_init(&r);
    assert_int_equal(r.status, 0);
    assert_null(r.content_type);
    assert_int_equal(r.body.len, 0);
    assert_int_equal(r.headers.len, 0);
    assert_int_equal(r.body.max, HTTP_RESPONSE_MAX_BODY);
    http_response_free(&r);
    http_response_free(NULL);
}

static void test_json_body(void **state)
{
    struct http_response r;
    struct json_object *obj = json_object_new_object();
    struct json_object *back;
    struct json_object *v = NULL;

    json_object_object_add(obj, "name", json_object_new_string("web/01 \"quoted\" é"));
    json_object_object_add(obj, "count", json_object_new_int(42));
    json_object_object_add(obj, "ok", json_object_new_boolean(1));
    http_response_init(&r);
    http_response_json(&r, 200, obj);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/json");
    /* Plain output, no slash escaping, one trailing newline. */
    assert_null(strstr(r.body.data, "\\/"));
    assert_non_null(strstr(r.body.data, "web/01"));
    assert_null(strstr(r.body.data, "\n\n"));
    back = parse_body(&r);
    assert_string_equal(get_str(back, "name"), "web/01 \"quoted\" é");
    assert_true(json_object_object_get_ex(back, "count", &v));
    assert_int_equal(json_object_get_int(v), 42);
    assert_true(json_object_object_get_ex(back, "ok", &v));
    assert_true(json_object_get_boolean(v));
    json_object_put(back);

    /* obj was not taken: we still hold the only reference. */
    assert_int_equal(json_object_put(obj), 1);
    http_response_free(&r);
}

static void test_json_replaces_body(void **state)
{
    struct http_response r;
    struct json_object *a = json_object_new_string("first");
    struct json_object *b = json_object_new_array();

    http_response_init(&r);
    http_response_json(&r, 201, a);
    http_response_json(&r, 202, b);
    assert_int_equal(r.status, 202);
    assert_string_equal(r.body.data, "[]\n");
    json_object_put(a);
    json_object_put(b);
    http_response_free(&r);
}

static void test_json_take_drops_reference(void **state)
{
    struct http_response r;
    struct json_object *obj = json_object_new_object();

    json_object_object_add(obj, "k", json_object_new_string("v"));
    json_object_get(obj); /* our extra reference */
    http_response_init(&r);
    http_response_json_take(&r, 200, obj);
    assert_string_equal(r.body.data, "{\"k\":\"v\"}\n");
    /* The take dropped one reference: ours is now the last. */
    assert_int_equal(json_object_put(obj), 1);
    http_response_free(&r);
}

static void test_error_shape(void **state)
{
    struct http_response r;
    struct app_error err;

    http_response_init(&r);
    app_error_set(&err, 404, APP_ERR_NOT_FOUND, "no domain \"%s\"", "web</script>");
    http_response_error(&r, &err);
    expect_error(&r, 404, "not_found", "no domain \"web</script>\"");
    http_response_free(&r);
}

/* A refused member: "field", and for a range "min" and "max" as numbers (a 16 TiB limit
 * is past 32 bits). */
static void test_error_field_limits(void **state)
{
    struct http_response r;
    struct app_error err;
    struct json_object *root, *inner = NULL, *v = NULL;

    http_response_init(&r);
    app_error_set(&err, 400, APP_ERR_BAD_REQUEST, "too big");
    app_error_at_range(&err, "", "capacity_bytes", 1, 17592186044416LL);
    http_response_error(&r, &err);
    root = parse_body(&r);
    assert_true(json_object_object_get_ex(root, "error", &inner));
    assert_int_equal(json_object_object_length(inner), 5);
    assert_string_equal(get_str(inner, "field"), "capacity_bytes");
    assert_true(json_object_object_get_ex(inner, "min", &v));
    assert_true(json_object_is_type(v, json_type_int));
    assert_true(json_object_get_int64(v) == 1);
    assert_true(json_object_object_get_ex(inner, "max", &v));
    assert_true(json_object_get_int64(v) == 17592186044416LL);
    json_object_put(root);

    /* a field without a range: no "min"/"max" */
    app_error_set(&err, 409, APP_ERR_CONFLICT, "taken");
    app_error_at_field(&err, "", "name");
    http_response_error(&r, &err);
    root = parse_body(&r);
    assert_true(json_object_object_get_ex(root, "error", &inner));
    assert_int_equal(json_object_object_length(inner), 3);
    assert_string_equal(get_str(inner, "field"), "name");
    json_object_put(root);
    http_response_free(&r);
}

static void test_error_defaults(void **state)
{
    struct http_response r;
    struct app_error err;

    /* status 0 → 500; code NULL → internal_error. */
    http_response_init(&r);
    app_error_clear(&err);
    http_response_error(&r, &err);
    expect_error(&r, 500, APP_ERR_INTERNAL, "");
    http_response_free(&r);
}

static void test_errorf(void **state)
{
    struct http_response r;
    char longmsg[400];
    char want[256];

    http_response_init(&r);
    http_response_errorf(&r, 409, APP_ERR_CONFLICT, "domain %s is %s (%d)", "web", "running", 1);
    expect_error(&r, 409, "conflict", "domain web is running (1)");

    /* A message longer than app_error's field is truncated, still valid JSON. */
    memset(longmsg, 'm', sizeof(longmsg) - 1);
    longmsg[sizeof(longmsg) - 1] = '\0';
    memset(want, 'm', sizeof(want) - 1);
    want[sizeof(want) - 1] = '\0';
    http_response_errorf(&r, 400, APP_ERR_BAD_REQUEST, "%s", longmsg);
    expect_error(&r, 400, "bad_request", want);

    /* Control characters and quotes in the message are escaped. */
    http_response_errorf(&r, 400, APP_ERR_BAD_REQUEST, "line1\nline2\t\"q\"\\");
    expect_error(&r, 400, "bad_request", "line1\nline2\t\"q\"\\");
    assert_null(memchr(r.body.data, '\n', r.body.len - 1));
    http_response_free(&r);
}

static void test_headers(void **state)
{
    struct http_response r;

    http_response_init(&r);
    http_response_header(&r, "Allow", "GET, HEAD");
    http_response_header(&r, "Cache-Control", "no-store");
    assert_string_equal(r.headers.data, "Allow: GET, HEAD\r\nCache-Control: no-store\r\n");
    http_response_free(&r);
}

static void test_header_injection_refused(void **state)
{
    struct http_response r;
    const char *want = "X-Ok: 1\r\n";

    http_response_init(&r);
    http_response_header(&r, "X-Ok", "1");
    http_response_header(&r, "X-Bad", "1\r\nSet-Cookie: evil=1");
    http_response_header(&r, "X-Bad", "1\nSet-Cookie: evil=1");
    http_response_header(&r, "X-Bad", "1\rx");
    http_response_header(&r, "X-Bad\r\nSet-Cookie", "evil");
    http_response_header(&r, "X-Bad\n", "v");
    http_response_header(&r, "\r", "v");
    assert_string_equal(r.headers.data, want);
    assert_int_equal(r.headers.len, strlen(want));
    assert_null(strstr(r.headers.data, "evil"));
    http_response_free(&r);
}

/* Content-Disposition (RFC 6266): an ASCII name as it is; any other name gets an ASCII
 * fallback (one '_' per character) and filename*=UTF-8'' with its bytes percent-encoded
 * (RFC 5987), so the download keeps the name in any script. */
static void expect_attachment(const char *filename, const char *want)
{
    struct http_response r;
    char line[1024];

    http_response_init(&r);
    http_response_attachment(&r, filename);
    snprintf(line, sizeof(line), "Content-Disposition: %s\r\n", want);
    assert_string_equal(r.headers.data, line);
    http_response_free(&r);
}

static void test_attachment(void **state)
{
    char name[256], want[1024];
    size_t used;

    expect_attachment("big.img", "attachment; filename=\"big.img\"");
    expect_attachment("a b%c.iso", "attachment; filename=\"a b%c.iso\"");
    expect_attachment("中文系统安装盘.iso",
                      "attachment; filename=\"_______.iso\"; filename*=UTF-8''"
                      "%E4%B8%AD%E6%96%87%E7%B3%BB%E7%BB%9F%E5%AE%89%E8%A3%85%E7%9B%98.iso");
    expect_attachment(
        "say \"hi\"\\.img",
        "attachment; filename=\"say _hi__.img\"; filename*=UTF-8''say%20%22hi%22%5C.img");
    expect_attachment("Cafe\xcc\x81 \xf0\x9f\x92\xbf;x=1'.raw",
                      "attachment; filename=\"Cafe_ _;x=1'.raw\"; "
                      "filename*=UTF-8''Cafe%CC%81%20%F0%9F%92%BF%3Bx%3D1%27.raw");
    /* the longest volume name (255 bytes: 85 characters of 3) fits */
    for (int i = 0; i < 85; i++)
        memcpy(name + 3 * i, "\xe7\x9b\x98", 3);
    name[255] = '\0';
    used = (size_t)snprintf(want, sizeof(want), "attachment; filename=\"");
    for (int i = 0; i < 85; i++)
        want[used++] = '_';
    used += (size_t)snprintf(want + used, sizeof(want) - used, "\"; filename*=UTF-8''");
    for (int i = 0; i < 85; i++)
        used += (size_t)snprintf(want + used, sizeof(want) - used, "%%E7%%9B%%98");
    expect_attachment(name, want);
}

/* Header space is bounded; dropped headers never leave a partial line behind. */
static void test_header_space_bounded(void **state)
{
    struct http_response r;
    char value[1000];
    size_t lines = 0;

    memset(value, 'v', sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0';
    http_response_init(&r);
    for (int i = 0; i < 40; i++)
        http_response_header(&r, "X-Big", value);
    assert_true(r.headers.len <= r.headers.max);
    assert_true(r.headers.len > 10000);
    assert_true(r.headers.len < 40 * (sizeof(value) + 8));
    for (const char *p = r.headers.data; (p = strstr(p, "\r\n")); p += 2)
        lines++;
    assert_int_equal(r.headers.len, lines * (strlen("X-Big: \r\n") + sizeof(value) - 1));
    http_response_free(&r);
}

/* A JSON body over HTTP_RESPONSE_MAX_BODY becomes a 500 internal_error. */
static void test_body_too_large(void **state)
{
    struct http_response r;
    size_t n = HTTP_RESPONSE_MAX_BODY;
    char *big = malloc(n);
    struct json_object *obj;

    assert_non_null(big);
    memset(big, 'a', n);
    obj = json_object_new_string_len(big, (int)n);
    free(big);
    http_response_init(&r);
    http_response_json_take(&r, 200, obj);
    expect_error(&r, 500, APP_ERR_INTERNAL, "response too large");
    http_response_free(&r);
}

static void test_move(void **state)
{
    struct http_response dst, src;

    http_response_init(&dst);
    http_response_init(&src);
    /* dst holds something that must be freed (ASan: no leak). */
    http_response_errorf(&dst, 500, APP_ERR_INTERNAL, "old");
    http_response_header(&dst, "X-Old", "1");

    http_response_errorf(&src, 404, APP_ERR_NOT_FOUND, "gone");
    http_response_header(&src, "X-New", "2");
    char *body = src.body.data;

    http_response_move(&dst, &src);
    assert_ptr_equal(dst.body.data, body); /* moved, not copied */
    expect_error(&dst, 404, "not_found", "gone");
    assert_string_equal(dst.headers.data, "X-New: 2\r\n");

    /* src is empty and reusable. */
    assert_int_equal(src.status, 0);
    assert_null(src.content_type);
    assert_null(src.body.data);
    assert_int_equal(src.body.len, 0);
    assert_null(src.headers.data);
    assert_int_equal(src.headers.len, 0);
    assert_int_equal(src.body.max, HTTP_RESPONSE_MAX_BODY);
    http_response_errorf(&src, 400, APP_ERR_BAD_REQUEST, "reuse");
    expect_error(&src, 400, "bad_request", "reuse");
    /* dst unaffected by src's reuse. */
    expect_error(&dst, 404, "not_found", "gone");

    /* Moving an empty response empties dst. */
    http_response_free(&src);
    http_response_init(&src);
    http_response_move(&dst, &src);
    assert_int_equal(dst.status, 0);
    assert_null(dst.body.data);
    http_response_free(&dst);
    http_response_free(&src);
}

/* A JSON response whose body is a string of n 'x' characters. */
static void json_of_size(struct http_response *resp, size_t n)
{
    char *s = calloc(n + 1, 1);
    struct json_object *obj;

    assert_non_null(s);
    memset(s, 'x', n);
    obj = json_object_new_object();
    json_object_object_add(obj, "a", json_object_new_string(s));
    http_response_json_take(resp, 200, obj);
    free(s);
}

/* Large JSON is gzipped only when accepted and not secret; Vary either way; the rest is
 * left alone. */
static void test_gzip_json(void **state)
{
    struct http_response resp;
    char *plain;
    size_t plain_len;
    unsigned char out[16384];
    uLongf out_len = sizeof(out);
    z_stream zs;

    http_response_init(&resp);
    json_of_size(&resp, 10000);
    plain_len = resp.body.len;
    plain = strdup(resp.body.data);
    assert_non_null(plain);
    http_response_gzip_json(&resp, true);
    assert_true(http_response_has_header(&resp, "Content-Encoding"));
    assert_non_null(strstr(resp.headers.data, "Vary: Accept-Encoding\r\n"));
    assert_non_null(strstr(resp.headers.data, "Content-Encoding: gzip\r\n"));
    assert_true(resp.body.len < plain_len / 10);
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
    zs.next_in = (Bytef *)resp.body.data;
    zs.avail_in = (uInt)resp.body.len;
    zs.next_out = out;
    zs.avail_out = (uInt)out_len;
    assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
    assert_int_equal(zs.total_out, plain_len);
    assert_memory_equal(out, plain, plain_len);
    inflateEnd(&zs);
    /* a second pass does not compress twice */
    plain_len = resp.body.len;
    http_response_gzip_json(&resp, true);
    assert_int_equal(resp.body.len, plain_len);
    http_response_free(&resp);

    /* not accepted: plain, but Vary */
    http_response_init(&resp);
    json_of_size(&resp, 10000);
    http_response_gzip_json(&resp, false);
    assert_false(http_response_has_header(&resp, "Content-Encoding"));
    assert_true(http_response_has_header(&resp, "Vary"));
    assert_string_equal(resp.body.data, plain);
    http_response_free(&resp);

    /* below HTTP_RESPONSE_GZIP_MIN: untouched */
    http_response_init(&resp);
    json_of_size(&resp, HTTP_RESPONSE_GZIP_MIN - 64);
    http_response_gzip_json(&resp, true);
    assert_null(resp.headers.data);
    http_response_free(&resp);

    /* a body holding a secret: never compressed, whatever its size (BREACH) */
    http_response_init(&resp);
    json_of_size(&resp, 10000);
    resp.secret = true;
    http_response_gzip_json(&resp, true);
    assert_false(http_response_has_header(&resp, "Content-Encoding"));
    assert_string_equal(resp.body.data, plain);
    http_response_free(&resp);

    /* not JSON: untouched */
    http_response_init(&resp);
    json_of_size(&resp, 10000);
    resp.content_type = "text/plain";
    http_response_gzip_json(&resp, true);
    assert_null(resp.headers.data);
    http_response_free(&resp);
    free(plain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_empty),
        cmocka_unit_test(test_gzip_json),
        cmocka_unit_test(test_json_body),
        cmocka_unit_test(test_json_replaces_body),
        cmocka_unit_test(test_json_take_drops_reference),
        cmocka_unit_test(test_error_shape),
        cmocka_unit_test(test_error_field_limits),
        cmocka_unit_test(test_error_defaults),
        cmocka_unit_test(test_errorf),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_header_injection_refused),
        cmocka_unit_test(test_attachment),
        cmocka_unit_test(test_header_space_bounded),
        cmocka_unit_test(test_body_too_large),
        cmocka_unit_test(test_move),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
