/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The UI-thread guard: knows the UI thread and refuses UI updates from any other.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The demo's own CheckForIllegalCrossThreadCalls. GTK itself has no such check. */
void      unfreeze_ui_guard_init            (void);
gboolean  unfreeze_ui_guard_is_ui_thread    (void);
gboolean  unfreeze_ui_guard_check           (const char  *what,
                                             char       **refusal);
const char *unfreeze_ui_guard_get_thread_name (void);
char     *unfreeze_ui_guard_dup_thread_name (void);

G_END_DECLS
