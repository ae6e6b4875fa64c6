// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/domain-tuning-qemu.test.mjs — the tuning members of
// PATCH /api/domains/{uuid} applied live on the machine's real libvirtd (qemu:///system),
// checked in QEMU's own view, which the test driver cannot give: vCPU pins with
// `virsh vcpupin`, a disk's I/O limits with `virsh blkdeviotune`, CPU shares in the live
// XML; each also in the persistent definition, and next_boot [] for all three. A
// diskless-booting (network boot, no NIC: the firmware idles) vdtest- VM with 2 vCPUs
// and a small qcow2 disk in a vdtest- dir pool in a temporary directory, made through
// the API (the VM defined with virsh: the create route is another slice's). after()
// removes the VM, the volume, the pool and the directory even when a test fails.
// Run under `flock /tmp/vd-qemu.lock` (the shared libvirtd). Needs the merge of C's
// virt_tuning* with B's PATCH route (until then PATCH is 405).
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

const PW = 'admin-pass-tuneq-1';

describe('tuning a running VM on qemu:///system', () => {
    const tag = crypto.randomBytes(4).toString('hex');
    const pool = `vdtest-pool-${tag}`;
    const vm = `vdtest-tune-${tag}`;
    const vol = `vdtest-tune-${tag}.qcow2`;
    let tmp;
    let d;
    let admin;
    let uuid;
    let hostCpus;

    const run = (args) => {
        const r = virsh(args);
        assert.ok(r.ok, `virsh ${args.join(' ')}: ${r.stderr}`);
        return r.stdout;
    };
    const patch = async (body) => {
        const out = assertJson(await admin.req('PATCH', `/api/domains/${uuid}`, { body }), 200, JSON.stringify(body));
        assert.deepEqual(out.next_boot, [], `${JSON.stringify(body)} applies live`);
        return out;
    };

    before(async () => {
        await ensureSystemLibvirtd();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-tuneq-'));
        fs.chmodSync(tmp, 0o755); // QEMU runs as its own user and must reach the pool's files
        d = await startDaemon({ uri: SYSTEM_URI, users: [{ name: 'admin', role: 'admin', password: PW }], config: { pool_roots: tmp } });
        admin = new Client(d);
        await admin.login('admin', PW);
        const caps = assertJson(await admin.get('/api/host/capabilities'), 200, 'capabilities').host;
        hostCpus = Math.max(...caps.numa.flatMap((c) => c.cpus)) + 1;

        assertJson(await admin.post('/api/pools', { name: pool, type: 'dir', target_path: path.join(tmp, 'pool'), build: true }),
            201, 'create pool');
        const disk = assertJson(await admin.post(`/api/pools/${pool}/volumes`, { name: vol, capacity_bytes: 16 << 20, format: 'qcow2' }),
            201, 'create qcow2 volume');
        const xml = el('domain', { type: domainType() }, [
            el('name', {}, vm),
            el('memory', { unit: 'MiB' }, '256'),
            el('vcpu', {}, '2'),
            el('os', {}, [el('type', { arch: 'x86_64' }, 'hvm'), el('boot', { dev: 'network' })]),
            el('on_poweroff', {}, 'destroy'),
            el('devices', {}, [
                el('disk', { type: 'file', device: 'disk' }, [
                    el('driver', { name: 'qemu', type: 'qcow2' }), el('source', { file: disk.path }),
                    el('target', { dev: 'vda', bus: 'virtio' }),
                ]),
                el('graphics', { type: 'vnc', autoport: 'yes', listen: '127.0.0.1' }),
            ]),
        ]).toString();
        const file = path.join(tmp, 'vm.xml');
        fs.writeFileSync(file, xml);
        run(['define', file]);
        uuid = run(['domuuid', vm]).trim();
        assertJson(await admin.post(`/api/domains/${uuid}/start`), 200, 'start');
    });

    after(async () => {
        virsh(['destroy', vm]);
        virsh(['undefine', vm]);
        virsh(['vol-delete', '--pool', pool, vol]);
        virsh(['pool-destroy', pool]);
        virsh(['pool-undefine', pool]);
        if (d) await d.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('vcpupin applies live: virsh vcpupin shows the pins', async () => {
        const last = String(hostCpus - 1);
        await patch({ vcpupin: [{ vcpu: 0, cpuset: last }, { vcpu: 1, cpuset: '0' }] });
        const affinity = (flags) => Object.fromEntries([...run(['vcpupin', ...flags, vm]).matchAll(/^\s*(\d+)\s+(\S+)\s*$/gm)]
            .map((m) => [m[1], m[2]]));
        assert.deepEqual(affinity(['--live']), { 0: last, 1: '0' }, 'QEMU threads pinned');
        assert.deepEqual(affinity(['--config']), { 0: last, 1: '0' }, 'kept for the next boot');
    });

    it('iotune applies live: virsh blkdeviotune shows the limits, 0 lifts them', async () => {
        const limits = (flags) => Object.fromEntries([...run(['blkdeviotune', ...flags, vm, 'vda'])
            .matchAll(/^(\w+)\s*:\s*(\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
        await patch({ iotune: [{ target: 'vda', read_iops_sec: 500, write_bytes_sec: 1048576 }] });
        let live = limits(['--live']);
        assert.equal(live.read_iops_sec, 500);
        assert.equal(live.write_bytes_sec, 1048576);
        assert.equal(live.total_iops_sec, 0);
        assert.equal(limits(['--config']).read_iops_sec, 500);
        await patch({ iotune: [{ target: 'vda' }] });
        live = limits(['--live']);
        assert.equal(live.read_iops_sec, 0);
        assert.equal(live.write_bytes_sec, 0);
    });

    it('cputune shares apply live: the live XML has them', async () => {
        const out = await patch({ cputune: { shares: 512 } });
        assert.equal(out.detail.config.cputune.shares, 512);
        assert.match(run(['dumpxml', vm]), /<shares>512<\/shares>/);
        assert.match(run(['dumpxml', '--inactive', vm]), /<shares>512<\/shares>/);
    });
});
