/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_audit_query: GET /api/audit's query string as a store_audit_filter, checked.
 *
 * Pure (no I/O, no clock); any thread. Exported for tests (test_api_audit_query.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "store/store_audit_log.h"
#include "util/app_error.h"

/* A page of the JSON answer: at most this many rows (default API_AUDIT_QUERY_LIMIT). */
#define API_AUDIT_QUERY_LIMIT_MAX 1000
#define API_AUDIT_QUERY_LIMIT     100
/* One JSON-lines export answers at most this many rows (its default too); its last line
 * says where the next one starts. */
#define API_AUDIT_QUERY_EXPORT_MAX STORE_AUDIT_LOG_LIMIT_MAX
/* a filter value's bytes + 1 (a user name has at most 64) */
#define API_AUDIT_QUERY_VALUE_MAX 65

/* The parsed query: filter points into the value arrays (the struct owns them, so it
 * must not be copied while filter is in use). */
struct api_audit_query {
    struct store_audit_filter filter;
    bool ndjson; /* format=ndjson (or the caller's Accept header): JSON lines */
    char vm[API_AUDIT_QUERY_VALUE_MAX];
    char user[API_AUDIT_QUERY_VALUE_MAX];
    char action[API_AUDIT_QUERY_VALUE_MAX];
    char result[API_AUDIT_QUERY_VALUE_MAX];
};

/* Parses query (decoded arguments joined by '&', as struct api_call's) into out:
 * vm (a UUID, lower-cased), user, action, result (exact values), since and until (epoch
 * milliseconds, or ISO 8601 "YYYY-MM-DDTHH:MM[:SS[.fff]]" with "Z" or "+HH:MM"/"-HH:MM",
 * or a bare "YYYY-MM-DD" as UTC midnight), limit, cursor (a positive decimal row id), and
 * format ("json" or "ndjson"; ndjson is also chosen by accept_ndjson). An unknown
 * argument, or a bad value, is 400 with err's field the argument's name (the first of a
 * repeated one counts; "query" for an argument with no name). Empty arguments ("a&&b")
 * are skipped.
 * Returns 0 or -1. */
int api_audit_query_parse(const char *query, bool accept_ndjson, struct api_audit_query *out,
                          struct app_error *err) __attribute__((warn_unused_result));

/* Parses an instant as the since/until arguments take it into epoch milliseconds.
 * Returns 0 or -1. */
int api_audit_query_time(const char *text, int64_t *out_ms) __attribute__((warn_unused_result));
