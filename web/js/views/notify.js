// SPDX-License-Identifier: LGPL-2.1-or-later
// views/notify.js — the visible message area: errors stay in the aria-live "alert"
// region until dismissed (at most a few at a time); short confirmations go to the
// polite "status" region and fade after a few seconds. An error may carry a detail
// line: the server's own English text (errors.js errorDetail), marked lang="en".
// Both regions sit under the top bar in index.html's .shell-top, which sticks to the
// window's top: a toast takes room in the page's flow there and so never lies over a
// control or a table header (app.css, "figures"). Browser main thread.

import { h, icon } from './dom.js';
import { t } from '../i18n.js';

const MAX_ERRORS = 4;
const INFO_MS = 5000;

export class Notifier {
    constructor(alertRegion, statusRegion) {
        this.alerts = alertRegion;
        this.status = statusRegion;
        this.infoTimer = null;
    }

    /**
     * Shows an error until the user dismisses it. detail: a second, smaller line (the
     * server's English text) or "".
     */
    error(text, { detail = '' } = {}) {
        const item = h('div', { class: 'toast toast-error' },
            icon('warn'),
            h('p', { class: 'toast-text' }, text,
                detail ? [h('br'), h('span', { class: 'field-hint', lang: 'en', text: detail })] : null),
            h('button', {
                type: 'button', class: 'btn-icon', 'aria-label': t('shell.notify.dismiss'),
                on: { click: () => this.#dismiss(item) },
            }, icon('close')));
        this.alerts.append(item);
        while (this.alerts.children.length > MAX_ERRORS) this.alerts.firstElementChild.remove();
    }

    #dismiss(item) {
        const next = item.nextElementSibling || item.previousElementSibling;
        const hadFocus = item.contains(document.activeElement);
        item.remove();
        if (hadFocus) {
            const btn = next && next.querySelector('button');
            if (btn) btn.focus();
            else document.getElementById('main')?.focus();
        }
    }

    /** Shows a short confirmation that goes away by itself. */
    info(text) {
        clearTimeout(this.infoTimer);
        this.status.replaceChildren(h('div', { class: 'toast toast-info' }, h('p', { class: 'toast-text', text })));
        this.infoTimer = setTimeout(() => this.status.replaceChildren(), INFO_MS);
    }

    clear() {
        clearTimeout(this.infoTimer);
        this.alerts.replaceChildren();
        this.status.replaceChildren();
    }
}
