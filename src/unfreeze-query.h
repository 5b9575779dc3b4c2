/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

#define UNFREEZE_DATABASE_ERROR (unfreeze_database_error_quark ())

typedef enum
{
  UNFREEZE_DATABASE_ERROR_CONNECT,     /* could not connect (libpq's message) */
  UNFREEZE_DATABASE_ERROR_QUERY,       /* the server reported an error for the statement */
  UNFREEZE_DATABASE_ERROR_LOST,        /* the connection broke during the query */
  UNFREEZE_DATABASE_ERROR_SETUP,       /* the demo table is missing and cannot be created */
  UNFREEZE_DATABASE_ERROR_CONNINFO,    /* libpq rejects the connection string */
  UNFREEZE_DATABASE_ERROR_NO_SERVER,   /* there is no server to connect to */
  UNFREEZE_DATABASE_ERROR_NOT_READY,   /* no result yet where the code expected one */
  UNFREEZE_DATABASE_ERROR_NEEDS_PASSWORD,   /* the server wants a password and has none */
  UNFREEZE_DATABASE_ERROR_PASSWORD_REFUSED, /* connecting with the password we gave failed */
} UnfreezeDatabaseError;

/* The columns of a result row, in the order the statement selects them. */
typedef enum
{
  UNFREEZE_COLUMN_TICKER,
  UNFREEZE_COLUMN_TIME,
  UNFREEZE_COLUMN_OPEN,
  UNFREEZE_COLUMN_HIGH,
  UNFREEZE_COLUMN_LOW,
  UNFREEZE_COLUMN_CLOSE,
  UNFREEZE_COLUMN_VOLUME,
  UNFREEZE_N_COLUMNS
} UnfreezeColumn;

GQuark      unfreeze_database_error_quark  (void);

extern const char unfreeze_query_sql[];

PGresult   *unfreeze_query_exec            (PGconn         *conn,
                                            const char     *ticker,
                                            double          delay_seconds,
                                            GError        **error);
PGresult   *unfreeze_query_exec_cancellable (PGconn        *conn,
                                             const char    *ticker,
                                             double         delay_seconds,
                                             GCancellable  *cancellable,
                                             GError       **error);
gboolean    unfreeze_query_send            (PGconn         *conn,
                                            const char     *ticker,
                                            double          delay_seconds,
                                            GError        **error);
gboolean    unfreeze_query_check_result    (PGconn         *conn,
                                            const PGresult *result,
                                            GError        **error);
void        unfreeze_query_set_conn_error  (GError        **error,
                                            PGconn         *conn,
                                            int             code);

G_END_DECLS
