// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/totp.test.mjs — the TOTP second factor and "my account" (docs/api.md
// "My account", "Sessions" login): enrolment with a code from the test's own RFC 6238
// implementation (node:crypto HMAC, checked here against the RFC's vectors); a code logs
// in once, a reused or wrong one does not; a recovery code works once; TOTP required per
// user and for admins by configuration limits a session to enrolment; a password change
// ends the other sessions (policy enforced); my sessions: list, end one, log out
// everywhere else, an ended session's events websocket closes within 1 s; an API token
// cannot use /api/account/*. The audit log holds no secret or code. Runs against
// test:///default.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { runCli, startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { within } from '../lib/wait.mjs';
import { requireTools } from '../lib/tools.mjs';

// ---- RFC 6238 (TOTP over RFC 4226 HOTP, HMAC-SHA-1), the test's own ----------------------
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function base32Decode(text) {
    let bits = 0;
    let value = 0;
    const out = [];
    for (const c of text.replace(/=+$/, '').toUpperCase()) {
        const v = B32.indexOf(c);
        if (v < 0) throw new Error(`not base32: ${c}`);
        value = ((value << 5) | v) & 0xffff;
        bits += 5;
        if (bits >= 8) {
            out.push((value >>> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    return Buffer.from(out);
}
function hotp(key, counter, digits = 6) {
    const msg = Buffer.alloc(8);
    msg.writeBigUInt64BE(BigInt(counter));
    const h = createHmac('sha1', key).update(msg).digest();
    const o = h[h.length - 1] & 0x0f;
    const bin = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
    return String(bin % 10 ** digits).padStart(digits, '0');
}
const stepNow = () => Math.floor(Date.now() / 1000 / 30);
const codeAt = (secret, step) => hotp(base32Decode(secret), step);

const BOUND_MS = 1000;
const PW = { admin: 'admin-pass-totp-01', tina: 'tina-pass-totp-02', rita: 'rita-pass-totp-03',
    pat: 'pat-pass-totp-04xx', sam: 'sam-pass-totp-05xx', ted: 'ted-pass-totp-06xx' };

let seq = 0;
/** A fresh client from its own loopback address (the throttle counts per address). */
function fresh(d) {
    seq += 1;
    return new Client(d, { localAddress: `127.0.${20 + Math.floor(seq / 250)}.${1 + (seq % 250)}` });
}
async function tryLogin(d, username, password, extra = {}, headers = {}) {
    const c = fresh(d);
    const res = await c.req('POST', '/api/login', { body: { username, password, ...extra }, cookies: false, csrf: false, headers });
    if (res.status === 200) c.csrf = res.json.csrf_token;
    return { c, res };
}

describe('TOTP: the test implementation', () => {
    it('matches RFC 4226 and RFC 6238 (SHA-1) vectors', () => {
        const key = Buffer.from('12345678901234567890');
        assert.deepEqual([0, 1, 9].map((c) => hotp(key, c)), ['755224', '287082', '520489']);
        assert.equal(hotp(key, Math.floor(59 / 30), 8), '94287082');
        assert.equal(hotp(key, Math.floor(1111111109 / 30), 8), '07081804');
        assert.equal(hotp(key, Math.floor(20000000000 / 30), 8), '65353130');
        assert.deepEqual([...base32Decode('MZXW6YTBOI')], [...Buffer.from('foobar')]);
    });
});

describe('TOTP and my account', () => {
    let d;
    const clients = [];
    const db = () => path.join(d.stateDir, 'virtdeck.db');
    const sql = (text) => execFileSync('sqlite3', [db(), text], { encoding: 'utf8' }).trim();
    async function loggedIn(name, headers = {}) {
        const { c, res } = await tryLogin(d, name, PW[name], {}, headers);
        assertJson(res, 200, `login ${name}`);
        clients.push(c);
        return c;
    }
    async function enrol(c) {
        const begin = assertJson(await c.post('/api/account/totp', {}), 200, 'begin');
        assert.match(begin.secret, /^[A-Z2-7]{32}$/);
        assert.equal(base32Decode(begin.secret).length, 20);
        const step = stepNow();
        const code = codeAt(begin.secret, step);
        const done = assertJson(await c.post('/api/account/totp/confirm', { code }), 200, 'confirm');
        return { secret: begin.secret, uri: begin.otpauth_uri, step, code, recovery: done.recovery_codes };
    }

    before(async () => {
        requireTools('sqlite3');
        d = await startDaemon({
            users: [{ name: 'admin', role: 'admin', password: PW.admin },
                ...['tina', 'rita', 'pat', 'sam', 'ted'].map((name) => ({ name, role: 'operator', password: PW[name] }))],
        });
    });
    after(async () => {
        for (const c of clients) c.close();
        if (d) await d.stop();
    });

    it('enrols: a secret and an otpauth URI, a wrong code refused, the right one gives 10 recovery codes once', async () => {
        const c = await loggedIn('tina');
        const before0 = assertJson(await c.get('/api/account'), 200, 'account');
        assert.equal(before0.totp_enabled, false);
        const begin = assertJson(await c.post('/api/account/totp', {}), 200, 'begin');
        assert.match(begin.secret, /^[A-Z2-7]{32}$/);
        assert.equal(begin.otpauth_uri,
            `otpauth://totp/virtdeck:tina?secret=${begin.secret}&issuer=virtdeck&algorithm=SHA1&digits=6&period=30`);
        const good = codeAt(begin.secret, stepNow());
        const wrong = good === '000000' ? '000001' : '000000';
        assertError(await c.post('/api/account/totp/confirm', { code: wrong }), 400, 'bad_request', 'wrong code');
        assert.equal(assertJson(await c.get('/api/account'), 200).totp_enabled, false, 'a wrong code enables nothing');
        const step = stepNow();
        const code = codeAt(begin.secret, step);
        const done = assertJson(await c.post('/api/account/totp/confirm', { code }), 200, 'confirm');
        assert.equal(done.recovery_codes.length, 10);
        assert.equal(new Set(done.recovery_codes).size, 10);
        for (const r of done.recovery_codes) assert.match(r, /^[a-z2-7]{5}-[a-z2-7]{5}$/);
        const acct = assertJson(await c.get('/api/account'), 200);
        assert.equal(acct.totp_enabled, true);
        assert.equal(acct.recovery_codes_left, 10);
        assertError(await c.post('/api/account/totp', {}), 409, 'conflict', 'begin again while on');
        assertError(await c.post('/api/account/totp/confirm', { code }), 409, 'conflict', 'confirm again');
        // the next test logs in with these
        Object.assign(PW, { tinaTotp: { secret: begin.secret, step, code, recovery: done.recovery_codes } });
    });

    it('login: no code is 401 totp_required; a code logs in once; reused and wrong codes are refused', async () => {
        const { secret, step, code } = PW.tinaTotp;
        assertError((await tryLogin(d, 'tina', 'wrong-password-xx', {})).res, 401, 'unauthorized', 'wrong password');
        assertError((await tryLogin(d, 'tina', PW.tina)).res, 401, 'totp_required', 'no code');
        // the confirmation used this step: its code is spent
        assertError((await tryLogin(d, 'tina', PW.tina, { totp: code })).res, 401, 'unauthorized', 'the enrolment code again');
        const next = codeAt(secret, step + 1);
        const ok = await tryLogin(d, 'tina', PW.tina, { totp: next });
        assertJson(ok.res, 200, 'login with the next code');
        clients.push(ok.c);
        assertJson(await ok.c.get('/api/domains'), 200, 'the session works');
        assertError((await tryLogin(d, 'tina', PW.tina, { totp: next })).res, 401, 'unauthorized', 'reused code');
        const wrong = [0, 1, 2].map((i) => String(i).repeat(6)).find((w) => ![-1, 0, 1, 2].some((k) => codeAt(secret, stepNow() + k) === w));
        assertError((await tryLogin(d, 'tina', PW.tina, { totp: wrong })).res, 401, 'unauthorized', 'wrong code');
        assertError((await tryLogin(d, 'tina', 'wrong-password-xx', { totp: codeAt(secret, stepNow() + 1) })).res, 401, 'unauthorized',
            'a code does not help a wrong password');
        assertError((await tryLogin(d, 'tina', PW.tina, { totp: '12ab56' })).res, 401, 'unauthorized', 'malformed code');
    });

    it('a recovery code logs in once, in any case and spacing', async () => {
        const [r1, r2] = PW.tinaTotp.recovery;
        const ok = await tryLogin(d, 'tina', PW.tina, { recovery_code: r1.toUpperCase().replace('-', ' ') });
        assertJson(ok.res, 200, 'recovery code');
        clients.push(ok.c);
        assertError((await tryLogin(d, 'tina', PW.tina, { recovery_code: r1 })).res, 401, 'unauthorized', 'used again');
        assertJson((await tryLogin(d, 'tina', PW.tina, { recovery_code: r2 })).res, 200, 'another one');
        assert.equal(assertJson(await ok.c.get('/api/account'), 200).recovery_codes_left, 8);
    });

    it('the audit log records the logins and enrolment, never the secret or a code', async () => {
        const rows = sql("SELECT action || '|' || outcome || '|' || coalesce(message, '') FROM audit_log WHERE username = 'tina' ORDER BY id").split('\n');
        assert.ok(rows.includes('totp-begin|ok|'), rows.join('\n'));
        assert.ok(rows.includes('totp-enable|ok|'), rows.join('\n'));
        assert.ok(rows.includes('login|unauthorized|totp: no code'), rows.join('\n'));
        assert.ok(rows.includes('login|unauthorized|totp: wrong or used code'), rows.join('\n'));
        assert.ok(rows.includes('login|ok|with a recovery code'), rows.join('\n'));
        const all = sql('SELECT * FROM audit_log');
        const { secret, code, recovery } = PW.tinaTotp;
        for (const s of [secret, code, codeAt(secret, PW.tinaTotp.step + 1), ...recovery]) assert.ok(!all.includes(s), `audit holds ${s}`);
        assert.equal(sql("SELECT count(*) FROM totp_recovery WHERE username = 'tina'"), '8');
        assert.ok(!sql('SELECT code_hash FROM totp_recovery').includes(recovery[3]), 'stored hashed');
    });

    it('turning TOTP off needs a valid code or the password', async () => {
        const ok = await tryLogin(d, 'tina', PW.tina, { recovery_code: PW.tinaTotp.recovery[2] });
        clients.push(ok.c);
        const c = ok.c;
        assertError(await c.req('DELETE', '/api/account/totp', { body: {} }), 400, 'bad_request', 'nothing');
        assertError(await c.req('DELETE', '/api/account/totp', { body: { password: 'not-the-password' } }), 400, 'bad_request', 'wrong pw');
        assert.equal(assertJson(await c.get('/api/account'), 200).totp_enabled, true);
        assertJson(await c.req('DELETE', '/api/account/totp', { body: { password: PW.tina } }), 200, 'off');
        assert.equal(assertJson(await c.get('/api/account'), 200).totp_enabled, false);
        assertJson((await tryLogin(d, 'tina', PW.tina)).res, 200, 'a login without code again');
        assertError(await c.req('DELETE', '/api/account/totp', { body: { password: PW.tina } }), 409, 'conflict', 'already off');
    });

    it('totp_required for a user: the session may only enrol, then works in full; it cannot be turned off', async () => {
        assertJson(await (await loggedIn('admin')).req('PATCH', '/api/users/rita', { body: { totp_required: true } }), 200, 'require');
        const { c, res } = await tryLogin(d, 'rita', PW.rita);
        clients.push(c);
        assert.equal(assertJson(res, 200, 'login').totp_enrolment_required, true);
        assert.equal(assertJson(await c.get('/api/session'), 200).totp_enrolment_required, true);
        assertError(await c.get('/api/domains'), 403, 'totp_enrolment_required', 'domains');
        assertError(await c.get('/api/tokens'), 403, 'totp_enrolment_required', 'tokens');
        assertError(await c.post('/api/tokens', { name: 'x', scope: 'read' }), 403, 'totp_enrolment_required', 'new token');
        await assert.rejects(c.openEvents(), (e) => e.status === 403, 'events websocket');
        assert.equal(assertJson(await c.get('/api/account'), 200).totp_required, true);
        const e = await enrol(c);
        assert.equal(assertJson(await c.get('/api/session'), 200).totp_enrolment_required, false);
        assertJson(await c.get('/api/domains'), 200, 'domains after enrolment');
        assertError(await c.req('DELETE', '/api/account/totp', { body: { password: PW.rita } }), 409, 'conflict', 'required');
        assertError((await tryLogin(d, 'rita', PW.rita)).res, 401, 'totp_required', 'now asks for a code');
        assertJson((await tryLogin(d, 'rita', PW.rita, { totp: codeAt(e.secret, e.step + 1) })).res, 200, 'with a code');
        // the admin sees it, and resets it for a lost phone: the next login needs no code and may only enrol again
        const admin = await loggedIn('admin');
        const row = assertJson(await admin.get('/api/users'), 200).users.find((u) => u.name === 'rita');
        assert.deepEqual([row.totp_enabled, row.totp_required], [true, true]);
        assertError(await c.req('PATCH', '/api/users/rita', { body: { totp_reset: true } }), 403, 'forbidden', 'not for operators');
        const after = assertJson(await admin.req('PATCH', '/api/users/rita', { body: { totp_reset: true } }), 200, 'reset');
        assert.deepEqual([after.totp_enabled, after.totp_required], [false, true]);
        const again = await tryLogin(d, 'rita', PW.rita);
        clients.push(again.c);
        assert.equal(assertJson(again.res, 200, 'no code now').totp_enrolment_required, true);
        assertError(await admin.req('PATCH', '/api/users/rita', { body: { totp_reset: 'yes' } }), 400, 'bad_request', 'not a bool');
    });

    it('a password change needs the current one and the policy, ends the other sessions and closes their websockets', async () => {
        const c1 = await loggedIn('pat');
        const c2 = await loggedIn('pat');
        const ws = await c2.openEvents();
        try {
            await ws.next((m) => m.type === 'snapshot', 5000);
            const wrong = assertError(await c1.post('/api/account/password', { current: 'not-it-at-all', new: 'pat-new-password-1' }), 400, 'bad_request');
            assert.equal(wrong.field, 'current');
            const short = assertError(await c1.post('/api/account/password', { current: PW.pat, new: 'short' }), 400, 'bad_request');
            assert.equal(short.field, 'new');
            assert.match(short.message, /at least 12 characters/);
            assertError(await c1.post('/api/account/password', { current: PW.pat, new: 'pat' }), 400, 'bad_request', 'too short');
            assertJson(await c2.get('/api/session'), 200, 'nothing changed yet');
            const out = assertJson(await c1.post('/api/account/password', { current: PW.pat, new: 'pat-new-password-1' }), 200, 'change');
            assert.equal(out.sessions_ended, 1);
            const closed = await within(ws.closed, BOUND_MS);
            assert.deepEqual(closed, { code: 1000, reason: 'session ended' });
            assertError(await c2.get('/api/session'), 401, 'unauthorized', 'the other session');
            assertJson(await c1.get('/api/session'), 200, 'this session stays');
            assertError((await tryLogin(d, 'pat', PW.pat)).res, 401, 'unauthorized', 'old password');
            assertJson((await tryLogin(d, 'pat', 'pat-new-password-1')).res, 200, 'new password');
        } finally {
            ws.terminate();
        }
    });

    it('my sessions: listed with where and when; one ended closes its websocket; log out everywhere else', async () => {
        const c1 = await loggedIn('sam', { 'User-Agent': 'vd-test-agent/1.0' });
        const c2 = await loggedIn('sam');
        const c3 = await loggedIn('sam');
        const other = await loggedIn('ted');
        const list = assertJson(await c1.get('/api/account/sessions'), 200, 'list').sessions;
        assert.equal(list.length, 3);
        const mine = list.filter((s) => s.current);
        assert.equal(mine.length, 1);
        assert.equal(mine[0].user_agent, 'vd-test-agent/1.0');
        for (const s of list) {
            assert.match(s.id, /^[0-9a-f]{16}$/);
            assert.match(s.address, /^127\.0\.\d+\.\d+$/);
            assert.ok(Number.isInteger(s.created) && Number.isInteger(s.last_seen) && Number.isInteger(s.expires_at));
            assert.doesNotMatch(JSON.stringify(s), new RegExp(c1.csrf));
        }
        const id3 = assertJson(await c3.get('/api/account/sessions'), 200).sessions.find((s) => s.current).id;
        const otherId = assertJson(await other.get('/api/account/sessions'), 200).sessions[0].id;
        const ws = await c3.openEvents();
        try {
            await ws.next((m) => m.type === 'snapshot', 5000);
            assertError(await c1.req('DELETE', `/api/account/sessions/${otherId}`), 404, 'not_found', "another user's session");
            assertError(await c1.req('DELETE', '/api/account/sessions/zzzz'), 404, 'not_found', 'junk id');
            assertJson(await other.get('/api/session'), 200, 'the other user is untouched');
            const res = await c1.req('DELETE', `/api/account/sessions/${id3}`);
            assert.equal(res.status, 204, res.text);
            const closed = await within(ws.closed, BOUND_MS);
            assert.deepEqual(closed, { code: 1000, reason: 'session ended' });
            assertError(await c3.get('/api/session'), 401, 'unauthorized', 'ended');
        } finally {
            ws.terminate();
        }
        const all = assertJson(await c1.post('/api/account/logout-all', {}), 200, 'logout-all');
        assert.equal(all.sessions_ended, 1);
        assertError(await c2.get('/api/session'), 401, 'unauthorized', 'c2 ended');
        assertJson(await c1.get('/api/session'), 200, 'this one stays');
        assert.equal(assertJson(await c1.get('/api/account/sessions'), 200).sessions.length, 1);
        const rows = sql("SELECT action || '|' || object FROM audit_log WHERE username = 'sam' AND action IN ('session-end', 'logout-all')");
        assert.match(rows, new RegExp(`session-end\\|session:${id3}`));
        assert.match(rows, /logout-all\|user:sam/);
        assertJson(await c1.post('/api/account/logout-all', { keep_current: false }), 200, 'all of them');
        assertError(await c1.get('/api/session'), 401, 'unauthorized', 'this one too');
        assertJson(await other.get('/api/session'), 200, 'ted still logged in');
    });

    it('an API token cannot use /api/account/*', async () => {
        const c = await loggedIn('ted');
        const t = assertJson(await c.post('/api/tokens', { name: 'acct', scope: 'operate' }), 201, 'token');
        const bare = fresh(d);
        clients.push(bare);
        const auth = { cookies: false, headers: { Authorization: `Bearer ${t.token}` } };
        assertJson(await bare.req('GET', '/api/session', auth), 200, 'the token works');
        for (const [method, p, body] of [['GET', '/api/account'], ['GET', '/api/account/sessions'],
            ['POST', '/api/account/password', { current: PW.ted, new: 'ted-other-password' }],
            ['POST', '/api/account/totp', {}], ['DELETE', '/api/account/totp', { password: PW.ted }],
            ['POST', '/api/account/logout-all', {}]]) {
            assertError(await bare.req(method, p, { ...auth, body }), 403, 'forbidden', `${method} ${p}`);
        }
        assertJson((await tryLogin(d, 'ted', PW.ted)).res, 200, 'the password is unchanged');
        assertJson(await c.get('/api/session'), 200, 'the session is alive');
    });

    it('`virtdeck user totp-reset` turns a user\'s TOTP off while the daemon runs', async () => {
        const c = await loggedIn('ted');
        await enrol(c);
        assertError((await tryLogin(d, 'ted', PW.ted)).res, 401, 'totp_required', 'on');
        const r = runCli(['user', 'totp-reset', 'ted', '--state-dir', d.stateDir]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /two-factor authentication of ted is off/);
        assertJson((await tryLogin(d, 'ted', PW.ted)).res, 200, 'no code needed now');
        const bad = runCli(['user', 'totp-reset', 'nobody-here', '--state-dir', d.stateDir]);
        assert.equal(bad.status, 1, bad.stderr);
        assert.match(bad.stderr, /no user nobody-here/);
        assert.equal(runCli(['user', 'totp-reset', '--state-dir', d.stateDir]).status, 2, 'no name');
    });

    it('bad input is 400 and changes nothing', async () => {
        const c = await loggedIn('ted');
        assertError(await c.post('/api/account/password', { current: PW.ted }), 400, 'bad_request', 'no new');
        assertError(await c.post('/api/account/password', { current: PW.ted, new: 12 }), 400, 'bad_request', 'number');
        assertError(await c.post('/api/account/totp/confirm', {}), 400, 'bad_request', 'no code');
        assertError(await c.post('/api/account/totp/confirm', { code: '123456' }), 409, 'conflict', 'nothing pending');
        assertError(await c.post('/api/account/logout-all', { keep_current: 'yes' }), 400, 'bad_request', 'not a bool');
        assertError(await c.post('/api/account/password', { current: PW.ted, new: 'x'.repeat(20), extra: 1 }), 400, 'bad_request', 'unknown key');
        assertError((await tryLogin(d, 'ted', PW.ted, { totp: 123456 })).res, 400, 'bad_request', 'totp must be a string');
        assertJson((await tryLogin(d, 'ted', PW.ted)).res, 200, 'unchanged');
    });
});

describe('totp_required_for_admins', () => {
    let d;
    before(async () => {
        d = await startDaemon({
            users: [{ name: 'admin', role: 'admin', password: PW.admin }, { name: 'op', role: 'operator', password: PW.ted }],
            config: { totp_required_for_admins: 'true' },
        });
    });
    after(async () => { if (d) await d.stop(); });

    it('an admin without TOTP gets a session limited to enrolment; an operator does not', async () => {
        const a = await tryLogin(d, 'admin', PW.admin);
        assert.equal(assertJson(a.res, 200).totp_enrolment_required, true);
        assertError(await a.c.get('/api/users'), 403, 'totp_enrolment_required', 'users');
        assertError(await a.c.get('/api/jobs'), 403, 'totp_enrolment_required', 'jobs');
        assert.equal(assertJson(await a.c.get('/api/account'), 200).totp_required, true);
        const o = await tryLogin(d, 'op', PW.ted);
        assert.equal(assertJson(o.res, 200).totp_enrolment_required, false);
        assertJson(await o.c.get('/api/domains'), 200, 'operator');
        const begin = assertJson(await a.c.post('/api/account/totp', {}), 200, 'begin');
        assertJson(await a.c.post('/api/account/totp/confirm', { code: codeAt(begin.secret, stepNow()) }), 200, 'confirm');
        assertJson(await a.c.get('/api/users'), 200, 'users after enrolment');
        assertJson(await a.c.post('/api/logout'), 200, 'logout');
        a.c.close();
        o.c.close();
    });
});
