// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/threads.test.mjs — signals are taken on one thread: of all the
// running daemon's threads exactly one may receive SIGTERM, SIGINT or SIGHUP (the one
// waiting in sigwait: the kernel shows the waited signals unblocked while it waits);
// every other one, the main/service thread included, blocks all three, so no signal
// lands on a worker, the password lane, libvirt's threads or the store-watch thread.
// Read from /proc/<pid>/task/*/status (SigBlk). SIGHUP then SIGTERM still work (the
// daemon serves on, then exits 0).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertJson } from '../lib/api-assert.mjs';
import { threadsOf as threads } from '../lib/threads.mjs';

const PW = 'admin-pass-thr-1';

describe('signal mask of the daemon threads', () => {
    let d;
    let admin;
    before(async () => {
        d = await startDaemon({ users: [{ name: 'admin', role: 'admin', password: PW }] });
        admin = new Client(d);
        await admin.login('admin', PW);
    });
    after(async () => {
        if (admin) admin.close();
        if (d) await d.stop();
    });

    it('exactly one thread takes SIGTERM, SIGINT and SIGHUP; every other blocks them', async () => {
        // A password check ran on the lane, a list runs on a worker: both exist now.
        assertJson(await admin.get('/api/domains'), 200, 'list');
        const all = threads(d.pid);
        assert.ok(all.length >= 6, `expected workers, lane and libvirt threads: ${JSON.stringify(all)}`);
        const takers = all.filter((t) => t.blocked.size < 3);
        assert.equal(takers.length, 1, `threads that may receive a signal: ${takers
            .map((t) => `${t.tid} (${t.name}${t.tid === d.pid ? ', main' : ''})`).join(', ')}`);
        assert.equal(takers[0].blocked.size, 0, 'the signal thread takes all three');
        assert.notEqual(takers[0].tid, d.pid, 'the service thread blocks them too');
    });

    it('SIGHUP is still taken (the daemon lives on and serves) and SIGTERM stops it cleanly', async () => {
        d.proc.kill('SIGHUP');
        assertJson(await admin.get('/api/domains'), 200, 'list after SIGHUP');
        assert.ok(d.alive, 'daemon alive after SIGHUP');
        const e = await d.stop();
        assert.equal(e.code, 0);
    });
});
