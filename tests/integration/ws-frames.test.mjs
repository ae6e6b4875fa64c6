// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/ws-frames.test.mjs — websocket frames RFC 6455 says to fail the
// connection for (server/README.md, "Websocket frames"), sent by hand to /api/events
// (limit 4 KiB a message): an unmasked text frame or ping → close 1002; a header that
// announces 16 MiB followed by a few KiB → 1009 at once; a whole frame, or a fragmented
// message, just over the limit → 1009; a frame sent with the upgrade request, before
// the answer → 1002; a message at the limit and a ping keep the socket open. The
// console's own limit is checked in console.test.mjs, the serial console's in
// serial.test.mjs. Runs against test:///default.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { rawWebSocket, wsCloseFrame, wsFrame } from '../lib/raw.mjs';

const PW = { admin: 'admin-pass-wsf-1' };
const LIMIT = 4096; // EVENTS_WS_MESSAGE_MAX
const TEXT = 0x1;
const BINARY = 0x2;
const CONTINUATION = 0x0;
const PING = 0x9;
const PONG = 0xa;
const PROMPT_MS = 2000;

describe('websocket frame checks (/api/events)', () => {
    let d;
    let admin;
    const open = [];

    before(async () => {
        d = await startDaemon({ users: [{ name: 'admin', role: 'admin', password: PW.admin }] });
        admin = new Client(d);
        await admin.login('admin', PW.admin);
    });
    after(async () => {
        for (const s of open) s.destroy();
        if (admin) admin.close();
        if (d) await d.stop();
    });
    const connect = async (opts) => {
        const s = await rawWebSocket(admin, '/api/events', opts);
        open.push(s);
        await s.next((f) => f.opcode === TEXT && /"snapshot"/.test(f.payload.toString()), 5000);
        return s;
    };
    /** Sends bytes and expects the server's close frame with code within PROMPT_MS. */
    const expectClose = async (s, bytes, code) => {
        const sent = Date.now();
        await s.send(bytes);
        const f = await s.closeFrame(PROMPT_MS);
        assert.equal(f.code, code, `close code (reason "${f.reason}")`);
        assert.ok(f.at - sent < PROMPT_MS, `closed after ${f.at - sent} ms`);
        return f;
    };

    it('closes with 1002 on an unmasked text frame, and hangs up once the client answers', async () => {
        const s = await connect();
        const f = await expectClose(s, wsFrame(TEXT, 'hello', { mask: false }), 1002);
        assert.match(f.reason, /unmasked/);
        await s.send(wsCloseFrame(1002));
        assert.ok(await s.endsWithin(PROMPT_MS), 'the server closed the connection');
        assert.ok(d.alive);
    });

    it('closes with 1002 on an unmasked ping', async () => {
        const s = await connect();
        await expectClose(s, wsFrame(PING, 'are you there', { mask: false }), 1002);
    });

    it('closes with 1009 as soon as a header announces 16 MiB, long before it is sent', async () => {
        const s = await connect();
        const partial = wsFrame(BINARY, Buffer.alloc(3 * 1024, 0x61), { announce: 16 * 1024 * 1024 });
        const f = await expectClose(s, partial, 1009);
        assert.match(f.reason, /4096/, 'the reason names the limit');
    });

    it('closes with 1009 on a whole frame one byte over the limit', async () => {
        const s = await connect();
        await expectClose(s, wsFrame(TEXT, 'x'.repeat(LIMIT + 1)), 1009);
    });

    it('closes with 1009 on a fragmented message whose frames add up to more than the limit', async () => {
        const s = await connect();
        const half = 'y'.repeat(LIMIT / 2 + 1);
        await expectClose(s, Buffer.concat([
            wsFrame(TEXT, half, { fin: false }), wsFrame(CONTINUATION, half),
        ]), 1009);
    });

    it('closes with 1002 when a frame comes with the upgrade request, before the answer', async () => {
        const s = await rawWebSocket(admin, '/api/events', { early: wsFrame(TEXT, 'too soon') });
        open.push(s);
        const f = await s.closeFrame(PROMPT_MS);
        assert.equal(f.code, 1002, `close code (reason "${f.reason}")`);
    });

    it('keeps the socket open for a message at the limit and answers a ping after it', async () => {
        const s = await connect();
        const half = 'z'.repeat(LIMIT / 2);
        await s.send(Buffer.concat([
            wsFrame(TEXT, 'z'.repeat(LIMIT)), wsFrame(TEXT, half, { fin: false }), wsFrame(CONTINUATION, half),
            wsFrame(PING, 'still here'),
        ]));
        const pong = await s.next((f) => f.opcode === PONG || f.opcode === 0x8, PROMPT_MS);
        assert.equal(pong.opcode, PONG, `a pong, not a close (${pong.code} ${pong.reason})`);
        assert.equal(pong.payload.toString(), 'still here');
        const other = new Client(d); // and the daemon still serves others
        try {
            await other.login('admin', PW.admin);
        } finally {
            other.close();
        }
    });
});
