// tests/web/errors.test.mjs — web/js/errors.js: the message the UI shows for a failed
// request (by its code, in English and Chinese; libvirt's own text; the server's text as
// a detail line), and that every error code the server can send (server/util/app_error.h)
// has a message in every catalogue.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorText, errorDetail } from '../../web/js/errors.js';
import { ApiError } from '../../web/js/api.js';
import { setLanguage, hasMessage, LANGUAGES } from '../../web/js/i18n.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every code of server/util/app_error.h, plus the UI's own (api.js, upload.js). */
function allCodes() {
    const header = readFileSync(path.join(ROOT, 'server', 'util', 'app_error.h'), 'utf8');
    const codes = [...header.matchAll(/#define APP_ERR_\w+\s+"(\w+)"/g)].map((m) => m[1]);
    assert.ok(codes.length >= 20, `found ${codes.length} codes in app_error.h`);
    return [...codes, 'network_error', 'bad_response', 'http_error', 'aborted'];
}

before(() => setLanguage('en', { remember: false }));

test('every error code has a message in every catalogue', async () => {
    try {
        for (const { code: lang } of LANGUAGES) {
            await setLanguage(lang, { remember: false });
            for (const code of allCodes()) assert.ok(hasMessage(`error.${code}`), `${lang}: error.${code}`);
            assert.ok(hasMessage('error.libvirt_error.message'), lang);
            assert.ok(hasMessage('error.unknown'), lang);
        }
    } finally {
        await setLanguage('en', { remember: false });
    }
});

test('a known code shows its message; the server\'s text becomes the detail where it adds something', () => {
    const conflict = new ApiError(409, 'conflict', 'domain is already running');
    assert.equal(errorText(conflict), 'This conflicts with the current state.');
    assert.equal(errorDetail(conflict), 'domain is already running');
    const csrf = new ApiError(403, 'csrf_failed', 'missing or wrong X-CSRF-Token');
    assert.match(errorText(csrf), /security token/);
    assert.equal(errorDetail(csrf), '', 'a generic server text adds nothing');
    assert.equal(errorText(new ApiError(0, 'network_error', 'Cannot reach the virtdeck server.')),
        'Cannot reach the virtdeck server.');
    assert.equal(errorText(new ApiError(502, 'http_error', 'Request failed (HTTP 502).')), 'The request failed (HTTP 502).');
});

test('libvirt\'s own text is shown after a translated lead; unknown codes show the server\'s text', () => {
    const lv = new ApiError(500, 'libvirt_error', 'Requested operation is not valid: domain is not running');
    assert.equal(errorText(lv), 'libvirt reported an error: Requested operation is not valid: domain is not running');
    assert.equal(errorDetail(lv), '');
    assert.equal(errorText(new ApiError(500, 'libvirt_error', '')), 'libvirt reported an error.');
    assert.equal(errorText(new ApiError(418, 'teapot', 'short and stout')), 'short and stout');
    assert.equal(errorText(new Error('plain bug')), 'plain bug');
    assert.equal(errorText('a string'), 'a string');
    assert.equal(errorText(null), 'Something went wrong.');
    assert.equal(errorText(new ApiError(418, 'teapot', '')), 'Something went wrong.');
    assert.equal(errorDetail(null), '');
});

test('in Chinese the message is Chinese and the server\'s English text is the detail', async () => {
    await setLanguage('zh-CN', { remember: false });
    try {
        const conflict = new ApiError(409, 'conflict', 'domain is already running');
        assert.equal(errorText(conflict), '该操作与当前状态冲突。');
        assert.equal(errorDetail(conflict), 'domain is already running');
        assert.equal(errorText(new ApiError(0, 'network_error', 'Cannot reach the virtdeck server.')), '无法连接到 virtdeck 服务器。');
        assert.equal(errorText(new ApiError(500, 'libvirt_error', 'internal error: x')), 'libvirt 报告错误：internal error: x');
        assert.equal(errorText(new ApiError(403, 'forbidden', 'viewers may not do this')), '您的角色无权执行此操作。');
    } finally {
        await setLanguage('en', { remember: false });
    }
});
