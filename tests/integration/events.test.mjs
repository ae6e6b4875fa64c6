// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/events.test.mjs — the /api/events websocket (docs/api.md): the
// snapshot on connect, lifecycle events after REST actions, periodic stats, and the
// end of the socket when its session ends. Runs against test:///default.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertDomainObject, assertJson, EVENTS, UUID_RE } from '../lib/api-assert.mjs';
import { within } from '../lib/wait.mjs';

const PW = { admin: 'admin-pass-ev-1', view: 'viewer-pass-ev-2' };

describe('events websocket', () => {
    let d;
    let admin;
    let uuid;
    let startedAt;
    const open = [];

    before(async () => {
        startedAt = performance.now();
        d = await startDaemon({
            // collections every 1 s while nobody watches (2 s, the default, while someone does)
            config: { metrics_interval: 1 },
            users: [
                { name: 'admin', role: 'admin', password: PW.admin },
                { name: 'view', role: 'viewer', password: PW.view },
            ],
        });
        admin = new Client(d);
        await admin.login('admin', PW.admin);
        const list = assertJson(await admin.get('/api/domains'), 200, 'list');
        uuid = list.domains.find((x) => x.name === 'test').uuid;
    });
    after(async () => {
        for (const ev of open) ev.terminate();
        if (admin) admin.close();
        if (d) await d.stop();
    });
    const subscribe = async (client = admin, opts) => {
        const ev = await client.openEvents(opts);
        open.push(ev);
        return ev;
    };
    const isEvent = (event) => (m) => m.type === 'domain' && m.event === event && m.domain && m.domain.uuid === uuid;

    it('figures are collected with nobody watching: the first subscriber\'s first stats follow an earlier sample', async () => {
        // nobody has subscribed yet; give the 1 s collection time to run at least once
        const wait = 1600 - (performance.now() - startedAt);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const ev = await subscribe();
        await ev.next((m) => m.type === 'snapshot', 5000);
        // the first subscriber gets a collection at once; its interval is the time since
        // the previous one, taken for nobody (0 if there had been none)
        const s = await ev.next((m) => m.type === 'stats', 1500);
        assert.ok(s.interval_ms > 0 && s.interval_ms <= 1600, `interval_ms ${s.interval_ms}`);
        assert.ok(Number.isInteger(s.at_ms) && Math.abs(s.at_ms - Date.now()) < 5000, `at_ms ${s.at_ms}`);
        await ev.close();
    });

    it('connects without a subprotocol; the first message is a snapshot of all domains', async () => {
        const ev = await subscribe();
        assert.equal(ev.ws.protocol, '', 'no subprotocol selected');
        const first = await ev.next(() => true, 5000);
        assert.equal(first.type, 'snapshot', `first message: ${JSON.stringify(first)}`);
        assert.ok(Array.isArray(first.domains));
        const list = assertJson(await admin.get('/api/domains'), 200, 'list').domains;
        assert.deepEqual(first.domains.map((x) => x.uuid).sort(), list.map((x) => x.uuid).sort());
        for (const x of first.domains) {
            assertDomainObject(x, 'snapshot');
            const y = list.find((z) => z.uuid === x.uuid);
            assert.equal(x.state, y.state);
            assert.equal(x.name, y.name);
        }
        await ev.close();
    });

    it('accepts the virtdeck-events.v1 subprotocol', async () => {
        const ev = await subscribe(admin, { protocols: ['virtdeck-events.v1'] });
        assert.equal(ev.ws.protocol, 'virtdeck-events.v1');
        assert.equal((await ev.next(() => true, 5000)).type, 'snapshot');
        await ev.close();
    });

    it('lifecycle events reach every subscriber within 1 s with the new state', async () => {
        const a = await subscribe();
        const v = new Client(d);
        await v.login('view', PW.view);
        const b = await subscribe(v);
        await a.next((m) => m.type === 'snapshot');
        await b.next((m) => m.type === 'snapshot');
        const steps = [
            ['suspend', 'suspended', 'paused'],
            ['resume', 'resumed', 'running'],
            ['destroy', 'stopped', 'shutoff'],
            ['start', 'started', 'running'],
        ];
        for (const [action, event, state] of steps) {
            const t0 = performance.now();
            const waitA = a.next(isEvent(event), 3000);
            const waitB = b.next(isEvent(event), 3000);
            const res = await admin.req('POST', `/api/domains/${uuid}/${action}`);
            assertJson(res, 200, action);
            const [ma, mb] = await Promise.all([waitA, waitB]);
            for (const m of [ma, mb]) {
                const dt = m.__at - t0;
                assert.ok(dt < 1000, `${event} arrived ${dt.toFixed(0)} ms after the POST`);
                assert.ok(EVENTS.includes(m.event));
                assert.equal(typeof m.detail, 'string', `detail: ${JSON.stringify(m)}`);
                assertDomainObject(m.domain, `${event} event`);
                assert.equal(m.domain.state, state, `${event}: domain.state`);
            }
        }
        await a.close();
        await b.close();
        v.close();
    });

    it('network and pool lifecycle events reach subscribers, viewers included', async () => {
        const view = new Client(d);
        await view.login('view', PW.view);
        const evAdmin = await subscribe();
        const evView = await subscribe(view);
        const isNet = (event) => (m) => m.type === 'network' && m.name === 'ev-net' && m.event === event;
        const isPool = (event) => (m) => m.type === 'pool' && m.name === 'ev-pool' && m.event === event;
        const waits = [isNet('defined'), isNet('started')].flatMap((p) => [evAdmin.next(p, 2000), evView.next(p, 2000)]);
        assertJson(await admin.post('/api/networks', {
            name: 'ev-net', mode: 'isolated', ipv4: { address: '10.251.7.1', prefix: 24 },
        }), 201, 'create network');
        for (const m of await Promise.all(waits)) assert.deepEqual(Object.keys(m).filter((k) => !k.startsWith('__')).sort(), ['event', 'name', 'type']);
        const stopped = evAdmin.next(isNet('stopped'), 2000);
        const undefinedEv = evAdmin.next(isNet('undefined'), 2000);
        assertJson(await admin.req('DELETE', '/api/networks/ev-net'), 200, 'delete network');
        await Promise.all([stopped, undefinedEv]);

        const poolWaits = [evAdmin.next(isPool('defined'), 2000), evView.next(isPool('started'), 2000)];
        assertJson(await admin.post('/api/pools', { name: 'ev-pool', type: 'dir', target_path: '/var/lib/libvirt/images/ev-pool' }), 201, 'create pool');
        await Promise.all(poolWaits);
        const poolGone = evAdmin.next(isPool('undefined'), 2000);
        assertJson(await admin.req('DELETE', '/api/pools/ev-pool'), 200, 'delete pool');
        await poolGone;
        view.close();
    });

    it('stats arrive about every 2 s with the documented fields, running domains only', async () => {
        const ev = await subscribe();
        await ev.next((m) => m.type === 'snapshot');
        // the first stats may come at once (interval_ms = time since the previous sample);
        // after that they come about every 2 s
        const memoryKiB = assertJson(await admin.get(`/api/domains/${uuid}`), 200, 'detail').memory_kib;
        const s1 = await ev.next((m) => m.type === 'stats', 5000);
        const s2 = await ev.next((m) => m.type === 'stats', 5000);
        const s3 = await ev.next((m) => m.type === 'stats', 5000);
        for (const s of [s1, s2, s3]) {
            assert.ok(Number.isInteger(s.interval_ms) && s.interval_ms >= 0, `interval_ms ${s.interval_ms}`);
            assert.ok(Array.isArray(s.domains));
            for (const x of s.domains) {
                assert.match(x.uuid, UUID_RE);
                for (const f of ['memory_used_kib', 'memory_resident_kib', 'disk_rd_bps', 'disk_wr_bps', 'net_rx_bps', 'net_tx_bps']) {
                    assert.equal(typeof x[f], 'number', `${f} in ${JSON.stringify(x)}`);
                    assert.ok(Number.isFinite(x[f]) && x[f] >= 0, `${f} = ${x[f]}`);
                }
                // libvirt's test driver reports no cpu.time: no figure, not a made-up 0
                assert.equal(x.cpu_percent, null, `cpu_percent in ${JSON.stringify(x)}`);
            }
            assert.ok(s.domains.some((x) => x.uuid === uuid), 'the running domain has stats');
            // memory as the guest reports it (the test driver's memory statistics: in use
            // = balloon minus unused), a figure below its memory, never 0 or all of it
            const mine = s.domains.find((x) => x.uuid === uuid);
            assert.ok(mine.memory_used_kib > 0 && mine.memory_used_kib < memoryKiB,
                `memory_used_kib ${mine.memory_used_kib} of ${memoryKiB}`);
            assert.ok(mine.memory_resident_kib > 0, `memory_resident_kib ${mine.memory_resident_kib}`);
            // the host's figures: the test driver's CPU counters stand still, so no CPU
            // figure (null), never a made-up 0; free memory is a number or null
            assert.equal(s.host?.cpu_percent, null, `host in ${JSON.stringify(s)}`);
            assert.ok(s.host.free_memory_kib === null || (Number.isInteger(s.host.free_memory_kib) && s.host.free_memory_kib > 0),
                `host in ${JSON.stringify(s)}`);
        }
        const gap = s3.__at - s2.__at;
        assert.ok(gap > 1000 && gap < 4000, `stats ${gap.toFixed(0)} ms apart (about 2 s expected)`);
        assert.ok(Math.abs(s3.interval_ms - gap) < 500, `interval_ms ${s3.interval_ms} vs measured gap ${gap.toFixed(0)} ms`);

        // once it is shut off it drops out of the stats
        assertJson(await admin.req('POST', `/api/domains/${uuid}/destroy`), 200, 'destroy');
        await ev.next(isEvent('stopped'), 3000);
        // (one sample may already have been under way when the domain stopped)
        let s4 = await ev.next((m) => m.type === 'stats', 5000);
        if (s4.domains.some((x) => x.uuid === uuid)) s4 = await ev.next((m) => m.type === 'stats', 5000);
        assert.ok(!s4.domains.some((x) => x.uuid === uuid), 'a shut-off domain has no stats');
        const startAt = Date.now();
        assertJson(await admin.req('POST', `/api/domains/${uuid}/start`), 200, 'start');
        await ev.next(isEvent('started'), 3000);
        // the start the daemon saw (its lifecycle event) is the domain's started_ms
        const s5 = await ev.next((m) => m.type === 'stats' && m.domains.some((x) => x.uuid === uuid), 5000);
        const back = s5.domains.find((x) => x.uuid === uuid);
        assert.ok(back.started_ms >= startAt - 1000 && back.started_ms <= Date.now(),
            `started_ms ${back.started_ms}, started at ${startAt}`);
        assert.equal(back.name, 'test');
        await ev.close();
    });

    it('logout ends the socket (session expired, then close); other sessions keep theirs', async () => {
        const c = new Client(d);
        await c.login('admin', PW.admin);
        const ev = await subscribe(c);
        const other = await subscribe();
        await ev.next((m) => m.type === 'snapshot');
        await other.next((m) => m.type === 'snapshot');
        assertJson(await c.logout(), 200, 'logout');
        const t0 = performance.now();
        const closed = await within(ev.closed, 6000);
        assert.ok(closed, 'the socket of the ended session is closed within 6 s');
        const expired = ev.all.find((m) => m.type === 'session');
        if (expired) assert.equal(expired.state, 'expired');
        assert.ok(performance.now() - t0 < 6000);
        // the other session's socket still works
        assert.equal(other.closeInfo, null, 'the other session\'s socket stays open');
        await other.next((m) => m.type === 'stats', 5000);
        await other.close();
        c.close();
    });

    it('client messages and a rude disconnect do not hurt the daemon', async () => {
        const ev = await subscribe();
        await ev.next((m) => m.type === 'snapshot');
        ev.ws.send('{"type":"hello"}');
        ev.ws.send('not json at all');
        ev.ws.send(Buffer.alloc(1024, 0xff), { binary: true });
        await ev.terminate();
        const again = await subscribe();
        assert.equal((await again.next(() => true, 5000)).type, 'snapshot');
        await again.close();
        assert.ok(d.alive);
        assertJson(await admin.get('/api/session'), 200, 'session after rude clients');
    });
});
