// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/wait.mjs — how a test waits: for the event it expects, never for a fixed
// time. until() polls a condition with a deadline; within() races a promise against a
// deadline and clears its timer (a timer left behind keeps node, and so the test file,
// running until it fires). sleep() is for the few places where the time itself is what
// is tested ("nothing happens within X", a measurement window); each such use says so.
// Runs in the test process only.

/** Resolves after ms milliseconds. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Calls check() (it may return a promise) every intervalMs until it returns something
 * truthy, and resolves that; throws describe()'s text once timeoutMs has passed (and
 * whatever check() throws).
 */
export async function until(check, timeoutMs, describe, { intervalMs = 50 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await check();
        if (v) return v;
        if (Date.now() >= deadline) throw new Error(`${describe()} (after ${timeoutMs} ms)`);
        await sleep(intervalMs);
    }
}

/** Resolves what promise resolves, or null if timeoutMs passes first. */
export async function within(promise, timeoutMs) {
    let timer;
    const late = new Promise((r) => { timer = setTimeout(() => r(null), timeoutMs); });
    try {
        return await Promise.race([promise, late]);
    } finally {
        clearTimeout(timer);
    }
}
