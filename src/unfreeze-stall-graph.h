/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeStallGraph: the live graph of the main loop's latency over the last 10 s.
 */
#pragma once

#include "unfreeze-chart.h"
#include "unfreeze-types.h"

G_BEGIN_DECLS

#define UNFREEZE_TYPE_STALL_GRAPH (unfreeze_stall_graph_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezeStallGraph, unfreeze_stall_graph, UNFREEZE, STALL_GRAPH, UnfreezeChart)

GtkWidget *unfreeze_stall_graph_new                (void);
gint64     unfreeze_stall_graph_get_longest_stall  (UnfreezeStallGraph *self);
void       unfreeze_stall_graph_set_run            (UnfreezeStallGraph *self,
                                                    UnfreezeRun        *run);
void       unfreeze_stall_graph_set_history        (UnfreezeStallGraph *self,
                                                    GArray             *samples,
                                                    gint64              start_us,
                                                    gint64              span_us,
                                                    double              plot_x);

G_END_DECLS
