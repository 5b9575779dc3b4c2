/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Measures how long the main loop stalls.
 *
 * A high-priority timeout asks to run every 10 ms. When the main thread is busy (a blocking
 * query, a long handler), it cannot run; GLib timeouts do not catch up, so when the loop
 * comes back the heartbeat runs once, late by as long as the loop was stuck. That lateness
 * is the stall. It works with or without a display, allocates nothing per beat, and costs
 * one short wake-up every 10 ms.
 *
 * Main thread only.
 */
#define G_LOG_DOMAIN "Unfreeze-Meter"

#include "config.h"

#include "unfreeze-stall-meter.h"

#define N_SAMPLES 2048   /* about 20 s of beats */

struct _UnfreezeStallWatch
{
  gint64 begin_us;
  gint64 longest_us;
};

struct _UnfreezeStallMeter
{
  GObject              parent_instance;
  guint                heartbeat_id;
  gint64               last_beat_us;
  UnfreezeStallSample  samples[N_SAMPLES];
  guint                n_samples;     /* total ever recorded; the ring holds the last N_SAMPLES */
  GPtrArray           *watches;
};

G_DEFINE_FINAL_TYPE (UnfreezeStallMeter, unfreeze_stall_meter, G_TYPE_OBJECT)

/* How late a beat at @now_us is, when the previous one ran at @since_us. */
static gint64
late_between (gint64 since_us,
              gint64 now_us)
{
  gint64 late = now_us - since_us - UNFREEZE_STALL_METER_INTERVAL_MS * 1000;

  return MAX (late, 0);
}

/* A watch counts only what happened after it began. */
static gint64
watch_late (UnfreezeStallMeter *self,
            UnfreezeStallWatch *watch,
            gint64              now_us)
{
  return late_between (MAX (self->last_beat_us, watch->begin_us), now_us);
}

static gboolean
heartbeat_cb (gpointer user_data)
{
  UnfreezeStallMeter *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 late = late_between (self->last_beat_us, now);
  UnfreezeStallSample *sample = &self->samples[self->n_samples % N_SAMPLES];

  sample->time_us = now;
  sample->late_us = late;
  self->n_samples++;

  for (guint i = 0; i < self->watches->len; i++)
    {
      UnfreezeStallWatch *watch = g_ptr_array_index (self->watches, i);

      watch->longest_us = MAX (watch->longest_us, watch_late (self, watch, now));
    }

  self->last_beat_us = now;

  return G_SOURCE_CONTINUE;
}

static void
unfreeze_stall_meter_finalize (GObject *object)
{
  UnfreezeStallMeter *self = (UnfreezeStallMeter *)object;

  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  g_clear_pointer (&self->watches, g_ptr_array_unref);

  G_OBJECT_CLASS (unfreeze_stall_meter_parent_class)->finalize (object);
}

static void
unfreeze_stall_meter_class_init (UnfreezeStallMeterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = unfreeze_stall_meter_finalize;
}

static void
unfreeze_stall_meter_init (UnfreezeStallMeter *self)
{
  self->watches = g_ptr_array_new_with_free_func (g_free);
  self->last_beat_us = g_get_monotonic_time ();
  self->heartbeat_id = g_timeout_add_full (G_PRIORITY_HIGH,
                                           UNFREEZE_STALL_METER_INTERVAL_MS,
                                           heartbeat_cb, self, NULL);
}

/**
 * unfreeze_stall_meter_get_default:
 *
 * Returns: (transfer none): the meter watching the default main context, started on the
 *   first call and kept for the life of the process.
 */
UnfreezeStallMeter *
unfreeze_stall_meter_get_default (void)
{
  static UnfreezeStallMeter *meter;

  if (meter == NULL)
    meter = g_object_new (UNFREEZE_TYPE_STALL_METER, NULL);

  return meter;
}

/* How late the heartbeat is right now: non-zero while (or just after) the loop is stuck,
 * before the heartbeat has had a chance to run. */
gint64
unfreeze_stall_meter_get_current_late (UnfreezeStallMeter *self)
{
  g_return_val_if_fail (UNFREEZE_IS_STALL_METER (self), 0);

  return late_between (self->last_beat_us, g_get_monotonic_time ());
}

/* Copies up to @max_samples of the most recent samples, oldest first. */
guint
unfreeze_stall_meter_get_samples (UnfreezeStallMeter  *self,
                                  UnfreezeStallSample *samples,
                                  guint                max_samples)
{
  guint n;
  guint first;

  g_return_val_if_fail (UNFREEZE_IS_STALL_METER (self), 0);

  n = MIN (MIN (max_samples, (guint) N_SAMPLES), self->n_samples);
  first = self->n_samples - n;
  for (guint i = 0; i < n; i++)
    samples[i] = self->samples[(first + i) % N_SAMPLES];

  return n;
}

/* Starts tracking the longest stall from now on, e.g. for the length of one run. */
UnfreezeStallWatch *
unfreeze_stall_meter_watch_begin (UnfreezeStallMeter *self)
{
  UnfreezeStallWatch *watch;

  g_return_val_if_fail (UNFREEZE_IS_STALL_METER (self), NULL);

  watch = g_new0 (UnfreezeStallWatch, 1);
  watch->begin_us = g_get_monotonic_time ();
  g_ptr_array_add (self->watches, watch);

  return watch;
}

/* The longest stall seen since @watch began, counting the one that may be going on now
 * (a blocking run ends before the heartbeat has run again). */
gint64
unfreeze_stall_meter_watch_peek (UnfreezeStallMeter *self,
                                 UnfreezeStallWatch *watch)
{
  g_return_val_if_fail (UNFREEZE_IS_STALL_METER (self), 0);
  g_return_val_if_fail (watch != NULL, 0);

  return MAX (watch->longest_us, watch_late (self, watch, g_get_monotonic_time ()));
}

/* Like peek, and frees @watch. */
gint64
unfreeze_stall_meter_watch_end (UnfreezeStallMeter *self,
                                UnfreezeStallWatch *watch)
{
  gint64 longest;

  g_return_val_if_fail (UNFREEZE_IS_STALL_METER (self), 0);
  g_return_val_if_fail (watch != NULL, 0);

  longest = unfreeze_stall_meter_watch_peek (self, watch);
  g_ptr_array_remove_fast (self->watches, watch);

  return longest;
}
