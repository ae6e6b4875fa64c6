/* api_host: GET /api/host (row HOST). Its run is a libvirt call on a worker. */
#pragma once

#include "api/api_call.h"

extern const struct api_handler api_host_get;
