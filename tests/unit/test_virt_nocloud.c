/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_nocloud: server/virt/virt_nocloud.c — the check's refusals (each names its
 * field), the YAML of hostile values (quotes, backslashes, "#", ": ", "- ", unicode,
 * YAML 1.1 line breaks: each stays one double-quoted value on its own line, and decodes
 * back to the bytes given), the documents built from the fields, the SHA-512 hash, and
 * the ISO (volume id "cidata", a Joliet descriptor, exactly meta-data and user-data with
 * the expected bytes, read back by xorriso's own extractor). Single thread; the ISO is
 * read back in a private temp directory. */
#include <crypt.h>
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmp_dir.h"
#include "util/buf.h"
#include "virt/virt_nocloud.h"

extern char **environ;

static const struct virt_nocloud_seed base = {
    .instance_id = "iid-0123",
    .hostname = "web-1",
};

/* check(seed) must refuse with status 400 at field */
static void assert_refused(const struct virt_nocloud_seed *seed, const char *field)
{
    struct app_error err;

    app_error_clear(&err);
    assert_int_equal(virt_nocloud_check(seed, &err), -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.field, field);
}

static void test_check_refusals(void **state)
{
    struct virt_nocloud_seed s = base;
    struct app_error err;
    const char *keys[] = {"ssh-ed25519 AAAA a@b", "ssh-ed25519 AAAA\nssh-rsa BBBB"};
    char *big;

    (void)state;
    assert_int_equal(virt_nocloud_check(&s, &err), 0);
    s.instance_id = NULL;
    assert_refused(&s, "source.cloud_init.instance_id");
    s.instance_id = "a b";
    assert_refused(&s, "source.cloud_init.instance_id");
    s = base;
    s.hostname = NULL;
    assert_refused(&s, "source.cloud_init.hostname");
    const char *bad_hosts[] = {
        "",       "-web",
        "web-",   "a..b",
        "web_1",  "web 1",
        "web\n1", "wéb",
        "a.b.",   "0123456789012345678901234567890123456789012345678901234567890123"};
    for (size_t i = 0; i < sizeof(bad_hosts) / sizeof(bad_hosts[0]); i++) {
        s.hostname = bad_hosts[i];
        assert_refused(&s, "source.cloud_init.hostname");
    }
    s.hostname = "web-1.example.org";
    assert_int_equal(virt_nocloud_check(&s, &err), 0);
    s = base;
    const char *bad_users[] = {
        "", "Root", "1user", "us er", "us:er", "user\n", "a123456789012345678901234567890123"};
    for (size_t i = 0; i < sizeof(bad_users) / sizeof(bad_users[0]); i++) {
        s.user = bad_users[i];
        assert_refused(&s, "source.cloud_init.user");
    }
    s.user = "_deb-ian9";
    assert_int_equal(virt_nocloud_check(&s, &err), 0);
    s.password_hash = "$1$abc$def"; /* MD5: not accepted */
    assert_refused(&s, "source.cloud_init.password_hash");
    s.password_hash = "$6$salt$ha sh";
    assert_refused(&s, "source.cloud_init.password_hash");
    s.password_hash = "$6$rounds=5000$salt$hash./";
    assert_int_equal(virt_nocloud_check(&s, &err), 0);
    s.user = NULL; /* a password for cloud-init's default user: refused */
    assert_refused(&s, "source.cloud_init.user");
    s = base;
    s.ssh_keys = keys;
    s.ssh_key_count = 2;
    assert_refused(&s, "source.cloud_init.ssh_keys[1]");
    keys[1] = "ssh-rsa BBBB\xe2\x80\xa8x"; /* U+2028: a line break to YAML 1.1 */
    assert_refused(&s, "source.cloud_init.ssh_keys[1]");
    keys[1] = "ssh-rsa \xff\xfe";
    assert_refused(&s, "source.cloud_init.ssh_keys[1]");
    keys[1] = "";
    assert_refused(&s, "source.cloud_init.ssh_keys[1]");
    keys[1] = "ssh-rsa BBBB 用户@主机";
    assert_int_equal(virt_nocloud_check(&s, &err), 0);
    s.ssh_key_count = VIRT_NOCLOUD_SSH_KEYS_MAX + 1;
    assert_refused(&s, "source.cloud_init.ssh_keys");
    app_error_clear(&err);
    assert_int_equal(virt_nocloud_check(&s, &err), -1);
    assert_true(err.has_limits);
    assert_int_equal(err.max, VIRT_NOCLOUD_SSH_KEYS_MAX);
    s = base;
    s.user_data = "hostname: x\n";
    assert_refused(&s, "source.cloud_init.user_data");
    s.user_data = "#!/bin/sh\necho hi\n";
    assert_int_equal(virt_nocloud_check(&s, &err), 0);
    big = malloc(VIRT_NOCLOUD_USER_DATA_MAX + 2);
    assert_non_null(big);
    memset(big, 'a', VIRT_NOCLOUD_USER_DATA_MAX + 1);
    memcpy(big, "#cloud-config\n", 14);
    big[VIRT_NOCLOUD_USER_DATA_MAX + 1] = '\0';
    s.user_data = big;
    app_error_clear(&err);
    assert_int_equal(virt_nocloud_check(&s, &err), -1);
    assert_string_equal(err.field, "source.cloud_init.user_data");
    assert_true(err.has_limits);
    assert_int_equal(err.max, VIRT_NOCLOUD_USER_DATA_MAX);
    big[VIRT_NOCLOUD_USER_DATA_MAX] = '\0';
    assert_int_equal(virt_nocloud_check(&s, &err), 0);
    free(big);
}

/* Appends cp as UTF-8. */
static void put_utf8(struct buf *b, unsigned cp)
{
    unsigned char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (unsigned char)cp, n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xc0 | (cp >> 6)), u[1] = (unsigned char)(0x80 | (cp & 0x3f)), n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xe0 | (cp >> 12));
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (unsigned char)(0x80 | (cp & 0x3f)), n = 3;
    } else {
        u[0] = (unsigned char)(0xf0 | (cp >> 18));
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (unsigned char)(0x80 | (cp & 0x3f)), n = 4;
    }
    assert_int_equal(buf_append(b, u, n), 0);
}

/* line must be `<prefix>"<escaped>"` and nothing after the closing quote: returns the
 * decoded value (caller frees). Every byte of the line is printable ASCII: nothing
 * a YAML 1.1 reader could take for a line break or a comment outside the quotes. */
static char *yaml_value(const char *line, const char *prefix)
{
    struct buf out;
    const char *p;

    assert_memory_equal(line, prefix, strlen(prefix));
    for (p = line; *p && *p != '\n'; p++)
        assert_true(*p >= 0x20 && *p < 0x7f);
    p = line + strlen(prefix);
    assert_int_equal(*p, '"');
    p++;
    buf_init(&out, 1 << 20);
    while (*p != '"') {
        assert_true(*p != '\0' && *p != '\n');
        if (*p != '\\') {
            assert_int_equal(buf_append(&out, p++, 1), 0);
            continue;
        }
        p++;
        if (*p == '"' || *p == '\\') {
            assert_int_equal(buf_append(&out, p++, 1), 0);
        } else {
            int digits = *p == 'x' ? 2 : *p == 'u' ? 4 : *p == 'U' ? 8 : 0;
            char hex[9] = {0};

            assert_true(digits > 0);
            memcpy(hex, p + 1, (size_t)digits);
            assert_int_equal(strspn(hex, "0123456789abcdef"), (size_t)digits);
            put_utf8(&out, (unsigned)strtoul(hex, NULL, 16));
            p += 1 + digits;
        }
    }
    p++;
    assert_true(*p == '\n' || *p == '\0'); /* one value: the line ends with its quote */
    return buf_take(&out);
}

/* The line of doc that starts with prefix (the n-th such line, from 0). */
static const char *doc_line(const char *doc, const char *prefix, int n)
{
    const char *p = doc;

    while (p && *p) {
        if (strncmp(p, prefix, strlen(prefix)) == 0 && n-- == 0)
            return p;
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    fail_msg("no line \"%s\" in:\n%s", prefix, doc);
    return NULL;
}

static void assert_line_value(const char *doc, const char *prefix, int n, const char *want)
{
    char *got = yaml_value(doc_line(doc, prefix, n), prefix);

    assert_string_equal(got, want);
    free(got);
}

static void test_yaml_hostile(void **state)
{
    const char *keys[] = {
        "ssh-ed25519 AAAA \"quoted\" \\back\\slash",
        "ssh-rsa AAAA # not a comment: nor a key: - nor an item",
        "ssh-rsa AAAA 'single' {flow} [seq] &anchor *alias !tag |lit >fold %dir @at `tick`",
        "ssh-ed25519 AAAA 用户@主机 \xf0\x9f\x94\x91 caf\xc3\xa9 \xc2\xa0nbsp",
        "\"",
        ": x",
    };
    struct virt_nocloud_seed s = base;
    struct app_error err;
    char *meta = NULL, *user = NULL;

    (void)state;
    s.instance_id = "i\"d\\#:-x'{}";
    s.user = "debian";
    s.password_hash = "$6$abc$def";
    s.ssh_keys = keys;
    s.ssh_key_count = sizeof(keys) / sizeof(keys[0]);
    if (virt_nocloud_render(&s, &meta, &user, &err) != 0)
        fail_msg("%s (%s)", err.message, err.field);
    assert_string_equal(meta, "instance-id: \"i\\\"d\\\\#:-x'{}\"\nlocal-hostname: \"web-1\"\n");
    assert_line_value(meta, "instance-id: ", 0, s.instance_id);
    assert_memory_equal(user, "#cloud-config\n", 14);
    assert_line_value(user, "hostname: ", 0, "web-1");
    assert_line_value(user, "  - name: ", 0, "debian");
    assert_line_value(user, "    passwd: ", 0, "$6$abc$def");
    for (size_t i = 0; i < s.ssh_key_count; i++)
        assert_line_value(user, "      - ", (int)i, keys[i]);
    /* every key is one item: exactly as many item lines as keys */
    assert_null(strstr(doc_line(user, "      - ", (int)s.ssh_key_count - 1) + 1, "\n      - "));
    assert_non_null(strstr(user, "\n    lock_passwd: false\n"));
    assert_line_value(user, "    sudo: ", 0, "ALL=(ALL) NOPASSWD:ALL");
    assert_line_value(user, "    shell: ", 0, "/bin/bash");
    free(meta);
    free(user);
}

static void test_documents(void **state)
{
    const char *keys[] = {"ssh-ed25519 AAAA k1"};
    struct virt_nocloud_seed s = base;
    struct app_error err;
    char *meta = NULL, *user = NULL;

    (void)state;
    /* no user: cloud-init's default user, the keys at the top level */
    s.ssh_keys = keys;
    s.ssh_key_count = 1;
    assert_int_equal(virt_nocloud_render(&s, &meta, &user, &err), 0);
    assert_string_equal(user, "#cloud-config\nhostname: \"web-1\"\nusers:\n  - default\n"
                              "ssh_authorized_keys:\n  - \"ssh-ed25519 AAAA k1\"\n");
    free(meta);
    free(user);
    /* a named user without a password: locked (key logins only) */
    s.user = "ops";
    assert_int_equal(virt_nocloud_render(&s, &meta, &user, &err), 0);
    assert_string_equal(user, "#cloud-config\nhostname: \"web-1\"\nusers:\n  - name: \"ops\"\n"
                              "    lock_passwd: true\n    ssh_authorized_keys:\n"
                              "      - \"ssh-ed25519 AAAA k1\"\n"
                              "    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n    shell: \"/bin/bash\"\n");
    free(meta);
    free(user);
    /* the user's own user-data: as given; meta-data still from the fields */
    s.user_data = "#cloud-config\nruncmd: [\"true\"]\n";
    assert_int_equal(virt_nocloud_render(&s, &meta, &user, &err), 0);
    assert_string_equal(user, s.user_data);
    assert_string_equal(meta, "instance-id: \"iid-0123\"\nlocal-hostname: \"web-1\"\n");
    free(meta);
    free(user);
    /* a seed the check refuses renders nothing */
    s.hostname = "bad host";
    assert_int_equal(virt_nocloud_render(&s, &meta, &user, &err), -1);
    assert_null(meta);
    assert_null(user);
    assert_string_equal(err.field, "source.cloud_init.hostname");
}

static void test_hash(void **state)
{
    struct app_error err;
    char *a, *b;
    char long_pw[600];

    (void)state;
    a = virt_nocloud_hash_password("s3cret pass", &err);
    b = virt_nocloud_hash_password("s3cret pass", &err);
    assert_non_null(a);
    assert_non_null(b);
    assert_memory_equal(a, "$6$", 3);
    assert_string_not_equal(a, b); /* random salts */
    assert_string_equal(crypt("s3cret pass", a), a);
    assert_string_not_equal(crypt("other", a), a);
    free(a);
    free(b);
    app_error_clear(&err);
    assert_null(virt_nocloud_hash_password("", &err));
    assert_int_equal(err.status, 400);
    assert_string_equal(err.field, "source.cloud_init.password");
    memset(long_pw, 'x', sizeof(long_pw) - 1);
    long_pw[sizeof(long_pw) - 1] = '\0';
    app_error_clear(&err);
    assert_null(virt_nocloud_hash_password(long_pw, &err));
    assert_string_equal(err.field, "source.cloud_init.password");
}

/* Runs argv, its output to /dev/null; returns its exit status. */
static int run(char *const argv[])
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status = -1;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    assert_int_equal(posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct buf b;
    char chunk[4096];
    size_t n;

    assert_non_null(f);
    buf_init(&b, 1 << 20);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        assert_int_equal(buf_append(&b, chunk, n), 0);
    fclose(f);
    return buf_take(&b);
}

static void test_iso(void **state)
{
    const char *keys[] = {"ssh-ed25519 AAAA \"k\" # x: y", "ssh-rsa BBBB 主机"};
    struct virt_nocloud_seed s = base;
    struct app_error err;
    unsigned char *iso = NULL;
    size_t iso_len = 0;
    char *meta = NULL, *user = NULL, *dir = tmp_dir_make("nocloud");
    char *iso_path, *out, *got;
    struct dirent **names = NULL;
    int fd, n;

    (void)state;
    assert_non_null(dir);
    s.user = "debian";
    s.password_hash = "$6$abc$def";
    s.ssh_keys = keys;
    s.ssh_key_count = 2;
    assert_int_equal(virt_nocloud_render(&s, &meta, &user, &err), 0);
    assert_int_equal(virt_nocloud_build_iso(&s, &iso, &iso_len, &err), 0);
    /* the primary volume descriptor (sector 16): volume id at byte 40, space padded */
    assert_true(iso_len > 18 * 2048);
    assert_int_equal(iso[16 * 2048], 1);
    assert_memory_equal(iso + 16 * 2048 + 1, "CD001", 5);
    assert_memory_equal(iso + 16 * 2048 + 40, "cidata                          ", 32);
    /* a supplementary (Joliet) descriptor follows it */
    assert_int_equal(iso[17 * 2048], 2);
    iso_path = tmp_dir_path(dir, "seed.iso");
    out = tmp_dir_path(dir, "out");
    fd = open(iso_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, iso, iso_len), (ssize_t)iso_len);
    close(fd);
    {
        char *const argv[] = {"xorriso", "-no_rc",   "-osirrox", "on", "-indev",
                              iso_path,  "-extract", "/",        out,  NULL};

        assert_int_equal(run(argv), 0);
    }
    n = scandir(out, &names, NULL, alphasort);
    assert_int_equal(n, 4); /* ".", "..", and the two documents: Rock Ridge names */
    assert_string_equal(names[2]->d_name, "meta-data");
    assert_string_equal(names[3]->d_name, "user-data");
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(iso_path);
    iso_path = tmp_dir_path(out, "meta-data");
    got = read_all(iso_path);
    assert_string_equal(got, meta);
    free(got);
    free(iso_path);
    iso_path = tmp_dir_path(out, "user-data");
    got = read_all(iso_path);
    assert_string_equal(got, user);
    free(got);
    free(iso_path);
    free(out);
    free(meta);
    free(user);
    free(iso);
    assert_int_equal(tmp_dir_remove(dir), 0);
}

static void test_iso_failures(void **state)
{
    struct virt_nocloud_seed s = base;
    struct app_error err;
    unsigned char *iso = (unsigned char *)"x";
    size_t iso_len = 1;
    const char *path = getenv("PATH");
    char *saved = path ? strdup(path) : NULL;

    (void)state;
    /* a refused seed: 400, nothing run */
    s.hostname = "-bad";
    app_error_clear(&err);
    assert_int_equal(virt_nocloud_build_iso(&s, &iso, &iso_len, &err), -1);
    assert_null(iso);
    assert_int_equal(err.status, 400);
    /* no xorriso to run: 500 naming it */
    s = base;
    setenv("PATH", "/nonexistent", 1);
    app_error_clear(&err);
    assert_int_equal(virt_nocloud_build_iso(&s, &iso, &iso_len, &err), -1);
    assert_int_equal(err.status, 500);
    assert_non_null(strstr(err.message, "xorriso"));
    /* an xorriso that fails: 500 with its last line and exit status */
    {
        char *dir = tmp_dir_make("nocloud-fail");
        char *fake;
        FILE *f;

        assert_non_null(dir);
        fake = tmp_dir_path(dir, "xorriso");
        f = fopen(fake, "w");
        assert_non_null(f);
        fputs("#!/bin/sh\necho 'first line'\necho 'xorriso : FAILURE : disk full' >&2\nexit 3\n",
              f);
        fclose(f);
        assert_int_equal(chmod(fake, 0700), 0);
        setenv("PATH", dir, 1);
        app_error_clear(&err);
        assert_int_equal(virt_nocloud_build_iso(&s, &iso, &iso_len, &err), -1);
        assert_int_equal(err.status, 500);
        assert_string_equal(err.message, "xorriso failed (exit 3): xorriso : FAILURE : disk full");
        free(fake);
        assert_int_equal(tmp_dir_remove(dir), 0);
    }
    if (saved)
        setenv("PATH", saved, 1);
    free(saved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_refusals),
        cmocka_unit_test(test_yaml_hostile),
        cmocka_unit_test(test_documents),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_iso),
        cmocka_unit_test(test_iso_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
