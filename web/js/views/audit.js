// SPDX-License-Identifier: LGPL-2.1-or-later
// views/audit.js — the audit log (docs/api.md "Audit log"; an admin reads every row,
// anyone else the rows about the VMs it sees and its own): the "Audit log"
// page (#/audit, AuditView) with its filters (VM, user, action, result, time range) kept
// in the hash, a table of rows newest first with "Older" paging, and an "Export" link
// that downloads the current filter as JSON lines; and a VM's "History" tab
// (DomainHistoryView: the same table for that VM's rows, with the tab interface
// detail-tabs.js expects). Both use AuditTable. Browser main thread.

import { h } from './dom.js';
import { field, textInput, failureText } from './form-kit.js';
import { AUDIT_FILTERS, AUDIT_PAGE, auditApiPath, auditHash, localToEpochMs, objectDomain, parseAuditFilter } from '../audit-query.js';
import { domainHash } from '../router.js';
import { formatClock, orDash } from '../format.js';
import { t } from '../i18n.js';

/** The table's columns: [label, cell(entry)]. */
function columns(ctx, { object }) {
    const name = (uuid) => ctx.store?.domains?.get?.(uuid)?.name;
    return [
        [t('audit.column.time'), (e) => h('time', { datetime: e.time, text: formatClock(Date.parse(e.time) / 1000) })],
        [t('audit.column.user'), (e) => orDash(e.user)],
        [t('audit.column.address'), (e) => orDash(e.address)],
        [t('audit.column.action'), (e) => h('code', { text: e.action })],
        object && [t('audit.column.object'), (e) => {
            const uuid = objectDomain(e.object);
            if (!uuid) return orDash(e.object);
            return h('a', { href: domainHash(uuid), text: name(uuid) ? t('audit.object-named', { name: name(uuid), object: e.object }) : e.object });
        }],
        [t('audit.column.result'), (e) => h('span', {
            class: e.result === 'ok' ? 'badge badge-ok' : 'badge badge-bad', text: e.result === 'ok' ? t('audit.result.ok') : e.result,
        })],
        [t('audit.column.message'), (e) => e.message || ''], // the server's own (English) text
    ].filter(Boolean);
}

/** A table of audit rows for one filter, with "Older" to read the next page. */
export class AuditTable {
    /** ctx: {api, store}; filter: as audit-query.js; opts.object: show the object column. */
    constructor(ctx, filter, { object = true } = {}) {
        this.ctx = ctx;
        this.filter = filter;
        this.columns = columns(ctx, { object });
        this.cursor = null;
        this.seq = 0;
        this.tbody = h('tbody');
        this.status = h('p', { class: 'count', role: 'status' });
        this.body = h('div', { class: 'table-wrap' });
        this.older = h('button', {
            type: 'button', class: 'btn audit-older', text: t('audit.older'), hidden: true, on: { click: () => this.load(false) },
        });
        this.root = h('div', { class: 'audit-table' }, this.status, this.body, h('div', { class: 'toolbar' }, this.older));
    }

    /** Reads the first page (fresh) or the next one. */
    async load(fresh = true) {
        const seq = ++this.seq;
        if (fresh) this.cursor = null;
        this.older.disabled = true;
        this.status.textContent = t('common.loading');
        let page;
        try {
            page = await this.ctx.api.audit(auditApiPath(this.filter, { cursor: this.cursor, limit: AUDIT_PAGE }));
        } catch (err) {
            if (seq !== this.seq) return;
            this.status.textContent = failureText(t('audit.load-failed'), err);
            this.older.disabled = false;
            return;
        }
        if (seq !== this.seq) return;
        const entries = Array.isArray(page.entries) ? page.entries : [];
        if (fresh) this.tbody.replaceChildren();
        for (const e of entries) {
            this.tbody.append(h('tr', { 'data-id': String(e.id) },
                this.columns.map(([label, cell]) => h('td', { 'data-label': label }, cell(e)))));
        }
        const rows = this.tbody.children.length;
        this.body.replaceChildren(rows ? h('table', { class: 'rtable res-table audit-rows' },
            h('caption', { class: 'visually-hidden', text: t('audit.caption') }),
            h('thead', {}, h('tr', {}, this.columns.map(([label]) => h('th', { scope: 'col', text: label })))),
            this.tbody) : h('p', { class: 'empty', text: t('audit.empty') }));
        this.status.textContent = t('audit.count', { count: rows });
        this.cursor = page.next_cursor || null;
        this.older.hidden = !this.cursor;
        this.older.disabled = false;
    }

    destroy() {
        this.seq++;
    }
}

/** The "Audit log" page. */
export class AuditView {
    /** ctx: {api, store}; query: the hash's text after "?". */
    constructor(ctx, query = '') {
        this.ctx = ctx;
        this.filter = parseAuditFilter(query);
        this.table = new AuditTable(ctx, this.filter);
    }

    #form() {
        const labels = {
            vm: t('audit.filter.vm'), user: t('audit.filter.user'), action: t('audit.filter.action'),
            result: t('audit.filter.result'), since: t('audit.filter.since'), until: t('audit.filter.until'),
        };
        this.inputs = {};
        const fields = AUDIT_FILTERS.map((k) => {
            const time = k === 'since' || k === 'until';
            this.inputs[k] = textInput({ name: k, type: time ? 'datetime-local' : 'text', value: this.filter[k] || '' });
            return field({ label: labels[k], control: this.inputs[k], key: k });
        });
        this.error = h('p', { class: 'field-error', role: 'alert', hidden: true });
        const form = h('form', { class: 'audit-filters card', 'aria-label': t('audit.filters') },
            h('div', { class: 'form-grid' }, fields.map((f) => f.root)), this.error,
            h('div', { class: 'toolbar' },
                h('button', { type: 'submit', class: 'btn btn-primary', text: t('audit.apply') }),
                h('a', { class: 'btn', href: '#/audit', text: t('audit.clear') }),
                h('a', {
                    class: 'btn audit-export', download: 'audit.ndjson', text: t('audit.export'),
                    href: auditApiPath(this.filter, { format: 'ndjson' }),
                })));
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            const next = {};
            for (const k of AUDIT_FILTERS) {
                const v = this.inputs[k].value.trim();
                if (v) next[k] = v;
            }
            const bad = ['since', 'until'].find((k) => next[k] && localToEpochMs(next[k]) === null);
            this.error.hidden = !bad;
            if (bad) {
                this.error.textContent = t('audit.bad-time');
                this.inputs[bad].focus();
                return;
            }
            window.location.hash = auditHash(next);
        });
        return form;
    }

    mount(main) {
        document.title = t('shell.title', { page: t('audit.title') });
        main.replaceChildren(h('div', { class: 'page page-audit' },
            h('div', { class: 'page-head' }, h('h1', { id: 'page-title', class: 'page-title', tabindex: '-1', text: t('audit.title') })),
            this.#form(),
            h('section', { class: 'card list-card', 'aria-labelledby': 'page-title' }, this.table.root)));
        this.table.load();
    }

    destroy() {
        this.table.destroy();
    }
}

/** A VM's "History" tab (admins): its rows and its parts' rows. */
export class DomainHistoryView {
    /** ctx: {api, store}; vm: {uuid}. */
    constructor(ctx, vm) {
        this.ctx = ctx;
        this.uuid = vm.uuid;
        this.table = new AuditTable(ctx, { vm: vm.uuid }, { object: true });
    }

    mount(panel) {
        panel.replaceChildren(h('section', { class: 'card history-tab' },
            h('div', { class: 'section-head' }, h('h2', { class: 'card-title', text: t('audit.history.title') }),
                h('a', { class: 'btn', href: auditHash({ vm: this.uuid }), text: t('audit.history.all') })),
            this.table.root));
        this.table.load();
    }

    update() {}

    connect() {
        this.table.load();
    }

    suspend() {}

    destroy() {
        this.table.destroy();
    }
}
