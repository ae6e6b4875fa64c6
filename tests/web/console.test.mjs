// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/console.test.mjs — the pure parts of the consoles: close code -> message
// (web/js/console-status.js), key combinations and "Type text" key events
// (web/js/keysyms.js), the console routes (web/js/router.js) and which consoles a
// domain offers (web/js/domains.js). Messages are compared in English; a zh-CN case
// checks they follow the language.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeClose, stateText, cleanReason, consoleUrl } from '../../web/js/console-status.js';
import { setLanguage } from '../../web/js/i18n.js';
import {
    KEYSYM, KEY_COMBOS, comboById, comboEvents, charToKey, charKeysym, textToKeyEvents, functionKey, isLeaveKey,
} from '../../web/js/keysyms.js';
import { parseHash, consoleHash, serialHash, domainHash } from '../../web/js/router.js';
import { consolesAvailable } from '../../web/js/domains.js';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
const U = '6695eb01-f6a4-8304-79aa-97f2502e193f';

before(() => setLanguage('en', { remember: false }));

// ---- close codes ----------------------------------------------------------------

test('the server\'s reason goes along as the detail; the message is the UI\'s own for the code', () => {
    for (const code of [1000, 4404, 4409, 4502, 4503]) {
        const d = describeClose({ code, reason: `reason for ${code}`, opened: true });
        assert.equal(d.detail, `reason for ${code}`, String(code));
        assert.equal(d.message, describeClose({ code, opened: true }).message, String(code));
        assert.equal(describeClose({ code, opened: true }).detail, '');
    }
    assert.equal(describeClose({ code: 4502, reason: 'x', byUser: true }).detail, '', 'no server reason for a user close');
});

test('4501 (the driver cannot open this console) says so in words, never with libvirt\'s text', () => {
    const reason = 'not supported by the connection driver: virDomainOpenConsole';
    const vnc = describeClose({ code: 4501, reason, opened: true, kind: 'vnc' });
    assert.equal(vnc.detail, '');
    assert.match(vnc.message, /cannot open a graphical console/);
    const serial = describeClose({ code: 4501, reason, opened: true, kind: 'serial' });
    assert.equal(serial.detail, '');
    assert.match(serial.message, /serial console/);
});

test('each documented code has its own message when the server sent no reason', () => {
    const codes = [1000, 1001, 1006, 4400, 4401, 4403, 4404, 4409, 4501, 4502, 4503];
    const messages = codes.map((code) => describeClose({ code, opened: true }).message);
    assert.equal(new Set(messages).size, codes.length, messages.join(' | '));
    for (const m of messages) assert.ok(m.length > 10 && m.endsWith('.'), m);
    assert.match(describeClose({ code: 4401 }).message, /session has ended/i);
    assert.match(describeClose({ code: 4409, kind: 'vnc' }).message, /not running or has no VNC display/);
    assert.match(describeClose({ code: 4409, kind: 'serial' }).message, /no serial console/);
    assert.match(describeClose({ code: 4503 }).message, /libvirt/);
    assert.match(describeClose({ code: 1000, kind: 'serial' }).message, /serial console closed/);
});

test('retry is offered unless the user must first do something else', () => {
    for (const code of [4401, 4403, 4404, 4400]) assert.equal(describeClose({ code }).retry, false, String(code));
    for (const code of [1000, 1006, 4409, 4501, 4502, 4503, 4999, 1011]) {
        assert.equal(describeClose({ code }).retry, true, String(code));
    }
});

test('a refusal before the upgrade (1006, never opened) reads differently from a lost connection', () => {
    const refused = describeClose({ code: 1006, opened: false }).message;
    const lost = describeClose({ code: 1006, opened: true }).message;
    assert.notEqual(refused, lost);
    assert.match(refused, /refused/);
    assert.match(lost, /lost/);
});

test('unknown codes name the code; a user close says so whatever the code', () => {
    assert.match(describeClose({ code: 4418 }).message, /code 4418/);
    assert.match(describeClose({ code: 1011 }).message, /code 1011/);
    assert.equal(describeClose({ code: 4502, reason: 'x', byUser: true }).message, 'You closed the connection.');
});

test('server reasons are cleaned: one line, no control characters, bounded', () => {
    assert.equal(cleanReason('  the VM\u0007 stopped\r\n now '), 'the VM stopped now');
    assert.equal(cleanReason(undefined), '');
    const long = cleanReason('x'.repeat(500));
    assert.equal(long.length, 200);
    assert.ok(long.endsWith('\u2026'));
    assert.equal(describeClose({ code: 4409, reason: '\u0000\u0001' }).detail, '',
        'a reason of only control characters counts as none');
});

test('the state line', () => {
    assert.equal(stateText('connecting'), 'Connecting\u2026');
    assert.equal(stateText('connected'), 'Connected');
    assert.equal(stateText('connected', 'QEMU (vm1)'), 'Connected \u2014 QEMU (vm1)');
    assert.equal(stateText('disconnected', 'The VM stopped.'), 'Disconnected: The VM stopped.');
    assert.equal(stateText('disconnected', 'The VM\u2019s display closed.', 'domain destroyed'),
        'Disconnected: The VM\u2019s display closed. (domain destroyed)');
    assert.equal(stateText('disconnected', '', 'domain destroyed'), 'Disconnected: domain destroyed');
    assert.equal(stateText('idle'), 'Not connected');
});

test('console messages follow the language', async () => {
    try {
        await setLanguage('zh-CN', { remember: false });
        assert.equal(describeClose({ code: 4409, kind: 'serial' }).message, '虚拟机未运行，或没有串行控制台。');
        assert.equal(stateText('disconnected', '与服务器的连接已中断。', 'gone'), '已断开：与服务器的连接已中断。（gone）');
        assert.equal(stateText('connecting'), '正在连接…');
        assert.equal(comboById('super').label, 'Super（Windows 徽标键）');
        assert.equal(comboById('ctrl-alt-del').label, 'Ctrl+Alt+Del');
    } finally {
        await setLanguage('en', { remember: false });
    }
});

test('socket URLs follow the page\'s scheme and host', () => {
    assert.equal(consoleUrl({ protocol: 'https:', host: 'h:8443' }, U), `wss://h:8443/api/domains/${U}/console`);
    assert.equal(consoleUrl({ protocol: 'http:', host: 'h' }, U, 'serial'), `ws://h/api/domains/${U}/serial`);
    assert.equal(consoleUrl({ protocol: 'https:', host: 'h' }, 'a/b'), 'wss://h/api/domains/a%2Fb/console');
});

// ---- keys -----------------------------------------------------------------------

test('a combo presses its keys in order and releases them in reverse', () => {
    const cad = comboById('ctrl-alt-del');
    assert.ok(cad.ctrlAltDel);
    assert.deepEqual(comboEvents(cad), [
        { keysym: 0xffe3, code: 'ControlLeft', down: true },
        { keysym: 0xffe9, code: 'AltLeft', down: true },
        { keysym: 0xffff, code: 'Delete', down: true },
        { keysym: 0xffff, code: 'Delete', down: false },
        { keysym: 0xffe9, code: 'AltLeft', down: false },
        { keysym: 0xffe3, code: 'ControlLeft', down: false },
    ]);
    assert.deepEqual(comboEvents(comboById('print-screen')), [
        { keysym: KEYSYM.Print, code: 'PrintScreen', down: true },
        { keysym: KEYSYM.Print, code: 'PrintScreen', down: false },
    ]);
});

test('the menu has Ctrl+Alt+Del, Ctrl+Alt+F1..F7, Alt+Tab, Print Screen; ids and labels are unique', () => {
    const labels = KEY_COMBOS.map((c) => c.label);
    for (const l of ['Ctrl+Alt+Del', 'Alt+Tab', 'Print Screen', ...[1, 2, 3, 4, 5, 6, 7].map((n) => `Ctrl+Alt+F${n}`)]) {
        assert.ok(labels.includes(l), l);
    }
    assert.equal(new Set(labels).size, labels.length);
    assert.equal(new Set(KEY_COMBOS.map((c) => c.id)).size, KEY_COMBOS.length);
    const f7 = comboById('ctrl-alt-f7');
    assert.deepEqual(f7.keys[2], { keysym: 0xffc4, code: 'F7' });
    assert.deepEqual(functionKey(1), { keysym: 0xffbe, code: 'F1' });
    assert.deepEqual(functionKey(12), { keysym: 0xffc9, code: 'F12' });
    assert.throws(() => functionKey(13), RangeError);
    assert.equal(comboById('nope'), undefined);
});

test('characters map to keysyms and US-layout keys, with Shift where that layout needs it', () => {
    assert.deepEqual(charToKey('a'), { keysym: 0x61, code: 'KeyA', shift: false });
    assert.deepEqual(charToKey('Z'), { keysym: 0x5a, code: 'KeyZ', shift: true });
    assert.deepEqual(charToKey('7'), { keysym: 0x37, code: 'Digit7', shift: false });
    assert.deepEqual(charToKey('!'), { keysym: 0x21, code: 'Digit1', shift: true });
    assert.deepEqual(charToKey(')'), { keysym: 0x29, code: 'Digit0', shift: true });
    assert.deepEqual(charToKey(' '), { keysym: 0x20, code: 'Space', shift: false });
    assert.deepEqual(charToKey('~'), { keysym: 0x7e, code: 'Backquote', shift: true });
    assert.deepEqual(charToKey('/'), { keysym: 0x2f, code: 'Slash', shift: false });
    assert.deepEqual(charToKey('?'), { keysym: 0x3f, code: 'Slash', shift: true });
    assert.deepEqual(charToKey('"'), { keysym: 0x22, code: 'Quote', shift: true });
    assert.deepEqual(charToKey('\n'), { keysym: KEYSYM.Return, code: 'Enter', shift: false });
    assert.deepEqual(charToKey('\t'), { keysym: KEYSYM.Tab, code: 'Tab', shift: false });
    // Latin-1 keysyms equal the code point; other characters are 0x01000000 + code point,
    // with no physical key.
    assert.deepEqual(charToKey('\u00e9'), { keysym: 0xe9, code: null, shift: false });
    assert.deepEqual(charToKey('\u20ac'), { keysym: 0x010020ac, code: null, shift: false });
    assert.equal(charKeysym('\u{1f600}'), 0x0101f600);
    assert.equal(charToKey('\u0007'), null);
    assert.equal(charToKey('\u007f'), null);
});

test('printable ASCII is typeable in full and every character has one key', () => {
    for (let cp = 0x20; cp < 0x7f; cp++) {
        const k = charToKey(String.fromCharCode(cp));
        assert.ok(k && k.code, `0x${cp.toString(16)}`);
        assert.equal(k.keysym, cp);
    }
});

test('typed text becomes press/release pairs, Shift around shifted characters', () => {
    const r = textToKeyEvents('aB!');
    assert.equal(r.typed, 3);
    assert.equal(r.skipped, 0);
    const S = KEYSYM.Shift_L;
    assert.deepEqual(r.events.map((e) => [e.keysym, e.down]), [
        [0x61, true], [0x61, false],
        [S, true], [0x42, true], [0x42, false], [S, false],
        [S, true], [0x21, true], [0x21, false], [S, false],
    ]);
    // Every down has its up, in a balanced order.
    const held = new Map();
    for (const e of textToKeyEvents('Hello, World!\nls -la ~/"x"\t\u00e9').events) {
        held.set(e.keysym, (held.get(e.keysym) || 0) + (e.down ? 1 : -1));
        assert.ok(held.get(e.keysym) >= 0);
    }
    assert.ok([...held.values()].every((v) => v === 0));
});

test('CRLF is one Enter; characters that cannot be typed are counted, not sent', () => {
    const r = textToKeyEvents('a\r\nb\u0001c');
    assert.equal(r.typed, 4);
    assert.equal(r.skipped, 1);
    assert.equal(r.events.filter((e) => e.keysym === KEYSYM.Return).length, 2);
    assert.deepEqual(textToKeyEvents(''), { events: [], typed: 0, skipped: 0 });
    assert.deepEqual(textToKeyEvents(null).events, []);
});

test('Ctrl+] is the key that leaves a console', () => {
    assert.equal(isLeaveKey({ type: 'keydown', ctrlKey: true, key: ']', code: 'BracketRight' }), true);
    assert.equal(isLeaveKey({ type: 'keydown', ctrlKey: true, key: '+', code: 'BracketRight' }), true, 'other layouts');
    assert.equal(isLeaveKey({ type: 'keyup', ctrlKey: true, key: ']' }), false);
    assert.equal(isLeaveKey({ type: 'keydown', ctrlKey: false, key: ']' }), false);
    assert.equal(isLeaveKey({ type: 'keydown', ctrlKey: true, altKey: true, key: ']' }), false);
    assert.equal(isLeaveKey(null), false);
});

// ---- routes and availability ------------------------------------------------------

test('console and serial pages have routes of their own', () => {
    assert.deepEqual(parseHash(`#/domains/${U}/console`), { view: 'console', uuid: U });
    assert.deepEqual(parseHash(`#/domains/${U.toUpperCase()}/serial`), { view: 'serial', uuid: U });
    assert.deepEqual(parseHash(consoleHash(U)), { view: 'console', uuid: U });
    assert.deepEqual(parseHash(serialHash(U)), { view: 'serial', uuid: U });
    assert.equal(consoleHash(U), `${domainHash(U)}/console`);
    for (const h of [`#/domains/${U}/x`, `#/domains/${U}/console/x`, '#/domains/nope/console',
        `#/domains/${U}/constructor`, `#/domains/${U}/__proto__`, `#/hosts/${U}/console`]) {
        assert.equal(parseHash(h).view, 'notfound', h);
    }
});

test('consoles are offered while the VM runs; the display only with VNC', () => {
    assert.deepEqual(consolesAvailable({ state: 'running', has_vnc: true }), { vnc: true, serial: true });
    assert.deepEqual(consolesAvailable({ state: 'paused', has_vnc: true }), { vnc: true, serial: true });
    assert.deepEqual(consolesAvailable({ state: 'running', has_vnc: false }), { vnc: false, serial: true });
    assert.deepEqual(consolesAvailable({ state: 'shutoff', has_vnc: true }), { vnc: false, serial: false });
    assert.deepEqual(consolesAvailable(null), { vnc: false, serial: false });
});

test('the pure console modules stay out of the DOM', () => {
    for (const name of ['console-status.js', 'keysyms.js']) {
        const t = readFileSync(path.join(WEB, 'js', name), 'utf8');
        assert.doesNotMatch(t, /\bdocument\b|\bwindow\b|from '\.\/views\//, name);
    }
});
