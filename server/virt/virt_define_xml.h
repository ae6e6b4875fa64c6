/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_define_xml: the checks a raw domain definition (PUT /api/domains/{uuid}/xml)
 * passes before it goes to libvirt: well-formed XML rooted at <domain> that names the
 * same domain (its <name> and <uuid>) as the one it replaces. Renaming or giving a
 * domain another UUID are separate operations (they would leave a second definition
 * behind), so raw XML may not do either. libvirt's own schema validation
 * (VIR_DOMAIN_DEFINE_VALIDATE) comes after these, in virt_domain_define.c.
 *
 * Pure (libxml2 through virt_xml, no libvirt), any thread; fuzzed. */
#pragma once

#include <stddef.h>

#include "util/app_error.h"

/* The largest definition accepted, in bytes: the daemon's request body bound. */
#define VIRT_DEFINE_XML_MAX (60 * 1024)

/* Checks that xml (len bytes, no NUL inside) is a well-formed domain definition whose
 * <name> is name and whose <uuid> is uuid (compared case-insensitively; a definition
 * without <uuid> would get a new one, so it is refused too). Returns 0, or -1 with err
 * a 400 (413 over VIRT_DEFINE_XML_MAX) at field "xml". */
int virt_define_xml_check(const char *xml, size_t len, const char *name, const char *uuid,
                          struct app_error *err) __attribute__((warn_unused_result));
