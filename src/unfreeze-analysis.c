/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CPU work on the rows: the numbers a stock analyser computes from a ticker's closes.
 *
 * The lesson needs work that is CPU-bound, not a wait: no socket and no sleep, just the
 * processor. One pass computes, over every day, the rolling average of the closes and the
 * rolling volatility of the daily log returns for one window length; the passes go through
 * window lengths of 5 to 64 days (a screen of strategies, as an analyser would run). How
 * many passes make about @cpu_ms milliseconds of processor time is measured once on this
 * machine (unfreeze_analysis_passes_for()), in the thread's own CPU time, so that other
 * programs busy at the same moment do not skew it; the user sees the usual two figures (the 20-day
 * average and the annualised volatility).
 *
 * Pure GLib and no state but the calibration: any thread may call it, on rows nobody is
 * still adding to.
 */
#define G_LOG_DOMAIN "Unfreeze-Analysis"

#include "config.h"

#include "unfreeze-analysis.h"

#include <math.h>
#include <time.h>

#define TRADING_DAYS     252
#define AVERAGE_DAYS     20
#define MIN_WINDOW       5
#define N_WINDOWS        60
#define CALIBRATION_DAYS 2600     /* about MSFT's rows: ten years of trading days */
#define CALIBRATION_US   (20 * 1000)

/* One pass: for window length @window, the rolling average and volatility on every day.
 * Returns a sum of them all, so no pass can be left out by the compiler. */
static double
rolling_pass (const double *closes,
              const double *returns,
              guint         n,
              guint         window)
{
  double sum = 0, sum_r = 0, sum_r2 = 0, total = 0;

  for (guint i = 0; i < n; i++)
    {
      sum += closes[i];
      sum_r += returns[i];
      sum_r2 += returns[i] * returns[i];
      if (i >= window)
        {
          sum -= closes[i - window];
          sum_r -= returns[i - window];
          sum_r2 -= returns[i - window] * returns[i - window];
        }
      if (i + 1 >= window)
        {
          double mean_r = sum_r / window;
          double variance = MAX (sum_r2 / window - mean_r * mean_r, 0);

          total += sum / window + sqrt (variance * TRADING_DAYS);
        }
    }

  return total;
}

/* The daily log returns (0 for the first day, and where a close is not positive). */
static double *
log_returns (const double *closes,
             guint         n)
{
  double *returns = g_new0 (double, MAX (n, 1));

  for (guint i = 1; i < n; i++)
    if (closes[i] > 0 && closes[i - 1] > 0)
      returns[i] = log (closes[i] / closes[i - 1]);

  return returns;
}

/**
 * unfreeze_analysis_compute:
 * @passes: how many rolling passes to make before the result (0: just the result)
 * @cancellable: (nullable): looked at before each pass
 *
 * Analyses @closes, oldest first.
 *
 * Returns: FALSE if @cancellable was cancelled first (@analysis is then left as it was)
 */
gboolean
unfreeze_analysis_compute (const double     *closes,
                           guint             n_closes,
                           guint             passes,
                           GCancellable     *cancellable,
                           UnfreezeAnalysis *analysis)
{
  g_autofree double *returns = NULL;
  volatile double screen = 0;
  double sum = 0, sum_r = 0, sum_r2 = 0;
  guint n_average = MIN (n_closes, AVERAGE_DAYS);

  g_return_val_if_fail (closes != NULL || n_closes == 0, FALSE);
  g_return_val_if_fail (analysis != NULL, FALSE);

  returns = log_returns (closes, n_closes);
  for (guint pass = 0; pass < passes && n_closes > 0; pass++)
    {
      /* A pass takes some microseconds: Cancel is noticed at once. */
      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      screen += rolling_pass (closes, returns, n_closes, MIN_WINDOW + pass % N_WINDOWS);
    }

  for (guint i = n_closes - n_average; i < n_closes; i++)
    sum += closes[i];
  for (guint i = 1; i < n_closes; i++)
    {
      sum_r += returns[i];
      sum_r2 += returns[i] * returns[i];
    }

  analysis->n_closes = n_closes;
  analysis->passes = passes;
  analysis->average_20 = n_average > 0 ? sum / n_average : 0;
  if (n_closes > 1)
    {
      double mean = sum_r / (n_closes - 1);

      analysis->volatility = sqrt (MAX (sum_r2 / (n_closes - 1) - mean * mean, 0) * TRADING_DAYS);
    }
  else
    analysis->volatility = 0;

  return TRUE;
}

/**
 * unfreeze_analysis_thread_cpu_us:
 *
 * Returns: the processor time the calling thread has used, in microseconds
 */
gint64
unfreeze_analysis_thread_cpu_us (void)
{
  struct timespec now;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now) != 0)
    return g_get_monotonic_time ();   /* no such clock: the wall clock, which is close */

  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

/* Nanoseconds of processor time one pass takes per close on this machine, measured once. */
static double
ns_per_close (void)
{
  static gsize measured = 0;
  static double ns = 1;

  if (g_once_init_enter (&measured))
    {
      g_autofree double *closes = g_new (double, CALIBRATION_DAYS);
      UnfreezeAnalysis analysis;
      gint64 begin, elapsed;
      guint passes = 0;

      /* A made-up price that moves like one: a trend and a wobble. */
      for (guint i = 0; i < CALIBRATION_DAYS; i++)
        closes[i] = 100 + i * 0.05 + 3 * sin (i * 0.3);

      begin = unfreeze_analysis_thread_cpu_us ();
      do
        {
          unfreeze_analysis_compute (closes, CALIBRATION_DAYS, N_WINDOWS, NULL, &analysis);
          passes += N_WINDOWS;
          elapsed = unfreeze_analysis_thread_cpu_us () - begin;
        }
      while (elapsed < CALIBRATION_US);

      ns = MAX (1000.0 * elapsed / ((double) passes * CALIBRATION_DAYS), 0.01);
      g_debug ("Analysis: %.2f ns per close and pass", ns);
      g_once_init_leave (&measured, 1);
    }

  return ns;
}

/**
 * unfreeze_analysis_passes_for:
 *
 * How many passes over @n_closes closes take about @cpu_ms milliseconds of processor time
 * here (the first call measures this machine, for a few tens of milliseconds).
 */
guint
unfreeze_analysis_passes_for (guint cpu_ms,
                              guint n_closes)
{
  double passes;

  if (cpu_ms == 0 || n_closes == 0)
    return 0;

  passes = cpu_ms * 1e6 / (ns_per_close () * n_closes);

  return (guint) CLAMP (passes + 0.5, 1, G_MAXUINT);
}

/**
 * unfreeze_analysis_read_closes:
 *
 * Returns: (transfer full): the close of each row of @rows, as doubles, in order
 */
GArray *
unfreeze_analysis_read_closes (UnfreezeRows *rows)
{
  guint n = unfreeze_rows_get_n_rows (rows);
  GArray *closes = g_array_sized_new (FALSE, FALSE, sizeof (double), n);

  for (guint i = 0; i < n; i++)
    {
      const char *text = unfreeze_rows_get_value (rows, i, UNFREEZE_COLUMN_CLOSE);
      double close = text != NULL ? g_ascii_strtod (text, NULL) : 0;

      g_array_append_val (closes, close);
    }

  return closes;
}

/**
 * unfreeze_analysis_run:
 * @cpu_ms: about how long the work should take, in milliseconds (0: none)
 * @cancellable: (nullable): stops the work early
 *
 * Analyses the closes in @rows with about @cpu_ms milliseconds of computation.
 *
 * Returns: whether @analysis was filled in: there was something to analyse (@cpu_ms > 0 and
 *   at least one row) and @cancellable was not cancelled
 */
gboolean
unfreeze_analysis_run (UnfreezeRows     *rows,
                       guint             cpu_ms,
                       GCancellable     *cancellable,
                       UnfreezeAnalysis *analysis)
{
  g_autoptr(GArray) closes = NULL;

  g_return_val_if_fail (UNFREEZE_IS_ROWS (rows), FALSE);
  g_return_val_if_fail (analysis != NULL, FALSE);

  if (cpu_ms == 0 || unfreeze_rows_get_n_rows (rows) == 0)
    return FALSE;

  closes = unfreeze_analysis_read_closes (rows);
  return unfreeze_analysis_compute ((const double *) closes->data, closes->len,
                                    unfreeze_analysis_passes_for (cpu_ms, closes->len),
                                    cancellable, analysis);
}
