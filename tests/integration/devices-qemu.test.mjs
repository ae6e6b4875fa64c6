// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/devices-qemu.test.mjs — a VM's disks, cdrom media, interfaces and
// addresses through the API on the machine's real libvirtd (qemu:///system), where the
// test driver cannot attach, detach or update devices (the acceptance test).
//
// Through virtdeck only: a `dir` pool in a fresh temporary directory, a NAT network on a
// free private /24, a qcow2 volume and a small raw "ISO". Then a diskless firmware-only
// VM with a virtio-scsi controller and one interface on that network (defined with
// virsh: virtdeck has no "define domain" endpoint) gets a cdrom and the volume attached
// while shut off, is started, and the test checks with `virsh dumpxml` that the disk is
// there, detaches it live (a SCSI disk needs no guest cooperation, so it must be gone
// at once), attaches/changes/detaches a NIC live (one on the network, one user-mode:
// link down and up checked with `virsh domif-getlink`), inserts and ejects the ISO, and reads
// the DHCP lease the firmware's PXE client took. after() removes the VM, the network,
// the pool and the directory even when a test fails. Loopback/private traffic only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertDomainDetail, assertError, assertJson } from '../lib/api-assert.mjs';
import { SYSTEM_URI, el, ensureSystemLibvirtd, virsh } from '../lib/system-libvirtd.mjs';

const PW = 'admin-pass-devq-1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The /24 prefixes ("10.1.2") in use by host interfaces and every libvirt network. */
function usedPrefixes() {
    const used = new Set();
    const ip = spawnSync('ip', ['-4', '-o', 'addr'], { encoding: 'utf8' });
    for (const m of (ip.stdout || '').matchAll(/inet (\d+\.\d+\.\d+)\.\d+/g)) used.add(m[1]);
    const nets = virsh(['net-list', '--all', '--name']);
    for (const name of nets.stdout.split('\n').map((s) => s.trim()).filter(Boolean)) {
        const x = virsh(['net-dumpxml', name]);
        for (const m of x.stdout.matchAll(/address=['"](\d+\.\d+\.\d+)\.\d+['"]/g)) used.add(m[1]);
    }
    return used;
}

/** A free 10.x.y.0/24 as its first three octets. */
function freeSubnet() {
    const used = usedPrefixes();
    for (let i = 0; i < 200; i++) {
        const p = `10.${100 + crypto.randomInt(100)}.${crypto.randomInt(250)}`;
        if (!used.has(p)) return p;
    }
    throw new Error('no free 10.x.y.0/24 found');
}

/** Polls check() until truthy; throws describe() after timeoutMs. */
async function until(check, timeoutMs, describe) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await check();
        if (v) return v;
        if (Date.now() >= deadline) throw new Error(`${describe()} (after ${timeoutMs} ms)`);
        await sleep(250);
    }
}

describe('VM devices on qemu:///system', () => {
    const tag = crypto.randomBytes(4).toString('hex');
    const pool = `vdtest-pool-${tag}`;
    const net = `vdtest-net-${tag}`;
    const vm = `vdtest-dev-${tag}`;
    const vol = `vdtest-disk-${tag}.qcow2`;
    const iso = `vdtest-cd-${tag}.iso`;
    const nicMac = '52:54:00:5d:00:01';
    const hotMac = '52:54:00:5d:00:02';
    let subnet;
    let tmp;
    let poolDir;
    let d;
    let admin;
    let uuid;

    const dumpxml = (...flags) => {
        const r = virsh(['dumpxml', ...flags, vm]);
        assert.ok(r.ok, `virsh dumpxml: ${r.stderr}`);
        return r.stdout;
    };
    const base = () => `/api/domains/${uuid}`;

    before(async () => {
        await ensureSystemLibvirtd();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-devq-'));
        fs.chmodSync(tmp, 0o755); // QEMU runs as its own user and must reach the pool's files
        poolDir = path.join(tmp, 'pool');
        subnet = freeSubnet();
        d = await startDaemon({ uri: SYSTEM_URI, users: [{ name: 'admin', role: 'admin', password: PW }], config: { pool_roots: tmp } });
        admin = new Client(d);
        await admin.login('admin', PW);

        assertJson(await admin.post('/api/pools', { name: pool, type: 'dir', target_path: poolDir, build: true }),
            201, 'create pool');
        assertJson(await admin.post('/api/networks', {
            name: net, mode: 'nat', start: true,
            ipv4: { address: `${subnet}.1`, prefix: 24, dhcp_start: `${subnet}.100`, dhcp_end: `${subnet}.200` },
        }), 201, 'create network');
        assertJson(await admin.post(`/api/pools/${pool}/volumes`, { name: vol, capacity_bytes: 64 << 20, format: 'qcow2' }),
            201, 'create qcow2 volume');
        assertJson(await admin.post(`/api/pools/${pool}/volumes`, { name: iso, capacity_bytes: 1 << 20, format: 'raw' }),
            201, 'create iso volume');

        // diskless firmware-only VM: PXE boot from its one NIC, a virtio-scsi controller
        // TCG on purpose: under KVM on this kind of host the firmware's iPXE hangs at
        // "starting execution" and never asks for a lease
        const xml = el('domain', { type: 'qemu' }, [
            el('name', {}, vm),
            el('memory', { unit: 'MiB' }, '256'),
            el('vcpu', {}, '1'),
            el('os', {}, [el('type', { arch: 'x86_64' }, 'hvm'), el('boot', { dev: 'network' })]),
            el('features', {}, [el('acpi'), el('apic')]), // ACPI: PCI hotplug on pci.0
            el('on_poweroff', {}, 'destroy'),
            el('devices', {}, [
                el('controller', { type: 'scsi', model: 'virtio-scsi' }),
                el('interface', { type: 'network' }, [
                    el('mac', { address: nicMac }), el('source', { network: net }), el('model', { type: 'virtio' }),
                ]),
                el('graphics', { type: 'vnc', autoport: 'yes', listen: '127.0.0.1' }),
            ]),
        ]).toString();
        const file = path.join(tmp, 'vm.xml');
        fs.writeFileSync(file, xml);
        const r = virsh(['define', file]);
        assert.ok(r.ok, `virsh define: ${r.stderr}`);
        uuid = virsh(['domuuid', vm]).stdout.trim();
    });

    after(async () => {
        virsh(['destroy', vm]);
        virsh(['undefine', vm]);
        virsh(['net-destroy', net]);
        virsh(['net-undefine', net]);
        for (const v of [vol, iso]) virsh(['vol-delete', '--pool', pool, v]);
        virsh(['pool-destroy', pool]);
        virsh(['pool-undefine', pool]);
        if (admin) admin.close();
        if (d) await d.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('attaches a cdrom and the volume to the shut-off VM (persistent configuration)', async () => {
        let x = assertJson(await admin.post(`${base()}/disks`, { device: 'cdrom', bus: 'sata' }), 201, 'attach cdrom');
        assertDomainDetail(x);
        const cd = x.disks.find((k) => k.device === 'cdrom');
        assert.deepEqual({ target: cd.target, bus: cd.bus, readonly: cd.readonly }, { target: 'sda', bus: 'sata', readonly: true });

        x = assertJson(await admin.post(`${base()}/disks`, { source: { pool, volume: vol }, bus: 'scsi', cache: 'none', io: 'native' }),
            201, 'attach disk');
        const disk = x.disks.find((k) => k.device === 'disk');
        assert.equal(disk.target, 'sdb', 'first free sd* target after the cdrom');
        assert.equal(disk.source, path.join(poolDir, vol));
        assert.equal(disk.format, 'qcow2');
        const conf = dumpxml('--inactive');
        assert.match(conf, new RegExp(`<driver name='qemu' type='qcow2' cache='none' io='native'/>`));
        assert.match(conf, new RegExp(`<source file='${path.join(poolDir, vol)}'`));

        assertError(await admin.post(`${base()}/disks`, { source: { pool, volume: vol }, bus: 'scsi' }), 409, 'conflict',
            'the same volume twice');
        assertError(await admin.post(`${base()}/disks`, { source: { pool, volume: iso }, target: 'sdb', bus: 'scsi' }), 409, 'conflict',
            'a used target');
    });

    it('changes a disk\'s cache in the configuration (PATCH)', async () => {
        const x = assertJson(await admin.req('PATCH', `${base()}/disks/sdb`, { body: { cache: 'writeback', io: 'threads' } }),
            200, 'patch disk');
        assert.equal(x.next_boot, false, 'the VM is shut off: nothing waits for a boot');
        assertDomainDetail(x.detail);
        assert.match(dumpxml('--inactive'), /<driver name='qemu' type='qcow2' cache='writeback' io='threads'\/>/);
        assertError(await admin.req('PATCH', `${base()}/disks/sdb`, { body: { io: 'native' } }), 400, 'bad_request',
            'native io with writeback cache');
    });

    it('attaches, changes and detaches a NIC with bandwidth and vlan in the configuration', async () => {
        // shut off: libvirt only checks and stores it (QoS needs tc qdiscs this host's
        // kernel may lack once the VM runs, and a vlan tag a network that supports it)
        const mac = '52:54:00:5d:00:03';
        const iface = (xml) => {
            const m = xml.match(new RegExp(`<interface(?:(?!</interface>)[\\s\\S])*${mac}[\\s\\S]*?</interface>`));
            return m ? m[0] : null;
        };
        let x = assertJson(await admin.post(`${base()}/interfaces`, {
            network: net, mac, model: 'e1000', link: 'down', vlan: 42,
            bandwidth: { inbound: { average: 1000, peak: 2000, burst: 256 }, outbound: { average: 500 } },
        }), 201, 'attach nic to the configuration');
        assert.deepEqual(x.interfaces.find((n) => n.mac === mac),
            { type: 'network', mac, source: net, model: 'e1000', target: '', link: 'down' });
        let conf = iface(dumpxml('--inactive'));
        assert.match(conf, /<inbound average='1000' peak='2000' burst='256'\/>/);
        assert.match(conf, /<outbound average='500'\/>/);
        assert.match(conf, /<tag id='42'\/>/);
        assert.match(conf, /<link state='down'\/>/);
        x = assertJson(await admin.req('PATCH', `${base()}/interfaces/${mac}`, { body: { bandwidth: null, vlan: null, link: 'up' } }),
            200, 'patch nic');
        assert.equal(x.next_boot, false);
        conf = iface(dumpxml('--inactive'));
        assert.doesNotMatch(conf, /<bandwidth|<vlan/);
        assert.match(conf, /<link state='up'\/>/);
        x = assertJson(await admin.req('DELETE', `${base()}/interfaces/${mac}`), 200, 'detach nic');
        assert.ok(!x.interfaces.some((n) => n.mac === mac));
        assert.equal(iface(dumpxml('--inactive')), null);
    });

    it('starts the VM and sees the disk in the live XML', async () => {
        assertJson(await admin.post(`${base()}/start`), 200, 'start');
        const live = dumpxml();
        assert.match(live, new RegExp(`<source file='${path.join(poolDir, vol)}'`));
        assert.match(live, /<target dev='sdb' bus='scsi'\/>/);
    });

    it('detaches the SCSI disk live: gone from the live XML and the configuration', async () => {
        const res = await admin.req('DELETE', `${base()}/disks/sdb`, { timeoutMs: 30000 });
        const x = assertJson(res, 200, 'detach disk');
        assert.ok(!x.disks.some((k) => k.target === 'sdb'), 'not in the answer');
        assert.doesNotMatch(dumpxml(), /<target dev='sdb'/, 'gone from the live XML');
        assert.doesNotMatch(dumpxml('--inactive'), /<target dev='sdb'/, 'gone from the configuration');
        assertError(await admin.req('DELETE', `${base()}/disks/sdb`), 404, 'not_found', 'detached twice');
    });

    it('hot-plugs a disk from a new volume and detaches it again', async () => {
        const name = `vdtest-hot-${tag}.qcow2`;
        const x = assertJson(await admin.post(`${base()}/disks`,
            { new: { pool, name, capacity_bytes: 16 << 20, format: 'qcow2' }, bus: 'scsi' }), 201, 'attach new');
        const disk = x.disks.find((k) => k.source === path.join(poolDir, name));
        assert.ok(disk, `new disk in ${JSON.stringify(x.disks)}`);
        assert.match(dumpxml(), new RegExp(`<source file='${path.join(poolDir, name)}'`), 'in the live XML');
        assert.match(dumpxml('--inactive'), new RegExp(`<source file='${path.join(poolDir, name)}'`), 'in the configuration');
        assertJson(await admin.req('DELETE', `${base()}/disks/${disk.target}`, { timeoutMs: 30000 }), 200, 'detach new');
        assert.doesNotMatch(dumpxml(), new RegExp(name), 'gone live');
        virsh(['vol-delete', '--pool', pool, name]);
    });

    it('inserts and ejects a medium in the cdrom, live and in the configuration', async () => {
        let x = assertJson(await admin.req('PUT', `${base()}/disks/sda/media`, { body: { pool, volume: iso } }), 200, 'insert');
        assert.equal(x.disks.find((k) => k.target === 'sda').source, path.join(poolDir, iso));
        for (const flags of [[], ['--inactive']]) {
            assert.match(dumpxml(...flags), new RegExp(`<source file='${path.join(poolDir, iso)}'`), `inserted ${flags}`);
        }
        x = assertJson(await admin.req('DELETE', `${base()}/disks/sda/media`), 200, 'eject');
        assert.ok(!x.disks.find((k) => k.target === 'sda').source, 'no source after eject');
        for (const flags of [[], ['--inactive']]) {
            assert.doesNotMatch(dumpxml(...flags), new RegExp(iso), `ejected ${flags}`);
        }
        assertError(await admin.req('PUT', `${base()}/disks/sda/media`, { body: { pool, volume: 'nope.iso' } }), 404, 'not_found');
    });

    it('attaches a NIC live, changes its link and model, and detaches it', async () => {
        let x = assertJson(await admin.post(`${base()}/interfaces`, {
            network: net, mac: hotMac.toUpperCase(), model: 'e1000e',
        }), 201, 'attach nic');
        assert.ok(x.interfaces.some((n) => n.mac === hotMac), 'in the answer');
        const iface = (xml) => {
            const m = xml.match(new RegExp(`<interface[^>]*>(?:(?!</interface>)[\\s\\S])*${hotMac}[\\s\\S]*?</interface>`));
            return m ? m[0] : null;
        };
        assert.ok(iface(dumpxml()), 'in the live XML');
        assert.ok(iface(dumpxml('--inactive')), 'in the configuration');

        x = assertJson(await admin.req('PATCH', `${base()}/interfaces/${hotMac}`, { body: { link: 'down' } }), 200, 'link down');
        assert.equal(x.next_boot, false);
        assert.match(iface(dumpxml()), /<link state='down'\/>/, 'live link down');
        assert.match(iface(dumpxml('--inactive')), /<link state='down'\/>/, 'configured link down');

        x = assertJson(await admin.req('PATCH', `${base()}/interfaces/${hotMac}`, { body: { model: 'rtl8139' } }),
            200, 'model');
        assert.equal(x.next_boot, true, 'a model change waits for the next boot');
        assert.match(iface(dumpxml('--inactive')), /<model type='rtl8139'\/>/);
        assert.match(iface(dumpxml()), /<model type='e1000e'\/>/, 'the running guest keeps its model');

        const res = await admin.req('DELETE', `${base()}/interfaces/${hotMac}`, { timeoutMs: 30000 });
        assert.ok(!iface(dumpxml('--inactive')), 'gone from the configuration');
        if (res.status === 202) {
            // PCI unplug needs the guest's ACPI handler; firmware has none, so it stays
            // in the running guest until it shuts down
            const body = assertJson(res, 202, 'detach nic pending');
            assert.equal(body.pending, true);
            assertDomainDetail(body.detail);
            assert.ok(iface(dumpxml()), 'pending: still in the live XML');
        } else {
            const body = assertJson(res, 200, 'detach nic');
            assert.ok(!body.interfaces.some((n) => n.mac === hotMac));
            assert.ok(!iface(dumpxml()), 'gone from the live XML');
        }
    });

    it('attaches a user-mode NIC live (no network), sets its link down and up, changes its model, detaches it', async () => {
        const mac = '52:54:00:5d:00:04';
        const iface = (xml) => {
            const m = xml.match(new RegExp(`<interface[^>]*>(?:(?!</interface>)[\\s\\S])*${mac}[\\s\\S]*?</interface>`));
            return m ? m[0] : null;
        };
        let x = assertJson(await admin.post(`${base()}/interfaces`, { user: true, mac, model: 'e1000' }), 201, 'attach user nic');
        assert.deepEqual(x.interfaces.find((n) => n.mac === mac), { type: 'user', mac, source: '', model: 'e1000', target: '', link: 'up' });
        for (const flags of [[], ['--inactive']]) {
            assert.match(iface(dumpxml(...flags)) || '', /^<interface type='user'>/, `user-mode ${flags}`);
            assert.doesNotMatch(iface(dumpxml(...flags)), /<source/, `no source ${flags}`);
        }
        for (const link of ['down', 'up']) {
            x = assertJson(await admin.req('PATCH', `${base()}/interfaces/${mac}`, { body: { link } }), 200, `link ${link}`);
            assert.equal(x.next_boot, false);
            const r = virsh(['domif-getlink', vm, mac]);
            assert.ok(r.ok, r.stderr);
            assert.match(r.stdout, new RegExp(`\\b${link}\\b`), `virsh domif-getlink says ${link}`);
        }
        x = assertJson(await admin.req('PATCH', `${base()}/interfaces/${mac}`, { body: { model: 'rtl8139' } }), 200, 'model');
        assert.equal(x.next_boot, true);
        assert.match(iface(dumpxml('--inactive')), /<model type='rtl8139'\/>/);
        assert.match(iface(dumpxml('--inactive')), /^<interface type='user'>/, 'still user-mode');
        assertError(await admin.post(`${base()}/interfaces`, { user: true, network: net }), 400, 'bad_request', 'user and a network');
        const res = await admin.req('DELETE', `${base()}/interfaces/${mac}`, { timeoutMs: 30000 });
        assert.ok(res.status === 200 || res.status === 202, `detach: ${res.status} ${res.text}`);
        assert.ok(!iface(dumpxml('--inactive')), 'gone from the configuration');
    });

    it('reads the address the firmware leased on the new network', async () => {
        const body = await until(async () => {
            const b = assertJson(await admin.get(`${base()}/addresses`), 200, 'addresses');
            return b.interfaces.some((n) => n.mac === nicMac && n.addresses.length) ? b : null;
        }, 60000, () => 'no DHCP lease for the VM');
        assert.equal(body.source, 'lease');
        const nic = body.interfaces.find((n) => n.mac === nicMac);
        assert.equal(nic.addresses[0].type, 'ipv4');
        assert.match(nic.addresses[0].address, new RegExp(`^${subnet.replace(/\./g, '\\.')}\\.(1\\d\\d|200)$`));
        assert.equal(nic.addresses[0].prefix, 24);
    });
});
