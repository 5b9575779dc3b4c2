/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts a run of a mode and records what its signals said.
 */
#pragma once

#include "unfreeze-run.h"
#include "unfreeze-window.h"

G_BEGIN_DECLS

/* What a run said through its signals, as the window would see it. */
typedef struct
{
  UnfreezeRun *run;
  gboolean     finished;
  gint64       finished_us;           /* when "finished" came (monotonic) */
  guint        n_rows_signals;
  guint        n_error_signals;
  guint        n_refused_signals;
  guint        n_progress_signals;
  guint        rows_at_first_signal;  /* how many rows the first "rows" signal had */
} UnfreezeTestObserved;

/* Clears @observed and connects it to @run's signals; each but "finished" asserts that it
 * comes on the UI thread. */
void         unfreeze_test_observe_run (UnfreezeRun          *run,
                                        UnfreezeTestObserved *observed);
/* Creates a run of @mode_id, observed, and starts it; it ends with the main loop running. */
UnfreezeRun *unfreeze_test_start_run   (const char           *mode_id,
                                        UnfreezeDatabase     *database,
                                        const char           *ticker,
                                        double                delay,
                                        guint                 count,
                                        UnfreezeTestObserved *observed);
/* The number of rows @window's table shows once it has taken in all it was given. */
guint        unfreeze_test_window_n_rows (UnfreezeWindow      *window);

G_END_DECLS
