/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_domain_delete: DELETE /api/domains/{uuid} (row DOMAIN_DELETE) and
 * GET /api/domains/{uuid}/volumes (row DOMAIN_VOLUMES), see virt_domain_delete.h.
 * The body is read on the service thread (check); the work runs on a worker. */
#pragma once

#include "api/api_call.h"

/* {"volumes"?: "all" | "none" | [{"pool","name"}]}: answers {"uuid","name",
 * "undefine_flags","removed","kept"}. */
extern const struct api_handler api_domain_delete;
/* The domain's disks that are pool volumes, with the other domains sharing each. */
extern const struct api_handler api_domain_delete_volumes;
