// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/ui-scale.test.mjs — the VM list with 1,000 domains (a generated test-driver
// host): the first render is one pass and quick, and a lifecycle event or a stats tick
// patches rows in place (no <tr> is added, removed or replaced). In the browser
// VIRTDECK_BROWSER names (tests/lib/browser.mjs). Long tasks are the browser's own
// record where it keeps one (chromium's PerformanceObserver 'longtask'); firefox has
// none, so there the page's own timer measures how late it ran (the same 300 ms bound).
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { artifact, chooseAction, startBrowsers, newPage } from '../lib/browser.mjs';

const COUNT = 1000;
const ADMIN = { name: 'admin', role: 'admin', password: randomBytes(12).toString('hex') };
const name = (i) => `vm-${String(i).padStart(4, '0')}`;

function hostXml() {
    const doms = [];
    for (let i = 1; i <= COUNT; i++) {
        doms.push(`<domain type='test'><name>${name(i)}</name><memory>524288</memory>` +
            `<currentMemory>524288</currentMemory><vcpu>1</vcpu><os><type>hvm</type></os></domain>`);
    }
    return `<node><cpu><nodes>1</nodes><sockets>1</sockets><cores>4</cores><threads>1</threads>` +
        `<active>4</active><mhz>2400</mhz><model>x86_64</model></cpu><memory>67108864</memory>\n` +
        `${doms.join('\n')}\n</node>\n`;
}

let dir;
let daemon;
let browser;
const browsers = startBrowsers('light');

before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'virtdeck-scale-'));
    const xml = path.join(dir, 'host.xml');
    writeFileSync(xml, hostXml());
    daemon = await startDaemon({ uri: `test://${xml}`, users: [ADMIN], timeoutMs: 30000 });
    browser = await browsers.get('light');
});

after(async () => {
    await browsers.close();
    if (daemon) await daemon.stop({ expectCode: null });
    if (dir) rmSync(dir, { recursive: true, force: true });
});

test('1,000 VMs: quick first render, events patch one row in place', async () => {
    const { page, problems, events } = await newPage(browser, { viewport: { width: 1280, height: 800 } });
    const errors = () => problems.filter((p) => p.startsWith('pageerror'));
    try {
        await page.goto(`${daemon.url}/`);
        await page.locator('#login-username').waitFor({ timeout: 10000 });
        await page.fill('#login-username', ADMIN.name);
        await page.fill('#login-password', ADMIN.password);
        const t0 = Date.now();
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.waitForFunction((n) => document.querySelectorAll('.vm-table tbody tr').length === n,
            COUNT, { timeout: 20000, polling: 50 });
        const loadMs = Date.now() - t0;
        assert.ok(loadMs < 10000, `1,000 rows took ${loadMs} ms`);
        const names = await page.locator('.vm-table tbody a.vm-name').allTextContents();
        assert.deepEqual(names, Array.from({ length: COUNT }, (_, i) => name(i + 1)), 'sorted by name');

        // Watch the table body: patches must not add, remove or replace rows.
        await page.locator('.conn-open').waitFor({ timeout: 10000 });
        const observed = await page.evaluate(() => {
            window.__longTasks = [];
            if (PerformanceObserver.supportedEntryTypes.includes('longtask')) {
                window.__longTaskObserver = new PerformanceObserver((list) => {
                    for (const e of list.getEntries()) window.__longTasks.push(Math.round(e.duration));
                });
                window.__longTaskObserver.observe({ type: 'longtask' });
            } else {
                // A 50 ms timer that runs late by more than 50 ms was held up by a task.
                let last = performance.now();
                window.__lateTimer = setInterval(() => {
                    const now = performance.now();
                    if (now - last > 100) window.__longTasks.push(Math.round(now - last - 50));
                    last = now;
                }, 50);
            }
            window.__rowMutations = 0;
            for (const tr of document.querySelectorAll('.vm-table tbody tr')) tr.__tag = true;
            new MutationObserver((list) => {
                for (const m of list) window.__rowMutations += m.addedNodes.length + m.removedNodes.length;
            }).observe(document.querySelector('.vm-table tbody'), { childList: true });
            return window.__longTaskObserver ? 'longtask entries' : 'a late 50 ms timer';
        });

        const target = page.locator('.vm-table tbody tr').filter({ has: page.locator('a.vm-name', { hasText: /^vm-0500$/ }) });
        const uuid = await target.getAttribute('data-uuid');
        await target.scrollIntoViewIfNeeded(); // far rows get their buttons near the screen
        await chooseAction(target, 'destroy');
        await page.locator('dialog.dialog').getByRole('button', { name: 'Force off' }).click();
        await page.waitForFunction((u) => document.querySelector(`tr[data-uuid="${u}"] .badge`)?.textContent === 'shut off',
            uuid, { timeout: 10000 });
        await events.next('stats'); // at least one stats tick for 999 running VMs

        // (with the entries the observer has not been handed yet)
        const longTasks = await page.evaluate(() => [...window.__longTasks,
            ...(window.__longTaskObserver?.takeRecords() || []).map((e) => Math.round(e.duration))]);
        console.log(`# 1,000 rows in ${loadMs} ms from login; long tasks while patching (${observed}): ${JSON.stringify(longTasks)}`);
        assert.ok(longTasks.every((ms) => ms < 300), `a patch blocked the page: ${longTasks}`);
        const result = await page.evaluate(() => ({
            mutations: window.__rowMutations,
            untagged: [...document.querySelectorAll('.vm-table tbody tr')].filter((tr) => !tr.__tag).length,
            rows: document.querySelectorAll('.vm-table tbody tr').length,
            running: document.querySelectorAll('.vm-table tbody .badge-ok').length,
        }));
        assert.deepEqual(result, { mutations: 0, untagged: 0, rows: COUNT, running: COUNT - 1 });

        // Filtering 1,000 rows hides the others without touching the row set.
        await page.fill('#vm-filter', 'vm-05');
        await page.waitForFunction(() => document.querySelectorAll('.vm-table tbody tr:not([hidden])').length === 100);
        assert.equal(await page.evaluate(() => window.__rowMutations), 0);
        await page.screenshot({ path: artifact('list-1000-filtered.png') });
        assert.deepEqual(errors(), []);
    } finally {
        await page.close();
    }
});
