/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_tls_read_guard: server/http/tls_read_guard.c — the interposed SSL_read() on a
 * real TLS connection in memory (a server and a client SSL over a BIO pair, with a
 * throwaway self-signed key): reads return OpenSSL's bytes unchanged; a guarded
 * server connection reports an unmasked frame once, from inside the read; a frame sent
 * with the upgrade request is refused at attach; client-side SSLs pass through.
 * Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "http/tls_read_guard.h"

#define UPGRADE "GET /api/events HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n"

struct pair {
    SSL_CTX *server_ctx, *client_ctx;
    SSL *server, *client;
};

static SSL_CTX *server_ctx_new(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = X509_new();

    assert_non_null(ctx);
    assert_non_null(key);
    assert_non_null(cert);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                               (const unsigned char *)"localhost", -1, -1, 0);
    X509_set_issuer_name(cert, X509_get_subject_name(cert));
    assert_int_equal(X509_set_pubkey(cert, key), 1);
    assert_true(X509_sign(cert, key, EVP_sha256()) > 0);
    assert_int_equal(SSL_CTX_use_certificate(ctx, cert), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey(ctx, key), 1);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ctx;
}

/* A finished TLS handshake between a server and a client SSL in memory. */
static void pair_open(struct pair *p)
{
    BIO *server_bio = NULL, *client_bio = NULL;
    int server_done = 0, client_done = 0;

    p->server_ctx = server_ctx_new();
    p->client_ctx = SSL_CTX_new(TLS_client_method());
    assert_non_null(p->client_ctx);
    p->server = SSL_new(p->server_ctx);
    p->client = SSL_new(p->client_ctx);
    assert_int_equal(BIO_new_bio_pair(&server_bio, 0, &client_bio, 0), 1);
    SSL_set_bio(p->server, server_bio, server_bio);
    SSL_set_bio(p->client, client_bio, client_bio);
    SSL_set_accept_state(p->server);
    SSL_set_connect_state(p->client);
    for (int i = 0; i < 20 && !(server_done && client_done); i++) {
        client_done = SSL_do_handshake(p->client) == 1;
        server_done = SSL_do_handshake(p->server) == 1;
    }
    assert_true(server_done && client_done);
}

static void pair_close(struct pair *p)
{
    SSL_free(p->server); /* frees the guard state with it (LSan checks under ASan) */
    SSL_free(p->client);
    SSL_CTX_free(p->server_ctx);
    SSL_CTX_free(p->client_ctx);
}

/* The client sends bytes; the server reads them all (several reads if need be) and
 * they arrive unchanged. */
static void client_sends(struct pair *p, const void *bytes, size_t len)
{
    unsigned char got[512];
    size_t have = 0;

    assert_true(len <= sizeof(got));
    assert_int_equal(SSL_write(p->client, bytes, (int)len), (int)len);
    while (have < len) {
        int n = SSL_read(p->server, got + have, (int)(sizeof(got) - have));
        assert_true(n > 0);
        have += (size_t)n;
    }
    assert_int_equal(have, len);
    assert_memory_equal(got, bytes, len);
}

static void count_trip(void *ctx)
{
    (*(int *)ctx)++;
}

/* A pair whose client has sent its upgrade request, guarded with a 100-byte limit;
 * each violation counts in *trips. */
static void pair_open_guarded(struct pair *p, int *trips)
{
    pair_open(p);
    client_sends(p, UPGRADE, strlen(UPGRADE));
    assert_int_equal(tls_read_guard_attach(p->server, 100, count_trip, trips), 0);
}

static void test_guarded_connection(void **state)
{
    /* "hello" unmasked, then a masked text frame (key 0) */
    static const unsigned char unmasked[] = {0x81, 0x05, 'h', 'e', 'l', 'l', 'o'};
    static const unsigned char masked[] = {0x81, 0x82, 0, 0, 0, 0, 'o', 'k'};
    struct pair p;
    const char *reason = NULL;
    int trips = 0;

    (void)state;
    pair_open_guarded(&p, &trips);
    assert_int_equal(tls_read_guard_verdict(p.server, &reason), 0);
    assert_string_equal(reason, "");
    client_sends(&p, masked, sizeof(masked));
    assert_int_equal(trips, 0);
    assert_int_equal(tls_read_guard_verdict(p.server, &reason), 0);
    client_sends(&p, unmasked, sizeof(unmasked));
    assert_int_equal(trips, 1);
    assert_int_equal(tls_read_guard_verdict(p.server, &reason), 1002);
    assert_string_equal(reason, "unmasked frame");
    client_sends(&p, unmasked, sizeof(unmasked)); /* reads go on; reported once */
    assert_int_equal(trips, 1);
    pair_close(&p);
}

static void test_message_limit(void **state)
{
    /* a masked binary frame announcing 200 bytes, two of them sent */
    static const unsigned char big[] = {0x82, 0xfe, 0, 200, 1, 2, 3, 4, 'a', 'b'};
    struct pair p;
    const char *reason = NULL;
    int trips = 0;

    (void)state;
    pair_open_guarded(&p, &trips);
    client_sends(&p, big, sizeof(big));
    assert_int_equal(trips, 1);
    assert_int_equal(tls_read_guard_verdict(p.server, &reason), 1009);
    assert_string_equal(reason, "message over 100 bytes");
    pair_close(&p);
}

static void test_early_frame_refused(void **state)
{
    unsigned char early[sizeof(UPGRADE) - 1 + 8];
    struct pair p;
    const char *reason = NULL;
    int trips = 0;

    (void)state;
    memcpy(early, UPGRADE, sizeof(UPGRADE) - 1);
    memcpy(early + sizeof(UPGRADE) - 1, "\x81\x82\0\0\0\0ok", 8);
    pair_open(&p);
    client_sends(&p, early, sizeof(early));
    assert_int_equal(tls_read_guard_attach(p.server, 100, count_trip, &trips), -1);
    assert_int_equal(tls_read_guard_verdict(p.server, &reason), 1002);
    assert_string_equal(reason, "data sent before the handshake was answered");
    assert_int_equal(trips, 0);
    pair_close(&p);
}

static void test_client_side_passes_through(void **state)
{
    static const char answer[] = "HTTP/1.1 101 Switching Protocols\r\n\r\n\x81\x05hello";
    unsigned char got[sizeof(answer)];
    struct pair p;
    const char *reason = NULL;

    (void)state;
    pair_open(&p);
    assert_int_equal(SSL_write(p.server, answer, (int)sizeof(answer) - 1), (int)sizeof(answer) - 1);
    assert_int_equal(SSL_read(p.client, got, (int)sizeof(got)), (int)sizeof(answer) - 1);
    assert_memory_equal(got, answer, sizeof(answer) - 1);
    assert_int_equal(tls_read_guard_verdict(p.client, &reason), 0);
    assert_int_equal(tls_read_guard_verdict(NULL, &reason), 0);
    assert_int_equal(tls_read_guard_attach(NULL, 100, count_trip, NULL), -1);
    pair_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guarded_connection),
        cmocka_unit_test(test_message_limit),
        cmocka_unit_test(test_early_frame_refused),
        cmocka_unit_test(test_client_side_passes_through),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
