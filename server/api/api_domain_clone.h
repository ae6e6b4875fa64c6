/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_domain_clone: POST /api/domains/{uuid}/clone (row DOMAIN_CLONE), see
 * virt_domain_clone.h. The row's FIELDS check the body on the service thread; a worker
 * makes the clone's checks (the same 4xx answers, nothing made) and then copies at once
 * and answers 201 when the disks hold less than API_RUNNER_SYNC_MAX allocated bytes,
 * or hands the copy to the job runner (api/api_runner.h) and answers 202 with the job
 * and its Location when they hold more, or when the client sent Prefer: respond-async
 * (RFC 7240). */
#pragma once

#include "api/api_call.h"

/* {"name", "title"?}: answers 201 {"domain": the clone's detail, "copies": [...]}, or
 * 202 {"job": the job} (Location: /api/jobs/{id}); the job's result is that 201 body. */
extern const struct api_handler api_domain_clone;
