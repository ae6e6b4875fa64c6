/* api: the JSON API's dispatcher, called by http_server for every /api/ request that
 * passed routing, session, CSRF and Origin checks.
 *
 * DESIGN: the request's row of the route table (http/route_table.def) says everything
 * the dispatcher checks, in one place and in the row's order: the role against the
 * object (route_check_right), the ids in the path (route_check_object), then the input:
 * an {action} no row has, the query arguments, the body (parsed once, unknown members
 * and wrong types refused, bounds checked) and last the handler's own check. Then the
 * handler runs: at once (ROUTE_RUN_INLINE) or as a job on the work pool or the password
 * lane (api_job.c), which also writes the audit record and delivers the answer. A
 * handler sees a struct api_call and answers a struct api_reply (api_call.h); it never
 * checks a role and never sees the app or an HTTP response. Per-VM ownership plugs into
 * route_check_right (which asks auth_policy_allows with the object the row names).
 *
 * Service thread. A request is answered at once (API_DONE, resp filled) or by a job
 * whose `done` delivers the response later (API_PENDING). */
#pragma once

#include "http/request.h"
#include "http/response.h"

struct app;
struct api_call;
struct api_handler;
struct api_reply;
struct route_row;

/* The most body members one row may accept (test_api.c checks the table). */
#define API_BODY_KEYS_MAX 32

enum api_result { API_DONE, API_PENDING };

enum api_result api_handle(struct app *app, const struct http_request *req,
                           struct http_response *resp);

/* The handler the table names for row (NULL for rows http_server serves itself, and
 * for rows that only refuse). Exported for tests (test_api.c). */
const struct api_handler *api_handler_for(const struct route_row *row);

/* The checks of call's row for req, in the row's order: right, object, input (the
 * body is parsed into call->body; the handler's check runs last). Returns 0 when the
 * handler may run, or -1 with the refusal in reply. Service thread. Exported for
 * tests (tests/unit/test_api.c); api_handle is its only caller in the daemon. */
int api_prepare(struct api_call *call, const struct http_request *req, struct api_reply *reply)
    __attribute__((warn_unused_result));
