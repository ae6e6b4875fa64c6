// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/account.test.mjs — "My account" (views/account.js) and the login's second step
// (views/login.js), in the browser VIRTDECK_BROWSER names (tests/lib/browser.mjs), against
// a daemon on libvirt's test driver with the demo hypervisor: an operator opens "My
// account" from the user menu, sets up two-factor authentication by reading the key shown
// as text and typing a code this test computes (its own RFC 6238, node:crypto), sees the
// ten recovery codes once, logs out, and logs in again with a code; then with a recovery
// code. Their sessions table marks this session. An admin then sees it on the users page
// and resets it (a lost phone): the operator logs in with the password alone. Nothing
// runs on the real libvirtd.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { artifact, login, newPage, withDaemonLog } from '../lib/browser.mjs';
import { withDemoDaemon } from '../lib/e2e-setup.mjs';

const OP = { name: 'oper', role: 'operator', password: randomBytes(12).toString('hex') };
const ADMIN = { name: 'boss', role: 'admin', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function totp(secret, step) {
    let bits = 0;
    let value = 0;
    const key = [];
    for (const c of secret.replace(/\s+/g, '')) {
        value = ((value << 5) | B32.indexOf(c)) & 0xffff;
        bits += 5;
        if (bits >= 8) {
            key.push((value >>> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    const msg = Buffer.alloc(8);
    msg.writeBigUInt64BE(BigInt(step));
    const h = createHmac('sha1', Buffer.from(key)).update(msg).digest();
    const o = h[h.length - 1] & 0x0f;
    return String((((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3]) % 1e6).padStart(6, '0');
}
const stepNow = () => Math.floor(Date.now() / 30000);

let daemon;
let browser;

withDemoDaemon({ users: [OP, ADMIN] }, (d, b) => {
    daemon = d;
    browser = b;
});

async function logOut(page) {
    await page.locator('.user-button').click();
    await page.locator('#user-menu-panel').getByRole('button', { name: 'Log out', exact: true }).click();
    await page.locator('#login-username').waitFor({ timeout: TIMEOUT });
}

async function secondStep(page, kind, code, wrong = '') {
    await page.fill('#login-username', OP.name);
    await page.fill('#login-password', OP.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#login-code').waitFor({ timeout: TIMEOUT });
    if (kind === 'recovery') {
        await page.locator('#login-use-recovery').click();
        await page.locator('label[for="login-code"]', { hasText: 'Recovery code' }).waitFor({ timeout: TIMEOUT });
    }
    await page.checkA11y(`the login's ${kind} step`);
    await page.screenshot({ path: artifact(`account-login-${kind}.png`) });
    if (wrong) { // refused, and the form stays at the code with the password kept
        await page.fill('#login-code', wrong);
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.locator('#login-error', { hasText: 'This code is not right, or was used already.' }).waitFor({ timeout: TIMEOUT });
    }
    await page.fill('#login-code', code);
    await page.getByRole('button', { name: 'Log in' }).click();
    // signed in: back on the page the hash names (My account)
    await page.locator('.user-button', { hasText: OP.name }).waitFor({ timeout: TIMEOUT });
    await page.locator('.page-account tbody tr', { hasText: 'This session' }).waitFor({ timeout: TIMEOUT });
}

test('set up TOTP from My account, log out, log in with a code and with a recovery code', async () => {
    const { page, problems } = await newPage(browser);
    try {
        await login(page, daemon, OP, { timeout: TIMEOUT });
        await page.locator('.user-button').click();
        await page.locator('#user-menu-account').click();
        await page.locator('h1#page-title', { hasText: 'My account' }).waitFor({ timeout: TIMEOUT });
        await page.locator('.page-account tbody tr', { hasText: 'This session' }).waitFor({ timeout: TIMEOUT });
        await page.checkA11y('my account');

        await page.locator('#account-totp-begin').click();
        const dialog = page.locator('dialog.dialog[open]');
        await dialog.waitFor({ timeout: TIMEOUT });
        const secret = (await dialog.locator('#account-totp-secret').innerText()).trim();
        assert.match(secret, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
        assert.match(await dialog.locator('#account-totp-uri').innerText(), /^otpauth:\/\/totp\/virtdeck:oper\?secret=[A-Z2-7]{32}&/);
        await page.checkA11y('the TOTP set-up dialog');
        await dialog.locator('#account-totp-code').fill('12345');
        await dialog.locator('button[type="submit"]').click();
        await dialog.getByText('Type the 6 digits the app shows.').waitFor({ timeout: TIMEOUT });
        const step = stepNow();
        await dialog.locator('#account-totp-code').fill(totp(secret, step));
        await dialog.locator('button[type="submit"]').click();

        const codesDialog = page.locator('dialog.dialog[open]', { hasText: 'Your recovery codes' });
        await codesDialog.waitFor({ timeout: TIMEOUT });
        const codes = await codesDialog.locator('#account-recovery-codes li').allTextContents();
        assert.equal(codes.length, 10);
        for (const c of codes) assert.match(c.trim(), /^[a-z2-7]{5}-[a-z2-7]{5}$/);
        await page.screenshot({ path: artifact('account-recovery-codes.png') });
        await codesDialog.locator('button[type="submit"]').click();
        await page.locator('#account-totp-state', { hasText: 'On' }).waitFor({ timeout: TIMEOUT });
        await page.locator('#account-totp-state', { hasText: '10 recovery codes left.' }).waitFor({ timeout: TIMEOUT });
        await page.screenshot({ path: artifact('account-page.png'), fullPage: true });
        assert.equal(await page.evaluate((c) => document.documentElement.outerHTML.includes(c), codes[0]), false,
            'the recovery codes are gone from the page');

        await logOut(page);
        const next = totp(secret, step + 1);
        await secondStep(page, 'totp', next, totp(secret, step)); // the enrolment's code: used
        await logOut(page);
        await secondStep(page, 'recovery', codes[0].trim());
        // the 401 totp_required answers are the login's second step, expected (chromium
        // reports each failed request on the console, firefox does not)
        assert.deepEqual(problems.filter((p) => !/status of 401 .*\/api\/login\)$/.test(p)), []);
    } catch (err) {
        await page.screenshot({ path: artifact('account-failed.png') }).catch(() => {});
        throw withDaemonLog(daemon, err);
    } finally {
        await page.close();
    }
});

test('an admin sees the two-factor state on the users page and resets it', async () => {
    const { page, problems } = await newPage(browser);
    try {
        await login(page, daemon, ADMIN, { timeout: TIMEOUT });
        await page.evaluate(() => { location.hash = '#/users'; });
        const row = page.locator('.page-users tbody tr', { hasText: OP.name });
        await row.waitFor({ timeout: TIMEOUT });
        assert.match(await row.innerText(), /\bOn\b/);
        await page.checkA11y('the users page with two-factor');
        await row.getByRole('button', { name: `Reset two-factor ${OP.name}` }).click();
        const confirm = page.locator('dialog[open]', { hasText: `Reset the two-factor authentication of ${OP.name}?` });
        await confirm.waitFor({ timeout: TIMEOUT });
        await confirm.getByRole('button', { name: 'Reset two-factor', exact: true }).click();
        await row.getByRole('button', { name: `Reset two-factor ${OP.name}` }).waitFor({ state: 'detached', timeout: TIMEOUT });
        assert.match(await row.innerText(), /\bOff\b/);
        await page.locator('.user-button').click();
        await page.locator('#user-menu-panel').getByRole('button', { name: 'Log out', exact: true }).click();
        await login(page, daemon, OP, { timeout: TIMEOUT, ready: '.user-button' });
        assert.deepEqual(problems, []);
    } catch (err) {
        await page.screenshot({ path: artifact('account-admin-failed.png') }).catch(() => {});
        throw withDaemonLog(daemon, err);
    } finally {
        await page.close();
    }
});
