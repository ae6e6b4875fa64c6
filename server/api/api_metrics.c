/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_metrics: GET /metrics (see the header). check: service thread; run: a worker. */
#include "api/api_metrics.h"

#include <math.h>
#include <zlib.h>

#include "auth_approved.h"
#include "auth_owners.h"
#include "auth_policy.h"
#include "http/static_files.h"
#include "metrics/metrics_expo.h"

/* Smaller texts go out plain (the daemon families alone are ~3 KiB). */
#define API_METRICS_GZIP_MIN (16u * 1024)

struct api_metrics_state {
    enum metrics_expo_format format;
    bool every_vm; /* the scrape token */
    bool host;     /* the host, pool, network and daemon families */
    bool gzip;     /* the client accepts gzip: compressed here, on the worker */
    struct metrics_daemon daemon;
};

/* The subject's view, for the renderer's visibility predicate. */
struct api_metrics_view {
    struct auth_owners *owners;     /* borrowed */
    struct auth_approved *approved; /* borrowed */
    struct auth_subject subject;
};

/* A VM as the domain list sees it; a pool or network by the policy's object rule (a
 * `user` sees those an admin approved for self-service). */
static bool api_metrics_visible(void *ctx, enum metrics_expo_object kind, const char *id)
{
    struct api_metrics_view *view = ctx;
    struct auth_object object = {.id = id};

    if (kind == METRICS_EXPO_DOMAIN)
        return auth_owners_sees(view->owners, &view->subject, id);
    object.kind = kind == METRICS_EXPO_POOL ? AUTH_OBJECT_POOL : AUTH_OBJECT_NETWORK;
    object.level = auth_approved_level(view->approved, object.kind, id, NULL);
    return auth_policy_sees(&view->subject, &object);
}

static int api_metrics_check(struct api_call *call, const struct http_request *req,
                             struct api_reply *reply)
{
    struct api_metrics_state *state;
    struct app_error err;

    if (!req->scrape && !call->has_session) { /* the connection layer stops these first */
        app_error_set(&err, 401, APP_ERR_UNAUTHORIZED, "not logged in");
        api_reply_error(reply, &err);
        return -1;
    }
    state = api_call_state_new(call, sizeof(*state));
    state->format = req->accept_openmetrics ? METRICS_EXPO_OPENMETRICS : METRICS_EXPO_TEXT;
    state->every_vm = req->scrape;
    state->gzip = req->accept_gzip;
    if (req->scrape) {
        state->host = true;
    } else {
        struct auth_subject subject = api_call_subject(call);
        state->host = auth_policy_allows(&subject, AUTH_ACTION_HOST_READ, NULL);
    }
    state->daemon.start_time_s = NAN;
    if (call->health)
        call->health(call->health_ctx, &state->daemon);
    return 0;
}

static void api_metrics_run(struct api_call *call, struct api_reply *reply)
{
    struct api_metrics_state *state = call->state;
    struct api_metrics_view view = {.owners = call->owners, .approved = call->approved};
    struct metrics_sample *sample = call->metrics ? metrics_latest_get(call->metrics) : NULL;
    struct metrics_expo_view expo = {
        .sample = sample,
        .daemon = &state->daemon,
        .host = state->host,
    };
    struct app_error err;
    struct buf text;

    if (!state->every_vm) {
        view.subject = api_call_subject(call);
        expo.visible = api_metrics_visible;
        expo.visible_ctx = &view;
    }
    buf_init(&text, METRICS_EXPO_MAX);
    if (metrics_expo_render(&expo, state->format, &text) < 0) {
        app_error_set(&err, 500, APP_ERR_INTERNAL, "the metrics text is over %u MiB",
                      METRICS_EXPO_MAX >> 20);
        api_reply_error(reply, &err);
    } else {
        size_t len = text.len, gz_len = 0;
        /* 1,000 VMs are ~4 MiB of text, ~10 times less gzipped: compressed here, not on
         * the service thread (which compresses only small JSON answers) */
        unsigned char *gz =
            state->gzip && len >= API_METRICS_GZIP_MIN
                ? static_files_gzip((const unsigned char *)text.data, len, Z_BEST_SPEED, &gz_len)
                : NULL;
        const char *type = metrics_expo_content_type(state->format);

        if (gz) {
            api_reply_text(reply, 200, type, (char *)gz, gz_len);
            reply->text_gzip = true;
        } else {
            api_reply_text(reply, 200, type, buf_take(&text), len);
        }
    }
    buf_free(&text);
    metrics_sample_unref(sample);
}

const struct api_handler api_metrics_get = {
    .check = api_metrics_check,
    .run = api_metrics_run,
};
