/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_domain_delete: deleting a shut-off persistent domain and, as chosen, its disks'
 * pool volumes (DELETE /api/domains/{uuid}); the list of those volumes with the other
 * domains that share each (GET /api/domains/{uuid}/volumes).
 *
 * Order: everything is checked first (the body on the service thread, the domain's
 * state and the chosen volumes on the worker), then the domain is undefined, then the
 * volumes are deleted. A failure after the undefine cannot leave a domain pointing at
 * deleted disks: the domain is gone already, a volume that could not be deleted is
 * answered as kept with the reason. A volume another domain also uses is never deleted.
 *
 * virt_domain_delete_parse is pure (any thread); the rest calls libvirt: workers only. */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <stddef.h>

#include "util/app_error.h"
#include "util/utf8_name.h"

#define VIRT_DELETE_VOLUMES_MAX 64  /* entries of a "volumes" list */
#define VIRT_DELETE_POOL_MAX    127 /* bytes of a pool name */

enum virt_delete_mode {
    VIRT_DELETE_NONE = 0, /* keep every volume (the default) */
    VIRT_DELETE_ALL,      /* every pool volume of the domain's disks (not its CD-ROMs) */
    VIRT_DELETE_LIST,     /* the volumes listed */
};

struct virt_delete_volume {
    char pool[VIRT_DELETE_POOL_MAX + 1];
    char name[UTF8_NAME_FILE_MAX + 1];
};

/* What a DELETE body asks for. A plain value. */
struct virt_delete_choice {
    enum virt_delete_mode mode;
    size_t count; /* VIRT_DELETE_LIST: entries of volumes used */
    struct virt_delete_volume volumes[VIRT_DELETE_VOLUMES_MAX];
};

/* Reads body (the parsed request object; NULL or {} means "none") into out:
 * {"volumes": "all" | "none" | [{"pool": P, "name": N}, ...]}. Other members are the
 * dispatcher's business (the row's KEYS). Returns 0, or -1 with err set to 400 and its
 * field "volumes" (out then unspecified). Pure; any thread. */
int virt_domain_delete_parse(struct json_object *body, struct virt_delete_choice *out,
                             struct app_error *err) __attribute__((warn_unused_result));

/* The pool volumes behind dom's disks: a new JSON array of {"pool","name","path",
 * "target","device","capacity_bytes","shared_with":[{"uuid","name","active"}]}
 * (shared_with: the other domains using the same volume). Disks that are no pool's
 * volume are left out. NULL with err set on failure. Workers only. */
struct json_object *virt_domain_delete_volumes(virDomainPtr dom, struct app_error *err);

/* Deletes dom as described above. 409 while dom runs or is paused, or when it is
 * transient; 400 (field "volumes") when a listed volume is not one of its disks'.
 * Returns a new {"uuid","name","undefine_flags":[...],"removed":[{"pool","name"}],
 * "kept":[{"pool","name","reason","message"}]} or NULL with err set (then nothing was
 * changed). Workers only. */
struct json_object *virt_domain_delete(virDomainPtr dom, const struct virt_delete_choice *choice,
                                       struct app_error *err);
