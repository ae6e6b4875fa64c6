// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/action-warnings.test.mjs — web/js/views/actions.js actionWarnings: what a
// VM action's confirmation warns of (Force off cuts a running or paused guest; Force off
// and Shut down make a transient VM disappear once it stops).
import test from 'node:test';
import assert from 'node:assert/strict';
import { actionWarnings } from '../../web/js/views/actions.js';
import { setLanguage } from '../../web/js/i18n.js';

await setLanguage('en', { remember: false });

const vm = (state, persistent = true) => ({ name: 'ci', state, persistent });

test('Force off of a running or paused VM says what it cuts; of a stopped one nothing', () => {
    assert.deepEqual(actionWarnings('destroy', vm('running')), ['“ci” is powered on: its programs stop at once and anything not yet written to disk is lost.']);
    assert.equal(actionWarnings('destroy', vm('paused')).length, 1);
    assert.deepEqual(actionWarnings('destroy', vm('shutoff')), []);
    assert.deepEqual(actionWarnings('reboot', vm('running')), []);
});

test('a transient VM: Force off and Shut down say it disappears; other actions do not', () => {
    const transient = /“ci” is transient .*once it stops it disappears from the list/;
    assert.match(actionWarnings('destroy', vm('running', false))[1], transient);
    assert.deepEqual(actionWarnings('shutdown', vm('running', false)).length, 1);
    assert.match(actionWarnings('shutdown', vm('running', false))[0], transient);
    assert.deepEqual(actionWarnings('shutdown', vm('running', true)), []);
    assert.deepEqual(actionWarnings('reset', vm('running', false)), []);
    // A domain whose persistence is not known (no field) is not called transient.
    assert.deepEqual(actionWarnings('shutdown', { name: 'x', state: 'running' }), []);
});

test('zh-CN: the transient warning in Chinese', async () => {
    await setLanguage('zh-CN', { remember: false });
    try {
        assert.deepEqual(actionWarnings('shutdown', vm('running', false)), ['“ci”是临时虚拟机（没有保存的配置）：停止后它将从列表中消失，且无法再次启动。']);
    } finally {
        await setLanguage('en', { remember: false });
    }
});
