/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Which GTK renderer to use before the first window is realized, and why.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Why the renderer is the one it is. */
typedef enum
{
  UNFREEZE_RENDERER_GTK_DEFAULT,   /* a GPU: GTK's own choice */
  UNFREEZE_RENDERER_USER,          /* GSK_RENDERER was set: the user's choice wins */
  UNFREEZE_RENDERER_NO_GPU,        /* no GPU device: Cairo */
  UNFREEZE_RENDERER_SOFTWARE_GL,   /* OpenGL is a software rasteriser: Cairo */
  UNFREEZE_RENDERER_NO_GL,         /* no OpenGL at all: Cairo */
} UnfreezeRendererReason;

UnfreezeRendererReason  unfreeze_renderer_prepare          (void);
UnfreezeRendererReason  unfreeze_renderer_choose           (GdkDisplay *display);
UnfreezeRendererReason  unfreeze_renderer_get_reason       (void);
char                   *unfreeze_renderer_dup_description  (GtkWidget  *widget);

/* Pure: whether an OpenGL renderer string names a software rasteriser. */
gboolean                unfreeze_renderer_is_software_gl   (const char *gl_renderer);

G_END_DECLS
