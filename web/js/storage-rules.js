// storage-rules.js — the storage forms' rules and request bodies: pool types with the
// fields each one has (POST /api/pools), volumes (POST .../volumes, resize, clone),
// the upload format for a file name, and a pool's usage as a fraction and text.
// Mirrors the server's checks. Pure (no DOM).

import { objectNameError, volumeNameError, parseSize, sizeError, parseIntField, hasErrors, trimValues } from './forms.js';
import { parseIPv4, parseIPv6 } from './ipaddr.js';
import { formatBytes } from './format.js';

/**
 * Pool types in menu order. fields: the type's own inputs, in form order; required:
 * those that must be filled. target: whether target_path is shown / required.
 */
export const POOL_TYPES = {
    dir: { label: 'Directory', target: 'required', fields: [], required: [], build: true },
    fs: { label: 'Block device (file system)', target: 'required', fields: ['source_device', 'source_format'], required: ['source_device'], build: true },
    netfs: { label: 'Network file system', target: 'required', fields: ['source_host', 'source_path', 'source_format'], required: ['source_host', 'source_path'], build: true },
    logical: { label: 'LVM volume group', target: 'optional', fields: ['source_name', 'source_device'], required: ['source_name'], build: true },
    iscsi: { label: 'iSCSI target', target: 'optional', fields: ['source_host', 'source_port', 'source_iqn', 'initiator_iqn'], required: ['source_host', 'source_iqn'], build: false },
    rbd: { label: 'Ceph RBD', target: 'none', fields: ['source_host', 'source_port', 'source_name', 'auth_username', 'auth_secret_uuid'], required: ['source_host', 'source_name'], build: false },
};

/** Label and hint of every per-type field. */
export const POOL_FIELDS = {
    target_path: { label: 'Target path', hint: 'Where the volumes appear on the host, e.g. /var/lib/libvirt/images/pool1' },
    source_device: { label: 'Source device', hint: 'A block device, e.g. /dev/sdb1' },
    source_format: { label: 'File system', hint: 'e.g. ext4, xfs, nfs; leave empty to detect' },
    source_host: { label: 'Server', hint: 'Host name or IP address' },
    source_path: { label: 'Exported path', hint: 'e.g. /srv/nfs/images' },
    source_name: { label: 'Source name', hint: 'Volume group (LVM) or Ceph pool name' },
    source_port: { label: 'Port', hint: 'Leave empty for the default' },
    source_iqn: { label: 'Target IQN', hint: 'e.g. iqn.2024-01.com.example:storage' },
    initiator_iqn: { label: 'Initiator IQN', hint: 'Optional' },
    auth_username: { label: 'Ceph user', hint: 'Optional, e.g. libvirt' },
    auth_secret_uuid: { label: 'Secret UUID', hint: 'The libvirt secret holding the Ceph key' },
};

export const FS_FORMATS = ['auto', 'ext2', 'ext3', 'ext4', 'xfs', 'vfat', 'ufs', 'iso9660', 'udf', 'gfs', 'gfs2', 'hfs+', 'ocfs2', 'vmfs'];
export const NETFS_FORMATS = ['auto', 'nfs', 'cifs', 'glusterfs'];
export const VOLUME_FORMATS = ['qcow2', 'raw'];

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** The server's IQN rule: iqn./eui./naa. then A-Z a-z 0-9 . : _ - (at most 223). */
const IQN_RE = /^(iqn|eui|naa)\.[A-Za-z0-9.:_-]{1,219}$/;
const HOST_RE = /^[A-Za-z0-9:][A-Za-z0-9.:-]{0,252}$/;
const PATH_CHARS_RE = /^[A-Za-z0-9/._+@:,=~-]{1,1024}$/;

/**
 * An absolute, normalised path as the server accepts it: characters
 * A-Z a-z 0-9 / . _ + @ : , = ~ -, no "." or ".." part, no "//" or trailing "/".
 */
export function pathError(text, what = 'path') {
    if (!text) return `Enter the ${what}.`;
    if (!text.startsWith('/')) return `The ${what} must start with "/".`;
    if (!PATH_CHARS_RE.test(text)) return `The ${what} may only have letters, digits and / . _ + @ : , = ~ -.`;
    if (text.split('/').slice(1).some((p) => p === '' || p === '.' || p === '..')) {
        return `The ${what} may not contain "." or ".." parts, "//" or a trailing "/".`;
    }
    return '';
}

function hostError(text) {
    if (!text) return 'Enter the server.';
    if (HOST_RE.test(text) || parseIPv4(text) !== null || parseIPv6(text) !== null) return '';
    return 'Enter a host name or an IP address.';
}

function fieldError(type, key, text) {
    switch (key) {
    case 'source_device': {
        const e = pathError(text, 'device path');
        return e || (text.startsWith('/dev/') ? '' : 'The device must be under /dev/.');
    }
    case 'source_path': return pathError(text, 'exported path');
    case 'source_host': return hostError(text);
    case 'source_port': return parseIntField(text, { min: 1, max: 65535, what: 'port' }).error;
    case 'source_format': {
        const list = type === 'netfs' ? NETFS_FORMATS : FS_FORMATS;
        return !text || list.includes(text) ? '' : `Choose one of ${list.join(', ')}.`;
    }
    case 'source_name':
        if (!text) return 'Enter the name.';
        return /^[A-Za-z0-9_.+][A-Za-z0-9_.+-]{0,126}$/.test(text) && text !== '.' && text !== '..'
            ? '' : 'Use up to 127 letters, digits and "_.+-", not starting with "-".';
    case 'source_iqn':
    case 'initiator_iqn':
        if (!text) return key === 'source_iqn' ? 'Enter the target IQN.' : '';
        return IQN_RE.test(text) ? '' : 'Enter an IQN like iqn.2024-01.com.example:disk1.';
    case 'auth_username':
        return !text || /^[A-Za-z0-9_.@][A-Za-z0-9_.@-]{0,63}$/.test(text) ? '' : 'Use letters, digits and "_.@-" only.';
    case 'auth_secret_uuid':
        return !text || UUID_RE.test(text) ? '' : 'Enter a UUID like 2f3b...-...';
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
    const nameErr = objectNameError(v.name, 'pool name');
    if (nameErr) errors.name = nameErr;
    const t = POOL_TYPES[v.type];
    if (!t) {
        errors.type = 'Choose a pool type.';
        return { payload: null, errors };
    }
    if (t.target !== 'none' && (t.target === 'required' || v.target_path)) {
        const e = pathError(v.target_path, 'target path');
        if (e) errors.target_path = e;
        payload.target_path = v.target_path;
    }
    for (const key of t.fields) {
        const text = v[key] || '';
        if (!text && !t.required.includes(key)) continue;
        const e = fieldError(v.type, key, text);
        if (e) errors[key] = e;
        else if (key === 'source_port') payload[key] = Number(text);
        else if (!(key === 'source_format' && text === 'auto')) payload[key] = text;
    }
    if (v.type === 'rbd' && v.auth_secret_uuid && !v.auth_username) {
        errors.auth_username = 'A secret needs the Ceph user it belongs to.';
    }
    if (v.type === 'rbd' && v.auth_username && !v.auth_secret_uuid) {
        errors.auth_secret_uuid = 'Enter the UUID of the secret with this user\u2019s key.';
    }
    if (t.build) payload.build = !!v.build;
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
    const sizeErr = sizeError(v.capacity, { what: 'capacity' });
    if (sizeErr) errors.capacity = sizeErr;
    const capacity = sizeErr ? null : parseSize(v.capacity);
    if (!VOLUME_FORMATS.includes(v.format)) errors.format = 'Choose qcow2 or raw.';
    if (v.backing && v.format !== 'qcow2') errors.backing = 'Only qcow2 volumes can have a backing volume.';
    if (capacity !== null && v.format === 'raw' && Number.isFinite(available) && capacity > available) {
        errors.capacity = `A raw volume takes its whole size; the pool has ${formatBytes(available)} free.`;
    }
    const payload = { name: v.name, capacity_bytes: capacity, format: v.format };
    if (v.backing) payload.backing = { volume: v.backing };
    return { payload: hasErrors(errors) ? null : payload, errors };
}

/** New size text -> {payload, errors} for .../resize; shrinking needs shrink: true. */
export function buildResizeRequest(text, current, { shrink = false } = {}) {
    const errors = {};
    const e = sizeError(text, { what: 'new size' });
    if (e) errors.capacity = e;
    const bytes = e ? null : parseSize(text);
    if (bytes !== null && Number.isFinite(current) && bytes < current && !shrink) {
        errors.capacity = `That is smaller than now (${formatBytes(current)}); tick "Allow shrinking" if you mean it.`;
    }
    if (bytes !== null && bytes === current) errors.capacity = 'That is the current size.';
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

/** A pool's usage: {fraction (0..1 or null), text, free}. */
export function poolUsage(pool) {
    const cap = pool && pool.capacity_bytes;
    const alloc = pool && pool.allocation_bytes;
    const avail = pool && pool.available_bytes;
    if (!Number.isFinite(cap) || cap <= 0 || !Number.isFinite(alloc)) {
        return { fraction: null, text: 'Unknown (pool not running)', free: '' };
    }
    const fraction = Math.min(1, Math.max(0, alloc / cap));
    return {
        fraction,
        text: `${formatBytes(alloc)} of ${formatBytes(cap)} used (${Math.round(fraction * 100)}%)`,
        free: Number.isFinite(avail) ? `${formatBytes(avail)} free` : '',
    };
}

/** ISO volumes of a volume list (by format or by name), for the CD-ROM choosers. */
export function isoVolumes(volumes) {
    return (volumes || []).filter((v) => v && (v.format === 'iso' || /\.iso$/i.test(v.name || '')));
}
