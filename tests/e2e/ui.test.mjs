// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/ui.test.mjs — the browser UI against a real daemon (libvirt's test driver
// with packaging/demo/demo.xml), in the browser VIRTDECK_BROWSER names (tests/lib/browser.mjs).
// Covers: login form, the list with the demo's VMs (from the snapshot alone), Force off with confirmation and
// a live badge change without reload, Start, Esc cancelling the dialog, buttons
// disabled in flight, Pause/Resume, an action error in the alert area, the filter,
// the detail view, logout, a viewer without buttons, the phone layout, the dark
// theme, no console errors or CSP violations, and no serious or critical axe-core
// violation on any page or dialog it opens. Screenshots go to tests/e2e/artifacts/ (the
// README's come from e2e/demo-features).
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startDaemon, REPO_ROOT } from '../lib/daemon.mjs';
import { artifact, chooseAction, login as loginForm, newPage as newBrowserPage, startBrowsers, withDaemonLog } from '../lib/browser.mjs';

const DEMO_XML = path.join(REPO_ROOT, 'packaging', 'demo', 'demo.xml');
// The demo fixture when it exists; libvirt's built-in test host otherwise.
const URI = existsSync(DEMO_XML) ? `test://${DEMO_XML}` : 'test:///default';
const ADMIN = { name: 'admin', role: 'admin', password: randomBytes(12).toString('hex') };
const VIEWER = { name: 'watcher', role: 'viewer', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;

/** Domain names defined in the test driver's XML (or the built-in "test"). */
function demoDomainNames() {
    if (!existsSync(DEMO_XML)) return ['test'];
    const xml = readFileSync(DEMO_XML, 'utf8').replace(/<!--[\s\S]*?-->/g, '');
    const names = [...xml.matchAll(/<domain\b[^>]*>[\s\S]*?<name>\s*([^<]+?)\s*<\/name>/g)].map((m) => m[1]);
    return [...new Set(names)].sort();
}

let daemon;
let browser;
const browsers = startBrowsers('light', 'dark');

before(async () => {
    daemon = await startDaemon({ uri: URI, users: [ADMIN, VIEWER] });
    browser = await browsers.get('light');
});

after(async () => {
    await browsers.close();
    if (daemon) await daemon.stop({ expectCode: null });
});

/** A page that records console errors, page errors and CSP violations. Chromium logs every
 * 4xx as an error; expected here: the boot-time "am I logged in?" (GET /api/session) and
 * the deliberately wrong password (POST /api/login). */
function newPage(viewport, inBrowser = browser) {
    return newBrowserPage(inBrowser, { viewport, expected401: /\/api\/(session|login)$/ });
}

/** Logs in through the form; the page must come with the CSP the UI is built for. */
async function login(page, user) {
    const resp = await loginForm(page, daemon, user, { timeout: TIMEOUT });
    assert.equal(resp.status(), 200);
    assert.match(resp.headers()['content-security-policy'] || '', /script-src 'self'/,
        'the page is served with the CSP the UI is built for');
}

test('admin: list, force off, start, detail, logout', async () => {
    const { page, problems, events } = await newPage({ width: 1280, height: 800 });
    try {
        // A wrong password shows an error and keeps the form.
        await page.goto(`${daemon.url}/`);
        await page.locator('#login-username').waitFor({ timeout: TIMEOUT });
        await page.screenshot({ path: artifact('login.png') });
        await page.checkA11y('the login page');
        await page.fill('#login-username', 'admin');
        await page.fill('#login-password', 'wrong-password');
        await page.keyboard.press('Enter');
        await page.locator('#login-error').filter({ hasText: /invalid/i }).waitFor({ timeout: TIMEOUT });
        assert.equal(await page.locator('#login-username').inputValue(), 'admin');
        await page.checkA11y('the login page with an error');

        // A page load builds the list once: from the events snapshot, no GET /api/domains.
        const listGets = [];
        page.on('request', (r) => {
            if (r.method() === 'GET' && new URL(r.url()).pathname === '/api/domains') listGets.push(r.url());
        });
        await login(page, ADMIN);
        const names = demoDomainNames();
        await page.waitForFunction((n) => document.querySelectorAll('.vm-table tbody tr').length === n,
            names.length, { timeout: TIMEOUT });
        const shown = await page.locator('.vm-table tbody a.vm-name').allTextContents();
        assert.deepEqual([...shown].sort(), names);
        await page.locator('.host-panel .pill-ok').waitFor({ timeout: TIMEOUT });
        await page.locator('.user-button').filter({ hasText: 'admin' }).waitFor();

        // Live updates are on; give the sparklines a few samples for the screenshot.
        await page.locator('.conn-open').waitFor({ timeout: TIMEOUT });
        assert.deepEqual(listGets, [], 'the list is not fetched besides the snapshot');
        await page.waitForFunction(() => [...document.querySelectorAll('.spark-line')]
            .some((p) => (p.getAttribute('d') || '').split('L').length >= 3), null, { timeout: 15000 })
            .catch(() => {});
        await page.screenshot({ path: artifact('list-1280x800.png') });
        await page.checkA11y('the VM list');

        // Mark this document: a reload would lose the mark.
        await page.evaluate(() => { window.__virtdeckE2e = 'same-document'; });
        let loads = 0;
        page.on('load', () => { loads++; });

        const running = page.locator('.vm-table tbody tr').filter({ has: page.locator('.badge', { hasText: /^running$/ }) }).first();
        assert.ok(await running.count() > 0, 'the demo has a running VM');
        const uuid = await running.getAttribute('data-uuid');
        const vm = page.locator(`.vm-table tbody tr[data-uuid="${uuid}"]`);
        const vmName = await vm.locator('a.vm-name').textContent();
        const badge = vm.locator('.badge');

        // Esc cancels the confirmation and nothing happens.
        await chooseAction(vm, 'destroy');
        const dialog = page.locator('dialog.dialog');
        await dialog.waitFor({ state: 'visible' });
        assert.match(await dialog.locator('.dialog-title').textContent(), new RegExp(vmName));
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });
        assert.equal(await badge.textContent(), 'running');
        assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-haspopup')), 'menu',
            'focus returns to the menu button whose item opened the dialog');

        // Force off, confirmed: the badge turns "shutoff" in place.
        await chooseAction(vm, 'destroy');
        await dialog.waitFor({ state: 'visible' });
        await page.screenshot({ path: artifact('confirm-force-off.png') });
        await page.checkA11y('the Force off confirmation');
        await dialog.getByRole('button', { name: 'Force off' }).click();
        await page.waitForFunction((u) => document.querySelector(`.vm-table tr[data-uuid="${u}"] .badge`)?.textContent === 'shut off',
            uuid, { timeout: TIMEOUT });
        await vm.locator('button[data-action="start"]').waitFor({ timeout: TIMEOUT });
        assert.equal(await vm.locator('button[data-action="destroy"]').count(), 0);
        assert.equal(await page.evaluate(() => window.__virtdeckE2e), 'same-document', 'no reload');
        await page.locator('.toasts').getByText(/forced off/).waitFor({ timeout: TIMEOUT });
        await page.screenshot({ path: artifact('after-force-off.png') });

        // Start needs no confirmation.
        await vm.locator('button[data-action="start"]').click();
        await page.waitForFunction((u) => document.querySelector(`.vm-table tr[data-uuid="${u}"] .badge`)?.textContent === 'running',
            uuid, { timeout: TIMEOUT });
        await vm.locator('button[data-action="destroy"]').waitFor({ state: 'attached', timeout: TIMEOUT }); // in the menu
        assert.equal(await page.evaluate(() => window.__virtdeckE2e), 'same-document', 'no reload');
        assert.equal(loads, 0, 'no load event');

        // Buttons are disabled while a request is in flight (the POST is held back here).
        const held = await page.route('**/api/domains/*/suspend');
        await chooseAction(vm, 'suspend');
        await page.waitForFunction((u) => {
            const btns = [...document.querySelectorAll(`.vm-table tr[data-uuid="${u}"] button[data-action]`)];
            return btns.length > 0 && btns.every((b) => b.disabled);
        }, uuid, { timeout: TIMEOUT });
        assert.equal(await vm.locator('button[data-action="suspend"]').getAttribute('aria-busy'), 'true');
        await held.release();
        await page.waitForFunction((u) => document.querySelector(`.vm-table tr[data-uuid="${u}"] .badge`)?.textContent === 'paused',
            uuid, { timeout: TIMEOUT });
        await vm.locator('button[data-action="resume"]:not([disabled])').waitFor({ timeout: TIMEOUT });
        await held.remove();

        // A refused action shows the server's message in the alert area.
        await page.route('**/api/domains/*/resume', {
            fulfill: { status: 409, contentType: 'application/json',
                body: JSON.stringify({ error: { code: 'conflict', message: 'domain is not paused (test)' } }) },
            times: 1,
        });
        await vm.locator('button[data-action="resume"]').click();
        const alert = page.locator('#alerts[role="alert"] .toast-error', { hasText: 'domain is not paused (test)' });
        await alert.waitFor({ timeout: TIMEOUT });
        assert.match(await alert.textContent(), new RegExp(`Could not resume .${vmName}.`));
        await page.screenshot({ path: artifact('action-error.png') });
        await page.checkA11y('the VM list with an error alert');
        await alert.getByRole('button', { name: 'Dismiss message' }).click();
        await alert.waitFor({ state: 'detached' });
        problems.splice(0, problems.length, ...problems.filter((p) => !/status of 409/.test(p)));
        await vm.locator('button[data-action="resume"]').click();
        await page.waitForFunction((u) => document.querySelector(`.vm-table tr[data-uuid="${u}"] .badge`)?.textContent === 'running',
            uuid, { timeout: TIMEOUT });

        // The filter hides rows that do not match and says how many are shown.
        await page.fill('#vm-filter', vmName);
        await page.waitForFunction(() => document.querySelector('.count')?.textContent.includes(' of '));
        const visible = await page.locator('.vm-table tbody a.vm-name', { visible: true }).allTextContents();
        assert.ok(visible.includes(vmName));
        assert.ok(visible.every((n) => n.toLowerCase().includes(vmName.toLowerCase())));
        await page.fill('#vm-filter', 'no-such-vm-zzz');
        await page.locator('.empty').filter({ hasText: /matches/ }).waitFor();
        assert.equal(await page.locator('.vm-table tbody tr', { visible: true }).count(), 0);
        await page.fill('#vm-filter', '');
        await page.waitForFunction((n) => document.querySelectorAll('.vm-table tbody tr:not([hidden])').length === n,
            names.length);

        // Detail view by keyboard: focus the name link and press Enter.
        await vm.locator('a.vm-name').focus();
        await page.keyboard.press('Enter');
        await page.waitForURL(new RegExp(`#/domains/${uuid}$`));
        await page.locator('.page-detail h1.page-title', { hasText: vmName }).waitFor({ timeout: TIMEOUT });
        for (const title of ['Overview', 'Usage', 'Title and description', 'Disks', 'Network interfaces', 'Graphics']) {
            await page.locator('.card-title', { hasText: new RegExp(`^${title}$`) }).waitFor();
        }
        assert.equal(await page.locator('.props dd').first().textContent(), uuid);
        assert.equal(await page.locator('.detail-head .badge').textContent(), 'running');
        await page.locator('.detail-head button[data-action="destroy"]').waitFor({ state: 'attached' }); // in the menu
        await events.next('stats'); // one more stats sample for the usage card
        await page.screenshot({ path: artifact('detail-1280x800.png'), fullPage: true });
        await page.checkA11y('the VM detail page (Overview)');
        assert.equal(await page.evaluate(() => window.__virtdeckE2e), 'same-document', 'hash routing, no reload');

        // Back to the list, then log out through the user menu.
        await page.locator('a.back-link').click();
        await page.locator('.vm-table tbody tr').first().waitFor();
        await page.locator('.user-button').click();
        await page.locator('#user-menu-panel .user-role', { hasText: 'admin' }).waitFor();
        await page.checkA11y('the user menu');
        await page.keyboard.press('Escape');
        await page.locator('#user-menu-panel').waitFor({ state: 'hidden' });
        await page.locator('.user-button').click();
        await page.getByRole('button', { name: 'Log out' }).click();
        await page.locator('#login-username').waitFor({ timeout: TIMEOUT });
        await page.locator('.login-notice', { hasText: /logged out/ }).waitFor();
        assert.equal(await page.locator('.vm-table').count(), 0);
        await page.screenshot({ path: artifact('logged-out.png') });
        await page.checkA11y('the login page after logout');

        // The session is really gone on the server too.
        const status = await page.evaluate(async () => (await fetch('/api/session')).status);
        assert.equal(status, 401);

        assert.deepEqual(problems, []);
    } catch (err) {
        throw withDaemonLog(daemon, err);
    } finally {
        await page.close();
    }
});

test('viewer: no action buttons anywhere', async () => {
    const { page, problems } = await newPage({ width: 1280, height: 800 });
    try {
        await login(page, VIEWER);
        await page.locator('.user-button .role-chip', { hasText: 'Viewer' }).waitFor();
        assert.equal(await page.locator('.vm-table button[data-action]').count(), 0);
        assert.equal(await page.locator('.vm-table th', { hasText: 'Actions' }).count(), 0);
        await page.locator('.vm-table a.vm-name').first().click();
        await page.locator('.page-detail .card-title', { hasText: 'Overview' }).waitFor({ timeout: TIMEOUT });
        assert.equal(await page.locator('button[data-action]').count(), 0);
        await page.checkA11y('the VM detail page of a viewer');
        assert.deepEqual(problems, []);
    } catch (err) {
        throw withDaemonLog(daemon, err);
    } finally {
        await page.close();
    }
});

test('a session ended elsewhere brings back the login form', async () => {
    const { page, problems } = await newPage({ width: 1280, height: 800 });
    try {
        await login(page, ADMIN);
        await page.locator('.conn-open').waitFor({ timeout: TIMEOUT });
        // Log the session out behind the UI's back, as another tab would.
        const status = await page.evaluate(async () => {
            const s = await (await fetch('/api/session')).json();
            const r = await fetch('/api/logout', { method: 'POST', headers: { 'X-CSRF-Token': s.csrf_token } });
            return r.status;
        });
        assert.equal(status, 200);
        await page.locator('#login-username').waitFor({ timeout: 15000 });
        await page.locator('.login-notice', { hasText: /session has ended/ }).waitFor();
        await page.checkA11y('the login page after the session ended');
        assert.equal(await page.locator('.vm-table').count(), 0);
        assert.equal(await page.locator('.user-button').count(), 0);
        assert.deepEqual(problems, []);
    } catch (err) {
        throw withDaemonLog(daemon, err);
    } finally {
        await page.close();
    }
});

test('phone 390x844: cards, no horizontal scroll, usable actions', async () => {
    const { page, problems } = await newPage({ width: 390, height: 844 });
    try {
        await login(page, ADMIN);
        await page.locator('.conn-open').waitFor({ timeout: TIMEOUT });
        const overflow = await page.evaluate(() => ({
            doc: document.documentElement.scrollWidth,
            body: document.body.scrollWidth,
            inner: window.innerWidth,
        }));
        assert.ok(overflow.doc <= overflow.inner, `document scrolls sideways: ${JSON.stringify(overflow)}`);
        assert.ok(overflow.body <= overflow.inner, `body scrolls sideways: ${JSON.stringify(overflow)}`);

        const first = page.locator('.vm-table tbody tr').first();
        assert.equal(await first.evaluate((tr) => getComputedStyle(tr).display), 'grid', 'rows are cards');
        assert.equal(await page.locator('.vm-table thead').evaluate((t) => t.getBoundingClientRect().height <= 1), true);
        for (const btn of await page.locator('.vm-table button[data-action]').all()) {
            const box = await btn.boundingBox();
            if (!box) continue;
            assert.ok(box.x >= 0 && box.x + box.width <= 390, 'buttons stay on screen');
            assert.ok(box.height >= 32, 'buttons are big enough to tap');
        }
        await page.screenshot({ path: artifact('list-390x844.png'), fullPage: true });
        await page.checkA11y('the VM list at 390 px');

        await page.locator('.vm-table a.vm-name').first().click();
        await page.locator('.page-detail .card-title', { hasText: 'Disks' }).waitFor({ timeout: TIMEOUT });
        const detailOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(detailOverflow <= 0, `detail scrolls sideways by ${detailOverflow}px`);
        await page.screenshot({ path: artifact('detail-390x844.png'), fullPage: true });
        await page.checkA11y('the VM detail page at 390 px');

        // The narrowest supported width: still no sideways scrolling, menu on screen.
        await page.setViewportSize({ width: 360, height: 740 });
        for (const hash of ['#/', `#/domains/${await page.evaluate(() => location.hash.split('/')[2])}`]) {
            await page.evaluate((h) => { location.hash = h; }, hash);
            await page.locator('.page-title').first().waitFor();
            const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            assert.ok(over <= 0, `${hash} scrolls sideways by ${over}px at 360 px`);
        }
        await page.locator('.user-button').click();
        const panel = await page.locator('#user-menu-panel').boundingBox();
        assert.ok(panel.x >= 0 && panel.x + panel.width <= 360, 'user menu fits the screen');
        await page.screenshot({ path: artifact('detail-360-menu.png') });
        assert.deepEqual(problems, []);
    } catch (err) {
        throw withDaemonLog(daemon, err);
    } finally {
        await page.close();
    }
});

/** Relative luminance (0 black .. 1 white) of a computed `rgb(r, g, b)` colour. */
function luminance(css) {
    const [r, g, b] = css.match(/\d+(\.\d+)?/g).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

test('dark theme: the UI follows prefers-color-scheme and stays readable', async () => {
    const dark = await browsers.get('dark');
    const { page, problems } = await newPage({ width: 1280, height: 800 }, dark);
    try {
        await page.goto(`${daemon.url}/`);
        await page.locator('#login-username').waitFor({ timeout: TIMEOUT });
        assert.equal(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches), true,
            'the browser prefers the dark scheme');
        await page.checkA11y('the login page (dark)');
        await login(page, ADMIN);
        await page.locator('.conn-open').waitFor({ timeout: TIMEOUT });
        const colours = await page.evaluate(() => {
            const of = (sel) => getComputedStyle(document.querySelector(sel));
            return { page: of('body').backgroundColor, text: of('body').color, card: of('.vm-section').backgroundColor,
                input: of('#vm-filter').backgroundColor };
        });
        for (const k of ['page', 'card', 'input']) {
            assert.ok(luminance(colours[k]) < 0.05, `${k} background is dark: ${JSON.stringify(colours)}`);
        }
        assert.ok(luminance(colours.text) > 0.7, `text is light: ${JSON.stringify(colours)}`);
        await page.screenshot({ path: artifact('list-dark-1280x800.png') });
        await page.checkA11y('the VM list (dark)');

        const vm = page.locator('.vm-table tbody tr').filter({ has: page.locator('button[data-action="destroy"]') }).first();
        await chooseAction(vm, 'destroy');
        await page.locator('dialog.dialog').waitFor();
        await page.checkA11y('a confirmation (dark)');
        await page.keyboard.press('Escape');
        await page.locator('dialog.dialog').waitFor({ state: 'hidden' });

        await vm.locator('a.vm-name').click();
        await page.locator('.page-detail .card-title', { hasText: 'Overview' }).waitFor({ timeout: TIMEOUT });
        await page.screenshot({ path: artifact('detail-dark-1280x800.png'), fullPage: true });
        await page.checkA11y('the VM detail page (dark)');
        await page.locator('.user-button').click();
        await page.locator('#user-menu-panel').waitFor();
        await page.checkA11y('the user menu (dark)');
        assert.deepEqual(problems, []);
    } catch (err) {
        throw withDaemonLog(daemon, err);
    } finally {
        await page.close();
    }
});
