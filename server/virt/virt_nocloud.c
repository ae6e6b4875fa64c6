/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_nocloud: the NoCloud seed: checks, YAML documents, password hash, ISO (see
 * virt_nocloud.h).
 *
 * Check and render are pure (any thread); hashing and building the ISO block and run on
 * workers. Every value a user gives reaches the YAML as one double-quoted scalar written
 * in ASCII: '"' and '\' escaped, control characters and everything beyond ASCII as
 * \xNN/\uNNNN/\UNNNNNNNN (so no byte of it can end the value, start a comment or a new
 * key, and no line break of YAML 1.1 — NEL, LS, PS — survives raw). A user_data given
 * whole is the user's own document and is written as given.
 *
 * The ISO: a private mkdtemp directory (0700) under $TMPDIR or /tmp holds root/meta-data,
 * root/user-data (0600) and the image xorriso writes; xorriso runs through spawn_start
 * (posix_spawnp with an argv array, no shell; see util/spawn.h), its output's last bytes
 * naming the failure.
 * The directory is removed before returning, whatever happened. */
#include "virt/virt_nocloud.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/spawn.h"
#include "util/xalloc.h"

#define NOCLOUD_FIELD        "source.cloud_init."
#define NOCLOUD_ID_MAX       128
#define NOCLOUD_HOSTNAME_MAX 253
#define NOCLOUD_LABEL_MAX    63
#define NOCLOUD_USER_MAX     32
#define NOCLOUD_HASH_MAX     512
/* Both documents together stay far below this (keys, user_data and escapes included). */
#define NOCLOUD_DOC_MAX                                                                            \
    (VIRT_NOCLOUD_USER_DATA_MAX + VIRT_NOCLOUD_SSH_KEYS_MAX * 10 * VIRT_NOCLOUD_SSH_KEY_LEN_MAX)
/* A seed of two small files is a few hundred KiB; anything bigger is not ours. */
#define NOCLOUD_ISO_MAX (16 * 1024 * 1024)
/* xorriso's last words kept for the error message. */
#define NOCLOUD_OUTPUT_TAIL 512

static int nocloud_refuse(struct app_error *err, const char *key, const char *what)
{
    app_error_set(err, 400, APP_ERR_BAD_REQUEST, "cloud-init %s: %s", key, what);
    app_error_at_field(err, NOCLOUD_FIELD, key);
    return -1;
}

/* Decodes one UTF-8 character at s (n bytes left) into *cp; returns its length, or 0
 * for an invalid, overlong or surrogate sequence. */
static size_t nocloud_utf8_next(const unsigned char *s, size_t n, unsigned *cp)
{
    size_t len;
    unsigned c, min;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0) {
        len = 2, c = s[0] & 0x1fu, min = 0x80;
    } else if ((s[0] & 0xf0) == 0xe0) {
        len = 3, c = s[0] & 0x0fu, min = 0x800;
    } else if ((s[0] & 0xf8) == 0xf0) {
        len = 4, c = s[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3fu);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* True if s is valid UTF-8 with no control character (C0, DEL, C1) and no YAML 1.1
 * line break (U+2028, U+2029). */
static bool nocloud_one_line(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);

    while (n > 0) {
        unsigned cp;
        size_t len = nocloud_utf8_next(p, n, &cp);

        if (len == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x2028 || cp == 0x2029)
            return false;
        p += len;
        n -= len;
    }
    return true;
}

bool virt_nocloud_hostname_valid(const char *h)
{
    size_t n = strlen(h), label = 0;

    if (n == 0 || n > NOCLOUD_HOSTNAME_MAX)
        return false;
    for (size_t i = 0; i <= n; i++) {
        char c = h[i];

        if (c == '.' || c == '\0') {
            /* a label: 1-63 characters, no '-' at either end */
            if (label == 0 || label > NOCLOUD_LABEL_MAX || h[i - 1] == '-' || h[i - label] == '-')
                return false;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-') {
            label++;
        } else {
            return false;
        }
    }
    return true;
}

static bool nocloud_user_ok(const char *u)
{
    size_t n = strlen(u);

    if (n == 0 || n > NOCLOUD_USER_MAX || !((u[0] >= 'a' && u[0] <= 'z') || u[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = u[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* A crypt(3) string of SHA-512, SHA-256 or yescrypt: its alphabet only ("rounds=N" and
 * yescrypt's parameters included). */
static bool nocloud_hash_ok(const char *h)
{
    size_t n = strlen(h);

    if (n > NOCLOUD_HASH_MAX ||
        (strncmp(h, "$6$", 3) != 0 && strncmp(h, "$5$", 3) != 0 && strncmp(h, "$y$", 3) != 0))
        return false;
    return strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./$=,") == n;
}

static bool nocloud_id_ok(const char *id)
{
    size_t n = strlen(id);

    if (n == 0 || n > NOCLOUD_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (id[i] <= 0x20 || id[i] >= 0x7f)
            return false;
    return true;
}

int virt_nocloud_check(const struct virt_nocloud_seed *seed, struct app_error *err)
{
    if (!seed->instance_id || !nocloud_id_ok(seed->instance_id))
        return nocloud_refuse(err, "instance_id", "1 to 128 printable ASCII characters, no space");
    if (!seed->hostname || !virt_nocloud_hostname_valid(seed->hostname))
        return nocloud_refuse(err, "hostname",
                              "letters, digits and '-' in dot-separated labels of 1 to 63 "
                              "characters, no '-' at a label's ends, at most 253 in all");
    if (seed->user && !nocloud_user_ok(seed->user))
        return nocloud_refuse(err, "user",
                              "a lower-case letter or '_', then lower-case letters, digits, "
                              "'_' or '-', at most 32");
    if (seed->password_hash && !nocloud_hash_ok(seed->password_hash))
        return nocloud_refuse(err, "password_hash", "not a $6$, $5$ or $y$ crypt(3) hash");
    if (seed->password_hash && !seed->user)
        return nocloud_refuse(err, "user", "a password needs a user name");
    if (seed->ssh_key_count > VIRT_NOCLOUD_SSH_KEYS_MAX) {
        nocloud_refuse(err, "ssh_keys", "too many keys");
        app_error_at_range(err, NOCLOUD_FIELD, "ssh_keys", 0, VIRT_NOCLOUD_SSH_KEYS_MAX);
        return -1;
    }
    for (size_t i = 0; i < seed->ssh_key_count; i++) {
        const char *key = seed->ssh_keys[i];
        char name[32];

        snprintf(name, sizeof(name), "ssh_keys[%zu]", i);
        if (!key || key[0] == '\0' || strlen(key) > VIRT_NOCLOUD_SSH_KEY_LEN_MAX ||
            !nocloud_one_line(key))
            return nocloud_refuse(err, name,
                                  "one line of text (no line break or control character), "
                                  "at most 16384 bytes");
    }
    if (seed->user_data) {
        if (strlen(seed->user_data) > VIRT_NOCLOUD_USER_DATA_MAX) {
            nocloud_refuse(err, "user_data", "too long");
            app_error_at_range(err, NOCLOUD_FIELD, "user_data", 0, VIRT_NOCLOUD_USER_DATA_MAX);
            return -1;
        }
        if (strncmp(seed->user_data, "#cloud-config", 13) != 0 &&
            strncmp(seed->user_data, "#!", 2) != 0)
            return nocloud_refuse(err, "user_data", "must start with \"#cloud-config\" or \"#!\"");
    }
    return 0;
}

/* Appends s as one YAML double-quoted scalar in ASCII (see the file comment). s is
 * checked UTF-8 (an invalid byte is written as \xNN, still one value). */
static int nocloud_yaml_scalar(struct buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);

    if (buf_append_str(b, "\"") < 0)
        return -1;
    while (n > 0) {
        unsigned cp;
        size_t len = nocloud_utf8_next(p, n, &cp);
        int rc;

        if (len == 0) {
            rc = buf_appendf(b, "\\x%02x", p[0]);
            len = 1;
        } else if (cp == '"' || cp == '\\') {
            rc = buf_appendf(b, "\\%c", (char)cp);
        } else if (cp >= 0x20 && cp < 0x7f) {
            rc = buf_append(b, p, 1);
        } else if (cp < 0x100) {
            rc = buf_appendf(b, "\\x%02x", cp);
        } else if (cp < 0x10000) {
            rc = buf_appendf(b, "\\u%04x", cp);
        } else {
            rc = buf_appendf(b, "\\U%08x", cp);
        }
        if (rc < 0)
            return -1;
        p += len;
        n -= len;
    }
    return buf_append_str(b, "\"");
}

/* "<indent><key>: <scalar>\n" */
static int nocloud_yaml_pair(struct buf *b, const char *indent, const char *key, const char *value)
{
    if (buf_appendf(b, "%s%s: ", indent, key) < 0 || nocloud_yaml_scalar(b, value) < 0)
        return -1;
    return buf_append_str(b, "\n");
}

static int nocloud_yaml_keys(struct buf *b, const char *indent,
                             const struct virt_nocloud_seed *seed)
{
    if (seed->ssh_key_count == 0)
        return 0;
    if (buf_appendf(b, "%sssh_authorized_keys:\n", indent) < 0)
        return -1;
    for (size_t i = 0; i < seed->ssh_key_count; i++) {
        if (buf_appendf(b, "%s  - ", indent) < 0 || nocloud_yaml_scalar(b, seed->ssh_keys[i]) < 0 ||
            buf_append_str(b, "\n") < 0)
            return -1;
    }
    return 0;
}

/* The #cloud-config built from the fields: the host name, then either cloud-init's
 * default user (with the keys at the top level, which cloud-init gives that user) or
 * the one named user, with sudo and a login shell. Its password is locked unless a hash
 * is given (key-only logins then). */
static int nocloud_user_data_build(struct buf *b, const struct virt_nocloud_seed *seed)
{
    if (buf_append_str(b, "#cloud-config\n") < 0 ||
        nocloud_yaml_pair(b, "", "hostname", seed->hostname) < 0)
        return -1;
    if (!seed->user)
        return buf_append_str(b, "users:\n  - default\n") < 0 ? -1 : nocloud_yaml_keys(b, "", seed);
    if (buf_append_str(b, "users:\n") < 0 || nocloud_yaml_pair(b, "  - ", "name", seed->user) < 0)
        return -1;
    if (seed->password_hash && nocloud_yaml_pair(b, "    ", "passwd", seed->password_hash) < 0)
        return -1;
    if (buf_appendf(b, "    lock_passwd: %s\n", seed->password_hash ? "false" : "true") < 0 ||
        nocloud_yaml_keys(b, "    ", seed) < 0 ||
        nocloud_yaml_pair(b, "    ", "sudo", "ALL=(ALL) NOPASSWD:ALL") < 0 ||
        nocloud_yaml_pair(b, "    ", "shell", "/bin/bash") < 0)
        return -1;
    return 0;
}

int virt_nocloud_render(const struct virt_nocloud_seed *seed, char **meta_data, char **user_data,
                        struct app_error *err)
{
    struct buf meta, user;
    int ret = -1;

    *meta_data = NULL;
    *user_data = NULL;
    buf_init(&meta, NOCLOUD_DOC_MAX);
    buf_init(&user, NOCLOUD_DOC_MAX);
    if (virt_nocloud_check(seed, err) < 0)
        goto cleanup;
    if (nocloud_yaml_pair(&meta, "", "instance-id", seed->instance_id) < 0 ||
        nocloud_yaml_pair(&meta, "", "local-hostname", seed->hostname) < 0 ||
        (seed->user_data ? buf_append_str(&user, seed->user_data)
                         : nocloud_user_data_build(&user, seed)) < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cloud-init documents too large");
        goto cleanup;
    }
    *meta_data = buf_take(&meta);
    *user_data = buf_take(&user);
    ret = 0;

cleanup:
    buf_free(&meta);
    if (user.data)
        OPENSSL_cleanse(user.data, user.len);
    buf_free(&user);
    return ret;
}

char *virt_nocloud_hash_password(const char *password, struct app_error *err)
{
    unsigned char rnd[16];
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    struct crypt_data *data = xcalloc(1, sizeof(*data));
    const char *res;
    char *out = NULL;

    if (!password || password[0] == '\0' || strlen(password) >= CRYPT_MAX_PASSPHRASE_SIZE) {
        nocloud_refuse(err, "password", "1 to 511 bytes");
        goto cleanup;
    }
    if (RAND_bytes(rnd, sizeof(rnd)) != 1 ||
        !crypt_gensalt_rn("$6$", 0, (const char *)rnd, (int)sizeof(rnd), salt, (int)sizeof(salt))) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot make a password salt");
        goto cleanup;
    }
    res = crypt_rn(password, salt, data, (int)sizeof(*data));
    /* A failed crypt_rn returns NULL; some libcrypt builds return "*..." instead. */
    if (!res || strncmp(res, "$6$", 3) != 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot hash the password");
        goto cleanup;
    }
    out = xstrdup(res);

cleanup:
    OPENSSL_cleanse(rnd, sizeof(rnd));
    OPENSSL_cleanse(salt, sizeof(salt));
    OPENSSL_cleanse(data, sizeof(*data));
    free(data);
    return out;
}

/* ---- the ISO ------------------------------------------------------------------------- */

/* dir/name in a new string. */
static char *nocloud_path(const char *dir, const char *name)
{
    return xasprintf("%s/%s", dir, name);
}

static int nocloud_write_file(const char *path, const char *text, struct app_error *err)
{
    size_t len = strlen(text), done = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    int ret = -1;

    if (fd < 0)
        goto fail;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto fail;
        done += (size_t)n;
    }
    ret = 0;
    goto cleanup;

fail:
    app_error_set(err, 500, APP_ERR_INTERNAL, "cannot write the cloud-init seed: %s",
                  strerror(errno));
cleanup:
    if (fd >= 0 && close(fd) < 0 && ret == 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot write the cloud-init seed: %s",
                      strerror(errno));
        ret = -1;
    }
    return ret;
}

static int nocloud_read_file(const char *path, unsigned char **out, size_t *out_len,
                             struct app_error *err)
{
    unsigned char *data = NULL;
    size_t done = 0;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int ret = -1;

    if (fd < 0 || fstat(fd, &st) < 0)
        goto fail;
    if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > NOCLOUD_ISO_MAX) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "xorriso wrote no usable image");
        goto cleanup;
    }
    data = xmalloc((size_t)st.st_size);
    while (done < (size_t)st.st_size) {
        ssize_t n = read(fd, data + done, (size_t)st.st_size - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto fail;
        if (n == 0)
            break;
        done += (size_t)n;
    }
    if (done != (size_t)st.st_size) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "the seed image shrank while read");
        goto cleanup;
    }
    *out = data;
    *out_len = done;
    data = NULL;
    ret = 0;
    goto cleanup;

fail:
    app_error_set(err, 500, APP_ERR_INTERNAL, "cannot read the seed image: %s", strerror(errno));
cleanup:
    free(data);
    if (fd >= 0)
        close(fd);
    return ret;
}

/* Keeps the last NOCLOUD_OUTPUT_TAIL bytes read from fd until end of file. */
static void nocloud_drain(int fd, char *tail, size_t *tail_len)
{
    char chunk[4096];

    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        if ((size_t)n >= NOCLOUD_OUTPUT_TAIL) {
            memcpy(tail, chunk + n - NOCLOUD_OUTPUT_TAIL, NOCLOUD_OUTPUT_TAIL);
            *tail_len = NOCLOUD_OUTPUT_TAIL;
        } else {
            size_t keep = *tail_len + (size_t)n > NOCLOUD_OUTPUT_TAIL
                              ? NOCLOUD_OUTPUT_TAIL - (size_t)n
                              : *tail_len;

            memmove(tail, tail + *tail_len - keep, keep);
            memcpy(tail + keep, chunk, (size_t)n);
            *tail_len = keep + (size_t)n;
        }
    }
}

/* The last non-empty line of xorriso's output, control characters as spaces. */
static void nocloud_last_line(char *tail, size_t len, char *out, size_t size)
{
    size_t end = len, start;

    while (end > 0 && (tail[end - 1] == '\n' || tail[end - 1] == '\r' || tail[end - 1] == ' '))
        end--;
    start = end;
    while (start > 0 && tail[start - 1] != '\n')
        start--;
    for (size_t i = start; i < end; i++)
        if ((unsigned char)tail[i] < 0x20 || tail[i] == 0x7f)
            tail[i] = ' ';
    snprintf(out, size, "%.*s", (int)(end - start), tail + start);
}

/* Runs argv (argv[0] found on PATH) to its end; 0 if it exited 0, else -1 with err naming
 * what it said last. */
static int nocloud_run(char *const argv[], struct app_error *err)
{
    char tail[NOCLOUD_OUTPUT_TAIL], last[200];
    size_t tail_len = 0;
    int out = -1, status = 0;
    pid_t pid;

    if (spawn_start(argv, &pid, &out, err) < 0)
        return -1;
    nocloud_drain(out, tail, &tail_len);
    close(out);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            app_error_set(err, 500, APP_ERR_INTERNAL, "cannot wait for %s: %s", argv[0],
                          strerror(errno));
            return -1;
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    nocloud_last_line(tail, tail_len, last, sizeof(last));
    if (WIFEXITED(status))
        app_error_set(err, 500, APP_ERR_INTERNAL, "%s failed (exit %d): %s", argv[0],
                      WEXITSTATUS(status), last);
    else
        app_error_set(err, 500, APP_ERR_INTERNAL, "%s died of signal %d: %s", argv[0],
                      WIFSIGNALED(status) ? WTERMSIG(status) : 0, last);
    return -1;
}

int virt_nocloud_build_iso(const struct virt_nocloud_seed *seed, unsigned char **iso,
                           size_t *iso_len, struct app_error *err)
{
    const char *tmp = getenv("TMPDIR");
    char *meta = NULL, *user = NULL, *dir = NULL, *root = NULL, *meta_path = NULL;
    char *user_path = NULL, *iso_path = NULL;
    int ret = -1;

    *iso = NULL;
    *iso_len = 0;
    if (virt_nocloud_render(seed, &meta, &user, err) < 0)
        goto cleanup;
    dir = xasprintf("%s/virtdeck-nocloud.XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot make a temporary directory: %s",
                      strerror(errno));
        free(dir);
        dir = NULL;
        goto cleanup;
    }
    root = nocloud_path(dir, "root");
    meta_path = nocloud_path(root, "meta-data");
    user_path = nocloud_path(root, "user-data");
    iso_path = nocloud_path(dir, "seed.iso");
    if (mkdir(root, 0700) < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot make a temporary directory: %s",
                      strerror(errno));
        goto cleanup;
    }
    if (nocloud_write_file(meta_path, meta, err) < 0 ||
        nocloud_write_file(user_path, user, err) < 0)
        goto cleanup;
    {
        /* -no_rc first: no startup file of the host changes what is written */
        char *const argv[] = {"xorriso", "-no_rc", "-as",     "mkisofs", "-output", iso_path,
                              "-volid",  "cidata", "-joliet", "-rock",   root,      NULL};

        if (nocloud_run(argv, err) < 0)
            goto cleanup;
    }
    if (nocloud_read_file(iso_path, iso, iso_len, err) < 0)
        goto cleanup;
    ret = 0;

cleanup:
    if (dir) {
        unlink(meta_path);
        unlink(user_path);
        unlink(iso_path);
        if (root)
            rmdir(root);
        if (rmdir(dir) < 0)
            log_error("virt_nocloud: cannot remove %s: %s", dir, strerror(errno));
    }
    if (user) {
        OPENSSL_cleanse(user, strlen(user));
        free(user);
    }
    free(meta);
    free(dir);
    free(root);
    free(meta_path);
    free(user_path);
    free(iso_path);
    return ret;
}
