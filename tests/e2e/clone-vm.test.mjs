// tests/e2e/clone-vm.test.mjs — cloning a VM from its "More actions" menu (issue 12),
// against a real daemon on libvirt's test driver, in the browser VIRTDECK_BROWSER names
// (tests/lib/browser.mjs). A shut-off VM's menu has Clone (before Delete), a running
// VM's has none; the dialog proposes "<name>-clone"; a taken name is shown at the name
// field and nothing is made; a free name makes the clone (its disk copied in the pool,
// checked through the API), closes the dialog, says so in a toast, and the new VM
// appears in the list.
//
// It runs a copy of the demo (packaging/demo/demo.xml) with a pool and a shut-off VM of
// its own (written to a temporary directory, removed in after()).
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { artifact, chooseAction } from '../lib/browser.mjs';
import { demoCopy, withDemoUser } from '../lib/e2e-setup.mjs';
import { Client } from '../lib/client.mjs';

const ADMIN = { name: 'admin', role: 'admin', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;
const GIB = 1024 ** 3;
const UUID = { web01: '97e56341-f5b0-4a2a-b12f-373969e93bd3', src: '5eed0000-0000-4000-8000-00000000e0c1' };

const FIXTURE_URI = demoCopy('clone-vm', '</node>', `  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>vdtest-e2e-src</name>
    <uuid>${UUID.src}</uuid>
    <memory unit='MiB'>512</memory>
    <vcpu>1</vcpu>
    <os><type arch='x86_64'>hvm</type></os>
    <devices>
      <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
        <source file='/srv/vdtest-e2e-clone/a.qcow2'/><target dev='vda' bus='virtio'/></disk>
    </devices>
    <test:runstate>5</test:runstate>
  </domain>
  <pool type='dir'>
    <name>vdtest-e2e-clone</name>
    <target><path>/srv/vdtest-e2e-clone</path></target>
    <volume type='file'><name>a.qcow2</name><capacity unit='bytes'>${GIB}</capacity><target><format type='qcow2'/></target></volume>
  </pool>
`);

const { daemon: daemonOf, openAt } = withDemoUser(FIXTURE_URI, ADMIN);

/** The data-action values of a list row's "More actions" menu. */
async function menuActions(page, uuid) {
    const row = page.locator(`.vm-table tbody tr[data-uuid="${uuid}"]`);
    await row.waitFor({ timeout: TIMEOUT });
    await row.scrollIntoViewIfNeeded();
    await row.locator('button.menu-button').click();
    const items = row.locator('[role="menuitem"]', { visible: true });
    await items.first().waitFor({ timeout: TIMEOUT });
    const out = [];
    for (let i = 0; i < await items.count(); i++) out.push(await items.nth(i).getAttribute('data-action'));
    await page.keyboard.press('Escape');
    return out;
}

test('Clone is in a shut-off VM\'s menu before Delete, and not in a running VM\'s', async () => {
    const { page, problems } = await openAt('#/');
    try {
        const off = await menuActions(page, UUID.src);
        assert.deepEqual(off.slice(-2), ['clone', 'delete']);
        assert.ok(!(await menuActions(page, UUID.web01)).includes('clone'));
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});

test('the dialog proposes <name>-clone; a taken name is shown at the field; a free one makes the clone', async () => {
    const api = new Client(daemonOf());
    await api.login(ADMIN.name, ADMIN.password);
    const { page, problems } = await openAt('#/');
    try {
        const row = page.locator(`.vm-table tbody tr[data-uuid="${UUID.src}"]`);
        await row.waitFor({ timeout: TIMEOUT });
        await chooseAction(row, 'clone');
        const dialog = page.locator('dialog.dialog[open]');
        await dialog.waitFor({ timeout: TIMEOUT });
        const input = dialog.locator('input');
        assert.equal(await input.inputValue(), 'vdtest-e2e-src-clone');
        await page.screenshot({ path: artifact('clone-vm-dialog.png') });
        await page.checkA11y('the clone VM dialog');

        const before = (await api.get('/api/domains')).json.domains.length;
        await input.fill('web-01');
        await dialog.locator('button[type="submit"]').click();
        await dialog.locator('.field-error:not([hidden])').waitFor({ timeout: TIMEOUT });
        assert.match(await dialog.locator('.field-error').textContent(), /web-01/);
        assert.equal(await input.getAttribute('aria-invalid'), 'true');
        assert.equal((await api.get('/api/domains')).json.domains.length, before, 'nothing made');

        await input.fill('vdtest-e2e-copy');
        await dialog.locator('button[type="submit"]').click();
        await dialog.waitFor({ state: 'detached', timeout: TIMEOUT });
        await page.waitForFunction(() => /“vdtest-e2e-copy” created as a clone of “vdtest-e2e-src”\./
            .test(document.getElementById('toasts')?.textContent || ''), null, { timeout: TIMEOUT });
        await page.locator('.vm-table tbody tr', { hasText: 'vdtest-e2e-copy' }).waitFor({ timeout: TIMEOUT });
        const vols = (await api.get('/api/pools/vdtest-e2e-clone/volumes')).json.volumes.map((v) => v.name);
        assert.deepEqual(vols, ['a.qcow2', 'vdtest-e2e-copy-vda.qcow2']);
        // chromium logs the refused name's answer as a failed load: the one expected
        assert.deepEqual(problems.filter((p) => !/status of 409 \(Conflict\) .*\/clone\)$/.test(p)), []);
    } finally {
        api.close();
        await page.close();
    }
});
