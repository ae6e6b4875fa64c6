/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_totp: one-time passwords for the second factor (RFC 6238 TOTP over RFC 4226 HOTP,
 * HMAC-SHA-1, 6 digits, 30 s steps), the base32 text (RFC 4648) an authenticator app is
 * given, the otpauth:// URI, and one-time recovery codes.
 *
 * Pure functions over their arguments (HMAC and SHA-256 from OpenSSL, randomness from
 * RAND_bytes); no state, any thread. What is remembered per user (the secret, the last
 * accepted step, the recovery code hashes) is auth_totp_store's. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTH_TOTP_SECRET_BYTES 20 /* 160 bits, as RFC 4226 recommends for SHA-1 */
#define AUTH_TOTP_B32_LEN      32 /* base32 of 20 bytes, no padding */
#define AUTH_TOTP_DIGITS       6
#define AUTH_TOTP_STEP_S       30
#define AUTH_TOTP_WINDOW       1  /* steps accepted either side of now (clock drift) */
#define AUTH_TOTP_RECOVERY_N   10 /* recovery codes given at enrolment */
/* A recovery code as shown: 10 base32 characters in two groups, "abcde-fghij". */
#define AUTH_TOTP_RECOVERY_LEN 11
#define AUTH_TOTP_HASH_HEX     64 /* SHA-256 of a recovery code, hex */

/* Base32 (RFC 4648, upper case, no padding) of n bytes into out (outlen >= ceil(n*8/5)+1).
 * Returns the length written, or -1 when out is too small. */
int auth_totp_base32_encode(const unsigned char *in, size_t n, char *out, size_t outlen)
    __attribute__((warn_unused_result));

/* Decodes base32 text (either case; '=' padding, spaces and '-' ignored) into out.
 * Returns the number of bytes, or -1 for a character outside the alphabet, trailing bits
 * that are not zero, or more bytes than outlen. */
int auth_totp_base32_decode(const char *in, unsigned char *out, size_t outlen)
    __attribute__((warn_unused_result));

/* HOTP (RFC 4226) of counter with key: the code as a number below 10^digits (digits 6..8).
 * Returns it, or -1 when HMAC fails. */
int64_t auth_totp_hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits)
    __attribute__((warn_unused_result));

/* The time step of a wall-clock time in seconds (floor(now / 30)). */
uint64_t auth_totp_step(int64_t now_s);

/* Checks a 6-digit code (exactly six ASCII digits) against key at now_s, within
 * AUTH_TOTP_WINDOW steps either side, refusing every step <= last_step (a code is used
 * once: the caller remembers the step this returns). Returns the matching step (> 0), or
 * 0 when the code is malformed, wrong, or its step was already used. Compares in
 * constant time per step. */
uint64_t auth_totp_verify(const unsigned char *key, size_t keylen, const char *code, int64_t now_s,
                          uint64_t last_step);

/* A new random secret as base32 (AUTH_TOTP_B32_LEN chars + NUL). Returns 0 or -1. */
int auth_totp_secret_new(char out[AUTH_TOTP_B32_LEN + 1]) __attribute__((warn_unused_result));

/* The otpauth://totp/ URI an authenticator app reads (Key Uri Format): issuer and account
 * percent-encoded, the secret as given. Returns 0, or -1 when it does not fit. */
int auth_totp_uri(const char *issuer, const char *account, const char *secret_b32, char *out,
                  size_t outlen) __attribute__((warn_unused_result));

/* A new random recovery code, "xxxxx-xxxxx" (lower-case base32: 50 bits). Returns 0/-1. */
int auth_totp_recovery_new(char out[AUTH_TOTP_RECOVERY_LEN + 1])
    __attribute__((warn_unused_result));

/* The SHA-256 (hex) a recovery code is stored and compared as: of its canonical form
 * (lower case, spaces and '-' dropped), so "ABCDE FGHIJ" matches "abcde-fghij". Returns
 * 0, or -1 when code is not 10 base32 characters once canonical. */
int auth_totp_recovery_hash(const char *code, char out[AUTH_TOTP_HASH_HEX + 1])
    __attribute__((warn_unused_result));
