/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_quota: per-user and per-group quotas (store migration 10): the limits kept in
 * SQLite, the rule that gives a user its effective limit on each dimension, the check
 * of a demand against limit and use, and the reservation ledger that makes the check
 * atomic.
 *
 * Dimensions: the number of VMs, their total vCPUs, total maximum memory (MiB) and the
 * total capacity of their disks (GiB). A limit is a count >= 0, or unlimited (-1; NULL in
 * SQLite and JSON). The effective limit of a user on a dimension is the user's own limit
 * when set, else the most generous of the limits set by the groups the user belongs to,
 * else unlimited. Who is limited at all is auth_policy_quota_applies's (role user).
 *
 * DESIGN (threads): use = committed + reserved. Committed is what the user owns in
 * libvirt now (the caller measures it, on a worker); reserved is the demand of the
 * user's changes in flight. A change reserves (measure, check, record: all under the
 * ledger's mutex, so two concurrent changes see each other), makes its libvirt change
 * outside the mutex, then settles: under the mutex again it makes the result count as
 * committed (a new VM gets its owner row) and drops the reservation in one step, so no
 * reader sees it twice or not at all. The mutex is held across the measure (libvirt
 * calls): changes of limited users are serialised for that moment, never anything
 * else. Reads of the limits go to SQLite: workers only. The pure parts (rule, check,
 * JSON) run anywhere. */
#pragma once

#include <json-c/json.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/app_error.h"

enum auth_quota_dim {
    AUTH_QUOTA_VMS = 0,
    AUTH_QUOTA_VCPUS,
    AUTH_QUOTA_MEMORY_MIB,
    AUTH_QUOTA_DISK_GIB,
    AUTH_QUOTA_DIMS
};

/* The largest limit accepted (a guard against overflow in sums, not a policy). */
#define AUTH_QUOTA_LIMIT_MAX  (1LL << 40)
#define AUTH_QUOTA_UNLIMITED  (-1LL)
#define AUTH_QUOTA_SOURCE_MAX 72 /* "group:" + a group name + NUL */

/* An amount on each dimension: a use, a demand or a limit (-1: unlimited). */
struct auth_quota_amounts {
    long long n[AUTH_QUOTA_DIMS];
};

/* A user's effective limits and where each comes from: "user", "group:<name>", or ""
 * (unlimited: nothing set). */
struct auth_quota_limits {
    struct auth_quota_amounts limit;
    char source[AUTH_QUOTA_DIMS][AUTH_QUOTA_SOURCE_MAX];
};

/* One group's limits, for the rule. */
struct auth_quota_group {
    const char *name; /* borrowed */
    struct auth_quota_amounts limit;
};

struct auth_quota;

/* The JSON member name of dim ("vms", "vcpus", "memory_mib", "disk_gib"). Pure. */
const char *auth_quota_dim_key(enum auth_quota_dim dim);

/* The rule: own (the user's own limits; -1 where unset) and the n groups' limits give
 * out. Pure, any thread. */
void auth_quota_effective(const struct auth_quota_amounts *own,
                          const struct auth_quota_group *groups, size_t n,
                          struct auth_quota_limits *out);

/* The check: every dimension demand raises (> 0) must stay within its limit:
 * used + demand <= limit. Returns 0, or -1 with err = 409 quota_exceeded naming the
 * first dimension over, the use, the demand and the limit. A dimension already over
 * its limit (the limit was lowered) refuses only a demand that raises it. Pure. */
int auth_quota_check(const struct auth_quota_amounts *limit, const struct auth_quota_amounts *used,
                     const struct auth_quota_amounts *demand, struct app_error *err)
    __attribute__((warn_unused_result));

/* {"vms": n|null, "vcpus": ..., "memory_mib": ..., "disk_gib": ...} of a limit. New. */
struct json_object *auth_quota_limits_json(const struct auth_quota_amounts *limit);

/* A PUT body: an object with each of the four members an integer in
 * [0, AUTH_QUOTA_LIMIT_MAX] or null (unlimited); a member left out is unlimited too; any
 * other member is refused. Returns 0 with out, or -1 with err (400 naming the member).
 * Pure. */
int auth_quota_parse(struct json_object *body, struct auth_quota_amounts *out,
                     struct app_error *err) __attribute__((warn_unused_result));

/* ---- the limits in SQLite: workers ---- */

/* Sets the limits of the user (group false) or group name (all unlimited: the row goes).
 * 404 when there is no such user or group. Returns 0 or -1 with err. */
int auth_quota_set(sqlite3 *db, bool group, const char *name,
                   const struct auth_quota_amounts *limit, struct app_error *err)
    __attribute__((warn_unused_result));
/* The limits set on the user (group false) or group name itself (-1 where unset).
 * Returns 0 or -1 with err (500). */
int auth_quota_get(sqlite3 *db, bool group, const char *name, struct auth_quota_amounts *out,
                   struct app_error *err) __attribute__((warn_unused_result));
/* The effective limits of user username (its own and its groups', by the rule).
 * Returns 0 or -1 with err (500). */
int auth_quota_limits_for(sqlite3 *db, const char *username, struct auth_quota_limits *out,
                          struct app_error *err) __attribute__((warn_unused_result));

/* ---- the reservation ledger: any thread but the service thread ---- */

struct auth_quota *auth_quota_new(void);
void auth_quota_free(struct auth_quota *quota);

/* Measures what username owns now into *used: the caller's (libvirt), run under the
 * ledger's mutex. Returns 0 or -1 with err. */
typedef int (*auth_quota_measure_fn)(void *ctx, struct auth_quota_amounts *used,
                                     struct app_error *err);

/* Reserves demand for username within limit: measures the committed use, adds the
 * user's reservations in flight, checks (auth_quota_check) and records the reservation,
 * all under the mutex. Returns 0 with *ticket (> 0), or -1 with err (409 quota_exceeded,
 * or measure's error); nothing is reserved then. */
int auth_quota_reserve(struct auth_quota *quota, const char *username,
                       const struct auth_quota_amounts *limit,
                       const struct auth_quota_amounts *demand, auth_quota_measure_fn measure,
                       void *ctx, uint64_t *ticket, struct app_error *err)
    __attribute__((warn_unused_result));
/* Ends the reservation ticket (0: none, a no-op): under the mutex, calls settle(ctx)
 * first when not NULL (what makes the change count as committed: the owner row of a new
 * VM), then drops the reservation. Also for a change that failed (settle NULL). */
void auth_quota_settle(struct auth_quota *quota, uint64_t ticket, void (*settle)(void *ctx),
                       void *ctx);
/* The sum of username's reservations in flight into *out. */
void auth_quota_reserved(struct auth_quota *quota, const char *username,
                         struct auth_quota_amounts *out);
