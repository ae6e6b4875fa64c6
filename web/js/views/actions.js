// SPDX-License-Identifier: LGPL-2.1-or-later
// views/actions.js — domain action buttons (one primary action and a "More actions"
// menu, action-menu.js) and what happens when one is pressed:
// confirmation for destructive actions, the in-flight mark in the store (which
// disables the buttons), the POST, the answer applied to the store, and errors into
// the alert area. Delete (last in the menu, red) asks with the VM's volumes as
// unticked choices and, once done, leaves the VM's page for the list. Clone (a shut-off
// VM, before Delete) asks for the new name; when the server answers with a job (a long
// copy: docs/api.md "Jobs") the dialog shows its progress until it ends, and the top
// bar's jobs indicator takes over if the dialog is closed first. A template (docs/api.md "Templates") has no
// Start; "Mark as template"/"Unmark as template" sits in the menu of a shut-off
// persistent VM, and templateBadge marks it by its name. Shared by the list and the
// detail view. Browser main thread.

import { ACTIONS, DELETE_ACTION, actionLayout, canManageVm, deleteOffered, deleteBlockedReason } from '../domains.js';
import { confirmChoices } from './confirm.js';
import { formatBytes } from '../format.js';
import { listHash } from '../router.js';
import { ActionMenu } from './action-menu.js';
import { h, icon, ACTION_ICONS } from './dom.js';
import { t } from '../i18n.js';
import { errorText, errorDetail } from '../errors.js';
import { errorMessage, field, formDialog, placeServerError, showErrors, textInput } from './form-kit.js';
import { jobError } from '../jobs.js';
import { followJob, jobFigures, jobProgress } from './job-progress.js';

/** Clone (POST /api/domains/{uuid}/clone): offered where Delete is, for a shut-off VM. */
const CLONE_ACTION = {
    get label() { return t('domains.clone'); },
    ariaLabel: (name) => t('domains.clone.aria', { name }),
};
const cloneOffered = (domain, role) => deleteOffered(domain, role) && domain.state === 'shutoff';

/** The menu item that marks or unmarks a VM as a template (POST .../template). */
const templateAction = (domain) => (domain.template
    ? { label: t('domains.template.unmark'), ariaLabel: (name) => t('domains.template.unmark.aria', { name }) }
    : { label: t('domains.template.mark'), ariaLabel: (name) => t('domains.template.mark.aria', { name }) });

/** True if the VM's menu offers to mark or unmark it: a shut-off persistent VM. */
function templateOffered(domain, role) {
    return canManageVm(role) && domain.persistent !== false && domain.state === 'shutoff';
}

/**
 * Where a "Template" badge goes by a VM's name: empty (no .badge, so a page's state badge
 * stays its only one) until patchTemplateBadge finds the domain is a template.
 */
export function templateBadge() {
    return h('span', { class: 'template-mark' });
}

export function patchTemplateBadge(el, domain) {
    const on = !!domain && domain.template === true;
    if (on === (el.firstChild !== null)) return;
    if (on) el.replaceChildren(h('span', { class: 'badge badge-off badge-template', text: t('domains.template.badge') }));
    else el.replaceChildren();
}

/** One action's button: a row button, or a menu item (role set by ActionMenu). */
function actionButton(name, domain, { inMenu = false } = {}) {
    const a = name === 'delete' ? DELETE_ACTION
        : name === 'template' ? templateAction(domain)
            : name === 'clone' ? CLONE_ACTION : ACTIONS[name];
    return h('button', {
        type: 'button',
        class: inMenu ? ['menu-item', a.danger && 'menu-item-danger'] : ['btn', 'btn-sm'],
        dataset: { action: name },
        'aria-label': a.ariaLabel(domain.name),
        title: inMenu ? null : a.ariaLabel(domain.name),
    }, icon(ACTION_ICONS[name]), h('span', { class: inMenu ? 'menu-label' : 'btn-label', text: a.label }));
}

/**
 * Fills container with the domain's one primary action (actionLayout: Start, Resume or
 * Shut down, never a destructive one) and a "More actions" menu of the others, or only
 * toggles their disabled state when the set did not change. Every action's button
 * (row button or menu item) carries data-action; the caller delegates clicks.
 */
export function renderActionButtons(container, domain, role, pendingAction) {
    const layout = actionLayout(domain.state, role);
    const more = layout.more.filter((n) => !(domain.template && n === 'start'));
    const primary = domain.template && layout.primary === 'start' ? null : layout.primary; // a template is not started
    if (templateOffered(domain, role)) more.push('template');
    if (cloneOffered(domain, role)) more.push('clone');
    if (deleteOffered(domain, role)) more.push('delete');
    const blocked = more.includes('delete') ? deleteBlockedReason(domain.state) : '';
    const key = `${primary || ''}|${more.join(',')}|${blocked}|${domain.template === true}`;
    if (container.dataset.key !== key) {
        container.dataset.key = key;
        container.actionMenu?.destroy();
        const items = more.map((n) => actionButton(n, domain, { inMenu: true }));
        if (blocked) {
            // disabled with its reason in words (a disabled item cannot show a tooltip to
            // everyone); its name is then its text, "Delete Force off first" (the menu is
            // labelled with the VM's name)
            const item = items[items.length - 1];
            item.removeAttribute('aria-label');
            item.title = blocked;
            item.append(h('span', { class: 'menu-reason', text: blocked }));
        }
        container.actionMenu = more.length ? new ActionMenu(domain.name, items) : null;
        container.replaceChildren(primary ? actionButton(primary, domain) : '', container.actionMenu ? container.actionMenu.root : '');
    }
    const busy = !!pendingAction;
    container.actionMenu?.setDisabled(busy);
    for (const btn of container.querySelectorAll('button[data-action]')) {
        const off = busy || (btn.dataset.action === 'delete' && !!blocked);
        if (btn.disabled !== off) btn.disabled = off;
        const mine = pendingAction === btn.dataset.action;
        btn.classList.toggle('is-busy', mine);
        if (mine) btn.setAttribute('aria-busy', 'true');
        else btn.removeAttribute('aria-busy');
    }
    container.setAttribute('aria-busy', pendingAction ? 'true' : 'false');
}

function restoreFocus(group) {
    if (!group || !group.isConnected) return;
    const active = document.activeElement;
    const lost = !active || active === document.body ||
        (group.contains(active) && active.disabled) || !active.isConnected;
    if (!lost) return;
    const btn = group.querySelector('button:not([disabled]):not([role="menuitem"])');
    if (btn) btn.focus();
}

/**
 * What an action's confirmation warns of beyond its question: Force off cuts a guest
 * that runs (or is paused) now; Force off and Shut down make a transient VM (no
 * persistent configuration: `persistent` false) disappear from the list once it stops.
 */
export function actionWarnings(action, domain) {
    const out = [];
    if (action === 'destroy' && (domain.state === 'running' || domain.state === 'paused')) {
        out.push(t('domains.action.destroy.running-warning', { name: domain.name }));
    }
    if ((action === 'destroy' || action === 'shutdown') && domain.persistent === false) {
        out.push(t('domains.action.transient-warning', { name: domain.name }));
    }
    return out;
}

/** "pool/name" of a volume entry. */
const volumeName = (v) => `${v.pool}/${v.name}`;

/**
 * The delete dialog's choices from GET /api/domains/{uuid}/volumes: a checkbox for each
 * volume only this VM uses, a line saying why for each one another VM uses.
 */
export function deleteChoices(volumes) {
    return volumes.map((v) => (v.shared_with.length
        ? { note: t('domains.delete.kept-shared', { volume: volumeName(v), names: v.shared_with.map((u) => u.name).join(', ') }) }
        : { value: { pool: v.pool, name: v.name }, label: t('domains.delete.volume', { volume: volumeName(v), size: formatBytes(v.capacity_bytes) }) }));
}

/** The toast after a delete: the VM, then what was removed and what was kept. */
export function deleteSummary(name, result) {
    const kept = result.kept.map((k) => (k.reason === 'not_chosen' ? volumeName(k) : `${volumeName(k)} (${k.message})`));
    return [t('domains.delete.done', { name }),
        result.removed.length ? t('domains.delete.done-removed', { list: result.removed.map(volumeName).join(', ') }) : '',
        kept.length ? t('domains.delete.done-kept', { list: kept.join(', ') }) : ''].filter(Boolean).join(' ');
}

/** Asks which volumes go with the VM, deletes it, and goes back to the list. */
async function runDelete({ api, store, notify }, uuid, domain, group) {
    const name = domain.name;
    const chosen = await confirmChoices({
        title: t('domains.delete.confirm', { name }),
        message: t('domains.delete.question'),
        detail: t('domains.delete.detail'),
        confirmLabel: DELETE_ACTION.label,
        danger: true,
        usage: async () => {
            const volumes = await api.domainVolumes(uuid);
            return { heading: t('domains.delete.volumes'), choices: deleteChoices(volumes), none: t('domains.delete.no-volumes') };
        },
    });
    if (!chosen) return;
    store.setPending(uuid, 'delete');
    try {
        const result = await api.deleteDomain(uuid, chosen);
        store.removeDomain(uuid);
        notify.info(deleteSummary(name, result));
        if (window.location.hash.includes(uuid)) window.location.hash = listHash();
    } catch (err) {
        if (err && err.status === 401) return;
        notify.error(t('domains.delete.failed', { name, error: errorText(err) }), { detail: errorDetail(err) });
    } finally {
        store.setPending(uuid, null);
        restoreFocus(group);
    }
}

/** Marks the VM as a template, or unmarks it. */
async function runTemplate({ api, store, notify }, uuid, domain, group) {
    const on = domain.template !== true;
    const name = domain.name;
    store.setPending(uuid, 'template');
    try {
        store.applyDomain(await api.setDomainTemplate(uuid, on));
        notify.info(on ? t('domains.template.marked', { name }) : t('domains.template.unmarked', { name }));
    } catch (err) {
        if (err && err.status === 401) return; // the login form takes over
        notify.error(t('domains.template.failed', { name, error: errorText(err) }), { detail: errorDetail(err) });
    } finally {
        store.setPending(uuid, null);
        restoreFocus(group);
    }
}

/** The clone dialog's progress: a bar and its words, hidden until a job starts. */
function cloneProgress() {
    return jobProgress({
        className: 'clone-progress', label: t('domains.clone.progress'), hint: t('domains.clone.background'),
        words: (job) => t('domains.clone.copying', jobFigures(job)),
    });
}

/** Follows a clone's job in its dialog: true when it ended done (else the error shows). */
async function followCloneJob(ctx, job, form, errorBox, progress) {
    const end = await followJob(ctx, job, progress, () => form.isConnected);
    if (!end) return false; // closed meanwhile: the jobs indicator told it
    if (end.state === 'done') return true;
    errorBox.show(errorText(jobError(end)));
    return false;
}

/** Asks for the clone's name (default "<name>-clone") and clones the VM. */
async function runClone(ctx, uuid, domain, group) {
    const { api, store, notify } = ctx;
    const source = domain.name;
    const nameField = field({ label: t('domains.clone.name'), key: 'name',
        control: textInput({ value: `${source}-clone`, maxlength: 255, required: true }) });
    const progress = cloneProgress();
    await formDialog({
        title: t('domains.clone.title', { name: source }),
        description: t('domains.clone.detail'),
        body: [nameField.root, progress.root],
        submitLabel: CLONE_ACTION.label,
        onSubmit: async (form, errorBox) => {
            const name = nameField.control.value.trim();
            if (showErrors([nameField], { name: name ? '' : t('domains.clone.name-required') })) return false;
            store.setPending(uuid, 'clone');
            try {
                const result = await api.request('POST', `/api/domains/${encodeURIComponent(uuid)}/clone`, { name });
                if (result.job) {
                    if (!await followCloneJob(ctx, result.job, form, errorBox, progress)) return false;
                } else {
                    store.applyDomain(result.domain);
                }
                notify.info(t('domains.clone.done', { name, source }));
                return true;
            } catch (err) {
                if (err && err.status === 401) return true; // the login form takes over
                if (!placeServerError([nameField], err)) errorBox.show(errorMessage(err));
                return false;
            } finally {
                store.setPending(uuid, null);
            }
        },
    });
    restoreFocus(group);
}

/** Returns run(uuid, action, button) for the given context {api, store, notify, confirm}. */
export function createActionRunner(ctx) {
    const { api, store, notify, confirm } = ctx;
    return async function run(uuid, action, button) {
        if (action === 'template') {
            const domain = store.domains.get(uuid);
            if (domain && !store.pending.has(uuid)) await runTemplate(ctx, uuid, domain, button ? button.closest('.actions') : null);
            return;
        }
        if (action === 'delete') {
            const domain = store.domains.get(uuid);
            if (domain && !store.pending.has(uuid)) await runDelete(ctx, uuid, domain, button ? button.closest('.actions') : null);
            return;
        }
        if (action === 'clone') {
            const domain = store.domains.get(uuid);
            if (domain && !store.pending.has(uuid)) await runClone(ctx, uuid, domain, button ? button.closest('.actions') : null);
            return;
        }
        const a = ACTIONS[action];
        const domain = store.domains.get(uuid);
        if (!a || !domain || store.pending.has(uuid)) return;
        const name = domain.name;
        if (a.confirm) {
            const ok = await confirm({
                title: a.confirmTitle(name),
                message: a.question,
                detail: a.detail,
                confirmLabel: a.label,
                danger: !!a.danger, // Shut down and Reboot are graceful: not red
                warnings: actionWarnings(action, domain),
            });
            if (!ok) return;
        }
        const group = button ? button.closest('.actions') : null;
        store.setPending(uuid, action);
        try {
            const result = await api.action(uuid, action);
            if (result && result.removed === true) store.removeDomain(uuid);
            else if (result && typeof result.uuid === 'string') store.applyDomain(result);
            notify.info(a.done(name));
        } catch (err) {
            if (err && err.status === 401) return; // the login form takes over
            notify.error(a.failed(name, errorText(err)), { detail: errorDetail(err) });
        } finally {
            store.setPending(uuid, null);
            restoreFocus(group);
        }
    };
}

/** A container for a VM's action buttons, labelled for assistive technology. */
export function actionGroup(name) {
    return h('div', { class: 'actions', role: 'group', 'aria-label': actionGroupLabel(name) });
}

/** The action group's label for the VM called name. */
export function actionGroupLabel(name) {
    return t('domains.actions.group', { name });
}
