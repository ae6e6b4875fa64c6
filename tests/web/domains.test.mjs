// tests/web/domains.test.mjs — web/js/domains.js: actions per state and role, filter, order.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
    ACTIONS, actionsFor, canAct, isActive, stateTone, compareDomains, matchesFilter, STATES,
} from '../../web/js/domains.js';

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
