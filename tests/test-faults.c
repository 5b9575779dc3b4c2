/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fault matrix ("Nothing breaks it"), in the library and the real window, against real
 * PostgreSQL servers: for each fault and each mode it applies to, the run ends with a clear
 * message (the run's error, the window's status line and message panel), nothing crashes
 * or hangs, and the next run works.
 *
 * Three servers: the fixture's (shared, never harmed), a scratch one this file may stop,
 * crash and reconfigure (reached through a symbolic link, so that it keeps its address
 * across restarts, like a user's server), and the app's own built-in one
 * (unfreeze_database_new (NULL)), in private XDG directories set before anything reads them.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <netdb.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "unfreeze-application.h"
#include "unfreeze-mode.h"
#include "unfreeze-run.h"
#include "unfreeze-test-fixture.h"
#include "unfreeze-test-process.h"
#include "unfreeze-test-run.h"
#include "unfreeze-test.h"
#include "unfreeze-window.h"

#define RUN_TIMEOUT_MS   60000
#define KILL_DELAY_S     20        /* the server's delay in a query that gets killed */
#define HUGE_ROWS        1000000
#define WRONG_PASSWORD   "wrong-sekrit-42"
#define RIGHT_PASSWORD   "right-sekrit-17"

static char *home;                     /* private XDG directories, and the scratch server */
static gint n_server_exits;            /* "exited unexpectedly" warnings from the server */

/* Logging -------------------------------------------------------------------------------- */

/* What the faults are meant to produce: the raw-thread mode's refusal (its lesson), and
 * the built-in server's death. */
static gboolean
log_is_expected (const char *log_domain,
                 const char *message)
{
  return (g_strcmp0 (log_domain, "Unfreeze-Guard") == 0 && strstr (message, "Cross-thread UI access") != NULL) ||
         (g_strcmp0 (log_domain, "Unfreeze-Server") == 0 && strstr (message, "exited unexpectedly") != NULL);
}

/* GLib tests abort on any warning or critical, except where this says no. */
static gboolean
log_fatal_cb (const char     *log_domain,
              GLogLevelFlags  log_level,
              const char     *message,
              gpointer        user_data)
{
  return !log_is_expected (log_domain, message);
}

/* The test framework's own handler would print an expected message as "Bail out!", which
 * ends the TAP stream: these go to the log as notes instead. */
static void
log_handler_cb (const char     *log_domain,
                GLogLevelFlags  log_level,
                const char     *message,
                gpointer        user_data)
{
  if (!log_is_expected (log_domain, message))
    {
      g_log_default_handler (log_domain, log_level, message, user_data);
      return;
    }

  if (g_strcmp0 (log_domain, "Unfreeze-Server") == 0)
    g_atomic_int_inc (&n_server_exits);
  g_test_message ("(expected) %s: %s", log_domain, message);
}

/* An upper bound on a time, generous; more so under a sanitizer or Valgrind, where it only
 * tells a hang from slowness. */
static gint64
time_bound (guint seconds)
{
  return (gint64) seconds * G_USEC_PER_SEC * (unfreeze_test_timing_is_reliable () ? 1 : 6);
}

/* Waiting ------------------------------------------------------------------------------- */

typedef gboolean (*Predicate) (gpointer data);

/* Runs the main loop until @predicate holds or @timeout_ms passes; polls, since some of
 * what is waited for happens outside this process. Between two questions (some take a
 * round trip to a server) the loop runs for a while: one iteration dispatches only the
 * highest priority that is ready, and the 10 ms heartbeat would starve the idles. */
static gboolean
wait_until (Predicate predicate,
            gpointer  data,
            guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!predicate (data))
    {
      gint64 next = g_get_monotonic_time () + 20 * 1000;

      if (g_get_monotonic_time () > deadline)
        return FALSE;
      while (g_get_monotonic_time () < next)
        if (!g_main_context_iteration (NULL, FALSE))
          g_usleep (1000);
    }

  return TRUE;
}

static void
drain_main_loop (void)
{
  for (guint i = 0; i < 50 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
result_arrived (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* SQL ----------------------------------------------------------------------------------- */

/* Runs statements that return no rows (or rows nobody reads) on a fresh connection. */
static void
exec_sql (const char *conninfo,
          const char *sql)
{
  unfreeze_test_exec_on (conninfo, sql);
}

/* Queries of ours still running on the fixture's server (ours say application_name=Unfreeze). */
static gboolean
fixture_idle (gpointer data)
{
  g_autofree char *value =
    unfreeze_test_query_value ("SELECT count(*) FROM pg_stat_activity"
                               " WHERE application_name = 'Unfreeze' AND state = 'active'");

  return g_str_equal (value, "0");
}

/* For a failure's log: what our connections to the fixture's server are doing. */
static void
print_activity (void)
{
  PGconn *conn = PQconnectdb (unfreeze_test_fixture_get_conninfo ());
  PGresult *result = PQexec (conn, "SELECT pid, state, wait_event, left (query, 60) FROM pg_stat_activity"
                                   " WHERE application_name = 'Unfreeze'");

  for (int i = 0; i < PQntuples (result); i++)
    g_test_message ("backend %s: %s (waiting for %s): %s", PQgetvalue (result, i, 0),
                    PQgetvalue (result, i, 1), PQgetvalue (result, i, 2), PQgetvalue (result, i, 3));
  PQclear (result);
  PQfinish (conn);
}

static void
wait_fixture_idle (void)
{
  if (!wait_until (fixture_idle, NULL, 30000))
    {
      print_activity ();
      g_error ("Queries of ours still run on the fixture's server");
    }
}

static gboolean
server_accepts (gpointer data)
{
  return PQping (data) == PQPING_OK;
}

/* A database that has a pool of several idle connections, as after a run with --count=3:
 * a server that dies takes them all with it, and none may be handed to the next run. */
static void
fill_pool (UnfreezeDatabase *database,
           guint             n)
{
  g_autoptr(GPtrArray) conns = g_ptr_array_new ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      PGconn *conn = unfreeze_database_acquire (database, &error);

      g_assert_no_error (error);
      g_ptr_array_add (conns, conn);
    }
  for (guint i = 0; i < n; i++)
    unfreeze_database_release (database, g_ptr_array_index (conns, i));
}

/* Targets: a database and a window on it --------------------------------------------------- */

typedef struct
{
  UnfreezeDatabase *database;
  GError           *prepare_error;
  UnfreezeWindow   *window;
  GString          *statuses;     /* every status the database announced, one per line */
} Target;

static GPtrArray *targets;
static Target *good;              /* the fixture's database: where "the next run works" */

static void
status_cb (UnfreezeDatabase *database,
           GParamSpec       *pspec,
           Target           *target)
{
  const char *status = unfreeze_database_get_status (database);

  if (status != NULL)
    g_string_append_printf (target->statuses, "%s\n", status);
}

/* Only the window under test is shown (with the good one): a shown window redraws every
 * frame, for its clock. */
static void
target_show (Target *target)
{
  for (guint i = 0; i < targets->len; i++)
    {
      Target *other = g_ptr_array_index (targets, i);

      if (other != target && other != good)
        gtk_widget_set_visible (GTK_WIDGET (other->window), FALSE);
    }

  gtk_window_present (GTK_WINDOW (target->window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (target->window)))
    g_main_context_iteration (NULL, TRUE);
}

/* Takes @database, prepares it (which may fail: the window then says why, and runs still
 * try), and opens a window on it, as the app does. */
static Target *
target_new (UnfreezeDatabase *database)
{
  g_autoptr(GAsyncResult) result = NULL;
  Target *target = g_new0 (Target, 1);

  target->database = database;
  target->statuses = g_string_new (NULL);
  g_signal_connect (database, "notify::status", G_CALLBACK (status_cb), target);

  unfreeze_database_prepare_async (database, NULL, unfreeze_test_async_result_cb, &result);
  g_assert_true (wait_until (result_arrived, &result, 180000));
  unfreeze_database_prepare_finish (database, result, &target->prepare_error);

  target->window = unfreeze_window_new (NULL, database);
  g_object_ref_sink (target->window);
  unfreeze_window_set_database_ready (target->window, target->prepare_error);
  g_ptr_array_add (targets, target);
  target_show (target);

  return target;
}

static Target *
target_new_for_conninfo (const char *conninfo)
{
  UnfreezeDatabase *database = unfreeze_database_new (conninfo);

  unfreeze_database_set_big_tickers (database, FALSE);
  return target_new (database);
}

static void
target_free (Target *target)
{
  g_signal_handlers_disconnect_by_data (target->database, target);
  gtk_window_destroy (GTK_WINDOW (target->window));
  g_clear_object (&target->window);
  unfreeze_database_shutdown (target->database);
  g_clear_object (&target->database);
  g_clear_error (&target->prepare_error);
  g_string_free (target->statuses, TRUE);
  g_free (target);
}

/* Running through the window ------------------------------------------------------------- */

static void
finished_cb (UnfreezeRun *run,
             gboolean    *finished)
{
  *finished = TRUE;
}

static void
choose (UnfreezeWindow     *window,
        const UnfreezeMode *mode,
        const char         *ticker,
        double              delay)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.mode", "s", mode->id));
  g_assert_cmpstr (unfreeze_window_get_mode (window), ==, mode->id);
  unfreeze_window_set_ticker (window, ticker);
  unfreeze_window_set_delay (window, delay);
  unfreeze_window_set_count (window, 1);
}

/* Presses Run (the action a click activates) and returns the new run, in flight or over. */
static UnfreezeRun *
press_run (UnfreezeWindow *window)
{
  UnfreezeRun *before = unfreeze_window_get_last_run (window);
  UnfreezeRun *run;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  run = unfreeze_window_get_last_run (window);
  g_assert_nonnull (run);
  g_assert_true (run != before);

  return g_object_ref (run);
}

static void
wait_finished (UnfreezeRun *run,
               guint        timeout_ms)
{
  gboolean finished = unfreeze_run_get_finished (run);
  gulong id = g_signal_connect (run, "finished", G_CALLBACK (finished_cb), &finished);

  g_assert_true (unfreeze_test_wait_for (&finished, timeout_ms));
  g_signal_handler_disconnect (run, id);

  /* Let the refused report, late callbacks and a frame through. */
  drain_main_loop ();
}

static UnfreezeRun *
click_run (UnfreezeWindow     *window,
           const UnfreezeMode *mode,
           const char         *ticker,
           double              delay)
{
  UnfreezeRun *run;

  choose (window, mode, ticker, delay);
  run = press_run (window);
  wait_finished (run, RUN_TIMEOUT_MS);

  return run;
}

static gboolean
is_mode (const UnfreezeMode *mode,
         const char         *id)
{
  return g_str_equal (mode->id, id);
}

/* What each mode does when all is well: the raw thread's update is always refused, and
 * the main thread and its worker always wait for each other in the deadlock mode. */
static UnfreezeRunResult
normal_result (const UnfreezeMode *mode)
{
  if (is_mode (mode, "deadlock"))
    return UNFREEZE_RUN_RESULT_DEADLOCK;

  return is_mode (mode, "thread") ? UNFREEZE_RUN_RESULT_REFUSED : UNFREEZE_RUN_RESULT_OK;
}

/* The run worked, and the window said so: the run's status text is in the message panel
 * (the status line itself may have moved on to the database's news since). */
static void
assert_run_worked (UnfreezeWindow     *window,
                   UnfreezeRun        *run,
                   const UnfreezeMode *mode,
                   guint               n_rows)
{
  const GError *error = unfreeze_run_get_error (run);
  g_autofree char *messages = unfreeze_window_dup_messages (window);
  g_autofree char *status = unfreeze_run_dup_status_text (run);

  g_assert_cmpstr (error != NULL ? error->message : NULL, ==, NULL);
  g_assert_cmpint (unfreeze_run_get_result (run), ==, normal_result (mode));
  if (normal_result (mode) == UNFREEZE_RUN_RESULT_OK)
    {
      g_assert_cmpuint (unfreeze_run_get_n_rows (run), ==, n_rows);
      g_assert_cmpuint (unfreeze_test_window_n_rows (window), ==, n_rows);
      g_assert_true (g_str_has_prefix (status, "Loaded "));
    }
  else if (normal_result (mode) == UNFREEZE_RUN_RESULT_DEADLOCK)
    {
      g_assert_cmpuint (unfreeze_test_window_n_rows (window), ==, 0);
      g_assert_true (g_str_has_prefix (status, "Deadlock after "));
    }
  else
    {
      g_assert_nonnull (strstr (unfreeze_run_get_refusal (run), "Cross-thread UI access"));
    }
  g_assert_nonnull (strstr (messages, status));
}

/* The next run works: in the same mode, in the window on the fixture's server. */
static void
assert_next_run_works (const UnfreezeMode *mode)
{
  g_autoptr(UnfreezeRun) run = click_run (good->window, mode, "MSFT", 0);

  assert_run_worked (good->window, run, mode, unfreeze_test_expected_rows ("MSFT"));
}

/* The run ended in error and the message says why (one of @reasons: libpq's, the server's
 * or our own words), in the run, on the status line and in the message panel. The sleep
 * mode may instead have stopped looking before a slow failure came (its lesson): that says
 * so too. The built-in server's news (restarting) may have taken the status line since:
 * then the message panel says it. */
static void
assert_run_failed_full (UnfreezeWindow     *window,
                        UnfreezeRun        *run,
                        const UnfreezeMode *mode,
                        const char * const *reasons,
                        gboolean            status_may_move_on)
{
  const GError *error = unfreeze_run_get_error (run);
  g_autofree char *messages = unfreeze_window_dup_messages (window);
  const char *status = unfreeze_window_get_status_text (window);
  const char *found = NULL;

  g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_ERROR);
  g_assert_nonnull (error);
  g_test_message ("%s: %s", mode->id, error->message);

  for (guint i = 0; reasons[i] != NULL && found == NULL; i++)
    if (strstr (error->message, reasons[i]) != NULL)
      found = reasons[i];
  if (found == NULL && is_mode (mode, "sleep") &&
      g_error_matches (error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_NOT_READY))
    found = "No result yet";
  if (found == NULL)
    g_error ("The %s run's error does not say what went wrong: “%s”", mode->id, error->message);

  if (!status_may_move_on)
    {
      g_assert_nonnull (strstr (status, "Error after "));
      g_assert_nonnull (strstr (status, found));
    }
  g_assert_nonnull (strstr (messages, "Error after "));
  g_assert_nonnull (strstr (messages, found));
  g_assert_cmpuint (unfreeze_run_get_n_rows (run), ==, 0);
  g_assert_cmpuint (unfreeze_test_window_n_rows (window), ==, 0);
}

static void
assert_run_failed (UnfreezeWindow     *window,
                   UnfreezeRun        *run,
                   const UnfreezeMode *mode,
                   const char * const *reasons)
{
  assert_run_failed_full (window, run, mode, reasons, FALSE);
}

/* Killing a server process while the query runs --------------------------------------------- */

typedef struct
{
  char    *conninfo;     /* where to look for the query */
  GPid     victim;       /* 0: the backend running the query; else this process */
  GPid     killed;
  GThread *thread;
} Killer;

/* A thread of its own: in the blocking and sleep modes the main loop is stuck for the
 * whole query, so nothing on it could strike in time. */
static gpointer
killer_thread (gpointer data)
{
  Killer *killer = data;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  PGconn *conn = PQconnectdb (killer->conninfo);

  while (PQstatus (conn) == CONNECTION_OK && g_get_monotonic_time () < deadline)
    {
      PGresult *result = PQexec (conn, "SELECT pid FROM pg_stat_activity"
                                       " WHERE application_name = 'Unfreeze' AND state = 'active'"
                                       "   AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid ()");
      GPid pid = 0;

      if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) > 0)
        pid = (GPid) g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
      PQclear (result);

      if (pid > 0)
        {
          killer->killed = killer->victim != 0 ? killer->victim : pid;
          kill (killer->killed, SIGKILL);
          break;
        }
      g_usleep (20 * 1000);
    }

  PQfinish (conn);
  return NULL;
}

static void
killer_start (Killer     *killer,
              const char *conninfo,
              GPid        victim)
{
  killer->conninfo = g_strdup (conninfo);
  killer->victim = victim;
  killer->killed = 0;
  killer->thread = g_thread_new ("killer", killer_thread, killer);
}

static void
killer_join (Killer *killer)
{
  g_thread_join (killer->thread);
  g_clear_pointer (&killer->conninfo, g_free);
}

/* The scratch server --------------------------------------------------------------------- */

static UnfreezeLocalServer *scratch_server;
static char *scratch_link;        /* a symbolic link to its socket directory of the moment */
static char *scratch_conninfo;
static Target *scratch;

static void
scratch_start (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  unfreeze_local_server_start_async (scratch_server, NULL, unfreeze_test_async_result_cb, &result);
  g_assert_true (wait_until (result_arrived, &result, 180000));
  g_assert_true (unfreeze_local_server_start_finish (scratch_server, result, &error));
  g_assert_no_error (error);

  /* Each start makes a new socket directory: the link keeps the address. */
  g_unlink (scratch_link);
  g_assert_cmpint (symlink (unfreeze_local_server_get_socket_dir (scratch_server), scratch_link), ==, 0);
  g_assert_true (wait_until (server_accepts, scratch_conninfo, 30000));
}

static Target *
scratch_target (void)
{
  if (scratch == NULL)
    {
      g_autofree char *data_dir = g_build_filename (home, "scratch", NULL);
      g_autofree char *hba_path = NULL;
      static const char hba[] =
        "# Written by test-faults: one role needs a password, everyone else is trusted.\n"
        "local all pwuser scram-sha-256\n"
        "local all all trust\n";

      scratch_server = unfreeze_local_server_new (data_dir);
      scratch_link = g_build_filename (home, "scratch-socket", NULL);
      scratch_conninfo = g_strdup_printf ("host=%s port=5432 dbname=postgres user=unfreeze", scratch_link);
      scratch_start ();

      /* For the wrong password: a role that must give one. */
      hba_path = g_build_filename (unfreeze_local_server_get_data_dir (scratch_server), "pg_hba.conf", NULL);
      g_assert_true (g_file_set_contents (hba_path, hba, -1, NULL));
      exec_sql (scratch_conninfo, "CREATE ROLE pwuser LOGIN PASSWORD '" RIGHT_PASSWORD "'");
      exec_sql (scratch_conninfo, "SELECT pg_reload_conf ()");

      scratch = target_new_for_conninfo (scratch_conninfo);
      g_assert_no_error (scratch->prepare_error);
    }

  target_show (scratch);
  return scratch;
}

/* The built-in server -------------------------------------------------------------------- */

static Target *embedded;

static Target *
embedded_target (void)
{
  if (embedded == NULL)
    {
      UnfreezeDatabase *database = unfreeze_database_new (NULL);

      g_assert_true (unfreeze_database_get_embedded (database));
      unfreeze_database_set_big_tickers (database, FALSE);
      embedded = target_new (database);
      g_assert_no_error (embedded->prepare_error);
    }

  target_show (embedded);
  return embedded;
}

static char *
embedded_conninfo (void)
{
  return unfreeze_local_server_dup_conninfo (unfreeze_database_get_local_server (embedded->database));
}

/* Row 1: an SQL error from the server ------------------------------------------------------ */

static Target *reader;

/* A database the role "reader" may use but not create tables in (PostgreSQL 15 no longer
 * lets everyone create in schema public; the REVOKE makes sure on older servers too). */
static Target *
reader_target (void)
{
  if (reader == NULL)
    {
      const char *fixture = unfreeze_test_fixture_get_conninfo ();
      g_autofree char *noperm = g_strdup_printf ("%s dbname=unfreeze_noperm", fixture);
      g_autofree char *conninfo = g_strdup_printf ("%s dbname=unfreeze_noperm user=reader", fixture);

      exec_sql (fixture, "CREATE ROLE reader LOGIN");
      exec_sql (fixture, "CREATE DATABASE unfreeze_noperm");
      exec_sql (noperm, "REVOKE CREATE ON SCHEMA public FROM PUBLIC");

      reader = target_new_for_conninfo (conninfo);

      /* Preparing says the table is missing and could not be made, and why. */
      g_test_message ("%s", reader->prepare_error != NULL ? reader->prepare_error->message : "no error");
      g_assert_error (reader->prepare_error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_SETUP);
      g_assert_nonnull (strstr (reader->prepare_error->message, "“stock_prices” is missing and could not be created"));
      g_assert_nonnull (strstr (reader->prepare_error->message, "permission denied for schema public"));
      g_assert_nonnull (strstr (unfreeze_window_get_status_text (reader->window), "could not be created"));
    }

  target_show (reader);
  return reader;
}

static void
test_sql_error (gconstpointer data)
{
  const UnfreezeMode *mode = data;
  static const char * const reasons[] = { "relation \"stock_prices\" does not exist", NULL };
  Target *target = reader_target ();
  g_autoptr(UnfreezeRun) run = NULL;

  run = click_run (target->window, mode, "MSFT", 0);

  assert_run_failed (target->window, run, mode, reasons);
  g_assert_error ((GError *) unfreeze_run_get_error (run), UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_QUERY);
  g_assert_nonnull (strstr (unfreeze_run_get_error (run)->message, "SQLSTATE 42P01"));
  g_assert_nonnull (strstr (unfreeze_window_get_status_text (target->window), "42P01"));

  assert_next_run_works (mode);
}

/* Row 2: connecting fails ------------------------------------------------------------------- */

static GHashTable *connect_targets;   /* row name → Target */

/* A TCP port on the loopback address that accepts connections (the kernel does, into the
 * backlog) but never says a word: a server that hangs. */
static GSocket *silent_socket;
static guint16 silent_port;

static void
silent_server_start (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  if (silent_socket != NULL)
    return;

  silent_socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_set_listen_backlog (silent_socket, 128);
  g_assert_true (g_socket_bind (silent_socket, address, TRUE, &error));
  g_assert_true (g_socket_listen (silent_socket, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (silent_socket, &error);
  g_assert_no_error (error);
  silent_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static char *
connect_conninfo (const char *row)
{
  if (g_str_equal (row, "no-server-socket"))
    {
      g_autofree char *dir = g_build_filename (home, "no-server", NULL);

      g_mkdir_with_parents (dir, 0700);
      return g_strdup_printf ("host=%s port=5432 dbname=postgres user=unfreeze", dir);
    }
  if (g_str_equal (row, "refused-tcp"))
    return g_strdup ("host=127.0.0.1 port=1 dbname=postgres user=unfreeze");
  if (g_str_equal (row, "unknown-host"))
    return g_strdup ("host=nonexistent.invalid port=5432 dbname=postgres user=unfreeze connect_timeout=3");
  if (g_str_equal (row, "wrong-password"))
    {
      scratch_target ();
      return g_strdup_printf ("%s user=pwuser password=" WRONG_PASSWORD, scratch_conninfo);
    }
  if (g_str_equal (row, "silent-server"))
    {
      silent_server_start ();
      return g_strdup_printf ("host=127.0.0.1 port=%u dbname=postgres user=unfreeze connect_timeout=2",
                              silent_port);
    }

  g_assert_not_reached ();
}

static const char * const *
connect_reasons (const char *row)
{
  static const char * const no_server[] = { "No such file or directory", NULL };
  static const char * const refused[] = { "Connection refused", NULL };
  /* libpq's words, or GLib's resolver's: the main-loop mode looks names up with GResolver. */
  static const char * const unknown[] = { "could not translate host name \"nonexistent.invalid\"",
                                          "Error resolving", NULL };
  static const char * const password[] = { "password authentication failed for user \"pwuser\"", NULL };
  static const char * const silent[] = { "timeout expired", NULL };

  if (g_str_equal (row, "no-server-socket"))
    return no_server;
  if (g_str_equal (row, "refused-tcp"))
    return refused;
  if (g_str_equal (row, "unknown-host"))
    return unknown;
  if (g_str_equal (row, "wrong-password"))
    return password;
  if (g_str_equal (row, "silent-server"))
    return silent;

  g_assert_not_reached ();
}

/* Whether this machine says "no such host" quickly. Offline resolvers may instead wait for
 * a DNS timeout, which libpq cannot bound (connect_timeout starts after the lookup). */
static gboolean
dns_answers_quickly (void)
{
  struct addrinfo *info = NULL;
  gint64 start = g_get_monotonic_time ();
  int status = getaddrinfo ("nonexistent.invalid", "5432", NULL, &info);

  if (info != NULL)
    freeaddrinfo (info);

  return status != 0 && g_get_monotonic_time () - start < 3 * G_USEC_PER_SEC;
}

typedef struct
{
  const char         *row;
  const UnfreezeMode *mode;
} ConnectCase;

static void
test_connect_fails (gconstpointer data)
{
  const ConnectCase *c = data;
  Target *target;
  g_autoptr(UnfreezeRun) run = NULL;
  g_autofree char *messages = NULL;
  g_autofree char *description = NULL;

  if (g_str_equal (c->row, "unknown-host") && !dns_answers_quickly ())
    {
      g_test_skip ("The resolver here does not answer “no such host” quickly");
      return;
    }

  target = g_hash_table_lookup (connect_targets, c->row);
  if (target == NULL)
    {
      g_autofree char *conninfo = connect_conninfo (c->row);

      target = target_new_for_conninfo (conninfo);
      g_hash_table_insert (connect_targets, g_strdup (c->row), target);

      /* Preparing failed for the same reason, and the window said so. */
      g_assert_error (target->prepare_error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_CONNECT);
      g_assert_nonnull (strstr (target->prepare_error->message, connect_reasons (c->row)[0]));
      g_assert_nonnull (strstr (unfreeze_window_get_status_text (target->window), connect_reasons (c->row)[0]));
    }
  target_show (target);

  run = click_run (target->window, c->mode, "MSFT", 0);
  assert_run_failed (target->window, run, c->mode, connect_reasons (c->row));
  g_assert_cmpint (unfreeze_run_get_elapsed_us (run), <, time_bound (10));

  /* A server that never answers costs connect_timeout, not a hang; and the modes that wait
   * elsewhere keep the main loop running meanwhile. */
  if (g_str_equal (c->row, "silent-server"))
    {
      g_test_message ("%s: over after %" G_GINT64_FORMAT " ms, longest stall %" G_GINT64_FORMAT " ms",
                      c->mode->id, unfreeze_run_get_elapsed_us (run) / 1000,
                      unfreeze_run_get_longest_stall_us (run) / 1000);
      if (unfreeze_test_timing_is_reliable () &&
          (is_mode (c->mode, "thread") || is_mode (c->mode, "gtask") || is_mode (c->mode, "mainloop")))
        g_assert_cmpint (unfreeze_run_get_longest_stall_us (run), <, G_USEC_PER_SEC);
    }

  /* The password is never shown, wherever the window speaks. */
  messages = unfreeze_window_dup_messages (target->window);
  description = unfreeze_database_dup_description (target->database);
  g_assert_null (strstr (messages, WRONG_PASSWORD));
  g_assert_null (strstr (unfreeze_window_get_status_text (target->window), WRONG_PASSWORD));
  g_assert_null (strstr (description, WRONG_PASSWORD));
  g_assert_null (strstr (unfreeze_run_get_error (run)->message, WRONG_PASSWORD));

  assert_next_run_works (c->mode);
}

/* Row 3: the server is killed while a query runs ------------------------------------------- */

static const char * const connection_lost[] = {
  "server closed the connection unexpectedly",
  "terminating connection",
  NULL
};

/* (a) SIGKILL to the backend: PostgreSQL restarts all its processes (crash recovery), so
 * every connection in the pool is dead too. Once the server accepts connections again,
 * the next run works. */
static void
test_backend_killed (gconstpointer data)
{
  const UnfreezeMode *mode = data;
  Target *target = scratch_target ();
  g_autoptr(UnfreezeRun) run = NULL;
  g_autoptr(UnfreezeRun) next = NULL;
  Killer killer;

  fill_pool (target->database, 3);
  choose (target->window, mode, "MSFT", KILL_DELAY_S);
  killer_start (&killer, scratch_conninfo, 0);
  run = press_run (target->window);
  wait_finished (run, RUN_TIMEOUT_MS);
  killer_join (&killer);

  g_assert_cmpint (killer.killed, >, 0);
  assert_run_failed (target->window, run, mode, connection_lost);
  /* Over because of the kill, not because the query ended. */
  g_assert_cmpint (unfreeze_run_get_elapsed_us (run), <, KILL_DELAY_S * G_USEC_PER_SEC);

  g_assert_true (wait_until (server_accepts, scratch_conninfo, 60000));
  next = click_run (target->window, mode, "MSFT", 0);
  assert_run_worked (target->window, next, mode, 2600);
}

typedef struct
{
  Target     *target;
  const char *text;
} StatusWait;

static gboolean
statuses_have_text (gpointer data)
{
  StatusWait *wait = data;

  return strstr (wait->target->statuses->str, wait->text) != NULL;
}

/* Runs the main loop until @target's database has announced a status that says @text, or
 * @timeout_ms passes; FALSE then. */
static gboolean
wait_for_status (Target     *target,
                 const char *text,
                 guint       timeout_ms)
{
  StatusWait wait = { target, text };

  return wait_until (statuses_have_text, &wait, timeout_ms);
}

/* (b) SIGKILL to the built-in server's postmaster: the database says the server stopped
 * and is being restarted, then that it was; the next run works. */

static void
test_postmaster_killed (gconstpointer data)
{
  const UnfreezeMode *mode = data;
  Target *target = embedded_target ();
  UnfreezeLocalServer *server = unfreeze_database_get_local_server (target->database);
  g_autofree char *conninfo = embedded_conninfo ();
  g_autofree char *messages = NULL;
  g_autoptr(UnfreezeRun) run = NULL;
  g_autoptr(UnfreezeRun) next = NULL;
  gint exits = g_atomic_int_get (&n_server_exits);
  GPid postmaster = unfreeze_local_server_get_pid (server);
  Killer killer;

  g_assert_cmpint (postmaster, >, 0);
  g_string_truncate (target->statuses, 0);
  fill_pool (target->database, 3);
  choose (target->window, mode, "MSFT", KILL_DELAY_S);
  killer_start (&killer, conninfo, postmaster);
  run = press_run (target->window);
  wait_finished (run, RUN_TIMEOUT_MS);
  killer_join (&killer);

  g_assert_cmpint (killer.killed, ==, postmaster);
  assert_run_failed_full (target->window, run, mode, connection_lost, TRUE);
  g_assert_cmpint (unfreeze_run_get_elapsed_us (run), <, KILL_DELAY_S * G_USEC_PER_SEC);

  if (!wait_for_status (target, "was restarted", 60000))
    g_error ("The built-in server was not restarted within 60 s; the statuses were:\n%s",
             target->statuses->str);
  g_test_message ("%s", target->statuses->str);
  g_assert_cmpint (g_atomic_int_get (&n_server_exits), ==, exits + 1);
  g_assert_nonnull (strstr (target->statuses->str, "stopped unexpectedly; restarting it"));
  g_assert_cmpint (unfreeze_local_server_get_pid (server), !=, postmaster);
  g_assert_true (unfreeze_local_server_get_running (server));
  messages = unfreeze_window_dup_messages (target->window);
  g_assert_nonnull (strstr (messages, "stopped unexpectedly; restarting it"));
  g_assert_nonnull (strstr (messages, "was restarted"));
  /* The status line shows the latest news: the restart, or the run's error if the run
   * ended after the restart. */
  g_assert_true (strstr (unfreeze_window_get_status_text (target->window), "was restarted") != NULL ||
                 strstr (unfreeze_window_get_status_text (target->window), "Error after ") != NULL);

  next = click_run (target->window, mode, "MSFT", 0);
  assert_run_worked (target->window, next, mode, 2600);
}

/* Row 4: the server is shut down between two runs ------------------------------------------ */

/* A user's server, stopped: the run says it cannot connect (or, for a connection it still
 * held, that the server ended it); started again at the same address, the next run works. */
static void
test_server_stopped (gconstpointer data)
{
  const UnfreezeMode *mode = data;
  static const char * const reasons[] = {
    "No such file or directory",
    "server closed the connection unexpectedly",
    "terminating connection due to administrator command",
    NULL
  };
  Target *target = scratch_target ();
  g_autoptr(UnfreezeRun) run = NULL;
  g_autoptr(UnfreezeRun) next = NULL;

  fill_pool (target->database, 3);
  unfreeze_local_server_stop (scratch_server);

  run = click_run (target->window, mode, "MSFT", 0);
  assert_run_failed (target->window, run, mode, reasons);

  scratch_start ();
  next = click_run (target->window, mode, "MSFT", 0);
  assert_run_worked (target->window, next, mode, 2600);
}

/* The built-in server, shut down from outside (pg_ctl stop sends SIGINT): the app restarts
 * it. A run meanwhile says so; once restarted, the next run works. */
static void
test_embedded_server_stopped (gconstpointer data)
{
  const UnfreezeMode *mode = data;
  static const char * const reasons[] = {
    "is being restarted. Try again in a moment.",
    "No such file or directory",
    "server closed the connection unexpectedly",
    "terminating connection due to administrator command",
    NULL
  };
  Target *target = embedded_target ();
  UnfreezeLocalServer *server = unfreeze_database_get_local_server (target->database);
  g_autoptr(UnfreezeRun) run = NULL;
  g_autoptr(UnfreezeRun) next = NULL;
  gint exits = g_atomic_int_get (&n_server_exits);

  g_string_truncate (target->statuses, 0);
  fill_pool (target->database, 3);
  g_assert_cmpint (kill (unfreeze_local_server_get_pid (server), SIGINT), ==, 0);
  g_assert_true (wait_for_status (target, "stopped unexpectedly", 30000));

  /* Pressed while it restarts: a clear error, or (a worker being slower than the restart)
   * the rows. */
  run = click_run (target->window, mode, "MSFT", 0);
  if (unfreeze_run_get_result (run) == UNFREEZE_RUN_RESULT_ERROR)
    assert_run_failed_full (target->window, run, mode, reasons, TRUE);
  else
    assert_run_worked (target->window, run, mode, 2600);

  g_assert_true (wait_for_status (target, "was restarted", 60000));
  g_assert_cmpint (g_atomic_int_get (&n_server_exits), ==, exits + 1);
  next = click_run (target->window, mode, "MSFT", 0);
  assert_run_worked (target->window, next, mode, 2600);
}

/* Row 5: the window is closed, the app is quit, while a query runs ------------------------- */

/* Not for the blocking mode: while its query runs the main loop is stuck, so the window
 * cannot even be closed (the close request waits in the queue until the run is over). The
 * sleep mode is stuck for its 2 s sleep; after that its run is over but its worker still
 * waits for the server: the window is closed then. */
static void
test_close_mid_run (gconstpointer data)
{
  const UnfreezeMode *mode = data;
  UnfreezeWindow *window = unfreeze_window_new (NULL, unfreeze_test_fixture_get_database ());
  g_autoptr(UnfreezeRun) run = NULL;

  unfreeze_window_set_database_ready (window, NULL);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);

  choose (window, mode, "MSFT", is_mode (mode, "sleep") ? 4 : 2);
  run = press_run (window);
  /* The sleep mode's query is over once its sleep is (the run itself ends a frame later,
   * when the window has painted what came in meanwhile); the others' are in flight. */
  g_assert_true ((unfreeze_run_get_n_finished (run) == unfreeze_run_get_count (run)) ==
                 is_mode (mode, "sleep"));
  gtk_window_destroy (GTK_WINDOW (window));

  wait_finished (run, RUN_TIMEOUT_MS);
  wait_fixture_idle ();
  drain_main_loop ();

  if (mode->can_cancel)
    g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_CANCELLED);
  else if (is_mode (mode, "sleep"))
    g_assert_error ((GError *) unfreeze_run_get_error (run), UNFREEZE_DATABASE_ERROR,
                    UNFREEZE_DATABASE_ERROR_NOT_READY);
  else
    g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_REFUSED);

  assert_next_run_works (mode);
}

/* The app itself, in this process, with a run in flight: app.quit (Ctrl+Q) closes the
 * window and stops the app at once; the query's late end reaches nothing that is gone. */
static GString *captured;

static void
capture_print (const char *text)
{
  if (g_str_has_prefix (text, "mode="))
    g_string_append (captured, text);
}

typedef struct
{
  UnfreezeApplication *app;
  gint64               quit_us;
} Quitter;

static gboolean
quit_when_query_runs_cb (gpointer data)
{
  Quitter *quitter = data;

  if (fixture_idle (NULL))
    return G_SOURCE_CONTINUE;

  quitter->quit_us = g_get_monotonic_time ();
  g_action_group_activate_action (G_ACTION_GROUP (quitter->app), "quit", NULL);

  return G_SOURCE_REMOVE;
}

static gboolean
big_tickers_present (gpointer data)
{
  g_autofree char *value =
    unfreeze_test_query_value ("SELECT count(*) FROM unfreeze_dataset WHERE name = 'big-v2'");

  return g_str_equal (value, "1");
}

static void
wait_for_big_tickers (void)
{
  gint64 start = g_get_monotonic_time ();

  g_assert_true (wait_until (big_tickers_present, NULL, 600000));
  g_test_message ("waited %" G_GINT64_FORMAT " ms for the big tickers",
                  (g_get_monotonic_time () - start) / 1000);
}

static void
test_app_quit_mid_run (gconstpointer data)
{
  const UnfreezeMode *mode = data;
  g_autoptr(UnfreezeApplication) app = unfreeze_application_new ();
  g_autofree char *mode_arg = g_strdup_printf ("--mode=%s", mode->id);
  g_autofree char *connection_arg = g_strdup_printf ("--connection=%s", unfreeze_test_fixture_get_conninfo ());
  char *argv[] = { (char *) "unfreeze", mode_arg, (char *) "--run", (char *) "--delay=8", connection_arg, NULL };
  Quitter quitter = { app, 0 };
  GPrintFunc old_print;
  gboolean idle;
  int status;
  gint64 returned_us;
  guint id;

  /* The app fills the big tickers where it may: they are there already, so its quit is
   * about the run. (A quit during that filling is test_quit_while_seeding.) */
  wait_for_big_tickers ();

  /* The app prints its summary line on standard output, the TAP stream: keep it. */
  captured = g_string_new (NULL);
  old_print = g_set_print_handler (capture_print);
  id = g_timeout_add (50, quit_when_query_runs_cb, &quitter);
  status = g_application_run (G_APPLICATION (app), G_N_ELEMENTS (argv) - 1, argv);
  returned_us = g_get_monotonic_time ();
  if (quitter.quit_us == 0)
    g_source_remove (id);

  /* The query's end (cancelled, or after its delay) comes later, to no window and no app. */
  idle = wait_until (fixture_idle, NULL, 30000);
  for (guint i = 0; i < 20; i++)
    {
      drain_main_loop ();
      g_usleep (10 * 1000);
    }
  g_set_print_handler (old_print);

  g_test_message ("%s: quit %" G_GINT64_FORMAT " ms after asking; printed: %s", mode->id,
                  (returned_us - quitter.quit_us) / 1000, captured->str);
  g_string_free (g_steal_pointer (&captured), TRUE);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (quitter.quit_us, >, 0);
  g_assert_cmpint (returned_us - quitter.quit_us, <, time_bound (5));
  if (!idle)
    print_activity ();
  g_assert_true (idle);

  assert_next_run_works (mode);
}

/* Prepares @database, which must succeed; returns it. */
static UnfreezeDatabase *
prepare_database (UnfreezeDatabase *database)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  unfreeze_database_prepare_async (database, NULL, unfreeze_test_async_result_cb, &result);
  g_assert_true (wait_until (result_arrived, &result, 180000));
  g_assert_true (unfreeze_database_prepare_finish (database, result, &error));
  g_assert_no_error (error);

  return database;
}

/* Quitting while the big tickers are being generated on a user's server: the statement is
 * stopped, the quit does not wait for a million rows. */
static void
test_quit_while_seeding (void)
{
  const char *fixture = unfreeze_test_fixture_get_conninfo ();
  g_autofree char *conninfo = g_strdup_printf ("%s dbname=unfreeze_seeding", fixture);
  g_autoptr(UnfreezeDatabase) database = NULL;
  gint64 start;

  exec_sql (fixture, "CREATE DATABASE unfreeze_seeding");
  database = unfreeze_database_new (conninfo);
  unfreeze_database_set_big_tickers (database, TRUE);
  prepare_database (database);
  g_assert_nonnull (strstr (unfreeze_database_get_status (database), "in the background"));

  /* Let the million rows get going. */
  g_usleep (500 * 1000);
  start = g_get_monotonic_time ();
  unfreeze_database_shutdown (database);
  g_test_message ("shut down %" G_GINT64_FORMAT " ms after asking", (g_get_monotonic_time () - start) / 1000);
  /* Generating the million rows takes 10 s and more. */
  if (unfreeze_test_timing_is_reliable ())
    g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);

  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM pg_stat_activity"
                                            " WHERE datname = 'unfreeze_seeding' AND state = 'active'");
    g_autofree char *active = unfreeze_test_query_value_on (fixture, sql);

    g_assert_cmpstr (active, ==, "0");
  }
}

/* A new, empty database on the fixture's server, for a test of its own: its conninfo. */
static char *
create_database (const char *name)
{
  const char *fixture = unfreeze_test_fixture_get_conninfo ();
  g_autofree char *sql = g_strdup_printf ("CREATE DATABASE %s", name);

  exec_sql (fixture, sql);

  return g_strdup_printf ("%s dbname=%s", fixture, name);
}

/* Rows of the big tickers that no exchange could have: outside 09:30–15:59, on a weekend,
 * before 2016 or after the data's last day. */
static const char minute_bars_not_in_trading_hours[] =
  "SELECT count(*) FROM stock_prices"
  " WHERE ticker IN ('BIG', 'HUGE')"
  "   AND (traded_at::time NOT BETWEEN '09:30' AND '15:59' OR extract(isodow FROM traded_at) > 5"
  "        OR traded_at < '2016-01-01' OR traded_at > '2026-11-21')";

/* A table filled by an older version (daily rows in a date column, datasets small-v1 and
 * big-v1, HUGE back to 1808 BC) is replaced at the next start: the new columns, the small
 * tickers again, and on a user's server the big ones offered, not generated. */
static void
test_old_version_replaced (void)
{
  g_autofree char *conninfo = create_database ("unfreeze_old_version");
  g_autoptr(UnfreezeDatabase) database = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *type = NULL;
  g_autofree char *datasets = NULL;
  g_autofree char *huge = NULL;
  PGresult *result;
  PGconn *conn;
  exec_sql (conninfo, "CREATE TABLE stock_prices (ticker text NOT NULL, trade_date date NOT NULL,"
                      " open float8 NOT NULL, high float8 NOT NULL, low float8 NOT NULL,"
                      " close float8 NOT NULL, volume bigint NOT NULL, PRIMARY KEY (ticker, trade_date));"
                      "CREATE TABLE unfreeze_dataset (name text PRIMARY KEY,"
                      " filled timestamptz NOT NULL DEFAULT now());"
                      "INSERT INTO unfreeze_dataset (name) VALUES ('small-v1'), ('big-v1');"
                      "INSERT INTO stock_prices VALUES ('MSFT', '2026-11-20', 1, 2, 0.5, 1.5, 100),"
                      " ('HUGE', '1808-10-28 BC', 1, 2, 0.5, 1.5, 100)");

  database = prepare_database (unfreeze_database_new (conninfo));
  g_test_message ("%s", unfreeze_database_get_status (database));
  g_assert_true (unfreeze_database_get_can_generate_big_tickers (database));

  type = unfreeze_test_query_value_on (conninfo, "SELECT string_agg(column_name || ' ' || data_type, ', ')"
                                                 "  FROM information_schema.columns"
                                                 " WHERE table_name = 'stock_prices'"
                                                 "   AND column_name IN ('trade_date', 'traded_at')");
  g_assert_cmpstr (type, ==, "traded_at timestamp without time zone");
  datasets = unfreeze_test_query_value_on (conninfo, "SELECT string_agg(name, ' ') FROM unfreeze_dataset");
  g_assert_cmpstr (datasets, ==, "small-v2");
  huge = unfreeze_test_query_value_on (conninfo, "SELECT count(*) FROM stock_prices WHERE ticker = 'HUGE'");
  g_assert_cmpstr (huge, ==, "0");

  /* The demo statement reads the new table: MSFT's daily bars, at midnight. */
  conn = unfreeze_database_acquire (database, &error);
  g_assert_no_error (error);
  result = unfreeze_query_exec (conn, "MSFT", 0.0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (PQntuples (result), ==, 2600);
  g_assert_cmpstr (PQgetvalue (result, 2599, UNFREEZE_COLUMN_TIME), ==, "2026-11-20 00:00:00");
  PQclear (result);
  unfreeze_database_release (database, conn);
  unfreeze_database_shutdown (database);
}

/* On a user's own server the big tickers come only when the user asks: prepared without
 * them, the database says what generating them would add and offers it; asked, it generates
 * them in the background; the next start finds them and offers nothing. */
static gboolean
status_has (gpointer data)
{
  gpointer *args = data;

  return strstr (unfreeze_database_get_status (args[0]), args[1]) != NULL;
}

/* The table has statistics from an ANALYZE of its own (not autovacuum's). */
static gboolean
table_analysed (gpointer data)
{
  g_autofree char *analysed =
    unfreeze_test_query_value_on (data, "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables"
                                        " WHERE relname = 'stock_prices'");

  return g_strcmp0 (analysed, "t") == 0;
}

static void
test_big_tickers_on_request (void)
{
  g_autofree char *conninfo = create_database ("unfreeze_on_request");
  g_autoptr(UnfreezeDatabase) database = NULL;
  g_autoptr(UnfreezeDatabase) again = NULL;
  const char *sql = "SELECT count(*) FROM stock_prices WHERE ticker IN ('BIG', 'HUGE')";
  gpointer generated[] = { NULL, (gpointer) "are there too" };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *impossible = NULL;
  g_autofree char *span = NULL;
  gint64 start;

  database = prepare_database (unfreeze_database_new (conninfo));
  g_test_message ("%s", unfreeze_database_get_status (database));
  g_assert_false (unfreeze_database_get_embedded (database));
  g_assert_true (unfreeze_database_get_can_generate_big_tickers (database));
  g_assert_nonnull (strstr (unfreeze_database_get_status (database), "1,150,000 rows"));
  before = unfreeze_test_query_value_on (conninfo, sql);
  g_assert_cmpstr (before, ==, "0");

  start = g_get_monotonic_time ();
  unfreeze_database_generate_big_tickers (database);
  g_assert_false (unfreeze_database_get_can_generate_big_tickers (database));
  g_assert_nonnull (strstr (unfreeze_database_get_status (database), "in the background"));
  g_assert_false (unfreeze_database_get_status_is_news (database));
  generated[0] = database;
  g_assert_true (wait_until (status_has, generated, 600000));
  /* News: a window keeps a run's outcome on its status line, the panel gets this. */
  g_assert_true (unfreeze_database_get_status_is_news (database));
  g_test_message ("generated the big tickers in %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - start) / 1000);
  after = unfreeze_test_query_value_on (conninfo, sql);
  g_assert_cmpstr (after, ==, "1150000");
  unfreeze_database_shutdown (database);
  /* Analysed once generated: the planner knows the table at once. (The server process
   * reports it as it ends, a moment after.) */
  g_assert_true (wait_until (table_analysed, conninfo, 30000));

  /* Minute bars of trading hours on weekdays, in the last ten years or so: a million daily
   * rows went back to 1808 BC. */
  impossible = unfreeze_test_query_value_on (conninfo, minute_bars_not_in_trading_hours);
  g_assert_cmpstr (impossible, ==, "0");
  span = unfreeze_test_query_value_on (conninfo,
                                       "SELECT min(traded_at)::date || ' ' || max(traded_at)"
                                       "  FROM stock_prices WHERE ticker = 'HUGE'");
  g_test_message ("HUGE: %s", span);
  g_assert_cmpstr (span, ==, "2017-01-23 2026-11-20 15:59:00");

  again = prepare_database (unfreeze_database_new (conninfo));
  g_assert_false (unfreeze_database_get_can_generate_big_tickers (again));
  unfreeze_database_shutdown (again);
}

/* Row 7: impatience ------------------------------------------------------------------------- */

/* Run pressed 500 times while runs are in flight: one run at a time, no crash, and every
 * run that started ended well. */
static void
test_run_500 (gconstpointer data)
{
  const UnfreezeMode *mode = data;
  UnfreezeWindow *window = good->window;
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  UnfreezeRun *previous = unfreeze_window_get_last_run (window);
  /* Held: the window lets go of its last run when the next one starts. */
  g_autoptr(UnfreezeRun) before = previous != NULL ? g_object_ref (previous) : NULL;
  guint n_rows = unfreeze_test_expected_rows ("MSFT");

  choose (window, mode, "MSFT", 0.05);
  for (guint i = 0; i < 500; i++)
    {
      UnfreezeRun *run;

      gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
      run = unfreeze_window_get_last_run (window);
      if (run != previous)
        {
          /* A new run starts only once the one before is over. */
          g_assert_true (previous == NULL || unfreeze_run_get_finished (previous));
          g_ptr_array_add (runs, g_object_ref (run));
          previous = run;
        }
      g_main_context_iteration (NULL, FALSE);
    }

  wait_finished (previous, RUN_TIMEOUT_MS);
  g_test_message ("%s: 500 presses started %u runs", mode->id, runs->len);
  g_assert_cmpuint (runs->len, >=, 1);
  g_assert_cmpuint (runs->len, <, 500);
  for (guint i = 0; i < runs->len; i++)
    {
      UnfreezeRun *run = g_ptr_array_index (runs, i);

      g_assert_cmpint (unfreeze_run_get_result (run), ==, normal_result (mode));
      if (normal_result (mode) == UNFREEZE_RUN_RESULT_OK)
        g_assert_cmpuint (unfreeze_run_get_n_rows (run), ==, n_rows);
    }

  assert_next_run_works (mode);
}

/* The mode switched while a run is in flight: that run goes on in its own mode; Run waits
 * for it; the next run uses the new mode. (Not from the blocking or sleep modes: their
 * window cannot take a click during the run.) */
static void
test_switch_mode_mid_run (gconstpointer data)
{
  const UnfreezeMode *mode = data;
  UnfreezeWindow *window = good->window;
  g_autoptr(UnfreezeRun) run = NULL;
  g_autoptr(UnfreezeRun) next = NULL;
  const UnfreezeMode * const *modes;
  const UnfreezeMode *last = NULL;
  guint n_modes;

  choose (window, mode, "MSFT", 1);
  run = press_run (window);
  g_assert_false (unfreeze_run_get_finished (run));

  modes = unfreeze_modes_get_all (&n_modes);
  for (guint i = 0; i < n_modes; i++)
    {
      if (modes[i] == mode)
        continue;
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.mode", "s", modes[i]->id));
      g_assert_cmpstr (unfreeze_window_get_mode (window), ==, modes[i]->id);
      /* Only one run at a time, whatever the mode says now. */
      g_assert_null (unfreeze_window_start_run (window));
      g_main_context_iteration (NULL, FALSE);
      if (!is_mode (modes[i], "blocking") && !is_mode (modes[i], "sleep") &&
          !is_mode (modes[i], "deadlock"))
        last = modes[i];
    }
  g_assert_nonnull (last);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.mode", "s", last->id));

  wait_finished (run, RUN_TIMEOUT_MS);
  g_assert_true (unfreeze_run_get_mode (run) == mode);
  g_assert_cmpint (unfreeze_run_get_result (run), ==, normal_result (mode));

  next = press_run (window);
  wait_finished (next, RUN_TIMEOUT_MS);
  g_assert_true (unfreeze_run_get_mode (next) == last);
  assert_run_worked (window, next, last, unfreeze_test_expected_rows ("MSFT"));
}

/* Row 8: big and odd results ------------------------------------------------------------------ */

typedef struct
{
  UnfreezeWindow *window;
  const char     *text;
} ShownText;

static gboolean text_is_shown (gpointer data);

static void
test_huge_result (gconstpointer data)
{
  const UnfreezeMode *mode = data;
  g_autoptr(UnfreezeRun) run = NULL;

  wait_for_big_tickers ();
  target_show (good);

  run = click_run (good->window, mode, "HUGE", 0);
  g_test_message ("%s: %u rows in %" G_GINT64_FORMAT " ms, longest stall %" G_GINT64_FORMAT " ms",
                  mode->id, unfreeze_run_get_n_rows (run), unfreeze_run_get_elapsed_us (run) / 1000,
                  unfreeze_run_get_longest_stall_us (run) / 1000);

  /* The sleep mode stops looking after 2 s, which a million rows may well take. */
  if (is_mode (mode, "sleep") && unfreeze_run_get_result (run) == UNFREEZE_RUN_RESULT_ERROR)
    {
      static const char * const reasons[] = { NULL };

      assert_run_failed (good->window, run, mode, reasons);
      wait_fixture_idle ();
    }
  else
    {
      assert_run_worked (good->window, run, mode, HUGE_ROWS);
      /* The oldest minute bar first, as its date and minute (not a day in 1808 BC). */
      if (normal_result (mode) == UNFREEZE_RUN_RESULT_OK)
        {
          ShownText shown = { good->window, "2017-01-23 15:20" };

          g_assert_true (wait_until (text_is_shown, &shown, 10000));
        }
    }

  /* Let go of the million rows before the next test. */
  g_clear_object (&run);
  assert_next_run_works (mode);
}

/* A main loop that is never idle: work above the idle priority that never ends, as when
 * each frame takes longer than the screen's (a slow or loaded machine drawing without a
 * GPU). Whatever waits for an idle callback then waits for ever; every mode's run must
 * still end. (The raw thread's bookkeeping always goes through the main loop, so that case
 * hangs every time without its fix; the main-loop mode waits for the loop only when a 3 ms
 * slice ends with rows still inside libpq, which a slow machine or a sanitizer build makes
 * common and a fast machine rare.) */
static gboolean
busy_cb (gpointer user_data)
{
  g_usleep (5 * 1000);

  return G_SOURCE_CONTINUE;
}

static void
test_never_idle (gconstpointer data)
{
  const UnfreezeMode *mode = data;
  g_autoptr(UnfreezeRun) run = NULL;
  guint busy;

  wait_for_big_tickers ();
  target_show (good);

  busy = g_idle_add_full (G_PRIORITY_HIGH_IDLE, busy_cb, NULL, NULL);
  run = click_run (good->window, mode, "BIG", 0.2);
  g_source_remove (busy);

  g_test_message ("%s: %u rows in %" G_GINT64_FORMAT " ms", mode->id, unfreeze_run_get_n_rows (run),
                  unfreeze_run_get_elapsed_us (run) / 1000);
  assert_run_worked (good->window, run, mode, 150000);

  g_clear_object (&run);
  assert_next_run_works (mode);
}

static void
collect_labels (GtkWidget *widget,
                GPtrArray *texts)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      /* The titles are labels, the cells inscriptions. */
      if (GTK_IS_LABEL (child) && gtk_widget_get_mapped (child))
        g_ptr_array_add (texts, (gpointer) gtk_label_get_text (GTK_LABEL (child)));
      else if (GTK_IS_INSCRIPTION (child) && gtk_widget_get_mapped (child))
        {
          const char *text = gtk_inscription_get_text (GTK_INSCRIPTION (child));

          g_ptr_array_add (texts, (gpointer) (text != NULL ? text : ""));
        }
      collect_labels (child, texts);
    }
}

/* The texts the rows view shows now (column titles included). */
static GPtrArray *
dup_cell_texts (UnfreezeWindow *window)
{
  GtkWidget *view = unfreeze_test_find_widget (GTK_WIDGET (window), GTK_TYPE_COLUMN_VIEW, NULL);
  GPtrArray *texts = g_ptr_array_new ();

  g_assert_nonnull (view);
  collect_labels (view, texts);

  return texts;
}

static gboolean
text_is_shown (gpointer data)
{
  ShownText *shown = data;
  g_autoptr(GPtrArray) texts = dup_cell_texts (shown->window);

  for (guint i = 0; i < texts->len; i++)
    if (g_str_equal (g_ptr_array_index (texts, i), shown->text))
      return TRUE;

  return FALSE;
}

/* Tickers are text: non-ASCII, quotes and semicolons, backslashes, 10,000 characters. They
 * come back as they went in, to the model and to the screen. */
static void
test_odd_values (gconstpointer data)
{
  const UnfreezeMode *mode = data;
  g_autofree char *long_ticker = NULL;
  GString *builder = g_string_new (NULL);
  const char *tickers[5];

  for (guint i = 0; i < 10000; i++)
    g_string_append (builder, "Ж");
  long_ticker = g_string_free (builder, FALSE);
  tickers[0] = "ÄPFEL";
  tickers[1] = "O'Reilly\"; DROP TABLE stock_prices; --";
  tickers[2] = "back\\slash\\";
  tickers[3] = "📈€ 株";
  tickers[4] = long_ticker;

  exec_sql (unfreeze_test_fixture_get_conninfo (),
            "INSERT INTO stock_prices VALUES"
            " ('ÄPFEL', DATE '2001-01-02', 1.5, 2, 1, 1.75, 100),"
            " ('O''Reilly\"; DROP TABLE stock_prices; --', DATE '2001-01-02', 1.5, 2, 1, 1.75, 100),"
            " (E'back\\\\slash\\\\', DATE '2001-01-02', 1.5, 2, 1, 1.75, 100),"
            " ('📈€ 株', DATE '2001-01-02', 1.5, 2, 1, 1.75, 100),"
            " (repeat ('Ж', 10000), DATE '2001-01-02', 1.5, 2, 1, 1.75, 100)"
            " ON CONFLICT DO NOTHING");
  target_show (good);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (good->window), "win.view", "s", "rows"));

  for (guint i = 0; i < G_N_ELEMENTS (tickers); i++)
    {
      g_autoptr(UnfreezeRun) run = click_run (good->window, mode, tickers[i], 0);

      g_assert_cmpstr (unfreeze_run_get_ticker (run), ==, tickers[i]);
      assert_run_worked (good->window, run, mode, 1);
      if (normal_result (mode) == UNFREEZE_RUN_RESULT_OK)
        {
          ShownText shown = { good->window, tickers[i] };
          g_autofree char *messages = unfreeze_window_dup_messages (good->window);

          g_assert_cmpstr (unfreeze_rows_get_value (unfreeze_run_get_rows (run), 0, UNFREEZE_COLUMN_TICKER),
                           ==, tickers[i]);
          g_assert_nonnull (strstr (messages, tickers[i]));
          g_assert_true (wait_until (text_is_shown, &shown, 10000));
        }
    }

  g_assert_cmpuint (unfreeze_test_expected_rows ("MSFT"), ==, 2600);
}

/* NULLs cannot be in the demo table (its columns are NOT NULL), but a table of the user's
 * own may have them: shown as empty cells, not as zeros, and nothing crashes. */
static Target *nulls;

static void
test_nulls (gconstpointer data)
{
  const UnfreezeMode *mode = data;
  g_autoptr(UnfreezeRun) run = NULL;

  if (nulls == NULL)
    {
      const char *fixture = unfreeze_test_fixture_get_conninfo ();
      g_autofree char *conninfo = g_strdup_printf ("%s dbname=unfreeze_nulls", fixture);

      exec_sql (fixture, "CREATE DATABASE unfreeze_nulls");
      exec_sql (conninfo, "CREATE TABLE stock_prices (ticker text, traded_at timestamp, open float8,"
                          " high float8, low float8, close float8, volume bigint)");
      exec_sql (conninfo, "INSERT INTO stock_prices VALUES ('NULLS', NULL, NULL, NULL, NULL, NULL, NULL)");
      nulls = target_new_for_conninfo (conninfo);
      g_assert_no_error (nulls->prepare_error);
      g_assert_nonnull (strstr (unfreeze_database_get_status (nulls->database), "using your own table"));
    }
  target_show (nulls);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (nulls->window), "win.view", "s", "rows"));

  run = click_run (nulls->window, mode, "NULLS", 0);
  assert_run_worked (nulls->window, run, mode, 1);

  if (normal_result (mode) == UNFREEZE_RUN_RESULT_OK)
    {
      ShownText shown = { nulls->window, "NULLS" };
      g_autoptr(GPtrArray) texts = NULL;
      guint n_empty = 0;

      g_assert_true (wait_until (text_is_shown, &shown, 10000));
      texts = dup_cell_texts (nulls->window);
      for (guint i = 0; i < texts->len; i++)
        {
          const char *text = g_ptr_array_index (texts, i);

          g_assert_cmpstr (text, !=, "0.00");
          g_assert_cmpstr (text, !=, "0");
          n_empty += *text == '\0';
        }
      g_assert_cmpuint (n_empty, >=, 6);
    }

  assert_next_run_works (mode);
}

/* Security ---------------------------------------------------------------------------------- */

static void
assert_private_socket_dir (const char *dir)
{
  GStatBuf st;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_lstat (dir, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  g_assert_cmpint (st.st_uid, ==, geteuid ());
}

/* The built-in server listens on no TCP port, only on a socket in a private directory, and
 * keeps its data in a private directory: no other user can reach either. */
static void
test_embedded_private (void)
{
  Target *target = embedded_target ();
  UnfreezeLocalServer *server = unfreeze_database_get_local_server (target->database);
  g_autofree char *conninfo = embedded_conninfo ();
  g_autofree char *listen = unfreeze_test_query_value_on (conninfo, "SHOW listen_addresses");
  g_autofree char *permissions = unfreeze_test_query_value_on (conninfo, "SHOW unix_socket_permissions");
  g_autofree char *socket_path = g_build_filename (unfreeze_local_server_get_socket_dir (server),
                                                   ".s.PGSQL.5432", NULL);
  g_autofree char *runtime = g_build_filename (home, "run", NULL);
  GStatBuf st;

  g_assert_cmpstr (listen, ==, "");
  g_assert_cmpstr (permissions, ==, "0700");
  assert_private_socket_dir (unfreeze_local_server_get_socket_dir (server));
  g_assert_true (g_str_has_prefix (unfreeze_local_server_get_socket_dir (server), runtime));
  g_assert_cmpint (g_lstat (socket_path, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpint (st.st_uid, ==, geteuid ());

  g_assert_cmpint (g_lstat (unfreeze_local_server_get_data_dir (server), &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  g_assert_cmpint (st.st_uid, ==, geteuid ());
}

/* The built-in server is ours: its pool keeps a connection for every query a run may have at
 * once, so that the next run of as many starts no server process. Someone's own server is
 * shared: the pool keeps fewer there (64). */
static void
test_pool_sizes (void)
{
  Target *target = embedded_target ();
  g_autofree char *conninfo = embedded_conninfo ();
  Target *shared = target_new_for_conninfo (conninfo);
  Target *private = target_new_for_conninfo (conninfo);

  g_assert_no_error (shared->prepare_error);
  g_assert_no_error (private->prepare_error);
  g_assert_false (unfreeze_database_get_embedded (shared->database));
  fill_pool (shared->database, 70);
  g_assert_cmpuint (unfreeze_database_get_n_connections (shared->database), ==, 64);
  unfreeze_database_shutdown (shared->database);
  g_assert_cmpuint (unfreeze_database_get_n_connections (shared->database), ==, 0);

  /* Said to serve this app alone (as the benchmark's server does), it keeps them all. */
  unfreeze_database_set_private_server (private->database, TRUE);
  fill_pool (private->database, 70);
  g_assert_cmpuint (unfreeze_database_get_n_connections (private->database), ==, 70);
  unfreeze_database_shutdown (private->database);

  fill_pool (target->database, UNFREEZE_MAX_QUERIES_AT_ONCE);
  g_assert_cmpuint (unfreeze_database_get_n_connections (target->database), ==,
                    UNFREEZE_MAX_QUERIES_AT_ONCE);
}

/* Registration ------------------------------------------------------------------------------- */

typedef enum
{
  MODES_ALL,
  MODES_NOT_BLOCKING,        /* the window can take a click while the query runs */
  MODES_WAIT_ELSEWHERE,      /* ... and the run is still in flight after the click */
} ModeSet;

static gboolean
in_set (const UnfreezeMode *mode,
        ModeSet             set)
{
  switch (set)
    {
    case MODES_ALL:
      return TRUE;
    case MODES_NOT_BLOCKING:
      /* The deadlock mode holds the main loop as long as the blocking one, and longer. */
      return !is_mode (mode, "blocking") && !is_mode (mode, "deadlock");
    case MODES_WAIT_ELSEWHERE:
      return !is_mode (mode, "blocking") && !is_mode (mode, "sleep") && !is_mode (mode, "deadlock");
    default:
      g_assert_not_reached ();
    }
}

/* The fatal-log handler is reset before each test: each test sets it again. */
typedef struct
{
  GTestDataFunc func;
  gconstpointer data;
} Case;

static GPtrArray *cases;          /* what the tests' data points to */

static void
run_case (gconstpointer data)
{
  const Case *c = data;

  g_test_log_set_fatal_handler (log_fatal_cb, NULL);
  c->func (c->data);
}

static void
add_test (const char    *path,
          gconstpointer  data,
          GTestDataFunc  func)
{
  Case *c = g_new0 (Case, 1);

  c->func = func;
  c->data = data;
  g_ptr_array_add (cases, c);
  g_test_add_data_func (path, c, run_case);
}

static void
add_for_modes (const char    *row,
               ModeSet        set,
               GTestDataFunc  func)
{
  const UnfreezeMode * const *modes;
  guint n_modes;

  modes = unfreeze_modes_get_all (&n_modes);
  for (guint i = 0; i < n_modes; i++)
    {
      g_autofree char *path = g_strdup_printf ("/unfreeze/Faults/%s/%s", row, modes[i]->id);

      if (in_set (modes[i], set))
        add_test (path, modes[i], func);
    }
}

static void
add_connect_rows (void)
{
  static const char * const rows[] = {
    "no-server-socket", "refused-tcp", "unknown-host", "wrong-password", "silent-server",
  };
  const UnfreezeMode * const *modes;
  guint n_modes;

  modes = unfreeze_modes_get_all (&n_modes);
  for (guint r = 0; r < G_N_ELEMENTS (rows); r++)
    for (guint i = 0; i < n_modes; i++)
      {
        g_autofree char *path = g_strdup_printf ("/unfreeze/Faults/%s/%s", rows[r], modes[i]->id);
        ConnectCase *c = g_new0 (ConnectCase, 1);

        c->row = rows[r];
        c->mode = modes[i];
        g_ptr_array_add (cases, c);
        add_test (path, c, test_connect_fails);
      }
}

static void
run_test_quit_while_seeding (gconstpointer data)
{
  test_quit_while_seeding ();
}

static void
run_test_big_tickers_on_request (gconstpointer data)
{
  test_big_tickers_on_request ();
}

static void
run_test_pool_sizes (gconstpointer data)
{
  test_pool_sizes ();
}

static void
run_test_old_version_replaced (gconstpointer data)
{
  test_old_version_replaced ();
}

static void
run_test_embedded_private (gconstpointer data)
{
  test_embedded_private ();
}

/* Everything this file started or made goes, even when a test failed halfway. */
static void
remove_home (void)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", home);

  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* First thing: the built-in server's cluster and socket directory live in here. */
  home = unfreeze_test_private_server_dirs ("unfreeze-faults-XXXXXX");
  unfreeze_test_unset_libpq_env (home);
  /* The fixture fills the BIG and HUGE tickers, for the huge results. */
  g_setenv ("UNFREEZE_TEST_BIG_TICKERS", "1", TRUE);

  unfreeze_test_init_display (&argc, &argv);
  g_log_set_handler ("Unfreeze-Guard", G_LOG_LEVEL_CRITICAL | G_LOG_FLAG_FATAL, log_handler_cb, NULL);
  g_log_set_handler ("Unfreeze-Server", G_LOG_LEVEL_WARNING | G_LOG_FLAG_FATAL, log_handler_cb, NULL);

  if (!unfreeze_test_fixture_setup (&error))
    {
      g_printerr ("SKIP: no PostgreSQL for this test: %s\n", error->message);
      remove_home ();
      return 77;
    }

  targets = g_ptr_array_new ();
  cases = g_ptr_array_new_with_free_func (g_free);
  connect_targets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  {
    UnfreezeDatabase *database = g_object_ref (unfreeze_test_fixture_get_database ());

    good = target_new (database);
    g_assert_no_error (good->prepare_error);
  }

  add_for_modes ("sql-error", MODES_ALL, test_sql_error);
  add_connect_rows ();
  add_for_modes ("backend-killed", MODES_ALL, test_backend_killed);
  add_for_modes ("postmaster-killed", MODES_ALL, test_postmaster_killed);
  add_for_modes ("server-stopped", MODES_ALL, test_server_stopped);
  add_for_modes ("embedded-server-stopped", MODES_ALL, test_embedded_server_stopped);
  add_for_modes ("close-mid-run", MODES_NOT_BLOCKING, test_close_mid_run);
  add_for_modes ("run-500", MODES_WAIT_ELSEWHERE, test_run_500);
  add_for_modes ("switch-mode-mid-run", MODES_WAIT_ELSEWHERE, test_switch_mode_mid_run);
  add_for_modes ("odd-values", MODES_ALL, test_odd_values);
  add_for_modes ("nulls", MODES_ALL, test_nulls);
  add_for_modes ("huge-result", MODES_ALL, test_huge_result);
  add_for_modes ("never-idle", MODES_ALL, test_never_idle);
  add_for_modes ("app-quit-mid-run", MODES_NOT_BLOCKING, test_app_quit_mid_run);
  add_test ("/unfreeze/Faults/quit-while-seeding", NULL, run_test_quit_while_seeding);
  add_test ("/unfreeze/Faults/big-tickers-on-request", NULL, run_test_big_tickers_on_request);
  add_test ("/unfreeze/Faults/old-version-replaced", NULL, run_test_old_version_replaced);
  add_test ("/unfreeze/Faults/security/embedded-private", NULL, run_test_embedded_private);
  add_test ("/unfreeze/Faults/pool-sizes", NULL, run_test_pool_sizes);

  status = g_test_run ();

  /* The fixture's database is good's: both go with the fixture. */
  for (guint i = 0; i < targets->len; i++)
    {
      Target *target = g_ptr_array_index (targets, i);

      if (target != good)
        target_free (target);
    }
  g_clear_pointer (&targets, g_ptr_array_unref);
  g_clear_pointer (&connect_targets, g_hash_table_unref);
  g_clear_pointer (&cases, g_ptr_array_unref);
  if (good != NULL)
    target_free (good);
  if (scratch_server != NULL)
    unfreeze_local_server_stop (scratch_server);
  g_clear_object (&scratch_server);
  g_clear_object (&silent_socket);
  unfreeze_test_fixture_teardown ();
  remove_home ();
  g_free (home);
  g_free (scratch_link);
  g_free (scratch_conninfo);

  return status;
}
