// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/login-flood.mjs — sends many logins at once from a worker thread, each on a
// TLS connection of its own that is opened beforehand, so what the test times meanwhile
// is the daemon's handling of the logins, not the TLS handshakes of a connection burst,
// nor its own event loop busy with them. Owns: the worker and its clients. Runs in the
// test process; this same file is the worker's script.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Client } from './client.mjs';

/**
 * Opens one connection per login of `logins` ([{localAddress, username, password}])
 * from a worker thread, then sends every login at the same time. Returns
 * {connected, results}: `connected` resolves once every connection is open (the logins
 * go out right after); `results` resolves with one result per login, in order:
 * {status, headers, json, text}, or {error: message} when the request failed.
 */
export function floodLogins(daemon, logins) {
    const target = { url: daemon.url, host: daemon.host, port: daemon.port, ca: daemon.ca ? daemon.ca.toString() : null };
    const worker = new Worker(new URL(import.meta.url), { workerData: { floodLogins: { target, logins } } });
    let connected;
    const results = new Promise((resolve, reject) => {
        connected = new Promise((resolveConnected) => {
            worker.on('message', (m) => (m.connected ? resolveConnected() : resolve(m.results)));
        });
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`login flood worker exited with code ${code}`)));
    });
    return { connected: Promise.race([connected, results]), results };
}

async function runFlood({ target, logins }) {
    const clients = new Map();
    for (const { localAddress } of logins) {
        const c = clients.get(localAddress) || { n: 0 };
        c.n += 1;
        clients.set(localAddress, c);
    }
    // One keep-alive connection per login, opened with a request every daemon answers
    // at once on its service thread (no session: 401), then reused by the login.
    await Promise.all([...clients].map(([localAddress, c]) => {
        c.client = new Client(target, { localAddress, keepAlive: true, maxSockets: c.n });
        return Promise.all(Array.from({ length: c.n }, () => c.client.get('/api/session', { cookies: false })));
    }));
    parentPort.postMessage({ connected: true });
    const results = await Promise.all(logins.map(({ localAddress, username, password }) => clients.get(localAddress).client
        .req('POST', '/api/login', { body: { username, password }, cookies: false, csrf: false, timeoutMs: 60000 })
        .then(({ status, headers, json, text }) => ({ status, headers, json, text }),
            (e) => ({ error: String(e && e.message) }))));
    for (const c of clients.values()) c.client.close();
    return results;
}

if (!isMainThread && workerData && workerData.floodLogins) {
    parentPort.postMessage({ results: await runFlood(workerData.floodLogins) });
}
