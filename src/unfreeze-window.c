/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The main window: the modes, the query's parameters, Run, the rows, the status line, the
 * message panel, and things that move on every frame so a freeze is plain to see.
 *
 * The window knows a mode only through UnfreezeMode. It shows what a run reports through
 * the run's signals (progress, rows, error, refused, finished), which all arrive on the
 * main thread: the UI-thread guard in UnfreezeRun makes sure of it.
 */
#define G_LOG_DOMAIN "Unfreeze-Window"

#include "config.h"

#include "unfreeze-window.h"

#include <glib/gi18n.h>

#include "unfreeze-compare.h"
#include "unfreeze-comparison-view.h"
#include "unfreeze-database.h"
#include "unfreeze-export.h"
#include "unfreeze-input-meter.h"
#include "unfreeze-mode.h"
#include "unfreeze-motion.h"
#include "unfreeze-reveal-model.h"
#include "unfreeze-source-view.h"
#include "unfreeze-stall-graph.h"
#include "unfreeze-stall-meter.h"
#include "unfreeze-timeline.h"
#include "unfreeze-ui-guard.h"

/* A run whose rows are being put on screen is held no longer than this: a window that stops
 * drawing (minimised) must not keep a run from finishing. Seconds, not one: the table takes
 * its rows a few per frame, and with 200 queries ending around them on a busy machine that
 * took up to 3.1 s (bench/README.md, runs K); under AddressSanitizer, longer. */
#define HOLD_MAX_MS 10000

/* A cell's padding and a little air, beside its widest text (see update_column_widths()). */
#define COLUMN_PADDING_PX 14

/* The stall graph's height in an exported picture, in the widgets' units (unfreeze-export.c
 * draws them larger): taller than in the window, where it shares the live strip. */
#define EXPORT_GRAPH_HEIGHT 150

/* How often the live counters (threads, connections, queries in flight) refresh. */
#define COUNTERS_INTERVAL_MS 250

struct _UnfreezeWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  AdwFlap              *flap;
  GtkButton            *header_run_button;
  GtkLabel             *counters_label;
  AdwViewStack         *view_stack;
  GtkScrolledWindow    *timeline_scroller;
  UnfreezeSourceView   *source_view;
  GtkBox               *live_box;
  UnfreezeTimeline     *timeline;
  UnfreezeStallGraph   *graph;
  GtkListBox           *modes_list;
  GtkEntry             *ticker_entry;
  GtkSpinButton        *delay_spin;
  GtkSpinButton        *count_spin;
  GtkSpinButton        *cpu_spin;
  GtkButton            *run_button;
  AdwViewStackPage     *comparison_page;
  UnfreezeComparisonView *comparison_view;
  GtkLabel             *status_label;
  GtkButton            *big_tickers_button;
  GtkInscription       *clock_label;
  GtkColumnView        *column_view;
  GtkTextView          *messages_view;

  UnfreezeDatabase     *database;
  GBinding             *big_tickers_binding;
  const UnfreezeMode   *mode;
  UnfreezeRun          *run;            /* the one in flight, or the last */
  UnfreezeCompare      *compare;        /* the comparison in flight, or the last */
  gint64                run_finished_us;
  GtkNoSelection       *selection;
  UnfreezeRevealModel  *reveal;      /* the selection's model: the rows, a few per frame */
  UnfreezeInputMeter   *input_meter; /* how long the user's key presses and clicks waited */
  guint                 column_font_hash;   /* the font the column widths were set for */
  UnfreezeRun          *held_run;    /* its finish waits until the table has its rows */
  guint                 hold_timeout_id;
  guint                 tick_id;
  GdkFrameClock        *frame_clock;   /* weak: the one after_paint_cb() is connected to */
  gint64                frame_start_us;  /* when this frame's tick began */
  /* How long the next frame may spend taking in new rows (or letting old ones go). Laying
   * them out and drawing them comes on top within the same frame, and costs more than making
   * them (perf: about 0.4 ms a row to make, 1.5 ms a row in all), so the budget follows what
   * whole frames cost: see unfreeze_reveal_model_next_budget(). */
  gint64                reveal_budget_us;
  gboolean              revealed_in_frame;  /* this frame's tick took in or let go rows */
  guint                 counters_id;
  gboolean              database_ready;
  GtkFileChooserNative *export_chooser;   /* while it is open */
  GCancellable         *export_cancellable; /* while a picture is being written ... */
  char                 *export_path;        /* ... to there */
  double                zoom;
  GtkCssProvider       *zoom_css;
};

G_DEFINE_FINAL_TYPE (UnfreezeWindow, unfreeze_window, ADW_TYPE_APPLICATION_WINDOW)

static void update_run_action (UnfreezeWindow *self);

/* Messages --------------------------------------------------------------------------- */

/* Every run adds four or five lines, and a presenter leaves the app open all day: the panel
 * keeps the last lines only, or its buffer (and the view's layout of it) grows without end. */
static void
trim_messages (GtkTextBuffer *buffer)
{
  int excess = gtk_text_buffer_get_line_count (buffer) - UNFREEZE_WINDOW_MAX_MESSAGE_LINES;
  GtkTextIter start, cut;

  if (excess <= 0)
    return;

  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_get_iter_at_line (buffer, &cut, excess);
  gtk_text_buffer_delete (buffer, &start, &cut);
}

static void
append_message (UnfreezeWindow *self,
                const char     *text,
                gboolean        is_error)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->messages_view);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S.%f");
  g_autofree char *line = NULL;
  GtkTextIter end;

  /* %f gives microseconds; milliseconds are enough. */
  stamp[12] = '\0';
  line = g_strdup_printf ("%s%s  %s", gtk_text_buffer_get_char_count (buffer) > 0 ? "\n" : "",
                          stamp, text);

  gtk_text_buffer_get_end_iter (buffer, &end);
  if (is_error)
    gtk_text_buffer_insert_with_tags_by_name (buffer, &end, line, -1, "error", NULL);
  else
    gtk_text_buffer_insert (buffer, &end, line, -1);
  trim_messages (buffer);

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_view_scroll_to_iter (self->messages_view, &end, 0.0, FALSE, 0.0, 1.0);
}

char *
unfreeze_window_dup_messages (UnfreezeWindow *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (UNFREEZE_IS_WINDOW (self), NULL);

  buffer = gtk_text_view_get_buffer (self->messages_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* The run's signals: all on the main thread ------------------------------------------ */

static void
run_progress_cb (UnfreezeWindow *self,
                 const char     *text,
                 UnfreezeRun    *run)
{
  /* Progress can still trickle in after the run ended: it must not replace the outcome. */
  if (!unfreeze_run_get_finished (run))
    gtk_label_set_text (self->status_label, text);
  append_message (self, text, FALSE);
}

/* The run's rows enter the table over the next frames: the run finishes (and measures)
 * only once they are in. Only while the window draws: without frames nothing comes in. */
static void
release_run (UnfreezeWindow *self)
{
  g_clear_handle_id (&self->hold_timeout_id, g_source_remove);
  if (self->held_run != NULL)
    {
      g_autoptr(UnfreezeRun) run = g_steal_pointer (&self->held_run);

      unfreeze_run_release (run);
    }
}

static gboolean
hold_timeout_cb (gpointer user_data)
{
  UnfreezeWindow *self = user_data;

  self->hold_timeout_id = 0;
  release_run (self);
  return G_SOURCE_REMOVE;
}

static void
hold_run (UnfreezeWindow *self,
          UnfreezeRun    *run)
{
  release_run (self);
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || unfreeze_reveal_model_is_settled (self->reveal))
    return;

  self->held_run = g_object_ref (run);
  unfreeze_run_hold (run);
  self->hold_timeout_id = g_timeout_add (HOLD_MAX_MS, hold_timeout_cb, self);
}

/* The table is to show @rows (or nothing). A change of result costs more in its first frame
 * than the frames before it, which the budget followed: the first frame of a new result
 * makes the table's row widgets, the first frame of an emptied table tears the old ones
 * down. So the budget starts at the least, and grows back as frames turn out cheap
 * (bench/README.md, runs L and M: the stalls over 16.7 ms sat in those first frames). The
 * same rows, grown, go on at the budget they had. */
static void
show_rows (UnfreezeWindow *self,
           GListModel     *rows)
{
  if (unfreeze_reveal_model_get_model (self->reveal) != rows)
    self->reveal_budget_us = UNFREEZE_REVEAL_MODEL_BUDGET_MIN_US;
  unfreeze_reveal_model_set_model (self->reveal, rows);
}

static void
run_rows_cb (UnfreezeWindow *self,
             UnfreezeRows   *rows,
             UnfreezeRun    *run)
{
  show_rows (self, G_LIST_MODEL (rows));
  hold_run (self, run);
}

static void
run_error_cb (UnfreezeWindow *self,
              const GError   *error,
              UnfreezeRun    *run)
{
  append_message (self, error->message, TRUE);
}

static void
run_refused_cb (UnfreezeWindow *self,
                const char     *refusal,
                UnfreezeRun    *run)
{
  append_message (self, refusal, TRUE);
  append_message (self,
                  _("That check is Unfreeze's own: GTK has none. Without it, the same update "
                    "would race with the main loop and corrupt memory or crash at random."),
                  FALSE);
}

static void
run_finished_cb (UnfreezeWindow *self,
                 UnfreezeRun    *run)
{
  const UnfreezeMode *mode = unfreeze_run_get_mode (run);
  /* What came of it and the verdict on the main loop (unfreeze-verdict.c), the same words
   * on the status line and in the message panel. */
  g_autofree char *status = unfreeze_run_dup_status_text (run);

  gtk_label_set_text (self->status_label, status);
  append_message (self, status, unfreeze_run_get_result (run) == UNFREEZE_RUN_RESULT_ERROR ||
                                unfreeze_run_get_result (run) == UNFREEZE_RUN_RESULT_DEADLOCK);

  if (mode->lesson != NULL)
    append_message (self, _(mode->lesson), FALSE);

  self->run_finished_us = g_get_monotonic_time ();
  update_run_action (self);
}

/* Running ---------------------------------------------------------------------------- */

static gboolean
run_in_flight (UnfreezeWindow *self)
{
  return self->run != NULL && !unfreeze_run_get_finished (self->run);
}

static gboolean
compare_in_flight (UnfreezeWindow *self)
{
  return self->compare != NULL && !unfreeze_compare_get_finished (self->compare);
}

/* Run becomes Cancel while a run is in flight. (In blocking mode nobody ever sees that:
 * the window cannot redraw until the run is over.) */
static void
update_run_action (UnfreezeWindow *self)
{
  /* Between two runs of a comparison, too: Cancel stops the comparison. */
  gboolean in_flight = run_in_flight (self) || compare_in_flight (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run", self->database_ready && !in_flight);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare", self->database_ready && !in_flight);
  /* A picture of a run is taken once it is over: then its charts are final. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", self->run != NULL && !in_flight);

  if (in_flight)
    {
      gtk_button_set_label (self->run_button, _("_Cancel"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->run_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Cancel"), -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->run_button), "win.cancel");
      gtk_widget_remove_css_class (GTK_WIDGET (self->run_button), "suggested-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->run_button), "destructive-action");
      gtk_button_set_icon_name (self->header_run_button, "process-stop-symbolic");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->header_run_button), "win.cancel");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->header_run_button), _("Cancel (Escape)"));
    }
  else
    {
      gtk_button_set_label (self->run_button, _("_Run"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->run_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Run"), -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->run_button), "win.run");
      gtk_widget_remove_css_class (GTK_WIDGET (self->run_button), "destructive-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->run_button), "suggested-action");
      gtk_button_set_icon_name (self->header_run_button, "media-playback-start-symbolic");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->header_run_button), "win.run");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->header_run_button), _("Run (Ctrl+Return)"));
    }
}

/**
 * unfreeze_window_cancel_run:
 *
 * What Cancel (and Escape) do: cancel the run in flight if its mode can be cancelled, and
 * say why not otherwise.
 */
void
unfreeze_window_cancel_run (UnfreezeWindow *self)
{
  const UnfreezeMode *mode;

  g_return_if_fail (UNFREEZE_IS_WINDOW (self));

  /* No further mode starts; the run in flight is cancelled below, as any run is. */
  if (compare_in_flight (self))
    {
      unfreeze_compare_cancel (self->compare);
      append_message (self, _("Comparison cancelled: no further mode starts."), FALSE);
      update_run_action (self);
    }

  if (self->run == NULL)
    return;

  mode = unfreeze_run_get_mode (self->run);

  if (!run_in_flight (self))
    {
      /* A click or key press that waited in the queue while the main loop was stuck
       * arrives only now, when there is nothing left to cancel. */
      if (!mode->can_cancel &&
          g_get_monotonic_time () - self->run_finished_us < 2 * G_USEC_PER_SEC)
        append_message (self,
                        _("Cancel arrived too late: the run had already ended. While the main "
                          "thread was blocked, your click or key press waited in the queue "
                          "with everything else."),
                        FALSE);
      return;
    }

  if (!mode->can_cancel)
    {
      g_autofree char *text =
        g_strdup_printf (_("“%s” cannot be cancelled: nothing in that code listens for a "
                           "cancel request. The run goes on until the server answers."),
                         _(mode->title));

      append_message (self, text, FALSE);
      return;
    }

  append_message (self, _("Cancelling: asking the server to stop the query…"), FALSE);
  unfreeze_run_cancel (self->run);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  unfreeze_window_cancel_run (UNFREEZE_WINDOW (widget));
}

/* On a user's own server, where they are not generated without asking. */
static void
generate_big_tickers_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  unfreeze_database_generate_big_tickers (UNFREEZE_WINDOW (widget)->database);
}

static UnfreezeRun *start_run (UnfreezeWindow     *self,
                               const UnfreezeMode *mode);

/**
 * unfreeze_window_start_run:
 *
 * Starts a run with the window's current mode, ticker and delay.
 *
 * Returns: (transfer none) (nullable): the run, or %NULL when one is already in flight or
 *   the database is not ready.
 */
UnfreezeRun *
unfreeze_window_start_run (UnfreezeWindow *self)
{
  g_return_val_if_fail (UNFREEZE_IS_WINDOW (self), NULL);

  if (compare_in_flight (self))
    return NULL;

  return start_run (self, self->mode);
}

/* Run, with @mode: the window's, or the one a comparison is at. */
static UnfreezeRun *
start_run (UnfreezeWindow     *self,
           const UnfreezeMode *mode)
{
  g_autoptr(UnfreezeRun) run = NULL;
  g_autofree char *ticker = NULL;
  g_autofree char *started = NULL;

  if (!self->database_ready || run_in_flight (self))
    return NULL;

  ticker = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->ticker_entry))));
  run = unfreeze_run_new (mode,
                          self->database,
                          ticker,
                          gtk_spin_button_get_value (self->delay_spin),
                          (guint) gtk_spin_button_get_value_as_int (self->count_spin));
  unfreeze_run_set_cpu_ms (run, (guint) gtk_spin_button_get_value_as_int (self->cpu_spin));

  g_signal_connect_object (run, "progress", G_CALLBACK (run_progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (run, "rows", G_CALLBACK (run_rows_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (run, "error", G_CALLBACK (run_error_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (run, "refused", G_CALLBACK (run_refused_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (run, "finished", G_CALLBACK (run_finished_cb), self, G_CONNECT_SWAPPED);

  /* A new run starts from an empty table: rows that never arrive must not look as if
   * they had. */
  release_run (self);
  show_rows (self, NULL);

  if (unfreeze_run_get_count (run) > 1)
    started = g_strdup_printf (_("Run: %s, %u queries at once, ticker %s, server delay %.1f s"),
                               _(mode->title), unfreeze_run_get_count (run), ticker,
                               unfreeze_run_get_delay (run));
  else
    started = g_strdup_printf (_("Run: %s, ticker %s, server delay %.1f s"),
                               _(mode->title), ticker, unfreeze_run_get_delay (run));
  append_message (self, started, FALSE);

  g_set_object (&self->run, run);
  unfreeze_timeline_set_run (self->timeline, run);
  unfreeze_stall_graph_set_run (self->graph, run);
  update_run_action (self);
  unfreeze_input_meter_watch_run (self->input_meter, run);
  unfreeze_run_start (run);

  return self->run;
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  unfreeze_window_start_run (UNFREEZE_WINDOW (widget));
}

/* Compare ---------------------------------------------------------------------------- */

static UnfreezeRun *
compare_start_run (gpointer            user_data,
                   const UnfreezeMode *mode)
{
  return start_run (UNFREEZE_WINDOW (user_data), mode);
}

/* "Ticker MSFT, server delay 1.0 s" (and the queries at once, and the analysis). */
static char *
dup_parameters (UnfreezeRun *run)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, _("Ticker %s, server delay %.1f s"),
                          unfreeze_run_get_ticker (run), unfreeze_run_get_delay (run));
  if (unfreeze_run_get_count (run) > 1)
    {
      g_string_append (text, ", ");
      g_string_append_printf (text, _("%u queries at once"), unfreeze_run_get_count (run));
    }
  if (unfreeze_run_get_cpu_ms (run) > 0)
    {
      g_string_append (text, ", ");
      g_string_append_printf (text, _("analysis %u ms per query"), unfreeze_run_get_cpu_ms (run));
    }

  return g_string_free (text, FALSE);
}

static void
compare_run_finished_cb (UnfreezeWindow  *self,
                         UnfreezeRun     *run,
                         UnfreezeCompare *compare)
{
  guint n = unfreeze_compare_get_n_runs (compare);
  guint n_modes;
  g_autofree char *parameters = dup_parameters (run);
  g_autofree char *heading = NULL;

  unfreeze_modes_get_all (&n_modes);
  unfreeze_comparison_view_add_run (self->comparison_view, run,
                                    unfreeze_compare_get_samples (compare, n - 1));
  /* Translators: the comparison's heading while it runs: the parameters, the modes done */
  heading = g_strdup_printf (_("%s: %u of %u modes"), parameters, n, n_modes);
  unfreeze_comparison_view_set_heading (self->comparison_view, heading);
}

static void
compare_finished_cb (UnfreezeWindow  *self,
                     UnfreezeCompare *compare)
{
  guint n = unfreeze_compare_get_n_runs (compare);
  guint n_modes;
  g_autofree char *status = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *parameters = NULL;

  unfreeze_modes_get_all (&n_modes);
  if (unfreeze_compare_get_cancelled (compare))
    status = g_strdup_printf (_("Comparison cancelled after %u of %u modes."), n, n_modes);
  else if (unfreeze_compare_get_as_expected (compare))
    status = g_strdup_printf (_("Compared %u modes: each ended the way it is meant to."), n);
  else
    status = g_strdup_printf (_("Compared %u modes: not every one ended the way it is meant to."), n);

  if (n > 0)
    {
      parameters = dup_parameters (unfreeze_compare_get_run (compare, 0));
      heading = g_strdup_printf ("%s. %s", parameters, status);
      unfreeze_comparison_view_set_heading (self->comparison_view, heading);
    }
  else
    unfreeze_comparison_view_set_heading (self->comparison_view, status);

  gtk_label_set_text (self->status_label, status);
  append_message (self, status, FALSE);
  update_run_action (self);
}

/**
 * unfreeze_window_start_compare:
 *
 * Runs every mode in turn, as Run would with the window's parameters, and shows them side
 * by side in the Comparison view.
 *
 * Returns: (transfer none) (nullable): the comparison, or %NULL when a run is in flight or
 *   the database is not ready
 */
UnfreezeCompare *
unfreeze_window_start_compare (UnfreezeWindow *self)
{
  g_return_val_if_fail (UNFREEZE_IS_WINDOW (self), NULL);

  if (!self->database_ready || run_in_flight (self) || compare_in_flight (self))
    return NULL;

  if (self->compare != NULL)
    g_signal_handlers_disconnect_by_data (self->compare, self);
  g_clear_object (&self->compare);
  self->compare = unfreeze_compare_new (GTK_WIDGET (self), compare_start_run, self);
  g_signal_connect_object (self->compare, "run-finished", G_CALLBACK (compare_run_finished_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->compare, "finished", G_CALLBACK (compare_finished_cb),
                           self, G_CONNECT_SWAPPED);

  unfreeze_comparison_view_clear (self->comparison_view, _("Comparing the modes…"));
  adw_view_stack_page_set_visible (self->comparison_page, TRUE);
  adw_view_stack_set_visible_child_name (self->view_stack, "comparison");
  append_message (self, _("Compare: every mode in turn, with the same parameters"), FALSE);

  unfreeze_compare_start (self->compare);
  update_run_action (self);

  return self->compare;
}

static void
compare_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  unfreeze_window_start_compare (UNFREEZE_WINDOW (widget));
}

UnfreezeCompare *
unfreeze_window_get_last_compare (UnfreezeWindow *self)
{
  g_return_val_if_fail (UNFREEZE_IS_WINDOW (self), NULL);

  return self->compare;
}

UnfreezeRun *
unfreeze_window_get_last_run (UnfreezeWindow *self)
{
  g_return_val_if_fail (UNFREEZE_IS_WINDOW (self), NULL);

  return self->run;
}

/* Export ------------------------------------------------------------------------------ */

/* An export saves what the window shows: the comparison on its page, once it has ended. */
static gboolean
showing_comparison (UnfreezeWindow *self)
{
  return self->compare != NULL && !compare_in_flight (self) &&
         g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "comparison") == 0 &&
         unfreeze_comparison_view_get_n_runs (self->comparison_view) > 0;
}

/**
 * unfreeze_window_dup_export:
 *
 * What an exported picture of the last run shows: the mode, the query's parameters, the
 * status line's outcome and verdict, the stall graph and the thread timeline.
 *
 * Returns: (transfer full) (nullable): the picture to save, or %NULL while there is no
 *   finished run
 */
UnfreezeExport *
unfreeze_window_dup_export (UnfreezeWindow *self)
{
  g_autoptr(UnfreezeExport) export = NULL;
  g_autofree char *parameters = NULL;
  g_autofree char *status = NULL;
  const UnfreezeMode *mode;
  guint count;

  g_return_val_if_fail (UNFREEZE_IS_WINDOW (self), NULL);

  if (showing_comparison (self))
    return unfreeze_comparison_view_dup_export (self->comparison_view);

  if (self->run == NULL || !unfreeze_run_get_finished (self->run))
    return NULL;

  mode = unfreeze_run_get_mode (self->run);
  count = unfreeze_run_get_count (self->run);
  if (count > 1)
    parameters = g_strdup_printf (_("Ticker %s, server delay %.1f s, %u queries at once"),
                                  unfreeze_run_get_ticker (self->run),
                                  unfreeze_run_get_delay (self->run), count);
  else
    parameters = g_strdup_printf (_("Ticker %s, server delay %.1f s"),
                                  unfreeze_run_get_ticker (self->run),
                                  unfreeze_run_get_delay (self->run));
  status = unfreeze_run_dup_status_text (self->run);

  export = unfreeze_export_new (GTK_WIDGET (self));
  unfreeze_export_add_title (export, _(mode->title));
  unfreeze_export_add_text (export, parameters);
  unfreeze_export_add_text (export, status);
  unfreeze_export_add_chart (export, _("Main loop latency, last 10 seconds"),
                             UNFREEZE_CHART (self->graph), EXPORT_GRAPH_HEIGHT);
  unfreeze_export_add_chart (export, _("Threads"), UNFREEZE_CHART (self->timeline), -1);

  return g_steal_pointer (&export);
}

/**
 * unfreeze_window_export:
 * @path: ends in .svg or .png
 *
 * Saves a picture of the last run (unfreeze_window_dup_export()) to @path.
 */
gboolean
unfreeze_window_export (UnfreezeWindow  *self,
                        const char      *path,
                        GError         **error)
{
  g_autoptr(UnfreezeExport) export = NULL;

  g_return_val_if_fail (UNFREEZE_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  export = unfreeze_window_dup_export (self);
  if (export == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("There is no finished run to export"));
      return FALSE;
    }

  return unfreeze_export_save (export, path, error);
}

/* The chooser's file, with the chosen filter's extension when the name has neither. */
static char *
dup_chosen_path (GtkFileChooser *chooser)
{
  g_autoptr(GFile) file = gtk_file_chooser_get_file (chooser);
  GtkFileFilter *filter = gtk_file_chooser_get_filter (chooser);
  const char *extension = NULL;
  g_autofree char *path = NULL;
  g_autofree char *lower = NULL;

  if (file == NULL || (path = g_file_get_path (file)) == NULL)
    return NULL;

  lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".svg") || g_str_has_suffix (lower, ".png"))
    return g_steal_pointer (&path);

  /* A portal may hand back a filter of its own making, without our data: SVG then. */
  if (filter != NULL)
    extension = g_object_get_data (G_OBJECT (filter), "unfreeze-extension");

  return g_strconcat (path, extension != NULL ? extension : ".svg", NULL);
}

static void
export_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  UnfreezeWindow *self;
  g_autofree char *path = NULL;

  /* Cancelled: the window went (dispose cancels), it must not be touched. */
  if (!unfreeze_export_save_finish (UNFREEZE_EXPORT (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = UNFREEZE_WINDOW (user_data);
  path = g_steal_pointer (&self->export_path);
  g_clear_object (&self->export_cancellable);
  if (error == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Picture saved to %s"), path);

      gtk_label_set_text (self->status_label, text);
      append_message (self, text, FALSE);
    }
  else
    {
      gtk_label_set_text (self->status_label, error->message);
      append_message (self, error->message, TRUE);
    }
}

/* The picture is drawn now, and written on a worker (a PNG takes a while to compress). */
static void
export_response_cb (UnfreezeWindow       *self,
                    int                   response,
                    GtkFileChooserNative *chooser)
{
  g_autoptr(UnfreezeExport) export = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    path = dup_chosen_path (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->export_chooser);

  if (path == NULL)
    return;

  export = unfreeze_window_dup_export (self);
  if (export == NULL)
    {
      /* A new run started while the chooser was open. */
      gtk_label_set_text (self->status_label, _("There is no finished run to export"));
      append_message (self, _("There is no finished run to export"), TRUE);
      return;
    }

  self->export_path = g_steal_pointer (&path);
  self->export_cancellable = g_cancellable_new ();
  unfreeze_export_save_async (export, self->export_path, self->export_cancellable,
                              export_saved_cb, self);
}

static void
add_export_filter (GtkFileChooser *chooser,
                   const char     *name,
                   const char     *mime_type,
                   const char     *extension)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *pattern = g_strconcat ("*", extension, NULL);

  gtk_file_filter_set_name (filter, name);
  gtk_file_filter_add_mime_type (filter, mime_type);
  gtk_file_filter_add_pattern (filter, pattern);
  g_object_set_data (G_OBJECT (filter), "unfreeze-extension", (gpointer) extension);
  gtk_file_chooser_add_filter (chooser, filter);
}

/* The file chooser is GtkFileChooserNative: inside the Flatpak sandbox it is the portal's,
 * which hands us the place the user picked. */
static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  UnfreezeWindow *self = UNFREEZE_WINDOW (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d-%H%M");
  g_autofree char *name = NULL;

  /* One at a time: a chooser open, or a picture being written. */
  if (self->run == NULL || self->export_chooser != NULL || self->export_cancellable != NULL)
    return;

  name = g_strdup_printf ("unfreeze-%s-%s.svg",
                          showing_comparison (self) ? "compare" : unfreeze_run_get_mode (self->run)->id,
                          stamp);
  self->export_chooser = gtk_file_chooser_native_new (_("Export Picture"), GTK_WINDOW (self),
                                                      GTK_FILE_CHOOSER_ACTION_SAVE,
                                                      _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->export_chooser), TRUE);
  add_export_filter (GTK_FILE_CHOOSER (self->export_chooser), _("SVG image"), "image/svg+xml", ".svg");
  add_export_filter (GTK_FILE_CHOOSER (self->export_chooser), _("PNG image"), "image/png", ".png");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->export_chooser), name);
  g_signal_connect_object (self->export_chooser, "response", G_CALLBACK (export_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->export_chooser));
}

/**
 * unfreeze_window_get_rows_model:
 *
 * The rows the table shows now. New rows enter it a few per frame (see
 * unfreeze-reveal-model.c): its "model" property changes as soon as a run hands over its
 * rows, its items follow over the next frames, until unfreeze_window_get_rows_settled().
 *
 * Returns: (transfer none): the table's model
 */
GListModel *
unfreeze_window_get_rows_model (UnfreezeWindow *self)
{
  g_return_val_if_fail (UNFREEZE_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->reveal);
}

/**
 * unfreeze_window_get_rows_settled:
 *
 * Returns: whether the table shows every row it was given (or none, when it was cleared)
 */
gboolean
unfreeze_window_get_rows_settled (UnfreezeWindow *self)
{
  g_return_val_if_fail (UNFREEZE_IS_WINDOW (self), TRUE);

  return unfreeze_reveal_model_is_settled (self->reveal);
}

const char *
unfreeze_window_get_status_text (UnfreezeWindow *self)
{
  g_return_val_if_fail (UNFREEZE_IS_WINDOW (self), NULL);

  return gtk_label_get_text (self->status_label);
}

void
unfreeze_window_set_database_ready (UnfreezeWindow *self,
                                    const GError   *error)
{
  g_autofree char *description = NULL;

  g_return_if_fail (UNFREEZE_IS_WINDOW (self));

  /* Runs are allowed even when preparing failed: each mode then shows how it reports the
   * same connection error. */
  self->database_ready = TRUE;
  update_run_action (self);

  description = unfreeze_database_dup_description (self->database);
  adw_window_title_set_subtitle (self->window_title, description);

  if (error != NULL)
    {
      gtk_label_set_text (self->status_label, error->message);
      append_message (self, error->message, TRUE);
    }
  else if (unfreeze_database_get_can_generate_big_tickers (self->database))
    {
      /* What the button below it would add to the user's server. */
      gtk_label_set_text (self->status_label, unfreeze_database_get_status (self->database));
    }
  else
    {
      gtk_label_set_text (self->status_label, _("Ready. Pick a mode and press Run."));
    }
}

/* Modes ------------------------------------------------------------------------------ */

/* Says what the selected mode is about, before anyone runs it. */
static void
explain_mode (UnfreezeWindow *self)
{
  g_autofree char *text = g_strdup_printf ("%s: %s", _(self->mode->title), _(self->mode->explanation));

  append_message (self, text, FALSE);
}

enum {
  PROP_0,
  PROP_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
unfreeze_window_set_mode (UnfreezeWindow *self,
                          const char     *mode_id)
{
  const UnfreezeMode *mode;

  g_return_if_fail (UNFREEZE_IS_WINDOW (self));
  g_return_if_fail (mode_id != NULL);

  mode = unfreeze_modes_lookup (mode_id);
  if (mode == NULL)
    {
      g_warning ("No mode called “%s”", mode_id);
      return;
    }

  if (mode == self->mode)
    return;

  self->mode = mode;
  unfreeze_source_view_set_mode (self->source_view, mode);
  explain_mode (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

const char *
unfreeze_window_get_mode (UnfreezeWindow *self)
{
  g_return_val_if_fail (UNFREEZE_IS_WINDOW (self), NULL);

  return self->mode->id;
}

/* The modes are a list with one selected row (what assistive technologies expect of a
 * choice among items, through AT-SPI's Selection), each with a radio button on the
 * win.mode action. Either way of choosing changes the "mode" property; the list follows it. */
static void
mode_row_selected_cb (UnfreezeWindow *self,
                      GtkListBoxRow  *row,
                      GtkListBox     *list)
{
  const UnfreezeMode * const *modes;
  guint n_modes;
  int index;

  if (row == NULL)
    return;

  modes = unfreeze_modes_get_all (&n_modes);
  index = gtk_list_box_row_get_index (row);
  if (index >= 0 && (guint) index < n_modes)
    unfreeze_window_set_mode (self, modes[index]->id);
}

static void
select_mode_row (UnfreezeWindow *self)
{
  const UnfreezeMode * const *modes;
  guint n_modes;

  modes = unfreeze_modes_get_all (&n_modes);
  for (guint i = 0; i < n_modes; i++)
    {
      if (modes[i] == self->mode)
        gtk_list_box_select_row (self->modes_list, gtk_list_box_get_row_at_index (self->modes_list, i));
    }
}

static void
add_mode_rows (UnfreezeWindow *self)
{
  const UnfreezeMode * const *modes;
  GtkCheckButton *group = NULL;
  guint n_modes;

  modes = unfreeze_modes_get_all (&n_modes);
  for (guint i = 0; i < n_modes; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      g_autofree char *title = g_strdup_printf ("%u. %s", i + 1, _(modes[i]->title));

      gtk_actionable_set_action_name (GTK_ACTIONABLE (check), "win.mode");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (check), "s", modes[i]->id);
      gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_widget_set_focusable (check, FALSE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _(modes[i]->title),
                                      -1);
      group = GTK_CHECK_BUTTON (check);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(modes[i]->subtitle));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      gtk_list_box_append (self->modes_list, row);
    }

  g_signal_connect_object (self->modes_list, "row-selected", G_CALLBACK (mode_row_selected_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::mode", G_CALLBACK (select_mode_row), NULL);
  select_mode_row (self);
}

/* Things that move ------------------------------------------------------------------- */

static void update_column_widths (UnfreezeWindow *self);

/* After a frame is drawn: what it cost, from its tick to here, sets how much of the next
 * frame the table may spend on new rows. */
static void
after_paint_cb (GdkFrameClock  *frame_clock,
                UnfreezeWindow *self)
{
  if (!self->revealed_in_frame)
    return;

  self->revealed_in_frame = FALSE;
  self->reveal_budget_us = unfreeze_reveal_model_next_budget (self->reveal_budget_us,
                                                              g_get_monotonic_time () - self->frame_start_us);
}

static void
watch_frame_clock (UnfreezeWindow *self,
                   GdkFrameClock  *frame_clock)
{
  if (frame_clock == self->frame_clock)
    return;

  /* A frame clock that goes away takes its handlers with it: hence no handler id, and a
   * weak pointer. */
  if (self->frame_clock != NULL)
    g_signal_handlers_disconnect_by_func (self->frame_clock, after_paint_cb, self);
  g_set_weak_pointer (&self->frame_clock, frame_clock);
  if (frame_clock != NULL)
    g_signal_connect_object (frame_clock, "after-paint", G_CALLBACK (after_paint_cb), self, 0);
}

/* The old rows of a table leave it hidden. Taking a row widget away from a shown column
 * view costs the frame its layout and drawing as well: a million rows' table (200 row
 * widgets in GTK 4.8) took 77 frames of 5-11.5 ms to empty, and one of them now and then
 * passed 16.7 ms (bench/README.md, runs N). Hidden, the view neither lays out nor draws, the
 * steps are cheap and grow, and the table is empty in a few frames: to the user it empties
 * at once, as it should when Run is pressed. It shows again, empty, before new rows come.
 *
 * The frame that shows it again lays out and draws the whole view afresh, and makes the new
 * result's first row widgets: its budget starts again at the least, like the first frame of
 * a new result (see show_rows()). The cheap frames of the clearing had raised it to the
 * most, and the first rows of a million then cost a frame 17-23 ms (bench/README.md, runs P). */
static void
show_table_unless_clearing (UnfreezeWindow *self)
{
  GtkWidget *table = GTK_WIDGET (self->column_view);
  gboolean clearing = unfreeze_reveal_model_is_clearing (self->reveal);

  if (gtk_widget_get_visible (table) != clearing)
    return;

  gtk_widget_set_visible (table, !clearing);
  if (!clearing)
    self->reveal_budget_us = UNFREEZE_REVEAL_MODEL_BUDGET_MIN_US;
}

/* Runs once per frame, from the frame clock. When the main loop is stuck, it does not run,
 * and the clock and bar stand still: that is the freeze, visible. */
static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  UnfreezeWindow *self = UNFREEZE_WINDOW (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *text = g_date_time_format (now, "%H:%M:%S.%f");

  self->frame_start_us = g_get_monotonic_time ();
  watch_frame_clock (self, frame_clock);
  update_column_widths (self);

  /* New rows enter the table a few per frame, before this frame's layout. */
  show_table_unless_clearing (self);
  if (!unfreeze_reveal_model_is_settled (self->reveal))
    {
      unfreeze_reveal_model_step (self->reveal, self->reveal_budget_us);
      self->revealed_in_frame = TRUE;
    }
  else if (self->held_run != NULL)
    release_run (self);

  /* An inscription keeps its size whatever its text: a new text every frame is a new
   * drawing, not a new layout of the window (see unfreeze-motion.c). */
  text[12] = '\0';
  gtk_inscription_set_text (self->clock_label, text);

  return G_SOURCE_CONTINUE;
}

/* Live counters ---------------------------------------------------------------------- */

static gboolean
update_counters_cb (gpointer user_data)
{
  UnfreezeWindow *self = user_data;
  guint in_flight = 0;
  g_autofree char *text = NULL;

  if (run_in_flight (self))
    in_flight = unfreeze_run_get_count (self->run) - unfreeze_run_get_n_finished (self->run);

  text = g_strdup_printf (_("Threads in this process: %u   Open connections: %u   Queries in flight: %u"),
                          unfreeze_stall_meter_count_threads (),
                          self->database != NULL ? unfreeze_database_get_n_connections (self->database) : 0,
                          in_flight);
  gtk_label_set_text (self->counters_label, text);

  return G_SOURCE_CONTINUE;
}

/* Presenter features ----------------------------------------------------------------- */

static void
apply_zoom (UnfreezeWindow *self)
{
  g_autofree char *css = NULL;
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  /* A font size on the window scales every label, entry and the code view alike. */
  g_ascii_formatd (number, sizeof number, "%.0f", self->zoom * 100.0);
  css = g_strdup_printf ("window.unfreeze-zoom { font-size: %s%%; }", number);
  gtk_css_provider_load_from_data (self->zoom_css, css, -1);
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  UnfreezeWindow *self = UNFREEZE_WINDOW (widget);

  if (g_str_equal (action_name, "win.zoom-in"))
    self->zoom = MIN (self->zoom + 0.1, 2.5);
  else if (g_str_equal (action_name, "win.zoom-out"))
    self->zoom = MAX (self->zoom - 0.1, 0.6);
  else
    self->zoom = 1.0;

  apply_zoom (self);
}

static void
view_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  UnfreezeWindow *self = UNFREEZE_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  GtkWidget *child = adw_view_stack_get_child_by_name (self->view_stack, name);

  /* Alt+4 before the first comparison: there is no page to show yet. */
  if (child == NULL || !adw_view_stack_page_get_visible (adw_view_stack_get_page (self->view_stack, child)))
    return;

  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

static void
toggle_sidebar_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  UnfreezeWindow *self = UNFREEZE_WINDOW (widget);

  adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap));
}

/* Columns ---------------------------------------------------------------------------- */

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  UnfreezeColumn column = GPOINTER_TO_UINT (user_data);
  GtkWidget *cell = gtk_inscription_new (NULL);

  /* A GtkInscription, not a GtkLabel: its size is one line, whatever its text, so setting
   * the text only redraws it. In GTK 4.8 a cell whose child asks for a new size (as a
   * label does on every new text) makes its column re-measure every cell it has, up to
   * 200 rows of them, in the next frame; so does a new row's cell. With labels that cost
   * up to 16 ms of layout a frame while the table took in its first 200 rows. */
  gtk_inscription_set_xalign (GTK_INSCRIPTION (cell), column >= UNFREEZE_COLUMN_OPEN ? 1.0 : 0.0);
  /* A value wider than its column (a table of the user's own) ends in "…". */
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  if (column >= UNFREEZE_COLUMN_OPEN)
    gtk_widget_add_css_class (cell, "numeric");
  gtk_list_item_set_child (item, cell);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  UnfreezeColumn column = GPOINTER_TO_UINT (user_data);
  UnfreezeRow *row = gtk_list_item_get_item (item);
  GtkInscription *cell = GTK_INSCRIPTION (gtk_list_item_get_child (item));
  const char *value = unfreeze_row_get_value (row, column);

  /* libpq gives NULL as "": a table of the user's own may have NULLs, which are no number
   * and must not show as 0. */
  if (value == NULL || *value == '\0')
    {
      gtk_inscription_set_text (cell, "");
      return;
    }

  switch (column)
    {
    case UNFREEZE_COLUMN_OPEN:
    case UNFREEZE_COLUMN_HIGH:
    case UNFREEZE_COLUMN_LOW:
    case UNFREEZE_COLUMN_CLOSE:
      {
        char text[G_ASCII_DTOSTR_BUF_SIZE];

        g_snprintf (text, sizeof text, "%.2f", g_ascii_strtod (value, NULL));
        gtk_inscription_set_text (cell, text);
      }
      break;

    case UNFREEZE_COLUMN_VOLUME:
      {
        g_autofree char *text = unfreeze_format_count (g_ascii_strtoull (value, NULL, 10));

        gtk_inscription_set_text (cell, text);
      }
      break;

    case UNFREEZE_COLUMN_TIME:
      {
        char text[UNFREEZE_TIME_TEXT_SIZE];

        gtk_inscription_set_text (cell, unfreeze_rows_format_time (value, text));
      }
      break;

    case UNFREEZE_COLUMN_TICKER:
    case UNFREEZE_N_COLUMNS:
    default:
      gtk_inscription_set_text (cell, value);
      break;
    }
}

/* The columns, with a text as wide as their widest value, for their fixed widths. */
static const struct {
  UnfreezeColumn column;
  const char *title;
  const char *widest;
} columns[] = {
  { UNFREEZE_COLUMN_TICKER, N_("Ticker"), "XXXXX" },
  { UNFREEZE_COLUMN_TIME, N_("Time"), "0000-00-00 00:00" },
  { UNFREEZE_COLUMN_OPEN, N_("Open"), "00000.00" },
  { UNFREEZE_COLUMN_HIGH, N_("High"), "00000.00" },
  { UNFREEZE_COLUMN_LOW, N_("Low"), "00000.00" },
  { UNFREEZE_COLUMN_CLOSE, N_("Close"), "00000.00" },
  { UNFREEZE_COLUMN_VOLUME, N_("Volume"), "00,000,000" },
};

static int
text_width (GtkWidget  *widget,
            const char *text)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

/* Columns of a fixed width: otherwise GtkColumnView measures every cell of every row for
 * the widths, in every frame that adds rows. The widths follow the font (zoom, the
 * system's font), checked once per frame: comparing a hash costs nothing. */
static void
update_column_widths (UnfreezeWindow *self)
{
  GtkWidget *view = GTK_WIDGET (self->column_view);
  const PangoFontDescription *font = pango_context_get_font_description (gtk_widget_get_pango_context (view));
  guint font_hash = font != NULL ? pango_font_description_hash (font) : 0;
  GListModel *view_columns = gtk_column_view_get_columns (self->column_view);

  if (font_hash == self->column_font_hash)
    return;
  self->column_font_hash = font_hash;

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (view_columns, i);
      int width = MAX (text_width (view, columns[i].widest), text_width (view, _(columns[i].title)));

      gtk_column_view_column_set_fixed_width (column, width + COLUMN_PADDING_PX);
    }
}

static void
add_columns (UnfreezeWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *column;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb),
                        GUINT_TO_POINTER (columns[i].column));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb),
                        GUINT_TO_POINTER (columns[i].column));
      column = gtk_column_view_column_new (_(columns[i].title), factory);
      gtk_column_view_column_set_expand (column, TRUE);
      gtk_column_view_append_column (self->column_view, column);
      g_object_unref (column);
    }

  self->reveal = unfreeze_reveal_model_new ();
  self->selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->reveal)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
}

/* Settings --------------------------------------------------------------------------- */

static gboolean
close_request_cb (UnfreezeWindow *self)
{
  GSettings *settings = g_object_get_data (G_OBJECT (self), "unfreeze-settings");
  int width, height;

  if (settings != NULL)
    {
      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
      g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
    }

  return FALSE;
}

/**
 * unfreeze_window_bind_settings:
 *
 * The window remembers its size, the last mode, ticker, delay, count and analysis in @settings.
 */
void
unfreeze_window_bind_settings (UnfreezeWindow *self,
                               GSettings      *settings)
{
  g_return_if_fail (UNFREEZE_IS_WINDOW (self));
  g_return_if_fail (G_IS_SETTINGS (settings));

  g_object_set_data_full (G_OBJECT (self), "unfreeze-settings", g_object_ref (settings), g_object_unref);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);

  g_settings_bind (settings, "mode", self, "mode", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "ticker", self->ticker_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "delay", gtk_spin_button_get_adjustment (self->delay_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "count", gtk_spin_button_get_adjustment (self->count_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "cpu-ms", gtk_spin_button_get_adjustment (self->cpu_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
}

/* The object ------------------------------------------------------------------------- */

void
unfreeze_window_set_ticker (UnfreezeWindow *self,
                            const char     *ticker)
{
  g_return_if_fail (UNFREEZE_IS_WINDOW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->ticker_entry), ticker);
}

void
unfreeze_window_set_delay (UnfreezeWindow *self,
                           double          seconds)
{
  g_return_if_fail (UNFREEZE_IS_WINDOW (self));

  gtk_spin_button_set_value (self->delay_spin, seconds);
}

void
unfreeze_window_set_count (UnfreezeWindow *self,
                           guint           count)
{
  g_return_if_fail (UNFREEZE_IS_WINDOW (self));

  gtk_spin_button_set_value (self->count_spin, count);
}

void
unfreeze_window_set_cpu_ms (UnfreezeWindow *self,
                            guint           cpu_ms)
{
  g_return_if_fail (UNFREEZE_IS_WINDOW (self));

  gtk_spin_button_set_value (self->cpu_spin, cpu_ms);
}

/* The database speaks up as it starts, fills the demo data, or restarts a server that
 * died: the status line and the message panel say so. Mere news (the big tickers are
 * there) does not take the place of a run's outcome on the status line: the panel has it. */
static void
database_status_cb (UnfreezeWindow   *self,
                    GParamSpec       *pspec,
                    UnfreezeDatabase *database)
{
  const char *status = unfreeze_database_get_status (database);

  if (status == NULL)
    return;

  if (!run_in_flight (self) &&
      !(self->run != NULL && unfreeze_database_get_status_is_news (database)))
    gtk_label_set_text (self->status_label, status);
  append_message (self, status, FALSE);
}

static void
watch_database (UnfreezeWindow   *self,
                UnfreezeDatabase *database)
{
  g_assert (self->database == NULL);

  self->database = g_object_ref (database);
  g_signal_connect_object (database, "notify::status", G_CALLBACK (database_status_cb), self,
                           G_CONNECT_SWAPPED);
  self->big_tickers_binding =
    g_object_bind_property (database, "can-generate-big-tickers", self->big_tickers_button,
                            "visible", G_BINDING_SYNC_CREATE);
}

static void
unwatch_database (UnfreezeWindow *self)
{
  if (self->database == NULL)
    return;

  g_signal_handlers_disconnect_by_func (self->database, database_status_cb, self);
  if (self->big_tickers_binding != NULL)
    g_binding_unbind (self->big_tickers_binding);
  self->big_tickers_binding = NULL;
  g_clear_object (&self->database);
}

UnfreezeWindow *
unfreeze_window_new (GtkApplication   *application,
                     UnfreezeDatabase *database)
{
  g_autofree char *description = NULL;
  UnfreezeWindow *self;

  g_return_val_if_fail (UNFREEZE_IS_DATABASE (database), NULL);

  self = g_object_new (UNFREEZE_TYPE_WINDOW, "application", application, NULL);
  watch_database (self, database);
  description = unfreeze_database_dup_description (database);
  adw_window_title_set_subtitle (self->window_title, description);

  if (unfreeze_database_get_prepared (database))
    unfreeze_window_set_database_ready (self, NULL);
  else
    gtk_label_set_text (self->status_label, unfreeze_database_get_status (database));

  return self;
}

/**
 * unfreeze_window_new_like:
 * @other: a window
 *
 * A second window of @other's application on the same database, set up like @other (mode,
 * ticker, delay, count, size), for comparing two modes side by side. Its runs are its own;
 * it shares the main loop with @other, so a run that blocks it blocks both. It does not
 * remember anything in the settings: the first window does.
 */
UnfreezeWindow *
unfreeze_window_new_like (UnfreezeWindow *other)
{
  UnfreezeWindow *self;

  g_return_val_if_fail (UNFREEZE_IS_WINDOW (other), NULL);

  self = unfreeze_window_new (gtk_window_get_application (GTK_WINDOW (other)), other->database);
  unfreeze_window_set_mode (self, unfreeze_window_get_mode (other));
  unfreeze_window_set_ticker (self, gtk_editable_get_text (GTK_EDITABLE (other->ticker_entry)));
  unfreeze_window_set_delay (self, gtk_spin_button_get_value (other->delay_spin));
  unfreeze_window_set_count (self, gtk_spin_button_get_value_as_int (other->count_spin));
  if (other->database_ready && !self->database_ready)
    unfreeze_window_set_database_ready (self, NULL);
  if (gtk_widget_get_width (GTK_WIDGET (other)) > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), gtk_widget_get_width (GTK_WIDGET (other)),
                                 gtk_widget_get_height (GTK_WIDGET (other)));

  return self;
}

/**
 * unfreeze_window_set_database:
 *
 * Another server, at once: new runs use @database (not prepared yet: Run waits for
 * unfreeze_window_set_database_ready()), while a run in flight ends on the one it started
 * with. The window's subtitle names the new server.
 */
void
unfreeze_window_set_database (UnfreezeWindow   *self,
                              UnfreezeDatabase *database)
{
  g_autofree char *description = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (UNFREEZE_IS_WINDOW (self));
  g_return_if_fail (UNFREEZE_IS_DATABASE (database));

  if (database == self->database)
    return;

  unwatch_database (self);
  watch_database (self, database);

  self->database_ready = FALSE;
  update_run_action (self);

  description = unfreeze_database_dup_description (database);
  adw_window_title_set_subtitle (self->window_title, description);
  text = g_strdup_printf (_("Connecting to %s…"), description);
  if (!run_in_flight (self))
    gtk_label_set_text (self->status_label, text);
  append_message (self, text, FALSE);

  if (unfreeze_database_get_prepared (database))
    unfreeze_window_set_database_ready (self, NULL);
}

static void
unfreeze_window_dispose (GObject *object)
{
  UnfreezeWindow *self = (UnfreezeWindow *)object;

  /* A run in flight outlives the window: it must not reach us any more. Its signal
   * handlers were connected with g_signal_connect_object(), so they go with us. */
  if (self->run != NULL)
    unfreeze_run_cancel (self->run);
  /* A comparison someone else holds starts no further run of ours. */
  if (self->compare != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->compare, self);
      unfreeze_compare_cancel (self->compare);
    }
  g_clear_object (&self->compare);

  g_clear_handle_id (&self->counters_id, g_source_remove);
  if (self->export_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->export_chooser));
  g_clear_object (&self->export_chooser);
  g_cancellable_cancel (self->export_cancellable);
  g_clear_object (&self->export_cancellable);
  g_clear_pointer (&self->export_path, g_free);
  /* A held run finishes now, and must not reach us while we go. */
  if (self->held_run != NULL)
    g_signal_handlers_disconnect_by_data (self->held_run, self);
  release_run (self);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  watch_frame_clock (self, NULL);

  g_clear_object (&self->input_meter);
  gtk_widget_dispose_template (GTK_WIDGET (self), UNFREEZE_TYPE_WINDOW);
  g_clear_object (&self->run);
  g_clear_object (&self->selection);
  g_clear_object (&self->reveal);
  unwatch_database (self);
  if (self->zoom_css != NULL)
    gtk_style_context_remove_provider_for_display (gtk_widget_get_display (GTK_WIDGET (self)),
                                                   GTK_STYLE_PROVIDER (self->zoom_css));
  g_clear_object (&self->zoom_css);

  G_OBJECT_CLASS (unfreeze_window_parent_class)->dispose (object);
}

static void
unfreeze_window_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  UnfreezeWindow *self = UNFREEZE_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_string (value, self->mode->id);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
unfreeze_window_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  UnfreezeWindow *self = UNFREEZE_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MODE:
      unfreeze_window_set_mode (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
unfreeze_window_class_init (UnfreezeWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = unfreeze_window_dispose;
  object_class->get_property = unfreeze_window_get_property;
  object_class->set_property = unfreeze_window_set_property;

  /* The mode's id; also the state of the win.mode action the mode rows use. */
  properties[PROP_MODE] =
    g_param_spec_string ("mode", NULL, NULL, "blocking",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (UNFREEZE_TYPE_MOTION);
  g_type_ensure (UNFREEZE_TYPE_SOURCE_VIEW);
  g_type_ensure (UNFREEZE_TYPE_COMPARISON_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/unfreeze/Unfreeze/unfreeze-window.ui");
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, header_run_button);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, counters_label);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, timeline_scroller);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, source_view);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, live_box);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, modes_list);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, ticker_entry);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, delay_spin);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, count_spin);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, cpu_spin);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, comparison_page);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, comparison_view);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, big_tickers_button);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, clock_label);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, UnfreezeWindow, messages_view);

  gtk_widget_class_install_action (widget_class, "win.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "win.compare", NULL, compare_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.generate-big-tickers", NULL,
                                   generate_big_tickers_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-reset", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.view", "s", view_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-sidebar", NULL, toggle_sidebar_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.toggle-sidebar", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.view", "s", "rows");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.view", "s", "timeline");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.view", "s", "code");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK, "win.view", "s", "comparison");
  gtk_widget_class_install_property_action (widget_class, "win.mode", "mode");
}

static void
unfreeze_window_init (UnfreezeWindow *self)
{
  GtkTextBuffer *buffer;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->mode = unfreeze_modes_get_all (NULL)[0];  /* the first listed: where the lessons start */
  add_mode_rows (self);
  add_columns (self);
  self->input_meter = unfreeze_input_meter_new (GTK_WIDGET (self));

  buffer = gtk_text_view_get_buffer (self->messages_view);
  gtk_text_buffer_create_tag (buffer, "error", "foreground", "#c01c28", NULL);

  self->reveal_budget_us = UNFREEZE_REVEAL_MODEL_BUDGET_MAX_US;
  self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", FALSE);
  unfreeze_source_view_set_mode (self->source_view, self->mode);
  explain_mode (self);

  /* The meter: the main loop's latency, drawn live (the graph cannot draw while the loop is
   * stuck: a freeze shows up as one tall bar, afterwards), and the frame clock's gaps. */
  {
    GtkWidget *graph = unfreeze_stall_graph_new ();

    self->graph = UNFREEZE_STALL_GRAPH (graph);
    gtk_widget_set_size_request (graph, -1, 90);
    gtk_box_insert_child_after (self->live_box, graph, gtk_widget_get_first_child (GTK_WIDGET (self->live_box)));
    unfreeze_stall_meter_watch_frame_clock (unfreeze_stall_meter_get_default (), GTK_WIDGET (self));
  }

  self->timeline = UNFREEZE_TIMELINE (unfreeze_timeline_new ());
  gtk_scrolled_window_set_child (self->timeline_scroller, GTK_WIDGET (self->timeline));

  self->counters_id = g_timeout_add (COUNTERS_INTERVAL_MS, update_counters_cb, self);
  update_counters_cb (self);

  self->zoom = 1.0;
  self->zoom_css = gtk_css_provider_new ();
  gtk_widget_add_css_class (GTK_WIDGET (self), "unfreeze-zoom");
  gtk_style_context_add_provider_for_display (gtk_widget_get_display (GTK_WIDGET (self)),
                                              GTK_STYLE_PROVIDER (self->zoom_css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  apply_zoom (self);
}
