// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lint/catalogue.test.mjs — catalogue.mjs on small in-memory catalogues and
// sources: a complete set passes, and each rule (a-h) reports what breaks it with the
// file, the line and the id. Run by `make lint`.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkCatalogues, collectUses, paramsOf } from './catalogue.mjs';

const catalogue = (entries) => `// a catalogue\n\nexport default {\n${entries.map((e) => `    ${e},`).join('\n')}\n};\n`;

const EN = [
    "'domains.title': 'Virtual machines'",
    "'domains.count': { one: 'One VM', other: '{count} VMs' }",
    "'storage.volume.deleted': 'Volume {name} deleted.'",
    "'shell.nav.vms': 'Virtual machines'",
    "'error.not_found': 'Not found.'",
    "'error.network_error': 'The server cannot be reached.'",
];
const ZH = [
    "'domains.title': '虚拟机'",
    "'domains.count': { other: '{count} 台虚拟机' }",
    "'storage.volume.deleted': '卷 {name} 已删除。'",
    "'shell.nav.vms': '虚拟机'",
    "'error.not_found': '未找到。'",
    "'error.network_error': '无法连接服务器。'",
];
const VIEW = [
    "import { h } from './dom.js';",
    "import { t } from '../i18n.js';",
    "export function render(n, name) {",
    "    return h('p', {}, t('domains.title'), t('domains.count', { count: n }), t('storage.volume.deleted', { name }));",
    '}',
    '',
].join('\n');
const ERRORS = [
    "import { t, hasMessage } from './i18n.js';",
    'export function errorText(err) {',
    '    return hasMessage(`error.${err.code}`) ? t(`error.${err.code}`) : err.message;',
    '}',
    '',
].join('\n');
const HTML = '<!doctype html>\n<nav>\n  <a href="#/" data-i18n="shell.nav.vms">Virtual machines</a>\n</nav>\n';
const HEADER = '#pragma once\n#define APP_ERR_NOT_FOUND    "not_found"\n';

/** checkCatalogues on the complete set above, with parts replaced. */
function check({
    languages = ['en', 'zh-CN'], en = EN, zh = ZH, more = [], sources = { 'web/js/views/view.js': VIEW, 'web/js/errors.js': ERRORS },
    html = HTML, header = HEADER, dynamicIds = [{ file: 'web/js/errors.js', ids: 'error.*', why: 'errorText' }],
    uiErrorCodes = ['network_error'],
} = {}) {
    return checkCatalogues({
        languages,
        catalogues: [
            { code: 'en', file: 'web/i18n/en.js', text: catalogue(en) },
            ...(zh ? [{ code: 'zh-CN', file: 'web/i18n/zh-CN.js', text: catalogue(zh) }] : []),
            ...more,
        ],
        sources: Object.entries(sources).map(([file, text]) => ({ file, text })),
        html: [{ file: 'web/index.html', text: html }],
        errorHeaders: [{ file: 'server/util/app_error.h', text: header }],
        dynamicIds,
        uiErrorCodes,
        declared: { file: 'tests/lint/i18n-declared.mjs', text: "export const X = [\n    'web/js/errors.js',\n    'network_error',\n];\n" },
    });
}

/** The errors as "file:line: id: message" lines. */
function lines(result) {
    return result.errors.map((e) => `${e.file}:${e.line}: ${e.id ?? '-'}: ${e.message}`);
}

/** Asserts that exactly these errors (file:line id, and a part of the message) came out. */
function expectErrors(result, expected) {
    const got = lines(result);
    assert.equal(got.length, expected.length, `expected ${expected.length} errors, got:\n${got.join('\n')}`);
    expected.forEach(([where, id, part], i) => {
        const e = result.errors[i];
        assert.equal(`${e.file}:${e.line}`, where, got[i]);
        assert.equal(e.id ?? null, id, got[i]);
        assert.match(e.message, part, got[i]);
    });
}

describe('catalogue check', () => {
    it('passes a complete set: every id used, every language complete, plural forms, parameters, errors', () => {
        assert.deepEqual(lines(check()), []);
    });

    it('a: an id the code uses that a catalogue lacks, named at the call', () => {
        const view = VIEW.replace("t('domains.title')", "t('domains.heading')");
        expectErrors(check({ sources: { 'web/js/views/view.js': view, 'web/js/errors.js': ERRORS } }), [
            ['web/i18n/en.js:4', 'domains.title', /not used/],
            ['web/js/views/view.js:4', 'domains.heading', /t\('domains.heading'\): not in web\/i18n\/en.js/],
            ['web/js/views/view.js:4', 'domains.heading', /not in web\/i18n\/zh-CN.js/],
        ]);
    });

    it('a: only in one catalogue is still missing there', () => {
        const zh = ZH.filter((e) => !e.startsWith("'domains.title'"));
        expectErrors(check({ zh }), [
            ['web/i18n/zh-CN.js:1', 'domains.title', /missing \(web\/i18n\/en.js:4 has it\)/],
            ['web/js/views/view.js:4', 'domains.title', /not in web\/i18n\/zh-CN.js/],
        ]);
    });

    it('a: a call that leaves out a parameter of the message, or the count of a plural', () => {
        const view = VIEW.replace("{ count: n }", '{}').replace('{ name }', '{ vol: name }');
        expectErrors(check({ sources: { 'web/js/views/view.js': view, 'web/js/errors.js': ERRORS } }), [
            ['web/js/views/view.js:4', 'domains.count', /passes no \{count\}/],
            ['web/js/views/view.js:4', 'storage.volume.deleted', /passes no \{name\}/],
        ]);
    });

    it('a: hasMessage and tNodes ids count as uses; a t that is not the imported one does not', () => {
        const uses = collectUses('web/js/x.js', [
            "import { hasMessage } from './i18n.js';",
            "import { tNodes } from './views/i18n-dom.js';",
            "const t = (x) => x;",
            "hasMessage('a.b'); tNodes('c.d', { name: el }); t('not.an.id');",
        ].join('\n'));
        assert.deepEqual(uses.ids.map((u) => [u.fn, u.id, u.line]), [['hasMessage', 'a.b', 4], ['tNodes', 'c.d', 4]]);
    });

    it('b: extra ids, a bad id, a value of the wrong kind, an id twice', () => {
        const zh = [...ZH, "'domains.extra': '多余'"];
        const en = [...EN, "'Domains.Bad': 'x'", "'domains.fn': String(1)", "'domains.title': 'Again'"];
        const r = check({ en, zh });
        expectErrors(r, [
            ['web/i18n/en.js:10', 'Domains.Bad', /area\.thing/],
            ['web/i18n/en.js:10', 'Domains.Bad', /not used/],
            ['web/i18n/en.js:11', 'domains.fn', /a value is a string or a plural object/],
            ['web/i18n/en.js:12', 'domains.title', /defined twice \(also line 4\)/],
            ['web/i18n/zh-CN.js:1', 'Domains.Bad', /missing/],
            ['web/i18n/zh-CN.js:10', 'domains.extra', /not in web\/i18n\/en.js/],
        ]);
    });

    it('b: one catalogue per language of LANGUAGES', () => {
        expectErrors(check({ languages: ['en', 'zh-CN', 'fr'], more: [{ code: 'de', file: 'web/i18n/de.js', text: catalogue(EN) }] }), [
            ['web/i18n/de.js:1', null, /no language "de" in LANGUAGES/],
            ['web/i18n/fr.js:1', null, /LANGUAGES has "fr" but there is no catalogue/],
        ]);
    });

    it('c: plural categories are the language\'s own, and plural everywhere or nowhere', () => {
        const en = EN.map((e) => e.replace("{ one: 'One VM', other: '{count} VMs' }", "{ other: '{count} VMs' }"));
        const zh = ZH.map((e) => e.replace("{ other: '{count} 台虚拟机' }", "{ one: '一台', other: '{count} 台虚拟机' }"));
        expectErrors(check({ en, zh }), [
            ['web/i18n/en.js:5', 'domains.count', /plural form\(s\) one missing \(en needs one, other\)/],
            ['web/i18n/zh-CN.js:5', 'domains.count', /plural form\(s\) one not used by zh-CN \(it needs other\)/],
        ]);
    });

    it('c: a plural in any catalogue makes en.js plural too', () => {
        const en = EN.map((e) => e.replace("{ one: 'One VM', other: '{count} VMs' }", "'{count} VMs'"));
        expectErrors(check({ en }), [
            ['web/i18n/en.js:5', 'domains.count', /is plural in another catalogue: give the forms \{one, other\}/],
        ]);
    });

    it('c: a language with more forms (Russian: one, few, many, other)', () => {
        const ru = EN.map((e) => e.replace("{ one: 'One VM', other: '{count} VMs' }", "{ one: '{count} ВМ', other: '{count} ВМ' }"));
        expectErrors(check({ languages: ['en', 'ru'], zh: null, more: [{ code: 'ru', file: 'web/i18n/ru.js', text: catalogue(ru) }] }), [
            ['web/i18n/ru.js:5', 'domains.count', /plural form\(s\) few, many missing \(ru needs one, few, many, other\)/],
        ]);
    });

    it('d: parameters differ between languages', () => {
        const zh = ZH.map((e) => e.replace('卷 {name} 已删除。', '卷 {volume} 已删除。'));
        expectErrors(check({ zh }), [
            ['web/i18n/zh-CN.js:6', 'storage.volume.deleted', /parameters \{volume\} differ from web\/i18n\/en.js's \{name\}/],
        ]);
    });

    it('d: a plural form drops a parameter other than {count}', () => {
        const en = EN.map((e) => e.replace("'Volume {name} deleted.'", "{ one: 'Volume {name} deleted.', other: '{count} volumes deleted.' }"));
        const zh = ZH.map((e) => e.replace("'卷 {name} 已删除。'", "{ other: '已删除 {count} 个卷：{name}。' }"));
        expectErrors(check({ en, zh }), [
            ['web/i18n/en.js:6', 'storage.volume.deleted', /plural form "other" has none, the message \{name\} \(only \{count\} may be left out\)/],
            ['web/js/views/view.js:4', 'storage.volume.deleted', /passes no \{count\}/],
        ]);
    });

    it('d: a form may leave out {count} ("One VM")', () => {
        assert.deepEqual(lines(check()), []);
        assert.deepEqual([...paramsOf('{count} VMs on {host}')], ['count', 'host']);
    });

    it('e: a data-i18n id of index.html that no catalogue has', () => {
        const html = HTML.replace('data-i18n="shell.nav.vms"', 'data-i18n="shell.nav.vms" data-i18n-title="shell.nav.tip"');
        expectErrors(check({ html }), [
            ['web/index.html:3', 'shell.nav.tip', /data-i18n-title="shell.nav.tip": not in web\/i18n\/en.js/],
            ['web/index.html:3', 'shell.nav.tip', /not in web\/i18n\/zh-CN.js/],
        ]);
    });

    it('f: an error code of app_error.h or of the UI without its error.<code> message', () => {
        const header = `${HEADER}#define APP_ERR_CONFLICT     "conflict"\n`;
        expectErrors(check({ header, uiErrorCodes: ['network_error', 'bad_response'] }), [
            ['server/util/app_error.h:3', 'error.conflict', /error code "conflict" has no message error.conflict in web\/i18n\/en.js/],
            ['server/util/app_error.h:3', 'error.conflict', /in web\/i18n\/zh-CN.js/],
            ['tests/lint/i18n-declared.mjs:1', 'error.bad_response', /"bad_response" has no message/],
            ['tests/lint/i18n-declared.mjs:1', 'error.bad_response', /in web\/i18n\/zh-CN.js/],
        ]);
    });

    it('g: ids built at run time must be declared, with a matching prefix; a stale declaration is reported', () => {
        const view = `${VIEW}export const mode = (m) => t(\`network.mode.\${m}\`);\nexport const any = (id) => t(id);\n`;
        expectErrors(check({
            sources: { 'web/js/views/view.js': view, 'web/js/errors.js': ERRORS },
            dynamicIds: [
                { file: 'web/js/errors.js', ids: 'error.*', why: 'errorText' },
                { file: 'web/js/views/view.js', ids: 'domains.*', why: 'wrong prefix' },
                { file: 'web/js/gone.js', ids: 'x.*', why: 'stale' },
            ],
        }), [
            ['tests/lint/i18n-declared.mjs:1', null, /web\/js\/views\/view.js, which builds none/],
            ['tests/lint/i18n-declared.mjs:1', null, /web\/js\/gone.js, which builds none/],
            ['web/js/views/view.js:6', null, /t\(`network\.mode\.\$\{m\}`\): an id built at run time; declare/],
            ['web/js/views/view.js:7', null, /t\(id\): an id built at run time/],
        ]);
    });

    it('g: a declared list of exact ids is checked and counts as used', () => {
        const view = `${VIEW}export const mode = (m) => t(\`domains.\${m}\`);\n`;
        const r = check({
            sources: { 'web/js/views/view.js': view, 'web/js/errors.js': ERRORS },
            dynamicIds: [
                { file: 'web/js/errors.js', ids: 'error.*', why: 'errorText' },
                { file: 'web/js/views/view.js', ids: ['domains.title', 'domains.gone'], why: 'modes' },
            ],
        });
        expectErrors(r, [
            ['tests/lint/i18n-declared.mjs:1', 'domains.gone', /declared for web\/js\/views\/view.js but not in web\/i18n\/en.js/],
            ['tests/lint/i18n-declared.mjs:1', 'domains.gone', /not in web\/i18n\/zh-CN.js/],
        ]);
    });

    it('h: an id nothing uses; ids used only by index.html or a declared glob are used', () => {
        expectErrors(check({ en: [...EN, "'domains.old': 'Old'"], zh: [...ZH, "'domains.old': '旧'"] }), [
            ['web/i18n/en.js:10', 'domains.old', /not used/],
        ]);
    });

    it('lists every i18n-ignore of the code', () => {
        const view = `${VIEW}export const x = 'English'; // i18n-ignore a language is named in itself\n`;
        const r = check({ sources: { 'web/js/views/view.js': view, 'web/js/errors.js': ERRORS } });
        assert.deepEqual(r.ignores, [{ file: 'web/js/views/view.js', line: 6, reason: 'a language is named in itself' }]);
    });
});
