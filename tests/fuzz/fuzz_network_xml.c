/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_network_xml: libFuzzer target for virt_network_xml_build
 * (server/virt/virt_network_xml.h), which turns a create-network request from a user
 * into the XML libvirt defines. Runs on libFuzzer's thread; no state between runs.
 *
 * Input: a JSON document (bytes up to the first NUL), parsed like a request body with a
 * nesting limit; anything but an object is skipped. Invariants beyond "no crash":
 * - on failure: a 400 bad_request with a message, and no XML;
 * - on success: the XML parses, and holds ONLY what the request asked for: <network>
 *   with exactly one <name> (the request's name); <forward mode=M [dev=D]> exactly when
 *   the mode is not isolated; <bridge name>, <mtu size>, <domain name> exactly when
 *   those fields were given; one <ip family address prefix> per given family; <dhcp>
 *   inside it exactly when a DHCP range or static hosts were given, holding one <range
 *   start end> when the range was given and one <host [mac] [name] ip> per given host,
 *   in order. Every attribute value equals the request's value; no other element,
 *   attribute, namespace, comment or non-blank text appears;
 * - the reader (virt_network_xml_to_json) reads the same values back. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "fuzz_input.h"
#include "fuzz_xml.h"
#include "virt/virt_network_xml.h"

#define FUZZ_NET_MAX_DEPTH 8

struct fuzz_attr {
    const char *name;
    const char *value; /* NULL: must be absent */
};

/* A non-null member, or NULL. */
static struct json_object *fuzz_net_member(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;

    if (!obj || !json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null))
        return NULL;
    return v;
}

static const char *fuzz_net_str(struct json_object *obj, const char *key)
{
    struct json_object *v = fuzz_net_member(obj, key);

    return v ? json_object_get_string(v) : NULL;
}

/* The member as text the way the builder writes numbers ("%d"); NULL if absent. */
static const char *fuzz_net_num(struct json_object *obj, const char *key, char *buf, size_t len)
{
    struct json_object *v = fuzz_net_member(obj, key);

    if (!v)
        return NULL;
    FUZZ_ASSERT(json_object_is_type(v, json_type_int));
    snprintf(buf, len, "%lld", (long long)json_object_get_int64(v));
    return buf;
}

static bool fuzz_net_is(xmlNodePtr node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && !strcmp((const char *)node->name, name);
}

/* node has exactly the attributes of want whose value is not NULL, with those values. */
static void fuzz_net_attrs(xmlNodePtr node, const struct fuzz_attr *want, size_t n)
{
    size_t expected = 0, seen = 0;

    FUZZ_ASSERT(node->ns == NULL && node->nsDef == NULL);
    for (size_t i = 0; i < n; i++)
        expected += want[i].value != NULL;
    for (xmlAttrPtr a = node->properties; a; a = a->next) {
        const struct fuzz_attr *match = NULL;
        xmlChar *value;

        FUZZ_ASSERT(a->ns == NULL);
        for (size_t i = 0; i < n && !match; i++)
            if (want[i].value && !strcmp((const char *)a->name, want[i].name))
                match = &want[i];
        FUZZ_ASSERT(match != NULL);
        value = xmlGetProp(node, a->name);
        FUZZ_ASSERT(value && !strcmp((const char *)value, match->value));
        xmlFree(value);
        seen++;
    }
    FUZZ_ASSERT(seen == expected);
}

/* A child that is not an element must be blank text (formatting). */
static bool fuzz_net_skip(xmlNodePtr node)
{
    if (node->type == XML_ELEMENT_NODE)
        return false;
    FUZZ_ASSERT(node->type == XML_TEXT_NODE);
    for (const xmlChar *c = node->content; c && *c; c++)
        FUZZ_ASSERT(*c == ' ' || *c == '\n' || *c == '\t' || *c == '\r');
    return true;
}

/* An element with no element or text children. */
static void fuzz_net_empty(xmlNodePtr node)
{
    for (xmlNodePtr c = node->children; c; c = c->next)
        FUZZ_ASSERT(fuzz_net_skip(c));
}

static void fuzz_net_check_dhcp(xmlNodePtr dhcp, struct json_object *ip)
{
    struct json_object *hosts = fuzz_net_member(ip, "hosts");
    size_t nhosts = hosts ? json_object_array_length(hosts) : 0, host = 0;
    bool range = false;

    fuzz_net_attrs(dhcp, NULL, 0);
    for (xmlNodePtr c = dhcp->children; c; c = c->next) {
        if (fuzz_net_skip(c))
            continue;
        if (fuzz_net_is(c, "range")) {
            struct fuzz_attr want[] = {{"start", fuzz_net_str(ip, "dhcp_start")},
                                       {"end", fuzz_net_str(ip, "dhcp_end")}};

            FUZZ_ASSERT(!range && want[0].value && want[1].value);
            range = true;
            fuzz_net_attrs(c, want, 2);
        } else {
            struct json_object *h;

            FUZZ_ASSERT(fuzz_net_is(c, "host") && host < nhosts);
            h = json_object_array_get_idx(hosts, host++);
            struct fuzz_attr want[] = {{"mac", fuzz_net_str(h, "mac")},
                                       {"name", fuzz_net_str(h, "name")},
                                       {"ip", fuzz_net_str(h, "ip")}};
            FUZZ_ASSERT(want[2].value != NULL);
            fuzz_net_attrs(c, want, 3);
        }
        fuzz_net_empty(c);
    }
    FUZZ_ASSERT(range == (fuzz_net_member(ip, "dhcp_start") != NULL));
    FUZZ_ASSERT(host == nhosts);
}

static void fuzz_net_check_ip(xmlNodePtr node, struct json_object *req, bool seen[2])
{
    xmlChar *family = xmlGetProp(node, (const xmlChar *)"family");
    int fam;
    struct json_object *ip;
    struct json_object *hosts;
    char prefix[32];
    bool dhcp = false;

    FUZZ_ASSERT(family != NULL);
    fam = !strcmp((const char *)family, "ipv6");
    FUZZ_ASSERT(fam || !strcmp((const char *)family, "ipv4"));
    FUZZ_ASSERT(!seen[fam]);
    seen[fam] = true;
    ip = fuzz_net_member(req, fam ? "ipv6" : "ipv4");
    FUZZ_ASSERT(ip != NULL);
    struct fuzz_attr want[] = {{"family", fam ? "ipv6" : "ipv4"},
                               {"address", fuzz_net_str(ip, "address")},
                               {"prefix", fuzz_net_num(ip, "prefix", prefix, sizeof(prefix))}};
    FUZZ_ASSERT(want[1].value && want[2].value);
    fuzz_net_attrs(node, want, 3);
    xmlFree(family);
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (fuzz_net_skip(c))
            continue;
        FUZZ_ASSERT(fuzz_net_is(c, "dhcp") && !dhcp);
        dhcp = true;
        fuzz_net_check_dhcp(c, ip);
    }
    hosts = fuzz_net_member(ip, "hosts");
    FUZZ_ASSERT(dhcp == (fuzz_net_member(ip, "dhcp_start") != NULL ||
                         (hosts && json_object_array_length(hosts) > 0)));
}

static void fuzz_net_check_doc(const char *xml, struct json_object *req)
{
    xmlDocPtr doc = fuzz_xml_read(xml);
    xmlNodePtr root;
    const char *mode = fuzz_net_str(req, "mode");
    char mtu[32];
    bool seen_ip[2] = {false, false};
    int names = 0, forwards = 0, bridges = 0, mtus = 0, domains = 0;

    root = xmlDocGetRootElement(doc);
    FUZZ_ASSERT(root && fuzz_net_is(root, "network"));
    fuzz_net_attrs(root, NULL, 0);
    for (xmlNodePtr c = root->children; c; c = c->next) {
        if (fuzz_net_skip(c))
            continue;
        if (fuzz_net_is(c, "name")) {
            xmlChar *text = xmlNodeGetContent(c);

            names++;
            fuzz_net_attrs(c, NULL, 0);
            FUZZ_ASSERT(c->children && !c->children->next && c->children->type == XML_TEXT_NODE);
            FUZZ_ASSERT(text && !strcmp((const char *)text, fuzz_net_str(req, "name")));
            xmlFree(text);
            continue;
        }
        if (fuzz_net_is(c, "forward")) {
            struct fuzz_attr want[] = {{"mode", mode}, {"dev", fuzz_net_str(req, "forward_dev")}};

            forwards++;
            fuzz_net_attrs(c, want, 2);
        } else if (fuzz_net_is(c, "bridge")) {
            struct fuzz_attr want[] = {{"name", fuzz_net_str(req, "bridge")}};

            bridges++;
            FUZZ_ASSERT(want[0].value != NULL);
            fuzz_net_attrs(c, want, 1);
        } else if (fuzz_net_is(c, "mtu")) {
            struct fuzz_attr want[] = {{"size", fuzz_net_num(req, "mtu", mtu, sizeof(mtu))}};

            mtus++;
            FUZZ_ASSERT(want[0].value != NULL);
            fuzz_net_attrs(c, want, 1);
        } else if (fuzz_net_is(c, "domain")) {
            struct fuzz_attr want[] = {{"name", fuzz_net_str(req, "domain")}};

            domains++;
            FUZZ_ASSERT(want[0].value != NULL);
            fuzz_net_attrs(c, want, 1);
        } else {
            FUZZ_ASSERT(fuzz_net_is(c, "ip"));
            fuzz_net_check_ip(c, req, seen_ip);
            continue;
        }
        fuzz_net_empty(c);
    }
    FUZZ_ASSERT(names == 1);
    FUZZ_ASSERT(forwards == (strcmp(mode, "isolated") != 0));
    FUZZ_ASSERT(bridges == (fuzz_net_member(req, "bridge") != NULL));
    FUZZ_ASSERT(mtus == (fuzz_net_member(req, "mtu") != NULL));
    FUZZ_ASSERT(domains == (fuzz_net_member(req, "domain") != NULL));
    FUZZ_ASSERT(seen_ip[0] == (fuzz_net_member(req, "ipv4") != NULL));
    FUZZ_ASSERT(seen_ip[1] == (fuzz_net_member(req, "ipv6") != NULL));
    xmlFreeDoc(doc);
}

static void fuzz_net_same(struct json_object *read, const char *key, const char *want)
{
    struct json_object *v = fuzz_net_member(read, key);

    if (!want)
        FUZZ_ASSERT(v == NULL);
    else
        FUZZ_ASSERT(v && !strcmp(json_object_get_string(v), want));
}

/* The reader gives back what was asked for. */
static void fuzz_net_check_read(const char *xml, struct json_object *req)
{
    struct json_object *read = json_object_new_object();
    struct app_error err;
    char num[32];

    app_error_clear(&err);
    FUZZ_ASSERT(virt_network_xml_to_json(xml, read, &err) == 0);
    fuzz_net_same(read, "name", fuzz_net_str(req, "name"));
    fuzz_net_same(read, "mode", fuzz_net_str(req, "mode"));
    fuzz_net_same(read, "bridge", fuzz_net_str(req, "bridge"));
    fuzz_net_same(read, "forward_dev", fuzz_net_str(req, "forward_dev"));
    fuzz_net_same(read, "domain", fuzz_net_str(req, "domain"));
    fuzz_net_same(read, "mtu", fuzz_net_num(req, "mtu", num, sizeof(num)));
    for (int fam = 0; fam < 2; fam++) {
        const char *key = fam ? "ipv6" : "ipv4";
        struct json_object *want = fuzz_net_member(req, key), *got = fuzz_net_member(read, key);
        struct json_object *wh, *gh = fuzz_net_member(got, "hosts");

        FUZZ_ASSERT((want == NULL) == (got == NULL));
        if (!want)
            continue;
        fuzz_net_same(got, "address", fuzz_net_str(want, "address"));
        fuzz_net_same(got, "prefix", fuzz_net_num(want, "prefix", num, sizeof(num)));
        fuzz_net_same(got, "dhcp_start", fuzz_net_str(want, "dhcp_start"));
        fuzz_net_same(got, "dhcp_end", fuzz_net_str(want, "dhcp_end"));
        wh = fuzz_net_member(want, "hosts");
        FUZZ_ASSERT(gh && json_object_array_length(gh) == (wh ? json_object_array_length(wh) : 0));
        for (size_t i = 0; i < json_object_array_length(gh); i++) {
            struct json_object *w = json_object_array_get_idx(wh, i);
            struct json_object *g = json_object_array_get_idx(gh, i);

            fuzz_net_same(g, "mac", fuzz_net_str(w, "mac"));
            fuzz_net_same(g, "ip", fuzz_net_str(w, "ip"));
            fuzz_net_same(g, "name", fuzz_net_str(w, "name"));
        }
    }
    json_object_put(read);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_input_cstr(data, size);
    struct json_tokener *tok = json_tokener_new_ex(FUZZ_NET_MAX_DEPTH);
    struct json_object *req;
    struct app_error err;
    char *xml = (char *)"unset";

    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    req = json_tokener_parse_ex(tok, text, (int)strlen(text));
    if (!req || json_tokener_get_error(tok) != json_tokener_success ||
        !json_object_is_type(req, json_type_object))
        goto cleanup;
    app_error_clear(&err);
    if (virt_network_xml_build(req, &xml, &err) < 0) {
        fuzz_xml_refused(&err, xml);
        goto cleanup;
    }
    FUZZ_ASSERT(xml != NULL);
    fuzz_net_check_doc(xml, req);
    fuzz_net_check_read(xml, req);
    free(xml);

cleanup:
    json_object_put(req);
    json_tokener_free(tok);
    free(text);
    return 0;
}
