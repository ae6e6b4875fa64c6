// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/bench/list/run.mjs — `make bench`: the domain list and the events snapshot on
// the machine's own libvirtd (qemu:///system) with 1,000 defined domains, next to
// libvirt's floor for the same facts, and writes the section of docs/performance.md
// between <!-- list-bench --> and <!-- /list-bench --> (the rest is left alone).
//
// Defines 1,000 diskless domains named vdbench-NNNN (one virsh process reading
// "define" lines), then measures, interleaved round by round: (a) the floor, one
// virConnectGetAllDomainStats(state|cpu|balloon|vcpu) timed inside build/bench/list-floor;
// (b) GET /api/domains on one keep-alive TLS connection (Accept-Encoding: gzip, as a
// browser sends); (c) a new /api/events websocket until its snapshot message. Every
// vdbench domain is undefined afterwards, also after a failure or ^C.
// Env: VIRTDECK_BIN, BENCH_TOOLS_DIR, BENCH_LIST_DOMAINS (1000), BENCH_LIST_ROUNDS (60),
// BENCH_LIST_DOC=0 (print only, e.g. for another binary), BENCH_STRICT=1 (exit 1 on a miss).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { REPO_ROOT, startDaemon, virtdeckBin } from '../../lib/daemon.mjs';
import { Client } from '../../lib/client.mjs';
import { SYSTEM_URI, ensureSystemLibvirtd } from '../../lib/system-libvirtd.mjs';
import { defineBenchDomains, removeBenchDomains } from '../../lib/bench-domains.mjs';
import { writeDocSection } from '../../lib/bench-doc.mjs';

const DOMAINS = Number(process.env.BENCH_LIST_DOMAINS || 1000);
const ROUNDS = Number(process.env.BENCH_LIST_ROUNDS || 60);
const WRITE_DOC = process.env.BENCH_LIST_DOC !== '0';
const TOOLS = process.env.BENCH_TOOLS_DIR || path.join(REPO_ROOT, 'build', 'bench');
const FLOOR_BIN = path.join(TOOLS, 'list-floor');
const OUT_DIR = path.join(REPO_ROOT, 'build', 'bench', 'list');
const DOC = path.join(REPO_ROOT, 'docs', 'performance.md');
const MARK_BEGIN = '<!-- list-bench -->';
const MARK_END = '<!-- /list-bench -->';
const PREFIX = 'vdbench-';
const PASSWORD = 'bench-list-password-1';
const TARGET_RATIO = 2;

const sorted = (a) => [...a].sort((x, y) => x - y);
const median = (a) => { const s = sorted(a); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const pct = (a, p) => { const s = sorted(a); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
const fmt = (ms) => `${ms.toFixed(1)} ms`;

function log(...a) { console.log('[list-bench]', ...a); }

/** The floor tool: one stats call per request, its time in ms. */
function startFloor() {
    const proc = spawn(FLOOR_BIN, [SYSTEM_URI], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: proc.stdout });
    const waiting = [];
    lines.on('line', (l) => { const w = waiting.shift(); if (w) w.resolve(l); });
    proc.on('exit', (code) => { for (const w of waiting.splice(0)) w.reject(new Error(`list-floor exited (${code})`)); });
    return {
        once() {
            return new Promise((resolve, reject) => {
                waiting.push({
                    resolve: (l) => {
                        const [us, n] = l.split(' ').map(Number);
                        resolve({ ms: us / 1000, records: n });
                    },
                    reject,
                });
                proc.stdin.write('\n');
            });
        },
        stop() { proc.stdin.end(); },
    };
}

/** Opens /api/events and resolves with the time until its first (snapshot) message. */
function snapshotOnce(client) {
    return new Promise((resolve, reject) => {
        const t0 = performance.now();
        const ws = new WebSocket(`wss://${client.host}:${client.port}/api/events`, [], {
            ...client.tlsOpts, origin: client.origin, headers: { Cookie: client.cookieHeader() },
            handshakeTimeout: 30000, perMessageDeflate: false,
        });
        const timer = setTimeout(() => { ws.terminate(); reject(new Error('no snapshot in 30 s')); }, 30000);
        ws.once('message', (data) => {
            const ms = performance.now() - t0;
            clearTimeout(timer);
            ws.close();
            const m = JSON.parse(data.toString('utf8'));
            if (m.type !== 'snapshot') reject(new Error(`first message is ${m.type}`));
            else resolve({ ms, count: m.domains.length });
        });
        ws.on('error', (e) => { clearTimeout(timer); reject(e); });
    });
}

async function listOnce(client) {
    const t0 = performance.now();
    const r = await client.get('/api/domains', { headers: { 'Accept-Encoding': 'gzip' }, timeoutMs: 60000 });
    const ms = performance.now() - t0;
    if (r.status !== 200) throw new Error(`GET /api/domains: ${r.status}`);
    return { ms, bytes: r.body.length, gzip: r.headers['content-encoding'] === 'gzip' };
}

async function measure() {
    const res = { floor: [], list: [], snapshot: [] };
    const daemon = await startDaemon({ uri: SYSTEM_URI, users: [{ name: 'admin', role: 'admin', password: PASSWORD }], timeoutMs: 30000 });
    const floor = startFloor();
    const client = new Client(daemon);
    try {
        await client.login('admin', PASSWORD);
        // Warm-up: the daemon's first list reads each domain's XML once (its traits cache).
        const f0 = await floor.once();
        const l0 = await listOnce(client);
        const s0 = await snapshotOnce(client);
        log(`warm-up: floor ${fmt(f0.ms)} (${f0.records} records), list ${fmt(l0.ms)}, snapshot ${fmt(s0.ms)} (${s0.count} domains)`);
        res.records = f0.records;
        res.listBytes = l0.bytes;
        res.listGzip = l0.gzip;
        for (let i = 0; i < ROUNDS; i++) {
            res.floor.push((await floor.once()).ms);
            res.list.push((await listOnce(client)).ms);
            res.snapshot.push((await snapshotOnce(client)).ms);
        }
    } finally {
        client.close();
        floor.stop();
        await daemon.stop();
    }
    return res;
}

function section(res, meta) {
    const floorMed = median(res.floor);
    const rows = [
        ['libvirt floor: one virConnectGetAllDomainStats (state, cpu, balloon, vcpu)', res.floor],
        ['GET /api/domains (keep-alive TLS, Accept-Encoding: gzip)', res.list],
        ['events snapshot (new /api/events websocket until the snapshot message)', res.snapshot],
    ];
    const verdict = (a) => (median(a) <= TARGET_RATIO * floorMed ? 'met' : 'MISSED');
    const lines = [
        MARK_BEGIN,
        '## Domain list on qemu:///system (1,000 defined domains)',
        '',
        'Generated by `make bench` (tests/bench/list/run.mjs); do not edit by hand.',
        '',
        `- Date: ${new Date().toISOString()}; binary: ${meta.bin}`,
        `- ${res.records} domains on the machine's libvirtd (${meta.defined} of them \`vdbench-NNNN\`, diskless,`,
        '  shut off; defined for the run and undefined after it)',
        `- ${ROUNDS} rounds, each: the floor (timed inside \`build/bench/list-floor\`, a C program`,
        '  linking libvirt), one GET /api/domains, one new events websocket; after one warm-up round',
        `- GET /api/domains body: ${(res.listBytes / 1024).toFixed(1)} KiB${res.listGzip ? ' (gzip)' : ''}`,
        '',
        '| measure | median | p99 | median / floor | target (≤ 2× floor) |',
        '|---|---|---|---|---|',
    ];
    rows.forEach(([name, a], i) => {
        lines.push(`| ${name} | ${fmt(median(a))} | ${fmt(pct(a, 99))} | ${(median(a) / floorMed).toFixed(2)}× | ${i === 0 ? '—' : verdict(a)} |`);
    });
    lines.push('', 'The list costs four libvirt RPCs whatever the number of domains (three',
        '`virConnectListAllDomains`: all, transient, autostart; one `virDomainListGetStats`:',
        'state, vCPU, balloon); the XML-only fields come from the daemon\'s cache. The snapshot is',
        'the same list, plus the websocket upgrade.', MARK_END);
    return { text: lines.join('\n'), missed: rows.slice(1).some(([, a]) => verdict(a) !== 'met') };
}

async function main() {
    if (!existsSync(FLOOR_BIN)) throw new Error(`${FLOOR_BIN} missing (make bench builds it)`);
    await ensureSystemLibvirtd(); // throws when it cannot be started
    rmSync(OUT_DIR, { recursive: true, force: true });
    mkdirSync(OUT_DIR, { recursive: true });
    removeBenchDomains(PREFIX, log); // leftovers of an interrupted run
    process.on('SIGINT', () => { removeBenchDomains(PREFIX, log); process.exit(130); });
    try {
        const t0 = performance.now();
        defineBenchDomains(OUT_DIR, PREFIX, DOMAINS);
        log(`defined ${DOMAINS} domains in ${fmt(performance.now() - t0)}`);
        const res = await measure();
        const { text, missed } = section(res, { bin: path.relative(REPO_ROOT, virtdeckBin()) || virtdeckBin(), defined: DOMAINS });
        console.log(text);
        if (WRITE_DOC) writeDocSection(DOC, MARK_BEGIN, MARK_END, text);
        if (missed) log('target MISSED');
        return missed;
    } finally {
        removeBenchDomains(PREFIX, log);
    }
}

main().then((missed) => {
    process.exitCode = missed && process.env.BENCH_STRICT === '1' ? 1 : 0;
}, (e) => {
    console.error('[list-bench] failed:', e);
    process.exitCode = 1;
});
