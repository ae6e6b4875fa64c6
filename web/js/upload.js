// SPDX-License-Identifier: LGPL-2.1-or-later
// upload.js — volume uploads: PUT /api/pools/{pool}/volumes/{vol}/content with the
// file as the raw body through XMLHttpRequest (fetch reports no upload progress), the
// CSRF header, progress as bytes / percent / speed / time left, cancel by abort(), and
// the server's {"error":{code,message}} turned into an ApiError. No DOM: the
// XMLHttpRequest constructor and the clock are injectable so Node tests can drive it.
// The UI's own messages are translated when the error happens. Main thread only.

import { ApiError } from './api.js';
import { t } from './i18n.js';

/** The content URL of a volume (download link and upload target). */
export function contentUrl(pool, volume, format = '') {
    const base = `/api/pools/${encodeURIComponent(pool)}/volumes/${encodeURIComponent(volume)}/content`;
    return format ? `${base}?format=${encodeURIComponent(format)}` : base;
}

/** Speed is averaged over the last 4 s so a burst does not make the ETA jump. */
const WINDOW_MS = 4000;

/**
 * Turns (bytes sent, time) samples into progress figures. update() returns
 * {loaded, total, percent (0..100, whole), bps (null until measurable), etaSeconds
 * (null until measurable), done}.
 */
export class ProgressTracker {
    constructor(total, now = Date.now()) {
        this.total = Math.max(0, total || 0);
        this.samples = [[now, 0]];
        this.last = { loaded: 0, total: this.total, percent: 0, bps: null, etaSeconds: null, done: this.total === 0 };
    }

    update(loaded, now = Date.now()) {
        const l = Math.min(Math.max(0, loaded), this.total || loaded);
        this.samples.push([now, l]);
        while (this.samples.length > 2 && now - this.samples[1][0] >= WINDOW_MS) this.samples.shift();
        const [t0, l0] = this.samples[0];
        const dt = (now - t0) / 1000;
        const bps = dt >= 0.25 ? (l - l0) / dt : null;
        const left = this.total - l;
        const percent = this.total > 0 ? Math.floor((l / this.total) * 100) : 100;
        const eta = bps && bps > 0 ? left / bps : left === 0 ? 0 : null;
        this.last = { loaded: l, total: this.total, percent, bps, etaSeconds: eta, done: this.total > 0 && l >= this.total };
        return this.last;
    }
}

/** The server's {"error": {...}} object in a response body, or null. */
function errorObject(text) {
    let data = null;
    try {
        data = JSON.parse(text || '');
    } catch { /* not JSON: a generic message */ }
    return data && typeof data === 'object' && data.error && typeof data.error === 'object' ? data.error : null;
}

function errorFromXhr(xhr, path) {
    const e = errorObject(xhr.responseText);
    const status = xhr.status;
    const fallback = !e && status === 413 ? t('upload.error.too-large') : t('upload.error.http', { status: String(status) });
    return ApiError.fromReply(status, e, fallback, { method: 'PUT', path });
}

/**
 * Asks the server for the first byte of a volume's content (GET with Range: bytes=0-0)
 * before the browser is handed the download, which would fail without a word (a
 * download the driver cannot do, a vanished volume, a lost session). Resolves when
 * the download can start (206, 200, or 416 for an empty volume); rejects with an
 * ApiError (method GET, the content path) otherwise. fetchImpl: injectable for tests.
 */
export async function probeDownload(pool, volume, { fetchImpl = (...a) => globalThis.fetch(...a) } = {}) {
    const path = contentUrl(pool, volume);
    let res;
    try {
        res = await fetchImpl(path, { method: 'GET', headers: { Range: 'bytes=0-0', Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
    } catch {
        throw new ApiError(0, 'network_error', t('error.network_error'), { method: 'GET', path });
    }
    const text = await res.text().catch(() => '');
    if (res.ok || res.status === 416) return;
    throw ApiError.fromReply(res.status, errorObject(text), t('upload.error.http', { status: String(res.status) }), { method: 'GET', path });
}

/**
 * Starts an upload. opts: {pool, volume, file (Blob/File or anything with .size),
 * format ("" for an existing volume), csrfToken, onProgress(progress), XHR (the
 * constructor; default globalThis.XMLHttpRequest), now ()=>ms, onLoggedOut()}.
 * Returns {promise, abort()}: promise resolves with the server's JSON answer (the
 * volume), or rejects with ApiError (status 0, code "aborted" after abort(); code
 * "network_error" when the connection broke).
 */
export function startUpload(opts) {
    const { pool, volume, file, format = '', csrfToken = null, onProgress = () => {}, onLoggedOut = () => {} } = opts;
    const XHR = opts.XHR || globalThis.XMLHttpRequest;
    const now = opts.now || (() => Date.now());
    const total = file && Number.isFinite(file.size) ? file.size : 0;
    const tracker = new ProgressTracker(total, now());
    const xhr = new XHR();
    let aborted = false;
    const path = contentUrl(pool, volume, format);
    const promise = new Promise((resolve, reject) => {
        xhr.open('PUT', path);
        xhr.setRequestHeader('Content-Type', 'application/octet-stream');
        xhr.setRequestHeader('Accept', 'application/json');
        if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
        xhr.upload.onprogress = (ev) => {
            onProgress(tracker.update(ev.loaded, now()));
        };
        xhr.onload = () => {
            if (xhr.status >= 200 && xhr.status < 300) {
                onProgress(tracker.update(total, now()));
                let data = {};
                try {
                    data = xhr.responseText ? JSON.parse(xhr.responseText) : {};
                } catch { /* an empty or odd success body still means it is stored */ }
                resolve(data);
                return;
            }
            if (xhr.status === 401) onLoggedOut();
            reject(errorFromXhr(xhr, path));
        };
        xhr.onerror = () => reject(new ApiError(0, 'network_error', t('upload.error.connection'), { method: 'PUT', path }));
        xhr.onabort = () => reject(new ApiError(0, 'aborted', t('upload.cancelled'), { method: 'PUT', path }));
        xhr.send(file);
    });
    return {
        promise,
        tracker,
        abort() {
            if (aborted) return;
            aborted = true;
            xhr.abort();
        },
    };
}
