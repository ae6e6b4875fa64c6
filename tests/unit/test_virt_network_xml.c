/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_network_xml: server/virt/virt_network_xml.c — the create-request → network
 * XML builder for every mode and every refusal, and the network XML → JSON reader on
 * libvirt-shaped fixtures (inline below). Pure; single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "virt/virt_network_xml.h"
#include "xml_assert.h"

/* ---- helpers ------------------------------------------------------------------------ */

static char *build_ok(const char *json)
{
    return xml_assert_build_ok(virt_network_xml_build, json);
}

static void build_refused(const char *json, const char *want)
{
    xml_assert_build_refused(virt_network_xml_build, json, want);
}

static struct json_object *read_ok(const char *xml)
{
    return xml_assert_read_ok(virt_network_xml_to_json, xml);
}

static void expect_json(struct json_object *obj, const char *want)
{
    const char *got = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);

    if (strcmp(got, want) != 0)
        fail_msg("got  %s\nwant %s", got, want);
}

/* ---- names ------------------------------------------------------------------------- */

static void test_name_valid(void **state)
{
    assert_true(virt_network_xml_name_valid("default"));
    assert_true(virt_network_xml_name_valid("a"));
    assert_true(virt_network_xml_name_valid("Lab_1.net-2"));
    assert_true(virt_network_xml_name_valid("01234567890123456789012345678901234567890123456789"));
    assert_false(
        virt_network_xml_name_valid("012345678901234567890123456789012345678901234567890"));
    assert_false(virt_network_xml_name_valid(""));
    assert_false(virt_network_xml_name_valid(NULL));
    assert_false(virt_network_xml_name_valid("-a"));
    assert_false(virt_network_xml_name_valid(".a"));
    assert_false(virt_network_xml_name_valid("../x"));
    assert_false(virt_network_xml_name_valid("a/b"));
    assert_false(virt_network_xml_name_valid("a b"));
    assert_false(virt_network_xml_name_valid("a'b"));
    assert_false(virt_network_xml_name_valid("\xc3\xa9t\xc3\xa9"));
}

/* ---- builder: every mode ------------------------------------------------------------- */

static void test_build_nat_full(void **state)
{
    char *xml = build_ok(
        "{\"name\":\"lab\",\"mode\":\"nat\",\"forward_dev\":\"eth0\",\"bridge\":\"virbr7\","
        "\"mtu\":9000,\"domain\":\"lab.example\",\"autostart\":true,\"start\":false,"
        "\"ipv4\":{\"address\":\"10.20.30.1\",\"prefix\":24,\"dhcp_start\":\"10.20.30.100\","
        "\"dhcp_end\":\"10.20.30.200\",\"hosts\":[{\"mac\":\"52:54:00:aa:bb:cc\","
        "\"ip\":\"10.20.30.10\",\"name\":\"web\"},{\"mac\":\"52:54:00:aa:bb:cd\","
        "\"ip\":\"10.20.30.11\"}]},"
        "\"ipv6\":{\"address\":\"fd00:20::1\",\"prefix\":64,\"dhcp_start\":\"fd00:20::100\","
        "\"dhcp_end\":\"fd00:20::1ff\",\"hosts\":[{\"ip\":\"fd00:20::10\",\"name\":\"web6\"}]}}");

    xml_assert_xpath_eq(xml, "count(/network/*)", "7");
    xml_assert_xpath_eq(xml, "string(/network/name)", "lab");
    xml_assert_xpath_eq(xml, "string(/network/forward/@mode)", "nat");
    xml_assert_xpath_eq(xml, "string(/network/forward/@dev)", "eth0");
    xml_assert_xpath_eq(xml, "count(/network/forward/@*)", "2");
    xml_assert_xpath_eq(xml, "string(/network/bridge/@name)", "virbr7");
    xml_assert_xpath_eq(xml, "string(/network/mtu/@size)", "9000");
    xml_assert_xpath_eq(xml, "string(/network/domain/@name)", "lab.example");
    xml_assert_xpath_eq(xml, "count(/network/ip)", "2");
    xml_assert_xpath_eq(xml, "string(/network/ip[@family='ipv4']/@address)", "10.20.30.1");
    xml_assert_xpath_eq(xml, "string(/network/ip[@family='ipv4']/@prefix)", "24");
    xml_assert_xpath_eq(xml, "string(/network/ip[@family='ipv4']/dhcp/range/@start)",
                        "10.20.30.100");
    xml_assert_xpath_eq(xml, "string(/network/ip[@family='ipv4']/dhcp/range/@end)", "10.20.30.200");
    xml_assert_xpath_eq(xml, "count(/network/ip[@family='ipv4']/dhcp/host)", "2");
    xml_assert_xpath_eq(xml, "string(/network/ip[@family='ipv4']/dhcp/host[1]/@mac)",
                        "52:54:00:aa:bb:cc");
    xml_assert_xpath_eq(xml, "string(/network/ip[@family='ipv4']/dhcp/host[1]/@name)", "web");
    xml_assert_xpath_eq(xml, "count(/network/ip[@family='ipv4']/dhcp/host[2]/@name)", "0");
    xml_assert_xpath_eq(xml, "string(/network/ip[@family='ipv6']/dhcp/host/@name)", "web6");
    xml_assert_xpath_eq(xml, "count(/network/ip[@family='ipv6']/dhcp/host/@mac)", "0");
    /* start/autostart are not part of the definition */
    xml_assert_xpath_eq(xml, "count(//@autostart | //*[name()='autostart' or name()='start'])",
                        "0");
    free(xml);
}

static void test_build_route(void **state)
{
    char *xml = build_ok("{\"name\":\"r\",\"mode\":\"route\",\"ipv4\":{\"address\":\"10.9.0.1\","
                         "\"prefix\":16}}");

    xml_assert_xpath_eq(xml, "string(/network/forward/@mode)", "route");
    xml_assert_xpath_eq(xml, "count(/network/forward/@dev)", "0");
    xml_assert_xpath_eq(xml, "count(/network/bridge)", "0");
    xml_assert_xpath_eq(xml, "count(//dhcp)", "0");
    xml_assert_xpath_eq(xml, "count(/network/*)", "3");
    free(xml);
}

static void test_build_isolated(void **state)
{
    char *xml = build_ok("{\"name\":\"iso\",\"mode\":\"isolated\"}");

    xml_assert_xpath_eq(xml, "count(/network/forward)", "0");
    xml_assert_xpath_eq(xml, "count(/network/*)", "1");
    free(xml);
    /* an empty hosts list asks for nothing */
    xml = build_ok("{\"name\":\"iso\",\"mode\":\"isolated\",\"ipv4\":{\"address\":\"172.16.5.1\","
                   "\"prefix\":30,\"hosts\":[]},\"bridge\":null}");
    xml_assert_xpath_eq(xml, "count(/network/forward)", "0");
    xml_assert_xpath_eq(xml, "count(/network/bridge)", "0");
    xml_assert_xpath_eq(xml, "count(//dhcp)", "0");
    free(xml);
}

static void test_build_open(void **state)
{
    char *xml = build_ok("{\"name\":\"o\",\"mode\":\"open\",\"ipv6\":{\"address\":\"2001:db8::1\","
                         "\"prefix\":48},\"mtu\":1400}");

    xml_assert_xpath_eq(xml, "string(/network/forward/@mode)", "open");
    xml_assert_xpath_eq(xml, "string(/network/ip/@family)", "ipv6");
    xml_assert_xpath_eq(xml, "string(/network/mtu/@size)", "1400");
    free(xml);
}

static void test_build_bridge(void **state)
{
    char *xml = build_ok("{\"name\":\"hb\",\"mode\":\"bridge\",\"bridge\":\"br0\"}");

    xml_assert_xpath_eq(xml, "string(/network/forward/@mode)", "bridge");
    xml_assert_xpath_eq(xml, "string(/network/bridge/@name)", "br0");
    xml_assert_xpath_eq(xml, "count(/network/*)", "3");
    free(xml);
}

/* ---- builder: refusals ----------------------------------------------------------------- */

#define V4 "\"ipv4\":{\"address\":\"10.0.0.1\",\"prefix\":24"

static void test_build_refusals(void **state)
{
    static const char *const cases[][2] = {
        {"[]", "JSON object"},
        {"{\"mode\":\"isolated\"}", "\"name\""},
        {"{\"name\":\"../x\",\"mode\":\"isolated\"}", "\"name\""},
        {"{\"name\":7,\"mode\":\"isolated\"}", "\"name\" must be a string"},
        {"{\"name\":\"\",\"mode\":\"isolated\"}", "\"name\""},
        {"{\"name\":\"n\"}", "\"mode\" is required"},
        {"{\"name\":\"n\",\"mode\":\"none\"}", "unknown mode"},
        {"{\"name\":\"n\",\"mode\":\"isolated\",\"colour\":1}", "unknown field \"colour\""},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"gw\":1}}", "unknown field \"ipv4.gw\""},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"hosts\":[{\"mac\":\"52:54:00:00:00:01\","
         "\"ip\":\"10.0.0.5\",\"x\":1}]}}",
         "unknown field \"ipv4.hosts[0].x\""},
        {"{\"name\":\"n\",\"mode\":\"nat\"}", "needs \"ipv4\" or \"ipv6\""},
        {"{\"name\":\"n\",\"mode\":\"route\"}", "needs \"ipv4\" or \"ipv6\""},
        {"{\"name\":\"n\",\"mode\":\"open\"}", "needs \"ipv4\" or \"ipv6\""},
        {"{\"name\":\"n\",\"mode\":\"bridge\"}", "needs \"bridge\""},
        {"{\"name\":\"n\",\"mode\":\"bridge\",\"bridge\":\"br0\"," V4 "}}", "takes no"},
        {"{\"name\":\"n\",\"mode\":\"bridge\",\"bridge\":\"br0\",\"mtu\":1500}", "takes no"},
        {"{\"name\":\"n\",\"mode\":\"bridge\",\"bridge\":\"br0\",\"domain\":\"x\"}", "takes no"},
        {"{\"name\":\"n\",\"mode\":\"bridge\",\"bridge\":\"br0\",\"forward_dev\":\"eth0\"}",
         "forward_dev"},
        {"{\"name\":\"n\",\"mode\":\"open\",\"forward_dev\":\"eth0\"," V4 "}}", "forward_dev"},
        {"{\"name\":\"n\",\"mode\":\"isolated\",\"forward_dev\":\"eth0\"}", "forward_dev"},
        {"{\"name\":\"n\",\"mode\":\"isolated\",\"bridge\":\"br/0\"}", "interface name"},
        {"{\"name\":\"n\",\"mode\":\"isolated\",\"bridge\":\"0123456789abcdef\"}", "\"bridge\""},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"forward_dev\":\"e th0\"," V4 "}}", "interface name"},
        {"{\"name\":\"n\",\"mode\":\"isolated\",\"mtu\":67}", "\"mtu\""},
        {"{\"name\":\"n\",\"mode\":\"isolated\",\"mtu\":65536}", "\"mtu\""},
        {"{\"name\":\"n\",\"mode\":\"isolated\",\"mtu\":1500.5}", "integer"},
        {"{\"name\":\"n\",\"mode\":\"isolated\",\"domain\":\"a..b\"}", "DNS domain"},
        {"{\"name\":\"n\",\"mode\":\"isolated\",\"domain\":\"-a.b\"}", "DNS domain"},
        {"{\"name\":\"n\",\"mode\":\"isolated\",\"domain\":\"a_b\"}", "DNS domain"},
        {"{\"name\":\"n\",\"mode\":\"isolated\",\"autostart\":1}", "boolean"},
        {"{\"name\":\"n\",\"mode\":\"isolated\",\"start\":\"no\"}", "boolean"},
        {"{\"name\":\"n\",\"mode\":\"isolated\",\"ipv4\":[]}", "object"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv4\":{\"prefix\":24}}",
         "\"ipv4.address\" is required"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv4\":{\"address\":\"10.0.0.1\"}}",
         "\"ipv4.prefix\" is required"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv4\":{\"address\":\"10.0.0.256\",\"prefix\":24}}",
         "not an IPv4 address"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv4\":{\"address\":\"010.0.0.1\",\"prefix\":24}}",
         "not an IPv4 address"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv4\":{\"address\":\"fd00::1\",\"prefix\":24}}",
         "not an IPv4 address"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv6\":{\"address\":\"10.0.0.1\",\"prefix\":64}}",
         "not an IPv6 address"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv4\":{\"address\":\"127.0.0.1\",\"prefix\":24}}",
         "unicast"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv4\":{\"address\":\"224.0.0.1\",\"prefix\":24}}",
         "unicast"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv6\":{\"address\":\"ff02::1\",\"prefix\":64}}",
         "unicast"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv6\":{\"address\":\"::\",\"prefix\":64}}",
         "unicast"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv4\":{\"address\":\"10.0.0.1\",\"prefix\":0}}",
         "between 1 and 30"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv4\":{\"address\":\"10.0.0.1\",\"prefix\":31}}",
         "between 1 and 30"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv6\":{\"address\":\"fd00::1\",\"prefix\":129}}",
         "between 1 and 128"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv4\":{\"address\":\"10.0.0.0\",\"prefix\":24}}",
         "network or broadcast"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv4\":{\"address\":\"10.0.0.255\",\"prefix\":24}}",
         "network or broadcast"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"dhcp_start\":\"10.0.0.10\"}}", "go together"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"dhcp_end\":\"10.0.0.10\"}}", "go together"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"dhcp_start\":\"10.0.1.10\","
         "\"dhcp_end\":\"10.0.1.20\"}}",
         "not inside"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"dhcp_start\":\"10.0.0.10\","
         "\"dhcp_end\":\"10.0.1.20\"}}",
         "not inside"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"dhcp_start\":\"10.0.0.20\","
         "\"dhcp_end\":\"10.0.0.10\"}}",
         "after"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"dhcp_start\":\"10.0.0.0\","
         "\"dhcp_end\":\"10.0.0.10\"}}",
         "must not contain"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"dhcp_start\":\"10.0.0.2\","
         "\"dhcp_end\":\"10.0.0.255\"}}",
         "must not contain"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv4\":{\"address\":\"10.0.0.50\",\"prefix\":24,"
         "\"dhcp_start\":\"10.0.0.2\",\"dhcp_end\":\"10.0.0.100\"}}",
         "must not contain"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"dhcp_start\":\"10.0.0.1\","
         "\"dhcp_end\":\"10.0.0.1\"}}",
         "must not contain"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"dhcp_start\":\"fd00::2\","
         "\"dhcp_end\":\"fd00::3\"}}",
         "not an IPv4 address"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv6\":{\"address\":\"fd00::1\",\"prefix\":64,"
         "\"dhcp_start\":\"fd00::\",\"dhcp_end\":\"fd00::10\"}}",
         "must not contain"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv6\":{\"address\":\"fd00::1\",\"prefix\":96,"
         "\"dhcp_start\":\"fd00::10\",\"dhcp_end\":\"fd00::20\"}}",
         "/64"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv6\":{\"address\":\"fd00::1\",\"prefix\":96,"
         "\"hosts\":[{\"ip\":\"fd00::5\",\"name\":\"h\"}]}}",
         "/64"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"hosts\":{}}}", "array"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"hosts\":[7]}}", "must be an object"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"hosts\":[{\"ip\":\"10.0.0.5\"}]}}",
         "\"ipv4.hosts[0].mac\" is required"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"hosts\":[{\"mac\":\"52:54:00:00:00:01\"}]}}",
         "\"ipv4.hosts[0].ip\" is required"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"hosts\":[{\"mac\":\"01:00:5e:00:00:01\","
         "\"ip\":\"10.0.0.5\"}]}}",
         "unicast MAC"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"hosts\":[{\"mac\":\"00:00:00:00:00:00\","
         "\"ip\":\"10.0.0.5\"}]}}",
         "unicast MAC"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"hosts\":[{\"mac\":\"52-54-00-00-00-01\","
         "\"ip\":\"10.0.0.5\"}]}}",
         "unicast MAC"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"hosts\":[{\"mac\":\"52:54:00:00:00:0g\","
         "\"ip\":\"10.0.0.5\"}]}}",
         "unicast MAC"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"hosts\":[{\"mac\":\"52:54:00:00:00:01\","
         "\"ip\":\"10.0.1.5\"}]}}",
         "not a free host address"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"hosts\":[{\"mac\":\"52:54:00:00:00:01\","
         "\"ip\":\"10.0.0.1\"}]}}",
         "not a free host address"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"hosts\":[{\"mac\":\"52:54:00:00:00:01\","
         "\"ip\":\"10.0.0.255\"}]}}",
         "not a free host address"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"hosts\":[{\"mac\":\"52:54:00:00:00:01\","
         "\"ip\":\"10.0.0.5\",\"name\":\"-h\"}]}}",
         "host name"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"hosts\":[{\"mac\":\"52:54:00:00:00:01\","
         "\"ip\":\"10.0.0.5\"},{\"mac\":\"52:54:00:00:00:01\",\"ip\":\"10.0.0.6\"}]}}",
         "same MAC address"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"hosts\":[{\"mac\":\"52:54:00:00:00:01\","
         "\"ip\":\"10.0.0.5\"},{\"mac\":\"52:54:00:00:00:02\",\"ip\":\"10.0.0.5\"}]}}",
         "same IP address"},
        {"{\"name\":\"n\",\"mode\":\"nat\"," V4 ",\"hosts\":[{\"mac\":\"52:54:00:00:00:01\","
         "\"ip\":\"10.0.0.5\",\"name\":\"a\"},{\"mac\":\"52:54:00:00:00:02\",\"ip\":\"10.0.0.6\","
         "\"name\":\"A\"}]}}",
         "same name"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv6\":{\"address\":\"fd00::1\",\"prefix\":64,"
         "\"hosts\":[{\"mac\":\"52:54:00:00:00:01\",\"ip\":\"fd00::5\",\"name\":\"h\"}]}}",
         "not MAC"},
        {"{\"name\":\"n\",\"mode\":\"nat\",\"ipv6\":{\"address\":\"fd00::1\",\"prefix\":64,"
         "\"hosts\":[{\"ip\":\"fd00::5\"}]}}",
         "\"ipv6.hosts[0].name\" is required"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        build_refused(cases[i][0], cases[i][1]);
}

static void test_build_hosts_limit(void **state)
{
    struct json_object *req = xml_assert_parse("{\"name\":\"n\",\"mode\":\"nat\"," V4 "}}");
    struct json_object *ipv4 = NULL, *hosts = json_object_new_array();
    struct app_error err;
    char *xml = NULL;

    json_object_object_get_ex(req, "ipv4", &ipv4);
    json_object_object_add(ipv4, "prefix", json_object_new_int(16));
    for (unsigned i = 0; i <= VIRT_NETWORK_HOSTS_MAX; i++) {
        struct json_object *h = json_object_new_object();
        char mac[32], ip[32];

        snprintf(mac, sizeof(mac), "52:54:00:00:%02x:%02x", (i / 256) & 0xffu, i % 256);
        snprintf(ip, sizeof(ip), "10.0.%u.%u", 1 + i / 200, 1 + i % 200);
        json_object_object_add(h, "mac", json_object_new_string(mac));
        json_object_object_add(h, "ip", json_object_new_string(ip));
        json_object_array_add(hosts, h);
    }
    json_object_object_add(ipv4, "hosts", hosts);
    app_error_clear(&err);
    assert_int_equal(virt_network_xml_build(req, &xml, &err), -1);
    assert_non_null(strstr(err.message, "at most"));
    /* one fewer fits */
    json_object_array_del_idx(hosts, 0, 1);
    assert_int_equal(virt_network_xml_build(req, &xml, &err), 0);
    xml_assert_xpath_eq(xml, "count(//host)", "256");
    free(xml);
    json_object_put(req);
}

/* ---- reader ------------------------------------------------------------------------------ */

/* test:///default's network, as libvirt formats it (netmask, not prefix). */
static const char fixture_default[] =
    "<network>\n  <name>default</name>\n  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>\n"
    "  <forward mode='nat'/>\n  <bridge name='virbr0' stp='on' delay='0'/>\n"
    "  <ip address='192.168.122.1' netmask='255.255.255.0'>\n    <dhcp>\n"
    "      <range start='192.168.122.2' end='192.168.122.254'/>\n    </dhcp>\n  </ip>\n"
    "</network>\n";

/* qemu:///system's live XML of a network created by the API, plus IPv6 and hosts. */
static const char fixture_live[] =
    "<network connections='2'><name>lab</name><uuid>5cd10b85-f662-41f3-98ad-be463ab2a8c0</uuid>"
    "<forward dev='eth0' mode='nat'><nat><port start='1024' end='65535'/></nat>"
    "<interface dev='eth0'/></forward>"
    "<bridge name='virbr1' stp='on' delay='0'/><mtu size='9000'/>"
    "<mac address='52:54:00:f0:44:18'/><domain name='lab.example'/>"
    "<ip family='ipv4' address='10.231.77.1' prefix='24'><dhcp>"
    "<range start='10.231.77.100' end='10.231.77.150'/>"
    "<host mac='52:54:00:aa:bb:cc' name='web' ip='10.231.77.10'/>"
    "<host mac='52:54:00:aa:bb:cd' ip='10.231.77.11'/></dhcp></ip>"
    "<ip family='ipv6' address='fd00:1::1' prefix='64'/>"
    "<ip family='ipv6' address='fd00:2::1' prefix='64'><dhcp>"
    "<range start='fd00:2::100' end='fd00:2::1ff'/><host name='web6' ip='fd00:2::10'/>"
    "</dhcp></ip></network>";

static void test_read_default(void **state)
{
    struct json_object *obj = read_ok(fixture_default);

    expect_json(obj, "{\"name\":\"default\",\"uuid\":\"dd8fe884-6c02-601e-7551-cca97df1c5df\","
                     "\"mode\":\"nat\",\"bridge\":\"virbr0\",\"forward_dev\":null,\"mtu\":null,"
                     "\"domain\":null,\"ipv4\":{\"address\":\"192.168.122.1\",\"prefix\":24,"
                     "\"dhcp_start\":\"192.168.122.2\",\"dhcp_end\":\"192.168.122.254\","
                     "\"hosts\":[]},\"ipv6\":null}");
    json_object_put(obj);
}

static void test_read_live(void **state)
{
    struct json_object *obj = read_ok(fixture_live);

    expect_json(
        obj,
        "{\"name\":\"lab\",\"uuid\":\"5cd10b85-f662-41f3-98ad-be463ab2a8c0\",\"mode\":\"nat\","
        "\"bridge\":\"virbr1\",\"forward_dev\":\"eth0\",\"mtu\":9000,\"domain\":\"lab.example\","
        "\"ipv4\":{\"address\":\"10.231.77.1\",\"prefix\":24,\"dhcp_start\":\"10.231.77.100\","
        "\"dhcp_end\":\"10.231.77.150\",\"hosts\":[{\"mac\":\"52:54:00:aa:bb:cc\","
        "\"ip\":\"10.231.77.10\",\"name\":\"web\"},{\"mac\":\"52:54:00:aa:bb:cd\","
        "\"ip\":\"10.231.77.11\",\"name\":null}]},"
        /* of two IPv6 addresses, the one with DHCP is shown */
        "\"ipv6\":{\"address\":\"fd00:2::1\",\"prefix\":64,\"dhcp_start\":\"fd00:2::100\","
        "\"dhcp_end\":\"fd00:2::1ff\",\"hosts\":[{\"mac\":null,\"ip\":\"fd00:2::10\","
        "\"name\":\"web6\"}]}}");
    json_object_put(obj);
}

static const char *read_field(const char *xml, const char *key, struct json_object **keep)
{
    struct json_object *v = NULL;

    *keep = read_ok(xml);
    if (!json_object_object_get_ex(*keep, key, &v))
        return "absent";
    return v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN) : "null";
}

static void expect_field(const char *xml, const char *key, const char *want)
{
    struct json_object *keep;
    const char *got = read_field(xml, key, &keep);

    if (strcmp(got, want) != 0)
        fail_msg("%s of %s: got %s, want %s", key, xml, got, want);
    json_object_put(keep);
}

static void test_read_modes(void **state)
{
    expect_field("<network><name>a</name></network>", "mode", "\"isolated\"");
    expect_field("<network><name>a</name><forward mode='none'/></network>", "mode", "\"isolated\"");
    expect_field("<network><name>a</name><forward/></network>", "mode", "\"nat\"");
    expect_field("<network><name>a</name><forward mode='route'/></network>", "mode", "\"route\"");
    expect_field("<network><name>a</name><forward mode='open'/></network>", "mode", "\"open\"");
    expect_field("<network><name>a</name><forward mode='bridge'/><bridge name='br0'/></network>",
                 "mode", "\"bridge\"");
    expect_field("<network><name>a</name><forward mode='hostdev' managed='yes'/></network>", "mode",
                 "\"other\"");
    expect_field("<network><name>a</name><forward mode='isolated'/></network>", "mode",
                 "\"other\"");
    expect_field("<network><name>a</name></network>", "uuid", "null");
    expect_field("<network><name>a</name><mtu size='big'/></network>", "mtu", "null");
}

static void test_read_prefixes(void **state)
{
    expect_field("<network><name>a</name><ip address='10.1.2.3' netmask='255.255.0.0'/></network>",
                 "ipv4",
                 "{\"address\":\"10.1.2.3\",\"prefix\":16,\"dhcp_start\":null,"
                 "\"dhcp_end\":null,\"hosts\":[]}");
    /* a netmask with holes gives no prefix */
    expect_field("<network><name>a</name><ip address='10.1.2.3' netmask='255.0.255.0'/></network>",
                 "ipv4",
                 "{\"address\":\"10.1.2.3\",\"prefix\":null,\"dhcp_start\":null,"
                 "\"dhcp_end\":null,\"hosts\":[]}");
    /* neither prefix nor netmask: libvirt's class default */
    expect_field("<network><name>a</name><ip address='172.16.0.1'/></network>", "ipv4",
                 "{\"address\":\"172.16.0.1\",\"prefix\":16,\"dhcp_start\":null,"
                 "\"dhcp_end\":null,\"hosts\":[]}");
    expect_field("<network><name>a</name><ip family='ipv6' address='fd00::1'/></network>", "ipv6",
                 "{\"address\":\"fd00::1\",\"prefix\":64,\"dhcp_start\":null,"
                 "\"dhcp_end\":null,\"hosts\":[]}");
    expect_field("<network><name>a</name><ip address='10.0.0.1' prefix='99'/></network>", "ipv4",
                 "{\"address\":\"10.0.0.1\",\"prefix\":null,\"dhcp_start\":null,"
                 "\"dhcp_end\":null,\"hosts\":[]}");
    /* an IPv6 address without family='ipv6', or garbage, is not listed */
    expect_field("<network><name>a</name><ip address='fd00::1' prefix='64'/></network>", "ipv4",
                 "null");
    expect_field("<network><name>a</name><ip address='fd00::1' prefix='64'/></network>", "ipv6",
                 "null");
    expect_field("<network><name>a</name><ip family='ipv4' address='x'/></network>", "ipv4",
                 "null");
}

static void test_read_malformed(void **state)
{
    static const char *const bad[] = {"", "not xml", "<domain><name>a</name></domain>",
                                      "<network><name>a</name>", "<?xml version='1.0'?>"};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct json_object *obj = json_object_new_object();
        struct app_error err;

        app_error_clear(&err);
        assert_int_equal(virt_network_xml_to_json(bad[i], obj, &err), -1);
        assert_int_equal(err.status, 502);
        assert_string_equal(err.code, APP_ERR_LIBVIRT);
        assert_int_equal(json_object_object_length(obj), 0);
        json_object_put(obj);
    }
}

/* What the builder writes, the reader reads back. */
static void test_round_trip(void **state)
{
    char *xml = build_ok("{\"name\":\"rt\",\"mode\":\"route\",\"forward_dev\":\"eth1\","
                         "\"ipv4\":{\"address\":\"192.168.7.1\",\"prefix\":24,"
                         "\"dhcp_start\":\"192.168.7.128\",\"dhcp_end\":\"192.168.7.254\","
                         "\"hosts\":[{\"mac\":\"52:54:00:60:7d:5d\",\"name\":\"paul\","
                         "\"ip\":\"192.168.7.2\"}]},\"mtu\":1500,\"domain\":\"net7\"}");
    struct json_object *obj = read_ok(xml);

    expect_json(obj, "{\"name\":\"rt\",\"uuid\":null,\"mode\":\"route\",\"bridge\":null,"
                     "\"forward_dev\":\"eth1\",\"mtu\":1500,\"domain\":\"net7\","
                     "\"ipv4\":{\"address\":\"192.168.7.1\",\"prefix\":24,"
                     "\"dhcp_start\":\"192.168.7.128\",\"dhcp_end\":\"192.168.7.254\","
                     "\"hosts\":[{\"mac\":\"52:54:00:60:7d:5d\",\"ip\":\"192.168.7.2\","
                     "\"name\":\"paul\"}]},\"ipv6\":null}");
    json_object_put(obj);
    free(xml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_valid),     cmocka_unit_test(test_build_nat_full),
        cmocka_unit_test(test_build_route),    cmocka_unit_test(test_build_isolated),
        cmocka_unit_test(test_build_open),     cmocka_unit_test(test_build_bridge),
        cmocka_unit_test(test_build_refusals), cmocka_unit_test(test_build_hosts_limit),
        cmocka_unit_test(test_read_default),   cmocka_unit_test(test_read_live),
        cmocka_unit_test(test_read_modes),     cmocka_unit_test(test_read_prefixes),
        cmocka_unit_test(test_read_malformed), cmocka_unit_test(test_round_trip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
