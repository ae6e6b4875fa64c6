// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/domain-xml.test.mjs — the XML tab of a VM's page (issue 12, admins only),
// against a real daemon on libvirt's test driver with the demo hypervisor, in the
// browser VIRTDECK_BROWSER names (tests/lib/browser.mjs). An admin on web-01 (running)
// sees the definition read-only, edits it, reviews the line diff (the removed and the
// added <vcpu> line), saves, and is told the change waits for the next boot; a renamed
// <name> is refused at the text area with nothing saved. An operator gets no XML tab.
// axe on each state.
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { login, newPage } from '../lib/browser.mjs';
import { withDemoDaemon } from '../lib/e2e-setup.mjs';

const ADMIN = { name: 'root-admin', role: 'admin', password: randomBytes(12).toString('hex') };
const OP = { name: 'oper', role: 'operator', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;
const WEB01 = '97e56341-f5b0-4a2a-b12f-373969e93bd3';

let daemon;
let browser;
withDemoDaemon({ users: [ADMIN, OP] }, (d, b) => {
    daemon = d;
    browser = b;
});

/** A logged-in page for user; runs fn(page), then checks the page had no problems but
 * the refusals named by expected (a RegExp of the console line, or null). */
async function withPage(user, fn, expected = null) {
    const { page, problems } = await newPage(browser);
    try {
        await login(page, daemon, user);
        await fn(page);
        assert.deepEqual(problems.filter((p) => !expected || !expected.test(p)), []);
    } finally {
        await page.close();
    }
}

test('an admin edits the XML, reviews the diff and saves it for the next boot', async () => {
    await withPage(ADMIN, async (page) => {
        await page.evaluate((h) => { location.hash = h; }, `#/domains/${WEB01}/tab/xml`);
        const view = page.locator('.xml-tab pre.xml-view');
        await page.waitForFunction(() => /<name>web-01<\/name>/.test(document.querySelector('.xml-tab pre.xml-view')?.textContent || ''),
            null, { timeout: TIMEOUT });
        const before = await view.textContent();
        const vcpu = before.match(/<vcpu[^>]*>(\d+)<\/vcpu>/);
        assert.ok(vcpu, 'the definition has a <vcpu>');
        await page.checkA11y('the XML tab');

        await page.locator('.xml-tab .section-head button', { hasText: 'Edit' }).click();
        const area = page.locator('.xml-tab textarea.xml-edit');
        await area.waitFor({ timeout: TIMEOUT });
        assert.equal(await area.inputValue(), before);
        const next = Number(vcpu[1]) + 1;
        await area.fill(before.replace(vcpu[0], vcpu[0].replace(`>${vcpu[1]}<`, `>${next}<`)));
        await page.locator('.xml-tab button', { hasText: 'Review changes' }).click();
        await page.locator('.xml-diff-lines').waitFor({ timeout: TIMEOUT });
        assert.deepEqual(await page.locator('.xml-diff-lines .xml-removed').allTextContents(), [`- ${before.split('\n').find((l) => l.includes('<vcpu'))}\n`]);
        assert.match((await page.locator('.xml-diff-lines .xml-added').allTextContents()).join(''), new RegExp(`>${next}</vcpu>`));
        assert.match(await page.locator('.xml-diff-summary').textContent(), /2 lines change/);
        await page.checkA11y('the XML diff');

        await page.locator('.xml-tab button', { hasText: /^Save$/ }).click();
        await page.locator('.xml-note:not([hidden])').waitFor({ timeout: TIMEOUT });
        assert.match(await page.locator('.xml-note').textContent(), /next boot/);
        assert.match(await view.textContent(), new RegExp(`>${next}</vcpu>`));
        const saved = await page.evaluate(async (u) => (await fetch(`/api/domains/${u}/xml?inactive=true`)).json(), WEB01);
        assert.match(saved.xml, new RegExp(`>${next}</vcpu>`));
    });
});

test('a renamed <name> is refused at the text area, nothing saved', async () => {
    await withPage(ADMIN, async (page) => {
        await page.evaluate((h) => { location.hash = h; }, `#/domains/${WEB01}/tab/xml`);
        await page.waitForFunction(() => /<name>web-01<\/name>/.test(document.querySelector('.xml-tab pre.xml-view')?.textContent || ''),
            null, { timeout: TIMEOUT });
        const before = await page.locator('.xml-tab pre.xml-view').textContent();
        await page.locator('.xml-tab .section-head button', { hasText: 'Edit' }).click();
        const area = page.locator('.xml-tab textarea.xml-edit');
        await area.fill(before.replace('<name>web-01</name>', '<name>web-renamed</name>'));
        await page.locator('.xml-tab button', { hasText: 'Review changes' }).click();
        await page.locator('.xml-tab button', { hasText: /^Save$/ }).click();
        await page.locator('.xml-tab textarea.xml-edit[aria-invalid="true"]').waitFor({ timeout: TIMEOUT });
        assert.match(await page.locator('.xml-tab .field').textContent(), /must keep <name>web-01<\/name>/);
        await page.checkA11y('the refused XML');
        const saved = await page.evaluate(async (u) => (await fetch(`/api/domains/${u}/xml?inactive=true`)).json(), WEB01);
        assert.match(saved.xml, /<name>web-01<\/name>/);
    }, /status of 400 .*\/xml\)$/);
});

test('an operator gets no XML tab', async () => {
    await withPage(OP, async (page) => {
        await page.evaluate((h) => { location.hash = h; }, `#/domains/${WEB01}/tab/snapshots`);
        await page.locator('.snapshot-tab').waitFor({ timeout: TIMEOUT });
        assert.equal(await page.locator('[role="tab"][data-tab="xml"]').evaluate((el) => el.hidden), true);
        assert.equal(await page.locator('.xml-tab').count(), 0);
    });
});
