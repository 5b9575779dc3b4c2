/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window's moving signs of life: a spinner and a pulse bar that move on every frame, so
 * that a frozen window is seen at once.
 *
 * Moving them as GTK's own widgets do (a GtkSpinner's CSS animation, a GtkProgressBar's
 * set_fraction(), a GtkLabel's new text) asks for a new layout of the whole window on every
 * frame, and on X11 each layout of a window asks the X server for its geometry and the
 * monitor's work area, and waits for the answers: eight round trips a frame, about 7 % of a
 * core for an idle window (bench/README.md, runs L), and a frame that waits for the X
 * server whenever the server's processes keep it from a core. These widgets keep their size
 * and move only in their drawing: each frame they queue a draw, and their snapshot turns the
 * icon or clips the bar by the frame clock's time. The window's layout is left alone.
 *
 * Each is GTK's own widget inside, drawn as the theme draws it: the spinner a
 * process-working-symbolic icon, the pulse bar an empty GtkProgressBar (the trough) under a
 * full one clipped to the position.
 */
#define G_LOG_DOMAIN "Unfreeze-Motion"

#include "config.h"

#include "unfreeze-motion.h"

#define SPIN_PERIOD_US   1000000   /* one turn a second, as GTK's spinner */
#define PULSE_PERIOD_US  2000000   /* fills in one second, empties in the next */
#define SPIN_ICON_SIZE   16

struct _UnfreezeMotion
{
  GtkWidget           parent_instance;

  UnfreezeMotionKind  kind;
  GtkWidget          *under;    /* pulse: the empty bar; spin: NULL */
  GtkWidget          *over;     /* pulse: the full bar, clipped; spin: the icon, turned */
  guint               tick_id;
};

enum
{
  PROP_0,
  PROP_KIND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ENUM_TYPE (UnfreezeMotionKind, unfreeze_motion_kind,
                    G_DEFINE_ENUM_VALUE (UNFREEZE_MOTION_SPIN, "spin"),
                    G_DEFINE_ENUM_VALUE (UNFREEZE_MOTION_PULSE, "pulse"))

G_DEFINE_FINAL_TYPE (UnfreezeMotion, unfreeze_motion, GTK_TYPE_WIDGET)

/**
 * unfreeze_motion_get_position:
 * @frame_time_us: a frame clock's time
 *
 * Returns: where the motion is at that time, from 0 to 1: the part of a turn (spin), or the
 *   part of the bar filled (pulse)
 */
double
unfreeze_motion_get_position (UnfreezeMotion *self,
                              gint64          frame_time_us)
{
  double phase;

  g_return_val_if_fail (UNFREEZE_IS_MOTION (self), 0.0);

  if (self->kind == UNFREEZE_MOTION_SPIN)
    return (frame_time_us % SPIN_PERIOD_US) / (double) SPIN_PERIOD_US;

  phase = (frame_time_us % PULSE_PERIOD_US) / (PULSE_PERIOD_US / 2.0);   /* 0..2 */
  return phase <= 1.0 ? phase : 2.0 - phase;
}

/* The children, made once the kind is known (construct-only). */
static void
make_children (UnfreezeMotion *self)
{
  if (self->kind == UNFREEZE_MOTION_SPIN)
    {
      self->over = gtk_image_new_from_icon_name ("process-working-symbolic");
      gtk_image_set_pixel_size (GTK_IMAGE (self->over), SPIN_ICON_SIZE);
      gtk_widget_set_parent (self->over, GTK_WIDGET (self));
      return;
    }

  self->under = gtk_progress_bar_new ();
  self->over = gtk_progress_bar_new ();
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->over), 1.0);
  gtk_widget_add_css_class (self->under, "pulse");
  gtk_widget_add_css_class (self->over, "pulse");
  gtk_widget_set_valign (self->under, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (self->over, GTK_ALIGN_CENTER);
  gtk_widget_set_parent (self->under, GTK_WIDGET (self));
  gtk_widget_set_parent (self->over, GTK_WIDGET (self));
}

/* LESSON: to move, queue a draw, not a layout. */
static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  gtk_widget_queue_draw (widget);

  return G_SOURCE_CONTINUE;
}

static void
unfreeze_motion_map (GtkWidget *widget)
{
  UnfreezeMotion *self = UNFREEZE_MOTION (widget);

  GTK_WIDGET_CLASS (unfreeze_motion_parent_class)->map (widget);

  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (widget, tick_cb, NULL, NULL);
}

static void
unfreeze_motion_unmap (GtkWidget *widget)
{
  UnfreezeMotion *self = UNFREEZE_MOTION (widget);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (widget, self->tick_id);
      self->tick_id = 0;
    }

  GTK_WIDGET_CLASS (unfreeze_motion_parent_class)->unmap (widget);
}

static void
unfreeze_motion_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  UnfreezeMotion *self = UNFREEZE_MOTION (widget);
  GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (widget);
  gint64 now_us = frame_clock != NULL ? gdk_frame_clock_get_frame_time (frame_clock)
                                      : g_get_monotonic_time ();
  double position = unfreeze_motion_get_position (self, now_us);
  float width = gtk_widget_get_width (widget);
  float height = gtk_widget_get_height (widget);

  if (self->kind == UNFREEZE_MOTION_SPIN)
    {
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (width / 2, height / 2));
      gtk_snapshot_rotate (snapshot, 360.0 * position);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-width / 2, -height / 2));
      gtk_widget_snapshot_child (widget, self->over, snapshot);
      gtk_snapshot_restore (snapshot);
      return;
    }

  gtk_widget_snapshot_child (widget, self->under, snapshot);
  if (position <= 0.0)
    return;
  /* The full bar, shown as far as the position: from the start of the line, whichever side
   * that is. */
  gtk_snapshot_push_clip (snapshot,
                          &GRAPHENE_RECT_INIT (gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL
                                               ? width * (1.0 - position) : 0,
                                               0, width * position, height));
  gtk_widget_snapshot_child (widget, self->over, snapshot);
  gtk_snapshot_pop (snapshot);
}

static void
unfreeze_motion_constructed (GObject *object)
{
  UnfreezeMotion *self = UNFREEZE_MOTION (object);

  G_OBJECT_CLASS (unfreeze_motion_parent_class)->constructed (object);

  make_children (self);
  /* A sign of life, not a value: nothing for a screen reader to read out, and the bar's
   * parts would say "0 %" and "100 %" whatever they show. */
  if (self->under != NULL)
    gtk_accessible_update_state (GTK_ACCESSIBLE (self->under), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->over), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
}

static void
unfreeze_motion_dispose (GObject *object)
{
  UnfreezeMotion *self = UNFREEZE_MOTION (object);

  g_clear_pointer (&self->under, gtk_widget_unparent);
  g_clear_pointer (&self->over, gtk_widget_unparent);

  G_OBJECT_CLASS (unfreeze_motion_parent_class)->dispose (object);
}

static void
unfreeze_motion_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  UnfreezeMotion *self = UNFREEZE_MOTION (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
unfreeze_motion_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  UnfreezeMotion *self = UNFREEZE_MOTION (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
unfreeze_motion_class_init (UnfreezeMotionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = unfreeze_motion_constructed;
  object_class->dispose = unfreeze_motion_dispose;
  object_class->get_property = unfreeze_motion_get_property;
  object_class->set_property = unfreeze_motion_set_property;
  widget_class->map = unfreeze_motion_map;
  widget_class->unmap = unfreeze_motion_unmap;
  widget_class->snapshot = unfreeze_motion_snapshot;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, UNFREEZE_TYPE_MOTION_KIND, UNFREEZE_MOTION_SPIN,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Every child gets the whole widget: the bars lie one over the other. */
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "motion");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PRESENTATION);
}

static void
unfreeze_motion_init (UnfreezeMotion *self)
{
}

/**
 * unfreeze_motion_new:
 * @kind: a spinner or a pulse bar
 *
 * Returns: (transfer floating): a new sign of life that moves on every frame while it is on
 *   screen
 */
GtkWidget *
unfreeze_motion_new (UnfreezeMotionKind kind)
{
  return g_object_new (UNFREEZE_TYPE_MOTION, "kind", kind, NULL);
}
