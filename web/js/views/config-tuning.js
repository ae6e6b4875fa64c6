// SPDX-License-Identifier: LGPL-2.1-or-later
// views/config-tuning.js — the Tuning group of the Configuration tab
// (views/domain-config.js): CPU pinning (views/config-pin-grid.js, host CPUs by NUMA
// cell from GET /api/host/capabilities), the emulator's pin, cputune shares, period
// and quota, numatune mode and nodeset, guest NUMA cells (rows added and removed),
// huge pages (the host's sizes), the block I/O weight and a per-disk I/O limits table
// (0 = no limit). Filled from the detail's persistent `config`; checked by
// config-rules.js checkTuning before its card's Save. Browser main thread.

import { h } from './dom.js';
import { field, textInput, selectInput, setOptions, optionalLabel } from './form-kit.js';
import { configCard, pendingBadge } from './config-card.js';
import { pinGrid } from './config-pin-grid.js';
import { checkTuning, formKeyOf, hostCpuCells, parseCpuset, IOTUNE_KEYS, NUMATUNE_MODES, wordFor, hugePagesText } from '../config-rules.js';
import { t } from '../i18n.js';

const str = (v) => (v === null || v === undefined ? '' : String(v));

/** A bare input in a table cell as a form-kit field (its error under it). */
function cellField(key, label, value, props = {}) {
    const control = textInput({ 'aria-label': label, value, inputmode: 'numeric', ...props });
    const f = field({ label, key, control });
    f.root.querySelector('label').classList.add('visually-hidden');
    return f;
}

/** ctx: as config-groups.js, plus hostCpus (GET /api/host `cpus`). caps: capabilities. */
export function tuningGroup(ctx, caps) {
    const host = hostCpuCells(caps, ctx.hostCpus);
    const grid = pinGrid(host, `pin-${ctx.uuid.slice(0, 8)}`);
    const f = {
        emulatorpin: field({ label: optionalLabel(t('config.field.emulatorpin')), key: 'emulatorpin', control: textInput({ name: 'emulatorpin' }), hint: t('config.hint.cpuset', { max: String(host.cpuCount - 1) }) }),
        shares: field({ label: optionalLabel(t('config.field.shares')), key: 'cputune.shares', control: textInput({ name: 'shares', inputmode: 'numeric' }) }),
        period: field({ label: optionalLabel(t('config.field.period')), key: 'cputune.period', control: textInput({ name: 'period', inputmode: 'numeric' }) }),
        quota: field({ label: optionalLabel(t('config.field.quota')), key: 'cputune.quota', control: textInput({ name: 'quota' }), hint: t('config.hint.quota') }),
        numa_mode: field({ label: t('config.field.numa-mode'), key: 'numatune.mode', control: selectInput([['', t('config.none')], ...NUMATUNE_MODES.map((m) => [m, wordFor('numa', m)])], { name: 'numa_mode' }) }),
        nodeset: field({ label: t('config.field.nodeset'), key: 'numatune.nodeset', control: textInput({ name: 'nodeset' }), hint: t('config.hint.nodeset', { max: String(host.nodeCount - 1) }) }),
        hugepages: field({ label: t('config.field.hugepages'), key: 'hugepages', control: selectInput([], { name: 'hugepages' }) }),
        weight: field({ label: optionalLabel(t('config.field.blkio-weight')), key: 'blkiotune.weight', control: textInput({ name: 'blkio_weight', inputmode: 'numeric' }), hint: t('config.hint.weight') }),
    };
    f.hugepages.root.querySelector('label').after(pendingBadge('hugepages'));
    const syncNuma = () => { f.nodeset.root.hidden = !f.numa_mode.control.value; };
    f.numa_mode.control.addEventListener('change', syncNuma);
    // guest NUMA cells
    let cells = [];
    const cellBody = h('tbody');
    const cellTable = h('table', { class: 'config-table' },
        h('caption', { class: 'visually-hidden', text: t('config.cells.caption') }),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('config.cells.id') }), h('th', { scope: 'col', text: t('config.cells.cpus') }),
            h('th', { scope: 'col', text: t('config.cells.memory') }), h('td'))),
        cellBody);
    const renderCells = (rows) => {
        cells = rows.map((r, i) => ({
            cpus: cellField(`numa_cells.${i}.cpus`, t('config.cells.cpus-of', { id: String(i) }), r.cpus, { inputmode: 'text' }),
            memory: cellField(`numa_cells.${i}.memory_mib`, t('config.cells.memory-of', { id: String(i) }), r.memory_mib),
        }));
        cellBody.replaceChildren(...cells.map((c, i) => h('tr', { dataset: { cell: String(i) } },
            h('th', { scope: 'row', text: String(i) }), h('td', {}, c.cpus.root), h('td', {}, c.memory.root),
            h('td', {}, h('button', {
                type: 'button', class: 'btn btn-sm', text: t('config.cells.remove'), 'aria-label': t('config.cells.remove-label', { id: String(i) }),
                on: {
                    click: () => {
                        renderCells(cellRows().filter((_, j) => j !== i));
                        card.root.querySelector('form').dispatchEvent(new Event('input'));
                        addCell.focus(); // the button pressed is gone
                    },
                },
            })))));
        cellTable.hidden = !cells.length;
    };
    const cellRows = () => cells.map((c) => ({ cpus: c.cpus.control.value, memory_mib: c.memory.control.value }));
    const addCell = h('button', {
        type: 'button', class: 'btn btn-sm', text: t('config.cells.add'),
        on: { click: () => { renderCells([...cellRows(), { cpus: '', memory_mib: '' }]); cells[cells.length - 1].cpus.control.focus(); card.root.querySelector('form').dispatchEvent(new Event('input')); } },
    });
    // per-disk I/O limits
    let io = [];
    const ioBody = h('tbody');
    const ioTable = h('table', { class: 'config-table' },
        h('caption', { class: 'visually-hidden', text: t('config.iotune.caption') }),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('config.iotune.disk') }),
            IOTUNE_KEYS.map((k) => h('th', { scope: 'col', text: wordFor('iotune', k) })))),
        ioBody);
    const renderIo = (rows) => {
        io = rows.map((r, i) => ({
            target: r.target,
            fields: IOTUNE_KEYS.map((k) => cellField(`iotune.${i}.${k}`, t('config.iotune.cell', { disk: r.target, what: wordFor('iotune', k) }), str(r[k] ?? 0))),
        }));
        ioBody.replaceChildren(...io.map((r) => h('tr', { dataset: { target: r.target } },
            h('th', { scope: 'row' }, h('code', { text: r.target })), r.fields.map((x) => h('td', {}, x.root)))));
    };
    const fields = () => [...Object.values(f), ...grid.fields(), ...cells.flatMap((c) => [c.cpus, c.memory]), ...io.flatMap((r) => r.fields)];
    const values = () => ({
        pins: grid.values(), emulatorpin: f.emulatorpin.control.value.trim(), shares: f.shares.control.value, period: f.period.control.value,
        quota: f.quota.control.value, numa_mode: f.numa_mode.control.value, nodeset: f.nodeset.control.value.trim(),
        hugepages: f.hugepages.control.value, weight: f.weight.control.value, cells: cellRows(),
        iotune: io.map((r) => Object.fromEntries([['target', r.target], ...IOTUNE_KEYS.map((k, j) => [k, r.fields[j].control.value])])),
    });
    const card = configCard({
        id: 'tuning', title: t('config.group.tuning'),
        body: [
            h('h3', { class: 'config-sub', text: t('config.sub.pinning') }), grid.root,
            h('div', { class: 'form-grid' }, f.emulatorpin.root),
            h('h3', { class: 'config-sub', text: t('config.sub.cputune') }),
            h('div', { class: 'form-grid' }, f.shares.root, f.period.root, f.quota.root),
            h('h3', { class: 'config-sub', text: t('config.sub.numa') }),
            h('div', { class: 'form-grid' }, f.numa_mode.root, f.nodeset.root, f.hugepages.root),
            h('div', { class: 'config-cells' }, h('p', { class: 'field-hint', text: t('config.cells.hint') }, pendingBadge('numa_cells')), h('div', { class: 'table-wrap' }, cellTable), addCell),
            h('h3', { class: 'config-sub', text: t('config.sub.io') }),
            h('div', { class: 'form-grid' }, f.weight.root),
            h('p', { class: 'field-hint', text: t('config.iotune.hint') }), h('div', { class: 'table-wrap' }, ioTable),
        ],
        fields,
        check: () => checkTuning(values(), { config: ctx.detail().config }, host),
        keyOf: (k, payload) => formKeyOf(k, payload, io.map((r) => r.target)),
        send: ctx.send, applied: ctx.applied, label: ctx.label, running: ctx.running,
    });
    return {
        card,
        host,
        fill(d) {
            const cfg = d.config || {};
            if (card.dirty()) return;
            const pins = [];
            for (const p of cfg.vcpupin || []) pins[p.vcpu] = parseCpuset(p.cpuset, Number.MAX_SAFE_INTEGER).ids;
            grid.setRows(cfg.max_vcpus || d.vcpus || 0, pins);
            f.emulatorpin.control.value = str(cfg.emulatorpin);
            f.shares.control.value = str(cfg.cputune?.shares);
            f.period.control.value = str(cfg.cputune?.period);
            f.quota.control.value = str(cfg.cputune?.quota);
            f.numa_mode.control.value = cfg.numatune?.mode || '';
            f.nodeset.control.value = cfg.numatune?.nodeset || '';
            const sizes = Array.isArray(caps?.host?.huge_pages_kib) ? caps.host.huge_pages_kib : [];
            const size = cfg.hugepages ? str(cfg.hugepages.size_kib) || 'default' : '';
            setOptions(f.hugepages.control, [['', hugePagesText(null)], ...(size === 'default' ? [['default', hugePagesText({ size_kib: null })]] : []), ...sizes.map((s) => [String(s), hugePagesText({ size_kib: s })]),
                ...(size && size !== 'default' && !sizes.map(String).includes(size) ? [[size, `${size} KiB`]] : [])], size);
            f.weight.control.value = str(cfg.blkiotune?.weight);
            renderCells((cfg.numa_cells || []).map((c) => ({ cpus: c.cpus, memory_mib: str(c.memory_mib) })));
            renderIo(cfg.iotune || []);
            syncNuma();
        },
    };
}
