// SPDX-License-Identifier: LGPL-2.1-or-later
// views/metrics-graphs.js — the graphs of a VM (its page's Monitoring tab: CPU, memory,
// disk I/O, network I/O) or of the host (the host panel's Graphs: CPU, memory, load,
// with the top 5 VMs by CPU, memory, disk and network from the newest stats message).
// Range buttons 1 h / 24 h / 7 d / 30 d (aria-pressed) read the history
// (GET /api/domains/{uuid}/metrics, GET /api/host/metrics); on 1 h the events socket's
// stats messages (state.js lastStats) are appended as they come. Each graph is a
// <figure> named by its title: the chart (uPlot through chart.js, loaded on first use;
// values on hover in its legend) and a <figcaption>, the text summary per series (min,
// average, max, last, or "no data": no figure is never drawn as 0). Pure data work is
// metrics-series.js. When a range's graphs have their data, the section gets
// data-rendered="<range>" and a performance mark "metrics-rendered" (the graph bench's
// signal). Browser main thread.

import { h, setText, importGraph } from './dom.js';
import { t } from '../i18n.js';
import { errorText } from '../errors.js';
import { formatKiB, formatNumber, formatPercent, formatRate } from '../format.js';
import { domainHash } from '../router.js';
import { RANGES, rangeQuery, mergeTail, pushTail, toColumns, summarize, axisUnit, axisValue, topN, livePoints } from '../metrics-series.js';

/** The graphs of a VM: id, title, unit kind and the series (key, label, colour variable); texts read when shown. */
const DOMAIN_CHARTS = [
    { id: 'cpu', title: () => t('metrics.chart.cpu'), kind: 'percent', series: [['cpu_percent', () => t('metrics.series.cpu'), '--chart-1'],
        ['steal_percent', () => t('metrics.series.steal'), '--chart-2']] },
    { id: 'memory', title: () => t('metrics.chart.memory'), kind: 'kib', series: [['memory_used_kib', () => t('metrics.series.memory-used'), '--chart-1'],
        ['memory_resident_kib', () => t('metrics.series.memory-resident'), '--chart-2']] },
    { id: 'disk', title: () => t('metrics.chart.disk'), kind: 'bps', series: [['disk_rd_bps', () => t('metrics.series.disk-read'), '--chart-1'],
        ['disk_wr_bps', () => t('metrics.series.disk-write'), '--chart-2']] },
    { id: 'net', title: () => t('metrics.chart.net'), kind: 'bps', series: [['net_rx_bps', () => t('metrics.series.net-rx'), '--chart-1'],
        ['net_tx_bps', () => t('metrics.series.net-tx'), '--chart-2']] },
];

const HOST_CHARTS = [
    { id: 'cpu', title: () => t('metrics.chart.cpu'), kind: 'percent', series: [['cpu_percent', () => t('metrics.series.cpu'), '--chart-1']] },
    { id: 'memory', title: () => t('metrics.chart.memory'), kind: 'kib', series: [['memory_used_kib', () => t('metrics.series.memory-used'), '--chart-1'],
        ['memory_total_kib', () => t('metrics.series.memory-total'), '--chart-2']] },
    { id: 'load', title: () => t('metrics.chart.load'), kind: 'count', series: [['load1', () => t('metrics.series.load1'), '--chart-1']] },
];

const TOP_FIGURES = [
    ['cpu', () => t('metrics.top.cpu'), 'percent'], ['memory', () => t('metrics.top.memory'), 'kib'],
    ['disk', () => t('metrics.top.disk'), 'bps'], ['net', () => t('metrics.top.net'), 'bps'],
];

const RANGE_LABELS = {
    '1h': () => t('metrics.range.1h'), '24h': () => t('metrics.range.24h'), '7d': () => t('metrics.range.7d'), '30d': () => t('metrics.range.30d'),
};

/** A value in its unit, as the text summary and the hover legend show it. */
export function formatFigure(kind, v) {
    if (!Number.isFinite(v)) return '\u2014';
    if (kind === 'percent') return formatPercent(v);
    if (kind === 'kib') return formatKiB(v);
    if (kind === 'bps') return formatRate(v);
    return formatNumber(v, 2);
}

let seq = 0;

export class MetricsGraphs {
    /**
     * ctx: {api, store}; target: {uuid} for a VM, {host: true} for the host. The object
     * also serves as a detail tab (mount/update/connect/suspend/destroy).
     */
    constructor(ctx, target) {
        this.ctx = ctx;
        this.store = ctx.store;
        this.uuid = target.host ? null : target.uuid;
        this.charts = this.uuid ? DOMAIN_CHARTS : HOST_CHARTS;
        this.range = '1h';
        this.history = {};
        this.step = RANGES[this.range].step;
        this.tail = {};
        this.lastAt = 0;
        this.loadSeq = 0;
        this.figures = [];
        this.unsub = null;
        this.active = true;
        this.id = `metrics-${++seq}`;
    }

    mount(panel) {
        this.buttons = Object.keys(RANGES).map((r) => h('button', {
            type: 'button', class: 'btn btn-sm range-btn', 'aria-pressed': r === this.range ? 'true' : 'false',
            dataset: { range: r }, text: RANGE_LABELS[r](),
        }));
        const group = h('div', { class: 'range-buttons', role: 'group', 'aria-label': t('metrics.range.label') }, this.buttons);
        group.addEventListener('click', (ev) => {
            const b = ev.target.closest('button[data-range]');
            if (b) this.setRange(b.dataset.range);
        });
        this.status = h('p', { class: 'metrics-status muted', role: 'status' });
        this.figures = this.charts.map((spec) => this.#figure(spec));
        const titleId = `${this.id}-title`;
        this.root = h('section', { class: 'card metrics', 'aria-labelledby': titleId },
            h('div', { class: 'section-head' },
                h('h2', { id: titleId, class: 'card-title', text: this.uuid ? t('metrics.title') : t('metrics.host.title') }), group),
            h('div', { class: 'metrics-body' }, this.status, h('div', { class: 'metrics-grid' }, this.figures.map((f) => f.el))));
        if (!this.uuid) {
            this.top = this.#topTables();
            this.root.lastChild.append(this.top.el);
        }
        panel.replaceChildren(this.root);
        this.unsub = this.store.on('changed', (c) => this.#onChange(c));
        this.#takeLive();
        this.load();
    }

    #figure(spec) {
        const fig = { spec, box: h('div', { class: 'metrics-chart', 'aria-hidden': 'true' }), chart: null, summary: h('ul', { class: 'metrics-summary' }) };
        const titleId = `${this.id}-${spec.id}`;
        fig.el = h('figure', { class: 'metrics-figure', 'aria-labelledby': titleId, dataset: { chart: spec.id } },
            h('h3', { id: titleId, class: 'metrics-figure-title', text: spec.title() }),
            fig.box,
            h('figcaption', {}, fig.summary));
        return fig;
    }

    #topTables() {
        const tables = TOP_FIGURES.map(([by, title, kind]) => {
            const tbody = h('tbody');
            const table = h('table', { class: 'rtable metrics-top-table', dataset: { top: by } },
                h('caption', { text: title() }),
                h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('metrics.top.vm') }),
                    h('th', { scope: 'col', class: 'col-num', text: t('metrics.top.value') }))),
                tbody);
            return { by, kind, tbody, el: h('div', { class: 'table-wrap' }, table) };
        });
        const el = h('div', { class: 'metrics-top' }, h('h3', { class: 'metrics-figure-title', text: t('metrics.top.title') }),
            h('div', { class: 'metrics-top-grid' }, tables.map((x) => x.el)));
        return { el, tables };
    }

    /** Chooses a range: reads its history; only 1 h gets the live tail. */
    setRange(range) {
        if (!RANGES[range] || range === this.range) return;
        this.range = range;
        for (const b of this.buttons) b.setAttribute('aria-pressed', b.dataset.range === range ? 'true' : 'false');
        this.load();
    }

    async load() {
        const my = ++this.loadSeq;
        const q = rangeQuery(this.range, Date.now() / 1000);
        setText(this.status, t('common.loading'));
        try {
            const res = this.uuid ? await this.ctx.api.domainMetrics(this.uuid, q) : await this.ctx.api.hostMetrics(q);
            if (my !== this.loadSeq || !this.root?.isConnected) return;
            this.history = res && typeof res.series === 'object' && res.series ? res.series : {};
            this.step = Number.isFinite(res?.step) && res.step > 0 ? res.step : q.step;
            setText(this.status, this.range === '1h' ? t('metrics.live') : '');
        } catch (err) {
            if (my !== this.loadSeq || err.status === 401) return;
            this.history = {};
            setText(this.status, t('metrics.load-failed', { error: errorText(err) }));
        }
        await this.#render();
    }

    /** The series of the chosen range: the history, and on 1 h the live tail after it. */
    #seriesOf(spec, from) {
        const out = {};
        for (const [key] of spec.series) {
            out[key] = this.range === '1h' ? mergeTail(this.history[key], this.tail[key], from) : (this.history[key] || []);
        }
        return out;
    }

    async #render() {
        if (!this.root?.isConnected) return;
        if (!this.chartMod) {
            try {
                this.chartMod = await importGraph(() => import('../chart.js'));
            } catch {
                this.chartMod = null;
            }
            if (!this.root?.isConnected) return;
        }
        const { from, to } = rangeQuery(this.range, Date.now() / 1000);
        this.shown = [from, to];
        for (const fig of this.figures) {
            const { spec } = fig;
            const series = this.#seriesOf(spec, from);
            const keys = spec.series.map(([k]) => k);
            const [xs, ...ys] = toColumns(series, keys, this.step);
            let max = 0;
            for (const col of ys) for (const v of col) if (Number.isFinite(v) && v > max) max = v;
            // the chart gets the values in the axis's unit, so its ticks are round numbers of it
            const unit = axisUnit(spec.kind, max);
            fig.unit = unit;
            const data = [xs, ...ys.map((col) => col.map((v) => (v === null ? null : v / unit.divisor)))];
            // the oldest time with a figure (unix seconds; "" for none): what a test of the kept history reads
            const firstAt = xs.find((x, i) => ys.some((col) => col[i] !== null));
            fig.el.dataset.first = firstAt === undefined ? '' : String(firstAt);
            fig.summary.replaceChildren(...spec.series.map(([key, label]) => {
                const s = summarize(series[key]);
                const f = (v) => formatFigure(spec.kind, v);
                return h('li', { dataset: { series: key } }, s
                    ? t('metrics.summary', { series: label(), min: f(s.min), avg: f(s.avg), max: f(s.max), last: f(s.last) })
                    : t('metrics.summary.none', { series: label() }));
            }));
            if (!this.chartMod) continue;
            if (!fig.chart) {
                fig.chartSpec = {
                    series: spec.series.map(([, label, color]) => ({ label: label(), color })),
                    axis: (v) => `${axisValue(v, { divisor: 1 })}${fig.unit.unit && fig.unit.unit !== '%' ? ' ' : ''}${fig.unit.unit}`,
                    value: (v) => formatFigure(spec.kind, Number.isFinite(v) ? v * fig.unit.divisor : v),
                    minTop: spec.kind === 'percent' ? 100 : 1,
                    xRange: () => this.shown,
                };
                fig.chart = this.chartMod.lineChart(fig.box, fig.chartSpec, data);
            } else {
                fig.chart.setData(data);
            }
        }
        // every graph of this range has its data (uPlot draws in a microtask): what the
        // graph bench (tests/bench/metrics/graph-render.mjs) waits for, then one frame
        this.root.dataset.rendered = this.range;
        performance.mark('metrics-rendered', { detail: this.range });
    }

    /** A new stats message: the live tail (1 h) and the top-N. Returns whether one was new. */
    #takeLive() {
        const msg = this.store.lastStats;
        if (!msg || msg.at_ms <= this.lastAt) return false;
        this.lastAt = msg.at_ms;
        const at = msg.at_ms / 1000;
        const entry = this.uuid ? msg.domains.find((d) => d && d.uuid === this.uuid) : msg.host;
        const keys = this.charts.flatMap((c) => c.series.map(([k]) => k));
        const pts = livePoints(entry, keys, at);
        const from = at - RANGES['1h'].seconds;
        for (const k of keys) {
            this.tail[k] = this.tail[k] || [];
            // a key without a figure now still ends the line here (a VM that stopped)
            pushTail(this.tail[k], pts[k] || [at, null], from);
        }
        if (this.top) this.#renderTop(msg.domains);
        return true;
    }

    #renderTop(entries) {
        for (const tb of this.top.tables) {
            const rows = topN(entries, tb.by, 5);
            if (!rows.length) {
                tb.tbody.replaceChildren(h('tr', {}, h('td', { colspan: '2', class: 'muted', text: t('metrics.top.none') })));
                continue;
            }
            tb.tbody.replaceChildren(...rows.map((r) => {
                const name = this.store.domains.get(r.uuid)?.name || entries.find((e) => e?.uuid === r.uuid)?.name || r.uuid;
                return h('tr', {},
                    h('td', { 'data-label': t('metrics.top.vm') }, h('a', { href: domainHash(r.uuid), text: name })),
                    h('td', { class: 'col-num', 'data-label': t('metrics.top.value'), text: formatFigure(tb.kind, r.value) }));
            }));
        }
    }

    #onChange(c) {
        if (!this.active || !(c.stats.length || c.host)) return;
        if (this.#takeLive() && this.range === '1h') this.#render();
    }

    // ---- as a detail tab (detail-tabs.js) ----

    update() {}

    connect() {
        this.active = true;
        this.load();
    }

    suspend() {
        this.active = false;
    }

    destroy() {
        this.unsub?.();
        this.unsub = null;
        for (const f of this.figures) f.chart?.destroy();
        this.figures = [];
        this.root?.remove();
    }
}

/** The VM page's Monitoring tab (detail-tabs.js): ctx, vm {uuid, name}. */
export class DomainMetricsView extends MetricsGraphs {
    constructor(ctx, vm) {
        super(ctx, { uuid: vm.uuid });
    }
}
