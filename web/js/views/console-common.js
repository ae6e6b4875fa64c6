// SPDX-License-Identifier: LGPL-2.1-or-later
// views/console-common.js — the frame both console views share (VNC display and serial
// console): the bar with the state line (an aria-live status: connecting, connected,
// disconnected with the reason), Reconnect / Disconnect, Full screen and "Open in a new
// tab"; the screen box; the hint line; and Ctrl+] (keysyms.js isLeaveKey) moving focus
// from the screen to the bar. The view that owns the frame adds its own tools and
// reacts to onReconnect / onDisconnect. Browser main thread.

import { h, s, setText } from './dom.js';
import { stateText } from '../console-status.js';
import { isLeaveKey } from '../keysyms.js';
import { t } from '../i18n.js';
import { textNodes } from './i18n-dom.js';

const ICON_PATHS = {
    keyboard: ['M3 7h18v10H3z', 'M7 11h.01', 'M11 11h.01', 'M15 11h.01', 'M8 14h8'],
    type: ['M4 7V5h16v2', 'M12 5v14', 'M9 19h6'],
    clipboard: ['M9 4h6v3H9z', 'M9 5H6v15h12V5h-3'],
    fit: ['M4 9V4h5', 'M20 9V4h-5', 'M4 15v5h5', 'M20 15v5h-5'],
    fullscreen: ['M3 8V3h5', 'M21 8V3h-5', 'M3 16v5h5', 'M21 16v5h-5'],
    external: ['M14 4h6v6', 'M20 4l-9 9', 'M18 14v6H4V6h6'],
    reconnect: ['M20 12a8 8 0 1 1-2.3-5.7', 'M20 4v5h-5'],
    unplug: ['M9 7V3', 'M15 7V3', 'M6 7h12v4a6 6 0 0 1-12 0z', 'M12 17v4'],
    chevron: ['M6 9l6 6 6-6'],
};

/** A 24x24 stroked icon of the console toolbar. */
export function consoleIcon(name) {
    return s('svg', { class: `icon icon-${name}`, viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' },
        (ICON_PATHS[name] || []).map((d) => s('path', { d })));
}

/** A small toolbar button with an icon and a label. */
export function toolButton(label, iconName, onClick, props = {}) {
    return h('button', { type: 'button', class: 'btn btn-sm console-tool', ...props, on: { click: onClick } },
        consoleIcon(iconName), h('span', { class: 'btn-label', text: label }));
}

export class ConsoleFrame {
    /**
     * opts: kind ("vnc" | "serial"), label (accessible name of the screen), hint (text
     * under the screen), newTabHref (shown as "Open in new tab" when set), page (true
     * on the console's own page: the screen fills the window), onReconnect(),
     * onDisconnect(), onLeave() (after Ctrl+] moved focus out).
     */
    constructor(opts) {
        this.opts = opts;
        this.state = 'idle';
        this.stateEl = h('p', { class: 'console-state', role: 'status', 'aria-live': 'polite', dataset: { state: 'idle' } },
            h('span', { class: 'console-dot', 'aria-hidden': 'true' }), h('span', { class: 'console-state-text' }));
        this.reconnectBtn = toolButton(t('domains.console.reconnect'), 'reconnect', () => opts.onReconnect());
        this.disconnectBtn = toolButton(t('domains.console.disconnect'), 'unplug', () => opts.onDisconnect(), { hidden: true });
        this.tools = h('div', { class: 'console-tools', role: 'group', 'aria-label': t('domains.console.controls') });
        this.fullBtn = document.fullscreenEnabled
            ? toolButton(t('domains.console.fullscreen'), 'fullscreen', () => this.#toggleFullscreen())
            : null;
        this.newTab = opts.newTabHref
            ? h('a', { class: 'btn btn-sm console-tool', href: opts.newTabHref, target: '_blank', rel: 'noopener' },
                consoleIcon('external'), h('span', { class: 'btn-label', text: t('domains.console.new-tab') }))
            : null;
        this.screen = h('div', {
            class: ['console-screen', `console-screen-${opts.kind}`],
            role: opts.kind === 'vnc' ? 'application' : null,
            'aria-label': opts.kind === 'vnc' ? opts.label : null,
        });
        // While the display is not there, its box says why (the state line is what screen
        // readers hear).
        this.overlay = h('div', { class: 'console-overlay', 'aria-hidden': 'true', hidden: true },
            h('p', { class: 'console-overlay-text' }));
        if (opts.kind === 'vnc') this.screen.append(this.overlay);
        this.hint = h('p', { class: 'console-hint', text: opts.hint });
        this.hint.id = `console-hint-${opts.kind}-${Math.random().toString(36).slice(2, 8)}`;
        this.screen.setAttribute('aria-describedby', this.hint.id);
        this.root = h('section', { class: ['console', `console-${opts.kind}`, opts.page && 'console-page-mode'], 'aria-label': opts.label },
            h('div', { class: 'console-bar' },
                this.stateEl,
                h('div', { class: 'console-actions' }, this.tools, this.reconnectBtn, this.disconnectBtn, this.fullBtn, this.newTab)),
            this.screen,
            this.hint);

        // Ctrl+] leaves the screen: caught before the console's own key handling.
        this.screen.addEventListener('keydown', (ev) => {
            if (!isLeaveKey(ev)) return;
            ev.preventDefault();
            ev.stopPropagation();
            this.leave();
        }, true);
        this.onFullscreen = () => {
            if (!this.fullBtn) return;
            const on = document.fullscreenElement === this.root;
            setText(this.fullBtn.querySelector('.btn-label'), on ? t('domains.console.exit-fullscreen') : t('domains.console.fullscreen'));
            this.root.classList.toggle('is-fullscreen', on);
        };
        document.addEventListener('fullscreenchange', this.onFullscreen);
        this.setState('idle');
    }

    /**
     * True when a console that just connected may take the keyboard focus: on its own
     * page, or when the focus is already in the console (Reconnect) or nowhere. A tab of
     * the detail page does not pull focus away from its tab list.
     */
    wantsFocus() {
        const active = document.activeElement;
        return !!this.opts.page || !active || active === document.body || this.root.contains(active);
    }

    /** Moves focus from the screen to the first control of the bar. */
    leave() {
        const first = this.root.querySelector('.console-actions button:not([disabled]):not([hidden]), .console-actions a');
        if (first) first.focus();
        if (this.opts.onLeave) this.opts.onLeave();
    }

    /**
     * Shows a state: "idle" | "connecting" | "connected" | "disconnected", with its
     * message and the server's detail (English, marked so).
     */
    setState(state, message = '', retry = true, detail = '') {
        this.state = state;
        this.stateEl.dataset.state = state;
        // The server's detail is English: marked so in the state line and on the screen.
        const line = (detailEl) => textNodes((p) => stateText(state, message, p.detail), { detail: detailEl });
        const englishDetail = () => (detail ? h('span', { lang: 'en', text: detail }) : '');
        this.stateEl.querySelector('.console-state-text').replaceChildren(...line(englishDetail()));
        this.overlay.hidden = state === 'connected';
        this.overlay.firstChild.replaceChildren(...line(englishDetail()));
        this.reconnectBtn.disabled = state === 'connecting';
        this.reconnectBtn.hidden = state === 'disconnected' && !retry;
        this.disconnectBtn.hidden = state !== 'connected';
        this.root.classList.toggle('is-connected', state === 'connected');
        // Focus must not stay on a control that just disappeared.
        if (document.activeElement === this.disconnectBtn && this.disconnectBtn.hidden) this.reconnectBtn.focus();
    }

    async #toggleFullscreen() {
        try {
            if (document.fullscreenElement === this.root) await document.exitFullscreen();
            else await this.root.requestFullscreen();
        } catch { /* refused by the browser: nothing changes */ }
    }

    destroy() {
        document.removeEventListener('fullscreenchange', this.onFullscreen);
        if (document.fullscreenElement === this.root) document.exitFullscreen().catch(() => {});
        this.root.remove();
    }
}

/**
 * What the VNC and the serial view share: the frame, loading the session's module on
 * the first connect, the state line, and reconnecting by itself when a VM that had
 * stopped can be used again. A subclass provides frameOptions(), loadModule(),
 * createSession(mod) (an object with on('state'), connect(), focus(), destroy()),
 * loadFailMessage and usable(domain); it may override mounted(), sessionCreated() and
 * stateChanged(st).
 */
export class ConsoleSessionView {
    /** ctx: {notify}; opts: uuid, name (for labels), page (true on the console's own page). */
    constructor(ctx, { uuid, name = '', page = false }) {
        this.ctx = ctx;
        this.uuid = uuid;
        this.name = name;
        this.page = page;
        this.session = null;
        this.loading = null;
        this.lastState = { state: 'idle', message: '', retry: true, detail: '' };
        this.wasUsable = null;
        this.destroyed = false;
    }

    mount(container) {
        this.frame = new ConsoleFrame(this.frameOptions());
        this.mounted();
        container.append(this.frame.root);
        this.connect();
    }

    get root() {
        return this.frame?.root;
    }

    async connect() {
        if (this.destroyed) return;
        if (!this.session) {
            this.onState({ state: 'connecting', message: '', retry: true });
            try {
                this.loading ??= this.loadModule();
                const mod = await this.loading;
                if (this.destroyed || this.session) return;
                this.session = this.createSession(mod);
            } catch (err) {
                this.loading = null;
                this.onState({ state: 'disconnected', retry: true, message: this.loadFailMessage });
                return;
            }
            this.sessionCreated();
            this.session.on('state', (st) => this.onState(st));
        }
        this.session.connect();
    }

    onState(st) {
        const wasConnected = this.lastState.state === 'connected';
        this.lastState = st;
        this.frame.setState(st.state, st.message, st.retry, st.detail);
        if (st.state === 'connected' && !wasConnected && this.frame.wantsFocus()) this.session.focus();
        this.stateChanged(st);
    }

    /** The domain changed: reconnects by itself when a VM that had stopped runs again. */
    update(domain) {
        if (!domain) return;
        if (domain.name) this.name = domain.name;
        const usable = this.usable(domain);
        if (this.wasUsable === false && usable && this.lastState.state === 'disconnected' && this.lastState.retry) {
            this.connect();
        }
        this.wasUsable = usable;
    }

    destroy() {
        this.destroyed = true;
        if (this.session) this.session.destroy();
        this.session = null;
        this.frame?.destroy();
    }

    mounted() {}

    sessionCreated() {}

    stateChanged() {}
}
