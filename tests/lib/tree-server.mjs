// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/tree-server.mjs — a network install tree served on 127.0.0.1 for the url
// source of POST /api/domains, as QEMU's curl block driver (which virtdeck's fetch uses)
// needs it: HEAD with a Content-Length and byte ranges (Accept-Ranges, 206 answers).
import http from 'node:http';

/**
 * Serves files (path → Buffer, or a size in bytes: then each byte is its offset's low
 * byte) until close(). Every other path is 404. Returns { url, asked, bodies, close }:
 * asked lists each path a HEAD asked for, bodies counts the GETs answered.
 */
export async function serveTree(files) {
    const tree = { asked: [], bodies: 0 };
    const server = http.createServer((req, res) => {
        const file = files[req.url];
        const size = typeof file === 'number' ? file : file?.length;
        if (req.method === 'HEAD') tree.asked.push(req.url);
        if (size === undefined) {
            res.writeHead(404, { 'Content-Length': 0 });
            res.end();
            return;
        }
        const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range || '');
        const from = m ? Number(m[1]) : 0;
        const to = m && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
        const headers = { 'Accept-Ranges': 'bytes', 'Content-Length': to - from + 1 };
        if (m) headers['Content-Range'] = `bytes ${from}-${to}/${size}`;
        res.writeHead(m ? 206 : 200, headers);
        if (req.method === 'HEAD') {
            res.end();
            return;
        }
        tree.bodies++;
        res.end(typeof file === 'number'
            ? Buffer.from(Array.from({ length: to - from + 1 }, (_, i) => (from + i) & 0xff))
            : file.subarray(from, to + 1));
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    tree.url = `http://127.0.0.1:${server.address().port}`;
    tree.close = () => new Promise((resolve) => server.close(resolve));
    return tree;
}
