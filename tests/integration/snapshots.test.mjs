// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/snapshots.test.mjs — a domain's snapshots (docs/api.md "Snapshots")
// on libvirt's test driver: the list with "can" (the kinds the VM allows now, with a
// machine reason for each impossible one), create with and without memory, a taken name
// (409, field) and bad names (400, field) that create nothing, revert (the domain's
// state becomes the snapshot's), delete keeping children (re-parented) and delete of a
// subtree; a viewer may only read (403), no session is 401.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startWithFixture } from '../lib/roles.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { domainXml } from '../bench/gen-domains.mjs';
import { Client } from '../lib/client.mjs';

const PW = { admin: 'admin-pass-snap-1', op: 'operator-pass-snap-2', view: 'viewer-pass-snap-3' };
const RUN = '5eed0000-0000-4000-8000-00000000b001'; // running, one qcow2 disk
const OFF = '5eed0000-0000-4000-8000-00000000b002'; // shut off, one qcow2 disk
const RAW = '5eed0000-0000-4000-8000-00000000b003'; // running, a raw disk vdb
const DOMAINS = [
    { name: 'snap-run', state: 'running', uuid: RUN,
        disks: [{ target: 'vda', source: '/p/run.qcow2', format: 'qcow2' }] },
    { name: 'snap-off', state: 'shutoff', uuid: OFF,
        disks: [{ target: 'vda', source: '/p/off.qcow2', format: 'qcow2' }] },
    { name: 'snap-raw', state: 'running', uuid: RAW,
        disks: [{ target: 'vda', source: '/p/a.qcow2', format: 'qcow2' },
            { target: 'vdb', source: '/p/b.img', format: 'raw' }] },
];
const FIXTURE = ['<node>', ...DOMAINS.map(domainXml), '</node>', ''].join('\n');
const KEYS = ['name', 'description', 'creation_time', 'state', 'parent', 'kind', 'memory', 'current', 'children'];

describe('snapshots API (test driver)', () => {
    let roles;
    let admin;
    let op;
    let view;

    before(async () => {
        roles = await startWithFixture(PW, FIXTURE);
        ({ admin, op, view } = roles);
    });
    after(async () => {
        if (roles) await roles.stop();
    });

    const url = (uuid) => `/api/domains/${uuid}/snapshots`;
    const list = async (uuid) => assertJson(await admin.get(url(uuid)), 200, 'list');
    const names = async (uuid) => (await list(uuid)).snapshots.map((s) => s.name);
    const byName = async (uuid) => Object.fromEntries((await list(uuid)).snapshots.map((s) => [s.name, s]));
    const state = async (uuid) => assertJson(await admin.get(`/api/domains/${uuid}`), 200, 'domain').state;

    it('lists nothing at first, with the kinds each VM allows and why not', async () => {
        for (const c of [admin, op, view]) {
            const body = assertJson(await c.get(url(RUN)), 200, 'list');
            assert.deepEqual(Object.keys(body), ['snapshots', 'can']);
            assert.deepEqual(body.snapshots, []);
            assert.deepEqual(body.can, { internal: true, memory: true });
        }
        assert.deepEqual((await list(OFF)).can, { internal: true, memory: false, memory_reason: 'not_running' });
        assert.deepEqual((await list(RAW)).can,
            { internal: false, reason: 'raw_disk', disk: 'vdb', format: 'raw', memory: false, memory_reason: 'internal' });
    });

    it('creates a snapshot with memory of a running VM and lists it as current', async () => {
        const s = assertJson(await op.post(url(RUN), { name: 'first', description: 'before the upgrade', memory: true }),
            201, 'create');
        assert.deepEqual(Object.keys(s), KEYS);
        assert.equal(s.name, 'first');
        assert.equal(s.description, 'before the upgrade');
        assert.equal(s.state, 'running');
        assert.equal(s.parent, null);
        assert.equal(s.kind, 'internal');
        assert.equal(s.memory, true);
        assert.equal(s.current, true);
        assert.equal(s.children, 0);
        assert.ok(Number.isInteger(s.creation_time) && s.creation_time > 1e9, 'creation time');
        assert.deepEqual(await names(RUN), ['first']);
    });

    it('refuses a taken name with 409 on "name" and creates nothing', async () => {
        const before = await names(RUN);
        const e = assertError(await admin.post(url(RUN), { name: 'first' }), 409, 'conflict', 'taken');
        assert.equal(e.field, 'name');
        assert.deepEqual(await names(RUN), before);
    });

    it('refuses bad members with 400 on their field and creates nothing', async () => {
        const before = await names(RUN);
        const bad = [
            [{ name: '' }, 'name'], [{ name: 'a/b' }, 'name'], [{ name: '-x' }, 'name'], [{ name: ' x' }, 'name'],
            [{ name: 'x'.repeat(256) }, 'name'], [{ name: 'a\u00a0' }, 'name'], [{ name: 5 }, 'name'],
            [{ description: 'x'.repeat(4097) }, 'description'], [{ memory: 'yes' }, 'memory'],
        ];
        for (const [body, field] of bad) {
            const e = assertError(await admin.post(url(RUN), body), 400, 'bad_request', JSON.stringify(body));
            assert.equal(e.field, field, JSON.stringify(body));
        }
        assertError(await admin.post(url(RUN), { name: 'ok', colour: 'red' }), 400, 'bad_request', 'unknown key');
        // the body's reader refuses a control character anywhere before any member is read
        assertError(await admin.post(url(RUN), { name: 'a\u0001b' }), 400, 'bad_request', 'control');
        assert.deepEqual(await names(RUN), before);
    });

    it('refuses kinds the VM does not allow (409 on "memory") and creates nothing', async () => {
        let e = assertError(await admin.post(url(OFF), { name: 'm', memory: true }), 409, 'conflict', 'off+memory');
        assert.equal(e.field, 'memory');
        e = assertError(await admin.post(url(RUN), { name: 'nomem', memory: false }), 409, 'conflict', 'run-memory');
        assert.equal(e.field, 'memory');
        assertError(await admin.post(url(RAW), { name: 'r' }), 409, 'conflict', 'raw disk');
        assert.deepEqual(await names(OFF), []);
        assert.deepEqual(await names(RAW), []);
        assert.deepEqual(await names(RUN), ['first']);
    });

    it('names a snapshot itself when no name is given, a child of the current one', async () => {
        const s = assertJson(await admin.post(url(RUN), {}), 201, 'unnamed');
        assert.match(s.name, /^\d+$/);
        assert.equal(s.parent, 'first');
        assert.equal(s.memory, true);
        const all = await byName(RUN);
        assert.equal(all.first.children, 1);
        assert.equal(all.first.current, false);
        assert.equal(all[s.name].current, true);
        assertJson(await admin.req('DELETE', `${url(RUN)}/${s.name}`), 200, 'drop unnamed');
    });

    it('reverts: the domain takes the state the snapshot captured', async () => {
        assertJson(await admin.post(url(OFF), { name: 'off-1' }), 201, 'off snapshot');
        assert.deepEqual(await names(OFF), ['off-1']);
        assert.equal((await byName(OFF))['off-1'].state, 'shutoff');
        assertJson(await admin.post(`/api/domains/${OFF}/start`), 200, 'start');
        assert.equal(await state(OFF), 'running');
        const d = assertJson(await op.post(`${url(OFF)}/off-1/revert`), 200, 'revert');
        assert.equal(d.uuid, OFF);
        assert.equal(d.state, 'shutoff');
        assert.equal(await state(OFF), 'shutoff');
        assertError(await admin.post(`${url(OFF)}/nope/revert`), 404, 'not_found', 'revert unknown');
        assertError(await admin.post(`${url(OFF)}/off-1/rewind`), 400, 'bad_request', 'unknown action');
    });

    it('deletes one snapshot and keeps its children (re-parented), or the whole subtree', async () => {
        // first -> a -> b, first -> c (made current by reverting to first)
        for (const n of ['a', 'b']) assertJson(await admin.post(url(RUN), { name: n }), 201, n);
        assertJson(await admin.post(`${url(RUN)}/first/revert`), 200, 'back to first');
        assertJson(await admin.post(url(RUN), { name: 'c' }), 201, 'c');
        let all = await byName(RUN);
        assert.equal(all.b.parent, 'a');
        assert.equal(all.c.parent, 'first');
        assert.equal(all.first.children, 2);

        const r = assertJson(await op.req('DELETE', `${url(RUN)}/a`), 200, 'delete a');
        assert.deepEqual(r, { name: 'a', removed: true, children_removed: false });
        all = await byName(RUN);
        assert.deepEqual(Object.keys(all).sort(), ['b', 'c', 'first']);
        assert.equal(all.b.parent, 'first', 'b re-parented to a\'s parent');

        assertJson(await admin.req('DELETE', `${url(RUN)}/first?children=true`), 200, 'delete subtree');
        assert.deepEqual(await names(RUN), []);
        assertError(await admin.req('DELETE', `${url(RUN)}/first`), 404, 'not_found', 'gone');
        assertError(await admin.req('DELETE', `${url(RUN)}/-x`), 400, 'bad_request', 'bad name in path');
    });

    it('records every change in the audit log with the snapshot as its object', async () => {
        const lines = roles.d.logs().split('\n').filter((l) => / api: \S+ snapshot-/.test(l));
        const has = (re) => assert.ok(lines.some((l) => re.test(l)), `${re} in:\n${lines.join('\n')}`);
        has(new RegExp(`api: op snapshot-create domain ${RUN}/snapshot:first from .*: ok`));
        has(new RegExp(`api: admin snapshot-create domain ${RUN}/snapshot:first from .*: this VM has a snapshot named`));
        // a snapshot libvirt named is recorded under that name
        has(new RegExp(`api: admin snapshot-create domain ${RUN}/snapshot:\\d+ from .*: ok`));
        has(new RegExp(`api: op snapshot-revert domain ${OFF}/snapshot:off-1 from .*: ok`));
        has(new RegExp(`api: op snapshot-delete domain ${RUN}/snapshot:a from .*: ok`));
        has(new RegExp(`api: admin snapshot-delete-children domain ${RUN}/snapshot:first from .*: ok`));
    });

    it('lets a viewer read but not change, and answers 401 without a session', async () => {
        assertJson(await admin.post(url(RUN), { name: 'keep' }), 201, 'keep');
        assertError(await view.post(url(RUN), { name: 'v' }), 403, 'forbidden', 'viewer create');
        assertError(await view.post(`${url(RUN)}/keep/revert`), 403, 'forbidden', 'viewer revert');
        assertError(await view.req('DELETE', `${url(RUN)}/keep`), 403, 'forbidden', 'viewer delete');
        const anon = new Client(roles.d);
        try {
            assertError(await anon.get(url(RUN)), 401, 'unauthorized', 'anon list');
            assertError(await anon.post(url(RUN), { name: 'x' }, { csrf: false }), 401, null, 'anon create');
        } finally {
            anon.close();
        }
        assert.deepEqual(await names(RUN), ['keep']);
    });
});
