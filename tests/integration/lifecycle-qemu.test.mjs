// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/lifecycle-qemu.test.mjs — one VM's whole life on the machine's real
// libvirtd (qemu:///system), through virtdeck's API only (virsh and qemu-img only look),
// each step proven inside the tests' own guest (build/guest/ from `make guest-image`) by
// commands typed into its root shell over virtdeck's serial websocket:
//  1. a VM from the guest's CD (guest.iso as an ISO volume) with start: true boots from
//     the CD (its kernel line says virtdeck.boot=cdrom);
//  2. a VM from the guest's disk as a linked cloud image with a cloud-init host name runs
//     with that host name, and QEMU sees its disk at the size asked (virsh domblkinfo),
//     not the image's;
//  3. a snapshot with memory of the running VM; a marker file written on its qcow2 disk
//     and synced; a revert: the VM runs on and the marker is gone from its disk;
//  4. a vCPU hot-plugged into the running VM (its maximum set before its first boot):
//     virsh vcpucount --live says 2, and the guest brings the new CPU online; 64 MiB of
//     its memory taken live: QEMU's balloon (virsh dommemstat) holds them, and the
//     guest's MemTotal is that much smaller (its virtio_balloon driver gave them);
//  5. the VM, shut off, cloned: a new UUID and MAC, its disk a whole copy (qemu-img info:
//     no backing file) carrying a file written before the clone, and the clone boots;
//  6. the clone marked as template; a linked VM from it (qemu-img info: backed by the
//     template's disk) runs and sees the template's file; a full copy has no backing;
//  7. DELETE with "all": the VM and its disk gone (virsh vol-list, the file) and the
//     template's disk behind it kept; with "none": the disk stays (then removed).
// Pinning and iotune live are domain-tuning-qemu's (virsh vcpupin, blkdeviotune). The
// VMs run TCG (domain_type = qemu: this machine's nested KVM cannot boot a kernel). Run under `flock /tmp/vd-qemu.lock` (the shared libvirtd).
// after() removes every VM, the pool and its directory even when a step fails; a failed
// step makes the later ones fail at once (they build on it).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../lib/daemon.mjs';
import { assertJson } from '../lib/api-assert.mjs';
import { guestRun } from '../lib/guest-shell.mjs';
import { until } from '../lib/wait.mjs';
import { virsh } from '../lib/system-libvirtd.mjs';
import { settleJob } from '../lib/jobs.mjs';
import { startQemuLab, stopQemuLab } from '../lib/qemu-lab.mjs';

const PW = 'admin-pass-life-1';
const GUEST_DIR = path.join(REPO_ROOT, 'build', 'guest');
const GIB = 1024 ** 3;

/** `qemu-img info --output=json` of a file (-U: a running VM holds its lock). */
function imageInfo(file) {
    const r = spawnSync('qemu-img', ['info', '-U', '--output=json', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `qemu-img info ${file}: ${r.stderr}`);
    return JSON.parse(r.stdout);
}

describe('a VM\'s life on qemu:///system, proven in the guest', () => {
    const tag = crypto.randomBytes(4).toString('hex');
    const pool = `vdtest-lifepool-${tag}`;
    const names = {
        iso: `vdtest-life-iso-${tag}`,
        vm: `vdtest-life-${tag}`,
        clone: `vdtest-life-clone-${tag}`,
        linked: `vdtest-life-linked-${tag}`,
        copy: `vdtest-life-copy-${tag}`,
    };
    const hostname = `life-${tag}`;
    const uuids = {};
    const lab = {};
    let dir;
    let admin;
    let cloneDisk;

    const detail = async (uuid) => assertJson(await admin.get(`/api/domains/${uuid}`), 200, 'detail');
    const action = async (uuid, verb) => assertJson(await admin.post(`/api/domains/${uuid}/${verb}`, {}), 200, verb);
    /**
     * The body of a 201, or of the job a 202 started (a whole copy of 64 MiB or more,
     * docs/api.md "Jobs"), followed with GET /api/jobs/{id} until it is done.
     */
    const settled = async (res, what) => {
        if (res.status !== 202) return assertJson(res, 201, what);
        const { job } = assertJson(res, 202, what);
        assert.equal(res.headers.location, `/api/jobs/${job.id}`);
        const end = await settleJob(admin, job.id, 120000);
        assert.equal(end.state, 'done', `${what}: ${JSON.stringify(end)}`);
        assert.equal(end.bytes_done, end.bytes_total);
        return end.result;
    };
    const create = async (body) => {
        const out = await settled(await admin.post('/api/domains', { memory_mib: 256, vcpus: 1, ...body }), `create ${body.name}`);
        uuids[body.name] = out.uuid;
        return out;
    };
    const volNames = () => virsh(['vol-list', '--pool', pool]).stdout.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean);
    const inGuest = (uuid, commands) => guestRun(admin, uuid, commands);
    const DISK = '/mnt/disk';
    const mountRw = `mount -t vfat /dev/vda ${DISK}`;
    const listDisk = `mount -t vfat -o ro /dev/vda ${DISK} && ls ${DISK}; umount ${DISK}`;

    before(async () => {
        for (const f of ['guest.qcow2', 'guest.iso']) {
            assert.ok(fs.existsSync(path.join(GUEST_DIR, f)), `no ${path.join(GUEST_DIR, f)}: run make guest-image`);
        }
        await startQemuLab(lab, { prefix: 'life', pool, admin: { name: 'admin', password: PW } });
        ({ dir, admin } = lab);
        fs.copyFileSync(path.join(GUEST_DIR, 'guest.iso'), path.join(dir, 'guest.iso'));
        fs.copyFileSync(path.join(GUEST_DIR, 'guest.qcow2'), path.join(dir, 'cloud.qcow2'));
        assertJson(await admin.post(`/api/pools/${pool}/refresh`, {}), 200, 'refresh');
    });

    after(() => stopQemuLab(lab, { pool, domains: Object.values(names) }));

    it('1-2. creates a VM from the guest CD and one from the guest disk as a cloud image; both boot as asked', async () => {
        // Both start at once (one TCG thread each on this 2-core machine); then each is asked.
        const iso = await create({ name: names.iso, source: { type: 'iso', volume: { pool, name: 'guest.iso' } },
            disk: { pool, size_gib: 1 }, network: null, start: true });
        const vm = await create({ name: names.vm, source: { type: 'cloud_image', image: { pool, name: 'cloud.qcow2' },
            linked: true, cloud_init: { hostname } }, disk: { size_gib: 1 }, network: { user: true } });
        assert.equal(vm.state, 'shutoff');
        // room for a vCPU to hot-plug later (step 4): a maximum is set before the boot
        const cfg = assertJson(await admin.req('PATCH', `/api/domains/${vm.uuid}`, { body: { max_vcpus: 2 } }), 200, 'max_vcpus');
        assert.deepEqual(cfg.next_boot, []);
        assert.equal((await action(vm.uuid, 'start')).state, 'running');
        assert.equal(iso.state, 'running');

        const [boot] = await inGuest(iso.uuid, ["sed -n 's/.*virtdeck\\.boot=\\([a-z]*\\).*/BOOT:\\1/p' /proc/cmdline"]);
        assert.equal(boot.trim(), 'BOOT:cdrom', 'the ISO VM booted from its CD (its new disk is empty)');

        const [name] = await inGuest(vm.uuid, ['hostname']);
        assert.equal(name.trim(), hostname, 'the guest took its host name from the cloud-init seed');
        assert.equal(imageInfo(path.join(dir, `${names.vm}-vda.qcow2`))['backing-filename'], path.join(dir, 'cloud.qcow2'));
        // QEMU's view of the overlay: the 1 GiB asked for, over a 32 MiB image.
        const blk = Object.fromEntries([...virsh(['domblkinfo', names.vm, 'vda']).stdout.matchAll(/^(\w+):\s+(\d+)$/gm)]
            .map((m) => [m[1], Number(m[2])]));
        assert.equal(blk.Capacity, GIB, 'virsh domblkinfo: QEMU sees the disk at its new size');
        assert.ok(imageInfo(path.join(dir, 'cloud.qcow2'))['virtual-size'] < GIB);
    });

    it('3. snapshots the running VM with memory, writes a file on its disk, reverts: the file is gone', async () => {
        const uuid = uuids[names.vm];
        const url = `/api/domains/${uuid}/snapshots`;
        assert.deepEqual(assertJson(await admin.get(url), 200, 'can').can, { internal: true, memory: true });
        const snap = assertJson(await admin.post(url, { name: 'before-marker' }), 201, 'snapshot');
        assert.equal(snap.memory, true);
        assert.equal(snap.state, 'running');

        const [written] = await inGuest(uuid, [`${mountRw} && echo changed > ${DISK}/vdmark.txt && sync && umount ${DISK} && ${listDisk}`]);
        assert.match(written, /vdmark\.txt/, 'the marker is on the disk');

        const back = assertJson(await admin.post(`${url}/before-marker/revert`, {}), 200, 'revert');
        assert.equal(back.state, 'running', 'the memory came back: the VM runs on');
        const [listed] = await inGuest(uuid, [listDisk]);
        assert.match(listed, /syslinux\.cfg/i, 'the guest lists its disk');
        assert.doesNotMatch(listed, /vdmark\.txt/, 'the marker is gone: the disk is as it was');
    });

    it('4. hot-plugs a vCPU into the running VM: QEMU runs it and the guest brings it online', async () => {
        const uuid = uuids[names.vm];
        const vcpucount = (flag) => Number(virsh(['vcpucount', names.vm, flag, '--current']).stdout.trim());
        const [before] = await inGuest(uuid, ['cat /sys/devices/system/cpu/online']);
        assert.equal(before.trim(), '0');
        const out = assertJson(await admin.req('PATCH', `/api/domains/${uuid}`, { body: { vcpus: 2 } }), 200, 'vcpus 2');
        assert.deepEqual(out.next_boot, [], 'applied live');
        assert.equal(vcpucount('--live'), 2, 'virsh vcpucount: QEMU runs 2 vCPUs');
        assert.equal(vcpucount('--config'), 2, 'and the definition keeps them');
        // Linux adds an ACPI hot-plugged CPU offline; the guest's shell onlines it.
        const [online] = await inGuest(uuid, ['echo 1 > /sys/devices/system/cpu/cpu1/online; cat /sys/devices/system/cpu/online']);
        assert.equal(online.trim(), '0-1', 'the guest runs on the new vCPU');
    });

    it('4b. takes 64 MiB from the running VM: QEMU\'s balloon holds them and the guest has them no more', async () => {
        const uuid = uuids[names.vm];
        const memTotalKib = async () => Number(/MemTotal:\s+(\d+) kB/.exec((await inGuest(uuid, ['cat /proc/meminfo']))[0])[1]);
        const balloonKib = () => Number(/^actual (\d+)$/m.exec(virsh(['dommemstat', '--live', names.vm]).stdout)?.[1]);
        assert.equal(balloonKib(), 256 * 1024, `virsh dommemstat: ${virsh(['dommemstat', '--live', names.vm]).stdout}`);
        const before = await memTotalKib();
        const out = assertJson(await admin.req('PATCH', `/api/domains/${uuid}`, { body: { memory_mib: 192 } }), 200, 'memory 192');
        assert.deepEqual(out.next_boot, [], 'applied live');
        // the whole step took 4.5-5.3 s in four runs here; the bound is for a loaded machine
        await until(() => balloonKib() === 192 * 1024, 60000,
            () => `virsh dommemstat: the guest did not give the memory back: ${virsh(['dommemstat', '--live', names.vm]).stdout}`,
            { intervalMs: 250 });
        const gone = before - await memTotalKib();
        assert.ok(gone >= 60 * 1024 && gone <= 64 * 1024, `the guest's MemTotal fell by ${gone} KiB, not about 64 MiB`);
        assert.match(virsh(['dumpxml', '--inactive', names.vm]).stdout, /<currentMemory unit='KiB'>196608<\/currentMemory>/,
            'the definition keeps it');
    });

    it('5. clones the shut-off VM: new UUID and MAC, a whole copy of its disk, and the clone boots', async () => {
        const uuid = uuids[names.vm];
        // a file the clone must carry: written after the revert, before the copy
        await inGuest(uuid, [`${mountRw} && echo kept > ${DISK}/vdkept.txt && sync && umount ${DISK}`]);
        await action(uuid, 'destroy');
        const src = await detail(uuid);
        const res = await admin.post(`/api/domains/${uuid}/clone`, { name: names.clone });
        assert.equal(res.status, 202, 'about 100 MiB written on the disk: the copy is a job');
        const out = await settled(res, 'clone');
        uuids[names.clone] = out.domain.uuid;
        assert.notEqual(out.domain.uuid, uuid, 'a new UUID');
        assert.equal(out.domain.interfaces.length, 1);
        assert.notEqual(out.domain.interfaces[0].mac, src.interfaces[0].mac, 'a new MAC');
        assert.deepEqual(out.copies.map((c) => [c.target, c.name]), [['vda', `${names.clone}-vda.qcow2`]]);
        cloneDisk = out.copies[0].path;
        const info = imageInfo(cloneDisk);
        assert.equal(info['backing-filename'], undefined, 'a whole copy: no backing file');
        assert.equal(info['virtual-size'], GIB);

        await action(out.domain.uuid, 'start');
        const [name, listed] = await inGuest(out.domain.uuid, ['hostname', listDisk]);
        assert.equal(name.trim(), hostname, 'the clone shares the seed CD');
        assert.match(listed, /vdkept\.txt/, 'the copy holds what the source had written');
        await action(out.domain.uuid, 'destroy');
    });

    it('6. marks the clone as template; a linked VM from it is backed by its disk and runs; a full copy is whole', async () => {
        const tmpl = uuids[names.clone];
        assert.equal(assertJson(await admin.post(`/api/domains/${tmpl}/template`, { template: true }), 200, 'mark').template, true);

        const linked = await create({ name: names.linked, source: { type: 'template', template: tmpl, linked: true }, start: true });
        assert.equal(linked.state, 'running');
        const linkedDisk = path.join(dir, `${names.linked}-vda.qcow2`);
        assert.equal(linked.disks[0].source, linkedDisk);
        const info = imageInfo(linkedDisk);
        assert.equal(info['backing-filename'], cloneDisk, 'qemu-img info: the template\'s disk is the backing file');
        assert.equal(info['backing-filename-format'], 'qcow2');
        const [listed] = await inGuest(linked.uuid, [listDisk]);
        assert.match(listed, /vdkept\.txt/, 'the linked VM reads the template\'s disk through its overlay');

        const copy = await create({ name: names.copy, source: { type: 'template', template: tmpl, linked: false } });
        assert.equal(copy.state, 'shutoff');
        assert.equal(imageInfo(copy.disks[0].source)['backing-filename'], undefined, 'a full copy has no backing file');
    });

    it('7. deletes with "all" (the disks go, the backing template disk stays) and with "none" (the disk stays)', async () => {
        const linked = uuids[names.linked];
        const linkedDisk = `${names.linked}-vda.qcow2`;
        await action(linked, 'destroy');
        assert.ok(volNames().includes(linkedDisk));
        const gone = assertJson(await admin.req('DELETE', `/api/domains/${linked}`, { body: { volumes: 'all' } }), 200, 'delete all');
        assert.deepEqual(gone.removed, [{ pool, name: linkedDisk }]);
        assert.equal(virsh(['dominfo', names.linked]).ok, false, 'libvirt no longer knows the VM');
        assert.equal(volNames().includes(linkedDisk), false, 'virsh vol-list: the volume is gone');
        assert.equal(fs.existsSync(path.join(dir, linkedDisk)), false, 'and its file');
        assert.ok(fs.existsSync(cloneDisk), 'the template\'s disk behind it stays');

        const iso = uuids[names.iso];
        const isoDisk = `${names.iso}-vda.qcow2`;
        await action(iso, 'destroy');
        const kept = assertJson(await admin.req('DELETE', `/api/domains/${iso}`, { body: { volumes: 'none' } }), 200, 'delete none');
        assert.deepEqual(kept.removed, []);
        assert.equal(virsh(['dominfo', names.iso]).ok, false, 'libvirt no longer knows the VM');
        assert.ok(volNames().includes(isoDisk), 'virsh vol-list: the volume stays');
        assert.ok(volNames().includes('guest.iso'), 'and the CD it booted from');
        assertJson(await admin.req('DELETE', `/api/pools/${pool}/volumes/${isoDisk}`), 200, 'remove the kept volume');
        assert.equal(fs.existsSync(path.join(dir, isoDisk)), false);

        // The rest, each with its disks: the VM with its snapshot, the copy, the template.
        for (const name of [names.vm, names.copy, names.clone]) {
            const out = assertJson(await admin.req('DELETE', `/api/domains/${uuids[name]}`, { body: { volumes: 'all' } }),
                200, `delete ${name}`);
            assert.deepEqual(out.removed.map((v) => v.name), [`${name}-vda.qcow2`], name);
            assert.equal(virsh(['dominfo', name]).ok, false, name);
        }
        assert.deepEqual(volNames().filter((v) => v.startsWith('vdtest-life') && !v.endsWith('-seed.iso')), [],
            'no VM disk is left');
        assert.ok(volNames().includes('cloud.qcow2'), 'the cloud image behind the first VM stays');
    });
});
