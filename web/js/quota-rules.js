// SPDX-License-Identifier: LGPL-2.1-or-later
// quota-rules.js — the quota figures the UI shows and the limits it sends (docs/api.md
// "Quotas"): the four dimensions in the server's order, a limit field's text checked as
// the server checks it ("" is unlimited, else a whole number 0 .. 2^40), and one
// dimension of GET /api/quota as a bar (value, maximum, whether it is full). Pure; no DOM.

export const QUOTA_DIMS = ['vms', 'vcpus', 'memory_mib', 'disk_gib'];
export const QUOTA_LIMIT_MAX = 2 ** 40;

/** A limit field's problem id ('' when fine): blank is unlimited. */
export function limitProblem(text) {
    const v = String(text ?? '').trim();
    if (v === '') return '';
    if (!/^\d+$/.test(v) || Number(v) > QUOTA_LIMIT_MAX) return 'quota.limit.invalid';
    return '';
}

/** A limit field's value for the PUT body: null (unlimited) or a number. */
export function limitValue(text) {
    const v = String(text ?? '').trim();
    return v === '' ? null : Number(v);
}

/** A limit as a field shows it: '' for unlimited. */
export function limitText(limit) {
    return limit === null || limit === undefined ? '' : String(limit);
}

/**
 * One dimension of GET /api/quota ({used, reserved, limit}) as a bar: {used, limit, value,
 * max, full, over}. value/max suit a <meter>; unlimited (limit null) has max = used (an
 * empty or full bar means nothing then: limited is false).
 */
export function quotaBar(dim) {
    const used = Number(dim?.used) || 0;
    const limit = dim?.limit ?? null;
    const limited = limit !== null;
    return {
        used,
        limit,
        limited,
        value: limited ? Math.min(used, limit) : 0,
        max: limited ? Math.max(limit, 1) : 1,
        full: limited && used >= limit,
        over: limited && used > limit,
    };
}
