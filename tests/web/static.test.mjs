// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/static.test.mjs — checks the UI's source files against the page's CSP:
// no inline scripts, styles or event attributes in HTML, no string-built markup or
// styles in JS, every import resolves to a file under web/ (the web build then names
// them; tests/web/build.test.mjs checks its output), and the pure modules import no
// view code.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');

// web/vendor/ holds the npm packages the Makefile copies (noVNC, xterm.js): not ours,
// never edited, so the rules below are for the UI's own files only. web/tools/ is the
// web build (Node, never served).
const SKIP = [path.join(WEB, 'vendor'), path.join(WEB, 'tools')];

function walk(dir) {
    const out = [];
    for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (SKIP.includes(p)) continue;
        if (statSync(p).isDirectory()) out.push(...walk(p));
        else out.push(p);
    }
    return out;
}

const files = walk(WEB);
const html = files.filter((f) => f.endsWith('.html'));
const js = files.filter((f) => f.endsWith('.js'));

test('the UI has its entry files', () => {
    for (const f of ['index.html', 'favicon.svg', 'css/app.css', 'js/app.js']) {
        assert.ok(existsSync(path.join(WEB, f)), f);
    }
});

test('HTML has no inline script, style or event handler', () => {
    assert.ok(html.length > 0);
    for (const f of html) {
        const t = readFileSync(f, 'utf8');
        for (const m of t.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
            assert.match(m[1], /\bsrc=/, `${f}: inline <script>`);
            assert.equal(m[2].trim(), '', `${f}: script with a body`);
        }
        assert.doesNotMatch(t, /<style\b/i, `${f}: <style>`);
        assert.doesNotMatch(t, /\sstyle\s*=/i, `${f}: style attribute`);
        assert.doesNotMatch(t, /\son[a-z]+\s*=/i, `${f}: event handler attribute`);
        assert.doesNotMatch(t, /javascript:/i, `${f}: javascript: URL`);
        assert.match(t, /<script type="module" src="js\/app\.js"><\/script>/);
        assert.match(t, /<noscript>/);
    }
});

test('JS builds no markup from strings and sets no inline styles', () => {
    for (const f of js) {
        const t = readFileSync(f, 'utf8');
        assert.doesNotMatch(t, /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/, `${f}: markup from a string`);
        // csp-styles.js is the one bridge that routes third-party style attributes
        // through CSSOM (element.style.cssText), which the CSP allows.
        if (path.relative(WEB, f) !== path.join('js', 'csp-styles.js')) {
            assert.doesNotMatch(t, /\.style\b(\.|\s*=|\[)/, `${f}: inline style`);
        }
        assert.doesNotMatch(t, /setAttribute\(\s*['"]style['"]/, `${f}: style attribute`);
        assert.doesNotMatch(t, /\beval\s*\(|new Function\s*\(/, `${f}: eval`);
        const urls = [...t.matchAll(/https?:\/\/[^\s'"`]+/g)].map((m) => m[0])
            .filter((u) => u !== 'http://www.w3.org/2000/svg'); // a namespace, not a fetch
        assert.deepEqual(urls, [], `${f}: a URL outside the page's origin`);
    }
});

test('every relative import resolves to a file under web/', () => {
    for (const f of js) {
        const t = readFileSync(f, 'utf8');
        for (const m of t.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
            const spec = m[1];
            assert.ok(spec.startsWith('./') || spec.startsWith('../'), `${f}: bare import ${spec}`);
            const target = path.resolve(path.dirname(f), spec);
            assert.ok(target.startsWith(WEB + path.sep), `${f}: import leaves web/: ${spec}`);
            assert.ok(existsSync(target), `${f}: missing ${spec}`);
        }
    }
});

test('pure modules stay out of the DOM', () => {
    const pure = ['state.js', 'format.js', 'sparkline.js', 'domains.js', 'router.js', 'api.js', 'ws.js', 'emitter.js',
        'ipaddr.js', 'forms.js', 'network-rules.js', 'storage-rules.js', 'device-rules.js', 'upload.js', 'errors.js'];
    for (const name of pure) {
        const t = readFileSync(path.join(WEB, 'js', name), 'utf8');
        assert.doesNotMatch(t, /\bdocument\b|\bwindow\b|from '\.\/views\//, name);
    }
});
