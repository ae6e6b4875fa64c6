/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_volumes: the storage volume endpoints (docs/api.md "Storage volumes"; rows
 * VOLUMES_LIST, VOLUME_CREATE, VOLUME_GET, VOLUME_DELETE, VOLUME_RESIZE, VOLUME_CLONE,
 * VOLUME_WIPE; the content rows are transfer/'s). Runs on workers with libvirt
 * (virt_volume.c); every volume object answered carries "upload_incomplete"
 * (store_uploads). */
#pragma once

#include "api/api_call.h"

extern const struct api_handler api_volumes_list;
extern const struct api_handler api_volumes_get;
/* Its check runs the pure XML builder (with stand-ins for what only the worker can
 * resolve), so bad input is a 400 before any job exists. */
extern const struct api_handler api_volumes_create;
extern const struct api_handler api_volumes_delete;
extern const struct api_handler api_volumes_resize;
extern const struct api_handler api_volumes_clone;
extern const struct api_handler api_volumes_wipe;
