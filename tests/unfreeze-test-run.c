/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts a run of a mode and records what the window would see of it: its signals, the
 * rows at the first one, errors, and the stall meter.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include "unfreeze-test-run.h"

#include <string.h>

#include "unfreeze-mode.h"
#include "unfreeze-stall-meter.h"
#include "unfreeze-ui-guard.h"

static void
rows_cb (UnfreezeRun          *run,
         UnfreezeRows         *rows,
         UnfreezeTestObserved *observed)
{
  g_assert_true (unfreeze_ui_guard_is_ui_thread ());
  if (observed->n_rows_signals++ == 0)
    observed->rows_at_first_signal = unfreeze_rows_get_n_rows (rows);
}

static void
error_cb (UnfreezeRun          *run,
          const GError         *error,
          UnfreezeTestObserved *observed)
{
  g_assert_true (unfreeze_ui_guard_is_ui_thread ());
  observed->n_error_signals++;
}

static void
refused_cb (UnfreezeRun          *run,
            const char           *refusal,
            UnfreezeTestObserved *observed)
{
  g_assert_true (unfreeze_ui_guard_is_ui_thread ());
  observed->n_refused_signals++;
}

static void
progress_cb (UnfreezeRun          *run,
             const char           *text,
             UnfreezeTestObserved *observed)
{
  g_assert_true (unfreeze_ui_guard_is_ui_thread ());
  observed->n_progress_signals++;
}

static void
finished_cb (UnfreezeRun          *run,
             UnfreezeTestObserved *observed)
{
  observed->finished = TRUE;
  observed->finished_us = g_get_monotonic_time ();
}

void
unfreeze_test_observe_run (UnfreezeRun          *run,
                           UnfreezeTestObserved *observed)
{
  memset (observed, 0, sizeof *observed);
  observed->run = run;
  g_signal_connect (run, "rows", G_CALLBACK (rows_cb), observed);
  g_signal_connect (run, "error", G_CALLBACK (error_cb), observed);
  g_signal_connect (run, "refused", G_CALLBACK (refused_cb), observed);
  g_signal_connect (run, "progress", G_CALLBACK (progress_cb), observed);
  g_signal_connect (run, "finished", G_CALLBACK (finished_cb), observed);
}

UnfreezeRun *
unfreeze_test_start_run (const char           *mode_id,
                         UnfreezeDatabase     *database,
                         const char           *ticker,
                         double                delay,
                         guint                 count,
                         UnfreezeTestObserved *observed)
{
  const UnfreezeMode *mode = unfreeze_modes_lookup (mode_id);
  UnfreezeRun *run;

  g_assert_nonnull (mode);
  run = unfreeze_run_new (mode, database, ticker, delay, count);
  unfreeze_test_observe_run (run, observed);

  /* Let the heartbeat settle so the run measures only itself. */
  unfreeze_stall_meter_get_default ();
  unfreeze_run_start (run);

  return run;
}

/**
 * unfreeze_test_window_n_rows:
 *
 * How many rows @window's table shows once it has taken in all it was given (new rows
 * enter it a few per frame); fails the test if that takes more than 10 s.
 */
guint
unfreeze_test_window_n_rows (UnfreezeWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!unfreeze_window_get_rows_settled (window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (unfreeze_window_get_rows_settled (window));

  return g_list_model_get_n_items (unfreeze_window_get_rows_model (window));
}
