/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_input: helpers the libFuzzer targets in tests/fuzz/ share to turn the raw input
 * bytes into the C strings our parsers take. Header-only (static functions); runs on
 * libFuzzer's one thread. Every string returned is a fresh heap copy, NUL-terminated,
 * so ASan sees any read past the bytes the fuzzer gave. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* libFuzzer's entry points (declared here for -Wmissing-prototypes). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Aborts with a message naming the broken invariant (libFuzzer saves the input). */
#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fuzz_input_fail(__FILE__, __LINE__, #cond);                                            \
        }                                                                                          \
    } while (0)

__attribute__((noreturn, unused)) static void fuzz_input_fail(const char *file, int line,
                                                              const char *what)
{
    fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, what);
    abort();
}

/* The bytes up to the first NUL (or all of them) as a new string (caller frees). */
__attribute__((unused)) static char *fuzz_input_cstr(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);

    return xstrndup((const char *)data, nul ? (size_t)(nul - data) : size);
}

/* Splits [*data, *data + *size) at the first sep: returns the part before it as a new
 * string and advances *data and *size past the separator. Without a sep the whole rest is
 * returned and *size becomes 0; *found says which happened. */
__attribute__((unused)) static char *fuzz_input_take(const uint8_t **data, size_t *size, char sep,
                                                     int *found)
{
    const uint8_t *end = memchr(*data, sep, *size);
    size_t n = end ? (size_t)(end - *data) : *size;
    char *part = xmalloc(n + 1);

    memcpy(part, *data, n);
    part[n] = '\0';
    *found = end != NULL;
    *data += end ? n + 1 : n;
    *size -= end ? n + 1 : n;
    return part;
}
