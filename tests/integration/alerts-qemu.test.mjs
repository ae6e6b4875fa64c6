// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/alerts-qemu.test.mjs — alerts on a real QEMU guest (qemu:///system,
// tests/lib/system-libvirtd.mjs): a diskless transient guest (its firmware looks for a
// boot device and keeps its vCPU busy) is started with `virsh create` while two rules
// watch it: `vm_cpu_percent > -1` fires from the real collection and resolves when the
// guest is gone, and `virsh destroy` (a stop virtdeck did not ask for) raises
// `vm_stopped_unexpectedly`; its owner sees both alerts (also live on /api/events),
// another `user` neither. Run
// under `flock /tmp/vd-qemu.lock` (the shared libvirtd). after() destroys the domain.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { SYSTEM_URI, domainType, el, ensureSystemLibvirtd, virsh } from '../lib/system-libvirtd.mjs';

const PW = 'admin-pass-alertq-1';
const USERS = [
    { name: 'admin', role: 'admin', password: PW },
    { name: 'alice', role: 'user', password: 'alice-pass-alertq' },
    { name: 'bob', role: 'user', password: 'bob-pass-alertq-1' },
];

function domainXml({ name, uuid, type }) {
    return el('domain', { type }, [
        el('name', {}, name),
        el('uuid', {}, uuid),
        el('memory', { unit: 'MiB' }, '128'),
        el('vcpu', {}, '1'),
        el('os', {}, [el('type', { arch: 'x86_64' }, 'hvm'), el('boot', { dev: 'hd' })]),
        el('on_poweroff', {}, 'destroy'),
        el('on_crash', {}, 'destroy'),
        el('devices', {}, [el('memballoon', { model: 'none' })]),
    ]).toString();
}

async function waitFor(what, fn, timeoutMs = 30000) {
    const until = Date.now() + timeoutMs;
    for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 250));
    }
}

describe('alerts on a real QEMU guest', () => {
    const name = `virtdeck-alertq-${crypto.randomBytes(4).toString('hex')}`;
    const uuid = crypto.randomUUID();
    let tmp;
    let d;
    const c = {};

    before(async () => {
        await ensureSystemLibvirtd();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-alertq-'));
        d = await startDaemon({ uri: SYSTEM_URI, users: USERS, config: { metrics_interval: 1 } });
        for (const u of USERS) {
            c[u.name] = new Client(d);
            await c[u.name].login(u.name, u.password);
        }
    });

    after(async () => {
        virsh(['destroy', name]);
        for (const x of Object.values(c)) x.close();
        if (d) await d.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('a CPU rule fires and resolves, virsh destroy raises vm_stopped_unexpectedly', async () => {
        let r = await c.admin.post('/api/alerts/rules', { name: 'busy', metric: 'vm_cpu_percent', op: '>', threshold: -1, scope: uuid });
        assert.equal(r.status, 201, r.text);
        const cpuRule = r.json.id;
        r = await c.admin.post('/api/alerts/rules', { name: 'stopped', metric: 'vm_stopped_unexpectedly', scope: uuid });
        assert.equal(r.status, 201, r.text);
        const stopRule = r.json.id;

        const file = path.join(tmp, 'domain.xml');
        fs.writeFileSync(file, domainXml({ name, uuid, type: domainType() }));
        const created = virsh(['create', file], { timeoutMs: 30000 });
        assert.ok(created.ok, `virsh create failed (exit ${created.status}): ${created.stderr}`);
        const own = await c.admin.req('PUT', `/api/domains/${uuid}/owner`, { body: { owner: 'alice' } });
        assert.equal(own.status, 200, own.text);
        // live messages: the owner's socket gets the VM's alert, another user's never
        const evAlice = await c.alice.openEvents();
        const evBob = await c.bob.openEvents();

        const cpu = await waitFor('the CPU alert', async () =>
            (await c.admin.get('/api/alerts')).json.firing.find((a) => a.rule_id === cpuRule));
        assert.equal(cpu.subject, uuid);
        assert.equal(cpu.subject_kind, 'vm');
        assert.ok(cpu.value >= 0 && cpu.value <= 100, String(cpu.value));
        assert.deepEqual((await c.alice.get('/api/alerts')).json.firing.map((a) => a.rule_id), [cpuRule]);
        assert.deepEqual((await c.bob.get('/api/alerts')).json.firing, []);
        const live = await evAlice.next((m) => m.type === 'alert' && m.rule_id === cpuRule, 15000);
        assert.equal(live.state, 'firing');
        assert.equal(live.subject, uuid);

        const destroyed = virsh(['destroy', name]);
        assert.ok(destroyed.ok, destroyed.stderr);
        const after2 = await waitFor('the stop alert and the CPU alert resolved', async () => {
            const a = (await c.admin.get('/api/alerts')).json;
            const stop = a.firing.find((x) => x.rule_id === stopRule);
            const resolved = a.recent.find((x) => x.rule_id === cpuRule);
            return stop && resolved && !a.firing.some((x) => x.rule_id === cpuRule) && { stop, resolved };
        });
        assert.equal(after2.stop.subject, uuid);
        assert.equal(after2.stop.metric, 'vm_stopped_unexpectedly');
        assert.equal(after2.stop.value, null);
        assert.equal(after2.resolved.id, cpu.id);
        // exactly one of each
        const all = (await c.admin.get('/api/alerts')).json;
        assert.equal([...all.firing, ...all.recent].filter((x) => x.rule_id === stopRule).length, 1);
        assert.equal([...all.firing, ...all.recent].filter((x) => x.rule_id === cpuRule).length, 1);
        await evAlice.next((m) => m.type === 'alert' && m.rule_id === stopRule, 15000);
        assert.ok(evBob.all.length > 0, 'bob\'s socket got its snapshot');
        assert.deepEqual(evBob.all.filter((m) => m.type === 'alert'), []);
        await evAlice.terminate();
        await evBob.terminate();
    });
});
