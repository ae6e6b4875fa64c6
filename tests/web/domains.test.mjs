// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/domains.test.mjs — web/js/domains.js: actions per state and role, filter, order,
// and what actions and states are called in English and Chinese.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import {
    ACTIONS, DELETE_ACTION, deleteOffered, deleteBlockedReason, actionsFor, actionLayout, canAct, isActive, stateTone, compareDomains, matchesFilter, STATES,
    stateLabel, reasonLabel, stateWithReason, vmAccess, actingRole, canManageVm, canConsole, canShare,
} from '../../web/js/domains.js';
import { setLanguage, hasMessage, LANGUAGES, t } from '../../web/js/i18n.js';

before(() => setLanguage('en', { remember: false }));

/** Runs fn with code's catalogue, then goes back to English. */
async function inLanguage(code, fn) {
    await setLanguage(code, { remember: false });
    try {
        fn();
    } finally {
        await setLanguage('en', { remember: false });
    }
}

test('viewers get no actions in any state', () => {
    for (const st of STATES) assert.deepEqual(actionsFor(st, 'viewer'), []);
    assert.deepEqual(actionsFor('running', undefined), []);
    assert.equal(canAct('viewer'), false);
    assert.equal(canAct('operator'), true);
    assert.equal(canAct('admin'), true);
});

test('actions follow the state', () => {
    assert.deepEqual(actionsFor('shutoff', 'operator'), ['start']);
    assert.deepEqual(actionsFor('running', 'admin'), ['shutdown', 'reboot', 'suspend', 'reset', 'destroy']);
    assert.deepEqual(actionsFor('paused', 'admin'), ['resume', 'destroy']);
    assert.deepEqual(actionsFor('crashed', 'admin'), ['reset', 'destroy']);
    assert.deepEqual(actionsFor('nostate', 'admin'), []);
    assert.deepEqual(actionsFor('bogus', 'admin'), []);
    assert.ok(!actionsFor('running', 'admin').includes('start'));
    assert.ok(!actionsFor('shutoff', 'admin').includes('destroy'));
});

test('every offered action exists and destructive ones need confirmation', () => {
    for (const st of STATES) {
        for (const a of actionsFor(st, 'admin')) assert.ok(ACTIONS[a], a);
    }
    for (const a of ['destroy', 'reset', 'reboot', 'shutdown']) assert.equal(ACTIONS[a].confirm, true, a);
    for (const a of ['start', 'suspend', 'resume']) assert.equal(ACTIONS[a].confirm, false, a);
    assert.equal(ACTIONS.destroy.label, 'Force off');
    assert.equal(ACTIONS.suspend.label, 'Pause');
});

test('isActive and stateTone', () => {
    assert.equal(isActive('running'), true);
    assert.equal(isActive('paused'), true);
    assert.equal(isActive('shutoff'), false);
    assert.equal(stateTone('running'), 'ok');
    assert.equal(stateTone('paused'), 'warn');
    assert.equal(stateTone('crashed'), 'bad');
    assert.equal(stateTone('shutoff'), 'off');
});

test('compareDomains orders by name in code point order, then uuid', () => {
    const list = [
        { name: 'web', uuid: '2' }, { name: 'Zed', uuid: '1' }, { name: 'db', uuid: '3' },
        { name: 'db', uuid: '0' },
    ];
    assert.deepEqual(list.sort(compareDomains).map((d) => `${d.name}/${d.uuid}`),
        ['Zed/1', 'db/0', 'db/3', 'web/2']);
});

test('matchesFilter by name, state word and state select', () => {
    const web = { name: 'Web-Frontend', state: 'running' };
    const db = { name: 'db1', state: 'shutoff' };
    const cr = { name: 'x', state: 'crashed' };
    assert.equal(matchesFilter(web, ''), true);
    assert.equal(matchesFilter(web, 'front'), true);
    assert.equal(matchesFilter(web, 'FRONT'), true);
    assert.equal(matchesFilter(db, 'front'), false);
    assert.equal(matchesFilter(db, 'shut'), true);
    assert.equal(matchesFilter(web, 'web run'), true);
    assert.equal(matchesFilter(web, 'web shut'), false);
    assert.equal(matchesFilter(web, 'state:run'), false);
    assert.equal(matchesFilter(web, 'state:running'), true);
    assert.equal(matchesFilter(web, '', 'running'), true);
    assert.equal(matchesFilter(web, '', 'shutoff'), false);
    assert.equal(matchesFilter(cr, '', 'other'), true);
    assert.equal(matchesFilter(web, '', 'other'), false);
});

test('state words come from one table: English words, one spelling ("shut off")', () => {
    const words = { shutoff: 'shut off', shutdown: 'shutting down', nostate: 'no state' };
    for (const st of STATES) assert.equal(stateLabel(st), words[st] ?? st);
    assert.equal(stateLabel('gone'), 'gone', 'a VM that no longer exists');
    assert.equal(stateLabel('unknown'), 'unknown', 'while the server or libvirt is unreachable');
    assert.equal(isActive('gone'), false);
    assert.equal(isActive('unknown'), false);
    assert.equal(stateLabel('weird'), 'weird');
    assert.equal(stateWithReason('shutoff', 'destroyed'), 'shut off (forced off)');
    assert.equal(stateWithReason('running', ''), 'running');
    assert.equal(stateWithReason('running', 'unknown'), 'running', 'an unknown reason says nothing');
    assert.equal(reasonLabel('something_new'), 'something_new');
});

test('every action has its texts in every language', async () => {
    for (const { code } of LANGUAGES) {
        await inLanguage(code, () => {
            for (const [name, a] of Object.entries(ACTIONS)) {
                const texts = [a.label, a.ariaLabel('vm'), a.done('vm'), a.failed('vm', 'why')];
                if (a.confirm) texts.push(a.question, a.detail, a.confirmTitle('vm'));
                for (const text of texts) assert.doesNotMatch(text, /^domains\./, `${code} ${name}: ${text}`);
                assert.match(a.failed('vm', 'why'), /vm/);
                assert.match(a.failed('vm', 'why'), /why/);
            }
            for (const st of STATES) assert.ok(hasMessage(`domains.state.${st}`), `${code} ${st}`);
        });
    }
});

test('in Chinese: actions, states, reasons, and the filter matches the Chinese state name', async () => {
    await inLanguage('zh-CN', () => {
        assert.equal(ACTIONS.destroy.label, '强制关机');
        assert.equal(ACTIONS.shutdown.label, '关机');
        assert.equal(ACTIONS.start.done('web1'), '\u201cweb1\u201d正在启动。');
        assert.equal(ACTIONS.resume.failed('web1', '该操作与当前状态冲突。'), '无法恢复\u201cweb1\u201d：该操作与当前状态冲突。');
        assert.equal(stateLabel('running'), '运行中');
        assert.equal(stateLabel('shutoff'), '已关机');
        assert.equal(stateWithReason('paused', 'user'), '已暂停（用户操作）');
        const web = { name: 'web', state: 'running' };
        const db = { name: 'db', state: 'paused' };
        assert.equal(matchesFilter(web, '运行'), true);
        assert.equal(matchesFilter(db, '暂停'), true);
        assert.equal(matchesFilter(web, '暂停'), false);
        assert.equal(matchesFilter(db, 'state:已暂停'), true);
        assert.equal(matchesFilter(db, 'pau'), true, 'the API\'s state names still work');
    });
});

test('counts take the plural form of the language', async () => {
    assert.equal(t('domains.list.count', { count: 1 }), '1 VM');
    assert.equal(t('domains.list.count', { count: 0 }), '0 VMs');
    assert.equal(t('domains.list.count', { count: 1000 }), '1,000 VMs');
    assert.equal(t('domains.console.typed', { count: 1 }), 'Typed 1 character.');
    assert.equal(t('domains.console.typed', { count: 2 }), 'Typed 2 characters.');
    assert.equal(t('domains.console.typed-skipped', { count: 3, skipped: 1 }), 'Typed 3 characters (1 could not be typed).');
    await inLanguage('zh-CN', () => {
        assert.equal(t('domains.list.count', { count: 1 }), '共 1 台');
        assert.equal(t('domains.list.count', { count: 1000 }), '共 1,000 台');
        assert.equal(t('domains.console.typed', { count: 2 }), '已输入 2 个字符。');
    });
});

test('a row shows one graceful primary action; the rest, and every destructive one, go to the menu', () => {
    assert.deepEqual(actionLayout('running', 'admin'), { primary: 'shutdown', more: ['reboot', 'suspend', 'reset', 'destroy'] });
    assert.deepEqual(actionLayout('paused', 'operator'), { primary: 'resume', more: ['destroy'] });
    assert.deepEqual(actionLayout('shutoff', 'admin'), { primary: 'start', more: [] });
    assert.deepEqual(actionLayout('crashed', 'admin'), { primary: null, more: ['reset', 'destroy'] });
    assert.deepEqual(actionLayout('running', 'viewer'), { primary: null, more: [] });
    for (const st of STATES) {
        const { primary, more } = actionLayout(st, 'admin');
        if (primary) assert.ok(!ACTIONS[primary].danger, `${st}: the primary action is not destructive`);
        assert.deepEqual([primary, ...more].filter(Boolean).sort(), actionsFor(st, 'admin').sort(), st);
    }
});

test('Delete: offered to operators and admins for persistent VMs, enabled only when shut off', () => {
    assert.equal(deleteOffered({ persistent: true }, 'operator'), true);
    assert.equal(deleteOffered({ persistent: true }, 'admin'), true);
    assert.equal(deleteOffered({ persistent: true }, 'viewer'), false);
    assert.equal(deleteOffered({ persistent: false }, 'admin'), false, 'a transient VM vanishes when it stops');
    assert.equal(deleteOffered(null, 'admin'), false);
    assert.equal(deleteBlockedReason('shutoff'), '');
    for (const st of ['running', 'paused', 'blocked', 'crashed', 'pmsuspended']) assert.equal(deleteBlockedReason(st), 'Force off first', st);
    assert.equal(DELETE_ACTION.label, 'Delete');
    assert.equal(DELETE_ACTION.danger, true);
    assert.equal(DELETE_ACTION.ariaLabel('web-01'), 'Delete web-01');
});

test('vmAccess and actingRole: the server\'s access first, else the role and the owner', () => {
    const alice = { username: 'alice', role: 'user' };
    assert.equal(vmAccess({ owner: 'alice' }, alice), 'owner');
    assert.equal(vmAccess({ owner: 'bob' }, alice), 'view');
    assert.equal(vmAccess({ owner: 'bob', access: 'console' }, alice), 'console');
    assert.equal(vmAccess({ owner: 'bob', access: 'bogus' }, alice), 'view');
    assert.equal(vmAccess({}, { username: 'op', role: 'operator' }), 'operate');
    assert.equal(vmAccess({ owner: 'op' }, { username: 'op', role: 'operator' }), 'owner');
    assert.equal(vmAccess({}, { username: 'root', role: 'admin' }), 'admin');
    assert.equal(vmAccess({}, { username: 'v', role: 'viewer' }), 'view');

    assert.equal(actingRole({ owner: 'alice' }, alice), 'owner');
    assert.equal(actingRole({ access: 'operate' }, alice), 'operate');
    assert.equal(actingRole({ access: 'console' }, alice), 'console');
    assert.equal(actingRole({ access: 'view' }, alice), 'viewer');
    assert.equal(actingRole({ access: 'view' }, { role: 'operator' }), 'operator');
    assert.equal(actingRole({}, { role: 'viewer' }), 'viewer');
    assert.equal(actingRole({}, null), 'viewer');

    // what each acting role offers: lifecycle, manage (delete/clone), consoles, sharing
    const offers = (r) => [canAct(r), canManageVm(r), canConsole(r), canShare(r)];
    assert.deepEqual(offers('admin'), [true, true, true, true]);
    assert.deepEqual(offers('operator'), [true, true, true, false]);
    assert.deepEqual(offers('owner'), [true, true, true, true]);
    assert.deepEqual(offers('operate'), [true, false, true, false]);
    assert.deepEqual(offers('console'), [false, false, true, false]);
    assert.deepEqual(offers('viewer'), [false, false, false, false]);
    assert.deepEqual(actionsFor('running', 'operate'), actionsFor('running', 'operator'));
    assert.equal(deleteOffered({ persistent: true }, 'operate'), false);
    assert.equal(deleteOffered({ persistent: true }, 'owner'), true);
});
