// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lint/no-literal-ui-string.test.mjs — virtdeck/no-literal-ui-string
// (eslint-plugin-virtdeck.mjs): for every place text reaches the user, a literal
// there is reported and the same code through t() passes; what is not user text
// (classes, tags, data-*, events, URLs, imports, console, new Error) passes; the
// i18n-ignore escape hatch. Last, a small view converted to t() passes the project's
// own eslint.config.mjs while its English original fails it. Run by `make lint`.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, RuleTester } from 'eslint';
import plugin from './eslint-plugin-virtdeck.mjs';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const rule = plugin.rules['no-literal-ui-string'];
const tester = new RuleTester({ languageOptions: { ecmaVersion: 2024, sourceType: 'module' } });

const VIEW = 'web/js/views/sample.js';
const RULES = 'web/js/sample-rules.js';
const DOM = "import { h, s, setText, setAttr, replaceChildren } from './dom.js';\nimport { t } from '../i18n.js';\n";

/** A view's code (the dom.js builders and t imported). */
const view = (code) => ({ code: DOM + code, filename: VIEW });
/** A rules module's code. */
const rules = (code) => ({ code: `import { t } from './i18n.js';\n${code}`, filename: RULES });
/** An invalid case: the literals reported, in order. */
const bad = (c, ...texts) => ({ ...c, errors: texts.map((text) => ({ message: shows(text) })) });
// The message shows the literal's source ('Start', `Hello ${x}`), then where it goes.
function shows(src) {
    return new RegExp(`^User-visible text ${src.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(`);
}

tester.run('no-literal-ui-string', rule, {
    valid: [
        // The DOM builders with translated text; what is not text.
        view("h('button', { type: 'button', class: 'btn btn-primary', dataset: { action: 'start' }, text: t('domains.action.start') });"),
        view("h('p', {}, t('domains.count', { count: 3 }), ' \\u2014 ', 42);"),
        view("h('a', { href: '#/networks', 'aria-current': 'page', 'data-nav': 'networks' }, t('shell.nav.networks'));"),
        view("h('input', { type: 'text', name: 'capacity', value: 'qcow2', autocomplete: 'off', spellcheck: 'false' });"),
        // A placeholder that is an example value, not text.
        view("textInput({ placeholder: '10G' }); h('input', { placeholder: '52:54:00:xx:xx:xx' }); el.placeholder = 'lab.example';"),
        view("s('svg', { viewBox: '0 0 24 24', 'aria-hidden': 'true' }, s('path', { d: 'M7 5l12 7-12 7z' }));"),
        view("const DASH = '\\u2014'; h('td', {}, DASH, ' / ', '10');"),
        // Assignments and attributes that are not text.
        view("el.className = 'badge badge-ok'; el.dataset.state = 'running'; el.id = 'page-title';"),
        view("el.textContent = t('storage.volume.deleted', { name: vol }); document.title = t('shell.title.networks');"),
        view("el.setAttribute('class', 'btn'); el.setAttribute('aria-label', t('shell.close')); setAttr(el, 'class', 'badge');"),
        view("setText(el, t('domains.loading')); setText(el, count); setAttr(el, 'title', reason);"),
        // The confirm dialog, the notifier, the form kit, the resource tables, translated.
        view("ctx.confirm({ title: t('storage.volume.delete.title', { name }), message: t('storage.volume.delete.message'), confirmLabel: t('common.delete'), danger: true });"),
        view("notify.error(t('network.error', { name })); this.ctx.notify.info(errorText(err)); notify.error(err.message);"),
        view("field({ label: t('resources.name'), key: 'name', control: textInput({ name: 'name', maxlength: '127' }) });"),
        view("selectInput([['qcow2', 'qcow2'], ['raw', 'raw']]); selectInput(VOLUME_FORMATS, { name: 'format', value: 'qcow2' });"),
        view("selectInput([['iso', t('resources.format.iso')], ['raw', 'raw']]);"),
        view("cell(t('resources.col.name'), {}, name); rowButton('name', name, 'start', t('common.start'));"),
        view("runRowAction(ctx, btn, { run: () => api.start(name), done: (r) => t('x.done', { name: r.name }), failure: t('x.failed') });"),
        view("showErrors(fields, { pool: pool ? '' : t('resources.pick.pool') });"),
        // A parameter with t('...') for its argument.
        view("function toolButton(label) { return h('button', { 'aria-label': label }); }\ntoolButton(t('console.paste'));"),
        // Developer text: console, errors, imports, events, URLs, selectors, comparisons.
        view("console.error('The socket closed unexpectedly', err); console.warn(`Bad frame ${n}`);"),
        view("throw new Error('Unsupported language: ' + code);"),
        view("const mod = await import('./networks.js'); el.addEventListener('click', go); fetch('/api/domains');"),
        view("document.querySelector('#mainnav [data-nav]'); if (ev.key === 'Escape' || ev.key === 'Home') close();"),
        view("switch (ev.key) { case 'End': break; default: }\nconst combo = { code: 'Delete', name: 'English' };"),
        view("xhr.setRequestHeader('Accept', 'application/json'); headers.set('Content-Type', 'text/plain');"),
        // t() ids and t()'s parameters that are not text.
        view("h('p', {}, t('storage.volume.deleted', { name: vol, count: 2 }));"),
        // A local function named h is not the builder.
        view("function f(h) { return h('p', {}, 'x'); }"),
        // Rules modules: messages through t(); machine values returned.
        rules("export function nameError(v) { if (!v) return t('forms.error.enter'); return ''; }"),
        rules("export function prefix(bus) { return bus === 'virtio' ? 'vd' : 'sd'; }\nexport const key = (i, f) => `hosts.${i}.${f}`;"),
        rules("export function check(v, errors) { errors[`hosts.${v.i}.mac`] = t('network.error.mac'); return { value: null, error: '' }; }"),
        // The same value in a view is not a message.
        view("export function linkState(nic) { return nic.link === 'down' ? 'down' : 'up'; }"),
        // The escape hatch.
        view("h('option', { value: 'en', text: 'English' }); // i18n-ignore a language is named in itself"),
        view("h('kbd', {}, 'Ctrl+Alt+Del'); // i18n-ignore key names as printed on the keyboard"),
    ],
    invalid: [
        // h()/s() children and each text prop.
        bad(view("h('button', { type: 'button' }, 'Start');"), "'Start'"),
        bad(view("h('p', {}, `${n} VMs`, [cond ? 'running' : t('x')]);"), '`${n} VMs`', "'running'"),
        bad(view("h('span', { text: '\u865a\u62df\u673a' });"), "'\u865a\u62df\u673a'"),
        bad(view("h('span', { title: 'Running', placeholder: 'Search', label: 'Group', alt: 'Logo' });"),
            "'Running'", "'Search'", "'Group'", "'Logo'"),
        bad(view("h('div', { 'aria-label': 'Main', 'aria-description': 'Lists', 'aria-placeholder': 'Name', 'aria-roledescription': 'slide' });"),
            "'Main'", "'Lists'", "'Name'", "'slide'"),
        bad(view("h('td', { 'data-label': 'Memory', 'aria-valuetext': 'half' });"), "'Memory'", "'half'"),
        bad(view("s('text', { x: 1 }, 'CPU');"), "'CPU'"),
        // Followed values: a local name, a parameter default, + and ?? and template parts.
        bad(view("const text = bad ? 'Leases are not available.' : t('x'); h('p', { text });"), "'Leases are not available.'"),
        bad(view("let label; label = 'Start'; h('button', {}, label);"), "'Start'"),
        bad(view("function ok({ confirmLabel = 'OK' }) { okBtn.textContent = confirmLabel; }"), "'OK'"),
        bad(view("h('p', {}, name + ' (transient)', value ?? 'none', `${d.active ? ' (running)' : ''}`);"),
            "' (transient)'", "'none'", "' (running)'"),
        // Element properties.
        bad(view("el.textContent = 'Loading'; el.innerText = 'Wait'; el.title = 'Info'; input.placeholder = 'Name';"),
            "'Loading'", "'Wait'", "'Info'", "'Name'"),
        bad(view("opt.label = 'First'; img.alt = 'Screen'; el.ariaLabel = 'Close'; document.title = `${name} \\u2014 virtdeck`;"),
            "'First'", "'Screen'", "'Close'", '`${name} \\u2014 virtdeck`'),
        // setText, setAttr, setAttribute, DOM text nodes.
        bad(view("setText(el, 'idle'); setAttr(el, 'title', `State: ${s}`); el.setAttribute('aria-label', 'Close');"),
            "'idle'", '`State: ${s}`', "'Close'"),
        bad(view("el.setAttribute('placeholder', 'Name'); el.setAttribute('alt', 'Logo'); el.setAttribute('aria-description', 'Help');"),
            "'Name'", "'Logo'", "'Help'"),
        bad(view("el.append('Loading\\u2026'); replaceChildren(el, 'Empty'); document.createTextNode('Hi');"),
            "'Loading\\u2026'", "'Empty'", "'Hi'"),
        // The confirm dialog (its options and its own default).
        bad(view("ctx.confirm({ title: `Delete \\u201c${name}\\u201d?`, message: 'Gone for good.', detail: 'No undo.', confirmLabel: 'Delete', danger: true });"),
            '`Delete \\u201c${name}\\u201d?`', "'Gone for good.'", "'No undo.'", "'Delete'"),
        bad(view("export function confirmDialog({ title, confirmLabel = 'OK' }) { parts.ok.textContent = confirmLabel; }"), "'OK'"),
        // The notifier and an error box.
        bad(view("notify.error('Failed'); this.ctx.notify.info(`Network ${n} created.`); errorBox.show('Refused');"),
            "'Failed'", '`Network ${n} created.`', "'Refused'"),
        // The form kit.
        bad(view("field({ label: 'Name', hint: 'Letters only', control });"), "'Name'", "'Letters only'"),
        bad(view("cardForm({ title: 'New volume', submitLabel: 'Create', failure: 'Not created' });"),
            "'New volume'", "'Create'", "'Not created'"),
        bad(view("formDialog({ title: t('a.b'), description: 'A full copy.', submitLabel: 'Clone' });"), "'A full copy.'", "'Clone'"),
        bad(view("selectInput([['', 'None'], ['iso', 'ISO image']]); setOptions(sel, [['', 'No pool']]);"),
            "'None'", "'ISO image'", "'No pool'"),
        bad(view("showErrors(fields, { pool: pool ? '' : 'Choose a pool.' });"), "'Choose a pool.'"),
        // The resource tables and pages.
        bad(view("cell('Name', {}, name); rowButton('name', name, 'start', 'Start'); countText(n, 'volume');"),
            "'Name'", "'Start'", "'volume'"),
        bad(view("reportError(notify, `Could not delete ${name}`, err); showLoadError(box, 'Unreadable', retry);"),
            '`Could not delete ${name}`', "'Unreadable'"),
        bad(view("listCard({ title: 'Volumes' }); renderTable(el, { empty: 'None yet', caption: 'Volumes', columns: ['Name', admin && 'Actions'] });"),
            "'Volumes'", "'None yet'", "'Volumes'", "'Name'", "'Actions'"),
        bad(view("runRowAction(ctx, btn, { done: (r) => `Volume ${r} wiped.`, failure: 'Not wiped' });"), '`Volume ${r} wiped.`', "'Not wiped'"),
        bad(view("class P extends R { constructor(ctx) { super(ctx, { refreshLabel: 'Refresh', listTitle: 'Pools', noun: 'pool', what: 'the pools' }); } }"),
            "'Refresh'", "'Pools'", "'pool'", "'the pools'"),
        bad(view("class V { columns(admin) { return ['Name', 'State']; } }"), "'Name'", "'State'"),
        // Tables and functions of text.
        bad(view("const CONN_TEXT = { idle: 'Offline', open: 'Live' };"), "'Offline'", "'Live'"),
        bad(view("export function stateText(s) { return s ? `Connected: ${s}` : 'Connecting'; }"), '`Connected: ${s}`', "'Connecting'"),
        bad(view("export function formatBool(v) { return v ? 'Yes' : 'No'; }"), "'Yes'", "'No'"),
        bad(view("const what = (kind) => (kind === 'serial' ? 'serial console' : 'display');"), "'serial console'", "'display'"),
        // A parameter of a function of the same file that reaches a sink.
        bad(view("function toolButton(label) { return h('button', { 'aria-label': label }); }\ntoolButton('Paste');"), "'Paste'"),
        bad(view("class L { #showError(text) { this.err.textContent = text; } go() { this.#showError('Invalid password.'); } }"),
            "'Invalid password.'"),
        bad(view("function ask({ title }) { h('h2', { text: title }); }\nask({ title: 'Sure?' });"), "'Sure?'"),
        // Constructors whose message is shown.
        bad(view("throw new ApiError(0, 'network_error', 'Cannot reach the server.');"), "'Cannot reach the server.'"),
        // Rules modules: returned messages, errors objects, error keys.
        bad(rules("export function nameError(v) { if (!v) return 'Enter a name.'; return v.length > 9 ? `Too long: ${v}` : ''; }"),
            "'Enter a name.'", '`Too long: ${v}`'),
        bad(rules("export function check(v, errors) { errors.name = 'Choose a name.'; errors['ipv4.address'] = `${v} is taken.`; }"),
            "'Choose a name.'", '`${v} is taken.`'),
        bad(rules("export function parse(s) { return { value: null, error: 'Enter a number.' }; }"), "'Enter a number.'"),
        bad(rules("const one = (ip) => (ok(ip) ? '' : 'Outside the subnet.');"), "'Outside the subnet.'"),
        bad(rules("export const MODES = [{ id: 'nat', label: 'NAT', hint: 'Private subnet.' }];"), "'NAT'", "'Private subnet.'"),
        bad(rules("objectNameError(v.name, 'network name');"), "'network name'"),
        bad(rules("parseIntField(v.mtu, { min: 68, what: 'MTU' });"), "'MTU'"),
        bad(view("errors.file = 'Choose a file.';"), "'Choose a file.'"),
        // t() parameters that are English words.
        bad(view("h('p', {}, t('forms.error.enter', { what: 'name' }));"), "'name'"),
        // The catch-all: a phrase handed to a function of another module.
        bad(view("class C { #set(s, m) { this.s = [s, m]; } go() { this.#set('disconnected', `Could not open the connection: ${err.message}`); stat('Virtual machines'); } }"),
            '`Could not open the connection: ${err.message}`', "'Virtual machines'"),
        bad(view("devTable(t('x'), [['Target', (r) => r.target]]);"), "'Target'"),
        // The escape hatch needs a reason, and must silence something.
        {
            ...view("h('p', {}, 'English'); // i18n-ignore"),
            errors: [{ messageId: 'literal' }, { messageId: 'ignoreReason' }],
        },
        {
            ...view("h('p', {}, t('x')); // i18n-ignore the id is not text"),
            errors: [{ messageId: 'ignoreUnused' }],
        },
    ],
});

describe('the project configuration (eslint.config.mjs) on a view', () => {
    const eslint = new ESLint({ cwd: ROOT });
    const lint = async (code) => {
        const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, 'web/js/views/converted-sample.js') });
        return result.messages;
    };
    // A small view as written before issue 10 and the same view converted to t(): the
    // same code, each text either English or a t() call.
    const TEXTS = {
        count: ['`${count} volume${count === 1 ? \'\' : \'s\'}`', "t('storage.volume.count', { count })"],
        deleteLabel: ["'Delete the pool'", "t('storage.pool.delete.label')"],
        deleteButton: ["'Delete'", "t('common.delete')"],
        heading: ["'Storage pools'", "t('storage.title')"],
        pageTitle: ["'Storage \\u2014 virtdeck'", "t('shell.title.page', { page: t('storage.title.short') })"],
        confirmTitle: ["'Delete the pool?'", "t('storage.pool.delete.title')"],
        confirmMessage: ["'Its volumes stay on disk.'", "t('storage.pool.delete.message')"],
        deleted: ["'Pool deleted.'", "t('storage.pool.deleted')"],
    };
    const sample = (which) => {
        const x = Object.fromEntries(Object.entries(TEXTS).map(([k, v]) => [k, v[which]]));
        return `import { h, setText } from './dom.js';
import { confirmDialog } from './confirm.js';
${which ? "import { t } from '../i18n.js';" : '// (no catalogue yet)'}

export class SampleView {
    constructor(ctx) {
        this.ctx = ctx;
    }

    mount(container, count) {
        this.count = h('p', { class: 'count', role: 'status' });
        setText(this.count, ${x.count});
        const del = h('button', { type: 'button', class: 'btn btn-danger', 'aria-label': ${x.deleteLabel} }, ${x.deleteButton});
        del.addEventListener('click', () => this.remove());
        container.replaceChildren(h('h1', { class: 'page-title', text: ${x.heading} }), this.count, del);
        document.title = ${x.pageTitle};
    }

    async remove() {
        const ok = await confirmDialog({ title: ${x.confirmTitle}, message: ${x.confirmMessage}, confirmLabel: ${x.deleteButton}, danger: true });
        if (!ok) return;
        this.ctx.notify.info(${x.deleted});
    }
}
`;
    };
    const english = sample(0);
    const converted = sample(1);

    it('reports every English text of the original view', async () => {
        const messages = await lint(english);
        assert.deepEqual(messages.map((m) => [m.ruleId, m.line]), [
            ['virtdeck/no-literal-ui-string', 12], // the count, plural by concatenation
            ['virtdeck/no-literal-ui-string', 13], // aria-label
            ['virtdeck/no-literal-ui-string', 13], // the button's text
            ['virtdeck/no-literal-ui-string', 15], // the heading
            ['virtdeck/no-literal-ui-string', 16], // document.title
            ['virtdeck/no-literal-ui-string', 20], // the dialog's title
            ['virtdeck/no-literal-ui-string', 20], // message
            ['virtdeck/no-literal-ui-string', 20], // confirmLabel
            ['virtdeck/no-literal-ui-string', 22], // the notification
        ]);
    });

    it('passes the converted view', async () => {
        assert.deepEqual(await lint(converted), []);
    });
});
