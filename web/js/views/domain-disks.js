// SPDX-License-Identifier: LGPL-2.1-or-later
// views/domain-disks.js — the "Disks" tab of a VM's page: its disks and CD-ROM drives,
// attaching an existing or a new volume (bus, target, cache, I/O, read-only) or an ISO
// as a CD-ROM, detaching, and inserting/ejecting a CD-ROM's medium. Admins only get
// the controls; the list re-renders when the VM's detail changes (the answers of
// these requests are stored as the new detail). A DeviceTab (device-tab.js). Browser
// main thread.

import { h, pathCode } from './dom.js';
import { VolumePicker } from './volume-picker.js';
import { field, textInput, selectInput, checkbox, showErrors, canManage, cardForm, formDialog, errorMessage, optionalLabel } from './form-kit.js';
import { actionButton, actionsCell, actionsLabel, cell, renderTable, rowButton, runRowAction } from './resource-table.js';
import { DeviceTab, refreshDetail, withNote } from './device-tab.js';
import { DISK_BUSES, DISK_CACHES, DISK_IOS, buildDiskRequest, nextDiskTarget, otherUsers, poolOfPath, volumeAttachRule } from '../device-rules.js';
import { usersList, nameList } from '../network-rules.js';
import { storeStateOf } from './in-use.js';
import { formatBool, orDash, DASH } from '../format.js';
import { t } from '../i18n.js';

/** The disk list's column names (also each cell's data-label), in the current language. */
function columnLabels() {
    return {
        target: t('devices.disk.column.target'), device: t('devices.disk.column.device'), bus: t('devices.disk.column.bus'),
        source: t('devices.disk.column.source'), format: t('devices.disk.column.format'),
        readonly: t('devices.disk.column.readonly'),
    };
}

/** A disk's device kind as the list names it (the API's id for kinds it does not know). */
function deviceLabel(device) {
    const names = {
        cdrom: () => t('devices.disk.device.cdrom'), disk: () => t('devices.disk.device.disk'),
        floppy: () => t('devices.disk.device.floppy'), lun: () => t('devices.disk.device.lun'),
    };
    return Object.hasOwn(names, device) ? names[device]() : orDash(device);
}

export class DomainDisksView extends DeviceTab {
    /** ctx: {api, store, notify, confirm}; vm: {uuid, name}. */
    constructor(ctx, vm) {
        super(ctx, vm, 'disks', 'disk-form', () => ({ title: t('devices.disks.title'), attachLabel: t('devices.disks.attach') }));
    }

    render() {
        const admin = canManage(this.ctx.store);
        const c = columnLabels();
        renderTable(this.list, {
            items: this.items(),
            empty: t('devices.disks.empty'), caption: t('devices.disks.caption', { name: this.name }),
            columns: [c.target, c.device, c.bus, c.source, c.format, c.readonly, admin && actionsLabel()],
            row: (d) => {
                const target = d.target || '';
                const btn = (action, label, danger) => rowButton('target', target, action, label, danger);
                const cd = d.device === 'cdrom';
                return h('tr', { dataset: { target } },
                    cell(c.target, {}, h('code', { text: orDash(target) })),
                    cell(c.device, { text: deviceLabel(d.device) }),
                    cell(c.bus, { text: orDash(d.bus) }),
                    cell(c.source, {}, d.source ? pathCode(d.source) : h('span', { class: 'muted', text: cd ? t('devices.disk.empty-drive') : DASH })),
                    cell(c.format, { text: orDash(d.format) }),
                    cell(c.readonly, { text: formatBool(d.readonly) }),
                    admin ? actionsCell(target,
                        cd ? btn('insert', d.source ? t('devices.disk.action.change-iso') : t('devices.disk.action.insert-iso')) : null,
                        cd && d.source ? btn('eject', t('devices.disk.action.eject')) : null,
                        btn('detach', t('devices.action.detach'), true)) : null);
            },
        });
    }

    buildForm(close) {
        const f = {};
        f.device = field({ label: t('devices.disk.field.device'), key: 'device', control: selectInput([['disk', t('devices.disk.field.device.disk')], ['cdrom', t('devices.disk.field.device.cdrom')]], { name: 'device', value: 'disk' }) });
        f.source = field({ label: t('devices.disk.field.source'), key: 'source', control: selectInput([['existing', t('devices.disk.field.source.existing')], ['new', t('devices.disk.field.source.new')]], { name: 'source', value: 'existing' }) });
        this.picker = new VolumePicker(this.ctx, { uuid: this.uuid });
        f.name = field({ label: t('devices.disk.field.name'), key: 'name', control: textInput({ name: 'name', }) });
        f.capacity = field({ label: t('storage.volume.field.capacity'), key: 'capacity', control: textInput({ name: 'capacity', placeholder: '10G', class: 'input input-short' }), hint: t('devices.disk.field.capacity.hint') });
        f.format = field({ label: t('storage.volume.field.format'), key: 'format', control: selectInput(['qcow2', 'raw'], { name: 'format', value: 'qcow2' }) });
        f.bus = field({ label: t('devices.disk.field.bus'), key: 'bus', control: selectInput(DISK_BUSES.map((b) => [b, b === 'virtio' ? t('devices.virtio-fastest') : b.toUpperCase()]), { name: 'bus', value: 'virtio' }) });
        f.target = field({ label: optionalLabel(t('devices.disk.field.target')), key: 'target', control: textInput({ name: 'target', class: 'input input-short' }), hint: t('devices.disk.field.target.hint') });
        f.cache = field({ label: t('devices.disk.field.cache'), key: 'cache', control: selectInput(DISK_CACHES.map((x) => [x, x || t('devices.disk.default')])) });
        f.io = field({ label: t('devices.disk.field.io'), key: 'io', control: selectInput(DISK_IOS.map((x) => [x, x || t('devices.disk.default')])) });
        f.readonly = field({ label: t('devices.disk.field.readonly'), inline: true, control: checkbox({ name: 'readonly' }) });
        f.pool = this.picker.pool;
        f.volume = this.picker.volume;
        const newPart = h('div', { class: 'form-grid' }, f.name.root, f.capacity.root, f.format.root);
        const fields = Object.values(f);
        const card = cardForm({
            title: t('devices.disk.form.title'), titleId: 'disk-form-title', level: 'h3', submitLabel: t('devices.action.attach'),
            body: [
                h('div', { class: 'form-grid' }, f.device.root, f.source.root, f.pool.root, f.volume.root),
                newPart,
                h('div', { class: 'form-grid' }, f.bus.root, f.target.root, f.cache.root, f.io.root, f.readonly.root),
            ],
            fields: () => fields,
            check: () => {
                const r = buildDiskRequest({
                    device: f.device.control.value, source: f.source.control.value, pool: this.picker.poolName(),
                    volume: f.volume.control.value, name: f.name.control.value, capacity: f.capacity.control.value,
                    format: f.format.control.value, bus: f.bus.control.value, target: f.target.control.value,
                    cache: f.cache.control.value, io: f.io.control.value, readonly: f.readonly.control.checked,
                }, { disks: this.domain?.disks });
                const vol = r.payload?.source ? this.picker.chosenVolume() : null;
                // The server refuses a volume this VM already has (device_vol_unused).
                if (vol && volumeAttachRule(vol, this.uuid).attached) {
                    return { payload: null, errors: { ...r.errors, volume: t('devices.error.volume-attached') } };
                }
                return r;
            },
            send: async (payload) => {
                const vol = payload.source ? this.picker.chosenVolume() : null;
                const others = vol ? volumeAttachRule(vol, this.uuid).others : [];
                if (others.length && payload.device === 'disk' && !(await this.ctx.confirm({
                    title: t('devices.disk.shared.title', { volume: vol.name }),
                    message: t('devices.disk.shared.message', { volume: vol.name, vms: nameList(others.map((u) => u.name)) }),
                    detail: t('devices.disk.shared.detail'), confirmLabel: t('devices.disk.shared.confirm'), danger: true,
                }))) return;
                const answer = await this.ctx.api.attachDisk(this.uuid, payload);
                close(false);
                const more = await refreshDetail(this.ctx, this.uuid, answer);
                const done = payload.device === 'cdrom' ? t('devices.disk.cdrom-attached', { name: this.name })
                    : t('devices.disk.attached', { name: this.name });
                this.ctx.notify.info(withNote(done, more));
            },
            failure: t('devices.attach-failed'),
            onCancel: () => close(false),
        });
        const sync = () => {
            const cd = f.device.control.value === 'cdrom';
            f.source.root.hidden = cd;
            const fresh = !cd && f.source.control.value === 'new';
            newPart.hidden = !fresh;
            f.volume.root.hidden = fresh;
            f.readonly.root.hidden = cd;
            this.picker.setIsoOnly(cd);
            f.volume.root.querySelector('label').textContent = cd ? t('devices.field.iso') : t('devices.field.volume');
            if (cd && f.bus.control.value === 'virtio') f.bus.control.value = 'sata';
            f.target.control.placeholder = nextDiskTarget(f.bus.control.value, this.domain?.disks);
        };
        f.device.control.addEventListener('change', sync);
        f.source.control.addEventListener('change', sync);
        f.bus.control.addEventListener('change', sync);
        return {
            root: card.root,
            reset: () => {
                card.clear();
                sync();
                this.picker.load();
            },
            focus: () => f.device.control.focus(),
        };
    }

    async onClick(ev) {
        const btn = actionButton(ev);
        if (!btn) return;
        const { action, target } = btn.dataset;
        if (action === 'insert') {
            await this.#insert(target);
            return;
        }
        const running = this.domain && this.domain.state !== 'shutoff';
        const disk = (this.items() || []).find((d) => d && d.target === target);
        await runRowAction(this.ctx, btn, {
            confirm: action === 'detach' ? {
                title: t('devices.disk.detach.confirm.title', { target, name: this.name }),
                message: running ? t('devices.disk.detach.confirm.message-running') : t('devices.disk.detach.confirm.message'),
                detail: t('devices.disk.detach.confirm.detail'), confirmLabel: t('devices.action.detach'),
                warnings: running ? [t('devices.disk.detach.running-warning')] : [],
                usage: disk && disk.source ? () => this.#sharers(disk.source) : null,
            } : null,
            run: async () => refreshDetail(this.ctx, this.uuid, action === 'eject'
                ? await this.ctx.api.changeMedia(this.uuid, target, null)
                : await this.ctx.api.detachDisk(this.uuid, target)),
            done: (more) => withNote(action === 'eject' ? t('devices.disk.ejected', { target }) : t('devices.disk.detached', { target }), more),
            failure: action === 'eject' ? t('devices.disk.eject-failed', { target }) : t('devices.disk.detach-failed', { target }),
            after: () => {
                if (!this.root.contains(document.activeElement)) this.list.querySelector('button')?.focus();
            },
        });
    }

    /**
     * The other VMs that use the volume at path (its pool found by its directory, the
     * volume by its path), read fresh, for the detach confirmation.
     */
    async #sharers(path) {
        const pool = poolOfPath((await this.ctx.api.pools()).filter((p) => p.active), path);
        const vol = pool ? (await this.ctx.api.volumes(pool.name)).find((v) => v.path === path) : null;
        const others = otherUsers(vol ? vol.used_by : [], this.uuid);
        return {
            heading: t('devices.disk.detach.shared-heading'), users: usersList(others, storeStateOf(this.ctx.store)),
            none: t('devices.disk.detach.shared-none'),
        };
    }

    #insert(target) {
        const picker = new VolumePicker(this.ctx, { isoOnly: true, volumeLabel: t('devices.field.iso') });
        picker.load();
        return formDialog({
            title: t('devices.disk.insert.title', { target }), submitLabel: t('devices.disk.insert.submit'), body: [picker.pool.root, picker.volume.root],
            onSubmit: async (form, errorBox) => {
                const pool = picker.poolName();
                const volume = picker.volume.control.value;
                if (showErrors([picker.pool, picker.volume], { pool: pool ? '' : t('devices.error.pool-choose'), volume: volume ? '' : t('devices.error.iso-choose') })) return false;
                let answer;
                try {
                    answer = await this.ctx.api.changeMedia(this.uuid, target, { pool, volume });
                } catch (err) {
                    errorBox.show(errorMessage(err));
                    return false;
                }
                const more = await refreshDetail(this.ctx, this.uuid, answer);
                this.ctx.notify.info(withNote(t('devices.disk.inserted', { volume, target }), more));
                return true;
            },
        });
    }
}
