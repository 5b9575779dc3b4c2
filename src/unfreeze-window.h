/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeWindow: the main window, which shows a run through its signals.
 */
#pragma once

#include <adwaita.h>

#include "unfreeze-compare.h"
#include "unfreeze-export.h"
#include "unfreeze-run.h"
#include "unfreeze-types.h"

G_BEGIN_DECLS

#define UNFREEZE_TYPE_WINDOW (unfreeze_window_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezeWindow, unfreeze_window, UNFREEZE, WINDOW, AdwApplicationWindow)

/* The message panel keeps this many lines, the last ones: about a hundred runs. */
#define UNFREEZE_WINDOW_MAX_MESSAGE_LINES 500

UnfreezeWindow *unfreeze_window_new                (GtkApplication   *application,
                                                    UnfreezeDatabase *database);
UnfreezeWindow *unfreeze_window_new_like           (UnfreezeWindow   *other);
void            unfreeze_window_bind_settings      (UnfreezeWindow   *self,
                                                    GSettings        *settings);
void            unfreeze_window_set_mode           (UnfreezeWindow   *self,
                                                    const char       *mode_id);
const char     *unfreeze_window_get_mode           (UnfreezeWindow   *self);
void            unfreeze_window_set_ticker         (UnfreezeWindow   *self,
                                                    const char       *ticker);
void            unfreeze_window_set_delay          (UnfreezeWindow   *self,
                                                    double            seconds);
void            unfreeze_window_set_count          (UnfreezeWindow   *self,
                                                    guint             count);
void            unfreeze_window_set_cpu_ms         (UnfreezeWindow   *self,
                                                    guint             cpu_ms);
void            unfreeze_window_cancel_run         (UnfreezeWindow   *self);
void            unfreeze_window_set_database       (UnfreezeWindow   *self,
                                                    UnfreezeDatabase *database);
void            unfreeze_window_set_database_ready (UnfreezeWindow   *self,
                                                    const GError     *error);
UnfreezeRun    *unfreeze_window_start_run          (UnfreezeWindow   *self);
UnfreezeRun    *unfreeze_window_get_last_run       (UnfreezeWindow   *self);
UnfreezeCompare *unfreeze_window_start_compare     (UnfreezeWindow   *self);
UnfreezeCompare *unfreeze_window_get_last_compare  (UnfreezeWindow   *self);
GListModel     *unfreeze_window_get_rows_model     (UnfreezeWindow   *self);
gboolean        unfreeze_window_get_rows_settled   (UnfreezeWindow   *self);
const char     *unfreeze_window_get_status_text    (UnfreezeWindow   *self);
char           *unfreeze_window_dup_messages       (UnfreezeWindow   *self);
UnfreezeExport *unfreeze_window_dup_export         (UnfreezeWindow   *self);
gboolean        unfreeze_window_export             (UnfreezeWindow   *self,
                                                    const char       *path,
                                                    GError          **error);

G_END_DECLS
