// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/alerts.test.mjs — the alerts bell (issue 14) in the browser VIRTDECK_BROWSER
// names, against a real daemon on libvirt's test driver collecting every second: an
// admin's host rule that test:/// triggers (host_memory_free_percent < 101) fires; the
// bell in the top bar says "1 firing" in its accessible name and shows the count, and
// its list names the alert and its subject; the admins' Alert rules page lists the
// rule with its Delete. axe on the open list and the page.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { login, newPage, startBrowsers } from '../lib/browser.mjs';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';

const ADMIN = { name: 'root-admin', role: 'admin', password: randomBytes(12).toString('hex') };
const TIMEOUT = 20000;

const browsers = startBrowsers('light');
let daemon;
let browser;
before(async () => {
    daemon = await startDaemon({ users: [ADMIN], config: { metrics_interval: 1 } });
    browser = await browsers.get('light');
});
after(async () => {
    await browsers.close();
    if (daemon) await daemon.stop({ expectCode: null });
});

test('the bell shows a firing alert', async () => {
    const c = new Client(daemon);
    try {
        await c.login(ADMIN.name, ADMIN.password);
        const r = await c.post('/api/alerts/rules', {
            name: 'Memory watch', metric: 'host_memory_free_percent', op: '<', threshold: 101,
        });
        assert.equal(r.status, 201, r.text);
        const until = Date.now() + TIMEOUT;
        while (!(await c.get('/api/alerts')).json.firing.length) {
            assert.ok(Date.now() < until, 'the alert fires');
            await new Promise((res) => setTimeout(res, 200));
        }
    } finally {
        c.close();
    }
    const { page, problems } = await newPage(browser);
    try {
        await login(page, daemon, ADMIN);
        const bell = page.locator('.alerts-bell-button');
        await bell.waitFor({ timeout: TIMEOUT });
        await page.waitForFunction(() => document.querySelector('.alerts-bell-button')
            ?.getAttribute('aria-label') === 'Alerts: 1 firing', null, { timeout: TIMEOUT });
        assert.equal(await page.locator('.alerts-bell-count').evaluate((el) => el.textContent), '1');
        await bell.click();
        await page.locator('.alerts-bell-list .alerts-firing', { hasText: 'Memory watch: the host' })
            .waitFor({ timeout: TIMEOUT });
        assert.equal(await bell.evaluate((el) => el.getAttribute('aria-expanded')), 'true');
        await page.checkA11y('the alerts bell open');
        // the admins' rules page lists the rule, made here (so it may be deleted)
        await page.evaluate(() => { location.hash = '#/alerts'; });
        await page.locator('.page-alert-rules tbody tr', { hasText: 'Memory watch' }).waitFor({ timeout: TIMEOUT });
        await page.locator('.page-alert-rules button[data-action="delete"]').waitFor({ timeout: TIMEOUT });
        await page.checkA11y('the alert rules page');
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});
