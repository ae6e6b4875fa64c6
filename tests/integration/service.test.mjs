// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/service.test.mjs — the daemon as a systemd service, without systemd:
// (a) the sd_notify protocol to a NOTIFY_SOCKET the test reads through tests/tools/
// notify_listen (READY=1 with STATUS once listening, WATCHDOG=1 at half of WATCHDOG_USEC,
// RELOADING=1 with MONOTONIC_USEC then READY=1 at SIGHUP, STOPPING=1 at SIGTERM; nothing
// without NOTIFY_SOCKET); (b) SIGHUP rereads the config file and its drop-in directory and
// applies log_level (a debug line appears), session_idle_timeout (every session's expiry,
// those opened before too),
// allowed_origins (a websocket from the new origin is let in) while an events websocket
// opened before stays open; a key that needs a restart is named; a file that no longer
// parses keeps every old value and the daemon stays up. libvirt's test:/// driver only.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, REPO_ROOT } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { until, sleep } from '../lib/wait.mjs';

// The test tools are built next to the daemon under test (build/ or build-asan/).
const TOOLS_DIR = path.join(path.dirname(process.env.VIRTDECK_BIN || path.join(REPO_ROOT, 'build', 'virtdeck')), 'tools');
const ADMIN = { name: 'admin', role: 'admin', password: 'service-test-pass-1' };

/** Starts notify_listen on a fresh socket path; messages() lists the datagrams so far. */
async function notifyListener() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-notify-'));
    const socket = path.join(dir, 'notify.sock');
    const proc = spawn(path.join(TOOLS_DIR, 'notify_listen'), [socket], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (d) => { out += d; });
    await until(() => out.startsWith('listening\n'), 5000, () => 'notify_listen bound');
    return {
        socket,
        messages: () => out.split('\n').slice(1).filter((l) => l),
        stop() { proc.kill('SIGTERM'); fs.rmSync(dir, { recursive: true, force: true }); },
    };
}

describe('sd_notify', () => {
    it('READY with STATUS, WATCHDOG at half the period, RELOADING then READY at SIGHUP, STOPPING at SIGTERM', async () => {
        const n = await notifyListener();
        after(() => n.stop());
        const d = await startDaemon({ env: { NOTIFY_SOCKET: n.socket, WATCHDOG_USEC: '1000000' } });
        try {
            await until(() => n.messages().some((m) => m.startsWith('READY=1')), 5000, () => 'READY=1');
            const ready = n.messages().find((m) => m.startsWith('READY=1'));
            assert.equal(ready, `READY=1 STATUS=serving https://127.0.0.1:${d.port}/`);
            // 1 s watchdog: WATCHDOG=1 every 0.5 s (from the 250 ms housekeeping tick)
            const before = n.messages().filter((m) => m === 'WATCHDOG=1').length;
            await sleep(2100);
            const fed = n.messages().filter((m) => m === 'WATCHDOG=1').length - before;
            assert.ok(fed >= 2 && fed <= 6, `WATCHDOG=1 ${fed} times in 2.1 s, expected about 4`);

            const seen = n.messages().length;
            process.kill(d.pid, 'SIGHUP');
            await until(() => n.messages().slice(seen).some((m) => m === 'READY=1'), 5000, () => 'READY=1 after SIGHUP');
            const reload = n.messages().slice(seen).filter((m) => m !== 'WATCHDOG=1');
            assert.match(reload[0], /^RELOADING=1 MONOTONIC_USEC=\d+$/);
            const usec = Number(reload[0].split('=')[2]);
            const nowUsec = Number(process.hrtime.bigint() / 1000n); // CLOCK_MONOTONIC too
            assert.ok(Math.abs(nowUsec - usec) < 10e6, `MONOTONIC_USEC ${usec} far from now ${nowUsec}`);
            assert.equal(reload[1], 'READY=1');
        } finally {
            await d.stop();
        }
        await until(() => n.messages().includes('STOPPING=1'), 2000, () => 'STOPPING=1');
        assert.equal(n.messages().filter((m) => m === 'STOPPING=1').length, 1);
    });

    it('sends nothing and keeps serving without NOTIFY_SOCKET', async () => {
        const n = await notifyListener();
        after(() => n.stop());
        const d = await startDaemon({ env: { NOTIFY_SOCKET: '', WATCHDOG_USEC: '1000000' } });
        await sleep(700);
        process.kill(d.pid, 'SIGHUP');
        await sleep(300);
        await d.stop();
        assert.deepEqual(n.messages(), []);
    });
});

describe('SIGHUP reload', () => {
    it('applies log_level, session_idle_timeout and allowed_origins from the file and its drop-ins without dropping a websocket', async () => {
        const d = await startDaemon({ users: [ADMIN], config: { log_level: 'info', session_idle_timeout: 900 } });
        const conf = path.join(d.stateDir, 'virtdeck.conf');
        const c = new Client(d);
        try {
            await c.login(ADMIN.name, ADMIN.password);
            const events = await c.openEvents();
            const stranger = 'https://console.example.net';
            await assert.rejects(c.openEvents({ origin: stranger }), (e) => e.status === 403);
            const first = await c.login(ADMIN.name, ADMIN.password);
            const left0 = first.json.expires_at - Date.now() / 1000;
            assert.ok(left0 > 850, `before: a session lasts ${left0} s`);
            // a libvirt error is logged at debug: nothing at info
            await c.get('/api/domains/00000000-0000-4000-8000-000000000001');
            await sleep(200);
            assert.doesNotMatch(d.logs(), /virtdeck\[debug\]/);

            fs.writeFileSync(conf, 'log_level = debug\nsession_idle_timeout = 60\nworkers = 3\n');
            fs.mkdirSync(`${conf}.d`);
            fs.writeFileSync(path.join(`${conf}.d`, '50-origins.conf'), `allowed_origins = ${stranger}\n`);
            process.kill(d.pid, 'SIGHUP');
            await until(() => /SIGHUP: configuration reloaded/.test(d.logs()), 5000, () => 'the reload line');
            assert.match(d.logs(), /SIGHUP: configuration reloaded; applied: session_idle_timeout, allowed_origins, log_level\n/);
            assert.match(d.logs(), /SIGHUP: changed but only applied by a restart: workers\n/);

            await c.get('/api/domains/00000000-0000-4000-8000-000000000001');
            await until(() => /virtdeck\[debug\]/.test(d.logs()), 3000, () => 'a debug line');
            const second = await c.login(ADMIN.name, ADMIN.password);
            const left1 = second.json.expires_at - Date.now() / 1000;
            assert.ok(left1 > 50 && left1 <= 61, `after: a session lasts ${left1} s`);
            // the sessions opened before the reload are judged by the new timeout too
            const listed = await c.get('/api/account/sessions');
            assert.equal(listed.status, 200);
            assert.ok(listed.json.sessions.length >= 3);
            for (const s of listed.json.sessions) {
                const left = s.expires_at - Date.now() / 1000;
                assert.ok(left <= 61, `session ${s.id} still lasts ${left} s`);
            }
            const other = await c.openEvents({ origin: stranger });
            other.ws.close();

            // a broken file: every old value kept, still serving, the error names file:line
            fs.writeFileSync(path.join(`${conf}.d`, '60-broken.conf'), '# x\nlog_level = loud\n');
            process.kill(d.pid, 'SIGHUP');
            await until(() => /configuration not reloaded/.test(d.logs()), 5000, () => 'the refusal');
            assert.match(d.logs(), /SIGHUP: configuration not reloaded, every old value kept: .*60-broken\.conf:2: log_level/);
            const third = await c.login(ADMIN.name, ADMIN.password);
            assert.ok(third.json.expires_at - Date.now() / 1000 <= 61, 'the reloaded timeout stays');

            assert.equal(events.closeInfo, null, 'the websocket opened before the reloads is still open');
            assert.equal(events.ws.readyState, 1);
            events.ws.close();
        } finally {
            c.close();
            await d.stop();
        }
    });
});

describe('journald', () => {
    // stderr is a file that JOURNAL_STREAM names, as systemd sets it for a service. This
    // machine has no journal socket (/run/systemd/journal/socket): the daemon falls back
    // to journald's "<priority>message" lines, without its own timestamps. (The native
    // entries' fields are checked in tests/unit/test_journal.c with a local reader.)
    it('writes <priority>message lines when stderr is the journal stream and the journal is unreachable', async (t) => {
        if (fs.existsSync('/run/systemd/journal/socket')) {
            t.skip('a real journal listens here: the entries would go to it');
            return;
        }
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-journal-'));
        const errFile = path.join(dir, 'stderr');
        fs.writeFileSync(errFile, '');
        const st = fs.statSync(errFile, { bigint: true });
        const d = await startDaemon({
            users: [ADMIN],
            env: { JOURNAL_STREAM: `${st.dev}:${st.ino}` },
            prefix: ['sh', '-c', `exec "$0" "$@" 2>>'${errFile}'`],
        });
        const c = new Client(d);
        try {
            await c.login(ADMIN.name, ADMIN.password);
            const bad = await c.req('POST', '/api/login', { body: { username: ADMIN.name, password: 'wrong-password-1' }, cookies: false, csrf: false });
            assert.equal(bad.status, 401);
        } finally {
            c.close();
            await d.stop();
        }
        const text = fs.readFileSync(errFile, 'utf8');
        fs.rmSync(dir, { recursive: true, force: true });
        assert.match(text, /^<6>auth: admin logged in from 127\.0\.0\.1$/m);
        assert.match(text, /^<4>auth: login of admin from 127\.0\.0\.1 failed: invalid username or password$/m);
        assert.match(text, /^<6>shutting down$/m);
        for (const line of text.split('\n').filter((l) => l)) assert.match(line, /^<[3467]>\S/, `a line without its priority: ${line}`);
    });
});
