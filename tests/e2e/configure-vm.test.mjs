// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/configure-vm.test.mjs — the Configuration tab of a VM's page (issue 12),
// against a real daemon on libvirt's test driver with the demo hypervisor, in the browser
// VIRTDECK_BROWSER names (tests/lib/browser.mjs). On web-01 (running, 2 vCPUs of at most
// 2, 2048 MiB, disk vda; the demo host has 16 CPUs and no NUMA cells of its own): the
// tab is chosen by a click and named in the URL; an invalid value (0 vCPUs) and an
// invalid pin (emulator threads on host CPU 99) show an error at their field and send no
// PATCH, and the pinning grid offers exactly the host's 16 CPUs; 3 vCPUs of at most 4
// say "Next boot" while lowering the memory says "Applied now", and both round-trip
// through GET /api/domains/{uuid}; a pin ticked in the grid is saved; after a
// reload the maximum carries a "next boot" badge with the value that will apply. While
// libvirt is unreachable every group is disabled with the reason said. On shut-off
// mail-gateway a name in use (409 at name) shows at the Name field, a total I/O limit
// with a read one at its cell, and a guest NUMA cell and an IOPS limit are "Saved" and
// read back. At a phone's
// width the page does not scroll sideways. A viewer has no Configuration tab, even
// through the URL. axe on each state. The running VM's tab with its next-boot marks is
// the README's picture (docs/config-screenshot.png, from chromium).
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { artifact, login, newPage, publish, tidyForPicture } from '../lib/browser.mjs';
import { withDemoDaemon } from '../lib/e2e-setup.mjs';

const OP = { name: 'oper', role: 'operator', password: randomBytes(12).toString('hex') };
const VIEWER = { name: 'watcher', role: 'viewer', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;
const WEB01 = '97e56341-f5b0-4a2a-b12f-373969e93bd3';
const MAIL = 'b37e886a-b67d-4670-8594-d55e5b2e7eb4'; // mail-gateway, shut off

let daemon;
let browser;
withDemoDaemon({ users: [OP, VIEWER] }, (d, b) => {
    daemon = d;
    browser = b;
});

/**
 * A page logged in as user; runs fn(page, patches) where patches lists the PATCH
 * requests sent; then checks for problems, but for the console line of a refusal the
 * test expects (expected: a RegExp).
 */
async function asUser(user, fn, expected = null) {
    const { page, problems } = await newPage(browser);
    const patches = [];
    page.on('request', (r) => {
        if (r.method() === 'PATCH') patches.push(new URL(r.url()).pathname);
    });
    try {
        await login(page, daemon, user);
        await fn(page, patches);
        assert.deepEqual(problems.filter((p) => !expected?.test(p)), []);
    } finally {
        await page.close();
    }
}

const card = (page, group) => page.locator(`form.config-form[data-group="${group}"]`);

/** The visible error text of the control named name in group ("" when none). */
async function errorAt(page, group, name) {
    return card(page, group).locator(`[name="${name}"]`).evaluate((el) => {
        const err = document.getElementById(`${el.id}-err`);
        return err && !err.hidden && el.getAttribute('aria-invalid') === 'true' ? err.textContent : '';
    });
}

const detail = (page) => page.evaluate(async (u) => (await fetch(`/api/domains/${u}`)).json(), WEB01);

test('configure a running VM: errors at the field, live and next-boot changes, round trip', async () => {
    await asUser(OP, async (page, patches) => {
        await page.evaluate((h) => { location.hash = h; }, `#/domains/${WEB01}`);
        await page.getByRole('tab', { name: 'Configuration' }).click();
        await page.waitForURL(new RegExp(`#/domains/${WEB01}/tab/config$`), { timeout: TIMEOUT });
        await card(page, 'cpu').locator('[name="vcpus"]').waitFor({ timeout: TIMEOUT });
        assert.equal(await card(page, 'cpu').locator('[name="vcpus"]').inputValue(), '2');
        assert.equal(await card(page, 'cpu').locator('[name="max_vcpus"]').inputValue(), '2');
        assert.equal(await card(page, 'memory').locator('[name="memory_mib"]').inputValue(), '2048');
        await page.checkA11y('the Configuration tab');

        // the grid offers the host's CPUs only: 2 vCPU rows × 16 host CPUs, under NUMA node 0
        assert.equal(await page.locator('.pin-grid tbody tr').count(), 2);
        assert.equal(await page.locator('.pin-grid tbody tr[data-vcpu="0"] input[type="checkbox"]').count(), 16);
        assert.equal(await page.locator('.pin-grid input[data-cpu="16"]').count(), 0);
        assert.match(await page.locator('.pin-grid th.pin-cell').textContent(), /NUMA node 0/);

        // an invalid value: shown at its field, nothing sent
        await card(page, 'cpu').locator('[name="vcpus"]').fill('0');
        await card(page, 'cpu').locator('button[type="submit"]').click();
        assert.match(await errorAt(page, 'cpu', 'vcpus'), /between 1 and 2/);
        // an invalid pin (a CPU the host lacks): at its field, nothing sent
        await card(page, 'tuning').locator('[name="emulatorpin"]').fill('99');
        await card(page, 'tuning').locator('button[type="submit"]').click();
        assert.match(await errorAt(page, 'tuning', 'emulatorpin'), /from 0 to 15/);
        assert.equal(await page.evaluate(() => document.activeElement?.name), 'emulatorpin');
        await page.checkA11y('the Configuration tab with errors');
        assert.deepEqual(patches, [], 'no PATCH for invalid input');

        // 3 vCPUs of at most 4: both wait for the next boot (above the running maximum)
        await card(page, 'cpu').locator('[name="vcpus"]').fill('3');
        await card(page, 'cpu').locator('[name="max_vcpus"]').fill('4');
        await card(page, 'cpu').locator('button[type="submit"]').click();
        await card(page, 'cpu').locator('.config-result li[data-member="max_vcpus"].config-later').waitFor({ timeout: TIMEOUT });
        await card(page, 'cpu').locator('.config-result li[data-member="vcpus"].config-later').waitFor({ timeout: TIMEOUT });
        assert.match(await card(page, 'cpu').locator('.config-result').textContent(), /Next boot\s*Maximum vCPUs/);
        assert.equal(await errorAt(page, 'cpu', 'vcpus'), '');
        // memory (the balloon): applied now
        await card(page, 'memory').locator('[name="memory_mib"]').fill('1024');
        await card(page, 'memory').locator('button[type="submit"]').click();
        await card(page, 'memory').locator('.config-result li[data-member="memory_mib"].config-now').waitFor({ timeout: TIMEOUT });
        assert.match(await card(page, 'memory').locator('.config-result').textContent(), /Applied now\s*Memory/);
        // a pin from the grid (emulator pin back to none)
        await card(page, 'tuning').locator('[name="emulatorpin"]').fill('');
        await page.locator('.pin-grid input[data-vcpu="1"][data-cpu="3"]').check();
        await card(page, 'tuning').locator('button[type="submit"]').click();
        await card(page, 'tuning').locator('.config-result li[data-member="vcpupin"]').waitFor({ timeout: TIMEOUT });
        assert.deepEqual(patches, [`/api/domains/${WEB01}`, `/api/domains/${WEB01}`, `/api/domains/${WEB01}`]);

        const d = await detail(page);
        assert.equal(d.config.max_vcpus, 4);
        assert.equal(d.memory_kib, 1024 * 1024);
        assert.deepEqual(d.config.vcpupin, [{ vcpu: 1, cpuset: '3' }]);
        assert.ok(d.pending.includes('max_vcpus') && d.pending.includes('vcpus'), JSON.stringify(d.pending));
        assert.equal(d.vcpus, 2); // the running VM's
        assert.equal(d.config.vcpus, 3); // the next boot's

        // libvirt lost: every group is held, saying why; back when it returns
        assert.equal(await page.evaluate(() => window.__vdHarness.inject({ type: 'host', state: 'disconnected' })), true);
        await page.waitForFunction(() => [...document.querySelectorAll('.config-card fieldset')].every((f) => f.disabled), null, { timeout: TIMEOUT });
        assert.equal(await page.locator('.config-card button[type="submit"]:disabled').count(), 4);
        assert.match(await card(page, 'cpu').locator('.config-held').textContent(), /libvirt/i);
        assert.equal(await page.evaluate(() => window.__vdHarness.inject({ type: 'host', state: 'connected' })), true);
        await page.waitForFunction(() => [...document.querySelectorAll('.config-card fieldset')].every((f) => !f.disabled), null, { timeout: TIMEOUT });
        assert.equal(await card(page, 'cpu').locator('.config-held').isVisible(), false);

        // a reload keeps the marks: the maximum waits for the next boot with its value
        await page.evaluate(() => location.reload());
        const badge = page.locator('form.config-form[data-group="cpu"] .config-pending[data-member="max_vcpus"]');
        await badge.waitFor({ timeout: TIMEOUT });
        assert.equal((await badge.textContent()).trim(), 'Next boot: 4');
        assert.equal(await card(page, 'cpu').locator('[name="max_vcpus"]').inputValue(), '4');
        // config has the next boot's vCPU count (the summary the running VM's): both said
        assert.equal((await card(page, 'cpu').locator('.config-pending[data-member="vcpus"]').textContent()).trim(), 'Next boot: 3');
        assert.equal(await card(page, 'cpu').locator('[name="vcpus"]').inputValue(), '3');
        assert.match(await card(page, 'cpu').locator('.config-live').textContent(), /has 2 vCPUs now/);
        assert.equal(await page.locator('.pin-grid tbody tr').count(), 4); // one row per vCPU of the next boot
        assert.equal(await page.locator('.pin-grid input[data-vcpu="1"][data-cpu="3"]').isChecked(), true);
        // a running VM cannot be renamed: the field says why
        assert.equal(await card(page, 'general').locator('[name="name"]').evaluate((el) => el.disabled), true);
        assert.match(await card(page, 'general').locator('.config-name-why').textContent(), /Shut the VM off to rename it/);
        assert.equal(await card(page, 'general').locator('[name="firmware"]').evaluate((el) => el.disabled), true);
        assert.match(await card(page, 'general').locator('.config-firmware-why').textContent(), /Shut the VM off to change its firmware/);
        await page.checkA11y('the Configuration tab after a reload');
        await tidyForPicture(page);
        await page.evaluate(() => {
            document.querySelector('.detail-tabs [role="tablist"]').scrollIntoView();
            window.scrollBy(0, -72); // below the sticky top bar
        });
        const shot = artifact('configure-vm-pending.png');
        await page.screenshot({ path: shot });
        publish(shot, 'config-screenshot.png'); // the README's picture (chromium)
    });
});

test('a shut-off VM: a name in use shown at the Name field; guest NUMA cells and disk limits saved', async () => {
    await asUser(OP, async (page, patches) => {
        await page.evaluate((h) => { location.hash = h; }, `#/domains/${MAIL}/tab/config`);
        const name = card(page, 'general').locator('[name="name"]');
        await name.waitFor({ timeout: TIMEOUT });
        assert.equal(await name.evaluate((el) => el.disabled), false);
        assert.equal(await name.inputValue(), 'mail-gateway');
        await name.fill('web-01');
        await card(page, 'general').locator('button[type="submit"]').click();
        await page.waitForFunction(() => document.querySelector('form[data-group="general"] [name="name"]')?.getAttribute('aria-invalid') === 'true', null, { timeout: TIMEOUT });
        assert.match(await errorAt(page, 'general', 'name'), /already taken or in use/);
        assert.equal(await card(page, 'general').locator('.form-error').isVisible(), false);
        assert.equal(patches.length, 1);
        assert.equal((await page.evaluate(async (u) => (await fetch(`/api/domains/${u}`)).json(), MAIL)).name, 'mail-gateway');
        await page.checkA11y('a name the server refused');

        // guest NUMA cells and a disk's I/O limits: "Saved" (shut off), read back
        const tuning = card(page, 'tuning');
        await tuning.getByRole('button', { name: 'Add cell' }).click();
        await tuning.locator('tr[data-cell="0"] input').first().fill('0');
        await tuning.locator('tr[data-cell="0"] input').nth(1).fill('512');
        const vda = tuning.locator('tr[data-target="vda"] input');
        await vda.nth(3).fill('200'); // total IOPS
        await vda.nth(4).fill('10'); // read IOPS: not with a total
        await tuning.locator('button[type="submit"]').click();
        assert.match(await vda.nth(3).evaluate((el) => document.getElementById(`${el.id}-err`).textContent), /total limit/);
        assert.equal(patches.length, 1);
        await vda.nth(4).fill('0');
        await tuning.locator('button[type="submit"]').click();
        await tuning.locator('.config-result li[data-member="iotune"]').waitFor({ timeout: TIMEOUT });
        assert.match(await tuning.locator('.config-result').textContent(), /Saved\s*Guest NUMA cells/);
        const c = (await page.evaluate(async (u) => (await fetch(`/api/domains/${u}`)).json(), MAIL)).config;
        assert.deepEqual(c.numa_cells, [{ id: 0, cpus: '0', memory_mib: 512 }]);
        assert.equal(c.iotune.find((x) => x.target === 'vda').total_iops_sec, 200);
    }, new RegExp(`status of 409 \\(Conflict\\) .*/api/domains/${MAIL}\\)$`));
});

test('the tab fits a phone width: the wide tables scroll inside their cards', async () => {
    const { page, problems } = await newPage(browser, { viewport: { width: 390, height: 844 } });
    try {
        await login(page, daemon, OP);
        await page.evaluate((h) => { location.hash = h; }, `#/domains/${WEB01}/tab/config`);
        await page.locator('.pin-grid tbody tr').first().waitFor({ timeout: TIMEOUT });
        const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
        assert.ok(scroll <= client, `the page is ${scroll}px wide in a ${client}px window`);
        await page.checkA11y('the Configuration tab at 390px');
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});

test('a viewer has no Configuration tab, even through the URL', async () => {
    await asUser(VIEWER, async (page) => {
        await page.evaluate((h) => { location.hash = h; }, `#/domains/${WEB01}/tab/config`);
        await page.locator('#page-title').filter({ hasText: 'web-01' }).waitFor({ timeout: TIMEOUT });
        await page.waitForTimeout(300);
        assert.equal(await page.getByRole('tab', { name: 'Configuration' }).count(), 0);
        assert.equal(await page.locator('.config-tab').count(), 0);
    });
});
