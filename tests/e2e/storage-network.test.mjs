// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/storage-network.test.mjs — the Networks and Storage pages and the VM page's
// Disks tab in the browser against the REAL libvirtd (qemu:///system; the test driver
// cannot upload). An admin: creates a NAT network from the form on a free private /24
// (a DHCP range outside the subnet is refused in the form first, and nothing reaches
// libvirt), creates a dir pool in a temporary directory, uploads a generated ISO with
// the progress bar reaching 100 % (the bytes on disk are compared), attaches it as a
// CD-ROM to a stopped, diskless VM from its Disks tab (checked in `virsh dumpxml`) and
// ejects it again. Names in Chinese survive the whole way: a file named
// 中文系统安装盘.iso is uploaded under that name (the list shows it exactly, the bytes on
// disk are the file's), downloaded from its link (Content-Disposition's filename*
// decodes to the name, the bytes are the upload's) and attached as a CD-ROM (the Disks
// tab and `virsh dumpxml` name it); the VM gets the title 中文标题 and a multi-line
// Chinese description from its Title and description card (shown on its page, as the
// list's tooltip, in `virsh dumpxml` and after a reload). The phone width keeps the
// pages usable; no console errors or CSP violations, and no serious or critical
// axe-core violation on any page, form or dialog.
// In the browser VIRTDECK_BROWSER names (tests/lib/browser.mjs).
// Screenshots: tests/e2e/artifacts/{networks,storage,upload,vm-disks,vm-chinese-title}.png.
// Everything it creates ("vdtest-" names, the temporary directory) is removed in after().
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { artifact, startBrowsers, login, newPage, withDaemonLog } from '../lib/browser.mjs';
import { SYSTEM_URI, ensureSystemLibvirtd, testDomainXml, virsh } from '../lib/system-libvirtd.mjs';
import { parseIPv4, ipv4InSubnet } from '../../web/js/ipaddr.js';

const ADMIN = { name: 'admin', role: 'admin', password: crypto.randomBytes(12).toString('hex') };
const VIEWER = { name: 'watcher', role: 'viewer', password: crypto.randomBytes(12).toString('hex') };
const TIMEOUT = 30000;
const tag = crypto.randomBytes(3).toString('hex');
const NET = `vdtest-net-${tag}`;
const POOL = `vdtest-pool-${tag}`;
const VM = `vdtest-vm-${tag}`;
const VM_UUID = crypto.randomUUID();
const ISO_NAME = `vdtest-cd-${tag}.iso`;
const ISO_SIZE = 4 * 1024 * 1024;
// Names in any script: the upload keeps the file's name, the VM gets a Chinese title.
const ZH_ISO = '中文系统安装盘.iso';
const ZH_ISO_SIZE = 256 * 1024;
const ZH_TITLE = '中文标题';
const ZH_DESCRIPTION = '第一行：测试用的虚拟机\n第二行：请勿删除（“引号”与，标点）';

let daemon;
let browser;
const browsers = startBrowsers('light');
let page;
let tmp;
let poolDir;
let isoPath;
let zhIsoPath;
let zhIso; // its bytes
let subnet; // third octet of the free 192.168.x.0/24
let problems = [];

/** Every IPv4 subnet in use on the host: interface addresses and libvirt networks. */
function usedSubnets() {
    const used = [];
    const r = spawnSync('ip', ['-4', '-o', 'addr'], { encoding: 'utf8' });
    for (const m of (r.stdout || '').matchAll(/inet (\d+\.\d+\.\d+\.\d+)\/(\d+)/g)) used.push([parseIPv4(m[1]), Number(m[2])]);
    const names = virsh(['net-list', '--all', '--name']).stdout.split('\n').map((s) => s.trim()).filter(Boolean);
    for (const n of names) {
        const xml = virsh(['net-dumpxml', n]).stdout;
        for (const m of xml.matchAll(/<ip\b[^>]*address=['"](\d+\.\d+\.\d+\.\d+)['"][^>]*>/g)) {
            const pm = /prefix=['"](\d+)['"]/.exec(m[0]);
            const nm = /netmask=['"]([\d.]+)['"]/.exec(m[0]);
            let prefix = pm ? Number(pm[1]) : 24;
            if (nm) prefix = (parseIPv4(nm[1]) >>> 0).toString(2).replace(/0+$/, '').length;
            used.push([parseIPv4(m[1]), prefix]);
        }
    }
    return used;
}

function freeSubnet() {
    const used = usedSubnets();
    for (let x = 200; x < 255; x++) {
        const net = parseIPv4(`192.168.${x}.0`);
        if (!used.some(([a, p]) => ipv4InSubnet(net, a, Math.min(p, 24)))) return x;
    }
    throw new Error('no free 192.168.x.0/24 on this host');
}

/** A file of size bytes that starts like an ISO 9660 image (volume descriptors at 32 KiB), rest random. */
function makeIso(file, size = ISO_SIZE) {
    const buf = crypto.randomBytes(size);
    buf.fill(0, 0, 32768);
    const pvd = Buffer.alloc(2048);
    pvd[0] = 1;
    pvd.write('CD001', 1, 'ascii');
    pvd[6] = 1;
    pvd.write('VDTEST'.padEnd(32, ' '), 40, 'ascii');
    pvd.copy(buf, 32768);
    const term = Buffer.alloc(2048);
    term[0] = 255;
    term.write('CD001', 1, 'ascii');
    term[6] = 1;
    term.copy(buf, 34816);
    writeFileSync(file, buf);
    return buf;
}

before(async () => {
    await ensureSystemLibvirtd();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'vdtest-ui-'));
    poolDir = path.join(tmp, 'pool');
    isoPath = path.join(tmp, ISO_NAME);
    makeIso(isoPath);
    zhIsoPath = path.join(tmp, ZH_ISO);
    zhIso = makeIso(zhIsoPath, ZH_ISO_SIZE);
    subnet = freeSubnet();
    const xmlFile = path.join(tmp, 'vm.xml');
    writeFileSync(xmlFile, testDomainXml({ name: VM, uuid: VM_UUID, memoryMiB: 128 }));
    const r = virsh(['define', xmlFile]);
    assert.ok(r.ok, `virsh define: ${r.stderr}`);
    daemon = await startDaemon({ uri: SYSTEM_URI, users: [ADMIN, VIEWER], config: { pool_roots: tmp } });
    browser = await browsers.get('light');
    ({ page, problems } = await newPage(browser, { viewport: { width: 1280, height: 900 } }));
    await login(page, daemon, ADMIN, { timeout: TIMEOUT });
});

after(async () => {
    if (page) await page.close().catch(() => {});
    await browsers.close();
    if (daemon) await daemon.stop({ expectCode: null }).catch(() => {});
    // Remove whatever exists, whether the UI made it or not.
    virsh(['destroy', VM]);
    virsh(['undefine', VM]);
    virsh(['net-destroy', NET]);
    virsh(['net-undefine', NET]);
    virsh(['pool-destroy', POOL]);
    virsh(['pool-undefine', POOL]);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Adds the daemon's last log lines and a screenshot to a failure. */
async function failWith(err, name) {
    await page.screenshot({ path: artifact(`storage-network-failure-${name}.png`), fullPage: true }).catch(() => {});
    return withDaemonLog(daemon, err);
}

async function step(name, body) {
    try {
        await body();
    } catch (err) {
        throw await failWith(err, name);
    }
}

test('the main navigation leads to Networks and Storage', async () => {
    await step('nav', async () => {
        const nav = page.getByRole('navigation', { name: 'Main' });
        await nav.getByRole('link', { name: 'Networks' }).click();
        await page.locator('#page-title', { hasText: 'Virtual networks' }).waitFor({ timeout: TIMEOUT });
        assert.equal(await nav.getByRole('link', { name: 'Networks' }).getAttribute('aria-current'), 'page');
        await page.checkA11y('the networks page');
        await nav.getByRole('link', { name: 'Storage' }).click();
        await page.locator('#page-title', { hasText: 'Storage pools' }).waitFor({ timeout: TIMEOUT });
        assert.equal(await nav.getByRole('link', { name: 'Networks' }).getAttribute('aria-current'), null);
        await page.checkA11y('the storage page');
    });
});

test('create a NAT network from the form (bad DHCP range refused first)', async () => {
    await step('network', async () => {
        const base = `192.168.${subnet}`;
        await page.goto(`${daemon.url}/#/networks`);
        await page.getByRole('button', { name: 'Create network' }).click();
        const form = page.locator('form[aria-labelledby="net-form-title"]');
        await form.getByLabel('Name', { exact: true }).fill(NET);
        await form.getByLabel('Mode').selectOption('nat');
        await form.getByLabel('Host address').first().fill(`${base}.1`);
        await form.getByLabel('Prefix length').first().fill('24');
        await form.getByLabel('DHCP range start').first().fill(`${base}.100`);
        await form.getByLabel('DHCP range end').first().fill(`192.168.${subnet === 254 ? 253 : subnet + 1}.20`);
        await form.getByLabel('DNS domain (optional)').fill('vdtest.lan');
        await form.getByRole('button', { name: 'Create network' }).click();
        const endErr = form.locator('.field-error', { hasText: /outside/ });
        await endErr.waitFor({ timeout: 5000 });
        assert.equal(await form.getByLabel('DHCP range end').first().getAttribute('aria-invalid'), 'true');
        assert.equal(virsh(['net-info', NET]).ok, false, 'nothing reached libvirt');
        await page.checkA11y('the network form with an error');

        await form.getByLabel('DHCP range end').first().fill(`${base}.200`);
        await form.getByRole('button', { name: 'Add static host' }).click();
        await form.getByLabel('MAC address').fill('52:54:00:0d:0e:0f');
        await form.getByLabel('IPv4 address').fill(`${base}.50`);
        await form.getByLabel('Host name (optional)').fill('fixed');
        await page.checkA11y('the network form with a static host');
        await form.getByRole('button', { name: 'Create network' }).click();
        const row = page.locator(`tr[data-name="${NET}"]`);
        await row.waitFor({ timeout: TIMEOUT });
        assert.equal(await form.isVisible(), false, 'the form closes');
        await row.locator('.badge', { hasText: 'active' }).waitFor({ timeout: TIMEOUT });
        assert.match(await row.innerText(), new RegExp(`${base}\\.1/24`));
        assert.match(await row.innerText(), new RegExp(`DHCP ${base}\\.100 . ${base}\\.200`));

        const xml = virsh(['net-dumpxml', NET]).stdout;
        assert.match(xml, /<forward mode=['"]nat['"]/);
        assert.match(xml, new RegExp(`<ip\\b[^>]*address=['"]${base}\\.1['"][^>]*prefix=['"]24['"]`));
        assert.match(xml, new RegExp(`<range start=['"]${base}\\.100['"] end=['"]${base}\\.200['"]`));
        assert.match(xml, new RegExp(`<host mac=['"]52:54:00:0d:0e:0f['"] name=['"]fixed['"] ip=['"]${base}\\.50['"]`));
        assert.match(xml, /<domain name=['"]vdtest\.lan['"]/);

        // Autostart was ticked by default; the toggle turns it off for real.
        const auto = row.getByRole('checkbox', { name: `Start ${NET} when the host boots` });
        assert.equal(await auto.isChecked(), true);
        await auto.uncheck();
        await page.waitForFunction((n) => {
            const box = document.querySelector(`tr[data-name="${n}"] input[data-autostart]`);
            return box && !box.checked && !box.disabled;
        }, NET, { timeout: TIMEOUT });
        assert.match(virsh(['net-info', NET]).stdout, /Autostart:\s+no/);
        await page.screenshot({ path: artifact('networks.png'), fullPage: true });
        await page.checkA11y('the networks page with a network');
    });
});

test('the networks page follows changes made elsewhere, without a reload', async () => {
    await step('network-live', async () => {
        const badge = (text) => page.locator(`tr[data-name="${NET}"] .badge`, { hasText: new RegExp(`^${text}$`) });
        assert.ok(virsh(['net-destroy', NET]).ok, 'virsh net-destroy');
        // the page never polls: only the events websocket can bring this in
        await badge('inactive').waitFor({ timeout: 5000 });
        assert.ok(virsh(['net-start', NET]).ok, 'virsh net-start');
        await badge('active').waitFor({ timeout: 5000 });
    });
});

test('create a dir pool from the form', async () => {
    await step('pool', async () => {
        await page.goto(`${daemon.url}/#/storage`);
        await page.getByRole('button', { name: 'Create pool' }).click();
        const form = page.locator('form[aria-labelledby="pool-form-title"]');
        await form.getByLabel('Type').selectOption('dir');
        assert.equal(await form.getByLabel('Server').isVisible(), false, 'only the dir fields show');
        await form.getByLabel('Type').selectOption('netfs');
        assert.equal(await form.getByLabel('Server').isVisible(), true);
        await form.getByLabel('Type').selectOption('dir');
        await form.getByLabel('Name', { exact: true }).fill(POOL);
        await form.getByLabel('Target path').fill(poolDir);
        // a dir pool's build only creates the missing directory, so it starts ticked
        const build = form.getByRole('checkbox', { name: /^Create the directory/ });
        assert.equal(await build.isChecked(), true);
        await page.checkA11y('the pool form');
        await form.getByRole('button', { name: 'Create pool' }).click();
        const row = page.locator(`tr[data-name="${POOL}"]`);
        await row.waitFor({ timeout: TIMEOUT });
        await row.locator('.badge', { hasText: 'active' }).waitFor({ timeout: TIMEOUT });
        const meter = row.locator('meter');
        assert.match(await meter.getAttribute('aria-label'), new RegExp(`Usage of ${POOL}: .* used`));
        const xml = virsh(['pool-dumpxml', POOL]).stdout;
        assert.match(xml, /<pool type=['"]dir['"]/);
        assert.ok(xml.includes(`<path>${poolDir}</path>`), xml);
        await page.screenshot({ path: artifact('storage.png'), fullPage: true });
        await page.checkA11y('the storage page with a pool');
    });
});

test('upload an ISO with a progress bar that reaches 100 %', async () => {
    await step('upload', async () => {
        await page.locator(`tr[data-name="${POOL}"] a.res-name`).click();
        await page.locator('#page-title', { hasText: POOL }).waitFor({ timeout: TIMEOUT });
        await page.checkA11y('the pool volumes page');
        await page.getByRole('button', { name: 'Upload', exact: true }).click();
        const form = page.locator('form[aria-labelledby="upload-title"]');
        await form.getByLabel('File').setInputFiles(isoPath);
        assert.equal(await form.getByLabel('Volume name').inputValue(), ISO_NAME, 'named after the file');
        assert.equal(await form.getByLabel('Format').inputValue(), 'iso');
        await page.checkA11y('the upload form');
        await form.getByRole('button', { name: 'Upload' }).click();
        const bar = form.locator('progress.upload-progress');
        await bar.waitFor({ state: 'visible', timeout: TIMEOUT });
        await form.locator('.upload-text', { hasText: /done/ }).waitFor({ timeout: TIMEOUT });
        assert.equal(await bar.evaluate((b) => b.value), 100);
        assert.match(await form.locator('.upload-text').innerText(), /4 MiB of 4 MiB \(100%\)/);
        // Only for the screenshot: the bar's 0.2 s width transition runs in the progress
        // element's own shadow tree, which getAnimations() does not show, so it gets 300 ms.
        await page.waitForTimeout(300);
        await page.screenshot({ path: artifact('upload.png'), fullPage: true });
        const row = page.locator(`tr[data-name="${ISO_NAME}"]`);
        await row.waitFor({ timeout: TIMEOUT });
        assert.equal(await row.locator('.badge-warn').count(), 0, 'not marked incomplete');
        assert.match(await row.innerText(), /4 MiB/);
        const stored = readFileSync(path.join(poolDir, ISO_NAME));
        assert.ok(stored.equals(readFileSync(isoPath)), 'the bytes on disk are the file\u2019s');
        await page.checkA11y('the pool volumes page after an upload');
        const href = await row.getByRole('link', { name: `Download ${ISO_NAME}` }).getAttribute('href');
        assert.equal(href, `/api/pools/${POOL}/volumes/${ISO_NAME}/content`);
    });
});

test('a Chinese ISO name survives the upload, the list and the download', async () => {
    await step('zh-upload', async () => {
        // The pool's page afresh (the last upload's panel is still open).
        await page.goto(`${daemon.url}/#/storage`);
        await page.locator(`tr[data-name="${POOL}"] a.res-name`).click();
        await page.locator('#page-title', { hasText: POOL }).waitFor({ timeout: TIMEOUT });
        await page.getByRole('button', { name: 'Upload', exact: true }).click();
        const form = page.locator('form[aria-labelledby="upload-title"]');
        await form.getByLabel('File').setInputFiles(zhIsoPath);
        assert.equal(await form.getByLabel('Volume name').inputValue(), ZH_ISO, 'named after the file, as it is');
        await form.getByRole('button', { name: 'Upload' }).click();
        await form.locator('.upload-text', { hasText: /done/ }).waitFor({ timeout: TIMEOUT });
        const row = page.locator(`tr[data-name="${ZH_ISO}"]`);
        await row.waitFor({ timeout: TIMEOUT });
        assert.equal(await row.locator('.res-name').textContent(), ZH_ISO, 'the list shows the exact name');
        assert.ok(readFileSync(path.join(poolDir, ZH_ISO)).equals(zhIso), 'the file in the pool has the name and the bytes');
        assert.ok(virsh(['vol-list', POOL]).stdout.includes(ZH_ISO), 'libvirt knows the volume by its name');

        const link = row.getByRole('link', { name: `Download ${ZH_ISO}` });
        assert.equal(await link.getAttribute('download'), ZH_ISO);
        const href = await link.getAttribute('href');
        assert.equal(href, `/api/pools/${POOL}/volumes/${encodeURIComponent(ZH_ISO)}/content`);
        // What the link gives: the page's own request, with its session.
        const got = await page.evaluate(async (url) => {
            const r = await fetch(url);
            const bytes = await r.arrayBuffer();
            const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
            return { status: r.status, disposition: r.headers.get('content-disposition'), length: bytes.byteLength,
                sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') };
        }, href);
        assert.equal(got.status, 200);
        const star = /filename\*=UTF-8''([^;\s]+)/i.exec(got.disposition || '');
        assert.ok(star, `an RFC 6266 filename* in ${got.disposition}`);
        assert.equal(decodeURIComponent(star[1]), ZH_ISO, 'the download is named exactly as uploaded');
        assert.equal(got.length, ZH_ISO_SIZE);
        assert.equal(got.sha256, crypto.createHash('sha256').update(zhIso).digest('hex'), 'the bytes are the upload’s');
        await page.checkA11y('the pool volumes page with a Chinese name');
    });
});

test('attach the ISO as a CD-ROM from the VM page, then eject it', async () => {
    await step('cdrom', async () => {
        await page.goto(`${daemon.url}/#/domains/${VM_UUID}`);
        await page.locator('#page-title', { hasText: VM }).waitFor({ timeout: TIMEOUT });
        await page.getByRole('tab', { name: 'Disks' }).click();
        const panel = page.locator('.tab-panel-disks');
        await panel.locator('.empty', { hasText: 'no disks' }).waitFor({ timeout: TIMEOUT });
        await page.checkA11y('the Disks tab');
        await panel.getByRole('button', { name: 'Attach disk' }).click();
        const form = panel.locator('form[aria-labelledby="disk-form-title"]');
        await form.getByLabel('Device').selectOption('cdrom');
        assert.equal(await form.getByLabel('Bus').inputValue(), 'sata', 'a CD-ROM moves off virtio');
        await form.getByLabel('Storage pool').selectOption(POOL);
        await page.waitForFunction((n) => [...document.querySelectorAll('.tab-panel-disks form option')].some((o) => o.value === n), ISO_NAME, { timeout: TIMEOUT });
        await form.getByLabel('ISO image').selectOption(ISO_NAME);
        await page.checkA11y('the attach-disk form');
        await form.getByRole('button', { name: 'Attach' }).click();
        const row = panel.locator('tbody tr', { hasText: 'CD-ROM' });
        await row.waitFor({ timeout: TIMEOUT });
        assert.match(await row.innerText(), new RegExp(ISO_NAME.replace(/\./g, '\\.')));
        const xml = virsh(['dumpxml', '--inactive', VM]).stdout;
        const disk = /<disk\b[^>]*device=['"]cdrom['"][\s\S]*?<\/disk>/.exec(xml);
        assert.ok(disk, `a cdrom in ${xml}`);
        assert.ok(disk[0].includes(`file='${path.join(poolDir, ISO_NAME)}'`) || disk[0].includes(`file="${path.join(poolDir, ISO_NAME)}"`), disk[0]);
        assert.match(disk[0], /<target dev=['"]sd[a-z]+['"] bus=['"]sata['"]/);
        assert.match(disk[0], /<readonly\/>/);
        await page.screenshot({ path: artifact('vm-disks.png'), fullPage: true });
        await page.checkA11y('the Disks tab with a CD-ROM');

        // Eject: the drive stays, its medium goes.
        await row.getByRole('button', { name: /^Eject / }).click();
        await panel.locator('tbody tr', { hasText: 'CD-ROM' }).filter({ hasText: 'Empty' }).waitFor({ timeout: TIMEOUT });
        const after = /<disk\b[^>]*device=['"]cdrom['"][\s\S]*?<\/disk>/.exec(virsh(['dumpxml', '--inactive', VM]).stdout);
        assert.ok(after, 'the drive is still there');
        assert.doesNotMatch(after[0], /<source /);
    });
});

test('attach the Chinese ISO as a CD-ROM: the Disks tab names it', async () => {
    await step('zh-cdrom', async () => {
        const panel = page.locator('.tab-panel-disks');
        await panel.getByRole('button', { name: 'Attach disk' }).click();
        const form = panel.locator('form[aria-labelledby="disk-form-title"]');
        await form.getByLabel('Device').selectOption('cdrom');
        await form.getByLabel('Storage pool').selectOption(POOL);
        await page.waitForFunction((n) => [...document.querySelectorAll('.tab-panel-disks form option')].some((o) => o.value === n), ZH_ISO, { timeout: TIMEOUT });
        const option = form.getByLabel('ISO image').locator('option', { hasText: ZH_ISO });
        assert.equal(await option.getAttribute('value'), ZH_ISO);
        assert.ok((await option.textContent()).startsWith(`${ZH_ISO} (iso, `), 'the picker names it exactly');
        await form.getByLabel('ISO image').selectOption(ZH_ISO);
        await form.getByRole('button', { name: 'Attach' }).click();
        const file = path.join(poolDir, ZH_ISO);
        const row = panel.locator('tbody tr', { hasText: ZH_ISO });
        await row.waitFor({ timeout: TIMEOUT });
        assert.equal(await row.locator('code.wrap').textContent(), file);
        const xml = virsh(['dumpxml', '--inactive', VM]).stdout;
        assert.ok(xml.includes(`file='${file}'`) || xml.includes(`file="${file}"`), xml);
    });
});

test('a Chinese title and a multi-line description: the VM page, the list, a reload', async () => {
    await step('zh-title', async () => {
        await page.getByRole('tab', { name: 'Overview' }).click();
        const card = page.locator('section[aria-labelledby="about-title"]');
        await card.getByRole('button', { name: 'Edit' }).click();
        const form = card.locator('form');
        await form.getByLabel('Title', { exact: true }).fill(ZH_TITLE);
        await form.getByLabel('Description', { exact: true }).fill(ZH_DESCRIPTION);
        await page.checkA11y('the title and description form');
        await form.getByRole('button', { name: 'Save' }).click();
        await form.waitFor({ state: 'hidden', timeout: TIMEOUT });
        const shown = async () => (await card.locator('.about-view dd').allTextContents());
        assert.deepEqual(await shown(), [ZH_TITLE, ZH_DESCRIPTION], 'the card shows both exactly');
        assert.equal((await card.locator('.about-view dd').nth(1).innerText()).split('\n').length, 2, 'on two lines');
        const xml = virsh(['dumpxml', '--inactive', VM]).stdout;
        assert.ok(xml.includes(`<title>${ZH_TITLE}</title>`), xml);
        assert.ok(xml.includes(`<description>${ZH_DESCRIPTION}</description>`), xml);

        // The list: the title is the name's tooltip.
        await page.locator('a.back-link').click();
        const name = page.locator(`.vm-table tbody tr[data-uuid="${VM_UUID}"] a.vm-name`);
        await name.waitFor({ timeout: TIMEOUT });
        assert.equal(await name.getAttribute('title'), ZH_TITLE);

        // A reload reads them from the server again.
        await page.goto('about:blank');
        await page.goto(`${daemon.url}/#/domains/${VM_UUID}`);
        await page.locator('#page-title', { hasText: VM }).waitFor({ timeout: TIMEOUT });
        await card.locator('.about-view dd').first().waitFor({ timeout: TIMEOUT });
        assert.deepEqual(await shown(), [ZH_TITLE, ZH_DESCRIPTION], 'after a reload');
        await page.screenshot({ path: artifact('vm-chinese-title.png'), fullPage: true });
    });
});

test('attach a network interface on the new network, set its link down, detach it', async () => {
    await step('nic', async () => {
        const mac = '52:54:00:5d:7e:01';
        await page.getByRole('tab', { name: 'Network interfaces' }).click();
        const panel = page.locator('.tab-panel-nics');
        await panel.locator('.empty', { hasText: 'no network interfaces' }).waitFor({ timeout: TIMEOUT });
        assert.match(await panel.locator('.addr-note').innerText(), /not running/);
        await page.checkA11y('the Network interfaces tab');
        await panel.getByRole('button', { name: 'Attach interface' }).click();
        const form = panel.locator('form[aria-labelledby="nic-form-title"]');
        await page.waitForFunction((n) => [...document.querySelectorAll('.tab-panel-nics form option')].some((o) => o.value === n), NET, { timeout: TIMEOUT });
        await form.getByLabel('Network', { exact: true }).selectOption(NET);
        await form.getByLabel('MAC address (optional)').fill('01:00:5e:00:00:01');
        await form.getByRole('button', { name: 'Attach' }).click();
        await form.locator('.field-error', { hasText: /MAC/ }).waitFor({ timeout: 5000 });
        await form.getByLabel('MAC address (optional)').fill(mac);
        await form.locator('summary', { hasText: 'Bandwidth' }).click();
        await form.getByLabel('Average (KiB/s)').first().fill('1000');
        await page.checkA11y('the attach-interface form with bandwidth');
        await form.getByRole('button', { name: 'Attach' }).click();
        const row = panel.locator(`tr[data-mac="${mac}"]`);
        await row.waitFor({ timeout: TIMEOUT });
        let xml = virsh(['dumpxml', '--inactive', VM]).stdout;
        let nic = /<interface\b[\s\S]*?<\/interface>/.exec(xml);
        assert.ok(nic, xml);
        assert.ok(nic[0].includes(`<mac address='${mac}'/>`) || nic[0].includes(`<mac address="${mac}"/>`), nic[0]);
        assert.match(nic[0], new RegExp(`<source network=['"]${NET}['"]`));
        assert.match(nic[0], /<model type=['"]virtio['"]/);
        assert.match(nic[0], /<inbound average=['"]1000['"]/);

        await row.getByRole('button', { name: `Set link down ${mac}` }).click();
        await row.getByRole('button', { name: `Set link up ${mac}` }).waitFor({ timeout: TIMEOUT });
        nic = /<interface\b[\s\S]*?<\/interface>/.exec(virsh(['dumpxml', '--inactive', VM]).stdout);
        assert.match(nic[0], /<link state=['"]down['"]/);

        await row.getByRole('button', { name: `Detach ${mac}` }).click();
        await page.locator('dialog.dialog[open]').waitFor();
        await page.checkA11y('the detach confirmation');
        await page.locator('dialog.dialog[open]').getByRole('button', { name: 'Detach' }).click();
        await panel.locator('.empty', { hasText: 'no network interfaces' }).waitFor({ timeout: TIMEOUT });
        xml = virsh(['dumpxml', '--inactive', VM]).stdout;
        assert.doesNotMatch(xml, /<interface\b/);
    });
});

test('phone width: the pages stack and stay usable', async () => {
    await step('phone', async () => {
        await page.setViewportSize({ width: 390, height: 844 });
        await page.goto(`${daemon.url}/#/storage/${POOL}`);
        await page.locator(`tr[data-name="${ISO_NAME}"]`).waitFor({ timeout: TIMEOUT });
        const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
        assert.equal(wide, false, 'no horizontal scrolling');
        await page.checkA11y('the pool volumes page at 390 px');
        await page.goto(`${daemon.url}/#/networks`);
        await page.locator(`tr[data-name="${NET}"]`).waitFor({ timeout: TIMEOUT });
        assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1), false);
        await page.setViewportSize({ width: 1280, height: 900 });
    });
});

test('a viewer sees the same lists without any control that changes them', async () => {
    await step('viewer', async () => {
        const { page: p2 } = await newPage(browser, { viewport: { width: 1280, height: 900 } });
        try {
            await login(p2, daemon, VIEWER, { timeout: TIMEOUT });
            await p2.goto(`${daemon.url}/#/networks`);
            await p2.locator(`tr[data-name="${NET}"]`).waitFor({ timeout: TIMEOUT });
            assert.equal(await p2.getByRole('button', { name: 'Create network' }).count(), 0);
            assert.equal(await p2.locator(`tr[data-name="${NET}"] button[data-action="delete"]`).count(), 0);
            assert.equal(await p2.locator(`tr[data-name="${NET}"] input[type="checkbox"]`).count(), 0);
            await p2.checkA11y('the networks page of a viewer');
            await p2.goto(`${daemon.url}/#/storage/${POOL}`);
            await p2.locator(`tr[data-name="${ISO_NAME}"]`).waitFor({ timeout: TIMEOUT });
            assert.equal(await p2.getByRole('button', { name: 'Upload', exact: true }).count(), 0);
            assert.equal(await p2.locator('button[data-action]').count(), 0);
        } finally {
            await p2.close();
        }
    });
});

test('no console errors, page errors or CSP violations', () => {
    assert.deepEqual(problems, []);
});
