// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/format.test.mjs — web/js/format.js: sizes, rates, percentages, durations, clock
// times, dates and relative times, formatted with Intl in the UI's language (English, and
// Simplified Chinese where the locale changes the output).
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    formatBytes, formatKiB, formatRate, formatPercent, formatDuration, formatMhz, formatClock,
    formatRelative, formatNumber, formatBool, orDash, DASH,
} from '../../web/js/format.js';
import { setLanguage } from '../../web/js/i18n.js';

before(() => setLanguage('en', { remember: false }));
after(() => setLanguage('en', { remember: false }));

/** Runs fn in Chinese, then goes back to English. */
async function inChinese(fn) {
    await setLanguage('zh-CN', { remember: false });
    try {
        fn();
    } finally {
        await setLanguage('en', { remember: false });
    }
}

test('formatBytes picks binary units and trims whole numbers', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1,023 B'); // Intl groups thousands
    assert.equal(formatBytes(1024), '1 KiB');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(8 * 1024 ** 3), '8 GiB');
    assert.equal(formatBytes(123.4 * 1024 ** 2), '123 MiB');
    assert.equal(formatBytes(5 * 1024 ** 5), '5 PiB');
    assert.equal(formatBytes(2 * 1024 ** 6), '2,048 PiB');
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

test('formatPercent keeps one decimal (or as asked) and clamps negatives', () => {
    assert.equal(formatPercent(12.345), '12.3%');
    assert.equal(formatPercent(0), '0.0%');
    assert.equal(formatPercent(100), '100.0%');
    assert.equal(formatPercent(-3), '0.0%');
    assert.equal(formatPercent(42.6, { digits: 0 }), '43%');
    assert.equal(formatPercent(NaN), DASH);
    assert.equal(formatPercent(undefined), DASH);
});

test('formatDuration uses the locale\'s unit names', () => {
    assert.equal(formatDuration(0), '0 sec');
    assert.equal(formatDuration(45), '45 sec');
    assert.equal(formatDuration(60), '1 min');
    assert.equal(formatDuration(299), '4 min');
    assert.equal(formatDuration(3600), '1 hr');
    assert.equal(formatDuration(3600 + 5 * 60), '1 hr 5 min');
    assert.equal(formatDuration(86400 * 3 + 3600 * 4), '3 days 4 hr');
    assert.equal(formatDuration(86400), '1 day');
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
    // ICU versions differ in the space before AM (U+0020 or U+202F).
    const plain = (text) => text.replace(/\s/g, ' ');
    assert.equal(plain(formatClock(base, base + 60)), '9:05 AM');
    assert.equal(plain(formatClock(base, base + 86400 * 2)), 'Jun 15, 2025, 9:05 AM');
    assert.equal(formatClock('x'), DASH);
});

test('formatRelative', () => {
    const now = 1750000000;
    assert.equal(formatRelative(now - 300, now), '5 minutes ago');
    assert.equal(formatRelative(now + 7200, now), 'in 2 hours');
    assert.equal(formatRelative(now - 86400, now), 'yesterday');
    assert.equal(formatRelative(now + 20, now), 'in 20 seconds');
    assert.equal(formatRelative(undefined, now), DASH);
});

test('formatBool, formatNumber and orDash', () => {
    assert.equal(formatBool(true), 'Yes');
    assert.equal(formatBool(false), 'No');
    assert.equal(formatBool(undefined), DASH);
    assert.equal(formatNumber(1234567), '1,234,567');
    assert.equal(formatNumber(1.25, 1), '1.3');
    assert.equal(orDash(''), DASH);
    assert.equal(orDash(null), DASH);
    assert.equal(orDash(0), '0');
    assert.equal(orDash('vda'), 'vda');
});

test('in Chinese: numbers, units, times and words follow zh-CN', async () => {
    const base = new Date(2025, 5, 15, 9, 5, 0).getTime() / 1000;
    await inChinese(() => {
        assert.equal(formatBytes(1536), '1.5 KiB', 'binary units stay');
        assert.equal(formatBytes(2 * 1024 ** 6), '2,048 PiB');
        assert.equal(formatRate(4096), '4 KiB/s');
        assert.equal(formatPercent(12.345), '12.3%');
        assert.equal(formatDuration(45), '45秒');
        assert.equal(formatDuration(3600 + 5 * 60), '1小时5分钟');
        assert.equal(formatDuration(86400 * 3 + 3600 * 4), '3天4小时');
        assert.equal(formatMhz(2400), '2.4 GHz');
        assert.equal(formatClock(base, base + 60), '09:05');
        assert.equal(formatClock(base, base + 86400 * 2), '2025年6月15日 09:05');
        assert.equal(formatRelative(base - 300, base), '5分钟前');
        assert.equal(formatRelative(base - 86400, base), '昨天');
        assert.equal(formatBool(true), '是');
        assert.equal(formatBool(false), '否');
    });
    assert.equal(formatDuration(45), '45 sec', 'back in English');
});
