/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each mode against a real PostgreSQL: the right rows, the right error, the stall the mode
 * is about, for the raw thread the guard's refusal, and for the deadlock mode the two waits
 * and the safety net that ends them, leaving nothing behind. No window: the run's signals are
 * what the window would show.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <libpq-fe.h>
#include <sys/resource.h>

#include "unfreeze-mode.h"
#include "unfreeze-run.h"
#include "unfreeze-test-fixture.h"
#include "unfreeze-test-process.h"
#include "unfreeze-test-run.h"
#include "unfreeze-test.h"

static GThread *main_thread;
G_LOCK_DEFINE_STATIC (worker_nice);
static int n_cancels;
static int n_cancels_on_main_thread;

/* Stands in for libpq's PQcancel() in this program (the app's code, linked in statically,
 * calls this one): counts the calls, and those from the main thread, then calls libpq's.
 * PQcancel() opens a connection and waits for it: the main thread must never call it. */
int
PQcancel (PGcancel *cancel,
          char     *errbuf,
          int       errbufsize)
{
  static int (*libpq_cancel) (PGcancel *, char *, int);

  if (libpq_cancel == NULL)
    libpq_cancel = (int (*) (PGcancel *, char *, int)) dlsym (RTLD_NEXT, "PQcancel");
  g_assert_nonnull (libpq_cancel);
  g_atomic_int_inc (&n_cancels);
  if (g_thread_self () == main_thread)
    g_atomic_int_inc (&n_cancels_on_main_thread);

  return libpq_cancel (cancel, errbuf, errbufsize);
}

static int n_worker_sends;
static int lowest_worker_nice = G_MAXINT;

/* Notes the nice value of each thread but the main one that sends a query. */
static void
note_worker_nice (void)
{
  int nice;

  if (g_thread_self () == main_thread)
    return;

  errno = 0;
  nice = getpriority (PRIO_PROCESS, 0);   /* this thread's, on Linux */
  g_assert_cmpint (errno, ==, 0);
  g_atomic_int_inc (&n_worker_sends);
  G_LOCK (worker_nice);
  lowest_worker_nice = MIN (lowest_worker_nice, nice);
  G_UNLOCK (worker_nice);
}

/* Stand in for libpq's PQsendQueryParams() (GTask) and PQexecParams() (the raw thread) the
 * same way: note the sender's nice value, then call libpq's. */
int
PQsendQueryParams (PGconn            *conn,
                   const char        *command,
                   int                n_params,
                   const Oid         *param_types,
                   const char *const *param_values,
                   const int         *param_lengths,
                   const int         *param_formats,
                   int                result_format)
{
  static __typeof__ (&PQsendQueryParams) libpq_send;

  if (libpq_send == NULL)
    libpq_send = (__typeof__ (libpq_send)) dlsym (RTLD_NEXT, "PQsendQueryParams");
  g_assert_nonnull (libpq_send);
  note_worker_nice ();

  return libpq_send (conn, command, n_params, param_types, param_values, param_lengths,
                     param_formats, result_format);
}

PGresult *
PQexecParams (PGconn            *conn,
              const char        *command,
              int                n_params,
              const Oid         *param_types,
              const char *const *param_values,
              const int         *param_lengths,
              const int         *param_formats,
              int                result_format)
{
  static __typeof__ (&PQexecParams) libpq_exec;

  if (libpq_exec == NULL)
    libpq_exec = (__typeof__ (libpq_exec)) dlsym (RTLD_NEXT, "PQexecParams");
  g_assert_nonnull (libpq_exec);
  note_worker_nice ();

  return libpq_exec (conn, command, n_params, param_types, param_values, param_lengths,
                     param_formats, result_format);
}

/* For the runs that are only waited for, not observed. */
static void
finished_cb (UnfreezeRun *run,
             gboolean    *finished)
{
  *finished = TRUE;
}

/* Runs @mode_id to the end, with the main loop running as it would in the app. */
static UnfreezeRun *
run_mode (const char           *mode_id,
          UnfreezeDatabase     *database,
          const char           *ticker,
          double                delay,
          UnfreezeTestObserved *observed)
{
  UnfreezeRun *run = unfreeze_test_start_run (mode_id, database, ticker, delay, 1, observed);

  g_assert_true (unfreeze_test_wait_for (&observed->finished, 30000));

  /* Let queued callbacks (the refused report) arrive. */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);

  return run;
}

/* Blocking and GTask: the rows arrive, on the UI thread. */
static void
test_rows (gconstpointer data)
{
  const char *mode_id = data;
  g_autoptr(UnfreezeRun) run = NULL;
  UnfreezeTestObserved observed;

  run = run_mode (mode_id, unfreeze_test_fixture_get_database (), "MSFT", 0.1, &observed);

  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
  g_assert_no_error ((GError *) unfreeze_run_get_error (run));
  g_assert_cmpuint (observed.n_rows_signals, ==, 1);
  g_assert_cmpuint (observed.n_error_signals, ==, 0);
  g_assert_cmpuint (observed.n_refused_signals, ==, 0);
  g_assert_cmpuint (unfreeze_test_expected_rows ("MSFT"), >=, 1000);
  unfreeze_test_assert_rows_are (unfreeze_run_get_rows (run), "MSFT");
}

/* A worker thread gives way to the window's thread (GTask's, and the raw thread's too: its
 * mistake is elsewhere): it sends its query at a lower priority (a nice value of 10 or more),
 * and the main thread's own priority is left as it was. */
static void
test_worker_yields (gconstpointer data)
{
  const char *mode_id = data;
  g_autoptr(UnfreezeRun) run = NULL;
  UnfreezeTestObserved observed;
  int main_nice;

  errno = 0;
  main_nice = getpriority (PRIO_PROCESS, 0);
  g_assert_cmpint (errno, ==, 0);
  g_atomic_int_set (&n_worker_sends, 0);
  lowest_worker_nice = G_MAXINT;

  if (g_str_equal (mode_id, "thread"))
    g_test_expect_message ("Unfreeze-Guard", G_LOG_LEVEL_CRITICAL, "Cross-thread UI access: show rows*");
  run = run_mode (mode_id, unfreeze_test_fixture_get_database (), "MSFT", 0, &observed);
  g_test_assert_expected_messages ();

  g_assert_cmpint (unfreeze_run_get_result (run), ==,
                   g_str_equal (mode_id, "thread") ? UNFREEZE_RUN_RESULT_REFUSED : UNFREEZE_RUN_RESULT_OK);
  g_assert_cmpint (g_atomic_int_get (&n_worker_sends), >=, 1);
  g_assert_cmpint (lowest_worker_nice, >=, 10);
  g_assert_cmpint (getpriority (PRIO_PROCESS, 0), ==, main_nice);
}

/* An unknown ticker is not an error: zero rows. */
static void
test_no_rows (gconstpointer data)
{
  g_autoptr(UnfreezeRun) run = NULL;
  UnfreezeTestObserved observed;

  run = run_mode (data, unfreeze_test_fixture_get_database (), "NOPE", 0, &observed);

  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
  g_assert_cmpuint (unfreeze_run_get_n_rows (run), ==, 0);
}

/* Hostile tickers are data, never SQL. */
static void
test_hostile_ticker (gconstpointer data)
{
  static const char * const tickers[] = {
    "MSFT' OR '1'='1", "x'; DROP TABLE stock_prices; --", "\\'", "\"MSFT\"", "ÄPFEL€",
  };

  for (guint i = 0; i < G_N_ELEMENTS (tickers); i++)
    {
      g_autoptr(UnfreezeRun) run = NULL;
      UnfreezeTestObserved observed;

      run = run_mode (data, unfreeze_test_fixture_get_database (), tickers[i], 0, &observed);
      g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
      g_assert_cmpuint (unfreeze_run_get_n_rows (run), ==, 0);
    }

  g_assert_cmpuint (unfreeze_test_expected_rows ("MSFT"), >=, 1000);
}

/* A connection that cannot be made: the run ends in error with libpq's message. */
static void
test_bad_connection (gconstpointer data)
{
  const char *mode_id = data;
  g_autoptr(UnfreezeDatabase) database = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(UnfreezeRun) run = NULL;
  g_autoptr(GError) prepare_error = NULL;
  const GError *error;
  UnfreezeTestObserved observed;

  conninfo = g_strdup_printf ("host=%s/no-such-dir port=1 connect_timeout=2",
                              unfreeze_test_fixture_get_tmpdir ());
  database = unfreeze_database_new (conninfo);
  g_assert_false (unfreeze_database_get_embedded (database));

  /* Preparing fails (it cannot connect to create the demo table); runs still try. */
  unfreeze_database_prepare_async (database, NULL, unfreeze_test_async_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (unfreeze_database_prepare_finish (database, result, &prepare_error));
  g_assert_error (prepare_error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_CONNECT);

  if (g_str_equal (mode_id, "thread"))
    g_test_expect_message ("Unfreeze-Guard", G_LOG_LEVEL_CRITICAL, "Cross-thread UI access: show error*");

  run = run_mode (mode_id, database, "MSFT", 0, &observed);

  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_ERROR);
  error = unfreeze_run_get_error (run);
  g_assert_error ((GError *) error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_CONNECT);
  g_assert_nonnull (strstr (error->message, "no-such-dir"));
  g_assert_cmpuint (unfreeze_run_get_n_rows (run), ==, 0);
  g_assert_cmpuint (observed.n_rows_signals, ==, 0);

  if (g_str_equal (mode_id, "thread"))
    {
      g_test_assert_expected_messages ();
      /* The worker's attempt to show the error was refused too. */
      g_assert_cmpuint (observed.n_error_signals, ==, 0);
      g_assert_cmpuint (observed.n_refused_signals, ==, 1);
    }
  else
    {
      g_assert_cmpuint (observed.n_error_signals, ==, 1);
    }
}

/* A statement the server rejects: the same query against a table that is not there. */
static void
test_server_error (gconstpointer data)
{
  g_autofree char *value = NULL;
  g_autoptr(GError) error = NULL;
  UnfreezeDatabase *database = unfreeze_test_fixture_get_database ();
  PGconn *conn = unfreeze_database_acquire (database, &error);
  PGresult *result;

  g_assert_no_error (error);
  result = PQexec (conn, "SELECT * FROM no_such_table");
  g_assert_false (unfreeze_query_check_result (conn, result, &error));
  g_assert_error (error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_QUERY);
  g_assert_nonnull (strstr (error->message, "42P01"));
  PQclear (result);
  unfreeze_database_release (database, conn);
}

/* Raw thread: the rows reach the worker, the worker's update is refused, nothing shows. */
static void
test_thread_refused (void)
{
  g_autoptr(UnfreezeRun) run = NULL;
  UnfreezeTestObserved observed;

  g_test_expect_message ("Unfreeze-Guard", G_LOG_LEVEL_CRITICAL,
                         "Cross-thread UI access: show rows from thread raw-worker; GTK is not "
                         "thread-safe, hand the result to the main loop with g_idle_add()");

  run = run_mode ("thread", unfreeze_test_fixture_get_database (), "MSFT", 0.1, &observed);

  g_test_assert_expected_messages ();
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_REFUSED);
  g_assert_no_error ((GError *) unfreeze_run_get_error (run));
  g_assert_cmpuint (observed.n_rows_signals, ==, 0);
  g_assert_cmpuint (observed.n_refused_signals, ==, 1);
  g_assert_null (unfreeze_run_get_rows (run));
  g_assert_cmpuint (unfreeze_run_get_n_rows (run), ==, 0);
  g_assert_nonnull (strstr (unfreeze_run_get_refusal (run), "raw-worker"));
}

/* Blocking stalls the main loop for (nearly) the whole delay. */
static void
test_blocking_stalls (void)
{
  g_autoptr(UnfreezeRun) run = NULL;
  UnfreezeTestObserved observed;
  const double delay = 1.5;

  run = run_mode ("blocking", unfreeze_test_fixture_get_database (), "MSFT", delay, &observed);

  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
  g_assert_cmpint (unfreeze_run_get_longest_stall_us (run), >=, 0.8 * delay * G_USEC_PER_SEC);
  g_assert_cmpint (unfreeze_run_get_elapsed_us (run), >=, delay * G_USEC_PER_SEC);
}

/* GTask and raw thread wait elsewhere: the loop never stalls beyond a generous bound
 * during the same delay. */
static void
test_worker_does_not_stall (gconstpointer data)
{
  const char *mode_id = data;
  g_autoptr(UnfreezeRun) run = NULL;
  UnfreezeTestObserved observed;
  const double delay = 1.5;

  if (g_str_equal (mode_id, "thread"))
    g_test_expect_message ("Unfreeze-Guard", G_LOG_LEVEL_CRITICAL, "Cross-thread UI access*");

  run = run_mode (mode_id, unfreeze_test_fixture_get_database (), "MSFT", delay, &observed);

  g_assert_cmpint (unfreeze_run_get_elapsed_us (run), >=, delay * G_USEC_PER_SEC);
  if (unfreeze_test_timing_is_reliable ())
    g_assert_cmpint (unfreeze_run_get_longest_stall_us (run), <, 150 * 1000);
  if (g_str_equal (mode_id, "gtask"))
    g_assert_cmpuint (observed.n_progress_signals, >=, 2);
}

static void
test_summary_line (void)
{
  g_autoptr(UnfreezeRun) run = NULL;
  g_autofree char *line = NULL;
  g_autofree char *expected_start = NULL;
  UnfreezeTestObserved observed;

  run = run_mode ("gtask", unfreeze_test_fixture_get_database (), "MSFT", 0, &observed);
  line = unfreeze_run_dup_summary_line (run);
  expected_start = g_strdup_printf ("mode=gtask ticker=MSFT rows=%u elapsed_ms=", unfreeze_test_expected_rows ("MSFT"));

  g_assert_true (g_str_has_prefix (line, expected_start));
  g_assert_nonnull (strstr (line, " longest_stall_ms="));
  g_assert_true (g_str_has_suffix (line, " result=ok"));
}

static gboolean
cancel_cb (gpointer user_data)
{
  unfreeze_run_cancel (user_data);

  return G_SOURCE_REMOVE;
}

/* GTask cancellation stops the query on the server, not only the waiting: the run ends soon
 * after Cancel, the server runs nothing for it any more, and its connection is reused. */
static void
test_gtask_cancel (void)
{
  UnfreezeDatabase *database = unfreeze_test_fixture_get_database ();
  const UnfreezeMode *mode = unfreeze_modes_lookup ("gtask");
  g_autoptr(UnfreezeRun) run = NULL;
  g_autoptr(UnfreezeRun) next = NULL;
  g_autofree char *active = NULL;
  UnfreezeTestObserved observed;
  guint connections;
  gint64 started;

  run = unfreeze_run_new (mode, database, "MSFT", 10.0, 1);
  memset (&observed, 0, sizeof observed);
  g_signal_connect (run, "finished", G_CALLBACK (finished_cb), &observed.finished);
  g_timeout_add (200, cancel_cb, run);
  started = g_get_monotonic_time ();
  unfreeze_run_start (run);
  g_assert_true (unfreeze_test_wait_for (&observed.finished, 30000));

  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_CANCELLED);
  /* The server was asked to stop the query by the worker, not by the main thread. */
  g_assert_cmpint (g_atomic_int_get (&n_cancels), >=, 1);
  g_assert_cmpint (g_atomic_int_get (&n_cancels_on_main_thread), ==, 0);
  /* Cancelled at 200 ms of a 10 s query: it ends long before the server would have. */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 3 * G_USEC_PER_SEC);

  active = unfreeze_test_query_value ("SELECT count(*) FROM pg_stat_activity "
                                      "WHERE state = 'active' AND query LIKE '%pg_sleep%' "
                                      "AND pid <> pg_backend_pid ()");
  g_assert_cmpstr (active, ==, "0");

  /* The next run works, on the connection the cancelled one gave back. */
  connections = unfreeze_database_get_n_connections (database);
  next = run_mode ("gtask", database, "MSFT", 0, &observed);
  g_assert_cmpint (unfreeze_run_get_result (next), ==, UNFREEZE_RUN_RESULT_OK);
  g_assert_cmpuint (unfreeze_database_get_n_connections (database), <=, connections);
}

/* Fifty queries at once complete, each on its own connection where the mode needs one. */
static void
test_fifty (gconstpointer data)
{
  const char *mode_id = data;
  UnfreezeDatabase *database = unfreeze_test_fixture_get_database ();
  g_autoptr(UnfreezeRun) run = NULL;
  UnfreezeTestObserved observed;

  memset (&observed, 0, sizeof observed);
  run = unfreeze_run_new (unfreeze_modes_lookup (mode_id), database, "MSFT", 0.2, 50);
  g_signal_connect (run, "finished", G_CALLBACK (finished_cb), &observed.finished);
  unfreeze_run_start (run);
  g_assert_true (unfreeze_test_wait_for (&observed.finished, 120000));

  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
  g_assert_cmpuint (unfreeze_run_get_n_finished (run), ==, 50);
  unfreeze_test_assert_rows_are (unfreeze_run_get_rows (run), "MSFT");
}

/* Wait for the worker: the main thread and its workers wait for each other ------------ */

#define SAFETY_NET_MS 3000   /* the deadlock mode's SAFETY_NET_S */

/* The spans of @kind, in the order begun. */
static GArray *
dup_spans_of_kind (UnfreezeRun      *run,
                   UnfreezeSpanKind  kind)
{
  g_autoptr(GArray) spans = unfreeze_run_dup_spans (run);
  GArray *found = g_array_new (FALSE, FALSE, sizeof (UnfreezeSpan));

  for (guint i = 0; i < spans->len; i++)
    if (g_array_index (spans, UnfreezeSpan, i).kind == kind)
      g_array_append_val (found, g_array_index (spans, UnfreezeSpan, i));

  return found;
}

/* The two waits, as the Threads view draws them: one on the main thread for all workers,
 * and on each worker one for the main thread, begun while the main thread was waiting and
 * ended only after it stopped. The worker's message was shown on the main thread, after. */
static void
assert_waited_for_each_other (UnfreezeRun *run,
                              guint        n_workers)
{
  g_autoptr(GArray) main_waits = dup_spans_of_kind (run, UNFREEZE_SPAN_WAIT_WORKER);
  g_autoptr(GArray) worker_waits = dup_spans_of_kind (run, UNFREEZE_SPAN_WAIT_UI);
  g_autoptr(GArray) callbacks = dup_spans_of_kind (run, UNFREEZE_SPAN_IDLE);
  g_autoptr(GHashTable) workers = g_hash_table_new (NULL, NULL);
  const UnfreezeSpan *main_wait;

  g_assert_cmpuint (main_waits->len, ==, 1);
  main_wait = &g_array_index (main_waits, UnfreezeSpan, 0);
  g_assert_cmpuint (main_wait->thread_id, ==, 0);
  g_assert_cmpint (main_wait->end_us - main_wait->begin_us, >=, SAFETY_NET_MS * 1000);

  g_assert_cmpuint (worker_waits->len, ==, n_workers);
  for (guint i = 0; i < worker_waits->len; i++)
    {
      const UnfreezeSpan *wait = &g_array_index (worker_waits, UnfreezeSpan, i);

      g_assert_cmpuint (wait->thread_id, !=, 0);
      g_hash_table_add (workers, GUINT_TO_POINTER (wait->thread_id));
      g_assert_cmpint (wait->begin_us, >, main_wait->begin_us);
      g_assert_cmpint (wait->begin_us, <, main_wait->end_us);
      g_assert_cmpint (wait->end_us, >=, main_wait->end_us);
    }
  g_assert_cmpuint (g_hash_table_size (workers), ==, n_workers);

  /* Each worker's message ran on the main thread once its wait was over. */
  g_assert_cmpuint (callbacks->len, ==, n_workers);
  for (guint i = 0; i < callbacks->len; i++)
    {
      const UnfreezeSpan *callback = &g_array_index (callbacks, UnfreezeSpan, i);

      g_assert_cmpuint (callback->thread_id, ==, 0);
      g_assert_cmpint (callback->begin_us, >=, main_wait->end_us);
    }
}

/* Nothing is left behind: no worker, no query on the server, the connections in the pool;
 * and the next run, in another mode, works. */
static void
assert_nothing_left (GHashTable *before,
                     guint       n_connections)
{
  UnfreezeDatabase *database = unfreeze_test_fixture_get_database ();
  g_autoptr(UnfreezeRun) next = NULL;
  UnfreezeTestObserved observed;
  PGconn *conn;

  g_assert_cmpuint (unfreeze_test_count_new_threads (before), ==, 0);
  g_assert_cmpuint (unfreeze_test_count_active_queries (), ==, 0);
  conn = unfreeze_database_try_acquire_idle (database);
  g_assert_nonnull (conn);
  unfreeze_database_release (database, conn);
  g_assert_cmpuint (unfreeze_database_get_n_connections (database), <=, n_connections);

  next = unfreeze_test_start_run ("gtask", database, "MSFT", 0, 1, &observed);
  g_assert_true (unfreeze_test_wait_for (&observed.finished, 30000));
  g_assert_cmpint (unfreeze_run_get_result (next), ==, UNFREEZE_RUN_RESULT_OK);
  unfreeze_test_assert_rows_are (unfreeze_run_get_rows (next), "MSFT");
}

/* Runs the deadlock mode with @count queries, and checks what every such run shows: the
 * deadlock, no rows and no error, the two waits, nothing left behind. */
static UnfreezeRun *
run_deadlock (guint                 count,
              UnfreezeTestObserved *observed)
{
  g_autoptr(GHashTable) before = unfreeze_test_dup_thread_ids ();
  UnfreezeDatabase *database = unfreeze_test_fixture_get_database ();
  guint n_connections = unfreeze_database_get_n_connections (database);
  UnfreezeRun *run = unfreeze_test_start_run ("deadlock", database, "MSFT", 0.2, count, observed);

  g_assert_true (unfreeze_test_wait_for (&observed->finished, 60000));

  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_DEADLOCK);
  g_assert_no_error ((GError *) unfreeze_run_get_error (run));
  g_assert_cmpuint (unfreeze_run_get_n_finished (run), ==, count);
  g_assert_cmpuint (unfreeze_run_get_n_rows (run), ==, 0);
  g_assert_cmpuint (observed->n_rows_signals, ==, 0);
  g_assert_cmpuint (observed->n_error_signals, ==, 0);
  g_assert_cmpuint (observed->n_refused_signals, ==, 0);
  /* The safety net's report, then each worker's message, once the main loop ran again. */
  g_assert_cmpuint (observed->n_progress_signals, ==, 1 + count);
  assert_waited_for_each_other (run, count);
  /* Each worker needed one connection at most. */
  assert_nothing_left (before, n_connections + count);

  return run;
}

/* One query: the summary line and the status line say it was a deadlock, ended by the app's
 * safety net, and the main loop was frozen for the whole wait. */
static void
test_deadlock_one (void)
{
  UnfreezeTestObserved observed;
  g_autoptr(UnfreezeRun) run = run_deadlock (1, &observed);
  g_autofree char *line = unfreeze_run_dup_summary_line (run);
  g_autofree char *status = unfreeze_run_dup_status_text (run);

  g_assert_true (g_str_has_suffix (line, " result=deadlock"));
  g_assert_nonnull (strstr (line, " rows=0 "));
  g_assert_true (g_str_has_prefix (status, "Deadlock after "));
  g_assert_nonnull (strstr (status, "safety net"));
  g_assert_cmpint (unfreeze_run_get_longest_stall_us (run), >=, 0.9 * SAFETY_NET_MS * 1000);
}

/* Three queries: all workers start, the main thread waits for them all at once (one wait,
 * one safety net), and every one is in the deadlock. */
static void
test_deadlock_three (void)
{
  UnfreezeTestObserved observed;
  g_autoptr(UnfreezeRun) run = run_deadlock (3, &observed);

  g_assert_cmpuint (unfreeze_run_get_count (run), ==, 3);
}

static void
add_for_modes (const char     *name,
               const char     *const *modes,
               GTestDataFunc   func)
{
  for (guint i = 0; modes[i] != NULL; i++)
    {
      g_autofree char *path = g_strdup_printf ("/unfreeze/Mode/%s/%s", modes[i], name);

      g_test_add_data_func (path, modes[i], func);
    }
}

int
main (int   argc,
      char *argv[])
{
  static const char * const all[] = { "blocking", "thread", "gtask", "deadlock", NULL };
  static const char * const showing[] = { "blocking", "gtask", NULL };
  static const char * const workers[] = { "thread", "gtask", NULL };
  int status;

  main_thread = g_thread_self ();

  unfreeze_test_init (&argc, &argv);

  unfreeze_test_fixture_setup_or_skip ();

  add_for_modes ("rows", showing, test_rows);
  add_for_modes ("no-rows", showing, test_no_rows);
  add_for_modes ("hostile-ticker", showing, test_hostile_ticker);
  add_for_modes ("bad-connection", all, test_bad_connection);
  add_for_modes ("no-stall", workers, test_worker_does_not_stall);
  g_test_add_data_func ("/unfreeze/Query/server-error", NULL, test_server_error);
  g_test_add_func ("/unfreeze/Mode/thread/refused", test_thread_refused);
  g_test_add_func ("/unfreeze/Mode/blocking/stalls", test_blocking_stalls);
  g_test_add_func ("/unfreeze/Run/summary-line", test_summary_line);
  g_test_add_func ("/unfreeze/Mode/gtask/cancel", test_gtask_cancel);
  g_test_add_data_func ("/unfreeze/Mode/gtask/worker-yields", "gtask", test_worker_yields);
  g_test_add_data_func ("/unfreeze/Mode/thread/worker-yields", "thread", test_worker_yields);
  g_test_add_data_func ("/unfreeze/Mode/blocking/fifty", "blocking", test_fifty);
  g_test_add_data_func ("/unfreeze/Mode/gtask/fifty", "gtask", test_fifty);
  g_test_add_data_func ("/unfreeze/Mode/sleep/fifty", "sleep", test_fifty);
  g_test_add_func ("/unfreeze/Mode/deadlock/one", test_deadlock_one);
  g_test_add_func ("/unfreeze/Mode/deadlock/three", test_deadlock_three);

  status = g_test_run ();
  unfreeze_test_fixture_teardown ();

  return status;
}
