// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/domain-create.test.mjs — POST /api/domains (docs/api.md "Creating a
// VM") on the test driver: the demo host (packaging/demo/demo.xml) plus a pool of our own
// holding an ISO and disk images, and a shut-off VM of our own marked as a template.
// Covers: every member round-trips through GET /api/domains/{uuid} and the XML (vCPUs,
// memory, firmware, TPM, disk pool/size/format/bus, NIC kind/model, os, title,
// description, autostart, start, a Chinese name); the defaults (none, and the osinfo
// database's for an OS); import uses the volume itself; every invalid member is a 400
// naming the member and creates nothing (domains and volumes compared); a name in use
// is 409; another VM's disk cannot be imported (409); a cloud image request is checked
// before anything is made, and a failure after its volumes were made (the seed upload,
// which the test driver lacks) removes them; a viewer is 403; a template source makes a linked clone (a qcow2 overlay backed
// by the template's volume) or a full copy, the template untouched; a url source (a
// network install tree, served by the test itself on loopback) is checked (URL, OS layout,
// start) before anything is made, a tree without the kernel or with one too large is a
// 502 naming the URL, and a failure after its volumes were made removes them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWithFixture } from '../lib/roles.mjs';
import { assertDomainDetail, assertError, assertJson, UUID_RE } from '../lib/api-assert.mjs';
import { domainXml } from '../bench/gen-domains.mjs';
import { serveTree } from '../lib/tree-server.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PW = { admin: 'admin-pass-create-1', op: 'operator-pass-create-2', view: 'viewer-pass-create-3' };
const GIB = 1024 ** 3;
const MIB = 1024 ** 2; // allocated per volume: a full copy that small answers 201 at once
const POOL = 'vdtest-create';
const DIR = '/srv/vdtest-create';
const VOLS = [['inst.iso', 'iso', GIB], ['base.qcow2', 'qcow2', 2 * GIB], ['old.vmdk', 'vmdk', GIB],
    ['tmpl.qcow2', 'qcow2', 2 * GIB]];
const TMPL = { name: 'vdtest-create-tmpl', uuid: '5eed0000-0000-4000-8000-0000000c7e01', state: 'shutoff',
    title: 'Golden image', vcpus: 4, disks: [{ target: 'vda', source: `${DIR}/tmpl.qcow2`, format: 'qcow2' }],
    interfaces: [{ mac: '52:54:00:c7:00:01', model: 'virtio' }] };
const LIBOSINFO = 'http://libosinfo.org/xmlns/libvirt/domain/1.0';

function fixture() {
    const demo = readFileSync(path.join(REPO_ROOT, 'packaging', 'demo', 'demo.xml'), 'utf8');
    const pool = [`  <pool type='dir'>`, `    <name>${POOL}</name>`,
        `    <target><path>${DIR}</path></target>`,
        ...VOLS.map(([v, f, cap]) => `    <volume type='file'><name>${v}</name><capacity unit='bytes'>${cap}</capacity>` +
            `<allocation unit='bytes'>${MIB}</allocation><target><format type='${f}'/></target></volume>`),
        '  </pool>'].join('\n');
    const xml = demo.replace('</node>', `${domainXml(TMPL)}\n${pool}\n</node>`);
    assert.notEqual(xml, demo, 'the demo ends with </node>');
    return xml;
}

/** The first match of a regular expression's group in text, or null. */
const grab = (text, re) => (text.match(re) || [])[1] ?? null;

describe('creating a VM (test driver)', () => {
    let roles;
    let admin;
    let op;
    let view;

    before(async () => {
        roles = await startWithFixture(PW, fixture());
        ({ admin, op, view } = roles);
        assertJson(await op.post(`/api/domains/${TMPL.uuid}/template`, { template: true }), 200, 'mark the template');
        // the osinfo database loads at its first use, which under ASan on a loaded machine
        // took over the tests' 10 s (a clean-clone run): load it here, with time to spare
        assertJson(await admin.get('/api/os?q=debian', { timeoutMs: 60000 }), 200, 'osinfo loaded');
    });
    after(async () => {
        if (roles) await roles.stop();
    });

    const create = (client, body) => client.post('/api/domains', body);
    const detail = async (uuid) => assertJson(await admin.get(`/api/domains/${uuid}`), 200, 'detail');
    const xmlOf = async (uuid) => assertJson(await admin.get(`/api/domains/${uuid}/xml?inactive=true`), 200, 'xml').xml;
    const volumes = async (pool) =>
        assertJson(await admin.get(`/api/pools/${pool}/volumes`), 200, 'volumes').volumes;
    const world = async () => ({
        domains: assertJson(await admin.get('/api/domains'), 200, 'list').domains.map((x) => x.name).sort(),
        vols: [...(await volumes(POOL)), ...(await volumes('default'))].map((v) => `${v.pool}/${v.name}`).sort(),
    });

    it('creates a VM from an ISO with every member, and every member round-trips', async () => {
        const name = 'vdtest-创建-全部';
        const body = {
            name, title: '网站 1', description: 'two\nlines', os: 'debian11', vcpus: 3, memory_mib: 1536,
            firmware: 'uefi', tpm: true, source: { type: 'iso', volume: { pool: POOL, name: 'inst.iso' } },
            disk: { pool: POOL, size_gib: 7, format: 'raw', bus: 'sata' },
            network: { network: 'default', model: 'e1000e' }, autostart: true, start: false,
        };
        const d = assertJson(await create(op, body), 201, 'create');
        assertDomainDetail(d);
        assert.match(d.uuid, UUID_RE);
        assert.equal(d.name, name);
        assert.equal(d.title, '网站 1');
        assert.equal(d.description, 'two\nlines');
        assert.equal(d.vcpus, 3);
        assert.equal(d.max_memory_kib, 1536 * 1024);
        assert.equal(d.os, 'debian11');
        assert.equal(d.autostart, true);
        assert.equal(d.state, 'shutoff');
        assert.deepEqual(d.disks.map((k) => [k.device, k.target, k.bus, k.source, k.format]), [
            ['disk', 'sda', 'sata', `${DIR}/${name}-sda.raw`, 'raw'],
            ['cdrom', 'sdb', 'sata', `${DIR}/inst.iso`, 'raw'],
        ]);
        assert.deepEqual(d.interfaces.map((n) => [n.type, n.source, n.model]), [['network', 'default', 'e1000e']]);
        assert.equal(d.owner, 'op', 'a new VM belongs to its creator');
        assert.equal(d.access, 'owner');
        assert.deepEqual(await detail(d.uuid), { ...d, access: 'admin' }, 'the detail (the admin\'s) reads the same');
        const vol = (await volumes(POOL)).find((v) => v.name === `${name}-sda.raw`);
        assert.ok(vol, 'the new disk volume is in the pool');
        assert.equal(vol.capacity_bytes, 7 * GIB);
        assert.equal(vol.format, 'raw');

        const xml = await xmlOf(d.uuid);
        assert.equal(grab(xml, /<vcpu[^>]*>(\d+)</), '3');
        assert.equal(grab(xml, /<memory unit='KiB'>(\d+)</), String(1536 * 1024));
        assert.match(xml, /<os firmware='efi'>/);
        assert.match(xml, /machine='q35'/);
        assert.match(xml, /<tpm model='tpm-crb'>\s*<backend type='emulator' version='2.0'\/>/);
        assert.match(xml, /<rng model='virtio'>/);
        assert.match(xml, /<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'>/);
        assert.match(xml, /<serial type='pty'>/);
        assert.match(xml, /<video>\s*<model type='virtio'/);
        assert.ok(xml.includes(`<libosinfo:libosinfo xmlns:libosinfo="${LIBOSINFO}">`), xml);
        assert.ok(xml.includes('<libosinfo:os id="http://debian.org/debian/11"/>'), xml);
        // the CD-ROM boots first, then the disk the installer writes
        assert.match(xml, /<source file='\/srv\/vdtest-create\/inst.iso'\/>[\s\S]*?<boot order='1'\/>/);
        assert.match(xml, /-sda.raw'\/>[\s\S]*?<boot order='2'\/>/);
        assert.match(xml, /<driver name='qemu' type='raw'\/>\s*<source file='\/srv\/vdtest-create\/vdtest-创建-全部-sda.raw'/);
        assert.match(xml, /<model type='e1000e'\/>/);
    });

    it('fills the defaults: without an OS 1 vCPU, 1 GiB, a 10 GiB qcow2 virtio disk in "default", BIOS, no NIC',
        async () => {
            const d = assertJson(await create(op, { name: 'vdtest-create-bare', source: { type: 'none' } }), 201, 'create');
            assert.equal(d.vcpus, 1);
            assert.equal(d.max_memory_kib, 1024 * 1024);
            assert.equal(d.os, null);
            assert.equal(d.autostart, false);
            assert.equal(d.state, 'shutoff', 'start defaults to false');
            assert.deepEqual(d.interfaces, []);
            assert.deepEqual(d.disks.map((k) => [k.device, k.target, k.bus, k.format]), [['disk', 'vda', 'virtio', 'qcow2']]);
            const vol = (await volumes('default')).find((v) => v.name === 'vdtest-create-bare-vda.qcow2');
            assert.equal(vol?.capacity_bytes, 10 * GIB);
            const xml = await xmlOf(d.uuid);
            assert.doesNotMatch(xml, /firmware=|<tpm|libosinfo|<title>|<description>/);
            assert.match(xml, /<video>\s*<model type='virtio'/);
        });

    it('takes the osinfo database\'s recommendations for an OS', async () => {
        const os = assertJson(await admin.get('/api/os?q=debian11'), 200, 'os').os.find((o) => o.id === 'debian11');
        assert.ok(os, 'GET /api/os lists debian11');
        const d = assertJson(await create(op, { name: 'vdtest-create-deb', os: 'debian11', source: { type: 'none' },
            disk: { pool: POOL } }), 201, 'create');
        assert.equal(d.os, 'debian11');
        assert.equal(d.vcpus, os.vcpus.recommended ?? 1, 'the database gives no figure: 1');
        assert.equal(d.max_memory_kib, os.memory.recommended_mib * 1024);
        const vol = (await volumes(POOL)).find((v) => v.name === 'vdtest-create-deb-vda.qcow2');
        assert.equal(vol?.capacity_bytes, os.disk.recommended_gib * GIB);
    });

    it('imports a volume as the VM\'s disk, making no new one; user and bridge NICs; start: true runs it', async () => {
        const before = await world();
        const d = assertJson(await create(op, { name: 'vdtest-create-imp', source: { type: 'import',
            volume: { pool: POOL, name: 'base.qcow2' } }, network: { user: true }, start: true }), 201, 'create');
        assert.equal(d.state, 'running');
        assert.deepEqual(d.disks.map((k) => [k.target, k.source, k.format]), [['vda', `${DIR}/base.qcow2`, 'qcow2']]);
        assert.deepEqual(d.interfaces.map((n) => [n.type, n.model]), [['user', 'virtio']]);
        assert.deepEqual((await world()).vols, before.vols, 'no volume made');
        const b = assertJson(await create(admin, { name: 'vdtest-create-br', source: { type: 'none' }, disk: null,
            network: { bridge: 'br0', model: 'rtl8139' } }), 201, 'create');
        assert.deepEqual(b.disks, [], 'disk: null makes a diskless VM');
        assert.deepEqual(b.interfaces.map((n) => [n.type, n.source, n.model]), [['bridge', 'br0', 'rtl8139']]);
        assert.match(await xmlOf(b.uuid), /<model type='rtl8139'\/>\s*<boot order='1'\/>/, 'a diskless VM boots from the network');
    });

    it('refuses every invalid member with 400 naming it, creating nothing', async () => {
        const ok = { name: 'vdtest-create-bad', source: { type: 'none' } };
        const cases = [
            [{ source: { type: 'none' } }, 'name'],
            [{ ...ok, name: 'a/b' }, 'name'],
            [{ ...ok, name: '' }, 'name'],
            [{ ...ok, title: 'x'.repeat(1025) }, 'title'],
            [{ ...ok, description: 'x'.repeat(4097) }, 'description'],
            [{ ...ok, os: 'no-such-os' }, 'os'],
            [{ ...ok, os: 'Debian 11' }, 'os'],
            [{ ...ok, vcpus: 0 }, 'vcpus', 1, 4096],
            [{ ...ok, vcpus: 5000 }, 'vcpus', 1, 4096],
            [{ ...ok, vcpus: '2' }, 'vcpus', 1, 4096],
            [{ ...ok, memory_mib: 0 }, 'memory_mib'],
            [{ ...ok, firmware: 'coreboot' }, 'firmware'],
            [{ ...ok, tpm: 'yes' }, 'tpm'],
            [{ ...ok, autostart: 1 }, 'autostart'],
            [{ ...ok, start: null }, 'start'],
            [{ ...ok, extra: 1 }, undefined], // like every route: an unknown top-level member names no field
            [{ name: 'vdtest-create-bad' }, 'source'],
            [{ ...ok, source: { type: 'floppy' } }, 'source.type'],
            [{ ...ok, source: { type: 'none', volume: {} } }, 'source.volume'],
            [{ ...ok, source: { type: 'iso' } }, 'source.volume'],
            [{ ...ok, source: { type: 'iso', volume: { pool: POOL } } }, 'source.volume.name'],
            [{ ...ok, source: { type: 'iso', volume: { pool: POOL, name: 'nope.iso' } } }, 'source.volume.name'],
            [{ ...ok, source: { type: 'iso', volume: { pool: 'nopool', name: 'inst.iso' } } }, 'source.volume.pool'],
            [{ ...ok, source: { type: 'import', volume: { pool: POOL, name: 'old.vmdk' } } }, 'source.volume.name'],
            [{ ...ok, source: { type: 'import', volume: { pool: POOL, name: 'base.qcow2' } }, disk: {} }, 'disk'],
            [{ ...ok, disk: { pool: 'nopool' } }, 'disk.pool'],
            [{ ...ok, disk: { size_gib: 0 } }, 'disk.size_gib', 1, 16384],
            [{ ...ok, disk: { size_gib: 99999 } }, 'disk.size_gib', 1, 16384],
            [{ ...ok, disk: { format: 'vmdk' } }, 'disk.format'],
            [{ ...ok, disk: { bus: 'usb' } }, 'disk.bus'],
            [{ ...ok, disk: { pool: POOL, copies: 2 } }, 'disk.copies'],
            [{ ...ok, disk: 'big' }, 'disk'],
            [{ ...ok, network: { network: 'nonet' } }, 'network.network'],
            [{ ...ok, network: { network: 'default', model: 'ne2k' } }, 'network.model'],
            [{ ...ok, network: { network: 'default', mac: '52:54:00:00:00:01' } }, 'network.mac'],
            [{ ...ok, network: { bridge: 'br 0' } }, 'network.bridge'],
            [{ ...ok, network: {} }, 'network.network'],
            [{ ...ok, source: { type: 'template', template: 'not-a-uuid' } }, 'source.template'],
        ];
        const before = await world();
        for (const [body, field, min, max] of cases) {
            const label = JSON.stringify(body);
            const e = assertError(await create(op, body), 400, 'bad_request', label);
            assert.equal(e.field, field, `${label}: ${e.message}`);
            if (min !== undefined) assert.deepEqual([e.min, e.max], [min, max], label);
        }
        assert.deepEqual(await world(), before);
    });

    it('refuses a name in use with 409 at "name", creating nothing', async () => {
        const before = await world();
        for (const name of ['web-01', 'vdtest-create-bare']) {
            const e = assertError(await create(op, { name, source: { type: 'none' } }), 409, 'conflict', name);
            assert.equal(e.field, 'name', e.message);
        }
        assert.deepEqual(await world(), before);
    });

    it('refuses to import the disk of another VM with 409 at "source.volume.name", creating nothing', async () => {
        const before = await world();
        const e = assertError(await create(op, { name: 'vdtest-create-steal', source: { type: 'import',
            volume: { pool: 'default', name: 'web-01.qcow2' } } }), 409, 'conflict');
        assert.equal(e.field, 'source.volume.name', e.message);
        assert.deepEqual(await world(), before);
    });

    it('refuses a bad install tree URL with 400 at "source.url", creating nothing', async () => {
        const before = await world();
        const bad = ['ftp://deb.example/debian/', 'file:///srv/tree', 'http://', 'http:///x', 'https://user:pw@deb.example/',
            'https://deb.example/debian/#frag', 'https://deb.example/?dist=bookworm', 'https://deb example/',
            'https://deb.example/a b/', 'https://deb.example/"quote', 'https://-bad.example/', 'https://deb.example:0/',
            'https://deb.example:65536/', 'https://deb.example:8a/', 'https://[zz::1]/', 'https://deb.example/%zz',
            `https://deb.example/${'a'.repeat(1100)}`, 'HTTPS://deb.example/', 'https://deb.example/{x}', ''];
        for (const url of bad) {
            const e = assertError(await create(op, { name: 'vdtest-create-url', source: { type: 'url', url } }), 400,
                'bad_request', url);
            assert.equal(e.field, 'source.url', `${url}: ${e.message}`);
        }
        for (const [source, field] of [[{ type: 'url' }, 'source.url'], [{ type: 'url', url: 7 }, 'source.url'],
            [{ type: 'url', url: 'https://deb.example/', volume: {} }, 'source.volume']]) {
            const e = assertError(await create(op, { name: 'vdtest-create-url', source }), 400, 'bad_request');
            assert.equal(e.field, field, e.message);
        }
        const s = assertError(await create(op, { name: 'vdtest-create-url', start: false,
            source: { type: 'url', url: 'https://deb.example/' } }), 400, 'bad_request');
        assert.equal(s.field, 'start', s.message);
        assert.deepEqual(await world(), before);
    });

    it('refuses an OS without a known install-tree layout with 400 at "os", fetching nothing', async () => {
        const before = await world();
        // win10's osinfo entry has no install tree; the URL would not answer either
        const e = assertError(await create(op, { name: 'vdtest-create-url', os: 'win10',
            source: { type: 'url', url: 'http://127.0.0.1:9/tree/' } }), 400, 'bad_request');
        assert.equal(e.field, 'os', e.message);
        assert.match(e.message, /no known install-tree layout/);
        assert.deepEqual(await world(), before);
    });

    it('answers 502 fetch_failed at "source.url" naming the URL when the tree has no kernel, or one too large',
        async () => {
            const tree = await serveTree({ '/big/images/pxeboot/vmlinuz': 100 * 1024 * 1024 });
            try {
                const before = await world();
                // a Fedora tree (a .treeinfo tree: images/pxeboot) without files: 404
                const e = assertError(await create(op, { name: 'vdtest-create-url', os: 'fedora37',
                    source: { type: 'url', url: `${tree.url}/empty/` } }), 502, 'fetch_failed');
                assert.equal(e.field, 'source.url', e.message);
                assert.ok(e.message.includes(`${tree.url}/empty/images/pxeboot/vmlinuz`), e.message);
                assert.match(e.message, /404/);
                // without "os" both well-known layouts are tried; the last one's URL is named
                const n = assertError(await create(op, { name: 'vdtest-create-url',
                    source: { type: 'url', url: `${tree.url}/empty` } }), 502, 'fetch_failed');
                assert.ok(n.message.includes(`${tree.url}/empty/main/installer-amd64/current/images/netboot/`), n.message);
                assert.deepEqual(tree.asked.filter((x) => x.startsWith('/empty/')).sort(), [
                    '/empty/images/pxeboot/vmlinuz', '/empty/images/pxeboot/vmlinuz',
                    '/empty/main/installer-amd64/current/images/netboot/debian-installer/amd64/linux']);
                // a kernel over 64 MiB is refused from its Content-Length, before a byte is copied
                const big = assertError(await create(op, { name: 'vdtest-create-url', os: 'fedora37',
                    source: { type: 'url', url: `${tree.url}/big` } }), 502, 'fetch_failed');
                assert.match(big.message, /104857600 bytes/);
                assert.equal(tree.bodies, 0, 'no body was sent');
                assert.deepEqual(await world(), before);
            } finally {
                await tree.close();
            }
        });

    it('undoes everything when a network install fails after its volumes were made (the test driver cannot upload)',
        async () => {
            const tree = await serveTree({ '/t/images/pxeboot/vmlinuz': 4096, '/t/images/pxeboot/initrd.img': 8192 });
            try {
                const before = await world();
                // fetched, then the disk and the kernel volume are made, then the upload fails
                const e = assertError(await create(op, { name: 'vdtest-create-url', os: 'fedora37',
                    disk: { pool: POOL, size_gib: 1 }, source: { type: 'url', url: `${tree.url}/t/` } }),
                501, 'not_supported');
                assert.match(e.message, /upload the installer's kernel/);
                assert.ok(tree.bodies >= 1, 'the kernel was fetched');
                assert.deepEqual(await world(), before);
            } finally {
                await tree.close();
            }
        });

    it('creates a linked clone of a template: a qcow2 overlay on its disk, the request\'s vCPUs, memory, NIC, size',
        async () => {
            const tmpl = await detail(TMPL.uuid);
            const d = assertJson(await create(op, { name: 'vdtest-create-lnk', title: 'Linked', vcpus: 2, memory_mib: 768,
                source: { type: 'template', template: TMPL.uuid, linked: true }, disk: { size_gib: 3 },
                network: { user: true } }), 201, 'create');
            assert.notEqual(d.uuid, TMPL.uuid);
            assert.equal(d.title, 'Linked');
            assert.equal(d.template, false, 'the new VM is no template');
            assert.equal(d.vcpus, 2);
            assert.equal(d.max_memory_kib, 768 * 1024);
            assert.deepEqual(d.disks.map((k) => [k.target, k.source, k.format]),
                [['vda', `${DIR}/vdtest-create-lnk-vda.qcow2`, 'qcow2']]);
            assert.deepEqual(d.interfaces.map((n) => [n.type, n.model]), [['user', 'virtio']]);
            const vol = (await volumes(POOL)).find((v) => v.name === 'vdtest-create-lnk-vda.qcow2');
            assert.equal(vol.capacity_bytes, 3 * GIB);
            assert.equal(vol.backing?.path, `${DIR}/tmpl.qcow2`, 'backed by the template\'s disk');
            assert.doesNotMatch(await xmlOf(d.uuid), /virtdeck:template|Golden/);
            assert.deepEqual(await detail(TMPL.uuid), tmpl, 'the template is untouched');
        });

    it('creates a full copy of a template, keeping its NIC with a new MAC', async () => {
        const d = assertJson(await create(op, { name: 'vdtest-create-full',
            source: { type: 'template', template: TMPL.uuid, linked: false } }), 201, 'create');
        assert.equal(d.vcpus, 4, 'the template\'s vCPUs');
        assert.equal(d.title, '', 'the template\'s title is not the new VM\'s');
        assert.deepEqual(d.disks.map((k) => [k.target, k.source]), [['vda', `${DIR}/vdtest-create-full-vda.qcow2`]]);
        assert.equal(d.interfaces.length, 1);
        assert.notEqual(d.interfaces[0].mac, TMPL.interfaces[0].mac);
        const vol = (await volumes(POOL)).find((v) => v.name === 'vdtest-create-full-vda.qcow2');
        assert.equal(vol.capacity_bytes, 2 * GIB);
        assert.equal(vol.backing, null, 'a whole copy');
    });

    it('refuses a bad template request with 400 naming the member, creating nothing', async () => {
        const t = (extra) => ({ name: 'vdtest-create-tbad', source: { type: 'template', template: TMPL.uuid }, ...extra });
        const cases = [
            [{ ...t(), source: { type: 'template', template: '97e56341-f5b0-4a2a-b12f-373969e93bd3' } }, 'source.template'],
            [{ ...t(), source: { type: 'template', template: '5eed0000-0000-4000-8000-0000000dead0' } }, 'source.template'],
            [{ ...t(), source: { type: 'template', template: TMPL.uuid, linked: 'yes' } }, 'source.linked'],
            [t({ disk: { size_gib: 1 } }), 'disk.size_gib'],
            [t({ disk: { pool: 'default' } }), 'disk.pool'],
            [t({ disk: { format: 'raw' } }), 'disk.format'],
            [t({ network: { network: 'nonet' } }), 'network.network'],
        ];
        const before = await world();
        for (const [body, field] of cases) {
            const e = assertError(await create(op, body), 400, 'bad_request', JSON.stringify(body));
            assert.equal(e.field, field, e.message);
        }
        assert.deepEqual(await world(), before);
    });

    it('undoes everything made when a later step fails: a cloud image whose seed upload the test driver refuses', async () => {
        const before = await world();
        // the disk overlay and the seed volume are made, then the upload fails (the test
        // driver has no virStorageVolUpload): both volumes go again, nothing is defined
        const e = assertError(await create(op, { name: 'vdtest-create-cl', source: { type: 'cloud_image',
            image: { pool: POOL, name: 'base.qcow2' }, cloud_init: { hostname: 'h1', user: 'debian', password: 'pw' } } }),
        501, 'not_supported');
        // a multi-line user_data passes every check too (the parser lets line breaks into it)
        const u = assertError(await create(op, { name: 'vdtest-create-cl', source: { type: 'cloud_image',
            image: { pool: POOL, name: 'base.qcow2' }, cloud_init: { hostname: 'h1',
                user_data: '#cloud-config\npackages:\n\t- nginx\n' } } }), 501, 'not_supported');
        assert.match(u.message, /upload the cloud-init seed/);
        assert.match(e.message, /upload the cloud-init seed/);
        assert.deepEqual(await world(), before);
    });

    it('checks a cloud image request before making anything (400 naming the member)', async () => {
        const ci = { hostname: 'web-1', user: 'debian', ssh_keys: ['ssh-ed25519 AAAAC3Nza vdtest'] };
        const c = (src, extra = {}) => ({ name: 'vdtest-create-cloud', source: { type: 'cloud_image',
            image: { pool: POOL, name: 'base.qcow2' }, cloud_init: ci, ...src }, ...extra });
        const cases = [
            [c({ image: undefined }), 'source.image'],
            [c({ image: { pool: POOL, name: 'nope.qcow2' } }), 'source.image.name'],
            [c({ image: { pool: POOL, name: 'old.vmdk' } }), 'source.image.name'],
            [c({ image: { pool: 'nopool', name: 'base.qcow2' } }), 'source.image.pool'],
            [c({ cloud_init: undefined }), 'source.cloud_init'],
            [c({ cloud_init: { ...ci, hostname: 'bad_host!' } }), 'source.cloud_init.hostname'],
            [c({ cloud_init: { ...ci, user: 'Root' } }), 'source.cloud_init.user'],
            [c({ cloud_init: { ...ci, password: 'pw', password_hash: '$6$a$b' } }), 'source.cloud_init.password'],
            [c({ cloud_init: { ...ci, password_hash: 'plain' } }), 'source.cloud_init.password_hash'],
            [c({ cloud_init: { ...ci, ssh_keys: 'ssh-ed25519 AAAA' } }), 'source.cloud_init.ssh_keys'],
            [c({ cloud_init: { ...ci, user_data: 'no header' } }), 'source.cloud_init.user_data'],
            [c({ cloud_init: { ...ci, extra: 1 } }), 'source.cloud_init.extra'],
            [c({}, { disk: { pool: 'default' } }), 'disk.pool'],
            [c({}, { disk: { size_gib: 1 } }), 'disk.size_gib'],
        ];
        const before = await world();
        for (const [body, field] of cases) {
            const e = assertError(await create(op, JSON.parse(JSON.stringify(body))), 400, 'bad_request', JSON.stringify(body));
            assert.equal(e.field, field, e.message);
        }
        assert.deepEqual(await world(), before);
    });

    it('lets a viewer create nothing (403)', async () => {
        const before = await world();
        assertError(await create(view, { name: 'vdtest-create-view', source: { type: 'none' } }), 403, 'forbidden');
        assert.deepEqual(await world(), before);
    });
});
