/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The benchmark's results, targets and machine lines, and the JSON and CSV written from
 * them (the Markdown table is in unfreeze-bench-table.c).
 */
#define G_LOG_DOMAIN "Unfreeze-Bench"

#include "config.h"

#include "unfreeze-bench-report.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>

/* The report's own copy of @text (NULL stays NULL), kept until the report is freed. */
static const char *
keep (UnfreezeBenchReport *report,
      const char          *text)
{
  return text != NULL ? g_string_chunk_insert_const (report->strings, text) : NULL;
}

UnfreezeBenchReport *
unfreeze_bench_report_new (void)
{
  UnfreezeBenchReport *report = g_new0 (UnfreezeBenchReport, 1);

  report->strings = g_string_chunk_new (4096);
  report->results = g_ptr_array_new_with_free_func (g_free);
  report->targets = g_ptr_array_new_with_free_func (g_free);
  report->machine = g_ptr_array_new ();
  report->timings = g_ptr_array_new_with_free_func (g_free);

  return report;
}

void
unfreeze_bench_report_free (UnfreezeBenchReport *report)
{
  g_ptr_array_unref (report->results);
  g_ptr_array_unref (report->targets);
  g_ptr_array_unref (report->machine);
  g_ptr_array_unref (report->timings);
  g_string_chunk_free (report->strings);
  g_free (report);
}

void
unfreeze_bench_report_add_result (UnfreezeBenchReport       *report,
                                  const UnfreezeBenchResult *result)
{
  UnfreezeBenchResult *copy = g_new0 (UnfreezeBenchResult, 1);

  copy->section = keep (report, result->section);
  copy->scenario = keep (report, result->scenario);
  copy->mode = keep (report, result->mode);
  copy->metric = keep (report, result->metric);
  copy->value = result->value;
  copy->unit = keep (report, result->unit);
  copy->note = keep (report, result->note);
  g_ptr_array_add (report->results, copy);
}

const UnfreezeBenchResult *
unfreeze_bench_report_find (UnfreezeBenchReport *report,
                            const char          *scenario,
                            const char          *mode,
                            const char          *metric)
{
  for (guint i = 0; i < report->results->len; i++)
    {
      const UnfreezeBenchResult *result = g_ptr_array_index (report->results, i);

      if (g_str_equal (result->scenario, scenario) &&
          g_str_equal (result->mode, mode) &&
          g_str_equal (result->metric, metric))
        return result;
    }

  return NULL;
}

double
unfreeze_bench_report_get (UnfreezeBenchReport *report,
                           const char          *scenario,
                           const char          *mode,
                           const char          *metric)
{
  const UnfreezeBenchResult *result = unfreeze_bench_report_find (report, scenario, mode, metric);

  return result != NULL ? result->value : NAN;
}

void
unfreeze_bench_report_add_target (UnfreezeBenchReport *report,
                                  const char          *id,
                                  const char          *label,
                                  const char          *mode,
                                  const char          *verdict,
                                  const char          *reason)
{
  UnfreezeBenchTarget *target = g_new0 (UnfreezeBenchTarget, 1);

  target->id = keep (report, id);
  target->label = keep (report, label);
  target->mode = keep (report, mode);
  target->verdict = keep (report, verdict);
  target->reason = keep (report, reason);
  g_ptr_array_add (report->targets, target);
}

const UnfreezeBenchTarget *
unfreeze_bench_report_find_target (UnfreezeBenchReport *report,
                                   const char          *id,
                                   const char          *mode)
{
  for (guint i = 0; i < report->targets->len; i++)
    {
      const UnfreezeBenchTarget *target = g_ptr_array_index (report->targets, i);

      if (g_str_equal (target->id, id) && g_str_equal (target->mode, mode))
        return target;
    }

  return NULL;
}

void
unfreeze_bench_report_add_machine (UnfreezeBenchReport *report,
                                   const char          *key,
                                   const char          *value)
{
  g_ptr_array_add (report->machine, (gpointer) keep (report, key));
  g_ptr_array_add (report->machine, (gpointer) keep (report, value != NULL ? value : "unknown"));
}

void
unfreeze_bench_report_add_timing (UnfreezeBenchReport *report,
                                  const char          *section,
                                  gint64               elapsed_us)
{
  UnfreezeBenchTiming *timing = g_new0 (UnfreezeBenchTiming, 1);

  timing->section = keep (report, section);
  /* Tenths of a second are all a section's time means. */
  timing->seconds = round (elapsed_us / (double) G_USEC_PER_SEC * 10.0) / 10.0;
  g_ptr_array_add (report->timings, timing);
  fprintf (stderr, "[%s: %.1f s]\n", section, elapsed_us / (double) G_USEC_PER_SEC);
}

/* JSON -------------------------------------------------------------------------------- */

/* A number, null when it could not be measured; whole numbers (counts) as integers. */
static void
add_number (JsonBuilder *builder,
            double       value)
{
  if (isnan (value) || isinf (value))
    json_builder_add_null_value (builder);
  else if (value == trunc (value) && fabs (value) < 1e15)
    json_builder_add_int_value (builder, (gint64) value);
  else
    json_builder_add_double_value (builder, value);
}

/* A member whose value is a string, or null. */
static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* A member of the JSON objects written for results and targets: its name, and where its
 * value is in the struct. Each is a string but "value", the result's number. */
typedef struct
{
  const char *name;
  gsize       offset;
} Member;

#define RESULT_MEMBER(field) { #field, G_STRUCT_OFFSET (UnfreezeBenchResult, field) }
#define TARGET_MEMBER(name, field) { name, G_STRUCT_OFFSET (UnfreezeBenchTarget, field) }

static const Member result_members[] = {
  RESULT_MEMBER (section), RESULT_MEMBER (scenario), RESULT_MEMBER (mode), RESULT_MEMBER (metric),
  RESULT_MEMBER (value), RESULT_MEMBER (unit), RESULT_MEMBER (note),
};

static const Member target_members[] = {
  TARGET_MEMBER ("id", id), TARGET_MEMBER ("target", label), TARGET_MEMBER ("mode", mode),
  TARGET_MEMBER ("verdict", verdict), TARGET_MEMBER ("reason", reason),
};

/* @records (results or targets) as an array of objects with @members. */
static void
add_records (JsonBuilder  *builder,
             GPtrArray    *records,
             const Member *members,
             guint         n_members)
{
  json_builder_begin_array (builder);
  for (guint i = 0; i < records->len; i++)
    {
      const char *record = g_ptr_array_index (records, i);

      json_builder_begin_object (builder);
      for (guint m = 0; m < n_members; m++)
        {
          gconstpointer field = record + members[m].offset;

          if (g_str_equal (members[m].name, "value"))
            {
              json_builder_set_member_name (builder, members[m].name);
              add_number (builder, *(const double *) field);
            }
          else
            add_string_member (builder, members[m].name, *(const char * const *) field);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

char *
unfreeze_bench_report_to_json (UnfreezeBenchReport *report,
                               const char          *table)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "machine");
  json_builder_begin_object (builder);
  for (guint i = 0; i + 1 < report->machine->len; i += 2)
    add_string_member (builder, g_ptr_array_index (report->machine, i),
                       g_ptr_array_index (report->machine, i + 1));
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "timings_s");
  json_builder_begin_object (builder);
  for (guint i = 0; i < report->timings->len; i++)
    {
      const UnfreezeBenchTiming *timing = g_ptr_array_index (report->timings, i);

      json_builder_set_member_name (builder, timing->section);
      add_number (builder, timing->seconds);
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "results");
  add_records (builder, report->results, result_members, G_N_ELEMENTS (result_members));
  json_builder_set_member_name (builder, "targets");
  add_records (builder, report->targets, target_members, G_N_ELEMENTS (target_members));
  add_string_member (builder, "table", table);

  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json = json_generator_to_data (generator, NULL);

  return g_strconcat (json, "\n", NULL);
}

/* CSV --------------------------------------------------------------------------------- */

static void
csv_field (GString    *out,
           const char *text)
{
  g_autoptr(GString) quoted = NULL;

  if (text == NULL)
    return;

  quoted = g_string_new (text);
  g_string_replace (quoted, "\"", "\"\"", 0);
  g_string_append_printf (out, "\"%s\"", quoted->str);
}

char *
unfreeze_bench_report_to_csv (UnfreezeBenchReport *report)
{
  GString *out = g_string_new ("section,scenario,mode,metric,value,unit,note\n");

  for (guint i = 0; i < report->results->len; i++)
    {
      const UnfreezeBenchResult *r = g_ptr_array_index (report->results, i);
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (out, "%s,%s,%s,%s,", r->section, r->scenario, r->mode, r->metric);
      if (!isnan (r->value) && !isinf (r->value))
        g_string_append (out, g_ascii_formatd (buffer, sizeof buffer, "%.10g", r->value));
      g_string_append_printf (out, ",%s,", r->unit != NULL ? r->unit : "");
      csv_field (out, r->note);
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}
