// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/tls.test.mjs — certificate life cycle and connection limits: the
// generated certificate is kept (key 0600) and reused by the next start, SIGHUP swaps
// in a replaced certificate for new connections, and clients that stall while sending
// headers or a body are cut off.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { startDaemon } from '../lib/daemon.mjs';

function peerFingerprint(d) {
    return new Promise((resolve, reject) => {
        const s = tls.connect({ host: d.host, port: d.port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
            const fp = s.getPeerCertificate().fingerprint256;
            s.destroy();
            resolve(fp);
        });
        s.on('error', reject);
    });
}

function fileFingerprint(certPath) {
    return new crypto.X509Certificate(fs.readFileSync(certPath)).fingerprint256;
}

function makeCert(dir, cn) {
    const key = path.join(dir, `${cn}.key`);
    const crt = path.join(dir, `${cn}.crt`);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-keyout', key, '-out', crt, '-days', '2', '-subj', `/CN=${cn}`,
        '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    return { key, crt };
}

/* Opens TLS, writes `bytes`, then sends nothing more; resolves with seconds until the
 * server closed (or null after limitS). */
function stallAfter(d, bytes, limitS) {
    return new Promise((resolve) => {
        const t0 = Date.now();
        const s = tls.connect({ host: d.host, port: d.port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
            if (bytes) s.write(bytes);
        });
        const timer = setTimeout(() => { s.destroy(); resolve(null); }, limitS * 1000);
        s.on('data', () => {});
        s.on('error', () => {});
        s.on('close', () => { clearTimeout(timer); resolve((Date.now() - t0) / 1000); });
    });
}

describe('tls and connection limits', () => {
    it('keeps the generated certificate (key 0600) and reuses it on the next start', async () => {
        const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-tls-'));
        try {
            const first = await startDaemon({ stateDir });
            const fp1 = await peerFingerprint(first);
            await first.stop();
            const keyMode = fs.statSync(path.join(stateDir, 'tls', 'virtdeck.key')).mode & 0o777;
            assert.equal(keyMode, 0o600);
            assert.equal(fileFingerprint(path.join(stateDir, 'tls', 'virtdeck.crt')), fp1);
            const second = await startDaemon({ stateDir });
            assert.equal(await peerFingerprint(second), fp1, 'same certificate after a restart');
            await second.stop();
        } finally {
            fs.rmSync(stateDir, { recursive: true, force: true });
        }
    });

    it('SIGHUP reloads a replaced certificate for new connections', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-certs-'));
        const live = { key: path.join(dir, 'live.key'), crt: path.join(dir, 'live.crt') };
        const a = makeCert(dir, 'first');
        const b = makeCert(dir, 'second');
        fs.copyFileSync(a.key, live.key);
        fs.copyFileSync(a.crt, live.crt);
        const d = await startDaemon({ extraArgs: ['--cert', live.crt, '--key', live.key] });
        try {
            assert.equal(await peerFingerprint(d), fileFingerprint(a.crt));
            fs.copyFileSync(b.key, live.key);
            fs.copyFileSync(b.crt, live.crt);
            assert.equal(await peerFingerprint(d), fileFingerprint(a.crt), 'no change before SIGHUP');
            d.proc.kill('SIGHUP');
            const want = fileFingerprint(b.crt);
            let got = null;
            for (let i = 0; i < 50 && got !== want; i++) {
                await new Promise((r) => setTimeout(r, 100));
                got = await peerFingerprint(d);
            }
            assert.equal(got, want, 'new connections see the new certificate');
            assert.match(d.logs(), /reloaded certificate/);
        } finally {
            await d.stop();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it('cuts clients that stall in the headers, in the body, or say nothing', async () => {
        const d = await startDaemon();
        try {
            const [headers, body, silent] = await Promise.all([
                stallAfter(d, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n', 25),
                stallAfter(d, 'POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{', 25),
                stallAfter(d, null, 25),
            ]);
            // no complete first request: first_request_timeout (5 s); a stalled body: 10 s
            for (const [what, s, least, most] of [['headers', headers, 4, 9], ['body', body, 8, 20],
                ['silent', silent, 4, 9]]) {
                assert.ok(s !== null, `${what}: still open after 25 s`);
                assert.ok(s >= least && s < most, `${what}: closed after ${s} s (expected ${least}-${most} s)`);
            }
        } finally {
            await d.stop();
        }
    });
});
