// SPDX-License-Identifier: LGPL-2.1-or-later
// views/form-kit.js — building blocks of the networks, storage and VM device forms:
// labelled fields with a hint and an error line (aria-describedby, aria-invalid),
// selects, checkboxes, error display keyed like the rules modules' errors, a server
// error box next to a form, an inline form in a card, and a modal form dialog (focus
// trapped by showModal, Esc cancels, focus back to the opener, removed from the page
// when closed), the one place that turns a refused request into text (errorMessage),
// and the placing of a refusal the server made about one request member (err.field)
// at that member's control (placeServerError). Every label passed in is already
// translated. Browser main thread.

import { h } from './dom.js';
import { t } from '../i18n.js';
import { errorText, errorDetail, fieldErrorText } from '../errors.js';

let seq = 0;

/** A unique element id with a readable prefix. */
export function uid(prefix) {
    seq += 1;
    return `${prefix}-${seq}`;
}

/**
 * A labelled control. opts: {label, control (an input/select element), hint, key
 * (the errors key), wide}. Returns {root, control, error, key}.
 */
export function field({ label, control, hint = '', key = '', wide = false, inline = false }) {
    if (!control.id) control.id = uid('f');
    const err = h('p', { class: 'field-error', id: `${control.id}-err`, hidden: true });
    const hintEl = hint ? h('p', { class: 'field-hint', id: `${control.id}-hint`, text: hint }) : null;
    control.setAttribute('aria-describedby', [hintEl && hintEl.id, err.id].filter(Boolean).join(' '));
    const lab = h('label', { for: control.id, text: label });
    const root = inline
        ? h('div', { class: ['field', 'field-check', wide && 'field-wide'] }, control, lab, hintEl, err)
        : h('div', { class: ['field', wide && 'field-wide'] }, lab, control, hintEl, err);
    return { root, control, error: err, key };
}

/** <input class="input"> with the given props. */
export function textInput(props = {}) {
    return h('input', { type: 'text', class: 'input', autocomplete: 'off', spellcheck: 'false', ...props });
}

/** <select>; options: [[value, label], ...] or [value, ...]. */
export function selectInput(options, props = {}) {
    const sel = h('select', { class: 'input select', ...props });
    setOptions(sel, options, props.value);
    return sel;
}

/** Replaces a select's options and keeps (or sets) the value when still offered. */
export function setOptions(sel, options, value = sel.value) {
    sel.replaceChildren(...options.map((o) => {
        const [v, l] = Array.isArray(o) ? o : [o, o];
        return h('option', { value: v, text: l });
    }));
    if (value !== undefined && options.some((o) => (Array.isArray(o) ? o[0] : o) === value)) sel.value = value;
}

export function checkbox(props = {}) {
    return h('input', { type: 'checkbox', class: 'checkbox', ...props });
}

/**
 * Shows errors (key -> message) on fields (an array of field() results); clears the
 * others. Focuses the first invalid control when focus is true. Returns the number of
 * errors shown.
 */
export function showErrors(fields, errors, { focus = true } = {}) {
    let first = null;
    let n = 0;
    for (const f of fields) {
        const msg = (f.key && errors[f.key]) || '';
        f.error.textContent = msg;
        f.error.hidden = !msg;
        if (msg) {
            f.control.setAttribute('aria-invalid', 'true');
            n++;
            if (!first) first = f.control;
        } else {
            f.control.removeAttribute('aria-invalid');
        }
    }
    if (first && focus) first.focus();
    return n;
}

/**
 * Shows a refused request at the control of the member the server named (err.field,
 * docs/api.md) and focuses it. keys maps a server field to the form's key where they
 * differ ({capacity_bytes: 'capacity'}); texts[key](err) may word it for that control
 * (a size in the unit typed), else errors.js fieldErrorText. Returns true when placed;
 * false when err names no field or none of fields has it (show it for the whole form).
 */
export function placeServerError(fields, err, { keys = {}, texts = {} } = {}) {
    const name = err && typeof err.field === 'string' ? err.field : '';
    if (!name) return false;
    const key = Object.hasOwn(keys, name) ? keys[name] : name;
    const f = fields.find((x) => x.key && x.key === key && !x.root.hidden && !x.control.disabled);
    if (!f) return false;
    const own = Object.hasOwn(texts, key) ? texts[key](err) : '';
    showErrors(fields, { [key]: own || fieldErrorText(err) });
    return true;
}

/** The box under a form that shows the server's refusal (role=alert). */
export function serverErrorBox() {
    const text = h('span');
    const box = h('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }, text);
    return {
        root: box,
        show(message) {
            text.textContent = message;
            box.hidden = !message;
        },
        clear() {
            text.textContent = '';
            box.hidden = true;
        },
    };
}

/** Disables a button (and marks it busy) while a request is in flight. */
export function setBusy(button, busy) {
    if (!button) return;
    button.disabled = !!busy;
    if (busy) button.setAttribute('aria-busy', 'true');
    else button.removeAttribute('aria-busy');
}

/**
 * An inline form in a card (create a network, pool or volume; attach a disk or an
 * interface): a heading, the body nodes, the server error box, Cancel and the submit
 * button. Esc and Cancel call onCancel(). On submit, check() -> {payload, errors}:
 * errors show on fields() (focus on the first); without errors send(payload) runs with
 * the submit button busy, and a refusal about one member shows at its field
 * (placeServerError with serverKeys / serverTexts), any other in the box as
 * "<failure>: <why>" (a 401 is left to the login form). Returns {root, form, errorBox,
 * clear()}; clear() empties the inputs, the box and the field errors.
 */
export function cardForm({
    title, titleId, level = 'h2', body, submitLabel, fields, check, send, failure, onCancel, serverKeys = {}, serverTexts = {},
}) {
    const errorBox = serverErrorBox();
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', text: submitLabel });
    const cancel = h('button', { type: 'button', class: 'btn', text: t('forms.cancel'), on: { click: () => onCancel() } });
    const form = h('form', { class: 'form', novalidate: true, 'aria-labelledby': titleId },
        h(level, { class: 'card-title', id: titleId, text: title }),
        body, errorBox.root, h('div', { class: 'form-buttons' }, cancel, submit));
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        if (submit.disabled) return;
        errorBox.clear();
        const { payload, errors } = check();
        if (showErrors(fields(), errors)) return;
        setBusy(submit, true);
        try {
            await send(payload);
        } catch (err) {
            if (err.status !== 401 && !placeServerError(fields(), err, { keys: serverKeys, texts: serverTexts })) {
                errorBox.show(failureText(failure, err));
                errorBox.root.focus();
            }
        } finally {
            setBusy(submit, false);
        }
    });
    form.addEventListener('keydown', (ev) => {
        if (ev.key === 'Escape') {
            ev.preventDefault();
            onCancel();
        }
    });
    return {
        root: h('section', { class: 'card form-card' }, form),
        form,
        errorBox,
        clear() {
            form.reset();
            errorBox.clear();
            showErrors(fields(), {}, { focus: false });
        },
    };
}

/**
 * A modal form. opts: {title, body (nodes), submitLabel, danger, onSubmit(form,
 * errorBox) -> Promise<boolean> (true closes)}. Resolves with true when submitted
 * and closed, false on Cancel/Esc. The dialog leaves the page when it closes.
 */
export function formDialog({ title, description = '', body, submitLabel = t('forms.ok'), danger = false, onSubmit }) {
    const opener = document.activeElement;
    const titleId = uid('dlg-title');
    const descId = description ? uid('dlg-desc') : null;
    const errorBox = serverErrorBox();
    const submit = h('button', { type: 'submit', class: danger ? 'btn btn-danger' : 'btn btn-primary', text: submitLabel });
    const cancel = h('button', { type: 'button', class: 'btn', text: t('forms.cancel') });
    const form = h('form', { class: 'dialog-form', novalidate: true },
        body, errorBox.root, h('div', { class: 'dialog-buttons' }, cancel, submit));
    const dialog = h('dialog', { class: 'dialog dialog-form-wrap', 'aria-labelledby': titleId, 'aria-describedby': descId },
        h('h2', { class: 'dialog-title', id: titleId, text: title }),
        description ? h('p', { class: 'dialog-message', id: descId, text: description }) : null,
        form);
    document.body.append(dialog);
    let submitted = false;
    return new Promise((resolve) => {
        cancel.addEventListener('click', () => dialog.close('cancel'));
        form.addEventListener('submit', async (ev) => {
            ev.preventDefault();
            if (submit.disabled) return;
            errorBox.clear();
            setBusy(submit, true);
            let ok = false;
            try {
                ok = await onSubmit(form, errorBox);
            } catch (err) {
                errorBox.show(errorMessage(err));
            } finally {
                setBusy(submit, false);
            }
            if (ok) {
                submitted = true;
                dialog.close('ok');
            }
        });
        dialog.addEventListener('close', () => {
            dialog.remove();
            if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
            resolve(submitted);
        }, { once: true });
        dialog.showModal();
        const firstInput = form.querySelector('input, select, textarea');
        (firstInput || cancel).focus();
    });
}

/** A state badge for networks and pools. */
export function activeBadge(active) {
    return h('span', { class: ['badge', active ? 'badge-ok' : 'badge-off'], text: active ? t('resources.state.active') : t('resources.state.inactive') });
}

/** The role may change networks, storage and VM devices. */
export function canManage(store) {
    return !!(store.session && store.session.role === 'admin');
}

/**
 * The text of a refused request or other failure: the one place the resource views
 * turn an error (an ApiError from api.js / upload.js, or anything thrown) into words,
 * so that the translated text per error code replaces the server's in one line.
 */
export function errorMessage(err) {
    const text = errorText(err);
    const detail = errorDetail(err);
    return detail ? t('error.with-detail', { text, detail }) : text;
}

/** "<failure>: <why>" (failure: a translated "Could not …" sentence) in the current language. */
export function failureText(failure, err) {
    return t('forms.failure', { failure, reason: errorMessage(err) });
}

/** A field label marked optional: "Port (optional)". */
export function optionalLabel(label) {
    return t('forms.optional', { label });
}

/** "Could not X: why" through the alert area, ignoring 401 (the login form takes over). */
export function reportError(notify, what, err) {
    if (err && err.status === 401) return;
    notify.error(failureText(what, err));
}
