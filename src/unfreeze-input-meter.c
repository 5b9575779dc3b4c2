/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How long the user's own input waited: for every key press and click in the window while a
 * run goes on, the time from the event (its own timestamp, set by the windowing system when
 * the key went down) to the end of the first frame painted after GTK handled it. The desktop's
 * counterpart of the web's Interaction to Next Paint.
 *
 * A frozen main loop cannot handle anything: the events wait in the X or Wayland socket, and
 * GTK reads them once the loop runs again. That is why the time comes from the event itself
 * and not from when GTK saw it. The run is held (unfreeze_run_hold()) until the frame after its
 * queries ended has been painted, so that inputs queued during a freeze are counted in it (or,
 * in a loop kept too busy to paint, for a second at most).
 */
#define G_LOG_DOMAIN "Unfreeze-Input"

#include "config.h"

#include "unfreeze-input-meter.h"

#include "unfreeze-run.h"

typedef struct
{
  UnfreezeInputKind kind;
  gint64            event_us;
} Pending;

struct _UnfreezeInputMeter
{
  GObject             parent_instance;

  GtkWidget          *window;          /* weak */
  GtkEventController *controller;      /* owned by the window */

  UnfreezeRun        *run;             /* watched and held, or NULL */
  gint64              since_us;        /* inputs before this are not the run's (its Run click) */
  GArray             *pending;         /* of Pending: handled, not painted yet */
  GdkFrameClock      *frame_clock;
  gulong              after_paint_id;
  gboolean            painted_after_end;
  guint               safety_id;       /* for a loop that never gets down to painting */
  gint64              ended_us;        /* when the safety net first saw the queries over */
};

/* A loop kept busy above drawing paints no frame: the run is let go this long after its
 * queries ended, as the window lets go of its rows (the input then is not counted). */
#define PAINT_WAIT_MAX_US (G_USEC_PER_SEC)
#define SAFETY_INTERVAL_MS 100

G_DEFINE_FINAL_TYPE (UnfreezeInputMeter, unfreeze_input_meter, G_TYPE_OBJECT)

/**
 * unfreeze_input_event_time_us:
 * @event_time_ms: an event's time (gdk_event_get_time()): milliseconds of the windowing
 *   system's clock, wrapping at 32 bits
 * @now_us: g_get_monotonic_time() now
 * @on_our_clock: (out): whether that clock is the monotonic clock (X servers and Wayland
 *   compositors use it); if not, the event's time is unknown and @now_us is returned
 *
 * Returns: the event's time on the monotonic clock, in microseconds
 */
gint64
unfreeze_input_event_time_us (guint32   event_time_ms,
                              gint64    now_us,
                              gboolean *on_our_clock)
{
  guint32 now_ms = (guint32) (now_us / 1000);
  gint32 ago_ms = (gint32) (now_ms - event_time_ms);   /* wraps as the event's clock does */

  g_return_val_if_fail (on_our_clock != NULL, now_us);

  /* GDK_CURRENT_TIME, a clock ahead of ours, or one far behind: not the same clock. A
   * millisecond ahead is the two clocks' rounding. */
  *on_our_clock = event_time_ms != GDK_CURRENT_TIME && ago_ms >= -1 &&
                  (gint64) ago_ms * 1000 <= UNFREEZE_INPUT_CLOCK_SKEW_MAX_US;
  if (!*on_our_clock)
    return now_us;

  return now_us - (gint64) MAX (ago_ms, 0) * 1000;
}

static void stop_watching (UnfreezeInputMeter *self);

/* The end of a frame: every input handled before it has its answer on screen now. */
static void
after_paint_cb (GdkFrameClock      *frame_clock,
                UnfreezeInputMeter *self)
{
  gint64 painted_us = g_get_monotonic_time ();

  for (guint i = 0; i < self->pending->len; i++)
    {
      const Pending *input = &g_array_index (self->pending, Pending, i);

      unfreeze_run_note_input (self->run, input->kind, input->event_us, painted_us);
    }
  g_array_set_size (self->pending, 0);

  if (unfreeze_run_get_n_finished (self->run) < unfreeze_run_get_count (self->run))
    return;

  /* The queries are over. Input that queued up during a freeze is handled at the start of
   * the next frame: one more frame, then the run may finish. */
  if (!self->painted_after_end)
    self->painted_after_end = TRUE;
  else
    stop_watching (self);
}

static gboolean
safety_cb (gpointer user_data)
{
  UnfreezeInputMeter *self = user_data;
  gint64 now_us = g_get_monotonic_time ();

  if (unfreeze_run_get_n_finished (self->run) < unfreeze_run_get_count (self->run))
    return G_SOURCE_CONTINUE;

  if (self->ended_us == 0)
    self->ended_us = now_us;
  else if (now_us - self->ended_us >= PAINT_WAIT_MAX_US)
    {
      self->safety_id = 0;
      stop_watching (self);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
event_cb (GtkEventControllerLegacy *controller,
          GdkEvent                 *event,
          UnfreezeInputMeter       *self)
{
  Pending input;
  gboolean on_our_clock;

  if (self->run == NULL)
    return GDK_EVENT_PROPAGATE;

  switch ((int) gdk_event_get_event_type (event))
    {
    case GDK_KEY_PRESS:
      input.kind = UNFREEZE_INPUT_KEY;
      break;
    case GDK_BUTTON_PRESS:
    case GDK_TOUCH_BEGIN:
      input.kind = UNFREEZE_INPUT_CLICK;
      break;
    default:
      return GDK_EVENT_PROPAGATE;
    }

  /* Without a usable timestamp the wait starts when GTK handled the event: then a freeze
   * shows only in the frame it takes to paint, and the wait reads too short, never too long. */
  input.event_us = unfreeze_input_event_time_us (gdk_event_get_time (event),
                                                 g_get_monotonic_time (), &on_our_clock);
  if (input.event_us >= self->since_us)
    g_array_append_val (self->pending, input);

  return GDK_EVENT_PROPAGATE;
}

static void
stop_watching (UnfreezeInputMeter *self)
{
  g_autoptr(UnfreezeRun) run = g_steal_pointer (&self->run);

  g_array_set_size (self->pending, 0);
  g_clear_handle_id (&self->safety_id, g_source_remove);
  if (self->frame_clock != NULL)
    {
      g_clear_signal_handler (&self->after_paint_id, self->frame_clock);
      gdk_frame_clock_end_updating (self->frame_clock);
      g_clear_object (&self->frame_clock);
    }
  if (run != NULL)
    unfreeze_run_release (run);
}

static void
unmap_cb (GtkWidget          *window,
          UnfreezeInputMeter *self)
{
  /* No frames come any more: nothing can be painted, and the run must not wait for it. */
  stop_watching (self);
}

/**
 * unfreeze_input_meter_watch_run:
 * @run: a run about to start
 *
 * Measures the inputs made in the window while @run goes on, and holds @run until the frame
 * after its last query has been painted. Call it before unfreeze_run_start(). A window that is
 * not on screen gets no input: then nothing is measured and nothing held.
 */
void
unfreeze_input_meter_watch_run (UnfreezeInputMeter *self,
                                UnfreezeRun        *run)
{
  GdkFrameClock *frame_clock;

  g_return_if_fail (UNFREEZE_IS_INPUT_METER (self));
  g_return_if_fail (UNFREEZE_IS_RUN (run));

  stop_watching (self);
  if (self->window == NULL || !gtk_widget_get_mapped (self->window) ||
      (frame_clock = gtk_widget_get_frame_clock (self->window)) == NULL)
    return;

  self->run = g_object_ref (run);
  self->since_us = g_get_monotonic_time ();
  self->painted_after_end = FALSE;
  self->ended_us = 0;
  unfreeze_run_hold (run);
  self->safety_id = g_timeout_add (SAFETY_INTERVAL_MS, safety_cb, self);

  /* A frame at every refresh while the run goes on, so that each input is painted in the
   * next one, and the run's end is seen even where nothing else moves. */
  self->frame_clock = g_object_ref (frame_clock);
  self->after_paint_id = g_signal_connect (frame_clock, "after-paint",
                                           G_CALLBACK (after_paint_cb), self);
  gdk_frame_clock_begin_updating (frame_clock);
}

UnfreezeInputMeter *
unfreeze_input_meter_new (GtkWidget *window)
{
  UnfreezeInputMeter *self;

  g_return_val_if_fail (GTK_IS_WIDGET (window), NULL);

  self = g_object_new (UNFREEZE_TYPE_INPUT_METER, NULL);
  self->window = window;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &self->window);

  /* In the capture phase, before any widget handles the event, and without taking it. */
  self->controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (self->controller, GTK_PHASE_CAPTURE);
  gtk_event_controller_set_name (self->controller, "unfreeze-input-meter");
  g_signal_connect (self->controller, "event", G_CALLBACK (event_cb), self);
  gtk_widget_add_controller (window, self->controller);
  g_signal_connect (window, "unmap", G_CALLBACK (unmap_cb), self);

  return self;
}

static void
unfreeze_input_meter_dispose (GObject *object)
{
  UnfreezeInputMeter *self = (UnfreezeInputMeter *)object;

  stop_watching (self);
  if (self->window != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->window, self);
      g_signal_handlers_disconnect_by_data (self->controller, self);
      g_object_remove_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
      self->window = NULL;
    }

  G_OBJECT_CLASS (unfreeze_input_meter_parent_class)->dispose (object);
}

static void
unfreeze_input_meter_finalize (GObject *object)
{
  UnfreezeInputMeter *self = (UnfreezeInputMeter *)object;

  g_clear_pointer (&self->pending, g_array_unref);

  G_OBJECT_CLASS (unfreeze_input_meter_parent_class)->finalize (object);
}

static void
unfreeze_input_meter_class_init (UnfreezeInputMeterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = unfreeze_input_meter_dispose;
  object_class->finalize = unfreeze_input_meter_finalize;
}

static void
unfreeze_input_meter_init (UnfreezeInputMeter *self)
{
  self->pending = g_array_new (FALSE, FALSE, sizeof (Pending));
}
