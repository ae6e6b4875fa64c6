// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/sparkline.test.mjs — web/js/sparkline.js path builder.
import test from 'node:test';
import assert from 'node:assert/strict';
import { sparklinePoints, sparklinePath, sparklineArea } from '../../web/js/sparkline.js';

const OPTS = { width: 100, height: 20, capacity: 11, max: 100, pad: 0 };

test('no samples give no path', () => {
    assert.deepEqual(sparklinePoints([], OPTS), []);
    assert.equal(sparklinePath([], OPTS), '');
    assert.equal(sparklineArea([], OPTS), '');
});

test('newest sample is at the right edge, older ones step left', () => {
    const pts = sparklinePoints([0, 50, 100], OPTS);
    assert.deepEqual(pts, [[80, 20], [90, 10], [100, 0]]);
    assert.equal(sparklinePath([0, 50, 100], OPTS), 'M80,20L90,10L100,0');
});

test('a single sample still draws a short flat segment', () => {
    assert.equal(sparklinePath([25], OPTS), 'M90,15L100,15');
});

test('only the last `capacity` samples are drawn and the first one starts at x=0', () => {
    const values = Array.from({ length: 30 }, (_, i) => i);
    const pts = sparklinePoints(values, OPTS);
    assert.equal(pts.length, 11);
    assert.equal(pts[0][0], 0);
    assert.equal(pts[10][0], 100);
});

test('values above max rescale the line; bad values count as 0', () => {
    const pts = sparklinePoints([200, 100, NaN, -5], OPTS);
    assert.deepEqual(pts.map((p) => p[1]), [0, 10, 20, 20]);
});

test('padding keeps the stroke inside the box', () => {
    const pts = sparklinePoints([0, 100], { ...OPTS, pad: 2 });
    assert.deepEqual(pts.map((p) => p[1]), [18, 2]);
});

test('the area closes down to the bottom edge', () => {
    assert.equal(sparklineArea([0, 100], OPTS), 'M90,20L100,0L100,20L90,20Z');
});

test('coordinates are rounded to two decimals', () => {
    const d = sparklinePath([33.333, 66.666], { width: 120, height: 28, capacity: 150, max: 100, pad: 1 });
    for (const n of d.match(/-?\d+(\.\d+)?/g)) assert.ok((n.split('.')[1] || '').length <= 2, n);
});
