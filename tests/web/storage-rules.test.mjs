// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/storage-rules.test.mjs — web/js/storage-rules.js: per-type pool fields,
// volume create/resize bodies, upload formats, usage.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
    POOL_TYPES, buildPoolRequest, buildVolumeRequest, buildResizeRequest, uploadFormatFor,
    poolUsage, isoVolumes, pathError, hostError, poolFormDefaults, volumeBlockers, poolBlockers,
} from '../../web/js/storage-rules.js';
import { setLanguage } from '../../web/js/i18n.js';

// The English texts below are the catalogue's; each test that switches language switches back.
await setLanguage('en', { remember: false });

const G = 1024 ** 3;

test('a dir pool needs a name and an absolute target path', () => {
    let r = buildPoolRequest({ name: 'images', type: 'dir', target_path: '/srv/images', build: true, start: true, autostart: false });
    assert.deepEqual(r.errors, {});
    assert.deepEqual(r.payload, { name: 'images', type: 'dir', target_path: '/srv/images', build: true, start: true, autostart: false });
    r = buildPoolRequest({ name: '', type: 'dir', target_path: 'srv/x' });
    assert.match(r.errors.name, /Enter/);
    assert.match(r.errors.target_path, /start with/);
    assert.equal(r.payload, null);
    assert.match(buildPoolRequest({ name: 'x', type: 'dir', target_path: '/a/../etc' }).errors.target_path, /\.\./);
    assert.match(buildPoolRequest({ name: 'x', type: 'nope' }).errors.type, /Choose/);
});

test('each type sends its own fields only', () => {
    const all = {
        name: 'p', target_path: '/mnt/p', source_device: '/dev/sdb1', source_format: 'ext4',
        source_host: 'nas.example', source_path: '/export', source_name: 'vg0', source_port: '3260',
        source_iqn: 'iqn.2024-01.com.example:disk1', initiator_iqn: '', auth_username: 'libvirt',
        auth_secret_uuid: '2f3b5a8e-1111-4222-8333-944455556666', start: true,
    };
    const keysOf = (type) => Object.keys(buildPoolRequest({ ...all, type }).payload).sort();
    assert.deepEqual(keysOf('fs'), ['autostart', 'build', 'name', 'source_device', 'source_format', 'start', 'target_path', 'type']);
    assert.deepEqual(buildPoolRequest({ ...all, type: 'netfs', source_format: 'nfs' }).errors, {});
    assert.deepEqual(keysOf('logical'), ['autostart', 'build', 'name', 'source_device', 'source_name', 'start', 'target_path', 'type']);
    assert.deepEqual(keysOf('iscsi'), ['autostart', 'name', 'source_host', 'source_iqn', 'source_port', 'start', 'target_path', 'type']);
    const rbd = buildPoolRequest({ ...all, type: 'rbd' }).payload;
    assert.deepEqual(Object.keys(rbd).sort(), ['auth_secret_uuid', 'auth_username', 'autostart', 'name', 'source_host', 'source_name', 'source_port', 'start', 'type']);
    assert.equal(rbd.source_port, 3260);
    for (const t of Object.keys(POOL_TYPES)) assert.ok(POOL_TYPES[t].required.every((f) => POOL_TYPES[t].fields.includes(f)), t);
});

test('per-type required fields and formats are checked', () => {
    let e = buildPoolRequest({ name: 'p', type: 'netfs', target_path: '/mnt/p', source_host: '', source_path: 'x', source_format: 'ntfs' }).errors;
    assert.match(e.source_host, /Enter the server/);
    assert.match(e.source_path, /start with/);
    assert.match(e.source_format, /nfs/);
    e = buildPoolRequest({ name: 'p', type: 'iscsi', source_host: '10.0.0.5', source_iqn: 'not-an-iqn', source_port: '70000' }).errors;
    assert.match(e.source_iqn, /IQN/);
    assert.match(e.source_port, /between 1 and 65535/);
    assert.equal(e.source_host, undefined, 'an IP is a fine server');
    e = buildPoolRequest({ name: 'p', type: 'rbd', source_host: 'ceph1', source_name: 'rbd', auth_username: 'u' }).errors;
    assert.match(e.auth_secret_uuid, /UUID/);
    e = buildPoolRequest({ name: 'p', type: 'rbd', source_host: 'ceph1', source_name: 'rbd', auth_secret_uuid: 'nope' }).errors;
    assert.match(e.auth_secret_uuid, /UUID like/);
    assert.match(e.auth_username, /user/);
    e = buildPoolRequest({ name: 'p', type: 'logical', source_name: '' }).errors;
    assert.match(e.source_name, /Enter the name/);
    assert.equal(e.target_path, undefined, 'optional for logical');
    // "auto" means "detect": not sent.
    assert.equal(buildPoolRequest({ name: 'p', type: 'fs', target_path: '/m', source_device: '/dev/sdb', source_format: 'auto' }).payload.source_format, undefined);
    assert.equal(pathError('/ok/path'), '');
    for (const bad of ['/bad\npath', '/a//b', '/a/', '/', '/a b', '/a/./b']) assert.notEqual(pathError(bad), '', bad);
    assert.match(buildPoolRequest({ name: 'p', type: 'fs', target_path: '/m', source_device: '/srv/disk' }).errors.source_device, /\/dev\//);
    assert.match(buildPoolRequest({ name: 'p', type: 'logical', source_name: 'vg/x' }).errors.source_name, /127/);
});

test('volume bodies: name, size text, format, backing', () => {
    let r = buildVolumeRequest({ name: 'disk1.qcow2', capacity: '10G', format: 'qcow2', backing: '' });
    assert.deepEqual(r.payload, { name: 'disk1.qcow2', capacity_bytes: 10 * G, format: 'qcow2' });
    r = buildVolumeRequest({ name: 'child', capacity: '10G', format: 'qcow2', backing: 'base.qcow2' });
    assert.deepEqual(r.payload.backing, { volume: 'base.qcow2' });
    r = buildVolumeRequest({ name: 'child', capacity: '10G', format: 'raw', backing: 'base.qcow2' });
    assert.match(r.errors.backing, /qcow2/);
    r = buildVolumeRequest({ name: '-x', capacity: 'lots', format: 'vmdk' });
    assert.ok(r.errors.name && r.errors.capacity && r.errors.format);
    r = buildVolumeRequest({ name: 'big', capacity: '2G', format: 'raw' }, { available: G });
    assert.match(r.errors.capacity, /1 GiB free/);
    r = buildVolumeRequest({ name: 'big', capacity: '2G', format: 'qcow2' }, { available: G });
    assert.deepEqual(r.errors, {}, 'qcow2 grows on demand');
});

test('resize: bigger is fine, smaller needs shrink, same size is refused', () => {
    assert.deepEqual(buildResizeRequest('20G', 10 * G).payload, { capacity_bytes: 20 * G });
    assert.match(buildResizeRequest('5G', 10 * G).errors.capacity, /smaller than now/);
    assert.deepEqual(buildResizeRequest('5G', 10 * G, { shrink: true }).payload, { capacity_bytes: 5 * G, shrink: true });
    assert.match(buildResizeRequest('10G', 10 * G).errors.capacity, /current size/);
    assert.match(buildResizeRequest('x', 10 * G).errors.capacity, /like 10G/);
});

test('upload formats, usage and ISO lists', () => {
    assert.equal(uploadFormatFor('debian.ISO'), 'iso');
    assert.equal(uploadFormatFor('a.qcow2'), 'qcow2');
    assert.equal(uploadFormatFor('a.img'), 'raw');
    const u = poolUsage({ capacity_bytes: 100 * G, allocation_bytes: 25 * G, available_bytes: 75 * G });
    assert.equal(u.fraction, 0.25);
    assert.equal(u.text, '25 GiB of 100 GiB used (25%)');
    assert.equal(u.free, '75 GiB free');
    assert.equal(poolUsage({ capacity_bytes: 0 }).fraction, null);
    assert.deepEqual(isoVolumes([{ name: 'a.iso', format: 'raw' }, { name: 'b', format: 'iso' }, { name: 'c.qcow2', format: 'qcow2' }]).map((v) => v.name), ['a.iso', 'b']);
});

test('zh-CN: type labels, usage and validation messages', async () => {
    await setLanguage('zh-CN', { remember: false });
    try {
        assert.equal(POOL_TYPES.dir.label, '目录', 'labels are read in the current language');
        const e = buildPoolRequest({ name: '', type: 'dir', target_path: 'relative' }).errors;
        assert.equal(e.name, '请输入存储池名称。');
        assert.equal(e.target_path, '目标路径必须以 “/” 开头。');
        const G = 1024 ** 3;
        const u = poolUsage({ capacity_bytes: 100 * G, allocation_bytes: 25 * G, available_bytes: 75 * G });
        assert.match(u.text, /^已用 .+ \/ .+（25%）$/);
        assert.match(u.free, /^可用 /);
    } finally {
        await setLanguage('en', { remember: false });
    }
    assert.equal(POOL_TYPES.dir.label, 'Directory');
});

test('source host: IP literals, or dot-separated labels of 1-63 letters, digits and inner hyphens (<= 253 in all)', () => {
    for (const good of ['nas', 'nas-1.Example.com', '192.0.2.7', 'fd00::1', '1e100.net', `${'a'.repeat(63)}.lan`]) {
        assert.equal(hostError(good), '', good);
    }
    for (const bad of ['nas.example..com', 'nas.', '.nas', 'nas-.lan', 'nas.-lan', 'n_s', 'nas:2049', `${'a'.repeat(64)}.lan`,
        `${'a.'.repeat(126)}ab`, 'fd00::1::2']) {
        assert.match(hostError(bad), /Enter a host name \(like nas\.example\.com/, bad);
    }
    for (const type of ['netfs', 'iscsi', 'rbd']) {
        const e = buildPoolRequest({ name: 'p', type, target_path: '/mnt/p', source_host: 'nas.example..com', source_path: '/e',
            source_iqn: 'iqn.2024-01.com.example:t', source_name: 'rbd' }).errors;
        assert.match(e.source_host, /host name/, type);
    }
});

test('the create form never ticks a build that formats (fs, logical); it ticks one that only makes a directory', () => {
    assert.deepEqual(Object.keys(POOL_TYPES).filter((k) => poolFormDefaults(k).build), ['dir', 'netfs']);
    for (const type of ['fs', 'logical']) {
        const body = buildPoolRequest({ name: 'p', type, target_path: '/mnt/p', source_device: '/dev/sdb1', source_host: 'nas',
            source_path: '/e', source_name: 'vg0', build: poolFormDefaults(type).build }).payload;
        assert.equal(body.build, false, type);
    }
});

test('the server’s volume rules: delete refused while any VM uses it, wipe while a running (or paused) one does', () => {
    const users = [{ name: 'web', active: true }, { name: 'old', active: false }];
    assert.deepEqual(volumeBlockers('delete', users).map((u) => u.name), ['web', 'old']);
    assert.deepEqual(volumeBlockers('wipe', users).map((u) => u.name), ['web']);
    assert.deepEqual(volumeBlockers('delete', [{ name: 'old', active: false }]).map((u) => u.name), ['old']);
    assert.deepEqual(volumeBlockers('wipe', [{ name: 'old', active: false }]), []);
    assert.deepEqual(volumeBlockers('delete', []), []);
    assert.deepEqual(volumeBlockers('delete', undefined), []);
    assert.deepEqual(volumeBlockers('resize', users), []);
});

test('the server’s pool rule: stop and delete refused while a running (or paused) VM has a disk in it', () => {
    assert.deepEqual(poolBlockers([{ name: 'a', active: false }]), []);
    assert.deepEqual(poolBlockers([{ name: 'a', active: false }, { name: 'b', active: true }]).map((u) => u.name), ['b']);
    assert.deepEqual(poolBlockers(null), []);
});
