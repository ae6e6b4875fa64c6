// SPDX-License-Identifier: LGPL-2.1-or-later
// sparkline.js — builds SVG path data for the CPU sparklines. Pure: no DOM.
// The newest sample sits at the right edge; older ones step left by
// width / (capacity - 1), so a fresh history grows in from the right.

function round2(v) {
    return Math.round(v * 100) / 100;
}

/**
 * Points of the line, oldest first: [[x, y], ...].
 * opts: width, height (viewBox units), capacity (samples that fill the width),
 * max (value at the top; the largest sample wins if bigger), pad (keeps the stroke
 * inside the box). Non-finite samples count as 0.
 */
export function sparklinePoints(values, opts = {}) {
    const { width = 100, height = 24, capacity = 150, max = 100, pad = 1 } = opts;
    const n = Math.min(values.length, capacity);
    if (n === 0) return [];
    const tail = values.slice(values.length - n).map((v) => (Number.isFinite(v) ? Math.max(0, v) : 0));
    const top = Math.max(max, ...tail) || 1;
    const step = capacity > 1 ? width / (capacity - 1) : width;
    const inner = Math.max(0, height - 2 * pad);
    const pts = tail.map((v, i) => [
        round2(width - (n - 1 - i) * step),
        round2(pad + inner - (v / top) * inner),
    ]);
    if (pts.length === 1) pts.unshift([round2(width - step), pts[0][1]]);
    return pts;
}

/** The line as path data ("M..L.."), or "" with no samples. */
export function sparklinePath(values, opts = {}) {
    const pts = sparklinePoints(values, opts);
    if (pts.length === 0) return '';
    return pts.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x},${y}`).join('');
}

/** The same line closed down to the bottom edge, for a filled area, or "". */
export function sparklineArea(values, opts = {}) {
    const pts = sparklinePoints(values, opts);
    if (pts.length === 0) return '';
    const height = opts.height ?? 24;
    const first = pts[0][0];
    const last = pts[pts.length - 1][0];
    return `${sparklinePath(values, opts)}L${last},${height}L${first},${height}Z`;
}
