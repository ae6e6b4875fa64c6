// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/volume-stall.test.mjs — volume transfers while libvirtd stops
// answering for a while: a private, unprivileged libvirtd (tests/lib/libvirtd.mjs) is
// frozen with SIGSTOP for 12 s (longer than lws's own 10 s idle cut, shorter than the
// 15 s in which keepalive gives a silent libvirtd up) while an upload and then a
// download are under way. Both must finish byte-exact once it thaws: the paused socket
// is kept alive by the transfer's idle watch, not cut. A plain API request waiting on it
// is answered after the thaw too (api_endpoint.c's pending bound, not lws's 10 s cut).
// Removes its pool and files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { startPrivateLibvirtd } from '../lib/libvirtd.mjs';
import { virsh } from '../lib/system-libvirtd.mjs';
import { download, uploadFile, writeRandomFile } from '../lib/transfer.mjs';

const PW = 'admin-pass-stall-1';
const STALL_MS = 12000;
const NOBODY = 65534;

describe('volume transfers through a libvirtd that stalls for 12 s', () => {
    let lv;
    let tmp;
    let d;
    let admin;
    let file;
    let sha;

    before(async () => {
        lv = await startPrivateLibvirtd();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vdtest-stall-'));
        fs.chmodSync(tmp, 0o755);
        const poolDir = path.join(tmp, 'pool');
        fs.mkdirSync(poolDir);
        fs.chownSync(poolDir, NOBODY, NOBODY);
        const def = virsh(['pool-create-as', 'stall', 'dir', '--target', poolDir], { uri: lv.sessionUri });
        assert.ok(def.ok, `pool-create-as: ${def.stderr}`);
        file = path.join(tmp, 'data.bin');
        sha = await writeRandomFile(file, 32 * 1024 * 1024);
        d = await startDaemon({ uri: lv.sessionUri, users: [{ name: 'admin', role: 'admin', password: PW }] });
        admin = new Client(d);
        await admin.login('admin', PW);
    });

    after(async () => {
        lv?.resume();
        admin?.close();
        if (d) await d.stop();
        if (lv) await lv.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    /** Runs fn while libvirtd is frozen for STALL_MS; always thaws it. */
    async function whileFrozen(fn) {
        lv.pause();
        const thaw = setTimeout(() => lv.resume(), STALL_MS);
        try {
            return await fn();
        } finally {
            clearTimeout(thaw);
            lv.resume();
        }
    }

    it('finishes an upload that had to wait for libvirtd', async () => {
        const t0 = performance.now();
        const up = await whileFrozen(() => uploadFile(admin, 'stall', 'data.img', file));
        assert.equal(up.status, 201, up.text);
        assert.ok(performance.now() - t0 >= STALL_MS - 500, 'it really waited');
        assert.equal((await download(admin, 'stall', 'data.img')).sha256, sha);
    });

    it('finishes a download, and answers an API request, that had to wait for libvirtd', async () => {
        const t0 = performance.now();
        // the same freeze: a plain GET waits on its worker past lws's 10 s idle cut and
        // is answered after the thaw (api_endpoint.c's pending bound)
        const [down, get] = await whileFrozen(() => Promise.all([download(admin, 'stall', 'data.img'),
            admin.req('GET', '/api/pools/stall', { timeoutMs: 30000 })]));
        assert.equal(down.status, 200);
        assert.equal(down.sha256, sha);
        assert.equal(get.status, 200, get.text);
        assert.equal(get.json.name, 'stall');
        assert.ok(performance.now() - t0 >= STALL_MS - 500, 'it really waited');
        assert.ok(d.alive);
    });
});
