// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/rfb.mjs — a minimal RFB (VNC) client over virtdeck's console websocket, for
// tests: enough of RFB 3.8 to shake hands with security type None, read ServerInit and
// one full framebuffer in raw encoding. Test process only.
import { openWebSocket } from './client.mjs';

/** Opens /api/domains/{uuid}/console (or `path`). Resolves an RfbStream, or rejects with
 *  {status, body} when the upgrade is refused. */
export function openConsole(client, uuid, { origin, cookie, protocols = ['binary'], path } = {}) {
    return openWebSocket(client, path || `/api/domains/${uuid}/console`,
        { origin, cookie, protocols, wrap: (ws) => new RfbStream(ws) });
}

export class RfbStream {
    constructor(ws) {
        this.ws = ws;
        this.buf = Buffer.alloc(0);
        this.waiters = [];
        this.closed = null; // {code, reason}
        this.received = 0;
        ws.on('message', (data) => {
            this.received += data.length;
            this.buf = Buffer.concat([this.buf, data]);
            this.wake();
        });
        ws.on('close', (code, reason) => {
            this.closed = { code, reason: reason.toString() };
            this.wake();
        });
    }

    wake() {
        const w = this.waiters;
        this.waiters = [];
        for (const f of w) f();
    }

    /** Waits for the socket to close; resolves {code, reason}. */
    async waitClose(timeoutMs = 10000) {
        const deadline = Date.now() + timeoutMs;
        while (!this.closed) {
            if (Date.now() > deadline) throw new Error(`socket still open after ${timeoutMs} ms`);
            await new Promise((r) => { this.waiters.push(r); setTimeout(r, 100); });
        }
        return this.closed;
    }

    async read(n, timeoutMs = 10000) {
        const deadline = Date.now() + timeoutMs;
        while (this.buf.length < n) {
            if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while reading ${n} bytes`);
            if (Date.now() > deadline) throw new Error(`timed out reading ${n} bytes (have ${this.buf.length})`);
            await new Promise((r) => { this.waiters.push(r); setTimeout(r, 100); });
        }
        const out = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(n);
        return out;
    }

    send(bytes) { this.ws.send(Buffer.from(bytes)); }

    /** RFB 3.8 handshake with security None; returns {version, width, height, bpp, name}. */
    async handshake() {
        const version = (await this.read(12)).toString('latin1');
        this.send(Buffer.from('RFB 003.008\n', 'latin1'));
        const ntypes = (await this.read(1))[0];
        if (ntypes === 0) {
            const len = (await this.read(4)).readUInt32BE(0);
            throw new Error(`server refused: ${(await this.read(len)).toString()}`);
        }
        const types = [...(await this.read(ntypes))];
        if (!types.includes(1)) throw new Error(`no security type None offered: ${types}`);
        this.send([1]);
        const result = (await this.read(4)).readUInt32BE(0);
        if (result !== 0) throw new Error(`security result ${result}`);
        this.send([1]); // ClientInit: shared
        const init = await this.read(24);
        const width = init.readUInt16BE(0);
        const height = init.readUInt16BE(2);
        const bpp = init[4];
        const name = (await this.read(init.readUInt32BE(20))).toString('utf8');
        return { version, types, width, height, bpp, name };
    }

    /** Asks for raw encoding (and DesktopSize, so a guest that changes its screen mode
     * says so) and one full (non-incremental) update. */
    requestFullUpdate(width, height) {
        const enc = Buffer.alloc(12);
        enc[0] = 2; enc.writeUInt16BE(2, 2); enc.writeInt32BE(0, 4); enc.writeInt32BE(-223, 8); // [raw, DesktopSize]
        const req = Buffer.alloc(10);
        req[0] = 3; req[1] = 0; req.writeUInt16BE(width, 6); req.writeUInt16BE(height, 8);
        this.send(Buffer.concat([enc, req]));
    }

    /** Reads one FramebufferUpdate in raw encoding; returns {rects, pixels (Buffer list)}. */
    async readUpdate(bpp, timeoutMs = 15000) {
        const head = await this.read(4, timeoutMs);
        if (head[0] !== 0) throw new Error(`expected FramebufferUpdate, got message type ${head[0]}`);
        const n = head.readUInt16BE(2);
        const rects = [];
        for (let i = 0; i < n; i++) {
            const r = await this.read(12, timeoutMs);
            const rect = { x: r.readUInt16BE(0), y: r.readUInt16BE(2), w: r.readUInt16BE(4), h: r.readUInt16BE(6), enc: r.readInt32BE(8) };
            if (rect.enc === 0) rect.data = await this.read(rect.w * rect.h * (bpp / 8), timeoutMs);
            else if (rect.enc !== -223) throw new Error(`unexpected encoding ${rect.enc}`); // DesktopSize has no data
            rects.push(rect);
        }
        return rects;
    }

    close() { this.ws.close(); }
    terminate() { this.ws.terminate(); }
}
