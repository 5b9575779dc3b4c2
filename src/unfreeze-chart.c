/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the app's charts (the stall graph, the thread timeline) share: a widget that draws
 * itself with GtkSnapshot, keeps its text layouts until fonts or the theme change, takes
 * its colours from the theme, and ticks on every frame only while it is on screen (and, for
 * the timeline, only while there is something moving to show). A subclass says what to drop
 * (clear_layouts), whether it wants to tick (wants_tick) and what a tick does (tick).
 */
#define G_LOG_DOMAIN "Unfreeze-Chart"

#include "config.h"

#include "unfreeze-chart.h"

#include <math.h>

typedef struct
{
  guint tick_id;

  /* While drawing for an export (unfreeze_chart_snapshot_for_export()): the size to draw
   * at, and the light palette whatever the window's style. 0 otherwise. */
  int   export_width;
  int   export_height;
} UnfreezeChartPrivate;


G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (UnfreezeChart, unfreeze_chart, GTK_TYPE_WIDGET)

static void
clear_layouts (UnfreezeChart *self)
{
  UnfreezeChartClass *klass = UNFREEZE_CHART_GET_CLASS (self);

  if (klass->clear_layouts != NULL)
    klass->clear_layouts (self);
}

static gboolean
chart_tick_cb (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       user_data)
{
  UnfreezeChart *self = UNFREEZE_CHART (widget);
  UnfreezeChartClass *klass = UNFREEZE_CHART_GET_CLASS (self);

  if (klass->tick != NULL)
    klass->tick (self, gdk_frame_clock_get_frame_time (frame_clock));

  return G_SOURCE_CONTINUE;
}

/**
 * unfreeze_chart_update_ticking:
 *
 * Starts or stops the tick, as the chart's being on screen and its wants_tick say. A
 * subclass calls it when what wants_tick answers changes.
 */
void
unfreeze_chart_update_ticking (UnfreezeChart *self)
{
  UnfreezeChartPrivate *priv = unfreeze_chart_get_instance_private (self);
  UnfreezeChartClass *klass;
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean want;

  g_return_if_fail (UNFREEZE_IS_CHART (self));

  klass = UNFREEZE_CHART_GET_CLASS (self);
  want = gtk_widget_get_mapped (widget) && (klass->wants_tick == NULL || klass->wants_tick (self));

  if (want && priv->tick_id == 0)
    priv->tick_id = gtk_widget_add_tick_callback (widget, chart_tick_cb, NULL, NULL);
  else if (!want && priv->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (widget, priv->tick_id);
      priv->tick_id = 0;
    }
}

/* Ticking only while on screen: a hidden chart costs nothing. */
static void
unfreeze_chart_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (unfreeze_chart_parent_class)->map (widget);

  unfreeze_chart_update_ticking (UNFREEZE_CHART (widget));
}

static void
unfreeze_chart_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (unfreeze_chart_parent_class)->unmap (widget);

  unfreeze_chart_update_ticking (UNFREEZE_CHART (widget));
}

/* Fonts or the theme changed: the layouts are made again on the next draw. */
static void
unfreeze_chart_css_changed (GtkWidget         *widget,
                            GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (unfreeze_chart_parent_class)->css_changed (widget, change);

  clear_layouts (UNFREEZE_CHART (widget));
}

static void
unfreeze_chart_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (unfreeze_chart_parent_class)->root (widget);

  clear_layouts (UNFREEZE_CHART (widget));
}

static void
unfreeze_chart_dispose (GObject *object)
{
  clear_layouts (UNFREEZE_CHART (object));

  G_OBJECT_CLASS (unfreeze_chart_parent_class)->dispose (object);
}

static void
unfreeze_chart_class_init (UnfreezeChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = unfreeze_chart_dispose;

  widget_class->map = unfreeze_chart_map;
  widget_class->unmap = unfreeze_chart_unmap;
  widget_class->css_changed = unfreeze_chart_css_changed;
  widget_class->root = unfreeze_chart_root;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
unfreeze_chart_init (UnfreezeChart *self)
{
}

/* Size ------------------------------------------------------------------------------- */

/* The width to draw at: the widget's, or an export's while drawing for one. */
int
unfreeze_chart_get_width (UnfreezeChart *self)
{
  UnfreezeChartPrivate *priv = unfreeze_chart_get_instance_private (self);

  g_return_val_if_fail (UNFREEZE_IS_CHART (self), 0);

  return priv->export_width > 0 ? priv->export_width : gtk_widget_get_width (GTK_WIDGET (self));
}

int
unfreeze_chart_get_height (UnfreezeChart *self)
{
  UnfreezeChartPrivate *priv = unfreeze_chart_get_instance_private (self);

  g_return_val_if_fail (UNFREEZE_IS_CHART (self), 0);

  return priv->export_height > 0 ? priv->export_height : gtk_widget_get_height (GTK_WIDGET (self));
}

static gboolean
is_exporting (UnfreezeChart *self)
{
  UnfreezeChartPrivate *priv = unfreeze_chart_get_instance_private (self);

  return priv->export_width > 0;
}

/**
 * unfreeze_chart_snapshot_for_export:
 *
 * Draws the chart into @snapshot as its widget draws itself (the same snapshot function,
 * so the same render nodes), but @width × @height in size and in libadwaita's light
 * palette, whatever the window's size and style: a picture for a slide (unfreeze-export.c).
 * Fonts stay the widget's.
 */
void
unfreeze_chart_snapshot_for_export (UnfreezeChart *self,
                                    GtkSnapshot   *snapshot,
                                    int            width,
                                    int            height)
{
  UnfreezeChartPrivate *priv = unfreeze_chart_get_instance_private (self);

  g_return_if_fail (UNFREEZE_IS_CHART (self));
  g_return_if_fail (GTK_IS_SNAPSHOT (snapshot));
  g_return_if_fail (width > 0 && height > 0);

  priv->export_width = width;
  priv->export_height = height;
  GTK_WIDGET_GET_CLASS (self)->snapshot (GTK_WIDGET (self), snapshot);
  priv->export_width = 0;
  priv->export_height = 0;
}

/* Text ------------------------------------------------------------------------------- */

/**
 * unfreeze_chart_ensure_layout:
 * @layout: where the chart keeps the layout
 * @text: (nullable): its text, when it is made
 *
 * Returns: (transfer none): *@layout, made first if there is none (clear_layouts drops it).
 */
PangoLayout *
unfreeze_chart_ensure_layout (UnfreezeChart  *self,
                              PangoLayout   **layout,
                              const char     *text)
{
  g_return_val_if_fail (UNFREEZE_IS_CHART (self), NULL);
  g_return_val_if_fail (layout != NULL, NULL);

  if (*layout == NULL)
    *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);

  return *layout;
}

/* Colours ---------------------------------------------------------------------------- */

/* A named colour of the theme (libadwaita's), or @fallback where the theme has none.
 * @fallback is the colour's value in libadwaita's light style: an export draws with it,
 * so that the picture is light even when the window is dark. */
void
unfreeze_chart_lookup_color (UnfreezeChart *self,
                             const char    *name,
                             const char    *fallback,
                             GdkRGBA       *color)
{
  GtkStyleContext *context;

  g_return_if_fail (UNFREEZE_IS_CHART (self));

  context = gtk_widget_get_style_context (GTK_WIDGET (self));
  if (is_exporting (self) || !gtk_style_context_lookup_color (context, name, color))
    gdk_rgba_parse (color, fallback);
}

/* The text colour; the light style's in an export. */
void
unfreeze_chart_get_fg (UnfreezeChart *self,
                       GdkRGBA       *color)
{
  g_return_if_fail (UNFREEZE_IS_CHART (self));

  if (is_exporting (self))
    gdk_rgba_parse (color, UNFREEZE_CHART_LIGHT_FG);
  else
    gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), color);
}

GdkRGBA
unfreeze_chart_with_alpha (const GdkRGBA *color,
                           float          alpha)
{
  GdkRGBA result = *color;

  result.alpha *= alpha;

  return result;
}

/* Shapes ----------------------------------------------------------------------------- */

/* A filled rectangle; nothing when it is empty. */
void
unfreeze_chart_append_rect (GtkSnapshot   *snapshot,
                            const GdkRGBA *color,
                            double         x,
                            double         y,
                            double         width,
                            double         height)
{
  if (width <= 0 || height <= 0)
    return;

  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, width, height));
}

/* Text with its top left corner at (@x, @y), on whole pixels so it stays sharp. */
void
unfreeze_chart_append_layout (GtkSnapshot   *snapshot,
                              PangoLayout   *layout,
                              const GdkRGBA *color,
                              double         x,
                              double         y)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round (x), round (y)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}
