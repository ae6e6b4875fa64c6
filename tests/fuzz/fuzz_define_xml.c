/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_define_xml: libFuzzer target for virt_define_xml_check
 * (server/virt/virt_define_xml.h), the check a raw domain definition from an admin
 * passes before libvirt sees it. Runs on libFuzzer's thread; no state.
 *
 * Input: the XML (bytes up to the first NUL). Invariants beyond "no crash": the answer
 * is 0 or -1; a refusal is a 400 bad_request (413 payload_too_large over the bound) at
 * field "xml" with a message; an accepted document parses with libxml2, its root is
 * <domain>, and its first <name> and <uuid> are exactly the expected ones (the <uuid>
 * in any case). */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz_input.h"
#include "virt/virt_define_xml.h"

#define FUZZ_DEFINE_NAME "vdtest-fuzz"
#define FUZZ_DEFINE_UUID "5eed0000-0000-4000-8000-0000000000f1"

/* The text of the first child element of root named name (in no namespace, as the
 * XPath /domain/name selects), or NULL (free with xmlFree). */
static xmlChar *fuzz_define_child_text(xmlNodePtr root, const char *name)
{
    for (xmlNodePtr n = root->children; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && !n->ns && !strcmp((const char *)n->name, name))
            return xmlNodeGetContent(n);
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *xml = fuzz_input_cstr(data, size);
    struct app_error err;
    xmlDocPtr doc;
    xmlChar *name, *uuid;
    int r;

    app_error_clear(&err);
    r = virt_define_xml_check(xml, strlen(xml), FUZZ_DEFINE_NAME, FUZZ_DEFINE_UUID, &err);
    FUZZ_ASSERT(r == 0 || r == -1);
    if (r < 0) {
        FUZZ_ASSERT(err.status == 400 || err.status == 413);
        FUZZ_ASSERT(err.message[0] && strcmp(err.field, "xml") == 0);
        free(xml);
        return 0;
    }
    doc = xmlReadMemory(xml, (int)strlen(xml), "fuzz.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    FUZZ_ASSERT(doc && xmlDocGetRootElement(doc));
    FUZZ_ASSERT(!strcmp((const char *)xmlDocGetRootElement(doc)->name, "domain"));
    name = fuzz_define_child_text(xmlDocGetRootElement(doc), "name");
    uuid = fuzz_define_child_text(xmlDocGetRootElement(doc), "uuid");
    FUZZ_ASSERT(name && !strcmp((const char *)name, FUZZ_DEFINE_NAME));
    FUZZ_ASSERT(uuid && !strcasecmp((const char *)uuid, FUZZ_DEFINE_UUID));
    xmlFree(name);
    xmlFree(uuid);
    xmlFreeDoc(doc);
    free(xml);
    return 0;
}
