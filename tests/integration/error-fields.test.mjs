// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/error-fields.test.mjs — the error reply's place for a refused request
// member (docs/api.md "Errors"): "field" names the JSON key (dotted when nested), and a
// range error carries "min"/"max"; errors about no one member have neither. Runs the
// real daemon on libvirt's test driver (test:///default: pool default-pool, network
// default on 192.168.122.0/24).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';

const PW = 'admin-pass-errf-1';
const TIB = 1024 ** 4;
const V = '/api/pools/default-pool/volumes';

describe('error replies name the refused field', () => {
    let d;
    let admin;

    before(async () => {
        d = await startDaemon({ users: [{ name: 'admin', role: 'admin', password: PW }] });
        admin = new Client(d);
        await admin.login('admin', PW);
    });
    after(async () => {
        if (admin) admin.close();
        if (d) await d.stop();
    });

    it('a volume size past 16 TiB: field capacity_bytes with min 1 and max 16 TiB', async () => {
        const e = assertError(await admin.post(V, { name: 'vdtest-big.qcow2', format: 'qcow2', capacity_bytes: 20 * TIB }),
            400, 'bad_request');
        assert.equal(e.field, 'capacity_bytes');
        assert.equal(e.min, 1);
        assert.equal(e.max, 16 * TIB);
    });

    it('a volume size of 0 and a size that is not a number name the same field', async () => {
        let e = assertError(await admin.post(V, { name: 'vdtest-zero.qcow2', format: 'qcow2', capacity_bytes: 0 }), 400);
        assert.equal(e.field, 'capacity_bytes');
        assert.equal(e.min, 1);
        e = assertError(await admin.post(V, { name: 'vdtest-str.qcow2', format: 'qcow2', capacity_bytes: '1' }), 400);
        assert.equal(e.field, 'capacity_bytes');
        assert.equal(e.min, undefined, 'a type error has no range');
    });

    it('a bad volume name and format name their fields', async () => {
        let e = assertError(await admin.post(V, { name: 'a/b', format: 'qcow2', capacity_bytes: 1024 }), 400);
        assert.equal(e.field, 'name');
        e = assertError(await admin.post(V, { name: 'vdtest-f.img', format: 'vmdk', capacity_bytes: 1024 }), 400);
        assert.equal(e.field, 'format');
    });

    it('a duplicate volume name is a 409 at field name', async () => {
        const body = { name: 'vdtest-dup.qcow2', format: 'qcow2', capacity_bytes: 1024 * 1024 };
        assertJson(await admin.post(V, body), 201, 'first');
        const e = assertError(await admin.post(V, body), 409, 'conflict');
        assert.equal(e.field, 'name');
        assert.equal(e.min, undefined);
        assertJson(await admin.req('DELETE', `${V}/vdtest-dup.qcow2`), 200, 'cleanup');
    });

    it('a resize past the limit carries the range', async () => {
        assertJson(await admin.post(V, { name: 'vdtest-rs.qcow2', format: 'qcow2', capacity_bytes: 1024 * 1024 }), 201);
        const e = assertError(await admin.post(`${V}/vdtest-rs.qcow2/resize`, { capacity_bytes: 17 * TIB }), 400);
        assert.equal(e.field, 'capacity_bytes');
        assert.equal(e.max, 16 * TIB);
        assertJson(await admin.req('DELETE', `${V}/vdtest-rs.qcow2`), 200, 'cleanup');
    });

    it('a nested network member is named dotted, with its range', async () => {
        let e = assertError(await admin.post('/api/networks',
            { name: 'vdtest-net', mode: 'nat', ipv4: { address: '10.77.0.1', prefix: 31 } }), 400);
        assert.equal(e.field, 'ipv4.prefix');
        assert.equal(e.min, 1);
        assert.equal(e.max, 30);
        e = assertError(await admin.post('/api/networks',
            { name: 'vdtest-net', mode: 'nat', ipv4: { address: 'nope', prefix: 24 } }), 400);
        assert.equal(e.field, 'ipv4.address');
    });

    it('a subnet overlapping network default is a 409 at ipv4.address', async () => {
        const e = assertError(await admin.post('/api/networks',
            { name: 'vdtest-ovl', mode: 'nat', ipv4: { address: '192.168.122.1', prefix: 24 } }), 409, 'conflict');
        assert.match(e.message, /overlaps network 'default'/);
        assert.equal(e.field, 'ipv4.address');
    });

    it('a pool name taken and a bad pool field name their fields', async () => {
        let e = assertError(await admin.post('/api/pools', { name: 'default-pool', type: 'dir', target_path: '/vdtest-p' }), 409);
        assert.equal(e.field, 'name');
        e = assertError(await admin.post('/api/pools', { name: 'vdtest-p', type: 'dir', target_path: 'relative' }), 400);
        assert.equal(e.field, 'target_path');
    });

    it('an error about no one field has no "field", "min" or "max"', async () => {
        const e = assertError(await admin.post(V, { name: 'x.img', format: 'raw', capacity_bytes: 1, bogus: 1 }), 400);
        assert.deepEqual(Object.keys(e).sort(), ['code', 'message']);
        const nf = assertError(await admin.get('/api/pools/no-such-pool'), 404);
        assert.deepEqual(Object.keys(nf).sort(), ['code', 'message']);
    });
});
