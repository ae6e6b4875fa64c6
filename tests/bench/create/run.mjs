// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/bench/create/run.mjs — `make bench`, the create part: from a request to a running VM.
// Owns: a `dir` pool in a temporary directory on the machine's libvirtd (qemu:///system)
// holding the suite's guest image (build/guest/guest.qcow2, `make guest-image`) as the
// cloud image, the vdbench-create-* domains and volumes it makes (all removed), and the
// "## Creating a VM" section of docs/performance.md between <!-- create-bench --> and
// <!-- /create-bench -->.
// Each round times, interleaved (the order alternates per round):
// - virtdeck: `POST /api/domains` over TLS with a cloud_image source (linked: a qcow2
//   overlay volume on the image), a cloud-init seed (host name, user, password, key),
//   1 vCPU, 256 MiB, no NIC, start: true; the 201 comes once libvirt has started the VM,
//   and the bench checks `virsh domstate` says running;
// - virt-install: `qemu-img create` of the same overlay on the same image (virtdeck makes
//   its overlay inside the timed request too), then `virt-install --import --cloud-init`
//   with the same host name, user and key, the same size and no NIC, `--noautoconsole`
//   (it returns once the VM is started), then the same `virsh domstate` check.
// Both make the domain type BENCH_CREATE_TYPE (qemu: TCG, what this suite's host can boot;
// the time to "running" does not wait for the guest either way). The ratio is
// virt-install's median over virtdeck's (above 1.0: virtdeck is faster); target >= 1.0.
// Env: VIRTDECK_BIN, BENCH_CREATE_ROUNDS (5), BENCH_CREATE_TYPE (qemu),
//      BENCH_CREATE_DOC (write the section elsewhere), BENCH_STRICT=1 (exit 1 on a miss).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, startDaemon } from '../../lib/daemon.mjs';
import { Client } from '../../lib/client.mjs';
import { SYSTEM_URI, ensureSystemLibvirtd, virsh } from '../../lib/system-libvirtd.mjs';
import { writeDocSection } from '../../lib/bench-doc.mjs';

const ROUNDS = Number(process.env.BENCH_CREATE_ROUNDS || 5);
const TYPE = process.env.BENCH_CREATE_TYPE || 'qemu';
const DOC = process.env.BENCH_CREATE_DOC || path.join(REPO_ROOT, 'docs', 'performance.md');
const IMAGE = path.join(REPO_ROOT, 'build', 'guest', 'guest.qcow2');
const MARK_BEGIN = '<!-- create-bench -->';
const MARK_END = '<!-- /create-bench -->';
const PASSWORD = 'bench-create-password-1';
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIbenchkey bench@virtdeck';
const RATIO_TARGET = 1.0;

const median = (a) => { const s = [...a].sort((x, y) => x - y); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const spread = (a) => `${Math.min(...a).toFixed(0)}–${Math.max(...a).toFixed(0)}`;
function log(...a) { console.log('[create-bench]', ...a); }

/** Runs a program; throws with its output unless it exits 0. */
function run(cmd, args) {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120000 });
    if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.error || ''}${r.stderr}${r.stdout}`);
    return r.stdout;
}

function assertRunning(name) {
    const state = virsh(['domstate', name]).stdout.trim();
    if (state !== 'running') throw new Error(`${name} is ${state || 'unknown'}, not running`);
}

const VIRTINST_BOOT = '/var/lib/libvirt/boot';
/** The cloud-init seed ISOs virt-install has left in its boot directory. */
function seedIsos() {
    try { return fs.readdirSync(VIRTINST_BOOT).filter((f) => /^virtinst-.*cloudinit/.test(f)); } catch { return []; }
}

/** Stops and undefines name (with its NVRAM), ignoring a domain that is not there. */
function removeDomain(name) {
    virsh(['destroy', name]);
    virsh(['undefine', '--nvram', name]);
}

async function timeVirtdeck(client, pool, name) {
    const t0 = performance.now();
    const res = await client.post('/api/domains', {
        name, vcpus: 1, memory_mib: 256, os: 'debian11', network: null, start: true,
        disk: { size_gib: 1 },
        source: { type: 'cloud_image', image: { pool, name: 'image.qcow2' }, linked: true,
            cloud_init: { hostname: name, user: 'bench', password: PASSWORD, ssh_keys: [KEY] } },
    });
    const ms = performance.now() - t0;
    if (res.status !== 201) throw new Error(`POST /api/domains: ${res.status} ${res.text}`);
    assertRunning(name);
    return ms;
}

function timeVirtInstall(dir, name) {
    const overlay = path.join(dir, `${name}.qcow2`);
    const meta = path.join(dir, `${name}.meta`);
    const user = path.join(dir, `${name}.user`);
    fs.writeFileSync(meta, `instance-id: iid-${name}\nlocal-hostname: ${name}\n`);
    fs.writeFileSync(user, `#cloud-config\nhostname: ${name}\nusers:\n  - name: bench\n    ssh_authorized_keys: ["${KEY}"]\n`);
    const t0 = performance.now();
    run('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', path.join(dir, 'image.qcow2'), overlay, '1G']);
    run('virt-install', ['--connect', SYSTEM_URI, '--import', '--name', name, '--vcpus', '1', '--memory', '256',
        '--disk', `path=${overlay},format=qcow2,bus=virtio`, '--cloud-init', `meta-data=${meta},user-data=${user}`,
        '--osinfo', 'detect=off,name=debian11', '--network', 'none', '--graphics', 'vnc,listen=127.0.0.1',
        '--virt-type', TYPE, '--noautoconsole', '--quiet']);
    const ms = performance.now() - t0;
    assertRunning(name);
    return ms;
}

async function main() {
    if (!fs.existsSync(IMAGE)) throw new Error(`no ${IMAGE}: run make guest-image`);
    await ensureSystemLibvirtd();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-bench-create-'));
    fs.chmodSync(tmp, 0o755); // QEMU runs as its own user
    const dir = path.join(tmp, 'pool');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.copyFileSync(IMAGE, path.join(dir, 'image.qcow2'));
    const tag = crypto.randomBytes(3).toString('hex');
    const pool = `vdbench-cpool-${tag}`;
    const made = [];
    const seedsBefore = new Set(seedIsos());
    const r = { virtdeck: [], virtInstall: [] };
    let d = null;
    let client = null;
    try {
        const def = virsh(['pool-create-as', pool, 'dir', '--target', dir]);
        if (!def.ok) throw new Error(`pool-create-as: ${def.stderr}`);
        d = await startDaemon({ uri: SYSTEM_URI, users: [{ name: 'bench', role: 'admin', password: PASSWORD }],
            config: { pool_roots: tmp, domain_type: TYPE } });
        client = new Client(d);
        await client.login('bench', PASSWORD);
        // one untimed create first: the daemon's first detail of a VM with libosinfo
        // metadata loads the OS database (about a second, once per process)
        const warm = `vdbench-create-${tag}-warm`;
        made.push(warm);
        await timeVirtdeck(client, pool, warm);
        for (let i = 0; i < ROUNDS; i++) {
            const a = `vdbench-create-${tag}-vd${i}`;
            const b = `vdbench-create-${tag}-vi${i}`;
            made.push(a, b);
            const steps = [
                async () => { r.virtdeck.push(await timeVirtdeck(client, pool, a)); },
                async () => { r.virtInstall.push(timeVirtInstall(dir, b)); },
            ];
            if (i % 2) steps.reverse();
            for (const step of steps) await step();
            removeDomain(a);
            removeDomain(b);
            log(`round ${i + 1}/${ROUNDS}: virtdeck ${r.virtdeck.at(-1).toFixed(0)} ms, virt-install ${r.virtInstall.at(-1).toFixed(0)} ms`);
        }
    } finally {
        client?.close();
        if (d) await d.stop();
        for (const name of made) removeDomain(name);
        virsh(['pool-destroy', pool]);
        fs.rmSync(tmp, { recursive: true, force: true });
        // virt-install leaves its seed ISOs in its boot directory
        for (const f of seedIsos()) if (!seedsBefore.has(f)) fs.rmSync(path.join(VIRTINST_BOOT, f), { force: true });
    }
    return r;
}

function section(r) {
    const ratio = median(r.virtInstall) / median(r.virtdeck);
    const ok = ratio >= RATIO_TARGET;
    const lines = [
        MARK_BEGIN,
        '## Creating a VM',
        '',
        'Generated by `make bench` (tests/bench/create/run.mjs); do not edit by hand.',
        '',
        `- Date: ${new Date().toISOString()}; ${ROUNDS} rounds, the two sides interleaved (order alternating), after one untimed virtdeck create`,
        `- Machine: ${(os.cpus()[0] || {}).model || 'unknown CPU'}, ${os.cpus().length} CPUs, kernel ${os.release()}; libvirtd ${SYSTEM_URI}, domain type \`${TYPE}\``,
        '- The image: the suite\'s guest (build/guest/guest.qcow2, 16 MiB) in a `dir` pool; each VM: 1 vCPU, 256 MiB, no NIC,',
        '  a 1 GiB qcow2 overlay on the image and a cloud-init NoCloud seed ISO (host name, user, SSH key).',
        '- virtdeck: `POST /api/domains` (`cloud_image`, `linked: true`, `start: true`) over TLS until its 201;',
        '  virt-install: `qemu-img create` of the overlay, then `virt-install --import --cloud-init … --noautoconsole`',
        '  until it exits. Both then see `virsh domstate` running (not timed).',
        '- Ratio = virt-install median / virtdeck median (above 1.0: virtdeck is faster).',
        '',
        '| | median | range (ms) |',
        '|---|---|---|',
        `| virtdeck \`POST /api/domains\` → running | ${median(r.virtdeck).toFixed(0)} ms | ${spread(r.virtdeck)} |`,
        `| \`virt-install --import\` → running | ${median(r.virtInstall).toFixed(0)} ms | ${spread(r.virtInstall)} |`,
        '',
        '| target | goal | result |',
        '|---|---|---|',
        `| virt-install / virtdeck | >= ${RATIO_TARGET.toFixed(1)} | ${ratio.toFixed(2)} ${ok ? 'pass' : 'MISS'} |`,
        MARK_END,
    ];
    return { text: lines.join('\n'), ok };
}

const result = await main();
const { text, ok } = section(result);
writeDocSection(DOC, MARK_BEGIN, MARK_END, text);
console.log(text);
if (!ok && process.env.BENCH_STRICT === '1') process.exit(1);
