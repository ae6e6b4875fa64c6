/* api_volumes: the endpoints of ROUTE_VOLUMES, ROUTE_VOLUME, ROUTE_VOLUME_ACTION (not content)
 * (docs/api.md).
 *
 * Service thread: validates input and authorization, then submits a job (worker). */
#pragma once

#include "api/api.h"

/* Handles every route listed above; dispatches on req->route.id and req->method. */
enum api_result api_volumes_handle(struct app *app, const struct http_request *req,
                                   struct http_response *resp);
