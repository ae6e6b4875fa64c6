// SPDX-License-Identifier: LGPL-2.1-or-later
// views/detail-tabs.js — the tabs of a VM's detail page for users who may use its
// consoles (operator, admin): Overview (the cards), Monitoring (graphs: metrics-graphs.js), Console (the VNC display, while the
// VM runs and has one), Serial console (while it runs), Disks (domain-disks.js),
// Network interfaces (domain-interfaces.js), Snapshots (domain-snapshots.js),
// Configuration (domain-config.js; who may configure a VM: operators, admins, its
// owner), for admins XML (domain-xml.js), and History (the VM's audit log rows, audit.js). A
// console connects when its tab is chosen and disconnects when another tab is; a tab stays visible while chosen
// even if the VM stops, so its last state line can still be read. WAI-ARIA tabs with
// manual activation (arrows move, Enter/Space/click choose) because choosing one opens
// a connection. A tab the user chooses is reported to onChoose (the page puts it in the
// URL). Browser main thread.

import { h } from './dom.js';
import { ConsoleView } from './console-view.js';
import { SerialView } from './serial-view.js';
import { DomainDisksView } from './domain-disks.js';
import { DomainInterfacesView } from './domain-interfaces.js';
import { DomainSnapshotsView } from './domain-snapshots.js';
import { DomainXmlView } from './domain-xml.js';
import { DomainHistoryView } from './audit.js';
import { DomainConfigView } from './domain-config.js';
import { DomainMetricsView } from './metrics-graphs.js';
import { canManage } from './form-kit.js';
import { actingRole, canConsole, canManageVm, consolesAvailable } from '../domains.js';
import { t } from '../i18n.js';

/** The tabs in order; label() is read when the tabs are built. */
const TABS = [
    { id: 'overview', label: () => t('domains.detail.overview') },
    { id: 'monitoring', label: () => t('metrics.tab') },
    { id: 'console', label: () => t('domains.console.vnc') },
    { id: 'serial', label: () => t('domains.console.serial') },
    { id: 'disks', label: () => t('domains.detail.disks') },
    { id: 'nics', label: () => t('domains.detail.interfaces') },
    { id: 'snapshots', label: () => t('domains.snapshot.tab') },
    { id: 'config', label: () => t('config.tab') },
    { id: 'xml', label: () => t('domains.xml.tab') },
    { id: 'history', label: () => t('audit.history.tab') },
];

/** The view class of every tab but Overview. */
const VIEWS = {
    monitoring: DomainMetricsView, console: ConsoleView, serial: SerialView, disks: DomainDisksView, nics: DomainInterfacesView, snapshots: DomainSnapshotsView,
    config: DomainConfigView, xml: DomainXmlView, history: DomainHistoryView,
};

/** Which tabs a domain offers for the caller's acting role on it (domains.js actingRole): the consoles to who may
 * open them; Configuration to who may configure; the raw XML only to admins (it holds secrets); History (the VM's
 * audit rows, which every role may read for a VM it sees) to all. */
function tabsAvailable(domain, admin, acting) {
    const c = consolesAvailable(domain);
    const console = canConsole(acting);
    return {
        overview: true, monitoring: true, console: console && c.vnc, serial: console && c.serial, disks: true, nics: true, snapshots: true,
        config: canManageVm(acting), xml: admin, history: true,
    };
}

export class DetailTabs {
    /** ctx: the page context ({notify, ...}); uuid: the VM; onChoose(id): a tab the user chose. */
    constructor(ctx, uuid, onChoose = null) {
        this.ctx = ctx;
        this.uuid = uuid;
        this.onChoose = onChoose;
        this.selected = 'overview';
        this.domain = null;
        this.views = {};
        this.tabs = {};
        this.panels = {};
        const base = `tabs-${uuid.slice(0, 8)}`;
        this.tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('domains.detail.tabs') });
        for (const spec of TABS) {
            const tab = h('button', {
                type: 'button', role: 'tab', class: 'tab', id: `${base}-${spec.id}-tab`,
                'aria-controls': `${base}-${spec.id}`, 'aria-selected': spec.id === this.selected ? 'true' : 'false',
                tabindex: spec.id === this.selected ? '0' : '-1', dataset: { tab: spec.id }, text: spec.label(),
            });
            const panel = h('div', {
                role: 'tabpanel', class: ['tab-panel', `tab-panel-${spec.id}`], id: `${base}-${spec.id}`,
                'aria-labelledby': tab.id, tabindex: spec.id === 'overview' ? null : '-1', hidden: spec.id !== this.selected,
            });
            this.tabs[spec.id] = tab;
            this.panels[spec.id] = panel;
            this.tablist.append(tab);
        }
        this.tablist.addEventListener('click', (ev) => {
            const tab = ev.target.closest('[data-tab]');
            if (!tab) return;
            this.select(tab.dataset.tab);
            this.onChoose?.(this.selected);
        });
        this.tablist.addEventListener('keydown', (ev) => this.#onKey(ev));
        this.root = h('div', { class: 'detail-tabs' }, this.tablist, TABS.map((spec) => this.panels[spec.id]));
    }

    /** Puts the Overview content (the detail cards) in its panel. */
    setOverview(content) {
        this.panels.overview.replaceChildren(content);
    }

    /** The domain changed: which tabs show, and the consoles' own reaction. */
    update(domain) {
        this.domain = domain;
        const avail = tabsAvailable(domain, canManage(this.ctx.store), actingRole(domain, this.ctx.store.session));
        let shown = 0;
        for (const spec of TABS) {
            const visible = avail[spec.id] || this.selected === spec.id;
            this.tabs[spec.id].hidden = !visible;
            if (visible) shown++;
        }
        this.tablist.hidden = shown < 2;
        for (const v of Object.values(this.views)) v.update(domain);
    }

    /**
     * Chooses a tab: shows its panel, connects its console, disconnects the one left.
     * Returns false (and changes nothing) for a tab that is not offered now.
     */
    select(id, { focus = false } = {}) {
        if (!this.tabs[id] || this.tabs[id].hidden) return false;
        const prev = this.selected;
        if (prev !== id) {
            this.views[prev]?.suspend();
            this.selected = id;
            for (const spec of TABS) {
                const on = spec.id === id;
                this.tabs[spec.id].setAttribute('aria-selected', on ? 'true' : 'false');
                this.tabs[spec.id].tabIndex = on ? 0 : -1;
                this.panels[spec.id].hidden = !on;
            }
            if (id !== 'overview') {
                if (!this.views[id]) {
                    const View = VIEWS[id];
                    this.views[id] = new View(this.ctx, { uuid: this.uuid, name: this.domain?.name || '' });
                    this.views[id].mount(this.panels[id]);
                    if (this.domain) this.views[id].update(this.domain);
                } else {
                    this.views[id].connect();
                }
            }
            if (this.domain) this.update(this.domain); // a tab left while unavailable disappears
        }
        if (focus) this.tabs[id].focus();
        return true;
    }

    #onKey(ev) {
        const visible = TABS.map((spec) => this.tabs[spec.id]).filter((b) => !b.hidden);
        const i = visible.indexOf(document.activeElement);
        if (i < 0) return;
        let next = null;
        if (ev.key === 'ArrowRight') next = visible[(i + 1) % visible.length];
        else if (ev.key === 'ArrowLeft') next = visible[(i - 1 + visible.length) % visible.length];
        else if (ev.key === 'Home') next = visible[0];
        else if (ev.key === 'End') next = visible[visible.length - 1];
        if (!next) return;
        ev.preventDefault();
        next.focus();
    }

    destroy() {
        for (const v of Object.values(this.views)) v.destroy();
        this.views = {};
        this.root.remove();
    }
}
