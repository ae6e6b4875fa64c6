/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_static_files: path sanitizing, content types, fingerprints and the file cache of
 * server/http/static_files.c, against a private temp web root (with a symlink out of it).
 * Single-threaded. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "http/static_files.h"

static char test_dir[] = "/tmp/virtdeck-test-static.XXXXXX";
static char root[256];

static void path_in(char *out, size_t outlen, const char *rel)
{
    int n = snprintf(out, outlen, "%s/%s", test_dir, rel);

    assert_true(n > 0 && (size_t)n < outlen);
}

static void write_file(const char *rel, const void *data, size_t len)
{
    char path[512];
    FILE *fp;

    path_in(path, sizeof(path), rel);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static void write_text(const char *rel, const char *text)
{
    write_file(rel, text, strlen(text));
}

static void make_dir(const char *rel)
{
    char path[512];

    path_in(path, sizeof(path), rel);
    assert_int_equal(mkdir(path, 0755), 0);
}

static void make_link(const char *target, const char *rel)
{
    char path[512];

    path_in(path, sizeof(path), rel);
    assert_int_equal(symlink(target, path), 0);
}

static void remove_path(const char *rel, int is_dir)
{
    char path[512];

    path_in(path, sizeof(path), rel);
    if (is_dir)
        rmdir(path);
    else
        unlink(path);
}

/* ---- sanitize ------------------------------------------------------------ */

static void expect_clean(const char *url, const char *want)
{
    char out[256];

    if (static_files_sanitize(url, out, sizeof(out)) != 0)
        fail_msg("\"%s\" was refused", url);
    assert_string_equal(out, want);
}

static void expect_refused(const char *url)
{
    char out[256];

    if (static_files_sanitize(url, out, sizeof(out)) != -1)
        fail_msg("\"%s\" was accepted as \"%s\"", url, out);
}

static void test_sanitize(void **state)
{
    char small[8];

    expect_clean("/", "index.html");
    expect_clean("/index.html", "index.html");
    expect_clean("/js/app.js", "js/app.js");
    expect_clean("/views/", "views/index.html");
    expect_clean("/a%20b.txt", "a b.txt");
    expect_clean("/%41pp.JS", "App.JS");
    expect_clean("/file..name.js", "file..name.js");
    /* Decoded once: "%252e" is the literal name "%2e", not a dot segment. */
    expect_clean("/%252e%252e/x", "%2e%2e/x");

    expect_refused("");
    expect_refused("index.html");
    expect_refused("/..");
    expect_refused("/../etc/passwd");
    expect_refused("/js/../../etc/passwd");
    expect_refused("/js/..");
    expect_refused("/%2e%2e/etc/passwd");
    expect_refused("/%2E%2e/");
    expect_refused("/js/%2e%2E/%2e%2e/x");
    expect_refused("/.%2e/x");
    expect_refused("/js%2f..%2fx");
    expect_refused("/js%2Fapp.js");
    expect_refused("/..%5c..%5cwindows");
    expect_refused("/a\\b");
    expect_refused("/index.html%00.js");
    expect_refused("/a%0ab");
    expect_refused("/./index.html");
    expect_refused("/js/./app.js");
    expect_refused("/%2e/index.html");
    expect_refused("//");
    expect_refused("//etc/passwd");
    expect_refused("/js//app.js");
    expect_refused("/.git/config");
    expect_refused("/%");
    expect_refused("/%4");
    expect_refused("/%zz");
    /* Too long for the output buffer. */
    assert_int_equal(static_files_sanitize("/abcdefgh", small, sizeof(small)), -1);
    assert_int_equal(static_files_sanitize("/", small, sizeof(small)), -1);
}

static void test_content_type(void **state)
{
    assert_string_equal(static_files_content_type("index.html"), "text/html; charset=utf-8");
    assert_string_equal(static_files_content_type("a/b/app.js"), "text/javascript; charset=utf-8");
    assert_string_equal(static_files_content_type("m.mjs"), "text/javascript; charset=utf-8");
    assert_string_equal(static_files_content_type("s.CSS"), "text/css; charset=utf-8");
    assert_string_equal(static_files_content_type("d.json"), "application/json");
    assert_string_equal(static_files_content_type("i.svg"), "image/svg+xml");
    assert_string_equal(static_files_content_type("i.png"), "image/png");
    assert_string_equal(static_files_content_type("i.jpg"), "image/jpeg");
    assert_string_equal(static_files_content_type("favicon.ico"), "image/x-icon");
    assert_string_equal(static_files_content_type("f.woff2"), "font/woff2");
    assert_string_equal(static_files_content_type("m.wasm"), "application/wasm");
    assert_string_equal(static_files_content_type("r.txt"), "text/plain; charset=utf-8");
    assert_string_equal(static_files_content_type("app.js.map"), "application/json");
    assert_string_equal(static_files_content_type("noext"), "application/octet-stream");
    assert_string_equal(static_files_content_type("x.exe"), "application/octet-stream");
    assert_string_equal(static_files_content_type(".js"), "application/octet-stream");
    assert_string_equal(static_files_content_type("dir.js/file"), "application/octet-stream");
}

static void test_fingerprint(void **state)
{
    assert_true(static_files_is_fingerprinted("app.0123abcd.js"));
    assert_true(static_files_is_fingerprinted("js/vendor.0123456789abcdef.css"));
    assert_true(static_files_is_fingerprinted("a.b.deadbeef.js"));
    assert_false(static_files_is_fingerprinted("app.0123abc.js"));  /* 7 hex */
    assert_false(static_files_is_fingerprinted("app.0123ABCD.js")); /* upper case */
    assert_false(static_files_is_fingerprinted("app.0123abcg.js")); /* not hex */
    assert_false(static_files_is_fingerprinted("0123abcd.js"));     /* no name */
    assert_false(static_files_is_fingerprinted(".0123abcd.js"));
    assert_false(static_files_is_fingerprinted("app.0123abcd.")); /* no extension */
    assert_false(static_files_is_fingerprinted("app.0123abcd"));
    assert_false(static_files_is_fingerprinted("app.js"));
    assert_false(static_files_is_fingerprinted("x.0123abcd/app.js"));
    assert_false(static_files_is_fingerprinted(NULL));
}

/* ---- the cache against a real web root ----------------------------------- */

static const char index_html[] = "<!doctype html><title>virtdeck</title>\n";
static const char app_js[] = "export const answer = 42;\n";
static const char secret[] = "outside the web root\n";
#define BIG_LINES 4000

static char *big_text(size_t *len)
{
    size_t cap = BIG_LINES * 64;
    char *text = malloc(cap);
    size_t n = 0;

    assert_non_null(text);
    for (int i = 0; i < BIG_LINES; i++)
        n += (size_t)snprintf(text + n, cap - n, "line %05d: the quick brown fox jumps\n", i);
    *len = n;
    return text;
}

static int setup_root(void **state)
{
    size_t big_len;
    char *big;
    char target[512];
    int fd;

    if (!mkdtemp(test_dir))
        return -1;
    path_in(root, sizeof(root), "www");
    make_dir("www");
    make_dir("www/js");
    make_dir("www/views");
    make_dir("www/emptydir");
    make_dir("outside");
    write_text("www/index.html", index_html);
    write_text("www/js/app.js", app_js);
    write_text("www/js/app.0123abcd.js", app_js);
    write_text("www/views/index.html", "<p>views</p>\n");
    write_text("www/.hidden", "hidden\n");
    write_text("outside/secret.txt", secret);
    big = big_text(&big_len);
    write_file("www/big.txt", big, big_len);
    free(big);
    /* A symlink out of the root (file and directory), and one that stays inside. */
    path_in(target, sizeof(target), "outside/secret.txt");
    make_link(target, "www/escape.txt");
    path_in(target, sizeof(target), "outside");
    make_link(target, "www/outdir");
    make_link("js/app.js", "www/alias.js");
    /* Just over the 8 MiB limit (sparse). */
    path_in(target, sizeof(target), "www/huge.txt");
    fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, 8 * 1024 * 1024 + 1) < 0 || close(fd) < 0)
        return -1;
    return 0;
}

static int teardown_root(void **state)
{
    static const char *const files[] = {
        "www/index.html", "www/js/app.js", "www/js/app.0123abcd.js", "www/views/index.html",
        "www/.hidden",    "www/big.txt",   "www/escape.txt",         "www/outdir",
        "www/alias.js",   "www/huge.txt",  "outside/secret.txt",     "www/changing.txt",
    };
    static const char *const dirs[] = {"www/js", "www/views", "www/emptydir", "www", "outside"};

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        remove_path(files[i], 0);
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        remove_path(dirs[i], 1);
    return rmdir(test_dir);
}

static void test_new(void **state)
{
    char path[512];

    assert_null(static_files_new(NULL));
    path_in(path, sizeof(path), "no-such-dir");
    assert_null(static_files_new(path));
    path_in(path, sizeof(path), "www/index.html");
    assert_null(static_files_new(path)); /* not a directory */
    static_files_free(NULL);
}

static void assert_etag_shape(const char *etag)
{
    assert_int_equal(strlen(etag), 34);
    assert_int_equal(etag[0], '"');
    assert_int_equal(etag[33], '"');
    for (int i = 1; i < 33; i++)
        assert_non_null(strchr("0123456789abcdef", etag[i]));
}

static void test_get_basic(void **state)
{
    struct static_files *files = static_files_new(root);
    struct static_file f;

    assert_non_null(files);
    assert_int_equal(static_files_get(files, "/", false, &f), 0);
    assert_int_equal(f.len, strlen(index_html));
    assert_memory_equal(f.data, index_html, f.len);
    assert_string_equal(f.content_type, "text/html; charset=utf-8");
    assert_string_equal(f.cache_control, "no-cache");
    assert_false(f.gzipped);
    assert_etag_shape(f.etag);

    assert_int_equal(static_files_get(files, "/index.html", true, &f), 0);
    assert_false(f.gzipped); /* too small for gzip to win */
    assert_int_equal(f.len, strlen(index_html));

    assert_int_equal(static_files_get(files, "/js/app.js", false, &f), 0);
    assert_memory_equal(f.data, app_js, f.len);
    assert_string_equal(f.content_type, "text/javascript; charset=utf-8");
    assert_string_equal(f.cache_control, "no-cache");

    assert_int_equal(static_files_get(files, "/js/app.0123abcd.js", false, &f), 0);
    assert_string_equal(f.cache_control, "public, max-age=31536000, immutable");

    /* Directories map to their index.html, with or without a trailing slash. */
    assert_int_equal(static_files_get(files, "/views", false, &f), 0);
    assert_memory_equal(f.data, "<p>views</p>\n", f.len);
    assert_int_equal(static_files_get(files, "/views/", false, &f), 0);
    assert_memory_equal(f.data, "<p>views</p>\n", f.len);
    assert_int_equal(static_files_get(files, "/emptydir/", false, &f), -1);

    /* A symlink that stays inside the root is fine. */
    assert_int_equal(static_files_get(files, "/alias.js", false, &f), 0);
    assert_memory_equal(f.data, app_js, f.len);

    assert_int_equal(static_files_get(files, "/missing.js", false, &f), -1);
    assert_int_equal(static_files_get(files, "/js/../index.html", false, &f), -1);
    assert_int_equal(static_files_get(files, "/.hidden", false, &f), -1);
    static_files_free(files);
}

static void test_refuses_escape(void **state)
{
    struct static_files *files = static_files_new(root);
    struct static_file f;
    char path[512];
    struct stat st;

    assert_non_null(files);
    /* The symlinks exist and point at readable files: only the root check refuses them. */
    path_in(path, sizeof(path), "www/escape.txt");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(static_files_get(files, "/escape.txt", false, &f), -1);
    assert_int_equal(static_files_get(files, "/outdir/secret.txt", false, &f), -1);
    assert_int_equal(static_files_get(files, "/outdir/", false, &f), -1);
    assert_int_equal(static_files_get(files, "/%2e%2e/outside/secret.txt", false, &f), -1);
    /* Over 8 MiB. */
    assert_int_equal(static_files_get(files, "/huge.txt", false, &f), -1);
    static_files_free(files);
}

static void test_gzip(void **state)
{
    struct static_files *files = static_files_new(root);
    struct static_file f;
    size_t big_len;
    char *big = big_text(&big_len);
    unsigned char *plain = malloc(big_len + 16);
    z_stream zs;
    char etag[64];

    assert_non_null(files);
    assert_non_null(plain);
    assert_int_equal(static_files_get(files, "/big.txt", false, &f), 0);
    assert_false(f.gzipped);
    assert_int_equal(f.len, big_len);
    assert_memory_equal(f.data, big, big_len);
    snprintf(etag, sizeof(etag), "%s", f.etag);

    assert_int_equal(static_files_get(files, "/big.txt", true, &f), 0);
    assert_true(f.gzipped);
    assert_true(f.len < big_len);
    assert_string_equal(f.etag, etag);
    assert_string_equal(f.content_type, "text/plain; charset=utf-8");
    assert_int_equal(f.data[0], 0x1f); /* gzip magic */
    assert_int_equal(f.data[1], 0x8b);

    memset(&zs, 0, sizeof(zs));
    assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)f.data;
    zs.avail_in = (uInt)f.len;
    zs.next_out = plain;
    zs.avail_out = (uInt)(big_len + 16);
    assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
    assert_int_equal(zs.total_out, big_len);
    assert_memory_equal(plain, big, big_len);
    inflateEnd(&zs);

    free(plain);
    free(big);
    static_files_free(files);
}

static void test_etag_changes(void **state)
{
    struct static_files *files = static_files_new(root);
    struct static_file f;
    char etag1[64];
    char etag2[64];
    char path[512];
    struct timespec times[2];

    assert_non_null(files);
    write_text("www/changing.txt", "version one\n");
    assert_int_equal(static_files_get(files, "/changing.txt", false, &f), 0);
    snprintf(etag1, sizeof(etag1), "%s", f.etag);
    /* Stable while the file is unchanged. */
    assert_int_equal(static_files_get(files, "/changing.txt", false, &f), 0);
    assert_string_equal(f.etag, etag1);
    /* A fresh cache computes the same ETag for the same bytes. */
    {
        struct static_files *other = static_files_new(root);
        struct static_file g;

        assert_int_equal(static_files_get(other, "/changing.txt", false, &g), 0);
        assert_string_equal(g.etag, etag1);
        static_files_free(other);
    }

    /* New size: re-read. */
    write_text("www/changing.txt", "version two, longer\n");
    assert_int_equal(static_files_get(files, "/changing.txt", false, &f), 0);
    assert_memory_equal(f.data, "version two, longer\n", f.len);
    snprintf(etag2, sizeof(etag2), "%s", f.etag);
    assert_string_not_equal(etag1, etag2);

    /* Same size, same inode, different bytes: the new mtime triggers the re-read. */
    write_text("www/changing.txt", "version 2?, longer\n\n");
    path_in(path, sizeof(path), "www/changing.txt");
    times[0].tv_sec = 1000000000;
    times[0].tv_nsec = 0;
    times[1] = times[0];
    assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
    assert_int_equal(static_files_get(files, "/changing.txt", false, &f), 0);
    assert_memory_equal(f.data, "version 2?, longer\n\n", f.len);
    assert_string_not_equal(f.etag, etag2);

    /* Removed: not found, even though it was cached. */
    remove_path("www/changing.txt", 0);
    assert_int_equal(static_files_get(files, "/changing.txt", false, &f), -1);
    static_files_free(files);
}

static void test_many_files(void **state)
{
    /* More entries than the initial bucket count: exercises the table's growth. */
    struct static_files *files = static_files_new(root);
    struct static_file f;
    char rel[64];
    char url[64];

    assert_non_null(files);
    for (int i = 0; i < 150; i++) {
        snprintf(rel, sizeof(rel), "www/f%03d.txt", i);
        write_text(rel, rel);
    }
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 150; i++) {
            snprintf(url, sizeof(url), "/f%03d.txt", i);
            snprintf(rel, sizeof(rel), "www/f%03d.txt", i);
            assert_int_equal(static_files_get(files, url, false, &f), 0);
            assert_int_equal(f.len, strlen(rel));
            assert_memory_equal(f.data, rel, f.len);
        }
    }
    for (int i = 0; i < 150; i++) {
        snprintf(rel, sizeof(rel), "www/f%03d.txt", i);
        remove_path(rel, 0);
    }
    static_files_free(files);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sanitize),    cmocka_unit_test(test_content_type),
        cmocka_unit_test(test_fingerprint), cmocka_unit_test(test_new),
        cmocka_unit_test(test_get_basic),   cmocka_unit_test(test_refuses_escape),
        cmocka_unit_test(test_gzip),        cmocka_unit_test(test_etag_changes),
        cmocka_unit_test(test_many_files),
    };

    return cmocka_run_group_tests(tests, setup_root, teardown_root);
}
