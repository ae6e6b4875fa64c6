// views/users.js — the "Users" page for admins (#/users, "Users" in the user menu):
// every local user (name, role, state, created, last login) with Change role, Reset
// password, Disable / Enable and Delete (each with a dialog or a confirmation), and
// "Create user" (name, role, password), and Quota (the user's own limits on VMs, vCPUs,
// memory and disk, blank for unlimited: docs/api.md "Quotas"). The roles and the password policy's minimum come
// from GET /api/users, so the page offers what the server accepts; the policy's message
// shows live under the password field (users-rules.js), and a refusal from the server
// shows at the field it names. Browser main thread.

import { h } from './dom.js';
import { field, formDialog, placeServerError, reportError, selectInput, showErrors, textInput } from './form-kit.js';
import { actionsCell, actionsLabel, cell, listCard, renderTable, rowButton, showLoadError } from './resource-table.js';
import { roleName } from './user-menu.js';
import { nameProblem, passwordProblem } from '../users-rules.js';
import { QUOTA_DIMS, limitProblem, limitText, limitValue } from '../quota-rules.js';
import { formatClock } from '../format.js';
import { t } from '../i18n.js';

/** The message of a users-rules.js problem ("" for none). */
function problemText(p) {
    switch (p?.id) {
    case 'users.password.too-short': return t('users.password.too-short', p.params);
    case 'users.password.too-long': return t('users.password.too-long', p.params);
    case 'users.password.control': return t('users.password.control');
    case 'users.password.is-name': return t('users.password.is-name');
    case 'users.name.required': return t('users.name.required');
    case 'users.name.invalid': return t('users.name.invalid');
    default: return '';
    }
}

function columnLabels() {
    return {
        name: t('users.column.name'), role: t('users.column.role'), state: t('users.column.state'),
        created: t('users.column.created'), login: t('users.column.last-login'),
    };
}

export class UsersView {
    /** ctx: {api, store, notify, confirm}. */
    constructor(ctx) {
        this.ctx = ctx;
        this.items = [];
        this.roles = [];
        this.min = 12;
        this.loadSeq = 0;
    }

    mount(container) {
        this.title = h('h1', { id: 'page-title', class: 'page-title', tabindex: '-1', text: t('users.title') });
        const create = h('button', {
            type: 'button', class: 'btn btn-primary', id: 'user-create', text: t('users.create'),
            on: { click: () => this.#create() },
        });
        this.list = listCard({ title: t('users.list-title'), labelledBy: 'page-title' });
        this.root = h('div', { class: ['page', 'page-users'] },
            h('div', { class: 'page-head' }, this.title, h('div', { class: 'toolbar' }, create)),
            this.list.root);
        this.list.body.addEventListener('click', (ev) => {
            const btn = ev.target.closest('button[data-action]');
            if (btn && !btn.disabled) this.#act(btn.dataset.action, btn.dataset.name);
        });
        container.replaceChildren(this.root);
        this.load();
    }

    destroy() {
        this.loadSeq++;
        this.root?.remove();
    }

    async load() {
        const seq = ++this.loadSeq;
        try {
            const r = await this.ctx.api.users();
            if (seq !== this.loadSeq) return;
            this.items = Array.isArray(r.users) ? r.users : [];
            this.roles = Array.isArray(r.roles) ? r.roles : [];
            if (Number.isInteger(r.password_min_length)) this.min = r.password_min_length;
            this.#render();
        } catch (err) {
            if (seq !== this.loadSeq) return;
            showLoadError(this.list.body, t('users.load-failed'), err, () => this.load());
        }
    }

    #render() {
        const c = columnLabels();
        this.list.count.textContent = t('users.count', { count: this.items.length });
        renderTable(this.list.body, {
            items: this.items,
            empty: t('users.empty'),
            caption: t('users.caption'),
            columns: [c.name, c.role, c.state, c.created, c.login, actionsLabel()],
            row: (u) => h('tr', { dataset: { name: u.name } },
                cell(c.name, { class: 'user-name-cell' }, h('strong', { text: u.name })),
                cell(c.role, {}, h('span', { class: 'badge', text: roleName(u.role) })),
                cell(c.state, {}, h('span', {
                    class: ['badge', u.disabled ? 'badge-off' : 'badge-ok'],
                    text: u.disabled ? t('users.state.disabled') : t('users.state.enabled'),
                })),
                cell(c.created, { text: formatClock(u.created) }),
                cell(c.login, { text: u.last_login ? formatClock(u.last_login) : t('users.never') }),
                actionsCell(u.name,
                    rowButton('name', u.name, 'role', t('users.change-role')),
                    rowButton('name', u.name, 'password', t('users.reset-password')),
                    rowButton('name', u.name, 'quota', t('users.quota')),
                    rowButton('name', u.name, u.disabled ? 'enable' : 'disable', u.disabled ? t('users.enable') : t('users.disable')),
                    rowButton('name', u.name, 'delete', t('users.delete'), true))),
        });
    }

    #act(action, name) {
        const u = this.items.find((x) => x.name === name);
        if (!u) return;
        switch (action) {
        case 'role': this.#changeRole(u); break;
        case 'password': this.#resetPassword(u); break;
        case 'quota': this.#quota(u); break;
        case 'disable': this.#setDisabled(u, true); break;
        case 'enable': this.#setDisabled(u, false); break;
        case 'delete': this.#delete(u); break;
        default: break;
        }
    }

    #roleSelect(id, value) {
        return selectInput(this.roles.map((r) => [r, roleName(r)]), { id, value });
    }

    /** A password field whose policy message follows the typing. nameOf(): the user's name. */
    #passwordField(id, nameOf) {
        const control = textInput({ id, type: 'password', autocomplete: 'new-password', maxlength: 1024 });
        const f = field({ label: t('users.field.password'), control, hint: t('users.field.password.hint', { count: this.min }), key: 'password' });
        f.check = () => problemText(passwordProblem(control.value, { min: this.min, name: nameOf() }));
        control.addEventListener('input', () => showErrors([f], { password: control.value ? f.check() : '' }, { focus: false }));
        return f;
    }

    async #create() {
        const name = textInput({ id: 'user-name', maxlength: 64 });
        const role = this.#roleSelect('user-role', this.roles.includes('viewer') ? 'viewer' : this.roles[0]);
        const password = this.#passwordField('user-password', () => name.value);
        const fields = [
            field({ label: t('users.field.name'), control: name, hint: t('users.field.name.hint'), key: 'name' }),
            field({ label: t('users.field.role'), control: role, key: 'role' }),
            password,
        ];
        let made = null;
        await formDialog({
            title: t('users.create.title'),
            body: fields.map((f) => f.root),
            submitLabel: t('users.create.submit'),
            onSubmit: async () => {
                const errors = { name: problemText(nameProblem(name.value)), password: password.check() };
                if (showErrors(fields, errors)) return false;
                try {
                    made = await this.ctx.api.createUser({ name: name.value, role: role.value, password: password.control.value });
                } catch (err) {
                    if (placeServerError(fields, err)) return false;
                    throw err;
                }
                return true;
            },
        });
        if (!made) return;
        this.ctx.notify.info(t('users.created', { name: made.name }));
        this.load();
    }

    /** PATCH /api/users/{name} with body from a dialog of fields; done: the notice. */
    async #changeDialog(u, { title, fields, submitLabel, body, done }) {
        let changed = false;
        await formDialog({
            title,
            body: fields.map((f) => f.root),
            submitLabel,
            onSubmit: async () => {
                const errors = Object.fromEntries(fields.filter((f) => f.check).map((f) => [f.key, f.check()]));
                if (showErrors(fields, errors)) return false;
                try {
                    await this.ctx.api.changeUser(u.name, body());
                } catch (err) {
                    if (placeServerError(fields, err)) return false;
                    throw err;
                }
                changed = true;
                return true;
            },
        });
        if (!changed) return;
        this.ctx.notify.info(done);
        this.load();
    }

    #changeRole(u) {
        const role = this.#roleSelect('user-change-role', u.role);
        return this.#changeDialog(u, {
            title: t('users.change-role.title', { name: u.name }),
            fields: [field({ label: t('users.field.role'), control: role, hint: t('users.change-role.hint'), key: 'role' })],
            submitLabel: t('users.change-role'),
            body: () => ({ role: role.value }),
            done: t('users.changed', { name: u.name }),
        });
    }

    #resetPassword(u) {
        const password = this.#passwordField('user-reset-password', () => u.name);
        return this.#changeDialog(u, {
            title: t('users.reset-password.title', { name: u.name }),
            fields: [password],
            submitLabel: t('users.reset-password'),
            body: () => ({ password: password.control.value }),
            done: t('users.password-reset', { name: u.name }),
        });
    }

    /** The user's own quota: one field per dimension, blank for unlimited. */
    async #quota(u) {
        const fields = QUOTA_DIMS.map((dim) => {
            const control = textInput({ id: `user-quota-${dim}`, inputmode: 'numeric', value: limitText(u.quota?.[dim]) });
            const f = field({ label: t(`quota.dim.${dim}`), control, key: dim });
            f.check = () => (limitProblem(control.value) ? t('quota.limit.invalid') : '');
            return f;
        });
        let changed = false;
        await formDialog({
            title: t('users.quota.title', { name: u.name }),
            description: t('users.quota.description'),
            body: fields.map((f) => f.root),
            submitLabel: t('users.quota.submit'),
            onSubmit: async () => {
                const errors = Object.fromEntries(fields.map((f) => [f.key, f.check()]));
                if (showErrors(fields, errors)) return false;
                try {
                    await this.ctx.api.setUserQuota(u.name,
                        Object.fromEntries(fields.map((f) => [f.key, limitValue(f.control.value)])));
                } catch (err) {
                    if (placeServerError(fields, err)) return false;
                    throw err;
                }
                changed = true;
                return true;
            },
        });
        if (!changed) return;
        this.ctx.notify.info(t('users.quota.done', { name: u.name }));
        this.load();
    }

    async #setDisabled(u, disabled) {
        if (disabled) {
            const ok = await this.ctx.confirm({
                title: t('users.disable.title', { name: u.name }),
                message: t('users.disable.message'),
                confirmLabel: t('users.disable'),
                danger: true,
            });
            if (!ok) return;
        }
        try {
            await this.ctx.api.changeUser(u.name, { disabled });
            this.ctx.notify.info(disabled ? t('users.disabled', { name: u.name }) : t('users.enabled', { name: u.name }));
        } catch (err) {
            reportError(this.ctx.notify, t('users.change-failed', { name: u.name }), err);
        }
        this.load();
    }

    async #delete(u) {
        const ok = await this.ctx.confirm({
            title: t('users.delete.title', { name: u.name }),
            message: t('users.delete.message'),
            confirmLabel: t('users.delete'),
            danger: true,
        });
        if (!ok) return;
        try {
            await this.ctx.api.deleteUser(u.name);
            this.ctx.notify.info(t('users.deleted', { name: u.name }));
        } catch (err) {
            reportError(this.ctx.notify, t('users.delete-failed', { name: u.name }), err);
        }
        this.load();
    }
}
