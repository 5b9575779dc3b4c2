/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What each thread did during one run: one lane per thread, the UI thread first, then the
 * workers in the order they appeared; time runs left to right, from the run's start to now
 * (while it runs) or to its end.
 *
 * The UI thread's lane says whether it could draw. Its own spans are synchronous: the Run
 * handler, a callback, rows being shown. Red where that held the thread for a frame or
 * more (gray when shorter); red stripes where it *waited* (slept, or waited for the server
 * inside a callback): the blocking mistake, made to look alarming. A wait that outlives the
 * callback it began in was asynchronous (the main-loop mode): the thread was free, so it is
 * drawn like a worker's wait. Green blocks are callbacks handed over from workers; green
 * arrows the hand-offs; a red ✕ on a worker's lane an update the UI-thread guard refused.
 * A red outline, with the call's name where it fits, is a call that should have returned at
 * once and held the thread instead (the main-loop mode times its calls into libpq). Orange
 * is a worker waiting for the UI thread; dark orange arrows say who waits for whom: from the
 * start of a wait to the thread it waits for (two that point at each other: a deadlock).
 *
 * While the run is in flight the timeline redraws on every frame; once it is over, once.
 * With many threads the worker lanes get thin, and past what fits, a "+N more threads"
 * note takes the rest.
 */
#define G_LOG_DOMAIN "Unfreeze-Timeline"

#include "config.h"

#include "unfreeze-timeline.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "unfreeze-timeline-scan.h"

#define LANE_MAX_H       22.0
#define LANE0_MIN_H      16.0
#define LANE_MIN_H       3.0
#define NATURAL_LANES    6
#define LABEL_GAP        8.0
#define TICK_MIN_PX      70.0
#define MAX_TICKS        16
#define LABEL_EVERY_US   (500 * 1000)   /* accessible label updates while running, at most */

/* The legend's words, one for each UnfreezeTimelineStyle. */
static const char * const style_names[UNFREEZE_TIMELINE_N_STYLES] = {
  N_("UI thread blocked"),
  N_("UI thread busy"),
  N_("UI thread working"),
  N_("Connecting"),
  N_("Waiting for the server"),
  N_("Reading rows"),
  N_("Sleeping"),
  N_("Callback on the UI thread"),
  N_("Showing rows"),
  N_("Hand-off"),
  N_("Refused update"),
  N_("Blocking call"),
  N_("Waiting for the UI thread"),
  N_("Waits for"),
  N_("Computing"),
};

typedef struct
{
  GdkRGBA fg;
  GdkRGBA background;
  GdkRGBA fills[UNFREEZE_TIMELINE_N_STYLES];
  GdkRGBA blocked_dark;   /* the blocked stripes' second colour */
} Colors;

typedef struct
{
  double text_h;
  double plot_x;
  double plot_w;
  double lanes_top;
  double lane0_h;
  double lane_h;
  guint  n_visible;        /* lanes drawn, lane 0 included */
  double lanes_bottom;
  double axis_y;
  double legend_y;         /* the legend's first row */
  double swatch;           /* the legend's colour squares */
  guint  legend_rows;      /* 0: no room for a legend */
  double legend_x[UNFREEZE_TIMELINE_N_STYLES];
  int    legend_row[UNFREEZE_TIMELINE_N_STYLES];   /* -1: not shown */
} Geometry;

struct _UnfreezeTimeline
{
  UnfreezeChart parent_instance;

  UnfreezeRun *run;
  gint64       scale_end_us;       /* the right edge at least here: a comparison's common scale */
  double       fixed_plot_x;       /* where the lanes begin, for them all; 0: after the names */
  gint64       labelled_at_us;
  char        *summary;            /* the accessible label */
  guint        natural_lanes;      /* lanes the size request was made for */

  PangoLayout *lane_layouts[UNFREEZE_RUN_MAX_THREADS];
  guint        lane_layout_thread[UNFREEZE_RUN_MAX_THREADS];
  PangoLayout *workers_layout;     /* "200 worker threads", for lanes too thin to name */
  guint        workers_count;
  PangoLayout *note_layout;        /* "+169 more threads" */
  guint        note_count;
  PangoLayout *tick_layouts[MAX_TICKS];
  char         tick_texts[MAX_TICKS][24];
  PangoLayout *legend_layouts[UNFREEZE_TIMELINE_N_STYLES];
  GHashTable  *call_layouts;       /* a blocking call's name (static string) → PangoLayout */
};

G_DEFINE_FINAL_TYPE (UnfreezeTimeline, unfreeze_timeline, UNFREEZE_TYPE_CHART)

/* Looking at the spans -------------------------------------------------------------- */

static void
scan_run (UnfreezeTimeline     *self,
          UnfreezeTimelineScan *scan)
{
  UnfreezeRun *run = self->run;
  gint64 expected_end_us = self->scale_end_us;

  /* While running, the scale leaves room for the wait the run asked for. */
  if (!unfreeze_run_get_finished (run))
    expected_end_us = MAX (expected_end_us,
                           (gint64) (unfreeze_run_get_delay (run) * G_USEC_PER_SEC) + 500 * 1000);

  unfreeze_timeline_scan_init (scan, unfreeze_run_dup_spans (run),
                               unfreeze_run_get_elapsed_us (run), expected_end_us);
}

/* The accessible label ---------------------------------------------------------------- */

static char *
dup_summary (const UnfreezeTimelineScan *scan)
{
  g_autofree char *threads = NULL;
  g_autofree char *busy_ms = NULL;
  g_autofree char *busy = NULL;
  g_autofree char *refused = NULL;

  if (scan == NULL)
    return g_strdup (_("Timeline: no run yet"));

  /* Translators: the three parts are joined as in "Timeline: 2 threads; main thread busy
   * 3,004 ms; 1 refused update" */
  threads = g_strdup_printf (ngettext ("Timeline: %u thread", "Timeline: %u threads",
                                       scan->n_lanes),
                             scan->n_lanes);
  busy_ms = unfreeze_format_count (scan->busy_us / 1000);
  busy = g_strdup_printf (_("main thread busy %s ms"), busy_ms);
  if (scan->n_refused == 0)
    return g_strdup_printf ("%s; %s", threads, busy);

  refused = g_strdup_printf (ngettext ("%u refused update", "%u refused updates",
                                       scan->n_refused),
                             scan->n_refused);

  return g_strdup_printf ("%s; %s; %s", threads, busy, refused);
}

static void
update_summary (UnfreezeTimeline           *self,
                const UnfreezeTimelineScan *scan)
{
  g_autofree char *summary = dup_summary (scan);

  if (g_strcmp0 (summary, self->summary) == 0)
    return;

  g_free (self->summary);
  self->summary = g_steal_pointer (&summary);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->summary,
                                  -1);
}

/* Drawing ---------------------------------------------------------------------------- */

/* Each style's colour from the theme (libadwaita's palette), with its value there for a
 * theme that has none. Work on the UI thread is drawn in the text colour, faintly. */
static const struct
{
  const char *name;
  const char *fallback;
} style_colors[UNFREEZE_TIMELINE_N_STYLES] = {
  [UNFREEZE_TIMELINE_BLOCKED] = { "error_bg_color", "#e01b24" },
  [UNFREEZE_TIMELINE_BUSY] = { "error_bg_color", "#e01b24" },
  [UNFREEZE_TIMELINE_WORK] = { NULL, NULL },
  [UNFREEZE_TIMELINE_CONNECT] = { "purple_3", "#9141ac" },
  [UNFREEZE_TIMELINE_QUERY] = { "blue_3", "#3584e4" },
  [UNFREEZE_TIMELINE_FETCH] = { "blue_1", "#99c1f1" },
  [UNFREEZE_TIMELINE_SLEEP] = { "light_5", "#9a9996" },
  [UNFREEZE_TIMELINE_IDLE] = { "green_4", "#2ec27e" },
  [UNFREEZE_TIMELINE_APPLY] = { "green_5", "#26a269" },
  [UNFREEZE_TIMELINE_HANDOFF] = { "green_5", "#26a269" },
  [UNFREEZE_TIMELINE_REFUSED] = { "error_bg_color", "#e01b24" },
  [UNFREEZE_TIMELINE_BLOCKING_CALL] = { "error_bg_color", "#e01b24" },
  [UNFREEZE_TIMELINE_WAIT_UI] = { "orange_3", "#ff7800" },
  [UNFREEZE_TIMELINE_WAITS_FOR] = { "orange_5", "#c64600" },
  [UNFREEZE_TIMELINE_COMPUTE] = { "purple_3", "#9141ac" },
};

static void
get_timeline_colors (UnfreezeTimeline *self,
                     Colors           *colors)
{
  UnfreezeChart *chart = UNFREEZE_CHART (self);

  unfreeze_chart_get_fg (chart, &colors->fg);
  unfreeze_chart_lookup_color (chart, "window_bg_color", UNFREEZE_CHART_LIGHT_BG,
                               &colors->background);
  unfreeze_chart_lookup_color (chart, "red_5", "#a51d2d", &colors->blocked_dark);

  for (UnfreezeTimelineStyle style = 0; style < UNFREEZE_TIMELINE_N_STYLES; style++)
    if (style_colors[style].name != NULL)
      unfreeze_chart_lookup_color (chart, style_colors[style].name, style_colors[style].fallback,
                                   &colors->fills[style]);
  colors->fills[UNFREEZE_TIMELINE_WORK] = unfreeze_chart_with_alpha (&colors->fg, 0.35f);
}

/* Diagonal red stripes: the UI thread blocked. */
static void
append_stripes (GtkSnapshot  *snapshot,
                const Colors *colors,
                double        x,
                double        y,
                double        width,
                double        height)
{
  GskColorStop stops[4] = {
    { 0.0f, colors->fills[UNFREEZE_TIMELINE_BLOCKED] },
    { 0.5f, colors->fills[UNFREEZE_TIMELINE_BLOCKED] },
    { 0.5f, colors->blocked_dark },
    { 1.0f, colors->blocked_dark },
  };

  if (width <= 0 || height <= 0)
    return;

  gtk_snapshot_append_repeating_linear_gradient (snapshot,
                                                 &GRAPHENE_RECT_INIT (x, y, width, height),
                                                 &GRAPHENE_POINT_INIT (0, 0),
                                                 &GRAPHENE_POINT_INIT (6, 6),
                                                 stops, G_N_ELEMENTS (stops));
}

static void
append_fill (GtkSnapshot           *snapshot,
             const Colors          *colors,
             UnfreezeTimelineStyle  style,
             double                 x,
             double                 y,
             double                 width,
             double                 height)
{
  if (style == UNFREEZE_TIMELINE_BLOCKED)
    append_stripes (snapshot, colors, x, y, width, height);
  else
    unfreeze_chart_append_rect (snapshot, &colors->fills[style], x, y, width, height);
}

/* A blocking call: a red frame around a pale red block, so it stands out from the busy
 * (solid red) and waiting (striped) spans it usually sits on. */
static void
append_outline (GtkSnapshot  *snapshot,
                const Colors *colors,
                double        x,
                double        y,
                double        width,
                double        height)
{
  const GdkRGBA *red = &colors->fills[UNFREEZE_TIMELINE_BLOCKING_CALL];
  GdkRGBA pale = unfreeze_chart_with_alpha (red, 0.25f);
  GdkRGBA border[4] = { *red, *red, *red, *red };
  float thickness = width >= 4 && height >= 4 ? 1.5f : 1.0f;
  float widths[4] = { thickness, thickness, thickness, thickness };

  if (width <= 0 || height <= 0)
    return;

  unfreeze_chart_append_rect (snapshot, &colors->background, x, y, width, height);
  unfreeze_chart_append_rect (snapshot, &pale, x, y, width, height);
  gtk_snapshot_append_border (snapshot,
                              &GSK_ROUNDED_RECT_INIT (x, y, width, height),
                              widths, border);
}

/* A triangle pointing up (or, with @down, down) with its tip at (@x, @y): a square turned
 * by 45°, its other half clipped away. */
static void
append_arrow_head (GtkSnapshot   *snapshot,
                   const GdkRGBA *color,
                   double         x,
                   double         y,
                   double         size,
                   gboolean       down)
{
  double half = size / 2.0;
  double side = size / G_SQRT2;

  gtk_snapshot_push_clip (snapshot,
                          &GRAPHENE_RECT_INIT (x - half, down ? y - half : y, size, half));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, down ? y - half : y + half));
  gtk_snapshot_rotate (snapshot, 45);
  unfreeze_chart_append_rect (snapshot, color, -side / 2, -side / 2, side, side);
  gtk_snapshot_restore (snapshot);
  gtk_snapshot_pop (snapshot);
}

/* An arrow from @from to (from.x, @to_y), up or down: "this thread waits for that one". On
 * a border of the window's ground, so it reads over any span. */
static void
append_wait_arrow (GtkSnapshot            *snapshot,
                   const Colors           *colors,
                   const graphene_point_t *from,
                   double                  to_y,
                   double                  head)
{
  double x = from->x;
  double from_y = from->y;
  const GdkRGBA *color = &colors->fills[UNFREEZE_TIMELINE_WAITS_FOR];
  gboolean down = to_y > from_y;
  double shaft_end = down ? to_y - head / 2 : to_y + head / 2;
  double top = MIN (from_y, shaft_end);
  double height = fabs (shaft_end - from_y);

  unfreeze_chart_append_rect (snapshot, &colors->background, x - 2, top, 4, height);
  unfreeze_chart_append_rect (snapshot, color, x - 1, top, 2, height);
  append_arrow_head (snapshot, &colors->background, x, down ? to_y + 1.5 : to_y - 1.5,
                     head + 3, down);
  append_arrow_head (snapshot, color, x, to_y, head, down);
}

static void
append_cross (GtkSnapshot   *snapshot,
              const GdkRGBA *color,
              double         x,
              double         y,
              double         size,
              double         thickness)
{
  for (int angle = 45; angle <= 135; angle += 90)
    {
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
      gtk_snapshot_rotate (snapshot, angle);
      unfreeze_chart_append_rect (snapshot, color, -size / 2, -thickness / 2, size, thickness);
      gtk_snapshot_restore (snapshot);
    }
}

static void
append_legend_swatch (GtkSnapshot           *snapshot,
                      const Colors          *colors,
                      UnfreezeTimelineStyle  style,
                      double                 x,
                      double                 y,
                      double                 size)
{
  switch (style)
    {
    case UNFREEZE_TIMELINE_HANDOFF:
      unfreeze_chart_append_rect (snapshot, &colors->fills[style],
                                  x + size / 2 - 1, y + size / 3, 2, size * 2 / 3);
      append_arrow_head (snapshot, &colors->fills[style], x + size / 2, y, size * 0.8, FALSE);
      break;

    case UNFREEZE_TIMELINE_REFUSED:
      append_cross (snapshot, &colors->background, x + size / 2, y + size / 2, size * 1.2, 4);
      append_cross (snapshot, &colors->fills[style], x + size / 2, y + size / 2, size * 1.1, 2);
      break;

    case UNFREEZE_TIMELINE_BLOCKING_CALL:
      append_outline (snapshot, colors, x, y, size, size);
      break;

    case UNFREEZE_TIMELINE_WAITS_FOR:
      append_wait_arrow (snapshot, colors, &GRAPHENE_POINT_INIT (x + size / 2, y + size), y,
                         size * 0.8);
      break;

    case UNFREEZE_TIMELINE_BLOCKED:
    case UNFREEZE_TIMELINE_BUSY:
    case UNFREEZE_TIMELINE_WORK:
    case UNFREEZE_TIMELINE_CONNECT:
    case UNFREEZE_TIMELINE_QUERY:
    case UNFREEZE_TIMELINE_FETCH:
    case UNFREEZE_TIMELINE_SLEEP:
    case UNFREEZE_TIMELINE_IDLE:
    case UNFREEZE_TIMELINE_APPLY:
    case UNFREEZE_TIMELINE_WAIT_UI:
    case UNFREEZE_TIMELINE_COMPUTE:
    case UNFREEZE_TIMELINE_N_STYLES:
    default:
      append_fill (snapshot, colors, style, x, y, size, size);
      break;
    }
}

static void
unfreeze_timeline_clear_layouts (UnfreezeChart *chart)
{
  UnfreezeTimeline *self = UNFREEZE_TIMELINE (chart);

  for (guint i = 0; i < UNFREEZE_RUN_MAX_THREADS; i++)
    g_clear_object (&self->lane_layouts[i]);
  for (guint i = 0; i < MAX_TICKS; i++)
    {
      g_clear_object (&self->tick_layouts[i]);
      self->tick_texts[i][0] = '\0';
    }
  for (guint i = 0; i < UNFREEZE_TIMELINE_N_STYLES; i++)
    g_clear_object (&self->legend_layouts[i]);
  g_clear_object (&self->workers_layout);
  g_clear_object (&self->note_layout);
  g_clear_pointer (&self->call_layouts, g_hash_table_unref);
}

/* A blocking call's name, for drawing inside its block. */
static PangoLayout *
call_layout (UnfreezeTimeline *self,
             const char       *call)
{
  PangoLayout *layout;

  if (self->call_layouts == NULL)
    self->call_layouts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  layout = g_hash_table_lookup (self->call_layouts, call);
  if (layout == NULL)
    {
      layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), call);
      g_hash_table_insert (self->call_layouts, g_strdup (call), layout);
    }

  return layout;
}

static PangoLayout *
workers_layout (UnfreezeTimeline *self,
                guint             n_workers)
{
  if (self->workers_layout == NULL || self->workers_count != n_workers)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u worker thread",
                                                         "%u worker threads", n_workers),
                                               n_workers);

      unfreeze_chart_ensure_layout (UNFREEZE_CHART (self), &self->workers_layout, NULL);
      pango_layout_set_text (self->workers_layout, text, -1);
      pango_layout_set_ellipsize (self->workers_layout, PANGO_ELLIPSIZE_END);
      self->workers_count = n_workers;
    }

  return self->workers_layout;
}

static PangoLayout *
note_layout (UnfreezeTimeline *self,
             guint             n_hidden)
{
  if (self->note_layout == NULL || self->note_count != n_hidden)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("+%u more thread",
                                                         "+%u more threads", n_hidden),
                                               n_hidden);

      unfreeze_chart_ensure_layout (UNFREEZE_CHART (self), &self->note_layout, NULL);
      pango_layout_set_text (self->note_layout, text, -1);
      self->note_count = n_hidden;
    }

  return self->note_layout;
}

static PangoLayout *
lane_layout (UnfreezeTimeline           *self,
             const UnfreezeTimelineScan *scan,
             guint                       lane)
{
  guint thread = scan->thread_of[lane];

  if (self->lane_layouts[lane] != NULL && self->lane_layout_thread[lane] != thread)
    g_clear_object (&self->lane_layouts[lane]);

  if (self->lane_layouts[lane] == NULL)
    {
      const char *name = lane == 0 ? _("Main (UI) thread") : scan->name_of[lane];

      self->lane_layouts[lane] = gtk_widget_create_pango_layout (GTK_WIDGET (self), name);
      pango_layout_set_ellipsize (self->lane_layouts[lane], PANGO_ELLIPSIZE_END);
      self->lane_layout_thread[lane] = thread;
    }

  return self->lane_layouts[lane];
}

static double
text_height (UnfreezeTimeline *self)
{
  PangoLayout *layout = unfreeze_chart_ensure_layout (UNFREEZE_CHART (self),
                                                      &self->legend_layouts[UNFREEZE_TIMELINE_BUSY],
                                                      _(style_names[UNFREEZE_TIMELINE_BUSY]));
  int height;

  pango_layout_get_pixel_size (layout, NULL, &height);

  return height;
}

static double
lane_top (const Geometry *geometry,
          guint           lane)
{
  if (lane == 0)
    return geometry->lanes_top;

  return geometry->lanes_top + geometry->lane0_h + (lane - 1) * geometry->lane_h;
}

static double
lane_height (const Geometry *geometry,
             guint           lane)
{
  return lane == 0 ? geometry->lane0_h : geometry->lane_h;
}

/* The legend names what the run shows, the lesson's colours first. */
static const UnfreezeTimelineStyle legend_order[] = {
  UNFREEZE_TIMELINE_BLOCKED, UNFREEZE_TIMELINE_BUSY, UNFREEZE_TIMELINE_BLOCKING_CALL,
  UNFREEZE_TIMELINE_REFUSED, UNFREEZE_TIMELINE_WAIT_UI, UNFREEZE_TIMELINE_WAITS_FOR,
  UNFREEZE_TIMELINE_QUERY, UNFREEZE_TIMELINE_COMPUTE, UNFREEZE_TIMELINE_HANDOFF,
  UNFREEZE_TIMELINE_IDLE, UNFREEZE_TIMELINE_CONNECT, UNFREEZE_TIMELINE_FETCH,
  UNFREEZE_TIMELINE_SLEEP, UNFREEZE_TIMELINE_APPLY, UNFREEZE_TIMELINE_WORK,
};

/* Places the legend's entries in rows as wide as the widget, up to @max_rows. */
static void
layout_legend (UnfreezeTimeline           *self,
               const UnfreezeTimelineScan *scan,
               double                      width,
               guint                       max_rows,
               Geometry                   *geometry)
{
  double x = 0;
  guint row = 0;

  for (guint i = 0; i < UNFREEZE_TIMELINE_N_STYLES; i++)
    geometry->legend_row[i] = -1;
  geometry->legend_rows = 0;
  geometry->swatch = MIN (10, geometry->text_h - 2);

  for (guint i = 0; i < G_N_ELEMENTS (legend_order); i++)
    {
      UnfreezeTimelineStyle style = legend_order[i];
      PangoLayout *layout;
      double item_w;
      int w;

      if ((scan->styles_seen & (1u << style)) == 0)
        continue;

      layout = unfreeze_chart_ensure_layout (UNFREEZE_CHART (self), &self->legend_layouts[style],
                                             _(style_names[style]));
      pango_layout_get_pixel_size (layout, &w, NULL);
      item_w = geometry->swatch + 4 + w;
      if (x > 0 && x + item_w > width)
        {
          row++;
          x = 0;
        }
      if (row >= max_rows || item_w > width)
        break;

      geometry->legend_x[style] = x;
      geometry->legend_row[style] = row;
      geometry->legend_rows = row + 1;
      x += item_w + 14;
    }
}

static void
compute_geometry (UnfreezeTimeline           *self,
                  const UnfreezeTimelineScan *scan,
                  Geometry                   *geometry)
{
  double width = unfreeze_chart_get_width (UNFREEZE_CHART (self));
  double height = unfreeze_chart_get_height (UNFREEZE_CHART (self));
  double lanes_h;
  double label_w = 0;
  guint n = scan->n_lanes;

  memset (geometry, 0, sizeof *geometry);
  geometry->text_h = text_height (self);

  /* Below the lanes: the time axis, then the legend in as many rows as there is room for.
   * The lanes get the rest. */
  if (height >= 5 * geometry->text_h + LANE0_MIN_H + 2 * LANE_MIN_H)
    layout_legend (self, scan, width, 2, geometry);
  else if (height >= 4 * geometry->text_h + LANE0_MIN_H)
    layout_legend (self, scan, width, 1, geometry);
  else
    layout_legend (self, scan, width, 0, geometry);
  geometry->lanes_top = 0;
  lanes_h = height - geometry->text_h - 8 - geometry->legend_rows * geometry->text_h
            - (geometry->legend_rows > 0 ? 4 : 0);
  lanes_h = MAX (lanes_h, 1);

  /* Lane 0 keeps a readable height; the workers share the rest, down to a few pixels
   * each; past that, the last row says how many more there are. */
  geometry->lane0_h = MIN (LANE_MAX_H, MAX (lanes_h / n, MIN (LANE0_MIN_H, lanes_h / 2)));
  geometry->n_visible = n;
  if (n > 1)
    {
      double rest = lanes_h - geometry->lane0_h;

      geometry->lane_h = MIN (LANE_MAX_H, rest / (n - 1));
      if (geometry->lane_h < LANE_MIN_H)
        {
          geometry->lane_h = LANE_MIN_H;
          geometry->n_visible = 1 + (guint) MAX (0, floor ((rest - geometry->text_h) / LANE_MIN_H));
          geometry->n_visible = MIN (geometry->n_visible, n);
        }
      geometry->lane_h = floor (geometry->lane_h);
    }
  geometry->lane0_h = floor (geometry->lane0_h);
  geometry->lanes_bottom = lane_top (geometry, geometry->n_visible);

  /* The axis and the legend follow the lanes (and the "+N more" note), however tall the
   * widget is. */
  geometry->axis_y = geometry->lanes_bottom + 1;
  if (geometry->n_visible < n)
    geometry->axis_y += geometry->text_h;
  geometry->legend_y = geometry->axis_y + geometry->text_h + 8;

  /* The names' column is as wide as the names drawn, up to a third of the width. */
  for (guint lane = 0; lane < geometry->n_visible; lane++)
    {
      int w;

      if (lane > 0 && geometry->lane_h < geometry->text_h)
        break;
      pango_layout_set_width (lane_layout (self, scan, lane), -1);
      pango_layout_get_pixel_size (lane_layout (self, scan, lane), &w, NULL);
      label_w = MAX (label_w, w);
    }
  if (geometry->n_visible > 1 && geometry->lane_h < geometry->text_h)
    {
      PangoLayout *layout = workers_layout (self, n - 1);
      int w;

      pango_layout_set_width (layout, -1);
      pango_layout_get_pixel_size (layout, &w, NULL);
      label_w = MAX (label_w, w);
    }
  label_w = MIN (label_w + LABEL_GAP, floor (width / 3));

  if (self->fixed_plot_x > 0)
    label_w = self->fixed_plot_x;

  /* Room at the right for marks at the very end, and for the last time label. */
  geometry->plot_x = label_w;
  geometry->plot_w = MAX (width - label_w - UNFREEZE_CHART_PLOT_END_MARGIN, 1);
}

static double
x_for (const Geometry             *geometry,
       const UnfreezeTimelineScan *scan,
       gint64                      time_us)
{
  return geometry->plot_x + (double) time_us * geometry->plot_w / scan->x_max_us;
}

/* A step of 1, 2 or 5 × 10ⁿ µs that leaves room between labels. */
static gint64
tick_step (const Geometry             *geometry,
           const UnfreezeTimelineScan *scan)
{
  gint64 magnitude = 1000;

  for (;;)
    {
      static const int factors[] = { 1, 2, 5 };

      for (guint i = 0; i < G_N_ELEMENTS (factors); i++)
        {
          gint64 step = magnitude * factors[i];

          if ((double) step * geometry->plot_w / scan->x_max_us >= TICK_MIN_PX &&
              scan->x_max_us / step < MAX_TICKS)
            return step;
        }

      magnitude *= 10;
    }
}

static PangoLayout *
tick_layout (UnfreezeTimeline *self,
             guint             index,
             gint64            time_us,
             gint64            step_us)
{
  char text[24];

  if (time_us == 0)
    g_snprintf (text, sizeof text, "0");
  else if (step_us >= G_USEC_PER_SEC && time_us % G_USEC_PER_SEC == 0)
    /* Translators: a time on the timeline's axis, in seconds */
    g_snprintf (text, sizeof text, _("%d s"), (int) (time_us / G_USEC_PER_SEC));
  else if (step_us >= 100 * 1000)
    g_snprintf (text, sizeof text, _("%.1f s"), time_us / (double) G_USEC_PER_SEC);
  else
    /* Translators: a time on the timeline's axis, in milliseconds */
    g_snprintf (text, sizeof text, _("%d ms"), (int) (time_us / 1000));

  unfreeze_chart_ensure_layout (UNFREEZE_CHART (self), &self->tick_layouts[index], NULL);
  if (strcmp (text, self->tick_texts[index]) != 0)
    {
      pango_layout_set_text (self->tick_layouts[index], text, -1);
      g_strlcpy (self->tick_texts[index], text, sizeof self->tick_texts[index]);
    }

  return self->tick_layouts[index];
}

static void
draw_axis (UnfreezeTimeline           *self,
           GtkSnapshot                *snapshot,
           const Colors               *colors,
           const Geometry             *geometry,
           const UnfreezeTimelineScan *scan)
{
  GdkRGBA line = unfreeze_chart_with_alpha (&colors->fg, 0.25f);
  GdkRGBA dim = unfreeze_chart_with_alpha (&colors->fg, 0.6f);
  gint64 step = tick_step (geometry, scan);
  double right = unfreeze_chart_get_width (UNFREEZE_CHART (self));

  unfreeze_chart_append_rect (snapshot, &line,
                              geometry->plot_x, geometry->axis_y, geometry->plot_w, 1);

  for (guint i = 0; i < MAX_TICKS && i * step <= scan->x_max_us; i++)
    {
      double x = round (x_for (geometry, scan, i * step));
      PangoLayout *layout = tick_layout (self, i, i * step, step);
      int w;

      unfreeze_chart_append_rect (snapshot, &line, x, geometry->axis_y, 1, 4);
      pango_layout_get_pixel_size (layout, &w, NULL);
      x = CLAMP (x - w / 2.0, geometry->plot_x, right - w);
      unfreeze_chart_append_layout (snapshot, layout, &dim, x, geometry->axis_y + 3);
    }
}

static void
draw_legend (UnfreezeTimeline *self,
             GtkSnapshot      *snapshot,
             const Colors     *colors,
             const Geometry   *geometry)
{
  GdkRGBA dim = unfreeze_chart_with_alpha (&colors->fg, 0.75f);
  double size = geometry->swatch;

  for (UnfreezeTimelineStyle style = 0; style < UNFREEZE_TIMELINE_N_STYLES; style++)
    {
      double x = geometry->legend_x[style];
      double y = geometry->legend_y + geometry->legend_row[style] * geometry->text_h;

      if (geometry->legend_row[style] < 0)
        continue;

      append_legend_swatch (snapshot, colors, style, x, y + (geometry->text_h - size) / 2, size);
      unfreeze_chart_append_layout (snapshot, self->legend_layouts[style], &dim, x + size + 4, y);
    }
}

static void
draw_lane_labels (UnfreezeTimeline           *self,
                  GtkSnapshot                *snapshot,
                  const Colors               *colors,
                  const Geometry             *geometry,
                  const UnfreezeTimelineScan *scan)
{
  GdkRGBA text = unfreeze_chart_with_alpha (&colors->fg, 0.85f);
  int label_w = (int) (geometry->plot_x - LABEL_GAP);

  if (label_w <= 0)
    return;

  for (guint lane = 0; lane < geometry->n_visible; lane++)
    {
      PangoLayout *layout;
      double h = lane_height (geometry, lane);

      if (h < geometry->text_h)
        break;

      layout = lane_layout (self, scan, lane);
      pango_layout_set_width (layout, label_w * PANGO_SCALE);
      unfreeze_chart_append_layout (snapshot, layout, lane == 0 ? &colors->fg : &text,
                                    0, lane_top (geometry, lane) + (h - geometry->text_h) / 2);
    }

  /* Lanes too thin to name: one label for them all. */
  if (geometry->n_visible > 1 && geometry->lane_h < geometry->text_h)
    {
      PangoLayout *layout = workers_layout (self, scan->n_lanes - 1);
      double top = lane_top (geometry, 1);
      double bottom = lane_top (geometry, geometry->n_visible);

      pango_layout_set_width (layout, label_w * PANGO_SCALE);
      unfreeze_chart_append_layout (snapshot, layout, &text,
                                    0, top + (bottom - top - geometry->text_h) / 2);
    }
}

static void
draw_more_note (UnfreezeTimeline           *self,
                GtkSnapshot                *snapshot,
                const Colors               *colors,
                const Geometry             *geometry,
                const UnfreezeTimelineScan *scan)
{
  GdkRGBA dim = unfreeze_chart_with_alpha (&colors->fg, 0.7f);
  guint hidden = scan->n_lanes - geometry->n_visible;

  if (hidden == 0)
    return;

  unfreeze_chart_append_layout (snapshot, note_layout (self, hidden), &dim,
                                geometry->plot_x + 2, geometry->lanes_bottom);
}

static void
draw_spans (GtkSnapshot                *snapshot,
            const Colors               *colors,
            const Geometry             *geometry,
            const UnfreezeTimelineScan *scan)
{
  /* Back to front: the handler, then what happened inside it, then rows being shown. */
  static const UnfreezeTimelineStyle layers[][UNFREEZE_TIMELINE_N_STYLES] = {
    { UNFREEZE_TIMELINE_BUSY, UNFREEZE_TIMELINE_WORK, UNFREEZE_TIMELINE_N_STYLES },
    { UNFREEZE_TIMELINE_BLOCKED, UNFREEZE_TIMELINE_CONNECT, UNFREEZE_TIMELINE_QUERY,
      UNFREEZE_TIMELINE_FETCH, UNFREEZE_TIMELINE_SLEEP, UNFREEZE_TIMELINE_IDLE,
      UNFREEZE_TIMELINE_WAIT_UI, UNFREEZE_TIMELINE_COMPUTE, UNFREEZE_TIMELINE_N_STYLES },
    { UNFREEZE_TIMELINE_APPLY, UNFREEZE_TIMELINE_N_STYLES },
  };

  for (guint layer = 0; layer < G_N_ELEMENTS (layers); layer++)
    for (guint i = 0; i < scan->spans->len; i++)
      {
        const UnfreezeSpan *span = &g_array_index (scan->spans, UnfreezeSpan, i);
        UnfreezeTimelineStyle style = scan->styles[i];
        guint lane = unfreeze_timeline_scan_get_lane (scan, span);
        gboolean in_layer = FALSE;
        double x0, x1, top, h, inset;

        for (guint k = 0; layers[layer][k] != UNFREEZE_TIMELINE_N_STYLES; k++)
          in_layer |= layers[layer][k] == style;
        if (!in_layer || lane >= geometry->n_visible)
          continue;

        /* Everything gets at least a pixel: a short callback is still a callback. */
        x0 = floor (x_for (geometry, scan, span->begin_us));
        x1 = round (x_for (geometry, scan, unfreeze_timeline_scan_span_end (scan, span)));
        x1 = MAX (x1, x0 + (style == UNFREEZE_TIMELINE_IDLE ||
                            style == UNFREEZE_TIMELINE_APPLY ? 2 : 1));

        h = lane_height (geometry, lane);
        inset = h >= 8 ? 1 : 0;
        top = lane_top (geometry, lane) + inset;
        h -= 2 * inset;
        /* Rows shown inside a callback: a smaller block within it. */
        if (style == UNFREEZE_TIMELINE_APPLY && h >= 8)
          {
            top += h / 4;
            h /= 2;
          }

        append_fill (snapshot, colors, style, x0, top, x1 - x0, h);
      }
}

typedef struct
{
  double      x0, x1, top, h;
  const char *label;
} CallBlock;

/* A blocking call's name: inside its block when it fits; otherwise beside it, on the right,
 * when that is free up to the next one (the tooltip names every one). */
static void
draw_call_label (UnfreezeTimeline *self,
                 GtkSnapshot      *snapshot,
                 const Colors     *colors,
                 const Geometry   *geometry,
                 const CallBlock  *block,
                 double            free_until)
{
  PangoLayout *layout;
  double y;
  int w;

  if (block->label == NULL || block->h < geometry->text_h)
    return;

  layout = call_layout (self, block->label);
  pango_layout_get_pixel_size (layout, &w, NULL);
  y = block->top + (block->h - geometry->text_h) / 2;
  if (w + 4 <= block->x1 - block->x0)
    unfreeze_chart_append_layout (snapshot, layout, &colors->fg, block->x0 + 2, y);
  else if (block->x1 + 6 + w <= free_until)
    {
      /* On the window's ground, so it reads on any span. */
      unfreeze_chart_append_rect (snapshot, &colors->background,
                                  block->x1 + 1, block->top, w + 4, block->h);
      unfreeze_chart_append_layout (snapshot, layout,
                                    &colors->fills[UNFREEZE_TIMELINE_BLOCKING_CALL],
                                    block->x1 + 3, y);
    }
}

/* On top of everything on its lane: a blocking call is the one thing that must not hide. */
static void
draw_blocking_calls (UnfreezeTimeline           *self,
                     GtkSnapshot                *snapshot,
                     const Colors               *colors,
                     const Geometry             *geometry,
                     const UnfreezeTimelineScan *scan)
{
  g_autoptr(GArray) blocks = g_array_new (FALSE, FALSE, sizeof (CallBlock));

  for (guint i = 0; i < scan->spans->len; i++)
    {
      const UnfreezeSpan *span = &g_array_index (scan->spans, UnfreezeSpan, i);
      guint lane = unfreeze_timeline_scan_get_lane (scan, span);
      CallBlock block;

      if (scan->styles[i] != UNFREEZE_TIMELINE_BLOCKING_CALL || lane >= geometry->n_visible)
        continue;

      block.x0 = floor (x_for (geometry, scan, span->begin_us));
      block.x1 = round (x_for (geometry, scan, unfreeze_timeline_scan_span_end (scan, span)));
      block.x1 = MAX (block.x1, block.x0 + 3);
      block.top = lane_top (geometry, lane);
      block.h = lane_height (geometry, lane);
      block.label = span->label;
      append_outline (snapshot, colors, block.x0, block.top, block.x1 - block.x0, block.h);
      g_array_append_val (blocks, block);
    }

  /* The main thread's calls come one after the other, so the next one on its lane is next. */
  for (guint i = 0; i < blocks->len; i++)
    {
      const CallBlock *block = &g_array_index (blocks, CallBlock, i);
      double free_until = geometry->plot_x + geometry->plot_w;

      for (guint j = i + 1; j < blocks->len; j++)
        if (g_array_index (blocks, CallBlock, j).top == block->top)
          {
            free_until = g_array_index (blocks, CallBlock, j).x0;
            break;
          }
      draw_call_label (self, snapshot, colors, geometry, block, free_until);
    }
}

static void
draw_marks (GtkSnapshot                *snapshot,
            const Colors               *colors,
            const Geometry             *geometry,
            const UnfreezeTimelineScan *scan)
{
  double lane0_bottom = lane_top (geometry, 1);

  for (guint i = 0; i < scan->spans->len; i++)
    {
      const UnfreezeSpan *span = &g_array_index (scan->spans, UnfreezeSpan, i);
      UnfreezeTimelineStyle style = scan->styles[i];
      guint lane = unfreeze_timeline_scan_get_lane (scan, span);
      double x = round (x_for (geometry, scan, span->begin_us)) + 0.5;
      double middle;

      if (!unfreeze_timeline_style_is_mark (style) || lane >= geometry->n_visible)
        continue;

      middle = lane_top (geometry, lane) + lane_height (geometry, lane) / 2;

      if (style == UNFREEZE_TIMELINE_HANDOFF && lane > 0)
        {
          double head = MIN (8, MAX (5, geometry->lane0_h / 2));

          /* From the worker up to the UI thread's lane; with lanes too thin to tell apart,
           * only where it arrives. */
          if (geometry->lane_h >= geometry->text_h)
            unfreeze_chart_append_rect (snapshot, &colors->fills[style],
                                        x - 1, lane0_bottom + head / 2 - 1,
                                        2, middle - lane0_bottom - head / 2 + 1);
          append_arrow_head (snapshot, &colors->background, x, lane0_bottom - 1.5, head + 3,
                             FALSE);
          append_arrow_head (snapshot, &colors->fills[style], x, lane0_bottom, head, FALSE);
        }
      else if (style == UNFREEZE_TIMELINE_REFUSED)
        {
          double size = CLAMP (lane_height (geometry, lane) * 0.9, 7, 14);

          append_cross (snapshot, &colors->background, x, middle, size + 3, 5);
          append_cross (snapshot, &colors->fills[style], x, middle, size, 2.5);
        }
    }
}

/* Who waits for whom: from the start of the UI thread's wait for its workers down into the
 * lowest worker lane waiting for it, and from the start of each worker's wait for the UI
 * thread up into the UI thread's lane. Two arrows pointing at each other: a deadlock. */
static void
draw_waits (GtkSnapshot                *snapshot,
            const Colors               *colors,
            const Geometry             *geometry,
            const UnfreezeTimelineScan *scan)
{
  double head = MIN (8, MAX (5, geometry->lane0_h / 2));
  double ui_middle = geometry->lanes_top + geometry->lane0_h / 2;
  double lowest = -1;

  /* Up: each worker that waits for the UI thread. */
  for (const UnfreezeSpan *span = &g_array_index (scan->spans, UnfreezeSpan, 0);
       span < &g_array_index (scan->spans, UnfreezeSpan, scan->spans->len);
       span++)
    {
      guint lane = unfreeze_timeline_scan_get_lane (scan, span);
      graphene_point_t from;

      if (span->kind != UNFREEZE_SPAN_WAIT_UI || lane == 0 || lane >= geometry->n_visible)
        continue;
      from.x = round (x_for (geometry, scan, span->begin_us)) + 0.5;
      from.y = lane_top (geometry, lane) + lane_height (geometry, lane) / 2;
      lowest = MAX (lowest, from.y);
      append_wait_arrow (snapshot, colors, &from, ui_middle, head);
    }

  /* Down: the UI thread waiting for them. */
  for (guint i = 0; i < scan->spans->len && lowest >= 0; i++)
    {
      const UnfreezeSpan *span = &g_array_index (scan->spans, UnfreezeSpan, i);
      double x = round (x_for (geometry, scan, span->begin_us)) + 0.5;

      /* Not on the plot's very edge, where half of it would be cut off. */
      x = MAX (x, geometry->plot_x + 3.5);
      if (span->kind == UNFREEZE_SPAN_WAIT_WORKER && span->thread_id == 0)
        append_wait_arrow (snapshot, colors, &GRAPHENE_POINT_INIT (x, ui_middle), lowest, head);
    }
}

static void
unfreeze_timeline_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  UnfreezeTimeline *self = UNFREEZE_TIMELINE (widget);
  UnfreezeTimelineScan scan;
  Geometry geometry;
  Colors colors;
  GdkRGBA ground;
  GdkRGBA ground0;

  if (self->run == NULL)
    return;

  scan_run (self, &scan);
  compute_geometry (self, &scan, &geometry);
  get_timeline_colors (self, &colors);
  ground = unfreeze_chart_with_alpha (&colors.fg, 0.04f);
  ground0 = unfreeze_chart_with_alpha (&colors.fg, 0.07f);

  /* The lanes' ground. */
  for (guint lane = 0; lane < geometry.n_visible; lane++)
    {
      double h = lane_height (&geometry, lane);
      double gap = h >= 8 ? 1 : 0;

      if (lane == 0 || lane % 2 == 1 || gap > 0)
        unfreeze_chart_append_rect (snapshot, lane == 0 ? &ground0 : &ground,
                                    geometry.plot_x, lane_top (&geometry, lane),
                                    geometry.plot_w, h - gap);
    }

  draw_lane_labels (self, snapshot, &colors, &geometry, &scan);

  /* Marks may stick out a little on either side, not into the names. */
  gtk_snapshot_push_clip (snapshot,
                          &GRAPHENE_RECT_INIT (geometry.plot_x - LABEL_GAP / 2, 0,
                                               unfreeze_chart_get_width (UNFREEZE_CHART (self)) - geometry.plot_x
                                               + LABEL_GAP / 2,
                                               geometry.lanes_bottom));
  draw_spans (snapshot, &colors, &geometry, &scan);
  draw_blocking_calls (self, snapshot, &colors, &geometry, &scan);
  draw_marks (snapshot, &colors, &geometry, &scan);
  draw_waits (snapshot, &colors, &geometry, &scan);

  /* While running: where "now" is. */
  if (!unfreeze_run_get_finished (self->run))
    {
      GdkRGBA now = unfreeze_chart_with_alpha (&colors.fg, 0.5f);

      unfreeze_chart_append_rect (snapshot, &now, round (x_for (&geometry, &scan, scan.end_us)),
                                  0, 1, geometry.lanes_bottom);
    }
  gtk_snapshot_pop (snapshot);

  draw_more_note (self, snapshot, &colors, &geometry, &scan);
  draw_axis (self, snapshot, &colors, &geometry, &scan);
  draw_legend (self, snapshot, &colors, &geometry);

  unfreeze_timeline_scan_clear (&scan);
}

/* Tooltips: what is under the pointer ------------------------------------------------ */

static char *
describe_span (const UnfreezeTimelineScan *scan,
               const UnfreezeSpan         *span,
               UnfreezeTimelineStyle       style)
{
  g_autofree char *begin = unfreeze_format_count (span->begin_us / 1000);
  gint64 length_us = unfreeze_timeline_scan_span_end (scan, span) - span->begin_us;
  g_autofree char *length = NULL;
  const char *thread = span->thread_id == 0 ? _("Main (UI) thread") : span->thread_name;

  if (style == UNFREEZE_TIMELINE_BLOCKING_CALL && span->label != NULL)
    {
      g_autofree char *call = NULL;

      length = unfreeze_format_count (length_us / 1000);
      /* Translators: the name of a libpq function follows: "Blocking call to PQconnectPoll" */
      call = g_strdup_printf (_("Blocking call to %s"), span->label);
      return g_strdup_printf (_("%s — %s, %s ms from %s ms"), call, thread, length, begin);
    }

  if (span->kind == UNFREEZE_SPAN_WAIT_WORKER)
    {
      length = unfreeze_format_count (length_us / 1000);
      return g_strdup_printf (_("%s — %s, %s ms from %s ms"), _("Waiting for a worker thread"),
                              thread, length, begin);
    }

  if (unfreeze_timeline_style_is_mark (style))
    /* Translators: "Hand-off — pool-unfreeze, at 12 ms" */
    return g_strdup_printf (_("%s — %s, at %s ms"), _(style_names[style]), thread, begin);

  length = unfreeze_format_count (length_us / 1000);
  /* Translators: "Waiting for the server — raw-worker, 3,004 ms from 2 ms" */
  return g_strdup_printf (_("%s — %s, %s ms from %s ms"), _(style_names[style]), thread,
                          length, begin);
}

static gboolean
unfreeze_timeline_query_tooltip (GtkWidget  *widget,
                                 int         x,
                                 int         y,
                                 gboolean    keyboard_mode,
                                 GtkTooltip *tooltip)
{
  UnfreezeTimeline *self = UNFREEZE_TIMELINE (widget);
  g_autofree char *text = NULL;
  Geometry geometry;
  UnfreezeTimelineScan scan;
  gint64 best_length = G_MAXINT64;
  double best_distance = 5;   /* pixels, for marks */
  int best = -1;
  guint lane = G_MAXUINT;

  if (self->run == NULL)
    return FALSE;

  scan_run (self, &scan);
  compute_geometry (self, &scan, &geometry);

  for (guint i = 0; i < geometry.n_visible; i++)
    if (y >= lane_top (&geometry, i) && y < lane_top (&geometry, i) + lane_height (&geometry, i))
      lane = i;

  /* The innermost span under the pointer, or a mark near it. */
  for (guint i = 0; lane != G_MAXUINT && !keyboard_mode && i < scan.spans->len; i++)
    {
      const UnfreezeSpan *span = &g_array_index (scan.spans, UnfreezeSpan, i);
      UnfreezeTimelineStyle style = scan.styles[i];
      double x0 = x_for (&geometry, &scan, span->begin_us);
      gint64 end_us = unfreeze_timeline_scan_span_end (&scan, span);
      double x1 = MAX (x_for (&geometry, &scan, end_us), x0 + 2);

      if (unfreeze_timeline_scan_get_lane (&scan, span) != lane)
        continue;

      if (unfreeze_timeline_style_is_mark (style))
        {
          if (fabs (x - x0) < best_distance)
            {
              best_distance = fabs (x - x0);
              best = i;
              best_length = -1;
            }
        }
      else if (x >= x0 - 1 && x <= x1 + 1 && best_length >= 0 &&
               end_us - span->begin_us < best_length)
        {
          best = i;
          best_length = end_us - span->begin_us;
        }
    }

  if (best >= 0)
    text = describe_span (&scan, &g_array_index (scan.spans, UnfreezeSpan, best),
                          scan.styles[best]);
  else
    text = g_strdup (_("Each row is a thread, time runs to the right. Red: the UI thread could "
                       "not draw (striped: it was waiting). Blue: waiting for the server. "
                       "Green: work handed back to the UI thread. ✕: an update the UI-thread "
                       "guard refused."));

  gtk_tooltip_set_text (tooltip, text);
  unfreeze_timeline_scan_clear (&scan);

  return TRUE;
}

/* Keeping up with the run ----------------------------------------------------------- */

/* The accessible label, and the height asked for: a thread that appeared may need more. */
static void
refresh (UnfreezeTimeline *self)
{
  guint natural_lanes = 2;
  UnfreezeTimelineScan scan;

  if (self->run == NULL)
    {
      update_summary (self, NULL);
    }
  else
    {
      scan_run (self, &scan);
      update_summary (self, &scan);
      natural_lanes = CLAMP (scan.n_lanes, 2, NATURAL_LANES);
      unfreeze_timeline_scan_clear (&scan);
    }

  if (natural_lanes != self->natural_lanes)
    {
      self->natural_lanes = natural_lanes;
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
}

static void
unfreeze_timeline_tick (UnfreezeChart *chart,
                        gint64         frame_time_us)
{
  UnfreezeTimeline *self = UNFREEZE_TIMELINE (chart);

  gtk_widget_queue_draw (GTK_WIDGET (self));

  if (frame_time_us - self->labelled_at_us >= LABEL_EVERY_US)
    {
      refresh (self);
      self->labelled_at_us = frame_time_us;
    }
}

/* A frame per frame only while a run is in flight (and the timeline on screen). */
static gboolean
unfreeze_timeline_wants_tick (UnfreezeChart *chart)
{
  UnfreezeTimeline *self = UNFREEZE_TIMELINE (chart);

  return self->run != NULL && !unfreeze_run_get_finished (self->run);
}

static void
timeline_run_finished_cb (UnfreezeTimeline *self,
                          UnfreezeRun      *run)
{
  unfreeze_chart_update_ticking (UNFREEZE_CHART (self));
  refresh (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * unfreeze_timeline_set_run:
 * @run: (nullable): the run to show
 *
 * Shows @run, finished or not; %NULL clears the timeline.
 */
void
unfreeze_timeline_set_run (UnfreezeTimeline *self,
                           UnfreezeRun      *run)
{
  g_return_if_fail (UNFREEZE_IS_TIMELINE (self));
  g_return_if_fail (run == NULL || UNFREEZE_IS_RUN (run));

  if (run == self->run)
    return;

  if (self->run != NULL)
    g_signal_handlers_disconnect_by_func (self->run, timeline_run_finished_cb, self);
  g_set_object (&self->run, run);
  if (run != NULL)
    g_signal_connect_object (run, "finished", G_CALLBACK (timeline_run_finished_cb), self,
                             G_CONNECT_SWAPPED);

  for (guint i = 0; i < UNFREEZE_RUN_MAX_THREADS; i++)
    g_clear_object (&self->lane_layouts[i]);

  unfreeze_chart_update_ticking (UNFREEZE_CHART (self));
  refresh (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

UnfreezeRun *
unfreeze_timeline_get_run (UnfreezeTimeline *self)
{
  g_return_val_if_fail (UNFREEZE_IS_TIMELINE (self), NULL);

  return self->run;
}

/* What the accessible label says, e.g. "Timeline: 2 threads; main thread busy 3,004 ms;
 * 1 refused update". */
const char *
unfreeze_timeline_get_summary (UnfreezeTimeline *self)
{
  g_return_val_if_fail (UNFREEZE_IS_TIMELINE (self), NULL);

  return self->summary;
}

/* The widget ------------------------------------------------------------------------- */

static void
unfreeze_timeline_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  UnfreezeTimeline *self = UNFREEZE_TIMELINE (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = 360;
    }
  else
    {
      double text_h = text_height (self);
      *minimum = (int) ceil (3 * text_h + LANE0_MIN_H + 2 * LANE_MIN_H);
      /* The axis, two rows of legend, the lanes. */
      *natural = (int) ceil (3 * text_h + 8 + self->natural_lanes * LANE_MAX_H);
    }
}

static void
unfreeze_timeline_dispose (GObject *object)
{
  UnfreezeTimeline *self = UNFREEZE_TIMELINE (object);

  if (self->run != NULL)
    g_signal_handlers_disconnect_by_func (self->run, timeline_run_finished_cb, self);
  g_clear_object (&self->run);

  G_OBJECT_CLASS (unfreeze_timeline_parent_class)->dispose (object);
}

static void
unfreeze_timeline_finalize (GObject *object)
{
  UnfreezeTimeline *self = UNFREEZE_TIMELINE (object);

  g_clear_pointer (&self->summary, g_free);

  G_OBJECT_CLASS (unfreeze_timeline_parent_class)->finalize (object);
}

static void
unfreeze_timeline_class_init (UnfreezeTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  UnfreezeChartClass *chart_class = UNFREEZE_CHART_CLASS (klass);

  object_class->dispose = unfreeze_timeline_dispose;
  object_class->finalize = unfreeze_timeline_finalize;

  widget_class->snapshot = unfreeze_timeline_snapshot;
  widget_class->measure = unfreeze_timeline_measure;
  widget_class->query_tooltip = unfreeze_timeline_query_tooltip;

  chart_class->clear_layouts = unfreeze_timeline_clear_layouts;
  chart_class->wants_tick = unfreeze_timeline_wants_tick;
  chart_class->tick = unfreeze_timeline_tick;

  gtk_widget_class_set_css_name (widget_class, "timeline");
}

static void
unfreeze_timeline_init (UnfreezeTimeline *self)
{
  gtk_widget_add_css_class (GTK_WIDGET (self), "caption");
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  self->natural_lanes = 2;
  update_summary (self, NULL);
}

GtkWidget *
unfreeze_timeline_new (void)
{
  return g_object_new (UNFREEZE_TYPE_TIMELINE, NULL);
}

/**
 * unfreeze_timeline_set_scale:
 * @end_us: the time after the run's start the right edge shows at least; 0: the run's end
 * @plot_x: where the lanes begin (the names' column, names ellipsized); 0: after the names
 *
 * Puts several timelines (and stall graphs, unfreeze_stall_graph_set_history()) on one time
 * scale, one above the other: a comparison.
 */
void
unfreeze_timeline_set_scale (UnfreezeTimeline *self,
                             gint64            end_us,
                             double            plot_x)
{
  g_return_if_fail (UNFREEZE_IS_TIMELINE (self));
  g_return_if_fail (end_us >= 0);

  self->scale_end_us = end_us;
  self->fixed_plot_x = plot_x;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
