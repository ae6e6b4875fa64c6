/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* utf8_name: the one rule for names and labels in any script: volume (file) names, VM
 * titles and VM descriptions. Pure; any thread; unit-tested (test_utf8_name.c) and
 * fuzzed (fuzz_utf8_name.c).
 *
 * Every kind must be valid UTF-8 (no overlong forms, no surrogates, nothing above
 * U+10FFFF), hold no control character (C0 with NUL, DEL, C1) and no U+FFFE or U+FFFF
 * (XML 1.0 cannot hold them, and libvirt keeps every one of these in an XML document),
 * and fit a bound in bytes:
 *
 *   FILE         1..255 bytes (NAME_MAX of Linux file systems: a dir pool's volume is a
 *                file). No '/', not "." or "..", no '-' first (a volume name reaches
 *                command lines: qemu-img, lvcreate, an admin's shell) and no white space
 *                first or last (invisible in a list; the UI trims what is typed).
 *   TITLE        0..1024 bytes, one line: libvirt's <title> is one line, so no LF either.
 *   DESCRIPTION  0..4096 bytes; lines (LF) and TAB allowed. CR is not: libvirt writes it
 *                raw into the domain XML, whose parser turns CR LF into LF, so it would
 *                not come back as it went in.
 *
 * Nothing is normalised: a name is kept byte for byte as the user chose it. "White
 * space" is what JavaScript's String.prototype.trim() removes besides the controls:
 * U+0020, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000 and
 * U+FEFF. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_NAME_FILE_MAX        255
#define UTF8_NAME_TITLE_MAX       1024
#define UTF8_NAME_DESCRIPTION_MAX 4096

enum utf8_name_kind {
    UTF8_NAME_FILE,
    UTF8_NAME_TITLE,
    UTF8_NAME_DESCRIPTION,
};

/* Why a text is refused; UTF8_NAME_OK (0) when it is not. */
enum utf8_name_fault {
    UTF8_NAME_OK = 0,
    UTF8_NAME_EMPTY,    /* FILE only */
    UTF8_NAME_TOO_LONG, /* more bytes than the kind's bound */
    UTF8_NAME_NOT_UTF8, /* an invalid or overlong sequence, a surrogate, above U+10FFFF */
    UTF8_NAME_CONTROL,  /* C0 (NUL included), DEL, C1; LF and TAB are fine in a DESCRIPTION */
    UTF8_NAME_NONCHAR,  /* U+FFFE or U+FFFF */
    UTF8_NAME_SLASH,    /* FILE: a '/' */
    UTF8_NAME_DOTS,     /* FILE: "." or ".." */
    UTF8_NAME_DASH,     /* FILE: '-' first */
    UTF8_NAME_SPACE,    /* FILE: white space first or last */
};

/* Decodes the UTF-8 sequence at s[0..left) (left > 0). Returns its length (1..4) and
 * stores the code point in *cp, or returns 0 when it is not a valid sequence (truncated,
 * overlong, a surrogate, above U+10FFFF). */
size_t utf8_name_decode(const unsigned char *s, size_t left, uint32_t *cp);

/* True for the control characters no text of ours may hold: U+0000..U+001F, U+007F..
 * U+009F (C0 with NUL, DEL, C1). */
bool utf8_name_is_control(uint32_t cp);

/* Checks s[0..len) (it may hold NUL bytes: they are controls) as the kind says. Returns
 * the first fault found, in the order of enum utf8_name_fault's values, or UTF8_NAME_OK. */
enum utf8_name_fault utf8_name_check(const char *s, size_t len, enum utf8_name_kind kind);

/* utf8_name_check(s, strlen(s), UTF8_NAME_FILE) == UTF8_NAME_OK; false for NULL. */
bool utf8_name_file_valid(const char *s);

/* Why fault refuses a text of kind, as a phrase that follows its name: "is empty", "is
 * longer than 255 bytes", "holds a control character", ... ("" for UTF8_NAME_OK). A
 * static string. */
const char *utf8_name_fault_text(enum utf8_name_fault fault, enum utf8_name_kind kind);

/* NULL when s (NUL-terminated) passes the kind's rule, else utf8_name_fault_text of
 * its fault. */
const char *utf8_name_explain(const char *s, enum utf8_name_kind kind);

/* The length of the longest prefix of s[0..len) that is at most max bytes and whole
 * valid UTF-8 sequences: where to cut a text for a bounded buffer or message without
 * splitting a character (it also stops before bytes that are not UTF-8). */
size_t utf8_name_clip(const char *s, size_t len, size_t max);
