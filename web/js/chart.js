// SPDX-License-Identifier: LGPL-2.1-or-later
// chart.js — wraps uPlot (web/vendor/uplot, copied from npm by the Makefile) for the
// metrics graphs: one time-series line chart per call, its colours read from the page's
// CSS custom properties (so the light and dark themes apply; re-read on a scheme change),
// its width kept to its box's (a ResizeObserver), axis values in the unit the view gives.
// CSP: uPlot builds its DOM with createElement and sets element.style through CSSOM,
// which style-src 'self' allows; its CSS comes as a <link>. Browser main thread; loaded
// on first use by views/metrics-graphs.js.

import uPlot from '../vendor/uplot/uPlot.esm.js';

const CSS_ID = 'uplot-css';
const HEIGHT = 180;

/** Adds uPlot.min.css to the page once (a <link>: allowed by style-src 'self'). */
function ensureStylesheet() {
    if (document.getElementById(CSS_ID)) return;
    const link = document.createElement('link');
    link.id = CSS_ID;
    link.rel = 'stylesheet';
    link.href = new URL('../vendor/uplot/uPlot.min.css', import.meta.url).href;
    document.head.append(link);
}

function cssVar(el, name, fallback) {
    const v = getComputedStyle(el).getPropertyValue(name).trim();
    return v || fallback;
}

/**
 * A line chart in `box`. spec: {series: [{label, color (a CSS custom property name)}],
 * axis(value) -> text of a value on the y axis, value(v) -> text of a value in the
 * legend (hover), minTop: the least top of the y axis, xRange() -> [from, to] unix
 * seconds shown}. data: uPlot columns [xs, ...ys]. spec's functions are read at each
 * draw. Returns {setData(data), destroy()}.
 */
export function lineChart(box, spec, data) {
    ensureStylesheet();
    const colors = () => spec.series.map((s) => cssVar(box, s.color, '#0969da'));
    const opts = () => {
        const text = cssVar(box, '--muted', '#57606a');
        const grid = cssVar(box, '--border-soft', '#eaeef2');
        const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
        const cs = colors();
        return {
            width: Math.max(200, box.clientWidth || 300),
            height: HEIGHT,
            cursor: { drag: { x: false, y: false } },
            legend: { live: true },
            scales: {
                x: { time: true, range: () => spec.xRange() },
                y: { range: (u, lo, hi) => [Math.min(0, lo ?? 0), Math.max(hi ?? 1, spec.minTop ?? 1)] },
            },
            axes: [
                { ...axis },
                { ...axis, size: 72, values: (u, vals) => vals.map((v) => spec.axis(v)) },
            ],
            series: [
                {},
                ...spec.series.map((s, i) => ({
                    label: s.label, stroke: cs[i], width: 1.5, spanGaps: false, points: { show: false },
                    value: (u, v) => spec.value(v),
                })),
            ],
        };
    };
    let plot = new uPlot(opts(), data, box);
    let last = data;
    const resize = new ResizeObserver(() => {
        const w = Math.max(200, box.clientWidth);
        if (plot && w !== plot.width) plot.setSize({ width: w, height: HEIGHT });
    });
    resize.observe(box);
    const scheme = window.matchMedia?.('(prefers-color-scheme: dark)');
    const rebuild = () => {
        plot.destroy();
        plot = new uPlot(opts(), last, box);
    };
    scheme?.addEventListener('change', rebuild);
    return {
        setData(d) {
            last = d;
            plot.setData(d);
        },
        destroy() {
            resize.disconnect();
            scheme?.removeEventListener('change', rebuild);
            plot.destroy();
            plot = null;
        },
    };
}
