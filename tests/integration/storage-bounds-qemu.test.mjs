// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/storage-bounds-qemu.test.mjs — what the web admin may reach through
// storage pools on the machine's real libvirtd (qemu:///system):
//  - a symbolic link in a `dir` pool that leads to a file outside it is listed with
//    "outside_pool": true, and its download, HEAD, upload, wipe, resize and clone are
//    refused with 403 outside_pool without a byte of the outside file read or changed
//    (SHA-256 before and after); deleting it removes only the link; a volume created
//    over a dangling link is refused (qemu-img would write through it);
//  - `pool_roots`: a pool whose target is outside the roots, or reaches outside them
//    through a link, is refused with 403 outside_pool_roots and nothing is defined
//    (`virsh pool-list --all`) or built; a type outside `pool_types` is refused with 403
//    pool_type_not_allowed; a pool defined elsewhere whose directory is a link out of
//    the roots serves nothing.
// Pools defined with virsh are `vdtest-…`, transient, and destroyed in after() with the
// temporary directories, even when a test fails.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { SYSTEM_URI, ensureSystemLibvirtd, virsh } from '../lib/system-libvirtd.mjs';
import { download, hashFile, uploadFile, writeRandomFile } from '../lib/transfer.mjs';

const PW = 'admin-pass-bounds-1';
const MIB = 1024 * 1024;
const tag = () => crypto.randomBytes(4).toString('hex');

/** Defines and starts a transient dir pool on dir with virsh (not through virtdeck). */
function virshPool(name, dir) {
    const r = virsh(['pool-create-as', name, 'dir', '--target', dir]);
    assert.ok(r.ok, `pool-create-as ${name}: ${r.stderr}`);
}

const poolNames = () => virsh(['pool-list', '--all', '--name']).stdout.split('\n').map((s) => s.trim()).filter(Boolean);

async function startAdmin(config) {
    const d = await startDaemon({ uri: SYSTEM_URI, users: [{ name: 'admin', role: 'admin', password: PW }], config });
    const admin = new Client(d);
    await admin.login('admin', PW);
    return { d, admin };
}

describe('a symbolic link in a dir pool that leads out of it', () => {
    const pool = `vdtest-link-${tag()}`;
    const V = `/api/pools/${pool}/volumes`;
    let tmp;
    let poolDir;
    let outside;
    let outsideHash;
    let d;
    let admin;

    before(async () => {
        await ensureSystemLibvirtd();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vdtest-bounds-'));
        poolDir = path.join(tmp, 'pool');
        fs.mkdirSync(poolDir);
        outside = path.join(tmp, 'outside.bin');
        outsideHash = await writeRandomFile(outside, MIB);
        fs.symlinkSync(outside, path.join(poolDir, 'escape.img'));
        fs.symlinkSync(path.join(tmp, 'nowhere.qcow2'), path.join(poolDir, 'dangling.qcow2'));
        await writeRandomFile(path.join(poolDir, 'inside.img'), MIB);
        virshPool(pool, poolDir);
        ({ d, admin } = await startAdmin());
    });

    after(async () => {
        admin?.close();
        if (d) await d.stop();
        virsh(['pool-destroy', pool]);
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('lists the link with "outside_pool": true and a plain file with false', async () => {
        const vols = assertJson(await admin.get(V), 200, 'list').volumes;
        const byName = Object.fromEntries(vols.map((v) => [v.name, v]));
        assert.deepEqual(Object.keys(byName).sort(), ['escape.img', 'inside.img'], 'libvirt lists the link, not the dangling one');
        assert.equal(byName['escape.img'].outside_pool, true);
        assert.equal(byName['inside.img'].outside_pool, false);
        assert.equal(assertJson(await admin.get(`${V}/escape.img`), 200, 'get').outside_pool, true);
    });

    it('refuses its download and HEAD with 403 outside_pool, sending none of the file', async () => {
        for (const method of ['GET', 'HEAD']) {
            const r = await download(admin, pool, 'escape.img', { method, keep: true });
            assert.equal(r.status, 403, `${method}: ${r.body}`);
            assert.match(r.headers['content-type'], /^application\/json/, method);
            if (method === 'GET') {
                const body = JSON.parse(r.body.toString());
                assert.equal(body.error.code, 'outside_pool');
                assert.match(body.error.message, /escape\.img/);
                assert.ok(r.bytes < 1024, 'an error, not the file');
            }
        }
        // the file inside the pool still downloads
        const ok = await download(admin, pool, 'inside.img');
        assert.equal(ok.status, 200);
        assert.equal(ok.bytes, MIB);
    });

    it('refuses an upload into it with 403 outside_pool and leaves the outside file unchanged', async () => {
        const src = path.join(tmp, 'upload.bin');
        await writeRandomFile(src, MIB);
        const up = await uploadFile(admin, pool, 'escape.img', src);
        assert.equal(up.status, 403, up.text);
        assert.equal(up.json.error.code, 'outside_pool');
        assert.equal(await hashFile(outside), outsideHash, 'the outside file is unchanged');
    });

    it('refuses wipe, resize and clone (403), changing nothing', async () => {
        assertError(await admin.post(`${V}/escape.img/wipe`), 403, 'outside_pool', 'wipe');
        assertError(await admin.post(`${V}/escape.img/resize`, { capacity_bytes: 2 * MIB }), 403, 'outside_pool', 'resize');
        assertError(await admin.post(`${V}/escape.img/clone`, { name: 'copy.img' }), 403, 'outside_pool', 'clone');
        assert.ok(!fs.existsSync(path.join(poolDir, 'copy.img')), 'no clone');
        assert.equal(fs.statSync(outside).size, MIB);
        assert.equal(await hashFile(outside), outsideHash, 'the outside file is unchanged');
    });

    it('refuses a volume over a dangling link (409) and writes nothing where it leads', async () => {
        assertError(await admin.post(V, { name: 'dangling.qcow2', format: 'qcow2', capacity_bytes: MIB }), 409, 'conflict');
        assert.ok(!fs.existsSync(path.join(tmp, 'nowhere.qcow2')), 'nothing created through the link');
    });

    it('deletes the link, not the file it leads to', async () => {
        assertJson(await admin.req('DELETE', `${V}/escape.img`), 200, 'delete');
        assert.ok(!fs.existsSync(path.join(poolDir, 'escape.img')), 'the link is gone');
        assert.equal(await hashFile(outside), outsideHash, 'the outside file stays');
    });
});

describe('pool_roots and pool_types', () => {
    const name = `vdtest-roots-${tag()}`;
    const linked = `vdtest-swap-${tag()}`;
    let tmp;
    let roots;
    let elsewhere;
    let d;
    let admin;

    before(async () => {
        await ensureSystemLibvirtd();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vdtest-roots-'));
        roots = path.join(tmp, 'roots');
        elsewhere = path.join(tmp, 'elsewhere');
        fs.mkdirSync(roots);
        fs.mkdirSync(elsewhere);
        await writeRandomFile(path.join(elsewhere, 'data.img'), MIB);
        fs.symlinkSync(elsewhere, path.join(roots, 'swap'));
        ({ d, admin } = await startAdmin({ pool_roots: roots }));
    });

    after(async () => {
        admin?.close();
        if (d) await d.stop();
        for (const p of [name, linked]) {
            virsh(['pool-destroy', p]);
            virsh(['pool-undefine', p]);
        }
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('creates a dir pool inside a root', async () => {
        const dir = path.join(roots, 'p1');
        const p = assertJson(await admin.post('/api/pools', { name, type: 'dir', target_path: dir, build: true }), 201, 'create');
        assert.equal(p.target_path, dir);
        assert.ok(fs.statSync(dir).isDirectory());
        assertJson(await admin.req('DELETE', `/api/pools/${name}`), 200, 'delete');
    });

    it('refuses a target outside the roots, or reaching outside through a link: 403, nothing defined or built', async () => {
        for (const target of [path.join(elsewhere, 'p2'), path.join(roots, 'swap', 'p2')]) {
            const e = assertError(await admin.post('/api/pools', { name, type: 'dir', target_path: target, build: true }),
                403, 'outside_pool_roots', target);
            assert.ok(e.message.includes(roots), `the message names the root: ${e.message}`);
            assert.ok(!poolNames().includes(name), `${target}: no pool defined`);
            assert.ok(!fs.existsSync(path.join(elsewhere, 'p2')), `${target}: nothing built`);
        }
    });

    it('refuses a type outside pool_types (fs by default) with 403', async () => {
        const e = assertError(await admin.post('/api/pools', {
            name, type: 'fs', target_path: path.join(roots, 'mnt'), source_device: '/dev/vdtest-none',
        }), 403, 'pool_type_not_allowed');
        assert.match(e.message, /dir, netfs, iscsi, rbd/);
        assert.ok(!poolNames().includes(name));
    });

    it('serves nothing from a pool defined elsewhere whose directory is a link out of the roots', async () => {
        virshPool(linked, path.join(roots, 'swap'));
        const vols = assertJson(await admin.get(`/api/pools/${linked}/volumes`), 200, 'list').volumes;
        assert.deepEqual(vols.map((v) => [v.name, v.outside_pool]), [['data.img', true]]);
        const r = await download(admin, linked, 'data.img', { keep: true });
        assert.equal(r.status, 403);
        assert.equal(JSON.parse(r.body.toString()).error.code, 'outside_pool');
    });
});
