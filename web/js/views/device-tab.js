// SPDX-License-Identifier: LGPL-2.1-or-later
// views/device-tab.js — the base of the VM page's device tabs (Disks, Network
// interfaces): the tab's frame (a heading with its tools, the attach form shown by its
// button for admins, the list card), re-rendering only when the VM's devices or state
// changed, the tab interface detail-tabs.js expects (mount, update(domain), suspend,
// connect, destroy — like the console views), and storing a device request's answer
// as the VM's new detail. Browser main thread.

import { h } from './dom.js';
import { canManage } from './form-kit.js';
import { formToggle } from './resource-table.js';
import { t } from '../i18n.js';

/**
 * Stores a device request's answer — the VM's detail, or {detail, pending} (a detach
 * the guest still has to agree to, 202) or {detail, next_boot} (a change that applies
 * at the next boot) — else reads the detail again. Returns the sentence to add to the
 * confirmation (withNote) for the pending and next-boot cases ("" otherwise).
 */
export async function refreshDetail(ctx, uuid, answer) {
    const detail = answer && answer.detail && typeof answer.detail === 'object' ? answer.detail : answer;
    if (detail && typeof detail.uuid === 'string' && Array.isArray(detail.disks)) {
        ctx.store.setDetail(detail);
    } else {
        try {
            ctx.store.setDetail(await ctx.api.domain(uuid));
        } catch { /* the page's own loading shows lasting trouble */ }
    }
    if (answer && answer.pending === true) return t('devices.note.pending');
    if (answer && answer.next_boot === true) return t('devices.note.next-boot');
    return '';
}

/** A confirmation with refreshDetail's note after it (text alone when there is none). */
export function withNote(text, note) {
    return note ? t('devices.with-note', { text, note }) : text;
}

export class DeviceTab {
    /**
     * ctx: {api, store, notify, confirm}; vm: {uuid, name}; field: the detail's list
     * this tab shows ("disks", "interfaces"); formId: the attach form's id prefix;
     * texts() -> {title, attachLabel} in the current language.
     * Hooks: render() (the list into this.list), buildForm(close) -> {root, reset(),
     * focus()} (admins only), onClick(ev) (the list's clicks), tools() and extras()
     * (nodes next to the Attach button and under the list; none here).
     */
    constructor(ctx, vm, field, formId, texts) {
        this.ctx = ctx;
        this.uuid = vm.uuid;
        this.name = vm.name;
        this.field = field;
        this.formId = formId;
        this.texts = texts;
        this.domain = null;
        this.key = '';
    }

    mount(panel) {
        const texts = this.texts();
        this.list = h('div', { class: 'table-wrap' });
        let attachBtn = null;
        let form = null;
        if (canManage(this.ctx.store)) {
            let toggle = null;
            attachBtn = h('button', { type: 'button', class: 'btn btn-primary', text: texts.attachLabel });
            form = this.buildForm((open) => toggle(open));
            toggle = formToggle(attachBtn, form, this.formId);
        }
        const tools = this.tools();
        this.root = h('div', { class: 'device-tab' },
            h('div', { class: 'section-head plain' }, h('h2', { class: 'card-title', text: texts.title }),
                tools.length ? h('div', { class: 'toolbar' }, tools, attachBtn) : attachBtn),
            form ? form.root : null,
            h('section', { class: 'card list-card' }, this.list, this.extras()));
        this.list.addEventListener('click', (ev) => this.onClick(ev));
        panel.replaceChildren(this.root);
    }

    tools() {
        return [];
    }

    extras() {
        return [];
    }

    /** The VM's current devices of this tab's kind. */
    items() {
        const list = this.domain && this.domain[this.field];
        return Array.isArray(list) ? list : [];
    }

    update(domain) {
        this.domain = domain;
        this.name = domain.name || this.name;
        const key = JSON.stringify([domain[this.field], domain.state]);
        if (key === this.key) return;
        this.key = key;
        this.render();
    }

    suspend() {}

    connect() {}

    destroy() {
        this.root?.remove();
    }
}
