/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_networks: the virtual network endpoints (docs/api.md "Networks"; rows NETWORKS_LIST,
 * NETWORK_CREATE, NETWORK_GET, NETWORK_DELETE, NETWORK_LEASES, NETWORK_START,
 * NETWORK_STOP, NETWORK_AUTOSTART). Runs on workers with libvirt (virt_network.c). */
#pragma once

#include "api/api_call.h"

extern const struct api_handler api_networks_list;
extern const struct api_handler api_networks_get;
extern const struct api_handler api_networks_leases;
/* Its check builds the whole network XML (the pure virt_network_xml_build), so a bad
 * request is a 400 before any job exists. */
extern const struct api_handler api_networks_create;
/* start and stop: the action is the path's {action}. */
extern const struct api_handler api_networks_act;
/* {"enabled": bool}; recorded as network-autostart-on or -off. */
extern const struct api_handler api_networks_autostart;
/* ?force=true deletes a network running VMs use; recorded as network-delete[-force]. */
extern const struct api_handler api_networks_delete;
