/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_audit: GET /api/audit (row AUDIT_LIST): the audit log, filtered, newest first, as
 * one JSON page or as JSON lines (the export). The query is checked on the service
 * thread (api_audit_query.h); the rows are read on a worker (SQLite reads block). Every
 * role may read it (AUTH_ACTION_AUDIT_READ); which rows is auth_policy_audit_reach: an
 * admin every row; an operator (and a viewer who sees all) the rows about any VM; a user
 * (and a viewer who sees shared VMs only) the rows about the VMs it sees, as the ownership
 * index says now. Besides, each reads its own rows about no VM (login, logout, tokens, a
 * create by name). A row about a VM the caller may not see is never answered, so
 * ?vm=<another's UUID> is an empty page, as for a UUID with no rows. The visible set is
 * bound as one JSON array (json_each), so the filter is SQL, paging included. */
#pragma once

#include "api/api_call.h"

/* 200 {"entries":[{"id","time","user","address","action","object","result","message"}...],
 * "next_cursor": "<id>" or null}; with format=ndjson or Accept: application/x-ndjson,
 * one entry per line and a last line {"next_cursor": ...}. */
extern const struct api_handler api_audit_list;
