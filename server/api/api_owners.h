/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_owners: who owns each VM and who it is shared with, and the groups shares name
 * (route_table.def's "owners, shares and groups"; the index is auth/auth_owners.h).
 *
 * The domain rows run on a worker with libvirt: they look their domain up first
 * (api_call_domain), so a domain the caller may not see answers as one that does not
 * exist, like every domain route. The group rows need no libvirt; they run on a worker
 * too (each group carries the quota set on it, read from SQLite: api_quota.h). */
#pragma once

#include "api/api_call.h"

extern const struct api_handler api_owners_set_domain;   /* PUT /api/domains/{uuid}/owner */
extern const struct api_handler api_owners_set_many;     /* PUT /api/owners */
extern const struct api_handler api_owners_shares_get;   /* GET /api/domains/{uuid}/shares */
extern const struct api_handler api_owners_shares_put;   /* PUT /api/domains/{uuid}/shares */
extern const struct api_handler api_owners_groups_list;  /* GET /api/groups */
extern const struct api_handler api_owners_group_create; /* POST /api/groups */
extern const struct api_handler api_owners_group_change; /* PATCH /api/groups/{name} */
extern const struct api_handler api_owners_group_delete; /* DELETE /api/groups/{name} */

/* After a domain was created or cloned by subject: made is what the create or clone
 * answers (a detail with "uuid", or {"domain": detail, ...}; anything else is left
 * alone). The domain becomes subject's (logged on failure: the VM exists either way),
 * and its detail gets the "owner" and "access" GET /api/domains/{uuid} carries. Workers
 * and the job runner's lane (a 202 create or clone, when its job ends). */
void api_owners_record_made(struct auth_owners *owners, const struct auth_subject *subject,
                            struct json_object *made);
/* api_owners_record_made for the body of a 201 reply, made by call's user. */
void api_owners_record_reply(const struct api_call *call, struct api_reply *reply);
/* Adds to a domain's detail its "owner" and the caller's "access"; returns detail. */
struct json_object *api_owners_annotate(const struct api_call *call, const char *uuid,
                                        struct json_object *detail);
/* After a domain was deleted: its owner and shares go. Worker. */
void api_owners_forget(const struct api_call *call, const char *uuid);
