/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define UNFREEZE_TYPE_PREFERENCES_WINDOW (unfreeze_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezePreferencesWindow, unfreeze_preferences_window, UNFREEZE, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *unfreeze_preferences_window_new (GtkWindow *parent,
                                            GSettings *settings);

/* Removes any password from a connection string or URI; %NULL when libpq cannot read it
 * (then @error names the bad part). */
char      *unfreeze_conninfo_dup_without_password (const char  *conninfo,
                                                   gboolean    *had_password,
                                                   GError     **error);

/* The password a connection string or URI gives, or %NULL. */
char      *unfreeze_conninfo_dup_password         (const char  *conninfo);

G_END_DECLS
