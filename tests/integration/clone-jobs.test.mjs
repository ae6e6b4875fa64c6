// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/clone-jobs.test.mjs — long clones as jobs (docs/api.md "Jobs" and
// "Cloning a VM") on the test driver: a pool whose volumes hold more or less than the
// 64 MiB a synchronous clone may copy, and shut-off domains on them.
// Covers: Prefer: respond-async on a small clone → 202 + Location; GET the job until
// done; its result is what 201 carries; the job list; another operator (op2) gets 404
// for it and does not see it listed, an admin does; a large clone is 202 without
// asking; a failing clone (a disk that cannot be copied after one that can) → job
// failed with the error, nothing left; the events websocket delivers job messages to
// the owner, the last one done; the checks still answer at once (409, 400) with nothing
// made; the audit record says the clone was started; a full copy of a template through
// POST /api/domains is a job of kind "create" whose result is the 201 detail.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWithFixture } from '../lib/roles.mjs';
import { Client } from '../lib/client.mjs';
import { assertDomainDetail, assertError, assertJson, UUID_RE } from '../lib/api-assert.mjs';
import { domainXml } from '../bench/gen-domains.mjs';
import { settleJob } from '../lib/jobs.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PW = { admin: 'admin-pass-jobs-1', op: 'operator-pass-jobs-2', view: 'viewer-pass-jobs-3' };
const OP2 = { name: 'op2', role: 'operator', password: 'operator-pass-jobs-4' };
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const POOL = 'vdtest-jobs';
const DIR = '/srv/vdtest-jobs';
// [name, capacity, allocation]
const VOLS = [['small.qcow2', GIB, MIB], ['big.raw', 2 * GIB, 512 * MIB], ['m.vmdk', GIB, MIB]];
const UUID = {
    small: '5eed0000-0000-4000-8000-00000000d001',
    big: '5eed0000-0000-4000-8000-00000000d002',
    mixed: '5eed0000-0000-4000-8000-00000000d003',
    tmpl: '5eed0000-0000-4000-8000-00000000d004',
};
const DOMAINS = [
    { name: 'vdtest-jobs-small', uuid: UUID.small, state: 'shutoff', disks: [
        { target: 'vda', source: `${DIR}/small.qcow2`, format: 'qcow2' },
    ] },
    { name: 'vdtest-jobs-big', uuid: UUID.big, state: 'shutoff', disks: [
        { target: 'vda', source: `${DIR}/big.raw` },
    ] },
    // vda copies; vdb (vmdk) cannot: the job fails and the copy of vda is removed
    { name: 'vdtest-jobs-mixed', uuid: UUID.mixed, state: 'shutoff', disks: [
        { target: 'vda', source: `${DIR}/small.qcow2`, format: 'qcow2' },
        { target: 'vdb', source: `${DIR}/m.vmdk`, format: 'vmdk' },
    ] },
    // marked as a template by the test; a full copy of it is 512 MiB
    { name: 'vdtest-jobs-tmpl', uuid: UUID.tmpl, state: 'shutoff', disks: [
        { target: 'vda', source: `${DIR}/big.raw` },
    ] },
];

function fixture() {
    const demo = readFileSync(path.join(REPO_ROOT, 'packaging', 'demo', 'demo.xml'), 'utf8');
    const pool = [`  <pool type='dir'>`, `    <name>${POOL}</name>`,
        `    <target><path>${DIR}</path></target>`,
        ...VOLS.map(([v, cap, alloc]) => `    <volume type='file'><name>${v}</name>` +
            `<capacity unit='bytes'>${cap}</capacity><allocation unit='bytes'>${alloc}</allocation>` +
            `<target><format type='${v.split('.').pop()}'/></target></volume>`),
        '  </pool>'].join('\n');
    const xml = demo.replace('</node>', `${DOMAINS.map(domainXml).join('\n')}\n${pool}\n</node>`);
    assert.notEqual(xml, demo, 'the demo ends with </node>');
    return xml;
}

const ASYNC = { headers: { Prefer: 'respond-async' } };

describe('clones as jobs (test driver)', () => {
    let roles;
    let admin;
    let op;
    let op2;

    before(async () => {
        roles = await startWithFixture(PW, fixture(), { users: [OP2] });
        ({ admin, op } = roles);
        op2 = new Client(roles.d);
        await op2.login(OP2.name, OP2.password);
    });
    after(async () => {
        if (op2) op2.close();
        if (roles) await roles.stop();
    });

    const clone = (client, uuid, body, opts = {}) => client.req('POST', `/api/domains/${uuid}/clone`, { body, ...opts });
    const world = async () => ({
        domains: assertJson(await admin.get('/api/domains'), 200, 'list').domains.map((x) => x.name).sort(),
        vols: assertJson(await admin.get(`/api/pools/${POOL}/volumes`), 200, 'volumes').volumes.map((v) => v.name).sort(),
    });
    const assertJob = (job, kind, uuid, owner) => {
        assert.match(job.id, /^[0-9a-f]{32}$/);
        assert.equal(job.kind, kind);
        assert.equal(job.object, uuid);
        assert.equal(typeof job.name, 'string');
        assert.equal(job.owner, owner);
        assert.ok(['running', 'done', 'failed'].includes(job.state), job.state);
        assert.equal(typeof job.phase, 'string');
        assert.ok(Number.isInteger(job.bytes_done) && Number.isInteger(job.bytes_total));
        assert.ok(job.bytes_done <= job.bytes_total);
    };

    it('Prefer: respond-async → 202 with the job and its Location; the job ends done with the 201 body', async () => {
        const before = await world();
        const res = await clone(op, UUID.small, { name: 'vdtest-jobs-a', title: 'A' }, ASYNC);
        const { job } = assertJson(res, 202, 'clone');
        assertJob(job, 'clone', UUID.small, 'op');
        assert.equal(job.bytes_total, MIB);
        assert.equal(res.headers.location, `/api/jobs/${job.id}`);
        const done = await settleJob(op, job.id);
        assert.equal(done.state, 'done', JSON.stringify(done));
        assert.equal(done.phase, 'done');
        assert.equal(done.status, 201);
        assert.equal(done.bytes_done, done.bytes_total);
        const { domain, copies } = done.result;
        assertDomainDetail(domain);
        assert.match(domain.uuid, UUID_RE);
        assert.equal(domain.name, 'vdtest-jobs-a');
        assert.equal(domain.title, 'A');
        assert.equal(domain.owner, 'op');
        assert.equal(domain.access, 'owner');
        assert.deepEqual(copies.map((c) => [c.target, c.pool, c.name]), [['vda', POOL, 'vdtest-jobs-a-vda.qcow2']]);
        // what 201 would have carried: the same shape from the synchronous clone
        const sync = assertJson(await clone(op, UUID.small, { name: 'vdtest-jobs-s', title: 'A' }), 201, 'sync');
        assert.deepEqual(Object.keys(done.result).sort(), Object.keys(sync).sort());
        assert.deepEqual(Object.keys(domain).sort(), Object.keys(sync.domain).sort());
        assert.deepEqual(copies[0].from, sync.copies[0].from);
        assert.equal(copies[0].capacity_bytes, sync.copies[0].capacity_bytes);
        const got = assertJson(await op.get(`/api/domains/${domain.uuid}`), 200, 'clone detail');
        assert.equal(got.name, 'vdtest-jobs-a');
        // a copy belongs to who made it, made by a job or at once
        assert.equal(got.owner, 'op');
        assert.equal(sync.domain.owner, 'op');
        assert.equal(sync.domain.access, 'owner');
        assert.equal(assertJson(await op.get(`/api/domains/${sync.domain.uuid}`), 200, 'sync detail').owner, 'op');
        const after = await world();
        assert.deepEqual(after.domains, [...before.domains, 'vdtest-jobs-a', 'vdtest-jobs-s'].sort());
    });

    it('a job is its owner\'s: another operator gets 404 and an empty list, an admin sees it', async () => {
        const { job } = assertJson(await clone(op, UUID.small, { name: 'vdtest-jobs-b' }, ASYNC), 202, 'clone');
        await settleJob(op, job.id);
        assertError(await op2.get(`/api/jobs/${job.id}`), 404, 'not_found');
        assertError(await op2.get(`/api/jobs/${'0'.repeat(32)}`), 404, 'not_found');
        assertError(await op.get('/api/jobs/not-a-job'), 404, 'not_found');
        const theirs = assertJson(await op2.get('/api/jobs'), 200, 'op2 list').jobs;
        assert.ok(!theirs.some((j) => j.id === job.id), 'op2 does not list it');
        const mine = assertJson(await op.get('/api/jobs'), 200, 'op list').jobs;
        assert.ok(mine.some((j) => j.id === job.id && j.state === 'done'));
        assert.ok(mine.every((j) => j.owner === 'op'));
        assert.equal(assertJson(await admin.get(`/api/jobs/${job.id}`), 200, 'admin').job.id, job.id);
        assert.ok(assertJson(await admin.get('/api/jobs'), 200, 'admin list').jobs.some((j) => j.id === job.id));
    });

    it('a clone of more than 64 MiB allocated is a job without asking; the events socket follows it to done', async () => {
        const ev = await op.openEvents();
        const ev2 = await op2.openEvents();
        try {
            await ev.next((m) => m.type === 'snapshot');
            await ev2.next((m) => m.type === 'snapshot');
            const res = await clone(op, UUID.big, { name: 'vdtest-jobs-big2' });
            const { job } = assertJson(res, 202, 'clone');
            assert.equal(job.bytes_total, 512 * MIB);
            const msgs = [];
            let last;
            do {
                last = await ev.next((m) => m.type === 'job' && m.job.id === job.id, 10000);
                msgs.push(last.job);
            } while (last.job.state === 'running');
            assert.equal(last.job.state, 'done', JSON.stringify(last));
            assert.equal(last.job.result.domain.name, 'vdtest-jobs-big2');
            assert.equal(last.job.bytes_done, 512 * MIB);
            for (let i = 1; i < msgs.length; i++) assert.ok(msgs[i].bytes_done >= msgs[i - 1].bytes_done);
            // op2 is not told about op's job
            await new Promise((r) => setTimeout(r, 300));
            assert.ok(!ev2.all.some((m) => m.type === 'job'), 'no job message for another operator');
        } finally {
            await ev.close();
            await ev2.close();
        }
    });

    it('a job whose copy fails ends failed with the error, and leaves nothing behind', async () => {
        const before = await world();
        const { job } = assertJson(await clone(op, UUID.mixed, { name: 'vdtest-jobs-m2' }, ASYNC), 202, 'clone');
        // the checks passed (every disk is a pool volume); the vmdk copy fails later
        const done = await settleJob(op, job.id);
        assert.equal(done.state, 'failed', JSON.stringify(done));
        assert.equal(done.phase, 'failed');
        assert.equal(done.status, 409);
        assert.equal(done.error.code, 'conflict');
        assert.match(done.error.message, /m\.vmdk/);
        assert.equal(done.result, undefined);
        assert.deepEqual(await world(), before, 'no copy of vda, no domain');
    });

    it('the checks still answer at once, nothing made: a taken name 409, a bad name 400', async () => {
        const before = await world();
        const e = assertError(await clone(op, UUID.big, { name: 'vdtest-jobs-big' }, ASYNC), 409, 'conflict');
        assert.equal(e.field, 'name');
        assertError(await clone(op, UUID.big, { name: 'a/b' }, ASYNC), 400, 'bad_request');
        assertError(await clone(roles.view, UUID.big, { name: 'vdtest-jobs-v' }, ASYNC), 403, 'forbidden');
        assert.deepEqual(await world(), before);
    });

    it('the audit records say each clone was started, then how it ended', () => {
        const lines = roles.d.logs().split('\n').filter((l) => / api: \S+ domain-clone/.test(l));
        const has = (re) => assert.ok(lines.some((l) => re.test(l)), `${re}:\n${lines.join('\n')}`);
        has(new RegExp(`api: op domain-clone-started domain ${UUID.small} from .*: ok`));
        has(new RegExp(`api: op domain-clone domain ${UUID.small} from .*: ok \\(job [0-9a-f]{32}\\)`));
        has(new RegExp(`api: op domain-clone domain ${UUID.mixed} from .*: .*m\\.vmdk.* \\(job [0-9a-f]{32}\\)`));
    });

    it('a full copy of a large template through POST /api/domains is a "create" job', async () => {
        assertJson(await op.post(`/api/domains/${UUID.tmpl}/template`, { template: true }), 200, 'mark');
        const res = await op.post('/api/domains', { name: 'vdtest-jobs-fromtmpl',
            source: { type: 'template', template: UUID.tmpl, linked: false } });
        const { job } = assertJson(res, 202, 'create');
        assertJob(job, 'create', UUID.tmpl, 'op');
        assert.equal(job.name, 'vdtest-jobs-fromtmpl');
        assert.equal(job.bytes_total, 512 * MIB);
        assert.equal(res.headers.location, `/api/jobs/${job.id}`);
        const done = await settleJob(op, job.id);
        assert.equal(done.state, 'done', JSON.stringify(done));
        assert.equal(done.status, 201);
        assertDomainDetail(done.result);
        assert.equal(done.result.name, 'vdtest-jobs-fromtmpl');
        assert.equal(done.result.owner, 'op');
        assert.equal(assertJson(await op.get(`/api/domains/${done.result.uuid}`), 200, 'made').owner, 'op');
        assert.deepEqual(done.result.disks.map((k) => [k.target, k.source]), [['vda', `${DIR}/vdtest-jobs-fromtmpl-vda.raw`]]);
        // the checks answer at once: a taken name is 409 at "name", nothing made
        const before = await world();
        const e = assertError(await op.post('/api/domains', { name: 'vdtest-jobs-fromtmpl',
            source: { type: 'template', template: UUID.tmpl, linked: false } }), 409, 'conflict');
        assert.equal(e.field, 'name');
        assert.deepEqual(await world(), before);
    });

    it('a whole copy of a large cloud image is a "create" job too; its end on the test driver (no seed upload) leaves nothing', async () => {
        const before = await world();
        const res = await op.post('/api/domains', { name: 'vdtest-jobs-cloud', disk: { pool: POOL },
            source: { type: 'cloud_image', image: { pool: POOL, name: 'big.raw' }, linked: false,
                cloud_init: { hostname: 'vdtest-jobs-cloud', user: 'debian', ssh_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIvdtest vdtest'] } } });
        const { job } = assertJson(res, 202, 'create');
        assert.equal(job.kind, 'create');
        assert.equal(job.name, 'vdtest-jobs-cloud');
        assert.equal(job.bytes_total, 512 * MIB);
        const done = await settleJob(op, job.id);
        assert.equal(done.state, 'failed', JSON.stringify(done));
        assert.equal(done.status, 501);
        assert.equal(done.error.code, 'not_supported');
        assert.deepEqual(await world(), before, 'the copy of the image removed, no domain');
    });
});
