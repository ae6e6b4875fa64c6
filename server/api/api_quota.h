/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_quota: quotas at the API (docs/api.md "Quotas"): the routes that set and show
 * them (rows USER_QUOTA, GROUP_QUOTA: admins; QUOTA: any logged-in user), and the
 * reservation the changes that make a user's VMs bigger take before their libvirt call
 * (create, clone, configure: api_domain_create.c, api_domain_clone.c,
 * api_domain_patch.c).
 *
 * A change of a subject auth_policy_quota_applies to reserves its demand through the
 * ledger (auth/auth_quota.h): the user's committed use is measured under the ledger's
 * mutex from what the ownership index says it owns (virt_quota.h), the user's other
 * reservations are added, and a demand over a limit is 409 quota_exceeded before
 * anything is made. Settling makes the result committed (a new VM's owner row) and drops
 * the reservation in one step. Workers only (libvirt, SQLite). */
#pragma once

#include <stdint.h>

#include "api/api_call.h"
#include "virt/virt_domain_create.h"
#include "virt/virt_quota.h"

/* {"user","limited","quota":{"vms":{"used","limit","source"},...}}: the caller's. Worker
 * with libvirt. */
extern const struct api_handler api_quota_get;
/* {"vms","vcpus","memory_mib","disk_gib"} (each an integer >= 0 or null) -> 200
 * {"name","quota":{...}}; 400 naming the member, 404. Worker. */
extern const struct api_handler api_quota_user_put;
extern const struct api_handler api_quota_group_put;

/* The quota set on the user (group false) or group name itself ({"vms": n|null, ...}),
 * for GET /api/users and GET /api/groups. New; NULL on a database error. Worker. */
struct json_object *api_quota_set_json(sqlite3 *db, bool group, const char *name);

/* True if a quota holds the caller's changes (auth_policy_quota_applies): only then is a
 * demand worth measuring. */
bool api_quota_applies(const struct api_call *call);
/* Reserves demand for the caller: 0 with *ticket 0 when no quota applies to it, 0 with a
 * ticket, or -1 with err (409 quota_exceeded; a measuring failure). Worker with libvirt. */
int api_quota_reserve(struct api_call *call, const struct virt_quota_use *demand, uint64_t *ticket,
                      struct app_error *err) __attribute__((warn_unused_result));
/* Ends ticket (0: a no-op but for the owner row): when reply is a 201 with a new
 * domain's "uuid", it belongs to the caller (api_owners_record_reply) in the same step.
 * A 202 hands its ticket to the job's task instead (api_quota_settle_made). */
void api_quota_settle_reply(struct api_call *call, uint64_t ticket, struct api_reply *reply);
/* Ends ticket where no call is left: a 202 job's task, when its create or clone ended
 * (made: what it answers, or NULL when it failed: the reservation is dropped) or was
 * dropped unrun. A VM it made becomes subject's in the same step
 * (api_owners_record_made); without a ticket it just does. The job runner's lane. */
void api_quota_settle_made(struct auth_quota *quota, uint64_t ticket, struct auth_owners *owners,
                           const struct auth_subject *subject, struct json_object *made);
/* Ends ticket after run(ctx) ran under the ledger's mutex (a change of an owned VM:
 * nobody measures it half made); without a ticket run(ctx) just runs. */
void api_quota_settle_run(struct api_call *call, uint64_t ticket, void (*run)(void *ctx),
                          void *ctx);

/* The GiB (rounded up) of the volume pool/name: 0 when there is none (the change that
 * names it answers that). Worker with libvirt. */
unsigned long long api_quota_volume_gib(virConnectPtr conn, const char *pool, const char *name);
/* What a create of req demands: its sizes (virt_domain_create_sizes), a template's or
 * source volume's measured where the request keeps them. Returns 0, or -1 with err. */
int api_quota_create_demand(virConnectPtr conn, const struct virt_domain_create_req *req,
                            struct virt_quota_use *out, struct app_error *err)
    __attribute__((warn_unused_result));
/* What PATCH body demands of dom: the vCPUs and maximum memory it adds (0 when it
 * lowers or keeps them). Returns 0, or -1 with err. */
int api_quota_patch_demand(virDomainPtr dom, struct json_object *body, struct virt_quota_use *out,
                           struct app_error *err) __attribute__((warn_unused_result));
