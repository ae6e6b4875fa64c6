/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_owners: who owns each VM, who it is shared with, the groups, and which viewers
 * see only what is shared with them: the tables of store migration 5 mirrored in memory.
 *
 * DESIGN (threads): the index is one immutable snapshot behind a pointer and a mutex.
 * Readers (the service thread on every domain request, the events feed per subscriber)
 * take the mutex for a memory walk only, never touching disk. Writers (API handlers on
 * workers) change SQLite in one transaction, then re-read the tables into a fresh
 * snapshot and swap it in; auth_owners_sync does the same when the store-watch thread
 * saw another process commit (`virtdeck user del` cascades to owners, shares and
 * members). Writes are serialised by a second mutex, held across the database work but
 * never by a reader. Sizes are a small office's: lookups are linear. */
#pragma once

#include <json-c/json.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth_policy.h"
#include "auth_sessions.h"
#include "util/app_error.h"

struct auth_owners;

/* The most members a group, shares a domain, domains one bulk change may have. */
#define AUTH_OWNERS_MEMBERS_MAX 256
#define AUTH_OWNERS_SHARES_MAX  64
#define AUTH_OWNERS_BULK_MAX    256
/* A domain UUID's characters. */
#define AUTH_OWNERS_UUID_MAX 36

/* Loads the index from db (borrowed; must outlive it). NULL (logged) on a database
 * error. Main thread. */
struct auth_owners *auth_owners_new(sqlite3 *db);
void auth_owners_free(struct auth_owners *owners);
/* Re-reads every table (another process committed). Returns 0, or -1 (logged; the old
 * snapshot stays). Store-watch thread (any thread but the service thread). */
int auth_owners_sync(struct auth_owners *owners) __attribute__((warn_unused_result));

/* ---- reads: memory only, any thread (owners may be NULL: nothing is owned) ---- */

/* The subject of session: its name, role and scope, and whether a viewer sees only
 * what is shared with it. Borrows session->username. */
struct auth_subject auth_owners_subject(struct auth_owners *owners,
                                        const struct auth_session *session);
/* What subject holds on the domain uuid: OWNER, its best share (its own or a group's),
 * or NONE (no such domain, no owner, nothing shared). */
enum auth_level auth_owners_level(struct auth_owners *owners, const char *uuid,
                                  const char *username);
/* The domain object uuid (borrowed) with subject's level on it. */
struct auth_object auth_owners_object(struct auth_owners *owners,
                                      const struct auth_subject *subject, const char *uuid);
/* True if subject may see the domain uuid (auth_policy_sees with the index's level). */
bool auth_owners_sees(struct auth_owners *owners, const struct auth_subject *subject,
                      const char *uuid);
/* Copies uuid's owner into out (AUTH_USERNAME_MAX + 1 bytes): true, or false ("")
 * when it has none. */
bool auth_owners_owner(struct auth_owners *owners, const char *uuid, char *out);
/* The UUIDs of the domains username owns (a new array of *n, free()d by the caller;
 * NULL when *n is 0): what its quota counts (auth_quota.h). */
char (*auth_owners_owned(struct auth_owners *owners, const char *username,
                         size_t *n))[AUTH_OWNERS_UUID_MAX + 1];
/* What subject may do to uuid, for the detail's "access": "admin" for an admin,
 * "owner", "operate", "console", "view", or NULL when it may not see it. */
const char *auth_owners_access(struct auth_owners *owners, const struct auth_subject *subject,
                               const char *uuid);
/* {"owner": name|null, "shares": [{"user"|"group": name, "level": ...}]} of uuid. New. */
struct json_object *auth_owners_shares_json(struct auth_owners *owners, const char *uuid);
/* [{"name", "members": [...], "created_at"}] sorted by name. New. */
struct json_object *auth_owners_groups_json(struct auth_owners *owners);

/* The UUIDs (lower case) of the domains the index gives subject a level on that it may
 * see (auth_policy_sees), as JSON array text: what the audit log's reader filters with
 * (store_audit_log.h, STORE_AUDIT_DOMAINS_IN). New (free()). */
char *auth_owners_visible_uuids(struct auth_owners *owners, const struct auth_subject *subject);
/* The names of the groups username belongs to, sorted. New array. */
struct json_object *auth_owners_user_groups(struct auth_owners *owners, const char *username);
/* True if the group name exists (in the index). */
bool auth_owners_group_known(struct auth_owners *owners, const char *name);
/* True if username is a viewer who sees what is shared with it only ("viewer_sees":
 * "shared"), per the index. */
bool auth_owners_shared_only(struct auth_owners *owners, const char *username);

/* Adds "owner" (a name, or null) to each object of the domain list domains (an array
 * of objects with "uuid"), in place. */
void auth_owners_annotate(struct auth_owners *owners, struct json_object *domains);
/* The objects of domains that subject sees (new array, references to them); with
 * access, each also gets subject's "access" (auth_owners_access), in place. */
struct json_object *auth_owners_visible(struct auth_owners *owners,
                                        const struct auth_subject *subject,
                                        struct json_object *domains, bool access);

/* Called after every change of the index (a write of the daemon's, or a sync that read
 * another process's), on the writing thread: serve.c resynchronises the events feed.
 * Set once at start-up (main thread). */
void auth_owners_on_change(struct auth_owners *owners, void (*fn)(void *ctx), void *ctx);

/* ---- writes: SQLite then a fresh snapshot; workers (they block on disk) ---- */

/* Gives each of uuids[0..n) (valid UUIDs) to owner, or to no one (owner NULL), in one
 * transaction. 400 naming "owner" for an unknown user. Returns 0 or -1 with err. */
int auth_owners_set_owner(struct auth_owners *owners, const char *const *uuids, size_t n,
                          const char *owner, struct app_error *err)
    __attribute__((warn_unused_result));
/* Replaces uuid's shares with shares (a JSON array of {"user"|"group": name, "level":
 * "view"|"console"|"operate"}); 400 naming the member ("shares[1].level") for anything
 * else, an unknown user or group, or a duplicate. Returns 0 or -1 with err. */
int auth_owners_set_shares(struct auth_owners *owners, const char *uuid, struct json_object *shares,
                           struct app_error *err) __attribute__((warn_unused_result));
/* A domain that was deleted: its owner and shares go. Returns 0 or -1 (logged). */
int auth_owners_forget(struct auth_owners *owners, const char *uuid)
    __attribute__((warn_unused_result));
/* Creates group name with members (a JSON array of user names, or NULL): 400 naming
 * the field for a bad name or unknown member, 409 if it exists. */
int auth_owners_group_create(struct auth_owners *owners, const char *name,
                             struct json_object *members, struct app_error *err)
    __attribute__((warn_unused_result));
/* Replaces group name's members (404 if there is no such group; 400 as above). */
int auth_owners_group_set_members(struct auth_owners *owners, const char *name,
                                  struct json_object *members, struct app_error *err)
    __attribute__((warn_unused_result));
/* Deletes group name with its members and shares (404 if there is none). */
int auth_owners_group_delete(struct auth_owners *owners, const char *name, struct app_error *err)
    __attribute__((warn_unused_result));

/* Replaces username's group memberships with groups (a JSON array of at most
 * AUTH_OWNERS_MEMBERS_MAX existing group names) in one transaction: 400 naming
 * "groups[i]" for a bad or unknown name (nothing changes), 404 if there is no such user.
 * Returns 0 or -1 with err. Worker. */
int auth_owners_user_set_groups(struct auth_owners *owners, const char *username,
                                struct json_object *groups, struct app_error *err)
    __attribute__((warn_unused_result));
/* Checks groups as auth_owners_user_set_groups would, against the index (memory only:
 * the service thread may call it): 0, or -1 with err (400 naming "groups[i]"). */
int auth_owners_groups_check(struct auth_owners *owners, struct json_object *groups,
                             struct app_error *err) __attribute__((warn_unused_result));
/* The viewer setting through the index (auth_owners_set_shared_only, then a fresh
 * snapshot): the daemon's way. Returns 0 or -1 with err. Worker. */
int auth_owners_user_set_shared_only(struct auth_owners *owners, const char *username,
                                     bool shared_only, struct app_error *err)
    __attribute__((warn_unused_result));

/* The viewer setting in the users table ("sees shared only" or all), for the CLI (no
 * index: the daemon's store watch re-reads it). 404 if there is no such user. */
int auth_owners_set_shared_only(sqlite3 *db, const char *username, bool shared_only,
                                struct app_error *err) __attribute__((warn_unused_result));
