/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one verdict (unfreeze-verdict.c): its bands at the thresholds from the references, its
 * words, and the status text of a run of every result kind, joined without a doubled full
 * stop and without a verdict when nothing ran. No display, no server: the runs use small
 * fake modes that end their queries the way the real ones do.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include "unfreeze-verdict.h"

#include "unfreeze-input-meter.h"

#include "unfreeze-mode.h"
#include "unfreeze-run.h"
#include "unfreeze-test.h"

#define MS(ms) ((gint64) ((ms) * 1000))

/* Bands ------------------------------------------------------------------------------ */

static void
test_stall_bands (void)
{
  g_assert_cmpint (unfreeze_verdict_for_stall (0), ==, UNFREEZE_VERDICT_SMOOTH);
  g_assert_cmpint (unfreeze_verdict_for_stall (MS (16.6)), ==, UNFREEZE_VERDICT_SMOOTH);
  g_assert_cmpint (unfreeze_verdict_for_stall (MS (16.7)), ==, UNFREEZE_VERDICT_STUTTER);
  g_assert_cmpint (unfreeze_verdict_for_stall (MS (49.9)), ==, UNFREEZE_VERDICT_STUTTER);
  g_assert_cmpint (unfreeze_verdict_for_stall (MS (50)), ==, UNFREEZE_VERDICT_LONG_TASK);
  g_assert_cmpint (unfreeze_verdict_for_stall (MS (99.9)), ==, UNFREEZE_VERDICT_LONG_TASK);
  g_assert_cmpint (unfreeze_verdict_for_stall (MS (100)), ==, UNFREEZE_VERDICT_FROZEN);
  g_assert_cmpint (unfreeze_verdict_for_stall (MS (5000)), ==, UNFREEZE_VERDICT_FROZEN);
}

/* A run is smooth only when it missed no frame, and a missed frame never makes a long stall
 * look better. */
static void
test_run_bands (void)
{
  g_assert_cmpint (unfreeze_verdict_for_run (MS (16.6), 0), ==, UNFREEZE_VERDICT_SMOOTH);
  g_assert_cmpint (unfreeze_verdict_for_run (MS (16.6), -1), ==, UNFREEZE_VERDICT_SMOOTH);
  g_assert_cmpint (unfreeze_verdict_for_run (MS (16.6), 1), ==, UNFREEZE_VERDICT_STUTTER);
  g_assert_cmpint (unfreeze_verdict_for_run (0, 1), ==, UNFREEZE_VERDICT_STUTTER);
  g_assert_cmpint (unfreeze_verdict_for_run (MS (16.7), 0), ==, UNFREEZE_VERDICT_STUTTER);
  g_assert_cmpint (unfreeze_verdict_for_run (MS (50), 0), ==, UNFREEZE_VERDICT_LONG_TASK);
  g_assert_cmpint (unfreeze_verdict_for_run (MS (50), 3), ==, UNFREEZE_VERDICT_LONG_TASK);
  g_assert_cmpint (unfreeze_verdict_for_run (MS (100), 0), ==, UNFREEZE_VERDICT_FROZEN);
  g_assert_cmpint (unfreeze_verdict_for_run (MS (100), 6), ==, UNFREEZE_VERDICT_FROZEN);
}

/* Words ------------------------------------------------------------------------------ */

static char *
dup_verdict (gint64 stall_us,
             gint64 frames_missed)
{
  UnfreezeVerdictFacts facts = { TRUE, stall_us, frames_missed, FALSE, 0, 0 };

  return unfreeze_verdict_dup_text (&facts);
}

/* One wording per band, the frames in the right number, and never "responsive". */
static const struct {
  double      stall_ms;
  gint64      frames_missed;
  const char *expected;
} wordings[] = {
  { 4.2, 0, "Smooth: no frame missed, longest stall 4 ms" },
  { 16.6, 0, "Smooth: no frame missed, longest stall 16 ms" },
  { 16.6, 1, "1 frame missed, longest stall 16 ms: a stutter" },
  { 16.7, 0, "Longest stall 16 ms: over a frame" },
  { 32, 2, "2 frames missed, longest stall 32 ms: a stutter" },
  { 50, 1, "1 frame missed, longest stall 50 ms: a long task" },
  { 52, 3, "3 frames missed, longest stall 52 ms: a long task" },
  { 100, 6, "UI frozen for 100 ms (6 frames missed)" },
  { 2004, 119, "UI frozen for 2,004 ms (119 frames missed)" },
  { 230, 1, "UI frozen for 230 ms (1 frame missed)" },

  /* No frame counted (no window drawing, or a freeze still on when the run ended): the
   * stall alone, never "0 frames missed". */
  { 52, 0, "Longest stall 52 ms: a long task" },
  { 495, 0, "UI frozen for 495 ms" },
  { 495, -1, "UI frozen for 495 ms" },
};

static void
test_wording (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (wordings); i++)
    {
      g_autofree char *text = dup_verdict (MS (wordings[i].stall_ms), wordings[i].frames_missed);

      g_assert_cmpstr (text, ==, wordings[i].expected);
    }
}

/* Waiting and showing the rows are told apart when the wait was better than the run. */
static void
test_wait_and_show (void)
{
  UnfreezeVerdictFacts gtask = { TRUE, MS (52), 3, TRUE, MS (4), MS (51) };
  UnfreezeVerdictFacts blocking = { TRUE, MS (2004), 119, TRUE, MS (2004), MS (3) };
  UnfreezeVerdictFacts no_rows = { TRUE, MS (52), 3, FALSE, 0, 0 };
  g_autofree char *gtask_text = unfreeze_verdict_dup_text (&gtask);
  g_autofree char *blocking_text = unfreeze_verdict_dup_text (&blocking);
  g_autofree char *no_rows_text = unfreeze_verdict_dup_text (&no_rows);

  g_assert_cmpstr (gtask_text, ==,
                   "3 frames missed, longest stall 52 ms: a long task. While waiting, the "
                   "longest stall was 4 ms; showing the rows took 51 ms on the main thread");
  g_assert_cmpstr (blocking_text, ==, "UI frozen for 2,004 ms (119 frames missed)");
  g_assert_cmpstr (no_rows_text, ==, "3 frames missed, longest stall 52 ms: a long task");
}

/* No query reached the server: nothing to judge, unless the attempt itself froze the
 * window (a blocking connect). */
static void
test_nothing_ran (void)
{
  UnfreezeVerdictFacts idle = { FALSE, 0, 0, FALSE, 0, 0 };
  UnfreezeVerdictFacts hitch = { FALSE, MS (20), 1, FALSE, 0, 0 };
  UnfreezeVerdictFacts stuck = { FALSE, MS (3000), 180, FALSE, 0, 0 };
  g_autofree char *stuck_text = unfreeze_verdict_dup_text (&stuck);

  g_assert_null (unfreeze_verdict_dup_text (&idle));
  g_assert_null (unfreeze_verdict_dup_text (&hitch));
  g_assert_cmpstr (stuck_text, ==, "UI frozen for 3,000 ms (180 frames missed)");
}

/* Sentences -------------------------------------------------------------------------- */

static void
assert_joined (const char *first,
               const char *second,
               const char *expected)
{
  g_autoptr(GString) text = g_string_new (NULL);

  unfreeze_verdict_append_sentence (text, first);
  unfreeze_verdict_append_sentence (text, second);
  g_assert_cmpstr (text->str, ==, expected);
}

static void
test_sentences (void)
{
  assert_joined ("Loaded 3 rows", "Smooth", "Loaded 3 rows. Smooth");
  assert_joined ("…it only guesses.", "UI frozen", "…it only guesses. UI frozen");
  assert_joined ("Close it and try again.\n", "UI frozen", "Close it and try again. UI frozen");
  assert_joined ("Really?", "Yes", "Really? Yes");
  assert_joined ("Running for 3 ms…", "Smooth", "Running for 3 ms… Smooth");
  assert_joined ("Cancelled (1 of 2 queries had finished)", "Smooth",
                 "Cancelled (1 of 2 queries had finished). Smooth");
  assert_joined ("Error: no.", NULL, "Error: no.");
  assert_joined ("Error: no.", "  ", "Error: no.");
  assert_joined (NULL, "Smooth", "Smooth");
}

/* The status text of a real run, one per result kind --------------------------------- */

static void
start_ok (UnfreezeRun *run,
          guint        index)
{
  g_autoptr(UnfreezeRows) rows = unfreeze_rows_new ();

  unfreeze_test_send_query (run);
  g_assert_true (unfreeze_run_show_rows (run, 0, rows));
  unfreeze_run_query_done (run, NULL);
}

/* As the local server says it, full stop included. */
#define FAILED_START "The PostgreSQL data directory is in use by a server that Unfreeze cannot " \
                     "share. Stop that server and try again."

/* The connection failed: the query never reached the server. */
static void
start_failed (UnfreezeRun *run,
              guint        index)
{
  unfreeze_run_query_done (run, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, FAILED_START));
}

/* As the sleep mode says it, full stop included. */
#define LOST_RACE "No result yet after the guessed 2 s. Sleeping does not wait for anything; " \
                  "it only guesses."

static void
start_lost_race (UnfreezeRun *run,
                 guint        index)
{
  unfreeze_test_send_query (run);
  unfreeze_run_query_done (run, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, LOST_RACE));
}

static gpointer
refused_worker (gpointer user_data)
{
  UnfreezeRun *run = user_data;
  g_autoptr(UnfreezeRows) rows = unfreeze_rows_new ();

  unfreeze_test_send_query (run);
  g_assert_false (unfreeze_run_show_rows (run, 0, rows));

  return NULL;
}

/* The raw-thread mode's mistake: rows shown from the worker. */
static void
start_refused (UnfreezeRun *run,
               guint        index)
{
  g_test_expect_message ("Unfreeze-Guard", G_LOG_LEVEL_CRITICAL, "Cross-thread UI access: show rows*");
  g_thread_join (g_thread_new ("test-worker", refused_worker, run));
  g_test_assert_expected_messages ();
  unfreeze_run_query_done (run, NULL);
}

#define FAKE_MODE(name) { #name, "Test", "Test", NULL, NULL, TRUE, start_##name }

static const UnfreezeMode mode_ok = FAKE_MODE (ok);
static const UnfreezeMode mode_failed = FAKE_MODE (failed);
static const UnfreezeMode mode_lost_race = FAKE_MODE (lost_race);
static const UnfreezeMode mode_refused = FAKE_MODE (refused);

typedef struct
{
  const UnfreezeMode *mode;
  guint               count;
  UnfreezeRunResult   result;
  gboolean            queried;
  const char         *outcome;   /* the first sentence; ELAPSED is the elapsed milliseconds */
} StatusCase;

static const StatusCase status_cases[] = {
  { &mode_ok, 1, UNFREEZE_RUN_RESULT_OK, TRUE, "Loaded 0 rows for MSFT in ELAPSED ms" },
  { &mode_ok, 3, UNFREEZE_RUN_RESULT_OK, TRUE, "3 queries finished for MSFT in ELAPSED ms (0 rows each)" },
  { &mode_failed, 1, UNFREEZE_RUN_RESULT_ERROR, FALSE, "Error after ELAPSED ms: " FAILED_START },
  { &mode_lost_race, 1, UNFREEZE_RUN_RESULT_ERROR, TRUE, "Error after ELAPSED ms: " LOST_RACE },
  { &mode_refused, 1, UNFREEZE_RUN_RESULT_REFUSED, TRUE,
    "No rows shown after ELAPSED ms: a worker thread tried to update the window directly, and "
    "the UI-thread guard refused" },
  { &unfreeze_test_mode_cancelled, 1, UNFREEZE_RUN_RESULT_CANCELLED, TRUE, "Cancelled after ELAPSED ms" },
  { &unfreeze_test_mode_cancelled, 2, UNFREEZE_RUN_RESULT_CANCELLED, TRUE,
    "Cancelled after ELAPSED ms (0 of 2 queries had finished)" },
};

static void
assert_no_doubled_punctuation (const char *status)
{
  g_test_message ("status: %s", status);
  g_assert_null (strstr (status, ".."));
  g_assert_null (strstr (status, ". ."));
  g_assert_null (strstr (status, " ."));
  g_assert_null (strstr (status, "  "));
  g_assert_null (strstr (status, "\n"));
}

static UnfreezeRun *
run_to_the_end (const StatusCase *c,
                UnfreezeDatabase *database)
{
  UnfreezeRun *run = unfreeze_run_new (c->mode, database, "MSFT", 0, c->count);

  unfreeze_run_start (run);

  /* Before its end, a run says only that it is running: no verdict yet. */
  if (!unfreeze_run_get_finished (run))
    {
      g_autofree char *running = unfreeze_run_dup_status_text (run);

      g_assert_true (g_str_has_prefix (running, "Running for "));
      g_assert_true (g_str_has_suffix (running, " ms…"));
      assert_no_doubled_punctuation (running);
    }

  while (!unfreeze_run_get_finished (run))
    g_main_context_iteration (NULL, TRUE);

  return run;
}

static void
test_status (gconstpointer data)
{
  const StatusCase *c = data;
  UnfreezeDatabase *database = unfreeze_database_new ("host=/nonexistent dbname=none");
  UnfreezeRun *run = run_to_the_end (c, database);
  g_autofree char *elapsed = unfreeze_format_count (unfreeze_run_get_elapsed_us (run) / 1000);
  g_autoptr(GString) outcome_text = g_string_new (c->outcome);
  const char *outcome;
  g_autofree char *status = unfreeze_run_dup_status_text (run);
  g_autofree char *verdict = NULL;
  UnfreezeVerdictFacts facts;

  g_string_replace (outcome_text, "ELAPSED", elapsed, 1);
  outcome = outcome_text->str;

  g_assert_cmpint (unfreeze_run_get_result (run), ==, c->result);
  unfreeze_run_get_verdict_facts (run, &facts);
  g_assert_cmpint (facts.queried, ==, c->queried);
  g_assert_cmpint (facts.longest_stall_us, ==, unfreeze_run_get_longest_stall_us (run));
  g_assert_cmpint (facts.frames_missed, ==, unfreeze_run_get_frames_missed (run));
  verdict = unfreeze_verdict_dup_text (&facts);

  assert_no_doubled_punctuation (status);

  /* The outcome, then the verdict on the main loop as the verdict says it (this machine's
   * stall decides which), as a sentence of its own. */
  if (c->queried)
    {
      const char *separator = g_str_has_suffix (outcome, ".") ? " " : ". ";
      g_autofree char *expected = NULL;

      g_assert_nonnull (verdict);
      expected = g_strconcat (outcome, separator, verdict, NULL);
      g_assert_cmpstr (status, ==, expected);
    }
  else if (unfreeze_verdict_for_run (facts.longest_stall_us, facts.frames_missed) < UNFREEZE_VERDICT_LONG_TASK)
    {
      /* Nothing ran and nothing froze: no verdict at all. */
      g_assert_null (verdict);
      g_assert_cmpstr (status, ==, outcome);
    }
  else
    g_test_message ("the machine stalled a failed start for a long task: the verdict says so");

  /* The status text does not change after the fact. */
  {
    g_autofree char *again = unfreeze_run_dup_status_text (run);

    g_assert_cmpstr (again, ==, status);
  }

  /* What the run left for the main loop (a refusal's report) holds it until it runs. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (run);
  g_assert_finalize_object (database);
}

/* The user's own input: nothing said without one; within two frames is "within one frame"
 * (the next frame painted it); longer says how long, for a key or a click. */
static void
test_input_wording (void)
{
  UnfreezeVerdictFacts facts = { .queried = TRUE };
  g_autofree char *none = NULL;
  g_autofree char *next_frame = NULL;
  g_autofree char *typing = NULL;
  g_autofree char *click = NULL;

  none = unfreeze_verdict_dup_input_text (&facts);
  g_assert_null (none);

  facts.n_inputs = 3;
  facts.input_wait_max_us = 2 * UNFREEZE_VERDICT_FRAME_US;
  next_frame = unfreeze_verdict_dup_input_text (&facts);
  g_assert_cmpstr (next_frame, ==, "Your input was handled within one frame");

  facts.input_wait_max_us = 1980 * 1000;
  typing = unfreeze_verdict_dup_input_text (&facts);
  g_assert_cmpstr (typing, ==, "Your typing waited 1,980 ms");

  facts.input_kind = UNFREEZE_INPUT_CLICK;
  facts.input_wait_max_us = 2 * UNFREEZE_VERDICT_FRAME_US + 1000;
  click = unfreeze_verdict_dup_input_text (&facts);
  g_assert_cmpstr (click, ==, "Your click waited 34 ms");
}

/* An event's time is the windowing system's 32-bit millisecond clock, the monotonic clock on
 * X servers and Wayland compositors: it converts across the wrap, and a clock that is not
 * ours (far behind, ahead, or no time at all) is recognised instead of read as a wait. */
static void
test_input_event_time (void)
{
  const gint64 now_us = G_GINT64_CONSTANT (5000000000123);   /* ms 5,000,000,000: past a wrap */
  guint32 now_ms = (guint32) (now_us / 1000);
  gboolean ours = FALSE;

  g_assert_cmpint (unfreeze_input_event_time_us (now_ms - 1980, now_us, &ours), ==,
                   now_us - 1980 * 1000);
  g_assert_true (ours);
  g_assert_cmpint (unfreeze_input_event_time_us (now_ms, now_us, &ours), ==, now_us);
  g_assert_true (ours);
  /* A millisecond ahead: the two clocks' rounding. */
  g_assert_cmpint (unfreeze_input_event_time_us (now_ms + 1, now_us, &ours), ==, now_us);
  g_assert_true (ours);

  g_assert_cmpint (unfreeze_input_event_time_us (now_ms + 5000, now_us, &ours), ==, now_us);
  g_assert_false (ours);
  g_assert_cmpint (unfreeze_input_event_time_us (now_ms - 3600 * 1000, now_us, &ours), ==, now_us);
  g_assert_false (ours);
  g_assert_cmpint (unfreeze_input_event_time_us (GDK_CURRENT_TIME, now_us, &ours), ==, now_us);
  g_assert_false (ours);
}

int
main (int   argc,
      char *argv[])
{
  unfreeze_test_init (&argc, &argv);

  g_test_add_func ("/unfreeze/Verdict/stall-bands", test_stall_bands);
  g_test_add_func ("/unfreeze/Verdict/run-bands", test_run_bands);
  g_test_add_func ("/unfreeze/Verdict/wording", test_wording);
  g_test_add_func ("/unfreeze/Verdict/wait-and-show", test_wait_and_show);
  g_test_add_func ("/unfreeze/Verdict/nothing-ran", test_nothing_ran);
  g_test_add_func ("/unfreeze/Verdict/sentences", test_sentences);
  g_test_add_func ("/unfreeze/Verdict/input-wording", test_input_wording);
  g_test_add_func ("/unfreeze/Verdict/input-event-time", test_input_event_time);

  for (guint i = 0; i < G_N_ELEMENTS (status_cases); i++)
    {
      const StatusCase *c = &status_cases[i];
      g_autofree char *path = g_strdup_printf ("/unfreeze/Verdict/status/%s-%s-%u",
                                               unfreeze_run_result_to_string (c->result),
                                               c->mode->id, c->count);

      g_test_add_data_func (path, c, test_status);
    }

  return g_test_run ();
}
