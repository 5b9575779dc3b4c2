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
 * the window like the blocking mode. So the socket work of all the queries together gets a
 * few milliseconds per turn of the main loop, at a priority just below GTK's drawing, and
 * what does not fit waits for the next turn; connections are started a few at a time, and
 * statements that make the server wait are sent spaced (the server shares this machine's
 * cores); a host name is looked up by GLib's resolver, not inside libpq; Cancel is a statement on
 * another connection, not libpq's blocking PQcancel(). And every call into libpq is timed:
 * async is only as async as its weakest call, so one that takes 2 ms or more shows in the
 * Threads view as a blocking call on the main thread.
 *
 * The story, from the bottom of the file up: mainloop_start_query() queues the query;
 * step() takes it one step each time its socket is ready and the turn has time left
 * (looking up the host, connecting, then sending and reading); read_results() takes the
 * rows; finish() hands the connection back, and rows_done() shows the rows.
 * cancel_query() asks the server to stop.
 */
#define G_LOG_DOMAIN "Unfreeze-MainLoop"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "unfreeze-mode-mainloop.h"
#include "unfreeze-run.h"

/* Just after GTK's drawing (GDK_PRIORITY_REDRAW is G_PRIORITY_HIGH_IDLE + 20): a frame
 * that is due is drawn before any socket work, but the sockets still go before the default
 * idles. Every source of this mode runs at it, but the safety net below. */
#define SOCKET_PRIORITY (G_PRIORITY_HIGH_IDLE + 30)

#define TURN_BUDGET_US 4000   /* socket work per turn of the main loop, all queries together */
/* Connections being opened at once: one per core. Each one makes the server start a
 * process, which costs tens of milliseconds of CPU; two hundred at once keep every core busy
 * with that, the window's thread included (measured on 2 cores, 200 queries at once: 8 at a
 * time 3.4 s and 70 ms stalls, 2 at a time 3.2 s and 31 ms). Opened connections all run
 * their queries at once, whatever this is. */
#define MAX_CONNECTING (MAX (2u, g_get_num_processors ()))
#define SAFETY_NET_MS  20     /* the longest work waits when the loop never gets down to us */
/* Statements that make the server wait (a delay) are sent at most one per core every this
 * long (see spacing_wait()). A statement of the demo's 2,600 rows costs its server process
 * about 1.3 ms of CPU when its delay ends, so spaced this way the server's processes, waking
 * one after another, leave most of the cores free. Measured on 2 cores, 200 at once: spaced
 * 2 ms, stalls of 19-23 ms remained; 3 ms, none over 16.7 ms. A statement that fetches no
 * rows (unfreeze_run_wants_rows()) costs its process about 0.4 ms: 200 at once on 2 cores,
 * three runs each, not spaced: stalls of 14-25 ms; 0.5 ms apart: 17-23 ms; 0.75 ms: 12-15 ms
 * and the run over in 1.15 s; 1 ms: 14-18 ms, 1.2 s (bench/README.md, runs J). */
#define SEND_SPACING_US         6000
#define SEND_SPACING_NO_ROWS_US 1500

/* libpq < 17 has no non-blocking PQcancel(): one statement asks the server instead. */
static const char cancel_sql[] = "SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) AS pid";

typedef enum
{
  QUERY_WAITING,      /* queued: not connecting yet */
  QUERY_RESOLVING,    /* GLib's resolver looks up the host name */
  QUERY_RESOLVED,     /* queued: its addresses are known */
  QUERY_CONNECTING,   /* PQconnectPoll() steps */
  QUERY_RUNNING,      /* sent: reading */
  QUERY_DONE,         /* over, waiting for its cancel request's answer (then finished) */
} QueryState;

typedef struct _Query Query;
typedef struct _Lookup Lookup;

struct _Query
{
  UnfreezeRun  *run;
  guint         index;           /* in the run */
  PGconn       *conn;
  QueryState    state;
  gboolean      cancelled;
  gboolean      connecting;      /* counted in loop.n_connecting */
  gboolean      spaced;          /* has had its turn to be sent (see spacing_wait()) */
  gint64        send_at_us;      /* ... and when that is */
  GList         link;            /* in loop.queries */
  GList         ready_link;      /* in loop.ready, while queued */
  GSource      *socket_source;   /* the connection's socket, ready for what we wait for */
  GIOCondition  waiting_for;     /* ... and what that is */
  GSource      *cancel_source;   /* fires on the main loop when Cancel is pressed */
  GSource      *timeout_source;  /* fires when connecting takes longer than connect_timeout */
  Lookup       *lookup;          /* the host name's lookup, while resolving */
  char         *host;            /* the host name looked up, and its addresses */
  GList        *addresses;
  guint         span;            /* the open CONNECT or QUERY span */
  UnfreezeRows *rows;            /* NULL: its rows are read and dropped */
  GError       *error;
  UnfreezeMainLoopRowsFunc rows_done;   /* what happens once the query is over */

  /* A cancel request (libpq < 17) is a Query too: the statement on another connection. */
  gboolean      is_canceller;
  GPtrArray    *targets;         /* canceller: the queries it asks the server to stop */
  gboolean      sent;            /* canceller: its statement is on its way */
  Query        *canceller;       /* target: the request that will stop it */
#ifdef LIBPQ_HAS_ASYNC_CANCEL
  PGcancelConn *cancel_conn;     /* libpq 17: a cancel request on its way, and its socket */
  GSource      *cancel_conn_source;
#endif
};

struct _Lookup
{
  Query        *query;           /* NULL once the query is over */
  GCancellable *cancellable;
  char         *host;
};

/* The mode's share of the main loop. Main thread only. */
static struct
{
  GQueue   queries;              /* every query still going (cancellers too) */
  GQueue   ready;                /* queries with work, waiting for time in a turn */
  GQueue   waiting;              /* queries waiting for a connection to be opened for them */
  guint    n_connecting;
  GSource *turn_source;          /* starts each turn; runs the ready queries */
  GSource *safety_net;           /* a timer: when the loop never gets down to us */
  gint64   spent_us;             /* socket work done in this turn */
  gint64   turn_began_us;        /* when the loop last got down to our priority */
  gboolean in_turn;              /* running the ready queries */
  UnfreezeCallClock turn_clock;  /* the thread's counters when this turn's work began */
  GQueue   spaced;               /* queries waiting for their time to be sent, in order */
  gint64   last_send_at_us;      /* the time given to the last query spaced */
  GSource *spacing_source;       /* a timer: the first spaced query's time */
} loop;

static void finish (Query *query);
static void step (Query *query);
static void cancel_query (Query *query);

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

/* The budget ---------------------------------------------------------------------------- */

static gboolean
have_time (void)
{
  return loop.spent_us < TURN_BUDGET_US;
}

/* What read_results() may still spend in this turn. */
static gint64
turn_deadline (void)
{
  return g_get_monotonic_time () + MAX (TURN_BUDGET_US - loop.spent_us, 0);
}

static void
queue_ready (Query *query)
{
  if (query->ready_link.data == NULL)
    {
      query->ready_link.data = query;
      g_queue_push_tail_link (&loop.ready, &query->ready_link);
    }
}

static void
unqueue_ready (Query *query)
{
  if (query->ready_link.data != NULL)
    {
      g_queue_unlink (&loop.ready, &query->ready_link);
      query->ready_link.data = NULL;
    }
}

/* Queries waiting for a connection get a slot to open one, as far as MAX_CONNECTING allows
 * (the slot is theirs from now on: counted before they even start). */
static void
pump_waiting (void)
{
  Query *next;

  while (loop.n_connecting < MAX_CONNECTING && (next = g_queue_pop_head (&loop.waiting)) != NULL)
    {
      next->connecting = TRUE;
      loop.n_connecting++;
      queue_ready (next);
    }
}

/* A connection is open (or failed, or was not needed): its slot goes to the next query. */
static void
connecting_end (Query *query)
{
  if (!query->connecting)
    return;
  query->connecting = FALSE;
  loop.n_connecting--;
  pump_waiting ();
}

/* Socket work begins in this callback: the thread's counters are read once, here, and each
 * call made until work_end() is judged against them (see call_begin()). */
static gboolean
work_begin (void)
{
  gboolean was_in_turn = loop.in_turn;

  if (!was_in_turn)
    unfreeze_call_clock_read (&loop.turn_clock);
  loop.in_turn = TRUE;

  return was_in_turn;
}

static void
work_end (gboolean was_in_turn)
{
  loop.in_turn = was_in_turn;
}

static void
run_ready (void)
{
  gboolean was_in_turn = work_begin ();
  GList *link;

  while (have_time () && (link = g_queue_pop_head_link (&loop.ready)) != NULL)
    {
      Query *query = link->data;

      link->data = NULL;
      step (query);
    }
  work_end (was_in_turn);
}

/* LESSON: a turn of the main loop begins: its sources get ready to be polled. Ours starts
 * the budget again. It runs only when nothing of a higher priority is ready, such as a frame
 * that is due, so the window draws between two turns of socket work. */
static gboolean
turn_prepare (GSource *source,
              int     *timeout)
{
  loop.spent_us = 0;
  loop.turn_began_us = g_get_monotonic_time ();
  *timeout = -1;

  return !g_queue_is_empty (&loop.ready);
}

static gboolean
turn_check (GSource *source)
{
  return !g_queue_is_empty (&loop.ready);
}

static gboolean
turn_dispatch (GSource     *source,
               GSourceFunc  callback,
               gpointer     user_data)
{
  run_ready ();

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs turn_funcs = { turn_prepare, turn_check, turn_dispatch, NULL, NULL, NULL };

/* A loop that is never free below drawing (frames slower than the screen) never gets down
 * to our priority: every SAFETY_NET_MS this timer, at the default priority, takes a turn of
 * its own and looks at the sockets itself. */
static gboolean
safety_net_cb (gpointer user_data)
{
  g_autofree GPollFD *fds = NULL;
  g_autofree Query **polled = NULL;
  guint n = 0;

  if (g_get_monotonic_time () - loop.turn_began_us < SAFETY_NET_MS * 1000)
    return G_SOURCE_CONTINUE;   /* the loop gets to us: nothing to make up for */

  loop.spent_us = 0;
  loop.turn_began_us = g_get_monotonic_time ();
  fds = g_new0 (GPollFD, loop.queries.length);
  polled = g_new0 (Query *, loop.queries.length);
  for (GList *l = loop.queries.head; l != NULL; l = l->next)
    {
      Query *query = l->data;

      if (query->socket_source == NULL)
        continue;
      polled[n] = query;
      fds[n++] = (GPollFD) { PQsocket (query->conn), query->waiting_for | G_IO_HUP | G_IO_ERR, 0 };
    }
  g_poll (fds, n, 0);

  for (guint i = 0; i < n; i++)
    if (fds[i].revents != 0)
      {
        clear_source (&polled[i]->socket_source);
        queue_ready (polled[i]);
      }
  run_ready ();

  return G_SOURCE_CONTINUE;
}

static void
loop_add (Query *query)
{
  query->link.data = query;
  g_queue_push_tail_link (&loop.queries, &query->link);
  if (loop.turn_source != NULL)
    return;

  loop.turn_source = g_source_new (&turn_funcs, sizeof (GSource));
  g_source_set_priority (loop.turn_source, SOCKET_PRIORITY);
  g_source_set_static_name (loop.turn_source, "Unfreeze main-loop mode: turn");
  g_source_attach (loop.turn_source, NULL);
  loop.turn_began_us = g_get_monotonic_time ();
  loop.safety_net = g_timeout_source_new (SAFETY_NET_MS);
  g_source_set_callback (loop.safety_net, safety_net_cb, NULL, NULL);
  g_source_attach (loop.safety_net, NULL);
}

static void
loop_remove (Query *query)
{
  unqueue_ready (query);
  g_queue_remove (&loop.waiting, query);
  /* A query taken out of line (cancelled) leaves no time reserved after it. */
  if (g_queue_remove (&loop.spaced, query) && g_queue_is_empty (&loop.spaced))
    loop.last_send_at_us = MIN (loop.last_send_at_us, g_get_monotonic_time ());
  connecting_end (query);
  g_queue_unlink (&loop.queries, &query->link);
  if (!g_queue_is_empty (&loop.queries))
    return;

  clear_source (&loop.turn_source);
  clear_source (&loop.safety_net);
  clear_source (&loop.spacing_source);
}

/* Calls into libpq, timed ------------------------------------------------------------- */

/* LESSON: async is only as async as its weakest call. Each call into libpq should return at
 * once; one that takes 2 ms or more is marked on the main thread's lane of the Threads
 * view as a blocking call. */
static UnfreezeCallClock
call_begin (void)
{
  UnfreezeCallClock clock;

  /* In socket work (work_begin()), a call takes its counters and its own start time: reading the
   * thread's counters costs two system calls, and a run of 200 queries makes hundreds of
   * thousands of calls (a PQgetResult per row). A call judged against them answers for the
   * turn so far: if anything before it in the turn waited, it counts as waiting too. */
  if (loop.in_turn)
    {
      clock = loop.turn_clock;
      clock.wall_us = g_get_monotonic_time ();
    }
  else
    {
      unfreeze_call_clock_read (&clock);
    }

  return clock;
}

static void
call_end (Query                   *query,
          const char              *call,
          const UnfreezeCallClock *begin)
{
  unfreeze_run_note_call (query->run, call, begin);
}

static void
fail (Query *query,
      int    code)
{
  if (query->error == NULL)
    unfreeze_query_set_conn_error (&query->error, query->conn, code);
  finish (query);
}

/* Sockets ------------------------------------------------------------------------------ */

static gboolean
socket_ready_cb (int           fd,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  Query *query = user_data;

  clear_source (&query->socket_source);
  if (have_time ())
    {
      gboolean was_in_turn = work_begin ();

      step (query);
      work_end (was_in_turn);
    }
  else
    queue_ready (query);   /* the turn's time is spent: wait in line for the next one */

  return G_SOURCE_REMOVE;   /* step() watches again, for whatever it waits for next */
}

static GSource *
watch_fd (int                fd,
          GIOCondition       condition,
          GUnixFDSourceFunc  callback,
          Query             *query)
{
  /* LESSON: tell the main loop which socket to watch, and for what. It calls back when
   * the socket is ready; until then this query costs nothing, and no thread waits. */
  GSource *source = g_unix_fd_source_new (fd, condition | G_IO_HUP | G_IO_ERR);

  g_source_set_priority (source, SOCKET_PRIORITY);
  return attach (source, G_SOURCE_FUNC (callback), query);
}

/* PQsocket() is asked every time: libpq may open a new socket while connecting (one per
 * address it tries). */
static void
watch_socket (Query        *query,
              GIOCondition  condition)
{
  clear_source (&query->socket_source);
  query->waiting_for = condition;
  query->socket_source = watch_fd (PQsocket (query->conn), condition, socket_ready_cb, query);
}

/* Reading ------------------------------------------------------------------------------ */

/* The next result libpq holds (NULL: the statement is over), or FALSE once the turn's time
 * is up. One clock reading serves the call's timing and the deadline: this runs once a row. */
static gboolean
get_result (Query     *query,
            gint64     deadline,
            PGresult **result)
{
  UnfreezeCallClock begin = call_begin ();

  if (begin.wall_us >= deadline)
    return FALSE;
  *result = PQgetResult (query->conn);
  call_end (query, "PQgetResult", &begin);
  return TRUE;
}

static void
take_result (Query    *query,
             PGresult *result)
{
  /* A PGresult per row weighs kilobytes: the model copies the values. An error may come
   * after some rows; SQLSTATE 57014 is our cancel request taking effect. */
  if (PQresultStatus (result) == PGRES_SINGLE_TUPLE)
    {
      if (query->rows != NULL && !query->cancelled)
        unfreeze_rows_copy_result (query->rows, result);
    }
  else if (query->error == NULL)
    unfreeze_query_check_result (query->conn, result, &query->error);
  PQclear (result);
}

static void
read_results (Query *query)
{
  gint64 deadline = turn_deadline ();
  guint span = G_MAXUINT;
  gboolean over = FALSE;
  PGresult *result;

  /* LESSON: take only what libpq already holds (PQisBusy() is FALSE), and only while the
   * turn has time left: a callback that runs long freezes the window like the blocking mode. */
  while (!PQisBusy (query->conn) && get_result (query, deadline, &result))
    {
      if (result == NULL)
        {
          over = TRUE;   /* the statement is over, and the connection is idle again */
          break;
        }

      if (span == G_MAXUINT && !query->is_canceller)
        {
          unfreeze_run_end_span (query->run, query->span);   /* the wait is over */
          span = unfreeze_run_begin_span (query->run, UNFREEZE_SPAN_FETCH);
        }
      take_result (query, result);
    }
  unfreeze_run_end_span (query->run, span);

  /* The first rows go on screen at once; the list grows as more come (items-changed). */
  if (query->rows != NULL && unfreeze_rows_commit (query->rows) > 0)
    unfreeze_run_show_rows (query->run, query->index, query->rows);

  if (over)
    finish (query);
  else if (PQisBusy (query->conn))
    watch_socket (query, G_IO_IN);
  else
    /* LESSON: rows already inside libpq never wake the socket again: stop watching it (the
     * server waits, like a paused Node.js stream) and go on in a later turn, after whatever
     * else the loop has to do first (a frame, a click, the other queries). */
    queue_ready (query);
}

static void
continue_query (Query *query)
{
  UnfreezeCallClock begin;
  int consumed;
  int flushed;

  /* LESSON: each time the socket is ready: take in what has arrived (PQconsumeInput), send
   * what is left (PQflush returns 1 while it cannot send it all), then read. Never wait. */
  begin = call_begin ();
  consumed = PQconsumeInput (query->conn);
  call_end (query, "PQconsumeInput", &begin);
  if (!consumed)
    {
      fail (query, UNFREEZE_DATABASE_ERROR_LOST);
      return;
    }

  begin = call_begin ();
  flushed = PQflush (query->conn);
  call_end (query, "PQflush", &begin);
  if (flushed < 0)
    fail (query, UNFREEZE_DATABASE_ERROR_LOST);
  else if (flushed == 1)
    watch_socket (query, G_IO_IN | G_IO_OUT);
  else
    read_results (query);
}

/* Sending ------------------------------------------------------------------------------ */

/* The cancel request's statement: every target's server process at once. */
static gboolean
send_cancel_statement (Query *query)
{
  g_autoptr(GString) pids = g_string_new ("{");
  const char *values[1];

  for (guint i = 0; i < query->targets->len; i++)
    {
      Query *target = g_ptr_array_index (query->targets, i);

      g_string_append_printf (pids, "%s%d", i > 0 ? "," : "", PQbackendPID (target->conn));
    }
  g_string_append_c (pids, '}');
  values[0] = pids->str;
  query->sent = TRUE;

  if (PQsendQueryParams (query->conn, cancel_sql, 1, NULL, values, NULL, NULL, 0))
    return TRUE;
  unfreeze_query_set_conn_error (&query->error, query->conn, UNFREEZE_DATABASE_ERROR_LOST);
  return FALSE;
}

static gboolean
send_statement (Query *query)
{
  UnfreezeCallClock begin = call_begin ();
  gboolean sent;

  if (query->is_canceller)
    sent = send_cancel_statement (query);
  else
    /* LESSON: send without waiting for the answer. */
    sent = unfreeze_query_send (query->conn, unfreeze_run_get_ticker (query->run),
                                unfreeze_run_get_delay (query->run), query->rows != NULL,
                                &query->error);
  call_end (query, "PQsendQueryParams", &begin);

  return sent;
}

static void
send_query (Query *query)
{
  connecting_end (query);
  query->state = QUERY_RUNNING;
  clear_source (&query->timeout_source);
  unfreeze_run_end_span (query->run, query->span);
  query->span = G_MAXUINT;
  if (query->is_canceller && query->targets->len == 0)
    {
      finish (query);   /* every query it was for ended on its own */
      return;
    }
  if (!query->is_canceller)
    unfreeze_run_show_progress (query->run, _("Waiting for the server; the main loop is free"));

  PQsetnonblocking (query->conn, 1);
  if (!send_statement (query))
    {
      finish (query);
      return;
    }

  if (!query->is_canceller)
    {
      /* One result per row: rows can be shown while more are on their way. */
      PQsetSingleRowMode (query->conn);
      query->span = unfreeze_run_begin_span (query->run, UNFREEZE_SPAN_QUERY);
    }
  continue_query (query);
}

/* Connecting --------------------------------------------------------------------------- */

static void
connect_step (Query *query)
{
  UnfreezeCallClock begin = call_begin ();
  PostgresPollingStatusType status = PQconnectPoll (query->conn);

  call_end (query, "PQconnectPoll", &begin);

  /* LESSON: one step of the connection. PQconnectPoll() never waits: it says what to wait for. */
  switch (status)
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

/* @addresses: (nullable): the host name's addresses, looked up already. */
static void
connect_to (Query      *query,
            const char *host,
            GList      *addresses)
{
  UnfreezeDatabase *database = unfreeze_run_get_database (query->run);
  UnfreezeCallClock begin = call_begin ();
  guint timeout;

  /* LESSON: start connecting without waiting. */
  query->conn = unfreeze_database_connect_start_at (database, host, addresses, &query->error);
  call_end (query, "PQconnectStartParams", &begin);
  if (query->conn == NULL)
    {
      finish (query);
      return;
    }

  query->state = QUERY_CONNECTING;
  /* libpq's rule: before the first PQconnectPoll(), wait until the socket is writable. */
  watch_socket (query, G_IO_OUT);

  /* LESSON: keep the clock yourself. PQconnectPoll() never looks at it (only libpq's own
   * waiting does), so a server that accepts the connection and never answers would keep
   * this query waiting for ever. */
  if ((timeout = connect_timeout_seconds (query->conn)) > 0)
    query->timeout_source = attach (g_timeout_source_new_seconds (timeout),
                                    connect_timeout_cb, query);
}

static void
lookup_free (Lookup *lookup)
{
  g_object_unref (lookup->cancellable);
  g_free (lookup->host);
  g_free (lookup);
}

static void
resolved_cb (GObject      *resolver,
             GAsyncResult *result,
             gpointer      user_data)
{
  Lookup *lookup = user_data;
  Query *query = lookup->query;
  g_autoptr(GError) error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (resolver), result, &error);

  if (query != NULL && addresses == NULL)
    {
      query->lookup = NULL;
      g_set_error (&query->error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_CONNECT,
                   _("Could not connect: %s"), error->message);
      finish (query);
    }
  else if (query != NULL)
    {
      /* Connecting waits in line for a turn with time, like starting did. */
      query->lookup = NULL;
      query->state = QUERY_RESOLVED;
      query->host = g_steal_pointer (&lookup->host);
      query->addresses = g_steal_pointer (&addresses);
      queue_ready (query);
    }

  g_resolver_free_addresses (addresses);
  lookup_free (lookup);
}

/* LESSON: libpq would look a host name up itself, with a getaddrinfo() that blocks (for
 * seconds, when a DNS server does not answer). GLib's resolver looks it up without blocking
 * the main loop (on a thread of its own: the C library has no other way), and libpq gets the
 * addresses as hostaddr. */
static void
resolve (Query *query,
         char  *host)
{
  Lookup *lookup = g_new0 (Lookup, 1);
  g_autoptr(GResolver) resolver = g_resolver_get_default ();

  lookup->query = query;
  lookup->cancellable = g_cancellable_new ();
  lookup->host = host;
  query->lookup = lookup;
  query->state = QUERY_RESOLVING;
  g_resolver_lookup_by_name_async (resolver, host, lookup->cancellable, resolved_cb, lookup);
}

static void arm_spacing (void);

/* The spacing timer: the queries whose time has come (within half a millisecond: the timer
 * counts in milliseconds) wait in line for a turn, like any query with work. It runs at the
 * default priority, as the safety net does: a loop that never gets down to ours must still
 * see them queued. */
static gboolean
spacing_cb (gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();
  Query *query;

  g_clear_pointer (&loop.spacing_source, g_source_unref);
  while ((query = g_queue_peek_head (&loop.spaced)) != NULL && query->send_at_us <= now + 500)
    queue_ready (g_queue_pop_head (&loop.spaced));
  arm_spacing ();

  return G_SOURCE_REMOVE;
}

static void
arm_spacing (void)
{
  Query *first = g_queue_peek_head (&loop.spaced);
  gint64 wait_us;

  if (loop.spacing_source != NULL || first == NULL)
    return;
  wait_us = MAX (first->send_at_us - g_get_monotonic_time (), 0);
  loop.spacing_source = g_timeout_source_new ((guint) ((wait_us + 999) / 1000));
  g_source_set_static_name (loop.spacing_source, "Unfreeze main-loop mode: spacing");
  g_source_set_callback (loop.spacing_source, spacing_cb, NULL, NULL);
  g_source_attach (loop.spacing_source, NULL);
}

/* LESSON: the server runs on this machine too. Statements sent together that make it wait
 * (the delay) all end together: 200 server processes wake at once and take every core, and
 * the window's thread, one program among 200 to Linux's scheduler, waits 120-140 ms for a
 * core (bench/README.md, runs I). So such statements go out spaced, one per core every
 * SEND_SPACING_US, or SEND_SPACING_NO_ROWS_US for those that fetch no rows (their
 * processes have less to do when they wake), and their server processes wake one after
 * another: 200 that fetch no rows go out over 150 ms on 2 cores. Statements without a
 * delay go at once, and so does a cancel request.
 * Returns TRUE when @query must wait for its time (spacing_cb() queues it then). */
static gboolean
spacing_wait (Query *query)
{
  gint64 now;

  if (query->spaced || query->is_canceller || unfreeze_run_get_delay (query->run) <= 0)
    return FALSE;

  query->spaced = TRUE;
  now = g_get_monotonic_time ();
  query->send_at_us = MAX (now, loop.last_send_at_us +
                                unfreeze_mode_mainloop_get_send_spacing_us (query->rows != NULL));
  loop.last_send_at_us = query->send_at_us;
  if (query->send_at_us <= now)
    return FALSE;

  g_queue_push_tail (&loop.spaced, query);
  arm_spacing ();
  return TRUE;
}

static void
start_connecting (Query *query)
{
  UnfreezeDatabase *database = unfreeze_run_get_database (query->run);
  char *host;

  if (spacing_wait (query))
    return;

  /* A connection left idle (by an earlier query or run) needs no connecting at all. */
  if ((query->conn = unfreeze_database_try_acquire_idle (database)) != NULL)
    {
      send_query (query);   /* gives back its slot to open one, if it had one */
      return;
    }

  /* Opening one: a few at a time (MAX_CONNECTING); the others wait their turn. */
  if (!query->connecting)
    {
      if (loop.n_connecting >= MAX_CONNECTING)
        {
          g_queue_push_tail (&loop.waiting, query);
          return;
        }
      query->connecting = TRUE;
      loop.n_connecting++;
    }

  if ((host = unfreeze_database_dup_host_to_resolve (database)) != NULL)
    resolve (query, host);
  else
    /* A socket directory (as our built-in server uses) or an address: nothing to look up. */
    connect_to (query, NULL, NULL);
}

/* One step of a query whose socket is ready (or that was queued), in a turn with time left. */
static void
step (Query *query)
{
  gint64 begin = g_get_monotonic_time ();

  switch (query->state)
    {
    case QUERY_WAITING:
      start_connecting (query);
      break;
    case QUERY_RESOLVED:
      connect_to (query, query->host, query->addresses);
      break;
    case QUERY_CONNECTING:
      connect_step (query);
      break;
    case QUERY_RUNNING:
      continue_query (query);
      break;
    case QUERY_RESOLVING:
    case QUERY_DONE:
    default:
      g_assert_not_reached ();
    }

  loop.spent_us += g_get_monotonic_time () - begin;
}

/* Cancelling --------------------------------------------------------------------------- */

#ifdef LIBPQ_HAS_ASYNC_CANCEL
/* libpq 17: the cancel request is a small connection of its own, driven the same way. */
static gboolean
cancel_ready_cb (int           fd,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  Query *query = user_data;
  UnfreezeCallClock begin = call_begin ();
  PostgresPollingStatusType status = PQcancelPoll (query->cancel_conn);

  call_end (query, "PQcancelPoll", &begin);
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

static void
cancel_query (Query *query)
{
  UnfreezeCallClock begin = call_begin ();
  gboolean started;

  query->cancel_conn = PQcancelCreate (query->conn);
  started = PQcancelStart (query->cancel_conn);
  call_end (query, "PQcancelStart", &begin);
  if (started)
    {
      /* Like connecting: wait until the new socket is writable. */
      query->cancel_conn_source = watch_fd (PQcancelSocket (query->cancel_conn), G_IO_OUT,
                                            cancel_ready_cb, query);
      return;
    }
  g_warning ("Could not send the cancel request: %s", PQcancelErrorMessage (query->cancel_conn));
  g_clear_pointer (&query->cancel_conn, PQcancelFinish);
}
#else
/* The cancel request still gathering queries for this database, if any. */
static Query *
find_canceller (UnfreezeDatabase *database)
{
  for (GList *l = loop.queries.head; l != NULL; l = l->next)
    {
      Query *query = l->data;

      if (query->is_canceller && !query->sent &&
          unfreeze_run_get_database (query->run) == database)
        return query;
    }

  return NULL;
}

/* Before libpq 17, PQcancel() blocks: it opens a connection to deliver the request and waits
 * for the server (a few ms over a Unix socket on an idle machine, tens on a busy one, more
 * over a network). So the request goes as a statement, pg_cancel_backend(), on another
 * connection driven like any query here: from the pool, or connected without waiting. The
 * queries cancelled in one turn share one request. */
static void
cancel_query (Query *query)
{
  UnfreezeDatabase *database = unfreeze_run_get_database (query->run);
  Query *canceller = find_canceller (database);

  if (canceller == NULL)
    {
      canceller = g_new0 (Query, 1);
      canceller->run = g_object_ref (query->run);
      canceller->is_canceller = TRUE;
      canceller->targets = g_ptr_array_new ();
      canceller->span = G_MAXUINT;
      loop_add (canceller);
      queue_ready (canceller);
    }

  g_ptr_array_add (canceller->targets, query);
  query->canceller = canceller;
}
#endif

/* Main thread: g_cancellable_source_new() brings Cancel here through the main loop. */
static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  Query *query = user_data;

  clear_source (&query->cancel_source);
  query->cancelled = TRUE;

  /* Not connected yet: nothing runs on the server; just stop connecting. */
  if (query->state != QUERY_RUNNING)
    {
      finish (query);
      return G_SOURCE_REMOVE;
    }

  /* LESSON: ask the server to stop, then keep reading: the statement ends with an error
   * (SQLSTATE 57014) and PQgetResult() returns NULL, so the connection is idle again. */
  cancel_query (query);

  return G_SOURCE_REMOVE;
}

/* Finishing ---------------------------------------------------------------------------- */

static void
stop_watching (Query *query)
{
  clear_source (&query->socket_source);
  clear_source (&query->cancel_source);
  clear_source (&query->timeout_source);
  unqueue_ready (query);
  if (query->lookup != NULL)
    {
      g_cancellable_cancel (query->lookup->cancellable);
      query->lookup->query = NULL;
      query->lookup = NULL;
    }
}

#ifndef LIBPQ_HAS_ASYNC_CANCEL
/* The statement found no connection (a server with no free connection slot, which libpq's
 * own cancel request does not need): ask with PQcancel() after all. It blocks, and is
 * timed like every call here, so the Threads view shows what it cost. */
static void
cancel_blocking (Query *query)
{
  PGcancel *cancel = PQgetCancel (query->conn);
  char message[256] = "";
  UnfreezeCallClock begin = call_begin ();

  if (cancel != NULL && !PQcancel (cancel, message, sizeof message))
    g_warning ("Could not send the cancel request: %s", message);
  call_end (query, "PQcancel", &begin);
  g_clear_pointer (&cancel, PQfreeCancel);
}
#endif

/* A cancel request is over: the queries it was for may finish now. */
static void
finish_canceller (Query *query)
{
  g_autoptr(GPtrArray) targets = g_steal_pointer (&query->targets);

  if (query->error != NULL && !query->sent)
    {
      g_debug ("No connection for the cancel request: %s", query->error->message);
#ifndef LIBPQ_HAS_ASYNC_CANCEL
      for (guint i = 0; i < targets->len; i++)
        cancel_blocking (g_ptr_array_index (targets, i));
#endif
    }
  else if (query->error != NULL)
    g_warning ("Could not send the cancel request: %s", query->error->message);
  unfreeze_database_release (unfreeze_run_get_database (query->run),
                             g_steal_pointer (&query->conn));
  loop_remove (query);

  for (guint i = 0; i < targets->len; i++)
    {
      Query *target = g_ptr_array_index (targets, i);

      target->canceller = NULL;
      if (target->state == QUERY_DONE)
        finish (target);
    }

  g_clear_error (&query->error);
  g_clear_pointer (&query->addresses, g_resolver_free_addresses);
  g_free (query->host);
  g_object_unref (query->run);
  g_free (query);
}

/* A query with a cancel request on its way waits for its answer: once it has come, no late
 * cancel can stop the connection's next statement. */
static gboolean
wait_for_canceller (Query *query)
{
  if (query->canceller == NULL)
    return FALSE;

  if (query->canceller->sent)
    {
      query->state = QUERY_DONE;
      return TRUE;
    }

  g_ptr_array_remove (query->canceller->targets, query);
  query->canceller = NULL;
  return FALSE;
}

static void
finish (Query *query)
{
  UnfreezeDatabase *database = unfreeze_run_get_database (query->run);

  /* LESSON: stop watching before the connection is closed or goes back to the pool:
   * from then on the socket is not ours. */
  stop_watching (query);
  if (query->is_canceller)
    {
      finish_canceller (query);
      return;
    }
  if (wait_for_canceller (query))
    return;
  unfreeze_run_end_span (query->run, query->span);
  loop_remove (query);

#ifdef LIBPQ_HAS_ASYNC_CANCEL
  /* A cancel request still on its way could stop the connection's next statement. */
  if (query->cancel_conn != NULL)
    {
      clear_source (&query->cancel_conn_source);
      g_clear_pointer (&query->cancel_conn, PQcancelFinish);
      unfreeze_database_close (database, g_steal_pointer (&query->conn));
    }
#endif

  /* Only an idle, healthy connection goes back to the pool; release() closes any other. */
  if (query->state == QUERY_RUNNING || query->state == QUERY_DONE)
    PQsetnonblocking (query->conn, 0);
  unfreeze_database_release (database, g_steal_pointer (&query->conn));
  /* That connection may be idle in the pool now: the first query waiting may take it. */
  if (!g_queue_is_empty (&loop.waiting))
    queue_ready (g_queue_pop_head (&loop.waiting));

  if (query->cancelled && query->error == NULL)
    g_set_error_literal (&query->error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                         _("The query was cancelled"));
  query->rows_done (query->run, query->index, query->rows, g_steal_pointer (&query->error));

  g_clear_pointer (&query->addresses, g_resolver_free_addresses);
  g_free (query->host);
  g_clear_object (&query->rows);
  g_object_unref (query->run);
  g_free (query);
}

/* LESSON: the query is over and its rows are all here. What comes next runs on this thread
 * too, the only one: the analysis of the rows (the --cpu work) is computing, not waiting,
 * so there is no socket to hand it to, and while it runs the main loop cannot turn. The
 * window freezes as in the blocking mode. That is where single-threaded async ends (Node.js
 * too): the offload mode hands this part to a worker. */
static void
rows_done (UnfreezeRun  *run,
           guint         index,
           UnfreezeRows *rows,
           GError       *error)
{
  if (error == NULL && rows != NULL)
    {
      unfreeze_run_analyse (run, rows);
      unfreeze_run_show_rows (run, index, rows);   /* an empty list, if no row came */
    }
  else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    unfreeze_run_show_error (run, error);

  /* Already on the main thread: no hop needed to say we are done. */
  unfreeze_run_query_done (run, error);
}

/* Starting ----------------------------------------------------------------------------- */

/**
 * unfreeze_mode_mainloop_get_send_spacing_us:
 * @with_rows: whether the statements fetch rows
 *
 * Returns: the time between two statements with a server delay, sent by this mode
 */
gint64
unfreeze_mode_mainloop_get_send_spacing_us (gboolean with_rows)
{
  return (with_rows ? SEND_SPACING_US : SEND_SPACING_NO_ROWS_US) /
         MAX (1, (gint64) g_get_num_processors ());
}

/**
 * unfreeze_mode_mainloop_start_query_full:
 * @on_rows_done: called on the main thread when the query is over, with its rows (complete) or
 *   its error (theirs); it must end with unfreeze_run_query_done()
 *
 * Starts a query as this mode does, and hands its outcome to @on_rows_done.
 */
void
unfreeze_mode_mainloop_start_query_full (UnfreezeRun              *run,
                                         guint                     index,
                                         UnfreezeMainLoopRowsFunc  on_rows_done)
{
  Query *query = g_new0 (Query, 1);

  query->run = g_object_ref (run);
  query->index = index;
  query->rows_done = on_rows_done;
  /* LESSON: on one thread, every row costs the window: fetch only what is used. With many
   * queries at once the window shows the first query's rows; the others ask the server for
   * none (unfreeze_run_wants_rows()), unless the analysis needs them. */
  if (unfreeze_run_wants_rows (run, index))
    query->rows = unfreeze_rows_new ();
  query->state = QUERY_WAITING;
  query->span = unfreeze_run_begin_span (run, UNFREEZE_SPAN_CONNECT);
  query->cancel_source = attach (g_cancellable_source_new (unfreeze_run_get_cancellable (run)),
                                 G_SOURCE_FUNC (cancelled_cb), query);
  if (index == 0)
    unfreeze_run_show_progress (run, _("Connecting without waiting…"));

  /* LESSON: even starting a connection costs a few milliseconds (PQconnectStartParams reads
   * files, makes a socket, begins the handshake): two hundred at once would be one long
   * callback. Each query waits in line for a turn with time left, so they start a few per
   * turn, and the window draws in between. */
  loop_add (query);
  queue_ready (query);
}

static void
mainloop_start_query (UnfreezeRun *run,
                      guint        index)
{
  unfreeze_mode_mainloop_start_query_full (run, index, rows_done);
}

const UnfreezeMode unfreeze_mode_mainloop = {
  .id = "mainloop",
  .title = N_("Main loop, no threads"),
  .subtitle = N_("libpq's asynchronous API on the main loop: one thread, like Node.js"),
  .explanation = N_("What happens: no thread at all. libpq connects and sends without waiting "
                    "(PQconnectStartParams, PQsendQueryParams); the main loop watches the "
                    "connection's socket and calls back when data arrives, and each callback reads "
                    "a few milliseconds' worth of rows. What to watch: the window stays alive and "
                    "the thread count does not move, even with 200 queries at once. Why: waiting "
                    "for a server is waiting on a socket, and one main loop can watch many "
                    "sockets. This is how Node.js works, and what truly asynchronous I/O does "
                    "under .NET's await. The price: the code becomes a state machine in which no "
                    "callback may run long."),
  .lesson = N_("No thread waited: the main loop watched the connection's socket and ran a short "
               "callback whenever it was ready (PQconnectPoll, PQflush, PQconsumeInput, "
               "PQgetResult), like Node.js on its event loop or truly asynchronous I/O under "
               "await in .NET. Rows were read in slices of a few milliseconds, so the window "
               "kept drawing while they arrived, and Cancel asked the server to stop. Many "
               "queries at once are many sockets, not many threads."),
  .can_cancel = TRUE,
  .start_query = mainloop_start_query,
};
