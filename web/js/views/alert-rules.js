// SPDX-License-Identifier: LGPL-2.1-or-later
// views/alert-rules.js — the admins' "Alert rules" page (#/alerts, from the user menu):
// the rules in force (name, metric, condition, duration, scope, where from) with Delete
// for those made here (a config file's rule is read-only), and "Add rule" (a dialog:
// name, metric, condition and threshold, duration, scope: all VMs, one VM, the host,
// a pool). The server checks the rule and names a bad field (docs/api.md "Alerts").
// Browser main thread.

import { h } from './dom.js';
import { field, formDialog, placeServerError, reportError, selectInput, showErrors, textInput } from './form-kit.js';
import { actionsCell, actionsLabel, cell, listCard, renderTable, rowButton, rowLabel, loadNewest } from './resource-table.js';
import { t } from '../i18n.js';

/** The metrics a rule may watch, in the order the form offers them. */
export const ALERT_METRICS = [
    'vm_cpu_percent', 'vm_memory_used_percent', 'vm_disk_rd_bps', 'vm_disk_wr_bps', 'vm_net_rx_bps',
    'vm_net_tx_bps', 'host_cpu_percent', 'host_memory_free_percent', 'pool_used_percent', 'vm_crashed',
    'vm_stopped_unexpectedly', 'libvirt_unreachable',
];
const EVENT_METRICS = new Set(['vm_crashed', 'vm_stopped_unexpectedly', 'libvirt_unreachable']);

/** What a metric's scope names: "vm", "host" or "pool". */
export function metricSubject(metric) {
    if (metric.startsWith('host_') || metric === 'libvirt_unreachable') return 'host';
    if (metric === 'pool_used_percent') return 'pool';
    return 'vm';
}

/** The rule's POST body from the form's values (scopeWhich: "all" or "one"). */
export function ruleBody({ name, metric, op, threshold, forSeconds, scopeWhich, scopeValue }) {
    const body = { name: name.trim(), metric, for_seconds: Number(forSeconds) || 0 };
    if (!EVENT_METRICS.has(metric)) {
        body.op = op;
        body.threshold = Number(threshold);
    }
    const kind = metricSubject(metric);
    body.scope = kind === 'host' ? 'host' : scopeWhich === 'one' ? scopeValue.trim() : 'all';
    return body;
}

function condition(rule) {
    return rule.op ? `${rule.op} ${rule.threshold}` : t('alert-rules.event');
}

export class AlertRulesView {
    /** ctx: {api, store, notify, confirm}. */
    constructor(ctx) {
        this.ctx = ctx;
        this.items = [];
        this.loadSeq = 0;
    }

    mount(container) {
        this.title = h('h1', { id: 'page-title', class: 'page-title', tabindex: '-1', text: t('alert-rules.title') });
        const add = h('button', {
            type: 'button', class: 'btn btn-primary', id: 'alert-rule-add', text: t('alert-rules.add'),
            on: { click: () => this.#add() },
        });
        this.list = listCard({ title: t('alert-rules.list-title'), labelledBy: 'page-title' });
        this.root = h('div', { class: ['page', 'page-alert-rules'] },
            h('div', { class: 'page-head' }, this.title, h('div', { class: 'toolbar' }, add)),
            this.list.root);
        this.list.body.addEventListener('click', (ev) => {
            const btn = ev.target.closest('button[data-action="delete"]');
            if (btn) this.#delete(btn.dataset.id);
        });
        container.replaceChildren(this.root);
        this.load();
    }

    destroy() {
        this.loadSeq++;
        this.root?.remove();
    }

    load() {
        return loadNewest(this, () => this.ctx.api.alertRules(), (r) => {
            this.items = Array.isArray(r.rules) ? r.rules : [];
            this.#render();
        }, t('alert-rules.load-failed'));
    }

    #render() {
        const c = {
            name: t('alert-rules.column.name'), metric: t('alert-rules.column.metric'),
            condition: t('alert-rules.column.condition'), duration: t('alert-rules.column.duration'),
            scope: t('alert-rules.column.scope'), source: t('alert-rules.column.source'),
        };
        this.list.count.textContent = t('alert-rules.count', { count: this.items.length });
        renderTable(this.list.body, {
            items: this.items,
            empty: t('alert-rules.empty'),
            caption: t('alert-rules.caption'),
            columns: [c.name, c.metric, c.condition, c.duration, c.scope, c.source, actionsLabel()],
            row: (rule) => h('tr', { dataset: { id: rule.id } },
                cell(c.name, {}, h('strong', { text: rule.name })),
                cell(c.metric, { text: rule.metric }),
                cell(c.condition, { text: condition(rule) }),
                cell(c.duration, { text: t('alert-rules.seconds', { count: rule.for_seconds }) }),
                cell(c.scope, { text: rule.scope }),
                cell(c.source, { text: rule.source === 'config' ? t('alert-rules.source.config') : t('alert-rules.source.api') }),
                actionsCell(rule.name, rule.source === 'config' ? null : this.#deleteButton(rule))),
        });
    }

    #deleteButton(rule) {
        const btn = rowButton('id', rule.id, 'delete', t('alert-rules.delete'), true);
        btn.setAttribute('aria-label', rowLabel(t('alert-rules.delete'), rule.name));
        return btn;
    }

    async #add() {
        const name = textInput({ id: 'alert-rule-name', maxlength: 128, autocomplete: 'off' });
        const metric = selectInput(ALERT_METRICS.map((m) => [m, m]), { id: 'alert-rule-metric' });
        const op = selectInput([['>', '>'], ['<', '<']], { id: 'alert-rule-op' });
        const threshold = textInput({ id: 'alert-rule-threshold', inputmode: 'decimal', autocomplete: 'off' });
        const forSeconds = textInput({ id: 'alert-rule-for', inputmode: 'numeric', autocomplete: 'off' });
        forSeconds.value = '0';
        const scopeWhich = selectInput([['all', t('alert-rules.scope.all')], ['one', t('alert-rules.scope.one')]],
            { id: 'alert-rule-scope-which' });
        const scopeValue = textInput({ id: 'alert-rule-scope', autocomplete: 'off' });
        const fields = [
            field({ label: t('alert-rules.field.name'), control: name, key: 'name' }),
            field({ label: t('alert-rules.field.metric'), control: metric, key: 'metric' }),
            field({ label: t('alert-rules.field.op'), control: op, key: 'op' }),
            field({ label: t('alert-rules.field.threshold'), control: threshold, key: 'threshold' }),
            field({ label: t('alert-rules.field.for'), control: forSeconds, key: 'for_seconds' }),
            field({ label: t('alert-rules.field.scope-which'), control: scopeWhich, key: 'scope_which' }),
            field({ label: t('alert-rules.field.scope'), control: scopeValue, hint: t('alert-rules.field.scope.hint'), key: 'scope' }),
        ];
        let made = null;
        await formDialog({
            title: t('alert-rules.add.title'),
            body: fields.map((f) => f.root),
            submitLabel: t('alert-rules.add.submit'),
            onSubmit: async () => {
                const errors = name.value.trim() ? {} : { name: t('alert-rules.field.name.required') };
                if (showErrors(fields, errors)) return false;
                const body = ruleBody({
                    name: name.value, metric: metric.value, op: op.value, threshold: threshold.value,
                    forSeconds: forSeconds.value, scopeWhich: scopeWhich.value, scopeValue: scopeValue.value,
                });
                try {
                    made = await this.ctx.api.createAlertRule(body);
                } catch (err) {
                    if (placeServerError(fields, err)) return false;
                    throw err;
                }
                return true;
            },
        });
        if (made) this.load();
    }

    async #delete(id) {
        const rule = this.items.find((x) => x.id === id);
        if (!rule) return;
        const ok = await this.ctx.confirm({
            title: t('alert-rules.delete.title', { name: rule.name }),
            message: t('alert-rules.delete.message'),
            confirmLabel: t('alert-rules.delete'),
            danger: true,
        });
        if (!ok) return;
        try {
            await this.ctx.api.deleteAlertRule(id);
        } catch (err) {
            reportError(this.ctx.notify, t('alert-rules.delete-failed', { name: rule.name }), err);
        }
        this.load();
    }
}
