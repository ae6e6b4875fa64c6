/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_endpoint: the JSON API (/api/... routes without an endpoint of their own) as a
 * connection endpoint: the request, body complete, goes to api_handle(); an answer
 * given at once is queued, a job's answer comes later through conn_complete() (see
 * api_job.c). Its ctx (conn_server_options.api_ctx) is serve.c's struct api_services
 * (api.h). Service
 * thread only. */
#pragma once

#include "http/conn.h"

extern const struct conn_endpoint api_endpoint;
