// SPDX-License-Identifier: LGPL-2.1-or-later
// views/confirm.js — the confirmation <dialog> for destructive actions. A modal
// dialog (showModal) traps focus, Esc cancels, and focus goes back to the button
// that opened it. Cancel has the initial focus, so Enter never destroys by accident.
// A dialog may also check, when it opens, what the action would touch (an "in use by"
// list of VMs read fresh from the server): while it checks the confirm button waits;
// where the server would refuse, the dialog says why and offers only Close; when the
// check fails it says the usage is unknown and keeps the confirm button (the server
// still guards). The answer may also offer choices: checkboxes, never ticked at first
// (destructive options are off by default), and lines without one (what is kept and
// why); confirmChoices resolves with the values ticked. Browser main thread.

import { h } from './dom.js';
import { t } from '../i18n.js';
import { stateLabel } from '../domains.js';
import { domainHash } from '../router.js';

let dialog = null;
let parts = null;
let openSeq = 0; // which opening a usage answer belongs to
let choiceValues = []; // the values of the open dialog's checkboxes, by index

function build() {
    const title = h('h2', { id: 'confirm-title', class: 'dialog-title' });
    const message = h('p', { id: 'confirm-message', class: 'dialog-message' });
    const detail = h('p', { id: 'confirm-detail', class: 'dialog-detail' });
    const warnings = h('div', { id: 'confirm-warnings', class: 'dialog-warnings' });
    const usage = h('div', { id: 'confirm-usage', class: 'dialog-usage', 'aria-live': 'polite' });
    const cancel = h('button', { type: 'button', class: 'btn', value: 'cancel' });
    const ok = h('button', { type: 'button', class: 'btn btn-primary', value: 'confirm' });
    dialog = h('dialog', {
        class: 'dialog', 'aria-labelledby': 'confirm-title',
        'aria-describedby': 'confirm-message confirm-detail confirm-warnings confirm-usage',
    }, title, message, detail, warnings, usage, h('div', { class: 'dialog-buttons' }, cancel, ok));
    cancel.addEventListener('click', () => dialog.close('cancel'));
    ok.addEventListener('click', () => dialog.close('confirm'));
    // A VM's link in a list leaves the dialog for that VM's page.
    usage.addEventListener('click', (ev) => {
        if (ev.target instanceof Element && ev.target.closest('a[href]')) dialog.close('cancel');
    });
    document.body.append(dialog);
    parts = { title, message, detail, warnings, usage, cancel, ok };
}

/** Warning lines (strings; empty ones are left out) as paragraphs. */
function warningLines(list) {
    return (list || []).filter(Boolean).map((text) => h('p', { class: 'dialog-warning', text }));
}

/**
 * An "in use by" list: heading, then each VM as a link to its page with its state word
 * (stateLabel), then "and N more". list: {shown: [{uuid, name, state}], more}.
 */
function usersBlock(heading, list) {
    const items = list.shown.map((u) => h('li', {},
        u.uuid ? h('a', { href: domainHash(u.uuid), text: u.name }) : h('span', { text: u.name }),
        h('span', { class: 'muted small', text: t('resources.user.state', { state: stateLabel(u.state) }) })));
    if (list.more > 0) items.push(h('li', { class: 'muted', text: t('resources.usage.more', { count: list.more }) }));
    return [h('p', { class: 'dialog-usage-heading', text: heading }), h('ul', { class: 'user-list dialog-users' }, items)];
}

/**
 * A list of choices: a checkbox (unticked) with its label for each one with a value, a
 * plain line for each without one (note).
 */
function choicesBlock(heading, choices) {
    choiceValues = [];
    const items = choices.map((c) => {
        if (c.value === undefined) return h('li', { class: 'dialog-choice-note', text: c.note || c.label });
        const input = h('input', { type: 'checkbox', class: 'checkbox', dataset: { choice: String(choiceValues.length) } });
        choiceValues.push(c.value);
        return h('li', {}, h('label', { class: 'dialog-choice' }, input, h('span', { text: c.label })));
    });
    return [heading ? h('p', { class: 'dialog-usage-heading', text: heading }) : '', h('ul', { class: 'dialog-choices' }, items)];
}

/** Shows the answer of a usage check (see confirmDialog) in the dialog. */
function showUsage(answer) {
    const a = answer || {};
    const list = a.users && Array.isArray(a.users.shown) ? a.users : { shown: [], more: 0 };
    const body = list.shown.length ? usersBlock(a.heading || t('resources.usage.heading'), list)
        : Array.isArray(a.choices) && a.choices.length ? choicesBlock(a.heading, a.choices)
            : a.none ? [h('p', { class: 'muted', text: a.none })] : [];
    const refused = !!a.refusal;
    parts.usage.replaceChildren(...body, ...warningLines(a.warnings),
        refused ? h('p', { class: 'dialog-refusal', role: 'alert', text: a.refusal }) : '');
    parts.usage.dataset.state = refused ? 'refused' : 'checked';
    if (refused) {
        parts.ok.hidden = true;
        parts.cancel.textContent = t('resources.usage.close');
    } else {
        if (a.confirmLabel) parts.ok.textContent = a.confirmLabel;
        parts.ok.disabled = false;
    }
}

/**
 * Asks; resolves true when the user confirms, false on Cancel, Close or Esc.
 * opts: title, message, detail, confirmLabel (default "OK"), danger (red confirm
 * button), warnings (lines shown at once), usage: optional async () -> {heading?,
 * users: {shown, more} (network-rules.js usersList), none? (text when nobody uses it),
 * warnings?, refusal? (why the server would refuse: the confirm button goes),
 * confirmLabel? (a new label for it), choices? ([{value, label}] checkboxes or [{note}]
 * lines, see confirmChoices)}, run when the dialog opens.
 */
export function confirmDialog(opts) {
    return ask(opts).then((r) => r.confirmed);
}

/**
 * confirmDialog for a dialog whose usage answer offers choices: resolves with the values
 * of the ticked checkboxes (an empty array when none is ticked), or null when the user
 * cancels.
 */
export function confirmChoices(opts) {
    return ask(opts).then((r) => (r.confirmed ? r.chosen : null));
}

function ask({ title, message, detail = '', confirmLabel = '', danger = false, warnings = [], usage = null }) {
    if (!dialog) build();
    if (dialog.open) return Promise.resolve({ confirmed: false, chosen: [] }); // one question at a time
    const seq = ++openSeq;
    const opener = document.activeElement;
    parts.title.textContent = title;
    parts.message.textContent = message;
    parts.detail.textContent = detail;
    parts.detail.hidden = !detail;
    parts.warnings.replaceChildren(...warningLines(warnings));
    parts.warnings.hidden = !parts.warnings.childElementCount;
    parts.cancel.textContent = t('common.cancel'); // the dialog outlives language switches
    parts.ok.textContent = confirmLabel || t('common.ok');
    parts.ok.className = danger ? 'btn btn-danger' : 'btn btn-primary';
    parts.ok.hidden = false;
    parts.ok.disabled = !!usage;
    parts.usage.hidden = !usage;
    parts.usage.dataset.state = usage ? 'checking' : '';
    parts.usage.replaceChildren(usage ? h('p', { class: 'muted', text: t('resources.usage.checking') }) : '');
    choiceValues = [];
    dialog.returnValue = '';
    if (usage) {
        Promise.resolve().then(usage).then((answer) => {
            if (seq === openSeq && dialog.open) showUsage(answer);
        }, () => {
            if (seq !== openSeq || !dialog.open) return;
            parts.usage.replaceChildren(h('p', { class: 'dialog-warning', text: t('resources.usage.unknown') }));
            parts.usage.dataset.state = 'unknown';
            parts.ok.disabled = false;
        });
    }
    return new Promise((resolve) => {
        dialog.addEventListener('close', () => {
            const confirmed = dialog.returnValue === 'confirm';
            const chosen = [...parts.usage.querySelectorAll('input[data-choice]:checked')]
                .map((input) => choiceValues[Number(input.dataset.choice)]);
            if (opener && opener instanceof HTMLElement && opener.isConnected) opener.focus();
            resolve({ confirmed, chosen });
        }, { once: true });
        dialog.showModal();
        parts.cancel.focus();
    });
}
