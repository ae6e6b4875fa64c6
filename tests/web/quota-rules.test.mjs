// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/quota-rules.test.mjs — the quota UI's pure parts (web/js/quota-rules.js): a
// limit field's text checked as the server checks a PUT member (tests/unit/
// test_auth_quota.c), and GET /api/quota's dimensions as bars.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QUOTA_DIMS, limitProblem, limitText, limitValue, quotaBar } from '../../web/js/quota-rules.js';

describe('quota rules', () => {
    it('the dimensions in the server\'s order', () => {
        assert.deepEqual(QUOTA_DIMS, ['vms', 'vcpus', 'memory_mib', 'disk_gib']);
    });

    it('a limit is blank (unlimited) or a whole number 0 .. 2^40', () => {
        for (const ok of ['', '  ', '0', '3', '1099511627776']) assert.equal(limitProblem(ok), '', ok);
        for (const bad of ['-1', '1.5', 'x', '1e3', '1099511627777', '0x10']) {
            assert.equal(limitProblem(bad), 'quota.limit.invalid', bad);
        }
        assert.equal(limitValue(''), null);
        assert.equal(limitValue(' 0 '), 0);
        assert.equal(limitValue('12'), 12);
        assert.equal(limitText(null), '');
        assert.equal(limitText(0), '0');
    });

    it('a dimension as a bar: used of limit, full at the limit, nothing for unlimited', () => {
        assert.deepEqual(quotaBar({ used: 1, reserved: 0, limit: 3 }),
            { used: 1, limit: 3, limited: true, value: 1, max: 3, full: false, over: false });
        assert.equal(quotaBar({ used: 3, limit: 3 }).full, true);
        const over = quotaBar({ used: 5, limit: 3 });
        assert.deepEqual([over.value, over.max, over.full, over.over], [3, 3, true, true]);
        const none = quotaBar({ used: 0, limit: 0 });
        assert.deepEqual([none.value, none.max, none.full], [0, 1, true]);
        const unlimited = quotaBar({ used: 7, limit: null });
        assert.deepEqual([unlimited.limited, unlimited.full, unlimited.used], [false, false, 7]);
    });
});
