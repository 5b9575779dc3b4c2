/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one statement every mode runs, and how libpq's errors become GErrors.
 */
#define G_LOG_DOMAIN "Unfreeze-Query"

#include "config.h"

#include "unfreeze-query.h"

#include "unfreeze-database.h"

#include <errno.h>
#include <glib/gi18n.h>

/* The server itself takes $2 seconds: the uncorrelated sub-select becomes a one-time filter
 * that PostgreSQL evaluates once, before the first row, even when no row matches. pg_sleep()
 * is interruptible, so a cancel request stops it. The values travel as parameters, never
 * pasted into the text.
 *
 * $3 is 0 when the rows are wanted. A query whose rows nobody looks at (with many at once,
 * the window shows only the first query's) sets it past any table's size: the server still
 * waits, finds and orders every row, then skips them all, and sends none. Converting rows to
 * text and sending them is most of the server's work on a query, and reading them most of
 * the app's. */
const char unfreeze_query_sql[] =
  "SELECT ticker, traded_at, open, high, low, close, volume\n"
  "  FROM stock_prices\n"
  " WHERE ticker = $1\n"
  "   AND (SELECT pg_sleep($2::float8)::text) IS NOT NULL\n"
  " ORDER BY traded_at\n"
  "OFFSET $3::bigint";

#define N_PARAMS 3

static void
format_params (char         delay_text[static G_ASCII_DTOSTR_BUF_SIZE],
               const char  *ticker,
               double       delay_seconds,
               gboolean     with_rows,
               const char  *values[N_PARAMS])
{
  g_ascii_dtostr (delay_text, G_ASCII_DTOSTR_BUF_SIZE, MAX (delay_seconds, 0.0));
  values[0] = ticker;
  values[1] = delay_text;
  values[2] = with_rows ? "0" : "9223372036854775807";   /* G_MAXINT64: skip them all */
}

void
unfreeze_query_set_conn_error (GError **error,
                               PGconn  *conn,
                               int      code)
{
  const char *message = conn != NULL ? PQerrorMessage (conn) : NULL;
  g_autofree char *text = g_strchomp (g_strdup (message != NULL && *message ? message
                                                 : _("out of memory")));

  g_set_error_literal (error, UNFREEZE_DATABASE_ERROR, code, text);
}

/* Maps a result to success or a GError. A query cancelled on the server (SQLSTATE 57014)
 * becomes G_IO_ERROR_CANCELLED, so every mode reports cancellation the same way. */
gboolean
unfreeze_query_check_result (PGconn          *conn,
                             const PGresult  *result,
                             GError         **error)
{
  const char *sqlstate;
  g_autofree char *message = NULL;

  if (result == NULL)
    {
      unfreeze_query_set_conn_error (error, conn, UNFREEZE_DATABASE_ERROR_LOST);
      return FALSE;
    }

  switch (PQresultStatus (result))
    {
    case PGRES_TUPLES_OK:
    case PGRES_SINGLE_TUPLE:
    case PGRES_COMMAND_OK:
      return TRUE;

    case PGRES_EMPTY_QUERY:
    case PGRES_COPY_OUT:
    case PGRES_COPY_IN:
    case PGRES_BAD_RESPONSE:
    case PGRES_NONFATAL_ERROR:
    case PGRES_FATAL_ERROR:
    case PGRES_COPY_BOTH:
    case PGRES_PIPELINE_SYNC:
    case PGRES_PIPELINE_ABORTED:
    default:
      break;
    }

  sqlstate = PQresultErrorField (result, PG_DIAG_SQLSTATE);
  message = g_strchomp (g_strdup (PQresultErrorMessage (result)));
  if (*message == '\0')
    {
      g_free (message);
      message = g_strdup (PQresStatus (PQresultStatus (result)));
    }

  if (g_strcmp0 (sqlstate, "57014") == 0)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The query was cancelled"));
  else if (sqlstate == NULL || g_str_has_prefix (sqlstate, "08") || g_str_has_prefix (sqlstate, "57"))
    /* No SQLSTATE means libpq made the error itself: the connection is gone. Class 08 is a
     * connection exception, 57 an operator intervention such as a server shutdown. */
    g_set_error_literal (error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_LOST, message);
  else
    g_set_error (error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_QUERY,
                 "%s (SQLSTATE %s)", message, sqlstate);

  return FALSE;
}

/* Blocking: returns only when the server has answered, however long that takes. */
PGresult *
unfreeze_query_exec (PGconn      *conn,
                     const char  *ticker,
                     double       delay_seconds,
                     gboolean     with_rows,
                     GError     **error)
{
  char delay_text[G_ASCII_DTOSTR_BUF_SIZE];
  const char *values[N_PARAMS];
  PGresult *result;

  g_return_val_if_fail (conn != NULL, NULL);
  g_return_val_if_fail (ticker != NULL, NULL);

  format_params (delay_text, ticker, delay_seconds, with_rows, values);
  result = PQexecParams (conn, unfreeze_query_sql, N_PARAMS, NULL, values, NULL, NULL, 0);

  if (!unfreeze_query_check_result (conn, result, error))
    {
      g_clear_pointer (&result, PQclear);
      return NULL;
    }

  return result;
}

/* The calling thread asks the server to stop the query on @conn. PQcancel() opens a second
 * connection and waits for it, so it runs here, in the worker that owns @conn, never in the
 * thread that cancelled (the main thread). */
static void
ask_server_to_cancel (PGconn *conn)
{
  PGcancel *cancel = PQgetCancel (conn);
  char message[256];

  if (cancel == NULL)
    return;
  if (!PQcancel (cancel, message, sizeof message))
    g_warning ("Could not ask the server to cancel the query: %s", message);
  PQfreeCancel (cancel);
}

/* Blocking, but cancellable from another thread: the calling thread waits for @conn's socket
 * and for @cancellable at once. Cancelling @cancellable (from any thread: it only wakes this
 * one) makes this thread ask the server to stop the query, which then ends with
 * G_IO_ERROR_CANCELLED and leaves @conn idle and usable. A cancel that comes at any moment,
 * even before the call, reaches a query that is really running. */
PGresult *
unfreeze_query_exec_cancellable (PGconn        *conn,
                                 const char    *ticker,
                                 double         delay_seconds,
                                 gboolean       with_rows,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  PGresult *result = NULL;
  GPollFD fds[2] = { { 0 } };
  gboolean cancel_sent = FALSE;
  gboolean lost = FALSE;

  g_return_val_if_fail (conn != NULL, NULL);

  if (cancellable == NULL)
    return unfreeze_query_exec (conn, ticker, delay_seconds, with_rows, error);

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !unfreeze_query_send (conn, ticker, delay_seconds, with_rows, error))
    return NULL;

  fds[0].fd = PQsocket (conn);
  fds[0].events = G_IO_IN;
  g_cancellable_make_pollfd (cancellable, &fds[1]);

  /* Read every result until NULL, so the connection is idle again. Keep the first. */
  for (;;)
    {
      PGresult *next;

      if (lost || !PQisBusy (conn))
        {
          /* Does not block: the next result is in, or the connection is gone. */
          next = PQgetResult (conn);
          if (next == NULL)
            break;
          if (result == NULL)
            result = next;
          else
            PQclear (next);
          continue;
        }

      /* Once the cancel is sent, the cancellable (which stays readable) is not watched. */
      if (g_poll (fds, cancel_sent ? 1 : 2, -1) < 0 && errno != EINTR)
        lost = TRUE;
      if (!cancel_sent && g_cancellable_is_cancelled (cancellable))
        {
          ask_server_to_cancel (conn);
          cancel_sent = TRUE;
        }
      if ((fds[0].revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)) && !PQconsumeInput (conn))
        lost = TRUE;
    }

  g_cancellable_release_fd (cancellable);

  if (!unfreeze_query_check_result (conn, result, error))
    {
      g_clear_pointer (&result, PQclear);
      return NULL;
    }

  return result;
}

/* Non-blocking: queues the statement; the caller reads the results as they arrive. */
gboolean
unfreeze_query_send (PGconn      *conn,
                     const char  *ticker,
                     double       delay_seconds,
                     gboolean     with_rows,
                     GError     **error)
{
  char delay_text[G_ASCII_DTOSTR_BUF_SIZE];
  const char *values[N_PARAMS];

  g_return_val_if_fail (conn != NULL, FALSE);
  g_return_val_if_fail (ticker != NULL, FALSE);

  format_params (delay_text, ticker, delay_seconds, with_rows, values);
  if (!PQsendQueryParams (conn, unfreeze_query_sql, N_PARAMS, NULL, values, NULL, NULL, 0))
    {
      unfreeze_query_set_conn_error (error, conn, UNFREEZE_DATABASE_ERROR_LOST);
      return FALSE;
    }

  return TRUE;
}
