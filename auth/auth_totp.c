/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_totp: TOTP codes, base32 and recovery codes (see auth_totp.h).
 *
 * Pure; any thread. Secrets pass through locals only, which are wiped before return.
 * A code is checked against every step of the window (no early exit), so the time it
 * takes says nothing about which step matched. */
#include "auth_totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

static const char auth_totp_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int auth_totp_base32_encode(const unsigned char *in, size_t n, char *out, size_t outlen)
{
    size_t need = (n * 8 + 4) / 5, o = 0;
    unsigned buffer = 0;
    int bits = 0;

    if (outlen < need + 1)
        return -1;
    for (size_t i = 0; i < n; i++) {
        buffer = (buffer << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = auth_totp_alphabet[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[o++] = auth_totp_alphabet[(buffer << (5 - bits)) & 31];
    out[o] = '\0';
    return (int)o;
}

/* The value of a base32 character (either case), or -1. */
static int auth_totp_base32_value(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

int auth_totp_base32_decode(const char *in, unsigned char *out, size_t outlen)
{
    unsigned buffer = 0;
    int bits = 0;
    size_t o = 0;

    for (const char *p = in; p && *p; p++) {
        int v;

        if (*p == '=' || *p == ' ' || *p == '-')
            continue;
        v = auth_totp_base32_value(*p);
        if (v < 0)
            return -1;
        buffer = ((buffer << 5) | (unsigned)v) & 0xfff;
        bits += 5;
        if (bits >= 8) {
            if (o >= outlen)
                return -1;
            out[o++] = (unsigned char)(buffer >> (bits - 8));
            bits -= 8;
        }
    }
    if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0)
        return -1; /* leftover bits must be zero padding */
    return (int)o;
}

int64_t auth_totp_hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits)
{
    static const int64_t powers[] = {1000000, 10000000, 100000000};
    unsigned char msg[8], md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    int64_t ret = -1;
    unsigned offset;
    uint32_t bin;

    if (digits < 6 || digits > 8)
        return -1;
    for (int i = 7; i >= 0; i--) {
        msg[i] = (unsigned char)(counter & 0xff);
        counter >>= 8;
    }
    if (!HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof(msg), md, &mdlen) || mdlen < 20)
        goto cleanup;
    offset = md[mdlen - 1] & 0x0f;
    bin = ((uint32_t)(md[offset] & 0x7f) << 24) | ((uint32_t)md[offset + 1] << 16) |
          ((uint32_t)md[offset + 2] << 8) | md[offset + 3];
    ret = (int64_t)(bin % (uint64_t)powers[digits - 6]);

cleanup:
    OPENSSL_cleanse(md, sizeof(md));
    return ret;
}

uint64_t auth_totp_step(int64_t now_s)
{
    return now_s < 0 ? 0 : (uint64_t)now_s / AUTH_TOTP_STEP_S;
}

uint64_t auth_totp_verify(const unsigned char *key, size_t keylen, const char *code, int64_t now_s,
                          uint64_t last_step)
{
    char want[AUTH_TOTP_DIGITS + 1], expect[24];
    uint64_t now = auth_totp_step(now_s), matched = 0;

    if (!code || strlen(code) != AUTH_TOTP_DIGITS || strspn(code, "0123456789") != AUTH_TOTP_DIGITS)
        return 0;
    memcpy(want, code, sizeof(want));
    for (int d = -AUTH_TOTP_WINDOW; d <= AUTH_TOTP_WINDOW; d++) {
        uint64_t step = now + (uint64_t)(int64_t)d;
        int64_t value;

        if (d < 0 && now < (uint64_t)-d)
            continue;
        value = auth_totp_hotp(key, keylen, step, AUTH_TOTP_DIGITS);
        if (value < 0)
            continue;
        snprintf(expect, sizeof(expect), "%06lld", (long long)value);
        if (CRYPTO_memcmp(expect, want, AUTH_TOTP_DIGITS) == 0 && step > last_step && !matched)
            matched = step;
    }
    OPENSSL_cleanse(expect, sizeof(expect));
    OPENSSL_cleanse(want, sizeof(want));
    return matched;
}

int auth_totp_secret_new(char out[AUTH_TOTP_B32_LEN + 1])
{
    unsigned char key[AUTH_TOTP_SECRET_BYTES];
    int ret = -1;

    if (RAND_bytes(key, sizeof(key)) != 1)
        goto cleanup;
    if (auth_totp_base32_encode(key, sizeof(key), out, AUTH_TOTP_B32_LEN + 1) != AUTH_TOTP_B32_LEN)
        goto cleanup;
    ret = 0;

cleanup:
    OPENSSL_cleanse(key, sizeof(key));
    return ret;
}

/* Appends s percent-encoded (RFC 3986 unreserved characters kept) at out[*o]. */
static int auth_totp_uri_put(const char *s, char *out, size_t outlen, size_t *o)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || strchr("-._~", *p);
        if (*o + (keep ? 1 : 3) >= outlen)
            return -1;
        if (keep) {
            out[(*o)++] = (char)*p;
        } else {
            out[(*o)++] = '%';
            out[(*o)++] = hex[*p >> 4];
            out[(*o)++] = hex[*p & 15];
        }
    }
    out[*o] = '\0';
    return 0;
}

int auth_totp_uri(const char *issuer, const char *account, const char *secret_b32, char *out,
                  size_t outlen)
{
    size_t o = 0;
    int n;

    n = snprintf(out, outlen, "otpauth://totp/");
    if (n < 0 || (size_t)n >= outlen)
        return -1;
    o = (size_t)n;
    if (auth_totp_uri_put(issuer, out, outlen, &o) < 0 || o + 1 >= outlen)
        return -1;
    out[o++] = ':';
    if (auth_totp_uri_put(account, out, outlen, &o) < 0)
        return -1;
    n = snprintf(out + o, outlen - o, "?secret=%s&issuer=", secret_b32);
    if (n < 0 || (size_t)n >= outlen - o)
        return -1;
    o += (size_t)n;
    if (auth_totp_uri_put(issuer, out, outlen, &o) < 0)
        return -1;
    n = snprintf(out + o, outlen - o, "&algorithm=SHA1&digits=%d&period=%d", AUTH_TOTP_DIGITS,
                 AUTH_TOTP_STEP_S);
    return n < 0 || (size_t)n >= outlen - o ? -1 : 0;
}

int auth_totp_recovery_new(char out[AUTH_TOTP_RECOVERY_LEN + 1])
{
    unsigned char bytes[10];
    int ret = -1;

    if (RAND_bytes(bytes, sizeof(bytes)) != 1)
        goto cleanup;
    for (int i = 0, o = 0; i < 10; i++) {
        if (i == 5)
            out[o++] = '-';
        out[o++] = (char)(auth_totp_alphabet[bytes[i] & 31] | 0x20); /* digits keep */
    }
    out[AUTH_TOTP_RECOVERY_LEN] = '\0';
    ret = 0;

cleanup:
    OPENSSL_cleanse(bytes, sizeof(bytes));
    return ret;
}

int auth_totp_recovery_hash(const char *code, char out[AUTH_TOTP_HASH_HEX + 1])
{
    static const char hex[] = "0123456789abcdef";
    char canon[16];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    size_t n = 0;
    int ret = -1;

    for (const char *p = code; p && *p; p++) {
        if (*p == '-' || *p == ' ')
            continue;
        if (auth_totp_base32_value(*p) < 0 || n >= 10)
            goto cleanup;
        canon[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    }
    if (n != 10)
        goto cleanup;
    if (EVP_Digest(canon, n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
        mdlen * 2 != AUTH_TOTP_HASH_HEX)
        goto cleanup;
    for (unsigned i = 0; i < mdlen; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[AUTH_TOTP_HASH_HEX] = '\0';
    ret = 0;

cleanup:
    OPENSSL_cleanse(canon, sizeof(canon));
    OPENSSL_cleanse(md, sizeof(md));
    return ret;
}
