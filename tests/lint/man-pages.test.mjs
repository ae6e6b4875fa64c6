// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lint/man-pages.test.mjs — the manual pages (packaging/man/): each renders
// without a warning (groff -ww, man --warnings) and has a NAME line lexgrog reads;
// virtdeck.conf(5) documents exactly the keys server/config.c accepts, each with its
// default and whether SIGHUP applies it; virtdeck(8) names every subcommand and every
// option the CLI files parse. Run by `make lint`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAN = path.join(ROOT, 'packaging', 'man');
const read = (rel) => readFileSync(path.join(ROOT, rel), 'utf8');

/** The keys config.c accepts: its strcmp(key, "...") tests, the whole-number keys'
 * table ({"key", offsetof(struct config, ...)}) and config_pam_group_keys. */
export function configKeys(source) {
    const keys = new Set();
    for (const m of source.matchAll(/\bstrcmp\(key, "([a-z0-9_]+)"\)/g)) keys.add(m[1]);
    for (const m of source.matchAll(/\{"([a-z0-9_]+)", offsetof\(struct config,/g)) keys.add(m[1]);
    const pam = /config_pam_group_keys\[[A-Z_]+\] = \{([^}]*)\}/.exec(source);
    assert.ok(pam, 'config.c defines config_pam_group_keys');
    for (const m of pam[1].matchAll(/"([a-z0-9_]+)"/g)) keys.add(m[1]);
    return keys;
}

/** The entries of virtdeck.conf(5): a .TP followed by `.BI "key = " type`, with their
 * text up to the next .TP/.SS/.SH. */
export function manKeys(roff) {
    const entries = new Map();
    const re = /^\.TP\n\.BI "([a-z0-9_]+) = " [^\n]*\n([\s\S]*?)(?=^\.(?:TP|SS|SH)\b)/gm;
    for (const m of roff.matchAll(re)) {
        assert.ok(!entries.has(m[1]), `${m[1]} is documented once`);
        entries.set(m[1], m[2]);
    }
    return entries;
}

test('config.c key extraction finds the known keys', () => {
    const keys = configKeys(read('server/config.c'));
    for (const k of ['listen', 'uri', 'workers', 'log_level', 'alert_rule', 'pam', 'pam_viewer_group', 'metrics_token_file']) {
        assert.ok(keys.has(k), k);
    }
    assert.ok(keys.size >= 38, `${keys.size} keys`);
});

test('virtdeck.conf(5) documents exactly the keys config.c accepts', () => {
    const keys = configKeys(read('server/config.c'));
    const entries = manKeys(read('packaging/man/virtdeck.conf.5'));
    const missing = [...keys].filter((k) => !entries.has(k)).sort();
    const extra = [...entries.keys()].filter((k) => !keys.has(k)).sort();
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
});

test('every key in virtdeck.conf(5) says its default and what SIGHUP does with it', () => {
    const entries = manKeys(read('packaging/man/virtdeck.conf.5'));
    for (const [key, text] of entries) {
        assert.match(text, /[Dd]efault/, `${key}: a default`);
        assert.match(text, /^SIGHUP: (applied|restart)\b/m, `${key}: SIGHUP: applied or restart`);
    }
    // exactly the keys config.c marks live in its SIGHUP table (CONFIG_S(key, field, kind,
    // true)) are "applied"; metrics_token_file sets metrics_token, so it is applied too
    const live = new Set(['metrics_token_file']);
    for (const m of read('server/config.c').matchAll(/CONFIG_S\("([a-z_]+)",[^)]*, true\)/g)) live.add(m[1]);
    assert.ok(live.size >= 8, `${live.size} live keys in config.c`);
    const applied = [...entries].filter(([, t]) => /^SIGHUP: applied/m.test(t)).map(([k]) => k).sort();
    assert.deepEqual(applied, [...live].sort());
});

test('virtdeck(8) names every subcommand and option the CLI parses', () => {
    const page = read('packaging/man/virtdeck.8').replace(/\\-/g, '-');
    const flags = new Set();
    for (const f of ['server/main.c', 'server/cli_serve.c', 'server/cli_user.c', 'server/cli_token.c']) {
        for (const m of read(f).matchAll(/"(--[a-z][a-z-]*)"/g)) flags.add(m[1]);
    }
    assert.ok(flags.size >= 14, `${flags.size} options`);
    for (const flag of flags) assert.match(page, new RegExp(`(^|[^a-z-])${flag}([^a-z-]|$)`, 'm'), flag);
    for (const cmd of ['serve', 'user add', 'passwd', 'del', 'totp-reset', 'user list', 'token create']) {
        assert.ok(page.includes(cmd), cmd);
    }
    for (const key of ['SIGHUP', 'SIGTERM', 'NOTIFY_SOCKET', 'JOURNAL_STREAM', 'libvirt group',
        'virtdeck.db', 'metrics.db', 'initial-admin-password', 'virtdeck.conf.d', 'EXIT STATUS', 'SEE ALSO']) {
        assert.ok(page.includes(key), key);
    }
});

const pages = readdirSync(MAN).filter((n) => /\.[1-8]$/.test(n)).sort();

test('the manual pages render without warnings and lexgrog reads their NAME', () => {
    assert.deepEqual(pages, ['virtdeck.8', 'virtdeck.conf.5']);
    for (const name of pages) {
        const file = path.join(MAN, name);
        const groff = spawnSync('groff', ['-ww', '-z', '-man', file], { encoding: 'utf8' });
        assert.equal(groff.error, undefined, 'groff (groff-base) is installed');
        assert.equal(`${groff.status} ${groff.stderr}`, '0 ', `groff -ww -z -man ${name}`);
        const man = spawnSync('man', ['--warnings', '-l', file], {
            encoding: 'utf8', env: { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '80' },
        });
        assert.equal(man.error, undefined, 'man (man-db) is installed');
        assert.equal(`${man.status} ${man.stderr}`, '0 ', `man --warnings -l ${name}`);
        const whatis = execFileSync('lexgrog', [file], { encoding: 'utf8' });
        assert.match(whatis, /: "virtdeck(\.conf)? - \S/, `lexgrog ${name}`);
    }
});
