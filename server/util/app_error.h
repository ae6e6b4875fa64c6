/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* app_error: the one error shape that reaches a user.
 *
 * Filled once, where the error happens (report once, at the source); callers pass
 * -1/NULL up without touching it. The HTTP layer turns it into
 * {"error":{"code":...,"message":...,"field":...,"min":...,"max":...}} with `status`;
 * field, min and max only when set (a refused request member, see app_error_at_field).
 * Plain value; any thread. */
#pragma once

#include <stdbool.h>

struct app_error {
    int status; /* HTTP status: 400, 401, 403, 404, 405, 409, 413, 416, 429, 500, 502, 503, 507 */
    const char *code;  /* static string, e.g. "not_found" (see APP_ERR_* below) */
    char message[256]; /* human-readable, never contains secrets */
    /* the refused request member's JSON key, dotted for a nested one ("ipv4.address",
     * "ipv4.hosts[0].ip"); "" when the error concerns no one member */
    char field[64];
    bool has_limits; /* min and max hold the member's allowed range (inclusive) */
    long long min, max;
};

#define APP_ERR_BAD_REQUEST  "bad_request"
#define APP_ERR_UNAUTHORIZED "unauthorized"
#define APP_ERR_FORBIDDEN    "forbidden"
#define APP_ERR_CSRF         "csrf_failed"
#define APP_ERR_ORIGIN       "origin_denied"
#define APP_ERR_NOT_FOUND    "not_found"
#define APP_ERR_METHOD       "method_not_allowed"
#define APP_ERR_CONFLICT     "conflict"
#define APP_ERR_TEMPLATE     "domain_is_template" /* start or autostart of a template */
#define APP_ERR_TOO_LARGE    "payload_too_large"
#define APP_ERR_TOO_MANY     "too_many_requests"
#define APP_ERR_UNSUPPORTED  "not_supported"
#define APP_ERR_INTERNAL     "internal_error"
#define APP_ERR_LIBVIRT      "libvirt_error"
#define APP_ERR_UNAVAILABLE  "libvirt_unavailable"
#define APP_ERR_NO_SPACE     "insufficient_storage"
#define APP_ERR_RANGE        "range_not_satisfiable"
#define APP_ERR_MISDIRECTED  "misdirected_request"
#define APP_ERR_OUTSIDE_POOL "outside_pool"          /* a volume that leads out of its pool */
#define APP_ERR_POOL_ROOTS   "outside_pool_roots"    /* a pool target outside pool_roots */
#define APP_ERR_POOL_TYPE    "pool_type_not_allowed" /* a pool type outside pool_types */
#define APP_ERR_FETCH        "fetch_failed"          /* a URL of the request: no usable file */
#define APP_ERR_TOTP_NEEDED  "totp_required" /* login: the password is right, a code is due */
#define APP_ERR_TOTP_ENROL   "totp_enrolment_required" /* the session may only enrol TOTP */
#define APP_ERR_QUOTA        "quota_exceeded"          /* a user's quota (auth_quota.h), 409 */

/* Sets every field (field NULL, no limits); message is printf-formatted and truncated to
 * fit (between whole UTF-8 characters). err may be NULL. */
void app_error_set(struct app_error *err, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Clears to status 0 / code NULL / empty message / no field / no limits. */
void app_error_clear(struct app_error *err);
/* Names the request member the error (already set) is about: prefix ("" or a dotted
 * parent such as "ipv4.") then key, copied (cut to fit). err may be NULL. */
void app_error_at_field(struct app_error *err, const char *prefix, const char *key);
/* app_error_at_field plus the member's inclusive range [min, max], for a value outside
 * it. err may be NULL. */
void app_error_at_range(struct app_error *err, const char *prefix, const char *key, long long min,
                        long long max);
