// SPDX-License-Identifier: LGPL-2.1-or-later
// console.js — wraps noVNC (web/vendor/novnc, copied from npm by the Makefile) for one
// VM's display: opens the websocket to /api/domains/{uuid}/console itself (subprotocol
// "binary") so the close code and reason reach the UI, hands it to noVNC's RFB, and
// turns RFB's events into one "state" event ({state, message, retry, detail}: message
// in the UI's language, detail what the server or the VNC server said) plus
// "credentials" ({types}) when the VNC server asks for a password. Also sends key
// combinations and typed text (keysyms.js). Browser main thread; loaded on demand by
// views/console-view.js, so the rest of the UI never downloads noVNC.

import RFB from '../vendor/novnc/core/rfb.js';
import { initLogging } from '../vendor/novnc/core/util/logging.js';
import { Emitter } from './emitter.js';
import { describeClose, cleanReason } from './console-status.js';
import { KEYSYM, comboEvents, textToKeyEvents } from './keysyms.js';
import { t } from './i18n.js';

// noVNC logs expected closes (a VM that is not running) as console errors; the state
// line says what happened instead.
initLogging('none');

export class VncConsole extends Emitter {
    #target;
    #url;
    #rfb = null;
    #close = null; // what the current connection's close looked like
    #scale = true;

    /** target: the element noVNC draws into; url: the console websocket's URL. */
    constructor(target, url) {
        super();
        this.#target = target;
        this.#url = url;
        this.state = 'idle';
        this.message = '';
        this.detail = '';
        this.retry = true;
    }

    get connected() {
        return this.state === 'connected';
    }

    #set(state, message = '', retry = true, detail = '') {
        this.state = state;
        this.message = message;
        this.retry = retry;
        this.detail = detail;
        this.emit('state', { state, message, retry, detail });
    }

    /** Opens a new connection (closing any current one first). */
    connect() {
        this.#teardown();
        this.#set('connecting');
        const close = { opened: false, code: null, reason: '', byUser: false };
        let ws;
        try {
            ws = new WebSocket(this.#url, ['binary']);
        } catch (err) {
            this.#set('disconnected', t('domains.console.open-failed'), true, err.message);
            return;
        }
        ws.addEventListener('open', () => { close.opened = true; });
        ws.addEventListener('close', (ev) => {
            close.code = ev.code;
            close.reason = ev.reason;
        });
        let rfb;
        try {
            rfb = new RFB(this.#target, ws, { shared: true });
        } catch (err) {
            try { ws.close(); } catch { /* already closed */ }
            this.#set('disconnected', t('domains.console.start-failed'), true, err.message);
            return;
        }
        this.#rfb = rfb;
        this.#close = close;
        // Reachable with Tab (noVNC leaves it out of the order); Ctrl+] leaves it again.
        const canvas = this.canvas;
        if (canvas) canvas.tabIndex = 0;
        rfb.scaleViewport = this.#scale;
        rfb.clipViewport = false;
        rfb.resizeSession = false;
        rfb.focusOnClick = true;
        rfb.background = '#1b1f24';

        rfb.addEventListener('connect', () => {
            if (this.#rfb !== rfb) return;
            this.#set('connected', this.desktopName ? this.desktopName : '');
        });
        rfb.addEventListener('desktopname', (ev) => {
            this.desktopName = ev.detail.name || '';
            if (this.#rfb === rfb && this.state === 'connected') this.#set('connected', this.desktopName);
        });
        rfb.addEventListener('credentialsrequired', (ev) => {
            if (this.#rfb === rfb) this.emit('credentials', { types: ev.detail.types || ['password'] });
        });
        rfb.addEventListener('securityfailure', (ev) => {
            if (this.#rfb !== rfb) return;
            close.security = { reason: cleanReason(ev.detail.reason), status: ev.detail.status };
        });
        rfb.addEventListener('disconnect', () => {
            if (this.#rfb !== rfb) return;
            this.#rfb = null;
            if (close.security) {
                const { reason, status } = close.security;
                this.#set('disconnected', reason ? t('domains.console.vnc-auth-failed')
                    : t('domains.console.vnc-auth-failed-status', { status: String(status) }), true, reason);
                return;
            }
            const d = describeClose({ ...close, kind: 'vnc' });
            if (close.userMessage) this.#set('disconnected', close.userMessage, d.retry);
            else this.#set('disconnected', d.message, d.retry, d.detail);
        });
    }

    /**
     * Closes the connection; the state becomes "disconnected" with message (default
     * "You closed the connection.", translated).
     */
    disconnect(message = '') {
        if (!this.#rfb) return;
        this.#close.byUser = true;
        this.#close.userMessage = message;
        this.#rfb.disconnect();
    }

    /** Closes without any further event (the view is going away). */
    destroy() {
        this.#teardown();
        this.state = 'idle';
    }

    #teardown() {
        const rfb = this.#rfb;
        this.#rfb = null;
        this.desktopName = '';
        if (rfb) {
            try {
                rfb.disconnect();
            } catch { /* already disconnected */ }
        }
    }

    /** true: scale the display to fit its box; false: 1:1 with scroll bars. */
    set scale(on) {
        this.#scale = !!on;
        if (this.#rfb) this.#rfb.scaleViewport = this.#scale;
    }

    get scale() {
        return this.#scale;
    }

    sendCredentials(creds) {
        if (this.#rfb) this.#rfb.sendCredentials(creds);
    }

    /** Sends one combo of keysyms.js's KEY_COMBOS. False when not connected. */
    sendCombo(combo) {
        const rfb = this.#rfb;
        if (!rfb || !this.connected) return false;
        if (combo.ctrlAltDel) {
            rfb.sendCtrlAltDel();
            return true;
        }
        for (const e of comboEvents(combo)) rfb.sendKey(e.keysym, e.code, e.down);
        return true;
    }

    /** Types text as key presses. Returns {typed, skipped}, or null when not connected. */
    typeText(text) {
        const rfb = this.#rfb;
        if (!rfb || !this.connected) return null;
        const { events, typed, skipped } = textToKeyEvents(text);
        for (const e of events) rfb.sendKey(e.keysym, e.code, e.down);
        return { typed, skipped };
    }

    /** Puts text on the VM's clipboard (where the guest has an agent for it) and types it. */
    paste(text) {
        const rfb = this.#rfb;
        if (!rfb || !this.connected) return null;
        rfb.clipboardPasteFrom(text);
        return this.typeText(text);
    }

    /**
     * Releases Ctrl in the VM: focus left the display while Ctrl was held (Ctrl+]), so
     * noVNC never sees its key-up.
     */
    releaseModifiers() {
        const rfb = this.#rfb;
        if (!rfb || !this.connected) return;
        rfb.sendKey(KEYSYM.Control_L, 'ControlLeft', false);
        rfb.sendKey(KEYSYM.Control_R, 'ControlRight', false);
    }

    /** Moves keyboard focus to the display. */
    focus() {
        if (this.#rfb) this.#rfb.focus({ preventScroll: true });
    }

    /** The display's canvas (or null). */
    get canvas() {
        return this.#target.querySelector('canvas');
    }
}
