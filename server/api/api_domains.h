/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_domains: GET /api/domains, GET /api/domains/{uuid}, the lifecycle actions
 * POST /api/domains/{uuid}/{start|shutdown|destroy|reboot|reset|suspend|resume} and
 * PUT /api/domains/{uuid}/metadata (title, description) (rows DOMAINS_LIST, DOMAIN_GET,
 * DOMAIN_<ACTION>, DOMAIN_METADATA). Runs on workers with libvirt. */
#pragma once

#include "api/api_call.h"

extern const struct api_handler api_domains_list;
extern const struct api_handler api_domains_get;
/* Every action row: the action is the path's {action}. */
extern const struct api_handler api_domains_act;
/* {"title"?, "description"?}: sets them (virt_domain_set_metadata), answers the detail. */
extern const struct api_handler api_domains_metadata;
/* POST /api/domains/{uuid}/template {"template": bool}: marks or unmarks a shut-off
 * persistent domain as a template (virt_domain_template.h); answers the detail. */
extern const struct api_handler api_domains_template;
