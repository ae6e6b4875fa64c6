// forms.js — the rules shared by every create/edit form of networks, storage and VM
// devices, written to match the server's own checks so that most mistakes are caught
// before a request is sent: object names, sizes ("10G" -> bytes), DNS names, interface
// names, whole numbers in a range, and file name -> volume name. Pure (no DOM).
//
// Every validator returns "" when the value is fine, else a sentence for the user in
// the current language (t() runs when the value is checked, never at import). A `what`
// parameter is a noun already in the UI language (the callers pass t('forms.what.…')).

import { t } from './i18n.js';

/** Pools and networks: [A-Za-z0-9][A-Za-z0-9_.-]{0,49} (server: virt_pool_name_valid). */
const OBJECT_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$/;
/** Volumes: [A-Za-z0-9_][A-Za-z0-9_.+-]{0,126}, not "." or ".." (virt_volume_name_valid). */
const VOLUME_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,126}$/;
export const VOLUME_NAME_MAX = 127;

export function objectNameError(name, what = t('forms.what.name')) {
    if (!name) return t('forms.error.enter', { what });
    if (name.length > 50) return t('forms.error.too-long', { what, max: 50 });
    if (!OBJECT_NAME_RE.test(name)) return t('forms.error.object-name-chars');
    return '';
}

export function volumeNameError(name) {
    if (!name) return t('forms.error.volume-name-empty');
    if (name.length > VOLUME_NAME_MAX) return t('forms.error.volume-name-too-long', { max: VOLUME_NAME_MAX });
    if (name === '.' || name === '..' || !VOLUME_NAME_RE.test(name)) {
        return t('forms.error.volume-name-chars');
    }
    return '';
}

/**
 * A file name turned into a valid volume name: characters outside [A-Za-z0-9_.+-]
 * become "_", leading "." "+" "-" are dropped, at most 127 characters (keeping the
 * extension when it has to cut). "" or nothing usable -> "upload".
 */
export function sanitizeVolumeName(fileName) {
    let base = String(fileName ?? '').split(/[\\/]/).pop().normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[^A-Za-z0-9_.+-]+/g, '_')
        .replace(/^[.+-]+/, '');
    if (base.length > VOLUME_NAME_MAX) {
        const dot = base.lastIndexOf('.');
        const ext = dot > 0 && base.length - dot <= 10 ? base.slice(dot) : '';
        base = base.slice(0, VOLUME_NAME_MAX - ext.length) + ext;
    }
    if (!base || base === '_' || volumeNameError(base)) return 'upload';
    return base;
}

const SIZE_RE = /^([0-9]+(?:\.[0-9]+)?)\s*([KMGTP]?)(i?B)?$/i;
const SIZE_POW = { '': 0, K: 1, M: 2, G: 3, T: 4, P: 5 };

/**
 * "10G", "10 GiB", "1.5T", "512M", "4096" -> bytes (binary units: K = 1024; "B" and a
 * missing unit mean bytes unless defaultUnit is given, e.g. "G"). Returns null for
 * text that is not a size, a fraction of a byte, or more than 2^53 bytes.
 */
export function parseSize(text, defaultUnit = '') {
    const m = SIZE_RE.exec(String(text ?? '').trim());
    if (!m) return null;
    let unit = m[2].toUpperCase();
    if (!unit && !m[3]) unit = defaultUnit.toUpperCase();
    const bytes = Number(m[1]) * 1024 ** SIZE_POW[unit];
    if (!Number.isFinite(bytes) || !Number.isSafeInteger(Math.round(bytes))) return null;
    if (Math.abs(bytes - Math.round(bytes)) > 1e-6) return null;
    return Math.round(bytes);
}

/** Bytes -> the shortest exact size text parseSize reads back ("10G", "1536M", "7"). */
export function sizeInputText(bytes) {
    if (!Number.isSafeInteger(bytes) || bytes < 0) return '';
    const units = ['P', 'T', 'G', 'M', 'K'];
    for (const u of units) {
        const d = 1024 ** SIZE_POW[u];
        if (bytes >= d && bytes % d === 0) return `${bytes / d}${u}`;
    }
    return String(bytes);
}

/** A size field: "" or a message; min/max in bytes. */
export function sizeError(text, { min = 1, max = 2 ** 53, what = t('forms.what.size') } = {}) {
    if (!String(text ?? '').trim()) return t('forms.error.enter', { what });
    const b = parseSize(text);
    if (b === null) return t('forms.error.size-format', { what });
    if (b < min) return t('forms.error.size-min', { what, min: sizeInputText(min) || String(min) });
    if (b > max) return t('forms.error.size-max', { what });
    return '';
}

/**
 * A whole number between min and max from a text field. Returns {value, error}; an
 * empty field gives {value: null, error: ""} unless required.
 */
export function parseIntField(text, { min, max, required = false, what = t('forms.what.number') } = {}) {
    const s = String(text ?? '').trim();
    if (!s) return { value: null, error: required ? t('forms.error.enter', { what }) : '' };
    if (!/^[0-9]+$/.test(s)) return { value: null, error: t('forms.error.whole-number', { what }) };
    const v = Number(s);
    if ((min !== undefined && v < min) || (max !== undefined && v > max)) {
        // Limits as plain digits: ports, MTUs and VLAN tags read without grouping.
        return { value: null, error: t('forms.error.between', { what, min: String(min), max: String(max) }) };
    }
    return { value: v, error: '' };
}

const LABEL_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A DNS name ("example.lan"): labels of letters, digits and "-", at most 253 characters. */
export function dnsNameError(text, what = t('forms.what.dns-domain')) {
    if (!text) return t('forms.error.enter', { what });
    if (text.length > 253 || !text.split('.').every((l) => LABEL_RE.test(l))) {
        return t('forms.error.dns-name', { what });
    }
    return '';
}

/** A host name without dots (static DHCP hosts). */
export function hostNameError(text) {
    if (!text) return '';
    return LABEL_RE.test(text) ? '' : t('forms.error.host-name');
}

/** A host network interface name (bridges, forward devices), as the server accepts
 *  it: [A-Za-z0-9][A-Za-z0-9_.-]{0,14}. */
export function ifaceNameError(text, what = t('forms.what.interface-name')) {
    if (!text) return t('forms.error.enter-the', { what });
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(text)) {
        return t('forms.error.iface-name', { what });
    }
    return '';
}

/** True when an errors object holds at least one message. */
export function hasErrors(errors) {
    return Object.values(errors).some(Boolean);
}

/** Trims every string value of a plain object (form values). */
export function trimValues(values) {
    const out = {};
    for (const [k, v] of Object.entries(values || {})) out[k] = typeof v === 'string' ? v.trim() : v;
    return out;
}
