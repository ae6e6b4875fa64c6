/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_throttle: slows down password guessing.
 *
 * A login attempt is counted when it starts, as a failure on three keys, each with
 * its own allowance of free failures, after which further attempts for that key are
 * refused (429) until a backoff passes (1 s after the last failure, doubling per
 * further failure, at most 300 s):
 *   - the user name from the address: 3 free failures, never leaking;
 *   - the address, whatever the user name: 30 free failures, one leaks away per 30 s;
 *   - the user name, from any address: 100 free failures, one leaks away per 30 s.
 * Counting at the start (under the lock) means parallel attempts cannot all pass the
 * same check. A right password takes the attempt back (and clears the pair); an
 * attempt that was never checked is taken back from every key. Counters idle for
 * 15 min are forgotten. The table is bounded (8192 keys; the oldest are evicted) so
 * a flood of addresses or names cannot grow it. auth/README.md has the reasoning.
 * Thread-safe (one mutex); no I/O, so the service thread calls it. Time is passed in
 * so tests control it. */
#pragma once

#include <stdint.h>

struct auth_throttle;

struct auth_throttle *auth_throttle_new(void);
void auth_throttle_free(struct auth_throttle *throttle);

/* Starts an attempt from address for username at now_ms (monotonic milliseconds).
 * If one of its keys must still wait, returns the seconds to wait (rounded up, at
 * least 1) and counts nothing. Otherwise counts the attempt as a failure on all its
 * keys at once and returns 0; the caller then checks the password and ends the
 * attempt with auth_throttle_success or auth_throttle_cancel, or with nothing when
 * the password was wrong (the failure stays counted). A NULL or empty address or
 * username leaves out the keys that need it. Any thread. */
int auth_throttle_begin(struct auth_throttle *throttle, const char *address, const char *username,
                        int64_t now_ms) __attribute__((warn_unused_result));

/* The attempt begun for address and username had the right password: the pair's
 * counter is cleared and the attempt is taken back from the address's and the user
 * name's (which are not cleared: a login of one's own must not reset the count of
 * someone guessing other names from the same address). Any thread. */
void auth_throttle_success(struct auth_throttle *throttle, const char *address,
                           const char *username);

/* The attempt begun for address and username was never checked (queue full,
 * database error): it is taken back from every key. Any thread. */
void auth_throttle_cancel(struct auth_throttle *throttle, const char *address,
                          const char *username);

/* Seconds an attempt from address for username would have to wait at now_ms (0 = it
 * would be let through), counting nothing. Any thread. */
int auth_throttle_wait_s(struct auth_throttle *throttle, const char *address, const char *username,
                         int64_t now_ms); /* for tests */
