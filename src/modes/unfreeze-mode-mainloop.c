/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Mode 4: main loop, no threads — libpq's asynchronous API on the GLib main loop.
 *
 * Waiting for a server needs no thread: a query is a socket, and the main loop can watch
 * sockets. This mode asks libpq to connect and to send without waiting
 * (PQconnectStartParams, PQsendQueryParams), tells the main loop which socket to watch and
 * for what (g_unix_fd_source_new), and does a little work each time the socket is ready.
 * In between, the main loop is free to draw, take clicks and serve the other queries:
 * fifty queries at once are fifty sockets on one thread, not fifty threads.
 *
 * Node.js works this way: one thread, an event loop, a callback when a socket is ready (its
 * pg driver drives libpq just like this). In .NET it is what truly asynchronous I/O does
 * under "await": no thread sits waiting for the answer.
 *
 * The price: the code becomes a state machine, and no callback may run long, or it freezes
 * the window like the blocking mode. So rows are read in slices of a few milliseconds.
 *
 * The story, from the bottom of the file up: mainloop_start_query() starts connecting;
 * socket_ready_cb() takes one step each time the socket is ready (connecting, then
 * sending and reading); read_results() takes the rows; finish() hands the connection back.
 */
#define G_LOG_DOMAIN "Unfreeze-MainLoop"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "unfreeze-mode.h"
#include "unfreeze-run.h"

#define SLICE_US 3000   /* the longest one callback spends on rows */
#define RESUME_MAX_WAIT_MS 20   /* the longest rows inside libpq wait for the loop to be idle */

typedef struct
{
  UnfreezeRun  *run;
  PGconn       *conn;
  gboolean      connected;
  gboolean      cancelled;
  GSource      *socket_source;   /* the connection's socket, ready for what we wait for */
  GSource      *resume_source;   /* an idle: more rows are already inside libpq */
  GSource      *resume_timer;    /* ... or a timer, when the loop is never idle */
  GSource      *cancel_source;   /* fires on the main loop when Cancel is pressed */
  GSource      *timeout_source;  /* fires when connecting takes longer than connect_timeout */
  guint         span;            /* the open CONNECT or QUERY span */
  UnfreezeRows *rows;
  GError       *error;
#ifdef LIBPQ_HAS_ASYNC_CANCEL
  PGcancelConn *cancel_conn;     /* libpq 17: a cancel request on its way, and its socket */
  GSource      *cancel_conn_source;
#endif
} Query;

static void finish (Query *query);
static gboolean socket_ready_cb (int fd, GIOCondition condition, gpointer user_data);
static gboolean resume_cb (gpointer user_data);

static GSource *
attach (GSource     *source,
        GSourceFunc  callback,
        Query       *query)
{
  g_source_set_callback (source, callback, query, NULL);
  g_source_attach (source, NULL);
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
fail (Query *query,
      int    code)
{
  if (query->error == NULL)
    unfreeze_query_set_conn_error (&query->error, query->conn, code);
  finish (query);
}

static GSource *
watch_fd (int                fd,
          GIOCondition       condition,
          GUnixFDSourceFunc  callback,
          Query             *query)
{
  /* LESSON: tell the main loop which socket to watch, and for what. It calls back when
   * the socket is ready; until then this query costs nothing, and no thread waits. */
  return attach (g_unix_fd_source_new (fd, condition | G_IO_HUP | G_IO_ERR),
                 G_SOURCE_FUNC (callback), query);
}

/* PQsocket() is asked every time: libpq may open a new socket while connecting (one per
 * address it tries). */
static void
watch_socket (Query        *query,
              GIOCondition  condition)
{
  clear_source (&query->socket_source);
  query->socket_source = watch_fd (PQsocket (query->conn), condition, socket_ready_cb, query);
}

static void
read_results (Query *query)
{
  gint64 deadline = g_get_monotonic_time () + SLICE_US;
  guint span = G_MAXUINT;
  gboolean over = FALSE;
  PGresult *result;

  /* LESSON: take only what libpq already holds (PQisBusy() is FALSE), and only for a few
   * milliseconds: a callback that runs long freezes the window like the blocking mode. */
  while (!PQisBusy (query->conn) && g_get_monotonic_time () < deadline)
    {
      result = PQgetResult (query->conn);
      if (result == NULL)
        {
          over = TRUE;   /* the statement is over, and the connection is idle again */
          break;
        }

      if (span == G_MAXUINT)
        {
          unfreeze_run_end_span (query->run, query->span);   /* the wait is over */
          span = unfreeze_run_begin_span (query->run, UNFREEZE_SPAN_FETCH);
        }

      /* A PGresult per row weighs kilobytes: the model copies the values. An error may
       * come after some rows; SQLSTATE 57014 is our cancel request taking effect. */
      if (PQresultStatus (result) == PGRES_SINGLE_TUPLE && !query->cancelled)
        unfreeze_rows_copy_result (query->rows, result);
      else if (query->error == NULL)
        unfreeze_query_check_result (query->conn, result, &query->error);
      PQclear (result);
    }
  unfreeze_run_end_span (query->run, span);

  /* The first rows go on screen at once; the list grows as more come (items-changed). */
  if (unfreeze_rows_commit (query->rows) > 0)
    unfreeze_run_show_rows (query->run, query->rows);

  if (over)
    finish (query);
  else if (PQisBusy (query->conn))
    watch_socket (query, G_IO_IN);
  else
    {
      /* Meanwhile stop reading the socket: the server waits, like a paused Node.js stream. */
      clear_source (&query->socket_source);
      /* LESSON: rows already inside libpq never wake the socket again: go on from an idle,
       * after whatever else the loop has to do first (a frame, a click, the other queries).
       * An idle waits for a moment with nothing else to do, which a busy window (frames
       * slower than the screen) never has: a timer makes sure the rows still come. */
      query->resume_source = attach (g_idle_source_new (), resume_cb, query);
      query->resume_timer = attach (g_timeout_source_new (RESUME_MAX_WAIT_MS), resume_cb, query);
    }
}

static gboolean
resume_cb (gpointer user_data)
{
  Query *query = user_data;

  clear_source (&query->resume_source);
  clear_source (&query->resume_timer);
  read_results (query);

  return G_SOURCE_REMOVE;
}

static void
continue_query (Query *query)
{
  int flushed = 0;

  /* LESSON: each time the socket is ready: take in what has arrived (PQconsumeInput), send
   * what is left (PQflush returns 1 while it cannot send it all), then read. Never wait. */
  if (!PQconsumeInput (query->conn) || (flushed = PQflush (query->conn)) < 0)
    fail (query, UNFREEZE_DATABASE_ERROR_LOST);
  else if (flushed == 1)
    watch_socket (query, G_IO_IN | G_IO_OUT);
  else
    read_results (query);
}

static void
send_query (Query *query)
{
  query->connected = TRUE;
  clear_source (&query->timeout_source);
  unfreeze_run_end_span (query->run, query->span);
  unfreeze_run_show_progress (query->run, _("Waiting for the server; the main loop is free"));

  PQsetnonblocking (query->conn, 1);
  /* LESSON: send without waiting for the answer. */
  if (!unfreeze_query_send (query->conn, unfreeze_run_get_ticker (query->run),
                            unfreeze_run_get_delay (query->run), &query->error))
    {
      finish (query);
      return;
    }
  /* One result per row: rows can be shown while more are on their way. */
  PQsetSingleRowMode (query->conn);

  query->span = unfreeze_run_begin_span (query->run, UNFREEZE_SPAN_QUERY);
  continue_query (query);
}

static gboolean
socket_ready_cb (int           fd,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  Query *query = user_data;

  if (query->connected)
    {
      continue_query (query);
      return G_SOURCE_CONTINUE;   /* our sources come and go with watch_socket() and finish() */
    }

  /* LESSON: one step of the connection. PQconnectPoll() never waits: it says what to wait for. */
  switch (PQconnectPoll (query->conn))
    {
    case PGRES_POLLING_READING:
      watch_socket (query, G_IO_IN);
      break;

    case PGRES_POLLING_WRITING:
    case PGRES_POLLING_ACTIVE:   /* no longer used by libpq */
      watch_socket (query, G_IO_OUT);
      break;

    case PGRES_POLLING_OK:
      send_query (query);
      break;

    case PGRES_POLLING_FAILED:
    default:
      fail (query, UNFREEZE_DATABASE_ERROR_CONNECT);
      break;
    }

  return G_SOURCE_CONTINUE;
}

#ifdef LIBPQ_HAS_ASYNC_CANCEL
/* libpq 17: the cancel request is a small connection of its own, driven the same way. */
static gboolean
cancel_ready_cb (int           fd,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  Query *query = user_data;
  PostgresPollingStatusType status = PQcancelPoll (query->cancel_conn);

  clear_source (&query->cancel_conn_source);
  if (status == PGRES_POLLING_READING || status == PGRES_POLLING_WRITING)
    {
      query->cancel_conn_source = watch_fd (PQcancelSocket (query->cancel_conn),
                                            status == PGRES_POLLING_READING ? G_IO_IN : G_IO_OUT,
                                            cancel_ready_cb, query);
      return G_SOURCE_CONTINUE;
    }

  if (status != PGRES_POLLING_OK)
    g_warning ("Could not send the cancel request: %s", PQcancelErrorMessage (query->cancel_conn));
  g_clear_pointer (&query->cancel_conn, PQcancelFinish);

  return G_SOURCE_CONTINUE;
}
#else
static GQueue cancel_queue = G_QUEUE_INIT;   /* of Query: waiting to send a cancel request */
static GSource *cancel_turn_source;

/* Before libpq 17, PQcancel() blocks, the one wait left in this mode: it opens a connection
 * to deliver the request, and the server starts a process for it (a few ms over a Unix
 * socket on an idle machine, tens on a busy one). So with many queries the requests take
 * turns, one per turn of the main loop, and the window draws in between. */
static gboolean
cancel_turn_cb (gpointer user_data)
{
  Query *query = g_queue_pop_head (&cancel_queue);
  PGcancel *cancel = query != NULL ? PQgetCancel (query->conn) : NULL;
  char message[256] = "";

  if (cancel != NULL && !PQcancel (cancel, message, sizeof message))
    g_warning ("Could not send the cancel request: %s", message);
  g_clear_pointer (&cancel, PQfreeCancel);

  if (!g_queue_is_empty (&cancel_queue))
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&cancel_turn_source, g_source_unref);
  return G_SOURCE_REMOVE;
}
#endif

static void
send_cancel_request (Query *query)
{
#ifdef LIBPQ_HAS_ASYNC_CANCEL
  query->cancel_conn = PQcancelCreate (query->conn);
  if (PQcancelStart (query->cancel_conn))
    {
      /* Like connecting: wait until the new socket is writable. */
      query->cancel_conn_source = watch_fd (PQcancelSocket (query->cancel_conn), G_IO_OUT,
                                            cancel_ready_cb, query);
      return;
    }
  g_warning ("Could not send the cancel request: %s", PQcancelErrorMessage (query->cancel_conn));
  g_clear_pointer (&query->cancel_conn, PQcancelFinish);
#else
  g_queue_push_tail (&cancel_queue, query);
  if (cancel_turn_source == NULL)
    cancel_turn_source = attach (g_idle_source_new (), cancel_turn_cb, NULL);
#endif
}

/* Main thread: g_cancellable_source_new() brings Cancel here through the main loop. */
static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  Query *query = user_data;

  clear_source (&query->cancel_source);
  query->cancelled = TRUE;

  /* Not connected yet: nothing runs on the server; just stop connecting. */
  if (!query->connected)
    {
      finish (query);
      return G_SOURCE_REMOVE;
    }

  /* LESSON: ask the server to stop, then keep reading: the statement ends with an error
   * (SQLSTATE 57014) and PQgetResult() returns NULL, so the connection is idle again. */
  send_cancel_request (query);

  return G_SOURCE_REMOVE;
}

static void
finish (Query *query)
{
  UnfreezeDatabase *database = unfreeze_run_get_database (query->run);

  /* LESSON: stop watching before the connection is closed or goes back to the pool:
   * from then on the socket is not ours. */
  clear_source (&query->socket_source);
  clear_source (&query->resume_source);
  clear_source (&query->resume_timer);
  clear_source (&query->cancel_source);
  clear_source (&query->timeout_source);
  unfreeze_run_end_span (query->run, query->span);

#ifdef LIBPQ_HAS_ASYNC_CANCEL
  /* A cancel request still on its way could stop the connection's next statement. */
  if (query->cancel_conn != NULL)
    {
      clear_source (&query->cancel_conn_source);
      g_clear_pointer (&query->cancel_conn, PQcancelFinish);
      unfreeze_database_close (database, g_steal_pointer (&query->conn));
    }
#else
  g_queue_remove (&cancel_queue, query);
#endif

  /* Only an idle, healthy connection goes back to the pool; release() closes any other. */
  if (query->connected && query->conn != NULL)
    PQsetnonblocking (query->conn, 0);
  unfreeze_database_release (database, g_steal_pointer (&query->conn));

  if (query->cancelled && query->error == NULL)
    g_set_error_literal (&query->error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The query was cancelled"));
  if (query->error == NULL)
    unfreeze_run_show_rows (query->run, query->rows);   /* an empty list, if no row came */
  else if (!g_error_matches (query->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    unfreeze_run_show_error (query->run, query->error);

  /* Already on the main thread: no hop needed to say we are done. */
  unfreeze_run_query_done (query->run, g_steal_pointer (&query->error));

  g_object_unref (query->rows);
  g_object_unref (query->run);
  g_free (query);
}

/* The connection's connect_timeout, by libpq's rules: 0 (or none) waits for ever, and less
 * than 2 s means 2 s. */
static guint
connect_timeout_seconds (PGconn *conn)
{
  PQconninfoOption *options = PQconninfo (conn);
  guint64 seconds = 0;

  for (PQconninfoOption *option = options; option != NULL && option->keyword != NULL; option++)
    if (g_str_equal (option->keyword, "connect_timeout") && option->val != NULL)
      g_ascii_string_to_unsigned (option->val, 10, 0, G_MAXUINT, &seconds, NULL);
  PQconninfoFree (options);

  return seconds == 0 ? 0 : MAX ((guint) seconds, 2);
}

static gboolean
connect_timeout_cb (gpointer user_data)
{
  Query *query = user_data;

  g_set_error (&query->error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_CONNECT,
               _("Could not connect: timeout expired (the server did not answer within "
                 "connect_timeout, %u s)"), connect_timeout_seconds (query->conn));
  finish (query);

  return G_SOURCE_REMOVE;
}

static void
mainloop_start_query (UnfreezeRun *run,
                      guint        index)
{
  UnfreezeDatabase *database = unfreeze_run_get_database (run);
  Query *query = g_new0 (Query, 1);
  guint timeout;

  query->run = g_object_ref (run);
  query->rows = unfreeze_rows_new ();
  query->span = unfreeze_run_begin_span (run, UNFREEZE_SPAN_CONNECT);
  query->cancel_source = attach (g_cancellable_source_new (unfreeze_run_get_cancellable (run)),
                                 G_SOURCE_FUNC (cancelled_cb), query);

  /* A connection left idle by an earlier run needs no connecting at all. */
  if ((query->conn = unfreeze_database_try_acquire_idle (database)) != NULL)
    {
      send_query (query);
      return;
    }

  /* LESSON: start connecting without waiting. Only a host *name* would still block, in
   * getaddrinfo() inside libpq (hostaddr= or a socket directory, as our built-in server
   * uses, avoid it). */
  query->conn = unfreeze_database_connect_start (database, &query->error);
  if (query->conn == NULL)
    {
      finish (query);
      return;
    }

  unfreeze_run_show_progress (run, _("Connecting without waiting…"));
  /* libpq's rule: before the first PQconnectPoll(), wait until the socket is writable. */
  watch_socket (query, G_IO_OUT);

  /* LESSON: keep the clock yourself. PQconnectPoll() never looks at it (only libpq's own
   * waiting does), so a server that accepts the connection and never answers would keep
   * this query waiting for ever. */
  if ((timeout = connect_timeout_seconds (query->conn)) > 0)
    query->timeout_source = attach (g_timeout_source_new_seconds (timeout), connect_timeout_cb, query);
}

const UnfreezeMode unfreeze_mode_mainloop = {
  .id = "mainloop",
  .title = N_("Main loop, no threads"),
  .subtitle = N_("libpq's asynchronous API on the main loop: one thread, like Node.js"),
  .explanation = N_("What happens: no thread at all. libpq connects and sends without waiting "
                    "(PQconnectStartParams, PQsendQueryParams); the main loop watches the connection's "
                    "socket and calls back when data arrives, and each callback reads a few "
                    "milliseconds' worth of rows. What to watch: the window stays alive and the thread "
                    "count does not move, even with 200 queries at once. Why: waiting for a server is "
                    "waiting on a socket, and one main loop can watch many sockets. This is how Node.js "
                    "works, and what truly asynchronous I/O does under .NET's await. The price: the code "
                    "becomes a state machine in which no callback may run long."),
  .lesson = N_("No thread waited: the main loop watched the connection's socket and ran a short "
               "callback whenever it was ready (PQconnectPoll, PQflush, PQconsumeInput, "
               "PQgetResult), like Node.js on its event loop or truly asynchronous I/O under "
               "await in .NET. Rows were read in slices of a few milliseconds, so the window "
               "kept drawing while they arrived, and Cancel asked the server to stop. Many "
               "queries at once are many sockets, not many threads."),
  .source_path = "/io/github/unfreeze/Unfreeze/modes/unfreeze-mode-mainloop.c",
  .can_cancel = TRUE,
  .start_query = mainloop_start_query,
};
