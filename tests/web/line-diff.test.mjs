// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/line-diff.test.mjs — web/js/line-diff.js: lines split as an editor shows
// them, the LCS edit (kept, removed, added lines with both line numbers), the common
// ends matched first, the fallback past the size bound, and that the edit gives back
// both texts.
import test from 'node:test';
import assert from 'node:assert/strict';
import { splitLines, lineDiff, diffChanges } from '../../web/js/line-diff.js';

const ops = (diff) => diff.map((l) => `${l.op}${l.text}`);
const sides = (diff) => ({
    before: diff.filter((l) => l.op !== '+').map((l) => l.text),
    after: diff.filter((l) => l.op !== '-').map((l) => l.text),
});

test('splits lines: CRLF and CR as LF, a final line break ends the last line', () => {
    assert.deepEqual(splitLines(''), []);
    assert.deepEqual(splitLines(null), []);
    assert.deepEqual(splitLines('a\nb\n'), ['a', 'b']);
    assert.deepEqual(splitLines('a\r\nb\rc'), ['a', 'b', 'c']);
    assert.deepEqual(splitLines('\n'), ['']);
});

test('equal texts: every line kept, nothing changed', () => {
    const d = lineDiff('a\nb\nc\n', 'a\nb\nc');
    assert.deepEqual(ops(d), [' a', ' b', ' c']);
    assert.equal(diffChanges(d), false);
});

test('a changed line is removed then added, with both line numbers', () => {
    const before = "<domain>\n  <name>x</name>\n  <memory unit='KiB'>524288</memory>\n  <vcpu>1</vcpu>\n</domain>\n";
    const after = before.replace('524288', '1048576');
    const d = lineDiff(before, after);
    assert.deepEqual(ops(d), [' <domain>', '   <name>x</name>', "-  <memory unit='KiB'>524288</memory>",
        "+  <memory unit='KiB'>1048576</memory>", '   <vcpu>1</vcpu>', ' </domain>']);
    assert.deepEqual(d[2], { op: '-', text: "  <memory unit='KiB'>524288</memory>", a: 3, b: null });
    assert.deepEqual(d[3], { op: '+', text: "  <memory unit='KiB'>1048576</memory>", a: null, b: 3 });
    assert.deepEqual(d[5], { op: ' ', text: '</domain>', a: 5, b: 5 });
    assert.equal(diffChanges(d), true);
});

test('insertions and deletions in the middle keep the longest common part', () => {
    const d = lineDiff('a\nb\nc\nd\ne', 'a\nx\nc\ne\ny');
    assert.deepEqual(ops(d), [' a', '-b', '+x', ' c', '-d', ' e', '+y']);
    assert.deepEqual(sides(d), { before: ['a', 'b', 'c', 'd', 'e'], after: ['a', 'x', 'c', 'e', 'y'] });
    assert.deepEqual(ops(lineDiff('', 'a\nb')), ['+a', '+b']);
    assert.deepEqual(ops(lineDiff('a\nb', '')), ['-a', '-b']);
    assert.deepEqual(lineDiff('', ''), []);
});

test('repeated lines: the edit is still minimal and gives back both texts', () => {
    const before = 'x\ny\nx\ny\nx';
    const after = 'y\nx\ny\ny\nx\nz';
    const d = lineDiff(before, after);
    assert.deepEqual(sides(d), { before: splitLines(before), after: splitLines(after) });
    assert.equal(d.filter((l) => l.op === ' ').length, 4, 'the LCS of the two has 4 lines');
});

test('past maxCells the middle is all removed then all added, the ends still matched', () => {
    const d = lineDiff('h\na\nb\nt', 'h\nc\nd\nt', { maxCells: 3 });
    assert.deepEqual(ops(d), [' h', '-a', '-b', '+c', '+d', ' t']);
});

test('a 600-line definition with scattered edits: only the changed lines are marked', () => {
    const before = Array.from({ length: 600 }, (_, i) => `  <line n='${i}'/>`).join('\n');
    const after = before.replace("n='10'", "n='ten'").replace("n='590'/>", "n='590'/>\n  <added/>");
    const d = lineDiff(before, after);
    assert.deepEqual(d.filter((l) => l.op !== ' ').map((l) => `${l.op}${l.text.trim()}`),
        ["-<line n='10'/>", "+<line n='ten'/>", '+<added/>']);
});
