// tests/lib/e2e-setup.mjs — the setup most browser tests share: one daemon on libvirt's
// test driver with the demo hypervisor (packaging/demo/demo.xml) and the given users,
// and this run's browser (tests/lib/browser.mjs), started in before() and stopped in
// after() of the calling test file.
import { before, after } from 'node:test';
import path from 'node:path';
import { startDaemon, REPO_ROOT } from './daemon.mjs';
import { startBrowsers } from './browser.mjs';

/** The demo hypervisor on libvirt's test driver. */
export const DEMO_URI = `test://${path.join(REPO_ROOT, 'packaging', 'demo', 'demo.xml')}`;

/**
 * Registers before()/after() hooks that start a daemon on uri (DEMO_URI unless given)
 * with users and the browser in colour scheme scheme ('light' unless given), then call
 * ready(daemon, browser).
 */
export function withDemoDaemon({ users, uri = DEMO_URI, scheme = 'light' }, ready) {
    const browsers = startBrowsers(scheme);
    let daemon = null;
    before(async () => {
        daemon = await startDaemon({ uri, users });
        ready(daemon, await browsers.get(scheme));
    });
    after(async () => {
        await browsers.close();
        if (daemon) await daemon.stop({ expectCode: null });
    });
}
