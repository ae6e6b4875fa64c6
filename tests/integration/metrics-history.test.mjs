// SPDX-License-Identifier: LGPL-2.1-or-later
// metrics-history.test.mjs — GET /api/host/metrics and GET /api/domains/{uuid}/metrics
// (issue 14) on libvirt's test driver: the answer's shape, the 400s naming the field, a
// missing domain's 404, the rights (a `user` without the host right; another user's VM
// answers as a missing UUID: ownership.test.mjs's table), and metrics.db beside
// virtdeck.db in the state directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startWithRoles } from '../lib/roles.mjs';
import { Client } from '../lib/client.mjs';
import { startDaemon } from '../lib/daemon.mjs';

const pw = { admin: 'admin-pass-123456', op: 'op-pass-1234567', view: 'view-pass-123456' };
const users = [{ name: 'alice', role: 'user', password: 'alice-pass-12345' }];
const HOST_SERIES = ['cpu_percent', 'memory_used_kib', 'memory_total_kib', 'load1'];
const DOMAIN_SERIES = ['cpu_percent', 'steal_percent', 'memory_used_kib', 'memory_resident_kib',
    'disk_rd_bps', 'disk_wr_bps', 'disk_rd_iops', 'disk_wr_iops', 'net_rx_bps', 'net_tx_bps'];

test('the history routes: shape, tiers, 400s naming the field, 404s, rights', async () => {
    const r = await startWithRoles(pw, { users });
    const alice = new Client(r.d);
    try {
        assert.ok(existsSync(path.join(r.d.stateDir, 'metrics.db')), 'metrics.db in the state dir');
        const now = Math.floor(Date.now() / 1000);
        const host = await r.admin.get('/api/host/metrics');
        assert.equal(host.status, 200, host.text);
        assert.ok(Math.abs(host.json.to - now) < 30);
        assert.equal(host.json.to - host.json.from, 3600);
        assert.equal(host.json.tier, 'raw');
        assert.deepEqual(Object.keys(host.json.series).sort(), [...HOST_SERIES].sort());
        for (const s of Object.values(host.json.series)) assert.ok(Array.isArray(s));

        const day = await r.admin.get(`/api/host/metrics?from=${now - 86400}&to=${now}`);
        assert.equal(day.status, 200, day.text);
        assert.equal(day.json.tier, '1min');
        assert.equal(day.json.step, 60);
        assert.ok('cpu_percent_max' in day.json.series && 'cpu_percent_min' in day.json.series);
        const month = await r.admin.get(`/api/host/metrics?from=${now - 30 * 86400}&to=${now}&step=3600`);
        assert.equal(month.json.tier, '1h');
        assert.equal(month.json.step, 3600);

        for (const [q, field] of [['from=abc', 'from'], ['to=-5', 'to'], ['step=0', 'step'],
            ['step=1.5', 'step'], [`from=${now}&to=${now - 10}`, 'from'],
            [`from=${now - 367 * 86400}&to=${now}`, 'from'], [`from=${'9'.repeat(40)}`, 'from']]) {
            const bad = await r.admin.get(`/api/host/metrics?${q}`);
            assert.equal(bad.status, 400, q);
            assert.equal(bad.json.error.code, 'bad_request', q);
            assert.equal(bad.json.error.field, field, q);
            assert.match(bad.json.error.message, new RegExp(`"${field}"`), q);
        }

        const list = await r.admin.get('/api/domains');
        const uuid = list.json.domains.find((x) => x.name === 'test').uuid;
        const dom = await r.view.get(`/api/domains/${uuid}/metrics`);
        assert.equal(dom.status, 200, dom.text);
        assert.deepEqual(Object.keys(dom.json.series).sort(), [...DOMAIN_SERIES].sort());
        const ghost = randomUUID();
        const missing = await r.admin.get(`/api/domains/${ghost}/metrics`);
        assert.equal(missing.status, 404);
        assert.equal(missing.json.error.code, 'not_found');
        const malformed = await r.admin.get('/api/domains/not-a-uuid/metrics');
        assert.equal(malformed.status, 400);

        await alice.login('alice', users[0].password);
        const hidden = await alice.get(`/api/domains/${uuid}/metrics`);
        const absent = await alice.get(`/api/domains/${ghost}/metrics`);
        assert.equal(hidden.status, 404);
        assert.equal(hidden.text.replaceAll(uuid, 'U'), absent.text.replaceAll(ghost, 'U'));
        const hostAsUser = await alice.get('/api/host/metrics');
        const hostPage = await alice.get('/api/host');
        assert.equal(hostAsUser.status, hostPage.status, 'the host page\'s rule');
    } finally {
        alice.close();
        await r.stop();
    }
});

// With real samples (the always-on collection, every second here): what test:/// gives
// appears in the series (no cpu figure: absent, never 0; memory present), and a restart of
// the daemon on the same state directory keeps them (metrics.db is a file).
async function waitFor(fn, ms = 15000) {
    const until = Date.now() + ms;
    for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > until) throw new Error('timed out');
        await new Promise((res) => setTimeout(res, 250));
    }
}

test('series fill from the collection and survive a restart', async () => {
    const r = await startWithRoles(pw, { config: { metrics_interval: 1 } });
    let stateDir = null;
    let d2 = null;
    const admin2 = [];
    try {
        const list = await r.admin.get('/api/domains');
        const uuid = list.json.domains.find((x) => x.name === 'test').uuid;
        const dom = await waitFor(async () => {
            const a = await r.admin.get(`/api/domains/${uuid}/metrics`);
            return a.json.series.memory_used_kib.length >= 2 && a.json.series.disk_rd_bps.length >= 1 ? a : null;
        });
        assert.deepEqual(dom.json.series.cpu_percent, [], 'test:/// has no cpu figure: none stored');
        const [t, v] = dom.json.series.memory_used_kib[0];
        assert.ok(Number.isInteger(t) && Math.abs(t - Date.now() / 1000) < 60, 'unix seconds');
        assert.ok(v > 0);
        assert.equal(dom.json.series.disk_rd_bps[0][1], 0);
        assert.ok(dom.json.step >= 1);
        const host = await r.admin.get('/api/host/metrics');
        assert.ok(host.json.series.memory_total_kib.length >= 1);
        const before = dom.json.series.memory_used_kib.length;

        stateDir = r.d.stateDir;
        for (const c of [r.admin, r.op, r.view]) c.close();
        await r.d.stop({ keepStateDir: true });
        d2 = await startDaemon({ stateDir, config: { metrics_interval: 3600 } });
        const admin = new Client(d2);
        admin2.push(admin);
        await admin.login('admin', pw.admin);
        const after = await admin.get(`/api/domains/${uuid}/metrics`);
        assert.equal(after.status, 200, after.text);
        assert.ok(after.json.series.memory_used_kib.length >= before, 'kept over the restart');
        assert.deepEqual(after.json.series.memory_used_kib.slice(0, before),
            dom.json.series.memory_used_kib);
    } finally {
        for (const c of admin2) c.close();
        if (d2) await d2.stop();
        else await r.stop();
        if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    }
});
