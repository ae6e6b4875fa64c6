/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_jobs: reading the job table (see api_jobs.h). Service thread. Whose jobs a user
 * sees is the table's rule (its owner, or an admin: every job), not a right of the
 * route table: every logged-in user may follow the jobs it started. */
#include "api/api_jobs.h"

#include "util/clock.h"
#include "api/api_runner.h"

static bool api_jobs_admin(const struct api_call *call)
{
    return call->session.role == AUTH_ROLE_ADMIN;
}

static void api_jobs_list_run(struct api_call *call, struct api_reply *reply)
{
    api_reply_json(reply, 200,
                   job_table_list(api_runner_table(call->jobs), call->session.username,
                                  api_jobs_admin(call), clock_mono_ms()));
}

const struct api_handler api_jobs_list = {.run = api_jobs_list_run};

static void api_jobs_get_run(struct api_call *call, struct api_reply *reply)
{
    struct json_object *job =
        job_table_get(api_runner_table(call->jobs), call->name, call->session.username,
                      api_jobs_admin(call), clock_mono_ms());
    struct json_object *out;

    if (!job) {
        app_error_set(&reply->err, 404, APP_ERR_NOT_FOUND, "no job \"%.40s\"", call->name);
        return;
    }
    out = json_object_new_object();
    json_object_object_add(out, "job", job);
    api_reply_json(reply, 200, out);
}

const struct api_handler api_jobs_get = {.run = api_jobs_get_run};
