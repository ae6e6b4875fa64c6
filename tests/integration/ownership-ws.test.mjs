// SPDX-License-Identifier: LGPL-2.1-or-later
// ownership-ws.test.mjs — isolation on the websockets (issue 13) on libvirt's test driver:
// two `user` accounts each own a VM; user B's /api/events never carries A's VM (the
// snapshot, lifecycle events while A starts and stops it, the stats); B's console and
// serial websockets for A's VM answer exactly as for a UUID no domain has (status, close
// code and reason bytes); a token of B (read and operate scopes) sees what B sees and
// never more, on the REST routes and the events websocket.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { startWithRoles } from '../lib/roles.mjs';
import { Client } from '../lib/client.mjs';
import { assertJson } from '../lib/api-assert.mjs';

const PW = { admin: 'admin-pass-ows-1', op: 'operator-pass-ows-2', view: 'viewer-pass-ows-3' };
const USERS = [
    { name: 'alice', role: 'user', password: 'alice-pass-ows-123' },
    { name: 'bob', role: 'user', password: 'bob-pass-ows-12345' },
];

/**
 * Opens path on the daemon as a client would (headers: its cookie or Bearer, Origin) and
 * reports what happened: {refused, status, body} when the upgrade is refused, else
 * {code, reason, messages} once the server closes it (or {open: true} after waitMs).
 */
function attempt(client, path, headers, waitMs = 3000) {
    const ws = new WebSocket(`wss://${client.host}:${client.port}${path}`, [],
        { headers: { Origin: client.origin, ...headers }, ...client.tlsOpts });
    const messages = [];
    return new Promise((resolve) => {
        let timer = null;
        ws.on('message', (data) => messages.push(data.toString('utf8')));
        ws.once('unexpected-response', (req, res) => {
            let body = '';
            res.on('data', (d) => { body += d; });
            res.on('end', () => resolve({ refused: true, status: res.statusCode, body }));
        });
        ws.once('open', () => {
            timer = setTimeout(() => { ws.terminate(); resolve({ open: true, messages }); }, waitMs);
        });
        ws.once('close', (code, reason) => {
            clearTimeout(timer);
            resolve({ code, reason: reason.toString(), messages });
        });
        ws.once('error', () => {});
    });
}

describe('isolation on the websockets and for tokens (test driver)', () => {
    let roles;
    let alice;
    let bob;
    let bare;
    let vmA; // alice's: "test", running
    let vmB; // bob's: made here, shut off
    const tokens = {};
    const cookieOf = (c) => ({ Cookie: c.cookieHeader() });
    const bearer = (t) => ({ Authorization: `Bearer ${t}` });
    const as = (t, method, p, body) => bare.req(method, p, { body, cookies: false, csrf: false, headers: bearer(t) });

    before(async () => {
        roles = await startWithRoles(PW, { users: USERS });
        alice = new Client(roles.d);
        bob = new Client(roles.d);
        bare = new Client(roles.d);
        await alice.login('alice', USERS[0].password);
        await bob.login('bob', USERS[1].password);
        const { admin } = roles;
        vmA = assertJson(await admin.get('/api/domains'), 200, 'list').domains.find((x) => x.name === 'test').uuid;
        vmB = assertJson(await admin.post('/api/domains', { name: 'bobvm', source: { type: 'none' }, disk: null }), 201,
            'bob\'s VM').uuid;
        assertJson(await admin.req('PUT', `/api/domains/${vmA}/owner`, { body: { owner: 'alice' } }), 200, 'owner A');
        assertJson(await admin.req('PUT', `/api/domains/${vmB}/owner`, { body: { owner: 'bob' } }), 200, 'owner B');
        for (const scope of ['read', 'operate'])
            {tokens[scope] = assertJson(await bob.post('/api/tokens', { name: `bob-${scope}`, scope }), 201, scope).token;}
    });
    after(async () => {
        for (const c of [alice, bob, bare]) c?.close();
        if (roles) await roles.stop();
    });

    it('B\'s events never carry A\'s VM: snapshot, lifecycle events, stats; A\'s carry them', async () => {
        const evB = await bob.openEvents();
        const evT = await bare.openEvents({ cookies: false, headers: bearer(tokens.read) });
        const evA = await alice.openEvents();
        try {
            for (const [ev, who, want] of [[evB, 'bob', [vmB]], [evT, 'bob\'s token', [vmB]], [evA, 'alice', [vmA]]]) {
                const snap = await ev.next((m) => m.type === 'snapshot');
                assert.deepEqual(snap.domains.map((x) => x.uuid), want, `${who}'s snapshot`);
            }
            for (const action of ['suspend', 'resume', 'destroy', 'start'])
                {assertJson(await alice.post(`/api/domains/${vmA}/${action}`), 200, `alice ${action}s her VM`);}
            // A sees her own events; then B's own start marks the end of what B was sent
            await evA.next((m) => m.type === 'domain' && m.event === 'started' && m.domain?.uuid === vmA);
            assertJson(await bob.post(`/api/domains/${vmB}/start`), 200, 'bob starts his VM');
            for (const ev of [evB, evT])
                {await ev.next((m) => m.type === 'domain' && m.event === 'started' && m.domain?.uuid === vmB);}
            // stats: wait for one that names B's (now running) VM
            for (const ev of [evB, evT])
                {await ev.next((m) => m.type === 'stats' && m.domains.some((x) => x.uuid === vmB), 8000);}
            const statsA = await evA.next((m) => m.type === 'stats', 8000);
            assert.ok(statsA.domains.some((x) => x.uuid === vmA), 'A\'s stats name her VM');
            for (const [ev, who] of [[evB, 'bob'], [evT, 'bob\'s token']]) {
                const seen = ev.all.filter((m) => JSON.stringify(m).includes(vmA));
                assert.deepEqual(seen, [], `${who} was sent something about A's VM`);
                assert.ok(ev.all.some((m) => m.type === 'stats'), `${who} got stats`);
            }
        } finally {
            for (const ev of [evA, evB, evT]) ev.terminate();
            await bob.post(`/api/domains/${vmB}/destroy`);
        }
    });

    it('B\'s consoles of A\'s VM answer exactly as a UUID no domain has (session and tokens)', async () => {
        for (const kind of ['console', 'serial']) {
            for (const [who, headers] of [['bob', cookieOf(bob)], ['read token', bearer(tokens.read)],
                ['operate token', bearer(tokens.operate)]]) {
                const ghost = randomUUID();
                const a = await attempt(bob, `/api/domains/${vmA}/${kind}`, headers);
                const b = await attempt(bob, `/api/domains/${ghost}/${kind}`, headers);
                const norm = (r, u) => JSON.stringify({ ...r, body: r.body?.replaceAll(u, 'U'),
                    reason: r.reason?.replaceAll(u, 'U'), messages: r.messages?.map((m) => m.replaceAll(u, 'U')) });
                assert.ok(!a.open, `${kind} ${who}: the socket stayed open on A's VM`);
                assert.equal(norm(a, vmA), norm(b, ghost), `${kind} ${who}`);
            }
        }
        // the owner herself gets further than "no domain" (a control for the comparison)
        const own = await attempt(alice, `/api/domains/${vmA}/serial`, cookieOf(alice), 1000);
        assert.ok(!String(own.reason || own.body || '').includes('no domain'), JSON.stringify(own));
    });

    it('B\'s tokens see what B sees and never more', async () => {
        const bobList = assertJson(await bob.get('/api/domains'), 200, 'bob').domains.map((x) => x.uuid);
        assert.deepEqual(bobList, [vmB]);
        for (const scope of ['read', 'operate']) {
            const t = tokens[scope];
            assert.deepEqual(assertJson(await as(t, 'GET', '/api/domains'), 200, scope).domains.map((x) => x.uuid), bobList);
            for (const [method, suffix, body] of [['GET', ''], ['GET', '/snapshots'], ['POST', '/suspend'],
                ['POST', '/snapshots', {}], ['DELETE', ''], ['GET', '/shares'], ['POST', '/clone', { name: 'x1' }]]) {
                const ghost = randomUUID();
                const a = await as(t, method, `/api/domains/${vmA}${suffix}`, body);
                const b = await as(t, method, `/api/domains/${ghost}${suffix}`, body);
                assert.equal(a.status, b.status, `${scope} ${method} ${suffix}`);
                assert.equal(a.text.replaceAll(vmA, 'U'), b.text.replaceAll(ghost, 'U'), `${scope} ${method} ${suffix}`);
            }
            // the scope caps B's own rights: read acts on nothing, operate configures nothing
            const act = await as(t, 'POST', `/api/domains/${vmB}/start`);
            assert.equal(act.status, scope === 'read' ? 403 : 200, `${scope} start: ${act.text}`);
            assert.equal((await as(t, 'POST', `/api/domains/${vmB}/interfaces`, { network: 'default' })).status, 403,
                `${scope} configure`);
            if (scope === 'read') assert.equal((await as(t, 'DELETE', `/api/domains/${vmB}`)).status, 403, 'read delete');
            else await as(t, 'POST', `/api/domains/${vmB}/destroy`);
        }
        assert.equal((await alice.get(`/api/domains/${vmA}`)).status, 200, 'A\'s VM is still there');
    });
});
