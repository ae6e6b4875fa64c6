/* api_pools: the endpoints of ROUTE_POOLS, ROUTE_POOL, ROUTE_POOL_ACTION (docs/api.md).
 *
 * Service thread: validates input and authorization, then submits a job (worker). */
#pragma once

#include "api/api.h"

/* Handles every route listed above; dispatches on req->route.id and req->method. */
enum api_result api_pools_handle(struct app *app, const struct http_request *req,
                                 struct http_response *resp);
