// views/domain-interfaces.js — the "Network interfaces" tab of a VM's page: its
// interfaces with the guest's IP addresses (GET .../addresses while it runs), link
// up/down, detach, and attaching one (network or host bridge, model, MAC, link state,
// inbound/outbound QoS, VLAN tag). Admins only get the controls. Same interface as
// the other tab views: mount, update(domain), suspend, connect, destroy. Browser main
// thread.

import { h } from './dom.js';
import {
    field, textInput, selectInput, setOptions, showErrors, serverErrorBox, setBusy, canManage, reportError, uid,
} from './form-kit.js';
import { refreshDetail } from './domain-disks.js';
import { NIC_MODELS, buildInterfaceRequest, addressesByMac, interfaceSource, linkState } from '../device-rules.js';
import { randomMac } from '../ipaddr.js';
import { isActive } from '../domains.js';
import { orDash } from '../format.js';

export class DomainInterfacesView {
    /** ctx: {api, store, notify, confirm}; vm: {uuid, name}. */
    constructor(ctx, vm) {
        this.ctx = ctx;
        this.uuid = vm.uuid;
        this.name = vm.name;
        this.domain = null;
        this.key = '';
        this.addrs = new Map();
        this.addrNote = '';
        this.addrSeq = 0;
        this.wasActive = null;
        this.linkSet = new Map(); // mac -> link state this page set (the detail may not report it)
    }

    mount(panel) {
        const admin = canManage(this.ctx.store);
        this.list = h('div', { class: 'table-wrap' });
        this.addrLine = h('p', { class: 'muted small addr-note', 'aria-live': 'polite' });
        const refresh = h('button', { type: 'button', class: 'btn', text: 'Refresh addresses', on: { click: () => this.#loadAddresses() } });
        this.attachBtn = admin ? h('button', { type: 'button', class: 'btn btn-primary', text: 'Attach interface', 'aria-expanded': 'false', on: { click: () => this.#toggleForm() } }) : null;
        this.form = admin ? this.#buildForm() : null;
        if (this.form) {
            this.form.root.hidden = true;
            this.form.root.id = uid('nic-form');
            this.attachBtn.setAttribute('aria-controls', this.form.root.id);
        }
        this.root = h('div', { class: 'device-tab' },
            h('div', { class: 'section-head plain' }, h('h2', { class: 'card-title', text: 'Network interfaces' }),
                h('div', { class: 'toolbar' }, refresh, this.attachBtn)),
            this.form ? this.form.root : null,
            h('section', { class: 'card list-card' }, this.list, this.addrLine));
        this.list.addEventListener('click', (ev) => this.#onClick(ev));
        panel.replaceChildren(this.root);
    }

    update(domain) {
        this.domain = domain;
        this.name = domain.name || this.name;
        const active = isActive(domain.state);
        if (active !== this.wasActive) {
            this.wasActive = active;
            this.#loadAddresses();
        }
        const key = JSON.stringify([domain.interfaces, domain.state]);
        if (key === this.key) return;
        this.key = key;
        this.#render();
    }

    suspend() {}

    connect() {
        this.#loadAddresses();
    }

    destroy() {
        this.addrSeq++;
        this.root?.remove();
    }

    async #loadAddresses() {
        const seq = ++this.addrSeq;
        if (this.domain && !isActive(this.domain.state)) {
            this.addrs = new Map();
            this.addrNote = 'The VM is not running: no addresses to show.';
            this.#render();
            return;
        }
        try {
            const answer = await this.ctx.api.addresses(this.uuid);
            if (seq !== this.addrSeq) return;
            this.addrs = addressesByMac(answer);
            this.addrNote = answer && answer.source ? `Addresses from ${answer.source === 'agent' ? 'the guest agent' : answer.source === 'lease' ? 'DHCP leases' : answer.source}.` : '';
        } catch (err) {
            if (seq !== this.addrSeq || err.status === 401) return;
            this.addrs = new Map();
            this.addrNote = err.status === 501 ? 'IP addresses are not available with this hypervisor driver.'
                : err.status === 409 ? 'The VM is not running: no addresses to show.'
                    : `Could not read the addresses: ${err.message}`;
        }
        this.#render();
    }

    #render() {
        if (!this.list) return;
        this.addrLine.textContent = this.addrNote;
        const admin = canManage(this.ctx.store);
        const nics = (this.domain && Array.isArray(this.domain.interfaces)) ? this.domain.interfaces : [];
        const focusKey = document.activeElement?.dataset?.focusKey;
        if (!nics.length) {
            this.list.replaceChildren(h('p', { class: 'empty', text: 'This VM has no network interfaces.' }));
            return;
        }
        const cols = ['MAC', 'Source', 'Model', 'Device', 'Link', 'IP addresses', admin ? 'Actions' : null].filter(Boolean);
        this.list.replaceChildren(h('table', { class: 'rtable res-table' },
            h('caption', { class: 'visually-hidden', text: `Network interfaces of ${this.name}` }),
            h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', text: c })))),
            h('tbody', {}, nics.map((n) => {
                const mac = n.mac || '';
                const link = n.link || n.link_state ? linkState(n) : this.linkSet.get(mac) || 'up';
                const ips = this.addrs.get(mac.toLowerCase()) || [];
                const btn = (action, label, danger = false) => h('button', {
                    type: 'button', class: ['btn', 'btn-sm', danger && 'btn-danger-outline'],
                    dataset: { action, mac, focusKey: `${mac}|${action}` }, 'aria-label': `${label} ${mac}`,
                }, label);
                return h('tr', { dataset: { mac } },
                    h('td', { 'data-label': 'MAC' }, h('code', { text: orDash(mac) })),
                    h('td', { 'data-label': 'Source', text: `${orDash(interfaceSource(n))}${n.type ? ` (${n.type})` : ''}` }),
                    h('td', { 'data-label': 'Model', text: orDash(n.model) }),
                    h('td', { 'data-label': 'Device', text: orDash(n.target) }),
                    h('td', { 'data-label': 'Link' }, h('span', { class: ['badge', link === 'up' ? 'badge-ok' : 'badge-off'], text: link })),
                    h('td', { 'data-label': 'IP addresses' }, ips.length
                        ? h('ul', { class: 'user-list' }, ips.map((a) => h('li', {}, h('code', { text: a }))))
                        : h('span', { class: 'muted', text: '\u2014' })),
                    admin ? h('td', { 'data-label': 'Actions', class: 'col-actions' },
                        h('div', { class: 'actions', role: 'group', 'aria-label': `Actions for ${mac}` },
                            link === 'up' ? btn('link-down', 'Set link down') : btn('link-up', 'Set link up'),
                            btn('detach', 'Detach', true))) : null);
            }))));
        if (focusKey) this.list.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
    }

    #buildForm() {
        const f = {};
        f.kind = field({ label: 'Connect to', key: 'kind', control: selectInput([['network', 'A virtual network'], ['bridge', 'A host bridge']], { value: 'network' }) });
        f.network = field({ label: 'Network', key: 'network', control: selectInput([['', 'Loading\u2026']]) });
        f.bridge = field({ label: 'Host bridge', key: 'bridge', control: textInput({ placeholder: 'br0', maxlength: '15' }) });
        f.model = field({ label: 'Model', key: 'model', control: selectInput(NIC_MODELS.map((m) => [m, m === 'virtio' ? 'virtio (fastest)' : m]), { value: 'virtio' }) });
        const gen = h('button', { type: 'button', class: 'btn btn-sm', text: 'Generate' });
        f.mac = field({ label: 'MAC address (optional)', key: 'mac', control: textInput({ placeholder: '52:54:00:xx:xx:xx' }), hint: 'Empty lets libvirt choose one.' });
        f.mac.root.append(gen);
        gen.addEventListener('click', () => { f.mac.control.value = randomMac(); f.mac.control.focus(); });
        f.link = field({ label: 'Link state', key: 'link', control: selectInput([['up', 'Up'], ['down', 'Down']], { value: 'up' }) });
        f.vlan = field({ label: 'VLAN tag (optional)', key: 'vlan', control: textInput({ inputmode: 'numeric', class: 'input input-short' }), hint: '1 \u2013 4094 (Open vSwitch bridges)' });
        const qos = {};
        for (const dir of ['inbound', 'outbound']) {
            for (const [k, label] of [['average', 'Average (KiB/s)'], ['peak', 'Peak (KiB/s)'], ['burst', 'Burst (KiB)']]) {
                qos[`${dir}.${k}`] = field({ label, key: `${dir}.${k}`, control: textInput({ inputmode: 'numeric', class: 'input input-short' }) });
            }
        }
        const qosBox = (dir, legend) => h('fieldset', { class: 'fieldset' }, h('legend', { text: legend }),
            h('div', { class: 'form-grid' }, ['average', 'peak', 'burst'].map((k) => qos[`${dir}.${k}`].root)));
        const errorBox = serverErrorBox();
        const submit = h('button', { type: 'submit', class: 'btn btn-primary', text: 'Attach' });
        const cancel = h('button', { type: 'button', class: 'btn', text: 'Cancel', on: { click: () => this.#toggleForm(false) } });
        const form = h('form', { class: 'form', novalidate: true, 'aria-labelledby': 'nic-form-title' },
            h('h3', { class: 'card-title', id: 'nic-form-title', text: 'Attach a network interface' }),
            h('div', { class: 'form-grid' }, f.kind.root, f.network.root, f.bridge.root, f.model.root, f.mac.root, f.link.root, f.vlan.root),
            h('details', { class: 'qos' }, h('summary', { text: 'Bandwidth limits (QoS)' }),
                qosBox('inbound', 'Inbound (to the VM)'), qosBox('outbound', 'Outbound (from the VM)')),
            errorBox.root, h('div', { class: 'form-buttons' }, cancel, submit));
        const root = h('section', { class: 'card form-card' }, form);
        const sync = () => {
            const bridge = f.kind.control.value === 'bridge';
            f.network.root.hidden = bridge;
            f.bridge.root.hidden = !bridge;
        };
        f.kind.control.addEventListener('change', sync);
        const fields = [...Object.values(f), ...Object.values(qos)];
        form.addEventListener('submit', async (ev) => {
            ev.preventDefault();
            if (submit.disabled) return;
            errorBox.clear();
            const rate = (dir) => ({ average: qos[`${dir}.average`].control.value, peak: qos[`${dir}.peak`].control.value, burst: qos[`${dir}.burst`].control.value });
            const { payload, errors } = buildInterfaceRequest({
                kind: f.kind.control.value, network: f.network.control.value, bridge: f.bridge.control.value,
                model: f.model.control.value, mac: f.mac.control.value, link: f.link.control.value,
                vlan: f.vlan.control.value, inbound: rate('inbound'), outbound: rate('outbound'),
            });
            if (Object.keys(errors).some((k) => k.includes('.'))) form.querySelector('details.qos').open = true;
            if (showErrors(fields, errors)) return;
            setBusy(submit, true);
            try {
                const answer = await this.ctx.api.attachInterface(this.uuid, payload);
                this.#toggleForm(false);
                const more = await refreshDetail(this.ctx, this.uuid, answer);
                this.ctx.notify.info(`Network interface attached to \u201c${this.name}\u201d.${more}`);
            } catch (err) {
                if (err.status !== 401) errorBox.show(`Not attached: ${err.message}`);
            } finally {
                setBusy(submit, false);
            }
        });
        form.addEventListener('keydown', (ev) => {
            if (ev.key === 'Escape') {
                ev.preventDefault();
                this.#toggleForm(false);
            }
        });
        return {
            root,
            reset: async () => {
                form.reset();
                errorBox.clear();
                showErrors(fields, {}, { focus: false });
                sync();
                try {
                    const nets = await this.ctx.api.networks();
                    setOptions(f.network.control, nets.length
                        ? nets.map((n) => [n.name, `${n.name}${n.active ? '' : ' (inactive)'}`]) : [['', 'No virtual networks']],
                    nets.find((n) => n.active)?.name || nets[0]?.name || '');
                } catch (err) {
                    setOptions(f.network.control, [['', `Could not list networks: ${err.message}`]]);
                }
            },
            focus: () => f.kind.control.focus(),
        };
    }

    #toggleForm(open = this.form.root.hidden) {
        this.form.root.hidden = !open;
        this.attachBtn.setAttribute('aria-expanded', String(open));
        if (open) {
            this.form.reset();
            this.form.focus();
        } else {
            this.attachBtn.focus();
        }
    }

    async #onClick(ev) {
        const btn = ev.target.closest('button[data-action]');
        if (!btn || btn.disabled) return;
        const { action, mac } = btn.dataset;
        if (action === 'detach') {
            const ok = await this.ctx.confirm({
                title: `Detach ${mac} from \u201c${this.name}\u201d?`,
                message: 'The interface is removed from the VM (and from the running guest).',
                detail: 'The guest loses the connection on this interface.', confirmLabel: 'Detach', danger: true,
            });
            if (!ok) return;
        }
        setBusy(btn, true);
        try {
            let answer;
            if (action === 'detach') answer = await this.ctx.api.detachInterface(this.uuid, mac);
            else {
                answer = await this.ctx.api.updateInterface(this.uuid, mac, { link: action === 'link-up' ? 'up' : 'down' });
                this.linkSet.set(mac, action === 'link-up' ? 'up' : 'down');
                this.key = ''; // re-render even if the detail did not change
            }
            const more = await refreshDetail(this.ctx, this.uuid, answer);
            this.ctx.notify.info(`${action === 'detach' ? `Interface ${mac} detached.` : `Link of ${mac} is ${action === 'link-up' ? 'up' : 'down'}.`}${more}`);
        } catch (err) {
            reportError(this.ctx.notify, `Could not change interface ${mac}`, err);
        } finally {
            setBusy(btn, false);
            if (!this.root.contains(document.activeElement)) this.list.querySelector(`tr[data-mac="${CSS.escape(mac)}"] button`)?.focus();
        }
    }
}
