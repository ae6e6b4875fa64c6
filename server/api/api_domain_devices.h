/* api_domain_devices: the endpoints of ROUTE_DOMAIN_ADDRESSES, _DISKS, _DISK, _DISK_MEDIA,
 * _INTERFACES, _INTERFACE (docs/api.md).
 *
 * Service thread: validates input and authorization, then submits a job (worker). */
#pragma once

#include "api/api.h"

/* Handles every route listed above; dispatches on req->route.id and req->method. */
enum api_result api_domain_devices_handle(struct app *app, const struct http_request *req,
                                          struct http_response *resp);
