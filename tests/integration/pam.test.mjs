// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/pam.test.mjs — system accounts logging in through PAM (docs/api.md
// "Login", auth/README.md "PAM"): the daemon runs as an unprivileged system user created
// here, with pam = on and a setuid-root copy of build/virtdeck-pam-helper that only its
// group may run. Accounts made with useradd/chpasswd: one in the admin group gets admin,
// one in the operator group gets operator, one in both gets admin (highest wins); a wrong
// password, a locked account (usermod -L), an expired one (chage -E 0), one whose password
// must be changed (chage -d 0) and one in no
// mapped group do not log in; a local user of the same name as a system account wins; a
// role is re-derived at each login (and the account's older session ends); each attempt
// leaves its one audit row. Needs root (useradd) and /etc/pam.d/virtdeck
// (packaging/install-deps.sh); every account, group and file is removed even on failure.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, addUser, startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';

const P = 'vdtest-pam-';
const GROUPS = { admin: `${P}adm`, operator: `${P}op`, svc: `${P}svc` };
const PW = 'Sys-pass-for-pam-1';
// name → [groups, what else is done to the account]
const ACCOUNTS = {
    [`${P}alice`]: [[GROUPS.admin]],
    [`${P}bob`]: [[GROUPS.operator]],
    [`${P}carol`]: [[GROUPS.operator, GROUPS.admin]],
    [`${P}dave`]: [[]],
    [`${P}erin`]: [[GROUPS.admin], ['usermod', '-L']],
    [`${P}frank`]: [[GROUPS.admin], ['chage', '-E', '0']],
    [`${P}gina`]: [[GROUPS.admin]],
    [`${P}hank`]: [[GROUPS.admin], ['chage', '-d', '0']],
};
const SVC = `${P}svc`;
const LOCAL_PW = 'local-pass-for-gina-1';

const isRoot = process.getuid && process.getuid() === 0;
const skip = !isRoot ? 'needs root (creates system users)' : false;

function run(cmd, args, input) {
    const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status} ${r.stderr}`);
    return r.stdout;
}
const quiet = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8' });

function cleanupAccounts() {
    for (const name of [...Object.keys(ACCOUNTS), SVC]) quiet('userdel', [name]);
    for (const g of Object.values(GROUPS)) quiet('groupdel', [g]);
}

describe('PAM logins (system accounts, unprivileged daemon)', { skip }, () => {
    let dir;
    let daemon;
    const answers = {};

    const login = async (name, password = PW) => {
        const c = new Client(daemon);
        const res = await c.post('/api/login', { username: name, password }, { cookies: false, csrf: false });
        if (res.status === 200) { c.csrf = res.json.csrf_token; c.user = res.json; }
        answers[name] = [...(answers[name] || []), res.status];
        return { c, res };
    };

    before(async () => {
        const shipped = readFileSync(path.join(REPO_ROOT, 'packaging', 'pam.d', 'virtdeck'), 'utf8');
        assert.equal(existsSync('/etc/pam.d/virtdeck') && readFileSync('/etc/pam.d/virtdeck', 'utf8'), shipped,
            '/etc/pam.d/virtdeck is packaging/pam.d/virtdeck (packaging/install-deps.sh installs it)');
        cleanupAccounts(); // a previous run killed half-way
        for (const g of Object.values(GROUPS)) run('groupadd', [g]);
        run('useradd', ['-M', '-r', '-g', GROUPS.svc, '-s', '/usr/sbin/nologin', SVC]);
        for (const [name, [groups, extra]] of Object.entries(ACCOUNTS)) {
            run('useradd', ['-M', '-s', '/usr/sbin/nologin', ...(groups.length ? ['-G', groups.join(',')] : []), name]);
            run('chpasswd', [], `${name}:${PW}\n`);
            if (extra) run(extra[0], [...extra.slice(1), name]);
        }
        const svcUid = Number(run('id', ['-u', SVC]));
        const svcGid = Number(run('id', ['-g', SVC]));
        dir = mkdtempSync(path.join(os.tmpdir(), `${P}`));
        chmodSync(dir, 0o755);
        // The helper as it is installed: setuid root, run only by the daemon's group. The
        // plain build's, also when the daemon under test is the ASan build's: the helper is
        // its own program, and the ASan-built one, setuid, fails every check here (the
        // sanitizer's runtime in a setuid process; not installed that way anywhere).
        const helper = path.join(dir, 'virtdeck-pam-helper');
        copyFileSync(path.join(REPO_ROOT, 'build', 'virtdeck-pam-helper'), helper);
        chownSync(helper, 0, svcGid);
        chmodSync(helper, 0o4750);
        const stateDir = path.join(dir, 'state');
        mkdirSync(stateDir, { mode: 0o700 });
        addUser(stateDir, { name: `${P}gina`, role: 'viewer', password: LOCAL_PW });
        run('chown', ['-R', `${svcUid}:${svcGid}`, stateDir]);
        daemon = await startDaemon({
            stateDir,
            prefix: ['setpriv', `--reuid=${svcUid}`, `--regid=${svcGid}`, '--init-groups', '--'],
            config: { pam: 'on', pam_helper: helper, pam_admin_group: GROUPS.admin, pam_operator_group: GROUPS.operator },
        });
        // The config file startDaemon wrote is root's; the daemon has read it already.
        assert.equal(Number(run('ps', ['-o', 'uid=', '-p', String(daemon.pid)]).trim()), svcUid, 'daemon runs unprivileged');
    });

    after(async () => {
        try {
            if (daemon) await daemon.stop();
        } finally {
            cleanupAccounts();
            if (dir) rmSync(dir, { recursive: true, force: true });
        }
    });

    it('a system account in the admin group logs in as admin, and can act as one', async () => {
        const { c, res } = await login(`${P}alice`);
        const body = assertJson(res, 200, 'alice');
        assert.equal(body.username, `${P}alice`);
        assert.equal(body.role, 'admin');
        assertJson(await c.get('/api/audit?limit=1'), 200, 'admin reads the audit log');
        const s = assertJson(await c.get('/api/session'), 200, 'session');
        assert.equal(s.role, 'admin');
    });

    it('the operator group gives operator; in both groups the highest role wins', async () => {
        const bob = await login(`${P}bob`);
        assert.equal(assertJson(bob.res, 200, 'bob').role, 'operator');
        assertError(await bob.c.get('/api/users'), 403, 'forbidden'); // an admin's route
        const carol = await login(`${P}carol`);
        assert.equal(assertJson(carol.res, 200, 'carol').role, 'admin');
    });

    it('a wrong password, an unknown name, a locked, an expired or an unmapped account do not log in', async () => {
        const wrong = await login(`${P}alice`, 'not-the-password-1');
        assertError(wrong.res, 401, 'unauthorized');
        const unknown = await login(`${P}nosuch`);
        assertError(unknown.res, 401, 'unauthorized');
        assert.equal(unknown.res.json.error.message, wrong.res.json.error.message, 'unknown user answers as a wrong password');
        assertError((await login(`${P}erin`)).res, 401, 'unauthorized');
        assertError((await login(`${P}frank`)).res, 401, 'unauthorized');
        const mustChange = await login(`${P}hank`);
        assertError(mustChange.res, 401, 'unauthorized');
        assert.match(mustChange.res.json.error.message, /expired/);
        const unmapped = await login(`${P}dave`);
        assertError(unmapped.res, 401, 'unauthorized');
        assert.match(unmapped.res.json.error.message, /no group/);
    });

    it('a local user of the same name wins over the system account', async () => {
        assertError((await login(`${P}gina`)).res, 401, 'unauthorized');
        const local = await login(`${P}gina`, LOCAL_PW);
        assert.equal(assertJson(local.res, 200, 'gina local').role, 'viewer');
    });

    it('the role is derived again at each login and the older session ends', async () => {
        const first = await login(`${P}bob`);
        assert.equal(assertJson(first.res, 200, 'bob').role, 'operator');
        run('usermod', ['-G', GROUPS.admin, `${P}bob`]);
        const second = await login(`${P}bob`);
        assert.equal(assertJson(second.res, 200, 'bob again').role, 'admin');
        assertError(await first.c.get('/api/session'), 401, 'unauthorized');
        assert.equal(assertJson(await second.c.get('/api/session'), 200, 'new session').role, 'admin');
    });

    it('each attempt left one audit row with its result', async () => {
        const { c } = await login(`${P}alice`);
        const rows = async (user) => assertJson(await c.get(`/api/audit?action=login&user=${user}&limit=100`), 200, user)
            .entries.reverse();
        const results = async (user) => (await rows(user)).map((r) => r.result);
        const ok = (n) => Array(n).fill('ok');
        // alice: ok, wrong password, ok (this one)
        assert.deepEqual(await results(`${P}alice`), ['ok', 'unauthorized', 'ok']);
        assert.deepEqual(await results(`${P}bob`), ok(3));
        assert.deepEqual(await results(`${P}carol`), ok(1));
        // An expired account is refused by Debian's common-account (pam_deny after pam_unix):
        // PAM says only "denied"; a password that must be changed is "expired".
        const refusals = { erin: 'pam: denied', frank: 'pam: denied', hank: 'pam: expired', dave: 'pam: no role group', nosuch: 'pam: denied' };
        for (const [who, message] of Object.entries(refusals)) {
            const r = await rows(`${P}${who}`);
            assert.equal(r.length, 1, `${who}: ${JSON.stringify(r)}`);
            assert.equal(r[0].result, 'unauthorized');
            assert.equal(r[0].message, message, who);
            assert.equal(r[0].address, '127.0.0.1');
        }
        assert.deepEqual(await results(`${P}gina`), ['unauthorized', 'ok']);
        for (const r of await rows(`${P}alice`)) assert.ok(!JSON.stringify(r).includes(PW), 'no password in the log');
    });
});
