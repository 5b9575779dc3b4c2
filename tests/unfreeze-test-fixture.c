/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include "unfreeze-test-fixture.h"

#include <glib/gstdio.h>

static char *tmpdir;
static UnfreezeLocalServer *server;
static UnfreezeDatabase *database;
static char *conninfo;

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
unfreeze_test_wait_for (gboolean *flag,
                        guint     timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);

  return *flag;
}

static void
async_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

gboolean
unfreeze_test_fixture_setup (GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *data_dir = NULL;

  if (!unfreeze_local_server_check_user (geteuid (), error))
    return FALSE;

  tmpdir = g_dir_make_tmp ("unfreeze-test-XXXXXX", error);
  if (tmpdir == NULL)
    return FALSE;

  data_dir = g_build_filename (tmpdir, "data", NULL);
  server = unfreeze_local_server_new (data_dir);
  unfreeze_local_server_start_async (server, NULL, async_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!unfreeze_local_server_start_finish (server, result, error))
    return FALSE;
  g_clear_object (&result);

  conninfo = unfreeze_local_server_dup_conninfo (server);
  database = unfreeze_database_new (conninfo);
  /* The million-row tickers take seconds of a core to generate: only tests that need
   * them ask for them. */
  unfreeze_database_set_big_tickers (database, g_getenv ("UNFREEZE_TEST_BIG_TICKERS") != NULL);
  unfreeze_database_prepare_async (database, NULL, async_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return unfreeze_database_prepare_finish (database, result, error);
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
    {
      g_autofree char *command = g_strdup_printf ("rm -rf '%s'", tmpdir);

      g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
    }
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
  PGconn *conn = PQconnectdb (conninfo);
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

gboolean
unfreeze_test_timing_is_reliable (void)
{
#if defined (__SANITIZE_ADDRESS__) || defined (__SANITIZE_THREAD__)
  return FALSE;
#else
  return g_getenv ("UNFREEZE_TEST_NO_TIMING") == NULL;
#endif
}
