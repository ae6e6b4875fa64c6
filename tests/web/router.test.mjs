// tests/web/router.test.mjs — web/js/router.js hash routes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { parseHash, domainHash, listHash, isUuid } from '../../web/js/router.js';

const U = '6695eb01-f6a4-8304-79aa-97f2502e193f';

test('empty and root hashes are the list', () => {
    for (const h of ['', '#', '#/', undefined]) assert.deepEqual(parseHash(h), { view: 'list' });
    assert.deepEqual(parseHash(listHash()), { view: 'list' });
});

test('detail routes carry the uuid, lowercased', () => {
    assert.deepEqual(parseHash(`#/domains/${U}`), { view: 'detail', uuid: U });
    assert.deepEqual(parseHash(`#/domains/${U.toUpperCase()}`), { view: 'detail', uuid: U });
    assert.deepEqual(parseHash(domainHash(U)), { view: 'detail', uuid: U });
});

test('anything else is not found', () => {
    for (const h of ['#/domains/', '#/domains/nope', `#/domains/${U}/x`, '#/host', '#/domains/%E0%A4%A']) {
        assert.equal(parseHash(h).view, 'notfound', h);
    }
});

test('isUuid', () => {
    assert.equal(isUuid(U), true);
    assert.equal(isUuid(U.replaceAll('-', '')), true);
    assert.equal(isUuid(`${U}0`), false);
    assert.equal(isUuid('../etc'), false);
    assert.equal(isUuid(null), false);
});
