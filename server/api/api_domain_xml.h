/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_domain_xml: GET /api/domains/{uuid}/xml (row DOMAIN_XML_GET) and
 * PUT /api/domains/{uuid}/xml (row DOMAIN_XML_PUT), admins only; see
 * virt_domain_define.h. The work runs on a worker. */
#pragma once

#include "api/api_call.h"

/* ?inactive=true for the persistent definition: answers {"xml","inactive"}. */
extern const struct api_handler api_domain_xml_get;
/* {"xml": string}: answers {"xml": the new persistent definition, "next_boot"}. */
extern const struct api_handler api_domain_xml_put;
