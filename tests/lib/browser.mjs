// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/browser.mjs — what the browser tests (tests/e2e/) share: one API over two
// browsers, so each test is written once. VIRTDECK_BROWSER chooses: `chromium` (default;
// Debian's chromium through playwright-core) or `firefox-esr` (Debian's firefox-esr through
// WebDriver BiDi with puppeteer-core; Playwright drives only its own patched Firefox).
// Both start in English (en-US) unless told another locale, with a light or dark
// colour scheme.
//
// Everything a test observes goes through code that is the same in both browsers: the
// locators are found by page-side code (tests/lib/page-finder.mjs, sent through each
// driver's evaluate), clicks and keys are real input events from each driver's mouse and
// keyboard, the /api/events messages are counted by a WebSocket wrapper installed before
// the page's scripts, and the requests a test holds back or answers are routed by a
// window.fetch wrapper there. The only driver calls are the small set in DRIVERS below.
// Also here: problems (console errors, page errors, CSP violations), logging in through
// the form, axe-core on the current page, each page's downloads, what noVNC's canvas
// shows, screenshot paths per browser, a check for a font with Chinese glyphs, and the
// daemon's last log lines added to a failure. Runs in
// the test process only.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { requireTools } from './tools.mjs';
import { REPO_ROOT } from './daemon.mjs';
import { sleep } from './wait.mjs';
import { pageLib, installHarness } from './page-finder.mjs';

/** The browser this run uses: $VIRTDECK_BROWSER, chromium unless set. */
export const BROWSER = process.env.VIRTDECK_BROWSER || 'chromium';
if (!['chromium', 'firefox-esr'].includes(BROWSER)) throw new Error(`VIRTDECK_BROWSER=${BROWSER}: chromium or firefox-esr`);

export const ARTIFACTS = path.join(REPO_ROOT, 'tests', 'e2e', 'artifacts');
const DEFAULT_TIMEOUT = 30000; // Playwright's default for actions and waits
const SLICE_MS = 2000; // one page-side wait; a navigation ends at most one slice
const LOCALE = 'en-US'; // the browser's languages unless launchBrowser() is given one
const require = createRequire(import.meta.url);

// ---- the two drivers ----------------------------------------------------------------
// Each gives launch({colorScheme, locale}) -> {newPage(viewport), close()}, and a page with
// goto(url) -> response {status(), headers()}, evalExpr(source), evaluate(fn, arg),
// addInitScript(fn), click(x, y), key.{down, up, press, type}, screenshot(opts),
// setViewport({width, height}), setFiles(elementExpr, file), on(event, cb) for
// console/pageerror/request/load (console as cb(type, text, url)), close(). Each page's
// downloads are saved into its own temporary directory (downloadDir), named as the
// browser names them; a file there is complete once no `*.part` file is left beside it
// (firefox writes `<name>.part` and renames it, the chromium driver does the same).

/** A fresh directory for one page's downloads. */
const downloadDir = () => mkdtempSync(path.join(os.tmpdir(), 'vdtest-downloads-'));

/**
 * The calls both libraries spell alike, over a Playwright or Puppeteer page; own gives
 * addInitScript(fn), setViewport(size), setFiles(elementHandle, file), close() and
 * downloadDir (removed after close()).
 */
function pageDriver(page, own) {
    return {
        downloadDir: own.downloadDir,
        goto: (url) => page.goto(url),
        evalExpr: (source) => page.evaluate(source),
        evaluate: (fn, arg) => page.evaluate(fn, arg),
        click: (x, y) => page.mouse.click(x, y),
        key: page.keyboard,
        screenshot: (opts) => page.screenshot(opts),
        async setFiles(elementExpr, file) {
            await own.setFiles((await page.evaluateHandle(elementExpr)).asElement(), file);
        },
        on(event, cb) {
            if (event === 'console') page.on('console', (m) => cb(m.type(), m.text(), m.location()?.url || ''));
            else page.on(event, cb);
        },
        addInitScript: own.addInitScript,
        setViewport: own.setViewport,
        async close() {
            await own.close();
            rmSync(own.downloadDir, { recursive: true, force: true });
        },
    };
}

async function launchChromium({ colorScheme, locale }) {
    requireTools('chromium');
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
            '--disable-sync', '--no-first-run', '--disable-gpu'],
    });
    return {
        async newPage(viewport) {
            const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport, deviceScaleFactor: 1,
                locale, colorScheme });
            const page = await context.newPage();
            const downloads = downloadDir();
            // Playwright keeps a download under a random name until asked to save it (a
            // failed one is never renamed: waitForDownload says it did not come).
            page.on('download', (d) => {
                const part = path.join(downloads, `${d.suggestedFilename()}.part`);
                d.saveAs(part).then(() => renameSync(part, path.join(downloads, d.suggestedFilename())), () => {});
            });
            return pageDriver(page, {
                downloadDir: downloads,
                addInitScript: (fn) => page.addInitScript(fn),
                setViewport: (size) => page.setViewportSize(size),
                setFiles: (handle, file) => handle.setInputFiles(file),
                close: () => context.close(),
            });
        },
        close: () => browser.close(),
    };
}

async function launchFirefox({ colorScheme, locale }) {
    requireTools('firefox-esr');
    const { default: puppeteer } = await import('puppeteer-core');
    const browser = await puppeteer.launch({
        browser: 'firefox',
        executablePath: '/usr/bin/firefox-esr',
        headless: true,
        acceptInsecureCerts: true,
        defaultViewport: null,
        extraPrefsFirefox: {
            'intl.accept_languages': locale,
            'intl.locale.requested': locale,
            // BiDi has no media-feature emulation: the scheme is the content's override
            // (0 dark, 1 light), for the whole browser.
            'layout.css.prefers-color-scheme.content-override': colorScheme === 'dark' ? 0 : 1,
        },
    });
    return {
        async newPage(viewport) {
            const downloads = downloadDir();
            const context = await browser.createBrowserContext({
                downloadBehavior: { policy: 'allow', downloadPath: downloads },
            });
            const page = await context.newPage();
            await page.setViewport(viewport);
            // Every load from the server, as in chromium's fresh contexts: firefox would
            // revalidate a page loaded before and report the 304.
            await page.setCacheEnabled(false);
            return pageDriver(page, {
                downloadDir: downloads,
                addInitScript: (fn) => page.evaluateOnNewDocument(fn),
                setViewport: (size) => page.setViewport(size),
                setFiles: (handle, file) => handle.uploadFile(file),
                close: () => context.close(),
            });
        },
        close: () => browser.close(),
    };
}

const DRIVERS = { chromium: launchChromium, 'firefox-esr': launchFirefox };

// ---- locators ---------------------------------------------------------------------

/** A text matcher for page-finder.mjs: a string (substring, any case; or exact) or a RegExp. */
function matcher(m, exact = false) {
    if (m === undefined || m === null) return undefined;
    if (m instanceof RegExp) return { re: m.source, flags: m.flags };
    return { s: String(m), exact };
}

/** page-side source that evaluates body with `lib` (pageLib()) in scope. */
const withLib = (body) => `(async () => { const lib = (${pageLib})(); ${body} })()`;
const js = (v) => JSON.stringify(v === undefined ? null : v);

const NAVIGATED = /context was destroyed|navigat|no such (frame|node|realm)|realm|detached|Cannot find context/i;

/**
 * Playwright's locator, re-made over page-finder.mjs: a chain of steps resolved when an
 * action runs; actions and reads wait (up to timeout, 30 s by default) for exactly one
 * element in the needed state (more than one match is an error: strict mode).
 */
export class Locator {
    constructor(page, steps, label) {
        this.page = page;
        this.steps = steps;
        this.label = label;
    }

    #chain(step, label) { return new Locator(this.page, [...this.steps, step], `${this.label}.${label}`); }

    /** Elements matching css inside this one; opts.hasText, opts.visible (only visible ones). */
    locator(css, { hasText, visible } = {}) {
        return this.#chain({ css, hasText: matcher(hasText), visible: Boolean(visible) }, `locator(${js(css)})`);
    }

    /** Elements of ARIA role (not hidden from it), named name (opts.exact: whole and case). */
    getByRole(role, { name, exact = false } = {}) {
        return this.#chain({ role, name: matcher(name, exact) }, `getByRole(${js(role)}, ${name})`);
    }

    /** Form controls labelled text (label elements, aria-labelledby, aria-label). */
    getByLabel(text, { exact = false } = {}) {
        return this.#chain({ label: matcher(text, exact) }, `getByLabel(${text})`);
    }

    /** The innermost elements whose text matches. */
    getByText(text, { exact = false } = {}) {
        return this.#chain({ text: matcher(text, exact) }, `getByText(${text})`);
    }

    /** Keeps the elements that contain has's match and/or whose text matches hasText. */
    filter({ has, hasText } = {}) {
        return this.#chain({ has: has ? has.steps : undefined, hasText: matcher(hasText) }, 'filter()');
    }

    nth(i) { return this.#chain({ nth: i }, `nth(${i})`); }

    first() { return this.nth(0); }

    last() { return this.nth(-1); }

    /** How many elements match now (no waiting). */
    count() { return this.page.evalLib(`return lib.find(${js(this.steps)}).length;`); }

    /** A locator for each element matching now. */
    async all() {
        return Array.from({ length: await this.count() }, (_, i) => this.nth(i));
    }

    /** textContent of every element matching now. */
    allTextContents() { return this.page.evalLib(`return lib.find(${js(this.steps)}).map((e) => e.textContent);`); }

    /** Waits for state: 'visible' (default), 'hidden', 'attached' or 'detached'. */
    async waitFor({ state = 'visible', timeout = DEFAULT_TIMEOUT } = {}) {
        await this.page.pollLib(`lib.state(${js(this.steps)}, ${js(state)})`, timeout, `${this.label}: waiting for ${state}`);
    }

    /** Runs fn(element, arg) in the page once exactly one element matches; resolves its result. */
    evaluate(fn, arg, { timeout = DEFAULT_TIMEOUT } = {}) {
        const check = `(async () => { const o = lib.one(${js(this.steps)}); if (!o.el) return o;` +
            ` return { done: true, value: await (${fn})(o.el, ${js(arg)}) }; })()`;
        return this.page.pollLib(check, timeout, `${this.label}: evaluate`);
    }

    /** A real mouse click at the element's centre, once it is visible, enabled, still and uncovered. */
    async click({ timeout = DEFAULT_TIMEOUT } = {}) {
        const { x, y } = await this.page.pollLib(`lib.clickPoint(${js(this.steps)})`, timeout, `${this.label}: click`);
        await this.page.driver.click(x, y);
    }

    /** Replaces the field's text by typing value (focus, select all, keys); checks the result. */
    async fill(value, { timeout = DEFAULT_TIMEOUT } = {}) {
        const { old } = await this.page.pollLib(`lib.focusForTyping(${js(this.steps)})`, timeout, `${this.label}: fill`);
        if (value === '') {
            if (old !== '') await this.page.driver.key.press('Delete');
        } else {
            await this.page.driver.key.type(value);
        }
        const now = await this.inputValue();
        if (now !== value) throw new Error(`${this.label}: fill(${js(value)}) left ${js(now)}`);
    }

    focus() { return this.evaluate((el) => el.focus()); }

    async #setChecked(checked) {
        if ((await this.isChecked()) !== checked) await this.click();
        if ((await this.isChecked()) !== checked) throw new Error(`${this.label}: a click did not make it ${checked ? '' : 'un'}checked`);
    }

    check() { return this.#setChecked(true); }

    uncheck() { return this.#setChecked(false); }

    isChecked() { return this.evaluate((el) => el.checked); }

    /** Chooses the option with this value (or label), firing input and change. */
    selectOption(value, { timeout = DEFAULT_TIMEOUT } = {}) {
        return this.page.pollLib(`lib.selectOption(${js(this.steps)}, ${js(value)})`, timeout, `${this.label}: select ${value}`);
    }

    async setInputFiles(file) {
        await this.waitFor({ state: 'attached' });
        await this.page.driver.setFiles(withLib(`return lib.one(${js(this.steps)}).el;`), file);
    }

    async scrollIntoViewIfNeeded() {
        await this.waitFor();
        await this.evaluate((el) => el.scrollIntoView({ block: 'nearest', behavior: 'instant' }));
    }

    textContent() { return this.evaluate((el) => el.textContent); }

    innerText() { return this.evaluate((el) => el.innerText); }

    inputValue() { return this.evaluate((el) => el.value); }

    getAttribute(name) { return this.evaluate((el, n) => el.getAttribute(n), name); }

    /** Whether the one match is visible now (false when nothing matches; no waiting). */
    async isVisible() {
        const r = await this.page.evalLib(`const els = lib.find(${js(this.steps)});` +
            ' return els.length > 1 ? { error: els.length } : els.length === 1 && lib.visible(els[0]);');
        if (r && r.error) throw new Error(`${this.label}: strict mode violation: ${r.error} elements match`);
        return r;
    }

    /** {x, y, width, height} in viewport pixels, or null when not visible. */
    boundingBox() {
        return this.evaluate((el) => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.height > 0 ? { x: r.x, y: r.y, width: r.width, height: r.height } : null;
        });
    }
}

// ---- pages ------------------------------------------------------------------------

/** Playwright's glob (`**` any text, `*` no slash) as a RegExp source over the whole URL. */
function globSource(glob) {
    return `^${glob.split('**').map((part) => part.split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('.*')}$`;
}

let nextRouteId = 1;

/** A page of either browser, with the Playwright-like API the tests use. */
export class Page {
    constructor(driver) {
        this.driver = driver;
        this.root = new Locator(this, [], 'page');
        this.keyboard = {
            /** Presses keys such as 'Enter' or 'Control+BracketRight' (modifiers held). */
            press: async (keys) => {
                const parts = keys.split('+');
                const key = parts.pop();
                for (const m of parts) await driver.key.down(m);
                await driver.key.press(key);
                for (const m of parts.reverse()) await driver.key.up(m);
            },
            type: (text) => driver.key.type(text),
        };
    }

    /** Evaluates page-side code with lib (pageLib()) in scope; the body returns the result. */
    evalLib(body) { return this.driver.evalExpr(withLib(body)); }

    /**
     * Waits until the page-side check (an expression with lib in scope giving {done,
     * value} | {why} | {error}) is done, in slices of SLICE_MS; an error, or the
     * deadline, throws with describe and the last reason. Resolves the check's value.
     */
    async pollLib(check, timeout, describe) {
        const deadline = Date.now() + timeout;
        let last;
        for (;;) {
            const slice = Math.max(1, Math.min(SLICE_MS, deadline - Date.now()));
            try {
                last = await this.evalLib(`return lib.poll(() => ${check}, ${slice});`);
            } catch (err) {
                if (!NAVIGATED.test(err.message)) throw err;
                last = { why: `the page navigated (${err.message.split('\n')[0]})` };
                await sleep(20);
            }
            if (last.error) throw new Error(`${describe}: ${last.error}`);
            if (last.done) return last.value;
            if (Date.now() >= deadline) throw new Error(`${describe}: timed out after ${timeout} ms (${last.why})`);
        }
    }

    goto(url) { return this.driver.goto(url); }

    locator(css, opts) { return this.root.locator(css, opts); }

    getByRole(role, opts) { return this.root.getByRole(role, opts); }

    getByLabel(text, opts) { return this.root.getByLabel(text, opts); }

    getByText(text, opts) { return this.root.getByText(text, opts); }

    fill(css, value) { return this.locator(css).fill(value); }

    /** fn(arg) in the page (the driver's own evaluate; fn must not close over anything). */
    evaluate(fn, arg) { return this.driver.evaluate(fn, arg); }

    /** Waits until fn(arg), run in the page, is truthy (polled every 20 ms). */
    async waitForFunction(fn, arg, { timeout = DEFAULT_TIMEOUT } = {}) {
        const check = `(async () => ((await (${fn})(${js(arg)})) ? { done: true, value: true } : { why: 'still false' }))()`;
        await this.pollLib(check, timeout, `waitForFunction(${String(fn).replace(/\s+/g, ' ').slice(0, 100)})`);
    }

    /** Waits until location.href matches re. */
    waitForURL(re, { timeout = DEFAULT_TIMEOUT } = {}) {
        return this.waitForFunction((r) => new RegExp(r.re, r.flags).test(location.href), matcher(re), { timeout });
    }

    /** A pause for what the test measures (each use says why). */
    waitForTimeout(ms) { return sleep(ms); }

    screenshot(opts) { return this.driver.screenshot(opts); }

    setViewportSize(size) { return this.driver.setViewport(size); }

    /**
     * Waits until the browser has saved the download named name (as the browser names
     * it: the link's download attribute or the server's Content-Disposition) and
     * resolves its bytes.
     */
    async waitForDownload(name, { timeout = DEFAULT_TIMEOUT } = {}) {
        const dir = this.driver.downloadDir;
        const file = path.join(dir, name);
        const deadline = Date.now() + timeout;
        for (;;) {
            const names = readdirSync(dir);
            if (existsSync(file) && !names.some((n) => n.endsWith('.part'))) return readFileSync(file);
            if (Date.now() >= deadline) throw new Error(`no download named ${js(name)} within ${timeout} ms (saved: ${js(names)})`);
            await sleep(50);
        }
    }

    /** 'request' (r.method(), r.url()) and 'load', from the driver. */
    on(event, cb) { this.driver.on(event, cb); }

    /**
     * Routes the page's fetch() calls to URLs matching glob: with fulfill ({status,
     * contentType, body}) they are answered without reaching the server, `times` times
     * (default: always); without it they wait until release(). Resolves {release(),
     * remove()}. (XMLHttpRequest, the upload's transport, is not routed.)
     */
    async route(glob, { fulfill, times = -1 } = {}) {
        const id = nextRouteId++;
        await this.driver.evaluate((r) => window.__vdHarness.route(r), { id, re: globSource(glob), times, fulfill });
        return {
            release: () => this.driver.evaluate((i) => window.__vdHarness.release(i), id),
            remove: () => this.driver.evaluate((i) => window.__vdHarness.unroute(i), id),
        };
    }

    /**
     * Injects axe-core (once per document) and fails listing any serious or critical
     * violation. Colours are read once every finite CSS transition and animation has ended:
     * on a loaded machine a button clicked a moment before was still on its way to its
     * pressed colour, and axe measured the half-blended one (a clean-clone run).
     */
    async checkA11y(where) {
        const present = await this.driver.evaluate(() => typeof window.axe === 'object');
        if (!present) await this.driver.evalExpr(axeSource());
        const violations = await this.driver.evaluate(async () => {
            await Promise.all(document.getAnimations()
                .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime))
                .map((a) => a.finished.catch(() => {})));
            const r = await window.axe.run(document, { resultTypes: ['violations'] });
            return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
            }));
        });
        if (violations.length) {
            throw new Error(`axe: ${violations.length} serious/critical on ${where} (${BROWSER}):\n` +
                violations.map((v) => `- ${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join('\n    ')}`).join('\n'));
        }
    }

    close() { return this.driver.close(); }
}

let axeText;
function axeSource() {
    axeText ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    return axeText;
}

// ---- browsers ---------------------------------------------------------------------

/**
 * Fails early unless fontconfig knows a font with Chinese glyphs: the UI speaks Chinese,
 * and without one both browsers draw boxes in its screenshots.
 */
function requireCjkFont() {
    requireTools('fc-list');
    const r = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
    if (r.status !== 0 || !r.stdout.trim()) {
        throw new Error('no font with Chinese glyphs (fc-list :lang=zh): install the Debian package fonts-noto-cjk (packaging/install-deps.sh does)');
    }
}

/**
 * Launches this run's browser (BROWSER) headless, with colorScheme ('light' or 'dark')
 * and locale (the browser's languages, navigator.languages: en-US unless given; chromium
 * sets it per context, firefox in the profile's intl.accept_languages).
 * Resolves {name, newPage(opts), close()}; see newPage().
 */
export async function launchBrowser({ colorScheme = 'light', locale = LOCALE } = {}) {
    requireCjkFont();
    const driver = await DRIVERS[BROWSER]({ colorScheme, locale });
    return { name: BROWSER, colorScheme, locale, driver, close: () => driver.close() };
}

/**
 * Starts this run's browser once for each item at once, so that their start-up (about
 * 2.5 s for firefox, whose WebDriver BiDi session waits for its first window) overlaps
 * the test file's own setup and each other. An item is a colour scheme ('light',
 * 'dark'), or {name, colorScheme, locale} (launchBrowser's options) for a browser got
 * by its name. Returns {get(name): Promise of the browser, close()}; close() waits for
 * launches still under way, so none outlives a failed setup.
 */
export function startBrowsers(...items) {
    const launches = new Map(items.map((item) => {
        const { name, ...opts } = typeof item === 'string' ? { name: item, colorScheme: item } : item;
        const p = launchBrowser(opts);
        p.catch(() => {}); // reported by get()
        return [name, p];
    }));
    return {
        get(name = 'light') {
            if (!launches.has(name)) throw new Error(`startBrowsers() was not asked for ${name}`);
            return launches.get(name);
        },
        async close() {
            for (const p of launches.values()) {
                const b = await p.catch(() => null);
                if (b) await b.close().catch(() => {});
            }
        },
    };
}

/**
 * Counts the /api/events messages the page has handled (the harness in page-finder.mjs).
 * next(type, timeoutMs = 10000) resolves once a message of that type received after the
 * call has been handled by the page; rejects after timeoutMs.
 */
function eventWatcher(page) {
    return {
        async next(type, timeoutMs = 10000) {
            const seen = await page.evaluate((t) => window.__vdHarness.handled[t] || 0, type);
            await page.waitForFunction(([t, n]) => (window.__vdHarness.handled[t] || 0) > n, [type, seen], { timeout: timeoutMs })
                .catch(() => { throw new Error(`no "${type}" message on /api/events within ${timeoutMs} ms`); });
        },
    };
}

/**
 * A new private context (its own cookies) and page at viewport (1280x800 unless given)
 * that collects problems: console errors, page errors and CSP violations. Chromium logs
 * every 4xx as a console error; expected401 matches the URLs whose 401 is expected (the
 * boot-time "am I logged in?" GET /api/session unless given). Resolves {page, problems,
 * events}: events.next(type) waits for the page's next /api/events message of type.
 * page.close() closes the context.
 */
export async function newPage(browser, { viewport = { width: 1280, height: 800 }, expected401 = /\/api\/session$/ } = {}) {
    const driver = await browser.driver.newPage(viewport);
    const page = new Page(driver);
    const problems = [];
    driver.on('console', (type, text, where) => {
        if (type !== 'error') return;
        if (/status of 401/.test(text) && expected401.test(where)) return;
        problems.push(`console: ${text} (${where})`);
    });
    driver.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    await driver.addInitScript(installHarness);
    return { page, problems, events: eventWatcher(page) };
}

/**
 * Opens the daemon's page, logs user ({name, password}) in through the form and waits
 * for ready (a selector; the VM list's first row unless given: a hypervisor with no VM
 * has none). Returns the response of the page load.
 */
export async function login(page, daemon, user, { timeout = 30000, ready = '.vm-table tbody tr' } = {}) {
    const resp = await page.goto(`${daemon.url}/`);
    await page.locator('#login-username').waitFor({ timeout });
    await page.fill('#login-username', user.name);
    await page.fill('#login-password', user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    try {
        await page.locator(ready).first().waitFor({ timeout });
    } catch (err) {
        // say what the page showed instead: a login error, another view, an empty list
        const seen = await page.evaluate(() => `${location.href} | ${document.body.innerText.replace(/\s+/g, ' ').slice(0, 600)}`)
            .catch((e) => `(the page could not be read: ${e.message})`);
        err.message = `${err.message}; after logging in as ${user.name} the page showed: ${seen}`;
        throw withDaemonLog(daemon, err);
    }
    return resp;
}

/**
 * Runs a VM action from its action group (a list row or the detail header, as a Locator),
 * scrolled into view first: the row's own button when it is the primary action, else through the "More actions"
 * menu (opened by a click, then the item with that data-action clicked).
 */
export async function chooseAction(scope, action) {
    // A list row gets its buttons once it is on screen: scroll to it, as a user would.
    await scope.scrollIntoViewIfNeeded();
    await scope.locator('button[data-action]:not([role="menuitem"]), button.menu-button').first().waitFor();
    const direct = scope.locator(`button[data-action="${action}"]:not([role="menuitem"])`);
    if (await direct.count() > 0) return direct.click();
    await scope.locator('button.menu-button').click();
    return scope.locator(`[role="menuitem"][data-action="${action}"]`, { visible: true }).click();
}

/**
 * What noVNC's canvas (the one element css names; '.console-screen-vnc canvas' unless
 * given) shows now: {w, h, colors, minority, hash}: its size, its distinct colours, the
 * share of pixels that are not the commonest colour, and an FNV-1a hash of the pixels
 * (with the size); null while there is no drawn canvas.
 */
export function canvasInfo(page, css = '.console-screen-vnc canvas') {
    return page.evaluate((sel) => {
        const c = document.querySelector(sel);
        if (!c || !c.width || !c.height) return null;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const counts = new Map();
        let h = 0x811c9dc5;
        for (let i = 0; i < d.length; i += 4) {
            const rgb = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
            counts.set(rgb, (counts.get(rgb) || 0) + 1);
            h = Math.imul(h ^ rgb, 0x01000193);
        }
        const max = Math.max(...counts.values());
        const total = d.length / 4;
        return { w: c.width, h: c.height, colors: counts.size, minority: (total - max) / total, hash: `${c.width}x${c.height}:${(h >>> 0).toString(16)}` };
    }, css);
}

/**
 * Where a test's screenshot `name` (e.g. 'list.png') goes: tests/e2e/artifacts/ under
 * that name for chromium, with '-firefox' before the extension for firefox.
 */
export function artifact(name) {
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = BROWSER === 'chromium' ? name : name.replace(/(\.\w+)$/, `-${BROWSER}$1`);
    return path.join(ARTIFACTS, file);
}

/** Copies a chromium screenshot to docs/<docsName> (the README's pictures); firefox's stay in artifacts/. */
export function publish(file, docsName) {
    if (BROWSER !== 'chromium') return;
    mkdirSync(path.join(REPO_ROOT, 'docs'), { recursive: true });
    copyFileSync(file, path.join(REPO_ROOT, 'docs', docsName));
}

/**
 * Before a README picture: the test driver's demo notice hidden (its own button), the
 * toasts gone, no focus ring. Changes only what the picture shows, nothing a test asserts.
 */
export async function tidyForPicture(page) {
    const hide = page.locator('#demo-banner:not([hidden]) button');
    if (await hide.count()) await hide.click();
    await page.evaluate(() => {
        for (const toast of document.querySelectorAll('.toast')) toast.remove();
        document.activeElement?.blur();
    });
}

/** Adds the daemon's state and its last log lines to err (returned). */
export function withDaemonLog(daemon, err) {
    const tail = daemon ? daemon.logs().split('\n').slice(-25).join('\n') : '';
    const state = daemon && !daemon.alive ? `daemon exited: ${JSON.stringify(daemon.exitInfo)}` : 'daemon alive';
    err.message = `${err.message}\n--- ${state}; daemon log tail ---\n${tail}`;
    return err;
}

