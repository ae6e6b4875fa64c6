// SPDX-License-Identifier: LGPL-2.1-or-later
// views/resource-table.js — what every resource list shares (networks, storage pools,
// a pool's volumes, a VM's disks and network interfaces): the list card with a live
// count, a table with a hidden caption and a data-label on every cell (the card layout
// on phones), re-rendering that keeps keyboard focus on the control with the same
// data-focus-key, row buttons named by data-action plus the row's key, the "Actions"
// cell, the autostart switch, a row action run with confirmation / busy button /
// message / reload, a load failure with "Try again", and the button that shows or
// hides an inline form (aria-expanded, aria-controls). Texts are translated when a
// list renders. Browser main thread.

import { h } from './dom.js';
import { failureText, reportError, setBusy, uid } from './form-kit.js';
import { formatBool } from '../format.js';
import { t } from '../i18n.js';

/** <td data-label="label"> (the column name shown in the phone layout). */
export function cell(label, props, ...children) {
    return h('td', { 'data-label': label, ...props }, ...children);
}

/**
 * A small row button: data-action, data-<key> (the row's id, e.g. name, target, mac)
 * and a data-focus-key so focus survives a re-render; the accessible name is
 * "<label> <id>".
 */
export function rowButton(key, id, action, label, danger = false) {
    return h('button', {
        type: 'button', class: ['btn', 'btn-sm', danger && 'btn-danger-outline'],
        dataset: { action, [key]: id, focusKey: `${id}|${action}` }, 'aria-label': rowLabel(label, id),
    }, label);
}

/** The accessible name of a row's control: "<action> <id>" ("Delete disk.qcow2"). */
export function rowLabel(action, id) {
    return t('resources.row-action', { action, name: id });
}

/** The "Actions" column's heading (and the phone layout's cell label). */
export function actionsLabel() {
    return t('resources.column.actions');
}

/** The "Actions" cell of a row: a labelled group of its buttons and links. */
export function actionsCell(id, ...controls) {
    return cell(actionsLabel(), { class: 'col-actions' },
        h('div', { class: 'actions', role: 'group', 'aria-label': t('resources.actions-for', { name: id }) }, ...controls));
}

/** The button (with its data-*) an event in a list came from, unless it is busy. */
export function actionButton(ev) {
    const btn = ev.target.closest('button[data-action]');
    return btn && !btn.disabled ? btn : null;
}

/**
 * The card a list lives in: a heading with a live count next to it and the element
 * the table goes into (showing "Loading…" until then). labelledBy: the id of the
 * heading that names the section (the page title when the card is the page).
 */
export function listCard({ title, titleId = null, labelledBy = titleId }) {
    const count = h('p', { class: 'count', role: 'status' });
    const body = h('div', { class: 'table-wrap' }, h('p', { class: 'empty', text: t('resources.loading') }));
    const root = h('section', { class: 'card list-card', 'aria-labelledby': labelledBy },
        h('div', { class: 'section-head' }, h('h2', { class: 'card-title', id: titleId, text: title }), count),
        body);
    return { root, count, body };
}

/**
 * Renders items into container as a table (caption, column headings, row(item) per
 * item), or the empty text when there are none, and puts focus back on the control
 * that had it (same data-focus-key).
 */
export function renderTable(container, { items, empty, caption, columns, row }) {
    const focusKey = document.activeElement?.dataset?.focusKey;
    if (!items.length) {
        container.replaceChildren(h('p', { class: 'empty', text: empty }));
        return;
    }
    container.replaceChildren(h('table', { class: 'rtable res-table' },
        h('caption', { class: 'visually-hidden', text: caption }),
        h('thead', {}, h('tr', {}, columns.filter(Boolean).map((c) => h('th', { scope: 'col', text: c })))),
        h('tbody', {}, items.map(row))));
    if (focusKey) container.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
}

/**
 * Replaces a list that could not be read by "<failure>: <why>" and a "Try again"
 * button. failure: a translated "Could not …" sentence; err: what the request threw.
 */
export function showLoadError(container, failure, err, retry) {
    container.replaceChildren(h('div', { class: 'empty' },
        h('p', { text: failureText(failure, err) }),
        h('button', { type: 'button', class: 'btn', text: t('resources.try-again'), on: { click: retry } })));
}

/**
 * A list page's load: view.loadSeq numbers the reads, so only the newest one's answer is
 * applied (apply(result)) or shown as "<failure>: <why>" with a retry (view.load()) in
 * view.list.body; an older read that ends later changes nothing.
 */
export async function loadNewest(view, read, apply, failure) {
    const seq = ++view.loadSeq;
    try {
        const result = await read();
        if (seq === view.loadSeq) apply(result);
    } catch (err) {
        if (seq === view.loadSeq) showLoadError(view.list.body, failure, err, () => view.load());
    }
}

/** The autostart cell's content: a switch for admins (data-autostart = name), text otherwise. */
export function autostartSwitch(name, on, admin) {
    if (!admin) return formatBool(on);
    return h('label', { class: 'switch' },
        h('input', {
            type: 'checkbox', class: 'checkbox', checked: !!on,
            dataset: { autostart: name, focusKey: `${name}|autostart` }, 'aria-label': t('resources.autostart.label', { name }),
        }),
        h('span', { text: formatBool(!!on) }));
}

/**
 * The "change" handler of a list with autostart switches: set(name, on) sends it; on
 * failure the box goes back and the error shows; reload() runs either way.
 */
export async function changeAutostart(ctx, ev, set, reload) {
    const box = ev.target.closest('input[data-autostart]');
    if (!box) return;
    const name = box.dataset.autostart;
    const want = box.checked;
    box.disabled = true;
    try {
        await set(name, want);
        ctx.notify.info(want ? t('resources.autostart.on', { name }) : t('resources.autostart.off', { name }));
    } catch (err) {
        box.checked = !want;
        reportError(ctx.notify, t('resources.autostart.failed', { name }), err);
    } finally {
        box.disabled = false;
        await reload();
    }
}

/**
 * Runs one row action: asks first when confirm (the dialog's options; it is a
 * destructive one) is given, keeps btn busy while run() is in flight, then shows
 * done(result) (skipped when it is empty) or "<failure>: <why>", and finally awaits
 * after() (reload, focus). Resolves true when run() succeeded.
 */
export async function runRowAction(ctx, btn, { confirm = null, run, done, failure, after = null }) {
    if (confirm && !(await ctx.confirm({ danger: true, ...confirm }))) return false;
    setBusy(btn, true);
    try {
        const result = await run();
        const text = typeof done === 'function' ? done(result) : done;
        if (text) ctx.notify.info(text);
        return true;
    } catch (err) {
        reportError(ctx.notify, failure, err);
        return false;
    } finally {
        setBusy(btn, false);
        if (after) await after();
    }
}

/**
 * Makes button show and hide panel (an object with root, reset(), focus()): the panel
 * starts hidden; opening resets and focuses it, closing gives focus back to the
 * button. Returns toggle(open = !shown).
 */
export function formToggle(button, panel, idPrefix) {
    panel.root.hidden = true;
    panel.root.id = uid(idPrefix);
    button.setAttribute('aria-controls', panel.root.id);
    button.setAttribute('aria-expanded', 'false');
    const toggle = (open = panel.root.hidden) => {
        panel.root.hidden = !open;
        button.setAttribute('aria-expanded', String(open));
        if (open) {
            panel.reset();
            panel.focus();
        } else {
            button.focus();
        }
    };
    button.addEventListener('click', () => toggle());
    return toggle;
}

/**
 * Calls reload() when the store reports a network or pool event that match(r) accepts
 * ({type, name, event}; another admin, virsh or libvirt changed it), once per burst
 * (defined + started cost one request). Returns the function that stops it.
 */
export function reloadOnResourceEvents(store, match, reload) {
    let timer = null;
    const unsub = store.on('changed', (c) => {
        if (!c.resources || !c.resources.some(match)) return;
        clearTimeout(timer);
        timer = setTimeout(reload, 250);
    });
    return () => {
        clearTimeout(timer);
        unsub();
    };
}
