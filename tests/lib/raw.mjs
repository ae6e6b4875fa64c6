// tests/lib/raw.mjs — raw TLS / TCP exchanges with the daemon for protocol-level tests
// (malformed requests, ALPN, version checks). Test process only.
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
