/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conn_sessions: the session registry: which websockets belong to which session.
 *
 * Service thread only. A websocket joins its session's group when it is established
 * and leaves it when it closes. Ending a session (conn_sessions_end, or the
 * housekeeping timer's conn_sessions_check for every way a session ends: logout,
 * expiry, `virtdeck user passwd/del` in another process; for a websocket opened with an
 * API token, its session id "tok-<id>": the token revoked or expired, its user gone, disabled
 * or given another role) takes the
 * whole group out of the registry first, then tells each socket once through its endpoint's
 * session_ended; the sockets close on their own time (after what they still hold is
 * written). Memory: one small group per session with sockets. */
#include "http/conn.h"

#include <stdlib.h>
#include <string.h>

#include "auth_sessions.h"
#include "auth_tokens.h"
#include "http/conn_internal.h"
#include "util/xalloc.h"

#define CONN_GROUP_BUCKETS 256 /* a power of two */

/* FNV-1a over the session id (16 hex characters). */
static struct conn_group **conn_group_bucket(struct conn_server *srv, const char *id)
{
    uint32_t h = 2166136261u;

    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 16777619u;
    return &srv->groups[h & (srv->ngroups - 1)];
}

static struct conn_group *conn_group_find(struct conn_server *srv, const char *id)
{
    for (struct conn_group *g = *conn_group_bucket(srv, id); g; g = g->hash_next)
        if (!strcmp(g->id, id))
            return g;
    return NULL;
}

/* Takes g out of the registry and frees it; its conns keep a dangling pointer, so
 * they are unlinked first by the caller. */
static void conn_group_remove(struct conn_server *srv, struct conn_group *g)
{
    for (struct conn_group **pp = conn_group_bucket(srv, g->id); *pp; pp = &(*pp)->hash_next) {
        if (*pp == g) {
            *pp = g->hash_next;
            break;
        }
    }
    if (g->prev)
        g->prev->next = g->next;
    else
        srv->all = g->next;
    if (g->next)
        g->next->prev = g->prev;
    srv->group_count--;
    free(g);
}

void conn_sessions_init(struct conn_server *srv)
{
    srv->ngroups = CONN_GROUP_BUCKETS;
    srv->groups = xcalloc(srv->ngroups, sizeof(*srv->groups));
}

void conn_sessions_free(struct conn_server *srv)
{
    while (srv->all) {
        struct conn_group *g = srv->all;
        for (struct conn *c = g->first; c; c = c->group_next)
            c->group = NULL;
        conn_group_remove(srv, g);
    }
    free(srv->groups);
}

void conn_sessions_join(struct conn *conn)
{
    struct conn_server *srv = conn->srv;
    struct conn_group *g;

    if (conn->group || !conn->has_session)
        return;
    if (!(g = conn_group_find(srv, conn->session.id))) {
        struct conn_group **b = conn_group_bucket(srv, conn->session.id);
        g = xcalloc(1, sizeof(*g));
        memcpy(g->id, conn->session.id, sizeof(g->id));
        g->hash_next = *b;
        *b = g;
        g->next = srv->all;
        if (srv->all)
            srv->all->prev = g;
        srv->all = g;
        srv->group_count++;
    }
    conn->group = g;
    conn->group_prev = NULL;
    conn->group_next = g->first;
    if (g->first)
        g->first->group_prev = conn;
    g->first = conn;
    g->count++;
}

void conn_sessions_leave(struct conn *conn)
{
    struct conn_group *g = conn->group;

    if (!g)
        return;
    if (conn->group_prev)
        conn->group_prev->group_next = conn->group_next;
    else
        g->first = conn->group_next;
    if (conn->group_next)
        conn->group_next->group_prev = conn->group_prev;
    conn->group = NULL;
    conn->group_prev = conn->group_next = NULL;
    if (--g->count == 0)
        conn_group_remove(conn->srv, g);
}

/* Takes g's sockets out of the registry, frees g, then tells each socket. */
static void conn_group_end(struct conn_server *srv, struct conn_group *g)
{
    struct conn *ending = g->first;

    for (struct conn *c = ending; c; c = c->group_next)
        c->group = NULL; /* group_next still chains them until told */
    conn_group_remove(srv, g);
    while (ending) {
        struct conn *c = ending;
        const struct conn_endpoint *ep = c->slot.endpoint;

        ending = c->group_next;
        c->group_prev = c->group_next = NULL;
        if (ep && ep->session_ended)
            ep->session_ended(c);
        else
            conn_close(c, CONN_CLOSE_SESSION_ENDED, "session ended");
    }
}

void conn_sessions_end(struct conn_server *srv, const char *session_id)
{
    struct conn_group *g = conn_group_find(srv, session_id);

    if (g)
        conn_group_end(srv, g);
}

void conn_sessions_check(struct conn_server *srv)
{
    struct conn_group *g = srv->all;

    while (g) {
        struct conn_group *next = g->next;
        bool alive =
            strncmp(g->id, AUTH_TOKEN_SESSION_PREFIX, sizeof(AUTH_TOKEN_SESSION_PREFIX) - 1) != 0
                ? auth_sessions_alive(srv->sessions, g->id)
                : srv->tokens && auth_tokens_alive(srv->tokens, g->id, g->first->session.role);
        if (!alive)
            conn_group_end(srv, g);
        g = next;
    }
}

unsigned conn_sessions_count(const struct conn_server *srv)
{
    return srv->group_count;
}

unsigned conn_sessions_sockets(const struct conn_server *srv, const char *session_id)
{
    const struct conn_group *g = conn_group_find((struct conn_server *)srv, session_id);

    return g ? g->count : 0;
}
