// SPDX-License-Identifier: LGPL-2.1-or-later
// storage-rules.js — the storage forms' rules and request bodies: pool types with the
// fields each one has (POST /api/pools), volumes (POST .../volumes, resize, clone),
// the upload format for a file name, and a pool's usage as a fraction and text.
// Mirrors the server's checks. Pure (no DOM); messages and labels are translated when
// they are read.

import { objectNameError, volumeNameError, parseSize, sizeError, parseIntField, hasErrors, trimValues } from './forms.js';
import { parseIPv4, parseIPv6 } from './ipaddr.js';
import { formatBytes, DASH } from './format.js';
import { t, language } from './i18n.js';

/** A pool type: its rules, and its label (label()) read in the current language. */
function poolType(label, rules) {
    return Object.freeze({ ...rules, get label() { return label(); } });
}

/**
 * Pool types in menu order. fields: the type's own inputs, in form order; required:
 * those that must be filled. target: whether target_path is shown / required.
 */
export const POOL_TYPES = Object.freeze({
    dir: poolType(() => t('storage.type.dir'), { target: 'required', fields: [], required: [], build: 'mkdir' }),
    fs: poolType(() => t('storage.type.fs'), { target: 'required', fields: ['source_device', 'source_format'], required: ['source_device'], build: 'format' }),
    netfs: poolType(() => t('storage.type.netfs'), { target: 'required', fields: ['source_host', 'source_path', 'source_format'], required: ['source_host', 'source_path'], build: 'mkdir' }),
    logical: poolType(() => t('storage.type.logical'), { target: 'optional', fields: ['source_name', 'source_device'], required: ['source_name'], build: 'format' }),
    iscsi: poolType(() => t('storage.type.iscsi'), { target: 'optional', fields: ['source_host', 'source_port', 'source_iqn', 'initiator_iqn'], required: ['source_host', 'source_iqn'], build: false }),
    rbd: poolType(() => t('storage.type.rbd'), { target: 'none', fields: ['source_host', 'source_port', 'source_name', 'auth_username', 'auth_secret_uuid'], required: ['source_host', 'source_name'], build: false }),
});

/** A per-type field: texts() -> [label, hint] in the current language. */
function poolField(texts) {
    return Object.freeze({
        get label() { return texts()[0]; },
        get hint() { return texts()[1]; },
    });
}

/** Label and hint of every per-type field. */
export const POOL_FIELDS = Object.freeze({
    target_path: poolField(() => [t('storage.field.target_path'), t('storage.field.target_path.hint')]),
    source_device: poolField(() => [t('storage.field.source_device'), t('storage.field.source_device.hint')]),
    source_format: poolField(() => [t('storage.field.source_format'), t('storage.field.source_format.hint')]),
    source_host: poolField(() => [t('storage.field.source_host'), t('storage.field.source_host.hint')]),
    source_path: poolField(() => [t('storage.field.source_path'), t('storage.field.source_path.hint')]),
    source_name: poolField(() => [t('storage.field.source_name'), t('storage.field.source_name.hint')]),
    source_port: poolField(() => [t('storage.field.source_port'), t('storage.field.source_port.hint')]),
    source_iqn: poolField(() => [t('storage.field.source_iqn'), t('storage.field.source_iqn.hint')]),
    initiator_iqn: poolField(() => [t('storage.field.initiator_iqn'), t('storage.field.initiator_iqn.hint')]),
    auth_username: poolField(() => [t('storage.field.auth_username'), t('storage.field.auth_username.hint')]),
    auth_secret_uuid: poolField(() => [t('storage.field.auth_secret_uuid'), t('storage.field.auth_secret_uuid.hint')]),
});

/**
 * The create form's checkboxes for a pool type. Building a dir or netfs pool only makes
 * its directory, so it starts ticked; building fs or logical formats a device or makes
 * a volume group on it, erasing what is there, so it never starts ticked.
 */
export function poolFormDefaults(type) {
    return { build: POOL_TYPES[type]?.build === 'mkdir', start: true, autostart: true };
}

/** The build box's label for a pool type: what building does to it. */
export function poolBuildLabel(type) {
    return POOL_TYPES[type]?.build === 'format' ? t('storage.field.build.format') : t('storage.field.build.mkdir');
}

export const FS_FORMATS = ['auto', 'ext2', 'ext3', 'ext4', 'xfs', 'vfat', 'ufs', 'iso9660', 'udf', 'gfs', 'gfs2', 'hfs+', 'ocfs2', 'vmfs'];
export const NETFS_FORMATS = ['auto', 'nfs', 'cifs', 'glusterfs'];
export const VOLUME_FORMATS = ['qcow2', 'raw'];

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** The server's IQN rule: iqn./eui./naa. then A-Z a-z 0-9 . : _ - (at most 223). */
const IQN_RE = /^(iqn|eui|naa)\.[A-Za-z0-9.:_-]{1,219}$/;
/** One DNS label as the server accepts it: 1-63 of A-Z a-z 0-9 -, no '-' at either end. */
const LABEL_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const PATH_CHARS_RE = /^[A-Za-z0-9/._+@:,=~-]{1,1024}$/;

/**
 * An absolute, normalised path as the server accepts it: characters
 * A-Z a-z 0-9 / . _ + @ : , = ~ -, no "." or ".." part, no "//" or trailing "/".
 */
export function pathError(text, what = t('forms.what.path')) {
    if (!text) return t('forms.error.enter-the', { what });
    if (!text.startsWith('/')) return t('storage.error.path-absolute', { what });
    if (!PATH_CHARS_RE.test(text)) return t('storage.error.path-chars', { what });
    if (text.split('/').slice(1).some((p) => p === '' || p === '.' || p === '..')) {
        return t('storage.error.path-parts', { what });
    }
    return '';
}

/**
 * The server's source host rule: an IPv4 or IPv6 literal, or a DNS name of at most 253
 * characters whose dot-separated labels LABEL_RE accepts ("nas.example..com" is not one).
 */
export function hostError(text) {
    if (!text) return t('storage.error.server-empty');
    if (parseIPv4(text) !== null || parseIPv6(text) !== null) return '';
    if (text.length <= 253 && text.split('.').every((l) => LABEL_RE.test(l))) return '';
    return t('storage.error.server-format');
}

function fieldError(type, key, text) {
    switch (key) {
    case 'source_device': {
        const e = pathError(text, t('forms.what.device-path'));
        return e || (text.startsWith('/dev/') ? '' : t('storage.error.device-under-dev'));
    }
    case 'source_path': return pathError(text, t('forms.what.exported-path'));
    case 'source_host': return hostError(text);
    case 'source_port': return parseIntField(text, { min: 1, max: 65535, what: t('forms.what.port') }).error;
    case 'source_format': {
        const list = type === 'netfs' ? NETFS_FORMATS : FS_FORMATS;
        return !text || list.includes(text) ? ''
            : t('storage.error.format-choose', { formats: new Intl.ListFormat(language(), { type: 'disjunction' }).format(list) });
    }
    case 'source_name':
        if (!text) return t('storage.error.source-name-empty');
        return /^[A-Za-z0-9_.+][A-Za-z0-9_.+-]{0,126}$/.test(text) && text !== '.' && text !== '..'
            ? '' : t('storage.error.source-name-chars');
    case 'source_iqn':
    case 'initiator_iqn':
        if (!text) return key === 'source_iqn' ? t('storage.error.iqn-empty') : '';
        return IQN_RE.test(text) ? '' : t('storage.error.iqn-format');
    case 'auth_username':
        return !text || /^[A-Za-z0-9_.@][A-Za-z0-9_.@-]{0,63}$/.test(text) ? '' : t('storage.error.ceph-user-chars');
    case 'auth_secret_uuid':
        return !text || UUID_RE.test(text) ? '' : t('storage.error.uuid-format');
    default:
        return '';
    }
}

/**
 * Form values -> {payload, errors} for POST /api/pools. Only the chosen type's fields
 * are read; errors are keyed by field name; payload is null while any error exists.
 */
export function buildPoolRequest(values) {
    const v = trimValues(values);
    const errors = {};
    const payload = { name: v.name, type: v.type };
    const nameErr = objectNameError(v.name, t('forms.what.pool-name'));
    if (nameErr) errors.name = nameErr;
    const type = POOL_TYPES[v.type];
    if (!type) {
        errors.type = t('storage.error.type-choose');
        return { payload: null, errors };
    }
    if (type.target !== 'none' && (type.target === 'required' || v.target_path)) {
        const e = pathError(v.target_path, t('forms.what.target-path'));
        if (e) errors.target_path = e;
        payload.target_path = v.target_path;
    }
    for (const key of type.fields) {
        const text = v[key] || '';
        if (!text && !type.required.includes(key)) continue;
        const e = fieldError(v.type, key, text);
        if (e) errors[key] = e;
        else if (key === 'source_port') payload[key] = Number(text);
        else if (!(key === 'source_format' && text === 'auto')) payload[key] = text;
    }
    if (v.type === 'rbd' && v.auth_secret_uuid && !v.auth_username) {
        errors.auth_username = t('storage.error.secret-needs-user');
    }
    if (v.type === 'rbd' && v.auth_username && !v.auth_secret_uuid) {
        errors.auth_secret_uuid = t('storage.error.user-needs-secret');
    }
    if (type.build) payload.build = !!v.build;
    payload.start = v.start !== false;
    payload.autostart = !!v.autostart;
    return { payload: hasErrors(errors) ? null : payload, errors };
}

/**
 * {name, capacity (text), format, backing (volume name or "")} -> {payload, errors}
 * for POST /api/pools/{pool}/volumes. available: the pool's free bytes, if known.
 */
export function buildVolumeRequest(values, { available = null } = {}) {
    const v = trimValues(values);
    const errors = {};
    const nameErr = volumeNameError(v.name);
    if (nameErr) errors.name = nameErr;
    const sizeErr = sizeError(v.capacity, { what: t('forms.what.capacity') });
    if (sizeErr) errors.capacity = sizeErr;
    const capacity = sizeErr ? null : parseSize(v.capacity);
    if (!VOLUME_FORMATS.includes(v.format)) errors.format = t('storage.error.volume-format-choose');
    if (v.backing && v.format !== 'qcow2') errors.backing = t('storage.error.backing-qcow2');
    if (capacity !== null && v.format === 'raw' && Number.isFinite(available) && capacity > available) {
        errors.capacity = t('storage.error.raw-too-large', { free: formatBytes(available) });
    }
    const payload = { name: v.name, capacity_bytes: capacity, format: v.format };
    if (v.backing) payload.backing = { volume: v.backing };
    return { payload: hasErrors(errors) ? null : payload, errors };
}

/** New size text -> {payload, errors} for .../resize; shrinking needs shrink: true. */
export function buildResizeRequest(text, current, { shrink = false } = {}) {
    const errors = {};
    const e = sizeError(text, { what: t('forms.what.new-size') });
    if (e) errors.capacity = e;
    const bytes = e ? null : parseSize(text);
    if (bytes !== null && Number.isFinite(current) && bytes < current && !shrink) {
        errors.capacity = t('storage.error.resize-smaller', { current: formatBytes(current) });
    }
    if (bytes !== null && bytes === current) errors.capacity = t('storage.error.resize-same');
    const payload = { capacity_bytes: bytes };
    if (shrink && bytes !== null && bytes < current) payload.shrink = true;
    return { payload: hasErrors(errors) ? null : payload, errors };
}

/** The ?format= of an upload that creates a new volume, from the file name. */
export function uploadFormatFor(fileName) {
    const n = String(fileName || '').toLowerCase();
    if (n.endsWith('.iso')) return 'iso';
    if (n.endsWith('.qcow2')) return 'qcow2';
    return 'raw';
}

/**
 * True when a pool's figures cannot all be true: allocation or available space above
 * the capacity, or the two together above it (libvirt's test driver reports such
 * pools; an unsigned wrap-around in a driver gives "16384 PiB free"). Missing figures
 * are not judged.
 */
export function poolFiguresInconsistent(pool) {
    const cap = pool?.capacity_bytes;
    const alloc = pool?.allocation_bytes;
    const avail = pool?.available_bytes;
    if (!Number.isFinite(cap)) return false;
    if (Number.isFinite(alloc) && alloc > cap) return true;
    if (Number.isFinite(avail) && avail > cap) return true;
    return Number.isFinite(alloc) && Number.isFinite(avail) && alloc + avail > cap;
}

/**
 * A pool's usage: {fraction (0..1 or null), text, free, inconsistent}. Figures that
 * contradict each other are shown as libvirt gave them, flagged, with no bar.
 */
export function poolUsage(pool) {
    const cap = pool && pool.capacity_bytes;
    const alloc = pool && pool.allocation_bytes;
    const avail = pool && pool.available_bytes;
    if (!Number.isFinite(cap) || cap <= 0 || !Number.isFinite(alloc)) {
        return { fraction: null, text: t('storage.usage.unknown'), free: '', inconsistent: false };
    }
    if (poolFiguresInconsistent(pool)) {
        return {
            fraction: null, free: '', inconsistent: true,
            text: t('storage.usage.inconsistent', {
                capacity: formatBytes(cap), allocation: formatBytes(alloc),
                available: Number.isFinite(avail) ? formatBytes(avail) : DASH,
            }),
        };
    }
    const fraction = Math.min(1, Math.max(0, alloc / cap));
    return {
        fraction, inconsistent: false,
        text: t('storage.usage.used', { used: formatBytes(alloc), capacity: formatBytes(cap), percent: wholePercent(fraction) }),
        free: Number.isFinite(avail) ? t('storage.usage.free', { free: formatBytes(avail) }) : '',
    };
}

/** 0.25 -> "25%" in the current locale (whole percent, rounded). */
export function wholePercent(fraction) {
    return new Intl.NumberFormat(language(), { style: 'percent', maximumFractionDigits: 0 }).format(fraction);
}

/** ISO volumes of a volume list (by format or by name), for the CD-ROM choosers. */
export function isoVolumes(volumes) {
    return (volumes || []).filter((v) => v && (v.format === 'iso' || /\.iso$/i.test(v.name || '')));
}

/** The users the server counts as running (its `active`: running or paused). */
function runningUsers(users) {
    return (Array.isArray(users) ? users : []).filter((u) => u && u.active === true);
}

/**
 * The server's rules for a volume (server/virt/virt_volume.c volume_unused): delete is
 * refused (409) while ANY domain, running or not, uses it; wipe while a running (or
 * paused) domain does. Returns the domains that make the server refuse action
 * ('delete' | 'wipe'); empty when it will not refuse. usedBy: the volume's used_by.
 */
export function volumeBlockers(action, usedBy) {
    if (action === 'delete') return (Array.isArray(usedBy) ? usedBy : []).filter(Boolean);
    if (action === 'wipe') return runningUsers(usedBy);
    return [];
}

/**
 * The server's rule for stopping or deleting (undefining) a pool (virt_pool.c
 * pool_unused): refused (409) while a running (or paused) domain has a disk in it.
 * Returns those domains; empty when it will not refuse. usedBy: the pool's used_by.
 */
export function poolBlockers(usedBy) {
    return runningUsers(usedBy);
}
