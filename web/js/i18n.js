// SPDX-License-Identifier: LGPL-2.1-or-later
// i18n.js — the UI's one message catalogue and its locale: picks the language (stored
// choice, else the browser's languages, else English), loads that language's catalogue
// (web/i18n/<code>.js, one module per language, loaded on demand), translates message
// ids with {name} parameters and CLDR plural forms, and keeps <html lang> in step.
// Every user-visible string of the views goes through t(). The pure part
// (negotiateLanguage, createTranslator) also runs in Node for tests. Main thread only.

/** The languages the UI speaks; `name` is written in the language itself. */
export const LANGUAGES = Object.freeze([
    Object.freeze({ code: 'en', name: 'English' }),
    Object.freeze({ code: 'zh-CN', name: '简体中文' }),
]);
export const DEFAULT_LANGUAGE = 'en';
export const LANGUAGE_STORAGE_KEY = 'virtdeck-language';

// Static specifiers, so the web build can rewrite them to content-hashed names.
const LOADERS = {
    en: () => import('../i18n/en.js'),
    'zh-CN': () => import('../i18n/zh-CN.js'),
};

const PLURAL_CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'];

/**
 * The supported language that best matches a list of BCP 47 tags in order of
 * preference (navigator.languages): an exact match, then the same language with any
 * region or script (every Chinese tag, Traditional included, reads zh-CN best of what
 * we have), else DEFAULT_LANGUAGE.
 */
export function negotiateLanguage(preferred) {
    const codes = LANGUAGES.map((l) => l.code);
    for (const tag of preferred || []) {
        if (typeof tag !== 'string' || !tag) continue;
        const exact = codes.find((c) => c.toLowerCase() === tag.toLowerCase());
        if (exact) return exact;
        const base = tag.split(/[-_]/)[0].toLowerCase();
        const sameBase = codes.find((c) => c.split('-')[0].toLowerCase() === base);
        if (sameBase) return sameBase;
    }
    return DEFAULT_LANGUAGE;
}

/** true when code is one of LANGUAGES. */
export function isLanguage(code) {
    return LANGUAGES.some((l) => l.code === code);
}

function pluralForm(value, rules, count) {
    if (typeof value === 'string') return value;
    if (!value || typeof value !== 'object') return undefined;
    const n = Number(count);
    const category = Number.isFinite(n) ? rules.select(n) : 'other';
    return value[category] ?? value.other;
}

/**
 * A translator for one language: t(id, params) -> string. messages maps message ids to
 * a string or to {one, other, ...} (CLDR plural categories, picked by params.count).
 * "{name}" in a message is replaced by params.name; numbers are formatted for the
 * locale. A missing id returns the id itself (the catalogue check in `make lint` keeps
 * every id the views use in every catalogue).
 */
export function createTranslator(code, messages) {
    const rules = new Intl.PluralRules(code);
    const numbers = new Intl.NumberFormat(code);
    return function t(id, params) {
        const text = pluralForm(messages[id], rules, params?.count);
        if (text === undefined) return id;
        if (!params) return text;
        return text.replace(/\{(\w+)\}/g, (whole, key) => {
            if (!(key in params)) return whole;
            const v = params[key];
            return typeof v === 'number' ? numbers.format(v) : String(v);
        });
    };
}

/** The plural categories a language needs (for the catalogue check). */
export function pluralCategories(code) {
    const found = new Set(new Intl.PluralRules(code).resolvedOptions().pluralCategories);
    return PLURAL_CATEGORIES.filter((c) => found.has(c));
}

let current = { code: DEFAULT_LANGUAGE, messages: {}, t: createTranslator(DEFAULT_LANGUAGE, {}) };
const listeners = new Set();

/** Translates id in the current language (see createTranslator). */
export function t(id, params) {
    return current.t(id, params);
}

/** true when the current catalogue has id (for ids built at run time, e.g. error codes). */
export function hasMessage(id) {
    return Object.prototype.hasOwnProperty.call(current.messages, id);
}

/** The current language's code ("en", "zh-CN"); also the locale for Intl. */
export function language() {
    return current.code;
}

/** Calls fn(code) after each language change; returns the function that unsubscribes. */
export function onLanguageChange(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
}

/**
 * Loads code's catalogue and makes it current: <html lang> follows, the choice is
 * remembered when remember is true, and the listeners are told. Rejects for a code
 * outside LANGUAGES.
 */
export async function setLanguage(code, { remember = true } = {}) {
    if (!isLanguage(code)) throw new Error(`unsupported language: ${code}`);
    const messages = (await LOADERS[code]()).default;
    current = { code, messages, t: createTranslator(code, messages) };
    if (globalThis.document) document.documentElement.lang = code;
    if (remember) {
        try {
            globalThis.localStorage?.setItem(LANGUAGE_STORAGE_KEY, code);
        } catch { /* storage disabled: the choice lasts for this page */ }
    }
    for (const fn of listeners) fn(code);
}

/** The language to start in: the remembered choice, else the browser's languages. */
export function initialLanguage() {
    let stored = null;
    try {
        stored = globalThis.localStorage?.getItem(LANGUAGE_STORAGE_KEY) ?? null;
    } catch { /* storage disabled */ }
    if (stored && isLanguage(stored)) return stored;
    return negotiateLanguage(globalThis.navigator?.languages || [globalThis.navigator?.language]);
}
