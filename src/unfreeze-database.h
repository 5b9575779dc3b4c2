/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeDatabase: where connections come from (the built-in server or the user's), the
 * pool, the demo table; and the database error domain.
 */
#pragma once

#include <gio/gio.h>
#include <libpq-fe.h>

#include "unfreeze-conninfo.h"
#include "unfreeze-local-server.h"
#include "unfreeze-query.h"
#include "unfreeze-types.h"

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

GQuark               unfreeze_database_error_quark        (void);

#define UNFREEZE_TYPE_DATABASE (unfreeze_database_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezeDatabase, unfreeze_database, UNFREEZE, DATABASE, GObject)

UnfreezeDatabase    *unfreeze_database_new                (const char           *conninfo);
gboolean             unfreeze_database_conninfo_from_environment (void);
void                 unfreeze_database_set_big_tickers    (UnfreezeDatabase     *self,
                                                           gboolean              big_tickers);
void                 unfreeze_database_set_private_server (UnfreezeDatabase     *self,
                                                           gboolean              private_server);
void                 unfreeze_database_prepare_async      (UnfreezeDatabase     *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean             unfreeze_database_prepare_finish     (UnfreezeDatabase     *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);
gboolean             unfreeze_database_get_prepared       (UnfreezeDatabase     *self);
gboolean             unfreeze_database_get_can_generate_big_tickers (UnfreezeDatabase *self);
void                 unfreeze_database_generate_big_tickers (UnfreezeDatabase   *self);
gboolean             unfreeze_database_get_embedded       (UnfreezeDatabase     *self);
const char          *unfreeze_database_get_status         (UnfreezeDatabase     *self);
gboolean             unfreeze_database_get_status_is_news (UnfreezeDatabase     *self);
char                *unfreeze_database_dup_description    (UnfreezeDatabase     *self);
UnfreezeLocalServer *unfreeze_database_get_local_server   (UnfreezeDatabase     *self);

/* Any thread. A connection belongs to one thread at a time: the caller owns it until it
 * gives it back with release() or close(). */
PGconn              *unfreeze_database_acquire            (UnfreezeDatabase     *self,
                                                           GError              **error);
PGconn              *unfreeze_database_connect_start      (UnfreezeDatabase     *self,
                                                           GError              **error);
PGconn              *unfreeze_database_connect_start_at   (UnfreezeDatabase     *self,
                                                           const char           *host,
                                                           GList                *addresses,
                                                           GError              **error);
char                *unfreeze_database_dup_host_to_resolve (UnfreezeDatabase    *self);
PGconn              *unfreeze_database_try_acquire_idle   (UnfreezeDatabase     *self);
void                 unfreeze_database_release            (UnfreezeDatabase     *self,
                                                           PGconn               *conn);
void                 unfreeze_database_close              (UnfreezeDatabase     *self,
                                                           PGconn               *conn);
guint                unfreeze_database_get_n_connections  (UnfreezeDatabase     *self);

void                 unfreeze_database_set_password       (UnfreezeDatabase     *self,
                                                           const char           *password);
void                 unfreeze_database_set_connect_error  (UnfreezeDatabase     *self,
                                                           PGconn               *conn,
                                                           GError              **error);
void                 unfreeze_database_retire             (UnfreezeDatabase     *self);
void                 unfreeze_database_shutdown           (UnfreezeDatabase     *self);

G_END_DECLS
