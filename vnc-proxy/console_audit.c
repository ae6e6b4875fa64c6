/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* console_audit: the consoles' audit records on a worker (see console_audit.h). */
#include "console_audit.h"

#include <stdio.h>
#include <stdlib.h>

#include "auth_sessions.h"
#include "store/store.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "work/work_pool.h"

struct console_audit_job {
    sqlite3 *db; /* borrowed */
    char username[AUTH_USERNAME_MAX + 1];
    char peer[64];
    char action[24];
    char object[48];
    char outcome[32];
    char message[256];
};

static void console_audit_run(struct work_job *job)
{
    struct console_audit_job *arg = job->arg;

    store_audit_result(arg->db, arg->username, arg->peer, arg->action, arg->object, arg->outcome,
                       arg->message);
}

void console_audit_post(struct work_pool *pool, sqlite3 *db, const char *username, const char *peer,
                        const char *action, const char *uuid, const char *outcome,
                        const char *message)
{
    struct console_audit_job *arg = xcalloc(1, sizeof(*arg));

    arg->db = db;
    snprintf(arg->username, sizeof(arg->username), "%s", username);
    snprintf(arg->peer, sizeof(arg->peer), "%s", peer);
    snprintf(arg->action, sizeof(arg->action), "%s", action);
    snprintf(arg->object, sizeof(arg->object), "domain:%s", uuid);
    snprintf(arg->outcome, sizeof(arg->outcome), "%s", outcome);
    snprintf(arg->message, sizeof(arg->message), "%s", message ? message : "");
    if (work_pool_submit(pool, work_job_new(0, console_audit_run, NULL, arg, free)) < 0)
        log_warn("%s: audit record for %s dropped (worker queue full)", action, uuid);
}
