/* api_networks: the endpoints of ROUTE_NETWORKS, ROUTE_NETWORK, ROUTE_NETWORK_LEASES,
 * ROUTE_NETWORK_ACTION (docs/api.md).
 *
 * Service thread: validates input and authorization, then submits a job (worker). */
#pragma once

#include "api/api.h"

/* Handles every route listed above; dispatches on req->route.id and req->method. */
enum api_result api_networks_handle(struct app *app, const struct http_request *req,
                                    struct http_response *resp);
