// SPDX-License-Identifier: LGPL-2.1-or-later
// forms.js — the rules shared by every create/edit form of networks, storage and VM
// devices, written to match the server's own checks so that most mistakes are caught
// before a request is sent: object names, names in any script (volumes, VM titles and
// descriptions), sizes ("10G" -> bytes, and the server's size limits said back in the
// unit the user typed), DNS names, interface names, whole numbers in a range, and file
// name -> volume name. Pure (no DOM).
//
// Every validator returns "" when the value is fine, else a sentence for the user in
// the current language (t() runs when the value is checked, never at import). A `what`
// parameter is a noun already in the UI language (the callers pass t('forms.what.…')).

import { t } from './i18n.js';
import { formatBytes, formatNumber } from './format.js';

/** Pools and networks: [A-Za-z0-9][A-Za-z0-9_.-]{0,49} (server: virt_pool_name_valid). */
const OBJECT_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$/;
/** Volumes: at most 255 bytes of UTF-8 (the server's util/utf8_name.h; see nameFault). */
export const VOLUME_NAME_MAX = 255;
/** The byte bounds of the server's name rule, per kind. */
export const NAME_MAX_BYTES = Object.freeze({ file: VOLUME_NAME_MAX, title: 1024, description: 4096 });

const utf8 = new TextEncoder();

/** The length of text in UTF-8 bytes: what the server's bounds count. */
export function utf8Length(text) {
    return utf8.encode(String(text ?? '')).length;
}

// C0 (NUL included), DEL, C1; a lone surrogate (not Unicode: no UTF-8 for it); the two
// non-characters XML cannot hold.
const isControl = (c) => c < 0x20 || (c >= 0x7f && c <= 0x9f);
const isLoneSurrogate = (ch) => ch.length === 1 && ch.charCodeAt(0) >= 0xd800 && ch.charCodeAt(0) <= 0xdfff;
const isNonChar = (c) => c === 0xfffe || c === 0xffff;

/**
 * Why text breaks the server's name rule for kind ("file": a volume name; "title";
 * "description"): "" when it is fine, else the first of "empty", "too_long" (bytes),
 * "not_utf8" (a lone surrogate), "control" (a description may have line breaks and
 * tabs), "nonchar" (U+FFFE, U+FFFF), "slash", "dots" ("." or ".."), "dash" ("-" first),
 * "space" (white space first or last, as trim() sees it) — the server's order. The last
 * four are for file names only. Nothing is normalised: the name is kept as typed.
 */
export function nameFault(text, kind = 'file') {
    const s = String(text ?? '');
    const file = kind === 'file';
    const found = new Set();
    if (!s) return file ? 'empty' : '';
    if (utf8Length(s) > NAME_MAX_BYTES[kind]) return 'too_long';
    for (const ch of s) {
        const c = ch.codePointAt(0);
        if (isLoneSurrogate(ch)) found.add('not_utf8');
        else if (isControl(c) && !(kind === 'description' && (ch === '\n' || ch === '\t'))) found.add('control');
        else if (isNonChar(c)) found.add('nonchar');
        else if (file && ch === '/') found.add('slash');
    }
    if (file) {
        if (s === '.' || s === '..') found.add('dots');
        if (s.startsWith('-')) found.add('dash');
        if (s !== s.trim()) found.add('space');
    }
    return ['not_utf8', 'control', 'nonchar', 'slash', 'dots', 'dash', 'space'].find((f) => found.has(f)) || '';
}

export function objectNameError(name, what = t('forms.what.name')) {
    if (!name) return t('forms.error.enter', { what });
    if (name.length > 50) return t('forms.error.too-long', { what, max: 50 });
    if (!OBJECT_NAME_RE.test(name)) return t('forms.error.object-name-chars');
    return '';
}

export function volumeNameError(name) {
    const fault = nameFault(name, 'file');
    if (fault === 'empty') return t('forms.error.volume-name-empty');
    if (fault === 'too_long') return t('forms.error.volume-name-too-long', { max: VOLUME_NAME_MAX });
    return fault ? VOLUME_NAME_FAULTS[fault]() : '';
}

// The sentence for each fault nameFault finds in a volume name (beyond the two above).
const VOLUME_NAME_FAULTS = {
    not_utf8: () => t('names.volume_name.not_utf8'),
    control: () => t('names.volume_name.control'),
    nonchar: () => t('names.volume_name.nonchar'),
    slash: () => t('names.volume_name.slash'),
    dots: () => t('names.volume_name.dots'),
    dash: () => t('names.volume_name.dash'),
    space: () => t('names.volume_name.space'),
};

// Whole characters as the reader sees them (a letter with its accents, an emoji with its
// modifiers), where the browser can tell; else code points.
const graphemes = typeof Intl.Segmenter === 'function'
    ? (s) => Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s), (g) => g.segment)
    : (s) => Array.from(s);

/** The longest run of whole characters from the start of s that fits max UTF-8 bytes. */
function cutToBytes(s, max) {
    let out = '';
    let bytes = 0;
    for (const g of graphemes(s)) {
        bytes += utf8Length(g);
        if (bytes > max) break;
        out += g;
    }
    return out;
}

/**
 * A file name turned into a volume name the server takes, keeping the name the user
 * chose (any script, spaces inside, no normalisation): its last path part; control
 * characters, U+FFFE/U+FFFF and lone surrogates become "_"; white space at the ends and
 * leading "-" go; at most 255 UTF-8 bytes, cut between whole characters and keeping the
 * extension. Nothing usable, "." or ".." -> "upload".
 */
export function sanitizeVolumeName(fileName) {
    let base = Array.from(String(fileName ?? '').split(/[\\/]/).pop(), (ch) => {
        const c = ch.codePointAt(0);
        return isControl(c) || isNonChar(c) || isLoneSurrogate(ch) ? '_' : ch;
    }).join('').trim().replace(/^-+/, '').trim();
    if (utf8Length(base) > VOLUME_NAME_MAX) {
        const dot = base.lastIndexOf('.');
        const ext = dot > 0 && utf8Length(base.slice(dot)) <= 32 ? base.slice(dot) : '';
        base = cutToBytes(base.slice(0, base.length - ext.length), VOLUME_NAME_MAX - utf8Length(ext)).trimEnd() + ext;
    }
    return nameFault(base, 'file') ? 'upload' : base;
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

const SIZE_UNIT_NAMES = { '': 'B', K: 'KiB', M: 'MiB', G: 'GiB', T: 'TiB', P: 'PiB' };

/** The unit the user typed in a size text: "20 TiB" -> "T", "10g" -> "G", "4096" -> "" (bytes); null when not a size. */
export function sizeUnitOf(text, defaultUnit = '') {
    const m = SIZE_RE.exec(String(text ?? '').trim());
    if (!m) return null;
    const unit = m[2].toUpperCase();
    return !unit && !m[3] ? defaultUnit.toUpperCase() : unit;
}

/**
 * bytes in unit ("T" -> "16 TiB", the locale's number); a size that unit cannot show
 * exactly in 2 decimals (16 TiB in PiB, 1 byte in GiB) is shown in the unit that fits.
 */
export function formatSizeIn(bytes, unit) {
    if (!Number.isFinite(bytes) || !Object.hasOwn(SIZE_POW, unit)) return formatBytes(bytes);
    const n = bytes / 1024 ** SIZE_POW[unit];
    if (Math.abs(Math.round(n * 100) - n * 100) > 1e-9) return formatBytes(bytes);
    return `${formatNumber(n, 2)} ${SIZE_UNIT_NAMES[unit]}`;
}

/**
 * The server refused a size typed as text (err.min / err.max in bytes: its range, see
 * docs/api.md): "The size must be at most 16 TiB." in the unit the user typed. ""
 * when err has no range or the text is not a size (show the generic field text then).
 */
export function sizeRangeText(err, text) {
    const unit = sizeUnitOf(text);
    const bytes = parseSize(text);
    if (unit === null || bytes === null || !err) return '';
    if (Number.isFinite(err.max) && bytes > err.max) return t('storage.error.size-at-most', { size: formatSizeIn(err.max, unit) });
    if (Number.isFinite(err.min) && bytes < err.min) return t('storage.error.size-at-least', { size: formatSizeIn(err.min, unit) });
    return '';
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
