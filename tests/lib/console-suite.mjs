// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/console-suite.mjs — what the console websocket suites (console.test.mjs: VNC,
// serial.test.mjs) share: their setup on the system libvirtd (a running and a stopped
// domain, a daemon with an admin and a viewer, each logged in), its removal, the checks
// every console endpoint must pass before it upgrades, the end of a socket whose session
// the CLI ended, and the /proc probes they measure the daemon with.
// Owns: the user names ("admin", "view"), the suite's temporary directory, and the
// clean-up of everything it set up, also when the setup fails half-way. Runs in the test
// process only.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addUser, runCli, startDaemon } from './daemon.mjs';
import { Client } from './client.mjs';
import { SYSTEM_URI, createConsoleDomains, ensureSystemLibvirtd, virsh } from './system-libvirtd.mjs';
import { sleep, until } from './wait.mjs';

export { sleep, until };

/** The number of open file descriptors of process pid. */
export const fdCount = (pid) => fs.readdirSync(`/proc/${pid}/fd`).length;

/** The resident set size of process pid, in KiB. */
export const rssKib = (pid) => Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

/**
 * Resolves once the daemon pid has at most `most` file descriptors open (the sockets a
 * test closed are gone: the daemon closes its side, and a console's VNC socket or private
 * libvirt connection after it, a moment after the browser's); throws after timeoutMs.
 */
export function fdsAtMost(pid, most, timeoutMs = 3000) {
    return until(() => fdCount(pid) <= most, timeoutMs, () => `fds still ${fdCount(pid)}, expected at most ${most}`);
}

/**
 * Sets up a console suite on the system libvirtd (started if needed): in a fresh
 * temporary directory named after label, the domains running ({name, uuid}; created,
 * paused when `paused`) and stopped ({name, uuid}; defined only), their XML from
 * xml({name, uuid}); then a daemon on qemu:///system with the users admin (role admin)
 * and view (viewer), passwords pw = {admin, view}, and a Client logged in as each.
 * Returns {tmp, d, admin, viewer, idleFds, remove()}: idleFds is the daemon's number of
 * open file descriptors once both are logged in (what it returns to when no test holds a
 * socket); remove() destroys `running`, undefines `stopped`, closes the clients, stops
 * the daemon and deletes tmp. Throws (after removing what it had set up) when any step
 * fails. config: the daemon's config file ({key: value}, startDaemon's opts.config).
 */
export async function startConsoleSuite({ label, pw, running, stopped, xml, paused = false, config }) {
    const s = { tmp: null, d: null, admin: null, viewer: null };
    s.remove = async () => {
        virsh(['destroy', running.name]);
        virsh(['undefine', stopped.name]);
        if (s.admin) s.admin.close();
        if (s.viewer) s.viewer.close();
        if (s.d) await s.d.stop();
        if (s.tmp) fs.rmSync(s.tmp, { recursive: true, force: true });
    };
    try {
        await ensureSystemLibvirtd();
        s.tmp = fs.mkdtempSync(path.join(os.tmpdir(), `virtdeck-${label}-`));
        createConsoleDomains(s.tmp, { running: xml(running), stopped: xml(stopped), paused });
        s.d = await startDaemon({
            uri: SYSTEM_URI,
            config,
            users: [{ name: 'admin', role: 'admin', password: pw.admin }, { name: 'view', role: 'viewer', password: pw.view }],
        });
        s.admin = new Client(s.d);
        await s.admin.login('admin', pw.admin);
        s.viewer = new Client(s.d);
        await s.viewer.login('view', pw.view);
        s.idleFds = fdCount(s.d.pid);
    } catch (e) {
        await s.remove().catch(() => {});
        throw e;
    }
    return s;
}

/**
 * The refusals every console websocket makes before upgrading, on the suite's daemon:
 * no session cookie → 401, a foreign Origin → 403, a viewer → 403 naming the console,
 * a malformed UUID → 400; and none of them leaves a file descriptor open in the daemon.
 * open(client, uuid, {cookie, origin}) opens the endpoint (rejecting with {status, body}
 * when the upgrade is refused); uuid names a running domain.
 */
export async function assertRefusedBeforeUpgrade(open, { d, admin, viewer, idleFds }, uuid) {
    await fdsAtMost(d.pid, idleFds); // the sockets of earlier tests are closed
    const base = fdCount(d.pid);
    await assert.rejects(open(admin, uuid, { cookie: '' }), (e) => e.status === 401);
    await assert.rejects(open(admin, uuid, { origin: 'https://evil.example' }), (e) => e.status === 403);
    await assert.rejects(open(viewer, uuid), (e) => e.status === 403 && /console/.test(e.body));
    await assert.rejects(open(admin, 'not-a-uuid'), (e) => e.status === 400);
    // the daemon closes the refused connections; nothing else may stay open
    await until(() => fdCount(d.pid) <= base, 3000,
        () => `fds ${base} -> ${fdCount(d.pid)}: nothing was opened for a refused console`);
}

/**
 * `virtdeck user passwd`, run as another process while the suite's daemon runs, closes a
 * console socket of that user's session with 4401 "session ended" within 1 s. The user
 * (an operator named `name`, unique per suite) is added with the CLI first; open(client)
 * resolves a socket that is open and in use, with waitClose(timeoutMs) and terminate().
 */
export async function assertEndedByCli({ d }, name, open) {
    const password = `${name}-pass-old`;
    addUser(d.stateDir, { name, role: 'operator', password });
    const c = new Client(d);
    let s;
    try {
        await c.login(name, password);
        s = await open(c);
        const r = runCli(['user', 'passwd', name, '--state-dir', d.stateDir], { input: `${name}-pass-new\n` });
        assert.equal(r.status, 0, r.stderr);
        const closed = await s.waitClose(1000);
        assert.equal(closed.code, 4401, `${closed.code} ${closed.reason}`);
        assert.match(closed.reason, /session ended/);
    } finally {
        if (s) await s.terminate(); // when it failed: later tests need the console free
        c.close();
    }
}
