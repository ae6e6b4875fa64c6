// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lint/catalogue.mjs — the message catalogues (web/i18n/<code>.js) against each
// other and against the code that uses them. Run by `make lint`; exits 1 naming file,
// line and id for each problem. Tested by catalogue.test.mjs.
//
//   a. every id a view uses (first argument of t(), hasMessage(), tNodes(): a string)
//      is in every catalogue; a call that passes an object of parameters passes every
//      {name} the message has, and a plural message gets {count}
//   b. every catalogue has exactly the ids of en.js; one catalogue per language of
//      LANGUAGES (web/js/i18n.js) and no other; ids are area.thing[.detail] (lowercase,
//      digits, "_" and "-" between the dots); a value is a string or a plural object
//   c. a plural value ({one, other}) has exactly the categories its language needs
//      (Intl.PluralRules(code).resolvedOptions().pluralCategories, `other` always), and
//      an id that is plural in one language is plural in every one, en.js first
//   d. the {param} names of a message are the same in every language; each plural form
//      has them all, but a form may leave out {count} ("One VM")
//   e. every data-i18n / data-i18n-<attribute> id of web/index.html exists
//   f. every error code of server/util/app_error.h (APP_ERR_*) and of UI_ERROR_CODES
//      has an `error.<code>` id
//   g. an id built at run time (a template, 'error.' + code, a variable) is an error
//      unless tests/lint/i18n-declared.mjs declares it (DYNAMIC_IDS, with the reason)
//   h. no id of a catalogue is unused. An error, not a warning: every way an id can be
//      used is seen (literal ids, index.html, the declared run-time ids), so an unused
//      id is dead text that translators keep translating, and usually the other half
//      of a typo or a rename (its used twin is then reported missing, in (a)).
// It also lists every `// i18n-ignore <reason>` of web/js (the escape hatch of
// virtdeck/no-literal-ui-string) so that each one is seen in review.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { LANGUAGES, pluralCategories } from '../../web/js/i18n.js';
import { ID_FUNCTIONS, DYNAMIC_IDS, UI_ERROR_CODES } from './i18n-declared.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ID_RE = /^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/;
const PARAM_RE = /\{(\w+)\}/g;
const IGNORE_RE = /\/\/\s*i18n-ignore\b(.*)$/;

// ESLint's own parser, resolved from eslint (our dependency) rather than hoisted.
const espree = createRequire(createRequire(import.meta.url).resolve('eslint'))('espree');

/** The AST of an ES module, or throws {line, message}. */
export function parseModule(text, file) {
    try {
        return espree.parse(text, { ecmaVersion: 'latest', sourceType: 'module', loc: true, range: true });
    } catch (err) {
        throw Object.assign(new Error(`${file}: ${err.message}`), { line: err.lineNumber ?? 1 });
    }
}

/** Calls fn(node, parent) for every node under node. */
function walk(node, fn, parent = null) {
    if (!node || typeof node.type !== 'string') return;
    fn(node, parent);
    for (const [k, v] of Object.entries(node)) {
        if (k === 'parent' || k === 'loc' || k === 'range') continue;
        if (Array.isArray(v)) v.forEach((c) => walk(c, fn, node));
        else if (v && typeof v.type === 'string') walk(v, fn, node);
    }
}

function keyOf(prop) {
    if (prop.computed) return null;
    if (prop.key.type === 'Identifier') return prop.key.name;
    if (prop.key.type === 'Literal') return String(prop.key.value);
    return null;
}

function staticString(node) {
    if (node?.type === 'Literal' && typeof node.value === 'string') return node.value;
    if (node?.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked;
    return null;
}

/** The fixed start of an id built at run time: `error.${code}` -> "error.", 'a.' + x -> "a.". */
function fixedPrefix(node) {
    if (node?.type === 'TemplateLiteral') return node.quasis[0].value.cooked ?? '';
    if (node?.type === 'BinaryExpression' && node.operator === '+') {
        const left = staticString(node.left);
        return left ?? fixedPrefix(node.left);
    }
    return '';
}

/** The {param} names of a text. */
export function paramsOf(text) {
    return new Set([...String(text).matchAll(PARAM_RE)].map((m) => m[1]));
}

/**
 * A catalogue's messages: Map id -> {value (string | {category: string}), line}, and
 * the problems of its shape (file-relative lines).
 */
export function readCatalogue(file, text) {
    const messages = new Map();
    const problems = [];
    let ast;
    try {
        ast = parseModule(text, file);
    } catch (err) {
        problems.push({ file, line: err.line, message: `cannot parse: ${err.message}` });
        return { messages, problems };
    }
    const decl = ast.body.find((n) => n.type === 'ExportDefaultDeclaration');
    if (!decl || decl.declaration.type !== 'ObjectExpression') {
        problems.push({ file, line: 1, message: 'a catalogue is `export default { id: text, ... }`' });
        return { messages, problems };
    }
    for (const prop of decl.declaration.properties) {
        const line = prop.loc.start.line;
        const id = prop.type === 'Property' ? keyOf(prop) : null;
        if (id === null) {
            problems.push({ file, line, message: 'an entry is \'id\': text (no spread, no computed key)' });
            continue;
        }
        if (!ID_RE.test(id)) problems.push({ file, line, id, message: 'an id is area.thing[.detail]: lowercase letters, digits, "_" and "-" between dots' });
        if (messages.has(id)) problems.push({ file, line, id, message: `defined twice (also line ${messages.get(id).line})` });
        let value = staticString(prop.value);
        if (value === null && prop.value.type === 'ObjectExpression') {
            value = {};
            for (const form of prop.value.properties) {
                const category = form.type === 'Property' ? keyOf(form) : null;
                const text = form.type === 'Property' ? staticString(form.value) : null;
                if (category === null || text === null) {
                    problems.push({ file, line: form.loc.start.line, id, message: 'a plural form is category: \'text\'' });
                    continue;
                }
                value[category] = text;
            }
        }
        if (value === null) {
            problems.push({ file, line, id, message: 'a value is a string or a plural object {one: ..., other: ...}' });
            continue;
        }
        messages.set(id, { value, line });
    }
    return { messages, problems };
}

/**
 * What a source file does with message ids: literal ids (with the parameters object
 * of the call when it is a literal object), ids built at run time, and its
 * i18n-ignore comments.
 */
export function collectUses(file, text) {
    const ids = [];
    const dynamic = [];
    const ignores = [];
    const problems = [];
    text.split('\n').forEach((l, i) => {
        const m = IGNORE_RE.exec(l);
        if (m) ignores.push({ file, line: i + 1, reason: m[1].trim() });
    });
    let ast;
    try {
        ast = parseModule(text, file);
    } catch (err) {
        problems.push({ file, line: err.line, message: `cannot parse: ${err.message}` });
        return { ids, dynamic, ignores, problems };
    }
    // The id functions this file has: imported or defined at its top level.
    const known = new Set();
    for (const n of ast.body) {
        if (n.type === 'ImportDeclaration') for (const s of n.specifiers) known.add(s.local.name);
        const d = n.type === 'ExportNamedDeclaration' ? n.declaration : n;
        if (d?.type === 'FunctionDeclaration' && d.id) known.add(d.id.name);
    }
    const fns = new Set(ID_FUNCTIONS.filter((f) => known.has(f)));
    walk(ast, (node) => {
        if (node.type !== 'CallExpression' || node.callee.type !== 'Identifier' || !fns.has(node.callee.name)) return;
        const [first, second] = node.arguments;
        const line = node.loc.start.line;
        const fn = node.callee.name;
        const id = staticString(first);
        if (id !== null) {
            let params = null; // null: not a literal object, so not checked
            if (second?.type === 'ObjectExpression' && second.properties.every((p) => p.type === 'Property')) {
                params = new Set(second.properties.map(keyOf).filter((k) => k !== null));
            } else if (second === undefined) {
                params = new Set();
            }
            ids.push({ file, line, id, fn, params });
        } else if (first) {
            dynamic.push({ file, line, fn, prefix: fixedPrefix(first), source: text.slice(first.range[0], first.range[1]) });
        }
    });
    return { ids, dynamic, ignores, problems };
}

/** The data-i18n and data-i18n-<attribute> ids of an HTML page, with their lines. */
export function htmlIds(file, text) {
    const out = [];
    for (const m of text.matchAll(/\bdata-i18n(-[a-z-]+)?\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        const line = text.slice(0, m.index).split('\n').length;
        out.push({ file, line, id: m[2] ?? m[3], attr: `data-i18n${m[1] ?? ''}` });
    }
    return out;
}

/** The codes of the APP_ERR_* strings of app_error.h, with their lines. */
export function errorCodes(file, text) {
    const out = [];
    for (const m of text.matchAll(/^#define\s+APP_ERR_\w+\s+"([^"]+)"/gm)) {
        out.push({ file, line: text.slice(0, m.index).split('\n').length, code: m[1] });
    }
    return out;
}

function forms(value) {
    return typeof value === 'string' ? [['', value]] : Object.entries(value);
}

function setText(set) {
    return set.size ? [...set].sort().map((p) => `{${p}}`).join(' ') : 'none';
}

/** The ids a DYNAMIC_IDS entry covers, among all. */
function coveredIds(entry, allIds) {
    if (entry.ids === '*') return [];
    if (Array.isArray(entry.ids)) return entry.ids;
    const prefix = entry.ids.replace(/\*$/, '');
    return allIds.filter((id) => id.startsWith(prefix));
}

/** true when a run-time id with this fixed prefix is declared by entry. */
function declares(entry, prefix) {
    if (entry.ids === '*') return true;
    if (Array.isArray(entry.ids)) return entry.ids.some((id) => id.startsWith(prefix));
    return entry.ids.endsWith('*') && prefix.startsWith(entry.ids.slice(0, -1));
}

/**
 * All the checks. input: {languages: [code], catalogues: [{code, file, text}],
 * sources: [{file, text}], html: [{file, text}], errorHeaders: [{file, text}],
 * dynamicIds, uiErrorCodes}. Returns {errors: [{file, line, id?, message}], ignores}.
 */
export function checkCatalogues(input) {
    const errors = [];
    const add = (file, line, id, message) => errors.push({ file, line, id, message });
    const languages = input.languages;
    const dynamicIds = input.dynamicIds ?? [];
    // Lines in the declarations file (tests/lint/i18n-declared.mjs) for its entries.
    const declared = input.declared ?? { file: 'tests/lint/i18n-declared.mjs', text: '' };
    const declaredLine = (needle) => {
        const at = declared.text.indexOf(needle);
        return at < 0 ? 1 : declared.text.slice(0, at).split('\n').length;
    };

    // b. One catalogue per language; their shapes.
    const cats = new Map();
    for (const c of input.catalogues) {
        const { messages, problems } = readCatalogue(c.file, c.text);
        problems.forEach((p) => add(p.file, p.line, p.id, p.message));
        if (!languages.includes(c.code)) add(c.file, 1, null, `no language "${c.code}" in LANGUAGES (web/js/i18n.js)`);
        cats.set(c.code, { ...c, messages });
    }
    for (const code of languages) {
        if (!cats.has(code)) add(`web/i18n/${code}.js`, 1, null, `LANGUAGES has "${code}" but there is no catalogue for it`);
    }
    const en = cats.get('en');
    if (!en) return { errors: sortErrors(errors), ignores: [] };
    const others = [...cats.values()].filter((c) => c.code !== 'en' && languages.includes(c.code));
    const all = [en, ...others];
    for (const c of others) {
        for (const [id, m] of en.messages) {
            if (!c.messages.has(id)) add(c.file, 1, id, `missing (${en.file}:${m.line} has it)`);
        }
        for (const [id, m] of c.messages) {
            if (!en.messages.has(id)) add(c.file, m.line, id, `not in ${en.file} (every catalogue has exactly its ids)`);
        }
    }

    // c. Plural forms; d. parameters.
    for (const [id, enMsg] of en.messages) {
        const plural = all.some((c) => c.messages.has(id) && typeof c.messages.get(id).value === 'object');
        const enParams = new Set(forms(enMsg.value).flatMap(([, text]) => [...paramsOf(text)]));
        for (const c of all) {
            const m = c.messages.get(id);
            if (!m) continue;
            if (plural) {
                if (typeof m.value !== 'object') {
                    add(c.file, m.line, id, `is plural in another catalogue: give the forms {${pluralCategories(c.code).join(', ')}}`);
                } else {
                    const need = pluralCategories(c.code);
                    const have = Object.keys(m.value);
                    const missing = need.filter((k) => !have.includes(k));
                    const extra = have.filter((k) => !need.includes(k));
                    if (missing.length) add(c.file, m.line, id, `plural form(s) ${missing.join(', ')} missing (${c.code} needs ${need.join(', ')})`);
                    if (extra.length) add(c.file, m.line, id, `plural form(s) ${extra.join(', ')} not used by ${c.code} (it needs ${need.join(', ')})`);
                }
            }
            const fs_ = forms(m.value);
            const langParams = new Set(fs_.flatMap(([, text]) => [...paramsOf(text)]));
            if (c !== en && setText(langParams) !== setText(enParams)) {
                add(c.file, m.line, id, `parameters ${setText(langParams)} differ from ${en.file}'s ${setText(enParams)}`);
            }
            const core = new Set([...langParams].filter((p) => p !== 'count'));
            for (const [form, text] of fs_) {
                const own = new Set([...paramsOf(text)].filter((p) => p !== 'count'));
                if (form && setText(own) !== setText(core)) {
                    add(c.file, m.line, id, `plural form "${form}" has ${setText(own)}, the message ${setText(core)} (only {count} may be left out)`);
                }
            }
        }
    }

    // a, g. Uses in the code.
    const used = new Set();
    const ignores = [];
    const dynamicSeen = new Set();
    for (const s of input.sources) {
        const { ids, dynamic, ignores: ign, problems } = collectUses(s.file, s.text);
        problems.forEach((p) => add(p.file, p.line, null, p.message));
        ignores.push(...ign);
        for (const u of ids) {
            used.add(u.id);
            for (const c of all) {
                if (!c.messages.has(u.id)) add(u.file, u.line, u.id, `${u.fn}('${u.id}'): not in ${c.file}`);
            }
            const m = en.messages.get(u.id);
            if (!m || u.fn === 'hasMessage' || u.params === null) continue;
            const need = new Set(forms(m.value).flatMap(([, text]) => [...paramsOf(text)]));
            if (typeof m.value === 'object') need.add('count');
            const lacking = [...need].filter((p) => !u.params.has(p));
            if (lacking.length) add(u.file, u.line, u.id, `${u.fn}('${u.id}') passes no ${lacking.map((p) => `{${p}}`).join(' ')} (${en.file}:${m.line})`);
        }
        for (const d of dynamic) {
            const entry = dynamicIds.find((e) => e.file === d.file && declares(e, d.prefix));
            if (entry) {
                dynamicSeen.add(entry);
                continue;
            }
            add(d.file, d.line, null, `${d.fn}(${d.source}): an id built at run time; declare the ids it can build in tests/lint/i18n-declared.mjs (DYNAMIC_IDS)`);
        }
    }
    const allIds = [...en.messages.keys()];
    for (const e of dynamicIds) {
        const line = declaredLine(`'${e.file}'`);
        if (!dynamicSeen.has(e)) add(declared.file, line, null, `DYNAMIC_IDS declares run-time ids in ${e.file}, which builds none: remove the entry`);
        for (const id of coveredIds(e, allIds)) {
            used.add(id);
            if (Array.isArray(e.ids)) for (const c of all) if (!c.messages.has(id)) add(declared.file, line, id, `declared for ${e.file} but not in ${c.file}`);
        }
    }

    // e. index.html.
    for (const page of input.html ?? []) {
        for (const u of htmlIds(page.file, page.text)) {
            used.add(u.id);
            for (const c of all) if (!c.messages.has(u.id)) add(u.file, u.line, u.id, `${u.attr}="${u.id}": not in ${c.file}`);
        }
    }

    // f. Error codes.
    const codes = [];
    for (const h of input.errorHeaders ?? []) codes.push(...errorCodes(h.file, h.text));
    for (const code of input.uiErrorCodes ?? []) codes.push({ file: declared.file, line: declaredLine(`'${code}'`), code });
    for (const { file, line, code } of codes) {
        const id = `error.${code}`;
        used.add(id);
        for (const c of all) if (!c.messages.has(id)) add(file, line, id, `error code "${code}" has no message ${id} in ${c.file}`);
    }

    // h. Unused ids.
    for (const [id, m] of en.messages) {
        if (!used.has(id)) add(en.file, m.line, id, 'not used: no t()/hasMessage()/tNodes() with this id, no data-i18n, no declared run-time id (remove it from every catalogue)');
    }
    return { errors: sortErrors(errors), ignores };
}

function sortErrors(errors) {
    return errors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || String(a.id).localeCompare(String(b.id)));
}

/** The files of dir (relative to ROOT) ending in ext, recursively, sorted. */
function filesUnder(dir, ext) {
    const out = [];
    const abs = path.join(ROOT, dir);
    if (!fs.existsSync(abs)) return out;
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
        const rel = `${dir}/${e.name}`;
        if (e.isDirectory()) out.push(...filesUnder(rel, ext));
        else if (e.name.endsWith(ext)) out.push(rel);
    }
    return out.sort();
}

function read(rel) {
    return { file: rel, text: fs.readFileSync(path.join(ROOT, rel), 'utf8') };
}

function main() {
    const started = process.hrtime.bigint();
    const catalogues = filesUnder('web/i18n', '.js').map((f) => ({ ...read(f), code: path.basename(f, '.js') }));
    const sources = filesUnder('web/js', '.js').map(read);
    const { errors, ignores } = checkCatalogues({
        languages: LANGUAGES.map((l) => l.code),
        catalogues,
        sources,
        html: ['web/index.html'].filter((f) => fs.existsSync(path.join(ROOT, f))).map(read),
        errorHeaders: [read('server/util/app_error.h')],
        dynamicIds: DYNAMIC_IDS,
        uiErrorCodes: UI_ERROR_CODES,
        declared: read('tests/lint/i18n-declared.mjs'),
    });
    for (const i of ignores) console.log(`i18n-ignore: ${i.file}:${i.line}: ${i.reason || '(no reason)'}`);
    for (const e of errors) console.log(`${e.file}:${e.line}: ${e.id ? `'${e.id}': ` : ''}${e.message}`);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const ids = readCatalogue('web/i18n/en.js', read('web/i18n/en.js').text).messages.size;
    if (errors.length) {
        console.log(`catalogue: ${errors.length} problem(s) (${catalogues.length} catalogues, ${ids} ids, ${sources.length} sources, ${ms.toFixed(0)} ms)`);
        process.exitCode = 1;
    } else {
        console.log(`catalogue: ok (${catalogues.length} catalogues, ${ids} ids, ${sources.length} sources, ${ignores.length} i18n-ignore, ${ms.toFixed(0)} ms)`);
    }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
