/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_owners: the ownership index (see auth_owners.h for the threads).
 *
 * A snapshot (struct auth_owners_data) is built from SQLite in one read, never changed
 * afterwards, and replaced whole under `lock`; readers copy out what they need while
 * they hold `lock`. Writers hold `write_lock` across their transaction and the reload,
 * so two writes cannot interleave their snapshots. */
#include "auth_owners.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_users.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#define AUTH_OWNERS_UUID_LEN AUTH_OWNERS_UUID_MAX

struct auth_owners_share {
    bool group;                            /* a group's share, else a user's */
    char principal[AUTH_USERNAME_MAX + 1]; /* the user's or group's name */
    enum auth_level level;
};

struct auth_owners_domain {
    char uuid[AUTH_OWNERS_UUID_LEN + 1];
    char owner[AUTH_USERNAME_MAX + 1]; /* "" : no owner */
    struct auth_owners_share *shares;  /* owned */
    size_t nshares;
};

struct auth_owners_group {
    char name[AUTH_USERNAME_MAX + 1];
    long long created_at;
    char (*members)[AUTH_USERNAME_MAX + 1]; /* owned, sorted */
    size_t nmembers;
};

struct auth_owners_data {
    struct auth_owners_domain *domains; /* owned */
    size_t ndomains;
    struct auth_owners_group *groups; /* owned, sorted by name */
    size_t ngroups;
    char (*shared_only)[AUTH_USERNAME_MAX + 1]; /* owned: viewers who see shared VMs only */
    size_t nshared_only;
};

struct auth_owners {
    sqlite3 *db;                   /* borrowed */
    pthread_mutex_t lock;          /* guards data (the pointer; the snapshot is immutable) */
    pthread_mutex_t write_lock;    /* one writer (or sync) at a time */
    struct auth_owners_data *data; /* lock; owned */
    void (*on_change)(void *ctx);  /* set before the threads start; NULL: none */
    void *change_ctx;              /* borrowed */
};

/* ---- snapshots ---------------------------------------------------------------- */

static void auth_owners_data_free(struct auth_owners_data *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->ndomains; i++)
        free(d->domains[i].shares);
    for (size_t i = 0; i < d->ngroups; i++)
        free(d->groups[i].members);
    free(d->domains);
    free(d->groups);
    free(d->shared_only);
    free(d);
}

static void auth_owners_text(sqlite3_stmt *stmt, int col, char *out, size_t outlen)
{
    const unsigned char *t = sqlite3_column_text(stmt, col);

    snprintf(out, outlen, "%s", t ? (const char *)t : "");
}

static struct auth_owners_domain *auth_owners_data_domain(const struct auth_owners_data *d,
                                                          const char *uuid)
{
    for (size_t i = 0; d && uuid && i < d->ndomains; i++)
        if (strcasecmp(d->domains[i].uuid, uuid) == 0)
            return &d->domains[i];
    return NULL;
}

static struct auth_owners_group *auth_owners_data_group(const struct auth_owners_data *d,
                                                        const char *name)
{
    for (size_t i = 0; d && name && i < d->ngroups; i++)
        if (strcmp(d->groups[i].name, name) == 0)
            return &d->groups[i];
    return NULL;
}

/* The domain uuid of d, appended if new (the loader's). */
static struct auth_owners_domain *auth_owners_data_add_domain(struct auth_owners_data *d,
                                                              const char *uuid)
{
    struct auth_owners_domain *dom = auth_owners_data_domain(d, uuid);

    if (dom)
        return dom;
    d->domains = xrealloc(d->domains, (d->ndomains + 1) * sizeof(*d->domains));
    dom = &d->domains[d->ndomains++];
    memset(dom, 0, sizeof(*dom));
    snprintf(dom->uuid, sizeof(dom->uuid), "%s", uuid);
    return dom;
}

/* Runs sql and calls row(d, stmt) for each row. Returns 0 or -1. */
static int auth_owners_load_rows(sqlite3 *db, const char *sql, struct auth_owners_data *d,
                                 void (*row)(struct auth_owners_data *d, sqlite3_stmt *stmt))
{
    sqlite3_stmt *stmt = NULL;
    int ret = -1, rc;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        row(d, stmt);
    if (rc == SQLITE_DONE)
        ret = 0;

cleanup:
    sqlite3_finalize(stmt);
    return ret;
}

static void auth_owners_row_owner(struct auth_owners_data *d, sqlite3_stmt *stmt)
{
    char uuid[AUTH_OWNERS_UUID_LEN + 1];
    struct auth_owners_domain *dom;

    auth_owners_text(stmt, 0, uuid, sizeof(uuid));
    dom = auth_owners_data_add_domain(d, uuid);
    auth_owners_text(stmt, 1, dom->owner, sizeof(dom->owner));
}

static void auth_owners_row_share(struct auth_owners_data *d, sqlite3_stmt *stmt)
{
    char uuid[AUTH_OWNERS_UUID_LEN + 1], kind[8], level[16];
    struct auth_owners_share share;
    struct auth_owners_domain *dom;

    memset(&share, 0, sizeof(share));
    auth_owners_text(stmt, 0, uuid, sizeof(uuid));
    auth_owners_text(stmt, 1, kind, sizeof(kind));
    auth_owners_text(stmt, 2, share.principal, sizeof(share.principal));
    auth_owners_text(stmt, 3, level, sizeof(level));
    if (auth_level_parse(level, &share.level) < 0 || share.level == AUTH_LEVEL_NONE ||
        share.level == AUTH_LEVEL_OWNER)
        return; /* the table's CHECK keeps these out */
    share.group = strcmp(kind, "group") == 0;
    dom = auth_owners_data_add_domain(d, uuid);
    dom->shares = xrealloc(dom->shares, (dom->nshares + 1) * sizeof(*dom->shares));
    dom->shares[dom->nshares++] = share;
}

static void auth_owners_row_group(struct auth_owners_data *d, sqlite3_stmt *stmt)
{
    struct auth_owners_group *g;

    d->groups = xrealloc(d->groups, (d->ngroups + 1) * sizeof(*d->groups));
    g = &d->groups[d->ngroups++];
    memset(g, 0, sizeof(*g));
    auth_owners_text(stmt, 0, g->name, sizeof(g->name));
    g->created_at = sqlite3_column_int64(stmt, 1);
}

static void auth_owners_row_member(struct auth_owners_data *d, sqlite3_stmt *stmt)
{
    char name[AUTH_USERNAME_MAX + 1];
    struct auth_owners_group *g;

    auth_owners_text(stmt, 0, name, sizeof(name));
    if (!(g = auth_owners_data_group(d, name)))
        return;
    g->members = xrealloc(g->members, (g->nmembers + 1) * sizeof(*g->members));
    auth_owners_text(stmt, 1, g->members[g->nmembers++], sizeof(*g->members));
}

static void auth_owners_row_viewer(struct auth_owners_data *d, sqlite3_stmt *stmt)
{
    d->shared_only = xrealloc(d->shared_only, (d->nshared_only + 1) * sizeof(*d->shared_only));
    auth_owners_text(stmt, 0, d->shared_only[d->nshared_only++], sizeof(*d->shared_only));
}

static struct auth_owners_data *auth_owners_load(sqlite3 *db)
{
    struct auth_owners_data *d = xcalloc(1, sizeof(*d));

    if (auth_owners_load_rows(db, "SELECT uuid, owner FROM domain_owners", d,
                              auth_owners_row_owner) < 0 ||
        auth_owners_load_rows(db,
                              "SELECT uuid, kind, principal, level FROM domain_shares "
                              "ORDER BY uuid, kind DESC, principal",
                              d, auth_owners_row_share) < 0 ||
        auth_owners_load_rows(db, "SELECT name, created_at FROM groups ORDER BY name", d,
                              auth_owners_row_group) < 0 ||
        auth_owners_load_rows(db,
                              "SELECT group_name, username FROM group_members "
                              "ORDER BY group_name, username",
                              d, auth_owners_row_member) < 0 ||
        auth_owners_load_rows(db, "SELECT name FROM users WHERE viewer_sees = 'shared'", d,
                              auth_owners_row_viewer) < 0) {
        log_error("auth_owners: cannot read owners, shares and groups: %s", sqlite3_errmsg(db));
        auth_owners_data_free(d);
        return NULL;
    }
    return d;
}

/* Reads a fresh snapshot and swaps it in. Caller holds write_lock. */
static int auth_owners_reload(struct auth_owners *owners)
{
    struct auth_owners_data *fresh = auth_owners_load(owners->db), *stale;

    if (!fresh)
        return -1;
    pthread_mutex_lock(&owners->lock);
    stale = owners->data;
    owners->data = fresh;
    pthread_mutex_unlock(&owners->lock);
    auth_owners_data_free(stale);
    if (owners->on_change)
        owners->on_change(owners->change_ctx);
    return 0;
}

struct auth_owners *auth_owners_new(sqlite3 *db)
{
    struct auth_owners *owners = xcalloc(1, sizeof(*owners));

    owners->db = db;
    pthread_mutex_init(&owners->lock, NULL);
    pthread_mutex_init(&owners->write_lock, NULL);
    if (!(owners->data = auth_owners_load(db))) {
        auth_owners_free(owners);
        return NULL;
    }
    return owners;
}

void auth_owners_free(struct auth_owners *owners)
{
    if (!owners)
        return;
    auth_owners_data_free(owners->data);
    pthread_mutex_destroy(&owners->lock);
    pthread_mutex_destroy(&owners->write_lock);
    free(owners);
}

int auth_owners_sync(struct auth_owners *owners)
{
    int ret;

    pthread_mutex_lock(&owners->write_lock);
    ret = auth_owners_reload(owners);
    pthread_mutex_unlock(&owners->write_lock);
    return ret;
}

/* ---- reads ---------------------------------------------------------------------- */

static bool auth_owners_data_is_member(const struct auth_owners_data *d, const char *group,
                                       const char *username)
{
    const struct auth_owners_group *g = auth_owners_data_group(d, group);

    for (size_t i = 0; g && i < g->nmembers; i++)
        if (strcmp(g->members[i], username) == 0)
            return true;
    return false;
}

/* What username holds on dom: OWNER, or its best share (its own or a group's). */
static enum auth_level auth_owners_data_level(const struct auth_owners_data *d,
                                              const struct auth_owners_domain *dom,
                                              const char *username)
{
    enum auth_level level = AUTH_LEVEL_NONE;

    if (dom->owner[0] && strcmp(dom->owner, username) == 0)
        return AUTH_LEVEL_OWNER;
    for (size_t i = 0; i < dom->nshares; i++) {
        const struct auth_owners_share *s = &dom->shares[i];
        bool mine = s->group ? auth_owners_data_is_member(d, s->principal, username)
                             : strcmp(s->principal, username) == 0;

        if (mine && s->level > level)
            level = s->level;
    }
    return level;
}

static bool auth_owners_data_shared_only(const struct auth_owners_data *d, const char *username)
{
    for (size_t i = 0; i < d->nshared_only; i++)
        if (strcmp(d->shared_only[i], username) == 0)
            return true;
    return false;
}

struct auth_subject auth_owners_subject(struct auth_owners *owners,
                                        const struct auth_session *session)
{
    struct auth_subject subject = {session->username,    session->role,
                                   session->scope,       false,
                                   session->token_id[0], session->totp_pending};

    if (!owners || session->role != AUTH_ROLE_VIEWER)
        return subject;
    subject.shared_only = auth_owners_shared_only(owners, session->username);
    return subject;
}

enum auth_level auth_owners_level(struct auth_owners *owners, const char *uuid,
                                  const char *username)
{
    enum auth_level level = AUTH_LEVEL_NONE;
    const struct auth_owners_domain *dom;

    if (!owners || !uuid || !username)
        return level;
    pthread_mutex_lock(&owners->lock);
    if ((dom = auth_owners_data_domain(owners->data, uuid)))
        level = auth_owners_data_level(owners->data, dom, username);
    pthread_mutex_unlock(&owners->lock);
    return level;
}

struct auth_object auth_owners_object(struct auth_owners *owners,
                                      const struct auth_subject *subject, const char *uuid)
{
    struct auth_object object = {AUTH_OBJECT_DOMAIN, uuid, AUTH_LEVEL_NONE};

    object.level = auth_owners_level(owners, uuid, subject ? subject->username : NULL);
    return object;
}

bool auth_owners_sees(struct auth_owners *owners, const struct auth_subject *subject,
                      const char *uuid)
{
    struct auth_object object = auth_owners_object(owners, subject, uuid);

    return auth_policy_sees(subject, &object);
}

bool auth_owners_owner(struct auth_owners *owners, const char *uuid, char *out)
{
    const struct auth_owners_domain *dom;

    out[0] = '\0';
    if (!owners)
        return false;
    pthread_mutex_lock(&owners->lock);
    if ((dom = auth_owners_data_domain(owners->data, uuid)))
        snprintf(out, AUTH_USERNAME_MAX + 1, "%s", dom->owner);
    pthread_mutex_unlock(&owners->lock);
    return out[0] != '\0';
}

char (*auth_owners_owned(struct auth_owners *owners, const char *username,
                         size_t *n))[AUTH_OWNERS_UUID_MAX + 1]
{
    char(*out)[AUTH_OWNERS_UUID_MAX + 1] = NULL;
    const struct auth_owners_data *d;

    *n = 0;
    if (!owners || !username)
        return NULL;
    pthread_mutex_lock(&owners->lock);
    d = owners->data;
    for (size_t i = 0; d && i < d->ndomains; i++) {
        if (strcmp(d->domains[i].owner, username) != 0)
            continue;
        out = xrealloc(out, (*n + 1) * sizeof(*out));
        snprintf(out[(*n)++], sizeof(*out), "%s", d->domains[i].uuid);
    }
    pthread_mutex_unlock(&owners->lock);
    return out;
}

const char *auth_owners_access(struct auth_owners *owners, const struct auth_subject *subject,
                               const char *uuid)
{
    struct auth_object object = auth_owners_object(owners, subject, uuid);

    if (!uuid || !auth_policy_sees(subject, &object))
        return NULL;
    if (subject->role == AUTH_ROLE_ADMIN)
        return "admin";
    if (object.level == AUTH_LEVEL_OWNER)
        return "owner";
    if (subject->role == AUTH_ROLE_OPERATOR)
        return "operate";
    if (subject->role == AUTH_ROLE_VIEWER)
        return "view";
    return auth_level_name(object.level);
}

struct json_object *auth_owners_shares_json(struct auth_owners *owners, const char *uuid)
{
    struct json_object *obj = json_object_new_object(), *arr = json_object_new_array();
    const struct auth_owners_domain *dom;

    pthread_mutex_lock(&owners->lock);
    dom = auth_owners_data_domain(owners->data, uuid);
    json_object_object_add(obj, "owner",
                           dom && dom->owner[0] ? json_object_new_string(dom->owner) : NULL);
    for (size_t i = 0; dom && i < dom->nshares; i++) {
        struct json_object *s = json_object_new_object();

        json_object_object_add(s, dom->shares[i].group ? "group" : "user",
                               json_object_new_string(dom->shares[i].principal));
        json_object_object_add(s, "level",
                               json_object_new_string(auth_level_name(dom->shares[i].level)));
        json_object_array_add(arr, s);
    }
    pthread_mutex_unlock(&owners->lock);
    json_object_object_add(obj, "shares", arr);
    return obj;
}

struct json_object *auth_owners_groups_json(struct auth_owners *owners)
{
    struct json_object *arr = json_object_new_array();

    pthread_mutex_lock(&owners->lock);
    for (size_t i = 0; i < owners->data->ngroups; i++) {
        const struct auth_owners_group *g = &owners->data->groups[i];
        struct json_object *obj = json_object_new_object(), *members = json_object_new_array();

        for (size_t m = 0; m < g->nmembers; m++)
            json_object_array_add(members, json_object_new_string(g->members[m]));
        json_object_object_add(obj, "name", json_object_new_string(g->name));
        json_object_object_add(obj, "members", members);
        json_object_object_add(obj, "created_at", json_object_new_int64(g->created_at));
        json_object_array_add(arr, obj);
    }
    pthread_mutex_unlock(&owners->lock);
    return arr;
}

static const char *auth_owners_entry_uuid(struct json_object *entry)
{
    struct json_object *uuid = NULL;

    return json_object_object_get_ex(entry, "uuid", &uuid) ? json_object_get_string(uuid) : NULL;
}

void auth_owners_annotate(struct auth_owners *owners, struct json_object *domains)
{
    size_t n = json_object_array_length(domains);

    for (size_t i = 0; i < n; i++) {
        struct json_object *entry = json_object_array_get_idx(domains, i);
        char owner[AUTH_USERNAME_MAX + 1];

        if (json_object_is_type(entry, json_type_object))
            json_object_object_add(entry, "owner",
                                   auth_owners_owner(owners, auth_owners_entry_uuid(entry), owner)
                                       ? json_object_new_string(owner)
                                       : NULL);
    }
}

struct json_object *auth_owners_visible(struct auth_owners *owners,
                                        const struct auth_subject *subject,
                                        struct json_object *domains, bool access)
{
    struct json_object *out = json_object_new_array();
    size_t n = json_object_array_length(domains);

    for (size_t i = 0; i < n; i++) {
        struct json_object *entry = json_object_array_get_idx(domains, i);
        const char *seen = auth_owners_access(owners, subject, auth_owners_entry_uuid(entry));

        if (!seen || !json_object_is_type(entry, json_type_object))
            continue;
        if (access)
            json_object_object_add(entry, "access", json_object_new_string(seen));
        json_object_array_add(out, json_object_get(entry));
    }
    return out;
}

char *auth_owners_visible_uuids(struct auth_owners *owners, const struct auth_subject *subject)
{
    struct json_object *arr = json_object_new_array();
    char *text;

    if (owners) {
        pthread_mutex_lock(&owners->lock);
        for (size_t i = 0; i < owners->data->ndomains; i++) {
            const struct auth_owners_domain *dom = &owners->data->domains[i];
            struct auth_object object = {AUTH_OBJECT_DOMAIN, dom->uuid, AUTH_LEVEL_NONE};
            char lower[AUTH_OWNERS_UUID_LEN + 1];

            if (subject && subject->username)
                object.level = auth_owners_data_level(owners->data, dom, subject->username);
            if (!auth_policy_sees(subject, &object))
                continue;
            for (size_t k = 0; k <= AUTH_OWNERS_UUID_LEN; k++)
                lower[k] = (char)tolower((unsigned char)dom->uuid[k]);
            json_object_array_add(arr, json_object_new_string(lower));
        }
        pthread_mutex_unlock(&owners->lock);
    }
    text = xstrdup(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
    json_object_put(arr);
    return text;
}

struct json_object *auth_owners_user_groups(struct auth_owners *owners, const char *username)
{
    struct json_object *arr = json_object_new_array();

    if (!owners || !username)
        return arr;
    pthread_mutex_lock(&owners->lock);
    for (size_t i = 0; i < owners->data->ngroups; i++)
        if (auth_owners_data_is_member(owners->data, owners->data->groups[i].name, username))
            json_object_array_add(arr, json_object_new_string(owners->data->groups[i].name));
    pthread_mutex_unlock(&owners->lock);
    return arr;
}

bool auth_owners_group_known(struct auth_owners *owners, const char *name)
{
    bool known;

    if (!owners)
        return false;
    pthread_mutex_lock(&owners->lock);
    known = auth_owners_data_group(owners->data, name) != NULL;
    pthread_mutex_unlock(&owners->lock);
    return known;
}

bool auth_owners_shared_only(struct auth_owners *owners, const char *username)
{
    bool found;

    if (!owners || !username)
        return false;
    pthread_mutex_lock(&owners->lock);
    found = auth_owners_data_shared_only(owners->data, username);
    pthread_mutex_unlock(&owners->lock);
    return found;
}

void auth_owners_on_change(struct auth_owners *owners, void (*fn)(void *ctx), void *ctx)
{
    owners->on_change = fn;
    owners->change_ctx = ctx;
}

/* ---- writes --------------------------------------------------------------------- */

/* Runs one statement with up to four text parameters (NULL: SQL NULL). Returns the
 * number of rows changed, or -1. */
static int auth_owners_exec(sqlite3 *db, const char *sql, const char *a, const char *b,
                            const char *c, const char *d)
{
    const char *params[] = {a, b, c, d};
    sqlite3_stmt *stmt = NULL;
    int ret = -1, n = 0;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    n = sqlite3_bind_parameter_count(stmt);
    for (int i = 0; i < n && i < 4; i++)
        if (sqlite3_bind_text(stmt, i + 1, params[i], -1, SQLITE_TRANSIENT) != SQLITE_OK)
            goto cleanup;
    if (sqlite3_step(stmt) != SQLITE_DONE)
        goto cleanup;
    ret = sqlite3_changes(db);

cleanup:
    sqlite3_finalize(stmt);
    return ret;
}

/* 1 if the query (one text parameter) finds a row, 0 if not, -1 on error. */
static int auth_owners_exists(sqlite3 *db, const char *sql, const char *param)
{
    sqlite3_stmt *stmt = NULL;
    int ret = -1, rc;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK ||
        sqlite3_bind_text(stmt, 1, param, -1, SQLITE_TRANSIENT) != SQLITE_OK)
        goto cleanup;
    rc = sqlite3_step(stmt);
    ret = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;

cleanup:
    sqlite3_finalize(stmt);
    return ret;
}

static int auth_owners_user_exists(sqlite3 *db, const char *name)
{
    return auth_owners_exists(db, "SELECT 1 FROM users WHERE name = ?", name);
}

static int auth_owners_group_exists(sqlite3 *db, const char *name)
{
    return auth_owners_exists(db, "SELECT 1 FROM groups WHERE name = ?", name);
}

/* A write: begin, body(ctx), commit or roll back, then a fresh snapshot. Returns 0 or
 * -1 with err (body's, or 500 for the database). */
static int auth_owners_write(struct auth_owners *owners,
                             int (*body)(sqlite3 *db, const void *ctx, struct app_error *err),
                             const void *ctx, struct app_error *err)
{
    int ret = -1;

    pthread_mutex_lock(&owners->write_lock);
    if (sqlite3_exec(owners->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "database: %s", sqlite3_errmsg(owners->db));
        goto cleanup;
    }
    if (body(owners->db, ctx, err) < 0 ||
        sqlite3_exec(owners->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        if (!err->status)
            app_error_set(err, 500, APP_ERR_INTERNAL, "database: %s", sqlite3_errmsg(owners->db));
        sqlite3_exec(owners->db, "ROLLBACK", NULL, NULL, NULL);
        goto cleanup;
    }
    if (auth_owners_reload(owners) < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot re-read the owners");
        goto cleanup;
    }
    ret = 0;

cleanup:
    pthread_mutex_unlock(&owners->write_lock);
    return ret;
}

struct auth_owners_owner_arg {
    const char *const *uuids;
    size_t n;
    const char *owner;
};

static int auth_owners_owner_body(sqlite3 *db, const void *ctx, struct app_error *err)
{
    const struct auth_owners_owner_arg *a = ctx;
    char since[24];
    int found;

    if (a->owner && (found = auth_owners_user_exists(db, a->owner)) != 1) {
        if (found == 0)
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"owner\": no user \"%.64s\"",
                          a->owner);
        return -1;
    }
    snprintf(since, sizeof(since), "%lld", (long long)clock_wall_s());
    for (size_t i = 0; i < a->n; i++) {
        if (auth_owners_exec(db, "DELETE FROM domain_owners WHERE uuid = lower(?)", a->uuids[i],
                             NULL, NULL, NULL) < 0)
            return -1;
        if (a->owner && auth_owners_exec(db,
                                         "INSERT INTO domain_owners (uuid, owner, since) "
                                         "VALUES (lower(?), ?, CAST(? AS INTEGER))",
                                         a->uuids[i], a->owner, since, NULL) < 0)
            return -1;
    }
    return 0;
}

int auth_owners_set_owner(struct auth_owners *owners, const char *const *uuids, size_t n,
                          const char *owner, struct app_error *err)
{
    struct auth_owners_owner_arg arg = {uuids, n, owner};

    return auth_owners_write(owners, auth_owners_owner_body, &arg, err);
}

struct auth_owners_shares_arg {
    const char *uuid;
    struct json_object *shares;
};

/* One share of the array, checked: 0 with *kind, *name and *level, or -1 with err. */
static int auth_owners_share_parse(sqlite3 *db, struct json_object *item, size_t i,
                                   const char **kind, const char **name, const char **level,
                                   struct app_error *err)
{
    struct json_object *user = NULL, *group = NULL, *lvl = NULL;
    enum auth_level parsed;
    int found;

    if (!json_object_is_type(item, json_type_object) || json_object_object_length(item) != 2 ||
        !json_object_object_get_ex(item, "level", &lvl) ||
        json_object_object_get_ex(item, "user", &user) ==
            json_object_object_get_ex(item, "group", &group)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "field \"shares[%zu]\" must be {\"user\" or \"group\": name, \"level\"}", i);
        return -1;
    }
    *kind = user ? "user" : "group";
    if (!json_object_is_type(user ? user : group, json_type_string) ||
        !auth_users_name_valid(*name = json_object_get_string(user ? user : group))) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"shares[%zu].%s\" is not a valid name",
                      i, *kind);
        return -1;
    }
    if (!json_object_is_type(lvl, json_type_string) ||
        auth_level_parse(*level = json_object_get_string(lvl), &parsed) < 0 ||
        parsed == AUTH_LEVEL_NONE || parsed == AUTH_LEVEL_OWNER) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "field \"shares[%zu].level\" must be view, console or operate", i);
        return -1;
    }
    found = user ? auth_owners_user_exists(db, *name) : auth_owners_group_exists(db, *name);
    if (found == 0)
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"shares[%zu].%s\": no %s \"%s\"", i,
                      *kind, *kind, *name);
    return found == 1 ? 0 : -1;
}

static int auth_owners_shares_body(sqlite3 *db, const void *ctx, struct app_error *err)
{
    const struct auth_owners_shares_arg *a = ctx;
    size_t n = json_object_array_length(a->shares);

    if (auth_owners_exec(db, "DELETE FROM domain_shares WHERE uuid = lower(?)", a->uuid, NULL, NULL,
                         NULL) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *kind, *name, *level;
        int changed;

        if (auth_owners_share_parse(db, json_object_array_get_idx(a->shares, i), i, &kind, &name,
                                    &level, err) < 0)
            return -1;
        changed = auth_owners_exec(db,
                                   "INSERT OR IGNORE INTO domain_shares (uuid, kind, principal, "
                                   "level) VALUES (lower(?), ?, ?, ?)",
                                   a->uuid, kind, name, level);
        if (changed < 0)
            return -1;
        if (changed == 0) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "field \"shares[%zu]\": %s \"%s\" is named twice", i, kind, name);
            return -1;
        }
    }
    return 0;
}

int auth_owners_set_shares(struct auth_owners *owners, const char *uuid, struct json_object *shares,
                           struct app_error *err)
{
    struct auth_owners_shares_arg arg = {uuid, shares};

    if (!json_object_is_type(shares, json_type_array) ||
        json_object_array_length(shares) > AUTH_OWNERS_SHARES_MAX) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "field \"shares\" must be an array of at most %d shares",
                      AUTH_OWNERS_SHARES_MAX);
        return -1;
    }
    return auth_owners_write(owners, auth_owners_shares_body, &arg, err);
}

static int auth_owners_forget_body(sqlite3 *db, const void *ctx, struct app_error *err)
{
    const char *uuid = ctx;

    return auth_owners_exec(db, "DELETE FROM domain_owners WHERE uuid = lower(?)", uuid, NULL, NULL,
                            NULL) < 0 ||
                   auth_owners_exec(db, "DELETE FROM domain_shares WHERE uuid = lower(?)", uuid,
                                    NULL, NULL, NULL) < 0
               ? -1
               : 0;
}

int auth_owners_forget(struct auth_owners *owners, const char *uuid)
{
    struct app_error err;

    app_error_clear(&err);
    if (auth_owners_write(owners, auth_owners_forget_body, uuid, &err) == 0)
        return 0;
    log_error("auth_owners: cannot forget the owner of %s: %s", uuid, err.message);
    return -1;
}

struct auth_owners_group_arg {
    const char *name;
    struct json_object *members; /* NULL: none */
    bool create;
};

static int auth_owners_members_body(sqlite3 *db, const struct auth_owners_group_arg *a,
                                    struct app_error *err)
{
    size_t n = a->members ? json_object_array_length(a->members) : 0;

    if (auth_owners_exec(db, "DELETE FROM group_members WHERE group_name = ?", a->name, NULL, NULL,
                         NULL) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct json_object *m = json_object_array_get_idx(a->members, i);
        const char *user = json_object_get_string(m);
        int found;

        if (!json_object_is_type(m, json_type_string) || !auth_users_name_valid(user)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "field \"members[%zu]\" is not a valid user name", i);
            return -1;
        }
        if ((found = auth_owners_user_exists(db, user)) != 1) {
            if (found == 0)
                app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                              "field \"members[%zu]\": no user \"%s\"", i, user);
            return -1;
        }
        if (auth_owners_exec(db,
                             "INSERT OR IGNORE INTO group_members (group_name, username) "
                             "VALUES (?, ?)",
                             a->name, user, NULL, NULL) < 0)
            return -1;
    }
    return 0;
}

static int auth_owners_group_body(sqlite3 *db, const void *ctx, struct app_error *err)
{
    const struct auth_owners_group_arg *a = ctx;
    char at[24];
    int found = auth_owners_group_exists(db, a->name);

    if (found < 0)
        return -1;
    if (a->create && found) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "group \"%s\" exists", a->name);
        return -1;
    }
    if (!a->create && !found) {
        app_error_set(err, 404, APP_ERR_NOT_FOUND, "no group \"%s\"", a->name);
        return -1;
    }
    snprintf(at, sizeof(at), "%lld", (long long)clock_wall_s());
    if (a->create && auth_owners_exec(db,
                                      "INSERT INTO groups (name, created_at) VALUES (?, "
                                      "CAST(? AS INTEGER))",
                                      a->name, at, NULL, NULL) < 0)
        return -1;
    return auth_owners_members_body(db, a, err);
}

/* The members array is an array of at most AUTH_OWNERS_MEMBERS_MAX (or NULL). */
static int auth_owners_members_check(struct json_object *members, struct app_error *err)
{
    if (!members || (json_object_is_type(members, json_type_array) &&
                     json_object_array_length(members) <= AUTH_OWNERS_MEMBERS_MAX))
        return 0;
    app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                  "field \"members\" must be an array of at most %d user names",
                  AUTH_OWNERS_MEMBERS_MAX);
    return -1;
}

int auth_owners_group_create(struct auth_owners *owners, const char *name,
                             struct json_object *members, struct app_error *err)
{
    struct auth_owners_group_arg arg = {name, members, true};

    if (!auth_users_name_valid(name)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "field \"name\" is not a valid group name (1-64 of A-Z a-z 0-9 . _ -, "
                      "not starting with . or -)");
        return -1;
    }
    if (auth_owners_members_check(members, err) < 0)
        return -1;
    return auth_owners_write(owners, auth_owners_group_body, &arg, err);
}

int auth_owners_group_set_members(struct auth_owners *owners, const char *name,
                                  struct json_object *members, struct app_error *err)
{
    struct auth_owners_group_arg arg = {name, members, false};

    if (auth_owners_members_check(members, err) < 0)
        return -1;
    return auth_owners_write(owners, auth_owners_group_body, &arg, err);
}

static int auth_owners_group_delete_body(sqlite3 *db, const void *ctx, struct app_error *err)
{
    const char *name = ctx;
    int n = auth_owners_exec(db, "DELETE FROM groups WHERE name = ?", name, NULL, NULL, NULL);

    if (n == 0)
        app_error_set(err, 404, APP_ERR_NOT_FOUND, "no group \"%s\"", name);
    return n > 0 ? 0 : -1;
}

int auth_owners_group_delete(struct auth_owners *owners, const char *name, struct app_error *err)
{
    return auth_owners_write(owners, auth_owners_group_delete_body, name, err);
}

/* groups[i] is a JSON string of a valid name: NULL, or the 400 naming it in err. */
static const char *auth_owners_groups_item(struct json_object *groups, size_t i,
                                           struct app_error *err)
{
    struct json_object *g = json_object_array_get_idx(groups, i);
    const char *name = json_object_get_string(g);

    if (json_object_is_type(g, json_type_string) && auth_users_name_valid(name))
        return name;
    app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"groups[%zu]\" is not a valid group name",
                  i);
    return NULL;
}

/* groups is an array of at most AUTH_OWNERS_MEMBERS_MAX: 0, or -1 with err (400). */
static int auth_owners_groups_shape(struct json_object *groups, struct app_error *err)
{
    if (json_object_is_type(groups, json_type_array) &&
        json_object_array_length(groups) <= AUTH_OWNERS_MEMBERS_MAX)
        return 0;
    app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                  "field \"groups\" must be an array of at most %d group names",
                  AUTH_OWNERS_MEMBERS_MAX);
    return -1;
}

int auth_owners_groups_check(struct auth_owners *owners, struct json_object *groups,
                             struct app_error *err)
{
    if (auth_owners_groups_shape(groups, err) < 0)
        return -1;
    for (size_t i = 0; i < json_object_array_length(groups); i++) {
        const char *name = auth_owners_groups_item(groups, i, err);

        if (!name)
            return -1;
        if (!auth_owners_group_known(owners, name)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"groups[%zu]\": no group \"%s\"",
                          i, name);
            return -1;
        }
    }
    return 0;
}

struct auth_owners_user_groups_arg {
    const char *username;
    struct json_object *groups;
};

static int auth_owners_user_groups_body(sqlite3 *db, const void *ctx, struct app_error *err)
{
    const struct auth_owners_user_groups_arg *a = ctx;
    size_t n = json_object_array_length(a->groups);
    int found = auth_owners_user_exists(db, a->username);

    if (found != 1) {
        if (found == 0)
            app_error_set(err, 404, APP_ERR_NOT_FOUND, "no user \"%s\"", a->username);
        return -1;
    }
    if (auth_owners_exec(db, "DELETE FROM group_members WHERE username = ?", a->username, NULL,
                         NULL, NULL) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *name = auth_owners_groups_item(a->groups, i, err);

        if (!name || (found = auth_owners_group_exists(db, name)) < 0)
            return -1;
        if (!found) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"groups[%zu]\": no group \"%s\"",
                          i, name);
            return -1;
        }
        if (auth_owners_exec(db,
                             "INSERT OR IGNORE INTO group_members (group_name, username) "
                             "VALUES (?, ?)",
                             name, a->username, NULL, NULL) < 0)
            return -1;
    }
    return 0;
}

int auth_owners_user_set_groups(struct auth_owners *owners, const char *username,
                                struct json_object *groups, struct app_error *err)
{
    struct auth_owners_user_groups_arg arg = {username, groups};

    if (auth_owners_groups_shape(groups, err) < 0)
        return -1;
    return auth_owners_write(owners, auth_owners_user_groups_body, &arg, err);
}

struct auth_owners_shared_only_arg {
    const char *username;
    bool shared_only;
};

static int auth_owners_shared_only_body(sqlite3 *db, const void *ctx, struct app_error *err)
{
    const struct auth_owners_shared_only_arg *a = ctx;

    return auth_owners_set_shared_only(db, a->username, a->shared_only, err);
}

int auth_owners_user_set_shared_only(struct auth_owners *owners, const char *username,
                                     bool shared_only, struct app_error *err)
{
    struct auth_owners_shared_only_arg arg = {username, shared_only};

    return auth_owners_write(owners, auth_owners_shared_only_body, &arg, err);
}

int auth_owners_set_shared_only(sqlite3 *db, const char *username, bool shared_only,
                                struct app_error *err)
{
    int n = auth_owners_exec(db, "UPDATE users SET viewer_sees = ? WHERE name = ?",
                             shared_only ? "shared" : "all", username, NULL, NULL);

    if (n < 0)
        app_error_set(err, 500, APP_ERR_INTERNAL, "database: %s", sqlite3_errmsg(db));
    else if (n == 0)
        app_error_set(err, 404, APP_ERR_NOT_FOUND, "no user \"%s\"", username);
    return n > 0 ? 0 : -1;
}
