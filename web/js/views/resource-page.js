// SPDX-License-Identifier: LGPL-2.1-or-later
// views/resource-page.js — the base of a page that lists one kind of host resource
// (networks, storage pools): the heading with Reload and, for admins, a Create button
// that shows the create form; the list card with "N networks, M active" and the table;
// loading with a sequence number so a slow answer never overwrites a newer one (and
// nothing lands after destroy); the autostart switches and the row buttons. A subclass
// supplies the texts and the hooks below. Browser main thread.

import { h } from './dom.js';
import { canManage } from './form-kit.js';
import {
    actionButton, changeAutostart, formToggle, listCard, reloadOnResourceEvents, renderTable, showLoadError,
} from './resource-table.js';
import { watchUserStates } from './in-use.js';

export class ResourcePage {
    /**
     * ctx: {api, store, notify, confirm}. kind: {eventType ("network"/"pool": the live
     * events that make the list reload), pageClass, formId}. texts() -> the page's
     * texts in the current language: title (the h1), refreshLabel, listTitle,
     * createLabel, count(n, active) ("3 networks, 2 active"), loadFailure ("Could not
     * list the networks"), empty (no items), caption (the table's).
     *
     * Hooks: fetch() -> items (each with name, active); intro() -> nodes under the
 * heading (optional); columns(admin); row(item, admin)
     * -> <tr>; setAutostart(name, on); onAction(btn, action, item) for a row button;
     * buildForm(close) -> {root, reset(), focus()} (admins only); loaded() after a
     * render (optional); usersOf(item) -> the VMs it lists (optional: the list is read
     * again when one of them changes state, so "used by" counts follow a paused VM).
     */
    constructor(ctx, kind, texts) {
        this.ctx = ctx;
        this.kind = kind;
        this.texts = texts;
        this.items = [];
        this.loadSeq = 0;
    }

    mount(container) {
        const t = this.texts();
        const kind = this.kind;
        this.title = h('h1', { id: 'page-title', class: 'page-title', tabindex: '-1', text: t.title });
        const refresh = h('button', { type: 'button', class: 'btn', text: t.refreshLabel, on: { click: () => this.load() } });
        let createBtn = null;
        let form = null;
        if (canManage(this.ctx.store)) {
            let toggle = null;
            createBtn = h('button', { type: 'button', class: 'btn btn-primary', text: t.createLabel });
            form = this.buildForm(() => toggle(false));
            toggle = formToggle(createBtn, form, kind.formId);
        }
        this.list = listCard({ title: t.listTitle, labelledBy: 'page-title' });
        this.root = h('div', { class: ['page', kind.pageClass] },
            h('div', { class: 'page-head' }, this.title, h('div', { class: 'toolbar' }, refresh, createBtn)),
            this.intro(),
            form ? form.root : null,
            this.list.root,
            this.extras());
        this.list.body.addEventListener('click', (ev) => this.#onClick(ev));
        this.list.body.addEventListener('change', (ev) => changeAutostart(this.ctx, ev,
            (name, on) => this.setAutostart(name, on), () => this.load()));
        container.replaceChildren(this.root);
        this.stopEvents = reloadOnResourceEvents(this.ctx.store, (r) => r.type === kind.eventType, () => this.load());
        if (this.usersOf) this.userWatch = watchUserStates(this.ctx.store, () => this.items.flatMap((x) => this.usersOf(x)), () => this.load());
        this.load();
    }

    destroy() {
        this.loadSeq++;
        this.stopEvents?.();
        this.userWatch?.stop();
        this.root?.remove();
    }

    /** Nodes under the page's heading, before the form and the list (none here). */
    intro() {
        return [];
    }

    /** Nodes after the list card (none here). */
    extras() {
        return [];
    }

    loaded() {}

    /** Reads the list again and renders it; a failure replaces the table. */
    async load() {
        const seq = ++this.loadSeq;
        try {
            const items = await this.fetch();
            if (seq !== this.loadSeq) return;
            this.items = items;
            this.#render();
            this.userWatch?.sync();
            this.loaded();
        } catch (err) {
            if (seq !== this.loadSeq || err.status === 401) return;
            showLoadError(this.list.body, this.texts().loadFailure, err, () => this.load());
        }
    }

    #render() {
        const admin = canManage(this.ctx.store);
        const t = this.texts();
        const items = this.items;
        this.list.count.textContent = t.count(items.length, items.filter((x) => x.active).length);
        renderTable(this.list.body, {
            items, empty: t.empty, caption: t.caption, columns: this.columns(admin), row: (x) => this.row(x, admin),
        });
    }

    #onClick(ev) {
        const btn = actionButton(ev);
        if (!btn) return;
        const item = this.items.find((x) => x.name === btn.dataset.name);
        if (item) this.onAction(btn, btn.dataset.action, item);
    }

    /** After a row action: reload, then focus the row's first button (or the title) if focus was lost. */
    async reloadKeepingFocus(name) {
        await this.load();
        if (!this.root.contains(document.activeElement)) {
            (this.list.body.querySelector(`tr[data-name="${CSS.escape(name)}"] button[data-action]`) || this.title).focus();
        }
    }
}
