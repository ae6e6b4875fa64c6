// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/delete-vm.test.mjs — deleting a VM from its "More actions" menu (issue 12),
// against a real daemon on libvirt's test driver, in the browser VIRTDECK_BROWSER names
// (tests/lib/browser.mjs). The dialog lists the VM's pool volumes, each with an unticked
// checkbox, and a volume another VM uses as kept with the reason and no checkbox;
// deleting with one box ticked removes that volume only (checked through the API), the
// VM leaves the list of another open page live, the detail page goes back to the list
// and a toast says what was removed and kept. A running VM's Delete is disabled with
// "Force off first".
//
// It runs a copy of the demo (packaging/demo/demo.xml) with a pool and a shut-off VM of
// its own (written to a temporary directory, removed in after()), so the demo's VMs
// stay as other suites expect them.
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { artifact, chooseAction } from '../lib/browser.mjs';
import { demoCopy, withDemoUser } from '../lib/e2e-setup.mjs';
import { Client } from '../lib/client.mjs';

const ADMIN = { name: 'admin', role: 'admin', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;
const GIB = 1024 ** 3;
const UUID = { web01: '97e56341-f5b0-4a2a-b12f-373969e93bd3', gone: '5eed0000-0000-4000-8000-00000000e001' };

/** The demo plus pool vdtest-e2e-del (a.qcow2, c.raw) and shut-off VM vdtest-e2e-del using them and web-02.qcow2. */
const disk = (file, dev, type) => `      <disk type='file' device='disk'><driver name='qemu' type='${type}'/>` +
    `<source file='${file}'/><target dev='${dev}' bus='virtio'/></disk>`;
const FIXTURE_URI = demoCopy('delete-vm', '</node>', `  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>vdtest-e2e-del</name>
    <uuid>${UUID.gone}</uuid>
    <memory unit='MiB'>512</memory>
    <vcpu>1</vcpu>
    <os><type arch='x86_64'>hvm</type></os>
    <devices>
${disk('/srv/vdtest-e2e-del/a.qcow2', 'vda', 'qcow2')}
${disk('/srv/vdtest-e2e-del/c.raw', 'vdb', 'raw')}
${disk('/var/lib/libvirt/images/web-02.qcow2', 'vdc', 'qcow2')}
    </devices>
    <test:runstate>5</test:runstate>
  </domain>
  <pool type='dir'>
    <name>vdtest-e2e-del</name>
    <target><path>/srv/vdtest-e2e-del</path></target>
    <volume type='file'><name>a.qcow2</name><capacity unit='bytes'>${GIB}</capacity><target><format type='qcow2'/></target></volume>
    <volume type='file'><name>c.raw</name><capacity unit='bytes'>${2 * GIB}</capacity><target><format type='raw'/></target></volume>
  </pool>
`);

const { daemon: daemonOf, openAt } = withDemoUser(FIXTURE_URI, ADMIN);

test('a running VM\'s Delete is in its menu, last, disabled with the reason', async () => {
    const { page, problems } = await openAt('#/');
    try {
        const row = page.locator(`.vm-table tbody tr[data-uuid="${UUID.web01}"]`);
        await row.waitFor({ timeout: TIMEOUT });
        await row.scrollIntoViewIfNeeded();
        await row.locator('button.menu-button').click();
        const items = row.locator('[role="menuitem"]', { visible: true });
        await items.first().waitFor({ timeout: TIMEOUT });
        const last = items.last();
        assert.equal(await last.getAttribute('data-action'), 'delete');
        assert.equal(await last.evaluate((b) => b.disabled), true);
        assert.match(await last.textContent(), /Delete\s*Force off first/);
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});

test('the dialog lists the volumes unticked; deleting with one ticked removes only it; the VM leaves every list', async () => {
    const api = new Client(daemonOf());
    await api.login(ADMIN.name, ADMIN.password);
    const watcher = await openAt('#/');
    const { page, problems } = await openAt(`#/domains/${UUID.gone}`);
    try {
        await watcher.page.locator(`.vm-table tbody tr[data-uuid="${UUID.gone}"]`).waitFor({ timeout: TIMEOUT });
        await chooseAction(page.locator('.detail-head .actions, .actions').first(), 'delete');
        const dialog = page.locator('dialog.dialog[open]');
        await dialog.waitFor({ timeout: TIMEOUT });
        await dialog.locator('.dialog-usage[data-state="checked"]').waitFor({ timeout: TIMEOUT });
        const labels = (await dialog.locator('.dialog-choice').allTextContents()).map((s) => s.trim());
        assert.deepEqual(labels, ['Also delete vdtest-e2e-del/a.qcow2 (1 GiB)', 'Also delete vdtest-e2e-del/c.raw (2 GiB)']);
        const boxes = dialog.locator('input[type="checkbox"]');
        assert.equal(await boxes.count(), 2, 'no checkbox for the shared volume');
        for (let i = 0; i < 2; i++) assert.equal(await boxes.nth(i).isChecked(), false, 'unticked by default');
        assert.match(await dialog.locator('.dialog-choice-note').textContent(), /default\/web-02\.qcow2: kept, also used by web-02/);
        assert.equal(await page.evaluate(() => document.activeElement?.value), 'cancel', 'Cancel keeps the focus');
        await page.screenshot({ path: artifact('delete-vm-dialog.png') });
        await page.checkA11y('the delete VM dialog');

        await boxes.nth(0).check();
        await dialog.locator('button[value="confirm"]').click();
        await page.waitForFunction(() => location.hash === '#/' || location.hash === '', null, { timeout: TIMEOUT });
        await page.waitForFunction(() => /“vdtest-e2e-del” deleted\. Removed: vdtest-e2e-del\/a\.qcow2\. Kept: vdtest-e2e-del\/c\.raw, default\/web-02\.qcow2 \(also used by web-02\)\./
            .test(document.getElementById('toasts')?.textContent || ''), null, { timeout: TIMEOUT });
        await watcher.page.locator(`.vm-table tbody tr[data-uuid="${UUID.gone}"]`).waitFor({ state: 'detached', timeout: TIMEOUT });

        const vols = (await api.get('/api/pools/vdtest-e2e-del/volumes')).json.volumes.map((v) => v.name);
        assert.deepEqual(vols, ['c.raw']);
        assert.ok((await api.get('/api/pools/default/volumes')).json.volumes.some((v) => v.name === 'web-02.qcow2'));
        assert.equal((await api.get(`/api/domains/${UUID.gone}`)).status, 404);
        assert.deepEqual(problems, []);
        assert.deepEqual(watcher.problems, []);
    } finally {
        api.close();
        await page.close();
        await watcher.page.close();
    }
});
