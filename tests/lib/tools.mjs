// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/tools.mjs — fails a suite early, and plainly, when a program it (or libvirt on
// its behalf) runs is not installed: the message names the Debian package to install.
// Owns nothing but the call; the program → package table is packaging/tools.tsv and the
// check is packaging/check-tools.sh, which `make check` also runs before any test.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './daemon.mjs';

/** Throws an Error naming each missing program's package; returns nothing when all are there. */
export function requireTools(...tools) {
    const r = spawnSync(path.join(REPO_ROOT, 'packaging', 'check-tools.sh'), tools, { encoding: 'utf8' });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`missing programs:\n${r.stderr.trim()}`);
}
