/* api_domains: GET /api/domains, GET /api/domains/{uuid},
 * POST /api/domains/{uuid}/{action}. Service thread; libvirt work on workers. */
#pragma once

#include "api/api.h"

enum api_result api_domains_list(struct app *app, const struct http_request *req,
                                 struct http_response *resp);
enum api_result api_domains_get(struct app *app, const struct http_request *req,
                                struct http_response *resp);
enum api_result api_domains_act(struct app *app, const struct http_request *req,
                                struct http_response *resp);
