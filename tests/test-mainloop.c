/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The main-loop mode against a real PostgreSQL and against fake servers: the right rows,
 * no thread ever created, no stall, rows read in slices, errors at every stage (during the
 * handshake, in the middle of the rows), cancellation that leaves the connection reusable,
 * sent without the blocking PQcancel(), fifty and two hundred queries at once on one thread
 * with frames drawn in between, host names looked up by GLib's resolver, and slow calls into
 * libpq marked on the timeline.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <string.h>

#include "modes/unfreeze-mode-mainloop.h"
#include "unfreeze-mode.h"
#include "unfreeze-query.h"
#include "unfreeze-rows.h"
#include "unfreeze-run.h"
#include "unfreeze-test-fixture.h"
#include "unfreeze-test-process.h"
#include "unfreeze-test-run.h"
#include "unfreeze-test.h"

#define BIG_TICKER "TERM"
#define BIG_ROWS   300000

static void
wait_run (UnfreezeTestObserved *observed)
{
  g_assert_true (unfreeze_test_wait_for (&observed->finished, 60000));
}

static UnfreezeRun *
run_mainloop (const char           *ticker,
              double                delay,
              guint                 count,
              UnfreezeTestObserved *observed)
{
  UnfreezeRun *run = unfreeze_test_start_run ("mainloop", unfreeze_test_fixture_get_database (),
                                              ticker, delay, count, observed);

  wait_run (observed);
  return run;
}

/* The shared check, and the last row too: this mode reads the rows in slices. */
static void
assert_rows_are (UnfreezeRows *rows,
                 const char   *ticker)
{
  guint n = unfreeze_rows_get_n_rows (rows);

  unfreeze_test_assert_rows_are (rows, ticker);
  if (n > 0)
    g_assert_cmpstr (unfreeze_rows_get_value (rows, n - 1, UNFREEZE_COLUMN_TICKER), ==, ticker);
}

typedef struct
{
  GHashTable *before;
  guint       n_samples;
  guint       max_threads;
  guint       max_new;
} ThreadSampler;

static gboolean
sample_threads_cb (gpointer user_data)
{
  ThreadSampler *sampler = user_data;
  g_autoptr(GHashTable) now = unfreeze_test_dup_thread_ids ();

  sampler->n_samples++;
  sampler->max_threads = MAX (sampler->max_threads, g_hash_table_size (now));
  sampler->max_new = MAX (sampler->max_new, unfreeze_test_count_new_threads (sampler->before));

  return G_SOURCE_CONTINUE;
}

/* run_mainloop(), with @sampler looking at the process's threads every 50 ms meanwhile. */
static UnfreezeRun *
run_mainloop_sampled (const char           *ticker,
                      double                delay,
                      guint                 count,
                      UnfreezeTestObserved *observed,
                      ThreadSampler        *sampler)
{
  UnfreezeRun *run;
  guint id;

  id = g_timeout_add (50, sample_threads_cb, sampler);
  run = run_mainloop (ticker, delay, count, observed);
  g_source_remove (id);

  return run;
}

/* No thread was started while @sampler looked, nor is there a new one now. */
static void
assert_no_new_thread (ThreadSampler *sampler)
{
  g_assert_cmpuint (sampler->max_new, ==, 0);
  g_assert_cmpuint (sampler->max_threads, <=, g_hash_table_size (sampler->before));
  g_assert_cmpuint (unfreeze_test_count_new_threads (sampler->before), ==, 0);
}

/* (a) The rows, in order, from a real server; and zero rows for an unknown ticker. */
static void
test_rows (void)
{
  g_autoptr(UnfreezeRun) run = NULL;
  g_autoptr(UnfreezeRun) none = NULL;
  UnfreezeTestObserved observed;

  run = run_mainloop ("MSFT", 0.1, 1, &observed);
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
  g_assert_no_error ((GError *) unfreeze_run_get_error (run));
  g_assert_cmpuint (observed.n_rows_signals, ==, 1);
  g_assert_cmpuint (observed.n_error_signals, ==, 0);
  g_assert_cmpuint (unfreeze_test_expected_rows ("MSFT"), >=, 1000);
  assert_rows_are (unfreeze_run_get_rows (run), "MSFT");

  none = run_mainloop ("NOPE", 0, 1, &observed);
  g_assert_cmpint (unfreeze_run_get_result (none), ==, UNFREEZE_RUN_RESULT_OK);
  g_assert_cmpuint (observed.n_rows_signals, ==, 1);
  g_assert_cmpuint (unfreeze_run_get_n_rows (none), ==, 0);
}

/* (a2) Only the rows that are used are kept: with several queries at once and no analysis,
 * the first query's rows (the ones the window shows), complete; the others' rows are read and
 * dropped (their hook gets NULL, and no error). With an analysis, every query's rows. The
 * hook records what it was handed, through a mode of the test's own over the same I/O. */
typedef struct
{
  guint n_kept;
  guint n_dropped;
  guint n_errors;
} KeptRows;

static KeptRows kept_rows;

static void
kept_rows_done (UnfreezeRun  *run,
                guint         index,
                UnfreezeRows *rows,
                GError       *error)
{
  if (error != NULL)
    kept_rows.n_errors++;
  else if (rows == NULL)
    kept_rows.n_dropped++;
  else
    {
      kept_rows.n_kept++;
      assert_rows_are (rows, "MSFT");
      g_assert_cmpuint (unfreeze_rows_get_n_rows (rows), ==, unfreeze_test_expected_rows ("MSFT"));
      unfreeze_run_show_rows (run, index, rows);
    }
  unfreeze_run_query_done (run, error);
}

static void
kept_start_query (UnfreezeRun *run,
                  guint        index)
{
  unfreeze_mode_mainloop_start_query_full (run, index, kept_rows_done);
}

static const UnfreezeMode kept_mode = {
  .id = "mainloop-kept-rows",
  .title = "Main loop, rows recorded",
  .start_query = kept_start_query,
};

static void
test_rows_kept (void)
{
  const guint cpu_ms[] = { 0, 1 };

  for (guint i = 0; i < G_N_ELEMENTS (cpu_ms); i++)
    {
      g_autoptr(UnfreezeRun) run = unfreeze_run_new (&kept_mode, unfreeze_test_fixture_get_database (),
                                                      "MSFT", 0, 5);
      UnfreezeTestObserved observed;

      memset (&kept_rows, 0, sizeof kept_rows);
      unfreeze_run_set_cpu_ms (run, cpu_ms[i]);
      unfreeze_test_observe_run (run, &observed);
      unfreeze_run_start (run);
      wait_run (&observed);

      g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
      g_assert_cmpuint (kept_rows.n_errors, ==, 0);
      g_assert_cmpuint (kept_rows.n_kept, ==, cpu_ms[i] == 0 ? 1 : 5);
      g_assert_cmpuint (kept_rows.n_dropped, ==, cpu_ms[i] == 0 ? 4 : 0);
      /* The window's table: the kept rows, complete. */
      g_assert_cmpuint (unfreeze_run_get_n_rows (run), ==, unfreeze_test_expected_rows ("MSFT"));
    }
}

/* (a2b) Which queries ask for rows: the first (the window shows its rows), or every one when
 * there is an analysis. A query that asks for none still runs on the server, its delay
 * included, and answers with the same columns and no rows. */
static void
test_without_rows (void)
{
  UnfreezeDatabase *database = unfreeze_test_fixture_get_database ();
  g_autoptr(UnfreezeRun) run = unfreeze_run_new (unfreeze_modes_lookup ("mainloop"), database,
                                                  "MSFT", 0.2, 3);
  g_autoptr(GError) error = NULL;
  PGresult *result;
  PGconn *conn;
  gint64 begin;

  g_assert_true (unfreeze_run_wants_rows (run, 0));
  g_assert_false (unfreeze_run_wants_rows (run, 1));
  g_assert_false (unfreeze_run_wants_rows (run, 2));
  unfreeze_run_set_cpu_ms (run, 1);
  g_assert_true (unfreeze_run_wants_rows (run, 2));

  conn = unfreeze_database_acquire (database, &error);
  g_assert_no_error (error);
  begin = g_get_monotonic_time ();
  result = unfreeze_query_exec (conn, "MSFT", 0.2, FALSE, &error);
  g_assert_no_error (error);
  /* pg_sleep() sleeps at least this long: the statement did run. */
  g_assert_cmpint (g_get_monotonic_time () - begin, >=, G_USEC_PER_SEC / 5);
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  g_assert_cmpint (PQnfields (result), ==, UNFREEZE_N_COLUMNS);
  g_assert_cmpint (PQntuples (result), ==, 0);
  PQclear (result);

  result = unfreeze_query_exec (conn, "MSFT", 0.0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (PQntuples (result), ==, unfreeze_test_expected_rows ("MSFT"));
  PQclear (result);
  unfreeze_database_release (database, conn);
}

/* Starts a main-loop run whose every query fetches its rows: with an analysis (of 1 ms). */
static UnfreezeRun *
start_fetching_all (double                delay,
                    guint                 count,
                    UnfreezeTestObserved *observed)
{
  UnfreezeRun *run = unfreeze_run_new (unfreeze_modes_lookup ("mainloop"),
                                       unfreeze_test_fixture_get_database (), "MSFT", delay, count);

  unfreeze_run_set_cpu_ms (run, 1);
  unfreeze_test_observe_run (run, observed);
  unfreeze_run_start (run);
  return run;
}

/* QUERY spans (one per statement sent): how many, and the first and last one's start. */
static guint
count_sent (UnfreezeRun *run,
            gint64      *first,
            gint64      *last)
{
  g_autoptr(GArray) spans = unfreeze_run_dup_spans (run);
  guint n_sent = 0;

  *first = G_MAXINT64;
  *last = 0;
  for (guint i = 0; i < spans->len; i++)
    {
      const UnfreezeSpan *span = &g_array_index (spans, UnfreezeSpan, i);

      if (span->kind != UNFREEZE_SPAN_QUERY)
        continue;
      n_sent++;
      *first = MIN (*first, span->begin_us);
      *last = MAX (*last, span->begin_us);
    }
  return n_sent;
}

/* (a3) Statements with a server delay go out spaced (their server processes would otherwise
 * all wake together when the delay ends): the sends of ten queries at once, read from their
 * QUERY spans, are at least nine spacings apart, first to last (a lower bound: a slow machine
 * only spreads them more). Statements that fetch rows are spaced more than those that fetch
 * none: ten that all fetch rows (with an analysis), then ten of which nine fetch none. */
static void
test_spaced (void)
{
  gint64 spacing = unfreeze_mode_mainloop_get_send_spacing_us (TRUE);
  gint64 spacing_no_rows = unfreeze_mode_mainloop_get_send_spacing_us (FALSE);

  g_assert_cmpint (spacing_no_rows, >=, 100);
  g_assert_cmpint (spacing, >, spacing_no_rows);

  for (guint with_rows = 0; with_rows < 2; with_rows++)
    {
      g_autoptr(UnfreezeRun) run = NULL;
      UnfreezeTestObserved observed;
      gint64 first, last;
      /* The first statement goes at once; nine follow, spaced. */
      gint64 expected = 9 * (with_rows ? spacing : spacing_no_rows);

      if (with_rows)
        run = start_fetching_all (0.2, 10, &observed);
      else
        run = unfreeze_test_start_run ("mainloop", unfreeze_test_fixture_get_database (), "MSFT",
                                       0.2, 10, &observed);
      wait_run (&observed);
      g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
      g_assert_cmpuint (count_sent (run, &first, &last), ==, 10);
      g_test_message ("10 statements (%s) sent over %" G_GINT64_FORMAT " us, at least %"
                      G_GINT64_FORMAT " expected", with_rows ? "all with rows" : "9 without rows",
                      last - first, expected);
      g_assert_cmpint (last - first, >=, expected - 500);
      g_assert_cmpuint (unfreeze_run_get_n_rows (run), ==, unfreeze_test_expected_rows ("MSFT"));
    }
}

/* (b) One thread: none is created before, during (while the server sleeps) or after. */
static void
test_no_thread (void)
{
  g_autoptr(GHashTable) before = unfreeze_test_dup_thread_ids ();
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(UnfreezeRun) run = NULL;
  ThreadSampler sampler = { before, 0, 0, 0 };
  UnfreezeTestObserved observed;

  run = run_mainloop_sampled ("MSFT", 1.0, 1, &observed, &sampler);
  after = unfreeze_test_dup_thread_ids ();

  g_test_message ("threads before %u, at most %u during (%u samples), %u new; after %u",
                  g_hash_table_size (before), sampler.max_threads, sampler.n_samples,
                  sampler.max_new, g_hash_table_size (after));
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
  g_assert_cmpuint (sampler.n_samples, >=, 5);
  assert_no_new_thread (&sampler);
}

/* (g) The main loop never stalls while the server takes a second. */
static void
test_no_stall (void)
{
  g_autoptr(UnfreezeRun) run = NULL;
  UnfreezeTestObserved observed;

  run = run_mainloop ("MSFT", 1.0, 1, &observed);

  g_test_message ("1 query, delay 1 s: longest stall %" G_GINT64_FORMAT " us, elapsed %" G_GINT64_FORMAT " ms",
                  unfreeze_run_get_longest_stall_us (run), unfreeze_run_get_elapsed_us (run) / 1000);
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
  g_assert_cmpint (unfreeze_run_get_elapsed_us (run), >=, G_USEC_PER_SEC);
  if (unfreeze_test_timing_is_reliable ())
    g_assert_cmpint (unfreeze_run_get_longest_stall_us (run), <, 150 * 1000);
}

/* A ticker of BIG_ROWS rows, made once, for the tests that need rows to stream a while. */
static void
ensure_big_ticker (void)
{
  static gboolean done;
  g_autofree char *value = NULL;

  if (done)
    return;

  value = unfreeze_test_query_value ("WITH added AS ("
                                     "  INSERT INTO stock_prices"
                                     "  SELECT '" BIG_TICKER "', DATE '1900-01-01' + i, 1, 2, 0.5, 1.5, i"
                                     "    FROM generate_series (0, " G_STRINGIFY (BIG_ROWS) " - 1) AS i"
                                     "  ON CONFLICT DO NOTHING RETURNING 1)"
                                     " SELECT count(*) FROM added");
  g_assert_cmpuint (unfreeze_test_expected_rows (BIG_TICKER), ==, BIG_ROWS);
  done = TRUE;
}

/* Gives the pool a connection whose libpq input buffer has grown to megabytes (it never
 * shrinks): each PQconsumeInput() then takes in thousands of rows at once, more than one
 * slice can handle, so the rest must wait inside libpq for the idle that continues. */
static void
prime_pool_with_big_buffer (void)
{
  UnfreezeDatabase *database = unfreeze_test_fixture_get_database ();
  g_autoptr(GError) error = NULL;
  PGconn *conn = unfreeze_database_acquire (database, &error);

  g_assert_no_error (error);
  PQclear (PQexec (conn, "SELECT repeat ('x', 8000000)"));
  unfreeze_database_release (database, conn);
}

/* Many rows arrive in slices: shown early, the model grows, no slice runs long, and rows
 * left inside libpq at the end of a slice are not forgotten. */
static void
test_big_result_in_slices (gconstpointer data)
{
  gboolean big_buffer = GPOINTER_TO_INT (data);
  g_autoptr(UnfreezeRun) run = NULL;
  g_autoptr(GArray) spans = NULL;
  UnfreezeTestObserved observed;
  gint64 longest_fetch_us = 0;
  guint n_fetch = 0;

  ensure_big_ticker ();
  if (big_buffer)
    prime_pool_with_big_buffer ();
  run = run_mainloop (BIG_TICKER, 0, 1, &observed);

  spans = unfreeze_run_dup_spans (run);
  for (guint i = 0; i < spans->len; i++)
    {
      const UnfreezeSpan *span = &g_array_index (spans, UnfreezeSpan, i);

      g_assert_cmpuint (span->thread_id, ==, 0);
      if (span->kind == UNFREEZE_SPAN_FETCH)
        {
          n_fetch++;
          longest_fetch_us = MAX (longest_fetch_us, span->end_us - span->begin_us);
        }
    }

  g_test_message ("%u rows: %u fetch slices (longest %" G_GINT64_FORMAT " us), first shown with "
                  "%u rows, longest stall %" G_GINT64_FORMAT " us, elapsed %" G_GINT64_FORMAT " ms",
                  unfreeze_run_get_n_rows (run), n_fetch, longest_fetch_us,
                  observed.rows_at_first_signal, unfreeze_run_get_longest_stall_us (run),
                  unfreeze_run_get_elapsed_us (run) / 1000);
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
  assert_rows_are (unfreeze_run_get_rows (run), BIG_TICKER);
  g_assert_cmpuint (observed.rows_at_first_signal, >, 0);
  g_assert_cmpuint (observed.rows_at_first_signal, <, BIG_ROWS);
  g_assert_cmpuint (n_fetch, >, 10);
  /* Slices end at their 3 ms budget (plus one row and the commit), whatever libpq holds. */
  if (unfreeze_test_timing_is_reliable ())
    g_assert_cmpint (longest_fetch_us, <, 50 * 1000);
  if (unfreeze_test_timing_is_reliable ())
    g_assert_cmpint (unfreeze_run_get_longest_stall_us (run), <, 150 * 1000);
}

/* (d) The server ends the connection while rows stream: an error, after some rows. */
typedef struct
{
  guint n_terminated;
  guint retry_id;
} Terminator;

static gboolean
terminate_backend (gpointer user_data)
{
  Terminator *terminator = user_data;
  g_autofree char *value =
    unfreeze_test_query_value ("SELECT count(pg_terminate_backend (pid)) FROM pg_stat_activity"
                               " WHERE application_name = 'Unfreeze' AND state = 'active'"
                               "   AND query LIKE 'SELECT ticker, traded_at%'");

  terminator->n_terminated = (guint) g_ascii_strtoull (value, NULL, 10);
  if (terminator->n_terminated > 0)
    {
      terminator->retry_id = 0;
      return G_SOURCE_REMOVE;
    }

  /* Under Valgrind the server may not show the query as active yet: try again shortly. */
  if (terminator->retry_id == 0)
    terminator->retry_id = g_timeout_add (50, terminate_backend, terminator);

  return G_SOURCE_CONTINUE;
}

static void
terminate_backend_cb (UnfreezeRun  *run,
                      UnfreezeRows *rows,
                      Terminator   *terminator)
{
  if (terminator->n_terminated == 0 && terminator->retry_id == 0)
    terminate_backend (terminator);
}

/* Closes the pool's idle connections, so that the next run opens a new one. A connection's
 * input buffer only grows: one that once took in megabytes (the cases above) can hold most
 * of a big result, and then the server, its rows sent, is no longer busy with the query
 * when the test looks (seen under Valgrind, where reading the rows is slow). */
static void
close_idle_connections (void)
{
  UnfreezeDatabase *database = unfreeze_test_fixture_get_database ();
  PGconn *conn;

  while ((conn = unfreeze_database_try_acquire_idle (database)) != NULL)
    unfreeze_database_close (database, conn);
}

static void
test_error_mid_result (void)
{
  g_autoptr(UnfreezeRun) run = NULL;
  const GError *error;
  UnfreezeTestObserved observed;
  Terminator terminator = { 0, 0 };

  ensure_big_ticker ();
  close_idle_connections ();
  run = unfreeze_run_new (unfreeze_modes_lookup ("mainloop"), unfreeze_test_fixture_get_database (),
                          BIG_TICKER, 0, 1);
  /* Observed first: its "rows" handler runs before the one that ends the backend. */
  unfreeze_test_observe_run (run, &observed);
  g_signal_connect (run, "rows", G_CALLBACK (terminate_backend_cb), &terminator);
  unfreeze_run_start (run);
  wait_run (&observed);
  g_clear_handle_id (&terminator.retry_id, g_source_remove);

  error = unfreeze_run_get_error (run);
  g_test_message ("terminated %u backend(s) at %u rows; run ended with %u rows: %s",
                  terminator.n_terminated, observed.rows_at_first_signal, unfreeze_run_get_n_rows (run),
                  error != NULL ? error->message : "no error");
  g_assert_cmpuint (terminator.n_terminated, ==, 1);
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_ERROR);
  g_assert_error ((GError *) error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_LOST);
  g_assert_cmpuint (observed.n_error_signals, ==, 1);
  g_assert_cmpuint (observed.rows_at_first_signal, >, 0);
  g_assert_cmpuint (unfreeze_run_get_n_rows (run), <, BIG_ROWS);
  g_assert_cmpuint (unfreeze_test_count_active_queries (), ==, 0);
}

/* (e) Cancel during the server's 10 s: over within a second, nothing left running on the
 * server, and the next run reuses that very connection. */
typedef struct
{
  UnfreezeRun *run;
  gint64       cancelled_us;
  char        *pid;          /* the backend running the query, if asked for */
} Canceller;

static gboolean
cancel_cb (gpointer user_data)
{
  Canceller *canceller = user_data;

  if (canceller->pid == NULL)
    canceller->pid = unfreeze_test_query_value ("SELECT pid FROM pg_stat_activity"
                                                " WHERE application_name = 'Unfreeze'"
                                                "   AND state = 'active'");
  canceller->cancelled_us = g_get_monotonic_time ();
  unfreeze_run_cancel (canceller->run);

  return G_SOURCE_REMOVE;
}

static char *
dup_query_start (const char *pid)
{
  g_autofree char *sql = g_strdup_printf ("SELECT query_start || ' ' || state FROM pg_stat_activity"
                                          " WHERE pid = %s", pid);

  return unfreeze_test_query_value (sql);
}

/* Before libpq 17 the mode cancels with a statement on another connection, never with the
 * blocking PQcancel(): the server saw @n_expected such statements since @since (a
 * timestamp of the server's), each over and its connection idle in the pool. */
static void
assert_cancelled_by_statement (const char *since,
                               guint       n_expected)
{
#ifndef LIBPQ_HAS_ASYNC_CANCEL
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM pg_stat_activity"
                                          " WHERE query LIKE 'SELECT pg_cancel_backend(pid) FROM%%'"
                                          "   AND state = 'idle'"
                                          "   AND query_start > '%s'::timestamptz", since);
  g_autofree char *count = unfreeze_test_query_value (sql);
  g_autofree char *expected = g_strdup_printf ("%u", n_expected);

  g_assert_cmpstr (count, ==, expected);
#endif
}

static void
test_cancel (void)
{
  UnfreezeDatabase *database = unfreeze_test_fixture_get_database ();
  g_autoptr(UnfreezeRun) run = NULL;
  g_autoptr(UnfreezeRun) next = NULL;
  g_autofree char *started = NULL;
  g_autofree char *started_next = NULL;
  Canceller canceller = { NULL, 0, NULL };
  UnfreezeTestObserved observed;
  guint n_connections;
  gint64 latency_us;

  g_autofree char *before = unfreeze_test_query_value ("SELECT clock_timestamp()::text");

  run = unfreeze_test_start_run ("mainloop", database, "MSFT", 10, 1, &observed);
  canceller.run = run;
  g_timeout_add (200, cancel_cb, &canceller);
  wait_run (&observed);
  assert_cancelled_by_statement (before, 1);

  latency_us = observed.finished_us - canceller.cancelled_us;
  g_test_message ("cancelled at %" G_GINT64_FORMAT " ms, over %" G_GINT64_FORMAT " us later; "
                  "longest stall %" G_GINT64_FORMAT " us",
                  unfreeze_run_get_elapsed_us (run) / 1000 - latency_us / 1000, latency_us,
                  unfreeze_run_get_longest_stall_us (run));
  g_assert_cmpint (canceller.cancelled_us, >, 0);
  g_assert_nonnull (canceller.pid);
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_CANCELLED);
  g_assert_cmpint (latency_us, <, G_USEC_PER_SEC);
  g_assert_cmpuint (observed.n_error_signals, ==, 0);
  g_assert_cmpuint (unfreeze_test_count_active_queries (), ==, 0);

  /* The cancelled connection is idle in the pool; the next run takes it, connecting none. */
  started = dup_query_start (canceller.pid);
  g_assert_true (g_str_has_suffix (started, " idle"));
  n_connections = unfreeze_database_get_n_connections (database);
  next = run_mainloop ("MSFT", 0, 1, &observed);
  started_next = dup_query_start (canceller.pid);

  g_assert_cmpint (unfreeze_run_get_result (next), ==, UNFREEZE_RUN_RESULT_OK);
  assert_rows_are (unfreeze_run_get_rows (next), "MSFT");
  g_assert_cmpuint (unfreeze_database_get_n_connections (database), ==, n_connections);
  g_assert_cmpstr (started_next, !=, started);
  g_assert_true (g_str_has_suffix (started_next, " idle"));
  g_free (canceller.pid);
}

/* Cancel with fifty queries in flight: all stop, none is left running on the server. */
static void
test_cancel_fifty (void)
{
  UnfreezeDatabase *database = unfreeze_test_fixture_get_database ();
  g_autoptr(UnfreezeRun) run = NULL;
  g_autofree char *before = unfreeze_test_query_value ("SELECT clock_timestamp()::text");
  Canceller canceller = { NULL, 0, (char *) "(not asked)" };
  UnfreezeTestObserved observed;
  gint64 latency_us;

  run = unfreeze_test_start_run ("mainloop", database, "MSFT", 10, 50, &observed);
  canceller.run = run;
  g_timeout_add (1000, cancel_cb, &canceller);
  wait_run (&observed);
  /* Fifty cancelled in one turn of the loop: one request for all of them. */
  assert_cancelled_by_statement (before, 1);

  latency_us = observed.finished_us - canceller.cancelled_us;
  g_test_message ("50 queries cancelled: over %" G_GINT64_FORMAT " us later; longest stall %"
                  G_GINT64_FORMAT " us",
                  latency_us, unfreeze_run_get_longest_stall_us (run));
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_CANCELLED);
  g_assert_cmpuint (unfreeze_run_get_n_finished (run), ==, 50);
  /* Ten seconds is the server's own sleep: the cancel requests must beat it. */
  g_assert_cmpint (latency_us, <, 9 * G_USEC_PER_SEC);
  g_assert_cmpuint (unfreeze_test_count_active_queries (), ==, 0);
}

/* Cancel while statements still wait for their time (200 that fetch rows take 1.2 s / cores): the
 * ones not sent yet are never sent, the ones sent are cancelled by one request, and the run
 * ends well before the server's sleep would. */
static void
test_cancel_while_spaced (void)
{
  g_autoptr(UnfreezeRun) run = NULL;
  g_autoptr(GArray) spans = NULL;
  g_autofree char *before = unfreeze_test_query_value ("SELECT clock_timestamp()::text");
  Canceller canceller = { NULL, 0, (char *) "(not asked)" };
  UnfreezeTestObserved observed;
  guint n_sent = 0;

  run = start_fetching_all (10, 200, &observed);
  canceller.run = run;
  /* A few spacings in: some statements are out, most wait. */
  g_timeout_add ((guint) (unfreeze_mode_mainloop_get_send_spacing_us (TRUE) * 20 / 1000), cancel_cb, &canceller);
  wait_run (&observed);
  assert_cancelled_by_statement (before, 1);

  spans = unfreeze_run_dup_spans (run);
  for (guint i = 0; i < spans->len; i++)
    if (g_array_index (spans, UnfreezeSpan, i).kind == UNFREEZE_SPAN_QUERY)
      n_sent++;
  g_test_message ("200 queries cancelled while spaced: %u sent, over %" G_GINT64_FORMAT " us later",
                  n_sent, observed.finished_us - canceller.cancelled_us);
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_CANCELLED);
  g_assert_cmpuint (unfreeze_run_get_n_finished (run), ==, 200);
  g_assert_cmpuint (n_sent, >, 0);
  g_assert_cmpuint (n_sent, <, 200);
  g_assert_cmpint (observed.finished_us - canceller.cancelled_us, <, 9 * G_USEC_PER_SEC);
  g_assert_cmpuint (unfreeze_test_count_active_queries (), ==, 0);
}

/* Fake servers on a Unix socket, served by this very main loop: a client that blocked in
 * connect would never let them answer. */
typedef enum
{
  FAKE_GARBAGE,   /* answers the startup packet with nonsense and hangs up */
  FAKE_SILENT,    /* accepts and never says a word */
} FakeBehaviour;

typedef struct
{
  char             *dir;
  GSocketService   *service;
  FakeBehaviour     behaviour;
  guint             n_accepted;
  GPtrArray        *held;
  UnfreezeDatabase *database;
} FakeServer;

static gboolean
fake_incoming_cb (GSocketService    *service,
                  GSocketConnection *connection,
                  GObject           *source_object,
                  FakeServer        *fake)
{
  static const char garbage[] = "HTTP/1.0 400 Bad Request\r\n\r\n";

  fake->n_accepted++;
  if (fake->behaviour == FAKE_SILENT)
    {
      g_ptr_array_add (fake->held, g_object_ref (connection));
      return TRUE;
    }

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             garbage, sizeof garbage - 1, NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  return TRUE;
}

static void
fake_server_start (FakeServer *fake)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *conninfo = NULL;

  fake->dir = g_dir_make_tmp ("unfreeze-fake-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fake->dir, ".s.PGSQL.5432", NULL);
  address = g_unix_socket_address_new (path);
  fake->held = g_ptr_array_new_with_free_func (g_object_unref);
  fake->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (fake->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (fake->service, "incoming", G_CALLBACK (fake_incoming_cb), fake);
  g_socket_service_start (fake->service);

  /* Preparing fails (garbage instead of a server), but it gives runs the connection string. */
  fake->behaviour = FAKE_GARBAGE;
  conninfo = g_strdup_printf ("host=%s port=5432 dbname=postgres user=unfreeze", fake->dir);
  fake->database = unfreeze_database_new (conninfo);
  unfreeze_database_prepare_async (fake->database, NULL, unfreeze_test_async_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (unfreeze_database_prepare_finish (fake->database, result, &error));
  g_assert_error (error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_CONNECT);
  g_assert_cmpuint (fake->n_accepted, ==, 1);
}

static void
fake_server_stop (FakeServer *fake)
{
  g_autofree char *path = g_build_filename (fake->dir, ".s.PGSQL.5432", NULL);

  g_socket_service_stop (fake->service);
  g_socket_listener_close (G_SOCKET_LISTENER (fake->service));
  g_clear_object (&fake->service);
  g_clear_pointer (&fake->held, g_ptr_array_unref);
  g_clear_object (&fake->database);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (fake->dir), ==, 0);
  g_clear_pointer (&fake->dir, g_free);
}

/* (c) The connection fails in the middle of the handshake: a CONNECT error, no stall. */
static void
test_handshake_failure (void)
{
  g_autoptr(UnfreezeRun) run = NULL;
  FakeServer fake = { 0 };
  const GError *error;
  UnfreezeTestObserved observed;

  fake_server_start (&fake);
  run = unfreeze_test_start_run ("mainloop", fake.database, "MSFT", 0, 1, &observed);
  wait_run (&observed);

  error = unfreeze_run_get_error (run);
  g_test_message ("%s; longest stall %" G_GINT64_FORMAT " us", error != NULL ? error->message : "no error",
                  unfreeze_run_get_longest_stall_us (run));
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_ERROR);
  g_assert_error ((GError *) error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_CONNECT);
  g_assert_cmpstr (error->message, !=, "");
  g_assert_cmpuint (fake.n_accepted, ==, 2);
  g_assert_cmpuint (observed.n_error_signals, ==, 1);
  g_assert_cmpuint (observed.n_rows_signals, ==, 0);
  g_assert_cmpuint (unfreeze_database_get_n_connections (fake.database), ==, 0);
  if (unfreeze_test_timing_is_reliable ())
    g_assert_cmpint (unfreeze_run_get_longest_stall_us (run), <, 150 * 1000);

  fake_server_stop (&fake);
}

/* Cancel before the connection is up: the attempt is simply dropped, long before the
 * mode's own connect_timeout timer (10 s; libpq ignores connect_timeout with
 * PQconnectPoll()) would end it. */
static void
test_cancel_while_connecting (void)
{
  g_autoptr(UnfreezeRun) run = NULL;
  FakeServer fake = { 0 };
  Canceller canceller = { NULL, 0, (char *) "(not asked)" };
  UnfreezeTestObserved observed;

  fake_server_start (&fake);
  fake.behaviour = FAKE_SILENT;
  run = unfreeze_test_start_run ("mainloop", fake.database, "MSFT", 0, 1, &observed);
  canceller.run = run;
  g_timeout_add (200, cancel_cb, &canceller);
  wait_run (&observed);

  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_CANCELLED);
  g_assert_cmpint (observed.finished_us - canceller.cancelled_us, <, G_USEC_PER_SEC);
  g_assert_cmpuint (fake.n_accepted, ==, 2);
  g_assert_cmpuint (fake.held->len, ==, 1);
  g_assert_cmpuint (unfreeze_database_get_n_connections (fake.database), ==, 0);
  if (unfreeze_test_timing_is_reliable ())
    g_assert_cmpint (unfreeze_run_get_longest_stall_us (run), <, 150 * 1000);

  fake_server_stop (&fake);
}

/* No server at all: connecting fails at once, with libpq's message. */
static void
test_no_server (void)
{
  g_autoptr(UnfreezeDatabase) database = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) prepare_error = NULL;
  g_autoptr(UnfreezeRun) run = NULL;
  g_autofree char *conninfo = NULL;
  const GError *error;
  UnfreezeTestObserved observed;

  conninfo = g_strdup_printf ("host=%s/no-such-dir port=1", unfreeze_test_fixture_get_tmpdir ());
  database = unfreeze_database_new (conninfo);
  unfreeze_database_prepare_async (database, NULL, unfreeze_test_async_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (unfreeze_database_prepare_finish (database, result, &prepare_error));

  run = unfreeze_test_start_run ("mainloop", database, "MSFT", 0, 1, &observed);
  wait_run (&observed);

  error = unfreeze_run_get_error (run);
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_ERROR);
  g_assert_error ((GError *) error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_CONNECT);
  g_assert_nonnull (strstr (error->message, "no-such-dir"));
  g_assert_cmpuint (observed.n_error_signals, ==, 1);
  g_assert_cmpuint (unfreeze_database_get_n_connections (database), ==, 0);
}

/* (f) Fifty queries at once: fifty sockets, still one thread. */
static void
test_fifty (void)
{
  g_autoptr(GHashTable) before = unfreeze_test_dup_thread_ids ();
  g_autoptr(UnfreezeRun) run = NULL;
  ThreadSampler sampler = { before, 0, 0, 0 };
  UnfreezeTestObserved observed;

  run = run_mainloop_sampled ("MSFT", 0.5, 50, &observed, &sampler);

  g_test_message ("50 queries, delay 0.5 s: elapsed %" G_GINT64_FORMAT " ms, longest stall %"
                  G_GINT64_FORMAT " us; threads before %u, at most %u during, %u new",
                  unfreeze_run_get_elapsed_us (run) / 1000, unfreeze_run_get_longest_stall_us (run),
                  g_hash_table_size (before), sampler.max_threads, sampler.max_new);
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
  g_assert_cmpuint (unfreeze_run_get_n_finished (run), ==, 50);
  assert_rows_are (unfreeze_run_get_rows (run), "MSFT");
  /* One after the other they would take 25 s, on any machine: under a checker, which slows
   * the reading of the rows, that is the bound. */
  g_assert_cmpint (unfreeze_run_get_elapsed_us (run), <,
                   (unfreeze_test_timing_is_reliable () ? 10 : 24) * G_USEC_PER_SEC);
  assert_no_new_thread (&sampler);
}

/* (h) Two hundred queries at once. A "frame" ticks every 5 ms at GTK's redraw priority, as
 * a window's frame clock would: it must get its turns while the connections are started
 * (they are started a few per turn, not all in one callback) and never wait long. */
typedef struct
{
  UnfreezeDatabase *database;
  guint             connections_before;
  guint             n_ticks;
  guint             n_ticks_while_starting;   /* some, not all, new connections started */
  guint             needed;                   /* new connections the run must open */
  gint64            last_tick_us;
  gint64            longest_gap_us;
} FrameProbe;

static gboolean
frame_tick_cb (gpointer user_data)
{
  FrameProbe *probe = user_data;
  gint64 now = g_get_monotonic_time ();
  guint opened = unfreeze_database_get_n_connections (probe->database) - probe->connections_before;

  if (probe->n_ticks > 0)
    probe->longest_gap_us = MAX (probe->longest_gap_us, now - probe->last_tick_us);
  probe->last_tick_us = now;
  probe->n_ticks++;
  if (opened > 0 && opened < probe->needed)
    probe->n_ticks_while_starting++;

  return G_SOURCE_CONTINUE;
}

/* What the Threads view would mark as blocking calls on the main thread. */
static void
log_blocking_calls (UnfreezeRun *run)
{
  g_autoptr(GArray) spans = unfreeze_run_dup_spans (run);
  g_autoptr(GString) text = g_string_new (NULL);
  guint n = 0;

  for (guint i = 0; i < spans->len; i++)
    {
      const UnfreezeSpan *span = &g_array_index (spans, UnfreezeSpan, i);

      if (span->kind != UNFREEZE_SPAN_BLOCKING_CALL)
        continue;
      g_assert_nonnull (span->label);
      g_assert_cmpint (span->end_us - span->begin_us, >=, UNFREEZE_RUN_BLOCKING_CALL_US);
      if (n++ < 20)
        g_string_append_printf (text, " %s %" G_GINT64_FORMAT " us at %" G_GINT64_FORMAT " ms;",
                                span->label, span->end_us - span->begin_us, span->begin_us / 1000);
    }
  g_test_message ("%u blocking call(s) over %d us:%s", n, UNFREEZE_RUN_BLOCKING_CALL_US, text->str);
}

static void
test_two_hundred (void)
{
  UnfreezeDatabase *database = unfreeze_test_fixture_get_database ();
  g_autoptr(UnfreezeRun) run = NULL;
  FrameProbe probe = { database, 0 };
  UnfreezeTestObserved observed;
  GSource *frames;

  /* Only idle connections are open now: the pool gives at most that many. */
  probe.connections_before = unfreeze_database_get_n_connections (database);
  probe.needed = 200 - MIN (probe.connections_before, 200);
  frames = g_timeout_source_new (5);
  g_source_set_priority (frames, G_PRIORITY_HIGH_IDLE + 20);   /* GDK_PRIORITY_REDRAW */
  g_source_set_callback (frames, frame_tick_cb, &probe, NULL);
  g_source_attach (frames, NULL);

  run = unfreeze_test_start_run ("mainloop", database, "MSFT", 0.5, 200, &observed);
  wait_run (&observed);
  g_source_destroy (frames);
  g_source_unref (frames);

  log_blocking_calls (run);
  g_test_message ("200 queries, delay 0.5 s: elapsed %" G_GINT64_FORMAT " ms; %u frames, %u "
                  "while connections were being started (%u new), longest gap %" G_GINT64_FORMAT
                  " us; longest stall %" G_GINT64_FORMAT " us",
                  unfreeze_run_get_elapsed_us (run) / 1000, probe.n_ticks,
                  probe.n_ticks_while_starting, probe.needed, probe.longest_gap_us,
                  unfreeze_run_get_longest_stall_us (run));
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
  g_assert_cmpuint (unfreeze_run_get_n_finished (run), ==, 200);
  assert_rows_are (unfreeze_run_get_rows (run), "MSFT");
  g_assert_cmpuint (unfreeze_test_count_active_queries (), ==, 0);
  /* The frames were not held back until every connection had started. */
  g_assert_cmpuint (probe.needed, >, 10);
  g_assert_cmpuint (probe.n_ticks_while_starting, >=, 2);
  g_assert_cmpuint (probe.n_ticks, >=, 10);
  /* Very generous (a loaded machine shows single calls into libpq of 10 ms and more): one
   * callback for all the starts took ~400 ms on a quiet one. */
  if (unfreeze_test_timing_is_reliable ())
    g_assert_cmpint (probe.longest_gap_us, <, 300 * 1000);
}

/* (i) A main loop that is never free below drawing (each frame longer than the screen's):
 * the sockets' priority is never reached, and the runs still end, with every row, from the
 * safety net's turns. */
static gboolean
busy_frame_cb (gpointer user_data)
{
  guint *n = user_data;

  (*n)++;
  g_usleep (5 * 1000);

  return G_SOURCE_CONTINUE;
}

static void
test_never_idle (void)
{
  g_autoptr(UnfreezeRun) run = NULL;
  UnfreezeTestObserved observed;
  guint n_frames = 0;
  guint busy;

  busy = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 20, busy_frame_cb, &n_frames, NULL);
  run = run_mainloop ("MSFT", 0.2, 3, &observed);
  g_source_remove (busy);

  g_test_message ("never idle: %u busy frames, elapsed %" G_GINT64_FORMAT " ms", n_frames,
                  unfreeze_run_get_elapsed_us (run) / 1000);
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
  g_assert_cmpuint (unfreeze_run_get_n_finished (run), ==, 3);
  assert_rows_are (unfreeze_run_get_rows (run), "MSFT");
  g_assert_cmpuint (n_frames, >, 0);
}

/* (j) A call into libpq that takes 2 ms or more, waiting or computing, is a blocking call on
 * the timeline, named; a quick one leaves no trace. */
static void
test_note_call (void)
{
  g_autoptr(UnfreezeRun) run = unfreeze_run_new (unfreeze_modes_lookup ("mainloop"),
                                                 unfreeze_test_fixture_get_database (),
                                                 "MSFT", 0, 1);
  g_autoptr(GArray) spans = NULL;
  UnfreezeCallClock begin;
  UnfreezeCallClock now;

  unfreeze_call_clock_read (&begin);
  g_assert_false (unfreeze_run_note_call (run, "PQflush", &begin));

  /* It waits: the thread sleeps inside the call. */
  unfreeze_call_clock_read (&begin);
  g_usleep (UNFREEZE_RUN_BLOCKING_CALL_US + 1000);
  g_assert_true (unfreeze_run_note_call (run, "PQconnectPoll", &begin));

  /* It computes: the thread's own CPU time. */
  unfreeze_call_clock_read (&begin);
  do
    unfreeze_call_clock_read (&now);
  while (now.cpu_us >= 0 && now.cpu_us - begin.cpu_us < UNFREEZE_RUN_BLOCKING_CALL_US + 1000);
  g_assert_true (unfreeze_run_note_call (run, "PQgetResult", &begin));

  spans = unfreeze_run_dup_spans (run);
  g_assert_cmpuint (spans->len, ==, 2);
  for (guint i = 0; i < spans->len; i++)
    {
      const UnfreezeSpan *span = &g_array_index (spans, UnfreezeSpan, i);

      g_assert_cmpint (span->kind, ==, UNFREEZE_SPAN_BLOCKING_CALL);
      g_assert_cmpstr (span->label, ==, i == 0 ? "PQconnectPoll" : "PQgetResult");
      g_assert_cmpuint (span->thread_id, ==, 0);
      g_assert_cmpint (span->end_us - span->begin_us, >=, UNFREEZE_RUN_BLOCKING_CALL_US);
    }
  g_assert_cmpuint (unfreeze_run_get_n_preempted_calls (run), ==, 0);
}

static void
assert_host_to_resolve (const char *conninfo,
                        const char *expected)
{
  g_autofree char *host = unfreeze_conninfo_dup_host_to_resolve (conninfo);

  g_test_message ("\"%s\" -> %s", conninfo, host != NULL ? host : "(nothing to look up)");
  g_assert_cmpstr (host, ==, expected);
}

/* (k) Which host names libpq would look up itself (blocking), from libpq's own reading of the
 * connection string and the PG* variables. */
static void
test_host_to_resolve (void)
{
  static const struct { const char *conninfo; const char *host; } cases[] = {
    { "host=db.example.com dbname=x", "db.example.com" },
    { "postgresql://db.example.com:5433/x", "db.example.com" },
    { "host=/var/run/postgresql port=5432", NULL },
    { "postgresql:///x?host=/tmp", NULL },
    { "host=@abstract", NULL },
    { "host=127.0.0.1", NULL },
    { "host=::1", NULL },
    { "host=db.example.com hostaddr=192.0.2.1", NULL },
    { "host=a.example,b.example", NULL },
    { "service=demo host=db.example.com", NULL },
    { "dbname=x", NULL },
    { "not a conninfo", NULL },
  };
  static const char * const vars[] = { "PGHOST", "PGHOSTADDR", "PGSERVICE" };
  char **saved = unfreeze_test_env_clear (vars, G_N_ELEMENTS (vars));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_host_to_resolve (cases[i].conninfo, cases[i].host);

  /* The variables count where the string says nothing. */
  g_setenv ("PGHOST", "env.example.com", TRUE);
  assert_host_to_resolve ("", "env.example.com");
  assert_host_to_resolve ("dbname=x", "env.example.com");
  assert_host_to_resolve ("host=/tmp", NULL);
  g_setenv ("PGHOSTADDR", "192.0.2.1", TRUE);
  assert_host_to_resolve ("", NULL);

  unfreeze_test_env_restore (vars, G_N_ELEMENTS (vars), saved);
}

/* A resolver that knows one name, and counts the lookups. */
typedef struct
{
  GResolver     parent_instance;
  char         *name;
  GInetAddress *address;
  guint         n_lookups;
} FakeResolver;

typedef struct
{
  GResolverClass parent_class;
} FakeResolverClass;

static GType fake_resolver_get_type (void);
G_DEFINE_TYPE (FakeResolver, fake_resolver, G_TYPE_RESOLVER)

static void
fake_resolver_lookup_by_name_async (GResolver           *resolver,
                                    const char          *hostname,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  FakeResolver *self = (FakeResolver *) resolver;
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);

  self->n_lookups++;
  if (g_str_equal (hostname, self->name))
    g_task_return_pointer (task, g_list_append (NULL, g_object_ref (self->address)),
                           (GDestroyNotify) g_resolver_free_addresses);
  else
    g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                             "Unknown host %s", hostname);
}

static GList *
fake_resolver_lookup_by_name_finish (GResolver     *resolver,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
fake_resolver_finalize (GObject *object)
{
  FakeResolver *self = (FakeResolver *) object;

  g_free (self->name);
  g_clear_object (&self->address);
  G_OBJECT_CLASS (fake_resolver_parent_class)->finalize (object);
}

static void
fake_resolver_class_init (FakeResolverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fake_resolver_finalize;
  G_RESOLVER_CLASS (klass)->lookup_by_name_async = fake_resolver_lookup_by_name_async;
  G_RESOLVER_CLASS (klass)->lookup_by_name_finish = fake_resolver_lookup_by_name_finish;
}

static void
fake_resolver_init (FakeResolver *self)
{
}

/* (l) A host name is looked up by GLib's resolver, never by libpq, and libpq connects to the
 * address it found (as hostaddr). The name exists only in our resolver, and its address is
 * one nobody else would give: the fake server on 127.0.0.2 hears from the run only when the
 * name went that way. */
static void
test_resolve_host_name (void)
{
  g_autoptr(GResolver) system_resolver = g_resolver_get_default ();
  g_autoptr(GInetAddress) loopback2 = g_inet_address_new_from_string ("127.0.0.2");
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback2, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(UnfreezeDatabase) database = NULL;
  g_autoptr(UnfreezeRun) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = NULL;
  FakeServer fake = { NULL };
  FakeResolver *resolver;
  UnfreezeTestObserved observed;
  const GError *run_error;

  fake.held = g_ptr_array_new_with_free_func (g_object_unref);
  fake.behaviour = FAKE_GARBAGE;
  fake.service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (fake.service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error))
    {
      g_test_skip_printf ("cannot listen on 127.0.0.2: %s", error->message);
      g_clear_object (&fake.service);
      g_ptr_array_unref (fake.held);
      return;
    }
  g_signal_connect (fake.service, "incoming", G_CALLBACK (fake_incoming_cb), &fake);
  g_socket_service_start (fake.service);

  resolver = g_object_new (fake_resolver_get_type (), NULL);
  resolver->name = g_strdup ("unfreeze-test.invalid");
  resolver->address = g_object_ref (loopback2);
  g_resolver_set_default (G_RESOLVER (resolver));

  /* Preparing hands runs the connection string at once; its own (blocking) attempt in the
   * background fails, as libpq cannot find the name. Nobody waits for it. */
  conninfo = g_strdup_printf ("host=unfreeze-test.invalid port=%u dbname=postgres user=unfreeze",
                              g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  database = unfreeze_database_new (conninfo);
  unfreeze_database_prepare_async (database, NULL, NULL, NULL);

  run = unfreeze_test_start_run ("mainloop", database, "MSFT", 0, 1, &observed);
  wait_run (&observed);
  run_error = unfreeze_run_get_error (run);

  g_test_message ("%u lookup(s), %u connection(s) on 127.0.0.2; %s", resolver->n_lookups,
                  fake.n_accepted, run_error != NULL ? run_error->message : "no error");
  g_assert_cmpuint (resolver->n_lookups, ==, 1);
  g_assert_cmpuint (fake.n_accepted, ==, 1);
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_ERROR);
  g_assert_error (run_error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_CONNECT);
  g_assert_nonnull (strstr (run_error->message, "127.0.0.2"));

  g_resolver_set_default (system_resolver);
  g_object_unref (resolver);
  g_socket_service_stop (fake.service);
  g_socket_listener_close (G_SOCKET_LISTENER (fake.service));
  g_clear_object (&fake.service);
  g_ptr_array_unref (fake.held);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  unfreeze_test_init (&argc, &argv);

  unfreeze_test_fixture_setup_or_skip ();

  g_test_add_func ("/unfreeze/MainLoop/rows", test_rows);
  g_test_add_func ("/unfreeze/MainLoop/rows-kept", test_rows_kept);
  g_test_add_func ("/unfreeze/MainLoop/without-rows", test_without_rows);
  g_test_add_func ("/unfreeze/MainLoop/spaced", test_spaced);
  g_test_add_func ("/unfreeze/MainLoop/no-thread", test_no_thread);
  g_test_add_func ("/unfreeze/MainLoop/no-stall", test_no_stall);
  g_test_add_data_func ("/unfreeze/MainLoop/big-result-in-slices", GINT_TO_POINTER (FALSE),
                        test_big_result_in_slices);
  g_test_add_data_func ("/unfreeze/MainLoop/big-result-in-slices/big-buffer", GINT_TO_POINTER (TRUE),
                        test_big_result_in_slices);
  g_test_add_func ("/unfreeze/MainLoop/error-mid-result", test_error_mid_result);
  g_test_add_func ("/unfreeze/MainLoop/cancel", test_cancel);
  g_test_add_func ("/unfreeze/MainLoop/cancel-fifty", test_cancel_fifty);
  g_test_add_func ("/unfreeze/MainLoop/cancel-while-spaced", test_cancel_while_spaced);
  g_test_add_func ("/unfreeze/MainLoop/cancel-while-connecting", test_cancel_while_connecting);
  g_test_add_func ("/unfreeze/MainLoop/handshake-failure", test_handshake_failure);
  g_test_add_func ("/unfreeze/MainLoop/no-server", test_no_server);
  g_test_add_func ("/unfreeze/MainLoop/fifty", test_fifty);
  g_test_add_func ("/unfreeze/MainLoop/two-hundred", test_two_hundred);
  g_test_add_func ("/unfreeze/MainLoop/never-idle", test_never_idle);
  g_test_add_func ("/unfreeze/MainLoop/note-call", test_note_call);
  g_test_add_func ("/unfreeze/MainLoop/host-to-resolve", test_host_to_resolve);
  g_test_add_func ("/unfreeze/MainLoop/resolve-host-name", test_resolve_host_name);

  status = g_test_run ();
  unfreeze_test_fixture_teardown ();

  return status;
}
