// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/system-libvirtd.mjs — the machine's own libvirtd (qemu:///system) for tests
// that need a real hypervisor, and the XML of the throwaway domains they run on it.
// Owns: bringing virtlogd/libvirtd up by hand where there is no init system (only the
// steps that are missing; both are left running for later test files), choosing kvm or
// qemu (TCG) as the domain type, and building domain XML from escaped values.
// Runs in the test process only. It never stops the daemons it started.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { requireTools } from './tools.mjs';

export const SYSTEM_URI = 'qemu:///system';
const KVM_DEV = '/dev/kvm';
const LOG_DIR = '/var/log/libvirt';
const RUN_DIR = '/run/libvirt';
const QEMU_CONF = '/etc/libvirt/qemu.conf';
// libvirtd -d sends its own stderr to /dev/null; warnings and errors go here instead
// so that a failed start can be explained.
const LIBVIRTD_LOG = `${LOG_DIR}/libvirtd-test.log`;
const DAEMON_ENV = {
    ...process.env,
    PATH: `/usr/sbin:/usr/bin:/sbin:/bin${process.env.PATH ? `:${process.env.PATH}` : ''}`,
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `virsh -c uri ...args` synchronously. Returns {ok, status, stdout, stderr}. */
export function virsh(args, { uri = SYSTEM_URI, timeoutMs = 15000 } = {}) {
    const r = spawnSync('virsh', ['-q', '-c', uri, ...args], {
        encoding: 'utf8', timeout: timeoutMs, env: DAEMON_ENV,
    });
    const stderr = r.error ? `${r.error.message}\n${r.stderr || ''}` : (r.stderr || '');
    return { ok: !r.error && r.status === 0, status: r.status, stdout: r.stdout || '', stderr: stderr.trim() };
}

/**
 * `virsh domstats <groups> <name>` (groups: its flags, e.g. ['--cpu-total', '--vcpu']) as
 * {key: number|string}; null when virsh fails.
 */
export function domstats(name, groups) {
    const r = virsh(['domstats', ...groups, name]);
    if (!r.ok) return null;
    const out = {};
    for (const line of r.stdout.split('\n')) {
        const m = /^\s*([\w.]+)=(.*)$/.exec(line);
        if (m) out[m[1]] = /^\d+$/.test(m[2]) ? Number(m[2]) : m[2];
    }
    return out;
}

/**
 * The pid of the system instance of `comm` while it runs, else null: the pid in its
 * pidfile (default /run/<comm>.pid, written by the root daemon) is alive and is that
 * program. Private, unprivileged instances (tests/lib/libvirtd.mjs) have their own
 * pidfiles and do not count.
 */
function systemDaemonPid(comm, pidfile = `/run/${comm}.pid`) {
    try {
        const pid = fs.readFileSync(pidfile, 'utf8').trim();
        if (!/^\d+$/.test(pid)) return null;
        return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm ? Number(pid) : null;
    } catch {
        return null;
    }
}

function systemDaemonRunning(comm) {
    return systemDaemonPid(comm) !== null;
}

/** The group id of `name` from /etc/group, or null. */
function groupId(name) {
    const line = fs.readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.split(':')[0] === name);
    return line ? Number(line.split(':')[2]) : null;
}

/** The user QEMU runs as: `user = "..."` in qemu.conf, else Debian's default. */
function qemuUser() {
    try {
        const m = /^\s*user\s*=\s*"([^"]+)"/m.exec(fs.readFileSync(QEMU_CONF, 'utf8'));
        if (m) return m[1];
    } catch { /* no config: the built-in default applies */ }
    return 'libvirt-qemu';
}

/** {uid, gids} of a user name (or "+uid"), from `id`; null if unknown. */
function userIds(name) {
    const plain = name.replace(/^\+/, '');
    const u = spawnSync('id', ['-u', plain], { encoding: 'utf8' });
    const g = spawnSync('id', ['-G', plain], { encoding: 'utf8' });
    if (u.status !== 0 || g.status !== 0) return null;
    return { uid: Number(u.stdout.trim()), gids: g.stdout.trim().split(/\s+/).map(Number) };
}

/** True if the QEMU user may read and write /dev/kvm according to its owner/group/mode. */
function kvmAllowedForQemu(st) {
    const ids = userIds(qemuUser());
    if (!ids) return false;
    if (ids.uid === 0) return true;
    const mode = st.mode & 0o777;
    if (ids.uid === st.uid) return (mode & 0o600) === 0o600;
    if (ids.gids.includes(st.gid)) return (mode & 0o060) === 0o060;
    return (mode & 0o006) === 0o006;
}

/** True if /dev/kvm is a device this process can open read-write. */
function kvmOpens() {
    let fd = null;
    try {
        fd = fs.openSync(KVM_DEV, fs.constants.O_RDWR);
        return true;
    } catch {
        return false;
    } finally {
        if (fd !== null) fs.closeSync(fd);
    }
}

/**
 * 'kvm' when /dev/kvm opens here and the QEMU user (qemu.conf) may use it; else 'qemu'
 * (TCG emulation, slower but works everywhere).
 */
export function domainType() {
    let st;
    try {
        st = fs.statSync(KVM_DEV);
    } catch {
        return 'qemu';
    }
    if (!st.isCharacterDevice() || !kvmOpens()) return 'qemu';
    return kvmAllowedForQemu(st) ? 'kvm' : 'qemu';
}

/** chgrp kvm + chmod 660 on /dev/kvm, only when the QEMU user cannot use it as it is. */
function fixKvmPermissions(steps) {
    let st;
    try {
        st = fs.statSync(KVM_DEV);
    } catch {
        return; // no KVM: domains fall back to TCG
    }
    if (kvmAllowedForQemu(st)) return;
    const kvmGid = groupId('kvm');
    if (kvmGid === null) return;
    try {
        if (st.gid !== kvmGid) fs.chownSync(KVM_DEV, st.uid, kvmGid);
        if ((st.mode & 0o060) !== 0o060) fs.chmodSync(KVM_DEV, (st.mode & 0o777) | 0o660);
        steps.push(`chgrp kvm + chmod g+rw ${KVM_DEV}`);
    } catch (e) {
        steps.push(`could not fix ${KVM_DEV} permissions (${e.code || e.message}); TCG will be used`);
    }
}

/**
 * Runs a self-daemonising program (`prog -d`) in its own session, so it outlives the
 * test process and its process group. Resolves with the exit of the foreground part.
 */
function startDaemonised(prog, extraEnv = {}) {
    return new Promise((resolve) => {
        let settled = false;
        const done = (v) => { if (!settled) { settled = true; resolve(v); } };
        const p = spawn(prog, ['-d'], {
            detached: true, stdio: 'ignore', env: { ...DAEMON_ENV, ...extraEnv },
        });
        p.on('error', (e) => done({ code: null, error: e.message }));
        p.on('exit', (code, signal) => done({ code, signal }));
        setTimeout(() => done({ code: null, error: 'still in the foreground after 20 s' }), 20000).unref();
    });
}

const DBUS_PID = '/run/dbus/pid';

/**
 * Debian's libvirtd lets the libvirt group use qemu:///system through polkit (its
 * 60-libvirt.rules), which it asks over the system D-Bus; it looks the bus up once, so
 * the bus and polkitd must run before libvirtd starts (systemd starts both on a real
 * host; nothing does here). Starts what is installed and missing; a no-op with neither.
 */
function ensureSystemBus(steps) {
    const bus = '/run/dbus/system_bus_socket';
    if (fs.existsSync('/usr/bin/dbus-daemon') && systemDaemonPid('dbus-daemon', DBUS_PID) === null) {
        // a pidfile and socket left by a bus of an earlier boot stop dbus-daemon starting
        for (const stale of [DBUS_PID, bus]) fs.rmSync(stale, { force: true });
        fs.mkdirSync('/run/dbus', { recursive: true });
        const r = spawnSync('dbus-daemon', ['--system', '--fork'], { encoding: 'utf8', timeout: 10000 });
        steps.push(`dbus-daemon --system: exit ${r.status}${r.status ? ` ${r.stderr.trim()}` : ''}`);
    }
    const polkitd = '/usr/lib/polkit-1/polkitd';
    if (fs.existsSync(polkitd) && fs.existsSync(bus) &&
        spawnSync('pgrep', ['-x', 'polkitd']).status !== 0) {
        spawn(polkitd, ['--no-debug'], { detached: true, stdio: 'ignore' }).unref();
        steps.push('polkitd started');
    }
}

function tail(file, lines = 20) {
    try {
        return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
        return `(no ${file})`;
    }
}

/**
 * Makes sure qemu:///system answers. If `virsh version` fails: creates the log and
 * runtime directories, fixes /dev/kvm permissions if QEMU could not use it, and starts
 * virtlogd and libvirtd (`-d`, detached) if they are not running; then waits up to
 * timeoutMs for the connection. Safe to call from several test processes at once (a
 * second libvirtd loses the pidfile race and exits; the first one is waited for).
 * Resolves with {alreadyUp, steps, ms}; rejects with an error that says what failed.
 */
export async function ensureSystemLibvirtd({ timeoutMs = 30000 } = {}) {
    // libvirt runs these for the real-hypervisor suites (qcow2 volumes, NAT networks)
    requireTools('virsh', 'libvirtd', 'virtlogd', 'qemu-system-x86_64', 'qemu-img', 'dnsmasq',
        'iptables', 'ip');
    const t0 = Date.now();
    const steps = [];
    let probe = virsh(['version'], { timeoutMs: 10000 });
    if (probe.ok) return { alreadyUp: true, steps, ms: Date.now() - t0 };

    for (const dir of [LOG_DIR, RUN_DIR]) {
        if (!fs.existsSync(dir)) {
            fs.mkdirSync(dir, { recursive: true });
            steps.push(`mkdir ${dir}`);
        }
    }
    fixKvmPermissions(steps);
    if (!systemDaemonRunning('virtlogd')) {
        const r = await startDaemonised('virtlogd');
        steps.push(`virtlogd -d: ${r.error || `exit ${r.code}${r.signal ? ` signal ${r.signal}` : ''}`}`);
    }
    if (!systemDaemonRunning('libvirtd')) {
        ensureSystemBus(steps);
        const r = await startDaemonised('libvirtd', { LIBVIRT_LOG_OUTPUTS: `3:file:${LIBVIRTD_LOG}` });
        steps.push(`libvirtd -d: ${r.error || `exit ${r.code}${r.signal ? ` signal ${r.signal}` : ''}`}`);
    }

    const deadline = t0 + timeoutMs;
    for (;;) {
        probe = virsh(['version'], { timeoutMs: Math.max(1000, Math.min(10000, deadline - Date.now())) });
        if (probe.ok) return { alreadyUp: false, steps, ms: Date.now() - t0 };
        if (Date.now() >= deadline) break;
        await sleep(250);
    }
    throw new Error(
        `${SYSTEM_URI} did not answer within ${timeoutMs} ms.\n` +
        `last \`virsh -c ${SYSTEM_URI} version\` (exit ${probe.status}): ${probe.stderr || probe.stdout}\n` +
        `steps taken: ${steps.length ? steps.join('; ') : 'none'}\n` +
        `virtlogd running: ${systemDaemonRunning('virtlogd')}, libvirtd running: ${systemDaemonRunning('libvirtd')}\n` +
        `--- ${LIBVIRTD_LOG} (tail) ---\n${tail(LIBVIRTD_LOG)}`);
}

/** The start time of a process (clock ticks after boot, /proc/PID/stat), or null. */
function processStart(pid) {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    } catch {
        return null;
    }
}

/**
 * ensureSystemLibvirtd for tests of a libvirt group member's access: Debian's libvirtd
 * asks polkit about every non-root client over the system D-Bus, which it looks up once at
 * start, so a libvirtd that started before the bus (or with none) refuses them all. Such a
 * libvirtd is stopped (SIGTERM, its exit waited for) and started again after the bus and
 * polkitd; running guests keep running (QEMU outlives libvirtd). Callers hold
 * /tmp/vd-qemu.lock, so no other test is using libvirtd meanwhile.
 */
export async function ensureSystemLibvirtdWithBus(opts = {}) {
    const steps = [];
    const libvirtd = systemDaemonPid('libvirtd');
    const bus = systemDaemonPid('dbus-daemon', DBUS_PID);
    if (libvirtd && (!bus || processStart(bus) > processStart(libvirtd))) {
        process.kill(libvirtd, 'SIGTERM');
        const deadline = Date.now() + 15000;
        while (processStart(libvirtd) !== null) {
            if (Date.now() > deadline) throw new Error(`libvirtd ${libvirtd} did not exit within 15 s of SIGTERM`);
            await sleep(100);
        }
        steps.push(`libvirtd ${libvirtd} stopped: it started before the system bus`);
    }
    const r = await ensureSystemLibvirtd(opts);
    return { ...r, steps: [...steps, ...r.steps] };
}

/* ---- domain XML ---------------------------------------------------------------------- */

function escapeXml(value) {
    return String(value).replace(/[&<>"']/g, (c) => ({
        '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;',
    })[c]);
}

/**
 * One XML element: el('memory', {unit: 'MiB'}, '512') or el('devices', {}, [child, ...]).
 * Attribute values and text are escaped; children are elements built by el(). Attributes
 * whose value is undefined or null are left out.
 */
export function el(name, attrs = {}, children = []) {
    if (!/^[A-Za-z_][\w.-]*$/.test(name)) throw new Error(`bad XML element name ${JSON.stringify(name)}`);
    let open = name;
    for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null) continue;
        if (!/^[A-Za-z_][\w.:-]*$/.test(k)) throw new Error(`bad XML attribute name ${JSON.stringify(k)}`);
        open += ` ${k}="${escapeXml(v)}"`;
    }
    const body = Array.isArray(children)
        ? children.map((c) => {
            if (!(c instanceof XmlFragment)) throw new Error('children must be built with el()');
            return c.xml;
        }).join('')
        : escapeXml(children);
    return new XmlFragment(body === '' ? `<${open}/>` : `<${open}>${body}</${name}>`);
}

class XmlFragment {
    constructor(xml) { this.xml = xml; }
    toString() { return this.xml; }
}

/**
 * XML of a small, diskless test domain with no network interface: VNC on 127.0.0.1
 * (autoport), a virtio memory balloon and network boot (the firmware boots in about a
 * second, then idles). opts: {name, uuid, type ('kvm'|'qemu'), memoryMiB, vcpus}.
 */
export function testDomainXml({ name, uuid, type = domainType(), memoryMiB = 512, vcpus = 1 }) {
    return el('domain', { type }, [
        el('name', {}, name),
        ...(uuid ? [el('uuid', {}, uuid)] : []),
        el('memory', { unit: 'MiB' }, String(memoryMiB)),
        el('currentMemory', { unit: 'MiB' }, String(memoryMiB)),
        el('vcpu', {}, String(vcpus)),
        el('os', {}, [el('type', { arch: 'x86_64' }, 'hvm'), el('boot', { dev: 'network' })]),
        el('on_poweroff', {}, 'destroy'),
        el('on_reboot', {}, 'restart'),
        el('on_crash', {}, 'destroy'),
        el('devices', {}, [
            el('graphics', { type: 'vnc', autoport: 'yes', listen: '127.0.0.1' },
                [el('listen', { type: 'address', address: '127.0.0.1' })]),
            el('memballoon', { model: 'virtio' }),
        ]),
    ]).toString();
}

/**
 * Sets up the two domains the console tests need, from their XML, in dir: `running` is
 * created (transient; paused: true keeps its firmware from starting until resumed) and
 * `stopped` is defined but not started. Throws with virsh's message when either fails.
 * The caller removes them: `virsh destroy` the running one, `virsh undefine` the other.
 */
export function createConsoleDomains(dir, { running, stopped, paused = false }) {
    const runFile = path.join(dir, 'running.xml');
    const offFile = path.join(dir, 'stopped.xml');
    fs.writeFileSync(runFile, running);
    fs.writeFileSync(offFile, stopped);
    let r = virsh(['create', ...(paused ? ['--paused'] : []), runFile], { timeoutMs: 30000 });
    if (!r.ok) throw new Error(`virsh create: ${r.stderr}`);
    r = virsh(['define', offFile]);
    if (!r.ok) throw new Error(`virsh define: ${r.stderr}`);
}
