/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "unfreeze-database.h"
#include "unfreeze-run.h"

G_BEGIN_DECLS

/* What the window did during one run. Times are monotonic, in microseconds. */
typedef struct
{
  gint64             start_us;
  gint64             end_us;         /* the run finished: its rows all in the table */
  gint64             queries_us;     /* the run's own elapsed: until its last query was over */
  gint64             tail_end_us;    /* stalls count until here: the table settled, + the tail */
  gint64             rows_us;        /* the rows were handed to the window; 0: never */
  gint64             painted_us;     /* the first paint after that; 0: never */
  gint64             last_row_us;    /* the app had the last row from libpq; 0: unknown */
  gint64             stall_max_us;
  gint64             stall_max_ran_us;    /* in the longest stall: the main thread on a core */
  gint64             stall_max_queued_us; /* ... and ready, waiting for one; -1: unknown */
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
  guint              n_preempted_calls; /* as long, but only because the thread was switched out */
  gint64             blocking_call_max_us;
  const char        *blocking_call_name; /* the longest one's name, a static string */
  guint              threads_before;
  guint              threads_peak;
  gint64             rss_before_kb;
  gint64             rss_peak_kb;
  glong              page_faults;      /* the main thread's, from Run to the end of the tail */
  guint              n_rows;
  guint              refusals;
  UnfreezeRunResult  result;
} UnfreezeBenchMeasure;

/* What the process did: a sampler thread's peaks of threads and memory, and every
 * heartbeat and frame the app's stall meter saw. */
typedef struct
{
  GThread  *sampler;
  gint      sampler_running;   /* atomic */
  gint      peak_threads;      /* atomic */
  gint      peak_rss_kb;       /* atomic */
  gboolean  hwm_resettable;
  gint64    page_kb;
  GArray   *beats;             /* UnfreezeStallSample, everything seen so far */
  GArray   *frames;            /* UnfreezeFrameSample */
  gint64    last_beat_us;
  gint64    last_frame_us;
  guint     collect_id;
} UnfreezeBenchProbes;

/* Starts the sampler thread: it exists from the start, so "threads beyond those at start"
 * does not count it. */
void    unfreeze_bench_probes_init              (UnfreezeBenchProbes        *probes);
/* Collects the stall meter's samples every half second from now on. */
void    unfreeze_bench_probes_start_collecting  (UnfreezeBenchProbes        *probes);
void    unfreeze_bench_probes_clear             (UnfreezeBenchProbes        *probes);

gint    unfreeze_bench_probes_read_rss_kb       (UnfreezeBenchProbes        *probes);
/* The peaks start again from now. */
void    unfreeze_bench_probes_reset_peaks       (UnfreezeBenchProbes        *probes);
gint64  unfreeze_bench_probes_get_peak_rss_kb   (UnfreezeBenchProbes        *probes);
guint   unfreeze_bench_probes_get_peak_threads  (UnfreezeBenchProbes        *probes);

/* The stalls and frame gaps of [@from_us, @to_us] into @m, also by phase. */
void    unfreeze_bench_probes_stall_stats       (UnfreezeBenchProbes        *probes,
                                                 gint64                      from_us,
                                                 gint64                      to_us,
                                                 UnfreezeBenchMeasure       *m);
/* The longest stall and frame gap of [@from_us, @to_us], by the same rules. */
void    unfreeze_bench_probes_interval_max      (UnfreezeBenchProbes        *probes,
                                                 gint64                      from_us,
                                                 gint64                      to_us,
                                                 gint64                     *stall_max_us,
                                                 gint64                     *gap_max_us);
/* On stderr: each stall of [@origin_us, @to_us] of at least @least_us, in ms from
 * @origin_us, with how long the main thread ran and waited for a core in it. */
void    unfreeze_bench_probes_trace_beats       (UnfreezeBenchProbes        *probes,
                                                 gint64                      origin_us,
                                                 gint64                      to_us,
                                                 gint64                      least_us);
/* On stderr: when each stall of @m's run of at least @least_us happened, relative to Run. */
void    unfreeze_bench_probes_trace_stalls      (UnfreezeBenchProbes        *probes,
                                                 const UnfreezeBenchMeasure *m,
                                                 gint64                      least_us);

/* Nearest-rank percentile (@percent of 100) of gint64 @values; sorts them. */
gint64  unfreeze_bench_percentile               (GArray                     *values,
                                                 guint                       percent);

/* The main loop ---------------------------------------------------------------------- */

/* Lets the main loop (and so the window) run for @ms. */
void    unfreeze_bench_iterate_for              (guint                       ms);

typedef struct
{
  gboolean finished;
  gint64   finished_us;
} UnfreezeBenchRunWait;

/* Watches @run for "finished"; before it starts, since a blocking run finishes inside
 * unfreeze_run_start(). */
void    unfreeze_bench_run_wait_begin           (UnfreezeBenchRunWait       *wait,
                                                 UnfreezeRun                *run);
/* Runs the main loop until @run is finished; returns when it was (monotonic). */
gint64  unfreeze_bench_run_wait_end             (UnfreezeBenchRunWait       *wait,
                                                 UnfreezeRun                *run);

/* Runs one UnfreezeRun straight through its mode, no window: the app's own path for a
 * query, with the main loop running (and the window drawing) meanwhile. Returns the time
 * from start to "finished". */
gint64  unfreeze_bench_run_direct               (UnfreezeDatabase           *database,
                                                 const char                 *mode_id,
                                                 const char                 *ticker,
                                                 double                      delay,
                                                 guint                       count,
                                                 UnfreezeRunResult          *result);

/* Microseconds as milliseconds, as the report has them. */
static inline double
us_to_ms (gint64 us)
{
  return us / 1000.0;
}

G_END_DECLS
