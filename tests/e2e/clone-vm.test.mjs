// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/clone-vm.test.mjs — cloning a VM from its "More actions" menu (issue 12),
// against a real daemon on libvirt's test driver, in the browser VIRTDECK_BROWSER names
// (tests/lib/browser.mjs). A shut-off VM's menu has Clone (before Delete), a running
// VM's has none; the dialog proposes "<name>-clone"; a taken name is shown at the name
// field and nothing is made; a free name makes the clone (its disk copied in the pool,
// checked through the API), closes the dialog, says so in a toast, and the new VM
// appears in the list. The source's disk has 1 GiB allocated, more than a clone copies
// while the request waits (docs/api.md "Jobs"): the server answers 202 with a running
// job, the dialog shows the copy's progress bar and words until the events socket says
// the job is done. A small VM (1 MiB allocated) is still cloned at once (201).
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
const MIB = 1024 ** 2;
const UUID = {
    web01: '97e56341-f5b0-4a2a-b12f-373969e93bd3',
    src: '5eed0000-0000-4000-8000-00000000e0c1',
    small: '5eed0000-0000-4000-8000-00000000e0c2',
};

/** A shut-off test-driver VM whose one disk is volume file of the pool below. */
const shutOffVm = (name, uuid, file) => `  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>${name}</name>
    <uuid>${uuid}</uuid>
    <memory unit='MiB'>512</memory>
    <vcpu>1</vcpu>
    <os><type arch='x86_64'>hvm</type></os>
    <devices>
      <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
        <source file='/srv/vdtest-e2e-clone/${file}'/><target dev='vda' bus='virtio'/></disk>
    </devices>
    <test:runstate>5</test:runstate>
  </domain>
`;

const FIXTURE_URI = demoCopy('clone-vm', '</node>', `${shutOffVm('vdtest-e2e-src', UUID.src, 'a.qcow2')}${shutOffVm('vdtest-e2e-small', UUID.small, 's.qcow2')}  <pool type='dir'>
    <name>vdtest-e2e-clone</name>
    <target><path>/srv/vdtest-e2e-clone</path></target>
    <volume type='file'><name>a.qcow2</name><capacity unit='bytes'>${GIB}</capacity><target><format type='qcow2'/></target></volume>
    <volume type='file'><name>s.qcow2</name><capacity unit='bytes'>${GIB}</capacity><allocation unit='bytes'>${MIB}</allocation><target><format type='qcow2'/></target></volume>
  </pool>
`);

const { daemon: daemonOf, openAt } = withDemoUser(FIXTURE_URI, ADMIN);

/** Records the status and Location of the page's clone requests (window.vdtestAnswers). */
function recordCloneAnswers(page) {
    return page.evaluate(() => {
        window.vdtestAnswers = [];
        const fetchBefore = window.fetch;
        window.fetch = async (...args) => {
            const res = await fetchBefore(...args);
            if (/\/clone$/.test(String(args[0]))) window.vdtestAnswers.push({ status: res.status, location: res.headers.get('Location') });
            return res;
        };
    });
}

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

        // the progress box is shown for the 202's running job, however short the copy
        await page.evaluate(() => {
            window.vdtestProgress = [];
            new MutationObserver(() => {
                const box = document.querySelector('dialog[open] .clone-progress');
                if (box && !box.hidden) window.vdtestProgress.push(box.querySelector('.upload-text').textContent);
            }).observe(document.body, { subtree: true, attributes: true, childList: true, characterData: true });
        });
        await recordCloneAnswers(page);
        await input.fill('vdtest-e2e-copy');
        await dialog.locator('button[type="submit"]').click();
        await dialog.waitFor({ state: 'detached', timeout: TIMEOUT });
        const [res] = await page.evaluate(() => window.vdtestAnswers);
        assert.equal(res.status, 202, 'a 1 GiB copy is a job');
        assert.match(res.location, /^\/api\/jobs\/[0-9a-f]{32}$/);
        const seen = await page.evaluate(() => window.vdtestProgress);
        assert.ok(seen.some((text) => /^Copying the disks: .+ of 1 GiB/.test(text)), `progress shown: ${JSON.stringify(seen)}`);
        await page.waitForFunction(() => /“vdtest-e2e-copy” created as a clone of “vdtest-e2e-src”\./
            .test(document.getElementById('toasts')?.textContent || ''), null, { timeout: TIMEOUT });
        await page.locator('.vm-table tbody tr', { hasText: 'vdtest-e2e-copy' }).waitFor({ timeout: TIMEOUT });
        const vols = (await api.get('/api/pools/vdtest-e2e-clone/volumes')).json.volumes.map((v) => v.name);
        assert.deepEqual(vols, ['a.qcow2', 's.qcow2', 'vdtest-e2e-copy-vda.qcow2']);
        // chromium logs the refused name's answer as a failed load: the one expected
        assert.deepEqual(problems.filter((p) => !/status of 409 \(Conflict\) .*\/clone\)$/.test(p)), []);
    } finally {
        api.close();
        await page.close();
    }
});

test('a small VM is cloned at once (201), without a job', async () => {
    const { page, problems } = await openAt('#/');
    try {
        const row = page.locator(`.vm-table tbody tr[data-uuid="${UUID.small}"]`);
        await row.waitFor({ timeout: TIMEOUT });
        await chooseAction(row, 'clone');
        const dialog = page.locator('dialog.dialog[open]');
        await dialog.waitFor({ timeout: TIMEOUT });
        await recordCloneAnswers(page);
        await dialog.locator('button[type="submit"]').click();
        await dialog.waitFor({ state: 'detached', timeout: TIMEOUT });
        assert.deepEqual((await page.evaluate(() => window.vdtestAnswers)).map((a) => a.status), [201]);
        await page.locator('.vm-table tbody tr', { hasText: 'vdtest-e2e-small-clone' }).waitFor({ timeout: TIMEOUT });
        assert.equal(await page.evaluate(() => document.getElementById('jobs').hidden), true, 'no job in the top bar');
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});
