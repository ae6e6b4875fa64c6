/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_domain_devices: a VM's disks, cdrom media, network interfaces and IP addresses
 * (docs/api.md "Disks and interfaces"; rows DOMAIN_ADDRESSES, DISK_*, MEDIA_*, NIC_*).
 * The checks parse a device request into its struct on the service thread, so bad
 * input never reaches a worker; the runs make the libvirt calls (virt_device.c). */
#pragma once

#include "api/api_call.h"

extern const struct api_handler api_domain_devices_addresses;
extern const struct api_handler api_domain_devices_disk_attach;
extern const struct api_handler api_domain_devices_disk_change;
extern const struct api_handler api_domain_devices_disk_detach;
/* Both media rows: a PUT inserts the body's volume, a DELETE ejects. */
extern const struct api_handler api_domain_devices_media;
extern const struct api_handler api_domain_devices_nic_attach;
extern const struct api_handler api_domain_devices_nic_change;
extern const struct api_handler api_domain_devices_nic_detach;
