// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/daemon.mjs — starts and stops a real virtdeck daemon for node:test suites.
// Owns: a fresh state directory per daemon, user creation through the CLI, a free
// loopback port, readiness (first successful TLS handshake) and a clean SIGTERM stop.
// Runs in the test process; every daemon it starts is killed if the process exits.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { within } from './wait.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_URI = 'test:///default';

/** Path of the daemon binary: $VIRTDECK_BIN or build/virtdeck in the repository. */
export function virtdeckBin() {
    return process.env.VIRTDECK_BIN || path.join(REPO_ROOT, 'build', 'virtdeck');
}

/** --web-root $VIRTDECK_WEB_ROOT for every daemon started here, when it is set. */
const WEB_ROOT_ARGS = process.env.VIRTDECK_WEB_ROOT ? ['--web-root', process.env.VIRTDECK_WEB_ROOT] : [];

const live = new Set();
process.on('exit', () => {
    for (const proc of live) {
        try { proc.kill('SIGKILL'); } catch { /* already gone */ }
    }
});

/** Runs the CLI synchronously. Returns {status, stdout, stderr}. */
export function runCli(args, { input = '', env = {}, timeoutMs = 15000 } = {}) {
    const r = spawnSync(virtdeckBin(), args, {
        input,
        env: { ...process.env, ...env },
        encoding: 'utf8',
        timeout: timeoutMs,
    });
    if (r.error) throw r.error;
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Creates a user with `virtdeck user add` (password on stdin). Throws on failure. */
export function addUser(stateDir, { name, role = 'admin', password }) {
    const r = runCli(['user', 'add', name, '--role', role, '--state-dir', stateDir],
        { input: `${password}\n` });
    if (r.status !== 0) {
        throw new Error(`virtdeck user add ${name} failed (exit ${r.status}, signal ${r.signal}):\n` +
            `${r.stdout}${r.stderr}`);
    }
    return r;
}

/** A free TCP port on 127.0.0.1 (bound to port 0, then released). */
export function freePort(host = '127.0.0.1') {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on('error', reject);
        srv.listen(0, host, () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

function tryTls(host, port) {
    return new Promise((resolve) => {
        const sock = tls.connect({ host, port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
        const done = (ok) => { sock.destroy(); resolve(ok); };
        sock.setTimeout(1000, () => done(false));
        sock.once('secureConnect', () => done(true));
        sock.once('error', () => done(false));
    });
}

/**
 * Under ASan (make test-asan sets ASAN_OPTIONS), a daemon on a real libvirt records its
 * allocation stacks with the slow unwinder (fast_unwind_on_malloc=0), which walks through
 * libvirt's and GLib's frames: libvirt's RPC client leaks a saved error at times, and
 * tests/lsan.supp can name its frame only then. The slow unwinder's cost grows with the
 * frames it records, so it records 5: the fewest that still show virSaveLastError (the
 * sanitizer spends two on itself; 4 showed calloc and g_malloc0 only, checked on a
 * program that leaks one saved error). Loading the osinfo database took 65 s with 8
 * frames and 42 s with 5 (8 made the network-install test time out). The test driver has
 * no RPC client: its daemons keep the fast unwinder.
 */
function sanitizerEnv(uri) {
    const asan = process.env.ASAN_OPTIONS;
    if (!asan || uri.startsWith('test:')) return {};
    return { ASAN_OPTIONS: `${asan}:fast_unwind_on_malloc=0:malloc_context_size=5` };
}

/**
 * Starts `virtdeck serve` on a fresh state dir and a free loopback port, serving the web
 * tree $VIRTDECK_WEB_ROOT when set (--web-root: an older UI's build, to show a browser
 * test fails on it; tests/README.md), else the binary's default.
 *
 * opts.uri        libvirt URI (default test:///default)
 * opts.users      [{name, role, password}] created with the CLI before serving
 * opts.config     {key: value} written as the daemon's config file (`key = value` lines in
 *                 the state directory, passed with --config), e.g. {pool_roots: dir}
 * opts.extraArgs  more serve arguments (e.g. ['--cert', file, '--key', file])
 * opts.env        extra environment for the daemon
 * opts.stateDir   use this directory instead of a fresh one (it is not removed on stop)
 * opts.prefix     a command the daemon runs under, e.g. ['setpriv', '--reuid=u', ...,
 *                 '--'] (pam: the daemon as an unprivileged user)
 * opts.socketActivate  start it as systemd would a socket-activated service: systemd's
 *                 own systemd-socket-activate listens on the port and, at the first
 *                 connection (the readiness probe), execs the daemon with the socket as fd
 *                 3 (LISTEN_FDS, LISTEN_PID); --listen then names another free port,
 *                 which the daemon must not use (returned as listenArgPort)
 * opts.timeoutMs  readiness timeout (default 15000)
 *
 * Returns {url, port, host, stateDir, proc, pid, ca, logs(), exited, stop(opts)}.
 * stop({expectCode = 0, signal = 'SIGTERM', timeoutMs = 10000, keepStateDir}) sends the
 * signal, waits for exit, throws if the exit code is not expectCode (null skips the
 * check), and removes the state directory it created.
 */
export async function startDaemon(opts = {}) {
    const {
        uri = DEFAULT_URI, users = [], extraArgs = [], env = {}, timeoutMs = 15000,
    } = opts;
    const bin = virtdeckBin();
    if (!existsSync(bin)) throw new Error(`virtdeck binary not found at ${bin} (run make build)`);
    const ownDir = !opts.stateDir;
    const stateDir = opts.stateDir || mkdtempSync(path.join(os.tmpdir(), 'virtdeck-test-'));
    const configArgs = [];
    try {
        for (const u of users) addUser(stateDir, u);
        if (opts.config) {
            const file = path.join(stateDir, 'virtdeck.conf');
            writeFileSync(file, Object.entries(opts.config).map(([k, v]) => `${k} = ${v}\n`).join(''));
            configArgs.push('--config', file);
        }
    } catch (e) {
        if (ownDir) rmSync(stateDir, { recursive: true, force: true });
        throw e;
    }
    const host = '127.0.0.1';
    let port;
    let listenArgPort;
    let args;
    let proc;
    let exited;
    let exitInfo = null;
    let out = '';
    let wake = () => {}; // ends the readiness loop's wait early: the daemon said something
    const logs = () => out;

    // Ready: this process printed "virtdeck: serving ..." (it listens: a TLS answer alone
    // could come from another test's daemon that took the port first) and the port
    // completes a TLS handshake. Each line the daemon writes is a cue to look again; a
    // look every 100 ms covers the rest. A port taken between freePort() and the daemon's
    // bind ("cannot listen") is given up for another, at most three times.
    const deadline = Date.now() + timeoutMs;
    let ready = false;
    for (let attempt = 1; !ready && attempt <= 3; attempt++) {
        port = await freePort(host);
        listenArgPort = opts.socketActivate ? await freePort(host) : port;
        const activate = opts.socketActivate ? ['systemd-socket-activate', '-l', `${host}:${port}`] : [];
        args = ['serve', '--listen', `${host}:${listenArgPort}`, '--uri', uri, '--state-dir', stateDir, ...WEB_ROOT_ARGS, ...configArgs, ...extraArgs];
        const from = out.length;
        const [cmd, ...cmdArgs] = [...activate, ...(opts.prefix || []), bin, ...args];
        proc = spawn(cmd, cmdArgs, {
            env: { ...process.env, ...sanitizerEnv(uri), ...env },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        live.add(proc);
        const p = proc;
        p.stdout.setEncoding('utf8');
        p.stderr.setEncoding('utf8');
        p.stdout.on('data', (d) => { out += d; wake(); });
        p.stderr.on('data', (d) => { out += d; wake(); });
        exitInfo = null;
        exited = new Promise((resolve) => {
            p.on('exit', (code, signal) => { live.delete(p); resolve({ code, signal }); });
        });
        exited.then((e) => { if (p === proc) exitInfo = e; });
        const serving = () => /^virtdeck: serving /m.test(out.slice(from));
        while (Date.now() < deadline) {
            if (exitInfo) break;
            if (opts.socketActivate && !serving() && /^Listening on /m.test(out.slice(from))) {
                await tryTls(host, port); // the first connection: the daemon is started
                continue;
            }
            if (serving() && await tryTls(host, port)) { ready = true; break; }
            await within(Promise.race([new Promise((r) => { wake = r; }), exited]), 100);
        }
        if (!ready && !(exitInfo && /cannot listen on|Failed to listen on/.test(out.slice(from)))) break;
    }
    wake = () => {};
    if (!ready) {
        if (!exitInfo) proc.kill('SIGKILL');
        const e = await exited;
        if (ownDir) rmSync(stateDir, { recursive: true, force: true });
        throw new Error(`virtdeck serve did not accept TLS on ${host}:${port} within ${timeoutMs} ms ` +
            `(exit code ${e.code}, signal ${e.signal}); args: ${args.join(' ')}\n--- daemon output ---\n${out}`);
    }
    let ca = null;
    const certPath = path.join(stateDir, 'tls', 'virtdeck.crt');
    if (existsSync(certPath)) ca = readFileSync(certPath);

    let stopped = false;
    async function stop({ expectCode = 0, signal = 'SIGTERM', timeoutMs: stopTimeout = 10000, keepStateDir = false } = {}) {
        if (stopped) return exitInfo;
        stopped = true;
        if (!exitInfo) proc.kill(signal);
        const e = await within(exited, stopTimeout);
        const keep = keepStateDir || !!process.env.VIRTDECK_KEEP_STATE;
        if (!e) {
            proc.kill('SIGKILL');
            await exited;
            if (ownDir && !keep) rmSync(stateDir, { recursive: true, force: true });
            throw new Error(`virtdeck did not exit within ${stopTimeout} ms of ${signal}\n--- daemon output ---\n${out}`);
        }
        if (ownDir && !keep) rmSync(stateDir, { recursive: true, force: true });
        if (expectCode !== null && (e.code !== expectCode || e.signal)) {
            throw new Error(`virtdeck exited with code ${e.code} signal ${e.signal}, expected code ${expectCode}` +
                `\n--- daemon output ---\n${out}`);
        }
        return e;
    }

    return {
        url: `https://${host}:${port}`,
        port,
        listenArgPort,
        host,
        stateDir,
        proc,
        pid: proc.pid,
        ca,
        logs,
        exited,
        get exitInfo() { return exitInfo; },
        get alive() { return !exitInfo; },
        stop,
    };
}
