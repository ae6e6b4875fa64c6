// SPDX-License-Identifier: LGPL-2.1-or-later
// views/domain-list.js — the VM table with the host panel above it. Rows are keyed:
// a Map uuid -> row record built once (all rows in one pass into a fragment), then
// every store change patches only the rows it names (state, numbers, sparkline,
// buttons); rows move only when a domain is added or renamed. Rows far from the
// viewport (an IntersectionObserver decides) skip the costly parts: their action
// buttons are built and their sparklines repainted only once they come near the
// screen, which keeps a 1,000-row table light. Filtering toggles `hidden` on rows.
// Clicks on action buttons are delegated to the table body. Admins and operators see
// each VM's owner; each row's actions are those of the caller's rights on that VM
// (domains.js actingRole). Browser main thread.
// A `user` also sees its quota (views/quota-bars.js) between the host panel and the table.

import { h, s, setText, setAttr } from './dom.js';
import { actionGroup, actionGroupLabel, patchTemplateBadge, renderActionButtons, templateBadge } from './actions.js';
import { HostPanel } from './host.js';
import { QuotaBars } from './quota-bars.js';
import { actingRole, canAct, canCreate, cpuFigure, isActive, matchesFilter, stateTone, stateLabel, stateWithReason } from '../domains.js';
import { formatKiB, formatPercent, DASH } from '../format.js';
import { t } from '../i18n.js';
import { sparklineArea, sparklinePath } from '../sparkline.js';
import { createHash, domainHash } from '../router.js';
import { holdActions, offlineReason } from './offline.js';

const SPARK = { width: 120, height: 28, capacity: 150, max: 100, pad: 2 };

// The filter survives a trip to a detail view and back.
const filterMemory = { text: '', state: '' };

export function stateBadge(state, reason) {
    const el = h('span', { class: `badge badge-${stateTone(state)}` });
    patchBadge(el, state, reason);
    return el;
}

export function patchBadge(el, state, reason) {
    setText(el, stateLabel(state || 'nostate'));
    setAttr(el, 'class', `badge badge-${stateTone(state)}`);
    setAttr(el, 'title', stateWithReason(state || 'nostate', reason));
}

export function sparkline(extraClass = '') {
    const area = s('path', { class: 'spark-area' });
    const line = s('path', { class: 'spark-line', 'vector-effect': 'non-scaling-stroke' });
    const svg = s('svg', {
        class: `spark ${extraClass}`.trim(), viewBox: `0 0 ${SPARK.width} ${SPARK.height}`,
        preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false',
    }, area, line);
    return { svg, area, line };
}

export function patchSparkline(sp, values) {
    setAttr(sp.line, 'd', values.length ? sparklinePath(values, SPARK) : null);
    setAttr(sp.area, 'd', values.length ? sparklineArea(values, SPARK) : null);
}

export class DomainListView {
    /** ctx: {store, runAction, api}. */
    constructor(ctx) {
        this.ctx = ctx;
        this.store = ctx.store;
        this.rows = new Map();
        this.byTr = new WeakMap(); // <tr> -> uuid, for the IntersectionObserver
        this.unsub = null;
        this.observer = null;
        this.offline = ''; // store.unreachable() as the rows show it
        this.host = new HostPanel(ctx);
    }

    mount(container) {
        const role = this.store.session ? this.store.session.role : 'viewer';
        this.withActions = canAct(role) || role === 'user'; // a user acts on the VMs it owns or operates
        this.withOwner = role === 'admin' || role === 'operator'; // who owns each VM (docs/api.md "owner")
        this.role = role;
        // Read once per mount: a 1,000-row table asks the catalogue 5 times, not 5,000.
        this.labels = {
            name: t('domains.col.name'), state: t('domains.col.state'), vcpus: t('domains.col.vcpus'),
            memory: t('domains.col.memory'), cpu: t('domains.col.cpu'), actions: t('domains.col.actions'),
            owner: t('domains.col.owner'),
        };

        this.search = h('input', {
            id: 'vm-filter', type: 'search', class: 'input input-search', placeholder: t('domains.list.filter-placeholder'),
            autocomplete: 'off', spellcheck: 'false', value: filterMemory.text,
        });
        this.stateSelect = h('select', { id: 'vm-state-filter', class: 'input select' },
            h('option', { value: '', text: t('domains.list.all-states') }),
            ['running', 'paused', 'shutoff'].map((st) => h('option', { value: st, text: stateLabel(st) })),
            h('option', { value: 'other', text: t('domains.list.other-states') }));
        this.stateSelect.value = filterMemory.state;
        this.countEl = h('p', { class: 'count', role: 'status' });
        this.tbody = h('tbody');
        this.empty = h('p', { class: 'empty', hidden: true });

        const L = this.labels;
        const heads = [[L.name, 'col-name'], [L.state, 'col-state'], [L.vcpus, 'col-num'],
            [L.memory, 'col-num'], [L.cpu, 'col-cpu']];
        if (this.withOwner) heads.splice(2, 0, [L.owner, 'col-owner']);
        if (this.withActions) heads.push([L.actions, 'col-actions']);
        this.table = h('table', { class: 'vm-table' },
            h('caption', { class: 'visually-hidden', text: t('domains.list.title') }),
            h('thead', {}, h('tr', {}, heads.map(([t, c]) => h('th', { scope: 'col', class: c, text: t })))),
            this.tbody);

        this.root = h('div', { class: 'page page-list' });
        this.host.mount(this.root);
        this.root.append(h('section', { class: 'card vm-section', 'aria-labelledby': 'page-title' },
            h('div', { class: 'section-head' },
                h('h1', { id: 'page-title', class: 'page-title', tabindex: '-1', text: t('domains.list.title') }),
                h('div', { class: 'toolbar' },
                    h('label', { for: 'vm-filter', class: 'visually-hidden', text: t('domains.list.filter-label') }),
                    this.search,
                    h('label', { for: 'vm-state-filter', class: 'visually-hidden', text: t('domains.list.state-filter-label') }),
                    this.stateSelect,
                    this.countEl,
                    // operators, admins and users (self-service): the "Create VM" wizard (a page of its own)
                    canCreate(this.role) ? h('a', { class: 'btn btn-primary create-vm', href: createHash(), text: t('create.open') }) : null)),
            h('div', { class: 'table-wrap' }, this.table),
            this.empty));
        // a `user`'s quota: used/limit bars (docs/api.md "Quotas"), below the list: the card
        // appears once GET /api/quota answers, and above the list it would push the list's
        // links and buttons down under a pointer already on its way to them
        if (role === 'user') {
            this.quota = new QuotaBars(this.ctx);
            this.quota.mount(this.root);
        }
        container.replaceChildren(this.root);

        this.search.addEventListener('input', () => this.#applyFilter());
        this.stateSelect.addEventListener('change', () => this.#applyFilter());
        this.tbody.addEventListener('click', (ev) => this.#onClick(ev));
        if (typeof IntersectionObserver === 'function') {
            this.observer = new IntersectionObserver((entries) => this.#onIntersect(entries),
                { rootMargin: '200px 0px' });
        }
        this.unsub = this.store.on('changed', (c) => this.#onChange(c));
        this.#renderAll();
    }

    destroy() {
        if (this.observer) this.observer.disconnect();
        if (this.unsub) this.unsub();
        this.host.destroy();
        this.quota?.destroy();
        this.root?.remove();
        this.rows.clear();
    }

    // ---- rows -----------------------------------------------------------------

    #createRow(d) {
        const link = h('a', { class: 'vm-name', href: domainHash(d.uuid) });
        const badge = h('span', { class: 'badge' });
        const template = templateBadge();
        const L = this.labels;
        const vcpus = h('td', { class: 'col-num', 'data-label': L.vcpus });
        const mem = h('td', { class: 'col-num', 'data-label': L.memory });
        const cpuText = h('span', { class: 'cpu-text' });
        const spark = sparkline();
        const owner = this.withOwner ? h('td', { class: 'col-owner', 'data-label': L.owner }) : null;
        const tr = h('tr', { dataset: { uuid: d.uuid } },
            h('td', { class: 'col-name', 'data-label': L.name }, link, ' ', template),
            h('td', { class: 'col-state', 'data-label': L.state }, badge),
            owner, vcpus, mem,
            h('td', { class: 'col-cpu', 'data-label': L.cpu }, h('span', { class: 'cpu' }, cpuText, spark.svg)));
        const rec = {
            tr, link, badge, template, owner, vcpus, mem, cpuText, spark, actions: null, name: null, visible: true,
            onScreen: !this.observer, cpuStale: false, actionsStale: false,
        };
        this.byTr.set(tr, d.uuid);
        if (this.observer) this.observer.observe(tr);
        if (this.withActions) {
            rec.actions = actionGroup(d.name);
            tr.append(h('td', { class: 'col-actions', 'data-label': L.actions }, rec.actions));
        }
        this.rows.set(d.uuid, rec);
        this.#patchRow(rec, d);
        this.#patchCpu(rec, d);
        return rec;
    }

    /** Returns true when the row must move (its name changed). */
    #patchRow(rec, d) {
        const renamed = rec.name !== null && rec.name !== d.name;
        if (rec.name !== d.name) {
            rec.name = d.name;
            setText(rec.link, d.name);
            if (rec.actions) setAttr(rec.actions, 'aria-label', actionGroupLabel(d.name));
        }
        setAttr(rec.link, 'title', d.title || null); // names: the VM's title, on its name
        // While the server or libvirt is unreachable, the state reads "unknown".
        patchBadge(rec.badge, this.store.shownState(d), d.reason);
        patchTemplateBadge(rec.template, d);
        if (rec.owner) setText(rec.owner, d.owner || DASH);
        setText(rec.vcpus, Number.isFinite(d.vcpus) ? d.vcpus : DASH);
        setText(rec.mem, formatKiB(d.memory_kib));
        if (rec.actions) {
            if (renamed) rec.actions.dataset.key = '';
            if (rec.onScreen) this.#patchActions(rec, d);
            else rec.actionsStale = true;
        }
        const visible = matchesFilter(d, this.search.value, this.stateSelect.value);
        if (visible !== rec.visible) {
            rec.visible = visible;
            rec.tr.hidden = !visible;
        }
        return renamed;
    }

    #onIntersect(entries) {
        for (const entry of entries) {
            const uuid = this.byTr.get(entry.target);
            const rec = uuid && this.rows.get(uuid);
            if (!rec) continue;
            rec.onScreen = entry.isIntersecting;
            if (!rec.onScreen) continue;
            const d = this.store.domains.get(uuid);
            if (!d) continue;
            if (rec.actionsStale) this.#patchActions(rec, d);
            if (rec.cpuStale) this.#patchCpu(rec, d);
        }
    }

    #patchActions(rec, d) {
        rec.actionsStale = false;
        renderActionButtons(rec.actions, d, actingRole(d, this.store.session), this.store.pending.get(d.uuid));
        holdActions(rec.actions, offlineReason(this.offline));
    }

    #patchCpu(rec, d) {
        rec.cpuStale = false;
        const active = isActive(this.store.shownState(d));
        const cpu = cpuFigure(active ? this.store.latestStats(d.uuid) : null);
        // A running VM without a figure says so; a stopped one has none to give (a dash).
        setText(rec.cpuText, !active ? DASH : cpu.none ? t('domains.list.no-cpu') : formatPercent(cpu.percent));
        patchSparkline(rec.spark, active ? this.store.cpuHistory(d.uuid) : []);
    }

    #renderAll() {
        this.offline = this.store.unreachable();
        if (this.observer) this.observer.disconnect();
        this.tbody.replaceChildren();
        this.rows.clear();
        const frag = document.createDocumentFragment();
        for (const uuid of this.store.sortedUuids()) frag.append(this.#createRow(this.store.domains.get(uuid)).tr);
        this.tbody.append(frag);
        this.#updateCount();
    }

    /** Moves rows into name order, touching only the ones out of place. */
    #reorder() {
        let cursor = this.tbody.firstChild;
        for (const uuid of this.store.sortedUuids()) {
            const rec = this.rows.get(uuid);
            if (!rec) continue;
            if (rec.tr === cursor) cursor = cursor.nextSibling;
            else this.tbody.insertBefore(rec.tr, cursor);
        }
    }

    #onChange(c) {
        if (c.reset) {
            this.#renderAll();
            return;
        }
        if ((c.connection || c.host) && this.store.unreachable() !== this.offline) {
            // Reachability changed: every row's state, figures and buttons follow it.
            this.offline = this.store.unreachable();
            for (const [uuid, rec] of this.rows) {
                const d = this.store.domains.get(uuid);
                if (!d) continue;
                this.#patchRow(rec, d);
                this.#patchCpu(rec, d);
                // A row off screen keeps its buttons until it scrolls back (actionsStale);
                // held now all the same, as a screen reader still reaches them.
                if (rec.actions && !rec.onScreen) holdActions(rec.actions, offlineReason(this.offline));
            }
        }
        let structural = false;
        for (const uuid of c.removed) {
            const rec = this.rows.get(uuid);
            if (rec) {
                if (this.observer) this.observer.unobserve(rec.tr);
                rec.tr.remove();
                this.rows.delete(uuid);
                structural = true;
            }
        }
        let moved = false;
        const created = [];
        for (const uuid of c.domains) {
            const d = this.store.domains.get(uuid);
            if (!d) continue;
            const rec = this.rows.get(uuid);
            if (rec) {
                if (this.#patchRow(rec, d)) moved = true;
                this.#patchCpu(rec, d);
            } else {
                created.push(this.#createRow(d).tr);
            }
        }
        if (created.length) {
            const frag = document.createDocumentFragment();
            frag.append(...created);
            this.tbody.append(frag);
            moved = true;
        }
        if (moved) this.#reorder();
        for (const uuid of c.stats) {
            const rec = this.rows.get(uuid);
            if (!rec) continue;
            if (!rec.onScreen) {
                rec.cpuStale = true;
                continue;
            }
            const d = this.store.domains.get(uuid);
            if (d) this.#patchCpu(rec, d);
        }
        if (structural || moved || c.domains.length) this.#updateCount();
    }

    // ---- filter, count, clicks -------------------------------------------------

    #applyFilter() {
        filterMemory.text = this.search.value;
        filterMemory.state = this.stateSelect.value;
        for (const [uuid, rec] of this.rows) {
            const d = this.store.domains.get(uuid);
            const visible = !!d && matchesFilter(d, filterMemory.text, filterMemory.state);
            if (visible !== rec.visible) {
                rec.visible = visible;
                rec.tr.hidden = !visible;
            }
        }
        this.#updateCount();
    }

    #updateCount() {
        let shown = 0;
        for (const rec of this.rows.values()) if (rec.visible) shown++;
        const total = this.rows.size;
        const filtered = this.search.value.trim() !== '' || this.stateSelect.value !== '';
        setText(this.countEl, filtered
            ? t('domains.list.count-filtered', { count: total, shown })
            : t('domains.list.count', { count: total }));
        let emptyText = '';
        if (total === 0) {
            emptyText = this.store.domainsLoaded ? t('domains.list.none') : t('domains.list.loading');
        } else if (shown === 0) emptyText = t('domains.list.no-match');
        setText(this.empty, emptyText);
        this.empty.hidden = !emptyText;
        this.table.classList.toggle('is-empty', shown === 0);
    }

    #onClick(ev) {
        const btn = ev.target.closest('button[data-action]');
        if (!btn || btn.disabled) return;
        const tr = btn.closest('tr');
        if (!tr || !tr.dataset.uuid) return;
        this.ctx.runAction(tr.dataset.uuid, btn.dataset.action, btn);
    }
}
