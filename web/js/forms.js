// forms.js — the rules shared by every create/edit form of networks, storage and VM
// devices, written to match the server's own checks so that most mistakes are caught
// before a request is sent: object names, sizes ("10G" -> bytes), DNS names, interface
// names, whole numbers in a range, and file name -> volume name. Pure (no DOM).
//
// Every validator returns "" when the value is fine, else a sentence for the user.

/** Pools and networks: [A-Za-z0-9][A-Za-z0-9_.-]{0,49} (server: virt_pool_name_valid). */
const OBJECT_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$/;
/** Volumes: [A-Za-z0-9_][A-Za-z0-9_.+-]{0,126}, not "." or ".." (virt_volume_name_valid). */
const VOLUME_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,126}$/;
export const VOLUME_NAME_MAX = 127;

export function objectNameError(name, what = 'name') {
    if (!name) return `Enter a ${what}.`;
    if (name.length > 50) return `The ${what} is longer than 50 characters.`;
    if (!OBJECT_NAME_RE.test(name)) {
        return `Use letters, digits, "_", "." and "-" only, starting with a letter or digit.`;
    }
    return '';
}

export function volumeNameError(name) {
    if (!name) return 'Enter a volume name.';
    if (name.length > VOLUME_NAME_MAX) return `The name is longer than ${VOLUME_NAME_MAX} characters.`;
    if (name === '.' || name === '..' || !VOLUME_NAME_RE.test(name)) {
        return 'Use letters, digits, "_", ".", "+" and "-" only, not starting with "." "+" or "-".';
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
export function sizeError(text, { min = 1, max = 2 ** 53, what = 'size' } = {}) {
    if (!String(text ?? '').trim()) return `Enter a ${what}.`;
    const b = parseSize(text);
    if (b === null) return `Enter a ${what} like 10G, 512M or 1.5T.`;
    if (b < min) return `The ${what} must be at least ${sizeInputText(min) || min} bytes.`;
    if (b > max) return `The ${what} is too large.`;
    return '';
}

/**
 * A whole number between min and max from a text field. Returns {value, error}; an
 * empty field gives {value: null, error: ""} unless required.
 */
export function parseIntField(text, { min, max, required = false, what = 'number' } = {}) {
    const t = String(text ?? '').trim();
    if (!t) return { value: null, error: required ? `Enter a ${what}.` : '' };
    if (!/^[0-9]+$/.test(t)) return { value: null, error: `The ${what} must be a whole number.` };
    const v = Number(t);
    if ((min !== undefined && v < min) || (max !== undefined && v > max)) {
        return { value: null, error: `The ${what} must be between ${min} and ${max}.` };
    }
    return { value: v, error: '' };
}

const LABEL_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A DNS name ("example.lan"): labels of letters, digits and "-", at most 253 characters. */
export function dnsNameError(text, what = 'DNS domain') {
    if (!text) return `Enter a ${what}.`;
    if (text.length > 253 || !text.split('.').every((l) => LABEL_RE.test(l))) {
        return `Enter a valid ${what} (letters, digits and "-", parts separated by ".").`;
    }
    return '';
}

/** A host name without dots (static DHCP hosts). */
export function hostNameError(text) {
    if (!text) return '';
    return LABEL_RE.test(text) ? '' : 'A host name has letters, digits and "-" only (at most 63).';
}

/** A host network interface name (bridges, forward devices), as the server accepts
 *  it: [A-Za-z0-9][A-Za-z0-9_.-]{0,14}. */
export function ifaceNameError(text, what = 'interface name') {
    if (!text) return `Enter the ${what}.`;
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(text)) {
        return `Enter a valid ${what} (at most 15 letters, digits, "_", "." or "-", starting with a letter or digit).`;
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
