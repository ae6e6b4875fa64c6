// SPDX-License-Identifier: LGPL-2.1-or-later
// format.js — turns numbers from the API into short human text (sizes, rates,
// percentages, durations, clock times, dates) with Intl in the UI's language
// (i18n.js language()), read at each call so a language switch takes effect. Sizes
// keep the binary units (KiB, MiB, GiB: what libvirt and the forms use) in every
// language; only the number is the locale's. Pure: no DOM, imported by views and tests.

import { t, language } from './i18n.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
export const DASH = '\u2014';

function isNum(v) {
    return typeof v === 'number' && Number.isFinite(v);
}

// Intl formatters are costly to build and a table formats thousands of cells: one
// per (kind, language, options), built on first use.
const cache = new Map();

function intl(Kind, options) {
    const key = `${Kind.name}|${language()}|${JSON.stringify(options)}`;
    let f = cache.get(key);
    if (!f) {
        f = new Kind(language(), options);
        cache.set(key, f);
    }
    return f;
}

/** A number in the locale (grouping, decimal sign), at most maxDigits decimals. */
export function formatNumber(n, maxDigits = 0) {
    if (!isNum(n)) return DASH;
    return intl(Intl.NumberFormat, { maximumFractionDigits: maxDigits }).format(n);
}

/** 1536 -> "1.5 KiB"; whole numbers drop the decimal ("8 GiB"); bad input -> "—". */
export function formatBytes(bytes) {
    if (!isNum(bytes) || bytes < 0) return DASH;
    let v = bytes;
    let i = 0;
    while (v >= 1024 && i < UNITS.length - 1) {
        v /= 1024;
        i++;
    }
    const digits = i === 0 || v >= 100 ? 0 : 1;
    return `${formatNumber(v, digits)} ${UNITS[i]}`;
}

/** Sizes the API gives in KiB (memory_kib, ...). */
export function formatKiB(kib) {
    if (!isNum(kib) || kib < 0) return DASH;
    return formatBytes(kib * 1024);
}

/** Bytes per second -> "4 KiB/s". */
export function formatRate(bps) {
    const b = formatBytes(bps);
    return b === DASH ? DASH : `${b}/s`; // i18n-ignore a unit symbol, the same in every language (like KiB)
}

/** 12.345 -> "12.3%" (digits decimals, default 1); clamps below at 0; bad input -> "—". */
export function formatPercent(p, { digits = 1 } = {}) {
    if (!isNum(p)) return DASH;
    return intl(Intl.NumberFormat, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits })
        .format(Math.max(0, p) / 100);
}

function unit(n, name) {
    return intl(Intl.NumberFormat, { style: 'unit', unit: name, unitDisplay: 'short' }).format(n);
}

/** Seconds -> "45 sec", "3 min", "2 hr 5 min", "3 days 4 hr" (zh-CN "2小时5分钟"). */
export function formatDuration(seconds) {
    if (!isNum(seconds) || seconds < 0) return DASH;
    const s = Math.round(seconds);
    if (s < 60) return unit(s, 'second');
    const m = Math.floor(s / 60);
    if (m < 60) return unit(m, 'minute');
    const h = Math.floor(m / 60);
    const d = Math.floor(h / 24);
    const parts = h < 24 ? [unit(h, 'hour'), m % 60 && unit(m % 60, 'minute')]
        : [unit(d, 'day'), h % 24 && unit(h % 24, 'hour')];
    return intl(Intl.ListFormat, { type: 'unit', style: 'narrow' }).format(parts.filter(Boolean));
}

/** MHz -> "1.4 GHz" or "800 MHz". */
export function formatMhz(mhz) {
    if (!isNum(mhz) || mhz <= 0) return DASH;
    if (mhz >= 1000) {
        const ghz = intl(Intl.NumberFormat, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(mhz / 1000);
        return `${ghz} GHz`; // i18n-ignore a unit symbol, the same in every language
    }
    return `${formatNumber(mhz)} MHz`; // i18n-ignore a unit symbol, the same in every language
}

/**
 * Unix seconds -> the local time ("9:05 AM", zh-CN "09:05") on the day of now, else
 * date and time ("Jun 15, 2025, 9:05 AM", "2025年6月15日 09:05").
 */
export function formatClock(epochSeconds, now = Date.now() / 1000) {
    if (!isNum(epochSeconds)) return DASH;
    const d = new Date(epochSeconds * 1000);
    const n = new Date(now * 1000);
    const sameDay = d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() &&
        d.getDate() === n.getDate();
    if (sameDay) return intl(Intl.DateTimeFormat, { timeStyle: 'short' }).format(d);
    return intl(Intl.DateTimeFormat, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

const RELATIVE_STEPS = [[60, 'second'], [3600, 'minute'], [86400, 'hour'], [86400 * 30, 'day'],
    [86400 * 365, 'month'], [Infinity, 'year']];
const STEP_SECONDS = { second: 1, minute: 60, hour: 3600, day: 86400, month: 86400 * 30, year: 86400 * 365 };

/** Unix seconds relative to now: "in 5 minutes", "3 hours ago", "yesterday" (zh-CN "5分钟后"). */
export function formatRelative(epochSeconds, now = Date.now() / 1000) {
    if (!isNum(epochSeconds) || !isNum(now)) return DASH;
    const diff = epochSeconds - now;
    const [, name] = RELATIVE_STEPS.find(([limit]) => Math.abs(diff) < limit);
    return intl(Intl.RelativeTimeFormat, { numeric: 'auto' }).format(Math.round(diff / STEP_SECONDS[name]), name);
}

/** true/false -> "Yes"/"No"; anything else -> "—". */
export function formatBool(v) {
    if (v === true) return t('common.yes');
    if (v === false) return t('common.no');
    return DASH;
}

/** Empty or missing text -> "—". */
export function orDash(v) {
    if (v === null || v === undefined) return DASH;
    const s = String(v);
    return s === '' ? DASH : s;
}
