// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/resource-checks.test.mjs — the checks the create forms make before they send,
// against a real daemon on libvirt's test driver (test:///default: network "default" on
// 192.168.122.0/24), in the browser VIRTDECK_BROWSER names (tests/lib/browser.mjs):
// a subnet overlapping "default" is shown at the subnet field and created only after
// "Create anyway" (which sends force); the pool form never ticks a build that formats
// and shows a malformed server name at its field. Nothing runs on the real libvirtd.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startDaemon } from '../lib/daemon.mjs';
import { artifact, login, newPage, startBrowsers, withDaemonLog } from '../lib/browser.mjs';

const ADMIN = { name: 'admin', role: 'admin', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;
const NET = 'vdtest-overlap';

let daemon;
let page;
let problems;
const browsers = startBrowsers('light');

before(async () => {
    daemon = await startDaemon({ uri: 'test:///default', users: [ADMIN] });
    ({ page, problems } = await newPage(await browsers.get('light')));
    await login(page, daemon, ADMIN, { timeout: TIMEOUT });
});

after(async () => {
    if (page) await page.close().catch(() => {});
    await browsers.close();
    if (daemon) await daemon.stop({ expectCode: null });
});

/** Runs fn; on failure adds the daemon's log and a screenshot named after label. */
async function step(label, fn) {
    try {
        await fn();
    } catch (err) {
        await page.screenshot({ path: artifact(`checks-${label}-failed.png`) }).catch(() => {});
        throw withDaemonLog(daemon, err);
    }
}

test('a subnet overlapping "default" shows at the field; "Create anyway" creates it with force', async () => {
    await step('overlap', async () => {
        await page.goto(`${daemon.url}/#/networks`);
        await page.locator(`tr[data-name="default"]`).waitFor({ timeout: TIMEOUT });
        await page.getByRole('button', { name: 'Create network' }).click();
        const form = page.locator('form[aria-labelledby="net-form-title"]');
        await form.getByLabel('Name', { exact: true }).fill(NET);
        await form.getByLabel('Mode').selectOption('isolated');
        const address = form.getByLabel('Host address').first();
        await address.fill('192.168.122.10');
        await form.getByLabel('Prefix length').first().fill('24');
        await form.getByLabel('DHCP range start').first().fill('');
        await form.getByLabel('DHCP range end').first().fill('');
        await form.getByRole('button', { name: 'Create network' }).click();

        const err = form.locator('.field-error', { hasText: /192\.168\.122\.0\/24 overlaps network “default” \(192\.168\.122\.0\/24\)/ });
        await err.waitFor({ timeout: 5000 });
        assert.equal(await address.getAttribute('aria-invalid'), 'true', 'the error is at the IPv4 address field');
        const dialog = page.locator('dialog[open]');
        await dialog.getByRole('button', { name: 'Create anyway' }).waitFor({ timeout: 5000 });
        await page.screenshot({ path: artifact('network-overlap.png') });
        await page.checkA11y('the overlap confirmation');
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialog.waitFor({ state: 'hidden', timeout: 5000 });
        assert.equal(await page.locator(`tr[data-name="${NET}"]`).count(), 0, 'Cancel creates nothing');
        assert.equal(await err.isVisible(), true, 'the overlap stays shown at the field');

        await form.getByRole('button', { name: 'Create network' }).click();
        await dialog.getByRole('button', { name: 'Create anyway' }).click();
        const row = page.locator(`tr[data-name="${NET}"]`);
        await row.waitFor({ timeout: TIMEOUT });
        assert.match(await row.innerText(), /192\.168\.122\.10\/24/);
        assert.deepEqual(problems, []);
    });
});

test('the pool form never ticks a build that formats, and shows a malformed server at its field', async () => {
    await step('pool', async () => {
        await page.goto(`${daemon.url}/#/storage`);
        await page.getByRole('button', { name: 'Create pool' }).click();
        const form = page.locator('form[aria-labelledby="pool-form-title"]');
        const build = form.locator('input[name="build"]');
        for (const [type, label, ticked] of [['fs', /^Format the device/, false], ['dir', /^Create the directory/, true],
            ['logical', /^Format the device/, false], ['netfs', /^Create the directory/, true]]) {
            await form.getByLabel('Type').selectOption(type);
            assert.equal(await form.getByRole('checkbox', { name: label }).isVisible(), true, `${type}: the box shows what building does`);
            assert.equal(await build.isChecked(), ticked, `${type}: ${ticked ? 'ticked' : 'not ticked'}`);
        }
        await form.getByLabel('Type').selectOption('netfs');
        await form.getByLabel('Name', { exact: true }).fill('vdtest-nas');
        await form.getByLabel('Target path').fill('/mnt/vdtest-nas');
        const server = form.getByLabel('Server');
        await server.fill('nas.example..com');
        await form.getByLabel('Exported path').fill('/export');
        await form.getByRole('button', { name: 'Create pool' }).click();
        await form.locator('.field-error', { hasText: /Enter a host name \(like nas\.example\.com/ }).waitFor({ timeout: 5000 });
        assert.equal(await server.getAttribute('aria-invalid'), 'true');
        assert.equal(await page.locator('tr[data-name="vdtest-nas"]').count(), 0);
        assert.deepEqual(problems, []);
    });
});
