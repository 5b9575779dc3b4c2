/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "unfreeze-mode.h"
#include "unfreeze-rows.h"

G_BEGIN_DECLS

/* The main-loop mode's I/O, for a mode that runs its queries the same way and does something
 * else with the rows (the offload mode). Main thread only. @rows are complete when @error is
 * NULL, and NULL for a query that asked for none (unfreeze_run_wants_rows()); @error is the
 * callee's. It must end with unfreeze_run_query_done(). */
typedef void (*UnfreezeMainLoopRowsFunc) (UnfreezeRun  *run,
                                          guint         index,
                                          UnfreezeRows *rows,
                                          GError       *error);

void unfreeze_mode_mainloop_start_query_full (UnfreezeRun              *run,
                                              guint                     index,
                                              UnfreezeMainLoopRowsFunc  on_rows_done);

gint64 unfreeze_mode_mainloop_get_send_spacing_us (gboolean with_rows);

G_END_DECLS
