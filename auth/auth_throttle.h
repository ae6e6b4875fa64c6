/* auth_throttle: slows down password guessing.
 *
 * Counts recent login failures per client address and per user name. After the 3rd
 * failure for a key, further attempts for that key are refused (429) until a backoff
 * passes: 1 s, doubling per failure, at most 300 s. A success clears the user's and
 * the address's counters. Failures older than 15 min are forgotten. The table is
 * bounded (4096 keys; the oldest are evicted) so a flood of addresses cannot grow it.
 * Thread-safe (one mutex); no I/O, so the service thread calls it. Time is passed in
 * so tests control it. */
#pragma once

#include <stdint.h>

struct auth_throttle;

struct auth_throttle *auth_throttle_new(void);
void auth_throttle_free(struct auth_throttle *throttle);

/* Seconds the caller must still wait before an attempt from address for username is
 * allowed (0 = go ahead). now_ms: monotonic milliseconds. */
int auth_throttle_wait_s(struct auth_throttle *throttle, const char *address, const char *username,
                         int64_t now_ms);
void auth_throttle_failure(struct auth_throttle *throttle, const char *address,
                           const char *username, int64_t now_ms);
void auth_throttle_success(struct auth_throttle *throttle, const char *address,
                           const char *username);
