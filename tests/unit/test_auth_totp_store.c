/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_auth_totp_store: the second factor's rows (auth/auth_totp_store.c) against a real
 * SQLite store in a private temp directory (removed afterwards): enrolment and its
 * conflicts, a code accepted once (the step recorded by the statement that checks it),
 * a recovery code accepted once, the requirement flag, reset. Single-threaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth_totp.h"
#include "auth_totp_store.h"
#include "auth_users.h"
#include "store/store.h"
#include "tmp_dir.h"

#define NOW   ((int64_t)2000000000)
#define ALICE "alice"

struct fixture {
    char *dir; /* owned */
    sqlite3 *db;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct app_error err = {0};

    assert_non_null(f);
    assert_non_null(f->dir = tmp_dir_make("totp-store"));
    assert_non_null(f->db = store_open(f->dir, &err));
    assert_int_equal(auth_users_add(f->db, ALICE, AUTH_ROLE_OPERATOR, "alice-password-1", &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    store_close(f->db);
    tmp_dir_remove(f->dir);
    free(f);
    return 0;
}

/* The code of step for secret (base32). */
static void code_of(const char *secret, uint64_t step, char out[24])
{
    unsigned char key[32];
    int n = auth_totp_base32_decode(secret, key, sizeof(key));

    assert_true(n > 0);
    snprintf(out, 24, "%06lld", (long long)auth_totp_hotp(key, (size_t)n, step, 6));
}

/* Enrols alice with a new secret, confirmed at NOW's step; recovery codes into codes. */
static void enrol(sqlite3 *db, char secret[AUTH_TOTP_B32_LEN + 1],
                  char codes[2][AUTH_TOTP_RECOVERY_LEN + 1])
{
    char hashes[2][AUTH_TOTP_HASH_HEX + 1];
    struct app_error err = {0};

    assert_int_equal(auth_totp_secret_new(secret), 0);
    assert_int_equal(auth_totp_store_begin(db, ALICE, secret, &err), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(auth_totp_recovery_new(codes[i]), 0);
        assert_int_equal(auth_totp_recovery_hash(codes[i], hashes[i]), 0);
    }
    assert_int_equal(auth_totp_store_enable(db, ALICE, auth_totp_step(NOW), hashes, 2, &err), 0);
}

static void test_enrolment(void **state)
{
    struct fixture *f = *state;
    struct auth_totp_state st;
    struct app_error err = {0};
    char secret[AUTH_TOTP_B32_LEN + 1], codes[2][AUTH_TOTP_RECOVERY_LEN + 1];
    char hashes[1][AUTH_TOTP_HASH_HEX + 1] = {""};

    assert_int_equal(auth_totp_store_get(f->db, ALICE, &st, &err), 0);
    assert_false(st.enabled || st.pending || st.required);
    /* confirming with nothing pending: 409 */
    assert_int_equal(auth_totp_store_enable(f->db, ALICE, 5, hashes, 0, &err), -1);
    assert_int_equal(err.status, 409);
    /* begun: pending, not enabled; a login check refuses every code */
    assert_int_equal(auth_totp_store_begin(f->db, ALICE, "JBSWY3DPEHPK3PXP", &err), 0);
    assert_int_equal(auth_totp_store_get(f->db, ALICE, &st, &err), 0);
    assert_true(st.pending && !st.enabled);
    assert_string_equal(st.secret, "JBSWY3DPEHPK3PXP");
    assert_int_equal(auth_totp_store_check(f->db, ALICE, "123456", NULL, NOW, &err), 0);
    enrol(f->db, secret, codes);
    assert_int_equal(auth_totp_store_get(f->db, ALICE, &st, &err), 0);
    assert_true(st.enabled && !st.pending);
    assert_int_equal(st.last_step, auth_totp_step(NOW));
    assert_int_equal(st.recovery_left, 2);
    /* a new secret while on: 409, the old one kept */
    app_error_clear(&err);
    assert_int_equal(auth_totp_store_begin(f->db, ALICE, "JBSWY3DPEHPK3PXP", &err), -1);
    assert_int_equal(err.status, 409);
    assert_int_equal(auth_totp_store_get(f->db, ALICE, &st, &err), 0);
    assert_string_equal(st.secret, secret);
}

static void test_code_once(void **state)
{
    struct fixture *f = *state;
    struct app_error err = {0};
    char secret[AUTH_TOTP_B32_LEN + 1], codes[2][AUTH_TOTP_RECOVERY_LEN + 1], code[24];
    uint64_t step = auth_totp_step(NOW);

    enrol(f->db, secret, codes);
    code_of(secret, step, code); /* the enrolment's own step: used */
    assert_int_equal(auth_totp_store_check(f->db, ALICE, code, NULL, NOW, &err), 0);
    code_of(secret, step + 1, code);
    assert_int_equal(auth_totp_store_check(f->db, ALICE, code, NULL, NOW, &err), 1);
    assert_int_equal(auth_totp_store_check(f->db, ALICE, code, NULL, NOW, &err), 0);
    /* thirty seconds on, the same code is still refused (its step is used) */
    assert_int_equal(auth_totp_store_check(f->db, ALICE, code, NULL, NOW + 30, &err), 0);
    code_of(secret, step + 2, code);
    assert_int_equal(auth_totp_store_check(f->db, ALICE, code, NULL, NOW + 30, &err), 1);
    /* neither given, or another user */
    assert_int_equal(auth_totp_store_check(f->db, ALICE, NULL, NULL, NOW, &err), 0);
    assert_int_equal(auth_totp_store_check(f->db, "bob", code, NULL, NOW, &err), 0);
}

static void test_recovery_once_and_reset(void **state)
{
    struct fixture *f = *state;
    struct auth_totp_state st;
    struct app_error err = {0};
    char secret[AUTH_TOTP_B32_LEN + 1], codes[2][AUTH_TOTP_RECOVERY_LEN + 1];

    enrol(f->db, secret, codes);
    assert_int_equal(auth_totp_store_check(f->db, ALICE, NULL, codes[0], NOW, &err), 1);
    assert_int_equal(auth_totp_store_check(f->db, ALICE, NULL, codes[0], NOW, &err), 0);
    assert_int_equal(auth_totp_store_check(f->db, ALICE, "", "abcde-fghij", NOW, &err), 0);
    assert_int_equal(auth_totp_store_get(f->db, ALICE, &st, &err), 0);
    assert_int_equal(st.recovery_left, 1);
    /* required: a flag of the user row; 404 for no such user */
    assert_int_equal(auth_totp_store_set_required(f->db, ALICE, true, &err), 0);
    assert_int_equal(auth_totp_store_set_required(f->db, "bob", true, &err), -1);
    assert_int_equal(err.status, 404);
    /* reset: no secret, no codes; the requirement stays */
    assert_int_equal(auth_totp_store_disable(f->db, ALICE, &err), 0);
    assert_int_equal(auth_totp_store_get(f->db, ALICE, &st, &err), 0);
    assert_true(!st.enabled && !st.pending && st.required && st.recovery_left == 0);
    assert_int_equal(auth_totp_store_check(f->db, ALICE, NULL, codes[1], NOW, &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_enrolment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_code_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recovery_once_and_reset, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
