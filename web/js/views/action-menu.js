// SPDX-License-Identifier: LGPL-2.1-or-later
// views/action-menu.js — the "More actions" menu button of a VM's action group (the WAI-ARIA
// menu button pattern): a button with aria-haspopup="menu" that opens a role="menu" list
// of role="menuitem" buttons. Enter, Space or ArrowDown open it on the first item,
// ArrowUp on the last; in the menu ArrowDown/ArrowUp move (wrapping), Home/End jump,
// Esc closes it and gives focus back to the button, Tab closes it and moves on; a click
// outside closes it. The menu is fixed to the window under (or above) its button, so a
// table's scrolling box cannot clip it. Choosing an item is left to the caller (clicks
// on button[data-action] bubble to the action group) and closes the menu. Browser main
// thread.

import { h, icon } from './dom.js';
import { t } from '../i18n.js';

let menuSeq = 0;
let sheet = null;

/** The page's one style sheet for the open menu's place, adopted on first use. */
function placeSheet() {
    if (!sheet) {
        sheet = new CSSStyleSheet();
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    }
    return sheet;
}

export class ActionMenu {
    /** name: the VM's name (the button's accessible name); items: the menuitem buttons. */
    constructor(name, items) {
        const id = `action-menu-${++menuSeq}`;
        this.button = h('button', {
            type: 'button', class: ['btn', 'btn-sm', 'menu-button'], id: `${id}-button`,
            'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': id,
            'aria-label': t('domains.actions.more.aria', { name }), title: t('domains.actions.more.aria', { name }),
        }, h('span', { class: 'btn-label', text: t('domains.actions.more') }), icon('chevron'));
        for (const item of items) {
            item.setAttribute('role', 'menuitem');
            item.tabIndex = -1;
        }
        this.items = items;
        this.menu = h('div', { class: 'action-menu', role: 'menu', id, 'aria-labelledby': this.button.id, hidden: true }, items);
        this.root = h('div', { class: 'menu-wrap' }, this.button, this.menu);
        this.onOutside = (ev) => {
            if (!this.root.contains(ev.target)) this.close();
        };
        this.onViewport = () => this.close();
        this.button.addEventListener('click', () => (this.isOpen() ? this.close() : this.open(0)));
        this.button.addEventListener('keydown', (ev) => {
            if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
                ev.preventDefault();
                this.open(ev.key === 'ArrowUp' ? -1 : 0);
            }
        });
        this.menu.addEventListener('keydown', (ev) => this.#onKey(ev));
        // An item chosen (the group's delegated click runs the action): close, focus the button.
        this.menu.addEventListener('click', (ev) => {
            if (ev.target.closest('[role="menuitem"]')) this.close({ focus: true });
        });
    }

    isOpen() {
        return !this.menu.hidden;
    }

    /** Opens the menu and focuses item `at` (-1: the last); nothing when no item is enabled. */
    open(at) {
        const enabled = this.#enabled();
        if (this.button.disabled || enabled.length === 0) return;
        this.menu.hidden = false;
        this.button.setAttribute('aria-expanded', 'true');
        this.#place();
        document.addEventListener('pointerdown', this.onOutside, true);
        window.addEventListener('resize', this.onViewport);
        window.addEventListener('scroll', this.onViewport, true);
        enabled[at < 0 ? enabled.length - 1 : Math.min(at, enabled.length - 1)].focus();
    }

    /** Closes the menu; focus: give focus back to the menu button. */
    close({ focus = false } = {}) {
        if (!this.isOpen()) return;
        this.menu.hidden = true;
        this.button.setAttribute('aria-expanded', 'false');
        document.removeEventListener('pointerdown', this.onOutside, true);
        window.removeEventListener('resize', this.onViewport);
        window.removeEventListener('scroll', this.onViewport, true);
        if (focus && this.button.isConnected) this.button.focus();
    }

    /** Busy (an action in flight): the button and its items are disabled, the menu closed. */
    setDisabled(disabled) {
        if (disabled) this.close({ focus: this.menu.contains(document.activeElement) });
        if (this.button.disabled !== disabled) this.button.disabled = disabled;
    }

    destroy() {
        this.close();
    }

    #enabled() {
        return this.items.filter((b) => !b.disabled);
    }

    /**
     * Under the button, its right edges aligned; above it when there is no room below.
     * The place is one rule in a constructed style sheet (CSSOM, which the page's CSP
     * allows; no style attribute): only one menu is open at a time.
     */
    #place() {
        const r = this.button.getBoundingClientRect();
        const m = this.menu;
        const w = m.offsetWidth;
        const hgt = m.offsetHeight;
        const left = Math.max(4, Math.min(r.right - w, window.innerWidth - w - 4));
        const below = r.bottom + 4;
        const top = below + hgt <= window.innerHeight - 4 ? below : Math.max(4, r.top - hgt - 4);
        placeSheet().replaceSync(`#${m.id} { left: ${Math.round(left)}px; top: ${Math.round(top)}px; }`);
    }

    #onKey(ev) {
        const enabled = this.#enabled();
        const i = enabled.indexOf(document.activeElement);
        let next;
        switch (ev.key) {
        case 'ArrowDown': next = enabled[(i + 1) % enabled.length]; break;
        case 'ArrowUp': next = enabled[(i - 1 + enabled.length) % enabled.length]; break;
        case 'Home': next = enabled[0]; break;
        case 'End': next = enabled[enabled.length - 1]; break;
        case 'Escape':
            ev.preventDefault();
            this.close({ focus: true });
            return;
        case 'Tab':
            // Focus goes back to the button first, so Tab moves on from there.
            this.close({ focus: true });
            return;
        default: return;
        }
        ev.preventDefault();
        next?.focus();
    }
}
