// views/pool-volumes.js — one storage pool's page (#/storage/<pool>): its usage, its
// volumes (name, format, capacity, allocation, backing, users, a warning for an
// upload cut short) with Download, Resize, Clone, Wipe and Delete, the "New volume"
// form and the upload panel (upload-panel.js). Only admins get the controls that
// change anything. Browser main thread.

import { h, icon } from './dom.js';
import { UploadPanel } from './upload-panel.js';
import { usageBar } from './storage.js';
import {
    activeBadge, canManage, uid, field, textInput, selectInput, checkbox, showErrors, cardForm, formDialog,
} from './form-kit.js';
import {
    actionButton, actionsCell, cell, countText, listCard, reloadOnResourceEvents, renderTable, rowButton, runRowAction,
    showLoadError,
} from './resource-table.js';
import { buildVolumeRequest, buildResizeRequest, POOL_TYPES, VOLUME_FORMATS } from '../storage-rules.js';
import { volumeNameError, sizeInputText } from '../forms.js';
import { formatBytes, orDash, DASH } from '../format.js';
import { contentUrl } from '../upload.js';
import { domainHash, storageHash } from '../router.js';

/** A free "<name>-clone<.ext>" style name for a copy of vol among volumes. */
export function cloneName(vol, volumes) {
    const dot = vol.lastIndexOf('.');
    const stem = dot > 0 ? vol.slice(0, dot) : vol;
    const ext = dot > 0 ? vol.slice(dot) : '';
    const taken = new Set((volumes || []).map((v) => v.name));
    for (let i = 1; i < 1000; i++) {
        const n = `${stem}-clone${i === 1 ? '' : i}${ext}`;
        if (!taken.has(n)) return n;
    }
    return `${stem}-clone${ext}`;
}

export class PoolVolumesView {
    /** ctx: {api, store, notify, confirm}; pool: name from the route. */
    constructor(ctx, pool) {
        this.ctx = ctx;
        this.poolName = pool;
        this.pool = null;
        this.volumes = [];
        this.loadSeq = 0;
    }

    mount(container) {
        const admin = canManage(this.ctx.store);
        this.title = h('h1', { id: 'page-title', class: 'page-title', tabindex: '-1', text: `Pool \u201c${this.poolName}\u201d` });
        this.badge = h('span');
        this.summary = h('div', { class: 'pool-summary' });
        this.toolbar = h('div', { class: 'toolbar' },
            h('button', { type: 'button', class: 'btn', text: 'Reload', on: { click: () => this.load() } }));
        if (admin) {
            this.newBtn = h('button', { type: 'button', class: 'btn', text: 'New volume', 'aria-expanded': 'false', on: { click: () => this.#toggle('new') } });
            this.uploadBtn = h('button', { type: 'button', class: 'btn btn-primary', text: 'Upload', 'aria-expanded': 'false', on: { click: () => this.#toggle('upload') } });
            this.toolbar.append(this.newBtn, this.uploadBtn);
            this.upload = new UploadPanel(this.ctx, this.poolName, {
                volumes: () => this.volumes,
                onDone: () => this.load(),
                onClose: () => this.#toggle(null),
            });
            this.upload.root.hidden = true;
            this.upload.root.id = uid('upload');
            this.uploadBtn.setAttribute('aria-controls', this.upload.root.id);
            this.newForm = this.#buildNewForm();
            this.newForm.root.hidden = true;
            this.newForm.root.id = uid('new-vol');
            this.newBtn.setAttribute('aria-controls', this.newForm.root.id);
        }
        this.list = listCard({ title: 'Volumes', titleId: 'vol-title' });
        this.root = h('div', { class: 'page page-pool' },
            h('a', { class: 'back-link', href: storageHash() }, icon('back'), 'Storage pools'),
            h('div', { class: 'page-head' }, h('div', { class: 'detail-title' }, this.title, this.badge), this.toolbar),
            this.summary,
            this.newForm ? this.newForm.root : null,
            this.upload ? this.upload.root : null,
            this.list.root);
        this.list.body.addEventListener('click', (ev) => this.#onClick(ev));
        container.replaceChildren(this.root);
        document.title = `${this.poolName} \u2014 Storage \u2014 virtdeck`;
        this.stopEvents = reloadOnResourceEvents(this.ctx.store,
            (r) => r.type === 'pool' && r.name === this.poolName, () => this.load());
        this.load();
    }

    destroy() {
        this.loadSeq++;
        this.stopEvents?.();
        this.upload?.destroy();
        this.root?.remove();
    }

    /** Shows or hides the upload panel ("upload") or the new volume form ("new"); null closes the upload. */
    #toggle(which) {
        if (!this.upload) return;
        const up = this.upload;
        const hideUpload = () => { if (!up.busy) up.root.hidden = true; };
        if (which === 'upload') {
            if (up.root.hidden) {
                this.newForm.root.hidden = true;
                up.root.hidden = false;
                up.reset();
                up.focus();
            } else {
                hideUpload();
            }
        } else if (which === 'new') {
            if (this.newForm.root.hidden) {
                hideUpload();
                this.newForm.root.hidden = false;
                this.newForm.reset();
                this.newForm.focus();
            } else {
                this.newForm.root.hidden = true;
            }
        } else {
            hideUpload();
            this.uploadBtn.focus();
        }
        this.uploadBtn.setAttribute('aria-expanded', String(!up.root.hidden));
        this.newBtn.setAttribute('aria-expanded', String(!this.newForm.root.hidden));
    }

    #buildNewForm() {
        const f = {
            name: field({ label: 'Name', key: 'name', control: textInput({ name: 'name', maxlength: '127' }) }),
            capacity: field({ label: 'Capacity', key: 'capacity', control: textInput({ name: 'capacity', placeholder: '10G', class: 'input input-short' }), hint: 'e.g. 10G, 512M, 1.5T (binary units)' }),
            format: field({ label: 'Format', key: 'format', control: selectInput(VOLUME_FORMATS, { name: 'format', value: 'qcow2' }) }),
            backing: field({ label: 'Backing volume (optional)', key: 'backing', control: selectInput([['', 'None']], { name: 'backing' }), hint: 'qcow2 only: the new volume starts as a copy-on-write layer over it.' }),
        };
        const fields = Object.values(f);
        const close = () => {
            this.#toggle('new');
            this.newBtn.focus();
        };
        const card = cardForm({
            title: 'New volume', titleId: 'newvol-title', submitLabel: 'Create volume',
            body: h('div', { class: 'form-grid' }, f.name.root, f.capacity.root, f.format.root, f.backing.root),
            fields: () => fields,
            check: () => buildVolumeRequest({
                name: f.name.control.value, capacity: f.capacity.control.value, format: f.format.control.value,
                backing: f.format.control.value === 'qcow2' ? f.backing.control.value : '',
            }, { available: this.pool?.available_bytes }),
            send: async (payload) => {
                const vol = await this.ctx.api.createVolume(this.poolName, payload);
                this.ctx.notify.info(`Volume \u201c${vol?.name || payload.name}\u201d created.`);
                close();
                await this.load();
            },
            failure: 'The volume was not created',
            onCancel: close,
        });
        const sync = () => { f.backing.root.hidden = f.format.control.value !== 'qcow2'; };
        f.format.control.addEventListener('change', sync);
        return {
            root: card.root,
            reset: () => {
                card.clear();
                const opts = [['', 'None'], ...this.volumes.filter((v) => v.format === 'qcow2' || v.format === 'raw').map((v) => [v.name, `${v.name} (${v.format})`])];
                f.backing.control.replaceChildren(...opts.map(([v, l]) => h('option', { value: v, text: l })));
                sync();
            },
            focus: () => f.name.control.focus(),
        };
    }

    async load() {
        const seq = ++this.loadSeq;
        try {
            const [pool, volumes] = await Promise.all([
                this.ctx.api.pool(this.poolName),
                this.ctx.api.volumes(this.poolName).catch((err) => {
                    if (err.status === 409) return null; // an inactive pool has no volume list
                    throw err;
                }),
            ]);
            if (seq !== this.loadSeq) return;
            this.pool = pool;
            this.volumes = volumes || [];
            this.#renderHead();
            this.#render(volumes === null);
        } catch (err) {
            if (seq !== this.loadSeq || err.status === 401) return;
            const missing = err.status === 404 || err.status === 400;
            this.summary.replaceChildren();
            if (!missing) {
                showLoadError(this.list.body, `Could not read the pool: ${err.message}`, () => this.load());
                return;
            }
            this.list.body.replaceChildren(h('div', { class: 'empty' },
                h('p', { text: `There is no storage pool \u201c${this.poolName}\u201d.` }),
                h('a', { href: storageHash(), text: 'All storage pools' })));
        }
    }

    #renderHead() {
        const p = this.pool;
        this.badge.replaceChildren(activeBadge(p.active));
        this.summary.replaceChildren(h('dl', { class: 'props pool-props card' },
            h('dt', { text: 'Type' }), h('dd', { text: POOL_TYPES[p.type]?.label || orDash(p.type) }),
            h('dt', { text: 'Target path' }), h('dd', {}, p.target_path ? h('code', { class: 'wrap', text: p.target_path }) : DASH),
            h('dt', { text: 'Usage' }), h('dd', {}, usageBar(p, `Usage of ${p.name}`))));
        if (this.uploadBtn) {
            this.uploadBtn.disabled = !p.active;
            this.newBtn.disabled = !p.active;
        }
    }

    #render(inactive) {
        const admin = canManage(this.ctx.store);
        this.list.count.textContent = inactive ? '' : countText(this.volumes.length, 'volume');
        if (inactive) {
            this.list.body.replaceChildren(h('p', { class: 'empty', text: 'The pool is not running: start it on the Storage page to see its volumes.' }));
            return;
        }
        renderTable(this.list.body, {
            items: this.volumes, empty: 'No volumes in this pool yet.', caption: `Volumes of ${this.poolName}`,
            columns: ['Name', 'Format', 'Capacity', 'Allocation', 'Used by', admin && 'Actions'],
            row: (v) => this.#row(v, admin),
        });
    }

    #row(vol, admin) {
        const name = vol.name;
        const users = Array.isArray(vol.used_by) ? vol.used_by : [];
        const btn = (action, label, danger) => rowButton('name', name, action, label, danger);
        return h('tr', { dataset: { name } },
            cell('Name', {},
                h('span', { class: 'res-name wrap', text: name }),
                vol.upload_incomplete ? h('span', { class: 'badge badge-warn', title: 'An upload into this volume did not finish; its content is incomplete.' }, 'incomplete upload') : null,
                vol.backing ? h('span', { class: 'muted small block', text: `on ${vol.backing}` }) : null),
            cell('Format', { text: orDash(vol.format) }),
            cell('Capacity', { class: 'num', text: formatBytes(vol.capacity_bytes) }),
            cell('Allocation', { class: 'num', text: formatBytes(vol.allocation_bytes) }),
            cell('Used by', {}, users.length
                ? h('ul', { class: 'user-list' }, users.map((u) => h('li', {},
                    h('a', { href: domainHash(u.uuid), text: u.name }),
                    h('span', { class: 'muted small', text: ` ${u.target || ''}${u.active ? ' (running)' : ''}` }))))
                : h('span', { class: 'muted', text: 'None' })),
            admin ? actionsCell(name,
                h('a', { class: 'btn btn-sm', href: contentUrl(this.poolName, name), download: name, 'aria-label': `Download ${name}` }, 'Download'),
                btn('resize', 'Resize'), btn('clone', 'Clone'), btn('wipe', 'Wipe', true), btn('delete', 'Delete', true)) : null);
    }

    async #onClick(ev) {
        const btn = actionButton(ev);
        if (!btn) return;
        const { action, name } = btn.dataset;
        const vol = this.volumes.find((v) => v.name === name);
        if (!vol) return;
        const pool = this.poolName;
        const reload = async () => {
            await this.load();
            if (!this.root.contains(document.activeElement)) this.title.focus();
        };
        if (action === 'resize' || action === 'clone') {
            if (await (action === 'resize' ? this.#resize(vol) : this.#clone(vol))) await reload();
            return;
        }
        const wipe = action === 'wipe';
        const changed = await runRowAction(this.ctx, btn, {
            confirm: wipe
                ? { title: `Wipe \u201c${name}\u201d?`, message: 'Every byte of the volume is overwritten with zeros.', detail: 'Its data cannot be recovered.', confirmLabel: 'Wipe' }
                : { title: `Delete \u201c${name}\u201d?`, message: 'The volume and its data are removed from the pool.', detail: 'This cannot be undone.', confirmLabel: 'Delete' },
            run: () => (wipe ? this.ctx.api.volumeAction(pool, name, 'wipe', {}) : this.ctx.api.deleteVolume(pool, name)),
            done: `Volume \u201c${name}\u201d ${wipe ? 'wiped' : 'deleted'}.`,
            failure: `Could not ${action} \u201c${name}\u201d`,
        });
        if (changed) await reload();
    }

    #resize(vol) {
        const size = field({ label: 'New size', key: 'capacity', control: textInput({ value: sizeInputText(vol.capacity_bytes), class: 'input input-short' }), hint: `Now ${formatBytes(vol.capacity_bytes)}. e.g. 20G` });
        const shrink = field({ label: 'Allow shrinking (data past the new end is lost)', inline: true, control: checkbox({}) });
        return formDialog({
            title: `Resize \u201c${vol.name}\u201d`, submitLabel: 'Resize', body: [size.root, shrink.root],
            onSubmit: async (form, errorBox) => {
                const { payload, errors } = buildResizeRequest(size.control.value, vol.capacity_bytes, { shrink: shrink.control.checked });
                if (showErrors([size], errors)) return false;
                try {
                    await this.ctx.api.volumeAction(this.poolName, vol.name, 'resize', payload);
                } catch (err) {
                    errorBox.show(err.message);
                    return false;
                }
                this.ctx.notify.info(`Volume \u201c${vol.name}\u201d resized to ${formatBytes(payload.capacity_bytes)}.`);
                return true;
            },
        });
    }

    #clone(vol) {
        const name = field({ label: 'Name of the copy', key: 'name', control: textInput({ value: cloneName(vol.name, this.volumes), maxlength: '127' }) });
        return formDialog({
            title: `Clone \u201c${vol.name}\u201d`, description: 'A full copy in the same pool, with the same format.',
            submitLabel: 'Clone', body: [name.root],
            onSubmit: async (form, errorBox) => {
                const n = name.control.value.trim();
                const e = volumeNameError(n) || (this.volumes.some((v) => v.name === n) ? 'A volume with this name exists.' : '');
                if (showErrors([name], { name: e })) return false;
                try {
                    await this.ctx.api.volumeAction(this.poolName, vol.name, 'clone', { name: n });
                } catch (err) {
                    errorBox.show(err.message);
                    return false;
                }
                this.ctx.notify.info(`\u201c${vol.name}\u201d cloned to \u201c${n}\u201d.`);
                return true;
            },
        });
    }
}
