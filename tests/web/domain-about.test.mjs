// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/domain-about.test.mjs — web/js/views/domain-about.js's pure part: the
// title's and the description's errors follow the server's rule (forms.js nameFault,
// bytes counted in UTF-8), in English and Chinese.
import test from 'node:test';
import assert from 'node:assert/strict';
import { metadataError } from '../../web/js/views/domain-about.js';
import { setLanguage } from '../../web/js/i18n.js';

test('titles: one line of any script, at most 1024 bytes', async () => {
    await setLanguage('en', { remember: false });
    for (const ok of ['', '数据库服务器 — 生产环境', ' -a/b .. ', '\u{1F4BF}', `${'题'.repeat(341)}x`]) {
        assert.equal(metadataError('title', ok), '', ok);
    }
    assert.equal(metadataError('title', '题'.repeat(342)), 'The title is longer than 1,024 bytes.');
    assert.equal(metadataError('title', 'a\nb'), 'The title must be one line, without tabs or other control characters.');
    assert.equal(metadataError('title', 'a\tb'), 'The title must be one line, without tabs or other control characters.');
    assert.match(metadataError('title', 'a\uffff'), /cannot be saved/);
    assert.match(metadataError('title', 'a\ud800'), /cannot be saved/);
});

test('descriptions: lines and tabs, at most 4096 bytes', async () => {
    await setLanguage('en', { remember: false });
    assert.equal(metadataError('description', '第一行\n\t第二行\n'), '');
    assert.equal(metadataError('description', `${'行'.repeat(1365)}x`), '');
    assert.equal(metadataError('description', `${'行'.repeat(1365)}xx`), 'The description is longer than 4,096 bytes.');
    assert.match(metadataError('description', 'a\r\nb'), /no other control characters/);
    assert.match(metadataError('description', 'a\u0000'), /no other control characters/);
});

test('the messages are Chinese in zh-CN', async () => {
    await setLanguage('zh-CN', { remember: false });
    assert.equal(metadataError('title', '题'.repeat(342)), '标题超过了 1,024 字节。');
    assert.equal(metadataError('description', 'a\r'), '描述可以包含换行符和制表符，但不能包含其他控制字符。');
    await setLanguage('en', { remember: false });
});
