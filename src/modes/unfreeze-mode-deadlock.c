/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Mode 6: wait for the worker — the main thread and a worker wait for each other.
 *
 * The Run handler starts a worker and then waits for it on the main thread, to have the
 * result "right here" (.NET: Task.Wait() or .Result in a Click handler). The worker runs the
 * query and, before it returns, shows a progress message the correct way, on the main
 * thread, but synchronously: it queues the message with g_main_context_invoke() and waits
 * until it has been shown (.NET: Dispatcher.Invoke). That message can only be shown when the
 * main loop runs, and the main loop is stuck in the Run handler, waiting for the worker.
 * Each waits for the other, and neither ever stops: a deadlock. The window freezes for good.
 *
 * The fixes: never block the main thread on a task (be called back, as the GTask mode is;
 * .NET: await), or hand off without waiting (g_idle_add(); .NET: Dispatcher.BeginInvoke).
 *
 * So that the app survives its own lesson, the main thread's wait has a deadline: the app's
 * safety net, not part of the lesson (real code has none, and real code hangs). A few
 * seconds after every worker is stuck waiting for the main thread, the wait gives up, the
 * run reports the deadlock, the main loop runs the pending hand-offs, and the workers end.
 *
 * With more than one query, every worker is started first and the main thread waits for all
 * of them at once (.NET: Task.WaitAll): one freeze, one deadlock, every worker in it.
 */
#define G_LOG_DOMAIN "Unfreeze-Deadlock"

#include "config.h"

#include <glib/gi18n.h>

#include "unfreeze-mode.h"
#include "unfreeze-run.h"

/* The app's safety net, not the lesson: how long the main thread goes on waiting once every
 * worker is stuck waiting for it. */
#define SAFETY_NET_S 3

#define WAIT_KEY "unfreeze-deadlock-wait"

/* What the main thread and the workers of one run share, under one lock. */
typedef struct
{
  GMutex   lock;
  GCond    changed;       /* any field below, or a worker's message shown */
  guint    n_workers;
  guint    n_finished;    /* workers that have returned */
  guint    n_stuck;       /* workers waiting for the main thread (the safety net counts) */
  gint64   all_stuck_us;  /* when every worker was waiting for the main thread; 0: not yet */
  gboolean gave_up;       /* the safety net ended the main thread's wait */
} Wait;

/* One worker: its query's outcome, and its message for the main thread. */
typedef struct
{
  UnfreezeRun *run;
  guint        index;     /* of the query in the run */
  Wait        *wait;      /* a reference */
  GThread     *thread;
  PGresult    *result;
  GError      *error;
  gboolean     shown;     /* under wait->lock: the main thread has shown the message */
} Worker;

static void
wait_clear (Wait *wait)
{
  g_mutex_clear (&wait->lock);
  g_cond_clear (&wait->changed);
}

static void
wait_unref (Wait *wait)
{
  g_atomic_rc_box_release_full (wait, (GDestroyNotify) wait_clear);
}

/* The safety net ------------------------------------------------------------------------ */

/* Worker, under the lock: one more worker is waiting for the main thread. */
static void
safety_net_note_stuck (Wait *wait)
{
  if (++wait->n_stuck == wait->n_workers)
    wait->all_stuck_us = g_get_monotonic_time ();
  g_cond_broadcast (&wait->changed);
}

/* Main thread, under the lock: waits for a change, or until the safety net's deadline.
 * Returns FALSE once the deadline has passed. */
static gboolean
safety_net_wait (Wait *wait)
{
  gint64 deadline;

  if (wait->all_stuck_us == 0)
    {
      g_cond_wait (&wait->changed, &wait->lock);
      return TRUE;
    }

  deadline = wait->all_stuck_us + SAFETY_NET_S * G_USEC_PER_SEC;
  g_cond_wait_until (&wait->changed, &wait->lock, deadline);

  return g_get_monotonic_time () < deadline;
}

/* The worker ---------------------------------------------------------------------------- */

/* Main thread, when the main loop runs again: shows the worker's message, then lets the
 * worker go on. */
static gboolean
show_message_cb (gpointer user_data)
{
  Worker *worker = user_data;
  guint span = unfreeze_run_begin_span (worker->run, UNFREEZE_SPAN_IDLE);

  unfreeze_run_show_progress (worker->run, _("Worker thread: the query is done"));
  unfreeze_run_end_span (worker->run, span);

  g_mutex_lock (&worker->wait->lock);
  worker->shown = TRUE;
  g_cond_broadcast (&worker->wait->changed);
  g_mutex_unlock (&worker->wait->lock);

  return G_SOURCE_REMOVE;
}

/* Main thread, from an idle: the worker has returned. Bookkeeping, not the lesson. */
static gboolean
join_worker_cb (gpointer user_data)
{
  Worker *worker = user_data;
  g_autoptr(UnfreezeRun) run = worker->run;
  GError *error;

  g_thread_join (worker->thread);
  error = g_steal_pointer (&worker->error);

  /* A query that failed says why; otherwise the outcome is the deadlock, and the rows the
   * main thread stopped waiting for are dropped. */
  if (error != NULL)
    unfreeze_run_show_error (run, error);
  else if (worker->wait->gave_up)
    error = g_error_new_literal (UNFREEZE_RUN_ERROR, UNFREEZE_RUN_ERROR_DEADLOCK,
                                 _("The main thread and the worker waited for each other"));
  else
    {
      g_autoptr(UnfreezeRows) rows = unfreeze_rows_new ();

      unfreeze_rows_append_result (rows, g_steal_pointer (&worker->result));
      unfreeze_run_show_rows (run, worker->index, rows);
    }

  g_clear_pointer (&worker->result, PQclear);
  wait_unref (worker->wait);
  g_free (worker);
  unfreeze_run_query_done (run, error);

  return G_SOURCE_REMOVE;
}

/* Worker thread. */
static gpointer
deadlock_worker (gpointer user_data)
{
  Worker *worker = user_data;
  Wait *wait = worker->wait;
  UnfreezeDatabase *database = unfreeze_run_get_database (worker->run);
  guint span = unfreeze_run_begin_span (worker->run, UNFREEZE_SPAN_CONNECT);
  PGconn *conn = unfreeze_database_acquire (database, &worker->error);

  unfreeze_run_end_span (worker->run, span);
  if (conn != NULL)
    {
      span = unfreeze_run_begin_span (worker->run, UNFREEZE_SPAN_QUERY);
      worker->result = unfreeze_query_exec (conn,
                                            unfreeze_run_get_ticker (worker->run),
                                            unfreeze_run_get_delay (worker->run),
                                            unfreeze_run_wants_rows (worker->run, worker->index),
                                            &worker->error);
      unfreeze_run_end_span (worker->run, span);
      unfreeze_database_release (database, conn);
    }

  /* LESSON: the hand-off that waits (.NET: Dispatcher.Invoke). The message is queued for the
   * main loop, and the worker waits until it has been shown. */
  g_main_context_invoke (NULL, show_message_cb, worker);
  span = unfreeze_run_begin_span (worker->run, UNFREEZE_SPAN_WAIT_UI);
  g_mutex_lock (&wait->lock);
  safety_net_note_stuck (wait);   /* the app's safety net, not the lesson */
  while (!worker->shown)
    g_cond_wait (&wait->changed, &wait->lock);
  wait->n_finished++;
  g_cond_broadcast (&wait->changed);
  g_mutex_unlock (&wait->lock);
  unfreeze_run_end_span (worker->run, span);

  unfreeze_run_mark (worker->run, UNFREEZE_SPAN_HANDOFF);
  /* At the default priority: a main loop that is never idle (frames slower than the
   * screen) would never get down to a default idle, and the run would never end. */
  g_idle_add_full (G_PRIORITY_DEFAULT, join_worker_cb, worker, NULL);

  return NULL;
}

/* The Run handler ----------------------------------------------------------------------- */

static void
deadlock_start_query (UnfreezeRun *run,
                      guint        index)
{
  Wait *wait = g_object_get_data (G_OBJECT (run), WAIT_KEY);
  Worker *worker = g_new0 (Worker, 1);
  gboolean gave_up;
  guint span;

  if (wait == NULL)
    {
      wait = g_atomic_rc_box_new0 (Wait);
      g_mutex_init (&wait->lock);
      g_cond_init (&wait->changed);
      wait->n_workers = unfreeze_run_get_count (run);
      g_object_set_data_full (G_OBJECT (run), WAIT_KEY, wait, (GDestroyNotify) wait_unref);
      /* In the app the main thread owns its main loop's context while a callback runs; this
       * makes it so when a test calls the handler directly, too. */
      g_main_context_acquire (NULL);
    }

  worker->run = g_object_ref (run);
  worker->index = index;
  worker->wait = g_atomic_rc_box_acquire (wait);
  /* LESSON: the task (.NET: Task.Run). */
  worker->thread = g_thread_new ("deadlock-worker", deadlock_worker, worker);

  /* The run starts its queries one after the other: the last one waits for all of them. */
  if (index + 1 < unfreeze_run_get_count (run))
    return;

  span = unfreeze_run_begin_span (run, UNFREEZE_SPAN_WAIT_WORKER);
  g_mutex_lock (&wait->lock);
  /* LESSON: the main thread waits for the worker (.NET: Task.Wait(), .Result). The main loop
   * cannot run until it returns, and the worker's message needs the main loop. */
  while (wait->n_finished < wait->n_workers)
    {
      /* g_cond_wait(), with the app's safety net (not the lesson): real code waits for good. */
      if (!safety_net_wait (wait))
        break;
    }
  gave_up = wait->n_finished < wait->n_workers;
  wait->gave_up = gave_up;
  g_mutex_unlock (&wait->lock);
  unfreeze_run_end_span (run, span);

  g_main_context_release (NULL);
  g_object_set_data (G_OBJECT (run), WAIT_KEY, NULL);

  /* The safety net reports it; the main loop now runs the workers' messages, and they end. */
  if (gave_up)
    unfreeze_run_show_progress (run, _("Deadlock: the app's safety net ended the main thread's "
                                       "wait; the workers' messages are shown now"));
}

const UnfreezeMode unfreeze_mode_deadlock = {
  .id = "deadlock",
  .title = N_("Wait for the worker"),
  .subtitle = N_("The main thread waits for a worker that waits for the main thread: a deadlock"),
  .explanation = N_("What happens: the Run handler starts a worker and waits for it on the main "
                    "thread (.NET: Task.Wait() or .Result in a Click handler). The worker runs "
                    "the query, then hands a message to the main thread with "
                    "g_main_context_invoke() and waits until it has been shown (.NET: "
                    "Dispatcher.Invoke). The message needs the main loop, and the main loop is "
                    "stuck waiting for the worker. What to watch: the window freezes; the "
                    "Threads view shows the two waits pointing at each other. Real code would "
                    "hang for good: the app's safety net, not part of the lesson, ends the "
                    "main thread's wait 3 s after the worker got stuck, and reports the "
                    "deadlock. With several queries the main thread waits for all of them "
                    "(Task.WaitAll). The fixes: don't block the main thread on a task (a "
                    "callback, as in the GTask mode; .NET: await), or hand off without "
                    "waiting (g_idle_add(); .NET: Dispatcher.BeginInvoke)."),
  .lesson = N_("The main thread waited for the worker (like Task.Wait() in a Click handler), "
               "and the worker, before returning, waited for the main thread to show its "
               "message (like Dispatcher.Invoke). Each waited for the other: a deadlock, and "
               "the window froze. Real code would stay frozen for good; here the app's safety "
               "net, not part of the lesson, ended the wait after a few seconds. The fixes: "
               "don't block the main thread on a task (be called back, or await), or hand "
               "off without waiting (g_idle_add(), Dispatcher.BeginInvoke)."),
  .can_cancel = FALSE,
  .start_query = deadlock_start_query,
};
