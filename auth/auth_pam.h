/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_pam: system accounts through PAM: the group → role map and the privileged helper.
 *
 * The daemon runs unprivileged, and pam_unix cannot check another user's password from
 * an unprivileged process, so the check itself is virtdeck-pam-helper's (a small setuid
 * program, auth/pam-helper/); this file starts it with the name and password on a pipe,
 * reads its one-line answer within AUTH_PAM_TIMEOUT_MS, and derives the account's role
 * from its Unix groups (NSS: getpwnam_r, getgrouplist, getgrgid_r). auth_pam_map_* are
 * pure (any thread); auth_pam_check blocks (fork/exec, PAM, NSS): the password lane only,
 * never the service thread. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "auth_policy.h"
#include "util/app_error.h"

#define AUTH_PAM_TIMEOUT_MS 10000
#define AUTH_PAM_GROUP_MAX  64 /* a Unix group name's length here */
#define AUTH_PAM_MAP_SLOTS  4  /* admin, operator, user, viewer */

/* The configured groups, highest role first. */
struct auth_pam_map {
    size_t count;
    struct {
        char group[AUTH_PAM_GROUP_MAX + 1];
        enum auth_role role;
    } entries[AUTH_PAM_MAP_SLOTS];
};

/* Role names of the slots of auth_pam_map_init's groups, highest first. */
extern const char *const auth_pam_slot_roles[AUTH_PAM_MAP_SLOTS];

/* Fills map from groups[i] (the group of role auth_pam_slot_roles[i]; NULL or "": none).
 * Each role name goes through auth_role_parse, so a slot whose role this build does not
 * know yet is refused. Returns 0, or -1 with a message in err (a bad group name, an
 * unknown role, no group at all). */
int auth_pam_map_init(struct auth_pam_map *map, const char *const groups[AUTH_PAM_MAP_SLOTS],
                      char *err, size_t errlen) __attribute__((warn_unused_result));

/* The role of an account in the Unix groups names[0..count): that of the first map entry
 * (the highest role) whose group is among them. Returns true with *role set, or false
 * when the account is in none of the mapped groups. */
bool auth_pam_map_role(const struct auth_pam_map *map, const char *const *names, size_t count,
                       enum auth_role *role);

enum auth_pam_result {
    AUTH_PAM_OK,      /* right password, account usable, *role set */
    AUTH_PAM_DENIED,  /* wrong password, unknown or locked account */
    AUTH_PAM_EXPIRED, /* right password, but the account or its password has expired */
    AUTH_PAM_NO_ROLE, /* right password, but the account is in no mapped group */
};

struct auth_pam;

/* A PAM checker running helper (path, copied) with map (copied). Never NULL. */
struct auth_pam *auth_pam_new(const char *helper, const struct auth_pam_map *map);
void auth_pam_free(struct auth_pam *pam);

/* Checks name and password with the helper, then the role. Blocks up to
 * AUTH_PAM_TIMEOUT_MS (the password lane). Returns an enum auth_pam_result, or -1 with
 * err set (500: the helper could not run, timed out or answered nonsense). */
int auth_pam_check(const struct auth_pam *pam, const char *name, const char *password,
                   enum auth_role *role, struct app_error *err) __attribute__((warn_unused_result));
