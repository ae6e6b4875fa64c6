/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* metrics_history: tiers of the collected figures in <state dir>/metrics.db (see
 * metrics_history.h for the design, the bound and the threads).
 *
 * Tables: subjects (id, uuid: '' is the host, deleted_at: the deletion mark in unix
 * seconds), points (subject, tier, t, a0..a9 the means, n0..n9 the minimums, x0..x9 the
 * maximums; raw points carry only a*; WITHOUT ROWID, keyed by subject, tier, t) and
 * tiers (the end of the last bucket each downsampled tier made). Every statement that
 * touches many subjects reads `subject IN (SELECT id FROM subjects)`, so SQLite walks
 * the key per subject (a range each) instead of the whole table.
 *
 * The pending notes (undefined/defined domains) are the only state shared between
 * threads: `lock` guards them and nothing else; it is never held across SQLite. */
#include "metrics/metrics_history.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics_sample.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/fsdir.h"
#include "util/log.h"
#include "util/xalloc.h"

#define METRICS_HISTORY_COLUMNS   10 /* a domain's series; the host uses the first 4 */
#define METRICS_HISTORY_HOST_N    4
#define METRICS_HISTORY_NOTES_MAX 4096
#define METRICS_HISTORY_SCALE     100.0          /* values are kept in hundredths */
#define METRICS_HISTORY_VALUE_MAX 1e15           /* larger figures are not real: not stored */
#define METRICS_HISTORY_TIME_MAX  100000000000LL /* a query's bound (year 5138), seconds */
#define METRICS_HISTORY_DEFAULT_S 3600

#define MH_COLS(p)                                                                                 \
    p "0 INTEGER," p "1 INTEGER," p "2 INTEGER," p "3 INTEGER," p "4 INTEGER," p "5 INTEGER," p    \
      "6 INTEGER," p "7 INTEGER," p "8 INTEGER," p "9 INTEGER,"

static const char *const metrics_history_migrations[] = {
    /* 1: subjects, points, tiers */
    "CREATE TABLE subjects ("
    "  id INTEGER PRIMARY KEY,"
    "  uuid TEXT NOT NULL UNIQUE,"
    "  deleted_at INTEGER"
    ");"
    "CREATE TABLE points ("
    "  subject INTEGER NOT NULL,"
    "  tier INTEGER NOT NULL,"
    "  t INTEGER NOT NULL," MH_COLS("a") MH_COLS("n")
        MH_COLS("x") "  PRIMARY KEY (subject, tier, t)"
                     ") WITHOUT ROWID;"
                     "CREATE TABLE tiers ("
                     "  tier INTEGER PRIMARY KEY,"
                     "  done INTEGER NOT NULL"
                     ");",
};

static const struct {
    const char *name;
    int64_t bucket_s; /* a point's width */
    int64_t keep_s;   /* how long its points stay */
} metrics_history_tiers[METRICS_HISTORY_TIERS] = {
    {"raw", 1, 3600},
    {"1min", 60, 86400},
    {"10min", 600, 31 * 86400},
    {"1h", 3600, 366 * 86400},
};

static const char *const metrics_history_domain_series[METRICS_HISTORY_COLUMNS] = {
    "cpu_percent", "steal_percent", "memory_used_kib", "memory_resident_kib", "disk_rd_bps",
    "disk_wr_bps", "disk_rd_iops",  "disk_wr_iops",    "net_rx_bps",          "net_tx_bps",
};

static const char *const metrics_history_host_series[METRICS_HISTORY_HOST_N] = {
    "cpu_percent",
    "memory_used_kib",
    "memory_total_kib",
    "load1",
};

struct metrics_history_note {
    char uuid[37];
    int64_t at_s;
    bool defined; /* true: defined (unmark); false: undefined at at_s */
};

struct metrics_history {
    sqlite3 *db; /* owned; FULLMUTEX */
    int64_t keep_deleted_s;
    char *insert_sql;                   /* owned: a raw point */
    char *downsample_sql;               /* owned: a tier's buckets from the finer tier */
    char *query_sql;                    /* owned: one subject's points, grouped by step */
    pthread_mutex_t lock;               /* the notes only */
    struct metrics_history_note *notes; /* owned; lock */
    size_t note_count;                  /* lock */
    bool notes_dropped;                 /* lock: said once */
};

const char *const *metrics_history_series_names(bool host, size_t *count)
{
    *count = host ? METRICS_HISTORY_HOST_N : METRICS_HISTORY_COLUMNS;
    return host ? metrics_history_host_series : metrics_history_domain_series;
}

/* How a column list writes each column i. */
enum metrics_history_col {
    MH_COL_PLAIN,   /* a<i> */
    MH_COL_AVG_INT, /* the mean, as a whole number of hundredths */
    MH_COL_AVG,     /* the mean */
    MH_COL_MIN,     /* the least minimum (a raw point's value is its minimum) */
    MH_COL_MAX,     /* the greatest maximum */
};

/* The ten columns' expressions, joined by ", ". */
static void metrics_history_columns(struct buf *b, enum metrics_history_col kind)
{
    for (int i = 0; i < METRICS_HISTORY_COLUMNS; i++) {
        int rc = i ? buf_append_str(b, ", ") : 0;

        switch (kind) {
        case MH_COL_PLAIN:
            rc = rc < 0 ? rc : buf_appendf(b, "a%d", i);
            break;
        case MH_COL_AVG_INT:
            rc = rc < 0 ? rc : buf_appendf(b, "CAST(round(avg(a%d)) AS INTEGER)", i);
            break;
        case MH_COL_AVG:
            rc = rc < 0 ? rc : buf_appendf(b, "avg(a%d)", i);
            break;
        case MH_COL_MIN:
            rc = rc < 0 ? rc : buf_appendf(b, "min(coalesce(n%d, a%d))", i, i);
            break;
        case MH_COL_MAX:
            rc = rc < 0 ? rc : buf_appendf(b, "max(coalesce(x%d, a%d))", i, i);
            break;
        }
        if (rc < 0)
            abort(); /* our own SQL, far below the buffer's bound */
    }
}

/* head, the means as avg says, ", " the minimums ", " the maximums (when extremes), tail. */
static char *metrics_history_sql(const char *head, enum metrics_history_col avg, bool extremes,
                                 const char *tail)
{
    struct buf b;

    buf_init(&b, 65536);
    if (buf_append_str(&b, head) < 0)
        abort();
    metrics_history_columns(&b, avg);
    if (extremes) {
        if (buf_append_str(&b, ", ") < 0)
            abort();
        metrics_history_columns(&b, MH_COL_MIN);
        if (buf_append_str(&b, ", ") < 0)
            abort();
        metrics_history_columns(&b, MH_COL_MAX);
    }
    if (buf_append_str(&b, tail) < 0)
        abort();
    return buf_take(&b);
}

static void metrics_history_build_sql(struct metrics_history *h)
{
    h->insert_sql =
        metrics_history_sql("INSERT OR REPLACE INTO points (subject, tier, t, ", MH_COL_PLAIN,
                            false, ") VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    /* ?1 tier, ?2 bucket, ?3 start, ?4 end, ?5 the finer tier */
    h->downsample_sql = metrics_history_sql(
        "INSERT OR REPLACE INTO points (subject, tier, t, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, "
        "n0, n1, n2, n3, n4, n5, n6, n7, n8, n9, x0, x1, x2, x3, x4, x5, x6, x7, x8, x9) "
        "SELECT subject, ?1, (t / ?2) * ?2, ",
        MH_COL_AVG_INT, true,
        " FROM points WHERE subject IN (SELECT id FROM subjects) AND tier = ?5 AND t >= ?3 AND "
        "t < ?4 GROUP BY subject, t / ?2");
    /* ?1 subject, ?2 tier, ?3 from, ?4 to, ?5 step */
    h->query_sql = metrics_history_sql(
        "SELECT (t / ?5) * ?5 AS b, ", MH_COL_AVG, true,
        " FROM points WHERE subject = ?1 AND tier = ?2 AND t >= ?3 AND t <= ?4 GROUP BY b "
        "ORDER BY b");
}

struct metrics_history *metrics_history_open(const char *state_dir, int64_t keep_deleted_s,
                                             struct app_error *err)
{
    struct metrics_history *h = NULL, *out = NULL;
    char *path = NULL;

    if (!state_dir || !state_dir[0]) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "no state directory");
        goto cleanup;
    }
    if (fsdir_make_private(state_dir, err) < 0)
        goto cleanup;
    h = xcalloc(1, sizeof(*h));
    pthread_mutex_init(&h->lock, NULL);
    h->keep_deleted_s = keep_deleted_s < 0 ? 0 : keep_deleted_s;
    h->notes = xcalloc(METRICS_HISTORY_NOTES_MAX, sizeof(*h->notes));
    metrics_history_build_sql(h);
    path = xasprintf("%s/%s", state_dir, METRICS_HISTORY_DB_NAME);
    if (!(h->db = store_open_file(
              path, metrics_history_migrations,
              (int)(sizeof(metrics_history_migrations) / sizeof(metrics_history_migrations[0])),
              err)))
        goto cleanup;
    out = h;
    h = NULL;

cleanup:
    metrics_history_close(h);
    free(path);
    return out;
}

void metrics_history_close(struct metrics_history *history)
{
    if (!history)
        return;
    store_close(history->db);
    pthread_mutex_destroy(&history->lock);
    free(history->notes);
    free(history->insert_sql);
    free(history->downsample_sql);
    free(history->query_sql);
    free(history);
}

static void metrics_history_note(struct metrics_history *h, const char *uuid, int64_t at_s,
                                 bool defined)
{
    bool warn = false;

    if (!h || !uuid || strlen(uuid) >= sizeof(h->notes[0].uuid))
        return;
    pthread_mutex_lock(&h->lock);
    if (h->note_count < METRICS_HISTORY_NOTES_MAX) {
        struct metrics_history_note *n = &h->notes[h->note_count++];

        snprintf(n->uuid, sizeof(n->uuid), "%s", uuid);
        n->at_s = at_s;
        n->defined = defined;
        h->notes_dropped = false;
    } else if (!h->notes_dropped) {
        h->notes_dropped = warn = true;
    }
    pthread_mutex_unlock(&h->lock);
    if (warn)
        log_warn("metrics history: too many domain events waiting; marks repaired at restart");
}

void metrics_history_note_undefined(struct metrics_history *history, const char *uuid,
                                    int64_t at_ms)
{
    metrics_history_note(history, uuid, at_ms / 1000, false);
}

void metrics_history_note_defined(struct metrics_history *history, const char *uuid)
{
    metrics_history_note(history, uuid, 0, true);
}

/* The notes waiting, taken (the caller frees *out). */
static size_t metrics_history_take_notes(struct metrics_history *h,
                                         struct metrics_history_note **out)
{
    size_t n;

    pthread_mutex_lock(&h->lock);
    n = h->note_count;
    *out = n ? xmalloc(n * sizeof(**out)) : NULL;
    if (n)
        memcpy(*out, h->notes, n * sizeof(**out));
    h->note_count = 0;
    pthread_mutex_unlock(&h->lock);
    return n;
}

static int metrics_history_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int ret = sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK ? 0 : -1;

    if (ret < 0)
        log_error("metrics history: %s", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return ret;
}

/* Prepares sql, binds the int64 arguments and steps it to the end. */
static int metrics_history_run(sqlite3 *db, const char *sql, const int64_t *args, int nargs)
{
    int ret = -1, rc;
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    for (int i = 0; i < nargs; i++)
        sqlite3_bind_int64(stmt, i + 1, args[i]);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        ;
    if (rc != SQLITE_DONE)
        goto cleanup;
    ret = 0;

cleanup:
    if (ret < 0)
        log_error("metrics history: %s", sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return ret;
}

/* To the nearest whole number, halves away from zero (no libm: the daemon does not link it). */
static int64_t metrics_history_round(double v)
{
    return (int64_t)(v < 0 ? v - 0.5 : v + 0.5);
}

/* A figure as stored: hundredths, or false for none (NAN, infinite, not real). */
static bool metrics_history_encode(double v, int64_t *out)
{
    if (!isfinite(v) || v > METRICS_HISTORY_VALUE_MAX || v < -METRICS_HISTORY_VALUE_MAX)
        return false;
    *out = metrics_history_round(v * METRICS_HISTORY_SCALE);
    return true;
}

static double metrics_history_sum_iops(const struct metrics_domain *d, bool read)
{
    double sum = 0;

    if (isnan(read ? d->disk_rd_bps : d->disk_wr_bps))
        return NAN; /* the first collection: no rates yet */
    for (size_t i = 0; i < d->disk_count; i++) {
        double v = read ? d->disks[i].rd_iops : d->disks[i].wr_iops;

        if (!isnan(v))
            sum += v;
    }
    return sum;
}

static void metrics_history_domain_values(const struct metrics_domain *d,
                                          double v[METRICS_HISTORY_COLUMNS])
{
    v[0] = d->cpu_percent;
    v[1] = d->steal_percent;
    v[2] = d->has_mem_used ? (double)d->mem_used_kib : NAN;
    v[3] = d->has_mem_resident ? (double)d->mem_resident_kib : NAN;
    v[4] = d->disk_rd_bps;
    v[5] = d->disk_wr_bps;
    v[6] = metrics_history_sum_iops(d, true);
    v[7] = metrics_history_sum_iops(d, false);
    v[8] = d->net_rx_bps;
    v[9] = d->net_tx_bps;
}

static void metrics_history_host_values(const struct metrics_host *host,
                                        double v[METRICS_HISTORY_COLUMNS])
{
    for (int i = 0; i < METRICS_HISTORY_COLUMNS; i++)
        v[i] = NAN;
    v[0] = host->cpu_percent;
    if (host->has_memory) {
        v[1] = (double)(host->memory_total_kib - host->memory_free_kib);
        v[2] = (double)host->memory_total_kib;
    }
    v[3] = host->load1;
}

/* The subject's id, created if new; a subject written is not deleted. */
static int metrics_history_subject(sqlite3 *db, const char *uuid, int64_t *id)
{
    static const char sql[] = "INSERT INTO subjects (uuid) VALUES (?) ON CONFLICT (uuid) DO "
                              "UPDATE SET deleted_at = NULL RETURNING id";
    int ret = -1;
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    sqlite3_bind_text(stmt, 1, uuid, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_ROW)
        goto cleanup;
    *id = sqlite3_column_int64(stmt, 0);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        goto cleanup;
    ret = 0;

cleanup:
    if (ret < 0)
        log_error("metrics history: subject: %s", sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return ret;
}

/* One raw point of uuid at t_s (nothing when every figure is absent). */
static int metrics_history_put(sqlite3 *db, sqlite3_stmt *insert, const char *uuid, int64_t t_s,
                               const double v[METRICS_HISTORY_COLUMNS])
{
    int64_t id, x;
    bool any = false;

    for (int i = 0; i < METRICS_HISTORY_COLUMNS; i++)
        any = any || metrics_history_encode(v[i], &x);
    if (!any)
        return 0;
    if (metrics_history_subject(db, uuid, &id) < 0)
        return -1;
    sqlite3_reset(insert);
    sqlite3_clear_bindings(insert);
    sqlite3_bind_int64(insert, 1, id);
    sqlite3_bind_int64(insert, 2, t_s);
    for (int i = 0; i < METRICS_HISTORY_COLUMNS; i++) {
        if (metrics_history_encode(v[i], &x))
            sqlite3_bind_int64(insert, 3 + i, x);
    }
    if (sqlite3_step(insert) != SQLITE_DONE) {
        log_error("metrics history: insert: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

static int metrics_history_put_sample(struct metrics_history *h,
                                      const struct metrics_sample *sample, int64_t t_s)
{
    int ret = -1;
    sqlite3_stmt *insert = NULL;
    double v[METRICS_HISTORY_COLUMNS];

    if (sqlite3_prepare_v2(h->db, h->insert_sql, -1, &insert, NULL) != SQLITE_OK) {
        log_error("metrics history: %s", sqlite3_errmsg(h->db));
        goto cleanup;
    }
    metrics_history_host_values(&sample->host, v);
    if (metrics_history_put(h->db, insert, "", t_s, v) < 0)
        goto cleanup;
    for (size_t i = 0; i < sample->domain_count; i++) {
        metrics_history_domain_values(&sample->domains[i], v);
        if (metrics_history_put(h->db, insert, sample->domains[i].uuid, t_s, v) < 0)
            goto cleanup;
    }
    ret = 0;

cleanup:
    sqlite3_finalize(insert);
    return ret;
}

static int metrics_history_apply_notes(sqlite3 *db, const struct metrics_history_note *notes,
                                       size_t n)
{
    static const char mark[] =
        "UPDATE subjects SET deleted_at = ?2 WHERE uuid = ?1 AND uuid <> '' AND deleted_at IS NULL";
    static const char unmark[] = "UPDATE subjects SET deleted_at = NULL WHERE uuid = ?1";
    int ret = -1;
    sqlite3_stmt *stmt = NULL;

    for (size_t i = 0; i < n; i++) {
        if (sqlite3_prepare_v2(db, notes[i].defined ? unmark : mark, -1, &stmt, NULL) != SQLITE_OK)
            goto cleanup;
        sqlite3_bind_text(stmt, 1, notes[i].uuid, -1, SQLITE_STATIC);
        if (!notes[i].defined)
            sqlite3_bind_int64(stmt, 2, notes[i].at_s);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            goto cleanup;
        sqlite3_finalize(stmt);
        stmt = NULL;
    }
    ret = 0;

cleanup:
    if (ret < 0)
        log_error("metrics history: marks: %s", sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return ret;
}

static int64_t metrics_history_floor(int64_t t, int64_t unit)
{
    int64_t q = t / unit;

    if (t % unit && t < 0)
        q--;
    return q * unit;
}

/* The end of the last bucket tier made (-1: none yet). */
static int metrics_history_done(sqlite3 *db, int tier, int64_t *done)
{
    int ret = -1, rc;
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2(db, "SELECT done FROM tiers WHERE tier = ?", -1, &stmt, NULL) !=
        SQLITE_OK)
        goto cleanup;
    sqlite3_bind_int(stmt, 1, tier);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        goto cleanup;
    *done = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
    ret = 0;

cleanup:
    if (ret < 0)
        log_error("metrics history: tiers: %s", sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return ret;
}

/* Every bucket of the downsampled tiers that ended by now_s, finest first (a 10-min
 * bucket reads the 1-min points made just before it). */
static int metrics_history_downsample(struct metrics_history *h, int64_t now_s)
{
    for (int k = METRICS_HISTORY_1MIN; k < METRICS_HISTORY_TIERS; k++) {
        int64_t bucket = metrics_history_tiers[k].bucket_s;
        int64_t end = metrics_history_floor(now_s, bucket), done;
        int64_t start;

        if (metrics_history_done(h->db, k, &done) < 0)
            return -1;
        /* the first time, or after a long stop: every finer point still there (they are
         * bounded, and pruned only after this) */
        start = done > 0 ? done : 0;
        if (end <= start)
            continue;
        if (metrics_history_run(h->db, h->downsample_sql,
                                (const int64_t[]){k, bucket, start, end, k - 1}, 5) < 0 ||
            metrics_history_run(h->db, "INSERT OR REPLACE INTO tiers (tier, done) VALUES (?, ?)",
                                (const int64_t[]){k, end}, 2) < 0)
            return -1;
    }
    return 0;
}

/* Points older than their tier's time, and deleted subjects whose keep time is over. */
static int metrics_history_prune(struct metrics_history *h, int64_t now_s)
{
    static const char old[] =
        "DELETE FROM points WHERE subject IN (SELECT id FROM subjects) AND tier = ? AND t < ?";
    static const char gone_points[] =
        "DELETE FROM points WHERE subject IN (SELECT id FROM subjects WHERE deleted_at IS NOT "
        "NULL AND deleted_at <= ?)";
    static const char gone[] = "DELETE FROM subjects WHERE deleted_at IS NOT NULL AND deleted_at "
                               "<= ?";
    int64_t cutoff = now_s - h->keep_deleted_s;

    for (int k = 0; k < METRICS_HISTORY_TIERS; k++) {
        if (metrics_history_run(
                h->db, old, (const int64_t[]){k, now_s - metrics_history_tiers[k].keep_s}, 2) < 0)
            return -1;
    }
    if (metrics_history_run(h->db, gone_points, &cutoff, 1) < 0 ||
        metrics_history_run(h->db, gone, &cutoff, 1) < 0)
        return -1;
    return 0;
}

int metrics_history_write(struct metrics_history *history, const struct metrics_sample *sample)
{
    int ret = -1;
    struct metrics_history_note *notes = NULL;
    size_t nnotes;
    int64_t now_s;
    bool open = false;

    if (!history || !sample)
        return -1;
    now_s = metrics_history_floor(sample->at_ms, 1000) / 1000;
    nnotes = metrics_history_take_notes(history, &notes);
    if (metrics_history_exec(history->db, "BEGIN IMMEDIATE") < 0)
        goto cleanup;
    open = true;
    /* the notes after the sample's points: a domain undefined since is not in the next */
    if (metrics_history_put_sample(history, sample, now_s) < 0 ||
        metrics_history_apply_notes(history->db, notes, nnotes) < 0 ||
        metrics_history_downsample(history, now_s) < 0 || metrics_history_prune(history, now_s) < 0)
        goto cleanup;
    if (metrics_history_exec(history->db, "COMMIT") < 0)
        goto cleanup;
    open = false;
    ret = 0;

cleanup:
    if (open)
        sqlite3_exec(history->db, "ROLLBACK", NULL, NULL, NULL);
    free(notes);
    return ret;
}

int metrics_history_sync_domains(struct metrics_history *history, const char *const *uuids,
                                 size_t n, int64_t now_ms)
{
    static const char mark_all[] =
        "UPDATE subjects SET deleted_at = ? WHERE uuid <> '' AND deleted_at IS NULL";
    static const char unmark[] = "UPDATE subjects SET deleted_at = NULL WHERE uuid = ?";
    int ret = -1;
    sqlite3_stmt *stmt = NULL;
    int64_t at_s = metrics_history_floor(now_ms, 1000) / 1000;
    bool open = false;

    if (metrics_history_exec(history->db, "BEGIN IMMEDIATE") < 0)
        goto cleanup;
    open = true;
    if (metrics_history_run(history->db, mark_all, &at_s, 1) < 0)
        goto cleanup;
    if (sqlite3_prepare_v2(history->db, unmark, -1, &stmt, NULL) != SQLITE_OK) {
        log_error("metrics history: %s", sqlite3_errmsg(history->db));
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(stmt);
        sqlite3_bind_text(stmt, 1, uuids[i], -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE) {
            log_error("metrics history: %s", sqlite3_errmsg(history->db));
            goto cleanup;
        }
    }
    if (metrics_history_exec(history->db, "COMMIT") < 0)
        goto cleanup;
    open = false;
    ret = 0;

cleanup:
    sqlite3_finalize(stmt);
    if (open)
        sqlite3_exec(history->db, "ROLLBACK", NULL, NULL, NULL);
    return ret;
}

/* A whole number of seconds in [0, METRICS_HISTORY_TIME_MAX]. */
static bool metrics_history_parse_s(const char *s, int64_t *out)
{
    char *end = NULL;
    long long v;

    if (!s[0] || s[0] < '0' || s[0] > '9')
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v > METRICS_HISTORY_TIME_MAX)
        return false;
    *out = v;
    return true;
}

static int metrics_history_refuse(struct app_error *err, const char *field, const char *message)
{
    app_error_set(err, 400, APP_ERR_BAD_REQUEST, "query \"%s\" %s", field, message);
    app_error_at_field(err, "", field);
    return -1;
}

int metrics_history_range_parse(const char *from, const char *to, const char *step, int64_t now_s,
                                struct metrics_history_range *out, struct app_error *err)
{
    static const char whole[] = "must be a whole number of seconds since 1970 (unix time)";

    memset(out, 0, sizeof(*out));
    if (to && !metrics_history_parse_s(to, &out->to))
        return metrics_history_refuse(err, "to", whole);
    if (from && !metrics_history_parse_s(from, &out->from))
        return metrics_history_refuse(err, "from", whole);
    if (step && (!metrics_history_parse_s(step, &out->step) || out->step < 1 ||
                 out->step > METRICS_HISTORY_RANGE_MAX_S))
        return metrics_history_refuse(err, "step",
                                      "must be a whole number of seconds from 1 to 31622400");
    if (!to)
        out->to = now_s;
    if (!from)
        out->from = out->to > METRICS_HISTORY_DEFAULT_S ? out->to - METRICS_HISTORY_DEFAULT_S : 0;
    if (out->from > out->to)
        return metrics_history_refuse(err, "from", "is after \"to\"");
    if (out->to - out->from > METRICS_HISTORY_RANGE_MAX_S)
        return metrics_history_refuse(err, "from", "is more than 366 days before \"to\"");
    return 0;
}

enum metrics_history_tier metrics_history_tier_for(const struct metrics_history_range *range,
                                                   int64_t now_s)
{
    int finest = -1, chosen = -1;

    for (int k = 0; k < METRICS_HISTORY_TIERS; k++) {
        if (range->from < now_s - metrics_history_tiers[k].keep_s - METRICS_HISTORY_RANGE_SLACK_S)
            continue; /* its points of `from` are gone */
        if (finest < 0)
            finest = k;
        if (range->step && metrics_history_tiers[k].bucket_s <= range->step)
            chosen = k;
    }
    if (finest < 0)
        return METRICS_HISTORY_1H;
    return (enum metrics_history_tier)(range->step && chosen >= 0 ? chosen : finest);
}

/* The subject's id, or 0 when it has no history. */
static int metrics_history_find(sqlite3 *db, const char *uuid, int64_t *id)
{
    int ret = -1, rc;
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2(db, "SELECT id FROM subjects WHERE uuid = ?", -1, &stmt, NULL) !=
        SQLITE_OK)
        goto cleanup;
    sqlite3_bind_text(stmt, 1, uuid, -1, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        goto cleanup;
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    ret = 0;

cleanup:
    sqlite3_finalize(stmt);
    return ret;
}

static void metrics_history_add_point(struct json_object *series, const char *name, int64_t t,
                                      double v)
{
    struct json_object *arr = NULL, *pt = json_object_new_array_ext(2);

    json_object_object_get_ex(series, name, &arr);
    json_object_array_add(pt, json_object_new_int64(t));
    json_object_array_add(
        pt, json_object_new_double((double)metrics_history_round(v) / METRICS_HISTORY_SCALE));
    json_object_array_add(arr, pt);
}

/* Empty arrays for every series (with _min/_max when downsampled). */
static struct json_object *metrics_history_empty_series(bool host, bool extremes)
{
    struct json_object *series = json_object_new_object();
    size_t n;
    const char *const *names = metrics_history_series_names(host, &n);
    char key[64];

    for (size_t i = 0; i < n; i++) {
        json_object_object_add(series, names[i], json_object_new_array());
        if (!extremes)
            continue;
        snprintf(key, sizeof(key), "%s_min", names[i]);
        json_object_object_add(series, key, json_object_new_array());
        snprintf(key, sizeof(key), "%s_max", names[i]);
        json_object_object_add(series, key, json_object_new_array());
    }
    return series;
}

/* Reads the grouped points into series; *gap gets the least spacing of two (0: none). */
static int metrics_history_read(struct metrics_history *h, int64_t id,
                                const struct metrics_history_range *range, int tier, int64_t step,
                                bool host, bool extremes, struct json_object *series, int64_t *gap)
{
    int ret = -1, rc;
    sqlite3_stmt *stmt = NULL;
    size_t n;
    const char *const *names = metrics_history_series_names(host, &n);
    char key[64];
    int64_t prev = -1;

    *gap = 0;
    if (sqlite3_prepare_v2(h->db, h->query_sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_int(stmt, 2, tier);
    sqlite3_bind_int64(stmt, 3, range->from);
    sqlite3_bind_int64(stmt, 4, range->to);
    sqlite3_bind_int64(stmt, 5, step);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int64_t t = sqlite3_column_int64(stmt, 0);

        if (prev >= 0 && t > prev && (!*gap || t - prev < *gap))
            *gap = t - prev;
        prev = t;
        for (size_t i = 0; i < n; i++) {
            int col = 1 + (int)i;

            if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
                continue;
            metrics_history_add_point(series, names[i], t, sqlite3_column_double(stmt, col));
            if (!extremes)
                continue;
            snprintf(key, sizeof(key), "%s_min", names[i]);
            metrics_history_add_point(series, key, t,
                                      sqlite3_column_double(stmt, col + METRICS_HISTORY_COLUMNS));
            snprintf(key, sizeof(key), "%s_max", names[i]);
            metrics_history_add_point(
                series, key, t, sqlite3_column_double(stmt, col + 2 * METRICS_HISTORY_COLUMNS));
        }
    }
    if (rc != SQLITE_DONE)
        goto cleanup;
    ret = 0;

cleanup:
    if (ret < 0)
        log_error("metrics history: query: %s", sqlite3_errmsg(h->db));
    sqlite3_finalize(stmt);
    return ret;
}

struct json_object *metrics_history_query(struct metrics_history *history, const char *uuid,
                                          const struct metrics_history_range *range, int64_t now_s,
                                          struct app_error *err)
{
    struct json_object *out = NULL, *series = NULL;
    enum metrics_history_tier tier = metrics_history_tier_for(range, now_s);
    int64_t bucket = metrics_history_tiers[tier].bucket_s;
    int64_t step = range->step > bucket ? range->step : bucket;
    bool host = !uuid;
    bool extremes = tier != METRICS_HISTORY_RAW || step > bucket;
    int64_t id = 0, gap = 0;

    series = metrics_history_empty_series(host, extremes);
    if (metrics_history_find(history->db, host ? "" : uuid, &id) < 0 ||
        (id &&
         metrics_history_read(history, id, range, tier, step, host, extremes, series, &gap) < 0)) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot read the metrics history");
        goto cleanup;
    }
    out = json_object_new_object();
    json_object_object_add(out, "from", json_object_new_int64(range->from));
    json_object_object_add(out, "to", json_object_new_int64(range->to));
    json_object_object_add(
        out, "step",
        json_object_new_int64(tier == METRICS_HISTORY_RAW && !range->step ? gap : step));
    json_object_object_add(out, "tier", json_object_new_string(metrics_history_tiers[tier].name));
    json_object_object_add(out, "series", series);
    series = NULL;

cleanup:
    json_object_put(series);
    return out;
}
