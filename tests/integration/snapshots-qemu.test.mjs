// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/snapshots-qemu.test.mjs — snapshots against the machine's real
// libvirtd (qemu:///system), where qemu really writes them into the qcow2 image (the
// test driver keeps only metadata): a running vdtest- VM with a small qcow2 disk is
// snapshotted with its memory (qemu-img lists the internal snapshot), destroyed, and
// reverted (it runs again: the memory came back); the snapshot is deleted (gone from the
// image too). A VM with a raw disk reports internal snapshots impossible, naming the disk,
// and a create is refused before libvirt. Run under `flock /tmp/vd-qemu.lock` (shared
// libvirtd). after() destroys and undefines both VMs with their snapshot metadata and
// removes the directory, also when a test fails.
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
import { SYSTEM_URI, domainType, el, ensureSystemLibvirtd, virsh } from '../lib/system-libvirtd.mjs';

const PW = 'operator-pass-snapq-1';

function run(cmd, args) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
}

/** A small VM (network boot: the firmware idles) with one disk file of format on vda. */
function vmXml(name, file, format) {
    return el('domain', { type: domainType() }, [
        el('name', {}, name),
        el('memory', { unit: 'MiB' }, '128'),
        el('vcpu', {}, '1'),
        el('os', {}, [el('type', { arch: 'x86_64' }, 'hvm'), el('boot', { dev: 'network' })]),
        el('devices', {}, [
            el('disk', { type: 'file', device: 'disk' }, [
                el('driver', { name: 'qemu', type: format }),
                el('source', { file }),
                el('target', { dev: 'vda', bus: 'virtio' }),
            ]),
            el('memballoon', { model: 'none' }),
        ]),
    ]).toString();
}

describe('snapshots on qemu:///system', () => {
    const tag = crypto.randomBytes(4).toString('hex');
    const vm = `vdtest-snap-${tag}`;
    const rawVm = `vdtest-snapraw-${tag}`;
    let tmp;
    let d;
    let op;
    let uuid;
    let rawUuid;
    let qcow2;

    const define = (name, file, format) => {
        const xmlFile = path.join(tmp, `${name}.xml`);
        fs.writeFileSync(xmlFile, vmXml(name, file, format));
        const r = virsh(['define', xmlFile]);
        assert.ok(r.ok, `virsh define: ${r.stderr}`);
        return virsh(['domuuid', name]).stdout.trim();
    };
    const state = async (id) => assertJson(await op.get(`/api/domains/${id}`), 200, 'domain').state;

    before(async () => {
        await ensureSystemLibvirtd();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vdtest-snapq-'));
        fs.chmodSync(tmp, 0o755); // QEMU runs as its own user and must reach the disks
        qcow2 = path.join(tmp, 'disk.qcow2');
        const raw = path.join(tmp, 'disk.raw');
        run('qemu-img', ['create', '-q', '-f', 'qcow2', qcow2, '64M']);
        run('qemu-img', ['create', '-q', '-f', 'raw', raw, '16M']);
        uuid = define(vm, qcow2, 'qcow2');
        rawUuid = define(rawVm, raw, 'raw');
        d = await startDaemon({ uri: SYSTEM_URI, users: [{ name: 'op', role: 'operator', password: PW }] });
        op = new Client(d);
        await op.login('op', PW);
    });
    after(async () => {
        if (op) op.close();
        if (d) await d.stop();
        for (const name of [vm, rawVm]) {
            virsh(['destroy', name]);
            virsh(['undefine', '--snapshots-metadata', name]);
        }
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('takes a snapshot with memory of a running qcow2 VM, reverts to it after a destroy, deletes it', async () => {
        assertJson(await op.post(`/api/domains/${uuid}/start`), 200, 'start');
        const url = `/api/domains/${uuid}/snapshots`;
        const list = assertJson(await op.get(url), 200, 'list');
        assert.deepEqual(list, { snapshots: [], can: { internal: true, memory: true } });

        const s = assertJson(await op.post(url, { name: 'vdtest-s1', description: 'running' }), 201, 'create');
        assert.equal(s.state, 'running');
        assert.equal(s.memory, true);
        assert.equal(s.kind, 'internal');
        assert.equal(s.current, true);
        assert.match(run('qemu-img', ['snapshot', '-l', '-U', qcow2]), /vdtest-s1/, 'the snapshot is in the image');

        assertJson(await op.post(`/api/domains/${uuid}/destroy`), 200, 'destroy');
        assert.equal(await state(uuid), 'shutoff');
        const back = assertJson(await op.post(`${url}/vdtest-s1/revert`), 200, 'revert');
        assert.equal(back.state, 'running', 'the memory came back: the VM runs again');

        assertJson(await op.req('DELETE', `${url}/vdtest-s1`), 200, 'delete');
        assert.deepEqual(assertJson(await op.get(url), 200, 'list after').snapshots, []);
        assert.doesNotMatch(run('qemu-img', ['snapshot', '-l', '-U', qcow2]), /vdtest-s1/, 'gone from the image');
    });

    it('reports internal snapshots impossible for a raw disk and refuses to create one', async () => {
        const url = `/api/domains/${rawUuid}/snapshots`;
        const list = assertJson(await op.get(url), 200, 'list');
        assert.deepEqual(list.can, {
            internal: false, reason: 'raw_disk', disk: 'vda', format: 'raw', memory: false, memory_reason: 'not_running',
        });
        assertError(await op.post(url, { name: 'vdtest-r1' }), 409, 'conflict', 'raw create');
        assert.deepEqual(assertJson(await op.get(url), 200, 'list after').snapshots, []);
    });
});
