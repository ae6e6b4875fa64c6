// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/errors.test.mjs — errors for people, at the field (issue 11), in the browser
// VIRTDECK_BROWSER names (tests/lib/browser.mjs), against a daemon on libvirt's test driver
// with the demo hypervisor (pool "default" with web-01.qcow2; the test driver really cannot
// upload, download or resize): a size past the limit typed in TiB shows at the Capacity
// field in TiB, and a resize's at its New size field; a taken volume name shows at the Name
// field; an upload the driver cannot do says so in words (no libvirt text) and its bar is
// not left full and blue, nor is a cancelled one's; a download the driver cannot do says so
// instead of failing without a word, and one the server can serve is handed to the browser
// after its first byte was checked. Nothing runs on the real libvirtd.
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { artifact, login, newPage, withDaemonLog } from '../lib/browser.mjs';
import { withDemoDaemon } from '../lib/e2e-setup.mjs';

const ADMIN = { name: 'admin', role: 'admin', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;
const RAW = /virStorage|connection driver|not supported by/;

let daemon;
let browser;
let page;
let problems;
let tmp;

withDemoDaemon({ users: [ADMIN] }, (d, b) => {
    daemon = d;
    browser = b;
});

/** The signed-in page the tests share, opened by the first. */
async function signedIn() {
    if (page) return;
    ({ page, problems } = await newPage(browser));
    await login(page, daemon, ADMIN, { timeout: TIMEOUT });
}

test.after(async () => {
    if (page) await page.close().catch(() => {});
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs fn; on failure adds the daemon's log and a screenshot named after label. */
async function step(label, fn) {
    try {
        await signedIn();
        await fn();
    } catch (err) {
        await page?.screenshot({ path: artifact(`errors-${label}-failed.png`) }).catch(() => {});
        throw withDaemonLog(daemon, err);
    }
}

async function openPool() {
    await signedIn();
    await page.goto(`${daemon.url}/#/storage/default`);
    await page.locator('tr[data-name="web-01.qcow2"]').waitFor({ timeout: TIMEOUT });
}

/** Opens "New volume" and fills it in; returns the form. */
async function newVolume(name, capacity) {
    const form = page.locator('form[aria-labelledby="newvol-title"]');
    if (!(await form.isVisible())) await page.getByRole('button', { name: 'New volume' }).click();
    await form.getByLabel('Name', { exact: true }).fill(name);
    await form.getByLabel('Capacity').fill(capacity);
    await form.getByRole('button', { name: 'Create volume' }).click();
    return form;
}

test('a size past the limit typed in TiB shows at the Capacity field, in TiB', async () => {
    await step('size', async () => {
        await openPool();
        const form = await newVolume('vdtest-huge.qcow2', '20 TiB');
        const capacity = form.getByLabel('Capacity');
        const err = form.locator('.field-error', { hasText: 'The size must be at most 16 TiB.' });
        await err.waitFor({ timeout: 5000 });
        assert.equal(await capacity.getAttribute('aria-invalid'), 'true', 'the error is at the Capacity field');
        assert.equal(await form.locator('.form-error').isVisible(), false, 'no form-level box for a field error');
        assert.doesNotMatch(await form.innerText(), /capacity_bytes|17592186044416/, 'no machine text');
        await page.checkA11y('a size error at its field');
    });
});

test('a taken volume name shows at the Name field', async () => {
    await step('dup', async () => {
        const form = await newVolume('web-01.qcow2', '1 GiB');
        const name = form.getByLabel('Name', { exact: true });
        await form.locator('.field-error', { hasText: /already taken/ }).waitFor({ timeout: 5000 });
        assert.equal(await name.getAttribute('aria-invalid'), 'true', 'the error is at the Name field');
        assert.equal(await form.getByLabel('Capacity').getAttribute('aria-invalid'), null, 'the size is fine now');
        assert.equal(await form.locator('.form-error').isVisible(), false, 'no form-level box for a field error');
        await form.getByRole('button', { name: 'Cancel' }).click();
    });
});

test('a resize past the limit shows at the New size field, in the unit typed', async () => {
    await step('resize', async () => {
        await page.locator('button[data-action="resize"][data-name="web-01.qcow2"]').click();
        const dialog = page.locator('dialog.dialog[open]');
        await dialog.waitFor({ timeout: TIMEOUT });
        const size = dialog.getByLabel('New size');
        await size.fill('20 TiB');
        await dialog.getByRole('button', { name: 'Resize' }).click();
        await dialog.locator('.field-error', { hasText: 'The size must be at most 16 TiB.' }).waitFor({ timeout: 5000 });
        assert.equal(await size.getAttribute('aria-invalid'), 'true', 'the error is at the size field');
        assert.doesNotMatch(await dialog.innerText(), /capacity_bytes|17592186044416/, 'no machine text');
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await page.locator('dialog.dialog[open]').waitFor({ state: 'detached', timeout: TIMEOUT });
    });
});

test('an upload the driver cannot do says so in words, and the bar is not left full and blue', async () => {
    await step('upload', async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vdtest-e2e-err-'));
        const file = path.join(tmp, 'vdtest-up.iso');
        fs.writeFileSync(file, Buffer.alloc(256 * 1024, 7));
        await page.getByRole('button', { name: 'Upload', exact: true }).click();
        const form = page.locator('form[aria-labelledby="upload-title"]');
        await form.getByLabel('File').setInputFiles(file);
        await form.getByRole('button', { name: 'Upload' }).click();
        await form.locator('.upload-text', { hasText: 'Upload failed.' }).waitFor({ timeout: TIMEOUT });
        const bar = form.locator('progress.upload-progress');
        const look = await bar.evaluate((b) => ({ value: b.value, max: b.max, state: b.dataset.state || '' }));
        assert.ok(look.value < look.max, `the bar is not full after a failure (${look.value} of ${look.max})`);
        assert.equal(look.state, 'failed', 'the bar is in the failed (danger) style');
        const text = await form.locator('.form-error').innerText();
        assert.match(text, /storage driver cannot upload volumes/);
        assert.doesNotMatch(text, RAW, 'no libvirt text');
        await page.screenshot({ path: artifact('errors-upload-failed.png') });
        await page.checkA11y('a failed upload');
        await form.getByRole('button', { name: 'Close' }).click();
    });
});

test('a cancelled upload keeps the part sent, in the failed style, and says it was cancelled', async () => {
    await step('cancel', async () => {
        await openPool();
        // a transfer that stops half way until cancelled (the test driver refuses at once)
        await page.evaluate(() => {
            window.XMLHttpRequest = class HalfWay {
                constructor() { this.upload = {}; this.status = 0; this.responseText = ''; }
                open() {}
                setRequestHeader() {}
                send(body) { setTimeout(() => this.upload.onprogress?.({ loaded: body.size / 2, total: body.size }), 0); }
                abort() { setTimeout(() => this.onabort?.(), 0); }
            };
        });
        const form = page.locator('form[aria-labelledby="upload-title"]');
        if (!(await form.isVisible())) await page.locator('.toolbar').getByRole('button', { name: 'Upload', exact: true }).click();
        await form.getByLabel('File').setInputFiles(path.join(tmp, 'vdtest-up.iso'));
        await form.getByRole('button', { name: 'Upload' }).click();
        const bar = form.locator('progress.upload-progress');
        await page.waitForFunction(() => document.querySelector('progress.upload-progress')?.value === 50, undefined, { timeout: TIMEOUT });
        await form.getByRole('button', { name: 'Cancel upload' }).click();
        await form.locator('.upload-text', { hasText: 'Upload cancelled.' }).waitFor({ timeout: TIMEOUT });
        const look = await bar.evaluate((b) => ({ value: b.value, state: b.dataset.state || '' }));
        assert.equal(look.value, 50, 'the part sent stays shown');
        assert.equal(look.state, 'cancelled', 'in the failed (danger) style, not blue');
        await form.getByRole('button', { name: 'Close' }).click();
    });
});

test('a download the driver cannot do says so instead of failing without a word', async () => {
    await step('download', async () => {
        await openPool();
        const row = page.locator('tr[data-name="web-01.qcow2"]');
        await row.getByRole('link', { name: /Download/ }).click();
        const alert = page.getByText(/storage driver cannot download volumes/);
        await alert.waitFor({ timeout: TIMEOUT });
        assert.doesNotMatch(await alert.innerText(), RAW, 'no libvirt text');
        assert.match(await page.locator('body').innerText(), /Could not download “web-01\.qcow2”/);
        await page.getByRole('button', { name: 'Dismiss' }).first().click();
        await alert.waitFor({ state: 'hidden', timeout: 5000 });
        // the refusals above are the browser's own console lines for 4xx/5xx answers; nothing else
        const expected = /Failed to load resource: the server responded with a status of (400|409|501) /;
        assert.deepEqual(problems.filter((p) => !expected.test(p)), []);
    });
});

test('a download the server can serve is handed to the browser after the first-byte check', async () => {
    await step('download-ok', async () => {
        await openPool();
        // the test driver cannot download: the check is answered here as a real host would
        const probe = await page.route('**/api/pools/default/volumes/web-02.qcow2/content', {
            fulfill: { status: 206, contentType: 'application/octet-stream', body: 'x' }, times: 1,
        });
        await page.evaluate(() => {
            window.__vdHanded = [];
            HTMLAnchorElement.prototype.click = function click() { window.__vdHanded.push([this.href, this.download]); };
        });
        const row = page.locator('tr[data-name="web-02.qcow2"]');
        await row.getByRole('link', { name: /Download/ }).click();
        await page.waitForFunction(() => window.__vdHanded.length > 0, undefined, { timeout: TIMEOUT });
        const [[href, name]] = await page.evaluate(() => window.__vdHanded);
        assert.match(href, /\/api\/pools\/default\/volumes\/web-02\.qcow2\/content$/);
        assert.equal(name, 'web-02.qcow2');
        assert.equal(await page.getByText(/Could not download “web-02/).count(), 0, 'no error');
        await probe.remove();
    });
});
