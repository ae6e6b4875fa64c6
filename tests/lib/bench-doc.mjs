// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/bench-doc.mjs — how the benchmarks after tests/bench/run.mjs write their part of
// docs/performance.md: each owns one section between its own marker comments and
// leaves the rest of the file alone. Bench process only.
import fs from 'node:fs';

/**
 * Replaces the text from begin to end (both marker lines included) in file with text,
 * which starts with begin and ends with end; appends it when the markers are missing.
 */
export function writeDocSection(file, begin, end, text) {
    let doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const a = doc.indexOf(begin);
    const b = doc.indexOf(end);
    if (a >= 0 && b > a) doc = doc.slice(0, a) + text + doc.slice(b + end.length);
    else doc = `${doc.replace(/\n*$/, '')}${doc ? '\n\n' : ''}${text}\n`;
    fs.writeFileSync(file, doc);
}
