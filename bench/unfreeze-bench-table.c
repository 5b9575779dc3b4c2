/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The benchmark's Markdown: the machine's lines, then one table with a column per mode and
 * one for the reference (pgbench, libpq alone, plain PostgreSQL), and the targets.
 */
#define G_LOG_DOMAIN "Unfreeze-Bench"

#include "config.h"

#include "unfreeze-bench.h"

#include <math.h>

static char *
format_number (double value)
{
  if (isnan (value))
    return g_strdup ("—");
  if (fabs (value) >= 100)
    return g_strdup_printf ("%.0f", value);
  if (fabs (value) >= 10)
    return g_strdup_printf ("%.1f", value);

  return g_strdup_printf ("%.2f", value);
}

/* A number of the reference column. */
static double
reference_value (UnfreezeBenchReport *report,
                 const char          *scenario,
                 const char          *metric)
{
  return unfreeze_bench_report_get (report, scenario, "reference", metric);
}

/* "max / p99", or why there is none. */
static char *
cell_pair (UnfreezeBenchReport *report,
           const char          *scenario,
           const char          *mode,
           const char          *metric_a,
           const char          *metric_b)
{
  const UnfreezeBenchResult *a = unfreeze_bench_report_find (report, scenario, mode, metric_a);
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;

  if (a == NULL)
    return g_strdup ("—");
  if (isnan (a->value))
    return g_strdup (a->note != NULL && g_str_has_prefix (a->note, "skipped") ? "skipped" : "—");

  x = format_number (a->value);
  y = format_number (unfreeze_bench_report_get (report, scenario, mode, metric_b));

  return g_strdup_printf ("%s / %s", x, y);
}

static char *
cell_value (UnfreezeBenchReport *report,
            const char          *scenario,
            const char          *mode,
            const char          *metric)
{
  const UnfreezeBenchResult *result = unfreeze_bench_report_find (report, scenario, mode, metric);

  if (result == NULL)
    return g_strdup ("—");
  if (isnan (result->value))
    return g_strdup (result->note != NULL && g_str_has_prefix (result->note, "skipped") ? "skipped" : "n/a");

  return format_number (result->value);
}

/* A value and its ratio to @reference: "123 (1.05×)". */
static char *
cell_ratio (UnfreezeBenchReport *report,
            const char          *scenario,
            const char          *mode,
            const char          *metric,
            double               reference)
{
  double value = unfreeze_bench_report_get (report, scenario, mode, metric);
  g_autofree char *text = cell_value (report, scenario, mode, metric);

  if (isnan (value) || isnan (reference) || reference <= 0)
    return g_steal_pointer (&text);

  return g_strdup_printf ("%s (%.2f×)", text, value / reference);
}

static void
table_row (GString    *table,
           const char *label,
           GPtrArray  *cells)
{
  g_string_append_printf (table, "| %s |", label);
  for (guint i = 0; i < cells->len; i++)
    g_string_append_printf (table, " %s |", (const char *) g_ptr_array_index (cells, i));
  g_string_append_c (table, '\n');
}

typedef char *(*CellFunc) (UnfreezeBenchReport *report,
                           const char          *mode,
                           gconstpointer        data);

typedef struct
{
  const char *scenario;
  const char *metric_a;
  const char *metric_b;
} PairSpec;

static char *
pair_cell (UnfreezeBenchReport *report,
           const char          *mode,
           gconstpointer        data)
{
  const PairSpec *spec = data;

  return cell_pair (report, spec->scenario, mode, spec->metric_a, spec->metric_b);
}

static char *
value_cell (UnfreezeBenchReport *report,
            const char          *mode,
            gconstpointer        data)
{
  const PairSpec *spec = data;

  return cell_value (report, spec->scenario, mode, spec->metric_a);
}

/* One row: a cell per mode, then the reference. */
static void
mode_row (GString             *table,
          UnfreezeBenchReport *report,
          const char          *label,
          CellFunc             func,
          gconstpointer        data,
          const char          *reference)
{
  const UnfreezeMode * const *modes;
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  guint n_modes;

  modes = unfreeze_modes_get_all (&n_modes);
  for (guint i = 0; i < n_modes; i++)
    g_ptr_array_add (cells, func (report, modes[i]->id, data));
  g_ptr_array_add (cells, g_strdup (reference != NULL ? reference : ""));
  table_row (table, label, cells);
}

static void
heading_row (GString    *table,
             const char *label)
{
  guint n_modes;

  unfreeze_modes_get_all (&n_modes);
  g_string_append_printf (table, "| **%s** |", label);
  for (guint i = 0; i <= n_modes; i++)
    g_string_append (table, " |");
  g_string_append_c (table, '\n');
}

static char *
blank_cell (UnfreezeBenchReport *report,
            const char          *mode,
            gconstpointer        data)
{
  return g_strdup ("");
}

static char *
target_cell (UnfreezeBenchReport *report,
             const char          *mode,
             gconstpointer        data)
{
  const UnfreezeBenchTarget *target = unfreeze_bench_report_find_target (report, data, mode);

  if (target == NULL)
    return g_strdup ("");

  return g_strdup_printf ("**%s**: %s", target->verdict, target->reason);
}

static char *
ratio_cell (UnfreezeBenchReport *report,
            const char          *mode,
            gconstpointer        data)
{
  const PairSpec *spec = data;

  return cell_ratio (report, spec->scenario, mode, spec->metric_a, reference_value (report, spec->metric_b, "median_us"));
}

static char *
throughput_cell (UnfreezeBenchReport *report,
                 const char          *mode,
                 gconstpointer        data)
{
  const char *scenario = data;

  return cell_ratio (report, scenario, mode, "queries_per_s", reference_value (report, scenario, "queries_per_s"));
}

static char *
in_flight_threads_cell (UnfreezeBenchReport *report,
                        const char          *mode,
                        gconstpointer        data)
{
  double before = unfreeze_bench_report_get (report, "at-once-200", mode, "threads_before");
  double peak = unfreeze_bench_report_get (report, "at-once-200", mode, "threads_peak");

  if (isnan (before) || isnan (peak))
    return cell_value (report, "at-once-200", mode, "threads_peak");

  return g_strdup_printf ("+%.0f (%.2f)", peak - before, (peak - before) / 200.0);
}

static char *
in_flight_rss_cell (UnfreezeBenchReport *report,
                    const char          *mode,
                    gconstpointer        data)
{
  double growth = unfreeze_bench_report_get (report, "at-once-200", mode, "rss_growth_mib");

  if (isnan (growth))
    return cell_value (report, "at-once-200", mode, "rss_growth_mib");

  return g_strdup_printf ("%.1f (%.0f KiB)", growth, growth * 1024.0 / 200.0);
}

static char *
startup_cell (UnfreezeBenchReport *report,
              const char          *mode,
              gconstpointer        data)
{
  const PairSpec *spec = data;

  if (!g_str_equal (mode, "gtask"))
    return g_strdup ("");

  if (spec->metric_b != NULL)
    {
      g_autofree char *a = cell_value (report, spec->scenario, mode, spec->metric_a);
      g_autofree char *b = cell_value (report, spec->metric_b, mode, spec->metric_a);

      return g_strdup_printf ("%s / %s", a, b);
    }

  return cell_value (report, spec->scenario, mode, spec->metric_a);
}

/* Spawn → a start-up mark, "cold / warm / warm, big tickers there". */
static char *
startup_marks_cell (UnfreezeBenchReport *report,
                    const char          *mode,
                    gconstpointer        data)
{
  const char *metric = data;
  g_autofree char *cold = NULL;
  g_autofree char *warm = NULL;
  g_autofree char *full = NULL;

  if (!g_str_equal (mode, "gtask"))
    return g_strdup ("");

  cold = cell_value (report, "cold", mode, metric);
  warm = cell_value (report, "warm", mode, metric);
  full = cell_value (report, "warm-full", mode, metric);

  return g_strdup_printf ("%s / %s / %s", cold, warm, full);
}

/* The 200-at-once target for the main loop, and GTask's time beside it. */
static char *
at_once_cell (UnfreezeBenchReport *report,
              const char          *mode,
              gconstpointer        data)
{
  g_autofree char *elapsed = NULL;

  if (g_str_equal (mode, "mainloop"))
    return target_cell (report, mode, "at-once");
  if (!g_str_equal (mode, "gtask") || unfreeze_bench_report_find (report, "at-once-200", mode, "elapsed_ms") == NULL)
    return g_strdup ("");

  elapsed = cell_value (report, "at-once-200", mode, "elapsed_ms");

  return g_strdup_printf ("%s ms (beside it, not a target)", elapsed);
}

/* A target judged on the reference column (the idle window), as text. */
static char *
reference_target_text (UnfreezeBenchReport *report,
                       const char          *id)
{
  return target_cell (report, "reference", id);
}

/* Main-thread libpq calls of 2 ms or more in one scenario: "3 (longest PQconnectPoll 5.1 ms)". */
static char *
blocking_calls_cell (UnfreezeBenchReport *report,
                     const char          *mode,
                     gconstpointer        data)
{
  const char *scenario = data;
  double count = unfreeze_bench_report_get (report, scenario, mode, "main_thread_blocking_calls");
  const UnfreezeBenchResult *longest = unfreeze_bench_report_find (report, scenario, mode, "main_thread_blocking_call_max_ms");

  if (isnan (count) || longest == NULL)
    return g_strdup ("—");
  if (count <= 0)
    return g_strdup ("0");

  return g_strdup_printf ("%.0f (longest %s %.1f ms)", count,
                          longest->note != NULL ? longest->note : "unnamed", longest->value);
}

/* A target's row, when it was judged for some mode: the cells get the target's id. */
static void
target_row (GString             *table,
            UnfreezeBenchReport *report,
            const char          *id,
            const char          *label,
            CellFunc             func,
            const char          *reference)
{
  for (guint i = 0; i < report->targets->len; i++)
    {
      const UnfreezeBenchTarget *target = g_ptr_array_index (report->targets, i);

      if (g_str_equal (target->id, id))
        {
          mode_row (table, report, label, func, id, reference);
          return;
        }
    }
}

/* The machine, above the table: a number means little without it. */
static void
machine_lines (GString             *out,
               UnfreezeBenchReport *report)
{
  g_string_append (out, "Machine:");
  for (guint i = 0; i + 1 < report->machine->len; i += 2)
    g_string_append_printf (out, "\n- %s: %s", (const char *) g_ptr_array_index (report->machine, i),
                            (const char *) g_ptr_array_index (report->machine, i + 1));
  g_string_append (out, "\n\n");
}

/* "@prefix<@value>@suffix" for the reference column, or nothing when there is no value. */
static char *
reference_text (const char *prefix,
                double      value,
                const char *suffix)
{
  g_autofree char *number = format_number (value);

  if (isnan (value))
    return g_strdup ("");

  return g_strdup_printf ("%s%s%s", prefix, number, suffix);
}

char *
unfreeze_bench_report_build_table (UnfreezeBenchReport *report)
{
  g_autoptr(GString) table = g_string_new (NULL);
  const UnfreezeMode * const *modes;
  guint n_modes;

  machine_lines (table, report);
  modes = unfreeze_modes_get_all (&n_modes);
  g_string_append (table, "| Measurement |");
  for (guint i = 0; i < n_modes; i++)
    g_string_append_printf (table, " %s |", modes[i]->id);
  g_string_append (table, " reference |\n|---|");
  for (guint i = 0; i <= n_modes; i++)
    g_string_append (table, "---|");
  g_string_append_c (table, '\n');

  /* Whichever modes ran (--modes): the idle window is always measured with them. */
  if (unfreeze_bench_report_find (report, "idle", "reference", "stall_max_ms") != NULL)
    {
      heading_row (table, "Responsiveness: main-loop stall (10 ms heartbeat) and frame gaps (frame clock), max / p99, ms");

      {
        PairSpec press = { "delay-2s", "press_stall_ms", NULL };
        PairSpec wait = { "delay-2s", "wait_stall_max_ms", NULL };
        PairSpec show = { "delay-2s", "show_stall_max_ms", NULL };
        g_autofree char *stall = cell_pair (report, "idle", "reference", "stall_max_ms", "stall_p99_ms");
        g_autofree char *gaps = cell_pair (report, "idle", "reference", "frame_gap_max_ms", "frame_gap_p99_ms");
        g_autofree char *idle = g_strdup_printf ("stall %s, frame gap %s", stall, gaps);

        mode_row (table, report, "Idle window, no run (3 s): max / p99", blank_cell, NULL, idle);
        mode_row (table, report, "1 query, 2 s delay: stall pressing Run", value_cell, &press, "");
        mode_row (table, report, "… longest stall while waiting", value_cell, &wait, "");
        mode_row (table, report, "… longest stall showing the rows", value_cell, &show, "");
      }

      for (guint s = 0; s < unfreeze_bench_n_scenarios; s++)
        {
          PairSpec stall = { unfreeze_bench_scenarios[s].name, "stall_max_ms", "stall_p99_ms" };
          PairSpec gaps = { unfreeze_bench_scenarios[s].name, "frame_gap_max_ms", "frame_gap_p99_ms" };
          g_autofree char *stall_label = g_strdup_printf ("%s: stall", unfreeze_bench_scenarios[s].label);
          g_autofree char *gap_label = g_strdup_printf ("%s: frame gap", unfreeze_bench_scenarios[s].label);

          mode_row (table, report, stall_label, pair_cell, &stall, s == 0 ? "target (gtask, mainloop): max < 16.7" : "");
          mode_row (table, report, gap_label, pair_cell, &gaps,
                    s == 0 ? "16.7 = every frame at 60 Hz; target (gtask, mainloop): max ≤ two frames (33.3 at 60 Hz)" : "");
        }

      {
        PairSpec ratio = { "delay-2s", "freeze_ratio", NULL };
        PairSpec paint = { "huge", "run_to_paint_ms", NULL };
        PairSpec after = { "huge", "last_row_to_paint_ms", NULL };
        PairSpec growth = { "huge", "rss_growth_mib", NULL };
        PairSpec elapsed = { "huge", "elapsed_ms", NULL };
        PairSpec drop = { "huge-next-run", "stall_max_ms", "frame_gap_max_ms" };
        g_autofree char *libpq_time = reference_text ("libpq alone, whole result: ",
                                                      reference_value (report, "huge", "libpq_exec_ms"), "");
        g_autofree char *libpq_rss = NULL;
        g_autofree char *values = format_number (reference_value (report, "huge", "libpq_value_bytes_mib"));

        libpq_rss = reference_text ("libpq alone: ",
                                    reference_value (report, "huge", "libpq_rss_growth_mib"), "");
        if (*libpq_rss != '\0')
          {
            char *with_values = g_strdup_printf ("%s (values %s)", libpq_rss, values);

            g_free (libpq_rss);
            libpq_rss = with_values;
          }

        mode_row (table, report, "The freeze is real: longest stall / server delay (1 query, 2 s)", value_cell, &ratio,
                  "blocking: expect ≈ 1.0");
        heading_row (table, "Big result: 1,000,000 rows (HUGE), delay 0");
        mode_row (table, report, "Run → first rows painted, ms", value_cell, &paint, libpq_time);
        mode_row (table, report, "Last row received → first rows painted, ms (negative: before it)", value_cell, &after, "");
        mode_row (table, report, "Peak RSS growth, MiB", value_cell, &growth, libpq_rss);
        mode_row (table, report, "Run elapsed, ms", value_cell, &elapsed, "");
        mode_row (table, report, "Next Run (same mode; sleep: blocking), dropping the million rows: longest stall / frame gap, ms",
                  pair_cell, &drop, "");
      }

      {
        heading_row (table, "Main thread: libpq calls of 2 ms or more (the run's blocking-call spans), count");
        for (guint s = 0; s < unfreeze_bench_n_scenarios; s++)
          mode_row (table, report, unfreeze_bench_scenarios[s].label, blocking_calls_cell, unfreeze_bench_scenarios[s].name, "");
        mode_row (table, report, unfreeze_bench_drop_scenario.label, blocking_calls_cell, unfreeze_bench_drop_scenario.name, "");
      }

      heading_row (table, "Cost per query in flight (200 at once)");
      mode_row (table, report, "Threads: peak − at start (per query)", in_flight_threads_cell, NULL, "");
      mode_row (table, report, "RSS: peak growth, MiB (per query)", in_flight_rss_cell, NULL, "");
    }

  if (unfreeze_bench_report_find (report, UNFREEZE_BENCH_LOADED_PREFIX "idle", "reference", "stall_max_ms") != NULL)
    {
      g_autofree char *idle_stall = cell_pair (report, UNFREEZE_BENCH_LOADED_PREFIX "idle", "reference",
                                               "stall_max_ms", "stall_p99_ms");
      g_autofree char *idle_gaps = cell_pair (report, UNFREEZE_BENCH_LOADED_PREFIX "idle", "reference",
                                              "frame_gap_max_ms", "frame_gap_p99_ms");
      g_autofree char *idle = g_strdup_printf ("stall %s, frame gap %s", idle_stall, idle_gaps);
      g_autofree char *heading =
        g_strdup_printf ("Under load (one busy process per core at nice %d; no target): stall and frame gap, max / p99, ms",
                         UNFREEZE_BENCH_LOAD_NICE);

      heading_row (table, heading);
      mode_row (table, report, "Idle window, no run (3 s), under load", blank_cell, NULL, idle);
      for (guint s = 0; s <= unfreeze_bench_n_loaded_scenarios; s++)
        {
          gboolean drop = s == unfreeze_bench_n_loaded_scenarios;
          const char *quiet = drop ? unfreeze_bench_drop_scenario.name : unfreeze_bench_loaded_scenarios[s];
          const char *label = drop ? unfreeze_bench_drop_scenario.label : unfreeze_bench_find_scenario (quiet)->label;
          g_autofree char *name = g_strconcat (UNFREEZE_BENCH_LOADED_PREFIX, quiet, NULL);
          PairSpec stall = { name, "stall_max_ms", "stall_p99_ms" };
          PairSpec gaps = { name, "frame_gap_max_ms", "frame_gap_p99_ms" };
          g_autofree char *stall_label = g_strdup_printf ("%s, under load: stall", label);
          g_autofree char *gap_label = g_strdup_printf ("%s, under load: frame gap", label);

          mode_row (table, report, stall_label, pair_cell, &stall, "");
          mode_row (table, report, gap_label, pair_cell, &gaps, "");
        }
    }

  if (unfreeze_bench_report_find (report, "loop", "blocking", "median_us") != NULL)
    {
      PairSpec loop = { "loop", "median_us", "loop" };
      PairSpec runs = { "runs", "median_us", "loop" };
      g_autofree char *reference = reference_text ("pgbench -c 1, 5 × -t 200: ",
                                                   reference_value (report, "loop", "median_us"), " µs");

      heading_row (table, "Overhead: 1,000 sequential queries (demo statement, ticker NONE, delay 0), median µs (× pgbench)");
      mode_row (table, report, "PQexecParams loop on one pooled connection", ratio_cell, &loop, reference);
      mode_row (table, report, "One run per query, through the mode", ratio_cell, &runs, "");
    }

  if (unfreeze_bench_report_find (report, "n-1", "reference", "queries_per_s") != NULL ||
      unfreeze_bench_report_find (report, "n-1", "mainloop", "queries_per_s") != NULL)
    {
      heading_row (table, "Throughput: queries/s with N connections (× pgbench -c N -j 2 -T 5)");
      for (guint t = 0; t < unfreeze_bench_n_throughput_n; t++)
        {
          g_autofree char *scenario = g_strdup_printf ("n-%u", unfreeze_bench_throughput_n[t]);
          g_autofree char *label = g_strdup_printf ("N = %u", unfreeze_bench_throughput_n[t]);
          g_autofree char *reference = reference_text ("pgbench: ",
                                                       reference_value (report, scenario, "queries_per_s"), "");

          mode_row (table, report, label, throughput_cell, scenario, reference);
        }
    }

  if (unfreeze_bench_report_find (report, "cold", "gtask", "spawn_to_summary_ms") != NULL)
    {
      PairSpec cold = { "cold", "spawn_to_summary_ms", NULL };
      PairSpec warm = { "warm", "spawn_to_summary_ms", NULL };
      PairSpec full = { "warm-full", "spawn_to_summary_ms", NULL };
      PairSpec elapsed = { "cold", "app_elapsed_ms", "warm" };
      PairSpec to_run = { "cold", "spawn_to_run_ms", "warm" };
      PairSpec exit_time = { "cold", "spawn_to_exit_ms", "warm" };
      g_autofree char *ref_cold = reference_text ("initdb + pg_ctl start -w: ",
                                                  reference_value (report, "cold", "initdb_and_start_ms"), "");
      g_autofree char *ref_warm = reference_text ("pg_ctl start -w: ",
                                                  reference_value (report, "warm", "pg_ctl_start_ms"), "");
      g_autofree char *ref_stop = reference_text ("pg_ctl stop -m fast: ",
                                                  reference_value (report, "cold", "pg_ctl_stop_ms"), "");

      heading_row (table, "Start-up: unfreeze --run --quit-after-run --delay=0 --mode=gtask, median of 3, ms");
      mode_row (table, report, "Cold (no cluster): spawn → summary line", startup_cell, &cold, ref_cold);
      mode_row (table, report, "Warm (same XDG_CACHE_HOME again): spawn → summary line", startup_cell, &warm, ref_warm);
      mode_row (table, report, "Warm, big tickers already generated: spawn → summary line", startup_cell, &full, "");
      mode_row (table, report, "Spawn → window shown (its first frame), cold / warm / warm with big tickers",
                startup_marks_cell, "spawn_to_window_ms", "");
      mode_row (table, report, "Spawn → Run can be pressed (database ready), cold / warm / warm with big tickers",
                startup_marks_cell, "spawn_to_ready_ms", ref_cold);
      mode_row (table, report, "Spawn → scripted Run pressed (summary line minus elapsed_ms, settle wait included), cold / warm",
                startup_cell, &to_run, "");
      mode_row (table, report, "The app's own elapsed_ms (the run alone), cold / warm", startup_cell, &elapsed, "");
      mode_row (table, report, "Spawn → exit, cold / warm", startup_cell, &exit_time, ref_stop);
    }

  if (report->targets->len > 0)
    {
      g_autofree char *idle = reference_target_text (report, "idle");

      heading_row (table, "Targets");
      target_row (table, report, "idle", "Idle window, 3 s: heartbeat p99 ≤ 5 ms, max < 16.7 ms", blank_cell, idle);
      target_row (table, report, "smooth", "Smooth in each scenario above (1 query 2 s; 1, 10, 50, 200 at once; "
                  "1,000,000 rows; the Run after them): longest stall < 16.7 ms and no frame gap over two frames (33.3 ms at 60 Hz)",
                  target_cell, "gtask and mainloop");
      target_row (table, report, "smooth-waiting", "The same while waiting: from Run to the refused update",
                  target_cell, "thread");
      target_row (table, report, "throughput", "Throughput ≥ GTask's and ≥ 0.5 × pgbench -c N, N = 1, 10, 50",
                  target_cell, "");
      target_row (table, report, "overhead", "One run of one query ≤ 2 × pgbench's median latency", target_cell, "");
      target_row (table, report, "at-once", "200 at once, 1 s server delay: elapsed ≤ 1.2 × the delay", at_once_cell, "");
      target_row (table, report, "blocking-calls", "No libpq call on the main thread of 2 ms or more (every scenario above)",
                  target_cell, "");
      target_row (table, report, "threads", "No thread beyond those at start, any N", target_cell, "");
      target_row (table, report, "warm-window", "Warm start: spawn → window shown ≤ 400 ms", target_cell, "");
      target_row (table, report, "warm-ready", "Warm start: spawn → Run can be pressed ≤ 0.8 s", target_cell, "");
      target_row (table, report, "cold", "Cold start: spawn → Run can be pressed ≤ initdb + pg_ctl start -w + 0.5 s",
                  target_cell, "");
    }

  return g_string_free (g_steal_pointer (&table), FALSE);
}
