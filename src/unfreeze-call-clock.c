/* unfreeze-call-clock.c: timing one call that should return at once.
 *
 * The main-loop mode's calls into libpq must not block the main thread. The wall time of a
 * call alone cannot say whether one did: on a busy machine (two cores, 200 server processes
 * waking at once) the kernel may switch the main thread out in the middle of a call that
 * never waits, and it returns late through no fault of its own. The thread's own counters
 * say what happened inside the call: it went to sleep (getrusage (RUSAGE_THREAD) counts a
 * voluntary switch: it waited, in the kernel, for something), it used the time itself (its
 * CPU clock), or it was only switched out (an involuntary switch). Where those counters are missing, a slow call counts as one
 * that waited.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "unfreeze-call-clock.h"

#include <sys/resource.h>
#include <time.h>

/* Reads the calling thread's clocks. */
void
unfreeze_call_clock_read (UnfreezeCallClock *clock)
{
  struct timespec cpu;
#ifdef RUSAGE_THREAD
  struct rusage usage;
#endif

  g_return_if_fail (clock != NULL);

  clock->wall_us = g_get_monotonic_time ();
  clock->cpu_us = -1;
  clock->slept = -1;
  clock->preempted = -1;
  /* Not getrusage()'s ru_utime + ru_stime: for a thread those move in whole ticks (4 ms
   * here), as long as the calls we time. */
  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &cpu) == 0)
    clock->cpu_us = (gint64) cpu.tv_sec * G_USEC_PER_SEC + cpu.tv_nsec / 1000;
#ifdef RUSAGE_THREAD
  if (getrusage (RUSAGE_THREAD, &usage) == 0)
    {
      clock->slept = usage.ru_nvcsw;
      clock->preempted = usage.ru_nivcsw;
    }
#endif
}

/* What a call between @begin and @end was. Pure: the tests give it made-up clocks. */
UnfreezeCallKind
unfreeze_call_clock_judge (const UnfreezeCallClock *begin,
                           const UnfreezeCallClock *end)
{
  g_return_val_if_fail (begin != NULL && end != NULL, UNFREEZE_CALL_WAITED);

  if (end->wall_us - begin->wall_us < UNFREEZE_CALL_SLOW_US)
    return UNFREEZE_CALL_QUICK;
  /* Unknown counters: assume the worst. */
  if (begin->slept < 0 || end->slept < 0 || begin->cpu_us < 0 || end->cpu_us < 0)
    return UNFREEZE_CALL_WAITED;
  if (end->slept > begin->slept)
    return UNFREEZE_CALL_WAITED;
  if (end->cpu_us - begin->cpu_us >= UNFREEZE_CALL_SLOW_US)
    return UNFREEZE_CALL_COMPUTED;
  if (end->preempted > begin->preempted)
    return UNFREEZE_CALL_PREEMPTED;

  /* Slow, never switched out, and not busy: the counters do not add up; assume the worst. */
  return UNFREEZE_CALL_WAITED;
}
