/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* metrics_fill: a bench tool that writes DAYS days of synthetic history for one domain
 * (and the host) into a state directory's metrics.db through metrics_history_write, the
 * code the daemon's history job runs (tiers, downsampling and pruning are virtdeck's
 * own, no hand-written SQL), for the 30-day graph bench
 * (tests/bench/metrics/graph-render.mjs) and by hand:
 *
 *   metrics_fill STATE_DIR UUID [DAYS [INTERVAL_S [OLD_INTERVAL_S [NOW_S]]]]
 *
 * One sample every INTERVAL_S (default 10, the collection interval) over the last 24 h
 * ending NOW_S (default: the clock), and every OLD_INTERVAL_S (default INTERVAL_S) before
 * that: older than a day only the 10 min and 1 h tiers keep points, so a coarser step
 * there (60 s, or 600 s) stores the same rows, only faster (it prints the rows per tier
 * so a run can check that; measured once, 30 days ending at the same second: 10 s
 * throughout, 259,201 samples in 63.5 s; 60 s before the last day, 50,401 in 20.8 s, the
 * same rows per tier (raw 361, 1 min 1,439, 10 min 4,320, 1 h 720); 600 s, 12,781 in
 * 10.0 s but 6 fewer 1 min rows). Every figure of the domain and of the host is present and
 * changing (a daily wave plus a hash of the sample's number). Prints, on stdout, one
 * line: samples, seconds taken, and the points per tier of the domain.
 * Exits 0, 1 on a failure (stderr), 2 for a usage error. Single thread; built by the
 * Makefile for the tests only, never installed. */
#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics/metrics_history.h"
#include "metrics/metrics_sample.h"
#include "util/xalloc.h"

static double now_mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A figure between 0 and 1: a daily triangle wave plus a little noise from the sample's
 * number (no libm: the tools link without it). */
static double wave(int64_t t_s, uint64_t k, double phase)
{
    double f = (double)(t_s % 86400) / 86400.0 + phase;
    double day;

    f -= (double)(int64_t)f;
    day = f < 0.5 ? 4 * f - 1 : 3 - 4 * f; /* -1 .. 1 .. -1 over the day */
    return 0.5 + 0.35 * day + 0.15 * ((double)(k * 2654435761u % 1000) / 1000.0 - 0.5);
}

/* The sample at t_s, the k-th: the host and the one domain uuid, every figure present. */
static struct metrics_sample *sample_at(const char *uuid, int64_t t_s, uint64_t k, int interval_s)
{
    struct metrics_sample *s = metrics_sample_new();
    struct metrics_domain *d;

    s->at_ms = t_s * 1000;
    s->interval_ms = (int64_t)interval_s * 1000;
    s->connected = true;
    s->host.cpu_percent = 100 * wave(t_s, k, 0);
    s->host.cpus = 2;
    s->host.has_memory = true;
    s->host.memory_total_kib = 8 * 1024 * 1024;
    s->host.memory_free_kib = (uint64_t)(4 * 1024 * 1024 * wave(t_s, k + 1, 0.5));
    s->host.load1 = 2 * wave(t_s, k + 2, 0.25);
    s->domain_count = 1;
    s->domains = xcalloc(1, sizeof(*s->domains));
    d = &s->domains[0];
    snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);
    d->name = xstrdup("bench");
    d->state = 1; /* VIR_DOMAIN_RUNNING */
    d->cpu_percent = 100 * wave(t_s, k, 0.1);
    d->steal_percent = 5 * wave(t_s, k + 3, 0.3);
    d->has_mem_used = true;
    d->mem_used_kib = (uint64_t)(1024 * 1024 * (0.5 + wave(t_s, k + 4, 0.2)));
    d->has_mem_resident = true;
    d->mem_resident_kib = (uint64_t)(1024 * 1024 * (1 + 0.2 * wave(t_s, k + 5, 0.2)));
    d->disk_rd_bps = 50e6 * wave(t_s, k + 6, 0.4);
    d->disk_wr_bps = 20e6 * wave(t_s, k + 7, 0.6);
    d->net_rx_bps = 10e6 * wave(t_s, k + 8, 0.7);
    d->net_tx_bps = 5e6 * wave(t_s, k + 9, 0.8);
    d->disk_count = 1;
    d->disks = xcalloc(1, sizeof(*d->disks));
    d->disks[0].name = xstrdup("vda");
    d->disks[0].rd_iops = 3000 * wave(t_s, k + 10, 0.4);
    d->disks[0].wr_iops = 1000 * wave(t_s, k + 11, 0.6);
    return s;
}

/* The domain's points per tier, read from the file after the history is closed. */
static int print_tiers(const char *state_dir, const char *uuid)
{
    char path[4096];
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    int ret = -1;

    snprintf(path, sizeof(path), "%s/%s", state_dir, METRICS_HISTORY_DB_NAME);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT p.tier, count(*) FROM points p JOIN subjects s ON s.id = "
                           "p.subject WHERE s.uuid = ? GROUP BY p.tier ORDER BY p.tier",
                           -1, &stmt, NULL) != SQLITE_OK ||
        sqlite3_bind_text(stmt, 1, uuid, -1, SQLITE_STATIC) != SQLITE_OK) {
        fprintf(stderr, "metrics_fill: %s: %s\n", path, db ? sqlite3_errmsg(db) : "no memory");
        goto cleanup;
    }
    printf(" points:");
    while (sqlite3_step(stmt) == SQLITE_ROW)
        printf(" tier%d=%d", sqlite3_column_int(stmt, 0), sqlite3_column_int(stmt, 1));
    ret = 0;
cleanup:
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return ret;
}

/* argv[i] as a whole number in [lo, hi] into *out, or dflt when there is no argv[i].
 * Returns 0, or -1 for anything else. */
static int arg_int(int argc, char **argv, int i, long long dflt, long long lo, long long hi,
                   long long *out)
{
    char *end = NULL;

    if (i >= argc) {
        *out = dflt;
        return 0;
    }
    errno = 0;
    *out = strtoll(argv[i], &end, 10);
    return errno || end == argv[i] || *end || *out < lo || *out > hi ? -1 : 0;
}

int main(int argc, char **argv)
{
    struct metrics_history *history = NULL;
    struct app_error err;
    long long days, interval_s, old_interval_s, end_s;
    int64_t t;
    uint64_t k = 0;
    double t0;
    int ret = 1;

    if (argc < 3 || argc > 7) {
        fprintf(stderr, "usage: %s STATE_DIR UUID [DAYS [INTERVAL_S [OLD_INTERVAL_S [NOW_S]]]]\n",
                argv[0]);
        return 2;
    }
    if (arg_int(argc, argv, 3, 30, 1, 366, &days) < 0 ||
        arg_int(argc, argv, 4, 10, 1, 86400, &interval_s) < 0 ||
        arg_int(argc, argv, 5, interval_s, 1, 86400, &old_interval_s) < 0 ||
        arg_int(argc, argv, 6, (long long)time(NULL), 1, INT64_MAX / 1000, &end_s) < 0) {
        fprintf(stderr, "metrics_fill: bad DAYS, INTERVAL_S, OLD_INTERVAL_S or NOW_S\n");
        return 2;
    }
    app_error_clear(&err);
    history = metrics_history_open(argv[1], 86400, &err);
    if (!history) {
        fprintf(stderr, "metrics_fill: %s\n", err.message);
        return 1;
    }
    t0 = now_mono();
    /* aligned to the old step, so every sample of the last day falls on INTERVAL_S too */
    t = end_s - (int64_t)days * 86400;
    t -= t % old_interval_s;
    while (t <= end_s) {
        int step = (int)(end_s - t > 86400 ? old_interval_s : interval_s);
        struct metrics_sample *s = sample_at(argv[2], t, k++, step);
        int rc = metrics_history_write(history, s);

        metrics_sample_unref(s);
        if (rc < 0) {
            fprintf(stderr, "metrics_fill: writing the sample at %" PRId64 " failed\n", t);
            goto cleanup;
        }
        t += step;
    }
    metrics_history_close(history); /* checkpoints the WAL */
    history = NULL;
    printf("samples=%" PRIu64 " seconds=%.1f", k, now_mono() - t0);
    if (print_tiers(argv[1], argv[2]) < 0)
        goto cleanup;
    printf("\n");
    ret = 0;
cleanup:
    metrics_history_close(history);
    return ret;
}
