// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/security.test.mjs — the daemon's security boundary: sessions on
// every API route, CSRF and Origin, websocket upgrade checks, path traversal and
// symlinks in the web root, security headers, TLS versions and ALPN, request size
// limits. Uses its own web root (via --config web_root) so web/ is never touched.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertError, assertJson, assertSecurityHeaders } from '../lib/api-assert.mjs';
import { httpResponseComplete, rawTcp, rawTls, tlsProbe } from '../lib/raw.mjs';

const PW = { admin: 'admin-pass-sec-1', view: 'viewer-pass-sec-2' };
const ACTIONS = ['start', 'shutdown', 'destroy', 'reboot', 'reset', 'suspend', 'resume'];
const INDEX_HTML = '<!doctype html><html><head><title>virtdeck test root</title>' +
    '<script type="module" src="/app.0123abcd.js"></script></head><body>test root</body></html>\n';
const APP_JS = 'export const marker = "fingerprinted-app";\n';

let addrSeq = 0;
const freshAddr = () => { addrSeq += 1; return `127.0.${60 + Math.floor(addrSeq / 250)}.${1 + (addrSeq % 250)}`; };

describe('security', () => {
    let d;
    let admin;
    let tmp;
    let uuid;
    let webRoot;

    before(async () => {
        tmp = mkdtempSync(path.join(os.tmpdir(), 'virtdeck-sec-'));
        webRoot = path.join(tmp, 'web');
        mkdirSync(path.join(webRoot, 'sub'), { recursive: true });
        writeFileSync(path.join(webRoot, 'index.html'), INDEX_HTML);
        writeFileSync(path.join(webRoot, 'app.0123abcd.js'), APP_JS);
        writeFileSync(path.join(webRoot, 'sub', 'index.html'), INDEX_HTML);
        writeFileSync(path.join(tmp, 'secret.txt'), 'TOP-SECRET-OUTSIDE-ROOT\n');
        symlinkSync('/etc/passwd', path.join(webRoot, 'link-out'));
        symlinkSync('/etc', path.join(webRoot, 'link-dir'));
        symlinkSync(path.join(tmp, 'secret.txt'), path.join(webRoot, 'link-secret.txt'));
        const conf = path.join(tmp, 'virtdeck.conf');
        writeFileSync(conf, `web_root = ${webRoot}\n`);
        d = await startDaemon({
            users: [
                { name: 'admin', role: 'admin', password: PW.admin },
                { name: 'view', role: 'viewer', password: PW.view },
            ],
            extraArgs: ['--config', conf],
        });
        admin = new Client(d);
        await admin.login('admin', PW.admin);
        const list = assertJson(await admin.get('/api/domains'), 200, 'list');
        const test = list.domains.find((x) => x.name === 'test');
        assert.ok(test, 'test:///default has the domain "test"');
        uuid = test.uuid;
    });
    after(async () => {
        if (admin) admin.close();
        if (d) await d.stop();
        if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    const stateOf = async () => assertJson(await admin.get(`/api/domains/${uuid}`), 200, 'detail').state;

    describe('sessions', () => {
        it('every /api route without a session is 401 JSON', async () => {
            const anon = new Client(d, { localAddress: freshAddr() });
            const routes = [
                ['GET', '/api/session'],
                ['POST', '/api/logout'],
                ['GET', '/api/host'],
                ['GET', '/api/domains'],
                ['GET', `/api/domains/${uuid}`],
                ['GET', '/api/events'],
                ...ACTIONS.map((a) => ['POST', `/api/domains/${uuid}/${a}`]),
            ];
            const failures = [];
            for (const [m, p] of routes) {
                const res = await anon.req(m, p);
                try {
                    assertError(res, 401, 'unauthorized', `${m} ${p}`);
                    assertSecurityHeaders(res.headers, `${m} ${p}`);
                } catch (e) {
                    failures.push(e.message.split('\n')[0]);
                }
            }
            assert.equal(await stateOf(), 'running', 'no action ran without a session');
            assert.deepEqual(failures, [], 'routes that did not answer 401');
            anon.close();
        });

        it('a cookie with the wrong name or garbage value is no session', async () => {
            const c = new Client(d, { localAddress: freshAddr() });
            for (const cookie of [
                `session=${admin.sessionCookie}`,
                `virtdeck_session=${admin.sessionCookie.slice(0, -1)}`,
                `virtdeck_session=${admin.sessionCookie.toUpperCase() === admin.sessionCookie ? admin.sessionCookie.toLowerCase() : admin.sessionCookie.toUpperCase()}`,
                'virtdeck_session=',
                `virtdeck_session=${'%00'.repeat(40)}`,
                `virtdeck_session=${'a'.repeat(5000)}`,
            ]) {
                const res = await c.req('GET', '/api/domains', { cookies: false, headers: { Cookie: cookie } });
                assertError(res, 401, 'unauthorized', `Cookie: ${cookie.slice(0, 60)}`);
            }
            c.close();
        });
    });

    describe('CSRF and Origin', () => {
        it('a mutating request without X-CSRF-Token is 403 csrf_failed', async () => {
            const res = await admin.req('POST', `/api/domains/${uuid}/suspend`, { csrf: false });
            assertError(res, 403, 'csrf_failed', 'no token');
            assert.equal(await stateOf(), 'running');
        });

        it('a wrong, empty or other-session token is 403 csrf_failed', async () => {
            const other = new Client(d, { localAddress: freshAddr() });
            await other.login('admin', PW.admin);
            const wrong = admin.csrf.replace(/^./, (ch) => (ch === '0' ? '1' : '0'));
            for (const [label, token] of [
                ['one character changed', wrong],
                ['empty', ''],
                ['other session\'s token', other.csrf],
                ['prefix', admin.csrf.slice(0, 32)],
                ['token plus a byte', `${admin.csrf}0`],
            ]) {
                const res = await admin.req('POST', `/api/domains/${uuid}/suspend`, { csrf: false, headers: { 'X-CSRF-Token': token } });
                assertError(res, 403, 'csrf_failed', label);
            }
            assert.equal(await stateOf(), 'running');
            other.close();
        });

        it('logout without the token does not end the session', async () => {
            const c = new Client(d, { localAddress: freshAddr() });
            await c.login('admin', PW.admin);
            assertError(await c.req('POST', '/api/logout', { csrf: false }), 403, 'csrf_failed');
            assertJson(await c.get('/api/session'), 200, 'session still alive');
            c.close();
        });

        it('a mutating request with a foreign Origin is 403 origin_denied', async () => {
            for (const origin of ['https://evil.example', 'null', `http://${d.host}:${d.port}`, `https://${d.host}:${d.port + 1}`]) {
                const res = await admin.req('POST', `/api/domains/${uuid}/suspend`, { headers: { Origin: origin } });
                assertError(res, 403, 'origin_denied', `Origin ${origin}`);
            }
            assert.equal(await stateOf(), 'running');
            // the matching Origin passes
            const ok = await admin.req('POST', `/api/domains/${uuid}/suspend`, { headers: { Origin: admin.origin } });
            assert.equal(assertJson(ok, 200, 'matching Origin').state, 'paused');
            assert.equal(assertJson(await admin.req('POST', `/api/domains/${uuid}/resume`), 200, 'resume').state, 'running');
        });

        it('login with a foreign Origin is refused (no login CSRF)', async () => {
            const c = new Client(d, { localAddress: freshAddr() });
            const res = await c.req('POST', '/api/login', {
                body: { username: 'admin', password: PW.admin }, headers: { Origin: 'https://evil.example' },
            });
            assertError(res, 403, 'origin_denied', 'login from a foreign origin');
            assert.equal(res.headers['set-cookie'], undefined);
            c.close();
        });
    });

    describe('websocket upgrade', () => {
        it('a foreign, missing or wrong-scheme Origin is refused with 403', async () => {
            for (const origin of ['https://evil.example', null, `http://${d.host}:${d.port}`, `https://${d.host}:${d.port + 1}`, 'null']) {
                await assert.rejects(admin.openEvents({ origin }), (e) => {
                    assert.equal(e.status, 403, `Origin ${origin}: ${e.message}`);
                    if (e.json) assert.equal(e.json.error.code, 'origin_denied');
                    return true;
                }, `Origin ${origin} must be refused`);
            }
        });

        it('no session or a bad cookie is refused with 401', async () => {
            const anon = new Client(d, { localAddress: freshAddr() });
            await assert.rejects(anon.openEvents(), (e) => { assert.equal(e.status, 401, e.message); return true; });
            anon.cookies.set('virtdeck_session', 'ab'.repeat(32));
            await assert.rejects(anon.openEvents(), (e) => { assert.equal(e.status, 401, e.message); return true; });
            anon.close();
        });

        it('an unknown websocket path is not upgraded', async () => {
            await assert.rejects(admin.openEvents({ path: '/api/nope' }), (e) => {
                assert.ok([400, 403, 404].includes(e.status), `status ${e.status}`);
                return true;
            });
        });

        it('a viewer with the right Origin may subscribe', async () => {
            const v = new Client(d, { localAddress: freshAddr() });
            await v.login('view', PW.view);
            const ev = await v.openEvents();
            const snap = await ev.next((m) => m.type === 'snapshot', 5000);
            assert.ok(snap.domains.some((x) => x.uuid === uuid));
            await ev.close();
            v.close();
        });
    });

    describe('static files and paths', () => {
        const LEAKS = [/root:.*:0:0:/, /TOP-SECRET-OUTSIDE-ROOT/];
        const TRAVERSALS = [
            '/../etc/passwd',
            '/../../../../../../etc/passwd',
            '/%2e%2e/%2e%2e/etc/passwd',
            '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
            '/..%2fetc/passwd',
            '/..%2f..%2f..%2f..%2fetc%2fpasswd',
            '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
            '/%2e%2e%5c',
            '/%2e%2e%5c%2e%2e%5c%2e%2e%5cetc%5cpasswd',
            '/..\\..\\..\\etc\\passwd',
            '/.%2e/.%2e/.%2e/etc/passwd',
            '/%252e%252e/%252e%252e/etc/passwd',
            '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
            '/sub/../../secret.txt',
            '/%2e%2e/secret.txt',
            '/..%2fsecret.txt',
            '/index.html%00.js',
            '/%00',
            '/link-out',
            '/link-dir/passwd',
            '/link-secret.txt',
        ];
        // Raw requests: the client must not normalise the path, and a daemon that drops
        // the connection must not turn into an exception.
        const rawGet = async (p, cookie) => rawTls(d, `GET ${p} HTTP/1.1\r\nHost: ${d.host}:${d.port}\r\n` +
            `${cookie ? `Cookie: virtdeck_session=${cookie}\r\n` : ''}Connection: close\r\n\r\n`,
        { stopWhen: httpResponseComplete, timeoutMs: 3000 });
        for (const p of TRAVERSALS) {
            it(`GET ${p} leaks nothing and is 404`, async () => {
                const r = await rawGet(p);
                for (const re of LEAKS) assert.ok(!re.test(r.text), `${p} leaked a file outside the root`);
                // a NUL byte in the URL may also make the HTTP layer drop the connection
                if (p.includes('%00') && r.status === null) return;
                // lws drops an encoded NUL while decoding, so "/%00" is the root page
                if (p === '/%00' && r.status === 200 && r.text.endsWith(INDEX_HTML)) return;
                assert.equal(r.status, 404, `${p}: got ${r.status} ${r.text.slice(0, 120)}`);
            });
        }

        it('traversal with a session does not leak either', async () => {
            for (const p of TRAVERSALS) {
                const r = await rawGet(p, admin.sessionCookie);
                for (const re of LEAKS) assert.ok(!re.test(r.text), `${p} leaked with a session`);
                if (p.includes('%00') && r.status === null) continue;
                if (p === '/%00' && r.status === 200 && r.text.endsWith(INDEX_HTML)) continue;
                assert.equal(r.status, 404, `${p} with a session: got ${r.status}`);
            }
        });

        it('serves the root files', async () => {
            const res = await admin.get('/');
            assert.equal(res.status, 200);
            assert.match(res.headers['content-type'], /^text\/html/);
            assert.equal(res.text, INDEX_HTML);
            const js = await admin.get('/app.0123abcd.js');
            assert.equal(js.status, 200);
            assert.match(js.headers['content-type'], /javascript/);
            assert.equal(js.text, APP_JS);
            assert.match(String(js.headers['cache-control']), /immutable/);
            assert.match(String(res.headers['cache-control']), /no-cache/);
            const sub = await admin.get('/sub/');
            assert.equal(sub.status, 200, 'a directory maps to its index.html');
        });

        it('ETag / If-None-Match gives 304', async () => {
            const res = await admin.get('/app.0123abcd.js');
            const etag = res.headers.etag;
            assert.ok(etag, 'ETag present');
            const again = await admin.get('/app.0123abcd.js', { headers: { 'If-None-Match': etag } });
            assert.equal(again.status, 304);
            assert.equal(again.body.length, 0);
        });

        it('unknown paths are 404', async () => {
            assert.equal((await admin.get('/no-such-file.html')).status, 404);
            assert.equal((await admin.get('/sub/nope.js')).status, 404);
            assertError(await admin.get('/api/no-such-route'), 404, 'not_found', '/api/no-such-route');
            assertError(await admin.get('/api/domains/x/y/z'), 404, null, '/api/domains/x/y/z');
            assertError(await admin.req('POST', `/api/domains/${uuid}/start/extra`), 404, 'not_found', 'action with extra segment');
        });

        it('only GET and HEAD are served outside /api/', async () => {
            const head = await admin.req('HEAD', '/');
            assert.equal(head.status, 200);
            assert.equal(head.body.length, 0);
            for (const m of ['POST', 'PUT', 'DELETE']) {
                const res = await admin.req(m, '/index.html');
                assert.ok([404, 405].includes(res.status), `${m} /index.html: ${res.status}`);
            }
        });
    });

    describe('headers', () => {
        it('security headers are on HTML, JS, API, error and 404 responses', async () => {
            const anon = new Client(d, { localAddress: freshAddr() });
            const cases = [
                ['HTML', await admin.get('/')],
                ['JS', await admin.get('/app.0123abcd.js')],
                ['API 200', await admin.get('/api/domains')],
                ['API 401', await anon.get('/api/domains')],
                ['API 404', await admin.get(`/api/domains/00000000-0000-4000-8000-000000000000`)],
                ['API 400', await admin.get('/api/domains/not-a-uuid')],
                ['static 404', await admin.get('/missing.html')],
                ['API 403', await admin.req('POST', `/api/domains/${uuid}/resume`, { csrf: false })],
            ];
            for (const [label, res] of cases) assertSecurityHeaders(res.headers, label);
            anon.close();
        });
    });

    describe('TLS', () => {
        it('the generated certificate is pinned and names 127.0.0.1 and localhost', async () => {
            assert.ok(d.ca, 'STATE_DIR/tls/virtdeck.crt exists');
            const cert = new X509Certificate(d.ca);
            const san = cert.subjectAltName || '';
            assert.match(san, /IP Address:127\.0\.0\.1/, san);
            assert.match(san, /DNS:localhost/, san);
            const r = await tlsProbe(d, { ca: d.ca, rejectUnauthorized: true, ALPNProtocols: ['http/1.1'] });
            assert.ok(r.ok, `handshake verified against the pinned cert: ${r.error}`);
            const keyMode = statSync(path.join(d.stateDir, 'tls', 'virtdeck.key')).mode & 0o777;
            assert.equal(keyMode & 0o077, 0, `key file mode ${keyMode.toString(8)} is not private`);
        });

        it('TLS 1.1 is refused', async () => {
            const legacy = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' };
            // control: this client really can speak TLS 1.1 (against a local server that allows it)
            const srv = tls.createServer({
                cert: d.ca, key: readFileSync(path.join(d.stateDir, 'tls', 'virtdeck.key')),
                minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0',
            }, (s) => s.end());
            await new Promise((r) => srv.listen(0, '127.0.0.1', r));
            const control = await tlsProbe({ host: '127.0.0.1', port: srv.address().port }, legacy);
            srv.close();
            assert.ok(control.ok, `control handshake with TLS 1.1 failed: ${control.error}`);
            assert.equal(control.protocol, 'TLSv1.1');
            const r = await tlsProbe(d, legacy);
            assert.equal(r.ok, false, `daemon accepted ${r.protocol}`);
        });

        it('TLS 1.2 and 1.3 are accepted', async () => {
            for (const v of ['TLSv1.2', 'TLSv1.3']) {
                const r = await tlsProbe(d, { minVersion: v, maxVersion: v, ca: d.ca, rejectUnauthorized: true });
                assert.ok(r.ok, `${v}: ${r.error}`);
                assert.equal(r.protocol, v);
            }
        });

        it('ALPN never selects h2', async () => {
            const both = await tlsProbe(d, { ALPNProtocols: ['h2', 'http/1.1'] });
            assert.ok(both.ok, `handshake offering h2 and http/1.1: ${both.error}`);
            assert.ok(both.alpn === 'http/1.1' || both.alpn === false, `selected ${both.alpn}`);
            const h2only = await tlsProbe(d, { ALPNProtocols: ['h2'] });
            assert.ok(!h2only.ok || h2only.alpn !== 'h2', `selected ${h2only.alpn} when only h2 was offered`);
        });

        it('Upgrade: h2c does not switch protocols', async () => {
            const r = await rawTls(d, [
                'GET /api/session HTTP/1.1\r\n',
                `Host: ${d.host}:${d.port}\r\n`,
                'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n',
            ], { stopWhen: httpResponseComplete });
            assert.ok(r.status !== null, `no HTTP response: ${r.text.slice(0, 200)} ${r.error}`);
            assert.notEqual(r.status, 101, 'switched protocols to h2c');
            assert.ok(!/\r\nupgrade:\s*h2c/i.test(r.text), 'response offers h2c');
        });

        it('an HTTP/2 preface over TLS gets no HTTP/2 session', async () => {
            const r = await rawTls(d, Buffer.concat([
                Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
                Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]), // empty SETTINGS frame
            ]), { timeoutMs: 2000 });
            // an HTTP/2 server would answer with a SETTINGS frame (type 4) first
            const looksH2 = r.data.length >= 9 && r.data[3] === 4 && !r.text.startsWith('HTTP/');
            assert.ok(!looksH2, 'daemon answered with an HTTP/2 SETTINGS frame');
        });

        it('plain HTTP on the port gets no HTTP response', async () => {
            const r = await rawTcp(d, `GET /api/session HTTP/1.1\r\nHost: ${d.host}:${d.port}\r\n\r\n`, { timeoutMs: 2000 });
            assert.ok(!/^HTTP\/\d/.test(r.text), `plain HTTP answered: ${r.text.slice(0, 200)}`);
            assert.ok(!/unauthorized|virtdeck_session/.test(r.text));
        });
    });

    describe('sizes', () => {
        const loginBody = '{"username":"nobody-size","password":"x"}';
        it('a body of exactly 64 KiB is read; one byte more is 413', async () => {
            const c = new Client(d, { localAddress: freshAddr() });
            const exact = loginBody + ' '.repeat(65536 - loginBody.length);
            assert.equal(exact.length, 65536);
            const ok = await c.req('POST', '/api/login', { body: exact });
            assertError(ok, 401, 'unauthorized', '64 KiB body (valid JSON) is processed');
            const c2 = new Client(d, { localAddress: freshAddr() });
            const over = await c2.req('POST', '/api/login', { body: `${exact} ` });
            assertError(over, 413, 'payload_too_large', '64 KiB + 1');
            c.close(); c2.close();
        });

        it('a huge Content-Length is refused without reading the body', async () => {
            const t0 = performance.now();
            const r = await rawTls(d, 'POST /api/login HTTP/1.1\r\n' +
                `Host: ${d.host}:${d.port}\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{"username":`,
            { timeoutMs: 5000, stopWhen: httpResponseComplete });
            assert.equal(r.status, 413, `got ${r.status}: ${r.text.slice(0, 200)}`);
            assert.ok(performance.now() - t0 < 4000, 'answered without waiting for 10 MB');
        });

        it('an oversized authenticated action body is 413 and changes nothing', async () => {
            const body = `{"pad":"${'x'.repeat(100 * 1024)}"}`;
            const res = await admin.req('POST', `/api/domains/${uuid}/suspend`, { body });
            assertError(res, 413, 'payload_too_large');
            assert.equal(await stateOf(), 'running');
        });

        it('an oversized chunked body is refused', async () => {
            const chunk = 'a'.repeat(16 * 1024);
            const parts = ['POST /api/login HTTP/1.1\r\n' +
                `Host: ${d.host}:${d.port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`];
            for (let i = 0; i < 8; i++) parts.push(`${(chunk.length).toString(16)}\r\n${chunk}\r\n`);
            parts.push('0\r\n\r\n');
            const r = await rawTls(d, parts, { timeoutMs: 4000, stopWhen: httpResponseComplete });
            assert.ok(r.status === null || (r.status >= 400 && r.status < 500), `chunked 128 KiB: ${r.status} ${r.text.slice(0, 200)}`);
        });

        const alive = async (label) => {
            assert.ok(d.alive, `${label}: daemon exited\n${d.logs()}`);
            const res = await admin.get('/api/session');
            assertJson(res, 200, `${label}: daemon still answers`);
        };

        it('an oversized header gets an error status or a close; the daemon lives on', async () => {
            const r = await rawTls(d, `GET /api/session HTTP/1.1\r\nHost: ${d.host}:${d.port}\r\nX-Big: ${'a'.repeat(128 * 1024)}\r\n\r\n`,
                { timeoutMs: 4000, stopWhen: httpResponseComplete });
            assert.ok(r.status === null || r.status >= 400, `got ${r.status}`);
            await alive('oversized header');
        });

        it('too many headers get an error status or a close; the daemon lives on', async () => {
            let h = '';
            for (let i = 0; i < 2000; i++) h += `X-H-${i}: v${i}\r\n`;
            const r = await rawTls(d, `GET /api/session HTTP/1.1\r\nHost: ${d.host}:${d.port}\r\n${h}\r\n`,
                { timeoutMs: 4000, stopWhen: httpResponseComplete });
            assert.ok(r.status === null || r.status >= 400, `got ${r.status}`);
            await alive('too many headers');
        });

        it('a 100 KB URI gets an error status or a close; the daemon lives on', async () => {
            const r = await rawTls(d, `GET /api/session?${'q'.repeat(100 * 1024)} HTTP/1.1\r\nHost: ${d.host}:${d.port}\r\n\r\n`,
                { timeoutMs: 4000, stopWhen: httpResponseComplete });
            assert.ok(r.status === null || r.status >= 400, `got ${r.status}`);
            await alive('huge URI');
        });

        it('a huge cookie gets an error status or a close', async () => {
            const r = await rawTls(d, `GET /api/session HTTP/1.1\r\nHost: ${d.host}:${d.port}\r\nCookie: virtdeck_session=${'b'.repeat(60000)}\r\n\r\n`,
                { timeoutMs: 4000, stopWhen: httpResponseComplete });
            assert.ok(r.status === null || r.status >= 400, `got ${r.status}`);
            await alive('huge cookie');
        });
    });
});
