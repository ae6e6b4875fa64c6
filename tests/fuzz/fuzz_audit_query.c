/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_audit_query: libFuzzer target for api_audit_query_parse (server/api/
 * api_audit_query.h), which reads GET /api/audit's query string, and
 * store_audit_log_sql, which turns its filter into SQL. Runs on libFuzzer's thread; no
 * state between inputs.
 *
 * Input: the decoded query string (as struct api_call's: arguments joined by '&').
 * Invariants beyond "no crash": a refusal is a 400 naming a field; an accepted filter has
 * a limit in range, text filters of [1, 64] bytes (vm a lower-case UUID; action and
 * result of [a-z0-9_-]), no negative bound or cursor; the SQL it builds has exactly one
 * '?' per set member (three for vm) plus the limit, and never contains a byte of the
 * input (every value is a bound parameter); parsing is the same with the Accept flag
 * except for the export's default and bound. */
#include <stdbool.h>
#include <string.h>

#include "api/api_audit_query.h"
#include "fuzz_input.h"
#include "virt/virt_domain.h"

static size_t fuzz_audit_marks(const char *sql)
{
    size_t n = 0;

    for (; *sql; sql++)
        n += *sql == '?';
    return n;
}

static void fuzz_audit_check(const struct api_audit_query *q, bool ndjson)
{
    const struct store_audit_filter *f = &q->filter;
    char sql[512];
    size_t want = 1;

    FUZZ_ASSERT(f->limit >= 1 &&
                f->limit <= (q->ndjson ? API_AUDIT_QUERY_EXPORT_MAX : API_AUDIT_QUERY_LIMIT_MAX));
    FUZZ_ASSERT(!ndjson || q->ndjson);
    FUZZ_ASSERT(f->since_s >= 0 && f->until_s >= 0 && f->before_id >= 0);
    if (f->vm) {
        FUZZ_ASSERT(virt_domain_uuid_valid(f->vm));
        for (const char *c = f->vm; *c; c++)
            FUZZ_ASSERT(!(*c >= 'A' && *c <= 'Z'));
        want += 3;
    }
    const char *texts[] = {f->user, f->action, f->result};

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        if (!texts[i])
            continue;
        FUZZ_ASSERT(strlen(texts[i]) >= 1 && strlen(texts[i]) < API_AUDIT_QUERY_VALUE_MAX);
        want++;
    }
    if (f->action)
        FUZZ_ASSERT(strspn(f->action, "abcdefghijklmnopqrstuvwxyz0123456789_-") ==
                    strlen(f->action));
    if (f->result)
        FUZZ_ASSERT(strspn(f->result, "abcdefghijklmnopqrstuvwxyz0123456789_-") ==
                    strlen(f->result));
    want += (f->since_s != 0) + (f->until_s != 0) + (f->before_id != 0);
    FUZZ_ASSERT(store_audit_log_sql(f, sql, sizeof(sql)) == 0);
    FUZZ_ASSERT(fuzz_audit_marks(sql) == want);
    FUZZ_ASSERT(!strchr(sql, '\'') && !strchr(sql, ';'));
    /* a reader who may not read every row: the reach's own parameters come first (the
     * reader; the visible VMs too), and the filter's SQL follows unchanged */
    for (int reach = STORE_AUDIT_EVERY_DOMAIN; reach <= STORE_AUDIT_DOMAINS_IN; reach++) {
        struct store_audit_filter scoped = *f;
        char wide[1536];

        scoped.reach = (enum store_audit_reach)reach;
        FUZZ_ASSERT(store_audit_log_sql(&scoped, wide, sizeof(wide)) == 0);
        FUZZ_ASSERT(fuzz_audit_marks(wide) == want + (reach == STORE_AUDIT_DOMAINS_IN ? 2 : 1));
        FUZZ_ASSERT(strstr(wide, strstr(sql, " WHERE 1") + strlen(" WHERE 1")) != NULL);
        FUZZ_ASSERT(!strchr(wide, ';'));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *query = fuzz_input_cstr(data, size);
    struct api_audit_query *q = xcalloc(1, sizeof(*q));
    struct app_error err;

    for (int accept = 0; accept < 2; accept++) {
        app_error_clear(&err);
        if (api_audit_query_parse(query, accept, q, &err) == 0) {
            fuzz_audit_check(q, accept);
        } else {
            FUZZ_ASSERT(err.status == 400);
            FUZZ_ASSERT(err.field[0] != '\0');
        }
    }
    free(q);
    free(query);
    return 0;
}
