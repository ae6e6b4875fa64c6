// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lint/layers.mjs — the daemon's include graph must point one way: a module may
// include its own folder and the layers below it, never a layer above. Run by
// `make lint`; exits 1 naming each include that points up (and each entry of KNOWN
// that no longer occurs, so the list only shrinks).
//
// The layers, lowest first. A folder of server/ is a module; auth/ and vnc-proxy/ are
// one each; server/*.c|h at the top (app.h, config.h, serve.c, cli_*.c, main.c) is "top".
//   util                   allocation, buffers, logging, clocks: needs nothing of ours
//   store, work            SQLite; the worker pool
//   auth, metrics          who someone is and what they may do; the collected figures,
//                          their history on disk and the Prometheus text
//   virt, tls, alerts      libvirt; certificates and the TLS read hook; alert rules,
//                          their evaluation over samples and their delivery
//   http                   the connection layer: lws, routing, responses
//   api, events, transfer, vnc-proxy   endpoints: they implement what http defines
//   top                    wiring: knows everything, is known by nothing
//
// Modules of one layer may not include each other either, so with every include
// pointing down no two modules can call each other in a loop (only function pointers
// an upper layer hands down call upward: the endpoint vtables, the inbox's items).
// KNOWN lists tolerated upward includes ("path -> layer"). It is empty since the
// connection layer (http/conn.h: http owns every connection, endpoints implement its
// vtable and get what they use instead of struct app). Adding to it needs a reason in
// the commit.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RANK = {
    util: 0, store: 1, work: 1, auth: 2, metrics: 2, virt: 3, tls: 3, alerts: 3, http: 4,
    api: 5, events: 5, transfer: 5, 'vnc-proxy': 5, top: 6,
};

const KNOWN = new Set([]);

function moduleOfFile(rel) {
    const parts = rel.split('/');
    if (parts[0] === 'auth' || parts[0] === 'vnc-proxy') return parts[0];
    if (parts[0] === 'server') return parts.length === 2 ? 'top' : parts[1];
    return null;
}

function moduleOfInclude(inc) {
    if (inc.includes('/')) return inc.split('/')[0];
    if (inc.startsWith('auth_')) return 'auth';
    if (inc.startsWith('console') || inc.startsWith('serial')) return 'vnc-proxy';
    return 'top'; // app.h, config.h, serve.h, cli_*.h
}

function sources(dir) {
    const out = [];
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = `${dir}/${e.name}`;
        if (e.isDirectory()) out.push(...sources(rel));
        else if (/\.[ch]$/.test(e.name)) out.push(rel);
    }
    return out;
}

const problems = [];
const seen = new Set();
for (const file of ['server', 'auth', 'vnc-proxy'].flatMap(sources)) {
    const from = moduleOfFile(file);
    if (!(from in RANK)) {
        problems.push(`${file}: folder "${from}" has no layer in tests/lint/layers.mjs`);
        continue;
    }
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/^#include "([^"]+)"/gm)) {
        const to = moduleOfInclude(m[1]);
        if (!(to in RANK)) {
            problems.push(`${file}: includes "${m[1]}" of no known layer`);
        } else if (RANK[to] > RANK[from] || (RANK[to] === RANK[from] && to !== from)) {
            const edge = `${file} -> ${to}`;
            seen.add(edge);
            if (!KNOWN.has(edge)) problems.push(`${file} (${from}) includes "${m[1]}" (${to}), a layer above or beside it`);
        }
    }
}
for (const edge of KNOWN) {
    if (!seen.has(edge)) problems.push(`tests/lint/layers.mjs: "${edge}" no longer occurs: delete it from KNOWN`);
}
if (problems.length) {
    for (const p of problems) console.error(`layers: ${p}`);
    process.exit(1);
}
console.log(`layers: includes point down (${KNOWN.size} known exceptions left)`);
