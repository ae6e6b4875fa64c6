/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_config: defaults, file parsing, value checks and listen parsing of server/config.c.
 * Single-threaded; writes its config files into a private temp directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char test_dir[] = "/tmp/virtdeck-test-config.XXXXXX";

static char *write_conf(const char *name, const char *text)
{
    char *path = NULL;
    FILE *fp;
    size_t n = strlen(test_dir) + strlen(name) + 2;

    path = malloc(n);
    assert_non_null(path);
    snprintf(path, n, "%s/%s", test_dir, name);
    fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
    return path;
}

static void remove_conf(char *path)
{
    unlink(path);
    free(path);
}

static void test_defaults(void **state)
{
    struct config c;
    char err[256] = "";
    struct stat st;

    config_init(&c);
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.listen_port, 9443);
    assert_string_equal(c.uri, "qemu:///system");
    assert_string_equal(c.state_dir, "/var/lib/virtdeck");
    assert_null(c.cert_file);
    assert_null(c.key_file);
    assert_int_equal(c.session_idle_s, 900);
    assert_int_equal(c.session_max_s, 43200);
    assert_string_equal(c.allowed_origins, "");
    assert_int_equal(c.workers, 4);
    assert_string_equal(c.log_level, "info");
    assert_string_equal(c.pool_roots, "/var/lib/libvirt/images");
    assert_string_equal(c.pool_types, "dir,netfs,iscsi,rbd");
    assert_string_equal(c.domain_type, "auto");
    assert_int_equal(c.metrics_interval_s, 10);
    assert_int_equal(c.metrics_interval_watched_s, 2);
    assert_int_equal(c.metrics_keep_deleted_hours, 24);
    /* Run from the build tree: the web build's output wins when it exists. */
    if (stat(VIRTDECK_SOURCE_DIR "/build/web", &st) == 0 && S_ISDIR(st.st_mode))
        assert_string_equal(c.web_root, VIRTDECK_SOURCE_DIR "/build/web");
    else
        assert_string_equal(c.web_root, "/usr/share/virtdeck/web");
    assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
    config_free(&c);
    config_free(&c); /* a freed config is empty; freeing it again is harmless */
    config_free(NULL);
}

static void test_load_file(void **state)
{
    struct config c;
    char err[256] = "";
    char *path =
        write_conf("good.conf", "# virtdeck settings\n"
                                "\n"
                                "   # indented comment\n"
                                "listen = 0.0.0.0:8443\n"
                                "uri=test:///default\n"
                                "  state_dir   =   /srv/vd  \n"
                                "web_root = \"/srv/web root\"\n"
                                "cert = /etc/vd/c.pem\r\n"
                                "key = /etc/vd/k.pem\n"
                                "session_idle_timeout = 120\n"
                                "session_max_lifetime = 31536000\n"
                                "allowed_origins = \"https://a.example, https://b.example\"\n"
                                "workers = 64\n"
                                "log_level = debug\n");

    config_init(&c);
    assert_int_equal(config_load_file(&c, path, true, err, sizeof(err)), 0);
    assert_string_equal(c.listen_host, "0.0.0.0");
    assert_int_equal(c.listen_port, 8443);
    assert_string_equal(c.uri, "test:///default");
    assert_string_equal(c.state_dir, "/srv/vd");
    assert_string_equal(c.web_root, "/srv/web root");
    assert_string_equal(c.cert_file, "/etc/vd/c.pem");
    assert_string_equal(c.key_file, "/etc/vd/k.pem");
    assert_int_equal(c.session_idle_s, 120);
    assert_int_equal(c.session_max_s, 31536000);
    assert_string_equal(c.allowed_origins, "https://a.example, https://b.example");
    assert_int_equal(c.workers, 64);
    assert_string_equal(c.log_level, "debug");
    assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
    config_free(&c);
    remove_conf(path);
}

static void test_empty_quoted_value(void **state)
{
    struct config c;
    char err[256] = "";
    char *path = write_conf("empty.conf", "allowed_origins = \"\"\ncert = \"\"\n");

    config_init(&c);
    assert_int_equal(config_set(&c, "allowed_origins", "x", err, sizeof(err)), 0);
    assert_int_equal(config_load_file(&c, path, true, err, sizeof(err)), 0);
    assert_string_equal(c.allowed_origins, "");
    assert_null(c.cert_file);
    config_free(&c);
    remove_conf(path);
}

static void test_missing_file(void **state)
{
    struct config c;
    char err[256] = "";
    char path[256];

    snprintf(path, sizeof(path), "%s/does-not-exist.conf", test_dir);
    config_init(&c);
    assert_int_equal(config_load_file(&c, path, false, err, sizeof(err)), 0);
    assert_int_equal(c.listen_port, 9443);
    assert_int_equal(config_load_file(&c, path, true, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "does-not-exist.conf"));
    config_free(&c);
}

/* Loads text and expects failure at line; returns nothing, checks err's prefix. */
static void expect_load_error(const char *text, int line, const char *needle)
{
    struct config c;
    char err[512] = "";
    char prefix[512];
    char *path = write_conf("bad.conf", text);

    config_init(&c);
    assert_int_equal(config_load_file(&c, path, true, err, sizeof(err)), -1);
    snprintf(prefix, sizeof(prefix), "%s:%d: ", path, line);
    if (strncmp(err, prefix, strlen(prefix)) != 0)
        fail_msg("error \"%s\" does not start with \"%s\"", err, prefix);
    if (needle && !strstr(err, needle))
        fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
    config_free(&c);
    remove_conf(path);
}

static void test_file_errors(void **state)
{
    expect_load_error("# ok\nlisten = :1\nbogus_key = 1\n", 3, "unknown key \"bogus_key\"");
    expect_load_error("workers = 4\nthis line has no equals\n", 2, NULL);
    expect_load_error("= value\n", 1, "malformed key");
    expect_load_error("uri = \"test:///default\n", 1, "quotes");
    expect_load_error("uri = test:///default\"\n", 1, "quotes");
    expect_load_error("\n\n\nworkers = 0\n", 4, "workers");
    expect_load_error("session_idle_timeout = 59\n", 1, "session_idle_timeout");
    expect_load_error("log_level = loud\n", 1, "log_level");
    expect_load_error("listen = 127.0.0.1\n", 1, "listen");
    expect_load_error("uri =\n", 1, "uri");
}

static void expect_int_rejected(const char *key, const char *value)
{
    struct config c;
    char err[256] = "";

    config_init(&c);
    if (config_set(&c, key, value, err, sizeof(err)) != -1)
        fail_msg("%s = \"%s\" was accepted", key, value);
    assert_non_null(strstr(err, key));
    /* A failed set leaves the default. */
    assert_int_equal(c.workers, 4);
    assert_int_equal(c.session_idle_s, 900);
    assert_int_equal(c.session_max_s, 43200);
    config_free(&c);
}

static void test_bad_ints(void **state)
{
    static const char *const bad[] = {
        "", "0", "65", "-1", "+4", " 4", "4 ", "4x", "0x10", "1e2", "99999999999999999999", "4.0"};
    struct config c;
    char err[256] = "";

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_int_rejected("workers", bad[i]);
    expect_int_rejected("session_idle_timeout", "59");
    expect_int_rejected("session_idle_timeout", "31536001");
    expect_int_rejected("session_max_lifetime", "2147483648");
    expect_int_rejected("session_max_lifetime", "12h");

    expect_int_rejected("max_connections_per_address", "0");
    expect_int_rejected("max_handshakes_per_address", "100001");
    expect_int_rejected("first_request_timeout", "0");
    expect_int_rejected("first_request_timeout", "301");
    expect_int_rejected("metrics_interval", "0");
    expect_int_rejected("metrics_interval", "3601");
    expect_int_rejected("metrics_interval_watched", "0");
    expect_int_rejected("metrics_interval_watched", "3601");
    expect_int_rejected("metrics_keep_deleted_hours", "-1");
    expect_int_rejected("metrics_keep_deleted_hours", "87841");

    config_init(&c);
    assert_int_equal(c.max_connections_per_address, 256);
    assert_int_equal(c.max_handshakes_per_address, 32);
    assert_int_equal(c.first_request_timeout_s, 5);
    assert_string_equal(c.server_names, "");
    assert_int_equal(config_set(&c, "workers", "1", err, sizeof(err)), 0);
    assert_int_equal(c.workers, 1);
    assert_int_equal(config_set(&c, "session_idle_timeout", "60", err, sizeof(err)), 0);
    assert_int_equal(c.session_idle_s, 60);
    assert_int_equal(config_set(&c, "max_connections_per_address", "1000", err, sizeof(err)), 0);
    assert_int_equal(c.max_connections_per_address, 1000);
    assert_int_equal(config_set(&c, "max_handshakes_per_address", "8", err, sizeof(err)), 0);
    assert_int_equal(c.max_handshakes_per_address, 8);
    assert_int_equal(config_set(&c, "first_request_timeout", "300", err, sizeof(err)), 0);
    assert_int_equal(c.first_request_timeout_s, 300);
    assert_int_equal(config_set(&c, "metrics_interval", "3600", err, sizeof(err)), 0);
    assert_int_equal(c.metrics_interval_s, 3600);
    assert_int_equal(config_set(&c, "metrics_interval_watched", "1", err, sizeof(err)), 0);
    assert_int_equal(config_set(&c, "metrics_keep_deleted_hours", "0", err, sizeof(err)), 0);
    assert_int_equal(c.metrics_keep_deleted_hours, 0);
    assert_int_equal(c.metrics_interval_watched_s, 1);
    assert_int_equal(config_set(&c, "server_names", "a.example, b.example", err, sizeof(err)), 0);
    assert_string_equal(c.server_names, "a.example, b.example");
    config_free(&c);
}

/* metrics_token: off by default; 16-200 printable characters without spaces, or "" (off);
 * metrics_token_file reads the first line of a file; a bad one changes nothing. */
static void test_metrics_token(void **state)
{
    struct config c;
    char err[256] = "";
    char path[] = "/tmp/virtdeck-test-token-XXXXXX";
    int fd;

    config_init(&c);
    assert_string_equal(c.metrics_token, "");
    assert_int_equal(config_set(&c, "metrics_token", "0123456789abcdef", err, sizeof(err)), 0);
    assert_string_equal(c.metrics_token, "0123456789abcdef");
    assert_int_equal(config_set(&c, "metrics_token", "short", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "metrics_token"));
    assert_int_equal(config_set(&c, "metrics_token", "0123456789 abcdef", err, sizeof(err)), -1);
    assert_string_equal(c.metrics_token, "0123456789abcdef");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "from-a-file-0123456789\nsecond line\n", 35), 35);
    close(fd);
    assert_int_equal(config_set(&c, "metrics_token_file", path, err, sizeof(err)), 0);
    assert_string_equal(c.metrics_token, "from-a-file-0123456789");
    unlink(path);
    assert_int_equal(config_set(&c, "metrics_token_file", path, err, sizeof(err)), -1);
    assert_string_equal(c.metrics_token, "from-a-file-0123456789");
    assert_int_equal(config_set(&c, "metrics_token", "", err, sizeof(err)), 0);
    assert_string_equal(c.metrics_token, "");
    config_free(&c);
}

/* pool_roots and pool_types take checked lists; a bad one names its entry and changes
 * nothing. (The lists themselves: test_virt_pool_policy.) */
static void test_pool_keys(void **state)
{
    struct config c;
    char err[256] = "";

    config_init(&c);
    assert_int_equal(config_set(&c, "pool_roots", "/srv/pools, /mnt", err, sizeof(err)), 0);
    assert_string_equal(c.pool_roots, "/srv/pools, /mnt");
    assert_int_equal(config_set(&c, "pool_types", "dir,fs", err, sizeof(err)), 0);
    assert_string_equal(c.pool_types, "dir,fs");
    assert_int_equal(config_set(&c, "pool_roots", "", err, sizeof(err)), 0);
    assert_string_equal(c.pool_roots, "");
    assert_int_equal(config_set(&c, "pool_roots", "/srv/x,relative", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "relative"));
    assert_int_equal(config_set(&c, "pool_roots", "/srv/../etc", err, sizeof(err)), -1);
    assert_int_equal(config_set(&c, "pool_types", "dir,zfs", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "zfs"));
    assert_string_equal(c.pool_roots, "");
    assert_string_equal(c.pool_types, "dir,fs");
    config_free(&c);
}

/* domain_type is auto, kvm or qemu; anything else is refused and changes nothing. */
static void test_domain_type(void **state)
{
    struct config c;
    char err[256] = "";

    config_init(&c);
    assert_int_equal(config_set(&c, "domain_type", "qemu", err, sizeof(err)), 0);
    assert_string_equal(c.domain_type, "qemu");
    assert_int_equal(config_set(&c, "domain_type", "kvm", err, sizeof(err)), 0);
    assert_int_equal(config_set(&c, "domain_type", "xen", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "xen"));
    assert_int_equal(config_set(&c, "domain_type", "", err, sizeof(err)), -1);
    assert_string_equal(c.domain_type, "kvm");
    config_free(&c);
}

/* The alert keys: the webhook URL (http:// only), the retry time, mail, and alert_rule,
 * which repeats (each line one rule) and refuses a bad rule naming its field. */
static void test_alert_keys(void **state)
{
    struct config c;
    char err[256] = "";

    config_init(&c);
    assert_string_equal(c.alert_webhook_url, "");
    assert_int_equal(c.alert_webhook_retry_minutes, 60);
    assert_string_equal(c.alert_sendmail, "/usr/sbin/sendmail");
    assert_string_equal(c.alert_rules, "");
    assert_int_equal(
        config_set(&c, "alert_webhook_url", "http://127.0.0.1:9000/hook", err, sizeof(err)), 0);
    assert_int_equal(config_set(&c, "alert_webhook_url", "https://example.org/", err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "http://"));
    assert_int_equal(config_set(&c, "alert_webhook_url", "http://h:99999/", err, sizeof(err)), -1);
    assert_string_equal(c.alert_webhook_url, "http://127.0.0.1:9000/hook");
    assert_int_equal(config_set(&c, "alert_webhook_retry_minutes", "0", err, sizeof(err)), -1);
    assert_int_equal(config_set(&c, "alert_webhook_retry_minutes", "5", err, sizeof(err)), 0);
    assert_int_equal(c.alert_webhook_retry_minutes, 5);
    assert_int_equal(config_set(&c, "alert_sendmail", "sendmail", err, sizeof(err)), -1);
    assert_int_equal(config_set(&c, "alert_email_to", "ops@example.org", err, sizeof(err)), 0);
    assert_int_equal(config_set(&c, "alert_rule", "{\"name\":\"a\",\"metric\":\"vm_crashed\"}", err,
                                sizeof(err)),
                     0);
    assert_int_equal(config_set(&c, "alert_rule",
                                "{\"name\":\"b\",\"metric\":\"libvirt_unreachable\"}", err,
                                sizeof(err)),
                     0);
    assert_string_equal(c.alert_rules, "{\"name\":\"a\",\"metric\":\"vm_crashed\"}\n"
                                       "{\"name\":\"b\",\"metric\":\"libvirt_unreachable\"}");
    assert_int_equal(
        config_set(&c, "alert_rule", "{\"name\":\"c\",\"metric\":\"nope\"}", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "\"metric\""));
    assert_int_equal(config_set(&c, "alert_colour", "red", err, sizeof(err)), -1);
    config_free(&c);
}

static void test_pam_keys(void **state)
{
    struct config c;
    char err[256] = "";

    config_init(&c);
    assert_false(c.pam);
    assert_false(c.totp_required_for_admins);
    assert_int_equal(config_set(&c, "totp_required_for_admins", "true", err, sizeof(err)), 0);
    assert_true(c.totp_required_for_admins);
    assert_int_equal(config_set(&c, "totp_required_for_admins", "yes", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "totp_required_for_admins: expected true or false"));
    assert_true(c.totp_required_for_admins);
    assert_int_equal(config_set(&c, "totp_required_for_admins", "false", err, sizeof(err)), 0);
    assert_false(c.totp_required_for_admins);
    assert_string_equal(c.pam_groups[0], "");
    assert_int_equal(config_set(&c, "pam", "on", err, sizeof(err)), 0);
    assert_true(c.pam);
    assert_int_equal(config_set(&c, "pam", "yes", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "pam: expected on or off"));
    assert_true(c.pam);
    assert_int_equal(config_set(&c, "pam_admin_group", "wheel", err, sizeof(err)), 0);
    assert_int_equal(config_set(&c, "pam_viewer_group", "staff", err, sizeof(err)), 0);
    assert_string_equal(c.pam_groups[0], "wheel");
    assert_string_equal(c.pam_groups[3], "staff");
    assert_int_equal(config_set(&c, "pam_helper", "/opt/helper", err, sizeof(err)), 0);
    assert_string_equal(c.pam_helper, "/opt/helper");
    assert_int_equal(config_set(&c, "pam_helper", "helper", err, sizeof(err)), -1);
    assert_string_equal(c.pam_helper, "/opt/helper");
    assert_int_equal(config_set(&c, "pam_root_group", "x", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "unknown key"));
    config_free(&c);
}

static void expect_listen(const char *text, const char *host, int port)
{
    char *h = NULL;
    int p = 0;

    if (config_parse_listen(text, &h, &p) != 0)
        fail_msg("listen \"%s\" was refused", text);
    assert_string_equal(h, host);
    assert_int_equal(p, port);
    free(h);
}

static void expect_listen_bad(const char *text)
{
    char *h = NULL;
    int p = 0;

    if (config_parse_listen(text, &h, &p) != -1)
        fail_msg("listen \"%s\" was accepted", text);
    assert_null(h);
}

static void test_listen(void **state)
{
    expect_listen("127.0.0.1:9443", "127.0.0.1", 9443);
    expect_listen("0.0.0.0:1", "0.0.0.0", 1);
    expect_listen("localhost:65535", "localhost", 65535);
    expect_listen("[::1]:9443", "::1", 9443);
    expect_listen("[::]:443", "::", 443);
    expect_listen(":9443", "127.0.0.1", 9443);

    expect_listen_bad("127.0.0.1");
    expect_listen_bad("127.0.0.1:");
    expect_listen_bad("127.0.0.1:0");
    expect_listen_bad("127.0.0.1:65536");
    expect_listen_bad("127.0.0.1:-1");
    expect_listen_bad("127.0.0.1:94x3");
    expect_listen_bad("::1:9443");
    expect_listen_bad("[::1]9443");
    expect_listen_bad("[::1]:");
    expect_listen_bad("[]:9443");
    expect_listen_bad("[127.0.0.1]:9443");
    expect_listen_bad("");
    expect_listen_bad(":");
}

/* Flags are applied with config_set after the file: the later value wins. */
static void test_flags_override(void **state)
{
    struct config c;
    char err[256] = "";
    char *path = write_conf("flags.conf", "listen = 10.0.0.1:8000\nworkers = 8\nuri = a:///\n");

    config_init(&c);
    assert_int_equal(config_load_file(&c, path, true, err, sizeof(err)), 0);
    assert_int_equal(config_set(&c, "listen", "[::1]:9000", err, sizeof(err)), 0);
    assert_int_equal(config_set(&c, "uri", "test:///default", err, sizeof(err)), 0);
    assert_string_equal(c.listen_host, "::1");
    assert_int_equal(c.listen_port, 9000);
    assert_string_equal(c.uri, "test:///default");
    assert_int_equal(c.workers, 8); /* untouched by flags: the file's value */
    /* A bad flag is refused and leaves the file's value. */
    assert_int_equal(config_set(&c, "listen", "nope", err, sizeof(err)), -1);
    assert_int_equal(c.listen_port, 9000);
    assert_int_equal(config_set(&c, "nonsense", "1", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "nonsense"));
    config_free(&c);
    remove_conf(path);
}

static void test_validate(void **state)
{
    struct config c;
    char err[256] = "";

    config_init(&c);
    assert_int_equal(config_set(&c, "cert", "/x.pem", err, sizeof(err)), 0);
    assert_int_equal(config_validate(&c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cert"));
    assert_int_equal(config_set(&c, "key", "/k.pem", err, sizeof(err)), 0);
    assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
    assert_int_equal(config_set(&c, "session_idle_timeout", "50000", err, sizeof(err)), 0);
    assert_int_equal(config_validate(&c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "session_idle_timeout"));
    config_free(&c);
}

static int setup(void **state)
{
    return mkdtemp(test_dir) ? 0 : -1;
}

/* main.conf then main.conf.d/NAME.conf in byte order: later files win; other names and
 * hidden files are skipped; an error names the drop-in's file and line. */
static void test_dropins(void **state)
{
    struct config c;
    char err[512] = "";
    char dir[512];
    char *main_path = write_conf("main.conf", "workers = 2\nlog_level = warn\n");
    char *a, *b, *skip, *hidden, *bad;

    snprintf(dir, sizeof(dir), "%s/main.conf.d", test_dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    a = write_conf("main.conf.d/10-a.conf", "workers = 3\nsession_idle_timeout = 120\n");
    b = write_conf("main.conf.d/20-b.conf", "workers = 5\n");
    skip = write_conf("main.conf.d/30-c.conf.dpkg-old", "workers = 7\n");
    hidden = write_conf("main.conf.d/.40-d.conf", "workers = 9\n");

    config_init(&c);
    assert_int_equal(config_load_file(&c, main_path, true, err, sizeof(err)), 0);
    assert_int_equal(c.workers, 5);
    assert_int_equal(c.session_idle_s, 120);
    assert_string_equal(c.log_level, "warn");
    config_free(&c);

    bad = write_conf("main.conf.d/25-bad.conf", "\n# comment\nworkers = many\n");
    config_init(&c);
    assert_int_equal(config_load_file(&c, main_path, true, err, sizeof(err)), -1);
    if (!strstr(err, "main.conf.d/25-bad.conf:3: workers"))
        fail_msg("error \"%s\" does not name the drop-in's line", err);
    config_free(&c);

    remove_conf(bad);
    remove_conf(a);
    remove_conf(b);
    remove_conf(skip);
    remove_conf(hidden);
    assert_int_equal(rmdir(dir), 0);
    remove_conf(main_path);
}

/* SIGHUP's diff: live keys named in applied, others in restart and set back to the
 * running value; listen (two fields) named once; nothing changed: both empty. */
static void test_reload_diff(void **state)
{
    struct config running, fresh;
    char err[256] = "", applied[256], restart[256];

    config_init(&running);
    config_init(&fresh);
    config_reload_diff(&fresh, &running, applied, sizeof(applied), restart, sizeof(restart));
    assert_string_equal(applied, "");
    assert_string_equal(restart, "");

    assert_int_equal(config_set(&fresh, "log_level", "debug", err, sizeof(err)), 0);
    assert_int_equal(config_set(&fresh, "session_idle_timeout", "60", err, sizeof(err)), 0);
    assert_int_equal(config_set(&fresh, "allowed_origins", "https://a.example", err, sizeof(err)),
                     0);
    assert_int_equal(config_set(&fresh, "listen", "0.0.0.0:8443", err, sizeof(err)), 0);
    assert_int_equal(config_set(&fresh, "workers", "8", err, sizeof(err)), 0);
    assert_int_equal(config_set(&fresh, "cert", "/etc/c.pem", err, sizeof(err)), 0);
    assert_int_equal(config_set(&fresh, "pam", "on", err, sizeof(err)), 0);
    assert_int_equal(config_set(&fresh, "pam_viewer_group", "staff", err, sizeof(err)), 0);
    config_reload_diff(&fresh, &running, applied, sizeof(applied), restart, sizeof(restart));
    assert_string_equal(applied, "session_idle_timeout, allowed_origins, log_level");
    assert_string_equal(restart, "listen, cert, workers, pam, pam_viewer_group");
    /* the live values stay, the restart-only ones are the running ones again */
    assert_string_equal(fresh.log_level, "debug");
    assert_int_equal(fresh.session_idle_s, 60);
    assert_string_equal(fresh.allowed_origins, "https://a.example");
    assert_string_equal(fresh.listen_host, "127.0.0.1");
    assert_int_equal(fresh.listen_port, 9443);
    assert_int_equal(fresh.workers, 4);
    assert_null(fresh.cert_file);
    assert_false(fresh.pam);
    assert_string_equal(fresh.pam_groups[3], "");
    /* so the same change is named again by the next reload */
    config_reload_diff(&fresh, &running, applied, sizeof(applied), restart, sizeof(restart));
    assert_string_equal(restart, "");

    /* names cut to fit, still terminated */
    assert_int_equal(config_set(&fresh, "workers", "8", err, sizeof(err)), 0);
    assert_int_equal(config_set(&fresh, "uri", "test:///default", err, sizeof(err)), 0);
    config_reload_diff(&fresh, &running, applied, 4, restart, 8);
    assert_true(strlen(applied) < 4 && strlen(restart) < 8);
    config_free(&fresh);
    config_free(&running);
}

static int teardown(void **state)
{
    return rmdir(test_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_empty_quoted_value),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_bad_ints),
        cmocka_unit_test(test_listen),
        cmocka_unit_test(test_flags_override),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_metrics_token),
        cmocka_unit_test(test_pool_keys),
        cmocka_unit_test(test_domain_type),
        cmocka_unit_test(test_pam_keys),
        cmocka_unit_test(test_alert_keys),
        cmocka_unit_test(test_dropins),
        cmocka_unit_test(test_reload_diff),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
