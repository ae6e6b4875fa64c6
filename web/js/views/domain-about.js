// SPDX-License-Identifier: LGPL-2.1-or-later
// views/domain-about.js — a VM's title and description on the detail page's Overview:
// shown as they are (any script, line breaks kept), and for operators and admins
// editable in place (viewers get the Edit button disabled, saying why): a text input
// for the title, a textarea for the description, Save and Cancel, each field's error
// (and a byte count: the server's bounds are UTF-8 bytes) next to it, the server's
// refusal under the form. Saving sends PUT
// /api/domains/{uuid}/metadata and stores the detail it answers. The card follows the
// store, so a change made elsewhere (another user, virsh) shows at once unless an edit
// is open. Every string goes through t() ("names" section). Browser main thread.

import { h, setAttr, setText } from './dom.js';
import { field, textInput, showErrors, serverErrorBox, setBusy, errorMessage } from './form-kit.js';
import { nameFault, utf8Length, NAME_MAX_BYTES } from '../forms.js';
import { actingRole, canManageVm } from '../domains.js';
import { t } from '../i18n.js';

// Each field's sentences: too long (in bytes), a control character, anything else.
const ERRORS = {
    title: {
        too_long: () => t('names.about.title.too_long', { max: NAME_MAX_BYTES.title }),
        control: () => t('names.about.title.control'),
        invalid: () => t('names.about.title.invalid'),
    },
    description: {
        too_long: () => t('names.about.description.too_long', { max: NAME_MAX_BYTES.description }),
        control: () => t('names.about.description.control'),
        invalid: () => t('names.about.description.invalid'),
    },
};

/** The field's error for text ("" when fine), as the server's rule says (forms.js). */
export function metadataError(kind, text) {
    const fault = nameFault(text, kind);
    if (!fault) return '';
    return (ERRORS[kind][fault] || ERRORS[kind].invalid)();
}

/** "12 of 1,024 bytes" under a field. */
function bytesText(kind, text) {
    return t('names.about.bytes', { used: utf8Length(text), max: NAME_MAX_BYTES[kind] });
}

export class DomainAbout {
    /** ctx: {api, store, notify}; uuid: the VM's. */
    constructor(ctx, uuid) {
        this.ctx = ctx;
        this.uuid = uuid;
        this.editing = false;
        this.saving = false;
        this.titleText = h('p', { class: 'description' }); // white space kept, long words wrap
        this.descText = h('p', { class: 'description' });
        this.editButton = h('button', {
            type: 'button', class: 'btn', text: t('names.about.edit'), on: { click: () => this.#edit() },
        });
        this.view = h('div', { class: 'about-view' },
            h('dl', { class: 'props' },
                h('dt', { text: t('names.about.title') }), h('dd', {}, this.titleText),
                h('dt', { text: t('names.about.description') }), h('dd', {}, this.descText)));
        this.form = this.#buildForm();
        this.form.hidden = true;
        this.root = h('section', { class: 'card', 'aria-labelledby': 'about-title' },
            h('div', { class: 'section-head plain' },
                h('h2', { id: 'about-title', class: 'card-title', text: t('names.about.heading') }),
                this.editButton),
            this.view, this.form);
        this.mounted = false;
        this.unsub = ctx.store.on('changed', (c) => {
            if (!this.root.isConnected) {
                if (this.mounted) this.unsub(); // the detail page was rebuilt or left
                return;
            }
            this.mounted = true;
            if (c.domains.includes(this.uuid)) this.#show();
        });
        this.#show();
    }

    #domain() {
        const s = this.ctx.store;
        return s.details.get(this.uuid) || s.domains.get(this.uuid) || null;
    }

    #buildForm() {
        const f = {};
        this.f = f;
        f.title = field({
            label: t('names.about.title'), key: 'title', wide: true,
            control: textInput({ name: 'title', spellcheck: 'true' }),
            hint: t('names.about.title.hint', { max: NAME_MAX_BYTES.title }),
        });
        f.description = field({
            label: t('names.about.description'), key: 'description', wide: true,
            control: h('textarea', { class: 'input', name: 'description', rows: '5', spellcheck: 'true' }),
            hint: t('names.about.description.hint', { max: NAME_MAX_BYTES.description }),
        });
        for (const [kind, fl] of Object.entries(f)) {
            fl.count = h('p', { class: 'field-hint', 'aria-live': 'polite' });
            fl.root.append(fl.count);
            fl.control.addEventListener('input', () => setText(fl.count, bytesText(kind, fl.control.value)));
        }
        this.errorBox = serverErrorBox();
        this.save = h('button', { type: 'submit', class: 'btn btn-primary', text: t('names.about.save') });
        this.cancel = h('button', {
            type: 'button', class: 'btn', text: t('names.about.cancel'), on: { click: () => this.#close() },
        });
        const form = h('form', { class: 'form', novalidate: true, 'aria-label': t('names.about.heading') },
            h('div', { class: 'form-grid' }, f.title.root, f.description.root),
            this.errorBox.root,
            h('div', { class: 'form-buttons' }, this.cancel, this.save));
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.#submit();
        });
        form.addEventListener('keydown', (ev) => {
            if (ev.key === 'Escape' && !this.saving) this.#close();
        });
        return form;
    }

    /** Shows the domain's values; the edit button only to those who may use it. */
    #show() {
        const d = this.#domain();
        const role = actingRole(d, this.ctx.store.session); // a user's level on this VM
        const may = canManageVm(role);
        const title = d && typeof d.title === 'string' ? d.title : '';
        const description = d && typeof d.description === 'string' ? d.description : '';
        setText(this.titleText, title || t('names.about.no_title'));
        this.titleText.classList.toggle('muted', !title);
        setText(this.descText, description || t('names.about.no_description'));
        this.descText.classList.toggle('muted', !description);
        // viewers see the button, disabled, and why
        this.editButton.hidden = this.editing;
        this.editButton.disabled = !may;
        setAttr(this.editButton, 'title', may ? null : t('names.about.viewer'));
    }

    #edit() {
        const d = this.#domain();
        this.editing = true;
        this.f.title.control.value = d?.title || '';
        this.f.description.control.value = d?.description || '';
        for (const [kind, fl] of Object.entries(this.f)) setText(fl.count, bytesText(kind, fl.control.value));
        showErrors(Object.values(this.f), {}, { focus: false });
        this.errorBox.clear();
        this.view.hidden = true;
        this.form.hidden = false;
        this.#show();
        this.f.title.control.focus();
    }

    #close() {
        this.editing = false;
        this.form.hidden = true;
        this.view.hidden = false;
        this.#show();
        this.editButton.focus();
    }

    async #submit() {
        if (this.saving) return;
        const values = { title: this.f.title.control.value, description: this.f.description.control.value };
        const errors = {};
        for (const [kind, text] of Object.entries(values)) errors[kind] = metadataError(kind, text);
        this.errorBox.clear();
        if (showErrors(Object.values(this.f), errors)) return;
        this.saving = true;
        setBusy(this.save, true);
        this.cancel.disabled = true;
        try {
            const detail = await this.ctx.api.setDomainMetadata(this.uuid, values);
            this.ctx.store.setDetail(detail);
            this.ctx.notify?.info(t('names.about.saved'));
            this.#close();
        } catch (err) {
            if (err.status !== 401) {
                this.errorBox.show(t('names.about.save_failed', { message: errorMessage(err) }));
                this.errorBox.root.focus();
            }
        } finally {
            this.saving = false;
            setBusy(this.save, false);
            this.cancel.disabled = false;
        }
    }
}

/**
 * The detail page's one call: replaces placeholder (its Description card) with the
 * title-and-description card of ctx.store's domain uuid. Returns the card.
 */
export function mountDomainAbout(placeholder, ctx, uuid) {
    const about = new DomainAbout(ctx, uuid);
    placeholder.replaceWith(about.root);
    return about;
}
