/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Mode 3: GTask + g_idle_add — the wait on a worker, every UI update on the main thread.
 *
 * g_task_run_in_thread() runs the query on a thread from GLib's pool (.NET: Task.Run).
 * The worker never touches the window: whatever it wants shown goes back to the main loop.
 * Progress messages travel with g_idle_add(), which queues a callback for the main thread
 * (.NET: Dispatcher.Invoke / BeginInvoke). The rows travel as the task's result, and the
 * task's callback runs on the main thread (.NET: the code after "await"). The window stays
 * alive the whole time.
 */
#define G_LOG_DOMAIN "Unfreeze-GTask"

#include "config.h"

#include <glib/gi18n.h>

#include "unfreeze-mode.h"
#include "unfreeze-run.h"

typedef struct
{
  UnfreezeRun *run;
  char        *text;
} Progress;

/* Main thread: g_idle_add() brought us here. */
static gboolean
show_progress_cb (gpointer user_data)
{
  Progress *progress = user_data;
  guint span = unfreeze_run_begin_span (progress->run, UNFREEZE_SPAN_IDLE);

  unfreeze_run_show_progress (progress->run, progress->text);

  unfreeze_run_end_span (progress->run, span);
  g_object_unref (progress->run);
  g_free (progress->text);
  g_free (progress);

  return G_SOURCE_REMOVE;
}

/* Worker thread: hands a message to the main loop instead of touching the window. */
static void
post_progress (UnfreezeRun *run,
               const char  *text)
{
  Progress *progress = g_new0 (Progress, 1);

  progress->run = g_object_ref (run);
  progress->text = g_strdup (text);
  unfreeze_run_mark (run, UNFREEZE_SPAN_HANDOFF);
  /* LESSON: the hop. g_idle_add() queues show_progress_cb() to run on the main thread.
   * (At the default priority, the same as the task's result, so the two keep their order.) */
  g_idle_add_full (G_PRIORITY_DEFAULT, show_progress_cb, progress, NULL);
}

/* One query: the task's data. */
typedef struct
{
  UnfreezeRun *run;       /* the callback holds the reference */
  guint        index;     /* of the query in the run */
} Job;

/* Worker thread. */
static void
gtask_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Job *job = task_data;
  UnfreezeRun *run = job->run;
  UnfreezeDatabase *database = unfreeze_run_get_database (run);
  UnfreezeRows *rows;
  GError *error = NULL;
  PGresult *result = NULL;
  PGconn *conn;
  guint span;

  /* LESSON: background work at background priority, so the window's thread wins the CPU. */
  unfreeze_mode_lower_worker_priority ();

  post_progress (run, _("Worker thread: connecting…"));
  span = unfreeze_run_begin_span (run, UNFREEZE_SPAN_CONNECT);
  conn = unfreeze_database_acquire (database, &error);
  unfreeze_run_end_span (run, span);

  if (conn != NULL)
    {
      post_progress (run, _("Worker thread: waiting for the server; the main loop is free"));
      span = unfreeze_run_begin_span (run, UNFREEZE_SPAN_QUERY);
      /* Cancelling the run asks the server to stop this query (see unfreeze-query.c):
       * the worker really stops waiting, and the connection stays usable. */
      result = unfreeze_query_exec_cancellable (conn,
                                                unfreeze_run_get_ticker (run),
                                                unfreeze_run_get_delay (run),
                                                unfreeze_run_wants_rows (run, job->index),
                                                cancellable,
                                                &error);
      unfreeze_run_end_span (run, span);
      unfreeze_database_release (database, conn);
    }

  if (result == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  rows = unfreeze_rows_new ();
  unfreeze_rows_append_result (rows, result);
  /* The CPU work on the rows runs here too, on the worker: the main loop never sees it. */
  unfreeze_run_analyse (run, rows);

  /* The rows travel to the main thread as the task's result. */
  unfreeze_run_mark (run, UNFREEZE_SPAN_HANDOFF);
  g_task_return_pointer (task, rows, g_object_unref);
}

/* Main thread: the task's callback, like the code after "await" in C#. */
static void
gtask_done_cb (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(UnfreezeRun) run = user_data;
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(UnfreezeRows) rows = NULL;
  GError *error = NULL;
  guint span = unfreeze_run_begin_span (run, UNFREEZE_SPAN_IDLE);

  rows = g_task_propagate_pointer (G_TASK (result), &error);
  /* LESSON: the rows arrive here, on the main thread, where updating the window is safe. */
  if (rows != NULL)
    unfreeze_run_show_rows (run, job->index, rows);
  else
    unfreeze_run_show_error (run, error);

  unfreeze_run_end_span (run, span);
  unfreeze_run_query_done (run, error);
}

static void
gtask_start_query (UnfreezeRun *run,
                   guint        index)
{
  g_autoptr(GTask) task = NULL;
  Job *job = g_new (Job, 1);

  task = g_task_new (NULL, unfreeze_run_get_cancellable (run), gtask_done_cb, g_object_ref (run));
  g_task_set_source_tag (task, gtask_start_query);
  /* The callback's reference keeps the run alive until after the worker returns, so the
   * last reference to it always goes on the main thread. */
  job->run = run;
  job->index = index;
  g_task_set_task_data (task, job, g_free);
  /* LESSON: the wait moves to a worker from GLib's pool (.NET: Task.Run). */
  g_task_run_in_thread (task, gtask_worker);
}

const UnfreezeMode unfreeze_mode_gtask = {
  .id = "gtask",
  .title = N_("GTask + g_idle_add"),
  .subtitle = N_("A worker waits; results come back to the main thread: the window stays alive"),
  .explanation = N_("What happens: g_task_run_in_thread() runs the query on a thread from GLib's "
                    "pool (.NET: Task.Run). The worker never touches the window: progress goes to "
                    "the main thread with g_idle_add() (.NET: Dispatcher.Invoke), and the rows "
                    "come back as the task's result, in a callback on the main thread (.NET: the "
                    "code after await). What to watch: the clock keeps ticking, you can type, "
                    "Cancel works; the Threads view shows the wait on a worker and the hand-offs. "
                    "With many queries at once the pool runs about ten and adds threads slowly: "
                    "the rest wait in a queue."),
  .lesson = N_("A worker from GLib's thread pool waited for the server (g_task_run_in_thread, "
               "like .NET's Task.Run) while the main loop went on drawing. Progress messages came "
               "back through g_idle_add() and the rows through the task's callback, both on the "
               "main thread (like Dispatcher.Invoke, or the code after await)."),
  .can_cancel = TRUE,
  .start_query = gtask_start_query,
};
