/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list of modes (unfreeze-mode.c), which the build makes from the one list of mode files
 * in src/meson.build (build-aux/gen-mode-list.py): every file in that list is a mode, in the
 * same order; ids are unique and name their files; each mode's source is in the resources,
 * where the Code view reads it; the shortcuts window, written by hand, names them all. No
 * display, no server.
 *
 * UNFREEZE_MODE_FILES, defined by tests/meson.build, is that list: "modes/unfreeze-mode-a.c,…".
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include <gio/gio.h>

#include "unfreeze-mode.h"
#include "unfreeze-test.h"

#define RESOURCE_BASE "/io/github/unfreeze/Unfreeze/"

/* The list in meson.build matches the list of modes, one for one, in order. */
static void
test_mode_list_files (void)
{
  g_auto(GStrv) files = g_strsplit (UNFREEZE_MODE_FILES, ",", -1);
  guint n_modes = 0;
  const UnfreezeMode * const *modes = unfreeze_modes_get_all (&n_modes);

  g_assert_true (unfreeze_modes_get_all (NULL) == modes);
  g_assert_cmpuint (n_modes, ==, g_strv_length (files));

  for (guint i = 0; i < n_modes; i++)
    {
      g_autofree char *expected = g_strconcat (RESOURCE_BASE, files[i], NULL);

      g_assert_nonnull (modes[i]);
      g_assert_cmpstr (unfreeze_mode_get_source_path (modes[i]), ==, expected);
    }
}

/* From the mistake to the fix: these keep their order whatever modes join them. */
static void
test_mode_list_order (void)
{
  static const char * const lesson_order[] = {
    "blocking", "thread", "gtask", "mainloop", "sleep", "deadlock",
  };
  guint n_modes = 0;
  const UnfreezeMode * const *modes = unfreeze_modes_get_all (&n_modes);
  guint next = 0;

  for (guint i = 0; i < n_modes && next < G_N_ELEMENTS (lesson_order); i++)
    {
      if (g_str_equal (modes[i]->id, lesson_order[next]))
        next++;
    }

  if (next < G_N_ELEMENTS (lesson_order))
    {
      g_autofree char *ids = unfreeze_modes_dup_ids (", ");

      g_test_message ("Modes: %s", ids);
      g_test_message ("“%s” is missing or out of order", lesson_order[next]);
      g_test_fail ();
    }
}

/* Ids are unique, name the mode's file, and are what lookup and --help go by. */
static void
test_mode_list_ids (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) joined = g_string_new (NULL);
  g_autofree char *ids = unfreeze_modes_dup_ids ("|");
  guint n_modes = 0;
  const UnfreezeMode * const *modes = unfreeze_modes_get_all (&n_modes);

  for (guint i = 0; i < n_modes; i++)
    {
      const UnfreezeMode *mode = modes[i];
      g_autofree char *basename = g_path_get_basename (unfreeze_mode_get_source_path (mode));
      g_autofree char *expected = g_strdup_printf ("unfreeze-mode-%s.c", mode->id);

      g_assert_nonnull (mode->id);
      g_assert_cmpstr (mode->id, !=, "");
      g_assert_false (g_hash_table_contains (seen, mode->id));
      g_hash_table_add (seen, (gpointer) mode->id);

      g_assert_cmpstr (basename, ==, expected);
      g_assert_true (unfreeze_modes_lookup (mode->id) == mode);

      g_string_append_printf (joined, "%s%s", i > 0 ? "|" : "", mode->id);
    }

  g_assert_cmpstr (ids, ==, joined->str);
  g_assert_null (unfreeze_modes_lookup ("nope"));
  g_assert_null (unfreeze_modes_lookup (""));
}

/* Each mode's own file is in the resources, and it is the file that defines the mode. */
static void
test_mode_list_sources (void)
{
  static const UnfreezeMode not_listed = { .id = "not-listed", .title = "Not listed" };
  guint n_modes = 0;
  const UnfreezeMode * const *modes = unfreeze_modes_get_all (&n_modes);

  for (guint i = 0; i < n_modes; i++)
    {
      const UnfreezeMode *mode = modes[i];
      const char *path = unfreeze_mode_get_source_path (mode);
      g_autofree char *symbol = g_strdelimit (g_strconcat ("unfreeze_mode_", mode->id, NULL), "-", '_');
      g_autofree char *definition = g_strdup_printf ("\nconst UnfreezeMode %s = {\n", symbol);
      g_autofree char *text = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      gsize size;
      const char *data;

      g_test_message ("Mode %s: %s", mode->id, path);
      g_assert_nonnull (path);

      bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      g_assert_no_error (error);
      data = g_bytes_get_data (bytes, &size);
      g_assert_cmpuint (size, >, 0);
      g_assert_true (g_utf8_validate_len (data, size, NULL));

      text = g_strndup (data, size);
      g_assert_nonnull (strstr (text, definition));
    }

  g_assert_null (unfreeze_mode_get_source_path (&not_listed));
}

/* The shortcuts window (gtk/help-overlay.ui) is the one place that names the modes by hand:
 * "N. Title" for Ctrl+N, as the sidebar numbers them, for the first nine, and no other. */
static void
test_mode_list_shortcuts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_resources_lookup_data (RESOURCE_BASE "gtk/help-overlay.ui",
                                                     G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_autofree char *ui = NULL;
  guint n_modes = 0;
  const UnfreezeMode * const *modes = unfreeze_modes_get_all (&n_modes);

  g_assert_no_error (error);
  ui = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  for (guint n = 1; n <= 9; n++)
    {
      g_autofree char *accelerator = g_strdup_printf (">&lt;Control&gt;%u<", n);
      const char *found = strstr (ui, accelerator);

      if (n <= n_modes)
        {
          g_autofree char *title = g_markup_printf_escaped (">%u. %s<", n, modes[n - 1]->title);
          const char *shortcut = strstr (ui, title);

          g_test_message ("Ctrl+%u: mode %s, “%u. %s” in gtk/help-overlay.ui",
                          n, modes[n - 1]->id, n, modes[n - 1]->title);

          /* The title, then its accelerator, with no other shortcut in between. */
          g_assert_nonnull (shortcut);
          g_assert_nonnull (found);
          g_assert_true (found > shortcut);
          g_assert_null (g_strstr_len (shortcut, found - shortcut, "GtkShortcutsShortcut"));
        }
      else
        {
          g_test_message ("Ctrl+%u: no mode, not in gtk/help-overlay.ui", n);
          g_assert_null (found);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  unfreeze_test_init (&argc, &argv);

  g_test_add_func ("/unfreeze/ModeList/files", test_mode_list_files);
  g_test_add_func ("/unfreeze/ModeList/order", test_mode_list_order);
  g_test_add_func ("/unfreeze/ModeList/ids", test_mode_list_ids);
  g_test_add_func ("/unfreeze/ModeList/sources", test_mode_list_sources);
  g_test_add_func ("/unfreeze/ModeList/shortcuts", test_mode_list_shortcuts);

  return g_test_run ();
}
