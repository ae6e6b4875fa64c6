// SPDX-License-Identifier: LGPL-2.1-or-later
// views/groups.js — the "Groups" section of the Users page (admins; docs/api.md "Owners,
// shares and groups"): every virtdeck group with its members, "Create group" (a name and
// members chosen from the users), "Members" (the same list of users, replacing the
// membership: PATCH /api/groups/{name}), "Quota" (the group's limits, which its members
// without a limit of their own share: quota-dialog.js) and "Delete" (with its shares,
// after a confirmation). Groups have no rename in the API: delete and create instead. Also the
// checkbox list (checkList) the users' dialogs choose groups with. Browser main thread.

import { h } from './dom.js';
import { checkbox, field, formDialog, placeServerError, reportError, showErrors, textInput, uid } from './form-kit.js';
import { actionsCell, actionsLabel, cell, listCard, renderTable, rowButton, showLoadError } from './resource-table.js';
import { nameProblem } from '../users-rules.js';
import { formatClock } from '../format.js';
import { quotaDialog } from './quota-dialog.js';
import { t } from '../i18n.js';

/**
 * A fieldset of checkboxes, one per name (legend: the group's label; empty: the text
 * shown when there is nothing to choose). Returns {root, values()} (the checked names).
 */
export function checkList({ legend, names, checked = [], empty, idPrefix }) {
    const boxes = names.map((n) => {
        const box = checkbox({ id: uid(idPrefix), value: n, checked: checked.includes(n), dataset: { name: n } });
        return { box, root: h('div', { class: 'field field-check' }, box, h('label', { for: box.id, text: n })) };
    });
    const root = h('fieldset', { class: 'check-list', 'data-list': idPrefix },
        h('legend', { text: legend }),
        boxes.length ? boxes.map((b) => b.root) : h('p', { class: 'muted', text: empty }));
    return { root, values: () => boxes.filter((b) => b.box.checked).map((b) => b.box.value) };
}

/** Names as small badges ("chips"), or a dash for none. */
export function chips(names, none) {
    if (!names || names.length === 0) return h('span', { class: 'muted', text: none });
    return h('span', { class: 'chips' }, names.map((n) => h('span', { class: 'badge chip', text: n })));
}

function groupNameText(p) {
    switch (p?.id) {
    case 'users.name.required': return t('groups.name.required');
    case 'users.name.invalid': return t('groups.name.invalid');
    default: return '';
    }
}

export class GroupsSection {
    /** ctx: {api, notify, confirm}; users(): the user names to offer; changed(): the users page reloads. */
    constructor(ctx, { users, changed }) {
        this.ctx = ctx;
        this.users = users;
        this.changed = changed;
        this.items = [];
        this.card = listCard({ title: t('groups.title'), titleId: 'groups-title' });
        const create = h('button', {
            type: 'button', class: 'btn', id: 'group-create', text: t('groups.create'), on: { click: () => this.#create() },
        });
        this.card.root.querySelector('.section-head').append(create);
        this.card.body.addEventListener('click', (ev) => {
            const btn = ev.target.closest('button[data-action]');
            if (btn && !btn.disabled) this.#act(btn.dataset.action, btn.dataset.group);
        });
        this.root = this.card.root;
    }

    /** groups: GET /api/groups's list, or an error to show. */
    show(groups, err = null) {
        if (err) {
            showLoadError(this.card.body, t('groups.load-failed'), err, () => this.changed());
            return;
        }
        this.items = groups;
        this.card.count.textContent = t('groups.count', { count: groups.length });
        const c = { name: t('groups.column.name'), members: t('groups.column.members'), created: t('groups.column.created') };
        renderTable(this.card.body, {
            items: groups,
            empty: t('groups.empty'),
            caption: t('groups.caption'),
            columns: [c.name, c.members, c.created, actionsLabel()],
            row: (g) => h('tr', { dataset: { group: g.name } },
                cell(c.name, {}, h('strong', { text: g.name })),
                cell(c.members, {}, chips(g.members, t('groups.no-members'))),
                cell(c.created, { text: formatClock(g.created_at) }),
                actionsCell(g.name,
                    rowButton('group', g.name, 'members', t('groups.members')),
                    rowButton('group', g.name, 'quota', t('groups.quota')),
                    rowButton('group', g.name, 'delete', t('groups.delete'), true))),
        });
    }

    #act(action, name) {
        const g = this.items.find((x) => x.name === name);
        if (!g) return;
        if (action === 'members') this.#members(g);
        else if (action === 'quota') this.#quota(g);
        else if (action === 'delete') this.#delete(g);
    }

    /** The group's quota: one field per dimension, blank for unlimited. */
    async #quota(g) {
        const saved = await quotaDialog({
            idPrefix: 'group-quota',
            title: t('groups.quota.title', { name: g.name }),
            description: t('groups.quota.description'),
            limits: g.quota,
            save: (body) => this.ctx.api.setGroupQuota(g.name, body),
        });
        if (!saved) return;
        this.ctx.notify.info(t('groups.quota.done', { name: g.name }));
        this.changed();
    }

    async #create() {
        const name = textInput({ id: 'group-name', maxlength: 64 });
        const nameField = field({ label: t('groups.field.name'), control: name, hint: t('users.field.name.hint'), key: 'name' });
        const members = checkList({ legend: t('groups.field.members'), names: this.users(), empty: t('groups.no-users'), idPrefix: 'group-member' });
        let made = null;
        await formDialog({
            title: t('groups.create.title'),
            body: [nameField.root, members.root],
            submitLabel: t('groups.create.submit'),
            onSubmit: async () => {
                if (showErrors([nameField], { name: groupNameText(nameProblem(name.value)) })) return false;
                try {
                    made = await this.ctx.api.createGroup({ name: name.value, members: members.values() });
                } catch (err) {
                    if (placeServerError([nameField], err)) return false;
                    throw err;
                }
                return true;
            },
        });
        if (!made) return;
        this.ctx.notify.info(t('groups.created', { name: made.name }));
        this.changed();
    }

    async #members(g) {
        const members = checkList({
            legend: t('groups.field.members'), names: this.users(), checked: g.members, empty: t('groups.no-users'), idPrefix: 'group-member',
        });
        let done = false;
        await formDialog({
            title: t('groups.members.title', { name: g.name }),
            body: [members.root],
            submitLabel: t('groups.members.submit'),
            onSubmit: async () => {
                await this.ctx.api.setGroupMembers(g.name, members.values());
                done = true;
                return true;
            },
        });
        if (!done) return;
        this.ctx.notify.info(t('groups.changed', { name: g.name }));
        this.changed();
    }

    async #delete(g) {
        const ok = await this.ctx.confirm({
            title: t('groups.delete.title', { name: g.name }),
            message: t('groups.delete.message'),
            confirmLabel: t('groups.delete'),
            danger: true,
        });
        if (!ok) return;
        try {
            await this.ctx.api.deleteGroup(g.name);
            this.ctx.notify.info(t('groups.deleted', { name: g.name }));
        } catch (err) {
            reportError(this.ctx.notify, t('groups.delete-failed', { name: g.name }), err);
        }
        this.changed();
    }
}
