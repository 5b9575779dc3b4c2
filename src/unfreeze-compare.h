/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeCompare: every mode in turn, with the same parameters, through the window's Run.
 */

#pragma once

#include <gtk/gtk.h>

#include "unfreeze-run.h"
#include "unfreeze-types.h"

G_BEGIN_DECLS

#define UNFREEZE_TYPE_COMPARE (unfreeze_compare_get_type ())

G_DECLARE_FINAL_TYPE (UnfreezeCompare, unfreeze_compare, UNFREEZE, COMPARE, GObject)

/* One run's start and what its window must show first (the window's Run). */
typedef UnfreezeRun *(*UnfreezeCompareStartFunc) (gpointer            user_data,
                                                  const UnfreezeMode *mode);

UnfreezeCompare *unfreeze_compare_new             (GtkWidget                *widget,
                                                   UnfreezeCompareStartFunc  start_func,
                                                   gpointer                  user_data);
void             unfreeze_compare_start           (UnfreezeCompare          *self);
void             unfreeze_compare_cancel          (UnfreezeCompare          *self);
gboolean         unfreeze_compare_get_finished    (UnfreezeCompare          *self);
gboolean         unfreeze_compare_get_cancelled   (UnfreezeCompare          *self);
guint            unfreeze_compare_get_n_runs      (UnfreezeCompare          *self);
UnfreezeRun     *unfreeze_compare_get_run         (UnfreezeCompare          *self,
                                                   guint                     index);
GArray          *unfreeze_compare_get_samples     (UnfreezeCompare          *self,
                                                   guint                     index);
gboolean         unfreeze_compare_get_as_expected (UnfreezeCompare          *self);

gboolean         unfreeze_compare_run_is_expected (UnfreezeRun              *run);

G_END_DECLS
