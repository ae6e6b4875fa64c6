/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_throttle: login attempt counters with exponential backoff (see auth_throttle.h).
 *
 * Any thread calls it (no I/O, O(1) per call); `lock` guards everything. The three
 * keys of an attempt are strings: "p:<address> <name>" (an address never holds a
 * space, so pairs cannot collide), "a:<address>" and "u:<name>"; each entry has its
 * kind's rule (free failures, leak period), its failure count, the time of its last
 * failure and the time its leak is counted from. Entries sit in a hash table (seeded
 * hash, so chosen keys cannot pile into one bucket on purpose) and on a list ordered
 * by last failure, oldest first: stale entries are pruned from its head and, when the
 * table is full, the oldest entry is evicted. Each part of a key is truncated to
 * AUTH_THROTTLE_PART_MAX bytes, so memory stays bounded whatever is sent. */
#include "auth_throttle.h"

#include <openssl/rand.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/xalloc.h"

#define AUTH_THROTTLE_MAX_KEYS       8192
#define AUTH_THROTTLE_BUCKETS        16384 /* power of two */
#define AUTH_THROTTLE_BASE_MS        1000
#define AUTH_THROTTLE_MAX_BACKOFF_MS (300 * 1000)
#define AUTH_THROTTLE_FORGET_MS      (15 * 60 * 1000)
#define AUTH_THROTTLE_PART_MAX       256
#define AUTH_THROTTLE_KEY_BUF        (2 + AUTH_THROTTLE_PART_MAX + 1 + AUTH_THROTTLE_PART_MAX + 1)
#define AUTH_THROTTLE_FAILURES_CAP   1000000

enum auth_throttle_kind {
    AUTH_THROTTLE_PAIR,    /* one user name from one address */
    AUTH_THROTTLE_ADDRESS, /* every user name from one address */
    AUTH_THROTTLE_USER,    /* one user name from every address */
    AUTH_THROTTLE_KINDS,
};

struct auth_throttle_rule {
    int free_failures; /* failures before the backoff starts */
    int64_t leak_ms;   /* one failure is forgotten per leak_ms (0: none) */
};

static const struct auth_throttle_rule auth_throttle_rules[AUTH_THROTTLE_KINDS] = {
    [AUTH_THROTTLE_PAIR] = {3, 0},
    [AUTH_THROTTLE_ADDRESS] = {30, 30 * 1000},
    [AUTH_THROTTLE_USER] = {100, 30 * 1000},
};

struct auth_throttle_entry {
    struct auth_throttle_entry *chain; /* borrowed: next in bucket */
    struct auth_throttle_entry *older; /* borrowed: age list neighbours */
    struct auth_throttle_entry *newer; /* borrowed */
    uint64_t hash;
    enum auth_throttle_kind kind;
    int failures;
    int64_t last_failure_ms;
    int64_t leak_from_ms; /* leaked failures are counted up to here */
    char key[];           /* "p:...", "a:..." or "u:..." */
};

/* The keys of one attempt; has[kind] false when the attempt has no such key. */
struct auth_throttle_keys {
    bool has[AUTH_THROTTLE_KINDS];
    char key[AUTH_THROTTLE_KINDS][AUTH_THROTTLE_KEY_BUF];
};

struct auth_throttle {
    pthread_mutex_t lock;
    uint64_t seed;
    struct auth_throttle_entry *buckets[AUTH_THROTTLE_BUCKETS]; /* guarded by lock; owned */
    struct auth_throttle_entry *oldest;                         /* guarded by lock; borrowed */
    struct auth_throttle_entry *newest;                         /* guarded by lock; borrowed */
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

/* Fills k with the keys of an attempt from address for username (parts truncated).
 * The pair needs an address; a missing user name counts there as "". */
static void auth_throttle_keys_make(struct auth_throttle_keys *k, const char *address,
                                    const char *username)
{
    bool has_address = address && address[0];
    bool has_username = username && username[0];

    memset(k->has, 0, sizeof(k->has));
    if (has_address) {
        k->has[AUTH_THROTTLE_PAIR] = true;
        snprintf(k->key[AUTH_THROTTLE_PAIR], AUTH_THROTTLE_KEY_BUF, "p:%.*s %.*s",
                 AUTH_THROTTLE_PART_MAX, address, AUTH_THROTTLE_PART_MAX,
                 has_username ? username : "");
        k->has[AUTH_THROTTLE_ADDRESS] = true;
        snprintf(k->key[AUTH_THROTTLE_ADDRESS], AUTH_THROTTLE_KEY_BUF, "a:%.*s",
                 AUTH_THROTTLE_PART_MAX, address);
    }
    if (has_username) {
        k->has[AUTH_THROTTLE_USER] = true;
        snprintf(k->key[AUTH_THROTTLE_USER], AUTH_THROTTLE_KEY_BUF, "u:%.*s",
                 AUTH_THROTTLE_PART_MAX, username);
    }
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

/* Forgets the failures e's rule lets leak away up to now_ms. */
static void auth_throttle_leak(struct auth_throttle_entry *e, int64_t now_ms)
{
    int64_t leak_ms = auth_throttle_rules[e->kind].leak_ms;
    int64_t leaked;

    if (leak_ms == 0 || now_ms <= e->leak_from_ms)
        return;
    leaked = (now_ms - e->leak_from_ms) / leak_ms;
    if (leaked >= e->failures) {
        /* Nothing left: the next failure starts a fresh leak period. */
        e->failures = 0;
        e->leak_from_ms = now_ms;
        return;
    }
    e->failures -= (int)leaked;
    e->leak_from_ms += leaked * leak_ms;
}

/* The live entry for key at now_ms, or NULL (a stale one is removed on the way).
 * Caller holds lock. */
static struct auth_throttle_entry *auth_throttle_get(struct auth_throttle *t, const char *key,
                                                     uint64_t hash, int64_t now_ms)
{
    struct auth_throttle_entry *e = auth_throttle_find(t, key, hash);

    if (e && auth_throttle_stale(e, now_ms)) {
        auth_throttle_remove(t, e);
        return NULL;
    }
    if (e)
        auth_throttle_leak(e, now_ms);
    return e;
}

/* Milliseconds that key must still wait at now_ms. Caller holds lock. */
static int64_t auth_throttle_wait_key(struct auth_throttle *t, const char *key, int64_t now_ms)
{
    struct auth_throttle_entry *e = auth_throttle_get(t, key, auth_throttle_hash(t, key), now_ms);
    int64_t backoff_ms = AUTH_THROTTLE_BASE_MS;
    int64_t until;
    int free_failures;

    if (!e)
        return 0;
    free_failures = auth_throttle_rules[e->kind].free_failures;
    if (e->failures < free_failures)
        return 0;
    /* 1 s after the last free failure, doubling with each further one. */
    for (int i = free_failures; i < e->failures && backoff_ms < AUTH_THROTTLE_MAX_BACKOFF_MS; i++)
        backoff_ms *= 2;
    if (backoff_ms > AUTH_THROTTLE_MAX_BACKOFF_MS)
        backoff_ms = AUTH_THROTTLE_MAX_BACKOFF_MS;
    until = e->last_failure_ms + backoff_ms;
    return until > now_ms ? until - now_ms : 0;
}

/* Milliseconds the attempt with keys k must still wait: its longest wait. Caller
 * holds lock. */
static int64_t auth_throttle_wait_keys(struct auth_throttle *t, const struct auth_throttle_keys *k,
                                       int64_t now_ms)
{
    int64_t wait_ms = 0;

    for (int kind = 0; kind < AUTH_THROTTLE_KINDS; kind++) {
        int64_t w = k->has[kind] ? auth_throttle_wait_key(t, k->key[kind], now_ms) : 0;

        wait_ms = w > wait_ms ? w : wait_ms;
    }
    return wait_ms;
}

/* Whole seconds, rounded up: telling a client to come back early would only earn it
 * another 429. */
static int auth_throttle_seconds(int64_t wait_ms)
{
    return (int)((wait_ms + 999) / 1000);
}

/* Counts one failure of kind for key at now_ms. Caller holds lock. */
static void auth_throttle_count(struct auth_throttle *t, enum auth_throttle_kind kind,
                                const char *key, int64_t now_ms)
{
    uint64_t hash = auth_throttle_hash(t, key);
    struct auth_throttle_entry *e = auth_throttle_get(t, key, hash, now_ms);
    size_t key_len;
    size_t b;

    if (!e) {
        if (t->count >= AUTH_THROTTLE_MAX_KEYS)
            auth_throttle_remove(t, t->oldest);
        key_len = strlen(key);
        e = xcalloc(1, sizeof(*e) + key_len + 1);
        memcpy(e->key, key, key_len + 1);
        e->hash = hash;
        e->kind = kind;
        e->leak_from_ms = now_ms;
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

int auth_throttle_begin(struct auth_throttle *throttle, const char *address, const char *username,
                        int64_t now_ms)
{
    struct auth_throttle_keys k;
    int64_t wait_ms;

    auth_throttle_keys_make(&k, address, username);
    pthread_mutex_lock(&throttle->lock);
    while (throttle->oldest && auth_throttle_stale(throttle->oldest, now_ms))
        auth_throttle_remove(throttle, throttle->oldest);
    wait_ms = auth_throttle_wait_keys(throttle, &k, now_ms);
    if (wait_ms == 0) {
        for (int kind = 0; kind < AUTH_THROTTLE_KINDS; kind++)
            if (k.has[kind])
                auth_throttle_count(throttle, (enum auth_throttle_kind)kind, k.key[kind], now_ms);
    }
    pthread_mutex_unlock(&throttle->lock);
    return auth_throttle_seconds(wait_ms);
}

/* Takes one counted failure back from key (all of them when clear). The backoff
 * clock is not wound back. Caller holds lock. */
static void auth_throttle_refund(struct auth_throttle *t, const char *key, bool clear)
{
    struct auth_throttle_entry *e = auth_throttle_find(t, key, auth_throttle_hash(t, key));

    if (!e)
        return; /* forgotten or evicted meanwhile */
    if (clear || e->failures <= 1)
        auth_throttle_remove(t, e);
    else
        e->failures--;
}

/* Ends an attempt: takes it back from each of its keys, clearing the pair if
 * clear_pair. */
static void auth_throttle_end(struct auth_throttle *t, const char *address, const char *username,
                              bool clear_pair)
{
    struct auth_throttle_keys k;

    auth_throttle_keys_make(&k, address, username);
    pthread_mutex_lock(&t->lock);
    for (int kind = 0; kind < AUTH_THROTTLE_KINDS; kind++)
        if (k.has[kind])
            auth_throttle_refund(t, k.key[kind], clear_pair && kind == AUTH_THROTTLE_PAIR);
    pthread_mutex_unlock(&t->lock);
}

void auth_throttle_success(struct auth_throttle *throttle, const char *address,
                           const char *username)
{
    auth_throttle_end(throttle, address, username, true);
}

void auth_throttle_cancel(struct auth_throttle *throttle, const char *address, const char *username)
{
    auth_throttle_end(throttle, address, username, false);
}

int auth_throttle_wait_s(struct auth_throttle *throttle, const char *address, const char *username,
                         int64_t now_ms)
{
    struct auth_throttle_keys k;
    int64_t wait_ms;

    auth_throttle_keys_make(&k, address, username);
    pthread_mutex_lock(&throttle->lock);
    wait_ms = auth_throttle_wait_keys(throttle, &k, now_ms);
    pthread_mutex_unlock(&throttle->lock);
    return auth_throttle_seconds(wait_ms);
}
