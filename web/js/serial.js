// SPDX-License-Identifier: LGPL-2.1-or-later
// serial.js — wraps xterm.js (web/vendor/xterm, copied from npm by the Makefile) for
// one VM's serial console: the websocket /api/domains/{uuid}/serial carries the
// console's bytes both ways (binary frames); bytes from it go to term.write, keystrokes
// go back as UTF-8 (a long paste in messages of at most 16 KiB). The fit addon keeps the
// terminal's rows and columns matched to its box. Emits "state" ({state, message,
// retry, detail}) like console.js. Ctrl+] moves keyboard focus out of the terminal (as in
// `virsh console`), so a keyboard user is never trapped. Browser main thread; loaded on demand by views/serial-view.js.

import { Terminal } from '../vendor/xterm/xterm.mjs';
import { FitAddon } from '../vendor/xterm/addon-fit.mjs';
import { installCspStyles } from './csp-styles.js';
import { Emitter } from './emitter.js';
import { describeClose } from './console-status.js';
import { isLeaveKey } from './keysyms.js';
import { t } from './i18n.js';

installCspStyles(); // xterm.js builds its <style> elements in Terminal.open()

const CSS_ID = 'xterm-css';
const SEND_MAX = 16 * 1024; // bytes per websocket message (docs/api.md: the limit is 64 KiB)

/** Adds xterm.css to the page once (a <link>: allowed by style-src 'self'). */
function ensureStylesheet() {
    if (document.getElementById(CSS_ID)) return;
    const link = document.createElement('link');
    link.id = CSS_ID;
    link.rel = 'stylesheet';
    link.href = new URL('../vendor/xterm/xterm.css', import.meta.url).href;
    document.head.append(link);
}

export class SerialConsole extends Emitter {
    #url;
    #ws = null;
    #term;
    #fit;
    #resizeObserver;
    #encoder = new TextEncoder();
    #close = null;

    /** host: the element the terminal fills; url: the websocket URL; onLeave(): Ctrl+] pressed. */
    constructor(host, url, { onLeave } = {}) {
        super();
        ensureStylesheet();
        this.#url = url;
        this.state = 'idle';
        this.message = '';
        this.detail = '';
        this.retry = true;
        this.bytesIn = 0;
        // xterm.js's own words (the input's aria-label, a screen reader's notice), read
        // when a terminal opens: a language switch builds the console again.
        Terminal.strings.promptLabel = t('domains.console.serial.input');
        Terminal.strings.tooMuchOutput = t('domains.console.serial.too-much-output');
        this.#term = new Terminal({
            convertEol: false,
            cursorBlink: true,
            scrollback: 5000,
            fontFamily: 'ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, monospace',
            fontSize: 14,
            theme: { background: '#1b1f24', foreground: '#e6edf3' },
        });
        this.#fit = new FitAddon();
        this.#term.loadAddon(this.#fit);
        this.#term.open(host);
        this.#term.attachCustomKeyEventHandler((ev) => {
            if (!isLeaveKey(ev)) return true;
            ev.preventDefault();
            if (onLeave) onLeave();
            return false;
        });
        this.#term.onData((text) => this.#send(this.#encoder.encode(text)));
        this.#term.onBinary((text) => {
            const bytes = new Uint8Array(text.length);
            for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
            this.#send(bytes);
        });
        this.#resizeObserver = new ResizeObserver(() => this.fit());
        this.#resizeObserver.observe(host);
        this.fit();
    }

    /** The xterm.js Terminal (tests read its buffer). */
    get terminal() {
        return this.#term;
    }

    #set(state, message = '', retry = true, detail = '') {
        this.state = state;
        this.message = message;
        this.retry = retry;
        this.detail = detail;
        this.emit('state', { state, message, retry, detail });
    }

    #send(bytes) {
        const ws = this.#ws;
        if (!ws || ws.readyState !== WebSocket.OPEN || this.state !== 'connected') return;
        // a long paste goes in pieces: the server closes on a message over 64 KiB (1009)
        for (let i = 0; i < bytes.length; i += SEND_MAX) ws.send(bytes.subarray(i, i + SEND_MAX));
    }

    /** Resizes the terminal to its box (no-op while the box is hidden). */
    fit() {
        try {
            const dims = this.#fit.proposeDimensions();
            if (dims && dims.cols > 0 && dims.rows > 0) this.#fit.fit();
        } catch { /* not measurable yet */ }
    }

    connect() {
        this.#drop();
        this.#set('connecting');
        let ws;
        try {
            ws = new WebSocket(this.#url);
        } catch (err) {
            this.#set('disconnected', t('domains.console.open-failed'), true, err.message);
            return;
        }
        ws.binaryType = 'arraybuffer';
        const close = { opened: false, byUser: false };
        this.#close = close;
        this.#ws = ws;
        ws.addEventListener('open', () => {
            if (this.#ws !== ws) return;
            close.opened = true;
            this.#set('connected');
            this.fit();
        });
        ws.addEventListener('message', (ev) => {
            if (this.#ws !== ws) return;
            if (typeof ev.data === 'string') {
                this.bytesIn += ev.data.length;
                this.#term.write(ev.data);
            } else {
                const bytes = new Uint8Array(ev.data);
                this.bytesIn += bytes.length;
                this.#term.write(bytes);
            }
        });
        ws.addEventListener('close', (ev) => {
            if (this.#ws !== ws) return;
            this.#ws = null;
            const d = describeClose({ code: ev.code, reason: ev.reason, opened: close.opened,
                kind: 'serial', byUser: close.byUser });
            this.#set('disconnected', d.message, d.retry, d.detail);
        });
    }

    /** Closes the connection; the state becomes "disconnected". */
    disconnect() {
        if (!this.#ws) return;
        this.#close.byUser = true;
        try {
            this.#ws.close(1000);
        } catch { /* already closing */ }
    }

    #drop() {
        const ws = this.#ws;
        this.#ws = null;
        if (ws) {
            try {
                ws.close(1000);
            } catch { /* already closing */ }
        }
    }

    focus() {
        this.#term.focus();
    }

    /** Closes the socket and frees the terminal, without further events. */
    destroy() {
        this.#drop();
        this.#resizeObserver.disconnect();
        this.#term.dispose();
        this.state = 'idle';
    }
}
