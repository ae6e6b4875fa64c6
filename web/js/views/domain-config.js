// SPDX-License-Identifier: LGPL-2.1-or-later
// views/domain-config.js — the "Configuration" tab of a VM's page (operators and admins):
// the groups CPU, Memory, Boot & general (views/config-groups.js) and Tuning
// (views/config-tuning.js), each a card with its own Save (views/config-card.js) that
// sends PATCH /api/domains/{uuid} with the members it changed. The forms show the
// persistent definition (the detail's `config`, the value the next boot gets) and mark
// the members of the detail's `pending` "next boot" with the value that will apply
// (`config` has the persistent vcpus and memory_mib; the summary's are live). Reads GET /api/host/capabilities once
// (CPU models, host CPUs by NUMA cell, huge page sizes). While the server or libvirt is
// unreachable every group is disabled with the reason said (views/offline.js). The tab
// interface detail-tabs.js expects (mount, update(domain), suspend, connect, destroy).
// Browser main thread.

import { h } from './dom.js';
import { reportError } from './form-kit.js';
import { offlineReason } from './offline.js';
import { cpuGroup, memoryGroup, generalGroup } from './config-groups.js';
import { tuningGroup } from './config-tuning.js';
import { wordFor, hugePagesText } from '../config-rules.js';
import { t } from '../i18n.js';

export class DomainConfigView {
    /** ctx: {api, store, notify}; vm: {uuid, name}. */
    constructor(ctx, vm) {
        this.ctx = ctx;
        this.uuid = vm.uuid;
        this.domain = null;
        this.caps = null;
        this.groups = null;
    }

    mount(panel) {
        this.body = h('div', { class: 'config-groups' }, h('p', { class: 'muted', text: t('common.loading') }));
        this.root = h('div', { class: 'device-tab config-tab' },
            h('div', { class: 'section-head plain' }, h('h2', { class: 'card-title', text: t('config.title') })),
            h('p', { class: 'muted config-intro', text: t('config.intro') }),
            this.body);
        panel.replaceChildren(this.root);
        this.load();
    }

    async load() {
        let hostCpus = this.ctx.store.host?.cpus;
        try {
            this.caps = await this.ctx.api.request('GET', '/api/host/capabilities');
            // the host's CPU count, for a host whose capabilities list no NUMA cells
            if (!Number.isInteger(hostCpus)) hostCpus = (await this.ctx.api.host())?.cpus;
        } catch (err) {
            reportError(this.ctx.notify, t('config.failure.capabilities'), err);
            this.caps = this.caps || {};
        }
        if (!this.root?.isConnected) return;
        const ctx = {
            uuid: this.uuid,
            hostCpus,
            detail: () => this.ctx.store.details.get(this.uuid) || this.domain || {},
            send: (payload) => this.#send(payload),
            applied: (answer) => {
                if (answer && answer.detail && typeof answer.detail.uuid === 'string') this.ctx.store.setDetail(answer.detail);
            },
            label: (member) => wordFor('member', member),
            running: () => this.domain?.state === 'running' || this.domain?.state === 'paused',
            planned: (member) => {
                const d = this.ctx.store.details.get(this.uuid);
                return Array.isArray(d?.pending) && d.pending.includes(member) ? d.config?.[member] : undefined;
            },
        };
        this.groups = [cpuGroup(ctx), memoryGroup(ctx), generalGroup(ctx), tuningGroup(ctx, this.caps)];
        this.body.replaceChildren(...this.groups.map((g) => g.card.root));
        if (this.domain) this.update(this.domain);
    }

    #send(payload) {
        return this.ctx.api.request('PATCH', `/api/domains/${encodeURIComponent(this.uuid)}`, payload);
    }

    update(domain) {
        this.domain = domain;
        if (!this.groups) return;
        const d = { ...(this.ctx.store.details.get(this.uuid) || domain), state: domain.state };
        if (!d.config) return;
        const held = offlineReason(this.ctx.store.unreachable()) || (domain.state === 'gone' ? t('domains.gone') : '');
        const pending = Array.isArray(d.pending) ? d.pending : [];
        for (const g of this.groups) {
            g.fill(d, this.caps);
            g.card.setHeld(held);
            g.card.markPending(pending, (m) => this.#pendingValue(d, m));
        }
    }

    /** The value a pending member gets at the next boot, as text ("" when unknown). */
    #pendingValue(d, member) {
        const cfg = d.config || {};
        switch (member) {
        case 'vcpus': return String(cfg.vcpus ?? '');
        case 'memory_mib': return cfg.memory_mib !== undefined ? t('config.mib', { n: String(cfg.memory_mib) }) : '';
        case 'max_vcpus': return String(cfg.max_vcpus ?? '');
        case 'max_memory_mib': return t('config.mib', { n: String(cfg.max_memory_mib ?? '') });
        case 'cpu': return cfg.cpu ? cfg.cpu.model || wordFor('mode', cfg.cpu.mode) : '';
        case 'firmware': return cfg.firmware ? wordFor('firmware', cfg.firmware) : '';
        case 'video': return cfg.video?.model ? wordFor('video', cfg.video.model) : t('config.none');
        case 'watchdog': return cfg.watchdog ? wordFor('watchdog', cfg.watchdog.model) : t('config.none');
        case 'tpm': return cfg.tpm ? wordFor('tpm', cfg.tpm.model) : t('config.none');
        case 'rng': return cfg.rng ? t('common.yes') : t('common.no');
        case 'boot': return (cfg.boot?.order || []).map((dev) => wordFor('boot', dev)).join(', ');
        case 'hugepages': return hugePagesText(cfg.hugepages);
        default: return '';
        }
    }

    suspend() {}

    connect() {
        if (this.domain) this.update(this.domain);
    }

    destroy() {
        this.root?.remove();
    }
}
