// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/tokens.test.mjs — the API tokens page (views/tokens.js), in the browser
// VIRTDECK_BROWSER names (tests/lib/browser.mjs), against a daemon on libvirt's test driver
// with the demo hypervisor: an operator opens "API tokens" from the user menu, creates a
// token (the scope offered stops at the operator's role), sees its secret once (the copy
// button answers, the warning is shown, and once the dialog is closed the secret is
// nowhere in the page), the token works as a Bearer from outside the browser, and revoking
// it (after a confirmation) removes its row and makes it 401. Nothing runs on the real
// libvirtd.
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { artifact, login, newPage, withDaemonLog } from '../lib/browser.mjs';
import { withDemoDaemon } from '../lib/e2e-setup.mjs';
import { Client } from '../lib/client.mjs';

const OP = { name: 'oper', role: 'operator', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;
const TOKEN_RE = /^vdt_[A-Za-z0-9_-]{12}_[A-Za-z0-9_-]{43}$/;

let daemon;
let browser;

withDemoDaemon({ users: [OP] }, (d, b) => {
    daemon = d;
    browser = b;
});

test('create a token, see its secret once, use it, revoke it', async () => {
    const { page, problems } = await newPage(browser);
    const api = new Client(daemon);
    const bearer = (token) => api.get('/api/domains', { cookies: false, headers: { Authorization: `Bearer ${token}` } });
    try {
        await login(page, daemon, OP, { timeout: TIMEOUT });
        await page.locator('.user-button').click();
        await page.locator('#user-menu-tokens').click();
        await page.locator('h1#page-title', { hasText: 'API tokens' }).waitFor({ timeout: TIMEOUT });
        await page.locator('.page-tokens .list-card .empty', { hasText: 'You have no API tokens.' }).waitFor({ timeout: TIMEOUT });

        await page.locator('#token-create').click();
        const dialog = page.locator('dialog.dialog[open]');
        await dialog.waitFor({ timeout: TIMEOUT });
        const scopes = await dialog.locator('#token-scope option').allTextContents();
        assert.deepEqual(scopes, ['Read only', 'Operate'], 'an operator may not give a token admin rights');
        await page.checkA11y('the create token dialog');
        await dialog.getByLabel('Name', { exact: true }).fill('e2e script');
        await dialog.locator('#token-scope').selectOption('operate');
        await dialog.locator('button[type="submit"]').click();

        const secretDialog = page.locator('dialog.dialog[open]', { hasText: 'The token e2e script' });
        await secretDialog.waitFor({ timeout: TIMEOUT });
        const token = await secretDialog.locator('#token-secret').inputValue();
        assert.match(token, TOKEN_RE);
        await secretDialog.getByText('it is shown only this once').waitFor({ timeout: TIMEOUT });
        await secretDialog.locator('#token-copy').click();
        await page.waitForFunction(() => /Copied|Could not copy/.test(document.getElementById('token-copy-status')?.textContent || ''),
            undefined, { timeout: TIMEOUT });
        await page.screenshot({ path: artifact('tokens-secret.png') });
        assert.equal((await bearer(token)).status, 200, 'the new token works from a script');
        await secretDialog.locator('button[type="submit"]').click();
        await page.locator('.page-tokens tbody tr', { hasText: 'e2e script' }).waitFor({ timeout: TIMEOUT });
        assert.equal(await page.evaluate((t) => document.documentElement.outerHTML.includes(t) ||
            [...document.querySelectorAll('input')].some((i) => i.value === t), token), false, 'the secret is gone from the page');
        const row = page.locator('.page-tokens tbody tr', { hasText: 'e2e script' });
        assert.match(await row.innerText(), /Operate/);

        await row.getByRole('button', { name: 'Revoke e2e script' }).click();
        const confirm = page.locator('dialog[open]', { hasText: 'Revoke the token e2e script?' });
        await confirm.waitFor({ timeout: TIMEOUT });
        await confirm.getByRole('button', { name: 'Revoke', exact: true }).click();
        await page.locator('.page-tokens .list-card .empty', { hasText: 'You have no API tokens.' }).waitFor({ timeout: TIMEOUT });
        assert.equal((await bearer(token)).status, 401, 'the revoked token is refused');
        assert.deepEqual(problems, []);
    } catch (err) {
        await page.screenshot({ path: artifact('tokens-failed.png') }).catch(() => {});
        throw withDaemonLog(daemon, err);
    } finally {
        api.close();
        await page.close();
    }
});
