// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/bench/web/run.mjs — `make bench`: what the UI costs the network. Loads the UI in
// Debian's chromium (playwright-core, a Chrome DevTools Protocol session per page) and
// counts, per step, the HTTP requests and the bytes they moved (encoded body + response
// headers as the network sees them, and the decoded size), how many answers were 304s
// and how many came from the browser's cache without a request:
//   1. the login page, first load with an empty cache;
//   2. the first VM list after logging in;
//   3. a reload of the list in the same browser context;
//   4. the first VNC console page (the VM's display, reached from the list).
// Before = the UI of git tag BENCH_WEB_BEFORE_REF (default i10-start: every view imported
// up front, no hashed names, xterm's source maps copied) served by BENCH_WEB_BEFORE_BIN
// (default /work/baseline/virtdeck-i10start when it exists, else VIRTDECK_BIN: static
// serving did not change); after = build/web (`make web-build`) served by VIRTDECK_BIN.
// Both daemons run at once on libvirt's test driver with one running VM whose VNC display
// is a minimal RFB server in this process (so the console really connects), with the
// same TLS certificate; the rounds alternate before/after. Writes the section of
// docs/performance.md between <!-- web-bench --> and <!-- /web-bench -->.
// Every request gets BENCH_WEB_LATENCY_MS (40) of emulated latency, so the times say what
// round trips cost. Env: VIRTDECK_BIN, BENCH_WEB_ROUNDS (5), BENCH_WEB_BEFORE_REF,
// BENCH_WEB_BEFORE_BIN, BENCH_WEB_BEFORE_ROOT (a web root served as it is for before,
// e.g. another branch's build/web, instead of the ref's UI), BENCH_WEB_LATENCY_MS,
// BENCH_WEB_DOC=0 (print only), BENCH_WEB_VERBOSE=1 (every request of the first round).
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { REPO_ROOT, startDaemon, virtdeckBin } from '../../lib/daemon.mjs';
import { vncDomainXml } from '../../lib/vnc-domain.mjs';
import { writeDocSection } from '../../lib/bench-doc.mjs';

const ROUNDS = Number(process.env.BENCH_WEB_ROUNDS || 5);
const BEFORE_REF = process.env.BENCH_WEB_BEFORE_REF || 'i10-start';
const BEFORE_ROOT = process.env.BENCH_WEB_BEFORE_ROOT || '';
const BASELINE_BIN = '/work/baseline/virtdeck-i10start';
const BEFORE_BIN = process.env.BENCH_WEB_BEFORE_BIN || (fs.existsSync(BASELINE_BIN) ? BASELINE_BIN : virtdeckBin());
const WRITE_DOC = process.env.BENCH_WEB_DOC !== '0';
const DOC = path.join(REPO_ROOT, 'docs', 'performance.md');
const MARK_BEGIN = '<!-- web-bench -->';
const MARK_END = '<!-- /web-bench -->';
const AFTER_ROOT = path.join(REPO_ROOT, 'build', 'web');
const USER = { name: 'bench', role: 'admin', password: 'bench-web-password-1' };
const VM = { name: 'web-bench', uuid: '6a1c3f0e-5b7d-4c2a-9e8f-0d1b2c3a4e5f' };
const QUIET_MS = 400; // no request in flight for this long ends a step
const READY_POLL_MS = 10; // how often the page is asked whether a step's page is usable
const LATENCY_MS = Number(process.env.BENCH_WEB_LATENCY_MS || 40); // added to every request
const STEP_TIMEOUT_MS = 20000;

const log = (...a) => console.log('[web-bench]', ...a);
const median = (a) => { const s = [...a].sort((x, y) => x - y); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the trees -----------------------------------------------------------------------

/** web/ of git ref `ref` with its vendor/ as the Makefile of that time built it. */
function beforeTree(dir, ref) {
    const tar = execFileSync('git', ['-C', REPO_ROOT, 'archive', ref, 'web'], { maxBuffer: 64 << 20 });
    const x = spawnSync('tar', ['-x', '-C', dir], { input: tar });
    if (x.status !== 0) throw new Error(`tar: ${x.stderr}`);
    const web = path.join(dir, 'web');
    const nm = path.join(REPO_ROOT, 'node_modules');
    const copy = (from, to) => fs.cpSync(path.join(nm, from), path.join(web, 'vendor', to), { recursive: true });
    copy('@novnc/novnc/core', 'novnc/core');
    copy('@novnc/novnc/vendor/pako', 'novnc/vendor/pako');
    copy('@novnc/novnc/LICENSE.txt', 'novnc/LICENSE.txt');
    for (const f of ['lib/xterm.mjs', 'lib/xterm.mjs.map', 'css/xterm.css']) copy(`@xterm/xterm/${f}`, `xterm/${path.basename(f)}`);
    for (const f of ['lib/addon-fit.mjs', 'lib/addon-fit.mjs.map']) copy(`@xterm/addon-fit/${f}`, `xterm/${path.basename(f)}`);
    copy('@xterm/xterm/LICENSE', 'xterm/LICENSE.txt');
    return web;
}

/** Bytes and file count of a served tree (what a deployment ships). */
function treeSize(dir) {
    let bytes = 0;
    let files = 0;
    let maps = 0;
    const walk = (d) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else { bytes += fs.statSync(p).size; files++; if (e.name.endsWith('.map')) maps += fs.statSync(p).size; }
        }
    };
    walk(dir);
    return { bytes, files, maps };
}

// ---- a minimal VNC server: RFB 3.8, security None, a 64x48 display, then silence -----

function startRfbServer() {
    const sockets = new Set();
    const server = net.createServer((sock) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
        sock.on('error', () => {});
        let buf = Buffer.alloc(0);
        let stage = 'version';
        sock.write('RFB 003.008\n');
        sock.on('data', (d) => {
            buf = Buffer.concat([buf, d]);
            if (stage === 'version' && buf.length >= 12) {
                buf = buf.subarray(12);
                sock.write(Buffer.from([1, 1])); // one security type: None
                stage = 'security';
            }
            if (stage === 'security' && buf.length >= 1) {
                buf = buf.subarray(1);
                sock.write(Buffer.from([0, 0, 0, 0])); // SecurityResult: OK
                stage = 'init';
            }
            if (stage === 'init' && buf.length >= 1) {
                buf = buf.subarray(1);
                const name = Buffer.from('web-bench');
                const init = Buffer.alloc(24);
                init.writeUInt16BE(64, 0);
                init.writeUInt16BE(48, 2);
                Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]).copy(init, 4);
                init.writeUInt32BE(name.length, 20);
                sock.write(Buffer.concat([init, name]));
                stage = 'done';
            }
            if (stage === 'done') buf = Buffer.alloc(0); // the client's requests go unanswered
        });
    });
    return new Promise((resolve) => {
        server.listen(0, '127.0.0.1', () => resolve({
            port: server.address().port,
            close: () => { for (const s of sockets) s.destroy(); server.close(); },
        }));
    });
}

// ---- measuring -----------------------------------------------------------------------

/**
 * Records the page's network activity through CDP. step(action, ready) runs action(),
 * waits for ready() and then for QUIET_MS without a request in flight, and returns that
 * step's figures. A request reached the network when its raw response arrived
 * (responseReceivedExtraInfo: the status as sent, 304s included, and the header text);
 * its bytes are then the header text for a 304 and loadingFinished's encoded length
 * (headers + encoded body) otherwise. One answered by the browser's cache has a
 * response but no raw one.
 */
async function recorder(context, page) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency: LATENCY_MS, downloadThroughput: -1, uploadThroughput: -1,
    });
    let reqs = new Map();
    const inflight = new Set();
    let lastActivity = Date.now();
    const rec = (id) => {
        if (!reqs.has(id)) reqs.set(id, { url: '', raw: null, responded: false, encoded: 0, decoded: 0, failed: null });
        return reqs.get(id);
    };
    cdp.on('Network.requestWillBeSent', (e) => {
        const r = rec(e.requestId);
        r.url = e.request.url;
        r.sentAt = performance.now();
        inflight.add(e.requestId);
        lastActivity = Date.now();
    });
    cdp.on('Network.responseReceivedExtraInfo', (e) => {
        rec(e.requestId).raw = { status: e.statusCode, headerBytes: Buffer.byteLength(e.headersText || '') };
    });
    cdp.on('Network.responseReceived', (e) => { rec(e.requestId).responded = true; });
    cdp.on('Network.dataReceived', (e) => { rec(e.requestId).decoded += e.dataLength; });
    const done = (e) => {
        const r = rec(e.requestId);
        if (e.encodedDataLength !== undefined) r.encoded = e.encodedDataLength;
        if (e.errorText) r.failed = e.errorText;
        r.doneAt = performance.now();
        inflight.delete(e.requestId);
        lastActivity = Date.now();
    };
    cdp.on('Network.loadingFinished', done);
    cdp.on('Network.loadingFailed', done);

    return async function step(action, ready) {
        reqs = new Map();
        const t0 = performance.now();
        const at = (t) => (t === undefined ? '-' : (t - t0).toFixed(0));
        await action();
        await ready();
        const readyMs = performance.now() - t0;
        const deadline = Date.now() + STEP_TIMEOUT_MS;
        while (inflight.size || Date.now() - lastActivity < QUIET_MS) {
            if (Date.now() > deadline) throw new Error(`requests still in flight: ${[...inflight].map((id) => reqs.get(id)?.url)}`);
            await sleep(50);
        }
        const all = [...reqs.values()].filter((r) => r.url.startsWith('https:'));
        const failed = all.filter((r) => r.failed || (r.raw && r.raw.status >= 400 && !/\/api\/session$/.test(r.url)));
        if (failed.length) throw new Error(`failed requests: ${failed.map((r) => `${r.url} ${r.raw?.status} ${r.failed || ''}`)}`);
        const network = all.filter((r) => r.raw);
        const isStatic = (r) => !new URL(r.url).pathname.startsWith('/api/');
        const bytes = (r) => (r.raw.status === 304 ? r.raw.headerBytes : Math.max(r.encoded, r.raw.headerBytes));
        const sum = (list, f) => list.reduce((n, r) => n + f(r), 0);
        const statics = network.filter(isStatic);
        return {
            readyMs,
            requests: network.length,
            staticRequests: statics.length,
            apiRequests: network.length - statics.length,
            notModified: network.filter((r) => r.raw.status === 304).length,
            fromCache: all.filter((r) => !r.raw && r.responded).length,
            bytes: sum(network, bytes),
            staticBytes: sum(statics, bytes),
            decoded: sum(statics, (r) => (r.raw.status === 304 ? 0 : r.decoded)),
            maps: all.filter((r) => new URL(r.url).pathname.endsWith('.map')).length,
            urls: network.map((r) => `${r.raw.status} ${new URL(r.url).pathname} ${bytes(r)} B ${at(r.sentAt)}-${at(r.doneAt)} ms`),
        };
    };
}

/**
 * Resolves once selector matches in the page, checked every READY_POLL_MS in the page
 * itself. (A locator's waitFor() polls at growing intervals, up to 500 ms apart after
 * the first second, which would round a step's time up by as much.)
 */
const shown = (page, selector) => page.waitForFunction((sel) => document.querySelector(sel) !== null, selector,
    { polling: READY_POLL_MS, timeout: STEP_TIMEOUT_MS });

/** One visit: the four steps in one fresh browser context (empty cache). */
async function visit(browser, daemon) {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    try {
        const page = await context.newPage();
        const step = await recorder(context, page);
        const listShown = () => shown(page, '.vm-table tbody tr');
        const login = await step(() => page.goto(`${daemon.url}/`), () => shown(page, '#login-username'));
        const list = await step(async () => {
            await page.fill('#login-username', USER.name);
            await page.fill('#login-password', USER.password);
            await page.press('#login-password', 'Enter');
        }, listShown);
        const reload = await step(() => page.reload(), listShown);
        const consolePage = await step(() => page.evaluate((h) => { window.location.hash = h; }, `#/domains/${VM.uuid}/console`),
            () => shown(page, '.console-state[data-state="connected"]'));
        return { login, list, reload, console: consolePage };
    } finally {
        await context.close();
    }
}

// ---- the section -----------------------------------------------------------------------

const STEPS = [
    ['login', 'login page, first load (empty cache)'],
    ['list', 'first VM list after logging in'],
    ['reload', 'reload of the list (same browser context)'],
    ['console', 'first console page (VNC, from the list)'],
];

function section(res, meta) {
    const m = (side, key, field) => median(res[side].map((v) => v[key][field]));
    let varied = false;
    const cell = (side, key, field, fmt = String) => {
        const steady = new Set(res[side].map((v) => v[key][field])).size === 1;
        varied ||= !steady;
        return `${fmt(m(side, key, field))}${steady ? '' : '*'}`;
    };
    const lines = [
        MARK_BEGIN,
        '## The UI on the network',
        '',
        'Generated by `make bench` (tests/bench/web/run.mjs); do not edit by hand.',
        '',
        `- Date: ${new Date().toISOString()}; ${ROUNDS} rounds, before and after taking turns; chromium ${meta.chromium} ` +
            "(headless, Debian's), a new browser context (empty cache) per round, the daemon's certificate trusted by its key",
        '  (chromium keeps nothing in its HTTP cache from a site whose certificate it does not trust)',
        BEFORE_ROOT
            ? `- Before: the web root ${BEFORE_ROOT} (${meta.before.files} files, ${kib(meta.before.bytes)}) served by ${meta.beforeBin}`
            : `- Before: the UI of \`${BEFORE_REF}\` (every view imported up front, no hashed names; ${meta.before.files} files, ` +
              `${kib(meta.before.bytes)}, of which ${kib(meta.before.maps)} xterm.js source maps) served by ${meta.beforeBin}`,
        `- After: \`build/web\` from \`make web-build\` (views loaded on first use, content-hashed names; ${meta.after.files} files, ` +
            `${kib(meta.after.bytes)}, no source maps) served by ${meta.afterBin}`,
        "- Both daemons run side by side on libvirt's test driver with one running VM whose VNC display is a minimal RFB",
        '  server in the benchmark (so the console connects), with the same TLS certificate, over loopback.',
        '- Requests: HTTP requests that reached the network (static files + API calls; the `/api/events` and console',
        '  websockets are not counted). 304: of those, answered Not Modified. From cache: answered by the browser\'s',
        '  cache without a request. Bytes: response headers + encoded body as received (the daemon gzips text); decoded:',
        "  the static files' size after decompression. Ready: from the step's action until its page is usable (looked for",
        `  every ${READY_POLL_MS} ms in the page), median, with ${LATENCY_MS} ms added to every request by chromium's network`,
        '  emulation (loopback has no round trip to save; on a shared machine compare before and after only).',
        '',
        '| step | | requests (static + API) | 304 | from cache | bytes | static bytes (decoded) | ready |',
        '|---|---|---|---|---|---|---|---|',
    ];
    for (const [key, label] of STEPS) {
        for (const side of ['before', 'after']) {
            const reqCell = `${cell(side, key, 'requests')} (${cell(side, key, 'staticRequests')} + ${cell(side, key, 'apiRequests')})`;
            lines.push(`| ${side === 'before' ? label : ''} | ${side} | ${reqCell} | ${cell(side, key, 'notModified')} | ` +
                `${cell(side, key, 'fromCache')} | ${cell(side, key, 'bytes', kib)} | ${cell(side, key, 'staticBytes', kib)} ` +
                `(${cell(side, key, 'decoded', kib)}) | ${m(side, key, 'readyMs').toFixed(0)} ms |`);
        }
    }
    const both = (side, field) => median(res[side].map((v) => v.login[field] + v.list[field]));
    const consoleMore = m('after', 'console', 'requests') - m('before', 'console', 'requests');
    if (varied) lines.push('', '\\* the rounds differed; the median is shown.');
    lines.push('',
        `Login page and first list together: ${both('before', 'requests')} requests and ${kib(both('before', 'bytes'))} ` +
        `before, ${both('after', 'requests')} requests and ${kib(both('after', 'bytes'))} after. The reload revalidates ` +
        `${m('after', 'reload', 'notModified')} file (index.html; before: ${m('before', 'reload', 'notModified')}) and takes ` +
        `${m('after', 'reload', 'fromCache')} from the cache unasked. The console page's own modules (its views, key and ` +
        `state helpers) now come with it rather than with the login page (${consoleMore} more requests than before); ` +
        'the web build gives each lazily loaded module',
        "the list of its static import graph (`importGraph()`, web/js/views/dom.js), so the console page's modules are",
        "asked for at once, then the VM's details, then noVNC's modules all at once, rather than one import level per",
        'round trip. The daemon speaks HTTP/1.1 only, so chromium sends them over at most 6 connections: noVNC\'s ~50',
        'modules still cost about 9 round trips of queueing, but none of waiting for the module that names the next.',
        MARK_END);
    return lines.join('\n');
}

async function main() {
    if (!fs.existsSync(path.join(AFTER_ROOT, 'index.html'))) throw new Error(`${AFTER_ROOT} missing (make web-build)`);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-bench-web-'));
    const daemons = [];
    let rfb = null;
    let browser = null;
    try {
        const beforeRoot = BEFORE_ROOT ? path.resolve(BEFORE_ROOT) : beforeTree(tmp, BEFORE_REF);
        rfb = await startRfbServer();
        const xml = path.join(tmp, 'vm.xml');
        fs.writeFileSync(xml, vncDomainXml({ ...VM, vncPort: rfb.port, comment: 'web benchmark: one VM with a VNC display' }));
        const uri = `test://${xml}`;
        const after = await startDaemon({ uri, users: [USER], config: { web_root: AFTER_ROOT } });
        daemons.push(after);
        const tlsDir = path.join(after.stateDir, 'tls');
        const sameCert = { cert: path.join(tlsDir, 'virtdeck.crt'), key: path.join(tlsDir, 'virtdeck.key') };
        const prevBin = process.env.VIRTDECK_BIN;
        process.env.VIRTDECK_BIN = BEFORE_BIN;
        let before;
        try {
            before = await startDaemon({ uri, users: [USER], config: { web_root: beforeRoot, ...sameCert } });
        } finally {
            if (prevBin === undefined) delete process.env.VIRTDECK_BIN;
            else process.env.VIRTDECK_BIN = prevBin;
        }
        daemons.push(before);
        // The certificate is trusted by its key (as a real deployment's would be by its
        // CA): chromium keeps nothing in its HTTP cache from a site with certificate errors.
        const spki = new X509Certificate(fs.readFileSync(sameCert.cert)).publicKey.export({ type: 'spki', format: 'der' });
        browser = await chromium.launch({
            executablePath: '/usr/bin/chromium',
            headless: true,
            args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
                '--disable-sync', '--no-first-run', '--disable-gpu',
                `--ignore-certificate-errors-spki-list=${createHash('sha256').update(spki).digest('base64')}`],
        });
        const res = { before: [], after: [] };
        for (let i = 0; i < ROUNDS; i++) {
            for (const [side, d] of i % 2 ? [['after', after], ['before', before]] : [['before', before], ['after', after]]) {
                const v = await visit(browser, d);
                res[side].push(v);
                log(`round ${i + 1}/${ROUNDS} ${side}: ${STEPS.map(([k]) => `${k} ${v[k].requests} req ${kib(v[k].bytes)} ${v[k].readyMs.toFixed(0)} ms`).join(', ')}`);
            }
        }
        if (process.env.BENCH_WEB_VERBOSE === '1') {
            for (const side of ['before', 'after']) for (const [k] of STEPS) log(side, k, res[side][0][k].urls.join(' '));
        }
        const rel = (p) => (p.startsWith(`${REPO_ROOT}/`) ? path.relative(REPO_ROOT, p) : p);
        return section(res, {
            chromium: browser.version(),
            before: treeSize(beforeRoot),
            after: treeSize(AFTER_ROOT),
            beforeBin: rel(BEFORE_BIN),
            afterBin: rel(virtdeckBin()),
        });
    } finally {
        await browser?.close();
        for (const d of daemons) await d.stop();
        rfb?.close();
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

const text = await main();
console.log(text);
if (WRITE_DOC) writeDocSection(DOC, MARK_BEGIN, MARK_END, text);
