/* api_auth: POST /api/login, POST /api/logout, GET /api/session. Service thread
 * (login hashes on a worker). */
#pragma once

#include "api/api.h"

enum api_result api_auth_login(struct app *app, const struct http_request *req,
                               struct http_response *resp);
enum api_result api_auth_logout(struct app *app, const struct http_request *req,
                                struct http_response *resp);
enum api_result api_auth_session(struct app *app, const struct http_request *req,
                                 struct http_response *resp);
