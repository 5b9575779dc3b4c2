/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The benchmark's window scenarios: presses of Run in the real window, quiet and under
 * load, and what each one cost the main loop, the frame clock, threads and memory.
 */
#define G_LOG_DOMAIN "Unfreeze-Bench"

#include "config.h"

#include "unfreeze-bench.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unfreeze-query.h"
#include "unfreeze-reveal-model.h"
#include "unfreeze-stall-meter.h"
#include "unfreeze-test-fixture.h"

/* Before each scenario the window idles a while, so the last scenario's aftermath (a new
 * mode's source being highlighted, late workers) is not counted in the next one. */
#define SETTLE_MS          300
#define SETTLE_MODE_MS     1000
/* After a run ends, stalls still count this long: the result's first layout and paint
 * happen in the frames after "finished". */
#define TAIL_MS            250
#define PAINT_TIMEOUT_MS   10000
/* Blocking runs its queries one after the other on the main thread: N at once freezes the
 * window for N server delays. Above this many, the scenario is skipped (and says so). */
#define BLOCKING_MAX_AT_ONCE 10

static const char * const loaded_modes[] = { "gtask", "mainloop" };

/* The window -------------------------------------------------------------------------- */

/* The window swaps the rows view's model when a run's rows arrive (and clears it when a run
 * starts): the first non-NULL model after Run is "rows handed to the window". */
static void
rows_model_notify_cb (GObject    *reveal,
                      GParamSpec *pspec,
                      gpointer    user_data)
{
  UnfreezeBench *bench = user_data;

  if (bench->rows_armed && bench->rows_shown_us == 0 &&
      unfreeze_reveal_model_get_model (UNFREEZE_REVEAL_MODEL (reveal)) != NULL)
    bench->rows_shown_us = g_get_monotonic_time ();
}

/* After the frame is painted: the rows handed over before it are on screen now. */
static void
after_paint_cb (GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  UnfreezeBench *bench = user_data;

  if (bench->rows_shown_us != 0 && bench->painted_us == 0)
    bench->painted_us = g_get_monotonic_time ();
}

static void
guard_log_cb (const char     *log_domain,
              GLogLevelFlags  log_level,
              const char     *message,
              gpointer        user_data)
{
  /* The raw-thread mode's refusals are its lesson, thousands of times over in the
   * throughput runs: counted, not printed. The time of the last one ends that mode's
   * "waiting" (its worker reached the UI); the guard reports on the worker's thread. */
  UnfreezeBench *bench = user_data;

  g_atomic_int_inc (&bench->refusals);
  g_mutex_lock (&bench->refusal_lock);
  bench->last_refusal_us = g_get_monotonic_time ();
  g_mutex_unlock (&bench->refusal_lock);
}

/* When the app had the last row from libpq, in monotonic time: the end of the last QUERY
 * or FETCH span. Spans are relative to the run's own start; the APPLY span began when the
 * rows were handed to the window, which @rows_us saw, and that ties the two clocks. */
static gint64
last_row_time (UnfreezeRun *run,
               gint64       rows_us)
{
  g_autoptr(GArray) spans = unfreeze_run_dup_spans (run);
  gint64 apply_rel = -1;
  gint64 last_rel = -1;

  for (guint i = 0; i < spans->len; i++)
    {
      const UnfreezeSpan *span = &g_array_index (spans, UnfreezeSpan, i);

      if (span->kind == UNFREEZE_SPAN_APPLY && apply_rel < 0)
        apply_rel = span->begin_us;
      if ((span->kind == UNFREEZE_SPAN_QUERY || span->kind == UNFREEZE_SPAN_FETCH) &&
          span->end_us >= 0)
        last_rel = MAX (last_rel, span->end_us);
    }

  if (rows_us == 0 || apply_rel < 0 || last_rel < 0)
    return 0;

  return rows_us - apply_rel + last_rel;
}

/* The main thread's calls into libpq that took UNFREEZE_RUN_BLOCKING_CALL_US or more,
 * waiting or computing: the run records each one as a span with the call's name (the
 * main-loop mode times every call it makes). Worker threads may block, that is their job;
 * lane 0 is the UI thread. Calls as slow only because the kernel switched the thread out
 * are counted apart (unfreeze-call-clock.c). */
static void
count_blocking_calls (UnfreezeRun *run,
                      UnfreezeBenchMeasure *m)
{
  g_autoptr(GArray) spans = unfreeze_run_dup_spans (run);

  m->n_preempted_calls = unfreeze_run_get_n_preempted_calls (run);
  for (guint i = 0; i < spans->len; i++)
    {
      const UnfreezeSpan *span = &g_array_index (spans, UnfreezeSpan, i);
      gint64 duration = span->end_us - span->begin_us;

      if (span->kind != UNFREEZE_SPAN_BLOCKING_CALL || span->thread_id != 0 || span->end_us < 0)
        continue;
      m->n_blocking_calls++;
      if (duration > m->blocking_call_max_us)
        {
          m->blocking_call_max_us = duration;
          m->blocking_call_name = span->label;
        }
    }
}

/* The shortest stall UNFREEZE_BENCH_TRACE prints: a frame, or UNFREEZE_BENCH_TRACE_MS, to see
 * what the stalls just under the line are made of. */
static gint64
trace_least_us (void)
{
  const char *least_ms = g_getenv ("UNFREEZE_BENCH_TRACE_MS");
  double ms = least_ms != NULL ? g_ascii_strtod (least_ms, NULL) : 0;

  return ms > 0 ? (gint64) (ms * 1000) : UNFREEZE_STALL_METER_FRAME_US;
}

/* The calling thread's page faults so far, minor and major. */
static glong
thread_page_faults (void)
{
  struct rusage usage;

  getrusage (RUSAGE_THREAD, &usage);
  return usage.ru_minflt + usage.ru_majflt;
}

/* One press of Run in the real window, with the main loop running until the run is over
 * and its rows are painted. */
static void
run_scenario (UnfreezeBench               *bench,
              const char                  *mode_id,
              const UnfreezeBenchScenario *scenario,
              UnfreezeBenchMeasure        *m)
{
  UnfreezeWindow *window = bench->window;
  g_autoptr(UnfreezeRun) run = NULL;
  UnfreezeBenchRunWait wait;
  gboolean mode_changed = g_strcmp0 (unfreeze_window_get_mode (window), mode_id) != 0;
  gint refusals_before;
  gint64 deadline;

  unfreeze_window_set_mode (window, mode_id);
  unfreeze_window_set_ticker (window, scenario->ticker);
  unfreeze_window_set_delay (window, scenario->delay);
  unfreeze_window_set_count (window, scenario->count);
  unfreeze_bench_iterate_for (mode_changed ? SETTLE_MODE_MS : SETTLE_MS);

  memset (m, 0, sizeof *m);
  /* No malloc_trim() here: it hands back every free page, the ones the window's frames
   * reuse as well, and the run would then pay to fault them in again (about 900 page
   * faults in the main thread, up to 12 ms in one frame on the reference machine). The
   * run starts from the memory a running app has; its growth is what it took beyond it. */
  m->threads_before = unfreeze_stall_meter_count_threads ();
  m->rss_before_kb = unfreeze_bench_probes_read_rss_kb (&bench->probes);
  unfreeze_bench_probes_reset_peaks (&bench->probes);
  refusals_before = g_atomic_int_get (&bench->refusals);
  g_mutex_lock (&bench->refusal_lock);
  bench->last_refusal_us = 0;
  g_mutex_unlock (&bench->refusal_lock);
  bench->rows_shown_us = 0;
  bench->painted_us = 0;
  bench->rows_armed = TRUE;

  m->page_faults = thread_page_faults ();
  m->start_us = g_get_monotonic_time ();
  run = unfreeze_window_start_run (window);
  if (run == NULL)
    g_error ("The window did not start a %s run", mode_id);
  g_object_ref (run);
  unfreeze_bench_run_wait_begin (&wait, run);
  m->end_us = unfreeze_bench_run_wait_end (&wait, run);
  m->queries_us = unfreeze_run_get_elapsed_us (run);

  /* The table takes the rows in a few per frame: that is part of showing them. */
  deadline = g_get_monotonic_time () + PAINT_TIMEOUT_MS * 1000;
  while (!unfreeze_window_get_rows_settled (window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  unfreeze_bench_iterate_for (TAIL_MS);
  while (bench->rows_shown_us != 0 && bench->painted_us == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  bench->rows_armed = FALSE;
  m->tail_end_us = g_get_monotonic_time ();
  m->page_faults = thread_page_faults () - m->page_faults;

  m->threads_peak = unfreeze_bench_probes_get_peak_threads (&bench->probes);
  m->rss_peak_kb = unfreeze_bench_probes_get_peak_rss_kb (&bench->probes);
  m->rows_us = bench->rows_shown_us;
  m->painted_us = bench->painted_us;
  m->last_row_us = last_row_time (run, m->rows_us);
  m->n_rows = unfreeze_run_get_n_rows (run);
  m->result = unfreeze_run_get_result (run);
  m->app_stall_us = unfreeze_run_get_longest_stall_us (run);
  m->refusals = (guint) (g_atomic_int_get (&bench->refusals) - refusals_before);
  g_mutex_lock (&bench->refusal_lock);
  m->refused_us = m->refusals > 0 ? bench->last_refusal_us : 0;
  g_mutex_unlock (&bench->refusal_lock);
  count_blocking_calls (run, m);
  unfreeze_bench_probes_stall_stats (&bench->probes, m->start_us, m->tail_end_us, m);
  /* Waiting ends when the last worker reached the UI (and was refused); with no refusal,
   * when the run finished. */
  unfreeze_bench_probes_interval_max (&bench->probes, m->start_us,
                                      m->refused_us != 0 ? m->refused_us : m->end_us,
                                      &m->waiting_stall_us, &m->waiting_gap_us);
  if (g_getenv ("UNFREEZE_BENCH_TRACE") != NULL)
    unfreeze_bench_probes_trace_stalls (&bench->probes, m, trace_least_us ());

  /* The sleep mode's run ends when its sleep does; its workers may still be at it. Let
   * them finish before the next scenario, so they are not counted there. */
  if (g_str_equal (mode_id, "sleep"))
    {
      deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
      while (unfreeze_stall_meter_count_threads () > m->threads_before &&
             g_get_monotonic_time () < deadline)
        unfreeze_bench_iterate_for (50);
    }
}

/* Responsiveness ---------------------------------------------------------------------- */

static void
record_measure (UnfreezeBench               *bench,
                const char                  *section,
                const UnfreezeBenchScenario *scenario,
                const char                  *mode_id,
                const UnfreezeBenchMeasure  *m)
{
  const char *result = unfreeze_run_result_to_string (m->result);

  /* Every number of the run goes under the same section, scenario and mode. */
#define ADD(metric, value, unit, note) \
  unfreeze_bench_report_add (bench->report, section, scenario->name, mode_id, metric, value, unit, note)

  ADD ("stall_max_ms", us_to_ms (m->stall_max_us), "ms", NULL);
  ADD ("stall_max_ran_ms", m->stall_max_ran_us >= 0 ? us_to_ms (m->stall_max_ran_us) : NAN, "ms",
       "in the longest stall, the time the main thread ran (the kernel's schedstat)");
  ADD ("stall_max_queued_ms", m->stall_max_queued_us >= 0 ? us_to_ms (m->stall_max_queued_us) : NAN, "ms",
       "in the longest stall, the time the main thread was ready to run and waited for a core");
  ADD ("stall_p99_ms", us_to_ms (m->stall_p99_us), "ms", NULL);
  ADD ("heartbeats", m->n_beats, "count", NULL);
  ADD ("frame_gap_max_ms", us_to_ms (m->gap_max_us), "ms", NULL);
  ADD ("frame_gap_p99_ms", us_to_ms (m->gap_p99_us), "ms", NULL);
  ADD ("frames", m->n_frames, "count", NULL);
  ADD ("press_stall_ms", us_to_ms (m->press_stall_us), "ms",
       "the stall that holds the press of Run (the first heartbeat after it)");
  ADD ("wait_stall_max_ms", us_to_ms (m->wait_stall_us), "ms",
       "the longest stall after that, before the rows were handed to the window");
  ADD ("show_stall_max_ms", m->rows_us != 0 ? us_to_ms (m->show_stall_us) : NAN, "ms",
       "the longest stall from the rows handed to the window to their first paint");
  ADD ("app_longest_stall_ms", us_to_ms (m->app_stall_us), "ms", NULL);
  ADD ("until_refused_stall_max_ms", us_to_ms (m->waiting_stall_us), "ms",
       m->refused_us != 0 ? "from pressing Run to the last update the UI-thread guard refused"
                          : "from pressing Run to \"finished\" (no update was refused)");
  ADD ("until_refused_frame_gap_max_ms", us_to_ms (m->waiting_gap_us), "ms", NULL);
  ADD ("main_thread_blocking_calls", m->n_blocking_calls, "count",
       "calls into libpq on the main thread that took 2 ms or more, waiting or computing "
       "(the run's BLOCKING_CALL spans)");
  ADD ("main_thread_preempted_calls", m->n_preempted_calls, "count",
       "calls into libpq on the main thread that took 2 ms or more only because the kernel "
       "switched the thread out (no wait, under 2 ms of CPU)");
  ADD ("main_thread_blocking_call_max_ms", m->n_blocking_calls > 0 ? us_to_ms (m->blocking_call_max_us) : 0, "ms",
       m->blocking_call_name);
  ADD ("elapsed_ms", us_to_ms (m->queries_us), "ms",
       "the run's own elapsed time, as its status line says: until its last query was over");
  ADD ("finished_ms", us_to_ms (m->end_us - m->start_us), "ms",
       "until the run finished: its rows all in the table, revealed a few per frame");
  ADD ("threads_before", m->threads_before, "count", NULL);
  ADD ("threads_peak", m->threads_peak, "count", NULL);
  ADD ("rss_before_mib", m->rss_before_kb / 1024.0, "MiB", NULL);
  ADD ("rss_growth_mib", MAX (m->rss_peak_kb - m->rss_before_kb, 0) / 1024.0, "MiB", NULL);
  ADD ("main_thread_page_faults", m->page_faults, "count",
       "getrusage (RUSAGE_THREAD): the main thread's page faults, from Run to the end of the tail");
  ADD ("rows", m->n_rows, "count", NULL);
  ADD ("refusals", m->refusals, "count", NULL);
  ADD ("result", NAN, NULL, result);

  if (m->painted_us != 0)
    {
      ADD ("run_to_paint_ms", us_to_ms (m->painted_us - m->start_us), "ms", NULL);
      if (m->last_row_us != 0)
        ADD ("last_row_to_paint_ms", us_to_ms (m->painted_us - m->last_row_us), "ms", NULL);
      else
        ADD ("last_row_to_paint_ms", NAN, "ms", "the run recorded no query span");
    }
  else
    {
      g_autofree char *why = g_strdup_printf ("no rows were shown (result: %s)", result);

      ADD ("run_to_paint_ms", NAN, "ms", why);
      ADD ("last_row_to_paint_ms", NAN, "ms", why);
    }
#undef ADD
}

static void
print_progress (const char                 *mode_id,
                const char                 *scenario,
                const UnfreezeBenchMeasure *m)
{
  fprintf (stderr, "  %-9s %-14s stall max %8.1f p99 %7.1f ms | frame gap max %8.1f ms | %6.0f (%.0f) ms | "
                   "threads %u→%u | RSS +%.1f MiB | %s, %u rows\n",
                   mode_id, scenario, us_to_ms (m->stall_max_us), us_to_ms (m->stall_p99_us),
                   us_to_ms (m->gap_max_us), us_to_ms (m->queries_us), us_to_ms (m->end_us - m->start_us),
                   m->threads_before, m->threads_peak,
                   MAX (m->rss_peak_kb - m->rss_before_kb, 0) / 1024.0,
                   unfreeze_run_result_to_string (m->result), m->n_rows);
  if (m->stall_max_us >= UNFREEZE_STALL_METER_FRAME_US && m->stall_max_ran_us >= 0)
    fprintf (stderr, "            in the longest stall the main thread ran %.1f ms and waited for a core %.1f ms\n",
             us_to_ms (m->stall_max_ran_us), us_to_ms (m->stall_max_queued_us));
  if (m->n_blocking_calls > 0)
    fprintf (stderr, "            %u main-thread libpq calls of 2 ms or more, longest %s %.1f ms\n",
             m->n_blocking_calls, m->blocking_call_name, us_to_ms (m->blocking_call_max_us));
}

/* A million rows held by libpq alone, as a yardstick for the modes: the time for the whole
 * result to arrive, and the memory it takes. In this process, before any mode has held
 * the million rows. */
static void
measure_libpq_huge (UnfreezeBench *bench)
{
  PGconn *conn = PQconnectdb (unfreeze_test_fixture_get_conninfo ());
  g_autoptr(GError) error = NULL;
  PGresult *result;
  gint64 rss_before, rss_after, rss_peak, start, elapsed;
  guint64 bytes = 0;
  int rows, columns;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("Could not connect: %s", PQerrorMessage (conn));

  rss_before = unfreeze_bench_probes_read_rss_kb (&bench->probes);
  unfreeze_bench_probes_reset_peaks (&bench->probes);
  start = g_get_monotonic_time ();
  result = unfreeze_query_exec (conn, UNFREEZE_BENCH_HUGE_TICKER, 0.0, TRUE, &error);
  elapsed = g_get_monotonic_time () - start;
  if (result == NULL)
    g_error ("The million-row query failed: %s", error->message);
  rss_after = unfreeze_bench_probes_read_rss_kb (&bench->probes);
  rss_peak = unfreeze_bench_probes_get_peak_rss_kb (&bench->probes);

  rows = PQntuples (result);
  columns = PQnfields (result);
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < columns; c++)
      bytes += (guint64) PQgetlength (result, r, c);

  /* Every number here goes under the same section, scenario and mode. */
#define ADD(metric, value, unit, note) \
  unfreeze_bench_report_add (bench->report, "big-result", "huge", "reference", metric, value, unit, note)

  ADD ("libpq_exec_ms", us_to_ms (elapsed), "ms",
       "PQexecParams of the demo statement, whole result, one connection");
  ADD ("libpq_rss_growth_mib", (rss_after - rss_before) / 1024.0, "MiB",
       "VmRSS after PQexecParams returned minus before");
  ADD ("libpq_rss_peak_growth_mib", (rss_peak - rss_before) / 1024.0, "MiB", NULL);
  ADD ("libpq_value_bytes_mib", bytes / (1024.0 * 1024.0), "MiB",
       "sum of PQgetlength over every value");
  ADD ("rows", rows, "count", NULL);
#undef ADD

  fprintf (stderr, "  libpq alone: %d rows in %.0f ms, RSS +%.1f MiB (values %.1f MiB)\n",
                   rows, us_to_ms (elapsed), (rss_after - rss_before) / 1024.0, bytes / (1024.0 * 1024.0));

  PQclear (result);
  PQfinish (conn);
}

/* The window with no run at all: what drawing it costs the main loop on this machine,
 * the floor under every mode's numbers. @scenario: "idle", or the loaded variant's. */
static void
measure_idle (UnfreezeBench *bench,
              const char    *section,
              const char    *scenario)
{
  UnfreezeBenchMeasure m = { 0 };

  unfreeze_bench_iterate_for (SETTLE_MS);
  m.start_us = g_get_monotonic_time ();
  unfreeze_bench_iterate_for (UNFREEZE_BENCH_IDLE_MS);
  m.end_us = g_get_monotonic_time ();
  unfreeze_bench_probes_stall_stats (&bench->probes, m.start_us, m.end_us, &m);

  /* Every number here goes under the same section, scenario and mode. */
#define ADD(metric, value, unit, note) \
  unfreeze_bench_report_add (bench->report, section, scenario, "reference", metric, value, unit, note)

  ADD ("stall_max_ms", us_to_ms (m.stall_max_us), "ms",
       "the window on screen, no run, 3 s");
  ADD ("stall_p99_ms", us_to_ms (m.stall_p99_us), "ms", NULL);
  ADD ("frame_gap_max_ms", us_to_ms (m.gap_max_us), "ms", NULL);
  ADD ("frame_gap_p99_ms", us_to_ms (m.gap_p99_us), "ms", NULL);
  ADD ("frames", m.n_frames, "count", NULL);
#undef ADD
  fprintf (stderr, "  %s window: stall max %.1f p99 %.1f ms | frame gap max %.1f p99 %.1f ms, %u frames in 3 s\n",
           scenario, us_to_ms (m.stall_max_us), us_to_ms (m.stall_p99_us), us_to_ms (m.gap_max_us),
           us_to_ms (m.gap_p99_us), m.n_frames);
  if (g_getenv ("UNFREEZE_BENCH_TRACE") != NULL)
    unfreeze_bench_probes_trace_beats (&bench->probes, m.start_us, m.end_us, trace_least_us ());
}

/* The next Run after a mode's million rows, in the same mode: it lets go of them (the
 * window drops the last run and its model when a new one starts), and for the modes that
 * must stay smooth that Run is part of the target. The sleep mode's own run would sleep 2 s
 * on the main thread; a blocking run of no rows stands in for it (its query costs well
 * under a millisecond, so its stall is the dropping). Recorded under @mode_id. */
static void
measure_next_run (UnfreezeBench               *bench,
                  const char                  *section,
                  const char                  *mode_id,
                  const UnfreezeBenchScenario *scenario)
{
  UnfreezeBenchMeasure m;

  run_scenario (bench, g_str_equal (mode_id, "sleep") ? "blocking" : mode_id, scenario, &m);
  record_measure (bench, section, scenario, mode_id, &m);
  print_progress (mode_id, scenario->name, &m);
}

/* The bench's server serves the app alone, as the built-in one does, and its pool keeps as
 * many idle connections: once a run of 200 has opened them, the next run of 200 opens
 * none. The first such run after start-up opens them all (each new connection is a server
 * process to start: milliseconds of the server's CPU); it is measured here, on its own, as
 * "at-once-200-first", and every scenario after it finds the pool as a user's second Run
 * does. */
static void
measure_first_at_once (UnfreezeBench *bench)
{
  UnfreezeBenchScenario first = *unfreeze_bench_find_scenario ("at-once-200");
  UnfreezeBenchMeasure m;

  if (!unfreeze_bench_mode_wanted (bench, "mainloop"))
    return;

  first.name = "at-once-200-first";
  run_scenario (bench, "mainloop", &first, &m);
  record_measure (bench, "responsiveness", &first, "mainloop", &m);
  print_progress ("mainloop", first.name, &m);
}

void
unfreeze_bench_measure_responsiveness (UnfreezeBench *bench)
{
  const UnfreezeMode * const *modes;
  guint n_modes;

  measure_idle (bench, "responsiveness", "idle");
  measure_libpq_huge (bench);
  measure_first_at_once (bench);

  modes = unfreeze_modes_get_all (&n_modes);
  for (guint i = 0; i < n_modes; i++)
    {
      const char *mode_id = modes[i]->id;

      if (!unfreeze_bench_mode_wanted (bench, mode_id))
        continue;

      for (guint s = 0; s < unfreeze_bench_n_scenarios; s++)
        {
          const UnfreezeBenchScenario *scenario = &unfreeze_bench_scenarios[s];
          UnfreezeBenchMeasure m;

          if (g_str_equal (mode_id, "blocking") && scenario->count > BLOCKING_MAX_AT_ONCE)
            {
              g_autofree char *why =
                g_strdup_printf ("skipped: the blocking mode runs the %u queries one after the other "
                                 "on the main thread, a %u s freeze; see 10 at once",
                                 scenario->count, scenario->count);

              unfreeze_bench_report_add (bench->report, "responsiveness", scenario->name, mode_id, "stall_max_ms",
                                         NAN, "ms", why);
              continue;
            }

          /* Every deadlock run is the same freeze, until the app's safety net ends it: one
           * scenario shows it. */
          if (g_str_equal (mode_id, "deadlock") && !g_str_equal (scenario->name, "delay-2s"))
            {
              unfreeze_bench_report_add (bench->report, "responsiveness", scenario->name, mode_id,
                                         "stall_max_ms", NAN, "ms",
                                         "skipped: every deadlock run freezes the window until the "
                                         "app's safety net ends the wait; see 1 query, 2 s");
              continue;
            }

          run_scenario (bench, mode_id, scenario, &m);
          record_measure (bench, g_str_equal (scenario->name, "huge") ? "big-result" : "responsiveness",
                          scenario, mode_id, &m);
          print_progress (mode_id, scenario->name, &m);

          if (g_str_equal (scenario->name, "huge"))
            measure_next_run (bench, "big-result", mode_id, &unfreeze_bench_drop_scenario);
        }

      unfreeze_bench_report_add (bench->report, "responsiveness", "delay-2s", mode_id, "freeze_ratio",
                                 unfreeze_bench_report_get (bench->report, "delay-2s", mode_id, "stall_max_ms") / 2000.0,
                                 "ratio",
                                 "longest stall / server delay");
    }
}

/* Under load ------------------------------------------------------------------------- */

/* One busy process per core at nice 19, as a build or an indexer would be on a user's
 * machine: the scheduler gives the app the cores first, but a wake-up of the main thread may
 * still wait for a time slice. Processes, not threads, so that the bench's own thread counts
 * stay those of the app. */
static GArray *
start_load (void)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  guint n = g_get_num_processors ();
  pid_t parent = getpid ();

  for (guint i = 0; i < n; i++)
    {
      pid_t pid = fork ();

      if (pid == 0)
        {
          volatile guint64 spin = 0;

          /* The child of a threaded process: system calls only, no GLib, no stdio. It dies
           * with the bench, even when the bench does not get to stop it. */
          prctl (PR_SET_PDEATHSIG, SIGKILL);
          if (getppid () != parent)
            _exit (0);
          setpriority (PRIO_PROCESS, 0, UNFREEZE_BENCH_LOAD_NICE);
          for (;;)
            spin++;
        }

      if (pid > 0)
        g_array_append_val (pids, pid);
      else
        fprintf (stderr, "  load: fork failed: %s\n", g_strerror (errno));
    }

  return pids;
}

static void
stop_load (GArray *pids)
{
  for (guint i = 0; i < pids->len; i++)
    {
      pid_t pid = g_array_index (pids, pid_t, i);

      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
    }
  g_array_unref (pids);
}

/* The same runs as above with the machine busy: no target, but the numbers a user with a
 * build running sees. Recorded as scenarios named "loaded-…". */
void
unfreeze_bench_measure_loaded (UnfreezeBench *bench)
{
  g_autofree char *what = NULL;
  g_autofree char *loadavg = NULL;
  UnfreezeBenchScenario drop = unfreeze_bench_drop_scenario;
  GArray *load_pids = start_load ();

  what = g_strdup_printf ("%u busy processes at nice %d", load_pids->len, UNFREEZE_BENCH_LOAD_NICE);
  unfreeze_bench_report_add_machine (bench->report, "load_in_loaded_section", what);
  fprintf (stderr, "  %s\n", what);
  /* Let the scheduler spread them over the cores first. */
  unfreeze_bench_iterate_for (1000);

  measure_idle (bench, "loaded", UNFREEZE_BENCH_LOADED_PREFIX "idle");
  drop.name = UNFREEZE_BENCH_LOADED_PREFIX "huge-next-run";
  drop.label = "under load: next Run after 1,000,000 rows";

  for (guint i = 0; i < G_N_ELEMENTS (loaded_modes); i++)
    {
      if (!unfreeze_bench_mode_wanted (bench, loaded_modes[i]))
        continue;

      for (guint s = 0; s < unfreeze_bench_n_loaded_scenarios; s++)
        {
          const UnfreezeBenchScenario *quiet = unfreeze_bench_find_scenario (unfreeze_bench_loaded_scenarios[s]);
          g_autofree char *name = g_strconcat (UNFREEZE_BENCH_LOADED_PREFIX, quiet->name, NULL);
          g_autofree char *label = g_strdup_printf ("under load: %s", quiet->label);
          UnfreezeBenchScenario loaded = *quiet;
          UnfreezeBenchMeasure m;

          loaded.name = name;
          loaded.label = label;
          run_scenario (bench, loaded_modes[i], &loaded, &m);
          record_measure (bench, "loaded", &loaded, loaded_modes[i], &m);
          print_progress (loaded_modes[i], loaded.name, &m);

          if (g_str_equal (quiet->name, "huge"))
            measure_next_run (bench, "loaded", loaded_modes[i], &drop);
        }
    }

  /* The one-minute load average, after a minute of this: the load was there. */
  loadavg = unfreeze_bench_read_loadavg ();
  unfreeze_bench_report_add_machine (bench->report, "loadavg_end_of_loaded_section", loadavg);
  stop_load (load_pids);
}

/* The window --------------------------------------------------------------------------- */

/* The app's window, shown, on its rows view, watched: its frame clock by the stall meter,
 * its paints and its rows model by the bench, its UI-thread guard's refusals too. */
void
unfreeze_bench_open_window (UnfreezeBench *bench)
{
  UnfreezeWindow *window = unfreeze_window_new (NULL, bench->database);
  GdkFrameClock *frame_clock;

  unfreeze_window_set_database_ready (window, NULL);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.view", "s", "rows");

  unfreeze_stall_meter_watch_frame_clock (unfreeze_stall_meter_get_default (), GTK_WIDGET (window));
  frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (frame_clock, "after-paint", G_CALLBACK (after_paint_cb), bench);
  g_signal_connect (unfreeze_window_get_rows_model (window), "notify::model",
                    G_CALLBACK (rows_model_notify_cb), bench);
  g_log_set_handler ("Unfreeze-Guard", G_LOG_LEVEL_CRITICAL, guard_log_cb, bench);
  bench->window = window;
}

void
unfreeze_bench_close_window (UnfreezeBench *bench)
{
  g_clear_pointer ((GtkWindow **) &bench->window, gtk_window_destroy);
}

