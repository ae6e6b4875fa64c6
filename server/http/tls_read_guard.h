/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tls_read_guard: the daemon's own SSL_read(), so that what a websocket client sends is
 * checked (ws_frame_guard) before lws parses it.
 *
 * DESIGN. A workaround for libwebsockets 4.1.6 (Debian 12), which accepts unmasked
 * client frames and reads frames of any announced length, and exposes neither the mask
 * bit nor a hook before its frame parser (server/README.md, "Websocket frames"). lws
 * reads TLS plaintext only through OpenSSL's SSL_read(), and virtdeck serves TLS only.
 * tls_read_guard.c defines SSL_read in the executable; the dynamic linker binds lws's
 * calls to it (the executable exports the symbol because libwebsockets.so references
 * it), and it calls OpenSSL's SSL_read, found once with dlsym(RTLD_NEXT). It never
 * changes what a read returns, nor how much: it feeds the bytes of every server-side
 * connection to that connection's ws_frame_guard, which hangs on the SSL (ex_data) and
 * is freed with it (SSL_free). A guard that finds a violation calls the `tripped`
 * function given at attach once, from inside that read, before lws parses the bytes.
 *
 * Threads: SSL_read runs on the thread that reads the SSL (lws's service thread); the
 * functions below are for that same thread. In programs that never read a server-side
 * SSL (the unit tests link this file too) the interposition passes everything through. */
#pragma once

#include <stdint.h>

#include <openssl/ssl.h>

/* Starts checking the websocket frames the client of ssl sends from its next byte on,
 * allowing data messages of at most message_max bytes. Call in LWS_CALLBACK_ESTABLISHED
 * (the upgrade request has just been read). From then on the first violation sets the
 * verdict and calls tripped(ctx) once, on the reading thread, inside lws's read; ctx is
 * borrowed until ssl is freed. Returns 0, or -1 with the verdict set (1002: the client
 * sent more than its handshake before the answer, see ws_frame_guard.h). */
int tls_read_guard_attach(SSL *ssl, uint64_t message_max, void (*tripped)(void *ctx), void *ctx)
    __attribute__((warn_unused_result));

/* ssl's verdict: 0 while its client behaves (or ssl is not checked), else the close
 * code (1002 or 1009) with its reason in *reason (borrowed from ssl's state; valid until
 * ssl is freed). NULL-safe. */
int tls_read_guard_verdict(SSL *ssl, const char **reason);
