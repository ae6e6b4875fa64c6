// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/capabilities-qemu.test.mjs — GET /api/host/capabilities against the
// machine's own libvirtd (qemu:///system; run under `flock /tmp/vd-qemu.lock`): an x86_64
// host whose default emulator is KVM or QEMU, its CPU topology and NUMA memory, and UEFI
// offered with the OVMF firmware of Debian's ovmf package (packaging/install-deps.sh
// installs it), BIOS too; the disk buses and TPM the emulator offers. Creates nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertJson } from '../lib/api-assert.mjs';
import { SYSTEM_URI, ensureSystemLibvirtd } from '../lib/system-libvirtd.mjs';

const PW = 'viewer-pass-capq-1';

describe('GET /api/host/capabilities (qemu:///system)', () => {
    let d;
    let viewer;

    before(async () => {
        await ensureSystemLibvirtd();
        d = await startDaemon({ uri: SYSTEM_URI, users: [{ name: 'viewer', role: 'viewer', password: PW }] });
        viewer = new Client(d);
        await viewer.login('viewer', PW);
    });
    after(async () => {
        if (viewer) viewer.close();
        if (d) await d.stop();
    });

    it('an x86_64 host with KVM or QEMU, UEFI from ovmf, BIOS, virtio disks', async () => {
        const caps = assertJson(await viewer.get('/api/host/capabilities'), 200);
        assert.equal(caps.host.arch, 'x86_64');
        assert.ok(caps.host.cpu.sockets >= 1 && caps.host.cpu.cores >= 1 && caps.host.cpu.threads >= 1,
            JSON.stringify(caps.host.cpu));
        assert.ok(caps.host.numa.length >= 1);
        assert.ok(caps.host.numa[0].memory_kib > 0);
        assert.ok(caps.host.numa[0].cpus.length >= 1);
        const dom = caps.domain;
        assert.ok(dom, 'qemu has domain capabilities');
        assert.equal(dom.arch, 'x86_64');
        assert.ok(['kvm', 'qemu'].includes(dom.domain), dom.domain);
        assert.ok(dom.emulator.endsWith('qemu-system-x86_64'));
        assert.equal(dom.firmware.uefi, true);
        assert.equal(dom.firmware.bios, true);
        assert.ok(dom.firmware.loaders.some((p) => p.startsWith('/usr/share/OVMF/')),
            `OVMF listed: ${dom.firmware.loaders.join(' ')}`);
        assert.ok(dom.disk_buses.includes('virtio') && dom.disk_buses.includes('sata'));
        assert.ok(dom.cpu_modes.includes('custom'));
        assert.ok(caps.cpu_models.length >= 1);
        assert.deepEqual(caps.cpu_models, dom.cpu_models);
        const x86 = caps.host.guests.find((g) => g.arch === 'x86_64');
        assert.ok(x86.machines.includes('q35'));
        assert.equal(typeof dom.tpm.supported, 'boolean');
    });
});
