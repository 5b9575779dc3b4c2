/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Mode 2: raw thread — the query moves to a GThread, and so does the UI update.
 *
 * Moving the wait off the main thread is the right idea: the window stays alive. The
 * mistake is the last step. The worker has the rows and puts them in the window itself,
 * from the worker thread. GTK is not thread-safe and does not check: in a real app this
 * races with the main loop and corrupts memory or crashes, at random, sometimes much later.
 *
 * Unfreeze's own UI-thread guard (unfreeze-ui-guard.c, not part of GTK) catches the
 * update, reports "Cross-thread UI access" and refuses it, so the rows never appear.
 * That is what .NET does: "Cross-thread operation not valid" from Task.Run code that
 * touches a control.
 */
#define G_LOG_DOMAIN "Unfreeze-Thread"

#include "config.h"

#include <glib/gi18n.h>

#include "unfreeze-mode.h"
#include "unfreeze-run.h"

typedef struct
{
  UnfreezeRun *run;
  guint        index;     /* of the query in the run */
  GThread     *thread;
  GError      *error;
} Job;

static gboolean thread_finished_cb (gpointer user_data);

/* Runs on the worker thread. */
static gpointer
thread_worker (gpointer user_data)
{
  Job *job = user_data;
  UnfreezeRun *run = job->run;
  UnfreezeDatabase *database = unfreeze_run_get_database (run);
  g_autoptr(UnfreezeRows) rows = NULL;
  PGresult *result = NULL;
  PGconn *conn;
  guint span;

  /* Background work at background priority, so the window's thread wins the CPU (200
   * threads parsing rows would otherwise take turns with it). This part is right. */
  unfreeze_mode_lower_worker_priority ();

  span = unfreeze_run_begin_span (run, UNFREEZE_SPAN_CONNECT);
  conn = unfreeze_database_acquire (database, &job->error);
  unfreeze_run_end_span (run, span);

  if (conn != NULL)
    {
      /* Only this thread waits here; the main loop carries on. */
      span = unfreeze_run_begin_span (run, UNFREEZE_SPAN_QUERY);
      result = unfreeze_query_exec (conn,
                                    unfreeze_run_get_ticker (run),
                                    unfreeze_run_get_delay (run),
                                    unfreeze_run_wants_rows (run, job->index),
                                    &job->error);
      unfreeze_run_end_span (run, span);
      unfreeze_database_release (database, conn);
    }

  /* LESSON: the mistake. Updating the window from the worker thread, as a newcomer would. */
  if (result != NULL)
    {
      rows = unfreeze_rows_new ();
      unfreeze_rows_append_result (rows, result);
      unfreeze_run_analyse (run, rows);              /* the CPU work: fine on this thread */
      unfreeze_run_show_rows (run, job->index, rows);   /* refused: not the UI thread */
    }
  else
    {
      unfreeze_run_show_error (run, job->error);     /* refused as well */
    }

  /* Bookkeeping, not the lesson: the app itself must learn, correctly, on the main
   * thread, that this query is over. (Doing the UI update the same way is the fix.) At
   * the default priority, not g_idle_add()'s lower one: a window whose frames take longer
   * than the screen's would never let an idle run, and the run would never end. */
  g_idle_add_full (G_PRIORITY_DEFAULT, thread_finished_cb, job, NULL);

  return NULL;
}

/* Runs on the main thread. */
static gboolean
thread_finished_cb (gpointer user_data)
{
  Job *job = user_data;

  g_thread_join (job->thread);
  unfreeze_run_query_done (job->run, g_steal_pointer (&job->error));
  g_object_unref (job->run);
  g_free (job);

  return G_SOURCE_REMOVE;
}

static void
thread_start_query (UnfreezeRun *run,
                    guint        index)
{
  Job *job = g_new0 (Job, 1);

  job->run = g_object_ref (run);
  job->index = index;
  job->thread = g_thread_new ("raw-worker", thread_worker, job);
}

const UnfreezeMode unfreeze_mode_thread = {
  .id = "thread",
  .title = N_("Raw thread"),
  .subtitle = N_("A GThread runs the query and updates the window itself: cross-thread error"),
  .explanation = N_("What happens: a new GThread runs the query (good: the main loop stays free), "
                    "then puts the rows into the window itself, from that thread (the mistake). "
                    "What to watch: the window stays alive, but the panel reports “Cross-thread UI "
                    "access”, the table stays empty, and the Threads view marks the refused update "
                    "in red. Why: GTK is not thread-safe; widgets belong to the main thread. GTK "
                    "does not check this: Unfreeze's own guard does, like .NET's “Cross-thread "
                    "operation not valid” after Task.Run. Without it the same code corrupts memory "
                    "or crashes at random. The fix: hand the result to the main thread with "
                    "g_idle_add()."),
  .lesson = N_("The worker thread got the rows, then tried to put them in the window itself. GTK "
               "has no check for this: the guard that refused it is Unfreeze's own, like .NET's "
               "“Cross-thread operation not valid”. Without it the same code races with the main "
               "loop and corrupts memory or crashes, at random. The fix: hand the result to the "
               "main loop with g_idle_add(), as the GTask mode does."),
  .can_cancel = FALSE,
  .start_query = thread_start_query,
  /* A new thread per query is dear, and 200 server processes that end their delay together
   * take every core: the run makes the threads a few milliseconds' worth per turn of the
   * main loop, spaced when the server waits (unfreeze_run_start()), so that 200 at once do
   * not keep the window from drawing. */
  .start_in_turns = TRUE,
};
