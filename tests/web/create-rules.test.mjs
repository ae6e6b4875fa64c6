// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/create-rules.test.mjs — web/js/create-rules.js: the defaults an osinfo entry
// gives, which step owns a request member, each step's checks (the contract's ranges and
// rules, both languages) and the POST /api/domains body for every source (the install
// tree URL's rule as the server's: tests/integration/domain-create.test.mjs).
import test from 'node:test';
import assert from 'node:assert/strict';
import {
    STEPS, SOURCE_TYPES, LIMITS, osDefaults, stepOfField, diskRole, sshKeyList, hostnameFromName, vmNameError, treeUrlError,
    checkStep, firstErrorStep, buildCreateRequest,
} from '../../web/js/create-rules.js';
import { setLanguage } from '../../web/js/i18n.js';

await setLanguage('en', { remember: false });

// GET /api/os?q=debian11's entry (docs/api.md)
const DEBIAN11 = {
    id: 'debian11', name: 'Debian 11', memory: { min_mib: 1024, recommended_mib: 1024 }, vcpus: { min: 1, recommended: null },
    disk: { min_gib: 10, recommended_gib: 20 }, virtio: true, disk_bus: 'virtio', nic_model: 'virtio',
    firmware: { uefi: true, uefi_required: false, bios: true }, tpm_required: false,
};
const WIN11 = {
    id: 'win11', name: 'Microsoft Windows 11', memory: { min_mib: 4096, recommended_mib: null }, vcpus: { min: 2, recommended: null },
    disk: { min_gib: 64, recommended_gib: null }, virtio: false, disk_bus: 'sata', nic_model: 'e1000e',
    firmware: { uefi: true, uefi_required: true, bios: false }, tpm_required: true,
};

/** A complete, valid form of the ISO source; over: members to replace. */
function form(over = {}) {
    return {
        source: {
            type: 'iso', volume: { pool: 'default', name: 'debian.iso' }, image: { pool: '', name: '' }, linked: true, template: '',
            cloud_init: { hostname: '', user: '', password: '', ssh_keys: '', user_data: '' },
        },
        os: 'debian11', name: 'web-1', title: '', description: '', vcpus: '1', memory_mib: '1024',
        disk: { pool: 'default', size_gib: '20', format: 'qcow2', bus: 'virtio' },
        network: { kind: 'network', network: 'default', bridge: '', model: 'virtio' },
        firmware: 'bios', tpm: false, autostart: false, start: true,
        ...over,
    };
}

const cloud = (ci = {}, over = {}) => form({
    source: {
        type: 'cloud_image', volume: { pool: '', name: '' }, image: { pool: 'default', name: 'debian.qcow2' }, linked: true, template: '',
        cloud_init: { hostname: '', user: '', password: '', ssh_keys: '', user_data: '', ...ci },
    },
    disk: { pool: 'default', size_gib: '', format: 'qcow2', bus: 'virtio' },
    ...over,
});

test('an OS entry gives its recommended figures, else its minimum, else the generic ones', () => {
    assert.deepEqual(osDefaults(DEBIAN11), { vcpus: 1, memory_mib: 1024, size_gib: 20, firmware: 'bios', tpm: false, disk_bus: 'virtio', nic_model: 'virtio' });
    assert.deepEqual(osDefaults(WIN11), { vcpus: 2, memory_mib: 4096, size_gib: 64, firmware: 'uefi', tpm: true, disk_bus: 'sata', nic_model: 'e1000e' });
    assert.deepEqual(osDefaults(null), { vcpus: 1, memory_mib: 1024, size_gib: 10, firmware: 'bios', tpm: false, disk_bus: 'virtio', nic_model: 'virtio' });
    // nothing known: the generic ones; an unknown bus or model is not passed on
    assert.deepEqual(osDefaults({ id: 'x', memory: null, vcpus: null, disk: null, disk_bus: 'floppy', nic_model: 'ne2k', firmware: null }),
        osDefaults(null));
    // BIOS unsupported but UEFI fine: UEFI even without uefi_required
    assert.equal(osDefaults({ firmware: { bios: false, uefi: true, uefi_required: false } }).firmware, 'uefi');
});

test('a dotted member names its step; the source decides the disk', () => {
    assert.deepEqual(STEPS, ['source', 'os', 'resources', 'summary']);
    assert.deepEqual(SOURCE_TYPES, ['iso', 'import', 'url', 'cloud_image', 'template', 'none']);
    for (const f of ['source.type', 'source.url', 'source.volume.pool', 'source.cloud_init.hostname', 'source.template']) assert.equal(stepOfField(f), 'source', f);
    assert.equal(stepOfField('os'), 'os');
    for (const f of ['name', 'vcpus', 'memory_mib', 'disk.size_gib', 'disk.pool', 'network.bridge', 'network', 'firmware', 'tpm']) assert.equal(stepOfField(f), 'resources', f);
    for (const f of ['', 'nonsense', undefined]) assert.equal(stepOfField(f), 'summary');
    assert.deepEqual(['iso', 'none', 'url', 'import', 'cloud_image', 'template'].map(diskRole), ['new', 'new', 'new', 'none', 'copy', 'copy']);
    assert.equal(firstErrorStep({ 'disk.size_gib': 'x', 'source.volume.name': 'y' }), 'source');
    assert.equal(firstErrorStep({}), '');
});

test('the ISO source: the whole body, as the contract names it', () => {
    const { payload, errors } = buildCreateRequest(form({ title: '数据库', description: 'a\nb', autostart: true }));
    assert.deepEqual(errors, {});
    assert.deepEqual(payload, {
        name: 'web-1', title: '数据库', description: 'a\nb', os: 'debian11', vcpus: 1, memory_mib: 1024, firmware: 'bios', tpm: false,
        source: { type: 'iso', volume: { pool: 'default', name: 'debian.iso' } },
        disk: { pool: 'default', format: 'qcow2', bus: 'virtio', size_gib: 20 },
        network: { network: 'default', model: 'virtio' }, autostart: true, start: true,
    });
    // empty title, description and OS are left out
    const bare = buildCreateRequest(form({ os: '' })).payload;
    assert.ok(!('title' in bare) && !('description' in bare) && !('os' in bare));
});

test('import has no disk; none makes one; template and the network kinds', () => {
    const imp = buildCreateRequest(form({ source: { ...form().source, type: 'import', volume: { pool: 'fast', name: 'old.raw' } } })).payload;
    assert.deepEqual(imp.source, { type: 'import', volume: { pool: 'fast', name: 'old.raw' } });
    assert.ok(!('disk' in imp));
    const none = buildCreateRequest(form({ source: { ...form().source, type: 'none' }, network: { kind: 'none' } })).payload;
    assert.deepEqual(none.source, { type: 'none' });
    assert.equal(none.network, null);
    assert.equal(none.disk.size_gib, 20);
    const tpl = form({ source: { ...form().source, type: 'template', template: 'abcd', linked: false }, disk: { pool: 'default', size_gib: '', format: 'raw', bus: 'sata' } });
    const tb = buildCreateRequest(tpl).payload;
    assert.deepEqual(tb.source, { type: 'template', template: 'abcd', linked: false });
    assert.deepEqual(tb.disk, { pool: 'default', format: 'raw', bus: 'sata' }, 'no size: as large as the template');
    assert.ok(!('firmware' in tb) && !('tpm' in tb), 'the template\'s own are kept');
    assert.deepEqual(buildCreateRequest(form({ network: { kind: 'bridge', bridge: ' br0 ', model: 'e1000e' } })).payload.network, { bridge: 'br0', model: 'e1000e' });
    assert.deepEqual(buildCreateRequest(form({ network: { kind: 'user', model: 'virtio' } })).payload.network, { user: true, model: 'virtio' });
});

test('the cloud image: cloud-init with the host name from the VM name, keys one a line', () => {
    const { payload, errors } = buildCreateRequest(cloud({ user: 'debian', password: 's3cret', ssh_keys: 'ssh-ed25519 AAAA a@b\n\n  ssh-rsa BBBB c@d  \n' }));
    assert.deepEqual(errors, {});
    assert.deepEqual(payload.source, {
        type: 'cloud_image', image: { pool: 'default', name: 'debian.qcow2' }, linked: true,
        cloud_init: { hostname: 'web-1', user: 'debian', password: 's3cret', ssh_keys: ['ssh-ed25519 AAAA a@b', 'ssh-rsa BBBB c@d'], user_data: null },
    });
    assert.deepEqual(payload.disk, { pool: 'default', format: 'qcow2', bus: 'virtio' });
    const own = buildCreateRequest(cloud({ hostname: 'db.lab', user_data: '#cloud-config\nruncmd: []\n' })).payload.source.cloud_init;
    assert.deepEqual(own, { hostname: 'db.lab', password: null, ssh_keys: [], user_data: '#cloud-config\nruncmd: []\n' });
    assert.deepEqual(sshKeyList(' \r\nk1\r\n k2 '), ['k1', 'k2']);
});

test('host names: made from the VM name where it can be, else asked for', () => {
    assert.equal(hostnameFromName('Web Server #1'), 'web-server-1');
    assert.equal(hostnameFromName('--x--'), 'x');
    assert.equal(hostnameFromName('数据库'), '');
    assert.equal(hostnameFromName('a'.repeat(80)), 'a'.repeat(63));
    // the source step lets an empty host name pass (the name comes later) ...
    assert.deepEqual(checkStep('source', cloud({}, { name: '' })), {});
    // ... the whole request asks for one when the name gives none
    const { payload, errors } = buildCreateRequest(cloud({}, { name: '数据库' }));
    assert.equal(payload, null);
    assert.equal(errors['source.cloud_init.hostname'], 'Enter a host name: the VM’s name cannot be made into one.');
    assert.match(checkStep('source', cloud({ hostname: 'bad_host' }))['source.cloud_init.hostname'], /host name has parts/);
    assert.match(checkStep('source', cloud({ hostname: `${'a'.repeat(64)}.lab` }))['source.cloud_init.hostname'], /host name/);
    assert.deepEqual(checkStep('source', cloud({ hostname: 'db-1.lab.example' })), {});
});

test('cloud-init user and user-data follow the seed\'s rules', () => {
    for (const u of ['debian', '_svc', 'a-b_c9']) assert.deepEqual(checkStep('source', cloud({ user: u })), {}, u);
    for (const u of ['Debian', '9lives', 'a b', 'x'.repeat(33)]) assert.ok(checkStep('source', cloud({ user: u }))['source.cloud_init.user'], u);
    assert.match(checkStep('source', cloud({ user_data: 'runcmd: []' }))['source.cloud_init.user_data'], /#cloud-config/);
    assert.deepEqual(checkStep('source', cloud({ user_data: '#!/bin/sh\necho hi\n' })), {});
    const big = `#cloud-config\n${'x'.repeat(LIMITS.user_data_bytes)}`;
    assert.match(checkStep('source', cloud({ user_data: big }))['source.cloud_init.user_data'], /64 KiB/);
});

test('the source step wants a pool and a volume, an image, a template', () => {
    const src = (s) => form({ source: { ...form().source, ...s } });
    assert.equal(checkStep('source', src({ volume: { pool: 'default', name: '' } }))['source.volume.name'], 'Choose the ISO image.');
    assert.equal(checkStep('source', src({ type: 'import', volume: { pool: 'default', name: '' } }))['source.volume.name'], 'Choose the disk volume.');
    assert.equal(checkStep('source', src({ volume: { pool: '', name: '' } }))['source.volume.pool'], 'Choose a storage pool.');
    assert.equal(checkStep('source', cloud({}, { source: { ...cloud().source, image: { pool: 'default', name: '' } } }))['source.image.name'], 'Choose the cloud image.');
    assert.equal(checkStep('source', src({ type: 'template', template: '' }))['source.template'], 'Choose a template.');
    assert.equal(checkStep('source', src({ type: 'url' }))['source.url'], 'Enter the URL of the install tree.');
    assert.ok(checkStep('source', src({ type: 'floppy' }))['source.type']);
});

test('the network install: the tree URL\'s rule, the body, and it always starts', () => {
    for (const url of ['https://deb.debian.org/debian/dists/bookworm/main/installer-amd64/', 'http://127.0.0.1:8080/f',
        'http://[fd00::1]/tree/', 'https://mirror.example/pub/fedora/linux/releases/39/Server/x86_64/os/', 'http://h/%7Euser/']) {
        assert.equal(treeUrlError(url), '', url);
    }
    const bad = {
        'ftp://deb.example/': /"http:\/\/" or "https:\/\/"/, 'HTTPS://deb.example/': /"http:\/\/" or "https:\/\/"/,
        'https://u:pw@deb.example/': /user name or password/, 'https://deb.example/?d=1': /query/, 'https://deb.example/#x': /fragment/,
        'https://-x.example/': /host/, 'https://deb example/': /host/, 'http:///x': /host/, 'https://deb.example:0/': /port/,
        'https://deb.example:65536/': /port/, 'https://deb.example/a b': /escaped/, 'https://deb.example/%zz': /escaped/,
        [`https://deb.example/${'a'.repeat(1010)}`]: /longer than 1,024 bytes/, '': /Enter the URL/,
    };
    for (const [url, re] of Object.entries(bad)) assert.match(treeUrlError(url), re, url);
    const url = (u, over = {}) => form({ source: { ...form().source, type: 'url', url: u }, ...over });
    assert.match(checkStep('source', url('https://user:pw@deb.example/'))['source.url'], /password/);
    const { payload, errors } = buildCreateRequest(url(' https://deb.debian.org/debian/dists/bookworm/main/installer-amd64/ ', { start: false }));
    assert.deepEqual(errors, {});
    assert.deepEqual(payload.source, { type: 'url', url: 'https://deb.debian.org/debian/dists/bookworm/main/installer-amd64/' });
    assert.equal(payload.start, true, 'the install boot lives only in the running VM');
    assert.equal(payload.disk.size_gib, 20, 'it installs onto a new disk');
});

test('resources: the name rule, the ranges, the disk size, the network', () => {
    const res = (over) => checkStep('resources', form(over));
    assert.deepEqual(res({}), {});
    assert.equal(res({ name: '' }).name, 'Enter a name for the virtual machine.');
    assert.equal(vmNameError('数据库服务器'), '', 'any script');
    assert.equal(vmNameError('a/b'), 'The name may not have a "/".');
    assert.equal(vmNameError('-x'), 'The name may not start with "-".');
    assert.match(vmNameError('题'.repeat(86)), /longer than 255 bytes/);
    assert.match(res({ title: 'a\nb' }).title, /one line/);
    assert.equal(res({ vcpus: '0' }).vcpus, 'The number of vCPUs must be between 1 and 255.');
    assert.equal(res({ vcpus: '256' }).vcpus, 'The number of vCPUs must be between 1 and 255.');
    assert.equal(res({ vcpus: '1.5' }).vcpus, 'The number of vCPUs must be a whole number.');
    assert.equal(res({ memory_mib: '' }).memory_mib, 'Enter a memory size.');
    assert.match(res({ memory_mib: '32' }).memory_mib, /between 64 and 16777216/);
    assert.match(res({ disk: { ...form().disk, size_gib: '' } })['disk.size_gib'], /Enter a disk size/);
    assert.match(res({ disk: { ...form().disk, size_gib: '16385' } })['disk.size_gib'], /between 1 and 16384/);
    assert.equal(res({ disk: { ...form().disk, pool: '' } })['disk.pool'], 'Choose a storage pool.');
    // a copied disk may keep its size; an imported one has no disk fields at all
    assert.deepEqual(checkStep('resources', cloud()), {});
    assert.deepEqual(res({ source: { ...form().source, type: 'import' }, disk: { pool: '', size_gib: 'x' } }), {});
    assert.equal(res({ network: { kind: 'network', network: '' } })['network.network'], 'Choose a virtual network.');
    assert.match(res({ network: { kind: 'bridge', bridge: '' } })['network.bridge'], /host bridge/);
    assert.match(res({ network: { kind: 'bridge', bridge: 'br 0' } })['network.bridge'], /host bridge/);
    const { payload, errors } = buildCreateRequest(form({ name: '', vcpus: '0' }));
    assert.equal(payload, null);
    assert.deepEqual(Object.keys(errors).sort(), ['name', 'vcpus']);
});

test('the checks speak Chinese too', async () => {
    await setLanguage('zh-CN', { remember: false });
    try {
        assert.equal(checkStep('resources', form({ name: '' })).name, '请输入虚拟机名称。');
        assert.doesNotMatch(checkStep('source', cloud({ user: 'X' }))['source.cloud_init.user'], /[A-Za-z]{6,}/);
        assert.equal(treeUrlError('ftp://x/'), 'URL 必须以 "http://" 或 "https://" 开头。');
    } finally {
        await setLanguage('en', { remember: false });
    }
});
