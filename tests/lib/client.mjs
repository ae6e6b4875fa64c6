// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/client.mjs — a small HTTPS JSON client for virtdeck tests.
// Owns: a cookie jar, the CSRF token from login/session, one https.Agent per client
// (pinned to the daemon's generated certificate when available) and the /api/events
// websocket with a message queue. Runs in the test process only.
import https from 'node:https';
import WebSocket from 'ws';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Parses one Set-Cookie header into {name, value, attrs:{lowercased: value|true}}. */
export function parseSetCookie(line) {
    const parts = line.split(';').map((s) => s.trim());
    const [nv, ...rest] = parts;
    const eq = nv.indexOf('=');
    const attrs = {};
    for (const a of rest) {
        if (!a) continue;
        const i = a.indexOf('=');
        if (i < 0) attrs[a.toLowerCase()] = true;
        else attrs[a.slice(0, i).trim().toLowerCase()] = a.slice(i + 1).trim();
    }
    return { name: nv.slice(0, eq).trim(), value: nv.slice(eq + 1).trim(), attrs };
}

export class Client {
    /**
     * daemon: {url, host, port, ca} from startDaemon.
     * opts.localAddress  source address (e.g. '127.0.0.2') for per-address checks
     * opts.keepAlive     reuse connections (default true)
     * opts.maxSockets    connections open at once (default 1 with keepAlive, else no limit)
     * opts.pin           verify against the daemon's certificate (default true if ca known)
     */
    constructor(daemon, { localAddress, keepAlive = true, maxSockets, pin = true } = {}) {
        this.daemon = daemon;
        this.url = daemon.url;
        this.host = daemon.host;
        this.port = daemon.port;
        this.localAddress = localAddress;
        this.tlsOpts = (pin && daemon.ca) ? { ca: daemon.ca } : { rejectUnauthorized: false };
        this.agent = new https.Agent({ keepAlive, maxSockets: maxSockets || (keepAlive ? 1 : Infinity), ...this.tlsOpts });
        this.cookies = new Map();
        this.csrf = null;
        this.user = null;
    }

    get origin() { return `https://${this.host}:${this.port}`; }

    cookieHeader() {
        return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }

    get sessionCookie() { return this.cookies.get('virtdeck_session'); }

    storeCookies(setCookie) {
        for (const line of setCookie || []) {
            const c = parseSetCookie(line);
            const maxAge = c.attrs['max-age'];
            const expires = c.attrs.expires ? Date.parse(c.attrs.expires) : NaN;
            if (c.value === '' || (maxAge !== undefined && Number(maxAge) <= 0) ||
                (!Number.isNaN(expires) && expires <= Date.now())) {
                this.cookies.delete(c.name);
            } else {
                this.cookies.set(c.name, c.value);
            }
        }
    }

    /**
     * Sends one request. opts:
     *   body     object (sent as JSON) | string | Buffer (sent as is)
     *   headers  extra headers (win over the defaults)
     *   raw      true: do not JSON-encode body; never add Content-Type
     *   cookies  false: send no cookie
     *   csrf     false: never add X-CSRF-Token; a string: send that token
     *   timeoutMs
     * Returns {status, headers, json (parsed or null), text, body (Buffer)}.
     */
    req(method, path, opts = {}) {
        const { body, raw = false, cookies = true, csrf, timeoutMs = 10000 } = opts;
        const headers = {};
        let payload = null;
        if (body !== undefined && body !== null) {
            if (!raw && typeof body === 'object' && !Buffer.isBuffer(body)) {
                payload = Buffer.from(JSON.stringify(body));
                headers['Content-Type'] = 'application/json';
            } else {
                payload = Buffer.isBuffer(body) ? body : Buffer.from(String(body));
                if (!raw) headers['Content-Type'] = 'application/json';
            }
            headers['Content-Length'] = String(payload.length);
        } else if (MUTATING.has(method)) {
            headers['Content-Length'] = '0';
        }
        if (cookies && this.cookies.size) headers.Cookie = this.cookieHeader();
        if (MUTATING.has(method) && csrf !== false) {
            const token = typeof csrf === 'string' ? csrf : this.csrf;
            if (token) headers['X-CSRF-Token'] = token;
        }
        Object.assign(headers, opts.headers || {});
        for (const [k, v] of Object.entries(headers)) if (v === undefined) delete headers[k];
        return new Promise((resolve, reject) => {
            const r = https.request({
                host: this.host,
                port: this.port,
                method,
                path,
                headers,
                agent: this.agent,
                localAddress: this.localAddress,
            }, (res) => {
                const chunks = [];
                res.on('data', (c) => chunks.push(c));
                res.on('end', () => {
                    const buf = Buffer.concat(chunks);
                    const text = buf.toString('utf8');
                    let json = null;
                    if (text.length) {
                        try { json = JSON.parse(text); } catch { json = null; }
                    }
                    this.storeCookies(res.headers['set-cookie']);
                    resolve({ status: res.statusCode, headers: res.headers, json, text, body: buf });
                });
                res.on('error', reject);
            });
            r.setTimeout(timeoutMs, () => r.destroy(new Error(`${method} ${path}: no response in ${timeoutMs} ms`)));
            r.on('error', reject);
            if (payload) r.write(payload);
            r.end();
        });
    }

    get(path, opts) { return this.req('GET', path, opts); }
    post(path, body, opts = {}) { return this.req('POST', path, { ...opts, body }); }

    /** Logs in; throws unless 200. Stores the cookie and the CSRF token. */
    async login(username, password) {
        const res = await this.req('POST', '/api/login', { body: { username, password }, cookies: false, csrf: false });
        if (res.status !== 200) {
            throw new Error(`login ${username} failed: ${res.status} ${res.text}`);
        }
        this.csrf = res.json && res.json.csrf_token;
        this.user = res.json;
        return res;
    }

    async logout() {
        const res = await this.req('POST', '/api/logout');
        if (res.status === 200) this.csrf = null;
        return res;
    }

    close() { this.agent.destroy(); }

    /**
     * Opens the /api/events websocket. opts: origin (default https://Host; null = none),
     * protocols (array), cookies (default true), headers, path.
     * Resolves with an Events object once open; rejects with err.status / err.body if the
     * server refuses the upgrade.
     */
    openEvents(opts = {}) {
        const { origin = this.origin, protocols = [], cookies = true, path = '/api/events', timeoutMs = 10000 } = opts;
        const headers = { ...(opts.headers || {}) };
        if (cookies && this.cookies.size) headers.Cookie = this.cookieHeader();
        const wsOpts = {
            headers,
            localAddress: this.localAddress,
            handshakeTimeout: timeoutMs,
            ...this.tlsOpts,
        };
        if (origin !== null) wsOpts.origin = origin;
        const ws = new WebSocket(`wss://${this.host}:${this.port}${path}`, protocols, wsOpts);
        return Events.open(ws);
    }
}

/** A websocket with a queue of parsed JSON messages. */
export class Events {
    constructor(ws) {
        this.ws = ws;
        this.queue = [];
        this.all = [];
        this.waiters = [];
        this.closeInfo = null;
        this.closed = new Promise((resolve) => {
            ws.on('close', (code, reason) => {
                this.closeInfo = { code, reason: reason.toString() };
                for (const w of this.waiters.splice(0)) w.fail(new Error(`websocket closed (${code} ${reason}) while waiting`));
                resolve(this.closeInfo);
            });
        });
        ws.on('message', (data, isBinary) => {
            let msg;
            try {
                msg = JSON.parse(data.toString('utf8'));
            } catch {
                msg = { __unparsed: data.toString('utf8'), binary: isBinary };
            }
            msg.__at = performance.now();
            this.all.push(msg);
            this.queue.push(msg);
            this.pump();
        });
    }

    static open(ws) {
        return new Promise((resolve, reject) => {
            const ev = new Events(ws);
            ws.once('open', () => resolve(ev));
            ws.once('unexpected-response', (req, res) => {
                const chunks = [];
                res.on('data', (c) => chunks.push(c));
                res.on('end', () => {
                    const text = Buffer.concat(chunks).toString('utf8');
                    const err = new Error(`websocket upgrade refused: ${res.statusCode} ${text}`);
                    err.status = res.statusCode;
                    err.headers = res.headers;
                    err.body = text;
                    try { err.json = JSON.parse(text); } catch { err.json = null; }
                    req.destroy();
                    reject(err);
                });
            });
            ws.once('error', (e) => reject(e));
        });
    }

    pump() {
        // Each message goes to the first waiter it matches; while anyone waits, a
        // message no waiter wants is consumed (dropped). Without waiters they queue.
        while (this.waiters.length && this.queue.length) {
            const m = this.queue.shift();
            const w = this.waiters.find((x) => x.pred(m));
            if (w) {
                this.waiters.splice(this.waiters.indexOf(w), 1);
                w.ok(m);
            }
        }
    }

    /**
     * Resolves with the first queued or future message matching predicate; messages
     * looked at before it are consumed. Rejects after timeoutMs or on close.
     */
    next(predicate = () => true, timeoutMs = 5000) {
        return new Promise((resolve, reject) => {
            let timer = null;
            const w = {
                pred: predicate,
                ok: (m) => { clearTimeout(timer); resolve(m); },
                fail: (e) => { clearTimeout(timer); reject(e); },
            };
            timer = setTimeout(() => {
                const i = this.waiters.indexOf(w);
                if (i >= 0) this.waiters.splice(i, 1);
                const types = this.all.slice(-10).map((m) => m.type + (m.event ? `/${m.event}` : '')).join(', ');
                reject(new Error(`no matching websocket message within ${timeoutMs} ms (last seen: ${types})`));
            }, timeoutMs);
            this.waiters.push(w);
            this.pump();
            if (this.closeInfo && this.waiters.includes(w)) {
                this.waiters.splice(this.waiters.indexOf(w), 1);
                w.fail(new Error(`websocket already closed (${this.closeInfo.code})`));
            }
        });
    }

    close() {
        if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
        return this.closed;
    }

    terminate() { this.ws.terminate(); return this.closed; }
}

/**
 * Opens a websocket to one of the daemon's endpoints as `client` (its session cookie and
 * Origin unless overridden: cookie '' sends none). Resolves wrap(ws) once upgraded;
 * rejects with {status, body} when the upgrade is refused, or with the socket's error.
 */
export function openWebSocket(client, path, { origin, cookie, protocols = [], wrap = (ws) => ws } = {}) {
    const headers = { Origin: origin === undefined ? client.origin : origin };
    const c = cookie === undefined ? client.cookieHeader() : cookie;
    if (c) headers.Cookie = c;
    const ws = new WebSocket(`wss://${client.host}:${client.port}${path}`, protocols, { headers, ...client.tlsOpts });
    const wrapped = wrap(ws);
    return new Promise((resolve, reject) => {
        ws.once('open', () => resolve(wrapped));
        ws.once('unexpected-response', (req, res) => {
            let body = '';
            res.on('data', (d) => { body += d; });
            res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`),
                { status: res.statusCode, body })));
        });
        ws.once('error', (e) => reject(e));
    });
}
