// views/domain-detail.js — one VM: header with state and the same actions as the
// list, then overview, live usage (CPU sparkline, memory, disk and network rates),
// description, disks, network interfaces and graphics from GET /api/domains/{uuid}.
// Live fields are patched on store changes; the devices are re-read when libvirt
// reports the domain was (re)defined. Operators and admins get the cards under an
// Overview tab next to the Console and Serial console tabs (detail-tabs.js), which
// live as long as the page does. Browser main thread.

import { h, setText, icon } from './dom.js';
import { actionGroup, renderActionButtons } from './actions.js';
import { stateBadge, patchBadge, sparkline, patchSparkline } from './domain-list.js';
import { canAct, isActive } from '../domains.js';
import { formatKiB, formatPercent, formatRate, formatBool, orDash, DASH } from '../format.js';
import { listHash } from '../router.js';
import { DetailTabs } from './detail-tabs.js';
import { mountDomainAbout } from './domain-about.js';

function backLink() {
    return h('a', { class: 'back-link', href: listHash() }, icon('back'), 'Virtual machines');
}

function devTable(caption, columns, rows) {
    if (!rows || rows.length === 0) return h('p', { class: 'muted', text: `No ${caption.toLowerCase()}.` });
    return h('div', { class: 'table-wrap' }, h('table', { class: 'rtable' },
        h('caption', { class: 'visually-hidden', text: caption }),
        h('thead', {}, h('tr', {}, columns.map(([label]) => h('th', { scope: 'col', text: label })))),
        h('tbody', {}, rows.map((r) => h('tr', {}, columns.map(([label, fn]) =>
            h('td', { 'data-label': label }, fn(r))))))));
}

export class DomainDetailView {
    /** ctx: {api, store, runAction}; uuid: from the route. */
    constructor(ctx, uuid) {
        this.ctx = ctx;
        this.store = ctx.store;
        this.uuid = uuid;
        this.unsub = null;
        this.el = null;
        this.gone = false;
        this.fetchSeq = 0;
        this.tabs = null;
    }

    mount(container) {
        this.body = h('div', { class: 'detail-body' }, h('p', { class: 'muted', text: 'Loading\u2026' }));
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
            const title = err.status === 404 || err.status === 400
                ? 'No such virtual machine' : 'Could not load this virtual machine';
            this.el = null;
            this.body.replaceChildren(h('div', { class: 'card notice' },
                h('h1', { class: 'page-title', tabindex: '-1', id: 'page-title', text: title }),
                h('p', { text: err.message }),
                err.status === 404 || err.status === 400 ? null
                    : h('button', { type: 'button', class: 'btn', text: 'Try again', on: { click: () => this.#load(first) } })));
            if (first) document.getElementById('page-title')?.focus();
        }
    }

    #detail() {
        return this.store.details.get(this.uuid) || null;
    }

    #render(first) {
        const d = this.#detail();
        if (!d) return;
        const role = this.store.session ? this.store.session.role : 'viewer';
        const e = {};
        this.el = e;
        e.name = h('h1', { id: 'page-title', class: 'page-title', tabindex: '-1' });
        e.badge = stateBadge(d.state, d.reason);
        e.reason = h('span', { class: 'reason' });
        e.actions = canAct(role) ? actionGroup(`Actions for ${d.name}`) : null;
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
        const overview = h('section', { class: 'card', 'aria-labelledby': 'ov-title' },
            h('h2', { id: 'ov-title', class: 'card-title', text: 'Overview' }),
            h('dl', { class: 'props' },
                ovRow('uuid', 'UUID'), ovRow('state', 'State'), ovRow('title', 'Title'),
                ovRow('os', 'OS type'), ovRow('vcpus', 'vCPUs'), ovRow('memory', 'Memory'),
                ovRow('maxmem', 'Maximum memory'), ovRow('persistent', 'Persistent'),
                ovRow('autostart', 'Autostart'), ovRow('vnc', 'VNC console')));

        e.cpuText = h('span', { class: 'usage-big' });
        e.spark = sparkline('spark-large');
        e.memText = h('span');
        e.memMeter = h('meter', { class: 'usage-meter', min: '0', max: '1', low: '0.8', high: '0.95', optimum: '0', value: '0' });
        e.disk = h('dd');
        e.net = h('dd');
        e.idle = h('p', { class: 'muted usage-idle', text: 'Not running: no usage to show.', hidden: true });
        e.usageBody = h('div', { class: 'usage-body' },
            h('div', { class: 'usage-cpu' },
                h('div', {}, h('span', { class: 'usage-label', text: 'CPU' }), e.cpuText),
                e.spark.svg),
            h('dl', { class: 'props' },
                h('dt', { text: 'Memory used' }), h('dd', {}, e.memText, e.memMeter),
                h('dt', { text: 'Disk read / write' }), e.disk,
                h('dt', { text: 'Network in / out' }), e.net));
        const usage = h('section', { class: 'card', 'aria-labelledby': 'usage-title' },
            h('h2', { id: 'usage-title', class: 'card-title', text: 'Usage' }),
            e.idle,
            e.usageBody);

        const description = h('section', { class: 'card', 'aria-labelledby': 'desc-title' },
            h('h2', { id: 'desc-title', class: 'card-title', text: 'Description' }),
            d.description ? h('p', { class: 'description', text: d.description })
                : h('p', { class: 'muted', text: 'No description.' }));

        const disks = h('section', { class: 'card card-wide', 'aria-labelledby': 'disks-title' },
            h('h2', { id: 'disks-title', class: 'card-title', text: 'Disks' }),
            devTable('Disks', [
                ['Target', (r) => orDash(r.target)], ['Device', (r) => orDash(r.device)],
                ['Bus', (r) => orDash(r.bus)], ['Format', (r) => orDash(r.format)],
                ['Source', (r) => h('code', { class: 'wrap', text: orDash(r.source) })],
                ['Read-only', (r) => formatBool(r.readonly)],
            ], d.disks));
        const nics = h('section', { class: 'card card-wide', 'aria-labelledby': 'nics-title' },
            h('h2', { id: 'nics-title', class: 'card-title', text: 'Network interfaces' }),
            devTable('Network interfaces', [
                ['Type', (r) => orDash(r.type)], ['Source', (r) => orDash(r.source)],
                ['MAC', (r) => h('code', { text: orDash(r.mac) })], ['Model', (r) => orDash(r.model)],
                ['Device', (r) => orDash(r.target)],
            ], d.interfaces));
        const graphics = h('section', { class: 'card card-wide', 'aria-labelledby': 'gfx-title' },
            h('h2', { id: 'gfx-title', class: 'card-title', text: 'Graphics' }),
            devTable('Graphics', [
                ['Type', (r) => orDash(r.type)], ['Listen', (r) => orDash(r.listen)],
                ['Port', (r) => (Number.isFinite(r.port) && r.port > 0 ? String(r.port) : DASH)],
                ['Autoport', (r) => formatBool(r.autoport)],
            ], d.graphics));

        const grid = h('div', { class: 'detail-grid' }, overview, usage, description, disks, nics, graphics);
        mountDomainAbout(description, this.ctx, this.uuid); // names: title and description, editable
        if (canAct(role)) {
            this.tabs ??= new DetailTabs(this.ctx, this.uuid);
            this.tabs.setOverview(grid);
        }
        this.body.replaceChildren(
            h('div', { class: 'detail-head' },
                h('div', { class: 'detail-title' }, e.name, e.badge, e.reason),
                e.actions),
            e.goneNote,
            this.tabs ? this.tabs.root : grid);
        this.#patch();
        this.#patchUsage();
        if (first) e.name.focus();
    }

    #patch() {
        const d = this.#detail();
        const e = this.el;
        if (!d || !e) return;
        setText(e.name, d.name);
        document.title = `${d.name} \u2014 virtdeck`;
        patchBadge(e.badge, d.state, d.reason);
        setText(e.reason, d.reason ? d.reason : '');
        if (e.actions) {
            renderActionButtons(e.actions, d, this.store.session?.role, this.store.pending.get(this.uuid));
        }
        const ov = e.ov;
        setText(ov.uuid, d.uuid);
        setText(ov.state, d.reason ? `${d.state} (${d.reason})` : orDash(d.state));
        setText(ov.title, orDash(d.title));
        setText(ov.os, orDash(d.os_type));
        setText(ov.vcpus, Number.isFinite(d.vcpus) ? d.vcpus : DASH);
        setText(ov.memory, formatKiB(d.memory_kib));
        setText(ov.maxmem, formatKiB(d.max_memory_kib));
        setText(ov.persistent, formatBool(d.persistent));
        setText(ov.autostart, formatBool(d.autostart));
        setText(ov.vnc, d.has_vnc === true ? 'Available' : d.has_vnc === false ? 'None' : DASH);
        this.tabs?.update(d);
    }

    #patchUsage() {
        const d = this.#detail();
        const e = this.el;
        if (!d || !e) return;
        const active = isActive(d.state);
        e.idle.hidden = active;
        e.usageBody.hidden = !active;
        const st = active ? this.store.latestStats(this.uuid) : null;
        setText(e.cpuText, st ? formatPercent(st.cpu_percent) : DASH);
        patchSparkline(e.spark, st ? this.store.cpuHistory(this.uuid) : []);
        const total = d.memory_kib;
        if (st && Number.isFinite(st.memory_used_kib) && Number.isFinite(total) && total > 0) {
            setText(e.memText, `${formatKiB(st.memory_used_kib)} of ${formatKiB(total)}`);
            e.memMeter.value = Math.min(1, st.memory_used_kib / total);
            e.memMeter.hidden = false;
        } else {
            setText(e.memText, DASH);
            e.memMeter.hidden = true;
        }
        setText(e.disk, st ? `${formatRate(st.disk_rd_bps)} / ${formatRate(st.disk_wr_bps)}` : DASH);
        setText(e.net, st ? `${formatRate(st.net_rx_bps)} / ${formatRate(st.net_tx_bps)}` : DASH);
    }

    #onChange(c) {
        if (c.removed.includes(this.uuid)) {
            this.gone = true;
            if (this.el) {
                setText(this.el.goneNote, 'This virtual machine no longer exists on the host.');
                this.el.goneNote.hidden = false;
                if (this.el.actions) this.el.actions.replaceChildren();
            }
            return;
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
