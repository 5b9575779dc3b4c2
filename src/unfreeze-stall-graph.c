/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The main loop's latency over the last 10 seconds, from the stall meter's heartbeat.
 *
 * x is time, the newest at the right; each bar is the worst heartbeat lateness within its
 * 3 pixels of time. y is latency on a log-like scale, log (1 + ms / 4), topped at 5 s: idle
 * noise of 1–5 ms is a few pixels, the 16.7 ms frame budget sits about a quarter of the way
 * up, and a 3 s freeze is one bar near the top. The bars take the colours of the app's one
 * verdict (unfreeze-verdict.h), so the graph and the status line agree: within a frame
 * blue, over a frame amber, a long task (50 ms or more) orange, a delay users perceive
 * (100 ms or more) red; such a freeze also shades the time it lasted, and the longest stall
 * in view is written above its bar.
 *
 * The graph redraws on every frame while it is on screen. During a freeze nothing draws,
 * this graph included: the tall bar appears only afterwards, all at once. That is the
 * lesson, not a bug.
 *
 * Drawing copies at most MAX_SAMPLES samples into a buffer of its own and keeps a handful of
 * text layouts: nothing grows with the history.
 */
#define G_LOG_DOMAIN "Unfreeze-Graph"

#include "config.h"

#include "unfreeze-stall-graph.h"

#include <glib/gi18n.h>
#include <math.h>

#include "unfreeze-run.h"
#include "unfreeze-stall-meter.h"
#include "unfreeze-verdict.h"

#define WINDOW_US        (10 * G_USEC_PER_SEC)
#define MAX_SAMPLES      1280                  /* 10 s of 10 ms beats, with room to spare */
#define SCALE_KNEE_MS    4.0
#define SCALE_TOP_MS     5000.0
#define BAR_STEP         3                     /* pixels per bar: 2 of bar, 1 of gap */
#define LABEL_EVERY_US   (500 * 1000)          /* accessible label updates, at most */

/* The meter counts missed frames in the verdict's frame. */
G_STATIC_ASSERT (UNFREEZE_STALL_METER_FRAME_US == UNFREEZE_VERDICT_FRAME_US);

typedef enum
{
  GRID_BUDGET,
  GRID_100_MS,
  GRID_1_S,
  N_GRID
} Grid;

static const struct
{
  gint64      us;
  const char *label;
} grid_lines[N_GRID] = {
  { UNFREEZE_VERDICT_FRAME_US, N_("16.7 ms") },
  { UNFREEZE_VERDICT_PERCEIVED_US, N_("100 ms") },
  { 1000 * 1000, N_("1 s") },
};

typedef struct
{
  GdkRGBA fg;
  GdkRGBA ok;          /* bars within the frame budget: smooth */
  GdkRGBA warning;     /* bars over the budget: a stutter */
  GdkRGBA long_task;   /* bars of a long task, between warning and error */
  GdkRGBA error;       /* bars of a freeze users perceive */
  GdkRGBA error_text;
  GdkRGBA warning_text;
} Colors;

struct _UnfreezeStallGraph
{
  GtkWidget            parent_instance;

  guint                tick_id;
  gint64               scroll;            /* the time, in pixels, of the last redraw */
  gint64               longest_us;        /* the longest stall in view at the last draw */
  gint64               labelled_ms;       /* what the accessible label says; -1: nothing */
  gint64               labelled_at_us;

  PangoLayout         *grid_layouts[N_GRID];
  PangoLayout         *peak_layout;
  gint64               peak_ms;           /* what peak_layout says */

  UnfreezeStallSample  samples[MAX_SAMPLES];
};

G_DEFINE_FINAL_TYPE (UnfreezeStallGraph, unfreeze_stall_graph, GTK_TYPE_WIDGET)

/* 0 at the bottom, 1 at the top. */
static double
latency_fraction (gint64 late_us)
{
  double ms = late_us / 1000.0;

  return CLAMP (log1p (ms / SCALE_KNEE_MS) / log1p (SCALE_TOP_MS / SCALE_KNEE_MS), 0.0, 1.0);
}

static void
lookup_color (GtkWidget  *widget,
              const char *name,
              const char *fallback,
              GdkRGBA    *color)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  if (!gtk_style_context_lookup_color (context, name, color))
    gdk_rgba_parse (color, fallback);
}

static void
get_colors (GtkWidget *widget,
            Colors    *colors)
{
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &colors->fg);
  lookup_color (widget, "accent_bg_color", "#3584e4", &colors->ok);
  lookup_color (widget, "warning_bg_color", "#e5a50a", &colors->warning);
  lookup_color (widget, "error_bg_color", "#e01b24", &colors->error);
  lookup_color (widget, "error_color", "#c01c28", &colors->error_text);
  lookup_color (widget, "warning_color", "#9c6e03", &colors->warning_text);

  /* libadwaita names no orange: halfway from warning to error. */
  colors->long_task.red = (colors->warning.red + colors->error.red) / 2;
  colors->long_task.green = (colors->warning.green + colors->error.green) / 2;
  colors->long_task.blue = (colors->warning.blue + colors->error.blue) / 2;
  colors->long_task.alpha = (colors->warning.alpha + colors->error.alpha) / 2;
}

/* A bar's colour: its stall's verdict. */
static const GdkRGBA *
bar_color (const Colors *colors,
           gint64        late_us)
{
  switch (unfreeze_verdict_for_stall (late_us))
    {
    case UNFREEZE_VERDICT_SMOOTH:    return &colors->ok;
    case UNFREEZE_VERDICT_STUTTER:   return &colors->warning;
    case UNFREEZE_VERDICT_LONG_TASK: return &colors->long_task;
    case UNFREEZE_VERDICT_FROZEN:
    default:                         return &colors->error;
    }
}

static GdkRGBA
with_alpha (const GdkRGBA *color,
            float          alpha)
{
  GdkRGBA result = *color;

  result.alpha *= alpha;

  return result;
}

static void
append_rect (GtkSnapshot   *snapshot,
             const GdkRGBA *color,
             double         x,
             double         y,
             double         width,
             double         height)
{
  graphene_rect_t rect;

  if (width <= 0 || height <= 0)
    return;

  graphene_rect_init (&rect, x, y, width, height);
  gtk_snapshot_append_color (snapshot, color, &rect);
}

static void
append_layout (GtkSnapshot   *snapshot,
               PangoLayout   *layout,
               const GdkRGBA *color,
               double         x,
               double         y)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
ensure_layouts (UnfreezeStallGraph *self)
{
  for (guint i = 0; i < N_GRID; i++)
    if (self->grid_layouts[i] == NULL)
      self->grid_layouts[i] = gtk_widget_create_pango_layout (GTK_WIDGET (self),
                                                              _(grid_lines[i].label));

  if (self->peak_layout == NULL)
    {
      self->peak_layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
      self->peak_ms = -1;
    }
}

static void
clear_layouts (UnfreezeStallGraph *self)
{
  for (guint i = 0; i < N_GRID; i++)
    g_clear_object (&self->grid_layouts[i]);
  g_clear_object (&self->peak_layout);
}

static void
set_peak_text (UnfreezeStallGraph *self,
               gint64              peak_ms)
{
  g_autofree char *count = NULL;
  g_autofree char *text = NULL;

  if (peak_ms == self->peak_ms)
    return;

  count = unfreeze_format_count (peak_ms);
  /* Translators: the longest stall in the graph; the number is milliseconds */
  text = g_strdup_printf (_("%s ms"), count);
  pango_layout_set_text (self->peak_layout, text, -1);
  self->peak_ms = peak_ms;
}

/* Where things go: time to x, latency to y. */
typedef struct
{
  gint64 now_us;     /* at the right edge */
  double width;
  double top;
  double bottom;
} Plot;

static double
plot_x (const Plot *plot,
        gint64      time_us)
{
  return plot->width - (double) (plot->now_us - time_us) * plot->width / WINDOW_US;
}

static double
plot_y (const Plot *plot,
        gint64      late_us)
{
  return plot->bottom - round (latency_fraction (late_us) * (plot->bottom - plot->top));
}

/* A dashed horizontal line, as short rectangles. */
static void
append_dashed_line (GtkSnapshot   *snapshot,
                    const GdkRGBA *color,
                    double         x0,
                    double         x1,
                    double         y)
{
  for (double x = x0; x < x1; x += 6)
    append_rect (snapshot, color, x, y, MIN (3, x1 - x), 1);
}

static void
unfreeze_stall_graph_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  UnfreezeStallGraph *self = UNFREEZE_STALL_GRAPH (widget);
  GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  PangoRectangle extents;
  Plot plot;
  Colors colors;
  GdkRGBA dim;
  GdkRGBA faint;
  GdkRGBA ground;
  GdkRGBA shade;
  GdkRGBA baseline;
  double axis_w = 0;
  double text_h;
  double plot_w;
  double plot_top;
  double plot_h;
  double bottom;
  gint64 now;
  gint64 start;
  gint64 bin_us;
  gint64 bin = G_MININT64;
  gint64 bin_late = 0;
  gint64 peak_late = 0;
  gint64 peak_time = 0;
  guint n;

  ensure_layouts (self);
  get_colors (widget, &colors);
  dim = with_alpha (&colors.fg, 0.55f);
  faint = with_alpha (&colors.fg, 0.10f);
  ground = with_alpha (&colors.fg, 0.04f);
  baseline = with_alpha (&colors.fg, 0.25f);
  shade = with_alpha (&colors.error, 0.14f);

  for (guint i = 0; i < N_GRID; i++)
    {
      pango_layout_get_pixel_extents (self->grid_layouts[i], NULL, &extents);
      axis_w = MAX (axis_w, extents.width + 6);
    }
  text_h = extents.height;

  plot_w = floor (width - axis_w);
  plot_top = text_h + 2;
  bottom = height - 1;
  plot_h = bottom - plot_top;
  if (plot_w < BAR_STEP * 4 || plot_h < 4)
    return;

  n = unfreeze_stall_meter_get_samples (unfreeze_stall_meter_get_default (),
                                        self->samples, MAX_SAMPLES);

  /* The frame time scrolls smoothly; it may lag the newest sample when drawing outside a
   * frame (a screenshot). */
  now = frame_clock != NULL ? gdk_frame_clock_get_frame_time (frame_clock) : g_get_monotonic_time ();
  if (n > 0)
    now = MAX (now, self->samples[n - 1].time_us);
  start = now - WINDOW_US;
  bin_us = MAX (1, (gint64) (WINDOW_US * BAR_STEP / plot_w));

  plot.now_us = now;
  plot.width = plot_w;
  plot.top = plot_top;
  plot.bottom = bottom;

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, plot_w, height));

  /* The plot area, faintly. */
  append_rect (snapshot, &ground, 0, plot_top, plot_w, plot_h + 1);

  /* Freezes shade the time they lasted: nothing ran there. */
  for (guint i = 0; i < n; i++)
    {
      const UnfreezeStallSample *sample = &self->samples[i];
      double x0, x1;

      if (sample->time_us < start ||
          unfreeze_verdict_for_stall (sample->late_us) < UNFREEZE_VERDICT_FROZEN)
        continue;

      x0 = floor (plot_x (&plot, sample->time_us - sample->late_us));
      x1 = floor (plot_x (&plot, sample->time_us));
      append_rect (snapshot, &shade, x0, plot_top, x1 - x0, plot_h);
    }

  /* Grid lines for 100 ms and 1 s. */
  append_rect (snapshot, &faint, 0, plot_y (&plot, grid_lines[GRID_100_MS].us), plot_w, 1);
  append_rect (snapshot, &faint, 0, plot_y (&plot, grid_lines[GRID_1_S].us), plot_w, 1);

  /* The bars: the worst lateness in each bin of time. Bins are fixed in time, so bars
   * scroll by without flickering. */
  for (guint i = 0; i <= n; i++)
    {
      const UnfreezeStallSample *sample = i < n ? &self->samples[i] : NULL;
      gint64 sample_bin = 0;

      if (sample != NULL)
        {
          if (sample->time_us < start)
            continue;
          sample_bin = sample->time_us / bin_us;
          if (sample->late_us > peak_late)
            {
              peak_late = sample->late_us;
              peak_time = sample->time_us;
            }
        }

      if (bin != G_MININT64 && (sample == NULL || sample_bin != bin))
        {
          const GdkRGBA *color = bar_color (&colors, bin_late);
          double x = floor (plot_x (&plot, bin * bin_us));
          double y = MIN (plot_y (&plot, bin_late), bottom - 1);

          append_rect (snapshot, color, x, y, BAR_STEP - 1, bottom - y);
          bin_late = 0;
        }

      if (sample != NULL)
        {
          bin = sample_bin;
          bin_late = MAX (bin_late, sample->late_us);
        }
    }

  /* The frame budget. */
  append_dashed_line (snapshot, &dim, 0, plot_w, plot_y (&plot, grid_lines[GRID_BUDGET].us));

  /* The longest stall in view, written above its bar. */
  self->longest_us = peak_late;
  if (unfreeze_verdict_for_stall (peak_late) > UNFREEZE_VERDICT_SMOOTH)
    {
      const GdkRGBA *color = unfreeze_verdict_for_stall (peak_late) == UNFREEZE_VERDICT_FROZEN
                             ? &colors.error_text : &colors.warning_text;
      double x, y;

      set_peak_text (self, peak_late / 1000);
      pango_layout_get_pixel_extents (self->peak_layout, NULL, &extents);
      x = CLAMP (plot_x (&plot, peak_time) - extents.width / 2.0, 0, plot_w - extents.width);
      y = MAX (0, plot_y (&plot, peak_late) - extents.height - 1);
      append_layout (snapshot, self->peak_layout, color, round (x), y);
    }

  gtk_snapshot_pop (snapshot);

  /* The baseline, and the scale's labels at the right. */
  append_rect (snapshot, &baseline, 0, bottom, plot_w, 1);
  for (guint i = 0; i < N_GRID; i++)
    {
      double y;

      pango_layout_get_pixel_extents (self->grid_layouts[i], NULL, &extents);
      y = plot_y (&plot, grid_lines[i].us) - extents.height / 2.0;
      y = CLAMP (y, 0, height - extents.height);
      append_layout (snapshot, self->grid_layouts[i], &dim, plot_w + 4, round (y));
    }
}

static void
update_accessible_label (UnfreezeStallGraph *self)
{
  g_autofree char *count = NULL;
  g_autofree char *label = NULL;
  gint64 longest_ms = self->longest_us / 1000;

  if (longest_ms == self->labelled_ms)
    return;

  count = unfreeze_format_count (longest_ms);
  label = g_strdup_printf (_("Main loop latency over the last 10 seconds: longest stall %s ms"),
                           count);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  self->labelled_ms = longest_ms;
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  UnfreezeStallGraph *self = UNFREEZE_STALL_GRAPH (widget);
  gint64 now = gdk_frame_clock_get_frame_time (frame_clock);
  int width = MAX (gtk_widget_get_width (widget), 1);
  gint64 scroll = now / (WINDOW_US / width);

  /* The bars sit on whole pixels: draw again only once they have moved by one, about 36
   * times a second, not on every frame. */
  if (scroll != self->scroll)
    {
      self->scroll = scroll;
      gtk_widget_queue_draw (widget);
    }

  if (now - self->labelled_at_us >= LABEL_EVERY_US)
    {
      update_accessible_label (self);
      self->labelled_at_us = now;
    }

  return G_SOURCE_CONTINUE;
}

/* Ticking only while on screen: a hidden graph costs nothing. */
static void
unfreeze_stall_graph_map (GtkWidget *widget)
{
  UnfreezeStallGraph *self = UNFREEZE_STALL_GRAPH (widget);

  GTK_WIDGET_CLASS (unfreeze_stall_graph_parent_class)->map (widget);

  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (widget, tick_cb, NULL, NULL);
}

static void
unfreeze_stall_graph_unmap (GtkWidget *widget)
{
  UnfreezeStallGraph *self = UNFREEZE_STALL_GRAPH (widget);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (widget, self->tick_id);
      self->tick_id = 0;
    }

  GTK_WIDGET_CLASS (unfreeze_stall_graph_parent_class)->unmap (widget);
}

static void
unfreeze_stall_graph_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 160;
      *natural = 360;
    }
  else
    {
      *minimum = 60;
      *natural = 90;
    }
}

/* Fonts or the theme changed: the layouts are made again on the next draw. */
static void
unfreeze_stall_graph_css_changed (GtkWidget         *widget,
                                  GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (unfreeze_stall_graph_parent_class)->css_changed (widget, change);

  clear_layouts (UNFREEZE_STALL_GRAPH (widget));
}

static void
unfreeze_stall_graph_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (unfreeze_stall_graph_parent_class)->root (widget);

  clear_layouts (UNFREEZE_STALL_GRAPH (widget));
}

static void
unfreeze_stall_graph_dispose (GObject *object)
{
  UnfreezeStallGraph *self = UNFREEZE_STALL_GRAPH (object);

  clear_layouts (self);

  G_OBJECT_CLASS (unfreeze_stall_graph_parent_class)->dispose (object);
}

static void
unfreeze_stall_graph_class_init (UnfreezeStallGraphClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = unfreeze_stall_graph_dispose;

  widget_class->snapshot = unfreeze_stall_graph_snapshot;
  widget_class->measure = unfreeze_stall_graph_measure;
  widget_class->map = unfreeze_stall_graph_map;
  widget_class->unmap = unfreeze_stall_graph_unmap;
  widget_class->css_changed = unfreeze_stall_graph_css_changed;
  widget_class->root = unfreeze_stall_graph_root;

  gtk_widget_class_set_css_name (widget_class, "stallgraph");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
unfreeze_stall_graph_init (UnfreezeStallGraph *self)
{
  /* The meter starts on first use: the graph has history from the moment it exists. */
  unfreeze_stall_meter_get_default ();

  /* Small, tabular figures for the scale and the peak. */
  gtk_widget_add_css_class (GTK_WIDGET (self), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self), "numeric");

  self->labelled_ms = -1;
  update_accessible_label (self);
}

GtkWidget *
unfreeze_stall_graph_new (void)
{
  return g_object_new (UNFREEZE_TYPE_STALL_GRAPH, NULL);
}

/* The longest stall in the graph's 10 seconds, as of its last draw. */
gint64
unfreeze_stall_graph_get_longest_stall (UnfreezeStallGraph *self)
{
  g_return_val_if_fail (UNFREEZE_IS_STALL_GRAPH (self), 0);

  return self->longest_us;
}
