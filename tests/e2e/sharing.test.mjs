// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/sharing.test.mjs — owners and sharing in the browser (issue 13), against a
// real daemon on libvirt's test driver with the demo hypervisor, in the browser
// VIRTDECK_BROWSER names (tests/lib/browser.mjs). alice owns web-01, bob web-02 (given
// through the API). bob logs in and sees only his VM; the admin, in another browser
// context, opens web-01, sees its owner, and shares it with bob at "view" through the
// Sharing dialog: web-01 appears in bob's open list without a reload (the events
// socket's fresh snapshot after the shares changed); bob opens it and finds no action,
// console, owner or sharing control (view only), while his own VM's page offers
// Sharing and its History tab shows its rows; the admin's audit page filters by web-01
// and shows only its rows. axe on each state.
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { login, newPage } from '../lib/browser.mjs';
import { withDemoDaemon } from '../lib/e2e-setup.mjs';
import { Client } from '../lib/client.mjs';

const ADMIN = { name: 'root-admin', role: 'admin', password: randomBytes(12).toString('hex') };
const ALICE = { name: 'alice', role: 'user', password: randomBytes(12).toString('hex') };
const BOB = { name: 'bob', role: 'user', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;
const WEB01 = '97e56341-f5b0-4a2a-b12f-373969e93bd3';
const WEB02 = 'a91c7fb4-4425-47a3-ba52-b093510faed5';

let daemon;
let browser;
withDemoDaemon({ users: [ADMIN, ALICE, BOB] }, (d, b) => {
    daemon = d;
    browser = b;
});

const listNames = (page) => page.evaluate(() => [...document.querySelectorAll('.vm-table tbody tr:not([hidden]) .vm-name')]
    .map((a) => a.textContent));

test('a share made in the Sharing dialog appears live for the other user, at its level only', async () => {
    const api = new Client(daemon);
    try {
        await api.login(ADMIN.name, ADMIN.password);
        for (const [uuid, owner] of [[WEB01, 'alice'], [WEB02, 'bob']]) {
            const res = await api.req('PUT', `/api/domains/${uuid}/owner`, { body: { owner } });
            assert.equal(res.status, 200, res.text);
        }
    } finally {
        api.close();
    }
    const bob = await newPage(browser);
    const admin = await newPage(browser);
    try {
        await login(bob.page, daemon, BOB);
        await bob.page.waitForFunction(() => document.querySelectorAll('.vm-table tbody tr').length === 1, null, { timeout: TIMEOUT });
        assert.deepEqual(await listNames(bob.page), ['web-02']);
        assert.equal(await bob.page.locator('.vm-table th.col-owner').count(), 0, 'no Owner column for a user');
        await bob.page.checkA11y('a user\'s list');

        // the admin: the owner column, then web-01's page with its owner and the Sharing dialog
        await login(admin.page, daemon, ADMIN);
        const owners = await admin.page.evaluate(() => Object.fromEntries([...document.querySelectorAll('.vm-table tbody tr')]
            .map((tr) => [tr.querySelector('.vm-name').textContent, tr.querySelector('td.col-owner').textContent])));
        assert.equal(owners['web-01'], 'alice');
        assert.equal(owners['web-02'], 'bob');
        await admin.page.evaluate((h) => { location.hash = h; }, `#/domains/${WEB01}`);
        await admin.page.locator('#sharing-open').waitFor({ timeout: TIMEOUT });
        assert.equal(await admin.page.locator('.owner-name').textContent(), 'alice');
        assert.equal(await admin.page.locator('#owner-change').isVisible(), true);
        await admin.page.locator('#sharing-open').click();
        await admin.page.locator('dialog .share-editor').waitFor({ timeout: TIMEOUT });
        assert.equal(await admin.page.locator('dialog .share-empty').isVisible(), true);
        await admin.page.locator('#share-kind').selectOption('user');
        await admin.page.locator('#share-name').fill('bob');
        await admin.page.locator('#share-level').selectOption('view');
        await admin.page.locator('#share-add').click();
        await admin.page.locator('dialog li.share-row[data-name="bob"]').waitFor({ timeout: TIMEOUT });
        await admin.page.checkA11y('the Sharing dialog');
        await admin.page.locator('dialog .dialog-buttons button[type="submit"]').click();
        await admin.page.waitForFunction(() => !document.querySelector('dialog'), null, { timeout: TIMEOUT });

        // bob's list, never reloaded, gets web-01 from the events socket
        await bob.page.waitForFunction(() => [...document.querySelectorAll('.vm-table tbody tr .vm-name')]
            .some((a) => a.textContent === 'web-01'), null, { timeout: TIMEOUT });
        assert.deepEqual((await listNames(bob.page)).sort(), ['web-01', 'web-02']);
        const row01 = bob.page.locator(`.vm-table tbody tr[data-uuid="${WEB01}"]`);
        assert.equal(await row01.locator('button[data-action]').count(), 0, 'no action on a VM shared to view');

        // bob opens it: nothing beyond viewing
        await row01.locator('.vm-name').click();
        await bob.page.locator('.owner-name').waitFor({ timeout: TIMEOUT });
        assert.equal(await bob.page.locator('.owner-name').textContent(), 'alice');
        assert.equal(await bob.page.locator('.detail-head button[data-action]').count(), 0, 'no actions');
        assert.equal(await bob.page.locator('#sharing-open').isVisible(), false);
        assert.equal(await bob.page.locator('#owner-change').isVisible(), false);
        assert.equal(await bob.page.locator('section[aria-labelledby="about-title"] .section-head button').evaluate((b) => b.disabled), true, 'no title edit');
        const tabs = await bob.page.evaluate(() => [...document.querySelectorAll('[role="tab"]:not([hidden])')].map((b) => b.id));
        assert.ok(!tabs.some((id) => /-(console|serial|config|xml)-tab$/.test(id)), tabs.join());
        await bob.page.checkA11y('a VM shared to view');

        // his own VM: Sharing, actions, and its History tab with his action's row
        const own = new Client(daemon);
        try {
            await own.login(BOB.name, BOB.password);
            const res = await own.post(`/api/domains/${WEB02}/suspend`);
            assert.equal(res.status, 200, res.text);
        } finally {
            own.close();
        }
        await bob.page.evaluate((h) => { location.hash = h; }, `#/domains/${WEB02}/tab/history`);
        await bob.page.waitForFunction(() => [...document.querySelectorAll('.history-tab .audit-rows tbody tr')]
            .some((tr) => tr.textContent.includes('suspend')), null, { timeout: TIMEOUT });
        // (the Overview's owner line is in a hidden tab panel now: its own hidden flag says it is offered)
        assert.equal(await bob.page.locator('#sharing-open').evaluate((b) => b.hidden), false);
        assert.equal(await bob.page.locator('#owner-change').evaluate((b) => b.hidden), true);
        assert.ok(await bob.page.locator('.detail-head button[data-action]').count() > 0, 'the owner acts');
        assert.equal(await bob.page.locator('section[aria-labelledby="about-title"] .section-head button').evaluate((b) => b.disabled), false, 'the owner edits the title');
        const objects = await bob.page.locator('.history-tab .audit-rows tbody tr td:nth-child(5)').allTextContents();
        assert.ok(objects.every((o) => o.includes(WEB02)), objects.join());

        // the admin's audit log, filtered by web-01: only its rows
        await admin.page.locator('#mainnav a[data-nav="audit"]').click();
        await admin.page.locator('.page-audit .audit-rows tbody tr').first().waitFor({ timeout: TIMEOUT });
        await admin.page.locator('.audit-filters input[name="vm"]').fill(WEB01);
        await admin.page.locator('.audit-filters button[type="submit"]').click();
        await admin.page.waitForURL(new RegExp(`#/audit\\?vm=${WEB01}$`), { timeout: TIMEOUT });
        await admin.page.waitForFunction((u) => {
            const rows = [...document.querySelectorAll('.page-audit .audit-rows tbody tr')];
            return rows.length > 0 && rows.every((tr) => tr.textContent.includes(u)) &&
                rows.some((tr) => tr.textContent.includes('domain-shares'));
        }, WEB01, { timeout: TIMEOUT });
        await admin.page.checkA11y('the audit log filtered by the shared VM');
        assert.deepEqual(bob.problems, []);
        assert.deepEqual(admin.problems, []);
    } finally {
        await bob.page.close();
        await admin.page.close();
    }
});

test('the Users page keeps groups and memberships; an admin changes a VM\'s owner', async () => {
    const DB = '3c421c8a-cbfe-456d-9781-0671c4844b30'; // db-primary
    const { page, problems } = await newPage(browser);
    try {
        await login(page, daemon, ADMIN);
        await page.evaluate(() => { location.hash = '#/users'; });
        await page.locator('#group-create').waitFor({ timeout: TIMEOUT });
        await page.locator('.page-users tr[data-name="alice"]').waitFor({ timeout: TIMEOUT });
        await page.locator('#group-create').click();
        await page.locator('#group-name').fill('team');
        await page.locator('dialog fieldset[data-list="group-member"] input[data-name="alice"]').check();
        await page.checkA11y('the Create group dialog');
        await page.locator('dialog .dialog-buttons button[type="submit"]').click();
        await page.waitForFunction(() => document.querySelector('tr[data-group="team"]')?.textContent.includes('alice'),
            null, { timeout: TIMEOUT });

        // bob joins through his Groups dialog; his row's chips say so
        await page.locator('.page-users tr[data-name="bob"] button[data-action="groups"]').click();
        await page.locator('dialog fieldset[data-list="user-group"] input[data-name="team"]').check();
        await page.checkA11y('a user\'s Groups dialog');
        await page.locator('dialog .dialog-buttons button[type="submit"]').click();
        await page.waitForFunction(() => document.querySelector('tr[data-name="bob"] .user-groups')?.textContent === 'team',
            null, { timeout: TIMEOUT });
        await page.waitForFunction(() => document.querySelector('tr[data-group="team"]')?.textContent.includes('bob'),
            null, { timeout: TIMEOUT });
        const groups = await page.evaluate(async () => (await (await fetch('/api/groups')).json()).groups);
        assert.deepEqual(groups.find((g) => g.name === 'team').members, ['alice', 'bob']);
        await page.checkA11y('the Users page with a group');

        // db-primary's owner: no one, then bob through the dialog
        await page.evaluate((h) => { location.hash = h; }, `#/domains/${DB}`);
        await page.locator('#owner-change').waitFor({ timeout: TIMEOUT });
        assert.equal(await page.locator('.owner-name').textContent(), 'No one');
        await page.locator('#owner-change').click();
        await page.locator('#owner-select').selectOption('bob');
        await page.locator('dialog .dialog-buttons button[type="submit"]').click();
        await page.waitForFunction(() => document.querySelector('.owner-name')?.textContent === 'bob', null, { timeout: TIMEOUT });
        const detail = await page.evaluate(async (u) => (await (await fetch(`/api/domains/${u}`)).json()), DB);
        assert.equal(detail.owner, 'bob');
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});
