/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real program, as a user or a script starts it: the command-line options, the summary
 * line, the exit status, and the built-in server's life (first start initialises, the next
 * reuses, quitting stops it, killing the app leaves no postgres behind); two copies side by
 * side (a second one shares the first one's server, a plain launch presents the running
 * copy's window, New Window opens a second one in it). Needs a display.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <unistd.h>

#include "unfreeze-local-server.h"
#include "unfreeze-mode.h"
#include "unfreeze-test-fixture.h"
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
    { "deadlock", "deadlock", 4 },
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
      /* Frozen for the whole wait, until the safety net (3 s) ended it. */
      if (g_str_equal (cases[i].mode, "deadlock"))
        g_assert_cmpint (g_ascii_strtoll (stall, NULL, 10), >=, 2500);
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

/* Starts the program in the background, in @env, with its standard output as lines. */
static GSubprocess *
spawn_program (char               **env,
               const char * const  *args,
               GSubprocessFlags     flags,
               GDataInputStream   **out_lines)
{
  g_autoptr(GSubprocessLauncher) launcher = unfreeze_test_launcher_new (flags | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = unfreeze_test_program_argv (args);
  g_autoptr(GError) error = NULL;
  GSubprocess *app;

  g_subprocess_launcher_set_environ (launcher, env);
  app = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  *out_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (app));

  return app;
}

typedef struct
{
  gboolean  done;
  char     *line;
} LineRead;

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;
  GDataInputStream *lines = G_DATA_INPUT_STREAM (source);

  read->done = TRUE;
  read->line = g_data_input_stream_read_line_finish_utf8 (lines, result, NULL, NULL);
}

/* Reads lines until one holds @needle: FALSE when the output ends first, or after two
 * minutes without it (so that a line that never comes fails the test, not hangs it). */
static gboolean
read_until (GDataInputStream *lines,
            const char       *needle)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  for (;;)
    {
      LineRead read = { FALSE, NULL };
      gboolean found;

      g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, cancellable, line_read_cb, &read);
      while (!read.done && g_get_monotonic_time () < deadline)
        {
          if (!g_main_context_iteration (NULL, FALSE))
            g_usleep (10 * 1000);
        }
      if (!read.done)
        {
          g_cancellable_cancel (cancellable);
          while (!read.done)
            g_main_context_iteration (NULL, TRUE);
        }
      if (read.line == NULL)
        return FALSE;

      found = strstr (read.line, needle) != NULL;
      g_free (read.line);
      if (found)
        return TRUE;
    }
}

/* A connection string for the server that holds @data_dir, from its postmaster.pid. */
static char *
dup_server_conninfo (const char *data_dir)
{
  g_autofree char *pid_file = g_build_filename (data_dir, "postmaster.pid", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (pid_file, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", 0);
  g_assert_cmpuint (g_strv_length (lines), >=, 5);

  return g_strdup_printf ("host=%s port=%s dbname=postgres user=unfreeze", lines[4], lines[3]);
}

/* Waits until the server runs a statement that sleeps (a run's query is on it). */
static void
wait_for_sleeping_query (const char *data_dir)
{
  g_autofree char *conninfo = dup_server_conninfo (data_dir);
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autofree char *n = unfreeze_test_query_value_on (conninfo,
                                                         "SELECT count(*) FROM pg_stat_activity "
                                                         "WHERE state = 'active' AND query LIKE '%pg_sleep($2%'");

      if (g_strcmp0 (n, "0") != 0)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
    }
}

/* Waits until a postmaster other than @old_pid holds @data_dir; returns its pid. */
static GPid
wait_for_new_postmaster (const char *data_dir,
                         GPid        old_pid)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  GPid pid;

  while ((pid = unfreeze_test_postmaster_pid (data_dir)) == 0 || pid == old_pid ||
         !unfreeze_test_process_alive (pid))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
    }

  return pid;
}

/* Two copies against one data directory (issue 16): a second copy, scripted, shares the
 * server the first one started instead of failing on it, and leaves it running; a copy
 * stuck in a blocking run leaves the others alive; when the first copy quits, the second
 * says so and starts the server itself, and quitting it stops that one. */
static void
test_second_copy_shares_server (void)
{
  g_auto(GStrv) env = unfreeze_test_program_environ (home);
  const char * const stay_args[] = { "--mode=gtask", "--run", "--delay=0", NULL };
  const char * const script_args[] = { "--mode=gtask", "--ticker=AAPL", "--run", "--quit-after-run", "--delay=0", NULL };
  const char * const blocking_args[] = { "--mode=blocking", "--run", "--quit-after-run", "--delay=120", NULL };
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GDataInputStream) first_out = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GDataInputStream) second_out = NULL;
  g_autofree char *second_err = NULL;
  g_autoptr(GSubprocess) blocked = NULL;
  g_autoptr(GDataInputStream) blocked_out = NULL;
  g_autofree char *data_dir = NULL;
  g_autoptr(GError) error = NULL;
  GPid pid, new_pid;

  first = spawn_program (env, stay_args, G_SUBPROCESS_FLAGS_NONE, &first_out);
  g_assert_true (read_until (first_out, "result=ok"));
  data_dir = unfreeze_test_find_data_dir (home);
  pid = unfreeze_test_postmaster_pid (data_dir);
  g_assert_cmpint (pid, >, 0);

  /* A scripted run beside it: its own summary line and exit status, on the same server. */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *result = NULL;
    g_autofree char *ticker = NULL;

    g_assert_cmpint (run_program (script_args, &out, &err), ==, 0);
    result = unfreeze_test_summary_value (out, "result");
    ticker = unfreeze_test_summary_value (out, "ticker");
    g_assert_cmpstr (result, ==, "ok");
    g_assert_cmpstr (ticker, ==, "AAPL");
    g_assert_null (strstr (err, "already in use"));
    g_assert_cmpint (unfreeze_test_postmaster_pid (data_dir), ==, pid);
    g_assert_true (unfreeze_test_process_alive (pid));
  }

  /* One copy stuck in a blocking run (two minutes on the server); another copy's run
   * finishes meanwhile. */
  blocked = spawn_program (env, blocking_args, G_SUBPROCESS_FLAGS_NONE, &blocked_out);
  wait_for_sleeping_query (data_dir);
  {
    g_autofree char *out = NULL;
    g_autofree char *result = NULL;

    g_assert_cmpint (run_program (script_args, &out, NULL), ==, 0);
    result = unfreeze_test_summary_value (out, "result");
    g_assert_cmpstr (result, ==, "ok");
  }
  g_assert_nonnull (g_subprocess_get_identifier (blocked));
  g_subprocess_force_exit (blocked);
  g_subprocess_wait (blocked, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (unfreeze_test_process_alive (pid));

  /* The first copy quits while a second one runs. */
  second = spawn_program (env, stay_args, G_SUBPROCESS_FLAGS_STDERR_PIPE, &second_out);
  g_assert_true (read_until (second_out, "result=ok"));
  g_subprocess_send_signal (first, SIGTERM);
  g_assert_true (g_subprocess_wait_check (first, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (unfreeze_test_wait_until_dead (pid, 30000));

  new_pid = wait_for_new_postmaster (data_dir, pid);
  g_test_message ("the second copy started its own server: pid %d", (int) new_pid);

  g_subprocess_send_signal (second, SIGTERM);
  g_subprocess_communicate_utf8 (second, NULL, NULL, NULL, &second_err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (second));
  g_assert_cmpint (g_subprocess_get_exit_status (second), ==, 0);
  g_assert_nonnull (strstr (second_err, "The copy of Unfreeze that started the built-in server has quit"));
  g_assert_true (unfreeze_test_wait_until_dead (new_pid, 30000));
  g_assert_cmpint (unfreeze_test_postmaster_pid (data_dir), ==, 0);
}

/* GApplication's object path for @app_id: dots become slashes. */
static char *
dup_object_path (const char *app_id)
{
  g_autofree char *path = g_strconcat ("/", app_id, NULL);

  g_strdelimit (path, ".", '/');
  g_strdelimit (path, "-", '_');

  return g_steal_pointer (&path);
}

/* On a session bus (a private one here), a plain launch of a running app is handed to it,
 * which presents its window, and the launch ends at once; New Window (Ctrl+N, here called
 * over D-Bus as the desktop would) opens a second window in the same process. */
static void
test_plain_launch_presents (void)
{
  static const char * const kept[] = { "DISPLAY", "WAYLAND_DISPLAY" };
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_auto(GStrv) env = NULL;
  const char * const no_args[] = { NULL };
  g_autoptr(GDataInputStream) first_out = NULL;
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GDBusActionGroup) actions = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *object_path = dup_object_path (APP_ID);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* Taken first: GTestDBus unsets DISPLAY (and the bus address) in this process. */
  env = unfreeze_test_program_environ (home);
  g_test_dbus_up (bus);
  env = g_environ_setenv (env, "DBUS_SESSION_BUS_ADDRESS", g_test_dbus_get_bus_address (bus), TRUE);
  env = g_environ_setenv (env, "G_MESSAGES_DEBUG", "Unfreeze Unfreeze-Startup", TRUE);

  first = spawn_program (env, no_args, G_SUBPROCESS_FLAGS_NONE, &first_out);
  g_assert_true (read_until (first_out, "ready monotonic_us="));

  g_assert_cmpint (unfreeze_test_run_program (env, no_args, &out, &err), ==, 0);
  g_assert_null (strstr (err, "already in use"));
  /* It never started a server of its own, nor a window: the first copy presents its own. */
  g_assert_null (strstr (out, "ready monotonic_us="));
  g_assert_true (read_until (first_out, "Launched again: presenting the window in use"));

  connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  actions = g_dbus_action_group_get (connection, APP_ID, object_path);
  g_action_group_activate_action (G_ACTION_GROUP (actions), "new-window", NULL);
  g_assert_true (read_until (first_out, "New window: 2 windows"));

  g_subprocess_send_signal (first, SIGTERM);
  g_assert_true (g_subprocess_wait_check (first, NULL, &error));
  g_assert_no_error (error);

  g_clear_object (&actions);
  g_dbus_connection_close_sync (connection, NULL, NULL);
  g_test_dbus_down (bus);
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    if (g_environ_getenv (env, kept[i]) != NULL)
      g_setenv (kept[i], g_environ_getenv (env, kept[i]), TRUE);
}

/* The result each mode is meant to end with, with a delay of 1 s. */
static const char *
expected_result (const char *mode_id)
{
  if (g_str_equal (mode_id, "thread"))
    return "refused";
  if (g_str_equal (mode_id, "deadlock"))
    return "deadlock";
  return "ok";
}

/* --compare --quit-after-run: one summary line per mode, in the list's order, each with the
 * result its mode is meant to have, and exit status 0. Cancelled, it stops: fewer lines, 3.
 * With --run, refused at once. */
static void
test_compare (void)
{
  const char * const args[] = { "--compare", "--delay=1", "--quit-after-run", NULL };
  const char * const cancel_args[] = { "--compare", "--delay=1", "--cancel-after=100", "--quit-after-run", NULL };
  const char * const bad_args[] = { "--compare", "--run", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  const UnfreezeMode * const *modes;
  guint n_modes;

  modes = unfreeze_modes_get_all (&n_modes);
  g_assert_cmpint (run_program (args, &out, NULL), ==, 0);
  g_test_message ("%s", out);
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, n_modes);
  for (guint i = 0; i < n_modes; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("mode=%s ticker=MSFT ", modes[i]->id);
      g_autofree char *result = unfreeze_test_summary_value (lines[i], "result");

      g_assert_true (g_str_has_prefix (lines[i], prefix));
      g_assert_cmpstr (result, ==, expected_result (modes[i]->id));
    }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&lines, g_strfreev);

  /* Cancelled: the blocking run ends before the cancel can be seen; no mode after the one in
   * flight then starts. */
  g_assert_cmpint (run_program (cancel_args, &out, NULL), ==, 3);
  g_test_message ("%s", out);
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 1);
  g_assert_cmpuint (g_strv_length (lines), <, n_modes);
  g_assert_true (g_str_has_prefix (lines[0], "mode=blocking "));

  g_assert_cmpint (run_program (bad_args, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--compare"));
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
  g_test_add_func ("/unfreeze/Program/compare", test_compare);
  g_test_add_func ("/unfreeze/Program/bad-connection", test_bad_connection);
  g_test_add_func ("/unfreeze/Program/kill-leaves-no-server", test_kill_leaves_no_server);
  g_test_add_func ("/unfreeze/Program/options-win-without-bus", test_options_win_without_bus);
  g_test_add_func ("/unfreeze/Program/run-sh-gives-a-bus", test_run_sh_gives_a_bus);
  g_test_add_func ("/unfreeze/Program/second-copy-shares-server", test_second_copy_shares_server);
  g_test_add_func ("/unfreeze/Program/plain-launch-presents", test_plain_launch_presents);

  status = g_test_run ();

  unfreeze_test_remove_tree (home);
  g_free (home);

  return status;
}
