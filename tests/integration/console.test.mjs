// tests/integration/console.test.mjs — the VNC console websocket against a real QEMU
// display (qemu:///system, tests/lib/system-libvirtd.mjs): an RFB client shakes hands
// through virtdeck and reads a full framebuffer; a second viewer joins; refusals happen
// before any VNC connection is made; closing the browser side closes the VNC socket;
// a client that stops reading costs bounded memory; destroying the VM closes the socket.
// Always removes its domains; leaves libvirtd running.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { openConsole } from '../lib/rfb.mjs';
import {
    SYSTEM_URI, createConsoleDomains, domainType, ensureSystemLibvirtd, testDomainXml, virsh,
} from '../lib/system-libvirtd.mjs';

const PW = { admin: 'admin-pass-console-1', view: 'viewer-pass-console-2' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const fdCount = (pid) => fs.readdirSync(`/proc/${pid}/fd`).length;
const rssKib = (pid) => Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

async function until(check, timeoutMs, describe) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = check();
        if (v) return v;
        if (Date.now() >= deadline) throw new Error(`${describe()} (after ${timeoutMs} ms)`);
        await sleep(50);
    }
}

describe('VNC console websocket on a real QEMU display', () => {
    const tag = crypto.randomBytes(4).toString('hex');
    const running = { name: `virtdeck-test-con-${tag}`, uuid: crypto.randomUUID() };
    const stopped = { name: `virtdeck-test-off-${tag}`, uuid: crypto.randomUUID() };
    let tmp;
    let d;
    let admin;
    let viewer;

    before(async () => {
        await ensureSystemLibvirtd();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-console-'));
        const type = domainType();
        createConsoleDomains(tmp, {
            running: testDomainXml({ ...running, type, memoryMiB: 256 }),
            stopped: testDomainXml({ ...stopped, type, memoryMiB: 256 }),
        });
        d = await startDaemon({
            uri: SYSTEM_URI,
            users: [{ name: 'admin', role: 'admin', password: PW.admin }, { name: 'view', role: 'viewer', password: PW.view }],
        });
        admin = new Client(d);
        await admin.login('admin', PW.admin);
        viewer = new Client(d);
        await viewer.login('view', PW.view);
    });

    after(async () => {
        virsh(['destroy', running.name]);
        virsh(['undefine', stopped.name]);
        if (admin) admin.close();
        if (viewer) viewer.close();
        if (d) await d.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('speaks RFB with the VM: version, security, ServerInit, a full framebuffer', async (t) => {
        const c = await openConsole(admin, running.uuid);
        try {
            assert.equal(c.ws.protocol, 'binary', 'the binary subprotocol noVNC asks for is accepted');
            const init = await c.handshake();
            t.diagnostic(`${init.version.trim()} ${init.width}x${init.height} ${init.bpp} bpp "${init.name}"`);
            assert.match(init.version, /^RFB 003\.00[38]\n$/);
            assert.ok(init.width >= 320 && init.height >= 200, `screen ${init.width}x${init.height}`);
            assert.equal(init.name, `QEMU (${running.name})`);
            c.requestFullUpdate(init.width, init.height);
            const rects = await c.readUpdate(init.bpp);
            const raw = rects.filter((r) => r.enc === 0);
            const area = raw.reduce((a, r) => a + r.w * r.h, 0);
            assert.equal(area, init.width * init.height, 'the update covers the whole screen');
            const colours = new Set();
            for (const r of raw) for (let i = 0; i < r.data.length; i += 4) colours.add(r.data.readUInt32LE(i));
            assert.ok(colours.size >= 2, `the firmware screen has text on it (${colours.size} colours)`);
        } finally {
            c.close();
        }
    });

    it('a second viewer can join while the first is connected', async () => {
        const a = await openConsole(admin, running.uuid);
        const b = await openConsole(admin, running.uuid, { protocols: [] });
        try {
            const [ia, ib] = await Promise.all([a.handshake(), b.handshake()]);
            assert.equal(ia.name, ib.name);
            assert.equal(ia.width, ib.width);
        } finally {
            a.close();
            b.close();
        }
    });

    it('refuses no session, a foreign Origin and a viewer before upgrading', async () => {
        const before = fdCount(d.pid);
        await assert.rejects(openConsole(admin, running.uuid, { cookie: '' }), (e) => e.status === 401);
        await assert.rejects(openConsole(admin, running.uuid, { origin: 'https://evil.example' }), (e) => e.status === 403);
        await assert.rejects(openConsole(viewer, running.uuid), (e) => e.status === 403 && /console/.test(e.body));
        await assert.rejects(openConsole(admin, 'not-a-uuid'), (e) => e.status === 400);
        await sleep(200);
        assert.ok(fdCount(d.pid) <= before, 'no socket was opened for a refused console');
    });

    it('closes with a clear code for an unknown or stopped VM, without touching any VNC server', async () => {
        const before = fdCount(d.pid);
        const unknown = await openConsole(admin, crypto.randomUUID());
        const u = await unknown.waitClose(5000);
        assert.equal(u.code, 4404, `unknown VM: ${u.code} ${u.reason}`);
        const off = await openConsole(admin, stopped.uuid);
        const o = await off.waitClose(5000);
        assert.equal(o.code, 4409, `stopped VM: ${o.code} ${o.reason}`);
        assert.match(o.reason, /not running/);
        await sleep(200);
        assert.ok(fdCount(d.pid) <= before, `fds ${before} -> ${fdCount(d.pid)}`);
    });

    it('closes the VNC socket at once when the browser goes away', async () => {
        await sleep(300);
        const idle = fdCount(d.pid);
        const c = await openConsole(admin, running.uuid);
        await c.handshake();
        assert.ok(fdCount(d.pid) >= idle + 2, 'websocket and VNC socket are open');
        c.terminate();
        await until(() => fdCount(d.pid) <= idle, 3000, () => `fds still ${fdCount(d.pid)} (idle ${idle})`);
    });

    it('a client that stops reading costs bounded memory', async (t) => {
        const c = await openConsole(admin, running.uuid);
        try {
            const init = await c.handshake();
            await sleep(500);
            const base = rssKib(d.pid);
            c.ws._socket.pause(); // stop reading; the requests below still go out
            const frame = init.width * init.height * (init.bpp / 8);
            for (let i = 0; i < 200; i++) c.requestFullUpdate(init.width, init.height);
            await sleep(4000);
            const grown = rssKib(d.pid) - base;
            t.diagnostic(`asked for ${(200 * frame / 2 ** 20).toFixed(0)} MiB of screen updates without reading; ` +
                `daemon RSS grew ${grown} KiB`);
            assert.ok(grown < 8 * 1024, `daemon RSS grew ${grown} KiB`);
        } finally {
            c.terminate();
        }
    });

    it('closes the socket within seconds when the VM is destroyed', async () => {
        const c = await openConsole(admin, running.uuid);
        await c.handshake();
        const r = virsh(['destroy', running.name]);
        assert.ok(r.ok, r.stderr);
        const closed = await c.waitClose(8000);
        assert.equal(closed.code, 1000, `${closed.code} ${closed.reason}`);
        assert.match(closed.reason, /stopped|closed/);
    });
});
