/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_quota: quotas: the limits (SQLite), the effective-limit rule, the check and the
 * reservation ledger (see auth_quota.h for the rule and the threads).
 *
 * The ledger is a small array of reservations (one per change in flight) behind one
 * mutex; a small office has few at a time, so lookups are linear. */
#include "auth_quota.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_users.h"
#include "util/log.h"
#include "util/xalloc.h"

static const char *const auth_quota_keys[AUTH_QUOTA_DIMS] = {
    [AUTH_QUOTA_VMS] = "vms",
    [AUTH_QUOTA_VCPUS] = "vcpus",
    [AUTH_QUOTA_MEMORY_MIB] = "memory_mib",
    [AUTH_QUOTA_DISK_GIB] = "disk_gib",
};

struct auth_quota_entry {
    uint64_t ticket;
    char username[AUTH_USERNAME_MAX + 1];
    struct auth_quota_amounts demand;
};

struct auth_quota {
    pthread_mutex_t lock;
    struct auth_quota_entry *entries; /* lock; owned */
    size_t nentries;                  /* lock */
    uint64_t next_ticket;             /* lock */
};

const char *auth_quota_dim_key(enum auth_quota_dim dim)
{
    return dim < AUTH_QUOTA_DIMS ? auth_quota_keys[dim] : "";
}

/* ---- the rule, the check, JSON (pure) --------------------------------------------------- */

void auth_quota_effective(const struct auth_quota_amounts *own,
                          const struct auth_quota_group *groups, size_t n,
                          struct auth_quota_limits *out)
{
    memset(out, 0, sizeof(*out));
    for (int d = 0; d < AUTH_QUOTA_DIMS; d++) {
        out->limit.n[d] = AUTH_QUOTA_UNLIMITED;
        if (own && own->n[d] >= 0) {
            out->limit.n[d] = own->n[d];
            snprintf(out->source[d], sizeof(out->source[d]), "user");
            continue;
        }
        /* the most generous group limit: a group that sets none does not limit */
        for (size_t i = 0; i < n; i++) {
            long long g = groups[i].limit.n[d];

            if (g < 0 || (out->limit.n[d] >= 0 && g <= out->limit.n[d]))
                continue;
            out->limit.n[d] = g;
            snprintf(out->source[d], sizeof(out->source[d]), "group:%s", groups[i].name);
        }
    }
}

int auth_quota_check(const struct auth_quota_amounts *limit, const struct auth_quota_amounts *used,
                     const struct auth_quota_amounts *demand, struct app_error *err)
{
    for (int d = 0; d < AUTH_QUOTA_DIMS; d++) {
        if (demand->n[d] <= 0 || limit->n[d] < 0 || used->n[d] + demand->n[d] <= limit->n[d])
            continue;
        app_error_set(err, 409, APP_ERR_QUOTA,
                      "quota exceeded: %s: %lld used, %lld requested, limit %lld",
                      auth_quota_keys[d], used->n[d], demand->n[d], limit->n[d]);
        return -1;
    }
    return 0;
}

struct json_object *auth_quota_limits_json(const struct auth_quota_amounts *limit)
{
    struct json_object *obj = json_object_new_object();

    for (int d = 0; d < AUTH_QUOTA_DIMS; d++)
        json_object_object_add(obj, auth_quota_keys[d],
                               limit->n[d] >= 0 ? json_object_new_int64(limit->n[d]) : NULL);
    return obj;
}

static int auth_quota_bad(struct app_error *err, const char *key, const char *message)
{
    app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s\" %s", key, message);
    app_error_at_field(err, "", key);
    return -1;
}

int auth_quota_parse(struct json_object *body, struct auth_quota_amounts *out,
                     struct app_error *err)
{
    for (int d = 0; d < AUTH_QUOTA_DIMS; d++)
        out->n[d] = AUTH_QUOTA_UNLIMITED;
    if (!json_object_is_type(body, json_type_object)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the body must be a JSON object");
        return -1;
    }
    json_object_object_foreach(body, key, value)
    {
        int d = 0;

        while (d < AUTH_QUOTA_DIMS && strcmp(auth_quota_keys[d], key) != 0)
            d++;
        if (d == AUTH_QUOTA_DIMS)
            return auth_quota_bad(err, key, "is not a quota (vms, vcpus, memory_mib, disk_gib)");
        if (!value)
            continue; /* null: unlimited */
        if (!json_object_is_type(value, json_type_int) || json_object_get_int64(value) < 0 ||
            json_object_get_int64(value) > AUTH_QUOTA_LIMIT_MAX) {
            auth_quota_bad(err, key, "must be an integer >= 0, or null (unlimited)");
            app_error_at_range(err, "", key, 0, AUTH_QUOTA_LIMIT_MAX);
            return -1;
        }
        out->n[d] = json_object_get_int64(value);
    }
    return 0;
}

/* ---- SQLite (workers) ------------------------------------------------------------------- */

static const char *auth_quota_table(bool group)
{
    return group ? "group_quotas" : "user_quotas";
}

/* The row's four columns from col into out (-1 for NULL). */
static void auth_quota_columns(sqlite3_stmt *stmt, int col, struct auth_quota_amounts *out)
{
    for (int d = 0; d < AUTH_QUOTA_DIMS; d++)
        out->n[d] = sqlite3_column_type(stmt, col + d) == SQLITE_NULL
                        ? AUTH_QUOTA_UNLIMITED
                        : sqlite3_column_int64(stmt, col + d);
}

static int auth_quota_db_error(sqlite3 *db, struct app_error *err)
{
    app_error_set(err, 500, APP_ERR_INTERNAL, "database error: %s", sqlite3_errmsg(db));
    return -1;
}

int auth_quota_set(sqlite3 *db, bool group, const char *name,
                   const struct auth_quota_amounts *limit, struct app_error *err)
{
    sqlite3_stmt *stmt = NULL;
    char *sql = NULL;
    bool any = false;
    int ret = -1, rc;

    /* the name first: a quota of no one is 404, as the other routes of users and groups */
    sql = xasprintf("SELECT 1 FROM %s WHERE name = ?", group ? "groups" : "users");
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        auth_quota_db_error(db, err);
        goto cleanup;
    }
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
    if ((rc = sqlite3_step(stmt)) != SQLITE_ROW) {
        if (rc == SQLITE_DONE)
            app_error_set(err, 404, APP_ERR_NOT_FOUND, "no %s %s", group ? "group" : "user", name);
        else
            auth_quota_db_error(db, err);
        goto cleanup;
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    free(sql);
    for (int d = 0; d < AUTH_QUOTA_DIMS; d++)
        any = any || limit->n[d] >= 0;
    if (any)
        sql = xasprintf("INSERT OR REPLACE INTO %s (name, vms, vcpus, memory_mib, disk_gib) "
                        "VALUES (?, ?, ?, ?, ?)",
                        auth_quota_table(group));
    else
        sql = xasprintf("DELETE FROM %s WHERE name = ?", auth_quota_table(group));
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        auth_quota_db_error(db, err);
        goto cleanup;
    }
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
    for (int d = 0; any && d < AUTH_QUOTA_DIMS; d++) {
        if (limit->n[d] >= 0)
            sqlite3_bind_int64(stmt, 2 + d, limit->n[d]);
        else
            sqlite3_bind_null(stmt, 2 + d);
    }
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        auth_quota_db_error(db, err);
        goto cleanup;
    }
    ret = 0;

cleanup:
    sqlite3_finalize(stmt);
    free(sql);
    return ret;
}

int auth_quota_get(sqlite3 *db, bool group, const char *name, struct auth_quota_amounts *out,
                   struct app_error *err)
{
    sqlite3_stmt *stmt = NULL;
    char *sql = xasprintf("SELECT vms, vcpus, memory_mib, disk_gib FROM %s WHERE name = ?",
                          auth_quota_table(group));
    int ret = -1, rc;

    for (int d = 0; d < AUTH_QUOTA_DIMS; d++)
        out->n[d] = AUTH_QUOTA_UNLIMITED;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        auth_quota_db_error(db, err);
        goto cleanup;
    }
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
    if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        auth_quota_columns(stmt, 0, out);
    else if (rc != SQLITE_DONE) {
        auth_quota_db_error(db, err);
        goto cleanup;
    }
    ret = 0;

cleanup:
    sqlite3_finalize(stmt);
    free(sql);
    return ret;
}

int auth_quota_limits_for(sqlite3 *db, const char *username, struct auth_quota_limits *out,
                          struct app_error *err)
{
    static const char sql[] = "SELECT q.name, q.vms, q.vcpus, q.memory_mib, q.disk_gib "
                              "FROM group_quotas q JOIN group_members m ON m.group_name = q.name "
                              "WHERE m.username = ? ORDER BY q.name";
    struct auth_quota_amounts own;
    struct auth_quota_group *groups = NULL;
    char(*names)[AUTH_USERNAME_MAX + 1] = NULL;
    sqlite3_stmt *stmt = NULL;
    size_t n = 0;
    int ret = -1, rc;

    if (auth_quota_get(db, false, username, &own, err) < 0)
        goto cleanup;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        auth_quota_db_error(db, err);
        goto cleanup;
    }
    sqlite3_bind_text(stmt, 1, username, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const unsigned char *name = sqlite3_column_text(stmt, 0);

        groups = xrealloc(groups, (n + 1) * sizeof(*groups));
        names = xrealloc(names, (n + 1) * sizeof(*names));
        snprintf(names[n], sizeof(names[n]), "%s", name ? (const char *)name : "");
        auth_quota_columns(stmt, 1, &groups[n].limit);
        n++;
    }
    if (rc != SQLITE_DONE) {
        auth_quota_db_error(db, err);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++)
        groups[i].name = names[i]; /* names no longer moves */
    auth_quota_effective(&own, groups, n, out);
    ret = 0;

cleanup:
    sqlite3_finalize(stmt);
    free(groups);
    free(names);
    return ret;
}

/* ---- the ledger ------------------------------------------------------------------------- */

struct auth_quota *auth_quota_new(void)
{
    struct auth_quota *quota = xcalloc(1, sizeof(*quota));

    pthread_mutex_init(&quota->lock, NULL);
    quota->next_ticket = 1;
    return quota;
}

void auth_quota_free(struct auth_quota *quota)
{
    if (!quota)
        return;
    if (quota->nentries)
        log_warn("quota: %zu reservations still in flight at exit", quota->nentries);
    free(quota->entries);
    pthread_mutex_destroy(&quota->lock);
    free(quota);
}

/* The sum of username's reservations; lock held. */
static void auth_quota_sum_locked(const struct auth_quota *quota, const char *username,
                                  struct auth_quota_amounts *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < quota->nentries; i++) {
        if (strcmp(quota->entries[i].username, username) != 0)
            continue;
        for (int d = 0; d < AUTH_QUOTA_DIMS; d++)
            out->n[d] += quota->entries[i].demand.n[d];
    }
}

int auth_quota_reserve(struct auth_quota *quota, const char *username,
                       const struct auth_quota_amounts *limit,
                       const struct auth_quota_amounts *demand, auth_quota_measure_fn measure,
                       void *ctx, uint64_t *ticket, struct app_error *err)
{
    struct auth_quota_amounts used, reserved;
    struct auth_quota_entry *e;
    int ret = -1;

    *ticket = 0;
    memset(&used, 0, sizeof(used));
    pthread_mutex_lock(&quota->lock);
    if (measure && measure(ctx, &used, err) < 0)
        goto cleanup;
    auth_quota_sum_locked(quota, username, &reserved);
    for (int d = 0; d < AUTH_QUOTA_DIMS; d++)
        used.n[d] += reserved.n[d];
    if (auth_quota_check(limit, &used, demand, err) < 0)
        goto cleanup;
    quota->entries = xrealloc(quota->entries, (quota->nentries + 1) * sizeof(*quota->entries));
    e = &quota->entries[quota->nentries++];
    memset(e, 0, sizeof(*e));
    e->ticket = quota->next_ticket++;
    snprintf(e->username, sizeof(e->username), "%s", username);
    e->demand = *demand;
    *ticket = e->ticket;
    ret = 0;

cleanup:
    pthread_mutex_unlock(&quota->lock);
    return ret;
}

void auth_quota_settle(struct auth_quota *quota, uint64_t ticket, void (*settle)(void *ctx),
                       void *ctx)
{
    if (!quota || ticket == 0)
        return;
    pthread_mutex_lock(&quota->lock);
    if (settle)
        settle(ctx);
    for (size_t i = 0; i < quota->nentries; i++) {
        if (quota->entries[i].ticket != ticket)
            continue;
        quota->entries[i] = quota->entries[--quota->nentries];
        break;
    }
    pthread_mutex_unlock(&quota->lock);
}

void auth_quota_reserved(struct auth_quota *quota, const char *username,
                         struct auth_quota_amounts *out)
{
    pthread_mutex_lock(&quota->lock);
    auth_quota_sum_locked(quota, username, out);
    pthread_mutex_unlock(&quota->lock);
}
