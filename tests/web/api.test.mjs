// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/api.test.mjs — web/js/api.js against a fake fetch.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { Api, ApiError } from '../../web/js/api.js';
import { setLanguage } from '../../web/js/i18n.js';

before(() => setLanguage('en', { remember: false })); // the client's own messages are compared in English

function fakeFetch(responder) {
    const calls = [];
    const fn = async (url, init) => {
        calls.push({ url, init });
        return responder(url, init);
    };
    fn.calls = calls;
    return fn;
}

function json(status, body, headers = {}) {
    return new Response(typeof body === 'string' ? body : JSON.stringify(body),
        { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

test('GET sends no CSRF token and parses JSON', async () => {
    const f = fakeFetch(() => json(200, { domains: [{ uuid: 'u', name: 'n' }] }));
    const api = new Api({ fetchImpl: f });
    api.csrfToken = 'tok';
    const list = await api.domains();
    assert.deepEqual(list, [{ uuid: 'u', name: 'n' }]);
    assert.equal(f.calls[0].url, '/api/domains');
    assert.equal(f.calls[0].init.method, 'GET');
    assert.equal(f.calls[0].init.headers['X-CSRF-Token'], undefined);
    assert.equal(f.calls[0].init.body, undefined);
});

test('login stores the token and later POSTs send it', async () => {
    const f = fakeFetch((url) => (url === '/api/login'
        ? json(200, { username: 'admin', role: 'admin', csrf_token: 'abc123' })
        : json(200, { uuid: 'u1', name: 'vm', state: 'shutoff' })));
    const api = new Api({ fetchImpl: f });
    const s = await api.login('admin', 'pw');
    assert.equal(s.role, 'admin');
    assert.deepEqual(JSON.parse(f.calls[0].init.body), { username: 'admin', password: 'pw' });
    assert.equal(f.calls[0].init.headers['Content-Type'], 'application/json');
    const d = await api.action('u1', 'destroy');
    assert.equal(d.state, 'shutoff');
    assert.equal(f.calls[1].url, '/api/domains/u1/destroy');
    assert.equal(f.calls[1].init.method, 'POST');
    assert.equal(f.calls[1].init.headers['X-CSRF-Token'], 'abc123');
});

test('path parts are encoded', async () => {
    const f = fakeFetch(() => json(200, {}));
    const api = new Api({ fetchImpl: f });
    await api.domain('a/b?c');
    assert.equal(f.calls[0].url, '/api/domains/a%2Fb%3Fc');
});

test('error bodies become ApiError with status, code and message', async () => {
    const f = fakeFetch(() => json(409, { error: { code: 'conflict', message: 'domain is already running' } }));
    const api = new Api({ fetchImpl: f });
    await assert.rejects(api.action('u', 'start'), (e) => {
        assert.ok(e instanceof ApiError);
        assert.equal(e.status, 409);
        assert.equal(e.code, 'conflict');
        assert.equal(e.message, 'domain is already running');
        return true;
    });
});

test('a non-JSON error still gives a useful ApiError', async () => {
    const f = fakeFetch(() => new Response('<html>bad gateway</html>', { status: 502 }));
    const api = new Api({ fetchImpl: f });
    await assert.rejects(api.host(), (e) => e.status === 502 && e.code === 'http_error' && /502/.test(e.message));
});

test('429 carries Retry-After', async () => {
    const f = fakeFetch(() => json(429, { error: { code: 'too_many_requests', message: 'slow down' } },
        { 'Retry-After': '8' }));
    const api = new Api({ fetchImpl: f });
    await assert.rejects(api.login('a', 'b'), (e) => e.status === 429 && e.retryAfter === 8);
});

test('a network failure becomes status 0 network_error', async () => {
    const api = new Api({ fetchImpl: async () => { throw new TypeError('Failed to fetch'); } });
    await assert.rejects(api.host(), (e) => e.status === 0 && e.code === 'network_error' && /virtdeck server/.test(e.message));
});

test('a 401 on a normal request emits logged-out; on login and session it does not', async () => {
    const f = fakeFetch(() => json(401, { error: { code: 'unauthorized', message: 'no session' } }));
    const api = new Api({ fetchImpl: f });
    let events = 0;
    api.on('logged-out', () => events++);
    await assert.rejects(api.domains(), (e) => e.status === 401);
    assert.equal(events, 1);
    await assert.rejects(api.login('a', 'b'), (e) => e.status === 401);
    assert.equal(await api.session(), null);
    assert.equal(events, 1);
});

test('session() keeps the CSRF token; logout drops it even when it fails', async () => {
    let fail = false;
    const f = fakeFetch((url) => {
        if (url === '/api/session') return json(200, { username: 'u', role: 'viewer', csrf_token: 'zz', expires_at: 1 });
        return fail ? json(500, {}) : json(200, { ok: true });
    });
    const api = new Api({ fetchImpl: f });
    const s = await api.session();
    assert.equal(s.role, 'viewer');
    assert.equal(api.csrfToken, 'zz');
    fail = true;
    await assert.rejects(api.logout(), (e) => e.status === 500);
    assert.equal(f.calls[1].init.headers['X-CSRF-Token'], 'zz');
    assert.equal(api.csrfToken, null);
});

test('a 200 that is not a JSON object is refused', async () => {
    const f = fakeFetch(() => new Response('nope', { status: 200 }));
    const api = new Api({ fetchImpl: f });
    await assert.rejects(api.host(), (e) => e.code === 'bad_response');
});

test('login sends a second factor when given; the account routes send what docs/api.md names', async () => {
    const f = fakeFetch((url) => (url === '/api/login'
        ? json(200, { username: 'a', role: 'viewer', csrf_token: 'c1' }) : json(200, {})));
    const api = new Api({ fetchImpl: f });
    await api.login('a', 'pw', { totp: '123456' });
    assert.deepEqual(JSON.parse(f.calls[0].init.body), { username: 'a', password: 'pw', totp: '123456' });
    await api.changePassword('old-pw', 'new-pw');
    await api.totpConfirm('654321');
    await api.totpDisable({ password: 'pw' });
    await api.endSession('ab/cd');
    await api.logoutAll(false);
    assert.deepEqual(f.calls.slice(1).map((c) => [c.init.method, c.url, c.init.body && JSON.parse(c.init.body)]), [
        ['POST', '/api/account/password', { current: 'old-pw', new: 'new-pw' }],
        ['POST', '/api/account/totp/confirm', { code: '654321' }],
        ['DELETE', '/api/account/totp', { password: 'pw' }],
        ['DELETE', '/api/account/sessions/ab%2Fcd', undefined],
        ['POST', '/api/account/logout-all', { keep_current: false }],
    ]);
    for (const c of f.calls.slice(1)) assert.equal(c.init.headers['X-CSRF-Token'], 'c1');
});
