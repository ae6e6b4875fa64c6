// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/bench/metrics/run.mjs — `make bench`: what monitoring costs at 1,000 domains on the
// machine's own libvirtd (qemu:///system), next to Debian's prometheus-libvirt-exporter
// scraping the same domains, and writes the section of docs/performance.md between
// <!-- metrics-bench --> and <!-- /metrics-bench --> (the rest is left alone).
//
// Defines 1,000 diskless domains vdmetric-NNNN (shut off) and starts BENCH_METRICS_RUNNING
// of them (default 4: every running guest is a QEMU process on this 2-core machine). Then,
// interleaved round by round (BENCH_METRICS_ROUNDS, default 3), one window of
// BENCH_METRICS_WINDOW_S seconds (default 60) for each target, each started fresh and
// warmed up for one interval before its window opens:
//   (a) virtdeck: collecting every 10 s (metrics_interval, nobody watching: history and
//       alerts fed), /metrics scraped with the scrape token every 10 s as Prometheus would;
//   (b) prometheus-libvirt-exporter: scraped every 10 s (it collects per scrape).
// Each window measures the target's CPU time and libvirtd's (utime + stime from
// /proc/PID/stat), the scrape's time and size. virtdeck is served over TLS (its own
// certificate, TLS 1.3), the exporter over plain HTTP (it has no TLS): that favours the
// exporter. The history's bytes per VM come from virtdeck's metrics.db after its windows.
// Every vdmetric domain is destroyed and undefined afterwards, also after a failure or ^C.
// Env: VIRTDECK_BIN, BENCH_METRICS_DOMAINS (1000), BENCH_METRICS_RUNNING (4),
// BENCH_METRICS_ROUNDS (3), BENCH_METRICS_WINDOW_S (60), BENCH_METRICS_DOC=0 (print only).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, freePort, startDaemon, virtdeckBin } from '../../lib/daemon.mjs';
import { Client } from '../../lib/client.mjs';
import { ensureSystemLibvirtd, SYSTEM_URI, virsh } from '../../lib/system-libvirtd.mjs';
import { defineBenchDomains, removeBenchDomains } from '../../lib/bench-domains.mjs';
import { writeDocSection } from '../../lib/bench-doc.mjs';

const DOMAINS = Number(process.env.BENCH_METRICS_DOMAINS || 1000);
const RUNNING = Number(process.env.BENCH_METRICS_RUNNING || 4);
const ROUNDS = Number(process.env.BENCH_METRICS_ROUNDS || 3);
const WINDOW_S = Number(process.env.BENCH_METRICS_WINDOW_S || 60);
const WRITE_DOC = process.env.BENCH_METRICS_DOC !== '0';
const INTERVAL_S = 10;
const EXPORTER = '/usr/bin/prometheus-libvirt-exporter';
const OUT_DIR = path.join(REPO_ROOT, 'build', 'bench', 'metrics');
const DOC = path.join(REPO_ROOT, 'docs', 'performance.md');
const MARK_BEGIN = '<!-- metrics-bench -->';
const MARK_END = '<!-- /metrics-bench -->';
const PREFIX = 'vdmetric-';
const SCRAPE_TOKEN = 'bench-metrics-scrape-token-0123456789';
const CLK_TCK = 100;

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });
const sorted = (a) => [...a].sort((x, y) => x - y);
const median = (a) => { const s = sorted(a); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };

function log(...a) { console.log('[metrics-bench]', ...a); }

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime (fields 14, 15)
}

function libvirtdPid() {
    const pid = Number(readFileSync('/run/libvirtd.pid', 'utf8').trim());
    if (!pid) throw new Error('no /run/libvirtd.pid');
    return pid;
}

/** Scrapes every INTERVAL_S for WINDOW_S while measuring the target's and libvirtd's CPU. */
async function window(targetPid, scrapeOnce) {
    const lvPid = libvirtdPid();
    const scrapes = [];
    let bytes = 0;
    const c0 = cpuSeconds(targetPid);
    const l0 = cpuSeconds(lvPid);
    const t0 = performance.now();
    for (let i = 0; i < WINDOW_S / INTERVAL_S; i++) {
        const s0 = performance.now();
        bytes = await scrapeOnce();
        scrapes.push(performance.now() - s0);
        await sleep(Math.max(0, t0 + (i + 1) * INTERVAL_S * 1000 - performance.now()));
    }
    const secs = (performance.now() - t0) / 1000;
    return {
        cpuPct: ((cpuSeconds(targetPid) - c0) * 100) / secs,
        libvirtdPct: ((cpuSeconds(lvPid) - l0) * 100) / secs,
        scrapeMs: median(scrapes),
        bytes,
    };
}

async function virtdeckWindow(stateDir) {
    const daemon = await startDaemon({
        uri: SYSTEM_URI, stateDir, timeoutMs: 60000,
        config: { metrics_interval: INTERVAL_S, metrics_token: SCRAPE_TOKEN },
    });
    const client = new Client(daemon);
    // The daemon closes a connection idle for keepalive_timeout (10 s, serve.c), the very
    // interval of the scrapes: a request sent on a kept-alive socket as the daemon closes
    // it is reset. Prometheus's Go client then retries on a new connection; so does this
    // (counted in the window's retries).
    let retries = 0;
    const get = () => client.get('/metrics', { headers: { Authorization: `Bearer ${SCRAPE_TOKEN}` }, timeoutMs: 60000 });
    const scrape = async () => {
        const r = await get().catch((e) => {
            if (e.code !== 'ECONNRESET') throw e;
            retries++;
            return get();
        });
        if (r.status !== 200) throw new Error(`virtdeck /metrics: ${r.status}`);
        return r.body.length;
    };
    try {
        await sleep(INTERVAL_S * 1000 + 1000); // its first collections (the rates need two)
        await scrape();
        return { ...(await window(daemon.pid, scrape)), retries };
    } finally {
        client.close();
        await daemon.stop({ keepStateDir: true });
    }
}

function httpGet(port, urlPath) {
    return new Promise((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: 60000 }, (res) => {
            let n = 0;
            res.on('data', (d) => { n += d.length; });
            res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`exporter ${urlPath}: ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.on('timeout', () => req.destroy(new Error('exporter scrape timed out')));
    });
}

async function exporterWindow() {
    const port = await freePort();
    const proc = spawn(EXPORTER, [`--web.listen-address=127.0.0.1:${port}`, `--libvirt.uri=${SYSTEM_URI}`],
        { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (d) => { err += d; });
    const exited = new Promise((r) => { proc.on('exit', r); });
    const scrape = () => httpGet(port, '/metrics');
    try {
        for (let i = 0; ; i++) { // until it listens
            try { await scrape(); break; } catch (e) {
                if (i > 100) throw new Error(`exporter never answered: ${e.message}\n${err}`, { cause: e });
                await sleep(100);
            }
        }
        await sleep(INTERVAL_S * 1000);
        return await window(proc.pid, scrape);
    } finally {
        proc.kill('SIGTERM');
        await exited;
    }
}

function startRunning(names) {
    for (const name of names) {
        const r = virsh(['start', name], { timeoutMs: 60000 });
        if (!r.ok) throw new Error(`virsh start ${name}: ${r.stderr}`);
    }
}

function section(res, meta) {
    const row = (name, a) => `| ${name} | ${median(a.map((w) => w.cpuPct)).toFixed(2)} % | ` +
        `${median(a.map((w) => w.libvirtdPct)).toFixed(2)} % | ` +
        `${median(a.map((w) => w.cpuPct + w.libvirtdPct)).toFixed(2)} % | ` +
        `${median(a.map((w) => w.scrapeMs)).toFixed(1)} ms | ${(median(a.map((w) => w.bytes)) / 1024).toFixed(1)} KiB |`;
    const vdTotal = median(res.virtdeck.map((w) => w.cpuPct + w.libvirtdPct));
    const exTotal = median(res.exporter.map((w) => w.cpuPct + w.libvirtdPct));
    const lines = [
        MARK_BEGIN,
        '## Monitoring at 1,000 domains on qemu:///system',
        '',
        'Generated by `make bench` (tests/bench/metrics/run.mjs); do not edit by hand.',
        '',
        `- Date: ${new Date().toISOString()}; binary: ${meta.bin}; exporter: ${meta.exporter}`,
        `- ${DOMAINS} diskless domains \`${PREFIX}NNNN\` defined, ${RUNNING} of them running (each a QEMU`,
        '  process; this 2-core machine cannot run a thousand), defined for the run and removed after it',
        `- ${ROUNDS} rounds, each one ${WINDOW_S} s window per target, targets interleaved, each started fresh`,
        `  and warmed up for ${INTERVAL_S} s; both collect every ${INTERVAL_S} s (virtdeck by its own timer, the`,
        `  exporter per scrape) and both are scraped every ${INTERVAL_S} s. virtdeck answers over TLS, the`,
        '  exporter over plain HTTP (it has no TLS)',
        '',
        '| target | its CPU | libvirtd\'s CPU | together | scrape (median) | scrape size |',
        '|---|---|---|---|---|---|',
        row('virtdeck (collection + history + alerts + /metrics)', res.virtdeck),
        row('prometheus-libvirt-exporter', res.exporter),
        '',
        `Together, virtdeck costs ${(vdTotal / exTotal).toFixed(2)}× the exporter's CPU ` +
        `(${vdTotal <= exTotal ? 'cheaper: target met' : 'dearer: target MISSED'}), and it also keeps the history.`,
        '',
        `Scrapes retried on a new connection after a reset of a kept-alive one (the daemon's 10 s idle close): ` +
        `${res.virtdeck.reduce((n, w) => n + w.retries, 0)} of ${ROUNDS * (WINDOW_S / INTERVAL_S + 1)}.`,
        '',
        `History on disk: ${meta.history}`,
        MARK_END,
    ];
    return { text: lines.join('\n'), missed: vdTotal > exTotal };
}

/** Bytes of metrics.db per running domain after the virtdeck windows. */
function historyBytes(stateDir) {
    const file = path.join(stateDir, 'metrics.db');
    if (!existsSync(file)) return 'no metrics.db was written';
    let bytes = statSync(file).size;
    for (const ext of ['-wal', '-shm']) if (existsSync(file + ext)) bytes += statSync(file + ext).size;
    const windowS = ROUNDS * (WINDOW_S + INTERVAL_S);
    return `${(bytes / 1024).toFixed(1)} KiB after ${windowS} s of collection for ${RUNNING} running ` +
        `domains (the raw tier; docs/performance.md "History size" gives the bound per VM per year)`;
}

async function main() {
    if (!existsSync(EXPORTER)) throw new Error(`${EXPORTER} missing (packaging/install-deps.sh installs it)`);
    await ensureSystemLibvirtd();
    rmSync(OUT_DIR, { recursive: true, force: true });
    mkdirSync(OUT_DIR, { recursive: true });
    removeBenchDomains(PREFIX, log);
    process.on('SIGINT', () => { removeBenchDomains(PREFIX, log); process.exit(130); });
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'virtdeck-metrics-bench-'));
    try {
        const names = defineBenchDomains(OUT_DIR, PREFIX, DOMAINS);
        startRunning(names.slice(0, RUNNING));
        log(`${DOMAINS} defined, ${RUNNING} running`);
        const res = { virtdeck: [], exporter: [] };
        for (let i = 0; i < ROUNDS; i++) {
            res.virtdeck.push(await virtdeckWindow(stateDir));
            res.exporter.push(await exporterWindow());
            log(`round ${i + 1}: virtdeck ${JSON.stringify(res.virtdeck[i])}; exporter ${JSON.stringify(res.exporter[i])}`);
        }
        const version = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'prometheus-libvirt-exporter'], { encoding: 'utf8' }).stdout;
        const { text, missed } = section(res, {
            bin: path.relative(REPO_ROOT, virtdeckBin()) || virtdeckBin(),
            exporter: `prometheus-libvirt-exporter ${version}`,
            history: historyBytes(stateDir),
        });
        console.log(text);
        if (WRITE_DOC) writeDocSection(DOC, MARK_BEGIN, MARK_END, text);
        return missed;
    } finally {
        rmSync(stateDir, { recursive: true, force: true });
        removeBenchDomains(PREFIX, log);
    }
}

main().then((missed) => {
    if (missed) log('target MISSED');
    process.exitCode = 0;
}, (e) => {
    console.error('[metrics-bench] failed:', e);
    process.exitCode = 1;
});
