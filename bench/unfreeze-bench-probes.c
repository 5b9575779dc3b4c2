/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The benchmark's probes: the main loop it runs while it waits, a sampler thread for the
 * peaks of threads and memory, and the stall meter's heartbeats and frames, kept and
 * read over any stretch of time.
 */
#define G_LOG_DOMAIN "Unfreeze-Bench"

#include "config.h"

#include "unfreeze-bench-probes.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "unfreeze-stall-meter.h"
#include "unfreeze-test-fixture.h"

#define RUN_TIMEOUT_MS     (600 * 1000)
#define SAMPLER_PERIOD_US  2000
#define COLLECT_PERIOD_MS  500

/* Main loop -------------------------------------------------------------------------- */

void
unfreeze_bench_iterate_for (guint ms)
{
  gboolean never = FALSE;

  unfreeze_test_wait_for (&never, ms);
}

static void
run_finished_cb (UnfreezeRun *run,
                 gpointer     user_data)
{
  UnfreezeBenchRunWait *wait = user_data;

  wait->finished = TRUE;
  wait->finished_us = g_get_monotonic_time ();
}

void
unfreeze_bench_run_wait_begin (UnfreezeBenchRunWait *wait,
                               UnfreezeRun          *run)
{
  wait->finished = FALSE;
  wait->finished_us = 0;
  g_signal_connect (run, "finished", G_CALLBACK (run_finished_cb), wait);
}

gint64
unfreeze_bench_run_wait_end (UnfreezeBenchRunWait *wait,
                             UnfreezeRun          *run)
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
  g_signal_handlers_disconnect_by_func (run, run_finished_cb, wait);

  return wait->finished_us;
}

gint64
unfreeze_bench_run_direct (UnfreezeDatabase  *database,
                           const char        *mode_id,
                           const char        *ticker,
                           double             delay,
                           guint              count,
                           UnfreezeRunResult *result)
{
  g_autoptr(UnfreezeRun) run = unfreeze_run_new (unfreeze_modes_lookup (mode_id), database,
                                                 ticker, delay, count);
  UnfreezeBenchRunWait wait;
  gint64 start;

  unfreeze_bench_run_wait_begin (&wait, run);
  start = g_get_monotonic_time ();
  unfreeze_run_start (run);
  unfreeze_bench_run_wait_end (&wait, run);

  if (result != NULL)
    *result = unfreeze_run_get_result (run);

  return wait.finished_us - start;
}

/* Process: threads and memory -------------------------------------------------------- */

gint
unfreeze_bench_probes_read_rss_kb (UnfreezeBenchProbes *probes)
{
  char buffer[128] = { 0 };
  unsigned long size = 0;
  unsigned long resident = 0;
  int fd;

  /* /proc/self/statm: size resident shared … in pages. One short read, no allocation:
   * the sampler thread calls it every 2 ms. */
  fd = open ("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      if (read (fd, buffer, sizeof buffer - 1) > 0 &&
          sscanf (buffer, "%lu %lu", &size, &resident) != 2)
        resident = 0;
      close (fd);
    }

  return (gint) (resident * probes->page_kb);
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

/* A thread of its own, so that peaks are seen even while the main thread is blocked. */
static gpointer
sampler_thread_func (gpointer user_data)
{
  UnfreezeBenchProbes *probes = user_data;

  while (g_atomic_int_get (&probes->sampler_running))
    {
      raise_peak (&probes->peak_threads, (gint) unfreeze_stall_meter_count_threads ());
      raise_peak (&probes->peak_rss_kb, unfreeze_bench_probes_read_rss_kb (probes));
      g_usleep (SAMPLER_PERIOD_US);
    }

  return NULL;
}

void
unfreeze_bench_probes_reset_peaks (UnfreezeBenchProbes *probes)
{
  g_atomic_int_set (&probes->peak_threads, (gint) unfreeze_stall_meter_count_threads ());
  g_atomic_int_set (&probes->peak_rss_kb, unfreeze_bench_probes_read_rss_kb (probes));
  if (probes->hwm_resettable)
    reset_hwm ();
}

gint64
unfreeze_bench_probes_get_peak_rss_kb (UnfreezeBenchProbes *probes)
{
  gint64 sampled = g_atomic_int_get (&probes->peak_rss_kb);

  if (probes->hwm_resettable)
    return MAX (sampled, read_status_kb ("VmHWM:"));

  return sampled;
}

guint
unfreeze_bench_probes_get_peak_threads (UnfreezeBenchProbes *probes)
{
  return (guint) g_atomic_int_get (&probes->peak_threads);
}

/* Stall samples ---------------------------------------------------------------------- */

/* Appends those of the @n @samples (UnfreezeStallSample or UnfreezeFrameSample, the type
 * of @all) that are newer than *@last_us, the newest seen so far. */
static void
append_new (GArray        *all,
            gconstpointer  samples,
            guint          n,
            gint64        *last_us)
{
  guint size = g_array_get_element_size (all);

  G_STATIC_ASSERT (G_STRUCT_OFFSET (UnfreezeStallSample, time_us) == 0);
  G_STATIC_ASSERT (G_STRUCT_OFFSET (UnfreezeFrameSample, time_us) == 0);

  for (guint i = 0; i < n; i++)
    {
      const char *sample = (const char *) samples + (gsize) i * size;
      gint64 time_us = *(const gint64 *) sample;

      if (time_us > *last_us)
        {
          g_array_append_vals (all, sample, 1);
          *last_us = time_us;
        }
    }
}

/* The meter keeps the last ~20 s of heartbeats and ~17 s of frames in rings; this copies
 * what is new into arrays that keep everything, every half second and before each report. */
static void
collect_samples (UnfreezeBenchProbes *probes)
{
  static UnfreezeStallSample beats[4096];
  static UnfreezeFrameSample frames[4096];
  UnfreezeStallMeter *meter = unfreeze_stall_meter_get_default ();

  append_new (probes->beats, beats, unfreeze_stall_meter_get_samples (meter, beats, G_N_ELEMENTS (beats)),
              &probes->last_beat_us);
  append_new (probes->frames, frames,
              unfreeze_stall_meter_get_frame_samples (meter, frames, G_N_ELEMENTS (frames)),
              &probes->last_frame_us);
}

static gboolean
collect_cb (gpointer user_data)
{
  collect_samples (user_data);

  return G_SOURCE_CONTINUE;
}

void
unfreeze_bench_probes_init (UnfreezeBenchProbes *probes)
{
  memset (probes, 0, sizeof *probes);
  probes->beats = g_array_new (FALSE, FALSE, sizeof (UnfreezeStallSample));
  probes->frames = g_array_new (FALSE, FALSE, sizeof (UnfreezeFrameSample));
  probes->page_kb = sysconf (_SC_PAGESIZE) / 1024;
  probes->hwm_resettable = reset_hwm ();

  g_atomic_int_set (&probes->sampler_running, 1);
  probes->sampler = g_thread_new ("bench-sampler", sampler_thread_func, probes);
}

void
unfreeze_bench_probes_start_collecting (UnfreezeBenchProbes *probes)
{
  probes->collect_id = g_timeout_add (COLLECT_PERIOD_MS, collect_cb, probes);
}

void
unfreeze_bench_probes_clear (UnfreezeBenchProbes *probes)
{
  g_clear_handle_id (&probes->collect_id, g_source_remove);
  g_atomic_int_set (&probes->sampler_running, 0);
  if (probes->sampler != NULL)
    g_thread_join (g_steal_pointer (&probes->sampler));
  g_clear_pointer (&probes->beats, g_array_unref);
  g_clear_pointer (&probes->frames, g_array_unref);
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

gint64
unfreeze_bench_percentile (GArray *values,
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
void
unfreeze_bench_probes_stall_stats (UnfreezeBenchProbes  *probes,
                                   gint64                from_us,
                                   gint64                to_us,
                                   UnfreezeBenchMeasure *m)
{
  g_autoptr(GArray) lates = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean press_seen = FALSE;
  gint64 longest_late_us = -1;

  collect_samples (probes);
  m->stall_max_ran_us = -1;
  m->stall_max_queued_us = -1;

  for (guint i = 0; i < probes->beats->len; i++)
    {
      const UnfreezeStallSample *beat = &g_array_index (probes->beats, UnfreezeStallSample, i);
      gint64 begin = beat->time_us - beat->late_us - UNFREEZE_STALL_METER_INTERVAL_MS * 1000;

      if (beat->time_us >= from_us && begin <= to_us)
        {
          /* What the kernel says the main thread did in the longest stall. */
          if (beat->late_us > longest_late_us)
            {
              longest_late_us = beat->late_us;
              m->stall_max_ran_us = beat->ran_us;
              m->stall_max_queued_us = beat->queued_us;
            }
          g_array_append_val (lates, beat->late_us);
        }
    }

  for (guint i = 0; i < probes->frames->len; i++)
    {
      const UnfreezeFrameSample *frame = &g_array_index (probes->frames, UnfreezeFrameSample, i);

      if (frame->time_us >= from_us && frame->time_us - frame->gap_us <= to_us)
        g_array_append_val (gaps, frame->gap_us);
    }

  /* The same beats, by phase: pressing Run, waiting, showing the rows. */
  for (guint i = 0; i < probes->beats->len; i++)
    {
      const UnfreezeStallSample *beat = &g_array_index (probes->beats, UnfreezeStallSample, i);
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
  m->stall_p99_us = unfreeze_bench_percentile (lates, 99);
  m->stall_max_us = lates->len > 0 ? g_array_index (lates, gint64, lates->len - 1) : 0;
  m->n_frames = gaps->len;
  m->gap_p99_us = unfreeze_bench_percentile (gaps, 99);
  m->gap_max_us = gaps->len > 0 ? g_array_index (gaps, gint64, gaps->len - 1) : 0;
}

/* The longest stall and frame gap that overlap [from_us, to_us], by the same rules as
 * unfreeze_bench_probes_stall_stats(): for a part of a run, such as the raw-thread mode's
 * wait until its update is refused. */
void
unfreeze_bench_probes_interval_max (UnfreezeBenchProbes *probes,
                                    gint64               from_us,
                                    gint64               to_us,
                                    gint64              *stall_max_us,
                                    gint64              *gap_max_us)
{
  *stall_max_us = 0;
  *gap_max_us = 0;

  for (guint i = 0; i < probes->beats->len; i++)
    {
      const UnfreezeStallSample *beat = &g_array_index (probes->beats, UnfreezeStallSample, i);
      gint64 begin = beat->time_us - beat->late_us - UNFREEZE_STALL_METER_INTERVAL_MS * 1000;

      if (beat->time_us >= from_us && begin <= to_us)
        *stall_max_us = MAX (*stall_max_us, beat->late_us);
    }

  for (guint i = 0; i < probes->frames->len; i++)
    {
      const UnfreezeFrameSample *frame = &g_array_index (probes->frames, UnfreezeFrameSample, i);

      if (frame->time_us >= from_us && frame->time_us - frame->gap_us <= to_us)
        *gap_max_us = MAX (*gap_max_us, frame->gap_us);
    }
}

void
unfreeze_bench_probes_trace_beats (UnfreezeBenchProbes *probes,
                                   gint64               origin_us,
                                   gint64               to_us,
                                   gint64               least_us)
{
  for (guint i = 0; i < probes->beats->len; i++)
    {
      const UnfreezeStallSample *beat = &g_array_index (probes->beats, UnfreezeStallSample, i);
      gint64 end = beat->time_us - origin_us;

      if (beat->late_us >= least_us &&
          end >= 0 && end - beat->late_us <= to_us - origin_us)
        fprintf (stderr, "    stall %6.1f ms from +%.0f to +%.0f ms; the main thread ran %.1f ms, "
                 "waited for a core %.1f ms; ended at %.6f s (CLOCK_MONOTONIC, as perf record -k "
                 "CLOCK_MONOTONIC)\n", us_to_ms (beat->late_us),
                 us_to_ms (end - beat->late_us - UNFREEZE_STALL_METER_INTERVAL_MS * 1000), us_to_ms (end),
                 us_to_ms (beat->ran_us), us_to_ms (beat->queued_us), beat->time_us / 1e6);
    }
}

void
unfreeze_bench_probes_trace_stalls (UnfreezeBenchProbes        *probes,
                                    const UnfreezeBenchMeasure *m,
                                    gint64                      least_us)
{
  fprintf (stderr, "    run +0 (at %.6f s, CLOCK_MONOTONIC) … finished +%.0f ms, rows +%.0f ms, "
           "painted +%.0f ms; %ld page faults in the main thread\n", m->start_us / 1e6,
           us_to_ms (m->end_us - m->start_us),
           m->rows_us != 0 ? us_to_ms (m->rows_us - m->start_us) : NAN,
           m->painted_us != 0 ? us_to_ms (m->painted_us - m->start_us) : NAN,
           m->page_faults);
  unfreeze_bench_probes_trace_beats (probes, m->start_us, m->tail_end_us, least_us);
}
