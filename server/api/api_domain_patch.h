/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_domain_patch: PATCH /api/domains/{uuid} (row DOMAIN_PATCH): a VM's basic
 * configuration; see virt_domain_patch.h. Operators and admins. The work runs on a
 * worker. */
#pragma once

#include "api/api_call.h"

/* A body object of the members of docs/api.md: answers {"detail","next_boot"}. */
extern const struct api_handler api_domain_patch;
