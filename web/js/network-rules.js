// SPDX-License-Identifier: LGPL-2.1-or-later
// network-rules.js — the "Create network" form's rules and request body
// (POST /api/networks), the subnet suggestion for a new network, and short text for a
// network's addresses. Mirrors the server's checks: mode, bridge and forward device
// names, IPv4/IPv6 address and prefix, DHCP ranges inside the subnet, static hosts,
// DNS domain, MTU. Pure (no DOM); messages are translated when they are made.

import { parseIPv4, formatIPv4, ipv4Subnet, ipv4InSubnet, ipv4Mask, parseIPv6, formatIPv6, ipv6InSubnet, ipv6Mask, isMac } from './ipaddr.js';
import { objectNameError, dnsNameError, hostNameError, ifaceNameError, parseIntField, hasErrors, trimValues } from './forms.js';
import { t, language } from './i18n.js';

/** Each mode's name and hint in the current language (the API also reports "other"). */
const MODE_TEXTS = {
    nat: () => [t('networks.mode.nat'), t('networks.mode.nat.hint')],
    route: () => [t('networks.mode.route'), t('networks.mode.route.hint')],
    isolated: () => [t('networks.mode.isolated'), t('networks.mode.isolated.hint')],
    open: () => [t('networks.mode.open'), t('networks.mode.open.hint')],
    bridge: () => [t('networks.mode.bridge'), t('networks.mode.bridge.hint')],
    other: () => [t('networks.mode.other'), ''],
};

/** A mode's entry: its label and hint are read in the current language. */
function mode(id) {
    return Object.freeze({
        id,
        get label() { return MODE_TEXTS[id]()[0]; },
        get hint() { return MODE_TEXTS[id]()[1]; },
    });
}

/** The modes the form offers, in menu order. */
export const NETWORK_MODES = Object.freeze(['nat', 'route', 'isolated', 'open', 'bridge'].map(mode));
const MODE_IDS = new Set(NETWORK_MODES.map((m) => m.id));

/** A mode's name for the list ("NAT", "Routed", … "Other"); "" for an unknown id. */
export function modeLabel(id) {
    return Object.hasOwn(MODE_TEXTS, id) ? MODE_TEXTS[id]()[0] : '';
}

/** Names joined as a list in the current language ("a, b, and c"; "a、b和c"). */
export function nameList(names) {
    return new Intl.ListFormat(language(), { type: 'conjunction' }).format(names);
}

/** Modes that have their own subnet (everything but a host bridge). */
export function modeHasSubnet(mode) {
    return mode !== 'bridge';
}

/** Modes that forward to a host interface (forward_dev applies). */
export function modeForwards(mode) {
    return mode === 'nat' || mode === 'route';
}

/** IPv4 needs room for the host, the network and the broadcast address (server: 1..30). */
export const IPV4_PREFIX = { min: 1, max: 30 };
export const MTU = { min: 68, max: 65535 };

/** Not 0.x, loopback, multicast or reserved (server: netxml_addr_unicast). */
function unicast4(a) {
    const first = a >>> 24;
    return first !== 0 && first !== 127 && first < 224;
}

function checkIPv4(v, hosts, errors) {
    const out = {};
    const addr = parseIPv4(v.address || '');
    if (!v.address) errors['ipv4.address'] = t('networks.error.ipv4-address-empty');
    else if (addr === null) errors['ipv4.address'] = t('networks.error.ipv4-address-format');
    else if (!unicast4(addr)) errors['ipv4.address'] = t('networks.error.not-unicast', { address: v.address });
    const p = parseIntField(v.prefix, { ...IPV4_PREFIX, required: true, what: t('forms.what.prefix-length') });
    if (p.error) errors['ipv4.prefix'] = p.error;
    if (addr === null || p.error) return null;
    const prefix = p.value;
    const net = ipv4Subnet(addr, prefix);
    if (addr === net.network || addr === net.broadcast) {
        const params = { address: formatIPv4(addr), subnet: `${formatIPv4(net.network)}/${prefix}`, example: formatIPv4(net.first) };
        errors['ipv4.address'] = addr === net.network
            ? t('networks.error.ipv4-is-network', params) : t('networks.error.ipv4-is-broadcast', params);
        return null;
    }
    out.address = formatIPv4(addr);
    out.prefix = prefix;
    const range = checkRange4(v, addr, prefix, net, errors);
    if (range) Object.assign(out, range);
    const list = checkHosts(hosts, addr, prefix, net, errors);
    if (list.length) out.hosts = list;
    return out;
}

/**
 * One end of a DHCP range (errors key `key`): parse(text) -> address or null, then
 * problem(address) -> why it cannot be used ('' when it can). Returns the address, or
 * null with the error set.
 */
function rangeEnd(key, text, family, errors, parse, problem) {
    if (!text) {
        errors[key] = t('networks.error.range-both-ends');
        return null;
    }
    const ip = parse(text);
    const why = ip === null ? t('networks.error.address-format', { family }) : problem(ip);
    if (!why) return ip;
    errors[key] = why;
    return null;
}

function checkRange4(v, addr, prefix, net, errors) {
    if (!v.dhcp_start && !v.dhcp_end) return null;
    const where = `${formatIPv4(net.network)}/${prefix}`;
    const one = (key, text) => rangeEnd(`ipv4.${key}`, text, 'IPv4', errors, parseIPv4, (ip) => {
        if (!ipv4InSubnet(ip, addr, prefix)) return t('networks.error.outside-subnet', { address: text, subnet: where });
        if (ip === net.network || ip === net.broadcast) return t('networks.error.range-network-broadcast', { address: text });
        return '';
    });
    const start = one('dhcp_start', v.dhcp_start);
    const end = one('dhcp_end', v.dhcp_end);
    if (start === null || end === null) return null;
    if (start > end) {
        errors['ipv4.dhcp_end'] = t('networks.error.range-order');
        return null;
    }
    if (addr >= start && addr <= end) {
        errors['ipv4.dhcp_start'] = t('networks.error.range-has-host', { address: formatIPv4(addr) });
        return null;
    }
    return { dhcp_start: formatIPv4(start), dhcp_end: formatIPv4(end) };
}

function checkHosts(hosts, addr, prefix, net, errors) {
    const out = [];
    const macs = new Map();
    const ips = new Map();
    const names = new Map();
    (hosts || []).forEach((raw, i) => {
        const hst = trimValues(raw);
        if (!hst.mac && !hst.ip && !hst.name) return; // an empty row is ignored
        const key = (f) => `hosts.${i}.${f}`;
        let ok = true;
        if (!isMac(hst.mac || '')) {
            errors[key('mac')] = hst.mac ? t('networks.error.host-mac-format') : t('networks.error.host-mac-empty');
            ok = false;
        } else if (macs.has(hst.mac.toLowerCase())) {
            errors[key('mac')] = t('networks.error.host-mac-duplicate', { row: macs.get(hst.mac.toLowerCase()) + 1 });
            ok = false;
        } else {
            macs.set(hst.mac.toLowerCase(), i);
        }
        const ip = parseIPv4(hst.ip || '');
        if (ip === null) {
            errors[key('ip')] = hst.ip ? t('networks.error.host-ip-format') : t('networks.error.host-ip-empty');
            ok = false;
        } else if (!ipv4InSubnet(ip, addr, prefix) || ip === net.network || ip === net.broadcast || ip === addr) {
            errors[key('ip')] = t('networks.error.host-ip-not-free', { address: hst.ip, subnet: `${formatIPv4(net.network)}/${prefix}` });
            ok = false;
        } else if (ips.has(ip)) {
            errors[key('ip')] = t('networks.error.host-ip-duplicate', { row: ips.get(ip) + 1 });
            ok = false;
        } else {
            ips.set(ip, i);
        }
        const nameErr = hostNameError(hst.name || '');
        if (nameErr) {
            errors[key('name')] = nameErr;
            ok = false;
        } else if (hst.name && names.has(hst.name.toLowerCase())) {
            errors[key('name')] = t('networks.error.host-name-duplicate', { row: names.get(hst.name.toLowerCase()) + 1 });
            ok = false;
        } else if (hst.name) {
            names.set(hst.name.toLowerCase(), i);
        }
        if (ok) {
            const h = { mac: hst.mac.toLowerCase(), ip: formatIPv4(ip) };
            if (hst.name) h.name = hst.name;
            out.push(h);
        }
    });
    return out;
}

function checkIPv6(v, errors) {
    const addr = parseIPv6(v.address || '');
    if (!v.address) errors['ipv6.address'] = t('networks.error.ipv6-address-empty');
    else if (addr === null) errors['ipv6.address'] = t('networks.error.ipv6-address-format');
    else if (addr === 1n || addr >> 120n === 0xffn) errors['ipv6.address'] = t('networks.error.not-unicast', { address: v.address });
    const p = parseIntField(v.prefix, { min: 1, max: 128, required: true, what: t('forms.what.prefix-length') });
    if (p.error) errors['ipv6.prefix'] = p.error;
    if (addr === null || p.error) return null;
    const out = { address: v.address.toLowerCase(), prefix: p.value };
    if (addr === (addr & ipv6Mask(p.value))) {
        errors['ipv6.address'] = t('networks.error.ipv6-is-subnet');
        return null;
    }
    if (!v.dhcp_start && !v.dhcp_end) return out;
    if (p.value !== 64) errors['ipv6.prefix'] = t('networks.error.dhcpv6-prefix');
    const one = (key, text) => rangeEnd(`ipv6.${key}`, text, 'IPv6', errors, parseIPv6,
        (ip) => (ipv6InSubnet(ip, addr, p.value) ? '' : t('networks.error.outside-the-subnet', { address: text })));
    const start = one('dhcp_start', v.dhcp_start);
    const end = one('dhcp_end', v.dhcp_end);
    if (start === null || end === null || errors['ipv6.prefix']) return null;
    if (start > end) {
        errors['ipv6.dhcp_end'] = t('networks.error.range-order');
        return null;
    }
    out.dhcp_start = v.dhcp_start.toLowerCase();
    out.dhcp_end = v.dhcp_end.toLowerCase();
    return out;
}

/**
 * Form values -> {payload, errors}. values: {name, mode, bridge, forward_dev,
 * ipv4: {enabled, address, prefix, dhcp_start, dhcp_end}, ipv6: {same}, hosts:
 * [{mac, ip, name}], domain, mtu, autostart, start}. errors maps a field key
 * ("name", "ipv4.dhcp_start", "hosts.2.mac", ...) to a message; payload is null while
 * there is any error.
 */
export function buildNetworkRequest(values) {
    const v = trimValues(values);
    const errors = {};
    const payload = {};
    const nameErr = objectNameError(v.name, t('forms.what.network-name'));
    if (nameErr) errors.name = nameErr;
    payload.name = v.name;
    if (!MODE_IDS.has(v.mode)) errors.mode = t('networks.error.mode-choose');
    payload.mode = v.mode;

    if (v.mode === 'bridge') {
        const e = ifaceNameError(v.bridge, t('forms.what.host-bridge'));
        if (e) errors.bridge = e;
        payload.bridge = v.bridge;
    } else if (v.mode && MODE_IDS.has(v.mode)) {
        if (v.bridge) {
            const e = ifaceNameError(v.bridge, t('forms.what.bridge-name'));
            if (e) errors.bridge = e;
            payload.bridge = v.bridge;
        }
        if (modeForwards(v.mode) && v.forward_dev) {
            const e = ifaceNameError(v.forward_dev, t('forms.what.forward-device'));
            if (e) errors.forward_dev = e;
            payload.forward_dev = v.forward_dev;
        }
        const v4 = v.ipv4 && v.ipv4.enabled ? checkIPv4(trimValues(v.ipv4), v.hosts, errors) : null;
        const v6 = v.ipv6 && v.ipv6.enabled ? checkIPv6(trimValues(v.ipv6), errors) : null;
        if (v4) payload.ipv4 = v4;
        if (v6) payload.ipv6 = v6;
        const wantsV4 = v.ipv4 && v.ipv4.enabled;
        const wantsV6 = v.ipv6 && v.ipv6.enabled;
        if ((v.mode === 'nat' || v.mode === 'route' || v.mode === 'open') && !wantsV4 && !wantsV6) {
            errors.mode = t('networks.error.mode-needs-subnet', { mode: modeLabel(v.mode) });
        }
        if (v.domain) {
            const e = dnsNameError(v.domain);
            if (e) errors.domain = e;
            payload.domain = v.domain;
        }
    }
    // A host bridge keeps its own MTU (the server refuses one with mode bridge).
    const mtu = v.mode === 'bridge' ? { value: null, error: '' } : parseIntField(v.mtu, { ...MTU, what: t('forms.what.mtu') });
    if (mtu.error) errors.mtu = mtu.error;
    else if (mtu.value !== null) payload.mtu = mtu.value;
    payload.autostart = !!v.autostart;
    payload.start = v.start !== false;
    return { payload: hasErrors(errors) ? null : payload, errors };
}

/** "network/prefix" of an address block ({address, prefix}) of family, or null. */
function subnetOf(ip, family) {
    if (!ip || !Number.isInteger(ip.prefix)) return null;
    if (family === 'ipv4') {
        const a = parseIPv4(ip.address || '');
        if (a === null) return null;
        return { addr: a, prefix: ip.prefix, text: `${formatIPv4((a & ipv4Mask(ip.prefix)) >>> 0)}/${ip.prefix}` };
    }
    const a = parseIPv6(ip.address || '');
    if (a === null) return null;
    return { addr: a, prefix: ip.prefix, text: `${formatIPv6(a & ipv6Mask(ip.prefix))}/${ip.prefix}` };
}

/**
 * The server's overlap rule, checked against the networks the page knows: for each
 * family of payload (a buildNetworkRequest payload), the first listed network (any
 * state) whose subnet contains, lies inside or equals the requested one. Returns
 * {"ipv4.address"?: message, "ipv6.address"?: message}; empty when nothing overlaps.
 * networks: GET /api/networks entries.
 */
export function subnetOverlaps(payload, networks) {
    const errors = {};
    for (const family of ['ipv4', 'ipv6']) {
        const want = subnetOf(payload && payload[family], family);
        if (!want) continue;
        const inSubnet = family === 'ipv4' ? ipv4InSubnet : ipv6InSubnet;
        for (const n of networks || []) {
            const have = subnetOf(n && n[family], family);
            if (!have || !inSubnet(want.addr, have.addr, Math.min(want.prefix, have.prefix))) continue;
            errors[`${family}.address`] = t('networks.error.subnet-overlap', { subnet: want.text, name: n.name, other: have.text });
            break;
        }
    }
    return errors;
}

/**
 * A /24 in 192.168.0.0/16 that no listed network and no host address uses (starting
 * at 192.168.100.0), as prefilled form values; null when all are taken.
 * networks: GET /api/networks entries; hostAddrs: extra "a.b.c.d/p" strings in use.
 */
export function suggestSubnet(networks, hostAddrs = []) {
    const used = [];
    for (const n of networks || []) {
        const ip = n && n.ipv4;
        const a = ip ? parseIPv4(ip.address || '') : null;
        if (a !== null && Number.isInteger(ip.prefix)) used.push([a, ip.prefix]);
    }
    for (const t of hostAddrs) {
        const [a, p] = String(t).split('/');
        const ip = parseIPv4(a);
        if (ip !== null && /^[0-9]+$/.test(p || '')) used.push([ip, Number(p)]);
    }
    for (let i = 0; i < 256; i++) {
        const third = (100 + i) % 256;
        const net = parseIPv4(`192.168.${third}.0`);
        const clash = used.some(([a, p]) => ipv4InSubnet(net, a, Math.min(p, 24)));
        if (!clash) {
            return {
                address: `192.168.${third}.1`, prefix: '24',
                dhcp_start: `192.168.${third}.2`, dhcp_end: `192.168.${third}.254`,
            };
        }
    }
    return null;
}

/** One address block of a network -> "192.168.122.1/24", plus "DHCP a – b" when set. */
export function ipText(ip) {
    if (!ip || !ip.address) return { address: '', dhcp: '' };
    const address = Number.isInteger(ip.prefix) ? `${ip.address}/${ip.prefix}` : ip.address;
    const dhcp = ip.dhcp_start && ip.dhcp_end ? t('networks.dhcp-range', { start: ip.dhcp_start, end: ip.dhcp_end }) : '';
    return { address, dhcp };
}

/**
 * A user's state for the in-use lists and counts: what the domains store knows
 * (stateOf(uuid) -> state or null/undefined), else what the server's `active` says
 * ("running" for true — the server's flag is also true for a paused VM —, "shutoff"
 * for false).
 */
export function userState(user, stateOf = null) {
    const known = stateOf && user && typeof user.uuid === 'string' ? stateOf(user.uuid) : null;
    if (known) return known;
    return user && user.active ? 'running' : 'shutoff';
}

/**
 * "2 VMs (1 running)" style summary of a network's or pool's users; a VM the domains
 * store knows as paused counts as paused, not running ("3 VMs (1 running, 1 paused)").
 * stateOf: uuid -> state (see userState), or null to go by `active` alone.
 */
export function usersText(domains, stateOf = null) {
    const list = (Array.isArray(domains) ? domains : []).filter(Boolean);
    if (!list.length) return t('resources.users.none');
    const states = list.map((d) => userState(d, stateOf));
    const running = states.filter((s) => s === 'running').length;
    const paused = states.filter((s) => s === 'paused').length;
    const count = list.length;
    if (running && paused) return t('resources.users.running-paused', { count, running, paused });
    if (paused) return t('resources.users.paused', { count, paused });
    return running ? t('resources.users.running', { count, running }) : t('resources.users.count', { count });
}

/** How many users an in-use list shows before "and N more". */
export const USERS_SHOWN = 8;

/**
 * An in-use list: {shown: [{uuid, name, state}], more} with at most max entries
 * (running and paused VMs first, then the others, each group in the server's order)
 * and the count of the rest. users: the API's used_by / domains entries.
 */
export function usersList(users, stateOf = null, max = USERS_SHOWN) {
    const all = (Array.isArray(users) ? users : []).filter((u) => u && typeof u.name === 'string')
        .map((u) => ({ uuid: typeof u.uuid === 'string' ? u.uuid : '', name: u.name, state: userState(u, stateOf) }));
    const live = (e) => e.state === 'running' || e.state === 'paused';
    const sorted = [...all.filter(live), ...all.filter((e) => !live(e))];
    return { shown: sorted.slice(0, max), more: Math.max(0, sorted.length - max) };
}

/** The users the server counts as running (its `active`: running or paused). */
export function activeUsers(users) {
    return (Array.isArray(users) ? users : []).filter((u) => u && u.active === true);
}

/**
 * The server's network delete rule: refused (409) while a running (or paused) VM has an
 * interface on it, unless forced. {force: needs ?force=true, running: those VMs}.
 * Stopping a network is never refused.
 */
export function networkDeleteRule(domains) {
    const running = activeUsers(domains);
    return { force: running.length > 0, running };
}
