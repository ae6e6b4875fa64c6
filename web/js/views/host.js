// SPDX-License-Identifier: LGPL-2.1-or-later
// views/host.js — the host summary panel above the VM list: name, hypervisor and
// libvirt versions, CPUs and their use, memory and its use (a number and a <meter>, or
// words when the host gives no figure), VM counts by state (unknown, like every state,
// while the server or libvirt is unreachable) and whether libvirt is connected. Patches
// its text on store changes. A "Graphs" disclosure (a button with aria-expanded) shows the
// host's graphs and the top 5 VMs (metrics-graphs.js, loaded on first open). Browser main thread.

import { h, setText, setAttr, importGraph } from './dom.js';
import { formatKiB, formatMhz, formatPercent, orDash, DASH } from '../format.js';
import { t } from '../i18n.js';
import { errorText } from '../errors.js';
import { tNodes } from './i18n-dom.js';

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
            cpuUse: h('span'),
            mem: h('span'),
            meter: h('meter', { class: 'host-meter', min: '0', max: '1', low: '0.7', high: '0.9', optimum: '0', value: '0' }),
            vms: h('span'),
            vmsSub: h('span', { class: 'host-sub' }),
            errorText: h('span'),
        };
        this.errorLine = h('div', { class: 'host-error', hidden: true },
            h('p', { class: 'host-error-text' }, tNodes('domains.host.error', { error: this.el.errorText })),
            h('button', {
                type: 'button', class: 'btn btn-sm', text: t('common.try-again'),
                on: { click: () => this.ctx.loadHost && this.ctx.loadHost() },
            }));
        const e = this.el;
        this.root = h('section', { class: 'card host-panel', 'aria-labelledby': 'host-title' },
            h('div', { class: 'host-head' },
                h('h2', { id: 'host-title', class: 'host-title' }, tNodes('domains.host.title', { name: e.hostname })),
                e.status),
            h('dl', { class: 'host-grid' },
                stat(t('domains.host.hypervisor'), e.hypervisor,
                    h('span', { class: 'host-sub' }, tNodes('domains.host.libvirt', { version: e.libvirt }))),
                stat(t('domains.host.cpu'), e.cpus, e.cpuModel),
                stat(t('domains.host.cpu-use'), e.cpuUse),
                stat(t('domains.host.memory'), e.mem, e.meter),
                stat(t('domains.host.vms'), e.vms, e.vmsSub)),
            this.errorLine,
            h('p', { class: 'host-uri-line' }, tNodes('domains.host.connection', { uri: e.uri })),
            this.#graphsToggle());
        container.append(this.root);
        this.unsub = this.store.on('changed', (c) => {
            if (c.host || c.connection || c.reset) this.renderHost();
            // The counts are states too: unknown while the server or libvirt is unreachable.
            if (c.domains.length || c.removed.length || c.reset || c.host || c.connection) this.renderCounts();
        });
        this.renderHost();
        this.renderCounts();
    }

    /** The "Graphs" button and the region it opens (the graphs module loads on the first open). */
    #graphsToggle() {
        this.graphsBox = h('div', { class: 'host-graphs', id: 'host-graphs', hidden: true });
        this.graphsButton = h('button', {
            type: 'button', class: 'btn btn-sm host-graphs-toggle', 'aria-expanded': 'false', 'aria-controls': 'host-graphs',
            text: t('metrics.host.show'), on: { click: () => this.#toggleGraphs() },
        });
        return h('div', { class: 'host-graphs-wrap' }, this.graphsButton, this.graphsBox);
    }

    async #toggleGraphs() {
        const open = this.graphsButton.getAttribute('aria-expanded') !== 'true';
        this.graphsButton.setAttribute('aria-expanded', open ? 'true' : 'false');
        setText(this.graphsButton, open ? t('metrics.host.hide') : t('metrics.host.show'));
        this.graphsBox.hidden = !open;
        if (!open) {
            this.graphs?.suspend();
            return;
        }
        if (this.graphs) {
            this.graphs.connect();
            return;
        }
        const { MetricsGraphs } = await importGraph(() => import('./metrics-graphs.js'));
        if (!this.root?.isConnected || this.graphs) return;
        this.graphs = new MetricsGraphs(this.ctx, { host: true });
        this.graphs.mount(this.graphsBox);
    }

    renderHost() {
        const host = this.store.host;
        const e = this.el;
        // With the server unreachable, libvirt's last known state is no longer known.
        const connected = this.store.unreachable() === 'server' ? null : this.store.hostConnected;
        setText(e.hostname, host ? orDash(host.hostname) : '');
        const failed = !host && this.store.hostError;
        setText(e.status, connected === false ? t('domains.host.disconnected')
            : connected ? t('domains.host.connected') : failed ? t('domains.host.unavailable') : t('domains.host.unknown'));
        setAttr(e.status, 'class', `pill ${connected === false || failed ? 'pill-bad' : connected ? 'pill-ok' : 'pill-off'}`);
        setText(e.errorText, this.store.hostError ? errorText(this.store.hostError) : '');
        this.errorLine.hidden = !this.store.hostError;
        if (!host) {
            for (const k of ['hypervisor', 'libvirt', 'uri', 'cpus', 'cpuModel', 'mem', 'cpuUse']) setText(e[k], DASH);
            e.meter.value = 0;
            e.meter.hidden = true;
            return;
        }
        const load = this.store.hostLoad;
        setText(e.cpuUse, !load ? t('domains.host.cpu-waiting')
            : load.cpu_percent === null ? t('domains.host.not-reported') : formatPercent(load.cpu_percent));
        setText(e.hypervisor, `${orDash(host.hypervisor)} ${host.hypervisor_version || ''}`.trim());
        setText(e.libvirt, orDash(host.libvirt_version));
        setText(e.uri, orDash(host.uri));
        setText(e.cpus, Number.isFinite(host.cpus) ? t('domains.host.cpus', { count: host.cpus, speed: formatMhz(host.cpu_mhz) }) : DASH);
        setText(e.cpuModel, orDash(host.cpu_model));
        const total = host.memory_kib;
        const free = Number.isFinite(load?.free_memory_kib) ? load.free_memory_kib : host.free_memory_kib;
        e.meter.hidden = !(Number.isFinite(total) && total > 0 && Number.isFinite(free));
        if (!e.meter.hidden) {
            const used = Math.max(0, total - free);
            setText(e.mem, t('domains.host.memory-used', { used: formatKiB(used), total: formatKiB(total) }));
            e.meter.value = used / total;
            setAttr(e.meter, 'aria-label', t('domains.host.memory-meter', { percent: formatPercent((used / total) * 100, { digits: 0 }) }));
        } else {
            // No free-memory figure: say so, and no empty bar.
            setText(e.mem, Number.isFinite(total) ? t('domains.host.memory-total-only', { total: formatKiB(total) }) : DASH);
            e.meter.value = 0;
        }
    }

    renderCounts() {
        if (this.store.unreachable()) {
            setText(this.el.vms, t('domains.host.unknown'));
            setText(this.el.vmsSub, t('domains.host.vms-unknown'));
            return;
        }
        const c = this.store.counts();
        setText(this.el.vms, t('domains.host.vms-running', { count: c.total, running: c.running }));
        const parts = [];
        if (c.paused) parts.push(t('domains.host.vms-paused', { count: c.paused }));
        parts.push(t('domains.host.vms-shutoff', { count: c.shutoff }));
        if (c.other) parts.push(t('domains.host.vms-other', { count: c.other }));
        setText(this.el.vmsSub, parts.join(' \u00b7 '));
    }

    destroy() {
        if (this.unsub) this.unsub();
        this.graphs?.destroy();
        this.root?.remove();
    }
}
