// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/demo-features.test.mjs — what the README says `make run` shows, checked in
// the browser against `make run`'s own demo: packaging/run-demo.sh started as a user
// starts it (tests/lib/qemu-demo.mjs: a fresh DEMO_DIR, a free port, the login it
// prints), once for the whole file, with its private libvirtd and tiny QEMU VMs (TCG
// here). Through the UI only, by mouse and keyboard (libvirt and the pool's directory are
// read only to check what the UI did): the VM list with the demo's VMs in their states
// and CPU figures that move; demo-web's console showing its firmware's screen (noVNC's
// canvas drawn, and redrawn: the firmware retries its network boot every few seconds);
// its serial console showing the firmware's text; a file uploaded into pool `demo` as a
// new volume and downloaded back through the browser's own download, byte for byte; a
// volume attached to the shut-off demo-spare as a disk and detached again; a user-mode
// NIC attached to demo-spare and detached, the link of running demo-web's NIC set down and
// up (checked with `virsh domif-getlink`), and the Networks page showing demo-lan
// inactive with the reason and its Start disabled. It takes the
// README's screenshots (docs/, chromium only: the VM list, the console, the pool with
// the upload, and the list and a VM's page in Chinese). Ctrl-C ends the demo leaving
// no QEMU or libvirtd behind. In the browser VIRTDECK_BROWSER names (tests/lib/browser.mjs).
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { artifact, canvasInfo, login, newPage, publish, startBrowsers, withDaemonLog } from '../lib/browser.mjs';
import { DEMO_VMS, HAVE_QEMU, processesIn, startDemo, stopDemo } from '../lib/qemu-demo.mjs';
import { until } from '../lib/wait.mjs';

const TIMEOUT = 30000;
const UPLOAD_NAME = 'rescue.iso'; // in the README's picture; the demo's pool is removed with its directory
const UPLOAD_SIZE = 1536 * 1024;
const STATE_WORDS = { running: 'running', paused: 'paused', shutoff: 'shut off' };
const SCREEN = '.tab-panel-console .console-screen-vnc canvas';
const GRAPH_POINTS = 8; // in the list's graphs for the README's picture: 2 s apart
const skip = !HAVE_QEMU && 'no qemu-system-x86_64';

let dir;
let demo;
let ADMIN; // the login the demo printed
let listPage; // the first test's page, kept open so its graphs have a history for the README's pictures
let browser;
const browsers = skip ? null : startBrowsers('light');

/** virsh on the demo's private libvirtd (to check what the UI did). */
function demoVirsh(args) {
    const uri = `qemu+unix:///session?socket=${dir}/libvirtd/run/libvirt/libvirt-sock`;
    const r = spawnSync('virsh', ['-q', '-c', uri, ...args], { encoding: 'utf8', timeout: 15000 });
    assert.equal(r.status, 0, `virsh ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
}

before(async () => {
    if (skip) return;
    dir = mkdtempSync(path.join(os.tmpdir(), 'vdtest-demo-e2e-'));
    demo = await startDemo(dir);
    ADMIN = { name: 'admin', password: demo.password };
    browser = await browsers.get('light');
});

after(async () => {
    await listPage?.page.close().catch(() => {});
    await browsers?.close();
    if (demo) await stopDemo(demo);
    if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs body(page); a failure gets a screenshot and the demo's output. */
async function guarded(page, body) {
    try {
        await body(page);
    } catch (err) {
        await page.screenshot({ path: artifact(`demo-failure-${Date.now()}.png`) }).catch(() => {});
        throw withDaemonLog(demo, err);
    }
}

/** Runs body(page) on a fresh page logged in with the demo's printed login; no console problems. */
async function withPage(body) {
    const { page, problems } = await newPage(browser);
    try {
        await guarded(page, async () => {
            await login(page, demo, ADMIN, { timeout: TIMEOUT });
            await body(page);
            assert.deepEqual(problems, [], 'no console errors, page errors or CSP violations');
        });
    } finally {
        await page.close();
    }
}

const row = (page, name) => page.locator('.vm-table tbody tr').filter({ has: page.locator('a.vm-name', { hasText: name }) });

/** From the VM list, opens name's page by its link and chooses its tab (a data-tab). */
async function openVm(page, name, tab) {
    await row(page, name).locator('a.vm-name').click();
    await page.locator('#page-title', { hasText: name }).waitFor({ timeout: TIMEOUT });
    if (tab) {
        await page.locator(`[role="tab"][data-tab="${tab}"]`).click();
        await page.locator(`.tab-panel-${tab}`).waitFor();
    }
}

/** The sparkline's point count and the figure beside it, for name's row. */
function cpuReading(page, name) {
    return row(page, name).evaluate((tr) => ({
        text: tr.querySelector('.cpu-text').textContent,
        points: (tr.querySelector('.spark-line')?.getAttribute('d') || '').split(/[ML]/).filter((p) => p.trim()).length,
    }));
}

/** Waits until the running VMs' graphs have n points or more. */
async function sparklinesDrawn(page, n) {
    for (const name of ['demo-web', 'demo-db']) {
        await until(async () => (await cpuReading(page, name)).points >= n, TIMEOUT, () => `${name}'s CPU graph drawn`, { intervalMs: 250 });
    }
}

test('the VM list: the demo\'s VMs in their states, and CPU figures that move', { skip }, async (t) => {
    t.diagnostic(`the demo served after ${demo.startMs} ms`);
    listPage = await newPage(browser);
    await guarded(listPage.page, async (page) => {
        await login(page, demo, ADMIN, { timeout: TIMEOUT });
        await page.waitForFunction((n) => document.querySelectorAll('.vm-table tbody tr').length === n,
            Object.keys(DEMO_VMS).length, { timeout: TIMEOUT });
        for (const [name, state] of Object.entries(DEMO_VMS)) {
            const badge = (await row(page, name).locator('.badge').textContent()).trim();
            assert.ok(badge.startsWith(STATE_WORDS[state]), `${name}: "${badge}" is ${STATE_WORDS[state]}`);
        }
        // Two different readings of a running VM's CPU figure, and its graph growing.
        const seen = { 'demo-web': new Set(), 'demo-db': new Set() };
        const shown = () => JSON.stringify(Object.fromEntries(Object.entries(seen).map(([k, v]) => [k, [...v]])));
        let points = 0;
        await until(async () => {
            for (const name of Object.keys(seen)) {
                const r = await cpuReading(page, name);
                if (/\d/.test(r.text)) seen[name].add(r.text);
                if (name === 'demo-web') points = r.points;
            }
            return Object.values(seen).some((x) => x.size >= 2) && points >= 2;
        }, TIMEOUT, () => `CPU figures moving: ${shown()}, ${points} points`, { intervalMs: 250 });
        t.diagnostic(`CPU readings: ${shown()}`);
        assert.equal((await cpuReading(page, 'demo-spare')).points, 0, 'no graph for the shut-off VM');
    });
});

test('demo-web\'s console shows its screen, and its serial console its text', { skip }, async (t) => {
    await withPage(async (page) => {
        await openVm(page, 'demo-web', 'console');
        await page.locator('.tab-panel-console .console-state[data-state="connected"]').waitFor({ timeout: TIMEOUT });
        // The firmware's screen: drawn (not one colour), and redrawn as it retries its boot.
        const first = await until(async () => {
            const info = await canvasInfo(page, SCREEN);
            return info && info.colors >= 2 && info.minority > 0.002 ? info : null;
        }, TIMEOUT, () => 'the console canvas drawn', { intervalMs: 100 });
        t.diagnostic(`canvas ${first.w}x${first.h}, ${first.colors} colours, ${(first.minority * 100).toFixed(1)}% drawn`);
        const box = await page.locator(SCREEN).boundingBox();
        assert.ok(box && box.width > 300 && box.height > 150, `canvas box ${JSON.stringify(box)}`);
        // For the picture: a moment with several lines of the firmware's text.
        const full = await until(async () => {
            const info = await canvasInfo(page, SCREEN);
            return info && info.hash !== first.hash && info.minority > 0.01 ? info : null;
        }, TIMEOUT, () => 'the console redrawn with the firmware\'s text', { intervalMs: 100 });
        t.diagnostic(`redrawn: ${(full.minority * 100).toFixed(1)}% drawn`);
        const shot = artifact('demo-console.png');
        await page.screenshot({ path: shot });
        publish(shot, 'console-screenshot.png');

        await page.locator('[role="tab"][data-tab="serial"]').click();
        await page.locator('.tab-panel-serial .console-state[data-state="connected"]').waitFor({ timeout: TIMEOUT });
        await page.waitForFunction(() => /iPXE|SeaBIOS|net0|bootable/.test(document.querySelector('.tab-panel-serial .xterm-rows')?.textContent || ''),
            null, { timeout: TIMEOUT });
        const shown = await page.evaluate(() => document.querySelector('.tab-panel-serial .xterm-rows').textContent);
        t.diagnostic(`serial: ${shown.replace(/\s+/g, ' ').trim().slice(0, 120)}`);
        await page.screenshot({ path: artifact('demo-serial.png') });
    });
});

test('a file uploaded into pool demo downloads back byte for byte', { skip }, async () => {
    const file = path.join(dir, UPLOAD_NAME);
    const bytes = crypto.randomBytes(UPLOAD_SIZE);
    // an ISO 9660 primary volume descriptor where libvirt looks for one (sector 16), so
    // the pool lists the upload as the ISO image the form says it is
    Buffer.from('\x01CD001\x01', 'latin1').copy(bytes, 16 * 2048);
    writeFileSync(file, bytes);
    await withPage(async (page) => {
        await page.getByRole('link', { name: 'Storage', exact: true }).click();
        await page.locator('tr[data-name="demo"] a.res-name').click();
        await page.locator('#page-title', { hasText: 'demo' }).waitFor({ timeout: TIMEOUT });
        await page.locator('tr[data-name="scratch.img"]').waitFor({ timeout: TIMEOUT });
        await page.getByRole('button', { name: 'Upload', exact: true }).click();
        const form = page.locator('form[aria-labelledby="upload-title"]');
        await form.getByLabel('File').setInputFiles(file);
        assert.equal(await form.getByLabel('Volume name').inputValue(), UPLOAD_NAME);
        await form.getByRole('button', { name: 'Upload' }).click();
        await form.locator('.upload-text', { hasText: /done/ }).waitFor({ timeout: TIMEOUT });
        const vol = page.locator(`tr[data-name="${UPLOAD_NAME}"]`);
        await vol.waitFor({ timeout: TIMEOUT });
        assert.equal(await vol.locator('.badge-warn').count(), 0, 'not marked incomplete');
        assert.equal((await vol.locator('td').nth(1).textContent()).trim(), 'iso', 'listed in the format chosen');
        assert.ok(readFileSync(path.join(dir, 'pool', UPLOAD_NAME)).equals(bytes), 'the pool\'s file has the upload\'s bytes');
        // Only for the screenshot: the bar's 0.2 s width transition (see e2e/storage-network).
        await page.waitForTimeout(300);
        const shot = artifact('demo-storage.png');
        await page.screenshot({ path: shot, fullPage: true });
        publish(shot, 'storage-screenshot.png');

        await vol.getByRole('link', { name: `Download ${UPLOAD_NAME}` }).click();
        const got = await page.waitForDownload(UPLOAD_NAME, { timeout: TIMEOUT });
        assert.equal(got.length, bytes.length);
        assert.ok(got.equals(bytes), 'the download has the upload\'s bytes');
    });
});

test('a volume attached to demo-spare as a disk, then detached', { skip }, async () => {
    await withPage(async (page) => {
        await openVm(page, 'demo-spare', 'disks');
        const panel = page.locator('.tab-panel-disks');
        await panel.getByRole('button', { name: 'Attach disk' }).click();
        const form = page.locator('form[aria-labelledby="disk-form-title"]');
        await form.getByLabel('Storage pool').selectOption('demo');
        await page.waitForFunction(() => [...document.querySelectorAll('form[aria-labelledby="disk-form-title"] select option')]
            .some((o) => o.value === 'scratch.img'), null, { timeout: TIMEOUT });
        await form.getByLabel('Volume', { exact: true }).selectOption('scratch.img');
        await form.getByRole('button', { name: 'Attach', exact: true }).click();
        const disk = panel.locator('tbody tr').filter({ hasText: 'scratch.img' });
        await disk.waitFor({ timeout: TIMEOUT });
        const target = await disk.getAttribute('data-target');
        assert.match(target, /^vd[a-z]$/);
        assert.match(demoVirsh(['dumpxml', '--inactive', 'demo-spare']), /scratch\.img/, 'libvirt has the disk');

        await disk.getByRole('button', { name: /Detach/ }).click();
        const dialog = page.locator('dialog.dialog[open]');
        await dialog.waitFor();
        await dialog.getByRole('button', { name: 'Detach', exact: true }).click();
        await disk.waitFor({ state: 'detached', timeout: TIMEOUT });
        assert.doesNotMatch(demoVirsh(['dumpxml', '--inactive', 'demo-spare']), /scratch\.img/, 'libvirt no longer has it');
    });
});

test('user-mode NICs: one attached to demo-spare and detached, demo-web\'s link down and up; Networks shows demo-lan and why it cannot start', { skip }, async () => {
    const mac = '52:54:00:d0:00:51';
    const nav = (page) => page.getByRole('navigation', { name: 'Main' });
    await withPage(async (page) => {
        // demo-spare (shut off): the form offers user-mode networking first, the host having no active network
        await openVm(page, 'demo-spare', 'nics');
        const panel = page.locator('.tab-panel-nics');
        await panel.getByRole('button', { name: 'Attach interface' }).click();
        const form = page.locator('form[aria-labelledby="nic-form-title"]');
        const kind = form.getByLabel('Connect to');
        // the kind is the form's first select; it turns to user-mode once the networks are read
        await page.waitForFunction(() => document.querySelector('form[aria-labelledby="nic-form-title"] select')?.value === 'user',
            null, { timeout: TIMEOUT });
        assert.equal(await kind.inputValue(), 'user');
        assert.match(await kind.locator('option').first().textContent(), /^User-mode networking \(NAT by QEMU, no virtual network needed\)$/);
        assert.equal(await form.getByLabel('Network', { exact: true }).isVisible(), false, 'no network to choose');
        await form.getByLabel('MAC address').fill(mac);
        await form.getByRole('button', { name: 'Attach', exact: true }).click();
        const nic = panel.locator(`tbody tr[data-mac="${mac}"]`);
        await nic.waitFor({ timeout: TIMEOUT });
        assert.equal((await nic.locator('td').nth(1).textContent()).trim(), 'user-mode');
        const conf = demoVirsh(['dumpxml', '--inactive', 'demo-spare']);
        assert.match(conf, new RegExp(`<interface type='user'>\\s*<mac address='${mac}'/>`), 'libvirt has the user-mode NIC');
        await nic.getByRole('button', { name: /Detach/ }).click();
        const dialog = page.locator('dialog.dialog[open]');
        await dialog.waitFor();
        await dialog.getByRole('button', { name: 'Detach', exact: true }).click();
        await nic.waitFor({ state: 'detached', timeout: TIMEOUT });
        assert.doesNotMatch(demoVirsh(['dumpxml', '--inactive', 'demo-spare']), new RegExp(mac), 'libvirt no longer has it');

        // demo-web (running): its user-mode NIC's link down, then up again, in the running guest
        await nav(page).getByRole('link', { name: 'Virtual machines' }).click();
        await openVm(page, 'demo-web', 'nics');
        const web = page.locator('.tab-panel-nics tbody tr[data-mac]');
        await web.waitFor({ timeout: TIMEOUT });
        const webMac = await web.getAttribute('data-mac');
        assert.equal((await web.locator('td').nth(1).textContent()).trim(), 'user-mode');
        for (const [action, state] of [['link-down', 'down'], ['link-up', 'up']]) {
            await web.locator(`button[data-action="${action}"]`).click();
            await web.locator('.badge', { hasText: state }).waitFor({ timeout: TIMEOUT });
            assert.match(demoVirsh(['domif-getlink', 'demo-web', webMac]), new RegExp(`\\b${state}\\b`), `libvirt says ${state}`);
        }

        // Networks: demo-lan with its subnet, inactive; the page says why, and Start is disabled with that reason
        await nav(page).getByRole('link', { name: 'Networks' }).click();
        const net = page.locator('tr[data-name="demo-lan"]');
        await net.waitFor({ timeout: TIMEOUT });
        assert.match(await net.textContent(), /inactive/);
        assert.match(await net.textContent(), /\.1\/24/);
        const note = page.locator('#networks-session-note');
        await note.waitFor({ timeout: TIMEOUT });
        const why = 'This host’s libvirt runs unprivileged (session mode): it can define networks but not start them; VMs use user-mode networking.';
        assert.equal((await note.textContent()).trim(), why);
        const start = net.locator('button[data-action="start"]');
        assert.equal(await start.evaluate((b) => b.disabled), true, 'Start is disabled');
        assert.equal(await start.getAttribute('title'), why);
        assert.equal(await start.getAttribute('aria-describedby'), 'networks-session-note');
    });
});

test('the README\'s pictures: the VM list in English and in Chinese, a VM\'s page in Chinese', { skip }, async () => {
    assert.ok(listPage, 'the first test opened the list');
    await guarded(listPage.page, async (page) => {
        // The graphs have had the other tests' time to fill in a little.
        await sparklinesDrawn(page, GRAPH_POINTS);
        const list = artifact('demo-list.png');
        await page.screenshot({ path: list });
        publish(list, 'screenshot.png');
        await page.locator('.user-button').click();
        await page.locator('#user-menu-language').selectOption('zh-CN');
        await page.waitForFunction(() => document.documentElement.lang === 'zh-CN', null, { timeout: TIMEOUT });
        await page.keyboard.press('Escape');
        await page.locator('#user-menu-panel').waitFor({ state: 'hidden' });
        await page.evaluate(() => document.activeElement?.blur()); // no focus ring in the picture
        const zhList = artifact('demo-zh-CN-list.png');
        await page.screenshot({ path: zhList });
        publish(zhList, 'screenshot-zh-CN.png');
        await openVm(page, 'demo-web');
        await page.locator('.tab-panel-overview .props dd').first().waitFor({ timeout: TIMEOUT });
        const detail = artifact('demo-zh-CN-detail.png');
        await page.screenshot({ path: detail });
        publish(detail, 'detail-screenshot-zh-CN.png');
        assert.deepEqual(listPage.problems, [], 'no console errors, page errors or CSP violations');
    });
    await listPage.page.close();
    listPage = null;
});

test('Ctrl-C ends the demo and leaves no QEMU or libvirtd behind', { skip }, async () => {
    await stopDemo(demo);
    assert.deepEqual(processesIn(dir), []);
});
