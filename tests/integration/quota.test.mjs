// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/quota.test.mjs — quotas (docs/api.md "Quotas") on libvirt's test
// driver with the demo host (packaging/demo/demo.xml): an admin sets a user's and a
// group's limits (PUT /api/users/{name}/quota, /api/groups/{name}/quota; others 403, bad
// bodies 400 changing nothing, unknown names 404); GET /api/quota shows a user's use,
// limits and where each comes from; a create over each dimension is 409 quota_exceeded
// naming the dimension, use, request and limit, and creates nothing; concurrent creates
// that together exceed the VM count: exactly the allowed ones succeed; a clone counts;
// a PATCH raising vCPUs over the limit is refused; a disk attach over the disk limit
// too, before any volume is made; a group's limit applies (the most generous of a user's
// groups); operators are not limited; the PUTs and a refused create are in the audit log.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWithFixture } from '../lib/roles.mjs';
import { Client } from '../lib/client.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { requireTools } from '../lib/tools.mjs';
import { settleJob } from '../lib/jobs.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PW = { admin: 'admin-pass-quota-1', op: 'operator-pass-quota-2', view: 'viewer-pass-quota-3' };
const USERS = [
    { name: 'alice', role: 'user', password: 'alice-pass-quota-1' },
    { name: 'carol', role: 'user', password: 'carol-pass-quota-3' },
];
const WEB01 = { name: 'web-01', vcpus: 2, memory_mib: 2048, disk_gib: 20 }; // demo.xml
const NONE = { vms: null, vcpus: null, memory_mib: null, disk_gib: null };
const ISO = 'q-install.iso';

describe('quotas (test driver)', () => {
    let env;
    let alice;
    let carol;
    const db = () => path.join(env.d.stateDir, 'virtdeck.db');
    const sql = (text) => execFileSync('sqlite3', [db(), text], { encoding: 'utf8' }).trim();
    const names = async () =>
        assertJson(await env.admin.get('/api/domains'), 200, 'list').domains.map((d) => d.name).sort();
    const setQuota = async (kind, name, body) =>
        assertJson(await env.admin.req('PUT', `/api/${kind}/${name}/quota`, { body }), 200, `quota of ${name}`);
    const quotaOf = async (client) => assertJson(await client.get('/api/quota'), 200, 'GET /api/quota');
    const userQuota = async (name) =>
        assertJson(await env.admin.get('/api/users'), 200, 'users').users.find((u) => u.name === name).quota;
    // a user creates only from what an admin approved for self-service (docs/api.md
    // "Self-service"): an ISO in pool default, on network default
    const small = (name, extra = {}) => ({ name, source: { type: 'iso', volume: { pool: 'default', name: ISO } },
        disk: null, vcpus: 1, memory_mib: 256, ...extra });

    before(async () => {
        requireTools('sqlite3');
        const demo = readFileSync(path.join(REPO_ROOT, 'packaging', 'demo', 'demo.xml'), 'utf8');
        env = await startWithFixture(PW, demo, { users: USERS });
        alice = new Client(env.d);
        carol = new Client(env.d);
        await alice.login('alice', USERS[0].password);
        await carol.login('carol', USERS[1].password);
        const web01 = (await env.admin.get('/api/domains')).json.domains.find((d) => d.name === WEB01.name);
        assertJson(await env.admin.req('PUT', `/api/domains/${web01.uuid}/owner`, { body: { owner: 'alice' } }), 200, 'owner');
        assertJson(await env.admin.post('/api/pools/default/volumes', { name: ISO, format: 'iso', capacity_bytes: 1024 * 1024 }), 201, 'iso');
        assertJson(await env.admin.req('PUT', '/api/self-service',
            { body: { isos: [{ pool: 'default', name: ISO }], networks: ['default'], pools: ['default'] } }), 200, 'self-service');
    });
    after(async () => {
        alice?.close();
        carol?.close();
        if (env) await env.stop();
    });

    it('an admin sets a user\'s quota; GET /api/quota shows use, limits and their source', async () => {
        assert.deepEqual(await userQuota('alice'), NONE);
        let q = await quotaOf(alice);
        assert.equal(q.user, 'alice');
        assert.equal(q.limited, true);
        assert.deepEqual(q.quota.vcpus, { used: 2, reserved: 0, limit: null, source: null });
        const put = await setQuota('users', 'alice', { vms: 3, vcpus: 6, memory_mib: 8192, disk_gib: 30 });
        assert.deepEqual(put, { name: 'alice', quota: { vms: 3, vcpus: 6, memory_mib: 8192, disk_gib: 30 } });
        assert.deepEqual(await userQuota('alice'), { vms: 3, vcpus: 6, memory_mib: 8192, disk_gib: 30 });
        q = await quotaOf(alice);
        assert.deepEqual(q.quota, {
            vms: { used: 1, reserved: 0, limit: 3, source: 'user' },
            vcpus: { used: WEB01.vcpus, reserved: 0, limit: 6, source: 'user' },
            memory_mib: { used: WEB01.memory_mib, reserved: 0, limit: 8192, source: 'user' },
            disk_gib: { used: WEB01.disk_gib, reserved: 0, limit: 30, source: 'user' },
        });
        assert.equal(sql("SELECT count(*) FROM audit_log WHERE action = 'user-quota' AND object = 'user:alice' AND username = 'admin' AND outcome = 'ok'"), '1');
    });

    it('bad bodies are 400 naming the member and change nothing; unknown names 404; only admins may set', async () => {
        const before = await userQuota('alice');
        for (const [body, field] of [[{ vms: -1 }, 'vms'], [{ vcpus: '3' }, 'vcpus'], [{ memory_mib: 1.5 }, 'memory_mib'],
            [{ disk_gib: true }, 'disk_gib'], [{ cpus: 3 }, 'cpus'], [{ vms: 2 ** 41 }, 'vms']]) {
            const e = assertError(await env.admin.req('PUT', '/api/users/alice/quota', { body }), 400, 'bad_request', JSON.stringify(body));
            assert.equal(e.field, field, JSON.stringify(body));
        }
        assertError(await env.admin.req('PUT', '/api/users/alice/quota', { body: [1] }), 400, 'bad_request', 'array');
        assertError(await env.admin.req('PUT', '/api/users/alice/quota'), 400, 'bad_request', 'no body');
        assert.deepEqual(await userQuota('alice'), before, 'nothing changed');
        assertError(await env.admin.req('PUT', '/api/users/nobody/quota', { body: { vms: 1 } }), 404, 'not_found');
        assertError(await env.admin.req('PUT', '/api/groups/nogroup/quota', { body: { vms: 1 } }), 404, 'not_found');
        assertError(await alice.req('PUT', '/api/users/alice/quota', { body: { vms: 99 } }), 403, 'forbidden');
        assertError(await env.op.req('PUT', '/api/users/alice/quota', { body: { vms: 99 } }), 403, 'forbidden');
        assertError(await alice.req('PUT', '/api/groups/team/quota', { body: { vms: 99 } }), 403, 'forbidden');
        assert.deepEqual(await userQuota('alice'), before, 'nothing changed');
        assert.equal(sql("SELECT count(*) FROM audit_log WHERE action = 'user-quota' AND outcome = 'forbidden'"), '2');
    });

    it('a create over each dimension is 409 quota_exceeded naming it, and creates nothing', async () => {
        const before = await names();
        const cases = [
            [small('q-cpu', { vcpus: 5 }), 'vcpus: 2 used, 5 requested, limit 6'],
            [small('q-mem', { memory_mib: 6200 }), 'memory_mib: 2048 used, 6200 requested, limit 8192'],
            [small('q-disk', { disk: { pool: 'default', size_gib: 11 } }), 'disk_gib: 20 used, 11 requested, limit 30'],
        ];
        for (const [body, message] of cases) {
            const e = assertError(await alice.post('/api/domains', body), 409, 'quota_exceeded', body.name);
            assert.equal(e.message, `quota exceeded: ${message}`);
        }
        assert.deepEqual(await names(), before, 'nothing was created');
        const vols = assertJson(await env.admin.get('/api/pools/default/volumes'), 200, 'volumes').volumes;
        assert.ok(!vols.some((v) => v.name.startsWith('q-disk')), 'no disk volume was made');
        assert.equal(sql("SELECT count(*) FROM audit_log WHERE action = 'domain-create' AND object = 'domain:q-cpu' AND username = 'alice' AND outcome = 'quota_exceeded' AND message LIKE 'quota exceeded: vcpus%'"), '1');
        // within every limit it works, and counts
        assertJson(await alice.post('/api/domains', small('q-disk-ok', { disk: { pool: 'default', size_gib: 10 } })), 201, 'within');
        const q = await quotaOf(alice);
        assert.deepEqual([q.quota.vms.used, q.quota.vcpus.used, q.quota.memory_mib.used, q.quota.disk_gib.used],
            [2, 3, 2048 + 256, 30]);
        assertError(await alice.post('/api/domains', small('q-disk-1', { disk: { pool: 'default', size_gib: 1 } })), 409, 'quota_exceeded');
    });

    it('concurrent creates that together exceed the VM count: exactly the allowed ones succeed', async () => {
        await setQuota('users', 'alice', { vms: 4, vcpus: 6, memory_mib: 8192, disk_gib: 30 }); // 2 owned: 2 more
        const before = await names();
        const all = await Promise.all([1, 2, 3, 4].map((i) => alice.post('/api/domains', small(`q-race-${i}`))));
        const ok = all.filter((r) => r.status === 201);
        const refused = all.filter((r) => r.status === 409);
        assert.equal(ok.length, 2, all.map((r) => `${r.status} ${r.text}`).join('\n'));
        assert.equal(refused.length, 2);
        for (const r of refused) assert.match(assertError(r, 409, 'quota_exceeded').message, /^quota exceeded: vms: [34] used, 1 requested, limit 4$/);
        const after = await names();
        assert.equal(after.length, before.length + 2);
        assert.deepEqual(after.filter((n) => !before.includes(n)).sort(), ok.map((r) => r.json.name).sort());
        assert.equal((await quotaOf(alice)).quota.vms.used, 4);
        assert.equal((await quotaOf(alice)).quota.vms.reserved, 0);
    });

    it('a clone counts as its source; over the limit it is refused', async () => {
        const src = (await alice.get('/api/domains')).json.domains.find((d) => d.name === 'q-disk-ok');
        let e = assertError(await alice.post(`/api/domains/${src.uuid}/clone`, { name: 'q-clone' }), 409, 'quota_exceeded');
        assert.equal(e.message, 'quota exceeded: vms: 4 used, 1 requested, limit 4');
        await setQuota('users', 'alice', { vms: 6, vcpus: 6, memory_mib: 8192, disk_gib: 30 });
        e = assertError(await alice.post(`/api/domains/${src.uuid}/clone`, { name: 'q-clone' }), 409, 'quota_exceeded');
        assert.equal(e.message, 'quota exceeded: disk_gib: 30 used, 10 requested, limit 30');
        await setQuota('users', 'alice', { vms: 6, vcpus: 6, memory_mib: 8192, disk_gib: null });
        // a 10 GiB copy is a job (202): its reservation holds until the job ends
        const { job } = assertJson(await alice.post(`/api/domains/${src.uuid}/clone`, { name: 'q-clone' }), 202, 'clone');
        const done = await settleJob(alice, job.id);
        assert.equal(done.state, 'done', JSON.stringify(done));
        assert.equal(done.result.domain.owner, 'alice', 'the copy belongs to who made it');
        const q = await quotaOf(alice);
        assert.equal(q.quota.vms.reserved, 0, 'the reservation ended with the job');
        assert.equal(q.quota.vms.used, 5);
        assert.equal(q.quota.vcpus.used, 6);
        assert.equal(q.quota.disk_gib.used, 40);
        assert.equal(q.quota.disk_gib.limit, null);
    });

    it('a PATCH raising vCPUs or memory over the limit is refused and changes nothing', async () => {
        const dom = (await alice.get('/api/domains')).json.domains.find((d) => d.name === 'q-race-1' || d.name === 'q-race-2');
        let e = assertError(await alice.req('PATCH', `/api/domains/${dom.uuid}`, { body: { max_vcpus: 2, vcpus: 2 } }), 409, 'quota_exceeded');
        assert.equal(e.message, 'quota exceeded: vcpus: 6 used, 1 requested, limit 6');
        e = assertError(await alice.req('PATCH', `/api/domains/${dom.uuid}`, { body: { memory_mib: 8192, max_memory_mib: 8192 } }), 409, 'quota_exceeded');
        assert.match(e.message, /^quota exceeded: memory_mib: \d+ used, 7936 requested, limit 8192$/);
        const d = assertJson(await alice.get(`/api/domains/${dom.uuid}`), 200, 'detail');
        assert.equal(d.vcpus, 1);
        assert.equal(d.max_memory_kib, 256 * 1024);
        // lowering or keeping is always allowed, and a raise within the limit works
        await setQuota('users', 'alice', { vms: 6, vcpus: 7, memory_mib: 8192, disk_gib: null });
        assertJson(await alice.req('PATCH', `/api/domains/${dom.uuid}`, { body: { max_vcpus: 2, vcpus: 2 } }), 200, 'within');
        assert.equal((await quotaOf(alice)).quota.vcpus.used, 7);
        assertJson(await alice.req('PATCH', `/api/domains/${dom.uuid}`, { body: { title: 'still fine' } }), 200, 'no growth');
    });

    it('a group\'s quota applies: the most generous of the user\'s groups; the user\'s own wins', async () => {
        assertJson(await env.admin.post('/api/groups', { name: 'team', members: ['carol'] }), 201, 'group team');
        assertJson(await env.admin.post('/api/groups', { name: 'big', members: ['carol'] }), 201, 'group big');
        await setQuota('groups', 'team', { vms: 0 });
        let q = await quotaOf(carol);
        assert.deepEqual(q.quota.vms, { used: 0, reserved: 0, limit: 0, source: 'group:team' });
        const e = assertError(await carol.post('/api/domains', small('q-carol')), 409, 'quota_exceeded');
        assert.equal(e.message, 'quota exceeded: vms: 0 used, 1 requested, limit 0');
        await setQuota('groups', 'big', { vms: 1, vcpus: 4 });
        // the groups list carries each group's own quota
        const groups = assertJson(await env.admin.get('/api/groups'), 200, 'groups').groups;
        assert.deepEqual(groups.find((g) => g.name === 'big').quota, { vms: 1, vcpus: 4, memory_mib: null, disk_gib: null });
        assert.deepEqual(groups.find((g) => g.name === 'team').quota, { vms: 0, vcpus: null, memory_mib: null, disk_gib: null });
        q = await quotaOf(carol);
        assert.deepEqual(q.quota.vms, { used: 0, reserved: 0, limit: 1, source: 'group:big' });
        assert.deepEqual(q.quota.vcpus, { used: 0, reserved: 0, limit: 4, source: 'group:big' });
        assert.deepEqual(q.quota.memory_mib, { used: 0, reserved: 0, limit: null, source: null });
        assertJson(await carol.post('/api/domains', small('q-carol')), 201, 'within the group limit');
        assertError(await carol.post('/api/domains', small('q-carol-2')), 409, 'quota_exceeded');
        await setQuota('users', 'carol', { vms: 2 });
        assert.deepEqual((await quotaOf(carol)).quota.vms, { used: 1, reserved: 0, limit: 2, source: 'user' });
        assertJson(await carol.post('/api/domains', small('q-carol-2')), 201, 'the user\'s own limit');
        assert.equal(sql("SELECT count(*) FROM audit_log WHERE action = 'group-quota' AND object = 'group:team' AND outcome = 'ok'"), '1');
        // unlimited again: the row goes
        await setQuota('groups', 'big', NONE);
        assert.equal(sql("SELECT count(*) FROM group_quotas WHERE name = 'big'"), '0');
    });

    it('a disk attach over the disk limit is refused before any volume is made', async () => {
        await setQuota('users', 'alice', { vms: 6, vcpus: 7, memory_mib: 8192, disk_gib: 40 }); // 40 used
        const dom = (await alice.get('/api/domains')).json.domains.find((d) => d.name === 'q-race-1' || d.name === 'q-race-2');
        const body = { new: { pool: 'default', name: 'q-extra.qcow2', capacity_bytes: 2 ** 30, format: 'qcow2' } };
        const e = assertError(await alice.post(`/api/domains/${dom.uuid}/disks`, body), 409, 'quota_exceeded');
        assert.equal(e.message, 'quota exceeded: disk_gib: 40 used, 1 requested, limit 40');
        const vols = assertJson(await env.admin.get('/api/pools/default/volumes'), 200, 'volumes').volumes;
        assert.ok(!vols.some((v) => v.name === 'q-extra.qcow2'), 'no volume was made');
        // within the limit the attach goes on to libvirt (whose test driver cannot attach)
        await setQuota('users', 'alice', { vms: 6, vcpus: 7, memory_mib: 8192, disk_gib: null });
        assert.notEqual((await alice.post(`/api/domains/${dom.uuid}/disks`, body)).status, 409);
    });

    it('operators and admins are not limited', async () => {
        await setQuota('users', 'op', { vms: 0, vcpus: 0 });
        const q = await quotaOf(env.op);
        assert.equal(q.limited, false);
        assert.equal(q.quota.vms.limit, null);
        assertJson(await env.op.post('/api/domains', small('q-op')), 201, 'operator');
    });
});
