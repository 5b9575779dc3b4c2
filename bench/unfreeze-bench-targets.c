/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The benchmark's targets (issue 12), each judged on the report as met, not met or not
 * judged, with the numbers that decided it.
 */
#define G_LOG_DOMAIN "Unfreeze-Bench"

#include "config.h"

#include "unfreeze-bench.h"

#include <math.h>

#include "unfreeze-stall-meter.h"

#define FRAME_US ((double) UNFREEZE_STALL_METER_FRAME_US)
/* The frame clock's times sit on the 60 Hz grid give or take a fraction of a millisecond:
 * a gap of two frames may read 33.4 ms, a third frame adds 16.7. */
#define FRAME_JITTER_US    1000
#define IDLE_P99_TARGET_MS        5.0
#define THROUGHPUT_TARGET         0.5    /* × pgbench -c N */
#define OVERHEAD_TARGET           2.0    /* × pgbench's median latency */
#define AT_ONCE_TARGET            1.2    /* × the server delay, 200 at once */
#define WARM_WINDOW_TARGET_MS     400
#define WARM_READY_TARGET_MS      800
#define COLD_READY_MARGIN_MS      500    /* over initdb + pg_ctl start -w */

/* "not met" with what failed; else "not judged" with what is missing; else "met". */
static void
add_verdict (UnfreezeBenchReport *report,
             const char          *id,
             const char          *label,
             const char          *mode,
             GString             *failed,
             GString             *missing,
             const char          *met_reason)
{
  g_autofree char *reason = NULL;

  if (failed->len > 0)
    {
      reason = missing->len > 0 ? g_strdup_printf ("%s (not measured: %s)", failed->str, missing->str)
                                : g_strdup (failed->str);
      unfreeze_bench_report_add_target (report, id, label, mode, "not met", reason);
    }
  else if (missing->len > 0)
    {
      reason = g_strdup_printf ("not measured: %s", missing->str);
      unfreeze_bench_report_add_target (report, id, label, mode, "not judged", reason);
    }
  else
    unfreeze_bench_report_add_target (report, id, label, mode, "met", met_reason);
}

static void
append_item (GString    *list,
             const char *separator,
             const char *format,
             ...) G_GNUC_PRINTF (3, 4);

static void
append_item (GString    *list,
             const char *separator,
             const char *format,
             ...)
{
  va_list args;

  if (list->len > 0)
    g_string_append (list, separator);
  va_start (args, format);
  g_string_append_vprintf (list, format, args);
  va_end (args);
}

/* The scenarios a smooth mode is judged in: every one through the window, and the Run
 * after the million rows. */
static GPtrArray *
smooth_scenarios (gboolean with_next_run)
{
  GPtrArray *names = g_ptr_array_new ();

  for (guint s = 0; s < unfreeze_bench_n_scenarios; s++)
    g_ptr_array_add (names, (gpointer) unfreeze_bench_scenarios[s].name);
  if (with_next_run)
    g_ptr_array_add (names, (gpointer) unfreeze_bench_drop_scenario.name);

  return names;
}

static void
judge_idle (UnfreezeBenchReport *report)
{
  double max = unfreeze_bench_report_get (report, "idle", "reference", "stall_max_ms");
  double p99 = unfreeze_bench_report_get (report, "idle", "reference", "stall_p99_ms");
  g_autofree char *reason = NULL;

  if (isnan (max) || isnan (p99))
    return;

  reason = g_strdup_printf ("heartbeat p99 %.1f ms, max %.1f ms", p99, max);
  unfreeze_bench_report_add_target (report, "idle", "Idle window", "reference",
                                    p99 <= IDLE_P99_TARGET_MS && max < FRAME_US / 1000.0 ? "met" : "not met", reason);
}

/* A frame, as the window gets them on this display: the idle window's mean frame gap, never
 * shorter than one at 60 Hz. Xvfb draws the window at 60 Hz; Weston's headless output reports
 * 60 Hz and draws it at about 40, so there a gap of 33.7 ms is no frame missed (the app's meter
 * counts frames the same way: unfreeze-stall-meter.c). */
static double
frame_period_us (UnfreezeBenchReport *report)
{
  double frames = unfreeze_bench_report_get (report, "idle", "reference", "frames");

  if (isnan (frames) || frames < 1)
    return FRAME_US;

  return MAX (FRAME_US, UNFREEZE_BENCH_IDLE_MS * 1000.0 / frames);
}

/* Smooth: the heartbeat never later than a frame, and no frame more than two frames after
 * the one before (frames at the idle window's pace, see frame_period_us()). Judged twice
 * because they differ: the loop can be free for a heartbeat and still draw nothing, when
 * ready sources of a higher priority than drawing starve the frame clock. Over the whole
 * run, in every scenario through the window and the Run after the million rows; or,
 * @until_refused, up to the run's refused update, through the window. */
static void
judge_smooth (UnfreezeBench *bench,
              const char    *mode,
              gboolean       until_refused)
{
  UnfreezeBenchReport *report = bench->report;
  g_autoptr(GPtrArray) names = smooth_scenarios (!until_refused);
  const char *stall_metric = until_refused ? "until_refused_stall_max_ms" : "stall_max_ms";
  const char *gap_metric = until_refused ? "until_refused_frame_gap_max_ms" : "frame_gap_max_ms";
  g_autoptr(GString) failed = g_string_new (NULL);
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autofree char *met = NULL;
  const char *worst_stall = NULL;
  const char *worst_gap = NULL;
  double worst_stall_ms = -1;
  double worst_gap_ms = -1;
  double frame_us = frame_period_us (report);
  double two_frames_ms = (2 * frame_us + FRAME_JITTER_US) / 1000.0;
  g_autofree char *pace = NULL;

  if (!unfreeze_bench_mode_wanted (bench, mode))
    return;

  for (guint s = 0; s < names->len; s++)
    {
      const char *name = g_ptr_array_index (names, s);
      double stall = unfreeze_bench_report_get (report, name, mode, stall_metric);
      double gap = unfreeze_bench_report_get (report, name, mode, gap_metric);

      if (isnan (stall) || isnan (gap))
        {
          append_item (missing, ", ", "%s", name);
          continue;
        }
      if (stall > worst_stall_ms)
        {
          worst_stall_ms = stall;
          worst_stall = name;
        }
      if (gap > worst_gap_ms)
        {
          worst_gap_ms = gap;
          worst_gap = name;
        }
      if (stall >= FRAME_US / 1000.0 || gap > two_frames_ms)
        {
          double ran = unfreeze_bench_report_get (report, name, mode, "stall_max_ran_ms");
          double queued = unfreeze_bench_report_get (report, name, mode, "stall_max_queued_ms");

          append_item (failed, "; ", "%s: stall %.1f ms, frame gap %.1f ms", name, stall, gap);
          /* Whose the longest stall was: the app's work, or the machine's (another process,
           * or a virtual machine's host, on the cores). */
          if (!until_refused && !isnan (ran) && !isnan (queued))
            g_string_append_printf (failed, " (in the longest stall the main thread ran %.1f ms, "
                                    "waited for a core %.1f ms)", ran, queued);
        }
    }

  /* Slower than 60 Hz (more than jitter): say so, wherever the verdict lands. */
  pace = frame_us > FRAME_US + FRAME_JITTER_US
    ? g_strdup_printf ("; the idle window drew a frame every %.1f ms here, so two frames are "
                       "%.1f ms", frame_us / 1000.0, 2 * frame_us / 1000.0)
    : g_strdup ("");
  if (worst_stall != NULL)
    met = g_strdup_printf ("longest stall %.1f ms (%s), longest frame gap %.1f ms (%s)%s",
                           worst_stall_ms, worst_stall, worst_gap_ms, worst_gap, pace);
  if (failed->len > 0)
    g_string_append (failed, pace);
  if (until_refused)
    add_verdict (report, "smooth-waiting", "Smooth while waiting, until the refused update", mode,
                 failed, missing, met);
  else
    add_verdict (report, "smooth", "Smooth in every scenario", mode, failed, missing, met);
}

static void
judge_stalls (UnfreezeBench *bench)
{
  UnfreezeBenchReport *report = bench->report;

  if (unfreeze_bench_report_find (report, "delay-2s", "gtask", "stall_max_ms") == NULL &&
      unfreeze_bench_report_find (report, "delay-2s", "mainloop", "stall_max_ms") == NULL &&
      unfreeze_bench_report_find (report, "delay-2s", "thread", "stall_max_ms") == NULL)
    return;

  judge_smooth (bench, "gtask", FALSE);
  judge_smooth (bench, "mainloop", FALSE);
  /* The raw-thread mode's lesson is its refused update: it is judged while it waits. */
  judge_smooth (bench, "thread", TRUE);
}

static void
judge_threads (UnfreezeBenchReport *report)
{
  g_autoptr(GString) extra = g_string_new (NULL);
  g_autoptr(GString) checked = g_string_new (NULL);
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autofree char *met = NULL;

  /* Threads: the at-once runs (through the window) and the throughput runs. */
  for (guint s = 1; s < unfreeze_bench_n_scenarios - 1; s++)
    {
      double before = unfreeze_bench_report_get (report, unfreeze_bench_scenarios[s].name, "mainloop", "threads_before");
      double peak = unfreeze_bench_report_get (report, unfreeze_bench_scenarios[s].name, "mainloop", "threads_peak");

      if (isnan (before) || isnan (peak))
        continue;
      append_item (checked, ", ", "%u at once", unfreeze_bench_scenarios[s].count);
      if (peak > before)
        append_item (extra, "; ", "%s: +%.0f", unfreeze_bench_scenarios[s].label, peak - before);
    }
  for (guint t = 0; t < unfreeze_bench_n_throughput_n; t++)
    {
      g_autofree char *scenario = g_strdup_printf ("n-%u", unfreeze_bench_throughput_n[t]);
      double before = unfreeze_bench_report_get (report, scenario, "mainloop", "threads_before");
      double peak = unfreeze_bench_report_get (report, scenario, "mainloop", "threads_peak");

      if (isnan (before) || isnan (peak))
        continue;
      append_item (checked, ", ", "throughput N=%u", unfreeze_bench_throughput_n[t]);
      if (peak > before)
        append_item (extra, "; ", "throughput N=%u: +%.0f", unfreeze_bench_throughput_n[t], peak - before);
    }
  if (checked->len == 0)
    return;
  met = g_strdup_printf ("peak = at start in %s", checked->str);
  add_verdict (report, "threads", "No thread beyond those at start, any N", "mainloop", extra, missing, met);
}

static void
judge_overhead (UnfreezeBenchReport *report)
{
  double app = unfreeze_bench_report_get (report, "runs", "mainloop", "median_us");
  double reference = unfreeze_bench_report_get (report, "loop", "reference", "median_us");
  g_autofree char *reason = NULL;

  if (unfreeze_bench_report_find (report, "runs", "mainloop", "median_us") == NULL)
    return;

  if (isnan (app) || isnan (reference) || reference <= 0)
    {
      unfreeze_bench_report_add_target (report, "overhead", "One run of one query ≤ 2 × pgbench", "mainloop", "not judged",
                                        isnan (app) ? "not measured" : "no pgbench reference");
      return;
    }

  reason = g_strdup_printf ("median %.0f µs vs pgbench %.0f µs: %.2f×", app, reference, app / reference);
  unfreeze_bench_report_add_target (report, "overhead", "One run of one query ≤ 2 × pgbench", "mainloop",
                                    app <= OVERHEAD_TARGET * reference ? "met" : "not met", reason);
}

/* Throughput: ahead of GTask's at the same N, and at least half of pgbench's. */
static void
judge_throughput (UnfreezeBenchReport *report)
{
  g_autoptr(GString) failed = g_string_new (NULL);
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autoptr(GString) fine = g_string_new (NULL);

  if (unfreeze_bench_report_find (report, "n-1", "mainloop", "queries_per_s") == NULL)
    return;

  for (guint t = 0; t < unfreeze_bench_n_throughput_n; t++)
    {
      g_autofree char *scenario = g_strdup_printf ("n-%u", unfreeze_bench_throughput_n[t]);
      double qps = unfreeze_bench_report_get (report, scenario, "mainloop", "queries_per_s");
      double gtask = unfreeze_bench_report_get (report, scenario, "gtask", "queries_per_s");
      double tps = unfreeze_bench_report_get (report, scenario, "reference", "queries_per_s");
      g_autofree char *item = NULL;

      if (isnan (qps) || isnan (gtask) || isnan (tps) || tps <= 0)
        {
          append_item (missing, ", ", "N=%u (%s)", unfreeze_bench_throughput_n[t],
                       isnan (qps) ? "main loop" : isnan (gtask) ? "GTask" : "pgbench");
          continue;
        }
      item = g_strdup_printf ("N=%u: %.0f/s vs GTask %.0f/s, %.2f× pgbench", unfreeze_bench_throughput_n[t], qps, gtask, qps / tps);
      append_item (qps >= gtask && qps >= THROUGHPUT_TARGET * tps ? fine : failed, "; ", "%s", item);
    }

  if (failed->len > 0 && fine->len > 0)
    g_string_append_printf (failed, " (met: %s)", fine->str);
  add_verdict (report, "throughput", "Throughput ≥ GTask's and ≥ 0.5 × pgbench -c N", "mainloop", failed, missing, fine->str);
}

/* 200 one-second queries: the main loop waits for all of them at once; GTask's pool runs a
 * few at a time, and is shown beside it. */
static void
judge_at_once (UnfreezeBenchReport *report)
{
  const UnfreezeBenchScenario *scenario = unfreeze_bench_find_scenario ("at-once-200");
  double delay_ms = scenario->delay * 1000.0;
  double elapsed = unfreeze_bench_report_get (report, scenario->name, "mainloop", "elapsed_ms");
  double gtask = unfreeze_bench_report_get (report, scenario->name, "gtask", "elapsed_ms");
  double finished = unfreeze_bench_report_get (report, scenario->name, "mainloop", "finished_ms");
  double first;
  g_autofree char *reason = NULL;
  g_autofree char *beside = NULL;

  if (unfreeze_bench_report_find (report, scenario->name, "mainloop", "stall_max_ms") == NULL)
    return;

  beside = isnan (gtask) ? g_strdup ("GTask not measured")
                         : g_strdup_printf ("GTask %.0f ms, %.2f×", gtask, gtask / delay_ms);
  if (isnan (elapsed))
    {
      unfreeze_bench_report_add_target (report, "at-once", "200 at once ≤ 1.2 × the delay", "mainloop", "not judged",
                                        "not measured");
      return;
    }

  first = unfreeze_bench_report_get (report, "at-once-200-first", "mainloop", "elapsed_ms");
  reason = g_strdup_printf ("%.0f ms for a %.0f ms delay: %.2f×, until the last query was over "
                            "(%s; the rows all in the table at %.0f ms; the first run after "
                            "start-up, which opens the 200 connections: %.0f ms)", elapsed, delay_ms,
                            elapsed / delay_ms, beside, finished, first);
  unfreeze_bench_report_add_target (report, "at-once", "200 at once ≤ 1.2 × the delay", "mainloop",
                                    elapsed <= AT_ONCE_TARGET * delay_ms ? "met" : "not met", reason);
}

/* "Async is only as async as its weakest call": every call the main-loop mode makes into
 * libpq on the main thread and that took 2 ms or more, over all its runs through the window
 * (quiet ones: under load, a call can lose its time slice). */
static void
judge_blocking_calls (UnfreezeBenchReport *report)
{
  g_autoptr(GPtrArray) names = smooth_scenarios (TRUE);
  const char *longest_name = NULL;
  g_autoptr(GString) per_scenario = g_string_new (NULL);
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autoptr(GString) failed = g_string_new (NULL);
  g_autofree char *met = NULL;
  const char *longest_scenario = NULL;
  double longest_ms = 0;
  guint total = 0;
  guint preempted = 0;
  guint judged = 0;

  if (unfreeze_bench_report_find (report, "delay-2s", "mainloop", "stall_max_ms") == NULL)
    return;

  for (guint s = 0; s < names->len; s++)
    {
      const char *name = g_ptr_array_index (names, s);
      double count = unfreeze_bench_report_get (report, name, "mainloop", "main_thread_blocking_calls");
      const UnfreezeBenchResult *max = unfreeze_bench_report_find (report, name, "mainloop", "main_thread_blocking_call_max_ms");

      if (isnan (count) || max == NULL)
        {
          append_item (missing, ", ", "%s", name);
          continue;
        }
      judged++;
      preempted += (guint) MAX (unfreeze_bench_report_get (report, name, "mainloop", "main_thread_preempted_calls"), 0);
      if (count <= 0)
        continue;
      total += (guint) count;
      append_item (per_scenario, ", ", "%s %.0f", name, count);
      if (max->value > longest_ms)
        {
          longest_ms = max->value;
          longest_name = max->note;
          longest_scenario = name;
        }
    }

  if (total > 0)
    g_string_append_printf (failed, "%u calls of 2 ms or more (%s); longest %s, %.1f ms (%s)", total,
                            per_scenario->str, longest_name != NULL ? longest_name : "unnamed",
                            longest_ms, longest_scenario);
  if (total > 0 && preempted > 0)
    g_string_append_printf (failed, "; %u more as slow only because the thread was switched out", preempted);
  met = g_strdup_printf ("none of 2 ms or more in %u scenarios (%u as slow only because the thread "
                         "was switched out, not counted)", judged, preempted);
  add_verdict (report, "blocking-calls", "No main-thread libpq call of 2 ms or more", "mainloop", failed, missing, met);
}

/* Start-up, from the app's own marks: its window's first frame, and the database ready
 * (Run can be pressed). Not the summary line: the scripted run waits for the window to
 * settle before it presses Run. */
static void
judge_startup (UnfreezeBenchReport *report)
{
  static const char * const warm_kinds[] = { "warm", "warm-full" };
  static const char * const warm_labels[] = { "right after a quick session", "big tickers there" };
  g_autoptr(GString) window_failed = g_string_new (NULL);
  g_autoptr(GString) window_fine = g_string_new (NULL);
  g_autoptr(GString) ready_failed = g_string_new (NULL);
  g_autoptr(GString) ready_fine = g_string_new (NULL);
  g_autoptr(GString) missing = g_string_new (NULL);
  double cold = unfreeze_bench_report_get (report, "cold", "gtask", "spawn_to_ready_ms");
  double reference = unfreeze_bench_report_get (report, "cold", "reference", "initdb_and_start_ms");
  g_autofree char *reason = NULL;

  if (unfreeze_bench_report_find (report, "cold", "gtask", "spawn_to_summary_ms") == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (warm_kinds); i++)
    {
      double window = unfreeze_bench_report_get (report, warm_kinds[i], "gtask", "spawn_to_window_ms");
      double ready = unfreeze_bench_report_get (report, warm_kinds[i], "gtask", "spawn_to_ready_ms");

      if (isnan (window) || isnan (ready))
        {
          append_item (missing, ", ", "%s", warm_labels[i]);
          continue;
        }
      append_item (window <= WARM_WINDOW_TARGET_MS ? window_fine : window_failed, "; ",
                   "%.0f ms (%s)", window, warm_labels[i]);
      append_item (ready <= WARM_READY_TARGET_MS ? ready_fine : ready_failed, "; ",
                   "%.0f ms (%s)", ready, warm_labels[i]);
    }
  if (window_failed->len > 0 && window_fine->len > 0)
    g_string_append_printf (window_failed, "; met: %s", window_fine->str);
  if (ready_failed->len > 0 && ready_fine->len > 0)
    g_string_append_printf (ready_failed, "; met: %s", ready_fine->str);
  add_verdict (report, "warm-window", "Warm start: spawn → window shown ≤ 400 ms", "gtask",
               window_failed, missing, window_fine->str);
  add_verdict (report, "warm-ready", "Warm start: spawn → Run can be pressed ≤ 0.8 s", "gtask",
               ready_failed, missing, ready_fine->str);

  if (isnan (cold) || isnan (reference))
    {
      unfreeze_bench_report_add_target (report, "cold", "Cold start ≤ initdb + pg_ctl start -w + 0.5 s", "gtask", "not judged",
                                        isnan (cold) ? "not measured" : "no initdb/pg_ctl reference");
      return;
    }
  reason = g_strdup_printf ("spawn → Run can be pressed %.0f ms vs initdb + pg_ctl start -w %.0f ms: %+.0f ms",
                            cold, reference, cold - reference);
  unfreeze_bench_report_add_target (report, "cold", "Cold start ≤ initdb + pg_ctl start -w + 0.5 s", "gtask",
                                    cold <= reference + COLD_READY_MARGIN_MS ? "met" : "not met", reason);
}


void
unfreeze_bench_judge (UnfreezeBench *bench)
{
  UnfreezeBenchReport *report = bench->report;

  judge_idle (report);
  judge_stalls (bench);
  judge_throughput (report);
  judge_overhead (report);
  judge_at_once (report);
  judge_blocking_calls (report);
  if (unfreeze_bench_mode_wanted (bench, "mainloop"))
    judge_threads (report);
  judge_startup (report);
}
