// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/consistent-ui.test.mjs — the UI's consistency items of issue 11 against a real
// daemon (libvirt's test driver with packaging/demo/demo.xml), in the browser
// VIRTDECK_BROWSER names (tests/lib/browser.mjs): a VM detail tab lives in the URL (a
// reload or a shared link opens it, back/forward move between tabs), and the main
// navigation bar has no scrollbar at desktop or phone width.
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { login, newPage } from '../lib/browser.mjs';
import { controlsUnderToasts, withDemoDaemon } from '../lib/e2e-setup.mjs';

const ADMIN = { name: 'admin', role: 'admin', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;

let daemon;
let browser;
withDemoDaemon({ users: [ADMIN] }, (d, b) => {
    daemon = d;
    browser = b;
});

/** The uuid of the first VM in the list. */
async function firstVm(page) {
    const row = page.locator('.vm-table tbody tr[data-uuid]').first();
    await row.waitFor({ timeout: TIMEOUT });
    return row.getAttribute('data-uuid');
}

/** The detail page's chosen tab (its data-tab), once the page shows tabs. */
async function selectedTab(page) {
    await page.locator('.detail-tabs [role="tab"][aria-selected="true"]').waitFor({ timeout: TIMEOUT });
    return page.locator('.detail-tabs [role="tab"][aria-selected="true"]').getAttribute('data-tab');
}

/** Waits until the chosen tab is `tab`. */
async function waitTab(page, tab) {
    await page.locator(`.detail-tabs [role="tab"][data-tab="${tab}"][aria-selected="true"]`).waitFor({ timeout: TIMEOUT });
}

test('a detail tab is in the URL: reload, shared link and back/forward show it', async () => {
    const { page, problems } = await newPage(browser);
    try {
        await login(page, daemon, ADMIN, { timeout: TIMEOUT });
        const uuid = await firstVm(page);
        await page.evaluate((h) => { location.hash = h; }, `#/domains/${uuid}`);
        assert.equal(await selectedTab(page), 'overview');

        // Choosing a tab names it in the URL.
        await page.getByRole('tab', { name: 'Disks', exact: true }).click();
        await waitTab(page, 'disks');
        await page.waitForURL(new RegExp(`#/domains/${uuid}/tab/disks$`), { timeout: TIMEOUT });

        // A reload (a shared link: a full load of that URL) opens the same tab.
        await page.goto(`${daemon.url}/?reload=1#/domains/${uuid}/tab/disks`);
        await waitTab(page, 'disks');

        // Back and forward move between the tabs chosen, on the same page.
        await page.getByRole('tab', { name: 'Network interfaces', exact: true }).click();
        await waitTab(page, 'nics');
        await page.waitForURL(new RegExp(`#/domains/${uuid}/tab/nics$`), { timeout: TIMEOUT });
        await page.evaluate(() => history.back());
        await waitTab(page, 'disks');
        await page.waitForURL(new RegExp(`#/domains/${uuid}/tab/disks$`), { timeout: TIMEOUT });
        await page.evaluate(() => history.forward());
        await waitTab(page, 'nics');

        // The full-page consoles keep their routes.
        await page.evaluate((h) => { location.hash = h; }, `#/domains/${uuid}/serial`);
        await page.locator('body.console-open').waitFor({ timeout: TIMEOUT });
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});

test('the navigation bar has no scrollbar at desktop or phone width', async () => {
    for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
        const { page, problems } = await newPage(browser, { viewport });
        try {
            await login(page, daemon, ADMIN, { timeout: TIMEOUT });
            await page.locator('#mainnav [data-nav]').first().waitFor({ timeout: TIMEOUT });
            const m = await page.evaluate(() => {
                const nav = document.getElementById('mainnav');
                return { sw: nav.scrollWidth, cw: nav.clientWidth, sh: nav.scrollHeight, ch: nav.clientHeight,
                    oh: nav.offsetHeight, bh: nav.getBoundingClientRect().height };
            });
            assert.ok(m.sw <= m.cw, `${viewport.width}px: the nav scrolls sideways (${JSON.stringify(m)})`);
            assert.ok(m.sh <= m.ch, `${viewport.width}px: the nav scrolls up and down (${JSON.stringify(m)})`);
            assert.deepEqual(problems, []);
        } finally {
            await page.close();
        }
    }
});

test('toasts do not cover the bottom rows\' buttons (1280x800 and 390x844)', async () => {
    for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
        const { page, problems } = await newPage(browser, { viewport });
        try {
            await login(page, daemon, ADMIN, { timeout: TIMEOUT });
            await page.route('**/api/domains/*/*', {
                fulfill: { status: 409, contentType: 'application/json',
                    body: JSON.stringify({ error: { code: 'conflict', message: 'refused (test)' } }) },
            });
            // Three refused Starts (no confirmation) on the last row with one: three error toasts stay up.
            const start = 'button[data-action="start"]:not([disabled])';
            const last = page.locator('.vm-table tbody tr[data-uuid]').filter({ has: page.locator(start) }).last();
            const toEnd = async () => {
                await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
                await page.waitForFunction(() => Math.ceil(window.scrollY + window.innerHeight) >= document.documentElement.scrollHeight - 1,
                    null, { timeout: TIMEOUT });
            };
            for (let i = 1; i <= 3; i++) {
                await toEnd(); // the page's end: where the toasts' room is reserved
                await last.locator(start).click();
                await page.waitForFunction((n) => document.querySelectorAll('#alerts .toast').length === n, i, { timeout: TIMEOUT });
            }
            // At the end of the page (where the last row's buttons are) nothing is under a toast.
            await toEnd();
            assert.deepEqual(await controlsUnderToasts(page), [], `${viewport.width}px: controls under a toast`);
            assert.deepEqual(problems.filter((p) => !/status of 409/.test(p)), []);
        } finally {
            await page.close();
        }
    }
});

test('a running row shows one graceful primary action and a keyboard menu of the rest', async () => {
    const { page, problems } = await newPage(browser);
    try {
        await login(page, daemon, ADMIN, { timeout: TIMEOUT });
        const row = page.locator('.vm-table tbody tr').filter({ has: page.locator('.badge', { hasText: /^running$/ }) }).first();
        await row.waitFor({ timeout: TIMEOUT });
        // the row's actions follow the session's role, which may arrive after the list
        await row.locator('button[data-action]', { visible: true }).first().waitFor({ timeout: TIMEOUT });
        const shown = await row.evaluate((tr) => [...tr.querySelectorAll('button[data-action]')]
            .filter((b) => b.getClientRects().length > 0)
            .map((b) => ({ action: b.dataset.action, red: b.matches('.btn-danger, .btn-danger-outline') })));
        assert.deepEqual(shown, [{ action: 'shutdown', red: false }], 'one primary action, Shut down, not red');

        // The menu button opens by keyboard, arrows move, Esc closes and gives focus back.
        const menuButton = row.getByRole('button', { name: /More actions/ });
        await menuButton.focus();
        const focused = () => page.evaluate(() => document.activeElement?.dataset?.action || document.activeElement?.getAttribute('aria-haspopup'));
        await page.keyboard.press('Enter');
        const menu = row.locator('[role="menu"]', { visible: true });
        await menu.waitFor({ timeout: TIMEOUT });
        assert.equal(await menuButton.getAttribute('aria-expanded'), 'true');
        const items = await menu.evaluate((m) => [...m.querySelectorAll('[role="menuitem"]')]
            .map((b) => `${b.dataset.action}${b.classList.contains('menu-item-danger') ? '!' : ''}`));
        // Delete comes last (red), disabled while the VM runs: the arrows skip it
        assert.deepEqual(items, ['reboot', 'suspend', 'reset!', 'destroy!', 'delete!'], 'the rest, only Reset, Force off and Delete red');
        assert.equal(await focused(), 'reboot', 'the first item has focus');
        await page.checkA11y('the open More actions menu');
        await page.keyboard.press('ArrowDown');
        assert.equal(await focused(), 'suspend');
        await page.keyboard.press('ArrowUp');
        await page.keyboard.press('ArrowUp');
        assert.equal(await focused(), 'destroy', 'ArrowUp wraps to the last item');
        await page.keyboard.press('Escape');
        await menu.waitFor({ state: 'hidden', timeout: TIMEOUT });
        assert.equal(await focused(), 'menu', 'Esc gives focus back to the menu button');
        assert.equal(await menuButton.getAttribute('aria-expanded'), 'false');
        await page.keyboard.press('ArrowDown');
        await menu.waitFor({ timeout: TIMEOUT });
        assert.equal(await focused(), 'reboot');
        await page.keyboard.press('Escape');
        await page.keyboard.press(' ');
        await menu.waitFor({ timeout: TIMEOUT });
        // Enter on an item runs it: Force off asks first.
        await page.keyboard.press('End');
        assert.equal(await focused(), 'destroy');
        await page.keyboard.press('Enter');
        const dialog = page.locator('dialog.dialog[open]');
        await dialog.waitFor({ timeout: TIMEOUT });
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached', timeout: TIMEOUT }).catch(() => dialog.waitFor({ state: 'hidden', timeout: TIMEOUT }));
        assert.equal(await focused(), 'menu', 'focus is back on the menu button after the dialog');
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});
