/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_define_xml: checks a raw domain definition names the domain it replaces (see
 * virt_define_xml.h). Pure, any thread. */
#include "virt/virt_define_xml.h"

#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "virt/virt_xml.h"

int virt_define_xml_check(const char *xml, size_t len, const char *name, const char *uuid,
                          struct app_error *err)
{
    int ret = -1;
    xmlDocPtr doc = NULL;
    xmlXPathContextPtr ctx = NULL;
    char *got_name = NULL, *got_uuid = NULL;

    if (len > VIRT_DEFINE_XML_MAX) {
        app_error_set(err, 413, APP_ERR_TOO_LARGE, "the domain XML is over %d bytes",
                      VIRT_DEFINE_XML_MAX);
        app_error_at_range(err, "", "xml", 1, VIRT_DEFINE_XML_MAX);
        goto cleanup;
    }
    if (!xml || len == 0 || memchr(xml, '\0', len)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the domain XML is empty or holds a NUL");
        app_error_at_field(err, "", "xml");
        goto cleanup;
    }
    if (!(doc = virt_xml_read(xml, "domain", err))) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "the domain XML is not well-formed or its root is not <domain>");
        app_error_at_field(err, "", "xml");
        goto cleanup;
    }
    ctx = virt_xml_xpath_new(doc);
    got_name = virt_xml_xpath_string(ctx, NULL, "string(/domain/name)");
    got_uuid = virt_xml_xpath_string(ctx, NULL, "string(/domain/uuid)");
    if (!got_name || strcmp(got_name, name)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "the domain XML must keep <name>%s</name>: rename the domain instead", name);
        app_error_at_field(err, "", "xml");
        goto cleanup;
    }
    if (!got_uuid || strcasecmp(got_uuid, uuid)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "the domain XML must keep <uuid>%s</uuid>: a UUID cannot change", uuid);
        app_error_at_field(err, "", "xml");
        goto cleanup;
    }
    ret = 0;

cleanup:
    free(got_name);
    free(got_uuid);
    if (ctx)
        xmlXPathFreeContext(ctx);
    if (doc)
        xmlFreeDoc(doc);
    return ret;
}
