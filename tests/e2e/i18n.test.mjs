// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/i18n.test.mjs — the UI in Simplified Chinese and in English against a real
// daemon (libvirt's test driver with packaging/demo/demo.xml), in the browser
// VIRTDECK_BROWSER names (tests/lib/browser.mjs).
// Covers: a browser whose languages are zh-CN starts in Chinese without any choice;
// every page then is fully Chinese — the login page, the VM list, a confirmation, the
// user menu, a VM's detail page with each of its tabs (Overview, Console, Serial
// console, Disks, Network interfaces), networks and storage with their create forms, a
// pool's volumes with the upload panel, each step of the create wizard: <html
// lang="zh-CN">, no text on it (text nodes,
// the aria-label, title, placeholder and alt a screen reader reads, the document's
// title) is an English catalogue value that Chinese words differently or a message id,
// no English word shows that neither the Chinese catalogue nor the API's data has
// (unless marked lang="en": the server's own messages), and no serious or critical
// axe-core violation. Switching to English from the user menu keeps the page (hash,
// chosen tab, scroll position) and the menu open, changes <html lang>, and survives a
// reload; the same pages are then English in the same sense. In a browser whose
// languages are en-US, Chinese chosen on the login page works before logging in (the
// typed user name kept) and lasts after it and a reload. No console errors or CSP
// violations. Screenshots: tests/e2e/artifacts/zh-CN-*.png (the README's Chinese ones
// come from e2e/demo-features).
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startDaemon, REPO_ROOT } from '../lib/daemon.mjs';
import { artifact, chooseAction, newPage as newBrowserPage, startBrowsers, withDaemonLog } from '../lib/browser.mjs';
import { createTranslator } from '../../web/js/i18n.js';
import EN from '../../web/i18n/en.js';
import ZH from '../../web/i18n/zh-CN.js';

const DEMO_XML = path.join(REPO_ROOT, 'packaging', 'demo', 'demo.xml');
const URI = existsSync(DEMO_XML) ? `test://${DEMO_XML}` : 'test:///default';
const ADMIN = { name: 'zhangwei', role: 'admin', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;
const CATALOGUES = { en: EN, 'zh-CN': ZH };
/** t() of each language, for the labels the tests click. */
const T = { en: createTranslator('en', EN), 'zh-CN': createTranslator('zh-CN', ZH) };
const OTHER = { en: 'zh-CN', 'zh-CN': 'en' };

let daemon;
let zhBrowser; // navigator.languages: zh-CN
let enBrowser; // en-US
const browsers = startBrowsers({ name: 'zh-CN', locale: 'zh-CN' }, 'light');

before(async () => {
    daemon = await startDaemon({ uri: URI, users: [ADMIN] });
    zhBrowser = await browsers.get('zh-CN');
    enBrowser = await browsers.get('light');
});

after(async () => {
    await browsers.close();
    if (daemon) await daemon.stop({ expectCode: null });
});

// ---- what "fully in one language" means ------------------------------------------------

const plain = (s) => s.replace(/\s+/g, ' ').trim();
const forms = (v) => (typeof v === 'string' ? [v] : Object.values(v || {}));
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const params = /\{\w+\}/g;
// The words of a text: runs of letters, digits and . _ / : @ - (a host name, a path, a
// MAC address, a message id are one word each).
const WORDS = /[\p{L}\p{N}._/:@-]+/gu;
const wordsOf = (text) => text.match(WORDS) || [];
const IDS = new Set([...Object.keys(EN), ...Object.keys(ZH)]);

/** Each language's script; a word of the other language on a page in lang. */
const SCRIPT = { 'zh-CN': /\p{Script=Han}/u, en: /[A-Za-z]/ };
const FOREIGN_WORD = { 'zh-CN': /^[A-Za-z]{3,}$/, en: /\p{Script=Han}/u };
// Words every language writes alike: unit symbols (format.js) and key names.
const SHARED = new Set(['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'MHz', 'GHz', 'Alt', 'Backspace', 'Ctrl', 'Del', 'Esc', 'Tab']);

/**
 * The technical words a text in lang may keep: the words of lang's own sentences (its
 * catalogue's values written in its script: "VNC 控制台", "按 Ctrl+] …"), acronyms (CPU,
 * vCPU, MTU) and SHARED. A value both catalogues have alike ("MAC", "Alt+F4") is a
 * technical token only when every word of it is one of these: an English value copied
 * into the Chinese catalogue untranslated is not.
 */
function technicalWords(lang) {
    const sentences = Object.values(CATALOGUES[lang]).flatMap(forms).filter((v) => SCRIPT[lang].test(v));
    const kept = new Set([...SHARED, ...sentences.flatMap(wordsOf)]);
    return (w) => kept.has(w) || /^[a-z]?[A-Z0-9]+$/.test(w);
}
const TECHNICAL = { en: technicalWords('en'), 'zh-CN': technicalWords('zh-CN') };

/**
 * The texts that must not show on a page in language lang: every value (each plural
 * form) of the other language's catalogue that is not also one of lang's own values (in
 * lang's script, or a technical token: TECHNICAL), whose own words ({param}s left out)
 * are 3 characters or more (2 for Chinese, where 2 characters make a word: 启动, 网络).
 * Each comes as {id, value, re}: re matches a whole text the value makes, its {param}s
 * standing for any text (or none: a parameter in an element of its own splits the
 * message into text nodes).
 */
function foreignValues(lang) {
    const isOwn = (v) => SCRIPT[lang].test(v) || wordsOf(v.replace(params, '')).every(TECHNICAL[lang]);
    const own = new Set(Object.values(CATALOGUES[lang]).flatMap(forms).map(plain).filter(isOwn));
    const out = [];
    for (const [id, value] of Object.entries(CATALOGUES[OTHER[lang]])) {
        for (const form of forms(value).map(plain)) {
            if (own.has(form)) continue;
            const words = form.replace(params, '').trim();
            const min = /\p{Script=Han}/u.test(words) ? 2 : 3;
            if (words.length < min || !/\p{L}/u.test(words)) continue;
            const parts = form.split(/\{\w+\}/).map((p) => escapeRe(p.trim()));
            out.push({ id, value: form, re: new RegExp(`^${parts.join('[\\s\\S]*')}$`, 'u') });
        }
    }
    return out;
}
const FOREIGN = { en: foreignValues('en'), 'zh-CN': foreignValues('zh-CN') };

/**
 * Runs in the page: every text a user sees or hears, as {text, where, lang}: visible
 * text nodes (an <option>'s when its <select> is visible), the aria-label, title,
 * placeholder and alt of visible elements, and the document's title; lang is the
 * language the page marks it with (its closest lang attribute).
 */
function pageTexts() {
    const out = [{ text: document.title, where: 'document.title', lang: document.documentElement.lang }];
    const langOf = (el) => el.closest('[lang]')?.lang || '';
    const shown = (el) => {
        const box = el.closest('select') || el;
        return box.checkVisibility({ visibilityProperty: true });
    };
    const where = (el) => {
        const bits = [];
        for (let e = el; e && e !== document.body && bits.length < 4; e = e.parentElement) {
            bits.unshift(e.id ? `#${e.id}` : `${e.localName}${e.classList.length ? `.${[...e.classList].join('.')}` : ''}`);
            if (e.id) break;
        }
        return bits.join(' > ');
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const joined = new Set(); // an element whose text <wbr> splits (a path) is one text
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        const split = el && el.querySelector(':scope > wbr');
        if (split && joined.has(el)) continue;
        if (split) joined.add(el);
        const text = (split ? el.textContent : n.nodeValue).replace(/\s+/g, ' ').trim();
        if (!text || !el || el.closest('script, style, noscript, template') || !shown(el)) continue;
        out.push({ text, where: where(el), lang: langOf(el) });
    }
    for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
        if (!shown(el)) continue;
        for (const attr of ['aria-label', 'title', 'placeholder', 'alt']) {
            const v = el.getAttribute(attr);
            if (v && v.trim()) out.push({ text: v.replace(/\s+/g, ' ').trim(), where: `${where(el)}[${attr}]`, lang: langOf(el) });
        }
    }
    return out;
}

/**
 * The strings in the API's answers that the pages show (VM names and titles, paths, ...):
 * {strings, words}, each whole string and every word of them.
 */
async function dataTexts(page) {
    const answers = await page.evaluate(async () => {
        const get = async (url) => (await fetch(url)).json();
        const domains = await get('/api/domains');
        return [await get('/api/session'), await get('/api/host'), domains, await get('/api/networks'),
            await get('/api/pools'), await get('/api/pools/default/volumes'),
            ...await Promise.all(domains.domains.map((d) => get(`/api/domains/${d.uuid}`)))];
    });
    const strings = new Set();
    const words = new Set();
    const walk = (v) => {
        if (typeof v === 'string') {
            strings.add(v.replace(/\s+/g, ' ').trim());
            for (const w of wordsOf(v)) words.add(w);
        } else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(answers);
    return { strings, words };
}

/**
 * Asserts the page is wholly in lang, with <html lang>: no text is a value of the other
 * language's catalogue (foreignValues) or shows a message id (what t() gives for a
 * message the catalogue lacks), and no word of the other language (FOREIGN_WORD) shows
 * unless the page marks its text as that language (the server's own messages, each
 * language's name in the picker), it is a technical word (TECHNICAL), or data
 * (dataTexts: VM names and titles, paths) has it; a text that is wholly a data string
 * (a VM titled "Monitoring") is data even when it reads like a catalogue value.
 * For Chinese, axe-core too.
 */
async function assertLanguage(page, lang, where, data = { strings: new Set(), words: new Set() }) {
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang, `<html lang> on ${where}`);
    const texts = await page.evaluate(pageTexts);
    const wrong = [];
    for (const { text, where: at } of texts) {
        const hit = !data.strings.has(text) && FOREIGN[lang].find((f) => f.re.test(text));
        if (hit) wrong.push(`${at}: ${JSON.stringify(text)} is ${hit.id} (${JSON.stringify(hit.value)})`);
        // t() gives the id itself for a message its catalogue lacks
        const id = wordsOf(text).find((w) => IDS.has(w));
        if (id) wrong.push(`${at}: ${JSON.stringify(text)} shows the message id ${id}`);
    }
    assert.deepEqual(wrong, [], `${where} in ${lang} shows text of ${OTHER[lang]}`);
    const stray = [];
    for (const { text, where: at, lang: marked } of texts) {
        if (marked !== lang) continue;
        for (const w of wordsOf(text)) {
            if (FOREIGN_WORD[lang].test(w) && !TECHNICAL[lang](w) && !data.words.has(w)) stray.push(`${at}: ${JSON.stringify(w)} in ${JSON.stringify(text)}`);
        }
    }
    assert.deepEqual(stray, [], `${where} in ${lang} shows words of ${OTHER[lang]} that neither its catalogue nor the data has`);
    if (lang === 'zh-CN') await page.checkA11y(`${where} (zh-CN)`);
}

// ---- pages ---------------------------------------------------------------------------

function newPage(browser) {
    return newBrowserPage(browser, { viewport: { width: 1280, height: 800 } });
}

/** Logs in through the form, whatever its language; waits for the list's rows. */
async function logIn(page) {
    await page.fill('#login-username', ADMIN.name);
    await page.fill('#login-password', ADMIN.password);
    await page.keyboard.press('Enter');
    await page.locator('.vm-table tbody tr').first().waitFor({ timeout: TIMEOUT });
}

async function goHash(page, hash) {
    await page.evaluate((h) => { location.hash = h; }, hash);
}

/** The uuid of the first running VM that has a VNC console (every tab shows for it). */
async function runningVm(page) {
    const row = page.locator('.vm-table tbody tr').filter({ has: page.locator('button[data-action="destroy"]') }).first();
    return row.getAttribute('data-uuid');
}

/** Visits every page in lang and asserts it (assertLanguage). shots: also the screenshots. */
async function everyPage(page, lang, { shots = false } = {}) {
    const t = T[lang];
    const shot = async (name) => {
        if (shots) await page.screenshot({ path: artifact(`${lang}-${name}.png`) });
    };
    await goHash(page, '#/');
    await page.locator('.vm-table tbody tr').first().waitFor({ timeout: TIMEOUT });
    await page.locator('.conn-open').waitFor({ timeout: TIMEOUT });
    await page.locator('.host-panel .pill-ok').waitFor({ timeout: TIMEOUT });
    const data = await dataTexts(page);
    const check = (where) => assertLanguage(page, lang, where, data);
    await check('the VM list');
    await shot('list');

    const uuid = await runningVm(page);
    await chooseAction(page.locator(`.vm-table tbody tr[data-uuid="${uuid}"]`), 'destroy');
    const dialog = page.locator('dialog.dialog[open]');
    await dialog.waitFor();
    await check('a confirmation');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await page.locator('.user-button').click();
    await page.locator('#user-menu-panel').waitFor();
    await check('the user menu');
    await page.keyboard.press('Escape');
    await page.locator('#user-menu-panel').waitFor({ state: 'hidden' });

    await goHash(page, `#/domains/${uuid}`);
    await page.locator('#about-title').waitFor({ timeout: TIMEOUT });
    await page.locator('.tab-panel-overview .props dd').first().waitFor({ timeout: TIMEOUT });
    await check('the VM page (Overview)');
    await shot('detail');
    // The test driver serves no console: each console tab ends disconnected, saying why.
    for (const [tab, ready] of [['console', '.tab-panel-console .console-state[data-state="disconnected"]'],
        ['serial', '.tab-panel-serial .console-state[data-state="disconnected"]'],
        ['disks', '.tab-panel-disks tbody tr'], ['nics', '.tab-panel-nics tbody tr'],
        ['config', '.tab-panel-config .pin-grid tbody tr']]) {
        await page.locator(`[role="tab"][data-tab="${tab}"]`).click();
        await page.locator(ready).first().waitFor({ timeout: TIMEOUT });
        await check(`the VM page (${tab})`);
    }

    // Each resource page, then with its form open: its hash, a row it shows, the button
    // that opens the form, the form's heading.
    for (const [hash, row, button, heading] of [['#/networks', 'default', 'networks.create', 'net-form-title'],
        ['#/storage', 'default', 'storage.create', 'pool-form-title'],
        ['#/storage/default', 'web-01.qcow2', 'upload.open', 'upload-title']]) {
        await goHash(page, hash);
        await page.locator(`tr[data-name="${row}"]`).waitFor({ timeout: TIMEOUT });
        await check(hash);
        await page.getByRole('button', { name: t(button), exact: true }).click();
        await page.locator(`form[aria-labelledby="${heading}"]`).waitFor();
        await check(`${hash} with ${button}`);
    }

    // The create wizard, each step (the demo's first volume stands in for an ISO)
    await goHash(page, '#/create');
    for (const step of ['source', 'os', 'resources', 'summary']) {
        const panel = page.locator(`.wizard-panel[data-step="${step}"]`, { visible: true });
        await panel.waitFor({ timeout: TIMEOUT });
        if (step === 'source') await page.waitForFunction(() => document.querySelectorAll('.wizard-panel select option[value$=".qcow2"]').length > 0, null, { timeout: TIMEOUT });
        if (step === 'os') { // osinfo's names are English data (marked lang="en")
            await panel.locator('input[type="search"]').fill('debian11');
            await panel.locator('.os-choice input[value="debian11"]').check();
        }
        if (step === 'resources') await panel.locator('input[type="text"]').first().fill('vdtest-i18n');
        await check(`the create wizard (${step})`);
        if (step !== 'summary') await panel.locator('button[type="submit"]').click();
    }
    await shot('create');
    await shot('pool');
}

/** Loads url anew (a new document, even when only its hash differs from the page's). */
async function reload(page, url) {
    await page.goto('about:blank');
    await page.goto(url);
}

/** Chooses lang in the open user menu (or the login page's picker: sel). */
async function choose(page, lang, sel = '#user-menu-language') {
    await page.locator(sel).selectOption(lang);
    await page.waitForFunction((l) => document.documentElement.lang === l, lang, { timeout: TIMEOUT });
}

// ---- tests ---------------------------------------------------------------------------

let zhPage; // the zh-CN browser's page, kept from one test to the next

test('a browser whose languages are zh-CN starts in Chinese, and every page is Chinese', async () => {
    const { page, problems } = await newPage(zhBrowser);
    zhPage = { page, problems };
    try {
        await page.goto(`${daemon.url}/`);
        await page.locator('#login-username').waitFor({ timeout: TIMEOUT });
        assert.deepEqual(await page.evaluate(() => navigator.languages), ['zh-CN'], 'the browser asks for zh-CN');
        assert.equal(await page.evaluate(() => localStorage.getItem('virtdeck-language')), null, 'nothing chosen');
        await page.getByRole('button', { name: T['zh-CN']('shell.login.submit'), exact: true }).waitFor();
        await assertLanguage(page, 'zh-CN', 'the login page');
        await page.screenshot({ path: artifact('zh-CN-login.png') });
        await logIn(page);
        zhPage.loggedIn = true;
        await everyPage(page, 'zh-CN', { shots: true });
        assert.deepEqual(problems, []);
    } catch (err) {
        throw withDaemonLog(daemon, err);
    }
});

test('switching to English from the user menu keeps the page, and survives a reload', async () => {
    const { page, problems } = zhPage ?? {};
    try {
        assert.ok(zhPage?.loggedIn, 'the first test logged in');
        // A VM's page, scrolled so that its last card is at the top.
        await goHash(page, '#/');
        const uuid = await page.locator('.vm-table tbody tr').first().getAttribute('data-uuid');
        await goHash(page, `#/domains/${uuid}`);
        await page.locator('#about-title').waitFor({ timeout: TIMEOUT });
        const hash = await page.evaluate(() => location.hash);
        const before = await page.evaluate(() => {
            const cards = [...document.querySelectorAll('.tab-panel-overview .card')];
            const last = cards[cards.length - 1];
            last.scrollIntoView({ block: 'start', behavior: 'instant' });
            return { y: window.scrollY, card: cards.length - 1, top: last.getBoundingClientRect().top };
        });
        assert.ok(before.y > 100, `the VM page scrolls (scrollY ${before.y})`);
        await page.locator('.user-button').click();
        await choose(page, 'en');
        await page.locator('#about-title', { hasText: T.en('names.about.heading') }).waitFor({ timeout: TIMEOUT });
        assert.equal(await page.evaluate(() => location.hash), hash, 'the same page');
        assert.equal(await page.locator('#user-menu-panel').isVisible(), true, 'the menu stays open');
        const after = await page.evaluate((i) => {
            const card = document.querySelectorAll('.tab-panel-overview .card')[i];
            const r = card.getBoundingClientRect();
            return { y: window.scrollY, top: r.top, bottom: r.bottom, height: innerHeight };
        }, before.card);
        // The same card where it was, give or take what the other language's text above it changed.
        assert.ok(Math.abs(after.top - before.top) < 150, `the same card in view: ${JSON.stringify({ before, after })}`);

        // A tab chosen stays chosen: to Chinese and back on the Disks tab.
        await page.keyboard.press('Escape');
        await page.locator('[role="tab"][data-tab="disks"]').click();
        await page.locator('.tab-panel-disks tbody tr').first().waitFor({ timeout: TIMEOUT });
        const diskHash = `${hash}/tab/disks`; // the chosen tab is in the URL
        assert.equal(await page.evaluate(() => location.hash), diskHash);
        for (const lang of ['zh-CN', 'en']) {
            await page.locator('.user-button').click();
            await choose(page, lang);
            await page.locator('[role="tab"][data-tab="disks"]', { hasText: T[lang]('domains.detail.disks') }).waitFor();
            assert.equal(await page.locator('[role="tab"][data-tab="disks"]').getAttribute('aria-selected'), 'true');
            assert.equal(await page.locator('.tab-panel-disks').isVisible(), true);
            assert.equal(await page.evaluate(() => location.hash), diskHash);
            await page.keyboard.press('Escape');
        }
        assert.equal(await page.evaluate(() => localStorage.getItem('virtdeck-language')), 'en', 'the choice is remembered');

        // A reload keeps the choice over the browser's zh-CN.
        await reload(page, `${daemon.url}/${hash}`);
        await page.locator('#about-title', { hasText: T.en('names.about.heading') }).waitFor({ timeout: TIMEOUT });
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
        await everyPage(page, 'en');
        assert.deepEqual(problems, []);
    } catch (err) {
        throw withDaemonLog(daemon, err);
    } finally {
        await page?.close();
    }
});

test('Chinese chosen on the login page, before logging in, lasts', async () => {
    const { page, problems } = await newPage(enBrowser);
    try {
        await page.goto(`${daemon.url}/`);
        await page.locator('#login-username').waitFor({ timeout: TIMEOUT });
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'en', 'an en-US browser starts in English');
        await assertLanguage(page, 'en', 'the login page');
        await page.fill('#login-username', ADMIN.name);
        await choose(page, 'zh-CN', '#login-language');
        await page.getByRole('button', { name: T['zh-CN']('shell.login.submit'), exact: true }).waitFor();
        assert.equal(await page.locator('#login-username').inputValue(), ADMIN.name, 'the typed name stays');
        await assertLanguage(page, 'zh-CN', 'the login page after choosing Chinese');
        await logIn(page);
        await page.locator('#page-title', { hasText: T['zh-CN']('domains.list.title') }).waitFor();
        await assertLanguage(page, 'zh-CN', 'the VM list after logging in', await dataTexts(page));
        await reload(page, `${daemon.url}/`);
        await page.locator('#page-title', { hasText: T['zh-CN']('domains.list.title') }).waitFor({ timeout: TIMEOUT });
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN', 'after a reload');
        assert.deepEqual(problems, []);
    } catch (err) {
        throw withDaemonLog(daemon, err);
    } finally {
        await page.close();
    }
});
