/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezePreferencesWindow: the connection, default ticker and delay.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define UNFREEZE_TYPE_PREFERENCES_WINDOW (unfreeze_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezePreferencesWindow, unfreeze_preferences_window, UNFREEZE, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *unfreeze_preferences_window_new (GtkWindow *parent,
                                            GSettings *settings);

G_END_DECLS
