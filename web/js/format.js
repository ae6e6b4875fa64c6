// format.js — turns numbers from the API into short human text (sizes, rates,
// percentages, durations, clock times). Pure: no DOM, imported by views and tests.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
export const DASH = '\u2014';

function isNum(v) {
    return typeof v === 'number' && Number.isFinite(v);
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
    if (i === 0) return `${Math.round(v)} B`;
    const rounded = v >= 100 ? Math.round(v) : Math.round(v * 10) / 10;
    const text = Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
    return `${text} ${UNITS[i]}`;
}

/** Sizes the API gives in KiB (memory_kib, ...). */
export function formatKiB(kib) {
    if (!isNum(kib) || kib < 0) return DASH;
    return formatBytes(kib * 1024);
}

/** Bytes per second -> "4 KiB/s". */
export function formatRate(bps) {
    const b = formatBytes(bps);
    return b === DASH ? DASH : `${b}/s`;
}

/** 12.345 -> "12.3%"; clamps below at 0; bad input -> "—". */
export function formatPercent(p) {
    if (!isNum(p)) return DASH;
    return `${Math.max(0, p).toFixed(1)}%`;
}

/** Seconds -> "45 s", "3 min", "2 h 5 min", "3 d 4 h". */
export function formatDuration(seconds) {
    if (!isNum(seconds) || seconds < 0) return DASH;
    const s = Math.round(seconds);
    if (s < 60) return `${s} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min`;
    const h = Math.floor(m / 60);
    if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
    const d = Math.floor(h / 24);
    return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** MHz -> "1.4 GHz" or "800 MHz". */
export function formatMhz(mhz) {
    if (!isNum(mhz) || mhz <= 0) return DASH;
    if (mhz >= 1000) return `${(Math.round(mhz / 100) / 10).toFixed(1)} GHz`;
    return `${Math.round(mhz)} MHz`;
}

function pad2(n) {
    return String(n).padStart(2, '0');
}

/** Unix seconds -> local "HH:MM" (or "YYYY-MM-DD HH:MM" when not on the day of now). */
export function formatClock(epochSeconds, now = Date.now() / 1000) {
    if (!isNum(epochSeconds)) return DASH;
    const d = new Date(epochSeconds * 1000);
    const n = new Date(now * 1000);
    const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
    const sameDay = d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() &&
        d.getDate() === n.getDate();
    if (sameDay) return hm;
    return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${hm}`;
}

/** true/false -> "Yes"/"No"; anything else -> "—". */
export function formatBool(v) {
    if (v === true) return 'Yes';
    if (v === false) return 'No';
    return DASH;
}

/** Empty or missing text -> "—". */
export function orDash(v) {
    if (v === null || v === undefined) return DASH;
    const s = String(v);
    return s === '' ? DASH : s;
}
