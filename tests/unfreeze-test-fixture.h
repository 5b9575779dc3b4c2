/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A throwaway PostgreSQL for a test, started with the app's own UnfreezeLocalServer.
 */
#pragma once

#include "unfreeze-database.h"
#include "unfreeze-local-server.h"
#include "unfreeze-rows.h"

G_BEGIN_DECLS

/* A real, throwaway PostgreSQL for a test program, started with the same code the app
 * uses (UnfreezeLocalServer) in a private temporary directory, and a database on it with
 * the demo data. Returns FALSE (and the test program should skip) when no server can run
 * here, e.g. as root. */
gboolean          unfreeze_test_fixture_setup        (GError     **error);
/* The same for a test program's main(): where no server can run, says why and exits with
 * 77, which meson counts as a skip. */
void              unfreeze_test_fixture_setup_or_skip (void);
void              unfreeze_test_fixture_teardown     (void);
UnfreezeDatabase *unfreeze_test_fixture_get_database (void);
const char       *unfreeze_test_fixture_get_conninfo (void);
const char       *unfreeze_test_fixture_get_tmpdir   (void);
/* Starts the app's own server on @data_dir and prepares the database on it (with the
 * million-row tickers if @big_tickers), as the fixture does; the benchmark also uses it on
 * the app's own cluster. On failure *@server_out may be set, to be stopped. */
gboolean          unfreeze_test_start_server         (const char           *data_dir,
                                                      gboolean              big_tickers,
                                                      UnfreezeLocalServer **server_out,
                                                      UnfreezeDatabase    **database_out,
                                                      GError              **error);

/* Iterates the default main context until *flag is TRUE or @timeout_ms passes. */
gboolean          unfreeze_test_wait_for             (gboolean    *flag,
                                                      guint        timeout_ms);
/* Runs one SQL statement on a fresh connection to the fixture's server (or to
 * @server_conninfo's) and returns the first value. */
char             *unfreeze_test_query_value          (const char  *sql);
char             *unfreeze_test_query_value_on       (const char  *server_conninfo,
                                                      const char  *sql);
/* The demo table's number of rows for @ticker on the fixture's server. */
/* Runs a statement that returns no rows (or rows nobody reads) on a fresh connection. */
void              unfreeze_test_exec_on              (const char  *server_conninfo,
                                                      const char  *sql);
guint             unfreeze_test_expected_rows        (const char  *ticker);
/* @rows are all of @ticker's, in date order (checked on a sample). */
void              unfreeze_test_assert_rows_are      (UnfreezeRows *rows,
                                                      const char   *ticker);
/* Queries of ours (application_name=Unfreeze) the fixture's server is running now. */
guint             unfreeze_test_count_active_queries (void);

G_END_DECLS
