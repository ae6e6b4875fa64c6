// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/console.test.mjs — the consoles in the browser against a REAL VM: a
// transient, diskless, NIC-less QEMU domain on qemu:///system (VNC on 127.0.0.1, VGA,
// network boot, a serial pty) whose firmware (SeaBIOS) draws a text screen and then
// waits. Covers: the console page connecting and showing that screen (pixels read from
// noVNC's canvas; screenshot to tests/e2e/artifacts/console.png; the README's comes from
// e2e/demo-features), Ctrl+Alt+Del from the key menu really reaching the VM
// (libvirt reports a guest reset and the screen is redrawn by the restarted firmware),
// focus handling (Ctrl+] leaves the display), the Type text dialog, the detail page's
// tabs (and none for a viewer), the serial console page (a paused VM with SeaBIOS on
// its serial port is resumed and its text appears), the CSSOM bridge xterm.js needs
// under the CSP, and the state line when the
// VM stops, and the console page in the dark theme. No console errors or CSP violations
// and no serious or critical axe-core violation on any page, tab, menu or dialog it
// opens. In the browser VIRTDECK_BROWSER names (tests/lib/browser.mjs). Always
// destroys its domain.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { artifact, canvasInfo, login, newPage, startBrowsers, withDaemonLog } from '../lib/browser.mjs';
import { SYSTEM_URI, domainType, ensureSystemLibvirtd, el, virsh } from '../lib/system-libvirtd.mjs';

const ADMIN = { name: 'admin', role: 'admin', password: crypto.randomBytes(12).toString('hex') };
const VIEWER = { name: 'watcher', role: 'viewer', password: crypto.randomBytes(12).toString('hex') };
const TIMEOUT = 30000; // TCG (no KVM) boots the firmware slower
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const name = `virtdeck-e2e-console-${crypto.randomBytes(4).toString('hex')}`;
const uuid = crypto.randomUUID();

/**
 * A test domain: no disk, no NIC; SeaBIOS finds nothing to boot and waits. vncPassword
 * sets the VNC server's password (VNC authentication).
 */
function domainXml(type, { domName = name, domUuid = uuid, vncPassword, useserial = false } = {}) {
    return el('domain', { type }, [
        el('name', {}, domName),
        el('uuid', {}, domUuid),
        el('memory', { unit: 'MiB' }, '256'),
        el('currentMemory', { unit: 'MiB' }, '256'),
        el('vcpu', {}, '1'),
        el('os', {}, [el('type', { arch: 'x86_64' }, 'hvm'), el('boot', { dev: 'network' }),
            ...(useserial ? [el('bios', { useserial: 'yes' })] : [])]),
        el('on_poweroff', {}, 'destroy'),
        el('on_reboot', {}, 'restart'),
        el('on_crash', {}, 'destroy'),
        el('devices', {}, [
            el('graphics', { type: 'vnc', autoport: 'yes', listen: '127.0.0.1', passwd: vncPassword },
                [el('listen', { type: 'address', address: '127.0.0.1' })]),
            el('video', {}, [el('model', { type: 'vga' })]),
            el('serial', { type: 'pty' }, [el('target', { port: '0' })]),
            el('console', { type: 'pty' }, [el('target', { type: 'serial', port: '0' })]),
        ]),
    ]).toString();
}

let daemon;
let browser;
const browsers = startBrowsers('light', 'dark');
let tmp;
let vmType;
let created = false;
const pwName = `${name}-pw`;
let pwCreated = false;
const serialName = `${name}-ser`;
const serialUuid = crypto.randomUUID();
let serialCreated = false;

before(async () => {
    await ensureSystemLibvirtd();
    vmType = domainType();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'virtdeck-console-'));
    const file = path.join(tmp, 'domain.xml');
    writeFileSync(file, domainXml(vmType));
    const r = virsh(['create', file], { timeoutMs: 30000 });
    assert.ok(r.ok, `virsh create failed (exit ${r.status}): ${r.stderr}`);
    created = true;
    daemon = await startDaemon({ uri: SYSTEM_URI, users: [ADMIN, VIEWER] });
    browser = await browsers.get('light');
});

after(async () => {
    if (created) virsh(['destroy', name]); // transient: destroying removes it; fine if gone
    if (pwCreated) virsh(['destroy', pwName]);
    if (serialCreated) virsh(['destroy', serialName]);
    await browsers.close();
    if (daemon) await daemon.stop({ expectCode: null });
    if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Runs body(page) with a fresh logged-in page (of inBrowser); checks for console problems at the end. */
async function withPage(user, body, viewport, inBrowser = browser) {
    const { page, problems } = await newPage(inBrowser, { viewport });
    try {
        await login(page, daemon, user, { timeout: TIMEOUT });
        await body(page);
        assert.deepEqual(problems, [], 'no console errors, page errors or CSP violations');
    } catch (err) {
        await page.screenshot({ path: artifact(`console-failure-${Date.now()}.png`) }).catch(() => {});
        throw withDaemonLog(daemon, err);
    } finally {
        await page.close();
    }
}

/**
 * Waits until the canvas shows something (2+ colours) and has settled: over the last
 * quietMs it showed at most two frames (the text-mode cursor blinks). Resolves with the
 * last info plus `frames`, the set of those hashes.
 */
async function waitForStableScreen(page, quietMs, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    const start = Date.now();
    const samples = []; // [{at, hash}]
    let last;
    for (;;) {
        const info = await canvasInfo(page);
        const now = Date.now();
        last = info;
        samples.push({ at: now, hash: info && info.colors >= 2 ? info.hash : null });
        while (samples.length && samples[0].at < now - quietMs) samples.shift();
        const frames = new Set(samples.map((x) => x.hash));
        if (now - start >= quietMs && !frames.has(null) && frames.size <= 2 && samples[0].at <= now - quietMs + 200) {
            return { ...info, frames };
        }
        if (now > deadline) throw new Error(`the VM's screen did not settle: ${JSON.stringify(last)}, ${frames.size} frames`);
        await sleep(100);
    }
}

function stateLine(page) {
    return page.locator('.console-state');
}

async function openConsolePage(page) {
    await page.goto(`${daemon.url}/#/domains/${uuid}/console`);
    await page.locator('.console-state[data-state="connected"]').waitFor({ timeout: TIMEOUT });
    assert.match(await stateLine(page).textContent(), /^Connected/);
}

test('the console page connects and shows the VM\'s firmware screen', async (t) => {
    t.diagnostic(`domain ${name} (${uuid}), type ${vmType}`);
    await withPage(ADMIN, async (page) => {
        await openConsolePage(page);
        assert.match(await page.locator('#page-title').textContent(), new RegExp(`Console: ${name}`));
        const info = await waitForStableScreen(page, 2500, TIMEOUT);
        t.diagnostic(`canvas ${info.w}x${info.h}, ${info.colors} colours, ${(info.minority * 100).toFixed(1)}% not background`);
        assert.ok(info.colors >= 2, 'the screen is not a single colour');
        assert.ok(info.minority > 0.002, `enough of the screen is drawn (${info.minority})`);
        // Shown scaled to fit: the canvas is displayed, not 0x0.
        const box = await page.locator('.console-screen-vnc canvas').boundingBox();
        assert.ok(box && box.width > 300 && box.height > 150, `canvas box ${JSON.stringify(box)}`);

        await page.screenshot({ path: artifact('console.png') });
        await page.checkA11y('the console page');

        // 1:1 and back: the toggle is a pressed/unpressed button.
        const fit = page.getByRole('button', { name: 'Fit to window' });
        assert.equal(await fit.getAttribute('aria-pressed'), 'true');
        await fit.click();
        assert.equal(await fit.getAttribute('aria-pressed'), 'false');
        await page.waitForFunction(() => {
            const c = document.querySelector('.console-screen-vnc canvas');
            return c && Math.round(c.getBoundingClientRect().width) === c.width;
        }, null, { timeout: 5000 });
        await fit.click();
        assert.equal(await fit.getAttribute('aria-pressed'), 'true');
    });
});

test('the console page in the dark theme: the display and its controls stay readable', async () => {
    await withPage(ADMIN, async (page) => {
        await openConsolePage(page);
        await waitForStableScreen(page, 2500, TIMEOUT);
        await page.screenshot({ path: artifact('console-dark.png') });
        await page.checkA11y('the console page (dark)');
    }, undefined, await browsers.get('dark'));
});

test('Ctrl+Alt+Del from the key menu reaches the VM: the firmware resets', async (t) => {
    await withPage(ADMIN, async (page) => {
        await openConsolePage(page);
        // The firmware has finished drawing and waits ("No bootable device").
        const before = await waitForStableScreen(page, 2500, TIMEOUT);
        // libvirt's own record of guest resets, independent of virtdeck.
        const watcher = spawn('virsh', ['-c', SYSTEM_URI, 'event', '--domain', name, '--event', 'reboot', '--loop'],
            { stdio: ['ignore', 'pipe', 'pipe'] });
        let events = '';
        watcher.stdout.on('data', (b) => { events += b; });
        try {
            await sleep(1500); // subscribed; and nothing resets by itself meanwhile
            assert.equal(events, '', 'no reset before the keys are sent');
            assert.ok(before.frames.has((await canvasInfo(page)).hash), 'the screen is still idle');

            const t0 = Date.now();
            const menuButton = page.getByRole('button', { name: 'Send keys' });
            await menuButton.click();
            assert.equal(await menuButton.getAttribute('aria-expanded'), 'true');
            await page.checkA11y('the Send keys menu');
            await page.getByRole('menuitem', { name: 'Ctrl+Alt+Del' }).click();
            assert.equal(await menuButton.getAttribute('aria-expanded'), 'false');
            await page.locator('#toasts').getByText('Sent Ctrl+Alt+Del').waitFor({ timeout: 5000 });
            // Focus went back to the display so typing keeps reaching the VM.
            await page.waitForFunction(() => document.activeElement?.tagName === 'CANVAS', null, { timeout: 5000 });

            let changedAt = null;
            let resetAt = null;
            const hashes = new Set(before.frames);
            while (Date.now() - t0 < 20000 && (resetAt === null || (changedAt === null && Date.now() - t0 < resetAt + 3000))) {
                const info = await canvasInfo(page);
                if (info && !before.frames.has(info.hash) && changedAt === null) changedAt = Date.now() - t0;
                if (info) hashes.add(info.hash);
                if (resetAt === null && /event 'reboot' for domain/.test(events)) resetAt = Date.now() - t0;
                await sleep(50);
            }
            t.diagnostic(`after Ctrl+Alt+Del: libvirt reboot event at +${resetAt} ms, screen changed at +${changedAt} ms ` +
                `(${hashes.size} distinct frames)`);
            assert.ok(resetAt !== null, `libvirt reported no guest reset within 20 s (virsh event: ${JSON.stringify(events)})`);
            // The reset itself is libvirt's event above. The screen in between is not
            // asserted: the firmware redraws the same text within a frame or two, and
            // QEMU's VNC server sends only the latest state at each update request, so
            // on a busy machine the blank frames can fall between two of the browser's
            // requests (CI saw the reset with no distinct frame). The firmware starts
            // over and settles on its screen again; the console stays connected.
            const after = await waitForStableScreen(page, 2500, TIMEOUT);
            assert.ok(after.colors >= 2 && after.minority > 0.002, 'the firmware screen is drawn again after the reset');
            assert.equal(await stateLine(page).getAttribute('data-state'), 'connected');
        } finally {
            watcher.kill();
        }
    });
});

test('keyboard: the display takes focus on click, Ctrl+] leaves it, Type text is a labelled dialog', async () => {
    await withPage(ADMIN, async (page) => {
        await openConsolePage(page);
        const canvas = page.locator('.console-screen-vnc canvas');
        await canvas.click();
        assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'CANVAS');
        await page.keyboard.press('Control+BracketRight');
        const focused = await page.evaluate(() => {
            const a = document.activeElement;
            return a && a.closest('.console-actions') ? a.textContent.trim() : a?.tagName;
        });
        assert.equal(focused, 'Send keys', 'focus moved to the first console control');
        // ...and Tab from the last control of the bar goes back into the display.
        await page.getByRole('button', { name: 'Full screen' }).focus();
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'CANVAS');

        await page.getByRole('button', { name: 'Type text' }).click();
        const dialog = page.getByRole('dialog', { name: 'Type text into the VM' });
        await dialog.waitFor();
        await page.checkA11y('the Type text dialog');
        await page.keyboard.type('echo ok');
        assert.equal(await dialog.getByLabel('Text').inputValue(), 'echo ok', 'the text box has focus');
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });
        // Focus goes back to the display, so keys reach the VM again.
        await page.waitForFunction(() => document.activeElement?.tagName === 'CANVAS', null, { timeout: 5000 });

        await page.getByRole('button', { name: 'Type text' }).click();
        await page.keyboard.type('ls');
        await dialog.getByRole('button', { name: 'Type' }).click();
        await page.locator('#toasts').getByText('Typed 2 characters.').waitFor({ timeout: 5000 });
    });
});

test('a VNC password is asked for in a dialog; a wrong one is reported, the right one connects', async (t) => {
    const pwUuid = crypto.randomUUID();
    const secret = crypto.randomBytes(4).toString('hex'); // VNC uses at most 8 characters
    const file = path.join(tmp, 'domain-pw.xml');
    writeFileSync(file, domainXml(vmType, { domName: pwName, domUuid: pwUuid, vncPassword: secret }));
    const r = virsh(['create', file], { timeoutMs: 30000 });
    assert.ok(r.ok, `virsh create (password) failed: ${r.stderr}`);
    pwCreated = true;
    try {
        await withPage(ADMIN, async (page) => {
            await page.goto(`${daemon.url}/#/domains/${pwUuid}/console`);
            const dialog = page.getByRole('dialog', { name: 'VNC password' });
            await dialog.waitFor({ timeout: TIMEOUT });
            const field = dialog.getByLabel('Password');
            assert.equal(await page.evaluate(() => document.activeElement?.type), 'password', 'the password field has focus');
            await page.checkA11y('the VNC password dialog');
            await field.fill('wrong');
            await dialog.getByRole('button', { name: 'Connect' }).click();
            await page.locator('.console-state[data-state="disconnected"]').waitFor({ timeout: TIMEOUT });
            const failed = (await stateLine(page).textContent()).trim();
            t.diagnostic(`wrong password: ${failed}`);
            assert.match(failed, /VNC authentication failed/);
            await page.checkA11y('the console after a failed VNC login');

            await page.getByRole('button', { name: 'Reconnect' }).click();
            await dialog.waitFor({ timeout: TIMEOUT });
            await field.fill(secret);
            await page.keyboard.press('Enter');
            await page.locator('.console-state[data-state="connected"]').waitFor({ timeout: TIMEOUT });
            const info = await waitForStableScreen(page, 2500, TIMEOUT);
            assert.ok(info.colors >= 2, 'the display shows the firmware screen after authenticating');
            assert.equal(await page.locator('dialog input[type="password"]').inputValue(), '',
                'the password is not kept in the form');
        });
    } finally {
        virsh(['destroy', pwName]);
        pwCreated = false;
    }
});

test('the detail page has Console and Serial console tabs for an admin, none for a viewer', async () => {
    await withPage(ADMIN, async (page) => {
        await page.goto(`${daemon.url}/#/domains/${uuid}`);
        const consoleTab = page.getByRole('tab', { name: 'Console', exact: true });
        await consoleTab.waitFor({ timeout: TIMEOUT });
        assert.equal(await page.getByRole('tab', { name: 'Overview' }).getAttribute('aria-selected'), 'true');
        assert.equal(await page.locator('.console').count(), 0, 'no console before its tab is chosen');
        await page.checkA11y('the VM detail page with tabs (Overview)');
        await consoleTab.click();
        assert.equal(await consoleTab.getAttribute('aria-selected'), 'true');
        await page.locator('.tab-panel-console .console-state[data-state="connected"]').waitFor({ timeout: TIMEOUT });
        const link = page.getByRole('link', { name: /Open in new tab/ });
        assert.equal(await link.getAttribute('href'), `#/domains/${uuid}/console`);
        assert.equal(await link.getAttribute('target'), '_blank');
        await page.checkA11y('the Console tab');
        // Leaving the tab closes the connection.
        await page.getByRole('tab', { name: 'Overview' }).click();
        await page.locator('.tab-panel-console .console-state[data-state="idle"]').waitFor({ state: 'attached', timeout: 5000 });
        await page.screenshot({ path: artifact('detail-tabs.png') });
        await page.getByRole('tab', { name: 'Serial console' }).click();
        await page.locator('.tab-panel-serial .console-state[data-state="connected"]').waitFor({ timeout: TIMEOUT });
        await page.checkA11y('the Serial console tab');
        await page.getByRole('tab', { name: 'Overview' }).click();
    });
    await withPage(VIEWER, async (page) => {
        await page.goto(`${daemon.url}/#/domains/${uuid}`);
        await page.locator('#page-title').filter({ hasText: name }).waitFor({ timeout: TIMEOUT });
        assert.equal(await page.getByRole('tab').count(), 0, 'a viewer gets no console tabs');
        await page.goto(`${daemon.url}/#/domains/${uuid}/console`);
        await page.getByText(/not use their consoles/).waitFor({ timeout: TIMEOUT });
        await page.checkA11y('the console page refused to a viewer');
    });
});

test('the serial console page shows the firmware\'s text and takes keys', async (t) => {
    // A VM whose firmware writes to its serial port, created paused so that its text
    // is printed only once the page is connected.
    const file = path.join(tmp, 'serial.xml');
    writeFileSync(file, domainXml(vmType, { domName: serialName, domUuid: serialUuid, useserial: true }));
    const r = virsh(['create', '--paused', file], { timeoutMs: 30000 });
    assert.ok(r.ok, `virsh create failed (exit ${r.status}): ${r.stderr}`);
    serialCreated = true;
    await withPage(ADMIN, async (page) => {
        await page.goto(`${daemon.url}/#/domains/${serialUuid}/serial`);
        await page.locator('.console-serial .xterm').waitFor({ timeout: TIMEOUT });
        const state = page.locator('.console-serial .console-state');
        await page.waitForFunction(() => {
            const s = document.querySelector('.console-serial .console-state');
            return s && s.dataset.state === 'connected';
        }, null, { timeout: TIMEOUT });
        const resumed = virsh(['resume', serialName]);
        assert.ok(resumed.ok, `virsh resume: ${resumed.stderr}`);
        await page.waitForFunction(() => /SeaBIOS/.test(document.querySelector('.console-serial .xterm-rows')?.textContent || ''),
            null, { timeout: TIMEOUT });
        const shown = await page.evaluate(() => document.querySelector('.console-serial .xterm-rows').textContent);
        t.diagnostic(`serial view: ${shown.replace(/\s+/g, ' ').trim().slice(0, 160)}`);
        // Keys go out without an error (there is no OS to answer them).
        await page.locator('.console-serial .xterm').click();
        await page.keyboard.type('\r');
        await sleep(500); // "nothing goes wrong within 500 ms": no event says the key arrived
        assert.equal(await state.getAttribute('data-state'), 'connected');
        // xterm.js styled itself through the CSSOM bridge, not through <style> elements.
        const styles = await page.evaluate(() => ({
            real: document.querySelectorAll('style').length,
            bridged: document.querySelectorAll('virtdeck-style').length,
            adopted: document.adoptedStyleSheets.length,
            // xterm.js's theme rules (a <style> of its own) give the rows their colour.
            rowsColor: getComputedStyle(document.querySelector('.console-serial .xterm-rows')).color,
        }));
        t.diagnostic(`styles: ${JSON.stringify(styles)}`);
        assert.equal(styles.real, 0);
        assert.ok(styles.bridged >= 1 && styles.adopted >= 1, JSON.stringify(styles));
        assert.equal(styles.rowsColor, 'rgb(230, 237, 243)', 'the terminal theme applies');
        // A style attribute set from script lands through CSSOM, with no CSP violation.
        const color = await page.evaluate(() => {
            const span = document.createElement('span');
            span.setAttribute('style', 'color: rgb(1, 2, 3)');
            document.body.append(span);
            const c = getComputedStyle(span).color;
            span.remove();
            return c;
        });
        assert.equal(color, 'rgb(1, 2, 3)');
        await page.screenshot({ path: artifact('serial.png') });
        await page.checkA11y('the serial console page');
    });
});

test('when the VM stops, the console says so', async () => {
    await withPage(ADMIN, async (page) => {
        await openConsolePage(page);
        const r = virsh(['destroy', name]);
        assert.ok(r.ok, `virsh destroy: ${r.stderr}`);
        created = false;
        await page.locator('.console-state[data-state="disconnected"]').waitFor({ timeout: TIMEOUT });
        const text = (await stateLine(page).textContent()).trim();
        assert.match(text, /^Disconnected: \S/);
        assert.doesNotMatch(text, /refused|lost/, `the VM's side closed, not the network: ${text}`);
        await page.getByText('This virtual machine no longer exists on the host.').waitFor({ timeout: TIMEOUT });
        await page.screenshot({ path: artifact('console-stopped.png') });
        await page.checkA11y('the console of a VM that stopped');
    });
});
