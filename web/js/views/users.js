// SPDX-License-Identifier: LGPL-2.1-or-later
// views/users.js — the "Users" page for admins (#/users, "Users" in the user menu):
// every local user (name, role, state, created, last login) with Change role, Reset
// password, Disable / Enable and Delete (each with a dialog or a confirmation), and
// "Create user" (name, role, password), each user's two-factor state with Require /
// Stop requiring it and Reset (a lost phone; docs/api.md "Users"), and Quota (the user's
// own limits on VMs, vCPUs, memory and disk, blank for unlimited: docs/api.md "Quotas").
// The roles and the password policy's minimum come
// from GET /api/users, so the page offers what the server accepts; the policy's message
// shows live under the password field (users-rules.js), and a refusal from the server
// shows at the field it names. Each user's groups show as chips, chosen at creation and
// changed with "Groups" (which also sets what a viewer sees: every VM, or those shared
// with them); the Groups section below (groups.js) keeps the groups, and the
// "Self-service" card (self-service.js) what users may create VMs from. Browser main
// thread.

import { h } from './dom.js';
import { field, formDialog, placeServerError, reportError, selectInput, showErrors, textInput } from './form-kit.js';
import { actionsCell, actionsLabel, cell, listCard, renderTable, rowButton, loadNewest } from './resource-table.js';
import { roleName } from './user-menu.js';
import { SelfServiceCard } from './self-service.js';
import { nameProblem, passwordProblem } from '../users-rules.js';
import { quotaDialog } from './quota-dialog.js';
import { formatClock } from '../format.js';
import { GroupsSection, checkList, chips } from './groups.js';
import { t } from '../i18n.js';

/** The message of a users-rules.js problem ("" for none). */
export function problemText(p) {
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
        created: t('users.column.created'), login: t('users.column.last-login'), groups: t('users.column.groups'),
        totp: t('users.column.totp'),
    };
}

export class UsersView {
    /** ctx: {api, store, notify, confirm}. */
    constructor(ctx) {
        this.ctx = ctx;
        this.items = [];
        this.roles = [];
        this.groups = [];
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
        this.groupsSection = new GroupsSection(this.ctx, { users: () => this.items.map((u) => u.name), changed: () => this.load() });
        this.selfService = new SelfServiceCard(this.ctx);
        this.root = h('div', { class: ['page', 'page-users'] },
            h('div', { class: 'page-head' }, this.title, h('div', { class: 'toolbar' }, create)),
            this.list.root, this.groupsSection.root, this.selfService.root);
        this.list.body.addEventListener('click', (ev) => {
            const btn = ev.target.closest('button[data-action]');
            if (btn && !btn.disabled) this.#act(btn.dataset.action, btn.dataset.name);
        });
        container.replaceChildren(this.root);
        this.load();
        this.selfService.load();
    }

    destroy() {
        this.loadSeq++;
        this.selfService?.destroy();
        this.root?.remove();
    }

    load() {
        const read = () => Promise.all([this.ctx.api.users(), this.ctx.api.groups().catch((err) => ({ err }))]);
        return loadNewest(this, read, ([r, g]) => {
            this.groups = Array.isArray(g.groups) ? g.groups : [];
            this.groupsSection.show(this.groups, g.err || null);
            this.items = Array.isArray(r.users) ? r.users : [];
            this.roles = Array.isArray(r.roles) ? r.roles : [];
            if (Number.isInteger(r.password_min_length)) this.min = r.password_min_length;
            this.#render();
        }, t('users.load-failed'));
    }

    #render() {
        const c = columnLabels();
        this.list.count.textContent = t('users.count', { count: this.items.length });
        renderTable(this.list.body, {
            items: this.items,
            empty: t('users.empty'),
            caption: t('users.caption'),
            columns: [c.name, c.role, c.groups, c.state, c.totp, c.created, c.login, actionsLabel()],
            row: (u) => h('tr', { dataset: { name: u.name } },
                cell(c.name, { class: 'user-name-cell' }, h('strong', { text: u.name })),
                cell(c.role, {}, h('span', { class: 'badge', text: roleName(u.role) }),
                    u.role === 'viewer' && u.viewer_sees === 'shared' ? h('span', { class: 'muted sees-shared', text: ` ${t('users.sees.shared-short')}` }) : null),
                cell(c.groups, { class: 'user-groups' }, chips(u.groups, t('users.no-groups'))),
                cell(c.state, {}, h('span', {
                    class: ['badge', u.disabled ? 'badge-off' : 'badge-ok'],
                    text: u.disabled ? t('users.state.disabled') : t('users.state.enabled'),
                })),
                cell(c.totp, {},
                    h('span', { class: ['badge', u.totp_enabled ? 'badge-ok' : 'badge-off'], text: u.totp_enabled ? t('users.totp.on') : t('users.totp.off') }),
                    u.totp_required ? h('span', { class: 'muted small', text: ` ${t('users.totp.required')}` }) : ''),
                cell(c.created, { text: formatClock(u.created) }),
                cell(c.login, { text: u.last_login ? formatClock(u.last_login) : t('users.never') }),
                actionsCell(u.name,
                    rowButton('name', u.name, 'role', t('users.change-role')),
                    rowButton('name', u.name, 'groups', t('users.groups')),
                    rowButton('name', u.name, 'password', t('users.reset-password')),
                    rowButton('name', u.name, 'quota', t('users.quota')),
                    rowButton('name', u.name, u.disabled ? 'enable' : 'disable', u.disabled ? t('users.enable') : t('users.disable')),
                    u.source === 'pam' ? '' : rowButton('name', u.name, u.totp_required ? 'totp-optional' : 'totp-require',
                        u.totp_required ? t('users.totp.make-optional') : t('users.totp.require')),
                    u.totp_enabled ? rowButton('name', u.name, 'totp-reset', t('users.totp.reset'), true) : '',
                    rowButton('name', u.name, 'delete', t('users.delete'), true))),
        });
    }

    #act(action, name) {
        const u = this.items.find((x) => x.name === name);
        if (!u) return;
        switch (action) {
        case 'role': this.#changeRole(u); break;
        case 'groups': this.#changeGroups(u); break;
        case 'password': this.#resetPassword(u); break;
        case 'quota': this.#quota(u); break;
        case 'disable': this.#setDisabled(u, true); break;
        case 'enable': this.#setDisabled(u, false); break;
        case 'delete': this.#delete(u); break;
        case 'totp-require': this.#setTotp(u, { totp_required: true }, t('users.totp.now-required', { name: u.name })); break;
        case 'totp-optional': this.#setTotp(u, { totp_required: false }, t('users.totp.now-optional', { name: u.name })); break;
        case 'totp-reset': this.#resetTotp(u); break;
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
        const sees = this.#seesField('user-sees', 'all');
        const showSees = () => { sees.root.hidden = role.value !== 'viewer'; };
        role.addEventListener('change', showSees);
        showSees();
        const groups = this.#groupList([]);
        let made = null;
        await formDialog({
            title: t('users.create.title'),
            body: [...fields.map((f) => f.root), sees.root, groups.root],
            submitLabel: t('users.create.submit'),
            onSubmit: async () => {
                const errors = { name: problemText(nameProblem(name.value)), password: password.check() };
                if (showErrors(fields, errors)) return false;
                try {
                    const body = { name: name.value, role: role.value, password: password.control.value, groups: groups.values() };
                    if (role.value === 'viewer') body.viewer_sees = sees.control.value;
                    made = await this.ctx.api.createUser(body);
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
    async #changeDialog(u, { title, fields, extra = [], submitLabel, body, done }) {
        let changed = false;
        await formDialog({
            title,
            body: [...fields.map((f) => f.root), ...extra],
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

    /** The groups to choose among, checked: the user's. */
    #groupList(checked) {
        return checkList({
            legend: t('users.field.groups'), names: this.groups.map((g) => g.name), checked, empty: t('users.no-groups-yet'), idPrefix: 'user-group',
        });
    }

    /** What a viewer sees: every VM, or those shared with them (viewer_sees). */
    #seesField(id, value) {
        const control = selectInput([['all', t('users.sees.all')], ['shared', t('users.sees.shared')]], { id, value });
        return field({ label: t('users.field.sees'), control, hint: t('users.field.sees.hint'), key: 'viewer_sees' });
    }

    #changeGroups(u) {
        const groups = this.#groupList(u.groups || []);
        const sees = u.role === 'viewer' ? this.#seesField('user-change-sees', u.viewer_sees || 'all') : null;
        const fields = sees ? [sees] : [];
        return this.#changeDialog(u, {
            title: t('users.groups.title', { name: u.name }),
            fields,
            extra: [groups.root],
            submitLabel: t('users.groups.submit'),
            body: () => (sees ? { groups: groups.values(), viewer_sees: sees.control.value } : { groups: groups.values() }),
            done: t('users.groups.changed', { name: u.name }),
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
        const saved = await quotaDialog({
            idPrefix: 'user-quota',
            title: t('users.quota.title', { name: u.name }),
            description: t('users.quota.description'),
            limits: u.quota,
            save: (body) => this.ctx.api.setUserQuota(u.name, body),
        });
        if (!saved) return;
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

    async #setTotp(u, body, done) {
        try {
            await this.ctx.api.changeUser(u.name, body);
            this.ctx.notify.info(done);
        } catch (err) {
            reportError(this.ctx.notify, t('users.change-failed', { name: u.name }), err);
        }
        this.load();
    }

    async #resetTotp(u) {
        const ok = await this.ctx.confirm({
            title: t('users.totp.reset.title', { name: u.name }),
            message: t('users.totp.reset.message'),
            confirmLabel: t('users.totp.reset'),
            danger: true,
        });
        if (ok) await this.#setTotp(u, { totp_reset: true }, t('users.totp.was-reset', { name: u.name }));
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
