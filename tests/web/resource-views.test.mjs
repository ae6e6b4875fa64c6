// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/resource-views.test.mjs — the pure helpers inside the storage views (clone
// names, upload progress text). That the pure modules stay out of the DOM is checked in
// static.test.mjs.
import test from 'node:test';
import assert from 'node:assert/strict';
import { cloneName } from '../../web/js/views/pool-volumes.js';
import { progressText } from '../../web/js/views/upload-panel.js';
import { setLanguage } from '../../web/js/i18n.js';

// The English texts below are the catalogue's; each test that switches language switches back.
await setLanguage('en', { remember: false });

test('clone names keep the extension and avoid taken names', () => {
    assert.equal(cloneName('disk.qcow2', []), 'disk-clone.qcow2');
    assert.equal(cloneName('disk.qcow2', [{ name: 'disk-clone.qcow2' }]), 'disk-clone2.qcow2');
    assert.equal(cloneName('base', [{ name: 'base-clone' }, { name: 'base-clone2' }]), 'base-clone3');
    assert.equal(cloneName('.hidden', []), '.hidden-clone');
});

test('upload progress text: bytes, percent, speed, time left; "done" drops the estimates', () => {
    const M = 1024 * 1024;
    assert.equal(progressText({ loaded: 12 * M, total: 700 * M, percent: 1, bps: 10 * M, etaSeconds: 68.8, done: false }),
        '12 MiB of 700 MiB (1%) \u00b7 10 MiB/s \u00b7 1 min left');
    assert.equal(progressText({ loaded: 0, total: 2048, percent: 0, bps: null, etaSeconds: null, done: false }), '0 B of 2 KiB (0%)');
    assert.equal(progressText({ loaded: 2048, total: 2048, percent: 100, bps: 5, etaSeconds: 0, done: true }), '2 KiB of 2 KiB (100%)');
});

test('upload progress text in zh-CN', async () => {
    const M = 1024 * 1024;
    await setLanguage('zh-CN', { remember: false });
    try {
        const text = progressText({ loaded: 12 * M, total: 700 * M, percent: 1, bps: 10 * M, etaSeconds: 68.8, done: false });
        assert.match(text, /^12 MiB \/ 700 MiB（1%） · 10 MiB\/s · 剩余 /);
    } finally {
        await setLanguage('en', { remember: false });
    }
});
