/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tests' own throwaway PostgreSQL (started with the app's UnfreezeLocalServer in a
 * temporary directory, stopped at exit), the UnfreezeDatabase on it, and waits that end a
 * hung test (longer under the checkers).
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include "unfreeze-test-fixture.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "unfreeze-test-process.h"
#include "unfreeze-test.h"

static char *tmpdir;
static UnfreezeLocalServer *server;
static UnfreezeDatabase *database;
static char *conninfo;

/* How much longer a wait may take under a checker (see unfreeze_test_wait_for()). */
#define CHECKER_SLOWDOWN 5

gboolean
unfreeze_test_wait_for (gboolean *flag,
                        guint     timeout_ms)
{
  /* Under the checkers (Valgrind, the sanitizers) everything runs many times slower: the
   * bound is there to end a hung test, not to time a working one. */
  if (!unfreeze_test_timing_is_reliable ())
    timeout_ms = MIN (timeout_ms, G_MAXUINT / CHECKER_SLOWDOWN) * CHECKER_SLOWDOWN;

  return unfreeze_test_iterate_until (unfreeze_test_flag_is_set, flag, timeout_ms);
}

gboolean
unfreeze_test_start_server (const char           *data_dir,
                            gboolean              big_tickers,
                            UnfreezeLocalServer **server_out,
                            UnfreezeDatabase    **database_out,
                            GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *server_conninfo = NULL;

  *server_out = unfreeze_local_server_new (data_dir);
  unfreeze_local_server_start_async (*server_out, NULL, unfreeze_test_async_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!unfreeze_local_server_start_finish (*server_out, result, error))
    return FALSE;
  g_clear_object (&result);

  server_conninfo = unfreeze_local_server_dup_conninfo (*server_out);
  *database_out = unfreeze_database_new (server_conninfo);
  unfreeze_database_set_big_tickers (*database_out, big_tickers);
  unfreeze_database_prepare_async (*database_out, NULL, unfreeze_test_async_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return unfreeze_database_prepare_finish (*database_out, result, error);
}

gboolean
unfreeze_test_fixture_setup (GError **error)
{
  g_autofree char *data_dir = NULL;
  gboolean ready;

  if (!unfreeze_local_server_check_user (geteuid (), error))
    return FALSE;

  tmpdir = g_dir_make_tmp ("unfreeze-test-XXXXXX", error);
  if (tmpdir == NULL)
    return FALSE;

  /* The million-row tickers take seconds of a core to generate: only tests that need
   * them ask for them. */
  data_dir = g_build_filename (tmpdir, "data", NULL);
  ready = unfreeze_test_start_server (data_dir, g_getenv ("UNFREEZE_TEST_BIG_TICKERS") != NULL,
                                      &server, &database, error);
  if (database != NULL)
    conninfo = unfreeze_local_server_dup_conninfo (server);

  return ready;
}

void
unfreeze_test_fixture_setup_or_skip (void)
{
  g_autoptr(GError) error = NULL;

  if (!unfreeze_test_fixture_setup (&error))
    {
      g_printerr ("SKIP: no PostgreSQL for this test: %s\n", error->message);
      exit (77);
    }
}

void
unfreeze_test_fixture_teardown (void)
{
  if (database != NULL)
    unfreeze_database_shutdown (database);
  g_clear_object (&database);
  if (server != NULL)
    unfreeze_local_server_stop (server);
  g_clear_object (&server);
  g_clear_pointer (&conninfo, g_free);

  if (tmpdir != NULL)
    g_assert_true (unfreeze_test_remove_tree (tmpdir));
  g_clear_pointer (&tmpdir, g_free);
}

UnfreezeDatabase *
unfreeze_test_fixture_get_database (void)
{
  return database;
}

const char *
unfreeze_test_fixture_get_conninfo (void)
{
  return conninfo;
}

const char *
unfreeze_test_fixture_get_tmpdir (void)
{
  return tmpdir;
}

char *
unfreeze_test_query_value (const char *sql)
{
  return unfreeze_test_query_value_on (conninfo, sql);
}

char *
unfreeze_test_query_value_on (const char *server_conninfo,
                              const char *sql)
{
  PGconn *conn = PQconnectdb (server_conninfo);
  PGresult *result;
  char *value = NULL;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  result = PQexec (conn, sql);
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  if (PQntuples (result) > 0)
    value = g_strdup (PQgetvalue (result, 0, 0));
  PQclear (result);
  PQfinish (conn);

  return value;
}

void
unfreeze_test_exec_on (const char *server_conninfo,
                       const char *sql)
{
  PGconn *conn = PQconnectdb (server_conninfo);
  PGresult *result;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  result = PQexec (conn, sql);
  if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  PQclear (result);
  PQfinish (conn);
}

guint
unfreeze_test_expected_rows (const char *ticker)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM stock_prices WHERE ticker = '%s'", ticker);
  g_autofree char *value = unfreeze_test_query_value (sql);

  return (guint) g_ascii_strtoull (value, NULL, 10);
}

void
unfreeze_test_assert_rows_are (UnfreezeRows *rows,
                               const char   *ticker)
{
  guint n = unfreeze_rows_get_n_rows (rows);

  g_assert_cmpuint (n, ==, unfreeze_test_expected_rows (ticker));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, n);
  for (guint i = 0; i < n; i += 97)
    {
      g_autoptr(UnfreezeRow) row = g_list_model_get_item (G_LIST_MODEL (rows), i);

      g_assert_cmpstr (unfreeze_row_get_value (row, UNFREEZE_COLUMN_TICKER), ==, ticker);
      if (i > 0)
        g_assert_cmpstr (unfreeze_rows_get_value (rows, i - 1, UNFREEZE_COLUMN_TIME), <,
                         unfreeze_rows_get_value (rows, i, UNFREEZE_COLUMN_TIME));
    }
}

guint
unfreeze_test_count_active_queries (void)
{
  /* Our connections say application_name=Unfreeze; the checking one does not. */
  g_autofree char *value =
    unfreeze_test_query_value ("SELECT count(*) FROM pg_stat_activity "
                               " WHERE application_name = 'Unfreeze' AND state <> 'idle'"
                               "   AND pid <> pg_backend_pid()");

  return (guint) g_ascii_strtoull (value, NULL, 10);
}
