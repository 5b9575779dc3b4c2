/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The comparison: for each run, in the mode list's order, its stall strip (the main loop's
 * latency while it ran) above its thread lanes, all on one time scale, from the run's
 * start to the end of the longest run; below them, a table of the runs' figures. The
 * charts are the window's own (UnfreezeStallGraph with the run's samples, UnfreezeTimeline
 * with a common scale): the freeze, the refusal, the lost race and the smooth runs are
 * drawn the way a single run is.
 */
#define G_LOG_DOMAIN "Unfreeze-Comparison"

#include "config.h"

#include "unfreeze-comparison-view.h"

#include <glib/gi18n.h>

#include "unfreeze-compare.h"
#include "unfreeze-mode.h"
#include "unfreeze-stall-graph.h"
#include "unfreeze-timeline.h"

/* The charts' heights, in the window and in an exported picture (the widgets' units). */
#define GRAPH_HEIGHT    56
#define TIMELINE_HEIGHT 84
/* The common scale reaches a little past the longest run: the end of a freeze is drawn
 * after the run (the heartbeat that was late runs once the main loop is free). */
#define SCALE_TAIL_US   (250 * 1000)
/* Between the lane names and the time axis. */
#define LABEL_GAP       16

typedef struct
{
  UnfreezeRun        *run;
  GArray             *samples;
  UnfreezeStallGraph *graph;
  UnfreezeTimeline   *timeline;
} Entry;

struct _UnfreezeComparisonView
{
  AdwBin      parent_instance;

  GtkLabel   *heading;
  GtkGrid    *multiples;   /* per run: its name and result above its graph over its timeline */
  GtkGrid    *table;
  GArray     *entries;     /* of Entry */
  gint64      scale_us;
};

G_DEFINE_FINAL_TYPE (UnfreezeComparisonView, unfreeze_comparison_view, ADW_TYPE_BIN)

static void
entry_clear (gpointer data)
{
  Entry *entry = data;

  g_clear_object (&entry->run);
  g_clear_pointer (&entry->samples, g_array_unref);
  g_clear_object (&entry->graph);
  g_clear_object (&entry->timeline);
}

/* A run's result in words, as the table shows it. */
static const char *
result_label (UnfreezeRunResult result)
{
  switch (result)
    {
    case UNFREEZE_RUN_RESULT_OK:        return C_("result", "ok");
    case UNFREEZE_RUN_RESULT_ERROR:     return C_("result", "error");
    case UNFREEZE_RUN_RESULT_REFUSED:   return C_("result", "refused");
    case UNFREEZE_RUN_RESULT_CANCELLED: return C_("result", "cancelled");
    case UNFREEZE_RUN_RESULT_DEADLOCK:  return C_("result", "deadlock");
    case UNFREEZE_RUN_RESULT_NONE:
    default:                            return C_("result", "running");
    }
}

static char *
dup_result_text (UnfreezeRun *run)
{
  if (unfreeze_compare_run_is_expected (run))
    return g_strdup (result_label (unfreeze_run_get_result (run)));

  /* Translators: a run's result that is not the one its mode is meant to have */
  return g_strdup_printf (_("%s (unexpected)"), result_label (unfreeze_run_get_result (run)));
}

static char *
dup_ms (gint64 us)
{
  g_autofree char *count = unfreeze_format_count (us / 1000);

  /* Translators: milliseconds in the comparison's table */
  return g_strdup_printf (_("%s ms"), count);
}

/* The table's cells for @run, in the columns' order; NULL-terminated. */
static char **
dup_cells (UnfreezeRun *run)
{
  GPtrArray *cells = g_ptr_array_new ();

  g_ptr_array_add (cells, g_strdup (_(unfreeze_run_get_mode (run)->title)));
  g_ptr_array_add (cells, dup_ms (unfreeze_run_get_elapsed_us (run)));
  g_ptr_array_add (cells, dup_ms (unfreeze_run_get_longest_stall_us (run)));
  g_ptr_array_add (cells, unfreeze_format_count (unfreeze_run_get_frames_missed (run)));
  /* Input wait only where the user typed or clicked during the run. */
  if (unfreeze_run_get_n_inputs (run) > 0)
    g_ptr_array_add (cells, dup_ms (unfreeze_run_get_input_wait_max_us (run)));
  else
    g_ptr_array_add (cells, g_strdup ("—"));
  g_ptr_array_add (cells, unfreeze_format_count (unfreeze_run_get_threads_peak (run)));
  g_ptr_array_add (cells, unfreeze_format_count (unfreeze_run_get_connections_peak (run)));
  g_ptr_array_add (cells, dup_result_text (run));
  g_ptr_array_add (cells, NULL);

  return (char **) g_ptr_array_free (cells, FALSE);
}

static const char *
column_title (guint column)
{
  static const char * const titles[] = {
    N_("Mode"),
    N_("Elapsed"),
    N_("Longest stall"),
    N_("Frames missed"),
    N_("Input wait"),
    N_("Threads at peak"),
    N_("Connections at peak"),
    N_("Result"),
  };

  g_assert (column < G_N_ELEMENTS (titles));
  return _(titles[column]);
}

#define N_COLUMNS 8

static void
attach_cell (GtkGrid    *grid,
             const char *text,
             guint       column,
             guint       row,
             gboolean    heading,
             gboolean    error)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), column == 0 ? 0 : 1);
  /* "Connections at peak" and "Offload the computing" on two lines: the table stays narrow
   * enough for the window's content beside the controls. */
  if (heading || column == 0)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), heading ? 8 : 20);
    }
  if (heading)
    {
      gtk_label_set_justify (GTK_LABEL (label), column == 0 ? GTK_JUSTIFY_LEFT : GTK_JUSTIFY_RIGHT);
      gtk_widget_set_valign (label, GTK_ALIGN_END);
      gtk_widget_add_css_class (label, "heading");
    }
  else if (column > 0)
    gtk_widget_add_css_class (label, "numeric");
  if (error)
    gtk_widget_add_css_class (label, "error");
  gtk_grid_attach (grid, label, column, row, 1, 1);
}

static void
remove_children (GtkGrid *grid)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (grid))) != NULL)
    gtk_grid_remove (grid, child);
}

static void
add_table_header (UnfreezeComparisonView *self)
{
  for (guint column = 0; column < N_COLUMNS; column++)
    attach_cell (self->table, column_title (column), column, 0, TRUE, FALSE);
}

/* Where the charts' time axis begins: after the timeline's widest lane name, the main
 * thread's, in the widget's font (the text size may change). */
static double
plot_x (UnfreezeComparisonView *self)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self),
                                                                  _("Main (UI) thread"));
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);

  return width + LABEL_GAP;
}

/* Every chart on the same scale: to the end of the longest run, from the same x. */
static void
update_scale (UnfreezeComparisonView *self)
{
  gint64 longest_us = 0;
  double x = plot_x (self);

  for (guint i = 0; i < self->entries->len; i++)
    longest_us = MAX (longest_us, unfreeze_run_get_elapsed_us (g_array_index (self->entries, Entry, i).run));
  self->scale_us = longest_us + SCALE_TAIL_US;

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = &g_array_index (self->entries, Entry, i);

      unfreeze_stall_graph_set_history (entry->graph, entry->samples,
                                        unfreeze_run_get_start_us (entry->run), self->scale_us, x);
      unfreeze_timeline_set_scale (entry->timeline, self->scale_us, x);
    }
}

/* "3. Main loop: ok" */
static char *
dup_caption (UnfreezeRun *run,
             guint        index)
{
  g_autofree char *result = dup_result_text (run);

  return g_strdup_printf ("%u. %s: %s", index + 1, _(unfreeze_run_get_mode (run)->title), result);
}

/**
 * unfreeze_comparison_view_add_run:
 * @samples: (element-type UnfreezeStallSample): the heartbeat's samples during @run
 *
 * Adds a finished run below the others, and a row to the table.
 */
void
unfreeze_comparison_view_add_run (UnfreezeComparisonView *self,
                                  UnfreezeRun            *run,
                                  GArray                 *samples)
{
  g_auto(GStrv) cells = NULL;
  g_autofree char *caption = NULL;
  Entry entry = { 0 };
  GtkWidget *label;
  GtkWidget *charts;
  guint row;
  gboolean expected;

  g_return_if_fail (UNFREEZE_IS_COMPARISON_VIEW (self));
  g_return_if_fail (UNFREEZE_IS_RUN (run));
  g_return_if_fail (samples != NULL);

  row = self->entries->len;
  expected = unfreeze_compare_run_is_expected (run);

  entry.run = g_object_ref (run);
  entry.samples = g_array_ref (samples);
  entry.graph = g_object_ref_sink (UNFREEZE_STALL_GRAPH (unfreeze_stall_graph_new ()));
  entry.timeline = g_object_ref_sink (UNFREEZE_TIMELINE (unfreeze_timeline_new ()));
  unfreeze_stall_graph_set_run (entry.graph, run);
  unfreeze_timeline_set_run (entry.timeline, run);
  gtk_widget_set_size_request (GTK_WIDGET (entry.graph), -1, GRAPH_HEIGHT);
  gtk_widget_set_size_request (GTK_WIDGET (entry.timeline), -1, TIMELINE_HEIGHT);
  gtk_widget_set_hexpand (GTK_WIDGET (entry.graph), TRUE);
  g_array_append_val (self->entries, entry);

  caption = dup_caption (run, row);
  label = gtk_label_new (caption);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, row > 0 ? 12 : 0);
  gtk_widget_add_css_class (label, "heading");
  if (!expected)
    gtk_widget_add_css_class (label, "error");
  /* The caption above its charts, which get the whole width (as in the exported picture). */
  gtk_grid_attach (self->multiples, label, 0, 2 * row, 1, 1);

  charts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_box_append (GTK_BOX (charts), GTK_WIDGET (entry.graph));
  gtk_box_append (GTK_BOX (charts), GTK_WIDGET (entry.timeline));
  gtk_grid_attach (self->multiples, charts, 0, 2 * row + 1, 1, 1);

  cells = dup_cells (run);
  for (guint column = 0; column < N_COLUMNS; column++)
    attach_cell (self->table, cells[column], column, row + 1, FALSE,
                 column == N_COLUMNS - 1 && !expected);

  update_scale (self);
}

/* Empties the view for a new comparison. */
void
unfreeze_comparison_view_clear (UnfreezeComparisonView *self,
                                const char             *heading)
{
  g_return_if_fail (UNFREEZE_IS_COMPARISON_VIEW (self));

  remove_children (self->multiples);
  remove_children (self->table);
  g_array_set_size (self->entries, 0);
  add_table_header (self);
  unfreeze_comparison_view_set_heading (self, heading);
}

void
unfreeze_comparison_view_set_heading (UnfreezeComparisonView *self,
                                      const char             *heading)
{
  g_return_if_fail (UNFREEZE_IS_COMPARISON_VIEW (self));

  gtk_label_set_text (self->heading, heading != NULL ? heading : "");
}

guint
unfreeze_comparison_view_get_n_runs (UnfreezeComparisonView *self)
{
  g_return_val_if_fail (UNFREEZE_IS_COMPARISON_VIEW (self), 0);

  return self->entries->len;
}

/**
 * unfreeze_comparison_view_dup_export:
 *
 * The comparison as a picture: the heading, each run's caption, stall strip and lanes,
 * then one line of figures per run.
 *
 * Returns: (transfer full) (nullable): %NULL while the view shows no run
 */
UnfreezeExport *
unfreeze_comparison_view_dup_export (UnfreezeComparisonView *self)
{
  g_autoptr(UnfreezeExport) export = NULL;

  g_return_val_if_fail (UNFREEZE_IS_COMPARISON_VIEW (self), NULL);

  if (self->entries->len == 0)
    return NULL;

  export = unfreeze_export_new (GTK_WIDGET (self));
  unfreeze_export_add_title (export, _("Comparison"));
  unfreeze_export_add_text (export, gtk_label_get_text (self->heading));

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = &g_array_index (self->entries, Entry, i);
      g_autofree char *caption = dup_caption (entry->run, i);

      unfreeze_export_add_chart (export, caption, UNFREEZE_CHART (entry->graph), GRAPH_HEIGHT);
      unfreeze_export_add_chart (export, NULL, UNFREEZE_CHART (entry->timeline), TIMELINE_HEIGHT);
    }

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = &g_array_index (self->entries, Entry, i);
      g_auto(GStrv) cells = dup_cells (entry->run);
      GString *line = g_string_new (cells[0]);

      for (guint column = 1; column < N_COLUMNS; column++)
        g_string_append_printf (line, " · %s %s", column_title (column), cells[column]);
      unfreeze_export_add_text (export, line->str);
      g_string_free (line, TRUE);
    }

  return g_steal_pointer (&export);
}

static void
unfreeze_comparison_view_dispose (GObject *object)
{
  UnfreezeComparisonView *self = UNFREEZE_COMPARISON_VIEW (object);

  adw_bin_set_child (ADW_BIN (self), NULL);
  g_clear_pointer (&self->entries, g_array_unref);

  G_OBJECT_CLASS (unfreeze_comparison_view_parent_class)->dispose (object);
}

static void
unfreeze_comparison_view_class_init (UnfreezeComparisonViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = unfreeze_comparison_view_dispose;
}

static void
unfreeze_comparison_view_init (UnfreezeComparisonView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *table_scroller;

  self->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (self->entries, entry_clear);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 12);

  self->heading = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->heading, 0);
  gtk_label_set_wrap (self->heading, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->heading), "title-4");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->heading));

  self->multiples = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_row_spacing (self->multiples, 4);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->multiples));

  self->table = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_row_spacing (self->table, 4);
  gtk_grid_set_column_spacing (self->table, 10);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->table),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Comparison of the modes"),
                                  -1);
  /* Only the table scrolls sideways when the window is narrow: the charts shrink to fit, and
   * the comparison never widens the window (nor folds its controls away). */
  table_scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (table_scroller), GTK_POLICY_AUTOMATIC,
                                  GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (table_scroller), TRUE);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (table_scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (table_scroller), GTK_WIDGET (self->table));
  gtk_box_append (GTK_BOX (box), table_scroller);
  add_table_header (self);

  adw_bin_set_child (ADW_BIN (self), box);
}

GtkWidget *
unfreeze_comparison_view_new (void)
{
  return g_object_new (UNFREEZE_TYPE_COMPARISON_VIEW, NULL);
}
