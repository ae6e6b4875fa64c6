// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/libvirtd.mjs — a private, unprivileged libvirtd for tests that need a real
// daemon on the other end of the connection (disconnects, keepalive), without touching
// the machine's own libvirtd: it runs as `nobody` with its own HOME and runtime dir, so
// its socket, state and logs all live in a temporary directory. Reach libvirt's test
// driver through it with `test+unix:///default?socket=<sock>`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const NOBODY = 65534;

async function waitFor(predicate, timeoutMs, what) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (predicate()) return;
        await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
}

/**
 * Starts libvirtd as nobody in a fresh directory. Returns {sock, testUri, sessionUri,
 * start(), kill(), pause(), resume(), stop()}: kill() ends it abruptly (SIGKILL, as a
 * crash would), start() starts it again on the same socket, pause()/resume() freeze and
 * thaw it (SIGSTOP/SIGCONT, a daemon that stops answering for a while), stop() ends it
 * and removes the directory. sessionUri reaches its own qemu:///session (storage works
 * there, in directories owned by nobody).
 */
export async function startPrivateLibvirtd() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-libvirtd-'));
    const home = path.join(dir, 'home');
    const run = path.join(dir, 'run');
    fs.mkdirSync(home);
    fs.mkdirSync(run);
    for (const p of [dir, home, run]) fs.chownSync(p, NOBODY, NOBODY);
    fs.chmodSync(dir, 0o755);
    const sock = path.join(run, 'libvirt', 'libvirt-sock');
    let proc = null;
    let log = '';

    async function start() {
        fs.rmSync(sock, { force: true });
        proc = spawn('libvirtd', ['--timeout', '0'], {
            uid: NOBODY, gid: NOBODY,
            env: { HOME: home, XDG_RUNTIME_DIR: run, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        proc.stdout.on('data', (c) => { log += c; });
        proc.stderr.on('data', (c) => { log += c; });
        const exited = new Promise((r) => proc.once('exit', r));
        proc.exitedPromise = exited;
        await waitFor(() => fs.existsSync(sock) || proc.exitCode !== null, 15000, 'libvirtd socket');
        if (proc.exitCode !== null) throw new Error(`libvirtd exited: ${log}`);
    }

    async function kill() {
        if (!proc || proc.exitCode !== null) return;
        proc.kill('SIGKILL');
        await proc.exitedPromise;
    }

    function pause() {
        if (proc && proc.exitCode === null) proc.kill('SIGSTOP');
    }

    function resume() {
        if (proc && proc.exitCode === null) proc.kill('SIGCONT');
    }

    async function stop() {
        resume();
        if (proc && proc.exitCode === null) {
            proc.kill('SIGTERM');
            const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
            await proc.exitedPromise;
            clearTimeout(t);
        }
        fs.rmSync(dir, { recursive: true, force: true });
    }

    await start();
    return {
        sock, testUri: `test+unix:///default?socket=${sock}`, sessionUri: `qemu+unix:///session?socket=${sock}`,
        start, kill, pause, resume, stop, log: () => log,
    };
}
