// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lint/eslint-plugin-virtdeck.mjs — the UI's own ESLint rule (eslint.config.mjs
// turns it on for web/js/**): virtdeck/no-literal-ui-string reports a string or template
// literal with letters (any script: \p{L}) that reaches the user without going through
// the catalogue (t() in web/js/i18n.js). Run by `make lint`; tested by
// no-literal-ui-string.test.mjs.
//
// It follows values from the places where text reaches the user (the sinks) back to
// literals:
//   - the DOM builders h()/s() of views/dom.js: every child, and the props in H_PROPS;
//     DOM calls that add text nodes (append, replaceChildren, createTextNode, ...)
//   - assignments to TEXT_PROPS (.textContent, .title, .placeholder, ...; document.title)
//   - setText(el, x), setAttr(el, 'title', x), el.setAttribute('aria-label', x) for
//     the attributes in TEXT_ATTRS; the notifier (notify.error/info), an error box's
//     show(), and the shared helpers in CALLS and NEW_CALLS (reportError, cell,
//     selectInput's option labels, showErrors' messages, new ApiError's message, ...)
//   - object properties whose key says they are text (UI_KEYS, or a camelCase name
//     ending in Label/Title/Text/Message/...): the options of the confirm dialog, the
//     form kit, the resource tables and pages, the label/hint tables of the rules
//     modules; a function there (done: (r) => ...) is followed into its returns; the
//     same for methods so named (columns(), loadFailMessage()), for functions named
//     like that or format* (stateText(), formatBool()) and for constant tables named
//     *_TEXT, *_LABELS, TITLES, ...
//   - messages: values stored into an errors object (errors.name = ...), the `what`
//     arguments of forms.js's validators (objectNameError(v, 'network name')) and, in
//     the rules modules (*-rules.js, forms.js), every returned value; a lowercase word
//     without spaces there is a machine value ("vd", "qcow2"), not text
//   - a parameter of a function of the same file that reaches a sink makes that
//     argument of every call of the function a sink (toolButton('Type text', ...),
//     ovRow('memory', 'Memory'), confirmDialog({title}) in its own file)
// From a sink it follows ?:, ||/??/&&, +, arrays, spreads, the expressions inside a
// template, and a local name back to its initialiser, its assignments and a
// parameter's default value. A call (t('id'), String(n), a format...) is opaque:
// whatever it returns is not a literal here, so t('id', ...) and its arguments pass.
// Last, a catch-all: a literal anywhere that reads as a phrase (a capitalised word, a
// space, more) is reported unless it is developer text (console.*, new Error(...),
// message ids, imports, object keys).
// Not sinks: CSS classes, tags, attribute names, data-* values (but data-label, which
// app.css shows on phones), event names, URLs, imports, console.*, new Error(...); a
// placeholder that is an example value ("10G", "br0", "lab.example").
//
// The escape hatch is a comment on the literal's line: `// i18n-ignore <reason>`; the
// reason is required, and an i18n-ignore that silences nothing is reported too.
// tests/lint/catalogue.mjs lists every use.

import { ID_FUNCTIONS as ID_FUNCTION_NAMES } from './i18n-declared.mjs';

const LETTER = /\p{L}/u;

/** Props of h()/s() that become visible (or spoken) text. */
export const H_PROPS = new Set([
    'text', 'title', 'placeholder', 'label', 'alt', 'aria-label', 'aria-description',
    'aria-placeholder', 'aria-roledescription', 'aria-valuetext', 'data-label',
]);

/** Element properties whose assignment shows text. */
export const TEXT_PROPS = new Set([
    'textContent', 'innerText', 'innerHTML', 'outerHTML', 'title', 'placeholder', 'label', 'alt',
    'ariaLabel', 'ariaDescription', 'ariaPlaceholder', 'ariaRoleDescription', 'ariaValueText',
]);

/** Attributes (setAttribute, setAttr) whose value is text. */
export const TEXT_ATTRS = new Set([
    'aria-label', 'title', 'placeholder', 'alt', 'label', 'aria-description', 'aria-placeholder',
    'aria-roledescription', 'aria-valuetext', 'data-label',
]);

/**
 * Object keys whose value is text (the confirm dialog's title/message/detail/
 * confirmLabel, the form kit's label/hint/submitLabel/failure, the resource table's
 * empty/caption/columns/done, ResourcePage's noun/what, a rules module's error), and
 * the same as the end of a camelCase key (refreshLabel, listTitle, emptyText, ...).
 */
export const UI_KEYS = new Set([
    'text', 'title', 'label', 'placeholder', 'alt', 'hint', 'message', 'detail', 'description',
    'caption', 'empty', 'failure', 'done', 'noun', 'what', 'error', 'columns', 'tooltip', 'summary',
    'question', ...H_PROPS,
]);
const UI_KEY_SUFFIX = /[a-z0-9](Label|Title|Text|Message|Hint|Caption|Description|Placeholder|Tooltip|Noun|Question)$/;
/** Constant tables of text: CONN_TEXT, ROLE_TEXT, TITLES, MODE_LABELS, ... */
const TABLE_NAME = /(^|_)(TEXTS?|LABELS?|TITLES?|MESSAGES?|HINTS?|CAPTIONS?)$/;
/** Functions whose result is text besides the UI_KEYS names (stateText, what): format*. */
const TEXT_FUNCTION = /^format[A-Z]/;

/**
 * Shared helpers (imported, so not followed into) and what their arguments are, by
 * index: 'text'; 'options' ([value, label] pairs: the labels); 'values' (an object of
 * messages: every value).
 */
export const CALLS = {
    setText: { 1: 'text' },
    cell: { 0: 'text' }, // resource-table.js: the column name shown in the phone layout
    rowButton: { 3: 'text' },
    countText: { 1: 'text' },
    reportError: { 1: 'text' },
    showLoadError: { 1: 'text' },
    selectInput: { 0: 'options' },
    setOptions: { 1: 'options' },
    showErrors: { 1: 'values' },
    alert: { 0: 'text' },
    prompt: { 0: 'text' },
};
/** Constructors whose argument reaches the user (api.js: new ApiError(status, code, message)). */
export const NEW_CALLS = { ApiError: { 2: 'text' }, Option: { 0: 'text' } };
/** Methods whose arguments are all text when a string is given (DOM text nodes). */
const DOM_TEXT_METHODS = new Set(['append', 'prepend', 'replaceChildren', 'before', 'after', 'replaceWith', 'createTextNode']);
/** The notifier (notify.js): notify.error(text), notify.info(text); an error box's show(text). */
const NOTIFY_OBJECT = /^(notify|notifier)$/i;
const NOTIFY_METHODS = new Set(['error', 'info', 'warn', 'success']);
const BOX_OBJECT = /box$/i;
/** The validators (forms.js): nameError(value, what, ...) -> a message with `what` in it. */
const VALIDATOR_CALL = /^[a-z]\w*Error$/;
/** An object of messages by field: errors.name = '...', this.errors[key] = '...'. */
const ERRORS_OBJECT = /errors$/i;

/**
 * The catch-all for text that reaches the user some other way (a setter of another
 * module, a constructor): a literal that reads as a phrase, a capitalised word, a
 * space and more ("Could not open the connection: ...", "Full screen").
 */
const SENTENCE = /^\s*\p{Lu}[\p{L}'\u2019-]*[\s\u00a0]+\S/u;
const WORD = /^\p{Lu}\p{Ll}+$/u;
/** Where the catch-all does not look: the value of a key that names a thing ({code:
 *  'Delete'}, {name: 'English'}), KeyboardEvent key/code names, HTTP header names. */
const NAME_KEYS = new Set(['code', 'key', 'id', 'name', 'type', 'kind', 'value', 'class', 'mode', 'role', 'action', 'method']);
const DOM_KEY_NAMES = new Set([
    'Escape', 'Enter', 'Tab', 'Home', 'End', 'Delete', 'Backspace', 'Space', 'Minus', 'Equal', 'Backslash',
    'Semicolon', 'Quote', 'Backquote', 'Comma', 'Period', 'Slash', 'Insert', 'Pause', 'Control', 'Shift', 'Alt', 'Meta',
]);
/** Calls whose string arguments are message ids, not text. */
const ID_FUNCTIONS = new Set(ID_FUNCTION_NAMES);

const DEFAULT_VALIDATOR_FILES = ['-rules\\.js$', '(^|/)forms\\.js$'];
const DEFAULT_BUILDERS = ['h', 's'];
const IGNORE = /^\s*i18n-ignore\b(.*)$/;

/**
 * A message of a rules module or an errors object: such code also returns and stores
 * machine values (a target prefix "vd", a format "qcow2", a link state "up", an errors
 * key `hosts.${i}.mac`). A lowercase ASCII word without spaces is one of those.
 */
const MESSAGE_SINK = 'validator message';
const TOKEN = /^[a-z0-9_.:/+-]*$/;
/**
 * A placeholder that shows an example of what to type ("10G", "br0", "lab.example",
 * "52:54:00:xx:xx:xx"): one token with a digit or a separator; "Search" is text.
 */
const EXAMPLE = /^(?=.*[\d.:@/])[\w.:/@+-]+$/;
function isToken(text, sink) {
    if (sink.startsWith(MESSAGE_SINK)) return TOKEN.test(text);
    return sink.includes('placeholder') && EXAMPLE.test(text);
}

function keyName(node) {
    if (!node) return null;
    if (node.type === 'Identifier' || node.type === 'PrivateIdentifier') return node.name;
    if (node.type === 'Literal') return String(node.value);
    return null;
}

function isUiKey(name) {
    return typeof name === 'string' && (UI_KEYS.has(name) || UI_KEY_SUFFIX.test(name));
}

function stringValue(node) {
    if (node?.type === 'Literal' && typeof node.value === 'string') return node.value;
    if (node?.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked;
    return null;
}

/** The last name of a.b.c (c), of this.x (x), of an identifier (itself). */
function lastName(node) {
    if (node?.type === 'Identifier') return node.name;
    if (node?.type === 'MemberExpression' && !node.computed) return keyName(node.property);
    return null;
}

function isFunction(node) {
    return !!node && (node.type === 'ArrowFunctionExpression' || node.type === 'FunctionExpression'
        || node.type === 'FunctionDeclaration');
}

/** The values fn returns (its own return statements, not those of nested functions). */
function returnsOf(fn) {
    if (fn.body.type !== 'BlockStatement') return [fn.body];
    const out = [];
    const walk = (node) => {
        if (!node || typeof node.type !== 'string') return;
        if (node !== fn && isFunction(node)) return;
        if (node.type === 'ReturnStatement') {
            if (node.argument) out.push(node.argument);
            return;
        }
        for (const [k, v] of Object.entries(node)) {
            if (k === 'parent') continue;
            if (Array.isArray(v)) v.forEach(walk);
            else if (v && typeof v.type === 'string') walk(v);
        }
    };
    walk(fn.body);
    return out;
}

/**
 * true when node is developer text: an argument of console.*, of new SomethingError()
 * (but the NEW_CALLS ones) or of a message id function, an import/export specifier, an
 * object key.
 */
function isDeveloperText(node) {
    const text = stringValue(node);
    if (text !== null && DOM_KEY_NAMES.has(text)) return true;
    const up = node.parent;
    if (up.type === 'BinaryExpression' && /^[!=]==?$/.test(up.operator)) return true;
    if (up.type === 'SwitchCase' && up.test === node) return true;
    if (up.type === 'Property' && up.value === node && NAME_KEYS.has(keyName(up.key))) return true;
    if (up.type === 'CallExpression' && up.callee.type === 'MemberExpression'
        && (/Header$/.test(keyName(up.callee.property) || '') || lastName(up.callee.object) === 'headers')) return true;
    for (let child = node, p = node.parent; p; child = p, p = p.parent) {
        if ((p.type === 'ImportDeclaration' || p.type === 'ExportNamedDeclaration' || p.type === 'ExportAllDeclaration'
            || p.type === 'ImportExpression') && p.source === child) return true;
        if ((p.type === 'Property' || p.type === 'MethodDefinition' || p.type === 'PropertyDefinition') && p.key === child) return true;
        if ((p.type === 'CallExpression' || p.type === 'NewExpression') && p.arguments.includes(child)) {
            const callee = p.callee;
            const name = callee.type === 'Identifier' ? callee.name : null;
            if (p.type === 'NewExpression' && name && /Error$/.test(name) && !Object.hasOwn(NEW_CALLS, name)) return true;
            if (p.type === 'CallExpression' && name && ID_FUNCTIONS.has(name)) return true;
            if (callee.type === 'MemberExpression' && lastName(callee.object) === 'console') return true;
        }
        if (isFunction(p)) return false;
    }
    return false;
}

const rule = {
    meta: {
        type: 'problem',
        docs: { description: 'user-visible text must come from the message catalogue (t())' },
        schema: [{
            type: 'object',
            properties: {
                validatorFiles: { type: 'array', items: { type: 'string' } },
                builders: { type: 'array', items: { type: 'string' } },
            },
            additionalProperties: false,
        }],
        messages: {
            literal: 'User-visible text {{text}} ({{sink}}): put it in the catalogues (web/i18n/*.js) and use t(\'<id>\')',
            ignoreReason: 'i18n-ignore needs a reason: // i18n-ignore <why this text is not translated>',
            ignoreUnused: 'This i18n-ignore silences no user-visible literal on its line: remove it',
        },
    },

    create(context) {
        const opts = context.options[0] || {};
        const filename = (context.filename || '').replace(/\\/g, '/');
        const validatorFile = (opts.validatorFiles || DEFAULT_VALIDATOR_FILES)
            .some((re) => new RegExp(re).test(filename));
        const builders = new Set(opts.builders || DEFAULT_BUILDERS);
        const sourceCode = context.sourceCode;

        // i18n-ignore comments by line.
        const ignores = new Map();
        for (const c of sourceCode.getAllComments()) {
            const m = IGNORE.exec(c.value);
            if (!m) continue;
            const entry = { comment: c, reason: m[1].trim(), used: false };
            ignores.set(c.loc.start.line, entry);
            if (!entry.reason) context.report({ loc: c.loc, messageId: 'ignoreReason' });
        }

        const reported = new Set();
        const candidates = [];
        const calls = [];
        // Parameters that reach a sink: function node -> "index|key" -> sink.
        const paramSinks = new Map();
        let newParamSink = false;

        function report(node, sink) {
            if (reported.has(node)) return;
            reported.add(node);
            const ignore = ignores.get(node.loc.start.line) || ignores.get(node.loc.end.line);
            if (ignore) {
                ignore.used = true;
                if (ignore.reason) return;
            }
            const raw = sourceCode.getText(node);
            const text = raw.length > 60 ? `${raw.slice(0, 57)}...` : raw;
            context.report({ node, messageId: 'literal', data: { text, sink } });
        }

        function findVariable(node) {
            for (let scope = sourceCode.getScope(node); scope; scope = scope.upper) {
                const v = scope.set.get(node.name);
                if (v) return v;
            }
            return null;
        }

        /** Follows expr to the literals it can evaluate to; reports those with letters. */
        function follow(expr, sink, seen = new Set()) {
            if (!expr) return;
            switch (expr.type) {
            case 'Literal':
                if (typeof expr.value === 'string' && LETTER.test(expr.value) && !isToken(expr.value, sink)) report(expr, sink);
                return;
            case 'TemplateLiteral': {
                const text = expr.quasis.map((q) => q.value.cooked ?? q.value.raw).join('');
                if (isToken(text, sink)) return; // a machine value built from parts (`hosts.${i}.mac`)
                if (LETTER.test(text)) report(expr, sink);
                else expr.expressions.forEach((e) => follow(e, sink, seen));
                return;
            }
            case 'ConditionalExpression':
                follow(expr.consequent, sink, seen);
                follow(expr.alternate, sink, seen);
                return;
            case 'LogicalExpression':
                follow(expr.left, sink, seen);
                follow(expr.right, sink, seen);
                return;
            case 'BinaryExpression':
                if (expr.operator === '+') {
                    follow(expr.left, sink, seen);
                    follow(expr.right, sink, seen);
                }
                return;
            case 'ArrayExpression':
                expr.elements.forEach((e) => follow(e, sink, seen));
                return;
            case 'SpreadElement':
                follow(expr.argument, sink, seen);
                return;
            case 'SequenceExpression':
                follow(expr.expressions[expr.expressions.length - 1], sink, seen);
                return;
            case 'AssignmentExpression':
                follow(expr.right, sink, seen);
                return;
            case 'Identifier':
                followName(expr, sink, seen);
                return;
            default:
                // Calls (t(), format...), members, objects, functions: not a literal here.
            }
        }

        function followName(id, sink, seen) {
            const v = findVariable(id);
            if (!v || seen.has(v)) return;
            seen.add(v);
            for (const def of v.defs) {
                if (def.type !== 'Parameter') continue;
                const p = def.name.parent;
                if (p?.type === 'AssignmentPattern' && p.left === def.name) follow(p.right, sink, seen);
                addParamSink(def, sink);
            }
            // Writes of the name itself (not of a destructuring pattern, not a for-of
            // variable): `const x = ...`, `x = ...`.
            for (const ref of v.references) {
                if (!ref.isWrite()) continue;
                const p = ref.identifier.parent;
                if (p.type === 'VariableDeclarator' && p.id === ref.identifier) follow(p.init, sink, seen);
                else if (p.type === 'AssignmentExpression' && p.left === ref.identifier) follow(p.right, sink, seen);
            }
        }

        /** Records that parameter def of its function reaches sink (positional or {key}). */
        function addParamSink(def, sink) {
            const fn = def.node;
            if (!isFunction(fn)) return;
            let n = def.name;
            let key = '';
            if (n.parent.type === 'AssignmentPattern' && n.parent.left === n) n = n.parent;
            if (n.parent.type === 'Property' && n.parent.value === n && n.parent.parent.type === 'ObjectPattern') {
                key = keyName(n.parent.key) ?? '';
                n = n.parent.parent;
                if (n.parent.type === 'AssignmentPattern' && n.parent.left === n) n = n.parent;
            }
            const index = fn.params.indexOf(n);
            if (index < 0) return;
            if (!paramSinks.has(fn)) paramSinks.set(fn, new Map());
            const sinks = paramSinks.get(fn);
            const slot = `${index}|${key}`;
            if (sinks.has(slot)) return;
            sinks.set(slot, sink);
            newParamSink = true;
        }

        /** The function a call of the same file calls: f(), this.m(), this.#m(). */
        function calledFunction(callee) {
            if (callee.type === 'Identifier') {
                const v = findVariable(callee);
                const def = v?.defs[0];
                if (def?.type === 'FunctionName') return def.node;
                if (def?.type === 'Variable' && isFunction(def.node.init)) return def.node.init;
                return null;
            }
            if (callee.type === 'MemberExpression' && callee.object.type === 'ThisExpression' && !callee.computed) {
                const name = keyName(callee.property);
                let p = callee.parent;
                while (p && p.type !== 'ClassBody') p = p.parent;
                const m = p?.body.find((d) => d.type === 'MethodDefinition' && !d.computed && keyName(d.key) === name
                    && d.key.type === callee.property.type);
                return m ? m.value : null;
            }
            return null;
        }

        /** A value under a text key: a function is followed into its returns. */
        function followValue(value, sink) {
            if (isFunction(value)) returnsOf(value).forEach((r) => follow(r, sink));
            else follow(value, sink);
        }

        /** Every value of a constant table of text ({idle: 'Offline', ...} or [...]). */
        function followTable(init, sink) {
            if (init?.type === 'ObjectExpression') {
                for (const p of init.properties) {
                    if (p.type === 'Property') followTable(p.value, sink);
                    else follow(p, sink);
                }
            } else if (init?.type === 'ArrayExpression') {
                init.elements.forEach((e) => followTable(e, sink));
            } else {
                followValue(init, sink);
            }
        }

        /** An argument of a shared helper, by its kind (see CALLS). */
        function followArg(arg, kind, sink) {
            if (!arg) return;
            if (kind === 'text') {
                follow(arg, sink);
            } else if (kind === 'values' && arg.type === 'ObjectExpression') {
                for (const p of arg.properties) if (p.type === 'Property') follow(p.value, MESSAGE_SINK);
            } else if (kind === 'options') {
                // [[value, label], ...]: the labels, but a label that is the value itself
                // (['qcow2', 'qcow2']); a lone value is shown as it is.
                const pairs = arg.type === 'ArrayExpression' ? arg.elements : [];
                for (const e of pairs) {
                    if (e?.type !== 'ArrayExpression') continue;
                    const [value, label] = e.elements;
                    if (stringValue(label) === null || stringValue(label) !== stringValue(value)) follow(label, `${sink} option label`);
                }
                if (arg.type === 'ConditionalExpression') {
                    followArg(arg.consequent, kind, sink);
                    followArg(arg.alternate, kind, sink);
                }
            }
        }

        function isBuilder(callee) {
            if (callee.type !== 'Identifier' || !builders.has(callee.name)) return false;
            const v = findVariable(callee);
            // An import (from views/dom.js) or the definition itself; not a local h.
            return !v || v.defs.some((d) => d.type === 'ImportBinding' || d.type === 'FunctionName');
        }

        function checkProps(props, sink, keys) {
            if (props?.type !== 'ObjectExpression') return;
            for (const p of props.properties) {
                if (p.type !== 'Property' || p.computed) continue;
                if (keys.has(keyName(p.key))) follow(p.value, `${sink} prop ${keyName(p.key)}`);
            }
        }

        function onCall(node) {
            calls.push(node);
            const { callee, arguments: args } = node;
            if (isBuilder(callee)) {
                checkProps(args[1], `${callee.name}()`, H_PROPS);
                args.slice(2).forEach((a) => follow(a, `${callee.name}() child`));
                return;
            }
            const member = callee.type === 'MemberExpression';
            const name = member ? (callee.computed ? null : keyName(callee.property)) : (callee.type === 'Identifier' ? callee.name : null);
            if (name === null) return;
            const objName = member ? lastName(callee.object) : null;
            if (objName === 'console') return;

            if (member && name === 'setAttribute' && TEXT_ATTRS.has(stringValue(args[0]))) {
                follow(args[1], `setAttribute('${stringValue(args[0])}')`);
            } else if (!member && name === 'setAttr' && TEXT_ATTRS.has(stringValue(args[1]))) {
                follow(args[2], `setAttr('${stringValue(args[1])}')`);
            } else if (member && DOM_TEXT_METHODS.has(name)) {
                args.forEach((a) => follow(a, `${name}()`));
            } else if (!member && name === 'replaceChildren') {
                args.slice(1).forEach((a) => follow(a, 'replaceChildren()'));
            } else if (member && NOTIFY_METHODS.has(name) && NOTIFY_OBJECT.test(objName || '')) {
                follow(args[0], `${objName}.${name}()`);
            } else if (member && name === 'show' && BOX_OBJECT.test(objName || '')) {
                follow(args[0], `${objName}.show()`);
            } else if (Object.hasOwn(CALLS, name) && (!member || objName === 'window')) {
                for (const [i, kind] of Object.entries(CALLS[name])) followArg(args[i], kind, `${name}() argument ${Number(i) + 1}`);
            } else if (!member && VALIDATOR_CALL.test(name)) {
                // A validator of forms.js: objectNameError(v, 'network name') puts `what` into its message.
                args.slice(1).forEach((a) => follow(a, MESSAGE_SINK));
            }
        }

        /** Calls of functions of this file whose parameters reach a sink, until no new one. */
        function followParamSinks() {
            const done = new Set();
            for (let round = 0; round < 20; round++) {
                newParamSink = false;
                for (const call of calls) {
                    const fn = calledFunction(call.callee);
                    const sinks = fn && paramSinks.get(fn);
                    if (!sinks) continue;
                    for (const [slot, sink] of sinks) {
                        const seenKey = `${call.range[0]}|${slot}`;
                        if (done.has(seenKey)) continue;
                        done.add(seenKey);
                        const [index, key] = slot.split('|');
                        const arg = call.arguments[Number(index)];
                        const via = `${sink}, through argument ${Number(index) + 1}${key ? ` {${key}}` : ''}`;
                        if (!key) follow(arg, via);
                        else if (arg?.type === 'ObjectExpression') {
                            const p = arg.properties.find((q) => q.type === 'Property' && !q.computed && keyName(q.key) === key);
                            if (p) follow(p.value, via);
                        }
                    }
                }
                if (!newParamSink) return;
            }
        }

        return {
            CallExpression: onCall,
            NewExpression(node) {
                const name = node.callee.type === 'Identifier' ? node.callee.name : null;
                if (!name || !Object.hasOwn(NEW_CALLS, name)) return;
                for (const [i, kind] of Object.entries(NEW_CALLS[name])) followArg(node.arguments[i], kind, `new ${name}() argument ${Number(i) + 1}`);
            },
            AssignmentExpression(node) {
                const left = node.left;
                if (left.type !== 'MemberExpression') return;
                const prop = left.computed ? stringValue(left.property) : keyName(left.property);
                if (TEXT_PROPS.has(prop)) follow(node.right, `.${prop} =`);
                else if (ERRORS_OBJECT.test(lastName(left.object) || '')) follow(node.right, MESSAGE_SINK);
            },
            Property(node) {
                if (node.parent.type !== 'ObjectExpression' || node.computed) return;
                const name = keyName(node.key);
                if (!isUiKey(name)) return;
                // h()/s() props are checked with H_PROPS (class, value, ... are not text).
                const call = node.parent.parent;
                if (call?.type === 'CallExpression' && call.arguments[1] === node.parent && isBuilder(call.callee)) return;
                followValue(node.value, `key ${name}`);
            },
            MethodDefinition(node) {
                const name = keyName(node.key);
                if (!node.computed && isUiKey(name)) followValue(node.value, `method ${name}()`);
            },
            FunctionDeclaration(node) {
                const name = node.id?.name ?? null;
                if (isUiKey(name) || TEXT_FUNCTION.test(name || '')) followValue(node, `${name}() result`);
            },
            VariableDeclarator(node) {
                if (node.id.type !== 'Identifier' || !node.init) return;
                const name = node.id.name;
                if (TABLE_NAME.test(name)) followTable(node.init, `table ${name}`);
                else if (isFunction(node.init) && (isUiKey(name) || TEXT_FUNCTION.test(name))) followValue(node.init, `${name}() result`);
            },
            ReturnStatement(node) {
                if (validatorFile && node.argument) follow(node.argument, MESSAGE_SINK);
            },
            ArrowFunctionExpression(node) {
                if (validatorFile && node.body.type !== 'BlockStatement') follow(node.body, MESSAGE_SINK);
            },
            Literal(node) {
                if (typeof node.value === 'string') candidates.push(node);
            },
            TemplateLiteral(node) {
                candidates.push(node);
            },
            'Program:exit'() {
                followParamSinks();
                const insideReported = (node) => {
                    for (let p = node.parent; p && !isFunction(p); p = p.parent) if (reported.has(p)) return true;
                    return false;
                };
                for (const node of candidates) {
                    if (reported.has(node) || insideReported(node)) continue;
                    const text = node.type === 'Literal' ? node.value : node.quasis.map((q) => q.value.cooked ?? '').join('{}');
                    if ((SENTENCE.test(text) || WORD.test(text)) && !isDeveloperText(node)) report(node, 'reads as a phrase');
                }
                for (const entry of ignores.values()) {
                    if (entry.reason && !entry.used) context.report({ loc: entry.comment.loc, messageId: 'ignoreUnused' });
                }
            },
        };
    },
};

export default {
    meta: { name: 'eslint-plugin-virtdeck' },
    rules: { 'no-literal-ui-string': rule },
};
