// SPDX-License-Identifier: LGPL-2.1-or-later
// emitter.js — a tiny synchronous event emitter shared by the store, the API client
// and the websocket. Pure (no DOM); runs on the page's main thread.
// A handler that throws does not stop the others: the error goes to
// Emitter.onHandlerError (the browser's reportError, so it still reaches the console
// and the browser tests; tests may replace it).

function defaultOnHandlerError(err) {
    if (typeof globalThis.reportError === 'function') globalThis.reportError(err);
    else queueMicrotask(() => { throw err; });
}

export class Emitter {
    static onHandlerError = defaultOnHandlerError;

    #handlers = new Map();

    /** Adds fn for type; returns a function that removes it again. */
    on(type, fn) {
        let set = this.#handlers.get(type);
        if (!set) {
            set = new Set();
            this.#handlers.set(type, set);
        }
        set.add(fn);
        return () => this.off(type, fn);
    }

    off(type, fn) {
        const set = this.#handlers.get(type);
        if (set) set.delete(fn);
    }

    emit(type, arg) {
        const set = this.#handlers.get(type);
        if (!set) return;
        for (const fn of [...set]) {
            try {
                fn(arg);
            } catch (err) {
                Emitter.onHandlerError(err);
            }
        }
    }
}
