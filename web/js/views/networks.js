// views/networks.js — the "Networks" page (#/networks): every virtual network with its
// state, mode, bridge, IPv4/IPv6 subnets and DHCP ranges, autostart and the VMs using
// it; Start/Stop/Delete (confirmation; "force" when running VMs use it), the DHCP
// leases of one network, and the "Create network" form (network-form.js). Only admins
// get the controls that change anything. Browser main thread.

import { h, icon } from './dom.js';
import { NetworkForm } from './network-form.js';
import { activeBadge, reportError, setBusy } from './form-kit.js';
import { actionsCell, autostartSwitch, cell, renderTable, rowButton, runRowAction } from './resource-table.js';
import { ResourcePage } from './resource-page.js';
import { MODE_LABELS, ipText, usersText } from '../network-rules.js';
import { formatClock, orDash, DASH } from '../format.js';
import { domainHash } from '../router.js';

export class NetworksView extends ResourcePage {
    /** ctx: {api, store, notify, confirm}. */
    constructor(ctx) {
        super(ctx, {
            eventType: 'network',
            pageClass: 'page-networks', title: 'Virtual networks', refreshLabel: 'Refresh', listTitle: 'Networks',
            createLabel: 'Create network', formId: 'net-form', noun: 'network', what: 'the networks',
            empty: 'No virtual networks yet.', caption: 'Virtual networks',
        });
        this.leasesFor = null;
        this.leases = h('section', { class: 'card leases-card', 'aria-labelledby': 'leases-title', hidden: true });
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
                this.ctx.notify.info(`Network \u201c${net.name}\u201d created.`);
                close();
                this.load();
            },
            onCancel: close,
        });
        return { root: form.root, reset: () => form.reset(this.items), focus: () => form.focus() };
    }

    loaded() {
        if (this.leasesFor && this.items.some((n) => n.name === this.leasesFor)) this.#loadLeases(this.leasesFor, false);
    }

    columns(admin) {
        return ['Name', 'State', 'Mode', 'Bridge', 'IPv4', 'IPv6', 'Autostart', 'Used by', admin && 'Actions'];
    }

    row(net, admin) {
        const ipCell = (ip) => {
            const t = ipText(ip);
            if (!t.address) return DASH;
            return h('div', { class: 'ip-cell' }, h('code', { text: t.address }), t.dhcp ? h('span', { class: 'muted small', text: t.dhcp }) : null);
        };
        const users = Array.isArray(net.domains) ? net.domains : [];
        const usedBy = users.length
            ? h('div', { class: 'users' }, h('span', { text: usersText(users) }),
                h('ul', { class: 'user-list' }, users.map((d) => h('li', {},
                    h('a', { href: domainHash(d.uuid), text: d.name }), d.active ? h('span', { class: 'muted small', text: ' (running)' }) : null))))
            : h('span', { class: 'muted', text: 'None' });
        const name = net.name;
        const btn = (action, label, danger) => rowButton('name', name, action, label, danger);
        return h('tr', { dataset: { name } },
            cell('Name', {}, h('strong', { class: 'res-name', text: name }), !net.persistent ? h('span', { class: 'muted small', text: ' (transient)' }) : null),
            cell('State', {}, activeBadge(net.active)),
            cell('Mode', { text: MODE_LABELS[net.mode] || orDash(net.mode) }),
            cell('Bridge', {}, net.bridge ? h('code', { text: net.bridge }) : DASH, net.mtu ? h('span', { class: 'muted small', text: ` MTU ${net.mtu}` }) : null),
            cell('IPv4', {}, ipCell(net.ipv4)),
            cell('IPv6', {}, ipCell(net.ipv6)),
            cell('Autostart', {}, autostartSwitch(name, net.autostart, admin)),
            cell('Used by', {}, usedBy, admin ? null : btn('leases', 'Leases')),
            admin ? actionsCell(name,
                net.active ? btn('stop', 'Stop') : btn('start', 'Start'),
                btn('leases', 'Leases'),
                btn('delete', 'Delete', true)) : null);
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
        const running = (net.domains || []).filter((d) => d.active);
        await runRowAction(this.ctx, btn, {
            confirm: action === 'stop' && running.length ? {
                title: `Stop network \u201c${name}\u201d?`,
                message: `Running VMs use it: ${running.map((d) => d.name).join(', ')}.`,
                detail: 'They lose their connection on this network until it is started again.',
                confirmLabel: 'Stop',
            } : null,
            run: () => this.ctx.api.networkAction(name, action),
            done: `Network \u201c${name}\u201d ${action === 'start' ? 'started' : 'stopped'}.`,
            failure: `Could not ${action} network \u201c${name}\u201d`,
            after: () => this.reloadKeepingFocus(name), // Start became Stop (or back): focus stays in the row
        });
    }

    async #delete(net, btn) {
        const name = net.name;
        const running = (net.domains || []).filter((d) => d.active);
        let force = running.length > 0;
        const ok = await this.ctx.confirm({
            title: `Delete network \u201c${name}\u201d?`,
            message: force
                ? `Running VMs use it: ${running.map((d) => d.name).join(', ')}. Force the deletion?`
                : 'The network is stopped and its definition removed.',
            detail: force ? 'Their interfaces on this network lose connectivity.' : 'VMs that refer to it will not start until they are changed.',
            confirmLabel: force ? 'Force delete' : 'Delete', danger: true,
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
                    title: `\u201c${name}\u201d is in use`,
                    message: err.message,
                    detail: 'Force the deletion? Running VMs lose connectivity on this network.',
                    confirmLabel: 'Force delete', danger: true,
                });
                if (!again) return;
                force = true;
                await this.ctx.api.deleteNetwork(name, { force });
            }
            this.ctx.notify.info(`Network \u201c${name}\u201d deleted.`);
            if (this.leasesFor === name) {
                this.leasesFor = null;
                this.leases.hidden = true;
            }
        } catch (err) {
            reportError(this.ctx.notify, `Could not delete network \u201c${name}\u201d`, err);
        } finally {
            setBusy(btn, false);
            await this.reloadKeepingFocus(name);
        }
    }

    async #loadLeases(name, focus) {
        this.leasesFor = name;
        const title = h('h2', { class: 'card-title', id: 'leases-title', tabindex: '-1', text: `DHCP leases of \u201c${name}\u201d` });
        const close = h('button', { type: 'button', class: 'btn-icon', 'aria-label': 'Close leases', on: { click: () => {
            this.leasesFor = null;
            this.leases.hidden = true;
            this.list.body.querySelector(`button[data-action="leases"][data-name="${CSS.escape(name)}"]`)?.focus();
        } } }, icon('close'));
        const content = h('div', { class: 'leases-body', 'aria-live': 'polite' }, h('p', { class: 'muted', text: 'Loading\u2026' }));
        this.leases.replaceChildren(h('div', { class: 'section-head' }, title, close), content);
        this.leases.hidden = false;
        if (focus) title.focus();
        try {
            const leases = await this.ctx.api.networkLeases(name);
            if (this.leasesFor !== name) return;
            const wrap = h('div', { class: 'table-wrap' });
            content.replaceChildren(wrap);
            renderTable(wrap, {
                items: leases, empty: 'No leases: no VM got an address from this network\u2019s DHCP server yet.',
                caption: `DHCP leases of ${name}`, columns: ['IP address', 'MAC address', 'Host name', 'Type', 'Expires'],
                row: (l) => h('tr', {},
                    cell('IP address', {}, h('code', { text: Number.isInteger(l.prefix) ? `${l.ip}/${l.prefix}` : orDash(l.ip) })),
                    cell('MAC address', {}, h('code', { text: orDash(l.mac) })),
                    cell('Host name', { text: orDash(l.hostname) }),
                    cell('Type', { text: orDash(l.type) }),
                    cell('Expires', { text: Number.isFinite(l.expiry) && l.expiry > 0 ? formatClock(l.expiry) : DASH })),
            });
        } catch (err) {
            if (this.leasesFor !== name || err.status === 401) return;
            const text = err.status === 501 ? 'Leases are not available with this hypervisor driver.'
                : err.status === 409 ? 'The network is not running, so it has no leases.'
                    : `Could not read the leases: ${err.message}`;
            content.replaceChildren(h('p', { class: 'empty', text }));
        }
    }
}
