// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/login-flood.test.mjs — logins sent all at once against a real daemon
// (libvirt test driver): the throttle counts an attempt when it starts, so a parallel
// flood of wrong passwords gets a handful of password checks and 429 for the rest;
// password checks run on their own lane, so a logged-in user's requests stay prompt
// even while checks queue up (a full lane answers 503 at once); the lockout is keyed
// on user name and address together, so neighbours behind the attacker's address and
// the attacked user elsewhere still log in. The floods' connections are opened before
// the logins are sent (tests/lib/login-flood.mjs), so the timings are those of the
// logins. Source addresses are loopback aliases (127.0.0.0/8): the daemon sees each as
// a client address of its own.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { floodLogins } from '../lib/login-flood.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { sleep } from '../lib/wait.mjs';

const PW = { admin: 'admin-flood-pass-1', alice: 'alice-flood-pass-2', busy: 'busy-flood-pass-3' };
const ATTACKER = '127.0.0.3'; // the flood, and alice behind the same NAT address
const BUSY = '127.0.0.2'; // a logged-in user working while the flood runs
const ELSEWHERE = '127.0.0.4'; // the attacked user from their own address
const FLOOD = 500;
// auth/README.md: one user name from one address gets 11 password checks in the first
// 5 minutes (3 free, then 1 s doubling); a flood that lasts seconds gets fewer.
const PAIR_ALLOWANCE_5_MIN = 11;
const PROMPT_MS = 1000;

/** Sends one login from client without throwing on refusals. */
const tryLogin = (client, username, password) => client.req('POST', '/api/login',
    { body: { username, password }, cookies: false, csrf: false });

/**
 * Runs GET /api/domains as `user` back to back until `settled` settles (for at most
 * 60 s). Returns the slowest answer's time in ms and how many ran.
 */
async function probeWhile(user, settled) {
    let done = false;
    settled.then(() => { done = true; }, () => { done = true; });
    const deadline = performance.now() + 60000;
    let slowest = 0;
    let n = 0;
    while (!done && performance.now() < deadline) {
        const t0 = performance.now();
        const res = await user.get('/api/domains');
        slowest = Math.max(slowest, performance.now() - t0);
        n += 1;
        assertJson(res, 200, `GET /api/domains #${n} during the flood`);
    }
    return { slowest, n };
}

/** Counts responses by status; failed requests count as "error". */
function tally(results) {
    const counts = {};
    for (const r of results) {
        const key = r.status || 'error';
        counts[key] = (counts[key] || 0) + 1;
    }
    return counts;
}

describe('login flood', () => {
    let d;
    let busy;
    before(async () => {
        // The throttle is what is tested here: the per-address connection limits
        // (lan-exposure.test.mjs) would refuse most of these 500 connections from one
        // address before any login, so this daemon allows them.
        d = await startDaemon({
            users: [
                { name: 'admin', role: 'admin', password: PW.admin },
                { name: 'alice', role: 'viewer', password: PW.alice },
                { name: 'busy', role: 'viewer', password: PW.busy },
            ],
            config: { max_connections_per_address: 2000, max_handshakes_per_address: 2000 },
        });
        busy = new Client(d, { localAddress: BUSY });
        await busy.login('busy', PW.busy);
    });
    after(async () => {
        if (busy) busy.close();
        if (d) await d.stop();
    });

    it(`${FLOOD} parallel wrong passwords from one address: a handful checked, the rest 429 at once`, async (t) => {
        const flood = floodLogins(d, Array.from({ length: FLOOD },
            (_, i) => ({ localAddress: ATTACKER, username: 'admin', password: `wrong-${i}` })));
        await flood.connected;
        const started = performance.now();
        const { slowest, n } = await probeWhile(busy, flood.results);
        const results = await flood.results;
        const seconds = (performance.now() - started) / 1000;

        const counts = tally(results);
        t.diagnostic(`${JSON.stringify(counts)} in ${seconds.toFixed(1)} s; slowest of ${n} GETs: ${slowest.toFixed(0)} ms`);
        const checked = counts[401] || 0;
        const throttled = counts[429] || 0;
        assert.equal(checked + throttled, FLOOD,
            `every attempt is either checked (401) or throttled (429): ${JSON.stringify(counts)}`);
        assert.ok(checked >= 3 && checked <= PAIR_ALLOWANCE_5_MIN,
            `${checked} passwords were really checked in ${seconds.toFixed(1)} s; ` +
            `the backoff allows ${PAIR_ALLOWANCE_5_MIN} in 5 minutes (${JSON.stringify(counts)})`);
        for (const r of results.filter((x) => x.status === 429)) {
            assertError(r, 429, 'too_many_requests', 'throttled attempt');
            assert.match(String(r.headers['retry-after']), /^[1-9]\d*$/, 'Retry-After in whole seconds');
        }
        assert.ok(n >= 1, 'the logged-in user was probed during the flood');
        assert.ok(slowest < PROMPT_MS,
            `a logged-in user's GET /api/domains took ${slowest.toFixed(0)} ms during the flood ` +
            `(${n} requests; under ${PROMPT_MS} ms expected)`);
    });

    it('the attacker stays throttled for that user name, even with the right password', async () => {
        const again = new Client(d, { localAddress: ATTACKER, keepAlive: false });
        // The flood may have had only a few passwords checked, whose backoff (1 s, then
        // doubling per failure) can run out on a busy machine before this test starts.
        // Wrong guesses go on until the throttle answers 429 with at least 4 s to wait,
        // so the right password below surely falls inside a backoff (a bounded loop:
        // each checked guess doubles it).
        for (let i = 0; ; i++) {
            assert.ok(i < 8, 'the throttle answers 429 with a growing Retry-After');
            const guess = await tryLogin(again, 'admin', `wrong-again-${i}`);
            if (guess.status === 429 && Number(guess.headers['retry-after']) >= 4) break;
            assert.ok(guess.status === 401 || guess.status === 429, `a guess is checked or throttled: ${guess.status}`);
            if (guess.status === 429) await sleep(Number(guess.headers['retry-after']) * 1000); // the backoff to wait out
        }
        const res = await tryLogin(again, 'admin', PW.admin);
        assertError(res, 429, 'too_many_requests', 'admin from the attacking address');
        assert.equal(res.headers['set-cookie'], undefined, 'no session while throttled');
        again.close();
    });

    it('a neighbour behind the same address logs in to her own account', async () => {
        const alice = new Client(d, { localAddress: ATTACKER });
        const res = await tryLogin(alice, 'alice', PW.alice);
        assertJson(res, 200, 'alice from the attacking address');
        alice.close();
    });

    it('the attacked user logs in from another address', async () => {
        const admin = new Client(d, { localAddress: ELSEWHERE });
        assertJson(await tryLogin(admin, 'admin', PW.admin), 200, 'admin from elsewhere');
        admin.close();
    });

    it('checks the throttle lets through queue on their own lane: a full lane answers 503 at once, the API stays prompt', async (t) => {
        // 100 addresses x 3 names, each attempt within every allowance (one per pair,
        // three per address): 300 password checks asked for at once.
        const flood = floodLogins(d, Array.from({ length: 300 }, (_, i) => ({
            localAddress: `127.0.1.${Math.floor(i / 3) + 1}`, username: `nobody-${i}`, password: 'wrong',
        })));
        await flood.connected;
        const { slowest, n } = await probeWhile(busy, flood.results);
        const results = await flood.results;

        const counts = tally(results);
        t.diagnostic(`${JSON.stringify(counts)}; slowest of ${n} GETs: ${slowest.toFixed(0)} ms`);
        assert.ok(n >= 1, 'the logged-in user was probed during the flood');
        assert.ok(slowest < PROMPT_MS,
            `a logged-in user's GET /api/domains took ${slowest.toFixed(0)} ms while password checks ` +
            `queued (${n} requests; under ${PROMPT_MS} ms expected)`);
        assert.equal((counts[401] || 0) + (counts[503] || 0), results.length,
            `every attempt is checked (401) or refused as busy (503): ${JSON.stringify(counts)}`);
        assert.ok((counts[503] || 0) > 0, `the lane is bounded: some attempts get 503 (${JSON.stringify(counts)})`);
        for (const r of results.filter((x) => x.status === 503)) {
            assertError(r, 503, undefined, 'lane full');
            assert.equal(r.headers['retry-after'], '1', 'Retry-After: 1 when the lane is full');
        }
    });

    it('the daemon is still alive', () => {
        assert.ok(d.alive, `daemon exited: ${d.logs()}`);
    });
});
