// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/network-rules.test.mjs — web/js/network-rules.js: the "Create network"
// form's checks (subnet math, DHCP ranges, static hosts, IPv6, modes) and request body.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
    buildNetworkRequest, suggestSubnet, ipText, usersText, subnetOverlaps, userState, usersList, networkDeleteRule,
} from '../../web/js/network-rules.js';
import { parseIPv6, formatIPv6 } from '../../web/js/ipaddr.js';
import { setLanguage } from '../../web/js/i18n.js';

// The English texts below are the catalogue's; each test that switches language switches back.
await setLanguage('en', { remember: false });

const base = () => ({
    name: 'lab', mode: 'nat', bridge: '', forward_dev: '', domain: '', mtu: '',
    ipv4: { enabled: true, address: '192.168.150.1', prefix: '24', dhcp_start: '192.168.150.100', dhcp_end: '192.168.150.200' },
    ipv6: { enabled: false, address: '', prefix: '64', dhcp_start: '', dhcp_end: '' },
    hosts: [], autostart: true, start: true,
});

test('a NAT network with DHCP becomes the documented body', () => {
    const v = base();
    v.domain = 'lab.test';
    v.mtu = '1400';
    v.forward_dev = 'eth0';
    v.hosts = [{ mac: '52:54:00:AA:BB:CC', ip: '192.168.150.10', name: 'web' }, { mac: '', ip: '', name: '' }];
    const { payload, errors } = buildNetworkRequest(v);
    assert.deepEqual(errors, {});
    assert.deepEqual(payload, {
        name: 'lab', mode: 'nat', forward_dev: 'eth0',
        ipv4: {
            address: '192.168.150.1', prefix: 24, dhcp_start: '192.168.150.100', dhcp_end: '192.168.150.200',
            hosts: [{ mac: '52:54:00:aa:bb:cc', ip: '192.168.150.10', name: 'web' }],
        },
        domain: 'lab.test', mtu: 1400, autostart: true, start: true,
    });
});

test('the DHCP range must lie inside the subnet, in order, clear of the host address', () => {
    const cases = [
        [{ dhcp_start: '192.168.151.2' }, 'ipv4.dhcp_start', /outside 192\.168\.150\.0\/24/],
        [{ dhcp_end: '192.168.150.255' }, 'ipv4.dhcp_end', /broadcast/],
        [{ dhcp_start: '192.168.150.0' }, 'ipv4.dhcp_start', /network or broadcast/],
        [{ dhcp_start: '192.168.150.201' }, 'ipv4.dhcp_end', /at or after/],
        [{ dhcp_end: '' }, 'ipv4.dhcp_end', /both ends/],
        [{ dhcp_start: '192.168.150.1' }, 'ipv4.dhcp_start', /own address/],
        [{ dhcp_start: 'x' }, 'ipv4.dhcp_start', /IPv4 address/],
    ];
    for (const [patch, key, re] of cases) {
        const v = base();
        Object.assign(v.ipv4, patch);
        const { payload, errors } = buildNetworkRequest(v);
        assert.equal(payload, null, JSON.stringify(patch));
        assert.match(errors[key] || '', re, JSON.stringify(patch));
    }
    const v = base();
    v.ipv4.dhcp_start = '';
    v.ipv4.dhcp_end = '';
    const ok = buildNetworkRequest(v);
    assert.deepEqual(ok.errors, {});
    assert.deepEqual(ok.payload.ipv4, { address: '192.168.150.1', prefix: 24 });
});

test('the host address must be a host of its subnet; prefix in range', () => {
    let v = base();
    v.ipv4.address = '192.168.150.0';
    assert.match(buildNetworkRequest(v).errors['ipv4.address'], /network address.*192\.168\.150\.1/);
    v = base();
    v.ipv4.address = '192.168.150.255';
    assert.match(buildNetworkRequest(v).errors['ipv4.address'], /broadcast/);
    v = base();
    v.ipv4.prefix = '31';
    assert.match(buildNetworkRequest(v).errors['ipv4.prefix'], /between 1 and 30/);
    v = base();
    v.ipv4.address = '127.0.0.1';
    v.ipv4.dhcp_start = '';
    v.ipv4.dhcp_end = '';
    assert.match(buildNetworkRequest(v).errors['ipv4.address'], /unicast/);
    v.ipv4.address = '224.0.0.1';
    assert.match(buildNetworkRequest(v).errors['ipv4.address'], /unicast/);
    v = base();
    v.ipv4.prefix = '';
    assert.match(buildNetworkRequest(v).errors['ipv4.prefix'], /Enter/);
    v = base();
    v.ipv4.address = '300.1.1.1';
    assert.match(buildNetworkRequest(v).errors['ipv4.address'], /like 192/);
    // A /16 moves the range check with it.
    v = base();
    v.ipv4.prefix = '16';
    v.ipv4.dhcp_end = '192.168.200.200';
    assert.deepEqual(buildNetworkRequest(v).errors, {});
});

test('static hosts: valid MAC and IP in the subnet, no duplicate MAC, IP or name', () => {
    let v = base();
    v.hosts = [
        { mac: '52:54:00:00:00:01', ip: '192.168.150.10', name: 'a' },
        { mac: '52:54:00:00:00:01', ip: '192.168.150.10', name: 'b.c' },
        { mac: '52:54:00:00:00:09', ip: '192.168.150.19', name: 'A' },
        { mac: '01:00:5e:00:00:01', ip: '10.0.0.1', name: '' },
        { mac: '', ip: '192.168.150.1', name: '' },
    ];
    const { errors, payload } = buildNetworkRequest(v);
    assert.equal(payload, null);
    assert.match(errors['hosts.1.mac'], /row 1/);
    assert.match(errors['hosts.1.ip'], /row 1/);
    assert.match(errors['hosts.1.name'], /letters, digits/);
    assert.match(errors['hosts.2.name'], /same name.*row 1/);
    assert.match(errors['hosts.3.mac'], /MAC address like/);
    assert.match(errors['hosts.3.ip'], /not a free host address/);
    assert.match(errors['hosts.4.mac'], /Enter the MAC/);
    assert.match(errors['hosts.4.ip'], /not a free host address/, 'the gateway is taken');
    assert.equal(errors['hosts.0.mac'], undefined);
    // Hosts without a DHCP range are fine (the server adds the <dhcp> element).
    v = base();
    v.ipv4.dhcp_start = '';
    v.ipv4.dhcp_end = '';
    v.hosts = [{ mac: '52:54:00:00:00:01', ip: '192.168.150.10', name: '' }];
    assert.deepEqual(buildNetworkRequest(v).payload.ipv4.hosts, [{ mac: '52:54:00:00:00:01', ip: '192.168.150.10' }]);
});

test('IPv6: address, prefix, DHCPv6 needs a /64 and a range inside it', () => {
    let v = base();
    v.ipv6 = { enabled: true, address: 'FD00:1::1', prefix: '64', dhcp_start: 'fd00:1::100', dhcp_end: 'fd00:1::1ff' };
    let r = buildNetworkRequest(v);
    assert.deepEqual(r.errors, {});
    assert.deepEqual(r.payload.ipv6, { address: 'fd00:1::1', prefix: 64, dhcp_start: 'fd00:1::100', dhcp_end: 'fd00:1::1ff' });
    v.ipv6.prefix = '56';
    assert.match(buildNetworkRequest(v).errors['ipv6.prefix'], /64/);
    v.ipv6.prefix = '64';
    v.ipv6.dhcp_end = 'fd00:2::1';
    assert.match(buildNetworkRequest(v).errors['ipv6.dhcp_end'], /outside/);
    v.ipv6.dhcp_end = 'fd00:1::99';
    assert.match(buildNetworkRequest(v).errors['ipv6.dhcp_end'], /at or after/);
    v.ipv6 = { enabled: true, address: 'fd00:1::', prefix: '64', dhcp_start: '', dhcp_end: '' };
    assert.match(buildNetworkRequest(v).errors['ipv6.address'], /subnet/);
    v.ipv6.address = 'zz::1';
    assert.match(buildNetworkRequest(v).errors['ipv6.address'], /IPv6 address/);
    // IPv6 only, no DHCP: fine for a routed network.
    v = base();
    v.mode = 'route';
    v.ipv4.enabled = false;
    v.ipv6 = { enabled: true, address: 'fd00:9::1', prefix: '48', dhcp_start: '', dhcp_end: '' };
    r = buildNetworkRequest(v);
    assert.deepEqual(r.errors, {});
    assert.equal(r.payload.ipv4, undefined);
});

test('modes: bridge needs a host bridge and sends no subnet; NAT needs a subnet', () => {
    let v = base();
    v.mode = 'bridge';
    v.bridge = 'br0';
    v.forward_dev = 'eth0';
    let r = buildNetworkRequest(v);
    assert.deepEqual(r.errors, {});
    assert.deepEqual(r.payload, { name: 'lab', mode: 'bridge', bridge: 'br0', autostart: true, start: true });
    v.mtu = '9000';
    assert.equal(buildNetworkRequest(v).payload.mtu, undefined, 'a host bridge keeps its MTU');
    v.bridge = '';
    assert.match(buildNetworkRequest(v).errors.bridge, /host bridge/);
    v = base();
    v.mode = 'open';
    v.ipv4.enabled = false;
    assert.match(buildNetworkRequest(v).errors.mode, /needs an IPv4 or IPv6 subnet/);
    v = base();
    v.ipv4.enabled = false;
    assert.match(buildNetworkRequest(v).errors.mode, /needs an IPv4 or IPv6 subnet/);
    v.mode = 'isolated';
    r = buildNetworkRequest(v);
    assert.deepEqual(r.errors, {});
    v.mode = 'bogus';
    assert.match(buildNetworkRequest(v).errors.mode, /Choose/);
    v = base();
    v.mode = 'isolated';
    v.forward_dev = 'eth0';
    assert.equal(buildNetworkRequest(v).payload.forward_dev, undefined, 'isolated does not forward');
});

test('name, DNS domain and MTU are checked', () => {
    const v = base();
    v.name = 'bad name';
    v.domain = 'bad_domain';
    v.mtu = '20';
    v.autostart = false;
    const { errors } = buildNetworkRequest(v);
    assert.match(errors.name, /letters/);
    assert.match(errors.domain, /DNS domain/);
    assert.match(errors.mtu, /between 68 and 65535/);
});

test('suggestSubnet skips subnets in use by networks and host addresses', () => {
    assert.equal(suggestSubnet([]).address, '192.168.100.1');
    const nets = [{ ipv4: { address: '192.168.100.1', prefix: 24 } }, { ipv4: null }, {}];
    assert.equal(suggestSubnet(nets).address, '192.168.101.1');
    assert.equal(suggestSubnet(nets, ['192.168.101.7/24', 'junk']).address, '192.168.102.1');
    const s = suggestSubnet([{ ipv4: { address: '192.168.0.1', prefix: 16 } }]);
    assert.equal(s, null, 'a /16 covers them all');
    const wide = suggestSubnet([], ['192.168.100.5/23']);
    assert.equal(wide.address, '192.168.102.1');
    assert.deepEqual(suggestSubnet([]), { address: '192.168.100.1', prefix: '24', dhcp_start: '192.168.100.2', dhcp_end: '192.168.100.254' });
});

test('address and user summaries', () => {
    assert.deepEqual(ipText({ address: '10.0.0.1', prefix: 8, dhcp_start: '10.0.0.2', dhcp_end: '10.0.0.9' }),
        { address: '10.0.0.1/8', dhcp: 'DHCP 10.0.0.2 \u2013 10.0.0.9' });
    assert.deepEqual(ipText(null), { address: '', dhcp: '' });
    assert.equal(usersText([]), 'None');
    assert.equal(usersText([{ active: true }, { active: false }]), '2 VMs (1 running)');
    assert.equal(usersText([{ active: false }]), '1 VM');
});

test('zh-CN: plural summaries and validation messages', async () => {
    await setLanguage('zh-CN', { remember: false });
    try {
        assert.equal(usersText([]), '无');
        assert.equal(usersText([{ active: false }]), '1 台虚拟机');
        assert.equal(usersText([{ active: true }, { active: false }, { active: true }]), '3 台虚拟机（2 台运行中）');
        const states = { a: 'running', b: 'paused' };
        assert.equal(usersText([{ uuid: 'a', active: true }, { uuid: 'b', active: true }, { uuid: 'c', active: false }], (u) => states[u]),
            '3 台虚拟机（1 台运行中，1 台已暂停）');
        const v = base();
        v.ipv4.dhcp_start = '192.168.151.2';
        assert.equal(buildNetworkRequest(v).errors['ipv4.dhcp_start'], '192.168.151.2 不在 192.168.150.0/24 内。');
        v.mode = 'route';
        v.ipv4.enabled = false;
        assert.equal(buildNetworkRequest(v).errors.mode, '“路由”模式的网络需要 IPv4 或 IPv6 子网。');
    } finally {
        await setLanguage('en', { remember: false });
    }
    assert.equal(usersText([{ active: true }]), '1 VM (1 running)', 'the English singular');
});

test('subnet overlap with a known network (any state): equal, inside, around; adjacent is fine', () => {
    const networks = [
        { name: 'default', active: true, ipv4: { address: '192.168.122.1', prefix: 24 }, ipv6: null },
        { name: 'lab6', active: false, ipv4: null, ipv6: { address: 'fd00:20:30::1', prefix: 64 } },
        { name: 'plain', active: false, ipv4: null, ipv6: null },
    ];
    const v4 = (address, prefix) => subnetOverlaps({ ipv4: { address, prefix } }, networks);
    assert.deepEqual(v4('192.168.122.5', 24), { 'ipv4.address': '192.168.122.0/24 overlaps network “default” (192.168.122.0/24).' });
    assert.deepEqual(v4('192.168.122.130', 25), { 'ipv4.address': '192.168.122.128/25 overlaps network “default” (192.168.122.0/24).' });
    assert.deepEqual(v4('192.168.1.1', 16), { 'ipv4.address': '192.168.0.0/16 overlaps network “default” (192.168.122.0/24).' });
    assert.deepEqual(v4('192.168.123.1', 24), {}, 'adjacent');
    assert.deepEqual(v4('192.168.121.1', 24), {}, 'adjacent below');
    const v6 = subnetOverlaps({ ipv6: { address: 'fd00:20:30::1:1', prefix: 112 } }, networks);
    assert.deepEqual(v6, { 'ipv6.address': 'fd00:20:30::1:0/112 overlaps network “lab6” (fd00:20:30::/64).' });
    assert.deepEqual(subnetOverlaps({ ipv6: { address: 'fd00:20:31::1', prefix: 64 } }, networks), {}, 'adjacent /64');
    assert.deepEqual(subnetOverlaps({ name: 'iso', mode: 'isolated' }, networks), {}, 'no subnet, no overlap');
    // the form's own payload, as buildNetworkRequest makes it
    const { payload } = buildNetworkRequest({ ...base(), ipv4: { ...base().ipv4, address: '192.168.122.10', dhcp_start: '', dhcp_end: '' } });
    assert.match(subnetOverlaps(payload, networks)['ipv4.address'], /overlaps network “default”/);
});

test('IPv6 text: the longest zero run becomes "::", lower case', () => {
    for (const [text, want] of [['fd00:20:30::', 'fd00:20:30::'], ['::', '::'], ['::1', '::1'], ['FD00:0:0:1:0:0:0:1', 'fd00:0:0:1::1'],
        ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'], ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'], ['fe80::', 'fe80::']]) {
        assert.equal(formatIPv6(parseIPv6(text)), want, text);
    }
});

test('a paused VM counts as paused, not running: the store knows its state, `active` does not', () => {
    const states = { r: 'running', p: 'paused', s: 'shutoff' };
    const stateOf = (uuid) => states[uuid] ?? null;
    const users = [{ uuid: 'r', active: true }, { uuid: 'p', active: true }, { uuid: 's', active: false }];
    // The server's `active` is true for the paused one: without the store it reads running.
    assert.equal(usersText(users), '3 VMs (2 running)');
    assert.equal(usersText(users, stateOf), '3 VMs (1 running, 1 paused)');
    assert.equal(usersText([{ uuid: 'p', active: true }], stateOf), '1 VM (1 paused)');
    assert.equal(usersText([{ uuid: 'p', active: true }, { uuid: 'p2', active: true }], (u) => (u.startsWith('p') ? 'paused' : null)), '2 VMs (2 paused)');
    // A VM the store does not know goes by `active`.
    assert.equal(usersText([{ uuid: 'x', active: true }], stateOf), '1 VM (1 running)');
    assert.equal(userState({ uuid: 'x', active: false }, stateOf), 'shutoff');
    assert.equal(userState({ uuid: 'p', active: true }, stateOf), 'paused');
    assert.equal(userState({ uuid: 'p', active: true }), 'running');
});

test('an in-use list: running and paused VMs first, capped with the count of the rest', () => {
    const users = Array.from({ length: 12 }, (_, i) => ({ uuid: `u${i}`, name: `vm${i}`, active: i % 3 === 0 }));
    const states = { u3: 'paused' };
    const list = usersList(users, (u) => states[u] ?? null, 5);
    assert.deepEqual(list.shown.map((u) => [u.name, u.state]),
        [['vm0', 'running'], ['vm3', 'paused'], ['vm6', 'running'], ['vm9', 'running'], ['vm1', 'shutoff']]);
    assert.equal(list.more, 7);
    assert.deepEqual(usersList([], null), { shown: [], more: 0 });
    assert.deepEqual(usersList(null, null), { shown: [], more: 0 });
    assert.equal(usersList(users, null).shown.length, 8, 'eight by default');
    assert.deepEqual(usersList([{ name: 'a', active: true }]).shown, [{ uuid: '', name: 'a', state: 'running' }]);
});

test('the server’s network delete rule: running (or paused) users force it; stopped ones never do', () => {
    assert.deepEqual(networkDeleteRule([]), { force: false, running: [] });
    assert.deepEqual(networkDeleteRule([{ name: 'a', active: false }]), { force: false, running: [] });
    const r = networkDeleteRule([{ name: 'a', active: false }, { name: 'b', active: true }]);
    assert.equal(r.force, true);
    assert.deepEqual(r.running.map((u) => u.name), ['b']);
    assert.deepEqual(networkDeleteRule(undefined), { force: false, running: [] });
});
