// SPDX-License-Identifier: LGPL-2.1-or-later
// views/pool-volumes.js — one storage pool's page (#/storage/<pool>): its usage, its
// volumes (name, format, capacity, allocation, backing, users, a warning for an
// upload cut short) with Download, Resize, Clone, Wipe and Delete, the "New volume"
// form and the upload panel (upload-panel.js). Only admins get the controls that
// change anything. Browser main thread.

import { h, icon, pathCode } from './dom.js';
import { UploadPanel } from './upload-panel.js';
import {
    activeBadge, canManage, uid, field, textInput, selectInput, checkbox, showErrors, cardForm, formDialog, errorMessage,
    optionalLabel, placeServerError, reportError,
} from './form-kit.js';
import {
    actionButton, actionsCell, actionsLabel, cell, listCard, reloadOnResourceEvents, renderTable, rowButton, rowLabel,
    runRowAction, showLoadError,
} from './resource-table.js';
import { poolTypeLabel, usageBar } from './storage.js';
import { buildVolumeRequest, buildResizeRequest, VOLUME_FORMATS, volumeBlockers } from '../storage-rules.js';
import { usersList, userState } from '../network-rules.js';
import { stateLabel } from '../domains.js';
import { storeStateOf, watchUserStates } from './in-use.js';
import { volumeNameError, sizeInputText, sizeRangeText } from '../forms.js';
import { formatBytes, orDash, DASH } from '../format.js';
import { contentUrl, probeDownload } from '../upload.js';
import { domainHash, storageHash } from '../router.js';
import { t } from '../i18n.js';

/** The volume list's column names (also each cell's data-label), in the current language. */
function columnLabels() {
    return {
        name: t('resources.column.name'), format: t('storage.volume.column.format'),
        capacity: t('storage.volume.column.capacity'), allocation: t('storage.volume.column.allocation'),
        usedBy: t('resources.column.used-by'),
    };
}

/** A volume's row actions that run at once (after a confirmation): their texts. */
const VOLUME_ACTIONS = {
    wipe: (name) => ({
        confirm: {
            title: t('storage.volume.wipe.confirm.title', { name }), message: t('storage.volume.wipe.confirm.message'),
            detail: t('storage.volume.wipe.confirm.detail'), confirmLabel: t('storage.volume.action.wipe'),
        },
        done: t('storage.volume.wiped', { name }), failure: t('storage.volume.wipe-failed', { name }),
    }),
    delete: (name) => ({
        confirm: {
            title: t('storage.volume.delete.confirm.title', { name }), message: t('storage.volume.delete.confirm.message'),
            detail: t('storage.volume.delete.confirm.detail'), confirmLabel: t('storage.volume.action.delete'),
        },
        done: t('storage.volume.deleted', { name }), failure: t('storage.volume.delete-failed', { name }),
    }),
};

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

/** " vda (paused)": the disk's target and, unless shut off, the state the store shows. */
function volumeUserText(user, stateOf) {
    const state = userState(user, stateOf);
    const target = user.target || '';
    return state === 'shutoff' ? t('storage.volume.user', { target }) : t('storage.volume.user.state', { target, state: stateLabel(state) });
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
        this.title = h('h1', { id: 'page-title', class: 'page-title', tabindex: '-1', text: t('storage.pool.title', { name: this.poolName }) });
        this.badge = h('span');
        this.summary = h('div', { class: 'pool-summary' });
        this.toolbar = h('div', { class: 'toolbar' },
            h('button', { type: 'button', class: 'btn', text: t('storage.reload'), on: { click: () => this.load() } }));
        if (admin) {
            this.newBtn = h('button', { type: 'button', class: 'btn', text: t('storage.volume.new'), 'aria-expanded': 'false', on: { click: () => this.#toggle('new') } });
            this.uploadBtn = h('button', { type: 'button', class: 'btn btn-primary', text: t('upload.open'), 'aria-expanded': 'false', on: { click: () => this.#toggle('upload') } });
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
        this.list = listCard({ title: t('storage.volumes.title'), titleId: 'vol-title' });
        this.root = h('div', { class: 'page page-pool' },
            h('a', { class: 'back-link', href: storageHash() }, icon('back'), t('storage.title')),
            h('div', { class: 'page-head' }, h('div', { class: 'detail-title' }, this.title, this.badge), this.toolbar),
            this.summary,
            this.newForm ? this.newForm.root : null,
            this.upload ? this.upload.root : null,
            this.list.root);
        this.list.body.addEventListener('click', (ev) => this.#onClick(ev));
        container.replaceChildren(this.root);
        document.title = t('storage.pool.document-title', { name: this.poolName });
        this.stopEvents = reloadOnResourceEvents(this.ctx.store,
            (r) => r.type === 'pool' && r.name === this.poolName, () => this.load());
        // a VM paused or resumed changes the state word beside it in the "Used by" column
        this.userWatch = watchUserStates(this.ctx.store, () => this.volumes.flatMap((v) => v.used_by || []),
            () => this.#render(false));
        this.load();
    }

    destroy() {
        this.loadSeq++;
        this.stopEvents?.();
        this.userWatch?.stop();
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
            name: field({ label: t('resources.field.name'), key: 'name', control: textInput({ name: 'name', }) }),
            capacity: field({ label: t('storage.volume.field.capacity'), key: 'capacity', control: textInput({ name: 'capacity', placeholder: '10G', class: 'input input-short' }), hint: t('storage.volume.field.capacity.hint') }),
            format: field({ label: t('storage.volume.field.format'), key: 'format', control: selectInput(VOLUME_FORMATS, { name: 'format', value: 'qcow2' }) }),
            backing: field({ label: optionalLabel(t('storage.volume.field.backing')), key: 'backing', control: selectInput([['', t('storage.volume.backing.none')]], { name: 'backing' }), hint: t('storage.volume.field.backing.hint') }),
        };
        const fields = Object.values(f);
        const close = () => {
            this.#toggle('new');
            this.newBtn.focus();
        };
        const card = cardForm({
            title: t('storage.volume.new'), titleId: 'newvol-title', submitLabel: t('storage.volume.create'),
            body: h('div', { class: 'form-grid' }, f.name.root, f.capacity.root, f.format.root, f.backing.root),
            fields: () => fields,
            check: () => buildVolumeRequest({
                name: f.name.control.value, capacity: f.capacity.control.value, format: f.format.control.value,
                backing: f.format.control.value === 'qcow2' ? f.backing.control.value : '',
            }, { available: this.pool?.available_bytes }),
            send: async (payload) => {
                const vol = await this.ctx.api.createVolume(this.poolName, payload);
                this.ctx.notify.info(t('storage.volume.created', { name: vol?.name || payload.name }));
                close();
                await this.load();
            },
            failure: t('storage.volume.create-failed'),
            onCancel: close,
            serverKeys: { capacity_bytes: 'capacity' },
            serverTexts: { capacity: (err) => sizeRangeText(err, f.capacity.control.value) },
        });
        const sync = () => { f.backing.root.hidden = f.format.control.value !== 'qcow2'; };
        f.format.control.addEventListener('change', sync);
        return {
            root: card.root,
            reset: () => {
                card.clear();
                const opts = [['', t('storage.volume.backing.none')], ...this.volumes.filter((v) => v.format === 'qcow2' || v.format === 'raw')
                    .map((v) => [v.name, t('storage.volume.backing.option', { name: v.name, format: v.format })])];
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
                showLoadError(this.list.body, t('storage.pool.load-failed'), err, () => this.load());
                return;
            }
            this.list.body.replaceChildren(h('div', { class: 'empty' },
                h('p', { text: t('storage.pool.missing', { name: this.poolName }) }),
                h('a', { href: storageHash(), text: t('storage.pool.all') })));
        }
    }

    #renderHead() {
        const p = this.pool;
        this.badge.replaceChildren(activeBadge(p.active));
        this.summary.replaceChildren(h('dl', { class: 'props pool-props card' },
            h('dt', { text: t('storage.column.type') }), h('dd', { text: poolTypeLabel(p.type) }),
            h('dt', { text: t('storage.field.target_path') }), h('dd', {}, p.target_path ? pathCode(p.target_path) : DASH),
            h('dt', { text: t('storage.column.usage') }), h('dd', {}, usageBar(p))));
        if (this.uploadBtn) {
            this.uploadBtn.disabled = !p.active;
            this.newBtn.disabled = !p.active;
        }
    }

    #render(inactive) {
        const admin = canManage(this.ctx.store);
        this.list.count.textContent = inactive ? '' : t('storage.volumes.count', { count: this.volumes.length });
        if (inactive) {
            this.list.body.replaceChildren(h('p', { class: 'empty', text: t('storage.volumes.inactive') }));
            return;
        }
        const c = columnLabels();
        renderTable(this.list.body, {
            items: this.volumes, empty: t('storage.volumes.empty'), caption: t('storage.volumes.caption', { name: this.poolName }),
            columns: [c.name, c.format, c.capacity, c.allocation, c.usedBy, admin && actionsLabel()],
            row: (v) => this.#row(v, admin, c),
        });
        this.userWatch?.sync();
    }

    #row(vol, admin, c) {
        const name = vol.name;
        const users = Array.isArray(vol.used_by) ? vol.used_by : [];
        const stateOf = storeStateOf(this.ctx.store);
        const btn = (action, label, danger) => rowButton('name', name, action, label, danger);
        const download = t('storage.volume.action.download');
        return h('tr', { dataset: { name } },
            cell(c.name, {},
                h('span', { class: 'res-name wrap', text: name }),
                vol.upload_incomplete ? h('span', { class: 'badge badge-warn', title: t('storage.volume.incomplete.title') }, t('storage.volume.incomplete')) : null,
                vol.backing ? h('span', { class: 'muted small block', text: t('storage.volume.backed-by', { name: vol.backing }) }) : null),
            cell(c.format, { text: orDash(vol.format) }),
            cell(c.capacity, { class: 'num', text: formatBytes(vol.capacity_bytes) }),
            cell(c.allocation, { class: 'num', text: formatBytes(vol.allocation_bytes) }),
            cell(c.usedBy, {}, users.length
                ? h('ul', { class: 'user-list' }, users.map((u) => h('li', {},
                    h('a', { href: domainHash(u.uuid), text: u.name }),
                    h('span', { class: 'muted small', text: volumeUserText(u, stateOf) }))))
                : h('span', { class: 'muted', text: t('resources.users.none') })),
            admin ? actionsCell(name,
                h('a', { class: 'btn btn-sm', href: contentUrl(this.poolName, name), download: name, dataset: { download: name }, 'aria-label': rowLabel(download, name) }, download),
                btn('resize', t('storage.volume.action.resize')), btn('clone', t('storage.volume.action.clone')),
                btn('wipe', t('storage.volume.action.wipe'), true), btn('delete', t('storage.volume.action.delete'), true)) : null);
    }

    /**
     * Download: the server is asked for the first byte first (upload.js probeDownload),
     * so that a refusal (a driver that cannot download, a volume gone) is said in words;
     * only then is the link handed to the browser, which would fail without a word.
     */
    async #download(link) {
        if (link.getAttribute('aria-busy') === 'true') return;
        const name = link.dataset.download;
        link.setAttribute('aria-busy', 'true');
        try {
            await probeDownload(this.poolName, name);
        } catch (err) {
            reportError(this.ctx.notify, t('storage.volume.download-failed', { name }), err);
            return;
        } finally {
            link.removeAttribute('aria-busy');
        }
        const go = h('a', { href: link.href, download: name, hidden: true });
        document.body.append(go);
        go.click();
        go.remove();
    }

    async #onClick(ev) {
        const link = ev.target instanceof Element ? ev.target.closest('a[data-download]') : null;
        if (link) {
            ev.preventDefault();
            await this.#download(link);
            return;
        }
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
        if (!Object.hasOwn(VOLUME_ACTIONS, action)) return;
        const wipe = action === 'wipe';
        const texts = VOLUME_ACTIONS[action](name);
        // The volume's users, read fresh when the dialog opens; where the server would
        // refuse (volumeBlockers, its rule) the dialog says why and offers only Close.
        const usage = async () => {
            const fresh = (await this.ctx.api.volumes(pool)).find((v) => v.name === name);
            const users = fresh ? fresh.used_by : [];
            const blockers = volumeBlockers(action, users);
            const count = blockers.length;
            const stopped = (users || []).filter((u) => u && !u.active).length;
            return {
                users: usersList(users, storeStateOf(this.ctx.store)), none: t('storage.volume.users-none'),
                warnings: wipe && stopped && !count ? [t('storage.volume.wipe.users-stopped')] : [],
                refusal: !count ? '' : wipe ? t('storage.volume.wipe.refused', { count }) : t('storage.volume.delete.refused', { count }),
            };
        };
        const changed = await runRowAction(this.ctx, btn, {
            confirm: { ...texts.confirm, usage },
            run: () => (wipe ? this.ctx.api.volumeAction(pool, name, 'wipe', {}) : this.ctx.api.deleteVolume(pool, name)),
            done: texts.done,
            failure: texts.failure,
        });
        if (changed) await reload();
    }

    #resize(vol) {
        const size = field({ label: t('storage.resize.field.size'), key: 'capacity', control: textInput({ value: sizeInputText(vol.capacity_bytes), class: 'input input-short' }), hint: t('storage.resize.field.size.hint', { current: formatBytes(vol.capacity_bytes) }) });
        const shrink = field({ label: t('storage.resize.field.shrink'), inline: true, control: checkbox({}) });
        return formDialog({
            title: t('storage.resize.title', { name: vol.name }), submitLabel: t('storage.volume.action.resize'), body: [size.root, shrink.root],
            onSubmit: async (form, errorBox) => {
                const { payload, errors } = buildResizeRequest(size.control.value, vol.capacity_bytes, { shrink: shrink.control.checked });
                if (showErrors([size], errors)) return false;
                try {
                    await this.ctx.api.volumeAction(this.poolName, vol.name, 'resize', payload);
                } catch (err) {
                    // a size out of the server's range at the Size field, in the unit typed
                    if (!placeServerError([size], err, {
                        keys: { capacity_bytes: 'capacity' },
                        texts: { capacity: (e) => sizeRangeText(e, size.control.value) },
                    })) errorBox.show(errorMessage(err));
                    return false;
                }
                this.ctx.notify.info(t('storage.resize.done', { name: vol.name, size: formatBytes(payload.capacity_bytes) }));
                return true;
            },
        });
    }

    #clone(vol) {
        const name = field({ label: t('storage.clone.field.name'), key: 'name', control: textInput({ value: cloneName(vol.name, this.volumes), }) });
        return formDialog({
            title: t('storage.clone.title', { name: vol.name }), description: t('storage.clone.description'),
            submitLabel: t('storage.volume.action.clone'), body: [name.root],
            onSubmit: async (form, errorBox) => {
                const n = name.control.value.trim();
                const e = volumeNameError(n) || (this.volumes.some((v) => v.name === n) ? t('storage.clone.exists') : '');
                if (showErrors([name], { name: e })) return false;
                try {
                    await this.ctx.api.volumeAction(this.poolName, vol.name, 'clone', { name: n });
                } catch (err) {
                    errorBox.show(errorMessage(err));
                    return false;
                }
                this.ctx.notify.info(t('storage.clone.done', { name: vol.name, copy: n }));
                return true;
            },
        });
    }
}
