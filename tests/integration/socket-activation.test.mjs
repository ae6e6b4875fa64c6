// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/socket-activation.test.mjs — the daemon started as systemd starts a
// socket-activated service (virtdeck.socket), by systemd's own systemd-socket-activate:
// it serves HTTPS, the API and the events websocket on the passed socket and leaves its
// configured listen address alone; the passed socket's connections keep the per-address
// limit and the first-request deadline; a LISTEN_PID naming another process is ignored;
// two passed sockets stop the start with a clear error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { Client } from '../lib/client.mjs';
import { freePort, startDaemon, virtdeckBin } from '../lib/daemon.mjs';

const PW = 'socket-activation-pw';

/** Whether a plain TCP connect to port succeeds. */
function connects(port) {
    return new Promise((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port });
        s.once('connect', () => { s.destroy(); resolve(true); });
        s.once('error', () => resolve(false));
    });
}

/** A TLS connection that says nothing after its handshake; resolves {socket, handshake}
 *  where handshake is true once the server completed it, false if it closed first. */
function idleTls(port) {
    return new Promise((resolve) => {
        const t0 = Date.now();
        const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
        const closed = new Promise((r) => socket.once('close', () => r((Date.now() - t0) / 1000)));
        socket.on('error', () => {});
        socket.once('secureConnect', () => resolve({ socket, handshake: true, closed }));
        socket.once('close', () => resolve({ socket, handshake: false, closed }));
    });
}

describe('socket activation (virtdeck.socket)', () => {
    it('serves the UI, the API and the events websocket on the passed socket, not on listen', async () => {
        const d = await startDaemon({ socketActivate: true, users: [{ name: 'admin', role: 'admin', password: PW }] });
        try {
            assert.notEqual(d.listenArgPort, d.port);
            assert.match(d.logs(), new RegExp(`listening on the socket the service manager passed \\(127\\.0\\.0\\.1 port ${d.port}\\), not on listen = 127\\.0\\.0\\.1:${d.listenArgPort}`));
            assert.equal(await connects(d.listenArgPort), false, 'the configured listen port is not bound');
            const c = new Client(d);
            const page = await c.req('GET', '/', { cookies: false });
            assert.equal(page.status, 200);
            await c.login('admin', PW);
            const list = await c.req('GET', '/api/domains');
            assert.equal(list.status, 200, list.text);
            assert.ok(list.json.domains.some((x) => x.name === 'test'), 'the test driver\'s domain');
            // the Host check knows the passed socket's address as the listen address
            const host = await c.req('GET', '/api/domains', { headers: { host: `127.0.0.1:${d.port}` } });
            assert.equal(host.status, 200);
            const ev = await c.openEvents();
            try {
                await ev.next((m) => m.type === 'snapshot', 5000);
            } finally {
                await ev.close();
            }
            c.close();
        } finally {
            await d.stop();
        }
    });

    it('keeps the per-address connection limit and the first-request deadline', async () => {
        const d = await startDaemon({
            socketActivate: true,
            config: { max_connections_per_address: 3, max_handshakes_per_address: 3, first_request_timeout: 2 },
        });
        const open = [];
        try {
            for (let i = 0; i < 3; i++) {
                const c = await idleTls(d.port);
                open.push(c);
                assert.ok(c.handshake, `connection ${i + 1} of 3 is served`);
            }
            const fourth = await idleTls(d.port);
            open.push(fourth);
            assert.equal(fourth.handshake, false, 'a fourth connection from the address is refused');
            assert.match(d.logs(), /refused 1 connection\(s\) from 127\.0\.0\.1: max_connections_per_address reached/);
            // the three say nothing: each is cut at first_request_timeout (2 s)
            const seconds = await Promise.all(open.slice(0, 3).map((c) => c.closed));
            for (const s of seconds) assert.ok(s >= 1.5 && s < 6, `an idle connection closed after ${s} s (2 s expected)`);
        } finally {
            for (const c of open) c.socket.destroy();
            await d.stop();
        }
    });

    it('ignores LISTEN_FDS meant for another process and listens as configured', async () => {
        const d = await startDaemon({ env: { LISTEN_PID: '1', LISTEN_FDS: '1' } });
        try {
            assert.doesNotMatch(d.logs(), /socket the service manager passed/);
            assert.equal((await new Client(d).req('GET', '/', { cookies: false })).status, 200);
        } finally {
            await d.stop();
        }
    });

    it('refuses to start with two passed sockets, saying why', async () => {
        const [a, b, own] = [await freePort(), await freePort(), await freePort()];
        const p = spawn('systemd-socket-activate', ['-l', `127.0.0.1:${a}`, '-l', `127.0.0.1:${b}`,
            virtdeckBin(), 'serve', '--listen', `127.0.0.1:${own}`, '--uri', 'test:///default',
            '--state-dir', '/nonexistent-virtdeck-state'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        p.stdout.on('data', (x) => { out += x; });
        p.stderr.on('data', (x) => { out += x; });
        const exited = new Promise((r) => p.on('exit', (code) => r(code)));
        try {
            const deadline = Date.now() + 10000;
            while (!/Listening on .* as 4/.test(out)) {
                assert.ok(Date.now() < deadline, `systemd-socket-activate did not listen: ${out}`);
                await new Promise((r) => setTimeout(r, 50));
            }
            await connects(a); // the first connection starts the daemon
            const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('running'), 10000))]);
            assert.equal(code, 1, out);
            assert.match(out, /socket activation: systemd passed 2 sockets; virtdeck serves one/);
        } finally {
            p.kill('SIGKILL');
        }
    });
});
