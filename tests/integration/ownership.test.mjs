// SPDX-License-Identifier: LGPL-2.1-or-later
// ownership.test.mjs — VM owners, shares and invisibility (issue 13) on libvirt's test
// driver: a `user` who may not see a VM gets, on every domain route, exactly the answer
// of a UUID no domain has; lists show only what one sees; shares grant their level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startWithRoles } from '../lib/roles.mjs';
import { Client } from '../lib/client.mjs';

const pw = { admin: 'admin-pass-123456', op: 'op-pass-1234567', view: 'view-pass-123456' };
const users = [
    { name: 'alice', role: 'user', password: 'alice-pass-12345' },
    { name: 'bob', role: 'user', password: 'bob-pass-1234567' },
];

// [method, path suffix after /api/domains/{uuid}, body]
const DOMAIN_ROUTES = [
    ['GET', ''], ['DELETE', ''], ['PATCH', '', { title: 'x' }], ['GET', '/volumes'],
    ['POST', '/clone', { name: 'copy1' }], ['PUT', '/metadata', { title: 't' }],
    ['POST', '/template', { template: true }], ['GET', '/xml'], ['PUT', '/xml', { xml: '<domain/>' }],
    ['GET', '/addresses'], ['POST', '/disks', {}], ['PATCH', '/disks/vdb', {}],
    ['DELETE', '/disks/vdb'], ['PUT', '/disks/vdb/media', { pool: 'p', volume: 'v' }],
    ['DELETE', '/disks/vdb/media'], ['POST', '/interfaces', {}],
    ['PATCH', '/interfaces/52:54:00:12:34:56', {}], ['DELETE', '/interfaces/52:54:00:12:34:56'],
    ['GET', '/snapshots'], ['POST', '/snapshots', {}], ['DELETE', '/snapshots/s1'],
    ['POST', '/snapshots/s1/revert'], ['POST', '/start'], ['POST', '/shutdown'],
    ['POST', '/destroy'], ['POST', '/reboot'], ['POST', '/reset'], ['POST', '/suspend'],
    ['POST', '/resume'], ['POST', '/nope'], ['PUT', '/owner', { owner: 'bob' }],
    ['GET', '/shares'], ['PUT', '/shares', []], ['GET', '/metrics'],
];

async function setup() {
    const r = await startWithRoles(pw, { users });
    const alice = new Client(r.d);
    const bob = new Client(r.d);
    await alice.login('alice', users[0].password);
    await bob.login('bob', users[1].password);
    const list = await r.admin.get('/api/domains');
    const uuid = list.json.domains.find((x) => x.name === 'test').uuid;
    const own = await r.admin.req('PUT', `/api/domains/${uuid}/owner`, { body: { owner: 'alice' } });
    assert.equal(own.status, 200, own.text);
    assert.equal(own.json.owner, 'alice');
    return { ...r, alice, bob, uuid, stopAll: async () => { alice.close(); bob.close(); await r.stop(); } };
}

test('another user\'s VM answers exactly as a UUID that does not exist', async () => {
    const s = await setup();
    try {
        for (const [method, suffix, body] of DOMAIN_ROUTES) {
            const ghost = randomUUID();
            const a = await s.bob.req(method, `/api/domains/${s.uuid}${suffix}`, { body });
            const b = await s.bob.req(method, `/api/domains/${ghost}${suffix}`, { body });
            assert.equal(a.status, b.status, `${method} ${suffix}`);
            assert.equal(a.text.replaceAll(s.uuid, 'U'), b.text.replaceAll(ghost, 'U'),
                `${method} ${suffix}`);
        }
        const mine = await s.alice.get(`/api/domains/${s.uuid}`);
        assert.equal(mine.status, 200);
        assert.equal(mine.json.owner, 'alice');
        assert.equal(mine.json.access, 'owner');
        assert.equal((await s.bob.get('/api/domains')).json.domains.length, 0);
        assert.deepEqual((await s.alice.get('/api/domains')).json.domains.map((x) => x.uuid), [s.uuid]);
    } finally {
        await s.stopAll();
    }
});

test('shares grant exactly their level; group shares work', async () => {
    const s = await setup();
    try {
        const share = (list) => s.alice.req('PUT', `/api/domains/${s.uuid}/shares`, { body: list });
        let r = await share([{ user: 'bob', level: 'view' }]);
        assert.equal(r.status, 200, r.text);
        assert.equal((await s.bob.get(`/api/domains/${s.uuid}`)).json.access, 'view');
        assert.equal((await s.bob.post(`/api/domains/${s.uuid}/suspend`)).status, 403);
        r = await share([{ user: 'bob', level: 'operate' }]);
        assert.equal(r.status, 200, r.text);
        assert.equal((await s.bob.post(`/api/domains/${s.uuid}/suspend`)).status, 200);
        assert.equal((await s.bob.post(`/api/domains/${s.uuid}/resume`)).status, 200);
        assert.equal((await s.bob.req('DELETE', `/api/domains/${s.uuid}`)).status, 403);
        r = await share([{ user: 'nobody', level: 'view' }]);
        assert.equal(r.status, 400);
        assert.match(r.json.error.message, /shares\[0\]\.user/);
        r = await share([]);
        assert.equal((await s.bob.get(`/api/domains/${s.uuid}`)).status, 404);
        r = await s.admin.post('/api/groups', { name: 'team', members: ['bob'] });
        assert.equal(r.status, 201, r.text);
        r = await share([{ group: 'team', level: 'console' }]);
        assert.equal(r.status, 200, r.text);
        assert.equal((await s.bob.get(`/api/domains/${s.uuid}`)).json.access, 'console');
        r = await s.admin.req('DELETE', '/api/groups/team');
        assert.equal(r.status, 200);
        assert.equal((await s.bob.get(`/api/domains/${s.uuid}`)).status, 404);
    } finally {
        await s.stopAll();
    }
});
