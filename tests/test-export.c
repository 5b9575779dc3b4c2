/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Export Picture: the last run's graph, thread timeline and summary as SVG or PNG, from the
 * real window (with the dark style: the picture must be light) and from the real program
 * (--export), and a comparison of every mode (--compare --export). Needs a display and
 * PostgreSQL.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include <glib/gstdio.h>

#include "unfreeze-test-fixture.h"
#include "unfreeze-test-process.h"
#include "unfreeze-test.h"
#include "unfreeze-window.h"

static char *tmpdir;

/* The SVG, as an XML parser reads it ------------------------------------------------ */

typedef struct
{
  char       *root;
  char       *width;
  char       *height;
  guint       n_drawn;    /* path, use, rect: shapes and glyphs */
  GHashTable *fills;      /* "r,g,b" (0–255) of every fill */
} Svg;

static void
svg_clear (Svg *svg)
{
  g_free (svg->root);
  g_free (svg->width);
  g_free (svg->height);
  g_hash_table_unref (svg->fills);
}

/* cairo writes fill:rgb(20.784314%,51.764706%,89.411765%): kept as "53,132,228". */
static void
add_fill (Svg        *svg,
          const char *style)
{
  const char *fill = strstr (style, "fill:rgb(");
  double c[3];
  char *end;

  if (fill == NULL)
    return;

  fill += strlen ("fill:rgb(");
  for (guint i = 0; i < 3; i++)
    {
      c[i] = g_ascii_strtod (fill, &end);
      if (*end == '%')
        c[i] = c[i] * 255.0 / 100.0, end++;
      fill = end + 1;
    }
  g_hash_table_add (svg->fills, g_strdup_printf ("%d,%d,%d", (int) (c[0] + 0.5),
                                                 (int) (c[1] + 0.5), (int) (c[2] + 0.5)));
}

static void
svg_start_element (GMarkupParseContext  *context,
                   const char           *element_name,
                   const char          **attribute_names,
                   const char          **attribute_values,
                   gpointer              user_data,
                   GError              **error)
{
  Svg *svg = user_data;

  if (svg->root == NULL)
    {
      svg->root = g_strdup (element_name);
      for (guint i = 0; attribute_names[i] != NULL; i++)
        {
          if (g_str_equal (attribute_names[i], "width"))
            svg->width = g_strdup (attribute_values[i]);
          else if (g_str_equal (attribute_names[i], "height"))
            svg->height = g_strdup (attribute_values[i]);
        }
    }

  if (g_str_equal (element_name, "path") || g_str_equal (element_name, "use") ||
      g_str_equal (element_name, "rect"))
    svg->n_drawn++;

  for (guint i = 0; attribute_names[i] != NULL; i++)
    if (g_str_equal (attribute_names[i], "style"))
      add_fill (svg, attribute_values[i]);
}

static void
parse_svg (const char *path,
           Svg        *svg)
{
  static const GMarkupParser parser = { svg_start_element, NULL, NULL, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  memset (svg, 0, sizeof *svg);
  svg->fills = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  context = g_markup_parse_context_new (&parser, 0, svg, NULL);
  g_markup_parse_context_parse (context, contents, length, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);
}

/* A valid SVG, 1600 px wide, with the charts drawn in the light style: the timeline's
 * "waiting for the server" blue and the lanes' names in the light text colour (black at
 * 80 %), and nothing in the dark style's white text. */
static int
assert_svg_picture (const char *path)
{
  Svg svg;
  int height;

  parse_svg (path, &svg);
  g_test_message ("%s: %s × %s, %u shapes and glyphs, %u fill colours", path, svg.width,
                  svg.height, svg.n_drawn, g_hash_table_size (svg.fills));
  g_assert_cmpstr (svg.root, ==, "svg");
  g_assert_cmpstr (svg.width, ==, "1600px");
  height = atoi (svg.height);
  g_assert_cmpint (height, >, 400);
  g_assert_cmpuint (svg.n_drawn, >, 150);
  g_assert_true (g_hash_table_contains (svg.fills, "53,132,228"));  /* #3584e4 */
  g_assert_true (g_hash_table_contains (svg.fills, "0,0,0"));
  g_assert_false (g_hash_table_contains (svg.fills, "255,255,255"));
  svg_clear (&svg);

  return height;
}

/* The PNG ----------------------------------------------------------------------------- */

/* A PNG @height high and 1600 wide, whose corner is light, with the charts' blue in it. */
static void
assert_png_picture (const char *path,
                    int         height)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = gdk_texture_new_from_filename (path, &error);
  g_autofree guchar *pixels = NULL;
  gsize stride;
  guint blue = 0;

  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 1600);
  if (height > 0)
    g_assert_cmpint (gdk_texture_get_height (texture), ==, height);

  stride = gdk_texture_get_width (texture) * 4;
  pixels = g_malloc (stride * gdk_texture_get_height (texture));
  /* B, G, R, A in memory (GDK_MEMORY_DEFAULT), opaque here. */
  gdk_texture_download (texture, pixels, stride);
  g_assert_cmpuint (pixels[0], >=, 240);
  g_assert_cmpuint (pixels[1], >=, 240);
  g_assert_cmpuint (pixels[2], >=, 240);

  for (gsize i = 0; i < stride * gdk_texture_get_height (texture); i += 4)
    if (ABS (pixels[i] - 0xe4) < 8 && ABS (pixels[i + 1] - 0x84) < 8 && ABS (pixels[i + 2] - 0x35) < 8)
      blue++;
  g_test_message ("%s: %u pixels of the charts' blue", path, blue);
  g_assert_cmpuint (blue, >, 1000);
}

/* The window ------------------------------------------------------------------------- */

static void
finished_cb (UnfreezeRun *run,
             gboolean    *finished)
{
  *finished = TRUE;
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_export_window (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *svg_path = g_build_filename (tmpdir, "window.svg", NULL);
  g_autofree char *png_path = g_build_filename (tmpdir, "window.PNG", NULL);
  g_autofree char *async_path = g_build_filename (tmpdir, "window-async.png", NULL);
  g_autofree char *bad_path = g_build_filename (tmpdir, "window.jpg", NULL);
  g_autofree char *missing_path = g_build_filename (tmpdir, "no-such-dir", "window.svg", NULL);
  g_autoptr(GError) error = NULL;
  UnfreezeWindow *window;
  UnfreezeRun *run;
  gboolean finished = FALSE;
  int height;

  /* The window dark, as a presenter's may be: the picture must still be light. */
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style));

  window = unfreeze_window_new (NULL, unfreeze_test_fixture_get_database ());
  unfreeze_window_set_database_ready (window, NULL);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);

  /* Nothing to export before a run. */
  g_assert_null (unfreeze_window_dup_export (window));
  g_assert_false (unfreeze_window_export (window, svg_path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (g_file_test (svg_path, G_FILE_TEST_EXISTS));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.mode", "s", "gtask"));
  unfreeze_window_set_delay (window, 0.5);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  run = unfreeze_window_get_last_run (window);
  g_assert_nonnull (run);
  /* Nor while it is in flight: its charts are not final. */
  g_assert_false (unfreeze_run_get_finished (run));
  g_assert_null (unfreeze_window_dup_export (window));

  g_signal_connect (run, "finished", G_CALLBACK (finished_cb), &finished);
  g_assert_true (unfreeze_test_wait_for (&finished, 30000));
  g_signal_handlers_disconnect_by_func (run, finished_cb, &finished);
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);

  g_assert_true (unfreeze_window_export (window, svg_path, &error));
  g_assert_no_error (error);
  height = assert_svg_picture (svg_path);

  /* The extension says the format, in any case. */
  g_assert_true (unfreeze_window_export (window, png_path, &error));
  g_assert_no_error (error);
  assert_png_picture (png_path, height);

  /* What Export Picture does in the window: drawn there, compressed and written on a worker. */
  {
    g_autoptr(UnfreezeExport) export = unfreeze_window_dup_export (window);
    g_autoptr(GAsyncResult) result = NULL;

    g_assert_nonnull (export);
    unfreeze_export_save_async (export, async_path, NULL, saved_cb, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_true (unfreeze_export_save_finish (export, result, &error));
    g_assert_no_error (error);
    assert_png_picture (async_path, height);
  }

  /* The SVG draws as an image too, where gdk-pixbuf has its SVG loader (librsvg). */
  {
    g_autoptr(GdkTexture) texture = gdk_texture_new_from_filename (svg_path, &error);

    if (texture != NULL)
      {
        g_assert_cmpint (gdk_texture_get_width (texture), ==, 1600);
        g_assert_cmpint (gdk_texture_get_height (texture), ==, height);
      }
    else
      {
        g_test_message ("no SVG loader here: %s", error->message);
        g_clear_error (&error);
      }
  }

  /* What cannot be written says why, and leaves nothing behind. */
  g_assert_false (unfreeze_window_export (window, bad_path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (g_file_test (bad_path, G_FILE_TEST_EXISTS));
  g_assert_false (unfreeze_window_export (window, missing_path, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "no-such-dir"));
  g_clear_error (&error);

  gtk_window_destroy (GTK_WINDOW (window));
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

/* The program ------------------------------------------------------------------------ */

static int
run_program (const char  *export_option,
             gboolean     with_run,
             char       **err)
{
  g_autofree char *home = g_build_filename (tmpdir, "home", NULL);
  g_autofree char *connection = g_strdup_printf ("--connection=%s",
                                                 unfreeze_test_fixture_get_conninfo ());
  g_auto(GStrv) env = unfreeze_test_program_environ (home);
  g_autofree char *out = NULL;
  const char * const args[] = {
    connection, "--mode=gtask", "--delay=0.2", export_option,
    with_run ? "--run" : NULL, "--quit-after-run", NULL
  };

  /* Its summary line is not for the test's TAP output. */
  return unfreeze_test_run_program (env, args, &out, err);
}

/* unfreeze --mode=gtask --run --export=FILE --quit-after-run, as the issue asks. */
static void
test_export_program (void)
{
  g_autofree char *svg_path = g_build_filename (tmpdir, "run.svg", NULL);
  g_autofree char *png_path = g_build_filename (tmpdir, "run.png", NULL);
  g_autofree char *svg_option = g_strconcat ("--export=", svg_path, NULL);
  g_autofree char *png_option = g_strconcat ("--export=", png_path, NULL);
  g_autofree char *missing_option = g_strconcat ("--export=", tmpdir, "/no-such-dir/run.svg", NULL);
  g_autofree char *err = NULL;

  g_assert_cmpint (run_program (svg_option, TRUE, NULL), ==, 0);
  assert_svg_picture (svg_path);

  g_assert_cmpint (run_program (png_option, TRUE, NULL), ==, 0);
  assert_png_picture (png_path, -1);

  /* Without --run there is nothing to export: said at once. */
  g_assert_cmpint (run_program (svg_option, FALSE, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--export needs --run"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_program ("--export=run.gif", TRUE, &err), ==, 2);
  g_assert_nonnull (strstr (err, ".svg or .png"));
  g_clear_pointer (&err, g_free);

  /* A place that cannot be written: the run happens, the picture fails, and says so. */
  g_assert_cmpint (run_program (missing_option, TRUE, &err), ==, 5);
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, "no-such-dir"));
}

/* unfreeze --compare --export=FILE --quit-after-run: the comparison's picture, with every
 * mode's name in the SVG's words (its <desc>), and as a PNG. */
static void
test_export_compare (void)
{
  g_autofree char *home = g_build_filename (tmpdir, "home", NULL);
  g_autofree char *connection = g_strdup_printf ("--connection=%s",
                                                 unfreeze_test_fixture_get_conninfo ());
  g_autofree char *svg_path = g_build_filename (tmpdir, "compare.svg", NULL);
  g_autofree char *png_path = g_build_filename (tmpdir, "compare.png", NULL);
  g_autofree char *svg_option = g_strconcat ("--export=", svg_path, NULL);
  g_autofree char *png_option = g_strconcat ("--export=", png_path, NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) env = unfreeze_test_program_environ (home);
  const UnfreezeMode * const *modes;
  guint n_modes;
  int height;

  {
    const char * const args[] = { connection, "--compare", "--delay=0.2", svg_option, "--quit-after-run", NULL };
    g_autofree char *out = NULL;

    g_assert_cmpint (unfreeze_test_run_program (env, args, &out, NULL), ==, 0);
  }
  height = assert_svg_picture (svg_path);
  g_assert_true (g_file_get_contents (svg_path, &contents, NULL, NULL));
  modes = unfreeze_modes_get_all (&n_modes);
  for (guint i = 0; i < n_modes; i++)
    {
      g_autofree char *escaped = g_markup_escape_text (modes[i]->title, -1);

      g_assert_nonnull (strstr (contents, escaped));
    }
  /* Seven small multiples are taller than one run's picture. */
  g_assert_cmpint (height, >, 1500);

  {
    const char * const args[] = { connection, "--compare", "--delay=0.2", png_option, "--quit-after-run", NULL };
    g_autofree char *out = NULL;

    g_assert_cmpint (unfreeze_test_run_program (env, args, &out, NULL), ==, 0);
  }
  assert_png_picture (png_path, -1);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  unfreeze_test_init_display (&argc, &argv);
  g_test_add_func ("/unfreeze/Export/window", test_export_window);
  g_test_add_func ("/unfreeze/Export/program", test_export_program);
  g_test_add_func ("/unfreeze/Export/compare", test_export_compare);

  /* The pictures go in the fixture's temporary directory, which goes at the end. */
  if (!unfreeze_test_fixture_setup (&error))
    {
      g_printerr ("SKIP: no PostgreSQL for this test: %s\n", error->message);
      return 77;
    }
  tmpdir = g_build_filename (unfreeze_test_fixture_get_tmpdir (), "export", NULL);
  g_assert_cmpint (g_mkdir_with_parents (tmpdir, 0700), ==, 0);

  status = g_test_run ();
  unfreeze_test_fixture_teardown ();
  g_free (tmpdir);

  return status;
}
