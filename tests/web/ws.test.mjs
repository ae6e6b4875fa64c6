// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/ws.test.mjs — web/js/ws.js with a fake WebSocket and fake timers.
import test from 'node:test';
import assert from 'node:assert/strict';
import { EventSocket, backoffDelay, eventsUrl } from '../../web/js/ws.js';

class FakeSocket {
    static all = [];
    constructor(url) {
        this.url = url;
        this.closed = null;
        FakeSocket.all.push(this);
    }
    close(code) { this.closed = code; }
    // test drivers
    open() { this.onopen?.({}); }
    recv(data) { this.onmessage?.({ data }); }
    drop(code = 1006) { this.onclose?.({ code }); }
}

function setup(opts = {}) {
    FakeSocket.all = [];
    const timers = [];
    const sock = new EventSocket({
        url: 'wss://h/api/events',
        WebSocketImpl: FakeSocket,
        setTimer: (fn, ms) => { const t = { fn, ms, cleared: false }; timers.push(t); return t; },
        clearTimer: (t) => { t.cleared = true; },
        random: () => 1, // no jitter: the full delay
        ...opts,
    });
    const messages = [];
    const states = [];
    const bad = [];
    sock.on('message', (m) => messages.push(m));
    sock.on('state', (s) => states.push(s));
    sock.on('bad-message', (m) => bad.push(m));
    const fire = () => {
        const t = timers.filter((x) => !x.cleared && !x.fired).at(-1);
        t.fired = true;
        t.fn();
        return t;
    };
    return { sock, timers, messages, states, bad, fire };
}

test('eventsUrl uses wss for https pages', () => {
    assert.equal(eventsUrl({ protocol: 'https:', host: '127.0.0.1:9443' }), 'wss://127.0.0.1:9443/api/events');
    assert.equal(eventsUrl({ protocol: 'http:', host: 'x' }), 'ws://x/api/events');
});

test('backoffDelay doubles up to the cap with jitter between 50% and 100%', () => {
    const full = { random: () => 1 };
    assert.equal(backoffDelay(0, full), 1000);
    assert.equal(backoffDelay(1, full), 2000);
    assert.equal(backoffDelay(4, full), 16000);
    assert.equal(backoffDelay(5, full), 30000);
    assert.equal(backoffDelay(50, full), 30000);
    assert.equal(backoffDelay(1, { random: () => 0 }), 1000);
});

test('connects, parses JSON objects and reports bad frames', () => {
    const { sock, messages, states, bad } = setup();
    sock.start();
    assert.equal(FakeSocket.all.length, 1);
    assert.equal(FakeSocket.all[0].url, 'wss://h/api/events');
    assert.equal(states.at(-1).state, 'connecting');
    FakeSocket.all[0].open();
    assert.equal(sock.state, 'open');
    FakeSocket.all[0].recv('{"type":"snapshot","domains":[]}');
    FakeSocket.all[0].recv('not json');
    FakeSocket.all[0].recv('[1,2]');
    FakeSocket.all[0].recv(new Uint8Array([1]));
    assert.deepEqual(messages, [{ type: 'snapshot', domains: [] }]);
    assert.equal(bad.length, 3);
});

test('reconnects with growing delays, and resets after a message arrives', () => {
    const { sock, states, fire } = setup();
    sock.start();
    FakeSocket.all[0].drop();
    assert.equal(states.at(-1).state, 'closed');
    assert.equal(states.at(-1).retryInMs, 1000);
    assert.equal(fire().ms, 1000);
    assert.equal(FakeSocket.all.length, 2);
    FakeSocket.all[1].drop();
    assert.equal(fire().ms, 2000);
    FakeSocket.all[2].open();
    FakeSocket.all[2].drop(1008);
    assert.equal(states.at(-1).code, 1008);
    assert.equal(fire().ms, 4000, 'an open without any message does not reset the backoff');
    FakeSocket.all[3].open();
    FakeSocket.all[3].recv('{"type":"snapshot","domains":[]}');
    FakeSocket.all[3].drop();
    assert.equal(fire().ms, 1000);
    assert.equal(FakeSocket.all.length, 5);
});

test('stop closes the socket and cancels the pending reconnect', () => {
    const { sock, timers, states } = setup();
    sock.start();
    FakeSocket.all[0].drop();
    sock.stop();
    assert.equal(timers[0].cleared, true);
    assert.equal(states.at(-1).state, 'idle');
    sock.start();
    assert.equal(FakeSocket.all.length, 2);
    sock.stop();
    assert.equal(FakeSocket.all[1].closed, 1000);
    FakeSocket.all[1].drop(); // late events from the old socket are ignored
    assert.equal(FakeSocket.all.length, 2);
    assert.equal(sock.state, 'idle');
});

test('retryNow skips the wait; start twice opens one socket', () => {
    const { sock, timers } = setup();
    sock.start();
    sock.start();
    assert.equal(FakeSocket.all.length, 1);
    FakeSocket.all[0].drop();
    sock.retryNow();
    assert.equal(timers[0].cleared, true);
    assert.equal(FakeSocket.all.length, 2);
    sock.retryNow(); // already connecting: nothing new
    assert.equal(FakeSocket.all.length, 2);
});

test('a constructor that throws is retried later', () => {
    let n = 0;
    class Throwing extends FakeSocket {
        constructor(url) {
            if (n++ === 0) throw new Error('SyntaxError');
            super(url);
        }
    }
    const { sock, states, fire } = setup({ WebSocketImpl: Throwing });
    sock.start();
    assert.equal(states.at(-1).state, 'closed');
    fire();
    assert.equal(FakeSocket.all.length, 1);
});
