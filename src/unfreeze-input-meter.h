/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "unfreeze-types.h"

G_BEGIN_DECLS

/* More than this between an event's time and the clock now: the windowing system's clock is
 * not the monotonic clock, and the wait is counted from when GTK handled the event. */
#define UNFREEZE_INPUT_CLOCK_SKEW_MAX_US (10 * 60 * G_USEC_PER_SEC)

#define UNFREEZE_TYPE_INPUT_METER (unfreeze_input_meter_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezeInputMeter, unfreeze_input_meter, UNFREEZE, INPUT_METER, GObject)

UnfreezeInputMeter *unfreeze_input_meter_new        (GtkWidget          *window);
void                unfreeze_input_meter_watch_run  (UnfreezeInputMeter *self,
                                                     UnfreezeRun        *run);

gint64              unfreeze_input_event_time_us    (guint32             event_time_ms,
                                                     gint64              now_us,
                                                     gboolean           *on_our_clock);

G_END_DECLS
