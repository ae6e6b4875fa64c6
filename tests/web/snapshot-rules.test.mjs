// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/snapshot-rules.test.mjs — web/js/snapshot-rules.js: the tree and its ARIA
// rows, the reasons in words (both languages), what the create form offers, its checks
// and its request body.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
    snapshotTree, treeRows, internalReason, memoryReason, createOptions, snapshotNameError, buildSnapshotRequest,
} from '../../web/js/snapshot-rules.js';
import { setLanguage } from '../../web/js/i18n.js';

await setLanguage('en', { remember: false });

const snap = (name, parent = null) => ({ name, parent });

test('the list becomes a tree, oldest first on each level, orphans as roots', () => {
    const roots = snapshotTree([snap('a'), snap('b', 'a'), snap('c', 'a'), snap('d', 'b'), snap('e', 'gone'), snap('f')]);
    assert.deepEqual(roots.map((n) => n.snap.name), ['a', 'e', 'f']);
    assert.deepEqual(roots[0].children.map((n) => n.snap.name), ['b', 'c']);
    assert.deepEqual(treeRows(roots).map((r) => [r.snap.name, r.level, r.posinset, r.setsize, r.hasChildren]), [
        ['a', 1, 1, 3, true], ['b', 2, 1, 2, true], ['d', 3, 1, 1, false], ['c', 2, 2, 2, false],
        ['e', 1, 2, 3, false], ['f', 1, 3, 3, false],
    ]);
    assert.deepEqual(snapshotTree([]), []);
    assert.deepEqual(treeRows(snapshotTree(null)), []);
});

test('a raw disk is said in words before anyone tries, in both languages', async () => {
    const can = { internal: false, reason: 'raw_disk', disk: 'vdb', format: 'raw', memory: false, memory_reason: 'internal' };
    assert.equal(internalReason(can), "This VM’s disk vdb is raw: libvirt can snapshot only qcow2 disks internally.");
    assert.equal(memoryReason(can), internalReason(can));
    const opts = createOptions(can, true);
    assert.equal(opts.possible, false);
    assert.equal(opts.why, internalReason(can));
    await setLanguage('zh-CN', { remember: false });
    try {
        assert.match(internalReason(can), /vdb/);
        assert.match(internalReason(can), /qcow2/);
        assert.doesNotMatch(internalReason(can), /libvirt can/);
    } finally {
        await setLanguage('en', { remember: false });
    }
    assert.match(internalReason({ internal: false, reason: 'pflash' }), /UEFI/);
    assert.match(internalReason({ internal: false, reason: 'new_reason' }), /new_reason/);
    assert.equal(internalReason({ internal: true, memory: true }), '');
});

test('what the form offers: memory locked on for a running VM, absent for a stopped one', () => {
    assert.deepEqual(createOptions({ internal: true, memory: true }, true),
        { possible: true, memory: true, memoryFixed: true, why: '', memoryWhy: '' });
    const off = createOptions({ internal: true, memory: false, memory_reason: 'not_running' }, false);
    assert.equal(off.possible, true);
    assert.equal(off.memory, false);
    assert.match(off.memoryWhy, /runs/);
    const diskless = createOptions({ internal: true, memory: false, memory_reason: 'no_disk' }, true);
    assert.equal(diskless.possible, false);
    assert.match(diskless.why, /no writable disk/);
    assert.equal(createOptions(null, false).possible, false);
});

test('names follow the volume-name rule; an empty name is left to libvirt', () => {
    assert.equal(snapshotNameError(''), '');
    assert.equal(snapshotNameError('before upgrade'), '');
    assert.equal(snapshotNameError('升级前'), '');
    for (const bad of ['a/b', '.', '..', '-x', ' x', 'x ', 'a\u0001b']) assert.match(snapshotNameError(bad), /snapshot name/, bad);
    assert.match(snapshotNameError('x'.repeat(256)), /255/);
});

test('the request body', () => {
    const running = createOptions({ internal: true, memory: true }, true);
    const stopped = createOptions({ internal: true, memory: false, memory_reason: 'not_running' }, false);
    assert.deepEqual(buildSnapshotRequest({ name: 'a', description: 'why', memory: false }, running),
        { payload: { name: 'a', description: 'why', memory: true }, errors: {} });
    assert.deepEqual(buildSnapshotRequest({ name: '', description: '', memory: true }, stopped),
        { payload: { memory: false }, errors: {} });
    const bad = buildSnapshotRequest({ name: 'a/b', description: 'x\ry' }, stopped);
    assert.equal(bad.payload, null);
    assert.deepEqual(Object.keys(bad.errors).sort(), ['description', 'name']);
});
