/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* store_audit_log: reading and pruning the audit log (the rows store_audit writes).
 *
 * A filtered page of rows, newest first, from the SQL store_audit_log_sql builds (pure,
 * unit-tested); the rows reach a callback one at a time, so a caller that streams them
 * never holds more than one. Pruning keeps the rows younger than a number of days and at
 * most a number of rows. Any thread (the handle is FULLMUTEX); every call blocks on
 * SQLite, so never the service thread. */
#pragma once

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "util/app_error.h"

/* The largest page a caller may ask for. */
#define STORE_AUDIT_LOG_LIMIT_MAX 10000

/* Which rows a reader may read at all (auth_policy_audit_reach decides; these mirror it
 * so the store needs no policy). A row is "about a VM" when its object is
 * "domain:<uuid>" or "domain:<uuid>/...". */
enum store_audit_reach {
    STORE_AUDIT_ALL = 0,      /* every row */
    STORE_AUDIT_EVERY_DOMAIN, /* rows about any VM, and the reader's own rows about none */
    STORE_AUDIT_DOMAINS_IN,   /* rows about the VMs of `domains`, and the reader's own rows
                               * about none */
};

/* What rows to read; NULL or 0 members do not filter. */
struct store_audit_filter {
    enum store_audit_reach reach;
    const char *reader;  /* borrowed: the reader's name (reach other than ALL) */
    const char *domains; /* borrowed: a JSON array of lower-case UUIDs (DOMAINS_IN) */
    const char *vm;      /* borrowed: a domain's UUID: object "domain:<vm>" and "domain:<vm>/..." */
    const char *user;    /* borrowed: username, exact */
    const char *action;  /* borrowed: action, exact */
    const char *result;  /* borrowed: outcome ("ok" or an error code), exact */
    int64_t since_s;     /* at >= since_s (seconds since the epoch; 0: none) */
    int64_t until_s;     /* at < until_s (0: none) */
    int64_t before_id;   /* the cursor: id < before_id (0: none) */
    int limit;           /* 1..STORE_AUDIT_LOG_LIMIT_MAX rows */
};

/* One row, borrowed for the callback only; absent text is "". */
struct store_audit_row {
    int64_t id;
    int64_t at; /* seconds since the epoch */
    const char *user;
    const char *address;
    const char *action;
    const char *object;
    const char *result;
    const char *message;
};

/* The SELECT for filter into out (outlen bytes): its ? parameters are, in order, the
 * reach's (EVERY_DOMAIN: reader; DOMAINS_IN: domains, reader), then the members filter
 * sets among vm (three: the object itself, and the range of its sub-objects), user,
 * action, result, since_s, until_s, before_id, then limit. Pure.
 * Returns 0, or -1 when out is too small. Exported for tests (test_store_audit_log.c). */
int store_audit_log_sql(const struct store_audit_filter *filter, char *out, size_t outlen)
    __attribute__((warn_unused_result));

/* Reads the rows filter names, newest first, and calls each(row, ctx) for each. Returns
 * the number of rows (0..limit), or -1 with err (500). */
int store_audit_log_query(sqlite3 *db, const struct store_audit_filter *filter,
                          void (*each)(const struct store_audit_row *row, void *ctx), void *ctx,
                          struct app_error *err) __attribute__((warn_unused_result));

/* Deletes the rows older than max_days days before now_s (0: no age limit) and all but
 * the newest max_rows rows (0: no count limit). Returns the number of rows deleted, or -1
 * (logged). */
int store_audit_log_prune(sqlite3 *db, int64_t now_s, int max_days, int64_t max_rows);
