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
  GdkRGBA dim;         /* the frame budget, the scale's labels */
  GdkRGBA faint;       /* grid lines */
  GdkRGBA ground;      /* the plot area */
  GdkRGBA baseline;
  GdkRGBA shade;       /* the time a freeze lasted */
  GdkRGBA ok;          /* bars within the frame budget: smooth */
  GdkRGBA warning;     /* bars over the budget: a stutter */
  GdkRGBA long_task;   /* bars of a long task, between warning and error */
  GdkRGBA error;       /* bars of a freeze users perceive */
  GdkRGBA error_text;
  GdkRGBA warning_text;
} Colors;

struct _UnfreezeStallGraph
{
  UnfreezeChart        parent_instance;

  gint64               scroll;            /* the time, in pixels, of the last redraw */
  gint64               longest_us;        /* the longest stall in view at the last draw */
  gint64               labelled_ms;       /* what the accessible label says; -1: nothing */
  gint64               labelled_at_us;

  PangoLayout         *grid_layouts[N_GRID];
  PangoLayout         *peak_layout;
  gint64               peak_ms;           /* what peak_layout says */

  UnfreezeRun         *run;               /* whose inputs are marked; NULL: none */

  /* A finished run's samples at a fixed span of time (a comparison), instead of the live
   * meter's last 10 s; NULL: live. */
  GArray              *history;
  gint64               history_start_us;
  gint64               history_span_us;
  double               history_plot_x;    /* where the plot begins; the scale left of it */

  UnfreezeStallSample  samples[MAX_SAMPLES];
};

G_DEFINE_FINAL_TYPE (UnfreezeStallGraph, unfreeze_stall_graph, UNFREEZE_TYPE_CHART)

/* 0 at the bottom, 1 at the top. */
static double
latency_fraction (gint64 late_us)
{
  double ms = late_us / 1000.0;

  return CLAMP (log1p (ms / SCALE_KNEE_MS) / log1p (SCALE_TOP_MS / SCALE_KNEE_MS), 0.0, 1.0);
}

static void
get_graph_colors (UnfreezeStallGraph *self,
                  Colors             *colors)
{
  UnfreezeChart *chart = UNFREEZE_CHART (self);

  unfreeze_chart_get_fg (chart, &colors->fg);
  unfreeze_chart_lookup_color (chart, "accent_bg_color", "#3584e4", &colors->ok);
  unfreeze_chart_lookup_color (chart, "warning_bg_color", "#e5a50a", &colors->warning);
  unfreeze_chart_lookup_color (chart, "error_bg_color", "#e01b24", &colors->error);
  unfreeze_chart_lookup_color (chart, "error_color", "#c01c28", &colors->error_text);
  unfreeze_chart_lookup_color (chart, "warning_color", "#9c6e03", &colors->warning_text);

  /* libadwaita names no orange: halfway from warning to error. */
  colors->long_task.red = (colors->warning.red + colors->error.red) / 2;
  colors->long_task.green = (colors->warning.green + colors->error.green) / 2;
  colors->long_task.blue = (colors->warning.blue + colors->error.blue) / 2;
  colors->long_task.alpha = (colors->warning.alpha + colors->error.alpha) / 2;

  colors->dim = unfreeze_chart_with_alpha (&colors->fg, 0.55f);
  colors->faint = unfreeze_chart_with_alpha (&colors->fg, 0.10f);
  colors->ground = unfreeze_chart_with_alpha (&colors->fg, 0.04f);
  colors->baseline = unfreeze_chart_with_alpha (&colors->fg, 0.25f);
  colors->shade = unfreeze_chart_with_alpha (&colors->error, 0.14f);
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

static void
ensure_layouts (UnfreezeStallGraph *self)
{
  for (guint i = 0; i < N_GRID; i++)
    unfreeze_chart_ensure_layout (UNFREEZE_CHART (self), &self->grid_layouts[i],
                                  _(grid_lines[i].label));

  if (self->peak_layout == NULL)
    {
      self->peak_layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
      self->peak_ms = -1;
    }
}

static void
unfreeze_stall_graph_clear_layouts (UnfreezeChart *chart)
{
  UnfreezeStallGraph *self = UNFREEZE_STALL_GRAPH (chart);

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
  gint64 start_us;   /* at the left edge */
  gint64 span_us;    /* from one edge to the other */
  double left;       /* where the plot begins in the widget; > 0: the scale's labels left of it */
  const UnfreezeStallSample *samples;
  guint  n;          /* samples, in samples */
  double width;
  double height;     /* the widget's: the scale's labels may use all of it */
  double top;
  double bottom;
} Plot;

/* The longest stall in view, and when it ended. */
typedef struct
{
  gint64 late_us;
  gint64 time_us;
} Peak;

static double
plot_x (const Plot *plot,
        gint64      time_us)
{
  return plot->width - (double) (plot->now_us - time_us) * plot->width / plot->span_us;
}

static double
plot_y (const Plot *plot,
        gint64      late_us)
{
  return plot->bottom - round (latency_fraction (late_us) * (plot->bottom - plot->top));
}

/* The plot takes the width the scale's labels leave, below a line of text for the peak's
 * label; and the samples of the last WINDOW_US up to now, or the history's span. FALSE: no
 * room to draw. */
static gboolean
compute_plot (UnfreezeStallGraph *self,
              Plot               *plot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (widget);
  PangoRectangle extents;
  double axis_w = 0;

  for (guint i = 0; i < N_GRID; i++)
    {
      pango_layout_get_pixel_extents (self->grid_layouts[i], NULL, &extents);
      axis_w = MAX (axis_w, extents.width + 6);
    }

  plot->height = unfreeze_chart_get_height (UNFREEZE_CHART (self));
  plot->width = floor (unfreeze_chart_get_width (UNFREEZE_CHART (self)) - axis_w);
  plot->left = 0;
  /* A history lines up with a timeline below it (unfreeze_timeline_set_scale()). */
  if (self->history != NULL && self->history_plot_x > 0)
    {
      plot->left = self->history_plot_x;
      plot->width = floor (unfreeze_chart_get_width (UNFREEZE_CHART (self)) - plot->left
                           - UNFREEZE_CHART_PLOT_END_MARGIN);
    }
  plot->top = extents.height + 2;
  plot->bottom = plot->height - 1;
  if (plot->width < BAR_STEP * 4 || plot->bottom - plot->top < 4)
    return FALSE;

  if (self->history != NULL)
    {
      plot->samples = (const UnfreezeStallSample *) (gpointer) self->history->data;
      plot->n = self->history->len;
      plot->span_us = self->history_span_us;
      plot->start_us = self->history_start_us;
      plot->now_us = plot->start_us + plot->span_us;
      return TRUE;
    }

  plot->samples = self->samples;
  plot->span_us = WINDOW_US;
  plot->n = unfreeze_stall_meter_get_samples (unfreeze_stall_meter_get_default (),
                                              self->samples, MAX_SAMPLES);

  /* The frame time scrolls smoothly; it may lag the newest sample when drawing outside a
   * frame (a screenshot). */
  plot->now_us = frame_clock != NULL ? gdk_frame_clock_get_frame_time (frame_clock)
                                     : g_get_monotonic_time ();
  if (plot->n > 0)
    plot->now_us = MAX (plot->now_us, self->samples[plot->n - 1].time_us);
  plot->start_us = plot->now_us - WINDOW_US;

  return TRUE;
}

/* Freezes shade the time they lasted: nothing ran there. */
static void
draw_freezes (UnfreezeStallGraph *self,
              GtkSnapshot        *snapshot,
              const Colors       *colors,
              const Plot         *plot)
{
  for (guint i = 0; i < plot->n; i++)
    {
      const UnfreezeStallSample *sample = &plot->samples[i];
      double x0, x1;

      if (sample->time_us < plot->start_us ||
          unfreeze_verdict_for_stall (sample->late_us) < UNFREEZE_VERDICT_FROZEN)
        continue;

      x0 = floor (plot_x (plot, sample->time_us - sample->late_us));
      x1 = floor (plot_x (plot, sample->time_us));
      unfreeze_chart_append_rect (snapshot, &colors->shade, x0, plot->top, x1 - x0,
                                  plot->bottom - plot->top);
    }
}

/* Grid lines for 100 ms and 1 s. */
static void
draw_grid (GtkSnapshot  *snapshot,
           const Colors *colors,
           const Plot   *plot)
{
  unfreeze_chart_append_rect (snapshot, &colors->faint,
                              0, plot_y (plot, grid_lines[GRID_100_MS].us), plot->width, 1);
  unfreeze_chart_append_rect (snapshot, &colors->faint,
                              0, plot_y (plot, grid_lines[GRID_1_S].us), plot->width, 1);
}

/* The bars: the worst lateness in each bin of time. Bins are fixed in time, so bars scroll
 * by without flickering. Returns the longest stall in view. */
static Peak
draw_bars (UnfreezeStallGraph *self,
           GtkSnapshot        *snapshot,
           const Colors       *colors,
           const Plot         *plot)
{
  gint64 bin_us = MAX (1, (gint64) (plot->span_us * BAR_STEP / plot->width));
  gint64 bin = G_MININT64;
  gint64 bin_late = 0;
  Peak peak = { 0, 0 };

  for (guint i = 0; i <= plot->n; i++)
    {
      const UnfreezeStallSample *sample = i < plot->n ? &plot->samples[i] : NULL;
      gint64 sample_bin = 0;

      if (sample != NULL)
        {
          if (sample->time_us < plot->start_us || sample->time_us > plot->now_us)
            continue;
          sample_bin = sample->time_us / bin_us;
          if (sample->late_us > peak.late_us)
            {
              peak.late_us = sample->late_us;
              peak.time_us = sample->time_us;
            }
        }

      if (bin != G_MININT64 && (sample == NULL || sample_bin != bin))
        {
          double x = floor (plot_x (plot, bin * bin_us));
          double y = MIN (plot_y (plot, bin_late), plot->bottom - 1);

          unfreeze_chart_append_rect (snapshot, bar_color (colors, bin_late),
                                      x, y, BAR_STEP - 1, plot->bottom - y);
          bin_late = 0;
        }

      if (sample != NULL)
        {
          bin = sample_bin;
          bin_late = MAX (bin_late, sample->late_us);
        }
    }

  return peak;
}

/* The frame budget: a dashed line, as short rectangles. */
static void
draw_budget (GtkSnapshot  *snapshot,
             const Colors *colors,
             const Plot   *plot)
{
  double y = plot_y (plot, grid_lines[GRID_BUDGET].us);

  for (double x = 0; x < plot->width; x += 6)
    unfreeze_chart_append_rect (snapshot, &colors->dim, x, y, MIN (3, plot->width - x), 1);
}

/* The longest stall in view, written above its bar when it missed a frame. */
static void
draw_peak (UnfreezeStallGraph *self,
           GtkSnapshot        *snapshot,
           const Colors       *colors,
           const Plot         *plot,
           const Peak         *peak)
{
  UnfreezeVerdict verdict = unfreeze_verdict_for_stall (peak->late_us);
  const GdkRGBA *color;
  PangoRectangle extents;
  double x, y;

  if (verdict == UNFREEZE_VERDICT_SMOOTH)
    return;

  color = verdict == UNFREEZE_VERDICT_FROZEN ? &colors->error_text : &colors->warning_text;
  set_peak_text (self, peak->late_us / 1000);
  pango_layout_get_pixel_extents (self->peak_layout, NULL, &extents);
  x = CLAMP (plot_x (plot, peak->time_us) - extents.width / 2.0, 0, plot->width - extents.width);
  y = MAX (0, plot_y (plot, peak->late_us) - extents.height - 1);
  unfreeze_chart_append_layout (snapshot, self->peak_layout, color, round (x), y);
}

/* The baseline, and the scale's labels at the right. */
static void
draw_scale (UnfreezeStallGraph *self,
            GtkSnapshot        *snapshot,
            const Colors       *colors,
            const Plot         *plot)
{
  unfreeze_chart_append_rect (snapshot, &colors->baseline, 0, plot->bottom, plot->width, 1);

  for (guint i = 0; i < N_GRID; i++)
    {
      PangoRectangle extents;
      double y;

      pango_layout_get_pixel_extents (self->grid_layouts[i], NULL, &extents);
      y = plot_y (plot, grid_lines[i].us) - extents.height / 2.0;
      y = CLAMP (y, 0, plot->height - extents.height);
      unfreeze_chart_append_layout (snapshot, self->grid_layouts[i], &colors->dim,
                                    plot->left > 0 ? -extents.width - 6 : plot->width + 4,
                                    round (y));
    }
}

/* The user's inputs during the run: a tick where each happened, and a line along the bottom
 * for as long as it waited to be painted. An answered input is a short tick; one typed into a
 * freeze draws its wait across the shaded time. */
static void
draw_inputs (UnfreezeStallGraph *self,
             GtkSnapshot        *snapshot,
             const Colors       *colors,
             const Plot         *plot)
{
  const UnfreezeInput *inputs;
  guint n;

  if (self->run == NULL || (inputs = unfreeze_run_get_inputs (self->run, &n)) == NULL)
    return;

  for (guint i = 0; i < n; i++)
    {
      const GdkRGBA *color = inputs[i].wait_us > 2 * UNFREEZE_VERDICT_FRAME_US ? &colors->error_text
                                                                             : &colors->fg;
      double x0 = floor (plot_x (plot, inputs[i].event_us));
      double x1 = floor (plot_x (plot, inputs[i].event_us + inputs[i].wait_us));

      if (x1 < 0)
        continue;
      unfreeze_chart_append_rect (snapshot, color, x0, plot->bottom - 8, 2, 8);
      unfreeze_chart_append_rect (snapshot, color, x0, plot->bottom - 2, MAX (x1 - x0, 2), 2);
    }
}

static void
unfreeze_stall_graph_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  UnfreezeStallGraph *self = UNFREEZE_STALL_GRAPH (widget);
  Colors colors;
  Plot plot;
  Peak peak;

  ensure_layouts (self);
  if (!compute_plot (self, &plot))
    return;
  get_graph_colors (self, &colors);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (plot.left, 0));
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, plot.width, plot.height));
  /* The plot area, faintly. */
  unfreeze_chart_append_rect (snapshot, &colors.ground, 0, plot.top, plot.width,
                              plot.bottom - plot.top + 1);
  draw_freezes (self, snapshot, &colors, &plot);
  draw_grid (snapshot, &colors, &plot);
  peak = draw_bars (self, snapshot, &colors, &plot);
  draw_budget (snapshot, &colors, &plot);
  draw_inputs (self, snapshot, &colors, &plot);
  self->longest_us = peak.late_us;
  draw_peak (self, snapshot, &colors, &plot, &peak);
  gtk_snapshot_pop (snapshot);

  draw_scale (self, snapshot, &colors, &plot);
  gtk_snapshot_restore (snapshot);
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
  if (self->history != NULL)
    label = g_strdup_printf (_("Main loop latency during the run: longest stall %s ms"), count);
  else
    label = g_strdup_printf (_("Main loop latency over the last 10 seconds: longest stall %s ms"),
                             count);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  self->labelled_ms = longest_ms;
}

/* Ticking while on screen (UnfreezeChart): a hidden graph costs nothing. */
static void
unfreeze_stall_graph_tick (UnfreezeChart *chart,
                           gint64         frame_time_us)
{
  UnfreezeStallGraph *self = UNFREEZE_STALL_GRAPH (chart);
  int width = MAX (gtk_widget_get_width (GTK_WIDGET (self)), 1);
  gint64 scroll = frame_time_us / (WINDOW_US / width);

  /* The bars sit on whole pixels: draw again only once they have moved by one, about 36
   * times a second, not on every frame. */
  if (scroll != self->scroll)
    {
      self->scroll = scroll;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }

  if (frame_time_us - self->labelled_at_us >= LABEL_EVERY_US)
    {
      update_accessible_label (self);
      self->labelled_at_us = frame_time_us;
    }
}

/* A history does not move: no tick. */
static gboolean
unfreeze_stall_graph_wants_tick (UnfreezeChart *chart)
{
  return UNFREEZE_STALL_GRAPH (chart)->history == NULL;
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

static void
unfreeze_stall_graph_dispose (GObject *object)
{
  UnfreezeStallGraph *self = (UnfreezeStallGraph *)object;

  g_clear_object (&self->run);
  g_clear_pointer (&self->history, g_array_unref);

  G_OBJECT_CLASS (unfreeze_stall_graph_parent_class)->dispose (object);
}

static void
unfreeze_stall_graph_class_init (UnfreezeStallGraphClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  UnfreezeChartClass *chart_class = UNFREEZE_CHART_CLASS (klass);

  object_class->dispose = unfreeze_stall_graph_dispose;
  widget_class->snapshot = unfreeze_stall_graph_snapshot;
  widget_class->measure = unfreeze_stall_graph_measure;

  chart_class->clear_layouts = unfreeze_stall_graph_clear_layouts;
  chart_class->tick = unfreeze_stall_graph_tick;
  chart_class->wants_tick = unfreeze_stall_graph_wants_tick;

  gtk_widget_class_set_css_name (widget_class, "stallgraph");
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

/* Marks @run's inputs on the graph (key presses and clicks, and how long each waited). */
void
unfreeze_stall_graph_set_run (UnfreezeStallGraph *self,
                              UnfreezeRun        *run)
{
  g_return_if_fail (UNFREEZE_IS_STALL_GRAPH (self));
  g_return_if_fail (run == NULL || UNFREEZE_IS_RUN (run));

  g_set_object (&self->run, run);
}

/**
 * unfreeze_stall_graph_set_history:
 * @samples: (nullable) (element-type UnfreezeStallSample): the heartbeat's samples, as
 *   unfreeze_stall_meter_get_samples() gives them; %NULL: the live graph again
 * @start_us: the monotonic time at the left edge
 * @span_us: the time from the left edge to the right one
 * @plot_x: where the plot begins, the scale's labels left of it (as a timeline's lanes
 *   begin after the names, unfreeze_timeline_set_scale()); 0: the plot from the left edge
 *
 * Draws @samples from @start_us over @span_us instead of the meter's last 10 seconds, and
 * stops moving: a finished run in a comparison, where every run's graph has the same span.
 */
void
unfreeze_stall_graph_set_history (UnfreezeStallGraph *self,
                                  GArray             *samples,
                                  gint64              start_us,
                                  gint64              span_us,
                                  double              plot_x)
{
  g_return_if_fail (UNFREEZE_IS_STALL_GRAPH (self));
  g_return_if_fail (samples == NULL || g_array_get_element_size (samples) == sizeof (UnfreezeStallSample));
  g_return_if_fail (samples == NULL || span_us > 0);

  g_clear_pointer (&self->history, g_array_unref);
  if (samples != NULL)
    self->history = g_array_ref (samples);
  self->history_start_us = start_us;
  self->history_span_us = span_us;
  self->history_plot_x = plot_x;

  /* A still graph says its longest stall once. */
  if (samples != NULL)
    {
      const UnfreezeStallSample *sample = (const UnfreezeStallSample *) (gpointer) samples->data;

      self->longest_us = 0;
      for (guint i = 0; i < samples->len; i++)
        if (sample[i].time_us >= start_us && sample[i].time_us <= start_us + span_us)
          self->longest_us = MAX (self->longest_us, sample[i].late_us);
      self->labelled_ms = -1;
      update_accessible_label (self);
    }

  unfreeze_chart_update_ticking (UNFREEZE_CHART (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
