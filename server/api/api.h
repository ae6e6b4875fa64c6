/* api: the JSON API's entry point, called by http_server for every /api/ request
 * that passed routing, session, CSRF and Origin checks.
 *
 * Service thread. A handler either answers at once (API_DONE, resp filled) or submits
 * a work_job whose `done` delivers the response later (API_PENDING). */
#pragma once

#include "http/request.h"
#include "http/response.h"

struct app;

enum api_result { API_DONE, API_PENDING };

enum api_result api_handle(struct app *app, const struct http_request *req,
                           struct http_response *resp);
