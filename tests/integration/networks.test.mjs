// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/networks.test.mjs — the virtual network API (docs/api.md
// "Networks") on libvirt's test driver (test:///default: network "default", NAT on
// virbr0 192.168.122.0/24, used by the running domain "test"): the network object,
// create in every mode, start/stop/autostart, delete with its in-use rule, leases (the
// test driver has none: 501), input validation that changes nothing, and roles.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startWithRoles } from '../lib/roles.mjs';
import { UUID_RE, assertError, assertJson } from '../lib/api-assert.mjs';

const PW = { admin: 'admin-pass-net-1', op: 'operator-pass-net-2', view: 'viewer-pass-net-3' };
const MODES = ['nat', 'route', 'isolated', 'bridge', 'open', 'other'];

const strOrNull = (v) => v === null || typeof v === 'string';

/** Asserts the documented network object. */
export function assertNetwork(n, label = 'network') {
    const ctx = `${label} ${JSON.stringify(n)}`;
    assert.deepEqual(Object.keys(n), ['name', 'uuid', 'active', 'persistent', 'autostart', 'mode', 'bridge',
        'forward_dev', 'mtu', 'domain', 'ipv4', 'ipv6', 'domains'], ctx);
    assert.equal(typeof n.name, 'string', ctx);
    assert.match(n.uuid, UUID_RE, ctx);
    for (const k of ['active', 'persistent', 'autostart']) assert.equal(typeof n[k], 'boolean', `${ctx}: ${k}`);
    assert.ok(MODES.includes(n.mode), `${ctx}: mode`);
    for (const k of ['bridge', 'forward_dev', 'domain']) assert.ok(strOrNull(n[k]), `${ctx}: ${k}`);
    assert.ok(n.mtu === null || Number.isInteger(n.mtu), `${ctx}: mtu`);
    for (const fam of ['ipv4', 'ipv6']) {
        const ip = n[fam];
        if (ip === null) continue;
        assert.deepEqual(Object.keys(ip), ['address', 'prefix', 'dhcp_start', 'dhcp_end', 'hosts'], `${ctx}: ${fam}`);
        assert.equal(typeof ip.address, 'string');
        assert.ok(ip.prefix === null || Number.isInteger(ip.prefix));
        assert.ok(strOrNull(ip.dhcp_start) && strOrNull(ip.dhcp_end));
        assert.ok(Array.isArray(ip.hosts));
        for (const h of ip.hosts) {
            assert.deepEqual(Object.keys(h), ['mac', 'ip', 'name']);
            for (const k of ['mac', 'ip', 'name']) assert.ok(strOrNull(h[k]));
        }
    }
    assert.ok(Array.isArray(n.domains), ctx);
    for (const d of n.domains) {
        assert.deepEqual(Object.keys(d), ['uuid', 'name', 'active'], ctx);
        assert.match(d.uuid, UUID_RE);
    }
}

describe('networks API (test driver)', () => {
    let roles;
    let admin;
    let op;
    let view;

    before(async () => {
        roles = await startWithRoles(PW);
        ({ admin, op, view } = roles);
    });
    after(async () => {
        if (roles) await roles.stop();
    });

    const names = async () => assertJson(await admin.get('/api/networks'), 200, 'list').networks.map((n) => n.name);
    const get = async (name) => assertJson(await admin.get(`/api/networks/${name}`), 200, `GET ${name}`);
    const create = (body, client = admin) => client.post('/api/networks', body);

    describe('reading', () => {
        it('lists "default" with every field read from its XML, sorted by name', async () => {
            const body = assertJson(await view.get('/api/networks'), 200, 'list');
            assert.deepEqual(Object.keys(body), ['networks']);
            for (const n of body.networks) assertNetwork(n, `list ${n.name}`);
            const list = body.networks.map((n) => n.name);
            assert.deepEqual(list, [...list].sort());
            const def = body.networks.find((n) => n.name === 'default');
            assert.ok(def, 'default is listed');
            assert.equal(def.active, true);
            assert.equal(def.persistent, true);
            assert.equal(def.mode, 'nat');
            assert.equal(def.bridge, 'virbr0');
            assert.equal(def.forward_dev, null);
            assert.equal(def.mtu, null);
            assert.equal(def.domain, null);
            // the XML has netmask='255.255.255.0': turned into a prefix
            assert.deepEqual(def.ipv4, {
                address: '192.168.122.1', prefix: 24, dhcp_start: '192.168.122.2', dhcp_end: '192.168.122.254', hosts: [],
            });
            assert.equal(def.ipv6, null);
            assert.deepEqual(def.domains.map((x) => [x.name, x.active]), [['test', true]],
                'the running domain "test" has an interface on default');
        });

        it('GET one network; 404 for an unknown name, 400 for an invalid one', async () => {
            const n = assertJson(await view.get('/api/networks/default'), 200, 'get default');
            assertNetwork(n, 'default');
            assert.equal(n.name, 'default');
            assertError(await view.get('/api/networks/nosuchnet'), 404, 'not_found', 'unknown');
            assertError(await view.get('/api/networks/-bad'), 400, 'bad_request', 'leading dash');
            assertError(await view.get('/api/networks/a%20b'), 400, 'bad_request', 'space');
            assertError(await view.get(`/api/networks/${'x'.repeat(51)}`), 400, 'bad_request', 'too long');
            assertError(await view.get('/api/networks/nosuchnet/leases'), 404, 'not_found', 'leases unknown');
        });

        it('leases: 501 from the test driver on an active network', async () => {
            const e = assertError(await view.get('/api/networks/default/leases'), 501, 'not_supported', 'leases');
            assert.match(e.message, /lease/i);
        });
    });

    describe('create', () => {
        it('nat with IPv4 + IPv6 DHCP, static hosts, domain, MTU and autostart', async () => {
            const req = {
                name: 'vd-nat', mode: 'nat', domain: 'lab.example', mtu: 9000, autostart: true,
                ipv4: {
                    address: '10.20.30.1', prefix: 24, dhcp_start: '10.20.30.100', dhcp_end: '10.20.30.200',
                    hosts: [{ mac: '52:54:00:aa:bb:cc', ip: '10.20.30.10', name: 'web' }, { mac: '52:54:00:aa:bb:cd', ip: '10.20.30.11' }],
                },
                ipv6: {
                    address: 'fd00:20:30::1', prefix: 64, dhcp_start: 'fd00:20:30::100', dhcp_end: 'fd00:20:30::1ff',
                    hosts: [{ ip: 'fd00:20:30::10', name: 'web6' }],
                },
            };
            const n = assertJson(await create(req), 201, 'create nat');
            assertNetwork(n, 'created nat');
            assert.equal(n.name, 'vd-nat');
            assert.equal(n.active, true, 'started by default');
            assert.equal(n.persistent, true);
            assert.equal(n.autostart, true);
            assert.equal(n.mode, 'nat');
            // the real network driver picks a bridge name (virbrN); the test driver does not
            assert.equal(n.bridge, null);
            assert.equal(n.mtu, 9000);
            assert.equal(n.domain, 'lab.example');
            assert.deepEqual(n.ipv4, {
                address: '10.20.30.1', prefix: 24, dhcp_start: '10.20.30.100', dhcp_end: '10.20.30.200',
                hosts: [{ mac: '52:54:00:aa:bb:cc', ip: '10.20.30.10', name: 'web' }, { mac: '52:54:00:aa:bb:cd', ip: '10.20.30.11', name: null }],
            });
            assert.deepEqual(n.ipv6, {
                address: 'fd00:20:30::1', prefix: 64, dhcp_start: 'fd00:20:30::100', dhcp_end: 'fd00:20:30::1ff',
                hosts: [{ mac: null, ip: 'fd00:20:30::10', name: 'web6' }],
            });
            assert.deepEqual(n.domains, []);
            assert.deepEqual(await get('vd-nat'), n, 'GET answers the same object');
            assert.ok((await names()).includes('vd-nat'));
        });

        it('route with a forward device, defined but not started', async () => {
            const n = assertJson(await create({
                name: 'vd-route', mode: 'route', forward_dev: 'eth0', start: false,
                ipv4: { address: '10.20.31.1', prefix: 24 },
            }), 201, 'create route');
            assertNetwork(n);
            assert.equal(n.mode, 'route');
            assert.equal(n.forward_dev, 'eth0');
            assert.equal(n.active, false);
            assert.equal(n.autostart, false);
            assert.deepEqual(n.ipv4, { address: '10.20.31.1', prefix: 24, dhcp_start: null, dhcp_end: null, hosts: [] });
            assert.equal((await get('vd-route')).active, false);
        });

        it('isolated without any address, and with a chosen bridge name', async () => {
            const a = assertJson(await create({ name: 'vd-iso', mode: 'isolated' }), 201, 'isolated');
            assertNetwork(a);
            assert.equal(a.mode, 'isolated');
            assert.equal(a.ipv4, null);
            assert.equal(a.ipv6, null);
            const b = assertJson(await create({ name: 'vd-iso.2', mode: 'isolated', bridge: 'vdbr-iso2' }), 201, 'isolated bridge');
            assert.equal(b.bridge, 'vdbr-iso2');
            assert.equal(b.mode, 'isolated');
        });

        it('open (needs an address) and bridge (an existing host bridge, no address)', async () => {
            const o = assertJson(await create({ name: 'vd_open', mode: 'open', ipv6: { address: 'fd00:40::1', prefix: 64 } }), 201, 'open');
            assert.equal(o.mode, 'open');
            assert.equal(o.ipv4, null);
            assert.equal(o.ipv6.address, 'fd00:40::1');
            // the test driver is not this host: the bridge's existence is not checked there
            const b = assertJson(await create({ name: 'vd-bridge', mode: 'bridge', bridge: 'br-test0' }), 201, 'bridge');
            assertNetwork(b);
            assert.equal(b.mode, 'bridge');
            assert.equal(b.bridge, 'br-test0');
        });

        it('409 for an existing name or a bridge name another network uses; nothing changes', async () => {
            const before = await get('default');
            const e = assertError(await create({ name: 'default', mode: 'isolated' }), 409, 'conflict', 'dup');
            assert.match(e.message, /default/);
            assertError(await create({ name: 'vd-nat', mode: 'isolated' }), 409, 'conflict', 'dup nat');
            assertError(await create({ name: 'vd-clash', mode: 'isolated', bridge: 'virbr0' }), 409, 'conflict', 'bridge clash');
            assertError(await admin.get('/api/networks/vd-clash'), 404, 'not_found');
            assert.deepEqual(await get('default'), before);
        });

        it('409 naming the overlap for a subnet inside, around or equal to another network\'s; force creates it', async () => {
            const cases = [
                [{ ipv4: { address: '192.168.122.5', prefix: 24 } }, "192.168.122.0/24 overlaps network 'default' (192.168.122.0/24)"],
                [{ ipv4: { address: '192.168.122.130', prefix: 25 } }, "192.168.122.128/25 overlaps network 'default' (192.168.122.0/24)"],
                [{ ipv4: { address: '192.168.1.1', prefix: 16 } }, "192.168.0.0/16 overlaps network 'default' (192.168.122.0/24)"],
                // a stopped network counts too (vd-route: 10.20.31.0/24, not started)
                [{ ipv4: { address: '10.20.31.9', prefix: 28 } }, "10.20.31.0/28 overlaps network 'vd-route' (10.20.31.0/24)"],
                [{ ipv6: { address: 'fd00:20:30::1:1', prefix: 112 } }, "fd00:20:30::1:0/112 overlaps network 'vd-nat' (fd00:20:30::/64)"],
            ];
            for (const [ip, message] of cases) {
                const e = assertError(await create({ name: 'vd-overlap', mode: 'isolated', ...ip }), 409, 'conflict', message);
                assert.equal(e.message, message);
            }
            assertError(await admin.get('/api/networks/vd-overlap'), 404, 'not_found');
            // adjacent subnets do not overlap
            assertJson(await create({ name: 'vd-adjacent', mode: 'isolated', start: false, ipv4: { address: '192.168.123.1', prefix: 24 } }), 201, 'adjacent');
            assertError(await create({ name: 'vd-overlap', mode: 'isolated', force: 'yes', ipv4: { address: '192.168.122.5', prefix: 24 } }), 400, 'bad_request', 'force is a boolean');
            const forced = assertJson(await create({ name: 'vd-overlap', mode: 'isolated', start: false, force: true, ipv4: { address: '192.168.122.5', prefix: 24 } }), 201, 'forced');
            assert.equal(forced.ipv4.address, '192.168.122.5');
            for (const name of ['vd-overlap', 'vd-adjacent']) assertJson(await admin.req('DELETE', `/api/networks/${name}`), 200, `delete ${name}`);
        });

        it('400 for bad input, and nothing is created', async () => {
            const before = await names();
            const v4 = { address: '10.50.0.1', prefix: 24 };
            const bad = [
                [{ mode: 'nat', ipv4: v4 }, /name/],
                [{ name: '../x', mode: 'isolated' }, /name/],
                [{ name: 'a/b', mode: 'isolated' }, /name/],
                [{ name: '-x', mode: 'isolated' }, /name/],
                [{ name: 'x'.repeat(51), mode: 'isolated' }, /name/],
                [{ name: 'vd-bad', mode: 'nat' }, /ipv4|ipv6/],
                [{ name: 'vd-bad' }, /mode/],
                [{ name: 'vd-bad', mode: 'nated', ipv4: v4 }, /mode/],
                [{ name: 'vd-bad', mode: 'bridge' }, /bridge/],
                [{ name: 'vd-bad', mode: 'bridge', bridge: 'br0', ipv4: v4 }, /bridge/],
                [{ name: 'vd-bad', mode: 'open', forward_dev: 'eth0', ipv4: v4 }, /forward_dev/],
                [{ name: 'vd-bad', mode: 'isolated', color: 'red' }, /unknown field "color"/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: { ...v4, gateway: '10.50.0.254' } }, /unknown field "ipv4.gateway"/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: { address: '10.50.0.300', prefix: 24 } }, /IPv4 address/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: { address: 'fd00::1', prefix: 24 } }, /IPv4 address/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: { address: '10.50.0.1', prefix: 31 } }, /prefix/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: { address: '10.50.0.1', prefix: '24' } }, /prefix/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: { address: '10.50.0.0', prefix: 24 } }, /network or broadcast/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: { ...v4, dhcp_start: '10.50.1.10', dhcp_end: '10.50.1.20' } }, /not inside/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: { ...v4, dhcp_start: '10.50.0.20', dhcp_end: '10.50.0.10' } }, /after/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: { ...v4, dhcp_start: '10.50.0.1', dhcp_end: '10.50.0.10' } }, /gateway/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: { ...v4, dhcp_start: '10.50.0.2', dhcp_end: '10.50.0.255' } }, /broadcast/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: { ...v4, dhcp_start: '10.50.0.2' } }, /go together/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: { ...v4, hosts: [{ mac: '53:54:00:00:00:01', ip: '10.50.0.5' }] } }, /unicast MAC/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: { ...v4, hosts: [{ mac: '52:54:00:00:00:01', ip: '10.50.1.5' }] } }, /subnet/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: { ...v4, hosts: [{ ip: '10.50.0.5' }] } }, /mac/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: { ...v4, hosts: [{ mac: '52:54:00:00:00:01', ip: '10.50.0.5' }, { mac: '52:54:00:00:00:02', ip: '10.50.0.5' }] } }, /same IP/],
                [{ name: 'vd-bad', mode: 'nat', ipv6: { address: 'fd00:50::1', prefix: 48, dhcp_start: 'fd00:50::10', dhcp_end: 'fd00:50::20' } }, /64/],
                [{ name: 'vd-bad', mode: 'nat', ipv6: { address: 'fd00:50::1', prefix: 64, hosts: [{ mac: '52:54:00:00:00:01', ip: 'fd00:50::5', name: 'h' }] } }, /MAC/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: v4, mtu: 67 }, /mtu/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: v4, domain: 'bad..domain' }, /domain/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: v4, bridge: 'name-that-is-too-long' }, /bridge/],
                [{ name: 'vd-bad', mode: 'nat', ipv4: v4, start: 'yes' }, /start/],
            ];
            for (const [body, re] of bad) {
                const e = assertError(await create(body), 400, 'bad_request', JSON.stringify(body));
                assert.match(e.message, re, `${JSON.stringify(body)} → ${e.message}`);
            }
            assertError(await admin.post('/api/networks', '{"name":"vd-bad","mode":"isolated"', { raw: true }), 400, 'bad_request', 'malformed');
            assertError(await admin.post('/api/networks', '[]', { raw: true }), 400, 'bad_request', 'array');
            assert.deepEqual(await names(), before, 'no network was created');
        });
    });

    describe('start, stop, autostart', () => {
        it('stop and start answer the object; 409 when already in that state', async () => {
            let n = assertJson(await admin.post('/api/networks/vd-nat/stop'), 200, 'stop');
            assertNetwork(n);
            assert.equal(n.active, false);
            let e = assertError(await admin.post('/api/networks/vd-nat/stop'), 409, 'conflict', 'stop again');
            assert.match(e.message, /not active/);
            n = assertJson(await admin.post('/api/networks/vd-nat/start'), 200, 'start');
            assert.equal(n.active, true);
            e = assertError(await admin.post('/api/networks/vd-nat/start'), 409, 'conflict', 'start again');
            assert.match(e.message, /active already/);
            assertError(await admin.post('/api/networks/nosuchnet/start'), 404, 'not_found');
        });

        it('autostart on and off; body checked', async () => {
            let n = assertJson(await admin.post('/api/networks/vd-route/autostart', { enabled: true }), 200, 'on');
            assert.equal(n.autostart, true);
            n = assertJson(await admin.post('/api/networks/vd-route/autostart', { enabled: false }), 200, 'off');
            assert.equal(n.autostart, false);
            assert.equal((await get('vd-route')).autostart, false);
            assertError(await admin.post('/api/networks/vd-route/autostart', {}), 400, 'bad_request', 'missing');
            assertError(await admin.post('/api/networks/vd-route/autostart', { enabled: 'yes' }), 400, 'bad_request', 'type');
            assertError(await admin.post('/api/networks/vd-route/autostart', { enabled: true, x: 1 }), 400, 'bad_request', 'extra');
            assertError(await admin.post('/api/networks/vd-route/start', { force: true }), 400, 'bad_request', 'start takes no body');
        });

        it('unknown actions are 400 and list the valid ones', async () => {
            const e = assertError(await admin.post('/api/networks/vd-nat/reboot'), 400, 'bad_request');
            assert.match(e.message, /start, stop, autostart/);
        });

        it('leases on a stopped network: 409', async () => {
            assertError(await view.get('/api/networks/vd-route/leases'), 409, 'conflict');
        });
    });

    describe('roles', () => {
        it('operator and viewer get 403 on every change, and nothing changes', async () => {
            const before = await get('vd-nat');
            const list = await names();
            for (const c of [op, view]) {
                const who = c === op ? 'operator' : 'viewer';
                assertError(await create({ name: 'vd-role', mode: 'isolated' }, c), 403, 'forbidden', `${who} create`);
                assertError(await c.post('/api/networks/vd-nat/stop'), 403, 'forbidden', `${who} stop`);
                assertError(await c.post('/api/networks/vd-route/start'), 403, 'forbidden', `${who} start`);
                assertError(await c.post('/api/networks/vd-nat/autostart', { enabled: false }), 403, 'forbidden', `${who} autostart`);
                assertError(await c.req('DELETE', '/api/networks/vd-nat'), 403, 'forbidden', `${who} delete`);
                assertError(await c.req('DELETE', '/api/networks/vd-nat?force=true'), 403, 'forbidden', `${who} force delete`);
                // refused before validation: a bad body still gets 403
                assertError(await create({ bogus: 1 }, c), 403, 'forbidden', `${who} bad create`);
                // reading is allowed
                assertNetwork(assertJson(await c.get('/api/networks/vd-nat'), 200, `${who} get`));
            }
            assert.deepEqual(await get('vd-nat'), before);
            assert.deepEqual(await names(), list);
        });
    });

    describe('delete', () => {
        it('removes a stopped and a running unused network', async () => {
            let r = assertJson(await admin.req('DELETE', '/api/networks/vd-route'), 200, 'delete stopped');
            assert.deepEqual(r, { name: 'vd-route', removed: true });
            r = assertJson(await admin.req('DELETE', '/api/networks/vd-nat'), 200, 'delete running');
            assert.deepEqual(r, { name: 'vd-nat', removed: true });
            assertError(await admin.get('/api/networks/vd-nat'), 404, 'not_found');
            assertError(await admin.req('DELETE', '/api/networks/vd-nat'), 404, 'not_found', 'twice');
            const list = await names();
            assert.ok(!list.includes('vd-nat') && !list.includes('vd-route'));
            assertError(await admin.req('DELETE', '/api/networks/vd-iso?force=maybe'), 400, 'bad_request', 'force value');
        });

        it('refuses while a running VM uses the network (409 names it), force deletes it', async () => {
            const e = assertError(await admin.req('DELETE', '/api/networks/default'), 409, 'conflict', 'in use');
            assert.match(e.message, /running VM\(s\): test/);
            assert.match(e.message, /force=true/);
            assertError(await admin.req('DELETE', '/api/networks/default?force=false'), 409, 'conflict', 'force=false');
            assert.equal((await get('default')).active, true, 'still there and running');
            const r = assertJson(await admin.req('DELETE', '/api/networks/default?force=true'), 200, 'force');
            assert.deepEqual(r, { name: 'default', removed: true });
            assertError(await admin.get('/api/networks/default'), 404, 'not_found');
        });
    });
});
