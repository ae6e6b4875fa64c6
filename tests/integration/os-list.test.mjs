// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/os-list.test.mjs — GET /api/os (docs/api.md "OS database"): the OS
// variants of osinfo-db as libosinfo reads them, searched with ?q= and cut with ?limit=.
// Debian 12's osinfo-db (0.20221130) predates a debian12 entry, so Debian 11 is the
// newest Debian there and its figures (debian.org/debian-11.xml) are the ones checked.
// Runs the real daemon on libvirt's test driver (the route needs no libvirt).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startWithRoles } from '../lib/roles.mjs';
import { Client } from '../lib/client.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';

const PW = { admin: 'admin-pass-os-1', op: 'op-pass-os-1', view: 'view-pass-os-1' };

describe('GET /api/os', () => {
    let r;
    let viewer;

    before(async () => {
        r = await startWithRoles(PW);
        viewer = r.view;
    });
    after(async () => {
        if (r) await r.stop();
    });

    it('q=debian lists debian11 with the database\'s figures, newest Debian first', async () => {
        const body = assertJson(await viewer.get('/api/os?q=debian'), 200, 'search');
        assert.ok(body.total >= 10, `total ${body.total}`);
        const ids = body.os.map((o) => o.id);
        const deb = body.os.find((o) => o.id === 'debian11');
        assert.ok(deb, `debian11 in ${ids.join(' ')}`);
        assert.equal(deb.name, 'Debian 11');
        assert.equal(deb.family, 'linux');
        assert.equal(deb.distro, 'debian');
        assert.equal(deb.vendor, 'Debian Project');
        assert.equal(deb.version, '11');
        assert.equal(deb.release_date, '2021-08-14');
        assert.deepEqual(deb.memory, { min_mib: 1024, recommended_mib: 1024 });
        assert.deepEqual(deb.vcpus, { min: 1, recommended: null });
        assert.deepEqual(deb.disk, { min_gib: 10, recommended_gib: 20 });
        assert.equal(deb.virtio, true);
        assert.equal(deb.disk_bus, 'virtio');
        assert.equal(deb.nic_model, 'virtio');
        assert.deepEqual(deb.firmware, { uefi: true, uefi_required: false, bios: true });
        assert.equal(deb.tpm_required, false);
        assert.equal(deb.eol, false);
        // family, distro, then version newest first: debian11 before debian10 before debian9
        const debs = ids.filter((id) => /^debian\d+$/.test(id));
        assert.deepEqual(debs.slice(0, 3), ['debian11', 'debian10', 'debian9']);
        const old = body.os.find((o) => o.id === 'debian7');
        assert.equal(old.eol, true, 'Debian 7 is past its end of life');
    });

    it('the search is case-insensitive and covers the short id and the vendor', async () => {
        const up = assertJson(await viewer.get('/api/os?q=DEBIAN11'), 200);
        assert.deepEqual(up.os.map((o) => o.id), ['debian11']);
        const ms = assertJson(await viewer.get('/api/os?q=microsoft%20corporation&limit=1000'), 200);
        assert.ok(ms.os.some((o) => o.id === 'win11'));
        assert.ok(ms.os.every((o) => o.vendor === 'Microsoft Corporation'));
    });

    it('Windows 11 needs UEFI and a TPM; Windows XP has no virtio driver', async () => {
        const w11 = assertJson(await viewer.get('/api/os?q=win11'), 200).os.find((o) => o.id === 'win11');
        assert.deepEqual(w11.firmware, { uefi: true, uefi_required: true, bios: false });
        assert.equal(w11.tpm_required, true);
        const xp = assertJson(await viewer.get('/api/os?q=winxp'), 200).os.find((o) => o.id === 'winxp');
        assert.equal(xp.virtio, false);
        assert.notEqual(xp.disk_bus, 'virtio');
        assert.notEqual(xp.nic_model, 'virtio');
    });

    it('a garbage q matches nothing: an empty list', async () => {
        const body = assertJson(await viewer.get('/api/os?q=zzqx-no-such-os-42'), 200);
        assert.deepEqual(body, { total: 0, os: [] });
    });

    it('limit cuts the list; total still counts every match', async () => {
        const body = assertJson(await viewer.get('/api/os?limit=3'), 200);
        assert.equal(body.os.length, 3);
        assert.ok(body.total > 100, `the whole database: ${body.total}`);
    });

    for (const bad of ['0', '1001', 'abc', '-1', '5x', '']) {
        it(`limit=${bad || '(empty)'} is a 400 at field limit with its range`, async () => {
            const e = assertError(await viewer.get(`/api/os?limit=${bad}`), 400, 'bad_request');
            assert.equal(e.field, 'limit');
            assert.equal(e.min, 1);
            assert.equal(e.max, 1000);
        });
    }

    it('a q past 64 bytes is a 400 at field q', async () => {
        const e = assertError(await viewer.get(`/api/os?q=${'a'.repeat(65)}`), 400, 'bad_request');
        assert.equal(e.field, 'q');
    });

    it('without a session: 401', async () => {
        const anon = new Client(r.d);
        try {
            assertError(await anon.get('/api/os?q=debian'), 401, 'unauthorized');
        } finally {
            anon.close();
        }
    });
});
