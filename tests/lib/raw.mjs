// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/raw.mjs — raw TLS / TCP exchanges with the daemon for protocol-level tests
// (malformed requests, ALPN, version checks), and websockets opened by hand for frames
// no websocket library sends (unmasked, oversized, early). Test process only.
import crypto from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';

/**
 * Collects what sock receives until the peer ends or closes it, it fails, stopWhen(all
 * bytes so far) is true or timeoutMs passes; then destroys it. Returns {done(): true once
 * finished, result: a promise of {data: Buffer, text (latin1), closedByPeer, error}}.
 */
function collectReply(sock, { timeoutMs, stopWhen }) {
    const chunks = [];
    let closedByPeer = false;
    let error = null;
    let done = false;
    let finish;
    const result = new Promise((resolve) => {
        finish = () => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            sock.destroy();
            const data = Buffer.concat(chunks);
            resolve({ data, text: data.toString('latin1'), closedByPeer, error });
        };
    });
    const timer = setTimeout(finish, timeoutMs);
    sock.on('data', (d) => {
        chunks.push(d);
        if (stopWhen && stopWhen(Buffer.concat(chunks))) finish();
    });
    sock.on('end', () => { closedByPeer = true; finish(); });
    sock.on('close', () => { closedByPeer = true; finish(); });
    sock.on('error', (e) => { error = e; finish(); });
    return { done: () => done, result };
}

/**
 * Opens a TLS connection (certificate not checked), writes bytes (string, Buffer or an
 * array of chunks written with a small pause between them), and collects what comes
 * back until the peer closes or timeoutMs passes.
 * Resolves {data: Buffer, text, closedByPeer, error, status (first HTTP status or null),
 * alpn, protocol}.
 */
export async function rawTls(daemon, bytes, { timeoutMs = 3000, tlsOpts = {}, endAfterWrite = false, stopWhen } = {}) {
    let alpn = null;
    let protocol = null;
    const sock = tls.connect({
        host: daemon.host, port: daemon.port, rejectUnauthorized: false,
        ALPNProtocols: ['http/1.1'], ...tlsOpts,
    });
    const reply = collectReply(sock, { timeoutMs, stopWhen });
    sock.on('secureConnect', async () => {
        alpn = sock.alpnProtocol;
        protocol = sock.getProtocol();
        const list = Array.isArray(bytes) ? bytes : [bytes];
        for (const c of list) {
            if (reply.done()) return;
            sock.write(c);
            if (list.length > 1) await new Promise((r) => setTimeout(r, 5));
        }
        if (endAfterWrite) sock.end();
    });
    const r = await reply.result;
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(r.text);
    return { ...r, status: m ? Number(m[1]) : null, alpn, protocol };
}

/** Same over plain TCP (no TLS); resolves {data, text, closedByPeer, error}. */
export function rawTcp(daemon, bytes, { timeoutMs = 3000 } = {}) {
    const sock = net.connect({ host: daemon.host, port: daemon.port });
    sock.on('connect', () => sock.write(bytes));
    return collectReply(sock, { timeoutMs }).result;
}

/** True when the buffer holds a complete HTTP response head (and body, if Content-Length). */
export function httpResponseComplete(buf) {
    const s = buf.toString('latin1');
    const end = s.indexOf('\r\n\r\n');
    if (end < 0) return false;
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(s.slice(0, end));
    if (!m) {
        if (/^HTTP\/1\.[01] (1\d\d|204|304)/.test(s)) return true;
        if (/\r\ntransfer-encoding:\s*chunked/i.test(s.slice(0, end))) return s.endsWith('0\r\n\r\n');
        return false; /* body ends at close */
    }
    return buf.length >= end + 4 + Number(m[1]);
}

/** Attempts a TLS handshake with options; resolves {ok, protocol, alpn, error}. */
export function tlsProbe(daemon, tlsOpts, timeoutMs = 5000) {
    return new Promise((resolve) => {
        const sock = tls.connect({ host: daemon.host, port: daemon.port, rejectUnauthorized: false, ...tlsOpts });
        const timer = setTimeout(() => { sock.destroy(); resolve({ ok: false, error: new Error('timeout') }); }, timeoutMs);
        sock.once('secureConnect', () => {
            clearTimeout(timer);
            const r = { ok: true, protocol: sock.getProtocol(), alpn: sock.alpnProtocol, authorized: sock.authorized };
            sock.destroy();
            resolve(r);
        });
        sock.once('error', (e) => { clearTimeout(timer); sock.destroy(); resolve({ ok: false, error: e }); });
    });
}

/**
 * One client websocket frame as raw bytes (RFC 6455 5.2): opcode, payload (Buffer or
 * string); masked with a random key unless mask is false; fin (default true); announce
 * writes a length other than the payload's (the header claims more than is sent).
 */
export function wsFrame(opcode, payload = Buffer.alloc(0), { mask = true, fin = true, announce } = {}) {
    const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
    const len = announce === undefined ? data.length : announce;
    let head;
    if (len < 126) {
        head = Buffer.from([0, len]);
    } else if (len < 65536) {
        head = Buffer.alloc(4);
        head.writeUInt16BE(len, 2);
        head[1] = 126;
    } else {
        head = Buffer.alloc(10);
        head.writeBigUInt64BE(BigInt(len), 2);
        head[1] = 127;
    }
    head[0] = (fin ? 0x80 : 0) | opcode;
    if (!mask) return Buffer.concat([head, data]);
    head[1] |= 0x80;
    const key = crypto.randomBytes(4);
    const body = Buffer.from(data);
    for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
    return Buffer.concat([head, key, body]);
}

/** The client's masked close frame with code (what a conforming client answers). */
export function wsCloseFrame(code = 1000) {
    const p = Buffer.alloc(2);
    p.writeUInt16BE(code, 0);
    return wsFrame(0x8, p);
}

/**
 * A websocket opened by hand over TLS, for frames no websocket library sends. Frames
 * from the server are parsed into {fin, opcode, payload, at}; a close frame also gets
 * {code, reason}. Test process only.
 */
export class RawWebSocket {
    constructor(sock, head, rest) {
        this.sock = sock;
        this.head = head; // the 101 response's head
        this.buf = rest;
        this.frames = [];
        this.waiters = [];
        this.ended = new Promise((resolve) => {
            const end = () => { this.endedAt = Date.now(); this.wake(); resolve(this.endedAt); };
            sock.once('close', end);
        });
        this.endedAt = null;
        sock.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.parse(); });
        sock.on('error', () => { /* ends in 'close' */ });
        this.parse();
    }

    parse() {
        for (;;) {
            const b = this.buf;
            if (b.length < 2) break;
            let len = b[1] & 0x7f;
            let off = 2;
            if (len === 126) {
                if (b.length < 4) break;
                len = b.readUInt16BE(2);
                off = 4;
            } else if (len === 127) {
                if (b.length < 10) break;
                len = Number(b.readBigUInt64BE(2));
                off = 10;
            }
            if (b.length < off + len) break;
            const f = { fin: !!(b[0] & 0x80), opcode: b[0] & 0x0f, payload: b.subarray(off, off + len), at: Date.now() };
            if (f.opcode === 0x8 && len >= 2) {
                f.code = f.payload.readUInt16BE(0);
                f.reason = f.payload.subarray(2).toString('utf8');
            }
            this.frames.push(f);
            this.buf = b.subarray(off + len);
        }
        this.wake();
    }

    wake() {
        for (const w of this.waiters.splice(0)) w();
    }

    /** Writes raw bytes; resolves once they have been handed to the kernel. */
    send(bytes) {
        return new Promise((resolve, reject) => this.sock.write(bytes, (e) => (e ? reject(e) : resolve())));
    }

    /** The first frame from the server matching pred (frames before it are kept);
     *  rejects after timeoutMs or when the socket ends without one. */
    async next(pred, timeoutMs = 3000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const f = this.frames.find(pred);
            if (f) return f;
            if (this.endedAt) throw new Error('the socket ended without a matching frame');
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms`);
            await new Promise((r) => {
                const t = setTimeout(r, left);
                this.waiters.push(() => { clearTimeout(t); r(); });
            });
        }
    }

    /** The server's close frame ({code, reason, at}). */
    closeFrame(timeoutMs = 3000) { return this.next((f) => f.opcode === 0x8, timeoutMs); }

    /** Resolves true once the socket ended, false after timeoutMs. */
    async endsWithin(timeoutMs) {
        let t;
        const r = await Promise.race([this.ended.then(() => true),
            new Promise((resolve) => { t = setTimeout(() => resolve(false), timeoutMs); })]);
        clearTimeout(t);
        return r;
    }

    destroy() { this.sock.destroy(); }
}

/**
 * Opens a websocket to path on the daemon by hand, as client (its session cookie and
 * Origin), writing `early` (bytes) in the same write as the upgrade request when given.
 * Resolves a RawWebSocket once the server answered 101; rejects with {status, text}
 * when it answered anything else or closed.
 */
export function rawWebSocket(client, path, { protocol, early, timeoutMs = 5000 } = {}) {
    const key = crypto.randomBytes(16).toString('base64');
    const head = [
        `GET ${path} HTTP/1.1`, `Host: ${client.host}:${client.port}`, 'Upgrade: websocket',
        'Connection: Upgrade', `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13',
        `Origin: ${client.origin}`, `Cookie: ${client.cookieHeader()}`,
        ...(protocol ? [`Sec-WebSocket-Protocol: ${protocol}`] : []), '', '',
    ].join('\r\n');
    const sock = tls.connect({ host: client.host, port: client.port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    return new Promise((resolve, reject) => {
        let buf = Buffer.alloc(0);
        const timer = setTimeout(() => { sock.destroy(); reject(new Error('no upgrade answer')); }, timeoutMs);
        const fail = (e) => { clearTimeout(timer); sock.destroy(); reject(e); };
        const onData = (d) => {
            buf = Buffer.concat([buf, d]);
            const end = buf.indexOf('\r\n\r\n');
            if (end < 0) return;
            clearTimeout(timer);
            sock.off('data', onData);
            sock.off('close', onClose);
            const text = buf.subarray(0, end).toString('latin1');
            if (!/^HTTP\/1\.1 101 /.test(text)) {
                fail(Object.assign(new Error(`upgrade refused: ${text.split('\r\n')[0]}`), { status: Number(text.slice(9, 12)), text }));
                return;
            }
            resolve(new RawWebSocket(sock, text, buf.subarray(end + 4)));
        };
        const onClose = () => fail(new Error('closed before the upgrade was answered'));
        sock.on('data', onData);
        sock.on('close', onClose);
        sock.on('error', () => { /* ends in 'close' */ });
        sock.on('secureConnect', () => sock.write(early ? Buffer.concat([Buffer.from(head), early]) : head));
    });
}
