/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "unfreeze-types.h"

G_BEGIN_DECLS

/* How often the heartbeat asks to run. Its lateness is the main loop's stall. */
#define UNFREEZE_STALL_METER_INTERVAL_MS 10

typedef struct
{
  gint64 time_us;   /* monotonic time the heartbeat ran */
  gint64 late_us;   /* how much later than asked it ran: the stall */
} UnfreezeStallSample;

typedef struct _UnfreezeStallWatch UnfreezeStallWatch;

#define UNFREEZE_TYPE_STALL_METER (unfreeze_stall_meter_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezeStallMeter, unfreeze_stall_meter, UNFREEZE, STALL_METER, GObject)

UnfreezeStallMeter  *unfreeze_stall_meter_get_default     (void);
gint64               unfreeze_stall_meter_get_current_late (UnfreezeStallMeter   *self);
guint                unfreeze_stall_meter_get_samples     (UnfreezeStallMeter   *self,
                                                           UnfreezeStallSample  *samples,
                                                           guint                 max_samples);
UnfreezeStallWatch  *unfreeze_stall_meter_watch_begin     (UnfreezeStallMeter   *self);
gint64               unfreeze_stall_meter_watch_peek      (UnfreezeStallMeter   *self,
                                                           UnfreezeStallWatch   *watch);
gint64               unfreeze_stall_meter_watch_end       (UnfreezeStallMeter   *self,
                                                           UnfreezeStallWatch   *watch);

G_END_DECLS
