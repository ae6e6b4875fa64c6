// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/metrics-series.test.mjs — web/js/metrics-series.js: ranges, API series to
// chart columns with gaps, the live tail merged onto the history, axis units, summaries
// and the top-N of a stats message.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
    RANGES, rangeQuery, cleanPoints, mergeTail, pushTail, toColumns, summarize, axisUnit, axisValue, topN, livePoints,
} from '../../web/js/metrics-series.js';

test('a range is from/to/step ending now, whole seconds', () => {
    assert.deepEqual(rangeQuery('1h', 10000.7), { from: 6400, to: 10000, step: 10 });
    assert.deepEqual(rangeQuery('24h', 100000), { from: 100000 - 86400, to: 100000, step: 60 });
    assert.deepEqual(rangeQuery('7d', 1e6), { from: 1e6 - 604800, to: 1e6, step: 600 });
    assert.deepEqual(rangeQuery('30d', 3e6), { from: 3e6 - 2592000, to: 3e6, step: 3600 });
    assert.deepEqual(Object.keys(RANGES), ['1h', '24h', '7d', '30d']);
    assert.throws(() => rangeQuery('2h', 0), RangeError);
});

test('API points are sorted, one per time, no figure stays null (never 0)', () => {
    assert.deepEqual(cleanPoints([[30, 3], [10, 1], [20, null], [10, 5], ['x', 1], [40], null]),
        [[10, 5], [20, null], [30, 3], [40, null]]);
    assert.deepEqual(cleanPoints(undefined), []);
    assert.deepEqual(cleanPoints({}), []);
});

test('the live tail goes after the history: no duplicates, nothing out of order, nothing before the range', () => {
    const history = [[100, 1], [110, 2], [120, 3]];
    const tail = [[90, 9], [120, 99], [125, 4], [123, 7], [130, 5]];
    assert.deepEqual(mergeTail(history, tail), [[100, 1], [110, 2], [120, 3], [123, 7], [125, 4], [130, 5]]);
    assert.deepEqual(mergeTail(history, tail, 105), [[110, 2], [120, 3], [123, 7], [125, 4], [130, 5]]);
    assert.deepEqual(mergeTail([], [[5, 1], [5, 2], [6, 3]]), [[5, 2], [6, 3]]);
    // the inputs are not changed
    assert.deepEqual(history, [[100, 1], [110, 2], [120, 3]]);
});

test('pushTail keeps only newer points and drops those before the range', () => {
    const tail = [];
    pushTail(tail, [10, 1]);
    pushTail(tail, [10, 2]);
    pushTail(tail, [8, 3]);
    pushTail(tail, [12, NaN]);
    pushTail(tail, [null, 4]);
    assert.deepEqual(tail, [[10, 1], [12, null]]);
    pushTail(tail, [20, 5], 11);
    assert.deepEqual(tail, [[12, null], [20, 5]]);
});

test('columns: the union of times, a missing series is nulls, a gap over 2 steps breaks the line', () => {
    const series = {
        disk_rd_bps: [[0, 1], [10, 2], [20, 3], [60, 4], [70, 5]],
        disk_wr_bps: [[0, 6], [10, 7], [30, 8], [60, 9]],
    };
    const [xs, rd, wr, none] = toColumns(series, ['disk_rd_bps', 'disk_wr_bps', 'absent'], 10);
    // 30 -> 60 is 3 steps: a null at 40; 0..30 at 10 s steps is no gap
    assert.deepEqual(xs, [0, 10, 20, 30, 40, 60, 70]);
    assert.deepEqual(rd, [1, 2, 3, null, null, 4, 5]);
    assert.deepEqual(wr, [6, 7, null, 8, null, 9, null]);
    assert.deepEqual(none, [null, null, null, null, null, null, null]);
    // exactly 2 steps apart is no gap
    assert.deepEqual(toColumns({ a: [[0, 1], [20, 2]] }, ['a'], 10), [[0, 20], [1, 2]]);
    assert.deepEqual(toColumns({}, ['a'], 10), [[], []]);
});

test('summary: min, avg, max, last over the figures; none gives null', () => {
    assert.deepEqual(summarize([[1, 4], [2, null], [3, 2], [4, 6]]), { min: 2, avg: 4, max: 6, last: 6, count: 3 });
    assert.equal(summarize([[1, null]]), null);
    assert.equal(summarize([]), null);
    assert.equal(summarize(undefined), null);
});

test('axis units: %, KiB to MiB/GiB, B/s to KiB/s/MiB/s', () => {
    assert.deepEqual(axisUnit('percent', 350), { divisor: 1, unit: '%' });
    assert.deepEqual(axisUnit('count', 3), { divisor: 1, unit: '' });
    assert.deepEqual(axisUnit('kib', 512), { divisor: 1, unit: 'KiB' });
    assert.deepEqual(axisUnit('kib', 2048), { divisor: 1024, unit: 'MiB' });
    assert.deepEqual(axisUnit('kib', 8 * 1024 * 1024), { divisor: 1024 * 1024, unit: 'GiB' });
    assert.deepEqual(axisUnit('bps', 100), { divisor: 1, unit: 'B/s' });
    assert.deepEqual(axisUnit('bps', 5000), { divisor: 1024, unit: 'KiB/s' });
    assert.deepEqual(axisUnit('bps', 3 * 1024 * 1024), { divisor: 1024 * 1024, unit: 'MiB/s' });
    assert.deepEqual(axisUnit('bps', NaN), { divisor: 1, unit: 'B/s' });
    assert.equal(axisValue(1536, { divisor: 1024 }), '1.5');
    assert.equal(axisValue(512 * 1024, { divisor: 1024 }), '512');
    assert.equal(axisValue(null, { divisor: 1 }), '');
});

test('top-N by CPU, memory, disk and network leaves out VMs without the figure', () => {
    const entries = [
        { uuid: 'a', cpu_percent: 10, memory_resident_kib: 100, disk_rd_bps: 1, disk_wr_bps: 1, net_rx_bps: 5, net_tx_bps: null },
        { uuid: 'b', cpu_percent: null, memory_resident_kib: null, memory_used_kib: 300, disk_rd_bps: 10, disk_wr_bps: 0 },
        { uuid: 'c', cpu_percent: 30, memory_resident_kib: 200, disk_rd_bps: 0, disk_wr_bps: 0, net_rx_bps: 1, net_tx_bps: 1 },
        { uuid: 'd', cpu_percent: 10 },
        null,
    ];
    assert.deepEqual(topN(entries, 'cpu'), [{ uuid: 'c', value: 30 }, { uuid: 'a', value: 10 }, { uuid: 'd', value: 10 }]);
    assert.deepEqual(topN(entries, 'cpu', 1), [{ uuid: 'c', value: 30 }]);
    assert.deepEqual(topN(entries, 'memory').map((r) => r.uuid), ['b', 'c', 'a']);
    assert.deepEqual(topN(entries, 'disk'), [{ uuid: 'b', value: 10 }, { uuid: 'a', value: 2 }, { uuid: 'c', value: 0 }]);
    assert.deepEqual(topN(entries, 'net'), [{ uuid: 'c', value: 2 }]);
    assert.deepEqual(topN(Array.from({ length: 9 }, (_, i) => ({ uuid: `v${i}`, cpu_percent: i })), 'cpu').map((r) => r.value),
        [8, 7, 6, 5, 4]);
    assert.throws(() => topN(entries, 'gpu'), RangeError);
});

test('live points: the finite figures of a stats entry; the host memory used from total - free', () => {
    assert.deepEqual(livePoints({ cpu_percent: 5, memory_used_kib: null, net_rx_bps: 0 }, ['cpu_percent', 'memory_used_kib', 'net_rx_bps'], 50),
        { cpu_percent: [50, 5], net_rx_bps: [50, 0] });
    assert.deepEqual(livePoints({ memory_total_kib: 1000, free_memory_kib: 400, load1: 0.5 }, ['memory_used_kib', 'memory_total_kib', 'load1'], 7),
        { memory_used_kib: [7, 600], memory_total_kib: [7, 1000], load1: [7, 0.5] });
    assert.deepEqual(livePoints(null, ['cpu_percent'], 1), {});
});
