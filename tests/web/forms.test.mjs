// tests/web/forms.test.mjs — web/js/forms.js: names, sizes, numbers, DNS and
// interface names, file name -> volume name.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
    objectNameError, volumeNameError, sanitizeVolumeName, parseSize, sizeInputText, sizeError,
    parseIntField, dnsNameError, hostNameError, ifaceNameError, hasErrors, trimValues,
} from '../../web/js/forms.js';
import { setLanguage } from '../../web/js/i18n.js';

// The English texts below are the catalogue's; each test that switches language switches back.
await setLanguage('en', { remember: false });

test('pool/network names follow the server rule', () => {
    assert.equal(objectNameError('net-1_a.b'), '');
    assert.equal(objectNameError('a'.repeat(50)), '');
    assert.notEqual(objectNameError('a'.repeat(51)), '');
    for (const bad of ['', '-x', '.x', '_x', 'a b', 'a/b', 'ä']) assert.notEqual(objectNameError(bad), '', bad);
});

test('volume names follow the server rule', () => {
    for (const ok of ['disk.qcow2', '_x', 'a+b-c', 'x'.repeat(127)]) assert.equal(volumeNameError(ok), '', ok);
    for (const bad of ['', '.', '..', '.hidden', '-a', '+a', 'a b', 'a/b', 'x'.repeat(128)]) {
        assert.notEqual(volumeNameError(bad), '', bad);
    }
});

test('file names become valid volume names', () => {
    assert.equal(sanitizeVolumeName('debian-12.5.0-amd64-netinst.iso'), 'debian-12.5.0-amd64-netinst.iso');
    assert.equal(sanitizeVolumeName('My Disk (copy).qcow2'), 'My_Disk_copy_.qcow2');
    assert.equal(sanitizeVolumeName('C:\\fakepath\\x y.iso'), 'x_y.iso');
    assert.equal(sanitizeVolumeName('..evil'), 'evil');
    assert.equal(sanitizeVolumeName('Ünïcödé.img'), 'Unicode.img');
    assert.equal(sanitizeVolumeName('...'), 'upload');
    assert.equal(sanitizeVolumeName(''), 'upload');
    const long = sanitizeVolumeName(`${'a'.repeat(200)}.iso`);
    assert.equal(long.length, 127);
    assert.ok(long.endsWith('.iso'));
    assert.equal(volumeNameError(long), '');
});

test('sizes: binary units, bare numbers are bytes unless a default unit is given', () => {
    const G = 1024 ** 3;
    assert.equal(parseSize('10G'), 10 * G);
    assert.equal(parseSize('10 GiB'), 10 * G);
    assert.equal(parseSize('10gb'), 10 * G);
    assert.equal(parseSize('1.5T'), 1.5 * 1024 ** 4);
    assert.equal(parseSize('512M'), 512 * 1024 ** 2);
    assert.equal(parseSize('4096'), 4096);
    assert.equal(parseSize('4096B'), 4096);
    assert.equal(parseSize('20', 'G'), 20 * G);
    assert.equal(parseSize(' 1k '), 1024);
    for (const bad of ['', 'G', '-1G', '1.5', '1.0000001K', '10X', '1e3', '10 G B', '9999999P']) {
        assert.equal(parseSize(bad), null, bad);
    }
    assert.equal(sizeInputText(10 * G), '10G');
    assert.equal(sizeInputText(1536 * 1024 ** 2), '1536M');
    assert.equal(sizeInputText(7), '7');
    assert.equal(parseSize(sizeInputText(123456789)), 123456789);
    assert.equal(sizeError('10G'), '');
    assert.match(sizeError(''), /Enter/);
    assert.match(sizeError('ten'), /like 10G/);
    assert.match(sizeError('0'), /at least/);
});

test('whole numbers in a range', () => {
    assert.deepEqual(parseIntField('1500', { min: 68, max: 65535 }), { value: 1500, error: '' });
    assert.deepEqual(parseIntField('', { min: 1, max: 2 }), { value: null, error: '' });
    assert.match(parseIntField('', { required: true, what: 'MTU' }).error, /Enter a MTU/);
    assert.match(parseIntField('1.5', { min: 1, max: 9 }).error, /whole number/);
    assert.match(parseIntField('-3', { min: 1, max: 9 }).error, /whole number/);
    assert.match(parseIntField('10', { min: 1, max: 9 }).error, /between 1 and 9/);
});

test('DNS, host and interface names', () => {
    assert.equal(dnsNameError('example.lan'), '');
    assert.notEqual(dnsNameError('-bad.lan'), '');
    assert.notEqual(dnsNameError('a..b'), '');
    assert.notEqual(dnsNameError(`${'a'.repeat(64)}.lan`), '');
    assert.equal(hostNameError(''), '');
    assert.equal(hostNameError('web-1'), '');
    assert.notEqual(hostNameError('web.example'), '');
    assert.equal(ifaceNameError('virbr10'), '');
    assert.equal(ifaceNameError('br0.100'), '');
    assert.notEqual(ifaceNameError('_br'), '', 'starts with a letter or digit');
    assert.notEqual(ifaceNameError('br:0'), '');
    assert.notEqual(ifaceNameError('averyveryverylongname'), '');
    assert.notEqual(ifaceNameError('br 0'), '');
    assert.notEqual(ifaceNameError(''), '');
});

test('helpers', () => {
    assert.equal(hasErrors({ a: '', b: '' }), false);
    assert.equal(hasErrors({ a: '', b: 'x' }), true);
    assert.deepEqual(trimValues({ a: ' x ', b: true, c: 3 }), { a: 'x', b: true, c: 3 });
});

test('messages follow the language when they are made (zh-CN)', async () => {
    await setLanguage('zh-CN', { remember: false });
    try {
        assert.equal(objectNameError(''), '请输入名称。');
        assert.equal(parseIntField('70000', { min: 1, max: 65535, what: '端口' }).error, '端口必须介于 1 和 65535 之间。');
        assert.equal(parseIntField('x', { min: 1, max: 9 }).error, '数字必须是整数。');
        assert.match(sizeError('ten'), /^请输入大小，例如 10G/);
        assert.match(ifaceNameError('br:0'), /^请输入有效的接口名称/);
    } finally {
        await setLanguage('en', { remember: false });
    }
    assert.equal(objectNameError(''), 'Enter a name.', 'back in English');
});
