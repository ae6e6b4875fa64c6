// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/stats-qemu.test.mjs — the full figures of one collection on a real
// QEMU guest (qemu:///system, tests/lib/system-libvirtd.mjs): a transient domain with two
// vCPUs, one raw disk (the firmware reads it while looking for a boot sector) and one
// ethernet NIC (a tap device, no ROM) is started, and the stats message's per-vCPU, disk
// and NIC entries are checked against `virsh domstats` read just before and just after:
// every counter the message carries lies between the two readings. Also says which
// steal figure (vcpu.N.delay / vcpu.N.wait) this libvirt gives. Run under
// `flock /tmp/vd-qemu.lock` (the shared libvirtd). after() destroys the domain.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { SYSTEM_URI, domainType, domstats as domstatsOf, el, ensureSystemLibvirtd, virsh } from '../lib/system-libvirtd.mjs';

const PW = 'admin-pass-statsq-1';

/** `virsh domstats` of every group the collection reads. */
const domstats = (name) => domstatsOf(name, ['--cpu-total', '--balloon', '--vcpu', '--block', '--interface', '--state']);

function domainXml({ name, uuid, type, disk }) {
    return el('domain', { type }, [
        el('name', {}, name),
        el('uuid', {}, uuid),
        el('memory', { unit: 'MiB' }, '256'),
        el('vcpu', {}, '2'),
        el('os', {}, [el('type', { arch: 'x86_64' }, 'hvm'), el('boot', { dev: 'hd' })]),
        el('on_poweroff', {}, 'destroy'),
        el('on_reboot', {}, 'restart'),
        el('on_crash', {}, 'destroy'),
        el('devices', {}, [
            el('disk', { type: 'file', device: 'disk' }, [
                el('driver', { name: 'qemu', type: 'raw' }),
                el('source', { file: disk }),
                el('target', { dev: 'vda', bus: 'virtio' }),
            ]),
            el('interface', { type: 'ethernet' }, [el('model', { type: 'virtio' }), el('rom', { enabled: 'no' })]),
            el('memballoon', { model: 'virtio' }),
        ]),
    ]).toString();
}

describe('stats of a real QEMU guest: vCPUs, disk, NIC', () => {
    const name = `virtdeck-statsq-${crypto.randomBytes(4).toString('hex')}`;
    const uuid = crypto.randomUUID();
    let tmp;
    let d;
    let admin;
    let ev;

    before(async () => {
        await ensureSystemLibvirtd();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-statsq-'));
        fs.chmodSync(tmp, 0o755); // QEMU runs as its own user
        const disk = path.join(tmp, 'disk.raw');
        fs.writeFileSync(disk, Buffer.alloc(0));
        fs.truncateSync(disk, 16 * 1024 * 1024);
        const file = path.join(tmp, 'domain.xml');
        fs.writeFileSync(file, domainXml({ name, uuid, type: domainType(), disk }));
        d = await startDaemon({ uri: SYSTEM_URI, users: [{ name: 'admin', role: 'admin', password: PW }] });
        admin = new Client(d);
        await admin.login('admin', PW);
        ev = await admin.openEvents();
        await ev.next((m) => m.type === 'snapshot', 5000);
        const r = virsh(['create', file], { timeoutMs: 30000 });
        assert.ok(r.ok, `virsh create failed (exit ${r.status}): ${r.stderr}`);
    });

    after(async () => {
        virsh(['destroy', name]);
        if (ev) await ev.terminate();
        if (admin) admin.close();
        if (d) await d.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('per-vCPU, disk and NIC figures appear and agree with virsh domstats', async (t) => {
        const mine = (m) => m.type === 'stats' && m.domains.find((x) => x.uuid === uuid);
        // a domain's first collection has counters but no rates; wait for the firmware's
        // disk reads and for a collection with rates
        const deadline = performance.now() + 20000;
        while (performance.now() < deadline) {
            const first = (await ev.next(mine, 5000)).domains.find((y) => y.uuid === uuid);
            if (first.disks[0]?.rd_reqs > 0 && first.disks[0].rd_bps !== null) break;
        }
        // now bracket one collection between two readings of libvirt's own counters
        const lo = domstats(name);
        const m = await ev.next(mine, 5000);
        const hi = domstats(name);
        assert.ok(lo && hi, 'virsh domstats works on the test domain');
        const x = m.domains.find((y) => y.uuid === uuid);
        t.diagnostic(`stats: ${JSON.stringify({ ...x, name: undefined })}`);
        t.diagnostic(`libvirt ${Object.keys(hi).filter((k) => k.startsWith('vcpu.0.')).join(' ')}; ` +
            `steal from ${hi['vcpu.0.delay'] !== undefined ? 'vcpu.N.delay' : hi['vcpu.0.wait'] !== undefined ? 'vcpu.N.wait' : 'nothing'}`);
        const between = (v, key) => {
            assert.equal(typeof v, 'number', `${key}: ${v}`);
            assert.ok(lo[key] <= v && v <= hi[key], `${key}: ${v} not within virsh's ${lo[key]}..${hi[key]}`);
        };

        assert.equal(x.name, name);
        assert.equal(x.state, 1, 'running');
        assert.ok(x.started_ms > Date.now() - 120000 && x.started_ms <= Date.now(), `started_ms ${x.started_ms}`);
        between(x.cpu_time_ns, 'cpu.time');
        assert.ok(x.cpu_percent >= 0 && x.cpu_percent <= 100, `cpu_percent ${x.cpu_percent}`);

        assert.equal(x.vcpus.length, hi['vcpu.current']);
        for (const v of x.vcpus) {
            between(v.time_ns, `vcpu.${v.id}.time`);
            assert.ok(v.percent >= 0 && v.percent <= 100, `vcpu ${v.id} percent ${v.percent}`);
            if (hi[`vcpu.${v.id}.delay`] !== undefined || hi[`vcpu.${v.id}.wait`] !== undefined)
                {assert.ok(v.steal_percent >= 0 && v.steal_percent <= 100, `vcpu ${v.id} steal ${v.steal_percent}`);}
            else assert.equal(v.steal_percent, null);
        }

        assert.equal(x.disks.length, hi['block.count']);
        assert.equal(x.disks[0].name, hi['block.0.name']);
        assert.equal(x.disks[0].name, 'vda');
        assert.ok(x.disks[0].rd_reqs > 0, 'the firmware read the disk');
        for (const f of ['rd_bytes', 'wr_bytes', 'rd_reqs', 'wr_reqs'])
            {between(x.disks[0][f], `block.0.${f.replace('_', '.')}`);}
        for (const f of ['rd_bps', 'wr_bps', 'rd_iops', 'wr_iops'])
            {assert.ok(x.disks[0][f] >= 0, `disk ${f} ${x.disks[0][f]}`);}

        assert.equal(x.nics.length, hi['net.count']);
        assert.equal(x.nics[0].name, hi['net.0.name']);
        assert.match(x.nics[0].name, /^(vnet|tap)\d+$/);
        for (const f of ['rx_bytes', 'tx_bytes', 'rx_pkts', 'tx_pkts'])
            {between(x.nics[0][f], `net.0.${f.replace('_', '.')}`);}
        for (const f of ['rx_bps', 'tx_bps', 'rx_pps', 'tx_pps']) assert.ok(x.nics[0][f] >= 0, `nic ${f} ${x.nics[0][f]}`);

        assert.equal(x.memory_max_kib, hi['balloon.maximum']);
        assert.ok(m.host.cpus > 0 && m.host.memory_total_kib > 0, `host ${JSON.stringify(m.host)}`);
        assert.ok(m.host.load1 >= 0, `host load ${m.host.load1}`);
    });
});
