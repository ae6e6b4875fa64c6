// SPDX-License-Identifier: LGPL-2.1-or-later
// views/demo-banner.js — the notice at the top of the signed-in page when the server's
// libvirt connection is the test driver (GET /api/host "driver": "test", what `make run`
// falls back to when QEMU cannot run): a titled region saying what this demo cannot do.
// The server says which driver it has; nothing here reads the URI. "Hide" hides it for
// this page and this session only (kept in memory: a reload or the next login shows it
// again). Browser main thread.

import { h, icon } from './dom.js';
import { t, onLanguageChange } from '../i18n.js';

export class DemoBanner {
    /** Mounts the (hidden) notice in front of the element `before`; ctx: {store}. */
    constructor(before, ctx) {
        this.store = ctx.store;
        this.hiddenByUser = false;
        this.el = h('section', { id: 'demo-banner', class: 'banner demo-banner', 'aria-labelledby': 'demo-banner-title', hidden: true });
        before.before(this.el);
        this.unsub = this.store.on('changed', (c) => {
            if (c.session && !this.store.session) this.hiddenByUser = false; // a new session shows it again
            if (c.host || c.session) this.render();
        });
        this.unlang = onLanguageChange(() => this.render());
        this.render();
    }

    render() {
        const { store } = this;
        const show = !!store.session && store.host?.driver === 'test' && !this.hiddenByUser;
        if (!show) {
            this.el.hidden = true;
            this.el.replaceChildren();
            return;
        }
        this.el.replaceChildren(
            icon('warn'),
            h('div', { class: 'demo-banner-body' },
                h('h2', { id: 'demo-banner-title', class: 'demo-banner-title', text: t('shell.demo.title') }),
                h('p', { class: 'banner-text', text: t('shell.demo.text') })),
            h('button', { type: 'button', class: 'btn btn-sm', text: t('shell.demo.hide'), on: { click: () => this.hide() } }));
        this.el.hidden = false;
    }

    /** Hides the notice until the page is loaded again (focus goes to the page). */
    hide() {
        this.hiddenByUser = true;
        this.render();
        document.getElementById('main')?.focus();
    }

    destroy() {
        this.unsub();
        this.unlang();
        this.el.remove();
    }
}
