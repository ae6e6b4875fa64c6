// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/storage-fs-qemu.test.mjs — an `fs` pool on the machine's real libvirtd:
// a 64 MiB ext4 image on a loop device becomes a pool through the API; libvirt mounts it
// on start, so the pool's capacity, the 507 for a volume larger than its free space, a
// volume created, uploaded into and read back, and stop (unmount) are all real.
// after() stops and undefines the pool, detaches the loop device and removes the files,
// even when a test fails. Skipped only where the kernel offers no loop devices.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { requireTools } from '../lib/tools.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { SYSTEM_URI, ensureSystemLibvirtd, virsh } from '../lib/system-libvirtd.mjs';
import { download, uploadFile, writeRandomFile } from '../lib/transfer.mjs';

const PW = 'admin-pass-stofs-1';
const MIB = 1024 ** 2;
const hasLoop = fs.existsSync('/dev/loop-control');

function run(cmd, args) {
    const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, PATH: `/usr/sbin:/sbin:${process.env.PATH}` } });
    assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
}

function mounted(dir) {
    return fs.readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === dir);
}

describe('fs pool on a loop device, qemu:///system', { skip: hasLoop ? false : 'no loop devices in this kernel' }, () => {
    const pool = `vdtest-fspool-${crypto.randomBytes(4).toString('hex')}`;
    let tmp;
    let mnt;
    let loop = null;
    let d;
    let admin;

    before(async () => {
        requireTools('mkfs.ext4', 'losetup', 'mount', 'umount');
        await ensureSystemLibvirtd();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vdtest-fs-'));
        mnt = path.join(tmp, 'mnt');
        fs.mkdirSync(mnt);
        const img = path.join(tmp, 'fs.img');
        fs.writeFileSync(img, '');
        fs.truncateSync(img, 64 * MIB);
        run('mkfs.ext4', ['-q', '-F', img]);
        loop = run('losetup', ['-f', '--show', img]);
        // fs pools are off by default (they mount a host device): this daemon allows them
        d = await startDaemon({
            uri: SYSTEM_URI, users: [{ name: 'admin', role: 'admin', password: PW }], config: { pool_roots: tmp, pool_types: 'dir,fs' },
        });
        admin = new Client(d);
        await admin.login('admin', PW);
    });

    after(async () => {
        admin?.close();
        if (d) await d.stop();
        virsh(['pool-destroy', pool]);
        virsh(['pool-undefine', pool]);
        if (mnt && mounted(mnt)) spawnSync('umount', [mnt]);
        if (loop) spawnSync('losetup', ['-d', loop]);
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('creates the pool from the form fields and mounts the file system on start', async () => {
        const p = assertJson(await admin.post('/api/pools', {
            name: pool, type: 'fs', target_path: mnt, source_device: loop, source_format: 'ext4',
        }), 201, 'create fs pool');
        assert.equal(p.type, 'fs');
        assert.equal(p.active, true);
        assert.equal(p.target_path, mnt);
        assert.equal(p.source.device, loop);
        assert.equal(p.source.format, 'ext4');
        assert.ok(mounted(mnt), 'libvirt mounted the file system');
        assert.ok(p.capacity_bytes > 40 * MIB && p.capacity_bytes < 64 * MIB, `capacity ${p.capacity_bytes}`);
        assert.ok(p.available_bytes > 0 && p.available_bytes <= p.capacity_bytes);
    });

    it('refuses a volume or an upload larger than the free space with 507, and creates nothing', async () => {
        assertError(await admin.post(`/api/pools/${pool}/volumes`, { name: 'big.img', capacity_bytes: 100 * MIB, format: 'raw' }),
            507, 'insufficient_storage');
        const file = path.join(tmp, 'src.bin');
        await writeRandomFile(file, 80 * MIB);
        const up = await uploadFile(admin, pool, 'toobig.iso', file);
        assert.equal(up.status, 507, up.text);
        fs.rmSync(file);
        // (an ext4 root has lost+found, which libvirt lists as a directory volume)
        const vols = assertJson(await admin.get(`/api/pools/${pool}/volumes`), 200, 'list');
        assert.deepEqual(vols.volumes.filter((v) => v.type !== 'dir').map((v) => v.name), []);
    });

    it('uploads into the mounted pool and reads the bytes back', async () => {
        const file = path.join(tmp, 'small.bin');
        const sha = await writeRandomFile(file, 8 * MIB);
        const up = await uploadFile(admin, pool, 'small.img', file);
        assert.equal(up.status, 201, up.text);
        assert.equal(up.json.path, path.join(mnt, 'small.img'));
        assert.ok(fs.existsSync(path.join(mnt, 'small.img')));
        const down = await download(admin, pool, 'small.img');
        assert.equal(down.sha256, sha);
        const vols = assertJson(await admin.get(`/api/pools/${pool}/volumes`), 200, 'list');
        assert.deepEqual(vols.volumes.filter((v) => v.type !== 'dir').map((v) => v.name), ['small.img']);
    });

    it('stops (unmounts) and deletes the pool; the volume stays on the file system', async () => {
        assertJson(await admin.req('DELETE', `/api/pools/${pool}/volumes/small.img`), 200, 'delete volume');
        const stopped = assertJson(await admin.post(`/api/pools/${pool}/stop`), 200, 'stop');
        assert.equal(stopped.active, false);
        assert.ok(!mounted(mnt), 'unmounted');
        assertJson(await admin.req('DELETE', `/api/pools/${pool}`), 200, 'delete pool');
        assertError(await admin.get(`/api/pools/${pool}`), 404, 'not_found');
    });
});
