/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_pools: the storage pool endpoints (docs/api.md "Storage pools"; rows POOLS_LIST,
 * POOL_CREATE, POOL_GET, POOL_DELETE, POOL_START, POOL_STOP, POOL_REFRESH,
 * POOL_AUTOSTART). Runs on workers with libvirt (virt_pool.c). */
#pragma once

#include "api/api_call.h"

extern const struct api_handler api_pools_list;
extern const struct api_handler api_pools_get;
/* Its check runs the pure XML builder, so bad input is a 400 before any job exists. */
extern const struct api_handler api_pools_create;
/* start, stop, refresh, autostart ({"enabled": bool}): the path's {action}. */
extern const struct api_handler api_pools_act;
extern const struct api_handler api_pools_delete;
