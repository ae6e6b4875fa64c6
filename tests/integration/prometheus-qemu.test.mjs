// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/prometheus-qemu.test.mjs — a real Prometheus (Debian's `prometheus`,
// started here on a free loopback port with a temporary TSDB) scrapes virtdeck's GET
// /metrics over HTTPS with the scrape token as a bearer token file and the daemon's own
// certificate as its CA, once a second, while a real QEMU guest runs on the machine's
// libvirtd (qemu:///system; run under `flock /tmp/vd-qemu.lock`): the target is up, the
// guest's CPU counter and its rate come back through PromQL and agree with libvirt's own
// counters (`virsh domstats --cpu-total`), `promtool check metrics` accepts the scraped
// text, and every query of packaging/grafana/virtdeck-dashboard.json parses and the VM
// panels return the guest. Leaves libvirtd running; always destroys its guest and stops
// Prometheus.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, freePort, startDaemon } from '../lib/daemon.mjs';
import { Client } from '../lib/client.mjs';
import { SYSTEM_URI, domainType, ensureSystemLibvirtd, testDomainXml, virsh } from '../lib/system-libvirtd.mjs';
import { requireTools } from '../lib/tools.mjs';
import { sleep, until } from '../lib/wait.mjs';

const SCRAPE = `scrape-${crypto.randomBytes(12).toString('hex')}`;
const VCPUS = 1;

/** virsh domstats --cpu-total: cpu.time in seconds, or NaN. */
function cpuTimeS(name) {
    const r = virsh(['domstats', '--cpu-total', name]);
    const m = r.ok ? /^\s*cpu\.time=(\d+)$/m.exec(r.stdout) : null;
    return m ? Number(m[1]) / 1e9 : NaN;
}

describe('a real Prometheus scrapes virtdeck on qemu:///system', () => {
    const name = `virtdeck-test-prom-${crypto.randomBytes(4).toString('hex')}`;
    const uuid = crypto.randomUUID();
    let tmp;
    let d;
    let prom;
    let promLog = '';
    let promUrl;

    /** GET the Prometheus HTTP API; resolves with its JSON. */
    async function api(p) {
        const r = await fetch(`${promUrl}${p}`);
        return r.json();
    }
    /** An instant PromQL query's result vector (throws on an error answer). */
    async function query(expr) {
        const j = await api(`/api/v1/query?query=${encodeURIComponent(expr)}`);
        if (j.status !== 'success') throw new Error(`${expr}: ${j.error}`);
        return j.data.result;
    }

    before(async () => {
        requireTools('prometheus', 'promtool');
        await ensureSystemLibvirtd();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdeck-prom-'));
        const xml = path.join(tmp, 'domain.xml');
        fs.writeFileSync(xml, testDomainXml({ name, uuid, type: domainType(), memoryMiB: 256, vcpus: VCPUS }));
        const created = virsh(['create', xml], { timeoutMs: 30000 });
        assert.ok(created.ok, `virsh create: ${created.stderr}`);
        d = await startDaemon({
            uri: SYSTEM_URI,
            users: [{ name: 'admin', role: 'admin', password: 'admin-pass-prom-1' }],
            config: { metrics_token: SCRAPE, metrics_interval: 1 },
        });
        const tokenFile = path.join(tmp, 'token');
        fs.writeFileSync(tokenFile, SCRAPE, { mode: 0o600 });
        const caFile = path.join(tmp, 'ca.pem');
        fs.writeFileSync(caFile, d.ca);
        const port = await freePort();
        promUrl = `http://127.0.0.1:${port}`;
        fs.writeFileSync(path.join(tmp, 'prometheus.yml'), [
            'global:',
            '  scrape_interval: 1s',
            '  scrape_timeout: 1s',
            'scrape_configs:',
            '  - job_name: virtdeck',
            '    scheme: https',
            '    authorization:',
            '      type: Bearer',
            `      credentials_file: ${tokenFile}`,
            '    tls_config:',
            `      ca_file: ${caFile}`,
            `      server_name: ${d.host}`,
            '    static_configs:',
            `      - targets: ['${d.host}:${d.port}']`,
            '',
        ].join('\n'));
        const check = spawnSync('promtool', ['check', 'config', path.join(tmp, 'prometheus.yml')], { encoding: 'utf8' });
        assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
        prom = spawn('prometheus', [
            `--config.file=${path.join(tmp, 'prometheus.yml')}`,
            `--storage.tsdb.path=${path.join(tmp, 'tsdb')}`,
            `--web.listen-address=127.0.0.1:${port}`,
            '--log.level=warn',
        ], { stdio: ['ignore', 'pipe', 'pipe'] });
        prom.stdout.on('data', (b) => { promLog += b; });
        prom.stderr.on('data', (b) => { promLog += b; });
        await until(async () => {
            try { return (await fetch(`${promUrl}/-/ready`)).ok; } catch { return false; }
        }, 30000, () => `prometheus did not become ready:\n${promLog}`);
    });

    after(async () => {
        if (prom && prom.exitCode === null) {
            const gone = new Promise((r) => prom.once('exit', r));
            prom.kill('SIGTERM');
            await Promise.race([gone, sleep(10000)]);
            if (prom.exitCode === null) prom.kill('SIGKILL');
        }
        virsh(['destroy', name]); // transient: destroying it removes it
        if (d) await d.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('the target is up over HTTPS with the bearer token; no token is 401', async () => {
        const bare = new Client(d);
        try {
            const r = await bare.req('GET', '/metrics', { cookies: false });
            assert.equal(r.status, 401);
            assert.equal(r.json.error.code, 'unauthorized');
        } finally {
            bare.close();
        }
        await until(async () => {
            const t = (await api('/api/v1/targets')).data.activeTargets;
            return t.length === 1 && t[0].health === 'up';
        }, 20000, () => `target not up:\n${promLog}`);
        const up = await query('up{job="virtdeck"}');
        assert.equal(up[0].value[1], '1');
        const connected = await query('virtdeck_libvirt_connected');
        assert.equal(connected[0].value[1], '1');
    });

    it('the scraped text passes promtool check metrics and carries the guest', async () => {
        const bare = new Client(d);
        try {
            const r = await bare.req('GET', '/metrics', { cookies: false, headers: { Authorization: `Bearer ${SCRAPE}` } });
            assert.equal(r.status, 200);
            assert.match(r.text, new RegExp(`^libvirt_domain_info_cpu_time_seconds_total\\{uuid="${uuid}",name="${name}"\\} [0-9.e+]+$`, 'm'));
            assert.match(r.text, new RegExp(`^libvirt_domain_info_virtual_cpus\\{uuid="${uuid}",name="${name}"\\} ${VCPUS}$`, 'm'));
            assert.match(r.text, new RegExp(`^libvirt_domain_vcpu_time_seconds_total\\{uuid="${uuid}",name="${name}",vcpu="0"\\} `, 'm'));
            const c = spawnSync('promtool', ['check', 'metrics'], { input: r.text, encoding: 'utf8' });
            assert.equal(c.status, 0, `${c.stdout}${c.stderr}`);
        } finally {
            bare.close();
        }
    });

    it('PromQL returns the guest\'s CPU series and its figures agree with virsh domstats', async (t) => {
        const t0 = Date.now() / 1000;
        const before = cpuTimeS(name);
        assert.ok(Number.isFinite(before), 'virsh domstats --cpu-total');
        // a scrape of a sample collected after t0
        await until(async () => {
            const ts = await query('virtdeck_sample_timestamp_seconds');
            return ts.length === 1 && Number(ts[0].value[1]) > t0 + 0.5;
        }, 20000, () => `no sample after t0 in Prometheus:\n${promLog}`);
        const counter = await query(`libvirt_domain_info_cpu_time_seconds_total{uuid="${uuid}"}`);
        const after = cpuTimeS(name);
        assert.equal(counter.length, 1, JSON.stringify(counter));
        assert.equal(counter[0].metric.name, name);
        const v = Number(counter[0].value[1]);
        t.diagnostic(`virsh ${before.toFixed(3)} s <= prometheus ${v.toFixed(3)} s <= virsh ${after.toFixed(3)} s`);
        assert.ok(v >= before - 1e-6 && v <= after + 1e-6, `${before} <= ${v} <= ${after}`);

        // the rate over 10 s, against libvirt's own counter over the same 10 s
        const w0 = cpuTimeS(name);
        const s0 = Date.now();
        await sleep(10000);
        const { rate } = await until(async () => {
            const r = await query(`rate(libvirt_domain_info_cpu_time_seconds_total{uuid="${uuid}"}[10s])`);
            return r.length === 1 ? { rate: Number(r[0].value[1]) } : null;
        }, 10000, () => 'no rate series');
        const virshRate = (cpuTimeS(name) - w0) / ((Date.now() - s0) / 1000);
        t.diagnostic(`rate: prometheus ${rate.toFixed(3)} CPU-s/s, virsh ${virshRate.toFixed(3)} CPU-s/s`);
        assert.ok(rate >= 0 && rate <= VCPUS + 0.5, `rate ${rate}`);
        assert.ok(Math.abs(rate - virshRate) <= 0.25 + 0.25 * virshRate, `prometheus ${rate} vs virsh ${virshRate}`);
    });

    it('every query of the Grafana dashboard parses; the VM panels show the guest', async () => {
        const dash = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'packaging', 'grafana', 'virtdeck-dashboard.json'), 'utf8'));
        let n = 0;
        for (const panel of dash.panels.filter((p) => p.targets)) {
            let guest = false;
            for (const { expr } of panel.targets) {
                const q = expr.replaceAll('$instance', '.*').replaceAll('$vm', name).replaceAll('$__rate_interval', '10s');
                const result = await query(q); // throws on a parse error
                guest ||= result.some((r) => r.metric.name === name || r.metric.uuid === uuid);
                n++;
            }
            // a diskless guest without a NIC: its CPU and memory panels show it (its
            // guest-side memory is absent: no balloon driver reports it)
            if (/^(CPU|Memory)/.test(panel.title)) assert.ok(guest, `${panel.title} shows the guest`);
        }
        assert.ok(n >= 12);
        const vms = await api(`/api/v1/label/name/values?match[]=${encodeURIComponent('libvirt_domain_info_state')}`);
        assert.ok(vms.data.includes(name), 'the $vm variable lists the guest');
    });
});
