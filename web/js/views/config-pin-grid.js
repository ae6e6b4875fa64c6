// SPDX-License-Identifier: LGPL-2.1-or-later
// views/config-pin-grid.js — the CPU pinning grid of the Configuration tab's Tuning group:
// one row per vCPU, one checkbox column per host CPU, the columns grouped under a header
// per host NUMA cell (config-rules.js hostCpuCells), and per row an "Any CPU" button
// that clears the row (no pin). Only the host's CPUs are offered. Keyboard: Tab reaches
// each control; the arrow keys move between the checkboxes like a grid, Home/End to the
// row's ends. Each row is a field for form-kit's showErrors (key "pin.<vcpu>").
// Browser main thread.

import { h } from './dom.js';
import { t } from '../i18n.js';

/** host: hostCpuCells()'s answer. Returns {root, setRows(count, pins), values(), fields()}. */
export function pinGrid(host, idPrefix) {
    const cpus = host.cells.flatMap((c) => c.cpus);
    const table = h('table', { class: 'pin-grid', 'aria-describedby': `${idPrefix}-hint` });
    const hint = h('p', { class: 'field-hint', id: `${idPrefix}-hint`, text: t('config.hint.pins') });
    const head = h('thead', {},
        h('tr', {}, h('td', { class: 'pin-corner' }), host.cells.map((c) => h('th', { scope: 'colgroup', colspan: String(c.cpus.length), class: 'pin-cell', text: t('config.pin.cell', { id: String(c.id) }) })), h('td')),
        h('tr', {}, h('th', { scope: 'col', text: t('config.pin.vcpu') }), cpus.map((id) => h('th', { scope: 'col', class: 'pin-cpu', text: String(id) })), h('th', { scope: 'col', text: t('config.pin.reset-col') })));
    const body = h('tbody');
    table.append(h('caption', { class: 'visually-hidden', text: t('config.pin.caption') }), head, body);
    let rows = [];
    const setRows = (count, pins) => {
        rows = [];
        body.replaceChildren();
        for (let vcpu = 0; vcpu < count; vcpu++) {
            const set = new Set(pins[vcpu] || []);
            const boxes = cpus.map((id) => h('input', {
                type: 'checkbox', class: 'checkbox', dataset: { vcpu: String(vcpu), cpu: String(id) },
                'aria-label': t('config.pin.box', { vcpu: String(vcpu), cpu: String(id) }), checked: set.has(id) ? true : null,
            }));
            for (const b of boxes) b.checked = set.has(Number(b.dataset.cpu));
            const error = h('p', { class: 'field-error', id: `${idPrefix}-err-${vcpu}`, hidden: true });
            const any = h('button', {
                type: 'button', class: 'btn btn-sm', text: t('config.pin.any'), 'aria-label': t('config.pin.any-label', { vcpu: String(vcpu) }),
                on: { click: () => { for (const b of boxes) b.checked = false; any.dispatchEvent(new Event('input', { bubbles: true })); } },
            });
            const row = h('tr', { dataset: { vcpu: String(vcpu) } },
                h('th', { scope: 'row', text: String(vcpu) }, error),
                boxes.map((b) => h('td', { class: 'pin-box' }, b)), h('td', {}, any));
            for (const b of boxes) b.setAttribute('aria-describedby', error.id);
            body.append(row);
            rows.push({ root: row, control: boxes[0] || any, error, key: `pin.${vcpu}`, boxes });
        }
    };
    table.addEventListener('keydown', (ev) => {
        const box = ev.target instanceof HTMLInputElement ? ev.target : null;
        if (!box || !box.dataset.cpu) return;
        const r = Number(box.dataset.vcpu);
        const c = rows[r].boxes.indexOf(box);
        const moves = {
            ArrowRight: [r, c + 1], ArrowLeft: [r, c - 1], ArrowDown: [r + 1, c], ArrowUp: [r - 1, c],
            Home: [r, 0], End: [r, rows[r].boxes.length - 1],
        };
        const to = moves[ev.key];
        if (!to) return;
        const next = rows[to[0]]?.boxes[to[1]];
        ev.preventDefault();
        next?.focus();
    });
    return {
        root: h('div', { class: 'pin-grid-wrap' }, hint, h('div', { class: 'table-wrap' }, table)),
        setRows,
        values: () => rows.map((r) => r.boxes.filter((b) => b.checked).map((b) => Number(b.dataset.cpu))),
        fields: () => rows,
    };
}
