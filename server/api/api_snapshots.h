/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_snapshots: a domain's snapshot endpoints (docs/api.md "Snapshots"; rows
 * SNAPSHOTS_LIST, SNAPSHOT_CREATE, SNAPSHOT_REVERT, SNAPSHOT_DELETE). Every run is on a
 * worker with libvirt (virt_snapshot.c): a snapshot with memory may take seconds, which
 * the worker waits out while the service thread goes on. */
#pragma once

#include "api/api_call.h"

extern const struct api_handler api_snapshots_list;
/* Its check runs the pure XML builder, so a bad member is a 400 before any job. */
extern const struct api_handler api_snapshots_create;
/* Answers the domain's detail after the revert (its new state). */
extern const struct api_handler api_snapshots_revert;
/* ?children=true deletes the subtree. */
extern const struct api_handler api_snapshots_delete;
