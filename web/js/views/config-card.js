// SPDX-License-Identifier: LGPL-2.1-or-later
// views/config-card.js — one group of the Configuration tab (views/domain-config.js): a
// card holding a form whose controls sit in one <fieldset> (disabled, with the reason
// said, while the server is unreachable or a save runs), its own Save that sends only
// the members the group's check found changed (PATCH /api/domains/{uuid}), the errors of
// that check or of the server's refusal at their field (form-kit showErrors /
// placeServerError), and after a save one line per sent member: applied now (saved, for
// a shut-off VM), or waits for the next boot (the answer's next_boot). "Next boot" badges beside fields whose
// member is in the detail's `pending` come from markPending(). Browser main thread.

import { h, setText } from './dom.js';
import { showErrors, placeServerError, serverErrorBox, setBusy, failureText } from './form-kit.js';
import { t } from '../i18n.js';

/** A "next boot" badge for a field's label row; member: the request member it shows. */
export function pendingBadge(member) {
    return h('span', { class: 'badge badge-warn config-pending', dataset: { member }, hidden: true });
}

/**
 * The card. opts: {id, title, body (nodes), fields() (field() results), check() ->
 * {payload, errors}, keyOf(serverField, payload) -> form key, send(payload) -> Promise
 * of the PATCH answer, applied(answer) after a save (the group is clean again first, so
 * a refill shows the saved values), label(member) -> the member's name in the UI,
 * running() -> whether the VM runs (a change to a shut-off VM is "saved", not "applied now")}.
 * Returns {root, fieldset, setHeld(reason), markPending(pending, valueOf), dirty()}: a
 * group is dirty from the user's first input until a save succeeds, and while it has
 * the focus; its owner leaves a dirty group's values alone.
 */
export function configCard({ id, title, body, fields, check, keyOf, send, applied, label, running }) {
    const titleId = `config-${id}-title`;
    const errorBox = serverErrorBox();
    const result = h('ul', { class: 'config-result', 'aria-live': 'polite', hidden: true });
    const held = h('p', { class: 'muted config-held', hidden: true });
    const save = h('button', { type: 'submit', class: 'btn btn-primary', text: t('config.save') });
    const fieldset = h('fieldset', { class: 'fieldset fieldset-off config-fields' },
        h('legend', { class: 'visually-hidden', text: title }), body);
    const form = h('form', { class: 'form config-form', novalidate: true, 'aria-labelledby': titleId, dataset: { group: id } },
        h('h2', { class: 'card-title', id: titleId, text: title }), held, fieldset, errorBox.root, result,
        h('div', { class: 'form-buttons' }, save));
    let reason = '';
    let dirty = false;
    form.addEventListener('input', () => { dirty = true; });
    form.addEventListener('change', () => { dirty = true; });
    const setHeld = (why) => {
        reason = why;
        fieldset.disabled = !!why;
        save.disabled = !!why;
        setText(held, why);
        held.hidden = !why;
    };
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        if (save.disabled) return;
        errorBox.clear();
        result.hidden = true;
        const { payload, errors } = check();
        if (showErrors(fields(), errors)) return;
        const members = Object.keys(payload);
        if (!members.length) {
            result.replaceChildren(h('li', { text: t('config.no-change') }));
            result.hidden = false;
            return;
        }
        const wasRunning = running();
        setBusy(save, true);
        fieldset.disabled = true;
        try {
            const answer = await send(payload);
            const later = new Set(Array.isArray(answer?.next_boot) ? answer.next_boot : []);
            const nowText = wasRunning ? t('config.applied') : t('config.saved'); // a shut-off VM: saved for its start
            result.replaceChildren(...members.map((m) => h('li', { class: later.has(m) ? 'config-later' : 'config-now', dataset: { member: m } },
                h('span', { class: ['badge', later.has(m) ? 'badge-warn' : 'badge-ok'], text: later.has(m) ? t('config.next-boot') : nowText }),
                ' ', label(m))));
            result.hidden = false;
            dirty = false;
            applied(answer);
        } catch (err) {
            if (err.status !== 401) {
                const keys = typeof err.field === 'string' ? { [err.field]: keyOf(err.field, payload) } : {};
                if (!placeServerError(fields(), err, { keys })) {
                    errorBox.show(failureText(t('config.failure', { group: title }), err));
                    errorBox.root.focus();
                }
            }
        } finally {
            setBusy(save, false);
            setHeld(reason);
        }
    });
    return {
        root: h('section', { class: 'card form-card config-card', id: `config-${id}` }, form),
        fieldset,
        setHeld,
        /** True from the user's first input until a save succeeds, or while focus is inside (a refill would move it). */
        dirty: () => dirty || form.contains(document.activeElement),
        /** Shows each badge of this card whose member is pending, with valueOf(member)'s text when known. */
        markPending(pending, valueOf) {
            for (const b of form.querySelectorAll('.config-pending')) {
                const on = pending.includes(b.dataset.member);
                const value = on ? valueOf(b.dataset.member) : '';
                setText(b, value ? t('config.pending-value', { value }) : t('config.pending'));
                b.hidden = !on;
            }
        },
    };
}
