// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/e2e-setup.mjs — the setup most browser tests share: one daemon on libvirt's
// test driver with the demo hypervisor (packaging/demo/demo.xml) and the given users,
// and this run's browser (tests/lib/browser.mjs), started in before() and stopped in
// after() of the calling test file; a logged-in page at a hash; and the check that no
// toast covers a control.
import { before, after } from 'node:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, REPO_ROOT } from './daemon.mjs';
import { login, newPage, startBrowsers } from './browser.mjs';

/** The demo hypervisor on libvirt's test driver. */
export const DEMO_URI = `test://${path.join(REPO_ROOT, 'packaging', 'demo', 'demo.xml')}`;

/**
 * A copy of the demo hypervisor with the XML text extra put in front of its first
 * occurrence of at (e.g. '</node>'), and each further [at, extra] pair of more likewise,
 * written to a temporary directory of its own (vdtest-<name>-*) that an after() hook of
 * the calling file removes. Returns its test:// URI, for withDemoDaemon's uri. Throws
 * when the demo has no `at`.
 */
export function demoCopy(name, at, extra, more = []) {
    let demo = readFileSync(path.join(REPO_ROOT, 'packaging', 'demo', 'demo.xml'), 'utf8');
    for (const [where, text] of [[at, extra], ...more]) {
        if (!demo.includes(where)) throw new Error(`demoCopy: the demo has no ${where}`);
        demo = demo.replace(where, `${text}${where}`);
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), `vdtest-${name}-`));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'demo.xml');
    writeFileSync(file, demo);
    return `test://${file}`;
}

/**
 * Registers before()/after() hooks that start a daemon on uri (DEMO_URI unless given)
 * with users and the browser in colour scheme scheme ('light' unless given), then call
 * ready(daemon, browser).
 */
export function withDemoDaemon({ users, uri = DEMO_URI, scheme = 'light' }, ready) {
    const browsers = startBrowsers(scheme);
    let daemon = null;
    before(async () => {
        daemon = await startDaemon({ uri, users });
        ready(daemon, await browsers.get(scheme));
    });
    after(async () => {
        await browsers.close();
        if (daemon) await daemon.stop({ expectCode: null });
    });
}

/** A new page of browser logged in to daemon as user, at hash: {page, problems}. */
export async function openAs(browser, daemon, user, hash) {
    const { page, problems } = await newPage(browser);
    await login(page, daemon, user);
    await page.evaluate((h) => { location.hash = h; }, hash);
    return { page, problems };
}

/**
 * withDemoDaemon on uri with the one user, for files that open pages logged in as them:
 * returns {daemon(), openAt(hash)}; openAt resolves with {page, problems} (newPage of
 * tests/lib/browser.mjs) logged in and sent to hash.
 */
export function withDemoUser(uri, user) {
    let daemon;
    let browser;
    withDemoDaemon({ users: [user], uri }, (d, b) => {
        daemon = d;
        browser = b;
    });
    return {
        daemon: () => daemon,
        openAt: (hash) => openAs(browser, daemon, user, hash),
    };
}

/**
 * The controls (and whatever else selector names) in view that a toast's box overlaps:
 * [] when none is. "In view" is inside the window and below the sticky top (the top
 * bar, and the toasts that stick with it): what has scrolled under the top is hidden by
 * the top bar, not covered by a toast. Each as "TAG text" (or its data-action).
 */
export function controlsUnderToasts(page, selector = 'main button, main a[href], main input, main select, main textarea, main [tabindex="0"]') {
    return page.evaluate((sel) => {
        const top = Math.max(0, ...[...document.querySelectorAll('body > *')]
            .filter((e) => getComputedStyle(e).position === 'sticky')
            .map((e) => e.getBoundingClientRect())
            .filter((r) => r.top <= 0)
            .map((r) => r.bottom));
        const toasts = [...document.querySelectorAll('.toast')].map((e) => e.getBoundingClientRect());
        const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        const out = [];
        for (const el of document.querySelectorAll(sel)) {
            if (el.closest('.toasts')) continue;
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.height === 0) continue;
            if (r.top < top || r.bottom > innerHeight) continue;
            if (toasts.some((t) => hit(t, r))) out.push(`${el.tagName} ${el.dataset.action || el.textContent.trim().slice(0, 30)}`);
        }
        return out;
    }, selector);
}
