// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/demo-qemu.test.mjs — `make run`'s demo (packaging/run-demo.sh) with
// real QEMU: the script runs twice in a row in one temporary DEMO_DIR on a free port (the
// second run must reuse what the first left), and each time the test logs in with the
// password the script printed and checks through the API that the demo's VMs are there
// in their states, that the running ones have a VNC console answering RFB and live load
// figures, that the pool holds its volumes, and that network demo-lan is defined but
// inactive with GET /api/host saying why ("network-start"). Ctrl-C (SIGINT to the
// script) must leave no QEMU or libvirtd of the demo behind. The demo runs its own private libvirtd (not the
// machine's), so this file takes no lock; it starts QEMU, so it is in the serial group.
// The script is started and stopped by tests/lib/qemu-demo.mjs, as e2e/demo-features does.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '../lib/client.mjs';
import { DEMO_VMS as EXPECTED, DEMO_VOLUMES as VOLUMES, HAVE_QEMU, processesIn, startDemo, stopDemo } from '../lib/qemu-demo.mjs';
import { openConsole } from '../lib/rfb.mjs';

describe('make run: the demo on a private libvirtd with real QEMU VMs', { skip: !HAVE_QEMU && 'no qemu-system-x86_64' }, () => {
    let dir;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vdtest-demo-'));
    });

    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    for (const round of [1, 2]) {
        describe(`run ${round}${round === 2 ? ' (reusing the first run\'s directory)' : ''}`, () => {
            let demo;
            let admin;
            let ev;
            let domains;

            before(async () => {
                demo = await startDemo(dir);
                admin = new Client({ url: `https://127.0.0.1:${demo.port}`, host: '127.0.0.1', port: demo.port });
                await admin.login('admin', demo.password);
                ev = await admin.openEvents();
            });

            after(async () => {
                if (ev) await ev.terminate();
                admin?.close();
                if (demo) await stopDemo(demo);
            });

            it('says it runs QEMU VMs, not the test driver', () => {
                assert.match(demo.out(), /virtdeck demo: QEMU VMs \((kvm|qemu)\)/);
                assert.doesNotMatch(demo.out(), /falling back/);
            });

            it('lists the demo VMs in their states', async () => {
                const r = await admin.get('/api/domains');
                assert.equal(r.status, 200, r.text);
                domains = Object.fromEntries(r.json.domains.map((x) => [x.name, x]));
                for (const [name, state] of Object.entries(EXPECTED)) {
                    assert.ok(domains[name], `${name} in ${Object.keys(domains)}`);
                    assert.equal(domains[name].state, state, name);
                    assert.equal(domains[name].has_vnc, true, name);
                }
            });

            it('the running VMs answer RFB on their consoles', async () => {
                for (const name of ['demo-web', 'demo-db']) {
                    const rfb = await openConsole(admin, domains[name].uuid, { origin: admin.origin, cookie: admin.cookieHeader() });
                    try {
                        const init = await rfb.handshake();
                        assert.match(init.version, /^RFB 003\.00\d\n$/, name);
                        assert.ok(init.width > 0 && init.height > 0, `${name}: ${init.width}x${init.height}`);
                    } finally {
                        rfb.ws.close();
                    }
                }
            });

            it('the running VMs have live load figures', async () => {
                const want = ['demo-web', 'demo-db'].map((n) => domains[n].uuid);
                const seen = new Map(); // uuid -> [samples]
                const m = await ev.next((x) => {
                    if (x.type !== 'stats') return false;
                    for (const s of x.domains) seen.set(s.uuid, [...(seen.get(s.uuid) || []), s]);
                    return want.every((u) => (seen.get(u) || []).some((s) => s.cpu_percent > 0 && s.memory_resident_kib > 0));
                }, 15000).catch((e) => { throw new Error(`${e.message}: ${JSON.stringify([...seen])}`); });
                assert.equal(m.type, 'stats');
                // Firmware only, no balloon driver: no guest figure (never the allocation as
                // if all of it were in use), the host's resident size apart.
                for (const u of want) {
                    for (const s of seen.get(u)) assert.equal(s.memory_used_kib, null, `memory_used_kib of ${u}: ${JSON.stringify(s)}`);
                }
                assert.ok(!m.domains.some((s) => s.uuid === domains['demo-spare'].uuid), 'no figures for the shut-off VM');
            });

            it('the pool holds the demo volumes, data.qcow2 attached to demo-db', async () => {
                const r = await admin.get('/api/pools/demo/volumes');
                assert.equal(r.status, 200, r.text);
                const vols = Object.fromEntries(r.json.volumes.map((v) => [v.name, v]));
                assert.deepEqual(Object.keys(vols).sort(), VOLUMES);
                assert.equal(vols['data.qcow2'].format, 'qcow2');
                assert.deepEqual(vols['data.qcow2'].used_by.map((u) => u.name), ['demo-db']);
                for (const v of Object.values(vols)) assert.equal(v.outside_pool, false, v.name);
            });

            it('defines network demo-lan on a private /24, inactive: session libvirt says it cannot start networks', async () => {
                const host = await admin.get('/api/host');
                assert.equal(host.status, 200, host.text);
                assert.deepEqual(host.json.limits, ['network-start']);
                const r = await admin.get('/api/networks');
                assert.equal(r.status, 200, r.text);
                const net = r.json.networks.find((n) => n.name === 'demo-lan');
                assert.ok(net, `demo-lan in ${r.text}`);
                assert.equal(net.active, false);
                assert.equal(net.mode, 'isolated');
                assert.equal(net.ipv4.prefix, 24);
                assert.match(net.ipv4.address, /^(10\.\d+|172\.(1[6-9]|2\d|3[01])|192\.168)\.\d+\.1$/);
                const start = await admin.post('/api/networks/demo-lan/start', {});
                assert.equal(start.status, 501, start.text);
                assert.equal(start.json.error.code, 'not_supported');
                assert.match(start.json.error.message, /session mode/);
            });

            it('Ctrl-C leaves no QEMU or libvirtd of the demo', async () => {
                ev.terminate();
                ev = null;
                await stopDemo(demo);
                assert.deepEqual(processesIn(dir), []);
            });
        });
    }

    it('the demo directory can be removed', () => {
        fs.rmSync(dir, { recursive: true });
        assert.equal(fs.existsSync(dir), false);
        dir = null;
    });
});
