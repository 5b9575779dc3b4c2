/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real program, as a user or a script starts it: the command-line options, the summary
 * line, the exit status, and the built-in server's life (first start initialises, the next
 * reuses, quitting stops it, killing the app leaves no postgres behind). Needs a display.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <unistd.h>

#include "unfreeze-local-server.h"
#include "unfreeze-test-process.h"
#include "unfreeze-test.h"

static char *home;      /* a private XDG home for the program */

/* Runs the program to its end; returns its exit status. */
static int
run_program (const char * const  *args,
             char               **out,
             char               **err)
{
  g_auto(GStrv) env = unfreeze_test_program_environ (home);

  return unfreeze_test_run_program (env, args, out, err);
}

static void
test_help (void)
{
  g_autofree char *out = NULL;
  const char * const args[] = { "--help", NULL };

  g_assert_cmpint (run_program (args, &out, NULL), ==, 0);
  for (guint i = 0; i < 6; i++)
    {
      static const char * const options[] = {
        "--mode=blocking|thread|gtask", "--ticker", "--delay", "--run", "--quit-after-run", "--connection",
      };
      g_assert_nonnull (strstr (out, options[i]));
    }
}

static void
test_bad_options (void)
{
  g_autofree char *err = NULL;
  const char * const args[] = { "--mode=nope", NULL };

  g_assert_cmpint (run_program (args, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "Unknown mode “nope”"));
}

/* The first start with nothing configured creates the cluster; the run succeeds; quitting
 * stops the server. */
static void
test_embedded_first_run (void)
{
  g_autofree char *out = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *result = NULL;
  const char * const args[] = { "--mode=gtask", "--run", "--quit-after-run", "--delay=0.2", NULL };

  g_assert_null (unfreeze_test_find_data_dir (home));
  g_assert_cmpint (run_program (args, &out, NULL), ==, 0);

  result = unfreeze_test_summary_value (out, "result");
  rows = unfreeze_test_summary_value (out, "rows");
  g_assert_cmpstr (result, ==, "ok");
  g_assert_cmpuint (g_ascii_strtoull (rows, NULL, 10), >, 1000);
  g_assert_true (g_str_has_prefix (out, "mode=gtask ticker=MSFT rows="));

  data_dir = unfreeze_test_find_data_dir (home);
  g_assert_nonnull (data_dir);
  /* Stopped on quit: no postmaster.pid left behind. */
  g_assert_cmpint (unfreeze_test_postmaster_pid (data_dir), ==, 0);
}

/* Each mode from the command line, reusing the cluster; the exit status says the result. */
static void
test_embedded_modes (void)
{
  static const struct {
    const char *mode;
    const char *result;
    int exit_status;
  } cases[] = {
    { "blocking", "ok", 0 },
    { "thread", "refused", 2 },
    { "gtask", "ok", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *mode_arg = g_strdup_printf ("--mode=%s", cases[i].mode);
      const char * const args[] = { mode_arg, "--ticker=AAPL", "--run", "--quit-after-run", "--delay=1", NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *result = NULL;
      g_autofree char *stall = NULL;
      g_autofree char *ticker = NULL;

      g_assert_cmpint (run_program (args, &out, &err), ==, cases[i].exit_status);
      result = unfreeze_test_summary_value (out, "result");
      stall = unfreeze_test_summary_value (out, "longest_stall_ms");
      ticker = unfreeze_test_summary_value (out, "ticker");
      g_assert_cmpstr (result, ==, cases[i].result);
      g_assert_cmpstr (ticker, ==, "AAPL");

      if (g_str_equal (cases[i].mode, "blocking"))
        g_assert_cmpint (g_ascii_strtoll (stall, NULL, 10), >=, 800);
      if (g_str_equal (cases[i].mode, "thread"))
        g_assert_nonnull (strstr (err, "Cross-thread UI access: show rows from thread raw-worker"));
    }
}

/* A connection that fails, and one libpq cannot even read: a clear error, exit status 1. */
static void
test_bad_connection (void)
{
  g_autofree char *bad_host = g_strdup_printf ("--connection=host=%s/nowhere connect_timeout=2", home);
  const char * const refused[] = { "--mode=gtask", bad_host, "--run", "--quit-after-run", NULL };
  const char * const unreadable[] = { "--mode=gtask", "--connection=colour=blue", "--run", "--quit-after-run", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *result = NULL;

  g_assert_cmpint (run_program (refused, &out, &err), ==, 1);
  result = unfreeze_test_summary_value (out, "result");
  g_assert_cmpstr (result, ==, "error");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&result, g_free);

  g_assert_cmpint (run_program (unreadable, &out, &err), ==, 1);
  result = unfreeze_test_summary_value (out, "result");
  g_assert_cmpstr (result, ==, "error");
  g_assert_nonnull (strstr (err, "colour"));
}

/* Whether GIO can load dconf's settings backend here (Debian: dconf-gsettings-backend). */
static gboolean
dconf_backend_available (void)
{
  g_autoptr(GSettingsBackend) backend = g_settings_backend_get_default ();   /* loads GIO's modules */
  GIOExtensionPoint *point = g_io_extension_point_lookup (G_SETTINGS_BACKEND_EXTENSION_POINT_NAME);

  return point != NULL && g_io_extension_point_get_extension_by_name (point, "dconf") != NULL;
}

/* Without a session bus dconf reads the remembered settings but cannot write them, and it
 * undoes each change shortly after: the values given on the command line must still be the
 * window's (they once reverted to the remembered ones). Observed through the debug line the
 * app logs at quit. */
static void
test_options_win_without_bus (void)
{
  const char *binary = g_getenv ("UNFREEZE_BINARY");
  g_auto(GStrv) env = unfreeze_test_program_environ (home);
  g_autofree char *no_bus = g_strdup_printf ("unix:path=%s/no-such-bus", home);
  g_autoptr(GSubprocessLauncher) launcher = unfreeze_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GDataInputStream) debug_lines = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ready = FALSE;
  gboolean quit_line = FALSE;
  char *line;

  if (!dconf_backend_available ())
    {
      g_test_skip ("dconf's GSettings backend is not installed");
      return;
    }

  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "dconf", TRUE);
  env = g_environ_setenv (env, "DBUS_SESSION_BUS_ADDRESS", no_bus, TRUE);
  env = g_environ_setenv (env, "G_MESSAGES_DEBUG", "Unfreeze Unfreeze-Startup", TRUE);
  g_subprocess_launcher_set_environ (launcher, env);
  app = g_subprocess_launcher_spawn (launcher, &error, binary, "--mode=mainloop", "--ticker=AAPL",
                                     "--delay=0.25", "--count=3", NULL);
  g_assert_no_error (error);

  /* Ready: the window is up, the database too, and the settings were applied long ago.
   * (GLib writes debug messages to the standard output.) */
  debug_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (app));
  while (!ready && (line = g_data_input_stream_read_line_utf8 (debug_lines, NULL, NULL, &error)) != NULL)
    {
      ready = strstr (line, "ready monotonic_us=") != NULL;
      g_free (line);
    }
  g_assert_no_error (error);
  g_assert_true (ready);

  g_subprocess_send_signal (app, SIGTERM);
  while ((line = g_data_input_stream_read_line_utf8 (debug_lines, NULL, NULL, &error)) != NULL)
    {
      if (strstr (line, "Settings at quit:") != NULL)
        {
          g_test_message ("%s", line);
          g_assert_nonnull (strstr (line, "mode=mainloop ticker=AAPL delay=0.25 count=3"));
          quit_line = TRUE;
        }
      g_free (line);
    }
  g_assert_no_error (error);
  g_assert_true (quit_line);
  g_assert_true (g_subprocess_wait_check (app, NULL, &error));
  g_assert_no_error (error);
}

/* build-aux/run.sh gives the app a session bus of its own where there is none, so that
 * its settings can be written; the app started directly there says it has none. */
static void
test_run_sh_gives_a_bus (void)
{
  const char *binary = g_getenv ("UNFREEZE_BINARY");
  g_autofree char *src_dir = g_path_get_dirname (binary);             /* BUILDDIR/src */
  g_autofree char *builddir = g_path_get_dirname (src_dir);
  g_autofree char *run_sh = g_test_build_filename (G_TEST_DIST, "..", "build-aux", "run.sh", NULL);
  g_auto(GStrv) env = unfreeze_test_program_environ (home);
  const char * const args[] = { "--mode=gtask", "--run", "--quit-after-run", "--delay=0", NULL };
  struct {
    gboolean    through_run_sh;
    const char *expect_message;
  } cases[] = { { FALSE, "No D-Bus session bus" }, { TRUE, NULL } };

  if (!dconf_backend_available ())
    {
      g_test_skip ("dconf's GSettings backend is not installed");
      return;
    }

  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "dconf", TRUE);
  env = g_environ_unsetenv (env, "DBUS_SESSION_BUS_ADDRESS");   /* and no XDG_RUNTIME_DIR/bus */
  env = g_environ_setenv (env, "UNFREEZE_SKIP_DEPS", "1", TRUE);
  env = g_environ_setenv (env, "UNFREEZE_BUILDDIR", builddir, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *argv[8] = { NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *result = NULL;
      g_autoptr(GError) error = NULL;
      int wait_status = 0;
      guint n = 0;

      if (cases[i].through_run_sh)
        argv[n++] = run_sh;
      else
        argv[n++] = binary;
      for (guint j = 0; args[j] != NULL; j++)
        argv[n++] = args[j];

      g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, unfreeze_test_child_setup,
                    GINT_TO_POINTER (getpid ()), &out, &err, &wait_status, &error);
      g_assert_no_error (error);
      if (!g_spawn_check_wait_status (wait_status, NULL))
        g_test_message ("%s failed: %s", argv[0], err);
      g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
      result = unfreeze_test_summary_value (out, "result");
      g_assert_cmpstr (result, ==, "ok");
      if (cases[i].expect_message != NULL)
        g_assert_nonnull (strstr (err, cases[i].expect_message));
      else
        g_assert_null (strstr (err, "No D-Bus session bus"));
    }
}

/* SIGKILL to the app: the server goes with it, and the next start recovers. */
static void
test_kill_leaves_no_server (void)
{
  const char *binary = g_getenv ("UNFREEZE_BINARY");
  g_auto(GStrv) env = unfreeze_test_program_environ (home);
  g_autoptr(GSubprocessLauncher) launcher = unfreeze_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GDataInputStream) stdout_lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *out = NULL;
  g_autofree char *result = NULL;
  const char * const again[] = { "--mode=blocking", "--run", "--quit-after-run", "--delay=0", NULL };
  GPid pid;

  g_subprocess_launcher_set_environ (launcher, env);
  app = g_subprocess_launcher_spawn (launcher, &error, binary, "--mode=gtask", "--run", "--delay=0", NULL);
  g_assert_no_error (error);

  /* The summary line says the server is up and has answered. */
  stdout_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (app));
  line = g_data_input_stream_read_line_utf8 (stdout_lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_suffix (line, "result=ok"));

  data_dir = unfreeze_test_find_data_dir (home);
  pid = unfreeze_test_postmaster_pid (data_dir);
  g_assert_cmpint (pid, >, 0);
  g_assert_true (unfreeze_test_process_alive (pid));

  g_subprocess_force_exit (app);
  g_subprocess_wait (app, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (unfreeze_test_wait_until_dead (pid, 10000));

  /* The next start recovers the cluster and works. */
  g_assert_cmpint (run_program (again, &out, NULL), ==, 0);
  result = unfreeze_test_summary_value (out, "result");
  g_assert_cmpstr (result, ==, "ok");

  /* --delay=0 really is no delay (GApplication drops numeric options equal to 0; the app
   * must not fall back to its default of 3 s): the whole run is well under that. */
  {
    g_autofree char *elapsed = unfreeze_test_summary_value (out, "elapsed_ms");

    g_assert_cmpint (g_ascii_strtoll (elapsed, NULL, 10), <, 2500);
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  unfreeze_test_init (&argc, &argv);

  home = unfreeze_test_program_home_or_skip ("unfreeze-program-XXXXXX");

  g_test_add_func ("/unfreeze/Program/help", test_help);
  g_test_add_func ("/unfreeze/Program/bad-options", test_bad_options);
  g_test_add_func ("/unfreeze/Program/embedded-first-run", test_embedded_first_run);
  g_test_add_func ("/unfreeze/Program/embedded-modes", test_embedded_modes);
  g_test_add_func ("/unfreeze/Program/bad-connection", test_bad_connection);
  g_test_add_func ("/unfreeze/Program/kill-leaves-no-server", test_kill_leaves_no_server);
  g_test_add_func ("/unfreeze/Program/options-win-without-bus", test_options_win_without_bus);
  g_test_add_func ("/unfreeze/Program/run-sh-gives-a-bus", test_run_sh_gives_a_bus);

  status = g_test_run ();

  unfreeze_test_remove_tree (home);
  g_free (home);

  return status;
}
