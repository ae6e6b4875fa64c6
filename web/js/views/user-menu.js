// SPDX-License-Identifier: LGPL-2.1-or-later
// views/user-menu.js — the header's user button: a disclosure showing who is signed
// in, the role, "My account" (#/account, views/account.js), "API tokens" (#/tokens, views/tokens.js), "Users" for admins (#/users,
// views/users.js), the language picker (remembered in localStorage; the page follows at
// once) and "Log out". Opens with Enter/Space/click, closes with Esc (focus back on
// the button), a click outside, or Tab leaving it. Browser main thread.

import { h, icon } from './dom.js';
import { t } from '../i18n.js';
import { languagePicker, tNodes } from './i18n-dom.js';
import { accountHash, alertRulesHash, tokensHash, usersHash } from '../router.js';

/** A role's name in the current language (an unknown role as it came). */
export function roleName(role) {
    switch (role) {
    case 'admin': return t('shell.role.admin');
    case 'operator': return t('shell.role.operator');
    case 'viewer': return t('shell.role.viewer');
    default: return String(role ?? '');
    }
}

function roleHint(role) {
    switch (role) {
    case 'admin': return t('shell.role.admin.hint');
    case 'operator': return t('shell.role.operator.hint');
    case 'viewer': return t('shell.role.viewer.hint');
    default: return '';
    }
}

export class UserMenu {
    /** session: {username, role}; onLogout(): called when "Log out" is chosen. */
    constructor(container, session, onLogout) {
        this.container = container;
        this.onLogout = onLogout;
        const role = roleName(session.role);
        this.button = h('button', {
            type: 'button', class: 'user-button', 'aria-expanded': 'false', 'aria-controls': 'user-menu-panel',
        }, icon('user'), h('span', { class: 'user-name', text: session.username }),
        h('span', { class: 'role-chip', text: role }), icon('chevron'));
        this.logout = h('button', { type: 'button', class: 'btn btn-block', text: t('shell.user.logout') });
        this.account = h('a', { class: 'btn btn-block', id: 'user-menu-account', href: accountHash(), text: t('account.menu') });
        this.account.addEventListener('click', () => this.close(false));
        this.tokens = h('a', { class: 'btn btn-block', id: 'user-menu-tokens', href: tokensHash(), text: t('tokens.menu') });
        this.tokens.addEventListener('click', () => this.close(false));
        // the users page is the admins' (docs/api.md "Users")
        this.users = session.role === 'admin'
            ? h('a', { class: 'btn btn-block', id: 'user-menu-users', href: usersHash(), text: t('users.menu') }) : null;
        this.users?.addEventListener('click', () => this.close(false));
        this.alertRules = session.role === 'admin'
            ? h('a', { class: 'btn btn-block', id: 'user-menu-alert-rules', href: alertRulesHash(), text: t('alert-rules.menu') }) : null;
        this.alertRules?.addEventListener('click', () => this.close(false));
        this.language = languagePicker('user-menu-language');
        this.panel = h('div', { id: 'user-menu-panel', class: 'user-panel', hidden: true },
            h('p', { class: 'user-panel-name' }, tNodes('shell.user.signed-in', { name: h('strong', { text: session.username }) })),
            h('p', { class: 'user-panel-role' }, tNodes('shell.user.role', { role: h('strong', { class: 'user-role', text: role }) })),
            h('p', { class: 'user-panel-hint', text: roleHint(session.role) }),
            this.account,
            this.tokens,
            this.users,
            this.alertRules,
            this.language.root,
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
        else this.open();
    }

    /** Opens the panel; focusLanguage: put the focus on the language picker (after a switch). */
    open({ focusLanguage = false } = {}) {
        this.panel.hidden = false;
        this.button.setAttribute('aria-expanded', 'true');
        if (focusLanguage) this.language.select.focus();
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
