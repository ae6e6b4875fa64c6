// SPDX-License-Identifier: LGPL-2.1-or-later
// views/login.js — the sign-in form. Posts the credentials through api.login and
// hands the new session to onLogin; shows why a sign-in failed (wrong credentials,
// too many attempts with the wait, server unreachable). A language picker under the
// button, since the language is chosen before logging in; after a switch the form is
// built again and keeps the user name typed (keepState / restoreState). When the
// account has TOTP on (401 totp_required) the form asks for the authenticator's code,
// or a recovery code after "Use a recovery code", and posts the password again with it
// (the password is kept in this view only until then).
// Browser main thread.

import { h } from './dom.js';
import { formatDuration } from '../format.js';
import { t } from '../i18n.js';
import { errorText } from '../errors.js';
import { languagePicker } from './i18n-dom.js';

// Relative to this module (not to the page), so the web build can give it its hashed name.
const LOGO_URL = new URL('../../favicon.svg', import.meta.url).href;

export class LoginView {
    /** ctx: {api}; onLogin(session); notice: text shown above the form (or ""). */
    constructor(ctx, onLogin, notice = '') {
        this.ctx = ctx;
        this.onLogin = onLogin;
        this.notice = notice;
        this.root = null;
    }

    mount(container) {
        this.user = h('input', {
            id: 'login-username', name: 'username', type: 'text', autocomplete: 'username',
            autocapitalize: 'none', spellcheck: 'false', required: true, class: 'input',
        });
        this.pass = h('input', {
            id: 'login-password', name: 'password', type: 'password',
            autocomplete: 'current-password', required: true, class: 'input',
        });
        this.code = h('input', {
            id: 'login-code', name: 'code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
            maxlength: 32, spellcheck: 'false', class: 'input', 'aria-describedby': 'login-code-hint',
        });
        this.codeLabel = h('label', { for: 'login-code', text: t('shell.login.code') });
        this.codeHint = h('p', { class: 'field-hint', id: 'login-code-hint', text: t('shell.login.code.hint') });
        this.useRecovery = h('button', {
            type: 'button', class: 'btn btn-link', id: 'login-use-recovery', text: t('shell.login.use-recovery'),
            on: { click: () => this.#askSecond(this.second === 'recovery' ? 'totp' : 'recovery') },
        });
        this.codeField = h('div', { class: 'field', hidden: true }, this.codeLabel, this.code, this.codeHint, this.useRecovery);
        this.second = null; // null, 'totp' or 'recovery': what the code field holds
        this.held = ''; // the password, kept while the code is asked for
        this.submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', text: t('shell.login.submit') });
        this.error = h('p', { class: 'form-error', id: 'login-error', role: 'alert', hidden: true });
        // In the form for its spacing only: the select has no name and is not sent.
        this.language = languagePicker('login-language');
        const form = h('form', { class: 'login-form', novalidate: true, 'aria-describedby': 'login-error' },
            h('div', { class: 'field' },
                h('label', { for: 'login-username', text: t('shell.login.username') }), this.user),
            h('div', { class: 'field' },
                h('label', { for: 'login-password', text: t('shell.login.password') }), this.pass),
            this.codeField,
            this.error,
            this.submit,
            this.language.root);
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.#submit();
        });
        this.root = h('section', { class: 'login', 'aria-labelledby': 'login-title' },
            h('div', { class: 'login-card' },
                h('img', { class: 'login-logo', src: LOGO_URL, alt: '', width: '48', height: '48' }),
                h('h1', { id: 'login-title', class: 'login-title', text: t('shell.login.title') }),
                h('p', { class: 'login-sub', text: t('shell.login.subtitle') }),
                this.notice ? h('p', { class: 'login-notice', role: 'status', text: this.notice }) : null,
                form));
        container.replaceChildren(this.root);
        this.user.focus();
    }

    /** What a rebuilt form keeps (a language switch): the user name, and the focus on the picker. */
    keepState() {
        return { username: this.user?.value ?? '', focusLanguage: document.activeElement === this.language?.select };
    }

    restoreState(kept) {
        if (!kept) return;
        this.user.value = kept.username || '';
        if (kept.focusLanguage) this.language.select.focus();
    }

    /** Shows the code field for kind ('totp' or 'recovery'); the password is kept. */
    #askSecond(kind) {
        this.second = kind;
        this.codeField.hidden = false;
        this.user.disabled = true; // the name and password already checked stay as they are
        this.pass.disabled = true;
        this.codeLabel.textContent = kind === 'totp' ? t('shell.login.code') : t('shell.login.recovery');
        this.codeHint.textContent = kind === 'totp' ? t('shell.login.code.hint') : t('shell.login.recovery.hint');
        this.code.setAttribute('inputmode', kind === 'totp' ? 'numeric' : 'text');
        this.useRecovery.textContent = kind === 'totp' ? t('shell.login.use-recovery') : t('shell.login.use-code');
        this.code.value = '';
        this.code.focus();
    }

    /** Back to user name and password (a wrong password, a new user name). */
    #forgetSecond() {
        this.second = null;
        this.held = '';
        this.codeField.hidden = true;
        this.user.disabled = false;
        this.pass.disabled = false;
    }

    #showError(text) {
        this.error.textContent = text;
        this.error.hidden = false;
    }

    async #submit() {
        const username = this.user.value.trim();
        const password = this.second ? this.held : this.pass.value;
        const code = this.code.value.trim();
        if (this.second && !code) {
            this.#showError(t('shell.login.code-missing'));
            this.code.focus();
            return;
        }
        if (!username || !password) {
            this.#showError(t('shell.login.missing'));
            (username ? this.pass : this.user).focus();
            return;
        }
        this.error.hidden = true;
        this.submit.disabled = true;
        this.submit.textContent = t('shell.login.busy');
        this.root.setAttribute('aria-busy', 'true');
        try {
            const second = this.second === 'totp' ? { totp: code.replace(/\s+/g, '') }
                : this.second === 'recovery' ? { recovery_code: code } : {};
            const session = await this.ctx.api.login(username, password, second);
            this.pass.value = '';
            this.held = '';
            this.onLogin(session);
        } catch (err) {
            if (!this.root.isConnected) return;
            if (err.status === 401 && err.code === 'totp_required') {
                this.held = password;
                this.#askSecond('totp');
                return;
            }
            if (err.status === 401 && this.second) {
                this.#showError(t('shell.login.code-invalid'));
                this.code.value = '';
                this.code.focus();
                return;
            }
            this.pass.value = '';
            this.#forgetSecond();
            if (err.status === 401) this.#showError(t('shell.login.invalid'));
            else if (err.status === 429) {
                this.#showError(err.retryAfter
                    ? t('shell.login.too-many-wait', { time: formatDuration(err.retryAfter) })
                    : t('shell.login.too-many'));
            } else this.#showError(errorText(err));
            this.pass.focus();
        } finally {
            if (this.root.isConnected) {
                this.submit.disabled = false;
                this.submit.textContent = t('shell.login.submit');
                this.root.removeAttribute('aria-busy');
            }
        }
    }

    destroy() {
        this.root?.remove();
    }
}
