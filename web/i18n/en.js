// i18n/en.js — the English catalogue: message id -> text, or {one, other} for plural
// forms (see js/i18n.js). Every id here is in every other catalogue too (`make lint`
// checks). Keep each area's ids in its section, sorted.

export default {
    // ---- common: language names, shared words ----
    'language.label': 'Language',

    // ---- shell: app, navigation, login, user menu, banner, notifications, errors ----

    // ---- domains: VM list, detail, host, actions, consoles ----

    // ---- resources: networks, storage, VM devices, forms ----

    // ---- names: VM title/description editor, upload names ----
};
