/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_auth_password: yescrypt hashing, verification and the dummy path of
 * auth/auth_password.c (the policy: test_auth_password_policy.c). Single-threaded; each hash costs
 * tens of ms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth_password.h"
#include "util/clock.h"

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);

    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_hash_format_and_salt(void **state)
{
    char *a = auth_password_hash("correct horse");
    char *b = auth_password_hash("correct horse");

    assert_non_null(a);
    assert_non_null(b);
    assert_memory_equal(a, "$y$", 3);
    assert_memory_equal(b, "$y$", 3);
    /* Fresh salt each time: same password, different hashes. */
    assert_string_not_equal(a, b);
    /* The password itself never appears in the hash. */
    assert_null(strstr(a, "correct horse"));
    free(a);
    free(b);
}

static void test_verify(void **state)
{
    char *hash = auth_password_hash("s3cret!");
    char *truncated;

    assert_non_null(hash);
    assert_true(auth_password_verify("s3cret!", hash));
    assert_false(auth_password_verify("s3cret", hash));
    assert_false(auth_password_verify("s3cret!!", hash));
    assert_false(auth_password_verify("S3cret!", hash));
    assert_false(auth_password_verify("", hash));
    assert_false(auth_password_verify(NULL, hash));

    /* A damaged hash matches nothing. */
    truncated = strdup(hash);
    assert_non_null(truncated);
    truncated[strlen(truncated) - 3] = '\0';
    assert_false(auth_password_verify("s3cret!", truncated));
    free(truncated);
    free(hash);
}

static void test_unusable_hashes(void **state)
{
    assert_false(auth_password_verify("anything", NULL));
    assert_false(auth_password_verify("", NULL));
    assert_false(auth_password_verify(NULL, NULL));
    assert_false(auth_password_verify("anything", ""));
    assert_false(auth_password_verify("anything", "!locked"));
    assert_false(auth_password_verify("anything", "*"));
    assert_false(auth_password_verify("anything", "$y$garbage"));
}

static int64_t time_verify_us(const char *password, const char *hash)
{
    int64_t best = INT64_MAX;

    /* Best of three, so a descheduled run does not decide the comparison. */
    for (int i = 0; i < 3; i++) {
        int64_t t0 = clock_mono_us();
        (void)auth_password_verify(password, hash);
        int64_t dt = clock_mono_us() - t0;
        if (dt < best)
            best = dt;
    }
    return best;
}

static void test_unknown_user_costs_a_hash(void **state)
{
    char *hash = auth_password_hash("pw");
    int64_t real_us;
    int64_t dummy_us;

    assert_non_null(hash);
    real_us = time_verify_us("wrong", hash);
    dummy_us = time_verify_us("wrong", NULL);
    print_message("wrong password: %lld us, unknown user: %lld us\n", (long long)real_us,
                  (long long)dummy_us);
    /* yescrypt at the default cost takes milliseconds; a skipped hash takes microseconds. */
    assert_true(real_us > 1000);
    assert_true(dummy_us * 4 > real_us);
    assert_true(real_us * 4 > dummy_us);
    free(hash);
}

static void test_long_passwords(void **state)
{
    /* Past libcrypt's 511-byte limit: still hashed, and every byte still counts. */
    char *long_pw = repeat('a', 1000);
    char *other = repeat('a', 1000);
    char *limit = repeat('b', 1024);
    char *hash;

    other[999] = 'b';
    hash = auth_password_hash(long_pw);
    assert_non_null(hash);
    assert_true(auth_password_verify(long_pw, hash));
    assert_false(auth_password_verify(other, hash));
    long_pw[600] = '\0';
    assert_false(auth_password_verify(long_pw, hash));
    free(hash);

    hash = auth_password_hash(limit);
    assert_non_null(hash);
    assert_true(auth_password_verify(limit, hash));
    free(hash);

    /* Just under and at the limit of what libcrypt takes directly. */
    for (size_t n = 510; n <= 512; n++) {
        char *pw = repeat('c', n);
        hash = auth_password_hash(pw);
        assert_non_null(hash);
        assert_true(auth_password_verify(pw, hash));
        pw[n - 1] = 'd';
        assert_false(auth_password_verify(pw, hash));
        free(hash);
        free(pw);
    }
    free(long_pw);
    free(other);
    free(limit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_format_and_salt),
        cmocka_unit_test(test_verify),
        cmocka_unit_test(test_unusable_hashes),
        cmocka_unit_test(test_unknown_user_costs_a_hash),
        cmocka_unit_test(test_long_passwords),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
