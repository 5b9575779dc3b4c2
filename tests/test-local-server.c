/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The built-in server on its own: it refuses to run as root, a first start makes the
 * cluster and the next reuses it, a second copy shares the server a first one runs (and
 * leaves it running), a cluster held by anything else is refused, it can be
 * stopped while it starts, and what a crashed copy left behind is swept (what belongs to a
 * running one is spared). Needs PostgreSQL's server binaries.
 */
#include "config.h"

#include "unfreeze-local-server.h"
#include "unfreeze-test-process.h"
#include "unfreeze-test.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <utime.h>

/* Holds the clusters (through XDG_CACHE_HOME) and the sockets (XDG_RUNTIME_DIR). */
static char *test_dir;

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} StartData;

static void
on_started (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  StartData *data = user_data;

  data->ok = unfreeze_local_server_start_finish (UNFREEZE_LOCAL_SERVER (source), result,
                                                 &data->error);
  data->done = TRUE;
}

static void
wait_for_start (StartData *data)
{
  /* The server bounds its own wait (30 s), so this cannot hang. */
  while (!data->done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
start_sync (UnfreezeLocalServer  *server,
            GError              **error)
{
  StartData data = { 0 };

  unfreeze_local_server_start_async (server, NULL, on_started, &data);
  wait_for_start (&data);
  if (data.error != NULL)
    g_propagate_error (error, data.error);
  return data.ok;
}

/* Starts the server, or skips the test when this system cannot run one. */
static gboolean
start_or_skip (UnfreezeLocalServer *server,
               double              *elapsed_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  gboolean ok;

  if (getuid () == 0)
    {
      g_test_skip ("PostgreSQL refuses to run as root");
      return FALSE;
    }

  ok = start_sync (server, &error);
  if (g_error_matches (error, UNFREEZE_LOCAL_SERVER_ERROR, UNFREEZE_LOCAL_SERVER_ERROR_NOT_FOUND))
    {
      g_test_skip (error->message);
      return FALSE;
    }
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (unfreeze_local_server_get_running (server));
  if (elapsed_ms != NULL)
    *elapsed_ms = g_timer_elapsed (timer, NULL) * 1000;
  return TRUE;
}

/* The first column of the first row of sql's result. */
static char *
query (UnfreezeLocalServer *server,
       const char          *sql)
{
  g_autofree char *conninfo = unfreeze_local_server_dup_conninfo (server);
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *result;
  char *value = NULL;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("Could not connect with “%s”: %s", conninfo, PQerrorMessage (conn));
  result = PQexec (conn, sql);
  if (PQresultStatus (result) == PGRES_TUPLES_OK)
    value = g_strdup (PQgetvalue (result, 0, 0));
  else if (PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("“%s” failed: %s", sql, PQerrorMessage (conn));
  PQclear (result);
  PQfinish (conn);
  return value;
}

/* @sql's one value is @expected. */
static void
assert_query (UnfreezeLocalServer *server,
              const char          *sql,
              const char          *expected)
{
  g_autofree char *value = query (server, sql);

  g_assert_cmpstr (value, ==, expected);
}

static gboolean
pid_alive (GPid pid)
{
  return kill (pid, 0) == 0 || errno != ESRCH;
}

static void
stop_and_check (UnfreezeLocalServer *server)
{
  g_autofree char *socket_dir = g_strdup (unfreeze_local_server_get_socket_dir (server));
  GPid pid = unfreeze_local_server_get_pid (server);

  g_assert_cmpint (pid, >, 0);
  g_assert_true (pid_alive (pid));

  unfreeze_local_server_stop (server);

  g_assert_false (pid_alive (pid));
  g_assert_false (g_file_test (socket_dir, G_FILE_TEST_EXISTS));
  g_assert_false (unfreeze_local_server_get_running (server));
  g_assert_null (unfreeze_local_server_get_socket_dir (server));
  g_assert_cmpint (unfreeze_local_server_get_pid (server), ==, 0);

  unfreeze_local_server_stop (server); /* idempotent */
}

static void
test_check_user (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (unfreeze_local_server_check_user (0, &error));
  g_assert_error (error, UNFREEZE_LOCAL_SERVER_ERROR, UNFREEZE_LOCAL_SERVER_ERROR_ROOT);
  g_assert_nonnull (strstr (error->message, "--connection"));
  g_clear_error (&error);

  if (getuid () != 0)
    {
      g_assert_true (unfreeze_local_server_check_user (getuid (), &error));
      g_assert_no_error (error);
    }
}

static void
test_cold_start (void)
{
  g_autoptr(UnfreezeLocalServer) server = unfreeze_local_server_new (NULL);
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "unfreeze", NULL);
  g_autofree char *pg_version = NULL;
  g_autofree char *base = NULL;
  const char *data_dir;
  const char *socket_dir;
  GStatBuf st;
  double ms;

  if (!start_or_skip (server, &ms))
    return;
  g_test_message ("cold start (initdb + start): %.0f ms", ms);
  g_assert_true (unfreeze_local_server_get_initialized (server));

  /* The default data directory: $XDG_CACHE_HOME/unfreeze/postgresql-<major> */
  data_dir = unfreeze_local_server_get_data_dir (server);
  base = g_path_get_basename (data_dir);
  g_assert_true (g_str_has_prefix (data_dir, cache));
  g_assert_true (g_str_has_prefix (base, "postgresql-"));
  g_assert_true (g_ascii_isdigit (base[strlen ("postgresql-")]));
  pg_version = g_build_filename (data_dir, "PG_VERSION", NULL);
  g_assert_true (g_file_test (pg_version, G_FILE_TEST_IS_REGULAR));

  /* A private socket directory under the runtime directory. */
  socket_dir = unfreeze_local_server_get_socket_dir (server);
  g_assert_true (g_str_has_prefix (socket_dir, g_get_user_runtime_dir ()));
  g_assert_cmpint (g_stat (socket_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (st.st_uid, ==, getuid ());

  assert_query (server, "SELECT 1", "1");
  assert_query (server, "SHOW listen_addresses", "");
  assert_query (server, "SHOW max_connections", "450");
  /* Neither JIT nor parallel workers: each would start LLVM or two more processes for every
   * one of 200 queries at once. */
  assert_query (server, "SHOW jit", "off");
  assert_query (server, "SHOW max_parallel_workers_per_gather", "0");
  assert_query (server, "SELECT current_user", "unfreeze");

  stop_and_check (server);
}

static void
test_warm_start (void)
{
  g_autoptr(UnfreezeLocalServer) server = unfreeze_local_server_new (NULL);
  g_autofree char *value = NULL;
  double ms;

  /* Initialises the cluster if this test runs alone. */
  if (!start_or_skip (server, NULL))
    return;
  g_free (query (server, "CREATE TABLE kept AS SELECT 42 AS answer"));
  stop_and_check (server);

  if (!start_or_skip (server, &ms))
    return;
  g_test_message ("warm start (existing cluster): %.0f ms", ms);
  g_assert_false (unfreeze_local_server_get_initialized (server));
  g_assert_cmpfloat (ms, <, 10000);

  value = query (server, "SELECT answer FROM kept");
  g_assert_cmpstr (value, ==, "42");
  g_free (query (server, "DROP TABLE kept"));

  stop_and_check (server);
}

static void
exited_cb (UnfreezeLocalServer *server,
           const char          *reason,
           gboolean            *exited)
{
  *exited = TRUE;
}

/* A second copy of Unfreeze finds the first one's server through postmaster.pid and shares
 * it: same socket, same postmaster. It never stops it; when the first one stops it, the
 * second hears of it as of a server that exited. */
static void
test_shared (void)
{
  g_autoptr(UnfreezeLocalServer) first = unfreeze_local_server_new (NULL);
  g_autoptr(UnfreezeLocalServer) second = unfreeze_local_server_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  g_autofree char *first_socket_dir = NULL;
  gboolean exited = FALSE;
  GPid pid;

  if (!start_or_skip (first, NULL))
    return;
  g_assert_false (unfreeze_local_server_get_shared (first));
  pid = unfreeze_local_server_get_pid (first);
  first_socket_dir = g_strdup (unfreeze_local_server_get_socket_dir (first));

  g_assert_true (start_sync (second, &error));
  g_assert_no_error (error);
  g_assert_true (unfreeze_local_server_get_running (second));
  g_assert_true (unfreeze_local_server_get_shared (second));
  g_assert_cmpint (unfreeze_local_server_get_pid (second), ==, pid);
  g_assert_cmpstr (unfreeze_local_server_get_socket_dir (second), ==, first_socket_dir);
  value = query (second, "SELECT pg_backend_pid () > 0");
  g_assert_cmpstr (value, ==, "t");
  g_clear_pointer (&value, g_free);

  /* Stopping the second lets go of the server, and nothing more. */
  unfreeze_local_server_stop (second);
  g_assert_false (unfreeze_local_server_get_running (second));
  g_assert_null (unfreeze_local_server_get_socket_dir (second));
  g_assert_true (pid_alive (pid));
  g_assert_true (g_file_test (first_socket_dir, G_FILE_TEST_IS_DIR));
  value = query (first, "SELECT 1");
  g_assert_cmpstr (value, ==, "1");

  /* Shared again; then the first copy quits. The second hears of it (it polls the pid, so
   * this waits a moment) and the next start runs a server of its own. */
  g_assert_true (start_sync (second, &error));
  g_assert_no_error (error);
  g_assert_true (unfreeze_local_server_get_shared (second));
  g_signal_connect (second, "exited", G_CALLBACK (exited_cb), &exited);
  stop_and_check (first);
  while (!exited)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (unfreeze_local_server_get_running (second));

  g_assert_true (start_or_skip (second, NULL));
  g_assert_false (unfreeze_local_server_get_shared (second));
  g_assert_cmpint (unfreeze_local_server_get_pid (second), !=, pid);
  stop_and_check (second);
}

/* A cluster held by a live process that is no server to share (its postmaster.pid names no
 * private socket directory of ours) is refused, with a message that names it. */
static void
test_in_use (void)
{
  g_autoptr(UnfreezeLocalServer) server = unfreeze_local_server_new (NULL);
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pid_file = NULL;
  g_autofree char *contents = NULL;

  /* Makes the cluster if this test runs alone. */
  if (!start_or_skip (server, NULL))
    return;
  stop_and_check (server);

  holder = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sleep", "600", NULL);
  g_assert_no_error (error);
  pid_file = g_build_filename (unfreeze_local_server_get_data_dir (server), "postmaster.pid", NULL);
  contents = g_strdup_printf ("%s\n%s\n1700000000\n5432\n/tmp\n\n  1234   5678\nready   \n",
                              g_subprocess_get_identifier (holder),
                              unfreeze_local_server_get_data_dir (server));
  g_assert_true (g_file_set_contents (pid_file, contents, -1, NULL));

  g_assert_false (start_sync (server, &error));
  g_assert_nonnull (error);
  g_test_message ("a cluster held by another process: %s", error->message);
  g_assert_error (error, UNFREEZE_LOCAL_SERVER_ERROR, UNFREEZE_LOCAL_SERVER_ERROR_IN_USE);
  g_assert_nonnull (strstr (error->message, unfreeze_local_server_get_data_dir (server)));
  g_assert_false (unfreeze_local_server_get_running (server));
  g_assert_false (unfreeze_local_server_get_shared (server));
  g_assert_null (unfreeze_local_server_get_socket_dir (server));

  g_subprocess_force_exit (holder);
  g_subprocess_wait (holder, NULL, NULL);
  g_remove (pid_file);
}

static void
test_stop_while_starting (void)
{
  g_autoptr(UnfreezeLocalServer) server = unfreeze_local_server_new (NULL);
  StartData data = { 0 };
  GPid pid;

  if (getuid () == 0)
    {
      g_test_skip ("PostgreSQL refuses to run as root");
      return;
    }

  /* Stop it as soon as the postmaster is spawned, before it can be ready. */
  unfreeze_local_server_start_async (server, NULL, on_started, &data);
  while (!data.done && unfreeze_local_server_get_pid (server) == 0)
    g_main_context_iteration (NULL, TRUE);
  if (data.done && g_error_matches (data.error, UNFREEZE_LOCAL_SERVER_ERROR,
                                    UNFREEZE_LOCAL_SERVER_ERROR_NOT_FOUND))
    {
      g_test_skip (data.error->message);
      g_clear_error (&data.error);
      return;
    }
  g_assert_false (data.done);
  pid = unfreeze_local_server_get_pid (server);

  unfreeze_local_server_stop (server);
  wait_for_start (&data);
  g_assert_false (data.ok);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&data.error);
  g_assert_false (pid_alive (pid));
  g_assert_false (unfreeze_local_server_get_running (server));
}

/* A directory made as if by g_mkdtemp(), last touched AGE_S seconds ago, holding a file
 * or not. */
static char *
make_leftover (const char *parent,
               const char *name,
               gboolean    with_file,
               int         age_s)
{
  char *path = g_build_filename (parent, name, NULL);
  struct utimbuf then = { time (NULL) - age_s, time (NULL) - age_s };

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  if (with_file)
    {
      g_autofree char *file = g_build_filename (path, "postmaster.pid", NULL);

      g_assert_true (g_file_set_contents (file, "12345\n", -1, NULL));
    }
  g_assert_cmpint (g_utime (path, &then), ==, 0);

  return path;
}

/* What killed instances leave behind is swept by the next start, but only when it is
 * surely theirs: an empty socket directory or a half-made cluster over ten minutes old. */
static void
test_stale_leftovers (void)
{
  g_autofree char *data_dir = g_build_filename (test_dir, "cache", "stale", "postgresql-15", NULL);
  g_autoptr(UnfreezeLocalServer) server = unfreeze_local_server_new (data_dir);
  const char *runtime = g_get_user_runtime_dir ();
  g_autofree char *old_empty = make_leftover (runtime, "unfreeze-Aa1Bb2", FALSE, 3600);
  g_autofree char *young_empty = make_leftover (runtime, "unfreeze-Cc3Dd4", FALSE, 10);
  g_autofree char *old_in_use = make_leftover (runtime, "unfreeze-Ee5Ff6", TRUE, 3600);
  g_autofree char *old_other = make_leftover (runtime, "unfreeze-notours", FALSE, 3600);
  g_autofree char *new_name = g_strconcat (data_dir, ".new-Gg7Hh8", NULL);
  g_autofree char *young_new_name = g_strconcat (data_dir, ".new-Ii9Jj0", NULL);
  g_autofree char *old_new = make_leftover (test_dir, new_name + strlen (test_dir) + 1, TRUE, 3600);
  g_autofree char *young_new = make_leftover (test_dir, young_new_name + strlen (test_dir) + 1, TRUE, 10);

  if (!start_or_skip (server, NULL))
    return;

  g_assert_false (g_file_test (old_empty, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (old_new, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (young_empty, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (old_in_use, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (old_other, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (young_new, G_FILE_TEST_IS_DIR));

  stop_and_check (server);
  unfreeze_remove_tree (young_empty);
  unfreeze_remove_tree (old_in_use);
  unfreeze_remove_tree (old_other);
  unfreeze_remove_tree (young_new);
}

int
main (int    argc,
      char **argv)
{
  int status;

  unfreeze_test_init (&argc, &argv);
  test_dir = unfreeze_test_private_server_dirs ("unfreeze-test-XXXXXX");

  g_test_add_func ("/unfreeze/LocalServer/check-user", test_check_user);
  g_test_add_func ("/unfreeze/LocalServer/cold-start", test_cold_start);
  g_test_add_func ("/unfreeze/LocalServer/warm-start", test_warm_start);
  g_test_add_func ("/unfreeze/LocalServer/shared", test_shared);
  g_test_add_func ("/unfreeze/LocalServer/in-use", test_in_use);
  g_test_add_func ("/unfreeze/LocalServer/stop-while-starting", test_stop_while_starting);
  g_test_add_func ("/unfreeze/LocalServer/stale-leftovers", test_stale_leftovers);

  status = g_test_run ();
  unfreeze_remove_tree (test_dir);
  g_free (test_dir);
  return status;
}
