/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_auth_host: auth/auth_host.c — the Host rule against DNS rebinding: configured
 * names, case and trailing dots, ports, bracketed IPv6 literals compared as addresses,
 * malformed Host values, and what a daemon always answers to.
 * Pure (but for the machine's host name); single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth_host.h"

static void test_configured_names(void **state)
{
    struct auth_host_names *n = auth_host_names_new();

    (void)state;
    auth_host_names_add_list(
        n, " virtdeck.example.org , Console.Example.Org., 192.0.2.10,[2001:DB8::1],,");
    assert_true(auth_host_allowed(n, "virtdeck.example.org"));
    assert_true(auth_host_allowed(n, "VIRTDECK.example.org:9443"));
    assert_true(auth_host_allowed(n, "virtdeck.example.org."));
    assert_true(auth_host_allowed(n, "console.example.org"));
    assert_true(auth_host_allowed(n, "192.0.2.10:443"));
    assert_true(auth_host_allowed(n, "[2001:db8::1]"));
    assert_true(auth_host_allowed(n, "[2001:db8:0:0::1]:9443"));
    /* no suffix, prefix or wildcard matching */
    assert_false(auth_host_allowed(n, "evil.virtdeck.example.org"));
    assert_false(auth_host_allowed(n, "virtdeck.example.org.evil"));
    assert_false(auth_host_allowed(n, "example.org"));
    assert_false(auth_host_allowed(n, "192.0.2.1"));
    auth_host_names_free(n);
}

static void test_malformed(void **state)
{
    static const char *const bad[] = {
        "",
        ":9443",
        "virtdeck.example.org:",
        "virtdeck.example.org:x",
        "virtdeck.example.org:123456",
        "virtdeck.example.org:1:2",
        "2001:db8::1",
        "[2001:db8::1",
        "[2001:db8::1]x",
        "[virtdeck.example.org]",
        "virtdeck.example.org/x",
        "user@virtdeck.example.org",
        "virtdeck example.org",
        "virtdeck.example.org\r\n",
        ".",
        "[]",
    };
    struct auth_host_names *n = auth_host_names_new();

    (void)state;
    auth_host_names_add_list(n, "virtdeck.example.org,2001:db8::1");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (auth_host_allowed(n, bad[i]))
            fail_msg("accepted Host \"%s\"", bad[i]);
    assert_false(auth_host_allowed(n, NULL));
    auth_host_names_free(n);
}

static void test_machine_names(void **state)
{
    struct auth_host_names *n = auth_host_names_new();
    char hostname[256];

    (void)state;
    auth_host_names_add_machine(n, "127.0.0.1");
    assert_true(auth_host_allowed(n, "127.0.0.1:9443"));
    assert_true(auth_host_allowed(n, "localhost"));
    assert_true(auth_host_allowed(n, "LocalHost.:9443"));
    assert_true(auth_host_allowed(n, "[::1]:9443"));
    assert_int_equal(gethostname(hostname, sizeof(hostname)), 0);
    assert_true(auth_host_allowed(n, hostname));
    assert_false(auth_host_allowed(n, "rebind.attacker.example"));
    assert_false(auth_host_allowed(n, "10.255.255.254")); /* not a wildcard listener */
    auth_host_names_free(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_configured_names),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_machine_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
