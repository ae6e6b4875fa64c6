// SPDX-License-Identifier: LGPL-2.1-or-later
// views/domain-interfaces.js — the "Network interfaces" tab of a VM's page: its
// interfaces with the guest's IP addresses (GET .../addresses while it runs), link
// up/down, detach, and attaching one (QEMU's user-mode networking, a network or a host
// bridge; model, MAC, link state, inbound/outbound QoS, VLAN tag). User-mode comes
// first when the host has no active network (a session libvirt cannot start one). Admins only get the controls. A DeviceTab
// (device-tab.js). Browser main thread.

import { h } from './dom.js';
import { field, textInput, selectInput, setOptions, canManage, cardForm, failureText, optionalLabel } from './form-kit.js';
import { actionButton, actionsCell, actionsLabel, cell, renderTable, rowButton, runRowAction } from './resource-table.js';
import { DeviceTab, refreshDetail, withNote } from './device-tab.js';
import { NIC_MODELS, buildInterfaceRequest, addressesByMac, defaultInterfaceKind, interfaceSource, interfaceTypeLabel, linkState } from '../device-rules.js';
import { randomMac } from '../ipaddr.js';
import { isActive } from '../domains.js';
import { orDash, DASH } from '../format.js';
import { t } from '../i18n.js';

/** The interface list's column names (also each cell's data-label), in the current language. */
function columnLabels() {
    return {
        mac: t('devices.nic.column.mac'), source: t('devices.nic.column.source'), model: t('devices.nic.column.model'),
        device: t('devices.nic.column.device'), link: t('devices.nic.column.link'), ips: t('devices.nic.column.ips'),
    };
}

/** "up" / "down" as the list and the form name them. */
function linkLabel(link) {
    return link === 'up' ? t('devices.nic.link.up') : t('devices.nic.link.down');
}

/** "default (network)": an interface's source and, when known, its kind ("user-mode" alone). */
function sourceText(nic) {
    if (nic.type === 'user') return t('devices.nic.source.user');
    const source = orDash(interfaceSource(nic));
    if (!nic.type) return source;
    return t('devices.nic.source', { source, type: interfaceTypeLabel(nic.type) });
}

/** Where the guest's addresses came from, as a sentence ("" when not said). */
function addressSourceText(source) {
    if (!source) return '';
    if (source === 'agent') return t('devices.nic.addresses.from-agent');
    if (source === 'lease') return t('devices.nic.addresses.from-lease');
    return t('devices.nic.addresses.from', { source });
}

export class DomainInterfacesView extends DeviceTab {
    /** ctx: {api, store, notify, confirm}; vm: {uuid, name}. */
    constructor(ctx, vm) {
        super(ctx, vm, 'interfaces', 'nic-form', () => ({ title: t('devices.nic.title'), attachLabel: t('devices.nic.attach') }));
        this.addrs = new Map();
        this.addrNote = '';
        this.addrSeq = 0;
        this.wasActive = null;
        this.linkSet = new Map(); // mac -> link state this page set (the detail may not report it)
        this.addrLine = h('p', { class: 'muted small addr-note', 'aria-live': 'polite' });
    }

    tools() {
        return [h('button', { type: 'button', class: 'btn', text: t('devices.nic.refresh-addresses'), on: { click: () => this.#loadAddresses() } })];
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
            this.addrNote = t('devices.nic.addresses.not-running');
            this.render();
            return;
        }
        try {
            const answer = await this.ctx.api.addresses(this.uuid);
            if (seq !== this.addrSeq) return;
            this.addrs = addressesByMac(answer);
            this.addrNote = addressSourceText(answer && answer.source);
        } catch (err) {
            if (seq !== this.addrSeq || err.status === 401) return;
            this.addrs = new Map();
            this.addrNote = err.status === 501 ? t('devices.nic.addresses.unsupported')
                : err.status === 409 ? t('devices.nic.addresses.not-running')
                    : failureText(t('devices.nic.addresses.failed'), err);
        }
        this.render();
    }

    render() {
        if (!this.list) return;
        this.addrLine.textContent = this.addrNote;
        const admin = canManage(this.ctx.store);
        const c = columnLabels();
        renderTable(this.list, {
            items: this.items(),
            empty: t('devices.nic.empty'), caption: t('devices.nic.caption', { name: this.name }),
            columns: [c.mac, c.source, c.model, c.device, c.link, c.ips, admin && actionsLabel()],
            row: (n) => {
                const mac = n.mac || '';
                const link = n.link || n.link_state ? linkState(n) : this.linkSet.get(mac) || 'up';
                const ips = this.addrs.get(mac.toLowerCase()) || [];
                const btn = (action, label, danger) => rowButton('mac', mac, action, label, danger);
                return h('tr', { dataset: { mac } },
                    cell(c.mac, {}, h('code', { text: orDash(mac) })),
                    cell(c.source, { text: sourceText(n) }),
                    cell(c.model, { text: orDash(n.model) }),
                    cell(c.device, { text: orDash(n.target) }),
                    cell(c.link, {}, h('span', { class: ['badge', link === 'up' ? 'badge-ok' : 'badge-off'], text: linkLabel(link) })),
                    cell(c.ips, {}, ips.length
                        ? h('ul', { class: 'user-list' }, ips.map((a) => h('li', {}, h('code', { text: a }))))
                        : h('span', { class: 'muted', text: DASH })),
                    admin ? actionsCell(mac,
                        link === 'up' ? btn('link-down', t('devices.nic.action.link-down')) : btn('link-up', t('devices.nic.action.link-up')),
                        btn('detach', t('devices.action.detach'), true)) : null);
            },
        });
    }

    buildForm(close) {
        const f = {};
        const kinds = (nets) => {
            const user = ['user', t('devices.nic.field.kind.user')];
            const rest = [['network', t('devices.nic.field.kind.network')], ['bridge', t('devices.nic.field.kind.bridge')]];
            return defaultInterfaceKind(nets) === 'user' ? [user, ...rest] : [...rest, user];
        };
        f.kind = field({ label: t('devices.nic.field.kind'), key: 'kind', control: selectInput(kinds(null), { value: 'network' }) });
        f.network = field({ label: t('devices.nic.field.network'), key: 'network', control: selectInput([['', t('resources.loading')]]) });
        f.bridge = field({ label: t('networks.field.host-bridge'), key: 'bridge', control: textInput({ placeholder: 'br0', maxlength: '15' }) });
        f.model = field({ label: t('devices.nic.field.model'), key: 'model', control: selectInput(NIC_MODELS.map((m) => [m, m === 'virtio' ? t('devices.virtio-fastest') : m]), { value: 'virtio' }) });
        const gen = h('button', { type: 'button', class: 'btn btn-sm', text: t('devices.nic.generate') });
        f.mac = field({ label: optionalLabel(t('devices.nic.field.mac')), key: 'mac', control: textInput({ placeholder: '52:54:00:xx:xx:xx' }), hint: t('devices.nic.field.mac.hint') });
        f.mac.root.append(gen);
        gen.addEventListener('click', () => { f.mac.control.value = randomMac(); f.mac.control.focus(); });
        f.link = field({ label: t('devices.nic.field.link'), key: 'link', control: selectInput([['up', t('devices.nic.link.up')], ['down', t('devices.nic.link.down')]], { value: 'up' }) });
        f.vlan = field({ label: optionalLabel(t('devices.nic.field.vlan')), key: 'vlan', control: textInput({ inputmode: 'numeric', class: 'input input-short' }), hint: t('devices.nic.field.vlan.hint') });
        const qos = {};
        const rateLabels = [
            ['average', t('devices.nic.qos.average')], ['peak', t('devices.nic.qos.peak')], ['burst', t('devices.nic.qos.burst')],
        ];
        for (const dir of ['inbound', 'outbound']) {
            for (const [k, label] of rateLabels) {
                qos[`${dir}.${k}`] = field({ label, key: `${dir}.${k}`, control: textInput({ inputmode: 'numeric', class: 'input input-short' }) });
            }
        }
        const qosBox = (dir, legend) => h('fieldset', { class: 'fieldset' }, h('legend', { text: legend }),
            h('div', { class: 'form-grid' }, ['average', 'peak', 'burst'].map((k) => qos[`${dir}.${k}`].root)));
        const qosDetails = h('details', { class: 'qos' }, h('summary', { text: t('devices.nic.qos.title') }),
            qosBox('inbound', t('devices.nic.qos.inbound')), qosBox('outbound', t('devices.nic.qos.outbound')));
        const fields = [...Object.values(f), ...Object.values(qos)];
        const rate = (dir) => ({ average: qos[`${dir}.average`].control.value, peak: qos[`${dir}.peak`].control.value, burst: qos[`${dir}.burst`].control.value });
        const card = cardForm({
            title: t('devices.nic.form.title'), titleId: 'nic-form-title', level: 'h3', submitLabel: t('devices.action.attach'),
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
                this.ctx.notify.info(withNote(t('devices.nic.attached', { name: this.name }), more));
            },
            failure: t('devices.attach-failed'),
            onCancel: () => close(false),
        });
        const sync = () => {
            const kind = f.kind.control.value;
            f.network.root.hidden = kind !== 'network';
            f.bridge.root.hidden = kind !== 'bridge';
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
                        ? nets.map((n) => [n.name, n.active ? n.name : t('devices.nic.network-inactive', { name: n.name })]) : [['', t('devices.nic.no-networks')]],
                    nets.find((n) => n.active)?.name || nets[0]?.name || '');
                    setOptions(f.kind.control, kinds(nets), defaultInterfaceKind(nets));
                    sync();
                } catch (err) {
                    setOptions(f.network.control, [['', failureText(t('devices.nic.networks-failed'), err)]]);
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
                title: t('devices.nic.detach.confirm.title', { mac, name: this.name }),
                message: t('devices.nic.detach.confirm.message'),
                detail: t('devices.nic.detach.confirm.detail'), confirmLabel: t('devices.action.detach'),
                warnings: this.domain && this.domain.state !== 'shutoff' ? [t('devices.nic.detach.running-warning')] : [],
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
            done: (more) => withNote(detach ? t('devices.nic.detached', { mac })
                : link === 'up' ? t('devices.nic.link-up-done', { mac }) : t('devices.nic.link-down-done', { mac }), more),
            failure: t('devices.nic.change-failed', { mac }),
            after: () => {
                if (!this.root.contains(document.activeElement)) this.list.querySelector(`tr[data-mac="${CSS.escape(mac)}"] button`)?.focus();
            },
        });
    }
}
