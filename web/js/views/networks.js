// views/networks.js — the "Networks" page (#/networks): every virtual network with its
// state, mode, bridge, IPv4/IPv6 subnets and DHCP ranges, autostart and the VMs using
// it; Start/Stop/Delete (confirmation; "force" when running VMs use it), the DHCP
// leases of one network, and the "Create network" form (network-form.js). Only admins
// get the controls that change anything. Browser main thread.

import { h, icon } from './dom.js';
import { NetworkForm } from './network-form.js';
import { activeBadge, canManage, reportError, setBusy, uid } from './form-kit.js';
import { MODE_LABELS, ipText, usersText } from '../network-rules.js';
import { formatBool, formatClock, orDash, DASH } from '../format.js';
import { domainHash } from '../router.js';

export class NetworksView {
    /** ctx: {api, store, notify, confirm}. */
    constructor(ctx) {
        this.ctx = ctx;
        this.networks = [];
        this.loadSeq = 0;
        this.leasesFor = null;
    }

    mount(container) {
        const admin = canManage(this.ctx.store);
        this.title = h('h1', { id: 'page-title', class: 'page-title', tabindex: '-1', text: 'Virtual networks' });
        this.createBtn = admin ? h('button', {
            type: 'button', class: 'btn btn-primary', text: 'Create network', 'aria-expanded': 'false',
            on: { click: () => this.#openForm() },
        }) : null;
        const refresh = h('button', { type: 'button', class: 'btn', text: 'Refresh', on: { click: () => this.load() } });
        this.form = admin ? new NetworkForm(this.ctx, {
            onCreated: (net) => {
                this.ctx.notify.info(`Network \u201c${net.name}\u201d created.`);
                this.#closeForm();
                this.load();
            },
            onCancel: () => this.#closeForm(),
        }) : null;
        if (this.form) {
            this.form.root.hidden = true;
            this.form.root.id = uid('net-form');
            this.createBtn.setAttribute('aria-controls', this.form.root.id);
        }
        this.count = h('p', { class: 'count', role: 'status' });
        this.body = h('div', { class: 'table-wrap' }, h('p', { class: 'empty', text: 'Loading\u2026' }));
        this.leases = h('section', { class: 'card leases-card', 'aria-labelledby': 'leases-title', hidden: true });
        this.root = h('div', { class: 'page page-networks' },
            h('div', { class: 'page-head' }, this.title, h('div', { class: 'toolbar' }, refresh, this.createBtn)),
            this.form ? this.form.root : null,
            h('section', { class: 'card list-card', 'aria-labelledby': 'page-title' },
                h('div', { class: 'section-head' }, h('h2', { class: 'card-title', text: 'Networks' }), this.count),
                this.body),
            this.leases);
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
        this.form.reset(this.networks);
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
            const list = await this.ctx.api.networks();
            if (seq !== this.loadSeq) return;
            this.networks = list;
            this.#render();
            if (this.leasesFor && list.some((n) => n.name === this.leasesFor)) this.#loadLeases(this.leasesFor, false);
        } catch (err) {
            if (seq !== this.loadSeq || err.status === 401) return;
            this.body.replaceChildren(h('div', { class: 'empty' },
                h('p', { text: `Could not list the networks: ${err.message}` }),
                h('button', { type: 'button', class: 'btn', text: 'Try again', on: { click: () => this.load() } })));
        }
    }

    #render() {
        const admin = canManage(this.ctx.store);
        const focusKey = document.activeElement?.dataset?.focusKey;
        const n = this.networks.length;
        this.count.textContent = `${n} network${n === 1 ? '' : 's'}, ${this.networks.filter((x) => x.active).length} active`;
        if (!n) {
            this.body.replaceChildren(h('p', { class: 'empty', text: 'No virtual networks yet.' }));
            return;
        }
        const cols = ['Name', 'State', 'Mode', 'Bridge', 'IPv4', 'IPv6', 'Autostart', 'Used by', admin ? 'Actions' : null].filter(Boolean);
        const table = h('table', { class: 'rtable res-table' },
            h('caption', { class: 'visually-hidden', text: 'Virtual networks' }),
            h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', text: c })))),
            h('tbody', {}, this.networks.map((net) => this.#row(net, admin))));
        this.body.replaceChildren(table);
        if (focusKey) this.body.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
    }

    #row(net, admin) {
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
        const autostart = admin
            ? h('label', { class: 'switch' },
                h('input', { type: 'checkbox', class: 'checkbox', checked: !!net.autostart, dataset: { autostart: name, focusKey: `${name}|autostart` }, 'aria-label': `Start ${name} when the host boots` }),
                h('span', { text: formatBool(!!net.autostart) }))
            : formatBool(net.autostart);
        const btn = (action, label, extra = {}) => h('button', {
            type: 'button', class: ['btn', 'btn-sm', extra.danger && 'btn-danger-outline'],
            dataset: { action, name, focusKey: `${name}|${action}` }, 'aria-label': `${label} ${name}`,
        }, label);
        const actions = admin ? h('div', { class: 'actions', role: 'group', 'aria-label': `Actions for ${name}` },
            net.active ? btn('stop', 'Stop') : btn('start', 'Start'),
            btn('leases', 'Leases'),
            btn('delete', 'Delete', { danger: true })) : null;
        const leasesOnly = !admin ? h('button', { type: 'button', class: 'btn btn-sm', dataset: { action: 'leases', name, focusKey: `${name}|leases` }, 'aria-label': `Leases ${name}` }, 'Leases') : null;
        return h('tr', { dataset: { name } },
            h('td', { 'data-label': 'Name' }, h('strong', { class: 'res-name', text: name }), !net.persistent ? h('span', { class: 'muted small', text: ' (transient)' }) : null),
            h('td', { 'data-label': 'State' }, activeBadge(net.active)),
            h('td', { 'data-label': 'Mode', text: MODE_LABELS[net.mode] || orDash(net.mode) }),
            h('td', { 'data-label': 'Bridge' }, net.bridge ? h('code', { text: net.bridge }) : DASH, net.mtu ? h('span', { class: 'muted small', text: ` MTU ${net.mtu}` }) : null),
            h('td', { 'data-label': 'IPv4' }, ipCell(net.ipv4)),
            h('td', { 'data-label': 'IPv6' }, ipCell(net.ipv6)),
            h('td', { 'data-label': 'Autostart' }, autostart),
            h('td', { 'data-label': 'Used by' }, usedBy, leasesOnly),
            admin ? h('td', { 'data-label': 'Actions', class: 'col-actions' }, actions) : null);
    }

    async #onChange(ev) {
        const box = ev.target.closest('input[data-autostart]');
        if (!box) return;
        const name = box.dataset.autostart;
        const want = box.checked;
        box.disabled = true;
        try {
            await this.ctx.api.networkAutostart(name, want);
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
        const net = this.networks.find((n) => n.name === name);
        if (!net) return;
        if (action === 'leases') {
            this.#loadLeases(name, true);
            return;
        }
        if (action === 'delete') {
            await this.#delete(net, btn);
            return;
        }
        setBusy(btn, true);
        try {
            if (action === 'stop') {
                const running = (net.domains || []).filter((d) => d.active);
                if (running.length) {
                    const ok = await this.ctx.confirm({
                        title: `Stop network \u201c${name}\u201d?`,
                        message: `Running VMs use it: ${running.map((d) => d.name).join(', ')}.`,
                        detail: 'They lose their connection on this network until it is started again.',
                        confirmLabel: 'Stop', danger: true,
                    });
                    if (!ok) return;
                }
            }
            await this.ctx.api.networkAction(name, action);
            this.ctx.notify.info(`Network \u201c${name}\u201d ${action === 'start' ? 'started' : 'stopped'}.`);
        } catch (err) {
            reportError(this.ctx.notify, `Could not ${action} network \u201c${name}\u201d`, err);
        } finally {
            setBusy(btn, false);
            await this.load();
            // The Start button became Stop (or back): keep focus in the row.
            if (!this.root.contains(document.activeElement) || document.activeElement === document.body) {
                this.body.querySelector(`tr[data-name="${CSS.escape(name)}"] button[data-action]`)?.focus();
            }
        }
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
            await this.load();
            if (!this.root.contains(document.activeElement)) this.title.focus();
        }
    }

    async #loadLeases(name, focus) {
        this.leasesFor = name;
        const title = h('h2', { class: 'card-title', id: 'leases-title', tabindex: '-1', text: `DHCP leases of \u201c${name}\u201d` });
        const close = h('button', { type: 'button', class: 'btn-icon', 'aria-label': 'Close leases', on: { click: () => {
            this.leasesFor = null;
            this.leases.hidden = true;
            this.body.querySelector(`button[data-action="leases"][data-name="${CSS.escape(name)}"]`)?.focus();
        } } }, icon('close'));
        const content = h('div', { class: 'leases-body', 'aria-live': 'polite' }, h('p', { class: 'muted', text: 'Loading\u2026' }));
        this.leases.replaceChildren(h('div', { class: 'section-head' }, title, close), content);
        this.leases.hidden = false;
        if (focus) title.focus();
        try {
            const leases = await this.ctx.api.networkLeases(name);
            if (this.leasesFor !== name) return;
            if (!leases.length) {
                content.replaceChildren(h('p', { class: 'empty', text: 'No leases: no VM got an address from this network\u2019s DHCP server yet.' }));
                return;
            }
            const cols = ['IP address', 'MAC address', 'Host name', 'Type', 'Expires'];
            content.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'rtable' },
                h('caption', { class: 'visually-hidden', text: `DHCP leases of ${name}` }),
                h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', text: c })))),
                h('tbody', {}, leases.map((l) => h('tr', {},
                    h('td', { 'data-label': cols[0] }, h('code', { text: Number.isInteger(l.prefix) ? `${l.ip}/${l.prefix}` : orDash(l.ip) })),
                    h('td', { 'data-label': cols[1] }, h('code', { text: orDash(l.mac) })),
                    h('td', { 'data-label': cols[2], text: orDash(l.hostname) }),
                    h('td', { 'data-label': cols[3], text: orDash(l.type) }),
                    h('td', { 'data-label': cols[4], text: Number.isFinite(l.expiry) && l.expiry > 0 ? formatClock(l.expiry) : DASH })))))));
        } catch (err) {
            if (this.leasesFor !== name || err.status === 401) return;
            const text = err.status === 501 ? 'Leases are not available with this hypervisor driver.'
                : err.status === 409 ? 'The network is not running, so it has no leases.'
                    : `Could not read the leases: ${err.message}`;
            content.replaceChildren(h('p', { class: 'empty', text }));
        }
    }
}
