// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/storage.test.mjs — the storage pool and volume REST API (docs/api.md
// "Storage") on the libvirt test driver: list/detail shapes, pool create (every
// refusal leaves nothing behind), start/stop/refresh/autostart, delete; volumes:
// create qcow2/raw/backed, list, get, clone, delete; resize/wipe refusals that are
// decided before libvirt (the test driver cannot resize or wipe: 501, covered for
// real in storage-qemu.test.mjs); in-use 409s from fixture domains whose disks live in
// the pool; 507 for a volume larger than the pool; roles (403) on every mutating route.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWithRoles } from '../lib/roles.mjs';
import { assertError, assertJson, UUID_RE } from '../lib/api-assert.mjs';
import { domainXml } from '../bench/gen-domains.mjs';

const PW = { admin: 'admin-pass-sto-1', op: 'operator-pass-sto-2', view: 'viewer-pass-sto-3' };
const GIB = 1024 ** 3;
const POOL_CAP = 100 * GIB; // the test driver gives every pool 100 GiB

// The fixture: pool "default-pool" (/default-pool) with three volumes, two of them
// used by domains; a running and a stopped domain.
const FIXTURE_POOL = `
  <pool type='dir'>
    <name>default-pool</name>
    <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>
    <target><path>/default-pool</path></target>
    <volume type='file'><name>run-disk.qcow2</name><capacity unit='bytes'>${GIB}</capacity>
      <target><format type='qcow2'/></target></volume>
    <volume type='file'><name>off-disk.img</name><capacity unit='bytes'>${2 * GIB}</capacity>
      <target><format type='raw'/></target></volume>
    <volume type='file'><name>free.qcow2</name><capacity unit='bytes'>${GIB}</capacity>
      <target><format type='qcow2'/></target></volume>
  </pool>`;
const DOMAINS = [
    { name: 'vm-run', state: 'running', uuid: '5eed0000-0000-4000-8000-00000000a001',
        disks: [{ target: 'vda', source: '/default-pool/run-disk.qcow2', format: 'qcow2' }] },
    { name: 'vm-off', state: 'shutoff', uuid: '5eed0000-0000-4000-8000-00000000a002',
        disks: [{ target: 'vdb', source: '/default-pool/off-disk.img', format: 'raw' }] },
];

function fixtureXml() {
    return ['<node>',
        '  <cpu><mhz>2400</mhz><model>x86_64</model><active>4</active><nodes>1</nodes><sockets>1</sockets>' +
            '<cores>4</cores><threads>1</threads></cpu>',
        '  <memory>16777216</memory>',
        ...DOMAINS.map(domainXml),
        FIXTURE_POOL,
        '</node>', ''].join('\n');
}

function assertPool(p, label = 'pool') {
    assert.deepEqual(Object.keys(p), ['name', 'uuid', 'type', 'active', 'persistent', 'autostart',
        'capacity_bytes', 'allocation_bytes', 'available_bytes', 'target_path', 'source',
        'volume_count', 'used_by'], label);
    assert.match(p.uuid, UUID_RE, label);
    for (const k of ['active', 'persistent', 'autostart']) assert.equal(typeof p[k], 'boolean', `${label} ${k}`);
    for (const k of ['capacity_bytes', 'allocation_bytes', 'available_bytes']) assert.ok(Number.isInteger(p[k]), `${label} ${k}`);
    assert.equal(typeof p.source, 'object', label);
    assert.ok(Array.isArray(p.used_by), label);
    if (!p.active) {
        assert.equal(p.volume_count, null, label);
        assert.equal(p.capacity_bytes, 0, label);
    } else {
        assert.ok(Number.isInteger(p.volume_count), label);
    }
}

function assertVolume(v, label = 'volume') {
    assert.deepEqual(Object.keys(v), ['name', 'key', 'path', 'pool', 'type', 'format', 'capacity_bytes',
        'allocation_bytes', 'backing', 'used_by', 'outside_pool', 'upload_incomplete'], label);
    assert.equal(v.outside_pool, false, `${label}: the test driver's volumes are no files here`);
    for (const k of ['name', 'key', 'path', 'pool', 'type', 'format']) assert.equal(typeof v[k], 'string', `${label} ${k}`);
    assert.equal(v.upload_incomplete, false, `${label}: no upload was cut off here`);
    assert.ok(Number.isInteger(v.capacity_bytes) && Number.isInteger(v.allocation_bytes), label);
    assert.ok(Array.isArray(v.used_by), label);
}

describe('storage API (test driver)', () => {
    let roles;
    let tmp;
    let admin;
    let op;
    let view;

    before(async () => {
        tmp = mkdtempSync(path.join(os.tmpdir(), 'virtdeck-sto-'));
        const xml = path.join(tmp, 'fixture.xml');
        writeFileSync(xml, fixtureXml());
        // every pool type, in directories of their own (the test driver touches no disk)
        roles = await startWithRoles(PW, {
            uri: `test://${xml}`,
            config: { pool_roots: '/srv/vdtest,/mnt', pool_types: 'dir,fs,netfs,logical,iscsi,rbd' },
        });
        ({ admin, op, view } = roles);
    });
    after(async () => {
        if (roles) await roles.stop();
        if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    const poolNames = async () => assertJson(await admin.get('/api/pools'), 200, 'list').pools.map((p) => p.name);
    const volNames = async (pool) =>
        assertJson(await admin.get(`/api/pools/${pool}/volumes`), 200, 'vol list').volumes.map((v) => v.name);

    describe('pools', () => {
        it('lists the fixture pool with every documented field, readable by every role', async () => {
            for (const c of [admin, op, view]) {
                const body = assertJson(await c.get('/api/pools'), 200, 'list');
                assert.deepEqual(Object.keys(body), ['pools']);
                const p = body.pools.find((x) => x.name === 'default-pool');
                assertPool(p);
                assert.equal(p.type, 'dir');
                assert.equal(p.active, true);
                assert.equal(p.target_path, '/default-pool');
                assert.equal(p.capacity_bytes, POOL_CAP);
                assert.equal(p.volume_count, 3);
                // vm-run and vm-off have disks in it
                assert.deepEqual(p.used_by.map((u) => u.name).sort(), ['vm-off', 'vm-run']);
                const run = p.used_by.find((u) => u.name === 'vm-run');
                assert.equal(run.active, true);
                assert.equal(run.uuid, DOMAINS[0].uuid);
            }
        });

        it('GET /api/pools/{name}: the pool; 404 unknown; 400 bad name', async () => {
            const p = assertJson(await view.get('/api/pools/default-pool'), 200, 'get');
            assertPool(p);
            assert.equal(p.name, 'default-pool');
            assertError(await admin.get('/api/pools/nope'), 404, 'not_found');
            assertError(await admin.get('/api/pools/-bad'), 400, 'bad_request');
            assertError(await admin.get('/api/pools/a%20b'), 400, 'bad_request');
        });

        it('creates a dir pool (started by default), then stop/start/refresh/autostart, delete', async () => {
            const created = assertJson(await admin.post('/api/pools', { name: 'vdtest-pool', type: 'dir', target_path: '/srv/vdtest/pool' }), 201, 'create');
            assertPool(created);
            assert.equal(created.name, 'vdtest-pool');
            assert.equal(created.type, 'dir');
            assert.equal(created.active, true);
            assert.equal(created.persistent, true);
            assert.equal(created.autostart, false);
            assert.equal(created.target_path, '/srv/vdtest/pool');
            assert.deepEqual(created.used_by, []);
            assert.ok((await poolNames()).includes('vdtest-pool'));
            assertError(await admin.post('/api/pools', { name: 'vdtest-pool', type: 'dir', target_path: '/other' }), 409, 'conflict', 'dup');

            assertError(await admin.post('/api/pools/vdtest-pool/start'), 409, 'conflict', 'start active');
            let p = assertJson(await admin.post('/api/pools/vdtest-pool/stop'), 200, 'stop');
            assert.equal(p.active, false);
            assert.equal(p.volume_count, null);
            assert.equal(p.available_bytes, 0);
            assertError(await admin.post('/api/pools/vdtest-pool/stop'), 409, 'conflict', 'stop inactive');
            assertError(await admin.post('/api/pools/vdtest-pool/refresh'), 409, 'conflict', 'refresh inactive');
            assertError(await admin.get('/api/pools/vdtest-pool/volumes'), 409, 'conflict', 'volumes of inactive');
            p = assertJson(await admin.post('/api/pools/vdtest-pool/start'), 200, 'start');
            assert.equal(p.active, true);
            p = assertJson(await admin.post('/api/pools/vdtest-pool/refresh'), 200, 'refresh');
            assert.equal(p.active, true);
            p = assertJson(await admin.post('/api/pools/vdtest-pool/autostart', { enabled: true }), 200, 'autostart');
            assert.equal(p.autostart, true);
            p = assertJson(await admin.post('/api/pools/vdtest-pool/autostart', { enabled: false }), 200, 'autostart off');
            assert.equal(p.autostart, false);
            assertError(await admin.post('/api/pools/vdtest-pool/autostart', {}), 400, 'bad_request');
            assertError(await admin.post('/api/pools/vdtest-pool/autostart', { enabled: 'yes' }), 400, 'bad_request');
            assertError(await admin.post('/api/pools/vdtest-pool/start', { x: 1 }), 400, 'bad_request');
            assertError(await admin.post('/api/pools/vdtest-pool/explode'), 400, 'bad_request');

            const del = assertJson(await admin.req('DELETE', '/api/pools/vdtest-pool'), 200, 'delete');
            assert.deepEqual(del, { name: 'vdtest-pool', removed: true });
            assert.ok(!(await poolNames()).includes('vdtest-pool'));
            assertError(await admin.req('DELETE', '/api/pools/vdtest-pool'), 404, 'not_found');
        });

        it('creates with start:false, build:true and autostart:true as asked', async () => {
            const p = assertJson(await admin.post('/api/pools', { name: 'vdtest-off', type: 'dir', target_path: '/srv/vdtest/off', start: false, build: true, autostart: true }), 201, 'create');
            assert.equal(p.active, false);
            assert.equal(p.autostart, true);
            assert.equal(p.volume_count, null);
            assertJson(await admin.req('DELETE', '/api/pools/vdtest-off'), 200, 'delete inactive');
        });

        it('refuses bad requests with 400 and creates nothing', async () => {
            const bad = [
                { name: 'x1', type: 'zfs', target_path: '/x1' },
                { name: 'x2', type: 'dir', target_path: 'relative/path' },
                { name: 'x3', type: 'dir', target_path: '/a/../etc' },
                { name: 'x4', type: 'dir', target_path: '/a//b' },
                { name: 'x5', type: 'dir', target_path: '/a/b/' },
                { name: 'x6', type: 'dir', target_path: '/a/./b' },
                { name: 'x7', type: 'dir', target_path: '/' },
                { name: 'x8', type: 'dir' },
                { name: 'x9', type: 'dir', target_path: '/x9', source_host: 'nfs.example' },
                { name: 'x10', type: 'netfs', target_path: '/x10', source_host: 'h', source_path: '/e', source_device: '/dev/sda' },
                { name: 'x11', type: 'fs', target_path: '/x11', source_device: '/etc/passwd' },
                { name: 'x12', type: 'netfs', target_path: '/x12', source_host: 'h', source_path: '/e', source_format: 'ext4' },
                { name: 'x13', type: 'rbd', source_host: 'mon', source_name: 'rbd', target_path: '/x13' },
                { name: 'x14', type: 'rbd', source_host: 'mon', source_name: 'rbd', auth_username: 'admin' },
                { name: 'x15', type: 'iscsi', source_host: 'h', source_iqn: 'not-an-iqn' },
                { name: 'x16', type: 'iscsi', source_host: 'h', source_iqn: 'iqn.2024-01.com.example:t', source_port: 70000 },
                { name: 'x17', type: 'dir', target_path: '/x17', start: 'yes' },
                { name: 'x18', type: 'dir', target_path: '/x18', surprise: 1 },
                { name: 'x19', type: 'netfs', target_path: '/x19', source_host: 'bad host', source_path: '/e' },
                { name: 'x20', type: 'logical' },
                { name: '-bad', type: 'dir', target_path: '/x' },
                { name: 'a/b', type: 'dir', target_path: '/x' },
                { name: 'y'.repeat(51), type: 'dir', target_path: '/x' },
                { type: 'dir', target_path: '/x' },
                { name: 'x21', type: 'dir', target_path: '/x21"><evil/>' },
                { name: 'x22', type: 'logical', source_name: 'vg0', target_path: '/etc' },
                { name: 'x23', type: 'iscsi', source_host: 'h', source_iqn: 'iqn.2024-01.com.example:t', target_path: '/srv/vdtest/x' },
            ];
            const before = await poolNames();
            for (const body of bad) {
                assertError(await admin.post('/api/pools', body), 400, 'bad_request', JSON.stringify(body));
            }
            assertError(await admin.post('/api/pools', 'not json', { raw: true, headers: { 'content-type': 'application/json' } }), 400, 'bad_request');
            assert.deepEqual(await poolNames(), before);
        });

        it('refuses a malformed source host (empty label, a label ending in "-", too long) naming the field', async () => {
            const before = await poolNames();
            const hosts = ['nas.example..com', 'nas-.lan', `${'a'.repeat(64)}.lan`, 'nas.'];
            for (const host of hosts) {
                for (const body of [
                    { name: 'vdtest-host', type: 'netfs', target_path: '/srv/vdtest/host', source_host: host, source_path: '/e' },
                    { name: 'vdtest-host', type: 'iscsi', source_host: host, source_iqn: 'iqn.2024-01.com.example:t' },
                    { name: 'vdtest-host', type: 'rbd', source_host: host, source_name: 'rbd' },
                ]) {
                    const e = assertError(await admin.post('/api/pools', body), 400, 'bad_request', `${body.type} ${host}`);
                    assert.ok(e.message.startsWith(`"source_host": "${host.slice(0, 64)}`), e.message);
                }
            }
            assert.deepEqual(await poolNames(), before);
        });

        it('refuses a dir, fs or netfs target outside pool_roots with 403, defining nothing', async () => {
            const before = await poolNames();
            for (const body of [
                { name: 'vdtest-out', type: 'dir', target_path: '/etc/vdtest' },
                { name: 'vdtest-out', type: 'dir', target_path: '/srv/vdtest-other' },
                { name: 'vdtest-out', type: 'netfs', target_path: '/var/lib/vdtest', source_host: 'h', source_path: '/e' },
            ]) {
                const e = assertError(await admin.post('/api/pools', body), 403, 'outside_pool_roots', body.target_path);
                assert.match(e.message, /pool_roots \(\/srv\/vdtest, \/mnt\)/);
            }
            assert.deepEqual(await poolNames(), before);
        });

        it('accepts each pool type and echoes its source (defined inactive; the test driver cannot start them all)', async () => {
            const cases = [
                [{ name: 'vt-fs', type: 'fs', target_path: '/mnt/vt-fs', source_device: '/dev/vdz1', source_format: 'xfs' }, { device: '/dev/vdz1', format: 'xfs' }, '/mnt/vt-fs'],
                [{ name: 'vt-nfs', type: 'netfs', target_path: '/mnt/vt-nfs', source_host: 'nfs.example.org', source_path: '/export/vm' }, { host: 'nfs.example.org', path: '/export/vm', format: 'nfs' }, '/mnt/vt-nfs'],
                [{ name: 'vt-lvm', type: 'logical', source_name: 'vg0', target_path: '/dev/vg0' }, { name: 'vg0' }, '/dev/vg0'],
                [{ name: 'vt-iscsi', type: 'iscsi', source_host: '192.0.2.10', source_port: 3260, source_iqn: 'iqn.2024-01.org.example:disk1', initiator_iqn: 'iqn.2024-01.org.example:host' },
                    { host: '192.0.2.10', port: 3260, iqn: 'iqn.2024-01.org.example:disk1', initiator_iqn: 'iqn.2024-01.org.example:host' }, '/dev/disk/by-path'],
            ];
            for (const [body, source, target] of cases) {
                const p = assertJson(await admin.post('/api/pools', { ...body, start: false }), 201, body.name);
                assertPool(p, body.name);
                assert.equal(p.type, body.type);
                assert.equal(p.target_path, target, body.name);
                for (const [k, v] of Object.entries(source)) assert.equal(p.source[k], v, `${body.name} source.${k}`);
                assertJson(await admin.req('DELETE', `/api/pools/${body.name}`), 200, `delete ${body.name}`);
            }
        });

        it('refuses to stop or delete a pool a running domain uses (409 naming it)', async () => {
            let e = assertError(await admin.post('/api/pools/default-pool/stop'), 409, 'conflict', 'stop');
            assert.match(e.message, /vm-run/);
            e = assertError(await admin.req('DELETE', '/api/pools/default-pool'), 409, 'conflict', 'delete');
            assert.match(e.message, /vm-run/);
            assert.doesNotMatch(e.message, /vm-off/);
            const p = assertJson(await admin.get('/api/pools/default-pool'), 200);
            assert.equal(p.active, true);
        });

        it('403 for operator and viewer on every mutating pool route, changing nothing', async () => {
            for (const c of [op, view]) {
                assertError(await c.post('/api/pools', { name: 'vdtest-no', type: 'dir', target_path: '/vdtest-no' }), 403, 'forbidden');
                assertError(await c.post('/api/pools/default-pool/stop'), 403, 'forbidden');
                assertError(await c.post('/api/pools/default-pool/start'), 403, 'forbidden');
                assertError(await c.post('/api/pools/default-pool/refresh'), 403, 'forbidden');
                assertError(await c.post('/api/pools/default-pool/autostart', { enabled: true }), 403, 'forbidden');
                assertError(await c.req('DELETE', '/api/pools/default-pool'), 403, 'forbidden');
            }
            assert.ok(!(await poolNames()).includes('vdtest-no'));
            const p = assertJson(await admin.get('/api/pools/default-pool'), 200);
            assert.equal(p.autostart, false);
            assert.equal(p.active, true);
        });
    });

    describe('volumes', () => {
        const V = '/api/pools/default-pool/volumes';

        it('lists volumes sorted by name with every documented field and their users', async () => {
            const body = assertJson(await view.get(V), 200, 'list');
            assert.deepEqual(Object.keys(body), ['volumes']);
            const names = body.volumes.map((v) => v.name);
            assert.deepEqual(names, [...names].sort());
            for (const v of body.volumes) assertVolume(v, v.name);
            const run = body.volumes.find((v) => v.name === 'run-disk.qcow2');
            assert.equal(run.path, '/default-pool/run-disk.qcow2');
            assert.equal(run.pool, 'default-pool');
            assert.equal(run.type, 'file');
            assert.equal(run.format, 'qcow2');
            assert.equal(run.capacity_bytes, GIB);
            assert.equal(run.backing, null);
            assert.deepEqual(run.used_by, [{ uuid: DOMAINS[0].uuid, name: 'vm-run', active: true, target: 'vda', device: 'disk' }]);
            const off = body.volumes.find((v) => v.name === 'off-disk.img');
            assert.equal(off.format, 'raw');
            assert.deepEqual(off.used_by.map((u) => [u.name, u.active]), [['vm-off', false]]);
            assert.deepEqual(body.volumes.find((v) => v.name === 'free.qcow2').used_by, []);
        });

        it('GET one volume; 404 unknown volume or pool; 400 bad names', async () => {
            const v = assertJson(await view.get(`${V}/free.qcow2`), 200, 'get');
            assertVolume(v);
            assert.equal(v.name, 'free.qcow2');
            assertError(await admin.get(`${V}/nope.qcow2`), 404, 'not_found');
            assertError(await admin.get('/api/pools/nope/volumes/free.qcow2'), 404, 'not_found');
            assertError(await admin.get('/api/pools/nope/volumes'), 404, 'not_found');
            // (a ".." segment is resolved by the HTTP layer before routing, never reaching us)
            assertError(await admin.get(`${V}/-x.img`), 400, 'bad_request');
            assertError(await admin.get('/api/pools/-x/volumes'), 400, 'bad_request');
        });

        it('creates qcow2 and raw volumes, a backed qcow2, clones and deletes them', async () => {
            let v = assertJson(await admin.post(V, { name: 'vd-a.qcow2', capacity_bytes: 2 * GIB, format: 'qcow2' }), 201, 'create qcow2');
            assertVolume(v);
            assert.equal(v.format, 'qcow2');
            assert.equal(v.capacity_bytes, 2 * GIB);
            assert.equal(v.path, '/default-pool/vd-a.qcow2');
            v = assertJson(await admin.post(V, { name: 'vd-b.img', capacity_bytes: GIB, format: 'raw', allocation_bytes: 0 }), 201, 'create raw');
            assert.equal(v.format, 'raw');
            assertError(await admin.post(V, { name: 'vd-a.qcow2', capacity_bytes: GIB, format: 'qcow2' }), 409, 'conflict', 'dup');

            v = assertJson(await admin.post(V, { name: 'vd-c.qcow2', format: 'qcow2', backing: { volume: 'vd-a.qcow2' } }), 201, 'backed');
            assert.equal(v.capacity_bytes, 2 * GIB, 'capacity defaults to the backing volume');
            assert.deepEqual(v.backing, { path: '/default-pool/vd-a.qcow2', format: 'qcow2' });
            assertError(await admin.post(V, { name: 'vd-d.qcow2', format: 'qcow2', backing: { volume: 'ghost' } }), 404, 'not_found', 'missing backing');

            v = assertJson(await admin.post(`${V}/vd-a.qcow2/clone`, { name: 'vd-a-copy.qcow2' }), 201, 'clone');
            assert.equal(v.name, 'vd-a-copy.qcow2');
            assert.equal(v.format, 'qcow2');
            assert.equal(v.capacity_bytes, 2 * GIB);
            assertError(await admin.post(`${V}/vd-a.qcow2/clone`, { name: 'free.qcow2' }), 409, 'conflict', 'clone onto existing');
            assertError(await admin.post(`${V}/vd-a.qcow2/clone`, { name: '../x' }), 400, 'bad_request');
            assertError(await admin.post(`${V}/vd-a.qcow2/clone`, { name: '..' }), 400, 'bad_request');
            assertError(await admin.post(`${V}/vd-a.qcow2/clone`, {}), 400, 'bad_request');

            const names = await volNames('default-pool');
            for (const n of ['vd-a.qcow2', 'vd-b.img', 'vd-c.qcow2', 'vd-a-copy.qcow2']) assert.ok(names.includes(n), n);
            for (const n of ['vd-c.qcow2', 'vd-a.qcow2', 'vd-b.img', 'vd-a-copy.qcow2']) {
                assert.deepEqual(assertJson(await admin.req('DELETE', `${V}/${n}`), 200, `delete ${n}`), { name: n, removed: true });
            }
            const left = await volNames('default-pool');
            for (const n of ['vd-a.qcow2', 'vd-b.img', 'vd-c.qcow2', 'vd-a-copy.qcow2']) assert.ok(!left.includes(n), n);
            assertError(await admin.req('DELETE', `${V}/vd-a.qcow2`), 404, 'not_found');
        });

        it('refuses bad volume requests with 400 and creates nothing', async () => {
            const bad = [
                { name: 'b1', capacity_bytes: GIB, format: 'vmdk' },
                { name: 'b2', capacity_bytes: 0, format: 'raw' },
                { name: 'b3', capacity_bytes: -1, format: 'raw' },
                { name: 'b4', capacity_bytes: 17 * 1024 * GIB, format: 'raw' },
                { name: 'b5', capacity_bytes: 1.5, format: 'raw' },
                { name: 'b6', capacity_bytes: GIB, format: 'raw', allocation_bytes: 2 * GIB },
                { name: 'b7', capacity_bytes: GIB, format: 'raw', backing: { volume: 'free.qcow2' } },
                { name: 'b8', capacity_bytes: GIB, format: 'qcow2', backing: { path: '/etc/passwd' } },
                { name: '../b9', capacity_bytes: GIB, format: 'raw' },
                { name: 'b/10', capacity_bytes: GIB, format: 'raw' },
                { name: '.', capacity_bytes: GIB, format: 'raw' },
                { name: 'b11', capacity_bytes: GIB, format: 'raw', path: '/etc/x' },
                { name: 'b12', format: 'raw' },
                { capacity_bytes: GIB, format: 'raw' },
            ];
            const before = await volNames('default-pool');
            for (const body of bad) {
                assertError(await admin.post(V, body), 400, 'bad_request', JSON.stringify(body));
            }
            assert.deepEqual(await volNames('default-pool'), before);
        });

        it('507 for a volume larger than the pool, for raw (needs its capacity) and explicit allocation', async () => {
            const e = assertError(await admin.post(V, { name: 'huge.img', capacity_bytes: 200 * GIB, format: 'raw' }), 507, 'insufficient_storage');
            assert.match(e.message, /available/);
            assertError(await admin.post(V, { name: 'huge.qcow2', capacity_bytes: 200 * GIB, format: 'qcow2', allocation_bytes: 150 * GIB }), 507, 'insufficient_storage');
            const names = await volNames('default-pool');
            assert.ok(!names.includes('huge.img') && !names.includes('huge.qcow2'));
            // (a sparse qcow2 larger than the pool passes our rule; the test driver itself
            // counts capacity as allocation, so that case is in storage-qemu.test.mjs)
        });

        it('resize: shrinking without shrink:true is 409, growth beyond the pool 507, bad bodies 400', async () => {
            const e = assertError(await admin.post(`${V}/free.qcow2/resize`, { capacity_bytes: GIB / 2 }), 409, 'conflict');
            assert.match(e.message, /shrink/);
            assertError(await admin.post(`${V}/free.qcow2/resize`, { capacity_bytes: 16 * 1024 * GIB }), 507, 'insufficient_storage');
            assertError(await admin.post(`${V}/free.qcow2/resize`, {}), 400, 'bad_request');
            assertError(await admin.post(`${V}/free.qcow2/resize`, { capacity_bytes: GIB, shrink: 1 }), 400, 'bad_request');
            assertError(await admin.post(`${V}/free.qcow2/resize`, { capacity_bytes: '2G' }), 400, 'bad_request');
            // the test driver has no virStorageVolResize: growth reaches libvirt and is a 501
            assertError(await admin.post(`${V}/free.qcow2/resize`, { capacity_bytes: 2 * GIB }), 501, 'not_supported');
            assert.equal(assertJson(await admin.get(`${V}/free.qcow2`), 200).capacity_bytes, GIB);
        });

        it('wipe: 409 while a running domain uses the volume; bad algorithm 400', async () => {
            const e = assertError(await admin.post(`${V}/run-disk.qcow2/wipe`), 409, 'conflict');
            assert.match(e.message, /vm-run/);
            assertError(await admin.post(`${V}/free.qcow2/wipe`, { algorithm: 'dod' }), 400, 'bad_request');
            // the test driver has no virStorageVolWipe: a free volume reaches libvirt (501)
            assertError(await admin.post(`${V}/free.qcow2/wipe`, { algorithm: 'zero' }), 501, 'not_supported');
            // a stopped domain's volume may be wiped (reaches libvirt)
            assertError(await admin.post(`${V}/off-disk.img/wipe`), 501, 'not_supported');
            assertError(await admin.post(`${V}/free.qcow2/explode`), 400, 'bad_request');
        });

        it('delete: 409 while any domain uses the volume, running or not, naming it', async () => {
            let e = assertError(await admin.req('DELETE', `${V}/run-disk.qcow2`), 409, 'conflict');
            assert.match(e.message, /vm-run/);
            e = assertError(await admin.req('DELETE', `${V}/off-disk.img`), 409, 'conflict');
            assert.match(e.message, /vm-off/);
            const names = await volNames('default-pool');
            assert.ok(names.includes('run-disk.qcow2') && names.includes('off-disk.img'));
        });

        it('403 for operator and viewer on every mutating volume route, changing nothing', async () => {
            for (const c of [op, view]) {
                assertError(await c.post(V, { name: 'vd-no.qcow2', capacity_bytes: GIB, format: 'qcow2' }), 403, 'forbidden');
                assertError(await c.req('DELETE', `${V}/free.qcow2`), 403, 'forbidden');
                assertError(await c.post(`${V}/free.qcow2/resize`, { capacity_bytes: 2 * GIB }), 403, 'forbidden');
                assertError(await c.post(`${V}/free.qcow2/clone`, { name: 'vd-no2.qcow2' }), 403, 'forbidden');
                assertError(await c.post(`${V}/free.qcow2/wipe`), 403, 'forbidden');
            }
            const names = await volNames('default-pool');
            assert.ok(names.includes('free.qcow2'));
            assert.ok(!names.includes('vd-no.qcow2') && !names.includes('vd-no2.qcow2'));
        });
    });
});
