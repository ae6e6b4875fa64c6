// SPDX-License-Identifier: LGPL-2.1-or-later
// views/domain-xml.js — the "XML" tab of a VM's page, for admins only (the XML holds
// secrets such as VNC passwords; docs/api.md "Raw XML"): the persistent definition,
// read-only; Edit turns it into a text area; "Review changes" shows the line diff
// (line-diff.js) against what was loaded; Save sends it (PUT .../xml) and shows what
// libvirt defined, saying when the change waits for the next boot. A refusal (malformed
// XML, a new name or UUID, libvirt's schema message) shows at the text area. The tab
// interface detail-tabs.js expects (mount, update(domain), suspend, connect, destroy).
// Browser main thread.

import { h } from './dom.js';
import { field, reportError, setBusy, placeServerError, serverErrorBox, failureText } from './form-kit.js';
import { lineDiff, diffChanges } from '../line-diff.js';
import { t } from '../i18n.js';

export class DomainXmlView {
    /** ctx: {api, store, notify}; vm: {uuid, name}. */
    constructor(ctx, vm) {
        this.ctx = ctx;
        this.uuid = vm.uuid;
        this.xml = null; // the definition as loaded
        this.loadSeq = 0;
        this.mode = 'view'; // 'view' | 'edit' | 'review'
    }

    url() {
        return `/api/domains/${encodeURIComponent(this.uuid)}/xml`;
    }

    mount(panel) {
        this.pre = h('pre', { class: 'xml-view', tabindex: '0', 'aria-label': t('domains.xml.definition') },
            t('common.loading'));
        this.area = h('textarea', { class: 'xml-edit', rows: '24', spellcheck: 'false', autocomplete: 'off', hidden: true });
        this.field = field({ label: t('domains.xml.definition'), control: this.area, key: 'xml', wide: true });
        this.field.root.hidden = true;
        this.diff = h('div', { class: 'xml-diff', hidden: true, 'aria-live': 'polite' });
        this.note = h('p', { class: 'xml-note', role: 'status', hidden: true });
        this.errorBox = serverErrorBox();
        this.editBtn = h('button', { type: 'button', class: 'btn', text: t('domains.xml.edit') });
        this.reviewBtn = h('button', { type: 'button', class: 'btn btn-primary', text: t('domains.xml.review'), hidden: true });
        this.backBtn = h('button', { type: 'button', class: 'btn', text: t('domains.xml.back'), hidden: true });
        this.saveBtn = h('button', { type: 'button', class: 'btn btn-primary', text: t('domains.xml.save'), hidden: true });
        this.cancelBtn = h('button', { type: 'button', class: 'btn', text: t('forms.cancel'), hidden: true });
        this.editBtn.addEventListener('click', () => this.setMode('edit', { focus: true }));
        this.reviewBtn.addEventListener('click', () => this.review());
        this.backBtn.addEventListener('click', () => this.setMode('edit', { focus: true }));
        this.cancelBtn.addEventListener('click', () => this.setMode('view'));
        this.saveBtn.addEventListener('click', () => this.save());
        this.root = h('div', { class: 'device-tab xml-tab' },
            h('div', { class: 'section-head plain' }, h('h2', { class: 'card-title', text: t('domains.xml.title') }), this.editBtn),
            h('p', { class: 'muted', text: t('domains.xml.hint') }),
            this.note,
            h('section', { class: 'card' }, this.pre, this.field.root, this.diff, this.errorBox.root,
                h('div', { class: 'form-actions' }, this.cancelBtn, this.backBtn, this.reviewBtn, this.saveBtn)));
        panel.replaceChildren(this.root);
        this.load();
    }

    update() {}

    suspend() {}

    connect() {
        if (this.mode === 'view') this.load();
    }

    destroy() {
        this.root?.remove();
    }

    async load() {
        const seq = ++this.loadSeq;
        try {
            const data = await this.ctx.api.request('GET', `${this.url()}?inactive=true`);
            if (seq !== this.loadSeq) return;
            this.xml = data.xml;
            this.pre.textContent = data.xml;
        } catch (err) {
            if (seq !== this.loadSeq) return;
            this.pre.textContent = '';
            reportError(this.ctx.notify, t('domains.xml.failure.load'), err);
        }
    }

    setMode(mode, { focus = false } = {}) {
        if (mode === 'edit' && this.mode === 'view') this.area.value = this.xml ?? '';
        this.mode = mode;
        this.pre.hidden = mode !== 'view';
        this.field.root.hidden = mode !== 'edit';
        this.area.hidden = mode !== 'edit';
        this.diff.hidden = mode !== 'review';
        this.editBtn.hidden = mode !== 'view';
        this.cancelBtn.hidden = mode === 'view';
        this.reviewBtn.hidden = mode !== 'edit';
        this.backBtn.hidden = mode !== 'review';
        this.saveBtn.hidden = mode !== 'review';
        if (mode === 'view') {
            this.errorBox.clear();
            this.field.error.textContent = '';
            this.field.control.removeAttribute('aria-invalid');
        }
        if (focus && mode === 'edit') this.area.focus();
    }

    review() {
        const diff = lineDiff(this.xml ?? '', this.area.value);
        this.errorBox.clear();
        if (!diffChanges(diff)) {
            this.diff.replaceChildren(h('p', { class: 'muted xml-unchanged', text: t('domains.xml.unchanged') }));
            this.setMode('review');
            this.saveBtn.hidden = true;
            return;
        }
        const rows = diff.filter((l) => l.op !== ' ').length;
        this.diff.replaceChildren(
            h('p', { class: 'xml-diff-summary', text: t('domains.xml.changed', { count: rows }) }),
            h('pre', { class: 'xml-diff-lines', tabindex: '0', 'aria-label': t('domains.xml.changes') },
                diff.map((l) => h('span', {
                    class: ['xml-line', l.op === '+' ? 'xml-added' : l.op === '-' ? 'xml-removed' : 'xml-kept'],
                    text: `${l.op} ${l.text}\n`,
                }))));
        this.setMode('review');
        this.saveBtn.focus();
    }

    async save() {
        setBusy(this.saveBtn, true);
        try {
            const out = await this.ctx.api.request('PUT', this.url(), { xml: this.area.value });
            this.xml = out.xml;
            this.pre.textContent = out.xml;
            this.setMode('view');
            this.note.textContent = out.next_boot ? t('domains.xml.saved-next-boot') : t('domains.xml.saved');
            this.note.hidden = false;
        } catch (err) {
            if (err && err.status === 401) return;
            this.setMode('edit');
            if (!placeServerError([this.field], err)) this.errorBox.show(failureText(t('domains.xml.failure.save'), err));
            this.area.focus();
        } finally {
            setBusy(this.saveBtn, false);
        }
    }
}

