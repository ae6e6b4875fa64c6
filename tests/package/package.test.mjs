// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/package/package.test.mjs — the Debian package on this machine (make check-package,
// which builds build/virtdeck_<version>_<arch>.deb first and holds /tmp/vd-qemu.lock).
// One flow, as an admin lives it: lintian has no errors; the unit passes
// `systemd-analyze verify` and scores "OK" or better; an OLDER build (the same deb
// repacked with a lower Version) installs, creates the virtdeck user in group libvirt, the
// 0700 state directory, the setuid helper (root:virtdeck 4750) and the first admin,
// printing its password; the installed daemon, started by hand exactly as the unit's
// ExecStart/User/Group/SupplementaryGroups/UMask/StateDirectory say (no systemd runs here),
// serves the UI from /usr/share/virtdeck/web, lists a VM of the real qemu:///system and
// opens its console (RFB banner); a user and an audit row made there survive the upgrade
// to this build; `dpkg -r` then `dpkg --purge` leave nothing in /etc, /usr, /var/lib
// (the virtdeck system user stays, as Debian policy has it). Also: what Debian's libvirt
// needs for a libvirt group member to use qemu:///system: polkit grants
// org.libvirt.unix.manage to a process of an account in the group and not to one outside
// it (pkcheck), and the first can `virsh list` while the second cannot. A libvirtd started
// before the system bus refuses every non-root client, so such a libvirtd is restarted
// after the bus and polkitd first (ensureSystemLibvirtdWithBus). Always purges and removes its domain and
// accounts, even when a step fails. Root only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '../lib/client.mjs';
import { freePort, REPO_ROOT } from '../lib/daemon.mjs';
import { openConsole } from '../lib/rfb.mjs';
import { createConsoleDomains, ensureSystemLibvirtdWithBus, testDomainXml, virsh } from '../lib/system-libvirtd.mjs';

const DEB = process.env.VIRTDECK_DEB ||
    fs.readdirSync(path.join(REPO_ROOT, 'build')).filter((f) => /^virtdeck_.*\.deb$/.test(f))
        .map((f) => path.join(REPO_ROOT, 'build', f))[0];
const UNIT = '/lib/systemd/system/virtdeck.service';
const SOCKET_UNIT = '/lib/systemd/system/virtdeck.socket';
const STATE = '/var/lib/virtdeck';
const CONF = '/etc/virtdeck/virtdeck.conf';
const WEB = '/usr/share/virtdeck/web';
const HELPER = '/usr/libexec/virtdeck/virtdeck-pam-helper';
const PAM_FILE = '/etc/pam.d/virtdeck';
const TAG = crypto.randomBytes(3).toString('hex');
const IN_GROUP = `vdpkg-in-${TAG}`;
const OUT_GROUP = `vdpkg-out-${TAG}`;

function run(cmd, args, { input, ok = true } = {}) {
    const r = spawnSync(cmd, args, { input, encoding: 'utf8', timeout: 300000, maxBuffer: 256 << 20 });
    if (ok && r.status !== 0) {
        throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
    }
    return r;
}

/** Every path under /etc, /usr and /var/lib but the package manager's own books, the
 *  libvirt state the test's domain touches and the account files' backups. */
function fileList() {
    const r = run('find', ['/etc', '/usr', '/var/lib', '-xdev'], { ok: false });
    return new Set(r.stdout.split('\n').filter((p) => p &&
        !/^\/var\/lib\/(dpkg|apt|libvirt|systemd|ucf|lintian)(\/|$)/.test(p) &&
        !/^\/etc\/(passwd|group|shadow|gshadow|subuid|subgid)-?$/.test(p) &&
        !/^\/etc\/libvirt(\/|$)/.test(p) && !/^\/etc\/ld\.so\.cache$/.test(p)));
}

/** The unit's [Service] settings, the last value of each key. */
function unitSettings(file) {
    const out = {};
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        const m = /^([A-Za-z]+)=(.*)$/.exec(line);
        if (m) out[m[1]] = m[2];
    }
    return out;
}

/** Starts the installed daemon as the unit would: its ExecStart line, as its User with
 *  its Group and SupplementaryGroups, its UMask, and the environment systemd gives
 *  (STATE_DIRECTORY, CONFIGURATION_DIRECTORY). Resolves once it serves TLS. */
async function startInstalled(port) {
    const u = unitSettings(UNIT);
    const argv = u.ExecStart.split(/\s+/);
    const groups = u.SupplementaryGroups.split(/\s+/).map((g) => run('getent', ['group', g]).stdout.split(':')[2]);
    const uid = run('id', ['-u', u.User]).stdout.trim();
    const gid = run('getent', ['group', u.Group]).stdout.split(':')[2];
    const proc = spawn('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, `--groups=${groups.join(',')}`,
        '--inh-caps=-all', '--no-new-privs', '--', 'sh', '-c', `umask ${u.UMask}; exec "$@"`, 'sh', ...argv], {
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', STATE_DIRECTORY: STATE, CONFIGURATION_DIRECTORY: '/etc/virtdeck' },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.stderr.on('data', (d) => { out += d; });
    const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
    const deadline = Date.now() + 20000;
    while (!/virtdeck: serving /.test(out)) {
        const done = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 100))]);
        if (done || Date.now() > deadline) {
            proc.kill('SIGKILL');
            throw new Error(`the installed daemon did not start (${JSON.stringify(done)}):\n${out}`);
        }
    }
    const d = { url: `https://127.0.0.1:${port}`, host: '127.0.0.1', port, ca: fs.readFileSync(`${STATE}/tls/virtdeck.crt`), pid: proc.pid };
    d.user = run('ps', ['-o', 'user=', '-p', String(proc.pid)]).stdout.trim();
    d.stop = async () => {
        proc.kill('SIGTERM');
        const e = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 10000))]);
        if (!e) proc.kill('SIGKILL');
        return e;
    };
    d.logs = () => out;
    return d;
}

function readProc(pid, file) {
    try {
        return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
    } catch {
        return '';
    }
}

// make deps installs the PAM service file by hand for the build tree's tests (pam.test.mjs);
// the package owns it as a conffile: it is set aside before the first install (a file that
// differs from the package's would stop dpkg at a conffile prompt, as on any machine with a
// hand-made /etc/pam.d/virtdeck), and after a purge what was there is put back.
const pamBefore = fs.existsSync(PAM_FILE) ? fs.readFileSync(PAM_FILE) : null;

function purge() {
    run('dpkg', ['--purge', 'virtdeck'], { ok: false });
    if (pamBefore && !fs.existsSync(PAM_FILE)) fs.writeFileSync(PAM_FILE, pamBefore, { mode: 0o644 });
}

describe('the Debian package, installed, upgraded and purged on this machine', { skip: process.getuid() !== 0 && 'needs root' }, () => {
    const dom = { name: `virtdeck-test-pkg-${TAG}`, uuid: crypto.randomUUID() };
    const off = { name: `virtdeck-test-pkgoff-${TAG}`, uuid: crypto.randomUUID() };
    let tmp;
    let before0;
    let oldDeb;
    let port;
    let d = null;

    before(async () => {
        assert.ok(DEB && fs.existsSync(DEB), `a built package in build/ (make deb): ${DEB}`);
        purge();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-pkg-'));
        const up = await ensureSystemLibvirtdWithBus();
        if (up.steps.length) console.log(`# qemu:///system: ${up.steps.join('; ')}`);
        createConsoleDomains(tmp, { running: testDomainXml({ ...dom, memoryMiB: 128 }), stopped: testDomainXml({ ...off, memoryMiB: 128 }), paused: true });
        before0 = fileList();
        // The older build: this package with a lower Version.
        const x = path.join(tmp, 'x');
        run('dpkg-deb', ['-R', DEB, x]);
        const control = path.join(x, 'DEBIAN', 'control');
        fs.writeFileSync(control, fs.readFileSync(control, 'utf8').replace(/^Version: .*$/m, 'Version: 0.0.1'));
        oldDeb = path.join(tmp, 'virtdeck_0.0.1.deb');
        run('dpkg-deb', ['--root-owner-group', '-b', x, oldDeb], { ok: true });
        port = await freePort();
        run('useradd', ['-M', '-s', '/usr/sbin/nologin', '-G', 'libvirt', IN_GROUP]);
        run('useradd', ['-M', '-s', '/usr/sbin/nologin', OUT_GROUP]);
    });

    after(async () => {
        if (d) await d.stop();
        purge();
        virsh(['destroy', dom.name]);
        virsh(['undefine', off.name]);
        for (const u of [IN_GROUP, OUT_GROUP]) run('userdel', [u], { ok: false });
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('passes lintian with no errors', (t) => {
        const r = run('lintian', ['--fail-on', 'error', DEB], { ok: false });
        t.diagnostic(`lintian: ${(r.stdout + r.stderr).trim() || 'clean'}`);
        assert.equal(r.status, 0, r.stdout + r.stderr);
    });

    it('an older build installs: the user, the state directory, the helper, the first admin', (t) => {
        fs.rmSync(PAM_FILE, { force: true });
        const r = run('dpkg', ['-i', oldDeb]);
        const m = /created user 'admin' with password: (\S+)/.exec(r.stdout);
        assert.ok(m, `the postinst prints the first password:\n${r.stdout}\n${r.stderr}`);
        assert.equal(fs.readFileSync(`${STATE}/initial-admin-password`, 'utf8').trim(), m[1]);
        const st = fs.statSync(STATE);
        assert.equal(st.mode & 0o7777, 0o700, 'the state directory is 0700');
        assert.equal(st.uid, Number(run('id', ['-u', 'virtdeck']).stdout), 'owned by virtdeck');
        assert.equal(fs.statSync(`${STATE}/initial-admin-password`).mode & 0o777, 0o600);
        assert.match(run('id', ['-nG', 'virtdeck']).stdout, /\blibvirt\b/, 'virtdeck is in group libvirt');
        const h = fs.statSync(HELPER);
        assert.equal(h.mode & 0o7777, 0o4750, 'the PAM helper is setuid, for its group only');
        assert.equal(h.uid, 0);
        assert.equal(h.gid, Number(run('getent', ['group', 'virtdeck']).stdout.split(':')[2]));
        const bin = fs.readFileSync('/usr/sbin/virtdeck');
        assert.equal(bin.indexOf(Buffer.from(REPO_ROOT)), -1, 'the packaged binary carries no build tree path');
        assert.ok(fs.readFileSync('/var/lib/dpkg/info/virtdeck.conffiles', 'utf8').includes(CONF), 'the config is a conffile');
    });

    it('the units verify, the socket is shipped disabled, the sandbox scores OK or better', (t) => {
        // Documentation= is checked only where the pages and man(1) are both there.
        const man = fs.existsSync('/usr/share/man/man8/virtdeck.8.gz') &&
            run('sh', ['-c', 'command -v man'], { ok: false }).status === 0 ? 'yes' : 'no';
        const v = run('systemd-analyze', ['verify', `--man=${man}`, UNIT, SOCKET_UNIT], { ok: false });
        assert.equal(v.status, 0, `systemd-analyze verify: ${v.stdout}${v.stderr}`);
        // deb-systemd-helper enables with symlinks even where no systemd runs
        assert.ok(fs.existsSync('/etc/systemd/system/multi-user.target.wants/virtdeck.service'), 'the service is enabled');
        assert.ok(!fs.existsSync('/etc/systemd/system/sockets.target.wants/virtdeck.socket'),
            'socket activation is opt-in: enabled, it would replace the config\'s listen');
        const s = run('systemd-analyze', ['security', '--offline=true', UNIT], { ok: false });
        const m = /Overall exposure level for virtdeck\.service: ([\d.]+) (\w+)/.exec(s.stdout);
        assert.ok(m, s.stdout + s.stderr);
        t.diagnostic(`systemd-analyze security: ${m[1]} ${m[2]}`);
        assert.ok(['PERFECT', 'SAFE', 'OK'].includes(m[2]), `exposure ${m[1]} ${m[2]}`);
    });

    let password;
    const EXTRA = { name: `pkguser${TAG}`, password: `pkg-user-pass-${TAG}` };

    it('runs as the unit says: serves the installed UI, lists and opens a qemu:///system VM', async (t) => {
        password = fs.readFileSync(`${STATE}/initial-admin-password`, 'utf8').trim();
        fs.appendFileSync(CONF, `\n# package test\nlisten = 127.0.0.1:${port}\n`);
        d = await startInstalled(port);
        assert.equal(d.user, 'virtdeck', 'the daemon runs as virtdeck');
        const c = new Client(d);
        const page = await c.req('GET', '/', { cookies: false });
        assert.equal(page.status, 200);
        assert.equal(page.text, fs.readFileSync(`${WEB}/index.html`, 'utf8'), 'the UI comes from /usr/share/virtdeck/web');
        await c.login('admin', password);
        const add = await c.req('POST', '/api/users', { body: { name: EXTRA.name, role: 'viewer', password: EXTRA.password } });
        assert.equal(add.status, 201, add.text);
        const list = await c.req('GET', '/api/domains');
        assert.equal(list.status, 200, list.text);
        assert.ok(JSON.stringify(list.json).includes(dom.uuid), 'the test VM is listed');
        const rfb = await openConsole(c, dom.uuid);
        try {
            const init = await rfb.handshake();
            assert.match(init.version, /^RFB 003\.00[38]\n$/);
        } finally {
            rfb.close();
        }
        c.close();
        await d.stop();
        d = null;
    });

    it('an upgrade to this build keeps the users and the audit rows', async (t) => {
        if (d) await d.stop();
        d = null;
        const r = run('dpkg', ['-i', DEB]);
        assert.doesNotMatch(r.stdout, /created user 'admin'/, 'no new first admin on an upgrade');
        d = await startInstalled(port);
        const c = new Client(d);
        await c.login('admin', password);
        const users = await c.req('GET', '/api/users');
        assert.ok(JSON.stringify(users.json).includes(EXTRA.name), 'the user made before the upgrade is there');
        const audit = await c.req('GET', `/api/audit?user=admin&limit=200`);
        assert.equal(audit.status, 200, audit.text);
        const text = JSON.stringify(audit.json);
        assert.ok(text.includes(EXTRA.name), 'the audit row of its creation is there');
        const viewer = new Client(d);
        await viewer.login(EXTRA.name, EXTRA.password);
        c.close();
        viewer.close();
        await d.stop();
        d = null;
    });

    it('remove keeps the config, purge leaves nothing behind', () => {
        run('dpkg', ['-r', 'virtdeck']);
        assert.ok(fs.existsSync(CONF), 'remove keeps the conffile');
        assert.ok(!fs.existsSync('/usr/sbin/virtdeck'));
        run('dpkg', ['--purge', 'virtdeck']);
        assert.ok(!fs.existsSync('/var/lib/virtdeck') && !fs.existsSync('/etc/virtdeck'), 'purge removes the state and the config');
        purge();
        const now = fileList();
        assert.deepEqual([...now].filter((p) => !before0.has(p)), [], 'nothing left behind');
        assert.deepEqual([...before0].filter((p) => !now.has(p)), [], 'nothing of the machine taken away');
        assert.ok(run('getent', ['passwd', 'virtdeck'], { ok: false }).status === 0, 'the system user stays');
    });

    it('a libvirt group member can use qemu:///system, an account outside it cannot', async (t) => {
        const sock = '/run/libvirt/libvirt-sock';
        const st = fs.statSync(sock);
        const group = run('getent', ['group', String(st.gid)]).stdout.split(':')[0];
        t.diagnostic(`${sock}: mode ${(st.mode & 0o777).toString(8)} group ${group} (access: polkit, 60-libvirt.rules)`);
        // What libvirtd asks polkit for each non-root client: org.libvirt.unix.manage
        // for a process of the account (Debian's 60-libvirt.rules: yes for libvirt).
        for (const [user, allowed] of [[IN_GROUP, true], [OUT_GROUP, false]]) {
            const p = spawn('setpriv', [`--reuid=${user}`, `--regid=${user}`, '--init-groups', '--', 'sleep', '30'], { stdio: 'ignore' });
            try {
                const deadline = Date.now() + 5000; // setpriv has switched and exec'd sleep
                while (!/^sleep/.test(readProc(p.pid, 'comm')) || !readProc(p.pid, 'status').includes(`Uid:\t${run('id', ['-u', user]).stdout.trim()}\t`)) {
                    assert.ok(Date.now() < deadline, `the process of ${user} did not start`);
                    await new Promise((r) => setTimeout(r, 20));
                }
                const r = run('pkcheck', ['--action-id', 'org.libvirt.unix.manage', '--process', String(p.pid)], { ok: false });
                assert.equal(r.status === 0, allowed, `polkit for ${user}: exit ${r.status} ${r.stderr}`);
            } finally {
                p.kill();
            }
        }
        const inside = run('runuser', ['-u', IN_GROUP, '--', 'virsh', '-c', 'qemu:///system', 'list', '--all', '--name'], { ok: false });
        assert.equal(inside.status, 0, inside.stderr);
        assert.ok(inside.stdout.includes(dom.name), 'the member sees the VMs');
        const outside = run('runuser', ['-u', OUT_GROUP, '--', 'virsh', '-c', 'qemu:///system', 'list', '--all', '--name'], { ok: false });
        assert.notEqual(outside.status, 0, `an account outside libvirt is refused: ${outside.stdout}`);
    });
});
