// views/domain-interfaces.js — the "Network interfaces" tab of a VM's page: its
// interfaces with the guest's IP addresses (GET .../addresses while it runs), link
// up/down, detach, and attaching one (network or host bridge, model, MAC, link state,
// inbound/outbound QoS, VLAN tag). Admins only get the controls. A DeviceTab
// (device-tab.js). Browser main thread.

import { h } from './dom.js';
import { field, textInput, selectInput, setOptions, canManage, cardForm } from './form-kit.js';
import { actionButton, actionsCell, cell, renderTable, rowButton, runRowAction } from './resource-table.js';
import { DeviceTab, refreshDetail } from './device-tab.js';
import { NIC_MODELS, buildInterfaceRequest, addressesByMac, interfaceSource, linkState } from '../device-rules.js';
import { randomMac } from '../ipaddr.js';
import { isActive } from '../domains.js';
import { orDash } from '../format.js';

export class DomainInterfacesView extends DeviceTab {
    /** ctx: {api, store, notify, confirm}; vm: {uuid, name}. */
    constructor(ctx, vm) {
        super(ctx, vm, 'interfaces', { title: 'Network interfaces', attachLabel: 'Attach interface', formId: 'nic-form' });
        this.addrs = new Map();
        this.addrNote = '';
        this.addrSeq = 0;
        this.wasActive = null;
        this.linkSet = new Map(); // mac -> link state this page set (the detail may not report it)
        this.addrLine = h('p', { class: 'muted small addr-note', 'aria-live': 'polite' });
    }

    tools() {
        return [h('button', { type: 'button', class: 'btn', text: 'Refresh addresses', on: { click: () => this.#loadAddresses() } })];
    }

    extras() {
        return [this.addrLine];
    }

    update(domain) {
        const active = isActive(domain.state);
        if (active !== this.wasActive) {
            this.wasActive = active;
            this.domain = domain; // #loadAddresses reads the state, render() the name
            this.name = domain.name || this.name;
            this.#loadAddresses();
        }
        super.update(domain);
    }

    connect() {
        this.#loadAddresses();
    }

    destroy() {
        this.addrSeq++;
        super.destroy();
    }

    async #loadAddresses() {
        const seq = ++this.addrSeq;
        if (this.domain && !isActive(this.domain.state)) {
            this.addrs = new Map();
            this.addrNote = 'The VM is not running: no addresses to show.';
            this.render();
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
        this.render();
    }

    render() {
        if (!this.list) return;
        this.addrLine.textContent = this.addrNote;
        const admin = canManage(this.ctx.store);
        renderTable(this.list, {
            items: this.items(),
            empty: 'This VM has no network interfaces.', caption: `Network interfaces of ${this.name}`,
            columns: ['MAC', 'Source', 'Model', 'Device', 'Link', 'IP addresses', admin && 'Actions'],
            row: (n) => {
                const mac = n.mac || '';
                const link = n.link || n.link_state ? linkState(n) : this.linkSet.get(mac) || 'up';
                const ips = this.addrs.get(mac.toLowerCase()) || [];
                const btn = (action, label, danger) => rowButton('mac', mac, action, label, danger);
                return h('tr', { dataset: { mac } },
                    cell('MAC', {}, h('code', { text: orDash(mac) })),
                    cell('Source', { text: `${orDash(interfaceSource(n))}${n.type ? ` (${n.type})` : ''}` }),
                    cell('Model', { text: orDash(n.model) }),
                    cell('Device', { text: orDash(n.target) }),
                    cell('Link', {}, h('span', { class: ['badge', link === 'up' ? 'badge-ok' : 'badge-off'], text: link })),
                    cell('IP addresses', {}, ips.length
                        ? h('ul', { class: 'user-list' }, ips.map((a) => h('li', {}, h('code', { text: a }))))
                        : h('span', { class: 'muted', text: '\u2014' })),
                    admin ? actionsCell(mac,
                        link === 'up' ? btn('link-down', 'Set link down') : btn('link-up', 'Set link up'),
                        btn('detach', 'Detach', true)) : null);
            },
        });
    }

    buildForm(close) {
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
        const qosDetails = h('details', { class: 'qos' }, h('summary', { text: 'Bandwidth limits (QoS)' }),
            qosBox('inbound', 'Inbound (to the VM)'), qosBox('outbound', 'Outbound (from the VM)'));
        const fields = [...Object.values(f), ...Object.values(qos)];
        const rate = (dir) => ({ average: qos[`${dir}.average`].control.value, peak: qos[`${dir}.peak`].control.value, burst: qos[`${dir}.burst`].control.value });
        const card = cardForm({
            title: 'Attach a network interface', titleId: 'nic-form-title', level: 'h3', submitLabel: 'Attach',
            body: [
                h('div', { class: 'form-grid' }, f.kind.root, f.network.root, f.bridge.root, f.model.root, f.mac.root, f.link.root, f.vlan.root),
                qosDetails,
            ],
            fields: () => fields,
            check: () => {
                const request = buildInterfaceRequest({
                    kind: f.kind.control.value, network: f.network.control.value, bridge: f.bridge.control.value,
                    model: f.model.control.value, mac: f.mac.control.value, link: f.link.control.value,
                    vlan: f.vlan.control.value, inbound: rate('inbound'), outbound: rate('outbound'),
                });
                if (Object.keys(request.errors).some((k) => k.includes('.'))) qosDetails.open = true;
                return request;
            },
            send: async (payload) => {
                const answer = await this.ctx.api.attachInterface(this.uuid, payload);
                close(false);
                const more = await refreshDetail(this.ctx, this.uuid, answer);
                this.ctx.notify.info(`Network interface attached to \u201c${this.name}\u201d.${more}`);
            },
            failure: 'Not attached',
            onCancel: () => close(false),
        });
        const sync = () => {
            const bridge = f.kind.control.value === 'bridge';
            f.network.root.hidden = bridge;
            f.bridge.root.hidden = !bridge;
        };
        f.kind.control.addEventListener('change', sync);
        return {
            root: card.root,
            reset: async () => {
                card.clear();
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

    async onClick(ev) {
        const btn = actionButton(ev);
        if (!btn) return;
        const { action, mac } = btn.dataset;
        const detach = action === 'detach';
        const link = action === 'link-up' ? 'up' : 'down';
        await runRowAction(this.ctx, btn, {
            confirm: detach ? {
                title: `Detach ${mac} from \u201c${this.name}\u201d?`,
                message: 'The interface is removed from the VM (and from the running guest).',
                detail: 'The guest loses the connection on this interface.', confirmLabel: 'Detach',
            } : null,
            run: async () => {
                let answer;
                if (detach) answer = await this.ctx.api.detachInterface(this.uuid, mac);
                else {
                    answer = await this.ctx.api.updateInterface(this.uuid, mac, { link });
                    this.linkSet.set(mac, link);
                    this.key = ''; // re-render even if the detail did not change
                }
                return refreshDetail(this.ctx, this.uuid, answer);
            },
            done: (more) => `${detach ? `Interface ${mac} detached.` : `Link of ${mac} is ${link}.`}${more}`,
            failure: `Could not change interface ${mac}`,
            after: () => {
                if (!this.root.contains(document.activeElement)) this.list.querySelector(`tr[data-mac="${CSS.escape(mac)}"] button`)?.focus();
            },
        });
    }
}
