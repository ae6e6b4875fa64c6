// tests/web/format.test.mjs — web/js/format.js: sizes, rates, percentages, durations.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
    formatBytes, formatKiB, formatRate, formatPercent, formatDuration, formatMhz, formatClock,
    formatBool, orDash, DASH,
} from '../../web/js/format.js';

test('formatBytes picks binary units and trims whole numbers', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1024), '1 KiB');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(8 * 1024 ** 3), '8 GiB');
    assert.equal(formatBytes(123.4 * 1024 ** 2), '123 MiB');
    assert.equal(formatBytes(5 * 1024 ** 5), '5 PiB');
    assert.equal(formatBytes(2 * 1024 ** 6), '2048 PiB');
});

test('formatBytes rejects what is not a size', () => {
    for (const v of [-1, NaN, Infinity, null, undefined, '12']) assert.equal(formatBytes(v), DASH);
});

test('formatKiB and formatRate build on formatBytes', () => {
    assert.equal(formatKiB(8388608), '8 GiB');
    assert.equal(formatKiB(1048576), '1 GiB');
    assert.equal(formatKiB(512), '512 KiB');
    assert.equal(formatKiB(undefined), DASH);
    assert.equal(formatRate(4096), '4 KiB/s');
    assert.equal(formatRate(0), '0 B/s');
    assert.equal(formatRate(null), DASH);
});

test('formatPercent keeps one decimal and clamps negatives', () => {
    assert.equal(formatPercent(12.345), '12.3%');
    assert.equal(formatPercent(0), '0.0%');
    assert.equal(formatPercent(100), '100.0%');
    assert.equal(formatPercent(-3), '0.0%');
    assert.equal(formatPercent(NaN), DASH);
    assert.equal(formatPercent(undefined), DASH);
});

test('formatDuration', () => {
    assert.equal(formatDuration(0), '0 s');
    assert.equal(formatDuration(45), '45 s');
    assert.equal(formatDuration(60), '1 min');
    assert.equal(formatDuration(299), '4 min');
    assert.equal(formatDuration(3600), '1 h');
    assert.equal(formatDuration(3600 + 5 * 60), '1 h 5 min');
    assert.equal(formatDuration(86400 * 3 + 3600 * 4), '3 d 4 h');
    assert.equal(formatDuration(86400), '1 d');
    assert.equal(formatDuration(-1), DASH);
});

test('formatMhz', () => {
    assert.equal(formatMhz(1400), '1.4 GHz');
    assert.equal(formatMhz(2000), '2.0 GHz');
    assert.equal(formatMhz(800), '800 MHz');
    assert.equal(formatMhz(0), DASH);
});

test('formatClock shows the time today and the date otherwise', () => {
    const base = new Date(2025, 5, 15, 9, 5, 0).getTime() / 1000;
    assert.equal(formatClock(base, base + 60), '09:05');
    assert.equal(formatClock(base, base + 86400 * 2), '2025-06-15 09:05');
    assert.equal(formatClock('x'), DASH);
});

test('formatBool and orDash', () => {
    assert.equal(formatBool(true), 'Yes');
    assert.equal(formatBool(false), 'No');
    assert.equal(formatBool(undefined), DASH);
    assert.equal(orDash(''), DASH);
    assert.equal(orDash(null), DASH);
    assert.equal(orDash(0), '0');
    assert.equal(orDash('vda'), 'vda');
});
