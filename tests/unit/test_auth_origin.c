/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_auth_origin: the Origin rule of auth/auth_origin.c. Pure logic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "auth_origin.h"

static void test_same_host(void **state)
{
    assert_true(auth_origin_allowed("https://deck1:9443", "deck1:9443", NULL));
    assert_true(auth_origin_allowed("https://127.0.0.1:9443", "127.0.0.1:9443", ""));
    assert_true(auth_origin_allowed("https://[::1]:9443", "[::1]:9443", NULL));
    assert_true(auth_origin_allowed("https://deck.example.org", "deck.example.org", NULL));
    /* Scheme and host are case-insensitive. */
    assert_true(auth_origin_allowed("HTTPS://Deck1:9443", "deck1:9443", NULL));
    assert_true(auth_origin_allowed("https://deck1:9443", "DECK1:9443", NULL));
}

static void test_foreign_or_malformed(void **state)
{
    /* Missing or empty Origin. */
    assert_false(auth_origin_allowed(NULL, "deck1:9443", NULL));
    assert_false(auth_origin_allowed("", "deck1:9443", NULL));
    assert_false(auth_origin_allowed("null", "deck1:9443", NULL));
    /* Plain http, other hosts, other ports. */
    assert_false(auth_origin_allowed("http://deck1:9443", "deck1:9443", NULL));
    assert_false(auth_origin_allowed("https://evil.example", "deck1:9443", NULL));
    assert_false(auth_origin_allowed("https://deck1:9444", "deck1:9443", NULL));
    assert_false(auth_origin_allowed("https://deck1", "deck1:9443", NULL));
    assert_false(auth_origin_allowed("https://deck1:9443", "deck1", NULL));
    assert_false(auth_origin_allowed("https://deck1:443", "deck1", NULL));
    /* No prefix or suffix tricks. */
    assert_false(auth_origin_allowed("https://deck1:9443.evil.example", "deck1:9443", NULL));
    assert_false(auth_origin_allowed("https://evil.deck1:9443", "deck1:9443", NULL));
    assert_false(auth_origin_allowed("https://deck1:9443/", "deck1:9443", NULL));
    assert_false(auth_origin_allowed("https://deck1:944", "deck1:9443", NULL));
    assert_false(auth_origin_allowed("https://", "", NULL));
    assert_false(auth_origin_allowed("https://user@deck1:9443", "user@deck1:9443", NULL));
    assert_false(auth_origin_allowed("https://deck1:9443/x", "deck1:9443/x", NULL));
    /* Without a Host only the allowed list can match. */
    assert_false(auth_origin_allowed("https://deck1:9443", NULL, NULL));
    assert_false(auth_origin_allowed("https://deck1:9443", "", ""));
}

static void test_allowed_list(void **state)
{
    const char *allowed = "https://a.example, https://b.example:8443/ ,https://C.example";

    assert_true(auth_origin_allowed("https://a.example", "deck1:9443", allowed));
    assert_true(auth_origin_allowed("https://b.example:8443", "deck1:9443", allowed));
    assert_true(auth_origin_allowed("https://c.example", "deck1:9443", allowed));
    assert_true(auth_origin_allowed("https://a.example", NULL, allowed));
    /* Self still works alongside the list. */
    assert_true(auth_origin_allowed("https://deck1:9443", "deck1:9443", allowed));

    assert_false(auth_origin_allowed("https://b.example", "deck1:9443", allowed));
    assert_false(auth_origin_allowed("https://a.example.evil", "deck1:9443", allowed));
    assert_false(auth_origin_allowed("https://a.exampl", "deck1:9443", allowed));
    assert_false(auth_origin_allowed("http://a.example", "deck1:9443", allowed));
    assert_false(auth_origin_allowed("https://d.example", "deck1:9443", allowed));
    /* Empty entries match nothing. */
    assert_false(auth_origin_allowed("", "deck1:9443", ", ,"));
    assert_false(auth_origin_allowed(" ", "deck1:9443", ", ,"));
    assert_true(auth_origin_allowed("https://x.example", "deck1:9443", ",,https://x.example,"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_host),
        cmocka_unit_test(test_foreign_or_malformed),
        cmocka_unit_test(test_allowed_list),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
