// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/users.test.mjs — the users admin API (docs/api.md "Users"): admins
// list, create, change (role, password reset, disabled) and delete local users; others
// get 403. Bad input is 400 naming the field and changes nothing; the password policy
// (at least password_min_length characters, default 12, not the user name) holds for the
// API and the CLI alike; no change leaves zero enabled admins (409, also for two admins
// demoting each other at once); a disabled user cannot log in and their token stops;
// deleting, disabling or demoting a user closes their cookie and token /api/events
// websockets within 1 s of the response. Audit rows name the user, never the password.
// Runs against test:///default.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, startDaemon } from '../lib/daemon.mjs';
import { startWithRoles } from '../lib/roles.mjs';
import { Client } from '../lib/client.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { within } from '../lib/wait.mjs';
import { requireTools } from '../lib/tools.mjs';

const PW = { admin: 'admin-pass-users-1', op: 'operator-pass-users-2', view: 'viewer-pass-users-3' };
const SHORT = 'password must be at least 12 characters';
const BOUND_MS = 1000;

describe('users admin API', () => {
    let env;
    const db = () => path.join(env.d.stateDir, 'virtdeck.db');
    const sql = (text) => execFileSync('sqlite3', [db(), text], { encoding: 'utf8' }).trim();
    const list = async (as = env.admin) => assertJson(await as.get('/api/users'), 200, 'list').users;
    const login = (name, password) => new Client(env.d, { localAddress: `127.0.7.${1 + (seq++ % 250)}` })
        .req('POST', '/api/login', { body: { username: name, password }, cookies: false, csrf: false });
    let seq = 0;
    const clients = [];
    async function loggedIn(name, password) {
        const c = new Client(env.d);
        clients.push(c);
        await c.login(name, password);
        return c;
    }

    before(async () => {
        requireTools('sqlite3');
        env = await startWithRoles(PW);
    });
    after(async () => {
        for (const c of clients) c.close();
        if (env) await env.stop();
    });

    it('lists every user with role, state, creation and last login, the roles and the policy; never a hash', async () => {
        const out = assertJson(await env.admin.get('/api/users'), 200, 'list');
        assert.deepEqual(out.users.map((u) => u.name), ['admin', 'op', 'view']);
        for (const u of out.users) {
            assert.deepEqual(Object.keys(u).sort(),
                ['created', 'disabled', 'groups', 'last_login', 'name', 'quota', 'role', 'source', 'totp_enabled', 'totp_required', 'viewer_sees']);
            assert.deepEqual(u.groups, []);
            assert.equal(u.viewer_sees, 'all');
            assert.equal(u.totp_enabled, false);
            assert.equal(u.totp_required, false);
            assert.equal(u.disabled, false);
            assert.deepEqual(u.quota, { vms: null, vcpus: null, memory_mib: null, disk_gib: null }, 'no quota set');
            assert.equal(u.source, 'local');
            assert.ok(Number.isInteger(u.created) && u.created > 1.7e9, `created ${u.created}`);
            assert.ok(Number.isInteger(u.last_login), `${u.name} logged in: ${u.last_login}`);
        }
        assert.deepEqual(out.users.map((u) => u.role), ['admin', 'operator', 'viewer']);
        for (const r of ['admin', 'operator', 'viewer']) assert.ok(out.roles.includes(r), `roles ${out.roles}`);
        assert.equal(out.password_min_length, 12);
        assert.doesNotMatch(JSON.stringify(out), /\$y\$/);
    });

    it('only admins manage users (403 for an operator and a viewer)', async () => {
        for (const c of [env.op, env.view]) {
            assertError(await c.get('/api/users'), 403, 'forbidden', 'list');
            assertError(await c.post('/api/users', { name: 'zz', role: 'viewer', password: 'long-enough-pass' }), 403, 'forbidden', 'create');
            assertError(await c.req('PATCH', '/api/users/view', { body: { disabled: true } }), 403, 'forbidden', 'patch');
            assertError(await c.req('DELETE', '/api/users/view'), 403, 'forbidden', 'delete');
        }
        assert.equal((await list()).length, 3);
    });

    it('creates a user (201) who can log in; the audit row names the user and holds no password', async () => {
        const u = assertJson(await env.admin.post('/api/users', { name: 'erin', role: 'operator', password: 'erin-secret-pass-1' }), 201, 'create');
        assert.equal(u.name, 'erin');
        assert.equal(u.role, 'operator');
        assert.equal(u.disabled, false);
        assert.equal(u.last_login, null);
        assert.equal(u.password, undefined);
        assertJson(await login('erin', 'erin-secret-pass-1'), 200, 'erin logs in');
        assert.equal(sql("SELECT count(*) FROM audit_log WHERE action = 'user-create' AND object = 'user:erin' AND username = 'admin' AND outcome = 'ok'"), '1');
        assert.equal(sql("SELECT count(*) FROM audit_log WHERE coalesce(message, '') || object || action LIKE '%erin-secret%'"), '0');
    });

    it('refuses bad input with 400 naming the field, and creates nothing', async () => {
        const before_ = (await list()).length;
        const cases = [
            [{ name: 'bad name', role: 'viewer', password: 'long-enough-pass' }, 'name'],
            [{ name: '-dash', role: 'viewer', password: 'long-enough-pass' }, 'name'],
            [{ name: 'x'.repeat(65), role: 'viewer', password: 'long-enough-pass' }, 'name'],
            [{ role: 'viewer', password: 'long-enough-pass' }, 'name'],
            [{ name: 'frank', role: 'root', password: 'long-enough-pass' }, 'role'],
            [{ name: 'frank', password: 'long-enough-pass' }, 'role'],
            [{ name: 'frank', role: 'viewer', password: 'short-pass1' }, 'password', SHORT],
            [{ name: 'frank', role: 'viewer', password: '密码密码密码密码密码密' }, 'password', SHORT],
            [{ name: 'frank-the-user', role: 'viewer', password: 'frank-the-user' }, 'password', 'password must not be the user name'],
            [{ name: 'frank', role: 'viewer' }, 'password'],
            [{ name: 'frank', role: 'viewer', password: 42 }, 'password'],
            [{ name: 'frank', role: 'viewer', password: 'long-enough-pass', extra: 1 }, undefined, /unknown field "extra"/],
        ];
        for (const [body, field, message] of cases) {
            const e = assertError(await env.admin.post('/api/users', body), 400, 'bad_request', JSON.stringify(body));
            assert.equal(e.field, field, `${JSON.stringify(body)}: ${e.message}`);
            if (message instanceof RegExp) assert.match(e.message, message);
            else if (message) assert.equal(e.message, message);
        }
        assertError(await env.admin.post('/api/users', { name: 'erin', role: 'viewer', password: 'long-enough-pass' }), 409, 'conflict', 'duplicate');
        assert.equal((await list()).length, before_);
        // 12 characters of any script are enough
        assertJson(await env.admin.post('/api/users', { name: 'mei', role: 'viewer', password: '密码密码密码密码密码密码' }), 201, 'twelve CJK characters');
        assertJson(await login('mei', '密码密码密码密码密码密码'), 200, 'mei logs in');
        assert.equal(sql("SELECT count(*) FROM audit_log WHERE coalesce(message, '') || object LIKE '%long-enough%'"), '0');
    });

    it('changes the role, resets the password, disables and enables; bad changes are 400/404 and change nothing', async () => {
        assertJson(await env.admin.post('/api/users', { name: 'gus', role: 'viewer', password: 'gus-first-pass-1' }), 201, 'create');
        let u = assertJson(await env.admin.req('PATCH', '/api/users/gus', { body: { role: 'operator' } }), 200, 'role');
        assert.equal(u.role, 'operator');
        assertJson(await env.admin.req('PATCH', '/api/users/gus', { body: { password: 'gus-second-pass-2' } }), 200, 'reset');
        assertError(await login('gus', 'gus-first-pass-1'), 401, 'unauthorized', 'old password');
        assertJson(await login('gus', 'gus-second-pass-2'), 200, 'new password');

        u = assertJson(await env.admin.req('PATCH', '/api/users/gus', { body: { disabled: true } }), 200, 'disable');
        assert.equal(u.disabled, true);
        assert.equal(assertError(await login('gus', 'gus-second-pass-2'), 401, 'unauthorized', 'disabled').message, 'account is disabled');
        assert.equal(assertError(await login('gus', 'wrong-password-1'), 401, 'unauthorized', 'disabled, wrong password').message,
            'invalid username or password', 'a wrong password says nothing about the account');
        assert.equal(assertJson(await env.admin.req('PATCH', '/api/users/gus', { body: { disabled: false } }), 200, 'enable').disabled, false);
        assertJson(await login('gus', 'gus-second-pass-2'), 200, 'enabled again');

        const cases = [
            [{}, null],
            [{ role: 'root' }, 'role'],
            [{ role: 7 }, 'role'],
            [{ disabled: 'yes' }, 'disabled'],
            [{ password: 'too-short' }, 'password', SHORT],
            [{ password: 'gus' }, 'password', SHORT],
            [{ name: 'other' }, null, /unknown field "name"/],
        ];
        for (const [body, field, message] of cases) {
            const e = assertError(await env.admin.req('PATCH', '/api/users/gus', { body }), 400, 'bad_request', JSON.stringify(body));
            if (field) assert.equal(e.field, field, `${JSON.stringify(body)}: ${e.message}`);
            if (message instanceof RegExp) assert.match(e.message, message);
            else if (message) assert.equal(e.message, message);
        }
        assertError(await env.admin.req('PATCH', '/api/users/nobody', { body: { role: 'viewer' } }), 404, 'not_found', 'unknown');
        assertError(await env.admin.req('PATCH', '/api/users/bad%20name', { body: { role: 'viewer' } }), 404, 'not_found', 'impossible name');
        assertError(await env.admin.req('DELETE', '/api/users/nobody'), 404, 'not_found', 'delete unknown');
        const gus = (await list()).find((x) => x.name === 'gus');
        assert.deepEqual([gus.role, gus.disabled], ['operator', false], 'nothing changed');
        assertJson(await login('gus', 'gus-second-pass-2'), 200, 'password unchanged');
        assert.equal(sql("SELECT count(*) FROM audit_log WHERE action = 'user-change' AND object = 'user:gus' AND outcome = 'ok'"), '4');
        assert.equal(sql("SELECT count(*) FROM audit_log WHERE coalesce(message, '') || object LIKE '%gus-%pass%'"), '0');
    });

    it('never leaves zero enabled admins: 409 for the last one; two admins demoting each other at once: one wins', async () => {
        for (const [method, body] of [['PATCH', { role: 'operator' }], ['PATCH', { disabled: true }], ['DELETE', undefined]]) {
            const e = assertError(await env.admin.req(method, '/api/users/admin', { body }), 409, 'conflict', `${method} ${JSON.stringify(body)}`);
            assert.match(e.message, /last enabled admin/);
        }
        assertJson(await env.admin.post('/api/users', { name: 'hal', role: 'admin', password: 'hal-admin-pass-1' }), 201, 'second admin');
        const hal = await loggedIn('hal', 'hal-admin-pass-1');
        const [a, b] = await Promise.all([
            env.admin.req('PATCH', '/api/users/hal', { body: { role: 'viewer' } }),
            hal.req('PATCH', '/api/users/admin', { body: { role: 'viewer' } }),
        ]);
        // the loser is refused by the guard (409), or, when the winner's change committed
        // before the loser's request was looked at, by its ended session (401)
        const statuses = [a.status, b.status].sort();
        assert.ok(statuses[0] === 200 && [401, 409].includes(statuses[1]), `statuses ${a.status} ${b.status}`);
        // the winner reads the list: the loser, demoted, has lost its session
        const admins = (await list(a.status === 200 ? env.admin : hal)).filter((u) => u.role === 'admin' && !u.disabled);
        assert.equal(admins.length, 1);
        assert.ok(['admin', 'hal'].includes(admins[0].name));
        if (admins[0].name === 'hal') {
            // hal won and demoted admin (whose session ended); restore admin through hal
            assertJson(await hal.req('PATCH', '/api/users/admin', { body: { role: 'admin' } }), 200, 'restore');
            await env.admin.login('admin', PW.admin);
        }
        assert.equal((await env.admin.req('DELETE', '/api/users/hal')).status, 204, 'delete hal');
    });

    it('deletes a user (204): they cannot log in, and the audit row names them', async () => {
        assertJson(await env.admin.post('/api/users', { name: 'ivy', role: 'viewer', password: 'ivy-pass-word-1' }), 201, 'create');
        const r = await env.admin.req('DELETE', '/api/users/ivy');
        assert.equal(r.status, 204, r.text);
        assert.equal(r.text, '');
        assert.ok(!(await list()).some((u) => u.name === 'ivy'));
        assertError(await login('ivy', 'ivy-pass-word-1'), 401, 'unauthorized', 'deleted');
        assertError(await env.admin.req('DELETE', '/api/users/ivy'), 404, 'not_found', 'again');
        assert.equal(sql("SELECT count(*) FROM audit_log WHERE action = 'user-delete' AND object = 'user:ivy' AND outcome = 'ok'"), '1');
        assert.equal(sql("SELECT count(*) FROM audit_log WHERE action = 'user-delete' AND object = 'user:ivy' AND outcome = 'not_found'"), '1');
    });

    // A user with a cookie session and an operate token, each with an open /api/events
    // socket; change() is the admin's request. Both sockets close, and the cookie and the
    // token lose their rights, within BOUND_MS of the response.
    async function assertEndsAtOnce(name, change, tokenAfter) {
        const password = `${name}-pass-word-1`;
        assertJson(await env.admin.post('/api/users', { name, role: 'operator', password }), 201, 'create');
        const c = await loggedIn(name, password);
        const t = assertJson(await c.post('/api/tokens', { name: 'ws', scope: 'operate' }), 201, 'token');
        const bare = new Client(env.d);
        clients.push(bare);
        const cookieWs = await c.openEvents();
        const tokenWs = await bare.openEvents({ cookies: false, headers: { Authorization: `Bearer ${t.token}` } });
        try {
            await cookieWs.next((m) => m.type === 'snapshot', 5000);
            await tokenWs.next((m) => m.type === 'snapshot', 5000);
            const res = await change();
            assert.ok(res.status === 200 || res.status === 204, `the change: ${res.status} ${res.text}`);
            const deadline = performance.now() + BOUND_MS;
            const closed = await within(Promise.all([cookieWs.closed, tokenWs.closed]), BOUND_MS);
            assert.ok(closed, `${name}: a socket is still open ${BOUND_MS} ms after the response (cookie ${JSON.stringify(cookieWs.closeInfo)}, token ${JSON.stringify(tokenWs.closeInfo)})`);
            assert.ok(performance.now() <= deadline + 50);
            for (const info of closed) assert.deepEqual(info, { code: 1000, reason: 'session ended' });
            assertError(await c.get('/api/session'), 401, 'unauthorized', 'the cookie');
            const viaToken = await bare.req('GET', '/api/session', { cookies: false, headers: { Authorization: `Bearer ${t.token}` } });
            assert.equal(viaToken.status, tokenAfter, `the token after the change: ${viaToken.text}`);
        } finally {
            cookieWs.terminate();
            tokenWs.terminate();
        }
        return t;
    }

    it('deleting a user closes their cookie and token websockets within 1 s', async () => {
        await assertEndsAtOnce('jay', () => env.admin.req('DELETE', '/api/users/jay'), 401);
    });

    it('disabling a user closes both within 1 s; their token stops, and works again once enabled', async () => {
        const t = await assertEndsAtOnce('kim', () => env.admin.req('PATCH', '/api/users/kim', { body: { disabled: true } }), 401);
        assertJson(await env.admin.req('PATCH', '/api/users/kim', { body: { disabled: false } }), 200, 'enable');
        const bare = new Client(env.d);
        clients.push(bare);
        assertJson(await bare.req('GET', '/api/session', { cookies: false, headers: { Authorization: `Bearer ${t.token}` } }), 200, 'token again');
    });

    it('demoting a user closes both within 1 s; their token keeps only the new rights', async () => {
        const t = await assertEndsAtOnce('lou', () => env.admin.req('PATCH', '/api/users/lou', { body: { role: 'viewer' } }), 200);
        const bare = new Client(env.d);
        clients.push(bare);
        const s = assertJson(await bare.req('GET', '/api/session', { cookies: false, headers: { Authorization: `Bearer ${t.token}` } }), 200, 'token');
        assert.equal(s.role, 'viewer');
    });
});

describe('password policy: the CLI and a configured minimum', () => {
    let d;
    before(async () => {
        d = await startDaemon({ users: [{ name: 'admin', role: 'admin', password: 'admin-pass-policy-16' }], config: { password_min_length: 16 } });
    });
    after(async () => { if (d) await d.stop(); });
    const cli = (args, input) => runCli(['user', ...args, '--state-dir', d.stateDir], { input });

    it('the CLI refuses a short password with the message and exit 1, and accepts 12 characters by default', () => {
        const r = cli(['add', 'nina', '--role', 'viewer'], 'short-pw-11\n');
        assert.equal(r.status, 1, r.stderr);
        assert.match(r.stderr, /password must be at least 12 characters/);
        const same = cli(['add', 'nina-the-user', '--role', 'viewer'], 'nina-the-user\n');
        assert.equal(same.status, 1);
        assert.match(same.stderr, /password must not be the user name/);
        const ok = cli(['add', 'nina', '--role', 'viewer'], 'twelve-chars\n');
        assert.equal(ok.status, 0, ok.stderr);
        const pw = cli(['passwd', 'nina'], 'tiny\n');
        assert.equal(pw.status, 1);
        assert.match(pw.stderr, /password must be at least 12 characters/);
    });

    it('the CLI reads password_min_length from --config', () => {
        const r = runCli(['user', 'passwd', 'nina', '--state-dir', d.stateDir, '--config', path.join(d.stateDir, 'virtdeck.conf')], { input: 'fifteen-chars!!\n' });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /password must be at least 16 characters/);
    });

    it('the daemon applies password_min_length (16) and reports it', async () => {
        const c = new Client(d);
        try {
            await c.login('admin', 'admin-pass-policy-16');
            assert.equal(assertJson(await c.get('/api/users'), 200, 'list').password_min_length, 16);
            const e = assertError(await c.post('/api/users', { name: 'olga', role: 'viewer', password: 'fifteen-chars!!' }), 400, 'bad_request', '15');
            assert.deepEqual([e.field, e.message], ['password', 'password must be at least 16 characters']);
            assertJson(await c.post('/api/users', { name: 'olga', role: 'viewer', password: 'sixteen-chars!!!' }), 201, '16');
        } finally {
            c.close();
        }
    });

    it('the config file refuses a minimum below 8', () => {
        const r = runCli(['user', 'list', '--state-dir', d.stateDir, '--config', writeConf(d.stateDir, 'password_min_length = 7\n')]);
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /password_min_length/);
    });
});

function writeConf(dir, text) {
    const file = path.join(dir, 'bad.conf');
    writeFileSync(file, text);
    return file;
}
