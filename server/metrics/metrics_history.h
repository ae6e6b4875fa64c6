/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* metrics_history: the figures of each collection kept on disk, per domain (by UUID) and
 * for the host, in tiers that get coarser with age, so a graph of an hour, a day, a
 * month or a year reads a bounded number of points.
 *
 * Storage: SQLite, in a database file of its own, <state dir>/metrics.db (WAL), not in
 * virtdeck.db: history writes (one transaction per collection, every few seconds) never
 * contend with the sessions' and the audit log's writes for the main store's write lock,
 * a full disk of history cannot stop logins, and its size is the file's size (measured
 * in tests/unit/test_metrics_history.c and docs/performance.md). Deleting the file
 * forgets the history and nothing else.
 *
 * Tiers: raw (every collection, at most one point per second, kept 1 h), 1 min (kept
 * 24 h), 10 min (kept 31 d) and 1 h (kept 366 d). When a bucket of a tier has ended, its
 * point is made from the finer tier's points in it: the mean of their means, the least of
 * their minimums and the greatest of their maximums (graphs draw the max). Every point
 * older than its tier's time is pruned by the same write. So a subject holds at most
 * 3,601 + 1,441 + 4,465 + 8,785 points: bytes per VM are bounded (the measured bound is
 * METRICS_HISTORY_BYTES_PER_VM_YEAR below). A point is one row with every series of its
 * subject (10 for a domain, 4 for the host) as columns: a figure that is NAN (none) is
 * NULL, never stored as a number. Values are kept as integers in hundredths.
 *
 * Time: every time is an argument (the sample's at_ms, an explicit now), never the
 * clock: the tests drive a year with a test clock.
 *
 * Deleted VMs: a domain undefined (metrics_history_note_undefined, from any thread) or
 * absent from libvirt's list at start (metrics_history_sync_domains) gets a deletion mark;
 * its points go keep_deleted_s after it (0: at the next write). A domain seen again (in a
 * sample, defined again, listed) loses its mark.
 *
 * Threads: metrics_history_open/close on the main thread; write, sync and query block
 * (SQLite) and run on workers (serve.c: one history job at a time; the API's routes);
 * note_* never touch SQLite and may be called on any thread (the libvirt event thread).
 * The handle is FULLMUTEX: calls from several workers are serialised by SQLite. */
#pragma once

#include <json-c/json.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/app_error.h"

struct metrics_sample;

#define METRICS_HISTORY_DB_NAME "metrics.db"

/* The tiers, finest first. */
enum metrics_history_tier {
    METRICS_HISTORY_RAW = 0,
    METRICS_HISTORY_1MIN,
    METRICS_HISTORY_10MIN,
    METRICS_HISTORY_1H,
    METRICS_HISTORY_TIERS
};

/* A query may span at most this (366 days), in seconds. */
#define METRICS_HISTORY_RANGE_MAX_S (366LL * 86400)
/* The most points one subject holds over all tiers (a bound, see above). */
#define METRICS_HISTORY_POINTS_MAX (3601 + 1441 + 4465 + 8785)
/* The bound of metrics.db's bytes for one VM (and the host's series) after a full year
 * of history with one collection per second in the last hour (every tier full) and every
 * figure present and changing: measured 4,587,520 bytes (test_metrics_history.c fills the
 * year and asserts the file stays under this; docs/performance.md). */
#define METRICS_HISTORY_BYTES_PER_VM_YEAR (5 * 1024 * 1024)

/* A query's range in unix seconds: [from, to]; step 0: the tier's own resolution. */
struct metrics_history_range {
    int64_t from, to;
    int64_t step;
};

struct metrics_history;

/* Opens (creating it 0600, and state_dir 0700, if needed) <state_dir>/metrics.db.
 * keep_deleted_s: how long a deleted domain's history stays (0: removed at the next
 * write). Returns the handle or NULL with err set. Main thread. */
struct metrics_history *metrics_history_open(const char *state_dir, int64_t keep_deleted_s,
                                             struct app_error *err)
    __attribute__((warn_unused_result));
/* Closes it; the pending notes are dropped (a restart's sync finds those domains absent).
 * NULL-safe. Main thread, once nothing else uses it. */
void metrics_history_close(struct metrics_history *history);

/* Writes sample's figures at sample->at_ms (the host's, and each domain's), applies the
 * pending notes, makes the points of every bucket that ended by then, prunes what is
 * older than its tier's time and removes deleted domains whose keep time is over: one
 * transaction. A sample not newer than the last written (same second) replaces its
 * point. Returns 0 or -1 (logged; nothing written). Worker. */
int metrics_history_write(struct metrics_history *history, const struct metrics_sample *sample)
    __attribute__((warn_unused_result));

/* Any thread, never blocks on SQLite: the domain uuid was undefined at at_ms (marked at
 * the next write), or defined (its mark, if any, goes at the next write). At most 4,096
 * notes wait; more are dropped with a warning (a restart's sync repairs the marks). */
void metrics_history_note_undefined(struct metrics_history *history, const char *uuid,
                                    int64_t at_ms);
void metrics_history_note_defined(struct metrics_history *history, const char *uuid);

/* libvirt's whole list of domains (uuids, n of them) at now_ms: each domain with history
 * that is not in it is marked deleted at now_ms (unless marked already); each in it
 * loses its mark. Returns 0 or -1 (logged). Worker. */
int metrics_history_sync_domains(struct metrics_history *history, const char *const *uuids,
                                 size_t n, int64_t now_ms) __attribute__((warn_unused_result));

/* Reads the query arguments (NULL: absent) at now_s into out: from and to in unix
 * seconds (defaults now - 3600 and now; to alone gives from = to - 3600), step in seconds
 * (default 0). Returns 0, or -1 with err 400 naming the field ("from", "to", "step"):
 * not a whole number, negative, from after to, a step over the range bound, or a range
 * over METRICS_HISTORY_RANGE_MAX_S. Pure; any thread. */
int metrics_history_range_parse(const char *from, const char *to, const char *step, int64_t now_s,
                                struct metrics_history_range *out, struct app_error *err)
    __attribute__((warn_unused_result));

/* How late a range may arrive and still read the tier it was asked for: the UI's "24 h"
 * is from = its now - 86400, which reaches the server a moment later (and clocks differ). */
#define METRICS_HISTORY_RANGE_SLACK_S 60

/* The tier a query reads at now_s: with range->step 0 the finest tier whose time still
 * covers range->from (within METRICS_HISTORY_RANGE_SLACK_S: the first minute of a late
 * range may then be empty); with a step, the coarsest covering tier no coarser than the step
 * (else the finest covering one). The coarsest tier when none covers from. Pure. */
enum metrics_history_tier metrics_history_tier_for(const struct metrics_history_range *range,
                                                   int64_t now_s);

/* The series of domain uuid (NULL: the host) over range at now_s:
 * {"from":S,"to":S,"step":S,"tier":"raw"|"1min"|"10min"|"1h","series":{"cpu_percent":
 * [[t,v],...],...}} with every series of the subject (empty arrays when there is no
 * figure), t the bucket's start in unix seconds; read from metrics_history_tier_for's
 * tier, grouped into step-second buckets when a step coarser than the tier is asked.
 * Downsampled answers (a tier above raw, or a step) also carry "<name>_min" and
 * "<name>_max". step is the answer's resolution: the tier's (or the asked step), for raw
 * points the least spacing between two of them (0 with fewer than two). Returns a new
 * object, or NULL with err (500). Worker. */
struct json_object *metrics_history_query(struct metrics_history *history, const char *uuid,
                                          const struct metrics_history_range *range, int64_t now_s,
                                          struct app_error *err)
    __attribute__((warn_unused_result));

/* The series' names of a domain (10) or of the host (4), in column order; *count gets
 * their number. Static strings. */
const char *const *metrics_history_series_names(bool host, size_t *count);
