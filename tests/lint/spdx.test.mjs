// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lint/spdx.test.mjs — every tracked source file we wrote names its licence in
// its first line, `SPDX-License-Identifier: LGPL-2.1-or-later` in the file's comment
// syntax (the second line after a `#!` shebang, PAM's `#%PAM-1.0` or HTML's doctype).
// Which files: spdxComment() below; data (JSON, XML and SVG, the fuzz corpus, the test
// fixtures, pictures), prose (Markdown, LICENSE) and CI machinery (.ci/) are left out;
// the vendored UI parts are not tracked. Run by `make lint` (git ls-files: a checkout).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SPDX = 'SPDX-License-Identifier: LGPL-2.1-or-later';

const EXCLUDED = /^(\.ci\/|tests\/fuzz\/corpus\/|tests\/fixtures\/|web\/vendor\/|node_modules\/)/;
const C_STYLE = /\.(c|h|css|def|S)$/;
const SLASH_STYLE = /\.(js|mjs|cjs)$/;
const HASH_STYLE = /(^|\/)(Makefile|\.clang-format)$|\.(sh|mk|ya?ml|conf|tsv|service|socket)$|^packaging\/pam\.d\//;

/**
 * The line a tracked file must have, or null when the file is not one we annotate.
 * first: the file's first line (a shebang makes any file a `#` script).
 */
export function spdxComment(rel, first) {
    if (EXCLUDED.test(rel)) return null;
    if (C_STYLE.test(rel)) return `/* ${SPDX} */`;
    if (SLASH_STYLE.test(rel)) return `// ${SPDX}`;
    if (rel.endsWith('.html')) return `<!-- ${SPDX} -->`;
    if (/^packaging\/man\/.*\.[1-8]$/.test(rel)) return `.\\" ${SPDX}`;
    if (HASH_STYLE.test(rel) || first.startsWith('#!')) return `# ${SPDX}`;
    return null;
}

/** Index of the line that must carry it: 1 after a shebang, #%PAM-1.0 or <!doctype>. */
export function spdxLineIndex(first) {
    return /^(#!|#%PAM-|<!doctype )/i.test(first) ? 1 : 0;
}

/** The problem with one file's text, or null. */
export function spdxProblem(rel, text) {
    const lines = text.split('\n');
    const want = spdxComment(rel, lines[0]);
    if (want === null) return null;
    const at = spdxLineIndex(lines[0]);
    return lines[at] === want ? null : `${rel}:${at + 1}: expected "${want}"`;
}

test('spdxProblem: the rules on small examples', () => {
    assert.equal(spdxProblem('server/a.c', `/* ${SPDX} */\n/* a: owns ... */\n`), null);
    assert.match(spdxProblem('server/a.c', '/* a: owns ... */\n'), /server\/a\.c:1: expected/);
    assert.equal(spdxProblem('web/js/a.js', `// ${SPDX}\n// a.js\n`), null);
    assert.equal(spdxProblem('x.sh', `#!/bin/sh\n# ${SPDX}\nset -eu\n`), null);
    assert.match(spdxProblem('x.sh', `#!/bin/sh\nset -eu\n# ${SPDX}\n`), /x\.sh:2/);
    assert.match(spdxProblem('a.yml', '# SPDX-License-Identifier: MIT\n'), /a\.yml:1/);
    assert.match(spdxProblem('tests/guest/init', '#!/bin/busybox sh\necho\n'), /init:2/);
    assert.equal(spdxProblem('web/index.html', `<!doctype html>\n<!-- ${SPDX} -->\n`), null);
    assert.equal(spdxProblem('packaging/pam.d/virtdeck', `#%PAM-1.0\n# ${SPDX}\n`), null);
    assert.equal(spdxProblem('Makefile', `# ${SPDX}\n`), null);
    assert.equal(spdxProblem('packaging/man/virtdeck.8', `.\\" ${SPDX}\n`), null);
    for (const rel of ['package.json', 'docs/api.md', 'tests/fixtures/a.xml', 'web/favicon.svg', 'LICENSE']) {
        assert.equal(spdxProblem(rel, 'no licence line\n'), null, rel);
    }
    for (const rel of ['tests/fuzz/corpus/route/x', '.ci/run', 'tests/fixtures/a.sh']) {
        assert.equal(spdxProblem(rel, '#!/bin/sh\nno licence line\n'), null, rel);
    }
});

test('every tracked source file opens with the SPDX licence line', (t) => {
    const ls = spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' });
    if (ls.status !== 0) {
        t.skip('not a git checkout');
        return;
    }
    const files = ls.stdout.split('\0').filter(Boolean);
    const problems = [];
    let checked = 0;
    for (const rel of files) {
        let text;
        try {
            text = readFileSync(path.join(ROOT, rel), 'utf8');
        } catch {
            continue; // deleted in the work tree, not yet committed
        }
        if (spdxComment(rel, text.split('\n', 1)[0]) === null) continue;
        checked++;
        const p = spdxProblem(rel, text);
        if (p) problems.push(p);
    }
    assert.ok(checked > 500, `${checked} files checked`);
    assert.deepEqual(problems, [], `${problems.length} files without the SPDX line (run the SPDX script)`);
});
