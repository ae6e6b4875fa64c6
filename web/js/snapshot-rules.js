// SPDX-License-Identifier: LGPL-2.1-or-later
// snapshot-rules.js — the rules of a VM's Snapshots tab, written to match the server's
// (docs/api.md "Snapshots"): the list as a tree (parent → children, oldest first), why a
// kind of snapshot is impossible now in words (from the list's "can"), the create form's
// checks (a snapshot name follows the volume-name rule) and its request body. Pure (no
// DOM); every sentence comes from t() when it is asked for.

import { t } from './i18n.js';
import { nameFault, VOLUME_NAME_MAX } from './forms.js';

/**
 * The snapshots (the API's list, oldest first) as a forest: [{snap, children: [...]}],
 * each level in the list's order. A snapshot whose parent is not in the list is a root.
 */
export function snapshotTree(snapshots) {
    const nodes = new Map();
    for (const snap of snapshots || []) nodes.set(snap.name, { snap, children: [] });
    const roots = [];
    for (const node of nodes.values()) {
        const parent = node.snap.parent != null ? nodes.get(node.snap.parent) : null;
        if (parent && parent !== node) parent.children.push(node);
        else roots.push(node);
    }
    return roots;
}

/**
 * The forest in display order with each row's place in it, for an ARIA tree:
 * [{snap, level (1 = root), posinset, setsize, hasChildren}].
 */
export function treeRows(roots) {
    const rows = [];
    const walk = (list, level) => list.forEach((node, i) => {
        rows.push({ snap: node.snap, level, posinset: i + 1, setsize: list.length, hasChildren: node.children.length > 0 });
        walk(node.children, level + 1);
    });
    walk(roots || [], 1);
    return rows;
}

/** Why an internal snapshot is impossible (can.reason), in words; "" when it is possible. */
export function internalReason(can) {
    if (!can || can.internal !== false) return '';
    if (can.reason === 'raw_disk') {
        return t('domains.snapshot.why.raw-disk', { disk: can.disk || '?', format: can.format || 'raw' });
    }
    if (can.reason === 'pflash') return t('domains.snapshot.why.pflash');
    return t('domains.snapshot.why.other', { reason: String(can.reason || '?') });
}

/** Why the memory cannot be included (can.memory_reason), in words; "" when it can. */
export function memoryReason(can) {
    if (!can || can.memory === true) return '';
    switch (can.memory_reason) {
    case 'not_running': return t('domains.snapshot.why.memory-not-running');
    case 'no_disk': return t('domains.snapshot.why.memory-no-disk');
    case 'internal': return internalReason(can);
    default: return t('domains.snapshot.why.other', { reason: String(can.memory_reason || '?') });
    }
}

/**
 * What the create form may offer now: {possible, memory (the box is shown), memoryFixed
 * (a running VM's snapshot always has its memory: the box is ticked and locked), why (the
 * sentence when no snapshot is possible, else ""), memoryWhy}. running: the VM runs or
 * is paused.
 */
export function createOptions(can, running) {
    const internalWhy = internalReason(can);
    if (internalWhy) return { possible: false, memory: false, memoryFixed: false, why: internalWhy, memoryWhy: '' };
    if (running && can && can.memory !== true) {
        return { possible: false, memory: false, memoryFixed: false, why: memoryReason(can), memoryWhy: '' };
    }
    return { possible: !!can, memory: !!running, memoryFixed: !!running, why: '', memoryWhy: running ? '' : memoryReason(can) };
}

/** The name's fault as a sentence ("" when fine; an empty name is fine: libvirt names it). */
export function snapshotNameError(name) {
    if (name === '') return '';
    const fault = nameFault(name, 'file');
    if (!fault) return '';
    if (fault === 'too_long') return t('domains.snapshot.error.name-too-long', { max: VOLUME_NAME_MAX });
    return t('domains.snapshot.error.name');
}

/**
 * The create request from the form's values {name, description, memory}: {payload,
 * errors} (errors keyed "name", "description"; payload null when there are any). The name
 * is sent as typed (trimmed of nothing: the server refuses edge spaces, and so does this).
 */
export function buildSnapshotRequest(values, options) {
    const errors = {};
    const name = String(values.name ?? '');
    const description = String(values.description ?? '');
    const nameErr = snapshotNameError(name);
    if (nameErr) errors.name = nameErr;
    if (nameFault(description, 'description')) errors.description = t('domains.snapshot.error.description');
    if (Object.keys(errors).length) return { payload: null, errors };
    const payload = {};
    if (name) payload.name = name;
    if (description) payload.description = description;
    payload.memory = !!(options && options.memory && (options.memoryFixed || values.memory));
    return { payload, errors };
}
