/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Which server a password in the keyring belongs to: host, port, dbname and user as libpq
 * would use them for @conninfo (its own values, else the PG* variables and libpq's
 * defaults). Never holds a password. */
GHashTable *unfreeze_secret_dup_attributes (const char           *conninfo);

void        unfreeze_secret_lookup_async   (const char           *conninfo,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
char       *unfreeze_secret_lookup_finish  (GAsyncResult         *result,
                                            GError              **error);
void        unfreeze_secret_store_async    (const char           *conninfo,
                                            const char           *password,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean    unfreeze_secret_store_finish   (GAsyncResult         *result,
                                            GError              **error);
void        unfreeze_secret_free_password  (char                 *password);

G_END_DECLS
