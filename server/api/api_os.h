/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_os: GET /api/os (row OS_LIST), the OS variants of the osinfo database for the
 * create wizard. check runs on the service thread, run on a worker (no libvirt). */
#pragma once

#include "api/api_call.h"

/* Bounds of ?limit= (how many entries one answer holds) and of ?q=. */
#define API_OS_LIMIT_DEFAULT 100
#define API_OS_LIMIT_MAX     1000
#define API_OS_QUERY_MAX     64

extern const struct api_handler api_os_list;
