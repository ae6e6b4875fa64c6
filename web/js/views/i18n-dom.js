// SPDX-License-Identifier: LGPL-2.1-or-later
// views/i18n-dom.js — translated text in the DOM: the static texts of index.html
// (data-i18n="<id>" for the text, data-i18n-aria-label / -title / -placeholder for
// attributes; the English in the HTML is the no-JS default), messages whose parameters
// are elements (a name in <strong>, a URI in <code>: one message, the element put where
// the language wants it), and the language picker of the user menu and the login page.
// Browser main thread.

import { h } from './dom.js';
import { t, language, setLanguage, LANGUAGES } from '../i18n.js';

const ATTRS = ['aria-label', 'title', 'placeholder'];

/** Translates every data-i18n* text and attribute under root (the document by default). */
export function applyStaticTexts(root = document) {
    for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const attr of ATTRS) {
        for (const el of root.querySelectorAll(`[data-i18n-${attr}]`)) {
            el.setAttribute(attr, t(el.getAttribute(`data-i18n-${attr}`)));
        }
    }
}

/**
 * Text made by build(params) as nodes: each parameter that is a Node is handed to build
 * as a placeholder and put back where the message put it (other parameters pass as
 * they are). For a function that translates with t(); returns an array for h()'s
 * children.
 */
export function textNodes(build, params = {}) {
    const nodes = [];
    const plain = {};
    for (const [key, value] of Object.entries(params)) {
        if (value instanceof Node) {
            plain[key] = `\ue000${nodes.length}\ue001`; // private-use marks: never in a message
            nodes.push(value);
        } else plain[key] = value;
    }
    const parts = String(build(plain)).split(/\ue000(\d+)\ue001/);
    return parts.map((part, i) => (i % 2 ? nodes[Number(part)] : part)).filter((p) => p !== '');
}

/**
 * t(id, params) as nodes: a parameter that is a Node (a name in <strong>) is put into
 * the message where its {name} stands (see textNodes).
 */
export function tNodes(id, params = {}) {
    return textNodes((plain) => t(id, plain), params);
}

/**
 * A labelled <select> of the UI's languages, each named in itself (and marked with its
 * lang, so a screen reader says it right). Choosing one switches the language and
 * remembers it. id: the select's id. Returns {root, select}.
 */
export function languagePicker(id) {
    const select = h('select', { id, class: 'input select language-select' },
        LANGUAGES.map((l) => h('option', { value: l.code, lang: l.code, text: l.name })));
    select.value = language();
    select.addEventListener('change', () => {
        setLanguage(select.value).catch(() => {
            select.value = language();
        });
    });
    const root = h('div', { class: 'field language-field' },
        h('label', { for: id, text: t('language.label') }), select);
    return { root, select };
}
