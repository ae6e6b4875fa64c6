// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/in-use.test.mjs — dialogs that say what will happen (issue 11), against a
// real daemon on libvirt's test driver with the demo hypervisor, in the browser
// VIRTDECK_BROWSER names (tests/lib/browser.mjs). Every delete, wipe, stop, detach and
// Force off confirmation reads, when it opens, which VMs use the object and lists them
// (state word, link); where the server would refuse, it says why and has no confirm
// button; a transient VM's Force off and Shut down say it will disappear; the attach-disk
// picker marks volumes other VMs use (and the one this VM has); a paused VM counts as
// paused in the pool and network rows and in a pool's volume list.
//
// The demo (packaging/demo/demo.xml) has no volume two VMs share, and the test driver
// cannot attach disks (501), so the test runs a copy of the demo with one more shut-off
// VM, vdtest-shared, whose disk is web-02.qcow2 (written to a temporary directory,
// removed in after()). The demo's own transient VM ci-scratch-7f3a serves the transient
// case. Nothing is confirmed: every dialog is closed, so the objects stay as they were.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { artifact, chooseAction, login, newPage } from '../lib/browser.mjs';
import { withDemoDaemon } from '../lib/e2e-setup.mjs';
import { REPO_ROOT } from '../lib/daemon.mjs';

const ADMIN = { name: 'admin', role: 'admin', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;
const UUID = {
    web01: '97e56341-f5b0-4a2a-b12f-373969e93bd3',
    web02: 'a91c7fb4-4425-47a3-ba52-b093510faed5',
    dbReplica: 'df65be24-daaf-4d81-b9a6-229dcd0ce9e9',
    transient: '308e63cc-023a-4b65-b79f-43ec694df7e5', // ci-scratch-7f3a
    shared: '6f0c1a52-7d0e-4b8e-9a31-5c2f4e8d0b17',
};

/** The demo hypervisor plus vdtest-shared (shut off), which shares web-02.qcow2 with web-02. */
function demoWithSharedDisk() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vdtest-in-use-'));
    const demo = readFileSync(path.join(REPO_ROOT, 'packaging', 'demo', 'demo.xml'), 'utf8');
    const extra = `  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>vdtest-shared</name>
    <uuid>${UUID.shared}</uuid>
    <memory unit='MiB'>512</memory>
    <vcpu>1</vcpu>
    <os><type arch='x86_64'>hvm</type></os>
    <devices>
      <disk type='file' device='disk'>
        <driver name='qemu' type='qcow2'/>
        <source file='/var/lib/libvirt/images/web-02.qcow2'/>
        <target dev='vda' bus='virtio'/>
      </disk>
    </devices>
    <test:runstate>5</test:runstate>
  </domain>

  <network>`;
    const xml = demo.replace('  <network>', extra);
    assert.notEqual(xml, demo, 'the demo has a <network> to insert before');
    const file = path.join(dir, 'demo-shared.xml');
    writeFileSync(file, xml);
    return { dir, uri: `test://${file}` };
}

const fixture = demoWithSharedDisk();
after(() => rmSync(fixture.dir, { recursive: true, force: true }));

let daemon;
let browser;
withDemoDaemon({ users: [ADMIN], uri: fixture.uri }, (d, b) => {
    daemon = d;
    browser = b;
});

/** A logged-in admin page at hash; runs fn(page), then checks the page had no problems. */
async function onPage(hash, fn) {
    const { page, problems } = await newPage(browser);
    try {
        await login(page, daemon, ADMIN); // the first page of a cold browser may take a while on a loaded machine
        await page.evaluate((h) => { location.hash = h; }, hash);
        await fn(page);
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
}

/** The open confirmation, once its usage check has answered: {dialog, state}. */
async function checkedDialog(page) {
    const dialog = page.locator('dialog.dialog[open]');
    await dialog.waitFor({ timeout: TIMEOUT });
    await dialog.locator('.dialog-usage[data-state="checked"], .dialog-usage[data-state="refused"]').waitFor({ timeout: TIMEOUT });
    const state = await dialog.locator('.dialog-usage').getAttribute('data-state');
    return { dialog, state };
}

/** The in-use list of a dialog: its items' text ("name (state)", "and N more") and its links' hrefs. */
async function usersOf(dialog) {
    const items = (await dialog.locator('.dialog-users li').allTextContents()).map((s) => s.trim());
    const links = await dialog.locator('.dialog-users a').all();
    const hrefs = [];
    for (const a of links) hrefs.push(await a.getAttribute('href'));
    return { items, hrefs };
}

/** Asserts the dialog refuses: the reason shown, no confirm button, Cancel became Close. */
async function assertRefused(dialog, state, reason) {
    assert.equal(state, 'refused');
    assert.match(await dialog.locator('.dialog-refusal').textContent(), reason);
    assert.equal(await dialog.locator('button[value="confirm"]').isVisible(), false, 'no confirm button');
    assert.equal((await dialog.locator('button[value="cancel"]').textContent()).trim(), 'Close');
}

/** Closes the dialog with its Cancel/Close button and waits until it is gone. */
async function closeDialog(page, dialog) {
    await dialog.locator('button[value="cancel"]').click();
    await page.locator('dialog.dialog[open]').waitFor({ state: 'detached', timeout: TIMEOUT });
}

test('deleting a volume any VM uses (a stopped one too) is refused up front, with the VMs listed', async () => {
    await onPage('#/storage/default', async (page) => {
        await page.locator('button[data-action="delete"][data-name="web-02.qcow2"]').click();
        const { dialog, state } = await checkedDialog(page);
        const { items, hrefs } = await usersOf(dialog);
        assert.deepEqual(items, ['web-02 (running)', 'vdtest-shared (shut off)']);
        assert.deepEqual(hrefs, [`#/domains/${UUID.web02}`, `#/domains/${UUID.shared}`]);
        await assertRefused(dialog, state, /refuses to delete a volume VMs use, even stopped ones/);
        await page.screenshot({ path: artifact('in-use-volume-delete.png') });
        await page.checkA11y('a refused volume delete');
        await closeDialog(page, dialog);
        await page.locator('tr[data-name="web-02.qcow2"]').waitFor({ timeout: TIMEOUT });
    });
});

test('wiping: refused while a paused VM uses the volume; a stopped user is listed and warned of', async () => {
    await onPage('#/storage/fast', async (page) => {
        await page.locator('button[data-action="wipe"][data-name="db-replica-data.raw"]').click();
        let { dialog, state } = await checkedDialog(page);
        assert.deepEqual((await usersOf(dialog)).items, ['db-replica (paused)']);
        await assertRefused(dialog, state, /refuses to wipe a volume a running or paused VM uses/);
        await closeDialog(page, dialog);

        await page.locator('button[data-action="wipe"][data-name="backup-nas.raw"]').click();
        ({ dialog, state } = await checkedDialog(page));
        assert.equal(state, 'checked');
        assert.deepEqual((await usersOf(dialog)).items, ['backup-nas (shut off)']);
        assert.match(await dialog.locator('.dialog-usage .dialog-warning').textContent(), /stopped VMs listed lose the data/);
        const wipe = dialog.locator('button[value="confirm"]');
        assert.equal(await wipe.isVisible(), true);
        assert.equal(await wipe.evaluate((b) => b.disabled), false);
        assert.equal(await page.evaluate(() => document.activeElement?.value), 'cancel', 'Cancel keeps the focus');
        await closeDialog(page, dialog);
    });
});

test('stopping or deleting a pool running VMs use is refused up front; the long list is capped', async () => {
    await onPage('#/storage', async (page) => {
        for (const action of ['stop', 'delete']) {
            await page.locator(`button[data-action="${action}"][data-name="default"]`).click();
            const { dialog, state } = await checkedDialog(page);
            const { items, hrefs } = await usersOf(dialog);
            // default holds the disks of 11 VMs: 8 are listed (running and paused first), then "and 3 more".
            assert.equal(items.length, 9, items.join(' | '));
            assert.equal(items[8], 'and 3 more');
            assert.ok(items.includes('web-01 (running)'), items.join(' | '));
            assert.ok(items.some((i) => / \(paused\)$/.test(i)), 'legacy-erp is paused');
            assert.ok(hrefs.includes(`#/domains/${UUID.web01}`));
            await assertRefused(dialog, state, action === 'stop' ? /refuses to stop the pool/ : /refuses to delete the pool/);
            await closeDialog(page, dialog);
        }
    });
});

test('stopping and deleting a network list its VMs with their states; a delete running VMs use is forced', async () => {
    await onPage('#/networks', async (page) => {
        await page.locator('button[data-action="stop"][data-name="storage-net"]').click();
        let { dialog, state } = await checkedDialog(page);
        assert.equal(state, 'checked', 'the server does not refuse a stop');
        const items = (await usersOf(dialog)).items;
        assert.deepEqual(items.slice(0, 2).sort(), ['db-primary (running)', 'db-replica (paused)'], 'running and paused first');
        assert.equal(items[2], 'backup-nas (shut off)');
        assert.match(await dialog.locator('.dialog-usage .dialog-warning').textContent(), /2 running or paused VMs lose their connection/);
        assert.equal(await dialog.locator('button[value="confirm"]').isVisible(), true);
        await closeDialog(page, dialog);

        await page.locator('button[data-action="delete"][data-name="storage-net"]').click();
        ({ dialog, state } = await checkedDialog(page));
        assert.equal(state, 'checked', 'a forced delete, not a refusal');
        assert.deepEqual((await usersOf(dialog)).items.sort(), ['backup-nas (shut off)', 'db-primary (running)', 'db-replica (paused)']);
        assert.equal((await dialog.locator('button[value="confirm"]').textContent()).trim(), 'Force delete');
        await page.screenshot({ path: artifact('in-use-network-delete.png') });
        await page.checkA11y('a forced network delete');
        assert.match(await dialog.locator('.dialog-usage .dialog-warning').textContent(), /the deletion is forced/);
        await closeDialog(page, dialog);
    });
});

test('a paused VM counts as paused, not running, in the pool and network rows and the volume list', async () => {
    await onPage('#/networks', async (page) => {
        const row = page.locator('tr[data-name="storage-net"]');
        await row.waitFor({ timeout: TIMEOUT });
        await page.waitForFunction(() => /3 VMs \(1 running, 1 paused\)/.test(document.querySelector('tr[data-name="storage-net"]')?.textContent || ''), null, { timeout: TIMEOUT });
        assert.doesNotMatch(await row.textContent(), /2 running/);
        await page.evaluate(() => { location.hash = '#/storage'; });
        const pool = page.locator('tr[data-name="fast"]');
        await pool.waitFor({ timeout: TIMEOUT });
        await page.waitForFunction(() => /3 VMs \(1 running, 1 paused\)/.test(document.querySelector('tr[data-name="fast"]')?.textContent || ''), null, { timeout: TIMEOUT });
        // the pool's volume list: each user with the state the VM list shows
        await page.evaluate(() => { location.hash = '#/storage/fast'; });
        const paused = page.locator('tr[data-name="db-replica-data.raw"] .user-list li');
        await paused.waitFor({ timeout: TIMEOUT });
        assert.match((await paused.textContent()).trim(), /^db-replica \S+ \(paused\)$/);
    });
});

test('detaching a disk lists the other VMs that share its volume; a running VM is warned of', async () => {
    await onPage(`#/domains/${UUID.web02}/tab/disks`, async (page) => {
        const panel = page.locator('.tab-panel-disks');
        await panel.locator('button[data-action="detach"][data-target="vda"]').click();
        const { dialog, state } = await checkedDialog(page);
        assert.equal(state, 'checked');
        assert.equal(await dialog.locator('.dialog-usage-heading').textContent(), 'Also used by:');
        assert.deepEqual((await usersOf(dialog)).items, ['vdtest-shared (shut off)']);
        assert.match(await dialog.locator('.dialog-warnings').textContent(), /The VM is running: its guest is using this disk now/);
        await closeDialog(page, dialog);

        await page.evaluate((h) => { location.hash = h; }, `#/domains/${UUID.web02}/tab/nics`);
        const nics = page.locator('.tab-panel-nics');
        await nics.locator('button[data-action="detach"]').first().click();
        const nic = page.locator('dialog.dialog[open]');
        await nic.waitFor({ timeout: TIMEOUT });
        assert.match(await nic.locator('.dialog-warnings').textContent(), /guest is using this interface now/);
        await closeDialog(page, nic);
    });
});

test('Force off and Shut down of a transient VM say it will disappear; Force off says what it cuts', async () => {
    await onPage('#/', async (page) => {
        const row = page.locator(`.vm-table tbody tr[data-uuid="${UUID.transient}"]`);
        await row.waitFor({ timeout: TIMEOUT });
        const dialog = page.locator('dialog.dialog[open]');
        for (const action of ['destroy', 'shutdown']) {
            await chooseAction(row, action);
            await dialog.waitFor({ timeout: TIMEOUT });
            const text = await dialog.locator('.dialog-warnings').textContent();
            assert.match(text, /“ci-scratch-7f3a” is transient .* once it stops it disappears from the list/);
            if (action === 'destroy') assert.match(text, /is powered on: its programs stop at once/);
            await closeDialog(page, dialog);
        }
        // A persistent VM's Force off names the running guest, not a disappearance.
        const web01 = page.locator(`.vm-table tbody tr[data-uuid="${UUID.web01}"]`);
        await chooseAction(web01, 'destroy');
        await dialog.waitFor({ timeout: TIMEOUT });
        const text = await dialog.locator('.dialog-warnings').textContent();
        assert.match(text, /“web-01” is powered on/);
        assert.doesNotMatch(text, /transient/);
        await closeDialog(page, dialog);
    });
});

test('the attach-disk picker marks volumes in use; one another VM uses needs a confirmation', async () => {
    await onPage(`#/domains/${UUID.web01}/tab/disks`, async (page) => {
        const panel = page.locator('.tab-panel-disks');
        await panel.getByRole('button', { name: 'Attach disk' }).click();
        const form = panel.locator('form');
        await form.getByLabel('Storage pool').selectOption('default');
        await page.waitForFunction(() => [...document.querySelectorAll('.tab-panel-disks form option')].some((o) => o.value === 'web-02.qcow2'), null, { timeout: TIMEOUT });
        const options = await page.evaluate(() => [...document.querySelectorAll('.tab-panel-disks form option')]
            .filter((o) => /\.qcow2$/.test(o.value)).map((o) => ({ value: o.value, text: o.textContent, disabled: o.disabled })));
        const by = Object.fromEntries(options.map((o) => [o.value, o]));
        assert.match(by['web-01.qcow2'].text, /already attached to this VM$/);
        assert.equal(by['web-01.qcow2'].disabled, true, 'not offered twice');
        assert.match(by['web-02.qcow2'].text, /in use by (web-02 and vdtest-shared|vdtest-shared and web-02)$/);
        assert.match(by['build-runner.qcow2'].text, /in use by build-runner$/);
        await page.checkA11y('the attach-disk picker with in-use marks');

        await form.getByLabel('Volume', { exact: true }).selectOption('web-02.qcow2');
        await form.getByRole('button', { name: 'Attach' }).click();
        const dialog = page.locator('dialog.dialog[open]');
        await dialog.waitFor({ timeout: TIMEOUT });
        assert.equal(await dialog.locator('.dialog-title').textContent(), 'Attach “web-02.qcow2”, which another VM uses?');
        assert.match(await dialog.locator('.dialog-message').textContent(), /in use by (web-02 and vdtest-shared|vdtest-shared and web-02)\./);
        assert.equal(await page.evaluate(() => document.activeElement?.value), 'cancel', 'Cancel keeps the focus');
        await closeDialog(page, dialog);
        // Nothing was attached: the form is still open and the VM still has one disk.
        assert.equal(await form.isVisible(), true);
        assert.equal(await panel.locator('tbody tr[data-target]').count(), 1);
    });
});

test('when the usage check fails the dialog says so and keeps its confirm button (the server still guards)', async () => {
    await onPage('#/storage', async (page) => {
        await page.locator('button[data-action="delete"][data-name="default"]').waitFor({ timeout: TIMEOUT });
        await page.route('**/api/pools/default', {
            times: 1,
            fulfill: { status: 502, contentType: 'application/json', body: JSON.stringify({ error: { code: 'libvirt_error', message: 'unreachable (test)' } }) },
        });
        await page.locator('button[data-action="delete"][data-name="default"]').click();
        const dialog = page.locator('dialog.dialog[open]');
        await dialog.locator('.dialog-usage[data-state="unknown"]').waitFor({ timeout: TIMEOUT });
        assert.match(await dialog.locator('.dialog-usage').textContent(), /Could not check which VMs use it/);
        const del = dialog.locator('button[value="confirm"]');
        assert.equal(await del.isVisible(), true);
        assert.equal(await del.evaluate((b) => b.disabled), false);
        await closeDialog(page, dialog);
    });
});
