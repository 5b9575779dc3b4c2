/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "unfreeze-bench-probes.h"
#include "unfreeze-bench-report.h"
#include "unfreeze-database.h"
#include "unfreeze-window.h"

G_BEGIN_DECLS

/* Set by meson: the real program for the start-up measurements, the schemas it runs with
 * uninstalled, and where the results go by default. */
#ifndef UNFREEZE_BENCH_BINARY
# define UNFREEZE_BENCH_BINARY ""
#endif
#ifndef UNFREEZE_BENCH_SCHEMA_DIR
# define UNFREEZE_BENCH_SCHEMA_DIR ""
#endif
#ifndef UNFREEZE_BENCH_JSON
# define UNFREEZE_BENCH_JSON "results.json"
#endif

#define UNFREEZE_BENCH_SMALL_TICKER "MSFT"
#define UNFREEZE_BENCH_HUGE_TICKER  "HUGE"
#define UNFREEZE_BENCH_EMPTY_TICKER "NONE"   /* no such ticker: the demo statement, no rows */

#define UNFREEZE_BENCH_BIG_TICKERS_TIMEOUT_S 600
/* The loaded variant: one busy process per core, at the lowest priority; its scenarios are
 * named with this prefix. */
#define UNFREEZE_BENCH_LOAD_NICE     19
#define UNFREEZE_BENCH_LOADED_PREFIX "loaded-"
#define UNFREEZE_BENCH_IDLE_MS       3000   /* how long the idle window is measured */

typedef struct
{
  const char *name;
  const char *label;
  const char *ticker;
  double      delay;
  guint       count;
} UnfreezeBenchScenario;

/* The runs through the window, in the order they run and are shown. */
extern const UnfreezeBenchScenario unfreeze_bench_scenarios[];
extern const guint                 unfreeze_bench_n_scenarios;
/* After the million rows: the next Run drops them. */
extern const UnfreezeBenchScenario unfreeze_bench_drop_scenario;
/* Under load (--sections=loaded): the scenarios that show each kind of work, once each, so
 * the section stays about a minute. */
extern const char * const          unfreeze_bench_loaded_scenarios[];
extern const guint                 unfreeze_bench_n_loaded_scenarios;
/* The N of the throughput runs. */
extern const guint                 unfreeze_bench_throughput_n[];
extern const guint                 unfreeze_bench_n_throughput_n;

const UnfreezeBenchScenario *unfreeze_bench_find_scenario (const char *name);

/* The benchmark's context: its options, what it drives, and what it found. */
typedef struct
{
  /* Options */
  char                *json_path;
  char                *csv_path;
  char                *sections;
  char                *modes;
  int                  seconds;
  /* GSK_RENDERER as the user gave it, before the app's own choice (which sets it in this
   * process) ran; NULL when unset. */
  char                *user_gsk_renderer;

  UnfreezeBenchReport *report;
  UnfreezeBenchProbes  probes;

  UnfreezeDatabase    *database;
  UnfreezeWindow      *window;
  char                *pg_bindir;
  char                *pg_host;
  char                *pg_port;
  char                *pg_user;
  char                *pg_dbname;
  char                *script_path;   /* the demo statement for pgbench */

  /* What the window's signals and the UI-thread guard said during a run. */
  gboolean             rows_armed;
  gint64               rows_shown_us;
  gint64               painted_us;
  gint                 refusals;        /* atomic: the UI-thread guard's reports */
  GMutex               refusal_lock;
  gint64               last_refusal_us; /* under refusal_lock: when the guard last refused */
} UnfreezeBench;

/* The section is wanted in this run (--sections). */
gboolean unfreeze_bench_section_wanted (UnfreezeBench *bench,
                                        const char    *section);
/* The mode is in the app, and wanted in this run (--modes). */
gboolean unfreeze_bench_mode_wanted    (UnfreezeBench *bench,
                                        const char    *mode_id);
/* The load averages, as /proc/loadavg has them. */
char    *unfreeze_bench_read_loadavg   (void);
/* Polls the server at @conninfo until the database's big tickers are generated. */
gboolean unfreeze_bench_wait_for_big_tickers (const char *conninfo);

/* The window and its scenarios (unfreeze-bench-window.c). */
void     unfreeze_bench_open_window             (UnfreezeBench *bench);
void     unfreeze_bench_close_window            (UnfreezeBench *bench);
void     unfreeze_bench_measure_responsiveness  (UnfreezeBench *bench);
void     unfreeze_bench_measure_loaded          (UnfreezeBench *bench);

/* Overhead and throughput, beside pgbench (unfreeze-bench-throughput.c). */
void     unfreeze_bench_find_pgbench            (UnfreezeBench *bench);
void     unfreeze_bench_measure_overhead        (UnfreezeBench *bench);
void     unfreeze_bench_measure_throughput      (UnfreezeBench *bench);

/* Start-up of the real program (unfreeze-bench-startup.c). */
void     unfreeze_bench_measure_startup         (UnfreezeBench *bench);

/* Every target, judged on the report (unfreeze-bench-targets.c). */
void     unfreeze_bench_judge                   (UnfreezeBench *bench);

G_END_DECLS
