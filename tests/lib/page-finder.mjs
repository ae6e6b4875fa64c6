// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/page-finder.mjs — the code that tests/lib/browser.mjs runs INSIDE the page,
// the same in chromium and firefox: the element finder behind its locators (CSS, ARIA
// role and accessible name, label, text; filters), the checks an action waits for
// (attached, visible, enabled, stable, hit by a click at its centre), and the harness
// installed before the page's own scripts (CSP violations to the console, a count of
// the /api/events messages the page has handled, requests held back or answered by the
// test). Nothing here may use a closure: each function is sent as source text and runs
// in the page's realm; browser.mjs composes the calls (pageLib() gives the object).

/**
 * The finder and checks, as one object: pageLib().find(steps) etc. Text matchers are
 * {s, exact} (a string: case-insensitive substring, or exact when exact) or {re, flags};
 * whitespace is collapsed before matching, as Playwright does.
 */
export function pageLib() {
    const norm = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();
    const matches = (text, m) => {
        if (!m) return true;
        const t = norm(text);
        if (m.re !== undefined) return new RegExp(m.re, m.flags).test(t);
        return m.exact ? t === norm(m.s) : t.toLowerCase().includes(norm(m.s).toLowerCase());
    };

    /** Playwright's "visible": a non-empty box and not visibility:hidden. */
    const visible = (el) => {
        if (!el.isConnected) return false;
        if (el.checkVisibility && !el.checkVisibility({ visibilityProperty: true })) return false;
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0;
    };
    /** Outside the accessibility tree: aria-hidden, display:none, visibility:hidden. */
    const hiddenForAria = (el) => {
        for (let e = el; e; e = e.parentElement) if (e.getAttribute('aria-hidden') === 'true') return true;
        return Boolean(el.checkVisibility) && !el.checkVisibility({ visibilityProperty: true });
    };
    const disabled = (el) => {
        if (el.getAttribute('aria-disabled') === 'true') return true;
        if (!('disabled' in el)) return false;
        return el.disabled || Boolean(el.closest('fieldset[disabled]'));
    };

    const INPUT_ROLES = { button: 'button', submit: 'button', reset: 'button', image: 'button', checkbox: 'checkbox',
        radio: 'radio', range: 'slider', number: 'spinbutton', search: 'searchbox', hidden: null, file: null };
    const TAG_ROLES = { button: 'button', textarea: 'textbox', option: 'option', dialog: 'dialog', nav: 'navigation',
        main: 'main', aside: 'complementary', h1: 'heading', h2: 'heading', h3: 'heading', h4: 'heading',
        h5: 'heading', h6: 'heading', ul: 'list', ol: 'list', menu: 'list', li: 'listitem', table: 'table',
        tr: 'row', td: 'cell', th: 'columnheader', thead: 'rowgroup', tbody: 'rowgroup', tfoot: 'rowgroup',
        form: 'form', progress: 'progressbar', meter: 'meter', fieldset: 'group', details: 'group',
        output: 'status', hr: 'separator' };
    /** The explicit role, else the implicit one of HTML-AAM for the elements the UI uses. */
    const roleOf = (el) => {
        const explicit = (el.getAttribute('role') || '').trim().split(/\s+/)[0];
        if (explicit) return explicit;
        const tag = el.localName;
        if (tag === 'a' || tag === 'area') return el.hasAttribute('href') ? 'link' : null;
        if (tag === 'input') {
            const type = (el.getAttribute('type') || 'text').toLowerCase();
            if (type in INPUT_ROLES) return INPUT_ROLES[type];
            return el.hasAttribute('list') ? 'combobox' : 'textbox';
        }
        if (tag === 'select') return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
        if (tag === 'img') return el.getAttribute('alt') === '' ? 'presentation' : 'img';
        if (tag === 'header' || tag === 'footer') {
            if (el.closest('article, aside, main, nav, section')) return null;
            return tag === 'header' ? 'banner' : 'contentinfo';
        }
        if (tag === 'section') return el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby') ? 'region' : null;
        return TAG_ROLES[tag] || null;
    };
    const NAME_FROM_CONTENT = new Set(['button', 'cell', 'checkbox', 'columnheader', 'gridcell', 'heading', 'link',
        'menuitem', 'menuitemcheckbox', 'menuitemradio', 'option', 'radio', 'row', 'rowheader', 'switch', 'tab',
        'tooltip', 'treeitem']);
    const CONTROLS = new Set(['input', 'select', 'textarea', 'meter', 'progress', 'output']);

    /** The text an element contributes to a name from content (accname's recursion, simplified). */
    const contentText = (node) => {
        let out = '';
        for (const c of node.childNodes) {
            if (c.nodeType === Node.TEXT_NODE) out += c.nodeValue;
            if (c.nodeType !== Node.ELEMENT_NODE || hiddenForAria(c)) continue;
            const label = c.getAttribute('aria-label');
            if (label && label.trim()) out += ` ${label} `;
            else if (c.localName === 'img') out += ` ${c.getAttribute('alt') || ''} `;
            else if (CONTROLS.has(c.localName)) continue;
            else {
                const block = getComputedStyle(c).display !== 'inline';
                out += block ? ` ${contentText(c)} ` : contentText(c);
            }
        }
        return out;
    };
    const labelledBy = (el) => {
        const ids = (el.getAttribute('aria-labelledby') || '').trim();
        if (!ids) return null;
        const parts = ids.split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean)
            .map((e) => e.getAttribute('aria-label') || contentText(e));
        return parts.length ? norm(parts.join(' ')) : null;
    };
    /** The accessible name: aria-labelledby, aria-label, labels, content, title. */
    const accName = (el) => {
        const by = labelledBy(el);
        if (by !== null) return by;
        const aria = el.getAttribute('aria-label');
        if (aria && aria.trim()) return norm(aria);
        const tag = el.localName;
        if (CONTROLS.has(tag)) {
            const type = (el.getAttribute('type') || '').toLowerCase();
            if (tag === 'input' && ['button', 'submit', 'reset'].includes(type)) return norm(el.value);
            if (el.labels && el.labels.length) return norm([...el.labels].map(contentText).join(' '));
            return norm(el.getAttribute('title') || el.getAttribute('placeholder') || '');
        }
        if (tag === 'img') return norm(el.getAttribute('alt') || el.getAttribute('title') || '');
        if (tag === 'fieldset') {
            const legend = el.querySelector(':scope > legend');
            if (legend) return norm(contentText(legend));
        }
        if (NAME_FROM_CONTENT.has(roleOf(el))) {
            const text = norm(contentText(el));
            if (text) return text;
        }
        return norm(el.getAttribute('title') || '');
    };
    /** What getByLabel matches: aria-labelledby, the label elements, aria-label. */
    const labelTexts = (el) => {
        const out = [];
        const by = labelledBy(el);
        if (by !== null) out.push(by);
        if (el.labels) for (const l of el.labels) out.push(norm(contentText(l)));
        const aria = el.getAttribute('aria-label');
        if (aria) out.push(norm(aria));
        return out;
    };

    const inDocumentOrder = (els) => {
        const unique = [...new Set(els)];
        return unique.sort((a, b) => (a === b ? 0 : a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    };
    const descendants = (scope) => [...scope.querySelectorAll('*')];

    /** The elements a locator's steps select, in document order, under root. */
    const find = (steps, root = document) => {
        let scope = [root];
        for (const st of steps) {
            let next = [];
            if (st.css !== undefined) {
                for (const s of scope) next.push(...s.querySelectorAll(st.css));
            } else if (st.role !== undefined) {
                for (const s of scope) {
                    next.push(...descendants(s).filter((el) => roleOf(el) === st.role && !hiddenForAria(el) &&
                        (!st.name || matches(accName(el), st.name))));
                }
            } else if (st.label !== undefined) {
                for (const s of scope) next.push(...descendants(s).filter((el) => labelTexts(el).some((t) => matches(t, st.label))));
            } else if (st.text !== undefined) {
                // The innermost elements whose text matches (not their ancestors).
                for (const s of scope) {
                    const hits = descendants(s).filter((el) => !['script', 'style', 'head'].includes(el.localName) &&
                        matches(el.textContent, st.text));
                    next.push(...hits.filter((el) => ![...el.children].some((c) => hits.includes(c))));
                }
            } else if (st.nth !== undefined) {
                const i = st.nth < 0 ? scope.length + st.nth : st.nth;
                next = scope[i] ? [scope[i]] : [];
            } else {
                next = scope;
            }
            if (st.hasText) next = next.filter((el) => matches(el.textContent, st.hasText));
            if (st.has) next = next.filter((el) => find(st.has, el).length > 0);
            if (st.visible) next = next.filter(visible);
            scope = st.nth !== undefined ? next : inDocumentOrder(next);
        }
        return scope.filter((el) => el !== document);
    };

    const describe = (el) => {
        if (!el) return 'nothing';
        const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
        return `<${el.localName}${el.id ? `#${el.id}` : ''}${cls}>`;
    };
    /** One element or a reason: {el} | {why} (not yet) | {error} (never: strict mode). */
    const one = (steps) => {
        const els = find(steps);
        if (els.length > 1) return { error: `strict mode violation: ${els.length} elements match (${els.slice(0, 3).map(describe).join(', ')}...)` };
        if (!els.length) return { why: 'no element matches' };
        return { el: els[0] };
    };
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    const inView = (r) => r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;

    /**
     * Whether the locator is in state ('attached' | 'detached' | 'visible' | 'hidden');
     * more than one match is an error, as in Playwright's strict mode.
     */
    const state = (steps, wanted) => {
        const els = find(steps);
        if (els.length > 1) return one(steps);
        const el = els[0];
        const ok = { attached: Boolean(el), detached: !el, visible: Boolean(el) && visible(el),
            hidden: !el || !visible(el) }[wanted];
        return ok ? { done: true } : { why: el ? `${describe(el)} is not ${wanted}` : 'no element matches' };
    };

    /**
     * Prepares a real click: the one element visible, enabled, scrolled into view, its
     * box unchanged over two frames and its centre not covered by another element.
     * Resolves {done, value: {x, y}} (viewport coordinates) or a reason.
     */
    const clickPoint = async (steps) => {
        const o = one(steps);
        if (!o.el) return o;
        const el = o.el;
        if (!visible(el)) return { why: `${describe(el)} is not visible` };
        if (disabled(el)) return { why: `${describe(el)} is disabled` };
        if (!inView(el.getBoundingClientRect())) el.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
        await frame();
        const a = el.getBoundingClientRect();
        await frame();
        const b = el.getBoundingClientRect();
        if (a.x !== b.x || a.y !== b.y || a.width !== b.width || a.height !== b.height) return { why: `${describe(el)} is moving` };
        const x = b.left + b.width / 2;
        const y = b.top + b.height / 2;
        const hit = document.elementFromPoint(x, y);
        if (!hit || !(hit === el || el.contains(hit))) return { why: `${describe(hit)} would receive the click on ${describe(el)}` };
        return { done: true, value: { x, y } };
    };

    /** Focuses an editable field and selects its text, so typing replaces it. */
    const focusForTyping = (steps) => {
        const o = one(steps);
        if (!o.el) return o;
        const el = o.el;
        if (!visible(el)) return { why: `${describe(el)} is not visible` };
        if (disabled(el)) return { why: `${describe(el)} is disabled` };
        if (el.readOnly) return { why: `${describe(el)} is read-only` };
        if (!('value' in el) || el.localName === 'select') return { error: `${describe(el)} is not a text field` };
        el.focus();
        if (typeof el.select === 'function') el.select();
        return { done: true, value: { old: el.value } };
    };

    /** Chooses the option whose value or label is `value`, with input and change events. */
    const selectOption = (steps, value) => {
        const o = one(steps);
        if (!o.el) return o;
        const el = o.el;
        if (el.localName !== 'select') return { error: `${describe(el)} is not a <select>` };
        if (!visible(el) || disabled(el)) return { why: `${describe(el)} is not visible and enabled` };
        const opt = [...el.options].find((op) => op.value === value) || [...el.options].find((op) => norm(op.label) === value);
        if (!opt) return { why: `${describe(el)} has no option "${value}"` };
        opt.selected = true;
        el.dispatchEvent(new Event('input', { bubbles: true }));
        el.dispatchEvent(new Event('change', { bubbles: true }));
        return { done: true, value: el.value };
    };

    /**
     * Calls check() (sync or async; {done, value} | {why} | {error}) until it is done or
     * fails, for at most sliceMs; the caller (browser.mjs) loops over slices, so a
     * navigation that destroys this realm only ends one slice.
     */
    const poll = async (check, sliceMs, intervalMs = 20) => {
        const end = Date.now() + sliceMs;
        for (;;) {
            const r = await check();
            if (r.done || r.error || Date.now() >= end) return r;
            await new Promise((res) => setTimeout(res, intervalMs));
        }
    };

    return { find, one, state, clickPoint, focusForTyping, selectOption, poll, visible, accName, describe };
}

/**
 * The harness, installed before the page's own scripts (an init script): CSP violations
 * reach the console as errors; every /api/events WebSocket counts the messages the page
 * has handled, by type (counted in a task queued by a listener that runs before the
 * UI's, so after the UI's handling of the same message); window.fetch consults the
 * routes the test set (hold a request until released, or answer it); inject() hands the
 * page an /api/events message the server did not send. All of it hangs
 * off window.__vdHarness.
 */
export function installHarness() {
    if (window.__vdHarness) return;
    document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sample || ''}`);
    });
    const handled = {};
    const eventSockets = [];
    // A constructor that returns the native socket, not a subclass: noVNC checks that
    // the socket's own prototype has the WebSocket methods.
    const NativeWebSocket = window.WebSocket;
    function WebSocket(...args) {
        const ws = new NativeWebSocket(...args);
        if (new URL(ws.url).pathname !== '/api/events') return ws;
        eventSockets.push(ws);
        ws.addEventListener('message', (ev) => {
            if (typeof ev.data !== 'string') return;
            let type;
            try { ({ type } = JSON.parse(ev.data)); } catch { return; }
            setTimeout(() => { handled[type] = (handled[type] || 0) + 1; }, 0);
        });
        return ws;
    }
    WebSocket.prototype = NativeWebSocket.prototype;
    for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) WebSocket[k] = NativeWebSocket[k];
    window.WebSocket = WebSocket;
    const nativeFetch = window.fetch;
    const routes = [];
    window.fetch = async (input, init) => {
        const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url, location.href).href;
        const route = routes.find((r) => r.times !== 0 && new RegExp(r.re).test(url));
        if (route) {
            if (route.times > 0) route.times--;
            if (route.fulfill) {
                const f = route.fulfill;
                return new Response(f.body, { status: f.status, headers: { 'Content-Type': f.contentType || 'text/plain' } });
            }
            await route.released;
        }
        return nativeFetch.call(window, input, init);
    };
    window.__vdHarness = {
        handled,
        /** Adds a route {id, re, times (-1: always), fulfill?}; without fulfill it holds requests. */
        route(r) {
            const entry = { ...r };
            entry.released = new Promise((res) => { entry.release = res; });
            routes.push(entry);
        },
        release(id) { for (const r of routes) if (r.id === id) r.release(); },
        /**
         * Hands msg to the page as if the server had sent it on the open /api/events
         * socket (for what the test driver cannot do, such as a VM vanishing). False
         * when no socket is open.
         */
        inject(msg) {
            const ws = eventSockets.filter((w) => w.readyState === NativeWebSocket.OPEN).pop();
            if (!ws) return false;
            ws.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(msg) }));
            return true;
        },
        unroute(id) {
            for (let i = routes.length - 1; i >= 0; i--) {
                if (routes[i].id !== id) continue;
                routes[i].release();
                routes.splice(i, 1);
            }
        },
    };
}
