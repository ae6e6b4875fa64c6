// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/audit-visibility.test.mjs — who reads which audit rows (docs/api.md
// "Audit log", auth_policy_audit_reach) and the users API's group membership and
// viewer_sees (docs/api.md "Users"), on libvirt's test driver. alice owns one VM, bob
// the other: each reads the rows about their own VM (whoever wrote them) and their own
// rows about no VM (login), never a row about the other's VM (?vm=<other's UUID> is an
// empty page, not 403) until it is shared with them, and never user management; an
// operator reads every VM's rows; a viewer who sees shared VMs only reads theirs; an
// admin reads everything. Users: "groups" listed, set at creation (an unknown group is
// 400 naming it and creates nothing) and replaced by PATCH; "viewer_sees" likewise.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startWithFixture } from '../lib/roles.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { domainXml } from '../bench/gen-domains.mjs';
import { Client } from '../lib/client.mjs';

const PW = { admin: 'admin-pass-reach-1', op: 'operator-pass-reach-2', view: 'viewer-pass-reach-3' };
const USERS = [
    { name: 'alice', role: 'user', password: 'alice-pass-reach-4' },
    { name: 'bob', role: 'user', password: 'bob-pass-reach-567' },
];
const A = 'a0d17000-0000-4000-8000-0000000b0001';
const B = 'a0d17000-0000-4000-8000-0000000b0002';
const FIXTURE = ['<node>',
    domainXml({ name: 'alice-vm', state: 'running', uuid: A }),
    domainXml({ name: 'bob-vm', state: 'running', uuid: B }),
    '</node>', ''].join('\n');

const vmOf = (object) => (/^domain:([0-9a-f-]{36})(\/|$)/.exec(object) || [])[1] || null;

describe('audit rows a caller may read; users with groups and viewer_sees', () => {
    let env;
    let alice;
    let bob;
    let shy;
    const audit = async (c, q = '') => assertJson(await c.get(`/api/audit${q}`), 200, `audit ${q}`).entries;

    before(async () => {
        env = await startWithFixture(PW, FIXTURE, { users: USERS });
        for (const [uuid, owner] of [[A, 'alice'], [B, 'bob']]) {
            assertJson(await env.admin.req('PUT', `/api/domains/${uuid}/owner`, { body: { owner } }), 200, 'owner');
        }
        assertJson(await env.admin.post('/api/users', {
            name: 'shy', role: 'viewer', password: 'shy-viewer-pass-1', viewer_sees: 'shared',
        }), 201, 'shy');
        alice = new Client(env.d);
        bob = new Client(env.d);
        shy = new Client(env.d);
        await alice.login('alice', USERS[0].password);
        await bob.login('bob', USERS[1].password);
        await shy.login('shy', 'shy-viewer-pass-1');
        assertJson(await alice.post(`/api/domains/${A}/suspend`), 200, 'alice suspends hers');
        assertJson(await bob.post(`/api/domains/${B}/suspend`), 200, 'bob suspends his');
        assertError(await bob.post(`/api/domains/${A}/resume`), 404, 'not_found', 'bob probes hers');
        assertJson(await env.op.post(`/api/domains/${B}/resume`), 200, 'op resumes bob\'s');
    });
    after(async () => {
        for (const c of [alice, bob, shy]) c?.close();
        if (env) await env.stop();
    });

    it('a user reads the rows about its VMs, whoever wrote them, and its own rows about no VM', async () => {
        const rows = await audit(alice);
        assert.ok(rows.length > 0);
        for (const e of rows) {
            const vm = vmOf(e.object);
            assert.ok(vm === A || (vm === null && e.user === 'alice'), `alice reads ${JSON.stringify(e)}`);
        }
        const actions = rows.map((e) => `${e.user} ${e.action} ${e.result}`);
        assert.ok(actions.includes('alice suspend ok'), actions.join());
        assert.ok(actions.includes('bob resume not_found'), 'a probe of her VM is about her VM');
        assert.ok(actions.includes('alice login ok'), actions.join());
        assert.ok(!actions.includes('bob login ok') && !actions.includes('bob suspend ok'), actions.join());
        assert.ok(!rows.some((e) => e.object.startsWith('user:')), 'no user management');
    });

    it('never a row about a VM it may not see: ?vm=<other\'s UUID> is an empty page, not 403', async () => {
        assert.deepEqual(await audit(bob, `?vm=${A}`), []);
        const mine = await audit(bob);
        assert.ok(!mine.some((e) => vmOf(e.object) === A), 'not even his own probe of her VM');
        assert.ok(mine.some((e) => vmOf(e.object) === B && e.user === 'op'), 'the operator on his VM');
        const lines = (await bob.req('GET', `/api/audit?vm=${A}&format=ndjson`)).text.trim().split('\n');
        assert.deepEqual(lines.map((l) => JSON.parse(l)), [{ next_cursor: null }], 'the export too');
        assert.deepEqual(await audit(bob, `?vm=${B}&user=alice`), []);
    });

    it('a user\'s events snapshot says its access on each VM it sees; a share sends a fresh one', async () => {
        const ev = await bob.openEvents();
        try {
            const first = await ev.next((m) => m.type === 'snapshot', 5000);
            assert.deepEqual(first.domains.map((x) => [x.uuid, x.owner, x.access]), [[B, 'bob', 'owner']]);
            assertJson(await alice.req('PUT', `/api/domains/${A}/shares`, { body: [{ user: 'bob', level: 'console' }] }),
                200, 'share');
            const next = await ev.next((m) => m.type === 'snapshot', 5000);
            const seen = Object.fromEntries(next.domains.map((x) => [x.uuid, x.access]));
            assert.deepEqual(seen, { [A]: 'console', [B]: 'owner' });
            assertJson(await alice.req('PUT', `/api/domains/${A}/shares`, { body: [] }), 200, 'unshare');
            const last = await ev.next((m) => m.type === 'snapshot', 5000);
            assert.deepEqual(last.domains.map((x) => x.uuid), [B]);
        } finally {
            ev.terminate();
        }
        // an admin's snapshot is everyone's: no access in it (the UI derives it from the role)
        const adm = await env.admin.openEvents();
        try {
            const snap = await adm.next((m) => m.type === 'snapshot', 5000);
            assert.ok(snap.domains.every((x) => !('access' in x)) && snap.domains.some((x) => x.owner === 'alice'));
        } finally {
            adm.terminate();
        }
    });

    it('a share shows the VM\'s rows at once; unsharing hides them again', async () => {
        assertJson(await alice.req('PUT', `/api/domains/${A}/shares`, { body: [{ user: 'bob', level: 'view' }] }),
            200, 'share');
        const rows = await audit(bob, `?vm=${A}`);
        assert.ok(rows.some((e) => e.user === 'alice' && e.action === 'suspend'), JSON.stringify(rows));
        assert.ok(rows.some((e) => e.action === 'domain-shares' && e.user === 'alice'), 'the share itself');
        assertJson(await alice.req('PUT', `/api/domains/${A}/shares`, { body: [] }), 200, 'unshare');
        assert.deepEqual(await audit(bob, `?vm=${A}`), []);
    });

    it('a viewer who sees shared VMs only reads theirs; one who sees all, every VM', async () => {
        assert.ok((await audit(shy)).every((e) => vmOf(e.object) === null && e.user === 'shy'));
        assertJson(await bob.req('PUT', `/api/domains/${B}/shares`, { body: [{ user: 'shy', level: 'view' }] }),
            200, 'share with shy');
        const rows = await audit(shy);
        assert.ok(rows.some((e) => vmOf(e.object) === B), JSON.stringify(rows));
        assert.ok(!rows.some((e) => vmOf(e.object) === A));
        const all = await audit(env.view);
        assert.ok(all.some((e) => vmOf(e.object) === A) && all.some((e) => vmOf(e.object) === B));
        assert.ok(all.every((e) => vmOf(e.object) !== null || e.user === 'view'), 'others\' logins hidden');
    });

    it('an operator reads every VM\'s rows but no user management; an admin reads everything', async () => {
        const op = await audit(env.op);
        assert.ok(op.some((e) => vmOf(e.object) === A) && op.some((e) => vmOf(e.object) === B));
        assert.ok(op.every((e) => vmOf(e.object) !== null || e.user === 'op'), JSON.stringify(op.slice(0, 3)));
        const all = await audit(env.admin);
        assert.ok(all.some((e) => e.action === 'user-create' && e.object === 'user:shy'));
        assert.ok(all.some((e) => e.action === 'login' && e.user === 'alice'));
    });

    it('users list their groups and viewer_sees; POST and PATCH set them; an unknown group creates nothing', async () => {
        assertJson(await env.admin.post('/api/groups', { name: 'devs', members: ['alice'] }), 201, 'group');
        assertJson(await env.admin.post('/api/groups', { name: 'ops' }), 201, 'group 2');
        const users = assertJson(await env.admin.get('/api/users'), 200, 'list').users;
        const byName = Object.fromEntries(users.map((u) => [u.name, u]));
        assert.deepEqual(byName.alice.groups, ['devs']);
        assert.deepEqual(byName.bob.groups, []);
        assert.equal(byName.shy.viewer_sees, 'shared');
        assert.equal(byName.alice.viewer_sees, 'all');

        const bad = assertError(await env.admin.post('/api/users', {
            name: 'carol', role: 'user', password: 'carol-pass-12345', groups: ['devs', 'nope'],
        }), 400, 'bad_request');
        assert.match(bad.message, /groups\[1\].*nope/);
        assertError(await env.admin.post('/api/users', {
            name: 'carol', role: 'user', password: 'carol-pass-12345', groups: 'devs',
        }), 400, 'bad_request');
        assertError(await env.admin.post('/api/users', {
            name: 'carol', role: 'viewer', password: 'carol-pass-12345', viewer_sees: 'some',
        }), 400, 'bad_request');
        assert.ok(!assertJson(await env.admin.get('/api/users'), 200).users.some((u) => u.name === 'carol'),
            'nothing created');

        const carol = assertJson(await env.admin.post('/api/users', {
            name: 'carol', role: 'user', password: 'carol-pass-12345', groups: ['ops', 'devs'],
        }), 201, 'carol');
        assert.deepEqual(carol.groups, ['devs', 'ops']);
        const devs = assertJson(await env.admin.get('/api/groups'), 200).groups.find((g) => g.name === 'devs');
        assert.deepEqual(devs.members, ['alice', 'carol']);

        const p = assertJson(await env.admin.req('PATCH', '/api/users/carol', { body: { groups: ['ops'] } }), 200);
        assert.deepEqual(p.groups, ['ops']);
        const unknown = assertError(await env.admin.req('PATCH', '/api/users/carol', { body: { groups: ['zzz'] } }),
            400, 'bad_request');
        assert.match(unknown.message, /groups\[0\]/);
        assert.deepEqual(assertJson(await env.admin.get('/api/users'), 200).users
            .find((u) => u.name === 'carol').groups, ['ops'], 'unchanged');
        const v = assertJson(await env.admin.req('PATCH', '/api/users/shy', { body: { viewer_sees: 'all' } }), 200);
        assert.equal(v.viewer_sees, 'all');
        assert.ok((await audit(shy)).some((e) => vmOf(e.object) === A), 'shy now sees every VM');
        assertError(await env.admin.req('PATCH', '/api/users/carol', { body: {} }), 400, 'bad_request');
        assertError(await env.admin.req('PATCH', '/api/users/nobody', { body: { groups: [] } }), 404, 'not_found');
    });
});
