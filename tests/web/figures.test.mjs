// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/figures.test.mjs — figures a user can trust (issue 11): a pool's capacity,
// allocation and available space checked against each other (storage-rules.js), and a
// running VM's CPU and memory figures that may be missing (domains.js cpuFigure,
// memoryFigure).
import test from 'node:test';
import assert from 'node:assert/strict';
import { poolFiguresInconsistent, poolUsage } from '../../web/js/storage-rules.js';
import { cpuFigure, memoryFigure } from '../../web/js/domains.js';
import { setLanguage } from '../../web/js/i18n.js';

await setLanguage('en', { remember: false });
const G = 1024 ** 3;

test('pool figures that cannot all be true are flagged, missing ones are not judged', () => {
    assert.equal(poolFiguresInconsistent({ capacity_bytes: 100 * G, allocation_bytes: 25 * G, available_bytes: 75 * G }), false);
    assert.equal(poolFiguresInconsistent({ capacity_bytes: 100 * G, allocation_bytes: 25 * G, available_bytes: 70 * G }), false,
        'less than the capacity together (reserved blocks) is fine');
    assert.equal(poolFiguresInconsistent({ capacity_bytes: 100 * G, allocation_bytes: 900 * G, available_bytes: 0 }), true);
    assert.equal(poolFiguresInconsistent({ capacity_bytes: 100 * G, allocation_bytes: 10 * G, available_bytes: 2 ** 64 }), true,
        'a wrapped-around available figure');
    assert.equal(poolFiguresInconsistent({ capacity_bytes: 100 * G, allocation_bytes: 60 * G, available_bytes: 60 * G }), true);
    assert.equal(poolFiguresInconsistent({ capacity_bytes: 100 * G }), false);
    assert.equal(poolFiguresInconsistent({}), false);
    assert.equal(poolFiguresInconsistent(null), false);
});

test('an inconsistent pool shows the figures libvirt gave, flagged, with no bar', () => {
    const u = poolUsage({ capacity_bytes: 100 * G, allocation_bytes: 900 * G, available_bytes: 2 ** 64 - 800 * G });
    assert.equal(u.inconsistent, true);
    assert.equal(u.fraction, null, 'no bar');
    assert.equal(u.free, '');
    assert.match(u.text, /^Inconsistent figures from libvirt: capacity 100 GiB, allocated 900 GiB, available .+$/);
    assert.doesNotMatch(u.text, /100\s?%/);
    const ok = poolUsage({ capacity_bytes: 100 * G, allocation_bytes: 25 * G, available_bytes: 75 * G });
    assert.equal(ok.inconsistent, false);
    assert.equal(ok.fraction, 0.25);
});

test('a CPU figure is a number only when the server gave one', () => {
    assert.deepEqual(cpuFigure({ cpu_percent: 12.5 }), { percent: 12.5 });
    assert.deepEqual(cpuFigure({ cpu_percent: 0 }), { percent: 0 });
    assert.deepEqual(cpuFigure({ cpu_percent: null }), { none: true }, 'a driver that reports no CPU time');
    assert.deepEqual(cpuFigure(null), { none: true }, 'no sample yet');
});

test('the host figures come from the stats after the first; missing ones stay null', async () => {
    const { Store } = await import('../../web/js/state.js');
    const s = new Store();
    s.applyMessage({ type: 'stats', interval_ms: 0, domains: [], host: { cpu_percent: null, free_memory_kib: 5 } });
    assert.equal(s.hostLoad, null, 'the first sample has no rates');
    s.applyMessage({ type: 'stats', interval_ms: 2000, domains: [], host: { cpu_percent: 7.5, free_memory_kib: null } });
    assert.deepEqual(s.hostLoad, { cpu_percent: 7.5, free_memory_kib: null });
    s.applyMessage({ type: 'stats', interval_ms: 2000, domains: [], host: { cpu_percent: 'x' } });
    assert.deepEqual(s.hostLoad, { cpu_percent: null, free_memory_kib: null });
});

test('states read unknown while the server or libvirt is unreachable', async () => {
    const { Store } = await import('../../web/js/state.js');
    const s = new Store();
    const d = { uuid: 'u', name: 'a', state: 'running' };
    assert.equal(s.unreachable(), '', 'signed out: nothing shown');
    s.setSession({ username: 'a', role: 'admin' });
    s.setDomains([d]);
    s.setConnection('open');
    assert.equal(s.unreachable(), '');
    assert.equal(s.shownState(d), 'running');
    s.setConnection('closed');
    assert.equal(s.unreachable(), 'server');
    assert.equal(s.shownState(d), 'unknown');
    s.setConnection('connecting');
    assert.equal(s.unreachable(), 'server', 'reconnecting is not live yet');
    s.setConnection('open');
    s.setHostConnected(false);
    assert.equal(s.unreachable(), 'host');
    assert.equal(s.shownState(d), 'unknown');
    s.setHostConnected(true);
    assert.equal(s.shownState(d), 'running');
});

test('a memory figure is the guest\'s own or none, never the allocation as if all in use', () => {
    const M = 1024; // KiB per MiB
    assert.deepEqual(memoryFigure({ memory_used_kib: 512 * M, memory_resident_kib: null }, 2048 * M),
        { used: 512 * M, total: 2048 * M, fraction: 0.25 });
    assert.deepEqual(memoryFigure({ memory_used_kib: 4096 * M }, 2048 * M).fraction, 1, 'a bar never past full');
    // The demo's firmware-only VMs: no guest figure, the host's resident size apart.
    assert.deepEqual(memoryFigure({ memory_used_kib: null, memory_resident_kib: 61440 }, 48 * M), { none: true, resident: 61440 });
    assert.deepEqual(memoryFigure({ memory_used_kib: null, memory_resident_kib: null }, 48 * M), { none: true, resident: null });
    assert.deepEqual(memoryFigure({ memory_used_kib: 100 }, 0), { none: true, resident: null }, 'no total: no share');
    assert.deepEqual(memoryFigure(null, 48 * M), { none: true, noSample: true, resident: null }, 'no sample yet');
});
