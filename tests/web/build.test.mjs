// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/build.test.mjs — the web build (web/tools/build.mjs): content-hashed names
// that cover each file's rewritten content, renames that follow a change up to
// index.html (through an import cycle too), every reference rewritten and resolving in
// the output, no source maps, refusals of what the build cannot follow; each
// importGraph() call's list (exactly its target's static graph less what the page has
// loaded, by new names); and, on the UI's own tree, that the login page's static module
// graph holds no page view, that every lazily loaded module with imports of its own
// comes with its list, and that the UI's JavaScript names files only in ways the build
// follows; that every vendored part the page serves ships its licence texts beside it
// (noVNC MPL-2.0 and the BSD texts it names, pako, xterm.js and its fit addon, uPlot:
// MIT). Builds into temporary directories; never touches build/web.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as acorn from 'acorn';
import { BuildError, HASH_LENGTH, buildWeb, findReferences } from '../../web/tools/build.mjs';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'virtdeck-web-build-'));
test.after(() => rmSync(tmpRoot, { recursive: true, force: true }));
let dirs = 0;
const tmpDir = (name) => path.join(tmpRoot, `${name}-${dirs++}`);

/** Writes {rel: text} under a new directory; returns its path. */
function sourceTree(files) {
    const dir = tmpDir('src');
    for (const [rel, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        writeFileSync(path.join(dir, rel), text);
    }
    return dir;
}

/** Every file under dir: Map rel -> text. */
function readTree(dir, base = dir, out = new Map()) {
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, ent.name);
        if (ent.isDirectory()) readTree(p, base, out);
        else out.set(path.relative(base, p).split(path.sep).join('/'), readFileSync(p, 'utf8'));
    }
    return out;
}

const build = (src) => {
    const out = tmpDir('out');
    const r = buildWeb({ src, out });
    return { ...r, out, files: readTree(out) };
};
const sha = (text) => createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
const HASHED = new RegExp(`^(.+)\\.([0-9a-f]{${HASH_LENGTH}})(\\.[a-z0-9]+)$`);
const LICENCE = /(^|\/)(LICEN[CS]E|COPYING)(\.[A-Za-z0-9][A-Za-z0-9.-]*)?$/;

/** The output file a source file became (its name with the hash taken out). */
function outName(files, rel) {
    const found = [...files.keys()].filter((n) => {
        const m = HASHED.exec(n);
        return m ? `${m[1]}${m[3]}` === rel : n === rel;
    });
    assert.equal(found.length, 1, `${rel}: ${found}`);
    return found[0];
}

/** Asserts every reference in every output file names a file of the output. */
function assertReferencesResolve(files) {
    let count = 0;
    for (const [name, text] of files) {
        for (const r of findReferences(name, text).refs) {
            if (r.spec.startsWith('#') || r.spec.startsWith('data:')) continue;
            const target = path.posix.normalize(path.posix.join(path.posix.dirname(name), r.spec.split(/[?#]/)[0]));
            assert.ok(files.has(target), `${name} refers to ${r.spec}, which is not in the output`);
            count++;
        }
    }
    return count;
}

function assertNoSourceMaps(files) {
    for (const [name, text] of files) {
        assert.ok(!name.endsWith('.map'), `${name} is a source map`);
        assert.doesNotMatch(text, /sourceMappingURL/, `${name} still names its source map`);
    }
}

const FIXTURE = {
    'index.html': '<!doctype html>\n<link rel="icon" href="favicon.svg">\n<link rel="stylesheet" href="css/app.css">\n' +
        '<script type="module" src="js/app.js"></script>\n<a href="#/">home</a>\n',
    'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"></svg>\n',
    'css/app.css': '/* url(not-a-reference.png) */\n.a { background: url("../img/dot.svg#x"); }\n' +
        '.b { background: url(data:image/png;base64,AA==); }\n/*# sourceMappingURL=app.css.map */\n',
    'css/app.css.map': '{}',
    'img/dot.svg': '<svg xmlns="http://www.w3.org/2000/svg"></svg>\n',
    'js/app.js': "import { leaf } from './lib/leaf.js';\nimport { a } from './cycle-a.js';\n" +
        "export { other } from \"./other.js\";\nexport const later = () => import('./lazy.js');\n" +
        "export const logo = new URL('../favicon.svg', import.meta.url).href;\nconsole.log(leaf, a);\n",
    'js/lib/leaf.js': 'export const leaf = 1;\n//# sourceMappingURL=leaf.js.map\n',
    'js/lib/leaf.js.map': '{}',
    'js/other.js': 'export const other = 2;\n',
    'js/lazy.js': "import { leaf } from './lib/leaf.js';\nexport default leaf;\n",
    'js/cycle-a.js': "import { b } from './cycle-b.js';\nexport const a = () => b;\n",
    'js/cycle-b.js': "import { a } from './cycle-a.js';\nexport const b = () => a;\n",
    'js/unused.js': 'export const nobody = 0;\n',
    'vendor/x/LICENSE.txt': 'a licence\n',
};

test('every file the page reaches gets a hash of its rewritten content; index.html and licences keep their names', () => {
    const r = build(sourceTree(FIXTURE));
    const names = [...r.files.keys()].sort();
    assert.deepEqual(names.filter((n) => !HASHED.test(n)), ['index.html', 'vendor/x/LICENSE.txt']);
    assert.equal(names.length, 11, names.join(' '));
    assert.ok(!names.some((n) => n.includes('unused')), 'a file nothing reaches is left out');
    assert.equal(r.files.get('vendor/x/LICENSE.txt'), 'a licence\n');
    for (const [name, text] of r.files) {
        const m = HASHED.exec(name);
        if (!m || name.includes('cycle-')) continue;
        assert.equal(m[2], sha(text), `${name}: the hash is its content's`);
    }
    const index = r.files.get('index.html');
    assert.ok(index.includes(`src="${outName(r.files, 'js/app.js')}"`), index);
    assert.ok(index.includes(`href="${outName(r.files, 'css/app.css')}"`), index);
    assert.ok(index.includes('href="#/"'), 'fragments stay');
    const app = r.files.get(outName(r.files, 'js/app.js'));
    assert.ok(app.includes(`from './${path.posix.relative('js', outName(r.files, 'js/lib/leaf.js'))}'`), app);
    assert.ok(app.includes(`from "./${path.posix.basename(outName(r.files, 'js/other.js'))}"`), 'the quote kind stays');
    assert.ok(app.includes(`import('./${path.posix.basename(outName(r.files, 'js/lazy.js'))}')`), app);
    assert.ok(app.includes(`new URL('../${outName(r.files, 'favicon.svg')}', import.meta.url)`), app);
    const css = r.files.get(outName(r.files, 'css/app.css'));
    assert.ok(css.includes(`url("../${outName(r.files, 'img/dot.svg')}#x")`), css);
    assert.ok(css.includes('url(not-a-reference.png)'), 'comments are not references');
    assert.ok(css.includes('url(data:image/png;base64,AA==)'), css);
    assert.ok(assertReferencesResolve(r.files) >= 12);
    assertNoSourceMaps(r.files);
    assert.deepEqual(r.cycles, [['js/cycle-a.js', 'js/cycle-b.js']]);
});

test('a change renames the file and everything that refers to it, and nothing else', () => {
    const before = build(sourceTree(FIXTURE)).files;
    const after = build(sourceTree({ ...FIXTURE, 'js/lib/leaf.js': 'export const leaf = 3;\n' })).files;
    const renamed = (rel) => outName(before, rel) !== outName(after, rel);
    for (const rel of ['js/lib/leaf.js', 'js/lazy.js', 'js/app.js']) assert.ok(renamed(rel), `${rel} is renamed`);
    for (const rel of ['js/other.js', 'js/cycle-a.js', 'js/cycle-b.js', 'css/app.css', 'favicon.svg', 'img/dot.svg']) {
        assert.ok(!renamed(rel), `${rel} keeps its name`);
    }
    assert.notEqual(before.get('index.html'), after.get('index.html'), 'index.html names the new app.js');

    const deep = build(sourceTree({ ...FIXTURE, 'img/dot.svg': '<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>\n' })).files;
    for (const rel of ['img/dot.svg', 'css/app.css']) assert.notEqual(outName(before, rel), outName(deep, rel), rel);
    assert.equal(outName(before, 'js/app.js'), outName(deep, 'js/app.js'));
    assert.notEqual(before.get('index.html'), deep.get('index.html'));
});

test('a change inside an import cycle renames every file of the cycle and their importers', () => {
    const before = build(sourceTree(FIXTURE)).files;
    const after = build(sourceTree({ ...FIXTURE, 'js/cycle-b.js': "import { a } from './cycle-a.js';\nexport const b = () => [a];\n" })).files;
    for (const rel of ['js/cycle-a.js', 'js/cycle-b.js', 'js/app.js']) {
        assert.notEqual(outName(before, rel), outName(after, rel), `${rel} is renamed`);
    }
    assert.equal(outName(before, 'js/lib/leaf.js'), outName(after, 'js/lib/leaf.js'));
    assertReferencesResolve(after);
    const again = build(sourceTree(FIXTURE)).files;
    assert.deepEqual([...again], [...before], 'the same sources give the same tree');
});

test('refuses what it cannot follow', () => {
    const cases = [
        [{ 'js/app.js': "import x from 'lodash';\n" }, /bare specifier lodash/],
        [{ 'js/app.js': 'const n = "a"; import(`./${n}.js`);\n' }, /import\(\) of a computed value/],
        [{ 'js/app.js': "const n = './a.js'; import(n);\n" }, /import\(\) of a computed value/],
        [{ 'js/app.js': "import './missing.js';\n" }, /missing file \.\/missing\.js/],
        [{ 'js/app.js': "import '../../outside.js';\n" }, /leaves/],
        [{ 'js/app.js': "import 'https://cdn.example/x.js';\n" }, /another origin/],
        [{ 'js/app.js': "new URL(name, import.meta.url);\n" }, /new URL\(\) of a computed value/],
        [{ 'js/app.js': 'import {\n' }, /cannot parse/],
        [{ 'js/app.js': "import './x.js.map';\n", 'js/x.js.map': '{}' }, /source map/],
    ];
    cases.push([{ 'index.html': '<img srcset="a.png 2x">' }, /srcset is not followed/]);
    const graphCall = /importGraph\(\) at offset \d+ takes one argument, \(\) => import\('…'\): the build writes the second/;
    cases.push(
        [{ 'js/app.js': "importGraph(() => import('./a.js'), []);\n", 'js/a.js': '' }, /importGraph\(\) at offset \d+ has a list: the build writes it/],
        [{ 'js/app.js': "importGraph(() => import('./a.js'), list);\n", 'js/a.js': '' }, graphCall],
        [{ 'js/app.js': "const load = () => import('./a.js');\nimportGraph(load);\n", 'js/a.js': '' }, graphCall],
        [{ 'js/app.js': "importGraph(() => { return import('./a.js'); });\n", 'js/a.js': '' }, graphCall],
        [{ 'js/app.js': "importGraph(() => import('./a.js').then((m) => m.x));\n", 'js/a.js': '' }, graphCall],
        [{ 'js/app.js': "importGraph(() => import('data:text/javascript,'));\n" }, /importGraph\(\) at offset \d+ imports no file of ours/],
    );
    for (const [files, message] of cases) {
        const src = sourceTree({ 'index.html': '<script type="module" src="js/app.js"></script>', ...files });
        assert.throws(() => buildWeb({ src, out: tmpDir('out') }), (err) => err instanceof BuildError && message.test(err.message),
            `${JSON.stringify(files)} -> ${message}`);
    }
});

// ---- importGraph(): each lazily loaded module's static graph, asked for at once -------

/** The module a specifier in file `from` (an output or source name) names. */
const resolveSpec = (from, spec) => path.posix.normalize(path.posix.join(path.posix.dirname(from), spec.split(/[?#]/)[0]));

/** A module's static imports and re-exports, and its importGraph(() => import(x), list) calls. */
function moduleInfo(name, text) {
    const ast = acorn.parse(text, { ecmaVersion: 'latest', sourceType: 'module' });
    const imports = ast.body.filter((n) => n.source && ['ImportDeclaration', 'ExportNamedDeclaration', 'ExportAllDeclaration'].includes(n.type))
        .map((n) => resolveSpec(name, n.source.value));
    const literal = (n) => (n.type === 'TemplateLiteral' ? n.quasis[0].value.cooked : n.value);
    const calls = [];
    const dynamic = [];
    (function walk(n) {
        if (!n || typeof n.type !== 'string') return;
        if (n.type === 'ImportExpression') dynamic.push(resolveSpec(name, literal(n.source)));
        if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === 'importGraph') {
            calls.push({
                target: resolveSpec(name, literal(n.arguments[0].body.source)),
                list: n.arguments[1] ? n.arguments[1].elements.map((e) => e.value) : null,
            });
        }
        for (const v of Object.values(n)) {
            if (Array.isArray(v)) v.forEach(walk);
            else if (v && typeof v === 'object') walk(v);
        }
    })(ast);
    return { imports, calls, dynamic };
}

/** Every module of a tree (Map name -> text) with its static closure function. */
function moduleGraph(files) {
    const info = new Map([...files].filter(([n]) => /\.m?js$/.test(n)).map(([n, text]) => [n, moduleInfo(n, text)]));
    const closure = (roots) => {
        const seen = new Set(roots);
        for (const m of seen) for (const d of info.get(m).imports) seen.add(d);
        return seen;
    };
    const page = closure([...files.get('index.html').matchAll(/<script type="module" src="([^"]+)"/g)].map((m) => m[1]));
    return { info, closure, page };
}

/**
 * Asserts each importGraph() list in the output names, exactly, the modules its target
 * reaches by static imports less the target, the importer's own static graph and the
 * page's (index.html's), every one a hashed file of the output. Returns the lists by
 * importer and target.
 */
function assertGraphLists(files) {
    const { info, closure, page } = moduleGraph(files);
    const lists = new Map();
    for (const [name, { calls }] of info) {
        for (const { target, list } of calls) {
            assert.ok(Array.isArray(list), `${name}: importGraph() of ${target} got no list`);
            const loaded = new Set([...page, ...closure([name])]);
            const expected = [...closure([target])].filter((m) => m !== target && !loaded.has(m));
            assert.deepEqual([...list].sort(), expected.sort(), `${name}: the list for ${target}`);
            assert.equal(new Set(list).size, list.length, `${name}: the list for ${target} repeats a name`);
            for (const m of list) assert.ok(files.has(m) && HASHED.test(m), `${name}: ${m} is not a hashed file of the output`);
            lists.set(`${name} -> ${target}`, list);
        }
    }
    return lists;
}

const GRAPH_FIXTURE = {
    'index.html': '<!doctype html>\n<script type="module" src="js/app.js"></script>\n',
    'img/x.svg': '<svg xmlns="http://www.w3.org/2000/svg"></svg>\n',
    'js/app.js': "import { importGraph } from './lib/graph.js';\nimport { shared } from './lib/shared.js';\n" +
        "export const page = () => importGraph(() => import('./views/page.js'));\n" +
        "export const leaf = () => import('./views/plain.js');\nconsole.log(shared);\n",
    'js/lib/graph.js': 'export function importGraph(load, graph = []) {\n    console.log(graph);\n    return load();\n}\n',
    'js/lib/shared.js': 'export const shared = 1;\n',
    'js/views/page.js': "import { part } from './part.js';\nimport { shared } from '../lib/shared.js';\n" +
        "import { importGraph } from '../lib/graph.js';\n" +
        "export const more = () => importGraph(() => import(`./more.js`));\nexport default [part, shared];\n",
    'js/views/part.js': "import { deep } from './deep.js';\nexport const part = deep;\n",
    'js/views/deep.js': "export const deep = new URL('../../img/x.svg', import.meta.url);\n",
    'js/views/more.js': "import { part } from './part.js';\nexport * from './extra.js';\n" +
        "export const again = () => import('./later.js');\nexport default part;\n",
    'js/views/extra.js': 'export const extra = 3;\n',
    'js/views/later.js': "import { extra } from './extra.js';\nexport default extra;\n",
    'js/views/plain.js': 'export default 4;\n',
};

test("importGraph() gets its target's static graph less what the page has loaded, by new names; the source has none", () => {
    const r = build(sourceTree(GRAPH_FIXTURE));
    const lists = assertGraphLists(r.files);
    const out = (rel) => outName(r.files, rel);
    // Nearest first; shared.js and graph.js came with the page, img/x.svg is no module.
    assert.deepEqual(lists.get(`${out('js/app.js')} -> ${out('js/views/page.js')}`), [out('js/views/part.js'), out('js/views/deep.js')]);
    // page.js and its imports (part.js, deep.js) are loaded when page.js asks for more.js.
    assert.deepEqual(lists.get(`${out('js/views/page.js')} -> ${out('js/views/more.js')}`), [out('js/views/extra.js')]);
    assert.equal(lists.size, 2, 'a plain import() gets no list');
    const app = r.files.get(out('js/app.js'));
    assert.ok(app.includes(`importGraph(() => import('./${path.posix.relative('js', out('js/views/page.js'))}'), ` +
        `['${out('js/views/part.js')}', '${out('js/views/deep.js')}'])`), app);
    assert.ok(app.includes(`import('./${path.posix.relative('js', out('js/views/plain.js'))}');`), app);
    assertReferencesResolve(r.files);
    // A list names new names, so a change deep in a target's graph renames its importer.
    const changed = build(sourceTree({ ...GRAPH_FIXTURE, 'js/views/extra.js': 'export const extra = 5;\n' })).files;
    for (const rel of ['js/views/extra.js', 'js/views/page.js', 'js/views/more.js', 'js/views/later.js', 'js/app.js']) {
        assert.notEqual(outName(changed, rel), out(rel), `${rel} is renamed`);
    }
    for (const rel of ['js/views/part.js', 'js/views/deep.js', 'js/lib/graph.js']) assert.equal(outName(changed, rel), out(rel), rel);
    assertGraphLists(changed);
});

test('importGraph() lists stay right through a reference cycle', () => {
    // dep.js imports app.js back: app.js's list names a file of its own cycle, whose
    // name is computed with app.js's.
    const r = build(sourceTree({
        'index.html': '<script type="module" src="js/app.js"></script>',
        'js/app.js': "import { importGraph } from './graph.js';\nexport const go = () => importGraph(() => import('./lazy.js'));\n",
        'js/graph.js': 'export const importGraph = (load) => load();\n',
        'js/lazy.js': "import { dep } from './dep.js';\nexport default dep;\n",
        'js/dep.js': "import { go } from './app.js';\nexport const dep = go;\n",
    }));
    assert.deepEqual(r.cycles, [['js/app.js', 'js/dep.js', 'js/lazy.js']]);
    assert.deepEqual(assertGraphLists(r.files).get(`${outName(r.files, 'js/app.js')} -> ${outName(r.files, 'js/lazy.js')}`),
        [outName(r.files, 'js/dep.js')]);
    assertReferencesResolve(r.files);
});

// ---- the UI's own tree ---------------------------------------------------------------

const ui = build(WEB);

test("the UI's build: hashed names, references that resolve, no source maps", () => {
    assert.ok(ui.files.size > 50, `${ui.files.size} files`);
    for (const name of ui.files.keys()) {
        if (name === 'index.html' || LICENCE.test(name)) continue;
        assert.match(name, HASHED, `${name} has a content hash`);
    }
    assert.ok(assertReferencesResolve(ui.files) > 100);
    assertNoSourceMaps(ui.files);
    assert.match(ui.files.get('index.html'), new RegExp(`<script type="module" src="js/app\\.[0-9a-f]{${HASH_LENGTH}}\\.js"></script>`));
});

// Each third-party part the page serves (web/vendor/<part>/, from `make web-vendor`) with
// the licence texts its licence requires to travel with it, and words each text holds.
const VENDOR_LICENCES = {
    'vendor/novnc/LICENSE.txt': /MPL-2\.0/,
    'vendor/novnc/LICENSE.MPL-2.0': /Mozilla Public License Version 2\.0/,
    'vendor/novnc/LICENSE.BSD-2-Clause': /Redistribution and use in source and binary forms/,
    'vendor/novnc/LICENSE.BSD-3-Clause': /Neither the name/,
    'vendor/novnc/vendor/pako/LICENSE': /MIT License/,
    'vendor/xterm/LICENSE.txt': /Permission is hereby granted, free of charge/,
    'vendor/xterm/LICENSE.addon-fit.txt': /Permission is hereby granted, free of charge/,
    'vendor/uplot/LICENSE.txt': /MIT License/,
};

test("the UI's build ships each vendored part's licence beside it", () => {
    for (const [name, words] of Object.entries(VENDOR_LICENCES)) {
        assert.ok(ui.files.has(name), `${name} is in the build output`);
        assert.match(ui.files.get(name), words, name);
    }
    // every vendored folder that serves code has a licence in it or in a folder above it
    // inside vendor/<part>/ (a new part without one fails here)
    const served = [...ui.files.keys()].filter((n) => n.startsWith('vendor/') && !LICENCE.test(n));
    assert.ok(served.length > 10, `${served.length} vendored files served`);
    for (const name of served) {
        const parts = name.split('/');
        let found = false;
        for (let i = parts.length - 1; i >= 2 && !found; i--) {
            const dir = parts.slice(0, i).join('/');
            found = [...ui.files.keys()].some((n) => LICENCE.test(n) && path.posix.dirname(n) === dir);
        }
        assert.ok(found, `${name} has a licence beside it`);
    }
});

test("the UI's lazily loaded modules come with their whole static graph at once", () => {
    const lists = assertGraphLists(ui.files);
    const { info, closure, page } = moduleGraph(ui.files);
    const out = (rel) => outName(ui.files, rel);
    const list = (from, to) => lists.get(`${out(from)} -> ${out(to)}`) || assert.fail(`no importGraph() of ${to} in ${from}`);
    // The console page's three import levels, and noVNC's, in one list each.
    const consolePage = list('js/views/load.js', 'js/views/console-page.js');
    for (const rel of ['js/views/console-view.js', 'js/views/console-common.js', 'js/keysyms.js']) {
        assert.ok(consolePage.includes(out(rel)), `${rel} comes with the console page`);
    }
    const novnc = list('js/views/console-view.js', 'js/console.js');
    assert.ok(novnc.length > 40 && novnc.every((n) => n.startsWith('vendor/novnc/')), novnc.join(' '));
    assert.ok(novnc.includes(out('vendor/novnc/core/rfb.js')) && novnc.includes(out('vendor/novnc/core/input/keysymdef.js')));
    // No list of the login page's own modules names third-party code.
    for (const [key, names] of lists) {
        const importer = key.split(' -> ')[0];
        if (page.has(importer)) assert.deepEqual(names.filter((n) => n.startsWith('vendor/')), [], key);
    }
    // Every import() whose target brings modules the page has not loaded goes through
    // importGraph(); a plain one (the catalogues) brings none.
    for (const [name, { dynamic, calls }] of info) {
        const loaded = new Set([...page, ...closure([name])]);
        for (const target of dynamic) {
            if (calls.some((c) => c.target === target)) continue;
            const brings = [...closure([target])].filter((m) => m !== target && !loaded.has(m));
            assert.deepEqual(brings, [], `${name}: import() of ${target} without importGraph()`);
        }
    }
});

test('the login page loads no page view: they are imported only by import()', () => {
    // app.js's static import closure is what the login page fetches (i18n.js's
    // catalogues and the views behind views/load.js come by import()).
    const seen = new Set();
    const queue = ['js/app.js'];
    while (queue.length) {
        const rel = queue.pop();
        if (seen.has(rel)) continue;
        seen.add(rel);
        const text = readFileSync(path.join(WEB, rel), 'utf8');
        const ast = acorn.parse(text, { ecmaVersion: 'latest', sourceType: 'module' });
        for (const n of ast.body) {
            if (!n.source || !['ImportDeclaration', 'ExportNamedDeclaration', 'ExportAllDeclaration'].includes(n.type)) continue;
            queue.push(path.posix.normalize(path.posix.join(path.posix.dirname(rel), n.source.value)));
        }
    }
    const views = ['domain-list', 'domain-detail', 'detail-tabs', 'console-page', 'console-view', 'serial-view', 'networks',
        'network-form', 'storage', 'pool-form', 'pool-volumes', 'upload-panel', 'domain-disks', 'domain-interfaces', 'host'];
    const pulled = [...seen].filter((rel) => views.includes(path.posix.basename(rel, '.js')) ||
        /(^|\/)(console|serial)\.js$|vendor\//.test(rel));
    assert.deepEqual(pulled, [], `the login page's modules: ${[...seen].sort().join(' ')}`);
    assert.ok(seen.has('js/views/login.js'));
});

test("the UI's JavaScript names files only in ways the build follows", () => {
    // A file name in a plain string (say src: 'favicon.svg') would keep its source name
    // in the build and miss: imports, import() and new URL('…', import.meta.url) only.
    const own = ['js', 'i18n'].flatMap((dir) => [...readTree(path.join(WEB, dir)).keys()].map((rel) => `${dir}/${rel}`))
        .filter((rel) => /\.m?js$/.test(rel));
    const served = /\.(m?js|css|svg|json|png|jpe?g|gif|webp|ico|woff2?|ttf|html)([?#].*)?$/;
    const bad = [];
    for (const rel of own) {
        const text = readFileSync(path.join(WEB, rel), 'utf8');
        const followed = new Set(findReferences(rel, text).refs.map((r) => r.start));
        const strings = [];
        acorn.parse(text, {
            ecmaVersion: 'latest',
            sourceType: 'module',
            onToken: (tok) => {
                if (tok.type.label === 'string' || tok.type.label === 'template') strings.push(tok);
            },
        });
        for (const tok of strings) {
            const start = tok.type.label === 'string' ? tok.start + 1 : tok.start;
            if (served.test(String(tok.value)) && !followed.has(start)) bad.push(`${rel}: ${tok.value}`);
        }
    }
    assert.deepEqual(bad, []);
});
