// SPDX-License-Identifier: LGPL-2.1-or-later
// views/tokens.js — the "API tokens" page (#/tokens, from the user menu): the signed-in
// user's tokens for scripts (name, scope, created, expires, last used and from where),
// "Create token" (a dialog: name, a scope no higher than the user's role, an expiry)
// that shows the new token's secret once, with a copy button and a warning, and Revoke
// with a confirmation. The server keeps only a hash of each secret, so it can never be
// shown again. Browser main thread.

import { h } from './dom.js';
import { field, formDialog, placeServerError, reportError, selectInput, showErrors, textInput } from './form-kit.js';
import { actionsCell, actionsLabel, cell, listCard, renderTable, rowButton, rowLabel, loadNewest } from './resource-table.js';
import { formatClock, orDash, DASH } from '../format.js';
import { t } from '../i18n.js';

/** The scopes a role may give a token (read ⊂ operate ⊂ admin), as the server allows. */
export function scopesFor(role) {
    const all = ['read', 'operate', 'admin'];
    const top = { viewer: 1, operator: 2, admin: 3 }[role] || 0;
    return all.slice(0, top);
}

function scopeLabel(scope) {
    switch (scope) {
    case 'read': return t('tokens.scope.read');
    case 'operate': return t('tokens.scope.operate');
    case 'admin': return t('tokens.scope.admin');
    default: return String(scope ?? '');
    }
}

function columnLabels() {
    return {
        name: t('tokens.column.name'), scope: t('tokens.column.scope'), created: t('tokens.column.created'),
        expires: t('tokens.column.expires'), used: t('tokens.column.last-used'), from: t('tokens.column.from'),
    };
}

const EXPIRY_DAYS = ['30', '90', '365', 'never'];

function expiryLabel(v) {
    return v === 'never' ? t('tokens.expiry.never') : t('tokens.expiry.days', { count: Number(v) });
}

export class TokensView {
    /** ctx: {api, store, notify, confirm}. */
    constructor(ctx) {
        this.ctx = ctx;
        this.items = [];
        this.loadSeq = 0;
    }

    mount(container) {
        this.title = h('h1', { id: 'page-title', class: 'page-title', tabindex: '-1', text: t('tokens.title') });
        const create = h('button', {
            type: 'button', class: 'btn btn-primary', id: 'token-create', text: t('tokens.create'),
            on: { click: () => this.#create() },
        });
        this.list = listCard({ title: t('tokens.list-title'), labelledBy: 'page-title' });
        this.root = h('div', { class: ['page', 'page-tokens'] },
            h('div', { class: 'page-head' }, this.title, h('div', { class: 'toolbar' }, create)),
            h('p', { class: 'card notice', role: 'note', text: t('tokens.intro') }),
            this.list.root);
        this.list.body.addEventListener('click', (ev) => {
            const btn = ev.target.closest('button[data-action="revoke"]');
            if (btn) this.#revoke(btn.dataset.id);
        });
        container.replaceChildren(this.root);
        this.load();
    }

    destroy() {
        this.loadSeq++;
        this.root?.remove();
    }

    load() {
        return loadNewest(this, () => this.ctx.api.tokens(), (r) => {
            this.items = Array.isArray(r.tokens) ? r.tokens : [];
            this.#render();
        }, t('tokens.load-failed'));
    }

    #render() {
        const c = columnLabels();
        this.list.count.textContent = t('tokens.count', { count: this.items.length });
        renderTable(this.list.body, {
            items: this.items,
            empty: t('tokens.empty'),
            caption: t('tokens.caption'),
            columns: [c.name, c.scope, c.created, c.expires, c.used, c.from, actionsLabel()],
            row: (tok) => h('tr', { dataset: { id: tok.id } },
                cell(c.name, { class: 'token-name' }, h('strong', { text: tok.name })),
                cell(c.scope, {}, h('span', { class: 'badge', text: scopeLabel(tok.scope) })),
                cell(c.created, { text: formatClock(tok.created) }),
                cell(c.expires, { text: tok.expires ? formatClock(tok.expires) : t('tokens.expiry.never') }),
                cell(c.used, { text: tok.last_used ? formatClock(tok.last_used) : t('tokens.never-used') }),
                cell(c.from, { text: orDash(tok.last_used_from) }),
                actionsCell(tok.name, this.#revokeButton(tok))),
        });
    }

    /** Revoke, named for the token's name (its id is what the request needs). */
    #revokeButton(tok) {
        const btn = rowButton('id', tok.id, 'revoke', t('tokens.revoke'), true);
        btn.setAttribute('aria-label', rowLabel(t('tokens.revoke'), tok.name));
        return btn;
    }

    async #create() {
        const scopes = scopesFor(this.ctx.store.session?.role);
        const name = textInput({ id: 'token-name', maxlength: 64, autocomplete: 'off' });
        const scope = selectInput(scopes.map((s) => [s, scopeLabel(s)]), { id: 'token-scope' });
        scope.value = scopes.includes('operate') ? 'operate' : scopes[0];
        const expiry = selectInput(EXPIRY_DAYS.map((v) => [v, expiryLabel(v)]), { id: 'token-expiry' });
        expiry.value = '90';
        const fields = [
            field({ label: t('tokens.field.name'), control: name, hint: t('tokens.field.name.hint'), key: 'name' }),
            field({ label: t('tokens.field.scope'), control: scope, hint: t('tokens.field.scope.hint'), key: 'scope' }),
            field({ label: t('tokens.field.expiry'), control: expiry, key: 'expires_in_days' }),
        ];
        let made = null;
        await formDialog({
            title: t('tokens.create.title'),
            body: fields.map((f) => f.root),
            submitLabel: t('tokens.create.submit'),
            onSubmit: async () => {
                const errors = name.value.trim() ? {} : { name: t('tokens.field.name.required') };
                if (showErrors(fields, errors)) return false;
                const body = {
                    name: name.value.trim(), scope: scope.value,
                    expires_in_days: expiry.value === 'never' ? null : Number(expiry.value),
                };
                try {
                    made = await this.ctx.api.createToken(body);
                } catch (err) {
                    if (placeServerError(fields, err)) return false;
                    throw err;
                }
                return true;
            },
        });
        if (!made) return;
        this.load();
        await this.#showSecret(made);
    }

    /** The one time the secret is seen: a read-only field, Copy, and the warning. */
    async #showSecret(made) {
        const secret = h('input', {
            type: 'text', class: 'input token-secret', id: 'token-secret', readonly: true, value: made.token,
            'aria-describedby': 'token-secret-warning', spellcheck: 'false',
        });
        const status = h('span', { class: 'muted small', role: 'status', id: 'token-copy-status' });
        const copy = h('button', {
            type: 'button', class: 'btn', id: 'token-copy', text: t('tokens.secret.copy'),
            on: {
                click: async () => {
                    secret.select();
                    try {
                        await navigator.clipboard.writeText(made.token);
                        status.textContent = t('tokens.secret.copied');
                    } catch {
                        status.textContent = t('tokens.secret.copy-failed');
                    }
                },
            },
        });
        await formDialog({
            title: t('tokens.secret.title', { name: made.name }),
            body: [
                h('p', { class: 'dialog-warning', id: 'token-secret-warning', role: 'alert', text: t('tokens.secret.warning') }),
                h('div', { class: 'token-secret-row' }, secret, copy), status,
                h('p', { class: 'muted small', text: t('tokens.secret.usage') }),
            ],
            submitLabel: t('tokens.secret.done'),
            onSubmit: async () => true,
        });
        secret.value = DASH; // the page keeps no copy
    }

    async #revoke(id) {
        const tok = this.items.find((x) => x.id === id);
        if (!tok) return;
        const ok = await this.ctx.confirm({
            title: t('tokens.revoke.title', { name: tok.name }),
            message: t('tokens.revoke.message'),
            confirmLabel: t('tokens.revoke'),
            danger: true,
        });
        if (!ok) return;
        try {
            await this.ctx.api.revokeToken(id);
            this.ctx.notify.info(t('tokens.revoked', { name: tok.name }));
        } catch (err) {
            reportError(this.ctx.notify, t('tokens.revoke-failed', { name: tok.name }), err);
        }
        this.load();
    }
}
