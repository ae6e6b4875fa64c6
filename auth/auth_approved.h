/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_approved: the resources an admin approved for self-service (templates, ISOs,
 * networks, pools), the table of store migration 8 mirrored in memory.
 *
 * What a `user` may use is this set and nothing else: it reads only these networks and
 * pools (and, in a pool, only the approved ISOs), and creates VMs only from an approved
 * template or ISO, on approved networks, with new disks in approved pools. Whether a
 * subject is held to the set is auth_policy's decision (auth_policy_approved_only, and
 * the level this index gives a network, pool or volume: auth_policy_sees); the index
 * only says what is in it.
 *
 * DESIGN (threads): one array of entries behind a mutex. Readers (the service thread on
 * every network, pool and volume request and on a create's check; workers filtering
 * lists) hold it for a linear walk of at most AUTH_APPROVED_MAX entries per kind, never
 * touching disk. The one writer (PUT /api/self-service, on a worker) replaces the table
 * in one transaction, then the array, under a second mutex that no reader takes. Only
 * the daemon writes the table (no CLI), so there is no sync from other processes. */
#pragma once

#include <json-c/json.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "auth_policy.h"
#include "util/app_error.h"

struct auth_approved;

enum auth_approved_kind {
    AUTH_APPROVED_TEMPLATE = 0, /* a template VM, by domain UUID */
    AUTH_APPROVED_ISO,          /* a volume, by pool and volume name */
    AUTH_APPROVED_NETWORK,      /* a libvirt network, by name */
    AUTH_APPROVED_POOL,         /* a pool new disks may go to, by name */
};

/* The most entries of one kind (the PUT body's arrays). */
#define AUTH_APPROVED_MAX 256
/* The longest pool, network or volume name (bytes, without the NUL). */
#define AUTH_APPROVED_NAME_MAX 255

/* Loads the set from db (borrowed; must outlive it). NULL (logged) on a database error.
 * Main thread. */
struct auth_approved *auth_approved_new(sqlite3 *db);
void auth_approved_free(struct auth_approved *approved);

/* ---- reads: memory only, any thread (approved may be NULL: nothing is approved) ---- */

/* True if the entry is approved: pool is the ISO's pool (ignored for other kinds). */
bool auth_approved_has(struct auth_approved *approved, enum auth_approved_kind kind,
                       const char *pool, const char *name);

/* The level the set gives an object a `user` reads (auth_object.level): VIEW for an
 * approved network (kind AUTH_OBJECT_NETWORK, name), for a pool that is approved or
 * holds an approved ISO (AUTH_OBJECT_POOL, name, item NULL), for an approved ISO
 * (AUTH_OBJECT_POOL, name its pool, item the volume); NONE otherwise. */
enum auth_level auth_approved_level(struct auth_approved *approved, enum auth_object_kind kind,
                                    const char *name, const char *item);

/* The items of list (the array under member "networks", "pools" or "volumes" of a
 * virt_*_list answer, objects with a "name") that subject sees, in place: an object of
 * kind (AUTH_OBJECT_NETWORK or AUTH_OBJECT_POOL) is kept when auth_policy_sees it with
 * the level above (pool: a volume list's pool, NULL for the network and pool lists).
 * Returns list. */
struct json_object *auth_approved_visible(struct auth_approved *approved,
                                          const struct auth_subject *subject,
                                          enum auth_object_kind kind, const char *pool,
                                          struct json_object *list);

/* {"templates": [uuid...], "isos": [{"pool","name"}...], "networks": [...], "pools":
 * [...]}, each sorted. New. */
struct json_object *auth_approved_json(struct auth_approved *approved);

/* ---- the write: SQLite then the array; a worker (it blocks on disk) ---- */

/* Checks the shape of body ({"templates","isos","networks","pools"}, each absent or an
 * array of at most AUTH_APPROVED_MAX: UUID strings, {"pool","name"} objects, names; no
 * duplicates). Returns 0, or -1 with err (400 naming the member, "isos[2].pool").
 * Memory only, any thread. */
int auth_approved_check(struct json_object *body, struct app_error *err)
    __attribute__((warn_unused_result));

/* Replaces the whole set with body (checked by auth_approved_check; the caller made
 * sure each thing exists). Returns 0, or -1 with err (500). */
int auth_approved_set(struct auth_approved *approved, struct json_object *body,
                      struct app_error *err) __attribute__((warn_unused_result));
