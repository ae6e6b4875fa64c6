/* api_audit: GET /api/audit (row AUDIT_LIST): the audit log, filtered, newest first, as
 * one JSON page or as JSON lines (the export). The query is checked on the service
 * thread (api_audit_query.h); the rows are read on a worker (SQLite reads block). Who may
 * read it is the route table's right (AUTH_ACTION_AUDIT_READ: admins today). */
#pragma once

#include "api/api_call.h"

/* 200 {"entries":[{"id","time","user","address","action","object","result","message"}...],
 * "next_cursor": "<id>" or null}; with format=ndjson or Accept: application/x-ndjson,
 * one entry per line and a last line {"next_cursor": ...}. */
extern const struct api_handler api_audit_list;
