// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/service-qemu.test.mjs — SIGHUP reloads the configuration while a VNC
// console of a real QEMU guest (qemu:///system, tests/lib/system-libvirtd.mjs) is open:
// the new log level and session idle timeout apply, and the console keeps its VNC
// session (it still answers a framebuffer request after the reload). service.test.mjs
// covers the rest of the reload on libvirt's test driver. Always removes its domains.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openConsole } from '../lib/rfb.mjs';
import { startConsoleSuite, until } from '../lib/console-suite.mjs';
import { domainType, testDomainXml } from '../lib/system-libvirtd.mjs';

const PW = { admin: 'admin-pass-service-1', view: 'viewer-pass-service-2' };

describe('SIGHUP with a console open on a real QEMU guest', () => {
    const tag = crypto.randomBytes(4).toString('hex');
    const running = { name: `virtdeck-test-hup-${tag}`, uuid: crypto.randomUUID() };
    const stopped = { name: `virtdeck-test-hupoff-${tag}`, uuid: crypto.randomUUID() };
    let suite;

    before(async () => {
        const type = domainType();
        suite = await startConsoleSuite({
            label: 'service', pw: PW, running, stopped, config: { log_level: 'info' },
            xml: (dom) => testDomainXml({ ...dom, type, memoryMiB: 256 }),
        });
    });

    after(async () => {
        if (suite) await suite.remove();
    });

    it('applies log_level and session_idle_timeout; the console keeps its VNC session', async () => {
        const { d, admin } = suite;
        const c = await openConsole(admin, running.uuid);
        try {
            const init = await c.handshake();
            c.requestFullUpdate(init.width, init.height);
            await c.readUpdate(init.bpp);
            assert.doesNotMatch(d.logs(), /virtdeck\[debug\]/);

            fs.writeFileSync(path.join(d.stateDir, 'virtdeck.conf'), 'log_level = debug\nsession_idle_timeout = 60\n');
            process.kill(d.pid, 'SIGHUP');
            await until(() => /SIGHUP: configuration reloaded/.test(d.logs()), 5000, () => 'the reload line');
            assert.match(d.logs(), /applied: session_idle_timeout, log_level\n/);

            // the same VNC session answers after the reload
            c.requestFullUpdate(init.width, init.height);
            const rects = await c.readUpdate(init.bpp);
            assert.ok(rects.length > 0, 'a framebuffer update after the reload');
            assert.equal(c.closed, null, 'the console is still open');

            const again = await admin.login('admin', PW.admin);
            const left = again.json.expires_at - Date.now() / 1000;
            assert.ok(left > 50 && left <= 61, `a new session lasts ${left} s`);
            await admin.get('/api/domains/00000000-0000-4000-8000-000000000001');
            await until(() => /virtdeck\[debug\]/.test(d.logs()), 3000, () => 'a debug line');
        } finally {
            c.close();
        }
    });
});
