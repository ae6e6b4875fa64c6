// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/domains.test.mjs — the host and domain REST API (docs/api.md):
// list and detail shapes, lookups, every lifecycle action and its state, 409/400/404/
// 405 cases, roles, and request-body validation. Runs the daemon on a generated
// test-driver fixture (tests/bench/gen-domains.mjs) so the expected values are known.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWithRoles } from '../lib/roles.mjs';
import { Client } from '../lib/client.mjs';
import { assertDomainDetail, assertDomainObject, assertError, assertJson } from '../lib/api-assert.mjs';
import { nodeXml } from '../bench/gen-domains.mjs';

const PW = { admin: 'admin-pass-dom-1', op: 'operator-pass-dom-2', view: 'viewer-pass-dom-3' };
const DESCRIPTION = 'web server <b>&"quoted"</b> \u00e9';
// Listed here out of name order on purpose: the API must sort by name.
const FIXTURE = [
    {
        name: 'web', state: 'running', vnc: true, vcpus: 2, memoryKib: 1048576, maxMemoryKib: 2097152,
        title: 'Web', description: DESCRIPTION,
        disks: [
            { target: 'vda', source: '/var/lib/libvirt/images/web.qcow2', format: 'qcow2', bus: 'virtio' },
            { target: 'vdb', source: '/var/lib/libvirt/images/web-data.img', format: 'raw', bus: 'virtio', readonly: true },
        ],
        interfaces: [{ mac: '52:54:00:12:34:56', network: 'default', model: 'virtio' }],
    },
    { name: 'db', state: 'shutoff', vcpus: 4, memoryKib: 4194304, disks: [{ target: 'vda', source: '/var/lib/libvirt/images/db.qcow2', format: 'qcow2' }] },
    { name: 'cache', state: 'paused', vcpus: 1, memoryKib: 524288 },
    { name: 'batch', state: 'running', vcpus: 1, memoryKib: 524288 },
    { name: 'alpha', state: 'running', vcpus: 1, memoryKib: 524288 },
    { name: 'zz-spare', state: 'shutoff', vcpus: 1, memoryKib: 524288 },
];
const NODE = { cpus: 8, mhz: 2400, model: 'x86_64', memoryKib: 16777216 };

describe('domains API', () => {
    let d;
    let roles;
    let tmp;
    let uri;
    let admin;
    let op;
    let view;
    const byName = {};

    before(async () => {
        tmp = mkdtempSync(path.join(os.tmpdir(), 'virtdeck-dom-'));
        const xml = path.join(tmp, 'fixture.xml');
        writeFileSync(xml, nodeXml(FIXTURE, NODE));
        uri = `test://${xml}`;
        roles = await startWithRoles(PW, { uri });
        ({ d, admin, op, view } = roles);
        const list = assertJson(await admin.get('/api/domains'), 200, 'list');
        for (const x of list.domains) byName[x.name] = x.uuid;
    });
    after(async () => {
        if (roles) await roles.stop();
        if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    const detail = async (name) => assertJson(await admin.get(`/api/domains/${byName[name]}`), 200, `detail ${name}`);
    const act = (client, name, action, opts) => client.req('POST', `/api/domains/${byName[name]}/${action}`, opts);

    describe('GET /api/domains', () => {
        it('lists every fixture domain, sorted by name, with every documented field', async () => {
            const body = assertJson(await admin.get('/api/domains'), 200, 'list');
            assert.deepEqual(Object.keys(body), ['domains']);
            assert.ok(Array.isArray(body.domains));
            const names = body.domains.map((x) => x.name);
            assert.deepEqual(names, FIXTURE.map((f) => f.name).sort(), 'all domains, sorted by name');
            for (const x of body.domains) assertDomainObject(x, `list ${x.name}`);
            const uuids = new Set(body.domains.map((x) => x.uuid));
            assert.equal(uuids.size, body.domains.length, 'UUIDs are unique');
        });

        it('reports the fixture values (state, vcpus, memory, persistence, VNC)', async () => {
            const body = assertJson(await admin.get('/api/domains'), 200, 'list');
            for (const f of FIXTURE) {
                const x = body.domains.find((y) => y.name === f.name);
                assert.equal(x.state, f.state, `${f.name} state`);
                assert.equal(x.vcpus, f.vcpus, `${f.name} vcpus`);
                assert.equal(x.max_memory_kib, f.maxMemoryKib || f.memoryKib, `${f.name} max_memory_kib`);
                assert.equal(x.has_vnc, !!f.vnc, `${f.name} has_vnc`);
                assert.equal(x.persistent, true, `${f.name} persistent`);
                assert.equal(x.autostart, false, `${f.name} autostart`);
                assert.equal(x.os_type, 'hvm', `${f.name} os_type`);
            }
        });

        it('answers many parallel requests consistently', async () => {
            const results = await Promise.all(Array.from({ length: 20 }, () => {
                const c = new Client(d, { keepAlive: false });
                c.cookies = admin.cookies;
                return c.get('/api/domains');
            }));
            const first = JSON.stringify(results[0].json);
            for (const r of results) {
                assertJson(r, 200, 'parallel list');
                assert.equal(JSON.stringify(r.json), first);
            }
        });
    });

    describe('GET /api/domains/{uuid}', () => {
        it('returns the detail form with disks, interfaces and graphics', async () => {
            const x = await detail('web');
            assertDomainDetail(x, 'web');
            assert.equal(x.uuid, byName.web);
            assert.equal(x.name, 'web');
            assert.equal(x.title, 'Web');
            assert.equal(x.description, DESCRIPTION, 'description survives XML and JSON escaping');
            assert.equal(x.disks.length, 2);
            const vda = x.disks.find((k) => k.target === 'vda');
            assert.deepEqual(
                { device: vda.device, bus: vda.bus, source: vda.source, format: vda.format, readonly: vda.readonly },
                { device: 'disk', bus: 'virtio', source: '/var/lib/libvirt/images/web.qcow2', format: 'qcow2', readonly: false },
            );
            const vdb = x.disks.find((k) => k.target === 'vdb');
            assert.equal(vdb.readonly, true, 'vdb is read-only');
            assert.equal(vdb.format, 'raw');
            assert.equal(x.interfaces.length, 1);
            assert.equal(x.interfaces[0].type, 'network');
            assert.equal(x.interfaces[0].mac, '52:54:00:12:34:56');
            assert.equal(x.interfaces[0].source, 'default');
            assert.equal(x.interfaces[0].model, 'virtio');
            assert.equal(x.graphics.length, 1);
            assert.equal(x.graphics[0].type, 'vnc');
            assert.equal(x.graphics[0].autoport, true);
            assert.equal(x.graphics[0].listen, '127.0.0.1');
        });

        it('a domain without devices has empty arrays and empty strings', async () => {
            const x = await detail('cache');
            assertDomainDetail(x, 'cache');
            assert.deepEqual(x.disks, []);
            assert.deepEqual(x.interfaces, []);
            assert.deepEqual(x.graphics, []);
            assert.equal(x.description, '');
            assert.equal(x.title, '');
            assert.equal(x.has_vnc, false);
            assert.equal(x.state, 'paused');
        });

        it('every listed domain has a matching detail', async () => {
            const list = assertJson(await admin.get('/api/domains'), 200, 'list').domains;
            for (const x of list) {
                const y = assertJson(await admin.get(`/api/domains/${x.uuid}`), 200, `detail ${x.name}`);
                assertDomainDetail(y, x.name);
                for (const k of Object.keys(x)) assert.deepEqual(y[k], x[k], `${x.name}.${k} list vs detail`);
            }
        });

        it('unknown UUID is 404 not_found', async () => {
            assertError(await admin.get('/api/domains/00000000-0000-4000-8000-00000000beef'), 404, 'not_found');
        });

        it('a string that is not a UUID is 400 bad_request', async () => {
            for (const bad of ['not-a-uuid', '6695eb01-f6a4-8304-79aa-97f2502e193', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
                '6695eb01-f6a4-8304-79aa-97f2502e193f0', '%27%3B%20DROP%20TABLE%20users', '1', 'web']) {
                assertError(await admin.get(`/api/domains/${bad}`), 400, 'bad_request', `GET /api/domains/${bad}`);
                assertError(await admin.req('POST', `/api/domains/${bad}/start`), 400, 'bad_request', `POST /api/domains/${bad}/start`);
            }
        });
    });

    describe('lifecycle actions', () => {
        const expectState = async (name, res, state, reason, label) => {
            const body = assertJson(res, 200, label);
            assertDomainDetail(body, label);
            assert.equal(body.uuid, byName[name]);
            assert.equal(body.state, state, `${label}: state in the response`);
            if (reason) assert.equal(body.reason, reason, `${label}: reason in the response`);
            const now = await detail(name);
            assert.equal(now.state, state, `${label}: state afterwards`);
            const list = assertJson(await admin.get('/api/domains'), 200, 'list').domains;
            assert.equal(list.find((x) => x.name === name).state, state, `${label}: state in the list`);
        };

        it('suspend → paused, resume → running', async () => {
            await expectState('batch', await act(admin, 'batch', 'suspend'), 'paused', 'user', 'suspend');
            await expectState('batch', await act(admin, 'batch', 'resume', { body: {} }), 'running', null, 'resume');
        });

        it('reboot and reset keep it running', async () => {
            await expectState('batch', await act(admin, 'batch', 'reboot'), 'running', null, 'reboot');
            await expectState('batch', await act(admin, 'batch', 'reset'), 'running', null, 'reset');
        });

        it('shutdown → shut off, start → running (booted)', async () => {
            const res = await act(admin, 'batch', 'shutdown');
            const body = assertJson(res, 200, 'shutdown');
            assert.ok(['shutoff', 'shutdown'].includes(body.state), `shutdown: ${body.state}`);
            // the test driver completes a shutdown at once
            assert.equal((await detail('batch')).state, 'shutoff');
            await expectState('batch', await act(admin, 'batch', 'start'), 'running', 'booted', 'start');
        });

        it('destroy → shut off (destroyed), start again', async () => {
            await expectState('batch', await act(admin, 'batch', 'destroy'), 'shutoff', 'destroyed', 'destroy');
            await expectState('batch', await act(admin, 'batch', 'start'), 'running', 'booted', 'start after destroy');
        });

        it('409 conflict for actions in the wrong state', async () => {
            const cases = [
                ['batch', 'start', 'running'], ['batch', 'resume', 'running'],
                ['cache', 'suspend', 'paused'], ['cache', 'start', 'paused'],
                ['zz-spare', 'shutdown', 'shutoff'], ['zz-spare', 'destroy', 'shutoff'], ['zz-spare', 'suspend', 'shutoff'],
                ['zz-spare', 'resume', 'shutoff'], ['zz-spare', 'reboot', 'shutoff'], ['zz-spare', 'reset', 'shutoff'],
            ];
            for (const [name, action, state] of cases) {
                assert.equal((await detail(name)).state, state, `${name} precondition`);
                assertError(await act(admin, name, action), 409, 'conflict', `${action} on ${state} ${name}`);
                assert.equal((await detail(name)).state, state, `${name} unchanged after refused ${action}`);
            }
        });

        it('an unknown action is 400 (or 404) with a JSON error', async () => {
            for (const a of ['explode', 'START', 'start.', 'st%61rt-x', 'pmsuspend', 'a'.repeat(300)]) {
                const res = await act(admin, 'batch', a);
                assert.ok([400, 404].includes(res.status), `${a}: ${res.status} ${res.text}`);
                assertError(res, res.status, null, `action ${a}`);
            }
            assert.equal((await detail('batch')).state, 'running');
        });

        it('an action on an unknown domain is 404', async () => {
            assertError(await admin.req('POST', '/api/domains/00000000-0000-4000-8000-00000000beef/start'), 404, 'not_found');
        });

        it('a viewer may read but not act (403 forbidden)', async () => {
            assertJson(await view.get('/api/domains'), 200, 'viewer list');
            assertJson(await view.get(`/api/domains/${byName.alpha}`), 200, 'viewer detail');
            assertJson(await view.get('/api/host'), 200, 'viewer host');
            for (const a of ['suspend', 'destroy', 'shutdown', 'reboot', 'reset']) {
                assertError(await act(view, 'alpha', a), 403, 'forbidden', `viewer ${a}`);
            }
            assertError(await act(view, 'zz-spare', 'start'), 403, 'forbidden', 'viewer start');
            assert.equal((await detail('alpha')).state, 'running');
            assert.equal((await detail('zz-spare')).state, 'shutoff');
        });

        it('an operator may act', async () => {
            assert.equal(assertJson(await act(op, 'alpha', 'suspend'), 200, 'operator suspend').state, 'paused');
            assert.equal(assertJson(await act(op, 'alpha', 'resume'), 200, 'operator resume').state, 'running');
        });
    });

    describe('request validation', () => {
        it('action bodies: empty or {} only', async () => {
            assert.equal(assertJson(await act(admin, 'alpha', 'suspend', { body: '', raw: true }), 200, 'empty body').state, 'paused');
            assert.equal(assertJson(await act(admin, 'alpha', 'resume', { body: '{}' }), 200, '{} body').state, 'running');
            for (const bad of ['{', '[]', '"x"', 'null', '1', '{"force":true}', '{"a":1}{"b":2}', '{}garbage', '\u0000']) {
                const res = await act(admin, 'alpha', 'suspend', { body: bad });
                assertError(res, 400, 'bad_request', `action body ${JSON.stringify(bad)}`);
            }
            assert.equal((await detail('alpha')).state, 'running', 'no refused body ran the action');
        });

        it('login bodies: malformed JSON, wrong types, missing or unknown fields are 400', async () => {
            const c = new Client(d, { localAddress: '127.0.90.1' });
            const bodies = [
                '{', '', '[]', 'null', '"admin"',
                '{"username":1,"password":"x"}',
                '{"username":"admin","password":null}',
                '{"username":"admin","password":["x"]}',
                '{"username":"admin"}',
                '{"password":"x"}',
                '{}',
                `{"username":"admin","password":${JSON.stringify(PW.admin)},"remember":true}`,
                `{"username":"admin","password":${JSON.stringify(PW.admin)},"role":"admin"}`,
                `${'['.repeat(5000)}${']'.repeat(5000)}`,
                `{"username":"admin","password":${JSON.stringify(PW.admin)}`,
            ];
            for (const b of bodies) {
                const res = await c.req('POST', '/api/login', { body: b });
                assertError(res, 400, 'bad_request', `login body ${b.slice(0, 80)}`);
                assert.equal(res.headers['set-cookie'], undefined, `no session for ${b.slice(0, 80)}`);
            }
            // these were not failed password guesses: the right password still works at once
            await c.login('admin', PW.admin);
            c.close();
        });

        it('a wrong method is 405 with an Allow header', async () => {
            const cases = [
                ['DELETE', '/api/domains', 'POST'], // POST: domain-create.test.mjs
                ['GET', '/api/login', 'POST'],
                ['GET', '/api/logout', 'POST'],
                ['POST', '/api/session', 'GET'],
                ['POST', '/api/host', 'GET'],
                ['PUT', `/api/domains/${byName.alpha}`, 'GET'],
                ['POST', `/api/domains/${byName.alpha}`, 'PATCH'], // DELETE: delete-domain.test.mjs, PATCH: domain-configure.test.mjs
                ['GET', `/api/domains/${byName.alpha}/start`, 'POST'],
                ['PATCH', `/api/domains/${byName.alpha}/start`, 'POST'],
            ];
            for (const [m, p, allowed] of cases) {
                const res = await admin.req(m, p);
                assertError(res, 405, 'method_not_allowed', `${m} ${p}`);
                const allow = String(res.headers.allow || '');
                assert.ok(allow.split(/\s*,\s*/).includes(allowed), `${m} ${p}: Allow "${allow}" should list ${allowed}`);
                assert.ok(!allow.split(/\s*,\s*/).includes(m), `${m} ${p}: Allow "${allow}" lists the refused method`);
            }
        });
    });

    describe('GET /api/host', () => {
        it('has every documented field with the fixture values', async () => {
            const h = assertJson(await admin.get('/api/host'), 200, 'host');
            assert.equal(h.hostname, os.hostname());
            assert.equal(h.hypervisor, 'TEST');
            assert.match(h.libvirt_version, /^\d+\.\d+\.\d+$/);
            assert.match(h.hypervisor_version, /^\d+\.\d+\.\d+$/);
            assert.equal(h.uri, uri);
            assert.equal(h.cpu_model, NODE.model);
            assert.equal(h.cpus, NODE.cpus);
            assert.equal(h.cpu_mhz, NODE.mhz);
            assert.equal(h.memory_kib, NODE.memoryKib);
            assert.ok(h.free_memory_kib === null ||
                (Number.isInteger(h.free_memory_kib) && h.free_memory_kib >= 0 && h.free_memory_kib <= h.memory_kib),
                `free_memory_kib ${h.free_memory_kib}`);
            assert.equal(h.connected, true);
        });

        it('says which driver the connection uses and what it cannot do (the test driver: the demo fallback)', async () => {
            const h = assertJson(await admin.get('/api/host'), 200, 'host');
            assert.equal(h.driver, 'test');
            assert.deepEqual(h.limits, ['console', 'serial', 'upload', 'download', 'resize', 'attach']);
        });
    });
});
