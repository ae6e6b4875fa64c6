// views/domain-disks.js — the "Disks" tab of a VM's page: its disks and CD-ROM drives,
// attaching an existing or a new volume (bus, target, cache, I/O, read-only) or an ISO
// as a CD-ROM, detaching, and inserting/ejecting a CD-ROM's medium. Admins only get
// the controls; the list re-renders when the VM's detail changes (the answers of
// these requests are stored as the new detail). A DeviceTab (device-tab.js). Browser
// main thread.

import { h } from './dom.js';
import { VolumePicker } from './volume-picker.js';
import { field, textInput, selectInput, checkbox, showErrors, canManage, cardForm, formDialog } from './form-kit.js';
import { actionButton, actionsCell, cell, renderTable, rowButton, runRowAction } from './resource-table.js';
import { DeviceTab, refreshDetail } from './device-tab.js';
import { DISK_BUSES, DISK_CACHES, DISK_IOS, buildDiskRequest, nextDiskTarget } from '../device-rules.js';
import { formatBool, orDash } from '../format.js';

export class DomainDisksView extends DeviceTab {
    /** ctx: {api, store, notify, confirm}; vm: {uuid, name}. */
    constructor(ctx, vm) {
        super(ctx, vm, 'disks', { title: 'Disks and CD-ROM drives', attachLabel: 'Attach disk', formId: 'disk-form' });
    }

    render() {
        const admin = canManage(this.ctx.store);
        renderTable(this.list, {
            items: this.items(),
            empty: 'This VM has no disks.', caption: `Disks of ${this.name}`,
            columns: ['Target', 'Device', 'Bus', 'Source', 'Format', 'Read-only', admin && 'Actions'],
            row: (d) => {
                const t = d.target || '';
                const btn = (action, label, danger) => rowButton('target', t, action, label, danger);
                const cd = d.device === 'cdrom';
                return h('tr', { dataset: { target: t } },
                    cell('Target', {}, h('code', { text: orDash(t) })),
                    cell('Device', { text: cd ? 'CD-ROM' : orDash(d.device) }),
                    cell('Bus', { text: orDash(d.bus) }),
                    cell('Source', {}, d.source ? h('code', { class: 'wrap', text: d.source }) : h('span', { class: 'muted', text: cd ? 'Empty' : '\u2014' })),
                    cell('Format', { text: orDash(d.format) }),
                    cell('Read-only', { text: formatBool(d.readonly) }),
                    admin ? actionsCell(t,
                        cd ? btn('insert', d.source ? 'Change ISO' : 'Insert ISO') : null,
                        cd && d.source ? btn('eject', 'Eject') : null,
                        btn('detach', 'Detach', true)) : null);
            },
        });
    }

    buildForm(close) {
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
        const newPart = h('div', { class: 'form-grid' }, f.name.root, f.capacity.root, f.format.root);
        const fields = Object.values(f);
        const card = cardForm({
            title: 'Attach a disk', titleId: 'disk-form-title', level: 'h3', submitLabel: 'Attach',
            body: [
                h('div', { class: 'form-grid' }, f.device.root, f.source.root, f.pool.root, f.volume.root),
                newPart,
                h('div', { class: 'form-grid' }, f.bus.root, f.target.root, f.cache.root, f.io.root, f.readonly.root),
            ],
            fields: () => fields,
            check: () => buildDiskRequest({
                device: f.device.control.value, source: f.source.control.value, pool: this.picker.poolName(),
                volume: f.volume.control.value, name: f.name.control.value, capacity: f.capacity.control.value,
                format: f.format.control.value, bus: f.bus.control.value, target: f.target.control.value,
                cache: f.cache.control.value, io: f.io.control.value, readonly: f.readonly.control.checked,
            }, { disks: this.domain?.disks }),
            send: async (payload) => {
                const answer = await this.ctx.api.attachDisk(this.uuid, payload);
                close(false);
                const more = await refreshDetail(this.ctx, this.uuid, answer);
                this.ctx.notify.info(`${payload.device === 'cdrom' ? 'CD-ROM' : 'Disk'} attached to \u201c${this.name}\u201d.${more}`);
            },
            failure: 'Not attached',
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
            f.volume.root.querySelector('label').textContent = cd ? 'ISO image' : 'Volume';
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
        await runRowAction(this.ctx, btn, {
            confirm: action === 'detach' ? {
                title: `Detach ${target} from \u201c${this.name}\u201d?`,
                message: running ? 'The device is removed from the running VM and from its configuration.' : 'The device is removed from the VM\u2019s configuration.',
                detail: 'The volume itself stays in its pool.', confirmLabel: 'Detach',
            } : null,
            run: async () => refreshDetail(this.ctx, this.uuid, action === 'eject'
                ? await this.ctx.api.changeMedia(this.uuid, target, null)
                : await this.ctx.api.detachDisk(this.uuid, target)),
            done: (more) => `${action === 'eject' ? `Ejected the medium of ${target}.` : `${target} detached.`}${more}`,
            failure: `Could not ${action} ${target}`,
            after: () => {
                if (!this.root.contains(document.activeElement)) this.list.querySelector('button')?.focus();
            },
        });
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
