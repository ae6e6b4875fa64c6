// SPDX-License-Identifier: LGPL-2.1-or-later
// csp-styles.js — lets third-party code that writes styles from script (xterm.js's DOM
// renderer) work under the page's CSP (style-src 'self', no 'unsafe-inline') without
// loosening it. The CSP refuses <style> elements and style attributes; it does not
// govern CSSOM (element.style, constructed style sheets). So, once installed:
//   - document.createElement('style') returns a <virtdeck-style> element (hidden by
//     app.css) whose text is mirrored into a constructed CSSStyleSheet, adopted by its
//     document (or shadow root) while the element is connected;
//   - setting an element's style attribute with setAttribute goes through
//     element.style.cssText instead.
// Only calls from script are bridged: markup that reaches the page (which the UI never
// builds from strings anyway) still meets the full CSP. Browser main thread; installed
// by serial.js before xterm.js runs.

const TAG = 'virtdeck-style';
const textContent = Object.getOwnPropertyDescriptor(Node.prototype, 'textContent');

class ScriptStyle extends HTMLElement {
    #sheet = new CSSStyleSheet();
    #text = '';
    #root = null;

    constructor() {
        super();
        new MutationObserver(() => this.#update())
            .observe(this, { childList: true, characterData: true, subtree: true });
    }

    get textContent() {
        return textContent.get.call(this);
    }

    set textContent(value) {
        textContent.set.call(this, value);
        this.#update();
    }

    /** The constructed sheet standing in for a <style>'s sheet. */
    get sheet() {
        return this.#sheet;
    }

    connectedCallback() {
        this.#update();
        const root = this.getRootNode();
        if (root && 'adoptedStyleSheets' in root && !root.adoptedStyleSheets.includes(this.#sheet)) {
            root.adoptedStyleSheets = [...root.adoptedStyleSheets, this.#sheet];
            this.#root = root;
        }
    }

    disconnectedCallback() {
        if (!this.#root) return;
        this.#root.adoptedStyleSheets = this.#root.adoptedStyleSheets.filter((s) => s !== this.#sheet);
        this.#root = null;
    }

    #update() {
        const text = textContent.get.call(this) || '';
        if (text === this.#text) return;
        this.#text = text;
        try {
            this.#sheet.replaceSync(text);
        } catch { /* rules the parser refuses are dropped, as in a <style> */ }
    }
}

let installed = false;

/** Installs the bridge on doc (once per page). */
export function installCspStyles(doc = document) {
    if (installed) return;
    installed = true;
    if (!customElements.get(TAG)) customElements.define(TAG, ScriptStyle);

    const createElement = doc.createElement;
    doc.createElement = function virtdeckCreateElement(name, options) {
        if (typeof name === 'string' && name.toLowerCase() === 'style') return createElement.call(this, TAG);
        return createElement.call(this, name, options);
    };

    const setAttribute = Element.prototype.setAttribute;
    Element.prototype.setAttribute = function virtdeckSetAttribute(name, value) {
        if (typeof name === 'string' && name.toLowerCase() === 'style' && this.style instanceof CSSStyleDeclaration) {
            this.style.cssText = String(value);
            return;
        }
        setAttribute.call(this, name, value);
    };
}
