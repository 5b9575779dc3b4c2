/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * unfreeze-bench: measured, not claimed.
 *
 * Drives the real window (the same UnfreezeWindow the app shows, with its frame clock
 * running) against a real, throwaway PostgreSQL started with the app's own code, and
 * measures what the README says: how long the main loop stalls in each mode, what one query
 * costs beside pgbench, how many queries a second each mode gets through, what a query in
 * flight costs in threads and memory, how a million-row result arrives, and how long the
 * app takes to start. It prints one table (Markdown) on stdout, progress on stderr, and
 * writes the same numbers as JSON (and CSV on request).
 *
 * This is not a test: nothing here asserts a time. Each target is marked met or not met,
 * with the numbers that decided it. Run it as an unprivileged user (PostgreSQL refuses
 * root) under a display; see bench/README.md for what each number means.
 *
 * The program's parts: unfreeze-bench-report.c (results, targets, JSON and CSV) and
 * unfreeze-bench-table.c (the Markdown), unfreeze-bench-probes.c (main loop, sampler,
 * memory, threads, stall samples), unfreeze-bench-window.c (the window scenarios, quiet and
 * under load), unfreeze-bench-throughput.c (overhead and throughput beside pgbench),
 * unfreeze-bench-startup.c, unfreeze-bench-targets.c, and this file: the scenarios, the
 * set-up and main(). One UnfreezeBench context is passed to each of them.
 */
#define G_LOG_DOMAIN "Unfreeze-Bench"

#include "config.h"

#include "unfreeze-bench.h"

#include <adwaita.h>
#include <gtksourceview/gtksource.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "unfreeze-renderer.h"
#include "unfreeze-resources.h"
#include "unfreeze-test-fixture.h"
#include "unfreeze-ui-guard.h"

const UnfreezeBenchScenario unfreeze_bench_scenarios[] = {
  { "delay-2s", "1 query, 2 s server delay", UNFREEZE_BENCH_SMALL_TICKER, 2.0, 1 },
  { "at-once-1", "1 at once, 1 s delay", UNFREEZE_BENCH_SMALL_TICKER, 1.0, 1 },
  { "at-once-10", "10 at once, 1 s delay", UNFREEZE_BENCH_SMALL_TICKER, 1.0, 10 },
  { "at-once-50", "50 at once, 1 s delay", UNFREEZE_BENCH_SMALL_TICKER, 1.0, 50 },
  { "at-once-200", "200 at once, 1 s delay", UNFREEZE_BENCH_SMALL_TICKER, 1.0, 200 },
  { "huge", "1,000,000 rows (HUGE), delay 0", UNFREEZE_BENCH_HUGE_TICKER, 0.0, 1 },
};
const guint unfreeze_bench_n_scenarios = G_N_ELEMENTS (unfreeze_bench_scenarios);

const UnfreezeBenchScenario unfreeze_bench_drop_scenario = {
  "huge-next-run", "next Run after 1,000,000 rows", UNFREEZE_BENCH_EMPTY_TICKER, 0.0, 1
};

const char * const unfreeze_bench_loaded_scenarios[] = { "delay-2s", "at-once-200", "huge" };
const guint unfreeze_bench_n_loaded_scenarios = G_N_ELEMENTS (unfreeze_bench_loaded_scenarios);

const guint unfreeze_bench_throughput_n[] = { 1, 10, 50 };
const guint unfreeze_bench_n_throughput_n = G_N_ELEMENTS (unfreeze_bench_throughput_n);

const UnfreezeBenchScenario *
unfreeze_bench_find_scenario (const char *name)
{
  for (guint s = 0; s < unfreeze_bench_n_scenarios; s++)
    {
      if (g_str_equal (unfreeze_bench_scenarios[s].name, name))
        return &unfreeze_bench_scenarios[s];
    }

  g_assert_not_reached ();
}

/* @item is in the comma-separated @list; every item is, without a list. */
static gboolean
in_list (const char *list,
         const char *item)
{
  g_auto(GStrv) wanted = NULL;

  if (list == NULL)
    return TRUE;

  wanted = g_strsplit (list, ",", -1);
  return g_strv_contains ((const char * const *) wanted, item);
}

gboolean
unfreeze_bench_section_wanted (UnfreezeBench *bench,
                               const char    *section)
{
  return in_list (bench->sections, section);
}

gboolean
unfreeze_bench_mode_wanted (UnfreezeBench *bench,
                            const char    *mode_id)
{
  return unfreeze_modes_lookup (mode_id) != NULL && in_list (bench->modes, mode_id);
}

/* The machine is shared: how busy it was is part of every number. */
char *
unfreeze_bench_read_loadavg (void)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &contents, NULL, NULL))
    return NULL;

  return g_strstrip (g_strndup (contents, strcspn (contents, "\n")));
}

/* Setup ------------------------------------------------------------------------------ */

static gboolean
exec_sql (const char  *sql,
          GError     **error)
{
  PGconn *conn = PQconnectdb (unfreeze_test_fixture_get_conninfo ());
  PGresult *result = NULL;
  gboolean ok;

  ok = PQstatus (conn) == CONNECTION_OK;
  if (ok)
    {
      result = PQexec (conn, sql);
      ok = PQresultStatus (result) == PGRES_COMMAND_OK || PQresultStatus (result) == PGRES_TUPLES_OK;
    }
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", sql, PQerrorMessage (conn));

  g_clear_pointer (&result, PQclear);
  PQfinish (conn);

  return ok;
}

/* The database fills the big tickers on a thread of its own after it is prepared. */
gboolean
unfreeze_bench_wait_for_big_tickers (const char *conninfo)
{
  gint64 deadline = g_get_monotonic_time () + UNFREEZE_BENCH_BIG_TICKERS_TIMEOUT_S * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *n = unfreeze_test_query_value_on (conninfo, "SELECT count(*) FROM unfreeze_dataset "
                                                                   "WHERE name = 'big-v2'");

      if (g_strcmp0 (n, "1") == 0)
        return TRUE;
      unfreeze_bench_iterate_for (250);
    }

  return FALSE;
}

static void
describe_machine (UnfreezeBench *bench)
{
  g_autofree char *loadavg = unfreeze_bench_read_loadavg ();
  g_autofree char *cpuinfo = NULL;
  g_autofree char *cpu = NULL;
  g_autofree char *cores = g_strdup_printf ("%u", g_get_num_processors ());
  g_autofree char *gtk = g_strdup_printf ("%u.%u.%u", gtk_get_major_version (),
                                          gtk_get_minor_version (), gtk_get_micro_version ());
  g_autofree char *libpq = g_strdup_printf ("%d", PQlibVersion ());
  g_autofree char *server = unfreeze_test_query_value ("SHOW server_version");
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format_iso8601 (now);
  g_autofree char *renderer = unfreeze_renderer_dup_description (GTK_WIDGET (bench->window));
  struct utsname uts;

  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    {
      const char *line = strstr (cpuinfo, "model name");
      const char *colon = line != NULL ? strchr (line, ':') : NULL;

      if (colon != NULL)
        cpu = g_strstrip (g_strndup (colon + 1, strcspn (colon + 1, "\n")));
    }

  unfreeze_bench_report_add_machine (bench->report, "date", date);
  unfreeze_bench_report_add_machine (bench->report, "cpu", cpu);
  unfreeze_bench_report_add_machine (bench->report, "cores", cores);
  if (uname (&uts) == 0)
    unfreeze_bench_report_add_machine (bench->report, "kernel", uts.release);
  unfreeze_bench_report_add_machine (bench->report, "display", gdk_display_get_name (gdk_display_get_default ()));
  unfreeze_bench_report_add_machine (bench->report, "renderer", renderer);
  unfreeze_bench_report_add_machine (bench->report, "GSK_RENDERER",
                                     bench->user_gsk_renderer != NULL ? bench->user_gsk_renderer
                                                                      : "not set (the app chooses)");
  unfreeze_bench_report_add_machine (bench->report, "gtk", gtk);
  unfreeze_bench_report_add_machine (bench->report, "libpq", libpq);
  unfreeze_bench_report_add_machine (bench->report, "server", server);
  unfreeze_bench_report_add_machine (bench->report, "user", g_get_user_name ());
  unfreeze_bench_report_add_machine (bench->report, "loadavg_at_start", loadavg);
  fprintf (stderr, "Load average at the start: %s\n", loadavg);
}

/* Main ------------------------------------------------------------------------------- */

static void
run_section (UnfreezeBench *bench,
             const char    *section,
             const char    *progress,
             void         (*measure) (UnfreezeBench *bench))
{
  gint64 start;

  if (!unfreeze_bench_section_wanted (bench, section))
    return;

  fprintf (stderr, "%s\n", progress);
  start = g_get_monotonic_time ();
  measure (bench);
  unfreeze_bench_report_add_timing (bench->report, section, g_get_monotonic_time () - start);
}

/* A throwaway PostgreSQL, with the big tickers, and pgbench for it. Returns the exit code
 * when it could not be set up: 77 (skip) as root. */
static int
setup_server (UnfreezeBench *bench)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_setenv ("UNFREEZE_TEST_BIG_TICKERS", "1", TRUE);
  if (!unfreeze_test_fixture_setup (&error))
    {
      gboolean root = g_error_matches (error, UNFREEZE_LOCAL_SERVER_ERROR, UNFREEZE_LOCAL_SERVER_ERROR_ROOT);

      fprintf (stderr, "%s: %s\n", root ? "SKIP" : "ERROR", error->message);
      unfreeze_test_fixture_teardown ();
      return root ? 77 : 1;
    }
  bench->database = unfreeze_test_fixture_get_database ();
  /* Measured as users launch the app: on a server of its own, like the built-in one. */
  unfreeze_database_set_private_server (bench->database, TRUE);
  fprintf (stderr, "Waiting for the big tickers (1,150,000 rows)…\n");
  if (!unfreeze_bench_wait_for_big_tickers (unfreeze_test_fixture_get_conninfo ()))
    g_error ("The big tickers were not generated within %d s", UNFREEZE_BENCH_BIG_TICKERS_TIMEOUT_S);
  /* Settle the freshly written table once, so autovacuum does not wake up mid-benchmark. */
  if (!exec_sql ("VACUUM ANALYZE stock_prices", &error))
    g_error ("%s", error->message);
  unfreeze_bench_find_pgbench (bench);
  unfreeze_bench_report_add_timing (bench->report, "setup", g_get_monotonic_time () - start);

  return 0;
}

/* The table on stdout and beside the JSON, the JSON, and the CSV on request. */
static void
write_results (UnfreezeBench *bench)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *table = unfreeze_bench_report_build_table (bench->report);
  g_autofree char *json = unfreeze_bench_report_to_json (bench->report, table);
  g_autofree char *table_path = NULL;

  fputs (table, stdout);
  fflush (stdout);

  if (!g_file_set_contents (bench->json_path, json, -1, &error))
    {
      fprintf (stderr, "Could not write %s: %s\n", bench->json_path, error->message);
      g_clear_error (&error);
    }
  else
    {
      fprintf (stderr, "Results: %s\n", bench->json_path);
    }

  /* The table alone, beside the JSON, ready to paste into bench/README.md. */
  table_path = g_str_has_suffix (bench->json_path, ".json")
               ? g_strdup_printf ("%.*s.md", (int) strlen (bench->json_path) - 5, bench->json_path)
               : g_strconcat (bench->json_path, ".md", NULL);
  g_file_set_contents (table_path, table, -1, NULL);

  if (bench->csv_path != NULL)
    {
      g_autofree char *csv = unfreeze_bench_report_to_csv (bench->report);

      if (!g_file_set_contents (bench->csv_path, csv, -1, &error))
        fprintf (stderr, "Could not write %s: %s\n", bench->csv_path, error->message);
    }
}

int
main (int   argc,
      char *argv[])
{
  UnfreezeBench bench_data = { .seconds = 5 };
  UnfreezeBench *bench = &bench_data;
  char ** const strings[] = {
    &bench->json_path, &bench->csv_path, &bench->sections, &bench->modes, &bench->user_gsk_renderer,
    &bench->pg_bindir, &bench->pg_host, &bench->pg_port, &bench->pg_user, &bench->pg_dbname,
    &bench->script_path,
  };
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &bench->json_path,
      "Write the results as JSON to FILE (default: results.json in the build's bench directory)", "FILE" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &bench->csv_path, "Also write the results as CSV to FILE", "FILE" },
    { "sections", 0, 0, G_OPTION_ARG_STRING, &bench->sections,
      "Only these sections: responsiveness,loaded,overhead,throughput,startup (default: all)", "LIST" },
    { "modes", 0, 0, G_OPTION_ARG_STRING, &bench->modes,
      "Only these modes, comma-separated (default: every mode the app has)", "LIST" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &bench->seconds, "Seconds per throughput measurement, in 3 rounds of whole seconds (default: 5)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- measure the modes of Unfreeze");
  g_autoptr(GError) error = NULL;
  g_autoptr(UnfreezeBenchReport) report = unfreeze_bench_report_new ();
  gint64 started = g_get_monotonic_time ();
  int code;

  /* First thing: remember which thread is the UI thread (see unfreeze-ui-guard.c). */
  unfreeze_ui_guard_init ();

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (bench->json_path == NULL)
    bench->json_path = g_strdup (UNFREEZE_BENCH_JSON);

  /* The same environment as the tests and `meson test --benchmark`, when run directly;
   * but the renderer is the one the app picks by itself (below), unless GSK_RENDERER is
   * set. The start-ups run the real program, which the tests' helpers find here. */
  g_setenv ("GTK_A11Y", "none", FALSE);
  g_setenv ("NO_AT_BRIDGE", "1", FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  if (UNFREEZE_BENCH_SCHEMA_DIR[0] != '\0')
    g_setenv ("GSETTINGS_SCHEMA_DIR", UNFREEZE_BENCH_SCHEMA_DIR, FALSE);
  g_setenv ("UNFREEZE_BINARY", UNFREEZE_BENCH_BINARY, TRUE);

  /* Numbers in the table and the JSON use a dot, whatever the user's locale. The output
   * is UTF-8 written as it is, with stdio: g_print() would turn µ and × into '?' in the C
   * locale. */
  gtk_disable_setlocale ();
  if (!gtk_init_check ())
    {
      fprintf (stderr, "SKIP: no display (run under Xvfb, e.g. xvfb-run)\n");
      return 77;
    }
  bench->user_gsk_renderer = g_strdup (g_getenv ("GSK_RENDERER"));
  unfreeze_renderer_choose (gdk_display_get_default ());
  adw_init ();
  gtk_source_init ();
  unfreeze_register_resource ();

  bench->report = report;
  g_mutex_init (&bench->refusal_lock);
  unfreeze_bench_probes_init (&bench->probes);

  code = setup_server (bench);
  if (code != 0)
    {
      unfreeze_bench_probes_clear (&bench->probes);
      return code;
    }

  unfreeze_bench_open_window (bench);
  unfreeze_bench_probes_start_collecting (&bench->probes);
  describe_machine (bench);
  unfreeze_bench_iterate_for (1000);

  run_section (bench, "responsiveness", "Responsiveness, big result, cost per query in flight…",
               unfreeze_bench_measure_responsiveness);
  run_section (bench, "loaded", "Responsiveness under load…", unfreeze_bench_measure_loaded);
  run_section (bench, "overhead", "Overhead…", unfreeze_bench_measure_overhead);
  run_section (bench, "throughput", "Throughput…", unfreeze_bench_measure_throughput);
  run_section (bench, "startup", "Start-up…", unfreeze_bench_measure_startup);

  {
    g_autofree char *loadavg = unfreeze_bench_read_loadavg ();

    unfreeze_bench_report_add_machine (bench->report, "loadavg_at_end", loadavg);
    fprintf (stderr, "Load average at the end: %s\n", loadavg);
  }

  unfreeze_bench_judge (bench);
  unfreeze_bench_report_add_timing (bench->report, "total", g_get_monotonic_time () - started);
  write_results (bench);

  unfreeze_bench_close_window (bench);
  unfreeze_test_fixture_teardown ();
  unfreeze_bench_probes_clear (&bench->probes);
  g_mutex_clear (&bench->refusal_lock);
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    g_clear_pointer (strings[i], g_free);

  return 0;
}
