/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_utf8_name: server/util/utf8_name.c — the name rule of volume names, VM titles and
 * descriptions: any script (Chinese, emoji, combining marks, right-to-left) passes byte
 * for byte; invalid UTF-8, overlong forms, surrogates, code points above U+10FFFF,
 * controls, U+FFFE/U+FFFF, '/', "." and "..", a leading '-' and white space at the ends
 * of a file name are refused; the bounds are in bytes (255/256, 1024/1025, 4096/4097);
 * the first fault in enum order wins; clipping never splits a character. Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/utf8_name.h"

static enum utf8_name_fault check(const char *s, enum utf8_name_kind kind)
{
    return utf8_name_check(s, strlen(s), kind);
}

#define FILE_OK(s)        assert_int_equal(check((s), UTF8_NAME_FILE), UTF8_NAME_OK)
#define FILE_BAD(s, want) assert_int_equal(check((s), UTF8_NAME_FILE), (want))

/* n copies of unit (a whole character) into out, NUL-terminated. */
static char *repeat(char *out, const char *unit, size_t n)
{
    size_t len = strlen(unit);

    for (size_t i = 0; i < n; i++)
        memcpy(out + i * len, unit, len);
    out[n * len] = '\0';
    return out;
}

static void test_any_script(void **state)
{
    FILE_OK("中文系统安装盘.iso");
    FILE_OK("日本語のディスク.qcow2");
    FILE_OK("\xF0\x9F\x92\xBF disc \xF0\x9F\x98\x80.img"); /* 💿 😀: four-byte sequences */
    FILE_OK("Cafe\xCC\x81.img");                           /* e + U+0301 COMBINING ACUTE */
    FILE_OK("\xD9\x82\xD8\xB1\xD8\xB5.iso");               /* Arabic, right to left */
    FILE_OK("\xD7\x93\xD7\x99\xD7\xA1\xD7\xA7.iso");       /* Hebrew */
    FILE_OK("\xE2\x80\xAE"
            "gpj.exe");    /* U+202E is a format character */
    FILE_OK("a b  c.iso"); /* spaces inside are fine */
    FILE_OK(".hidden");
    FILE_OK("...");
    FILE_OK("+x");
    FILE_OK("back\\slash:colon*star?.img");
    FILE_OK("x");
    assert_true(utf8_name_file_valid("中文系统安装盘.iso"));
    assert_false(utf8_name_file_valid(NULL));
}

static void test_invalid_utf8(void **state)
{
    static const char *const bad[] = {
        "\x80x",            /* a lone continuation byte */
        "x\xC3",            /* truncated two-byte sequence */
        "\xE4\xB8x",        /* truncated three-byte sequence */
        "\xC0\xAF",         /* overlong '/' */
        "\xC1\xBF",         /* overlong */
        "\xE0\x80\xAF",     /* overlong '/', three bytes */
        "\xF0\x80\x80\xAF", /* overlong '/', four bytes */
        "\xED\xA0\x80",     /* U+D800, a surrogate */
        "\xED\xBF\xBF",     /* U+DFFF */
        "\xF4\x90\x80\x80", /* U+110000 */
        "\xF5\x80\x80\x80", /* no such lead byte */
        "\xFE",
        "\xFF",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(check(bad[i], UTF8_NAME_FILE), UTF8_NAME_NOT_UTF8);
        assert_int_equal(check(bad[i], UTF8_NAME_TITLE), UTF8_NAME_NOT_UTF8);
        assert_int_equal(check(bad[i], UTF8_NAME_DESCRIPTION), UTF8_NAME_NOT_UTF8);
    }
    /* the edges that are valid */
    FILE_OK("\xED\x9F\xBF");     /* U+D7FF */
    FILE_OK("\xEE\x80\x80");     /* U+E000 */
    FILE_OK("\xF4\x8F\xBF\xBD"); /* U+10FFFD */
    FILE_OK("x\xC2\xA0x");       /* U+00A0 inside */
}

static void test_decode(void **state)
{
    uint32_t cp = 0;

    assert_int_equal(utf8_name_decode((const unsigned char *)"A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(utf8_name_decode((const unsigned char *)"中", 3, &cp), 3);
    assert_int_equal(cp, 0x4e2d);
    assert_int_equal(utf8_name_decode((const unsigned char *)"\xF0\x9F\x92\xBF", 4, &cp), 4);
    assert_int_equal(cp, 0x1f4bf);
    assert_int_equal(utf8_name_decode((const unsigned char *)"\xF0\x9F\x92\xBF", 3, &cp), 0);
    assert_int_equal(utf8_name_decode((const unsigned char *)"\xC0\x80", 2, &cp), 0);
}

static void test_controls(void **state)
{
    static const char *const bad[] = {"a\x01",
                                      "\x1f",
                                      "a\x7f"
                                      "b",
                                      "a\xC2\x80",
                                      "a\xC2\x85",
                                      "a\xC2\x9F",
                                      "a\tb",
                                      "a\nb",
                                      "a\rb",
                                      "\x1b[31m"};
    char nul[] = {'a', '\0', 'b'};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        FILE_BAD(bad[i], UTF8_NAME_CONTROL);
        assert_int_equal(check(bad[i], UTF8_NAME_TITLE), UTF8_NAME_CONTROL);
    }
    assert_int_equal(utf8_name_check(nul, sizeof(nul), UTF8_NAME_FILE), UTF8_NAME_CONTROL);
    assert_int_equal(utf8_name_check(nul, sizeof(nul), UTF8_NAME_DESCRIPTION), UTF8_NAME_CONTROL);
    FILE_OK("a\xC2\xA0"
            "b"); /* U+00A0 is no control */
    /* a description has lines and tabs, nothing else */
    assert_int_equal(check("line one\nline\ttwo\n", UTF8_NAME_DESCRIPTION), UTF8_NAME_OK);
    assert_int_equal(check("a\r\nb", UTF8_NAME_DESCRIPTION), UTF8_NAME_CONTROL);
    assert_int_equal(check("a\x0b", UTF8_NAME_DESCRIPTION), UTF8_NAME_CONTROL);
    assert_int_equal(check("a\xC2\x85", UTF8_NAME_DESCRIPTION), UTF8_NAME_CONTROL);
}

static void test_file_forms(void **state)
{
    FILE_BAD("", UTF8_NAME_EMPTY);
    FILE_BAD("a/b", UTF8_NAME_SLASH);
    FILE_BAD("/", UTF8_NAME_SLASH);
    FILE_BAD("../etc/passwd", UTF8_NAME_SLASH);
    FILE_BAD(".", UTF8_NAME_DOTS);
    FILE_BAD("..", UTF8_NAME_DOTS);
    FILE_BAD("-rf", UTF8_NAME_DASH);
    FILE_BAD("-", UTF8_NAME_DASH);
    FILE_BAD(" a", UTF8_NAME_SPACE);
    FILE_BAD("a ", UTF8_NAME_SPACE);
    FILE_BAD(" ", UTF8_NAME_SPACE);
    FILE_BAD("\xE3\x80\x80中文", UTF8_NAME_SPACE); /* U+3000 IDEOGRAPHIC SPACE first */
    FILE_BAD("中文\xE3\x80\x80", UTF8_NAME_SPACE); /* and last */
    FILE_BAD("\xC2\xA0x", UTF8_NAME_SPACE);        /* U+00A0 */
    FILE_BAD("x\xEF\xBB\xBF", UTF8_NAME_SPACE);    /* U+FEFF */
    FILE_BAD("x\xE2\x80\xA8", UTF8_NAME_SPACE);    /* U+2028 */
    FILE_BAD("\xE2\x80\x8A"
             "x",
             UTF8_NAME_SPACE);                    /* U+200A */
    FILE_BAD("x\xEF\xBF\xBE", UTF8_NAME_NONCHAR); /* U+FFFE */
    FILE_BAD("\xEF\xBF\xBFx", UTF8_NAME_NONCHAR); /* U+FFFF */
    /* titles and descriptions may be empty, start with '-' and hold '/' and spaces */
    assert_int_equal(check("", UTF8_NAME_TITLE), UTF8_NAME_OK);
    assert_int_equal(check("", UTF8_NAME_DESCRIPTION), UTF8_NAME_OK);
    assert_int_equal(check(" -a/b .. ", UTF8_NAME_TITLE), UTF8_NAME_OK);
    assert_int_equal(check("..", UTF8_NAME_DESCRIPTION), UTF8_NAME_OK);
    assert_int_equal(check("x\xEF\xBF\xBF", UTF8_NAME_TITLE), UTF8_NAME_NONCHAR);
    assert_int_equal(check("x\xEF\xBF\xBE", UTF8_NAME_DESCRIPTION), UTF8_NAME_NONCHAR);
}

static void test_bounds_in_bytes(void **state)
{
    char text[UTF8_NAME_DESCRIPTION_MAX + 8];

    repeat(text, "x", UTF8_NAME_FILE_MAX); /* 255 bytes */
    FILE_OK(text);
    repeat(text, "x", UTF8_NAME_FILE_MAX + 1);
    FILE_BAD(text, UTF8_NAME_TOO_LONG);
    repeat(text, "中", 85); /* 255 bytes, 85 characters */
    FILE_OK(text);
    text[255] = 'x'; /* 256 bytes */
    text[256] = '\0';
    FILE_BAD(text, UTF8_NAME_TOO_LONG);
    repeat(text, "\xF0\x9F\x92\xBF", 64); /* 256 bytes, 64 characters */
    FILE_BAD(text, UTF8_NAME_TOO_LONG);
    repeat(text, "x", UTF8_NAME_TITLE_MAX);
    assert_int_equal(check(text, UTF8_NAME_TITLE), UTF8_NAME_OK);
    repeat(text, "x", UTF8_NAME_TITLE_MAX + 1);
    assert_int_equal(check(text, UTF8_NAME_TITLE), UTF8_NAME_TOO_LONG);
    repeat(text, "\n", UTF8_NAME_DESCRIPTION_MAX);
    assert_int_equal(check(text, UTF8_NAME_DESCRIPTION), UTF8_NAME_OK);
    repeat(text, "\n", UTF8_NAME_DESCRIPTION_MAX + 1);
    assert_int_equal(check(text, UTF8_NAME_DESCRIPTION), UTF8_NAME_TOO_LONG);
}

static void test_first_fault_wins(void **state)
{
    /* the lowest enum value, wherever in the text each fault is */
    FILE_BAD("-a/b", UTF8_NAME_SLASH);
    FILE_BAD("a/b\x01", UTF8_NAME_CONTROL);
    FILE_BAD("\xFF/\x01", UTF8_NAME_NOT_UTF8);
    FILE_BAD("- a ", UTF8_NAME_DASH);
    FILE_BAD(" -\xEF\xBF\xBF", UTF8_NAME_NONCHAR);
}

static void test_fault_text(void **state)
{
    assert_string_equal(utf8_name_fault_text(UTF8_NAME_OK, UTF8_NAME_FILE), "");
    assert_string_equal(utf8_name_fault_text(UTF8_NAME_TOO_LONG, UTF8_NAME_FILE),
                        "is longer than 255 bytes");
    assert_string_equal(utf8_name_fault_text(UTF8_NAME_TOO_LONG, UTF8_NAME_TITLE),
                        "is longer than 1024 bytes");
    assert_string_equal(utf8_name_fault_text(UTF8_NAME_TOO_LONG, UTF8_NAME_DESCRIPTION),
                        "is longer than 4096 bytes");
    assert_string_equal(utf8_name_fault_text(UTF8_NAME_SLASH, UTF8_NAME_FILE), "holds a \"/\"");
    assert_null(utf8_name_explain("中文.iso", UTF8_NAME_FILE));
    assert_string_equal(utf8_name_explain("-x", UTF8_NAME_FILE), "starts with \"-\"");
    assert_string_equal(utf8_name_explain("a\nb", UTF8_NAME_TITLE),
                        "holds a control character (one line, no tabs)");
    for (int f = UTF8_NAME_EMPTY; f <= UTF8_NAME_SPACE; f++)
        assert_true(strlen(utf8_name_fault_text((enum utf8_name_fault)f, UTF8_NAME_FILE)) > 0);
}

static void test_clip(void **state)
{
    const char *s = "ab中文";

    assert_int_equal(utf8_name_clip(s, strlen(s), 100), 8);
    assert_int_equal(utf8_name_clip(s, strlen(s), 8), 8);
    assert_int_equal(utf8_name_clip(s, strlen(s), 7), 5); /* never half of 文 */
    assert_int_equal(utf8_name_clip(s, strlen(s), 4), 2);
    assert_int_equal(utf8_name_clip(s, strlen(s), 0), 0);
    assert_int_equal(utf8_name_clip("ab\xFF"
                                    "cd",
                                    5, 5),
                     2);                                     /* stops before non-UTF-8 */
    assert_int_equal(utf8_name_clip("ab\xE4\xB8", 4, 4), 2); /* and a truncated tail */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_any_script),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_controls),
        cmocka_unit_test(test_file_forms),
        cmocka_unit_test(test_bounds_in_bytes),
        cmocka_unit_test(test_first_fault_wins),
        cmocka_unit_test(test_fault_text),
        cmocka_unit_test(test_clip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
