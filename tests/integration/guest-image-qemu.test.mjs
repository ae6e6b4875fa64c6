// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/guest-image-qemu.test.mjs — the tests' own guest (tests/guest/,
// built by `make guest-image` from Debian packages into build/guest/) boots on the
// machine's real libvirtd (qemu:///system) and reads a NoCloud seed made by virtdeck's
// own module (server/virt/virt_nocloud.c, through the test tool tests/tools/nocloud_iso.c
// built next to the daemon under test).
//
// (1) A vdtest- VM boots a qcow2 overlay of guest.qcow2 (the "cloud image") with the seed
//     on a CD-ROM on a virtio-scsi controller; the guest's /init prints the host name it
//     read from the seed (meta-data's local-hostname, user-data's hostname) on its serial
//     console, then mounts its own disk and answers a command typed into that console.
//     (2) A vdtest- VM boots guest.iso from a SATA CD-ROM and prints "booted from
//     cdrom"; it has the seed on a second SATA CD-ROM too, and must report "no seed":
//     Debian's cloud kernel (that of its genericcloud images) has no AHCI driver, so once
//     booted it sees no SATA device (the BIOS reads the boot CD without the kernel).
//
// The serial console is a pty whose output libvirt's virtlogd also writes to a log file
// in the test's private directory; the test polls that file (bounded: 60 s per VM).
// Each VM is destroyed and undefined after its test, and again in after(). Run it under
// `flock /tmp/vd-qemu.lock` (the machine's libvirtd is shared).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../lib/daemon.mjs';
import { el, ensureSystemLibvirtd, virsh } from '../lib/system-libvirtd.mjs';
import { until } from '../lib/wait.mjs';

const GUEST_DIR = path.join(REPO_ROOT, 'build', 'guest');
const BOOT_TIMEOUT_MS = 60000;
// The test tools are built next to the daemon under test (build/ or build-asan/).
const TOOLS_DIR = path.join(path.dirname(process.env.VIRTDECK_BIN || path.join(REPO_ROOT, 'build', 'virtdeck')), 'tools');

/** Runs a program; throws with its output unless it exits 0. */
function run(cmd, args) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    assert.ok(!r.error && r.status === 0, `${cmd} ${args.join(' ')}: ${r.error || ''}${r.stderr}${r.stdout}`);
    return r.stdout;
}

/**
 * Domain XML: 256 MiB, one vCPU, the given disks, the serial console logged to logFile.
 * TCG on purpose: under KVM on this kind of host (nested) SeaBIOS stops with a KVM
 * "emulation failure" before it loads the kernel; TCG boots the guest in about 8 s.
 */
function guestXml({ name, boot, disks, logFile }) {
    return el('domain', { type: 'qemu' }, [
        el('name', {}, name),
        el('memory', { unit: 'MiB' }, '256'),
        el('vcpu', {}, '1'),
        el('os', {}, [el('type', { arch: 'x86_64' }, 'hvm'), el('boot', { dev: boot })]),
        el('on_poweroff', {}, 'destroy'),
        el('devices', {}, [
            el('controller', { type: 'scsi', model: 'virtio-scsi' }),
            ...disks,
            el('serial', { type: 'pty' }, [el('log', { file: logFile, append: 'off' }), el('target', { port: '0' })]),
            el('console', { type: 'pty' }, [el('target', { type: 'serial', port: '0' })]),
        ]),
    ]).toString();
}

const cdrom = (file, bus, dev) => el('disk', { type: 'file', device: 'cdrom' }, [
    el('driver', { name: 'qemu', type: 'raw' }), el('source', { file }), el('target', { dev, bus }), el('readonly'),
]);

describe('the tests\' guest image on qemu:///system', () => {
    const tag = crypto.randomBytes(4).toString('hex');
    const vms = [];
    let tmp;
    let seedIso;
    let seedVm;
    let isoVm;

    /** Defines and starts a VM; returns a function that reads its serial log so far. */
    function startVm(suffix, opts) {
        const name = `vdtest-guest-${tag}-${suffix}`;
        const logFile = path.join(tmp, `${suffix}-serial.log`);
        const file = path.join(tmp, `${suffix}.xml`);
        fs.writeFileSync(file, guestXml({ name, logFile, ...opts }));
        vms.push(name);
        let r = virsh(['define', file]);
        assert.ok(r.ok, `virsh define: ${r.stderr}`);
        r = virsh(['start', name]);
        assert.ok(r.ok, `virsh start: ${r.stderr}`);
        return { name, log: () => { try { return fs.readFileSync(logFile, 'latin1'); } catch { return ''; } } };
    }

    function removeVm(name) {
        virsh(['destroy', name]);
        virsh(['undefine', name]);
    }

    /** Waits for the guest's `virtdeck-guest: ready` line; returns the whole log. */
    async function booted(vm) {
        return until(() => (/virtdeck-guest: ready/.test(vm.log()) ? vm.log() : null), BOOT_TIMEOUT_MS,
            () => `${vm.name} did not finish booting; its serial console so far:\n${vm.log().slice(-3000)}`,
            { intervalMs: 200 });
    }

    before(async () => {
        for (const f of ['guest.qcow2', 'guest.iso']) {
            assert.ok(fs.existsSync(path.join(GUEST_DIR, f)), `no ${path.join(GUEST_DIR, f)}: run make guest-image`);
        }
        assert.ok(fs.existsSync(path.join(TOOLS_DIR, 'nocloud_iso')), `no ${TOOLS_DIR}/nocloud_iso: run make build`);
        await ensureSystemLibvirtd();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-guest-'));
        fs.chmodSync(tmp, 0o755); // QEMU runs as its own user and must reach the files
        seedIso = path.join(tmp, 'seed.iso');
        run(path.join(TOOLS_DIR, 'nocloud_iso'), [seedIso, `iid-vdtest-${tag}`, 'vdtest-seeded', 'debian',
            'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGtest "quoted" # not: a-comment']);
        fs.chmodSync(seedIso, 0o644);

        // Both VMs boot at once (one TCG thread each on this 2-core machine); each test
        // waits for its own.
        const disk = path.join(tmp, 'disk.qcow2');
        run('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', path.join(GUEST_DIR, 'guest.qcow2'), disk]);
        seedVm = startVm('seed', {
            boot: 'hd',
            disks: [
                el('disk', { type: 'file', device: 'disk' }, [
                    el('driver', { name: 'qemu', type: 'qcow2' }), el('source', { file: disk }), el('target', { dev: 'vda', bus: 'virtio' }),
                ]),
                cdrom(seedIso, 'scsi', 'sda'),
            ],
        });
        isoVm = startVm('iso', {
            boot: 'cdrom',
            disks: [cdrom(path.join(GUEST_DIR, 'guest.iso'), 'sata', 'sda'), cdrom(seedIso, 'sata', 'sdb')],
        });
    });

    after(() => {
        for (const name of vms) removeVm(name);
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('boots the cloud image (a qcow2 overlay) and reads the seed ISO made by virt_nocloud', async () => {
        const log = await booted(seedVm);
        assert.match(log, /virtdeck-guest: booted from disk/);
        assert.match(log, /virtdeck-guest: seed local-hostname=vdtest-seeded\r?\n/);
        assert.match(log, /virtdeck-guest: seed hostname=vdtest-seeded\r?\n/);

        // The root shell on ttyS0 takes typed commands: the guest mounts its own disk
        // (the FAT file system syslinux boots from) and answers with what only a shell
        // computes (the echo of the typed line shows "$((6*7))", the answer "42").
        const pty = virsh(['ttyconsole', seedVm.name]).stdout.trim();
        assert.match(pty, /^\/dev\/pts\/\d+$/, 'the serial console\'s pty');
        // QEMU reads the pty only once it has seen a client hold it open (it looks each
        // second, and drops what came before): empty lines until the shell answers one
        // with a new prompt, then the command, the pty open until the answer is there.
        const fd = fs.openSync(pty, 'r+');
        const prompts = () => seedVm.log().split('virtdeck-guest# ').length;
        const before = prompts();
        let typed;
        try {
            await until(() => {
                if (prompts() > before) return true;
                fs.writeSync(fd, '\n');
                return false;
            }, 20000, () => `the shell on the serial console does not answer:\n${seedVm.log().slice(-2000)}`,
            { intervalMs: 500 });
            fs.writeSync(fd, 'mount -t vfat -o ro /dev/vda /mnt/disk && ls /mnt/disk && echo "typed-$((6*7))"\n');
            typed = await until(() => (/typed-42/.test(seedVm.log()) ? seedVm.log() : null), 20000,
                () => `no answer on the serial console:\n${seedVm.log().slice(-2000)}`, { intervalMs: 200 });
        } finally {
            fs.closeSync(fd);
        }
        assert.match(typed.slice(log.length), /syslinux\.cfg/i, 'the guest lists its boot disk');
        removeVm(seedVm.name);
    });

    it('boots guest.iso from a SATA CD-ROM (and its kernel sees no SATA seed)', async () => {
        const log = await booted(isoVm);
        removeVm(isoVm.name);
        assert.match(log, /virtdeck-guest: booted from cdrom/);
        assert.match(log, /virtdeck-guest: no seed/);
        assert.doesNotMatch(log, /seed hostname=/);
    });
});
