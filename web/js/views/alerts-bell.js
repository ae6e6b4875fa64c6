// SPDX-License-Identifier: LGPL-2.1-or-later
// views/alerts-bell.js — the top bar's bell: the number of firing alerts (in its
// accessible name, so screen readers hear it) and, on a click, a list of the firing and
// the recent resolved ones (GET /api/alerts, which leaves out what the user may not see).
// It asks every 15 s while signed in, and at once when the events socket tells a VM's
// alert changed ({"type":"alert"}: VMs only, so the host's and pools' wait for the poll).
// Browser main thread.

import { h } from './dom.js';
import { t } from '../i18n.js';

export const ALERTS_POLL_MS = 15000;
const RECENT_SHOWN = 10;

export class AlertsBell {
    /** root: the top bar's element; api: the Api; store: the Store (VM names). */
    constructor(root, api, store) {
        this.root = root;
        this.api = api;
        this.store = store;
        this.data = { firing: [], recent: [] };
        this.timer = null;
        this.button = h('button', {
            type: 'button', class: 'alerts-bell-button', 'aria-expanded': 'false',
            'aria-controls': 'alerts-bell-list', on: { click: () => this.toggle() },
        });
        this.count = h('span', { class: 'alerts-bell-count', 'aria-hidden': 'true' });
        this.button.append(h('span', { class: 'alerts-bell-icon', 'aria-hidden': 'true', text: '\u{1F514}' }), this.count);
        this.list = h('div', { id: 'alerts-bell-list', class: 'alerts-bell-list', role: 'region', hidden: true });
        root.replaceChildren(this.button, this.list);
        this.render();
    }

    /** Starts polling (signed in). */
    start() {
        this.root.hidden = false;
        this.refresh();
        clearInterval(this.timer);
        this.timer = setInterval(() => this.refresh(), ALERTS_POLL_MS);
    }

    /** Stops polling and forgets the alerts (signed out). */
    stop() {
        clearInterval(this.timer);
        this.timer = null;
        this.data = { firing: [], recent: [] };
        this.root.hidden = true;
        this.list.hidden = true;
        this.render();
    }

    async refresh() {
        try {
            const r = await this.api.alerts();
            this.data = { firing: r.firing || [], recent: r.recent || [] };
        } catch { /* keep what it showed; the next poll tries again */ }
        this.render();
    }

    toggle() {
        this.list.hidden = !this.list.hidden;
        this.button.setAttribute('aria-expanded', String(!this.list.hidden));
        if (!this.list.hidden) this.refresh();
    }

    /** The subject in words: a VM's name when the store knows it. */
    subject(a) {
        if (a.subject_kind === 'vm') {
            const d = this.store.domains?.get(a.subject);
            return d ? d.name : a.subject;
        }
        if (a.subject_kind === 'host') return t('alerts.subject.host');
        return t('alerts.subject.pool', { name: a.subject });
    }

    item(a) {
        const value = a.value === null || a.value === undefined ? '' : ` (${Math.round(a.value * 10) / 10})`;
        const when = a.state === 'firing'
            ? t('alerts.since', { time: new Date(a.fired_at).toLocaleString() })
            : t('alerts.resolved_at', { time: new Date(a.resolved_at).toLocaleString() });
        return h('li', { class: `alerts-item alerts-${a.state}` },
            h('span', { class: 'alerts-item-name', text: `${a.alert}: ${this.subject(a)}${value}` }),
            h('span', { class: 'alerts-item-time', text: when }));
    }

    render() {
        const n = this.data.firing.length;
        this.count.textContent = String(n);
        this.count.hidden = n === 0;
        this.button.classList.toggle('alerts-bell-firing', n > 0);
        this.button.setAttribute('aria-label', t('alerts.bell', { count: String(n) }));
        const recent = this.data.recent.slice(0, RECENT_SHOWN);
        this.list.setAttribute('aria-label', t('alerts.list'));
        this.list.replaceChildren(
            h('h2', { class: 'alerts-heading', text: t('alerts.firing') }),
            n ? h('ul', { class: 'alerts-items' }, ...this.data.firing.map((a) => this.item(a)))
                : h('p', { class: 'alerts-none', text: t('alerts.none') }),
            h('h2', { class: 'alerts-heading', text: t('alerts.recent') }),
            recent.length ? h('ul', { class: 'alerts-items' }, ...recent.map((a) => this.item(a)))
                : h('p', { class: 'alerts-none', text: t('alerts.none_recent') }));
    }
}
