// SPDX-License-Identifier: LGPL-2.1-or-later
// views/storage.js — the "Storage" page (#/storage): every storage pool with its
// usage as a <meter> plus text, state, type, autostart, volume count and users;
// Start/Stop/Refresh/Delete (with confirmation) and the "Create pool" form
// (pool-form.js). A pool's name leads to its volumes (#/storage/<pool>). Only admins
// get the controls that change anything. Browser main thread.

import { h, pathCode } from './dom.js';
import { PoolForm } from './pool-form.js';
import { activeBadge } from './form-kit.js';
import { actionsCell, actionsLabel, autostartSwitch, cell, rowButton, runRowAction } from './resource-table.js';
import { ResourcePage } from './resource-page.js';
import { storeStateOf } from './in-use.js';
import { POOL_TYPES, poolUsage, poolBlockers } from '../storage-rules.js';
import { usersText, usersList } from '../network-rules.js';
import { orDash, DASH } from '../format.js';
import { poolHash } from '../router.js';
import { t, language } from '../i18n.js';

/** The list's column names (also each cell's data-label), in the current language. */
function columnLabels() {
    return {
        name: t('resources.column.name'), state: t('resources.column.state'), type: t('storage.column.type'),
        usage: t('storage.column.usage'), volumes: t('storage.column.volumes'), autostart: t('resources.column.autostart'),
        usedBy: t('resources.column.used-by'),
    };
}

/** A pool type's name for the lists ("Directory"), else the API's id. */
export function poolTypeLabel(type) {
    return Object.hasOwn(POOL_TYPES, type) ? POOL_TYPES[type].label : orDash(type);
}

/** A usage bar: a <meter> with the numbers as text next to it (and as its label "Usage of <pool>: …"). */
export function usageBar(pool) {
    const u = poolUsage(pool);
    if (u.inconsistent) return h('span', { class: 'usage-text usage-inconsistent', text: u.text });
    if (u.fraction === null) return h('span', { class: 'muted', text: u.text });
    const label = u.free ? t('storage.usage.label-free', { name: pool.name, usage: u.text, free: u.free })
        : t('storage.usage.label', { name: pool.name, usage: u.text });
    return h('div', { class: 'usage' },
        h('meter', {
            class: 'usage-meter', min: '0', max: '1', low: '0.8', high: '0.9', optimum: '0',
            value: String(u.fraction), 'aria-label': label,
        }),
        h('span', { class: 'usage-text', text: u.text }),
        u.free ? h('span', { class: 'usage-text muted', text: u.free }) : null);
}

/** A pool's row actions: the texts of success and failure. */
const POOL_ACTIONS = {
    start: (name) => ({ done: t('storage.pool.started', { name }), failure: t('storage.pool.start-failed', { name }) }),
    stop: (name) => ({ done: t('storage.pool.stopped', { name }), failure: t('storage.pool.stop-failed', { name }) }),
    refresh: (name) => ({ done: t('storage.pool.refreshed', { name }), failure: t('storage.pool.refresh-failed', { name }) }),
    delete: (name) => ({ done: t('storage.pool.deleted', { name }), failure: t('storage.pool.delete-failed', { name }) }),
};

export class StorageView extends ResourcePage {
    /** ctx: {api, store, notify, confirm}. */
    constructor(ctx) {
        super(ctx, { eventType: 'pool', pageClass: 'page-storage', formId: 'pool-form' }, () => ({
            title: t('storage.title'), refreshLabel: t('storage.reload'), listTitle: t('storage.list-title'),
            createLabel: t('storage.create'), count: (count, active) => t('storage.count', { count, active }),
            loadFailure: t('storage.load-failed'), empty: t('storage.empty'), caption: t('storage.caption'),
        }));
    }

    fetch() {
        return this.ctx.api.pools();
    }

    usersOf(pool) {
        return Array.isArray(pool.used_by) ? pool.used_by : [];
    }

    setAutostart(name, on) {
        return this.ctx.api.poolAutostart(name, on);
    }

    buildForm(close) {
        return new PoolForm(this.ctx, {
            onCreated: (pool) => {
                this.ctx.notify.info(t('storage.created', { name: pool.name }));
                close();
                this.load();
            },
            onCancel: close,
        });
    }

    columns(admin) {
        const c = columnLabels();
        return [c.name, c.state, c.type, c.usage, c.volumes, c.autostart, c.usedBy, admin && actionsLabel()];
    }

    row(pool, admin) {
        const c = columnLabels();
        const name = pool.name;
        const btn = (action, label, danger) => rowButton('name', name, action, label, danger);
        const users = this.usersOf(pool);
        return h('tr', { dataset: { name } },
            cell(c.name, {},
                h('a', { class: 'res-name', href: poolHash(name), text: name }),
                pool.target_path ? pathCode(pool.target_path, 'muted small block') : null),
            cell(c.state, {}, activeBadge(pool.active)),
            cell(c.type, { text: poolTypeLabel(pool.type) }),
            cell(c.usage, { class: 'col-usage' }, usageBar(pool)),
            cell(c.volumes, { text: Number.isFinite(pool.volume_count) ? new Intl.NumberFormat(language()).format(pool.volume_count) : DASH }),
            cell(c.autostart, {}, autostartSwitch(name, pool.autostart, admin)),
            cell(c.usedBy, { text: usersText(users, storeStateOf(this.ctx.store)) }),
            admin ? actionsCell(name,
                pool.active ? btn('stop', t('storage.action.stop')) : btn('start', t('storage.action.start')),
                pool.active ? btn('refresh', t('storage.action.refresh')) : null,
                btn('delete', t('storage.action.delete'), true)) : null);
    }

    async onAction(btn, action, pool) {
        const name = pool.name;
        if (!Object.hasOwn(POOL_ACTIONS, action)) return;
        const texts = POOL_ACTIONS[action](name);
        // Stop and delete read the pool's users fresh: the server refuses both while a
        // running (or paused) VM has a disk in it (poolBlockers, its rule).
        const usage = async () => {
            const users = (await this.ctx.api.pool(name)).used_by;
            const blockers = poolBlockers(users);
            return {
                users: usersList(users, storeStateOf(this.ctx.store)), none: t('storage.pool.users-none'),
                refusal: !blockers.length ? '' : action === 'stop' ? t('storage.stop.refused', { count: blockers.length })
                    : t('storage.delete.refused', { count: blockers.length }),
            };
        };
        const confirms = {
            stop: {
                title: t('storage.stop.confirm.title', { name }), message: t('storage.stop.confirm.message'),
                detail: t('storage.stop.confirm.detail'), confirmLabel: t('storage.action.stop'), usage,
            },
            delete: {
                title: t('storage.delete.confirm.title', { name }), message: t('storage.delete.confirm.message'),
                detail: t('storage.delete.confirm.detail'), confirmLabel: t('storage.action.delete'), usage,
            },
        };
        await runRowAction(this.ctx, btn, {
            confirm: confirms[action] || null,
            run: () => (action === 'delete' ? this.ctx.api.deletePool(name) : this.ctx.api.poolAction(name, action)),
            done: texts.done,
            failure: texts.failure,
            after: () => this.reloadKeepingFocus(name),
        });
    }
}
