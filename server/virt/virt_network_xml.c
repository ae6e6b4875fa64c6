/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_network_xml: create request → network XML (validated), network XML → JSON.
 *
 * Pure; any thread. Invariants of the builder: it refuses before it builds (nothing
 * is emitted for a request that fails any check), every element and attribute it
 * emits comes from one request field, and values are copied verbatim after being
 * checked against a character set that needs no escaping (libxml2 escapes anyway).
 * The reader parses without network access, entity substitution or error output. */
#include "virt/virt_network_xml.h"

#include <arpa/inet.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/hex.h"
#include "util/xalloc.h"
#include "virt/virt_xml.h"

#define NETXML_IFNAME_MAX   15 /* IFNAMSIZ - 1 */
#define NETXML_HOSTNAME_MAX 63
#define NETXML_DOMAIN_MAX   253
#define NETXML_ADDR_MAX     64 /* longer than any textual IPv6 address */
#define NETXML_MTU_MIN      68
#define NETXML_MTU_MAX      65535

/* ---- character-level validators ----------------------------------------------- */

static bool netxml_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* [A-Za-z0-9][A-Za-z0-9<extra>]{0,max-1} */
static bool netxml_token_valid(const char *s, size_t max, const char *extra)
{
    size_t n;

    if (!s || !netxml_alnum(s[0]))
        return false;
    for (n = 1; s[n]; n++)
        if (n >= max || (!netxml_alnum(s[n]) && !strchr(extra, s[n])))
            return false;
    return true;
}

bool virt_network_xml_name_valid(const char *name)
{
    return netxml_token_valid(name, VIRT_NETWORK_NAME_MAX, "_.-");
}

/* A host interface name as Linux accepts it, restricted to a safe set. */
static bool netxml_ifname_valid(const char *s)
{
    return netxml_token_valid(s, NETXML_IFNAME_MAX, "_.-");
}

/* One DNS label: 1..63 of [A-Za-z0-9-], not starting or ending with '-'. */
static bool netxml_label_valid(const char *s, size_t len)
{
    if (len == 0 || len > NETXML_HOSTNAME_MAX || s[0] == '-' || s[len - 1] == '-')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!netxml_alnum(s[i]) && s[i] != '-')
            return false;
    return true;
}

static bool netxml_hostname_valid(const char *s)
{
    return s && netxml_alnum(s[0]) && netxml_label_valid(s, strlen(s));
}

static bool netxml_domain_valid(const char *s)
{
    size_t len = s ? strlen(s) : 0;
    const char *p = s;

    if (len == 0 || len > NETXML_DOMAIN_MAX)
        return false;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);

        if (!netxml_label_valid(p, n))
            return false;
        if (!dot)
            return true;
        p = dot + 1;
    }
}

/* xx:xx:xx:xx:xx:xx, hex, unicast (bit 0 of the first octet clear), not all zero. */
static bool netxml_mac_valid(const char *s)
{
    unsigned any = 0;

    if (!s || strlen(s) != 17)
        return false;
    for (size_t i = 0; i < 17; i++) {
        if (i % 3 == 2) {
            if (s[i] != ':')
                return false;
        } else if (hex_digit_value(s[i]) < 0) {
            return false;
        } else {
            any |= (unsigned)hex_digit_value(s[i]);
        }
    }
    return any != 0 && (hex_digit_value(s[1]) & 1) == 0;
}

/* ---- addresses ------------------------------------------------------------------- */

struct netxml_addr {
    int family;    /* AF_INET or AF_INET6 */
    unsigned bits; /* 32 or 128 */
    unsigned char b[16];
};

static int netxml_addr_parse(const char *s, int family, struct netxml_addr *out)
{
    memset(out, 0, sizeof(*out));
    out->family = family;
    out->bits = family == AF_INET ? 32 : 128;
    return inet_pton(family, s, out->b) == 1 ? 0 : -1;
}

static unsigned netxml_bit(const struct netxml_addr *a, unsigned i)
{
    return (a->b[i / 8] >> (7 - i % 8)) & 1u;
}

/* True if a and b agree on their first prefix bits. */
static bool netxml_same_subnet(const struct netxml_addr *a, const struct netxml_addr *b,
                               unsigned prefix)
{
    for (unsigned i = 0; i < prefix; i++)
        if (netxml_bit(a, i) != netxml_bit(b, i))
            return false;
    return true;
}

/* True if every host bit (after prefix) of a equals value. */
static bool netxml_host_bits_all(const struct netxml_addr *a, unsigned prefix, unsigned value)
{
    for (unsigned i = prefix; i < a->bits; i++)
        if (netxml_bit(a, i) != value)
            return false;
    return true;
}

static int netxml_addr_cmp(const struct netxml_addr *a, const struct netxml_addr *b)
{
    return memcmp(a->b, b->b, a->bits / 8);
}

/* The subnet's own address (host bits 0) or, for IPv4, its broadcast (host bits 1). */
static bool netxml_addr_reserved(const struct netxml_addr *a, unsigned prefix)
{
    return netxml_host_bits_all(a, prefix, 0) ||
           (a->family == AF_INET && netxml_host_bits_all(a, prefix, 1));
}

/* Unicast and usable on a bridge: not unspecified, loopback, multicast or reserved. */
static bool netxml_addr_unicast(const struct netxml_addr *a)
{
    static const unsigned char v6_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const unsigned char zero[16] = {0};

    if (a->family == AF_INET)
        return a->b[0] != 0 && a->b[0] != 127 && a->b[0] < 224;
    return memcmp(a->b, zero, 16) != 0 && memcmp(a->b, v6_loopback, 16) != 0 && a->b[0] != 0xff;
}

/* ---- JSON access with messages ------------------------------------------------ */

/* Refuses any key of obj not in allowed (NULL-terminated). where: "" or "ipv4." */
static int netxml_check_keys(struct json_object *obj, const char *const *allowed, const char *where,
                             struct app_error *err)
{
    json_object_object_foreach(obj, key, value)
    {
        const char *const *k;

        (void)value;
        for (k = allowed; *k; k++)
            if (!strcmp(*k, key))
                break;
        if (!*k) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "unknown field \"%s%.64s\"", where, key);
            return -1;
        }
    }
    return 0;
}

/* Optional member of a given type: 0 absent or null, 1 present (*out borrowed), -1 on a
 * type mismatch (err set). */
static int netxml_member(struct json_object *obj, const char *key, enum json_type type,
                         const char *where, struct json_object **out, struct app_error *err)
{
    static const char *const type_names[] = {
        [json_type_null] = "null",        [json_type_boolean] = "a boolean",
        [json_type_double] = "a number",  [json_type_int] = "an integer",
        [json_type_object] = "an object", [json_type_array] = "an array",
        [json_type_string] = "a string",
    };
    struct json_object *v = NULL;

    *out = NULL;
    if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null))
        return 0;
    if (!json_object_is_type(v, type)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s%s\" must be %s", where, key,
                      type_names[type]);
        app_error_at_field(err, where, key);
        return -1;
    }
    *out = v;
    return 1;
}

/* Optional string member of at most max bytes without NUL: 0 absent, 1 present, -1 err. */
static int netxml_string(struct json_object *obj, const char *key, size_t max, const char *where,
                         const char **out, struct app_error *err)
{
    struct json_object *v;
    int rc = netxml_member(obj, key, json_type_string, where, &v, err);
    size_t len;

    *out = NULL;
    if (rc <= 0)
        return rc;
    len = (size_t)json_object_get_string_len(v);
    if (len == 0 || len > max || strlen(json_object_get_string(v)) != len) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "field \"%s%s\" must be a non-empty string of at most %zu characters", where,
                      key, max);
        app_error_at_field(err, where, key);
        return -1;
    }
    *out = json_object_get_string(v);
    return 1;
}

/* Optional integer member within [min, max]: 0 absent, 1 present, -1 err. */
static int netxml_int(struct json_object *obj, const char *key, int64_t min, int64_t max,
                      const char *where, int64_t *out, struct app_error *err)
{
    struct json_object *v;
    int rc = netxml_member(obj, key, json_type_int, where, &v, err);

    *out = 0;
    if (rc <= 0)
        return rc;
    *out = json_object_get_int64(v);
    if (*out < min || *out > max) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s%s\" must be between %lld and %lld",
                      where, key, (long long)min, (long long)max);
        app_error_at_range(err, where, key, (long long)min, (long long)max);
        return -1;
    }
    return 1;
}

/* Optional string member holding an address of family: 0 absent, 1 present, -1 err. */
static int netxml_addr_member(struct json_object *obj, const char *key, int family,
                              const char *where, const char **text, struct netxml_addr *addr,
                              struct app_error *err)
{
    int rc = netxml_string(obj, key, NETXML_ADDR_MAX, where, text, err);

    if (rc <= 0)
        return rc;
    if (netxml_addr_parse(*text, family, addr) < 0) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "field \"%s%s\": \"%.64s\" is not an %s address", where, key, *text,
                      family == AF_INET ? "IPv4" : "IPv6");
        app_error_at_field(err, where, key);
        return -1;
    }
    return 1;
}

/* ---- the request, validated ------------------------------------------------------ */

enum netxml_mode { NETXML_NAT, NETXML_ROUTE, NETXML_ISOLATED, NETXML_BRIDGE, NETXML_OPEN };

static const char *const netxml_mode_names[] = {
    [NETXML_NAT] = "nat",       [NETXML_ROUTE] = "route", [NETXML_ISOLATED] = "isolated",
    [NETXML_BRIDGE] = "bridge", [NETXML_OPEN] = "open",
};

struct netxml_host {
    const char *mac;  /* borrowed from the request, NULL if absent */
    const char *ip;   /* borrowed */
    const char *name; /* borrowed, NULL if absent */
    struct netxml_addr addr;
};

struct netxml_ip {
    bool present;
    const char *address; /* borrowed */
    int64_t prefix;
    const char *dhcp_start;    /* borrowed, NULL if absent */
    const char *dhcp_end;      /* borrowed, NULL if absent */
    struct netxml_host *hosts; /* owned array */
    size_t nhosts;
};

struct netxml_req {
    const char *name; /* borrowed from the request */
    enum netxml_mode mode;
    const char *bridge;      /* borrowed, NULL if absent */
    const char *forward_dev; /* borrowed, NULL if absent */
    const char *domain;      /* borrowed, NULL if absent */
    int64_t mtu;             /* 0 if absent */
    struct netxml_ip ip[2];  /* [0] IPv4, [1] IPv6 */
};

static void netxml_req_clear(struct netxml_req *r)
{
    free(r->ip[0].hosts);
    free(r->ip[1].hosts);
}

static int netxml_parse_host(struct json_object *obj, int family, const struct netxml_addr *gw,
                             unsigned prefix, const char *where, struct netxml_host *host,
                             struct app_error *err)
{
    static const char *const keys[] = {"mac", "ip", "name", NULL};
    int rc;

    if (!json_object_is_type(obj, json_type_object)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%s\" must be an object", where);
        return -1;
    }
    if (netxml_check_keys(obj, keys, where, err) < 0)
        return -1;
    if ((rc = netxml_string(obj, "mac", 17, where, &host->mac, err)) < 0)
        return -1;
    if (family == AF_INET6 && rc == 1) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"%smac\": IPv6 static hosts are matched by name, not MAC address", where);
        app_error_at_field(err, where, "mac");
        return -1;
    }
    if (family == AF_INET && rc == 0) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%smac\" is required", where);
        app_error_at_field(err, where, "mac");
        return -1;
    }
    if (host->mac && !netxml_mac_valid(host->mac)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"%smac\": \"%.17s\" is not a unicast MAC address (xx:xx:xx:xx:xx:xx)",
                      where, host->mac);
        app_error_at_field(err, where, "mac");
        return -1;
    }
    if ((rc = netxml_string(obj, "name", NETXML_HOSTNAME_MAX, where, &host->name, err)) < 0)
        return -1;
    if (family == AF_INET6 && rc == 0) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%sname\" is required", where);
        app_error_at_field(err, where, "name");
        return -1;
    }
    if (host->name && !netxml_hostname_valid(host->name)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"%sname\": \"%.63s\" is not a host name (letters, digits, '-')", where,
                      host->name);
        app_error_at_field(err, where, "name");
        return -1;
    }
    if ((rc = netxml_addr_member(obj, "ip", family, where, &host->ip, &host->addr, err)) < 0)
        return -1;
    if (rc == 0) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%sip\" is required", where);
        app_error_at_field(err, where, "ip");
        return -1;
    }
    if (!netxml_same_subnet(&host->addr, gw, prefix) || netxml_addr_reserved(&host->addr, prefix) ||
        netxml_addr_cmp(&host->addr, gw) == 0) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"%sip\": %s is not a free host address of the network's subnet", where,
                      host->ip);
        app_error_at_field(err, where, "ip");
        return -1;
    }
    return 0;
}

/* Static hosts must not share a MAC, an IP or a name. */
static int netxml_hosts_unique(const struct netxml_ip *ip, const char *key, struct app_error *err)
{
    for (size_t i = 0; i < ip->nhosts; i++) {
        for (size_t j = 0; j < i; j++) {
            const struct netxml_host *a = &ip->hosts[i], *b = &ip->hosts[j];
            const char *what = NULL;

            if (a->mac && b->mac && !strcasecmp(a->mac, b->mac))
                what = "MAC address";
            else if (netxml_addr_cmp(&a->addr, &b->addr) == 0)
                what = "IP address";
            else if (a->name && b->name && !strcasecmp(a->name, b->name))
                what = "name";
            if (what) {
                app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                              "\"%s.hosts\": entries %zu and %zu have the same %s", key, j, i,
                              what);
                return -1;
            }
        }
    }
    return 0;
}

static int netxml_parse_ip(struct json_object *obj, int family, struct netxml_ip *ip,
                           struct app_error *err)
{
    static const char *const keys[] = {"address",  "prefix", "dhcp_start",
                                       "dhcp_end", "hosts",  NULL};
    const char *key = family == AF_INET ? "ipv4" : "ipv6";
    char where[32];
    struct netxml_addr gw, start, end;
    struct json_object *hosts;
    int has_start, has_end, rc;
    unsigned prefix;

    snprintf(where, sizeof(where), "%s.", key);
    if (netxml_check_keys(obj, keys, where, err) < 0)
        return -1;
    if ((rc = netxml_addr_member(obj, "address", family, where, &ip->address, &gw, err)) < 0)
        return -1;
    if (rc == 0) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%saddress\" is required", where);
        app_error_at_field(err, where, "address");
        return -1;
    }
    if (!netxml_addr_unicast(&gw)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"%saddress\": %s is not a unicast host address", where, ip->address);
        app_error_at_field(err, where, "address");
        return -1;
    }
    /* IPv4 needs room for the gateway, the network and the broadcast address. */
    if ((rc = netxml_int(obj, "prefix", 1, family == AF_INET ? 30 : 128, where, &ip->prefix, err)) <
        0)
        return -1;
    if (rc == 0) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%sprefix\" is required", where);
        app_error_at_field(err, where, "prefix");
        return -1;
    }
    prefix = (unsigned)ip->prefix;
    if (family == AF_INET && netxml_addr_reserved(&gw, prefix)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"%saddress\": %s is the network or broadcast address of /%u", where,
                      ip->address, prefix);
        app_error_at_field(err, where, "address");
        return -1;
    }
    if ((has_start = netxml_addr_member(obj, "dhcp_start", family, where, &ip->dhcp_start, &start,
                                        err)) < 0 ||
        (has_end = netxml_addr_member(obj, "dhcp_end", family, where, &ip->dhcp_end, &end, err)) <
            0)
        return -1;
    if (has_start != has_end) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"%sdhcp_start\" and \"%sdhcp_end\" go together", where, where);
        app_error_at_field(err, where, "dhcp_start");
        return -1;
    }
    if (has_start) {
        if (!netxml_same_subnet(&start, &gw, prefix) || !netxml_same_subnet(&end, &gw, prefix)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "the DHCP range %s - %s is not inside %s/%u", ip->dhcp_start,
                          ip->dhcp_end, ip->address, prefix);
            return -1;
        }
        if (netxml_addr_cmp(&start, &end) > 0) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "the DHCP range starts (%s) after it ends (%s)", ip->dhcp_start,
                          ip->dhcp_end);
            return -1;
        }
        /* start and end lie in the subnet, so the subnet address can only be start and
         * the broadcast address only end. */
        if (netxml_host_bits_all(&start, prefix, 0) ||
            (family == AF_INET && netxml_host_bits_all(&end, prefix, 1)) ||
            (netxml_addr_cmp(&start, &gw) <= 0 && netxml_addr_cmp(&gw, &end) <= 0)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "the DHCP range %s - %s must not contain the network, broadcast or "
                          "gateway address",
                          ip->dhcp_start, ip->dhcp_end);
            return -1;
        }
    }
    if (netxml_member(obj, "hosts", json_type_array, where, &hosts, err) < 0)
        return -1;
    if (hosts) {
        size_t n = json_object_array_length(hosts);

        if (n > VIRT_NETWORK_HOSTS_MAX) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%shosts\": at most %d entries", where,
                          VIRT_NETWORK_HOSTS_MAX);
            app_error_at_field(err, where, "hosts");
            return -1;
        }
        ip->hosts = xcalloc(n ? n : 1, sizeof(*ip->hosts));
        for (size_t i = 0; i < n; i++) {
            char host_where[48];

            snprintf(host_where, sizeof(host_where), "%s.hosts[%zu].", key, i);
            if (netxml_parse_host(json_object_array_get_idx(hosts, i), family, &gw, prefix,
                                  host_where, &ip->hosts[i], err) < 0)
                return -1;
            ip->nhosts++;
        }
        if (netxml_hosts_unique(ip, key, err) < 0)
            return -1;
    }
    /* dnsmasq serves DHCPv6 (with router advertisements) on /64 subnets only. */
    if (family == AF_INET6 && (has_start || ip->nhosts) && prefix != 64) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "IPv6 DHCP needs a /64 subnet (\"ipv6.prefix\" is %u)", prefix);
        return -1;
    }
    ip->present = true;
    return 0;
}

static int netxml_parse_mode(struct json_object *req, struct netxml_req *r, struct app_error *err)
{
    const char *mode;
    int rc = netxml_string(req, "mode", 16, "", &mode, err);

    if (rc < 0)
        return -1;
    if (rc == 0) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "field \"mode\" is required (nat, route, isolated, bridge, open)");
        app_error_at_field(err, "", "mode");
        return -1;
    }
    for (size_t i = 0; i < sizeof(netxml_mode_names) / sizeof(netxml_mode_names[0]); i++) {
        if (!strcmp(mode, netxml_mode_names[i])) {
            r->mode = (enum netxml_mode)i;
            return 0;
        }
    }
    app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                  "unknown mode \"%.16s\" (nat, route, isolated, bridge, open)", mode);
    app_error_at_field(err, "", "mode");
    return -1;
}

/* The rules that depend on the mode (libvirt's formatnetwork: which forward modes may
 * have an IP, a DNS domain, an MTU, a forward device). */
static int netxml_check_mode(const struct netxml_req *r, struct app_error *err)
{
    const char *mode = netxml_mode_names[r->mode];
    bool any_ip = r->ip[0].present || r->ip[1].present;

    if (r->forward_dev && r->mode != NETXML_NAT && r->mode != NETXML_ROUTE) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"forward_dev\" is only allowed with mode nat or route, not %s", mode);
        app_error_at_field(err, "", "forward_dev");
        return -1;
    }
    if (r->mode == NETXML_BRIDGE) {
        if (!r->bridge) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "mode bridge needs \"bridge\": the name of an existing host bridge");
            app_error_at_field(err, "", "bridge");
            return -1;
        }
        if (any_ip || r->domain || r->mtu) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "mode bridge takes no \"ipv4\", \"ipv6\", \"domain\" or \"mtu\" (the "
                          "host bridge has its own)");
            return -1;
        }
    }
    if ((r->mode == NETXML_NAT || r->mode == NETXML_ROUTE || r->mode == NETXML_OPEN) && !any_ip) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "mode %s needs \"ipv4\" or \"ipv6\"", mode);
        return -1;
    }
    return 0;
}

static int netxml_parse(struct json_object *req, struct netxml_req *r, struct app_error *err)
{
    static const char *const keys[] = {"name",      "mode",  "bridge", "forward_dev",
                                       "ipv4",      "ipv6",  "domain", "mtu",
                                       "autostart", "start", "force",  NULL};
    struct json_object *v;
    int rc;

    if (!req || !json_object_is_type(req, json_type_object)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "request body must be a JSON object");
        return -1;
    }
    if (netxml_check_keys(req, keys, "", err) < 0)
        return -1;
    if ((rc = netxml_string(req, "name", VIRT_NETWORK_NAME_MAX, "", &r->name, err)) < 0)
        return -1;
    if (rc == 0 || !virt_network_xml_name_valid(r->name)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "field \"name\" must match [A-Za-z0-9][A-Za-z0-9_.-]{0,%d}",
                      VIRT_NETWORK_NAME_MAX - 1);
        app_error_at_field(err, "", "name");
        return -1;
    }
    if (netxml_parse_mode(req, r, err) < 0)
        return -1;
    if (netxml_string(req, "bridge", NETXML_IFNAME_MAX, "", &r->bridge, err) < 0 ||
        netxml_string(req, "forward_dev", NETXML_IFNAME_MAX, "", &r->forward_dev, err) < 0)
        return -1;
    if ((r->bridge && !netxml_ifname_valid(r->bridge)) ||
        (r->forward_dev && !netxml_ifname_valid(r->forward_dev))) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"%s\" is not an interface name ([A-Za-z0-9][A-Za-z0-9_.-]{0,14})",
                      r->bridge && !netxml_ifname_valid(r->bridge) ? r->bridge : r->forward_dev);
        return -1;
    }
    if (netxml_string(req, "domain", NETXML_DOMAIN_MAX, "", &r->domain, err) < 0)
        return -1;
    if (r->domain && !netxml_domain_valid(r->domain)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"domain\": \"%.64s\" is not a DNS domain name", r->domain);
        return -1;
    }
    if (netxml_int(req, "mtu", NETXML_MTU_MIN, NETXML_MTU_MAX, "", &r->mtu, err) < 0)
        return -1;
    if (netxml_member(req, "autostart", json_type_boolean, "", &v, err) < 0 ||
        netxml_member(req, "start", json_type_boolean, "", &v, err) < 0 ||
        netxml_member(req, "force", json_type_boolean, "", &v, err) < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        const char *key = i == 0 ? "ipv4" : "ipv6";

        if ((rc = netxml_member(req, key, json_type_object, "", &v, err)) < 0)
            return -1;
        if (rc == 1 && netxml_parse_ip(v, i == 0 ? AF_INET : AF_INET6, &r->ip[i], err) < 0)
            return -1;
    }
    return netxml_check_mode(r, err);
}

/* ---- building the document -------------------------------------------------------- */

static void netxml_build_ip(xmlNodePtr root, const struct netxml_ip *ip, const char *family)
{
    xmlNodePtr node = virt_xml_add(root, "ip");
    char prefix[8];

    snprintf(prefix, sizeof(prefix), "%d", (int)ip->prefix);
    virt_xml_set(node, "family", family);
    virt_xml_set(node, "address", ip->address);
    virt_xml_set(node, "prefix", prefix);
    if (ip->dhcp_start || ip->nhosts) {
        xmlNodePtr dhcp = virt_xml_add(node, "dhcp");

        if (ip->dhcp_start) {
            xmlNodePtr range = virt_xml_add(dhcp, "range");

            virt_xml_set(range, "start", ip->dhcp_start);
            virt_xml_set(range, "end", ip->dhcp_end);
        }
        for (size_t i = 0; i < ip->nhosts; i++) {
            xmlNodePtr host = virt_xml_add(dhcp, "host");

            if (ip->hosts[i].mac)
                virt_xml_set(host, "mac", ip->hosts[i].mac);
            if (ip->hosts[i].name)
                virt_xml_set(host, "name", ip->hosts[i].name);
            virt_xml_set(host, "ip", ip->hosts[i].ip);
        }
    }
}

static char *netxml_build_doc(const struct netxml_req *r)
{
    xmlDocPtr doc;
    xmlNodePtr root = virt_xml_new_root(&doc, "network"), node;
    char *out;

    virt_xml_add_text(root, "name", r->name);
    if (r->mode != NETXML_ISOLATED) {
        node = virt_xml_add(root, "forward");
        virt_xml_set(node, "mode", netxml_mode_names[r->mode]);
        if (r->forward_dev)
            virt_xml_set(node, "dev", r->forward_dev);
    }
    if (r->bridge)
        virt_xml_set(virt_xml_add(root, "bridge"), "name", r->bridge);
    if (r->mtu) {
        char size[8];

        snprintf(size, sizeof(size), "%d", (int)r->mtu);
        virt_xml_set(virt_xml_add(root, "mtu"), "size", size);
    }
    if (r->domain)
        virt_xml_set(virt_xml_add(root, "domain"), "name", r->domain);
    if (r->ip[0].present)
        netxml_build_ip(root, &r->ip[0], "ipv4");
    if (r->ip[1].present)
        netxml_build_ip(root, &r->ip[1], "ipv6");
    out = virt_xml_doc_string(doc, true);
    xmlFreeDoc(doc);
    return out;
}

int virt_network_xml_build(struct json_object *req, char **xml_out, struct app_error *err)
{
    struct netxml_req r;
    int ret = -1;

    *xml_out = NULL;
    memset(&r, 0, sizeof(r));
    if (netxml_parse(req, &r, err) < 0)
        goto cleanup;
    *xml_out = netxml_build_doc(&r);
    ret = 0;

cleanup:
    netxml_req_clear(&r);
    return ret;
}

/* ---- reading ----------------------------------------------------------------------- */

/* Decimal in [0, max] → value; -1 if s is not one. */
static long netxml_parse_uint(const char *s, long max)
{
    long v = 0;

    if (!s || !*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        if (v > max)
            return -1;
    }
    return v;
}

/* The prefix of an <ip>: @prefix, else @netmask (contiguous), else libvirt's default
 * (IPv4: the address class; IPv6: 64). -1 when it cannot be told. */
static long netxml_ip_prefix(xmlXPathContextPtr ctx, xmlNodePtr node, int family,
                             const struct netxml_addr *addr)
{
    char *prefix = virt_xml_xpath_string(ctx, node, "string(@prefix)");
    char *netmask = virt_xml_xpath_string(ctx, node, "string(@netmask)");
    long ret = -1;

    if (prefix) {
        ret = netxml_parse_uint(prefix, family == AF_INET ? 32 : 128);
    } else if (netmask && family == AF_INET) {
        struct netxml_addr mask;

        if (netxml_addr_parse(netmask, AF_INET, &mask) == 0) {
            long n = 0;

            while (n < 32 && netxml_bit(&mask, (unsigned)n))
                n++;
            ret = netxml_host_bits_all(&mask, (unsigned)n, 0) ? n : -1;
        }
    } else if (!netmask) {
        if (family == AF_INET6)
            ret = 64;
        else if (addr->b[0] < 128)
            ret = 8;
        else if (addr->b[0] < 192)
            ret = 16;
        else if (addr->b[0] < 224)
            ret = 24;
    }
    free(prefix);
    free(netmask);
    return ret;
}

/* Family of an <ip> element: AF_INET/AF_INET6, or 0 when its address does not parse as
 * the family it claims (libvirt: no family means IPv4). */
static int netxml_ip_family(xmlXPathContextPtr ctx, xmlNodePtr node, struct netxml_addr *addr)
{
    char *family = virt_xml_xpath_string(ctx, node, "string(@family)");
    char *address = virt_xml_xpath_string(ctx, node, "string(@address)");
    int ret = 0;

    if (address) {
        if ((!family || !strcmp(family, "ipv4")) && netxml_addr_parse(address, AF_INET, addr) == 0)
            ret = AF_INET;
        else if (family && !strcmp(family, "ipv6") &&
                 netxml_addr_parse(address, AF_INET6, addr) == 0)
            ret = AF_INET6;
    }
    free(family);
    free(address);
    return ret;
}

static struct json_object *netxml_read_hosts(xmlXPathContextPtr ctx, xmlNodePtr ip)
{
    struct json_object *arr = json_object_new_array();
    xmlXPathObjectPtr nodes = virt_xml_xpath_nodes(ctx, ip, "dhcp/host");

    for (int i = 0; nodes && i < nodes->nodesetval->nodeNr; i++) {
        xmlNodePtr node = nodes->nodesetval->nodeTab[i];
        struct json_object *host = json_object_new_object();

        virt_xml_json_set_xpath(host, "mac", ctx, node, "string(@mac)", NULL);
        virt_xml_json_set_xpath(host, "ip", ctx, node, "string(@ip)", NULL);
        virt_xml_json_set_xpath(host, "name", ctx, node, "string(@name)", NULL);
        virt_xml_json_push(arr, host);
    }
    xmlXPathFreeObject(nodes);
    return arr;
}

/* The ipv4/ipv6 member for family: null, or the chosen <ip> as an object. */
static struct json_object *netxml_read_ip(xmlXPathContextPtr ctx, xmlNodePtr root, int family)
{
    xmlXPathObjectPtr nodes = virt_xml_xpath_nodes(ctx, root, "ip");
    xmlNodePtr chosen = NULL;
    struct netxml_addr addr, chosen_addr;
    struct json_object *obj = NULL;
    long prefix;

    memset(&chosen_addr, 0, sizeof(chosen_addr));
    for (int i = 0; nodes && i < nodes->nodesetval->nodeNr; i++) {
        xmlNodePtr node = nodes->nodesetval->nodeTab[i];

        if (netxml_ip_family(ctx, node, &addr) != family)
            continue;
        if (!chosen || (virt_xml_xpath_bool(ctx, node, "boolean(dhcp)") &&
                        !virt_xml_xpath_bool(ctx, chosen, "boolean(dhcp)"))) {
            chosen = node;
            chosen_addr = addr;
        }
    }
    if (!chosen)
        goto cleanup;
    obj = json_object_new_object();
    virt_xml_json_set_xpath(obj, "address", ctx, chosen, "string(@address)", NULL);
    prefix = netxml_ip_prefix(ctx, chosen, family, &chosen_addr);
    virt_xml_json_add(obj, "prefix", prefix >= 0 ? json_object_new_int((int)prefix) : NULL);
    virt_xml_json_set_xpath(obj, "dhcp_start", ctx, chosen, "string(dhcp/range[1]/@start)", NULL);
    virt_xml_json_set_xpath(obj, "dhcp_end", ctx, chosen, "string(dhcp/range[1]/@end)", NULL);
    virt_xml_json_add(obj, "hosts", netxml_read_hosts(ctx, chosen));

cleanup:
    xmlXPathFreeObject(nodes);
    return obj;
}

static const char *netxml_read_mode(xmlXPathContextPtr ctx, xmlNodePtr root)
{
    char *mode;
    const char *ret = "other";

    if (!virt_xml_xpath_bool(ctx, root, "boolean(forward)"))
        return "isolated";
    mode = virt_xml_xpath_string(ctx, root, "string(forward/@mode)");
    if (!mode)
        ret = "nat"; /* libvirt's default forward mode */
    else if (!strcmp(mode, "none"))
        ret = "isolated";
    else
        for (size_t i = 0; i < sizeof(netxml_mode_names) / sizeof(netxml_mode_names[0]); i++)
            if (i != NETXML_ISOLATED && !strcmp(mode, netxml_mode_names[i]))
                ret = netxml_mode_names[i];
    free(mode);
    return ret;
}

int virt_network_xml_to_json(const char *xml, struct json_object *obj, struct app_error *err)
{
    int ret = -1;
    xmlDocPtr doc = NULL;
    xmlXPathContextPtr ctx = NULL;
    xmlNodePtr root;
    char *name = NULL;
    char *mtu = NULL;
    long mtu_value;

    if (!(doc = virt_xml_read(xml, "network", err)))
        goto cleanup;
    root = xmlDocGetRootElement(doc);
    ctx = virt_xml_xpath_new(doc);
    name = virt_xml_xpath_string(ctx, root, "string(name)");
    virt_xml_json_add(obj, "name", json_object_new_string(name ? name : ""));
    virt_xml_json_set_xpath(obj, "uuid", ctx, root, "string(uuid)", NULL);
    virt_xml_json_add(obj, "mode", json_object_new_string(netxml_read_mode(ctx, root)));
    virt_xml_json_set_xpath(obj, "bridge", ctx, root, "string(bridge/@name)", NULL);
    virt_xml_json_set_xpath(obj, "forward_dev", ctx, root, "string(forward/@dev)", NULL);
    mtu = virt_xml_xpath_string(ctx, root, "string(mtu/@size)");
    mtu_value = netxml_parse_uint(mtu, NETXML_MTU_MAX);
    virt_xml_json_add(obj, "mtu", mtu_value > 0 ? json_object_new_int((int)mtu_value) : NULL);
    virt_xml_json_set_xpath(obj, "domain", ctx, root, "string(domain/@name)", NULL);
    virt_xml_json_add(obj, "ipv4", netxml_read_ip(ctx, root, AF_INET));
    virt_xml_json_add(obj, "ipv6", netxml_read_ip(ctx, root, AF_INET6));
    ret = 0;

cleanup:
    free(name);
    free(mtu);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return ret;
}
