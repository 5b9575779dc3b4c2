/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The benchmark's start-up section: the real program started cold, warm, and warm with the
 * big tickers already there, timed by its own marks, beside plain initdb and pg_ctl.
 */
#define G_LOG_DOMAIN "Unfreeze-Bench"

#include "config.h"

#include "unfreeze-bench.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "unfreeze-test-fixture.h"
#include "unfreeze-test-process.h"

#define STARTUP_REPEATS    3

typedef struct
{
  gint64  to_line_us;
  gint64  to_exit_us;
  gint64  to_window_us;    /* spawn → the window's first frame; -1: not logged */
  gint64  to_ready_us;     /* spawn → the database ready, Run can be pressed; -1: not logged */
  gint64  app_elapsed_ms;
  char   *result;
} Launch;

/* The app's start-up marks (G_MESSAGES_DEBUG=Unfreeze-Startup): "window-shown
 * monotonic_us=N" and "ready monotonic_us=N", g_get_monotonic_time() in the app, the same
 * clock as @spawn_us here. GLib writes debug messages to stdout unless told to use stderr,
 * so both are searched. */
static void
parse_startup_mark (const char *line,
                    gint64      spawn_us,
                    Launch     *launch)
{
  static const char window_key[] = "window-shown monotonic_us=";
  static const char ready_key[] = "ready monotonic_us=";
  const char *found;

  if ((found = strstr (line, window_key)) != NULL && launch->to_window_us < 0)
    launch->to_window_us = g_ascii_strtoll (found + strlen (window_key), NULL, 10) - spawn_us;
  else if ((found = strstr (line, ready_key)) != NULL && launch->to_ready_us < 0)
    launch->to_ready_us = g_ascii_strtoll (found + strlen (ready_key), NULL, 10) - spawn_us;
}

static void
parse_startup_log (const char *path,
                   gint64      spawn_us,
                   Launch     *launch)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    parse_startup_mark (lines[i], spawn_us, launch);
}

/* The real binary, as a script would start it, with @home as its private XDG home. Times
 * spawn → the summary line on its stdout, and spawn → exit. */
static gboolean
launch_app (UnfreezeBench  *bench,
            const char     *home,
            Launch         *launch,
            GError        **error)
{
  g_autoptr(GSubprocessLauncher) launcher = unfreeze_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  static const char * const args[] = { "--run", "--quit-after-run", "--delay=0", "--mode=gtask", NULL };
  g_autoptr(GPtrArray) argv = unfreeze_test_program_argv (args);
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_auto(GStrv) env = unfreeze_test_program_environ (home);
  g_autofree char *log_path = g_build_filename (home, "stderr.log", NULL);
  g_autofree char *line = NULL;
  g_autofree char *elapsed = NULL;
  gint64 start;

  env = g_environ_setenv (env, "G_MESSAGES_DEBUG", "Unfreeze-Startup", TRUE);
  /* The app chooses its renderer by itself, as it would for the user: not the choice made
   * in this process, which set GSK_RENDERER here. */
  if (bench->user_gsk_renderer == NULL)
    env = g_environ_unsetenv (env, "GSK_RENDERER");
  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);

  launch->to_window_us = -1;
  launch->to_ready_us = -1;
  start = g_get_monotonic_time ();
  app = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (app == NULL)
    return FALSE;

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (app));
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, error)) != NULL &&
         !g_str_has_prefix (line, "mode="))
    {
      parse_startup_mark (line, start, launch);
      g_clear_pointer (&line, g_free);
    }
  launch->to_line_us = g_get_monotonic_time () - start;

  /* Not read to its end: the app's server may still hold the pipe. */
  if (!g_subprocess_wait (app, NULL, error))
    return FALSE;
  launch->to_exit_us = g_get_monotonic_time () - start;
  parse_startup_log (log_path, start, launch);

  if (line == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "No summary line; see %s", log_path);
      return FALSE;
    }

  elapsed = unfreeze_test_summary_value (line, "elapsed_ms");
  launch->app_elapsed_ms = elapsed != NULL ? g_ascii_strtoll (elapsed, NULL, 10) : -1;
  launch->result = unfreeze_test_summary_value (line, "result");

  return TRUE;
}

static gboolean
spawn_timed (const char * const  *argv,
             gint64              *elapsed_us,
             GError             **error)
{
  gint64 start = g_get_monotonic_time ();
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, error) ||
      !g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s: ", argv[0]);
      return FALSE;
    }
  *elapsed_us = g_get_monotonic_time () - start;

  return TRUE;
}

/* Plain PostgreSQL, the way a script would do it: initdb with the app's own arguments, then
 * pg_ctl start -w with the app's server settings, then stop; and a second start, warm. */
static gboolean
reference_start (UnfreezeBench  *bench,
                 const char     *dir,
                 gint64         *initdb_us,
                 gint64         *start_us,
                 gint64         *stop_us,
                 gint64         *warm_start_us,
                 GError        **error)
{
  g_autofree char *initdb = g_build_filename (bench->pg_bindir, "initdb", NULL);
  g_autofree char *pg_ctl = g_build_filename (bench->pg_bindir, "pg_ctl", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *socket_dir = g_build_filename (dir, "s", NULL);
  g_autofree char *log_path = g_build_filename (dir, "server.log", NULL);
  g_autofree char *options =
    g_strdup_printf ("-k %s -c listen_addresses='' -c unix_socket_permissions=0700 -c fsync=off "
                     "-c synchronous_commit=off -c full_page_writes=off -c max_connections=250 "
                     "-c shared_buffers=32MB", socket_dir);
  const char * const initdb_argv[] = { initdb, "--no-sync", "-A", "trust", "-U", "unfreeze", "-E", "UTF8",
                                       "--locale=C", "-D", data, NULL };
  const char * const start_argv[] = { pg_ctl, "-D", data, "-l", log_path, "-o", options, "-w", "-s", "start", NULL };
  const char * const stop_argv[] = { pg_ctl, "-D", data, "-m", "fast", "-w", "-s", "stop", NULL };
  gint64 ignored;

  g_mkdir_with_parents (socket_dir, 0700);

  return spawn_timed (initdb_argv, initdb_us, error) &&
         spawn_timed (start_argv, start_us, error) &&
         spawn_timed (stop_argv, stop_us, error) &&
         spawn_timed (start_argv, warm_start_us, error) &&
         spawn_timed (stop_argv, &ignored, error);
}

/* A session long enough for the app to finish generating the big tickers, with the app's
 * own code (server and database) on the app's cluster: after it, a warm start has nothing
 * left to generate. */
static gboolean
complete_big_tickers (const char  *home,
                      GError     **error)
{
  g_autofree char *data_dir = unfreeze_test_find_data_dir (home);
  g_autoptr(UnfreezeLocalServer) server = NULL;
  g_autoptr(UnfreezeDatabase) database = NULL;
  g_autofree char *conninfo = NULL;
  gboolean done;

  if (data_dir == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "The app left no cluster in %s", home);
      return FALSE;
    }

  if (!unfreeze_test_start_server (data_dir, TRUE, &server, &database, error))
    {
      unfreeze_local_server_stop (server);
      return FALSE;
    }

  conninfo = unfreeze_local_server_dup_conninfo (server);
  done = unfreeze_bench_wait_for_big_tickers (conninfo);
  unfreeze_database_shutdown (database);
  unfreeze_local_server_stop (server);

  if (!done)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "The big tickers were not generated in time");

  return done;
}

static double
median_ms (GArray *values_us)
{
  if (values_us->len == 0)
    return NAN;

  return us_to_ms (unfreeze_bench_percentile (values_us, 50));
}

/* The launches of one kind (cold, warm, …), in microseconds. */
typedef struct
{
  GArray *to_line;
  GArray *to_exit;
  GArray *app_elapsed;
  GArray *to_window;
  GArray *to_ready;
} Launches;

static void
launches_init (Launches *set)
{
  set->to_line = g_array_new (FALSE, FALSE, sizeof (gint64));
  set->to_exit = g_array_new (FALSE, FALSE, sizeof (gint64));
  set->app_elapsed = g_array_new (FALSE, FALSE, sizeof (gint64));
  set->to_window = g_array_new (FALSE, FALSE, sizeof (gint64));
  set->to_ready = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static void
launches_clear (Launches *set)
{
  g_clear_pointer (&set->to_line, g_array_unref);
  g_clear_pointer (&set->to_exit, g_array_unref);
  g_clear_pointer (&set->app_elapsed, g_array_unref);
  g_clear_pointer (&set->to_window, g_array_unref);
  g_clear_pointer (&set->to_ready, g_array_unref);
}

/* One launch of the app into @set; @what names it in the progress. */
static void
launch_into (UnfreezeBench *bench,
             const char    *home,
             Launches      *set,
             const char    *what)
{
  g_autoptr(GError) error = NULL;
  Launch launch = { 0 };
  gint64 app_elapsed_us;

  if (!launch_app (bench, home, &launch, &error))
    {
      fprintf (stderr, "  app %s: %s\n", what, error->message);
      g_free (launch.result);
      return;
    }

  app_elapsed_us = launch.app_elapsed_ms * 1000;
  g_array_append_val (set->to_line, launch.to_line_us);
  g_array_append_val (set->to_exit, launch.to_exit_us);
  g_array_append_val (set->app_elapsed, app_elapsed_us);
  if (launch.to_window_us >= 0)
    g_array_append_val (set->to_window, launch.to_window_us);
  if (launch.to_ready_us >= 0)
    g_array_append_val (set->to_ready, launch.to_ready_us);
  fprintf (stderr, "  app %s: window shown after %.0f ms, ready after %.0f ms, summary after %.0f ms "
                   "(result=%s, run %.0f ms), exit after %.0f ms\n", what,
                   launch.to_window_us >= 0 ? us_to_ms (launch.to_window_us) : NAN,
                   launch.to_ready_us >= 0 ? us_to_ms (launch.to_ready_us) : NAN,
                   us_to_ms (launch.to_line_us), launch.result, us_to_ms (app_elapsed_us),
                   us_to_ms (launch.to_exit_us));
  g_free (launch.result);
}

static void
record_launches (UnfreezeBench  *bench,
                 const char     *scenario,
                 const Launches *set,
                 const char     *note)
{
  g_autoptr(GArray) to_run = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *unlogged = "the app logged no start-up marks (G_MESSAGES_DEBUG=Unfreeze-Startup)";

  /* The summary line minus the run: until the scripted run pressed Run, which includes its
   * wait for the window to settle. Kept for comparison; the marks decide. */
  for (guint i = 0; i < set->to_line->len && i < set->app_elapsed->len; i++)
    {
      gint64 until_run = g_array_index (set->to_line, gint64, i) - g_array_index (set->app_elapsed, gint64, i);

      g_array_append_val (to_run, until_run);
    }

  /* Every number of the launches goes under the same scenario and mode. */
#define ADD(metric, value, unit, note) \
  unfreeze_bench_report_add (bench->report, "startup", scenario, "gtask", metric, value, unit, note)

  ADD ("spawn_to_window_ms", median_ms (set->to_window), "ms",
       set->to_window->len > 0 ? "spawn → the window's first frame (the app's \"window-shown\" mark)"
                               : unlogged);
  ADD ("spawn_to_ready_ms", median_ms (set->to_ready), "ms",
       set->to_ready->len > 0 ? "spawn → the database ready, Run can be pressed (the app's \"ready\" mark)"
                              : unlogged);
  ADD ("spawn_to_summary_ms", median_ms (set->to_line), "ms", note);
  ADD ("spawn_to_run_ms", median_ms (to_run), "ms",
       "spawn → summary line minus the run's own elapsed_ms: until the scripted run pressed Run, "
       "its settle wait included");
  ADD ("spawn_to_exit_ms", median_ms (set->to_exit), "ms", NULL);
  ADD ("app_elapsed_ms", median_ms (set->app_elapsed), "ms", "the summary line's elapsed_ms: the run alone");
  for (guint i = 0; i < set->to_line->len; i++)
    {
      g_autofree char *metric = g_strdup_printf ("spawn_to_summary_ms_%u", i + 1);

      ADD (metric, us_to_ms (g_array_index (set->to_line, gint64, i)), "ms", NULL);
    }
  for (guint i = 0; i < set->to_ready->len; i++)
    {
      g_autofree char *metric = g_strdup_printf ("spawn_to_ready_ms_%u", i + 1);

      ADD (metric, us_to_ms (g_array_index (set->to_ready, gint64, i)), "ms", NULL);
    }
#undef ADD
}

void
unfreeze_bench_measure_startup (UnfreezeBench *bench)
{
  const char *tmpdir = unfreeze_test_fixture_get_tmpdir ();
  Launches cold, warm, full;
  g_autoptr(GArray) ref_initdb = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) ref_start = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) ref_cold = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) ref_stop = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) ref_warm = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autofree char *last_home = NULL;

  if (!g_file_test (UNFREEZE_BENCH_BINARY, G_FILE_TEST_IS_EXECUTABLE))
    {
      unfreeze_bench_report_add (bench->report, "startup", "cold", "gtask", "spawn_to_summary_ms", NAN, "ms",
                                 "the unfreeze binary was not found at " UNFREEZE_BENCH_BINARY);
      return;
    }

  launches_init (&cold);
  launches_init (&warm);
  launches_init (&full);

  /* Alternated, so that whatever else the machine does falls on both sides. */
  for (guint i = 0; i < STARTUP_REPEATS; i++)
    {
      g_autofree char *ref_dir = g_strdup_printf ("%s/ref-%u", tmpdir, i);
      g_autofree char *home = g_strdup_printf ("%s/home-%u", tmpdir, i);
      gint64 initdb_us, start_us, stop_us, warm_us;

      if (bench->pg_bindir != NULL &&
          reference_start (bench, ref_dir, &initdb_us, &start_us, &stop_us, &warm_us, &error))
        {
          gint64 both = initdb_us + start_us;

          g_array_append_val (ref_initdb, initdb_us);
          g_array_append_val (ref_start, start_us);
          g_array_append_val (ref_cold, both);
          g_array_append_val (ref_stop, stop_us);
          g_array_append_val (ref_warm, warm_us);
          fprintf (stderr, "  plain PostgreSQL: initdb %.0f ms + pg_ctl start %.0f ms; stop %.0f ms; warm start %.0f ms\n",
                           us_to_ms (initdb_us), us_to_ms (start_us), us_to_ms (stop_us), us_to_ms (warm_us));
        }
      else if (error != NULL)
        {
          fprintf (stderr, "  plain PostgreSQL: %s\n", error->message);
          g_clear_error (&error);
        }

      /* Cold: nothing there; warm: the same home again. */
      launch_into (bench, home, &cold, "cold");
      launch_into (bench, home, &warm, "warm");

      g_free (last_home);
      last_home = g_steal_pointer (&home);
    }

  /* Warm after a full session: the big tickers are there, nothing is generated. */
  if (last_home != NULL && complete_big_tickers (last_home, &error))
    {
      for (guint i = 0; i < STARTUP_REPEATS; i++)
        launch_into (bench, last_home, &full, "warm, big tickers there");
    }
  else if (error != NULL)
    {
      fprintf (stderr, "  big tickers for the warm start: %s\n", error->message);
      g_clear_error (&error);
    }

  record_launches (bench, "cold", &cold,
                   "unfreeze --run --quit-after-run --delay=0 --mode=gtask, fresh XDG_CACHE_HOME");
  record_launches (bench, "warm", &warm,
                   "the same XDG_CACHE_HOME again, right after a cold --quit-after-run session");
  record_launches (bench, "warm-full", &full,
                   "the same XDG_CACHE_HOME after a session that finished the big tickers");
  unfreeze_bench_report_add (bench->report, "startup", "cold", "reference", "initdb_ms", median_ms (ref_initdb), "ms",
                             "initdb --no-sync -A trust -U unfreeze -E UTF8 --locale=C");
  unfreeze_bench_report_add (bench->report, "startup", "cold", "reference", "pg_ctl_start_ms",
                             median_ms (ref_start), "ms", "pg_ctl start -w with the app's server settings");
  unfreeze_bench_report_add (bench->report, "startup", "cold", "reference", "initdb_and_start_ms",
                             median_ms (ref_cold), "ms", NULL);
  unfreeze_bench_report_add (bench->report, "startup", "warm", "reference", "pg_ctl_start_ms",
                             median_ms (ref_warm), "ms", NULL);
  unfreeze_bench_report_add (bench->report, "startup", "cold", "reference", "pg_ctl_stop_ms",
                             median_ms (ref_stop), "ms", NULL);

  launches_clear (&cold);
  launches_clear (&warm);
  launches_clear (&full);
}

