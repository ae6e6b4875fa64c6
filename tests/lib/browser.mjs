// tests/lib/browser.mjs — what the browser tests (tests/e2e/) share: Debian's chromium
// launched headless through playwright-core, a page that records console errors, page
// errors and CSP violations, waiting for the page's next /api/events message, logging in
// through the UI's form, and the daemon's last log lines added to a failure.
import { chromium } from 'playwright-core';
import { requireTools } from './tools.mjs';
import { within } from './wait.mjs';

/** Debian's chromium, headless, without the background traffic a test does not want. */
export function launchBrowser() {
    requireTools('chromium');
    return chromium.launch({
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
            '--disable-sync', '--no-first-run', '--disable-gpu'],
    });
}

/**
 * Watches the /api/events websockets page opens from now on (call it before the page
 * logs in). Returns {next(type, timeoutMs = 10000)}: resolves once a message of that type
 * received after the call has been handled by the page, rejects after timeoutMs. The
 * frame is seen as chromium receives it; the UI handles a message in that same task, so
 * the page.evaluate() that follows runs after the handling.
 */
export function watchEvents(page) {
    const waiters = new Set();
    page.on('websocket', (ws) => {
        if (new URL(ws.url()).pathname !== '/api/events') return;
        ws.on('framereceived', ({ payload }) => {
            if (!waiters.size || typeof payload !== 'string') return;
            let type;
            try { ({ type } = JSON.parse(payload)); } catch { return; }
            for (const w of waiters) if (w.type === type) w.resolve(true);
        });
    });
    return {
        async next(type, timeoutMs = 10000) {
            const w = { type };
            waiters.add(w);
            const seen = await within(new Promise((resolve) => { w.resolve = resolve; }), timeoutMs);
            waiters.delete(w);
            if (!seen) throw new Error(`no "${type}" message on /api/events within ${timeoutMs} ms`);
            await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
        },
    };
}

/**
 * A new context and page at viewport (1280x800 unless given) that collects problems:
 * console errors, page errors and CSP violations. Chrome logs every 4xx as an error;
 * expected401 matches the URLs whose 401 is expected (the boot-time "am I logged in?"
 * GET /api/session unless given). Returns {context, page, problems, events}: events is
 * watchEvents(page).
 */
export async function newPage(browser, { viewport = { width: 1280, height: 800 }, expected401 = /\/api\/session$/ } = {}) {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (msg) => {
        if (msg.type() !== 'error') return;
        const where = msg.location()?.url || '';
        if (/status of 401/.test(msg.text()) && expected401.test(where)) return;
        problems.push(`console: ${msg.text()} (${where})`);
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
            console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sample || ''}`);
        });
    });
    return { context, page, problems, events: watchEvents(page) };
}

/**
 * Opens the daemon's page, logs user ({name, password}) in through the form and waits
 * for the VM list's first row. Returns the response of the page load.
 */
export async function login(page, daemon, user, { timeout = 30000 } = {}) {
    const resp = await page.goto(`${daemon.url}/`);
    await page.locator('#login-username').waitFor({ timeout });
    await page.fill('#login-username', user.name);
    await page.fill('#login-password', user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('.vm-table tbody tr').first().waitFor({ timeout });
    return resp;
}

/** Adds the daemon's state and its last log lines to err (returned). */
export function withDaemonLog(daemon, err) {
    const tail = daemon ? daemon.logs().split('\n').slice(-25).join('\n') : '';
    const state = daemon && !daemon.alive ? `daemon exited: ${JSON.stringify(daemon.exitInfo)}` : 'daemon alive';
    err.message = `${err.message}\n--- ${state}; daemon log tail ---\n${tail}`;
    return err;
}
