// SPDX-License-Identifier: LGPL-2.1-or-later
// views/domain-detail.js — one VM: header with state and the same actions as the
// list, then overview, live usage (CPU sparkline, memory, disk and network rates),
// description, disks, network interfaces and graphics from GET /api/domains/{uuid}.
// Live fields are patched on store changes; the devices are re-read when libvirt
// reports the domain was (re)defined. Operators and admins get the cards under an
// Overview tab next to the Console and Serial console tabs (detail-tabs.js), which
// live as long as the page does. After a language switch the page is built again and
// keeps its chosen tab (keepState / restoreState). The chosen tab is in the URL
// (#/domains/<uuid>/tab/<tab>, router.js): choosing one adds a history entry, so a
// reload, a shared link and back/forward show it (showTab). The overview names the owner
// with "Change owner" (admins) and "Sharing" (the owner, admins: domain-sharing.js); the
// actions and tabs are those of the caller's rights on this VM (domains.js actingRole:
// a user's level on it). Browser main thread.

import { h, setText, icon, pathCode } from './dom.js';
import { actionGroup, patchTemplateBadge, renderActionButtons, templateBadge } from './actions.js';
import { stateBadge, patchBadge, sparkline, patchSparkline } from './domain-list.js';
import { actingRole, canAct, cpuFigure, isActive, memoryFigure, shownReason, stateLabel, stateWithReason } from '../domains.js';
import { formatKiB, formatPercent, formatRate, formatBool, orDash, DASH } from '../format.js';
import { listHash, domainHash } from '../router.js';
import { DetailTabs } from './detail-tabs.js';
import { t } from '../i18n.js';
import { errorText, errorDetail } from '../errors.js';
import { mountDomainAbout } from './domain-about.js';
import { interfaceTypeLabel } from '../device-rules.js';
import { holdActions, offlineReason } from './offline.js';
import { OwnerControls } from './domain-sharing.js';

function backLink() {
    return h('a', { class: 'back-link', href: listHash() }, icon('back'), t('domains.list.title'));
}

/** A disk's device kind ("disk", "cdrom", ...) in the current language. */
function deviceLabel(device) {
    switch (device) {
    case 'disk': return t('domains.detail.device.disk');
    case 'cdrom': return t('domains.detail.device.cdrom');
    case 'floppy': return t('domains.detail.device.floppy');
    case 'lun': return t('domains.detail.device.lun');
    default: return orDash(device);
    }
}

function devTable(caption, empty, columns, rows) {
    if (!rows || rows.length === 0) return h('p', { class: 'muted', text: empty });
    return h('div', { class: 'table-wrap' }, h('table', { class: 'rtable' },
        h('caption', { class: 'visually-hidden', text: caption }),
        h('thead', {}, h('tr', {}, columns.map(([label]) => h('th', { scope: 'col', text: label })))),
        h('tbody', {}, rows.map((r) => h('tr', {}, columns.map(([label, fn]) =>
            h('td', { 'data-label': label }, fn(r))))))));
}

/** The VNC line of the overview: a display opens only while the VM runs. */
function vncText(d) {
    if (d.has_vnc === false) return t('domains.detail.vnc-none');
    if (d.has_vnc !== true) return DASH;
    return isActive(d.state) ? t('domains.detail.vnc-available') : t('domains.detail.vnc-when-running');
}

export class DomainDetailView {
    /** ctx: {api, store, runAction}; uuid and tab: from the route. */
    constructor(ctx, uuid, tab = 'overview') {
        this.ctx = ctx;
        this.store = ctx.store;
        this.uuid = uuid;
        this.unsub = null;
        this.el = null;
        this.gone = false;
        this.offline = ''; // store.unreachable() as the page shows it
        this.lastSeen = null; // the detail last shown (the store forgets a vanished VM's)
        this.fetchSeq = 0;
        this.tabs = null;
        this.restoreTab = tab !== 'overview' ? tab : null;
        this.keepFocus = false;
    }

    /** The route names a tab of this VM (back/forward, an edited hash): choose it. */
    showTab(tab) {
        if (!this.tabs) {
            this.restoreTab = tab !== 'overview' ? tab : null;
            return;
        }
        if (!this.tabs.select(tab)) this.#replaceHash(this.tabs.selected);
    }

    /** The user chose a tab: a history entry of its own. */
    #tabChosen(tab) {
        const hash = domainHash(this.uuid, tab);
        if (window.location.hash !== hash) history.pushState(null, '', hash);
    }

    /** The URL names a tab the page cannot show (not offered now, or no tabs): name the shown one. */
    #replaceHash(tab) {
        const hash = domainHash(this.uuid, tab);
        if (window.location.hash !== hash) history.replaceState(null, '', hash);
    }

    /** What a rebuilt page keeps (a language switch): the chosen tab. */
    keepState() {
        return { tab: this.tabs ? this.tabs.selected : this.restoreTab };
    }

    /** After mount: the kept tab is chosen once the VM is read; focus stays where it is. */
    restoreState(kept) {
        this.restoreTab = kept?.tab && kept.tab !== 'overview' ? kept.tab : null;
        this.keepFocus = true;
    }

    mount(container) {
        this.body = h('div', { class: 'detail-body' }, h('p', { class: 'muted', text: t('common.loading') }));
        this.root = h('div', { class: 'page page-detail' }, backLink(), this.body);
        container.replaceChildren(this.root);
        this.unsub = this.store.on('changed', (c) => this.#onChange(c));
        this.#load(true);
    }

    destroy() {
        if (this.unsub) this.unsub();
        this.tabs?.destroy();
        this.tabs = null;
        this.root?.remove();
    }

    async #load(first) {
        const seq = ++this.fetchSeq;
        try {
            const d = await this.ctx.api.domain(this.uuid);
            if (seq !== this.fetchSeq || !this.root.isConnected) return;
            this.uuid = d.uuid;
            this.gone = false;
            this.store.setDetail(d);
            this.#render(first);
        } catch (err) {
            if (seq !== this.fetchSeq || !this.root.isConnected || err.status === 401) return;
            const missing = err.status === 404 || err.status === 400;
            const title = missing ? t('domains.detail.no-such-vm') : t('domains.detail.load-failed');
            const detail = errorDetail(err);
            this.el = null;
            this.body.replaceChildren(h('div', { class: 'card notice' },
                h('h1', { class: 'page-title', tabindex: '-1', id: 'page-title', text: title }),
                h('p', { text: errorText(err) }),
                detail ? h('p', { class: 'muted', lang: 'en', text: detail }) : null,
                missing ? null
                    : h('button', { type: 'button', class: 'btn', text: t('common.try-again'), on: { click: () => this.#load(first) } })));
            if (first && !this.keepFocus) document.getElementById('page-title')?.focus();
        }
    }

    #detail() {
        return this.store.details.get(this.uuid) || null;
    }

    #render(first) {
        const d = this.#detail();
        if (!d) return;
        // the controls of the caller's rights on this VM: its role, or a user's level on it
        const acting = actingRole(d, this.store.session);
        const e = {};
        this.el = e;
        e.name = h('h1', { id: 'page-title', class: 'page-title', tabindex: '-1' });
        e.badge = stateBadge(d.state, d.reason);
        e.reason = h('span', { class: 'reason' });
        e.template = templateBadge();
        e.templateNote = h('p', { class: 'template-note', text: t('domains.template.note'), hidden: true });
        e.actions = canAct(acting) ? actionGroup(d.name) : null;
        if (e.actions) {
            e.actions.addEventListener('click', (ev) => {
                const btn = ev.target.closest('button[data-action]');
                if (btn && !btn.disabled) this.ctx.runAction(this.uuid, btn.dataset.action, btn);
            });
        }
        e.goneNote = h('p', { class: 'gone-note', role: 'status', hidden: true });

        const ov = {};
        const ovRow = (key, label) => {
            ov[key] = h('dd');
            return [h('dt', { text: label }), ov[key]];
        };
        e.ov = ov;
        e.owner = new OwnerControls(this.ctx, this.uuid, () => this.#load(false));
        const overview = h('section', { class: 'card', 'aria-labelledby': 'ov-title' },
            h('h2', { id: 'ov-title', class: 'card-title', text: t('domains.detail.overview') }),
            h('dl', { class: 'props' },
                ovRow('uuid', t('domains.detail.uuid')), ovRow('owner', t('sharing.owner.label')),
                ovRow('state', t('domains.col.state')),
                ovRow('os', t('domains.detail.os-type')),
                ovRow('vcpus', t('domains.col.vcpus')), ovRow('memory', t('domains.col.memory')),
                ovRow('maxmem', t('domains.detail.max-memory')), ovRow('persistent', t('domains.detail.persistent')),
                ovRow('autostart', t('domains.detail.autostart')), ovRow('vnc', t('domains.detail.vnc'))));

        e.cpuText = h('span', { class: 'usage-big' });
        e.spark = sparkline('spark-large');
        e.memText = h('span', { class: 'usage-mem' });
        e.memHost = h('span', { class: 'usage-mem-host muted', hidden: true });
        e.memMeter = h('meter', { class: 'usage-meter', min: '0', max: '1', low: '0.8', high: '0.95', optimum: '0', value: '0' });
        e.disk = h('dd');
        e.net = h('dd');
        e.idle = h('p', { class: 'muted usage-idle', text: t('domains.detail.not-running'), hidden: true });
        e.usageBody = h('div', { class: 'usage-body' },
            h('div', { class: 'usage-cpu' },
                h('div', {}, h('span', { class: 'usage-label', text: t('domains.col.cpu') }), e.cpuText),
                e.spark.svg),
            h('dl', { class: 'props' },
                h('dt', { text: t('domains.detail.memory-used') }), h('dd', {}, e.memText, e.memMeter, e.memHost),
                h('dt', { text: t('domains.detail.disk-io') }), e.disk,
                h('dt', { text: t('domains.detail.net-io') }), e.net));
        const usage = h('section', { class: 'card', 'aria-labelledby': 'usage-title' },
            h('h2', { id: 'usage-title', class: 'card-title', text: t('domains.detail.usage') }),
            e.idle,
            e.usageBody);

        const description = h('section', { class: 'card', 'aria-labelledby': 'desc-title' },
            h('h2', { id: 'desc-title', class: 'card-title', text: t('domains.detail.description') }),
            d.description ? h('p', { class: 'description', text: d.description })
                : h('p', { class: 'muted', text: t('domains.detail.no-description') }));

        const disks = h('section', { class: 'card card-wide', 'aria-labelledby': 'disks-title' },
            h('h2', { id: 'disks-title', class: 'card-title', text: t('domains.detail.disks') }),
            devTable(t('domains.detail.disks'), t('domains.detail.no-disks'), [
                [t('domains.detail.col.target'), (r) => orDash(r.target)],
                [t('domains.detail.col.device'), (r) => deviceLabel(r.device)],
                [t('domains.detail.col.bus'), (r) => orDash(r.bus)],
                [t('domains.detail.col.format'), (r) => orDash(r.format)],
                [t('domains.detail.col.source'), (r) => (r.source ? pathCode(r.source) : DASH)],
                [t('domains.detail.col.readonly'), (r) => formatBool(r.readonly)],
            ], d.disks));
        const nics = h('section', { class: 'card card-wide', 'aria-labelledby': 'nics-title' },
            h('h2', { id: 'nics-title', class: 'card-title', text: t('domains.detail.interfaces') }),
            devTable(t('domains.detail.interfaces'), t('domains.detail.no-interfaces'), [
                [t('domains.detail.col.type'), (r) => orDash(interfaceTypeLabel(r.type))],
                [t('domains.detail.col.source'), (r) => orDash(r.source)],
                [t('domains.detail.col.mac'), (r) => h('code', { text: orDash(r.mac) })],
                [t('domains.detail.col.model'), (r) => orDash(r.model)],
                [t('domains.detail.col.host-device'), (r) => orDash(r.target)],
            ], d.interfaces));
        const graphics = h('section', { class: 'card card-wide', 'aria-labelledby': 'gfx-title' },
            h('h2', { id: 'gfx-title', class: 'card-title', text: t('domains.detail.graphics') }),
            devTable(t('domains.detail.graphics'), t('domains.detail.no-graphics'), [
                [t('domains.detail.col.type'), (r) => orDash(r.type)],
                [t('domains.detail.col.listen'), (r) => orDash(r.listen)],
                [t('domains.detail.col.port'), (r) => (Number.isFinite(r.port) && r.port > 0 ? String(r.port) : DASH)],
                [t('domains.detail.col.autoport'), (r) => formatBool(r.autoport)],
            ], d.graphics));

        const grid = h('div', { class: 'detail-grid' }, overview, usage, description, disks, nics, graphics);
        mountDomainAbout(description, this.ctx, this.uuid); // names: title and description, editable
        ov.owner.append(e.owner.root);
        if (canAct(acting) || acting === 'console' || this.store.session?.role === 'user') {
            this.tabs ??= new DetailTabs(this.ctx, this.uuid, (tab) => this.#tabChosen(tab));
            this.tabs.setOverview(grid);
        }
        this.body.replaceChildren(
            h('div', { class: 'detail-head' },
                h('div', { class: 'detail-title' }, e.name, e.badge, e.template, e.reason),
                e.actions),
            e.goneNote,
            e.templateNote,
            this.tabs ? this.tabs.root : grid);
        this.#patch();
        this.#patchUsage();
        if (this.restoreTab) {
            if (!this.tabs?.select(this.restoreTab)) this.#replaceHash(this.tabs ? this.tabs.selected : 'overview');
            this.restoreTab = null;
        }
        if (first && !this.keepFocus) e.name.focus();
    }

    #patch() {
        const d = this.#detail();
        const e = this.el;
        if (!d || !e) return;
        setText(e.name, d.name);
        document.title = t('shell.title', { page: d.name });
        // While the server or libvirt is unreachable the state reads "unknown" and the
        // actions wait, saying why.
        const why = this.store.unreachable();
        const state = this.store.shownState(d);
        patchBadge(e.badge, state, d.reason);
        patchTemplateBadge(e.template, d);
        e.templateNote.hidden = d.template !== true;
        setText(e.reason, why ? '' : shownReason(d.reason));
        if (e.actions) {
            renderActionButtons(e.actions, d, actingRole(d, this.store.session), this.store.pending.get(this.uuid));
            holdActions(e.actions, offlineReason(why));
        }
        const ov = e.ov;
        setText(ov.uuid, d.uuid);
        e.owner.update(d, actingRole(d, this.store.session));
        setText(ov.state, why ? stateLabel(state) : d.state ? stateWithReason(d.state, d.reason) : DASH);
        setText(ov.os, orDash(d.os_type));
        setText(ov.vcpus, Number.isFinite(d.vcpus) ? d.vcpus : DASH);
        setText(ov.memory, formatKiB(d.memory_kib));
        setText(ov.maxmem, formatKiB(d.max_memory_kib));
        setText(ov.persistent, formatBool(d.persistent));
        setText(ov.autostart, formatBool(d.autostart));
        setText(ov.vnc, vncText({ ...d, state }));
        this.lastSeen = d; // what the tabs are told when the VM vanishes
        this.tabs?.update({ ...d, state });
    }

    #patchUsage() {
        const d = this.#detail();
        const e = this.el;
        if (!d || !e) return;
        const state = this.store.shownState(d);
        const active = isActive(state);
        setText(e.idle, state === 'unknown' ? t('domains.detail.unknown-usage') : t('domains.detail.not-running'));
        e.idle.hidden = active;
        e.usageBody.hidden = !active;
        const st = active ? this.store.latestStats(this.uuid) : null;
        const cpu = cpuFigure(st);
        // No figure yet (or a driver that gives none): words, and no empty graph.
        setText(e.cpuText, cpu.none ? t('domains.detail.no-cpu-figure') : formatPercent(cpu.percent));
        e.cpuText.classList.toggle('usage-none', !!cpu.none);
        const history = active ? this.store.cpuHistory(this.uuid) : [];
        patchSparkline(e.spark, history);
        e.spark.svg.classList.toggle('is-empty', history.length === 0);
        // The guest's own figure with a bar; without one, words (and the host's resident
        // size, named as such), never the allocation drawn as a full bar.
        const mem = memoryFigure(st, d.memory_kib);
        if (!mem.none) {
            setText(e.memText, t('domains.detail.memory-of', { used: formatKiB(mem.used), total: formatKiB(mem.total) }));
            e.memMeter.value = mem.fraction;
        } else if (mem.noSample) {
            setText(e.memText, DASH);
        } else {
            setText(e.memText, t('domains.detail.memory-not-reported'));
        }
        e.memText.classList.toggle('usage-none', !!mem.none && !mem.noSample);
        e.memMeter.hidden = !!mem.none;
        setText(e.memHost, mem.resident === null || mem.resident === undefined ? ''
            : t('domains.detail.memory-resident', { size: formatKiB(mem.resident) }));
        e.memHost.hidden = !e.memHost.textContent;
        setText(e.disk, st ? `${formatRate(st.disk_rd_bps)} / ${formatRate(st.disk_wr_bps)}` : DASH);
        setText(e.net, st ? `${formatRate(st.net_rx_bps)} / ${formatRate(st.net_tx_bps)}` : DASH);
    }

    /**
     * The VM no longer exists: every part of the page says so (badge, state, usage,
     * actions, VNC line), not just the note; nothing it showed is left as if live.
     */
    #showGone() {
        const e = this.el;
        if (!e) return;
        setText(e.goneNote, t('domains.gone'));
        e.goneNote.hidden = false;
        patchBadge(e.badge, 'gone');
        setText(e.reason, '');
        setText(e.ov.state, stateLabel('gone'));
        setText(e.ov.vnc, DASH);
        if (e.actions) {
            e.actions.replaceChildren();
            e.actions.dataset.key = '';
            e.actions.hidden = true;
        }
        setText(e.idle, t('domains.detail.gone-usage'));
        e.idle.hidden = false;
        e.usageBody.hidden = true;
        patchSparkline(e.spark, []);
        if (this.lastSeen) this.tabs?.update({ ...this.lastSeen, state: 'gone' }); // no console to open
    }

    #onChange(c) {
        if (c.removed.includes(this.uuid)) {
            this.gone = true;
            this.#showGone();
            return;
        }
        if ((c.connection || c.host) && !this.gone && this.store.unreachable() !== this.offline) {
            this.offline = this.store.unreachable();
            this.#patch();
            this.#patchUsage();
        }
        if (c.domains.includes(this.uuid)) {
            if (this.gone) {
                this.#load(false); // defined again
                return;
            }
            if (c.events[this.uuid] === 'defined') this.#load(false);
            else this.#patch();
        }
        if (c.stats.includes(this.uuid)) this.#patchUsage();
    }
}
