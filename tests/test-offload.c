/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CPU-bound work against a real PostgreSQL: each mode analyses the rows where it continues
 * after the query, and the stall shows where that was. With --cpu=500 the main-loop mode
 * freezes for about that long (the limit of single-threaded async); the GTask and offload
 * modes compute on a worker and stay smooth. Generous bounds only: a shared machine.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include "unfreeze-mode.h"
#include "unfreeze-run.h"
#include "unfreeze-stall-meter.h"
#include "unfreeze-test-fixture.h"
#include "unfreeze-test-run.h"
#include "unfreeze-test.h"

#define CPU_MS 500

typedef struct
{
  const char *mode_id;
  gboolean    on_ui_thread;   /* where the mode computes */
  gboolean    freezes;        /* the computing shows as a stall */
} Case;

static const Case cases[] = {
  { "blocking", TRUE, TRUE },
  { "thread", FALSE, FALSE },
  { "gtask", FALSE, FALSE },
  { "mainloop", TRUE, TRUE },
  { "sleep", TRUE, TRUE },
  { "offload", FALSE, FALSE },
};

static UnfreezeRun *
run_with_cpu (const char           *mode_id,
              const char           *ticker,
              guint                 cpu_ms,
              UnfreezeTestObserved *observed)
{
  const UnfreezeMode *mode = unfreeze_modes_lookup (mode_id);
  UnfreezeRun *run;

  g_assert_nonnull (mode);
  run = unfreeze_run_new (mode, unfreeze_test_fixture_get_database (), ticker, 0.1, 1);
  unfreeze_run_set_cpu_ms (run, cpu_ms);
  unfreeze_test_observe_run (run, observed);
  unfreeze_run_start (run);
  g_assert_true (unfreeze_test_wait_for (&observed->finished, 60000));

  return run;
}

/* The computing spans of @run: how many, and on which threads. */
static guint
count_compute_spans (UnfreezeRun *run,
                     gboolean    *on_ui_thread,
                     gboolean    *on_worker)
{
  g_autoptr(GArray) spans = unfreeze_run_dup_spans (run);
  guint n = 0;

  *on_ui_thread = *on_worker = FALSE;
  for (guint i = 0; i < spans->len; i++)
    {
      const UnfreezeSpan *span = &g_array_index (spans, UnfreezeSpan, i);

      if (span->kind != UNFREEZE_SPAN_COMPUTE)
        continue;
      n++;
      if (span->end_us >= 0)   /* -1: still computing */
        g_assert_cmpint (span->end_us, >=, span->begin_us);
      if (span->thread_id == 0)
        *on_ui_thread = TRUE;
      else
        *on_worker = TRUE;
    }

  return n;
}

/* Each mode computes where it continues after the query, for about the time asked. */
static void
test_where (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(UnfreezeRun) run = NULL;
  g_autofree char *line = NULL;
  g_autofree char *cpu = NULL;
  UnfreezeTestObserved observed;
  UnfreezeAnalysis analysis;
  gboolean on_ui_thread, on_worker;
  gint64 stall_ms;

  /* The raw thread computes on its thread, then tries to show the rows from there. */
  if (g_str_equal (c->mode_id, "thread"))
    g_test_expect_message ("Unfreeze-Guard", G_LOG_LEVEL_CRITICAL, "Cross-thread UI access*");

  run = run_with_cpu (c->mode_id, "MSFT", CPU_MS, &observed);
  g_test_assert_expected_messages ();

  if (g_str_equal (c->mode_id, "thread"))
    g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_REFUSED);
  else
    {
      g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
      g_assert_cmpuint (unfreeze_run_get_n_rows (run), ==, unfreeze_test_expected_rows ("MSFT"));
    }

  g_assert_cmpuint (count_compute_spans (run, &on_ui_thread, &on_worker), ==, 1);
  g_assert_cmpint (on_ui_thread, ==, c->on_ui_thread);
  g_assert_cmpint (on_worker, ==, !c->on_ui_thread);

  /* Measured, not the number asked for: a good part of it, whatever the machine (the passes
   * are calibrated once, and a busy machine's calibration can read a pass as slower). */
  g_assert_cmpint (unfreeze_run_get_cpu_us (run), >=, CPU_MS / 5 * 1000);
  line = unfreeze_run_dup_summary_line (run);
  cpu = g_strdup_printf (" cpu_ms=%" G_GINT64_FORMAT " ", (unfreeze_run_get_cpu_us (run) + 500) / 1000);
  g_assert_nonnull (strstr (line, cpu));

  g_assert_true (unfreeze_run_get_analysis (run, &analysis));
  g_assert_cmpuint (analysis.n_closes, ==, unfreeze_test_expected_rows ("MSFT"));
  g_assert_cmpuint (analysis.passes, >, 0);
  g_assert_cmpfloat (analysis.average_20, >, 0);
  g_assert_cmpfloat (analysis.volatility, >, 0);

  stall_ms = unfreeze_run_get_longest_stall_us (run) / 1000;
  g_test_message ("%s: cpu_ms=%" G_GINT64_FORMAT " longest_stall_ms=%" G_GINT64_FORMAT,
                  c->mode_id, unfreeze_run_get_cpu_us (run) / 1000, stall_ms);
  /* Computing on the main thread holds the loop for at least the processor time it took. */
  if (c->freezes)
    g_assert_cmpint (stall_ms, >=, unfreeze_run_get_cpu_us (run) * 8 / 10 / 1000);
  else if (unfreeze_test_timing_is_reliable ())
    g_assert_cmpint (stall_ms, <, CPU_MS / 2);
}

/* No analysis asked for: nothing computed, cpu_ms=0, and the status says nothing of it. */
static void
test_none (void)
{
  gboolean on_ui_thread, on_worker;
  UnfreezeAnalysis analysis;
  UnfreezeTestObserved observed;
  g_autoptr(UnfreezeRun) run = NULL;
  g_autofree char *line = NULL;
  g_autofree char *status = NULL;

  run = run_with_cpu ("offload", "MSFT", 0, &observed);

  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
  g_assert_cmpuint (count_compute_spans (run, &on_ui_thread, &on_worker), ==, 0);
  g_assert_cmpint (unfreeze_run_get_cpu_us (run), ==, 0);
  g_assert_false (unfreeze_run_get_analysis (run, &analysis));
  line = unfreeze_run_dup_summary_line (run);
  g_assert_nonnull (strstr (line, " cpu_ms=0 "));
  g_assert_true (g_str_has_suffix (line, " result=ok"));
  status = unfreeze_run_dup_status_text (run);
  g_assert_null (strstr (status, "Analysis"));
}

/* The offload mode's I/O is the main-loop mode's: no thread waits for the server; only the
 * computing takes a worker. And the result is in the status text. */
static void
test_offload_status (void)
{
  g_autoptr(UnfreezeRun) run = NULL;
  g_autoptr(GArray) spans = NULL;
  g_autofree char *status = NULL;
  UnfreezeTestObserved observed;

  run = run_with_cpu ("offload", "MSFT", 100, &observed);

  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
  g_assert_cmpuint (observed.n_rows_signals, ==, 1);
  spans = unfreeze_run_dup_spans (run);
  for (guint i = 0; i < spans->len; i++)
    {
      const UnfreezeSpan *span = &g_array_index (spans, UnfreezeSpan, i);

      if (span->kind == UNFREEZE_SPAN_CONNECT || span->kind == UNFREEZE_SPAN_QUERY ||
          span->kind == UNFREEZE_SPAN_FETCH)
        g_assert_cmpuint (span->thread_id, ==, 0);
    }

  status = unfreeze_run_dup_status_text (run);
  g_assert_nonnull (strstr (status, "Analysis of"));
  g_assert_nonnull (strstr (status, "volatility"));
}

/* Cancelled while the worker computes: the run ends as cancelled, and the next one works. */
static void
test_offload_cancel (void)
{
  const UnfreezeMode *mode = unfreeze_modes_lookup ("offload");
  g_autoptr(UnfreezeRun) run = NULL;
  g_autoptr(UnfreezeRun) next = NULL;
  UnfreezeTestObserved observed;

  run = unfreeze_run_new (mode, unfreeze_test_fixture_get_database (), "MSFT", 0, 1);
  unfreeze_run_set_cpu_ms (run, 3000);
  unfreeze_test_observe_run (run, &observed);
  unfreeze_run_start (run);
  /* Once the worker is computing, cancel. */
  while (!observed.finished)
    {
      gboolean on_ui_thread, on_worker;

      g_main_context_iteration (NULL, TRUE);
      if (count_compute_spans (run, &on_ui_thread, &on_worker) > 0)
        break;
    }
  g_assert_false (observed.finished);
  unfreeze_run_cancel (run);
  g_assert_true (unfreeze_test_wait_for (&observed.finished, 60000));
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_CANCELLED);
  /* The worker stopped computing: far less processor time than the 3 s asked for. (Under
   * Valgrind or a sanitizer the calibration and the cancel run many times slower; the result
   * above says the computing stopped.) */
  if (unfreeze_test_timing_is_reliable ())
    g_assert_cmpint (unfreeze_run_get_cpu_us (run), <, 1500 * 1000);

  next = run_with_cpu ("offload", "MSFT", 0, &observed);
  g_assert_cmpint (unfreeze_run_get_result (next), ==, UNFREEZE_RUN_RESULT_OK);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status = 77;   /* skipped */

  unfreeze_test_init (&argc, &argv);
  g_test_add_func ("/unfreeze/Mode/offload/no-cpu", test_none);
  g_test_add_func ("/unfreeze/Mode/offload/status", test_offload_status);
  g_test_add_func ("/unfreeze/Mode/offload/cancel", test_offload_cancel);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/unfreeze/Mode/%s/cpu", cases[i].mode_id);

      g_test_add_data_func (path, &cases[i], test_where);
    }

  if (unfreeze_test_fixture_setup (&error))
    {
      status = g_test_run ();
      unfreeze_test_fixture_teardown ();
    }
  else
    g_printerr ("SKIP: no PostgreSQL for this test: %s\n", error->message);

  return status;
}
