// views/storage.js — the "Storage" page (#/storage): every storage pool with its
// usage as a <meter> plus text, state, type, autostart, volume count and users;
// Start/Stop/Refresh/Delete (with confirmation) and the "Create pool" form
// (pool-form.js). A pool's name leads to its volumes (#/storage/<pool>). Only admins
// get the controls that change anything. Browser main thread.

import { h } from './dom.js';
import { PoolForm } from './pool-form.js';
import { activeBadge } from './form-kit.js';
import { actionsCell, autostartSwitch, cell, rowButton, runRowAction } from './resource-table.js';
import { ResourcePage } from './resource-page.js';
import { POOL_TYPES, poolUsage } from '../storage-rules.js';
import { usersText } from '../network-rules.js';
import { orDash, DASH } from '../format.js';
import { poolHash } from '../router.js';

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

export class StorageView extends ResourcePage {
    /** ctx: {api, store, notify, confirm}. */
    constructor(ctx) {
        super(ctx, {
            eventType: 'pool',
            pageClass: 'page-storage', title: 'Storage pools', refreshLabel: 'Reload', listTitle: 'Pools',
            createLabel: 'Create pool', formId: 'pool-form', noun: 'pool', what: 'the storage pools',
            empty: 'No storage pools yet.', caption: 'Storage pools',
        });
    }

    fetch() {
        return this.ctx.api.pools();
    }

    setAutostart(name, on) {
        return this.ctx.api.poolAutostart(name, on);
    }

    buildForm(close) {
        return new PoolForm(this.ctx, {
            onCreated: (pool) => {
                this.ctx.notify.info(`Pool \u201c${pool.name}\u201d created.`);
                close();
                this.load();
            },
            onCancel: close,
        });
    }

    columns(admin) {
        return ['Name', 'State', 'Type', 'Usage', 'Volumes', 'Autostart', 'Used by', admin && 'Actions'];
    }

    row(pool, admin) {
        const name = pool.name;
        const btn = (action, label, danger) => rowButton('name', name, action, label, danger);
        const users = Array.isArray(pool.used_by) ? pool.used_by : [];
        return h('tr', { dataset: { name } },
            cell('Name', {},
                h('a', { class: 'res-name', href: poolHash(name), text: name }),
                pool.target_path ? h('code', { class: 'muted small block wrap', text: pool.target_path }) : null),
            cell('State', {}, activeBadge(pool.active)),
            cell('Type', { text: POOL_TYPES[pool.type]?.label || orDash(pool.type) }),
            cell('Usage', { class: 'col-usage' }, usageBar(pool, `Usage of ${name}`)),
            cell('Volumes', { text: Number.isFinite(pool.volume_count) ? String(pool.volume_count) : DASH }),
            cell('Autostart', {}, autostartSwitch(name, pool.autostart, admin)),
            cell('Used by', { text: users.length ? usersText(users) : 'None' }),
            admin ? actionsCell(name,
                pool.active ? btn('stop', 'Stop') : btn('start', 'Start'),
                pool.active ? btn('refresh', 'Refresh') : null,
                btn('delete', 'Delete', true)) : null);
    }

    async onAction(btn, action, pool) {
        const name = pool.name;
        const confirms = {
            stop: {
                title: `Stop pool \u201c${name}\u201d?`, message: 'Its volumes cannot be used until it is started again.',
                detail: 'The server refuses while a running VM uses one of them.', confirmLabel: 'Stop',
            },
            delete: {
                title: `Delete pool \u201c${name}\u201d?`, message: 'The pool is stopped and its definition removed.',
                detail: 'The files of its volumes stay on the host.', confirmLabel: 'Delete',
            },
        };
        const done = { start: 'started', stop: 'stopped', refresh: 'refreshed', delete: 'deleted' };
        await runRowAction(this.ctx, btn, {
            confirm: confirms[action] || null,
            run: () => (action === 'delete' ? this.ctx.api.deletePool(name) : this.ctx.api.poolAction(name, action)),
            done: `Pool \u201c${name}\u201d ${done[action]}.`,
            failure: `Could not ${action} pool \u201c${name}\u201d`,
            after: () => this.reloadKeepingFocus(name),
        });
    }
}
