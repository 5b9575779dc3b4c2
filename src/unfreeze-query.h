/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one statement every mode runs, its senders, and libpq's errors as GErrors.
 */
#pragma once

#include <gio/gio.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

extern const char unfreeze_query_sql[];

PGresult   *unfreeze_query_exec            (PGconn         *conn,
                                            const char     *ticker,
                                            double          delay_seconds,
                                            gboolean        with_rows,
                                            GError        **error);
PGresult   *unfreeze_query_exec_cancellable (PGconn        *conn,
                                             const char    *ticker,
                                             double         delay_seconds,
                                             gboolean       with_rows,
                                             GCancellable  *cancellable,
                                             GError       **error);
gboolean    unfreeze_query_send            (PGconn         *conn,
                                            const char     *ticker,
                                            double          delay_seconds,
                                            gboolean        with_rows,
                                            GError        **error);
gboolean    unfreeze_query_check_result    (PGconn         *conn,
                                            const PGresult *result,
                                            GError        **error);
void        unfreeze_query_set_conn_error  (GError        **error,
                                            PGconn         *conn,
                                            int             code);

G_END_DECLS
