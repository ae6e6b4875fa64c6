// views/confirm.js — the confirmation <dialog> for destructive actions. A modal
// dialog (showModal) traps focus, Esc cancels, and focus goes back to the button
// that opened it. Cancel has the initial focus, so Enter never destroys by accident.
// Browser main thread.

import { h } from './dom.js';
import { t } from '../i18n.js';

let dialog = null;
let parts = null;

function build() {
    const title = h('h2', { id: 'confirm-title', class: 'dialog-title' });
    const message = h('p', { id: 'confirm-message', class: 'dialog-message' });
    const detail = h('p', { id: 'confirm-detail', class: 'dialog-detail' });
    const cancel = h('button', { type: 'button', class: 'btn', value: 'cancel' });
    const ok = h('button', { type: 'button', class: 'btn btn-primary', value: 'confirm' });
    dialog = h('dialog', {
        class: 'dialog', 'aria-labelledby': 'confirm-title',
        'aria-describedby': 'confirm-message confirm-detail',
    }, title, message, detail, h('div', { class: 'dialog-buttons' }, cancel, ok));
    cancel.addEventListener('click', () => dialog.close('cancel'));
    ok.addEventListener('click', () => dialog.close('confirm'));
    document.body.append(dialog);
    parts = { title, message, detail, cancel, ok };
}

/**
 * Asks; resolves true when the user confirms, false on Cancel or Esc.
 * opts: title, message, detail, confirmLabel (default "OK"), danger (red confirm button).
 */
export function confirmDialog({ title, message, detail = '', confirmLabel = '', danger = false }) {
    if (!dialog) build();
    if (dialog.open) return Promise.resolve(false); // one question at a time
    const opener = document.activeElement;
    parts.title.textContent = title;
    parts.message.textContent = message;
    parts.detail.textContent = detail;
    parts.detail.hidden = !detail;
    parts.cancel.textContent = t('common.cancel'); // the dialog outlives language switches
    parts.ok.textContent = confirmLabel || t('common.ok');
    parts.ok.className = danger ? 'btn btn-danger' : 'btn btn-primary';
    dialog.returnValue = '';
    return new Promise((resolve) => {
        dialog.addEventListener('close', () => {
            const confirmed = dialog.returnValue === 'confirm';
            if (opener && opener instanceof HTMLElement && opener.isConnected) opener.focus();
            resolve(confirmed);
        }, { once: true });
        dialog.showModal();
        parts.cancel.focus();
    });
}
