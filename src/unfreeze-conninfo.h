/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Connection strings and URIs as libpq reads them: their password, without the password (for
 * showing), and the host name libpq would look up.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes any password from a connection string or URI; %NULL when libpq cannot read it
 * (then @error names the bad part). */
char *unfreeze_conninfo_dup_without_password (const char  *conninfo,
                                              gboolean    *had_password,
                                              GError     **error);

/* The password a connection string or URI gives, or %NULL. */
char *unfreeze_conninfo_dup_password         (const char  *conninfo);

/* Removes the password from a conninfo string or URI, for showing and logging. */
char *unfreeze_conninfo_dup_display          (const char  *conninfo);

/* The host name libpq would look up (blocking) for @conninfo, or NULL. */
char *unfreeze_conninfo_dup_host_to_resolve  (const char  *conninfo);

G_END_DECLS
