/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The source panel: for every mode, the text shown is the mode's file in the source tree,
 * byte for byte; its lesson spots are highlighted and reachable; it follows light and dark.
 * Needs a display (Xvfb in CI), no database.
 *
 * With UNFREEZE_TEST_SCREENSHOT_DIR set, it also saves the panel as PNGs there
 * (source-view-<mode>-<light|dark>.png), for a human to look at.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include <adwaita.h>

#include "unfreeze-mode.h"
#include "unfreeze-source-view.h"
#include "unfreeze-test.h"

#define PANEL_WIDTH  360
#define PANEL_HEIGHT 420

/* Runs the main loop until done() or 10 s have passed. */
static void
iterate_until (UnfreezeTestDone done,
               gpointer         data)
{
  unfreeze_test_iterate_until (done, data, 10000);
}

static gboolean
nothing_pending (gpointer data)
{
  return !g_main_context_pending (NULL);
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static GtkWindow *
new_window (UnfreezeSourceView **view)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  *view = UNFREEZE_SOURCE_VIEW (unfreeze_source_view_new ());
  gtk_window_set_default_size (window, PANEL_WIDTH, PANEL_HEIGHT);
  gtk_window_set_child (window, GTK_WIDGET (*view));
  gtk_window_present (window);
  iterate_until (is_mapped, *view);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (*view)));

  return window;
}

static GtkTextView *
find_text_view (GtkWidget *widget)
{
  return GTK_TEXT_VIEW (unfreeze_test_find_widget (widget, GTK_TYPE_TEXT_VIEW, NULL));
}

static char *
dup_line (GtkTextBuffer *buffer,
          int            line)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_iter_at_line (buffer, &start, line);
  end = start;
  if (!gtk_text_iter_ends_line (&end))
    gtk_text_iter_forward_to_line_end (&end);

  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

typedef struct
{
  GtkTextView *text_view;
  int          line;
} LineVisible;

/* The whole of @line is inside the visible part of the view. */
static gboolean
line_is_visible (gpointer data)
{
  LineVisible *lv = data;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (lv->text_view);
  GdkRectangle visible;
  GtkTextIter iter;
  int y, height;

  gtk_text_view_get_visible_rect (lv->text_view, &visible);
  gtk_text_buffer_get_iter_at_line (buffer, &iter, lv->line);
  gtk_text_view_get_line_yrange (lv->text_view, &iter, &y, &height);

  return visible.height > 0 && y >= visible.y && y + height <= visible.y + visible.height;
}

/* @line is in view, and in its upper half (where the panel puts it, a quarter down) unless
 * the view is scrolled to the end of the file and cannot put it higher. */
static gboolean
line_is_in_place (LineVisible *lv)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (lv->text_view);
  GtkAdjustment *vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (lv->text_view));
  gboolean at_end;
  GdkRectangle visible;
  GtkTextIter iter;
  int y, height;

  if (!line_is_visible (lv))
    return FALSE;

  gtk_text_view_get_visible_rect (lv->text_view, &visible);
  gtk_text_buffer_get_iter_at_line (buffer, &iter, lv->line);
  gtk_text_view_get_line_yrange (lv->text_view, &iter, &y, &height);
  at_end = gtk_adjustment_get_value (vadjustment) + 1.0 >=
           gtk_adjustment_get_upper (vadjustment) - gtk_adjustment_get_page_size (vadjustment);

  return y - visible.y <= visible.height / 2 || at_end;
}

/* The view scrolled to @lv's line, and it stays there once GtkTextView has measured the
 * rest of the file (it does so in idles, and adjusts the scroll position as it goes). */
static void
assert_line_shown (LineVisible *lv)
{
  iterate_until (line_is_visible, lv);
  g_assert_true (line_is_visible (lv));

  iterate_until (nothing_pending, NULL);
  g_assert_true (line_is_in_place (lv));
}

/* The lesson spot that starts at @line: the line says "LESSON:", or follows one that does
 * (a comment can run over several lines). */
static void
assert_lesson_spot (GtkTextBuffer *buffer,
                    int            line)
{
  g_autofree char *text = dup_line (buffer, line);

  if (strstr (text, "LESSON:") == NULL)
    {
      g_autofree char *before = line > 0 ? dup_line (buffer, line - 1) : g_strdup ("");

      g_assert_nonnull (strstr (before, "LESSON:"));
    }
}

static void
save_screenshot (GtkWindow  *window,
                 const char *mode_id,
                 const char *style)
{
  const char *dir = g_getenv ("UNFREEZE_TEST_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  int width, height;

  if (dir == NULL)
    return;

  /* Let the highlighting idle and a frame through first. */
  for (guint i = 0; i < 50; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }

  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  name = g_strdup_printf ("source-view-%s-%s.png", mode_id, style);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Saved %s", path);
}

static void
test_source_view_modes (void)
{
  guint n_modes = 0;
  const UnfreezeMode * const *modes = unfreeze_modes_get_all (&n_modes);
  UnfreezeSourceView *view;
  GtkWindow *window = new_window (&view);
  GtkTextView *text_view = find_text_view (GTK_WIDGET (view));
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (unfreeze_source_view_get_buffer (view));
  GtkSourceLanguage *language;

  g_assert_cmpuint (n_modes, >=, 3);
  g_assert_nonnull (text_view);
  g_assert_true (gtk_text_view_get_buffer (text_view) == buffer);
  g_assert_false (gtk_text_view_get_editable (text_view));
  g_assert_false (gtk_text_view_get_cursor_visible (text_view));

  /* Whatever modes exist when this runs: others are being added. */
  for (guint i = 0; i < n_modes; i++)
    {
      const UnfreezeMode *mode = modes[i];
      g_autofree char *basename = g_path_get_basename (unfreeze_mode_get_source_path (mode));
      g_autofree char *file = g_test_build_filename (G_TEST_DIST, "..", "src", "modes", basename, NULL);
      g_autofree char *expected_name = g_strconcat ("src/modes/", basename, NULL);
      g_autofree char *expected = NULL;
      g_autofree char *shown = NULL;
      g_autoptr(GError) error = NULL;
      gsize expected_len = 0;
      guint n_lessons;
      int first_line;
      int line;

      g_test_message ("Mode %s: %s", mode->id, file);

      /* The resource holds a file that exists in the tree, under the same name. */
      g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
      g_file_get_contents (file, &expected, &expected_len, &error);
      g_assert_no_error (error);

      unfreeze_source_view_set_mode (view, mode);
      g_assert_true (unfreeze_source_view_get_mode (view) == mode);
      g_assert_cmpstr (unfreeze_source_view_get_file_name (view), ==, expected_name);

      /* Byte for byte. */
      shown = unfreeze_source_view_dup_text (view);
      g_assert_cmpuint (strlen (shown), ==, expected_len);
      g_assert_cmpstr (shown, ==, expected);

      language = gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (buffer));
      g_assert_nonnull (language);
      g_assert_cmpstr (gtk_source_language_get_id (language), ==, "c");

      /* Every "LESSON:" comment is a highlighted spot, and only those. */
      n_lessons = unfreeze_source_view_get_n_lesson_lines (view);
      g_assert_cmpuint (n_lessons, >=, 1);
      {
        guint n_markers = 0;
        const char *p = shown;

        while ((p = strstr (p, "/* LESSON:")) != NULL)
          {
            n_markers++;
            p++;
          }
        g_assert_cmpuint (n_lessons, ==, n_markers);
      }
      {
        int n_lines = gtk_text_buffer_get_line_count (buffer);
        int n_highlighted = 0;

        for (line = 0; line < n_lines; line++)
          {
            g_autofree char *text = dup_line (buffer, line);

            if (unfreeze_source_view_line_is_lesson (view, line))
              n_highlighted++;

            if (strstr (text, "LESSON:") == NULL)
              continue;

            g_assert_true (unfreeze_source_view_line_is_lesson (view, line));
            /* A one-line comment: the statement after it is highlighted too. */
            if (strstr (text, "*/") != NULL && line + 1 < n_lines)
              g_assert_true (unfreeze_source_view_line_is_lesson (view, line + 1));
          }

        /* The spots stand out: most of the file is not one. */
        g_assert_cmpint (n_highlighted, >=, 2 * (int) n_lessons);
        g_assert_cmpint (n_highlighted, <, n_lines / 4);
      }
      /* The file's first line (the licence) is never a lesson. */
      g_assert_false (unfreeze_source_view_line_is_lesson (view, 0));

      /* set_mode went to the first spot and scrolled it into view. */
      first_line = unfreeze_source_view_get_current_line (view);
      assert_lesson_spot (buffer, first_line);
      g_assert_true (unfreeze_source_view_line_is_lesson (view, first_line));
      {
        LineVisible lv = { text_view, first_line };

        assert_line_shown (&lv);
      }

      save_screenshot (window, mode->id, "light");

      /* Next goes through every spot, each one scrolled into view, and wraps around. */
      for (guint j = 0; j < n_lessons; j++)
        {
          int previous = unfreeze_source_view_get_current_line (view);
          LineVisible lv = { text_view, 0 };

          unfreeze_source_view_jump_to_lesson (view, 1);
          lv.line = unfreeze_source_view_get_current_line (view);
          assert_lesson_spot (buffer, lv.line);
          if (j + 1 < n_lessons)
            g_assert_cmpint (lv.line, >, previous);
          else
            g_assert_cmpint (lv.line, ==, first_line);

          assert_line_shown (&lv);
        }

      /* Previous from the first spot wraps to the last one. */
      unfreeze_source_view_jump_to_lesson (view, -1);
      line = unfreeze_source_view_get_current_line (view);
      assert_lesson_spot (buffer, line);
      if (n_lessons > 1)
        g_assert_cmpint (line, >, first_line);
      else
        g_assert_cmpint (line, ==, first_line);
      unfreeze_source_view_jump_to_lesson (view, 1);
      g_assert_cmpint (unfreeze_source_view_get_current_line (view), ==, first_line);
    }

  gtk_window_destroy (window);
}

static void
test_source_view_dark (void)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  const char *dark_id = gtk_source_style_scheme_manager_get_scheme (schemes, "Adwaita-dark") != NULL
                        ? "Adwaita-dark" : "classic-dark";
  const char *light_id = gtk_source_style_scheme_manager_get_scheme (schemes, "Adwaita") != NULL
                         ? "Adwaita" : "classic";
  guint n_modes = 0;
  const UnfreezeMode * const *modes = unfreeze_modes_get_all (&n_modes);
  UnfreezeSourceView *view;
  GtkWindow *window;
  GtkSourceBuffer *buffer;

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  window = new_window (&view);
  buffer = unfreeze_source_view_get_buffer (view);
  g_assert_false (adw_style_manager_get_dark (manager));
  g_assert_cmpstr (gtk_source_style_scheme_get_id (gtk_source_buffer_get_style_scheme (buffer)), ==, light_id);

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (manager));
  g_assert_cmpstr (gtk_source_style_scheme_get_id (gtk_source_buffer_get_style_scheme (buffer)), ==, dark_id);

  for (guint i = 0; i < n_modes; i++)
    {
      unfreeze_source_view_set_mode (view, modes[i]);
      save_screenshot (window, modes[i]->id, "dark");
    }

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_assert_cmpstr (gtk_source_style_scheme_get_id (gtk_source_buffer_get_style_scheme (buffer)), ==, light_id);

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (window);
}

/* A file chosen before the panel is on screen still opens at its first lesson spot: the
 * scroll waits for the lines to be laid out. */
static void
test_source_view_before_shown (void)
{
  guint n_modes = 0;
  const UnfreezeMode * const *modes = unfreeze_modes_get_all (&n_modes);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  UnfreezeSourceView *view = UNFREEZE_SOURCE_VIEW (unfreeze_source_view_new ());
  GtkTextView *text_view = find_text_view (GTK_WIDGET (view));
  GdkRectangle visible;
  LineVisible lv = { text_view, 0 };

  for (guint i = 0; i < n_modes; i++)
    {
      unfreeze_source_view_set_mode (view, modes[i]);
      lv.line = MAX (lv.line, unfreeze_source_view_get_current_line (view));
    }
  /* The mode whose first spot is furthest down. */
  for (guint i = 0; i < n_modes; i++)
    {
      unfreeze_source_view_set_mode (view, modes[i]);
      if (unfreeze_source_view_get_current_line (view) == lv.line)
        break;
    }
  g_assert_cmpint (unfreeze_source_view_get_current_line (view), ==, lv.line);

  gtk_window_set_default_size (window, PANEL_WIDTH, PANEL_HEIGHT);
  gtk_window_set_child (window, GTK_WIDGET (view));
  gtk_window_present (window);
  iterate_until (is_mapped, view);
  assert_line_shown (&lv);

  /* It really had to scroll: the spot is not on the first screen. */
  gtk_text_view_get_visible_rect (text_view, &visible);
  g_assert_cmpint (visible.y, >, 0);

  gtk_window_destroy (window);
}

/* A view that goes away is really gone (no reference left behind by the style manager). */
static void
test_source_view_finalize (void)
{
  GtkWidget *view = g_object_ref_sink (unfreeze_source_view_new ());
  guint n_modes = 0;
  const UnfreezeMode * const *modes = unfreeze_modes_get_all (&n_modes);

  unfreeze_source_view_set_mode (UNFREEZE_SOURCE_VIEW (view), modes[0]);
  g_assert_finalize_object (view);

  /* And a later style change reaches no dead view. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
}

int
main (int   argc,
      char *argv[])
{
  unfreeze_test_init_display (&argc, &argv);

  g_test_add_func ("/unfreeze/SourceView/modes", test_source_view_modes);
  g_test_add_func ("/unfreeze/SourceView/dark", test_source_view_dark);
  g_test_add_func ("/unfreeze/SourceView/before-shown", test_source_view_before_shown);
  g_test_add_func ("/unfreeze/SourceView/finalize", test_source_view_finalize);

  return g_test_run ();
}
