// SPDX-License-Identifier: LGPL-2.1-or-later
// views/in-use.js — what the pages that list a resource's VMs share: the state the
// domains store shows for a VM (so a paused VM reads "paused" although the server's
// `active` flag is true for it), and a watch that re-renders a page when the state of
// one of its listed VMs changes. Browser main thread.

import { userState } from '../network-rules.js';

/** stateOf for the in-use lists and counts: uuid -> the state the domains store shows, or null. */
export function storeStateOf(store) {
    return (uuid) => {
        const d = store?.domains?.get(uuid);
        return d ? store.shownState(d) : null;
    };
}

/**
 * Calls rerender() when the shown state of a VM in users() (a list of used_by /
 * domains entries) changes in the store, e.g. a VM paused or the VM list first loaded.
 * Returns {sync() (after each render: the states now shown), stop()}.
 */
export function watchUserStates(store, users, rerender) {
    const stateOf = storeStateOf(store);
    const key = () => users().map((u) => `${u?.uuid}:${userState(u, stateOf)}`).join(',');
    let last = key();
    const stop = store.on('changed', (c) => {
        if (!c.reset && !c.domains && !c.removed && !c.connection) return;
        const now = key();
        if (now === last) return;
        last = now;
        rerender();
    });
    return { sync: () => { last = key(); }, stop };
}
