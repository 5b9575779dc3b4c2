/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The German translation, used as a user would get it: the real program's --help and error
 * messages, a scripted run with a screenshot (the summary line stays English: scripts parse
 * it), and the window's own texts after a run. The catalogue is the one the build compiled
 * (<builddir>/po/de/LC_MESSAGES/unfreeze.mo), found through UNFREEZE_LOCALEDIR (see main.c).
 *
 * No German locale has to be generated: with glibc, LANGUAGE picks the translation whenever
 * LC_MESSAGES is a real locale other than "C", and C.UTF-8 is one (built into glibc 2.35+,
 * shipped by Debian). Needs a display and PostgreSQL.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gtksourceview/gtksource.h>
#include <locale.h>

#include "unfreeze-resources.h"
#include "unfreeze-test-fixture.h"
#include "unfreeze-test-process.h"
#include "unfreeze-ui-guard.h"
#include "unfreeze-window.h"

#define LOCALE "C.UTF-8"

static char *home;       /* a private XDG home for the program */
static char *localedir;  /* the build tree's po/ directory */

/* The program's environment: German through LANGUAGE, no locale variable that would win over
 * LANG, private XDG directories, and no PG* variables (the built-in server is used). */
static char **
program_env (const char *language)
{
  g_auto(GStrv) env = unfreeze_test_program_environ (home);
  static const char * const unset[] = { "LC_ALL", "LC_MESSAGES", "LANGUAGE" };

  for (guint i = 0; i < G_N_ELEMENTS (unset); i++)
    env = g_environ_unsetenv (env, unset[i]);
  env = g_environ_setenv (env, "LANG", LOCALE, TRUE);
  if (language != NULL)
    env = g_environ_setenv (env, "LANGUAGE", language, TRUE);
  env = g_environ_setenv (env, "UNFREEZE_LOCALEDIR", localedir, TRUE);

  return g_steal_pointer (&env);
}

/* Runs the program to its end in @language (NULL: untranslated); returns its exit status. */
static int
run_program (const char          *language,
             const char * const  *args,
             char               **out,
             char               **err)
{
  g_auto(GStrv) env = program_env (language);

  return unfreeze_test_run_program (env, args, out, err);
}

/* The catalogue in the build tree is the one this test reads, and it is German. */
static void
test_catalog (void)
{
  g_autofree char *mo = g_build_filename (localedir, "de", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);

  g_assert_true (g_file_test (mo, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpstr (_("How to run the query"), ==, "Wie die Abfrage ausgeführt wird");
  g_assert_cmpstr (ngettext ("%u worker thread", "%u worker threads", 2), ==, "%u Worker-Threads");
}

/* --help: the descriptions and placeholders are German, the option names are not. Without
 * LANGUAGE the same program prints English, so the German comes from the translation. */
static void
test_help (void)
{
  const char * const args[] = { "--help", NULL };
  g_autofree char *german = NULL;
  g_autofree char *english = NULL;

  g_assert_cmpint (run_program ("de", args, &german, NULL), ==, 0);
  g_assert_nonnull (strstr (german, "Wie die Abfrage ausgeführt wird"));
  g_assert_nonnull (strstr (german, "--delay=SEKUNDEN"));
  g_assert_nonnull (strstr (german, "--quit-after-run"));
  g_assert_nonnull (strstr (german, "Ohne angegebene Verbindung startet Unfreeze"));
  g_assert_null (strstr (german, "How to run the query"));
  g_assert_nonnull (strstr (german, "--mode=blocking|thread|gtask"));

  g_assert_cmpint (run_program (NULL, args, &english, NULL), ==, 0);
  g_assert_nonnull (strstr (english, "How to run the query"));
  g_assert_null (strstr (english, "Wie die Abfrage ausgeführt wird"));
}

/* An error message with arguments: the translation's format string takes them in order. */
static void
test_bad_options (void)
{
  const char * const args[] = { "--mode=nope", NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (run_program ("de", args, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "Unbekannter Modus „nope“: --mode=blocking|thread|gtask"));
}

/* The keys of a summary line, in order, joined by spaces. */
static char *
summary_keys (const char *line)
{
  g_auto(GStrv) pairs = g_strsplit (line, " ", -1);
  g_autoptr(GString) keys = g_string_new (NULL);

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *equals = strchr (pairs[i], '=');

      g_assert_nonnull (equals);
      if (keys->len > 0)
        g_string_append_c (keys, ' ');
      g_string_append_len (keys, pairs[i], equals - pairs[i]);
    }

  return g_string_free (g_steal_pointer (&keys), FALSE);
}

/* A scripted run in German: it works, the summary line is the same as in English (keys,
 * order and values are for scripts), and the window can be photographed. */
static void
test_run (void)
{
  g_autofree char *shot_dir = g_dir_make_tmp ("unfreeze-shot-XXXXXX", NULL);
  g_autofree char *shot = g_build_filename (shot_dir, "de.png", NULL);
  g_autofree char *shot_arg = g_strdup_printf ("--screenshot=%s", shot);
  const char * const args[] = { "--mode=gtask", "--run", "--quit-after-run", "--delay=0", shot_arg, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *keys = NULL;
  g_auto(GStrv) lines = NULL;
  const char *summary = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (shot_dir);
  g_assert_cmpint (run_program ("de", args, &out, &err), ==, 0);

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL && summary == NULL; i++)
    if (g_str_has_prefix (lines[i], "mode="))
      summary = lines[i];
  g_assert_nonnull (summary);
  g_assert_true (g_str_has_prefix (summary, "mode=gtask ticker=MSFT rows="));
  g_assert_true (g_str_has_suffix (summary, " result=ok"));
  keys = summary_keys (summary);
  g_assert_cmpstr (keys, ==,
                   "mode ticker rows elapsed_ms longest_stall_ms frames_missed apply_ms count "
                   "finished threads_before threads_peak connections_peak cpu_ms inputs input_wait_max_ms "
                   "result");

  texture = gdk_texture_new_from_filename (shot, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), >=, 360);
  g_assert_cmpint (gdk_texture_get_height (texture), >=, 480);

  g_remove (shot);
  g_rmdir (shot_dir);
}

static void
finished_cb (UnfreezeRun *run,
             gboolean    *finished)
{
  *finished = TRUE;
}

/* The window itself, in this process: its texts after a GTask run come from the catalogue,
 * with the numbers in the right places. */
static void
test_window (void)
{
  UnfreezeWindow *window = unfreeze_window_new (NULL, unfreeze_test_fixture_get_database ());
  g_autofree char *count = unfreeze_test_query_value ("SELECT count(*) FROM stock_prices WHERE ticker = 'MSFT'");
  g_autofree char *rows = unfreeze_format_count (g_ascii_strtoull (count, NULL, 10));
  g_autofree char *loaded = g_strdup_printf ("%s Zeilen für MSFT in ", rows);
  g_autofree char *messages = NULL;
  gboolean finished = FALSE;
  UnfreezeRun *run;

  unfreeze_window_set_database_ready (window, NULL);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);
  /* The fixture's server is not the built-in one: the big tickers are offered, not made. */
  g_assert_true (unfreeze_database_get_can_generate_big_tickers (unfreeze_test_fixture_get_database ()));
  g_assert_true (g_str_has_prefix (unfreeze_window_get_status_text (window), "Bereit: "));
  g_assert_nonnull (strstr (unfreeze_window_get_status_text (window),
                            "Die Ticker BIG und HUGE fehlen: Sie zu erzeugen fügt der Tabelle "
                            "„stock_prices“ 1.150.000 Zeilen hinzu (etwa 150 MB)."));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.mode", "s", "gtask"));
  unfreeze_window_set_delay (window, 0.5);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  run = unfreeze_window_get_last_run (window);
  g_assert_nonnull (run);
  g_signal_connect (run, "finished", G_CALLBACK (finished_cb), &finished);
  g_assert_true (unfreeze_test_wait_for (&finished, 30000));
  g_signal_handlers_disconnect_by_func (run, finished_cb, &finished);
  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);

  /* "1,234 Zeilen für MSFT in 512 ms geladen. Die Oberfläche blieb …" (what follows the first
   * sentence depends on how long the UI thread stalled on this machine). */
  g_test_message ("status: %s", unfreeze_window_get_status_text (window));
  g_assert_true (g_str_has_prefix (unfreeze_window_get_status_text (window), loaded));
  g_assert_nonnull (strstr (unfreeze_window_get_status_text (window), " ms geladen. "));
  messages = unfreeze_window_dup_messages (window);
  g_assert_nonnull (strstr (messages, "Durchlauf: GTask + g_idle_add, Ticker MSFT, Server-Verzögerung"));
  g_assert_nonnull (strstr (messages, "Worker-Thread: wartet auf den Server"));
  g_assert_null (strstr (messages, "Worker thread"));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  unfreeze_ui_guard_init ();

  /* German for this process too; the environment is changed before any thread starts. */
  g_unsetenv ("LC_ALL");
  g_unsetenv ("LC_MESSAGES");
  g_setenv ("LANG", LOCALE, TRUE);
  g_setenv ("LANGUAGE", "de", TRUE);

  gtk_test_init (&argc, &argv, NULL);

  /* gtk_test_init() put this process in the C locale, where gettext ignores LANGUAGE. */
  if (setlocale (LC_ALL, LOCALE) == NULL)
    {
      g_printerr ("SKIP: the %s locale is not available here\n", LOCALE);
      return 77;
    }
  localedir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  adw_init ();
  gtk_source_init ();
  unfreeze_register_resource ();

  if (!unfreeze_local_server_check_user (geteuid (), &error) ||
      !unfreeze_test_fixture_setup (&error))
    {
      g_printerr ("SKIP: no PostgreSQL for this test: %s\n", error->message);
      return 77;
    }
  g_assert_nonnull (g_getenv ("UNFREEZE_BINARY"));

  home = g_dir_make_tmp ("unfreeze-translation-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/unfreeze/Translation/catalog", test_catalog);
  g_test_add_func ("/unfreeze/Translation/help", test_help);
  g_test_add_func ("/unfreeze/Translation/bad-options", test_bad_options);
  g_test_add_func ("/unfreeze/Translation/run", test_run);
  g_test_add_func ("/unfreeze/Translation/window", test_window);

  status = g_test_run ();
  unfreeze_test_fixture_teardown ();

  unfreeze_test_remove_tree (home);
  g_free (home);
  g_free (localedir);

  return status;
}
