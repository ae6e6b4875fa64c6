// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/roles.mjs — a daemon with one user of each role, each logged in with its own
// Client: where every API suite that checks authorization starts.
// Owns: the user names ("admin", "op", "view") and the clean-up of what it started
// (clients, daemon, a fixture's directory), also when a login fails half-way. Runs in
// the test process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from './daemon.mjs';
import { Client } from './client.mjs';

/**
 * The users admin (role admin), op (operator) and view (viewer), for startDaemon's
 * `users`, with the passwords of pw = {admin, op, view}.
 */
export function roleUsers(pw) {
    return [
        { name: 'admin', role: 'admin', password: pw.admin },
        { name: 'op', role: 'operator', password: pw.op },
        { name: 'view', role: 'viewer', password: pw.view },
    ];
}

/**
 * Starts a daemon (opts as for startDaemon; its users are roleUsers(pw) followed by
 * opts.users) and logs in a Client as each of admin, op and view.
 * Returns {d, admin, op, view, stop()}: stop() closes the three clients and stops the
 * daemon. Throws (after cleaning up) if the daemon does not start or a login fails.
 */
export async function startWithRoles(pw, opts = {}) {
    const d = await startDaemon({ ...opts, users: [...roleUsers(pw), ...(opts.users || [])] });
    const clients = { admin: new Client(d), op: new Client(d), view: new Client(d) };
    const stop = async () => {
        for (const c of Object.values(clients)) c.close();
        await d.stop();
    };
    try {
        for (const [name, c] of Object.entries(clients)) await c.login(name, pw[name]);
    } catch (e) {
        await stop();
        throw e;
    }
    return { d, ...clients, stop };
}

/**
 * startWithRoles on libvirt's test driver with the node document xml (a string, e.g.
 * nodeXml() of tests/bench/gen-domains.mjs), written to a temporary directory of its own
 * that stop() removes after the daemon.
 */
export async function startWithFixture(pw, xml, opts = {}) {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'virtdeck-fixture-'));
    const drop = () => rmSync(tmp, { recursive: true, force: true });
    let roles;
    try {
        const file = path.join(tmp, 'fixture.xml');
        writeFileSync(file, xml);
        roles = await startWithRoles(pw, { ...opts, uri: `test://${file}` });
    } catch (e) {
        drop();
        throw e;
    }
    return { ...roles, stop: () => roles.stop().finally(drop) };
}
