// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/auth.test.mjs — login, session, logout, throttling, config keys,
// the initial-admin flow and the `virtdeck user` CLI, against a real daemon
// (libvirt test driver).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, runCli } from '../lib/daemon.mjs';
import { roleUsers } from '../lib/roles.mjs';
import { Client, parseSetCookie } from '../lib/client.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { sleep } from '../lib/wait.mjs';

const PW = {
    admin: 'admin-pass-Xy9!',
    op: 'operator-pass-1',
    view: 'viewer-pass-2',
    victim: 'victim-pass-3',
    bystander: 'bystander-pass-4',
    t1: 'timing-pass-5',
    t2: 'timing-pass-6',
};
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };

// Every source address is used by one test only, so the per-address throttle of one
// test cannot leak into another.
let addrSeq = 0;
const freshAddr = () => { addrSeq += 1; return `127.0.${10 + Math.floor(addrSeq / 250)}.${1 + (addrSeq % 250)}`; };

describe('authentication', () => {
    let d;
    before(async () => {
        d = await startDaemon({
            users: [
                ...roleUsers(PW),
                { name: 'victim', role: 'viewer', password: PW.victim },
                { name: 'bystander', role: 'viewer', password: PW.bystander },
                { name: 't1', role: 'viewer', password: PW.t1 },
                { name: 't2', role: 'viewer', password: PW.t2 },
            ],
        });
    });
    after(async () => { if (d) await d.stop(); });

    it('logs in with the right password: cookie flags and body', async () => {
        const c = new Client(d, { localAddress: freshAddr() });
        const res = await c.req('POST', '/api/login', { body: { username: 'admin', password: PW.admin } });
        const body = assertJson(res, 200, 'login');
        assert.equal(body.username, 'admin');
        assert.equal(body.role, 'admin');
        assert.match(body.csrf_token, /^[0-9a-f]{64}$/i, 'csrf_token is 64 hex');
        const lines = res.headers['set-cookie'] || [];
        const cookie = lines.map(parseSetCookie).find((x) => x.name === 'virtdeck_session');
        assert.ok(cookie, `virtdeck_session cookie set (got ${JSON.stringify(lines)})`);
        assert.ok(cookie.value.length >= 32, 'session token has at least 128 bits of hex');
        assert.equal(cookie.attrs.httponly, true, 'HttpOnly');
        assert.equal(cookie.attrs.secure, true, 'Secure');
        assert.equal(String(cookie.attrs.samesite).toLowerCase(), 'strict', 'SameSite=Strict');
        assert.equal(cookie.attrs.path, '/', 'Path=/');
        assert.ok(!cookie.attrs.domain, 'no Domain attribute (host-only cookie)');
        assert.ok(!res.text.includes(PW.admin), 'password not echoed');
        c.close();
    });

    it('each role logs in with its own role', async () => {
        for (const [name, role] of [['op', 'operator'], ['view', 'viewer']]) {
            const c = new Client(d, { localAddress: freshAddr() });
            const res = await c.login(name, PW[name]);
            assert.equal(res.json.role, role);
            const s = assertJson(await c.get('/api/session'), 200, 'session');
            assert.equal(s.role, role);
            assert.equal(s.username, name);
            c.close();
        }
    });

    it('two logins get two different sessions and CSRF tokens', async () => {
        const a = new Client(d, { localAddress: freshAddr() });
        const b = new Client(d, { localAddress: freshAddr() });
        await a.login('admin', PW.admin);
        await b.login('admin', PW.admin);
        assert.notEqual(a.sessionCookie, b.sessionCookie);
        assert.notEqual(a.csrf, b.csrf);
        a.close(); b.close();
    });

    it('wrong password and unknown user are both 401 with the same message', async () => {
        const c1 = new Client(d, { localAddress: freshAddr() });
        const wrong = await c1.req('POST', '/api/login', { body: { username: 'admin', password: 'not-the-password' } });
        const e1 = assertError(wrong, 401, 'unauthorized', 'wrong password');
        assert.equal(wrong.headers['set-cookie'], undefined, 'no cookie on failure');
        const c2 = new Client(d, { localAddress: freshAddr() });
        const unknown = await c2.req('POST', '/api/login', { body: { username: 'nobody-here', password: 'whatever' } });
        const e2 = assertError(unknown, 401, 'unauthorized', 'unknown user');
        assert.equal(e1.message, e2.message, 'same message for both');
        assert.equal(e1.message, 'invalid username or password');
        assert.equal(unknown.headers['set-cookie'], undefined);
        c1.close(); c2.close();
    });

    it('unknown user and wrong password take about the same time', async () => {
        const tWrong = [];
        const tUnknown = [];
        for (let i = 0; i < 4; i++) {
            const user = i % 2 ? 't1' : 't2';
            let c = new Client(d, { localAddress: freshAddr() });
            let t0 = performance.now();
            assertError(await c.req('POST', '/api/login', { body: { username: user, password: `bad-${i}` } }), 401);
            tWrong.push(performance.now() - t0);
            c.close();
            c = new Client(d, { localAddress: freshAddr() });
            t0 = performance.now();
            assertError(await c.req('POST', '/api/login', { body: { username: `ghost-${i}`, password: `bad-${i}` } }), 401);
            tUnknown.push(performance.now() - t0);
            c.close();
        }
        const w = median(tWrong);
        const u = median(tUnknown);
        // A wrong password costs a hash verification; an unknown user must cost one too
        // (else the response time tells which names exist).
        if (w > 10) {
            assert.ok(u > w * 0.3, `unknown user answered in ${u.toFixed(1)} ms vs wrong password ${w.toFixed(1)} ms`);
        }
    });

    it('GET /api/session: 200 with the session, 401 without', async () => {
        const c = new Client(d, { localAddress: freshAddr() });
        assertError(await c.get('/api/session'), 401, 'unauthorized', 'no cookie');
        const login = await c.login('admin', PW.admin);
        const s = assertJson(await c.get('/api/session'), 200, 'session');
        assert.equal(s.username, 'admin');
        assert.equal(s.role, 'admin');
        assert.equal(s.csrf_token, login.json.csrf_token);
        assert.ok(Number.isInteger(s.expires_at), 'expires_at integer');
        const now = Math.floor(Date.now() / 1000);
        // default idle timeout 900 s: expiry about now + 900
        assert.ok(Math.abs(s.expires_at - (now + 900)) <= 10, `expires_at ${s.expires_at} vs now ${now}`);
        // a forged cookie is not a session
        const forged = new Client(d, { localAddress: freshAddr() });
        forged.cookies.set('virtdeck_session', 'f'.repeat(64));
        assertError(await forged.get('/api/session'), 401, 'unauthorized', 'forged cookie');
        forged.cookies.set('virtdeck_session', `${c.sessionCookie}x`);
        assertError(await forged.get('/api/session'), 401, 'unauthorized', 'cookie with a trailing byte');
        c.close(); forged.close();
    });

    it('logout ends the session and clears the cookie', async () => {
        const c = new Client(d, { localAddress: freshAddr() });
        await c.login('op', PW.op);
        const oldCookie = c.sessionCookie;
        const res = await c.logout();
        const body = assertJson(res, 200, 'logout');
        assert.deepEqual(body, { ok: true });
        const cleared = (res.headers['set-cookie'] || []).map(parseSetCookie).find((x) => x.name === 'virtdeck_session');
        assert.ok(cleared, 'logout sends a Set-Cookie for virtdeck_session');
        const expired = cleared.value === '' || Number(cleared.attrs['max-age']) <= 0 ||
            (cleared.attrs.expires && Date.parse(cleared.attrs.expires) <= Date.now());
        assert.ok(expired, `cookie cleared: ${JSON.stringify(cleared)}`);
        const replay = new Client(d, { localAddress: freshAddr() });
        replay.cookies.set('virtdeck_session', oldCookie);
        assertError(await replay.get('/api/session'), 401, 'unauthorized', 'old cookie after logout');
        assertError(await replay.get('/api/domains'), 401, 'unauthorized', 'old cookie after logout');
        c.close(); replay.close();
    });

    it('repeated failures give 429 with Retry-After for that user name from that address only', async () => {
        const A = freshAddr();
        const B = freshAddr();
        const C = freshAddr();
        const ca = new Client(d, { localAddress: A, keepAlive: false });
        for (let i = 0; i < 3; i++) {
            assertError(await ca.req('POST', '/api/login', { body: { username: 'victim', password: `guess-${i}` } }),
                401, 'unauthorized', `failure ${i + 1}`);
        }
        // even the right password is refused now: the guesser learns nothing
        const blocked = await ca.req('POST', '/api/login', { body: { username: 'victim', password: PW.victim } });
        const blockedAt = performance.now();
        assertError(blocked, 429, 'too_many_requests', '4th attempt');
        const ra = blocked.headers['retry-after'];
        assert.match(String(ra), /^\d+$/, `Retry-After is a number of seconds: ${ra}`);
        assert.ok(Number(ra) >= 1 && Number(ra) <= 300, `Retry-After ${ra} within 1..300`);
        assert.equal(blocked.headers['set-cookie'], undefined, 'no session while throttled');

        // a different user from a different address is not affected
        const cb = new Client(d, { localAddress: B });
        await cb.login('bystander', PW.bystander);

        // the same user name from another address is not locked out (per pair) ...
        const cc = new Client(d, { localAddress: C });
        await cc.login('victim', PW.victim);
        // ... nor another user from the guessing address (a NAT neighbour)
        const neighbour = new Client(d, { localAddress: A });
        await neighbour.login('bystander', PW.bystander);
        neighbour.close();

        // after Retry-After the right password works again from the guessing address
        const wait = Number(ra);
        assert.ok(wait <= 20, `Retry-After grew to ${wait} s although only 3 failures happened`);
        // The time is what is tested here (Retry-After seconds after the 429 are enough),
        // so this sleeps until then, counting from the 429 (300 ms of slack).
        await sleep(blockedAt + wait * 1000 + 300 - performance.now());
        const again = await ca.req('POST', '/api/login', { body: { username: 'victim', password: PW.victim } });
        assertJson(again, 200, 'victim after the backoff');
        ca.close(); cb.close(); cc.close();
    });

    it('30 failures from one address over many user names close it for every name', async () => {
        const A = freshAddr();
        const ca = new Client(d, { localAddress: A, keepAlive: false });
        for (let i = 0; i < 30; i++) {
            assertError(await ca.req('POST', '/api/login', { body: { username: `spray-${i}`, password: 'guess' } }),
                401, 'unauthorized', `failure ${i + 1} (a new name each time)`);
        }
        const closed = await ca.req('POST', '/api/login', { body: { username: 'bystander', password: PW.bystander } });
        assertError(closed, 429, 'too_many_requests', 'bystander from the spraying address');
        assert.match(String(closed.headers['retry-after']), /^[1-9]\d*$/);
        // other addresses are not affected
        const cb = new Client(d, { localAddress: freshAddr() });
        await cb.login('bystander', PW.bystander);
        ca.close(); cb.close();
    });

    it('no initial-admin-password file when users exist', () => {
        assert.equal(existsSync(path.join(d.stateDir, 'initial-admin-password')), false);
    });

    it('the daemon is still alive', () => {
        assert.ok(d.alive, `daemon exited: ${d.logs()}`);
    });
});

describe('config file', () => {
    let dir;
    before(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'virtdeck-conf-')); });
    after(() => { rmSync(dir, { recursive: true, force: true }); });

    it('accepts every documented key and applies session_idle_timeout', async () => {
        const conf = path.join(dir, 'ok.conf');
        writeFileSync(conf, [
            '# virtdeck test config',
            '',
            'session_idle_timeout = 60',
            'session_max_lifetime = 3600',
            'allowed_origins = https://console.example.test',
            'workers = 2',
            'log_level = info',
            '',
        ].join('\n'));
        const d = await startDaemon({ users: [{ name: 'admin', role: 'admin', password: PW.admin }], extraArgs: ['--config', conf] });
        try {
            const c = new Client(d);
            await c.login('admin', PW.admin);
            const s = assertJson(await c.get('/api/session'), 200, 'session');
            const now = Math.floor(Date.now() / 1000);
            assert.ok(s.expires_at >= now + 50 && s.expires_at <= now + 65,
                `expires_at ${s.expires_at} should be about now+60 (${now + 60}) with session_idle_timeout = 60`);
            // the configured extra origin is accepted for the websocket
            const ev = await c.openEvents({ origin: 'https://console.example.test' });
            const snap = await ev.next((m) => m.type === 'snapshot', 5000);
            assert.ok(Array.isArray(snap.domains));
            await ev.close();
            c.close();
        } finally {
            await d.stop();
        }
    });

    for (const [name, text] of [
        ['an unknown key', 'session_idle_timeout = 60\nno_such_key = 1\n'],
        ['a malformed line', 'this line has no equals sign\n'],
        ['a timeout under 60 s', 'session_idle_timeout = 5\n'],
        ['a non-numeric timeout', 'session_idle_timeout = 60s\n'],
        ['a bad log level', 'log_level = chatty\n'],
        ['an idle timeout longer than the maximum lifetime', 'session_idle_timeout = 3600\nsession_max_lifetime = 120\n'],
    ]) {
        it(`refuses to start with ${name}`, () => {
            const conf = path.join(dir, 'bad.conf');
            writeFileSync(conf, text);
            const sd = mkdtempSync(path.join(os.tmpdir(), 'virtdeck-badconf-'));
            try {
                const r = runCli(['serve', '--listen', '127.0.0.1:1', '--uri', 'test:///default', '--state-dir', sd, '--config', conf],
                    { timeoutMs: 10000 });
                assert.notEqual(r.status, 0, `serve should fail on ${name}; output: ${r.stdout}${r.stderr}`);
                assert.equal(r.signal, null, `serve was killed (${r.signal}) instead of exiting: ${r.stdout}${r.stderr}`);
                assert.ok((r.stdout + r.stderr).trim().length > 0, 'an error message is printed');
            } finally {
                rmSync(sd, { recursive: true, force: true });
            }
        });
    }

    it('refuses a missing --config file', () => {
        const sd = mkdtempSync(path.join(os.tmpdir(), 'virtdeck-badconf-'));
        try {
            const r = runCli(['serve', '--listen', '127.0.0.1:1', '--uri', 'test:///default', '--state-dir', sd,
                '--config', path.join(dir, 'does-not-exist.conf')], { timeoutMs: 10000 });
            assert.notEqual(r.status, 0);
            assert.equal(r.signal, null);
        } finally {
            rmSync(sd, { recursive: true, force: true });
        }
    });
});

describe('initial admin password', () => {
    it('with no users, creates admin, prints the password and writes it 0600', async () => {
        const d = await startDaemon({ users: [] });
        try {
            const file = path.join(d.stateDir, 'initial-admin-password');
            assert.ok(existsSync(file), `${file} exists`);
            const st = statSync(file);
            assert.equal(st.mode & 0o777, 0o600, `mode is ${(st.mode & 0o777).toString(8)}`);
            const pw = readFileSync(file, 'utf8').split('\n')[0].trim();
            assert.ok(pw.length >= 12, `password has at least 12 characters (${pw.length})`);
            assert.ok(d.logs().includes(pw), 'the password is printed at start');
            const c = new Client(d);
            const res = await c.login('admin', pw);
            assert.equal(res.json.role, 'admin');
            c.close();
            const list = runCli(['user', 'list', '--state-dir', d.stateDir]);
            assert.equal(list.status, 0, list.stderr);
            assert.match(list.stdout, /\badmin\b/);
        } finally {
            await d.stop();
        }
    });

    it('two fresh state dirs get different passwords', async () => {
        const pws = [];
        for (let i = 0; i < 2; i++) {
            const d = await startDaemon({ users: [] });
            try {
                pws.push(readFileSync(path.join(d.stateDir, 'initial-admin-password'), 'utf8').trim());
            } finally {
                await d.stop();
            }
        }
        assert.notEqual(pws[0], pws[1]);
    });
});

describe('virtdeck user CLI', () => {
    let d;
    before(async () => {
        d = await startDaemon({
            users: [
                { name: 'admin', role: 'admin', password: PW.admin },
                { name: 'alice', role: 'operator', password: 'alice-pass-1' },
                { name: 'bob', role: 'viewer', password: 'bob-pass-222' },
            ],
        });
    });
    after(async () => { if (d) await d.stop(); });
    const cli = (args, input) => runCli([...args, '--state-dir', d.stateDir], { input });

    it('user add does not echo the password', () => {
        const r = cli(['user', 'add', 'carol', '--role', 'viewer'], 'carol-secret-333\n');
        assert.equal(r.status, 0, r.stderr);
        assert.ok(!(r.stdout + r.stderr).includes('carol-secret-333'), 'password not printed');
    });

    it('user list shows every user with its role', () => {
        const r = cli(['user', 'list']);
        assert.equal(r.status, 0, r.stderr);
        for (const [name, role] of [['admin', 'admin'], ['alice', 'operator'], ['bob', 'viewer'], ['carol', 'viewer']]) {
            const line = r.stdout.split('\n').find((l) => new RegExp(`(^|\\s)${name}(\\s|$)`).test(l));
            assert.ok(line, `${name} listed in:\n${r.stdout}`);
            assert.match(line, new RegExp(`\\b${role}\\b`), `${name} has role ${role}: ${line}`);
        }
        assert.ok(!/\$[0-9a-z]+\$/i.test(r.stdout), 'no password hashes in the listing');
    });

    it('a user added while the daemon runs can log in', async () => {
        const c = new Client(d);
        const res = await c.login('carol', 'carol-secret-333');
        assert.equal(res.json.role, 'viewer');
        c.close();
    });

    it('user passwd changes the password', async () => {
        const r = cli(['user', 'passwd', 'bob'], 'bob-new-pass-44\n');
        assert.equal(r.status, 0, r.stderr);
        const c = new Client(d, { localAddress: '127.0.200.1' });
        assertError(await c.req('POST', '/api/login', { body: { username: 'bob', password: 'bob-pass-222' } }), 401, 'unauthorized', 'old password');
        const c2 = new Client(d, { localAddress: '127.0.200.2' });
        await c2.login('bob', 'bob-new-pass-44');
        c.close(); c2.close();
    });

    it('user del removes the user', async () => {
        const r = cli(['user', 'del', 'alice']);
        assert.equal(r.status, 0, r.stderr);
        const list = cli(['user', 'list']);
        assert.ok(!/(^|\s)alice(\s|$)/m.test(list.stdout), `alice still listed:\n${list.stdout}`);
        const c = new Client(d, { localAddress: '127.0.200.3' });
        assertError(await c.req('POST', '/api/login', { body: { username: 'alice', password: 'alice-pass-1' } }), 401, 'unauthorized');
        c.close();
    });

    it('refuses bad input with a non-zero exit', () => {
        const cases = [
            [['user', 'add', 'bob', '--role', 'viewer'], 'dup-pass-5555\n', 'duplicate name'],
            [['user', 'add', 'dave', '--role', 'root'], 'dave-pass-5555\n', 'unknown role'],
            [['user', 'add', 'bad name', '--role', 'viewer'], 'x-pass-555555\n', 'space in name'],
            [['user', 'add', '-dash', '--role', 'viewer'], 'x-pass-555555\n', 'leading dash'],
            [['user', 'add', 'emptypw', '--role', 'viewer'], '\n', 'empty password'],
            [['user', 'del', 'nobody-at-all'], '', 'del unknown'],
            [['user', 'passwd', 'nobody-at-all'], 'x-pass-555555\n', 'passwd unknown'],
            [['user', 'frobnicate'], '', 'unknown subcommand'],
        ];
        for (const [args, input, label] of cases) {
            const r = cli(args, input);
            assert.notEqual(r.status, 0, `${label}: expected failure, got 0: ${r.stdout}${r.stderr}`);
            assert.equal(r.signal, null, `${label}: crashed with ${r.signal}`);
        }
        const list = cli(['user', 'list']);
        assert.ok(!/(^|\s)(dave|emptypw)(\s|$)/m.test(list.stdout), `refused users were created:\n${list.stdout}`);
    });
});
