/* api_host: GET /api/host. Service thread; libvirt work on a worker. */
#pragma once

#include "api/api.h"

enum api_result api_host_get(struct app *app, const struct http_request *req,
                             struct http_response *resp);
