/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_tls_cert: generation, reuse and regeneration of the self-signed certificate of
 * server/tls/tls_cert.c, in a private temp directory. Single-threaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls/tls_cert.h"

static char test_dir[] = "/tmp/virtdeck-test-tls.XXXXXX";
static char tls_dir[300]; /* test_dir/state/tls: created by tls_cert_ensure */
static char state_dir[256];
static char cert_path[350];
static char key_path[350];

static X509 *load_cert(void)
{
    FILE *fp = fopen(cert_path, "r");
    X509 *cert;

    assert_non_null(fp);
    cert = PEM_read_X509(fp, NULL, NULL, NULL);
    fclose(fp);
    assert_non_null(cert);
    return cert;
}

static EVP_PKEY *load_key(void)
{
    FILE *fp = fopen(key_path, "r");
    EVP_PKEY *key;

    assert_non_null(fp);
    key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
    fclose(fp);
    assert_non_null(key);
    return key;
}

static void fingerprint(unsigned char md[32])
{
    X509 *cert = load_cert();
    unsigned int len = 0;

    assert_int_equal(X509_digest(cert, EVP_sha256(), md, &len), 1);
    assert_int_equal(len, 32);
    X509_free(cert);
}

static void ensure_ok(void)
{
    struct app_error err;

    app_error_clear(&err);
    if (tls_cert_ensure(tls_dir, &err) != 0)
        fail_msg("tls_cert_ensure: %s", err.message);
}

static void assert_pair_matches(void)
{
    X509 *cert = load_cert();
    EVP_PKEY *key = load_key();

    assert_int_equal(X509_check_private_key(cert, key), 1);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static bool has_dns(GENERAL_NAMES *names, const char *dns)
{
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);

        if (gn->type == GEN_DNS && (size_t)ASN1_STRING_length(gn->d.dNSName) == strlen(dns) &&
            memcmp(ASN1_STRING_get0_data(gn->d.dNSName), dns, strlen(dns)) == 0)
            return true;
    }
    return false;
}

static bool has_ip(GENERAL_NAMES *names, const unsigned char *ip, int len)
{
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);

        if (gn->type == GEN_IPADD && ASN1_STRING_length(gn->d.iPAddress) == len &&
            memcmp(ASN1_STRING_get0_data(gn->d.iPAddress), ip, (size_t)len) == 0)
            return true;
    }
    return false;
}

static void test_generate(void **state)
{
    static const unsigned char v4[4] = {127, 0, 0, 1};
    static const unsigned char v6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    struct stat st;
    X509 *cert;
    EVP_PKEY *key;
    GENERAL_NAMES *names;
    BASIC_CONSTRAINTS *bc;
    ASN1_BIT_STRING *usage;
    EXTENDED_KEY_USAGE *eku;
    char host[256] = "";
    int pday = 0;
    int psec = 0;

    ensure_ok();
    assert_int_equal(stat(tls_dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 077, 0);
    assert_int_equal(stat(cert_path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(stat(key_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_pair_matches();

    cert = load_cert();
    key = load_key();
    assert_int_equal(X509_get_version(cert), 2); /* v3 */
    assert_int_equal(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
    assert_int_equal(EVP_PKEY_get_bits(key), 256);
    assert_int_equal(X509_get_signature_nid(cert), NID_ecdsa_with_SHA256);
    assert_int_equal(X509_verify(cert, key), 1); /* self-signed */

    names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    assert_non_null(names);
    assert_true(has_dns(names, "localhost"));
    assert_true(has_ip(names, v4, 4));
    assert_true(has_ip(names, v6, 16));
    if (gethostname(host, sizeof(host) - 1) == 0 && host[0] && strcmp(host, "localhost") != 0 &&
        strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") ==
            strlen(host))
        assert_true(has_dns(names, host));
    GENERAL_NAMES_free(names);

    bc = X509_get_ext_d2i(cert, NID_basic_constraints, NULL, NULL);
    assert_non_null(bc);
    assert_int_equal(bc->ca, 0);
    BASIC_CONSTRAINTS_free(bc);
    usage = X509_get_ext_d2i(cert, NID_key_usage, NULL, NULL);
    assert_non_null(usage);
    assert_true(ASN1_BIT_STRING_get_bit(usage, 0));  /* digitalSignature */
    assert_false(ASN1_BIT_STRING_get_bit(usage, 5)); /* not keyCertSign */
    ASN1_BIT_STRING_free(usage);
    eku = X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL);
    assert_non_null(eku);
    assert_int_equal(sk_ASN1_OBJECT_num(eku), 1);
    assert_int_equal(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)), NID_server_auth);
    EXTENDED_KEY_USAGE_free(eku);

    /* Valid now, for about ten years. */
    assert_true(X509_cmp_current_time(X509_get0_notBefore(cert)) < 0);
    assert_int_equal(ASN1_TIME_diff(&pday, &psec, NULL, X509_get0_notAfter(cert)), 1);
    assert_true(pday >= 3649 && pday <= 3653);

    X509_free(cert);
    EVP_PKEY_free(key);
}

static void test_reuse(void **state)
{
    unsigned char first[32];
    unsigned char second[32];
    struct stat st1;
    struct stat st2;

    ensure_ok();
    fingerprint(first);
    assert_int_equal(stat(key_path, &st1), 0);
    ensure_ok();
    fingerprint(second);
    assert_int_equal(stat(key_path, &st2), 0);
    assert_memory_equal(first, second, 32);
    assert_int_equal(st1.st_ino, st2.st_ino); /* key not rewritten either */
}

static void test_serials_differ(void **state)
{
    X509 *a;
    X509 *b;

    ensure_ok();
    a = load_cert();
    assert_int_equal(unlink(cert_path), 0); /* missing cert: regenerate */
    ensure_ok();
    b = load_cert();
    assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(a), X509_get0_serialNumber(b)), 0);
    assert_pair_matches();
    X509_free(a);
    X509_free(b);
}

static void test_corrupt_key_regenerates(void **state)
{
    unsigned char before[32];
    unsigned char after[32];
    FILE *fp;
    struct stat st;

    ensure_ok();
    fingerprint(before);
    fp = fopen(key_path, "w");
    assert_non_null(fp);
    fputs("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n", fp);
    fclose(fp);
    ensure_ok();
    fingerprint(after);
    assert_memory_not_equal(before, after, 32);
    assert_pair_matches();
    assert_int_equal(stat(key_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_mismatched_key_regenerates(void **state)
{
    unsigned char before[32];
    unsigned char after[32];
    EVP_PKEY *other = EVP_EC_gen("P-256");
    FILE *fp;

    assert_non_null(other);
    ensure_ok();
    fingerprint(before);
    /* A valid key that does not belong to the cert. */
    fp = fopen(key_path, "w");
    assert_non_null(fp);
    assert_int_equal(PEM_write_PrivateKey(fp, other, NULL, NULL, 0, NULL, NULL), 1);
    fclose(fp);
    EVP_PKEY_free(other);
    ensure_ok();
    fingerprint(after);
    assert_memory_not_equal(before, after, 32);
    assert_pair_matches();
}

static void test_loose_key_mode_tightened(void **state)
{
    unsigned char before[32];
    unsigned char after[32];
    struct stat st;

    ensure_ok();
    fingerprint(before);
    assert_int_equal(chmod(key_path, 0644), 0);
    ensure_ok();
    fingerprint(after);
    assert_memory_equal(before, after, 32);
    assert_int_equal(stat(key_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_bad_dir(void **state)
{
    struct app_error err;
    char path[300];
    FILE *fp;

    app_error_clear(&err);
    assert_int_equal(tls_cert_ensure("", &err), -1);
    assert_int_equal(err.status, 500);
    /* A regular file where the directory should be. */
    snprintf(path, sizeof(path), "%s/plainfile", test_dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    app_error_clear(&err);
    assert_int_equal(tls_cert_ensure(path, &err), -1);
    assert_string_equal(err.code, APP_ERR_INTERNAL);
    assert_true(err.message[0] != '\0');
    unlink(path);
}

static int setup(void **state)
{
    if (!mkdtemp(test_dir))
        return -1;
    snprintf(state_dir, sizeof(state_dir), "%s/state", test_dir);
    snprintf(tls_dir, sizeof(tls_dir), "%s/tls", state_dir);
    snprintf(cert_path, sizeof(cert_path), "%s/virtdeck.crt", tls_dir);
    snprintf(key_path, sizeof(key_path), "%s/virtdeck.key", tls_dir);
    return 0;
}

static int teardown(void **state)
{
    unlink(cert_path);
    unlink(key_path);
    rmdir(tls_dir);
    rmdir(state_dir);
    return rmdir(test_dir); /* fails if a temp file was left behind */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate),
        cmocka_unit_test(test_reuse),
        cmocka_unit_test(test_serials_differ),
        cmocka_unit_test(test_corrupt_key_regenerates),
        cmocka_unit_test(test_mismatched_key_regenerates),
        cmocka_unit_test(test_loose_key_mode_tightened),
        cmocka_unit_test(test_bad_dir),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
