// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/lan-exposure.test.mjs — what a host on the same LAN can do to the
// daemon before it logs in: reach it on an address it was not told to listen on, hold
// its connections with idle sockets and half TLS handshakes, point a rebound DNS name
// at it (Host header), have its answers cached, or smuggle control characters into
// names. Each case is a defect found when virtdeck was tried as an attacker would.
// Other loopback addresses (127.0.0.2, ...) stand in for other hosts; all traffic stays
// on loopback.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { freePort, startDaemon, virtdeckBin } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { rawTls } from '../lib/raw.mjs';
import { requireTools } from '../lib/tools.mjs';
import { sleep } from '../lib/wait.mjs';

const PW = 'lan-exposure-pass-1';

/** Resolves 'connected' or the error code of a plain TCP connect to host:port. */
function tcpConnect(host, port, localAddress) {
    return new Promise((resolve) => {
        const s = net.connect({ host, port, localAddress });
        s.setTimeout(2000, () => { s.destroy(); resolve('timeout'); });
        s.once('connect', () => { s.destroy(); resolve('connected'); });
        s.once('error', (e) => resolve(e.code));
    });
}

/** The local addresses ss reports listening on port. */
function listeners(port) {
    const r = spawnSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim().split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/)[3]);
}

/** Milliseconds until a fresh TLS connection from 127.0.0.1 gets an answer to
 * GET path with the client's cookie (no keep-alive: every probe connects anew). */
async function timedFreshRequest(d, cookie, reqPath) {
    const t0 = Date.now();
    const r = await rawTls(d, `GET ${reqPath} HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\n` +
        `Cookie: ${cookie}\r\nConnection: close\r\n\r\n`, { timeoutMs: 15000 });
    return { ms: Date.now() - t0, status: r.status };
}

describe('the listen address', () => {
    before(() => requireTools('ss'));

    it('--listen 127.0.0.1:P binds only 127.0.0.1: 127.0.0.2:P is refused', async () => {
        const d = await startDaemon({ users: [{ name: 'admin', role: 'admin', password: PW }] });
        try {
            assert.deepEqual(listeners(d.port), [`127.0.0.1:${d.port}`], 'ss -ltn');
            assert.equal(await tcpConnect('127.0.0.1', d.port), 'connected');
            assert.equal(await tcpConnect('127.0.0.2', d.port), 'ECONNREFUSED',
                'the daemon answered on an address it was not told to listen on');
        } finally {
            await d.stop();
        }
    });

    it('--listen [::1]:P binds only ::1 (an IPv6 listen address)', async () => {
        const port = await freePort();
        const state = mkdtempSync(path.join(os.tmpdir(), 'virtdeck-v6-'));
        // started by hand: startDaemon waits for 127.0.0.1, where this one must not be
        const proc = spawn(virtdeckBin(), ['serve', '--listen', `[::1]:${port}`, '--uri', 'test:///default',
            '--state-dir', state], { stdio: 'ignore' });
        const exited = new Promise((resolve) => proc.on('exit', resolve));
        try {
            const deadline = Date.now() + 10000;
            while (!listeners(port).length && Date.now() < deadline) await sleep(100);
            assert.deepEqual(listeners(port), [`[::1]:${port}`], 'ss -ltn');
            assert.equal(await tcpConnect('::1', port), 'connected');
            assert.equal(await tcpConnect('127.0.0.1', port), 'ECONNREFUSED');
        } finally {
            proc.kill('SIGTERM');
            await exited;
            rmSync(state, { recursive: true, force: true });
        }
    });
});

describe('connection floods from one address', () => {
    let d;
    let user;

    before(async () => {
        d = await startDaemon({
            users: [{ name: 'admin', role: 'admin', password: PW }],
            config: { first_request_timeout: 2, max_connections_per_address: 64, max_handshakes_per_address: 16 },
        });
        user = new Client(d);
        await user.login('admin', PW);
    });
    after(async () => {
        user?.close();
        await d?.stop();
    });

    it('3,000 idle connections and 500 half handshakes from 127.0.0.2 leave a user on 127.0.0.1 answered within 1 s', async () => {
        let stop = false;
        let opened = 0;
        const live = new Set();
        // each attacker socket is reopened as soon as the server drops it, as in the report
        const attack = (hello) => {
            if (stop) return;
            const s = net.connect({ host: '127.0.0.1', port: d.port, localAddress: '127.0.0.2' });
            live.add(s);
            s.on('connect', () => {
                opened += 1;
                // a TLS record header announcing a ClientHello, then nothing
                if (hello) s.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc]));
            });
            s.on('error', () => {});
            // (20 ms apart, so that a refused socket does not spin the test's own loop)
            s.on('close', () => { live.delete(s); setTimeout(() => attack(hello), 20); });
        };
        for (let i = 0; i < 3000; i++) attack(false);
        for (let i = 0; i < 500; i++) attack(true);
        try {
            const deadline = Date.now() + 15000;
            while (opened < 3500 && Date.now() < deadline) await sleep(50);
            assert.ok(opened >= 3500, `the attacker opened ${opened} connections`);
            const times = [];
            for (let i = 0; i < 8; i++) {
                const r = await timedFreshRequest(d, `virtdeck_session=${user.sessionCookie}`, '/api/domains');
                assert.equal(r.status, 200, `request ${i} during the flood`);
                times.push(r.ms);
                await sleep(150); // a sampling interval: the 8 probes spread over the flood
            }
            assert.ok(Math.max(...times) < 1000, `answers during the flood took ${times.join(', ')} ms`);
        } finally {
            stop = true;
            for (const s of live) s.destroy();
        }
    });

    it('a connection that sends nothing is closed after first_request_timeout', async () => {
        const t0 = Date.now();
        const end = await new Promise((resolve) => {
            const s = tls.connect({ host: '127.0.0.1', port: d.port, localAddress: '127.0.0.3', rejectUnauthorized: false });
            s.on('error', () => {});
            s.setTimeout(10000, () => { s.destroy(); resolve('still open after 10 s'); });
            s.on('close', () => resolve('closed'));
        });
        const ms = Date.now() - t0;
        assert.equal(end, 'closed');
        assert.ok(ms >= 1500 && ms < 4500, `closed after ${ms} ms (first_request_timeout = 2 s)`);
    });

    it('more than max_connections_per_address open connections from one address are refused at once', async () => {
        const socks = [];
        try {
            // 64 connections that each made a request and stay open (keep-alive)
            for (let i = 0; i < 64; i++) {
                const s = tls.connect({ host: '127.0.0.1', port: d.port, localAddress: '127.0.0.4', rejectUnauthorized: false });
                socks.push(s);
                s.on('error', () => {});
                await new Promise((resolve, reject) => {
                    s.once('secureConnect', () => s.write(`GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
                    s.once('data', () => resolve());
                    s.once('close', () => reject(new Error(`connection ${i} closed early`)));
                });
            }
            const extra = await rawTls({ host: '127.0.0.1', port: d.port },
                'GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
                { tlsOpts: { localAddress: '127.0.0.4' }, timeoutMs: 3000 });
            assert.equal(extra.status, null, 'the 65th connection from one address got an answer');
            assert.ok(extra.closedByPeer || extra.error, 'the 65th connection was not closed');
            // another address is not affected
            const other = await rawTls({ host: '127.0.0.1', port: d.port },
                'GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
                { tlsOpts: { localAddress: '127.0.0.5' } });
            assert.equal(other.status, 401);
        } finally {
            for (const s of socks) s.destroy();
        }
    });
});

/** GET path with the given Host header over a raw TLS connection (node's own client
 * would check the certificate against that name). Resolves {status, json}. */
async function getWithHost(d, client, host, reqPath) {
    const r = await rawTls(d, `GET ${reqPath} HTTP/1.1\r\nHost: ${host}\r\nCookie: ${client.cookieHeader()}\r\n` +
        'Connection: close\r\n\r\n', { timeoutMs: 5000 });
    const body = r.text.slice(r.text.indexOf('\r\n\r\n') + 4);
    let json = null;
    try { json = JSON.parse(body); } catch { /* not JSON */ }
    return { status: r.status, json, text: r.text };
}

describe('Host header, caching and control characters', () => {
    let d;
    let admin;

    before(async () => {
        d = await startDaemon({
            users: [{ name: 'admin', role: 'admin', password: PW }],
            config: { server_names: 'virtdeck.example.test, Console.Example.Test.' },
        });
        admin = new Client(d);
        await admin.login('admin', PW);
    });
    after(async () => {
        admin?.close();
        await d?.stop();
    });

    it('a Host that names another server gets 421 on the API, the UI and websockets (DNS rebinding)', async () => {
        for (const host of ['rebind.attacker.example', `rebind.attacker.example:${d.port}`, '10.1.2.3', '[fe80::1]']) {
            for (const p of ['/api/session', '/api/domains', '/']) {
                const r = await getWithHost(d, admin, host, p);
                assert.equal(r.status, 421, `${host} ${p}: ${r.text}`);
                assert.equal(r.json?.error?.code, 'misdirected_request', `${host} ${p}`);
            }
        }
        const raw = await rawTls(d, `GET /api/events HTTP/1.1\r\nHost: rebind.attacker.example\r\n` +
            `Origin: https://rebind.attacker.example\r\nCookie: ${admin.cookieHeader()}\r\nUpgrade: websocket\r\n` +
            'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
        assert.equal(raw.status, 421, raw.text);
    });

    it('the listen address, localhost, the host name and server_names are answered', async () => {
        const hostname = os.hostname();
        for (const host of [`127.0.0.1:${d.port}`, 'localhost', `localhost:${d.port}`, 'LOCALHOST.', hostname,
            'virtdeck.example.test', 'console.example.test:443', '[::1]:9443']) {
            const r = await getWithHost(d, admin, host, '/api/session');
            assert.equal(r.status, 200, `${host}: ${r.text}`);
        }
    });

    it('every JSON answer carries Cache-Control: no-store; the UI files keep their own policy', async () => {
        const answers = [
            await admin.get('/api/session'),
            await admin.get('/api/domains'),
            await admin.get('/api/nope'),
            await admin.post('/api/domains/not-a-uuid/start'),
            await new Client(d).get('/api/domains'),
        ];
        for (const r of answers) {
            assert.match(r.headers['content-type'], /application\/json/);
            assert.equal(r.headers['cache-control'], 'no-store', `${r.status} ${r.text}`);
        }
        const index = await admin.get('/');
        assert.equal(index.status, 200);
        assert.notEqual(index.headers['cache-control'], 'no-store');
        assert.ok(index.headers['cache-control'], 'the UI has a cache policy');
    });

    it('a JSON string with a NUL or another control character is a 400, and creates nothing', async () => {
        const vols = async () => assertJson(await admin.get('/api/pools/default-pool/volumes'), 200, 'volumes')
            .volumes.map((v) => v.name).sort();
        const before = await vols();
        const bodies = [
            { name: 'v\u0000/../../etc/shadow', capacity_bytes: 1048576, format: 'raw' },
            { name: 'vdtest-nul', capacity_bytes: 1048576, format: 'qcow2', backing: { volume: 'x\u0000/../../etc/shadow' } },
            { name: 'vdtest-\u0007bell', capacity_bytes: 1048576, format: 'raw' },
            { name: 'vdtest-line\nbreak', capacity_bytes: 1048576, format: 'raw' },
            { name: 'vdtest-c1\u0085', capacity_bytes: 1048576, format: 'raw' },
        ];
        for (const body of bodies) {
            const r = await admin.post('/api/pools/default-pool/volumes', body);
            assertError(r, 400, 'bad_request', JSON.stringify(body));
            assert.match(r.json.error.message, /control character/);
        }
        // raw bytes that are not UTF-8
        assertError(await admin.post('/api/pools/default-pool/volumes',
            Buffer.from('{"name":"vdtest-\xff","capacity_bytes":1048576,"format":"raw"}', 'latin1'), { raw: true }), 400, 'bad_request');
        assert.deepEqual(await vols(), before, 'a refused request created a volume');
        // everywhere: a key with a NUL, the login, a network
        assertError(await admin.post('/api/pools/default-pool/volumes',
            '{"na\\u0000me":"v","capacity_bytes":1}', { raw: true, headers: { 'Content-Type': 'application/json' } }), 400, 'bad_request');
        assertError(await new Client(d).post('/api/login', { username: 'admin\u0000', password: PW }), 400, 'bad_request');
        assertError(await admin.post('/api/networks', { name: 'vdtest-n\u0000et', mode: 'isolated' }), 400, 'bad_request');
    });
});
