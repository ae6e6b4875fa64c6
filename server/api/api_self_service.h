/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_self_service: GET and PUT /api/self-service (rows SELF_SERVICE_GET,
 * SELF_SERVICE_PUT), the set of templates, ISOs, networks and pools an admin approved for
 * self-service (auth/auth_approved.h), and what the network, pool and volume reads show a
 * subject held to it.
 *
 * GET (whoever may create VMs: it is what the create wizard offers a `user`) runs on a
 * worker with libvirt to give each template its name and title; PUT (admins) checks the
 * body's shape on the service thread, then on a worker looks every named thing up in
 * libvirt (400 naming the first unknown one, nothing changed) and replaces the set. */
#pragma once

#include "api/api_call.h"
#include "auth_approved.h"

extern const struct api_handler api_self_service_get; /* GET /api/self-service */
extern const struct api_handler api_self_service_put; /* PUT /api/self-service */

/* For a caller held to the self-service set (auth_policy_approved_only): 0 if the entry
 * (kind; pool: an ISO's pool) is in it, else -1 with err 403 `forbidden` at
 * prefix+key naming it ("<what> \"name\" is not approved for self-service"). Any other
 * caller: 0. Memory only: a thing that does not exist is not approved either. */
int api_self_service_require(const struct api_call *call, enum auth_approved_kind kind,
                             const char *pool, const char *name, const char *prefix,
                             const char *key, struct app_error *err)
    __attribute__((warn_unused_result));

/* For a caller held to the set: a NIC joins an approved network only. bridge/user: the
 * request asks for a bridge or QEMU's user network (403 at other_field); network: the
 * network it names (403 at prefix+"network" unless approved), or NULL. Returns 0 or -1
 * with err. */
int api_self_service_require_nic(const struct api_call *call, bool bridge, bool user,
                                 const char *other_field, const char *network, const char *prefix,
                                 struct app_error *err) __attribute__((warn_unused_result));

/* Trims a network, pool or volume answer (a list, or one object) to what call's caller
 * sees, in place: list items by the self-service set (kind AUTH_OBJECT_NETWORK or
 * AUTH_OBJECT_POOL; pool: a volume answer's pool, else NULL), and the VMs each names
 * ("domains", "used_by") by the ownership index, as the domain list is. Returns out
 * (NULL stays NULL). Worker or service thread (memory only). */
struct json_object *api_self_service_filter(const struct api_call *call, enum auth_object_kind kind,
                                            const char *pool, struct json_object *out);
