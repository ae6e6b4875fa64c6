// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/delete-domain-qemu.test.mjs — DELETE /api/domains/{uuid} against the
// machine's real libvirtd (qemu:///system): a dir pool in a fresh temporary directory
// with two qcow2 volumes (made through the API), a shut-off vdtest- VM using both
// (defined with virsh: virtdeck has no "define domain" endpoint). Deleting it with
// volumes "all" undefines it with every metadata flag the QEMU driver takes and removes
// both files from disk. Run under `flock /tmp/vd-qemu.lock` (the shared libvirtd).
// after() undefines the VM and the pool even when a test fails and removes the directory.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertJson } from '../lib/api-assert.mjs';
import { SYSTEM_URI, domainType, el, ensureSystemLibvirtd, virsh } from '../lib/system-libvirtd.mjs';

const PW = 'admin-pass-delq-1';
const MIB = 1024 ** 2;

describe('deleting a VM on qemu:///system', () => {
    const tag = crypto.randomBytes(4).toString('hex');
    const pool = `vdtest-delpool-${tag}`;
    const vm = `vdtest-del-${tag}`;
    const uuid = crypto.randomUUID();
    let tmp;
    let dir;
    let d;
    let admin;

    before(async () => {
        await ensureSystemLibvirtd();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vdtest-delq-'));
        dir = path.join(tmp, 'pool');
        d = await startDaemon({ uri: SYSTEM_URI, users: [{ name: 'admin', role: 'admin', password: PW }], config: { pool_roots: tmp } });
        admin = new Client(d);
        await admin.login('admin', PW);
        assertJson(await admin.post('/api/pools', { name: pool, type: 'dir', target_path: dir, build: true }), 201, 'pool');
        for (const name of ['a.qcow2', 'b.qcow2']) {
            assertJson(await admin.post(`/api/pools/${pool}/volumes`, { name, capacity_bytes: 64 * MIB, format: 'qcow2' }), 201, name);
        }
        const disk = (file, dev) => el('disk', { type: 'file', device: 'disk' }, [
            el('driver', { name: 'qemu', type: 'qcow2' }), el('source', { file }), el('target', { dev, bus: 'virtio' })]);
        const xml = el('domain', { type: domainType() }, [
            el('name', {}, vm), el('uuid', {}, uuid), el('memory', { unit: 'MiB' }, '128'), el('vcpu', {}, '1'),
            el('os', {}, [el('type', { arch: 'x86_64' }, 'hvm')]),
            el('devices', {}, [disk(path.join(dir, 'a.qcow2'), 'vda'), disk(path.join(dir, 'b.qcow2'), 'vdb')]),
        ]).toString();
        const file = path.join(tmp, 'vm.xml');
        fs.writeFileSync(file, xml);
        const r = virsh(['define', file]);
        assert.ok(r.ok, `virsh define: ${r.stderr}`);
    });
    after(async () => {
        if (admin) admin.close();
        if (d) await d.stop();
        virsh(['undefine', '--nvram', vm]);
        virsh(['pool-destroy', pool]);
        virsh(['pool-undefine', pool]);
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('lists both volumes, then "all" removes the VM and both files', async () => {
        const vols = assertJson(await admin.get(`/api/domains/${uuid}/volumes`), 200, 'volumes');
        assert.deepEqual(vols.map((v) => [v.pool, v.name, v.path, v.shared_with.length]),
            [[pool, 'a.qcow2', path.join(dir, 'a.qcow2'), 0], [pool, 'b.qcow2', path.join(dir, 'b.qcow2'), 0]]);
        assert.ok(fs.existsSync(path.join(dir, 'a.qcow2')) && fs.existsSync(path.join(dir, 'b.qcow2')));

        const out = assertJson(await admin.req('DELETE', `/api/domains/${uuid}`, { body: { volumes: 'all' } }), 200, 'delete');
        assert.deepEqual(out.undefine_flags, ['snapshots_metadata', 'managed_save', 'nvram', 'checkpoints_metadata'],
            'the QEMU driver takes every flag');
        assert.deepEqual(out.removed, [{ pool, name: 'a.qcow2' }, { pool, name: 'b.qcow2' }]);
        assert.deepEqual(out.kept, []);
        assert.equal(virsh(['dominfo', uuid]).ok, false, 'libvirt no longer knows the VM');
        assert.equal(fs.existsSync(path.join(dir, 'a.qcow2')), false);
        assert.equal(fs.existsSync(path.join(dir, 'b.qcow2')), false);
    });
});
