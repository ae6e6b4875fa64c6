// SPDX-License-Identifier: LGPL-2.1-or-later
// line-diff.js — a line diff of two texts by their longest common subsequence, for the
// raw XML editor's "Review changes" (a domain's XML is at most 60 KiB, a few hundred
// lines). Pure; browser main thread or node.

/** The lines of text ("" gives no lines; a final line break ends the last line). */
export function splitLines(text) {
    const s = String(text ?? '').replace(/\r\n?/g, '\n');
    if (s === '') return [];
    const lines = s.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
}

/**
 * The edit from before to after, line by line, as [{op: ' ' | '-' | '+', text, a, b}]:
 * ' ' a line both keep, '-' a line only before has, '+' a line only after has; a and b
 * are the 1-based line numbers in before and after (null where the line is not there).
 * Lines common to both ends are matched first, so only the changed middle costs
 * O(n·m) time and memory; past maxCells (n·m) the middle is given as all removed then
 * all added.
 */
export function lineDiff(before, after, { maxCells = 4_000_000 } = {}) {
    const a = splitLines(before);
    const b = splitLines(after);
    let head = 0;
    while (head < a.length && head < b.length && a[head] === b[head]) head++;
    let tail = 0;
    while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
    const out = [];
    for (let i = 0; i < head; i++) out.push({ op: ' ', text: a[i], a: i + 1, b: i + 1 });
    const am = a.slice(head, a.length - tail);
    const bm = b.slice(head, b.length - tail);
    const n = am.length;
    const m = bm.length;
    if (n * m > maxCells) {
        am.forEach((text, i) => out.push({ op: '-', text, a: head + i + 1, b: null }));
        bm.forEach((text, j) => out.push({ op: '+', text, a: null, b: head + j + 1 }));
    } else {
        // lcs[i][j]: the longest common subsequence of am[i..] and bm[j..]
        const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
        for (let i = n - 1; i >= 0; i--) {
            for (let j = m - 1; j >= 0; j--) {
                lcs[i][j] = am[i] === bm[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        let i = 0;
        let j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && am[i] === bm[j]) {
                out.push({ op: ' ', text: am[i], a: head + i + 1, b: head + j + 1 });
                i++;
                j++;
            } else if (j < m && (i === n || lcs[i][j + 1] > lcs[i + 1][j])) {
                out.push({ op: '+', text: bm[j], a: null, b: head + j + 1 });
                j++;
            } else {
                out.push({ op: '-', text: am[i], a: head + i + 1, b: null });
                i++;
            }
        }
    }
    for (let k = tail; k > 0; k--) {
        out.push({ op: ' ', text: a[a.length - k], a: a.length - k + 1, b: b.length - k + 1 });
    }
    return out;
}

/** True when the diff changes something. */
export function diffChanges(diff) {
    return diff.some((line) => line.op !== ' ');
}
