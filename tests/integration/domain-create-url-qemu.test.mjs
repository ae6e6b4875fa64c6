// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/domain-create-url-qemu.test.mjs — POST /api/domains with a url source
// (a network install tree) on qemu:///system. The test serves a tree itself on 127.0.0.1
// (tests/lib/tree-server.mjs): the suite's own guest kernel and initrd (build/guest/ from
// `make guest-image`) at images/pxeboot/, the layout of a .treeinfo tree such as
// Fedora's. virtdeck fetches them with qemu-img's curl driver, uploads them into volumes
// of the disk pool and starts the VM on them: the guest's /proc/cmdline, read through
// virtdeck's serial console websocket, shows the installer's command line (inst.repo=
// the tree), so the guest booted that kernel. The persistent definition boots from the
// disk; the kernel and initrd volumes are gone once QEMU runs. A tree without the kernel
// is a 502 naming the URL, leaving no domain and no volume. The daemon runs with
// domain_type = qemu (TCG). Run under `flock /tmp/vd-qemu.lock` (the shared libvirtd).
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
import { serveTree } from '../lib/tree-server.mjs';

const PW = 'admin-pass-createurl-1';
const GUEST = path.join(REPO_ROOT, 'build', 'guest');

describe('creating a VM from a network install tree on qemu:///system', () => {
    const tag = crypto.randomBytes(4).toString('hex');
    const pool = `vdtest-urlpool-${tag}`;
    const vm = `vdtest-url-${tag}`;
    const missing = `vdtest-url404-${tag}`;
    const lab = {};
    let dir;
    let admin;
    let tree;

    before(async () => {
        assert.ok(fs.existsSync(path.join(GUEST, 'vmlinuz')), `no ${GUEST}/vmlinuz: run make guest-image`);
        tree = await serveTree({
            '/f/images/pxeboot/vmlinuz': fs.readFileSync(path.join(GUEST, 'vmlinuz')),
            '/f/images/pxeboot/initrd.img': fs.readFileSync(path.join(GUEST, 'initrd.img')),
        });
        await startQemuLab(lab, { prefix: 'urlq', pool, admin: { name: 'admin', password: PW } });
        ({ dir, admin } = lab);
        // the osinfo database loads at its first use: under ASan, with the slow unwinder that
        // real-libvirt daemons get (tests/lsan.supp), that alone took over a minute here, so
        // load it now, timed apart from the create
        const t0 = Date.now();
        assertJson(await admin.get('/api/os?q=fedora', { timeoutMs: 180000 }), 200, 'osinfo loaded');
        console.log(`# osinfo loaded in ${Date.now() - t0} ms`);
    });
    after(async () => {
        try {
            await stopQemuLab(lab, { pool, domains: [vm, missing] });
        } finally {
            if (tree) await tree.close();
        }
    });

    const poolFiles = () => fs.readdirSync(dir).sort();

    it('boots the tree\'s kernel with the installer\'s command line; the definition boots from the disk', async () => {
        const url = `${tree.url}/f/`;
        // fetch, upload and start take a few seconds on a busy machine: more than a request's 10 s default
        const out = assertJson(await admin.req('POST', '/api/domains', { timeoutMs: 60000, body: { name: vm, os: 'fedora37',
            memory_mib: 256, vcpus: 1, source: { type: 'url', url }, disk: { pool, size_gib: 1 }, network: null } }), 201, 'create');
        assert.equal(out.state, 'running', 'a url source starts the VM');
        assert.equal(tree.bodies >= 2, true, 'kernel and initrd were fetched');
        const live = virsh(['dumpxml', vm]).stdout;
        assert.match(live, /<kernel>[^<]*<\/kernel>/, 'the running VM boots a kernel directly');
        assert.ok(live.includes(`<cmdline>console=tty0 console=ttyS0 inst.repo=${url}</cmdline>`), live);
        assert.match(live, /<on_reboot>destroy<\/on_reboot>/, 'the installer\'s reboot ends the install boot');
        const inactive = virsh(['dumpxml', '--inactive', vm]).stdout;
        assert.doesNotMatch(inactive, /<kernel>|<initrd>|<cmdline>/, 'the persistent definition boots from its disk');
        assert.match(inactive, /<on_reboot>restart<\/on_reboot>/);
        assert.match(inactive, /<disk type='file' device='disk'>[\s\S]*<boot order='1'\/>/);
        assert.deepEqual(poolFiles(), [`${vm}-vda.qcow2`], 'the kernel and initrd volumes are gone once QEMU runs');
        assert.ok(out.pending.includes('boot'), `the next boot differs (from the disk): ${out.pending}`);
        assert.equal(out.config.boot.kernel, undefined, 'the persistent definition boots no kernel');
        const cmdline = await guestSays(admin, out.uuid, 'cat /proc/cmdline');
        assert.ok(cmdline.includes(`inst.repo=${url}`), `the guest booted with the installer's command line: ${cmdline}`);
        assert.ok(cmdline.includes('console=ttyS0'), cmdline);
        assertJson(await admin.post(`/api/domains/${out.uuid}/destroy`, {}), 200, 'destroy');
        assert.doesNotMatch(virsh(['dumpxml', vm]).stdout, /<kernel>/, 'shut off, the VM is its disk-booting definition');
    });

    it('answers 502 naming the URL for a tree without the kernel, leaving no domain and no volume', async () => {
        const before = poolFiles();
        const res = await admin.post('/api/domains', { name: missing, os: 'fedora37', memory_mib: 256,
            source: { type: 'url', url: `${tree.url}/none` }, disk: { pool, size_gib: 1 }, network: null });
        const e = assertError(res, 502, 'fetch_failed');
        assert.equal(e.field, 'source.url');
        assert.ok(e.message.includes(`${tree.url}/none/images/pxeboot/vmlinuz`), e.message);
        assert.match(e.message, /404/);
        assert.equal(virsh(['dominfo', missing]).ok, false, 'no definition');
        assert.deepEqual(poolFiles(), before, 'no volume');
    });
});
