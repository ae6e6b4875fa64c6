// SPDX-License-Identifier: LGPL-2.1-or-later
// self-service.test.mjs — what users may create from (issue 13, docs/api.md
// "Self-service") on the test driver: the demo host plus a pool of our own holding two
// ISOs and a template's disk, and a shut-off VM of our own marked as a template.
// Covers: GET/PUT /api/self-service (admin only to change; each named thing must exist:
// 400 naming it, nothing changed; audited); a `user` lists only the approved networks and
// pools and, in a pool, only the approved ISOs, and anything else answers exactly as a
// name that does not exist; a user's create from an approved template succeeds and the VM
// is theirs; from an unapproved source, network or pool it is 403 naming the member,
// nothing made; a user snapshots and deletes their own VM.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWithFixture } from '../lib/roles.mjs';
import { Client } from '../lib/client.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { domainXml } from '../bench/gen-domains.mjs';
import { requireTools } from '../lib/tools.mjs';
import { settleJob } from '../lib/jobs.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PW = { admin: 'admin-pass-selfserve-1', op: 'operator-pass-selfserve-2', view: 'viewer-pass-selfserve-3' };
const USERS = [
    { name: 'alice', role: 'user', password: 'alice-pass-selfserve' },
    { name: 'bob', role: 'user', password: 'bob-pass-selfserve-1' },
];
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const POOL = 'vdtest-ss';
const DIR = '/srv/vdtest-ss';
const VOLS = [['inst.iso', 'iso'], ['other.iso', 'iso'], ['tmpl.qcow2', 'qcow2']];
const TMPL = { name: 'vdtest-ss-tmpl', uuid: '5eed0000-0000-4000-8000-00000055e501', state: 'shutoff',
    title: 'Office desktop', vcpus: 2, disks: [{ target: 'vda', source: `${DIR}/tmpl.qcow2`, format: 'qcow2' }],
    interfaces: [{ mac: '52:54:00:55:e5:01', model: 'virtio' }] };
const APPROVED = { templates: [TMPL.uuid], isos: [{ pool: POOL, name: 'inst.iso' }], networks: ['default'], pools: [POOL] };

function fixture() {
    const demo = readFileSync(path.join(REPO_ROOT, 'packaging', 'demo', 'demo.xml'), 'utf8');
    const pool = [`  <pool type='dir'>`, `    <name>${POOL}</name>`, `    <target><path>${DIR}</path></target>`,
        ...VOLS.map(([v, f]) => `    <volume type='file'><name>${v}</name><capacity unit='bytes'>${GIB}</capacity>` +
            `<allocation unit='bytes'>${MIB}</allocation><target><format type='${f}'/></target></volume>`),
        '  </pool>'].join('\n');
    const xml = demo.replace('</node>', `${domainXml(TMPL)}\n${pool}\n</node>`);
    assert.notEqual(xml, demo, 'the demo ends with </node>');
    return xml;
}

describe('self-service (test driver)', () => {
    let roles;
    let admin;
    let alice;
    let bob;
    const db = () => path.join(roles.d.stateDir, 'virtdeck.db');
    const sql = (text) => execFileSync('sqlite3', [db(), text], { encoding: 'utf8' }).trim();
    const names = (list) => list.map((x) => x.name).sort();
    const world = async () => ({
        domains: names(assertJson(await admin.get('/api/domains'), 200, 'list').domains),
        volumes: names(assertJson(await admin.get(`/api/pools/${POOL}/volumes`), 200, 'volumes').volumes),
        fast: names(assertJson(await admin.get('/api/pools/fast/volumes'), 200, 'volumes').volumes),
        dflt: names(assertJson(await admin.get('/api/pools/default/volumes'), 200, 'volumes').volumes),
    });
    /** What two requests of client answer, with each one's own name in the text made alike. */
    async function sameAnswer(client, path1, name1, path2, name2, label) {
        const a = await client.get(path1);
        const b = await client.get(path2);
        assert.equal(a.status, 404, `${label}: ${a.status} ${a.text}`);
        assert.equal(a.status, b.status, label);
        assert.equal(a.text.replaceAll(name1, 'N'), b.text.replaceAll(name2, 'N'), label);
    }

    before(async () => {
        requireTools('sqlite3');
        roles = await startWithFixture(PW, fixture(), { users: USERS });
        ({ admin } = roles);
        alice = new Client(roles.d);
        bob = new Client(roles.d);
        await alice.login('alice', USERS[0].password);
        await bob.login('bob', USERS[1].password);
        assertJson(await admin.post(`/api/domains/${TMPL.uuid}/template`, { template: true }), 200, 'mark the template');
    });
    after(async () => {
        alice?.close();
        bob?.close();
        if (roles) await roles.stop();
    });

    it('approvals: empty at first; only an admin replaces them; unknown things are 400 naming them, nothing changed', async () => {
        assert.deepEqual(assertJson(await admin.get('/api/self-service'), 200, 'get'),
            { templates: [], isos: [], networks: [], pools: [] });
        assertError(await alice.req('PUT', '/api/self-service', { body: APPROVED }), 403, 'forbidden', 'a user');
        assertError(await roles.op.req('PUT', '/api/self-service', { body: APPROVED }), 403, 'forbidden', 'an operator');
        assertError(await roles.view.get('/api/self-service'), 403, 'forbidden', 'a viewer creates nothing');
        const web01 = assertJson(await admin.get('/api/domains'), 200, 'list').domains.find((d) => d.name === 'web-01').uuid;
        for (const [body, field, label] of [
            [{ ...APPROVED, networks: ['default', 'no-such-net'] }, 'networks[1]', 'an unknown network'],
            [{ ...APPROVED, pools: ['nope'] }, 'pools[0]', 'an unknown pool'],
            [{ ...APPROVED, isos: [{ pool: POOL, name: 'missing.iso' }] }, 'isos[0]', 'an unknown volume'],
            [{ ...APPROVED, isos: [{ pool: 'nope', name: 'inst.iso' }] }, 'isos[0]', 'an unknown pool of an ISO'],
            [{ ...APPROVED, templates: ['5eed0000-0000-4000-8000-0000000dead0'] }, 'templates[0]', 'an unknown domain'],
            [{ ...APPROVED, templates: [web01] }, 'templates[0]', 'a domain that is no template'],
            [{ ...APPROVED, templates: ['not-a-uuid'] }, 'templates[0]', 'not a UUID'],
            [{ ...APPROVED, isos: ['inst.iso'] }, 'isos[0]', 'an ISO without its pool'],
            [{ ...APPROVED, networks: ['default', 'default'] }, 'networks[1]', 'a duplicate'],
            [{ ...APPROVED, networks: 'default' }, 'networks', 'not an array'],
        ]) {
            const err = assertError(await admin.req('PUT', '/api/self-service', { body }), 400, 'bad_request', label);
            assert.equal(err.field, field, label);
            assert.ok(err.message.includes(field), `${label}: ${err.message}`);
        }
        assertError(await admin.req('PUT', '/api/self-service', { body: { ...APPROVED, extra: [] } }), 400, 'bad_request',
            'an unknown member');
        assert.deepEqual(assertJson(await admin.get('/api/self-service'), 200, 'unchanged'),
            { templates: [], isos: [], networks: [], pools: [] });
        const set = assertJson(await admin.req('PUT', '/api/self-service', { body: APPROVED }), 200, 'replace');
        const want = { templates: [{ uuid: TMPL.uuid, name: TMPL.name, title: TMPL.title }],
            isos: APPROVED.isos, networks: APPROVED.networks, pools: APPROVED.pools };
        assert.deepEqual(set, want);
        assert.deepEqual(assertJson(await admin.get('/api/self-service'), 200, 'get'), want);
        assert.deepEqual(assertJson(await alice.get('/api/self-service'), 200, 'a user reads it'), want);
        assert.equal(sql("SELECT count(*) FROM audit_log WHERE action = 'self-service-change' AND username = 'admin' AND outcome = 'ok' AND object = 'self-service'"), '1');
        assert.ok(Number(sql("SELECT count(*) FROM audit_log WHERE action = 'self-service-change' AND outcome != 'ok'")) >= 12,
            'each refusal is recorded');
    });

    it('a user lists only approved networks, pools and ISOs; the rest answers as a name that does not exist', async () => {
        assert.deepEqual(names(assertJson(await alice.get('/api/networks'), 200, 'networks').networks), ['default']);
        assert.deepEqual(names(assertJson(await alice.get('/api/pools'), 200, 'pools').pools), [POOL]);
        assert.deepEqual(names(assertJson(await alice.get(`/api/pools/${POOL}/volumes`), 200, 'volumes').volumes), ['inst.iso']);
        const net = assertJson(await alice.get('/api/networks/default'), 200, 'an approved network');
        assert.deepEqual(net.domains, [], 'no other VM on the network is named to a user');
        const admins = assertJson(await admin.get('/api/networks/default'), 200, 'the admin\'s view');
        assert.ok(admins.domains.length > 0, 'the demo\'s VMs are on the network');
        assertJson(await alice.get(`/api/pools/${POOL}/volumes/inst.iso`), 200, 'an approved ISO');
        await sameAnswer(alice, '/api/networks/storage-net', 'storage-net', '/api/networks/no-such-net', 'no-such-net', 'network');
        // leases name every VM on a network: a user reads none, whatever the network
        for (const net of ['default', 'storage-net', 'no-such-net']) {
            assert.equal(assertError(await alice.get(`/api/networks/${net}/leases`), 403, 'forbidden', net).message,
                'role user may not see the leases of networks');
        }
        assert.notEqual((await roles.view.get('/api/networks/default/leases')).status, 403, 'a viewer may read them');
        await sameAnswer(alice, '/api/pools/fast', 'fast', '/api/pools/nope', 'nope', 'pool');
        await sameAnswer(alice, '/api/pools/fast/volumes', 'fast', '/api/pools/nope/volumes', 'nope', 'pool volumes');
        await sameAnswer(alice, '/api/pools/fast/volumes/backup-nas.raw', 'fast', '/api/pools/nope/volumes/backup-nas.raw',
            'nope', 'a volume of a hidden pool');
        await sameAnswer(alice, `/api/pools/${POOL}/volumes/other.iso`, 'other.iso', `/api/pools/${POOL}/volumes/gone.iso`,
            'gone.iso', 'an unapproved volume');
        await sameAnswer(alice, `/api/pools/${POOL}/volumes/tmpl.qcow2`, 'tmpl.qcow2', `/api/pools/${POOL}/volumes/gone.iso`,
            'gone.iso', 'the template\'s disk');
        // the template VM itself stays invisible: it is used through the set, never seen
        assert.equal((await alice.get(`/api/domains/${TMPL.uuid}`)).status, 404);
        // a viewer and an operator read every network and pool
        assert.deepEqual(names(assertJson(await roles.view.get('/api/networks'), 200, 'viewer').networks),
            ['default', 'storage-net']);
        assert.ok(names(assertJson(await roles.op.get('/api/pools'), 200, 'operator').pools).includes('fast'));
    });

    it('a user\'s events carry only the approved networks\' and pools\' changes', async () => {
        const ev = await alice.openEvents();
        const evAdmin = await admin.openEvents();
        try {
            await ev.next((m) => m.type === 'snapshot');
            for (const [path, label] of [['/api/networks/storage-net/stop', 'stop storage-net'],
                ['/api/networks/storage-net/start', 'start storage-net'], ['/api/pools/fast/refresh', 'refresh fast'],
                ['/api/networks/default/stop', 'stop default'], ['/api/networks/default/start', 'start default']])
                {assertJson(await admin.post(path), 200, label);}
            await evAdmin.next((m) => m.type === 'network' && m.name === 'storage-net' && m.event === 'stopped');
            await ev.next((m) => m.type === 'network' && m.name === 'default' && m.event === 'started');
            const named = ev.all.filter((m) => m.type === 'network' || m.type === 'pool').map((m) => m.name);
            assert.ok(named.length >= 2, 'the approved network\'s events arrive');
            assert.deepEqual([...new Set(named)], ['default'], 'nothing else is named to a user');
        } finally {
            ev.terminate();
            evAdmin.terminate();
        }
    });

    it('a user creates from an approved template; the VM is theirs and no one else\'s', async () => {
        const d = assertJson(await alice.post('/api/domains', { name: 'alice-desk',
            source: { type: 'template', template: TMPL.uuid } }), 201, 'create from the template');
        assert.equal(d.owner, 'alice');
        assert.equal(d.access, 'owner');
        assert.deepEqual(names(assertJson(await alice.get('/api/domains'), 200, 'mine').domains), ['alice-desk']);
        assert.deepEqual(assertJson(await bob.get('/api/domains'), 200, 'bob\'s').domains, []);
        assert.equal((await bob.get(`/api/domains/${d.uuid}`)).status, 404);
        assert.equal(sql(`SELECT owner FROM domain_owners WHERE uuid = '${d.uuid}'`), 'alice');
        // the pool's and the template disk's users: only what each caller sees
        const usedBy = async (client) => assertJson(await client.get('/api/pools'), 200, 'pools').pools
            .find((p) => p.name === POOL).used_by.map((x) => x.name).sort();
        assert.deepEqual(await usedBy(alice), ['alice-desk']);
        assert.deepEqual(await usedBy(admin), ['alice-desk', TMPL.name]);
        assert.deepEqual(await usedBy(bob), []);
    });

    it('a user\'s create answered with a job (202) is theirs too once done, and holds its quota meanwhile', async () => {
        // one VM more than alice owns: the job's reservation counts until its VM does
        const used = assertJson(await alice.get('/api/quota'), 200, 'quota').quota.vms.used;
        assertJson(await admin.req('PUT', '/api/users/alice/quota', { body: { vms: used + 1 } }), 200, 'quota');
        const started = assertJson(await alice.req('POST', '/api/domains', { headers: { Prefer: 'respond-async' },
            body: { name: 'alice-copy', source: { type: 'template', template: TMPL.uuid, linked: false } } }), 202, 'a job');
        assertError(await alice.req('POST', '/api/domains', {
            body: { name: 'alice-copy-2', source: { type: 'template', template: TMPL.uuid, linked: false } } }), 409, 'quota_exceeded',
        'a second create while the job runs or after it');
        const job = await settleJob(alice, started.job.id);
        assert.equal(job.state, 'done', JSON.stringify(job));
        assert.equal(job.result.owner, 'alice');
        const q = assertJson(await alice.get('/api/quota'), 200, 'quota').quota.vms;
        assert.deepEqual([q.used, q.reserved], [used + 1, 0], 'the reservation ended with the job; its VM counts');
        assertJson(await admin.req('PUT', '/api/users/alice/quota', { body: { vms: null } }), 200, 'no quota');
        assert.equal(sql(`SELECT owner FROM domain_owners WHERE uuid = '${job.result.uuid}'`), 'alice');
        const mine = assertJson(await alice.get(`/api/domains/${job.result.uuid}`), 200, 'her copy');
        assert.equal(mine.access, 'owner');
        assertJson(await alice.req('DELETE', `/api/domains/${job.result.uuid}`, { body: { volumes: 'all' } }), 200, 'delete');
    });

    it('a user\'s create from anything unapproved is 403 naming it, and makes nothing', async () => {
        const before = await world();
        const iso = { name: 'alice-bad', source: { type: 'iso', volume: { pool: POOL, name: 'inst.iso' } },
            disk: { pool: POOL, size_gib: 1 } };
        for (const [body, field, label] of [
            [{ ...iso, source: { type: 'iso', volume: { pool: POOL, name: 'other.iso' } } }, 'source.volume.name', 'an unapproved ISO'],
            [{ ...iso, source: { type: 'iso', volume: { pool: 'fast', name: 'inst.iso' } } }, 'source.volume.name', 'the ISO in another pool'],
            [{ ...iso, network: { network: 'storage-net' } }, 'network.network', 'an unapproved network'],
            [{ ...iso, network: { network: 'no-such-net' } }, 'network.network', 'a network that does not exist'],
            [{ ...iso, network: { bridge: 'br0' } }, 'network', 'a bridge'],
            [{ ...iso, network: { user: true } }, 'network', 'a user-mode network'],
            [{ ...iso, disk: { pool: 'fast', size_gib: 1 } }, 'disk.pool', 'an unapproved pool'],
            [{ ...iso, disk: undefined }, 'disk.pool', 'the default pool, unapproved'],
            [{ ...iso, source: { type: 'none' } }, 'source.type', 'no source'],
            [{ ...iso, source: { type: 'import', volume: { pool: POOL, name: 'tmpl.qcow2' } }, disk: null }, 'source.type', 'an import'],
            [{ name: 'alice-bad', source: { type: 'template', template: '5eed0000-0000-4000-8000-0000000dead0' } },
                'source.template', 'an unapproved template'],
        ]) {
            const err = assertError(await alice.post('/api/domains', body), 403, 'forbidden', label);
            assert.equal(err.field, field, `${label}: ${err.message}`);
            assert.match(err.message, /approved/, label);
        }
        assert.deepEqual(await world(), before, 'nothing was made');
        const made = assertJson(await alice.post('/api/domains', { ...iso, network: { network: 'default' } }), 201,
            'an approved ISO, network and pool');
        assert.equal(made.owner, 'alice');
        const after2 = await world();
        assert.deepEqual(after2.domains, [...before.domains, 'alice-bad'].sort());
        assert.deepEqual(after2.volumes.filter((v) => !before.volumes.includes(v)).length, 1, 'its new disk');
    });

    it('a user\'s own VM gets devices only from the set: 403 naming the member, nothing changed', async () => {
        const uuid = assertJson(await alice.get('/api/domains'), 200, 'mine').domains.find((x) => x.name === 'alice-bad').uuid;
        const xml = async () => assertJson(await admin.get(`/api/domains/${uuid}/xml?inactive=true`), 200, 'xml').xml;
        const before = await xml();
        for (const [method, suffix, body, field, label] of [
            ['POST', '/disks', { source: { pool: 'fast', volume: 'backup-nas.raw' } }, 'source.volume', 'another VM\'s disk'],
            ['POST', '/disks', { source: { pool: POOL, volume: 'other.iso' }, device: 'cdrom' }, 'source.volume', 'an unapproved ISO'],
            ['POST', '/disks', { new: { pool: 'fast', name: 'extra.qcow2', capacity_bytes: GIB, format: 'qcow2' } }, 'new.pool', 'a new disk elsewhere'],
            ['PUT', '/disks/sda/media', { pool: POOL, volume: 'other.iso' }, 'volume', 'an unapproved medium'],
            ['POST', '/interfaces', { network: 'storage-net' }, 'network', 'an unapproved network'],
            ['POST', '/interfaces', { bridge: 'br0' }, 'bridge', 'a bridge'],
            ['POST', '/interfaces', { user: true }, 'user', 'a user-mode network'],
        ]) {
            const err = assertError(await alice.req(method, `/api/domains/${uuid}${suffix}`, { body }), 403, 'forbidden', label);
            assert.equal(err.field, field, `${label}: ${err.message}`);
        }
        assert.equal(await xml(), before, 'the VM is unchanged');
        assert.ok(!names(assertJson(await admin.get('/api/pools/fast/volumes'), 200, 'fast').volumes).includes('extra.qcow2'));
    });

    it('a user snapshots and deletes their own VM', async () => {
        const uuid = assertJson(await alice.get('/api/domains'), 200, 'mine').domains.find((x) => x.name === 'alice-bad').uuid;
        assertJson(await alice.post(`/api/domains/${uuid}/snapshots`, { name: 'before-update' }), 201, 'snapshot');
        assert.deepEqual(assertJson(await alice.get(`/api/domains/${uuid}/snapshots`), 200, 'snapshots')
            .snapshots.map((s) => s.name), ['before-update']);
        assertError(await bob.post(`/api/domains/${uuid}/snapshots`, { name: 'x' }), 404, 'not_found', 'bob');
        assertError(await bob.req('DELETE', `/api/domains/${uuid}`), 404, 'not_found', 'bob');
        assertJson(await alice.req('DELETE', `/api/domains/${uuid}`, { body: { volumes: 'all' } }), 200, 'delete');
        assert.equal((await admin.get(`/api/domains/${uuid}`)).status, 404, 'gone');
        assert.equal(sql(`SELECT count(*) FROM domain_owners WHERE uuid = '${uuid}'`), '0');
    });
});
