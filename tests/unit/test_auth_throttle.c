/* test_auth_throttle: backoff, keys, clearing, forgetting and the size bound of
 * auth/auth_throttle.c, driven with explicit monotonic times. Single-threaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "auth_throttle.h"

#define T0        1000000 /* an arbitrary monotonic start, in ms */
#define MINUTE_MS (60 * 1000)

static int setup(void **state)
{
    *state = auth_throttle_new();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    auth_throttle_free(*state);
    return 0;
}

static void fail_n(struct auth_throttle *t, const char *addr, const char *user, int n, int64_t now)
{
    for (int i = 0; i < n; i++)
        auth_throttle_failure(t, addr, user, now);
}

static void test_backoff_schedule(void **state)
{
    struct auth_throttle *t = *state;
    int64_t now = T0;

    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now), 0);
    auth_throttle_failure(t, "10.0.0.1", "admin", now);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now), 0);
    auth_throttle_failure(t, "10.0.0.1", "admin", now);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now), 0);

    /* 3rd failure: 1 s. Rounded up, so 1 ms short of it is still "1". */
    auth_throttle_failure(t, "10.0.0.1", "admin", now);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now), 1);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now + 999), 1);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now + 1000), 0);

    /* Then doubling from the last failure: 2, 4, 8 s ... */
    now += 1000;
    auth_throttle_failure(t, "10.0.0.1", "admin", now);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now), 2);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now + 1500), 1);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now + 2000), 0);
    now += 2000;
    auth_throttle_failure(t, "10.0.0.1", "admin", now);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now), 4);
    now += 4000;
    auth_throttle_failure(t, "10.0.0.1", "admin", now);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now), 8);

    /* ... up to 300 s at most. */
    for (int i = 0; i < 20; i++) {
        now += 1000;
        auth_throttle_failure(t, "10.0.0.1", "admin", now);
    }
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now), 300);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now + 299 * 1000), 1);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now + 300 * 1000), 0);
}

static void test_per_address(void **state)
{
    struct auth_throttle *t = *state;

    /* One address trying many names is throttled as an address ... */
    auth_throttle_failure(t, "10.0.0.2", "a", T0);
    auth_throttle_failure(t, "10.0.0.2", "b", T0);
    auth_throttle_failure(t, "10.0.0.2", "c", T0);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.2", "d", T0), 1);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.2", NULL, T0), 1);
    /* ... while others, and those names from elsewhere, are not. */
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.3", "a", T0), 0);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.3", "d", T0), 0);
}

static void test_per_user(void **state)
{
    struct auth_throttle *t = *state;

    /* Many addresses guessing one name: the name is throttled from anywhere. */
    auth_throttle_failure(t, "10.0.1.1", "admin", T0);
    auth_throttle_failure(t, "10.0.1.2", "admin", T0);
    auth_throttle_failure(t, "10.0.1.3", "admin", T0);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.1.4", "admin", T0), 1);
    assert_int_equal(auth_throttle_wait_s(t, NULL, "admin", T0), 1);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.1.4", "operator", T0), 0);
    /* Address and user name keys never mix, even for equal strings. */
    assert_int_equal(auth_throttle_wait_s(t, "admin", "x", T0), 0);
}

static void test_success_clears(void **state)
{
    struct auth_throttle *t = *state;

    fail_n(t, "10.0.2.1", "carol", 5, T0);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.2.1", "carol", T0), 4);
    auth_throttle_success(t, "10.0.2.1", "carol");
    assert_int_equal(auth_throttle_wait_s(t, "10.0.2.1", "carol", T0), 0);
    /* Counting starts over: two more failures are still free. */
    fail_n(t, "10.0.2.1", "carol", 2, T0);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.2.1", "carol", T0), 0);
    auth_throttle_failure(t, "10.0.2.1", "carol", T0);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.2.1", "carol", T0), 1);

    /* A success clears the user's counter even from another address, and that
     * address's own counter. */
    fail_n(t, "10.0.2.2", "dave", 3, T0);
    fail_n(t, "10.0.2.3", "dave", 3, T0);
    auth_throttle_success(t, "10.0.2.2", "dave");
    assert_int_equal(auth_throttle_wait_s(t, "10.0.2.2", "erin", T0), 0);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.2.9", "dave", T0), 0);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.2.3", "erin", T0), 1); /* untouched */
}

static void test_old_failures_forgotten(void **state)
{
    struct auth_throttle *t = *state;

    fail_n(t, "10.0.3.1", "frank", 10, T0);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.3.1", "frank", T0), 128);
    /* 15 minutes after the last failure it is all forgotten ... */
    assert_int_equal(auth_throttle_wait_s(t, "10.0.3.1", "frank", T0 + 15 * MINUTE_MS), 0);
    /* ... so the next failure is the first again. */
    fail_n(t, "10.0.3.1", "frank", 2, T0 + 15 * MINUTE_MS);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.3.1", "frank", T0 + 15 * MINUTE_MS), 0);

    /* Same when only failure() sees the old entry. */
    fail_n(t, "10.0.3.2", "gina", 3, T0);
    auth_throttle_failure(t, "10.0.3.2", "gina", T0 + 20 * MINUTE_MS);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.3.2", "gina", T0 + 20 * MINUTE_MS), 0);

    /* Failures inside the window keep adding up. */
    fail_n(t, "10.0.3.3", "hank", 3, T0);
    auth_throttle_failure(t, "10.0.3.3", "hank", T0 + 10 * MINUTE_MS);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.3.3", "hank", T0 + 10 * MINUTE_MS), 2);
}

static void test_table_bounded(void **state)
{
    struct auth_throttle *t = *state;
    char addr[32];
    int64_t now = T0;

    /* 4096 throttled addresses fill the table (user names left out), oldest first. */
    for (int i = 0; i < 4096; i++) {
        snprintf(addr, sizeof(addr), "192.0.2.%d/%d", i / 256, i % 256);
        fail_n(t, addr, NULL, 3, now);
    }
    assert_int_equal(auth_throttle_wait_s(t, "192.0.2.0/0", NULL, now), 1);
    /* One more key evicts the oldest, and only it. */
    auth_throttle_failure(t, "198.51.100.1", NULL, now);
    assert_int_equal(auth_throttle_wait_s(t, "192.0.2.0/0", NULL, now), 0);
    assert_int_equal(auth_throttle_wait_s(t, "192.0.2.0/1", NULL, now), 1);
    assert_int_equal(auth_throttle_wait_s(t, "192.0.2.15/255", NULL, now), 1);
}

static void test_missing_keys(void **state)
{
    struct auth_throttle *t = *state;
    char long_name[2000];

    fail_n(t, NULL, NULL, 5, T0);
    fail_n(t, "", "", 5, T0);
    assert_int_equal(auth_throttle_wait_s(t, NULL, NULL, T0), 0);
    assert_int_equal(auth_throttle_wait_s(t, "", "", T0), 0);
    auth_throttle_success(t, NULL, NULL);

    /* Huge names are accepted (and bounded inside). */
    for (size_t i = 0; i < sizeof(long_name) - 1; i++)
        long_name[i] = (char)('a' + i % 26);
    long_name[sizeof(long_name) - 1] = '\0';
    fail_n(t, "10.0.4.1", long_name, 3, T0);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.4.2", long_name, T0), 1);
    auth_throttle_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_backoff_schedule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_per_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_per_user, setup, teardown),
        cmocka_unit_test_setup_teardown(test_success_clears, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_failures_forgotten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_keys, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
