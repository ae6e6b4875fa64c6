/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_metrics_history: the metrics history's routes (see api_metrics_history.h). check: service
 * thread; run: a worker. */
#include "api/api_metrics_history.h"

#include <libvirt/libvirt.h>

#include "metrics/metrics_history.h"
#include "util/clock.h"
#include "virt/virt_domain.h"

/* A query argument (NULL: absent) into out; -1 with err (400 naming it) when too long. */
static int api_metrics_arg(const struct api_call *call, const char *name, char *out, size_t outlen,
                           const char **value, struct app_error *err)
{
    int rc = route_query_get(call->query, name, out, outlen);

    *value = rc == 1 ? out : NULL;
    if (rc >= 0)
        return 0;
    app_error_set(err, 400, APP_ERR_BAD_REQUEST, "query \"%s\" must be a whole number of seconds",
                  name);
    app_error_at_field(err, "", name);
    return -1;
}

static int api_metrics_check(struct api_call *call, const struct http_request *req,
                             struct api_reply *reply)
{
    char from_buf[32], to_buf[32], step_buf[32];
    const char *from, *to, *step;
    struct metrics_history_range *range;

    (void)req;
    range = api_call_state_new(call, sizeof(*range));
    if (api_metrics_arg(call, "from", from_buf, sizeof(from_buf), &from, &reply->err) < 0 ||
        api_metrics_arg(call, "to", to_buf, sizeof(to_buf), &to, &reply->err) < 0 ||
        api_metrics_arg(call, "step", step_buf, sizeof(step_buf), &step, &reply->err) < 0)
        return -1;
    return metrics_history_range_parse(from, to, step, clock_wall_s(), range, &reply->err);
}

/* The series of uuid (NULL: the host) into reply. */
static void api_metrics_answer(struct api_call *call, const char *uuid, struct api_reply *reply)
{
    struct app_error err;

    app_error_clear(&err);
    if (!call->history) {
        app_error_set(&err, 503, APP_ERR_UNAVAILABLE, "the metrics history is not available");
        api_reply_result(reply, 200, NULL, &err);
        return;
    }
    api_reply_result(reply, 200,
                     metrics_history_query(call->history, uuid, call->state, clock_wall_s(), &err),
                     &err);
}

static void api_metrics_host_run(struct api_call *call, struct api_reply *reply)
{
    api_metrics_answer(call, NULL, reply);
}

const struct api_handler api_metrics_host = {.check = api_metrics_check,
                                             .run = api_metrics_host_run};

static void api_metrics_domain_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;
    virDomainPtr dom;
    char uuid[VIR_UUID_STRING_BUFLEN];

    app_error_clear(&err);
    if (!(dom = virt_domain_find(call->conn, call->uuid, call->hidden, &err))) {
        api_reply_result(reply, 200, NULL, &err);
        return;
    }
    if (virDomainGetUUIDString(dom, uuid) < 0) { /* a local accessor: never in practice */
        virDomainFree(dom);
        app_error_set(&err, 500, APP_ERR_INTERNAL, "cannot read the domain's UUID");
        api_reply_result(reply, 200, NULL, &err);
        return;
    }
    virDomainFree(dom);
    api_metrics_answer(call, uuid, reply);
}

const struct api_handler api_metrics_domain = {.check = api_metrics_check,
                                               .run = api_metrics_domain_run};
