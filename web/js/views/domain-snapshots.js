// SPDX-License-Identifier: LGPL-2.1-or-later
// views/domain-snapshots.js — the "Snapshots" tab of a VM's page: the VM's snapshots as
// an indented tree (nested lists: a child under its parent, the current one marked),
// taking a snapshot (name, description, and "include memory" only while the VM runs and
// can), reverting to one and deleting one, each after a confirmation (views/confirm.js;
// a revert says the current state is lost). What the VM cannot do now is said in words
// before anyone tries, from the list's "can" (snapshot-rules.js). libvirt sends no event
// for a snapshot, so the list is read again after each change made here and whenever the
// VM's state changes (a revert elsewhere changes it). Operators and admins get the
// controls. The tab interface detail-tabs.js expects (mount, update(domain), suspend,
// connect, destroy). Browser main thread.

import { h } from './dom.js';
import { field, textInput, checkbox, cardForm, reportError } from './form-kit.js';
import { formToggle } from './resource-table.js';
import { snapshotTree, createOptions, buildSnapshotRequest } from '../snapshot-rules.js';
import { stateLabel } from '../domains.js';
import { formatClock } from '../format.js';
import { t } from '../i18n.js';

/** The role may take, revert and delete snapshots (docs/api.md: operator, admin). */
function canChange(store) {
    const role = store.session && store.session.role;
    return role === 'admin' || role === 'operator';
}

const isRunning = (domain) => !!domain && (domain.state === 'running' || domain.state === 'paused');

export class DomainSnapshotsView {
    /** ctx: {api, store, notify, confirm}; vm: {uuid, name}. */
    constructor(ctx, vm) {
        this.ctx = ctx;
        this.uuid = vm.uuid;
        this.name = vm.name;
        this.domain = null;
        this.data = null; // the last list: {snapshots, can}
        this.runningKey = null;
        this.loadSeq = 0;
        this.form = null;
    }

    url(rest = '') {
        return `/api/domains/${encodeURIComponent(this.uuid)}/snapshots${rest}`;
    }

    mount(panel) {
        this.note = h('p', { class: 'snapshot-why', id: `snapshot-why-${this.uuid.slice(0, 8)}`, hidden: true });
        this.list = h('div', { class: 'snapshot-tree-wrap', 'aria-live': 'polite' },
            h('p', { class: 'muted', text: t('common.loading') }));
        let createBtn = null;
        if (canChange(this.ctx.store)) {
            createBtn = h('button', { type: 'button', class: 'btn btn-primary', text: t('domains.snapshot.create'), 'aria-describedby': this.note.id });
            this.form = this.buildForm((open) => this.toggle(open));
            this.toggle = formToggle(createBtn, this.form, 'snapshot-form');
        }
        this.createBtn = createBtn;
        this.root = h('div', { class: 'device-tab snapshot-tab' },
            h('div', { class: 'section-head plain' }, h('h2', { class: 'card-title', text: t('domains.snapshot.title') }), createBtn),
            this.note,
            this.form ? this.form.root : null,
            h('section', { class: 'card list-card' }, this.list));
        this.list.addEventListener('click', (ev) => this.#onClick(ev));
        panel.replaceChildren(this.root);
    }

    update(domain) {
        this.domain = domain;
        this.name = domain.name || this.name;
        const key = `${isRunning(domain)}`;
        if (key === this.runningKey) return;
        this.runningKey = key;
        this.load();
    }

    suspend() {}

    connect() {
        this.load();
    }

    destroy() {
        this.root?.remove();
    }

    /** Reads the list again; the last answer wins. */
    async load() {
        const seq = ++this.loadSeq;
        try {
            const data = await this.ctx.api.request('GET', this.url());
            if (seq !== this.loadSeq) return;
            this.data = data;
            this.render();
        } catch (err) {
            if (seq !== this.loadSeq) return;
            reportError(this.ctx.notify, t('domains.snapshot.failure.load'), err);
        }
    }

    /** What the create form may offer now (snapshot-rules.js createOptions). */
    options() {
        return createOptions(this.data && this.data.can, isRunning(this.domain));
    }

    render() {
        const opts = this.options();
        this.note.textContent = opts.possible ? '' : `${t('domains.snapshot.impossible')} ${opts.why}`;
        this.note.hidden = opts.possible;
        if (this.createBtn) this.createBtn.disabled = !opts.possible;
        if (!opts.possible && this.form && !this.form.root.hidden) this.toggle(false);
        this.form?.sync();
        const snaps = (this.data && Array.isArray(this.data.snapshots)) ? this.data.snapshots : [];
        if (!snaps.length) {
            this.list.replaceChildren(h('p', { class: 'muted snapshot-empty', text: t('domains.snapshot.empty') }));
            return;
        }
        const change = canChange(this.ctx.store);
        const item = (node) => {
            const s = node.snap;
            const badges = [
                s.current ? h('span', { class: 'badge badge-ok', text: t('domains.snapshot.current') }) : null,
                s.memory ? h('span', { class: 'badge', text: t('domains.snapshot.memory') }) : null,
            ];
            return h('li', { class: ['snapshot-item', s.current && 'snapshot-current'], dataset: { snapshot: s.name }, 'aria-current': s.current ? 'true' : null },
                h('div', { class: 'snapshot-row' },
                    h('div', { class: 'snapshot-main' },
                        h('span', { class: 'snapshot-name', text: s.name }), ...badges,
                        h('span', { class: 'muted small snapshot-meta', text: `${t('domains.snapshot.state', { state: stateLabel(s.state) })} · ${t('domains.snapshot.taken', { time: formatClock(s.creation_time) })}` }),
                        s.description ? h('p', { class: 'snapshot-description', text: s.description }) : null),
                    change ? h('div', { class: 'snapshot-actions' },
                        h('button', { type: 'button', class: 'btn btn-sm', dataset: { action: 'revert', name: s.name }, text: t('domains.snapshot.revert'), 'aria-label': `${t('domains.snapshot.revert')} ${s.name}` }),
                        h('button', { type: 'button', class: 'btn btn-sm btn-danger', dataset: { action: 'delete', name: s.name }, text: t('domains.snapshot.delete'), 'aria-label': `${t('domains.snapshot.delete')} ${s.name}` })) : null),
                node.children.length ? h('ul', { class: 'snapshot-children' }, node.children.map(item)) : null);
        };
        this.list.replaceChildren(h('ul', { class: 'snapshot-tree', 'aria-label': t('domains.snapshot.tree', { name: this.name }) },
            snapshotTree(snaps).map(item)));
    }

    buildForm(close) {
        const f = {};
        f.name = field({ label: t('domains.snapshot.form.name'), key: 'name', hint: t('domains.snapshot.form.name-hint'), control: textInput({ name: 'name' }) });
        f.description = field({ label: t('domains.snapshot.form.description'), key: 'description', wide: true,
            control: h('textarea', { class: 'input', name: 'description', rows: '3', spellcheck: 'true' }) });
        f.memory = field({ label: t('domains.snapshot.form.memory'), key: 'memory', inline: true, control: checkbox({ name: 'memory' }), hint: ' ' });
        const hint = f.memory.root.querySelector('.field-hint');
        const fields = Object.values(f);
        const card = cardForm({
            title: t('domains.snapshot.form.title', { name: this.name }), titleId: `snapshot-form-title-${this.uuid.slice(0, 8)}`, level: 'h3',
            submitLabel: t('domains.snapshot.create'),
            body: [h('div', { class: 'form-grid' }, f.name.root, f.memory.root), f.description.root],
            fields: () => fields,
            check: () => buildSnapshotRequest({ name: f.name.control.value, description: f.description.control.value, memory: f.memory.control.checked }, this.options()),
            send: async (payload) => {
                const snap = await this.ctx.api.request('POST', this.url(), payload);
                close(false);
                this.ctx.notify.info(t('domains.snapshot.created', { name: snap.name || payload.name || '' }));
                await this.load();
            },
            failure: t('domains.snapshot.failure.create'),
            onCancel: () => close(false),
        });
        const sync = () => {
            const opts = this.options();
            f.memory.root.hidden = !opts.memory;
            f.memory.control.checked = opts.memoryFixed;
            f.memory.control.disabled = opts.memoryFixed;
            if (hint) hint.textContent = opts.memoryFixed ? t('domains.snapshot.form.memory-fixed') : '';
        };
        return {
            root: card.root,
            sync,
            reset: () => {
                card.clear();
                sync();
            },
            focus: () => f.name.control.focus(),
        };
    }

    async #onClick(ev) {
        const btn = ev.target instanceof Element ? ev.target.closest('button[data-action]') : null;
        if (!btn || btn.disabled) return;
        const name = btn.dataset.name;
        const snap = (this.data?.snapshots || []).find((s) => s.name === name);
        if (btn.dataset.action === 'revert') await this.#revert(name);
        else if (btn.dataset.action === 'delete') await this.#delete(name, snap);
    }

    async #revert(name) {
        const vm = this.name;
        if (!(await this.ctx.confirm({
            title: t('domains.snapshot.revert.title', { vm, name }),
            message: t('domains.snapshot.revert.message', { name }),
            warnings: [t('domains.snapshot.revert.warning')],
            confirmLabel: t('domains.snapshot.revert'), danger: true,
        }))) return;
        try {
            const detail = await this.ctx.api.request('POST', this.url(`/${encodeURIComponent(name)}/revert`), {});
            if (detail && typeof detail.uuid === 'string') this.ctx.store.setDetail(detail);
            this.ctx.notify.info(t('domains.snapshot.reverted', { vm, name }));
        } catch (err) {
            reportError(this.ctx.notify, t('domains.snapshot.failure.revert'), err);
        }
        await this.load();
    }

    async #delete(name, snap) {
        const children = snap ? snap.children : 0;
        if (!(await this.ctx.confirm({
            title: t('domains.snapshot.delete.title', { name }),
            message: t('domains.snapshot.delete.message'),
            warnings: children > 0 ? [t('domains.snapshot.delete.children', { count: children })] : [],
            confirmLabel: t('domains.snapshot.delete'), danger: true,
        }))) return;
        try {
            await this.ctx.api.request('DELETE', this.url(`/${encodeURIComponent(name)}`));
            this.ctx.notify.info(t('domains.snapshot.deleted', { name }));
        } catch (err) {
            reportError(this.ctx.notify, t('domains.snapshot.failure.delete'), err);
        }
        await this.load();
    }
}
