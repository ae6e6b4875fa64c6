// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/e2e/self-service.test.mjs — self-service in the browser (issue 13, docs/api.md
// "Self-service"), against a daemon on libvirt's test driver with a copy of the demo plus
// a shut-off VM marked as a template and a pool holding two ISOs: the admin ticks a
// template, one ISO, a network and a pool in the "Self-service" card of the Users page
// and saves (the server then holds exactly that set); a `user` opens "Create VM" and is
// offered only those — the ISO and Template sources, the approved template, the approved
// ISO, the approved network (no bridge or user-mode NIC), the approved pool for the disk
// — and creates a VM from the template that opens as theirs. Nothing runs on the real
// libvirtd.
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { artifact, login, newPage, withDaemonLog } from '../lib/browser.mjs';
import { demoCopy, withDemoDaemon } from '../lib/e2e-setup.mjs';
import { domainXml } from '../bench/gen-domains.mjs';
import { Client } from '../lib/client.mjs';

const ADMIN = { name: 'admin', role: 'admin', password: randomBytes(12).toString('hex') };
const CAROL = { name: 'carol', role: 'user', password: randomBytes(12).toString('hex') };
const TIMEOUT = 10000;
const POOL = 'vdtest-e2e-ss';
const TMPL = { name: 'vdtest-e2e-ss-tmpl', uuid: '5eed0000-0000-4000-8000-0000005e2e01', state: 'shutoff', title: 'Office desktop',
    disks: [{ target: 'vda', source: `/srv/${POOL}/tmpl.qcow2`, format: 'qcow2' }] };
const volume = (name, format) => `<volume type='file'><name>${name}</name><capacity unit='bytes'>1073741824</capacity>` +
    `<allocation unit='bytes'>1048576</allocation><target><format type='${format}'/></target></volume>`;
const FIXTURE_URI = demoCopy('self-service-e2e', '</node>', `${domainXml(TMPL)}\n<pool type='dir'><name>${POOL}</name>` +
    `<target><path>/srv/${POOL}</path></target>${volume('desk.iso', 'iso')}${volume('other.iso', 'iso')}${volume('tmpl.qcow2', 'qcow2')}</pool>\n`);

let daemon;
let browser;

withDemoDaemon({ users: [ADMIN, CAROL], uri: FIXTURE_URI }, (d, b) => {
    daemon = d;
    browser = b;
});

/** The option values of the select labelled label in page. */
const optionValues = (page, label) => page.evaluate((text) => {
    const lab = [...document.querySelectorAll('label')].find((l) => l.textContent === text && l.control?.tagName === 'SELECT');
    return lab ? [...lab.control.options].map((o) => o.value) : null;
}, label);

test('the admin approves; a user is offered only what was approved and creates from the template', async () => {
    const api = new Client(daemon);
    await api.login(ADMIN.name, ADMIN.password);
    const marked = await api.post(`/api/domains/${TMPL.uuid}/template`, { template: true });
    assert.equal(marked.status, 200, marked.text);
    const admin = await newPage(browser);
    let user = null;
    try {
        await login(admin.page, daemon, ADMIN, { timeout: TIMEOUT });
        await admin.page.evaluate(() => { location.hash = '#/users'; });
        const card = admin.page.locator('.self-service-card');
        await card.locator('.choice-list').first().waitFor({ timeout: TIMEOUT });
        for (const label of ['vdtest-e2e-ss-tmpl — Office desktop', `desk.iso (pool ${POOL})`, 'default', POOL]) {
            await card.getByLabel(label, { exact: true }).first().check();
        }
        await admin.page.checkA11y('the self-service card');
        await card.locator('#self-service-save').click();
        await admin.page.getByText('Self-service choices saved.').waitFor({ timeout: TIMEOUT });
        await admin.page.screenshot({ path: artifact('self-service-admin.png') });
        const set = (await api.get('/api/self-service')).json;
        assert.deepEqual(set.templates.map((x) => x.uuid), [TMPL.uuid]);
        assert.deepEqual(set.isos, [{ pool: POOL, name: 'desk.iso' }]);
        assert.deepEqual(set.networks, ['default']);
        assert.deepEqual(set.pools, [POOL]);

        user = await newPage(browser);
        await login(user.page, daemon, CAROL, { timeout: TIMEOUT, ready: 'a.create-vm' });
        await user.page.locator('a.create-vm').click();
        const page = user.page;
        await page.locator('.source-types').waitFor({ timeout: TIMEOUT });
        const sources = await page.evaluate(() => [...document.querySelectorAll('.source-types input[type="radio"]')].map((i) => i.value));
        assert.deepEqual(sources, ['iso', 'template'], 'a user creates from an ISO or a template only');
        await page.waitForFunction(() => [...document.querySelectorAll('select')]
            .some((s) => [...s.options].some((o) => o.value === 'desk.iso')), undefined, { timeout: TIMEOUT });
        const isoOptions = await page.evaluate(() => [...document.querySelectorAll('select')]
            .flatMap((s) => [...s.options].map((o) => o.value)).filter((v) => v.endsWith('.iso')));
        assert.deepEqual(isoOptions, ['desk.iso'], 'only the approved ISO');
        assert.equal(await page.locator('.create-upload-bar').evaluate((el) => el.hidden), true, 'no upload for a user');
        await page.locator('.source-types input[value="template"]').check();
        await page.waitForFunction(() => [...document.querySelectorAll('select option')].some((o) => o.textContent === 'vdtest-e2e-ss-tmpl — Office desktop'),
            undefined, { timeout: TIMEOUT });
        assert.deepEqual(await optionValues(page, 'Template'), [TMPL.uuid]);
        await page.checkA11y('the create wizard of a user');
        for (let i = 0; i < 2; i++) await page.locator('button', { hasText: 'Next', visible: true }).first().click(); // → OS → resources
        await page.getByLabel('Name', { exact: true }).waitFor({ timeout: TIMEOUT });
        assert.deepEqual(await optionValues(page, 'Network'), ['net:default', 'none'], 'the approved network, or none');
        await page.getByLabel('Name', { exact: true }).fill('carol-desk');
        await page.locator('button', { hasText: 'Next', visible: true }).first().click(); // → summary
        await page.locator('button', { hasText: 'Create', visible: true }).last().click();
        await page.locator('.detail-title', { hasText: 'carol-desk' }).waitFor({ timeout: TIMEOUT });
        await page.screenshot({ path: artifact('self-service-user-created.png') });
        const mine = (await api.get('/api/domains')).json.domains.find((d) => d.name === 'carol-desk');
        assert.equal(mine?.owner, 'carol', 'the new VM is the user\'s');
        assert.deepEqual(user.problems, []);
        assert.deepEqual(admin.problems, []);
    } catch (err) {
        await admin.page.screenshot({ path: artifact('self-service-failed-admin.png') }).catch(() => {});
        if (user) await user.page.screenshot({ path: artifact('self-service-failed-user.png') }).catch(() => {});
        throw withDaemonLog(daemon, err);
    } finally {
        api.close();
        await admin.page.close();
        if (user) await user.page.close();
    }
});
