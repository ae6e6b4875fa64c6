// views/storage.js — the "Storage" page (#/storage): every storage pool with its
// usage as a <meter> plus text, state, type, autostart, volume count and users;
// Start/Stop/Refresh/Delete (with confirmation) and the "Create pool" form
// (pool-form.js). A pool's name leads to its volumes (#/storage/<pool>). Only admins
// get the controls that change anything. Browser main thread.

import { h } from './dom.js';
import { PoolForm } from './pool-form.js';
import { activeBadge, canManage, reportError, setBusy, uid } from './form-kit.js';
import { POOL_TYPES, poolUsage } from '../storage-rules.js';
import { usersText } from '../network-rules.js';
import { formatBool, orDash, DASH } from '../format.js';
import { poolHash } from '../resource-router.js';

/** A usage bar: a <meter> with the numbers as text next to it (and as its label). */
export function usageBar(pool, label) {
    const u = poolUsage(pool);
    if (u.fraction === null) return h('span', { class: 'muted', text: u.text });
    return h('div', { class: 'usage' },
        h('meter', {
            class: 'usage-meter', min: '0', max: '1', low: '0.8', high: '0.9', optimum: '0',
            value: String(u.fraction), 'aria-label': `${label}: ${u.text}${u.free ? `, ${u.free}` : ''}`,
        }),
        h('span', { class: 'usage-text', text: u.text }),
        u.free ? h('span', { class: 'usage-text muted', text: u.free }) : null);
}

export class StorageView {
    /** ctx: {api, store, notify, confirm}. */
    constructor(ctx) {
        this.ctx = ctx;
        this.pools = [];
        this.loadSeq = 0;
    }

    mount(container) {
        const admin = canManage(this.ctx.store);
        this.title = h('h1', { id: 'page-title', class: 'page-title', tabindex: '-1', text: 'Storage pools' });
        this.createBtn = admin ? h('button', {
            type: 'button', class: 'btn btn-primary', text: 'Create pool', 'aria-expanded': 'false',
            on: { click: () => this.#openForm() },
        }) : null;
        const refresh = h('button', { type: 'button', class: 'btn', text: 'Reload', on: { click: () => this.load() } });
        this.form = admin ? new PoolForm(this.ctx, {
            onCreated: (pool) => {
                this.ctx.notify.info(`Pool \u201c${pool.name}\u201d created.`);
                this.#closeForm();
                this.load();
            },
            onCancel: () => this.#closeForm(),
        }) : null;
        if (this.form) {
            this.form.root.hidden = true;
            this.form.root.id = uid('pool-form');
            this.createBtn.setAttribute('aria-controls', this.form.root.id);
        }
        this.count = h('p', { class: 'count', role: 'status' });
        this.body = h('div', { class: 'table-wrap' }, h('p', { class: 'empty', text: 'Loading\u2026' }));
        this.root = h('div', { class: 'page page-storage' },
            h('div', { class: 'page-head' }, this.title, h('div', { class: 'toolbar' }, refresh, this.createBtn)),
            this.form ? this.form.root : null,
            h('section', { class: 'card list-card', 'aria-labelledby': 'page-title' },
                h('div', { class: 'section-head' }, h('h2', { class: 'card-title', text: 'Pools' }), this.count),
                this.body));
        this.body.addEventListener('click', (ev) => this.#onClick(ev));
        this.body.addEventListener('change', (ev) => this.#onChange(ev));
        container.replaceChildren(this.root);
        this.load();
    }

    destroy() {
        this.loadSeq++;
        this.root?.remove();
    }

    #openForm() {
        this.form.reset();
        this.form.root.hidden = false;
        this.createBtn.setAttribute('aria-expanded', 'true');
        this.form.focus();
    }

    #closeForm() {
        this.form.root.hidden = true;
        this.createBtn.setAttribute('aria-expanded', 'false');
        this.createBtn.focus();
    }

    async load() {
        const seq = ++this.loadSeq;
        try {
            const list = await this.ctx.api.pools();
            if (seq !== this.loadSeq) return;
            this.pools = list;
            this.#render();
        } catch (err) {
            if (seq !== this.loadSeq || err.status === 401) return;
            this.body.replaceChildren(h('div', { class: 'empty' },
                h('p', { text: `Could not list the storage pools: ${err.message}` }),
                h('button', { type: 'button', class: 'btn', text: 'Try again', on: { click: () => this.load() } })));
        }
    }

    #render() {
        const admin = canManage(this.ctx.store);
        const focusKey = document.activeElement?.dataset?.focusKey;
        const n = this.pools.length;
        this.count.textContent = `${n} pool${n === 1 ? '' : 's'}, ${this.pools.filter((p) => p.active).length} active`;
        if (!n) {
            this.body.replaceChildren(h('p', { class: 'empty', text: 'No storage pools yet.' }));
            return;
        }
        const cols = ['Name', 'State', 'Type', 'Usage', 'Volumes', 'Autostart', 'Used by', admin ? 'Actions' : null].filter(Boolean);
        this.body.replaceChildren(h('table', { class: 'rtable res-table' },
            h('caption', { class: 'visually-hidden', text: 'Storage pools' }),
            h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', text: c })))),
            h('tbody', {}, this.pools.map((p) => this.#row(p, admin)))));
        if (focusKey) this.body.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
    }

    #row(pool, admin) {
        const name = pool.name;
        const btn = (action, label, danger = false) => h('button', {
            type: 'button', class: ['btn', 'btn-sm', danger && 'btn-danger-outline'],
            dataset: { action, name, focusKey: `${name}|${action}` }, 'aria-label': `${label} ${name}`,
        }, label);
        const autostart = admin
            ? h('label', { class: 'switch' },
                h('input', { type: 'checkbox', class: 'checkbox', checked: !!pool.autostart, dataset: { autostart: name, focusKey: `${name}|autostart` }, 'aria-label': `Start ${name} when the host boots` }),
                h('span', { text: formatBool(!!pool.autostart) }))
            : formatBool(pool.autostart);
        const users = Array.isArray(pool.used_by) ? pool.used_by : [];
        return h('tr', { dataset: { name } },
            h('td', { 'data-label': 'Name' },
                h('a', { class: 'res-name', href: poolHash(name), text: name }),
                pool.target_path ? h('code', { class: 'muted small block wrap', text: pool.target_path }) : null),
            h('td', { 'data-label': 'State' }, activeBadge(pool.active)),
            h('td', { 'data-label': 'Type', text: POOL_TYPES[pool.type]?.label || orDash(pool.type) }),
            h('td', { 'data-label': 'Usage', class: 'col-usage' }, usageBar(pool, `Usage of ${name}`)),
            h('td', { 'data-label': 'Volumes', text: Number.isFinite(pool.volume_count) ? String(pool.volume_count) : DASH }),
            h('td', { 'data-label': 'Autostart' }, autostart),
            h('td', { 'data-label': 'Used by', text: users.length ? usersText(users) : 'None' }),
            admin ? h('td', { 'data-label': 'Actions', class: 'col-actions' },
                h('div', { class: 'actions', role: 'group', 'aria-label': `Actions for ${name}` },
                    pool.active ? btn('stop', 'Stop') : btn('start', 'Start'),
                    pool.active ? btn('refresh', 'Refresh') : null,
                    btn('delete', 'Delete', true))) : null);
    }

    async #onChange(ev) {
        const box = ev.target.closest('input[data-autostart]');
        if (!box) return;
        const name = box.dataset.autostart;
        const want = box.checked;
        box.disabled = true;
        try {
            await this.ctx.api.poolAutostart(name, want);
            this.ctx.notify.info(`\u201c${name}\u201d ${want ? 'starts' : 'no longer starts'} with the host.`);
        } catch (err) {
            box.checked = !want;
            reportError(this.ctx.notify, `Could not change autostart of \u201c${name}\u201d`, err);
        } finally {
            box.disabled = false;
            await this.load();
        }
    }

    async #onClick(ev) {
        const btn = ev.target.closest('button[data-action]');
        if (!btn || btn.disabled) return;
        const { action, name } = btn.dataset;
        const pool = this.pools.find((p) => p.name === name);
        if (!pool) return;
        const confirms = {
            stop: {
                title: `Stop pool \u201c${name}\u201d?`, message: 'Its volumes cannot be used until it is started again.',
                detail: 'The server refuses while a running VM uses one of them.', confirmLabel: 'Stop', danger: true,
            },
            delete: {
                title: `Delete pool \u201c${name}\u201d?`, message: 'The pool is stopped and its definition removed.',
                detail: 'The files of its volumes stay on the host.', confirmLabel: 'Delete', danger: true,
            },
        };
        if (confirms[action] && !(await this.ctx.confirm(confirms[action]))) return;
        setBusy(btn, true);
        const done = { start: 'started', stop: 'stopped', refresh: 'refreshed', delete: 'deleted' };
        try {
            if (action === 'delete') await this.ctx.api.deletePool(name);
            else await this.ctx.api.poolAction(name, action);
            this.ctx.notify.info(`Pool \u201c${name}\u201d ${done[action]}.`);
        } catch (err) {
            reportError(this.ctx.notify, `Could not ${action} pool \u201c${name}\u201d`, err);
        } finally {
            setBusy(btn, false);
            await this.load();
            if (!this.root.contains(document.activeElement)) {
                (this.body.querySelector(`tr[data-name="${CSS.escape(name)}"] button[data-action]`) || this.title).focus();
            }
        }
    }
}
