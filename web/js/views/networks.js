// SPDX-License-Identifier: LGPL-2.1-or-later
// views/networks.js — the "Networks" page (#/networks): every virtual network with its
// state, mode, bridge, IPv4/IPv6 subnets and DHCP ranges, autostart and the VMs using
// it; Start/Stop/Delete (confirmation; "force" when running VMs use it), the DHCP
// leases of one network, and the "Create network" form (network-form.js). Only admins
// get the controls that change anything. When the server says its libvirt cannot start
// networks (GET /api/host "limits" has "network-start": an unprivileged session
// daemon), a note under the heading says so and every Start is disabled with that
// reason. Browser main thread.

import { h, icon } from './dom.js';
import { NetworkForm } from './network-form.js';
import { activeBadge, errorMessage, failureText, reportError, setBusy } from './form-kit.js';
import { actionsCell, actionsLabel, autostartSwitch, cell, renderTable, rowButton, runRowAction } from './resource-table.js';
import { ResourcePage } from './resource-page.js';
import { modeLabel, ipText, usersText, usersList, userState, networkDeleteRule } from '../network-rules.js';
import { storeStateOf } from './in-use.js';
import { formatClock, orDash, DASH } from '../format.js';
import { domainHash } from '../router.js';
import { t } from '../i18n.js';
import { stateLabel } from '../domains.js';

/** The list's column names (also each cell's data-label), in the current language. */
function columnLabels() {
    return {
        name: t('resources.column.name'), state: t('resources.column.state'), mode: t('networks.column.mode'),
        bridge: t('networks.column.bridge'), ipv4: t('networks.column.ipv4'), ipv6: t('networks.column.ipv6'),
        autostart: t('resources.column.autostart'), usedBy: t('resources.column.used-by'),
    };
}

/** The DHCP leases table's column names. */
function leaseLabels() {
    return {
        ip: t('networks.leases.column.ip'), mac: t('networks.leases.column.mac'), host: t('networks.leases.column.host'),
        type: t('networks.leases.column.type'), expires: t('networks.leases.column.expires'),
    };
}

export class NetworksView extends ResourcePage {
    /**
     * A VM's state beside its name in a network's users: the state word from the one
     * table (domains.js), as the live list knows it (a paused VM reads "paused"; the
     * server's `active` is true for it too), else as `active` says.
     */
    #userState(d) {
        return h('span', { class: 'muted small', text: t('resources.user.state', { state: stateLabel(userState(d, storeStateOf(this.ctx.store))) }) });
    }

    /**
     * The confirmation's usage check for stopping or deleting net: its users read
     * fresh; for a delete, whether running VMs make it a forced one (networkDeleteRule,
     * the server's rule), told through onForce(force).
     */
    #usage(name, action, onForce = () => {}) {
        return async () => {
            const net = (await this.ctx.api.networks()).find((n) => n.name === name);
            const users = net && Array.isArray(net.domains) ? net.domains : [];
            const rule = networkDeleteRule(users);
            const count = rule.running.length;
            onForce(rule.force);
            const warnings = !count ? []
                : action === 'stop' ? [t('networks.stop.running-warning', { count })] : [t('networks.delete.force-warning', { count })];
            return {
                users: usersList(users, storeStateOf(this.ctx.store)), none: t('networks.users-none'), warnings,
                confirmLabel: action === 'delete' && rule.force ? t('networks.action.force-delete') : '',
            };
        };
    }

    /** ctx: {api, store, notify, confirm}. */
    constructor(ctx) {
        super(ctx, { eventType: 'network', pageClass: 'page-networks', formId: 'net-form' }, () => ({
            title: t('networks.title'), refreshLabel: t('networks.refresh'), listTitle: t('networks.list-title'),
            createLabel: t('networks.create'), count: (count, active) => t('networks.count', { count, active }),
            loadFailure: t('networks.load-failed'), empty: t('networks.empty'), caption: t('networks.caption'),
        }));
        this.leasesFor = null;
        this.leases = h('section', { class: 'card leases-card', 'aria-labelledby': 'leases-title', hidden: true });
    }

    /** True when this host's libvirt can define networks but not start them. */
    #cannotStart() {
        const limits = this.ctx.store.host?.limits;
        return Array.isArray(limits) && limits.includes('network-start');
    }

    mount(container) {
        super.mount(container);
        this.#syncNote();
        // c.host also comes with every host load figure: act only when the limit changes
        this.unhost = this.ctx.store.on('changed', (c) => {
            if (c.host && this.#syncNote()) this.load(); // the Start buttons follow
        });
    }

    destroy() {
        this.unhost?.();
        super.destroy();
    }

    intro() {
        this.sessionNote = h('p', { id: 'networks-session-note', class: 'card notice', role: 'note', hidden: true });
        return [this.sessionNote];
    }

    /** Shows or hides the note as the host's limits say; true when that changed it. */
    #syncNote() {
        const on = this.#cannotStart();
        if (on === !this.sessionNote.hidden) return false;
        this.sessionNote.hidden = !on;
        this.sessionNote.textContent = on ? t('networks.session-note') : '';
        return true;
    }

    fetch() {
        return this.ctx.api.networks();
    }

    setAutostart(name, on) {
        return this.ctx.api.networkAutostart(name, on);
    }

    extras() {
        return [this.leases];
    }

    buildForm(close) {
        const form = new NetworkForm(this.ctx, {
            onCreated: (net) => {
                this.ctx.notify.info(t('networks.created', { name: net.name }));
                close();
                this.load();
            },
            onCancel: close,
        });
        return { root: form.root, reset: () => form.reset(this.items), focus: () => form.focus() };
    }

    usersOf(net) {
        return Array.isArray(net.domains) ? net.domains : [];
    }

    loaded() {
        if (this.leasesFor && this.items.some((n) => n.name === this.leasesFor)) this.#loadLeases(this.leasesFor, false);
    }

    columns(admin) {
        const c = columnLabels();
        return [c.name, c.state, c.mode, c.bridge, c.ipv4, c.ipv6, c.autostart, c.usedBy, admin && actionsLabel()];
    }

    row(net, admin) {
        const c = columnLabels();
        const ipCell = (ip) => {
            const x = ipText(ip);
            if (!x.address) return DASH;
            return h('div', { class: 'ip-cell' }, h('code', { text: x.address }), x.dhcp ? h('span', { class: 'muted small', text: x.dhcp }) : null);
        };
        const users = this.usersOf(net);
        const usedBy = users.length
            ? h('div', { class: 'users' }, h('span', { text: usersText(users, storeStateOf(this.ctx.store)) }),
                h('ul', { class: 'user-list' }, users.map((d) => h('li', {},
                    h('a', { href: domainHash(d.uuid), text: d.name }), this.#userState(d)))))
            : h('span', { class: 'muted', text: t('resources.users.none') });
        const name = net.name;
        const btn = (action, label, danger) => rowButton('name', name, action, label, danger);
        const start = () => {
            const b = btn('start', t('networks.action.start'));
            if (this.#cannotStart()) {
                b.disabled = true;
                b.title = t('networks.session-note');
                b.setAttribute('aria-describedby', 'networks-session-note');
            }
            return b;
        };
        return h('tr', { dataset: { name } },
            cell(c.name, {}, h('strong', { class: 'res-name', text: name }), !net.persistent ? h('span', { class: 'muted small', text: t('networks.transient') }) : null),
            cell(c.state, {}, activeBadge(net.active)),
            cell(c.mode, { text: modeLabel(net.mode) || orDash(net.mode) }),
            cell(c.bridge, {}, net.bridge ? h('code', { text: net.bridge }) : DASH, net.mtu ? h('span', { class: 'muted small', text: t('networks.mtu', { mtu: String(net.mtu) }) }) : null),
            cell(c.ipv4, {}, ipCell(net.ipv4)),
            cell(c.ipv6, {}, ipCell(net.ipv6)),
            cell(c.autostart, {}, autostartSwitch(name, net.autostart, admin)),
            // a `user` may not read leases (they name every VM on the network: docs/api.md)
            cell(c.usedBy, {}, usedBy, admin || this.ctx.store.session?.role === 'user' ? null : btn('leases', t('networks.action.leases'))),
            admin ? actionsCell(name,
                net.active ? btn('stop', t('networks.action.stop')) : start(),
                btn('leases', t('networks.action.leases')),
                btn('delete', t('networks.action.delete'), true)) : null);
    }

    async onAction(btn, action, net) {
        const name = net.name;
        if (action === 'leases') {
            this.#loadLeases(name, true);
            return;
        }
        if (action === 'delete') {
            await this.#delete(net, btn);
            return;
        }
        await runRowAction(this.ctx, btn, {
            confirm: action === 'stop' ? {
                title: t('networks.stop.confirm.title', { name }),
                message: t('networks.stop.confirm.message'),
                confirmLabel: t('networks.action.stop'),
                usage: this.#usage(name, 'stop'),
            } : null,
            run: () => this.ctx.api.networkAction(name, action),
            done: action === 'start' ? t('networks.started', { name }) : t('networks.stopped', { name }),
            failure: action === 'start' ? t('networks.start.failed', { name }) : t('networks.stop.failed', { name }),
            after: () => this.reloadKeepingFocus(name), // Start became Stop (or back): focus stays in the row
        });
    }

    async #delete(net, btn) {
        const name = net.name;
        // The check when the dialog opens says whether running VMs make it a forced delete.
        let force = false;
        const ok = await this.ctx.confirm({
            title: t('networks.delete.confirm.title', { name }),
            message: t('networks.delete.confirm.message'),
            detail: t('networks.delete.confirm.detail'),
            confirmLabel: t('networks.action.delete'), danger: true,
            usage: this.#usage(name, 'delete', (f) => { force = f; }),
        });
        if (!ok) return;
        setBusy(btn, true);
        try {
            try {
                await this.ctx.api.deleteNetwork(name, { force });
            } catch (err) {
                if (err.status !== 409 || force) throw err;
                // A VM started since the list was read: ask again, now offering force.
                const again = await this.ctx.confirm({
                    title: t('networks.delete.in-use.title', { name }),
                    message: errorMessage(err),
                    detail: t('networks.delete.in-use.detail'),
                    confirmLabel: t('networks.action.force-delete'), danger: true,
                });
                if (!again) return;
                force = true;
                await this.ctx.api.deleteNetwork(name, { force });
            }
            this.ctx.notify.info(t('networks.deleted', { name }));
            if (this.leasesFor === name) {
                this.leasesFor = null;
                this.leases.hidden = true;
            }
        } catch (err) {
            reportError(this.ctx.notify, t('networks.delete.failed', { name }), err);
        } finally {
            setBusy(btn, false);
            await this.reloadKeepingFocus(name);
        }
    }

    async #loadLeases(name, focus) {
        this.leasesFor = name;
        const title = h('h2', { class: 'card-title', id: 'leases-title', tabindex: '-1', text: t('networks.leases.title', { name }) });
        const close = h('button', { type: 'button', class: 'btn-icon', 'aria-label': t('networks.leases.close'), on: { click: () => {
            this.leasesFor = null;
            this.leases.hidden = true;
            this.list.body.querySelector(`button[data-action="leases"][data-name="${CSS.escape(name)}"]`)?.focus();
        } } }, icon('close'));
        const content = h('div', { class: 'leases-body', 'aria-live': 'polite' }, h('p', { class: 'muted', text: t('resources.loading') }));
        this.leases.replaceChildren(h('div', { class: 'section-head' }, title, close), content);
        this.leases.hidden = false;
        if (focus) title.focus();
        try {
            const leases = await this.ctx.api.networkLeases(name);
            if (this.leasesFor !== name) return;
            const wrap = h('div', { class: 'table-wrap' });
            content.replaceChildren(wrap);
            const c = leaseLabels();
            renderTable(wrap, {
                items: leases, empty: t('networks.leases.empty'),
                caption: t('networks.leases.caption', { name }), columns: [c.ip, c.mac, c.host, c.type, c.expires],
                row: (l) => h('tr', {},
                    cell(c.ip, {}, h('code', { text: Number.isInteger(l.prefix) ? `${l.ip}/${l.prefix}` : orDash(l.ip) })),
                    cell(c.mac, {}, h('code', { text: orDash(l.mac) })),
                    cell(c.host, { text: orDash(l.hostname) }),
                    cell(c.type, { text: orDash(l.type) }),
                    cell(c.expires, { text: Number.isFinite(l.expiry) && l.expiry > 0 ? formatClock(l.expiry) : DASH })),
            });
        } catch (err) {
            if (this.leasesFor !== name || err.status === 401) return;
            const text = err.status === 501 ? t('networks.leases.unsupported')
                : err.status === 409 ? t('networks.leases.not-running')
                    : failureText(t('networks.leases.failed'), err);
            content.replaceChildren(h('p', { class: 'empty', text }));
        }
    }
}
