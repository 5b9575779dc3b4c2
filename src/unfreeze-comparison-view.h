/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeComparisonView: the runs of a comparison side by side, on one time scale, and a
 * table of their figures.
 */

#pragma once

#include <adwaita.h>

#include "unfreeze-export.h"
#include "unfreeze-run.h"

G_BEGIN_DECLS

#define UNFREEZE_TYPE_COMPARISON_VIEW (unfreeze_comparison_view_get_type ())

G_DECLARE_FINAL_TYPE (UnfreezeComparisonView, unfreeze_comparison_view, UNFREEZE, COMPARISON_VIEW, AdwBin)

GtkWidget      *unfreeze_comparison_view_new        (void);
void            unfreeze_comparison_view_clear      (UnfreezeComparisonView *self,
                                                     const char             *heading);
void            unfreeze_comparison_view_set_heading (UnfreezeComparisonView *self,
                                                      const char             *heading);
void            unfreeze_comparison_view_add_run    (UnfreezeComparisonView *self,
                                                     UnfreezeRun            *run,
                                                     GArray                 *samples);
guint           unfreeze_comparison_view_get_n_runs (UnfreezeComparisonView *self);
UnfreezeExport *unfreeze_comparison_view_dup_export (UnfreezeComparisonView *self);

G_END_DECLS
