// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/tokens.test.mjs — API tokens (docs/api.md "API tokens"): created by a
// logged-in user, used as Authorization: Bearer with no cookie and no CSRF token, never
// above the user's role (at creation and at every request, so a demoted or deleted user's
// tokens stop within one store-watch interval), refused with 401 when expired, revoked or
// malformed; the secret is stored only hashed; /api/events accepts a Bearer upgrade; the
// audit log names the token. Runs against test:///default; the database is changed
// behind the daemon's back with the sqlite3 CLI (another process, as `virtdeck user` is).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../lib/daemon.mjs';
import { startWithRoles } from '../lib/roles.mjs';
import { Client } from '../lib/client.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { until, within } from '../lib/wait.mjs';
import { requireTools } from '../lib/tools.mjs';

const PW = { admin: 'admin-pass-tok-1', op: 'op-pass-tok-2', view: 'view-pass-tok-3' };
const WATCH_MS = 1000; // the store-watch reads data_version every 250 ms
const TOKEN_RE = /^vdt_[A-Za-z0-9_-]{12}_[A-Za-z0-9_-]{43}$/;

describe('API tokens', () => {
    let env;
    let bare; // a client that never sends a cookie
    let uuid;
    const db = () => path.join(env.d.stateDir, 'virtdeck.db');
    const sql = (text) => execFileSync('sqlite3', [db(), text], { encoding: 'utf8' }).trim();
    const as = (token, method, p, body) => bare.req(method, p, {
        body, cookies: false, csrf: false, headers: { Authorization: `Bearer ${token}` },
    });
    const create = async (client, body, status = 201) => assertJson(await client.post('/api/tokens', body), status, `create ${JSON.stringify(body)}`);

    before(async () => {
        requireTools('sqlite3');
        env = await startWithRoles(PW);
        bare = new Client(env.d);
        const list = assertJson(await env.admin.get('/api/domains'), 200, 'domains');
        uuid = list.domains.find((x) => x.name === 'test').uuid;
    });
    after(async () => {
        bare?.close();
        await env?.stop();
    });

    it('an operate token reads and acts with no cookie and no CSRF token; the secret is shown once and stored hashed', async () => {
        const t = await create(env.op, { name: 'ci script', scope: 'operate', expires_in_days: 30 });
        assert.match(t.token, TOKEN_RE);
        assert.equal(t.scope, 'operate');
        assert.equal(t.name, 'ci script');
        assert.equal(t.user, 'op');
        assert.ok(t.expires > t.created + 29 * 86400 && t.expires <= t.created + 30 * 86400 + 5, 'expires in 30 days');
        assert.equal(t.token.slice(4, 16), t.id);

        const got = assertJson(await as(t.token, 'GET', '/api/domains'), 200, 'GET with a token');
        assert.ok(got.domains.some((x) => x.uuid === uuid));
        assertJson(await as(t.token, 'POST', `/api/domains/${uuid}/suspend`), 200, 'suspend with a token');
        assertJson(await as(t.token, 'POST', `/api/domains/${uuid}/resume`), 200, 'resume with a token');

        const listed = assertJson(await env.op.get('/api/tokens'), 200, 'list').tokens.find((x) => x.id === t.id);
        assert.ok(listed, 'listed');
        assert.equal(listed.token, undefined, 'the secret is not listed');
        assert.equal(listed.last_used_from, '127.0.0.1');
        assert.ok(listed.last_used >= t.created);

        const secret = t.token.slice(17);
        for (const f of readdirSync(env.d.stateDir).filter((n) => n.startsWith('virtdeck.db'))) {
            const bytes = readFileSync(path.join(env.d.stateDir, f));
            assert.equal(bytes.includes(secret), false, `${f} holds no secret`);
            assert.equal(bytes.includes(t.token), false, `${f} holds no token`);
        }
        assert.equal(sql(`SELECT length(secret_hash) FROM tokens WHERE id = '${t.id}'`), '32');
        assert.equal(sql(`SELECT count(*) FROM audit_log WHERE action = 'suspend' AND username = 'op' AND via = 'token:${t.id}' AND outcome = 'ok'`), '1');
    });

    it('a read token reads but cannot act (403)', async () => {
        const t = await create(env.op, { name: 'reader', scope: 'read' });
        assert.equal(t.expires, null, 'no expiry given: never');
        assertJson(await as(t.token, 'GET', `/api/domains/${uuid}`), 200, 'read');
        assertError(await as(t.token, 'POST', `/api/domains/${uuid}/suspend`), 403, 'forbidden', 'act with read');
    });

    it('a scope never exceeds the role: a viewer may not create an operate token, an operator no admin token', async () => {
        const v = assertError(await env.view.post('/api/tokens', { name: 'x', scope: 'operate' }), 403, 'forbidden', 'viewer operate');
        assert.match(v.message, /scope/);
        assertError(await env.op.post('/api/tokens', { name: 'x', scope: 'admin' }), 403, 'forbidden', 'operator admin');
        await create(env.view, { name: 'viewer read', scope: 'read' });
        await create(env.admin, { name: 'admin all', scope: 'admin' });
    });

    it('bad input is 400 naming the field, and nothing is created', async () => {
        const before_ = sql('SELECT count(*) FROM tokens');
        const cases = [
            [{ scope: 'read' }, /name/],
            [{ name: '', scope: 'read' }, /name/],
            [{ name: 'x' }, /scope/],
            [{ name: 'x', scope: 'root' }, /scope/],
            [{ name: 'x', scope: 'read', expires_in_days: 0 }, /expires_in_days/],
            [{ name: 'x', scope: 'read', expires_in_days: 3651 }, /expires_in_days/],
            [{ name: 'x', scope: 'read', expires_in_days: '7' }, /expires_in_days/],
            [{ name: 'x', scope: 'read', color: 'red' }, /color/],
        ];
        for (const [body, field] of cases) {
            const e = assertError(await env.op.post('/api/tokens', body), 400, 'bad_request', JSON.stringify(body));
            assert.match(e.message, field, JSON.stringify(body));
        }
        assert.equal(sql('SELECT count(*) FROM tokens'), before_);
    });

    it('a token cannot create tokens', async () => {
        const t = await create(env.admin, { name: 'minter', scope: 'admin' });
        assertError(await as(t.token, 'POST', '/api/tokens', { name: 'y', scope: 'read' }), 403, 'forbidden', 'token creates');
    });

    it('expired, revoked, unknown and malformed tokens are 401 with a clear message', async () => {
        const t = await create(env.op, { name: 'soon gone', scope: 'operate', expires_in_days: 1 });
        assertJson(await as(t.token, 'GET', '/api/host'), 200, 'fresh');
        sql(`UPDATE tokens SET expires_at = strftime('%s','now') - 10 WHERE id = '${t.id}'`);
        const expired = await until(async () => {
            const r = await as(t.token, 'GET', '/api/host');
            return r.status === 401 ? r : null;
        }, WATCH_MS, () => 'the expired token still works');
        assert.match(assertError(expired, 401, 'unauthorized', 'expired').message, /expired/);

        const r = await create(env.op, { name: 'to revoke', scope: 'read' });
        assertJson(await as(r.token, 'GET', '/api/host'), 200, 'before revoke');
        assertJson(await env.op.req('DELETE', `/api/tokens/${r.id}`), 200, 'revoke');
        assert.match(assertError(await as(r.token, 'GET', '/api/host'), 401, 'unauthorized', 'revoked').message, /revoked/);
        assertError(await env.op.req('DELETE', `/api/tokens/${r.id}`), 404, 'not_found', 'revoke twice');

        const wrong = `${r.token.slice(0, 17)}${'A'.repeat(43)}`;
        assertError(await as(wrong, 'GET', '/api/host'), 401, 'unauthorized', 'wrong secret');
        assert.match(assertError(await as('vdt_nonsense', 'GET', '/api/host'), 401, 'unauthorized', 'malformed').message, /malformed/);
    });

    it("another user's token is 404 to revoke; an admin lists (?all=true) and revokes anyone's", async () => {
        const t = await create(env.op, { name: 'ops only', scope: 'read' });
        assertError(await env.view.req('DELETE', `/api/tokens/${t.id}`), 404, 'not_found', 'viewer revokes op');
        assertError(await env.view.get('/api/tokens?all=true'), 403, 'forbidden', 'viewer lists all');
        const all = assertJson(await env.admin.get('/api/tokens?all=true'), 200, 'admin all').tokens;
        assert.ok(all.some((x) => x.id === t.id && x.user === 'op'));
        const own = assertJson(await env.admin.get('/api/tokens'), 200, 'admin own').tokens;
        assert.ok(own.every((x) => x.user === 'admin'));
        assertJson(await env.admin.req('DELETE', `/api/tokens/${t.id}`), 200, 'admin revokes');
        assert.equal(sql(`SELECT count(*) FROM tokens WHERE id = '${t.id}'`), '0');
    });

    it('the events websocket accepts a Bearer upgrade with no cookie, and closes when the token is revoked', async () => {
        const t = await create(env.view, { name: 'events', scope: 'read' });
        const ev = await bare.openEvents({ cookies: false, headers: { Authorization: `Bearer ${t.token}` } });
        try {
            const first = await ev.next(() => true, 5000);
            assert.ok(first.type, 'a message arrives');
            assertJson(await env.view.req('DELETE', `/api/tokens/${t.id}`), 200, 'revoke');
            const closed = await within(ev.closed, 1500);
            assert.ok(closed, 'the socket closed within 1.5 s of the revocation');
            assert.equal(closed.code, 1000);
        } finally {
            ev.close();
        }
        const err = await bare.openEvents({ cookies: false, headers: { Authorization: 'Bearer vdt_x' } }).then(() => null, (e) => e);
        assert.equal(err?.status, 401);
    });

    it("demoting the user in the database stops their operate token's actions at once; deleting the user ends the token", async () => {
        runCli(['user', 'add', 'dora', '--role', 'operator', '--state-dir', env.d.stateDir], { input: 'dora-pass-tok-4\n' });
        const dora = new Client(env.d);
        try {
            await dora.login('dora', 'dora-pass-tok-4');
            const t = await create(dora, { name: 'dora ops', scope: 'operate' });
            assertJson(await as(t.token, 'POST', `/api/domains/${uuid}/suspend`), 200, 'operator acts');
            assertJson(await as(t.token, 'POST', `/api/domains/${uuid}/resume`), 200, 'operator acts');
            sql("UPDATE users SET role = 'viewer' WHERE name = 'dora'");
            await until(async () => (await as(t.token, 'POST', `/api/domains/${uuid}/suspend`)).status === 403,
                WATCH_MS, () => 'the demoted user\'s token still acts');
            assertJson(await as(t.token, 'GET', '/api/domains'), 200, 'still reads');
            const del = runCli(['user', 'del', 'dora', '--state-dir', env.d.stateDir]);
            assert.equal(del.status, 0, del.stderr);
            await until(async () => (await as(t.token, 'GET', '/api/domains')).status === 401,
                WATCH_MS, () => 'the deleted user\'s token still works');
        } finally {
            dora.close();
        }
    });
});
