// SPDX-License-Identifier: LGPL-2.1-or-later
// alerts.test.mjs — alert rules and alerts (issue 14) on libvirt's test driver with the
// always-on collection every second: the rules API (201, 400 naming the field, 404, 409
// for a config file's rule, 403 for everyone but admins), a host rule that test:/// can
// trigger (host_memory_free_percent < 101) firing and resolving, a pool rule an unapproved
// `user` may not see, and a webhook receiver (a node http server on 127.0.0.1) that
// is DOWN first (its port closed) and up later getting exactly one firing and one
// resolved message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startWithRoles } from '../lib/roles.mjs';
import { Client } from '../lib/client.mjs';
import { freePort } from '../lib/daemon.mjs';

const pw = { admin: 'admin-pass-123456', op: 'op-pass-1234567', view: 'view-pass-123456' };
const users = [
    { name: 'alice', role: 'user', password: 'alice-pass-12345' },
    { name: 'bob', role: 'user', password: 'bob-pass-1234567' },
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, fn, timeoutMs = 20000) {
    const until = Date.now() + timeoutMs;
    for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await sleep(200);
    }
}

/** A receiver on port that is not listening yet: start() opens it. */
function receiver(port) {
    const got = [];
    const server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c) => { body += c; });
        req.on('end', () => {
            got.push({ path: req.url, type: req.headers['content-type'], msg: JSON.parse(body) });
            res.writeHead(204).end();
        });
    });
    return {
        got,
        start: () => new Promise((r) => server.listen(port, '127.0.0.1', r)),
        stop: () => new Promise((r) => server.close(r)),
    };
}

test('alert rules, alerts by visibility, and a webhook that was down', async () => {
    const hookPort = await freePort();
    const hook = receiver(hookPort); /* closed until started below */
    const s = await startWithRoles(pw, {
        users,
        config: {
            metrics_interval: 1,
            alert_webhook_url: `http://127.0.0.1:${hookPort}/hook`,
            alert_rule: '{"name":"crashes","metric":"vm_crashed"}',
        },
    });
    const alice = new Client(s.d);
    const bob = new Client(s.d);
    try {
        await alice.login('alice', users[0].password);
        await bob.login('bob', users[1].password);
        const uuid = (await s.admin.get('/api/domains')).json.domains.find((x) => x.name === 'test').uuid;
        const own = await s.admin.req('PUT', `/api/domains/${uuid}/owner`, { body: { owner: 'alice' } });
        assert.equal(own.status, 200, own.text);

        // the config file's rule, read-only
        let r = await s.admin.get('/api/alerts/rules');
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.rules.map((x) => [x.id, x.metric, x.source]),
            [['cfg-1', 'vm_crashed', 'config']]);
        r = await s.admin.req('DELETE', '/api/alerts/rules/cfg-1');
        assert.equal(r.status, 409, r.text);
        r = await s.admin.req('DELETE', '/api/alerts/rules/999');
        assert.equal(r.status, 404, r.text);
        assert.equal(r.json.error.code, 'not_found');

        // bad input: 400 naming the field, nothing stored
        for (const [body, field] of [
            [{ metric: 'vm_cpu_percent', op: '>', threshold: 1 }, '"name"'],
            [{ name: 'x', metric: 'vm_heat', op: '>', threshold: 1 }, '"metric"'],
            [{ name: 'x', metric: 'vm_cpu_percent', op: '>=', threshold: 1 }, '"op"'],
            [{ name: 'x', metric: 'vm_cpu_percent', op: '>', threshold: 'high' }, '"threshold"'],
            [{ name: 'x', metric: 'vm_cpu_percent', op: '>', threshold: 1, for_seconds: -5 }, '"for_seconds"'],
            [{ name: 'x', metric: 'host_cpu_percent', op: '>', threshold: 1, scope: 'all' }, '"scope"'],
            [{ name: 'x', metric: 'vm_crashed', threshold: 1 }, '"threshold"'],
            [{ name: 'x', metric: 'vm_crashed', colour: 'red' }, '"colour"'],
        ]) {
            r = await s.admin.req('POST', '/api/alerts/rules', { body });
            assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
            assert.equal(r.json.error.code, 'bad_request');
            assert.ok(r.json.error.message.includes(field), `${r.json.error.message} names ${field}`);
        }
        // only admins keep rules; every logged-in user reads alerts
        for (const c of [s.op, s.view, alice]) {
            r = await c.req('POST', '/api/alerts/rules', { body: { name: 'x', metric: 'vm_crashed' } });
            assert.equal(r.status, 403, r.text);
            assert.equal((await c.get('/api/alerts/rules')).status, 403);
            assert.equal((await c.req('DELETE', '/api/alerts/rules/cfg-1')).status, 403);
            assert.equal((await c.get('/api/alerts')).status, 200);
        }
        assert.equal((await s.admin.get('/api/alerts/rules')).json.rules.length, 1);

        // a host rule test:/// triggers at its first sample, and a VM rule
        r = await s.admin.req('POST', '/api/alerts/rules', {
            body: { name: 'memory', metric: 'host_memory_free_percent', op: '<', threshold: 101, for_seconds: 0 },
        });
        assert.equal(r.status, 201, r.text);
        const hostRule = r.json;
        assert.match(hostRule.id, /^[0-9]+$/);
        assert.equal(hostRule.scope, 'host');
        assert.equal(hostRule.source, 'api');
        r = await s.admin.req('POST', '/api/alerts/rules', {
            body: { name: 'pools', metric: 'pool_used_percent', op: '>', threshold: -1 },
        });
        assert.equal(r.status, 201, r.text);
        const poolRule = r.json;

        const firing = await waitFor('both alerts to fire', async () => {
            const a = await s.admin.get('/api/alerts');
            const f = a.json.firing;
            return f.some((x) => x.rule_id === hostRule.id) && f.some((x) => x.rule_id === poolRule.id) && f;
        });
        const hostAlert = firing.find((x) => x.rule_id === hostRule.id);
        assert.equal(hostAlert.subject, 'host');
        assert.equal(hostAlert.subject_kind, 'host');
        assert.equal(hostAlert.state, 'firing');
        assert.ok(hostAlert.value >= 0 && hostAlert.value <= 100, String(hostAlert.value));
        assert.equal(hostAlert.threshold, 101);
        assert.match(hostAlert.fired_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.equal(firing.find((x) => x.rule_id === poolRule.id).subject_kind, 'pool');
        assert.equal(firing.filter((x) => x.rule_id === hostRule.id).length, 1);

        // visibility as the rest of the API: a `user` reads the host (GET /api/host) but
        // not a pool it was not given (test:/// reports no VM figures: a VM's alert by
        // owner is in alerts-qemu.test.mjs); the viewer sees both
        for (const c of [alice, bob]) {
            assert.deepEqual((await c.get('/api/alerts')).json.firing.map((x) => x.rule_id),
                [hostRule.id]);
        }
        const viewed = (await s.view.get('/api/alerts')).json.firing;
        assert.ok(viewed.some((x) => x.rule_id === hostRule.id) && viewed.some((x) => x.rule_id === poolRule.id));

        // the receiver comes up after a few failed tries; then the rule goes and its
        // alert resolves
        await sleep(2500);
        assert.equal(hook.got.length, 0);
        await hook.start();
        r = await s.admin.req('DELETE', `/api/alerts/rules/${hostRule.id}`);
        assert.equal(r.status, 200, r.text);
        const recent = await waitFor('the host alert to resolve', async () => {
            const a = (await s.admin.get('/api/alerts')).json;
            return !a.firing.some((x) => x.rule_id === hostRule.id) &&
                a.recent.find((x) => x.rule_id === hostRule.id);
        });
        assert.equal(recent.state, 'resolved');
        assert.match(recent.resolved_at, /Z$/);
        const mineHost = () => hook.got.filter((g) => g.msg.rule_id === hostRule.id);
        await waitFor('the firing and the resolution at the receiver',
            async () => mineHost().some((g) => g.msg.state === 'resolved'), 40000);
        await sleep(1500); /* a duplicate would come now */
        const msgs = mineHost().map((g) => g.msg);
        assert.deepEqual(msgs.map((m) => m.state), ['firing', 'resolved']);
        assert.equal(msgs[0].alert, 'memory');
        assert.equal(msgs[0].subject, 'host');
        assert.equal(msgs[0].threshold, 101);
        assert.equal(msgs[0].id, `${hostAlert.id}-firing`);
        assert.equal(msgs[1].id, `${hostAlert.id}-resolved`);
        assert.match(msgs[0].at, /Z$/);
        assert.ok(mineHost().every((g) => g.path === '/hook' && g.type === 'application/json'));
        // each message once, whatever rule
        const ids = hook.got.map((g) => g.msg.id);
        assert.equal(new Set(ids).size, ids.length, ids.join(' '));

        // the audit log has the rule changes
        const audit = await s.admin.get('/api/audit?action=alert-rule-create');
        assert.equal(audit.status, 200, audit.text);
    } finally {
        alice.close();
        bob.close();
        await s.stop();
        await hook.stop().catch(() => {});
    }
});
