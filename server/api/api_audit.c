/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_audit: the audit log's reader (see api_audit.h). check on the service thread, run
 * on a worker. The JSON lines answer is built row by row into one bounded buffer (at most
 * API_AUDIT_QUERY_EXPORT_MAX rows, a few MiB), never as a JSON tree. */
#include "api/api_audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_audit_query.h"
#include "auth_owners.h"
#include "util/buf.h"

struct api_audit_page {
    struct api_audit_query *query; /* borrowed */
    int limit;                     /* rows to answer; one more is read to see if more follow */
    int seen;
    int64_t last_id; /* the last answered row's id: the next cursor */
    bool more;
    struct json_object *entries; /* owned (JSON page) */
    struct buf lines;            /* the JSON lines */
    bool overflow;               /* lines passed its bound */
};

static struct json_object *api_audit_text(const char *s)
{
    return s && s[0] ? json_object_new_string(s) : NULL;
}

static struct json_object *api_audit_entry(const struct store_audit_row *row)
{
    struct json_object *e = json_object_new_object();
    char when[32];
    time_t t = (time_t)row->at;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object_object_add(e, "id", json_object_new_int64(row->id));
    json_object_object_add(e, "time", json_object_new_string(when));
    json_object_object_add(e, "user", json_object_new_string(row->user));
    json_object_object_add(e, "address", json_object_new_string(row->address));
    json_object_object_add(e, "action", json_object_new_string(row->action));
    json_object_object_add(e, "object", json_object_new_string(row->object));
    json_object_object_add(e, "result", json_object_new_string(row->result));
    json_object_object_add(e, "message", api_audit_text(row->message));
    return e;
}

/* Appends obj as one line to the page's lines (obj is dropped). */
static void api_audit_line(struct api_audit_page *page, struct json_object *obj)
{
    const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);

    if (buf_append_str(&page->lines, text) < 0 || buf_append_str(&page->lines, "\n") < 0)
        page->overflow = true;
    json_object_put(obj);
}

static void api_audit_each(const struct store_audit_row *row, void *ctx)
{
    struct api_audit_page *page = ctx;

    if (page->seen++ >= page->limit) {
        page->more = true;
        return;
    }
    page->last_id = row->id;
    if (page->query->ndjson)
        api_audit_line(page, api_audit_entry(row));
    else
        json_object_array_add(page->entries, api_audit_entry(row));
}

static struct json_object *api_audit_cursor(const struct api_audit_page *page)
{
    char id[24];

    if (!page->more)
        return NULL;
    snprintf(id, sizeof(id), "%lld", (long long)page->last_id);
    return json_object_new_string(id);
}

static int api_audit_list_check(struct api_call *call, const struct http_request *req,
                                struct api_reply *reply)
{
    struct api_audit_query *query = api_call_state_new(call, sizeof(*query));

    if (api_audit_query_parse(call->query, call->accept_ndjson, query, &reply->err) < 0)
        return -1;
    return 0;
}

static void api_audit_list_run(struct api_call *call, struct api_reply *reply)
{
    struct api_audit_query *query = call->state;
    struct api_audit_page page = {.query = query, .limit = query->filter.limit};
    struct json_object *out = NULL, *trailer;
    struct auth_subject subject = api_call_subject(call);
    char *visible = NULL;
    struct app_error err;
    size_t len;

    app_error_clear(&err);
    switch (auth_policy_audit_reach(&subject)) {
    case AUTH_AUDIT_ALL:
        query->filter.reach = STORE_AUDIT_ALL;
        break;
    case AUTH_AUDIT_EVERY_DOMAIN:
        query->filter.reach = STORE_AUDIT_EVERY_DOMAIN;
        break;
    case AUTH_AUDIT_VISIBLE_DOMAINS:
    case AUTH_AUDIT_NONE: /* the route's right refused it already; an empty set if not */
        query->filter.reach = STORE_AUDIT_DOMAINS_IN;
        query->filter.domains = visible = auth_owners_visible_uuids(call->owners, &subject);
        break;
    }
    query->filter.reader = subject.username;
    buf_init(&page.lines, HTTP_RESPONSE_MAX_BODY / 2);
    page.entries = json_object_new_array();
    query->filter.limit = page.limit + 1;
    if (store_audit_log_query(call->db, &query->filter, api_audit_each, &page, &err) < 0) {
        api_reply_error(reply, &err);
        goto cleanup;
    }
    if (query->ndjson) {
        trailer = json_object_new_object();
        json_object_object_add(trailer, "next_cursor", api_audit_cursor(&page));
        api_audit_line(&page, trailer);
        if (page.overflow) {
            app_error_set(&err, 500, APP_ERR_INTERNAL,
                          "the export is too large; ask for fewer rows (limit)");
            api_reply_error(reply, &err);
            goto cleanup;
        }
        len = page.lines.len;
        api_reply_text(reply, 200, "application/x-ndjson", buf_take(&page.lines), len);
        goto cleanup;
    }
    out = json_object_new_object();
    json_object_object_add(out, "entries", page.entries);
    page.entries = NULL;
    json_object_object_add(out, "next_cursor", api_audit_cursor(&page));
    api_reply_json(reply, 200, out);

cleanup:
    free(visible);
    json_object_put(page.entries);
    buf_free(&page.lines);
}

const struct api_handler api_audit_list = {
    .check = api_audit_list_check,
    .run = api_audit_list_run,
};
