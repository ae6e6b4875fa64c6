// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/domain-create-qemu.test.mjs — POST /api/domains against the machine's
// real libvirtd (qemu:///system): a diskless VM that boots from the network (user-mode
// NIC) is created with start: true, runs, and is deleted through the API; a create whose
// start fails (a bridge the host lacks) after its disk volume was made leaves nothing:
// no definition, no volume, no file. A dir pool in a fresh temporary directory holds the
// disk. A VM made from a cloud image (the suite's guest, build/guest/guest.qcow2 from
// `make guest-image`) gets a qcow2 overlay backed by the image and a NoCloud seed ISO
// (cidata, the password only as its hash) on a virtio-SCSI CD-ROM; it starts, and asked
// through virtdeck's own serial console websocket, the guest answers with the host name
// the seed gave it: the seed was read inside the guest. The daemon runs with
// domain_type = qemu (TCG: this machine's nested KVM cannot boot a kernel), which every
// VM it makes shows. Run under `flock /tmp/vd-qemu.lock` (the shared libvirtd). after()
// removes the VMs and the pool even when a test fails, and the directory.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../lib/daemon.mjs';
import { guestSays } from '../lib/guest-shell.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { virsh } from '../lib/system-libvirtd.mjs';
import { startQemuLab, stopQemuLab } from '../lib/qemu-lab.mjs';

const PW = 'admin-pass-createq-1';
const GUEST_IMAGE = path.join(REPO_ROOT, 'build', 'guest', 'guest.qcow2');

describe('creating a VM on qemu:///system', () => {
    const tag = crypto.randomBytes(4).toString('hex');
    const pool = `vdtest-crpool-${tag}`;
    const vm = `vdtest-cr-${tag}`;
    const failed = `vdtest-crfail-${tag}`;
    const cloud = `vdtest-crcl-${tag}`;
    const lab = {};
    let dir;
    let admin;

    before(async () => {
        // QEMU (its own uid) may open the disk, so a start fails only on the bridge
        await startQemuLab(lab, { prefix: 'crq', pool, admin: { name: 'admin', password: PW } });
        ({ dir, admin } = lab);
    });
    after(() => stopQemuLab(lab, { pool, domains: [vm, failed, cloud] }));

    it('creates a diskless network-boot VM that runs at once, then deletes it', async () => {
        const out = assertJson(await admin.post('/api/domains', { name: vm, memory_mib: 128, source: { type: 'none' },
            disk: null, network: { user: true }, start: true }), 201, 'create');
        assert.equal(out.state, 'running');
        assert.equal(virsh(['domstate', vm]).stdout.trim(), 'running');
        const xml = virsh(['dumpxml', vm]).stdout;
        assert.match(xml, /^<domain type='qemu'/, 'domain_type = qemu: a TCG domain');
        assert.match(xml, /<interface type='user'>[\s\S]*<boot order='1'\/>/, 'it boots from its NIC');
        assert.match(xml, /<graphics type='vnc' port='\d+' autoport='yes' listen='127.0.0.1'>/);
        assertJson(await admin.post(`/api/domains/${out.uuid}/destroy`, {}), 200, 'destroy');
        assertJson(await admin.req('DELETE', `/api/domains/${out.uuid}`, { body: { volumes: 'none' } }), 200, 'delete');
        assert.equal(virsh(['dominfo', vm]).ok, false, 'libvirt no longer knows the VM');
    });

    it('creates a VM from a cloud image: a linked overlay, a NoCloud seed ISO on virtio-scsi, read by the guest', async () => {
        const MIB = 1024 ** 2;
        assert.ok(fs.existsSync(GUEST_IMAGE), `no ${GUEST_IMAGE}: run make guest-image`);
        fs.copyFileSync(GUEST_IMAGE, path.join(dir, 'cloud.qcow2'));
        assertJson(await admin.post(`/api/pools/${pool}/refresh`, {}), 200, 'refresh');
        const secret = `pw-${tag}-clear`;
        const out = assertJson(await admin.post('/api/domains', { name: cloud, memory_mib: 256, source: { type: 'cloud_image',
            image: { pool, name: 'cloud.qcow2' }, linked: true, cloud_init: { hostname: `host-${tag}`, user: 'debian',
                password: secret, ssh_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIvdtest vdtest'] } },
        disk: { size_gib: 1 }, network: null, start: true }), 201, 'create');
        assert.equal(out.state, 'running');
        assert.deepEqual(out.disks.map((k) => [k.device, k.bus, k.source]), [
            ['disk', 'virtio', path.join(dir, `${cloud}-vda.qcow2`)],
            ['cdrom', 'scsi', path.join(dir, `${cloud}-seed.iso`)],
        ]);
        const vols = Object.fromEntries(assertJson(await admin.get(`/api/pools/${pool}/volumes`), 200, 'volumes')
            .volumes.map((v) => [v.name, v]));
        assert.equal(vols[`${cloud}-vda.qcow2`].backing?.path, path.join(dir, 'cloud.qcow2'), 'a linked overlay');
        assert.equal(vols[`${cloud}-vda.qcow2`].capacity_bytes, 1024 * MIB);
        const iso = fs.readFileSync(path.join(dir, `${cloud}-seed.iso`));
        assert.equal(iso.subarray(0x8001, 0x8006).toString('latin1'), 'CD001', 'an ISO 9660 image');
        assert.equal(iso.subarray(0x8028, 0x8028 + 6).toString('latin1').toLowerCase(), 'cidata', 'labelled cidata');
        assert.ok(iso.includes(`host-${tag}`), 'the seed names the host');
        assert.ok(!iso.includes(secret), 'the password is not in the seed in clear');
        assert.ok(iso.includes('$6$'), 'its SHA-512 crypt hash is');
        const xml = virsh(['dumpxml', '--inactive', cloud]).stdout;
        assert.match(xml, /<controller type='scsi' index='0' model='virtio-scsi'/);
        assert.equal(await guestSays(admin, out.uuid, 'hostname'), `host-${tag}`, 'the guest took its host name from the seed');
    });

    it('undoes everything when the start fails after the disk was made', async () => {
        const bridge = `vdnobr${tag.slice(0, 6)}`;
        const res = await admin.post('/api/domains', { name: failed, memory_mib: 128, source: { type: 'none' },
            disk: { pool, size_gib: 1 }, network: { bridge }, start: true });
        assert.ok(res.status >= 400, `${res.status} ${res.text}`);
        const e = assertError(res, res.status);
        assert.ok(e.message.includes(bridge), `the start failed on the missing bridge: ${e.message}`);
        assert.equal(virsh(['dominfo', failed]).ok, false, 'no definition is left');
        const vols = assertJson(await admin.get(`/api/pools/${pool}/volumes`), 200, 'volumes').volumes;
        assert.deepEqual(vols.filter((v) => v.name.startsWith(failed)), [], 'no volume is left');
        assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith(failed)), [], 'no file is left');
    });
});
