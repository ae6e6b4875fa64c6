/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conn_limits: per-address connection accounting (see conn_limits.h).
 *
 * Service thread only. Two chained hash tables: addresses (key: family + 4 bytes for
 * IPv4, or the first 8 bytes, the /64, for IPv6; an IPv4-mapped IPv6 address counts as
 * its IPv4 address) and connections (key: the caller's conn pointer). Pending
 * connections also sit on a list in accept order; the deadline is the same for all, so
 * that order is deadline order and the head is always the next to expire. An address
 * entry lives while it has open connections, and its refusal counter while it does;
 * both tables are bounded by the number of open connections. */
#include "http/conn_limits.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define CONN_LIMITS_BUCKETS 1024 /* power of two */
#define CONN_LIMITS_WARN_MS (10 * 1000)

struct conn_limits_key {
    uint8_t family; /* AF_INET or AF_INET6 */
    uint8_t bytes[8];
};

struct conn_limits_addr {
    struct conn_limits_key key;
    int open;
    int pending;
    unsigned long refused; /* since the last warning */
    bool warned;           /* warned_ms is set */
    int64_t warned_ms;
    struct conn_limits_addr *chain; /* owned by the bucket */
};

struct conn_limits_conn {
    const void *conn; /* borrowed key; NULL while staged */
    int fd;
    struct conn_limits_addr *addr; /* borrowed from the address table */
    int64_t deadline_ms;
    bool pending;
    bool listed;                            /* on the pending list */
    struct conn_limits_conn *older, *newer; /* pending list */
    struct conn_limits_conn *chain;         /* owned by the bucket */
};

struct conn_limits {
    int max_connections;
    int max_pending;
    int64_t first_request_ms;
    struct conn_limits_addr *addrs[CONN_LIMITS_BUCKETS]; /* owned */
    struct conn_limits_conn *conns[CONN_LIMITS_BUCKETS]; /* owned */
    struct conn_limits_conn *staged;                     /* owned: admitted, not yet bound */
    struct conn_limits_conn *oldest, *newest;            /* pending list (borrowed) */
};

struct conn_limits *conn_limits_new(int max_connections, int max_pending, int64_t first_request_ms)
{
    struct conn_limits *limits = xcalloc(1, sizeof(*limits));

    limits->max_connections = max_connections;
    limits->max_pending = max_pending;
    limits->first_request_ms = first_request_ms;
    return limits;
}

void conn_limits_free(struct conn_limits *limits)
{
    if (!limits)
        return;
    for (size_t b = 0; b < CONN_LIMITS_BUCKETS; b++) {
        while (limits->conns[b]) {
            struct conn_limits_conn *c = limits->conns[b];
            limits->conns[b] = c->chain;
            free(c);
        }
        while (limits->addrs[b]) {
            struct conn_limits_addr *a = limits->addrs[b];
            limits->addrs[b] = a->chain;
            free(a);
        }
    }
    free(limits->staged);
    free(limits);
}

/* ---- keys ------------------------------------------------ */

static int conn_limits_key_of(const struct sockaddr *addr, socklen_t addrlen,
                              struct conn_limits_key *key)
{
    memset(key, 0, sizeof(*key));
    if (addr->sa_family == AF_INET && addrlen >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)addr;
        key->family = AF_INET;
        memcpy(key->bytes, &in4->sin_addr, 4);
        return 0;
    }
    if (addr->sa_family == AF_INET6 && addrlen >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            key->family = AF_INET;
            memcpy(key->bytes, in6->sin6_addr.s6_addr + 12, 4);
        } else {
            key->family = AF_INET6;
            memcpy(key->bytes, in6->sin6_addr.s6_addr, 8);
        }
        return 0;
    }
    return -1;
}

static unsigned conn_limits_hash_bytes(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    return h & (CONN_LIMITS_BUCKETS - 1);
}

static struct conn_limits_addr **conn_limits_addr_slot(struct conn_limits *limits,
                                                       const struct conn_limits_key *key)
{
    struct conn_limits_addr **pp = &limits->addrs[conn_limits_hash_bytes(key, sizeof(*key))];

    while (*pp && memcmp(&(*pp)->key, key, sizeof(*key)))
        pp = &(*pp)->chain;
    return pp;
}

static struct conn_limits_conn **conn_limits_conn_slot(struct conn_limits *limits, const void *conn)
{
    struct conn_limits_conn **pp = &limits->conns[conn_limits_hash_bytes(&conn, sizeof(conn))];

    while (*pp && (*pp)->conn != conn)
        pp = &(*pp)->chain;
    return pp;
}

/* ---- the pending list ------------------------------------------------ */

static void conn_limits_unlist(struct conn_limits *limits, struct conn_limits_conn *c)
{
    if (!c->listed)
        return;
    if (c->older)
        c->older->newer = c->newer;
    else
        limits->oldest = c->newer;
    if (c->newer)
        c->newer->older = c->older;
    else
        limits->newest = c->older;
    c->older = c->newer = NULL;
    c->listed = false;
}

static void conn_limits_list(struct conn_limits *limits, struct conn_limits_conn *c)
{
    c->older = limits->newest;
    c->newer = NULL;
    if (limits->newest)
        limits->newest->newer = c;
    else
        limits->oldest = c;
    limits->newest = c;
    c->listed = true;
}

/* ---- counting ------------------------------------------------ */

/* Releases what c counts and frees it (c is already out of the connection table). */
static void conn_limits_release(struct conn_limits *limits, struct conn_limits_conn *c)
{
    struct conn_limits_addr *a = c->addr;

    conn_limits_unlist(limits, c);
    if (c->pending)
        a->pending--;
    if (--a->open == 0) {
        struct conn_limits_addr **pp = conn_limits_addr_slot(limits, &a->key);
        *pp = a->chain;
        free(a);
    }
    free(c);
}

enum conn_limits_verdict conn_limits_admit(struct conn_limits *limits, int fd,
                                           const struct sockaddr *addr, socklen_t addrlen,
                                           int64_t now_ms, bool *warn, unsigned long *refused)
{
    struct conn_limits_key key;
    struct conn_limits_addr **slot, *a;
    struct conn_limits_conn *c;
    enum conn_limits_verdict verdict = CONN_LIMITS_ADMITTED;

    *warn = false;
    *refused = 0;
    if (limits->staged) { /* the last admit never became a connection */
        conn_limits_release(limits, limits->staged);
        limits->staged = NULL;
    }
    if (conn_limits_key_of(addr, addrlen, &key) < 0)
        key.family = 0; /* not an IP peer (none here): all such share one entry */
    slot = conn_limits_addr_slot(limits, &key);
    a = *slot;
    if (a && a->open >= limits->max_connections)
        verdict = CONN_LIMITS_TOO_MANY;
    else if (a && a->pending >= limits->max_pending)
        verdict = CONN_LIMITS_TOO_MANY_PENDING;
    if (verdict != CONN_LIMITS_ADMITTED) {
        a->refused++;
        if (!a->warned || now_ms - a->warned_ms >= CONN_LIMITS_WARN_MS) {
            *warn = true;
            *refused = a->refused;
            a->refused = 0;
            a->warned = true;
            a->warned_ms = now_ms;
        }
        return verdict;
    }
    if (!a) {
        a = xcalloc(1, sizeof(*a));
        a->key = key;
        *slot = a;
    }
    a->open++;
    a->pending++;
    c = xcalloc(1, sizeof(*c));
    c->fd = fd;
    c->addr = a;
    c->pending = true;
    c->deadline_ms = now_ms + limits->first_request_ms;
    conn_limits_list(limits, c);
    limits->staged = c;
    return CONN_LIMITS_ADMITTED;
}

void conn_limits_bind(struct conn_limits *limits, int fd, const void *conn)
{
    struct conn_limits_conn *c = limits->staged;
    struct conn_limits_conn **slot;

    if (!c || c->fd != fd || !conn)
        return;
    slot = conn_limits_conn_slot(limits, conn);
    if (*slot) /* a key still in use: the caller's bug; keep the old record */
        return;
    limits->staged = NULL;
    c->conn = conn;
    *slot = c;
}

void conn_limits_request_seen(struct conn_limits *limits, const void *conn)
{
    struct conn_limits_conn *c = *conn_limits_conn_slot(limits, conn);

    if (!c || !c->pending)
        return;
    conn_limits_unlist(limits, c);
    c->pending = false;
    c->addr->pending--;
}

void conn_limits_closed(struct conn_limits *limits, const void *conn)
{
    struct conn_limits_conn **slot = conn_limits_conn_slot(limits, conn);
    struct conn_limits_conn *c = *slot;

    if (!c)
        return;
    *slot = c->chain;
    conn_limits_release(limits, c);
}

const void *conn_limits_next_expired(struct conn_limits *limits, int64_t now_ms)
{
    struct conn_limits_conn *c = limits->oldest;

    /* a staged (unbound) record is never handed out: it has no name yet */
    if (!c || c->deadline_ms > now_ms || !c->conn)
        return NULL;
    conn_limits_unlist(limits, c);
    return c->conn;
}

int64_t conn_limits_next_deadline(const struct conn_limits *limits)
{
    return limits->oldest ? limits->oldest->deadline_ms : -1;
}

void conn_limits_count(const struct conn_limits *limits, const struct sockaddr *addr,
                       socklen_t addrlen, int *open, int *pending)
{
    struct conn_limits_key key;
    const struct conn_limits_addr *a = NULL;

    if (conn_limits_key_of(addr, addrlen, &key) == 0)
        a = *conn_limits_addr_slot((struct conn_limits *)limits, &key);
    *open = a ? a->open : 0;
    *pending = a ? a->pending : 0;
}

void conn_limits_format_addr(const struct sockaddr *addr, socklen_t addrlen, char *out,
                             size_t outlen)
{
    struct conn_limits_key key;
    char text[INET6_ADDRSTRLEN];
    unsigned char full[16] = {0};

    if (conn_limits_key_of(addr, addrlen, &key) < 0) {
        snprintf(out, outlen, "(unknown)");
        return;
    }
    if (key.family == AF_INET) {
        inet_ntop(AF_INET, key.bytes, text, sizeof(text));
        snprintf(out, outlen, "%s", text);
        return;
    }
    memcpy(full, key.bytes, 8);
    inet_ntop(AF_INET6, full, text, sizeof(text));
    snprintf(out, outlen, "%s/64", text);
}
