// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/bench/console/run.mjs — `make bench`, second part: the console proxy benchmark.
// Owns: one synthetic VNC backend (backend.c) on 127.0.0.1, four targets in front of it
// (direct TCP, socat, websockify, virtdeck's /api/domains/{uuid}/console on a test-driver
// domain whose VNC port is the backend's), the C load generator (loadgen.c) against each
// in turn, and the "## Console proxy" section of docs/performance.md between
// <!-- console-bench --> and <!-- /console-bench --> (the rest of the file is left alone;
// tests/bench/run.mjs rewrites it first, then this appends its section).
// Runs in one Node process; every child it starts is killed when it exits.
// Env: VIRTDECK_BIN, BENCH_TOOLS_DIR (build/bench), BENCH_CONSOLE_ROUNDS (5),
//      BENCH_STRICT=1 (exit 1 when a target is missed), BENCH_CONSOLE_DOC (write the section
//      to another file, for experiments), BENCH_CONSOLE_BASELINE (another virtdeck binary,
//      e.g. an earlier build: run as a fifth target, interleaved with the others in every
//      round, so that before/after is a ratio measured under the same load).
// Every TLS target must negotiate TLS_EXPECTED (loadgen offers nothing else); a result
// under other settings is reported as an error, not as a figure.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, freePort, startDaemon, virtdeckBin } from '../../lib/daemon.mjs';
import { Client } from '../../lib/client.mjs';
import { vncDomainXml } from '../../lib/vnc-domain.mjs';
import { writeDocSection } from '../../lib/bench-doc.mjs';

const ROUNDS = Number(process.env.BENCH_CONSOLE_ROUNDS || 5);
const TOOLS = process.env.BENCH_TOOLS_DIR || path.join(REPO_ROOT, 'build', 'bench');
const BACKEND_BIN = path.join(TOOLS, 'console-backend');
const LOADGEN_BIN = path.join(TOOLS, 'console-loadgen');
const OUT_DIR = path.join(REPO_ROOT, 'build', 'bench', 'console');
const DOC = process.env.BENCH_CONSOLE_DOC || path.join(REPO_ROOT, 'docs', 'performance.md');
const MARK_BEGIN = '<!-- console-bench -->';
const MARK_END = '<!-- /console-bench -->';
const PASSWORD = 'bench-console-password-1';
const DOMAIN_UUID = 'c0501e00-0000-4000-8000-000000000001';

const BULK_BYTES = 1024 * 1024 * 1024;
const ECHO_COUNT = 20000;
const ECHO_SIZE = 16;
const ECHO_WARMUP = 500;
const MULTI_CONNS = 64;
const MULTI_BYTES = 16 * 1024 * 1024;
const TLS_EXPECTED = 'TLSv1.3 TLS_AES_128_GCM_SHA256 secp256r1';
const BASELINE_BIN = process.env.BENCH_CONSOLE_BASELINE || '';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sorted = (a) => [...a].sort((x, y) => x - y);
const median = (a) => { const s = sorted(a); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
function log(...a) { console.log('[console-bench]', ...a); }

// ---- child processes -------------------------------------------------------

const children = new Set();
process.on('exit', () => { for (const p of children) { try { p.kill('SIGKILL'); } catch { /* gone */ } } });

/** Starts a long-running helper; its output is kept for error messages. */
function startProc(name, cmd, args) {
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(proc);
    let out = '';
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    const keep = (d) => { out = (out + d).slice(-20000); };
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    const exited = new Promise((resolve) => proc.on('exit', (code, signal) => { children.delete(proc); resolve({ code, signal }); }));
    return {
        name, proc, pid: proc.pid, exited, out: () => out,
        async stop() {
            if (proc.exitCode !== null || proc.signalCode !== null) return;
            proc.kill('SIGTERM');
            const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
            await exited;
            clearTimeout(t);
        },
    };
}

/** True once something listens on 127.0.0.1:port (read from /proc, no connection made:
 * a probe connection would make socat fork and fail a handshake). */
function listening(port) {
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    const lines = readFileSync('/proc/net/tcp', 'utf8').split('\n');
    return lines.some((l) => {
        const f = l.trim().split(/\s+/);
        return f[1] === `0100007F:${hex}` && f[3] === '0A';
    });
}

async function waitListening(helper, port, timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (listening(port)) return;
        if (helper.proc.exitCode !== null) break;
        await sleep(50);
    }
    throw new Error(`${helper.name} is not listening on 127.0.0.1:${port}\n${helper.out()}`);
}

/** The backend on the domain's VNC port, in one mode (restarted between phases). */
async function startBackend(port, args) {
    const b = startProc('backend', BACKEND_BIN, ['--port', String(port), ...args]);
    await waitListening(b, port);
    return b;
}

/** Runs loadgen to completion; resolves with its last JSON line. */
function runLoadgen(args, timeoutMs = 180000) {
    return new Promise((resolve, reject) => {
        const p = spawn(LOADGEN_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        children.add(p);
        let out = '';
        let err = '';
        p.stdout.on('data', (d) => { out += d; });
        p.stderr.on('data', (d) => { err += d; });
        const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
        p.on('exit', (code, signal) => {
            clearTimeout(t);
            children.delete(p);
            const lines = out.trim().split('\n').filter(Boolean);
            if (code !== 0 || !lines.length) {
                reject(new Error(`loadgen ${args.join(' ')} failed (exit ${code}, ${signal}): ${err.trim() || out.trim()}`));
                return;
            }
            resolve(JSON.parse(lines[lines.length - 1]));
        });
    });
}

/** Starts loadgen multi; returns {open, next(), done, exit} driven by its stdout lines. */
function startMulti(args) {
    const p = spawn(LOADGEN_BIN, ['multi', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(p);
    let err = '';
    let buf = '';
    const waiters = [];
    const events = [];
    p.stderr.on('data', (d) => { err += d; });
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (!line.trim()) continue;
            const ev = JSON.parse(line);
            if (waiters.length) waiters.shift().resolve(ev); else events.push(ev);
        }
    });
    const exit = new Promise((resolve) => p.on('exit', (code) => {
        children.delete(p);
        for (const w of waiters.splice(0)) w.reject(new Error(`loadgen multi exited (${code}): ${err.trim()}`));
        resolve(code);
    }));
    const nextEvent = () => new Promise((resolve, reject) => {
        if (events.length) resolve(events.shift());
        else if (p.exitCode !== null) reject(new Error(`loadgen multi exited (${p.exitCode}): ${err.trim()}`));
        else waiters.push({ resolve, reject });
    });
    return {
        nextEvent,
        go() { p.stdin.write('\n'); },
        async finish() {
            p.stdin.end('\n');
            const code = await exit;
            if (code !== 0) throw new Error(`loadgen multi exited with ${code}: ${err.trim()}`);
        },
        kill() { p.kill('SIGKILL'); },
    };
}

// ---- memory ----------------------------------------------------------------

function readKib(file, key) {
    try {
        const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
        return m ? Number(m[1]) : 0;
    } catch { return 0; } // the process went away meanwhile
}

/** root and all its descendants (websockify forks a process per connection). */
function processTree(root) {
    const kids = new Map();
    for (const d of readdirSync('/proc')) {
        if (!/^\d+$/.test(d)) continue;
        try {
            const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
            const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
            if (!kids.has(ppid)) kids.set(ppid, []);
            kids.get(ppid).push(Number(d));
        } catch { /* gone */ }
    }
    const out = [root];
    for (let i = 0; i < out.length; i++) out.push(...(kids.get(out[i]) || []));
    return out;
}

/**
 * PSS of the proxy's process tree. `pssKib` is all of it; `anonKib` only its anonymous and
 * shared-memory part (Pss_Anon + Pss_Shmem): heap, stacks and buffers, split fairly among
 * the forks that share them copy-on-write. The file-backed rest is library code whose PSS
 * moves whenever an unrelated process mapping the same libraries starts or exits (other
 * virtdeck daemons on the machine), which is noise, not a console's cost.
 */
function treePssKib(root) {
    const pids = processTree(root);
    const sum = (key) => pids.reduce((s, p) => s + readKib(`/proc/${p}/smaps_rollup`, key), 0);
    return { pssKib: sum('Pss'), anonKib: sum('Pss_Anon') + sum('Pss_Shmem'), procs: pids.length };
}

function idleMemory(pid) {
    return {
        rssKib: readKib(`/proc/${pid}/status`, 'VmRSS'),
        anonKib: readKib(`/proc/${pid}/status`, 'RssAnon'),
        fileKib: readKib(`/proc/${pid}/status`, 'RssFile'),
        pssKib: readKib(`/proc/${pid}/smaps_rollup`, 'Pss'),
    };
}

/** Waits until the proxy has no per-connection children left (websockify, socat). */
async function waitChildrenGone(pid, timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && processTree(pid).length > 1) await sleep(50);
}

const CLK_TCK = (() => { try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100; } catch { return 100; } })();

/** CPU ticks (user + system, all threads) and context switches (all threads) of one process. */
function procCpu(pid) {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        let ctx = 0;
        for (const tid of readdirSync(`/proc/${pid}/task`)) {
            const st = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
            const m = /voluntary_ctxt_switches:\s+(\d+)\s+nonvoluntary_ctxt_switches:\s+(\d+)/.exec(st);
            if (m) ctx += Number(m[1]) + Number(m[2]);
        }
        return { ticks: Number(f[11]) + Number(f[12]), ctx };
    } catch { return null; } // gone
}

/**
 * CPU used by a proxy's whole process tree while a measurement runs. Processes that
 * come and go (socat and websockify fork per connection) are sampled every 20 ms, so a
 * child's last few milliseconds before it exits may be missed.
 */
function cpuMeter(root) {
    const base = new Map();
    const last = new Map();
    for (const pid of processTree(root)) { const c = procCpu(pid); if (c) { base.set(pid, c); last.set(pid, c); } }
    const sample = () => {
        for (const pid of processTree(root)) {
            const c = procCpu(pid);
            if (!c) continue;
            if (!base.has(pid)) base.set(pid, { ticks: 0, ctx: 0 });
            last.set(pid, c);
        }
    };
    const timer = setInterval(sample, 20);
    return {
        stop() {
            clearInterval(timer);
            sample();
            let ticks = 0, ctx = 0;
            for (const [pid, c] of last) { ticks += c.ticks - base.get(pid).ticks; ctx += c.ctx - base.get(pid).ctx; }
            return { cpuSeconds: ticks / CLK_TCK, ctx };
        },
    };
}

// ---- the fixture -------------------------------------------------------------

function fixtureXml(vncPort) {
    return vncDomainXml({ name: 'console-bench', uuid: DOMAIN_UUID, vncPort, comment: 'console benchmark: one running domain whose VNC display is the synthetic backend' });
}

// ---- the measurements ---------------------------------------------------------

function targetArgs(t) {
    const a = ['--proto', t.proto, '--port', String(t.port)];
    if (t.path) a.push('--path', t.path);
    if (t.cookie) a.push('--cookie', t.cookie);
    return a;
}

/** The harness promises identical TLS everywhere: a target that negotiated anything else
 * makes the run fail instead of producing a figure. */
function checkTls(t, tls) {
    if (t.proto !== 'tcp' && tls !== TLS_EXPECTED) {
        throw new Error(`${t.name} negotiated "${tls}", not "${TLS_EXPECTED}": its figures would not compare`);
    }
}

/** Starts another daemon with the given binary (the baseline), serving the same domain
 * with the same certificate and key as the first. */
async function startDaemonWith(bin, opts) {
    const saved = process.env.VIRTDECK_BIN;
    process.env.VIRTDECK_BIN = bin; // tests/lib/daemon.mjs reads it for the CLI and serve
    try {
        return await startDaemon(opts);
    } finally {
        if (saved === undefined) delete process.env.VIRTDECK_BIN; else process.env.VIRTDECK_BIN = saved;
    }
}

async function measureMulti(t, round) {
    if (t.pid) await waitChildrenGone(t.pid);
    const idle = t.pid ? treePssKib(t.pid) : null;
    const lg = startMulti([...targetArgs(t), '--conns', String(MULTI_CONNS), '--bytes', String(MULTI_BYTES)]);
    try {
        const open = await lg.nextEvent();
        checkTls(t, open.tls);
        await sleep(300);
        const atOpen = t.pid ? treePssKib(t.pid) : null;
        const meter = t.pid ? cpuMeter(t.pid) : null;
        lg.go();
        const done = await lg.nextEvent();
        const cpu = meter ? meter.stop() : null;
        await sleep(300);
        const atDone = t.pid ? treePssKib(t.pid) : null;
        await lg.finish();
        const r = { round, openSeconds: open.seconds, openP50Ms: open.p50_ms, mbps: done.mbps };
        if (cpu) r.cores = cpu.cpuSeconds / done.seconds;
        if (idle) {
            r.idlePssKib = idle.pssKib;
            r.perConsoleOpenKib = (atOpen.anonKib - idle.anonKib) / MULTI_CONNS;
            r.perConsoleKib = (atDone.anonKib - idle.anonKib) / MULTI_CONNS;
            r.perConsoleAllPssKib = (atDone.pssKib - idle.pssKib) / MULTI_CONNS;
            r.procs = atDone.procs;
        }
        return r;
    } catch (e) {
        lg.kill();
        throw e;
    }
}

async function main() {
    for (const bin of [BACKEND_BIN, LOADGEN_BIN]) {
        if (!existsSync(bin)) throw new Error(`${bin} is missing (make ${path.relative(REPO_ROOT, bin)})`);
    }
    for (const tool of ['socat', 'websockify']) {
        try { execFileSync('sh', ['-c', `command -v ${tool}`]); } catch { throw new Error(`${tool} is not installed (packaging/install-deps.sh)`); }
    }
    mkdirSync(OUT_DIR, { recursive: true });
    const vncPort = await freePort();
    const xmlPath = path.join(OUT_DIR, 'console-domain.xml');
    writeFileSync(xmlPath, fixtureXml(vncPort));
    const started = [];
    const res = { targets: {}, errors: [] };
    let daemon = null;
    let baseline = null;
    let backend = null;
    const t0 = Date.now();
    res.loadStart = os.loadavg();
    try {
        // every load-generator connection comes from 127.0.0.1: lift the per-address
        // connection limits (a LAN defence, not what is measured here)
        daemon = await startDaemon({
            uri: `test://${xmlPath}`, users: [{ name: 'admin', role: 'admin', password: PASSWORD }],
            config: { max_connections_per_address: 4096, max_handshakes_per_address: 4096 },
        });
        const client = new Client(daemon);
        await client.login('admin', PASSWORD);
        const cookie = client.cookieHeader();
        client.close();
        const cert = path.join(daemon.stateDir, 'tls', 'virtdeck.crt');
        const key = path.join(daemon.stateDir, 'tls', 'virtdeck.key');

        const socatPort = await freePort();
        const socatArgs = [`OPENSSL-LISTEN:${socatPort},fork,reuseaddr,backlog=128,bind=127.0.0.1,cert=${cert},key=${key},verify=0`, `TCP:127.0.0.1:${vncPort}`];
        const socat = startProc('socat', 'socat', socatArgs);
        started.push(socat);
        await waitListening(socat, socatPort);
        const wsPort = await freePort();
        const wsArgs = ['--cert', cert, '--key', key, `127.0.0.1:${wsPort}`, `127.0.0.1:${vncPort}`];
        const websockify = startProc('websockify', 'websockify', wsArgs);
        started.push(websockify);
        await waitListening(websockify, wsPort);

        const targets = [
            { name: 'direct', label: 'direct TCP', proto: 'tcp', port: vncPort, pid: null },
            { name: 'socat', label: 'socat', proto: 'tls', port: socatPort, pid: socat.pid },
            { name: 'websockify', label: 'websockify', proto: 'ws', port: wsPort, pid: websockify.pid, path: '/' },
            { name: 'virtdeck', label: 'virtdeck', proto: 'ws', port: daemon.port, pid: daemon.pid, path: `/api/domains/${DOMAIN_UUID}/console`, cookie },
        ];
        if (BASELINE_BIN) {
            baseline = await startDaemonWith(BASELINE_BIN, {
                uri: `test://${xmlPath}`, users: [{ name: 'admin', role: 'admin', password: PASSWORD }],
                config: { max_connections_per_address: 4096, max_handshakes_per_address: 4096, cert, key },
            });
            const bc = new Client(baseline);
            await bc.login('admin', PASSWORD);
            targets.push({ name: 'baseline', label: 'virtdeck baseline', proto: 'ws', port: baseline.port, pid: baseline.pid, path: `/api/domains/${DOMAIN_UUID}/console`, cookie: bc.cookieHeader() });
            bc.close();
            res.baselineBin = BASELINE_BIN;
        }
        res.commands = {
            socat: `socat ${socatArgs.join(' ')}`.replaceAll(daemon.stateDir, '$STATE'),
            websockify: `websockify ${wsArgs.join(' ')}`.replaceAll(daemon.stateDir, '$STATE'),
            virtdeck: `virtdeck serve --listen 127.0.0.1:${daemon.port} --uri test://${path.relative(REPO_ROOT, xmlPath)} --state-dir $STATE`,
        };
        for (const t of targets) res.targets[t.name] = { label: t.label, bulk: [], bulkCpu: [], echo: [], multi: [] };

        await sleep(1000);
        for (const t of targets) if (t.pid) res.targets[t.name].idle = idleMemory(t.pid);
        log('idle RSS:', targets.filter((t) => t.pid).map((t) => `${t.name} ${(res.targets[t.name].idle.rssKib / 1024).toFixed(1)} MiB`).join(', '));

        // 1. bulk, one connection, 1 GiB
        backend = await startBackend(vncPort, ['--mode', 'bulk', '--bytes', String(BULK_BYTES), '--greeting', '--keep-open']);
        for (let r = 0; r < ROUNDS; r++) {
            for (const t of targets) {
                const meter = t.pid ? cpuMeter(t.pid) : null;
                const out = await runLoadgen(['bulk', ...targetArgs(t), '--bytes', String(BULK_BYTES)]);
                const cpu = meter ? meter.stop() : null;
                checkTls(t, out.tls);
                res.targets[t.name].bulk.push(out.mbps);
                res.targets[t.name].tls = out.tls;
                if (cpu) res.targets[t.name].bulkCpu.push({ ...cpu, seconds: out.seconds });
                log(`bulk round ${r + 1} ${t.name}: ${out.mbps.toFixed(0)} MB/s (${out.tls})` +
                    (cpu ? `, proxy CPU ${cpu.cpuSeconds.toFixed(2)} s, ${cpu.ctx} context switches` : ''));
            }
        }
        await backend.stop();

        // 2. echo, 20,000 sequential 16-byte round trips
        backend = await startBackend(vncPort, ['--mode', 'echo']);
        for (let r = 0; r < ROUNDS; r++) {
            for (const t of targets) {
                const out = await runLoadgen(['echo', ...targetArgs(t), '--count', String(ECHO_COUNT), '--size', String(ECHO_SIZE), '--warmup', String(ECHO_WARMUP)]);
                checkTls(t, out.tls);
                res.targets[t.name].echo.push(out);
                log(`echo round ${r + 1} ${t.name}: p50 ${out.p50_us.toFixed(1)} µs, p99 ${out.p99_us.toFixed(1)} µs`);
            }
        }
        await backend.stop();

        // 3. 64 consoles at once: open time, aggregate bulk, memory
        backend = await startBackend(vncPort, ['--mode', 'bulk', '--bytes', String(MULTI_BYTES), '--greeting', '--keep-open']);
        for (let r = 0; r < ROUNDS; r++) {
            for (const t of targets) {
                const m = await measureMulti(t, r + 1);
                res.targets[t.name].multi.push(m);
                log(`64 consoles round ${r + 1} ${t.name}: open ${(m.openSeconds * 1000).toFixed(1)} ms, ` +
                    `${m.mbps.toFixed(0)} MB/s` + (m.cores !== undefined ? `, proxy ${m.cores.toFixed(2)} cores busy` : '') + (m.perConsoleKib !== undefined ? `, ${m.perConsoleKib.toFixed(1)} KiB/console (${m.perConsoleOpenKib.toFixed(1)} before traffic, ${m.perConsoleAllPssKib.toFixed(1)} all PSS)` : ''));
            }
        }
        await backend.stop();
        await sleep(1000);
        for (const t of targets) if (t.pid) res.targets[t.name].idleAfter = idleMemory(t.pid);
    } catch (e) {
        res.errors.push(e.message);
        log(`ERROR: ${e.message}`);
    } finally {
        if (backend) await backend.stop();
        for (const p of started) await p.stop();
        for (const d of [daemon, baseline]) {
            if (!d) continue;
            try { await d.stop(); } catch (e) { res.errors.push(`virtdeck stop: ${e.message.split('\n')[0]}`); }
        }
    }
    res.seconds = (Date.now() - t0) / 1000;
    res.loadEnd = os.loadavg();
    return res;
}

// ---- the report ---------------------------------------------------------------

function version(cmd, args, re) {
    try {
        const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        const m = re.exec(out);
        return m ? m[1] : out.trim().split('\n')[0];
    } catch { return 'unknown'; }
}

function cpuModel() {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m ? m[1].trim() : 'unknown';
}

/** Medians per target; undefined where not measured. */
function summarize(r) {
    const s = {};
    for (const [name, t] of Object.entries(r.targets)) {
        const first = t.multi[0];
        s[name] = {
            bulk: t.bulk.length ? median(t.bulk) : undefined,
            p50: t.echo.length ? median(t.echo.map((e) => e.p50_us)) : undefined,
            p99: t.echo.length ? median(t.echo.map((e) => e.p99_us)) : undefined,
            openMs: t.multi.length ? median(t.multi.map((m) => m.openSeconds * 1000)) : undefined,
            multiMbps: t.multi.length ? median(t.multi.map((m) => m.mbps)) : undefined,
            // judged on the first round: a fresh process whose heap has never held 64 consoles
            perConsoleKib: first && first.perConsoleKib !== undefined ? first.perConsoleKib : undefined,
            perConsoleOpenKib: first && first.perConsoleOpenKib !== undefined ? first.perConsoleOpenKib : undefined,
            perConsoleAllPssKib: first && first.perConsoleAllPssKib !== undefined ? first.perConsoleAllPssKib : undefined,
            idleRssKib: t.idle ? t.idle.rssKib : undefined,
            cpuPerGiB: t.bulkCpu.length ? median(t.bulkCpu.map((c) => c.cpuSeconds)) : undefined,
            ctxPerGiB: t.bulkCpu.length ? median(t.bulkCpu.map((c) => c.ctx)) : undefined,
            multiCores: t.multi.some((m) => m.cores !== undefined) ? median(t.multi.map((m) => m.cores)) : undefined,
        };
    }
    return s;
}

const num = (v, d = 0) => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));
const signed = (v, d) => (v === undefined || Number.isNaN(v) ? '—' : `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(d)}`);
const ratio = (a, b) => (a === undefined || b === undefined || !b ? '—' : `${(a / b).toFixed(2)}×`);

/** a ÷ b within each round (the two ran back to back under the same load), per round. */
function roundRatios(r, a, b, pick) {
    const x = r.targets[a], y = r.targets[b];
    if (!x || !y) return [];
    const xs = pick(x), ys = pick(y);
    return xs.slice(0, ys.length).map((v, i) => v / ys[i]).filter((q) => Number.isFinite(q));
}
/** a − b within each round, per round. */
function roundDiffs(r, a, b, pick) {
    const x = r.targets[a], y = r.targets[b];
    if (!x || !y) return [];
    const xs = pick(x), ys = pick(y);
    return xs.slice(0, ys.length).map((v, i) => v - ys[i]).filter((q) => Number.isFinite(q));
}
const p50Of = (t) => t.echo.map((e) => e.p50_us);
const p99Of = (t) => t.echo.map((e) => e.p99_us);
const bulkOf = (t) => t.bulk;
const multiOf = (t) => t.multi.map((m) => m.mbps);
const listRatios = (q) => (q.length ? `rounds ${q.map((x) => x.toFixed(2)).join(', ')}` : 'not measured');

function verdicts(s, r) {
    const v = s.virtdeck || {}, ws = s.websockify || {};
    const ok = (cond, ...vals) => (vals.some((x) => x === undefined || Number.isNaN(x)) ? 'not measured' : cond ? 'met' : 'MISSED');
    const MB = 1e6 / 1024; // KiB per MB
    const bulkQ = roundRatios(r, 'virtdeck', 'socat', bulkOf);
    const multiQ = roundRatios(r, 'virtdeck', 'socat', multiOf);
    // judged on the median of the per-round ratios: each pair ran back to back
    const bulkR = bulkQ.length ? median(bulkQ) : undefined;
    const multiR = multiQ.length ? median(multiQ) : undefined;
    const p50D = roundDiffs(r, 'virtdeck', 'socat', p50Of), p99D = roundDiffs(r, 'virtdeck', 'socat', p99Of);
    const p50d = p50D.length ? median(p50D) : undefined, p99d = p99D.length ? median(p99D) : undefined;
    return [
        ['bulk throughput, one console, ≥ 1.0× socat (median of per-round ratios)', `${num(bulkR, 2)}× (${listRatios(bulkQ)})`, ok(bulkR >= 1, bulkR)],
        [`aggregate throughput, ${MULTI_CONNS} consoles, ≥ 1.0× socat (median of per-round ratios)`, `${num(multiR, 2)}× (${listRatios(multiQ)})`, ok(multiR >= 1, multiR)],
        ['echo p50 within 20 µs of socat (median of per-round differences)', `${signed(p50d, 1)} µs`, ok(p50d <= 20, p50d)],
        ['echo p50 < 0.6× websockify', ratio(v.p50, ws.p50), ok(v.p50 < 0.6 * ws.p50, v.p50, ws.p50)],
        ['echo p99 within 50 µs of socat (median of per-round differences)', `${signed(p99d, 1)} µs`, ok(p99d <= 50, p99d)],
        ['echo p99 < 0.6× websockify', ratio(v.p99, ws.p99), ok(v.p99 < 0.6 * ws.p99, v.p99, ws.p99)],
        ['64 consoles opened in < 1/10 of websockify\'s time', ratio(v.openMs, ws.openMs), ok(v.openMs < ws.openMs / 10, v.openMs, ws.openMs)],
        ['memory per open console < 128 KiB', `${num(v.perConsoleKib, 1)} KiB`, ok(v.perConsoleKib < 128, v.perConsoleKib)],
        ['idle RSS < 15 MB', `${num(v.idleRssKib / MB, 1)} MB (${num(v.idleRssKib / 1024, 1)} MiB)`, ok(v.idleRssKib < 15 * MB, v.idleRssKib)],
    ];
}

function section(r) {
    const s = summarize(r);
    const names = ['direct', 'socat', 'websockify', 'virtdeck', ...(s.baseline ? ['baseline'] : [])];
    const v = s.virtdeck || {}, so = s.socat || {}, ws = s.websockify || {}, b = s.baseline;
    const row = (label, key, d, unit = '') => `| ${label} | ${names.map((n) => (s[n] ? num(s[n][key], d) + unit : '—')).join(' | ')} | ${ratio(v[key], so[key])} | ${ratio(v[key], ws[key])} |` +
        (b ? ` ${ratio(v[key], b[key])} |` : '');
    const checks = verdicts(s, r);
    const t = r.targets.virtdeck || {};
    const lines = [
        MARK_BEGIN,
        '## Console proxy',
        '',
        'Generated by `make bench` (tests/bench/console/run.mjs); do not edit by hand.',
        '',
        `- Date: ${new Date().toISOString()}; one run took ${num(r.seconds, 0)} s`,
        `- Machine: ${cpuModel()}, ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, kernel ${os.release()}; ` +
            `load average ${r.loadStart ? r.loadStart[0].toFixed(2) : '?'} at the start, ${r.loadEnd ? r.loadEnd[0].toFixed(2) : '?'} at the end ` +
            '(anything above ~1 is other work competing for the same CPUs, which lowers every throughput figure)',
        '- The benchmark has no CPU of its own: load generator, proxy and backend share the machine\'s CPUs, so the',
        '  proxy CPU time per GiB is the steadier figure of efficiency when the machine is busy.',
        `- Software: ${version('openssl', ['version'], /^(OpenSSL \S+)/)}; socat ${version('dpkg-query', ['-W', '-f=${Version}', 'socat'], /^(.+)$/)}; ` +
            `websockify ${version('dpkg-query', ['-W', '-f=${Version}', 'websockify'], /^(.+)$/)} (Debian, Python, numpy); virtdeck ${path.relative(REPO_ROOT, virtdeckBin())}`,
        '- One synthetic VNC backend (tests/bench/console/backend.c, one epoll thread, TCP_NODELAY) on 127.0.0.1;',
        '  every target forwards to it; the C load generator (tests/bench/console/loadgen.c, one thread) measures.',
        '  Targets run one at a time; everything is on loopback and shares the same CPUs.',
        '- TLS is terminated the same way everywhere: virtdeck\'s generated certificate and key (P-256, self-signed),',
        '  TLS 1.3, TLS_AES_128_GCM_SHA256, ECDHE on P-256 (the only group socat accepts), no resumption:',
        '  the load generator offers nothing else, and every result is checked for exactly these settings',
        '  (a target that negotiated anything else fails the run instead of giving a figure).',
        `  Negotiated: ${['socat', 'websockify', 'virtdeck', ...(b ? ['baseline'] : [])].map((n) => `${n} ${(r.targets[n] && r.targets[n].tls) || '—'}`).join('; ')}.`,
        '- Targets: 1. direct TCP to the backend (no TLS; the ceiling); 2. socat (TLS byte stream);',
        '  3. websockify (TLS websocket, a process per connection); 4. virtdeck `GET /api/domains/{uuid}/console`',
        '  (TLS websocket with session cookie and Origin; the test driver\'s running domain has',
        '  `<graphics type=\'vnc\' port=\'BACKEND\' listen=\'127.0.0.1\'/>`, so virtdeck connects to the backend).',
        ...(r.commands ? [
            `  Commands: \`${r.commands.socat}\`; \`${r.commands.websockify}\`; \`${r.commands.virtdeck}\``,
            '  (`bind=127.0.0.1` and `127.0.0.1:` on the listen port keep socat and websockify on loopback;',
            '  `backlog=128` because socat\'s default listen backlog of 5 drops SYNs when 64 clients connect at',
            '  once, and its 64-console figure then measures TCP\'s 1 s and 3 s SYN retransmission timers: 27 s in a trial).',
        ] : []),
        `- Each figure is the median of ${ROUNDS} rounds (targets take turns within a round), except memory per`,
        '  console, taken from the first 64-console round (a fresh proxy heap; later rounds reuse freed memory).',
        ...(b ? [`- The baseline is another virtdeck binary (${r.baselineBin}), run as one more target with the`,
            '  same certificate, key and domain, taking its turn in every round like the others.'] : []),
        '- Throughput and echo targets against socat are judged on the median of per-round ratios or',
        '  differences (virtdeck and socat run back to back within a round, so each pair shares the same',
        '  load); the table shows each target\'s own medians.',
        '',
        `| figure | direct TCP | socat | websockify | virtdeck |${b ? ' baseline |' : ''} virtdeck ÷ socat | virtdeck ÷ websockify |${b ? ' virtdeck ÷ baseline |' : ''}`,
        `|---|---|---|---|---|${b ? '---|' : ''}---|---|${b ? '---|' : ''}`,
        row('bulk backend→client, 1 GiB in 64 KiB writes (MB/s)', 'bulk', 0),
        row(`echo round trip, ${ECHO_SIZE} B, ${ECHO_COUNT.toLocaleString('en')} sequential: p50 (µs)`, 'p50', 1),
        row('echo round trip: p99 (µs)', 'p99', 1),
        row(`${MULTI_CONNS} consoles: time to open all (connect, TLS, upgrade, first backend byte) (ms)`, 'openMs', 1),
        row(`${MULTI_CONNS} consoles: aggregate bulk, ${MULTI_CONNS} × 16 MiB (MB/s)`, 'multiMbps', 0),
        row('proxy CPU time to move the 1 GiB (s, user + system, all its processes and threads)', 'cpuPerGiB', 2),
        row(`proxy CPU while the ${MULTI_CONNS} consoles move their bytes (cores busy: CPU seconds ÷ wall seconds)`, 'multiCores', 2),
        row('proxy context switches while moving the 1 GiB', 'ctxPerGiB', 0),
        row('idle RSS of the proxy (VmRSS, KiB)', 'idleRssKib', 0),
        row(`memory per open console after its 16 MiB (anonymous PSS of all the proxy's processes, ${MULTI_CONNS} open − idle, ÷ ${MULTI_CONNS}; KiB)`, 'perConsoleKib', 1),
        row('... the same, opened but before any bulk traffic (KiB)', 'perConsoleOpenKib', 1),
        row('... the same after traffic, all PSS including file-backed pages (noisy, see below; KiB)', 'perConsoleAllPssKib', 1),
        '',
        'MB = 10^6 bytes. Ratios are virtdeck\'s figure divided by the other\'s: above 1 is better for',
        'throughput, below 1 is better for latency, time and memory.',
        'On a virtual machine the echo rounds of every proxy can be bimodal (a few tens of µs, or about',
        '100 µs more when the host has to wake an idle virtual CPU for each hop): compare echo figures',
        'round by round ("Every round") rather than as medians.',
        ...(b ? ['', `Per-round ratios, virtdeck ÷ baseline: bulk ${listRatios(roundRatios(r, 'virtdeck', 'baseline', bulkOf))}; ` +
            `${MULTI_CONNS} consoles ${listRatios(roundRatios(r, 'virtdeck', 'baseline', multiOf))}.`] : []),
        '',
        '### One service thread',
        '',
        'Every console of virtdeck is served by the one lws service thread (Debian 12\'s libwebsockets 4.1.6',
        'is built with LWS_MAX_SMP 1, so lws\'s own `count_threads` > 1 is not available). The data path',
        'already avoids what it can (vnc-proxy/console.h: frames written straight from the ring, several per',
        'WRITEABLE, the VNC socket read straight into the ring during a burst); what is left on that thread is',
        'the kernel\'s loopback TCP work for the two sockets and AES-GCM, which socat pays too. The row',
        `"proxy CPU while the ${MULTI_CONNS} consoles move their bytes" shows how much of one core it takes:`,
        `${num(v.multiCores, 2)} cores here, where socat's ${MULTI_CONNS} processes spread over all CPUs. The next step, if`,
        'one core is not enough on a bigger host, is a console I/O thread that reads the VNC sockets into',
        'the rings and posts to the service thread through the daemon\'s one inbox, leaving the TLS writes',
        'on the service thread; SO_REUSEPORT contexts are no option, since all request state is',
        'service-thread-only.',
        '',
        '### Targets (virtdeck)',
        '',
        '| target | result | verdict |',
        '|---|---|---|',
        ...checks.map(([name, shown, verdict]) => `| ${name} | ${shown} | ${verdict} |`),
        '',
        '### Every round',
        '',
        '| target | bulk MB/s | echo p50 / p99 / p99.9 µs | 64 consoles: open ms, MB/s, KiB per console (after / before traffic) |',
        '|---|---|---|---|',
    ];
    for (const n of names) {
        const x = r.targets[n];
        if (!x) continue;
        const multi = x.multi.map((m) => `${num(m.openSeconds * 1000, 1)} ms, ${num(m.mbps, 0)}` +
            (m.perConsoleKib !== undefined ? `, ${num(m.perConsoleKib, 1)} / ${num(m.perConsoleOpenKib, 1)}` : '')).join('; ');
        lines.push(`| ${x.label} | ${x.bulk.map((b) => num(b, 0)).join(', ')} | ${x.echo.map((e) => `${num(e.p50_us, 1)} / ${num(e.p99_us, 1)} / ${num(e.p999_us, 1)}`).join('; ')} | ${multi} |`);
    }
    if (t.idle) {
        lines.push('', '### Memory detail', '');
        for (const n of ['socat', 'websockify', 'virtdeck', 'baseline']) {
            const x = r.targets[n];
            if (!x || !x.idle) continue;
            const i = x.idle;
            lines.push(`- ${n} idle: VmRSS ${num(i.rssKib / 1024, 1)} MiB = ${num(i.fileKib / 1024, 1)} MiB file-backed (shared libraries) + ` +
                `${num(i.anonKib / 1024, 1)} MiB private; PSS ${num(i.pssKib / 1024, 1)} MiB` +
                (x.idleAfter ? `; after the run ${num(x.idleAfter.rssKib / 1024, 1)} MiB VmRSS, ${num(x.idleAfter.anonKib / 1024, 1)} MiB private` : '') +
                (x.multi[0] && x.multi[0].procs ? `; ${x.multi[0].procs} process(es) with ${MULTI_CONNS} consoles open` : '') + '.');
        }
        lines.push('- virtdeck\'s idle figure includes libvirt\'s test driver (in-process) with its one domain.',
            '- Memory per console is the anonymous part of PSS (Pss_Anon + Pss_Shmem from smaps_rollup, summed over the',
            '  proxy and every fork): heap, stacks and buffers, with pages a fork shares copy-on-write split among the',
            '  sharers. The file-backed part (library code) is left out because its PSS changes whenever another',
            '  process mapping the same libraries starts or exits, e.g. other virtdeck daemons on a shared machine;',
            '  the all-PSS row shows it anyway.');
    }
    if (r.errors.length) lines.push('', '### Errors', '', ...r.errors.map((e) => `- ${e.split('\n')[0]}`));
    lines.push(MARK_END);
    return { text: lines.join('\n'), ok: !r.errors.length && checks.every(([, , v]) => v === 'met') };
}

const results = await main();
const { text, ok } = section(results);
writeDocSection(DOC, MARK_BEGIN, MARK_END, text);
log(`wrote the console section of ${path.relative(REPO_ROOT, DOC)}`);
console.log(text);
if (!ok && process.env.BENCH_STRICT === '1') process.exit(1);
process.exit(results.errors.length ? 1 : 0);
