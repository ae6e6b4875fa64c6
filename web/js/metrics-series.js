// SPDX-License-Identifier: LGPL-2.1-or-later
// metrics-series.js — pure helpers behind the graphs (views/metrics-graphs.js): a range
// ("1h", "24h", "7d", "30d") as the history routes' from/to/step, the routes' series
// ({"cpu_percent": [[t, v], ...]}, t in unix seconds) as chart columns with a null where
// a gap breaks the line, the live tail (the events socket's stats messages) merged onto
// the history without duplicates or points out of order, axis units, the min/avg/max/last
// summary the text under a graph reads, and the top-N of VMs from a stats message.
// No DOM, no i18n: imported by the views and by tests/web/metrics-series.test.mjs.

/** The ranges a graph offers, in seconds, and the step asked for (about 360-1,440 points). */
export const RANGES = Object.freeze({
    '1h': { seconds: 3600, step: 10 },
    '24h': { seconds: 86400, step: 60 },
    '7d': { seconds: 7 * 86400, step: 600 },
    '30d': { seconds: 30 * 86400, step: 3600 },
});

/** The query of a range ending at nowSec: {from, to, step} in whole seconds. */
export function rangeQuery(range, nowSec) {
    const r = RANGES[range];
    if (!r) throw new RangeError(`unknown range ${range}`);
    const to = Math.floor(nowSec);
    return { from: to - r.seconds, to, step: r.step };
}

function finitePoint(p) {
    return Array.isArray(p) && Number.isFinite(p[0]);
}

/**
 * One series from the API as points sorted by time, one per time (the later of equal
 * times wins), a value that is not a finite number kept as null (no figure, never 0).
 * Anything that is not an array gives [].
 */
export function cleanPoints(points) {
    if (!Array.isArray(points)) return [];
    const byT = new Map();
    for (const p of points) {
        if (!finitePoint(p)) continue;
        byT.set(p[0], Number.isFinite(p[1]) ? p[1] : null);
    }
    return [...byT.entries()].sort((a, b) => a[0] - b[0]);
}

/**
 * The history with the live tail after it: tail points newer than the history's last
 * time, in time order, each time once (the history's own point wins over a tail point
 * at the same time), none before `from` (the range's start) when given.
 */
export function mergeTail(history, tail, from = -Infinity) {
    const out = cleanPoints(history).filter((p) => p[0] >= from);
    let last = out.length ? out[out.length - 1][0] : -Infinity;
    for (const p of cleanPoints(tail)) {
        if (p[0] <= last || p[0] < from) continue;
        out.push(p);
        last = p[0];
    }
    return out;
}

/**
 * Appends one point to a live tail (an array it changes): only a newer time; drops
 * points older than `from`. Returns the tail.
 */
export function pushTail(tail, point, from = -Infinity) {
    if (!finitePoint(point)) return tail;
    const last = tail.length ? tail[tail.length - 1][0] : -Infinity;
    if (point[0] > last) tail.push([point[0], Number.isFinite(point[1]) ? point[1] : null]);
    let drop = 0;
    while (drop < tail.length && tail[drop][0] < from) drop++;
    if (drop) tail.splice(0, drop);
    return tail;
}

/**
 * Chart columns (uPlot's data: [xs, ys1, ys2, ...]) of the named series of `series`
 * (an object of point lists; a missing series gives a column of nulls). The times are
 * the union of all the series' times; where two neighbouring times lie more than
 * 2 * step apart (a missing interval: the daemon was down, the VM off) a null row is
 * put between them so the line breaks instead of bridging the gap.
 */
export function toColumns(series, keys, step) {
    const lists = keys.map((k) => cleanPoints(series?.[k]));
    const times = [...new Set(lists.flatMap((l) => l.map((p) => p[0])))].sort((a, b) => a - b);
    const xs = [];
    for (let i = 0; i < times.length; i++) {
        if (i > 0 && Number.isFinite(step) && step > 0 && times[i] - times[i - 1] > 2 * step) xs.push(times[i - 1] + step);
        xs.push(times[i]);
    }
    const columns = lists.map((l) => {
        const byT = new Map(l);
        return xs.map((x) => (byT.has(x) ? byT.get(x) : null));
    });
    return [xs, ...columns];
}

/** {min, avg, max, last, count} over a series' finite values, or null when it has none. */
export function summarize(points) {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let count = 0;
    let last = null;
    for (const p of cleanPoints(points)) {
        const v = p[1];
        if (!Number.isFinite(v)) continue;
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
        count++;
        last = v;
    }
    return count ? { min, avg: sum / count, max, last, count } : null;
}

const SIZE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
const RATE_UNITS = ['B/s', 'KiB/s', 'MiB/s', 'GiB/s', 'TiB/s', 'PiB/s'];

/**
 * The unit an axis shows for values up to `max`: {divisor, unit}. kind: 'percent' (%),
 * 'kib' (KiB from the API -> KiB/MiB/GiB/TiB), 'bps' (B/s -> KiB/s, MiB/s, GiB/s;
 * binary like the rest of the UI), 'count' (load, requests/s: as they are).
 */
export function axisUnit(kind, max) {
    if (kind === 'percent') return { divisor: 1, unit: '%' };
    if (kind === 'count') return { divisor: 1, unit: '' };
    const m = Number.isFinite(max) && max > 0 ? max : 0;
    const units = kind === 'kib' ? SIZE_UNITS : RATE_UNITS;
    let i = kind === 'kib' ? 1 : 0;
    let divisor = 1;
    while (m / divisor >= 1024 && i < units.length - 1) {
        divisor *= 1024;
        i++;
    }
    return { divisor, unit: units[i] };
}

/** A value on the axis: value / divisor with at most one decimal below 10 ("1.5", "512"). */
export function axisValue(v, { divisor }) {
    if (!Number.isFinite(v)) return '';
    const x = v / divisor;
    return String(Math.abs(x) < 10 && x !== Math.round(x) ? Math.round(x * 10) / 10 : Math.round(x));
}

/**
 * The top `n` VMs of a stats message's domain entries by one figure: 'cpu' (cpu_percent),
 * 'memory' (memory_resident_kib, else memory_used_kib), 'disk' (disk_rd_bps + disk_wr_bps),
 * 'net' (net_rx_bps + net_tx_bps). Entries without the figure are left out (no figure is
 * not 0). Returns [{uuid, value}] largest first (equal values by uuid).
 */
export function topN(entries, by, n = 5) {
    const sum = (a, b) => (Number.isFinite(a) && Number.isFinite(b) ? a + b : null);
    const figure = {
        cpu: (e) => e.cpu_percent,
        memory: (e) => (Number.isFinite(e.memory_resident_kib) ? e.memory_resident_kib : e.memory_used_kib),
        disk: (e) => sum(e.disk_rd_bps, e.disk_wr_bps),
        net: (e) => sum(e.net_rx_bps, e.net_tx_bps),
    }[by];
    if (!figure) throw new RangeError(`unknown figure ${by}`);
    const rows = [];
    for (const e of entries || []) {
        if (!e || typeof e.uuid !== 'string') continue;
        const value = figure(e);
        if (Number.isFinite(value)) rows.push({ uuid: e.uuid, value });
    }
    rows.sort((a, b) => b.value - a.value || (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
    return rows.slice(0, n);
}

/**
 * The live points a stats entry gives the named series: {key: [t, v]} for each key the
 * entry has a finite number for (at: unix seconds of the message). Derived keys:
 * 'memory_used_kib' of the host from memory_total_kib - free_memory_kib when absent.
 */
export function livePoints(entry, keys, at) {
    const out = {};
    if (!entry || !Number.isFinite(at)) return out;
    for (const k of keys) {
        let v = entry[k];
        if (k === 'memory_used_kib' && !Number.isFinite(v) && Number.isFinite(entry.memory_total_kib) &&
            Number.isFinite(entry.free_memory_kib)) v = Math.max(0, entry.memory_total_kib - entry.free_memory_kib);
        if (Number.isFinite(v)) out[k] = [at, v];
    }
    return out;
}
