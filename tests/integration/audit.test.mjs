// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/audit.test.mjs — the audit log (docs/api.md "Audit log") on libvirt's
// test driver: each change, allowed or refused, leaves exactly one row with who, from where,
// what, on which object, the result and a refusal's message; GET /api/audit's filters
// (vm with its sub-objects, user, action, result, since/until), paging by cursor, the JSON
// lines export (Accept header and format=ndjson, with its trailer line); operators and
// viewers read the VM rows only (audit-visibility.test.mjs has the rest); a bad filter is 400 naming it; a row survives `kill -9` right after
// its answer; audit_retention_rows prunes the oldest rows.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWithFixture, roleUsers } from '../lib/roles.mjs';
import { startDaemon } from '../lib/daemon.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { domainXml } from '../bench/gen-domains.mjs';
import { Client, openWebSocket } from '../lib/client.mjs';

const PW = { admin: 'admin-pass-audit-1', op: 'operator-pass-audit-2', view: 'viewer-pass-audit-3' };
const RUN = 'a0d17000-0000-4000-8000-00000000a001';
const OFF = 'a0d17000-0000-4000-8000-00000000a002';
const FIXTURE = ['<node>',
    domainXml({ name: 'audit-run', state: 'running', uuid: RUN,
        disks: [{ target: 'vda', source: '/p/run.qcow2', format: 'qcow2' }] }),
    domainXml({ name: 'audit-off', state: 'shutoff', uuid: OFF }),
    '</node>', ''].join('\n');
const KEYS = ['id', 'time', 'user', 'address', 'action', 'object', 'result', 'message'];

const audit = async (client, query = '') => assertJson(await client.get(`/api/audit${query}`), 200, `audit ${query}`);

describe('audit log API (test driver)', () => {
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

    it('records an allowed change once, with every field', async () => {
        const t0 = Date.now() - 1000;
        assertJson(await op.post(`/api/domains/${RUN}/suspend`), 200, 'suspend');
        const body = await audit(admin, `?vm=${RUN}&action=suspend`);
        assert.deepEqual(Object.keys(body), ['entries', 'next_cursor']);
        assert.equal(body.entries.length, 1, JSON.stringify(body));
        const e = body.entries[0];
        assert.deepEqual(Object.keys(e), KEYS);
        assert.equal(e.user, 'op');
        assert.equal(e.address, '127.0.0.1');
        assert.equal(e.action, 'suspend');
        assert.equal(e.object, `domain:${RUN}`);
        assert.equal(e.result, 'ok');
        assert.equal(e.message, null);
        assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.ok(Date.parse(e.time) >= t0 - 1000 && Date.parse(e.time) <= Date.now() + 1000, e.time);
        assert.equal(body.next_cursor, null);
    });

    it('records a refused change (role, body, state) once, with its code and message', async () => {
        const cases = [
            [view, await view.post(`/api/domains/${RUN}/resume`), 'view', 'resume', 403],
            [op, await op.post(`/api/domains/${OFF}/start`, { bogus: 1 }), 'op', 'start', 400],
            [op, await op.post(`/api/domains/${OFF}/shutdown`), 'op', 'shutdown', null],
        ];
        for (const [, res, user, action, status] of cases) {
            if (status) assert.equal(res.status, status, res.text);
            assert.ok(res.status >= 400, res.text);
            const rows = (await audit(admin, `?vm=${res === cases[0][1] ? RUN : OFF}&action=${action}&user=${user}`)).entries;
            assert.equal(rows.length, 1, `${action}: ${JSON.stringify(rows)}`);
            assert.equal(rows[0].result, res.json.error.code);
            assert.equal(rows[0].message, res.json.error.message);
            assert.equal(rows[0].address, '127.0.0.1');
        }
    });

    it('records logins, failed logins and logouts, never a password', async () => {
        const c = new Client(roles.d);
        try {
            assert.equal((await c.req('POST', '/api/login', { body: { username: 'op', password: 'wrong-password-x' }, cookies: false, csrf: false })).status, 401);
            await c.login('op', PW.op);
            assertJson(await c.logout(), 200, 'logout');
        } finally {
            c.close();
        }
        const rows = (await audit(admin, '?user=op&limit=3')).entries;
        assert.deepEqual(rows.map((r) => [r.action, r.result]), [['logout', 'ok'], ['login', 'ok'], ['login', 'unauthorized']]);
        const all = await admin.get('/api/audit?limit=1000');
        for (const pw of Object.values(PW)) assert.ok(!all.text.includes(pw));
        assert.ok(!all.text.includes('wrong-password-x'));
    });

    it('records a console or serial console that could not open, with the close reason', async () => {
        for (const kind of ['console', 'serial']) {
            const ws = await openWebSocket(op, `/api/domains/${RUN}/${kind}`);
            const [code, reason] = await new Promise((resolve) => {
                ws.on('close', (c, r) => resolve([c, r.toString()]));
                ws.on('error', () => {});
            });
            assert.ok(code >= 4000, `${kind}: ${code} ${reason}`);
            let rows = [];
            for (const deadline = Date.now() + 5000; Date.now() < deadline && rows.length === 0;) {
                rows = (await audit(admin, `?vm=${RUN}&action=${kind}_open`)).entries;
                if (!rows.length) await new Promise((r) => setTimeout(r, 50));
            }
            assert.equal(rows.length, 1, `${kind}: ${JSON.stringify(rows)}`);
            assert.equal(rows[0].user, 'op');
            assert.notEqual(rows[0].result, 'ok');
            assert.equal(rows[0].message, reason);
        }
    });

    it('filters by vm (with its sub-objects), result, user and time', async () => {
        assertJson(await op.post(`/api/domains/${RUN}/snapshots`, { name: 'aud1' }), 201, 'snapshot');
        const vm = (await audit(admin, `?vm=${RUN}`)).entries;
        assert.ok(vm.length >= 3);
        assert.ok(vm.every((r) => r.object === `domain:${RUN}` || r.object.startsWith(`domain:${RUN}/`)), JSON.stringify(vm));
        assert.ok(vm.some((r) => r.object === `domain:${RUN}/snapshot:aud1` && r.action === 'snapshot-create'));
        // upper case is the same VM
        assert.deepEqual((await audit(admin, `?vm=${RUN.toUpperCase()}`)).entries, vm);
        const refused = (await audit(admin, '?result=forbidden')).entries;
        assert.ok(refused.length >= 1 && refused.every((r) => r.result === 'forbidden'));
        assert.ok((await audit(admin, '?user=view')).entries.every((r) => r.user === 'view'));
        const future = Date.now() + 3600e3;
        assert.deepEqual((await audit(admin, `?since=${future}`)).entries, []);
        assert.deepEqual((await audit(admin, '?until=2000-01-01T00:00:00Z')).entries, []);
        const iso = new Date(Date.now() - 3600e3).toISOString();
        assert.equal((await audit(admin, `?vm=${RUN}&since=${iso}&until=${future}`)).entries.length, vm.length);
    });

    it('pages newest first with an opaque cursor', async () => {
        const all = (await audit(admin, '?limit=1000')).entries;
        assert.ok(all.length >= 6);
        for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].id > all[i].id);
        const seen = [];
        let cursor = null;
        let pages = 0;
        do {
            const body = await audit(admin, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
            assert.ok(body.entries.length <= 2);
            seen.push(...body.entries);
            cursor = body.next_cursor;
            pages++;
            // rows added meanwhile (none: only reads) would show at the front, not here
        } while (cursor && pages < 100);
        assert.deepEqual(seen.map((r) => r.id), all.map((r) => r.id));
    });

    it('exports JSON lines for the same filter, with a trailer line', async () => {
        const json = (await audit(admin, `?vm=${RUN}`)).entries;
        const long = 'text/html,application/xhtml+xml;q=0.9,application/x-ndjson,application/json;q=0.5,*/*;q=0.1';
        for (const how of [{ headers: { Accept: 'application/x-ndjson' } }, { headers: { Accept: long } }, { query: '&format=ndjson' }]) {
            const res = await admin.get(`/api/audit?vm=${RUN}${how.query || ''}`, { headers: how.headers });
            assert.equal(res.status, 200, res.text);
            assert.match(res.headers['content-type'], /^application\/x-ndjson/);
            const lines = res.text.split('\n');
            assert.equal(lines.pop(), '');
            const rows = lines.map((l) => JSON.parse(l));
            assert.deepEqual(rows.pop(), { next_cursor: null });
            assert.deepEqual(rows, json);
        }
        const res = await admin.get('/api/audit?format=ndjson&limit=1');
        const lines = res.text.trim().split('\n').map((l) => JSON.parse(l));
        assert.equal(lines.length, 2);
        assert.equal(lines[1].next_cursor, String(lines[0].id));
    });

    it('operators and viewers read the rows about VMs, not the admins\' own; no session is 401', async () => {
        const vmRow = (e) => /^domain:[0-9a-f-]{36}(\/|$)/.test(e.object);
        for (const [c, name] of [[op, 'op'], [view, 'view']]) {
            const rows = (await audit(c, '?limit=1000')).entries;
            assert.ok(rows.some(vmRow), `${name} reads VM rows`);
            assert.ok(rows.every((e) => vmRow(e) || e.user === name), `${name}: ${JSON.stringify(rows.slice(0, 3))}`);
        }
        assertError(await new Client(roles.d).get('/api/audit'), 401, 'unauthorized');
    });

    it('refuses a bad filter with 400 naming it', async () => {
        const bad = {
            vm: 'vm=not-a-uuid', user: `user=${'u'.repeat(65)}`, action: 'action=Start!',
            result: 'result=a%20b', since: 'since=yesterday', until: 'until=2026-13-01',
            limit: 'limit=0', cursor: 'cursor=abc', format: 'format=csv', vmid: 'vmid=1',
        };
        for (const [field, q] of Object.entries(bad)) {
            const res = await admin.get(`/api/audit?${q}`);
            assertError(res, 400, 'bad_request');
            assert.equal(res.json.error.field, field, `${q}: ${res.text}`);
        }
        const big = await admin.get('/api/audit?limit=1001');
        assertError(big, 400, 'bad_request');
        assert.deepEqual([big.json.error.field, big.json.error.min, big.json.error.max], ['limit', 1, 1000]);
        assert.equal((await admin.get('/api/audit?limit=5000&format=ndjson')).status, 200);
    });
});

describe('audit log durability and retention (test driver)', () => {
    let dir;
    before(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'virtdeck-audit-')); });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('keeps the row of an answered change through kill -9', async () => {
        const d = await startDaemon({ stateDir: dir, users: roleUsers(PW) });
        const c = new Client(d);
        try {
            await c.login('admin', PW.admin);
            assertJson(await c.post('/api/domains/6695eb01-f6a4-8304-79aa-97f2502e193f/suspend'), 200, 'suspend');
            d.proc.kill('SIGKILL');
        } finally {
            c.close();
            await d.stop({ expectCode: null });
        }
        const d2 = await startDaemon({ stateDir: dir });
        const c2 = new Client(d2);
        try {
            await c2.login('admin', PW.admin);
            const rows = (await audit(c2, '?action=suspend')).entries;
            assert.equal(rows.length, 1);
            assert.equal(rows[0].object, 'domain:6695eb01-f6a4-8304-79aa-97f2502e193f');
        } finally {
            c2.close();
            await d2.stop();
        }
    });

    it('prunes to audit_retention_rows, oldest first', async () => {
        const d = await startDaemon({ stateDir: dir });
        const c = new Client(d);
        let before;
        try {
            await c.login('admin', PW.admin);
            for (let i = 0; i < 4; i++) await c.post('/api/domains/6695eb01-f6a4-8304-79aa-97f2502e193f/resume');
            before = (await audit(c, '?limit=1000')).entries;
            assert.ok(before.length >= 8, JSON.stringify(before));
        } finally {
            c.close();
            await d.stop();
        }
        const d2 = await startDaemon({ stateDir: dir, config: { audit_retention_rows: 3 } });
        const c2 = new Client(d2);
        try {
            await c2.login('admin', PW.admin);
            // the prune runs at the first housekeeping tick, before or after this login's
            // row: of the rows from before the restart, at most the newest 3 are left
            let old;
            const deadline = Date.now() + 5000;
            do {
                old = (await audit(c2, '?limit=1000')).entries.filter((r) => r.id <= before[0].id);
                if (old.length <= 3) break;
                await new Promise((r) => setTimeout(r, 100));
            } while (Date.now() < deadline);
            assert.ok(old.length >= 2 && old.length <= 3, JSON.stringify(old));
            assert.ok(old.every((r) => r.id >= before[2].id), JSON.stringify(old));
            assert.match(d2.logs(), /audit rows pruned/);
        } finally {
            c2.close();
            await d2.stop();
        }
    });
});
