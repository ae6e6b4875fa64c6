/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_auth_totp: auth/auth_totp.c against the RFCs' own vectors (RFC 4648 base32,
 * RFC 4226 HOTP, RFC 6238 Appendix B SHA-1 rows), the ±1 step window, the refusal of a
 * step already used, the otpauth URI and the recovery codes. Pure; single-threaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth_totp.h"

static const unsigned char rfc_key[] = "12345678901234567890"; /* 20 bytes (+ NUL) */
#define RFC_KEYLEN 20

static void test_base32_vectors(void **state)
{
    static const struct {
        const char *plain, *b32;
    } v[] = {{"", ""},
             {"f", "MY"},
             {"fo", "MZXQ"},
             {"foo", "MZXW6"},
             {"foob", "MZXW6YQ"},
             {"fooba", "MZXW6YTB"},
             {"foobar", "MZXW6YTBOI"}};
    char out[32];
    unsigned char back[16];

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        size_t n = strlen(v[i].plain);
        assert_int_equal(
            auth_totp_base32_encode((const unsigned char *)v[i].plain, n, out, sizeof(out)),
            (int)strlen(v[i].b32));
        assert_string_equal(out, v[i].b32);
        assert_int_equal(auth_totp_base32_decode(v[i].b32, back, sizeof(back)), (int)n);
        assert_memory_equal(back, v[i].plain, n);
    }
    /* padding, lower case and spaces are read; the RFC's padded form too */
    assert_int_equal(auth_totp_base32_decode("mzxw 6ytb oi======", back, sizeof(back)), 6);
    assert_memory_equal(back, "foobar", 6);
    /* outside the alphabet, non-zero leftover bits, too long */
    assert_int_equal(auth_totp_base32_decode("MZXW1", back, sizeof(back)), -1);
    assert_int_equal(auth_totp_base32_decode("MZ", back, sizeof(back)), -1);
    assert_int_equal(auth_totp_base32_decode("MZXW6YTBOI", back, 5), -1);
    assert_int_equal(auth_totp_base32_encode((const unsigned char *)"foobar", 6, out, 10), -1);
}

static void test_hotp_rfc4226(void **state)
{
    static const int64_t want[] = {755224, 287082, 359152, 969429, 338314,
                                   254676, 287922, 162583, 399871, 520489};

    for (uint64_t c = 0; c < 10; c++)
        assert_int_equal(auth_totp_hotp(rfc_key, RFC_KEYLEN, c, 6), want[c]);
    assert_int_equal(auth_totp_hotp(rfc_key, RFC_KEYLEN, 0, 5), -1);
}

static void test_totp_rfc6238_sha1(void **state)
{
    static const struct {
        int64_t t;
        int64_t code;
    } v[] = {{59, 94287082},         {1111111109, 7081804},  {1111111111, 14050471},
             {1234567890, 89005924}, {2000000000, 69279037}, {20000000000, 65353130}};

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        assert_int_equal(auth_totp_hotp(rfc_key, RFC_KEYLEN, auth_totp_step(v[i].t), 8), v[i].code);
    assert_int_equal(auth_totp_step(59), 1);
    assert_int_equal(auth_totp_step(60), 2);
}

/* The 6-digit code of step, as an authenticator shows it. */
static void code_at(uint64_t step, char out[24])
{
    snprintf(out, 24, "%06lld", (long long)auth_totp_hotp(rfc_key, RFC_KEYLEN, step, 6));
}

static void test_verify_window(void **state)
{
    const int64_t now = 1234567890;
    uint64_t step = auth_totp_step(now);
    char code[24];

    code_at(step, code);
    assert_int_equal(auth_totp_verify(rfc_key, RFC_KEYLEN, code, now, 0), step);
    code_at(step - 1, code); /* one step behind: accepted */
    assert_int_equal(auth_totp_verify(rfc_key, RFC_KEYLEN, code, now, 0), step - 1);
    code_at(step + 1, code); /* one step ahead: accepted */
    assert_int_equal(auth_totp_verify(rfc_key, RFC_KEYLEN, code, now, 0), step + 1);
    code_at(step - 2, code); /* two steps away: refused */
    assert_int_equal(auth_totp_verify(rfc_key, RFC_KEYLEN, code, now, 0), 0);
    code_at(step + 2, code);
    assert_int_equal(auth_totp_verify(rfc_key, RFC_KEYLEN, code, now, 0), 0);
}

static void test_verify_refuses_reuse_and_junk(void **state)
{
    const int64_t now = 2000000000;
    uint64_t step = auth_totp_step(now);
    char code[24];

    code_at(step, code);
    /* a code whose step was already accepted is refused; so is an older one */
    assert_int_equal(auth_totp_verify(rfc_key, RFC_KEYLEN, code, now, step), 0);
    code_at(step - 1, code);
    assert_int_equal(auth_totp_verify(rfc_key, RFC_KEYLEN, code, now, step), 0);
    code_at(step + 1, code); /* a later step still works */
    assert_int_equal(auth_totp_verify(rfc_key, RFC_KEYLEN, code, now, step), step + 1);
    /* malformed codes */
    assert_int_equal(auth_totp_verify(rfc_key, RFC_KEYLEN, NULL, now, 0), 0);
    assert_int_equal(auth_totp_verify(rfc_key, RFC_KEYLEN, "", now, 0), 0);
    assert_int_equal(auth_totp_verify(rfc_key, RFC_KEYLEN, "12345", now, 0), 0);
    assert_int_equal(auth_totp_verify(rfc_key, RFC_KEYLEN, "1234567", now, 0), 0);
    assert_int_equal(auth_totp_verify(rfc_key, RFC_KEYLEN, "12a456", now, 0), 0);
    code_at(step, code);
    code[5] = (char)(code[5] == '9' ? '0' : code[5] + 1); /* one digit off */
    assert_int_equal(auth_totp_verify(rfc_key, RFC_KEYLEN, code, now, 0), 0);
}

static void test_secret_and_uri(void **state)
{
    char a[AUTH_TOTP_B32_LEN + 1], b[AUTH_TOTP_B32_LEN + 1], uri[256];
    unsigned char key[AUTH_TOTP_SECRET_BYTES + 4];

    assert_int_equal(auth_totp_secret_new(a), 0);
    assert_int_equal(auth_totp_secret_new(b), 0);
    assert_int_equal(strlen(a), AUTH_TOTP_B32_LEN);
    assert_string_not_equal(a, b);
    assert_int_equal(auth_totp_base32_decode(a, key, sizeof(key)), AUTH_TOTP_SECRET_BYTES);
    assert_int_equal(auth_totp_uri("virtdeck", "al ice@x", "JBSWY3DPEHPK3PXP", uri, sizeof(uri)),
                     0);
    assert_string_equal(uri, "otpauth://totp/virtdeck:al%20ice%40x?secret=JBSWY3DPEHPK3PXP"
                             "&issuer=virtdeck&algorithm=SHA1&digits=6&period=30");
    assert_int_equal(auth_totp_uri("virtdeck", "alice", "JBSWY3DPEHPK3PXP", uri, 40), -1);
}

static void test_recovery_codes(void **state)
{
    char code[AUTH_TOTP_RECOVERY_LEN + 1], other[AUTH_TOTP_RECOVERY_LEN + 1];
    char h1[AUTH_TOTP_HASH_HEX + 1], h2[AUTH_TOTP_HASH_HEX + 1];

    assert_int_equal(auth_totp_recovery_new(code), 0);
    assert_int_equal(auth_totp_recovery_new(other), 0);
    assert_int_equal(strlen(code), AUTH_TOTP_RECOVERY_LEN);
    assert_int_equal(code[5], '-');
    assert_string_not_equal(code, other);
    /* the same code typed another way hashes alike; another code does not */
    assert_int_equal(auth_totp_recovery_hash("abcde-fgh23", h1), 0);
    assert_int_equal(auth_totp_recovery_hash("ABCDE FGH23", h2), 0);
    assert_string_equal(h1, h2);
    assert_int_equal(auth_totp_recovery_hash("abcdefgh23", h2), 0);
    assert_string_equal(h1, h2);
    assert_int_equal(auth_totp_recovery_hash("abcde-fgh24", h2), 0);
    assert_string_not_equal(h1, h2);
    /* wrong length or alphabet */
    assert_int_equal(auth_totp_recovery_hash("abcde-fgh2", h2), -1);
    assert_int_equal(auth_totp_recovery_hash("abcde-fgh234", h2), -1);
    assert_int_equal(auth_totp_recovery_hash("abcde-fgh1", h2), -1);
    assert_int_equal(auth_totp_recovery_hash(NULL, h2), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base32_vectors),
        cmocka_unit_test(test_hotp_rfc4226),
        cmocka_unit_test(test_totp_rfc6238_sha1),
        cmocka_unit_test(test_verify_window),
        cmocka_unit_test(test_verify_refuses_reuse_and_junk),
        cmocka_unit_test(test_secret_and_uri),
        cmocka_unit_test(test_recovery_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
