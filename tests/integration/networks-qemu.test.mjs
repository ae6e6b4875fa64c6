// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/networks-qemu.test.mjs — the network API against the machine's
// own libvirtd (qemu:///system): a NAT network created through the API really comes up
// (bridge with the gateway address, dnsmasq answering lease queries), stops and goes
// away; the host checks the test driver cannot make (bridge mode needs an existing host
// bridge, a bridge name a host interface has is refused). Uses a free private /24
// (checked against host addresses and every libvirt network first) and a unique
// vdtest-net-* name; after() destroys and undefines whatever is left.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { SYSTEM_URI, ensureSystemLibvirtd, virsh } from '../lib/system-libvirtd.mjs';

const PW = 'admin-pass-netq-1';
const SUFFIX = crypto.randomBytes(3).toString('hex');
const NAME = `vdtest-net-${SUFFIX}`;
const NAME_BR = `vdtest-netbr-${SUFFIX}`;
const NAME_CLASH = `vdtest-netcl-${SUFFIX}`;
const NAME_OVERLAP = `vdtest-netov-${SUFFIX}`;

/** Every IPv4 /24 prefix ("10.1.2") in use on the host or in any libvirt network. */
function usedPrefixes() {
    const used = new Set();
    const ip = spawnSync('ip', ['-4', '-o', 'addr'], { encoding: 'utf8' });
    for (const m of (ip.stdout || '').matchAll(/inet (\d+\.\d+\.\d+)\.\d+/g)) used.add(m[1]);
    const list = virsh(['net-list', '--all', '--name']);
    for (const net of list.stdout.split('\n').map((s) => s.trim()).filter(Boolean)) {
        const xml = virsh(['net-dumpxml', net]).stdout;
        for (const m of xml.matchAll(/address='(\d+\.\d+\.\d+)\.\d+'/g)) used.add(m[1]);
    }
    return used;
}

/** A global IPv4 address of a host interface ({dev, address, prefix}) whose /24 no
 * libvirt network uses, or null. */
function interfaceAddress() {
    const ip = spawnSync('ip', ['-4', '-o', 'addr', 'show', 'scope', 'global'], { encoding: 'utf8' });
    const nets = new Set();
    for (const net of virsh(['net-list', '--all', '--name']).stdout.split('\n').map((x) => x.trim()).filter(Boolean)) {
        for (const m of virsh(['net-dumpxml', net]).stdout.matchAll(/address='(\d+\.\d+\.\d+)\.\d+'/g)) nets.add(m[1]);
    }
    for (const m of (ip.stdout || '').matchAll(/^\d+:\s+(\S+)\s+inet (\d+\.\d+\.\d+)\.(\d+)\/(\d+)/gm)) {
        const prefix = Number(m[4]);
        if (!nets.has(m[2]) && prefix >= 8 && prefix <= 30) return { dev: m[1], address: `${m[2]}.${m[3]}`, prefix };
    }
    return null;
}

/** A 10.2xx.yy.0/24 that nothing uses ("10.2xx.yy"). */
function freePrefix() {
    const used = usedPrefixes();
    for (let i = 0; i < 200; i++) {
        const p = `10.${200 + crypto.randomInt(56)}.${crypto.randomInt(256)}`;
        if (!used.has(p)) return p;
    }
    throw new Error('no free 10.2xx.yy.0/24 found');
}

function removeNetwork(name) {
    virsh(['net-destroy', name]);
    virsh(['net-undefine', name]);
}

describe('networks API on qemu:///system', () => {
    let d;
    let admin;
    let prefix;

    before(async () => {
        await ensureSystemLibvirtd();
        prefix = freePrefix();
        d = await startDaemon({ uri: SYSTEM_URI, users: [{ name: 'admin', role: 'admin', password: PW }] });
        admin = new Client(d);
        await admin.login('admin', PW);
    });
    after(async () => {
        for (const n of [NAME, NAME_BR, NAME_CLASH, NAME_OVERLAP]) removeNetwork(n);
        if (d) await d.stop();
    });

    it('creates a NAT network with DHCP that really comes up, then stops and deletes it', async () => {
        const gw = `${prefix}.1`;
        const n = assertJson(await admin.post('/api/networks', {
            name: NAME, mode: 'nat',
            ipv4: { address: gw, prefix: 24, dhcp_start: `${prefix}.100`, dhcp_end: `${prefix}.150` },
        }), 201, 'create');
        assert.equal(n.name, NAME);
        assert.equal(n.active, true);
        assert.equal(n.persistent, true);
        assert.equal(n.mode, 'nat');
        assert.match(n.bridge, /^virbr\d+$/, 'libvirt chose a bridge');
        assert.deepEqual(n.ipv4, { address: gw, prefix: 24, dhcp_start: `${prefix}.100`, dhcp_end: `${prefix}.150`, hosts: [] });

        const info = virsh(['net-info', NAME]);
        assert.ok(info.ok, info.stderr);
        assert.match(info.stdout, /Active:\s+yes/);
        assert.match(info.stdout, new RegExp(`Bridge:\\s+${n.bridge}`));
        const addr = spawnSync('ip', ['-4', '-o', 'addr', 'show', 'dev', n.bridge], { encoding: 'utf8' });
        assert.match(addr.stdout, new RegExp(`inet ${gw.replaceAll('.', '\\.')}/24`), 'the bridge has the gateway address');

        const leases = assertJson(await admin.get(`/api/networks/${NAME}/leases`), 200, 'leases');
        assert.deepEqual(Object.keys(leases), ['leases']);
        assert.ok(Array.isArray(leases.leases));

        const listed = assertJson(await admin.get('/api/networks'), 200, 'list').networks.find((x) => x.name === NAME);
        assert.equal(listed.bridge, n.bridge);

        const stopped = assertJson(await admin.post(`/api/networks/${NAME}/stop`), 200, 'stop');
        assert.equal(stopped.active, false);
        assert.match(virsh(['net-info', NAME]).stdout, /Active:\s+no/);
        assertError(await admin.get(`/api/networks/${NAME}/leases`), 409, 'conflict', 'leases when stopped');

        assert.deepEqual(assertJson(await admin.req('DELETE', `/api/networks/${NAME}`), 200, 'delete'), { name: NAME, removed: true });
        assert.equal(virsh(['net-info', NAME]).ok, false, 'libvirt no longer knows it');
    });

    it('bridge mode needs an existing host bridge; a host interface name is not free', async () => {
        const e = assertError(await admin.post('/api/networks', { name: NAME_BR, mode: 'bridge', bridge: 'vdnobr0' }), 400, 'bad_request');
        assert.match(e.message, /not an existing bridge/);
        assert.equal(virsh(['net-info', NAME_BR]).ok, false, 'nothing defined');
        assertError(await admin.post('/api/networks', {
            name: NAME_CLASH, mode: 'isolated', bridge: 'lo',
        }), 409, 'conflict', 'bridge named like a host interface');
        assert.equal(virsh(['net-info', NAME_CLASH]).ok, false, 'nothing defined');
    });

    it('refuses a subnet overlapping a host interface\'s address (409 naming it) unless forced', async (t) => {
        const found = interfaceAddress();
        if (!found) {
            t.skip('no global IPv4 address on a host interface outside libvirt networks');
            return;
        }
        const body = { name: NAME_OVERLAP, mode: 'isolated', start: false, ipv4: { address: found.address, prefix: found.prefix } };
        const e = assertError(await admin.post('/api/networks', body), 409, 'conflict', 'overlap');
        assert.match(e.message, new RegExp(`^\\S+/${found.prefix} overlaps interface ${found.dev} \\(\\S+/${found.prefix}\\)$`));
        assert.equal(virsh(['net-info', NAME_OVERLAP]).ok, false, 'nothing defined');
        const n = assertJson(await admin.post('/api/networks', { ...body, force: true }), 201, 'forced');
        assert.equal(n.active, false);
        assertJson(await admin.req('DELETE', `/api/networks/${NAME_OVERLAP}`), 200, 'delete');
    });
});
