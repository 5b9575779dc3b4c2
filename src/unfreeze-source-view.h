/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeSourceView: the Code view, the selected mode's own source with its lessons marked.
 */
#pragma once

#include <gtksourceview/gtksource.h>

#include "unfreeze-types.h"

G_BEGIN_DECLS

#define UNFREEZE_TYPE_SOURCE_VIEW (unfreeze_source_view_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezeSourceView, unfreeze_source_view, UNFREEZE, SOURCE_VIEW, GtkWidget)

GtkWidget          *unfreeze_source_view_new                  (void);
void                unfreeze_source_view_set_mode             (UnfreezeSourceView *self,
                                                               const UnfreezeMode *mode);
const UnfreezeMode *unfreeze_source_view_get_mode             (UnfreezeSourceView *self);
const char         *unfreeze_source_view_get_file_name        (UnfreezeSourceView *self);
char               *unfreeze_source_view_dup_text             (UnfreezeSourceView *self);
GtkSourceBuffer    *unfreeze_source_view_get_buffer           (UnfreezeSourceView *self);
guint               unfreeze_source_view_get_n_lesson_lines   (UnfreezeSourceView *self);
gboolean            unfreeze_source_view_line_is_lesson       (UnfreezeSourceView *self,
                                                               int                 line);
void                unfreeze_source_view_jump_to_lesson       (UnfreezeSourceView *self,
                                                               int                 direction);
int                 unfreeze_source_view_get_current_line     (UnfreezeSourceView *self);

G_END_DECLS
