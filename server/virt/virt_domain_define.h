/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_domain_define: a domain's raw XML, read and replaced (GET and PUT
 * /api/domains/{uuid}/xml, admins only: the XML holds secrets such as VNC passwords,
 * and a definition can reach anything on the host).
 *
 * Blocking libvirt calls: worker threads only. */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>

#include "util/app_error.h"

/* {"xml": the domain's XML with its secrets (VIR_DOMAIN_XML_SECURE), "inactive": bool}:
 * the persistent definition when inactive, else the live one (the definition when the
 * domain is off). NULL with err set on failure. */
struct json_object *virt_domain_define_get(virDomainPtr dom, bool inactive, struct app_error *err);

/* Replaces dom's persistent definition with xml (checked by virt_define_xml_check:
 * same name and UUID), validated against libvirt's schema
 * (VIR_DOMAIN_DEFINE_VALIDATE). Answers {"xml": the new persistent definition,
 * "next_boot": true when the domain runs, so the change waits for its next boot}.
 * NULL with err set: 400 at field "xml" for XML libvirt refuses (its message names the
 * element), else as virt_error.h maps it. */
struct json_object *virt_domain_define_replace(virDomainPtr dom, const char *xml,
                                               struct app_error *err);
