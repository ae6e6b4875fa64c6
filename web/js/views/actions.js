// views/actions.js — domain action buttons (one primary action and a "More actions"
// menu, action-menu.js) and what happens when one is pressed:
// confirmation for destructive actions, the in-flight mark in the store (which
// disables the buttons), the POST, the answer applied to the store, and errors into
// the alert area. Shared by the list and the detail view. Browser main thread.

import { ACTIONS, actionLayout } from '../domains.js';
import { ActionMenu } from './action-menu.js';
import { h, icon, ACTION_ICONS } from './dom.js';
import { t } from '../i18n.js';
import { errorText, errorDetail } from '../errors.js';

/** One action's button: a row button, or a menu item (role set by ActionMenu). */
function actionButton(name, domain, { inMenu = false } = {}) {
    const a = ACTIONS[name];
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
    const { primary, more } = actionLayout(domain.state, role);
    const key = `${primary || ''}|${more.join(',')}`;
    if (container.dataset.key !== key) {
        container.dataset.key = key;
        container.actionMenu?.destroy();
        container.actionMenu = more.length ? new ActionMenu(domain.name, more.map((n) => actionButton(n, domain, { inMenu: true }))) : null;
        container.replaceChildren(primary ? actionButton(primary, domain) : '', container.actionMenu ? container.actionMenu.root : '');
    }
    const busy = !!pendingAction;
    container.actionMenu?.setDisabled(busy);
    for (const btn of container.querySelectorAll('button[data-action]')) {
        if (btn.disabled !== busy) btn.disabled = busy;
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

/** Returns run(uuid, action, button) for the given context {api, store, notify, confirm}. */
export function createActionRunner({ api, store, notify, confirm }) {
    return async function run(uuid, action, button) {
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
