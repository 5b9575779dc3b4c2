/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The benchmark's overhead and throughput sections: the same statement through each mode,
 * one at a time and N at once, beside pgbench running it on the same server.
 */
#define G_LOG_DOMAIN "Unfreeze-Bench"

#include "config.h"

#include "unfreeze-bench.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "unfreeze-query.h"
#include "unfreeze-stall-meter.h"
#include "unfreeze-test-fixture.h"

#define OVERHEAD_QUERIES   1000
#define OVERHEAD_WARMUP    20
#define OVERHEAD_ROUNDS    5

/* pgbench ---------------------------------------------------------------------------- */

static char *
find_pg_bindir (void)
{
  g_autofree char *in_path = g_find_program_in_path ("pgbench");
  g_autofree char *versioned = g_strdup_printf ("/usr/lib/postgresql/%d/bin", PQlibVersion () / 10000);
  const char *candidates[] = { PG_BINDIR, versioned, "/usr/lib/postgresql/15/bin" };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *pgbench = NULL;

      if (candidates[i] == NULL || candidates[i][0] == '\0')
        continue;
      pgbench = g_build_filename (candidates[i], "pgbench", NULL);
      if (g_file_test (pgbench, G_FILE_TEST_IS_EXECUTABLE))
        return g_strdup (candidates[i]);
    }

  if (in_path != NULL)
    return g_path_get_dirname (in_path);

  return NULL;
}

static void
parse_conninfo (UnfreezeBench *bench,
                const char    *conninfo)
{
  PQconninfoOption *options = PQconninfoParse (conninfo, NULL);

  for (PQconninfoOption *option = options; option != NULL && option->keyword != NULL; option++)
    {
      if (option->val == NULL)
        continue;
      if (g_str_equal (option->keyword, "host"))
        bench->pg_host = g_strdup (option->val);
      else if (g_str_equal (option->keyword, "port"))
        bench->pg_port = g_strdup (option->val);
      else if (g_str_equal (option->keyword, "user"))
        bench->pg_user = g_strdup (option->val);
      else if (g_str_equal (option->keyword, "dbname"))
        bench->pg_dbname = g_strdup (option->val);
    }

  PQconninfoFree (options);

  if (bench->pg_port == NULL)
    bench->pg_port = g_strdup ("5432");
}

/* pgbench runs the app's own statement, its parameters written in as literals. */
static gboolean
write_pgbench_script (UnfreezeBench  *bench,
                      GError        **error)
{
  g_autoptr(GString) sql = g_string_new (unfreeze_query_sql);

  g_string_replace (sql, "$1", "'" UNFREEZE_BENCH_EMPTY_TICKER "'", 0);
  g_string_replace (sql, "$2", "0", 0);
  g_string_replace (sql, "$3", "0", 0);
  g_string_replace (sql, "\n", " ", 0);
  g_string_append (sql, ";\n");

  bench->script_path = g_build_filename (unfreeze_test_fixture_get_tmpdir (), "statement.sql", NULL);

  return g_file_set_contents (bench->script_path, sql->str, -1, error);
}

void
unfreeze_bench_find_pgbench (UnfreezeBench *bench)
{
  g_autoptr(GError) error = NULL;

  parse_conninfo (bench, unfreeze_test_fixture_get_conninfo ());
  bench->pg_bindir = find_pg_bindir ();
  if (!write_pgbench_script (bench, &error))
    g_error ("%s", error->message);
}

static gboolean
run_pgbench (UnfreezeBench       *bench,
             const char * const  *extra,
             const char          *log_prefix,
             char               **out,
             GError             **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *err = NULL;
  int status = 0;

  if (bench->pg_bindir == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "pgbench not found");
      return FALSE;
    }

  g_ptr_array_add (argv, g_build_filename (bench->pg_bindir, "pgbench", NULL));
  g_ptr_array_add (argv, g_strdup ("-n"));
  g_ptr_array_add (argv, g_strdup ("--protocol=extended"));
  g_ptr_array_add (argv, g_strdup_printf ("--file=%s", bench->script_path));
  g_ptr_array_add (argv, g_strdup_printf ("--host=%s", bench->pg_host));
  g_ptr_array_add (argv, g_strdup_printf ("--port=%s", bench->pg_port));
  g_ptr_array_add (argv, g_strdup_printf ("--username=%s", bench->pg_user));
  if (log_prefix != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--log"));
      g_ptr_array_add (argv, g_strdup_printf ("--log-prefix=%s", log_prefix));
    }
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, g_strdup (bench->pg_dbname));
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     out, &err, &status, error))
    return FALSE;

  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "pgbench: %s: ", err);
      return FALSE;
    }

  return TRUE;
}

/* "tps = 1234.5 (without initial connection time)" */
static double
parse_tps (const char *out)
{
  const char *line = strstr (out, "tps = ");

  if (line == NULL)
    return NAN;

  return g_ascii_strtod (line + strlen ("tps = "), NULL);
}

/* pgbench --log: one line per transaction; the third field is its latency in µs. */
static GArray *
read_pgbench_latencies (const char *dir)
{
  GArray *latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_str_has_prefix (name, "pgbench") || !g_file_get_contents (path, &contents, NULL, NULL))
        continue;

      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);
          gint64 latency;

          if (g_strv_length (fields) < 3)
            continue;
          latency = g_ascii_strtoll (fields[2], NULL, 10);
          g_array_append_val (latencies, latency);
        }
    }

  return latencies;
}

/* Overhead --------------------------------------------------------------------------- */

static gint64
mean_of (GArray *values)
{
  gint64 sum = 0;

  for (guint i = 0; i < values->len; i++)
    sum += g_array_index (values, gint64, i);

  return values->len > 0 ? sum / values->len : 0;
}

static void
record_overhead (UnfreezeBench *bench,
                 const char    *scenario,
                 const char    *mode_id,
                 GArray        *times,
                 const char    *note)
{
  /* Every number here goes under the same section, scenario and mode. */
#define ADD(metric, value, unit, note) \
  unfreeze_bench_report_add (bench->report, "overhead", scenario, mode_id, metric, value, unit, note)

  ADD ("median_us", (double) unfreeze_bench_percentile (times, 50), "us", note);
  ADD ("p99_us", (double) unfreeze_bench_percentile (times, 99), "us", NULL);
  ADD ("mean_us", (double) mean_of (times), "us", NULL);
  ADD ("queries", times->len, "count", NULL);
#undef ADD
  fprintf (stderr, "  %-9s %-5s median %6" G_GINT64_FORMAT " µs, mean %6" G_GINT64_FORMAT " µs, p99 %6"
           G_GINT64_FORMAT " µs (%u queries)\n", mode_id, scenario, unfreeze_bench_percentile (times, 50),
           mean_of (times), unfreeze_bench_percentile (times, 99), times->len);
}

/* The same statement, one after the other, OVERHEAD_QUERIES times, by each path and by
 * pgbench. In rounds that take turns, so that whatever else the machine does at the time
 * falls on every side alike. */
void
unfreeze_bench_measure_overhead (UnfreezeBench *bench)
{
  static const char * const run_modes[] = { "blocking", "thread", "gtask", "mainloop" };
  const guint per_round = OVERHEAD_QUERIES / OVERHEAD_ROUNDS;
  g_autoptr(GArray) loop_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) run_times = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GArray) latencies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log_dir = g_build_filename (unfreeze_test_fixture_get_tmpdir (), "pgbench-log", NULL);
  g_autofree char *log_prefix = g_build_filename (log_dir, "pgbench", NULL);
  g_autofree char *transactions = g_strdup_printf ("--transactions=%u", per_round);
  g_autofree char *pgbench_error = NULL;
  const char * const pgbench_args[] = { "--client=1", transactions, NULL };

  g_mkdir_with_parents (log_dir, 0700);
  for (guint m = 0; m < G_N_ELEMENTS (run_modes); m++)
    g_ptr_array_add (run_times, g_array_new (FALSE, FALSE, sizeof (gint64)));

  for (guint round = 0; round < OVERHEAD_ROUNDS; round++)
    {
      g_autofree char *out = NULL;
      PGconn *conn;

      /* The blocking mode's own path, without the run around it: PQexecParams on one
       * connection from the pool, over and over. */
      conn = unfreeze_database_acquire (bench->database, &error);
      if (conn == NULL)
        g_error ("No connection: %s", error->message);
      for (guint i = 0; i < OVERHEAD_WARMUP + per_round; i++)
        {
          gint64 start = g_get_monotonic_time ();
          PGresult *result = unfreeze_query_exec (conn, UNFREEZE_BENCH_EMPTY_TICKER, 0.0, TRUE, &error);
          gint64 elapsed = g_get_monotonic_time () - start;

          if (result == NULL)
            g_error ("The query failed: %s", error->message);
          PQclear (result);
          if (i >= OVERHEAD_WARMUP)
            g_array_append_val (loop_times, elapsed);
        }
      unfreeze_database_release (bench->database, conn);

      /* Each mode's whole path: one run of one query, started and waited for. */
      for (guint m = 0; m < G_N_ELEMENTS (run_modes); m++)
        {
          GArray *times = g_ptr_array_index (run_times, m);

          if (!unfreeze_bench_mode_wanted (bench, run_modes[m]))
            continue;

          for (guint i = 0; i < OVERHEAD_WARMUP + per_round; i++)
            {
              UnfreezeRunResult result;
              gint64 elapsed = unfreeze_bench_run_direct (bench->database, run_modes[m],
                                                        UNFREEZE_BENCH_EMPTY_TICKER, 0.0, 1, &result);

              if (result != UNFREEZE_RUN_RESULT_OK && result != UNFREEZE_RUN_RESULT_REFUSED)
                g_error ("A %s run failed: %s", run_modes[m], unfreeze_run_result_to_string (result));
              if (i >= OVERHEAD_WARMUP)
                g_array_append_val (times, elapsed);
            }
        }

      /* The same statement by pgbench; its --log has every transaction's latency. */
      if (pgbench_error == NULL && !run_pgbench (bench, pgbench_args, log_prefix, &out, &error))
        {
          pgbench_error = g_strdup (error->message);
          g_clear_error (&error);
        }
    }

  record_overhead (bench, "loop", "blocking", loop_times,
                   "unfreeze_query_exec() (PQexecParams) in a loop on one pooled connection");
  for (guint m = 0; m < G_N_ELEMENTS (run_modes); m++)
    {
      if (unfreeze_bench_mode_wanted (bench, run_modes[m]))
        record_overhead (bench, "runs", run_modes[m], g_ptr_array_index (run_times, m),
                         "one UnfreezeRun of one query through the mode, start to \"finished\"");
    }
  if (unfreeze_bench_mode_wanted (bench, "sleep"))
    unfreeze_bench_report_add (bench->report, "overhead", "runs", "sleep", "median_us", NAN, "us",
                               "skipped: the sleep mode sleeps 2 s in every run by design");

  latencies = read_pgbench_latencies (log_dir);
  if (pgbench_error == NULL && latencies->len > 0)
    record_overhead (bench, "loop", "reference", latencies,
                     "pgbench -n -M extended -c 1 -t 200, five times between the others; median of its --log latencies");
  else
    {
      unfreeze_bench_report_add (bench->report, "overhead", "loop", "reference", "median_us", NAN, "us",
                                 pgbench_error != NULL ? pgbench_error : "pgbench wrote no latencies");
      fprintf (stderr, "  pgbench: %s\n", pgbench_error != NULL ? pgbench_error : "no latencies");
    }
}

/* Throughput ------------------------------------------------------------------------- */

/* The modes and pgbench take turns, in rounds, at each N: the machine's speed drifts over
 * tens of seconds (pgbench alone read 16,000 to 26,000 tps at N = 10 from one run of the
 * bench to the next), and a mode measured for 5 s and then pgbench for 5 s compared two
 * different machines. */
#define THROUGHPUT_ROUNDS 3

typedef struct
{
  guint64 queries;
  gint64  elapsed_us;
  guint   rounds;
  guint   threads_before;   /* of the round that added the most threads */
  guint   threads_peak;
} ModeCount;

/* Runs of @n queries at once through @mode_id, back to back, for @seconds. */
static void
count_runs (UnfreezeBench *bench,
            const char    *mode_id,
            guint          n,
            int            seconds,
            ModeCount     *count)
{
  guint64 queries_before = count->queries;
  guint threads_before, threads_peak;
  gint64 start, elapsed;

  /* Threads counted in each round: the other modes' rounds between this mode's may start
   * or end threads of their own (GTask's pool). */
  threads_before = unfreeze_stall_meter_count_threads ();
  unfreeze_bench_probes_reset_peaks (&bench->probes);
  start = g_get_monotonic_time ();
  do
    {
      unfreeze_bench_run_direct (bench->database, mode_id, UNFREEZE_BENCH_EMPTY_TICKER, 0.0, n, NULL);
      count->queries += n;
      elapsed = g_get_monotonic_time () - start;
    }
  while (elapsed < seconds * G_USEC_PER_SEC);

  count->elapsed_us += elapsed;
  count->rounds++;
  fprintf (stderr, "    %-9s N=%-3u %8.0f queries/s in this round\n", mode_id, n,
           (count->queries - queries_before) / (elapsed / (double) G_USEC_PER_SEC));
  threads_peak = MAX (unfreeze_bench_probes_get_peak_threads (&bench->probes), threads_before);
  if (count->rounds == 1 ||
      (gint64) threads_peak - threads_before > (gint64) count->threads_peak - count->threads_before)
    {
      count->threads_before = threads_before;
      count->threads_peak = threads_peak;
    }
}

void
unfreeze_bench_measure_throughput (UnfreezeBench *bench)
{
  static const char * const modes[] = { "thread", "gtask", "mainloop" };
  /* Whole seconds for pgbench's -T; the rounds together at least --seconds. */
  int round_seconds = MAX (1, (bench->seconds + THROUGHPUT_ROUNDS - 1) / THROUGHPUT_ROUNDS);

  for (guint t = 0; t < unfreeze_bench_n_throughput_n; t++)
    {
      guint n = unfreeze_bench_throughput_n[t];
      g_autofree char *scenario = g_strdup_printf ("n-%u", n);
      g_autofree char *clients = g_strdup_printf ("--client=%u", n);
      g_autofree char *jobs = g_strdup_printf ("--jobs=%u", MIN (n, 2));
      g_autofree char *seconds = g_strdup_printf ("--time=%d", round_seconds);
      g_autofree char *pgbench_error = NULL;
      const char * const pgbench_args[] = { clients, jobs, seconds, NULL };
      ModeCount counts[G_N_ELEMENTS (modes)] = { { 0 } };
      double tps_sum = 0.0;
      guint tps_rounds = 0;

      for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
        {
          if (!unfreeze_bench_mode_wanted (bench, modes[m]))
            continue;

          /* One run first, so the pool has its N connections: pgbench's connecting is not
           * counted either ("without initial connection time"). */
          unfreeze_bench_run_direct (bench->database, modes[m], UNFREEZE_BENCH_EMPTY_TICKER, 0.0, n, NULL);
        }

      for (guint round = 0; round < THROUGHPUT_ROUNDS; round++)
        {
          g_autofree char *out = NULL;
          g_autoptr(GError) error = NULL;

          for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
            {
              if (unfreeze_bench_mode_wanted (bench, modes[m]))
                count_runs (bench, modes[m], n, round_seconds, &counts[m]);
            }

          /* pgbench counts its connecting inside -T: on a loaded machine 50 connections can
           * take all of it, and it prints "tps = nan". Such a round is left out. */
          if (pgbench_error != NULL)
            continue;
          if (!run_pgbench (bench, pgbench_args, NULL, &out, &error))
            pgbench_error = g_strdup (error->message);
          else if (!isnan (parse_tps (out)))
            {
              tps_sum += parse_tps (out);
              tps_rounds++;
              fprintf (stderr, "    pgbench   N=%-3u %8.0f tps in this round\n", n, parse_tps (out));
            }
          else
            fprintf (stderr, "    pgbench   N=%-3u no tps in round %u: %s\n", n, round + 1, out);
        }

      for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
        {
          double qps;

          if (!unfreeze_bench_mode_wanted (bench, modes[m]))
            continue;

          qps = counts[m].queries / (counts[m].elapsed_us / (double) G_USEC_PER_SEC);
          unfreeze_bench_report_add (bench->report, "throughput", scenario, modes[m], "queries_per_s",
                                     qps, "1/s",
                                     "runs of N queries at once, back to back, through the mode; "
                                     "in rounds that take turns with the other modes and pgbench");
          unfreeze_bench_report_add (bench->report, "throughput", scenario, modes[m], "threads_before",
                                     counts[m].threads_before, "count", NULL);
          unfreeze_bench_report_add (bench->report, "throughput", scenario, modes[m], "threads_peak",
                                     counts[m].threads_peak, "count", NULL);
          fprintf (stderr, "  %-9s N=%-3u %8.0f queries/s  threads %u→%u\n", modes[m], n, qps,
                   counts[m].threads_before, counts[m].threads_peak);
        }

      if (pgbench_error != NULL)
        unfreeze_bench_report_add (bench->report, "throughput", scenario, "reference", "queries_per_s",
                                   NAN, "1/s", pgbench_error);
      else
        {
          double tps = tps_rounds > 0 ? tps_sum / tps_rounds : NAN;
          g_autofree char *note = NULL;

          if (tps_rounds > 0)
            note = g_strdup_printf ("pgbench -n -M extended -c N -j 2 -T %d in each round, tps without "
                                    "initial connection time; the mean of %u rounds", round_seconds, tps_rounds);
          else
            note = g_strdup ("pgbench printed no tps in any round");
          unfreeze_bench_report_add (bench->report, "throughput", scenario, "reference", "queries_per_s",
                                     tps, "1/s", note);
          fprintf (stderr, "  pgbench   N=%-3u %8.0f tps (mean of %u rounds)\n", n, tps, tps_rounds);
        }
    }
}
