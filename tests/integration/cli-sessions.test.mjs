// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/cli-sessions.test.mjs — `virtdeck user passwd` and `virtdeck user del`,
// run as a separate process against the state directory of a running daemon, end every
// session of that user within 1 s: the old cookie gets 401 and the server closes the
// sessions' /api/events websockets ({"type":"session"}, then 1000 "session ended"; the
// console and serial sockets share that path, see vnc-proxy/). Another user's session and
// socket are untouched. Runs against test:///default.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertJson } from '../lib/api-assert.mjs';
import { sleep, within } from '../lib/wait.mjs';

const PW = {
    alice: 'alice-pass-cli-1', alice2: 'alice-pass-cli-2', carol: 'carol-pass-cli-3', bob: 'bob-pass-cli-4',
};
const BOUND_MS = 1000;
const POLL_MS = 20;

describe('sessions ended by the CLI while the daemon runs', () => {
    let d;
    let bob;
    let bobEvents;
    const clients = [];
    const sockets = [];

    before(async () => {
        d = await startDaemon({
            users: [
                { name: 'alice', role: 'operator', password: PW.alice },
                { name: 'carol', role: 'viewer', password: PW.carol },
                { name: 'bob', role: 'admin', password: PW.bob },
            ],
        });
        bob = await loggedIn('bob', PW.bob);
        bobEvents = await subscribed(bob);
    });
    after(async () => {
        for (const ev of sockets) ev.terminate();
        for (const c of clients) c.close();
        if (d) await d.stop();
    });

    async function loggedIn(name, password) {
        const c = new Client(d);
        clients.push(c);
        await c.login(name, password);
        return c;
    }
    async function subscribed(c) {
        const ev = await c.openEvents();
        sockets.push(ev);
        await ev.next((m) => m.type === 'snapshot', 5000);
        return ev;
    }
    function cli(args, input = '') {
        const r = runCli(['user', ...args, '--state-dir', d.stateDir], { input });
        assert.equal(r.status, 0, `virtdeck user ${args.join(' ')}: ${r.stderr}`);
    }

    // The session behind c (cookie) and its socket ev end by deadline: 401, then the
    // server's close with the session message before it.
    async function assertEndedBy(c, ev, deadline, what) {
        let status;
        while (performance.now() < deadline) {
            status = (await c.get('/api/session')).status;
            if (status === 401) break;
            await sleep(POLL_MS);
        }
        assert.equal(status, 401, `${what}: the old cookie still works ${BOUND_MS} ms after the CLI (status ${status})`);
        const closed = await within(ev.closed, Math.max(0, deadline - performance.now()));
        assert.ok(closed, `${what}: the websocket is still open ${BOUND_MS} ms after the CLI`);
        assert.equal(closed.code, 1000, `${what}: close ${closed.code} ${closed.reason}`);
        assert.equal(closed.reason, 'session ended');
        const said = ev.all.find((m) => m.type === 'session');
        assert.deepEqual(said && { type: said.type, state: said.state }, { type: 'session', state: 'expired' },
            `${what}: the server said why before closing`);
    }

    // bob's session and socket are untouched: the cookie works and the socket still
    // delivers (the next stats message, at most 2 s away).
    async function assertBystanderUntouched() {
        assertJson(await bob.get('/api/session'), 200, 'the other user\'s session');
        assert.equal(bobEvents.closeInfo, null, 'the other user\'s socket stays open');
        await bobEvents.next((m) => m.type === 'stats', 5000);
    }

    it('user passwd ends all of the user\'s sessions and their sockets within 1 s', async () => {
        const a1 = await loggedIn('alice', PW.alice);
        const a2 = await loggedIn('alice', PW.alice);
        const ev1 = await subscribed(a1);
        const ev2 = await subscribed(a2);

        cli(['passwd', 'alice'], `${PW.alice2}\n`);
        const deadline = performance.now() + BOUND_MS;
        await assertEndedBy(a1, ev1, deadline, 'first session');
        await assertEndedBy(a2, ev2, deadline, 'second session');
        await assertBystanderUntouched();

        // the new password works, and its session is not taken for an ended one
        const fresh = await loggedIn('alice', PW.alice2);
        assertJson(await fresh.get('/api/session'), 200, 'a session made after the change');
        const again = await subscribed(fresh);
        assert.equal(again.closeInfo, null);
    });

    it('user del ends the user\'s session and its socket within 1 s', async () => {
        const c = await loggedIn('carol', PW.carol);
        const ev = await subscribed(c);

        cli(['del', 'carol']);
        await assertEndedBy(c, ev, performance.now() + BOUND_MS, 'deleted user');
        await assertBystanderUntouched();
        const stranger = new Client(d);
        clients.push(stranger);
        assert.equal((await stranger.req('POST', '/api/login', {
            body: { username: 'carol', password: PW.carol }, cookies: false, csrf: false,
        })).status, 401, 'a deleted user cannot log in');
    });
});
