/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_approved: the self-service set (see auth_approved.h).
 *
 * Readers take `lock` for a linear walk of the entries; the writer takes `write_lock`
 * across its transaction and `lock` only to swap the new array in. Entries are small
 * fixed records: a small office approves tens of things, at most AUTH_APPROVED_MAX of a
 * kind. */
#include "auth_approved.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xalloc.h"

struct auth_approved_entry {
    enum auth_approved_kind kind;
    char pool[AUTH_APPROVED_NAME_MAX + 1]; /* an ISO's pool; "" for other kinds */
    char name[AUTH_APPROVED_NAME_MAX + 1]; /* a UUID, a volume, network or pool name */
};

struct auth_approved {
    sqlite3 *db;                         /* borrowed */
    pthread_mutex_t lock;                /* entries, n */
    pthread_mutex_t write_lock;          /* one writer at a time; never held by readers */
    struct auth_approved_entry *entries; /* owned; lock */
    size_t n;                            /* lock */
};

/* The table's kind column, by enum value. */
static const char *const auth_approved_kinds[] = {
    [AUTH_APPROVED_TEMPLATE] = "template",
    [AUTH_APPROVED_ISO] = "iso",
    [AUTH_APPROVED_NETWORK] = "network",
    [AUTH_APPROVED_POOL] = "pool",
};

/* The body's and the JSON's member of each kind. */
static const char *const auth_approved_members[] = {
    [AUTH_APPROVED_TEMPLATE] = "templates",
    [AUTH_APPROVED_ISO] = "isos",
    [AUTH_APPROVED_NETWORK] = "networks",
    [AUTH_APPROVED_POOL] = "pools",
};

#define AUTH_APPROVED_KINDS 4

static int auth_approved_kind_parse(const char *s, enum auth_approved_kind *out)
{
    for (int k = 0; k < AUTH_APPROVED_KINDS; k++)
        if (s && !strcmp(s, auth_approved_kinds[k])) {
            *out = (enum auth_approved_kind)k;
            return 0;
        }
    return -1;
}

/* Reads the table into a new array. Returns 0, or -1 (logged). */
static int auth_approved_load(sqlite3 *db, struct auth_approved_entry **out, size_t *nout)
{
    sqlite3_stmt *stmt = NULL;
    struct auth_approved_entry *entries = NULL;
    size_t n = 0, cap = 0;
    int rc, ret = -1;

    if (sqlite3_prepare_v2(db,
                           "SELECT kind, pool, name FROM self_service ORDER BY kind, pool, name",
                           -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *pool = (const char *)sqlite3_column_text(stmt, 1);
        const char *name = (const char *)sqlite3_column_text(stmt, 2);
        enum auth_approved_kind kind;

        if (auth_approved_kind_parse((const char *)sqlite3_column_text(stmt, 0), &kind) < 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            entries = xrealloc(entries, cap * sizeof(*entries));
        }
        entries[n].kind = kind;
        snprintf(entries[n].pool, sizeof(entries[n].pool), "%s", pool ? pool : "");
        snprintf(entries[n].name, sizeof(entries[n].name), "%s", name ? name : "");
        n++;
    }
    if (rc != SQLITE_DONE)
        goto cleanup;
    *out = entries;
    *nout = n;
    entries = NULL;
    ret = 0;

cleanup:
    if (ret < 0)
        log_error("self-service: cannot read the approved resources: %s", sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    free(entries);
    return ret;
}

struct auth_approved *auth_approved_new(sqlite3 *db)
{
    struct auth_approved *approved = xcalloc(1, sizeof(*approved));

    approved->db = db;
    pthread_mutex_init(&approved->lock, NULL);
    pthread_mutex_init(&approved->write_lock, NULL);
    if (auth_approved_load(db, &approved->entries, &approved->n) < 0) {
        auth_approved_free(approved);
        return NULL;
    }
    return approved;
}

void auth_approved_free(struct auth_approved *approved)
{
    if (!approved)
        return;
    pthread_mutex_destroy(&approved->lock);
    pthread_mutex_destroy(&approved->write_lock);
    free(approved->entries);
    free(approved);
}

/* ---- reads ------------------------------------------------------------------------- */

/* True if an entry of kind has pool (NULL: any pool) and name (NULL: any name). Holds
 * the lock. */
static bool auth_approved_find(struct auth_approved *approved, enum auth_approved_kind kind,
                               const char *pool, const char *name)
{
    bool found = false;

    if (!approved)
        return false;
    pthread_mutex_lock(&approved->lock);
    for (size_t i = 0; i < approved->n && !found; i++) {
        const struct auth_approved_entry *e = &approved->entries[i];

        found = e->kind == kind && (!pool || !strcmp(e->pool, pool)) &&
                (!name || !strcmp(e->name, name));
    }
    pthread_mutex_unlock(&approved->lock);
    return found;
}

bool auth_approved_has(struct auth_approved *approved, enum auth_approved_kind kind,
                       const char *pool, const char *name)
{
    if (!name)
        return false;
    return auth_approved_find(approved, kind, kind == AUTH_APPROVED_ISO ? (pool ? pool : "") : "",
                              name);
}

enum auth_level auth_approved_level(struct auth_approved *approved, enum auth_object_kind kind,
                                    const char *name, const char *item)
{
    bool seen = false;

    if (!name)
        return AUTH_LEVEL_NONE;
    if (kind == AUTH_OBJECT_NETWORK)
        seen = auth_approved_has(approved, AUTH_APPROVED_NETWORK, NULL, name);
    else if (kind == AUTH_OBJECT_POOL && item)
        seen = auth_approved_has(approved, AUTH_APPROVED_ISO, name, item);
    else if (kind == AUTH_OBJECT_POOL)
        seen = auth_approved_has(approved, AUTH_APPROVED_POOL, NULL, name) ||
               auth_approved_find(approved, AUTH_APPROVED_ISO, name, NULL);
    return seen ? AUTH_LEVEL_VIEW : AUTH_LEVEL_NONE;
}

struct json_object *auth_approved_visible(struct auth_approved *approved,
                                          const struct auth_subject *subject,
                                          enum auth_object_kind kind, const char *pool,
                                          struct json_object *list)
{
    static const char *const members[] = {"networks", "pools", "volumes"};
    struct json_object *items = NULL, *kept;

    for (size_t m = 0; m < 3 && !items; m++)
        json_object_object_get_ex(list, members[m], &items);
    if (!items || !json_object_is_type(items, json_type_array))
        return list;
    kept = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        struct json_object *entry = json_object_array_get_idx(items, i), *name = NULL;
        struct auth_object object = {.kind = kind};

        if (!json_object_object_get_ex(entry, "name", &name))
            continue;
        object.id = pool ? pool : json_object_get_string(name);
        object.level = auth_approved_level(approved, kind, object.id,
                                           pool ? json_object_get_string(name) : NULL);
        if (auth_policy_sees(subject, &object))
            json_object_array_add(kept, json_object_get(entry));
    }
    json_object_object_foreach(list, key, value)
    {
        if (value == items) {
            json_object_object_add(list, key, kept); /* drops items */
            break;
        }
    }
    return list;
}

struct json_object *auth_approved_json(struct auth_approved *approved)
{
    struct json_object *out = json_object_new_object(), *arrays[AUTH_APPROVED_KINDS];

    for (int k = 0; k < AUTH_APPROVED_KINDS; k++) {
        arrays[k] = json_object_new_array();
        json_object_object_add(out, auth_approved_members[k], arrays[k]);
    }
    if (!approved)
        return out;
    pthread_mutex_lock(&approved->lock);
    for (size_t i = 0; i < approved->n; i++) { /* loaded sorted by kind, pool, name */
        const struct auth_approved_entry *e = &approved->entries[i];
        struct json_object *item = json_object_new_string(e->name);

        if (e->kind == AUTH_APPROVED_ISO) {
            struct json_object *iso = json_object_new_object();

            json_object_object_add(iso, "pool", json_object_new_string(e->pool));
            json_object_object_add(iso, "name", item);
            item = iso;
        }
        json_object_array_add(arrays[e->kind], item);
    }
    pthread_mutex_unlock(&approved->lock);
    return out;
}

/* ---- the write ---------------------------------------------------------------------- */

/* 36 bytes of 8-4-4-4-12 hex digits: the shape of a domain UUID. */
static bool auth_approved_uuid_valid(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;

        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

/* 1..AUTH_APPROVED_NAME_MAX bytes, no '/' and no control character: a name that can be
 * a pool's, a network's or a volume's (libvirt's lookup says whether it is one). */
static bool auth_approved_name_valid(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > AUTH_APPROVED_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == '/')
            return false;
    return true;
}

/* item[member] as a valid name string, or NULL. */
static const char *auth_approved_member(struct json_object *item, const char *member)
{
    struct json_object *v = NULL;

    if (!json_object_object_get_ex(item, member, &v) || !json_object_is_type(v, json_type_string) ||
        strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v) ||
        !auth_approved_name_valid(json_object_get_string(v)))
        return NULL;
    return json_object_get_string(v);
}

/* The entry of array member kind at i into e. Returns 0, or -1 with err. */
static int auth_approved_parse_item(enum auth_approved_kind kind, struct json_object *item,
                                    size_t i, struct auth_approved_entry *e, struct app_error *err)
{
    const char *member = auth_approved_members[kind], *pool = NULL, *name = NULL;
    char field[64];

    memset(e, 0, sizeof(*e));
    e->kind = kind;
    if (kind == AUTH_APPROVED_ISO) {
        if (!json_object_is_type(item, json_type_object) || json_object_object_length(item) != 2 ||
            !(pool = auth_approved_member(item, "pool")) ||
            !(name = auth_approved_member(item, "name"))) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "field \"%s[%zu]\" must be {\"pool\": name, \"name\": volume}", member,
                          i);
            goto refused;
        }
        snprintf(e->pool, sizeof(e->pool), "%s", pool);
    } else {
        name =
            json_object_is_type(item, json_type_string) &&
                    strlen(json_object_get_string(item)) == (size_t)json_object_get_string_len(item)
                ? json_object_get_string(item)
                : NULL;
        if (!name || (kind == AUTH_APPROVED_TEMPLATE ? !auth_approved_uuid_valid(name)
                                                     : !auth_approved_name_valid(name))) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s[%zu]\" must be %s", member, i,
                          kind == AUTH_APPROVED_TEMPLATE ? "a domain UUID" : "a name");
            goto refused;
        }
    }
    snprintf(e->name, sizeof(e->name), "%s", name);
    return 0;

refused:
    snprintf(field, sizeof(field), "%s[%zu]", member, i);
    app_error_at_field(err, "", field);
    return -1;
}

/* Parses body into a new array (*out, *nout). Returns 0, or -1 with err. */
static int auth_approved_parse(struct json_object *body, struct auth_approved_entry **out,
                               size_t *nout, struct app_error *err)
{
    struct auth_approved_entry *entries =
        xcalloc(AUTH_APPROVED_KINDS * AUTH_APPROVED_MAX + 1, sizeof(*entries));
    size_t n = 0;

    if (!body || !json_object_is_type(body, json_type_object)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the body must be an object");
        goto refused;
    }
    for (int k = 0; k < AUTH_APPROVED_KINDS; k++) {
        struct json_object *array = NULL;
        size_t len;

        if (!json_object_object_get_ex(body, auth_approved_members[k], &array))
            continue;
        if (!json_object_is_type(array, json_type_array) ||
            (len = json_object_array_length(array)) > AUTH_APPROVED_MAX) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "field \"%s\" must be an array of at most %d entries",
                          auth_approved_members[k], AUTH_APPROVED_MAX);
            app_error_at_field(err, "", auth_approved_members[k]);
            goto refused;
        }
        for (size_t i = 0; i < len; i++) {
            struct auth_approved_entry *e = &entries[n];

            if (auth_approved_parse_item((enum auth_approved_kind)k,
                                         json_object_array_get_idx(array, i), i, e, err) < 0)
                goto refused;
            for (size_t j = n - i; j < n; j++) /* the kind's earlier entries */
                if (!strcmp(entries[j].pool, e->pool) && !strcmp(entries[j].name, e->name)) {
                    char field[64];

                    app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                                  "field \"%s[%zu]\" is listed twice", auth_approved_members[k], i);
                    snprintf(field, sizeof(field), "%s[%zu]", auth_approved_members[k], i);
                    app_error_at_field(err, "", field);
                    goto refused;
                }
            n++;
        }
    }
    *out = entries;
    *nout = n;
    return 0;

refused:
    free(entries);
    return -1;
}

int auth_approved_check(struct json_object *body, struct app_error *err)
{
    struct auth_approved_entry *entries = NULL;
    size_t n = 0;

    if (auth_approved_parse(body, &entries, &n, err) < 0)
        return -1;
    free(entries);
    return 0;
}

/* Writes entries[0..n) as the whole table, in one transaction. Returns 0 or -1. */
static int auth_approved_store(sqlite3 *db, const struct auth_approved_entry *entries, size_t n)
{
    sqlite3_stmt *stmt = NULL;
    int ret = -1;

    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_exec(db, "DELETE FROM self_service", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO self_service (kind, pool, name) VALUES (?, ?, ?)", -1,
                           &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    for (size_t i = 0; i < n; i++) {
        if (sqlite3_bind_text(stmt, 1, auth_approved_kinds[entries[i].kind], -1, SQLITE_STATIC) !=
                SQLITE_OK ||
            sqlite3_bind_text(stmt, 2, entries[i].pool, -1, SQLITE_STATIC) != SQLITE_OK ||
            sqlite3_bind_text(stmt, 3, entries[i].name, -1, SQLITE_STATIC) != SQLITE_OK ||
            sqlite3_step(stmt) != SQLITE_DONE)
            goto cleanup;
        sqlite3_reset(stmt);
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto cleanup;
    ret = 0;

cleanup:
    sqlite3_finalize(stmt);
    if (ret < 0)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return ret;
}

int auth_approved_set(struct auth_approved *approved, struct json_object *body,
                      struct app_error *err)
{
    struct auth_approved_entry *entries = NULL, *fresh = NULL, *old;
    size_t n = 0, nfresh = 0;
    int ret = -1;

    if (auth_approved_parse(body, &entries, &n, err) < 0)
        return -1;
    pthread_mutex_lock(&approved->write_lock);
    /* stored, then read back: the array is sorted as the table is (auth_approved_json) */
    if (auth_approved_store(approved->db, entries, n) < 0 ||
        auth_approved_load(approved->db, &fresh, &nfresh) < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "database: %s", sqlite3_errmsg(approved->db));
        goto cleanup;
    }
    pthread_mutex_lock(&approved->lock);
    old = approved->entries;
    approved->entries = fresh;
    approved->n = nfresh;
    pthread_mutex_unlock(&approved->lock);
    free(old);
    ret = 0;

cleanup:
    pthread_mutex_unlock(&approved->write_lock);
    free(entries);
    return ret;
}
