/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_auth_throttle: auth/auth_throttle.c driven with explicit monotonic times:
 * attempts counted when they begin (also from parallel threads), the pair, address
 * and user name keys with their allowances and leaks, success and cancel, forgetting,
 * the size bound. Single-threaded except test_parallel_threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth_throttle.h"

#define T0        1000000 /* an arbitrary monotonic start, in ms */
#define MINUTE_MS (60 * 1000)
#define HOUR_MS   (60 * MINUTE_MS)

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

/* n wrong passwords, each let through and left counted. */
static void fail_n(struct auth_throttle *t, const char *addr, const char *user, int n, int64_t now)
{
    for (int i = 0; i < n; i++)
        if (auth_throttle_begin(t, addr, user, now) != 0)
            fail_msg("attempt %d of %d from %s for %s refused", i + 1, n, addr ? addr : "-",
                     user ? user : "-");
}

/* naddr guessers who each try again the moment they are let through (looking once a
 * second) from start_ms until end_ms, at "admin" or at a new name each time. Returns
 * how many attempts were let through (= password checks). */
static int guess_greedily(struct auth_throttle *t, int naddr, bool many_names, int64_t start_ms,
                          int64_t end_ms)
{
    char addr[32], user[32];
    int checks = 0;

    for (int64_t now = start_ms; now < end_ms; now += 1000) {
        for (int k = 0; k < naddr; k++) {
            snprintf(addr, sizeof(addr), "10.9.%d.%d", k / 250, 1 + k % 250);
            snprintf(user, sizeof(user), many_names ? "name%d" : "admin", checks);
            while (auth_throttle_begin(t, addr, user, now) == 0) {
                checks++;
                if (many_names)
                    snprintf(user, sizeof(user), "name%d", checks);
            }
        }
    }
    return checks;
}

static void test_backoff_schedule(void **state)
{
    struct auth_throttle *t = *state;
    int64_t now = T0;

    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now), 0);
    fail_n(t, "10.0.0.1", "admin", 2, now);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now), 0);

    /* 3rd failure: 1 s. Rounded up, so 1 ms short of it is still "1". */
    fail_n(t, "10.0.0.1", "admin", 1, now);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now), 1);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now + 999), 1);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now + 1000), 0);
    /* A refused attempt says how long to wait and counts nothing. */
    for (int i = 0; i < 50; i++)
        assert_int_equal(auth_throttle_begin(t, "10.0.0.1", "admin", now + 500), 1);

    /* Then doubling from the last failure: 2, 4, 8 s ... */
    now += 1000;
    fail_n(t, "10.0.0.1", "admin", 1, now);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now), 2);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now + 1500), 1);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now + 2000), 0);
    now += 2000;
    fail_n(t, "10.0.0.1", "admin", 1, now);
    assert_int_equal(auth_throttle_begin(t, "10.0.0.1", "admin", now), 4);
    now += 4000;
    fail_n(t, "10.0.0.1", "admin", 1, now);
    assert_int_equal(auth_throttle_begin(t, "10.0.0.1", "admin", now), 8);

    /* ... up to 300 s at most. */
    for (int i = 0; i < 20; i++) {
        now += 300 * 1000;
        fail_n(t, "10.0.0.1", "admin", 1, now);
    }
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now), 300);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now + 299 * 1000), 1);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.0.1", "admin", now + 300 * 1000), 0);
}

/* The defect: attempts that start together are each counted as they start, so only
 * the free ones get through, however many arrive at once. */
static void test_parallel_attempts(void **state)
{
    struct auth_throttle *t = *state;
    int passed = 0;

    for (int i = 0; i < 500; i++) {
        int wait_s = auth_throttle_begin(t, "10.0.0.5", "admin", T0);

        if (wait_s == 0)
            passed++;
        else
            assert_int_equal(wait_s, 1);
    }
    assert_int_equal(passed, 3);
}

struct parallel_arg {
    struct auth_throttle *t;
    pthread_barrier_t *start;
    int passed;
};

static void *parallel_thread(void *opaque)
{
    struct parallel_arg *a = opaque;

    pthread_barrier_wait(a->start);
    for (int i = 0; i < 200; i++)
        if (auth_throttle_begin(a->t, "10.0.0.6", "admin", T0) == 0)
            a->passed++;
    return NULL;
}

static void test_parallel_threads(void **state)
{
    enum { THREADS = 8 };
    struct auth_throttle *t = *state;
    struct parallel_arg args[THREADS];
    pthread_t threads[THREADS];
    pthread_barrier_t start;
    int passed = 0;

    pthread_barrier_init(&start, NULL, THREADS);
    for (int i = 0; i < THREADS; i++) {
        args[i] = (struct parallel_arg){t, &start, 0};
        assert_int_equal(pthread_create(&threads[i], NULL, parallel_thread, &args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        passed += args[i].passed;
    }
    pthread_barrier_destroy(&start);
    assert_int_equal(passed, 3);
}

static void test_pair_key(void **state)
{
    struct auth_throttle *t = *state;

    /* Someone guessing admin's password from an address is stopped there ... */
    fail_n(t, "10.0.1.1", "admin", 3, T0);
    assert_int_equal(auth_throttle_begin(t, "10.0.1.1", "admin", T0), 1);
    /* ... while others behind that address (NAT) log in to their own accounts, and
     * admin logs in from elsewhere. */
    assert_int_equal(auth_throttle_wait_s(t, "10.0.1.1", "bob", T0), 0);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.1.2", "admin", T0), 0);
    /* Address and user name never mix, even for equal strings. */
    fail_n(t, "carol", "10.0.1.3", 3, T0);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.1.3", "carol", T0), 0);
}

static void test_address_ceiling(void **state)
{
    struct auth_throttle *t = *state;
    char name[32];

    /* One address trying many names: 30 failures in all are free ... */
    for (int i = 0; i < 10; i++) {
        snprintf(name, sizeof(name), "user%d", i);
        fail_n(t, "10.0.2.1", name, 3, T0);
    }
    /* ... then every name from it waits, a fresh one too ... */
    assert_int_equal(auth_throttle_begin(t, "10.0.2.1", "fresh", T0), 1);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.2.1", NULL, T0), 1);
    /* ... while those names from elsewhere do not. */
    assert_int_equal(auth_throttle_wait_s(t, "10.0.2.2", "user0", T0), 0);

    /* Beyond it the backoff doubles as for a pair: 31st at 1 s, 32nd at 3 s, 33rd at
     * 7 s, 34th at 15 s, then 16 s to wait ... */
    fail_n(t, "10.0.2.1", "late1", 1, T0 + 1000);
    fail_n(t, "10.0.2.1", "late2", 1, T0 + 3000);
    fail_n(t, "10.0.2.1", "late3", 1, T0 + 7000);
    fail_n(t, "10.0.2.1", "late4", 1, T0 + 15000);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.2.1", "late5", T0 + 29999), 2);
    /* ... but one failure leaks away per 30 s: at 30 s the count is 33 again, whose
     * 8 s have passed. */
    assert_int_equal(auth_throttle_begin(t, "10.0.2.1", "late5", T0 + 30000), 0);
    assert_int_equal(auth_throttle_begin(t, "10.0.2.1", "late6", T0 + 30000), 16);
}

static void test_user_ceiling(void **state)
{
    struct auth_throttle *t = *state;
    char addr[32];

    /* Many addresses guessing one name: 100 failures in all are free ... */
    for (int i = 0; i < 99; i++) {
        snprintf(addr, sizeof(addr), "10.3.%d.%d", i / 250, 1 + i % 250);
        fail_n(t, addr, "admin", 1, T0);
    }
    assert_int_equal(auth_throttle_wait_s(t, "10.0.3.1", "admin", T0), 0);
    fail_n(t, "10.0.3.1", "admin", 1, T0);
    /* ... then the name waits wherever it comes from; other names do not. */
    assert_int_equal(auth_throttle_begin(t, "10.0.3.2", "admin", T0), 1);
    assert_int_equal(auth_throttle_wait_s(t, NULL, "admin", T0), 1);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.3.2", "bob", T0), 0);
    /* It leaks like the address's. */
    assert_int_equal(auth_throttle_wait_s(t, "10.0.3.2", "admin", T0 + 30 * 1000), 0);
}

/* The documented numbers (auth/README.md) of a guesser who never pauses. */
static void test_allowances(void **state)
{
    struct auth_throttle *t = *state;

    /* One name from one address: 11 in the first 5 min, 13 in 15 min, then one per
     * 5 min; and the address stays open for everyone else all along. */
    assert_int_equal(guess_greedily(t, 1, false, T0, T0 + 5 * MINUTE_MS), 11);
    assert_int_equal(guess_greedily(t, 1, false, T0 + 5 * MINUTE_MS, T0 + 15 * MINUTE_MS), 2);
    assert_int_equal(guess_greedily(t, 1, false, T0 + 15 * MINUTE_MS, T0 + 24 * HOUR_MS), 285);
    assert_int_equal(auth_throttle_wait_s(t, "10.9.0.1", "bystander", T0 + 24 * HOUR_MS), 0);
    assert_int_equal(auth_throttle_wait_s(t, "10.9.0.2", "admin", T0 + 24 * HOUR_MS), 0);
}

static void test_allowance_many_names(void **state)
{
    struct auth_throttle *t = *state;
    int first, later;

    /* Many names from one address: 30 + the leak in the first 5 min, then about one
     * per 30 s. */
    first = guess_greedily(t, 1, true, T0, T0 + 5 * MINUTE_MS);
    later = guess_greedily(t, 1, true, T0 + 5 * MINUTE_MS, T0 + 65 * MINUTE_MS);
    assert_in_range(first, 40, 48);
    assert_in_range(later, 110, 125);
}

static void test_allowance_many_addresses(void **state)
{
    struct auth_throttle *t = *state;
    int first;

    /* Five addresses guessing one name together never reach its ceiling: the name
     * stays open from elsewhere ... */
    first = guess_greedily(t, 5, false, T0, T0 + 3 * HOUR_MS);
    assert_in_range(first, 200, 240);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.3.9", "admin", T0 + 3 * HOUR_MS), 0);
    /* ... a hundred get about 114 checks in 5 min and then one per 30 s. */
    auth_throttle_free(t);
    *state = t = auth_throttle_new();
    first = guess_greedily(t, 100, false, T0, T0 + 5 * MINUTE_MS);
    assert_in_range(first, 100, 120);
    assert_in_range(guess_greedily(t, 100, false, T0 + 5 * MINUTE_MS, T0 + 65 * MINUTE_MS), 110,
                    125);
}

static void test_success(void **state)
{
    struct auth_throttle *t = *state;
    char name[32];

    /* Clears the pair: counting starts over. */
    fail_n(t, "10.0.4.1", "carol", 3, T0);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.4.1", "carol", T0), 1);
    assert_int_equal(auth_throttle_begin(t, "10.0.4.1", "carol", T0 + 1000), 0);
    auth_throttle_success(t, "10.0.4.1", "carol");
    fail_n(t, "10.0.4.1", "carol", 2, T0 + 1000);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.4.1", "carol", T0 + 1000), 0);

    /* Takes the attempt back from the address, but does not clear it: a guesser cannot
     * reset the address's count by logging in to an account of its own in between. */
    for (int i = 0; i < 24; i++) {
        snprintf(name, sizeof(name), "guess%d", i);
        fail_n(t, "10.0.4.1", name, 1, T0 + 1000);
    }
    /* 5 (carol) + 24 = 29 counted */
    assert_int_equal(auth_throttle_begin(t, "10.0.4.1", "mallory", T0 + 1000), 0);
    auth_throttle_success(t, "10.0.4.1", "mallory");
    fail_n(t, "10.0.4.1", "guess-last", 1, T0 + 1000);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.4.1", "dave", T0 + 1000), 1);

    /* Same for the user name's count. */
    for (int i = 0; i < 99; i++) {
        snprintf(name, sizeof(name), "10.4.%d.%d", i / 250, 1 + i % 250);
        fail_n(t, name, "erin", 1, T0);
    }
    assert_int_equal(auth_throttle_begin(t, "10.0.4.9", "erin", T0), 0);
    auth_throttle_success(t, "10.0.4.9", "erin");
    assert_int_equal(auth_throttle_wait_s(t, "10.0.4.8", "erin", T0), 0);
    fail_n(t, "10.0.4.8", "erin", 1, T0);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.4.7", "erin", T0), 1);
}

static void test_cancel(void **state)
{
    struct auth_throttle *t = *state;

    /* Attempts that were never checked count nothing, on any key. */
    for (int i = 0; i < 500; i++) {
        assert_int_equal(auth_throttle_begin(t, "10.0.5.1", "frank", T0), 0);
        auth_throttle_cancel(t, "10.0.5.1", "frank");
    }
    assert_int_equal(auth_throttle_wait_s(t, "10.0.5.1", "frank", T0), 0);
    fail_n(t, "10.0.5.1", "frank", 2, T0);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.5.1", "frank", T0), 0);
    /* Ending an attempt nobody began, or one forgotten since, is harmless. */
    auth_throttle_cancel(t, "10.0.5.2", "gina");
    auth_throttle_success(t, "10.0.5.2", "gina");
    auth_throttle_cancel(t, NULL, NULL);
    auth_throttle_success(t, NULL, NULL);
    fail_n(t, "10.0.5.2", "gina", 3, T0);
}

static void test_old_failures_forgotten(void **state)
{
    struct auth_throttle *t = *state;
    int64_t later = T0 + 15 * MINUTE_MS;

    for (int i = 0; i < 10; i++)
        fail_n(t, "10.0.6.1", "frank", 1, T0 + (int64_t)i * 300 * 1000);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.6.1", "frank", T0 + 2700 * 1000), 128);
    /* 15 minutes after the last failure it is all forgotten ... */
    later = T0 + 2700 * 1000 + 15 * MINUTE_MS;
    assert_int_equal(auth_throttle_wait_s(t, "10.0.6.1", "frank", later), 0);
    /* ... so the next failure is the first again. */
    fail_n(t, "10.0.6.1", "frank", 2, later);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.6.1", "frank", later), 0);

    /* Same when only begin() sees the old entry. */
    fail_n(t, "10.0.6.2", "gina", 3, T0);
    fail_n(t, "10.0.6.2", "gina", 1, T0 + 20 * MINUTE_MS);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.6.2", "gina", T0 + 20 * MINUTE_MS), 0);

    /* Failures of a pair inside the window keep adding up (they do not leak). */
    fail_n(t, "10.0.6.3", "hank", 3, T0);
    fail_n(t, "10.0.6.3", "hank", 1, T0 + 10 * MINUTE_MS);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.6.3", "hank", T0 + 10 * MINUTE_MS), 2);
}

static void test_table_bounded(void **state)
{
    struct auth_throttle *t = *state;
    char addr[32];

    /* 4096 throttled addresses (user names left out: a pair and an address key each)
     * fill the table's 8192 keys, oldest first. */
    for (int i = 0; i < 4096; i++) {
        snprintf(addr, sizeof(addr), "192.0.2.%d/%d", i / 256, i % 256);
        fail_n(t, addr, NULL, 3, T0);
    }
    assert_int_equal(auth_throttle_wait_s(t, "192.0.2.0/0", NULL, T0), 1);
    /* One more address evicts the oldest address's two keys, and only them. */
    fail_n(t, "198.51.100.1", NULL, 1, T0);
    assert_int_equal(auth_throttle_wait_s(t, "192.0.2.0/0", NULL, T0), 0);
    assert_int_equal(auth_throttle_wait_s(t, "192.0.2.0/1", NULL, T0), 1);
    assert_int_equal(auth_throttle_wait_s(t, "192.0.2.15/255", NULL, T0), 1);
}

static void test_missing_keys(void **state)
{
    struct auth_throttle *t = *state;
    char long_name[2000];

    fail_n(t, NULL, NULL, 5, T0);
    fail_n(t, "", "", 5, T0);
    assert_int_equal(auth_throttle_wait_s(t, NULL, NULL, T0), 0);
    assert_int_equal(auth_throttle_wait_s(t, "", "", T0), 0);
    /* A missing user name is a name of its own for the pair. */
    fail_n(t, "10.0.7.1", "", 3, T0);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.7.1", NULL, T0), 1);
    assert_int_equal(auth_throttle_wait_s(t, "10.0.7.1", "ivy", T0), 0);

    /* Huge names are accepted and bounded inside: the first 256 bytes count. */
    for (size_t i = 0; i < sizeof(long_name) - 1; i++)
        long_name[i] = (char)('a' + i % 26);
    long_name[sizeof(long_name) - 1] = '\0';
    fail_n(t, "10.0.7.2", long_name, 3, T0);
    long_name[1000] = '\0';
    assert_int_equal(auth_throttle_wait_s(t, "10.0.7.2", long_name, T0), 1);
    long_name[100] = '\0';
    assert_int_equal(auth_throttle_wait_s(t, "10.0.7.2", long_name, T0), 0);
    auth_throttle_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_backoff_schedule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parallel_attempts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parallel_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pair_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_address_ceiling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_ceiling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allowances, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allowance_many_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allowance_many_addresses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_failures_forgotten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_keys, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
