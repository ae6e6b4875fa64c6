// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/proxy-idle.test.mjs — websockets behind a reverse proxy
// (docs/reverse-proxy.md): Debian's nginx and Apache, each run by hand with the guide's
// own configuration (its first ```nginx / ```apache block, only paths and ports
// replaced; `nginx -t` / `apache2 -t` first), a 60 s read timeout (proxy_read_timeout
// 60s; ProxyPass timeout=60), each in front of a daemon of its own on test:///default.
// An events websocket through each that carries no message for 3 minutes (no
// collection is due: metrics_interval 3600) stays open, because the daemon pings it
// every 25 s, and then still gets the lifecycle event of a REST action. A client that
// answers no ping is closed by the daemon 50 s after its first unanswered ping.
// Without the ping (HTTP_WS_PING_S 300) nginx cuts the idle socket after 60 s
// ("upstream timed out ... while proxying upgraded connection").
//
// The 3 minutes are waiting, not work: `make check` runs this file in the background,
// next to its other phases (Makefile: IT_BACKGROUND), so it adds no wall time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, REPO_ROOT, startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { rawWebSocket } from '../lib/raw.mjs';
import { requireTools } from '../lib/tools.mjs';
import { sleep, within } from '../lib/wait.mjs';

const PW = 'admin-pass-proxy-1';
const IDLE_MS = 180_000; // the 3 minutes: three of nginx's 60 s read timeouts
const PING_S = 25; // server/http/http_server.c HTTP_WS_PING_S

/** The guide's first ```lang block, made to run here (each [from, to] of swaps, which
 * must all be in it). */
function guideBlock(lang, swaps) {
    const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'reverse-proxy.md'), 'utf8');
    const m = doc.match(new RegExp('```' + lang + '\\n([\\s\\S]*?)```'));
    assert.ok(m, `docs/reverse-proxy.md has a ${lang} block`);
    let text = m[1];
    for (const [from, to] of swaps) {
        assert.ok(text.includes(from), `the guide's ${lang} block has "${from}"`);
        text = text.split(from).join(to);
    }
    return text;
}

/** The guide's nginx snippet: the daemon's port and certificate, nginx on a free
 * loopback port with the daemon's certificate. */
function guideNginxSnippet({ daemonPort, proxyPort, cert, key }) {
    const text = guideBlock('nginx', [
        ['listen 443 ssl;', `listen 127.0.0.1:${proxyPort} ssl;`],
        ['https://127.0.0.1:9443', `https://127.0.0.1:${daemonPort}`],
        ['/etc/ssl/certs/virtdeck.example.org.pem', cert],
        ['/etc/ssl/private/virtdeck.example.org.key', key],
        ['/var/lib/virtdeck/tls/virtdeck.crt', cert],
    ]);
    assert.match(text, /proxy_read_timeout 60s;/, 'the guide keeps the 60 s read timeout this test is about');
    return text;
}

/** The guide's Apache virtual host, likewise. */
function guideApacheSnippet({ daemonPort, proxyPort, cert, key }) {
    const text = guideBlock('apache', [
        ['<VirtualHost *:443>', `<VirtualHost 127.0.0.1:${proxyPort}>`],
        ['https://127.0.0.1:9443/', `https://127.0.0.1:${daemonPort}/`],
        ['/etc/ssl/certs/virtdeck.example.org.pem', cert],
        ['/etc/ssl/private/virtdeck.example.org.key', key],
        ['/etc/apache2/virtdeck-backend.crt', cert],
    ]);
    assert.match(text, /upgrade=websocket timeout=60/, 'the guide keeps the 60 s timeout this test is about');
    return text;
}

/** Resolves once something accepts TCP on 127.0.0.1:port; throws after 10 s. */
async function listening(port, logs) {
    const deadline = Date.now() + 10000;
    for (;;) {
        const ok = await new Promise((r) => {
            const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); });
            s.on('error', () => r(false));
        });
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`nothing listens on ${port}:\n${logs()}`);
        await sleep(100);
    }
}

/** Runs a proxy in the foreground; returns {logs(), stop()}. */
function runProxy(cmd, args, errorLog) {
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (b) => { out += b; });
    proc.stderr.on('data', (b) => { out += b; });
    const exited = new Promise((r) => proc.on('exit', r));
    return {
        logs() {
            let err = '';
            try { err = readFileSync(errorLog, 'utf8'); } catch { /* not yet */ }
            return `${out}${err}`;
        },
        async stop() {
            proc.kill('SIGTERM');
            if (!(await within(exited, 5000))) { proc.kill('SIGKILL'); await exited; }
        },
    };
}

/** Starts Apache (apache2 -X: one process, foreground, its files under dir) with the
 * guide's virtual host, after `apache2 -t` on it. */
async function startApache(dir, vhost, port) {
    const mods = ['mpm_event', 'authz_core', 'ssl', 'proxy', 'proxy_http', 'proxy_wstunnel', 'headers',
        'rewrite', 'socache_shmcb'];
    const conf = path.join(dir, 'apache2.conf');
    writeFileSync(conf, [
        'ServerName localhost',
        `DefaultRuntimeDir ${dir}`,
        `PidFile ${dir}/apache2.pid`,
        `ErrorLog ${dir}/apache-error.log`,
        'LogLevel info',
        // ignored unless run as root, where the one process drops to it
        'User nobody',
        'Group nogroup',
        `Listen 127.0.0.1:${port}`,
        ...mods.map((m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`),
        vhost,
        '',
    ].join('\n'));
    const t = spawnSync('apache2', ['-t', '-f', conf], { encoding: 'utf8' });
    assert.equal(t.status, 0, `apache2 -t on the guide's configuration:\n${t.stderr}`);
    const p = runProxy('apache2', ['-X', '-f', conf], path.join(dir, 'apache-error.log'));
    await listening(port, p.logs);
    return p;
}

/** Starts nginx (foreground, its own files under dir) with the http-context snippet.
 * Returns {proc, logs(), stop()}. */
async function startNginx(dir, snippet, port) {
    for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, d), { recursive: true });
    const conf = path.join(dir, 'nginx.conf');
    writeFileSync(conf, [
        'daemon off;',
        'worker_processes 1;',
        `pid ${dir}/nginx.pid;`,
        `error_log ${dir}/error.log info;`,
        'events { worker_connections 64; }',
        'http {',
        `    access_log ${dir}/access.log;`,
        `    client_body_temp_path ${dir}/body;`,
        `    proxy_temp_path ${dir}/proxy;`,
        `    fastcgi_temp_path ${dir}/fastcgi;`,
        `    uwsgi_temp_path ${dir}/uwsgi;`,
        `    scgi_temp_path ${dir}/scgi;`,
        snippet,
        '}',
        '',
    ].join('\n'));
    const t = spawnSync('nginx', ['-t', '-p', dir, '-c', conf], { encoding: 'utf8' });
    assert.equal(t.status, 0, `nginx -t on the guide's configuration:\n${t.stderr}`);
    const p = runProxy('nginx', ['-p', dir, '-c', conf], path.join(dir, 'error.log'));
    await listening(port, p.logs);
    return p;
}

/** A daemon of its own (no collection due during the idle wait: metrics_interval 3600)
 * behind a proxy `kind` ('nginx' or 'apache') running the guide's configuration, and a
 * client logged in through the proxy. Returns {d, proxy, client, uuid, dir, stop()}. */
async function behindProxy(kind) {
    const d = await startDaemon({
        config: { metrics_interval: 3600, metrics_interval_watched: 3600 },
        users: [{ name: 'admin', role: 'admin', password: PW }],
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), `virtdeck-${kind}-`));
    const proxyPort = await freePort();
    const files = {
        daemonPort: d.port, proxyPort,
        cert: path.join(d.stateDir, 'tls', 'virtdeck.crt'),
        key: path.join(d.stateDir, 'tls', 'virtdeck.key'),
    };
    const proxy = kind === 'nginx'
        ? await startNginx(dir, guideNginxSnippet(files), proxyPort)
        : await startApache(dir, guideApacheSnippet(files), proxyPort);
    // the browser's view: the proxy's address is the page's origin; its certificate is
    // the daemon's (pinned)
    const client = new Client({ url: `https://127.0.0.1:${proxyPort}`, host: '127.0.0.1', port: proxyPort, ca: d.ca });
    await client.login('admin', PW).catch((e) => {
        throw new Error(`${e.message}\n--- ${kind} ---\n${proxy.logs().slice(-3000)}\n--- daemon ---\n${d.logs().slice(-2000)}`);
    });
    const list = await client.get('/api/domains');
    assert.equal(list.status, 200, `GET /api/domains through ${kind}: ${list.text}`);
    const uuid = list.json.domains.find((x) => x.name === 'test').uuid;
    return {
        d, proxy, client, uuid,
        async stop() {
            client.close();
            await proxy.stop();
            await d.stop();
            rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** Opens an events websocket through the proxy, keeps it idle for IDLE_MS, asserts it
 * stayed open and silent, was pinged often enough, and still carries an event. */
async function idleThrough(t, kind, { client, uuid, proxy }) {
    const ev = await client.openEvents();
    const pings = [];
    ev.ws.on('ping', () => pings.push(Date.now()));
    await ev.next((m) => m.type === 'snapshot', 5000);
    // the first subscriber's collection comes at once, then none for an hour: wait for
    // 3 s without a message (a loaded machine may deliver that collection late)
    let seen;
    do {
        seen = ev.all.length;
        await sleep(3000);
    } while (ev.all.length !== seen);
    const t0 = Date.now();
    await sleep(IDLE_MS);
    t.diagnostic(`${kind}: idle ${((Date.now() - t0) / 1000).toFixed(0)} s; pings at ` +
        `+${pings.map((p) => ((p - t0) / 1000).toFixed(0)).join(', +')} s`);
    assert.equal(ev.closeInfo, null, `the websocket was closed while idle: ${JSON.stringify(ev.closeInfo)}` +
        `\n--- ${kind} ---\n${proxy.logs().slice(-2000)}`);
    assert.equal(ev.all.length, seen, 'no message came while idle: the socket really was idle');
    assert.ok(pings.length >= Math.floor(IDLE_MS / 1000 / PING_S) - 1,
        `the daemon pinged every ${PING_S} s through ${kind} (${pings.length} pings in ${IDLE_MS / 1000} s)`);
    const gaps = pings.slice(1).map((p, i) => p - pings[i]);
    assert.ok(gaps.every((g) => g < 60_000), `pings less than the proxy's 60 s apart (${gaps.join(', ')} ms)`);
    // still a working socket: a REST action's event arrives
    const wait = ev.next((m) => m.type === 'domain' && m.event === 'suspended' && m.domain.uuid === uuid, 5000);
    const res = await client.req('POST', `/api/domains/${uuid}/suspend`);
    assert.equal(res.status, 200, `suspend through ${kind}: ${res.text}`);
    await wait;
    await ev.close();
}

describe('websockets behind a reverse proxy with a 60 s read timeout', { concurrency: true }, () => {
    let nginx;
    let apache;

    before(async () => {
        requireTools('nginx', 'apache2');
        [nginx, apache] = await Promise.all([behindProxy('nginx'), behindProxy('apache')]);
    });

    after(async () => {
        await Promise.all([nginx, apache].filter(Boolean).map((x) => x.stop()));
    });

    it('through nginx, an events websocket idle for 3 minutes stays open, pinged, then gets an event',
        (t) => idleThrough(t, 'nginx', nginx));

    it('through Apache, an events websocket idle for 3 minutes stays open, pinged, then gets an event',
        (t) => idleThrough(t, 'apache', apache));

    it('a client that answers no ping is closed by the daemon 50 s after the first', async (t) => {
        // by hand, straight to a daemon: no websocket library answers pings for it
        const direct = new Client(nginx.d);
        await direct.login('admin', PW);
        const raw = await rawWebSocket(direct, '/api/events');
        const t0 = Date.now();
        const ping = await raw.next((f) => f.opcode === 0x9, (PING_S + 5) * 1000);
        t.diagnostic(`first ping after ${Date.now() - t0} ms`);
        assert.ok(Date.now() - t0 >= (PING_S - 2) * 1000, 'no ping before the interval');
        assert.equal(ping.payload.length, 8, 'the ping carries 8 bytes (an empty pong reaches no lws callback)');
        const ended = await raw.endsWithin((3 * PING_S + 10) * 1000);
        t.diagnostic(`closed ${raw.endedAt - t0} ms after the upgrade`);
        assert.ok(ended, 'the daemon closed the silent client');
        assert.ok(raw.endedAt - t0 >= 2 * PING_S * 1000 - 2000, `not before two pings went unanswered (${raw.endedAt - t0} ms)`);
        assert.match(nginx.d.logs(), /closed: no pong to 2 pings/);
        raw.destroy();
        direct.close();
    });
});
