/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_metrics_history: server/metrics/metrics_history.c with hand-built samples and a
 * test clock (every time is the sample's at_ms or an explicit now; nothing sleeps): raw
 * points, NAN not stored, the tier boundaries with their mean/min/max, the query's tier,
 * reopening, deletion marks with the keep time, the domain list's marks, the range's
 * 400s, and the bound on disk after a simulated year. A private temp directory each.
 * Single-threaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <math.h> /* NAN */
#include <sqlite3.h>

#include "metrics/metrics_history.h"
#include "metrics/metrics_sample.h"
#include "tmp_dir.h"
#include "util/log.h"
#include "util/xalloc.h"

#define UUID_A "00000000-0000-0000-0000-00000000000a"
#define UUID_B "00000000-0000-0000-0000-00000000000b"
/* 2026-01-01T00:00:00Z: a whole hour, day and 10 minutes */
#define T0 1767225600LL

struct fixture {
    char *dir;
    struct metrics_history *h;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct app_error err;

    assert_non_null(f);
    f->dir = tmp_dir_make("metrics-history");
    assert_non_null(f->dir);
    f->h = metrics_history_open(f->dir, 3600, &err);
    assert_non_null(f->h);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    metrics_history_close(f->h);
    tmp_dir_remove(f->dir);
    free(f);
    return 0;
}

/* A sample at t_s with the host's cpu and one domain per uuid (cpu = cpu, the rest
 * absent but memory_used_kib). */
static struct metrics_sample *sample_at(int64_t t_s, double cpu, const char *const *uuids, size_t n)
{
    struct metrics_sample *s = metrics_sample_new();

    s->at_ms = t_s * 1000 + 250;
    s->host.cpu_percent = cpu;
    s->host.has_memory = true;
    s->host.memory_total_kib = 1000;
    s->host.memory_free_kib = 400;
    s->domain_count = n;
    s->domains = xcalloc(n ? n : 1, sizeof(*s->domains));
    for (size_t i = 0; i < n; i++) {
        struct metrics_domain *d = &s->domains[i];

        snprintf(d->uuid, sizeof(d->uuid), "%s", uuids[i]);
        d->name = xstrdup("vm");
        d->cpu_percent = cpu;
        d->steal_percent = NAN;
        d->has_mem_used = true;
        d->mem_used_kib = 2048;
        d->disk_rd_bps = d->disk_wr_bps = d->net_rx_bps = d->net_tx_bps = NAN;
    }
    return s;
}

static void write_at(struct metrics_history *h, int64_t t_s, double cpu, const char *const *uuids,
                     size_t n)
{
    struct metrics_sample *s = sample_at(t_s, cpu, uuids, n);

    assert_int_equal(metrics_history_write(h, s), 0);
    metrics_sample_unref(s);
}

static struct json_object *query(struct metrics_history *h, const char *uuid, int64_t from,
                                 int64_t to, int64_t step, int64_t now)
{
    struct metrics_history_range r = {.from = from, .to = to, .step = step};
    struct app_error err;
    struct json_object *out = metrics_history_query(h, uuid, &r, now, &err);

    assert_non_null(out);
    return out;
}

static struct json_object *series(struct json_object *answer, const char *name)
{
    struct json_object *all = NULL, *s = NULL;

    assert_true(json_object_object_get_ex(answer, "series", &all));
    if (!json_object_object_get_ex(all, name, &s))
        return NULL;
    return s;
}

static double point_v(struct json_object *s, size_t i)
{
    return json_object_get_double(json_object_array_get_idx(json_object_array_get_idx(s, i), 1));
}

static int64_t point_t(struct json_object *s, size_t i)
{
    return json_object_get_int64(json_object_array_get_idx(json_object_array_get_idx(s, i), 0));
}

static int64_t answer_int(struct json_object *answer, const char *key)
{
    struct json_object *v = NULL;

    assert_true(json_object_object_get_ex(answer, key, &v));
    return json_object_get_int64(v);
}

static void test_raw_points_and_nan(void **state)
{
    struct fixture *f = *state;
    const char *uuids[] = {UUID_A};
    struct json_object *a;

    write_at(f->h, T0, 12.345, uuids, 1);
    write_at(f->h, T0 + 10, NAN, uuids, 1); /* no cpu figure: not stored */
    write_at(f->h, T0 + 20, 50, uuids, 1);
    a = query(f->h, UUID_A, T0 - 100, T0 + 100, 0, T0 + 30);
    assert_string_equal(json_object_get_string(json_object_object_get(a, "tier")), "raw");
    assert_int_equal(answer_int(a, "step"), 10); /* the spacing of the raw points */
    assert_int_equal(json_object_array_length(series(a, "cpu_percent")), 2);
    assert_int_equal(point_t(series(a, "cpu_percent"), 0), T0);
    assert_true(point_v(series(a, "cpu_percent"), 0) == 12.35); /* hundredths: 1235 / 100.0 */
    assert_int_equal(point_t(series(a, "cpu_percent"), 1), T0 + 20);
    assert_int_equal(json_object_array_length(series(a, "memory_used_kib")), 3);
    assert_int_equal(json_object_array_length(series(a, "steal_percent")), 0); /* all NAN */
    assert_null(series(a, "cpu_percent_max"));                                 /* raw: none */
    json_object_put(a);
    /* the host */
    a = query(f->h, NULL, T0 - 100, T0 + 100, 0, T0 + 30);
    assert_int_equal(json_object_array_length(series(a, "memory_used_kib")), 3);
    assert_true(point_v(series(a, "memory_used_kib"), 0) == 600);
    assert_true(point_v(series(a, "memory_total_kib"), 0) == 1000);
    assert_int_equal(json_object_array_length(series(a, "load1")), 0); /* NAN */
    json_object_put(a);
    /* an unknown domain: every series, empty */
    a = query(f->h, UUID_B, T0 - 100, T0 + 100, 0, T0 + 30);
    assert_int_equal(json_object_array_length(series(a, "cpu_percent")), 0);
    json_object_put(a);
}

/* Samples every 10 s from T0 to T0 + 11 min: cpu goes 0, 1, 2, ... per sample. */
static void test_tier_boundaries(void **state)
{
    struct fixture *f = *state;
    const char *uuids[] = {UUID_A};
    struct json_object *a, *avg, *min, *max;
    int64_t now = T0 + 660;

    for (int i = 0; i <= 66; i++) {
        write_at(f->h, T0 + 10 * i, i, uuids, 1);
        if (i == 5) { /* the first minute has not ended: no 1-min point yet */
            a = query(f->h, UUID_A, T0, T0 + 60, 60, T0 + 50);
            assert_int_equal(json_object_array_length(series(a, "cpu_percent")), 0);
            json_object_put(a);
        }
    }
    /* 1-min tier, asked for from 2 h back (past raw's hour): 11 ended minutes */
    a = query(f->h, UUID_A, now - 7200, now, 0, now);
    assert_string_equal(json_object_get_string(json_object_object_get(a, "tier")), "1min");
    assert_int_equal(answer_int(a, "step"), 60);
    avg = series(a, "cpu_percent");
    min = series(a, "cpu_percent_min");
    max = series(a, "cpu_percent_max");
    assert_int_equal(json_object_array_length(avg), 11);
    assert_int_equal(point_t(avg, 0), T0);
    assert_true(point_v(avg, 0) == 2.5); /* samples 0..5 */
    assert_true(point_v(min, 0) == 0);
    assert_true(point_v(max, 0) == 5);
    assert_int_equal(point_t(avg, 10), T0 + 600);
    assert_true(point_v(max, 10) == 65);
    json_object_put(a);
    /* 10-min tier: from 2 days back; one ended bucket, made of the 1-min points */
    a = query(f->h, UUID_A, now - 2 * 86400, now, 0, now);
    assert_string_equal(json_object_get_string(json_object_object_get(a, "tier")), "10min");
    avg = series(a, "cpu_percent");
    assert_int_equal(json_object_array_length(avg), 1);
    assert_true(point_v(avg, 0) == 29.5); /* the mean of the ten 1-min means */
    assert_true(point_v(series(a, "cpu_percent_min"), 0) == 0);
    assert_true(point_v(series(a, "cpu_percent_max"), 0) == 59);
    json_object_put(a);
    /* a step over raw points groups them: 5-minute buckets of the last hour */
    a = query(f->h, UUID_A, T0, now, 300, now);
    assert_int_equal(answer_int(a, "step"), 300);
    max = series(a, "cpu_percent_max");
    assert_int_equal(json_object_array_length(max), 3);
    assert_true(point_v(max, 0) == 29);
    json_object_put(a);
}

static void test_pruned_and_bounded_rows(void **state)
{
    struct fixture *f = *state;
    const char *uuids[] = {UUID_A};
    struct json_object *a;

    /* 70 minutes at one sample a second would be 4,200 raw points: an hour stays */
    for (int i = 0; i < 4200; i += 1)
        write_at(f->h, T0 + i, 1, uuids, 1);
    a = query(f->h, UUID_A, T0 + 4199 - 3600, T0 + 4199, 0, T0 + 4199);
    assert_string_equal(json_object_get_string(json_object_object_get(a, "tier")), "raw");
    assert_int_equal(json_object_array_length(series(a, "cpu_percent")), 3601);
    json_object_put(a);
    a = query(f->h, UUID_A, T0, T0 + 4199, 0, T0 + 4199); /* raw has lost T0: 1 min */
    assert_string_equal(json_object_get_string(json_object_object_get(a, "tier")), "1min");
    assert_int_equal(json_object_array_length(series(a, "cpu_percent")), 69);
    json_object_put(a);
}

static void test_reopen_keeps(void **state)
{
    struct fixture *f = *state;
    const char *uuids[] = {UUID_A};
    struct app_error err;
    struct json_object *a;

    write_at(f->h, T0, 7, uuids, 1);
    metrics_history_close(f->h);
    f->h = metrics_history_open(f->dir, 3600, &err);
    assert_non_null(f->h);
    a = query(f->h, UUID_A, T0 - 10, T0 + 10, 0, T0 + 10);
    assert_int_equal(json_object_array_length(series(a, "cpu_percent")), 1);
    assert_true(point_v(series(a, "cpu_percent"), 0) == 7);
    json_object_put(a);
}

/* memory_used_kib's points of uuid around T0, asked at now (the tier now gives). */
static size_t count_points(struct metrics_history *h, const char *uuid, int64_t now)
{
    struct json_object *a = query(h, uuid, T0 - 10, T0 + 10, 0, now);
    size_t n = json_object_array_length(series(a, "memory_used_kib"));

    json_object_put(a);
    return n;
}

static void test_deleted_kept_then_removed(void **state)
{
    struct fixture *f = *state;
    const char *both[] = {UUID_A, UUID_B};
    const char *only_b[] = {UUID_B};

    write_at(f->h, T0, 1, both, 2);
    metrics_history_note_undefined(f->h, UUID_A, (T0 + 5) * 1000);
    write_at(f->h, T0 + 10, 1, only_b, 1); /* marks A at T0 + 5 (keep: 1 h) */
    write_at(f->h, T0 + 3600, 1, only_b, 1);
    assert_int_equal(count_points(f->h, UUID_A, T0 + 3600), 1); /* kept an hour */
    write_at(f->h, T0 + 3605, 1, only_b, 1);                    /* the keep time is over */
    assert_int_equal(count_points(f->h, UUID_A, T0 + 3605), 0);
    assert_int_equal(count_points(f->h, UUID_B, T0 + 3605), 1);
}

static void test_defined_again_and_sync(void **state)
{
    struct fixture *f = *state;
    const char *both[] = {UUID_A, UUID_B};
    const char *none[] = {NULL};
    const char *listed[] = {UUID_B};
    struct app_error err;

    write_at(f->h, T0, 1, both, 2);
    /* undefined, then defined again before the keep time: kept */
    metrics_history_note_undefined(f->h, UUID_A, T0 * 1000);
    metrics_history_note_defined(f->h, UUID_A);
    write_at(f->h, T0 + 3700, 1, none, 0);
    assert_int_equal(count_points(f->h, UUID_A, T0 + 3700), 1);
    /* libvirt lists only B at T0 + 3700: A is marked then, removed an hour later */
    assert_int_equal(metrics_history_sync_domains(f->h, listed, 1, (T0 + 3700) * 1000), 0);
    write_at(f->h, T0 + 3710, 1, none, 0);
    assert_int_equal(count_points(f->h, UUID_A, T0 + 3710), 1);
    write_at(f->h, T0 + 7300, 1, none, 0);
    assert_int_equal(count_points(f->h, UUID_A, T0 + 7300), 0);
    assert_int_equal(count_points(f->h, UUID_B, T0 + 7300), 1);
    /* keep 0: at the next write; reopened with it */
    metrics_history_close(f->h);
    f->h = metrics_history_open(f->dir, 0, &err);
    assert_non_null(f->h);
    metrics_history_note_undefined(f->h, UUID_B, (T0 + 7300) * 1000);
    write_at(f->h, T0 + 7310, 1, none, 0);
    assert_int_equal(count_points(f->h, UUID_B, T0 + 7310), 0);
}

static void expect_refused(const char *from, const char *to, const char *step, const char *field)
{
    struct metrics_history_range r;
    struct app_error err;

    app_error_clear(&err);
    assert_int_equal(metrics_history_range_parse(from, to, step, T0, &r, &err), -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.field, field);
}

static void test_range_parse(void **state)
{
    struct metrics_history_range r;
    struct app_error err;

    (void)state;
    assert_int_equal(metrics_history_range_parse(NULL, NULL, NULL, T0, &r, &err), 0);
    assert_true(r.from == T0 - 3600 && r.to == T0 && r.step == 0);
    assert_int_equal(metrics_history_range_parse(NULL, "1000", "60", T0, &r, &err), 0);
    assert_true(r.from == 0 && r.to == 1000 && r.step == 60);
    assert_int_equal(metrics_history_range_parse("1767220600", NULL, NULL, T0, &r, &err), 0);
    assert_true(r.from == T0 - 5000 && r.to == T0);
    assert_int_equal(metrics_history_range_parse("0", "31622400", NULL, T0, &r, &err), 0);
    expect_refused("x", NULL, NULL, "from");
    expect_refused("-1", NULL, NULL, "from");
    expect_refused("", NULL, NULL, "from");
    expect_refused("1 ", NULL, NULL, "from");
    expect_refused(NULL, "1e3", NULL, "to");
    expect_refused(NULL, "99999999999999999999", NULL, "to");
    expect_refused(NULL, NULL, "0", "step");
    expect_refused(NULL, NULL, "31622401", "step");
    expect_refused("100", "50", NULL, "from");
    expect_refused("0", "31622401", NULL, "from"); /* over 366 days */
}

static void test_tier_for(void **state)
{
    struct metrics_history_range r = {.from = T0 - 3600, .to = T0};

    (void)state;
    assert_int_equal(metrics_history_tier_for(&r, T0), METRICS_HISTORY_RAW);
    r.from = T0 - 3600 - METRICS_HISTORY_RANGE_SLACK_S; /* an hour asked for a minute ago */
    assert_int_equal(metrics_history_tier_for(&r, T0), METRICS_HISTORY_RAW);
    r.from = T0 - 3601 - METRICS_HISTORY_RANGE_SLACK_S;
    assert_int_equal(metrics_history_tier_for(&r, T0), METRICS_HISTORY_1MIN);
    r.from = T0 - 86400 - 2; /* the UI's 24 h, two seconds late: still the 1-minute tier */
    assert_int_equal(metrics_history_tier_for(&r, T0), METRICS_HISTORY_1MIN);
    r.from = T0 - 7 * 86400;
    assert_int_equal(metrics_history_tier_for(&r, T0), METRICS_HISTORY_10MIN);
    r.from = T0 - 40 * 86400;
    assert_int_equal(metrics_history_tier_for(&r, T0), METRICS_HISTORY_1H);
    r.from = T0 - 400 * 86400; /* nothing covers it: the coarsest */
    assert_int_equal(metrics_history_tier_for(&r, T0), METRICS_HISTORY_1H);
    r.from = T0 - 3600;
    r.step = 600; /* the coarsest covering tier no coarser than the step */
    assert_int_equal(metrics_history_tier_for(&r, T0), METRICS_HISTORY_10MIN);
    r.step = 599;
    assert_int_equal(metrics_history_tier_for(&r, T0), METRICS_HISTORY_1MIN);
    r.from = T0 - 86400;
    r.step = 30; /* finer than any covering tier: the finest covering one */
    assert_int_equal(metrics_history_tier_for(&r, T0), METRICS_HISTORY_1MIN);
}

static int64_t db_bytes(const char *dir)
{
    char *path = tmp_dir_path(dir, METRICS_HISTORY_DB_NAME);
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    int64_t bytes;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT page_count * page_size FROM pragma_page_count(), "
                                        "pragma_page_size()",
                                        -1, &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    bytes = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    free(path);
    return bytes;
}

/* A VM's whole year with every figure present and changing: hourly samples for the
 * first 335 days, then every 10 min, every minute for the last day and every second for
 * the last hour, so each tier ends full. The file (checkpointed) stays under the bound. */
static void test_year_bound(void **state)
{
    struct fixture *f = *state;
    const char *uuids[] = {UUID_A};
    int64_t t = T0, end = T0 + 366 * 86400LL, bytes;
    unsigned k = 1;
    struct app_error err;

    while (t < end) {
        struct metrics_sample *s = sample_at(t, (k * 7919 % 10000) / 100.0, uuids, 1);
        struct metrics_domain *d = &s->domains[0];

        k++;
        d->steal_percent = (k % 500) / 100.0;
        d->has_mem_resident = true;
        d->mem_resident_kib = 1048576 + k % 65536;
        d->disk_rd_bps = (double)(k * 104729 % 100000000);
        d->disk_wr_bps = (double)(k * 1299709 % 100000000);
        d->net_rx_bps = (double)(k * 15485863 % 10000000) + 0.37;
        d->net_tx_bps = (double)(k * 32452843 % 10000000) + 0.61;
        d->disk_count = 1;
        d->disks = xcalloc(1, sizeof(*d->disks));
        d->disks[0].name = xstrdup("vda");
        d->disks[0].rd_iops = (k % 3000) + 0.5;
        d->disks[0].wr_iops = (k % 2000) + 0.25;
        s->host.load1 = (k % 800) / 100.0;
        assert_int_equal(metrics_history_write(f->h, s), 0);
        metrics_sample_unref(s);
        t += end - t > 86400 + 3600 ? (end - t > 31 * 86400 ? 3600 : 600)
                                    : (end - t > 3600 ? 60 : 1);
    }
    metrics_history_close(f->h); /* checkpoints the WAL into the file */
    f->h = NULL;
    bytes = db_bytes(f->dir);
    print_message("metrics.db after a year of one VM and the host: %lld bytes\n", (long long)bytes);
    assert_true(bytes < METRICS_HISTORY_BYTES_PER_VM_YEAR);
    f->h = metrics_history_open(f->dir, 3600, &err);
    assert_non_null(f->h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_raw_points_and_nan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tier_boundaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pruned_and_bounded_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_keeps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_kept_then_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defined_again_and_sync, setup, teardown),
        cmocka_unit_test(test_range_parse),
        cmocka_unit_test(test_tier_for),
        cmocka_unit_test_setup_teardown(test_year_bound, setup, teardown),
    };

    log_set_level(LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
