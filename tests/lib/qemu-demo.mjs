// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/qemu-demo.mjs — `make run`'s demo (packaging/run-demo.sh) started the way a
// user starts it, for the tests that check it: the script itself, with a DEMO_DIR and a
// free loopback port of the test's choosing, ready once virtdeck says it serves, with
// the admin password the script printed; stopped with Ctrl-C's SIGINT. Also the check
// that nothing of a demo outlives it (its QEMU and libvirtd name its directory). Runs
// in the test process only.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, freePort, virtdeckBin } from './daemon.mjs';
import { until } from './wait.mjs';

const SCRIPT = path.join(REPO_ROOT, 'packaging', 'run-demo.sh');
const START_TIMEOUT = 60000; // the script's own waits: libvirtd 15 s, four VMs started under TCG
const STOP_TIMEOUT = 30000; // then SIGKILL

/** Whether QEMU is installed (else the script falls back to the test driver). */
export const HAVE_QEMU = spawnSync('sh', ['-c', 'command -v qemu-system-x86_64'], { encoding: 'utf8' }).status === 0;

/** The demo's VMs and the state the script leaves each in. */
export const DEMO_VMS = { 'demo-web': 'running', 'demo-db': 'running', 'demo-build': 'paused', 'demo-spare': 'shutoff' };

/** The volumes of the demo's pool `demo`. */
export const DEMO_VOLUMES = ['data.qcow2', 'install.iso', 'scratch.img'];

/**
 * Pids (with their command lines) of processes whose command line or environment names
 * dir: the demo's QEMU and libvirtd (their HOME and sockets live there).
 */
export function processesIn(dir) {
    const found = [];
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        if (Number(pid) === process.pid) continue;
        let text;
        try {
            text = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1') + fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
        } catch {
            continue; // gone, or not ours to read
        }
        if (text.includes(dir)) found.push(`${pid} ${fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ')}`);
    }
    return found;
}

/** Sends Ctrl-C's SIGINT to the demo's script and waits (bounded) for it to end. */
export async function stopDemo(demo) {
    if (demo.proc.exitCode !== null || demo.proc.signalCode !== null) return;
    demo.proc.kill('SIGINT');
    const timer = setTimeout(() => demo.proc.kill('SIGKILL'), STOP_TIMEOUT);
    await demo.proc.exited;
    clearTimeout(timer);
}

/**
 * Runs packaging/run-demo.sh with DEMO_DIR=dir on a free port of 127.0.0.1 and waits
 * until virtdeck serves. Resolves {proc, port, url, password, startMs, out(), logs(),
 * alive, exitInfo} (logs, alive and exitInfo as tests/lib/daemon.mjs's daemons have
 * them, for withDaemonLog); password is admin's, as the script printed it (created on
 * the first run in dir, read back on later ones). Stops the script and throws when it
 * exits early or prints no password.
 */
export async function startDemo(dir) {
    const port = await freePort();
    const t0 = Date.now();
    const proc = spawn(SCRIPT, [], {
        env: { ...process.env, VIRTDECK_BIN: virtdeckBin(), DEMO_DIR: dir, DEMO_LISTEN: `127.0.0.1:${port}` },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (c) => { out += c; });
    proc.stderr.on('data', (c) => { out += c; });
    proc.exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
    const demo = {
        proc, port, url: `https://127.0.0.1:${port}`, password: null, startMs: null,
        out: () => out,
        logs: () => out,
        get alive() { return proc.exitCode === null && proc.signalCode === null; },
        get exitInfo() { return { code: proc.exitCode, signal: proc.signalCode }; },
    };
    try {
        await until(() => /virtdeck: serving https:/.test(out) || !demo.alive, START_TIMEOUT,
            () => `the demo serving; its output:\n${out}`);
        assert.ok(demo.alive, `the demo exited early:\n${out}`);
        demo.startMs = Date.now() - t0;
        const m = /with password:? (\S+)/.exec(out);
        assert.ok(m, `a password in the demo's output:\n${out}`);
        demo.password = m[1];
    } catch (e) {
        await stopDemo(demo);
        throw e;
    }
    return demo;
}
