/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tls_read_guard: SSL_read() interposed to feed ws_frame_guard (see tls_read_guard.h).
 *
 * Runs on whichever thread calls SSL_read (lws's service thread in the daemon).
 * Invariants: a read's bytes and return value are OpenSSL's, untouched; a server-side
 * SSL gets its state at its first successful read and loses it in SSL_free (the
 * ex_data free callback); `tripped` is called at most once per SSL. */
#include "http/tls_read_guard.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "http/ws_frame_guard.h"
#include "util/log.h"
#include "util/xalloc.h"

struct tls_read_conn {
    struct ws_frame_guard frames;
    void (*tripped)(void *ctx); /* NULL until attached */
    void *ctx;                  /* borrowed: tripped's argument */
};

typedef int (*tls_read_fn)(SSL *ssl, void *buf, int num);

static pthread_once_t tls_read_once = PTHREAD_ONCE_INIT;
static tls_read_fn tls_read_next; /* OpenSSL's SSL_read; set once */
static int tls_read_index = -1;   /* our ex_data slot on SSL objects; set once */

static void tls_read_conn_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                               void *argp)
{
    free(ptr);
}

static void tls_read_init(void)
{
    void *next = dlsym(RTLD_NEXT, "SSL_read");

    if (!next) {
        /* cannot happen while libssl is linked; without it nothing could be read */
        log_error("tls: OpenSSL's SSL_read was not found: %s", dlerror());
        abort();
    }
    tls_read_next = (tls_read_fn)next;
    tls_read_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, tls_read_conn_free);
}

/* ssl's state, created on first use if create; NULL if there is none (or no slot). */
static struct tls_read_conn *tls_read_conn_get(SSL *ssl, bool create)
{
    struct tls_read_conn *c;

    if (tls_read_index < 0)
        return NULL;
    c = SSL_get_ex_data(ssl, tls_read_index);
    if (c || !create)
        return c;
    c = xcalloc(1, sizeof(*c));
    ws_frame_guard_init(&c->frames);
    if (!SSL_set_ex_data(ssl, tls_read_index, c)) {
        free(c);
        return NULL;
    }
    return c;
}

int SSL_read(SSL *ssl, void *buf, int num)
{
    struct tls_read_conn *c;
    int n;

    pthread_once(&tls_read_once, tls_read_init);
    n = tls_read_next(ssl, buf, num);
    if (n <= 0 || !SSL_is_server(ssl))
        return n;
    c = tls_read_conn_get(ssl, true);
    if (c && !ws_frame_guard_verdict(&c->frames) &&
        ws_frame_guard_feed(&c->frames, buf, (size_t)n) && c->tripped)
        c->tripped(c->ctx);
    return n;
}

int tls_read_guard_attach(SSL *ssl, uint64_t message_max, void (*tripped)(void *ctx), void *ctx)
{
    struct tls_read_conn *c;

    pthread_once(&tls_read_once, tls_read_init);
    if (!ssl || !(c = tls_read_conn_get(ssl, true)))
        return -1;
    if (ws_frame_guard_start(&c->frames, message_max) < 0)
        return -1;
    c->tripped = tripped;
    c->ctx = ctx;
    return 0;
}

int tls_read_guard_verdict(SSL *ssl, const char **reason)
{
    struct tls_read_conn *c;
    int code;

    pthread_once(&tls_read_once, tls_read_init);
    c = ssl ? tls_read_conn_get(ssl, false) : NULL;
    code = c ? ws_frame_guard_verdict(&c->frames) : 0;

    *reason = code ? ws_frame_guard_reason(&c->frames) : "";
    return code;
}
