// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/ipaddr.test.mjs — web/js/ipaddr.js: IPv4/IPv6 parsing, subnet math, MACs.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
    parseIPv4, formatIPv4, ipv4Mask, ipv4Subnet, ipv4InSubnet, parseIPv4Cidr,
    parseIPv6, ipv6InSubnet, ipv6Mask, isMac, randomMac,
} from '../../web/js/ipaddr.js';

test('IPv4 parses strictly and formats back', () => {
    assert.equal(parseIPv4('192.168.1.10'), 3232235786);
    assert.equal(formatIPv4(3232235786), '192.168.1.10');
    assert.equal(parseIPv4('0.0.0.0'), 0);
    assert.equal(formatIPv4(parseIPv4('255.255.255.255')), '255.255.255.255');
    for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', ' 1.2.3.4', '1.2.3.4 ', 'a.b.c.d', '', '1..2.3', null, 5]) {
        assert.equal(parseIPv4(bad), null, String(bad));
    }
});

test('IPv4 subnets: masks, network, broadcast, usable range, membership', () => {
    assert.equal(ipv4Mask(24), 0xffffff00);
    assert.equal(ipv4Mask(0), 0);
    assert.equal(ipv4Mask(32), 0xffffffff);
    const s = ipv4Subnet(parseIPv4('10.1.2.77'), 26);
    assert.equal(formatIPv4(s.network), '10.1.2.64');
    assert.equal(formatIPv4(s.broadcast), '10.1.2.127');
    assert.equal(formatIPv4(s.first), '10.1.2.65');
    assert.equal(formatIPv4(s.last), '10.1.2.126');
    assert.equal(s.size, 64);
    const a = parseIPv4('192.168.100.1');
    assert.equal(ipv4InSubnet(parseIPv4('192.168.100.254'), a, 24), true);
    assert.equal(ipv4InSubnet(parseIPv4('192.168.101.2'), a, 24), false);
    assert.equal(ipv4InSubnet(parseIPv4('192.168.101.2'), a, 16), true);
    // High addresses stay unsigned.
    assert.equal(ipv4InSubnet(parseIPv4('200.1.1.1'), parseIPv4('200.1.0.1'), 16), true);
    assert.deepEqual(parseIPv4Cidr('10.0.0.0/8'), { address: parseIPv4('10.0.0.0'), prefix: 8 });
    assert.equal(parseIPv4Cidr('10.0.0.0/33'), null);
    assert.equal(parseIPv4Cidr('10.0.0.0'), null);
});

test('IPv6 parses full, compressed and IPv4-tailed forms', () => {
    assert.equal(parseIPv6('::1'), 1n);
    assert.equal(parseIPv6('::'), 0n);
    assert.equal(parseIPv6('fd00:1::1'), (0xfd00n << 112n) | (1n << 96n) | 1n);
    assert.equal(parseIPv6('fd00:0:0:0:0:0:0:1'), parseIPv6('fd00::1'));
    assert.equal(parseIPv6('::ffff:192.168.1.1'), (0xffffn << 32n) | 0xc0a80101n);
    assert.equal(parseIPv6('64:ff9b::1.2.3.4'), (0x64n << 112n) | (0xff9bn << 96n) | 0x01020304n);
    for (const bad of ['1::2::3', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', 'g::1', '12345::', '1.2.3.4', '::1.2.3', '', null]) {
        assert.equal(parseIPv6(bad), null, String(bad));
    }
});

test('IPv6 subnet membership', () => {
    const net = parseIPv6('fd00:1:2:3::1');
    assert.equal(ipv6InSubnet(parseIPv6('fd00:1:2:3::ffff'), net, 64), true);
    assert.equal(ipv6InSubnet(parseIPv6('fd00:1:2:4::1'), net, 64), false);
    assert.equal(ipv6Mask(128), (1n << 128n) - 1n);
    assert.equal(ipv6Mask(0), 0n);
});

test('MAC addresses: unicast only; random ones are in 52:54:00', () => {
    assert.equal(isMac('52:54:00:ab:CD:ef'), true);
    assert.equal(isMac('01:00:5e:00:00:01'), false, 'multicast');
    assert.equal(isMac('52-54-00-ab-cd-ef'), false);
    assert.equal(isMac('00:00:00:00:00:00'), false, 'all zero');
    assert.equal(isMac('52:54:00:ab:cd'), false);
    let i = 0;
    const seq = [0, 0.5, 0.999];
    const mac = randomMac(() => seq[i++ % 3]);
    assert.equal(mac, '52:54:00:00:80:ff');
    assert.equal(isMac(randomMac()), true);
});
