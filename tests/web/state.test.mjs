// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/state.test.mjs — web/js/state.js: the store, its diffs and notifications.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Store, Ring, HISTORY_CAPACITY } from '../../web/js/state.js';
import { Emitter } from '../../web/js/emitter.js';

const A = 'aaaaaaaa-0000-0000-0000-000000000001';
const B = 'bbbbbbbb-0000-0000-0000-000000000002';
const C = 'cccccccc-0000-0000-0000-000000000003';

function dom(uuid, name, state = 'running', extra = {}) {
    return { uuid, name, state, reason: 'booted', persistent: true, autostart: false, vcpus: 2,
        memory_kib: 1048576, max_memory_kib: 1048576, os_type: 'hvm', has_vnc: true, ...extra };
}

function recorder(store) {
    const changes = [];
    store.on('changed', (c) => changes.push(c));
    return changes;
}

test('Ring keeps the newest values in order', () => {
    const r = new Ring(3);
    assert.deepEqual(r.values(), []);
    assert.equal(r.last(), undefined);
    r.push(1); r.push(2);
    assert.deepEqual(r.values(), [1, 2]);
    r.push(3); r.push(4); r.push(5);
    assert.deepEqual(r.values(), [3, 4, 5]);
    assert.equal(r.length, 3);
    assert.equal(r.last(), 5);
    assert.throws(() => new Ring(0), RangeError);
});

test('history covers about five minutes at 2 s', () => {
    assert.equal(HISTORY_CAPACITY * 2, 300);
});

test('the first full list is a reset; later lists are diffs naming only what changed', () => {
    const s = new Store();
    const ch = recorder(s);
    s.setDomains([dom(A, 'a'), dom(B, 'b')]);
    assert.equal(ch.length, 1);
    assert.equal(ch[0].reset, true);
    assert.deepEqual(ch[0].domains.sort(), [A, B]);
    assert.equal(s.domainsLoaded, true);

    s.setDomains([dom(A, 'a'), dom(B, 'b', 'shutoff'), dom(C, 'c')]);
    assert.equal(ch.length, 2);
    assert.equal(ch[1].reset, false);
    assert.deepEqual(ch[1].domains.sort(), [B, C]);
    assert.deepEqual(ch[1].removed, []);

    s.setDomains([dom(C, 'c')]);
    assert.deepEqual(ch[2].removed.sort(), [A, B]);
    assert.deepEqual(ch[2].domains, []);
    assert.deepEqual([...s.domains.keys()], [C]);

    s.setDomains([dom(C, 'c')]);
    assert.equal(ch.length, 3, 'an identical list emits nothing');
});

test('domain events update one uuid and record the event', () => {
    const s = new Store();
    s.setDomains([dom(A, 'a'), dom(B, 'b')]);
    const ch = recorder(s);
    assert.equal(s.applyMessage({ type: 'domain', event: 'stopped', detail: 'destroyed',
        domain: dom(A, 'a', 'shutoff', { reason: 'destroyed' }) }), true);
    assert.equal(ch.length, 1);
    assert.deepEqual(ch[0].domains, [A]);
    assert.deepEqual(ch[0].events, { [A]: 'stopped' });
    assert.equal(s.domains.get(A).state, 'shutoff');
    assert.equal(s.domains.get(A).reason, 'destroyed');
    assert.equal(s.domains.get(B).state, 'running');
});

test('undefined events remove the domain and its data', () => {
    const s = new Store();
    s.setDomains([dom(A, 'a'), dom(B, 'b')]);
    s.applyStats([{ uuid: A, cpu_percent: 5 }]);
    s.setPending(A, 'destroy');
    const ch = recorder(s);
    s.applyMessage({ type: 'domain', event: 'undefined', domain: { uuid: A, name: 'a' } });
    assert.deepEqual(ch[0].removed, [A]);
    assert.equal(s.domains.has(A), false);
    assert.equal(s.pending.has(A), false);
    assert.deepEqual(s.cpuHistory(A), []);
    s.applyMessage({ type: 'domain', event: 'undefined', domain: { uuid: A, name: 'a' } });
    assert.equal(ch.length, 1, 'removing an unknown domain emits nothing');
});

test('a defined event adds a new domain', () => {
    const s = new Store();
    s.setDomains([dom(A, 'b')]);
    const ch = recorder(s);
    s.applyMessage({ type: 'domain', event: 'defined', domain: dom(B, 'a', 'shutoff') });
    assert.deepEqual(ch[0].domains, [B]);
    assert.deepEqual(s.sortedUuids(), [B, A]);
});

test('sortedUuids follows adds and renames', () => {
    const s = new Store();
    s.setDomains([dom(A, 'm'), dom(B, 'z')]);
    assert.deepEqual(s.sortedUuids(), [A, B]);
    s.applyDomain(dom(B, 'a'));
    assert.deepEqual(s.sortedUuids(), [B, A]);
    s.applyDomain(dom(C, 'n'));
    assert.deepEqual(s.sortedUuids(), [B, A, C]);
});

test('stats build a CPU history per running domain, bounded by capacity', () => {
    const s = new Store({ historyCapacity: 4 });
    s.setDomains([dom(A, 'a'), dom(B, 'b')]);
    const ch = recorder(s);
    for (let i = 1; i <= 6; i++) {
        s.applyMessage({ type: 'stats', interval_ms: 2000,
            domains: [{ uuid: A, cpu_percent: i * 10, memory_used_kib: 1000 }] });
    }
    assert.deepEqual(s.cpuHistory(A), [30, 40, 50, 60]);
    assert.deepEqual(s.cpuHistory(B), []);
    assert.equal(s.latestStats(A).cpu_percent, 60);
    assert.equal(s.latestStats(B), null);
    assert.equal(ch.length, 6);
    assert.deepEqual(ch[5].stats, [A]);
    assert.deepEqual(ch[5].domains, []);
});

test('a baseline stats message (interval_ms 0) adds no sample', () => {
    const s = new Store();
    s.setDomains([dom(A, 'a')]);
    const ch = recorder(s);
    assert.equal(s.applyMessage({ type: 'stats', interval_ms: 0, domains: [{ uuid: A, cpu_percent: 0 }] }), true);
    assert.equal(ch.length, 0);
    assert.deepEqual(s.cpuHistory(A), []);
    s.applyMessage({ type: 'stats', interval_ms: 1174, domains: [{ uuid: A, cpu_percent: 7 }] });
    assert.deepEqual(s.cpuHistory(A), [7]);
});

test('stats for unknown domains are ignored; no CPU figure is not 0 % (nothing in the history)', () => {
    const s = new Store();
    s.setDomains([dom(A, 'a')]);
    const ch = recorder(s);
    s.applyStats([{ uuid: C, cpu_percent: 10 }]);
    assert.equal(ch.length, 0);
    s.applyStats([{ uuid: A, cpu_percent: 'x' }, { uuid: A, cpu_percent: null }]);
    assert.deepEqual(s.cpuHistory(A), []);
    assert.equal(s.latestStats(A).cpu_percent, null, 'the entry is kept: its other figures count');
    s.applyStats([{ uuid: A, cpu_percent: 5 }]);
    assert.deepEqual(s.cpuHistory(A), [5]);
});

test('stopping a domain clears its stats and says so', () => {
    const s = new Store();
    s.setDomains([dom(A, 'a')]);
    s.applyStats([{ uuid: A, cpu_percent: 12 }]);
    const ch = recorder(s);
    s.applyDomain(dom(A, 'a', 'shutoff'), 'stopped');
    assert.deepEqual(ch[0].stats, [A]);
    assert.deepEqual(s.cpuHistory(A), []);
    assert.equal(s.latestStats(A), null);
});

test('host messages flip the connection flag once', () => {
    const s = new Store();
    s.setHost({ hostname: 'deck1', connected: true, memory_kib: 10 });
    assert.equal(s.hostConnected, true);
    const ch = recorder(s);
    s.applyMessage({ type: 'host', state: 'disconnected' });
    assert.equal(s.hostConnected, false);
    assert.equal(s.host.connected, false);
    s.applyMessage({ type: 'host', state: 'disconnected' });
    assert.equal(ch.length, 1);
    assert.equal(ch[0].host, true);
    s.applyMessage({ type: 'host', state: 'connected' });
    assert.equal(s.hostConnected, true);
    assert.equal(s.applyMessage({ type: 'host', state: 'weird' }), false);
});

test('a failed host read is recorded until a good one arrives', () => {
    const s = new Store();
    const ch = recorder(s);
    s.setHostError({ status: 502, code: 'libvirt_error', message: 'get free memory: failed' });
    assert.deepEqual(s.hostError, { status: 502, code: 'libvirt_error', message: 'get free memory: failed' });
    assert.equal(s.host, null);
    assert.equal(ch[0].host, true);
    s.setHost({ hostname: 'h', connected: true });
    assert.equal(s.hostError, null);
    s.setHostError(null);
    assert.deepEqual(s.hostError, { status: 0, code: 'unknown', message: '' });
    s.endSession();
    assert.equal(s.hostError, null);
});

test('a session-expired message ends the session and clears everything', () => {
    const s = new Store();
    s.setSession({ username: 'admin', role: 'admin', csrf_token: 'x' });
    s.setDomains([dom(A, 'a')]);
    s.setHost({ hostname: 'h' });
    const ch = recorder(s);
    s.applyMessage({ type: 'session', state: 'expired' });
    assert.equal(s.session, null);
    assert.equal(s.sessionEndReason, 'expired');
    assert.equal(s.domains.size, 0);
    assert.equal(s.host, null);
    assert.equal(s.domainsLoaded, false);
    assert.equal(ch.length, 1);
    assert.equal(ch[0].session, true);
    assert.equal(ch[0].reset, true);
});

test('the detail form is kept and follows later events', () => {
    const s = new Store();
    s.setDomains([dom(A, 'a')]);
    const ch = recorder(s);
    s.setDetail({ ...dom(A, 'a'), description: 'web server', disks: [{ target: 'vda' }] });
    assert.deepEqual(ch[0].domains, [A]);
    assert.equal(s.details.get(A).description, 'web server');
    assert.equal(s.domains.get(A).description, undefined, 'the list form holds base fields only');
    s.applyDomain(dom(A, 'a', 'paused'), 'suspended');
    assert.equal(s.details.get(A).state, 'paused');
    assert.equal(s.details.get(A).disks[0].target, 'vda');
});

test('pending actions mark a domain changed, and clearing twice is quiet', () => {
    const s = new Store();
    s.setDomains([dom(A, 'a')]);
    const ch = recorder(s);
    s.setPending(A, 'destroy');
    assert.equal(s.pending.get(A), 'destroy');
    s.setPending(A, null);
    s.setPending(A, null);
    assert.equal(ch.length, 2);
    assert.deepEqual(ch[1].domains, [A]);
});

test('counts by state', () => {
    const s = new Store();
    s.setDomains([dom(A, 'a'), dom(B, 'b', 'paused'), dom(C, 'c', 'crashed'),
        dom('d', 'd', 'shutoff')]);
    assert.deepEqual(s.counts(), { total: 4, running: 1, paused: 1, shutoff: 1, other: 1 });
});

test('unknown or malformed messages are refused without a notification', () => {
    const s = new Store();
    const ch = recorder(s);
    assert.equal(s.applyMessage(null), false);
    assert.equal(s.applyMessage({ type: 'nope' }), false);
    assert.equal(s.applyMessage({ type: 'domain', event: 'started' }), false);
    assert.equal(s.applyMessage({ type: 'session', state: 'other' }), false);
    assert.equal(ch.length, 0);
});

test('a throwing subscriber does not stop the others; the error is reported', () => {
    const s = new Store();
    let seen = 0;
    s.on('changed', () => { throw new Error('boom'); });
    s.on('changed', () => { seen++; });
    const errors = [];
    const saved = Emitter.onHandlerError;
    Emitter.onHandlerError = (e) => errors.push(e);
    try {
        s.setConnection('open');
    } finally {
        Emitter.onHandlerError = saved;
    }
    assert.equal(seen, 1);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].message, 'boom');
});

test('unsubscribing stops notifications', () => {
    const s = new Store();
    let n = 0;
    const off = s.on('changed', () => n++);
    s.setConnection('open');
    off();
    s.setConnection('closed');
    assert.equal(n, 1);
});

test('network and pool events become resource changes; malformed ones are refused', () => {
    const s = new Store();
    const seen = [];
    s.on('changed', (c) => seen.push(c));
    assert.equal(s.applyMessage({ type: 'network', event: 'started', name: 'lan' }), true);
    assert.equal(s.applyMessage({ type: 'pool', event: 'undefined', name: 'images' }), true);
    assert.equal(s.applyMessage({ type: 'pool', event: 'started' }), false);
    assert.equal(s.applyMessage({ type: 'network', name: 'lan', event: 7 }), false);
    assert.deepEqual(seen.map((c) => c.resources), [
        [{ type: 'network', name: 'lan', event: 'started' }],
        [{ type: 'pool', name: 'images', event: 'undefined' }],
    ]);
    assert.deepEqual(seen.map((c) => c.domains.length + c.removed.length), [0, 0], 'no domain moved');
});
