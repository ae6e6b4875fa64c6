// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/domain-configure-qemu.test.mjs — PATCH /api/domains/{uuid} on the
// machine's real libvirtd (qemu:///system), where live changes reach QEMU: a diskless
// network-boot VM (TCG, 1 of 2 vCPUs, a VNC display with a password, no NIC: it only needs to run) is
// defined with virsh and started; then vCPUs 1 → 2 is hot-plugged (`virsh vcpucount
// --live`), a max_vcpus change waits for the next boot (next_boot and the detail's
// "pending"), and a new VNC password reaches the running display (the live XML with
// --security-info). after() removes the VM even when a test fails. Run under
// `flock /tmp/vd-qemu.lock` (the shared system libvirtd).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertJson } from '../lib/api-assert.mjs';
import { SYSTEM_URI, el, ensureSystemLibvirtd, virsh } from '../lib/system-libvirtd.mjs';

const PW = 'admin-pass-cfgq-1';

describe('configuring a running VM on qemu:///system', () => {
    const vm = `vdtest-cfg-${crypto.randomBytes(4).toString('hex')}`;
    let tmp;
    let d;
    let op;
    let uuid;

    const patch = (body) => op.req('PATCH', `/api/domains/${uuid}`, { body });
    const vcpucount = (flag) => {
        const r = virsh(['vcpucount', vm, flag, '--current']);
        assert.ok(r.ok, `virsh vcpucount: ${r.stderr}`);
        return Number(r.stdout.trim());
    };

    before(async () => {
        await ensureSystemLibvirtd();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-cfgq-'));
        const xml = el('domain', { type: 'qemu' }, [
            el('name', {}, vm),
            el('memory', { unit: 'MiB' }, '256'),
            el('vcpu', { current: '1' }, '2'),
            el('os', {}, [el('type', { arch: 'x86_64' }, 'hvm'), el('boot', { dev: 'network' })]),
            el('features', {}, [el('acpi'), el('apic')]),
            el('on_poweroff', {}, 'destroy'),
            // started with a password: QEMU changes the password of a display that has one
            // (set_password), it cannot add one to a display started without
            el('devices', {}, [el('graphics', { type: 'vnc', autoport: 'yes', listen: '127.0.0.1', passwd: 'vd-pw-0' })]),
        ]).toString();
        const file = path.join(tmp, 'vm.xml');
        fs.writeFileSync(file, xml);
        let r = virsh(['define', file]);
        assert.ok(r.ok, `virsh define: ${r.stderr}`);
        uuid = virsh(['domuuid', vm]).stdout.trim();
        r = virsh(['start', vm]);
        assert.ok(r.ok, `virsh start: ${r.stderr}`);
        d = await startDaemon({ uri: SYSTEM_URI, users: [{ name: 'op', role: 'operator', password: PW }] });
        op = new Client(d);
        await op.login('op', PW);
    });

    after(async () => {
        virsh(['destroy', vm]);
        virsh(['undefine', vm, '--nvram']);
        if (op) op.close();
        if (d) await d.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('hot-plugs a vCPU: 1 → 2 live', async () => {
        assert.equal(vcpucount('--live'), 1);
        const out = assertJson(await patch({ vcpus: 2 }), 200, 'vcpus 2');
        assert.deepEqual(out.next_boot, []);
        assert.equal(vcpucount('--live'), 2, 'QEMU runs 2 vCPUs');
        assert.equal(vcpucount('--config'), 2, 'and the definition keeps them');
        assert.equal(out.detail.vcpus, 2);
    });

    it('a max_vcpus change waits for the next boot and stays pending', async () => {
        const out = assertJson(await patch({ max_vcpus: 4 }), 200, 'max_vcpus 4');
        assert.deepEqual(out.next_boot, ['max_vcpus']);
        assert.equal(out.detail.config.max_vcpus, 4);
        const r = virsh(['vcpucount', vm, '--maximum', '--live']);
        assert.equal(Number(r.stdout.trim()), 2, 'the running VM keeps its maximum');
        const detail = assertJson(await op.get(`/api/domains/${uuid}`), 200, 'detail');
        assert.deepEqual(detail.pending, ['max_vcpus']);
    });

    it('sets the VNC password of the running display', async () => {
        const out = assertJson(await patch({ vnc: { password: 'vd-pw-1' } }), 200, 'vnc password');
        assert.deepEqual(out.next_boot, [], 'QEMU takes a new VNC password live');
        assert.deepEqual(out.detail.config.vnc, { password_set: true, keymap: null });
        const live = virsh(['dumpxml', '--security-info', vm]);
        assert.match(live.stdout, /<graphics type='vnc'[^>]* passwd='vd-pw-1'/);
        const conf = virsh(['dumpxml', '--inactive', '--security-info', vm]);
        assert.match(conf.stdout, /<graphics type='vnc'[^>]* passwd='vd-pw-1'/);
        const keymap = assertJson(await patch({ vnc: { keymap: 'de' } }), 200, 'vnc keymap');
        assert.deepEqual(keymap.next_boot, ['vnc'], 'QEMU cannot change the keymap of a running display');
    });
});
