// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/audit.test.mjs — the audit log in the browser (issue 13), against a real
// daemon on libvirt's test driver with the demo hypervisor, in the browser
// VIRTDECK_BROWSER names (tests/lib/browser.mjs). An admin's and an operator's actions on
// two VMs are made through the API; the admin opens "Audit log" from the navigation,
// filters by one VM (the filter goes into the URL and survives a reload), sees only that
// VM's rows, and its Export link downloads the same rows as JSON lines; the VM's History
// tab shows them too. An operator's "Audit log" shows the VM rows (both VMs'), never the
// admin's own rows about no VM.
// axe on each state.
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { login, newPage } from '../lib/browser.mjs';
import { withDemoDaemon } from '../lib/e2e-setup.mjs';
import { Client } from '../lib/client.mjs';

const ADMIN = { name: 'root-admin', role: 'admin', password: randomBytes(12).toString('hex') };
const OP = { name: 'oper', role: 'operator', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;
const WEB01 = '97e56341-f5b0-4a2a-b12f-373969e93bd3';
const WEB02 = 'a91c7fb4-4425-47a3-ba52-b093510faed5';

let daemon;
let browser;
withDemoDaemon({ users: [ADMIN, OP] }, (d, b) => {
    daemon = d;
    browser = b;
});

async function withPage(user, fn) {
    const { page, problems } = await newPage(browser);
    try {
        await login(page, daemon, user);
        await fn(page);
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
}

/** Rows of the audit table shown: [{action, object}] from their cells. */
function shownRows(page, scope) {
    return page.evaluate((s) => [...document.querySelectorAll(`${s} .audit-rows tbody tr`)].map((tr) => ({
        action: tr.querySelector('td:nth-child(4)')?.textContent,
        object: tr.querySelector('td:nth-child(5)')?.textContent,
    })), scope);
}

test('the audit page filters by VM, keeps the filter in the URL and exports it', async () => {
    for (const [user, moves] of [[OP, [[WEB01, 'suspend'], [WEB01, 'resume']]], [ADMIN, [[WEB02, 'suspend'], [WEB02, 'resume']]]]) {
        const c = new Client(daemon);
        try {
            await c.login(user.name, user.password);
            for (const [uuid, action] of moves) {
                const res = await c.post(`/api/domains/${uuid}/${action}`);
                assert.equal(res.status, 200, res.text);
            }
        } finally {
            c.close();
        }
    }
    await withPage(ADMIN, async (page) => {
        await page.locator('#mainnav a[data-nav="audit"]').click();
        await page.locator('.page-audit .audit-rows tbody tr').first().waitFor({ timeout: TIMEOUT });
        const all = await shownRows(page, '.page-audit');
        assert.ok(all.some((r) => r.object.includes(WEB02)) && all.some((r) => r.object.includes(WEB01)), JSON.stringify(all));
        await page.checkA11y('the audit log');

        await page.locator('.audit-filters input[name="vm"]').fill(WEB01);
        await page.locator('.audit-filters button[type="submit"]').click();
        await page.waitForURL(new RegExp(`#/audit\\?vm=${WEB01}$`), { timeout: TIMEOUT });
        await page.waitForFunction((u) => {
            const rows = [...document.querySelectorAll('.page-audit .audit-rows tbody tr')];
            return rows.length === 2 && rows.every((tr) => tr.textContent.includes(u));
        }, WEB01, { timeout: TIMEOUT });
        assert.deepEqual((await shownRows(page, '.page-audit')).map((r) => r.action), ['resume', 'suspend']);
        assert.equal(await page.locator('.page-audit .audit-rows tbody tr td:nth-child(2)').first().textContent(), 'oper');
        await page.checkA11y('the audit log filtered by a VM');

        // the filter is the URL's: a reload shows the same rows
        await page.goto(`${daemon.url}/#/audit?vm=${WEB01}`);
        await page.waitForFunction(() => document.querySelectorAll('.page-audit .audit-rows tbody tr').length === 2,
            null, { timeout: TIMEOUT });
        assert.equal(await page.locator('.audit-filters input[name="vm"]').inputValue(), WEB01);

        // Export: the same filter as JSON lines, with the trailer line
        const href = await page.locator('.audit-filters a.audit-export').getAttribute('href');
        assert.equal(href, `/api/audit?vm=${WEB01}&format=ndjson`);
        const lines = await page.evaluate(async (u) => (await (await fetch(u)).text()).trim().split('\n').map((l) => JSON.parse(l)), href);
        assert.deepEqual(lines.map((l) => l.action ?? 'trailer'), ['resume', 'suspend', 'trailer']);
        assert.ok(lines.slice(0, 2).every((l) => l.object === `domain:${WEB01}` && l.user === 'oper'));
    });
});

test("a VM's History tab shows its rows", async () => {
    await withPage(ADMIN, async (page) => {
        await page.evaluate((h) => { location.hash = h; }, `#/domains/${WEB02}/tab/history`);
        await page.waitForFunction(() => document.querySelectorAll('.history-tab .audit-rows tbody tr').length === 2,
            null, { timeout: TIMEOUT });
        assert.deepEqual((await shownRows(page, '.history-tab')).map((r) => r.action), ['resume', 'suspend']);
        await page.checkA11y("a VM's History tab");
    });
});

test('an operator reads the VM rows, not the admins\' own', async () => {
    await withPage(OP, async (page) => {
        await page.locator('#mainnav a[data-nav="audit"]').click();
        await page.locator('.page-audit .audit-rows tbody tr').first().waitFor({ timeout: TIMEOUT });
        const rows = await page.evaluate(() => [...document.querySelectorAll('.page-audit .audit-rows tbody tr')].map((tr) => ({
            user: tr.querySelector('td:nth-child(2)')?.textContent,
            object: tr.querySelector('td:nth-child(5)')?.textContent,
        })));
        assert.ok(rows.some((r) => r.object.includes(WEB02) && r.user === ADMIN.name), JSON.stringify(rows));
        assert.ok(rows.every((r) => r.object.includes('domain:') || r.user === OP.name), JSON.stringify(rows));
    });
});
