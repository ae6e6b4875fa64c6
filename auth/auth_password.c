/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_password: yescrypt hashing and constant-time verification (see auth_password.h).
 *
 * Runs on worker threads and in the CLI, never on the service thread (a hash takes
 * tens of ms by design). Thread-safe: every call has its own heap struct crypt_data
 * (32 KiB, too big for a worker's stack to take lightly), wiped before it is freed.
 *
 * libcrypt refuses passphrases of CRYPT_MAX_PASSPHRASE_SIZE (512) bytes or more, but
 * the policy (auth_password_policy.h) allows up to 1024 bytes. Such long passwords are first
 * reduced to the hex SHA-256 of the password, behind a fixed prefix, in both hash and verify;
 * shorter ones go to yescrypt unchanged. */
#include "auth_password.h"

#include <crypt.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xalloc.h"

#define AUTH_PASSWORD_PREHASH_PREFIX "virtdeck-sha256:"

/* A valid yescrypt hash of a throw-away password, at libcrypt's default cost (the
 * same cost auth_password_hash uses): unknown users are checked against it so they
 * take as long as a wrong password. No password anyone uses hashes to it. */
static const char auth_password_dummy_hash[] =
    "$y$j9T$T1o7H4wpX2PgCdEC//DU/0$MDPtAvn3vZI/Wn894bFHz1p3kC9.5qsVEyw618iqoK7";

/* The text actually given to crypt_rn. Returns a heap copy the caller wipes and
 * frees, or NULL if hashing the long password failed. */
static char *auth_password_phrase(const char *password)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    size_t prefix_len = strlen(AUTH_PASSWORD_PREHASH_PREFIX);
    size_t len = strlen(password);
    char *phrase = NULL;

    if (len < CRYPT_MAX_PASSPHRASE_SIZE)
        return xstrdup(password);
    if (EVP_Digest(password, len, md, &md_len, EVP_sha256(), NULL) != 1) {
        log_error("auth_password: SHA-256 failed");
        goto cleanup;
    }
    phrase = xmalloc(prefix_len + 2 * (size_t)md_len + 1);
    memcpy(phrase, AUTH_PASSWORD_PREHASH_PREFIX, prefix_len);
    for (unsigned int i = 0; i < md_len; i++) {
        phrase[prefix_len + 2 * i] = hex[md[i] >> 4];
        phrase[prefix_len + 2 * i + 1] = hex[md[i] & 0x0f];
    }
    phrase[prefix_len + 2 * (size_t)md_len] = '\0';

cleanup:
    OPENSSL_cleanse(md, sizeof(md));
    return phrase;
}

/* Runs crypt_rn(password, setting) and returns a heap copy of the result, or NULL
 * (not logged: the caller decides whether a failure is worth a log line). */
static char *auth_password_crypt(const char *password, const char *setting)
{
    struct crypt_data *data = xcalloc(1, sizeof(*data));
    char *phrase = auth_password_phrase(password);
    char *out = NULL;
    const char *res;

    if (!phrase)
        goto cleanup;
    res = crypt_rn(phrase, setting, data, (int)sizeof(*data));
    /* A failed crypt_rn returns NULL; some libcrypt builds return "*..." instead. */
    if (!res || res[0] != '$')
        goto cleanup;
    out = xstrdup(res);

cleanup:
    if (phrase) {
        OPENSSL_cleanse(phrase, strlen(phrase));
        free(phrase);
    }
    OPENSSL_cleanse(data, sizeof(*data));
    free(data);
    return out;
}

char *auth_password_hash(const char *password)
{
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    char *out = NULL;

    if (!password) {
        log_error("auth_password: no password to hash");
        goto cleanup;
    }
    /* NULL random bytes: libcrypt draws the salt from the OS random source. */
    if (!crypt_gensalt_rn("$y$", 0, NULL, 0, salt, (int)sizeof(salt))) {
        log_error("auth_password: crypt_gensalt_rn failed: %s", strerror(errno));
        goto cleanup;
    }
    out = auth_password_crypt(password, salt);
    if (!out)
        log_error("auth_password: crypt_rn failed");

cleanup:
    OPENSSL_cleanse(salt, sizeof(salt));
    return out;
}

bool auth_password_verify(const char *password, const char *hash)
{
    bool real = hash && hash[0] == '$';
    const char *setting = real ? hash : auth_password_dummy_hash;
    char *computed = auth_password_crypt(password ? password : "", setting);
    bool ok = false;
    size_t len;

    /* The dummy path ran the same yescrypt work; it never matches. */
    if (!computed || !real || !password)
        goto cleanup;
    len = strlen(hash);
    if (strlen(computed) != len)
        goto cleanup;
    ok = CRYPTO_memcmp(computed, hash, len) == 0;

cleanup:
    if (computed) {
        OPENSSL_cleanse(computed, strlen(computed));
        free(computed);
    }
    return ok;
}
