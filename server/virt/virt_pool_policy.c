/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_pool_policy: pool_roots and pool_types (see virt_pool_policy.h).
 *
 * Parsing is pure. The checks resolve paths (lstat/realpath): workers and transfer
 * threads only. The installed policy is written once by the main thread before other
 * threads start and never again, so it is read without a lock. */
#include "virt/virt_pool_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fspath.h"
#include "util/xalloc.h"
#include "virt/virt_pool_xml.h"

/* the pool types a request may name; bit i of `types` is policy_types[i] */
static const char *const policy_types[] = {"dir", "fs", "netfs", "logical", "iscsi", "rbd", NULL};
#define POLICY_TYPE_COUNT (sizeof(policy_types) / sizeof(policy_types[0]) - 1)
/* the types whose target_path is a host directory (the others' is a /dev path or none) */
static const char *const policy_dir_types[] = {"dir", "fs", "netfs", NULL};

/* written by the main thread before other threads start; read-only afterwards */
static struct virt_pool_policy policy_installed;

static int policy_type_index(const char *type)
{
    for (int i = 0; type && policy_types[i]; i++)
        if (strcmp(type, policy_types[i]) == 0)
            return i;
    return -1;
}

static bool policy_in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; s && list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

/* The next comma-separated entry of *text, blanks trimmed, into buf; advances *text.
 * Returns false at the end. An entry longer than buf comes back cut (and then fails
 * its check, which is what callers want). */
static bool policy_next_entry(const char **text, char *buf, size_t len)
{
    const char *s = *text, *end, *stop;

    if (!*s)
        return false;
    end = strchr(s, ',');
    stop = end ? end : s + strlen(s);
    *text = end ? end + 1 : stop;
    while (s < stop && (*s == ' ' || *s == '\t'))
        s++;
    while (stop > s && (stop[-1] == ' ' || stop[-1] == '\t'))
        stop--;
    snprintf(buf, len, "%.*s", (int)(stop - s), s);
    return true;
}

int virt_pool_policy_parse(struct virt_pool_policy *policy, const char *roots, const char *types,
                           char *err, size_t errlen)
{
    char entry[1100];
    int ret = -1;

    memset(policy, 0, sizeof(*policy));
    while (roots && policy_next_entry(&roots, entry, sizeof(entry))) {
        if (strcmp(entry, "/") != 0 && !virt_pool_xml_path_valid(entry)) {
            snprintf(err, errlen,
                     "pool_roots: \"%.64s\" is not an absolute, normalised directory (no \"..\", "
                     "\".\", \"//\" or trailing \"/\")",
                     entry);
            goto cleanup;
        }
        if (policy->n_roots == VIRT_POOL_POLICY_ROOTS_MAX) {
            snprintf(err, errlen, "pool_roots: at most %d directories", VIRT_POOL_POLICY_ROOTS_MAX);
            goto cleanup;
        }
        policy->roots[policy->n_roots++] = xstrdup(entry);
    }
    while (types && policy_next_entry(&types, entry, sizeof(entry))) {
        int i = policy_type_index(entry);

        if (i < 0) {
            snprintf(err, errlen,
                     "pool_types: \"%.32s\" is not one of dir, fs, netfs, logical, iscsi, rbd",
                     entry);
            goto cleanup;
        }
        policy->types |= 1u << i;
    }
    ret = 0;

cleanup:
    if (ret < 0)
        virt_pool_policy_clear(policy);
    return ret;
}

void virt_pool_policy_clear(struct virt_pool_policy *policy)
{
    for (size_t i = 0; i < policy->n_roots; i++)
        free(policy->roots[i]);
    memset(policy, 0, sizeof(*policy));
}

void virt_pool_policy_install(struct virt_pool_policy *policy)
{
    virt_pool_policy_clear(&policy_installed);
    policy_installed = *policy;
    memset(policy, 0, sizeof(*policy));
}

bool virt_pool_policy_in_roots(const char *resolved)
{
    bool in = false;

    for (size_t i = 0; !in && i < policy_installed.n_roots; i++) {
        char *root = fspath_resolve(policy_installed.roots[i]);

        in = root && fspath_within(resolved, root);
        free(root);
    }
    return in;
}

/* "a, b, c" of the entries of list[0..n) whose bit is set in mask (or "none") into buf. */
static void policy_join(char *buf, size_t len, const char *const *list, size_t n, unsigned mask)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++) {
        if (!(mask & (1u << i)))
            continue;
        used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", list[i]);
    }
    if (!buf[0])
        snprintf(buf, len, "none");
}

int virt_pool_policy_check_create(const char *type, const char *target, struct app_error *err)
{
    int i = policy_type_index(type);
    char allowed[160];
    char *resolved = NULL;
    int ret = -1;

    if (i < 0 || !(policy_installed.types & (1u << i))) {
        policy_join(allowed, sizeof(allowed), policy_types, POLICY_TYPE_COUNT,
                    policy_installed.types);
        app_error_set(err, 403, APP_ERR_POOL_TYPE,
                      "pools of type %s may not be created here (pool_types: %s)",
                      type ? type : "?", allowed);
        app_error_at_field(err, "", "type");
        goto cleanup;
    }
    if (!policy_in_list(type, policy_dir_types)) {
        ret = 0;
        goto cleanup;
    }
    if (!target || !(resolved = fspath_resolve(target)) || !virt_pool_policy_in_roots(resolved)) {
        bool moved = resolved && strcmp(resolved, target) != 0;

        policy_join(allowed, sizeof(allowed), (const char *const *)policy_installed.roots,
                    policy_installed.n_roots, (1u << policy_installed.n_roots) - 1);
        app_error_set(err, 403, APP_ERR_POOL_ROOTS,
                      "pools may only be defined in pool_roots (%s); target_path %.100s%s%.100s%s "
                      "is outside them",
                      allowed, target ? target : "(none)", moved ? " (resolves to " : "",
                      moved ? resolved : "", moved ? ")" : "");
        app_error_at_field(err, "", "target_path");
        goto cleanup;
    }
    ret = 0;

cleanup:
    free(resolved);
    return ret;
}
