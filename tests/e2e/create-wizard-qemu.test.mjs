// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/create-wizard-qemu.test.mjs — the "Create VM" wizard (web/js/views/
// create-wizard.js) against the machine's REAL libvirtd (qemu:///system), in the browser
// VIRTDECK_BROWSER names (tests/lib/browser.mjs): an operator makes a VM from an ISO
// (the suite's own guest CD, build/guest/guest.iso) and one from a cloud image (the
// suite's guest disk, build/guest/guest.qcow2, linked, with a cloud-init host name), each
// started by the wizard. For each: the clicking from opening the wizard to the new VM's
// page reading "Running" takes under a minute, another page's list shows the VM live,
// and on the VM's Serial console tab the guest's shell answers: the ISO's guest booted
// from the CD (its disk is new and empty), the cloud image's reports the host name its
// NoCloud seed gave it (the seed was read inside the guest). The daemon runs with
// domain_type = qemu (TCG: this machine's nested KVM cannot boot a kernel). Run under
// `flock /tmp/vd-qemu.lock` (the shared libvirtd). after() removes both VMs, their
// volumes and the pool even when a test fails, and the pool's directory.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../lib/daemon.mjs';
import { assertJson } from '../lib/api-assert.mjs';
import { login, newPage, startBrowsers, withDaemonLog } from '../lib/browser.mjs';
import { virsh } from '../lib/system-libvirtd.mjs';
import { startQemuLab, stopQemuLab } from '../lib/qemu-lab.mjs';

const tag = crypto.randomBytes(4).toString('hex');
const ADMIN = { name: 'admin', role: 'admin', password: crypto.randomBytes(12).toString('hex') };
const OPERATOR = { name: 'op', role: 'operator', password: crypto.randomBytes(12).toString('hex') };
const GUEST = path.join(REPO_ROOT, 'build', 'guest');
const POOL = `vdtest-wizq-${tag}`;
const ISO_VM = `vdtest-wizq-iso-${tag}`;
const CLOUD_VM = `vdtest-wizq-cloud-${tag}`;
const HOSTNAME = `wizq-${tag}`;
const TIMEOUT = 30000;
const BOOT_TIMEOUT = 120000; // TCG boots the guest's kernel in tens of seconds on a busy machine
const MINUTE = 60000;

const browsers = startBrowsers('light');
const lab = {};
let browser;
let daemon;
let admin;
let tmp;

before(async () => {
    for (const f of ['guest.iso', 'guest.qcow2']) assert.ok(fs.existsSync(path.join(GUEST, f)), `no build/guest/${f}: run make guest-image`);
    await startQemuLab(lab, { prefix: 'wizq', pool: POOL, admin: ADMIN, users: [OPERATOR] });
    ({ tmp, d: daemon, admin } = lab);
    const dir = path.join(tmp, 'pool');
    fs.copyFileSync(path.join(GUEST, 'guest.iso'), path.join(dir, 'guest.iso'));
    fs.copyFileSync(path.join(GUEST, 'guest.qcow2'), path.join(dir, 'guest.qcow2'));
    assertJson(await admin.post(`/api/pools/${POOL}/refresh`, {}), 200, 'refresh');
    browser = await browsers.get('light');
});

after(async () => {
    await browsers.close();
    await stopQemuLab(lab, { pool: POOL, domains: [ISO_VM, CLOUD_VM], stop: { expectCode: null } });
});

const panel = (page, step) => page.locator(`.wizard-panel[data-step="${step}"]`, { visible: true });

/** A page of the browser logged in as the operator, at hash: {page, problems}. */
async function operatorPage(hash) {
    const { page, problems } = await newPage(browser);
    await login(page, daemon, OPERATOR, { ready: 'a.create-vm' });
    await page.evaluate((h) => { location.hash = h; }, hash);
    return { page, problems };
}

/**
 * Walks the wizard from the list's Create VM button: fillSource(source panel) picks the
 * source, then the OS step is left at "Other or unknown", the resources step gets the
 * name, 256 MiB, a 1 GiB disk in the test pool (its size field labelled sizeLabel) and
 * no network, and Create. Returns the
 * new VM's uuid once its page shows it running, and the milliseconds that took.
 */
async function createThroughWizard(page, name, fillSource, { sizeLabel = 'Size (GiB)' } = {}) {
    const started = Date.now();
    await page.locator('a.create-vm').click();
    const source = panel(page, 'source');
    await source.waitFor({ timeout: TIMEOUT });
    await fillSource(source);
    await source.locator('button[type="submit"]').click();
    const os = panel(page, 'os');
    await os.waitFor({ timeout: TIMEOUT });
    await os.locator('button[type="submit"]').click();
    const res = panel(page, 'resources');
    await res.waitFor({ timeout: TIMEOUT });
    await res.getByLabel('Name', { exact: true }).fill(name);
    await res.getByLabel('Memory (MiB)').fill('256');
    await res.getByLabel('Storage pool').selectOption(POOL);
    await res.getByLabel(sizeLabel).fill('1');
    await res.getByLabel('Network', { exact: true }).selectOption('none');
    assert.equal(await res.getByLabel('Start after creating').isChecked(), true, 'start after creating: on by default');
    await res.locator('button[type="submit"]').click();
    const summary = panel(page, 'summary');
    await summary.waitFor({ timeout: TIMEOUT });
    await summary.locator('button[type="submit"]').click();
    await page.waitForFunction(() => /^#\/domains\/[0-9a-f-]{36}$/.test(location.hash), null, { timeout: MINUTE });
    const uuid = (await page.evaluate(() => location.hash)).split('/').pop();
    await page.locator('.detail-title', { hasText: name }).waitFor({ timeout: TIMEOUT });
    await page.locator('.detail-title .badge', { hasText: /^running$/ }).waitFor({ timeout: MINUTE });
    return { uuid, ms: Date.now() - started };
}

/**
 * On the VM page's Serial console tab: presses Enter until the guest's shell prompt
 * (tests/guest/init keeps a root shell on ttyS0) shows, then types command and returns
 * the text of the rows once re matches it (re must not match the typed command's echo).
 */
async function serialAnswer(page, command, re) {
    await page.locator('.tab[data-tab="serial"]').click();
    const term = page.locator('.tab-panel-serial .xterm');
    await term.waitFor({ timeout: TIMEOUT });
    await term.click();
    const rows = () => page.evaluate(() => document.querySelector('.tab-panel-serial .xterm-rows')?.textContent || '');
    const deadline = Date.now() + BOOT_TIMEOUT;
    while (!(await rows()).includes('virtdeck-guest#')) {
        assert.ok(Date.now() < deadline, `no shell prompt on the serial console:\n${(await rows()).slice(-1500)}`);
        await page.keyboard.press('Enter');
        await new Promise((r) => setTimeout(r, 1000));
    }
    await page.keyboard.type(`${command}\n`);
    await page.waitForFunction((src) => new RegExp(src).test(document.querySelector('.tab-panel-serial .xterm-rows')?.textContent || ''),
        re.source, { timeout: TIMEOUT });
    return rows();
}

/** The VM's disks as libvirt has them: [[device, source file]]. */
function diskSources(name) {
    const xml = virsh(['dumpxml', name]).stdout;
    return [...xml.matchAll(/<disk type='file' device='(\w+)'>[\s\S]*?<source file='([^']*)'/g)].map((m) => [m[1], path.basename(m[2])]);
}

test('from the guest ISO: under a minute of clicking to a running VM that booted from the CD', async (t) => {
    const watcher = await operatorPage('#/');
    const { page, problems } = await operatorPage('#/');
    try {
        const { uuid, ms } = await createThroughWizard(page, ISO_VM, async (source) => {
            await source.getByLabel('ISO image', { exact: true }).first().check();
            await source.locator('select').first().selectOption(POOL);
            await source.getByLabel('ISO image', { exact: true }).nth(1).selectOption('guest.iso');
        }).catch((err) => { throw withDaemonLog(daemon, err); });
        t.diagnostic(`wizard to a running VM: ${ms} ms`);
        assert.ok(ms < MINUTE, `the ISO create took ${ms} ms of clicking and waiting`);
        await watcher.page.locator(`.vm-table tbody tr[data-uuid="${uuid}"]`, { hasText: ISO_VM }).waitFor({ timeout: TIMEOUT });
        assert.equal(virsh(['domstate', ISO_VM]).stdout.trim(), 'running');
        assert.deepEqual(diskSources(ISO_VM), [['disk', `${ISO_VM}-vda.qcow2`], ['cdrom', 'guest.iso']]);
        // the new disk is empty: the kernel came from the CD (its isolinux passes virtdeck.boot=cdrom)
        const text = await serialAnswer(page, "sed -n 's/.*virtdeck.boot=\\([a-z]*\\).*/BOOT:\\1:/p' /proc/cmdline", /BOOT:[a-z]+:/);
        assert.match(text, /BOOT:cdrom:/);
        assert.deepEqual(problems, []);
        assert.deepEqual(watcher.problems, []);
    } finally {
        await page.close();
        await watcher.page.close();
    }
});

test('from the guest cloud image with a cloud-init host name: running in under a minute, the guest took the name', async (t) => {
    const { page, problems } = await operatorPage('#/');
    try {
        const { uuid, ms } = await createThroughWizard(page, CLOUD_VM, async (source) => {
            await source.getByLabel('Cloud image', { exact: true }).first().check();
            await source.locator('select').first().selectOption(POOL);
            await source.getByLabel('Cloud image', { exact: true }).nth(1).selectOption('guest.qcow2');
            assert.equal(await source.getByLabel('Linked copy').isChecked(), true, 'linked by default');
            await source.getByLabel('Host name (optional)').fill(HOSTNAME);
        }, { sizeLabel: 'Grow to (GiB) (optional)' }).catch((err) => { throw withDaemonLog(daemon, err); });
        t.diagnostic(`wizard to a running VM: ${ms} ms`);
        assert.ok(ms < MINUTE, `the cloud-image create took ${ms} ms of clicking and waiting`);
        assert.deepEqual(diskSources(CLOUD_VM), [['disk', `${CLOUD_VM}-vda.qcow2`], ['cdrom', `${CLOUD_VM}-seed.iso`]]);
        const vols = assertJson(await admin.get(`/api/pools/${POOL}/volumes`), 200, 'volumes').volumes;
        assert.equal(vols.find((v) => v.name === `${CLOUD_VM}-vda.qcow2`)?.backing?.path, path.join(tmp, 'pool', 'guest.qcow2'), 'a linked overlay');
        const text = await serialAnswer(page, "hostname | sed 's/.*/HN=&=/'", /HN=[a-z0-9-]+=/);
        assert.equal(/HN=([a-z0-9-]+)=/.exec(text)[1], HOSTNAME, 'the guest took its host name from the seed');
        assertJson(await admin.get(`/api/domains/${uuid}`), 200, 'detail');
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});
