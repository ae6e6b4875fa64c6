// SPDX-License-Identifier: LGPL-2.1-or-later
// views/dom.js — small DOM helpers for the views: element builders (no innerHTML,
// so no markup injection and nothing CSP would refuse), text patching that only
// writes when the value changed, and importGraph(): a module loaded on first use with
// its whole static import graph asked for at once (<link rel="modulepreload">).
// Browser main thread.

const SVG_NS = 'http://www.w3.org/2000/svg';

function applyProps(el, props) {
    for (const [k, v] of Object.entries(props || {})) {
        if (v === null || v === undefined || v === false) continue;
        if (k === 'class') el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
        else if (k === 'text') el.textContent = v;
        else if (k === 'on') for (const [type, fn] of Object.entries(v)) el.addEventListener(type, fn);
        else if (k === 'dataset') Object.assign(el.dataset, v);
        else if (k === 'hidden' || k === 'disabled' || k === 'required' || k === 'autofocus') {
            el[k] = !!v;
        } else if (k === 'value' && 'value' in el) el.value = v;
        else el.setAttribute(k, v === true ? '' : String(v));
    }
}

function appendChildren(el, children) {
    for (const c of children.flat(Infinity)) {
        if (c === null || c === undefined || c === false) continue;
        el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
}

/** h("button", {class: "btn", on: {click}}, "Start") -> HTMLElement. */
export function h(tag, props, ...children) {
    const el = document.createElement(tag);
    applyProps(el, props);
    appendChildren(el, children);
    return el;
}

/** Same for SVG elements. */
export function s(tag, props, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    applyProps(el, props);
    appendChildren(el, children);
    return el;
}

/** Sets textContent only when it differs (keeps layout work down on big tables). */
export function setText(el, text) {
    const t = String(text);
    if (el.textContent !== t) el.textContent = t;
}

/** Sets or removes an attribute only when it differs. */
export function setAttr(el, name, value) {
    if (value === null || value === undefined || value === false) {
        if (el.hasAttribute(name)) el.removeAttribute(name);
        return;
    }
    const v = value === true ? '' : String(value);
    if (el.getAttribute(name) !== v) el.setAttribute(name, v);
}

/** Replaces all children of el. */
export function replaceChildren(el, ...children) {
    el.replaceChildren();
    appendChildren(el, children);
}

/** An inline SVG icon from a few path strings (24x24 viewBox, stroked). */
/**
 * A file path in monospace (class "wrap", plus cls): a line may break after each '/'
 * (<wbr>), so a long path wraps between its parts, not inside a name; only a part too long
 * for the line breaks inside (code.wrap's overflow-wrap). Its text is the path unchanged.
 */
export function pathCode(path, cls = '') {
    const parts = String(path).split('/');
    return h('code', { class: cls ? `${cls} wrap` : 'wrap' },
        parts.flatMap((p, i) => (i < parts.length - 1 ? [`${p}/`, h('wbr')] : [p])));
}

export function icon(name) {
    const paths = ICONS[name] || [];
    return s('svg', { class: `icon icon-${name}`, viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' },
        paths.map((d) => s('path', { d })));
}

const ICONS = {
    play: ['M7 5l12 7-12 7z'],
    stop: ['M6 6h12v12H6z'],
    power: ['M12 3v9', 'M6.3 7.5a8 8 0 1 0 11.4 0'],
    pause: ['M8 5v14', 'M16 5v14'],
    reboot: ['M20 12a8 8 0 1 1-2.3-5.7', 'M20 4v5h-5'],
    reset: ['M4 12a8 8 0 1 0 2.3-5.7', 'M4 4v5h5'],
    bolt: ['M13 2L4 14h7l-1 8 9-12h-7z'],
    user: ['M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z', 'M4 21a8 8 0 0 1 16 0'],
    chevron: ['M6 9l6 6 6-6'],
    back: ['M15 18l-6-6 6-6'],
    close: ['M6 6l12 12', 'M18 6L6 18'],
    warn: ['M12 3l10 18H2z', 'M12 10v5', 'M12 18v.5'],
    search: ['M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14z', 'M20 20l-4-4'],
    trash: ['M4 7h16', 'M9 7V4h6v3', 'M6 7l1 13h10l1-13'],
    copy: ['M9 9h11v11H9z', 'M5 15H4V4h11v1'],
    stamp: ['M9 3h6v6l3 4H6l3-4z', 'M5 17h14v4H5z'],
};

/** Icon name for each domain action. */
export const ACTION_ICONS = {
    start: 'play', resume: 'play', shutdown: 'power', reboot: 'reboot', suspend: 'pause',
    reset: 'reset', destroy: 'bolt', delete: 'trash', clone: 'copy', template: 'stamp',
};

const preloaded = new Set(); // hrefs given a modulepreload link (not failed)

/**
 * import() of a module loaded on first use, with the modules it imports asked for at
 * once. load is `() => import('literal')` (the only shape the web build accepts);
 * graph is the list web/tools/build.mjs writes as the second argument: the hashed
 * names, relative to index.html, of the modules the target reaches by static imports
 * that this page has not loaded yet. Each gets a <link rel="modulepreload"> (fetched
 * and parsed now, evaluated only when import() reaches it, in the usual order), so the
 * browser does not discover them one import level, one round trip, at a time. In the
 * source tree nobody writes graph: it is empty and this is load(). Returns load()'s
 * promise.
 */
export function importGraph(load, graph = []) {
    for (const href of graph) {
        if (preloaded.has(href)) continue;
        preloaded.add(href);
        const link = h('link', {
            rel: 'modulepreload',
            href,
            on: {
                load: () => link.remove(),
                // import() reports the failure; a later call may try again.
                error: () => { link.remove(); preloaded.delete(href); },
            },
        });
        document.head.append(link);
    }
    return load();
}
