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
    'names.about.bytes': '已用 {used} / {max} 字节',
    'names.about.cancel': '取消',
    'names.about.description': '描述',
    'names.about.description.control': '描述可以包含换行符和制表符，但不能包含其他控制字符。',
    'names.about.description.hint': '可以输入多行。最多 {max} 字节，一个汉字占 3 字节。',
    'names.about.description.invalid': '描述中含有无法保存的字符（U+FFFE、U+FFFF 或残缺字符）。',
    'names.about.description.too_long': '描述超过了 {max} 字节。',
    'names.about.edit': '编辑',
    'names.about.heading': '标题和描述',
    'names.about.no_description': '无描述。',
    'names.about.no_title': '无标题。',
    'names.about.save': '保存',
    'names.about.save_failed': '保存失败：{message}',
    'names.about.saved': '标题和描述已保存。',
    'names.about.title': '标题',
    'names.about.title.control': '标题必须是单行文字，不能包含制表符或其他控制字符。',
    'names.about.title.hint': '单行文字。最多 {max} 字节，一个汉字占 3 字节。',
    'names.about.title.invalid': '标题中含有无法保存的字符（U+FFFE、U+FFFF 或残缺字符）。',
    'names.about.title.too_long': '标题超过了 {max} 字节。',
    'names.about.viewer': '只有操作员和管理员可以修改标题和描述。',
    'names.volume_name.control': '名称不能包含控制字符，例如制表符或换行符。',
    'names.volume_name.dash': '名称不能以“-”开头。',
    'names.volume_name.dots': '名称不能是“.”或“..”。',
    'names.volume_name.nonchar': '名称不能包含字符 U+FFFE 或 U+FFFF。',
    'names.volume_name.not_utf8': '名称中含有残缺字符（不是有效的 Unicode）。',
    'names.volume_name.slash': '名称不能包含“/”。',
    'names.volume_name.space': '名称的开头和结尾不能是空格。',
};
