// SPDX-License-Identifier: LGPL-2.1-or-later
// device-rules.js — the VM device forms' rules and request bodies: attach a disk
// (existing or new volume, or an ISO as CD-ROM; POST /api/domains/{uuid}/disks),
// attach or change a network interface (POST / PATCH .../interfaces), and the guest's
// addresses matched to its interfaces. Pure (no DOM); messages are translated when
// they are made.

import { volumeNameError, sizeError, parseSize, parseIntField, hasErrors, trimValues, ifaceNameError, objectNameError } from './forms.js';
import { isMac } from './ipaddr.js';
import { t } from './i18n.js';

export const DISK_BUSES = ['virtio', 'sata', 'scsi'];
export const DISK_CACHES = ['', 'none', 'writethrough', 'writeback', 'directsync', 'unsafe'];
export const DISK_IOS = ['', 'native', 'threads', 'io_uring'];
export const NIC_MODELS = ['virtio', 'e1000e', 'e1000', 'rtl8139'];

const TARGET_PREFIX = { virtio: 'vd', sata: 'sd', scsi: 'sd' };

/** The first free target name for a bus ("vda", "sdb", ...) given the VM's disks. */
export function nextDiskTarget(bus, disks) {
    const prefix = TARGET_PREFIX[bus] || 'vd';
    const used = new Set((disks || []).map((d) => d && d.target));
    for (let i = 0; i < 26 * 27; i++) {
        const name = i < 26 ? String.fromCharCode(97 + i)
            : String.fromCharCode(96 + Math.floor(i / 26)) + String.fromCharCode(97 + (i % 26));
        if (!used.has(prefix + name)) return prefix + name;
    }
    return '';
}

/**
 * Disk form values -> {payload, errors}. values: {source: "existing" | "new",
 * device: "disk" | "cdrom", bus, pool, volume, name, capacity, format, target, cache,
 * io, readonly}. A CD-ROM always uses an existing volume and is read-only.
 */
export function buildDiskRequest(values, { disks = [] } = {}) {
    const v = trimValues(values);
    const errors = {};
    const payload = {};
    const device = v.device === 'cdrom' ? 'cdrom' : v.device === 'disk' ? 'disk' : null;
    if (!device) errors.device = t('devices.error.device-choose');
    payload.device = device;
    if (!DISK_BUSES.includes(v.bus)) errors.bus = t('devices.error.bus-choose');
    else if (device === 'cdrom' && v.bus === 'virtio') errors.bus = t('devices.error.cdrom-virtio');
    payload.bus = v.bus;
    if (objectNameError(v.pool)) errors.pool = t('devices.error.pool-choose');
    const fromNew = device === 'disk' && v.source === 'new';
    if (fromNew) {
        const e = volumeNameError(v.name);
        if (e) errors.name = e;
        const s = sizeError(v.capacity, { what: t('forms.what.capacity') });
        if (s) errors.capacity = s;
        if (!['qcow2', 'raw'].includes(v.format)) errors.format = t('storage.error.volume-format-choose');
        payload.new = { pool: v.pool, name: v.name, capacity_bytes: s ? null : parseSize(v.capacity), format: v.format };
    } else {
        if (!v.volume) errors.volume = device === 'cdrom' ? t('devices.error.iso-choose') : t('devices.error.volume-choose');
        payload.source = { pool: v.pool, volume: v.volume };
    }
    if (v.target) {
        const prefix = TARGET_PREFIX[v.bus];
        if (!/^(vd|sd|hd)[a-z]{1,3}$/.test(v.target)) errors.target = t('devices.error.target-format');
        else if (prefix && !v.target.startsWith(prefix)) errors.target = t('devices.error.target-prefix', { bus: v.bus, prefix });
        else if (disks.some((d) => d && d.target === v.target)) errors.target = t('devices.error.target-used', { target: v.target });
        payload.target = v.target;
    }
    if (v.cache) {
        if (!DISK_CACHES.includes(v.cache)) errors.cache = t('devices.error.cache-choose');
        payload.cache = v.cache;
    }
    if (v.io) {
        if (!DISK_IOS.includes(v.io)) errors.io = t('devices.error.io-choose');
        else if (v.io === 'native' && v.cache !== 'none' && v.cache !== 'directsync') {
            errors.io = t('devices.error.io-native');
        }
        payload.io = v.io;
    }
    if (device === 'disk' && v.readonly) payload.readonly = true;
    return { payload: hasErrors(errors) ? null : payload, errors };
}

/** The name of each QoS figure in the messages. */
const RATE_WHAT = {
    average: () => t('forms.what.rate-average'),
    peak: () => t('forms.what.rate-peak'),
    burst: () => t('forms.what.rate-burst'),
};

function checkRate(dir, r, errors, out) {
    const keys = ['average', 'peak', 'burst'];
    const vals = {};
    for (const k of keys) {
        const p = parseIntField(r?.[k], { min: 1, max: 4294967295, what: RATE_WHAT[k]() });
        if (p.error) errors[`${dir}.${k}`] = p.error;
        else if (p.value !== null) vals[k] = p.value;
    }
    if (!Object.keys(vals).length) return;
    if (vals.average === undefined) {
        if (!errors[`${dir}.average`]) errors[`${dir}.average`] = t('devices.error.rate-average-missing');
        return;
    }
    if (vals.peak !== undefined && vals.peak < vals.average) errors[`${dir}.peak`] = t('devices.error.rate-peak-low');
    out[dir] = vals;
}

/**
 * Interface form values -> {payload, errors}. values: {kind: "user" | "network" | "bridge",
 * network, bridge, model, mac, link: "up" | "down", inbound: {average, peak, burst},
 * outbound: {...}, vlan}. forPatch: only the fields given (no source).
 */
export function buildInterfaceRequest(values, { forPatch = false } = {}) {
    const v = trimValues(values);
    const errors = {};
    const payload = {};
    if (!forPatch) {
        if (v.kind === 'user') {
            payload.user = true;
        } else if (v.kind === 'bridge') {
            const e = ifaceNameError(v.bridge, t('forms.what.host-bridge'));
            if (e) errors.bridge = e;
            payload.bridge = v.bridge;
        } else {
            if (!v.network) errors.network = t('devices.error.network-choose');
            payload.network = v.network;
        }
    }
    if (v.model !== undefined && v.model !== '') {
        if (!NIC_MODELS.includes(v.model)) errors.model = t('devices.error.model-choose');
        payload.model = v.model;
    }
    if (v.mac) {
        if (!isMac(v.mac)) errors.mac = t('devices.error.mac-format');
        payload.mac = v.mac.toLowerCase();
    }
    if (v.link) {
        if (v.link !== 'up' && v.link !== 'down') errors.link = t('devices.error.link-choose');
        payload.link = v.link;
    }
    const bw = {};
    checkRate('inbound', v.inbound, errors, bw);
    checkRate('outbound', v.outbound, errors, bw);
    if (Object.keys(bw).length) payload.bandwidth = bw;
    const vlan = parseIntField(v.vlan, { min: 1, max: 4094, what: t('forms.what.vlan-tag') });
    if (vlan.error) errors.vlan = vlan.error;
    else if (vlan.value !== null) payload.vlan = vlan.value;
    return { payload: hasErrors(errors) ? null : payload, errors };
}

/**
 * GET /api/domains/{uuid}/addresses -> Map mac (lower case) -> ["192.168.1.5/24", ...].
 */
export function addressesByMac(answer) {
    const out = new Map();
    for (const i of (answer && Array.isArray(answer.interfaces)) ? answer.interfaces : []) {
        if (!i || typeof i.mac !== 'string') continue;
        const list = (Array.isArray(i.addresses) ? i.addresses : [])
            .filter((a) => a && typeof a.address === 'string')
            .map((a) => (Number.isInteger(a.prefix) ? `${a.address}/${a.prefix}` : a.address));
        const key = i.mac.toLowerCase();
        out.set(key, [...(out.get(key) || []), ...list]);
    }
    return out;
}

/** The network or bridge an interface of the detail form is attached to. */
export function interfaceSource(nic) {
    if (!nic) return '';
    return nic.network || nic.bridge || nic.source || '';
}

/** An interface's kind ("network", "bridge", "user") in the current language; another kind as it came. */
export function interfaceTypeLabel(type) {
    if (type === 'network') return t('devices.nic.type.network');
    if (type === 'bridge') return t('devices.nic.type.bridge');
    if (type === 'user') return t('devices.nic.type.user');
    return type;
}

/**
 * The kind the attach form offers first: user-mode networking when the host has no
 * active virtual network (nets: GET /api/networks; null while unknown), else a network.
 */
export function defaultInterfaceKind(nets) {
    return Array.isArray(nets) && !nets.some((n) => n && n.active) ? 'user' : 'network';
}

/** "up" unless the detail form says the link is down. */
export function linkState(nic) {
    return nic && (nic.link === 'down' || nic.link_state === 'down') ? 'down' : 'up';
}

/** The entries of users (used_by) other than the VM uuid. */
export function otherUsers(users, uuid) {
    return (Array.isArray(users) ? users : []).filter((u) => u && u.uuid !== uuid);
}

/**
 * What attaching a volume to the VM uuid means, by the server's rule (virt_device.c
 * device_vol_unused: 409 when the volume is already a disk of this VM, in either copy)
 * and its users: {attached: refused, others: the other VMs that use it}. Attaching a
 * disk another VM uses is allowed but needs the user's explicit word (two guests
 * writing one disk corrupt it). volume: a GET .../volumes entry.
 */
export function volumeAttachRule(volume, uuid) {
    const users = Array.isArray(volume?.used_by) ? volume.used_by : [];
    return { attached: users.some((u) => u && u.uuid === uuid), others: otherUsers(users, uuid) };
}

/**
 * The pool whose directory holds path (the longest target_path that is a parent of
 * it), or null. pools: GET /api/pools entries; used to find a disk's volume.
 */
export function poolOfPath(pools, path) {
    if (typeof path !== 'string' || !path.startsWith('/')) return null;
    let best = null;
    for (const p of pools || []) {
        const dir = p && typeof p.target_path === 'string' ? p.target_path.replace(/\/+$/, '') : '';
        if (!dir || !path.startsWith(`${dir}/`)) continue;
        if (!best || dir.length > best.target_path.replace(/\/+$/, '').length) best = p;
    }
    return best;
}
