/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "unfreeze-rows.h"

G_BEGIN_DECLS

/* What a stock analyser makes of a ticker's closes (pure GLib: any thread). */
typedef struct
{
  guint  n_closes;
  double average_20;   /* the mean of the last 20 closes (fewer if there are fewer) */
  double volatility;   /* annualised: the standard deviation of daily log returns × √252 */
  guint  passes;       /* passes of rolling averages and volatilities made to get there */
} UnfreezeAnalysis;

guint    unfreeze_analysis_passes_for (guint             cpu_ms,
                                       guint             n_closes);
GArray  *unfreeze_analysis_read_closes (UnfreezeRows     *rows);
gboolean unfreeze_analysis_compute    (const double     *closes,
                                       guint             n_closes,
                                       guint             passes,
                                       GCancellable     *cancellable,
                                       UnfreezeAnalysis *analysis);
gboolean unfreeze_analysis_run        (UnfreezeRows     *rows,
                                       guint             cpu_ms,
                                       GCancellable     *cancellable,
                                       UnfreezeAnalysis *analysis);
gint64   unfreeze_analysis_thread_cpu_us (void);

G_END_DECLS
