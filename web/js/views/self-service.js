// SPDX-License-Identifier: LGPL-2.1-or-later
// views/self-service.js — the "Self-service" card of the Users page (admins): what users
// may create VMs from (docs/api.md "Self-service"). Four groups of checkboxes — the VMs
// marked as templates (from the store), the ISO volumes of the active pools, the
// networks, the pools new disks may go to — ticked as GET /api/self-service says; Save
// replaces the whole set (PUT) and a refusal naming an entry shows in the card. Browser
// main thread.

import { h } from './dom.js';
import { checkbox, failureText, serverErrorBox, setBusy, uid } from './form-kit.js';
import { t } from '../i18n.js';

/** One checkbox with its label; value is what the PUT body carries for it. */
function choice(label, value, checked) {
    const input = checkbox({ id: uid('ss'), checked });
    input.ssValue = value;
    return h('div', { class: 'field-check' }, input, h('label', { for: input.id, text: label }));
}

/** A fieldset of choices, or a line saying there is nothing to choose. */
function group(legend, choices, empty) {
    return h('fieldset', { class: 'fieldset' }, h('legend', { text: legend }),
        choices.length ? h('div', { class: 'choice-list' }, choices) : h('p', { class: 'field-hint', text: empty }));
}

const isoKey = (pool, name) => `${pool}\u0000${name}`;

export class SelfServiceCard {
    /** ctx: {api, store, notify}. */
    constructor(ctx) {
        this.ctx = ctx;
        this.seq = 0;
        this.title = h('h2', { class: 'card-title', id: uid('ss-title'), text: t('selfservice.title') });
        this.body = h('div', { class: 'form-part' }, h('p', { class: 'empty', text: t('resources.loading') }));
        this.error = serverErrorBox();
        this.save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'self-service-save', text: t('selfservice.save') });
        this.form = h('form', { class: 'self-service-form', novalidate: true, on: { submit: (ev) => { ev.preventDefault(); this.#save(); } } },
            this.body, this.error.root, h('div', { class: 'form-actions' }, this.save));
        this.root = h('section', { class: 'card form-card self-service-card', 'aria-labelledby': this.title.id },
            this.title, h('p', { class: 'field-hint', text: t('selfservice.hint') }), this.form);
    }

    destroy() {
        this.seq++;
    }

    /** Reads the set and what there is to choose from; renders the checkboxes. */
    async load() {
        const seq = ++this.seq;
        const { api, store } = this.ctx;
        try {
            const [set, networks, pools] = await Promise.all([api.selfService(), api.networks(), api.pools()]);
            const isos = [];
            for (const p of pools.filter((x) => x.active)) {
                for (const v of await api.volumes(p.name)) if (v.format === 'iso') isos.push([p.name, v.name]);
            }
            if (seq !== this.seq) return;
            this.#render(set, store, networks, pools, isos);
        } catch (err) {
            if (seq !== this.seq) return;
            this.body.replaceChildren(h('p', { class: 'form-error', role: 'alert', text: failureText(t('selfservice.load-failed'), err) }));
        }
    }

    #render(set, store, networks, pools, isos) {
        const has = (list, v) => (list || []).includes(v);
        const chosenTemplates = (set.templates || []).map((x) => x.uuid);
        const chosenIsos = new Set((set.isos || []).map((x) => isoKey(x.pool, x.name)));
        const templates = [...store.domains.values()].filter((d) => d.template === true)
            .sort((a, b) => a.name.localeCompare(b.name));
        this.groups = {
            templates: templates.map((d) => choice(d.title ? t('create.template.titled', { name: d.name, title: d.title }) : d.name,
                d.uuid, has(chosenTemplates, d.uuid))),
            isos: isos.map(([pool, name]) => choice(t('selfservice.iso', { pool, name }), { pool, name },
                chosenIsos.has(isoKey(pool, name)))),
            networks: networks.map((n) => choice(n.name, n.name, has(set.networks, n.name))),
            pools: pools.map((p) => choice(p.name, p.name, has(set.pools, p.name))),
        };
        this.body.replaceChildren(
            group(t('selfservice.templates'), this.groups.templates, t('selfservice.templates.none')),
            group(t('selfservice.isos'), this.groups.isos, t('selfservice.isos.none')),
            group(t('selfservice.networks'), this.groups.networks, t('selfservice.none')),
            group(t('selfservice.pools'), this.groups.pools, t('selfservice.none')));
    }

    /** The PUT body: the ticked choices of each group. */
    #payload() {
        const out = {};
        for (const [key, choices] of Object.entries(this.groups || {})) {
            out[key] = choices.map((c) => c.querySelector('input')).filter((i) => i.checked).map((i) => i.ssValue);
        }
        return out;
    }

    async #save() {
        if (!this.groups) return;
        this.error.clear();
        setBusy(this.save, true);
        try {
            await this.ctx.api.setSelfService(this.#payload());
            this.ctx.notify.info(t('selfservice.saved'));
        } catch (err) {
            if (err?.status !== 401) {
                this.error.show(failureText(t('selfservice.save-failed'), err));
                this.error.root.focus();
            }
        } finally {
            setBusy(this.save, false);
        }
    }
}
