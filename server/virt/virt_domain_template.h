/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_domain_template: marking a shut-off persistent domain as a template, a label kept
 * in the domain's own XML as virtdeck metadata (docs/api.md "Templates"):
 *
 *   <metadata><virtdeck:template xmlns:virtdeck="https://virtdeck.example/xmlns/template/1"/>
 *
 * so it survives daemon restarts and other tools (virsh metadata) see it. A template may
 * not be started (virt_domain_act refuses "start" with 409 APP_ERR_TEMPLATE).
 *
 * Blocking libvirt calls: worker threads only. */
#pragma once

#include <libvirt/libvirt.h>
#include <stdbool.h>

#include "util/app_error.h"

/* The namespace URI and prefix of virtdeck's template element. */
#define VIRT_DOMAIN_TEMPLATE_NS     "https://virtdeck.example/xmlns/template/1"
#define VIRT_DOMAIN_TEMPLATE_PREFIX "virtdeck"
/* An XPath (no namespace registration needed) that is true on a domain XML holding it. */
#define VIRT_DOMAIN_TEMPLATE_XPATH                                                                 \
    "boolean(/domain/metadata/*[local-name()='template' and "                                      \
    "namespace-uri()='" VIRT_DOMAIN_TEMPLATE_NS "'])"

/* Pure: the metadata fragment virDomainSetMetadata is given (built with libxml2; libvirt
 * puts it in VIRT_DOMAIN_TEMPLATE_NS). A new string the caller frees. */
char *virt_domain_template_fragment(void);

/* Whether dom's persistent definition (its live one for a transient domain) is marked.
 * Returns 0 with *marked set, or -1 with err set. */
int virt_domain_template_get(virDomainPtr dom, bool *marked, struct app_error *err)
    __attribute__((warn_unused_result));

/* Marks (on) or unmarks dom in its persistent definition. A running (or paused) domain
 * is 409, a transient one 409 (it has no definition to keep the mark). Forgets the
 * domain's summary cache entry. Returns 0 or -1 with err set. */
int virt_domain_template_set(virDomainPtr dom, bool on, struct app_error *err)
    __attribute__((warn_unused_result));
