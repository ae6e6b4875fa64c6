// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/i18n.test.mjs — the catalogue module's pure part: language negotiation,
// parameters, plural forms per locale, and both catalogues loading in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateLanguage, createTranslator, pluralCategories, setLanguage, t, language, hasMessage, LANGUAGES } from '../../web/js/i18n.js';

test('negotiateLanguage: exact, same base, else English', () => {
    assert.equal(negotiateLanguage(['zh-CN', 'en']), 'zh-CN');
    assert.equal(negotiateLanguage(['zh']), 'zh-CN');
    assert.equal(negotiateLanguage(['zh-TW']), 'zh-CN');
    assert.equal(negotiateLanguage(['zh-Hans-SG']), 'zh-CN');
    assert.equal(negotiateLanguage(['fr-FR', 'en-GB']), 'en');
    assert.equal(negotiateLanguage(['de']), 'en');
    assert.equal(negotiateLanguage([]), 'en');
    assert.equal(negotiateLanguage([undefined, '', 'ZH-cn']), 'zh-CN');
});

test('createTranslator: parameters, numbers in the locale, missing ids', () => {
    const en = createTranslator('en', { hi: 'Hello {name}', n: '{n} items', raw: 'a {b} c' });
    assert.equal(en('hi', { name: '世界' }), 'Hello 世界');
    assert.equal(en('n', { n: 12345 }), '12,345 items');
    assert.equal(en('raw'), 'a {b} c');
    assert.equal(en('raw', {}), 'a {b} c');
    assert.equal(en('nope'), 'nope');
    const de = createTranslator('de', { n: '{n}' });
    assert.equal(de('n', { n: 1234.5 }), '1.234,5');
});

test('createTranslator: plural forms follow the locale\'s rules', () => {
    const msgs = { vms: { one: '{count} VM', other: '{count} VMs' } };
    const en = createTranslator('en', msgs);
    assert.equal(en('vms', { count: 1 }), '1 VM');
    assert.equal(en('vms', { count: 0 }), '0 VMs');
    assert.equal(en('vms', { count: 2 }), '2 VMs');
    assert.equal(en('vms', { count: 1000 }), '1,000 VMs');
    const zh = createTranslator('zh-CN', { vms: { other: '{count} 台虚拟机' } });
    assert.equal(zh('vms', { count: 1 }), '1 台虚拟机');
    assert.equal(zh('vms', { count: 3 }), '3 台虚拟机');
    const ru = createTranslator('ru', { f: { one: 'one', few: 'few', many: 'many', other: 'other' } });
    assert.deepEqual([1, 2, 5, 21, 1.5].map((count) => ru('f', { count })), ['one', 'few', 'many', 'one', 'other']);
});

test('pluralCategories: what each language\'s catalogue must give', () => {
    assert.deepEqual(pluralCategories('en'), ['one', 'other']);
    assert.deepEqual(pluralCategories('zh-CN'), ['other']);
});

test('setLanguage loads each catalogue and switches t()', async () => {
    for (const { code } of LANGUAGES) {
        await setLanguage(code, { remember: false });
        assert.equal(language(), code);
        assert.ok(hasMessage('language.label'));
    }
    await setLanguage('en', { remember: false });
    assert.equal(t('language.label'), 'Language');
    await setLanguage('zh-CN', { remember: false });
    assert.equal(t('language.label'), '语言');
    await assert.rejects(setLanguage('xx'));
});
