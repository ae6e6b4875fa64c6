// SPDX-License-Identifier: LGPL-2.1-or-later
// views/serial-view.js — a VM's serial console (xterm.js through serial.js) in the
// shared console frame: state line, Reconnect / Disconnect, full screen, "Open in new
// tab" (in the detail page's tab). The terminal and its scrollback survive reconnects.
// xterm.js is loaded on the first connect. Browser main thread.

import { importGraph } from './dom.js';
import { ConsoleSessionView } from './console-common.js';
import { serialHash } from '../router.js';
import { isActive } from '../domains.js';
import { consoleUrl } from '../console-status.js';
import { t } from '../i18n.js';

export class SerialView extends ConsoleSessionView {
    get serial() {
        return this.session;
    }

    get loadFailMessage() {
        return t('domains.console.serial.load-failed');
    }

    frameOptions() {
        return {
            kind: 'serial',
            label: this.name ? t('domains.console.serial.label', { name: this.name }) : t('domains.console.serial.label-unnamed'),
            hint: t('domains.console.serial.hint'),
            newTabHref: this.page ? null : serialHash(this.uuid),
            page: this.page,
            onReconnect: () => this.connect(),
            onDisconnect: () => this.serial?.disconnect(),
        };
    }

    loadModule() {
        return importGraph(() => import('../serial.js'));
    }

    createSession(mod) {
        return new mod.SerialConsole(this.frame.screen, consoleUrl(window.location, this.uuid, 'serial'),
            { onLeave: () => this.frame.leave() });
    }

    /** A paused VM's serial console still works. */
    usable(domain) {
        return isActive(domain.state);
    }

    /** Leaves the tab: closes the socket quietly; the terminal keeps its text. */
    suspend() {
        if (this.serial && this.serial.state !== 'idle') {
            this.serial.disconnect();
        }
    }
}
