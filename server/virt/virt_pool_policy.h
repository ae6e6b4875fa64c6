/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_pool_policy: where the web admin may define storage pools (the `pool_roots`
 * config key) and of which types (`pool_types`).
 *
 * libvirt acts as root: a pool on /etc or a file system mounted from the host's own
 * disk would hand the admin role the whole host. So a new dir/fs/netfs pool's target
 * must resolve inside one of the roots, and only the listed types may be created. The
 * policy governs creation only; pools defined outside virtdeck stay usable.
 *
 * The process-wide policy is installed once by the main thread before any other thread
 * starts (virt_pool_policy_install) and only read afterwards, so readers need no lock.
 * Parsing is pure (any thread); the checks that resolve paths read the file system and
 * run on workers or the transfers' pump threads, never on the service thread. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/app_error.h"

/* The defaults of the config keys (see README.md). */
#define VIRT_POOL_POLICY_DEFAULT_ROOTS "/var/lib/libvirt/images"
#define VIRT_POOL_POLICY_DEFAULT_TYPES "dir,netfs,iscsi,rbd"
/* at most this many pool_roots */
#define VIRT_POOL_POLICY_ROOTS_MAX 16

struct virt_pool_policy {
    char *roots[VIRT_POOL_POLICY_ROOTS_MAX]; /* owned: absolute, normalised directories */
    size_t n_roots;
    unsigned types; /* one bit per entry of the type list in virt_pool_policy.c */
};

/* Parses the text of pool_roots and pool_types into *policy (which it overwrites; free
 * with virt_pool_policy_clear). roots: comma-separated absolute, normalised directories
 * ("/" allows every directory), blanks around commas ignored, at most
 * VIRT_POOL_POLICY_ROOTS_MAX; "" allows none. types: comma-separated from dir, fs,
 * netfs, logical, iscsi, rbd; "" allows none. Either may be NULL (not parsed: nothing
 * allowed). Returns 0, or -1 with a message in err naming the bad entry (and *policy
 * empty). Pure; any thread. */
int virt_pool_policy_parse(struct virt_pool_policy *policy, const char *roots, const char *types,
                           char *err, size_t errlen) __attribute__((warn_unused_result));

/* Frees what virt_pool_policy_parse allocated and empties *policy. */
void virt_pool_policy_clear(struct virt_pool_policy *policy);

/* Makes *policy the process-wide one, taking its contents (*policy is left empty); the
 * previous one is freed. Main thread only, before any thread that reads it starts.
 * Until the first call nothing is allowed. */
void virt_pool_policy_install(struct virt_pool_policy *policy);

/* Refuses a pool that may not be created: a type outside pool_types is 403
 * "pool_type_not_allowed"; a dir, fs or netfs pool whose target_path (resolved: symbolic
 * links followed as far as the path exists) is not inside a root (also resolved) is 403
 * "outside_pool_roots"; both messages name what is allowed. type and target come from a
 * request the pool XML builder accepted (target may be NULL for the other types).
 * Returns 0 or -1 with err. Reads the file system: workers only. */
int virt_pool_policy_check_create(const char *type, const char *target, struct app_error *err)
    __attribute__((warn_unused_result));

/* True if resolved (a resolved absolute path) lies inside one of the installed roots,
 * each resolved now. Reads the file system: workers and the transfers' pump threads only. */
bool virt_pool_policy_in_roots(const char *resolved);
