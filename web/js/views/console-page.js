// SPDX-License-Identifier: LGPL-2.1-or-later
// views/console-page.js — the pages #/domains/<uuid>/console (the VNC display) and
// #/domains/<uuid>/serial (the serial console), meant to be opened in a tab of their
// own: a slim head (back to the VM, its name and state) and the console filling the
// rest of the window. Reads the domain once (GET /api/domains/{uuid}) and then follows
// the store, so a VM that starts again reconnects by itself. Viewers get a notice
// instead (the server refuses them too). Browser main thread.

import { h, setText, icon } from './dom.js';
import { stateBadge, patchBadge } from './domain-list.js';
import { ConsoleView } from './console-view.js';
import { SerialView } from './serial-view.js';
import { canAct } from '../domains.js';
import { domainHash } from '../router.js';
import { t } from '../i18n.js';
import { errorText, errorDetail } from '../errors.js';

/** The page's heading, without (name omitted) or with the VM's name. */
function pageTitle(kind, name) {
    if (kind === 'serial') return name ? t('domains.console.serial.title', { name }) : t('domains.console.serial');
    return name ? t('domains.console.vnc.title', { name }) : t('domains.console.vnc');
}

/** The browser tab's title. */
function documentTitle(kind, name) {
    if (!name) return t('shell.title', { page: pageTitle(kind, '') });
    return t('shell.title', {
        page: kind === 'serial' ? t('domains.console.serial.doc-title', { name }) : t('domains.console.vnc.doc-title', { name }),
    });
}

export class ConsolePage {
    /** ctx: {api, store, notify}; kind: "console" | "serial". */
    constructor(ctx, uuid, kind) {
        this.ctx = ctx;
        this.store = ctx.store;
        this.uuid = uuid;
        this.kind = kind;
        this.view = null;
        this.unsub = null;
    }

    mount(container) {
        this.title = h('h1', { id: 'page-title', class: 'page-title console-page-title', tabindex: '-1', text: pageTitle(this.kind, '') });
        this.badge = null;
        this.gone = h('span', { class: 'reason', role: 'status' });
        this.head = h('div', { class: 'console-page-head' },
            h('a', { class: 'back-link', href: domainHash(this.uuid) }, icon('back'), t('shell.title.vm')),
            this.title, this.gone);
        this.body = h('div', { class: 'console-page-body' }, h('p', { class: 'muted', text: t('common.loading') }));
        this.root = h('div', { class: 'page page-console' }, this.head, this.body);
        container.replaceChildren(this.root);
        document.title = documentTitle(this.kind, '');
        this.unsub = this.store.on('changed', (c) => {
            if (c.removed.includes(this.uuid)) this.#removed();
            else if (c.domains.includes(this.uuid)) this.#patch();
        });
        this.#load();
    }

    async #load() {
        let d;
        try {
            d = await this.ctx.api.domain(this.uuid);
        } catch (err) {
            if (!this.root.isConnected || err.status === 401) return;
            const missing = err.status === 404 || err.status === 400;
            const detail = missing ? '' : errorDetail(err);
            this.body.replaceChildren(h('div', { class: 'card notice' },
                h('p', { text: missing ? t('domains.console.no-such-vm') : errorText(err) }),
                detail ? h('p', { class: 'muted', lang: 'en', text: detail }) : null,
                missing ? null
                    : h('button', { type: 'button', class: 'btn', text: t('common.try-again'), on: { click: () => this.#load() } })));
            return;
        }
        if (!this.root.isConnected) return;
        this.store.setDetail(d);
        const role = this.store.session ? this.store.session.role : 'viewer';
        this.badge = stateBadge(d.state, d.reason);
        this.gone.before(this.badge);
        this.#patch();
        if (!canAct(role)) {
            this.body.replaceChildren(h('div', { class: 'card notice' },
                h('p', { text: t('domains.console.viewer') })));
            return;
        }
        if (this.kind === 'console' && d.has_vnc === false) {
            this.body.replaceChildren(h('div', { class: 'card notice' },
                h('p', { text: t('domains.console.no-vnc') })));
            return;
        }
        const View = this.kind === 'serial' ? SerialView : ConsoleView;
        this.view = new View(this.ctx, { uuid: this.uuid, name: d.name, page: true });
        this.body.replaceChildren();
        this.view.mount(this.body);
        this.view.update(d);
    }

    #removed() {
        if (this.badge) this.badge.hidden = true;
        setText(this.gone, t('domains.gone'));
    }

    #patch() {
        const d = this.store.details.get(this.uuid) || this.store.domains.get(this.uuid);
        if (!d) return;
        if (this.badge) this.badge.hidden = false;
        setText(this.gone, '');
        setText(this.title, pageTitle(this.kind, d.name));
        document.title = documentTitle(this.kind, d.name);
        if (this.badge) patchBadge(this.badge, d.state, d.reason);
        if (this.view) this.view.update(d);
    }

    destroy() {
        if (this.unsub) this.unsub();
        this.view?.destroy();
        this.root?.remove();
    }
}
