// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/template.test.mjs — marking a VM as a template from its "More actions" menu
// (issue 12, docs/api.md "Templates"), against a real daemon on libvirt's test driver,
// in the browser VIRTDECK_BROWSER names (tests/lib/browser.mjs). Marking shows a
// "Template" badge by the VM's name in the detail page and, live, in another page's
// list; a template has no Start button and its page says why; unmarking brings Start
// back. A running VM's menu does not offer the mark.
//
// It runs a copy of the demo (packaging/demo/demo.xml) with a shut-off VM of its own
// (written to a temporary directory, removed in after()).
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { artifact, chooseAction } from '../lib/browser.mjs';
import { demoCopy, withDemoUser } from '../lib/e2e-setup.mjs';
import { domainXml } from '../bench/gen-domains.mjs';

const ADMIN = { name: 'admin', role: 'admin', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;
const UUID = { web01: '97e56341-f5b0-4a2a-b12f-373969e93bd3', mine: '5eed0000-0000-4000-8000-00000000e0e1' };
const FIXTURE_URI = demoCopy('template-e2e', '</node>', `${domainXml({ name: 'vdtest-e2e-tpl', uuid: UUID.mine, state: 'shutoff' })}\n`);

const { openAt } = withDemoUser(FIXTURE_URI, ADMIN);

test('mark → badge in the detail and live in the list, no Start, the reason; unmark → Start is back', async () => {
    const watcher = await openAt('#/');
    const { page, problems } = await openAt(`#/domains/${UUID.mine}`);
    try {
        const row = watcher.page.locator(`.vm-table tbody tr[data-uuid="${UUID.mine}"]`);
        await row.waitFor({ timeout: TIMEOUT });
        assert.equal(await row.locator('.badge-template').count(), 0);
        const actions = page.locator('.detail-head .actions');
        await actions.locator('button[data-action="start"]').waitFor({ timeout: TIMEOUT });

        await chooseAction(actions, 'template');
        await page.locator('.detail-title .badge-template', { hasText: 'Template' }).waitFor({ timeout: TIMEOUT });
        await page.locator('.template-note', { hasText: 'This VM is a template: it cannot be started.' }).waitFor({ timeout: TIMEOUT });
        await actions.locator('button[data-action="start"]').waitFor({ state: 'detached', timeout: TIMEOUT });
        await row.locator('.badge-template', { hasText: 'Template' }).waitFor({ timeout: TIMEOUT });
        await row.scrollIntoViewIfNeeded();
        await row.locator('button.menu-button').first().waitFor({ timeout: TIMEOUT });
        assert.equal(await row.locator('button[data-action="start"]').count(), 0, 'no Start in the list either');
        await page.screenshot({ path: artifact('template-detail.png') });
        await page.checkA11y('a template\'s page');

        await actions.locator('button.menu-button').click();
        const unmark = actions.locator('[role="menuitem"][data-action="template"]', { visible: true });
        assert.match(await unmark.textContent(), /Unmark as template/);
        await unmark.click();
        await actions.locator('button[data-action="start"]').waitFor({ timeout: TIMEOUT });
        await page.locator('.template-note').waitFor({ state: 'hidden', timeout: TIMEOUT });
        await row.locator('.badge-template').waitFor({ state: 'detached', timeout: TIMEOUT });
        // marked again: the badge comes back
        await chooseAction(actions, 'template');
        await row.locator('.badge-template', { hasText: 'Template' }).waitFor({ timeout: TIMEOUT });
        assert.deepEqual(problems, []);
        assert.deepEqual(watcher.problems, []);
    } finally {
        await page.close();
        await watcher.page.close();
    }
});

test('a running VM\'s menu does not offer the template mark', async () => {
    const { page, problems } = await openAt(`#/domains/${UUID.web01}`);
    try {
        const actions = page.locator('.detail-head .actions');
        await actions.locator('button.menu-button').click();
        const items = actions.locator('[role="menuitem"]', { visible: true });
        await items.first().waitFor({ timeout: TIMEOUT });
        const names = [];
        for (let i = 0; i < await items.count(); i++) names.push(await items.nth(i).getAttribute('data-action'));
        assert.ok(names.includes('destroy'), names.join(','));
        assert.ok(!names.includes('template'), names.join(','));
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});
