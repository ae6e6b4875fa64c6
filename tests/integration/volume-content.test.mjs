// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/volume-content.test.mjs — uploads and downloads of volume contents
// (PUT/GET /api/pools/{pool}/volumes/{vol}/content) on the machine's real libvirtd, in a
// `dir` pool in a temporary directory: a 256 MiB random file round-trips byte-exact with
// the daemon's peak RSS under 64 MiB; a new volume made in the format the upload names
// (?format=iso: libvirt's XML says iso while the bytes come), listed as what libvirt reads
// in the bytes once they are in (an ISO 9660 file iso, noise raw); a Chinese file name
// kept (file, list, download with an RFC 6266 Content-Disposition); Range, HEAD and 416;
// at most 8 at once, each on a "pump-transfer" thread that ends with it; uploads cut off
// halfway (a new volume is removed, an existing one is marked incomplete);
// 507/409/411/400/403/401 refusals that change nothing. Removes its pool, volumes and files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { SYSTEM_URI, ensureSystemLibvirtd, virsh } from '../lib/system-libvirtd.mjs';
import { threadsNamed } from '../lib/threads.mjs';
import { sleep, until } from '../lib/wait.mjs';
import {
    contentPath, download, downloadHeld, hashFile, memoryOf, putAnnounceOnly, sampleRss, sanitized, uploadCutOff, uploadExpectingContinue,
    uploadFile, writeRandomFile,
} from '../lib/transfer.mjs';

const PW = { admin: 'admin-pass-vc-1', op: 'operator-pass-vc-2' };
const BIG = 256 * 1024 * 1024;
const MIB = 1024 * 1024;

/** The first 4 KiB of a file. */
function fileHead(file) {
    const fd = fs.openSync(file, 'r');
    try {
        const buf = Buffer.alloc(4096);
        return buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0));
    } finally {
        fs.closeSync(fd);
    }
}

function volumeExists(pool, vol) {
    virsh(['pool-refresh', pool]);
    return virsh(['vol-info', '--pool', pool, vol]).ok;
}

const FMT_SIZE = 64 * 1024; // the format tests' uploads

/** FMT_SIZE bytes with ISO 9660's signature ("CD001" at byte 32769), else random. */
function isoBytes() {
    const b = crypto.randomBytes(FMT_SIZE);
    b.write('\x01CD001\x01', 32768, 'latin1');
    return b;
}

/** The format in libvirt's own XML of pool/vol, or null when it has no such volume. */
function libvirtFormat(pool, vol) {
    const r = virsh(['vol-dumpxml', '--pool', pool, vol]);
    if (!r.ok) return null;
    return /<format type='([^']+)'\/>/.exec(r.stdout)?.[1] ?? null;
}

/**
 * PUTs body to pool/vol with ?format= (none when format is ''), in two halves: between
 * them, mid(vol) runs while the daemon holds the upload open. Resolves with
 * {status, json, mid: what mid returned}.
 */
function uploadInHalves(client, pool, vol, format, body, mid) {
    const query = format ? `?format=${format}` : '';
    return new Promise((resolve, reject) => {
        const headers = { Cookie: client.cookieHeader(), 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) };
        if (client.csrf) headers['X-CSRF-Token'] = client.csrf;
        const req = https.request({
            host: client.host, port: client.port, method: 'PUT', path: contentPath(pool, vol) + query, headers,
            agent: false, ...client.tlsOpts,
        });
        let seen;
        req.on('error', reject);
        req.on('response', (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
                const text = Buffer.concat(chunks).toString('utf8');
                let json = null;
                try { json = JSON.parse(text); } catch { /* not JSON */ }
                resolve({ status: res.statusCode, json, text, mid: seen });
            });
        });
        req.write(body.subarray(0, body.length / 2), async () => {
            try {
                seen = await mid(vol);
            } catch (e) {
                req.destroy();
                reject(e);
                return;
            }
            req.end(body.subarray(body.length / 2));
        });
    });
}

describe('volume contents on qemu:///system', () => {
    const pool = `vdtest-pool-${crypto.randomBytes(4).toString('hex')}`;
    let tmp;
    let poolDir;
    let d;
    let admin;
    let op;
    let bigFile;
    let bigHash;

    before(async () => {
        await ensureSystemLibvirtd();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-vc-'));
        poolDir = path.join(tmp, 'pool');
        fs.mkdirSync(poolDir);
        const def = virsh(['pool-create-as', pool, 'dir', '--target', poolDir]);
        assert.ok(def.ok, `pool-create-as: ${def.stderr}`);
        bigFile = path.join(tmp, 'big.bin');
        bigHash = await writeRandomFile(bigFile, BIG);
        d = await startDaemon({
            uri: SYSTEM_URI,
            users: [
                { name: 'admin', role: 'admin', password: PW.admin },
                { name: 'op', role: 'operator', password: PW.op },
            ],
        });
        admin = new Client(d);
        await admin.login('admin', PW.admin);
        op = new Client(d);
        await op.login('op', PW.op);
    });

    after(async () => {
        admin?.close();
        op?.close();
        if (d) await d.stop();
        virsh(['pool-destroy', pool]);
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('uploads 256 MiB of random bytes with bounded memory and downloads them back byte-exact', async () => {
        const stop = sampleRss(d.pid);
        const up = await uploadFile(admin, pool, 'big.img', bigFile);
        const peakSampled = stop();
        assert.equal(up.status, 201, up.text);
        assert.equal(up.json.name, 'big.img');
        assert.equal(up.json.pool, pool);
        assert.equal(up.json.capacity_bytes, BIG);
        assert.equal(up.json.upload_incomplete, false);
        assert.equal(await hashFile(path.join(poolDir, 'big.img')), bigHash, 'the file in the pool');
        // (an ASan build's shadow memory and quarantine say nothing about ours)
        const bounded = !sanitized(d.pid);
        const hwm = memoryOf(d.pid).hwmKiB;
        if (bounded) assert.ok(hwm < 64 * 1024, `daemon peak RSS ${hwm} KiB (sampled ${peakSampled} KiB) must stay under 64 MiB`);

        const down = await download(admin, pool, 'big.img');
        assert.equal(down.status, 200);
        assert.equal(down.headers['content-length'], String(BIG));
        assert.equal(down.headers['accept-ranges'], 'bytes');
        assert.match(down.headers['content-disposition'], /attachment; filename="big.img"/);
        assert.equal(down.bytes, BIG);
        assert.equal(down.sha256, bigHash, 'downloaded bytes');
        const hwm2 = memoryOf(d.pid).hwmKiB;
        if (bounded) assert.ok(hwm2 < 64 * 1024, `daemon peak RSS after the download ${hwm2} KiB must stay under 64 MiB`);
    });

    it('keeps an upload\'s name in any script: the file, the list, the download and its Content-Disposition', async () => {
        const name = '中文系统安装盘.iso';
        const file = path.join(tmp, 'chinese.iso');
        const hash = await writeRandomFile(file, MIB);
        const up = await uploadFile(admin, pool, name, file);
        assert.equal(up.status, 201, up.text);
        assert.equal(up.json.name, name);
        assert.equal(up.json.path, path.join(poolDir, name));
        assert.equal(await hashFile(path.join(poolDir, name)), hash, 'the file in the pool has the chosen name');
        const list = await admin.get(`/api/pools/${encodeURIComponent(pool)}/volumes`);
        assert.ok(list.json.volumes.some((v) => v.name === name), JSON.stringify(list.json));
        const down = await download(admin, pool, name);
        assert.equal(down.status, 200);
        assert.equal(down.sha256, hash);
        // RFC 6266: an ASCII fallback, and the name itself percent-encoded as UTF-8
        assert.equal(down.headers['content-disposition'],
            `attachment; filename="_______.iso"; filename*=UTF-8''${encodeURIComponent(name)}`);
        const gone = await admin.req('DELETE', `/api/pools/${encodeURIComponent(pool)}/volumes/${encodeURIComponent(name)}`);
        assert.equal(gone.status, 200, gone.text);
        assert.ok(!fs.existsSync(path.join(poolDir, name)));
    });

    it('serves byte ranges, HEAD, and 416 for a range past the end', async () => {
        const want = fs.readFileSync(bigFile).subarray(8 * MIB - 10, 8 * MIB + 10); // crosses a window
        const part = await download(admin, pool, 'big.img', { headers: { Range: `bytes=${8 * MIB - 10}-${8 * MIB + 9}` }, keep: true });
        assert.equal(part.status, 206);
        assert.equal(part.headers['content-range'], `bytes ${8 * MIB - 10}-${8 * MIB + 9}/${BIG}`);
        assert.deepEqual(part.body, want);
        const tail = await download(admin, pool, 'big.img', { headers: { Range: 'bytes=-5' }, keep: true });
        assert.equal(tail.status, 206);
        assert.deepEqual(tail.body, fs.readFileSync(bigFile).subarray(BIG - 5));
        const head = await download(admin, pool, 'big.img', { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(head.headers['content-length'], String(BIG));
        assert.equal(head.bytes, 0);
        const past = await download(admin, pool, 'big.img', { headers: { Range: `bytes=${BIG}-` }, keep: true });
        assert.equal(past.status, 416);
        assert.equal(past.headers['content-range'], `bytes */${BIG}`);
        assert.equal(JSON.parse(past.body.toString()).error.code, 'range_not_satisfiable');
    });

    it('runs at most 8 transfers at once, and frees the places of downloads cut off', async () => {
        const held = [];
        try {
            for (let i = 0; i < 8; i++) {
                const h = await downloadHeld(admin, pool, 'big.img');
                held.push(h);
                assert.equal(h.status, 200, `held download ${i}`);
            }
            const ninth = await admin.get(`/api/pools/${pool}/volumes/big.img/content`, { headers: { Range: 'bytes=0-9' } });
            assertError(ninth, 503, 'libvirt_unavailable');
            assert.match(ninth.json.error.message, /8 transfers/);
            // one pump thread per transfer, none taking signals
            const pumps = threadsNamed(d.pid, 'pump-transfer');
            assert.equal(pumps.length, 8, 'a pump thread per running transfer');
            assert.ok(pumps.every((t) => t.blocked.size === 3), 'they take no signal');
        } finally {
            for (const h of held) h.destroy();
        }
        // ...which ends with its cut-off transfer (its wait for room is cancelled)
        await until(() => threadsNamed(d.pid, 'pump-transfer').length === 0, 5000,
            () => `${threadsNamed(d.pid, 'pump-transfer').length} pump threads of cut-off downloads`);
        // the cut-off downloads give their places back
        let part = null;
        for (let i = 0; i < 100; i++) {
            part = await download(admin, pool, 'big.img', { headers: { Range: 'bytes=0-9' }, keep: true });
            if (part.status === 206) break;
            await sleep(100);
        }
        assert.equal(part.status, 206);
        assert.deepEqual(part.body, fs.readFileSync(bigFile).subarray(0, 10));
        assert.ok(d.alive);
    });

    it('removes a new volume whose upload was cut off halfway', async () => {
        const cut = await uploadCutOff(admin, pool, 'cut-new.img', 64 * MIB, 4 * MIB,
            () => volumeExists(pool, 'cut-new.img'));
        assert.equal(cut.answered, null, 'the upload was under way, not refused');
        assert.equal(cut.seen, true, 'the upload had created the volume before it was cut off');
        let gone = false;
        for (let i = 0; i < 100 && !gone; i++) {
            gone = !volumeExists(pool, 'cut-new.img');
            if (!gone) await sleep(100);
        }
        assert.ok(gone, 'the half-uploaded new volume must not remain');
        const res = await admin.get(`/api/pools/${pool}/volumes/cut-new.img`);
        assertError(res, 404, 'not_found');
    });

    it('marks an existing volume whose upload was cut off, until a complete upload', async () => {
        const small = path.join(tmp, 'small.bin');
        const smallHash = await writeRandomFile(small, 4 * MIB);
        const first = await uploadFile(admin, pool, 'marked.img', small);
        assert.equal(first.status, 201, first.text);
        // under way: the new bytes have begun to replace the old ones in the pool's file
        const file = path.join(poolDir, 'marked.img');
        const oldHead = fileHead(small);
        const cut = await uploadCutOff(admin, pool, 'marked.img', 4 * MIB, MIB, () => !fileHead(file).equals(oldHead));
        assert.equal(cut.answered, null, 'the upload was under way, not refused');
        assert.equal(cut.seen, true, 'the upload had begun writing the volume before it was cut off');
        let vol = null;
        for (let i = 0; i < 100; i++) {
            vol = (await admin.get(`/api/pools/${pool}/volumes/marked.img`)).json;
            if (vol && vol.upload_incomplete) break;
            await sleep(100);
        }
        assert.equal(vol.upload_incomplete, true, JSON.stringify(vol));
        const list = await admin.get(`/api/pools/${pool}/volumes`);
        assert.equal(list.json.volumes.find((v) => v.name === 'marked.img').upload_incomplete, true);
        const again = await uploadFile(admin, pool, 'marked.img', small);
        assert.equal(again.status, 200, again.text);
        assert.equal(again.json.upload_incomplete, false);
        vol = (await admin.get(`/api/pools/${pool}/volumes/marked.img`)).json;
        assert.equal(vol.upload_incomplete, false);
        assert.equal((await download(admin, pool, 'marked.img')).sha256, smallHash);
    });

    it('answers "Expect: 100-continue" only once the checks passed', async () => {
        const body = crypto.randomBytes(256 * 1024);
        const ok = await uploadExpectingContinue(admin, pool, 'continued.img', body);
        assert.equal(ok.status, 201, ok.text);
        assert.equal(ok.continued, true, 'told to go on');
        assert.deepEqual(fs.readFileSync(path.join(poolDir, 'continued.img')), body);
        // larger than the existing volume: refused without ever asking for the body
        const refused = await uploadExpectingContinue(admin, pool, 'continued.img', Buffer.alloc(512 * 1024));
        assert.equal(refused.status, 409, refused.text);
        assert.equal(refused.continued, false, 'the body was never asked for');
        assert.deepEqual(fs.readFileSync(path.join(poolDir, 'continued.img')), body, 'unchanged');
    });

    it('answers a refusal readably even while the client is still sending', async () => {
        const file = path.join(tmp, 'twenty.bin');
        await writeRandomFile(file, 20 * MIB);
        const res = await uploadFile(admin, pool, 'continued.img', file); // larger than the volume
        assert.equal(res.status, 409, res.text);
        assert.equal(res.json.error.code, 'conflict');
        fs.rmSync(file);
    });

    it('lets a refused client read its 403 while it is still sending', async () => {
        const file = path.join(tmp, 'eight.bin');
        await writeRandomFile(file, 8 * MIB);
        const res = await uploadFile(op, pool, 'op-big.img', file);
        assert.equal(res.status, 403, res.text);
        assert.equal(res.json.error.code, 'forbidden');
        fs.rmSync(file);
        assert.ok(!volumeExists(pool, 'op-big.img'));
    });

    /** The format the volume list shows for vol. */
    async function listed(vol) {
        return assertJson(await admin.get(`/api/pools/${pool}/volumes`), 200, 'volumes').volumes.find((v) => v.name === vol)?.format;
    }

    /** While an upload is held open: the new volume's format in libvirt's XML. */
    const whileUploading = async (vol) => {
        let format = null;
        await until(() => (format = libvirtFormat(pool, vol)) !== null, 10000, () => `${vol} was not created`);
        return format;
    };

    it('creates a new volume in the format the upload names; an ISO 9660 file named iso is listed as iso', async () => {
        const r = await uploadInHalves(admin, pool, 'fmt-cd.iso', 'iso', isoBytes(), whileUploading);
        assert.equal(r.status, 201, r.text);
        assert.equal(r.mid, 'iso', 'libvirt\'s XML of the volume while the bytes came');
        assert.equal(r.json.format, 'iso', 'the upload\'s answer');
        assert.equal(await listed('fmt-cd.iso'), 'iso', 'the volume list');
        assert.equal(fs.statSync(path.join(poolDir, 'fmt-cd.iso')).size, FMT_SIZE);
    });

    it('lists a file with no ISO header as what libvirt reads in it; no format named makes raw', async () => {
        const r = await uploadInHalves(admin, pool, 'fmt-noise.iso', 'iso', crypto.randomBytes(FMT_SIZE), whileUploading);
        assert.equal(r.status, 201, r.text);
        assert.equal(r.mid, 'iso', 'created as named');
        // libvirt refreshes the pool when an upload ends and reads the file's header: raw
        let shown;
        await until(async () => (shown = await listed('fmt-noise.iso')) === 'raw', 10000, () => `listed as ${shown}`);

        const plain = await uploadInHalves(admin, pool, 'fmt-plain.img', '', crypto.randomBytes(FMT_SIZE), whileUploading);
        assert.equal(plain.status, 201, plain.text);
        assert.equal(plain.mid, 'raw');
        assert.equal(plain.json.format, 'raw');
    });

    it('refuses what cannot work before any byte moves, and changes nothing', async () => {
        const before = fs.readdirSync(poolDir).sort();
        // more than the pool can hold: 507 up front
        const huge = await putAnnounceOnly(admin, pool, 'huge.img', 15 * 2 ** 40);
        assert.equal(huge.status, 507, huge.text);
        assert.equal(huge.json.error.code, 'insufficient_storage');
        // larger than an existing volume: 409
        const over = await putAnnounceOnly(admin, pool, 'marked.img', 8 * MIB);
        assert.equal(over.status, 409, over.text);
        // no Content-Length (chunked): 411
        const chunked = await putAnnounceOnly(admin, pool, 'x.img', 0, { 'Content-Length': undefined, 'Transfer-Encoding': 'chunked' });
        assert.equal(chunked.status, 411, chunked.text);
        // an unknown format, an empty upload, bad names, an unknown pool
        assertError(await admin.req('PUT', `/api/pools/${pool}/volumes/f.img/content?format=vhd`, { raw: true, body: 'x' }), 400, 'bad_request');
        assertError(await admin.req('PUT', `/api/pools/${pool}/volumes/empty.img/content`, { raw: true, body: '' }), 400, 'bad_request');
        for (const bad of ['-rf.img', '%20lead.img', 'trail.img%E3%80%80', 'bell%07.img', 'x%EF%BF%BF', 'x%C0%AF']) {
            assertError(await admin.req('PUT', `/api/pools/${pool}/volumes/${bad}/content`, { raw: true, body: 'x' }), 400, 'bad_request', bad);
        }
        // a path out of the pool never reaches a volume: ".." is resolved before routing
        const escape = await admin.req('PUT', `/api/pools/${pool}/volumes/..%2F..%2Fescape/content`, { raw: true, body: 'x' });
        assert.ok([400, 404, 405].includes(escape.status), `../ escape: ${escape.status} ${escape.text}`);
        assertError(await admin.req('PUT', '/api/pools/vdtest-no-such-pool/volumes/a.img/content', { raw: true, body: 'x' }), 404, 'not_found');
        assertError(await admin.get(`/api/pools/${pool}/volumes/no-such.img/content`), 404, 'not_found');
        // operators may neither upload nor download; nobody without a session
        assertError(await op.req('PUT', `/api/pools/${pool}/volumes/op.img/content`, { raw: true, body: 'x' }), 403, 'forbidden');
        assertError(await op.get(`/api/pools/${pool}/volumes/big.img/content`), 403, 'forbidden');
        assertError(await admin.req('GET', `/api/pools/${pool}/volumes/big.img/content`, { cookies: false }), 401, 'unauthorized');
        // without the CSRF token
        assertError(await admin.req('PUT', `/api/pools/${pool}/volumes/c.img/content`, { raw: true, body: 'x', csrf: false }), 403, 'csrf_failed');
        assert.deepEqual(fs.readdirSync(poolDir).sort(), before, 'no file appeared or vanished');
        assert.ok(d.alive);
    });
});

describe('volume contents on the test driver', () => {
    let d;
    let admin;

    before(async () => {
        d = await startDaemon({ users: [{ name: 'admin', role: 'admin', password: PW.admin }] });
        admin = new Client(d);
        await admin.login('admin', PW.admin);
    });

    after(async () => {
        admin?.close();
        if (d) await d.stop();
    });

    it('answers 501 when the driver cannot upload, and leaves no volume behind', async () => {
        const res = await admin.req('PUT', '/api/pools/default-pool/volumes/nope.img/content', { raw: true, body: Buffer.alloc(4096, 7) });
        assertError(res, 501, 'not_supported');
        const vol = await admin.get('/api/pools/default-pool/volumes/nope.img');
        assertError(vol, 404, 'not_found');
        const list = await admin.get('/api/pools/default-pool/volumes');
        assert.equal(list.status, 200);
        assert.ok(!list.json.volumes.some((v) => v.name === 'nope.img'));
    });
});
