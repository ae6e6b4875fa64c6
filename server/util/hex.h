/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hex: reading hexadecimal digits (percent-encoded paths, MAC addresses). Pure; any
 * thread. */
#pragma once

/* The value (0-15) of the hex digit c, either case; -1 when c is not a hex digit. */
int hex_digit_value(char c);
