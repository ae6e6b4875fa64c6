// tests/web/resource-router.test.mjs — web/js/resource-router.js: #/networks,
// #/storage and #/storage/<pool>.
import test from 'node:test';
import assert from 'node:assert/strict';
import { parseResourceHash, networksHash, storageHash, poolHash } from '../../web/js/resource-router.js';
import { parseHash } from '../../web/js/router.js';

test('pages parse and build', () => {
    assert.deepEqual(parseResourceHash(networksHash()), { view: 'networks' });
    assert.deepEqual(parseResourceHash(storageHash()), { view: 'storage' });
    assert.deepEqual(parseResourceHash('#/storage/'), { view: 'storage' });
    assert.deepEqual(parseResourceHash(poolHash('default pool')), { view: 'pool', pool: 'default pool' });
    assert.equal(poolHash('a/b'), '#/storage/a%2Fb');
});

test('other hashes are not these pages', () => {
    for (const h of ['', '#/', '#/domains/x', '#/storage/a/b', '#/storage/%2F', '#/storage/%E0%A4%A', '#/networksx', '#/storage/a%2Fb']) {
        assert.equal(parseResourceHash(h), null, h);
    }
    // The VM router leaves them to this one.
    assert.equal(parseHash(networksHash()).view, 'notfound');
});
