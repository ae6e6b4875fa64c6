// SPDX-License-Identifier: LGPL-2.1-or-later
// views/quota-bars.js — "Your quota" on the VM list for a `user` (docs/api.md "Quotas"):
// one <meter> per dimension (VMs, vCPUs, memory, disk) with its visible "used of limit"
// text, from GET /api/quota. Shown only when the caller is limited (admins and operators
// are not); fetched again when the number of VMs in the store changes (a create, clone
// or delete). Browser main thread.

import { h } from './dom.js';
import { QUOTA_DIMS, quotaBar } from '../quota-rules.js';
import { t } from '../i18n.js';

export class QuotaBars {
    /** ctx: {api, store}. */
    constructor(ctx) {
        this.ctx = ctx;
        this.seq = 0;
        this.count = -1;
        this.unsub = null;
    }

    /** Appends the (hidden until loaded) card to parent and loads it. */
    mount(parent) {
        this.rows = Object.fromEntries(QUOTA_DIMS.map((dim) => {
            const id = `quota-label-${dim}`;
            const meter = h('meter', {
                class: 'quota-meter', min: '0', max: '1', low: '0.8', high: '0.99', optimum: '0', value: '0',
                'aria-labelledby': id, 'aria-describedby': `quota-text-${dim}`,
            });
            const text = h('span', { class: 'quota-text', id: `quota-text-${dim}` });
            const root = h('div', { class: 'quota-row', dataset: { dim } },
                h('span', { class: 'quota-label', id, text: t(`quota.dim.${dim}`) }), meter, text);
            return [dim, { root, meter, text }];
        }));
        this.root = h('section', { class: 'card quota-card', 'aria-labelledby': 'quota-title', hidden: true },
            h('h2', { id: 'quota-title', class: 'quota-title', text: t('quota.title') }),
            h('div', { class: 'quota-rows' }, QUOTA_DIMS.map((dim) => this.rows[dim].root)));
        parent.append(this.root);
        this.unsub = this.ctx.store.on('changed', () => this.#maybeReload());
        this.load();
    }

    destroy() {
        this.seq++;
        if (this.unsub) this.unsub();
        this.root?.remove();
    }

    #maybeReload() {
        const n = this.ctx.store.domains.size;
        if (n === this.count) return;
        this.count = n;
        this.load();
    }

    async load() {
        const seq = ++this.seq;
        let q;
        try {
            q = await this.ctx.api.quota();
        } catch {
            return; /* the list itself reports a lost connection */
        }
        if (seq !== this.seq || !this.root) return;
        this.root.hidden = !q.limited;
        if (!q.limited) return;
        for (const dim of QUOTA_DIMS) {
            const bar = quotaBar(q.quota?.[dim]);
            const row = this.rows[dim];
            row.meter.max = bar.max;
            row.meter.value = bar.value;
            row.meter.hidden = !bar.limited;
            row.root.classList.toggle('quota-full', bar.full);
            row.text.textContent = bar.limited
                ? t('quota.figure', { used: bar.used, limit: bar.limit })
                : t('quota.figure.unlimited', { used: bar.used });
        }
    }
}
