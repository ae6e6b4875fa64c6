// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/web-root.test.mjs — what a daemon run from the build tree serves by
// default: the web build's output (build/web, `make web-build`), not web/ itself. From
// GET / it follows every reference over HTTPS as a browser would and checks that each
// answers 200, that everything but index.html has a content-hashed name served as
// immutable (index.html is revalidated: no-cache, 304 on its ETag), that JS goes out
// gzip-compressed when asked, and that no source map is served or named. Test driver
// only; runs in about a second.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { REPO_ROOT, startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { findReferences } from '../../web/tools/build.mjs';

const HASHED = /\.[0-9a-f]{16}\.[a-z0-9]+$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';

describe('the default web root', () => {
    let d;
    let client;

    before(async () => {
        assert.ok(existsSync(path.join(REPO_ROOT, 'build', 'web', 'index.html')), 'build/web is missing: run make build');
        d = await startDaemon();
        client = new Client(d);
    });
    after(async () => {
        client?.close();
        if (d) await d.stop();
    });

    it('is the web build: every file the page reaches has a hashed name and is immutable', async () => {
        const index = await client.get('/');
        assert.equal(index.status, 200);
        assert.match(index.headers['content-type'], /^text\/html/);
        assert.equal(index.headers['cache-control'], 'no-cache');
        assert.match(index.text, /<script type="module" src="js\/app\.[0-9a-f]{16}\.js"><\/script>/);

        const seen = new Set(['index.html']);
        const queue = [['index.html', index.text]];
        while (queue.length) {
            const [name, text] = queue.shift();
            for (const r of findReferences(name, text).refs) {
                if (r.spec.startsWith('#') || r.spec.startsWith('data:')) continue;
                assert.doesNotMatch(r.spec, /\.map$/, `${name} names a source map`);
                const target = path.posix.normalize(path.posix.join(path.posix.dirname(name), r.spec.split(/[?#]/)[0]));
                if (seen.has(target)) continue;
                seen.add(target);
                const res = await client.get(`/${target}`);
                assert.equal(res.status, 200, `${target} (from ${name})`);
                assert.match(target, HASHED, `${target} has a content hash`);
                assert.equal(res.headers['cache-control'], IMMUTABLE, target);
                assert.doesNotMatch(res.text, /sourceMappingURL/, target);
                queue.push([target, res.text]);
            }
        }
        assert.ok(seen.size > 50, `${seen.size} files reached`);
        const lazy = [...seen].filter((n) => /js\/views\/(domain-list|networks|storage|console-page)\./.test(n));
        assert.equal(lazy.length, 4, 'the page views are reached through import()');
    });

    it('revalidates index.html with its ETag and compresses JavaScript', async () => {
        const index = await client.get('/');
        const again = await client.get('/', { headers: { 'If-None-Match': index.headers.etag } });
        assert.equal(again.status, 304);

        const app = /src="(js\/app\.[0-9a-f]{16}\.js)"/.exec(index.text)[1];
        const plain = await client.get(`/${app}`);
        const gz = await client.get(`/${app}`, { headers: { 'Accept-Encoding': 'gzip' } });
        assert.equal(gz.headers['content-encoding'], 'gzip');
        assert.ok(gz.body.length < plain.body.length, `${plain.body.length} -> ${gz.body.length} bytes`);
        assert.equal(gunzipSync(gz.body).toString('utf8'), plain.text);
    });

    it('serves no source map and no file by its source name', async () => {
        for (const p of ['/vendor/xterm/xterm.mjs.map', '/vendor/xterm/addon-fit.mjs.map', '/js/app.js', '/css/app.css',
            '/favicon.svg', '/vendor/xterm/xterm.mjs', '/tools/build.mjs']) {
            assert.equal((await client.get(p)).status, 404, p);
        }
    });
});
