// SPDX-License-Identifier: LGPL-2.1-or-later
// views/banner.js — the strip under the header that says live data is not live:
// the host lost its libvirt connection ({"type":"host","state":"disconnected"}), or
// the events websocket is down and reconnecting (with "Retry now").
// Browser main thread.

import { h, icon } from './dom.js';
import { formatDuration } from '../format.js';
import { t } from '../i18n.js';
import { tNodes } from './i18n-dom.js';

export class Banner {
    /** el: the banner element (role=status); ctx: {store}; onRetry(): reconnect now. */
    constructor(el, ctx, onRetry) {
        this.el = el;
        this.store = ctx.store;
        this.onRetry = onRetry;
        this.key = '';
        this.unsub = this.store.on('changed', (c) => {
            if (c.host || c.connection || c.session) this.render();
        });
        this.render();
    }

    render() {
        const { store } = this;
        let key = '';
        let text = null; // () => the banner's sentence as nodes
        let retry = false;
        if (!store.session) key = '';
        else if (store.hostConnected === false) {
            key = 'host';
            text = () => tNodes('shell.banner.host', { title: h('strong', { text: t('shell.banner.host-title') }) });
        } else if (store.connection.state === 'closed') {
            const secs = Math.max(1, Math.round((store.connection.retryInMs || 0) / 1000));
            key = `ws:${secs}`;
            text = () => tNodes('shell.banner.live', {
                title: h('strong', { text: t('shell.banner.live-title') }), time: formatDuration(secs),
            });
            retry = true;
        }
        if (key === this.key) return;
        this.key = key;
        if (!key) {
            this.el.hidden = true;
            this.el.replaceChildren();
            return;
        }
        this.el.className = key === 'host' ? 'banner banner-danger' : 'banner banner-warn';
        this.el.replaceChildren(
            icon('warn'),
            h('p', { class: 'banner-text' }, text()),
            retry ? h('button', { type: 'button', class: 'btn btn-sm', text: t('shell.banner.retry'), on: { click: () => this.onRetry() } }) : null);
        this.el.hidden = false;
    }

    /** Renders again even if nothing changed (the language did). */
    refresh() {
        this.key = null;
        this.render();
    }

    destroy() {
        this.unsub();
    }
}
