// views/domain-disks.js — the "Disks" tab of a VM's page: its disks and CD-ROM drives,
// attaching an existing or a new volume (bus, target, cache, I/O, read-only) or an ISO
// as a CD-ROM, detaching, and inserting/ejecting a CD-ROM's medium. Admins only get
// the controls; the list re-renders when the VM's detail changes (the answers of
// these requests are stored as the new detail). Same interface as the console views
// for detail-tabs.js: mount, update(domain), suspend, connect, destroy. Browser main
// thread.

import { h } from './dom.js';
import { VolumePicker } from './volume-picker.js';
import {
    field, textInput, selectInput, checkbox, showErrors, serverErrorBox, setBusy, canManage, reportError, formDialog, uid,
} from './form-kit.js';
import { DISK_BUSES, DISK_CACHES, DISK_IOS, buildDiskRequest, nextDiskTarget } from '../device-rules.js';
import { formatBool, orDash } from '../format.js';

/**
 * Stores a device request's answer — the VM's detail, or {detail, pending} (a detach
 * the guest still has to agree to, 202) or {detail, next_boot} (a change that applies
 * at the next boot) — else reads the detail again. Returns " ..." text to add to the
 * confirmation for the pending and next-boot cases ("" otherwise).
 */
export async function refreshDetail(ctx, uuid, answer) {
    const detail = answer && answer.detail && typeof answer.detail === 'object' ? answer.detail : answer;
    if (detail && typeof detail.uuid === 'string' && Array.isArray(detail.disks)) {
        ctx.store.setDetail(detail);
    } else {
        try {
            ctx.store.setDetail(await ctx.api.domain(uuid));
        } catch { /* the page's own loading shows lasting trouble */ }
    }
    if (answer && answer.pending === true) return ' The guest was asked to release it; it disappears once the guest agrees.';
    if (answer && answer.next_boot === true) return ' The change applies at the next boot.';
    return '';
}

export class DomainDisksView {
    /** ctx: {api, store, notify, confirm}; vm: {uuid, name}. */
    constructor(ctx, vm) {
        this.ctx = ctx;
        this.uuid = vm.uuid;
        this.name = vm.name;
        this.domain = null;
        this.key = '';
    }

    mount(panel) {
        const admin = canManage(this.ctx.store);
        this.list = h('div', { class: 'table-wrap' });
        this.attachBtn = admin ? h('button', { type: 'button', class: 'btn btn-primary', text: 'Attach disk', 'aria-expanded': 'false', on: { click: () => this.#toggleForm() } }) : null;
        this.form = admin ? this.#buildForm() : null;
        if (this.form) {
            this.form.root.hidden = true;
            this.form.root.id = uid('disk-form');
            this.attachBtn.setAttribute('aria-controls', this.form.root.id);
        }
        this.root = h('div', { class: 'device-tab' },
            h('div', { class: 'section-head plain' }, h('h2', { class: 'card-title', text: 'Disks and CD-ROM drives' }), this.attachBtn),
            this.form ? this.form.root : null,
            h('section', { class: 'card list-card' }, this.list));
        this.list.addEventListener('click', (ev) => this.#onClick(ev));
        panel.replaceChildren(this.root);
    }

    update(domain) {
        this.domain = domain;
        this.name = domain.name || this.name;
        const key = JSON.stringify([domain.disks, domain.state]);
        if (key === this.key) return;
        this.key = key;
        this.#render();
    }

    suspend() {}

    connect() {}

    destroy() {
        this.root?.remove();
    }

    #render() {
        const admin = canManage(this.ctx.store);
        const disks = (this.domain && Array.isArray(this.domain.disks)) ? this.domain.disks : [];
        const focusKey = document.activeElement?.dataset?.focusKey;
        if (!disks.length) {
            this.list.replaceChildren(h('p', { class: 'empty', text: 'This VM has no disks.' }));
            return;
        }
        const cols = ['Target', 'Device', 'Bus', 'Source', 'Format', 'Read-only', admin ? 'Actions' : null].filter(Boolean);
        this.list.replaceChildren(h('table', { class: 'rtable res-table' },
            h('caption', { class: 'visually-hidden', text: `Disks of ${this.name}` }),
            h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', text: c })))),
            h('tbody', {}, disks.map((d) => {
                const t = d.target || '';
                const btn = (action, label, danger = false) => h('button', {
                    type: 'button', class: ['btn', 'btn-sm', danger && 'btn-danger-outline'],
                    dataset: { action, target: t, focusKey: `${t}|${action}` }, 'aria-label': `${label} ${t}`,
                }, label);
                const cd = d.device === 'cdrom';
                return h('tr', { dataset: { target: t } },
                    h('td', { 'data-label': 'Target' }, h('code', { text: orDash(t) })),
                    h('td', { 'data-label': 'Device', text: cd ? 'CD-ROM' : orDash(d.device) }),
                    h('td', { 'data-label': 'Bus', text: orDash(d.bus) }),
                    h('td', { 'data-label': 'Source' }, d.source ? h('code', { class: 'wrap', text: d.source }) : h('span', { class: 'muted', text: cd ? 'Empty' : '\u2014' })),
                    h('td', { 'data-label': 'Format', text: orDash(d.format) }),
                    h('td', { 'data-label': 'Read-only', text: formatBool(d.readonly) }),
                    admin ? h('td', { 'data-label': 'Actions', class: 'col-actions' },
                        h('div', { class: 'actions', role: 'group', 'aria-label': `Actions for ${t}` },
                            cd ? btn('insert', d.source ? 'Change ISO' : 'Insert ISO') : null,
                            cd && d.source ? btn('eject', 'Eject') : null,
                            btn('detach', 'Detach', true))) : null);
            }))));
        if (focusKey) this.list.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
    }

    #buildForm() {
        const f = {};
        f.device = field({ label: 'Device', key: 'device', control: selectInput([['disk', 'Disk'], ['cdrom', 'CD-ROM (ISO image)']], { name: 'device', value: 'disk' }) });
        f.source = field({ label: 'Use', key: 'source', control: selectInput([['existing', 'An existing volume'], ['new', 'A new volume']], { name: 'source', value: 'existing' }) });
        this.picker = new VolumePicker(this.ctx);
        f.name = field({ label: 'New volume name', key: 'name', control: textInput({ name: 'name', maxlength: '127' }) });
        f.capacity = field({ label: 'Capacity', key: 'capacity', control: textInput({ name: 'capacity', placeholder: '10G', class: 'input input-short' }), hint: 'e.g. 10G, 512M' });
        f.format = field({ label: 'Format', key: 'format', control: selectInput(['qcow2', 'raw'], { name: 'format', value: 'qcow2' }) });
        f.bus = field({ label: 'Bus', key: 'bus', control: selectInput(DISK_BUSES.map((b) => [b, b === 'virtio' ? 'virtio (fastest)' : b.toUpperCase()]), { name: 'bus', value: 'virtio' }) });
        f.target = field({ label: 'Target (optional)', key: 'target', control: textInput({ name: 'target', class: 'input input-short' }), hint: 'Device name in the VM; empty picks the next free one.' });
        f.cache = field({ label: 'Cache', key: 'cache', control: selectInput(DISK_CACHES.map((c) => [c, c || 'Default'])) });
        f.io = field({ label: 'I/O', key: 'io', control: selectInput(DISK_IOS.map((c) => [c, c || 'Default'])) });
        f.readonly = field({ label: 'Read-only', inline: true, control: checkbox({ name: 'readonly' }) });
        f.pool = this.picker.pool;
        f.volume = this.picker.volume;
        const errorBox = serverErrorBox();
        const submit = h('button', { type: 'submit', class: 'btn btn-primary', text: 'Attach' });
        const cancel = h('button', { type: 'button', class: 'btn', text: 'Cancel', on: { click: () => this.#toggleForm(false) } });
        const newPart = h('div', { class: 'form-grid' }, f.name.root, f.capacity.root, f.format.root);
        const form = h('form', { class: 'form', novalidate: true, 'aria-labelledby': 'disk-form-title' },
            h('h3', { class: 'card-title', id: 'disk-form-title', text: 'Attach a disk' }),
            h('div', { class: 'form-grid' }, f.device.root, f.source.root, f.pool.root, f.volume.root),
            newPart,
            h('div', { class: 'form-grid' }, f.bus.root, f.target.root, f.cache.root, f.io.root, f.readonly.root),
            errorBox.root, h('div', { class: 'form-buttons' }, cancel, submit));
        const root = h('section', { class: 'card form-card' }, form);
        const sync = () => {
            const cd = f.device.control.value === 'cdrom';
            f.source.root.hidden = cd;
            const fresh = !cd && f.source.control.value === 'new';
            newPart.hidden = !fresh;
            f.volume.root.hidden = fresh;
            f.readonly.root.hidden = cd;
            this.picker.setIsoOnly(cd);
            f.volume.root.querySelector('label').textContent = cd ? 'ISO image' : 'Volume';
            if (cd && f.bus.control.value === 'virtio') f.bus.control.value = 'sata';
            f.target.control.placeholder = nextDiskTarget(f.bus.control.value, this.domain?.disks);
        };
        f.device.control.addEventListener('change', sync);
        f.source.control.addEventListener('change', sync);
        f.bus.control.addEventListener('change', sync);
        const fields = Object.values(f);
        form.addEventListener('submit', async (ev) => {
            ev.preventDefault();
            if (submit.disabled) return;
            errorBox.clear();
            const values = {
                device: f.device.control.value, source: f.source.control.value, pool: this.picker.poolName(),
                volume: f.volume.control.value, name: f.name.control.value, capacity: f.capacity.control.value,
                format: f.format.control.value, bus: f.bus.control.value, target: f.target.control.value,
                cache: f.cache.control.value, io: f.io.control.value, readonly: f.readonly.control.checked,
            };
            const { payload, errors } = buildDiskRequest(values, { disks: this.domain?.disks });
            if (showErrors(fields, errors)) return;
            setBusy(submit, true);
            try {
                const answer = await this.ctx.api.attachDisk(this.uuid, payload);
                this.#toggleForm(false);
                const more = await refreshDetail(this.ctx, this.uuid, answer);
                this.ctx.notify.info(`${payload.device === 'cdrom' ? 'CD-ROM' : 'Disk'} attached to \u201c${this.name}\u201d.${more}`);
            } catch (err) {
                if (err.status !== 401) errorBox.show(`Not attached: ${err.message}`);
            } finally {
                setBusy(submit, false);
            }
        });
        form.addEventListener('keydown', (ev) => {
            if (ev.key === 'Escape') {
                ev.preventDefault();
                this.#toggleForm(false);
            }
        });
        return {
            root,
            reset: () => {
                form.reset();
                errorBox.clear();
                showErrors(fields, {}, { focus: false });
                sync();
                this.picker.load();
            },
            focus: () => f.device.control.focus(),
        };
    }

    #toggleForm(open = this.form.root.hidden) {
        this.form.root.hidden = !open;
        this.attachBtn.setAttribute('aria-expanded', String(open));
        if (open) {
            this.form.reset();
            this.form.focus();
        } else {
            this.attachBtn.focus();
        }
    }

    async #onClick(ev) {
        const btn = ev.target.closest('button[data-action]');
        if (!btn || btn.disabled) return;
        const { action, target } = btn.dataset;
        if (action === 'insert') {
            await this.#insert(target);
            return;
        }
        const running = this.domain && this.domain.state !== 'shutoff';
        if (action === 'detach') {
            const ok = await this.ctx.confirm({
                title: `Detach ${target} from \u201c${this.name}\u201d?`,
                message: running ? 'The device is removed from the running VM and from its configuration.' : 'The device is removed from the VM\u2019s configuration.',
                detail: 'The volume itself stays in its pool.', confirmLabel: 'Detach', danger: true,
            });
            if (!ok) return;
        }
        setBusy(btn, true);
        try {
            const answer = action === 'eject'
                ? await this.ctx.api.changeMedia(this.uuid, target, null)
                : await this.ctx.api.detachDisk(this.uuid, target);
            const more = await refreshDetail(this.ctx, this.uuid, answer);
            this.ctx.notify.info(`${action === 'eject' ? `Ejected the medium of ${target}.` : `${target} detached.`}${more}`);
        } catch (err) {
            reportError(this.ctx.notify, `Could not ${action} ${target}`, err);
        } finally {
            setBusy(btn, false);
            if (!this.root.contains(document.activeElement)) this.list.querySelector('button')?.focus();
        }
    }

    #insert(target) {
        const picker = new VolumePicker(this.ctx, { isoOnly: true, volumeLabel: 'ISO image' });
        picker.load();
        return formDialog({
            title: `Insert an ISO into ${target}`, submitLabel: 'Insert', body: [picker.pool.root, picker.volume.root],
            onSubmit: async (form, errorBox) => {
                const pool = picker.poolName();
                const volume = picker.volume.control.value;
                if (showErrors([picker.pool, picker.volume], { pool: pool ? '' : 'Choose a storage pool.', volume: volume ? '' : 'Choose an ISO image.' })) return false;
                let answer;
                try {
                    answer = await this.ctx.api.changeMedia(this.uuid, target, { pool, volume });
                } catch (err) {
                    errorBox.show(err.message);
                    return false;
                }
                const more = await refreshDetail(this.ctx, this.uuid, answer);
                this.ctx.notify.info(`Inserted \u201c${volume}\u201d into ${target}.${more}`);
                return true;
            },
        });
    }
}
