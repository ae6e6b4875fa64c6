// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/console-stream.test.mjs — the console bridge's data path, byte for
// byte, against a scripted VNC server: libvirt's test driver runs one domain whose VNC
// display is a TCP server of this test on 127.0.0.1, so virtdeck connects to it like to
// QEMU. Downstream: 32 MiB of a patterned stream arrive unchanged and in order through
// every ring position, while the browser stops reading until the VNC server is blocked
// and then reads again; every frame is at most one TLS record of payload; the VNC
// server's close reaches the browser as 1000 after the last byte. Upstream: 24 MiB in
// messages of mixed sizes come back unchanged from an echoing server that stops reading
// for a while. Starts its own daemon and servers; removes its state directory.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, startDaemon } from '../lib/daemon.mjs';
import { Client, openWebSocket } from '../lib/client.mjs';
import { vncDomainXml } from '../lib/vnc-domain.mjs';
import { until } from '../lib/wait.mjs';

const PASSWORD = 'console-stream-password-1';
const UUID = 'c0501e00-0000-4000-8000-0000000000aa';
const FRAME_MAX = 16 * 1024 - 4; // HTTP_WS_PAYLOAD_MAX: one TLS record with its header
// a patterned stream: byte i is PATTERN[i % PATTERN.length], a prime length, so a byte
// put at the wrong ring offset (rings and frames are multiples of 16) cannot match
const PATTERN = crypto.randomBytes(1000003);

/* The stall checks compare two looks at a counter, 200 ms apart. */
const EVERY_200_MS = { intervalMs: 200 };

describe('console data path against a scripted VNC server', () => {
    let dir;
    let vnc;
    let onVnc = null; // the handler for the next VNC connection
    let daemon;
    let client;

    before(async () => {
        dir = mkdtempSync(path.join(os.tmpdir(), 'vdtest-console-stream-'));
        vnc = net.createServer((sock) => {
            sock.on('error', () => {}); // the daemon resets it when the browser leaves
            if (onVnc) onVnc(sock); else sock.destroy();
        });
        const vncPort = await freePort();
        await new Promise((r) => vnc.listen(vncPort, '127.0.0.1', r));
        writeFileSync(path.join(dir, 'domain.xml'), vncDomainXml({ name: 'vdtest-console-stream', uuid: UUID, vncPort }));
        daemon = await startDaemon({
            uri: `test://${path.join(dir, 'domain.xml')}`,
            users: [{ name: 'admin', role: 'admin', password: PASSWORD }],
        });
        client = new Client(daemon);
        await client.login('admin', PASSWORD);
    });

    after(async () => {
        if (client) client.close();
        if (daemon) await daemon.stop();
        if (vnc) vnc.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('carries 32 MiB to the browser unchanged while the browser stalls, then closes with 1000', async () => {
        const total = 32 * 1024 * 1024;
        const state = { waiting: false, paused: false, sent: 0 };
        onVnc = async (sock) => {
            // chunks of odd sizes up to 192 KiB, waiting whenever the kernel holds enough
            let off = 0;
            let n = 1;
            while (off < total) {
                n = (n * 7919 + 1) % (192 * 1024) + 1;
                const len = Math.min(n, total - off);
                const chunk = Buffer.alloc(len);
                for (let i = 0; i < len;) {
                    const p = (off + i) % PATTERN.length;
                    const k = Math.min(len - i, PATTERN.length - p);
                    PATTERN.copy(chunk, i, p, p + k);
                    i += k;
                }
                off += len;
                state.sent = off;
                if (!sock.write(chunk)) {
                    state.waiting = true;
                    await new Promise((r) => sock.once('drain', r));
                    state.waiting = false;
                }
            }
            sock.end();
        };
        const ws = await openWebSocket(client, `/api/domains/${UUID}/console`, { protocols: ['binary'] });
        let got = 0;
        let bad = null;
        let biggest = 0;
        let empty = 0;
        ws.on('message', (data) => {
            if (!data.length) empty++;
            biggest = Math.max(biggest, data.length);
            for (let i = 0; i < data.length && !bad; i++) {
                if (data[i] !== PATTERN[(got + i) % PATTERN.length]) bad = `byte ${got + i} differs`;
            }
            got += data.length;
            if (!state.paused && got > 4 * 1024 * 1024) {
                // stop reading a few MiB in: the daemon's ring fills, it stops reading the
                // VNC socket, and the server's writes block
                ws._socket.pause();
                state.paused = true;
            }
        });
        const closed = new Promise((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));

        let last = -1;
        await until(() => {
            const blocked = state.paused && state.waiting && state.sent === last;
            last = state.sent;
            return blocked;
        }, 20000,
            () => `the VNC server to be blocked by the stalled browser (sent ${state.sent}, received ${got})`,
            EVERY_200_MS);
        assert.ok(state.sent < total, 'the stall came before the end of the stream');
        ws._socket.resume();

        const c = await closed;
        assert.equal(bad, null, bad);
        assert.equal(got, total, `${got} of ${total} bytes arrived before the close`);
        assert.equal(c.code, 1000, `${c.code} ${c.reason}`);
        assert.match(c.reason, /display closed/);
        assert.ok(biggest <= FRAME_MAX, `a frame of ${biggest} bytes (over one TLS record)`);
        assert.equal(empty, 0, 'no empty frames');
    });

    it('returns 24 MiB of mixed-size messages unchanged through a server that stops reading', async () => {
        const total = 24 * 1024 * 1024;
        let server;
        const accepted = new Promise((r) => {
            onVnc = (sock) => {
                server = sock;
                sock.pause(); // not reading yet: the daemon's browser → VNC ring fills
                r();
            };
        });
        const ws = await openWebSocket(client, `/api/domains/${UUID}/console`, { protocols: ['binary'] });
        let got = 0;
        let bad = null;
        ws.on('message', (data) => {
            for (let i = 0; i < data.length && !bad; i++) {
                if (data[i] !== PATTERN[(got + i) % PATTERN.length]) bad = `byte ${got + i} differs`;
            }
            got += data.length;
        });
        await accepted;
        let off = 0;
        let n = 1;
        while (off < total) {
            n = (n * 4099 + 7) % (64 * 1024) + 1;
            const len = Math.min(n, total - off);
            const p = off % PATTERN.length;
            const msg = p + len <= PATTERN.length
                ? PATTERN.subarray(p, p + len)
                : Buffer.concat([PATTERN.subarray(p), PATTERN.subarray(0, len - (PATTERN.length - p))]);
            ws.send(msg);
            off += len;
        }
        // the daemon stops reading the browser once its ring is full: what the client
        // still has to send stops going down (kernel buffers take only a few MiB)
        let last = -1;
        await until(() => {
            const held = ws.bufferedAmount > 0 && ws.bufferedAmount === last;
            last = ws.bufferedAmount;
            return held;
        }, 10000, () => 'the daemon to stop reading the browser', EVERY_200_MS);
        assert.equal(got, 0);
        server.pipe(server); // reads (and echoes) from now on
        await until(() => got >= total || bad, 30000, () => `the echo (${got} of ${total})`, EVERY_200_MS);
        assert.equal(bad, null, bad);
        assert.equal(got, total);
        ws.close();
    });
});
