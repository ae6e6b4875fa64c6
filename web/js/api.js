// SPDX-License-Identifier: LGPL-2.1-or-later
// api.js — the REST client of docs/api.md: JSON in and out, the X-CSRF-Token header
// on mutating requests, {"error":{code,message}} turned into a thrown ApiError.
// A 401 on anything but the login itself emits "logged-out". An ApiError's message is
// the server's own (English) text, or for the client's own codes (network_error,
// bad_response, http_error) the catalogue's; views show errors.js errorText(err), the
// message for its code in the UI's language. No DOM; fetch is injectable so Node tests
// can drive it. Main thread only.

import { Emitter } from './emitter.js';
import { t } from './i18n.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class ApiError extends Error {
    /**
     * status 0 with code "network_error" means the server could not be reached. opts:
     * retryAfter; the refused request member and its range from the server's error
     * (field, min, max; docs/api.md); the request (method, path) that failed, so that
     * errors.js can name what could not be done.
     */
    constructor(status, code, message, { retryAfter = null, field = '', min = null, max = null, method = '', path = '' } = {}) {
        super(message);
        this.name = 'ApiError';
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter; // seconds, from Retry-After on 429
        this.field = typeof field === 'string' ? field : '';
        this.min = Number.isFinite(min) ? min : null;
        this.max = Number.isFinite(max) ? max : null;
        this.method = method;
        this.path = path;
    }

    /** An ApiError from the server's {"error": {...}} object e (or null) for a failed request. */
    static fromReply(status, e, fallback, request = {}) {
        const code = e && typeof e.code === 'string' ? e.code : 'http_error';
        const message = e && typeof e.message === 'string' && e.message ? e.message : fallback;
        return new ApiError(status, code, message, { field: e?.field, min: e?.min, max: e?.max, ...request });
    }
}

function retryAfterOf(headers) {
    const v = headers && headers.get ? headers.get('Retry-After') : null;
    if (v === null || v === undefined || v === '') return null;
    const n = Number(v);
    return Number.isFinite(n) && n >= 0 ? n : null;
}

export class Api extends Emitter {
    /** fetchImpl: a fetch function (default: the global one); base: URL prefix. */
    constructor({ fetchImpl, base = '' } = {}) {
        super();
        this.fetch = fetchImpl || ((...a) => globalThis.fetch(...a));
        this.base = base;
        this.csrfToken = null;
    }

    /**
     * One request. body (an object) is sent as JSON. Resolves with the parsed JSON
     * answer; rejects with ApiError. opts.quiet401 skips the "logged-out" event.
     */
    async request(method, path, body, { quiet401 = false } = {}) {
        const headers = { Accept: 'application/json' };
        const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
        if (body !== undefined) {
            headers['Content-Type'] = 'application/json';
            init.body = JSON.stringify(body);
        }
        if (MUTATING.has(method) && this.csrfToken) headers['X-CSRF-Token'] = this.csrfToken;

        let res;
        try {
            res = await this.fetch(this.base + path, init);
        } catch (err) {
            throw new ApiError(0, 'network_error', t('error.network_error'));
        }

        let data = null;
        const text = await res.text().catch(() => '');
        if (text) {
            try {
                data = JSON.parse(text);
            } catch {
                data = null;
            }
        }

        if (res.ok) {
            // A DELETE may answer 204 or 200 with nothing to say.
            if (!text && (res.status === 204 || method === 'DELETE')) return {};
            if (data === null || typeof data !== 'object') {
                throw new ApiError(res.status, 'bad_response', t('error.bad_response'));
            }
            return data;
        }

        const e = data && typeof data === 'object' && data.error && typeof data.error === 'object'
            ? data.error : null;
        const error = ApiError.fromReply(res.status, e, t('error.http_error', { status: String(res.status) }),
            { retryAfter: retryAfterOf(res.headers), method, path });
        if (res.status === 401 && !quiet401) this.emit('logged-out', error);
        throw error;
    }

    // ---- the routes -----------------------------------------------------------

    /** GET /api/session; resolves null when there is no session (no event then). */
    async session() {
        try {
            const s = await this.request('GET', '/api/session', undefined, { quiet401: true });
            this.csrfToken = s.csrf_token || null;
            return s;
        } catch (err) {
            if (err instanceof ApiError && err.status === 401) return null;
            throw err;
        }
    }

    /** POST /api/login; second: {totp} or {recovery_code} for an account with TOTP on. */
    async login(username, password, second = {}) {
        const s = await this.request('POST', '/api/login', { username, password, ...second }, { quiet401: true });
        this.csrfToken = s.csrf_token || null;
        return s;
    }

    async logout() {
        try {
            return await this.request('POST', '/api/logout', undefined, { quiet401: true });
        } finally {
            this.csrfToken = null;
        }
    }

    host() {
        return this.request('GET', '/api/host');
    }

    /** {rules}: the alert rules in force (admins). */
    alertRules() {
        return this.request('GET', '/api/alerts/rules');
    }

    /** POST /api/alerts/rules: the rule with its id. */
    createAlertRule(body) {
        return this.request('POST', '/api/alerts/rules', body);
    }

    /** DELETE /api/alerts/rules/{id}. */
    deleteAlertRule(id) {
        return this.request('DELETE', `/api/alerts/rules/${encodeURIComponent(id)}`);
    }

    /** {firing, recent}: the alerts about what the caller sees (docs/api.md "Alerts"). */
    alerts() {
        return this.request('GET', '/api/alerts');
    }

    async domains() {
        const r = await this.request('GET', '/api/domains');
        return Array.isArray(r.domains) ? r.domains : [];
    }

    domain(uuid) {
        return this.request('GET', `/api/domains/${encodeURIComponent(uuid)}`);
    }

    /** GET /api/domains/{uuid}/metrics?from=&to=&step= (unix seconds): {from, to, step, series}. */
    domainMetrics(uuid, { from, to, step }) {
        const query = new URLSearchParams({ from: String(from), to: String(to), step: String(step) });
        return this.request('GET', `/api/domains/${encodeURIComponent(uuid)}/metrics?${query}`);
    }

    /** GET /api/host/metrics?from=&to=&step= (unix seconds): {from, to, step, series}. */
    hostMetrics({ from, to, step }) {
        const query = new URLSearchParams({ from: String(from), to: String(to), step: String(step) });
        return this.request('GET', `/api/host/metrics?${query}`);
    }

    /** POST /api/domains (the create wizard's body); resolves with the new VM's detail. */
    createDomain(body) {
        return this.request('POST', '/api/domains', body);
    }

    /** GET /api/os?q=&limit=: {total, os: [entries]} (docs/api.md "OS database"). */
    osList(q = '', limit = 50) {
        const query = new URLSearchParams({ q, limit: String(limit) });
        return this.request('GET', `/api/os?${query}`);
    }

    /** GET /api/domains/{uuid}/volumes: the VM's pool volumes, each with shared_with. */
    domainVolumes(uuid) {
        return this.request('GET', `/api/domains/${encodeURIComponent(uuid)}/volumes`);
    }

    /** DELETE /api/domains/{uuid}, also deleting volumes ([{pool, name}]); {removed, kept}. */
    deleteDomain(uuid, volumes) {
        return this.request('DELETE', `/api/domains/${encodeURIComponent(uuid)}`, { volumes });
    }

    /** GET /api/jobs: {jobs: [...]}, the long work the user started (docs/api.md "Jobs"). */
    jobs() {
        return this.request('GET', '/api/jobs');
    }

    /** POST /api/domains/{uuid}/{action}; resolves with the domain in detail form. */
    action(uuid, action) {
        return this.request('POST', `/api/domains/${encodeURIComponent(uuid)}/${encodeURIComponent(action)}`, {});
    }

    /** PUT /api/domains/{uuid}/metadata {title?, description?}; resolves with the detail. */
    setDomainMetadata(uuid, fields) {
        return this.request('PUT', `/api/domains/${encodeURIComponent(uuid)}/metadata`, fields);
    }

    /** POST /api/domains/{uuid}/template {template}; resolves with the detail. */
    setDomainTemplate(uuid, template) {
        return this.request('POST', `/api/domains/${encodeURIComponent(uuid)}/template`, { template });
    }

    // ---- API tokens (docs/api.md "API tokens") ---------------------------------

    /** GET /api/tokens: {tokens: [{id, name, scope, created, expires, last_used, last_used_from}]}. */
    tokens() {
        return this.request('GET', '/api/tokens');
    }

    /** POST /api/tokens {name, scope, expires_in_days}: the token with its secret (shown once). */
    createToken(body) {
        return this.request('POST', '/api/tokens', body);
    }

    /** DELETE /api/tokens/{id}. */
    revokeToken(id) {
        return this.request('DELETE', `/api/tokens/${encodeURIComponent(id)}`);
    }

    // ---- users (docs/api.md "Users"; admins) --------------------------------------

    // ---- my account (docs/api.md "My account") ----------------------------------

    /** GET /api/account: {username, role, source, totp_enabled, totp_required, recovery_codes_left, ...}. */
    account() {
        return this.request('GET', '/api/account');
    }

    changePassword(current, next) {
        return this.request('POST', '/api/account/password', { current, new: next });
    }

    /** Begins TOTP enrolment: {secret, otpauth_uri}. */
    totpBegin() {
        return this.request('POST', '/api/account/totp', {});
    }

    /** Confirms with a code: {recovery_codes}. */
    totpConfirm(code) {
        return this.request('POST', '/api/account/totp/confirm', { code });
    }

    /** body: {code} or {password}. */
    totpDisable(body) {
        return this.request('DELETE', '/api/account/totp', body);
    }

    /** GET /api/account/sessions: {sessions: [{id, created, last_seen, address, user_agent, current}]}. */
    accountSessions() {
        return this.request('GET', '/api/account/sessions');
    }

    endSession(id) {
        return this.request('DELETE', `/api/account/sessions/${encodeURIComponent(id)}`);
    }

    logoutAll(keepCurrent = true) {
        return this.request('POST', '/api/account/logout-all', { keep_current: keepCurrent });
    }

    /** GET /api/users: {users: [{name, role, disabled, created, last_login, source, groups, viewer_sees}], roles, password_min_length}. */
    users() {
        return this.request('GET', '/api/users');
    }

    /** POST /api/users {name, role, password, groups?, viewer_sees?}: the new user. */
    createUser(body) {
        return this.request('POST', '/api/users', body);
    }

    /** PATCH /api/users/{name} {role?, password?, disabled?, groups?, viewer_sees?}: the user. */
    changeUser(name, body) {
        return this.request('PATCH', `/api/users/${encodeURIComponent(name)}`, body);
    }

    /** DELETE /api/users/{name}. */
    deleteUser(name) {
        return this.request('DELETE', `/api/users/${encodeURIComponent(name)}`);
    }

    // ---- owners, shares and groups (docs/api.md "Owners, shares and groups") ------

    /** PUT /api/domains/{uuid}/owner {owner: name | null} (admins): {owner, shares}. */
    setOwner(uuid, owner) {
        return this.request('PUT', `/api/domains/${encodeURIComponent(uuid)}/owner`, { owner });
    }

    /** GET /api/domains/{uuid}/shares (its owner, admins): {owner, shares: [{user|group, level}]}. */
    shares(uuid) {
        return this.request('GET', `/api/domains/${encodeURIComponent(uuid)}/shares`);
    }

    /** PUT /api/domains/{uuid}/shares with the whole list: {owner, shares}. */
    setShares(uuid, shares) {
        return this.request('PUT', `/api/domains/${encodeURIComponent(uuid)}/shares`, shares);
    }

    /** GET /api/groups (admins): {groups: [{name, members, created_at}]}. */
    groups() {
        return this.request('GET', '/api/groups');
    }

    /** POST /api/groups {name, members?}: the group. */
    createGroup(body) {
        return this.request('POST', '/api/groups', body);
    }

    /** PATCH /api/groups/{name} {members}: the group. */
    setGroupMembers(name, members) {
        return this.request('PATCH', `/api/groups/${encodeURIComponent(name)}`, { members });
    }

    /** DELETE /api/groups/{name}. */
    deleteGroup(name) {
        return this.request('DELETE', `/api/groups/${encodeURIComponent(name)}`);
    }

    // ---- quotas (docs/api.md "Quotas") ---------------------------------------------

    /** GET /api/quota: {user, limited, quota: {vms|vcpus|memory_mib|disk_gib: {used, reserved, limit, source}}}. */
    quota() {
        return this.request('GET', '/api/quota');
    }

    /** PUT /api/users/{name}/quota {vms, vcpus, memory_mib, disk_gib} (each a count or null). */
    setUserQuota(name, body) {
        return this.request('PUT', `/api/users/${encodeURIComponent(name)}/quota`, body);
    }

    /** PUT /api/groups/{name}/quota {vms, vcpus, memory_mib, disk_gib} (each a count or null). */
    setGroupQuota(name, body) {
        return this.request('PUT', `/api/groups/${encodeURIComponent(name)}/quota`, body);
    }

    // ---- networks ---------------------------------------------------------------

    // ---- the audit log (every role: the rows about the VMs it sees) ----------------

    /** A page of GET /api/audit: path from audit-query.js auditApiPath. */
    audit(path) {
        return this.request('GET', path);
    }

    /** The self-service set: {templates: [{uuid, name, title}], isos: [{pool, name}], networks, pools}. */
    selfService() {
        return this.request('GET', '/api/self-service');
    }

    /** Replaces the self-service set (admins): body as selfService() answers, templates by UUID. */
    setSelfService(body) {
        return this.request('PUT', '/api/self-service', body);
    }

    async networks() {
        const r = await this.request('GET', '/api/networks');
        return Array.isArray(r.networks) ? r.networks : [];
    }

    createNetwork(body) {
        return this.request('POST', '/api/networks', body);
    }

    /** action: "start" | "stop". */
    networkAction(name, action) {
        return this.request('POST', `/api/networks/${encodeURIComponent(name)}/${encodeURIComponent(action)}`, {});
    }

    networkAutostart(name, enabled) {
        return this.request('POST', `/api/networks/${encodeURIComponent(name)}/autostart`, { enabled: !!enabled });
    }

    /** force: also when a running VM uses it (the server answers 409 otherwise). */
    deleteNetwork(name, { force = false } = {}) {
        return this.request('DELETE', `/api/networks/${encodeURIComponent(name)}${force ? '?force=true' : ''}`);
    }

    async networkLeases(name) {
        const r = await this.request('GET', `/api/networks/${encodeURIComponent(name)}/leases`);
        return Array.isArray(r.leases) ? r.leases : [];
    }

    // ---- storage ------------------------------------------------------------------

    async pools() {
        const r = await this.request('GET', '/api/pools');
        return Array.isArray(r.pools) ? r.pools : [];
    }

    pool(name) {
        return this.request('GET', `/api/pools/${encodeURIComponent(name)}`);
    }

    createPool(body) {
        return this.request('POST', '/api/pools', body);
    }

    /** action: "start" | "stop" | "refresh". */
    poolAction(name, action) {
        return this.request('POST', `/api/pools/${encodeURIComponent(name)}/${encodeURIComponent(action)}`, {});
    }

    poolAutostart(name, enabled) {
        return this.request('POST', `/api/pools/${encodeURIComponent(name)}/autostart`, { enabled: !!enabled });
    }

    deletePool(name) {
        return this.request('DELETE', `/api/pools/${encodeURIComponent(name)}`);
    }

    async volumes(pool) {
        const r = await this.request('GET', `/api/pools/${encodeURIComponent(pool)}/volumes`);
        return Array.isArray(r.volumes) ? r.volumes : [];
    }

    createVolume(pool, body) {
        return this.request('POST', `/api/pools/${encodeURIComponent(pool)}/volumes`, body);
    }

    deleteVolume(pool, vol) {
        return this.request('DELETE', `/api/pools/${encodeURIComponent(pool)}/volumes/${encodeURIComponent(vol)}`);
    }

    /** action: "resize" ({capacity_bytes, shrink?}), "clone" ({name}), "wipe" ({}). */
    volumeAction(pool, vol, action, body = {}) {
        return this.request('POST',
            `/api/pools/${encodeURIComponent(pool)}/volumes/${encodeURIComponent(vol)}/${encodeURIComponent(action)}`, body);
    }

    // ---- VM devices -----------------------------------------------------------------

    attachDisk(uuid, body) {
        return this.request('POST', `/api/domains/${encodeURIComponent(uuid)}/disks`, body);
    }

    detachDisk(uuid, target) {
        return this.request('DELETE', `/api/domains/${encodeURIComponent(uuid)}/disks/${encodeURIComponent(target)}`);
    }

    /** Inserts {pool, volume} into a CD-ROM drive; media null ejects. */
    changeMedia(uuid, target, media) {
        const path = `/api/domains/${encodeURIComponent(uuid)}/disks/${encodeURIComponent(target)}/media`;
        return media ? this.request('PUT', path, media) : this.request('DELETE', path);
    }

    attachInterface(uuid, body) {
        return this.request('POST', `/api/domains/${encodeURIComponent(uuid)}/interfaces`, body);
    }

    updateInterface(uuid, mac, body) {
        return this.request('PATCH', `/api/domains/${encodeURIComponent(uuid)}/interfaces/${encodeURIComponent(mac)}`, body);
    }

    detachInterface(uuid, mac) {
        return this.request('DELETE', `/api/domains/${encodeURIComponent(uuid)}/interfaces/${encodeURIComponent(mac)}`);
    }

    addresses(uuid) {
        return this.request('GET', `/api/domains/${encodeURIComponent(uuid)}/addresses`);
    }
}
