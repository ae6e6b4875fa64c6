// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/quota.test.mjs — quotas in the browser (views/quota-bars.js, the Quota dialog
// of views/users.js), VIRTDECK_BROWSER names the browser (tests/lib/browser.mjs), against a
// daemon on libvirt's test driver with the demo hypervisor: a `user` who owns web-01 (2
// vCPUs, 2048 MiB, a 20 GiB disk) with a quota set by the admin sees one bar per
// dimension on the VM list with the right "used of limit" (disk unlimited: no bar); an
// operator sees none; the admin changes a user's and a group's quota in the Users page (a bad value
// shown at its field, nothing sent) and the server has it. Nothing runs on the real
// libvirtd.
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { artifact, login, newPage, withDaemonLog } from '../lib/browser.mjs';
import { withDemoDaemon } from '../lib/e2e-setup.mjs';
import { Client } from '../lib/client.mjs';

const pw = () => randomBytes(12).toString('hex');
const ADMIN = { name: 'boss', role: 'admin', password: pw() };
const ALICE = { name: 'alice', role: 'user', password: pw() };
const OP = { name: 'oper', role: 'operator', password: pw() };
const TIMEOUT = 10000;

let daemon;
let browser;
let admin;

withDemoDaemon({ users: [ADMIN, ALICE, OP] }, (d, b) => {
    daemon = d;
    browser = b;
});

async function adminClient() {
    if (!admin) {
        admin = new Client(daemon);
        await admin.login(ADMIN.name, ADMIN.password);
        const web01 = (await admin.get('/api/domains')).json.domains.find((x) => x.name === 'web-01');
        assert.equal((await admin.req('PUT', `/api/domains/${web01.uuid}/owner`, { body: { owner: 'alice' } })).status, 200);
        const q = await admin.req('PUT', '/api/users/alice/quota', { body: { vms: 2, vcpus: 4, memory_mib: 4096, disk_gib: null } });
        assert.equal(q.status, 200, q.text);
    }
    return admin;
}

test.after(() => admin?.close());

test('a user sees used/limit bars for the four dimensions', async () => {
    await adminClient();
    const { page, problems } = await newPage(browser);
    try {
        await login(page, daemon, ALICE, { timeout: TIMEOUT });
        const card = page.locator('section.quota-card');
        await card.locator('[data-dim="vms"] .quota-text', { hasText: '1 of 2' }).waitFor({ timeout: TIMEOUT });
        const rows = await page.evaluate(() => [...document.querySelectorAll('section.quota-card .quota-row')].map((el) => {
            const m = el.querySelector('meter');
            return [el.dataset.dim, el.querySelector('.quota-label').textContent,
                el.querySelector('.quota-text').textContent, m.hidden ? null : [m.value, m.max]];
        }));
        assert.deepEqual(rows, [
            ['vms', 'VMs', '1 of 2', [1, 2]],
            ['vcpus', 'vCPUs', '2 of 4', [2, 4]],
            ['memory_mib', 'Memory (MiB)', '2,048 of 4,096', [2048, 4096]],
            ['disk_gib', 'Disk (GiB)', '20 (no limit)', null],
        ]);
        assert.equal(await card.getByRole('meter', { name: 'VMs' }).count(), 1, 'each bar is named by its label');
        await page.checkA11y('the VM list with the quota bars');
        await page.screenshot({ path: artifact('quota-bars.png') });
        assert.deepEqual(problems, []);
    } catch (err) {
        await page.screenshot({ path: artifact('quota-bars-failed.png') }).catch(() => {});
        throw withDaemonLog(daemon, err);
    } finally {
        await page.close();
    }
});

test('an operator sees no quota bars', async () => {
    const { page, problems } = await newPage(browser);
    try {
        await login(page, daemon, OP, { timeout: TIMEOUT });
        await page.locator('.vm-table tbody tr').first().waitFor({ timeout: TIMEOUT });
        assert.equal(await page.locator('section.quota-card').count(), 0);
        assert.deepEqual(problems, []);
    } catch (err) {
        throw withDaemonLog(daemon, err);
    } finally {
        await page.close();
    }
});

test('the admin changes a user\'s quota in the Users page', async () => {
    const api = await adminClient();
    const { page, problems } = await newPage(browser);
    try {
        await login(page, daemon, ADMIN, { timeout: TIMEOUT });
        await page.evaluate(() => { location.hash = '#/users'; });
        const row = page.locator('.page-users tbody tr', { hasText: 'alice' });
        await row.waitFor({ timeout: TIMEOUT });
        await row.getByRole('button', { name: 'Quota alice' }).click();
        const dialog = page.locator('dialog.dialog[open]', { hasText: 'Quota of alice' });
        await dialog.waitFor({ timeout: TIMEOUT });
        assert.deepEqual(await Promise.all(['vms', 'vcpus', 'memory_mib', 'disk_gib']
            .map((d) => dialog.locator(`#user-quota-${d}`).inputValue())), ['2', '4', '4096', '']);
        await page.checkA11y('the quota dialog');
        await dialog.getByLabel('VMs', { exact: true }).fill('-1');
        await dialog.locator('button[type="submit"]').click();
        await dialog.locator('#user-quota-vms-err', { hasText: 'whole number' }).waitFor({ timeout: TIMEOUT });
        assert.equal((await api.get('/api/users')).json.users.find((u) => u.name === 'alice').quota.vms, 2, 'nothing was sent');
        await dialog.getByLabel('VMs', { exact: true }).fill('5');
        await dialog.getByLabel('Disk (GiB)', { exact: true }).fill('100');
        await dialog.locator('button[type="submit"]').click();
        await page.locator('dialog.dialog[open]').waitFor({ state: 'detached', timeout: TIMEOUT });
        assert.deepEqual((await api.get('/api/users')).json.users.find((u) => u.name === 'alice').quota,
            { vms: 5, vcpus: 4, memory_mib: 4096, disk_gib: 100 });
        assert.deepEqual(problems, []);
    } catch (err) {
        await page.screenshot({ path: artifact('quota-dialog-failed.png') }).catch(() => {});
        throw withDaemonLog(daemon, err);
    } finally {
        await page.close();
    }
});

test('the admin sets a group\'s quota in the Users page\'s Groups section; its member\'s bars follow it', async () => {
    const api = await adminClient();
    assert.equal((await api.post('/api/groups', { name: 'office', members: ['alice'] })).status, 201);
    assert.equal((await api.req('PUT', '/api/users/alice/quota', { body: { vms: null, vcpus: null, memory_mib: null, disk_gib: null } })).status, 200);
    const { page, problems } = await newPage(browser);
    try {
        await login(page, daemon, ADMIN, { timeout: TIMEOUT });
        await page.evaluate(() => { location.hash = '#/users'; });
        const row = page.locator('.page-users tr[data-group="office"]');
        await row.waitFor({ timeout: TIMEOUT });
        await row.getByRole('button', { name: 'Quota office' }).click();
        const dialog = page.locator('dialog.dialog[open]', { hasText: 'Quota of group office' });
        await dialog.waitFor({ timeout: TIMEOUT });
        assert.deepEqual(await Promise.all(['vms', 'vcpus', 'memory_mib', 'disk_gib']
            .map((d) => dialog.locator(`#group-quota-${d}`).inputValue())), ['', '', '', '']);
        await page.checkA11y('the group quota dialog');
        await dialog.getByLabel('VMs', { exact: true }).fill('1.5');
        await dialog.locator('button[type="submit"]').click();
        await dialog.locator('#group-quota-vms-err', { hasText: 'whole number' }).waitFor({ timeout: TIMEOUT });
        await dialog.getByLabel('VMs', { exact: true }).fill('3');
        await dialog.getByLabel('vCPUs', { exact: true }).fill('8');
        await dialog.locator('button[type="submit"]').click();
        await page.locator('dialog.dialog[open]').waitFor({ state: 'detached', timeout: TIMEOUT });
        const office = (await api.get('/api/groups')).json.groups.find((g) => g.name === 'office');
        assert.deepEqual(office.quota, { vms: 3, vcpus: 8, memory_mib: null, disk_gib: null });
        const alice = new Client(daemon);
        await alice.login(ALICE.name, ALICE.password);
        const q = (await alice.get('/api/quota')).json.quota;
        alice.close();
        assert.deepEqual([q.vms.limit, q.vms.source, q.vcpus.limit], [3, 'group:office', 8]);
        assert.deepEqual(problems, []);
    } catch (err) {
        await page.screenshot({ path: artifact('quota-group-dialog-failed.png') }).catch(() => {});
        throw withDaemonLog(daemon, err);
    } finally {
        await page.close();
    }
});
