/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_audit_query: the audit log's filter from a query string (see api_audit_query.h).
 * Pure; any thread. */
#include "api/api_audit_query.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/route.h"
#include "virt/virt_domain.h"

/* epoch ms up to the year 9999 */
#define API_AUDIT_QUERY_MS_MAX 253402300799999LL

static const char *const api_audit_query_args[] = {
    "vm", "user", "action", "result", "since", "until", "limit", "cursor", "format", NULL,
};

/* A 400 about arg, whose message is already written: returns -1. */
static int api_audit_query_refuse(struct app_error *err, const char *arg, const char *message)
{
    app_error_set(err, 400, APP_ERR_BAD_REQUEST, "%s", message);
    app_error_at_field(err, "", arg);
    return -1;
}

/* Reads n decimal digits at *p into *out, advancing *p. */
static int api_audit_query_digits(const char **p, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int api_audit_query_expect(const char **p, char c)
{
    if (**p != c)
        return -1;
    (*p)++;
    return 0;
}

/* "HH:MM[:SS[.fff]]" then "Z" or an offset, after the date's 'T'. */
static int api_audit_query_clock(const char **p, struct tm *tm, int *ms, int *offset_s)
{
    int oh, om, sign;

    if (api_audit_query_digits(p, 2, &tm->tm_hour) < 0 || api_audit_query_expect(p, ':') < 0 ||
        api_audit_query_digits(p, 2, &tm->tm_min) < 0)
        return -1;
    if (**p == ':' && (++*p, api_audit_query_digits(p, 2, &tm->tm_sec) < 0))
        return -1;
    if (**p == '.') {
        int scale = 100;

        for (++*p; isdigit((unsigned char)**p); ++*p, scale /= 10)
            *ms += (**p - '0') * scale;
    }
    if (**p == 'Z') {
        ++*p;
        return 0;
    }
    if (**p != '+' && **p != '-')
        return -1;
    sign = *(*p)++ == '-' ? -1 : 1;
    if (api_audit_query_digits(p, 2, &oh) < 0 || api_audit_query_expect(p, ':') < 0 ||
        api_audit_query_digits(p, 2, &om) < 0 || oh > 23 || om > 59)
        return -1;
    *offset_s = sign * (oh * 3600 + om * 60);
    return 0;
}

int api_audit_query_time(const char *text, int64_t *out_ms)
{
    const char *p = text;
    struct tm tm = {0};
    int ms = 0, offset_s = 0;
    time_t t;

    if (text[0] && strspn(text, "0123456789") == strlen(text)) {
        char *end;
        long long v = strlen(text) <= 15 ? strtoll(text, &end, 10) : -1;

        if (v < 0 || v > API_AUDIT_QUERY_MS_MAX)
            return -1;
        *out_ms = v;
        return 0;
    }
    if (api_audit_query_digits(&p, 4, &tm.tm_year) < 0 || api_audit_query_expect(&p, '-') < 0 ||
        api_audit_query_digits(&p, 2, &tm.tm_mon) < 0 || api_audit_query_expect(&p, '-') < 0 ||
        api_audit_query_digits(&p, 2, &tm.tm_mday) < 0)
        return -1;
    if (*p == 'T' && (++p, api_audit_query_clock(&p, &tm, &ms, &offset_s) < 0))
        return -1;
    if (*p || tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
        tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    if ((t = timegm(&tm)) == (time_t)-1 || (int64_t)t - offset_s < 0)
        return -1;
    *out_ms = ((int64_t)t - offset_s) * 1000 + ms;
    return 0;
}

/* The seconds an instant in ms bounds: the first whole second at or after it. */
static int64_t api_audit_query_ceil_s(int64_t ms)
{
    return (ms + 999) / 1000;
}

/* A word of [a-z0-9_-], as actions and error codes are. */
static bool api_audit_query_word(const char *s)
{
    return s[0] && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(s);
}

static int api_audit_query_number(const char *arg, const char *value, long long min, long long max,
                                  long long *out, struct app_error *err)
{
    char *end;
    long long v;

    if (!value[0] || strspn(value, "0123456789") != strlen(value) || strlen(value) > 15 ||
        (v = strtoll(value, &end, 10)) < min || v > max) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "%s must be a whole number from %lld to %lld",
                      arg, min, max);
        app_error_at_range(err, "", arg, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

/* Checks one argument that is not a filter of text. */
static int api_audit_query_set(struct api_audit_query *out, const char *arg, const char *value,
                               long long *limit, struct app_error *err)
{
    int64_t ms;
    long long id;
    char msg[160];

    if (!strcmp(arg, "since") || !strcmp(arg, "until")) {
        if (api_audit_query_time(value, &ms) < 0) {
            snprintf(msg, sizeof(msg),
                     "%s \"%.40s\" is not an instant (epoch milliseconds or ISO 8601 such as "
                     "2026-12-04T16:00:00Z)",
                     arg, value);
            return api_audit_query_refuse(err, arg, msg);
        }
        if (arg[0] == 's')
            out->filter.since_s = api_audit_query_ceil_s(ms);
        else
            out->filter.until_s = api_audit_query_ceil_s(ms);
        return 0;
    }
    if (!strcmp(arg, "cursor")) {
        if (api_audit_query_number(arg, value, 1, INT64_C(999999999999999), &id, err) < 0) {
            snprintf(msg, sizeof(msg), "cursor \"%.40s\" is not one this API gave", value);
            return api_audit_query_refuse(err, arg, msg);
        }
        out->filter.before_id = id;
        return 0;
    }
    if (!strcmp(arg, "format")) {
        if (strcmp(value, "json") && strcmp(value, "ndjson"))
            return api_audit_query_refuse(err, arg, "format must be json or ndjson");
        out->ndjson = out->ndjson || !strcmp(value, "ndjson");
        return 0;
    }
    return api_audit_query_number(arg, value, 1, API_AUDIT_QUERY_EXPORT_MAX, limit, err);
}

/* Checks a text filter into its array. */
static int api_audit_query_text(struct api_audit_query *out, const char *arg, const char *value,
                                struct app_error *err)
{
    char *dst = !strcmp(arg, "vm")       ? out->vm
                : !strcmp(arg, "user")   ? out->user
                : !strcmp(arg, "action") ? out->action
                                         : out->result;

    char msg[96];

    if (!value[0] || strlen(value) >= API_AUDIT_QUERY_VALUE_MAX) {
        snprintf(msg, sizeof(msg), "%s must be 1 to 64 bytes", arg);
        return api_audit_query_refuse(err, arg, msg);
    }
    memcpy(dst, value, strlen(value) + 1); /* fits: checked above */
    if (dst == out->vm) {
        for (char *c = dst; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        if (!virt_domain_uuid_valid(dst)) {
            snprintf(msg, sizeof(msg), "vm \"%.40s\" is not a UUID", value);
            return api_audit_query_refuse(err, arg, msg);
        }
        out->filter.vm = dst;
    } else if (dst == out->user) {
        out->filter.user = dst;
    } else if (!api_audit_query_word(dst)) {
        snprintf(msg, sizeof(msg), "%s \"%.40s\" is not an action or result name", arg, value);
        return api_audit_query_refuse(err, arg, msg);
    } else if (dst == out->action) {
        out->filter.action = dst;
    } else {
        out->filter.result = dst;
    }
    return 0;
}

int api_audit_query_parse(const char *query, bool accept_ndjson, struct api_audit_query *out,
                          struct app_error *err)
{
    char value[128];
    long long limit = 0;

    memset(out, 0, sizeof(*out));
    out->ndjson = accept_ndjson;
    for (const char *p = query; p && *p;) {
        size_t len = strcspn(p, "&"), nlen = strcspn(p, "=&");
        bool known = false;

        if (len == 0) { /* "a=1&&b=2": nothing between the '&'s */
            p++;
            continue;
        }
        if (nlen == 0)
            return api_audit_query_refuse(err, "query", "a query argument has no name");
        for (const char *const *a = api_audit_query_args; *a && !known; a++)
            known = strlen(*a) == nlen && !strncmp(p, *a, nlen);
        if (!known) {
            char msg[80];

            snprintf(value, sizeof(value), "%.*s", (int)(nlen < 40 ? nlen : 40), p);
            snprintf(msg, sizeof(msg), "unknown argument \"%.40s\"", value);
            return api_audit_query_refuse(err, value, msg);
        }
        p += len;
        if (*p == '&')
            p++;
    }
    for (const char *const *a = api_audit_query_args; *a; a++) {
        int found = route_query_get(query, *a, value, sizeof(value));

        if (found < 0)
            return api_audit_query_refuse(err, *a, "a filter value is too long");
        if (found == 0)
            continue;
        if (!strcmp(*a, "vm") || !strcmp(*a, "user") || !strcmp(*a, "action") ||
            !strcmp(*a, "result")) {
            if (api_audit_query_text(out, *a, value, err) < 0)
                return -1;
        } else if (api_audit_query_set(out, *a, value, &limit, err) < 0) {
            return -1;
        }
    }
    if (!out->ndjson && limit > API_AUDIT_QUERY_LIMIT_MAX) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "limit must be a whole number from 1 to %d",
                      API_AUDIT_QUERY_LIMIT_MAX);
        app_error_at_range(err, "", "limit", 1, API_AUDIT_QUERY_LIMIT_MAX);
        return -1;
    }
    out->filter.limit = (int)(limit         ? limit
                              : out->ndjson ? API_AUDIT_QUERY_EXPORT_MAX
                                            : API_AUDIT_QUERY_LIMIT);
    return 0;
}
