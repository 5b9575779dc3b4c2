/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sleep mode's two outcomes: a query quicker than the guess "works", a slower one loses
 * the race. Both freeze the main loop for the whole guessed time, and the late worker is
 * still joined and its connection given back: no thread, no connection left behind.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include "unfreeze-mode.h"
#include "unfreeze-run.h"
#include "unfreeze-test-fixture.h"
#include "unfreeze-test-process.h"
#include "unfreeze-test-run.h"
#include "unfreeze-test.h"

#define GUESSED_MS 2000   /* the mode's GUESSED_QUERY_TIME_MS */

static UnfreezeRun *
run_sleep (double                delay,
           UnfreezeTestObserved *observed)
{
  UnfreezeRun *run = unfreeze_test_start_run ("sleep", unfreeze_test_fixture_get_database (),
                                              "MSFT", delay, 1, observed);

  g_assert_true (unfreeze_test_wait_for (&observed->finished, 30000));

  return run;
}

/* This process's threads called @name. */
static guint
count_threads_named (const char *name)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *id;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((id = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", id, "comm", NULL);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL))
        n += g_str_equal (g_strchomp (comm), name);
    }

  return n;
}

static gboolean
threads_gone (gpointer before)
{
  return unfreeze_test_count_new_threads (before) == 0;
}

/* Runs the main loop (the workers are joined from idles) until no thread is left that was
 * not there @before, or @timeout_ms passes. */
static gboolean
wait_for_threads_gone (GHashTable *before,
                       guint       timeout_ms)
{
  return unfreeze_test_iterate_until (threads_gone, before, timeout_ms);
}

static gint64
sleep_span_us (UnfreezeRun *run)
{
  g_autoptr(GArray) spans = unfreeze_run_dup_spans (run);

  for (guint i = 0; i < spans->len; i++)
    {
      const UnfreezeSpan *span = &g_array_index (spans, UnfreezeSpan, i);

      if (span->kind == UNFREEZE_SPAN_SLEEP)
        {
          g_assert_cmpuint (span->thread_id, ==, 0);
          return span->end_us - span->begin_us;
        }
    }

  return -1;
}

/* The query is quicker than the guess: the rows are there, and the loop froze anyway. */
static void
test_in_time (void)
{
  g_autoptr(GHashTable) before = unfreeze_test_dup_thread_ids ();
  g_autoptr(UnfreezeRun) run = NULL;
  g_autofree char *expected = unfreeze_test_query_value ("SELECT count(*) FROM stock_prices WHERE ticker = 'MSFT'");
  UnfreezeTestObserved observed;

  run = run_sleep (0.5, &observed);

  g_test_message ("delay 0.5 s: %s, %u rows, longest stall %" G_GINT64_FORMAT " ms",
                  unfreeze_run_result_to_string (unfreeze_run_get_result (run)),
                  unfreeze_run_get_n_rows (run), unfreeze_run_get_longest_stall_us (run) / 1000);
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
  g_assert_cmpuint (observed.n_rows_signals, ==, 1);
  g_assert_cmpuint (observed.n_error_signals, ==, 0);
  g_assert_cmpuint (unfreeze_run_get_n_rows (run), ==, g_ascii_strtoull (expected, NULL, 10));
  g_assert_cmpint (unfreeze_run_get_longest_stall_us (run), >=, 0.9 * GUESSED_MS * 1000);
  g_assert_cmpint (sleep_span_us (run), >=, GUESSED_MS * 1000);

  g_assert_true (wait_for_threads_gone (before, 10000));
  g_assert_cmpuint (unfreeze_test_count_active_queries (), ==, 0);
}

/* The query is slower than the guess: no result, a clear error, and the worker finishes
 * later, its result dropped, its thread joined, its connection back in the pool. */
static void
test_too_late (void)
{
  g_autoptr(GHashTable) before = unfreeze_test_dup_thread_ids ();
  g_autoptr(UnfreezeRun) run = NULL;
  UnfreezeDatabase *database = unfreeze_test_fixture_get_database ();
  guint n_connections = unfreeze_database_get_n_connections (database);
  const GError *error;
  UnfreezeTestObserved observed;
  PGconn *conn;

  run = run_sleep (3.0, &observed);

  error = unfreeze_run_get_error (run);
  g_test_message ("delay 3 s: %s, longest stall %" G_GINT64_FORMAT " ms: %s",
                  unfreeze_run_result_to_string (unfreeze_run_get_result (run)),
                  unfreeze_run_get_longest_stall_us (run) / 1000,
                  error != NULL ? error->message : "no error");
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_ERROR);
  g_assert_error ((GError *) error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_NOT_READY);
  g_assert_nonnull (strstr (error->message, "2 s"));
  g_assert_cmpuint (observed.n_rows_signals, ==, 0);
  g_assert_cmpuint (observed.n_error_signals, ==, 1);
  g_assert_cmpuint (unfreeze_run_get_n_rows (run), ==, 0);
  g_assert_cmpint (unfreeze_run_get_longest_stall_us (run), >=, 0.9 * GUESSED_MS * 1000);
  g_assert_cmpint (unfreeze_run_get_elapsed_us (run), <, 3 * G_USEC_PER_SEC);

  /* The race was lost, not the worker: it is still in its query. */
  g_assert_cmpuint (count_threads_named ("sleep-worker"), ==, 1);
  g_assert_cmpuint (unfreeze_test_count_active_queries (), ==, 1);

  g_assert_true (wait_for_threads_gone (before, 15000));
  g_assert_cmpuint (count_threads_named ("sleep-worker"), ==, 0);
  g_assert_cmpuint (unfreeze_test_count_active_queries (), ==, 0);
  /* Its connection went back to the pool, ready for the next run. */
  conn = unfreeze_database_try_acquire_idle (database);
  g_assert_nonnull (conn);
  unfreeze_database_release (database, conn);
  g_assert_cmpuint (unfreeze_database_get_n_connections (database), <=, n_connections + 1);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  unfreeze_test_init (&argc, &argv);

  unfreeze_test_fixture_setup_or_skip ();

  g_test_add_func ("/unfreeze/Sleep/in-time", test_in_time);
  g_test_add_func ("/unfreeze/Sleep/too-late", test_too_late);

  status = g_test_run ();
  unfreeze_test_fixture_teardown ();

  return status;
}
