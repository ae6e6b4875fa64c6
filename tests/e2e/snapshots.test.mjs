// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/snapshots.test.mjs — the Snapshots tab of a VM's page (issue 12), against a
// real daemon on libvirt's test driver with the demo hypervisor, in the browser
// VIRTDECK_BROWSER names (tests/lib/browser.mjs). On web-01 (running, one qcow2 disk):
// the empty tab, taking a snapshot (the memory box ticked and locked, the reason said),
// a second one that shows as its child, the current one marked; reverting after a
// dialog that warns the current state is lost (the mark moves); deleting one after its
// dialog; a snapshot taken after the revert branches off (the README's picture of the
// tree, docs/snapshot-screenshot.png, from chromium). On db-primary (running, a raw data disk vdb) the tab says why no snapshot can
// be taken before anyone tries, and its button is disabled. axe on each state.
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { artifact, login, newPage, publish, tidyForPicture } from '../lib/browser.mjs';
import { withDemoDaemon } from '../lib/e2e-setup.mjs';

const OP = { name: 'oper', role: 'operator', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;
const WEB01 = '97e56341-f5b0-4a2a-b12f-373969e93bd3';
const DB_PRIMARY = '3c421c8a-cbfe-456d-9781-0671c4844b30';

let daemon;
let browser;
withDemoDaemon({ users: [OP] }, (d, b) => {
    daemon = d;
    browser = b;
});

/** A logged-in operator page on uuid's Snapshots tab; runs fn(page), then checks the page had no problems. */
async function onTab(uuid, fn) {
    const { page, problems } = await newPage(browser);
    try {
        await login(page, daemon, OP);
        await page.evaluate((h) => { location.hash = h; }, `#/domains/${uuid}/tab/snapshots`);
        await page.locator('.snapshot-tab').waitFor({ timeout: TIMEOUT });
        await fn(page);
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
}

const item = (name) => `li.snapshot-item[data-snapshot="${name}"]`;

async function takeSnapshot(page, name, description = '') {
    await page.locator('.snapshot-tab .section-head button.btn-primary').click();
    const form = page.locator('.snapshot-tab form');
    await form.waitFor({ timeout: TIMEOUT });
    await form.locator('input[name="name"]').fill(name);
    if (description) await form.locator('textarea[name="description"]').fill(description);
    await form.locator('button[type="submit"]').click();
    await page.locator(item(name)).waitFor({ timeout: TIMEOUT });
}

/** Confirms the open dialog after checking its text matches re. */
async function confirmDialog(page, re) {
    const dialog = page.locator('dialog.dialog[open]');
    await dialog.waitFor({ timeout: TIMEOUT });
    assert.match(await dialog.textContent(), re);
    await page.checkA11y('a snapshot confirmation');
    await dialog.locator('button[value="confirm"]').click();
    await page.locator('dialog.dialog[open]').waitFor({ state: 'detached', timeout: TIMEOUT });
}

test('take, nest, revert and delete snapshots of a running qcow2 VM', async () => {
    await onTab(WEB01, async (page) => {
        await page.locator('.snapshot-empty').waitFor({ timeout: TIMEOUT });
        await page.locator('.snapshot-tab .section-head button.btn-primary').click();
        const memory = page.locator('.snapshot-tab input[name="memory"]');
        await memory.waitFor({ timeout: TIMEOUT });
        assert.deepEqual(await memory.evaluate((el) => [el.checked, el.disabled]), [true, true]);
        assert.match(await page.locator('.snapshot-tab form').textContent(), /always includes its memory/);
        await page.checkA11y('the snapshot form');
        await page.locator('.snapshot-tab form button[type="button"]').click(); // Cancel

        await takeSnapshot(page, 'before upgrade', 'kernel 6.1');
        await takeSnapshot(page, '升级后');
        // the second is a child of the first, and the current one
        await page.locator(`${item('before upgrade')} ul.snapshot-children ${item('升级后')}`).waitFor({ timeout: TIMEOUT });
        assert.equal(await page.locator(item('升级后')).getAttribute('aria-current'), 'true');
        assert.equal(await page.locator(item('before upgrade')).getAttribute('aria-current'), null);
        assert.match(await page.locator(item('before upgrade')).textContent(), /kernel 6\.1/);
        await page.screenshot({ path: artifact('snapshots-tree.png') });
        await page.checkA11y('the snapshot tree');

        await page.locator(`button[data-action="revert"][data-name="before upgrade"]`).click();
        await confirmDialog(page, /current state is lost/);
        await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('aria-current') === 'true',
            item('before upgrade'), { timeout: TIMEOUT });
        // a snapshot taken now branches off the one reverted to: two children, the new one current
        await takeSnapshot(page, 'after revert', '回滚后重新配置');
        await page.locator(`${item('before upgrade')} ul.snapshot-children ${item('after revert')}`).waitFor({ timeout: TIMEOUT });
        assert.equal(await page.locator(`${item('before upgrade')} ul.snapshot-children > li`).count(), 2);
        assert.equal(await page.locator(item('after revert')).getAttribute('aria-current'), 'true');
        await tidyForPicture(page);
        const tree = artifact('snapshots-branch.png');
        await page.screenshot({ path: tree });
        publish(tree, 'snapshot-screenshot.png');

        await page.locator(`button[data-action="delete"][data-name="升级后"]`).click();
        await confirmDialog(page, /Delete snapshot 升级后\?/);
        await page.locator(item('升级后')).waitFor({ state: 'detached', timeout: TIMEOUT });
        assert.equal(await page.locator(item('before upgrade')).isVisible(), true);
    });
});

test('a VM with a raw disk says why before anyone tries', async () => {
    await onTab(DB_PRIMARY, async (page) => {
        const why = page.locator('.snapshot-why');
        await why.waitFor({ timeout: TIMEOUT });
        assert.match(await why.textContent(), /disk vdb is raw: libvirt can snapshot only qcow2 disks internally/);
        assert.equal(await page.locator('.snapshot-tab .section-head button.btn-primary').evaluate((el) => el.disabled), true);
        await page.checkA11y('a VM that cannot be snapshotted');
    });
});
