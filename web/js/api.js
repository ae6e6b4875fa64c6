// api.js — the REST client of docs/api.md: JSON in and out, the X-CSRF-Token header
// on mutating requests, {"error":{code,message}} turned into a thrown ApiError.
// A 401 on anything but the login itself emits "logged-out". No DOM; fetch is
// injectable so Node tests can drive it. Main thread only.

import { Emitter } from './emitter.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class ApiError extends Error {
    /** status 0 with code "network_error" means the server could not be reached. */
    constructor(status, code, message, { retryAfter = null } = {}) {
        super(message);
        this.name = 'ApiError';
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter; // seconds, from Retry-After on 429
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
            throw new ApiError(0, 'network_error', 'Cannot reach the virtdeck server.');
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
            if (data === null || typeof data !== 'object') {
                throw new ApiError(res.status, 'bad_response', 'The server sent an unreadable answer.');
            }
            return data;
        }

        const e = data && typeof data === 'object' && data.error && typeof data.error === 'object'
            ? data.error : null;
        const code = e && typeof e.code === 'string' ? e.code : 'http_error';
        const message = e && typeof e.message === 'string' && e.message
            ? e.message : `Request failed (HTTP ${res.status}).`;
        const error = new ApiError(res.status, code, message, { retryAfter: retryAfterOf(res.headers) });
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

    async login(username, password) {
        const s = await this.request('POST', '/api/login', { username, password }, { quiet401: true });
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

    async domains() {
        const r = await this.request('GET', '/api/domains');
        return Array.isArray(r.domains) ? r.domains : [];
    }

    domain(uuid) {
        return this.request('GET', `/api/domains/${encodeURIComponent(uuid)}`);
    }

    /** POST /api/domains/{uuid}/{action}; resolves with the domain in detail form. */
    action(uuid, action) {
        return this.request('POST', `/api/domains/${encodeURIComponent(uuid)}/${encodeURIComponent(action)}`, {});
    }
}
