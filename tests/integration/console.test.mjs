// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/console.test.mjs — the VNC console websocket against a real QEMU
// display (qemu:///system, tests/lib/system-libvirtd.mjs): an RFB client shakes hands
// through virtdeck and reads a full framebuffer; a second viewer joins and both get screens; refusals happen
// before any VNC connection is made; `virtdeck user passwd` from another process closes
// the socket with 4401 within 1 s; closing the browser side closes the VNC socket;
// a client that stops reading costs bounded memory; a 200 KiB clipboard passes and a
// message over the console's 256 KiB closes it with 1009; destroying the VM closes the socket.
// Always removes its domains; leaves libvirtd running.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { openConsole } from '../lib/rfb.mjs';
import {
    assertEndedByCli, assertRefusedBeforeUpgrade, fdCount, fdsAtMost, rssKib, sleep, startConsoleSuite, until,
} from '../lib/console-suite.mjs';
import { domainType, testDomainXml, virsh } from '../lib/system-libvirtd.mjs';

const PW = { admin: 'admin-pass-console-1', view: 'viewer-pass-console-2' };

/** Reads one full framebuffer update; asserts it covers the whole screen in raw pixels.
 * A booting guest changes its screen mode now and then (firmware 640x480, text 720x400):
 * a DesktopSize answer gives the new size, and the screen is asked for again at it.
 * Returns {raw (the rectangles), width, height, bpp}: the screen as read. */
async function readFullScreen(c, init) {
    let { width, height } = init;
    for (let attempt = 0; attempt < 5; attempt++) {
        c.requestFullUpdate(width, height);
        const rects = await c.readUpdate(init.bpp);
        const resized = rects.find((r) => r.enc === -223);
        if (resized) {
            ({ w: width, h: height } = resized);
            continue;
        }
        const raw = rects.filter((r) => r.enc === 0);
        const area = raw.reduce((a, r) => a + r.w * r.h, 0);
        assert.equal(area, width * height, 'the update covers the whole screen');
        return { raw, width, height, bpp: init.bpp };
    }
    throw new Error('the guest changed its screen size five times in a row');
}

describe('VNC console websocket on a real QEMU display', () => {
    const tag = crypto.randomBytes(4).toString('hex');
    const running = { name: `virtdeck-test-con-${tag}`, uuid: crypto.randomUUID() };
    const stopped = { name: `virtdeck-test-off-${tag}`, uuid: crypto.randomUUID() };
    let suite;
    let d;
    let admin;

    before(async () => {
        const type = domainType();
        suite = await startConsoleSuite({
            label: 'console', pw: PW, running, stopped,
            xml: (dom) => testDomainXml({ ...dom, type, memoryMiB: 256 }),
        });
        ({ d, admin } = suite);
    });

    after(async () => {
        if (suite) await suite.remove();
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
            const { raw } = await readFullScreen(c, init);
            const colours = new Set();
            for (const r of raw) for (let i = 0; i < r.data.length; i += 4) colours.add(r.data.readUInt32LE(i));
            assert.ok(colours.size >= 2, `the firmware screen has text on it (${colours.size} colours)`);
        } finally {
            c.close();
        }
    });

    it('a second viewer can join while the first is connected', async () => {
        const a = await openConsole(admin, running.uuid);
        let b;
        try {
            const ia = await a.handshake();
            b = await openConsole(admin, running.uuid, { protocols: [] });
            const ib = await b.handshake();
            assert.equal(ia.name, ib.name);
            // Both see the same screen. A guest still booting may switch modes between
            // the two ServerInits or the two reads: only a difference that lasts counts.
            let sa = ia;
            let sb = ib;
            for (let i = 0; i < 3; i++) {
                sb = await readFullScreen(b, sb);
                assert.equal(a.closed, null, 'the first viewer is still connected');
                sa = await readFullScreen(a, sa); // and its VNC session still answers
                if (sa.width === sb.width && sa.height === sb.height) break;
            }
            assert.deepEqual([sa.width, sa.height], [sb.width, sb.height], 'both viewers see the same screen size');
        } finally {
            a.close();
            if (b) b.close();
        }
    });

    it('refuses no session, a foreign Origin, a viewer and a bad UUID before upgrading', async () => {
        await assertRefusedBeforeUpgrade(openConsole, suite, running.uuid);
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
        await fdsAtMost(d.pid, before); // the daemon's side of the two closed sockets goes too
    });

    it('closes with 4401 within 1 s when `virtdeck user passwd` ends its session', async () => {
        await assertEndedByCli(suite, 'consolecli', async (c) => {
            const s = await openConsole(c, running.uuid);
            await s.handshake();
            return s;
        });
    });

    it('closes the VNC socket at once when the browser goes away', async () => {
        await fdsAtMost(d.pid, suite.idleFds); // the sockets of earlier tests are closed
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
            // The two sleeps are the measurement, not waits for an event: RSS is taken
            // after the connection has been idle for a moment (nothing says when the
            // daemon's allocations for a new console are done), and again after the
            // unread updates have had 4 s to pile up, however fast they come.
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

    it('passes a 200 KiB clipboard in one message; closes with 1009 on a message over 256 KiB', async () => {
        const cutText = (n) => { // RFB ClientCutText: type 6, 3 padding bytes, length, text
            const m = Buffer.alloc(8 + n, 0x61);
            m[0] = 6;
            m.writeUInt32BE(n, 4);
            return m;
        };
        const c = await openConsole(admin, running.uuid);
        try {
            const init = await c.handshake();
            c.send(cutText(200 * 1024)); // over /api/events' 4 KiB, within the console's limit
            await readFullScreen(c, init); // the VNC session goes on
            assert.equal(c.closed, null);
            c.send(cutText(256 * 1024)); // 8 bytes over
            const closed = await c.waitClose(3000);
            assert.equal(closed.code, 1009, `${closed.code} ${closed.reason}`);
            assert.match(closed.reason, /262144/);
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
