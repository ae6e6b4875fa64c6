// views/user-menu.js — the header's user button: a disclosure showing who is signed
// in, the role, and "Log out". Opens with Enter/Space/click, closes with Esc (focus
// back on the button), a click outside, or Tab leaving it. Browser main thread.

import { h, icon } from './dom.js';

const ROLE_TEXT = {
    admin: 'Administrator: can do everything',
    operator: 'Operator: can view and control virtual machines',
    viewer: 'Viewer: can only look',
};

export class UserMenu {
    /** session: {username, role}; onLogout(): called when "Log out" is chosen. */
    constructor(container, session, onLogout) {
        this.container = container;
        this.onLogout = onLogout;
        this.button = h('button', {
            type: 'button', class: 'user-button', 'aria-expanded': 'false', 'aria-controls': 'user-menu-panel',
        }, icon('user'), h('span', { class: 'user-name', text: session.username }),
        h('span', { class: 'role-chip', text: session.role }), icon('chevron'));
        this.logout = h('button', { type: 'button', class: 'btn btn-block', text: 'Log out' });
        this.panel = h('div', { id: 'user-menu-panel', class: 'user-panel', hidden: true },
            h('p', { class: 'user-panel-name' }, 'Signed in as ', h('strong', { text: session.username })),
            h('p', { class: 'user-panel-role' }, 'Role: ', h('strong', { class: 'user-role', text: session.role })),
            h('p', { class: 'user-panel-hint', text: ROLE_TEXT[session.role] || '' }),
            this.logout);
        this.root = h('div', { class: 'user-menu' }, this.button, this.panel);

        this.button.addEventListener('click', () => this.toggle());
        this.logout.addEventListener('click', () => {
            this.close(false);
            this.onLogout();
        });
        this.root.addEventListener('keydown', (ev) => {
            if (ev.key === 'Escape' && this.isOpen()) {
                ev.stopPropagation();
                this.close(true);
            }
        });
        this.root.addEventListener('focusout', (ev) => {
            if (this.isOpen() && ev.relatedTarget && !this.root.contains(ev.relatedTarget)) this.close(false);
        });
        this.onDocClick = (ev) => {
            if (this.isOpen() && !this.root.contains(ev.target)) this.close(false);
        };
        document.addEventListener('click', this.onDocClick);
        container.replaceChildren(this.root);
    }

    isOpen() {
        return !this.panel.hidden;
    }

    toggle() {
        if (this.isOpen()) this.close(false);
        else {
            this.panel.hidden = false;
            this.button.setAttribute('aria-expanded', 'true');
        }
    }

    close(focusButton) {
        this.panel.hidden = true;
        this.button.setAttribute('aria-expanded', 'false');
        if (focusButton) this.button.focus();
    }

    destroy() {
        document.removeEventListener('click', this.onDocClick);
        this.root.remove();
    }
}
