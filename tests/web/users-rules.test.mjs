// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/users-rules.test.mjs — the users page's pure checks (web/js/users-rules.js):
// the same answers as the server's policy (tests/unit/test_auth_password_policy.c).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { charCount, nameProblem, passwordProblem } from '../../web/js/users-rules.js';

describe('users rules', () => {
    it('counts characters, not bytes or UTF-16 units', () => {
        assert.equal(charCount('pässwörd'), 8);
        assert.equal(charCount('密码'), 2);
        assert.equal(charCount('😀😀'), 2);
        assert.equal(charCount(undefined), 0);
    });

    it('a password needs the minimum of characters, not the user name, no control characters', () => {
        assert.deepEqual(passwordProblem('elevenchars', { min: 12 }), { id: 'users.password.too-short', params: { count: 12 } });
        assert.equal(passwordProblem('twelve chars', { min: 12 }), null);
        assert.deepEqual(passwordProblem('ä'.repeat(11), { min: 12 })?.id, 'users.password.too-short');
        assert.equal(passwordProblem('ä'.repeat(12), { min: 12 }), null);
        assert.equal(passwordProblem('sixteen-chars!!!', { min: 16 }), null);
        assert.equal(passwordProblem('fifteen-chars!!', { min: 16 })?.id, 'users.password.too-short');
        assert.equal(passwordProblem('x'.repeat(1025), { min: 12 })?.id, 'users.password.too-long');
        assert.equal(passwordProblem('密'.repeat(400), { min: 12 })?.id, 'users.password.too-long');
        assert.equal(passwordProblem('two\nlines here', { min: 12 })?.id, 'users.password.control');
        assert.equal(passwordProblem('administrator', { min: 12, name: 'administrator' })?.id, 'users.password.is-name');
        assert.equal(passwordProblem('administrator', { min: 12 }), null);
    });

    it('a name is 1-64 of A-Z a-z 0-9 . _ -, not starting with . or -', () => {
        for (const ok of ['alice', 'a', 'A_b.c-d', '0day', 'x'.repeat(64)]) assert.equal(nameProblem(ok), null, ok);
        assert.equal(nameProblem('')?.id, 'users.name.required');
        for (const bad of ['-rf', '.hidden', 'with space', 'x'.repeat(65), 'ünï']) assert.equal(nameProblem(bad)?.id, 'users.name.invalid', bad);
    });
});
