/* unfreeze-call-clock.h: timing one call that should return at once, and telling why a slow
 * one was slow (it waited, it computed, or the machine ran something else meanwhile).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A call that should return at once and takes this long holds the thread for an eighth of a
 * frame. */
#define UNFREEZE_CALL_SLOW_US (2 * 1000)

/* The calling thread's clocks at one moment. */
typedef struct
{
  gint64 wall_us;    /* g_get_monotonic_time() */
  gint64 cpu_us;     /* the thread's own CPU time, user and system */
  gint64 slept;      /* times the thread gave up the CPU to wait (voluntary switches) */
  gint64 preempted;  /* times the kernel took the CPU from it (involuntary switches) */
} UnfreezeCallClock;

typedef enum
{
  UNFREEZE_CALL_QUICK,     /* under UNFREEZE_CALL_SLOW_US */
  UNFREEZE_CALL_WAITED,    /* slow, and the thread went to sleep inside it: it blocked */
  UNFREEZE_CALL_COMPUTED,  /* slow, and it used that much CPU itself */
  UNFREEZE_CALL_PREEMPTED, /* slow only because the thread was switched out, never waiting:
                            * the machine was busy, the call did not block */
} UnfreezeCallKind;

void             unfreeze_call_clock_read  (UnfreezeCallClock       *clock);
UnfreezeCallKind unfreeze_call_clock_judge (const UnfreezeCallClock *begin,
                                            const UnfreezeCallClock *end);

G_END_DECLS
