// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/reconnect.test.mjs — losing and regaining libvirt. virtdeck talks to
// a real libvirtd (a private one, see tests/lib/libvirtd.mjs) through the remote driver;
// the test kills libvirtd and expects subscribers to hear "disconnected", the API to
// answer 503, and, after libvirtd is back, "connected" followed by a fresh snapshot.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { startPrivateLibvirtd } from '../lib/libvirtd.mjs';

const PW = 'admin-pass-reconnect-1';

describe('libvirt connection loss', () => {
    let libvirtd;
    let d;
    let admin;

    before(async () => {
        libvirtd = await startPrivateLibvirtd();
        d = await startDaemon({ uri: libvirtd.testUri, users: [{ name: 'admin', role: 'admin', password: PW }] });
        admin = new Client(d);
        await admin.login('admin', PW);
    });
    after(async () => {
        if (admin) admin.close();
        if (d) await d.stop();
        if (libvirtd) await libvirtd.stop();
    });

    it('tells subscribers, answers 503 meanwhile, and resynchronises after reconnecting', async () => {
        const ev = await admin.openEvents();
        try {
            const first = await ev.next((m) => m.type === 'snapshot', 5000);
            assert.ok(first.domains.some((x) => x.name === 'test'), 'snapshot through the remote driver');

            await libvirtd.kill();
            const down = await ev.next((m) => m.type === 'host', 10000);
            assert.equal(down.state, 'disconnected');
            const res = await admin.get('/api/domains');
            assert.equal(res.status, 503);
            assert.equal(res.json.error.code, 'libvirt_unavailable');

            await libvirtd.start();
            const up = await ev.next((m) => m.type === 'host', 40000);
            assert.equal(up.state, 'connected');
            const again = await ev.next((m) => m.type === 'snapshot', 10000);
            assert.ok(again.domains.some((x) => x.name === 'test'), 'fresh snapshot after reconnect');
            assert.equal((await admin.get('/api/domains')).status, 200);
        } finally {
            ev.terminate();
        }
    });
});
