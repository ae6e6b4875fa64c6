// SPDX-License-Identifier: LGPL-2.1-or-later
// views/domain-sharing.js — a VM's owner and shares on its page (docs/api.md "Owners,
// shares and groups"): the "Owner" line of the overview, with "Change owner" for admins
// (a dialog choosing among the users, or no one: PUT .../owner) and "Sharing" for the
// owner and admins (a dialog listing each share — a user or a group at view, console or
// operate — where shares are added, changed and removed, then saved as the whole list:
// PUT .../shares). Only the controls the caller may use are built (domains.js
// canShare; the owner's change is the admins'). Browser main thread.

import { h, setText } from './dom.js';
import { errorMessage, field, formDialog, reportError, selectInput, textInput, uid } from './form-kit.js';
import { canShare } from '../domains.js';
import { t } from '../i18n.js';

export const SHARE_LEVELS = ['view', 'console', 'operate'];

/** A share level in the current language. */
export function levelName(level) {
    switch (level) {
    case 'view': return t('sharing.level.view');
    case 'console': return t('sharing.level.console');
    case 'operate': return t('sharing.level.operate');
    default: return level;
    }
}

/** Names an admin may choose among (GET /api/users, /api/groups); [] for anyone else or on failure. */
async function principals(ctx) {
    if (ctx.store.session?.role !== 'admin') return { users: [], groups: [] };
    const [u, g] = await Promise.allSettled([ctx.api.users(), ctx.api.groups()]);
    return {
        users: u.status === 'fulfilled' && Array.isArray(u.value.users) ? u.value.users.map((x) => x.name) : [],
        groups: g.status === 'fulfilled' && Array.isArray(g.value.groups) ? g.value.groups.map((x) => x.name) : [],
    };
}

/** The owner line: its text, and the buttons the caller may use. */
export class OwnerControls {
    /** ctx: {api, store, notify}; uuid: the VM; onChanged(): read the VM again. */
    constructor(ctx, uuid, onChanged) {
        this.ctx = ctx;
        this.uuid = uuid;
        this.onChanged = onChanged;
        this.text = h('span', { class: 'owner-name' });
        this.changeBtn = h('button', {
            type: 'button', class: 'btn btn-sm', id: 'owner-change', text: t('sharing.owner.change'), hidden: true,
            on: { click: () => this.#changeOwner() },
        });
        this.shareBtn = h('button', {
            type: 'button', class: 'btn btn-sm', id: 'sharing-open', text: t('sharing.open'), hidden: true,
            on: { click: () => this.#share() },
        });
        this.root = h('span', { class: 'owner-line' }, this.text, ' ', this.changeBtn, ' ', this.shareBtn);
        this.domain = null;
    }

    /** d: the VM's detail (owner, name); acting: domains.js actingRole for it. */
    update(d, acting) {
        this.domain = d;
        setText(this.text, d.owner ? d.owner : t('sharing.owner.none'));
        this.changeBtn.hidden = this.ctx.store.session?.role !== 'admin';
        this.shareBtn.hidden = !canShare(acting);
        this.shareBtn.setAttribute('aria-label', t('sharing.open.aria', { name: d.name || '' }));
    }

    async #changeOwner() {
        const names = await principals(this.ctx);
        const current = this.domain?.owner || '';
        const options = [['', t('sharing.owner.nobody')], ...names.users.map((n) => [n, n])];
        if (current && !names.users.includes(current)) options.push([current, current]);
        const select = selectInput(options, { id: 'owner-select', value: current });
        let changed = false;
        await formDialog({
            title: t('sharing.owner.title', { name: this.domain?.name || '' }),
            body: [field({ label: t('sharing.owner.field'), control: select, hint: t('sharing.owner.hint'), key: 'owner' }).root],
            submitLabel: t('sharing.owner.submit'),
            onSubmit: async () => {
                await this.ctx.api.setOwner(this.uuid, select.value || null);
                changed = true;
                return true;
            },
        });
        if (!changed) return;
        this.ctx.notify?.info(t('sharing.owner.changed', { name: this.domain?.name || '' }));
        this.onChanged();
    }

    async #share() {
        let current;
        try {
            current = await this.ctx.api.shares(this.uuid);
        } catch (err) {
            reportError(this.ctx.notify, t('sharing.load-failed'), err);
            return;
        }
        const names = await principals(this.ctx);
        const editor = new SharesEditor(Array.isArray(current.shares) ? current.shares : [], names);
        let saved = false;
        await formDialog({
            title: t('sharing.title', { name: this.domain?.name || '' }),
            description: t('sharing.description'),
            body: [editor.root],
            submitLabel: t('sharing.save'),
            onSubmit: async (form, errorBox) => {
                const list = editor.value();
                if (list.error) {
                    errorBox.show(list.error);
                    return false;
                }
                try {
                    await this.ctx.api.setShares(this.uuid, list.shares);
                } catch (err) {
                    errorBox.show(errorMessage(err));
                    return false;
                }
                saved = true;
                return true;
            },
        });
        if (!saved) return;
        this.ctx.notify?.info(t('sharing.saved', { name: this.domain?.name || '' }));
        this.onChanged();
    }
}

/** The list of shares in the dialog, and the form that adds one. */
class SharesEditor {
    /** shares: [{user|group, level}]; names: {users, groups} to offer (may be empty). */
    constructor(shares, names) {
        this.rows = shares.map((s) => ({ kind: s.group ? 'group' : 'user', name: s.group || s.user, level: s.level }));
        this.list = h('ul', { class: 'share-list', 'aria-label': t('sharing.list') });
        this.empty = h('p', { class: 'muted share-empty', text: t('sharing.empty') });
        const listId = uid('share-names');
        this.datalists = {
            user: h('datalist', { id: `${listId}-user` }, names.users.map((n) => h('option', { value: n }))),
            group: h('datalist', { id: `${listId}-group` }, names.groups.map((n) => h('option', { value: n }))),
        };
        this.kind = selectInput([['user', t('sharing.kind.user')], ['group', t('sharing.kind.group')]], { id: 'share-kind' });
        this.name = textInput({ id: 'share-name', maxlength: 64, list: this.datalists.user.id });
        this.level = selectInput(SHARE_LEVELS.map((l) => [l, levelName(l)]), { id: 'share-level', value: 'view' });
        this.kind.addEventListener('change', () => this.name.setAttribute('list', this.datalists[this.kind.value].id));
        this.addError = h('p', { class: 'field-error', id: uid('share-add-err'), role: 'alert', hidden: true });
        const add = h('button', { type: 'button', class: 'btn', id: 'share-add', text: t('sharing.add'), on: { click: () => this.#add() } });
        this.name.addEventListener('keydown', (ev) => {
            if (ev.key === 'Enter') {
                ev.preventDefault();
                this.#add();
            }
        });
        this.root = h('div', { class: 'share-editor' },
            this.list, this.empty,
            h('fieldset', { class: 'share-add' },
                h('legend', { text: t('sharing.add.legend') }),
                field({ label: t('sharing.kind'), control: this.kind }).root,
                field({ label: t('sharing.name'), control: this.name }).root,
                field({ label: t('sharing.level'), control: this.level }).root,
                add, this.addError),
            this.datalists.user, this.datalists.group);
        this.#render();
    }

    #add() {
        const name = this.name.value.trim();
        const kind = this.kind.value;
        let msg = '';
        if (!name) msg = t('sharing.name.required');
        else if (this.rows.some((r) => r.kind === kind && r.name === name)) msg = t('sharing.name.twice', { name });
        setText(this.addError, msg);
        this.addError.hidden = !msg;
        if (msg) {
            this.name.focus();
            return;
        }
        this.rows.push({ kind, name, level: this.level.value });
        this.name.value = '';
        this.#render();
        this.name.focus();
    }

    #render() {
        this.empty.hidden = this.rows.length > 0;
        this.list.replaceChildren(...this.rows.map((r, i) => {
            const who = r.kind === 'group' ? t('sharing.who.group', { name: r.name }) : t('sharing.who.user', { name: r.name });
            const level = selectInput(SHARE_LEVELS.map((l) => [l, levelName(l)]), {
                value: r.level, 'aria-label': t('sharing.level.aria', { who }), dataset: { share: `${r.kind}:${r.name}` },
            });
            level.addEventListener('change', () => { r.level = level.value; });
            const remove = h('button', {
                type: 'button', class: 'btn btn-sm btn-danger', text: t('sharing.remove'),
                'aria-label': t('sharing.remove.aria', { who }),
                on: {
                    click: () => {
                        this.rows.splice(i, 1);
                        this.#render();
                        this.name.focus();
                    },
                },
            });
            return h('li', { class: 'share-row', dataset: { kind: r.kind, name: r.name } },
                h('span', { class: 'share-who', text: who }), level, remove);
        }));
    }

    /** {shares} to PUT, or {error} (a name typed but not added). */
    value() {
        if (this.name.value.trim()) return { error: t('sharing.pending', { name: this.name.value.trim() }) };
        return { shares: this.rows.map((r) => ({ [r.kind]: r.name, level: r.level })) };
    }
}
