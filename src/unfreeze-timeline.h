/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeTimeline: the thread timeline of a run, one lane per thread.
 */
#pragma once

#include <gtk/gtk.h>

#include "unfreeze-chart.h"
#include "unfreeze-run.h"

G_BEGIN_DECLS

#define UNFREEZE_TYPE_TIMELINE (unfreeze_timeline_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezeTimeline, unfreeze_timeline, UNFREEZE, TIMELINE, UnfreezeChart)

GtkWidget   *unfreeze_timeline_new         (void);
void         unfreeze_timeline_set_run     (UnfreezeTimeline *self,
                                            UnfreezeRun      *run);
UnfreezeRun *unfreeze_timeline_get_run     (UnfreezeTimeline *self);
void         unfreeze_timeline_set_scale   (UnfreezeTimeline *self,
                                            gint64            end_us,
                                            double            plot_x);
const char  *unfreeze_timeline_get_summary (UnfreezeTimeline *self);

G_END_DECLS
