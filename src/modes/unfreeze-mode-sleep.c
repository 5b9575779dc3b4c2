/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Mode 5: sleep and hope — a worker runs the query, the main thread sleeps, then looks.
 *
 * A worker thread runs the query and puts the result in a shared slot. The main thread
 * "waits" for it the way many first attempts do: it sleeps for as long as the programmer
 * guessed the query takes, then reads the slot. The slot is read and written safely (a
 * mutex): there is no data race in this code. The race is in its logic: nothing makes the
 * worker finish before the sleep ends. When the query is quicker than the guess it "works",
 * which is why this pattern survives testing; when the server is slower, the result is not
 * there yet. And either way the main loop is frozen for the whole sleep.
 *
 * .NET: Thread.Sleep(2000) in a Click handler "to give the Task time to finish" — the
 * classic advice is never to use Thread.Sleep to deal with a race condition. The fix is to
 * be told when the work is done (a callback, await), as the GTask mode is.
 */
#define G_LOG_DOMAIN "Unfreeze-Sleep"

#include "config.h"

#include <glib/gi18n.h>

#include "unfreeze-mode.h"
#include "unfreeze-run.h"

/* How long the programmer guessed the query takes. Nothing checks the guess. */
#define GUESSED_QUERY_TIME_MS 2000

#define SLOTS_KEY "unfreeze-sleep-slots"

/* One query's shared slot: written by its worker, read by the main thread. */
typedef struct
{
  UnfreezeRun *run;
  guint        index;     /* of the query in the run */
  GThread     *thread;
  GMutex       lock;
  gboolean     done;      /* the worker has filled in result or error */
  PGresult    *result;
  GError      *error;
} Slot;

/* Main thread, from g_idle_add(): the worker has finished, however late. */
static gboolean
join_worker_cb (gpointer user_data)
{
  Slot *slot = user_data;

  g_thread_join (slot->thread);

  /* A result that came after the main thread stopped looking is dropped here. */
  g_clear_pointer (&slot->result, PQclear);
  g_clear_error (&slot->error);
  g_mutex_clear (&slot->lock);
  g_object_unref (slot->run);
  g_free (slot);

  return G_SOURCE_REMOVE;
}

/* Runs on the worker thread: a blocking query, as in the GTask mode. */
static gpointer
sleep_worker (gpointer user_data)
{
  Slot *slot = user_data;
  UnfreezeDatabase *database = unfreeze_run_get_database (slot->run);
  GError *error = NULL;
  PGresult *result = NULL;
  PGconn *conn;
  guint span;

  span = unfreeze_run_begin_span (slot->run, UNFREEZE_SPAN_CONNECT);
  conn = unfreeze_database_acquire (database, &error);
  unfreeze_run_end_span (slot->run, span);

  if (conn != NULL)
    {
      span = unfreeze_run_begin_span (slot->run, UNFREEZE_SPAN_QUERY);
      result = unfreeze_query_exec (conn,
                                    unfreeze_run_get_ticker (slot->run),
                                    unfreeze_run_get_delay (slot->run),
                                    unfreeze_run_wants_rows (slot->run, slot->index),
                                    &error);
      unfreeze_run_end_span (slot->run, span);
      unfreeze_database_release (database, conn);
    }

  /* Into the shared slot, under the lock: whoever reads it sees all of it or none. */
  g_mutex_lock (&slot->lock);
  slot->result = result;
  slot->error = error;
  slot->done = TRUE;
  g_mutex_unlock (&slot->lock);

  /* Bookkeeping, not the lesson: the thread is joined on the main thread. */
  unfreeze_run_mark (slot->run, UNFREEZE_SPAN_HANDOFF);
  g_idle_add (join_worker_cb, slot);

  return NULL;
}

/* Main thread, after the sleep: whatever the slot holds now is all this code will get. */
static void
read_slot (UnfreezeRun *run,
           Slot        *slot)
{
  g_autoptr(UnfreezeRows) rows = NULL;
  PGresult *result = NULL;
  GError *error = NULL;
  gboolean done;

  g_mutex_lock (&slot->lock);
  done = slot->done;
  result = g_steal_pointer (&slot->result);
  error = g_steal_pointer (&slot->error);
  g_mutex_unlock (&slot->lock);

  if (!done)
    {
      /* LESSON: the lost race. The worker is still busy: the sleep did not wait for it. */
      g_set_error (&error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_NOT_READY,
                   _("No result yet: the query took longer than the %d s the code slept for. "
                     "Sleeping does not wait for anything; it only guesses."),
                   GUESSED_QUERY_TIME_MS / 1000);
    }

  if (result != NULL)
    {
      rows = unfreeze_rows_new ();
      unfreeze_rows_append_result (rows, result);
      unfreeze_run_analyse (run, rows);   /* the CPU work: on the main thread, after the sleep */
      unfreeze_run_show_rows (run, slot->index, rows);
    }
  else
    {
      unfreeze_run_show_error (run, error);
    }

  unfreeze_run_query_done (run, error);
}

static void
sleep_start_query (UnfreezeRun *run,
                   guint        index)
{
  GPtrArray *slots = g_object_get_data (G_OBJECT (run), SLOTS_KEY);
  Slot *slot = g_new0 (Slot, 1);
  guint span;

  if (slots == NULL)
    {
      /* Not owning: each slot is freed when its worker is joined. */
      slots = g_ptr_array_new ();
      g_object_set_data_full (G_OBJECT (run), SLOTS_KEY, slots, (GDestroyNotify) g_ptr_array_unref);
    }

  g_mutex_init (&slot->lock);
  slot->run = g_object_ref (run);
  slot->index = index;
  slot->thread = g_thread_new ("sleep-worker", sleep_worker, slot);
  g_ptr_array_add (slots, slot);

  /* The run starts its queries one after the other, all before the main loop runs again:
   * the last one sleeps once for all of them. */
  if (index + 1 < unfreeze_run_get_count (run))
    return;

  /* Nobody will see this: the window cannot redraw during the sleep. */
  unfreeze_run_show_progress (run, _("Sleeping, and hoping the worker is done by then…"));

  span = unfreeze_run_begin_span (run, UNFREEZE_SPAN_SLEEP);
  /* LESSON: the guess. The main thread sleeps a fixed time: the window freezes, and the
   * worker is not waited for; it may be done long before, or not yet. */
  g_usleep (GUESSED_QUERY_TIME_MS * 1000);
  unfreeze_run_end_span (run, span);

  /* The workers' join_worker_cb()s are idles: they cannot have run yet, so every slot
   * is still here to read. */
  for (guint i = 0; i < slots->len; i++)
    read_slot (run, g_ptr_array_index (slots, i));
  g_object_set_data (G_OBJECT (run), SLOTS_KEY, NULL);
}

const UnfreezeMode unfreeze_mode_sleep = {
  .id = "sleep",
  .title = N_("Sleep and hope"),
  .subtitle = N_("A worker runs the query; the main thread sleeps 2 s and hopes it is done"),
  .explanation = N_("What happens: a worker runs the query while the main thread sleeps 2 seconds "
                    "with g_usleep(), a guess at how long the query takes, and then looks for the "
                    "result. What to watch: the window freezes for the sleep either way. With a "
                    "server delay under 2 s the rows appear and it seems to work; over 2 s there "
                    "is no result yet. Why: sleeping waits for time, not for the work; nothing "
                    "ties the two together. In .NET: Thread.Sleep to “give the Task time”; never "
                    "use sleep to deal with a race. The fix: be told when the work is done (a "
                    "callback, await), as the GTask mode is."),
  .lesson = N_("A worker thread ran the query while the main thread slept for a fixed 2 seconds, "
               "the time the programmer guessed the query takes, then looked for the result. The "
               "window was frozen for the whole sleep, whatever the delay. With a delay under "
               "2 s the result was there, so it seems to work, and that is why this pattern "
               "survives testing. With a longer delay it was not: the race was lost, and the "
               "late result was thrown away. Sleeping does not wait for anything; never use "
               "Thread.Sleep (or g_usleep) to deal with a race. Be told when the work is done, "
               "as the GTask mode is."),
  .can_cancel = FALSE,
  .start_query = sleep_start_query,
};
