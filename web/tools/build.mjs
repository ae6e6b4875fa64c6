// SPDX-License-Identifier: LGPL-2.1-or-later
// web/tools/build.mjs — the web build: writes the tree the daemon serves (build/web/)
// from web/ (with web/vendor/, which `make web-vendor` copies from npm).
//
// Starting at index.html it follows every reference: src/href attributes in HTML;
// `import … from`, `export … from`, `import('literal')` and
// `new URL('literal', import.meta.url)` in JavaScript, found by a real parser (acorn);
// url() and @import in CSS. Each file it reaches is written as name.<hash>.ext (JS, CSS,
// SVG, JSON, images, fonts; the daemon serves such names as immutable) with every
// reference rewritten to the new names; index.html keeps its name (the one file a
// browser revalidates). A file's hash covers its content after rewriting, so files are
// named dependencies first and a change renames the file and everything that refers to
// it, up to index.html. The files of a reference cycle (a strongly connected component
// of the graph) cannot be named one after another: they share one hash over all their
// contents, so a change in any of them renames them all. `sourceMappingURL` comments are
// dropped and no .map file is written; licence files of the copied third-party code
// (web/vendor/**/LICENSE*) are copied as they are. Each call
// importGraph(() => import('literal')) (web/js/views/dom.js) gets a second argument: the
// new names (relative to the web root) of the modules its target reaches by static
// imports and the page cannot have loaded yet, so the browser asks for the whole graph
// at once instead of one import level per round trip (a file's hash covers its lists: a
// change in a lazily loaded module's graph renames the module and its importers anyway).
// Anything the build cannot follow (a missing file, a bare specifier, `import()` of a
// computed value, a reference that leaves web/) fails the build.
//
// Runs in Node at build time only: `node web/tools/build.mjs [SRC_DIR OUT_DIR]`
// (default web/ and build/web/), run by `make web-build`.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as acorn from 'acorn';

/** Extensions that get a content hash in their name. */
export const HASHED_EXTENSIONS = new Set(['.js', '.mjs', '.css', '.svg', '.json', '.png', '.jpg', '.jpeg',
    '.gif', '.webp', '.ico', '.woff', '.woff2', '.ttf', '.otf', '.wasm']);
/** Hex digits of SHA-256 in a name (64 bits; the daemon wants at least 8). */
export const HASH_LENGTH = 16;
const TEXT_EXTENSIONS = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json']);
// LICENSE, LICENSE.txt, LICENSE.MPL-2.0, LICENSE.addon-fit.txt, COPYING ...
const LICENCE_NAME = /^(LICEN[CS]E|COPYING)(\.[A-Za-z0-9][A-Za-z0-9.-]*)?$/i;
const SOURCE_MAP_COMMENT = /^[#@] sourceMappingURL=/;

/** The function (views/dom.js) whose calls get their import() target's module list. */
export const IMPORT_GRAPH = 'importGraph';

export class BuildError extends Error {}

const fail = (file, message) => {
    throw new BuildError(`${file}: ${message}`);
};
const sha256 = (data) => createHash('sha256').update(data).digest('hex');

// ---- finding references ----------------------------------------------------------
// A reference is {start, end, spec, module}: text[start, end) (inside any quotes) is
// replaced by the target's new name, spec's ?query or #fragment kept; module is true for
// an import specifier (which must be a relative path: there is no import map).

/** <tag … src="…"> and href="…" in HTML (comments skipped); srcset is refused. */
function htmlReferences(file, text) {
    const refs = [];
    for (const tag of text.matchAll(/<!--[\s\S]*?-->|<[a-zA-Z][^>]*>/g)) {
        if (tag[0].startsWith('<!--')) continue;
        if (/\ssrcset\s*=/i.test(tag[0])) fail(file, `srcset is not followed: ${tag[0]}`);
        for (const a of tag[0].matchAll(/\s(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/dgi)) {
            const g = [1, 2, 3].find((k) => a[k] !== undefined);
            const [start, end] = a.indices[g];
            refs.push({ start: tag.index + start, end: tag.index + end, spec: a[g], module: false });
        }
    }
    return { refs, strips: [] };
}

/** url(…) and @import "…" in CSS, outside comments and other strings. */
function cssReferences(text) {
    const refs = [];
    const strips = [];
    let i = 0;
    while (i < text.length) {
        if (text.startsWith('/*', i)) {
            const end = text.indexOf('*/', i + 2);
            const stop = end < 0 ? text.length : end + 2;
            if (SOURCE_MAP_COMMENT.test(text.slice(i + 2, stop).trimStart())) strips.push({ start: i, end: stop });
            i = stop;
        } else if (text[i] === '"' || text[i] === "'") {
            const q = text[i];
            let j = i + 1;
            while (j < text.length && text[j] !== q) j += text[j] === '\\' ? 2 : 1;
            if (/@import\s*$/i.test(text.slice(Math.max(0, i - 32), i))) {
                refs.push({ start: i + 1, end: j, spec: text.slice(i + 1, j), module: false });
            }
            i = j + 1;
        } else if (/^url\(/i.test(text.slice(i, i + 4)) && !/[\w-]/.test(text[i - 1] || '')) {
            let j = i + 4;
            while (/\s/.test(text[j])) j++;
            const q = text[j] === '"' || text[j] === "'" ? text[j] : '';
            const start = q ? j + 1 : j;
            const end = q ? text.indexOf(q, start) : text.indexOf(')', start);
            if (end < 0) break;
            const spec = text.slice(start, end).trimEnd();
            refs.push({ start, end: start + spec.length, spec, module: false });
            i = text.indexOf(')', end) + 1 || text.length;
        } else {
            i++;
        }
    }
    return { refs, strips };
}

const isImportMetaUrl = (n) => n?.type === 'MemberExpression' && !n.computed &&
    n.object.type === 'MetaProperty' && n.object.meta.name === 'import' && n.object.property.name === 'meta' &&
    n.property.type === 'Identifier' && n.property.name === 'url';

/** Every node of an ESTree AST (iteratively: minified code nests deeply). */
function* nodes(root) {
    const stack = [root];
    while (stack.length) {
        const n = stack.pop();
        yield n;
        for (const key in n) {
            const v = n[key];
            if (Array.isArray(v)) {
                for (let k = v.length - 1; k >= 0; k--) if (v[k] && typeof v[k].type === 'string') stack.push(v[k]);
            } else if (v && typeof v === 'object' && typeof v.type === 'string') {
                stack.push(v);
            }
        }
    }
}

/**
 * A string literal node's reference (inside its quotes), or a failure naming why not.
 * kind is what refers: 'import' (a static import or re-export), 'import()' or 'new URL()'.
 */
function literalReference(file, node, kind) {
    const module = kind !== 'new URL()';
    if (node.type === 'Literal' && typeof node.value === 'string') {
        return { start: node.start + 1, end: node.end - 1, spec: node.value, module, kind };
    }
    if (node.type === 'TemplateLiteral' && node.expressions.length === 0) {
        return { start: node.start + 1, end: node.end - 1, spec: node.quasis[0].value.cooked, module, kind };
    }
    return fail(file, `${kind} of a computed value at offset ${node.start}: the build cannot rename its target`);
}

/**
 * A call importGraph(() => import('…')) (views/dom.js): where its second argument goes
 * ({at, importAt, listed}: the offset after the first argument, the import()'s
 * reference start, and whether a list is there already, as in the build's output).
 * Any other shape of the call fails.
 */
function graphSite(file, call) {
    const [load, list, ...rest] = call.arguments;
    const body = load?.type === 'ArrowFunctionExpression' && load.params.length === 0 ? load.body : null;
    if (body?.type !== 'ImportExpression' || rest.length || (list && list.type !== 'ArrayExpression')) {
        fail(file, `${IMPORT_GRAPH}() at offset ${call.start} takes one argument, () => import('…'): the build writes the second`);
    }
    return { at: load.end, importAt: body.source.start + 1, listed: !!list };
}

/**
 * Static and dynamic imports, re-exports, new URL('…', import.meta.url); importGraph()
 * calls; source map comments.
 */
function jsReferences(file, text) {
    const strips = [];
    let ast;
    try {
        ast = acorn.parse(text, {
            ecmaVersion: 'latest',
            sourceType: 'module',
            onComment: (block, body, start, end) => {
                if (SOURCE_MAP_COMMENT.test(body.trimStart())) strips.push({ start, end });
            },
        });
    } catch (err) {
        return fail(file, `cannot parse: ${err.message}`);
    }
    const refs = [];
    const graphs = [];
    for (const n of nodes(ast)) {
        if ((n.type === 'ImportDeclaration' || n.type === 'ExportNamedDeclaration' ||
             n.type === 'ExportAllDeclaration') && n.source) {
            refs.push(literalReference(file, n.source, 'import'));
        } else if (n.type === 'ImportExpression') {
            refs.push(literalReference(file, n.source, 'import()'));
        } else if (n.type === 'NewExpression' && n.callee.type === 'Identifier' && n.callee.name === 'URL' &&
                   isImportMetaUrl(n.arguments[1])) {
            refs.push(literalReference(file, n.arguments[0], 'new URL()'));
        } else if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === IMPORT_GRAPH) {
            graphs.push(graphSite(file, n));
        }
    }
    return { refs, strips, graphs };
}

/**
 * The references in one file (rel names it, for its type and for messages; data is its
 * text), the source map comments to drop and, in JavaScript, the importGraph() calls:
 * {refs: [{start, end, spec, module, kind}], strips: [{start, end}], graphs: [{at,
 * importAt, listed}]}. Types other than HTML, CSS and JavaScript refer to nothing.
 */
export function findReferences(rel, data) {
    const ext = path.extname(rel).toLowerCase();
    if (ext === '.html') return { ...htmlReferences(rel, data), graphs: [] };
    if (ext === '.css') return { ...cssReferences(data), graphs: [] };
    if (ext === '.js' || ext === '.mjs') return jsReferences(rel, data);
    return { refs: [], strips: [], graphs: [] };
}

// ---- the graph ---------------------------------------------------------------------

/** Splits "a/b.svg?x#y" into the path and its suffix. */
function splitSpec(spec) {
    const cut = spec.search(/[?#]/);
    return cut < 0 ? [spec, ''] : [spec.slice(0, cut), spec.slice(cut)];
}

/**
 * The source file (relative to src, '/'-separated) a reference from `from` names, or
 * null for what is not a file of ours: a fragment (#id), data: and blob: URLs.
 */
function resolve(src, from, { spec, module }) {
    if (spec === '' || spec.startsWith('#') || /^(data|blob):/i.test(spec)) return null;
    if (/^[a-z][a-z0-9+.-]*:/i.test(spec) || spec.startsWith('//')) fail(from, `reference to another origin: ${spec}`);
    if (module && !/^\.{0,2}\//.test(spec)) fail(from, `bare specifier ${spec} (no import map: use a relative path)`);
    const [file] = splitSpec(spec);
    let target;
    try {
        target = decodeURIComponent(file);
    } catch {
        return fail(from, `malformed reference ${spec}`);
    }
    const abs = target.startsWith('/') ? path.join(src, target) : path.resolve(src, path.dirname(from), target);
    const rel = path.relative(src, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) fail(from, `reference leaves ${src}: ${spec}`);
    if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) fail(from, `missing file ${spec}`);
    if (rel.endsWith('.map')) fail(from, `reference to a source map: ${spec}`);
    return rel.split(path.sep).join('/');
}

/**
 * Reads entry and everything it reaches. Returns Map rel -> {rel, data, refs, strips,
 * graphs: [{at, target}]} (target: the file an importGraph() call's import() names).
 */
function collect(src, entry) {
    const files = new Map();
    const queue = [entry];
    while (queue.length) {
        const rel = queue.shift();
        if (files.has(rel)) continue;
        const ext = path.extname(rel).toLowerCase();
        const buf = fs.readFileSync(path.join(src, rel));
        const data = TEXT_EXTENSIONS.has(ext) ? buf.toString('utf8') : buf;
        const found = findReferences(rel, data);
        const refs = [];
        for (const r of found.refs) {
            const target = resolve(src, rel, r);
            if (target === null) continue;
            refs.push({ ...r, target, suffix: splitSpec(r.spec)[1] });
            queue.push(target);
        }
        const graphs = found.graphs.map((g) => {
            const ref = refs.find((r) => r.start === g.importAt);
            if (g.listed) fail(rel, `${IMPORT_GRAPH}() at offset ${g.at} has a list: the build writes it`);
            return ref ? { at: g.at, target: ref.target } : fail(rel, `${IMPORT_GRAPH}() at offset ${g.at} imports no file of ours`);
        });
        files.set(rel, { rel, data, refs, strips: found.strips, graphs });
    }
    return files;
}

/** The JavaScript files that roots reach by static imports, roots first, breadth first. */
function staticClosure(files, roots) {
    const seen = new Set(roots);
    const order = [...seen];
    for (let i = 0; i < order.length; i++) {
        for (const r of files.get(order[i]).refs) {
            if (r.kind === 'import' && !seen.has(r.target)) {
                seen.add(r.target);
                order.push(r.target);
            }
        }
    }
    return order;
}

/**
 * Gives each importGraph() call its list (g.members, source names): the modules its
 * import() target reaches by static imports that the page cannot have loaded yet, i.e.
 * without the target itself (import() asks for it), the importer's own static graph
 * (loaded before its code runs) and the modules entry names with theirs (loaded before
 * any import() can run). Breadth first from the target, so the nearest come first.
 */
function resolveGraphs(files, entry) {
    const isModule = (rel) => /\.m?js$/.test(rel);
    const entryModules = isModule(entry) ? [entry] : files.get(entry).refs.map((r) => r.target).filter(isModule);
    const onPage = new Set(staticClosure(files, entryModules));
    for (const f of files.values()) {
        if (!f.graphs.length) continue;
        const loaded = new Set([...onPage, ...staticClosure(files, [f.rel])]);
        for (const g of f.graphs) g.members = staticClosure(files, [g.target]).slice(1).filter((m) => !loaded.has(m));
    }
}

/**
 * The strongly connected components of the reference graph, each one after every
 * component it refers to (Tarjan's algorithm emits them in that order), iteratively.
 * A component is {members: [rel, ...] sorted, cyclic}.
 */
export function components(edges) {
    const index = new Map();
    const low = new Map();
    const onStack = new Set();
    const stack = [];
    const out = [];
    let next = 0;
    for (const root of [...edges.keys()].sort()) {
        if (index.has(root)) continue;
        const work = [{ v: root, i: 0 }];
        index.set(root, next); low.set(root, next); next++;
        stack.push(root); onStack.add(root);
        while (work.length) {
            const top = work[work.length - 1];
            const succ = edges.get(top.v);
            if (top.i < succ.length) {
                const w = succ[top.i++];
                if (!index.has(w)) {
                    index.set(w, next); low.set(w, next); next++;
                    stack.push(w); onStack.add(w);
                    work.push({ v: w, i: 0 });
                } else if (onStack.has(w)) {
                    low.set(top.v, Math.min(low.get(top.v), index.get(w)));
                }
                continue;
            }
            work.pop();
            if (work.length) {
                const parent = work[work.length - 1].v;
                low.set(parent, Math.min(low.get(parent), low.get(top.v)));
            }
            if (low.get(top.v) === index.get(top.v)) {
                const members = [];
                let w;
                do {
                    w = stack.pop();
                    onStack.delete(w);
                    members.push(w);
                } while (w !== top.v);
                members.sort();
                const cyclic = members.length > 1 || edges.get(top.v).includes(top.v);
                out.push({ members, cyclic });
            }
        }
    }
    return out;
}

// ---- naming and writing ------------------------------------------------------------

function hashedName(rel, hash) {
    const ext = path.posix.extname(rel);
    if (!HASHED_EXTENSIONS.has(ext.toLowerCase())) return rel;
    return `${rel.slice(0, rel.length - ext.length)}.${hash}${ext}`;
}

/** The reference text from the file named fromOut to the file named toOut. */
function relativeSpec(fromOut, toOut, js) {
    const rel = path.posix.relative(path.posix.dirname(fromOut), toOut);
    if (rel.startsWith('../')) return rel;
    return js ? `./${rel}` : rel;
}

const SAFE_NAME = /^[\w./~-]*([?#].*)?$/;

/** An importGraph() call's second argument: its members' new names, relative to the web root. */
function graphArgument(f, g, nameOf) {
    const names = g.members.map(nameOf);
    for (const n of names) if (!SAFE_NAME.test(n)) fail(f.rel, `a name that needs escaping: ${n}`);
    return `, [${names.map((n) => `'${n}'`).join(', ')}]`;
}

/**
 * f's text with its references replaced by nameOf(target) (relative to f's new name)
 * and each importGraph() call given its list.
 */
function rewrite(f, outName, nameOf) {
    if (typeof f.data !== 'string') return f.data;
    const js = /\.m?js$/.test(f.rel);
    const refs = f.refs.map((r) => ({ ...r, text: relativeSpec(outName, nameOf(r.target), js) + r.suffix }));
    for (const r of refs) if (!SAFE_NAME.test(r.text)) fail(f.rel, `a name that needs escaping: ${r.text}`);
    const edits = [
        ...refs,
        ...f.strips.map((s) => ({ ...s, text: '' })),
        ...f.graphs.map((g) => ({ start: g.at, end: g.at, text: graphArgument(f, g, nameOf) })),
    ].sort((a, b) => a.start - b.start);
    let text = '';
    let at = 0;
    for (const e of edits) {
        text += f.data.slice(at, e.start) + e.text;
        at = e.end;
    }
    return text + f.data.slice(at);
}

function listLicences(src, skip) {
    const out = [];
    const walk = (dir) => {
        for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, ent.name);
            if (p === skip || ent.name === 'node_modules') continue;
            if (ent.isDirectory()) walk(p);
            else if (ent.isFile() && LICENCE_NAME.test(ent.name)) out.push(path.relative(src, p).split(path.sep).join('/'));
        }
    };
    walk(src);
    return out.sort();
}

/**
 * Builds the tree: reads src from entry (default index.html), names and rewrites every
 * file it reaches, and replaces out with the result (written beside it first, then
 * renamed). Returns {names: Map source rel -> output rel, cycles: [[rel, ...]], bytes}.
 * Throws BuildError for anything it cannot follow.
 */
export function buildWeb({ src, out, entry = 'index.html' }) {
    src = path.resolve(src);
    out = path.resolve(out);
    const files = collect(src, entry);
    // An importGraph() list's members are reached from its import() target, which the
    // file refers to: they are named before the file, or share its cycle.
    resolveGraphs(files, entry);
    const edges = new Map([...files.values()].map((f) => [f.rel, [...new Set(f.refs.map((r) => r.target))]]));
    const names = new Map();
    const outputs = new Map();
    const cycles = [];
    const nameOf = (rel) => names.get(rel);
    for (const { members, cyclic } of components(edges)) {
        if (!cyclic) {
            const f = files.get(members[0]);
            // Its references depend only on its folder, which the hash does not change.
            const content = rewrite(f, f.rel, nameOf);
            const name = f.rel === entry ? f.rel : hashedName(f.rel, sha256(content).slice(0, HASH_LENGTH));
            names.set(f.rel, name);
            outputs.set(name, content);
            continue;
        }
        // A cycle: hash all members together, references inside the cycle left as they
        // were (their targets' names are what is being computed), the others rewritten.
        cycles.push(members);
        const whole = createHash('sha256');
        for (const rel of members) {
            const f = files.get(rel);
            const inside = (t) => (members.includes(t) ? t : names.get(t));
            whole.update(`${rel}\0`).update(rewrite(f, f.rel, inside)).update('\0');
        }
        const shared = whole.digest('hex');
        for (const rel of members) {
            names.set(rel, rel === entry ? rel : hashedName(rel, sha256(`${shared}\0${rel}`).slice(0, HASH_LENGTH)));
        }
        for (const rel of members) outputs.set(names.get(rel), rewrite(files.get(rel), names.get(rel), nameOf));
    }
    for (const rel of listLicences(src, out)) {
        if (!outputs.has(rel)) outputs.set(rel, fs.readFileSync(path.join(src, rel)));
    }

    const tmp = `${out}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    let bytes = 0;
    for (const [name, data] of outputs) {
        const p = path.join(tmp, name);
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, data);
        bytes += Buffer.byteLength(data);
    }
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.renameSync(tmp, out);
    return { names, cycles, files: outputs.size, bytes };
}

// ---- command line ------------------------------------------------------------------

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
    const [src = path.join(repo, 'web'), out = path.join(repo, 'build', 'web')] = process.argv.slice(2);
    try {
        const r = buildWeb({ src, out });
        for (const c of r.cycles) console.log(`web build: reference cycle, one hash for: ${c.join(' ')}`);
        const hashed = [...r.names].filter(([from, to]) => from !== to).length;
        console.log(`web build: ${r.files} files (${hashed} with hashed names), ${r.bytes} bytes in ${path.relative(process.cwd(), out) || out}`);
    } catch (err) {
        if (!(err instanceof BuildError)) throw err;
        console.error(`web build: ${err.message}`);
        process.exit(1);
    }
}
