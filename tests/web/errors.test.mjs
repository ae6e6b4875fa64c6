// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/errors.test.mjs — web/js/errors.js: the message the UI shows for a failed
// request (by its code, in English and Chinese; libvirt's own text; the server's text as
// a detail line), and that every error code the server can send (server/util/app_error.h)
// has a message in every catalogue.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorText, errorDetail, fieldErrorText, operationOf } from '../../web/js/errors.js';
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

// ---- not_supported: what this host cannot do, in words (issue 11) -------------------

const RAW = 'not supported by the connection driver: virStorageVolUpload';
const P = '/api/pools/default-pool/volumes/disk%201.img';
const D = '/api/domains/6695eb01-f6a4-8304-79aa-97f2502e193f';

/** Every request the UI makes that a driver may refuse as not_supported, and the words it gets. */
const UNSUPPORTED = [
    ['PUT', `${P}/content?format=raw`, /storage driver cannot upload volumes/],
    ['PUT', `${P}/content`, /storage driver cannot upload volumes/],
    ['GET', `${P}/content`, /storage driver cannot download volumes/],
    ['HEAD', `${P}/content`, /storage driver cannot download volumes/],
    ['POST', `${P}/resize`, /storage driver cannot resize volumes/],
    ['POST', `${P}/wipe`, /storage driver cannot wipe volumes/],
    ['POST', `${P}/clone`, /storage driver cannot clone volumes/],
    ['POST', '/api/pools/default-pool/volumes', /storage driver cannot create volumes/],
    ['POST', `${D}/disks`, /cannot attach disks/],
    ['PATCH', `${D}/disks/vdb`, /cannot change this disk/],
    ['DELETE', `${D}/disks/vdb`, /cannot detach disks/],
    ['PUT', `${D}/disks/hdc/media`, /cannot change the media/],
    ['DELETE', `${D}/disks/hdc/media`, /cannot change the media/],
    ['POST', `${D}/interfaces`, /cannot attach network interfaces/],
    ['PATCH', `${D}/interfaces/52:54:00:00:00:01`, /cannot change this network interface \(its link state/],
    ['DELETE', `${D}/interfaces/52:54:00:00:00:01`, /cannot detach network interfaces/],
];

test('not_supported names what cannot be done, from the failed request, and never shows libvirt\'s text', () => {
    for (const [method, path, words] of UNSUPPORTED) {
        const err = new ApiError(501, 'not_supported', RAW, { method, path });
        assert.match(errorText(err), words, `${method} ${path}`);
        assert.doesNotMatch(errorText(err), /virStorage|connection driver/, `${method} ${path}`);
        assert.equal(errorDetail(err), '', `${method} ${path}: no raw detail`);
        assert.ok(operationOf(err), `${method} ${path}`);
    }
    // a request no operation names still gets a sentence, not the raw text
    const other = new ApiError(501, 'not_supported', RAW, { method: 'POST', path: `${D}/reboot` });
    assert.equal(operationOf(other), '');
    assert.equal(errorText(other), 'This host does not support that.');
    assert.equal(errorDetail(other), '');
    assert.equal(errorText(new ApiError(501, 'not_supported', RAW)), 'This host does not support that.');
});

test('every operation has its sentence in every catalogue', async () => {
    try {
        for (const { code: lang } of LANGUAGES) {
            await setLanguage(lang, { remember: false });
            for (const [method, path] of UNSUPPORTED) {
                const op = operationOf(new ApiError(501, 'not_supported', RAW, { method, path }));
                assert.ok(hasMessage(`error.not_supported.${op}`), `${lang}: error.not_supported.${op}`);
            }
            assert.ok(hasMessage('error.not_supported.console'), lang);
        }
    } finally {
        await setLanguage('en', { remember: false });
    }
});

// ---- errors at a field ----------------------------------------------------------------

test('a range error at a field says the range; other codes their field sentence, with the server\'s words', () => {
    assert.equal(fieldErrorText(new ApiError(400, 'bad_request', 'x', { field: 'ipv4.prefix', min: 1, max: 30 })),
        'Enter a value from 1 to 30.');
    const dup = new ApiError(409, 'conflict', 'a volume "a.img" already exists in pool "p"', { field: 'name' });
    assert.equal(fieldErrorText(dup), 'This is already taken or in use. (a volume "a.img" already exists in pool "p")');
    const bad = new ApiError(400, 'bad_request', '"format" must be "qcow2" or "raw"', { field: 'format' });
    assert.match(fieldErrorText(bad), /^This value is not accepted\./);
});

test('ApiError keeps the server\'s field and range only when well-formed', () => {
    const e = ApiError.fromReply(400, { code: 'bad_request', message: 'm', field: 'capacity_bytes', min: 1, max: 2 ** 44 }, 'f');
    assert.equal(e.field, 'capacity_bytes');
    assert.equal(e.min, 1);
    assert.equal(e.max, 2 ** 44);
    const odd = ApiError.fromReply(400, { code: 'bad_request', message: 'm', field: 7, min: '1' }, 'f');
    assert.equal(odd.field, '');
    assert.equal(odd.min, null);
    assert.equal(ApiError.fromReply(502, null, 'fallback').message, 'fallback');
});
