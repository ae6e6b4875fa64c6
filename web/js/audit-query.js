// SPDX-License-Identifier: LGPL-2.1-or-later
// audit-query.js — the audit log's filters (docs/api.md "Audit log") as the UI keeps them
// in the hash (#/audit?vm=…&user=…&action=…&result=…&since=…&until=…) and as GET
// /api/audit takes them. since/until are kept as the <input type="datetime-local">
// value (local time, readable in the hash) and sent as epoch milliseconds. Pure: no
// DOM; tested by tests/web/audit-query.test.mjs.

/** The filters, in the order the form shows them. */
export const AUDIT_FILTERS = ['vm', 'user', 'action', 'result', 'since', 'until'];

/** The rows one page asks for. */
export const AUDIT_PAGE = 50;

/** A query string ("a=1&b=2", with or without "?") -> {vm, user, …}: only known, non-empty filters. */
export function parseAuditFilter(query) {
    const params = new URLSearchParams(String(query ?? '').replace(/^\?/, ''));
    const out = {};
    for (const k of AUDIT_FILTERS) {
        const v = (params.get(k) || '').trim();
        if (v) out[k] = v;
    }
    return out;
}

/** The hash of the audit page with filter. */
export function auditHash(filter = {}) {
    const params = new URLSearchParams();
    for (const k of AUDIT_FILTERS) if (filter[k]) params.set(k, filter[k]);
    const q = params.toString();
    return q ? `#/audit?${q}` : '#/audit';
}

/** A datetime-local value ("2026-12-04T16:00") -> epoch ms as a string, or null when it is not one. */
export function localToEpochMs(value) {
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(String(value ?? ''))) return null;
    const ms = new Date(value).getTime();
    return Number.isFinite(ms) ? String(ms) : null;
}

/**
 * The path of GET /api/audit for filter: opts.cursor (the previous page's next_cursor),
 * opts.limit, opts.format ("ndjson": the export). A since/until that is not a time is
 * left out (the form checks it first).
 */
export function auditApiPath(filter = {}, { cursor = null, limit = null, format = null } = {}) {
    const params = new URLSearchParams();
    for (const k of AUDIT_FILTERS) {
        const v = filter[k];
        if (!v) continue;
        if (k === 'since' || k === 'until') {
            const ms = localToEpochMs(v);
            if (ms !== null) params.set(k, ms);
        } else {
            params.set(k, v);
        }
    }
    if (limit) params.set('limit', String(limit));
    if (cursor) params.set('cursor', String(cursor));
    if (format) params.set('format', format);
    const q = params.toString();
    return q ? `/api/audit?${q}` : '/api/audit';
}

/** The VM an audit object names ("domain:<uuid>" or "domain:<uuid>/…"), else null. */
export function objectDomain(object) {
    const m = /^domain:([0-9a-f-]{36})(\/|$)/.exec(String(object ?? ''));
    return m ? m[1] : null;
}
