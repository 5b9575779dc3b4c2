/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The spans each mode records for the thread timeline, against a real PostgreSQL, and the
 * two drawings made from the measurements: the stall graph after a real freeze, and the
 * timeline of each kind of run. The drawings are rendered to textures and their pixels
 * checked: red where the UI thread was blocked, red where an update was refused, and so on.
 * Needs a display (Xvfb in CI).
 *
 * With UNFREEZE_TEST_SCREENSHOTS=DIR set, the rendered textures are also saved as PNG
 * files there, in the light and the dark style, to look at.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include <adwaita.h>

#include "unfreeze-mode.h"
#include "unfreeze-run.h"
#include "unfreeze-stall-graph.h"
#include "unfreeze-stall-meter.h"
#include "unfreeze-test-fixture.h"
#include "unfreeze-test.h"
#include "unfreeze-timeline.h"

static void
finished_cb (UnfreezeRun *run,
             gboolean    *finished)
{
  *finished = TRUE;
}

/* Runs @mode to the end, with the main loop running as it would in the app. */
static UnfreezeRun *
run_mode (const UnfreezeMode *mode,
          UnfreezeDatabase   *database,
          double              delay,
          UnfreezeTimeline   *timeline)
{
  UnfreezeRun *run = unfreeze_run_new (mode, database, "MSFT", delay, 1);
  gboolean finished = FALSE;

  g_signal_connect (run, "finished", G_CALLBACK (finished_cb), &finished);
  if (timeline != NULL)
    unfreeze_timeline_set_run (timeline, run);
  unfreeze_run_start (run);
  g_assert_true (unfreeze_test_wait_for (&finished, 30000));
  g_signal_handlers_disconnect_by_func (run, finished_cb, &finished);

  /* Let queued callbacks (the refused report) arrive. */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);

  return run;
}

static UnfreezeRun *
run_named_mode (const char *mode_id,
                double      delay)
{
  const UnfreezeMode *mode = unfreeze_modes_lookup (mode_id);

  g_assert_nonnull (mode);

  return run_mode (mode, unfreeze_test_fixture_get_database (), delay, NULL);
}

/* The first span of @kind, on the UI thread (@on_ui) or off it. */
static const UnfreezeSpan *
find_span (GArray           *spans,
           UnfreezeSpanKind  kind,
           gboolean          on_ui)
{
  for (guint i = 0; i < spans->len; i++)
    {
      const UnfreezeSpan *span = &g_array_index (spans, UnfreezeSpan, i);

      if (span->kind == kind && (span->thread_id == 0) == on_ui)
        return span;
    }

  return NULL;
}

/* Spans ------------------------------------------------------------------------------ */

static void
test_spans_blocking (void)
{
  g_autoptr(UnfreezeRun) run = run_named_mode ("blocking", 0.3);
  g_autoptr(GArray) spans = unfreeze_run_dup_spans (run);
  const UnfreezeSpan *query = find_span (spans, UNFREEZE_SPAN_QUERY, TRUE);

  /* The query ran on the UI thread, and nothing ran anywhere else. */
  g_assert_nonnull (query);
  g_assert_cmpint (query->end_us - query->begin_us, >=, 300 * 1000);
  g_assert_null (find_span (spans, UNFREEZE_SPAN_QUERY, FALSE));
  for (guint i = 0; i < spans->len; i++)
    g_assert_cmpuint (g_array_index (spans, UnfreezeSpan, i).thread_id, ==, 0);
}

static void
test_spans_gtask (void)
{
  g_autoptr(UnfreezeRun) run = run_named_mode ("gtask", 0.3);
  g_autoptr(GArray) spans = unfreeze_run_dup_spans (run);
  const UnfreezeSpan *query = find_span (spans, UNFREEZE_SPAN_QUERY, FALSE);
  const UnfreezeSpan *handoff = find_span (spans, UNFREEZE_SPAN_HANDOFF, FALSE);
  const UnfreezeSpan *idle = find_span (spans, UNFREEZE_SPAN_IDLE, TRUE);

  /* The query on a worker; the worker handed work over; the UI thread ran it. */
  g_assert_nonnull (query);
  g_assert_cmpuint (query->thread_id, !=, 0);
  g_assert_cmpint (query->end_us - query->begin_us, >=, 300 * 1000);
  g_assert_null (find_span (spans, UNFREEZE_SPAN_QUERY, TRUE));
  g_assert_nonnull (handoff);
  g_assert_cmpint (handoff->end_us, ==, handoff->begin_us);
  g_assert_nonnull (idle);
  g_assert_cmpint (idle->begin_us, >=, handoff->begin_us);
  g_assert_null (find_span (spans, UNFREEZE_SPAN_REFUSED, FALSE));
}

static void
test_spans_thread (void)
{
  g_autoptr(UnfreezeRun) run = NULL;
  g_autoptr(GArray) spans = NULL;
  const UnfreezeSpan *refused;
  const UnfreezeSpan *query;

  g_test_expect_message ("Unfreeze-Guard", G_LOG_LEVEL_CRITICAL, "Cross-thread UI access*");
  run = run_named_mode ("thread", 0.1);
  g_test_assert_expected_messages ();

  spans = unfreeze_run_dup_spans (run);
  refused = find_span (spans, UNFREEZE_SPAN_REFUSED, FALSE);
  query = find_span (spans, UNFREEZE_SPAN_QUERY, FALSE);
  g_assert_nonnull (refused);
  g_assert_nonnull (query);
  g_assert_cmpuint (refused->thread_id, ==, query->thread_id);
  g_assert_cmpstr (refused->thread_name, ==, "raw-worker");
  g_assert_cmpint (refused->begin_us, >=, query->end_us);
  g_assert_null (find_span (spans, UNFREEZE_SPAN_REFUSED, TRUE));
}

/* Rendering -------------------------------------------------------------------------- */

typedef struct
{
  GBytes *bytes;
  gsize   stride;
  int     x;           /* the widget's area in the texture */
  int     y;
  int     width;
  int     height;
} Pixels;

typedef gboolean (*PixelTest) (int r, int g, int b);

static gboolean
is_red (int r, int g, int b)
{
  /* error_bg_color #e01b24 and the stripes' red_5 #a51d2d, give or take. */
  return r >= 150 && g <= 90 && b <= 100;
}

static gboolean
is_blue (int r, int g, int b)
{
  /* blue_3 #3584e4 */
  return b >= 180 && r <= 110 && g >= 90 && g <= 170;
}

static gboolean
is_green (int r, int g, int b)
{
  /* green_4 #2ec27e, green_5 #26a269 */
  return g >= 140 && r <= 90 && b >= 80 && b <= 150;
}

static GtkWidget *
show_in_window (GtkWidget *widget,
                int        width,
                int        height)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_size_request (widget, width, height);
  gtk_box_append (GTK_BOX (box), widget);
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));

  while (!gtk_widget_get_mapped (widget))
    g_main_context_iteration (NULL, TRUE);
  unfreeze_test_iterate_for (100);

  return window;
}

static void
save_screenshot (GdkTexture *texture,
                 const char *name)
{
  const char *dir = g_getenv ("UNFREEZE_TEST_SCREENSHOTS");
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;

  if (dir == NULL || *dir == '\0')
    return;

  file = g_strdup_printf ("%s%s.png", name, adw_style_manager_get_dark (style) ? "-dark" : "");
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("saved %s", path);
}

static void
painted_cb (gboolean *painted)
{
  *painted = TRUE;
}

/* Until @window has painted a frame from now on: laid out at its size, with what it shows. */
static void
wait_for_paint (GtkWidget *window)
{
  GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (window);
  gboolean painted = FALSE;
  gulong id;

  g_assert_nonnull (frame_clock);
  id = g_signal_connect_swapped (frame_clock, "after-paint", G_CALLBACK (painted_cb), &painted);
  gtk_widget_queue_draw (window);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (frame_clock, id);
}

/* Renders @widget's whole window, background included, and notes where @widget is in it. */
static void
render (GtkWidget  *widget,
        const char *name,
        Pixels     *pixels)
{
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_root (widget));
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  int width, height;
  graphene_rect_t bounds;
  guchar *data;

  wait_for_paint (window);
  snapshot = gtk_snapshot_new ();
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  save_screenshot (texture, name);

  pixels->stride = (gsize) gdk_texture_get_width (texture) * 4;
  data = g_malloc (pixels->stride * gdk_texture_get_height (texture));
  gdk_texture_download (texture, data, pixels->stride);
  pixels->bytes = g_bytes_new_take (data, pixels->stride * gdk_texture_get_height (texture));

  g_assert_true (gtk_widget_compute_bounds (widget, window, &bounds));
  pixels->x = (int) bounds.origin.x;
  pixels->y = (int) bounds.origin.y;
  pixels->width = (int) bounds.size.width;
  pixels->height = (int) bounds.size.height;
  g_assert_cmpint (pixels->x + pixels->width, <=, gdk_texture_get_width (texture));
  g_assert_cmpint (pixels->y + pixels->height, <=, gdk_texture_get_height (texture));
}

static void
pixels_clear (Pixels *pixels)
{
  g_clear_pointer (&pixels->bytes, g_bytes_unref);
}

/* Pixels passing @test in the part of the widget from (@x, @y), @width × @height (in the
 * widget's coordinates). The texture is Cairo's premultiplied BGRA, opaque here. */
static guint
count_pixels (const Pixels *pixels,
              PixelTest     test,
              int           x,
              int           y,
              int           width,
              int           height)
{
  const guchar *data = g_bytes_get_data (pixels->bytes, NULL);
  guint count = 0;

  for (int row = y; row < y + height; row++)
    for (int column = x; column < x + width; column++)
      {
        const guchar *p = data + (gsize) (pixels->y + row) * pixels->stride
                               + (gsize) (pixels->x + column) * 4;

        if (test (p[2], p[1], p[0]))
          count++;
      }

  return count;
}

/* How many pixels of the widget differ from its top-left one: a blank drawing has none. */
static guint
count_drawn (const Pixels *pixels)
{
  const guchar *data = g_bytes_get_data (pixels->bytes, NULL);
  const guchar *first = data + (gsize) pixels->y * pixels->stride + (gsize) pixels->x * 4;
  guint count = 0;

  for (int row = 0; row < pixels->height; row++)
    for (int column = 0; column < pixels->width; column++)
      {
        const guchar *p = data + (gsize) (pixels->y + row) * pixels->stride
                               + (gsize) (pixels->x + column) * 4;

        if (memcmp (p, first, 3) != 0)
          count++;
      }

  return count;
}

static void
set_dark (gboolean dark)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                           : ADW_COLOR_SCHEME_FORCE_LIGHT);
  unfreeze_test_iterate_for (100);
}

/* Only for the screenshots: the same drawing in the dark style. */
static void
save_dark_screenshot (GtkWidget  *widget,
                      const char *name)
{
  Pixels pixels = { 0 };

  if (g_getenv ("UNFREEZE_TEST_SCREENSHOTS") == NULL)
    return;

  set_dark (TRUE);
  render (widget, name, &pixels);
  g_assert_cmpuint (count_drawn (&pixels), >, 100);
  pixels_clear (&pixels);
  set_dark (FALSE);
}

static gboolean
block_cb (gpointer user_data)
{
  g_usleep (GPOINTER_TO_UINT (user_data) * 1000);

  return G_SOURCE_REMOVE;
}

/* The graph after a 1 s freeze: one tall bar in the freeze's red. */
static void
test_draw_graph (void)
{
  GtkWidget *graph = unfreeze_stall_graph_new ();
  GtkWidget *window = show_in_window (graph, 360, 90);
  Pixels pixels = { 0 };
  guint red;

  /* Some small stalls first, as a busy app would have, then the freeze. */
  for (guint i = 0; i < 5; i++)
    {
      g_timeout_add (0, block_cb, GUINT_TO_POINTER (10 + 10 * i));
      unfreeze_test_iterate_for (300);
    }
  g_timeout_add (0, block_cb, GUINT_TO_POINTER (1000));
  unfreeze_test_iterate_for (1500);

  render (graph, "stall-graph", &pixels);
  red = count_pixels (&pixels, is_red, 0, 0, pixels.width, pixels.height);
  g_test_message ("stall graph: %u pixels drawn, %u red", count_drawn (&pixels), red);

  g_assert_cmpint (unfreeze_stall_graph_get_longest_stall (UNFREEZE_STALL_GRAPH (graph)), >=, 900 * 1000);
  g_assert_cmpuint (count_drawn (&pixels), >, 500);
  /* A bar 2 pixels wide, most of the graph's height. */
  g_assert_cmpuint (red, >=, 2 * 30);
  pixels_clear (&pixels);

  save_dark_screenshot (graph, "stall-graph");
  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  guint reds;          /* in lane 0, right of the names */
  guint reds_all;
  guint blues;
  guint greens;
} Counts;

/* @height: -1 for the timeline's natural height */
static void
draw_timeline (UnfreezeRun *run,
               const char  *name,
               int          height,
               Counts      *counts)
{
  GtkWidget *timeline = unfreeze_timeline_new ();
  GtkWidget *window = show_in_window (timeline, 560, height);
  Pixels pixels = { 0 };

  unfreeze_timeline_set_run (UNFREEZE_TIMELINE (timeline), run);
  unfreeze_test_iterate_for (100);
  render (timeline, name, &pixels);

  /* Lane 0 is the top row, below 16 pixels tall at most; the names take at most a third. */
  counts->reds = count_pixels (&pixels, is_red, pixels.width / 3, 4, pixels.width - pixels.width / 3 - 8, 8);
  counts->reds_all = count_pixels (&pixels, is_red, 0, 0, pixels.width, pixels.height);
  counts->blues = count_pixels (&pixels, is_blue, 0, 0, pixels.width, pixels.height);
  counts->greens = count_pixels (&pixels, is_green, 0, 0, pixels.width, pixels.height);
  g_test_message ("%s: %u pixels drawn; red %u in lane 0, %u in all; blue %u; green %u; “%s”",
                  name, count_drawn (&pixels), counts->reds, counts->reds_all, counts->blues,
                  counts->greens, unfreeze_timeline_get_summary (UNFREEZE_TIMELINE (timeline)));
  g_assert_cmpuint (count_drawn (&pixels), >, 500);

  /* Every point answers with a tooltip: the span there, or what the colours mean. */
  for (int y = 2; y < pixels.height; y += 7)
    for (int x = 2; x < pixels.width; x += 5)
      {
        g_autoptr(GtkTooltip) tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
        gboolean shown = FALSE;

        g_signal_emit_by_name (timeline, "query-tooltip", x, y, FALSE, tooltip, &shown);
        g_assert_true (shown);
      }
  pixels_clear (&pixels);

  save_dark_screenshot (timeline, name);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_draw_timeline_blocking (void)
{
  g_autoptr(UnfreezeRun) run = run_named_mode ("blocking", 0.5);
  guint lane_area = (560 - 560 / 3 - 8) * 8;
  Counts counts;

  draw_timeline (run, "timeline-blocking", -1, &counts);

  /* The UI thread's lane is alarming from end to end, and no worker waited. */
  g_assert_cmpuint (counts.reds, >=, lane_area * 6 / 10);
  g_assert_cmpuint (counts.blues, <, 50);
}

static void
test_draw_timeline_thread (void)
{
  g_autoptr(UnfreezeRun) run = NULL;
  Counts counts;

  g_test_expect_message ("Unfreeze-Guard", G_LOG_LEVEL_CRITICAL, "Cross-thread UI access*");
  run = run_named_mode ("thread", 0.5);
  g_test_assert_expected_messages ();

  draw_timeline (run, "timeline-thread", -1, &counts);

  /* The UI thread stayed free; the worker waited (blue), and its update was refused: a red
   * cross, and its legend entry. */
  g_assert_cmpuint (counts.reds, <, 40);
  g_assert_cmpuint (counts.reds_all, >=, 30);
  g_assert_cmpuint (counts.blues, >=, 500);
}

static void
test_draw_timeline_gtask (void)
{
  GtkWidget *timeline = unfreeze_timeline_new ();
  GtkWidget *window = show_in_window (timeline, 560, -1);
  g_autoptr(UnfreezeRun) run = NULL;
  const char *summary;
  Counts counts;

  Pixels pixels = { 0 };
  gboolean finished = FALSE;

  /* Shown while it runs, as the window would: it draws the run as it goes, and the summary
   * follows the run to its end. */
  g_assert_cmpstr (unfreeze_timeline_get_summary (UNFREEZE_TIMELINE (timeline)), ==,
                   "Timeline: no run yet");
  run = unfreeze_run_new (unfreeze_modes_lookup ("gtask"), unfreeze_test_fixture_get_database (),
                          "MSFT", 1.0, 1);
  g_signal_connect (run, "finished", G_CALLBACK (finished_cb), &finished);
  unfreeze_timeline_set_run (UNFREEZE_TIMELINE (timeline), run);
  unfreeze_run_start (run);
  unfreeze_test_iterate_for (400);
  g_assert_false (finished);
  render (timeline, "timeline-gtask-running", &pixels);
  g_assert_cmpuint (count_pixels (&pixels, is_blue, 0, 0, pixels.width, pixels.height), >=, 300);
  pixels_clear (&pixels);
  g_assert_true (unfreeze_test_wait_for (&finished, 30000));
  summary = unfreeze_timeline_get_summary (UNFREEZE_TIMELINE (timeline));
  g_assert_true (g_str_has_prefix (summary, "Timeline: 2 threads; main thread busy "));
  g_assert_null (strstr (summary, "refused"));
  gtk_window_destroy (GTK_WINDOW (window));

  /* As tall as a page: the lanes keep their height, the axis follows them. */
  draw_timeline (run, "timeline-gtask", 250, &counts);

  /* Nothing alarming; a worker waited; callbacks and hand-offs in green. */
  g_assert_cmpuint (counts.reds_all, <, 10);
  g_assert_cmpuint (counts.blues, >=, 500);
  g_assert_cmpuint (counts.greens, >=, 20);
}

/* A made-up mode with many threads, to see that lanes stay readable. */

#define MANY_THREADS 200

static gpointer
many_worker (gpointer data)
{
  UnfreezeRun *run = data;
  guint span = unfreeze_run_begin_span (run, UNFREEZE_SPAN_QUERY);

  g_usleep (g_random_int_range (100, 400) * 1000);
  unfreeze_run_end_span (run, span);
  unfreeze_run_mark (run, UNFREEZE_SPAN_HANDOFF);

  return NULL;
}

typedef struct
{
  UnfreezeRun *run;
  GThread     *threads[MANY_THREADS];
} Many;

static gboolean
many_join_cb (gpointer data)
{
  Many *many = data;

  for (guint i = 0; i < MANY_THREADS; i++)
    g_thread_join (many->threads[i]);
  unfreeze_run_query_done (many->run, NULL);
  g_object_unref (many->run);
  g_free (many);

  return G_SOURCE_REMOVE;
}

static gpointer
many_waiter (gpointer data)
{
  g_usleep (500 * 1000);
  g_idle_add (many_join_cb, data);

  return NULL;
}

static void
many_start_query (UnfreezeRun *run,
                  guint        index)
{
  Many *many = g_new0 (Many, 1);

  many->run = g_object_ref (run);
  for (guint i = 0; i < MANY_THREADS; i++)
    {
      g_autofree char *name = g_strdup_printf ("worker-%u", i + 1);

      many->threads[i] = g_thread_new (name, many_worker, run);
    }
  g_thread_unref (g_thread_new ("many-waiter", many_waiter, many));
}

static const UnfreezeMode many_mode = {
  .id = "many",
  .title = "Many threads",
  .start_query = many_start_query,
};

static void
test_draw_timeline_many (void)
{
  g_autoptr(UnfreezeDatabase) database = unfreeze_database_new ("host=/nonexistent");
  g_autoptr(UnfreezeRun) run = run_mode (&many_mode, database, 0.4, NULL);
  GtkWidget *timeline = unfreeze_timeline_new ();
  GtkWidget *window = show_in_window (timeline, 560, 300);
  Pixels pixels = { 0 };
  g_autofree char *expected = g_strdup_printf ("Timeline: %u threads; ", MANY_THREADS + 1);

  unfreeze_timeline_set_run (UNFREEZE_TIMELINE (timeline), run);
  g_assert_true (g_str_has_prefix (unfreeze_timeline_get_summary (UNFREEZE_TIMELINE (timeline)),
                                   expected));
  unfreeze_test_iterate_for (100);
  render (timeline, "timeline-many", &pixels);
  g_assert_cmpuint (count_pixels (&pixels, is_blue, 0, 0, pixels.width, pixels.height), >=, 1000);
  pixels_clear (&pixels);
  save_dark_screenshot (timeline, "timeline-many");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  unfreeze_test_init_display (&argc, &argv);
  unfreeze_stall_meter_get_default ();

  unfreeze_test_fixture_setup_or_skip ();

  g_test_add_func ("/unfreeze/Timeline/spans/blocking", test_spans_blocking);
  g_test_add_func ("/unfreeze/Timeline/spans/gtask", test_spans_gtask);
  g_test_add_func ("/unfreeze/Timeline/spans/thread", test_spans_thread);
  g_test_add_func ("/unfreeze/StallGraph/draw", test_draw_graph);
  g_test_add_func ("/unfreeze/Timeline/draw/blocking", test_draw_timeline_blocking);
  g_test_add_func ("/unfreeze/Timeline/draw/thread", test_draw_timeline_thread);
  g_test_add_func ("/unfreeze/Timeline/draw/gtask", test_draw_timeline_gtask);
  g_test_add_func ("/unfreeze/Timeline/draw/many-threads", test_draw_timeline_many);

  status = g_test_run ();
  unfreeze_test_fixture_teardown ();

  return status;
}
