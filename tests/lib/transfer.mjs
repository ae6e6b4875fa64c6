// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/transfer.mjs — streaming uploads and downloads of volume contents through the
// daemon (PUT/GET /api/pools/{pool}/volumes/{vol}/content) for the integration tests and
// the benchmark: files are streamed, never held in memory, and hashed on the way.
// Also: random test files with their SHA-256, and the daemon's memory from /proc.
// Runs in the test process only.
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import { until } from './wait.mjs';

/** The content route of a volume. */
export function contentPath(pool, vol) {
    return `/api/pools/${encodeURIComponent(pool)}/volumes/${encodeURIComponent(vol)}/content`;
}

/** Writes `size` random bytes to file; resolves with their SHA-256 (hex). */
export async function writeRandomFile(file, size) {
    const hash = crypto.createHash('sha256');
    const fd = fs.openSync(file, 'w');
    try {
        const block = 4 * 1024 * 1024;
        for (let done = 0; done < size;) {
            const n = Math.min(block, size - done);
            const buf = crypto.randomBytes(n);
            hash.update(buf);
            fs.writeSync(fd, buf);
            done += n;
        }
    } finally {
        fs.closeSync(fd);
    }
    return hash.digest('hex');
}

/** SHA-256 (hex) of a file, streamed. */
export function hashFile(file) {
    return new Promise((resolve, reject) => {
        const hash = crypto.createHash('sha256');
        fs.createReadStream(file).on('data', (c) => hash.update(c)).on('end', () => resolve(hash.digest('hex')))
            .on('error', reject);
    });
}

/** One request on its own connection, pinned to the daemon's certificate. */
function request(client, method, path, headers) {
    for (const [k, v] of Object.entries(headers)) if (v === undefined) delete headers[k];
    return https.request({
        host: client.host, port: client.port, method, path, headers,
        agent: false, ...client.tlsOpts,
    });
}

function authHeaders(client, extra = {}) {
    const headers = { Cookie: client.cookieHeader(), ...extra };
    if (client.csrf) headers['X-CSRF-Token'] = client.csrf;
    return headers;
}

function collect(res) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json;
            try { json = JSON.parse(text); } catch { json = null; }
            resolve({ status: res.statusCode, headers: res.headers, text, json });
        });
        res.on('error', reject);
    });
}

/**
 * Uploads `file` (its whole size) with PUT. opts.headers are added; opts.contentLength
 * overrides the announced length (then only that many bytes of the file are sent).
 * Resolves with {status, headers, json, text, ms}.
 */
export function uploadFile(client, pool, vol, file, opts = {}) {
    const size = opts.contentLength ?? fs.statSync(file).size;
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
        const req = request(client, 'PUT', contentPath(pool, vol), authHeaders(client, {
            'Content-Type': 'application/octet-stream', 'Content-Length': String(size), ...(opts.headers || {}),
        }));
        req.on('response', (res) => collect(res).then((r) => resolve({ ...r, ms: performance.now() - t0 }), reject));
        req.on('error', reject);
        if (size === 0) { req.end(); return; }
        fs.createReadStream(file, { start: 0, end: size - 1, highWaterMark: 256 * 1024 }).pipe(req);
    });
}

/**
 * Announces `announced` bytes but sends only `sent` random bytes, waits until underWay()
 * (it may be async; polled, for at most timeoutMs) says the daemon is at work on them,
 * then destroys the connection: an upload cut off halfway. Resolves once the socket is
 * gone with {answered: the status if the server answered before the cut (it should not;
 * an answer ends the wait), seen: whether underWay() held before the cut}.
 */
export function uploadCutOff(client, pool, vol, announced, sent, underWay, { timeoutMs = 10000 } = {}) {
    return new Promise((resolve) => {
        let answered = null;
        const req = request(client, 'PUT', contentPath(pool, vol), authHeaders(client, {
            'Content-Type': 'application/octet-stream', 'Content-Length': String(announced),
        }));
        req.on('error', () => {});
        req.on('response', (res) => { answered = res.statusCode; res.resume(); });
        req.write(crypto.randomBytes(sent), async () => {
            let seen = false;
            await until(async () => answered !== null || (seen = !!(await underWay())), timeoutMs, () => '')
                .catch(() => {}); // not under way in time: `seen` says so
            req.destroy();
            resolve({ answered, seen });
        });
    });
}

/**
 * Uploads `body` (a Buffer) the way curl does: "Expect: 100-continue", and the body only
 * after the server says "100 Continue". Resolves with {status, json, text, continued}.
 */
export function uploadExpectingContinue(client, pool, vol, body) {
    return new Promise((resolve, reject) => {
        let continued = false;
        const req = request(client, 'PUT', contentPath(pool, vol), authHeaders(client, {
            'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length),
            Expect: '100-continue',
        }));
        req.on('continue', () => { continued = true; req.end(body); });
        req.on('response', (res) => collect(res).then((r) => resolve({ ...r, continued }), reject));
        req.on('error', reject);
        req.flushHeaders();
    });
}

/** Sends a request with an announced Content-Length and no body; resolves with the answer. */
export function putAnnounceOnly(client, pool, vol, announced, extraHeaders = {}) {
    return new Promise((resolve, reject) => {
        const req = request(client, 'PUT', contentPath(pool, vol), authHeaders(client, {
            'Content-Length': String(announced), ...extraHeaders,
        }));
        req.on('response', (res) => collect(res).then(resolve, reject));
        req.on('error', reject);
        req.flushHeaders();
    });
}

/**
 * Downloads with GET (or HEAD) and hashes the body as it arrives (unless opts.hash is
 * false; written to opts.file when given). Resolves with {status, headers, bytes, sha256
 * (null without hashing), body (only if opts.keep), ms}.
 */
export function download(client, pool, vol, opts = {}) {
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
        const req = request(client, opts.method || 'GET', contentPath(pool, vol),
            authHeaders(client, opts.headers || {}));
        req.on('response', (res) => {
            const hash = opts.hash === false ? null : crypto.createHash('sha256');
            const kept = [];
            const out = opts.file ? fs.createWriteStream(opts.file) : null;
            let bytes = 0;
            res.on('data', (c) => {
                bytes += c.length;
                if (hash) hash.update(c);
                if (opts.keep) kept.push(c);
                if (out) out.write(c);
            });
            res.on('end', () => {
                const done = () => resolve({
                    status: res.statusCode, headers: res.headers, bytes, sha256: hash ? hash.digest('hex') : null,
                    body: opts.keep ? Buffer.concat(kept) : null, ms: performance.now() - t0,
                    complete: res.complete,
                });
                if (out) out.end(done); else done();
            });
            res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
    });
}

/**
 * Starts a download and holds it open without reading its body (the daemon's backpressure
 * keeps it waiting). Resolves with {status, destroy()} once the headers are in.
 */
export function downloadHeld(client, pool, vol) {
    return new Promise((resolve, reject) => {
        const req = request(client, 'GET', contentPath(pool, vol), authHeaders(client));
        req.on('response', (res) => {
            res.pause();
            resolve({ status: res.statusCode, destroy: () => req.destroy() });
        });
        req.on('error', (e) => { if (!req.destroyed) reject(e); });
        req.end();
    });
}

/** {rssKiB, hwmKiB} of a process from /proc/<pid>/status. */
export function memoryOf(pid) {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key) => Number((new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status) || [])[1]);
    return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
}

/** True if the process runs with AddressSanitizer (its memory figures then mean nothing). */
export function sanitized(pid) {
    try { return fs.readFileSync(`/proc/${pid}/maps`, 'utf8').includes('libasan'); } catch { return false; }
}

/** Samples VmRSS every intervalMs until stop() is called; stop() resolves the peak KiB. */
export function sampleRss(pid, intervalMs = 20) {
    let peak = 0;
    const timer = setInterval(() => {
        try { peak = Math.max(peak, memoryOf(pid).rssKiB); } catch { /* exited */ }
    }, intervalMs);
    return () => { clearInterval(timer); try { peak = Math.max(peak, memoryOf(pid).rssKiB); } catch { /* gone */ } return peak; };
}
