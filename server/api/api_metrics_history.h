/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_metrics_history: GET /api/host/metrics (row HOST_METRICS) and GET
 * /api/domains/{uuid}/metrics (row DOMAIN_METRICS): the series of the metrics history
 * (metrics/metrics_history.h) over ?from=&to=&step= (unix seconds; defaults: the last
 * hour at the finest tier that still holds it). The check reads the arguments on the
 * service thread (pure); the run reads metrics.db on a worker, the domain's after one
 * libvirt lookup (a domain that does not exist, or is no longer defined, is 404). */
#pragma once

#include "api/api_call.h"

extern const struct api_handler api_metrics_host;
extern const struct api_handler api_metrics_domain;
