// SPDX-License-Identifier: LGPL-2.1-or-later
// views/pool-form.js — the "Create storage pool" form: name, type, and only the chosen
// type's own fields (target path, source device/host/path/name/port, iSCSI IQNs, Ceph
// user and secret), build/start/autostart. Checked by storage-rules.js before
// sending; the server's refusal shows under the form. Browser main thread.

import { h } from './dom.js';
import { field, textInput, selectInput, checkbox, cardForm, optionalLabel } from './form-kit.js';
import { POOL_TYPES, POOL_FIELDS, poolFormDefaults, poolBuildLabel, FS_FORMATS, NETFS_FORMATS, buildPoolRequest } from '../storage-rules.js';
import { t } from '../i18n.js';

const ALL_FIELDS = ['target_path', ...new Set(Object.values(POOL_TYPES).flatMap((t) => t.fields))];

export class PoolForm {
    /** ctx: {api}; onCreated(pool), onCancel(). */
    constructor(ctx, { onCreated, onCancel }) {
        this.ctx = ctx;
        this.onCreated = onCreated;
        this.onCancel = onCancel;
        this.f = {};
        const f = this.f;
        f.name = field({ label: t('resources.field.name'), key: 'name', control: textInput({ name: 'name', maxlength: '50' }), hint: t('resources.field.name.hint') });
        f.type = field({ label: t('storage.field.type'), key: 'type', control: selectInput(Object.entries(POOL_TYPES).map(([id, x]) => [id, x.label]), { name: 'type', value: 'dir' }) });
        for (const key of ALL_FIELDS) {
            const meta = POOL_FIELDS[key];
            const control = key === 'source_format'
                ? selectInput(FS_FORMATS, { name: key })
                : textInput({ name: key, inputmode: key === 'source_port' ? 'numeric' : null });
            f[key] = field({ label: meta.label, key, control, hint: meta.hint });
        }
        f.build = field({ label: poolBuildLabel('dir'), inline: true, control: checkbox({ name: 'build', checked: poolFormDefaults('dir').build }) });
        f.start = field({ label: t('resources.field.start'), inline: true, control: checkbox({ name: 'start', checked: poolFormDefaults('dir').start }) });
        f.autostart = field({ label: t('resources.field.autostart'), inline: true, control: checkbox({ name: 'autostart', checked: poolFormDefaults('dir').autostart }) });
        this.card = cardForm({
            title: t('storage.form.title'), titleId: 'pool-form-title', submitLabel: t('storage.create'),
            body: [
                h('div', { class: 'form-grid' }, f.name.root, f.type.root, ALL_FIELDS.map((k) => f[k].root)),
                h('div', { class: 'form-grid' }, f.build.root, f.start.root, f.autostart.root),
            ],
            fields: () => this.#fields(),
            check: () => buildPoolRequest(this.values()),
            send: async (payload) => {
                const pool = await this.ctx.api.createPool(payload);
                this.onCreated(pool && pool.name ? pool : payload);
            },
            failure: t('storage.form.failed'),
            onCancel: () => this.onCancel(),
        });
        this.root = this.card.root;
        f.type.control.addEventListener('change', () => this.#syncType());
        this.#syncType();
    }

    #syncType() {
        const type = this.f.type.control.value;
        const pt = POOL_TYPES[type];
        for (const key of ALL_FIELDS) {
            const shown = key === 'target_path' ? pt.target !== 'none' : pt.fields.includes(key);
            const required = key === 'target_path' ? pt.target === 'required' : pt.required.includes(key);
            const fld = this.f[key];
            fld.root.hidden = !shown;
            fld.control.required = required;
            const label = POOL_FIELDS[key].label;
            fld.root.querySelector('label').textContent = required || !shown ? label : optionalLabel(label);
        }
        const fmt = this.f.source_format.control;
        const list = type === 'netfs' ? NETFS_FORMATS : FS_FORMATS;
        fmt.replaceChildren(...list.map((v) => h('option', { value: v, text: v === 'auto' ? t('storage.field.format-auto') : v })));
        this.f.build.root.hidden = !pt.build;
        this.f.build.root.querySelector('label').textContent = poolBuildLabel(type);
        this.f.build.control.checked = poolFormDefaults(type).build;
    }

    reset() {
        this.card.clear();
        this.#syncType();
    }

    focus() {
        this.f.name.control.focus();
    }

    #fields() {
        return ['name', 'type', ...ALL_FIELDS].map((k) => this.f[k]);
    }

    values() {
        const out = { name: this.f.name.control.value, type: this.f.type.control.value };
        for (const key of ALL_FIELDS) out[key] = this.f[key].control.value;
        out.build = this.f.build.control.checked;
        out.start = this.f.start.control.checked;
        out.autostart = this.f.autostart.control.checked;
        return out;
    }
}
