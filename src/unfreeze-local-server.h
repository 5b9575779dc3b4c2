/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeLocalServer: the private PostgreSQL the app starts when no server is configured.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define UNFREEZE_LOCAL_SERVER_ERROR (unfreeze_local_server_error_quark ())

typedef enum
{
  UNFREEZE_LOCAL_SERVER_ERROR_ROOT,        /* PostgreSQL refuses to run as root */
  UNFREEZE_LOCAL_SERVER_ERROR_NOT_FOUND,   /* no initdb/postgres binaries found */
  UNFREEZE_LOCAL_SERVER_ERROR_INITDB,      /* initdb failed */
  UNFREEZE_LOCAL_SERVER_ERROR_START,       /* postgres exited or never became ready */
  UNFREEZE_LOCAL_SERVER_ERROR_IN_USE,      /* another process holds the cluster */
} UnfreezeLocalServerError;

#define UNFREEZE_TYPE_LOCAL_SERVER (unfreeze_local_server_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezeLocalServer, unfreeze_local_server, UNFREEZE, LOCAL_SERVER, GObject)

GQuark               unfreeze_local_server_error_quark     (void);

/* data_dir: where the cluster lives (kept between runs); NULL means
 * $XDG_CACHE_HOME/unfreeze/postgresql-<major>. The socket directory is always a fresh
 * private (0700) directory under the runtime directory, removed on stop. */
UnfreezeLocalServer *unfreeze_local_server_new             (const char           *data_dir);

/* Must be called on the main thread: the postmaster is our direct child and gets
 * SIGINT (fast shutdown) when the spawning thread dies (PR_SET_PDEATHSIG). */
void                 unfreeze_local_server_start_async     (UnfreezeLocalServer  *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean             unfreeze_local_server_start_finish    (UnfreezeLocalServer  *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);
/* Fast shutdown; waits (bounded) for the postmaster to exit, removes the socket dir. A
 * shared server is only let go of: it is its own copy's to stop. */
void                 unfreeze_local_server_stop            (UnfreezeLocalServer  *self);

gboolean             unfreeze_local_server_get_running     (UnfreezeLocalServer  *self);
/* TRUE when the last start ran initdb, FALSE when it reused an existing cluster. */
gboolean             unfreeze_local_server_get_initialized (UnfreezeLocalServer  *self);
const char          *unfreeze_local_server_get_data_dir    (UnfreezeLocalServer  *self);
const char          *unfreeze_local_server_get_socket_dir  (UnfreezeLocalServer  *self);
/* TRUE when the last start found another copy of Unfreeze running a server on the same
 * cluster and shares it: stop() then leaves it running. */
gboolean             unfreeze_local_server_get_shared      (UnfreezeLocalServer  *self);
/* The postmaster's pid: our child's, or (shared) the other copy's. */
GPid                 unfreeze_local_server_get_pid         (UnfreezeLocalServer  *self);
/* A libpq conninfo string for the running server: "host=<socketdir> port=<port> dbname=postgres user=unfreeze" */
char                *unfreeze_local_server_dup_conninfo    (UnfreezeLocalServer  *self);

/* Exposed for tests: the refusal given to a root user. */
gboolean             unfreeze_local_server_check_user      (uid_t                 uid,
                                                            GError              **error);

/* Removes a file or a directory tree, never following symbolic links out of it. */
void                 unfreeze_remove_tree                    (const char           *path);

G_END_DECLS
