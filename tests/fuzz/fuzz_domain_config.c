/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_domain_config: libFuzzer target for the PATCH body checks and the definition
 * editor of server/virt/virt_domain_config.h (the body comes straight from API
 * clients). Runs on libFuzzer's thread; no state between runs.
 *
 * Input: one selector byte (% 2: which domain definition is edited: a full one with a
 * VNC display, a topology and devices, or a bare one), then a JSON body. Invariants
 * beyond "no crash": a refusal is a 400 with a message and, for a non-empty body, a
 * field; an accepted body edits a definition that re-parses, holds no element outside
 * the original's and the few the members add (no injection), and reads back (with
 * virt_domain_config_read) to exactly the values the body named. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "fuzz_input.h"
#include "fuzz_xml.h"
#include "virt/virt_domain_config.h"
#include "virt/virt_tuning_xml.h"
#include "virt/virt_xml.h"

static const char *const fuzz_config_domains[] = {
    "<domain type='kvm'><name>f</name><title>t</title><memory unit='KiB'>4194304</memory>"
    "<currentMemory unit='KiB'>2097152</currentMemory><vcpu current='2'>4</vcpu>"
    "<os><type>hvm</type><loader type='pflash'>/x.fd</loader><boot dev='hd'/></os>"
    "<cpu mode='custom' match='exact'><model>EPYC</model>"
    "<topology sockets='1' dies='1' cores='2' threads='2'/><feature policy='require' "
    "name='x2apic'/></cpu><devices><graphics type='vnc' passwd='p' keymap='de'/>"
    "<video><model type='vga' vram='16384'/></video><video><model type='qxl'/></video>"
    "<watchdog model='itco'/><rng model='virtio'><backend model='random'>/dev/urandom"
    "</backend></rng></devices></domain>",
    "<domain type='kvm'><name>g</name><memory>1048576</memory><vcpu>1</vcpu></domain>",
};

/* Elements a member may add to a definition. */
static const char *const fuzz_config_added[] = {
    "title",    "description", "vcpu",    "memory", "currentMemory", "cpu",
    "model",    "topology",    "os",      "boot",   "bootmenu",      "devices",
    "watchdog", "rng",         "backend", "tpm",    "video",         NULL};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    virt_xml_init();
    return 0;
}

static bool fuzz_in(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(name, *list))
            return true;
    return false;
}

/* True when an element named name is somewhere under node. */
static bool fuzz_has_element(xmlNodePtr node, const char *name)
{
    for (xmlNodePtr n = node; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE &&
            (!strcmp((const char *)n->name, name) || fuzz_has_element(n->children, name)))
            return true;
    return false;
}

/* Every element under node is in the original document or one a member adds. */
static void fuzz_no_new_elements(xmlNodePtr node, xmlNodePtr original)
{
    for (xmlNodePtr n = node; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        FUZZ_ASSERT(fuzz_in((const char *)n->name, fuzz_config_added) ||
                    fuzz_has_element(original, (const char *)n->name));
        fuzz_no_new_elements(n->children, original);
    }
}

/* The body's member key reads back as asked (objects: member by member, with the
 * defaults the editor writes). */
static void fuzz_read_back(struct json_object *config, const char *key, struct json_object *want)
{
    struct json_object *got = json_object_object_get(config, key);

    /* name and autostart are not in the XML; tuning members are checked, applied and read
     * by virt_tuning_xml (fuzz_tuning_xml), not by this editor */
    if (!strcmp(key, "name") || !strcmp(key, "autostart") || virt_tuning_member(key))
        return;
    if (!strcmp(key, "rng") || !want || json_object_is_type(want, json_type_int) ||
        json_object_is_type(want, json_type_string) || !strcmp(key, "boot")) {
        if (!strcmp(key, "boot")) {
            json_object_object_foreach(want, k, v)
            {
                FUZZ_ASSERT(json_object_equal(json_object_object_get(got, k), v));
            }
            return;
        }
        FUZZ_ASSERT(json_object_equal(got, want));
        return;
    }
    json_object_object_foreach(want, k, v)
    {
        struct json_object *g = json_object_object_get(got, k);

        if (!strcmp(key, "cpu") && !strcmp(k, "topology") && v) {
            json_object_object_foreach(v, part, n)
            {
                FUZZ_ASSERT(json_object_equal(json_object_object_get(g, part), n));
            }
            continue;
        }
        FUZZ_ASSERT(json_object_equal(g, v));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_object *patch = NULL, *config = NULL;
    xmlDocPtr doc = NULL, original = NULL, again = NULL;
    struct app_error err;
    char *xml = NULL;

    if (size < 1)
        return 0;
    patch = fuzz_xml_request(data + 1, size - 1);
    if (!patch)
        return 0;
    app_error_clear(&err);
    doc = virt_xml_read(fuzz_config_domains[data[0] % 2], "domain", &err);
    original = virt_xml_read(fuzz_config_domains[data[0] % 2], "domain", &err);
    FUZZ_ASSERT(doc && original);
    if (virt_domain_config_check(patch, xmlDocGetRootElement(doc), &err) < 0) {
        fuzz_xml_refused(&err, NULL);
        /* (a member named "" is refused at field "") */
        FUZZ_ASSERT(!json_object_object_length(patch) || err.field[0] ||
                    json_object_object_get_ex(patch, "", NULL));
        goto cleanup;
    }
    virt_domain_config_apply(xmlDocGetRootElement(doc), patch);
    xml = virt_xml_doc_string(doc, false);
    again = fuzz_xml_read(xml);
    fuzz_no_new_elements(xmlDocGetRootElement(again), xmlDocGetRootElement(original));
    config = json_object_new_object();
    virt_domain_config_read(xmlDocGetRootElement(again), true, config);
    json_object_object_foreach(patch, key, value)
    {
        fuzz_read_back(config, key, value);
    }

cleanup:
    free(xml);
    json_object_put(config);
    json_object_put(patch);
    xmlFreeDoc(again);
    xmlFreeDoc(original);
    xmlFreeDoc(doc);
    return 0;
}
