/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fault matrix ("Nothing breaks it") for the real program, as a user or a script
 * starts it: killed or interrupted mid-run, started twice at once, given hostile tickers,
 * bad connection strings and passwords. Each time the summary line and standard error say
 * what went wrong, no postgres outlives the app, and the next start works. Needs a display.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <signal.h>
#include <time.h>
#include <utime.h>

#include "unfreeze-local-server.h"
#include "unfreeze-mode.h"
#include "unfreeze-test-process.h"
#include "unfreeze-test.h"

#define PROGRAM_TIMEOUT_S 180

static char *home;      /* a private XDG home for the program */

/* The private environment, and none of the user's password file, service file or connect
 * timeout either. */
static char **
program_env (const char *dir)
{
  return unfreeze_test_environ_no_libpq (unfreeze_test_program_environ (dir), dir);
}

static GSubprocess *
spawn_program (const char         *dir,
               const char * const *args,
               const char         *out_path,
               const char         *err_path)
{
  /* As a terminal would start it (see unfreeze_test_child_setup()). */
  g_autoptr(GSubprocessLauncher) launcher = unfreeze_test_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GPtrArray) argv = unfreeze_test_program_argv (args);
  g_auto(GStrv) env = program_env (dir);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  /* The launcher does not truncate what an earlier run wrote there. */
  g_unlink (out_path);
  g_unlink (err_path);
  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  return process;
}

static void
wait_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* Waits (bounded) for @process to end; kills it and fails if it does not. */
static void
wait_process (GSubprocess *process,
              guint        timeout_s)
{
  gboolean done = FALSE;

  g_subprocess_wait_async (process, NULL, wait_done_cb, &done);
  if (!unfreeze_test_iterate_until (unfreeze_test_flag_is_set, &done, timeout_s * 1000))
    {
      g_subprocess_force_exit (process);
      while (!done)
        g_main_context_iteration (NULL, TRUE);
      g_error ("The program did not end within %u s", timeout_s);
    }
}

/* Runs the program to its end; returns its exit status. */
static int
run_program (const char         *dir,
             const char * const *args,
             char              **out,
             char              **err)
{
  g_autofree char *out_path = g_build_filename (dir, "stdout.txt", NULL);
  g_autofree char *err_path = g_build_filename (dir, "stderr.txt", NULL);
  g_autoptr(GSubprocess) process = spawn_program (dir, args, out_path, err_path);

  wait_process (process, PROGRAM_TIMEOUT_S);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_true (g_file_get_contents (out_path, out, NULL, NULL));
  g_assert_true (g_file_get_contents (err_path, err, NULL, NULL));

  return g_subprocess_get_exit_status (process);
}

static void
assert_summary (const char *out,
                const char *key,
                const char *value)
{
  g_autofree char *found = unfreeze_test_summary_value (out, key);

  g_assert_cmpstr (found, ==, value);
}

static const char *
normal_result (const char *mode_id)
{
  if (g_str_equal (mode_id, "deadlock"))
    return "deadlock";

  return g_str_equal (mode_id, "thread") ? "refused" : "ok";
}

static int
normal_status (const char *mode_id)
{
  if (g_str_equal (mode_id, "deadlock"))
    return 4;

  return g_str_equal (mode_id, "thread") ? 2 : 0;
}

/* The next start, in @mode_id, works. */
static void
assert_next_start_works (const char *dir,
                         const char *mode_id)
{
  g_autofree char *mode_arg = g_strdup_printf ("--mode=%s", mode_id);
  const char * const args[] = { mode_arg, "--run", "--quit-after-run", "--delay=0", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_program (dir, args, &out, &err), ==, normal_status (mode_id));
  assert_summary (out, "result", normal_result (mode_id));
}

/* The socket directories (unfreeze-XXXXXX) in the program's runtime directory. */
static GPtrArray *
list_socket_dirs (const char *dir)
{
  g_autofree char *runtime = g_build_filename (dir, "run", NULL);
  g_autoptr(GDir) entries = g_dir_open (runtime, 0, NULL);
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (entries != NULL && (name = g_dir_read_name (entries)))
    if (g_str_has_prefix (name, "unfreeze-"))
      g_ptr_array_add (dirs, g_build_filename (runtime, name, NULL));

  return dirs;
}

/* Waits until the program's built-in server runs our query, and returns a connection
 * string for that server. */
static char *
wait_query_running (const char  *dir,
                    GSubprocess *process)
{
  gint64 deadline = g_get_monotonic_time () + PROGRAM_TIMEOUT_S * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GPtrArray) dirs = list_socket_dirs (dir);

      if (g_subprocess_get_identifier (process) == NULL)
        g_error ("The program ended before its query ran");
      for (guint i = 0; i < dirs->len; i++)
        {
          g_autofree char *conninfo =
            g_strdup_printf ("host=%s port=5432 dbname=postgres user=unfreeze connect_timeout=5",
                             (char *) g_ptr_array_index (dirs, i));
          PGconn *conn = PQconnectdb (conninfo);
          gboolean running = FALSE;

          if (PQstatus (conn) == CONNECTION_OK)
            {
              PGresult *result = PQexec (conn, "SELECT count(*) FROM pg_stat_activity"
                                               " WHERE application_name = 'Unfreeze' AND state = 'active'"
                                               "   AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid ()");

              running = PQresultStatus (result) == PGRES_TUPLES_OK && !g_str_equal (PQgetvalue (result, 0, 0), "0");
              PQclear (result);
            }
          PQfinish (conn);

          if (running)
            return g_steal_pointer (&conninfo);
        }

      g_main_context_iteration (NULL, FALSE);
      g_usleep (50 * 1000);
    }

  g_error ("The program's query never ran");
}

/* Rows 5 and 6: the app interrupted (Ctrl+C, SIGTERM) or killed (SIGKILL) mid-run --------- */

typedef struct
{
  const char *mode_id;
  int         signo;
} SignalCase;

/* The directories in @after that are not in @before. */
static GPtrArray *
new_dirs (GPtrArray *before,
          GPtrArray *after)
{
  GPtrArray *added = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < after->len; i++)
    if (!g_ptr_array_find_with_equal_func (before, g_ptr_array_index (after, i), g_str_equal, NULL))
      g_ptr_array_add (added, g_strdup (g_ptr_array_index (after, i)));

  return added;
}

/* No postgres outlives the app, whatever the signal (PR_SET_PDEATHSIG), and the next start
 * works. Ctrl+C, SIGTERM and SIGHUP quit as Ctrl+Q does: the run is not finished (exit status
 * not 0), the server stops and its socket directory goes. SIGKILL leaves the socket directory
 * (nothing can run then), which a later start sweeps once it is old. */
static void
test_app_signal (gconstpointer data)
{
  const SignalCase *c = data;
  g_autofree char *mode_arg = g_strdup_printf ("--mode=%s", c->mode_id);
  /* In the blocking mode a signal handler can only run once the query is over. */
  const char * const args[] = { mode_arg, "--run", "--delay=10", NULL };
  g_autofree char *out_path = g_build_filename (home, "signal-stdout.txt", NULL);
  g_autofree char *err_path = g_build_filename (home, "signal-stderr.txt", NULL);
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GPtrArray) before = list_socket_dirs (home);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) left = NULL;
  g_autoptr(GPtrArray) now = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *err = NULL;
  GPid pid;

  app = spawn_program (home, args, out_path, err_path);
  conninfo = wait_query_running (home, app);
  data_dir = unfreeze_test_find_data_dir (home);
  g_assert_nonnull (data_dir);
  pid = unfreeze_test_postmaster_pid (data_dir);
  g_assert_cmpint (pid, >, 0);

  g_subprocess_send_signal (app, c->signo);
  wait_process (app, 60);
  g_assert_true (g_file_get_contents (err_path, &err, NULL, NULL));
  g_test_message ("%s, signal %d: %s %d; stderr: %s", c->mode_id, c->signo,
                  g_subprocess_get_if_signaled (app) ? "killed by signal" : "exit status",
                  g_subprocess_get_if_signaled (app) ? g_subprocess_get_term_sig (app)
                                                     : g_subprocess_get_exit_status (app),
                  err);
  if (c->signo == SIGKILL)
    {
      g_assert_true (g_subprocess_get_if_signaled (app));
    }
  else
    {
      g_autofree char *out = NULL;

      /* It quit: a normal exit, and its status says whether the run finished (the blocking
       * mode only sees the signal once its query is over; then the run did finish). */
      g_assert_true (g_subprocess_get_if_exited (app));
      g_assert_true (g_file_get_contents (out_path, &out, NULL, NULL));
      if (strstr (out, " result=ok") != NULL)
        g_assert_cmpint (g_subprocess_get_exit_status (app), ==, 0);
      else
        g_assert_cmpint (g_subprocess_get_exit_status (app), !=, 0);
    }

  /* No postgres outlives the app; it shut down cleanly (no postmaster.pid left). */
  g_assert_true (unfreeze_test_wait_until_dead (pid, 20000));
  g_assert_cmpint (unfreeze_test_postmaster_pid (data_dir), ==, 0);

  after = list_socket_dirs (home);
  left = new_dirs (before, after);
  g_test_message ("socket directories left behind: %u", left->len);
  g_assert_cmpuint (left->len, ==, c->signo == SIGKILL ? 1 : 0);

  /* Make them old, as if from last week: the next start sweeps them. */
  for (guint i = 0; i < left->len; i++)
    {
      struct utimbuf old = { time (NULL) - 3600, time (NULL) - 3600 };

      g_assert_cmpint (g_utime (g_ptr_array_index (left, i), &old), ==, 0);
    }

  /* The next start recovers the cluster and works... */
  assert_next_start_works (home, c->mode_id);

  /* ... and removed what the killed app left. */
  now = list_socket_dirs (home);
  for (guint i = 0; i < left->len; i++)
    g_assert_false (g_ptr_array_find_with_equal_func (now, g_ptr_array_index (left, i), g_str_equal, NULL));
}

/* Row 3, as the command line sees it: the server ends the query's connection; the summary
 * says error, and standard error says why. */
static void
test_backend_killed (gconstpointer data)
{
  const char *mode_id = data;
  g_autofree char *mode_arg = g_strdup_printf ("--mode=%s", mode_id);
  const char * const args[] = { mode_arg, "--run", "--quit-after-run", "--delay=20", NULL };
  g_autofree char *out_path = g_build_filename (home, "killed-stdout.txt", NULL);
  g_autofree char *err_path = g_build_filename (home, "killed-stderr.txt", NULL);
  g_autoptr(GSubprocess) app = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *killed = NULL;
  gint64 start;

  app = spawn_program (home, args, out_path, err_path);
  conninfo = wait_query_running (home, app);
  {
    PGconn *conn = PQconnectdb (conninfo);
    PGresult *result;

    g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
    result = PQexec (conn, "SELECT count(pg_terminate_backend (pid)) FROM pg_stat_activity"
                           " WHERE application_name = 'Unfreeze' AND query LIKE '%pg_sleep%'"
                           "   AND pid <> pg_backend_pid ()");
    g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
    killed = g_strdup (PQgetvalue (result, 0, 0));
    PQclear (result);
    PQfinish (conn);
  }
  g_assert_cmpstr (killed, ==, "1");

  start = g_get_monotonic_time ();
  wait_process (app, 60);
  g_assert_true (g_subprocess_get_if_exited (app));
  g_assert_cmpint (g_subprocess_get_exit_status (app), ==, 1);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
  g_assert_true (g_file_get_contents (out_path, &out, NULL, NULL));
  g_assert_true (g_file_get_contents (err_path, &err, NULL, NULL));
  g_test_message ("%s: %s%s", mode_id, out, err);

  assert_summary (out, "result", "error");
  /* The server's own words, or libpq's when the connection went first. */
  g_assert_true (strstr (err, "terminating connection due to administrator command") != NULL ||
                 strstr (err, "server closed the connection unexpectedly") != NULL);

  assert_next_start_works (home, mode_id);
}

/* Row 7: two instances at once ------------------------------------------------------------- */

/* Neither says the cluster is in use: the one whose postmaster loses the race for the lock
 * file shares the other's server. Both succeed, unless the copy that started the server
 * quits (its run done) while the other's run still needs it: that run then fails with the
 * server's or libpq's words for a server going away. When the other copy only starts as the
 * first one's server shuts down, its own start meets the half-removed lock file ("lock file
 * \"postmaster.pid\" is empty", seen once in a CI run) and it says the server stopped
 * while starting, with the server's log. The cluster is never harmed: a third start works.
 * With @data, the cluster does not exist yet (both race to create it). */
static void
test_two_instances (gconstpointer data)
{
  gboolean fresh = GPOINTER_TO_INT (data);
  g_autofree char *dir = NULL;
  const char * const args[] = { "--mode=gtask", "--run", "--quit-after-run", "--delay=3", NULL };
  GSubprocess *apps[2];
  guint n_ok = 0;

  if (fresh)
    {
      dir = g_build_filename (home, "fresh", NULL);
      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    }
  else
    {
      dir = g_strdup (home);
      assert_next_start_works (dir, "gtask");
    }

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *out_path = g_strdup_printf ("%s/two-%u-stdout.txt", dir, i);
      g_autofree char *err_path = g_strdup_printf ("%s/two-%u-stderr.txt", dir, i);

      apps[i] = spawn_program (dir, args, out_path, err_path);
    }

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *out_path = g_strdup_printf ("%s/two-%u-stdout.txt", dir, i);
      g_autofree char *err_path = g_strdup_printf ("%s/two-%u-stderr.txt", dir, i);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *result = NULL;

      wait_process (apps[i], PROGRAM_TIMEOUT_S);
      g_assert_true (g_subprocess_get_if_exited (apps[i]));
      g_assert_true (g_file_get_contents (out_path, &out, NULL, NULL));
      g_assert_true (g_file_get_contents (err_path, &err, NULL, NULL));
      result = unfreeze_test_summary_value (out, "result");
      g_test_message ("instance %u: exit status %d, %s%s", i, g_subprocess_get_exit_status (apps[i]), out, err);

      g_assert_null (strstr (err, "in use by"));
      if (g_subprocess_get_exit_status (apps[i]) == 0)
        {
          g_assert_cmpstr (result, ==, "ok");
          n_ok++;
        }
      else
        {
          g_assert_cmpint (g_subprocess_get_exit_status (apps[i]), ==, 1);
          g_assert_cmpstr (result, ==, "error");
          g_assert_true (strstr (err, "shutting down") != NULL ||
                         strstr (err, "terminating connection") != NULL ||
                         strstr (err, "closed the connection") != NULL ||
                         strstr (err, "connection to server on socket") != NULL ||
                         strstr (err, "has quit") != NULL ||
                         strstr (err, "stopped while starting") != NULL);
        }
      g_object_unref (apps[i]);
    }

  g_assert_cmpuint (n_ok, >=, 1);
  assert_next_start_works (dir, "gtask");
}

/* Hostile input ------------------------------------------------------------------------------ */

/* Tickers are data, never SQL, whatever they hold. */
static void
test_hostile_tickers (void)
{
  static const char * const modes[] = { "blocking", "gtask", "mainloop", "sleep" };
  g_autofree char *long_ticker = NULL;
  const char *tickers[6];

  long_ticker = g_malloc (10001);
  memset (long_ticker, 'A', 10000);
  long_ticker[10000] = '\0';
  tickers[0] = "MSFT' OR '1'='1";
  tickers[1] = "x'; DROP TABLE stock_prices; --";
  tickers[2] = "back\\slash\\'";
  tickers[3] = "\"MSFT\"";
  tickers[4] = "ÄPFEL 📈";
  tickers[5] = long_ticker;

  for (guint i = 0; i < G_N_ELEMENTS (tickers); i++)
    {
      g_autofree char *mode_arg = g_strdup_printf ("--mode=%s", modes[i % G_N_ELEMENTS (modes)]);
      g_autofree char *ticker_arg = g_strdup_printf ("--ticker=%s", tickers[i]);
      const char * const args[] = { mode_arg, ticker_arg, "--run", "--quit-after-run", "--delay=0", NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *escaped = NULL;
      g_autofree char *ticker = NULL;

      g_assert_cmpint (run_program (home, args, &out, &err), ==, 0);
      assert_summary (out, "result", "ok");
      assert_summary (out, "rows", "0");
      escaped = unfreeze_test_summary_value (out, "ticker");
      ticker = g_uri_unescape_string (escaped, NULL);
      g_assert_cmpstr (ticker, ==, tickers[i]);
    }

  /* The table is still there, and whole. */
  {
    const char * const args[] = { "--mode=gtask", "--ticker=MSFT", "--run", "--quit-after-run", "--delay=0", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (run_program (home, args, &out, &err), ==, 0);
    assert_summary (out, "rows", "2600");
  }
}

/* Bytes that are not UTF-8 in the ticker: a clear refusal, exit status 2 (bad options). */
static void
test_invalid_utf8_ticker (void)
{
  const char * const args[] = { "--ticker=A\xff\xfe" "B", "--run", "--quit-after-run", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_program (home, args, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "not valid UTF-8"));
  g_assert_null (unfreeze_test_summary_value (out, "result"));
}

/* Connection strings libpq cannot read: the error names the part it cannot. */
static void
test_bad_conninfo (void)
{
  static const struct {
    const char *conninfo;
    const char *needle;
  } cases[] = {
    { "colour=blue", "invalid connection option \"colour\"" },
    { "host='unterminated", "unterminated quoted string" },
    { "host=localhost port", "missing \"=\" after \"port\"" },
    { "postgresql://[::1/db", "IPv6 host address" },
    { "postgresql://host/db?colour=blue", "invalid URI query parameter: \"colour\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *connection_arg = g_strdup_printf ("--connection=%s", cases[i].conninfo);
      const char * const args[] = { "--mode=gtask", connection_arg, "--run", "--quit-after-run", NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpint (run_program (home, args, &out, &err), ==, 1);
      g_test_message ("%s: %s", cases[i].conninfo, err);
      assert_summary (out, "result", "error");
      g_assert_nonnull (strstr (err, "The connection string is not valid"));
      g_assert_nonnull (strstr (err, cases[i].needle));
    }
}

/* A server that refuses the connection, in every mode: the summary says error, standard
 * error says libpq's reason, and a password in the connection string is never shown. */
static void
test_refused_no_password (gconstpointer data)
{
  const UnfreezeMode *mode = data;
  static const char * const connections[] = {
    "--connection=host=127.0.0.1 port=1 user=me password=sekrit123 connect_timeout=2",
    "--connection=postgresql://me:sekrit123@127.0.0.1:1/demo?connect_timeout=2",
  };

  for (guint i = 0; i < G_N_ELEMENTS (connections); i++)
    {
      g_autofree char *mode_arg = g_strdup_printf ("--mode=%s", mode->id);
      const char * const args[] = { mode_arg, connections[i], "--run", "--quit-after-run", "--delay=0", NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpint (run_program (home, args, &out, &err), ==, 1);
      g_test_message ("%s: %s%s", mode->id, out, err);
      assert_summary (out, "result", "error");
      g_assert_nonnull (strstr (err, "Connection refused"));
      g_assert_null (strstr (out, "sekrit123"));
      g_assert_null (strstr (err, "sekrit123"));
    }
}

int
main (int   argc,
      char *argv[])
{
  static const char * const killed_modes[] = { "blocking", "gtask" };
  const UnfreezeMode * const *modes;
  guint n_modes;
  int status;

  unfreeze_test_init (&argc, &argv);

  home = unfreeze_test_program_home_or_skip ("unfreeze-faults-program-XXXXXX");

  modes = unfreeze_modes_get_all (&n_modes);
  for (guint i = 0; i < n_modes; i++)
    {
      g_autofree char *path = g_strdup_printf ("/unfreeze/Faults/refused-no-password/%s", modes[i]->id);

      g_test_add_data_func (path, modes[i], test_refused_no_password);
    }
  g_test_add_func ("/unfreeze/Faults/bad-conninfo", test_bad_conninfo);
  g_test_add_func ("/unfreeze/Faults/invalid-utf8-ticker", test_invalid_utf8_ticker);
  g_test_add_func ("/unfreeze/Faults/hostile-tickers", test_hostile_tickers);
  for (guint i = 0; i < G_N_ELEMENTS (killed_modes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/unfreeze/Faults/program-backend-killed/%s", killed_modes[i]);

      g_test_add_data_func (path, killed_modes[i], test_backend_killed);
    }
  for (guint i = 0; i < n_modes; i++)
    {
      static const int signals[] = { SIGTERM, SIGKILL };
      static const char * const names[] = { "sigterm", "sigkill" };

      for (guint s = 0; s < G_N_ELEMENTS (signals); s++)
        {
          g_autofree char *path = g_strdup_printf ("/unfreeze/Faults/app-%s/%s", names[s], modes[i]->id);
          SignalCase *c = g_new0 (SignalCase, 1);

          c->mode_id = modes[i]->id;
          c->signo = signals[s];
          g_test_add_data_func_full (path, c, test_app_signal, g_free);
        }
    }
  {
    static const SignalCase interrupt = { "gtask", SIGINT };

    static const SignalCase hangup = { "mainloop", SIGHUP };

    g_test_add_data_func ("/unfreeze/Faults/app-sigint/gtask", &interrupt, test_app_signal);
    g_test_add_data_func ("/unfreeze/Faults/app-sighup/mainloop", &hangup, test_app_signal);
  }
  g_test_add_data_func ("/unfreeze/Faults/two-instances/fresh", GINT_TO_POINTER (TRUE), test_two_instances);
  g_test_add_data_func ("/unfreeze/Faults/two-instances/existing", GINT_TO_POINTER (FALSE), test_two_instances);

  status = g_test_run ();

  unfreeze_test_remove_tree (home);
  g_free (home);

  return status;
}
