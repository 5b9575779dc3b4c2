/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeStallMeter: the main loop's heartbeat, frame gaps and threads, and the watches a
 * run opens on them.
 */
#pragma once

#include <gtk/gtk.h>

#include "unfreeze-types.h"

G_BEGIN_DECLS

/* How often the heartbeat asks to run. Its lateness is the main loop's stall. */
#define UNFREEZE_STALL_METER_INTERVAL_MS 10

/* One frame at 60 Hz, in microseconds: the time the main loop has to produce a frame.
 * Frames missed are counted in the display's own refresh interval (the frame clock's), this
 * one when the display does not tell it. */
#define UNFREEZE_STALL_METER_FRAME_US 16667

typedef struct
{
  gint64 time_us;   /* monotonic time the heartbeat ran */
  gint64 late_us;   /* how much later than asked it ran: the stall */
  /* Since the beat before, as the kernel counted them (/proc/thread-self/schedstat): how
   * long the main thread ran, and how long it was ready to run and waited for a core. The
   * rest of the time it slept: in poll() while the loop was free, or in a call that waits.
   * -1 where the kernel does not say. */
  gint64 ran_us;
  gint64 queued_us;
} UnfreezeStallSample;

typedef struct
{
  gint64 time_us;   /* frame time of the frame that ended the gap */
  gint64 gap_us;    /* time since the frame before it */
} UnfreezeFrameSample;

typedef struct _UnfreezeStallWatch UnfreezeStallWatch;

#define UNFREEZE_TYPE_STALL_METER (unfreeze_stall_meter_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezeStallMeter, unfreeze_stall_meter, UNFREEZE, STALL_METER, GObject)

UnfreezeStallMeter  *unfreeze_stall_meter_get_default             (void);
gint64               unfreeze_stall_meter_get_current_late         (UnfreezeStallMeter   *self);
guint                unfreeze_stall_meter_get_samples             (UnfreezeStallMeter   *self,
                                                                   UnfreezeStallSample  *samples,
                                                                   guint                 max_samples);
void                 unfreeze_stall_meter_watch_frame_clock       (UnfreezeStallMeter   *self,
                                                                   GtkWidget            *widget);
guint                unfreeze_stall_meter_get_frame_samples       (UnfreezeStallMeter   *self,
                                                                   UnfreezeFrameSample  *samples,
                                                                   guint                 max_samples);
UnfreezeStallWatch  *unfreeze_stall_meter_watch_begin             (UnfreezeStallMeter   *self);
gint64               unfreeze_stall_meter_watch_peek              (UnfreezeStallMeter   *self,
                                                                   UnfreezeStallWatch   *watch);
gint64               unfreeze_stall_meter_watch_get_frames_missed (UnfreezeStallMeter   *self,
                                                                   UnfreezeStallWatch   *watch);
gint64               unfreeze_stall_meter_watch_end               (UnfreezeStallMeter   *self,
                                                                   UnfreezeStallWatch   *watch);

guint                unfreeze_stall_meter_count_threads           (void);
guint                unfreeze_stall_meter_count_threads_from_stat (void);
gint64               unfreeze_stall_meter_frame_interval          (gint64                refresh_us,
                                                                   const gint64         *free_gaps_us,
                                                                   guint                 n_free_gaps);

G_END_DECLS
