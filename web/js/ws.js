// SPDX-License-Identifier: LGPL-2.1-or-later
// ws.js — the /api/events websocket: connects, parses each text frame as JSON and
// emits it as "message"; reconnects after a close with exponential backoff (1 s
// doubling to 30 s, with jitter) that resets once a message arrived. Emits "state"
// ({state: "connecting"|"open"|"closed"|"idle", attempt, retryInMs, code}) and
// "bad-message" for frames that are not a JSON object. Transport only: it does not
// know the message types. WebSocket and timers are injectable for Node tests.

import { Emitter } from './emitter.js';

/** wss://host/api/events for the page's own location. */
export function eventsUrl(loc) {
    const scheme = loc.protocol === 'http:' ? 'ws:' : 'wss:';
    return `${scheme}//${loc.host}/api/events`;
}

/** Backoff before reconnect attempt n (0-based): min(max, min*2^n) * (0.5 .. 1.0). */
export function backoffDelay(attempt, { minDelay = 1000, maxDelay = 30000, random = Math.random } = {}) {
    const base = Math.min(maxDelay, minDelay * 2 ** Math.min(attempt, 30));
    return Math.round(base * (0.5 + 0.5 * random()));
}

export class EventSocket extends Emitter {
    #ws = null;
    #timer = null;
    #attempt = 0;
    #running = false;
    #gotMessage = false;

    constructor({ url, WebSocketImpl, setTimer, clearTimer, random, minDelay = 1000, maxDelay = 30000 } = {}) {
        super();
        this.url = url;
        this.WebSocketImpl = WebSocketImpl || globalThis.WebSocket;
        this.setTimer = setTimer || ((fn, ms) => setTimeout(fn, ms));
        this.clearTimer = clearTimer || ((t) => clearTimeout(t));
        this.backoff = { minDelay, maxDelay, random: random || Math.random };
        this.state = 'idle';
    }

    #setState(state, extra = {}) {
        this.state = state;
        this.emit('state', { state, attempt: this.#attempt, retryInMs: 0, ...extra });
    }

    /** Starts (or keeps) the connection. */
    start() {
        if (this.#running) return;
        this.#running = true;
        this.#attempt = 0;
        this.#connect();
    }

    /** Closes the socket and stops reconnecting. */
    stop() {
        this.#running = false;
        if (this.#timer !== null) {
            this.clearTimer(this.#timer);
            this.#timer = null;
        }
        const ws = this.#ws;
        this.#ws = null;
        if (ws) {
            ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
            try {
                ws.close(1000);
            } catch { /* already closing */ }
        }
        this.#setState('idle');
    }

    /** Reconnects now instead of waiting for the backoff timer. */
    retryNow() {
        if (!this.#running || this.#ws) return;
        if (this.#timer !== null) {
            this.clearTimer(this.#timer);
            this.#timer = null;
        }
        this.#connect();
    }

    #connect() {
        this.#timer = null;
        this.#gotMessage = false;
        this.#setState('connecting');
        let ws;
        try {
            ws = new this.WebSocketImpl(this.url);
        } catch {
            this.#scheduleReconnect(undefined);
            return;
        }
        this.#ws = ws;
        ws.onopen = () => {
            if (this.#ws === ws) this.#setState('open');
        };
        ws.onmessage = (ev) => {
            if (this.#ws !== ws) return;
            if (typeof ev.data !== 'string') {
                this.emit('bad-message', ev.data);
                return;
            }
            let msg;
            try {
                msg = JSON.parse(ev.data);
            } catch {
                this.emit('bad-message', ev.data);
                return;
            }
            if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
                this.emit('bad-message', ev.data);
                return;
            }
            if (!this.#gotMessage) {
                this.#gotMessage = true;
                this.#attempt = 0;
            }
            this.emit('message', msg);
        };
        ws.onerror = () => { /* a close event always follows */ };
        ws.onclose = (ev) => {
            if (this.#ws !== ws) return;
            this.#ws = null;
            this.#scheduleReconnect(ev ? ev.code : undefined);
        };
    }

    #scheduleReconnect(code) {
        if (!this.#running) return;
        const delay = backoffDelay(this.#attempt, this.backoff);
        this.#attempt++;
        this.#setState('closed', { retryInMs: delay, code });
        this.#timer = this.setTimer(() => this.#connect(), delay);
    }
}
