/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Mode 7: offload — waiting on the main loop, computing on a worker.
 *
 * Slow work comes in two kinds, and they need different tools. Waiting (for a server, a
 * disk, a network) is I/O-bound: it needs no thread, only a socket the main loop watches,
 * as the main-loop mode showed. Computing is CPU-bound: there is nothing to watch, the
 * processor itself is busy, and on the only thread that holds the window. Run the main-loop
 * mode with an analysis (--cpu=500) and it freezes for that long after the rows arrive.
 *
 * So each kind goes where it belongs. The query runs exactly as in the main-loop mode (its
 * code: unfreeze-mode-mainloop.c, no thread). When the rows are in, the analysis of the
 * prices goes to a worker from GLib's pool with g_task_run_in_thread(), and the task's
 * callback brings the result back to the main thread, which shows the rows.
 *
 * .NET: "var rows = await ReadAsync (...)" (no thread waits), then
 * "var analysis = await Task.Run (() => Analyse (rows))" (a pool thread computes), and the
 * code after each await runs on the UI thread again. Node.js: worker_threads.
 */
#define G_LOG_DOMAIN "Unfreeze-Offload"

#include "config.h"

#include <glib/gi18n.h>

#include "unfreeze-mode-mainloop.h"
#include "unfreeze-run.h"

/* Worker thread: the CPU-bound part. The rows are complete and nobody adds to them any
 * more; the main thread only reads them (the table), so reading them here too is safe. */
/* One query's analysis: the task's data. */
typedef struct
{
  UnfreezeRun *run;       /* the callback holds the reference */
  guint        index;     /* of the query in the run */
} Job;

static void
analyse_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  UnfreezeRun *run = job->run;

  unfreeze_run_analyse (run, source_object);
  unfreeze_run_mark (run, UNFREEZE_SPAN_HANDOFF);
  g_task_return_boolean (task, TRUE);
}

/* Main thread: the task's callback, like the code after the second await. */
static void
analysed_cb (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GError *error = NULL;
  UnfreezeRows *rows = UNFREEZE_ROWS (source_object);
  g_autoptr(UnfreezeRun) run = user_data;
  Job *job = g_task_get_task_data (G_TASK (result));

  /* LESSON: back on the main thread, with the rows analysed: updating the window is safe
   * here. (The rows themselves went on screen as they arrived, as in the main-loop mode.) */
  if (g_task_propagate_boolean (G_TASK (result), &error))
    unfreeze_run_show_rows (run, job->index, rows);

  unfreeze_run_query_done (run, error);
}

/* Main thread: the main-loop mode's I/O is over (no thread waited for the server). */
static void
rows_done (UnfreezeRun  *run,
           guint         index,
           UnfreezeRows *rows,
           GError       *error)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        unfreeze_run_show_error (run, error);
      unfreeze_run_query_done (run, error);
      return;
    }
  if (rows == NULL)
    {
      /* A query that asked for no rows: nothing to analyse or show. */
      unfreeze_run_query_done (run, NULL);
      return;
    }

  /* The task holds the rows (its source object) and the run (its callback's data) until
   * the callback has run, on the main thread. A cancel while the worker computes stops the
   * analysis between two passes and makes the task's result an error: the run ends as
   * cancelled. */
  task = g_task_new (rows, unfreeze_run_get_cancellable (run), analysed_cb, g_object_ref (run));
  g_task_set_source_tag (task, rows_done);
  job = g_new (Job, 1);
  job->run = run;
  job->index = index;
  g_task_set_task_data (task, job, g_free);
  /* LESSON: the computation goes to a worker from GLib's pool (.NET: await Task.Run), and
   * the main loop goes on drawing while it runs. */
  g_task_run_in_thread (task, analyse_worker);
}

static void
offload_start_query (UnfreezeRun *run,
                     guint        index)
{
  /* LESSON: the I/O is the main-loop mode's, with one difference: what happens to the rows. */
  unfreeze_mode_mainloop_start_query_full (run, index, rows_done);
  if (index == 0 && unfreeze_run_get_cpu_ms (run) > 0)
    unfreeze_run_show_progress (run, _("Connecting without waiting; the analysis will go to a worker…"));
}

const UnfreezeMode unfreeze_mode_offload = {
  .id = "offload",
  .title = N_("Offload the computing"),
  .subtitle = N_("Waiting on the main loop, computing on a worker: the right tool for each"),
  .explanation = N_("What happens: the query runs as in the main-loop mode, with no thread waiting for "
                    "the server. When the rows are in, the analysis of the prices (moving averages, "
                    "volatility: set its milliseconds per query beside the delay) goes to a worker "
                    "from GLib's pool with g_task_run_in_thread(), and its result comes back to the main "
                    "thread. What to watch: with an analysis, the main-loop mode freezes after the rows "
                    "arrive; this one stays smooth, and the Threads view shows the computing on a "
                    "worker's lane. Why: waiting is I/O-bound and needs no thread, but computing is "
                    "CPU-bound and holds whichever thread runs it. In .NET: await the query, then await "
                    "Task.Run() for the computation."),
  .lesson = N_("No thread waited for the server: the main loop watched the socket, as in the "
               "main-loop mode. The analysis of the rows, CPU work that would have held the main "
               "loop, ran on a worker from GLib's pool (g_task_run_in_thread), and its result "
               "came back to the main thread in the task's callback. Waiting needs no thread; "
               "computing needs one that is not the window's. In .NET: await the query, then "
               "await Task.Run() for the computation."),
  .can_cancel = TRUE,
  .start_query = offload_start_query,
};
