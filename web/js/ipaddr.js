// SPDX-License-Identifier: LGPL-2.1-or-later
// ipaddr.js — address arithmetic for the network forms: IPv4 as unsigned 32-bit
// numbers, IPv6 as BigInt, subnets by prefix length, MAC addresses. Pure (no DOM);
// imported by the form rules and tested in Node.

const V4_PART = /^(0|[1-9][0-9]{0,2})$/;

/** "192.168.1.10" -> 3232235786; anything else (leading zeros, spaces, >255) -> null. */
export function parseIPv4(text) {
    if (typeof text !== 'string') return null;
    const parts = text.split('.');
    if (parts.length !== 4) return null;
    let n = 0;
    for (const p of parts) {
        if (!V4_PART.test(p)) return null;
        const v = Number(p);
        if (v > 255) return null;
        n = n * 256 + v;
    }
    return n;
}

/** 3232235786 -> "192.168.1.10". */
export function formatIPv4(n) {
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The netmask of a prefix length (0..32) as a number. */
export function ipv4Mask(prefix) {
    return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** {network, broadcast, first, last, size} of the subnet holding addr (numbers). */
export function ipv4Subnet(addr, prefix) {
    const mask = ipv4Mask(prefix);
    const network = (addr & mask) >>> 0;
    const broadcast = (network | (~mask >>> 0)) >>> 0;
    const size = 2 ** (32 - prefix);
    // /31 and /32 have no network or broadcast address to keep free.
    const first = prefix >= 31 ? network : network + 1;
    const last = prefix >= 31 ? broadcast : broadcast - 1;
    return { network, broadcast, first, last, size };
}

/** True if ip lies in the subnet of addr/prefix (all numbers). */
export function ipv4InSubnet(ip, addr, prefix) {
    const mask = ipv4Mask(prefix);
    return ((ip & mask) >>> 0) === ((addr & mask) >>> 0);
}

/** "10.0.0.0/8" style text -> {address, prefix}; null when not that shape. */
export function parseIPv4Cidr(text) {
    if (typeof text !== 'string') return null;
    const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text.trim());
    if (!m) return null;
    const address = parseIPv4(m[1]);
    const prefix = Number(m[2]);
    if (address === null || prefix > 32) return null;
    return { address, prefix };
}

const V6_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** IPv6 text (with "::" and an optional dotted IPv4 tail) -> BigInt, or null. */
export function parseIPv6(text) {
    if (typeof text !== 'string' || text.length < 2 || text.length > 45) return null;
    let s = text;
    let tail = [];
    const lastColon = s.lastIndexOf(':');
    if (s.slice(lastColon + 1).includes('.')) {
        const v4 = parseIPv4(s.slice(lastColon + 1));
        if (v4 === null) return null;
        tail = [(v4 >>> 16).toString(16), (v4 & 0xffff).toString(16)];
        const before = s.slice(0, lastColon + 1); // "::ffff:", "64:ff9b::", "1:2:3:4:5:6:"
        s = before.endsWith('::') ? before : before.slice(0, -1);
    }
    const halves = s.split('::');
    if (halves.length > 2) return null;
    const split = (h) => (h === '' ? [] : h.split(':'));
    const head = split(halves[0]);
    const rest = halves.length === 2 ? split(halves[1]) : [];
    const groups = [...head, ...rest, ...tail];
    for (const g of [...head, ...rest]) if (!V6_GROUP.test(g)) return null;
    if (halves.length === 1 && groups.length !== 8) return null;
    if (halves.length === 2 && groups.length > 7) return null;
    const zeros = halves.length === 2 ? 8 - groups.length : 0;
    const all = [...head, ...Array(zeros).fill('0'), ...rest, ...tail];
    let n = 0n;
    for (const g of all) n = (n << 16n) | BigInt(parseInt(g, 16));
    return n;
}

const V6_ALL = (1n << 128n) - 1n;

/** BigInt -> RFC 5952 text: lower case, the longest run of two or more zero groups as "::". */
export function formatIPv6(n) {
    const groups = [];
    for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(16 * i)) & 0xffffn));
    let best = -1;
    let bestLen = 1;
    for (let i = 0; i < 8;) {
        let j = i;
        while (j < 8 && groups[j] === 0) j++;
        if (j - i > bestLen) [best, bestLen] = [i, j - i];
        i = j > i ? j : i + 1;
    }
    const hex = (a) => a.map((g) => g.toString(16)).join(':');
    if (best < 0) return hex(groups);
    return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

/** The netmask of an IPv6 prefix (0..128) as BigInt. */
export function ipv6Mask(prefix) {
    return prefix === 0 ? 0n : (V6_ALL << BigInt(128 - prefix)) & V6_ALL;
}

/** True if ip lies in the subnet of addr/prefix (BigInts). */
export function ipv6InSubnet(ip, addr, prefix) {
    const mask = ipv6Mask(prefix);
    return (ip & mask) === (addr & mask);
}

const MAC_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** True for "52:54:00:ab:cd:ef" (colons, any case); multicast and all-zero addresses are refused. */
export function isMac(text) {
    if (typeof text !== 'string' || !MAC_RE.test(text) || /^[0:]+$/.test(text)) return false;
    return (parseInt(text.slice(0, 2), 16) & 1) === 0;
}

/** A random MAC in QEMU's 52:54:00 range; rand() returns 0 <= x < 1. */
export function randomMac(rand = Math.random) {
    const b = () => Math.floor(rand() * 256).toString(16).padStart(2, '0');
    return `52:54:00:${b()}:${b()}:${b()}`;
}
