// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/first-look.test.mjs — what a new user sees in the first minutes (issue 11),
// the items no other browser test covers, in the browser VIRTDECK_BROWSER names
// (tests/lib/browser.mjs), against a real daemon on libvirt's test driver with
// packaging/demo/demo.xml: the test-driver demo's notice (a titled region saying what
// this demo cannot do, in English and Chinese; hidden on request, back after a reload);
// the host card's VM counts unknown while libvirt or the server is unreachable; the
// buttons of rows scrolled off screen held during an outage too; no empty IPv6 frame in
// the create-network form; the demo pool "default" showing what the demo declares; the
// VM list's "vCPUs" as written; the user menu's role in words (not "admin admin");
// "Reload" for re-reading a list ("Refresh" is only a pool's rescan); paths that wrap
// only after a '/'; a graceful Shut down confirmed without red.
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startDaemon, REPO_ROOT } from '../lib/daemon.mjs';
import { artifact, chooseAction, login, newPage } from '../lib/browser.mjs';
import { DEMO_URI, withDemoDaemon } from '../lib/e2e-setup.mjs';
import ZH from '../../web/i18n/zh-CN.js';

const ADMIN = { name: 'admin', role: 'admin', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;
const DEMO_XML = path.join(REPO_ROOT, 'packaging', 'demo', 'demo.xml'); // DEMO_URI's file
const DEMO_TEXT = 'This demo runs on libvirt’s test driver: consoles, serial consoles, uploads, downloads, ' +
    'resizing and attaching devices do not work here. Run it on a machine with QEMU to see them.';

let daemon;
let browser;
withDemoDaemon({ users: [ADMIN] }, (d, b) => {
    daemon = d;
    browser = b;
});

/** A signed-in page on the VM list of d (the shared daemon unless given). */
async function signedIn({ viewport, d = daemon } = {}) {
    const p = await newPage(browser, { viewport, expected401: /\/api\/(session|login)$/ });
    await login(p.page, d, ADMIN, { timeout: TIMEOUT });
    return p;
}

/** The demo notice as the page shows it: null when absent or hidden. */
function demoNotice(page) {
    return page.evaluate(() => {
        const el = [...document.querySelectorAll('section[aria-labelledby], [role="region"]')]
            .find((x) => /test driver/.test(x.textContent));
        if (!el || el.hidden || el.getClientRects().length === 0) return null;
        const title = document.getElementById(el.getAttribute('aria-labelledby'));
        const top = el.getBoundingClientRect().top;
        const main = document.getElementById('main').getBoundingClientRect().top;
        return {
            role: el.getAttribute('role') || el.tagName.toLowerCase(),
            heading: title && /^H[1-6]$/.test(title.tagName) ? title.textContent : null,
            text: el.querySelector('p')?.textContent,
            aboveMain: top < main,
        };
    });
}

test('on the test driver a notice says what the demo cannot do; hidden, it comes back on reload', async () => {
    const { page, problems } = await signedIn();
    try {
        await page.locator('#demo-banner:not([hidden])').waitFor({ timeout: TIMEOUT });
        const shown = await demoNotice(page);
        assert.deepEqual(shown, { role: 'section', heading: 'A limited demo', text: DEMO_TEXT, aboveMain: true },
            'a region (a <section> named by its heading) above the page');
        assert.equal(await page.getByRole('region', { name: 'A limited demo' }).count(), 1, 'announced as a named region');
        await page.screenshot({ path: artifact('demo-banner.png') });
        await page.checkA11y('the VM list with the demo notice');

        // Hidden: it stays hidden on the other pages of this page load.
        await page.getByRole('button', { name: 'Hide this notice' }).click();
        await page.waitForFunction(() => document.getElementById('demo-banner')?.hidden === true, null, { timeout: TIMEOUT });
        await page.goto(`${daemon.url}/#/networks`);
        await page.locator('#page-title', { hasText: 'Virtual networks' }).waitFor({ timeout: TIMEOUT });
        assert.equal(await demoNotice(page), null, 'hidden for the rest of this page load');

        // A reload shows it again.
        await page.goto(`${daemon.url}/?again=1#/`);
        await page.locator('#demo-banner:not([hidden])').waitFor({ timeout: TIMEOUT });
        assert.equal((await demoNotice(page))?.text, DEMO_TEXT);

        // In Chinese too (the language the user chose, remembered by the page).
        await page.evaluate(() => localStorage.setItem('virtdeck-language', 'zh-CN'));
        await page.goto(`${daemon.url}/?zh=1#/`);
        await page.waitForFunction(() => document.documentElement.lang === 'zh-CN', null, { timeout: TIMEOUT });
        await page.locator('#demo-banner:not([hidden])').waitFor({ timeout: TIMEOUT });
        assert.deepEqual(await page.evaluate(() => [document.getElementById('demo-banner-title')?.textContent,
            document.querySelector('#demo-banner p')?.textContent]), [ZH['shell.demo.title'], ZH['shell.demo.text']]);
        await page.checkA11y('the VM list with the demo notice in Chinese');
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});

/** The host card's "Virtual machines" figures: [value, sub-line]. */
function hostCounts(page) {
    return page.evaluate(() => {
        const dt = [...document.querySelectorAll('.host-panel .host-label')].find((x) => x.textContent === 'Virtual machines');
        const dd = dt?.nextElementSibling;
        return [dd?.firstElementChild?.textContent, dd?.querySelector('.host-sub')?.textContent];
    });
}

test('the host card\'s VM counts read unknown while libvirt or the server is unreachable, and come back', async () => {
    // A daemon of its own: this test stops it.
    const own = await startDaemon({ uri: DEMO_URI, users: [ADMIN] });
    const { page, problems } = await signedIn({ d: own });
    try {
        await page.locator('.host-panel .pill-ok').waitFor({ timeout: TIMEOUT });
        await page.locator('.conn-open').waitFor({ timeout: TIMEOUT });
        const live = await hostCounts(page);
        assert.match(live[0], /^\d+ running of \d+$/, JSON.stringify(live));
        assert.match(live[1], /\d+ shut off/, JSON.stringify(live));

        // libvirt lost (the server's own message, handed to the page: the test driver cannot lose it)
        assert.equal(await page.evaluate(() => window.__vdHarness.inject({ type: 'host', state: 'disconnected' })), true);
        await page.waitForFunction(() => document.querySelector('.host-panel .pill')?.textContent === 'Disconnected', null, { timeout: TIMEOUT });
        let counts = await hostCounts(page);
        assert.deepEqual(counts, ['Unknown', 'Unknown while the connection is lost'], 'libvirt lost: no figure as if current');
        assert.match(await page.locator('#banner').textContent(), /Every state reads unknown and actions wait/,
            'the banner says what the page shows (not "the last known state")');
        assert.equal(await page.evaluate(() => window.__vdHarness.inject({ type: 'host', state: 'connected' })), true);
        await page.locator('.host-panel .pill-ok').waitFor({ timeout: TIMEOUT });
        assert.deepEqual(await hostCounts(page), live, 'the figures come back with libvirt');

        // The server gone: the socket closes and the page keeps trying.
        await own.stop({ expectCode: null });
        await page.locator('.conn-closed, .conn-connecting').waitFor({ timeout: TIMEOUT });
        await page.waitForFunction(() => document.querySelector('.host-panel .pill')?.textContent === 'Unknown', null, { timeout: TIMEOUT });
        counts = await hostCounts(page);
        assert.deepEqual(counts, ['Unknown', 'Unknown while the connection is lost'], 'server gone');
        assert.deepEqual(problems.filter((p) => !/ERR_CONNECTION_REFUSED|websocket|WebSocket|NetworkError/i.test(p)), []);
    } finally {
        await page.close();
        await own.stop({ expectCode: null }).catch(() => {});
    }
});

test('while libvirt is lost, the buttons of rows off screen wait too (a screen reader reaches them)', async () => {
    const { page, problems } = await signedIn({ viewport: { width: 1280, height: 500 } });
    try {
        await page.locator('.conn-open').waitFor({ timeout: TIMEOUT });
        const last = page.locator('.vm-table tbody tr[data-uuid]').last();
        // Scrolled to the end and back: the last rows have their buttons, now off screen.
        await last.evaluate((tr) => tr.scrollIntoView({ block: 'end' }));
        await last.locator('button[data-action]').first().waitFor({ state: 'attached', timeout: TIMEOUT });
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.waitForFunction(() => window.scrollY === 0 &&
            document.querySelector('.vm-table tbody tr[data-uuid]:last-child').getBoundingClientRect().top > window.innerHeight,
        null, { timeout: TIMEOUT });
        const enabled = () => page.evaluate(() => [...document.querySelectorAll('.vm-table button[data-action]')]
            .filter((b) => !b.disabled).map((b) => `${b.closest('tr').querySelector('a.vm-name').textContent} ${b.dataset.action}`));

        assert.equal(await page.evaluate(() => window.__vdHarness.inject({ type: 'host', state: 'disconnected' })), true);
        await page.waitForFunction(() => document.querySelector('.host-panel .pill')?.textContent === 'Disconnected', null, { timeout: TIMEOUT });
        assert.deepEqual(await enabled(), [], 'no button enabled, on screen or off');

        assert.equal(await page.evaluate(() => window.__vdHarness.inject({ type: 'host', state: 'connected' })), true);
        await page.locator('.host-panel .pill-ok').waitFor({ timeout: TIMEOUT });
        await last.evaluate((tr) => tr.scrollIntoView({ block: 'end' }));
        await page.waitForFunction(() => [...document.querySelectorAll('.vm-table tbody tr[data-uuid]:last-child button[data-action]')]
            .some((b) => !b.disabled), null, { timeout: TIMEOUT });
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});

test('the create-network form shows no empty IPv6 frame: an unticked family is its checkbox line alone', async () => {
    const { page, problems } = await signedIn();
    try {
        await page.goto(`${daemon.url}/#/networks`);
        await page.getByRole('button', { name: 'Create network' }).click();
        const form = page.locator('form[aria-labelledby="net-form-title"]');
        await form.getByRole('checkbox', { name: 'IPv6 subnet' }).waitFor({ timeout: TIMEOUT });
        /** Each visible fieldset of the form: does it draw a frame, and what besides its legend shows. */
        const boxes = () => form.evaluate((f) => [...f.querySelectorAll('fieldset')]
            .filter((fs) => fs.getClientRects().length > 0)
            .map((fs) => {
                const st = getComputedStyle(fs);
                const framed = ['Top', 'Right', 'Bottom', 'Left'].some((s) => parseFloat(st[`border${s}Width`]) > 0 &&
                    st[`border${s}Style`] !== 'none' && st[`border${s}Color`] !== 'rgba(0, 0, 0, 0)');
                const content = [...fs.children].filter((c) => c.tagName !== 'LEGEND' && c.getClientRects().length > 0);
                return { legend: fs.querySelector('legend')?.textContent, framed, empty: content.length === 0 };
            }));
        const v6 = (list) => list.find((b) => b.legend === 'IPv6 subnet');
        let seen = await boxes();
        assert.equal(await form.getByRole('checkbox', { name: 'IPv6 subnet' }).isChecked(), false);
        assert.deepEqual(v6(seen), { legend: 'IPv6 subnet', framed: false, empty: true }, 'IPv6 off: a checkbox line, no empty frame');
        assert.deepEqual(seen.filter((b) => b.framed && b.empty), [], `no empty frame anywhere: ${JSON.stringify(seen)}`);
        await form.evaluate((f) => f.scrollIntoView());
        await page.screenshot({ path: artifact('network-form-ipv6-off.png') });

        // Ticked: its fields show inside its frame.
        await form.getByRole('checkbox', { name: 'IPv6 subnet' }).click();
        seen = await boxes();
        assert.deepEqual(v6(seen), { legend: 'IPv6 subnet', framed: true, empty: false }, 'IPv6 on: its fields in a frame');
        await page.checkA11y('the create-network form with IPv6 ticked');
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});

/** Bytes in a figure the UI shows ("1,024 GiB", "1 TiB"). */
function bytesOf(figure) {
    const m = /^([\d.,]+)\s?([KMGTPE]?)i?B$/.exec(figure.trim());
    assert.ok(m, `a size: ${figure}`);
    return Number(m[1].replace(/,/g, '')) * 1024 ** ' KMGTPE'.indexOf(m[2] || ' ');
}

test('the demo pool "default" shows the capacity and allocation the demo declares', async () => {
    const xml = readFileSync(DEMO_XML, 'utf8');
    const pool = /<pool type='dir'>\s*<name>default<\/name>[\s\S]*?<\/pool>/.exec(xml)[0];
    const declared = (tag) => Number(new RegExp(`<${tag} unit='GiB'>(\\d+)</${tag}>`).exec(pool)[1]) * 1024 ** 3;
    const { page, problems } = await signedIn();
    try {
        await page.goto(`${daemon.url}/#/storage`);
        const row = page.locator('tr[data-name="default"]');
        await row.waitFor({ timeout: TIMEOUT });
        const text = await row.textContent();
        const m = /([\d.,]+\s?[KMGTPE]iB) of ([\d.,]+\s?[KMGTPE]iB) used/.exec(text);
        assert.ok(m, text);
        assert.equal(bytesOf(m[2]), declared('capacity'), `capacity: ${text}`);
        assert.equal(bytesOf(m[1]), declared('allocation'), `allocation: ${text}`);
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});

test('the VM list\'s header reads "vCPUs" as written, not "VCPUS"', async () => {
    const { page, problems } = await signedIn();
    try {
        // innerText is the text as rendered (after any CSS text-transform).
        const headers = await page.evaluate(() => [...document.querySelectorAll('.vm-table thead th')].map((th) => th.innerText.trim()));
        assert.ok(headers.includes('vCPUs'), `the VM list's headers: ${JSON.stringify(headers)}`);
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});

test('the user menu names the user, then the role in words (not "admin admin")', async () => {
    const { page, problems } = await signedIn();
    try {
        const user = await page.evaluate(() => document.querySelector('.user-button')?.innerText.replace(/\s+/g, ' ').trim());
        assert.equal(user, 'admin Administrator');
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});

test('re-reading a list is "Reload" on every page; "Refresh" is only a pool\'s rescan', async () => {
    const { page, problems } = await signedIn();
    try {
        /** The visible buttons' words that say reload or refresh, and whether each sits on a pool's row. */
        const buttons = () => page.evaluate(() => [...document.querySelectorAll('button')]
            .filter((b) => b.getClientRects().length > 0 && /reload|refresh/i.test(b.innerText))
            .map((b) => `${b.innerText.trim()}${b.closest('tr[data-name]') ? ' (row)' : ''}`));
        await page.goto(`${daemon.url}/#/networks`);
        await page.locator('tr[data-name="default"]').waitFor({ timeout: TIMEOUT });
        assert.deepEqual(await buttons(), ['Reload'], 'networks: the list is re-read by "Reload"');
        await page.goto(`${daemon.url}/#/storage`);
        await page.locator('tr[data-name="default"]').waitFor({ timeout: TIMEOUT });
        const storage = await buttons();
        assert.equal(storage.filter((x) => x === 'Reload').length, 1, `storage: one "Reload" for the list: ${JSON.stringify(storage)}`);
        assert.deepEqual(storage.filter((x) => x !== 'Reload' && x !== 'Refresh (row)'), [],
            `storage: "Refresh" only on a pool's row: ${JSON.stringify(storage)}`);
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});

/**
 * Every visible code.wrap path's line breaks: {wrapped: paths on more than one line,
 * bad: breaks not right after a '/'}. A break is where a character starts a line below
 * the one before it.
 */
function pathBreaks(page) {
    return page.evaluate(() => {
        let wrapped = 0;
        const bad = [];
        for (const code of document.querySelectorAll('code.wrap')) {
            if (code.getClientRects().length === 0) continue;
            const chars = [];
            const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                for (let i = 0; i < n.data.length; i++) {
                    const r = document.createRange();
                    r.setStart(n, i);
                    r.setEnd(n, i + 1);
                    const rect = r.getClientRects()[0];
                    if (rect) chars.push({ c: n.data[i], top: rect.top });
                }
            }
            let lines = 1;
            for (let i = 1; i < chars.length; i++) {
                if (chars[i].top > chars[i - 1].top + 2) {
                    lines++;
                    if (chars[i - 1].c !== '/') bad.push(`${code.textContent}: a break after "${chars.slice(0, i).map((x) => x.c).join('')}"`);
                }
            }
            if (lines > 1) wrapped++;
        }
        return { wrapped, bad };
    });
}

test('a long path wraps after a "/", never inside a name (phone width, the Disks tab)', async () => {
    const { page, problems } = await signedIn({ viewport: { width: 390, height: 844 } });
    try {
        const vm = page.locator('.vm-table tbody tr').filter({ has: page.locator('a.vm-name', { hasText: /^build-runner$/ }) });
        await vm.locator('a.vm-name').click();
        await page.getByRole('tab', { name: 'Disks', exact: true }).click();
        await page.locator('.tab-panel-disks code.wrap').first().waitFor({ timeout: TIMEOUT });
        const seen = await pathBreaks(page);
        assert.ok(seen.wrapped > 0, `a path long enough to wrap at 390 px: ${JSON.stringify(seen)}`);
        assert.deepEqual(seen.bad, [], 'breaks only after a "/"');
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});

test('the graceful Shut down asks without red; Force off asks in red', async () => {
    const { page, problems } = await signedIn();
    try {
        const vm = page.locator('.vm-table tbody tr').filter({ has: page.locator('a.vm-name', { hasText: /^web-01$/ }) });
        const dialog = page.locator('dialog.dialog[open]');
        const confirmRed = async (action) => {
            await chooseAction(vm, action);
            await dialog.waitFor({ timeout: TIMEOUT });
            const red = await dialog.evaluate((d) => {
                const buttons = [...d.querySelectorAll('.dialog-buttons button')];
                const confirm = buttons[buttons.length - 1];
                return confirm.matches('.btn-danger, .btn-danger-outline');
            });
            await page.keyboard.press('Escape');
            await page.locator('dialog.dialog[open]').waitFor({ state: 'detached', timeout: TIMEOUT })
                .catch(() => page.locator('dialog.dialog[open]').waitFor({ state: 'hidden', timeout: TIMEOUT }));
            return red;
        };
        assert.equal(await confirmRed('shutdown'), false, 'Shut down is not red');
        assert.equal(await confirmRed('destroy'), true, 'Force off is red');
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});
