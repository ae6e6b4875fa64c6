/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_tree_fetch: an install tree's file fetched by qemu-img's curl driver into a
 * private temporary file (see virt_tree_fetch.h). Workers only.
 *
 * A child that outlives its deadline is killed with SIGKILL and reaped; its output is
 * read through poll() with the time left, so a server that stalls cannot hold a worker
 * longer than VIRT_TREE_FETCH_TIMEOUT_S per run. Only the last VIRT_TREE_FETCH_OUTPUT
 * bytes of a child's output are kept. */
#include "virt/virt_tree_fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/spawn.h"
#include "util/xalloc.h"

#define FETCH_FIELD  "source.url"
#define FETCH_OUTPUT 4096 /* bytes of a child's output kept (its end) */

/* What one run of qemu-img left. */
struct fetch_run {
    char out[FETCH_OUTPUT + 1]; /* the last bytes of stdout and stderr, NUL-terminated */
    size_t len;
    bool timed_out;
    int status; /* waitpid's */
};

static long long fetch_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Appends n bytes to run->out, keeping its last FETCH_OUTPUT bytes. */
static void fetch_keep(struct fetch_run *run, const char *chunk, size_t n)
{
    if (n >= FETCH_OUTPUT) {
        memcpy(run->out, chunk + n - FETCH_OUTPUT, FETCH_OUTPUT);
        run->len = FETCH_OUTPUT;
    } else {
        if (run->len + n > FETCH_OUTPUT) {
            size_t drop = run->len + n - FETCH_OUTPUT;

            memmove(run->out, run->out + drop, run->len - drop);
            run->len -= drop;
        }
        memcpy(run->out + run->len, chunk, n);
        run->len += n;
    }
    run->out[run->len] = '\0';
}

/* Reads fd until its end or the deadline (then run->timed_out). */
static void fetch_read_until(int fd, long long deadline, struct fetch_run *run)
{
    char chunk[4096];

    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        long long left = deadline - fetch_now_ms();
        ssize_t n;
        int rc;

        if (left <= 0) {
            run->timed_out = true;
            return;
        }
        rc = poll(&p, 1, left > 1000 ? 1000 : (int)left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            return;
        if (rc == 0)
            continue;
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        fetch_keep(run, chunk, (size_t)n);
    }
}

/* Runs argv (spawn_start) to its end or its deadline (then kills it); 0 when it ran
 * (whatever its exit status: see run->status), -1 with err 500 when it could not be
 * started. */
static int fetch_spawn(char *const argv[], struct fetch_run *run, struct app_error *err)
{
    int out = -1;
    pid_t pid;

    memset(run, 0, sizeof(*run));
    if (spawn_start(argv, &pid, &out, err) < 0)
        return -1;
    fetch_read_until(out, fetch_now_ms() + VIRT_TREE_FETCH_TIMEOUT_S * 1000LL, run);
    close(out);
    if (run->timed_out)
        kill(pid, SIGKILL);
    while (waitpid(pid, &run->status, 0) < 0 && errno == EINTR)
        ;
    return 0;
}

/* The reason in qemu-img's last line: what follows its "Could not open '<name>': ". */
static const char *fetch_reason(struct fetch_run *run)
{
    char *end = run->out + run->len, *line, *cut;

    while (end > run->out && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
        *--end = '\0';
    line = end;
    while (line > run->out && line[-1] != '\n')
        line--;
    for (char *c = line; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = ' ';
    cut = strstr(line, "': ");
    return cut ? cut + 3 : line[0] ? line : "no reason given";
}

/* 0 when run ended well, else -1 with err (504 after the deadline, else 502). */
static int fetch_judge(const char *url, struct fetch_run *run, struct app_error *err)
{
    if (run->timed_out) {
        app_error_set(err, 504, APP_ERR_FETCH, "fetching %s took longer than %d s", url,
                      VIRT_TREE_FETCH_TIMEOUT_S);
        app_error_at_field(err, "", FETCH_FIELD);
        return -1;
    }
    if (WIFEXITED(run->status) && WEXITSTATUS(run->status) == 0)
        return 0;
    app_error_set(err, 502, APP_ERR_FETCH, "cannot fetch %s: %s", url, fetch_reason(run));
    app_error_at_field(err, "", FETCH_FIELD);
    return -1;
}

/* The json: pseudo file name of url for QEMU's curl driver (new string). */
static char *fetch_json_name(const char *url)
{
    struct json_object *o = json_object_new_object();
    char *name;

    json_object_object_add(o, "file.driver",
                           json_object_new_string(strncmp(url, "https:", 6) ? "http" : "https"));
    json_object_object_add(o, "file.url", json_object_new_string(url));
    json_object_object_add(o, "file.timeout", json_object_new_int(60)); /* per request, s */
    name = xasprintf("json:%s", json_object_to_json_string_ext(
                                    o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return name;
}

/* The size qemu-img info reports for name into *size. */
static int fetch_size(const char *url, char *name, unsigned long long *size, struct app_error *err)
{
    char *const argv[] = {"qemu-img", "info", "-f", "raw", "--output=json", name, NULL};
    struct fetch_run *run = xcalloc(1, sizeof(*run));
    struct json_object *info = NULL, *v;
    int ret = -1;

    if (fetch_spawn(argv, run, err) < 0 || fetch_judge(url, run, err) < 0)
        goto cleanup;
    info = json_tokener_parse(run->out);
    if (!info || !json_object_object_get_ex(info, "virtual-size", &v) ||
        !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0) {
        app_error_set(err, 502, APP_ERR_FETCH, "cannot fetch %s: qemu-img reports no size", url);
        app_error_at_field(err, "", FETCH_FIELD);
        goto cleanup;
    }
    *size = (unsigned long long)json_object_get_int64(v);
    ret = 0;

cleanup:
    json_object_put(info);
    free(run);
    return ret;
}

void virt_tree_fetch_clear(struct virt_tree_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    if (f->path && unlink(f->path) < 0 && errno != ENOENT)
        log_error("virt_tree_fetch: cannot remove %s: %s", f->path, strerror(errno));
    if (f->dir && rmdir(f->dir) < 0)
        log_error("virt_tree_fetch: cannot remove %s: %s", f->dir, strerror(errno));
    free(f->path);
    free(f->dir);
    f->path = f->dir = NULL;
    f->size = 0;
}

int virt_tree_fetch(const char *url, unsigned long long max_bytes, struct virt_tree_file *out,
                    struct app_error *err)
{
    const char *tmp = getenv("TMPDIR");
    char *name = fetch_json_name(url);
    struct fetch_run *run = xcalloc(1, sizeof(*run));
    unsigned long long size = 0;
    struct stat st;
    int ret = -1;

    memset(out, 0, sizeof(*out));
    out->fd = -1;
    if (fetch_size(url, name, &size, err) < 0)
        goto cleanup;
    if (size == 0 || size > max_bytes) {
        app_error_set(err, 502, APP_ERR_FETCH, "%s has %llu bytes: a file of 1 to %llu is expected",
                      url, size, max_bytes);
        app_error_at_field(err, "", FETCH_FIELD);
        goto cleanup;
    }
    out->dir = xasprintf("%s/virtdeck-tree.XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
    if (!mkdtemp(out->dir)) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot make a temporary directory: %s",
                      strerror(errno));
        free(out->dir);
        out->dir = NULL;
        goto cleanup;
    }
    out->path = xasprintf("%s/file", out->dir);
    {
        /* -m 1: one request at a time. QEMU 7.2's curl driver with parallel coroutines
         * (the default 8) was seen to copy wrong bytes from a server's overlapping
         * readahead ranges and then hang; one at a time copies it right */
        char *const argv[] = {"qemu-img", "convert", "-m", "1",       "-f", "raw",
                              "-O",       "raw",     name, out->path, NULL};

        if (fetch_spawn(argv, run, err) < 0 || fetch_judge(url, run, err) < 0)
            goto cleanup;
    }
    if ((out->fd = open(out->path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(out->fd, &st) < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot read the fetched file: %s",
                      strerror(errno));
        goto cleanup;
    }
    /* the size qemu-img copied, not what the server said first */
    if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (unsigned long long)st.st_size > max_bytes) {
        app_error_set(err, 502, APP_ERR_FETCH, "%s changed while fetched", url);
        app_error_at_field(err, "", FETCH_FIELD);
        goto cleanup;
    }
    out->size = (unsigned long long)st.st_size;
    ret = 0;

cleanup:
    if (ret < 0)
        virt_tree_fetch_clear(out);
    free(run);
    free(name);
    return ret;
}
