/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_jobs: GET /api/jobs and GET /api/jobs/{id} (rows JOBS_LIST, JOB_GET): the long
 * work a request answered with 202 (api/api_runner.h, work/job_table.h). Inline on the
 * service thread: the table's lock is held only for a copy of its JSON. */
#pragma once

#include "api/api_call.h"

/* {"jobs":[job...]}: the caller's jobs, every job for an admin. */
extern const struct api_handler api_jobs_list;
/* 200 {"job": job}, or 404 when there is none the caller may see. */
extern const struct api_handler api_jobs_get;
