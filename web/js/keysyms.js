// SPDX-License-Identifier: LGPL-2.1-or-later
// keysyms.js — the key events the VNC console sends for its key-combination menu and
// for "Type text": X11 keysyms plus the physical key (a KeyboardEvent.code, which noVNC
// turns into a scancode when the server takes QEMU's extended key events). Typed text
// assumes a US keyboard layout in the guest (what QEMU's VNC server and most guests
// use by default): characters that need Shift there are sent with Shift held. The
// menu's labels come from the catalogue when read (key names can differ by language).
// Pure.

import { t } from './i18n.js';

/** X11 keysyms of the non-character keys used here. */
export const KEYSYM = {
    BackSpace: 0xff08,
    Tab: 0xff09,
    Return: 0xff0d,
    Escape: 0xff1b,
    Print: 0xff61,
    Delete: 0xffff,
    Home: 0xff50,
    F1: 0xffbe,
    Shift_L: 0xffe1,
    Control_L: 0xffe3,
    Control_R: 0xffe4,
    Alt_L: 0xffe9,
    Super_L: 0xffeb,
};

/** F1..F12 keysyms are consecutive. */
export function functionKey(n) {
    if (!Number.isInteger(n) || n < 1 || n > 12) throw new RangeError(`no key F${n}`);
    return { keysym: KEYSYM.F1 + n - 1, code: `F${n}` };
}

const CTRL = { keysym: KEYSYM.Control_L, code: 'ControlLeft' };
const ALT = { keysym: KEYSYM.Alt_L, code: 'AltLeft' };
const SHIFT = { keysym: KEYSYM.Shift_L, code: 'ShiftLeft' };

/**
 * The key-combination menu, in order. keys are pressed in order and released in
 * reverse. ctrlAltDel marks the one noVNC sends with its own sendCtrlAltDel().
 */
export const KEY_COMBOS = [
    { id: 'ctrl-alt-del', get label() { return t('domains.keys.ctrl-alt-del'); }, ctrlAltDel: true,
        keys: [CTRL, ALT, { keysym: KEYSYM.Delete, code: 'Delete' }] },
    { id: 'ctrl-alt-backspace', get label() { return t('domains.keys.ctrl-alt-backspace'); },
        keys: [CTRL, ALT, { keysym: KEYSYM.BackSpace, code: 'Backspace' }] },
    ...[1, 2, 3, 4, 5, 6, 7].map((n) => ({
        id: `ctrl-alt-f${n}`, get label() { return t('domains.keys.ctrl-alt-fn', { n: String(n) }); },
        keys: [CTRL, ALT, functionKey(n)],
    })),
    { id: 'alt-tab', get label() { return t('domains.keys.alt-tab'); }, keys: [ALT, { keysym: KEYSYM.Tab, code: 'Tab' }] },
    { id: 'alt-f4', get label() { return t('domains.keys.alt-f4'); }, keys: [ALT, functionKey(4)] },
    { id: 'print-screen', get label() { return t('domains.keys.print-screen'); },
        keys: [{ keysym: KEYSYM.Print, code: 'PrintScreen' }] },
    { id: 'super', get label() { return t('domains.keys.super'); }, keys: [{ keysym: KEYSYM.Super_L, code: 'MetaLeft' }] },
    { id: 'escape', get label() { return t('domains.keys.escape'); }, keys: [{ keysym: KEYSYM.Escape, code: 'Escape' }] },
];

/** The combo with this id, or undefined. */
export function comboById(id) {
    return KEY_COMBOS.find((c) => c.id === id);
}

/** [{keysym, code, down}] for a combo: every key down in order, then up in reverse. */
export function comboEvents(combo) {
    const downs = combo.keys.map((k) => ({ keysym: k.keysym, code: k.code, down: true }));
    const ups = [...combo.keys].reverse().map((k) => ({ keysym: k.keysym, code: k.code, down: false }));
    return [...downs, ...ups];
}

// US layout: character -> [code, shift].
const US = new Map();
for (let i = 0; i < 26; i++) {
    const lower = String.fromCharCode(97 + i);
    const code = `Key${lower.toUpperCase()}`;
    US.set(lower, [code, false]);
    US.set(lower.toUpperCase(), [code, true]);
}
'0123456789'.split('').forEach((d) => US.set(d, [`Digit${d}`, false]));
')!@#$%^&*('.split('').forEach((c, d) => US.set(c, [`Digit${d}`, true]));
for (const [plain, shifted, code] of [
    [' ', null, 'Space'], ['-', '_', 'Minus'], ['=', '+', 'Equal'], ['[', '{', 'BracketLeft'],
    [']', '}', 'BracketRight'], ['\\', '|', 'Backslash'], [';', ':', 'Semicolon'],
    ["'", '"', 'Quote'], ['`', '~', 'Backquote'], [',', '<', 'Comma'], ['.', '>', 'Period'],
    ['/', '?', 'Slash'],
]) {
    US.set(plain, [code, false]);
    if (shifted) US.set(shifted, [code, true]);
}

/** X11 keysym of a printable character: Latin-1 maps to itself, the rest to 0x01000000 + code point. */
export function charKeysym(ch) {
    const cp = ch.codePointAt(0);
    if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff)) return cp;
    return 0x01000000 + cp;
}

/**
 * One character -> {keysym, code, shift} or null when it cannot be typed (control
 * characters other than newline and tab). code is null for characters a US keyboard
 * has no key for: those go as bare keysyms, which the VM may ignore.
 */
export function charToKey(ch) {
    if (ch === '\n' || ch === '\r') return { keysym: KEYSYM.Return, code: 'Enter', shift: false };
    if (ch === '\t') return { keysym: KEYSYM.Tab, code: 'Tab', shift: false };
    const cp = ch.codePointAt(0);
    if (cp === undefined || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return null;
    const us = US.get(ch);
    if (us) return { keysym: charKeysym(ch), code: us[0], shift: us[1] };
    return { keysym: charKeysym(ch), code: null, shift: false };
}

/**
 * Text -> {events: [{keysym, code, down}], typed, skipped}: each character as a key
 * press (down, up), wrapped in Shift down/up when the US layout needs Shift for it.
 * "\r\n" counts as one Enter. skipped counts characters that cannot be typed.
 */
export function textToKeyEvents(text) {
    const events = [];
    let typed = 0;
    let skipped = 0;
    const chars = [...String(text ?? '').replace(/\r\n/g, '\n')];
    for (const ch of chars) {
        const k = charToKey(ch);
        if (!k) {
            skipped++;
            continue;
        }
        typed++;
        if (k.shift) events.push({ keysym: SHIFT.keysym, code: SHIFT.code, down: true });
        events.push({ keysym: k.keysym, code: k.code, down: true });
        events.push({ keysym: k.keysym, code: k.code, down: false });
        if (k.shift) events.push({ keysym: SHIFT.keysym, code: SHIFT.code, down: false });
    }
    return { events, typed, skipped };
}

/**
 * True for Ctrl+] on keydown: the key that moves keyboard focus out of a console (the
 * escape key of `virsh console`), so a keyboard user is never trapped in one.
 */
export function isLeaveKey(ev) {
    return !!ev && ev.type === 'keydown' && !!ev.ctrlKey && !ev.altKey && !ev.metaKey &&
        (ev.key === ']' || ev.code === 'BracketRight');
}
