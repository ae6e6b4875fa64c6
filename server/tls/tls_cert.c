/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tls_cert: the self-signed certificate used when none is configured (see tls_cert.h).
 *
 * Main thread, at start, before any listener exists. Invariants: the key file is never
 * readable by anyone but its owner (created 0600 by mkstemp, renamed into place);
 * both files are replaced atomically (temp + fsync + rename + fsync of the directory), key
 * first, so a crash leaves either the old pair, or a new key with an old cert -- which no
 * longer match and are regenerated on the next start. Never logs key material. */
#include "tls/tls_cert.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util/log.h"
#include "util/fsdir.h"
#include "util/xalloc.h"

#define TLS_CERT_NAME         "virtdeck.crt"
#define TLS_CERT_KEY_NAME     "virtdeck.key"
#define TLS_CERT_DAYS         3650
#define TLS_CERT_SERIAL_BYTES 16

/* Fills err with what and the newest OpenSSL error (then clears the OpenSSL queue). */
static void tls_cert_ssl_error(struct app_error *err, const char *what)
{
    char detail[200] = "unknown error";
    unsigned long e = ERR_peek_last_error();

    if (e)
        ERR_error_string_n(e, detail, sizeof(detail));
    ERR_clear_error();
    app_error_set(err, 500, APP_ERR_INTERNAL, "tls certificate: %s: %s", what, detail);
}

/* True if both files load, the key belongs to the cert and the cert has not expired. */
static bool tls_cert_usable(const char *cert_path, const char *key_path)
{
    bool ok = false;
    BIO *bio = NULL;
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;

    bio = BIO_new_file(cert_path, "r");
    if (!bio || !(cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
        goto cleanup;
    BIO_free(bio);
    bio = BIO_new_file(key_path, "r");
    if (!bio || !(key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)))
        goto cleanup;
    if (X509_check_private_key(cert, key) != 1)
        goto cleanup;
    if (X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0)
        goto cleanup;
    ok = true;

cleanup:
    ERR_clear_error();
    BIO_free(bio);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ok;
}

/* True if name is a plain DNS host name we can put in a SAN (no ',' or spaces). */
static bool tls_cert_dns_name_ok(const char *name)
{
    size_t len = strlen(name);

    if (len == 0 || len > 253 || name[0] == '.' || name[0] == '-')
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '.'))
            return false;
    return true;
}

static int tls_cert_add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value,
                            struct app_error *err)
{
    int ret = -1;
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);

    if (!ext || X509_add_ext(cert, ext, -1) != 1) {
        tls_cert_ssl_error(err, "adding an extension");
        goto cleanup;
    }
    ret = 0;

cleanup:
    X509_EXTENSION_free(ext);
    return ret;
}

static int tls_cert_set_serial(X509 *cert, struct app_error *err)
{
    int ret = -1;
    unsigned char raw[TLS_CERT_SERIAL_BYTES];
    BIGNUM *bn = NULL;

    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        tls_cert_ssl_error(err, "random serial");
        goto cleanup;
    }
    raw[0] &= 0x7f; /* positive */
    raw[0] |= 0x01; /* and non-zero, with a fixed length */
    bn = BN_bin2bn(raw, sizeof(raw), NULL);
    if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert))) {
        tls_cert_ssl_error(err, "setting the serial");
        goto cleanup;
    }
    ret = 0;

cleanup:
    BN_free(bn);
    return ret;
}

/* Subject and issuer: O=virtdeck, CN=host (or localhost). */
static int tls_cert_set_names(X509 *cert, const char *host)
{
    X509_NAME *name = X509_get_subject_name(cert);
    const char *cn = host[0] && strlen(host) <= 64 ? host : "localhost";

    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"virtdeck", -1,
                                   -1, 0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                   0) != 1 ||
        X509_set_issuer_name(cert, name) != 1)
        return -1;
    return 0;
}

/* Builds a new key and self-signed certificate. */
static int tls_cert_generate(EVP_PKEY **key_out, X509 **cert_out, struct app_error *err)
{
    int ret = -1;
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    X509V3_CTX ctx;
    char host[256] = "";
    char *san = NULL;

    key = EVP_EC_gen("P-256");
    if (!key) {
        tls_cert_ssl_error(err, "generating the P-256 key");
        goto cleanup;
    }
    if (gethostname(host, sizeof(host) - 1) < 0)
        host[0] = '\0';
    host[sizeof(host) - 1] = '\0';
    if (!tls_cert_dns_name_ok(host) || strcmp(host, "localhost") == 0)
        host[0] = '\0';

    cert = X509_new();
    /* notBefore five minutes back: tolerate a client clock slightly behind ours. */
    if (!cert || X509_set_version(cert, 2) != 1 ||
        !X509_gmtime_adj(X509_getm_notBefore(cert), -300) ||
        !X509_time_adj_ex(X509_getm_notAfter(cert), TLS_CERT_DAYS, 0, NULL) ||
        X509_set_pubkey(cert, key) != 1 || tls_cert_set_names(cert, host) < 0) {
        tls_cert_ssl_error(err, "building the certificate");
        goto cleanup;
    }
    if (tls_cert_set_serial(cert, err) < 0)
        goto cleanup;

    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    san = host[0] ? xasprintf("DNS:localhost,IP:127.0.0.1,IP:::1,DNS:%s", host)
                  : xstrdup("DNS:localhost,IP:127.0.0.1,IP:::1");
    if (tls_cert_add_ext(cert, &ctx, NID_subject_alt_name, san, err) < 0 ||
        tls_cert_add_ext(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE", err) < 0 ||
        tls_cert_add_ext(cert, &ctx, NID_key_usage, "critical,digitalSignature", err) < 0 ||
        tls_cert_add_ext(cert, &ctx, NID_ext_key_usage, "serverAuth", err) < 0 ||
        tls_cert_add_ext(cert, &ctx, NID_subject_key_identifier, "hash", err) < 0)
        goto cleanup;
    if (X509_sign(cert, key, EVP_sha256()) <= 0) {
        tls_cert_ssl_error(err, "signing");
        goto cleanup;
    }
    *key_out = key;
    *cert_out = cert;
    key = NULL;
    cert = NULL;
    ret = 0;

cleanup:
    free(san);
    EVP_PKEY_free(key);
    X509_free(cert);
    return ret;
}

/* Writes through a temp file in dir, then renames over path. key: PEM private key, else cert. */
static int tls_cert_write(const char *dir, const char *path, mode_t mode, EVP_PKEY *key, X509 *cert,
                          struct app_error *err)
{
    int ret = -1;
    char *tmp = xasprintf("%s/.virtdeck-tls.XXXXXX", dir);
    int fd = -1;
    BIO *bio = NULL;
    bool created = false;
    int rc;

    fd = mkstemp(tmp); /* mode 0600 from the start: the key is never world-readable */
    if (fd < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "tls certificate: creating %s: %s", tmp,
                      strerror(errno));
        goto cleanup;
    }
    created = true;
    if (fchmod(fd, mode) < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "tls certificate: chmod %s: %s", tmp,
                      strerror(errno));
        goto cleanup;
    }
    bio = BIO_new_fd(fd, BIO_NOCLOSE);
    if (!bio ||
        (key ? PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)
             : PEM_write_bio_X509(bio, cert)) != 1 ||
        BIO_flush(bio) != 1) {
        tls_cert_ssl_error(err, "writing PEM");
        goto cleanup;
    }
    if (fsync(fd) < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "tls certificate: fsync %s: %s", tmp,
                      strerror(errno));
        goto cleanup;
    }
    rc = close(fd);
    fd = -1;
    if (rc < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "tls certificate: writing %s: %s", tmp,
                      strerror(errno));
        goto cleanup;
    }
    if (rename(tmp, path) < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "tls certificate: rename to %s: %s", path,
                      strerror(errno));
        goto cleanup;
    }
    created = false;
    ret = 0;

cleanup:
    BIO_free(bio);
    if (fd >= 0)
        close(fd);
    if (created)
        unlink(tmp);
    free(tmp);
    return ret;
}

static int tls_cert_sync_dir(const char *dir, struct app_error *err)
{
    int ret = -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0 || fsync(fd) < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "tls certificate: fsync %s: %s", dir,
                      strerror(errno));
        goto cleanup;
    }
    ret = 0;

cleanup:
    if (fd >= 0)
        close(fd);
    return ret;
}

int tls_cert_ensure(const char *dir, struct app_error *err)
{
    int ret = -1;
    char *cert_path = NULL;
    char *key_path = NULL;
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    struct stat st;

    if (!dir || !dir[0]) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "tls certificate: no directory");
        goto cleanup;
    }
    if (fsdir_make_private(dir, err) < 0)
        goto cleanup;
    cert_path = xasprintf("%s/%s", dir, TLS_CERT_NAME);
    key_path = xasprintf("%s/%s", dir, TLS_CERT_KEY_NAME);

    if (tls_cert_usable(cert_path, key_path)) {
        if (stat(key_path, &st) == 0 && (st.st_mode & 077)) {
            log_warn("tls_cert: %s was readable by others; restricting it to 0600", key_path);
            if (chmod(key_path, 0600) < 0) {
                app_error_set(err, 500, APP_ERR_INTERNAL, "tls certificate: chmod %s: %s", key_path,
                              strerror(errno));
                goto cleanup;
            }
        }
        log_debug("tls_cert: reusing %s", cert_path);
        ret = 0;
        goto cleanup;
    }

    log_info("tls_cert: generating a self-signed certificate in %s", dir);
    if (tls_cert_generate(&key, &cert, err) < 0 ||
        tls_cert_write(dir, key_path, 0600, key, NULL, err) < 0 ||
        tls_cert_write(dir, cert_path, 0644, NULL, cert, err) < 0 ||
        tls_cert_sync_dir(dir, err) < 0)
        goto cleanup;
    ret = 0;

cleanup:
    EVP_PKEY_free(key);
    X509_free(cert);
    free(cert_path);
    free(key_path);
    return ret;
}
