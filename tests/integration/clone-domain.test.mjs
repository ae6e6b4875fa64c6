// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/clone-domain.test.mjs — POST /api/domains/{uuid}/clone (docs/api.md
// "Cloning a VM") on the test driver: the demo host (packaging/demo/demo.xml) plus a
// pool and shut-off domains of our own, in a temporary directory.
// Covers: a clone gets a new UUID, new MACs and new volumes in the same pool with the
// same capacity, the source untouched; collision-free copy names; running source 409;
// a taken name 409 field "name"; a bad name 400 field "name" with nothing created; a
// disk that is no pool volume 409 with nothing created; a copy that fails half-way
// removes the copies made before it; viewer 403; the audit record.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWithFixture } from '../lib/roles.mjs';
import { assertDomainDetail, assertError, assertJson, UUID_RE } from '../lib/api-assert.mjs';
import { domainXml } from '../bench/gen-domains.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PW = { admin: 'admin-pass-clone-1', op: 'operator-pass-clone-2', view: 'viewer-pass-clone-3' };
const GIB = 1024 ** 3;
const MIB = 1024 ** 2; // allocated per volume: a clone that small answers 201 at once
const POOL = 'vdtest-clone';
const DIR = '/srv/vdtest-clone';
const VOLS = [['a.qcow2', 3 * GIB], ['b.raw', GIB], ['taken-vda.qcow2', GIB], ['o.qcow2', GIB], ['m.vmdk', GIB]];
const UUID = {
    src: '5eed0000-0000-4000-8000-00000000c001',
    loose: '5eed0000-0000-4000-8000-00000000c002',
    mixed: '5eed0000-0000-4000-8000-00000000c003',
    web01: '97e56341-f5b0-4a2a-b12f-373969e93bd3', // running in the demo
};
const SRC_MACS = ['52:54:00:c1:00:01', '52:54:00:c1:00:02'];
const DOMAINS = [
    { name: 'vdtest-clone-src', uuid: UUID.src, state: 'shutoff', title: 'Source', disks: [
        { target: 'vda', source: `${DIR}/a.qcow2`, format: 'qcow2' },
        { target: 'vdb', source: `${DIR}/b.raw` },
    ], interfaces: SRC_MACS.map((mac) => ({ mac, model: 'virtio' })) },
    // its vdb is no pool's volume: it cannot be copied
    { name: 'vdtest-clone-loose', uuid: UUID.loose, state: 'shutoff', disks: [
        { target: 'vda', source: `${DIR}/o.qcow2`, format: 'qcow2' },
        { target: 'vdb', source: '/nowhere/not-in-a-pool.img' },
    ] },
    // vda copies; vdb (vmdk) cannot be copied, so the copy of vda must be removed again
    { name: 'vdtest-clone-mixed', uuid: UUID.mixed, state: 'shutoff', disks: [
        { target: 'vda', source: `${DIR}/o.qcow2`, format: 'qcow2' },
        { target: 'vdb', source: `${DIR}/m.vmdk`, format: 'vmdk' },
    ] },
];

function fixture() {
    const demo = readFileSync(path.join(REPO_ROOT, 'packaging', 'demo', 'demo.xml'), 'utf8');
    const pool = [`  <pool type='dir'>`, `    <name>${POOL}</name>`,
        `    <target><path>${DIR}</path></target>`,
        ...VOLS.map(([v, cap]) => `    <volume type='file'><name>${v}</name><capacity unit='bytes'>${cap}</capacity>` +
            `<allocation unit='bytes'>${MIB}</allocation>` +
            `<target><format type='${v.split('.').pop()}'/></target></volume>`),
        '  </pool>'].join('\n');
    const xml = demo.replace('</node>', `${DOMAINS.map(domainXml).join('\n')}\n${pool}\n</node>`);
    assert.notEqual(xml, demo, 'the demo ends with </node>');
    return xml;
}

describe('cloning a VM (test driver)', () => {
    let roles;
    let admin;
    let op;
    let view;

    before(async () => {
        roles = await startWithFixture(PW, fixture());
        ({ admin, op, view } = roles);
    });
    after(async () => {
        if (roles) await roles.stop();
    });

    const clone = (client, uuid, body) => client.post(`/api/domains/${uuid}/clone`, body);
    const detail = async (uuid) => assertJson(await admin.get(`/api/domains/${uuid}`), 200, 'detail');
    const volumes = async () =>
        assertJson(await admin.get(`/api/pools/${POOL}/volumes`), 200, 'volumes').volumes;
    const world = async () => ({
        domains: assertJson(await admin.get('/api/domains'), 200, 'list').domains.map((x) => x.name).sort(),
        vols: (await volumes()).map((v) => v.name).sort(),
    });

    it('copies every disk into the same pool, with a new UUID, new MACs and the source untouched', async () => {
        const src = await detail(UUID.src);
        const out = assertJson(await clone(op, UUID.src, { name: 'vdtest-clone-new', title: 'The copy' }), 201, 'clone');
        assert.deepEqual(Object.keys(out), ['domain', 'copies']);
        const d = out.domain;
        assertDomainDetail(d);
        assert.equal(d.name, 'vdtest-clone-new');
        assert.equal(d.title, 'The copy');
        assert.equal(d.state, 'shutoff');
        assert.match(d.uuid, UUID_RE);
        assert.notEqual(d.uuid, UUID.src);
        assert.equal(d.interfaces.length, 2);
        for (const nic of d.interfaces) {
            assert.match(nic.mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
            assert.ok(!SRC_MACS.includes(nic.mac), `${nic.mac} is new`);
        }
        assert.deepEqual(out.copies.map((c) => [c.target, c.pool, c.name, c.from]), [
            ['vda', POOL, 'vdtest-clone-new-vda.qcow2', { pool: POOL, name: 'a.qcow2' }],
            ['vdb', POOL, 'vdtest-clone-new-vdb.raw', { pool: POOL, name: 'b.raw' }],
        ]);
        const vols = Object.fromEntries((await volumes()).map((v) => [v.name, v]));
        assert.equal(vols['vdtest-clone-new-vda.qcow2'].capacity_bytes, 3 * GIB);
        assert.equal(vols['vdtest-clone-new-vda.qcow2'].format, 'qcow2');
        assert.equal(vols['vdtest-clone-new-vdb.raw'].capacity_bytes, GIB);
        assert.deepEqual(d.disks.map((k) => [k.target, k.source]), [
            ['vda', `${DIR}/vdtest-clone-new-vda.qcow2`], ['vdb', `${DIR}/vdtest-clone-new-vdb.raw`]]);
        // the source is as it was
        assert.deepEqual(await detail(UUID.src), src);
        assert.deepEqual((await detail(d.uuid)).disks, d.disks, 'the definition holds the copies');
    });

    it('picks a free name for a copy whose first choice is taken', async () => {
        const out = assertJson(await clone(admin, UUID.src, { name: 'taken' }), 201, 'clone');
        assert.deepEqual(out.copies.map((c) => c.name), ['taken-vda-2.qcow2', 'taken-vdb.raw']);
        assert.equal(out.domain.title, 'Source', 'the title is kept unless given');
    });

    it('refuses a running source with 409, creating nothing', async () => {
        const before = await world();
        const e = assertError(await clone(op, UUID.web01, { name: 'vdtest-clone-run' }), 409, 'conflict');
        assert.match(e.message, /running/);
        assert.deepEqual(await world(), before);
    });

    it('refuses a name in use with 409 and field "name", creating nothing', async () => {
        const before = await world();
        for (const name of ['web-01', 'vdtest-clone-src']) {
            const e = assertError(await clone(op, UUID.src, { name }), 409, 'conflict', name);
            assert.equal(e.field, 'name', e.message);
        }
        assert.deepEqual(await world(), before);
    });

    it('refuses a bad name with 400 and field "name", creating nothing', async () => {
        const before = await world();
        for (const body of [{}, { name: '' }, { name: 'a/b' }, { name: '-x' }, { name: ' x' }, { name: 'x\u0001' },
            { name: 'x'.repeat(256) }, { name: 5 }, { name: 'ok', title: 'two\nlines' }, { name: 'ok', extra: 1 }]) {
            const e = assertError(await clone(op, UUID.src, body), 400, 'bad_request', JSON.stringify(body).slice(0, 60));
            // (a control character is refused by the JSON reader, before any member)
            if (!body.title && !body.extra && !/\p{Cc}/u.test(body.name)) assert.equal(e.field, 'name', e.message);
        }
        assert.deepEqual(await world(), before);
    });

    it('refuses a disk that is no pool volume with 409 before copying anything', async () => {
        const before = await world();
        const e = assertError(await clone(op, UUID.loose, { name: 'vdtest-clone-loose2' }), 409, 'conflict');
        assert.match(e.message, /vdb/);
        assert.deepEqual(await world(), before);
    });

    it('removes the copies it made when a later disk cannot be copied (rollback)', async () => {
        const before = await world();
        const e = assertError(await clone(op, UUID.mixed, { name: 'vdtest-clone-mixed2' }), 409, 'conflict');
        assert.match(e.message, /m\.vmdk/);
        assert.deepEqual(await world(), before, 'no copy of vda, no domain');
    });

    it('viewer 403, nothing created; the clone is audited', async () => {
        const before = await world();
        assertError(await clone(view, UUID.src, { name: 'vdtest-clone-v' }), 403, 'forbidden');
        assert.deepEqual(await world(), before);
        const lines = roles.d.logs().split('\n').filter((l) => / api: \S+ domain-clone /.test(l));
        assert.ok(lines.some((l) => new RegExp(`api: op domain-clone domain ${UUID.src} from .*: ok`).test(l)),
            lines.join('\n'));
    });
});
