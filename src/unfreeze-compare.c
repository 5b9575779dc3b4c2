/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Compare: every mode in turn, in the order of the mode list, with the same ticker, delay,
 * count and analysis. Each run is started the way Run starts one (the caller's start
 * function: the window's), so what is compared is what a user sees run by run.
 *
 * Between two runs the window paints at least one frame, and the stall meter's heartbeat
 * gets SETTLE_MS to record the end of a freeze (the late beat runs only once the main loop
 * is free); then the run's heartbeat samples are copied, since the meter keeps only about
 * 20 s and a comparison takes longer. "run-finished" is emitted then, with the samples; the
 * next run starts once the frame after that is painted (an idle after the frame's tick), so
 * that showing a run in the comparison is not counted against the next one.
 *
 * Cancel cancels nothing itself: the window's Cancel cancels the run in flight (when its
 * mode can be), and this only makes sure no further mode starts. "finished" comes once the
 * last run (or the cancelled one) has settled.
 */
#define G_LOG_DOMAIN "Unfreeze-Compare"

#include "config.h"

#include "unfreeze-compare.h"

#include "unfreeze-mode.h"
#include "unfreeze-stall-meter.h"

/* After a run, before the next: the heartbeat's late beat, and a frame or more. */
#define SETTLE_MS   200
/* The samples kept before a run's start, so its graph begins on a quiet line. */
#define LEAD_US     (100 * 1000)
#define MAX_SAMPLES 4096

struct _UnfreezeCompare
{
  GObject                   parent_instance;

  GtkWidget                *widget;       /* whose frame clock paints between runs */
  UnfreezeCompareStartFunc  start_func;
  gpointer                  user_data;

  guint                     next;         /* the next mode's index in the list */
  UnfreezeRun              *run;          /* in flight, or settling */
  GPtrArray                *runs;         /* of UnfreezeRun, finished and settled */
  GPtrArray                *samples;      /* of GArray of UnfreezeStallSample, per run */
  guint                     settle_id;
  guint                     tick_id;
  guint                     start_id;
  gboolean                  painted;
  gboolean                  settled;
  gboolean                  started;
  gboolean                  cancelled;
  gboolean                  finished;
};

G_DEFINE_FINAL_TYPE (UnfreezeCompare, unfreeze_compare, G_TYPE_OBJECT)

enum {
  RUN_STARTED,
  RUN_FINISHED,
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_next (UnfreezeCompare *self);

/**
 * unfreeze_compare_run_is_expected:
 *
 * Whether @run ended the way its mode is meant to: blocking and sleep may freeze (and
 * sleep, with a delay near or past its 2 s guess, loses the race: "error"), the raw thread
 * is refused, the deadlock ends as a deadlock; every other mode, and any mode not named
 * here, succeeds.
 */
gboolean
unfreeze_compare_run_is_expected (UnfreezeRun *run)
{
  const char *id;
  UnfreezeRunResult result;

  g_return_val_if_fail (UNFREEZE_IS_RUN (run), FALSE);

  id = unfreeze_run_get_mode (run)->id;
  result = unfreeze_run_get_result (run);

  if (g_str_equal (id, "thread"))
    return result == UNFREEZE_RUN_RESULT_REFUSED;
  if (g_str_equal (id, "deadlock"))
    return result == UNFREEZE_RUN_RESULT_DEADLOCK;
  if (g_str_equal (id, "sleep") && unfreeze_run_get_delay (run) >= 1.5)
    return result == UNFREEZE_RUN_RESULT_OK || result == UNFREEZE_RUN_RESULT_ERROR;

  return result == UNFREEZE_RUN_RESULT_OK;
}

/* The heartbeat's samples from just before @run started until now. */
static GArray *
copy_samples (UnfreezeRun *run)
{
  g_autofree UnfreezeStallSample *all = g_new (UnfreezeStallSample, MAX_SAMPLES);
  GArray *samples = g_array_new (FALSE, FALSE, sizeof (UnfreezeStallSample));
  gint64 from_us = unfreeze_run_get_start_us (run) - LEAD_US;
  guint n = unfreeze_stall_meter_get_samples (unfreeze_stall_meter_get_default (), all, MAX_SAMPLES);

  for (guint i = 0; i < n; i++)
    if (all[i].time_us >= from_us)
      g_array_append_val (samples, all[i]);

  return samples;
}

static void
finish (UnfreezeCompare *self)
{
  self->finished = TRUE;
  g_signal_emit (self, signals[FINISHED], 0);
}

static gboolean
start_next_cb (gpointer user_data)
{
  UnfreezeCompare *self = user_data;

  self->start_id = 0;
  start_next (self);

  return G_SOURCE_REMOVE;
}

/* The frame that shows the last run: the next starts after it is painted. */
static gboolean
next_frame_cb (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       user_data)
{
  UnfreezeCompare *self = user_data;

  self->tick_id = 0;
  self->start_id = g_idle_add (start_next_cb, self);

  return G_SOURCE_REMOVE;
}

/* The run has settled: keep it, then the next mode (unless cancelled). */
static void
settled (UnfreezeCompare *self)
{
  g_autoptr(UnfreezeRun) run = g_steal_pointer (&self->run);

  g_ptr_array_add (self->samples, copy_samples (run));
  g_ptr_array_add (self->runs, g_object_ref (run));
  g_signal_emit (self, signals[RUN_FINISHED], 0, run);

  if (self->widget != NULL && gtk_widget_get_mapped (self->widget) && !self->cancelled)
    self->tick_id = gtk_widget_add_tick_callback (self->widget, next_frame_cb, self, NULL);
  else
    start_next (self);
}

static void
maybe_settled (UnfreezeCompare *self)
{
  if (self->painted && self->settled)
    settled (self);
}

static gboolean
settle_cb (gpointer user_data)
{
  UnfreezeCompare *self = user_data;

  self->settle_id = 0;
  self->settled = TRUE;
  maybe_settled (self);

  return G_SOURCE_REMOVE;
}

/* A frame was painted after the run: the window has shown its outcome. */
static gboolean
painted_cb (GtkWidget     *widget,
            GdkFrameClock *frame_clock,
            gpointer       user_data)
{
  UnfreezeCompare *self = user_data;

  self->tick_id = 0;
  self->painted = TRUE;
  maybe_settled (self);

  return G_SOURCE_REMOVE;
}

static void
run_finished_cb (UnfreezeCompare *self,
                 UnfreezeRun     *run)
{
  g_assert (run == self->run);

  g_signal_handlers_disconnect_by_func (run, run_finished_cb, self);

  self->settled = FALSE;
  self->settle_id = g_timeout_add (SETTLE_MS, settle_cb, self);
  /* A window that does not draw (unmapped) has no frames to wait for. */
  self->painted = self->widget == NULL || !gtk_widget_get_mapped (self->widget);
  if (!self->painted)
    self->tick_id = gtk_widget_add_tick_callback (self->widget, painted_cb, self, NULL);
}

static void
start_next (UnfreezeCompare *self)
{
  const UnfreezeMode * const *modes;
  guint n_modes;
  UnfreezeRun *run;

  modes = unfreeze_modes_get_all (&n_modes);
  if (self->cancelled || self->next >= n_modes || self->widget == NULL)
    {
      finish (self);
      return;
    }

  run = self->start_func (self->user_data, modes[self->next++]);
  if (run == NULL)
    {
      g_warning ("Could not start the comparison's run of %s", modes[self->next - 1]->id);
      finish (self);
      return;
    }

  self->run = g_object_ref (run);
  g_signal_emit (self, signals[RUN_STARTED], 0, run);

  /* The blocking and deadlock modes are over before Run returns. */
  if (unfreeze_run_get_finished (run))
    run_finished_cb (self, run);
  else
    g_signal_connect_object (run, "finished", G_CALLBACK (run_finished_cb), self,
                             G_CONNECT_SWAPPED);
}

static void
unfreeze_compare_dispose (GObject *object)
{
  UnfreezeCompare *self = UNFREEZE_COMPARE (object);

  g_clear_handle_id (&self->settle_id, g_source_remove);
  g_clear_handle_id (&self->start_id, g_source_remove);
  if (self->tick_id != 0 && self->widget != NULL)
    gtk_widget_remove_tick_callback (self->widget, self->tick_id);
  self->tick_id = 0;
  if (self->run != NULL)
    g_signal_handlers_disconnect_by_func (self->run, run_finished_cb, self);
  g_clear_object (&self->run);
  g_clear_weak_pointer (&self->widget);

  G_OBJECT_CLASS (unfreeze_compare_parent_class)->dispose (object);
}

static void
unfreeze_compare_finalize (GObject *object)
{
  UnfreezeCompare *self = UNFREEZE_COMPARE (object);

  g_clear_pointer (&self->runs, g_ptr_array_unref);
  g_clear_pointer (&self->samples, g_ptr_array_unref);

  G_OBJECT_CLASS (unfreeze_compare_parent_class)->finalize (object);
}

static void
unfreeze_compare_class_init (UnfreezeCompareClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = unfreeze_compare_dispose;
  object_class->finalize = unfreeze_compare_finalize;

  /* A mode's run has started: (UnfreezeRun *run). */
  signals[RUN_STARTED] =
    g_signal_new ("run-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, UNFREEZE_TYPE_RUN);
  /* A mode's run has finished and settled; its samples are in: (UnfreezeRun *run). */
  signals[RUN_FINISHED] =
    g_signal_new ("run-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, UNFREEZE_TYPE_RUN);
  /* Every mode has run, or the comparison was cancelled, or a run could not start. */
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
unfreeze_compare_init (UnfreezeCompare *self)
{
  self->runs = g_ptr_array_new_with_free_func (g_object_unref);
  self->samples = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
}

/**
 * unfreeze_compare_new:
 * @widget: whose frames are awaited between two runs (the window)
 * @start_func: starts a run of the given mode, as Run does; returns it (transfer none), or
 *   %NULL when it could not
 */
UnfreezeCompare *
unfreeze_compare_new (GtkWidget                *widget,
                      UnfreezeCompareStartFunc  start_func,
                      gpointer                  user_data)
{
  UnfreezeCompare *self;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);
  g_return_val_if_fail (start_func != NULL, NULL);

  self = g_object_new (UNFREEZE_TYPE_COMPARE, NULL);
  g_set_weak_pointer (&self->widget, widget);
  self->start_func = start_func;
  self->user_data = user_data;

  return self;
}

/* Starts the first mode's run; the others follow. Once only. */
void
unfreeze_compare_start (UnfreezeCompare *self)
{
  g_return_if_fail (UNFREEZE_IS_COMPARE (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  start_next (self);
}

/* No further mode starts; the run in flight ends as its mode lets it (the caller cancels it). */
void
unfreeze_compare_cancel (UnfreezeCompare *self)
{
  g_return_if_fail (UNFREEZE_IS_COMPARE (self));

  if (self->finished)
    return;

  self->cancelled = TRUE;
  /* Between two runs: stop now. */
  if (self->run == NULL && self->started)
    {
      if (self->tick_id != 0 && self->widget != NULL)
        gtk_widget_remove_tick_callback (self->widget, self->tick_id);
      self->tick_id = 0;
      g_clear_handle_id (&self->start_id, g_source_remove);
      finish (self);
    }
}

gboolean
unfreeze_compare_get_finished (UnfreezeCompare *self)
{
  g_return_val_if_fail (UNFREEZE_IS_COMPARE (self), FALSE);

  return self->finished;
}

gboolean
unfreeze_compare_get_cancelled (UnfreezeCompare *self)
{
  g_return_val_if_fail (UNFREEZE_IS_COMPARE (self), FALSE);

  return self->cancelled;
}

/* The runs that finished (and settled), in the mode list's order. */
guint
unfreeze_compare_get_n_runs (UnfreezeCompare *self)
{
  g_return_val_if_fail (UNFREEZE_IS_COMPARE (self), 0);

  return self->runs->len;
}

UnfreezeRun *
unfreeze_compare_get_run (UnfreezeCompare *self,
                          guint            index)
{
  g_return_val_if_fail (UNFREEZE_IS_COMPARE (self), NULL);
  g_return_val_if_fail (index < self->runs->len, NULL);

  return g_ptr_array_index (self->runs, index);
}

/**
 * unfreeze_compare_get_samples:
 *
 * Returns: (transfer none) (element-type UnfreezeStallSample): the heartbeat's samples
 *   from just before run @index started until it had settled
 */
GArray *
unfreeze_compare_get_samples (UnfreezeCompare *self,
                              guint            index)
{
  g_return_val_if_fail (UNFREEZE_IS_COMPARE (self), NULL);
  g_return_val_if_fail (index < self->samples->len, NULL);

  return g_ptr_array_index (self->samples, index);
}

/* Whether every mode ran, and each ended the way it is meant to. */
gboolean
unfreeze_compare_get_as_expected (UnfreezeCompare *self)
{
  guint n_modes;

  g_return_val_if_fail (UNFREEZE_IS_COMPARE (self), FALSE);

  unfreeze_modes_get_all (&n_modes);
  if (self->cancelled || self->runs->len != n_modes)
    return FALSE;

  for (guint i = 0; i < self->runs->len; i++)
    if (!unfreeze_compare_run_is_expected (g_ptr_array_index (self->runs, i)))
      return FALSE;

  return TRUE;
}
