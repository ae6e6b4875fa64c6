// views/device-tab.js — the base of the VM page's device tabs (Disks, Network
// interfaces): the tab's frame (a heading with its tools, the attach form shown by its
// button for admins, the list card), re-rendering only when the VM's devices or state
// changed, the tab interface detail-tabs.js expects (mount, update(domain), suspend,
// connect, destroy — like the console views), and storing a device request's answer
// as the VM's new detail. Browser main thread.

import { h } from './dom.js';
import { canManage } from './form-kit.js';
import { formToggle } from './resource-table.js';

/**
 * Stores a device request's answer — the VM's detail, or {detail, pending} (a detach
 * the guest still has to agree to, 202) or {detail, next_boot} (a change that applies
 * at the next boot) — else reads the detail again. Returns " ..." text to add to the
 * confirmation for the pending and next-boot cases ("" otherwise).
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
    if (answer && answer.pending === true) return ' The guest was asked to release it; it disappears once the guest agrees.';
    if (answer && answer.next_boot === true) return ' The change applies at the next boot.';
    return '';
}

export class DeviceTab {
    /**
     * ctx: {api, store, notify, confirm}; vm: {uuid, name}; field: the detail's list
     * this tab shows ("disks", "interfaces"); texts: title, attachLabel, formId.
     * Hooks: render() (the list into this.list), buildForm(close) -> {root, reset(),
     * focus()} (admins only), onClick(ev) (the list's clicks), tools() and extras()
     * (nodes next to the Attach button and under the list; none here).
     */
    constructor(ctx, vm, field, texts) {
        this.ctx = ctx;
        this.uuid = vm.uuid;
        this.name = vm.name;
        this.field = field;
        this.texts = texts;
        this.domain = null;
        this.key = '';
    }

    mount(panel) {
        const t = this.texts;
        this.list = h('div', { class: 'table-wrap' });
        let attachBtn = null;
        let form = null;
        if (canManage(this.ctx.store)) {
            let toggle = null;
            attachBtn = h('button', { type: 'button', class: 'btn btn-primary', text: t.attachLabel });
            form = this.buildForm((open) => toggle(open));
            toggle = formToggle(attachBtn, form, t.formId);
        }
        const tools = this.tools();
        this.root = h('div', { class: 'device-tab' },
            h('div', { class: 'section-head plain' }, h('h2', { class: 'card-title', text: t.title }),
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
