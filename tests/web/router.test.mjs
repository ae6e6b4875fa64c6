// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/router.test.mjs — web/js/router.js: every hash route (the VM list, a VM's
// detail and console pages, the create wizard #/create, #/networks, #/storage and #/storage/<pool>,
// my account #/account).
import test from 'node:test';
import assert from 'node:assert/strict';
import {
    parseHash, domainHash, listHash, DETAIL_TABS, consoleHash, serialHash, networksHash, storageHash, poolHash, isUuid, createHash,
    accountHash,
} from '../../web/js/router.js';

const U = '6695eb01-f6a4-8304-79aa-97f2502e193f';

test('empty and root hashes are the list', () => {
    for (const h of ['', '#', '#/', undefined]) assert.deepEqual(parseHash(h), { view: 'list' });
    assert.deepEqual(parseHash(listHash()), { view: 'list' });
});

test('detail routes carry the uuid, lowercased, and the Overview tab', () => {
    assert.deepEqual(parseHash(`#/domains/${U}`), { view: 'detail', uuid: U, tab: 'overview' });
    assert.deepEqual(parseHash(`#/domains/${U.toUpperCase()}`), { view: 'detail', uuid: U, tab: 'overview' });
    assert.deepEqual(parseHash(domainHash(U)), { view: 'detail', uuid: U, tab: 'overview' });
});

test('each detail tab has a hash of its own that parses back', () => {
    for (const tab of DETAIL_TABS) {
        assert.deepEqual(parseHash(domainHash(U, tab)), { view: 'detail', uuid: U, tab }, tab);
    }
    assert.equal(domainHash(U, 'disks'), `#/domains/${U}/tab/disks`);
    assert.equal(domainHash(U, 'overview'), `#/domains/${U}`);
    assert.deepEqual(parseHash(`#/domains/${U}/tab/overview`), { view: 'detail', uuid: U, tab: 'overview' });
});

test('the console and serial tabs do not clash with the full-page consoles', () => {
    assert.notEqual(domainHash(U, 'console'), consoleHash(U));
    assert.notEqual(domainHash(U, 'serial'), serialHash(U));
    assert.equal(parseHash(domainHash(U, 'console')).view, 'detail');
    assert.equal(parseHash(consoleHash(U)).view, 'console');
});

test('console and serial pages of a domain', () => {
    assert.deepEqual(parseHash(consoleHash(U)), { view: 'console', uuid: U });
    assert.deepEqual(parseHash(serialHash(U.toUpperCase())), { view: 'serial', uuid: U });
});

test('networks and storage pages parse and build', () => {
    assert.deepEqual(parseHash(networksHash()), { view: 'networks' });
    assert.deepEqual(parseHash('#/networks/'), { view: 'networks' });
    assert.deepEqual(parseHash(storageHash()), { view: 'storage' });
    assert.deepEqual(parseHash('#/storage/'), { view: 'storage' });
    assert.deepEqual(parseHash(poolHash('default pool')), { view: 'pool', pool: 'default pool' });
    assert.deepEqual(parseHash('#/storage/p/'), { view: 'pool', pool: 'p' });
    assert.equal(poolHash('a/b'), '#/storage/a%2Fb');
});

test('the create wizard has a page of its own', () => {
    assert.equal(createHash(), '#/create');
    assert.deepEqual(parseHash(createHash()), { view: 'create' });
    assert.deepEqual(parseHash('#/create/'), { view: 'create' });
});

test('anything else is not found', () => {
    for (const h of ['#/domains/', '#/domains/nope', `#/domains/${U}/x`, `#/domains/${U}/`, `#/domains/${U}/__proto__`,
        `#/domains/${U}/tab`, `#/domains/${U}/tab/`, `#/domains/${U}/tab/x`, `#/domains/${U}/tab/__proto__`,
        `#/domains/${U}/tab/disks/`, `#/domains/${U}/tab/disks/x`, `#/domains/${U}/disks`,
        '#/host', '#/create/x', '#/createx', '#/domains/%E0%A4%A', '#//', '#/networksx', '#/networks//', '#/storage/a/b', '#/storage/%2F',
        '#/storage/a%2Fb', '#/storage/%E0%A4%A']) {
        assert.deepEqual(parseHash(h), { view: 'notfound', path: h.slice(1) }, h);
    }
});

test('isUuid', () => {
    assert.equal(isUuid(U), true);
    assert.equal(isUuid(U.replaceAll('-', '')), true);
    assert.equal(isUuid(`${U}0`), false);
    assert.equal(isUuid('../etc'), false);
    assert.equal(isUuid(null), false);
});

test('my account has a page of its own', () => {
    assert.equal(accountHash(), '#/account');
    assert.deepEqual(parseHash(accountHash()), { view: 'account' });
    assert.deepEqual(parseHash('#/account/'), { view: 'account' });
    assert.equal(parseHash('#/account/x').view, 'notfound');
});
