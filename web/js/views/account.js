// SPDX-License-Identifier: LGPL-2.1-or-later
// views/account.js — "My account" (#/account, from the user menu; docs/api.md "My
// account"): change the password (the policy's message live under the new one, as on the
// users page), two-factor authentication (TOTP: enrol by typing the shown base32 secret or
// the otpauth URI into an authenticator app, confirm with a code, see the ten recovery
// codes once; turn it off with a code or the password), and my sessions (where and when,
// End one, "Log out everywhere else"). A session that must enrol TOTP first lands here
// and is told why; onEnrolled() then lets the app start in full. Browser main thread.

import { h } from './dom.js';
import { field, formDialog, placeServerError, reportError, serverErrorBox, setBusy, showErrors, textInput } from './form-kit.js';
import { actionsCell, actionsLabel, cell, listCard, renderTable, rowButton, rowLabel, loadNewest } from './resource-table.js';
import { problemText } from './users.js';
import { passwordProblem } from '../users-rules.js';
import { formatClock, orDash } from '../format.js';
import { errorText } from '../errors.js';
import { t } from '../i18n.js';

/** The secret in groups of four, as authenticator apps show and people type it. */
export function groupSecret(secret) {
    return String(secret ?? '').replace(/(.{4})(?=.)/g, '$1 ');
}

function passwordInput(id, autocomplete) {
    return textInput({ id, type: 'password', autocomplete, maxlength: 1024 });
}

function codeInput(id) {
    return textInput({ id, inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 6, pattern: '[0-9]*' });
}

export class AccountView {
    /** ctx: {api, store, notify, confirm}; onEnrolled(): TOTP was confirmed (a limited session may go on). */
    constructor(ctx, onEnrolled = () => {}) {
        this.ctx = ctx;
        this.onEnrolled = onEnrolled;
        this.account = null;
        this.sessions = [];
        this.loadSeq = 0;
    }

    mount(container) {
        this.title = h('h1', { id: 'page-title', class: 'page-title', tabindex: '-1', text: t('account.title') });
        this.limited = h('p', { class: 'card notice', role: 'alert', id: 'account-limited', hidden: true, text: t('account.totp.must-enrol') });
        this.passwordCard = h('section', { class: 'card form-card', 'aria-labelledby': 'account-password-title' });
        this.totpCard = h('section', { class: 'card form-card', id: 'account-totp', 'aria-labelledby': 'account-totp-title' });
        this.list = listCard({ title: t('account.sessions.title'), titleId: 'account-sessions-title' });
        this.logoutOthers = h('button', {
            type: 'button', class: 'btn', id: 'account-logout-others', text: t('account.sessions.logout-others'),
            on: { click: () => this.#logoutOthers() },
        });
        this.root = h('div', { class: ['page', 'page-account'] },
            h('div', { class: 'page-head' }, this.title),
            this.limited, this.totpCard, this.passwordCard,
            this.list.root, h('div', { class: 'toolbar' }, this.logoutOthers));
        this.list.body.addEventListener('click', (ev) => {
            const btn = ev.target.closest('button[data-action="end"]');
            if (btn) this.#endSession(btn.dataset.id);
        });
        container.replaceChildren(this.root);
        this.load();
    }

    destroy() {
        this.loadSeq++;
        this.root?.remove();
    }

    load() {
        const read = () => Promise.all([this.ctx.api.account(), this.ctx.api.accountSessions()]);
        return loadNewest(this, read, ([account, sessions]) => {
            this.account = account;
            this.sessions = Array.isArray(sessions.sessions) ? sessions.sessions : [];
            this.limited.hidden = !account.totp_enrolment_required;
            this.#renderPassword();
            this.#renderTotp();
            this.#renderSessions();
        }, t('account.load-failed'));
    }

    // ---- password ----------------------------------------------------------------

    #renderPassword() {
        const heading = h('h2', { class: 'card-title', id: 'account-password-title', text: t('account.password.title') });
        if (this.account.source === 'pam') {
            this.passwordCard.replaceChildren(heading, h('p', { class: 'muted', text: t('account.password.system') }));
            return;
        }
        const min = this.account.password_min_length || 12;
        const current = passwordInput('account-current', 'current-password');
        const next = passwordInput('account-new', 'new-password');
        const fields = [
            field({ label: t('account.password.current'), control: current, key: 'current' }),
            field({ label: t('account.password.new'), control: next, hint: t('users.field.password.hint', { count: min }), key: 'new' }),
        ];
        const check = () => problemText(passwordProblem(next.value, { min, name: this.account.username }));
        next.addEventListener('input', () => showErrors([fields[1]], { new: next.value ? check() : '' }, { focus: false }));
        const box = serverErrorBox();
        const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'account-password-submit', text: t('account.password.submit') });
        const form = h('form', { class: 'form', novalidate: true, 'aria-labelledby': 'account-password-title' },
            ...fields.map((f) => f.root), box.root, h('div', { class: 'form-buttons' }, submit));
        form.addEventListener('submit', async (ev) => {
            ev.preventDefault();
            box.clear();
            const errors = { current: current.value ? '' : t('account.password.current-required'), new: check() };
            if (showErrors(fields, errors)) return;
            setBusy(submit, true);
            try {
                const r = await this.ctx.api.changePassword(current.value, next.value);
                form.reset();
                this.ctx.notify.info(t('account.password.changed', { count: r.sessions_ended || 0 }));
                this.load();
            } catch (err) {
                if (err.status !== 401 && !placeServerError(fields, err)) box.show(errorText(err));
            } finally {
                setBusy(submit, false);
            }
        });
        this.passwordCard.replaceChildren(heading, form);
    }

    // ---- two-factor authentication ----------------------------------------------

    #renderTotp() {
        const a = this.account;
        const heading = h('h2', { class: 'card-title', id: 'account-totp-title', text: t('account.totp.title') });
        if (a.source === 'pam') {
            this.totpCard.replaceChildren(heading, h('p', { class: 'muted', text: t('account.totp.system') }));
            return;
        }
        const state = h('p', { id: 'account-totp-state' },
            h('span', { class: ['badge', a.totp_enabled ? 'badge-ok' : 'badge-off'], text: a.totp_enabled ? t('account.totp.on') : t('account.totp.off') }),
            ' ', a.totp_enabled ? t('account.totp.codes-left', { count: a.recovery_codes_left }) : t('account.totp.intro'));
        const button = a.totp_enabled
            ? h('button', { type: 'button', class: 'btn btn-danger', id: 'account-totp-disable', text: t('account.totp.disable'),
                disabled: a.totp_required, on: { click: () => this.#disableTotp() } })
            : h('button', { type: 'button', class: 'btn btn-primary', id: 'account-totp-begin', text: t('account.totp.begin'),
                on: { click: () => this.#beginTotp() } });
        const required = a.totp_required ? [h('p', { class: 'muted small', text: t('account.totp.required') })] : [];
        this.totpCard.replaceChildren(heading, state, ...required, h('div', { class: 'toolbar' }, button));
    }

    async #beginTotp() {
        let begun;
        try {
            begun = await this.ctx.api.totpBegin();
        } catch (err) {
            reportError(this.ctx.notify, t('account.totp.begin-failed'), err);
            return;
        }
        const code = codeInput('account-totp-code');
        const f = field({ label: t('account.totp.code'), control: code, hint: t('account.totp.code.hint'), key: 'code' });
        let codes = null;
        await formDialog({
            title: t('account.totp.setup.title'),
            body: [
                h('p', { text: t('account.totp.setup.step1') }),
                h('p', { class: 'field' }, h('span', { class: 'muted small', text: t('account.totp.secret') }),
                    h('code', { class: 'totp-secret', id: 'account-totp-secret', text: groupSecret(begun.secret) })),
                h('p', { class: 'field' }, h('span', { class: 'muted small', text: t('account.totp.uri') }),
                    h('code', { class: 'totp-uri', id: 'account-totp-uri', text: begun.otpauth_uri })),
                h('p', { text: t('account.totp.setup.step2') }),
                f.root,
            ],
            submitLabel: t('account.totp.confirm'),
            onSubmit: async () => {
                const value = code.value.replace(/\s+/g, '');
                if (showErrors([f], { code: /^[0-9]{6}$/.test(value) ? '' : t('account.totp.code.invalid') })) return false;
                try {
                    codes = (await this.ctx.api.totpConfirm(value)).recovery_codes || [];
                } catch (err) {
                    if (err.field === 'code') {
                        showErrors([f], { code: t('account.totp.code.wrong') });
                        return false;
                    }
                    throw err;
                }
                return true;
            },
        });
        if (!codes) {
            this.load();
            return;
        }
        await this.#showRecoveryCodes(codes);
        if (this.account?.totp_enrolment_required) {
            this.onEnrolled();
            return;
        }
        this.load();
    }

    /** The one time the recovery codes are seen. */
    async #showRecoveryCodes(codes) {
        await formDialog({
            title: t('account.recovery.title'),
            body: [
                h('p', { class: 'dialog-warning', role: 'alert', text: t('account.recovery.warning') }),
                h('ul', { class: 'recovery-codes', id: 'account-recovery-codes' }, ...codes.map((c) => h('li', {}, h('code', { text: c })))),
            ],
            submitLabel: t('account.recovery.done'),
            onSubmit: async () => true,
        });
    }

    async #disableTotp() {
        const code = codeInput('account-totp-off-code');
        const password = passwordInput('account-totp-off-password', 'current-password');
        const fields = [
            field({ label: t('account.totp.code'), control: code, key: 'code' }),
            field({ label: t('account.totp.or-password'), control: password, key: 'password' }),
        ];
        const done = await formDialog({
            title: t('account.totp.disable.title'),
            body: [h('p', { text: t('account.totp.disable.message') }), ...fields.map((f) => f.root)],
            submitLabel: t('account.totp.disable'),
            danger: true,
            onSubmit: async () => {
                const body = code.value.trim() ? { code: code.value.trim() } : { password: password.value };
                if (!code.value.trim() && !password.value) {
                    showErrors(fields, { code: t('account.totp.disable.need') });
                    return false;
                }
                try {
                    await this.ctx.api.totpDisable(body);
                } catch (err) {
                    if (placeServerError(fields, err)) return false;
                    throw err;
                }
                return true;
            },
        });
        if (done) this.ctx.notify.info(t('account.totp.disabled'));
        this.load();
    }

    // ---- sessions ---------------------------------------------------------------

    #renderSessions() {
        const c = {
            created: t('account.sessions.created'), seen: t('account.sessions.last-seen'),
            address: t('account.sessions.address'), agent: t('account.sessions.agent'),
        };
        this.list.count.textContent = t('account.sessions.count', { count: this.sessions.length });
        this.logoutOthers.disabled = this.sessions.length < 2;
        renderTable(this.list.body, {
            items: this.sessions,
            empty: t('account.sessions.empty'),
            caption: t('account.sessions.caption'),
            columns: [c.created, c.seen, c.address, c.agent, actionsLabel()],
            row: (s) => h('tr', { dataset: { id: s.id } },
                cell(c.created, {}, formatClock(s.created),
                    s.current ? h('span', { class: 'badge badge-ok', text: t('account.sessions.this') }) : null),
                cell(c.seen, { text: formatClock(s.last_seen) }),
                cell(c.address, { text: orDash(s.address) }),
                cell(c.agent, { class: 'session-agent', text: orDash(s.user_agent) }),
                actionsCell(s.id, this.#endButton(s))),
        });
    }

    #endButton(s) {
        const btn = rowButton('id', s.id, 'end', t('account.sessions.end'), true);
        btn.setAttribute('aria-label', rowLabel(t('account.sessions.end'), `${s.address || s.id} ${formatClock(s.created)}`));
        return btn;
    }

    async #endSession(id) {
        const s = this.sessions.find((x) => x.id === id);
        if (!s) return;
        const ok = await this.ctx.confirm({
            title: t('account.sessions.end.title'),
            message: s.current ? t('account.sessions.end.current') : t('account.sessions.end.message'),
            confirmLabel: t('account.sessions.end'),
            danger: true,
        });
        if (!ok) return;
        try {
            await this.ctx.api.endSession(id);
        } catch (err) {
            reportError(this.ctx.notify, t('account.sessions.end-failed'), err);
        }
        if (!s.current) this.load();
    }

    async #logoutOthers() {
        setBusy(this.logoutOthers, true);
        try {
            const r = await this.ctx.api.logoutAll(true);
            this.ctx.notify.info(t('account.sessions.logged-out', { count: r.sessions_ended || 0 }));
        } catch (err) {
            reportError(this.ctx.notify, t('account.sessions.end-failed'), err);
        } finally {
            setBusy(this.logoutOthers, false);
        }
        this.load();
    }
}
