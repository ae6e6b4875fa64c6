// i18n/zh-CN.js — the Simplified Chinese catalogue: message id -> text (Chinese has one
// plural form, `other`; see js/i18n.js). It has exactly the ids of en.js (`make lint`
// checks). Keep each area's ids in its section, sorted.

export default {
    // ---- common: language names, shared words ----
    'language.label': '语言',

    // ---- shell: app, navigation, login, user menu, banner, notifications, errors ----

    // ---- domains: VM list, detail, host, actions, consoles ----

    // ---- resources: networks, storage, VM devices, forms ----

    // ---- names: VM title/description editor, upload names ----
};
