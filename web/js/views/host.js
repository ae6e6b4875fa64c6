// views/host.js — the host summary panel above the VM list: name, hypervisor and
// libvirt versions, CPUs, memory (a <meter>), VM counts by state and whether libvirt
// is connected. Patches its text on store changes. Browser main thread.

import { h, setText, setAttr } from './dom.js';
import { formatKiB, formatMhz, orDash, DASH } from '../format.js';

function stat(label, valueEl, extra) {
    return h('div', { class: 'host-stat' },
        h('dt', { class: 'host-label', text: label }),
        h('dd', { class: 'host-value' }, valueEl, extra || null));
}

export class HostPanel {
    constructor(ctx) {
        this.ctx = ctx;
        this.store = ctx.store;
        this.root = null;
        this.unsub = null;
    }

    mount(container) {
        this.el = {
            hostname: h('span', { class: 'host-name' }),
            status: h('span', { class: 'pill' }),
            hypervisor: h('span'),
            libvirt: h('span'),
            uri: h('code', { class: 'host-uri' }),
            cpus: h('span'),
            cpuModel: h('span', { class: 'host-sub' }),
            mem: h('span'),
            meter: h('meter', { class: 'host-meter', min: '0', max: '1', low: '0.7', high: '0.9', optimum: '0', value: '0' }),
            vms: h('span'),
            vmsSub: h('span', { class: 'host-sub' }),
            errorText: h('span'),
        };
        this.errorLine = h('div', { class: 'host-error', hidden: true },
            h('p', { class: 'host-error-text' }, 'Host details could not be read: ', this.el.errorText),
            h('button', {
                type: 'button', class: 'btn btn-sm', text: 'Try again',
                on: { click: () => this.ctx.loadHost && this.ctx.loadHost() },
            }));
        const e = this.el;
        this.root = h('section', { class: 'card host-panel', 'aria-labelledby': 'host-title' },
            h('div', { class: 'host-head' },
                h('h2', { id: 'host-title', class: 'host-title' }, 'Host ', e.hostname),
                e.status),
            h('dl', { class: 'host-grid' },
                stat('Hypervisor', e.hypervisor, h('span', { class: 'host-sub' }, 'libvirt ', e.libvirt)),
                stat('CPU', e.cpus, e.cpuModel),
                stat('Memory', e.mem, e.meter),
                stat('Virtual machines', e.vms, e.vmsSub)),
            this.errorLine,
            h('p', { class: 'host-uri-line' }, 'Connection ', e.uri));
        container.append(this.root);
        this.unsub = this.store.on('changed', (c) => {
            if (c.host || c.reset) this.renderHost();
            if (c.domains.length || c.removed.length || c.reset) this.renderCounts();
        });
        this.renderHost();
        this.renderCounts();
    }

    renderHost() {
        const host = this.store.host;
        const e = this.el;
        const connected = this.store.hostConnected;
        setText(e.hostname, host ? orDash(host.hostname) : '');
        const failed = !host && this.store.hostError;
        setText(e.status, connected === false ? 'Disconnected' : connected ? 'Connected' : failed ? 'Unavailable' : 'Unknown');
        setAttr(e.status, 'class', `pill ${connected === false || failed ? 'pill-bad' : connected ? 'pill-ok' : 'pill-off'}`);
        setText(e.errorText, this.store.hostError || '');
        this.errorLine.hidden = !this.store.hostError;
        if (!host) {
            for (const k of ['hypervisor', 'libvirt', 'uri', 'cpus', 'cpuModel', 'mem']) setText(e[k], DASH);
            e.meter.value = 0;
            return;
        }
        setText(e.hypervisor, `${orDash(host.hypervisor)} ${host.hypervisor_version || ''}`.trim());
        setText(e.libvirt, orDash(host.libvirt_version));
        setText(e.uri, orDash(host.uri));
        setText(e.cpus, Number.isFinite(host.cpus) ? `${host.cpus} \u00d7 ${formatMhz(host.cpu_mhz)}` : DASH);
        setText(e.cpuModel, orDash(host.cpu_model));
        const total = host.memory_kib;
        const free = host.free_memory_kib;
        if (Number.isFinite(total) && total > 0 && Number.isFinite(free)) {
            const used = Math.max(0, total - free);
            setText(e.mem, `${formatKiB(used)} used of ${formatKiB(total)}`);
            e.meter.value = used / total;
            setAttr(e.meter, 'aria-label', `Memory ${Math.round((used / total) * 100)}% used`);
        } else {
            setText(e.mem, formatKiB(total));
            e.meter.value = 0;
        }
    }

    renderCounts() {
        const c = this.store.counts();
        setText(this.el.vms, `${c.running} running of ${c.total}`);
        const parts = [];
        if (c.paused) parts.push(`${c.paused} paused`);
        parts.push(`${c.shutoff} shut off`);
        if (c.other) parts.push(`${c.other} other`);
        setText(this.el.vmsSub, parts.join(' \u00b7 '));
    }

    destroy() {
        if (this.unsub) this.unsub();
        this.root?.remove();
    }
}
