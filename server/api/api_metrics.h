/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_metrics: GET /metrics, the Prometheus scrape (route_table.def row METRICS).
 *
 * Who sees what: the scrape token (config metrics_token; the connection layer compared it
 * and set http_request.scrape) sees every VM and the host and daemon families; a session
 * or API token sees the VMs its user may see (auth_owners_sees, as the domain list), and
 * the host, pool, network and daemon families only if its role may read the host
 * (auth_policy). The check runs on the service thread (it reads the daemon's health
 * figures there); the rendering (metrics_expo) runs on a worker. */
#pragma once

#include "api/api_call.h"

extern const struct api_handler api_metrics_get;
