// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/bench/metrics/graph-render.mjs — `make bench`: how long a VM's 30-day graphs take
// to appear, and what the history read behind them costs, with 1 h / 24 h / 7 d beside
// them; writes the section of docs/performance.md between <!-- graph-bench --> and
// <!-- /graph-bench --> (the rest is left alone). Here, beside the collection bench
// (run.mjs), because it measures the same feature's other end: what collection stored,
// read back and drawn (tests/bench/web/ is about what the UI costs the network).
//
// Alone: make build && VIRTDECK_BIN=$PWD/build/virtdeck node tests/bench/metrics/graph-render.mjs
//
// 1. A state directory gets 30 days of history for the demo's web-01 and the host, one
//    sample every 10 s (the default metrics_interval) ending now, written by
//    build/tools/metrics_fill (tests/tools/metrics_fill.c: metrics_history_write, the
//    daemon's own history code, so tiers, downsampling and pruning are virtdeck's).
// 2. virtdeck serves that state directory on libvirt's test driver with the demo
//    hypervisor (the cost measured is the history read's and the browser's, not
//    libvirt's); collection once an hour (metrics_interval, metrics_interval_watched), so
//    the graphs draw the filled history and nothing the bench did not write.
// 3. The API alone: GET /api/domains/{uuid}/metrics for each range as the UI asks it
//    (rangeQuery of web/js/metrics-series.js), BENCH_GRAPH_RUNS times each on one
//    keep-alive connection with Accept-Encoding: gzip as a browser sends: time to the
//    whole body, bytes on the wire and decoded, points per series, the tier read.
// 4. The browser (chromium, tests/lib/browser.mjs): per run and range a fresh page logs
//    in and opens web-01's Monitoring tab (1 h, drawn: the chart code is loaded); for
//    the 1 h range the page first switches to 24 h (not timed). Then the range's button
//    is clicked in the page and the time runs from the click to the four graphs drawn
//    and painted: the view's data-rendered="<range>" (metrics-graphs.js sets it once
//    every graph has its data; uPlot draws in a microtask) and then the next frame
//    (requestAnimationFrame + a task). Split: click to the history's response end
//    (Resource Timing) and from there to painted.
// Median and p95 of BENCH_GRAPH_RUNS runs (default 10).
// Env: VIRTDECK_BIN, BENCH_GRAPH_RUNS (10), BENCH_GRAPH_DAYS (30), BENCH_GRAPH_DOC=0
// (print only), VIRTDECK_BROWSER (chromium).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { REPO_ROOT, startDaemon, virtdeckBin } from '../../lib/daemon.mjs';
import { Client } from '../../lib/client.mjs';
import { launchBrowser, login, newPage } from '../../lib/browser.mjs';
import { DEMO_URI } from '../../lib/e2e-setup.mjs';
import { writeDocSection } from '../../lib/bench-doc.mjs';
import { rangeQuery } from '../../../web/js/metrics-series.js';

const RUNS = Number(process.env.BENCH_GRAPH_RUNS || 10);
const DAYS = Number(process.env.BENCH_GRAPH_DAYS || 30);
const WRITE_DOC = process.env.BENCH_GRAPH_DOC !== '0';
const INTERVAL_S = 10;
const DOC = path.join(REPO_ROOT, 'docs', 'performance.md');
const MARK_BEGIN = '<!-- graph-bench -->';
const MARK_END = '<!-- /graph-bench -->';
const UUID = '97e56341-f5b0-4a2a-b12f-373969e93bd3'; // the demo's web-01
const USER = { name: 'graph-bench', role: 'admin', password: 'graph-bench-password-1' };
const ORDER = ['30d', '7d', '24h', '1h'];
const TIMEOUT = 30000;

const log = (...a) => console.log('[graph-bench]', ...a);
const sorted = (a) => [...a].sort((x, y) => x - y);
const median = (a) => { const s = sorted(a); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
/** The nearest-rank p95. */
const p95 = (a) => { const s = sorted(a); return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]; };
const ms = (v) => `${v.toFixed(1)} ms`;
const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;
const num = (n) => n.toLocaleString('en-US');

/** Runs metrics_fill into stateDir: {samples, seconds, points: {tierN: rows}, line}. */
function fill(stateDir) {
    const tool = path.join(path.dirname(virtdeckBin()), 'tools', 'metrics_fill');
    if (!existsSync(tool)) throw new Error(`${tool} not found (run make build)`);
    const r = spawnSync(tool, [stateDir, UUID, String(DAYS), String(INTERVAL_S)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`metrics_fill exited ${r.status}: ${r.stderr}`);
    const line = r.stdout.trim();
    const m = /samples=(\d+) seconds=([\d.]+) points:(.*)/.exec(line);
    if (!m) throw new Error(`metrics_fill said: ${line}`);
    const points = Object.fromEntries([...m[3].matchAll(/tier(\d)=(\d+)/g)].map((x) => [`tier${x[1]}`, Number(x[2])]));
    return { samples: Number(m[1]), seconds: Number(m[2]), points, line };
}

/** One answer's figures: bytes, points per series, tier. */
function answerInfo(r) {
    const gz = r.headers['content-encoding'] === 'gzip';
    const body = gz ? zlib.gunzipSync(r.body) : r.body;
    const json = JSON.parse(body.toString('utf8'));
    const counts = Object.entries(json.series).filter(([k]) => !/_(min|max)$/.test(k)).map(([, v]) => v.length);
    return {
        wire: r.body.length, decoded: body.length, gzip: gz,
        points: Math.max(...counts), minPoints: Math.min(...counts), series: counts.length,
        minMax: Object.keys(json.series).length > counts.length, tier: json.tier, step: json.step,
    };
}

/**
 * GET of the range's history RUNS times (after one untimed), each with the query made
 * at that moment as the UI makes it: {ms[], tiers: {tier: count}, ...answerInfo of an
 * answer from the most frequent tier}.
 */
async function apiRange(client, range) {
    const times = [];
    const byTier = new Map();
    for (let i = 0; i < RUNS + 1; i++) {
        const q = rangeQuery(range, Date.now() / 1000);
        const url = `/api/domains/${UUID}/metrics?${new URLSearchParams({ from: String(q.from), to: String(q.to), step: String(q.step) })}`;
        const t0 = performance.now();
        const r = await client.get(url, { headers: { 'Accept-Encoding': 'gzip' } });
        const t = performance.now() - t0;
        if (r.status !== 200) throw new Error(`GET ${url}: ${r.status} ${r.text}`);
        if (i === 0) continue; // warms SQLite's page cache
        times.push(t);
        const info = answerInfo(r);
        if (!byTier.has(info.tier)) byTier.set(info.tier, { info, n: 0 });
        byTier.get(info.tier).n++;
    }
    const [main] = [...byTier.values()].sort((x, y) => y.n - x.n);
    return { ms: times, tiers: Object.fromEntries([...byTier].map(([k, v]) => [k, v.n])), ...main.info };
}

/** One timed click of range on a fresh logged-in page: {total, api, draw} in ms. */
async function browserRun(browser, daemon, range) {
    const { page, problems } = await newPage(browser);
    try {
        await login(page, daemon, USER, { timeout: TIMEOUT });
        await page.evaluate((u) => { location.hash = `#/domains/${u}/tab/monitoring`; }, UUID);
        await page.waitForFunction(() => document.querySelector('section.metrics')?.dataset.rendered === '1h'
            && document.querySelectorAll('.metrics-figure .metrics-chart canvas').length === 4, undefined, { timeout: TIMEOUT });
        if (range === '1h') {
            await page.evaluate(() => document.querySelector('.range-btn[data-range="24h"]').click());
            await page.waitForFunction(() => document.querySelector('section.metrics')?.dataset.rendered === '24h', undefined, { timeout: TIMEOUT });
        }
        const r = await page.evaluate((rg) => new Promise((resolve, reject) => {
            const root = document.querySelector('section.metrics');
            performance.clearResourceTimings();
            const t0 = performance.now();
            document.querySelector(`.range-btn[data-range="${rg}"]`).click();
            const deadline = t0 + 30000;
            const poll = () => {
                if (root.dataset.rendered === rg) {
                    const rendered = performance.now();
                    // the next frame: rAF runs before it is painted, the task after it
                    requestAnimationFrame(() => setTimeout(() => {
                        const painted = performance.now();
                        const res = performance.getEntriesByType('resource').filter((e) => /\/metrics\?/.test(e.name) && e.startTime >= t0);
                        const resEnd = res.length ? res[res.length - 1].responseEnd : NaN;
                        const canvases = [...document.querySelectorAll('.metrics-figure .metrics-chart canvas')].length;
                        resolve({ total: painted - t0, api: resEnd - t0, draw: painted - resEnd, rendered: rendered - t0, canvases });
                    }));
                    return;
                }
                if (performance.now() > deadline) { reject(new Error(`no data-rendered=${rg}`)); return; }
                // polled every animation frame: adds at most one frame (~16 ms) to "rendered", not to "painted"
                requestAnimationFrame(poll);
            };
            poll();
        }), range);
        if (r.canvases !== 4) throw new Error(`${range}: ${r.canvases} graphs drawn, not 4`);
        if (problems.length) throw new Error(`${range}: the page reported ${problems.join('; ')}`);
        return r;
    } finally {
        await page.close();
    }
}

function docText(info) {
    const { fillInfo, dbBytes, api, ui } = info;
    const rows = ORDER.map((rg) => {
        const a = api[rg];
        const u = ui[rg];
        const tot = u.map((x) => x.total);
        const other = Object.entries(a.tiers).filter(([k]) => k !== a.tier).map(([k, n]) => `; ${n} of ${RUNS} read ${k}`).join('');
        return `| ${rg} | ${a.tier}${other}, ${num(a.points)} points × ${a.series} series${a.minMax ? ' (+ `_min`, `_max`)' : ''} | ${ms(median(a.ms))} / ${ms(p95(a.ms))} | ` +
            `${kib(a.wire)} (${kib(a.decoded)} JSON) | ${ms(median(tot))} / ${ms(p95(tot))} | ` +
            `${ms(median(u.map((x) => x.api)))} + ${ms(median(u.map((x) => x.draw)))} |`;
    });
    const t30 = ui['30d'].map((x) => x.total);
    return [
        MARK_BEGIN,
        '## Metrics graphs: rendering 30 days',
        '',
        'Generated by `make bench` (tests/bench/metrics/graph-render.mjs); do not edit by hand.',
        '',
        `- Date: ${new Date().toISOString()}; ${RUNS} runs per range, each on a fresh page`,
        `- Machine: ${os.cpus()[0]?.model || 'unknown CPU'}, ${os.cpus().length} CPUs, kernel ${os.release()}; Node ${process.version}; ${info.browser}`,
        `- History: ${DAYS} days of one VM (the demo's web-01 on libvirt's test driver) and the host, one sample every ${INTERVAL_S} s`,
        `  ending now, every figure present and changing, written by \`build/tools/metrics_fill\` through \`metrics_history_write\``,
        `  (the daemon's own history code): ${num(fillInfo.samples)} samples in ${fillInfo.seconds.toFixed(1)} s; the VM's rows per tier`,
        `  raw ${num(fillInfo.points.tier0 || 0)}, 1 min ${num(fillInfo.points.tier1 || 0)}, 10 min ${num(fillInfo.points.tier2 || 0)}, ` +
            `1 h ${num(fillInfo.points.tier3 || 0)}; \`metrics.db\` ${kib(dbBytes)}.`,
        '- API: `GET /api/domains/{uuid}/metrics` with the range\'s `from`/`to`/`step` as the UI asks it, over TLS on one',
        '  keep-alive connection, `Accept-Encoding: gzip`; time to the whole body (the first request of each range untimed).',
        '- Browser: a click on the range button of the VM\'s Monitoring tab until all four graphs (uPlot canvases) are drawn',
        '  and painted (the view\'s `data-rendered` then the next frame); split into click → history response end',
        '  (Resource Timing) and response end → painted (JSON parse, columns, summaries, uPlot draw).',
        '',
        '| range | tier read, points | API median / p95 | API bytes (gzip wire, JSON) | click → 4 graphs painted, median / p95 | of which fetch + draw (medians) |',
        '|---|---|---|---|---|---|',
        ...rows,
        '',
        `The 30-day graphs appear ${ms(median(t30))} (median; p95 ${ms(p95(t30))}) after the click.`,
        '',
        `The history ends where the fill began, ${Math.round(info.gapS)} s before the first read (the fill's run time and the`,
        'daemon\'s start; the daemon itself collects once an hour here), so the 1 h range has that much less at its end.',
        ...(ORDER.some((rg) => Object.keys(api[rg].tiers).length > 1) ? [
            'Where a range was read from two tiers: the daemon picks the tier by its own clock (`metrics_history_tier_for`:',
            'a tier is skipped when `from` is older than its keep time before the server\'s now), so a request reaching it in',
            'the second after the one the UI computed `from` = now − 24 h (or − 1 h) in reads the next coarser tier; the times',
            'are over all runs.',
        ] : []),
        MARK_END,
    ].join('\n');
}

async function main() {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'vd-graph-bench-'));
    let daemon = null;
    let browser = null;
    try {
        log(`filling ${DAYS} days every ${INTERVAL_S} s into ${stateDir}`);
        const fillStart = Date.now();
        const fillInfo = fill(stateDir);
        log(fillInfo.line);
        const dbBytes = statSync(path.join(stateDir, 'metrics.db')).size;
        daemon = await startDaemon({
            uri: DEMO_URI, users: [USER], stateDir,
            config: { metrics_interval: 3600, metrics_interval_watched: 3600 },
        });
        const client = new Client(daemon);
        await client.login(USER.name, USER.password);
        const gapS = (Date.now() - fillStart) / 1000;
        const api = {};
        for (const rg of ORDER) {
            api[rg] = await apiRange(client, rg);
            log(`API ${rg}: tiers ${JSON.stringify(api[rg].tiers)}, tier ${api[rg].tier} step ${api[rg].step}, ${api[rg].points} points/series, ` +
                `${api[rg].wire} B wire (gzip ${api[rg].gzip}), ${api[rg].decoded} B JSON, median ${ms(median(api[rg].ms))}, p95 ${ms(p95(api[rg].ms))}`);
        }
        client.close();
        if (api['30d'].minPoints < (DAYS * 24) - 2) throw new Error(`30 d: only ${api['30d'].minPoints} points in a series`);
        browser = await launchBrowser();
        const ui = Object.fromEntries(ORDER.map((rg) => [rg, []]));
        for (let i = 0; i < RUNS; i++) {
            for (const rg of ORDER) {
                const r = await browserRun(browser, daemon, rg);
                ui[rg].push(r);
                log(`run ${i + 1} ${rg}: ${ms(r.total)} (fetch ${ms(r.api)}, draw ${ms(r.draw)})`);
            }
        }
        for (const rg of ORDER) {
            const tot = ui[rg].map((x) => x.total);
            log(`${rg}: click to painted median ${ms(median(tot))}, p95 ${ms(p95(tot))}`);
        }
        const text = docText({ fillInfo, dbBytes, gapS, api, ui, browser: `${browser.name} (tests/lib/browser.mjs)` });
        if (WRITE_DOC) {
            writeDocSection(DOC, MARK_BEGIN, MARK_END, text);
            log(`wrote ${path.relative(REPO_ROOT, DOC)}`);
        } else {
            console.log(text);
        }
    } finally {
        if (browser) await browser.close().catch(() => {});
        if (daemon) await daemon.stop({ expectCode: null }).catch((e) => log(`stop: ${e.message}`));
        rmSync(stateDir, { recursive: true, force: true });
    }
}

main().catch((err) => {
    console.error('[graph-bench] failed:', err);
    process.exitCode = 1;
});
