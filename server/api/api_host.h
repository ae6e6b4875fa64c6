/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_host: GET /api/host (row HOST) and GET /api/host/capabilities (row
 * HOST_CAPABILITIES). Their runs are libvirt calls on a worker. */
#pragma once

#include "api/api_call.h"

extern const struct api_handler api_host_get;
extern const struct api_handler api_host_capabilities;
