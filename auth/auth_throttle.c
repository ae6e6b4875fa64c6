/* auth_throttle: login failure counters with exponential backoff (see auth_throttle.h).
 *
 * The service thread calls it (no I/O, O(1) per call); `lock` guards everything.
 * An address and a user name are separate keys ("a:<address>", "u:<name>"), each
 * with its failure count and the time of its last failure. Entries sit in a hash
 * table (seeded hash, so chosen keys cannot pile into one bucket on purpose) and on
 * a list ordered by last failure, oldest first: stale entries are pruned from its
 * head and, when the table is full, the oldest entry is evicted. Keys are truncated
 * to AUTH_THROTTLE_KEY_MAX bytes, so memory stays bounded whatever is sent. */
#include "auth_throttle.h"

#include <openssl/rand.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/xalloc.h"

#define AUTH_THROTTLE_MAX_KEYS       4096
#define AUTH_THROTTLE_BUCKETS        8192 /* power of two */
#define AUTH_THROTTLE_FREE_FAILURES  3
#define AUTH_THROTTLE_BASE_MS        1000
#define AUTH_THROTTLE_MAX_BACKOFF_MS (300 * 1000)
#define AUTH_THROTTLE_FORGET_MS      (15 * 60 * 1000)
#define AUTH_THROTTLE_KEY_MAX        256
#define AUTH_THROTTLE_FAILURES_CAP   1000000

struct auth_throttle_entry {
    struct auth_throttle_entry *chain; /* next in bucket */
    struct auth_throttle_entry *older; /* age list neighbours */
    struct auth_throttle_entry *newer;
    uint64_t hash;
    int failures;
    int64_t last_failure_ms;
    char key[]; /* "a:..." or "u:..." */
};

struct auth_throttle {
    pthread_mutex_t lock;
    uint64_t seed;
    struct auth_throttle_entry *buckets[AUTH_THROTTLE_BUCKETS]; /* guarded by lock; owned */
    struct auth_throttle_entry *oldest;                         /* guarded by lock */
    struct auth_throttle_entry *newest;                         /* guarded by lock */
    size_t count;                                               /* guarded by lock */
};

static uint64_t auth_throttle_hash(const struct auth_throttle *t, const char *key)
{
    /* FNV-1a, started from a per-table random seed. */
    uint64_t h = 0xcbf29ce484222325ULL ^ t->seed;

    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

struct auth_throttle *auth_throttle_new(void)
{
    struct auth_throttle *t = xcalloc(1, sizeof(*t));

    pthread_mutex_init(&t->lock, NULL);
    if (RAND_bytes((unsigned char *)&t->seed, sizeof(t->seed)) != 1)
        t->seed = (uint64_t)clock_mono_us();
    return t;
}

/* Takes e off the age list (it stays in the table). Caller holds lock. */
static void auth_throttle_age_unlink(struct auth_throttle *t, struct auth_throttle_entry *e)
{
    if (e->older)
        e->older->newer = e->newer;
    else
        t->oldest = e->newer;
    if (e->newer)
        e->newer->older = e->older;
    else
        t->newest = e->older;
    e->older = NULL;
    e->newer = NULL;
}

/* Removes e from the table and the age list and frees it. Caller holds lock. */
static void auth_throttle_remove(struct auth_throttle *t, struct auth_throttle_entry *e)
{
    struct auth_throttle_entry **pp = &t->buckets[e->hash & (AUTH_THROTTLE_BUCKETS - 1)];

    while (*pp && *pp != e)
        pp = &(*pp)->chain;
    if (*pp)
        *pp = e->chain;
    auth_throttle_age_unlink(t, e);
    t->count--;
    free(e);
}

void auth_throttle_free(struct auth_throttle *throttle)
{
    if (!throttle)
        return;
    while (throttle->oldest)
        auth_throttle_remove(throttle, throttle->oldest);
    pthread_mutex_destroy(&throttle->lock);
    free(throttle);
}

/* Writes "<kind>:<value>" (value truncated) into key. False if value is NULL/empty. */
static bool auth_throttle_key(char kind, const char *value, char key[AUTH_THROTTLE_KEY_MAX + 3])
{
    if (!value || !value[0])
        return false;
    snprintf(key, AUTH_THROTTLE_KEY_MAX + 3, "%c:%.*s", kind, AUTH_THROTTLE_KEY_MAX, value);
    return true;
}

static struct auth_throttle_entry *auth_throttle_find(struct auth_throttle *t, const char *key,
                                                      uint64_t hash)
{
    struct auth_throttle_entry *e = t->buckets[hash & (AUTH_THROTTLE_BUCKETS - 1)];

    while (e && (e->hash != hash || strcmp(e->key, key) != 0))
        e = e->chain;
    return e;
}

static bool auth_throttle_stale(const struct auth_throttle_entry *e, int64_t now_ms)
{
    return now_ms - e->last_failure_ms >= AUTH_THROTTLE_FORGET_MS;
}

/* Milliseconds that key must still wait at now_ms (forgetting it if stale). */
static int64_t auth_throttle_wait_key(struct auth_throttle *t, const char *key, int64_t now_ms)
{
    struct auth_throttle_entry *e = auth_throttle_find(t, key, auth_throttle_hash(t, key));
    int64_t backoff_ms = AUTH_THROTTLE_BASE_MS;
    int64_t until;

    if (!e)
        return 0;
    if (auth_throttle_stale(e, now_ms)) {
        auth_throttle_remove(t, e);
        return 0;
    }
    if (e->failures < AUTH_THROTTLE_FREE_FAILURES)
        return 0;
    /* 1 s after the 3rd failure, doubling with each further one. */
    for (int i = AUTH_THROTTLE_FREE_FAILURES;
         i < e->failures && backoff_ms < AUTH_THROTTLE_MAX_BACKOFF_MS; i++)
        backoff_ms *= 2;
    if (backoff_ms > AUTH_THROTTLE_MAX_BACKOFF_MS)
        backoff_ms = AUTH_THROTTLE_MAX_BACKOFF_MS;
    until = e->last_failure_ms + backoff_ms;
    return until > now_ms ? until - now_ms : 0;
}

int auth_throttle_wait_s(struct auth_throttle *throttle, const char *address, const char *username,
                         int64_t now_ms)
{
    char key[AUTH_THROTTLE_KEY_MAX + 3];
    int64_t wait_ms = 0;
    int64_t w;

    pthread_mutex_lock(&throttle->lock);
    if (auth_throttle_key('a', address, key)) {
        w = auth_throttle_wait_key(throttle, key, now_ms);
        wait_ms = w > wait_ms ? w : wait_ms;
    }
    if (auth_throttle_key('u', username, key)) {
        w = auth_throttle_wait_key(throttle, key, now_ms);
        wait_ms = w > wait_ms ? w : wait_ms;
    }
    pthread_mutex_unlock(&throttle->lock);
    /* Round up: telling a client to come back early would only earn it another 429. */
    return (int)((wait_ms + 999) / 1000);
}

/* Counts one failure for key at now_ms. Caller holds lock. */
static void auth_throttle_count(struct auth_throttle *t, const char *key, int64_t now_ms)
{
    uint64_t hash = auth_throttle_hash(t, key);
    struct auth_throttle_entry *e = auth_throttle_find(t, key, hash);
    size_t key_len;
    size_t b;

    if (e && auth_throttle_stale(e, now_ms)) {
        auth_throttle_remove(t, e);
        e = NULL;
    }
    if (!e) {
        if (t->count >= AUTH_THROTTLE_MAX_KEYS)
            auth_throttle_remove(t, t->oldest);
        key_len = strlen(key);
        e = xcalloc(1, sizeof(*e) + key_len + 1);
        memcpy(e->key, key, key_len + 1);
        e->hash = hash;
        b = hash & (AUTH_THROTTLE_BUCKETS - 1);
        e->chain = t->buckets[b];
        t->buckets[b] = e;
        t->count++;
    } else {
        /* It goes back in as the newest below. */
        auth_throttle_age_unlink(t, e);
    }
    if (e->failures < AUTH_THROTTLE_FAILURES_CAP)
        e->failures++;
    e->last_failure_ms = now_ms;
    e->older = t->newest;
    e->newer = NULL;
    if (t->newest)
        t->newest->newer = e;
    else
        t->oldest = e;
    t->newest = e;
}

void auth_throttle_failure(struct auth_throttle *throttle, const char *address,
                           const char *username, int64_t now_ms)
{
    char key[AUTH_THROTTLE_KEY_MAX + 3];

    pthread_mutex_lock(&throttle->lock);
    while (throttle->oldest && auth_throttle_stale(throttle->oldest, now_ms))
        auth_throttle_remove(throttle, throttle->oldest);
    if (auth_throttle_key('a', address, key))
        auth_throttle_count(throttle, key, now_ms);
    if (auth_throttle_key('u', username, key))
        auth_throttle_count(throttle, key, now_ms);
    pthread_mutex_unlock(&throttle->lock);
}

void auth_throttle_success(struct auth_throttle *throttle, const char *address,
                           const char *username)
{
    char key[AUTH_THROTTLE_KEY_MAX + 3];
    struct auth_throttle_entry *e;

    pthread_mutex_lock(&throttle->lock);
    if (auth_throttle_key('a', address, key) &&
        (e = auth_throttle_find(throttle, key, auth_throttle_hash(throttle, key))))
        auth_throttle_remove(throttle, e);
    if (auth_throttle_key('u', username, key) &&
        (e = auth_throttle_find(throttle, key, auth_throttle_hash(throttle, key))))
        auth_throttle_remove(throttle, e);
    pthread_mutex_unlock(&throttle->lock);
}
