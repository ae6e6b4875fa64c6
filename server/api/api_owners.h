/* api_owners: who owns each VM and who it is shared with, and the groups shares name
 * (route_table.def's "owners, shares and groups"; the index is auth/auth_owners.h).
 *
 * The domain rows run on a worker with libvirt: they look their domain up first
 * (api_call_domain), so a domain the caller may not see answers as one that does not
 * exist, like every domain route. The group rows need no libvirt; the list runs
 * inline (memory only). */
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

/* After a domain was created or cloned by call's user: it is theirs (logged on
 * failure: the VM exists either way). Worker. */
void api_owners_record_creator(const struct api_call *call, const char *uuid);
/* api_owners_record_creator for the "uuid" of a 201 reply's detail (the body itself, or
 * a clone's "domain"; nothing for another reply), which then gets the "owner" and
 * "access" a detail carries. */
void api_owners_record_reply(const struct api_call *call, struct api_reply *reply);
/* Adds to a domain's detail its "owner" and the caller's "access"; returns detail. */
struct json_object *api_owners_annotate(const struct api_call *call, const char *uuid,
                                        struct json_object *detail);
/* After a domain was deleted: its owner and shares go. Worker. */
void api_owners_forget(const struct api_call *call, const char *uuid);
