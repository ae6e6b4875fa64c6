// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/figures.test.mjs — figures a user can trust and toasts that never cover
// controls (issue 11), against a real daemon (libvirt's test driver with
// packaging/demo/demo.xml), in the browser VIRTDECK_BROWSER names (tests/lib/browser.mjs):
// a running VM whose guest does not report its memory use says so in words (with the
// host's resident figure, named as such) in English and Chinese, never its allocation as a
// full red bar, while a guest that reports its use gets "X of Y" and a bar; a toast shown
// on a pool's page with the upload panel open, the volume table's header at the bottom of
// the window, covers no control or header cell at desktop or phone width; and the upload
// panel's format reads raw until a file says otherwise (not "ISO image").
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { login, newPage } from '../lib/browser.mjs';
import { controlsUnderToasts, withDemoDaemon } from '../lib/e2e-setup.mjs';

const ADMIN = { name: 'admin', role: 'admin', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;
const LANGUAGE_KEY = 'virtdeck-language'; // web/js/i18n.js LANGUAGE_STORAGE_KEY

let daemon;
let browser;
withDemoDaemon({ users: [ADMIN] }, (d, b) => {
    daemon = d;
    browser = b;
});

/** The memory line of the VM page's usage card (the <dd> after "label"): its texts and whether a bar shows. */
function memoryShown(page, label = 'Memory used') {
    return page.evaluate((l) => {
        const dd = [...document.querySelectorAll('.usage-body dt')].find((x) => x.textContent === l)?.nextElementSibling;
        const visible = (el) => !!el && !el.closest('[hidden]') && el.getClientRects().length > 0;
        const meter = dd?.querySelector('meter');
        const host = dd?.querySelector('.usage-mem-host');
        return {
            text: dd?.firstElementChild?.textContent ?? null,
            host: visible(host) ? host.textContent : '',
            bar: visible(meter) ? Number(meter.value) : null,
        };
    }, label);
}

/**
 * Hands the page a stats message for uuid right after a real one was handled (the
 * server's next is 2 s away), then waits until the memory line (the <dd> after label) shows want.
 */
async function injectStats(page, events, uuid, figures, want, label = 'Memory used') {
    await events.next('stats', TIMEOUT);
    const sent = await page.evaluate(([u, f]) => window.__vdHarness.inject({
        type: 'stats', interval_ms: 2000, host: { cpu_percent: null, free_memory_kib: null },
        domains: [{ uuid: u, cpu_percent: 1.5, disk_rd_bps: 0, disk_wr_bps: 0, net_rx_bps: 0, net_tx_bps: 0, ...f }],
    }), [uuid, figures]);
    assert.equal(sent, true, 'the page has an open events socket');
    await page.waitForFunction(([w, l]) => [...document.querySelectorAll('.usage-body dt')].find((x) => x.textContent === l)
        ?.nextElementSibling?.firstElementChild?.textContent === w, [want, label], { timeout: TIMEOUT })
        .catch(async (e) => { throw new Error(`${e.message}: ${JSON.stringify(await memoryShown(page, label))}`); });
}

test('a VM whose guest does not report its memory says so (both languages); one that does gets a bar', async () => {
    const { page, problems, events } = await newPage(browser);
    try {
        await login(page, daemon, ADMIN, { timeout: TIMEOUT });
        const row = page.locator('.vm-table tbody tr').filter({ has: page.locator('a.vm-name', { hasText: /^web-01$/ }) });
        const uuid = await row.getAttribute('data-uuid');
        await row.locator('a.vm-name').click();
        await page.locator('.usage-body').waitFor({ timeout: TIMEOUT });

        // The demo's guests have no balloon driver: the server sends no figure (null).
        await events.next('stats', TIMEOUT);
        await events.next('stats', TIMEOUT);
        let seen = await memoryShown(page);
        assert.equal(seen.text, 'The guest does not report its memory use');
        assert.equal(seen.bar, null, 'no bar for a figure nobody gave');

        // The host's resident size when the driver gives it: named as the host's, no bar.
        await injectStats(page, events, uuid, { memory_used_kib: null, memory_resident_kib: 61440 },
            'The guest does not report its memory use');
        seen = await memoryShown(page);
        assert.equal(seen.host, 'This VM holds 60 MiB of the host\'s memory (with the hypervisor\'s own use)');
        assert.equal(seen.bar, null);

        // A guest that reports its use: "X of Y" and a bar of that share.
        await injectStats(page, events, uuid, { memory_used_kib: 524288, memory_resident_kib: null }, '512 MiB of 2 GiB');
        seen = await memoryShown(page);
        assert.equal(seen.host, '');
        assert.equal(seen.bar, 0.25);

        // The same page in Chinese.
        await page.evaluate((k) => localStorage.setItem(k, 'zh-CN'), LANGUAGE_KEY);
        await page.evaluate(() => location.reload());
        await page.locator('html[lang="zh-CN"] .usage-body').waitFor({ timeout: TIMEOUT });
        await injectStats(page, events, uuid, { memory_used_kib: null, memory_resident_kib: 61440 }, '客户机未报告其内存使用量', '已用内存');
        seen = await memoryShown(page, '已用内存');
        assert.equal(seen.host, '此虚拟机占用主机内存 60 MiB（含虚拟机管理程序自身的用量）');
        assert.equal(seen.bar, null);
        await page.evaluate((k) => localStorage.removeItem(k), LANGUAGE_KEY);
        assert.deepEqual(problems, []);
    } finally {
        await page.close();
    }
});

test('a toast on a pool\'s page covers no control or table header; the upload\'s format starts at raw (1280x800 and 390x844)', async () => {
    const seen = {}; // per width: the upload's format before a file, the controls under a toast
    for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
        const { page, problems } = await newPage(browser, { viewport });
        const name = `vdtest-fig-${viewport.width}.qcow2`;
        try {
            await login(page, daemon, ADMIN, { timeout: TIMEOUT });
            await page.evaluate(() => { location.hash = '#/storage/default'; });
            await page.locator('tr[data-name="web-01.qcow2"]').waitFor({ timeout: TIMEOUT });
            // A toast (a volume created), then the upload panel open as in the demo.
            await page.getByRole('button', { name: 'New volume', exact: true }).click();
            const form = page.locator('form[aria-labelledby="newvol-title"]');
            await form.getByLabel('Name').fill(name);
            await form.getByLabel('Capacity').fill('1G');
            await form.getByRole('button', { name: 'Create volume' }).click();
            await page.locator('.toasts .toast').filter({ hasText: name }).waitFor({ timeout: TIMEOUT });
            await page.locator(`tr[data-name="${name}"]`).waitFor({ timeout: TIMEOUT });
            await page.getByRole('button', { name: 'Upload', exact: true }).click();
            const upload = page.locator('form[aria-labelledby="upload-title"]');
            await upload.waitFor({ timeout: TIMEOUT });
            // No file chosen yet: the format says raw (what an unknown file is), not "ISO image".
            const format = await upload.getByLabel('Format').inputValue();
            // The table's header (desktop) or its first row's buttons (phone: the header
            // is hidden) brought to the bottom of the window, where it was in the demo.
            const target = viewport.width > 600 ? 'main table thead' : 'main table tbody tr:first-child';
            const at = await page.evaluate((sel) => {
                const r = document.querySelector(sel).getBoundingClientRect();
                window.scrollBy(0, r.bottom - (innerHeight - 12));
                return { bottom: document.querySelector(sel).getBoundingClientRect().bottom, height: innerHeight };
            }, target);
            assert.ok(at.bottom > at.height - 120, `${viewport.width}px: ${target} near the window's bottom (${JSON.stringify(at)})`);
            assert.equal(await page.locator('.toasts .toast').filter({ hasText: name }).count(), 1, 'the toast is still up');
            seen[`${viewport.width}px`] = {
                format, underToasts: await controlsUnderToasts(page, 'main button, main a[href], main input, main select, main th'),
            };
            assert.deepEqual(problems, []);
        } finally {
            await page.close();
        }
    }
    const want = { format: 'raw', underToasts: [] };
    assert.deepEqual(seen, { '1280px': want, '390px': want });
});
