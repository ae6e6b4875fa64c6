// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/storage-qemu.test.mjs — the storage API against the machine's real
// libvirtd (qemu:///system): a `dir` pool in a fresh temporary directory is built and
// started through the API, qcow2 and raw volumes are created, resized, cloned, wiped
// and deleted, and every step is checked on disk with qemu-img and fs (the test driver
// touches no disk and cannot resize or wipe). after() destroys and undefines the pool
// even when a test fails and removes the directory.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { SYSTEM_URI, ensureSystemLibvirtd, virsh } from '../lib/system-libvirtd.mjs';

const PW = 'admin-pass-stoq-1';
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const TIB = 1024 ** 4;

function qemuImgInfo(file) {
    const r = spawnSync('qemu-img', ['info', '--force-share', '--output=json', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `qemu-img info ${file}: ${r.stderr}`);
    return JSON.parse(r.stdout);
}

describe('storage on qemu:///system', () => {
    const pool = `vdtest-pool-${crypto.randomBytes(4).toString('hex')}`;
    let tmp;
    let dir;
    let d;
    let admin;
    const P = `/api/pools/${pool}`;
    const V = `${P}/volumes`;

    before(async () => {
        await ensureSystemLibvirtd();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vdtest-sto-'));
        dir = path.join(tmp, 'pool');
        d = await startDaemon({ uri: SYSTEM_URI, users: [{ name: 'admin', role: 'admin', password: PW }], config: { pool_roots: tmp } });
        admin = new Client(d);
        await admin.login('admin', PW);
    });
    after(async () => {
        if (admin) admin.close();
        if (d) await d.stop();
        virsh(['pool-destroy', pool]);
        virsh(['pool-undefine', pool]);
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('creates a dir pool (build makes the directory), with real capacity figures', async () => {
        assert.ok(!fs.existsSync(dir));
        const p = assertJson(await admin.post('/api/pools', { name: pool, type: 'dir', target_path: dir, build: true }), 201, 'create');
        assert.equal(p.active, true);
        assert.equal(p.target_path, dir);
        assert.equal(p.volume_count, 0);
        assert.ok(p.capacity_bytes > 0 && p.available_bytes > 0 && p.available_bytes <= p.capacity_bytes);
        assert.ok(fs.statSync(dir).isDirectory(), 'build created the directory');
        const info = virsh(['pool-info', pool]);
        assert.match(info.stdout, /State:\s+running/);
    });

    it('creates qcow2 and raw volumes that qemu-img reads back', async () => {
        let v = assertJson(await admin.post(V, { name: 'a.qcow2', capacity_bytes: GIB, format: 'qcow2' }), 201, 'qcow2');
        assert.equal(v.path, path.join(dir, 'a.qcow2'));
        assert.equal(v.format, 'qcow2');
        let info = qemuImgInfo(v.path);
        assert.equal(info.format, 'qcow2');
        assert.equal(info['virtual-size'], GIB);

        v = assertJson(await admin.post(V, { name: 'b.img', capacity_bytes: 64 * MIB, format: 'raw', allocation_bytes: 0 }), 201, 'raw');
        info = qemuImgInfo(v.path);
        assert.equal(info.format, 'raw');
        assert.equal(fs.statSync(v.path).size, 64 * MIB);

        v = assertJson(await admin.post(V, { name: 'c.qcow2', format: 'qcow2', backing: { volume: 'a.qcow2' } }), 201, 'backed');
        assert.equal(v.capacity_bytes, GIB);
        assert.deepEqual(v.backing, { path: path.join(dir, 'a.qcow2'), format: 'qcow2' });
        info = qemuImgInfo(v.path);
        assert.equal(info['backing-filename'], path.join(dir, 'a.qcow2'));

        const list = assertJson(await admin.get(V), 200, 'list').volumes.map((x) => x.name);
        assert.deepEqual(list, ['a.qcow2', 'b.img', 'c.qcow2']);
    });

    it('space rule: a raw volume larger than the pool is 507; a sparse qcow2 is allowed', async () => {
        const p = assertJson(await admin.get(P), 200);
        const big = Math.min(p.available_bytes + GIB, 16 * TIB);
        assertError(await admin.post(V, { name: 'huge.img', capacity_bytes: big, format: 'raw' }), 507, 'insufficient_storage');
        assert.ok(!fs.existsSync(path.join(dir, 'huge.img')));
        const v = assertJson(await admin.post(V, { name: 'thin.qcow2', capacity_bytes: big, format: 'qcow2' }), 201, 'thin');
        assert.equal(qemuImgInfo(v.path)['virtual-size'], big);
        assertJson(await admin.req('DELETE', `${V}/thin.qcow2`), 200);
    });

    it('resizes: grows a qcow2, refuses a shrink without shrink:true, shrinks a raw with it', async () => {
        const v = assertJson(await admin.post(`${V}/a.qcow2/resize`, { capacity_bytes: 2 * GIB }), 200, 'grow');
        assert.equal(v.capacity_bytes, 2 * GIB);
        assert.equal(qemuImgInfo(v.path)['virtual-size'], 2 * GIB);
        assertError(await admin.post(`${V}/b.img/resize`, { capacity_bytes: 32 * MIB }), 409, 'conflict');
        assert.equal(fs.statSync(path.join(dir, 'b.img')).size, 64 * MIB);
        const r = assertJson(await admin.post(`${V}/b.img/resize`, { capacity_bytes: 32 * MIB, shrink: true }), 200, 'shrink');
        assert.equal(r.capacity_bytes, 32 * MIB);
        assert.equal(fs.statSync(path.join(dir, 'b.img')).size, 32 * MIB);
    });

    it('clones a volume into a new file of the same format', async () => {
        const v = assertJson(await admin.post(`${V}/a.qcow2/clone`, { name: 'a-copy.qcow2' }), 201, 'clone');
        assert.equal(v.format, 'qcow2');
        const info = qemuImgInfo(path.join(dir, 'a-copy.qcow2'));
        assert.equal(info.format, 'qcow2');
        assert.equal(info['virtual-size'], 2 * GIB);
        assertError(await admin.post(`${V}/a.qcow2/clone`, { name: 'b.img' }), 409, 'conflict');
    });

    it('wipes a raw volume with zeros', async () => {
        const file = path.join(dir, 'b.img');
        const fd = fs.openSync(file, 'r+');
        fs.writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, MIB);
        fs.closeSync(fd);
        assertJson(await admin.post(`${V}/b.img/wipe`, { algorithm: 'zero' }), 200, 'wipe');
        const buf = Buffer.alloc(4096);
        const rfd = fs.openSync(file, 'r');
        fs.readSync(rfd, buf, 0, 4096, MIB);
        fs.closeSync(rfd);
        assert.ok(buf.every((b) => b === 0), 'the data is zeroed');
        assert.equal(fs.statSync(file).size, 32 * MIB);
    });

    it('deletes volumes (files gone), then the pool (its directory is kept)', async () => {
        for (const n of ['c.qcow2', 'a-copy.qcow2', 'a.qcow2', 'b.img']) {
            assertJson(await admin.req('DELETE', `${V}/${n}`), 200, `delete ${n}`);
            assert.ok(!fs.existsSync(path.join(dir, n)), `${n} removed`);
        }
        assert.deepEqual(assertJson(await admin.req('DELETE', P), 200, 'delete pool'), { name: pool, removed: true });
        assert.ok(!virsh(['pool-info', pool]).ok, 'pool undefined');
        assert.ok(fs.existsSync(dir), 'the directory stays');
    });
});
