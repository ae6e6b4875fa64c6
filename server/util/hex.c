/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hex: hexadecimal digit values, shared by the path decoder (http/static_files.c) and
 * the MAC parser (virt/virt_device_xml.c). Pure; any thread. */
#include "util/hex.h"

int hex_digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
