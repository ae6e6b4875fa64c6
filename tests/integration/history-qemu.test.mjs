// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/history-qemu.test.mjs — the metrics history of a real QEMU guest
// against libvirt's own counters (qemu:///system, tests/lib/system-libvirtd.mjs; run under
// `flock /tmp/vd-qemu.lock`). The tests' guest (`make guest-image`: its kernel and initrd,
// booted directly, TCG) runs with two vCPUs and one raw scratch disk; a loop typed into
// its root shell over virtdeck's serial websocket reads and writes that disk without
// end (caches dropped, writes fsynced, so the I/O reaches QEMU). Two `virsh domstats`
// readings, each taken right after a collection's stats message, bracket a window of
// collections; GET /api/domains/{uuid}/metrics answers the raw tier over it, one point
// per collection, and the integrals of its cpu_percent, disk_rd_bps and disk_wr_bps over
// the collections' intervals agree with the deltas of cpu.time, block.0.rd.bytes and
// block.0.wr.bytes. The guest is transient: after() destroys it, even on failure.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { guestShell } from '../lib/guest-shell.mjs';
import { SYSTEM_URI, domstats as domstatsOf, el, ensureSystemLibvirtd, virsh } from '../lib/system-libvirtd.mjs';

const PW = 'admin-pass-histq-1';
const GUEST_DIR = path.join(REPO_ROOT, 'build', 'guest');
const VCPUS = 2;
const INTERVAL_S = 2; // metrics_interval (and _watched: this test watches the events)
const COLLECTIONS = 6; // the window: this many collections, about 12 s
// The guest's disk load: 4 MiB read with the page cache dropped first, 1 MiB written
// and fsynced, over and over, in the background of the guest's shell.
const LOAD = '(while :; do echo 3 >/proc/sys/vm/drop_caches; dd if=/dev/vda of=/dev/null bs=64k count=64; ' +
    'dd if=/dev/zero of=/dev/vda bs=64k count=16 seek=512 conv=fsync; done) >/dev/null 2>&1 & :'; // ':' as run() appends '; echo'

/** `virsh domstats` of the counters compared here. */
const domstats = (name) => domstatsOf(name, ['--cpu-total', '--vcpu', '--block']);

/**
 * Two vCPUs (one runs the load loop, so cpu.time stays under the 100 % of both vCPUs
 * that cpu_percent is clamped to, QEMU's own threads included), the kernel booted
 * directly (TCG: no /dev/kvm here, and nested KVM stops SeaBIOS, see guest-image-qemu),
 * one virtio raw disk, the serial console virtdeck's websocket reads.
 */
function domainXml({ name, uuid, dir, disk }) {
    return el('domain', { type: 'qemu' }, [
        el('name', {}, name),
        el('uuid', {}, uuid),
        el('memory', { unit: 'MiB' }, '256'),
        el('vcpu', {}, String(VCPUS)),
        el('os', {}, [
            el('type', { arch: 'x86_64' }, 'hvm'),
            el('kernel', {}, path.join(dir, 'vmlinuz')),
            el('initrd', {}, path.join(dir, 'initrd.img')),
            el('cmdline', {}, 'console=ttyS0 quiet'),
        ]),
        el('on_poweroff', {}, 'destroy'),
        el('on_reboot', {}, 'destroy'),
        el('on_crash', {}, 'destroy'),
        el('devices', {}, [
            el('disk', { type: 'file', device: 'disk' }, [
                el('driver', { name: 'qemu', type: 'raw', cache: 'none' }),
                el('source', { file: disk }),
                el('target', { dev: 'vda', bus: 'virtio' }),
            ]),
            el('serial', { type: 'pty' }, [el('target', { port: '0' })]),
            el('console', { type: 'pty' }, [el('target', { type: 'serial', port: '0' })]),
        ]),
    ]).toString();
}

describe('the history of a real QEMU guest agrees with libvirt\'s counters', () => {
    const name = `virtdeck-histq-${crypto.randomBytes(4).toString('hex')}`;
    const uuid = crypto.randomUUID();
    let tmp;
    let d;
    let admin;
    let ev;
    let shell;

    before(async () => {
        await ensureSystemLibvirtd();
        for (const f of ['vmlinuz', 'initrd.img'])
            {assert.ok(fs.existsSync(path.join(GUEST_DIR, f)), `no ${path.join(GUEST_DIR, f)}: run make guest-image`);}
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-histq-'));
        fs.chmodSync(tmp, 0o755); // QEMU runs as its own user
        for (const f of ['vmlinuz', 'initrd.img']) fs.copyFileSync(path.join(GUEST_DIR, f), path.join(tmp, f));
        const disk = path.join(tmp, 'disk.raw');
        fs.writeFileSync(disk, Buffer.alloc(0));
        fs.truncateSync(disk, 64 * 1024 * 1024);
        const file = path.join(tmp, 'domain.xml');
        fs.writeFileSync(file, domainXml({ name, uuid, dir: tmp, disk }));
        d = await startDaemon({
            uri: SYSTEM_URI,
            users: [{ name: 'admin', role: 'admin', password: PW }],
            config: { metrics_interval: INTERVAL_S, metrics_interval_watched: INTERVAL_S },
        });
        admin = new Client(d);
        await admin.login('admin', PW);
        const r = virsh(['create', file], { timeoutMs: 30000 });
        assert.ok(r.ok, `virsh create failed (exit ${r.status}): ${r.stderr}`);
    });

    after(async () => {
        virsh(['destroy', name]); // transient: destroying it removes it
        if (shell) shell.close();
        if (ev) await ev.terminate();
        if (admin) admin.close();
        if (d) await d.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('the raw tier\'s CPU and disk figures integrate to cpu.time and block.0 byte deltas', async (t) => {
        shell = await guestShell(admin, uuid);
        await shell.run(LOAD);
        ev = await admin.openEvents();
        const mine = (m) => m.type === 'stats' && m.domains.some((x) => x.uuid === uuid);
        const dom = (m) => m.domains.find((x) => x.uuid === uuid);
        // a collection with rates while the load runs (the first of a domain has none)
        await ev.next((m) => mine(m) && dom(m).disk_rd_bps > 0, 10000);

        /** The next collection, then libvirt's counters at once; lag: ms from it to them. */
        const bracket = async () => {
            const m = await ev.next(mine, 3 * INTERVAL_S * 1000);
            const s = domstats(name);
            assert.ok(s, 'virsh domstats works on the test domain');
            return { m, s, lagMs: Date.now() - m.at_ms };
        };
        const lo = await bracket();
        const msgs = [];
        for (let i = 1; i < COLLECTIONS; i++) msgs.push(await ev.next(mine, 3 * INTERVAL_S * 1000));
        const hi = await bracket();
        msgs.push(hi.m);

        // the history job runs on the next housekeeping second after a collection
        const t0 = Math.floor(lo.m.at_ms / 1000);
        const t1 = Math.floor(hi.m.at_ms / 1000);
        let h;
        const deadline = performance.now() + 10000;
        for (;;) {
            const r = await admin.get(`/api/domains/${uuid}/metrics?from=${t0}&to=${t1}`);
            assert.equal(r.status, 200, r.text);
            h = r.json;
            if (h.series.cpu_percent.some(([ts]) => ts === t1) || performance.now() > deadline) break;
            await new Promise((res) => setTimeout(res, 250));
        }
        assert.equal(h.tier, 'raw');
        t.diagnostic(`collections ${msgs.map((m) => `${m.at_ms}/${m.interval_ms}`).join(' ')}; lag ${lo.lagMs}/${hi.lagMs} ms`);
        t.diagnostic(`history ${JSON.stringify({ cpu: h.series.cpu_percent, rd: h.series.disk_rd_bps, wr: h.series.disk_wr_bps })}`);

        // One point per collection, at its whole second: each point's figure is a rate
        // over that collection's own interval (interval_ms of its stats message).
        const integral = (series, scale) => {
            const inWindow = series.filter(([ts]) => ts > t0 && ts <= t1);
            assert.deepEqual(inWindow.map(([ts]) => ts), msgs.map((m) => Math.floor(m.at_ms / 1000)),
                'the raw tier has every collection of the window, and nothing else');
            let sum = 0;
            let max = 0;
            inWindow.forEach(([, v], i) => {
                sum += v * scale * (msgs[i].interval_ms / 1000);
                max = Math.max(max, v * scale);
            });
            return { sum, max };
        };
        // Tolerances. virsh's window starts lag0 after the first collection read libvirt
        // and ends lag1 after the last: the two windows differ by those two edges, each
        // at most max(lag) long, at most the fastest rate seen around them (1.5x the
        // greatest point, as a rate may change within a collection's interval); plus 1 %
        // for the two-decimal rounding of the stored figures and the interval's whole ms.
        const edgeS = Math.max(lo.lagMs, hi.lagMs, 0) / 1000;
        const check = (label, got, want, maxRate) => {
            const tol = 2 * edgeS * 1.5 * maxRate + 0.01 * want;
            t.diagnostic(`${label}: history ${got.toFixed(0)}, libvirt ${want}, tolerance ${tol.toFixed(0)}`);
            assert.ok(want > 0, `${label}: libvirt's counter moved over the window`);
            assert.ok(Math.abs(got - want) <= tol, `${label}: history ${got} vs libvirt ${want} (tolerance ${tol})`);
        };

        // cpu_percent is of all vCPUs (virt_stats.c divides cpu.time's growth by the
        // interval times vcpu.current): CPU-ns = percent / 100 * vCPUs * interval
        assert.equal(hi.s['vcpu.current'], VCPUS);
        const cpu = integral(h.series.cpu_percent, (VCPUS / 100) * 1e9);
        check('cpu.time ns', cpu.sum, hi.s['cpu.time'] - lo.s['cpu.time'], cpu.max);
        assert.ok(cpu.max < (VCPUS * 1e9 * 99) / 100, 'cpu_percent never reached its 100 % clamp');

        // disk rates are bytes/s summed over the domain's disks: one disk here
        assert.equal(hi.s['block.count'], 1);
        const rd = integral(h.series.disk_rd_bps, 1);
        check('block.0.rd.bytes', rd.sum, hi.s['block.0.rd.bytes'] - lo.s['block.0.rd.bytes'], rd.max);
        const wr = integral(h.series.disk_wr_bps, 1);
        check('block.0.wr.bytes', wr.sum, hi.s['block.0.wr.bytes'] - lo.s['block.0.wr.bytes'], wr.max);
    });
});
