// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/serial.test.mjs — the serial console websocket
// (/api/domains/{uuid}/serial) against a real QEMU domain on qemu:///system
// (tests/lib/system-libvirtd.mjs): a transient, diskless domain with no NIC whose
// SeaBIOS writes to the serial port (<bios useserial='yes'/>). It is created paused so
// the socket is open before the firmware prints anything (a pty keeps no history).
// Checks: the firmware's text arrives in binary frames; browser bytes (text and binary
// frames) reach the VM; the console is exclusive (4409 "serial console in use") and is
// released when the browser goes; refusals before the upgrade (401, 403 Origin, 403
// viewer, 400) and after it (4404 unknown, 4409 stopped); logout closes it with 4401, and
// so does `virtdeck user passwd` from another process (within 1 s); a message over the
// endpoint's 64 KiB closes it with 1009 before any of it reaches the VM;
// the daemon shuts down cleanly with a console open; each console has one "pump-serial"
// thread (signals blocked) that ends with it and sleeps while the console is quiet; a
// browser flooding a guest that reads nothing costs bounded memory and stalls only that
// console (a second domain);
// destroying the VM closes the socket with 1000 within 5 s.
// Always removes its domains; leaves libvirtd running.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { Client, openWebSocket } from '../lib/client.mjs';
import {
    assertEndedByCli, assertRefusedBeforeUpgrade, rssKib, sleep, startConsoleSuite, until,
} from '../lib/console-suite.mjs';
import { SYSTEM_URI, domainType, el, virsh } from '../lib/system-libvirtd.mjs';
import { threadsNamed } from '../lib/threads.mjs';

const PW = { admin: 'admin-pass-serial-1', view: 'viewer-pass-serial-2' };
const OUTPUT_TIMEOUT_MS = 30000; // SeaBIOS under TCG on a busy machine

/** A diskless domain without NIC whose firmware talks on the first serial port. */
function serialDomainXml({ name, uuid, type }) {
    return el('domain', { type }, [
        el('name', {}, name),
        el('uuid', {}, uuid),
        el('memory', { unit: 'MiB' }, '256'),
        el('currentMemory', { unit: 'MiB' }, '256'),
        el('vcpu', {}, '1'),
        el('os', {}, [
            el('type', { arch: 'x86_64' }, 'hvm'),
            el('boot', { dev: 'network' }),
            el('bios', { useserial: 'yes' }),
        ]),
        el('on_poweroff', {}, 'destroy'),
        el('on_crash', {}, 'destroy'),
        el('devices', {}, [
            el('serial', { type: 'pty' }),
            el('console', { type: 'pty' }),
        ]),
    ]).toString();
}

/** The serial websocket: every frame kept, with its kind; close code and reason. */
class SerialSocket {
    constructor(ws) {
        this.ws = ws;
        this.bytes = Buffer.alloc(0);
        this.frames = { binary: 0, text: 0 };
        this.closeInfo = null;
        this.closed = new Promise((resolve) => {
            ws.on('close', (code, reason) => {
                this.closeInfo = { code, reason: reason.toString(), at: Date.now() };
                resolve(this.closeInfo);
            });
        });
        ws.on('message', (data, isBinary) => {
            this.frames[isBinary ? 'binary' : 'text']++;
            this.bytes = Buffer.concat([this.bytes, data]);
        });
        ws.on('error', () => { /* the close event reports it */ });
    }

    get text() { return this.bytes.toString('latin1'); }

    /** Resolves once the received bytes (from `from` on) match re; rejects on close/timeout. */
    async waitFor(re, { timeoutMs = OUTPUT_TIMEOUT_MS, from = 0 } = {}) {
        return until(() => {
            const m = re.exec(this.bytes.subarray(from).toString('latin1'));
            if (m) return m;
            if (this.closeInfo) throw new Error(`closed (${this.closeInfo.code} ${this.closeInfo.reason}) waiting for ${re}; got ${JSON.stringify(this.text)}`);
            return null;
        }, timeoutMs, () => `no ${re} in ${JSON.stringify(this.text)}`);
    }

    async waitClose(timeoutMs = 10000) {
        let timer;
        const r = await Promise.race([this.closed, new Promise((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); })]);
        clearTimeout(timer);
        if (!r) throw new Error(`socket still open after ${timeoutMs} ms`);
        return r;
    }

    send(data, opts) {
        return new Promise((resolve, reject) => this.ws.send(data, opts, (e) => (e ? reject(e) : resolve())));
    }

    close() { this.ws.close(); return this.closed; }
    terminate() { this.ws.terminate(); return this.closed; }
}

/** Opens the serial websocket; resolves a SerialSocket once upgraded, rejects with
 *  {status, body} when the upgrade is refused. */
function openSerial(client, uuid, { origin, cookie } = {}) {
    return openWebSocket(client, `/api/domains/${uuid}/serial`,
        { origin, cookie, wrap: (ws) => new SerialSocket(ws) });
}

/** Opens a console that must carry data: resolves once the daemon has attached the
 *  socket to the VM's console (a worker opens it after the upgrade; the daemon then logs
 *  "serial: USER opened NAME (UUID)"), retrying while the previous holder's stream is
 *  still being released (it is torn down asynchronously on libvirt's event thread). */
async function openWhenFree(client, uuid, timeoutMs = 3000) {
    const opened = new RegExp(`serial: \\S+ opened .* \\(${uuid}\\) from`, 'g');
    const openedLines = () => (client.daemon.logs().match(opened) || []).length;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const seen = openedLines();
        const s = await openSerial(client, uuid);
        const first = await until(() => s.closeInfo || (openedLines() > seen && 'open'), OUTPUT_TIMEOUT_MS,
            () => `the console neither opened nor closed:\n${client.daemon.logs()}`);
        if (first === 'open') return s;
        if (first.code !== 4409 || Date.now() >= deadline) {
            throw new Error(`console did not open: ${first.code} ${first.reason}`);
        }
        await sleep(100); // poll: the previous holder's stream goes when libvirt is done
    }
}

describe('serial console websocket on a real QEMU domain', () => {
    const tag = crypto.randomBytes(4).toString('hex');
    const running = { name: `virtdeck-test-ser-${tag}`, uuid: crypto.randomUUID() };
    const stopped = { name: `virtdeck-test-seroff-${tag}`, uuid: crypto.randomUUID() };
    const flood = { name: `virtdeck-test-serflood-${tag}`, uuid: crypto.randomUUID() };
    let suite;
    let d;
    let admin;
    let first; // the socket opened before the firmware ran (test 1)

    before(async () => {
        const type = domainType();
        suite = await startConsoleSuite({
            label: 'serial', pw: PW, running, stopped, paused: true,
            xml: (dom) => serialDomainXml({ ...dom, type }),
        });
        ({ d, admin } = suite);
    });

    after(async () => {
        virsh(['destroy', flood.name]);
        if (first) first.terminate();
        if (suite) await suite.remove();
    });

    it('carries the firmware\'s serial output to the browser in binary frames', async (t) => {
        first = await openWhenFree(admin, running.uuid); // attached before the firmware runs
        const t0 = Date.now();
        const r = virsh(['resume', running.name]);
        assert.ok(r.ok, `virsh resume: ${r.stderr}`);
        await first.waitFor(/SeaBIOS \(version [^)]+\)/);
        await first.waitFor(/No bootable device/);
        t.diagnostic(`${first.bytes.length} bytes in ${first.frames.binary} binary frames, ` +
            `"No bootable device" ${Date.now() - t0} ms after resume`);
        assert.equal(first.frames.text, 0, 'console bytes are not guaranteed UTF-8: binary frames only');
        assert.ok(first.frames.binary > 0);
        assert.match(first.text, new RegExp(`Machine UUID ${running.uuid}`, 'i'), 'the text is this VM\'s');
        assert.match(d.logs(), new RegExp(`serial: admin opened ${running.name} \\(${running.uuid}\\) from 127\\.0\\.0\\.1`));
    });

    it('passes browser bytes to the VM, from text and binary frames', async () => {
        await first.send('\r');
        await first.send('help\r');
        await first.send(Buffer.from([0x1b, 0x5b, 0x41, 0x00, 0xff]), { binary: true });
        // Not a wait for an event: none says the bytes reached the VM (the guest echoes
        // nothing, the daemon counts them only in its close line), so the daemon gets
        // half a second to pass them on before the close that counts them.
        await sleep(500);
        assert.equal(first.closeInfo, null, 'the socket stays open');
        const sent = 1 + 5 + 5;
        await first.close();
        first = null;
        const line = await until(() => /serial: admin closed .* \((\d+) bytes to the browser, (\d+) to the VM\)/.exec(d.logs()),
            3000, () => `no close line in the log:\n${d.logs()}`);
        assert.equal(Number(line[2]), sent, `bytes that reached the VM: ${line[0]}`);
        assert.ok(Number(line[1]) > 100, `bytes to the browser: ${line[0]}`);
    });

    it('is exclusive: a second browser gets 4409 "serial console in use"; it is released on close', async (t) => {
        const a = await openWhenFree(admin, running.uuid);
        const b = await openSerial(admin, running.uuid);
        const closed = await b.waitClose(5000);
        assert.equal(closed.code, 4409, `${closed.code} ${closed.reason}`);
        assert.equal(closed.reason, 'serial console in use');
        assert.equal(a.closeInfo, null, 'the first holder keeps it');
        // the first holder goes away abruptly; the console is free again at once
        const t0 = Date.now();
        await a.terminate();
        const c = await openWhenFree(admin, running.uuid);
        t.diagnostic(`reopened ${Date.now() - t0} ms after the holder vanished`);
        const from = c.bytes.length;
        assert.ok(virsh(['reset', running.name]).ok);
        await c.waitFor(/SeaBIOS/, { from });
        await c.close();
    });

    it('runs each console on a pump thread of its own that blocks the signals and ends with the console', async () => {
        const pumps = () => threadsNamed(d.pid, 'pump-serial');
        await until(() => pumps().length === 0, 3000, () => `${pumps().length} pump threads before the test`);
        const a = await openWhenFree(admin, running.uuid);
        try {
            const mine = pumps();
            assert.equal(mine.length, 1, 'one pump thread for the open console');
            assert.deepEqual([...mine[0].blocked].sort(), ['SIGHUP', 'SIGINT', 'SIGTERM'], 'it takes no signal');
            // a second browser's pump ends once the console was refused
            const b = await openSerial(admin, running.uuid);
            assert.equal((await b.waitClose(5000)).code, 4409);
            await until(() => pumps().length === 1, 3000, () => `${pumps().length} pump threads after the refusal`);
        } finally {
            await a.close();
        }
        await until(() => pumps().length === 0, 3000, () => 'the pump thread outlived its console');
    });

    it('lets an idle console\'s pump sleep: no wake-up while the VM prints nothing', async (t) => {
        // The pump waits for libvirt's stream event instead of polling the console (which
        // woke it about ten times a second). Measured over a quiet second (no byte arrived;
        // SeaBIOS prints only when it retries the boot), from the kernel's count of the
        // pump thread's context switches.
        const WINDOW_MS = 1000;
        const switches = (tid) => {
            const status = fs.readFileSync(`/proc/${d.pid}/task/${tid}/status`, 'utf8');
            return Number(/^voluntary_ctxt_switches:\s*(\d+)$/m.exec(status)[1]) +
                Number(/^nonvoluntary_ctxt_switches:\s*(\d+)$/m.exec(status)[1]);
        };
        const a = await openWhenFree(admin, running.uuid);
        try {
            const pumps = threadsNamed(d.pid, 'pump-serial');
            assert.equal(pumps.length, 1);
            let woken = null;
            for (let i = 0; i < 10 && woken === null; i++) {
                const bytes = a.bytes.length;
                const before = switches(pumps[0].tid);
                await sleep(WINDOW_MS); // a measurement window, not a wait for an event
                const n = switches(pumps[0].tid) - before;
                if (a.bytes.length === bytes) woken = n; // else the VM printed: measure again
            }
            assert.notEqual(woken, null, 'no quiet second in ten');
            t.diagnostic(`pump-serial woke ${woken} times in a quiet second`);
            assert.ok(woken <= 2, `the idle pump woke ${woken} times in ${WINDOW_MS} ms`);
        } finally {
            await a.close();
        }
    });

    it('refuses no session, a foreign Origin, a viewer and a bad UUID before upgrading', async () => {
        await assertRefusedBeforeUpgrade(openSerial, suite, running.uuid);
    });

    it('closes with 4404 for an unknown VM and 4409 for a stopped one', async () => {
        const u = await openSerial(admin, crypto.randomUUID());
        const uc = await u.waitClose(5000);
        assert.equal(uc.code, 4404, `unknown VM: ${uc.code} ${uc.reason}`);
        assert.match(uc.reason, /no domain/);
        const o = await openSerial(admin, stopped.uuid);
        const oc = await o.waitClose(5000);
        assert.equal(oc.code, 4409, `stopped VM: ${oc.code} ${oc.reason}`);
        assert.match(oc.reason, /not running/);
    });

    it('closes with 1009 on a message over 64 KiB, none of which reaches the VM', async () => {
        const closes = () => [...d.logs().matchAll(/serial: admin closed .* \((\d+) bytes to the browser, (\d+) to the VM\)/g)];
        const s = await openWhenFree(admin, running.uuid);
        const seen = closes().length;
        let c;
        try {
            await s.send('x'.repeat(64 * 1024 + 1)); // one frame: the UI sends pieces of 16 KiB
            c = await s.waitClose(3000);
        } finally {
            await s.terminate(); // frees the console for the next tests if it stayed open
        }
        assert.equal(c.code, 1009, `${c.code} ${c.reason}`);
        const line = await until(() => closes().length > seen && closes().at(-1), 3000,
            () => `no close line in the log:\n${d.logs()}`);
        assert.equal(Number(line[2]), 0, `bytes that reached the VM: ${line[0]}`);
    });

    it('closes with 4401 when its session logs out', async () => {
        const other = new Client(d);
        await other.login('admin', PW.admin);
        try {
            const s = await openWhenFree(other, running.uuid);
            const res = await other.logout();
            assert.equal(res.status, 200);
            const c = await s.waitClose(5000);
            assert.equal(c.code, 4401, `${c.code} ${c.reason}`);
            assert.match(c.reason, /session ended/);
        } finally {
            other.close();
        }
    });

    it('closes with 4401 within 1 s when `virtdeck user passwd` ends its session', async () => {
        await assertEndedByCli(suite, 'serialcli', (c) => openWhenFree(c, running.uuid));
    });

    it('shuts the daemon down cleanly with a serial console open', async (t) => {
        const d2 = await startDaemon({ uri: SYSTEM_URI, users: [{ name: 'admin', role: 'admin', password: PW.admin }] });
        const c2 = new Client(d2);
        try {
            await c2.login('admin', PW.admin);
            const s = await openWhenFree(c2, running.uuid);
            const from = s.bytes.length;
            assert.ok(virsh(['reset', running.name]).ok);
            await s.waitFor(/SeaBIOS/, { from });
            const t0 = Date.now();
            const e = await d2.stop({ expectCode: 0, timeoutMs: 10000 });
            t.diagnostic(`exit ${e.code} ${Date.now() - t0} ms after SIGTERM`);
            await s.waitClose(3000);
        } finally {
            c2.close();
            await d2.stop().catch(() => {});
        }
        // the console was released: the first daemon can open it again
        const again = await openWhenFree(admin, running.uuid);
        await again.close();
    });

    it('a flood into a guest that reads nothing stalls only that console: bounded memory, API unaffected', async (t) => {
        const file = path.join(suite.tmp, 'flood.xml');
        fs.writeFileSync(file, serialDomainXml({ ...flood, type: domainType() }));
        assert.ok(virsh(['create', '--paused', file], { timeoutMs: 30000 }).ok);
        const s = await openWhenFree(admin, flood.uuid);
        assert.ok(virsh(['resume', flood.name]).ok);
        await s.waitFor(/No bootable device/); // the firmware has stopped reading its input
        const base = rssKib(d.pid);
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        for (let i = 0; i < 64; i++) s.ws.send(chunk, { binary: true }); // 4 MiB, not awaited
        await sleep(3000); // the flood's window: memory and the API are measured after 3 s of it
        const t0 = Date.now();
        const list = await admin.get('/api/domains');
        const apiMs = Date.now() - t0;
        const grown = rssKib(d.pid) - base;
        t.diagnostic(`sent 4 MiB; daemon RSS grew ${grown} KiB; GET /api/domains ${list.status} in ${apiMs} ms ` +
            `while the console is stalled`);
        assert.ok(grown < 8 * 1024, `daemon RSS grew ${grown} KiB`);
        assert.equal(s.closeInfo, null, 'flow control, not a disconnect');
        assert.equal(list.status, 200);
        assert.ok(apiMs < 2000, `the daemon's own libvirt connection is not stalled (${apiMs} ms)`);
        // destroying the VM releases even a stalled console promptly
        assert.ok(virsh(['destroy', flood.name]).ok);
        const td = Date.now();
        const c = await s.waitClose(5000);
        t.diagnostic(`stalled console closed ${c.at - td} ms after destroy: ${c.code} "${c.reason}"`);
        assert.equal(c.code, 1000, `${c.code} ${c.reason}`);
    });

    it('closes within 5 s with 1000 when the VM is destroyed', async (t) => {
        const s = await openWhenFree(admin, running.uuid);
        const r = virsh(['destroy', running.name]);
        const t0 = Date.now();
        assert.ok(r.ok, r.stderr);
        const c = await s.waitClose(5000);
        t.diagnostic(`closed ${c.at - t0} ms after virsh destroy returned: ${c.code} "${c.reason}"`);
        assert.equal(c.code, 1000, `${c.code} ${c.reason}`);
        assert.match(c.reason, /stopped|closed/);
    });
});
