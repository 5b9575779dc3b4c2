/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The analysis of the closes (pure GLib): its figures on a series worked out by hand, and
 * its size following the milliseconds asked for.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include <math.h>

#include "unfreeze-analysis.h"

#include "unfreeze-test.h"

/* Prices that double every day: each log return is ln 2, so their deviation is 0. The last
 * 20 closes are 2^5 … 2^24. */
static void
test_figures (void)
{
  double closes[25];
  UnfreezeAnalysis analysis;
  double expected = 0;

  for (guint i = 0; i < G_N_ELEMENTS (closes); i++)
    closes[i] = ldexp (1, i);
  for (guint i = 5; i < 25; i++)
    expected += closes[i] / 20;

  g_assert_true (unfreeze_analysis_compute (closes, G_N_ELEMENTS (closes), 3, NULL, &analysis));
  g_assert_cmpuint (analysis.n_closes, ==, 25);
  g_assert_cmpuint (analysis.passes, ==, 3);
  g_assert_cmpfloat_with_epsilon (analysis.average_20, expected, 1e-6);
  g_assert_cmpfloat_with_epsilon (analysis.volatility, 0, 1e-6);

  /* Up 10 %, down 10 %, alternately: returns ±ln 1.1, deviation ln 1.1 a day. */
  for (guint i = 0; i < G_N_ELEMENTS (closes); i++)
    closes[i] = i % 2 == 0 ? 100 : 110;
  g_assert_true (unfreeze_analysis_compute (closes, G_N_ELEMENTS (closes), 0, NULL, &analysis));
  g_assert_cmpfloat_with_epsilon (analysis.average_20, 105, 1e-9);
  /* 24 returns, 12 up and 12 down: mean 0, deviation ln 1.1; × √252 a year. */
  g_assert_cmpfloat_with_epsilon (analysis.volatility, log (1.1) * sqrt (252), 1e-9);
}

/* Fewer closes than 20, one, none: no crash, sensible figures. */
static void
test_short (void)
{
  const double closes[] = { 10, 20 };
  UnfreezeAnalysis analysis;

  unfreeze_analysis_compute (closes, 2, 10, NULL, &analysis);
  g_assert_cmpfloat_with_epsilon (analysis.average_20, 15, 1e-9);
  unfreeze_analysis_compute (closes, 1, 10, NULL, &analysis);
  g_assert_cmpfloat_with_epsilon (analysis.average_20, 10, 1e-9);
  g_assert_cmpfloat (analysis.volatility, ==, 0);
  unfreeze_analysis_compute (NULL, 0, 10, NULL, &analysis);
  g_assert_cmpuint (analysis.n_closes, ==, 0);
  g_assert_cmpfloat (analysis.average_20, ==, 0);
}

/* The work grows with the time asked for and shrinks with more closes; 0 asks for none. */
static void
test_passes (void)
{
  guint small = unfreeze_analysis_passes_for (10, 2600);
  guint large = unfreeze_analysis_passes_for (1000, 2600);

  g_assert_cmpuint (unfreeze_analysis_passes_for (0, 2600), ==, 0);
  g_assert_cmpuint (unfreeze_analysis_passes_for (100, 0), ==, 0);
  g_assert_cmpuint (small, >=, 1);
  g_assert_cmpuint (large, >, small * 50);
  g_assert_cmpuint (unfreeze_analysis_passes_for (1000, 26000), <, large);
}

/* Real work: asked for 200 ms, it takes a good part of that (a checker only makes it longer). */
static void
test_takes_time (void)
{
  g_autofree double *closes = g_new (double, 2600);
  UnfreezeAnalysis analysis;
  gint64 begin;
  gint64 elapsed_ms;

  for (guint i = 0; i < 2600; i++)
    closes[i] = 50 + (i % 7);
  begin = g_get_monotonic_time ();
  unfreeze_analysis_compute (closes, 2600, unfreeze_analysis_passes_for (200, 2600), NULL, &analysis);
  elapsed_ms = (g_get_monotonic_time () - begin) / 1000;

  g_test_message ("asked for 200 ms, took %" G_GINT64_FORMAT " ms", elapsed_ms);
  g_assert_cmpint (elapsed_ms, >=, 100);
}

/* A cancelled analysis stops before its first pass and leaves the result alone. */
static void
test_cancelled (void)
{
  const double closes[] = { 10, 11, 12 };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  UnfreezeAnalysis analysis = { 0, -1, -1, 0 };

  g_cancellable_cancel (cancellable);
  g_assert_false (unfreeze_analysis_compute (closes, 3, 1000000, cancellable, &analysis));
  g_assert_cmpfloat (analysis.average_20, ==, -1);
  g_assert_cmpuint (analysis.passes, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  unfreeze_test_init (&argc, &argv);

  g_test_add_func ("/unfreeze/Analysis/figures", test_figures);
  g_test_add_func ("/unfreeze/Analysis/short", test_short);
  g_test_add_func ("/unfreeze/Analysis/passes", test_passes);
  g_test_add_func ("/unfreeze/Analysis/takes-time", test_takes_time);
  g_test_add_func ("/unfreeze/Analysis/cancelled", test_cancelled);

  return g_test_run ();
}
