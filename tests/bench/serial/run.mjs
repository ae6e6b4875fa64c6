// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/bench/serial/run.mjs — the serial console's latency and idle cost on
// qemu:///system, for two daemon binaries measured in turn in one run (before, after).
//
// Guests: SERIAL_BENCH_CONSOLES (8) transient KVM domains "vdtest-serecho-<tag>-<i>",
// each booting echo-guest.S (a boot sector that echoes its serial port and, between 't'
// and 'u', writes '.' every 36 PIT ticks). For each binary: a daemon with one serial websocket per
// domain, then
//  - idle CPU: the daemon's utime + stime (/proc/PID/stat, in clock ticks) and the sum of
//    its threads' schedstat (ns) over 10 s while nothing moves, and the context switches
//    of its pump-serial threads;
//  - echo: a keystroke after 2 s of quiet, until its echo arrives (SAMPLES times);
//  - unsolicited output: the guest's ticks; each one's lateness is its arrival minus the
//    earliest arrival the tick schedule allows (the lower envelope), i.e. how long output
//    that follows a quiet spell waits in the daemon.
// Run under `flock /tmp/vd-qemu.lock`. Env: SERIAL_BENCH_BEFORE (binary, required),
// VIRTDECK_BIN (after; default build/virtdeck), SERIAL_BENCH_SAMPLES (8).
// Prints a table; removes its domains and files.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, startDaemon } from '../../lib/daemon.mjs';
import { Client, openWebSocket } from '../../lib/client.mjs';
import { SYSTEM_URI, domainType, el, ensureSystemLibvirtd, virsh } from '../../lib/system-libvirtd.mjs';
import { threadsNamed } from '../../lib/threads.mjs';

const CONSOLES = Number(process.env.SERIAL_BENCH_CONSOLES || 8);
const SAMPLES = Number(process.env.SERIAL_BENCH_SAMPLES || 8);
const IDLE_MS = 10000;
const QUIET_MS = 2000;
const TICK_MS = (65536 * 36 * 1000) / 1193182; // the guest's tick period
const PASSWORD = 'serial-bench-password-1';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const HZ = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const sorted = (a) => [...a].sort((x, y) => x - y);
const median = (a) => { const s = sorted(a); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };

/** Assembles the boot sector into a 1 MiB raw disk image at file. */
function buildImage(dir, file) {
    const obj = path.join(dir, 'echo.o');
    const bin = path.join(dir, 'echo.bin');
    execFileSync('as', ['--32', '-o', obj, path.join(HERE, 'echo-guest.S')]);
    execFileSync('ld', ['-m', 'elf_i386', '-Ttext', '0x7c00', '--oformat', 'binary', '-o', bin, obj]);
    const img = Buffer.alloc(1024 * 1024);
    fs.readFileSync(bin).copy(img);
    fs.writeFileSync(file, img, { mode: 0o644 });
}

function guestXml({ name, image }) {
    return el('domain', { type: domainType() }, [
        el('name', {}, name),
        el('memory', { unit: 'MiB' }, '32'),
        el('vcpu', {}, '1'),
        el('os', {}, [el('type', { arch: 'x86_64' }, 'hvm'), el('boot', { dev: 'hd' }),
            el('bios', { useserial: 'yes' })]),
        el('on_poweroff', {}, 'destroy'),
        el('on_crash', {}, 'destroy'),
        el('devices', {}, [
            el('disk', { type: 'file', device: 'disk' }, [
                el('driver', { name: 'qemu', type: 'raw' }),
                el('source', { file: image }),
                el('target', { dev: 'hda', bus: 'ide' }),
            ]),
            el('serial', { type: 'pty' }),
            el('console', { type: 'pty' }),
        ]),
    ]).toString();
}

/** One serial websocket: bytes with their arrival times. */
class Serial {
    constructor(ws) {
        this.ws = ws;
        this.got = []; // [{at, text}]
        ws.on('message', (data) => this.got.push({ at: nowMs(), text: data.toString('latin1') }));
        ws.on('error', () => {});
    }

    get text() { return this.got.map((g) => g.text).join(''); }

    /** Resolves the arrival time of the first chunk after `from` chunks that contains ch. */
    async waitFor(ch, from, timeoutMs = 15000) {
        const end = nowMs() + timeoutMs;
        for (;;) {
            const hit = this.got.slice(from).find((g) => g.text.includes(ch));
            if (hit) return hit.at;
            if (nowMs() > end) {
                throw new Error(`no ${JSON.stringify(ch)} within ${timeoutMs} ms: ${JSON.stringify(this.text.slice(-200))}`);
            }
            await sleep(0.2);
        }
    }
}

function cpuMs(pid) {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / HZ; // utime, stime
}

/** CPU time of every thread of pid in ms, from the scheduler's nanosecond counts. */
function schedMs(pid) {
    return fs.readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => {
        try {
            return sum + Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
        } catch {
            return sum; // the thread ended while we looked
        }
    }, 0);
}

function switches(pid, name) {
    return threadsNamed(pid, name).reduce((sum, t) => {
        const s = fs.readFileSync(`/proc/${pid}/task/${t.tid}/status`, 'utf8');
        return sum + Number(/^voluntary_ctxt_switches:\s*(\d+)/m.exec(s)[1]) +
            Number(/^nonvoluntary_ctxt_switches:\s*(\d+)/m.exec(s)[1]);
    }, 0);
}

async function measure(bin, doms) {
    process.env.VIRTDECK_BIN = bin;
    const d = await startDaemon({ uri: SYSTEM_URI, users: [{ name: 'admin', role: 'admin', password: PASSWORD }] });
    const admin = new Client(d);
    const consoles = [];
    try {
        await admin.login('admin', PASSWORD);
        for (const dom of doms) {
            consoles.push(await openWebSocket(admin, `/api/domains/${dom.uuid}/serial`, { wrap: (ws) => new Serial(ws) }));
        }
        // every guest echoes (its boot sector runs)
        for (const c of consoles) {
            for (let i = 0; ; i++) {
                const from = c.got.length;
                c.ws.send('u'); // and no ticks
                try { await c.waitFor('u', from, 1000); break; } catch (e) { if (i > 30) throw e; }
            }
        }
        await sleep(1000);
        // idle cost
        const cpu0 = cpuMs(d.pid);
        const sched0 = schedMs(d.pid);
        const sw0 = switches(d.pid, 'pump-serial');
        await sleep(IDLE_MS);
        const idleCpu = cpuMs(d.pid) - cpu0;
        const idleSched = schedMs(d.pid) - sched0;
        const idleSwitches = switches(d.pid, 'pump-serial') - sw0;
        // echo after a quiet spell
        const c = consoles[0];
        const echo = [];
        for (let i = 0; i < SAMPLES; i++) {
            await sleep(QUIET_MS);
            const from = c.got.length;
            const t0 = nowMs();
            c.ws.send('k');
            echo.push((await c.waitFor('k', from)) - t0);
        }
        // unsolicited output: the guest's ticks
        const from = c.got.length;
        c.ws.send('t');
        await c.waitFor('t', from);
        const tickFrom = c.got.length;
        const ticks = [];
        while (ticks.length < SAMPLES + 1) {
            const at = await c.waitFor('.', tickFrom + ticks.length, TICK_MS * 3);
            ticks.push(at);
        }
        c.ws.send('u');
        const r = ticks.map((at) => at - Math.round((at - ticks[0]) / TICK_MS) * TICK_MS);
        const floor = Math.min(...r);
        const late = r.map((x) => x - floor);
        return { idleCpu, idleSched, idleSwitches, echo, late };
    } finally {
        for (const c of consoles) c.ws.terminate();
        admin.close();
        await d.stop();
    }
}

const fmt = (a) => `median ${median(a).toFixed(1)} ms, max ${Math.max(...a).toFixed(1)} ms`;

async function main() {
    const before = process.env.SERIAL_BENCH_BEFORE;
    const after = process.env.VIRTDECK_BIN || path.join(REPO_ROOT, 'build', 'virtdeck');
    if (!before) throw new Error('set SERIAL_BENCH_BEFORE to the binary to compare with');
    await ensureSystemLibvirtd();
    const tag = crypto.randomBytes(3).toString('hex');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vdtest-serecho-'));
    fs.chmodSync(dir, 0o755); // qemu runs as another user
    const doms = [];
    try {
        for (let i = 0; i < CONSOLES; i++) {
            const dom = { name: `vdtest-serecho-${tag}-${i}`, image: path.join(dir, `echo-${i}.img`) };
            buildImage(dir, dom.image);
            const xml = path.join(dir, `${dom.name}.xml`);
            fs.writeFileSync(xml, guestXml(dom));
            const r = virsh(['create', xml], { timeoutMs: 30000 });
            if (!r.ok) throw new Error(`virsh create: ${r.stderr}`);
            dom.uuid = virsh(['domuuid', dom.name]).stdout.trim();
            doms.push(dom);
        }
        const results = {};
        for (const [label, bin] of [['before', before], ['after', after]]) {
            results[label] = await measure(bin, doms);
        }
        console.log(`serial consoles: ${CONSOLES} open, ${SAMPLES} samples each, ${domainType()} guests`);
        for (const [label, m] of Object.entries(results)) {
            console.log(`${label}: idle CPU ${m.idleCpu.toFixed(0)} ms in ${IDLE_MS / 1000} s (/proc/PID/stat, ` +
                `${1000 / HZ} ms ticks; ${m.idleSched.toFixed(1)} ms by schedstat, ` +
                `${((m.idleSched / IDLE_MS) * 100).toFixed(2)} % of a core), pump wake-ups ${m.idleSwitches}; ` +
                `echo after ${QUIET_MS / 1000} s quiet: ${fmt(m.echo)}; ` +
                `unsolicited output lateness: ${fmt(m.late)}`);
        }
    } finally {
        for (const dom of doms) virsh(['destroy', dom.name]);
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main().catch((e) => { console.error(e); process.exit(1); });
