/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clock: monotonic and wall-clock time in the units virtdeck uses. Any thread. */
#pragma once

#include <stdint.h>

/* Milliseconds on CLOCK_MONOTONIC: for timeouts and rates. */
int64_t clock_mono_ms(void);
/* Microseconds on CLOCK_MONOTONIC. */
int64_t clock_mono_us(void);
/* Seconds since the epoch: for what is stored (session expiry, audit). */
int64_t clock_wall_s(void);
/* Milliseconds since the epoch: for when a figure was taken (metrics samples). */
int64_t clock_wall_ms(void);
