// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/api-assert.mjs — shared assertions for the virtdeck API contract
// (docs/api.md): error bodies, domain objects, security headers. Test process only.
import assert from 'node:assert/strict';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const STATES = ['running', 'paused', 'shutoff', 'shutdown', 'crashed', 'pmsuspended', 'blocked', 'nostate'];
export const EVENTS = ['defined', 'undefined', 'started', 'suspended', 'resumed', 'stopped', 'shutdown', 'pmsuspended', 'crashed',
    'metadata'];

const STATUS_CODES = {
    400: ['bad_request'],
    401: ['unauthorized', 'totp_required'],
    403: ['forbidden', 'totp_enrolment_required', 'csrf_failed', 'origin_denied', 'outside_pool', 'outside_pool_roots', 'pool_type_not_allowed'],
    404: ['not_found'],
    405: ['method_not_allowed'],
    409: ['conflict', 'domain_is_template', 'quota_exceeded'],
    411: ['bad_request'],
    413: ['payload_too_large'],
    416: ['range_not_satisfiable'],
    429: ['too_many_requests'],
    501: ['not_supported'],
    502: ['libvirt_error'],
    503: ['libvirt_unavailable'],
    507: ['insufficient_storage'],
};

function what(res, label) {
    return `${label ? `${label}: ` : ''}got ${res.status} ${String(res.text).slice(0, 300)}`;
}

/** Asserts a JSON response (status and Content-Type). Returns the parsed body. */
export function assertJson(res, status, label) {
    assert.equal(res.status, status, what(res, label));
    assert.match(String(res.headers['content-type'] || ''), /^application\/json\b/i,
        `${label || ''} Content-Type should be application/json, got ${res.headers['content-type']}`);
    assert.ok(res.json !== null && typeof res.json === 'object', what(res, `${label || ''} body is not JSON`));
    return res.json;
}

/**
 * Asserts an error response {"error":{"code","message"}} with this status and (if
 * given) this code; otherwise any code documented for the status.
 */
export function assertError(res, status, code, label) {
    const body = assertJson(res, status, label);
    assert.ok(body.error && typeof body.error === 'object', what(res, `${label || ''} no "error" object`));
    assert.equal(typeof body.error.code, 'string', what(res, label));
    assert.equal(typeof body.error.message, 'string', what(res, label));
    assert.ok(body.error.message.length > 0, what(res, `${label || ''} empty message`));
    if (code) {
        assert.equal(body.error.code, code, what(res, label));
    } else if (STATUS_CODES[status]) {
        assert.ok(STATUS_CODES[status].includes(body.error.code),
            what(res, `${label || ''} code ${body.error.code} not documented for ${status}`));
    }
    return body.error;
}

const isInt = (v) => Number.isInteger(v);

/** Asserts the documented domain object (list entry / websocket form). */
export function assertDomainObject(d, label = 'domain') {
    assert.ok(d && typeof d === 'object', `${label}: not an object`);
    const ctx = `${label} ${JSON.stringify(d)}`;
    assert.match(d.uuid, UUID_RE, ctx);
    assert.equal(typeof d.name, 'string', ctx);
    assert.ok(d.name.length > 0, ctx);
    assert.ok(STATES.includes(d.state), `${ctx}: bad state`);
    assert.equal(typeof d.reason, 'string', ctx);
    assert.equal(d.reason, d.reason.toLowerCase(), `${ctx}: reason must be lower case`);
    assert.ok(d.reason.length > 0, ctx);
    assert.equal(typeof d.persistent, 'boolean', ctx);
    assert.equal(typeof d.autostart, 'boolean', ctx);
    assert.ok(isInt(d.vcpus) && d.vcpus > 0, `${ctx}: vcpus`);
    assert.ok(isInt(d.memory_kib) && d.memory_kib >= 0, `${ctx}: memory_kib`);
    assert.ok(isInt(d.max_memory_kib) && d.max_memory_kib > 0, `${ctx}: max_memory_kib`);
    assert.ok(d.memory_kib <= d.max_memory_kib, `${ctx}: memory_kib > max_memory_kib`);
    assert.equal(typeof d.os_type, 'string', ctx);
    assert.equal(typeof d.has_vnc, 'boolean', ctx);
    assert.equal(typeof d.title, 'string', `${ctx}: title`);
    assert.equal(typeof d.description, 'string', `${ctx}: description`);
}

const strOrNull = (v) => v === null || typeof v === 'string';

/** Asserts the detail form: domain object plus description/title/disks/interfaces/graphics. */
export function assertDomainDetail(d, label = 'detail') {
    assertDomainObject(d, label);
    const ctx = `${label} ${JSON.stringify(d)}`;
    assert.equal(typeof d.description, 'string', ctx);
    assert.equal(typeof d.title, 'string', ctx);
    assert.ok(Array.isArray(d.disks), `${ctx}: disks`);
    assert.ok(Array.isArray(d.interfaces), `${ctx}: interfaces`);
    assert.ok(Array.isArray(d.graphics), `${ctx}: graphics`);
    for (const k of d.disks) {
        for (const f of ['device', 'target', 'bus']) assert.equal(typeof k[f], 'string', `${ctx}: disk.${f}`);
        assert.ok(strOrNull(k.source), `${ctx}: disk.source`);
        assert.ok(strOrNull(k.format), `${ctx}: disk.format`);
        assert.equal(typeof k.readonly, 'boolean', `${ctx}: disk.readonly`);
    }
    for (const n of d.interfaces) {
        assert.equal(typeof n.type, 'string', `${ctx}: interface.type`);
        assert.match(n.mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i, `${ctx}: interface.mac`);
        for (const f of ['source', 'model', 'target']) assert.ok(strOrNull(n[f]), `${ctx}: interface.${f}`);
        assert.ok(['up', 'down'].includes(n.link), `${ctx}: interface.link is up or down`);
    }
    for (const g of d.graphics) {
        assert.equal(typeof g.type, 'string', `${ctx}: graphics.type`);
        assert.ok(strOrNull(g.listen), `${ctx}: graphics.listen`);
        assert.ok(isInt(g.port), `${ctx}: graphics.port`);
        assert.equal(typeof g.autoport, 'boolean', `${ctx}: graphics.autoport`);
    }
    assert.equal(d.has_vnc, d.graphics.some((g) => g.type === 'vnc'), `${ctx}: has_vnc disagrees with graphics`);
}

/** Asserts the security headers every response carries. */
export function assertSecurityHeaders(headers, label = '') {
    const csp = headers['content-security-policy'];
    assert.ok(csp, `${label}: Content-Security-Policy missing`);
    assert.ok(!/unsafe-inline/i.test(csp), `${label}: CSP allows 'unsafe-inline': ${csp}`);
    assert.ok(!/unsafe-eval/i.test(csp), `${label}: CSP allows 'unsafe-eval': ${csp}`);
    assert.match(csp, /frame-ancestors\s+'none'/i, `${label}: CSP lacks frame-ancestors 'none': ${csp}`);
    assert.match(csp, /default-src\s+[^;]*'self'|default-src\s+'none'/i, `${label}: CSP lacks default-src: ${csp}`);
    assert.equal(String(headers['x-content-type-options']).toLowerCase(), 'nosniff', `${label}: X-Content-Type-Options`);
    assert.equal(String(headers['x-frame-options']).toUpperCase(), 'DENY', `${label}: X-Frame-Options`);
    assert.equal(String(headers['referrer-policy']).toLowerCase(), 'no-referrer', `${label}: Referrer-Policy`);
    const hsts = headers['strict-transport-security'];
    assert.ok(hsts, `${label}: Strict-Transport-Security missing`);
    const m = /max-age=(\d+)/i.exec(hsts);
    assert.ok(m && Number(m[1]) > 0, `${label}: HSTS max-age: ${hsts}`);
}
