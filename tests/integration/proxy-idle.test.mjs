// tests/integration/proxy-idle.test.mjs — websockets behind a reverse proxy
// (docs/reverse-proxy.md): Debian's nginx, run by hand with the guide's own nginx
// configuration (its first ```nginx block, only its paths and ports replaced; `nginx -t`
// first), proxy_read_timeout 60s, in front of a daemon on test:///default. An events
// websocket through it that carries no message for 3 minutes (no collection is due:
// metrics_interval 3600) stays open, because the daemon pings it every 25 s, and then
// still gets the lifecycle event of a REST action. A client that answers no ping is
// closed by the daemon within about 50 s.
//
// The 3 minutes are waiting, not work: `make check` runs this file in the background,
// next to its other phases (Makefile: IT_BACKGROUND), so it adds no wall time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** The guide's nginx snippet (its first ```nginx block), made to run here: the daemon's
 * port and certificate, nginx on a free loopback port with the daemon's certificate. */
function guideNginxSnippet({ daemonPort, proxyPort, cert, key }) {
    const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'reverse-proxy.md'), 'utf8');
    const m = doc.match(/```nginx\n([\s\S]*?)```/);
    assert.ok(m, 'docs/reverse-proxy.md has an nginx block');
    const swaps = [
        ['listen 443 ssl;', `listen 127.0.0.1:${proxyPort} ssl;`],
        ['https://127.0.0.1:9443', `https://127.0.0.1:${daemonPort}`],
        ['/etc/ssl/certs/virtdeck.example.org.pem', cert],
        ['/etc/ssl/private/virtdeck.example.org.key', key],
        ['/var/lib/virtdeck/tls/virtdeck.crt', cert],
    ];
    let text = m[1];
    for (const [from, to] of swaps) {
        assert.ok(text.includes(from), `the guide's nginx block has "${from}"`);
        text = text.split(from).join(to);
    }
    assert.match(text, /proxy_read_timeout 60s;/, 'the guide keeps the 60 s read timeout this test is about');
    return text;
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
    const proc = spawn('nginx', ['-p', dir, '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (b) => { out += b; });
    proc.stderr.on('data', (b) => { out += b; });
    const exited = new Promise((r) => proc.on('exit', r));
    const logs = () => {
        let err = '';
        try { err = readFileSync(path.join(dir, 'error.log'), 'utf8'); } catch { /* not yet */ }
        return `${out}${err}`;
    };
    // ready once it accepts TCP on its port
    const net = await import('node:net');
    const deadline = Date.now() + 10000;
    for (;;) {
        const ok = await new Promise((r) => {
            const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); });
            s.on('error', () => r(false));
        });
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port}:\n${logs()}`);
        await sleep(100);
    }
    return {
        proc,
        logs,
        async stop() {
            proc.kill('SIGQUIT');
            if (!(await within(exited, 5000))) { proc.kill('SIGKILL'); await exited; }
        },
    };
}

describe('websockets behind nginx with a 60 s read timeout', { concurrency: true }, () => {
    let d;
    let nginx;
    let dir;
    let direct;
    let proxied;
    let uuid;

    before(async () => {
        requireTools('nginx');
        d = await startDaemon({
            // no collection (and so no stats message) is due during the idle wait
            config: { metrics_interval: 3600, metrics_interval_watched: 3600 },
            users: [{ name: 'admin', role: 'admin', password: PW }],
        });
        dir = mkdtempSync(path.join(os.tmpdir(), 'virtdeck-nginx-'));
        const proxyPort = await freePort();
        const cert = path.join(d.stateDir, 'tls', 'virtdeck.crt');
        const key = path.join(d.stateDir, 'tls', 'virtdeck.key');
        nginx = await startNginx(dir, guideNginxSnippet({ daemonPort: d.port, proxyPort, cert, key }), proxyPort);
        // the browser's view: nginx's address is the page's origin; its certificate is
        // the daemon's (pinned)
        proxied = new Client({ url: `https://127.0.0.1:${proxyPort}`, host: '127.0.0.1', port: proxyPort, ca: d.ca });
        await proxied.login('admin', PW).catch((e) => {
            throw new Error(`${e.message}\n--- nginx ---\n${nginx.logs().slice(-3000)}\n--- daemon ---\n${d.logs().slice(-2000)}`);
        });
        direct = new Client(d);
        await direct.login('admin', PW);
        const list = await proxied.get('/api/domains');
        assert.equal(list.status, 200, `GET /api/domains through nginx: ${list.text}`);
        uuid = list.json.domains.find((x) => x.name === 'test').uuid;
    });

    after(async () => {
        if (proxied) proxied.close();
        if (direct) direct.close();
        if (nginx) await nginx.stop();
        if (d) await d.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('an events websocket idle for 3 minutes stays open, pinged, and then gets an event', async (t) => {
        const ev = await proxied.openEvents();
        const pings = [];
        ev.ws.on('ping', () => pings.push(Date.now()));
        await ev.next((m) => m.type === 'snapshot', 5000);
        // the first subscriber's collection (this socket's or the other test's) comes at
        // once, then none for an hour
        await sleep(3000);
        const seen = ev.all.length;
        const t0 = Date.now();
        await sleep(IDLE_MS);
        t.diagnostic(`idle ${((Date.now() - t0) / 1000).toFixed(0)} s; pings at +${pings.map((p) => ((p - t0) / 1000).toFixed(0)).join(', +')} s`);
        assert.equal(ev.closeInfo, null, `the websocket was closed while idle: ${JSON.stringify(ev.closeInfo)}` +
            `\n--- nginx ---\n${nginx.logs().slice(-2000)}`);
        assert.equal(ev.all.length, seen, 'no message came while idle: the socket really was idle');
        assert.ok(pings.length >= Math.floor(IDLE_MS / 1000 / PING_S) - 1,
            `the daemon pinged every ${PING_S} s through nginx (${pings.length} pings in ${IDLE_MS / 1000} s)`);
        const gaps = pings.slice(1).map((p, i) => p - pings[i]);
        assert.ok(gaps.every((g) => g < 60_000), `pings less than nginx's 60 s apart (${gaps.join(', ')} ms)`);
        // still a working socket: a REST action's event arrives
        const wait = ev.next((m) => m.type === 'domain' && m.event === 'suspended' && m.domain.uuid === uuid, 5000);
        const res = await proxied.req('POST', `/api/domains/${uuid}/suspend`);
        assert.equal(res.status, 200, `suspend through nginx: ${res.text}`);
        await wait;
        await ev.close();
    });

    it('a client that answers no ping is closed by the daemon 50 s after the first', async (t) => {
        // by hand, straight to the daemon: no websocket library answers pings for it
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
        assert.match(d.logs(), /closed: no pong to 2 pings/);
        raw.destroy();
    });
});
