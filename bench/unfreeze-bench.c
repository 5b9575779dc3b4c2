/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * unfreeze-bench: measured, not claimed.
 *
 * Drives the real window (the same UnfreezeWindow the app shows, with its frame clock
 * running) against a real, throwaway PostgreSQL started with the app's own code, and
 * measures what the README says: how long the main loop stalls in each mode, what one query
 * costs beside pgbench, how many queries a second each mode gets through, what a query in
 * flight costs in threads and memory, how a million-row result arrives, and how long the
 * app takes to start. It prints one table (Markdown) on stdout, progress on stderr, and
 * writes the same numbers as JSON (and CSV on request).
 *
 * This is not a test: nothing here asserts a time. Each target is marked met or not met,
 * with the numbers that decided it. Run it as an unprivileged user (PostgreSQL refuses
 * root) under a display; see bench/README.md for what each number means.
 */
#define G_LOG_DOMAIN "Unfreeze-Bench"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <gtksourceview/gtksource.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unfreeze-renderer.h"
#include "unfreeze-resources.h"
#include "unfreeze-reveal-model.h"
#include "unfreeze-stall-meter.h"
#include "unfreeze-test-fixture.h"
#include "unfreeze-ui-guard.h"
#include "unfreeze-window.h"

#ifndef UNFREEZE_BENCH_BINARY
# define UNFREEZE_BENCH_BINARY ""
#endif
#ifndef UNFREEZE_BENCH_SCHEMA_DIR
# define UNFREEZE_BENCH_SCHEMA_DIR ""
#endif
#ifndef UNFREEZE_BENCH_JSON
# define UNFREEZE_BENCH_JSON "results.json"
#endif

/* Before each scenario the window idles a while, so the last scenario's aftermath (a new
 * mode's source being highlighted, late workers) is not counted in the next one. */
#define SETTLE_MS          300
#define SETTLE_MODE_MS     1000
/* After a run ends, stalls still count this long: the result's first layout and paint
 * happen in the frames after "finished". */
#define TAIL_MS            250
#define PAINT_TIMEOUT_MS   10000
#define RUN_TIMEOUT_MS     (600 * 1000)
#define SAMPLER_PERIOD_US  2000
#define COLLECT_PERIOD_MS  500
#define OVERHEAD_QUERIES   1000
#define OVERHEAD_WARMUP    20
#define OVERHEAD_ROUNDS    5
#define STARTUP_REPEATS    3
#define BIG_TICKERS_TIMEOUT_S 600
/* Blocking runs its queries one after the other on the main thread: N at once freezes the
 * window for N server delays. Above this many, the scenario is skipped (and says so). */
#define BLOCKING_MAX_AT_ONCE 10

#define SMALL_TICKER "MSFT"
#define HUGE_TICKER  "HUGE"
#define EMPTY_TICKER "NONE"   /* no such ticker: the demo statement, no rows */

#define FRAME_US ((double) UNFREEZE_STALL_METER_FRAME_US)
/* The frame clock's times sit on the 60 Hz grid give or take a fraction of a millisecond:
 * a gap of two frames may read 33.4 ms, a third frame adds 16.7. */
#define FRAME_JITTER_US    1000
/* Targets (issue 12). */
#define IDLE_P99_TARGET_MS        5.0
#define TWO_FRAMES_US             (2 * UNFREEZE_STALL_METER_FRAME_US)
#define THROUGHPUT_TARGET         0.5    /* × pgbench -c N */
#define OVERHEAD_TARGET           2.0    /* × pgbench's median latency */
#define AT_ONCE_TARGET            1.2    /* × the server delay, 200 at once */
#define WARM_WINDOW_TARGET_MS     400
#define WARM_READY_TARGET_MS      800
#define COLD_READY_MARGIN_MS      500    /* over initdb + pg_ctl start -w */
/* The loaded variant: one busy process per core, at the lowest priority. */
#define LOAD_NICE                 19

/* Results ---------------------------------------------------------------------------- */

/* One number. value is NAN when it could not be measured; note then says why. */
typedef struct
{
  char   *section;
  char   *scenario;
  char   *mode;
  char   *metric;
  double  value;
  char   *unit;
  char   *note;
} Result;

typedef struct
{
  char *id;
  char *label;
  char *mode;
  char *verdict;   /* "met", "not met" or "not judged" */
  char *reason;
} Target;

typedef struct
{
  const char *name;
  const char *label;
  const char *ticker;
  double      delay;
  guint       count;
} Scenario;

/* What the window did during one run. Times are monotonic, in microseconds. */
typedef struct
{
  gint64             start_us;
  gint64             end_us;
  gint64             tail_end_us;    /* stalls count until here: the table settled, + TAIL_MS */
  gint64             rows_us;        /* the rows were handed to the window; 0: never */
  gint64             painted_us;     /* the first paint after that; 0: never */
  gint64             last_row_us;    /* the app had the last row from libpq; 0: unknown */
  gint64             stall_max_us;
  gint64             stall_p99_us;
  guint              n_beats;
  gint64             gap_max_us;
  gint64             gap_p99_us;
  guint              n_frames;
  gint64             press_stall_us; /* the stall that holds the press of Run itself */
  gint64             wait_stall_us;  /* the longest after that, before the rows came */
  gint64             show_stall_us;  /* the longest while the rows were shown and painted */
  gint64             app_stall_us;   /* what the run itself reported */
  gint64             refused_us;     /* the last update the UI-thread guard refused; 0: none */
  gint64             waiting_stall_us; /* the longest stall from Run to refused_us */
  gint64             waiting_gap_us;   /* the longest frame gap from Run to refused_us */
  guint              n_blocking_calls; /* main-thread calls of UNFREEZE_RUN_BLOCKING_CALL_US or more */
  gint64             blocking_call_max_us;
  const char        *blocking_call_name; /* the longest one's name, a static string */
  guint              threads_before;
  guint              threads_peak;
  gint64             rss_before_kb;
  gint64             rss_peak_kb;
  guint              n_rows;
  guint              refusals;
  UnfreezeRunResult  result;
} Measure;

typedef struct
{
  gboolean finished;
  gint64   finished_us;
} RunWait;

static const Scenario scenarios[] = {
  { "delay-2s", "1 query, 2 s server delay", SMALL_TICKER, 2.0, 1 },
  { "at-once-1", "1 at once, 1 s delay", SMALL_TICKER, 1.0, 1 },
  { "at-once-10", "10 at once, 1 s delay", SMALL_TICKER, 1.0, 10 },
  { "at-once-50", "50 at once, 1 s delay", SMALL_TICKER, 1.0, 50 },
  { "at-once-200", "200 at once, 1 s delay", SMALL_TICKER, 1.0, 200 },
  { "huge", "1,000,000 rows (HUGE), delay 0", HUGE_TICKER, 0.0, 1 },
};

/* After the million rows: the next Run drops them. */
static const Scenario drop_scenario = {
  "huge-next-run", "next Run after 1,000,000 rows", EMPTY_TICKER, 0.0, 1
};

/* Under load (--sections=loaded): the scenarios that show each kind of work, once each, so
 * the section stays about a minute. */
static const char * const loaded_scenarios[] = { "delay-2s", "at-once-200", "huge" };
static const char * const loaded_modes[] = { "gtask", "mainloop" };
#define LOADED_PREFIX "loaded-"

static const guint throughput_n[] = { 1, 10, 50 };

static struct
{
  UnfreezeDatabase *database;
  UnfreezeWindow   *window;
  char             *pg_bindir;
  char             *pg_host;
  char             *pg_port;
  char             *pg_user;
  char             *pg_dbname;
  char             *script_path;   /* the demo statement for pgbench */
  GArray           *beats;         /* UnfreezeStallSample, everything seen so far */
  GArray           *frames;        /* UnfreezeFrameSample */
  gint64            last_beat_us;
  gint64            last_frame_us;
  GPtrArray        *results;
  GPtrArray        *targets;
  GPtrArray        *timings;       /* "section", "seconds", … */
  GPtrArray        *machine;       /* "key", "value", … */
  gboolean          rows_armed;
  gint64            rows_shown_us;
  gint64            painted_us;
  gint              refusals;      /* atomic: the UI-thread guard's reports */
  gint64            last_refusal_us; /* under refusal_lock: when the guard last refused */
  GArray           *load_pids;     /* the busy processes of the loaded variant */
  gboolean          hwm_resettable;
  gint64            page_kb;
} bench;

/* Options */
static char *opt_json;
static char *opt_csv;
static char *opt_sections;
static char *opt_modes;
static int opt_seconds = 5;

/* GSK_RENDERER as the user gave it, before the app's own choice (which sets it in this
 * process) ran; NULL when unset. */
static char *user_gsk_renderer;

G_LOCK_DEFINE_STATIC (refusal_lock);

static gint sampler_running;
static gint peak_threads;
static gint peak_rss_kb;

static void
result_free (gpointer data)
{
  Result *result = data;

  g_free (result->section);
  g_free (result->scenario);
  g_free (result->mode);
  g_free (result->metric);
  g_free (result->unit);
  g_free (result->note);
  g_free (result);
}

static void
target_free (gpointer data)
{
  Target *target = data;

  g_free (target->id);
  g_free (target->label);
  g_free (target->mode);
  g_free (target->verdict);
  g_free (target->reason);
  g_free (target);
}

static void
add_result (const char *section,
            const char *scenario,
            const char *mode,
            const char *metric,
            double      value,
            const char *unit,
            const char *note)
{
  Result *result = g_new0 (Result, 1);

  result->section = g_strdup (section);
  result->scenario = g_strdup (scenario);
  result->mode = g_strdup (mode);
  result->metric = g_strdup (metric);
  result->value = value;
  result->unit = g_strdup (unit);
  result->note = g_strdup (note);
  g_ptr_array_add (bench.results, result);
}

static const Result *
find_result (const char *scenario,
             const char *mode,
             const char *metric)
{
  for (guint i = 0; i < bench.results->len; i++)
    {
      const Result *result = g_ptr_array_index (bench.results, i);

      if (g_str_equal (result->scenario, scenario) &&
          g_str_equal (result->mode, mode) &&
          g_str_equal (result->metric, metric))
        return result;
    }

  return NULL;
}

static double
get_value (const char *scenario,
           const char *mode,
           const char *metric)
{
  const Result *result = find_result (scenario, mode, metric);

  return result != NULL ? result->value : NAN;
}

static void
add_target (const char *id,
            const char *label,
            const char *mode,
            const char *verdict,
            const char *reason)
{
  Target *target = g_new0 (Target, 1);

  target->id = g_strdup (id);
  target->label = g_strdup (label);
  target->mode = g_strdup (mode);
  target->verdict = g_strdup (verdict);
  target->reason = g_strdup (reason);
  g_ptr_array_add (bench.targets, target);
}

static const Target *
find_target (const char *id,
             const char *mode)
{
  for (guint i = 0; i < bench.targets->len; i++)
    {
      const Target *target = g_ptr_array_index (bench.targets, i);

      if (g_str_equal (target->id, id) && g_str_equal (target->mode, mode))
        return target;
    }

  return NULL;
}

static void
add_machine (const char *key,
             const char *value)
{
  g_ptr_array_add (bench.machine, g_strdup (key));
  g_ptr_array_add (bench.machine, g_strdup (value != NULL ? value : "unknown"));
}

static gboolean
section_wanted (const char *section)
{
  g_auto(GStrv) wanted = NULL;

  if (opt_sections == NULL)
    return TRUE;

  wanted = g_strsplit (opt_sections, ",", -1);
  return g_strv_contains ((const char * const *) wanted, section);
}

/* The mode is in the app, and wanted in this run (--modes). */
static gboolean
mode_exists (const char *mode_id)
{
  g_auto(GStrv) wanted = NULL;

  if (unfreeze_modes_lookup (mode_id) == NULL)
    return FALSE;
  if (opt_modes == NULL)
    return TRUE;

  wanted = g_strsplit (opt_modes, ",", -1);
  return g_strv_contains ((const char * const *) wanted, mode_id);
}

static double
us_to_ms (gint64 us)
{
  return us / 1000.0;
}

/* Main loop -------------------------------------------------------------------------- */

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;

  return G_SOURCE_REMOVE;
}

/* Lets the main loop (and so the window) run for @ms. */
static void
iterate_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
run_finished_cb (UnfreezeRun *run,
                 gpointer     user_data)
{
  RunWait *wait = user_data;

  wait->finished = TRUE;
  wait->finished_us = g_get_monotonic_time ();
}

static void
wait_for_run (UnfreezeRun *run,
              RunWait     *wait)
{
  if (!wait->finished && unfreeze_run_get_finished (run))
    {
      /* A blocking run is over before start returns. */
      wait->finished = TRUE;
      wait->finished_us = g_get_monotonic_time ();
    }

  if (!unfreeze_test_wait_for (&wait->finished, RUN_TIMEOUT_MS))
    g_error ("A %s run did not finish within %d s", unfreeze_run_get_mode (run)->id,
             RUN_TIMEOUT_MS / 1000);
}

/* Runs one UnfreezeRun straight through its mode, no window: the app's own path for a
 * query, with the main loop running (and the window drawing) meanwhile. Returns the time
 * from start to "finished". */
static gint64
run_direct (const char        *mode_id,
            const char        *ticker,
            double             delay,
            guint              count,
            UnfreezeRunResult *result)
{
  g_autoptr(UnfreezeRun) run = unfreeze_run_new (unfreeze_modes_lookup (mode_id), bench.database,
                                                 ticker, delay, count);
  RunWait wait = { FALSE, 0 };
  gint64 start;

  g_signal_connect (run, "finished", G_CALLBACK (run_finished_cb), &wait);
  start = g_get_monotonic_time ();
  unfreeze_run_start (run);
  wait_for_run (run, &wait);
  g_signal_handlers_disconnect_by_func (run, run_finished_cb, &wait);

  if (result != NULL)
    *result = unfreeze_run_get_result (run);

  return wait.finished_us - start;
}

/* Process: threads and memory -------------------------------------------------------- */

static gint
read_rss_kb (void)
{
  char buffer[128];
  const char *space;
  ssize_t len;
  int fd;

  /* /proc/self/statm: size resident shared … in pages. One short read, no allocation:
   * the sampler thread calls it every 2 ms. */
  fd = open ("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  len = read (fd, buffer, sizeof buffer - 1);
  close (fd);
  if (len <= 0)
    return 0;
  buffer[len] = '\0';

  space = strchr (buffer, ' ');
  if (space == NULL)
    return 0;

  return (gint) (g_ascii_strtoull (space + 1, NULL, 10) * bench.page_kb);
}

static gint64
read_status_kb (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, field);
  if (line == NULL)
    return 0;

  return g_ascii_strtoll (line + strlen (field), NULL, 10);
}

/* Writing 5 to clear_refs resets VmHWM, the kernel's own exact peak RSS (Linux 4.0). */
static gboolean
reset_hwm (void)
{
  gboolean done;
  int fd;

  fd = open ("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  done = write (fd, "5", 1) == 1;
  close (fd);

  return done;
}

static void
raise_peak (gint *peak,
            gint  value)
{
  gint old;

  while ((old = g_atomic_int_get (peak)) < value &&
         !g_atomic_int_compare_and_exchange (peak, old, value))
    ;
}

/* A thread of its own, so that peaks are seen even while the main thread is blocked.
 * It exists from the start, so "threads beyond those at start" does not count it. */
static gpointer
sampler_thread_func (gpointer user_data)
{
  while (g_atomic_int_get (&sampler_running))
    {
      raise_peak (&peak_threads, (gint) unfreeze_stall_meter_count_threads ());
      raise_peak (&peak_rss_kb, read_rss_kb ());
      g_usleep (SAMPLER_PERIOD_US);
    }

  return NULL;
}

static void
reset_peaks (void)
{
  g_atomic_int_set (&peak_threads, (gint) unfreeze_stall_meter_count_threads ());
  g_atomic_int_set (&peak_rss_kb, read_rss_kb ());
  if (bench.hwm_resettable)
    reset_hwm ();
}

static gint64
get_peak_rss_kb (void)
{
  gint64 sampled = g_atomic_int_get (&peak_rss_kb);

  if (bench.hwm_resettable)
    return MAX (sampled, read_status_kb ("VmHWM:"));

  return sampled;
}

/* Stall samples ---------------------------------------------------------------------- */

/* The meter keeps the last ~20 s of heartbeats and ~17 s of frames in rings; this copies
 * what is new into arrays that keep everything, every half second and before each report. */
static void
collect_samples (void)
{
  static UnfreezeStallSample beats[4096];
  static UnfreezeFrameSample frames[4096];
  UnfreezeStallMeter *meter = unfreeze_stall_meter_get_default ();
  guint n;

  n = unfreeze_stall_meter_get_samples (meter, beats, G_N_ELEMENTS (beats));
  for (guint i = 0; i < n; i++)
    {
      if (beats[i].time_us <= bench.last_beat_us)
        continue;
      g_array_append_val (bench.beats, beats[i]);
      bench.last_beat_us = beats[i].time_us;
    }

  n = unfreeze_stall_meter_get_frame_samples (meter, frames, G_N_ELEMENTS (frames));
  for (guint i = 0; i < n; i++)
    {
      if (frames[i].time_us <= bench.last_frame_us)
        continue;
      g_array_append_val (bench.frames, frames[i]);
      bench.last_frame_us = frames[i].time_us;
    }
}

static gboolean
collect_cb (gpointer user_data)
{
  collect_samples ();

  return G_SOURCE_CONTINUE;
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile (@percent of 100); sorts @values. */
static gint64
percentile (GArray *values,
            guint   percent)
{
  guint rank;

  if (values->len == 0)
    return 0;

  g_array_sort (values, compare_int64);
  rank = (values->len * percent + 99) / 100;
  rank = CLAMP (rank, 1, values->len);

  return g_array_index (values, gint64, rank - 1);
}

/* The stalls and frame gaps that overlap [from_us, to_us]. A heartbeat at t, late by L,
 * covers the loop from t - L - 10 ms to t; a frame at t after a gap G covers t - G to t. */
static void
stall_stats (gint64   from_us,
             gint64   to_us,
             Measure *m)
{
  g_autoptr(GArray) lates = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean press_seen = FALSE;

  collect_samples ();

  for (guint i = 0; i < bench.beats->len; i++)
    {
      const UnfreezeStallSample *beat = &g_array_index (bench.beats, UnfreezeStallSample, i);
      gint64 begin = beat->time_us - beat->late_us - UNFREEZE_STALL_METER_INTERVAL_MS * 1000;

      if (beat->time_us >= from_us && begin <= to_us)
        g_array_append_val (lates, beat->late_us);
    }

  for (guint i = 0; i < bench.frames->len; i++)
    {
      const UnfreezeFrameSample *frame = &g_array_index (bench.frames, UnfreezeFrameSample, i);

      if (frame->time_us >= from_us && frame->time_us - frame->gap_us <= to_us)
        g_array_append_val (gaps, frame->gap_us);
    }

  /* The same beats, by phase: pressing Run, waiting, showing the rows. */
  for (guint i = 0; i < bench.beats->len; i++)
    {
      const UnfreezeStallSample *beat = &g_array_index (bench.beats, UnfreezeStallSample, i);
      gint64 begin = beat->time_us - beat->late_us - UNFREEZE_STALL_METER_INTERVAL_MS * 1000;
      gint64 rows_us = m->rows_us != 0 ? m->rows_us : to_us;

      if (beat->time_us < from_us || begin > to_us)
        continue;
      if (!press_seen)
        {
          m->press_stall_us = beat->late_us;
          press_seen = TRUE;
        }
      else if (beat->time_us < rows_us)
        m->wait_stall_us = MAX (m->wait_stall_us, beat->late_us);
      if (m->rows_us != 0 && beat->time_us >= m->rows_us &&
          begin <= (m->painted_us != 0 ? m->painted_us : to_us))
        m->show_stall_us = MAX (m->show_stall_us, beat->late_us);
    }

  m->n_beats = lates->len;
  m->stall_p99_us = percentile (lates, 99);
  m->stall_max_us = lates->len > 0 ? g_array_index (lates, gint64, lates->len - 1) : 0;
  m->n_frames = gaps->len;
  m->gap_p99_us = percentile (gaps, 99);
  m->gap_max_us = gaps->len > 0 ? g_array_index (gaps, gint64, gaps->len - 1) : 0;
}

/* The longest stall and frame gap that overlap [from_us, to_us], by the same rules as
 * stall_stats(): for a part of a run, such as the raw-thread mode's wait until its update
 * is refused. */
static void
interval_max (gint64  from_us,
              gint64  to_us,
              gint64 *stall_max_us,
              gint64 *gap_max_us)
{
  *stall_max_us = 0;
  *gap_max_us = 0;

  for (guint i = 0; i < bench.beats->len; i++)
    {
      const UnfreezeStallSample *beat = &g_array_index (bench.beats, UnfreezeStallSample, i);
      gint64 begin = beat->time_us - beat->late_us - UNFREEZE_STALL_METER_INTERVAL_MS * 1000;

      if (beat->time_us >= from_us && begin <= to_us)
        *stall_max_us = MAX (*stall_max_us, beat->late_us);
    }

  for (guint i = 0; i < bench.frames->len; i++)
    {
      const UnfreezeFrameSample *frame = &g_array_index (bench.frames, UnfreezeFrameSample, i);

      if (frame->time_us >= from_us && frame->time_us - frame->gap_us <= to_us)
        *gap_max_us = MAX (*gap_max_us, frame->gap_us);
    }
}

/* The window -------------------------------------------------------------------------- */

/* The window swaps the rows view's model when a run's rows arrive (and clears it when a run
 * starts): the first non-NULL model after Run is "rows handed to the window". */
static void
rows_model_notify_cb (GObject    *reveal,
                      GParamSpec *pspec,
                      gpointer    user_data)
{
  if (bench.rows_armed && bench.rows_shown_us == 0 &&
      unfreeze_reveal_model_get_model (UNFREEZE_REVEAL_MODEL (reveal)) != NULL)
    bench.rows_shown_us = g_get_monotonic_time ();
}

/* After the frame is painted: the rows handed over before it are on screen now. */
static void
after_paint_cb (GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  if (bench.rows_shown_us != 0 && bench.painted_us == 0)
    bench.painted_us = g_get_monotonic_time ();
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
  g_atomic_int_inc (&bench.refusals);
  G_LOCK (refusal_lock);
  bench.last_refusal_us = g_get_monotonic_time ();
  G_UNLOCK (refusal_lock);
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

/* The main thread's calls into libpq that took UNFREEZE_RUN_BLOCKING_CALL_US or more: the
 * run records each one as a span with the call's name (the main-loop mode times every call
 * it makes). Worker threads may block, that is their job; lane 0 is the UI thread. */
static void
count_blocking_calls (UnfreezeRun *run,
                      Measure     *m)
{
  g_autoptr(GArray) spans = unfreeze_run_dup_spans (run);

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

/* With UNFREEZE_BENCH_TRACE set: when each stall over a frame happened, relative to Run,
 * to find out what causes it. */
static void
trace_stalls (const Measure *m)
{
  fprintf (stderr, "    run +0 … finished +%.0f ms, rows +%.0f ms, painted +%.0f ms\n",
           us_to_ms (m->end_us - m->start_us),
           m->rows_us != 0 ? us_to_ms (m->rows_us - m->start_us) : NAN,
           m->painted_us != 0 ? us_to_ms (m->painted_us - m->start_us) : NAN);

  for (guint i = 0; i < bench.beats->len; i++)
    {
      const UnfreezeStallSample *beat = &g_array_index (bench.beats, UnfreezeStallSample, i);
      gint64 end = beat->time_us - m->start_us;

      if (beat->late_us >= UNFREEZE_STALL_METER_FRAME_US &&
          end >= 0 && end - beat->late_us <= m->tail_end_us - m->start_us)
        fprintf (stderr, "    stall %6.1f ms from +%.0f to +%.0f ms\n", us_to_ms (beat->late_us),
                 us_to_ms (end - beat->late_us - UNFREEZE_STALL_METER_INTERVAL_MS * 1000), us_to_ms (end));
    }
}

/* One press of Run in the real window, with the main loop running until the run is over
 * and its rows are painted. */
static void
run_scenario (const char     *mode_id,
              const Scenario *scenario,
              Measure        *m)
{
  UnfreezeWindow *window = bench.window;
  g_autoptr(UnfreezeRun) run = NULL;
  RunWait wait = { FALSE, 0 };
  gboolean mode_changed = g_strcmp0 (unfreeze_window_get_mode (window), mode_id) != 0;
  gint refusals_before;
  gint64 deadline;

  unfreeze_window_set_mode (window, mode_id);
  unfreeze_window_set_ticker (window, scenario->ticker);
  unfreeze_window_set_delay (window, scenario->delay);
  unfreeze_window_set_count (window, scenario->count);
  iterate_for (mode_changed ? SETTLE_MODE_MS : SETTLE_MS);

  memset (m, 0, sizeof *m);
  /* Give freed memory back first, so the growth seen is this run's. */
  malloc_trim (0);
  m->threads_before = unfreeze_stall_meter_count_threads ();
  m->rss_before_kb = read_rss_kb ();
  reset_peaks ();
  refusals_before = g_atomic_int_get (&bench.refusals);
  G_LOCK (refusal_lock);
  bench.last_refusal_us = 0;
  G_UNLOCK (refusal_lock);
  bench.rows_shown_us = 0;
  bench.painted_us = 0;
  bench.rows_armed = TRUE;

  m->start_us = g_get_monotonic_time ();
  run = unfreeze_window_start_run (window);
  if (run == NULL)
    g_error ("The window did not start a %s run", mode_id);
  g_object_ref (run);
  g_signal_connect (run, "finished", G_CALLBACK (run_finished_cb), &wait);
  wait_for_run (run, &wait);
  g_signal_handlers_disconnect_by_func (run, run_finished_cb, &wait);
  m->end_us = wait.finished_us;

  /* The table takes the rows in a few per frame: that is part of showing them. */
  deadline = g_get_monotonic_time () + PAINT_TIMEOUT_MS * 1000;
  while (!unfreeze_window_get_rows_settled (window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  iterate_for (TAIL_MS);
  while (bench.rows_shown_us != 0 && bench.painted_us == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  bench.rows_armed = FALSE;
  m->tail_end_us = g_get_monotonic_time ();

  m->threads_peak = (guint) g_atomic_int_get (&peak_threads);
  m->rss_peak_kb = get_peak_rss_kb ();
  m->rows_us = bench.rows_shown_us;
  m->painted_us = bench.painted_us;
  m->last_row_us = last_row_time (run, m->rows_us);
  m->n_rows = unfreeze_run_get_n_rows (run);
  m->result = unfreeze_run_get_result (run);
  m->app_stall_us = unfreeze_run_get_longest_stall_us (run);
  m->refusals = (guint) (g_atomic_int_get (&bench.refusals) - refusals_before);
  G_LOCK (refusal_lock);
  m->refused_us = m->refusals > 0 ? bench.last_refusal_us : 0;
  G_UNLOCK (refusal_lock);
  count_blocking_calls (run, m);
  stall_stats (m->start_us, m->tail_end_us, m);
  /* Waiting ends when the last worker reached the UI (and was refused); with no refusal,
   * when the run finished. */
  interval_max (m->start_us, m->refused_us != 0 ? m->refused_us : m->end_us,
                &m->waiting_stall_us, &m->waiting_gap_us);
  if (g_getenv ("UNFREEZE_BENCH_TRACE") != NULL)
    trace_stalls (m);

  /* The sleep mode's run ends when its sleep does; its workers may still be at it. Let
   * them finish before the next scenario, so they are not counted there. */
  if (g_str_equal (mode_id, "sleep"))
    {
      deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
      while (unfreeze_stall_meter_count_threads () > m->threads_before &&
             g_get_monotonic_time () < deadline)
        iterate_for (50);
    }
}

/* Setup ------------------------------------------------------------------------------ */

static gboolean
exec_sql (const char  *sql,
          GError     **error)
{
  PGconn *conn = PQconnectdb (unfreeze_test_fixture_get_conninfo ());
  PGresult *result = NULL;
  gboolean ok;

  ok = PQstatus (conn) == CONNECTION_OK;
  if (ok)
    {
      result = PQexec (conn, sql);
      ok = PQresultStatus (result) == PGRES_COMMAND_OK || PQresultStatus (result) == PGRES_TUPLES_OK;
    }
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", sql, PQerrorMessage (conn));

  g_clear_pointer (&result, PQclear);
  PQfinish (conn);

  return ok;
}

/* The database fills the big tickers on a thread of its own after it is prepared. */
static gboolean
wait_for_big_tickers (void)
{
  gint64 deadline = g_get_monotonic_time () + BIG_TICKERS_TIMEOUT_S * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *n = unfreeze_test_query_value ("SELECT count(*) FROM unfreeze_dataset WHERE name = 'big-v2'");

      if (g_strcmp0 (n, "1") == 0)
        return TRUE;
      iterate_for (250);
    }

  return FALSE;
}

static char *
find_pg_bindir (void)
{
  g_autofree char *in_path = g_find_program_in_path ("pgbench");
  g_autofree char *versioned = g_strdup_printf ("/usr/lib/postgresql/%d/bin", PQlibVersion () / 10000);
  const char *candidates[] = { PG_BINDIR, versioned, "/usr/lib/postgresql/15/bin" };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *pgbench = NULL;

      if (candidates[i] == NULL || candidates[i][0] == '\0')
        continue;
      pgbench = g_build_filename (candidates[i], "pgbench", NULL);
      if (g_file_test (pgbench, G_FILE_TEST_IS_EXECUTABLE))
        return g_strdup (candidates[i]);
    }

  if (in_path != NULL)
    return g_path_get_dirname (in_path);

  return NULL;
}

static void
parse_conninfo (const char *conninfo)
{
  PQconninfoOption *options = PQconninfoParse (conninfo, NULL);

  for (PQconninfoOption *option = options; option != NULL && option->keyword != NULL; option++)
    {
      if (option->val == NULL)
        continue;
      if (g_str_equal (option->keyword, "host"))
        bench.pg_host = g_strdup (option->val);
      else if (g_str_equal (option->keyword, "port"))
        bench.pg_port = g_strdup (option->val);
      else if (g_str_equal (option->keyword, "user"))
        bench.pg_user = g_strdup (option->val);
      else if (g_str_equal (option->keyword, "dbname"))
        bench.pg_dbname = g_strdup (option->val);
    }

  PQconninfoFree (options);

  if (bench.pg_port == NULL)
    bench.pg_port = g_strdup ("5432");
}

/* pgbench runs the app's own statement, its parameters written in as literals. */
static gboolean
write_pgbench_script (GError **error)
{
  g_autoptr(GString) sql = g_string_new (unfreeze_query_sql);

  g_string_replace (sql, "$1", "'" EMPTY_TICKER "'", 0);
  g_string_replace (sql, "$2", "0", 0);
  g_string_replace (sql, "\n", " ", 0);
  g_string_append (sql, ";\n");

  bench.script_path = g_build_filename (unfreeze_test_fixture_get_tmpdir (), "statement.sql", NULL);

  return g_file_set_contents (bench.script_path, sql->str, -1, error);
}

/* The machine is shared: how busy it was is part of every number. */
static char *
read_loadavg (void)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &contents, NULL, NULL))
    return NULL;

  return g_strstrip (g_strndup (contents, strcspn (contents, "\n")));
}

static void
describe_machine (void)
{
  g_autofree char *loadavg = read_loadavg ();
  g_autofree char *cpuinfo = NULL;
  g_autofree char *cpu = NULL;
  g_autofree char *cores = g_strdup_printf ("%u", g_get_num_processors ());
  g_autofree char *gtk = g_strdup_printf ("%u.%u.%u", gtk_get_major_version (),
                                          gtk_get_minor_version (), gtk_get_micro_version ());
  g_autofree char *libpq = g_strdup_printf ("%d", PQlibVersion ());
  g_autofree char *server = unfreeze_test_query_value ("SHOW server_version");
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format_iso8601 (now);
  g_autofree char *renderer = unfreeze_renderer_dup_description (GTK_WIDGET (bench.window));
  struct utsname uts;

  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    {
      const char *line = strstr (cpuinfo, "model name");
      const char *colon = line != NULL ? strchr (line, ':') : NULL;

      if (colon != NULL)
        cpu = g_strstrip (g_strndup (colon + 1, strcspn (colon + 1, "\n")));
    }

  add_machine ("date", date);
  add_machine ("cpu", cpu);
  add_machine ("cores", cores);
  if (uname (&uts) == 0)
    add_machine ("kernel", uts.release);
  add_machine ("display", gdk_display_get_name (gdk_display_get_default ()));
  add_machine ("renderer", renderer);
  add_machine ("GSK_RENDERER", user_gsk_renderer != NULL ? user_gsk_renderer : "not set (the app chooses)");
  add_machine ("gtk", gtk);
  add_machine ("libpq", libpq);
  add_machine ("server", server);
  add_machine ("user", g_get_user_name ());
  add_machine ("loadavg_at_start", loadavg);
  fprintf (stderr, "Load average at the start: %s\n", loadavg);
}

/* Responsiveness ---------------------------------------------------------------------- */

static void
record_measure (const char     *section,
                const Scenario *scenario,
                const char     *mode_id,
                const Measure  *m)
{
  const char *name = scenario->name;
  const char *result = unfreeze_run_result_to_string (m->result);

  add_result (section, name, mode_id, "stall_max_ms", us_to_ms (m->stall_max_us), "ms", NULL);
  add_result (section, name, mode_id, "stall_p99_ms", us_to_ms (m->stall_p99_us), "ms", NULL);
  add_result (section, name, mode_id, "heartbeats", m->n_beats, "count", NULL);
  add_result (section, name, mode_id, "frame_gap_max_ms", us_to_ms (m->gap_max_us), "ms", NULL);
  add_result (section, name, mode_id, "frame_gap_p99_ms", us_to_ms (m->gap_p99_us), "ms", NULL);
  add_result (section, name, mode_id, "frames", m->n_frames, "count", NULL);
  add_result (section, name, mode_id, "press_stall_ms", us_to_ms (m->press_stall_us), "ms",
              "the stall that holds the press of Run (the first heartbeat after it)");
  add_result (section, name, mode_id, "wait_stall_max_ms", us_to_ms (m->wait_stall_us), "ms",
              "the longest stall after that, before the rows were handed to the window");
  add_result (section, name, mode_id, "show_stall_max_ms", m->rows_us != 0 ? us_to_ms (m->show_stall_us) : NAN, "ms",
              "the longest stall from the rows handed to the window to their first paint");
  add_result (section, name, mode_id, "app_longest_stall_ms", us_to_ms (m->app_stall_us), "ms", NULL);
  add_result (section, name, mode_id, "until_refused_stall_max_ms", us_to_ms (m->waiting_stall_us), "ms",
              m->refused_us != 0 ? "from pressing Run to the last update the UI-thread guard refused"
                                 : "from pressing Run to \"finished\" (no update was refused)");
  add_result (section, name, mode_id, "until_refused_frame_gap_max_ms", us_to_ms (m->waiting_gap_us), "ms", NULL);
  add_result (section, name, mode_id, "main_thread_blocking_calls", m->n_blocking_calls, "count",
              "calls into libpq on the main thread that took 2 ms or more (the run's BLOCKING_CALL spans)");
  add_result (section, name, mode_id, "main_thread_blocking_call_max_ms",
              m->n_blocking_calls > 0 ? us_to_ms (m->blocking_call_max_us) : 0, "ms",
              m->blocking_call_name);
  add_result (section, name, mode_id, "elapsed_ms", us_to_ms (m->end_us - m->start_us), "ms", NULL);
  add_result (section, name, mode_id, "threads_before", m->threads_before, "count", NULL);
  add_result (section, name, mode_id, "threads_peak", m->threads_peak, "count", NULL);
  add_result (section, name, mode_id, "rss_before_mib", m->rss_before_kb / 1024.0, "MiB", NULL);
  add_result (section, name, mode_id, "rss_growth_mib",
              MAX (m->rss_peak_kb - m->rss_before_kb, 0) / 1024.0, "MiB", NULL);
  add_result (section, name, mode_id, "rows", m->n_rows, "count", NULL);
  add_result (section, name, mode_id, "refusals", m->refusals, "count", NULL);
  add_result (section, name, mode_id, "result", NAN, NULL, result);

  if (m->painted_us != 0)
    {
      add_result (section, name, mode_id, "run_to_paint_ms", us_to_ms (m->painted_us - m->start_us), "ms", NULL);
      if (m->last_row_us != 0)
        add_result (section, name, mode_id, "last_row_to_paint_ms",
                    us_to_ms (m->painted_us - m->last_row_us), "ms", NULL);
      else
        add_result (section, name, mode_id, "last_row_to_paint_ms", NAN, "ms",
                    "the run recorded no query span");
    }
  else
    {
      g_autofree char *why = g_strdup_printf ("no rows were shown (result: %s)", result);

      add_result (section, name, mode_id, "run_to_paint_ms", NAN, "ms", why);
      add_result (section, name, mode_id, "last_row_to_paint_ms", NAN, "ms", why);
    }
}

static void
print_progress (const char    *mode_id,
                const char    *scenario,
                const Measure *m)
{
  fprintf (stderr, "  %-9s %-14s stall max %8.1f p99 %7.1f ms | frame gap max %8.1f ms | %6.0f ms | "
                   "threads %u→%u | RSS +%.1f MiB | %s, %u rows\n",
                   mode_id, scenario, us_to_ms (m->stall_max_us), us_to_ms (m->stall_p99_us),
                   us_to_ms (m->gap_max_us), us_to_ms (m->end_us - m->start_us),
                   m->threads_before, m->threads_peak,
                   MAX (m->rss_peak_kb - m->rss_before_kb, 0) / 1024.0,
                   unfreeze_run_result_to_string (m->result), m->n_rows);
  if (m->n_blocking_calls > 0)
    fprintf (stderr, "            %u main-thread libpq calls of 2 ms or more, longest %s %.1f ms\n",
             m->n_blocking_calls, m->blocking_call_name, us_to_ms (m->blocking_call_max_us));
}

/* A million rows held by libpq alone, as a yardstick for the modes: the time for the whole
 * result to arrive, and the memory it takes. In this process, before any mode has held
 * the million rows, with freed memory given back first. */
static void
measure_libpq_huge (void)
{
  PGconn *conn = PQconnectdb (unfreeze_test_fixture_get_conninfo ());
  g_autoptr(GError) error = NULL;
  PGresult *result;
  gint64 rss_before, rss_after, rss_peak, start, elapsed;
  guint64 bytes = 0;
  int rows, columns;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("Could not connect: %s", PQerrorMessage (conn));

  malloc_trim (0);
  rss_before = read_rss_kb ();
  reset_peaks ();
  start = g_get_monotonic_time ();
  result = unfreeze_query_exec (conn, HUGE_TICKER, 0.0, &error);
  elapsed = g_get_monotonic_time () - start;
  if (result == NULL)
    g_error ("The million-row query failed: %s", error->message);
  rss_after = read_rss_kb ();
  rss_peak = get_peak_rss_kb ();

  rows = PQntuples (result);
  columns = PQnfields (result);
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < columns; c++)
      bytes += (guint64) PQgetlength (result, r, c);

  add_result ("big-result", "huge", "reference", "libpq_exec_ms", us_to_ms (elapsed), "ms",
              "PQexecParams of the demo statement, whole result, one connection");
  add_result ("big-result", "huge", "reference", "libpq_rss_growth_mib", (rss_after - rss_before) / 1024.0, "MiB",
              "VmRSS after PQexecParams returned minus before");
  add_result ("big-result", "huge", "reference", "libpq_rss_peak_growth_mib", (rss_peak - rss_before) / 1024.0, "MiB", NULL);
  add_result ("big-result", "huge", "reference", "libpq_value_bytes_mib", bytes / (1024.0 * 1024.0), "MiB",
              "sum of PQgetlength over every value");
  add_result ("big-result", "huge", "reference", "rows", rows, "count", NULL);

  fprintf (stderr, "  libpq alone: %d rows in %.0f ms, RSS +%.1f MiB (values %.1f MiB)\n",
                   rows, us_to_ms (elapsed), (rss_after - rss_before) / 1024.0, bytes / (1024.0 * 1024.0));

  PQclear (result);
  PQfinish (conn);
  malloc_trim (0);
}

/* The window with no run at all: what drawing it costs the main loop on this machine,
 * the floor under every mode's numbers. @scenario: "idle", or the loaded variant's. */
static void
measure_idle (const char *section,
              const char *scenario)
{
  Measure m = { 0 };

  iterate_for (SETTLE_MS);
  m.start_us = g_get_monotonic_time ();
  iterate_for (3000);
  m.end_us = g_get_monotonic_time ();
  stall_stats (m.start_us, m.end_us, &m);

  add_result (section, scenario, "reference", "stall_max_ms", us_to_ms (m.stall_max_us), "ms",
              "the window on screen, no run, 3 s");
  add_result (section, scenario, "reference", "stall_p99_ms", us_to_ms (m.stall_p99_us), "ms", NULL);
  add_result (section, scenario, "reference", "frame_gap_max_ms", us_to_ms (m.gap_max_us), "ms", NULL);
  add_result (section, scenario, "reference", "frame_gap_p99_ms", us_to_ms (m.gap_p99_us), "ms", NULL);
  add_result (section, scenario, "reference", "frames", m.n_frames, "count", NULL);
  fprintf (stderr, "  %s window: stall max %.1f p99 %.1f ms | frame gap max %.1f p99 %.1f ms, %u frames in 3 s\n",
           scenario, us_to_ms (m.stall_max_us), us_to_ms (m.stall_p99_us), us_to_ms (m.gap_max_us),
           us_to_ms (m.gap_p99_us), m.n_frames);
}

/* The next Run after a mode's million rows, in the same mode: it lets go of them (the
 * window drops the last run and its model when a new one starts), and for the modes that
 * must stay smooth that Run is part of the target. The sleep mode's own run would sleep 2 s
 * on the main thread; a blocking run of no rows stands in for it (its query costs well
 * under a millisecond, so its stall is the dropping). Recorded under @mode_id. */
static void
measure_next_run (const char     *section,
                  const char     *mode_id,
                  const Scenario *scenario)
{
  Measure m;

  run_scenario (g_str_equal (mode_id, "sleep") ? "blocking" : mode_id, scenario, &m);
  record_measure (section, scenario, mode_id, &m);
  print_progress (mode_id, scenario->name, &m);
}

static void
measure_responsiveness (void)
{
  const UnfreezeMode * const *modes;
  guint n_modes;

  measure_idle ("responsiveness", "idle");
  measure_libpq_huge ();

  modes = unfreeze_modes_get_all (&n_modes);
  for (guint i = 0; i < n_modes; i++)
    {
      const char *mode_id = modes[i]->id;

      if (!mode_exists (mode_id))
        continue;

      for (guint s = 0; s < G_N_ELEMENTS (scenarios); s++)
        {
          const Scenario *scenario = &scenarios[s];
          Measure m;

          if (g_str_equal (mode_id, "blocking") && scenario->count > BLOCKING_MAX_AT_ONCE)
            {
              g_autofree char *why =
                g_strdup_printf ("skipped: the blocking mode runs the %u queries one after the other "
                                 "on the main thread, a %u s freeze; see 10 at once",
                                 scenario->count, scenario->count);

              add_result ("responsiveness", scenario->name, mode_id, "stall_max_ms", NAN, "ms", why);
              continue;
            }

          run_scenario (mode_id, scenario, &m);
          record_measure (g_str_equal (scenario->name, "huge") ? "big-result" : "responsiveness",
                          scenario, mode_id, &m);
          print_progress (mode_id, scenario->name, &m);

          if (g_str_equal (scenario->name, "huge"))
            measure_next_run ("big-result", mode_id, &drop_scenario);
        }

      add_result ("responsiveness", "delay-2s", mode_id, "freeze_ratio",
                  get_value ("delay-2s", mode_id, "stall_max_ms") / 2000.0, "ratio",
                  "longest stall / server delay");
    }
}

/* Under load ------------------------------------------------------------------------- */

/* One busy process per core at nice 19, as a build or an indexer would be on a user's
 * machine: the scheduler gives the app the cores first, but a wake-up of the main thread may
 * still wait for a time slice. Processes, not threads, so that the bench's own thread counts
 * stay those of the app. */
static void
start_load (void)
{
  guint n = g_get_num_processors ();
  pid_t parent = getpid ();

  bench.load_pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
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
          setpriority (PRIO_PROCESS, 0, LOAD_NICE);
          for (;;)
            spin++;
        }

      if (pid > 0)
        g_array_append_val (bench.load_pids, pid);
      else
        fprintf (stderr, "  load: fork failed: %s\n", g_strerror (errno));
    }
}

static void
stop_load (void)
{
  for (guint i = 0; i < bench.load_pids->len; i++)
    {
      pid_t pid = g_array_index (bench.load_pids, pid_t, i);

      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
    }
  g_clear_pointer (&bench.load_pids, g_array_unref);
}

static const Scenario *
find_scenario (const char *name)
{
  for (guint s = 0; s < G_N_ELEMENTS (scenarios); s++)
    {
      if (g_str_equal (scenarios[s].name, name))
        return &scenarios[s];
    }

  g_assert_not_reached ();
}

/* The same runs as above with the machine busy: no target, but the numbers a user with a
 * build running sees. Recorded as scenarios named "loaded-…". */
static void
measure_loaded (void)
{
  g_autofree char *what = NULL;
  g_autofree char *loadavg = NULL;
  Scenario drop = drop_scenario;

  start_load ();
  what = g_strdup_printf ("%u busy processes at nice %d", bench.load_pids->len, LOAD_NICE);
  add_machine ("load_in_loaded_section", what);
  fprintf (stderr, "  %s\n", what);
  /* Let the scheduler spread them over the cores first. */
  iterate_for (1000);

  measure_idle ("loaded", LOADED_PREFIX "idle");
  drop.name = LOADED_PREFIX "huge-next-run";
  drop.label = "under load: next Run after 1,000,000 rows";

  for (guint i = 0; i < G_N_ELEMENTS (loaded_modes); i++)
    {
      if (!mode_exists (loaded_modes[i]))
        continue;

      for (guint s = 0; s < G_N_ELEMENTS (loaded_scenarios); s++)
        {
          const Scenario *quiet = find_scenario (loaded_scenarios[s]);
          g_autofree char *name = g_strconcat (LOADED_PREFIX, quiet->name, NULL);
          g_autofree char *label = g_strdup_printf ("under load: %s", quiet->label);
          Scenario loaded = *quiet;
          Measure m;

          loaded.name = name;
          loaded.label = label;
          run_scenario (loaded_modes[i], &loaded, &m);
          record_measure ("loaded", &loaded, loaded_modes[i], &m);
          print_progress (loaded_modes[i], loaded.name, &m);

          if (g_str_equal (quiet->name, "huge"))
            measure_next_run ("loaded", loaded_modes[i], &drop);
        }
    }

  /* The one-minute load average, after a minute of this: the load was there. */
  loadavg = read_loadavg ();
  add_machine ("loadavg_end_of_loaded_section", loadavg);
  stop_load ();
}

/* pgbench ---------------------------------------------------------------------------- */

static gboolean
run_pgbench (const char * const  *extra,
             const char          *log_prefix,
             char               **out,
             GError             **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *err = NULL;
  int status = 0;

  if (bench.pg_bindir == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "pgbench not found");
      return FALSE;
    }

  g_ptr_array_add (argv, g_build_filename (bench.pg_bindir, "pgbench", NULL));
  g_ptr_array_add (argv, g_strdup ("-n"));
  g_ptr_array_add (argv, g_strdup ("--protocol=extended"));
  g_ptr_array_add (argv, g_strdup_printf ("--file=%s", bench.script_path));
  g_ptr_array_add (argv, g_strdup_printf ("--host=%s", bench.pg_host));
  g_ptr_array_add (argv, g_strdup_printf ("--port=%s", bench.pg_port));
  g_ptr_array_add (argv, g_strdup_printf ("--username=%s", bench.pg_user));
  if (log_prefix != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--log"));
      g_ptr_array_add (argv, g_strdup_printf ("--log-prefix=%s", log_prefix));
    }
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, g_strdup (bench.pg_dbname));
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     out, &err, &status, error))
    return FALSE;

  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "pgbench: %s: ", err);
      return FALSE;
    }

  return TRUE;
}

/* "tps = 1234.5 (without initial connection time)" */
static double
parse_tps (const char *out)
{
  const char *line = strstr (out, "tps = ");

  if (line == NULL)
    return NAN;

  return g_ascii_strtod (line + strlen ("tps = "), NULL);
}

/* pgbench --log: one line per transaction; the third field is its latency in µs. */
static GArray *
read_pgbench_latencies (const char *dir)
{
  GArray *latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_str_has_prefix (name, "pgbench") || !g_file_get_contents (path, &contents, NULL, NULL))
        continue;

      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);
          gint64 latency;

          if (g_strv_length (fields) < 3)
            continue;
          latency = g_ascii_strtoll (fields[2], NULL, 10);
          g_array_append_val (latencies, latency);
        }
    }

  return latencies;
}

/* Overhead --------------------------------------------------------------------------- */

static gint64
mean_of (GArray *values)
{
  gint64 sum = 0;

  for (guint i = 0; i < values->len; i++)
    sum += g_array_index (values, gint64, i);

  return values->len > 0 ? sum / values->len : 0;
}

static void
record_overhead (const char *scenario,
                 const char *mode_id,
                 GArray     *times,
                 const char *note)
{
  add_result ("overhead", scenario, mode_id, "median_us", (double) percentile (times, 50), "us", note);
  add_result ("overhead", scenario, mode_id, "p99_us", (double) percentile (times, 99), "us", NULL);
  add_result ("overhead", scenario, mode_id, "mean_us", (double) mean_of (times), "us", NULL);
  add_result ("overhead", scenario, mode_id, "queries", times->len, "count", NULL);
  fprintf (stderr, "  %-9s %-5s median %6" G_GINT64_FORMAT " µs, mean %6" G_GINT64_FORMAT " µs, p99 %6"
           G_GINT64_FORMAT " µs (%u queries)\n", mode_id, scenario, percentile (times, 50),
           mean_of (times), percentile (times, 99), times->len);
}

/* The same statement, one after the other, OVERHEAD_QUERIES times, by each path and by
 * pgbench. In rounds that take turns, so that whatever else the machine does at the time
 * falls on every side alike. */
static void
measure_overhead (void)
{
  static const char * const run_modes[] = { "blocking", "thread", "gtask", "mainloop" };
  const guint per_round = OVERHEAD_QUERIES / OVERHEAD_ROUNDS;
  g_autoptr(GArray) loop_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) run_times = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GArray) latencies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log_dir = g_build_filename (unfreeze_test_fixture_get_tmpdir (), "pgbench-log", NULL);
  g_autofree char *log_prefix = g_build_filename (log_dir, "pgbench", NULL);
  g_autofree char *transactions = g_strdup_printf ("--transactions=%u", per_round);
  g_autofree char *pgbench_error = NULL;
  const char * const pgbench_args[] = { "--client=1", transactions, NULL };

  g_mkdir_with_parents (log_dir, 0700);
  for (guint m = 0; m < G_N_ELEMENTS (run_modes); m++)
    g_ptr_array_add (run_times, g_array_new (FALSE, FALSE, sizeof (gint64)));

  for (guint round = 0; round < OVERHEAD_ROUNDS; round++)
    {
      g_autofree char *out = NULL;
      PGconn *conn;

      /* The blocking mode's own path, without the run around it: PQexecParams on one
       * connection from the pool, over and over. */
      conn = unfreeze_database_acquire (bench.database, &error);
      if (conn == NULL)
        g_error ("No connection: %s", error->message);
      for (guint i = 0; i < OVERHEAD_WARMUP + per_round; i++)
        {
          gint64 start = g_get_monotonic_time ();
          PGresult *result = unfreeze_query_exec (conn, EMPTY_TICKER, 0.0, &error);
          gint64 elapsed = g_get_monotonic_time () - start;

          if (result == NULL)
            g_error ("The query failed: %s", error->message);
          PQclear (result);
          if (i >= OVERHEAD_WARMUP)
            g_array_append_val (loop_times, elapsed);
        }
      unfreeze_database_release (bench.database, conn);

      /* Each mode's whole path: one run of one query, started and waited for. */
      for (guint m = 0; m < G_N_ELEMENTS (run_modes); m++)
        {
          GArray *times = g_ptr_array_index (run_times, m);

          if (!mode_exists (run_modes[m]))
            continue;

          for (guint i = 0; i < OVERHEAD_WARMUP + per_round; i++)
            {
              UnfreezeRunResult result;
              gint64 elapsed = run_direct (run_modes[m], EMPTY_TICKER, 0.0, 1, &result);

              if (result != UNFREEZE_RUN_RESULT_OK && result != UNFREEZE_RUN_RESULT_REFUSED)
                g_error ("A %s run failed: %s", run_modes[m], unfreeze_run_result_to_string (result));
              if (i >= OVERHEAD_WARMUP)
                g_array_append_val (times, elapsed);
            }
        }

      /* The same statement by pgbench; its --log has every transaction's latency. */
      if (pgbench_error == NULL && !run_pgbench (pgbench_args, log_prefix, &out, &error))
        {
          pgbench_error = g_strdup (error->message);
          g_clear_error (&error);
        }
    }

  record_overhead ("loop", "blocking", loop_times,
                   "unfreeze_query_exec() (PQexecParams) in a loop on one pooled connection");
  for (guint m = 0; m < G_N_ELEMENTS (run_modes); m++)
    {
      if (mode_exists (run_modes[m]))
        record_overhead ("runs", run_modes[m], g_ptr_array_index (run_times, m),
                         "one UnfreezeRun of one query through the mode, start to \"finished\"");
    }
  if (mode_exists ("sleep"))
    add_result ("overhead", "runs", "sleep", "median_us", NAN, "us",
                "skipped: the sleep mode sleeps 2 s in every run by design");

  latencies = read_pgbench_latencies (log_dir);
  if (pgbench_error == NULL && latencies->len > 0)
    record_overhead ("loop", "reference", latencies,
                     "pgbench -n -M extended -c 1 -t 200, five times between the others; median of its --log latencies");
  else
    {
      add_result ("overhead", "loop", "reference", "median_us", NAN, "us",
                  pgbench_error != NULL ? pgbench_error : "pgbench wrote no latencies");
      fprintf (stderr, "  pgbench: %s\n", pgbench_error != NULL ? pgbench_error : "no latencies");
    }
}

/* Throughput ------------------------------------------------------------------------- */

static void
measure_throughput (void)
{
  static const char * const modes[] = { "thread", "gtask", "mainloop" };

  for (guint t = 0; t < G_N_ELEMENTS (throughput_n); t++)
    {
      guint n = throughput_n[t];
      g_autofree char *scenario = g_strdup_printf ("n-%u", n);
      g_autofree char *clients = g_strdup_printf ("--client=%u", n);
      g_autofree char *jobs = g_strdup_printf ("--jobs=%u", MIN (n, 2));
      g_autofree char *seconds = g_strdup_printf ("--time=%d", opt_seconds);
      g_autofree char *out = NULL;
      g_autoptr(GError) error = NULL;
      const char * const pgbench_args[] = { clients, jobs, seconds, NULL };

      for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
        {
          guint64 queries = 0;
          guint threads_before;
          gint64 start, elapsed;

          if (!mode_exists (modes[m]))
            continue;

          /* One run first, so the pool has its N connections: pgbench's connecting is not
           * counted either ("without initial connection time"). */
          run_direct (modes[m], EMPTY_TICKER, 0.0, n, NULL);

          threads_before = unfreeze_stall_meter_count_threads ();
          reset_peaks ();
          start = g_get_monotonic_time ();
          do
            {
              run_direct (modes[m], EMPTY_TICKER, 0.0, n, NULL);
              queries += n;
              elapsed = g_get_monotonic_time () - start;
            }
          while (elapsed < opt_seconds * G_USEC_PER_SEC);

          add_result ("throughput", scenario, modes[m], "queries_per_s",
                      queries / (elapsed / (double) G_USEC_PER_SEC), "1/s",
                      "runs of N queries at once, back to back, through the mode");
          add_result ("throughput", scenario, modes[m], "threads_before", threads_before, "count", NULL);
          add_result ("throughput", scenario, modes[m], "threads_peak",
                      g_atomic_int_get (&peak_threads), "count", NULL);
          fprintf (stderr, "  %-9s N=%-3u %8.0f queries/s  threads %u→%d\n", modes[m], n,
                           queries / (elapsed / (double) G_USEC_PER_SEC), threads_before,
                           g_atomic_int_get (&peak_threads));
        }

      if (run_pgbench (pgbench_args, NULL, &out, &error))
        {
          /* pgbench counts its connecting inside -T: on a loaded machine 50 connections can
           * take all of it, and it prints "tps = nan". */
          add_result ("throughput", scenario, "reference", "queries_per_s", parse_tps (out), "1/s",
                      isnan (parse_tps (out)) ? out
                      : "pgbench -n -M extended -c N -j 2 -T 5, tps without initial connection time");
          fprintf (stderr, "  pgbench   N=%-3u %8.0f tps\n", n, parse_tps (out));
        }
      else
        {
          add_result ("throughput", scenario, "reference", "queries_per_s", NAN, "1/s", error->message);
        }
    }
}

/* Start-up --------------------------------------------------------------------------- */

typedef struct
{
  gint64  to_line_us;
  gint64  to_exit_us;
  gint64  to_window_us;    /* spawn → the window's first frame; -1: not logged */
  gint64  to_ready_us;     /* spawn → the database ready, Run can be pressed; -1: not logged */
  gint64  app_elapsed_ms;
  char   *result;
} Launch;

/* The app's start-up marks (G_MESSAGES_DEBUG=Unfreeze-Startup): "window-shown
 * monotonic_us=N" and "ready monotonic_us=N", g_get_monotonic_time() in the app, the same
 * clock as @spawn_us here. GLib writes debug messages to stdout unless told to use stderr,
 * so both are searched. */
static void
parse_startup_mark (const char *line,
                    gint64      spawn_us,
                    Launch     *launch)
{
  static const char window_key[] = "window-shown monotonic_us=";
  static const char ready_key[] = "ready monotonic_us=";
  const char *found;

  if ((found = strstr (line, window_key)) != NULL && launch->to_window_us < 0)
    launch->to_window_us = g_ascii_strtoll (found + strlen (window_key), NULL, 10) - spawn_us;
  else if ((found = strstr (line, ready_key)) != NULL && launch->to_ready_us < 0)
    launch->to_ready_us = g_ascii_strtoll (found + strlen (ready_key), NULL, 10) - spawn_us;
}

static void
parse_startup_log (const char *path,
                   gint64      spawn_us,
                   Launch     *launch)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    parse_startup_mark (lines[i], spawn_us, launch);
}

static char *
summary_value (const char *line,
               const char *key)
{
  g_auto(GStrv) pairs = g_strsplit (line, " ", -1);

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      if (g_str_has_prefix (pairs[i], key) && pairs[i][strlen (key)] == '=')
        return g_strdup (pairs[i] + strlen (key) + 1);
    }

  return NULL;
}

/* The real binary, as a script would start it, with @home as its private XDG home. Times
 * spawn → the summary line on its stdout, and spawn → exit. */
static gboolean
launch_app (const char  *home,
            Launch      *launch,
            GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *cache = g_build_filename (home, "cache", NULL);
  g_autofree char *runtime = g_build_filename (home, "run", NULL);
  g_autofree char *config = g_build_filename (home, "config", NULL);
  g_autofree char *log_path = g_build_filename (home, "stderr.log", NULL);
  g_autofree char *line = NULL;
  g_autofree char *elapsed = NULL;
  static const char * const pg_vars[] = {
    "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE", "PGPASSWORD",
  };
  gint64 start;

  g_mkdir_with_parents (runtime, 0700);
  env = g_environ_setenv (env, "XDG_CACHE_HOME", cache, TRUE);
  env = g_environ_setenv (env, "XDG_RUNTIME_DIR", runtime, TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", config, TRUE);
  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "memory", TRUE);
  env = g_environ_setenv (env, "G_MESSAGES_DEBUG", "Unfreeze-Startup", TRUE);
  /* The app chooses its renderer by itself, as it would for the user: not the choice made
   * in this process, which set GSK_RENDERER here. */
  if (user_gsk_renderer == NULL)
    env = g_environ_unsetenv (env, "GSK_RENDERER");
  for (guint i = 0; i < G_N_ELEMENTS (pg_vars); i++)
    env = g_environ_unsetenv (env, pg_vars[i]);
  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);

  launch->to_window_us = -1;
  launch->to_ready_us = -1;
  start = g_get_monotonic_time ();
  app = g_subprocess_launcher_spawn (launcher, error, UNFREEZE_BENCH_BINARY, "--run", "--quit-after-run",
                                     "--delay=0", "--mode=gtask", NULL);
  if (app == NULL)
    return FALSE;

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (app));
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, error)) != NULL &&
         !g_str_has_prefix (line, "mode="))
    {
      parse_startup_mark (line, start, launch);
      g_clear_pointer (&line, g_free);
    }
  launch->to_line_us = g_get_monotonic_time () - start;

  /* Not read to its end: the app's server may still hold the pipe. */
  if (!g_subprocess_wait (app, NULL, error))
    return FALSE;
  launch->to_exit_us = g_get_monotonic_time () - start;
  parse_startup_log (log_path, start, launch);

  if (line == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "No summary line; see %s", log_path);
      return FALSE;
    }

  elapsed = summary_value (line, "elapsed_ms");
  launch->app_elapsed_ms = elapsed != NULL ? g_ascii_strtoll (elapsed, NULL, 10) : -1;
  launch->result = summary_value (line, "result");

  return TRUE;
}

static gboolean
spawn_timed (const char * const  *argv,
             gint64              *elapsed_us,
             GError             **error)
{
  gint64 start = g_get_monotonic_time ();
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, error) ||
      !g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s: ", argv[0]);
      return FALSE;
    }
  *elapsed_us = g_get_monotonic_time () - start;

  return TRUE;
}

/* Plain PostgreSQL, the way a script would do it: initdb with the app's own arguments, then
 * pg_ctl start -w with the app's server settings, then stop; and a second start, warm. */
static gboolean
reference_start (const char  *dir,
                 gint64      *initdb_us,
                 gint64      *start_us,
                 gint64      *stop_us,
                 gint64      *warm_start_us,
                 GError     **error)
{
  g_autofree char *initdb = g_build_filename (bench.pg_bindir, "initdb", NULL);
  g_autofree char *pg_ctl = g_build_filename (bench.pg_bindir, "pg_ctl", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *socket_dir = g_build_filename (dir, "s", NULL);
  g_autofree char *log_path = g_build_filename (dir, "server.log", NULL);
  g_autofree char *options =
    g_strdup_printf ("-k %s -c listen_addresses='' -c unix_socket_permissions=0700 -c fsync=off "
                     "-c synchronous_commit=off -c full_page_writes=off -c max_connections=250 "
                     "-c shared_buffers=32MB", socket_dir);
  const char * const initdb_argv[] = { initdb, "--no-sync", "-A", "trust", "-U", "unfreeze", "-E", "UTF8",
                                       "--locale=C", "-D", data, NULL };
  const char * const start_argv[] = { pg_ctl, "-D", data, "-l", log_path, "-o", options, "-w", "-s", "start", NULL };
  const char * const stop_argv[] = { pg_ctl, "-D", data, "-m", "fast", "-w", "-s", "stop", NULL };
  gint64 ignored;

  g_mkdir_with_parents (socket_dir, 0700);

  return spawn_timed (initdb_argv, initdb_us, error) &&
         spawn_timed (start_argv, start_us, error) &&
         spawn_timed (stop_argv, stop_us, error) &&
         spawn_timed (start_argv, warm_start_us, error) &&
         spawn_timed (stop_argv, &ignored, error);
}

static char *
find_data_dir (const char *home)
{
  g_autofree char *parent = g_build_filename (home, "cache", "unfreeze", NULL);
  g_autoptr(GDir) dir = g_dir_open (parent, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (parent, name, NULL);
      g_autofree char *version = g_build_filename (path, "PG_VERSION", NULL);

      if (g_file_test (version, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&path);
    }

  return NULL;
}

static void
async_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* A session long enough for the app to finish generating the big tickers, with the app's
 * own code (server and database) on the app's cluster: after it, a warm start has nothing
 * left to generate. */
static gboolean
complete_big_tickers (const char  *home,
                      GError     **error)
{
  g_autofree char *data_dir = find_data_dir (home);
  g_autoptr(UnfreezeLocalServer) server = NULL;
  g_autoptr(UnfreezeDatabase) database = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *conninfo = NULL;
  gint64 deadline = g_get_monotonic_time () + BIG_TICKERS_TIMEOUT_S * G_USEC_PER_SEC;
  gboolean done = FALSE;

  if (data_dir == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "The app left no cluster in %s", home);
      return FALSE;
    }

  server = unfreeze_local_server_new (data_dir);
  unfreeze_local_server_start_async (server, NULL, async_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!unfreeze_local_server_start_finish (server, result, error))
    return FALSE;
  g_clear_object (&result);

  conninfo = unfreeze_local_server_dup_conninfo (server);
  database = unfreeze_database_new (conninfo);
  unfreeze_database_set_big_tickers (database, TRUE);
  unfreeze_database_prepare_async (database, NULL, async_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!unfreeze_database_prepare_finish (database, result, error))
    {
      unfreeze_local_server_stop (server);
      return FALSE;
    }

  while (!done && g_get_monotonic_time () < deadline)
    {
      PGconn *conn = PQconnectdb (conninfo);
      PGresult *count = PQexec (conn, "SELECT count(*) FROM unfreeze_dataset WHERE name = 'big-v2'");

      done = PQresultStatus (count) == PGRES_TUPLES_OK && g_str_equal (PQgetvalue (count, 0, 0), "1");
      PQclear (count);
      PQfinish (conn);
      if (!done)
        iterate_for (250);
    }

  unfreeze_database_shutdown (database);
  unfreeze_local_server_stop (server);

  if (!done)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "The big tickers were not generated in time");

  return done;
}

static double
median_ms (GArray *values_us)
{
  if (values_us->len == 0)
    return NAN;

  return us_to_ms (percentile (values_us, 50));
}

/* The launches of one kind (cold, warm, …), in microseconds. */
typedef struct
{
  GArray *to_line;
  GArray *to_exit;
  GArray *app_elapsed;
  GArray *to_window;
  GArray *to_ready;
} Launches;

static void
launches_init (Launches *set)
{
  set->to_line = g_array_new (FALSE, FALSE, sizeof (gint64));
  set->to_exit = g_array_new (FALSE, FALSE, sizeof (gint64));
  set->app_elapsed = g_array_new (FALSE, FALSE, sizeof (gint64));
  set->to_window = g_array_new (FALSE, FALSE, sizeof (gint64));
  set->to_ready = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static void
launches_clear (Launches *set)
{
  g_clear_pointer (&set->to_line, g_array_unref);
  g_clear_pointer (&set->to_exit, g_array_unref);
  g_clear_pointer (&set->app_elapsed, g_array_unref);
  g_clear_pointer (&set->to_window, g_array_unref);
  g_clear_pointer (&set->to_ready, g_array_unref);
}

/* One launch of the app into @set; @what names it in the progress. */
static void
launch_into (const char *home,
             Launches   *set,
             const char *what)
{
  g_autoptr(GError) error = NULL;
  Launch launch = { 0 };
  gint64 app_elapsed_us;

  if (!launch_app (home, &launch, &error))
    {
      fprintf (stderr, "  app %s: %s\n", what, error->message);
      g_free (launch.result);
      return;
    }

  app_elapsed_us = launch.app_elapsed_ms * 1000;
  g_array_append_val (set->to_line, launch.to_line_us);
  g_array_append_val (set->to_exit, launch.to_exit_us);
  g_array_append_val (set->app_elapsed, app_elapsed_us);
  if (launch.to_window_us >= 0)
    g_array_append_val (set->to_window, launch.to_window_us);
  if (launch.to_ready_us >= 0)
    g_array_append_val (set->to_ready, launch.to_ready_us);
  fprintf (stderr, "  app %s: window shown after %.0f ms, ready after %.0f ms, summary after %.0f ms "
                   "(result=%s, run %.0f ms), exit after %.0f ms\n", what,
                   launch.to_window_us >= 0 ? us_to_ms (launch.to_window_us) : NAN,
                   launch.to_ready_us >= 0 ? us_to_ms (launch.to_ready_us) : NAN,
                   us_to_ms (launch.to_line_us), launch.result, us_to_ms (app_elapsed_us),
                   us_to_ms (launch.to_exit_us));
  g_free (launch.result);
}

static void
record_launches (const char     *scenario,
                 const Launches *set,
                 const char     *note)
{
  g_autoptr(GArray) to_run = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *unlogged = "the app logged no start-up marks (G_MESSAGES_DEBUG=Unfreeze-Startup)";

  /* The summary line minus the run: until the scripted run pressed Run, which includes its
   * wait for the window to settle. Kept for comparison; the marks decide. */
  for (guint i = 0; i < set->to_line->len && i < set->app_elapsed->len; i++)
    {
      gint64 until_run = g_array_index (set->to_line, gint64, i) - g_array_index (set->app_elapsed, gint64, i);

      g_array_append_val (to_run, until_run);
    }

  add_result ("startup", scenario, "gtask", "spawn_to_window_ms", median_ms (set->to_window), "ms",
              set->to_window->len > 0 ? "spawn → the window's first frame (the app's \"window-shown\" mark)"
                                      : unlogged);
  add_result ("startup", scenario, "gtask", "spawn_to_ready_ms", median_ms (set->to_ready), "ms",
              set->to_ready->len > 0 ? "spawn → the database ready, Run can be pressed (the app's \"ready\" mark)"
                                     : unlogged);
  add_result ("startup", scenario, "gtask", "spawn_to_summary_ms", median_ms (set->to_line), "ms", note);
  add_result ("startup", scenario, "gtask", "spawn_to_run_ms", median_ms (to_run), "ms",
              "spawn → summary line minus the run's own elapsed_ms: until the scripted run pressed Run, "
              "its settle wait included");
  add_result ("startup", scenario, "gtask", "spawn_to_exit_ms", median_ms (set->to_exit), "ms", NULL);
  add_result ("startup", scenario, "gtask", "app_elapsed_ms", median_ms (set->app_elapsed), "ms",
              "the summary line's elapsed_ms: the run alone");
  for (guint i = 0; i < set->to_line->len; i++)
    {
      g_autofree char *metric = g_strdup_printf ("spawn_to_summary_ms_%u", i + 1);

      add_result ("startup", scenario, "gtask", metric, us_to_ms (g_array_index (set->to_line, gint64, i)), "ms", NULL);
    }
  for (guint i = 0; i < set->to_ready->len; i++)
    {
      g_autofree char *metric = g_strdup_printf ("spawn_to_ready_ms_%u", i + 1);

      add_result ("startup", scenario, "gtask", metric, us_to_ms (g_array_index (set->to_ready, gint64, i)), "ms", NULL);
    }
}

static void
measure_startup (void)
{
  const char *tmpdir = unfreeze_test_fixture_get_tmpdir ();
  Launches cold, warm, full;
  g_autoptr(GArray) ref_initdb = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) ref_start = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) ref_cold = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) ref_stop = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) ref_warm = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autofree char *last_home = NULL;

  if (!g_file_test (UNFREEZE_BENCH_BINARY, G_FILE_TEST_IS_EXECUTABLE))
    {
      add_result ("startup", "cold", "gtask", "spawn_to_summary_ms", NAN, "ms",
                  "the unfreeze binary was not found at " UNFREEZE_BENCH_BINARY);
      return;
    }

  launches_init (&cold);
  launches_init (&warm);
  launches_init (&full);

  /* Alternated, so that whatever else the machine does falls on both sides. */
  for (guint i = 0; i < STARTUP_REPEATS; i++)
    {
      g_autofree char *ref_dir = g_strdup_printf ("%s/ref-%u", tmpdir, i);
      g_autofree char *home = g_strdup_printf ("%s/home-%u", tmpdir, i);
      gint64 initdb_us, start_us, stop_us, warm_us;

      if (bench.pg_bindir != NULL &&
          reference_start (ref_dir, &initdb_us, &start_us, &stop_us, &warm_us, &error))
        {
          gint64 both = initdb_us + start_us;

          g_array_append_val (ref_initdb, initdb_us);
          g_array_append_val (ref_start, start_us);
          g_array_append_val (ref_cold, both);
          g_array_append_val (ref_stop, stop_us);
          g_array_append_val (ref_warm, warm_us);
          fprintf (stderr, "  plain PostgreSQL: initdb %.0f ms + pg_ctl start %.0f ms; stop %.0f ms; warm start %.0f ms\n",
                           us_to_ms (initdb_us), us_to_ms (start_us), us_to_ms (stop_us), us_to_ms (warm_us));
        }
      else if (error != NULL)
        {
          fprintf (stderr, "  plain PostgreSQL: %s\n", error->message);
          g_clear_error (&error);
        }

      /* Cold: nothing there; warm: the same home again. */
      launch_into (home, &cold, "cold");
      launch_into (home, &warm, "warm");

      g_free (last_home);
      last_home = g_steal_pointer (&home);
    }

  /* Warm after a full session: the big tickers are there, nothing is generated. */
  if (last_home != NULL && complete_big_tickers (last_home, &error))
    {
      for (guint i = 0; i < STARTUP_REPEATS; i++)
        launch_into (last_home, &full, "warm, big tickers there");
    }
  else if (error != NULL)
    {
      fprintf (stderr, "  big tickers for the warm start: %s\n", error->message);
      g_clear_error (&error);
    }

  record_launches ("cold", &cold,
                   "unfreeze --run --quit-after-run --delay=0 --mode=gtask, fresh XDG_CACHE_HOME");
  record_launches ("warm", &warm,
                   "the same XDG_CACHE_HOME again, right after a cold --quit-after-run session");
  record_launches ("warm-full", &full,
                   "the same XDG_CACHE_HOME after a session that finished the big tickers");
  add_result ("startup", "cold", "reference", "initdb_ms", median_ms (ref_initdb), "ms",
              "initdb --no-sync -A trust -U unfreeze -E UTF8 --locale=C");
  add_result ("startup", "cold", "reference", "pg_ctl_start_ms", median_ms (ref_start), "ms",
              "pg_ctl start -w with the app's server settings");
  add_result ("startup", "cold", "reference", "initdb_and_start_ms", median_ms (ref_cold), "ms", NULL);
  add_result ("startup", "warm", "reference", "pg_ctl_start_ms", median_ms (ref_warm), "ms", NULL);
  add_result ("startup", "cold", "reference", "pg_ctl_stop_ms", median_ms (ref_stop), "ms", NULL);

  launches_clear (&cold);
  launches_clear (&warm);
  launches_clear (&full);
}

/* Targets ---------------------------------------------------------------------------- */

/* "not met" with what failed; else "not judged" with what is missing; else "met". */
static void
add_verdict (const char *id,
             const char *label,
             const char *mode,
             GString    *failed,
             GString    *missing,
             const char *met_reason)
{
  g_autofree char *reason = NULL;

  if (failed->len > 0)
    {
      reason = missing->len > 0 ? g_strdup_printf ("%s (not measured: %s)", failed->str, missing->str)
                                : g_strdup (failed->str);
      add_target (id, label, mode, "not met", reason);
    }
  else if (missing->len > 0)
    {
      reason = g_strdup_printf ("not measured: %s", missing->str);
      add_target (id, label, mode, "not judged", reason);
    }
  else
    add_target (id, label, mode, "met", met_reason);
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

  for (guint s = 0; s < G_N_ELEMENTS (scenarios); s++)
    g_ptr_array_add (names, (gpointer) scenarios[s].name);
  if (with_next_run)
    g_ptr_array_add (names, (gpointer) drop_scenario.name);

  return names;
}

static void
judge_idle (void)
{
  double max = get_value ("idle", "reference", "stall_max_ms");
  double p99 = get_value ("idle", "reference", "stall_p99_ms");
  g_autofree char *reason = NULL;

  if (isnan (max) || isnan (p99))
    return;

  reason = g_strdup_printf ("heartbeat p99 %.1f ms, max %.1f ms", p99, max);
  add_target ("idle", "Idle window", "reference",
              p99 <= IDLE_P99_TARGET_MS && max < FRAME_US / 1000.0 ? "met" : "not met", reason);
}

/* Smooth: the heartbeat never later than a frame, and no frame more than two frames after
 * the one before. Judged twice because they differ: the loop can be free for a heartbeat
 * and still draw nothing, when ready sources of a higher priority than drawing starve the
 * frame clock. @stall_metric and @gap_metric: over the whole run, or up to its refused
 * update. */
static void
judge_smooth (const char *id,
              const char *label,
              const char *mode,
              GPtrArray  *names,
              const char *stall_metric,
              const char *gap_metric)
{
  g_autoptr(GString) failed = g_string_new (NULL);
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autofree char *met = NULL;
  const char *worst_stall = NULL;
  const char *worst_gap = NULL;
  double worst_stall_ms = -1;
  double worst_gap_ms = -1;

  if (!mode_exists (mode))
    return;

  for (guint s = 0; s < names->len; s++)
    {
      const char *name = g_ptr_array_index (names, s);
      double stall = get_value (name, mode, stall_metric);
      double gap = get_value (name, mode, gap_metric);

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
      if (stall >= FRAME_US / 1000.0 || gap > (TWO_FRAMES_US + FRAME_JITTER_US) / 1000.0)
        append_item (failed, "; ", "%s: stall %.1f ms, frame gap %.1f ms", name, stall, gap);
    }

  if (worst_stall != NULL)
    met = g_strdup_printf ("longest stall %.1f ms (%s), longest frame gap %.1f ms (%s)",
                           worst_stall_ms, worst_stall, worst_gap_ms, worst_gap);
  add_verdict (id, label, mode, failed, missing, met);
}

static void
judge_stalls (void)
{
  g_autoptr(GPtrArray) all = smooth_scenarios (TRUE);
  g_autoptr(GPtrArray) through_window = smooth_scenarios (FALSE);

  if (find_result ("delay-2s", "gtask", "stall_max_ms") == NULL &&
      find_result ("delay-2s", "mainloop", "stall_max_ms") == NULL &&
      find_result ("delay-2s", "thread", "stall_max_ms") == NULL)
    return;

  judge_smooth ("smooth", "Smooth in every scenario", "gtask", all, "stall_max_ms", "frame_gap_max_ms");
  judge_smooth ("smooth", "Smooth in every scenario", "mainloop", all, "stall_max_ms", "frame_gap_max_ms");
  /* The raw-thread mode's lesson is its refused update: it is judged while it waits. */
  judge_smooth ("smooth-waiting", "Smooth while waiting, until the refused update", "thread",
                through_window, "until_refused_stall_max_ms", "until_refused_frame_gap_max_ms");
}

static void
judge_threads (void)
{
  g_autoptr(GString) extra = g_string_new (NULL);
  g_autoptr(GString) checked = g_string_new (NULL);
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autofree char *met = NULL;

  /* Threads: the at-once runs (through the window) and the throughput runs. */
  for (guint s = 1; s < G_N_ELEMENTS (scenarios) - 1; s++)
    {
      double before = get_value (scenarios[s].name, "mainloop", "threads_before");
      double peak = get_value (scenarios[s].name, "mainloop", "threads_peak");

      if (isnan (before) || isnan (peak))
        continue;
      append_item (checked, ", ", "%u at once", scenarios[s].count);
      if (peak > before)
        append_item (extra, "; ", "%s: +%.0f", scenarios[s].label, peak - before);
    }
  for (guint t = 0; t < G_N_ELEMENTS (throughput_n); t++)
    {
      g_autofree char *scenario = g_strdup_printf ("n-%u", throughput_n[t]);
      double before = get_value (scenario, "mainloop", "threads_before");
      double peak = get_value (scenario, "mainloop", "threads_peak");

      if (isnan (before) || isnan (peak))
        continue;
      append_item (checked, ", ", "throughput N=%u", throughput_n[t]);
      if (peak > before)
        append_item (extra, "; ", "throughput N=%u: +%.0f", throughput_n[t], peak - before);
    }
  if (checked->len == 0)
    return;
  met = g_strdup_printf ("peak = at start in %s", checked->str);
  add_verdict ("threads", "No thread beyond those at start, any N", "mainloop", extra, missing, met);
}

static void
judge_overhead (void)
{
  double app = get_value ("runs", "mainloop", "median_us");
  double reference = get_value ("loop", "reference", "median_us");
  g_autofree char *reason = NULL;

  if (find_result ("runs", "mainloop", "median_us") == NULL)
    return;

  if (isnan (app) || isnan (reference) || reference <= 0)
    {
      add_target ("overhead", "One run of one query ≤ 2 × pgbench", "mainloop", "not judged",
                  isnan (app) ? "not measured" : "no pgbench reference");
      return;
    }

  reason = g_strdup_printf ("median %.0f µs vs pgbench %.0f µs: %.2f×", app, reference, app / reference);
  add_target ("overhead", "One run of one query ≤ 2 × pgbench", "mainloop",
              app <= OVERHEAD_TARGET * reference ? "met" : "not met", reason);
}

/* Throughput: ahead of GTask's at the same N, and at least half of pgbench's. */
static void
judge_throughput (void)
{
  g_autoptr(GString) failed = g_string_new (NULL);
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autoptr(GString) fine = g_string_new (NULL);

  if (find_result ("n-1", "mainloop", "queries_per_s") == NULL)
    return;

  for (guint t = 0; t < G_N_ELEMENTS (throughput_n); t++)
    {
      g_autofree char *scenario = g_strdup_printf ("n-%u", throughput_n[t]);
      double qps = get_value (scenario, "mainloop", "queries_per_s");
      double gtask = get_value (scenario, "gtask", "queries_per_s");
      double tps = get_value (scenario, "reference", "queries_per_s");
      g_autofree char *item = NULL;

      if (isnan (qps) || isnan (gtask) || isnan (tps) || tps <= 0)
        {
          append_item (missing, ", ", "N=%u (%s)", throughput_n[t],
                       isnan (qps) ? "main loop" : isnan (gtask) ? "GTask" : "pgbench");
          continue;
        }
      item = g_strdup_printf ("N=%u: %.0f/s vs GTask %.0f/s, %.2f× pgbench", throughput_n[t], qps, gtask, qps / tps);
      append_item (qps >= gtask && qps >= THROUGHPUT_TARGET * tps ? fine : failed, "; ", "%s", item);
    }

  if (failed->len > 0 && fine->len > 0)
    g_string_append_printf (failed, " (met: %s)", fine->str);
  add_verdict ("throughput", "Throughput ≥ GTask's and ≥ 0.5 × pgbench -c N", "mainloop", failed, missing, fine->str);
}

/* 200 one-second queries: the main loop waits for all of them at once; GTask's pool runs a
 * few at a time, and is shown beside it. */
static void
judge_at_once (void)
{
  const Scenario *scenario = find_scenario ("at-once-200");
  double delay_ms = scenario->delay * 1000.0;
  double elapsed = get_value (scenario->name, "mainloop", "elapsed_ms");
  double gtask = get_value (scenario->name, "gtask", "elapsed_ms");
  g_autofree char *reason = NULL;
  g_autofree char *beside = NULL;

  if (find_result (scenario->name, "mainloop", "stall_max_ms") == NULL)
    return;

  beside = isnan (gtask) ? g_strdup ("GTask not measured")
                         : g_strdup_printf ("GTask %.0f ms, %.2f×", gtask, gtask / delay_ms);
  if (isnan (elapsed))
    {
      add_target ("at-once", "200 at once ≤ 1.2 × the delay", "mainloop", "not judged", "not measured");
      return;
    }

  reason = g_strdup_printf ("%.0f ms for a %.0f ms delay: %.2f× (%s)", elapsed, delay_ms,
                            elapsed / delay_ms, beside);
  add_target ("at-once", "200 at once ≤ 1.2 × the delay", "mainloop",
              elapsed <= AT_ONCE_TARGET * delay_ms ? "met" : "not met", reason);
}

/* "Async is only as async as its weakest call": every call the main-loop mode makes into
 * libpq on the main thread and that took 2 ms or more, over all its runs through the window
 * (quiet ones: under load, a call can lose its time slice). */
static void
judge_blocking_calls (void)
{
  g_autoptr(GPtrArray) names = smooth_scenarios (TRUE);
  g_autoptr(GString) per_scenario = g_string_new (NULL);
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autoptr(GString) failed = g_string_new (NULL);
  g_autofree char *met = NULL;
  const char *longest_name = NULL;
  const char *longest_scenario = NULL;
  double longest_ms = 0;
  guint total = 0;
  guint judged = 0;

  if (find_result ("delay-2s", "mainloop", "stall_max_ms") == NULL)
    return;

  for (guint s = 0; s < names->len; s++)
    {
      const char *name = g_ptr_array_index (names, s);
      double count = get_value (name, "mainloop", "main_thread_blocking_calls");
      const Result *max = find_result (name, "mainloop", "main_thread_blocking_call_max_ms");

      if (isnan (count) || max == NULL)
        {
          append_item (missing, ", ", "%s", name);
          continue;
        }
      judged++;
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
  met = g_strdup_printf ("none of 2 ms or more in %u scenarios", judged);
  add_verdict ("blocking-calls", "No main-thread libpq call of 2 ms or more", "mainloop", failed, missing, met);
}

/* Start-up, from the app's own marks: its window's first frame, and the database ready
 * (Run can be pressed). Not the summary line: the scripted run waits for the window to
 * settle before it presses Run. */
static void
judge_startup (void)
{
  static const char * const warm_kinds[] = { "warm", "warm-full" };
  static const char * const warm_labels[] = { "right after a quick session", "big tickers there" };
  g_autoptr(GString) window_failed = g_string_new (NULL);
  g_autoptr(GString) window_fine = g_string_new (NULL);
  g_autoptr(GString) ready_failed = g_string_new (NULL);
  g_autoptr(GString) ready_fine = g_string_new (NULL);
  g_autoptr(GString) missing = g_string_new (NULL);
  double cold = get_value ("cold", "gtask", "spawn_to_ready_ms");
  double reference = get_value ("cold", "reference", "initdb_and_start_ms");
  g_autofree char *reason = NULL;

  if (find_result ("cold", "gtask", "spawn_to_summary_ms") == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (warm_kinds); i++)
    {
      double window = get_value (warm_kinds[i], "gtask", "spawn_to_window_ms");
      double ready = get_value (warm_kinds[i], "gtask", "spawn_to_ready_ms");

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
  add_verdict ("warm-window", "Warm start: spawn → window shown ≤ 400 ms", "gtask",
               window_failed, missing, window_fine->str);
  add_verdict ("warm-ready", "Warm start: spawn → Run can be pressed ≤ 0.8 s", "gtask",
               ready_failed, missing, ready_fine->str);

  if (isnan (cold) || isnan (reference))
    {
      add_target ("cold", "Cold start ≤ initdb + pg_ctl start -w + 0.5 s", "gtask", "not judged",
                  isnan (cold) ? "not measured" : "no initdb/pg_ctl reference");
      return;
    }
  reason = g_strdup_printf ("spawn → Run can be pressed %.0f ms vs initdb + pg_ctl start -w %.0f ms: %+.0f ms",
                            cold, reference, cold - reference);
  add_target ("cold", "Cold start ≤ initdb + pg_ctl start -w + 0.5 s", "gtask",
              cold <= reference + COLD_READY_MARGIN_MS ? "met" : "not met", reason);
}

/* Report ----------------------------------------------------------------------------- */

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

/* "max / p99", or why there is none. */
static char *
cell_pair (const char *scenario,
           const char *mode,
           const char *metric_a,
           const char *metric_b)
{
  const Result *a = find_result (scenario, mode, metric_a);
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;

  if (a == NULL)
    return g_strdup ("—");
  if (isnan (a->value))
    return g_strdup (a->note != NULL && g_str_has_prefix (a->note, "skipped") ? "skipped" : "—");

  x = format_number (a->value);
  y = format_number (get_value (scenario, mode, metric_b));

  return g_strdup_printf ("%s / %s", x, y);
}

static char *
cell_value (const char *scenario,
            const char *mode,
            const char *metric)
{
  const Result *result = find_result (scenario, mode, metric);

  if (result == NULL)
    return g_strdup ("—");
  if (isnan (result->value))
    return g_strdup (result->note != NULL && g_str_has_prefix (result->note, "skipped") ? "skipped" : "n/a");

  return format_number (result->value);
}

/* A value and its ratio to @reference: "123 (1.05×)". */
static char *
cell_ratio (const char *scenario,
            const char *mode,
            const char *metric,
            double      reference)
{
  double value = get_value (scenario, mode, metric);
  g_autofree char *text = cell_value (scenario, mode, metric);

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

typedef char *(*CellFunc) (const char *mode, gconstpointer data);

typedef struct
{
  const char *scenario;
  const char *metric_a;
  const char *metric_b;
} PairSpec;

static char *
pair_cell (const char    *mode,
           gconstpointer  data)
{
  const PairSpec *spec = data;

  return cell_pair (spec->scenario, mode, spec->metric_a, spec->metric_b);
}

static char *
value_cell (const char    *mode,
            gconstpointer  data)
{
  const PairSpec *spec = data;

  return cell_value (spec->scenario, mode, spec->metric_a);
}

/* One row: a cell per mode, then the reference. */
static void
mode_row (GString       *table,
          const char    *label,
          CellFunc       func,
          gconstpointer  data,
          const char    *reference)
{
  const UnfreezeMode * const *modes;
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  guint n_modes;

  modes = unfreeze_modes_get_all (&n_modes);
  for (guint i = 0; i < n_modes; i++)
    g_ptr_array_add (cells, func (modes[i]->id, data));
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
blank_cell (const char    *mode,
            gconstpointer  data)
{
  return g_strdup ("");
}

static char *
target_cell (const char    *mode,
             gconstpointer  data)
{
  const Target *target = find_target (data, mode);

  if (target == NULL)
    return g_strdup ("");

  return g_strdup_printf ("**%s**: %s", target->verdict, target->reason);
}

static char *
ratio_cell (const char    *mode,
            gconstpointer  data)
{
  const PairSpec *spec = data;

  return cell_ratio (spec->scenario, mode, spec->metric_a, get_value (spec->metric_b, "reference", "median_us"));
}

static char *
throughput_cell (const char    *mode,
                 gconstpointer  data)
{
  const char *scenario = data;

  return cell_ratio (scenario, mode, "queries_per_s", get_value (scenario, "reference", "queries_per_s"));
}

static char *
in_flight_threads_cell (const char    *mode,
                        gconstpointer  data)
{
  double before = get_value ("at-once-200", mode, "threads_before");
  double peak = get_value ("at-once-200", mode, "threads_peak");

  if (isnan (before) || isnan (peak))
    return cell_value ("at-once-200", mode, "threads_peak");

  return g_strdup_printf ("+%.0f (%.2f)", peak - before, (peak - before) / 200.0);
}

static char *
in_flight_rss_cell (const char    *mode,
                    gconstpointer  data)
{
  double growth = get_value ("at-once-200", mode, "rss_growth_mib");

  if (isnan (growth))
    return cell_value ("at-once-200", mode, "rss_growth_mib");

  return g_strdup_printf ("%.1f (%.0f KiB)", growth, growth * 1024.0 / 200.0);
}

static char *
startup_cell (const char    *mode,
              gconstpointer  data)
{
  const PairSpec *spec = data;

  if (!g_str_equal (mode, "gtask"))
    return g_strdup ("");

  if (spec->metric_b != NULL)
    {
      g_autofree char *a = cell_value (spec->scenario, mode, spec->metric_a);
      g_autofree char *b = cell_value (spec->metric_b, mode, spec->metric_a);

      return g_strdup_printf ("%s / %s", a, b);
    }

  return cell_value (spec->scenario, mode, spec->metric_a);
}

/* Spawn → a start-up mark, "cold / warm / warm, big tickers there". */
static char *
startup_marks_cell (const char    *mode,
                    gconstpointer  data)
{
  const char *metric = data;
  g_autofree char *cold = NULL;
  g_autofree char *warm = NULL;
  g_autofree char *full = NULL;

  if (!g_str_equal (mode, "gtask"))
    return g_strdup ("");

  cold = cell_value ("cold", mode, metric);
  warm = cell_value ("warm", mode, metric);
  full = cell_value ("warm-full", mode, metric);

  return g_strdup_printf ("%s / %s / %s", cold, warm, full);
}

/* The 200-at-once target for the main loop, and GTask's time beside it. */
static char *
at_once_cell (const char    *mode,
              gconstpointer  data)
{
  g_autofree char *elapsed = NULL;

  if (g_str_equal (mode, "mainloop"))
    return target_cell (mode, "at-once");
  if (!g_str_equal (mode, "gtask") || find_result ("at-once-200", mode, "elapsed_ms") == NULL)
    return g_strdup ("");

  elapsed = cell_value ("at-once-200", mode, "elapsed_ms");

  return g_strdup_printf ("%s ms (beside it, not a target)", elapsed);
}

/* A target judged on the reference column (the idle window), as text. */
static char *
reference_target_text (const char *id)
{
  return target_cell ("reference", id);
}

/* Main-thread libpq calls of 2 ms or more in one scenario: "3 (longest PQconnectPoll 5.1 ms)". */
static char *
blocking_calls_cell (const char    *mode,
                     gconstpointer  data)
{
  const char *scenario = data;
  double count = get_value (scenario, mode, "main_thread_blocking_calls");
  const Result *longest = find_result (scenario, mode, "main_thread_blocking_call_max_ms");

  if (isnan (count) || longest == NULL)
    return g_strdup ("—");
  if (count <= 0)
    return g_strdup ("0");

  return g_strdup_printf ("%.0f (longest %s %.1f ms)", count,
                          longest->note != NULL ? longest->note : "unnamed", longest->value);
}

/* A target's row, when it was judged for some mode: the cells get the target's id. */
static void
target_row (GString    *table,
            const char *id,
            const char *label,
            CellFunc    func,
            const char *reference)
{
  for (guint i = 0; i < bench.targets->len; i++)
    {
      const Target *target = g_ptr_array_index (bench.targets, i);

      if (g_str_equal (target->id, id))
        {
          mode_row (table, label, func, id, reference);
          return;
        }
    }
}

/* The machine, above the table: a number means little without it. */
static void
machine_lines (GString *out)
{
  g_string_append (out, "Machine:");
  for (guint i = 0; i + 1 < bench.machine->len; i += 2)
    g_string_append_printf (out, "\n- %s: %s", (const char *) g_ptr_array_index (bench.machine, i),
                            (const char *) g_ptr_array_index (bench.machine, i + 1));
  g_string_append (out, "\n\n");
}

/* "@prefix<value>@suffix" for the reference column, or nothing when there is no value. */
static char *
reference_text (const char *prefix,
                const char *scenario,
                const char *metric,
                const char *suffix)
{
  double value = get_value (scenario, "reference", metric);
  g_autofree char *number = format_number (value);

  if (isnan (value))
    return g_strdup ("");

  return g_strdup_printf ("%s%s%s", prefix, number, suffix);
}

static char *
build_table (void)
{
  g_autoptr(GString) table = g_string_new (NULL);
  const UnfreezeMode * const *modes;
  guint n_modes;

  machine_lines (table);
  modes = unfreeze_modes_get_all (&n_modes);
  g_string_append (table, "| Measurement |");
  for (guint i = 0; i < n_modes; i++)
    g_string_append_printf (table, " %s |", modes[i]->id);
  g_string_append (table, " reference |\n|---|");
  for (guint i = 0; i <= n_modes; i++)
    g_string_append (table, "---|");
  g_string_append_c (table, '\n');

  /* Whichever modes ran (--modes): the idle window is always measured with them. */
  if (find_result ("idle", "reference", "stall_max_ms") != NULL)
    {
      heading_row (table, "Responsiveness: main-loop stall (10 ms heartbeat) and frame gaps (frame clock), max / p99, ms");

      {
        PairSpec press = { "delay-2s", "press_stall_ms", NULL };
        PairSpec wait = { "delay-2s", "wait_stall_max_ms", NULL };
        PairSpec show = { "delay-2s", "show_stall_max_ms", NULL };
        g_autofree char *stall = cell_pair ("idle", "reference", "stall_max_ms", "stall_p99_ms");
        g_autofree char *gaps = cell_pair ("idle", "reference", "frame_gap_max_ms", "frame_gap_p99_ms");
        g_autofree char *idle = g_strdup_printf ("stall %s, frame gap %s", stall, gaps);

        mode_row (table, "Idle window, no run (3 s): max / p99", blank_cell, NULL, idle);
        mode_row (table, "1 query, 2 s delay: stall pressing Run", value_cell, &press, "");
        mode_row (table, "… longest stall while waiting", value_cell, &wait, "");
        mode_row (table, "… longest stall showing the rows", value_cell, &show, "");
      }

      for (guint s = 0; s < G_N_ELEMENTS (scenarios); s++)
        {
          PairSpec stall = { scenarios[s].name, "stall_max_ms", "stall_p99_ms" };
          PairSpec gaps = { scenarios[s].name, "frame_gap_max_ms", "frame_gap_p99_ms" };
          g_autofree char *stall_label = g_strdup_printf ("%s: stall", scenarios[s].label);
          g_autofree char *gap_label = g_strdup_printf ("%s: frame gap", scenarios[s].label);

          mode_row (table, stall_label, pair_cell, &stall, s == 0 ? "target (gtask, mainloop): max < 16.7" : "");
          mode_row (table, gap_label, pair_cell, &gaps,
                    s == 0 ? "16.7 = every frame at 60 Hz; target (gtask, mainloop): max ≤ 33.3" : "");
        }

      {
        PairSpec ratio = { "delay-2s", "freeze_ratio", NULL };
        PairSpec paint = { "huge", "run_to_paint_ms", NULL };
        PairSpec after = { "huge", "last_row_to_paint_ms", NULL };
        PairSpec growth = { "huge", "rss_growth_mib", NULL };
        PairSpec elapsed = { "huge", "elapsed_ms", NULL };
        PairSpec drop = { "huge-next-run", "stall_max_ms", "frame_gap_max_ms" };
        g_autofree char *libpq_time = reference_text ("libpq alone, whole result: ", "huge", "libpq_exec_ms", "");
        g_autofree char *libpq_rss = NULL;
        g_autofree char *values = format_number (get_value ("huge", "reference", "libpq_value_bytes_mib"));

        libpq_rss = reference_text ("libpq alone: ", "huge", "libpq_rss_growth_mib", "");
        if (*libpq_rss != '\0')
          {
            char *with_values = g_strdup_printf ("%s (values %s)", libpq_rss, values);

            g_free (libpq_rss);
            libpq_rss = with_values;
          }

        mode_row (table, "The freeze is real: longest stall / server delay (1 query, 2 s)", value_cell, &ratio,
                  "blocking: expect ≈ 1.0");
        heading_row (table, "Big result: 1,000,000 rows (HUGE), delay 0");
        mode_row (table, "Run → first rows painted, ms", value_cell, &paint, libpq_time);
        mode_row (table, "Last row received → first rows painted, ms (negative: before it)", value_cell, &after, "");
        mode_row (table, "Peak RSS growth, MiB", value_cell, &growth, libpq_rss);
        mode_row (table, "Run elapsed, ms", value_cell, &elapsed, "");
        mode_row (table, "Next Run (same mode; sleep: blocking), dropping the million rows: longest stall / frame gap, ms",
                  pair_cell, &drop, "");
      }

      {
        heading_row (table, "Main thread: libpq calls of 2 ms or more (the run's blocking-call spans), count");
        for (guint s = 0; s < G_N_ELEMENTS (scenarios); s++)
          mode_row (table, scenarios[s].label, blocking_calls_cell, scenarios[s].name, "");
        mode_row (table, drop_scenario.label, blocking_calls_cell, drop_scenario.name, "");
      }

      heading_row (table, "Cost per query in flight (200 at once)");
      mode_row (table, "Threads: peak − at start (per query)", in_flight_threads_cell, NULL, "");
      mode_row (table, "RSS: peak growth, MiB (per query)", in_flight_rss_cell, NULL, "");
    }

  if (find_result (LOADED_PREFIX "idle", "reference", "stall_max_ms") != NULL)
    {
      g_autofree char *idle_stall = cell_pair (LOADED_PREFIX "idle", "reference", "stall_max_ms", "stall_p99_ms");
      g_autofree char *idle_gaps = cell_pair (LOADED_PREFIX "idle", "reference", "frame_gap_max_ms", "frame_gap_p99_ms");
      g_autofree char *idle = g_strdup_printf ("stall %s, frame gap %s", idle_stall, idle_gaps);
      g_autofree char *heading =
        g_strdup_printf ("Under load (one busy process per core at nice %d; no target): stall and frame gap, max / p99, ms",
                         LOAD_NICE);

      heading_row (table, heading);
      mode_row (table, "Idle window, no run (3 s), under load", blank_cell, NULL, idle);
      for (guint s = 0; s <= G_N_ELEMENTS (loaded_scenarios); s++)
        {
          const char *quiet = s < G_N_ELEMENTS (loaded_scenarios) ? loaded_scenarios[s] : drop_scenario.name;
          const char *label = s < G_N_ELEMENTS (loaded_scenarios) ? find_scenario (quiet)->label : drop_scenario.label;
          g_autofree char *name = g_strconcat (LOADED_PREFIX, quiet, NULL);
          PairSpec stall = { name, "stall_max_ms", "stall_p99_ms" };
          PairSpec gaps = { name, "frame_gap_max_ms", "frame_gap_p99_ms" };
          g_autofree char *stall_label = g_strdup_printf ("%s, under load: stall", label);
          g_autofree char *gap_label = g_strdup_printf ("%s, under load: frame gap", label);

          mode_row (table, stall_label, pair_cell, &stall, "");
          mode_row (table, gap_label, pair_cell, &gaps, "");
        }
    }

  if (find_result ("loop", "blocking", "median_us") != NULL)
    {
      PairSpec loop = { "loop", "median_us", "loop" };
      PairSpec runs = { "runs", "median_us", "loop" };
      g_autofree char *reference = reference_text ("pgbench -c 1, 5 × -t 200: ", "loop", "median_us", " µs");

      heading_row (table, "Overhead: 1,000 sequential queries (demo statement, ticker NONE, delay 0), median µs (× pgbench)");
      mode_row (table, "PQexecParams loop on one pooled connection", ratio_cell, &loop, reference);
      mode_row (table, "One run per query, through the mode", ratio_cell, &runs, "");
    }

  if (find_result ("n-1", "reference", "queries_per_s") != NULL ||
      find_result ("n-1", "mainloop", "queries_per_s") != NULL)
    {
      heading_row (table, "Throughput: queries/s with N connections (× pgbench -c N -j 2 -T 5)");
      for (guint t = 0; t < G_N_ELEMENTS (throughput_n); t++)
        {
          g_autofree char *scenario = g_strdup_printf ("n-%u", throughput_n[t]);
          g_autofree char *label = g_strdup_printf ("N = %u", throughput_n[t]);
          g_autofree char *reference = reference_text ("pgbench: ", scenario, "queries_per_s", "");

          mode_row (table, label, throughput_cell, scenario, reference);
        }
    }

  if (find_result ("cold", "gtask", "spawn_to_summary_ms") != NULL)
    {
      PairSpec cold = { "cold", "spawn_to_summary_ms", NULL };
      PairSpec warm = { "warm", "spawn_to_summary_ms", NULL };
      PairSpec full = { "warm-full", "spawn_to_summary_ms", NULL };
      PairSpec elapsed = { "cold", "app_elapsed_ms", "warm" };
      PairSpec to_run = { "cold", "spawn_to_run_ms", "warm" };
      PairSpec exit_time = { "cold", "spawn_to_exit_ms", "warm" };
      g_autofree char *ref_cold = reference_text ("initdb + pg_ctl start -w: ", "cold", "initdb_and_start_ms", "");
      g_autofree char *ref_warm = reference_text ("pg_ctl start -w: ", "warm", "pg_ctl_start_ms", "");
      g_autofree char *ref_stop = reference_text ("pg_ctl stop -m fast: ", "cold", "pg_ctl_stop_ms", "");

      heading_row (table, "Start-up: unfreeze --run --quit-after-run --delay=0 --mode=gtask, median of 3, ms");
      mode_row (table, "Cold (no cluster): spawn → summary line", startup_cell, &cold, ref_cold);
      mode_row (table, "Warm (same XDG_CACHE_HOME again): spawn → summary line", startup_cell, &warm, ref_warm);
      mode_row (table, "Warm, big tickers already generated: spawn → summary line", startup_cell, &full, "");
      mode_row (table, "Spawn → window shown (its first frame), cold / warm / warm with big tickers",
                startup_marks_cell, "spawn_to_window_ms", "");
      mode_row (table, "Spawn → Run can be pressed (database ready), cold / warm / warm with big tickers",
                startup_marks_cell, "spawn_to_ready_ms", ref_cold);
      mode_row (table, "Spawn → scripted Run pressed (summary line minus elapsed_ms, settle wait included), cold / warm",
                startup_cell, &to_run, "");
      mode_row (table, "The app's own elapsed_ms (the run alone), cold / warm", startup_cell, &elapsed, "");
      mode_row (table, "Spawn → exit, cold / warm", startup_cell, &exit_time, ref_stop);
    }

  if (bench.targets->len > 0)
    {
      g_autofree char *idle = reference_target_text ("idle");

      heading_row (table, "Targets");
      target_row (table, "idle", "Idle window, 3 s: heartbeat p99 ≤ 5 ms, max < 16.7 ms", blank_cell, idle);
      target_row (table, "smooth", "Smooth in each scenario above (1 query 2 s; 1, 10, 50, 200 at once; "
                  "1,000,000 rows; the Run after them): longest stall < 16.7 ms and no frame gap over 33.3 ms",
                  target_cell, "gtask and mainloop");
      target_row (table, "smooth-waiting", "The same while waiting: from Run to the refused update",
                  target_cell, "thread");
      target_row (table, "throughput", "Throughput ≥ GTask's and ≥ 0.5 × pgbench -c N, N = 1, 10, 50",
                  target_cell, "");
      target_row (table, "overhead", "One run of one query ≤ 2 × pgbench's median latency", target_cell, "");
      target_row (table, "at-once", "200 at once, 1 s server delay: elapsed ≤ 1.2 × the delay", at_once_cell, "");
      target_row (table, "blocking-calls", "No libpq call on the main thread of 2 ms or more (every scenario above)",
                  target_cell, "");
      target_row (table, "threads", "No thread beyond those at start, any N", target_cell, "");
      target_row (table, "warm-window", "Warm start: spawn → window shown ≤ 400 ms", target_cell, "");
      target_row (table, "warm-ready", "Warm start: spawn → Run can be pressed ≤ 0.8 s", target_cell, "");
      target_row (table, "cold", "Cold start: spawn → Run can be pressed ≤ initdb + pg_ctl start -w + 0.5 s",
                  target_cell, "");
    }

  return g_string_free (g_steal_pointer (&table), FALSE);
}

static void
json_string (GString    *out,
             const char *text)
{
  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        default:
          if ((guchar) *p < 0x20)
            g_string_append_printf (out, "\\u%04x", (guint) (guchar) *p);
          else
            g_string_append_c (out, *p);
          break;
        }
    }
  g_string_append_c (out, '"');
}

static void
json_number (GString *out,
             double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value) || isinf (value))
    g_string_append (out, "null");
  else
    g_string_append (out, g_ascii_formatd (buffer, sizeof buffer, "%.10g", value));
}

static char *
build_json (const char *table)
{
  GString *out = g_string_new ("{\n  \"machine\": {");

  for (guint i = 0; i + 1 < bench.machine->len; i += 2)
    {
      g_string_append (out, i > 0 ? ",\n    " : "\n    ");
      json_string (out, g_ptr_array_index (bench.machine, i));
      g_string_append (out, ": ");
      json_string (out, g_ptr_array_index (bench.machine, i + 1));
    }
  g_string_append (out, "\n  },\n  \"timings_s\": {");
  for (guint i = 0; i + 1 < bench.timings->len; i += 2)
    {
      g_string_append (out, i > 0 ? ",\n    " : "\n    ");
      json_string (out, g_ptr_array_index (bench.timings, i));
      g_string_append (out, ": ");
      g_string_append (out, g_ptr_array_index (bench.timings, i + 1));
    }
  g_string_append (out, "\n  },\n  \"results\": [");
  for (guint i = 0; i < bench.results->len; i++)
    {
      const Result *r = g_ptr_array_index (bench.results, i);

      g_string_append (out, i > 0 ? ",\n    {" : "\n    {");
      g_string_append (out, "\"section\": ");
      json_string (out, r->section);
      g_string_append (out, ", \"scenario\": ");
      json_string (out, r->scenario);
      g_string_append (out, ", \"mode\": ");
      json_string (out, r->mode);
      g_string_append (out, ", \"metric\": ");
      json_string (out, r->metric);
      g_string_append (out, ", \"value\": ");
      json_number (out, r->value);
      g_string_append (out, ", \"unit\": ");
      json_string (out, r->unit);
      g_string_append (out, ", \"note\": ");
      json_string (out, r->note);
      g_string_append (out, "}");
    }
  g_string_append (out, "\n  ],\n  \"targets\": [");
  for (guint i = 0; i < bench.targets->len; i++)
    {
      const Target *t = g_ptr_array_index (bench.targets, i);

      g_string_append (out, i > 0 ? ",\n    {" : "\n    {");
      g_string_append (out, "\"id\": ");
      json_string (out, t->id);
      g_string_append (out, ", \"target\": ");
      json_string (out, t->label);
      g_string_append (out, ", \"mode\": ");
      json_string (out, t->mode);
      g_string_append (out, ", \"verdict\": ");
      json_string (out, t->verdict);
      g_string_append (out, ", \"reason\": ");
      json_string (out, t->reason);
      g_string_append (out, "}");
    }
  g_string_append (out, "\n  ],\n  \"table\": ");
  json_string (out, table);
  g_string_append (out, "\n}\n");

  return g_string_free (out, FALSE);
}

static void
csv_field (GString    *out,
           const char *text)
{
  g_autoptr(GString) quoted = NULL;

  if (text == NULL)
    return;

  quoted = g_string_new (text);
  g_string_replace (quoted, "\"", "\"\"", 0);
  g_string_append_printf (out, "\"%s\"", quoted->str);
}

static char *
build_csv (void)
{
  GString *out = g_string_new ("section,scenario,mode,metric,value,unit,note\n");

  for (guint i = 0; i < bench.results->len; i++)
    {
      const Result *r = g_ptr_array_index (bench.results, i);

      g_string_append_printf (out, "%s,%s,%s,%s,", r->section, r->scenario, r->mode, r->metric);
      if (!isnan (r->value))
        json_number (out, r->value);
      g_string_append_printf (out, ",%s,", r->unit != NULL ? r->unit : "");
      csv_field (out, r->note);
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}

static void
add_timing (const char *section,
            gint64      elapsed_us)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_ptr_array_add (bench.timings, g_strdup (section));
  g_ptr_array_add (bench.timings, g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.1f",
                                                             elapsed_us / (double) G_USEC_PER_SEC)));
  fprintf (stderr, "[%s: %.1f s]\n", section, elapsed_us / (double) G_USEC_PER_SEC);
}

/* Main ------------------------------------------------------------------------------- */

static UnfreezeWindow *
new_window (void)
{
  UnfreezeWindow *window = unfreeze_window_new (NULL, bench.database);
  GdkFrameClock *frame_clock;

  unfreeze_window_set_database_ready (window, NULL);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.view", "s", "rows");

  unfreeze_stall_meter_watch_frame_clock (unfreeze_stall_meter_get_default (), GTK_WIDGET (window));
  frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (frame_clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);
  g_signal_connect (unfreeze_window_get_rows_model (window), "notify::model",
                    G_CALLBACK (rows_model_notify_cb), NULL);

  return window;
}

static const GOptionEntry entries[] = {
  { "json", 0, 0, G_OPTION_ARG_FILENAME, &opt_json,
    "Write the results as JSON to FILE (default: results.json in the build's bench directory)", "FILE" },
  { "csv", 0, 0, G_OPTION_ARG_FILENAME, &opt_csv, "Also write the results as CSV to FILE", "FILE" },
  { "sections", 0, 0, G_OPTION_ARG_STRING, &opt_sections,
    "Only these sections: responsiveness,loaded,overhead,throughput,startup (default: all)", "LIST" },
  { "modes", 0, 0, G_OPTION_ARG_STRING, &opt_modes,
    "Only these modes, comma-separated (default: every mode the app has)", "LIST" },
  { "seconds", 0, 0, G_OPTION_ARG_INT, &opt_seconds, "Seconds per throughput measurement (default: 5)", "N" },
  { NULL }
};

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- measure the modes of Unfreeze");
  g_autoptr(GError) error = NULL;
  g_autoptr(GThread) sampler = NULL;
  g_autofree char *table = NULL;
  g_autofree char *json = NULL;
  g_autofree char *table_path = NULL;
  gint64 started = g_get_monotonic_time ();
  gint64 section_start;
  const char *json_path;

  /* First thing: remember which thread is the UI thread (see unfreeze-ui-guard.c). */
  unfreeze_ui_guard_init ();

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  json_path = opt_json != NULL ? opt_json : UNFREEZE_BENCH_JSON;

  /* The same environment as the tests and `meson test --benchmark`, when run directly;
   * but the renderer is the one the app picks by itself (below), unless GSK_RENDERER is
   * set. */
  g_setenv ("GTK_A11Y", "none", FALSE);
  g_setenv ("NO_AT_BRIDGE", "1", FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  if (UNFREEZE_BENCH_SCHEMA_DIR[0] != '\0')
    g_setenv ("GSETTINGS_SCHEMA_DIR", UNFREEZE_BENCH_SCHEMA_DIR, FALSE);

  /* Numbers in the table and the JSON use a dot, whatever the user's locale. The output
   * is UTF-8 written as it is, with stdio: g_print() would turn µ and × into '?' in the C
   * locale. */
  gtk_disable_setlocale ();
  if (!gtk_init_check ())
    {
      fprintf (stderr, "SKIP: no display (run under Xvfb, e.g. xvfb-run)\n");
      return 77;
    }
  user_gsk_renderer = g_strdup (g_getenv ("GSK_RENDERER"));
  unfreeze_renderer_choose (gdk_display_get_default ());
  adw_init ();
  gtk_source_init ();
  unfreeze_register_resource ();
  g_log_set_handler ("Unfreeze-Guard", G_LOG_LEVEL_CRITICAL, guard_log_cb, NULL);

  bench.results = g_ptr_array_new_with_free_func (result_free);
  bench.targets = g_ptr_array_new_with_free_func (target_free);
  bench.timings = g_ptr_array_new_with_free_func (g_free);
  bench.machine = g_ptr_array_new_with_free_func (g_free);
  bench.beats = g_array_new (FALSE, FALSE, sizeof (UnfreezeStallSample));
  bench.frames = g_array_new (FALSE, FALSE, sizeof (UnfreezeFrameSample));
  bench.page_kb = sysconf (_SC_PAGESIZE) / 1024;
  bench.hwm_resettable = reset_hwm ();

  g_atomic_int_set (&sampler_running, 1);
  sampler = g_thread_new ("bench-sampler", sampler_thread_func, NULL);

  /* A throwaway PostgreSQL, with the big tickers. */
  section_start = g_get_monotonic_time ();
  g_setenv ("UNFREEZE_TEST_BIG_TICKERS", "1", TRUE);
  if (!unfreeze_test_fixture_setup (&error))
    {
      fprintf (stderr, "%s: %s\n",
                       g_error_matches (error, UNFREEZE_LOCAL_SERVER_ERROR, UNFREEZE_LOCAL_SERVER_ERROR_ROOT)
                       ? "SKIP" : "ERROR", error->message);
      unfreeze_test_fixture_teardown ();
      return g_error_matches (error, UNFREEZE_LOCAL_SERVER_ERROR, UNFREEZE_LOCAL_SERVER_ERROR_ROOT) ? 77 : 1;
    }
  bench.database = unfreeze_test_fixture_get_database ();
  fprintf (stderr, "Waiting for the big tickers (1,150,000 rows)…\n");
  if (!wait_for_big_tickers ())
    g_error ("The big tickers were not generated within %d s", BIG_TICKERS_TIMEOUT_S);
  /* Settle the freshly written table once, so autovacuum does not wake up mid-benchmark. */
  if (!exec_sql ("VACUUM ANALYZE stock_prices", &error))
    g_error ("%s", error->message);
  parse_conninfo (unfreeze_test_fixture_get_conninfo ());
  bench.pg_bindir = find_pg_bindir ();
  if (!write_pgbench_script (&error))
    g_error ("%s", error->message);
  add_timing ("setup", g_get_monotonic_time () - section_start);

  bench.window = new_window ();
  g_timeout_add (COLLECT_PERIOD_MS, collect_cb, NULL);
  describe_machine ();
  iterate_for (1000);

  if (section_wanted ("responsiveness"))
    {
      fprintf (stderr, "Responsiveness, big result, cost per query in flight…\n");
      section_start = g_get_monotonic_time ();
      measure_responsiveness ();
      add_timing ("responsiveness", g_get_monotonic_time () - section_start);
    }

  if (section_wanted ("loaded"))
    {
      fprintf (stderr, "Responsiveness under load…\n");
      section_start = g_get_monotonic_time ();
      measure_loaded ();
      add_timing ("loaded", g_get_monotonic_time () - section_start);
    }

  if (section_wanted ("overhead"))
    {
      fprintf (stderr, "Overhead…\n");
      section_start = g_get_monotonic_time ();
      measure_overhead ();
      add_timing ("overhead", g_get_monotonic_time () - section_start);
    }

  if (section_wanted ("throughput"))
    {
      fprintf (stderr, "Throughput…\n");
      section_start = g_get_monotonic_time ();
      measure_throughput ();
      add_timing ("throughput", g_get_monotonic_time () - section_start);
    }

  if (section_wanted ("startup"))
    {
      fprintf (stderr, "Start-up…\n");
      section_start = g_get_monotonic_time ();
      measure_startup ();
      add_timing ("startup", g_get_monotonic_time () - section_start);
    }

  {
    g_autofree char *loadavg = read_loadavg ();

    add_machine ("loadavg_at_end", loadavg);
    fprintf (stderr, "Load average at the end: %s\n", loadavg);
  }

  judge_idle ();
  judge_stalls ();
  judge_throughput ();
  judge_overhead ();
  judge_at_once ();
  judge_blocking_calls ();
  if (mode_exists ("mainloop"))
    judge_threads ();
  judge_startup ();
  add_timing ("total", g_get_monotonic_time () - started);

  table = build_table ();
  fputs (table, stdout);
  fflush (stdout);

  json = build_json (table);
  if (!g_file_set_contents (json_path, json, -1, &error))
    {
      fprintf (stderr, "Could not write %s: %s\n", json_path, error->message);
      g_clear_error (&error);
    }
  else
    {
      fprintf (stderr, "Results: %s\n", json_path);
    }

  /* The table alone, beside the JSON, ready to paste into bench/README.md. */
  table_path = g_str_has_suffix (json_path, ".json")
               ? g_strdup_printf ("%.*s.md", (int) strlen (json_path) - 5, json_path)
               : g_strconcat (json_path, ".md", NULL);
  g_file_set_contents (table_path, table, -1, NULL);

  if (opt_csv != NULL)
    {
      g_autofree char *csv = build_csv ();

      if (!g_file_set_contents (opt_csv, csv, -1, &error))
        {
          fprintf (stderr, "Could not write %s: %s\n", opt_csv, error->message);
          g_clear_error (&error);
        }
    }

  gtk_window_destroy (GTK_WINDOW (bench.window));
  unfreeze_test_fixture_teardown ();
  g_atomic_int_set (&sampler_running, 0);
  g_thread_join (g_steal_pointer (&sampler));

  return 0;
}
