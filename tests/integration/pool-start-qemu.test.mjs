// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/pool-start-qemu.test.mjs — a pool that fails to start on the
// machine's real libvirtd (qemu:///system) is the storage driver's answer, not a lost
// connection: a dir pool whose directory is gone fails with VIR_ERR_SYSTEM_ERROR from the
// storage driver, which the API reports as 502 libvirt_error with libvirt's words (the
// code it had before was 503 libvirt_unavailable, "cannot reach libvirt"). Run under
// `flock /tmp/vd-qemu.lock`; after() undefines the pool and removes the directory.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { SYSTEM_URI, ensureSystemLibvirtd, virsh } from '../lib/system-libvirtd.mjs';

const PW = 'admin-pass-pst-1';

describe('pool start failure on qemu:///system', () => {
    const pool = `vdtest-gone-${crypto.randomBytes(4).toString('hex')}`;
    let tmp;
    let d;
    let admin;

    before(async () => {
        await ensureSystemLibvirtd();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vdtest-pst-'));
        d = await startDaemon({ uri: SYSTEM_URI, users: [{ name: 'admin', role: 'admin', password: PW }], config: { pool_roots: tmp } });
        admin = new Client(d);
        await admin.login('admin', PW);
    });
    after(async () => {
        if (admin) admin.close();
        if (d) await d.stop();
        virsh(['pool-destroy', pool]);
        virsh(['pool-undefine', pool]);
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('a dir pool whose directory was removed fails to start with libvirt_error, not libvirt_unavailable', async () => {
        const dir = path.join(tmp, 'pool');
        assertJson(await admin.post('/api/pools', { name: pool, type: 'dir', target_path: dir, build: true, start: false }), 201, 'create');
        assert.ok(fs.statSync(dir).isDirectory(), 'build made the directory');
        fs.rmSync(dir, { recursive: true });
        const e = assertError(await admin.post(`/api/pools/${pool}/start`), 502, 'libvirt_error', 'start');
        assert.match(e.message, /^start pool: .*(No such file|cannot open|directory)/i);
        // the daemon is still connected: the next request is answered as usual
        assertJson(await admin.get(`/api/pools/${pool}`), 200, 'pool still readable');
    });
});
