/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Mode 1: blocking — the query runs on the main thread.
 *
 * This is what most first versions of a database app do: the Run button's handler asks the
 * database and waits for the answer. While it waits, the main thread is inside libpq, not in
 * the main loop, so nothing else happens: no redraw, no animation, no typing, no Cancel.
 * When the answer comes, everything that piled up happens at once.
 *
 * .NET: calling a synchronous method (or .Result on a Task) in a button's Click handler.
 */
#define G_LOG_DOMAIN "Unfreeze-Blocking"

#include "config.h"

#include <glib/gi18n.h>

#include "unfreeze-mode.h"
#include "unfreeze-run.h"

static void
blocking_start_query (UnfreezeRun *run,
                      guint        index)
{
  UnfreezeDatabase *database = unfreeze_run_get_database (run);
  g_autoptr(UnfreezeRows) rows = NULL;
  g_autoptr(GError) error = NULL;
  PGresult *result = NULL;
  PGconn *conn;
  guint span;

  /* Nobody will see this text until the query is over: the window cannot redraw. */
  unfreeze_run_show_progress (run, _("Running the query on the main thread…"));

  span = unfreeze_run_begin_span (run, UNFREEZE_SPAN_CONNECT);
  conn = unfreeze_database_acquire (database, &error);
  unfreeze_run_end_span (run, span);

  if (conn != NULL)
    {
      span = unfreeze_run_begin_span (run, UNFREEZE_SPAN_QUERY);
      /* LESSON: the freeze. The main loop is stuck on this call until the server answers. */
      result = unfreeze_query_exec (conn,
                                    unfreeze_run_get_ticker (run),
                                    unfreeze_run_get_delay (run),
                                    unfreeze_run_wants_rows (run, index),
                                    &error);
      unfreeze_run_end_span (run, span);
      unfreeze_database_release (database, conn);
    }

  /* We are on the main thread, so updating the window is allowed: it was never the problem. */
  if (result != NULL)
    {
      rows = unfreeze_rows_new ();
      unfreeze_rows_append_result (rows, result);
      unfreeze_run_analyse (run, rows);   /* the CPU work, here too: more of the freeze */
      unfreeze_run_show_rows (run, index, rows);
    }
  else
    {
      unfreeze_run_show_error (run, error);
    }

  unfreeze_run_query_done (run, g_steal_pointer (&error));
}

const UnfreezeMode unfreeze_mode_blocking = {
  .id = "blocking",
  .title = N_("Blocking"),
  .subtitle = N_("The query runs on the main thread: the window freezes"),
  .explanation = N_("What happens: the Run handler calls PQexecParams() and waits for the answer "
                    "on the main thread, the thread that also runs the GLib main loop, which draws "
                    "the window and handles input. What to watch: the clock and the pulse bar "
                    "stop, typing does nothing, Cancel cannot be clicked; afterwards the graph "
                    "shows one tall red bar. Why: GTK draws and reacts only when the main loop "
                    "gets to run, and a call that blocks inside a callback holds it. The fix: wait "
                    "somewhere else, on a worker (GTask) or with asynchronous I/O on the main "
                    "loop. In .NET: a synchronous call, or .Result, in a Click handler."),
  .lesson = N_("The query ran on the main thread, inside the Run handler. While PQexecParams() "
               "waited for the server, the main loop could not run: no frame was drawn, the clock "
               "stopped, your typing waited. Then everything caught up at once. The fix is to wait "
               "somewhere else: see the GTask mode."),
  .can_cancel = FALSE,
  .start_query = blocking_start_query,
};
