// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/device-rules.test.mjs — web/js/device-rules.js: disk and interface
// request bodies, target names, addresses per MAC.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
    buildDiskRequest, buildInterfaceRequest, nextDiskTarget, addressesByMac, interfaceSource, linkState,
    otherUsers, volumeAttachRule, poolOfPath,
} from '../../web/js/device-rules.js';
import { setLanguage } from '../../web/js/i18n.js';

// The English texts below are the catalogue's; each test that switches language switches back.
await setLanguage('en', { remember: false });

test('attach an existing volume with bus, cache and io', () => {
    const r = buildDiskRequest({ source: 'existing', device: 'disk', bus: 'virtio', pool: 'default', volume: 'a.qcow2', cache: 'none', io: 'native', readonly: true });
    assert.deepEqual(r.errors, {});
    assert.deepEqual(r.payload, { device: 'disk', bus: 'virtio', source: { pool: 'default', volume: 'a.qcow2' }, cache: 'none', io: 'native', readonly: true });
});

test('attach a new volume', () => {
    const r = buildDiskRequest({ source: 'new', device: 'disk', bus: 'sata', pool: 'p', name: 'new.qcow2', capacity: '8G', format: 'qcow2', target: 'sdc' });
    assert.deepEqual(r.errors, {});
    assert.deepEqual(r.payload, { device: 'disk', bus: 'sata', new: { pool: 'p', name: 'new.qcow2', capacity_bytes: 8 * 1024 ** 3, format: 'qcow2' }, target: 'sdc' });
    const bad = buildDiskRequest({ source: 'new', device: 'disk', bus: 'sata', pool: 'p', name: '', capacity: '', format: 'vmdk' });
    assert.ok(bad.errors.name && bad.errors.capacity && bad.errors.format);
});

test('a CD-ROM uses an ISO volume on SATA/SCSI, read-only implied', () => {
    let r = buildDiskRequest({ source: 'new', device: 'cdrom', bus: 'sata', pool: 'p', volume: 'x.iso', readonly: true });
    assert.deepEqual(r.payload, { device: 'cdrom', bus: 'sata', source: { pool: 'p', volume: 'x.iso' } });
    r = buildDiskRequest({ device: 'cdrom', bus: 'virtio', pool: 'p', volume: '' });
    assert.match(r.errors.bus, /virtio/);
    assert.match(r.errors.volume, /ISO/);
});

test('targets, cache and io rules', () => {
    const disks = [{ target: 'vda' }];
    assert.match(buildDiskRequest({ device: 'disk', bus: 'virtio', pool: 'p', volume: 'v', target: 'vda' }, { disks }).errors.target, /already/);
    assert.match(buildDiskRequest({ device: 'disk', bus: 'virtio', pool: 'p', volume: 'v', target: 'sdb' }).errors.target, /start with "vd"/);
    assert.match(buildDiskRequest({ device: 'disk', bus: 'virtio', pool: 'p', volume: 'v', target: 'x' }).errors.target, /like vdb/);
    assert.match(buildDiskRequest({ device: 'disk', bus: 'virtio', pool: 'p', volume: 'v', io: 'native', cache: 'writeback' }).errors.io, /none/);
    assert.match(buildDiskRequest({ device: 'disk', bus: 'ide', pool: 'p', volume: 'v' }).errors.bus, /bus/);
    assert.match(buildDiskRequest({ device: 'disk', bus: 'virtio', pool: '', volume: 'v' }).errors.pool, /pool/);
    assert.equal(nextDiskTarget('virtio', [{ target: 'vda' }, { target: 'vdb' }]), 'vdc');
    assert.equal(nextDiskTarget('sata', [{ target: 'vda' }]), 'sda');
    const many = Array.from({ length: 26 }, (_, i) => ({ target: `sd${String.fromCharCode(97 + i)}` }));
    assert.equal(nextDiskTarget('scsi', many), 'sdaa');
});

test('interfaces: network or bridge, model, MAC, link, QoS, VLAN', () => {
    let r = buildInterfaceRequest({ kind: 'network', network: 'default', model: 'virtio', mac: '52:54:00:AA:00:01', link: 'up',
        inbound: { average: '1000', peak: '2000', burst: '512' }, outbound: { average: '', peak: '', burst: '' }, vlan: '42' });
    assert.deepEqual(r.errors, {});
    assert.deepEqual(r.payload, { network: 'default', model: 'virtio', mac: '52:54:00:aa:00:01', link: 'up',
        bandwidth: { inbound: { average: 1000, peak: 2000, burst: 512 } }, vlan: 42 });
    r = buildInterfaceRequest({ kind: 'bridge', bridge: 'br0', model: 'e1000e' });
    assert.deepEqual(r.payload, { bridge: 'br0', model: 'e1000e' });
    r = buildInterfaceRequest({ kind: 'network', network: '', model: 'ne2k', mac: '01:00:5e:00:00:01', vlan: '4095',
        inbound: { peak: '10' }, outbound: { average: '100', peak: '50' } });
    assert.match(r.errors.network, /Choose/);
    assert.match(r.errors.model, /model/);
    assert.match(r.errors.mac, /MAC/);
    assert.match(r.errors.vlan, /between 1 and 4094/);
    assert.match(r.errors['inbound.average'], /average/);
    assert.match(r.errors['outbound.peak'], /at least the average/);
    assert.equal(r.payload, null);
    r = buildInterfaceRequest({ link: 'down' }, { forPatch: true });
    assert.deepEqual(r.payload, { link: 'down' });
});

test('addresses are matched to interfaces by MAC', () => {
    const m = addressesByMac({ source: 'lease', interfaces: [
        { name: 'vnet0', mac: '52:54:00:AA:00:01', addresses: [{ type: 'ipv4', address: '192.168.122.5', prefix: 24 }, { type: 'ipv6', address: 'fe80::1' }] },
        { name: 'lo', mac: null, addresses: [] },
    ] });
    assert.deepEqual(m.get('52:54:00:aa:00:01'), ['192.168.122.5/24', 'fe80::1']);
    assert.equal(m.size, 1);
    assert.equal(addressesByMac(null).size, 0);
    assert.equal(interfaceSource({ network: 'default' }), 'default');
    assert.equal(interfaceSource({ type: 'network', source: 'lab' }), 'lab');
    assert.equal(linkState({ link: 'down' }), 'down');
    assert.equal(linkState({}), 'up');
});

test('zh-CN: device messages', async () => {
    await setLanguage('zh-CN', { remember: false });
    try {
        const r = buildDiskRequest({ device: 'cdrom', bus: 'virtio', pool: 'p', volume: '' });
        assert.equal(r.errors.bus, '光驱不能使用 virtio 总线；请选择 SATA 或 SCSI。');
        assert.equal(r.errors.volume, '请选择 ISO 镜像。');
        assert.equal(buildInterfaceRequest({ kind: 'network', network: 'n', vlan: '5000' }).errors.vlan, 'VLAN 标记必须介于 1 和 4094 之间。');
    } finally {
        await setLanguage('en', { remember: false });
    }
});

test('attaching a volume: refused when this VM has it, to be confirmed when other VMs use it', () => {
    const vol = { name: 'web.qcow2', used_by: [{ uuid: 'me', name: 'me' }, { uuid: 'o', name: 'other' }] };
    assert.deepEqual(volumeAttachRule(vol, 'me'), { attached: true, others: [{ uuid: 'o', name: 'other' }] });
    assert.deepEqual(volumeAttachRule(vol, 'x'), { attached: false, others: vol.used_by });
    assert.deepEqual(volumeAttachRule({ name: 'free' }, 'me'), { attached: false, others: [] });
    assert.deepEqual(volumeAttachRule(null, 'me'), { attached: false, others: [] });
    assert.deepEqual(otherUsers(vol.used_by, 'o'), [{ uuid: 'me', name: 'me' }]);
    assert.deepEqual(otherUsers(undefined, 'o'), []);
});

test('a disk’s pool is the one whose directory holds it (the deepest)', () => {
    const pools = [{ name: 'root', target_path: '/srv' }, { name: 'fast', target_path: '/srv/nvme/images/' },
        { name: 'default', target_path: '/var/lib/libvirt/images' }, { name: 'rbd', target_path: null }];
    assert.equal(poolOfPath(pools, '/srv/nvme/images/a.raw').name, 'fast');
    assert.equal(poolOfPath(pools, '/srv/other/a.raw').name, 'root');
    assert.equal(poolOfPath(pools, '/var/lib/libvirt/images/web.qcow2').name, 'default');
    assert.equal(poolOfPath(pools, '/var/lib/libvirt/imagesX/web.qcow2'), null, 'a name that only starts like the directory');
    assert.equal(poolOfPath(pools, 'relative/a'), null);
    assert.equal(poolOfPath(pools, null), null);
});
