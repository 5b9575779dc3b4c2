/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a run prints: the summary line (its keys in the README's order, the ticker
 * URI-escaped, the result last) and the counts it formats. No server, no display:
 * the runs use small fake modes that show rows built on the client and end their queries
 * the way the real ones do.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include "unfreeze-run.h"

#include "unfreeze-test.h"

/* The README's order. New keys may come before result, which stays last. */
static const char * const summary_keys[] = {
  "mode", "ticker", "rows", "elapsed_ms", "longest_stall_ms", "frames_missed", "apply_ms",
  "count", "finished", "threads_before", "threads_peak", "connections_peak", "cpu_ms", "inputs",
  "input_wait_max_ms", "result",
};

/* Longer than anything else the test does on the main thread, so it shows in apply_ms. */
#define APPLY_MS 30

/* Number formatting ------------------------------------------------------------------ */

static void
assert_count (guint64     count,
              const char *expected)
{
  g_autofree char *text = unfreeze_format_count (count);

  g_assert_cmpstr (text, ==, expected);
}

/* Groups of three from the right; the C locale has no separator of its own, so a comma. */
static void
test_format_count (void)
{
  assert_count (0, "0");
  assert_count (7, "7");
  assert_count (999, "999");
  assert_count (1000, "1,000");
  assert_count (2004, "2,004");
  assert_count (12345, "12,345");
  assert_count (100000, "100,000");
  assert_count (1234567, "1,234,567");
  assert_count (G_MAXUINT64, "18,446,744,073,709,551,615");
}

/* Fake modes ------------------------------------------------------------------------- */

/* Three rows of the demo statement's shape. */
static UnfreezeRows *
new_rows (void)
{
  UnfreezeRows *rows = unfreeze_rows_new ();
  PGresult *result = PQmakeEmptyPGresult (NULL, PGRES_TUPLES_OK);
  PGresAttDesc attributes[UNFREEZE_N_COLUMNS] = { 0 };

  for (guint i = 0; i < UNFREEZE_N_COLUMNS; i++)
    {
      attributes[i].name = (char *) "column";
      attributes[i].typid = 25;   /* text */
      attributes[i].typlen = -1;
      attributes[i].atttypmod = -1;
    }
  g_assert_true (PQsetResultAttrs (result, UNFREEZE_N_COLUMNS, attributes));
  for (int row = 0; row < 3; row++)
    for (int column = 0; column < UNFREEZE_N_COLUMNS; column++)
      g_assert_true (PQsetvalue (result, row, column, (char *) "1", 1));
  unfreeze_rows_append_result (rows, result);

  return rows;
}

static gpointer
worker (gpointer user_data)
{
  return g_async_queue_pop (user_data);
}

/* The query's worker thread is alive until the query is done: the run's peak counts it. */
static void
start_ok (UnfreezeRun *run,
          guint        index)
{
  g_autoptr(UnfreezeRows) rows = new_rows ();
  g_autoptr(GAsyncQueue) done = g_async_queue_new ();
  GThread *thread = g_thread_new ("test-worker", worker, done);

  unfreeze_test_send_query (run);
  g_assert_true (unfreeze_run_show_rows (run, 0, rows));
  unfreeze_run_query_done (run, NULL);
  g_async_queue_push (done, GINT_TO_POINTER (TRUE));
  g_thread_join (thread);
}

static void
start_error (UnfreezeRun *run,
             guint        index)
{
  unfreeze_test_send_query (run);
  unfreeze_run_query_done (run, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "no"));
}

#define FAKE_MODE(name) { #name, "Test", "Test", NULL, NULL, TRUE, start_##name }

static const UnfreezeMode mode_ok = FAKE_MODE (ok);
static const UnfreezeMode mode_error = FAKE_MODE (error);

/* Starting in turns ------------------------------------------------------------------- */

#define N_DEAR 20

static GArray *dear_started;   /* the indices start_dear() got, in order */
static gint64  dear_busy_us;   /* what each start costs the main thread */

/* A start as dear as making a thread, if so asked: the main thread busy a while. */
static void
start_dear (UnfreezeRun *run,
            guint        index)
{
  gint64 until = g_get_monotonic_time () + dear_busy_us;

  g_array_append_val (dear_started, index);
  while (g_get_monotonic_time () < until)
    ;
  unfreeze_run_query_done (run, NULL);
}

static const UnfreezeMode mode_dear = { "dear", "Test", "Test", NULL, NULL, FALSE, start_dear, TRUE };
static const UnfreezeMode mode_dear_at_once = { "dear", "Test", "Test", NULL, NULL, FALSE, start_dear, FALSE };

typedef struct
{
  const char         *name;
  const UnfreezeMode *mode;
  double              delay;
  gint64              busy_us;       /* each start's cost */
  gboolean            all_at_once;   /* unfreeze_run_start() starts them all */
} StartCase;

static const StartCase start_cases[] = {
  /* 20 ms of starts do not fit in one turn's budget. */
  { "in-turns", &mode_dear, 0, 1000, FALSE },
  /* With a server delay, spaced: starts that cost nothing still wait for their time. */
  { "spaced", &mode_dear, 0.5, 0, FALSE },
  /* A mode that does not ask for turns (the blocking one) starts all at once. */
  { "at-once", &mode_dear_at_once, 0.5, 1000, TRUE },
};

static void
test_start_in_turns (gconstpointer data)
{
  const StartCase *c = data;
  UnfreezeDatabase *database = unfreeze_database_new ("host=/nonexistent dbname=none");
  UnfreezeRun *run = unfreeze_run_new (c->mode, database, "MSFT", c->delay, N_DEAR);
  guint first_turn;
  guint turns_with_starts = 0;

  dear_started = g_array_new (FALSE, FALSE, sizeof (guint));
  dear_busy_us = c->busy_us;
  unfreeze_run_start (run);
  first_turn = dear_started->len;

  while (!unfreeze_run_get_finished (run))
    {
      guint before = dear_started->len;

      g_main_context_iteration (NULL, TRUE);
      if (dear_started->len > before)
        turns_with_starts++;
    }

  /* Otherwise the first came at once and the rest in later turns of the main loop, in
   * which the window could draw. */
  if (c->all_at_once)
    {
      g_assert_cmpuint (first_turn, ==, N_DEAR);
      g_assert_cmpuint (turns_with_starts, ==, 0);
    }
  else
    {
      g_assert_cmpuint (first_turn, >=, 1);
      g_assert_cmpuint (first_turn, <, N_DEAR);
      g_assert_cmpuint (turns_with_starts, >=, 1);
    }

  /* Every query started once, in order, and the run finished with all of them. */
  g_assert_cmpuint (dear_started->len, ==, N_DEAR);
  for (guint i = 0; i < N_DEAR; i++)
    g_assert_cmpuint (g_array_index (dear_started, guint, i), ==, i);
  g_assert_cmpuint (unfreeze_run_get_n_finished (run), ==, N_DEAR);
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);

  g_clear_pointer (&dear_started, g_array_unref);
  g_assert_finalize_object (run);
  g_assert_finalize_object (database);
}

/* Showing the rows takes the main thread a while, as a window's would. */
static void
rows_cb (UnfreezeRun  *run,
         UnfreezeRows *rows)
{
  g_usleep (APPLY_MS * 1000);
}

/* The summary line ------------------------------------------------------------------- */

typedef struct
{
  const UnfreezeMode *mode;
  const char         *ticker;
  const char         *escaped;
  guint               count;
  guint               rows;
  const char         *result;
} SummaryCase;

static const SummaryCase summary_cases[] = {
  { &mode_ok, "MSFT", "MSFT", 2, 3, "ok" },
  { &mode_ok, "BRK B/A=1&x%ü", "BRK%20B%2FA%3D1%26x%25ü", 1, 3, "ok" },
  { &mode_error, "MSFT", "MSFT", 1, 0, "error" },
  { &unfreeze_test_mode_cancelled, "a b", "a%20b", 2, 0, "cancelled" },
};

/* The line split on spaces into its keys, in order, and their values. */
static void
split_summary (const char  *line,
               GPtrArray   *keys,
               GHashTable  *values)
{
  g_auto(GStrv) pairs = g_strsplit (line, " ", -1);

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *equals = strchr (pairs[i], '=');

      g_assert_nonnull (equals);
      g_ptr_array_add (keys, g_strndup (pairs[i], equals - pairs[i]));
      g_hash_table_insert (values, g_strndup (pairs[i], equals - pairs[i]), g_strdup (equals + 1));
    }
}

static void
assert_value (GHashTable *values,
              const char *key,
              guint64     expected)
{
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, expected);

  g_assert_cmpstr (g_hash_table_lookup (values, key), ==, text);
}

static void
assert_value_at_most (GHashTable *values,
                      const char *key,
                      gint64      bound)
{
  const char *text = g_hash_table_lookup (values, key);
  gint64 value;

  g_assert_nonnull (text);
  g_assert_true (g_ascii_string_to_signed (text, 10, -1, G_MAXINT64, &value, NULL));
  g_assert_cmpint (value, <=, bound);
}

static void
assert_summary_line (UnfreezeRun       *run,
                     const SummaryCase *c,
                     const char        *result)
{
  g_autofree char *line = unfreeze_run_dup_summary_line (run);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *unescaped = NULL;

  g_test_message ("%s", line);
  g_assert_null (strchr (line, '\n'));
  g_assert_null (strstr (line, "  "));
  split_summary (line, keys, values);

  g_assert_cmpuint (keys->len, ==, G_N_ELEMENTS (summary_keys));
  for (guint i = 0; i < keys->len; i++)
    g_assert_cmpstr (g_ptr_array_index (keys, i), ==, summary_keys[i]);

  g_assert_cmpstr (g_hash_table_lookup (values, "mode"), ==, c->mode->id);
  g_assert_cmpstr (g_hash_table_lookup (values, "ticker"), ==, c->escaped);
  unescaped = g_uri_unescape_string (g_hash_table_lookup (values, "ticker"), NULL);
  g_assert_cmpstr (unescaped, ==, c->ticker);
  g_assert_cmpstr (g_hash_table_lookup (values, "result"), ==, result);
  assert_value (values, "count", c->count);

  assert_value (values, "rows", unfreeze_run_get_n_rows (run));
  assert_value (values, "finished", unfreeze_run_get_n_finished (run));
  assert_value (values, "threads_before", unfreeze_run_get_threads_before (run));
  assert_value (values, "connections_peak", unfreeze_run_get_connections_peak (run));
  assert_value (values, "inputs", unfreeze_run_get_n_inputs (run));
  assert_value (values, "input_wait_max_ms", unfreeze_run_get_input_wait_max_us (run) / 1000);
  if (g_str_equal (result, "running"))
    {
      /* A running run's clock, stall and peaks move on between the line and the getters
       * (by milliseconds under Valgrind): the line's may only be behind. */
      assert_value_at_most (values, "elapsed_ms", unfreeze_run_get_elapsed_us (run) / 1000);
      assert_value_at_most (values, "longest_stall_ms", unfreeze_run_get_longest_stall_us (run) / 1000);
      assert_value_at_most (values, "frames_missed", unfreeze_run_get_frames_missed (run));
      assert_value_at_most (values, "apply_ms", unfreeze_run_get_apply_us (run) / 1000);
      assert_value_at_most (values, "threads_peak", unfreeze_run_get_threads_peak (run));
      return;
    }
  assert_value (values, "elapsed_ms", unfreeze_run_get_elapsed_us (run) / 1000);
  assert_value (values, "longest_stall_ms", unfreeze_run_get_longest_stall_us (run) / 1000);
  assert_value (values, "frames_missed", unfreeze_run_get_frames_missed (run));
  assert_value (values, "apply_ms", unfreeze_run_get_apply_us (run) / 1000);
  assert_value (values, "threads_peak", unfreeze_run_get_threads_peak (run));
}

static void
test_summary_line (gconstpointer data)
{
  const SummaryCase *c = data;
  UnfreezeDatabase *database = unfreeze_database_new ("host=/nonexistent dbname=none");
  UnfreezeRun *run = unfreeze_run_new (c->mode, database, c->ticker, 0, c->count);

  g_signal_connect (run, "rows", G_CALLBACK (rows_cb), NULL);
  unfreeze_run_start (run);

  /* Before its end, a run says so, last. */
  if (!unfreeze_run_get_finished (run))
    assert_summary_line (run, c, "running");

  while (!unfreeze_run_get_finished (run))
    g_main_context_iteration (NULL, TRUE);

  assert_summary_line (run, c, c->result);
  g_assert_cmpuint (unfreeze_run_get_n_rows (run), ==, c->rows);
  g_assert_cmpuint (unfreeze_run_get_n_finished (run), ==, c->count);
  g_assert_cmpuint (unfreeze_run_get_connections_peak (run), ==, 0);
  g_assert_cmpint (unfreeze_run_get_apply_us (run), <=, unfreeze_run_get_elapsed_us (run));
  if (c->rows > 0)
    {
      g_assert_cmpint (unfreeze_run_get_apply_us (run), >=, APPLY_MS * 1000);
      g_assert_cmpuint (unfreeze_run_get_threads_peak (run), >, unfreeze_run_get_threads_before (run));
    }
  else
    g_assert_cmpint (unfreeze_run_get_apply_us (run), ==, 0);

  g_assert_finalize_object (run);
  g_assert_finalize_object (database);
}

/* Why a call was slow ---------------------------------------------------------------- */

typedef struct
{
  const char      *name;
  UnfreezeCallClock begin;
  UnfreezeCallClock end;
  UnfreezeCallKind  expected;
} CallCase;

/* wall_us, cpu_us, slept, preempted */
static const CallCase call_cases[] = {
  { "quick", { 0, 0, 5, 5 }, { 1999, 0, 9, 9 }, UNFREEZE_CALL_QUICK },
  { "waited", { 0, 0, 5, 5 }, { 9000, 100, 6, 5 }, UNFREEZE_CALL_WAITED },
  /* Waiting and switched out: it still waited. */
  { "waited-and-preempted", { 0, 0, 5, 5 }, { 9000, 100, 6, 7 }, UNFREEZE_CALL_WAITED },
  { "computed", { 0, 0, 5, 5 }, { 3000, 2500, 5, 5 }, UNFREEZE_CALL_COMPUTED },
  { "computed-and-preempted", { 0, 0, 5, 5 }, { 9000, 2000, 5, 8 }, UNFREEZE_CALL_COMPUTED },
  { "preempted", { 0, 0, 5, 5 }, { 19000, 300, 5, 6 }, UNFREEZE_CALL_PREEMPTED },
  /* Counters that do not explain the time, or none at all: the worst is assumed. */
  { "unexplained", { 0, 0, 5, 5 }, { 5000, 300, 5, 5 }, UNFREEZE_CALL_WAITED },
  { "no-counters", { 0, -1, -1, -1 }, { 5000, -1, -1, -1 }, UNFREEZE_CALL_WAITED },
};

static void
test_call_clock_judge (gconstpointer data)
{
  const CallCase *c = data;

  g_assert_cmpint (unfreeze_call_clock_judge (&c->begin, &c->end), ==, c->expected);
}

/* The clocks read are the calling thread's, and they move forward. */
static void
test_call_clock_read (void)
{
  UnfreezeCallClock begin;
  UnfreezeCallClock end;

  unfreeze_call_clock_read (&begin);
  do
    unfreeze_call_clock_read (&end);
  while (end.cpu_us >= 0 && end.cpu_us - begin.cpu_us < 3000);
  g_assert_cmpint (end.wall_us, >=, begin.wall_us);
#ifdef __linux__
  g_assert_cmpint (begin.cpu_us, >=, 0);
  g_assert_cmpint (end.slept, >=, begin.slept);
  g_assert_cmpint (end.preempted, >=, begin.preempted);
#endif
  /* 3 ms of its own CPU time, the longer wall time whatever the machine's load. */
  g_assert_cmpint (end.wall_us - begin.wall_us, >=, end.cpu_us - begin.cpu_us - 1000);
}

int
main (int   argc,
      char *argv[])
{
  unfreeze_test_init (&argc, &argv);

  g_test_add_func ("/unfreeze/Run/format-count", test_format_count);
  for (guint i = 0; i < G_N_ELEMENTS (start_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/unfreeze/Run/start/%s", start_cases[i].name);

      g_test_add_data_func (path, &start_cases[i], test_start_in_turns);
    }
  g_test_add_func ("/unfreeze/Run/call-clock/read", test_call_clock_read);
  for (guint i = 0; i < G_N_ELEMENTS (call_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/unfreeze/Run/call-clock/judge/%s", call_cases[i].name);

      g_test_add_data_func (path, &call_cases[i], test_call_clock_judge);
    }
  for (guint i = 0; i < G_N_ELEMENTS (summary_cases); i++)
    {
      const SummaryCase *c = &summary_cases[i];
      g_autofree char *path = g_strdup_printf ("/unfreeze/Run/summary-line/%s-%u-%u",
                                               c->mode->id, c->count, i);

      g_test_add_data_func (path, c, test_summary_line);
    }

  return g_test_run ();
}
