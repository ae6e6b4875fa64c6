// SPDX-License-Identifier: LGPL-2.1-or-later
// views/network-form.js — the "Create network" form: name, mode, bridge, forward
// device, IPv4 and IPv6 subnets with DHCP ranges, static DHCP hosts (rows added and
// removed), DNS domain, MTU, autostart. Only the fields of the chosen mode show.
// Checked by network-rules.js before sending (a subnet overlapping a known network shows
// at its field and asks "Create anyway"); the server's refusal shows under the form.
// Browser main thread.

import { h } from './dom.js';
import { field, textInput, selectInput, checkbox, cardForm, optionalLabel, uid, showErrors } from './form-kit.js';
import { confirmDialog } from './confirm.js';
import { NETWORK_MODES, buildNetworkRequest, modeHasSubnet, modeForwards, suggestSubnet, subnetOverlaps } from '../network-rules.js';
import { t } from '../i18n.js';

export class NetworkForm {
    /** ctx: {api, notify}; onCreated(network), onCancel(). */
    constructor(ctx, { onCreated, onCancel }) {
        this.ctx = ctx;
        this.onCreated = onCreated;
        this.onCancel = onCancel;
        this.hostRows = [];
        this.networks = [];
        this.#build();
    }

    #build() {
        const f = {};
        this.f = f;
        f.name = field({ label: t('resources.field.name'), key: 'name', control: textInput({ name: 'name', required: true, maxlength: '50' }), hint: t('resources.field.name.hint') });
        f.mode = field({
            label: t('networks.field.mode'), key: 'mode',
            control: selectInput(NETWORK_MODES.map((m) => [m.id, m.label]), { name: 'mode', value: 'nat' }),
        });
        this.modeHint = h('p', { class: 'field-hint' });
        f.mode.root.append(this.modeHint);
        f.bridge = field({ label: optionalLabel(t('networks.field.bridge')), key: 'bridge', control: textInput({ name: 'bridge', maxlength: '15' }), hint: t('networks.field.bridge.hint') });
        f.forward = field({ label: optionalLabel(t('networks.field.forward')), key: 'forward_dev', control: textInput({ name: 'forward_dev', maxlength: '15' }), hint: t('networks.field.forward.hint') });

        const ip = (fam, ph) => ({
            enabled: checkbox({ name: `${fam}_enabled`, checked: fam === 'ipv4' }),
            address: field({ label: t('networks.field.host-address'), key: `${fam}.address`, control: textInput({ name: `${fam}_address`, placeholder: ph.address, inputmode: fam === 'ipv4' ? 'decimal' : null }) }),
            prefix: field({ label: t('networks.field.prefix'), key: `${fam}.prefix`, control: textInput({ name: `${fam}_prefix`, inputmode: 'numeric', value: ph.prefix, class: 'input input-short' }) }),
            dhcpStart: field({ label: t('networks.field.dhcp-start'), key: `${fam}.dhcp_start`, control: textInput({ name: `${fam}_dhcp_start`, placeholder: ph.start }) }),
            dhcpEnd: field({ label: t('networks.field.dhcp-end'), key: `${fam}.dhcp_end`, control: textInput({ name: `${fam}_dhcp_end`, placeholder: ph.end }) }),
        });
        f.v4 = ip('ipv4', { address: '192.168.100.1', prefix: '24', start: '192.168.100.2', end: '192.168.100.254' });
        f.v6 = ip('ipv6', { address: 'fd00:100::1', prefix: '64', start: 'fd00:100::100', end: 'fd00:100::1ff' });
        const famBox = (fam, legend, x) => {
            const id = uid(`${fam}-on`);
            x.enabled.id = id;
            const inner = h('div', { class: 'form-grid' }, x.address.root, x.prefix.root, x.dhcpStart.root, x.dhcpEnd.root);
            const fs = h('fieldset', { class: 'fieldset' },
                h('legend', {}, h('span', { class: 'field-check' }, x.enabled, h('label', { for: id, text: legend }))),
                inner);
            // Unticked: one checkbox line, not a frame around nothing (fieldset-off).
            const sync = () => {
                inner.hidden = !x.enabled.checked;
                fs.classList.toggle('fieldset-off', !x.enabled.checked);
            };
            x.enabled.addEventListener('change', sync);
            sync();
            return fs;
        };
        this.v4Box = famBox('ipv4', t('networks.field.ipv4-subnet'), f.v4);
        this.v6Box = famBox('ipv6', t('networks.field.ipv6-subnet'), f.v6);

        this.hostList = h('div', { class: 'host-rows' });
        this.addHost = h('button', { type: 'button', class: 'btn btn-sm', text: t('networks.host.add'), on: { click: () => this.#addHostRow(true) } });
        this.hostsBox = h('fieldset', { class: 'fieldset' },
            h('legend', { text: t('networks.host.legend') }),
            h('p', { class: 'field-hint', text: t('networks.host.hint') }),
            this.hostList, this.addHost);

        f.domain = field({ label: optionalLabel(t('networks.field.domain')), key: 'domain', control: textInput({ name: 'domain', placeholder: 'lab.example' }) });
        f.mtu = field({ label: optionalLabel(t('networks.field.mtu')), key: 'mtu', control: textInput({ name: 'mtu', inputmode: 'numeric', class: 'input input-short' }), hint: t('networks.field.mtu.hint') });
        f.autostart = field({ label: t('resources.field.autostart'), inline: true, control: checkbox({ name: 'autostart', checked: true }) });
        f.start = field({ label: t('resources.field.start'), inline: true, control: checkbox({ name: 'start', checked: true }) });

        this.subnetPart = h('div', { class: 'form-part' }, this.v4Box, this.v6Box, this.hostsBox, h('div', { class: 'form-grid' }, f.domain.root));
        this.card = cardForm({
            title: t('networks.form.title'), titleId: 'net-form-title', submitLabel: t('networks.create'),
            body: [
                h('div', { class: 'form-grid' }, f.name.root, f.mode.root, f.bridge.root, f.forward.root),
                this.subnetPart,
                h('div', { class: 'form-grid' }, f.mtu.root, f.autostart.root, f.start.root),
            ],
            fields: () => this.#fields(),
            check: () => buildNetworkRequest(this.values()),
            send: (payload) => this.#send(payload),
            failure: t('networks.form.failed'),
            onCancel: () => this.onCancel(),
        });
        this.root = this.card.root;
        f.mode.control.addEventListener('change', () => this.#syncMode());
        this.#syncMode();
    }

    /**
     * Creates the network. A subnet that overlaps a network the page knows, or one the
     * server names (a host interface, a network listed since), shows at its field and
     * asks "Create anyway", which sends force.
     */
    async #send(payload) {
        const overlaps = subnetOverlaps(payload, this.networks);
        if (Object.keys(overlaps).length && !(await this.#confirmOverlap(overlaps))) return;
        let body = Object.keys(overlaps).length ? { ...payload, force: true } : payload;
        let net;
        try {
            net = await this.ctx.api.createNetwork(body);
        } catch (err) {
            if (body.force || err.status !== 409 || !/ overlaps (network|interface) /.test(err.message || '')) throw err;
            // the server names the subnet's field ("ipv4.address"); an older one only says
            // it first in the message: "fd00::/64 overlaps ..." or "10.0.0.0/24 overlaps ..."
            const key = err.field || (err.message.split(' ')[0].includes(':') ? 'ipv6.address' : 'ipv4.address');
            if (!(await this.#confirmOverlap({ [key]: err.message }))) return;
            body = { ...payload, force: true };
            net = await this.ctx.api.createNetwork(body);
        }
        this.onCreated(net && net.name ? net : payload);
    }

    /** Shows overlaps (field key -> message) at their fields; true if the user creates anyway. */
    async #confirmOverlap(overlaps) {
        showErrors(this.#fields(), overlaps);
        return confirmDialog({
            title: t('networks.overlap.title'),
            message: Object.values(overlaps).join(' '),
            detail: t('networks.overlap.detail'),
            confirmLabel: t('networks.overlap.confirm'),
        });
    }

    #addHostRow(focus) {
        const row = {
            mac: field({ label: t('networks.host.mac'), control: textInput({ placeholder: '52:54:00:12:34:56' }) }),
            ip: field({ label: t('networks.host.ip'), control: textInput({ inputmode: 'decimal' }) }),
            name: field({ label: optionalLabel(t('networks.host.name')), control: textInput({}) }),
        };
        const remove = h('button', { type: 'button', class: 'btn btn-sm btn-danger-outline', text: t('networks.host.remove'), 'aria-label': t('networks.host.remove-label', { row: this.hostRows.length + 1 }) });
        row.root = h('div', { class: 'host-row' }, row.mac.root, row.ip.root, row.name.root, h('div', { class: 'host-row-remove' }, remove));
        remove.addEventListener('click', () => {
            const i = this.hostRows.indexOf(row);
            this.hostRows.splice(i, 1);
            row.root.remove();
            (this.hostRows[i]?.mac.control || this.addHost).focus();
        });
        this.hostRows.push(row);
        this.hostList.append(row.root);
        if (focus) row.mac.control.focus();
    }

    #syncMode() {
        const mode = this.f.mode.control.value;
        const m = NETWORK_MODES.find((x) => x.id === mode);
        this.modeHint.textContent = m ? m.hint : '';
        const isBridge = mode === 'bridge';
        this.f.bridge.root.querySelector('label').textContent = isBridge ? t('networks.field.host-bridge') : optionalLabel(t('networks.field.bridge'));
        const hint = this.f.bridge.root.querySelector('.field-hint');
        if (hint) hint.textContent = isBridge ? t('networks.field.host-bridge.hint') : t('networks.field.bridge.hint');
        this.f.bridge.control.required = isBridge;
        this.f.forward.root.hidden = !modeForwards(mode);
        this.subnetPart.hidden = !modeHasSubnet(mode);
        this.f.mtu.root.hidden = isBridge; // a host bridge keeps its own MTU
    }

    /** Clears the form and prefills a free /24 given the existing networks. */
    reset(networks = []) {
        this.networks = networks;
        for (const r of this.hostRows) r.root.remove();
        this.hostRows = [];
        this.card.clear();
        const s = suggestSubnet(networks);
        if (s) {
            this.f.v4.address.control.value = s.address;
            this.f.v4.prefix.control.value = s.prefix;
            this.f.v4.dhcpStart.control.value = s.dhcp_start;
            this.f.v4.dhcpEnd.control.value = s.dhcp_end;
        }
        this.f.v6.prefix.control.value = '64';
        for (const x of [this.f.v4, this.f.v6]) x.enabled.dispatchEvent(new Event('change'));
        this.#syncMode();
    }

    focus() {
        this.f.name.control.focus();
    }

    #fields() {
        const f = this.f;
        const list = [f.name, f.mode, f.bridge, f.forward, f.domain, f.mtu];
        for (const x of [f.v4, f.v6]) list.push(x.address, x.prefix, x.dhcpStart, x.dhcpEnd);
        this.hostRows.forEach((r, i) => {
            r.mac.key = `hosts.${i}.mac`;
            r.ip.key = `hosts.${i}.ip`;
            r.name.key = `hosts.${i}.name`;
            list.push(r.mac, r.ip, r.name);
        });
        return list;
    }

    values() {
        const f = this.f;
        const fam = (x) => ({
            enabled: x.enabled.checked, address: x.address.control.value, prefix: x.prefix.control.value,
            dhcp_start: x.dhcpStart.control.value, dhcp_end: x.dhcpEnd.control.value,
        });
        return {
            name: f.name.control.value, mode: f.mode.control.value, bridge: f.bridge.control.value,
            forward_dev: f.forward.control.value, ipv4: fam(f.v4), ipv6: fam(f.v6),
            hosts: this.hostRows.map((r) => ({ mac: r.mac.control.value, ip: r.ip.control.value, name: r.name.control.value })),
            domain: f.domain.control.value, mtu: f.mtu.control.value,
            autostart: f.autostart.control.checked, start: f.start.control.checked,
        };
    }
}
