/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_subnet: server/virt/virt_subnet.c — overlap of IPv4 and IPv6 subnets
 * (equal, containment both ways, adjacent, other family) and the "net/prefix" text.
 * Single thread. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "virt/virt_subnet.h"

static struct virt_subnet subnet(const char *address, unsigned prefix)
{
    struct virt_subnet s;
    int family = strchr(address, ':') ? AF_INET6 : AF_INET;

    assert_int_equal(virt_subnet_parse(address, family, prefix, &s), 0);
    return s;
}

static bool overlap(const char *a, unsigned pa, const char *b, unsigned pb)
{
    struct virt_subnet x = subnet(a, pa), y = subnet(b, pb);
    bool ab = virt_subnet_overlap(&x, &y);

    assert_int_equal(ab, virt_subnet_overlap(&y, &x)); /* symmetric */
    return ab;
}

static void test_ipv4(void **state)
{
    (void)state;
    assert_true(overlap("192.168.122.1", 24, "192.168.122.0", 24));
    assert_true(overlap("192.168.122.1", 24, "192.168.122.200", 25));  /* a contains b */
    assert_true(overlap("192.168.122.1", 24, "192.168.0.1", 16));      /* b contains a */
    assert_true(overlap("10.1.2.3", 32, "10.1.2.3", 32));              /* one host */
    assert_true(overlap("10.0.0.1", 0, "192.168.1.1", 24));            /* everything */
    assert_false(overlap("192.168.122.1", 24, "192.168.123.1", 24));   /* adjacent */
    assert_false(overlap("192.168.122.1", 25, "192.168.122.129", 25)); /* adjacent halves */
    assert_false(overlap("10.0.0.1", 8, "11.0.0.1", 8));
}

static void test_ipv6(void **state)
{
    (void)state;
    assert_true(overlap("fd00:1::1", 64, "fd00:1::", 64));
    assert_true(overlap("fd00:1::1", 64, "fd00:1::8000:0:0:1", 65)); /* a contains b */
    assert_true(overlap("fd00:1::1", 64, "fd00::1", 16));            /* b contains a */
    assert_false(overlap("fd00:1::1", 64, "fd00:2::1", 64));         /* adjacent */
    assert_false(overlap("fd00:1::1", 65, "fd00:1::8000:0:0:1", 65));
}

static void test_families(void **state)
{
    struct virt_subnet v4 = subnet("0.0.0.0", 0), v6 = subnet("::", 0);

    (void)state;
    assert_false(virt_subnet_overlap(&v4, &v6));
    assert_int_equal(virt_subnet_parse("fd00::1", AF_INET, 24, &v4), -1);
    assert_int_equal(virt_subnet_parse("10.0.0.1", AF_INET6, 64, &v6), -1);
    assert_int_equal(virt_subnet_parse("10.0.0.1", AF_INET, 33, &v4), -1);
    assert_int_equal(virt_subnet_parse("fd00::1", AF_INET6, 129, &v6), -1);
    assert_int_equal(virt_subnet_parse(NULL, AF_INET, 24, &v4), -1);
}

static void test_format(void **state)
{
    struct virt_subnet s = subnet("192.168.122.1", 24);
    char text[VIRT_SUBNET_TEXT_MAX];

    (void)state;
    virt_subnet_format(&s, text, sizeof(text));
    assert_string_equal(text, "192.168.122.0/24");
    s = subnet("fd00:1::abcd", 64);
    virt_subnet_format(&s, text, sizeof(text));
    assert_string_equal(text, "fd00:1::/64");
    s = subnet("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128);
    virt_subnet_format(&s, text, sizeof(text));
    assert_string_equal(text, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_families),
        cmocka_unit_test(test_format),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
