/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One number. value is NAN when it could not be measured; note then says why. */
typedef struct
{
  const char *section;
  const char *scenario;
  const char *mode;
  const char *metric;
  double      value;
  const char *unit;
  const char *note;
} UnfreezeBenchResult;

/* A target of issue 12, judged on the results. */
typedef struct
{
  const char *id;
  const char *label;
  const char *mode;
  const char *verdict;   /* "met", "not met" or "not judged" */
  const char *reason;
} UnfreezeBenchTarget;

typedef struct
{
  const char *section;
  double      seconds;
} UnfreezeBenchTiming;

/* Everything the benchmark found, in the order it was found: what the table, the JSON and
 * the CSV are written from. Every string in it is the report's own, in @strings. */
typedef struct
{
  GStringChunk *strings;
  GPtrArray *results;   /* UnfreezeBenchResult */
  GPtrArray *targets;   /* UnfreezeBenchTarget */
  GPtrArray *machine;   /* "key", "value", …: strings */
  GPtrArray *timings;   /* UnfreezeBenchTiming */
} UnfreezeBenchReport;

UnfreezeBenchReport       *unfreeze_bench_report_new          (void);
void                       unfreeze_bench_report_free         (UnfreezeBenchReport *report);

/* Copies @result, its strings too, into the report. */
void                       unfreeze_bench_report_add_result   (UnfreezeBenchReport       *report,
                                                               const UnfreezeBenchResult *result);
const UnfreezeBenchResult *unfreeze_bench_report_find         (UnfreezeBenchReport *report,
                                                               const char          *scenario,
                                                               const char          *mode,
                                                               const char          *metric);
/* The value, or NAN when there is none. */
double                     unfreeze_bench_report_get          (UnfreezeBenchReport *report,
                                                               const char          *scenario,
                                                               const char          *mode,
                                                               const char          *metric);

void                       unfreeze_bench_report_add_target   (UnfreezeBenchReport *report,
                                                               const char          *id,
                                                               const char          *label,
                                                               const char          *mode,
                                                               const char          *verdict,
                                                               const char          *reason);
const UnfreezeBenchTarget *unfreeze_bench_report_find_target  (UnfreezeBenchReport *report,
                                                               const char          *id,
                                                               const char          *mode);

/* A line about the machine; NULL reads "unknown". */
void                       unfreeze_bench_report_add_machine  (UnfreezeBenchReport *report,
                                                               const char          *key,
                                                               const char          *value);
/* How long a section took; also printed as progress. */
void                       unfreeze_bench_report_add_timing   (UnfreezeBenchReport *report,
                                                               const char          *section,
                                                               gint64               elapsed_us);

/* The machine's lines and the Markdown table (unfreeze-bench-table.c). */
char                      *unfreeze_bench_report_build_table  (UnfreezeBenchReport *report);
/* Everything, and @table, as JSON. */
char                      *unfreeze_bench_report_to_json      (UnfreezeBenchReport *report,
                                                               const char          *table);
/* The results, one line each. */
char                      *unfreeze_bench_report_to_csv       (UnfreezeBenchReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UnfreezeBenchReport, unfreeze_bench_report_free)

/* One number; value NAN when it could not be measured, and then note says why. */
static inline void
unfreeze_bench_report_add (UnfreezeBenchReport *report,
                           const char          *section,
                           const char          *scenario,
                           const char          *mode,
                           const char          *metric,
                           double               value,
                           const char          *unit,
                           const char          *note)
{
  const UnfreezeBenchResult result = { section, scenario, mode, metric, value, unit, note };

  unfreeze_bench_report_add_result (report, &result);
}

G_END_DECLS
