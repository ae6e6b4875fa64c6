// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/forms.test.mjs — web/js/forms.js: names (volume names, titles and
// descriptions in any script, by the server's rule), sizes, numbers, DNS and interface
// names, file name -> volume name.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
    objectNameError, volumeNameError, sanitizeVolumeName, parseSize, sizeInputText, sizeError,
    parseIntField, dnsNameError, hostNameError, ifaceNameError, hasErrors, trimValues, nameFault, utf8Length,
    sizeUnitOf, formatSizeIn, sizeRangeText,
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

test('volume names follow the server rule: any script, bytes counted in UTF-8', async () => {
    await setLanguage('en', { remember: false });
    const ok = ['disk.qcow2', '_x', 'a+b-c', '.hidden', '+a', 'a b', '中文系统安装盘.iso', '\u{1F4BF} disc.img',
        'Cafe\u0301.img', 'قرص.iso', 'דיסק.iso', 'x'.repeat(255), '盘'.repeat(85)];
    for (const name of ok) assert.equal(volumeNameError(name), '', name);
    const bad = {
        '': 'Enter a volume name.',
        [`${'盘'.repeat(85)}x`]: 'The name is longer than 255 bytes (each Chinese character takes 3).', // 256 bytes, 86 characters
        ['x'.repeat(256)]: 'The name is longer than 255 bytes (each Chinese character takes 3).',
        'a/b': 'The name may not have a "/".',
        '.': 'The name may not be "." or "..".',
        '..': 'The name may not be "." or "..".',
        '-a': 'The name may not start with "-".',
        ' a': 'The name may not start or end with a space.',
        'a\u3000': 'The name may not start or end with a space.',
        '\ufeffa': 'The name may not start or end with a space.',
        'a\tb': 'The name may not have control characters, such as tabs or line breaks.',
        'a\u0085': 'The name may not have control characters, such as tabs or line breaks.',
        'a\uffff': 'The name may not have the characters U+FFFE or U+FFFF.',
        'a\ud800b': 'The name holds a broken character (not valid Unicode).',
    };
    for (const [name, message] of Object.entries(bad)) assert.equal(volumeNameError(name), message, JSON.stringify(name));
    await setLanguage('zh-CN', { remember: false });
    assert.equal(volumeNameError('a/b'), '名称不能包含“/”。');
    await setLanguage('en', { remember: false });
});

test('nameFault: the server\'s order, and titles and descriptions', () => {
    assert.equal(nameFault('-a/b'), 'slash');
    assert.equal(nameFault('- a '), 'dash');
    assert.equal(nameFault('a\u0007/'), 'control');
    assert.equal(nameFault('', 'title'), '');
    assert.equal(nameFault(' -a/b ', 'title'), '');
    assert.equal(nameFault('a\nb', 'title'), 'control');
    assert.equal(nameFault('a\nb\tc', 'description'), '');
    assert.equal(nameFault('a\r\nb', 'description'), 'control');
    assert.equal(nameFault(`${'题'.repeat(341)}x`, 'title'), ''); // 1024 bytes
    assert.equal(nameFault('题'.repeat(342), 'title'), 'too_long');
    assert.equal(nameFault(`${'行'.repeat(1365)}x`, 'description'), ''); // 4096 bytes
    assert.equal(nameFault(`${'行'.repeat(1365)}xx`, 'description'), 'too_long');
    assert.equal(utf8Length('中文 💿'), 11);
});

test('file names become volume names, keeping the name the user chose', () => {
    assert.equal(sanitizeVolumeName('中文系统安装盘.iso'), '中文系统安装盘.iso');
    assert.equal(sanitizeVolumeName('debian-12.5.0-amd64-netinst.iso'), 'debian-12.5.0-amd64-netinst.iso');
    assert.equal(sanitizeVolumeName('My Disk (copy).qcow2'), 'My Disk (copy).qcow2');
    assert.equal(sanitizeVolumeName('C:\\fakepath\\x y.iso'), 'x y.iso');
    assert.equal(sanitizeVolumeName('/home/me/\u{1F4BF} Café.img'), '\u{1F4BF} Café.img');
    assert.equal(sanitizeVolumeName('Ünïcödé.img'), 'Ünïcödé.img');
    assert.equal(sanitizeVolumeName('Cafe\u0301.img'), 'Cafe\u0301.img', 'not normalised');
    assert.equal(sanitizeVolumeName('..evil'), '..evil');
    assert.equal(sanitizeVolumeName('--rf .iso'), 'rf .iso');
    assert.equal(sanitizeVolumeName('\u3000 中文.iso \u00a0'), '中文.iso');
    assert.equal(sanitizeVolumeName('a\tb\u0007\uffff.iso'), 'a_b__.iso');
    assert.equal(sanitizeVolumeName('..'), 'upload');
    assert.equal(sanitizeVolumeName('...'), '...');
    assert.equal(sanitizeVolumeName(' - '), 'upload');
    assert.equal(sanitizeVolumeName(''), 'upload');
    // cut to 255 bytes between whole characters, keeping the extension
    const long = sanitizeVolumeName(`${'盘'.repeat(100)}.iso`);
    assert.equal(long, `${'盘'.repeat(83)}.iso`);
    const ascii = sanitizeVolumeName(`${'a'.repeat(300)}.iso`);
    assert.equal(utf8Length(ascii), 255);
    assert.ok(ascii.endsWith('.iso'));
    const accents = sanitizeVolumeName(`${'e\u0301'.repeat(100)}.img`); // 3 bytes per letter
    assert.ok(accents.endsWith('e\u0301.img'), 'no accent cut off its letter');
    for (const name of [long, ascii, accents]) assert.equal(volumeNameError(name), '', name);
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

test('the server\'s size range is said back in the unit the user typed', () => {
    const TIB = 1024 ** 4;
    const err = { field: 'capacity_bytes', min: 1, max: 16 * TIB };
    assert.equal(sizeUnitOf('20 TiB'), 'T');
    assert.equal(sizeUnitOf('10g'), 'G');
    assert.equal(sizeUnitOf('4096'), '');
    assert.equal(sizeUnitOf('lots'), null);
    assert.equal(sizeRangeText(err, '20 TiB'), 'The size must be at most 16 TiB.');
    assert.equal(sizeRangeText(err, '20T'), 'The size must be at most 16 TiB.');
    assert.equal(sizeRangeText(err, '17000G'), 'The size must be at most 16,384 GiB.');
    assert.equal(sizeRangeText(err, '0.5P'), 'The size must be at most 16 TiB.', 'not exact in PiB: the unit that fits');
    assert.equal(sizeRangeText({ max: 1.5 * TIB }, '2T'), 'The size must be at most 1.5 TiB.');
    assert.equal(sizeRangeText({ min: 1024 ** 3, max: 16 * TIB }, '512M'), 'The size must be at least 1,024 MiB.');
    assert.equal(sizeRangeText({ min: 1, max: 16 * TIB }, '0 G'), 'The size must be at least 1 B.', 'too small for GiB: its own unit');
    assert.equal(sizeRangeText(err, '1G'), '', 'inside the range: nothing to say');
    assert.equal(sizeRangeText({}, '20T'), '');
    assert.equal(formatSizeIn(16 * TIB, 'T'), '16 TiB');
});
