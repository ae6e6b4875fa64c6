// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/clone-jobs-qemu.test.mjs — a long clone as a job against the
// machine's real libvirtd (qemu:///system): a dir pool in a fresh temporary directory
// with a sparse 2 GiB raw volume (made through the API, nothing allocated) into which
// 1 GiB of random bytes is written with dd (nothing for libvirt's copy to skip, so it
// takes a moment: about a second and a half here), and a shut-off vdtest- VM on it
// (defined with virsh). Its clone is answered 202 without asking (more than 64 MiB
// allocated); the events websocket carries the job's progress, bytes done growing
// through values between none and all, then done; the copy holds the same bytes as
// the original and is as sparse. A SIGTERM while a second clone copies waits for it: the
// daemon exits 0 once the copy is done and the clone defined (never half made).
// Run under `flock /tmp/vd-qemu.lock` (the shared libvirtd). after() undefines both
// VMs and the pool even when a test fails and removes the directory.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { assertJson } from '../lib/api-assert.mjs';
import { domainType, el, virsh } from '../lib/system-libvirtd.mjs';
import { startQemuLab, stopQemuLab } from '../lib/qemu-lab.mjs';

const PW = 'admin-pass-cloneq-1';
const MIB = 1024 ** 2;
const DATA_MIB = 1024;

// asynchronously: a blocked event loop would miss the daemon closing an idle connection
const sha256 = async (file) => (await promisify(execFile)('sha256sum', [file])).stdout.split(' ')[0];

describe('a long clone as a job on qemu:///system', () => {
    const tag = crypto.randomBytes(4).toString('hex');
    const pool = `vdtest-clonejob-${tag}`;
    const vm = `vdtest-clonejob-${tag}`;
    const copyName = `vdtest-clonejob2-${tag}`;
    const copyName3 = `vdtest-clonejob3-${tag}`;
    const uuid = crypto.randomUUID();
    const lab = {};
    let tmp;
    let dir;
    let d;
    let admin;

    before(async () => {
        await startQemuLab(lab, { prefix: 'clonejobq', pool, admin: { name: 'admin', password: PW } });
        ({ tmp, dir, d, admin } = lab);
        assertJson(await admin.post(`/api/pools/${pool}/volumes`, { name: 'disk.img', capacity_bytes: 2048 * MIB, allocation_bytes: 0, format: 'raw' }), 201, 'volume');
        execFileSync('dd', ['if=/dev/urandom', `of=${path.join(dir, 'disk.img')}`, 'bs=1M', `count=${DATA_MIB}`, 'conv=notrunc,fsync', 'status=none']);
        assertJson(await admin.post(`/api/pools/${pool}/refresh`), 200, 'refresh');
        const xml = el('domain', { type: domainType() }, [
            el('name', {}, vm), el('uuid', {}, uuid), el('memory', { unit: 'MiB' }, '128'), el('vcpu', {}, '1'),
            el('os', {}, [el('type', { arch: 'x86_64' }, 'hvm')]),
            el('devices', {}, [el('disk', { type: 'file', device: 'disk' }, [
                el('driver', { name: 'qemu', type: 'raw' }), el('source', { file: path.join(dir, 'disk.img') }),
                el('target', { dev: 'vda', bus: 'virtio' })])]),
        ]).toString();
        const file = path.join(tmp, 'vm.xml');
        fs.writeFileSync(file, xml);
        const r = virsh(['define', file]);
        assert.ok(r.ok, `virsh define: ${r.stderr}`);
    });
    after(() => stopQemuLab(lab, { pool, domains: [vm, copyName, copyName3] }));

    it('answers 202, reports growing progress over /api/events, ends done with an equal copy', async () => {
        const ev = await admin.openEvents();
        try {
            await ev.next((m) => m.type === 'snapshot');
            const res = await admin.post(`/api/domains/${uuid}/clone`, { name: copyName });
            const { job } = assertJson(res, 202, 'clone');
            assert.equal(res.headers.location, `/api/jobs/${job.id}`);
            assert.ok(job.bytes_total >= DATA_MIB * MIB && job.bytes_total < (DATA_MIB + 16) * MIB, `bytes_total ${job.bytes_total}: what dd wrote`);
            const msgs = [];
            let last;
            do {
                last = (await ev.next((m) => m.type === 'job' && m.job.id === job.id, 120000)).job;
                msgs.push(last);
            } while (last.state === 'running');
            assert.equal(last.state, 'done', JSON.stringify(last));
            const seen = JSON.stringify(msgs.map((m) => [m.phase, m.bytes_done]));
            assert.ok(msgs.some((m) => m.state === 'running' && m.phase === 'copy' && m.bytes_done > 0 && m.bytes_done < job.bytes_total),
                `a message while part of the copy was written: ${seen}`);
            for (let i = 1; i < msgs.length; i++) assert.ok(msgs[i].bytes_done >= msgs[i - 1].bytes_done, `bytes done never go back: ${seen}`);
            assert.equal(last.bytes_done, job.bytes_total);
            const { domain, copies } = last.result;
            assert.equal(domain.name, copyName);
            assert.equal(copies.length, 1);
            const got = assertJson(await admin.get(`/api/jobs/${job.id}`), 200, 'job').job;
            assert.equal(got.state, 'done');
            assert.deepEqual(got.result.domain.uuid, domain.uuid);
            const copyPath = copies[0].path;
            const srcPath = path.join(dir, 'disk.img');
            assert.equal(path.dirname(copyPath), dir);
            assert.equal(fs.statSync(copyPath).size, fs.statSync(srcPath).size, 'same size');
            assert.ok(fs.statSync(copyPath).blocks * 512 < (DATA_MIB + 16) * MIB, 'the copy is sparse as the source');
            assert.equal(await sha256(copyPath), await sha256(srcPath), 'same bytes');
        } catch (e) {
            console.error(`daemon log (tail):\n${d.logs().slice(-6000)}`);
            throw e;
        } finally {
            await ev.close();
        }
    });

    it('a SIGTERM during a copy waits for it: exit 0, the clone defined with its whole disk', async () => {
        const { job } = assertJson(await admin.post(`/api/domains/${uuid}/clone`, { name: copyName3 }), 202, 'clone');
        assert.equal(job.state, 'running');
        const e = await d.stop({ timeoutMs: 60000 });
        assert.equal(e.code, 0);
        assert.ok(virsh(['dominfo', copyName3]).ok, 'the clone was defined before the daemon exited');
        const copy = path.join(dir, `${copyName3}-vda.img`);
        assert.equal(await sha256(copy), await sha256(path.join(dir, 'disk.img')), 'its disk is whole');
    });
});
