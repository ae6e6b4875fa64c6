// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/upload.test.mjs — web/js/upload.js against a fake XMLHttpRequest: the PUT,
// its headers and body, progress (percent, speed, ETA), success, server errors,
// cancel and broken connections.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startUpload, ProgressTracker, contentUrl, probeDownload } from '../../web/js/upload.js';
import { ApiError } from '../../web/js/api.js';
import { setLanguage } from '../../web/js/i18n.js';

// The English texts below are the catalogue's; each test that switches language switches back.
await setLanguage('en', { remember: false });

class FakeXHR {
    static last = null;
    constructor() {
        FakeXHR.last = this;
        this.headers = {};
        this.upload = {};
        this.status = 0;
        this.responseText = '';
        this.aborted = false;
    }
    open(method, url) { this.method = method; this.url = url; }
    setRequestHeader(k, v) { this.headers[k] = v; }
    send(body) { this.body = body; }
    abort() { this.aborted = true; this.onabort?.(); }
    // test helpers
    progress(loaded) { this.upload.onprogress?.({ loaded, total: this.body.size, lengthComputable: true }); }
    respond(status, body) {
        this.status = status;
        this.responseText = typeof body === 'string' ? body : JSON.stringify(body);
        this.onload?.();
    }
}

function clock() {
    let t = 1000;
    const now = () => t;
    now.advance = (ms) => { t += ms; };
    return now;
}

test('content URLs encode pool and volume and carry the format', () => {
    assert.equal(contentUrl('p 1', 'a/b.iso'), '/api/pools/p%201/volumes/a%2Fb.iso/content');
    assert.equal(contentUrl('p', 'x.iso', 'iso'), '/api/pools/p/volumes/x.iso/content?format=iso');
});

test('progress tracker: percent, speed over a window, ETA', () => {
    const t = new ProgressTracker(1000, 0);
    let p = t.update(0, 100);
    assert.equal(p.bps, null, 'too early to measure');
    p = t.update(250, 1000);
    assert.equal(p.percent, 25);
    assert.equal(p.bps, 250);
    assert.equal(p.etaSeconds, 3);
    p = t.update(500, 2000);
    assert.equal(p.bps, 250);
    assert.equal(p.etaSeconds, 2);
    // Old samples leave the 4 s window: the speed follows the recent rate.
    t.update(600, 6000);
    p = t.update(700, 7000);
    assert.ok(p.bps < 100 && p.bps > 0, String(p.bps));
    p = t.update(1000, 8000);
    assert.equal(p.percent, 100);
    assert.equal(p.done, true);
    assert.equal(p.etaSeconds, 0);
    assert.equal(new ProgressTracker(1000, 0).update(5000, 1000).loaded, 1000, 'clamped to total');
    assert.equal(new ProgressTracker(0, 0).last.done, true);
});

test('an upload PUTs the file with CSRF and reports progress until it resolves', async () => {
    const now = clock();
    const file = { size: 2048, name: 'x.iso' };
    const seen = [];
    const up = startUpload({ pool: 'p', volume: 'x.iso', file, format: 'iso', csrfToken: 'tok', XHR: FakeXHR, now, onProgress: (p) => seen.push(p) });
    const x = FakeXHR.last;
    assert.equal(x.method, 'PUT');
    assert.equal(x.url, '/api/pools/p/volumes/x.iso/content?format=iso');
    assert.equal(x.headers['X-CSRF-Token'], 'tok');
    assert.equal(x.headers['Content-Type'], 'application/octet-stream');
    assert.equal(x.body, file);
    now.advance(500);
    x.progress(1024);
    now.advance(500);
    x.progress(2048);
    x.respond(201, { name: 'x.iso', capacity_bytes: 2048 });
    const vol = await up.promise;
    assert.deepEqual(vol, { name: 'x.iso', capacity_bytes: 2048 });
    assert.deepEqual(seen.map((p) => p.percent), [50, 100, 100]);
    assert.equal(seen[0].bps, 2048);
    assert.equal(seen.at(-1).done, true);
});

test('server errors reject with its message and status (507, 409, 400)', async () => {
    for (const [status, code, message] of [[507, 'insufficient_storage', 'pool "p" has 1 MiB free'], [409, 'conflict', 'volume in use'], [400, 'bad_request', 'bad format']]) {
        const up = startUpload({ pool: 'p', volume: 'v', file: { size: 1 }, XHR: FakeXHR });
        FakeXHR.last.respond(status, { error: { code, message } });
        await assert.rejects(up.promise, (e) => e instanceof ApiError && e.status === status && e.code === code && e.message === message);
    }
    const up = startUpload({ pool: 'p', volume: 'v', file: { size: 1 }, XHR: FakeXHR });
    FakeXHR.last.respond(502, '<html>');
    await assert.rejects(up.promise, /HTTP 502/);
});

test('a 401 says logged out; cancel aborts; a broken connection is reported', async () => {
    let out = 0;
    let up = startUpload({ pool: 'p', volume: 'v', file: { size: 1 }, XHR: FakeXHR, onLoggedOut: () => out++ });
    FakeXHR.last.respond(401, { error: { code: 'unauthorized', message: 'log in' } });
    await assert.rejects(up.promise, (e) => e.status === 401);
    assert.equal(out, 1);
    up = startUpload({ pool: 'p', volume: 'v', file: { size: 10 }, XHR: FakeXHR });
    const x = FakeXHR.last;
    up.abort();
    up.abort();
    assert.equal(x.aborted, true);
    await assert.rejects(up.promise, (e) => e.code === 'aborted' && e.status === 0);
    up = startUpload({ pool: 'p', volume: 'v', file: { size: 10 }, XHR: FakeXHR });
    FakeXHR.last.onerror();
    await assert.rejects(up.promise, (e) => e.code === 'network_error' && /incomplete/.test(e.message));
});

test('the upload\'s own messages are in the language of the moment they happen', async () => {
    await setLanguage('zh-CN', { remember: false });
    try {
        const up = startUpload({ pool: 'p', volume: 'v', file: { size: 10 }, XHR: FakeXHR });
        up.abort();
        await assert.rejects(up.promise, (e) => e.code === 'aborted' && e.message === '上传已取消。');
        const up2 = startUpload({ pool: 'p', volume: 'v', file: { size: 1 }, XHR: FakeXHR });
        FakeXHR.last.respond(502, '<html>');
        await assert.rejects(up2.promise, (e) => e.message === '上传失败（HTTP 502）。');
    } finally {
        await setLanguage('en', { remember: false });
    }
});

test('an upload the driver cannot do is a not_supported ApiError naming the request (errors.js words it)', async () => {
    const u = startUpload({ pool: 'p', volume: 'v.iso', file: { size: 10 }, format: 'iso', XHR: FakeXHR });
    FakeXHR.last.respond(501, { error: { code: 'not_supported', message: 'not supported by the connection driver: virStorageVolUpload' } });
    const err = await u.promise.catch((e) => e);
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 'not_supported');
    assert.equal(err.method, 'PUT');
    assert.equal(err.path, '/api/pools/p/volumes/v.iso/content?format=iso');
});

test('probeDownload asks for the first byte and rejects with the server\'s error before the browser is handed the link', async () => {
    const seen = [];
    const answer = (status, body) => (url, init) => {
        seen.push([url, init.headers.Range]);
        return Promise.resolve(new Response(body === undefined ? '' : JSON.stringify(body), { status }));
    };
    await probeDownload('p', 'v.img', { fetchImpl: answer(206, undefined) });
    assert.deepEqual(seen[0], ['/api/pools/p/volumes/v.img/content', 'bytes=0-0']);
    await probeDownload('p', 'empty.img', { fetchImpl: answer(416, { error: { code: 'range_not_satisfiable', message: 'x' } }) });
    const err = await probeDownload('p', 'v.img', {
        fetchImpl: answer(501, { error: { code: 'not_supported', message: 'not supported by the connection driver: virStorageVolDownload' } }),
    }).catch((e) => e);
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 'not_supported');
    assert.equal(err.method, 'GET');
    assert.equal(err.path, '/api/pools/p/volumes/v.img/content');
    const gone = await probeDownload('p', 'v.img', { fetchImpl: () => Promise.reject(new TypeError('offline')) }).catch((e) => e);
    assert.equal(gone.code, 'network_error');
});
