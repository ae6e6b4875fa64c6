// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/metrics.test.mjs — the graphs in the browser (issue 14), against a real daemon
// on libvirt's test driver with the demo hypervisor. A VM's Monitoring tab: four graphs
// (a uPlot canvas each) with a text summary per series computed from the history the
// routes give (here answered by the page harness with known figures, so the numbers are
// exact; a series the history lacks says "no data", never 0), range buttons that ask for
// another range (aria-pressed follows), axe, and no horizontal overflow at 375 px. The
// host panel's graphs: three graphs and the top-5 tables filled from the live stats
// message with the VMs' names. And with the real history: a daemon of its own collecting
// every second; the Monitoring tab shows what it collected (the demo's VMs on test:///
// give no CPU or memory figure: "no data"; disk and network rates: 0 B/s, on 24 h equal to
// the route's), and after a restart on
// the same state directory (collecting once an hour then) the graphs still start before
// the restart.
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { login, newPage } from '../lib/browser.mjs';
import { withDemoDaemon, DEMO_URI } from '../lib/e2e-setup.mjs';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { summarize } from '../../web/js/metrics-series.js';
import { formatFigure } from '../../web/js/views/metrics-graphs.js';

const ADMIN = { name: 'graph-admin', role: 'admin', password: randomBytes(12).toString('hex') };
const TIMEOUT = 15000;
const WEB01 = '97e56341-f5b0-4a2a-b12f-373969e93bd3';

let daemon;
let browser;
withDemoDaemon({ users: [ADMIN] }, (d, b) => {
    daemon = d;
    browser = b;
});

const now = Math.floor(Date.now() / 1000);
/** A history answer: the last hour (1 h range) and, for step=60, the last day. */
function answer(series, step) {
    return { status: 200, contentType: 'application/json', body: JSON.stringify({ from: now - 3600, to: now, step, series }) };
}
const HOUR = {
    cpu_percent: [[now - 600, 10], [now - 590, 30], [now - 580, 20]],
    memory_used_kib: [[now - 600, 1048576], [now - 590, 2097152]],
};
const DAY = {
    cpu_percent: [[now - 7200, 50], [now - 7140, 70]],
    memory_used_kib: [[now - 7200, 1048576], [now - 7140, 3145728]],
    disk_rd_bps: [[now - 7200, 1024], [now - 7140, 3072]],
    disk_wr_bps: [[now - 7200, 0], [now - 7140, 0]],
};

/** The summary lines of one graph, by its data-chart id. */
function summary(page, chart) {
    return page.evaluate((c) => [...document.querySelectorAll(`.metrics-figure[data-chart="${c}"] .metrics-summary li`)]
        .map((li) => li.textContent), chart);
}

async function withPage(fn, viewport, on = daemon) {
    const { page, problems } = await newPage(browser, viewport ? { viewport } : undefined);
    try {
        await login(page, on, ADMIN, { timeout: TIMEOUT });
        await fn(page);
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
}

test("a VM's Monitoring tab: four graphs, exact summaries, no data where the history has none, ranges", async () => {
    await withPage(async (page) => {
        // the 24 h range (step=60) first: routes match in order
        await page.route('**/api/domains/*/metrics?*step=60', { fulfill: answer(DAY, 60) });
        await page.route('**/api/domains/*/metrics?*', { fulfill: answer(HOUR, 10) });
        await page.evaluate((u) => { location.hash = `#/domains/${u}/tab/monitoring`; }, WEB01);
        await page.waitForFunction(() => document.querySelectorAll('.metrics-figure .metrics-chart canvas').length === 4,
            undefined, { timeout: TIMEOUT });
        const charts = await page.evaluate(() => [...document.querySelectorAll('.metrics-figure')].map((f) => f.dataset.chart));
        assert.deepEqual(charts, ['cpu', 'memory', 'disk', 'net']);
        const sizes = await page.evaluate(() => [...document.querySelectorAll('.metrics-chart canvas')].map((c) => c.width > 100 && c.height > 50));
        assert.deepEqual(sizes, [true, true, true, true]);
        // 1 h: the history (the test driver gives no CPU figure, so the live tail adds none)
        await page.waitForFunction(() => /min/.test(document.querySelector('.metrics-figure[data-chart="cpu"] li')?.textContent || ''),
            undefined, { timeout: TIMEOUT });
        assert.deepEqual(await summary(page, 'cpu'),
            ['CPU use: min 10.0%, average 20.0%, max 30.0%, last 20.0%', 'Steal: no data']);
        // absent from the history and null in the test driver's stats: no data (its rates are 0 B/s: figures)
        assert.equal((await summary(page, 'memory'))[1], 'Resident on the host: no data');
        const pressed = () => page.evaluate(() => [...document.querySelectorAll('.range-btn')]
            .map((b) => `${b.textContent}:${b.getAttribute('aria-pressed')}`));
        assert.deepEqual(await pressed(), ['1 h:true', '24 h:false', '7 d:false', '30 d:false']);
        await page.checkA11y('the Monitoring tab');

        // 24 h: another request, the day's figures and no live tail
        await page.locator('.range-btn[data-range="24h"]').click();
        await page.waitForFunction(() => /70/.test(document.querySelector('.metrics-figure[data-chart="cpu"] li')?.textContent || ''),
            undefined, { timeout: TIMEOUT });
        assert.deepEqual(await pressed(), ['1 h:false', '24 h:true', '7 d:false', '30 d:false']);
        assert.deepEqual(await summary(page, 'cpu'), ['CPU use: min 50.0%, average 60.0%, max 70.0%, last 70.0%', 'Steal: no data']);
        assert.deepEqual(await summary(page, 'memory'),
            ['Used: min 1 GiB, average 2 GiB, max 3 GiB, last 3 GiB', 'Resident on the host: no data']);
        assert.deepEqual(await summary(page, 'disk'),
            ['Read: min 1 KiB/s, average 2 KiB/s, max 3 KiB/s, last 3 KiB/s', 'Write: min 0 B/s, average 0 B/s, max 0 B/s, last 0 B/s']);
        await page.checkA11y('the Monitoring tab on 24 h');
    });
});

test('the Monitoring tab at 375 px: no horizontal overflow, each graph within the page', async () => {
    await withPage(async (page) => {
        await page.route('**/api/domains/*/metrics?*', { fulfill: answer(HOUR, 10) });
        await page.evaluate((u) => { location.hash = `#/domains/${u}/tab/monitoring`; }, WEB01);
        await page.waitForFunction(() => document.querySelectorAll('.metrics-chart canvas').length === 4, undefined, { timeout: TIMEOUT });
        await page.waitForTimeout(300); // the ResizeObserver's setSize
        assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1), false);
        const widths = await page.evaluate(() => [...document.querySelectorAll('.metrics-chart .uplot')]
            .map((u) => u.getBoundingClientRect().right <= window.innerWidth));
        assert.deepEqual(widths, [true, true, true, true]);
        await page.checkA11y('the Monitoring tab at 375 px');
    }, { width: 375, height: 800 });
});

test("the host panel's graphs: CPU, memory and load, and the top VMs by name from the live stats", async () => {
    await withPage(async (page) => {
        await page.route('**/api/host/metrics?*', {
            fulfill: answer({ cpu_percent: [[now - 600, 5], [now - 590, 15]], load1: [[now - 600, 0.5], [now - 590, 1.5]] }, 10),
        });
        const toggle = page.locator('.host-graphs-toggle');
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        await toggle.click();
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        await page.waitForFunction(() => document.querySelectorAll('#host-graphs .metrics-chart canvas').length === 3,
            undefined, { timeout: TIMEOUT });
        await page.waitForFunction(() => /min/.test(document.querySelector('.metrics-figure[data-chart="cpu"] li')?.textContent || ''),
            undefined, { timeout: TIMEOUT });
        // the test driver gives the host no CPU figure (no live tail), the daemon's load it does
        assert.deepEqual(await summary(page, 'cpu'), ['CPU use: min 5.0%, average 10.0%, max 15.0%, last 15.0%']);
        assert.match((await summary(page, 'load'))[0], /^Load \(1 min\): min [\d.]+, average [\d.]+, max [\d.]+, last [\d.]+$/);
        // the test driver's running VMs report disk rates (0 B/s): the top table names them, at most 5
        await page.waitForFunction(() => document.querySelectorAll('.metrics-top-table[data-top="disk"] tbody a').length > 0,
            undefined, { timeout: TIMEOUT });
        const rows = await page.evaluate(() => [...document.querySelectorAll('.metrics-top-table[data-top="disk"] tbody tr')]
            .map((tr) => [...tr.cells].map((td) => td.textContent)));
        assert.ok(rows.length > 0 && rows.length <= 5, JSON.stringify(rows));
        for (const [name, value] of rows) {
            assert.ok(name && !/^[0-9a-f-]{36}$/.test(name), name);
            assert.equal(value, '0 B/s');
        }
        assert.ok(rows.some(([name]) => name === 'web-01'), JSON.stringify(rows));
        // the test driver gives no CPU or memory figure: said, not a 0 % or 0 B
        for (const by of ['cpu', 'memory']) {
            assert.equal(await page.locator(`.metrics-top-table[data-top="${by}"] tbody td`).first().textContent(),
                'No running VM reports this figure.');
        }
        await page.checkA11y('the host graphs');
    });
});

async function waitFor(fn, ms = TIMEOUT) {
    const until = Date.now() + ms;
    for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > until) throw new Error('timed out');
        await new Promise((res) => setTimeout(res, 250));
    }
}

/** Opens WEB01's Monitoring tab and waits for its four graphs with their summaries. */
async function openMonitoring(page) {
    await page.evaluate((u) => { location.hash = `#/domains/${u}/tab/monitoring`; }, WEB01);
    await page.waitForFunction(() => document.querySelectorAll('.metrics-figure .metrics-chart canvas').length === 4 &&
        document.querySelectorAll('.metrics-summary li').length === 8, undefined, { timeout: TIMEOUT });
}

test('the history the daemon collected is shown, and still after a restart on the same state directory', async () => {
    let d = await startDaemon({ uri: DEMO_URI, users: [ADMIN], config: { metrics_interval: 1 } });
    const stateDir = d.stateDir;
    const clients = [];
    try {
        const c = new Client(d);
        clients.push(c);
        await c.login(ADMIN.name, ADMIN.password);
        await waitFor(async () => {
            const r = await c.get(`/api/domains/${WEB01}/metrics`);
            return r.json.series.disk_rd_bps.length >= 3;
        });
        await withPage(async (page) => {
            // 1 h: the raw tier and the live tail (the demo's VMs give 0 B/s disk and network rates, no CPU or memory figure)
            await openMonitoring(page);
            assert.deepEqual(await summary(page, 'cpu'), ['CPU use: no data', 'Steal: no data']);
            assert.deepEqual(await summary(page, 'memory'), ['Used: no data', 'Resident on the host: no data']);
            assert.deepEqual(await summary(page, 'disk'), ['Read: min 0 B/s, average 0 B/s, max 0 B/s, last 0 B/s',
                'Write: min 0 B/s, average 0 B/s, max 0 B/s, last 0 B/s']);
            await page.checkA11y('the Monitoring tab with the daemon\'s history');
            // 24 h: another tier, no live tail: the summary is the route's own figures
            await page.locator('.range-btn[data-range="24h"]').click();
            await page.waitForFunction(() => document.querySelector('.range-btn[data-range="24h"]').getAttribute('aria-pressed') === 'true' &&
                document.querySelector('.metrics-status').textContent === '', undefined, { timeout: TIMEOUT });
            const now = Math.floor(Date.now() / 1000);
            const day = await c.get(`/api/domains/${WEB01}/metrics?from=${now - 86400}&to=${now}&step=60`);
            assert.equal(day.status, 200, day.text);
            const s = summarize(day.json.series.net_rx_bps);
            const f = (v) => formatFigure('bps', v);
            assert.equal((await summary(page, 'net'))[0], s
                ? `Received: min ${f(s.min)}, average ${f(s.avg)}, max ${f(s.max)}, last ${f(s.last)}` : 'Received: no data');
        }, undefined, d);

        const stoppedAt = Math.floor(Date.now() / 1000);
        c.close();
        await d.stop({ keepStateDir: true });
        // collecting once an hour now: what the graphs show before stoppedAt was kept
        d = await startDaemon({ uri: DEMO_URI, stateDir, config: { metrics_interval: 3600, metrics_interval_watched: 3600 } });
        await withPage(async (page) => {
            await openMonitoring(page);
            const first = await page.evaluate(() => Number(document.querySelector('.metrics-figure[data-chart="disk"]').dataset.first));
            assert.ok(first > 0 && first < stoppedAt, `the disk graph starts at ${first}, before the restart at ${stoppedAt}`);
            assert.match((await summary(page, 'disk'))[0], /^Read: min 0 B\/s/);
            assert.deepEqual(await summary(page, 'cpu'), ['CPU use: no data', 'Steal: no data']);
        }, undefined, d);
    } finally {
        for (const c of clients) c.close();
        await d.stop({ expectCode: null });
        rmSync(stateDir, { recursive: true, force: true });
    }
});
