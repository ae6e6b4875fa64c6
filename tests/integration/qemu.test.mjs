// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/qemu.test.mjs — virtdeck against the machine's real libvirtd and QEMU
// (qemu:///system, see tests/lib/system-libvirtd.mjs): a transient, diskless domain with
// no network interface is started while virtdeck is subscribed, and the test checks the
// lifecycle events, the live load figures (CPU, balloon memory, rates) against what
// libvirt itself reports, the live VNC port, and destroy. The libvirt test driver has no
// load at all, so this is the only proof of the stats path on a real hypervisor.
// Leaves libvirtd running; always destroys its domain.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertDomainDetail, assertDomainObject, assertJson } from '../lib/api-assert.mjs';
import { SYSTEM_URI, domainType, domstats as domstatsOf, ensureSystemLibvirtd, testDomainXml, virsh } from '../lib/system-libvirtd.mjs';

const PW = 'admin-pass-qemu-1';
const MEMORY_MIB = 512;
const RATE_FIELDS = ['disk_rd_bps', 'disk_wr_bps', 'net_rx_bps', 'net_tx_bps'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls until check() returns a truthy value; rejects with describe() after timeoutMs. */
async function until(check, timeoutMs, describe) {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
        const v = check();
        if (v) return v;
        if (performance.now() >= deadline) throw new Error(`${describe()} (after ${timeoutMs} ms)`);
        await sleep(50);
    }
}

/** `virsh domstats` of one domain as {key: number|string}. */
const domstats = (name) => domstatsOf(name, ['--cpu-total', '--balloon', '--vcpu']);

describe('real QEMU domain on qemu:///system', () => {
    const name = `virtdeck-test-${crypto.randomBytes(4).toString('hex')}`;
    const uuid = crypto.randomUUID();
    let tmp;
    let d;
    let admin;
    let ev;
    let setup;
    let type;
    let createdAt = null; // performance.now() when `virsh create` returned

    before(async () => {
        const t0 = performance.now();
        const up = await ensureSystemLibvirtd();
        type = domainType();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-qemu-'));
        d = await startDaemon({ uri: SYSTEM_URI, users: [{ name: 'admin', role: 'admin', password: PW }] });
        admin = new Client(d);
        await admin.login('admin', PW);
        ev = await admin.openEvents();
        const first = await ev.next(() => true, 5000);
        assert.equal(first.type, 'snapshot', `first websocket message: ${JSON.stringify(first)}`);
        assert.ok(!first.domains.some((x) => x.uuid === uuid), 'the test domain does not exist yet');
        setup = { libvirtd: up, ms: Math.round(performance.now() - t0) };
    });

    after(async () => {
        // transient: destroying it also removes it; fine if it is already gone
        virsh(['destroy', name]);
        if (ev) await ev.terminate();
        if (admin) admin.close();
        if (d) await d.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('GET /api/host names the qemu driver and no limits (no demo banner on a real host)', async () => {
        const h = assertJson(await admin.get('/api/host'), 200, 'host');
        assert.equal(h.driver, 'qemu');
        assert.deepEqual(h.limits, []);
    });

    it('a domain created while subscribed arrives as a "started" event, running', async (t) => {
        t.diagnostic(`setup ${setup.ms} ms; libvirtd ${setup.libvirtd.alreadyUp ? 'was already up' :
            `started: ${setup.libvirtd.steps.join('; ')}`} (${setup.libvirtd.ms} ms); domain type ${type}`);
        const file = path.join(tmp, 'domain.xml');
        fs.writeFileSync(file, testDomainXml({ name, uuid, type, memoryMiB: MEMORY_MIB, vcpus: 1 }));
        const t0 = performance.now();
        const r = virsh(['create', file], { timeoutMs: 30000 });
        assert.ok(r.ok, `virsh create failed (exit ${r.status}): ${r.stderr}`);
        createdAt = performance.now();
        const started = await ev.next((m) => m.type === 'domain' && m.event === 'started' &&
            m.domain && m.domain.uuid === uuid, 5000);
        t.diagnostic(`virsh create took ${(createdAt - t0).toFixed(0)} ms; started event ` +
            `${(started.__at - createdAt).toFixed(0)} ms after it returned (detail ${started.detail})`);
        assertDomainObject(started.domain, 'started event');
        assert.equal(started.domain.name, name);
        assert.equal(started.domain.state, 'running');
        assert.equal(started.domain.persistent, false, 'virsh create makes a transient domain');
        assert.equal(started.domain.vcpus, 1);
        assert.equal(started.domain.max_memory_kib, MEMORY_MIB * 1024);
    });

    it('the list (bulk stats) reports the running domain as its own summary does', async () => {
        const list = assertJson(await admin.get('/api/domains'), 200, 'list').domains;
        const x = list.find((y) => y.uuid === uuid);
        assert.ok(x, 'the running transient domain is listed');
        const detail = assertJson(await admin.get(`/api/domains/${uuid}`), 200, 'detail');
        const summary = Object.fromEntries(Object.keys(x).map((k) => [k, detail[k]]));
        assert.deepEqual(x, summary);
        assert.equal(x.state, 'running');
        assert.equal(x.persistent, false);
        assert.equal(x.memory_kib, MEMORY_MIB * 1024);
    });

    it('stats carry real figures: the guest\'s memory as libvirt reports it (or none), CPU above 0', async (t) => {
        assert.ok(createdAt !== null, 'the domain was created');
        const samples = []; // [{at, interval_ms, ...figures}] for our domain
        let seen = 0;
        const collect = () => {
            for (; seen < ev.all.length; seen++) {
                const m = ev.all[seen];
                if (m.type !== 'stats') continue;
                const x = m.domains.find((y) => y.uuid === uuid);
                if (x) samples.push({ at: m.__at - createdAt, interval_ms: m.interval_ms, ...x });
            }
            return samples.length >= 2 && samples.some((s) => s.cpu_percent > 0) &&
                samples.some((s) => s.memory_used_kib > 0 || s.memory_resident_kib > 0);
        };
        const before = domstats(name);
        const t0 = performance.now();
        let err = null;
        try {
            // ~12 s from the start of the domain
            await until(collect, Math.max(0, 12000 - (t0 - createdAt)),
                () => `stats for ${uuid}: ${JSON.stringify(samples)}`);
        } catch (e) {
            err = e;
        }
        const after = domstats(name);
        const span = performance.now() - t0;
        for (const s of samples) {
            t.diagnostic(`+${(s.at / 1000).toFixed(1)} s (interval ${s.interval_ms} ms): cpu ${s.cpu_percent}% ` +
                `mem ${s.memory_used_kib} KiB resident ${s.memory_resident_kib} KiB rd ${s.disk_rd_bps} wr ${s.disk_wr_bps} rx ${s.net_rx_bps} tx ${s.net_tx_bps}`);
        }
        assert.ok(before && after, 'virsh domstats works on the test domain');
        const cpuDelta = after['cpu.time'] - before['cpu.time'];
        t.diagnostic(`libvirt: cpu.time +${(cpuDelta / 1e6).toFixed(1)} ms over ${span.toFixed(0)} ms ` +
            `(${(cpuDelta / 1e4 / span).toFixed(2)}% of one vCPU); balloon.current ${after['balloon.current']} ` +
            `balloon.maximum ${after['balloon.maximum']} balloon.unused ${after['balloon.unused'] ?? '(none)'} ` +
            `balloon.rss ${after['balloon.rss'] ?? '(none)'}`);
        if (err) throw err;

        for (const s of samples) {
            for (const f of ['cpu_percent', ...RATE_FIELDS]) {
                assert.equal(typeof s[f], 'number', `${f} in ${JSON.stringify(s)}`);
                assert.ok(Number.isFinite(s[f]) && s[f] >= 0, `${f} = ${s[f]}`);
            }
            assert.ok(s.cpu_percent <= 100 * 1.05, `cpu_percent ${s.cpu_percent} for 1 vCPU`);
            // the guest's own figure or none (null), never more than its memory
            assert.ok(s.memory_used_kib === null || (s.memory_used_kib > 0 && s.memory_used_kib <= MEMORY_MIB * 1024),
                `memory_used_kib ${s.memory_used_kib} (${MEMORY_MIB} MiB)`);
            assert.ok(s.memory_resident_kib === null || s.memory_resident_kib > 0, `memory_resident_kib ${s.memory_resident_kib}`);
            // no disk, no NIC: nothing can move
            for (const f of RATE_FIELDS) assert.equal(s[f], 0, `${f} of a domain without disks or NICs`);
        }
        // docs/api.md: current minus unused when the guest's balloon driver reports it, else
        // no guest figure (null, not the allocation); the host's resident size (balloon.rss,
        // which moves) apart
        const last = samples[samples.length - 1];
        if (after['balloon.rss'] !== undefined) {
            const lo = Math.min(before['balloon.rss'] ?? after['balloon.rss'], after['balloon.rss']);
            const hi = Math.max(before['balloon.rss'] ?? after['balloon.rss'], after['balloon.rss']);
            assert.ok(last.memory_resident_kib >= lo * 0.5 && last.memory_resident_kib <= hi * 1.5,
                `memory_resident_kib ${last.memory_resident_kib} vs balloon.rss ${lo}..${hi}`);
        }
        if (before['balloon.unused'] === undefined && after['balloon.unused'] === undefined) {
            assert.equal(last.memory_used_kib, null, 'no balloon driver in the guest: no guest figure');
        } else if (after['balloon.unused'] !== undefined) {
            const expected = after['balloon.current'] - after['balloon.unused'];
            assert.ok(samples.some((s) => s.memory_used_kib === expected),
                `memory_used_kib ${samples.map((s) => s.memory_used_kib)} vs current-unused ${expected}`);
        }
        assert.ok(cpuDelta > 0, 'libvirt saw the domain use CPU');
    });

    it('the detail shows the live VNC display on 127.0.0.1', async (t) => {
        const body = assertJson(await admin.get(`/api/domains/${uuid}`), 200, 'detail');
        assertDomainDetail(body, 'detail');
        assert.equal(body.has_vnc, true);
        const vnc = body.graphics.filter((g) => g.type === 'vnc');
        assert.equal(vnc.length, 1, `graphics: ${JSON.stringify(body.graphics)}`);
        assert.equal(vnc[0].listen, '127.0.0.1');
        assert.equal(vnc[0].autoport, true);
        assert.ok(vnc[0].port >= 5900, `live VNC port ${vnc[0].port}`);
        const disp = virsh(['vncdisplay', name]);
        assert.ok(disp.ok, `virsh vncdisplay: ${disp.stderr}`);
        const m = /:(\d+)\s*$/.exec(disp.stdout.trim());
        assert.ok(m, `virsh vncdisplay said ${JSON.stringify(disp.stdout)}`);
        assert.equal(vnc[0].port, 5900 + Number(m[1]), 'the port QEMU listens on');
        t.diagnostic(`VNC ${vnc[0].listen}:${vnc[0].port} (virsh vncdisplay ${disp.stdout.trim()}); ` +
            `disks ${body.disks.length}, interfaces ${body.interfaces.length}`);
        assert.deepEqual(body.interfaces, [], 'the test domain has no NIC');
    });

    it('destroy: the domain stops, is reported gone, and leaves the list', async (t) => {
        const t0 = performance.now();
        const res = await admin.req('POST', `/api/domains/${uuid}/destroy`);
        const postMs = performance.now() - t0;
        t.diagnostic(`POST destroy: ${res.status} ${res.text.slice(0, 200)} (${postMs.toFixed(0)} ms)`);
        const gone = await ev.next((m) => m.type === 'domain' && ['stopped', 'undefined'].includes(m.event) &&
            m.domain && m.domain.uuid === uuid, 5000);
        t.diagnostic(`${gone.event}/${gone.detail} event ${(gone.__at - t0).toFixed(0)} ms after the POST: ` +
            `${JSON.stringify(gone.domain)}`);
        assert.equal(virsh(['domstate', name]).ok, false, 'libvirt no longer knows the transient domain');
        const list = assertJson(await admin.get('/api/domains'), 200, 'list').domains;
        assert.ok(!list.some((x) => x.uuid === uuid), 'the destroyed transient domain is not listed');
        assert.equal((await admin.get(`/api/domains/${uuid}`)).status, 404, 'detail of a vanished domain');
        const logLine = d.logs().split('\n').find((l) => l.includes(`destroy domain ${uuid}`));
        t.diagnostic(`daemon log: ${logLine || '(no line for the destroy)'}`);
        // the API answers an action that succeeded with the documented 200
        assert.equal(res.status, 200, `POST destroy answered ${res.status} ${res.text}`);
    });
});
