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
    'names.about.bytes': '{used} of {max} bytes',
    'names.about.cancel': 'Cancel',
    'names.about.description': 'Description',
    'names.about.description.control': 'The description may have line breaks and tabs, but no other control characters.',
    'names.about.description.hint': 'Several lines are fine. At most {max} bytes: a Chinese character takes 3.',
    'names.about.description.invalid': 'The description holds characters that cannot be saved (U+FFFE, U+FFFF or a broken character).',
    'names.about.description.too_long': 'The description is longer than {max} bytes.',
    'names.about.edit': 'Edit',
    'names.about.heading': 'Title and description',
    'names.about.no_description': 'No description.',
    'names.about.no_title': 'No title.',
    'names.about.save': 'Save',
    'names.about.save_failed': 'Could not save: {message}',
    'names.about.saved': 'Title and description saved.',
    'names.about.title': 'Title',
    'names.about.title.control': 'The title must be one line, without tabs or other control characters.',
    'names.about.title.hint': 'One line. At most {max} bytes: a Chinese character takes 3.',
    'names.about.title.invalid': 'The title holds characters that cannot be saved (U+FFFE, U+FFFF or a broken character).',
    'names.about.title.too_long': 'The title is longer than {max} bytes.',
    'names.about.viewer': 'Only operators and administrators can change the title and description.',
    'names.volume_name.control': 'The name may not have control characters, such as tabs or line breaks.',
    'names.volume_name.dash': 'The name may not start with "-".',
    'names.volume_name.dots': 'The name may not be "." or "..".',
    'names.volume_name.nonchar': 'The name may not have the characters U+FFFE or U+FFFF.',
    'names.volume_name.not_utf8': 'The name holds a broken character (not valid Unicode).',
    'names.volume_name.slash': 'The name may not have a "/".',
    'names.volume_name.space': 'The name may not start or end with a space.',
};
