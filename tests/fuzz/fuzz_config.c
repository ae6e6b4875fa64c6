/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_config: libFuzzer target for config_load_file, config_set and config_parse_listen
 * (server/config.h), which read the config file and command-line flags. Runs on
 * libFuzzer's thread. State: one temp file, made once per run in /tmp by mkstemp and
 * unlinked at once (it is reopened through /proc/self/fd, so nothing is left behind
 * even if the run dies); each input is written over it.
 *
 * Input: the file's text, all bytes. It is also split at its first newline into a key
 * and a value (up to the first NUL) for config_set, and its first line goes to
 * config_parse_listen. Invariants beyond "no crash": whatever a file or a set did, every
 * field still holds a valid value (non-empty strings where required, port 1-65535,
 * workers 1-64, timeouts 60-31536000, a known log level, a listen host without
 * blanks, '/' or brackets, pool_roots and pool_types that parse); a failed config_set
 * changes nothing; every error message is terminated and non-empty, and a file's error
 * starts with its path. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fuzz_input.h"
#include "virt/virt_pool_policy.h"

static int fuzz_config_fd = -1;
static char fuzz_config_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char tmpl[] = "/tmp/virtdeck-fuzz-config.XXXXXX";

    fuzz_config_fd = mkstemp(tmpl);
    if (fuzz_config_fd < 0 || unlink(tmpl) < 0) {
        perror("fuzz_config: temp file");
        abort();
    }
    snprintf(fuzz_config_path, sizeof(fuzz_config_path), "/proc/self/fd/%d", fuzz_config_fd);
    return 0;
}

static bool fuzz_config_str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void fuzz_config_check(const struct config *c)
{
    struct virt_pool_policy policy;
    char err[256];

    FUZZ_ASSERT(c->listen_host && c->listen_host[0]);
    FUZZ_ASSERT(!strpbrk(c->listen_host, " \t/[]"));
    FUZZ_ASSERT(c->listen_port >= 1 && c->listen_port <= 65535);
    FUZZ_ASSERT(c->uri && c->uri[0]);
    FUZZ_ASSERT(c->state_dir && c->state_dir[0]);
    FUZZ_ASSERT(c->web_root && c->web_root[0]);
    FUZZ_ASSERT(!c->cert_file || c->cert_file[0]);
    FUZZ_ASSERT(!c->key_file || c->key_file[0]);
    FUZZ_ASSERT(c->session_idle_s >= 60 && c->session_idle_s <= 31536000);
    FUZZ_ASSERT(c->session_max_s >= 60 && c->session_max_s <= 31536000);
    FUZZ_ASSERT(c->allowed_origins != NULL);
    FUZZ_ASSERT(c->workers >= 1 && c->workers <= 64);
    FUZZ_ASSERT(c->log_level);
    FUZZ_ASSERT(!strcmp(c->log_level, "debug") || !strcmp(c->log_level, "info") ||
                !strcmp(c->log_level, "warn") || !strcmp(c->log_level, "error"));
    /* the pool lists that were accepted parse again (cli_serve relies on it) */
    FUZZ_ASSERT(c->pool_roots && c->pool_types);
    FUZZ_ASSERT(virt_pool_policy_parse(&policy, c->pool_roots, c->pool_types, err, sizeof(err)) ==
                0);
    virt_pool_policy_clear(&policy);
}

static bool fuzz_config_equal(const struct config *a, const struct config *b)
{
    return fuzz_config_str_eq(a->listen_host, b->listen_host) && a->listen_port == b->listen_port &&
           fuzz_config_str_eq(a->uri, b->uri) && fuzz_config_str_eq(a->state_dir, b->state_dir) &&
           fuzz_config_str_eq(a->web_root, b->web_root) &&
           fuzz_config_str_eq(a->cert_file, b->cert_file) &&
           fuzz_config_str_eq(a->key_file, b->key_file) && a->session_idle_s == b->session_idle_s &&
           a->session_max_s == b->session_max_s &&
           fuzz_config_str_eq(a->allowed_origins, b->allowed_origins) && a->workers == b->workers &&
           fuzz_config_str_eq(a->log_level, b->log_level) &&
           fuzz_config_str_eq(a->pool_roots, b->pool_roots) &&
           fuzz_config_str_eq(a->pool_types, b->pool_types);
}

static void fuzz_config_check_err(const char *err, size_t errlen, const char *prefix)
{
    FUZZ_ASSERT(memchr(err, '\0', errlen) != NULL);
    FUZZ_ASSERT(err[0] != '\0');
    if (prefix)
        FUZZ_ASSERT(strncmp(err, prefix, strlen(prefix)) == 0 && err[strlen(prefix)] == ':');
}

static void fuzz_config_file(const uint8_t *data, size_t size)
{
    struct config c;
    char err[200];

    if (ftruncate(fuzz_config_fd, 0) < 0 ||
        pwrite(fuzz_config_fd, data, size, 0) != (ssize_t)size) {
        perror("fuzz_config: write");
        abort();
    }
    config_init(&c);
    memset(err, 0, sizeof(err));
    if (config_load_file(&c, fuzz_config_path, true, err, sizeof(err)) < 0)
        fuzz_config_check_err(err, sizeof(err), fuzz_config_path);
    fuzz_config_check(&c);
    if (config_validate(&c, err, sizeof(err)) < 0)
        fuzz_config_check_err(err, sizeof(err), NULL);
    config_free(&c);
}

static void fuzz_config_set(const char *key, const char *value)
{
    struct config c;
    struct config before;
    char err[64];

    config_init(&c);
    config_init(&before);
    memset(err, 0, sizeof(err));
    if (config_set(&c, key, value, err, sizeof(err)) < 0) {
        fuzz_config_check_err(err, sizeof(err), NULL);
        FUZZ_ASSERT(fuzz_config_equal(&c, &before));
    }
    fuzz_config_check(&c);
    config_free(&c);
    config_free(&before);
}

static void fuzz_config_listen(const char *text)
{
    static char untouched[] = "untouched";
    char *host = untouched;
    int port = -7;

    if (config_parse_listen(text, &host, &port) == 0) {
        FUZZ_ASSERT(host && host[0] && !strpbrk(host, " \t/[]"));
        FUZZ_ASSERT(port >= 1 && port <= 65535);
        /* A bracketed host is an IPv6 literal; a bare one has no ':'. */
        FUZZ_ASSERT(text[0] == '[' ? strchr(host, ':') != NULL : strchr(host, ':') == NULL);
        free(host);
    } else {
        FUZZ_ASSERT(host == untouched && port == -7);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *rest = data;
    size_t rest_size = size;
    int found = 0;
    char *key = fuzz_input_take(&rest, &rest_size, '\n', &found);
    char *value = fuzz_input_cstr(rest, rest_size);

    fuzz_config_file(data, size);
    fuzz_config_set(key, value);
    fuzz_config_listen(key);
    free(key);
    free(value);
    return 0;
}
