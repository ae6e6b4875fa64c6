// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/delete-domain.test.mjs — DELETE /api/domains/{uuid} and
// GET /api/domains/{uuid}/volumes (docs/api.md "Deleting a VM") on the test driver:
// a copy of the demo host (packaging/demo/demo.xml) in a temporary directory with a
// pool and shut-off domains of our own, so deleting changes no other suite's host.
// Covers: the volume list with shared_with; 409 for running, paused and transient
// domains; 400 (field "volumes") for bad bodies with nothing changed; "none", "all" and
// a list; a volume another domain uses is kept with the reason; viewer 403, 401 without
// a session; the events socket reports the removal.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWithRoles } from '../lib/roles.mjs';
import { Client } from '../lib/client.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { domainXml } from '../bench/gen-domains.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PW = { admin: 'admin-pass-del-1', op: 'operator-pass-del-2', view: 'viewer-pass-del-3' };
const GIB = 1024 ** 3;
const POOL = 'vdtest-del';
const DIR = '/srv/vdtest-del';
const VOLS = ['a.qcow2', 'b.qcow2', 'c.raw', 'd.qcow2', 'e.qcow2', 'loose.qcow2'];
const UUID = {
    one: '5eed0000-0000-4000-8000-00000000d001',
    two: '5eed0000-0000-4000-8000-00000000d002',
    three: '5eed0000-0000-4000-8000-00000000d003',
    web01: '97e56341-f5b0-4a2a-b12f-373969e93bd3', // running in the demo
    replica: 'df65be24-daaf-4d81-b9a6-229dcd0ce9e9', // paused in the demo
};
const DOMAINS = [
    // a.qcow2 and c.raw are its own; web-02.qcow2 is also web-02's disk (running)
    { name: 'vdtest-del-one', uuid: UUID.one, state: 'shutoff', disks: [
        { target: 'vda', source: `${DIR}/a.qcow2`, format: 'qcow2' },
        { target: 'vdb', source: `${DIR}/c.raw` },
        { target: 'vdc', source: '/var/lib/libvirt/images/web-02.qcow2', format: 'qcow2' },
        { target: 'vdd', source: '/nowhere/not-in-a-pool.img' },
    ] },
    { name: 'vdtest-del-two', uuid: UUID.two, state: 'shutoff', disks: [
        { target: 'vda', source: `${DIR}/b.qcow2`, format: 'qcow2' },
    ] },
    { name: 'vdtest-del-three', uuid: UUID.three, state: 'shutoff', disks: [
        { target: 'vda', source: `${DIR}/d.qcow2`, format: 'qcow2' },
        { target: 'vdb', source: `${DIR}/e.qcow2`, format: 'qcow2' },
    ] },
];

/** The demo host plus our pool and domains, written to a temporary directory. */
function demoWithDeletable() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vdtest-delete-'));
    const demo = readFileSync(path.join(REPO_ROOT, 'packaging', 'demo', 'demo.xml'), 'utf8');
    const pool = [`  <pool type='dir'>`, `    <name>${POOL}</name>`,
        `    <target><path>${DIR}</path></target>`,
        ...VOLS.map((v) => `    <volume type='file'><name>${v}</name><capacity unit='bytes'>${GIB}</capacity>` +
            `<target><format type='${v.endsWith('.raw') ? 'raw' : 'qcow2'}'/></target></volume>`),
        '  </pool>'].join('\n');
    const xml = demo.replace('</node>', `${DOMAINS.map(domainXml).join('\n')}\n${pool}\n</node>`);
    assert.notEqual(xml, demo, 'the demo ends with </node>');
    const file = path.join(dir, 'demo-delete.xml');
    writeFileSync(file, xml);
    return { dir, uri: `test://${file}` };
}

describe('deleting a VM (test driver)', () => {
    let fixture;
    let roles;
    let admin;
    let op;
    let view;

    before(async () => {
        fixture = demoWithDeletable();
        roles = await startWithRoles(PW, { uri: fixture.uri });
        ({ admin, op, view } = roles);
    });
    after(async () => {
        if (roles) await roles.stop();
        if (fixture) rmSync(fixture.dir, { recursive: true, force: true });
    });

    const domainNames = async () =>
        assertJson(await admin.get('/api/domains'), 200, 'list').domains.map((x) => x.name).sort();
    const volNames = async (pool) =>
        assertJson(await admin.get(`/api/pools/${pool}/volumes`), 200, 'volumes').volumes.map((v) => v.name).sort();
    const world = async () => ({ domains: await domainNames(), del: await volNames(POOL), def: await volNames('default') });
    const del = (client, uuid, body) => client.req('DELETE', `/api/domains/${uuid}`, body === undefined ? {} : { body });

    it('GET /api/domains/{uuid}/volumes: its pool volumes, each with the other domains that use it', async () => {
        const vols = assertJson(await view.get(`/api/domains/${UUID.one}/volumes`), 200, 'volumes');
        assert.ok(Array.isArray(vols), 'an array');
        assert.deepEqual(vols.map((v) => `${v.pool}/${v.name}`),
            [`${POOL}/a.qcow2`, `${POOL}/c.raw`, 'default/web-02.qcow2'], 'the disk outside every pool is left out');
        for (const v of vols) {
            assert.deepEqual(Object.keys(v), ['pool', 'name', 'path', 'target', 'device', 'capacity_bytes', 'shared_with']);
            assert.equal(v.device, 'disk');
        }
        assert.equal(vols[0].target, 'vda');
        assert.equal(vols[0].capacity_bytes, GIB);
        assert.deepEqual(vols[0].shared_with, []);
        assert.deepEqual(vols[2].shared_with, [{ uuid: 'a91c7fb4-4425-47a3-ba52-b093510faed5', name: 'web-02', active: true }]);
        assertError(await view.get('/api/domains/5eed0000-0000-4000-8000-0000000000ff/volumes'), 404, 'not_found');
    });

    it('refuses a running, a paused and a transient VM with 409, changing nothing', async () => {
        const before = await world();
        const ci = assertJson(await admin.get('/api/domains'), 200, 'list').domains.find((x) => x.name === 'ci-scratch-7f3a');
        assert.ok(ci, 'the demo has a transient VM');
        let e = assertError(await del(op, UUID.web01, { volumes: 'all' }), 409, 'conflict');
        assert.match(e.message, /force it off first/);
        e = assertError(await del(admin, UUID.replica), 409, 'conflict');
        assert.match(e.message, /force it off first/);
        e = assertError(await del(admin, ci.uuid), 409, 'conflict');
        assert.match(e.message, /transient/);
        assert.deepEqual(await world(), before);
    });

    it('refuses bad bodies with 400 and field "volumes", changing nothing', async () => {
        const before = await world();
        const bad = [
            { volumes: 'some' },
            { volumes: 5 },
            { volumes: null },
            { volumes: {} },
            { volumes: [`${POOL}/a.qcow2`] },
            { volumes: [{ pool: POOL }] },
            { volumes: [{ pool: POOL, name: 'a.qcow2', extra: 1 }] },
            { volumes: [{ pool: '', name: 'a.qcow2' }] },
            { volumes: [{ pool: POOL, name: '../a.qcow2' }] },
            { volumes: [{ pool: POOL, name: 'a.qcow2' }, { pool: POOL, name: 'a.qcow2' }] },
            // real volumes, but not disks of this VM: the check runs before anything changes
            { volumes: [{ pool: POOL, name: 'a.qcow2' }, { pool: POOL, name: 'loose.qcow2' }] },
            { volumes: [{ pool: 'default', name: 'web-01.qcow2' }] },
            { volumes: Array.from({ length: 65 }, (_, i) => ({ pool: POOL, name: `v${i}` })) },
        ];
        for (const body of bad) {
            const e = assertError(await del(admin, UUID.one, body), 400, 'bad_request', JSON.stringify(body).slice(0, 80));
            assert.equal(e.field, 'volumes', e.message);
        }
        assertError(await del(admin, UUID.one, { volume: 'all' }), 400, 'bad_request');
        assertError(await admin.req('DELETE', `/api/domains/${UUID.one}`, { body: '{"volumes":' }), 400, 'bad_request');
        assert.deepEqual(await world(), before);
    });

    it('viewer 403, no session 401, nothing changed', async () => {
        const before = await world();
        assertError(await del(view, UUID.two, { volumes: 'all' }), 403, 'forbidden');
        const anon = new Client(roles.d);
        try {
            assertError(await del(anon, UUID.two, { volumes: 'all' }), 401, 'unauthorized');
        } finally {
            anon.close();
        }
        assert.deepEqual(await world(), before);
    });

    it('"none" (the default) keeps the volumes; the events socket drops the VM', async () => {
        const ev = await admin.openEvents();
        try {
            const snap = await ev.next((m) => m.type === 'snapshot');
            assert.ok(snap.domains.some((x) => x.uuid === UUID.two));
            const out = assertJson(await del(op, UUID.two), 200, 'delete');
            assert.equal(out.uuid, UUID.two);
            assert.equal(out.name, 'vdtest-del-two');
            // the test driver refuses the NVRAM and checkpoint flags: dropped, and said so
            assert.deepEqual(out.undefine_flags, ['snapshots_metadata', 'managed_save']);
            assert.deepEqual(out.removed, []);
            assert.deepEqual(out.kept, [{ pool: POOL, name: 'b.qcow2', reason: 'not_chosen', message: 'not chosen for deletion' }]);
            const gone = await ev.next((m) => m.type === 'domain' && m.event === 'undefined' && m.domain && m.domain.uuid === UUID.two);
            assert.equal(gone.domain.uuid, UUID.two);
        } finally {
            await ev.close();
        }
        assertError(await admin.get(`/api/domains/${UUID.two}`), 404, 'not_found');
        assert.ok(!(await domainNames()).includes('vdtest-del-two'));
        assert.ok((await volNames(POOL)).includes('b.qcow2'), 'the volume stays');
    });

    it('a list removes only the volumes listed', async () => {
        const out = assertJson(await del(admin, UUID.three, { volumes: [{ pool: POOL, name: 'd.qcow2' }] }), 200, 'delete');
        assert.deepEqual(out.removed, [{ pool: POOL, name: 'd.qcow2' }]);
        assert.deepEqual(out.kept.map((k) => [k.name, k.reason]), [['e.qcow2', 'not_chosen']]);
        const left = await volNames(POOL);
        assert.ok(!left.includes('d.qcow2'));
        assert.ok(left.includes('e.qcow2'));
        assert.ok(!(await domainNames()).includes('vdtest-del-three'));
    });

    it('"all" removes its own volumes and keeps one another VM uses, saying why', async () => {
        const out = assertJson(await del(admin, UUID.one, { volumes: 'all' }), 200, 'delete');
        assert.deepEqual(out.removed, [{ pool: POOL, name: 'a.qcow2' }, { pool: POOL, name: 'c.raw' }]);
        assert.equal(out.kept.length, 1);
        assert.deepEqual([out.kept[0].pool, out.kept[0].name, out.kept[0].reason], ['default', 'web-02.qcow2', 'shared']);
        assert.match(out.kept[0].message, /also used by web-02/);
        const left = await volNames(POOL);
        assert.ok(!left.includes('a.qcow2') && !left.includes('c.raw'), left.join());
        assert.ok((await volNames('default')).includes('web-02.qcow2'), 'web-02 keeps its disk');
        assertError(await admin.get(`/api/domains/${UUID.one}`), 404, 'not_found');
        assertError(await del(admin, UUID.one), 404, 'not_found');
    });
});
