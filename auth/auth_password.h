/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_password: password hashing with yescrypt through libcrypt.
 *
 * Blocking and deliberately slow (tens of ms): call only from worker threads or the
 * CLI, never from the service thread. Thread-safe (crypt_rn with local buffers). */
#pragma once

#include <stdbool.h>

/* Hashes password with a fresh random salt. Returns a heap "$y$..." string the caller
 * frees, or NULL (reported to the log) if libcrypt fails. */
char *auth_password_hash(const char *password) __attribute__((warn_unused_result));

/* True if password matches hash. Compares in constant time. A NULL hash runs a
 * verification against a fixed dummy hash and returns false, so an unknown user
 * costs the same time as a wrong password. */
bool auth_password_verify(const char *password, const char *hash);
