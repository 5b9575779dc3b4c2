/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeMotion: the window's moving signs of life (a spinner, a pulse bar) that move in
 * their drawing only, never in the window's layout.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  UNFREEZE_MOTION_SPIN,    /* a working icon, turning once a second */
  UNFREEZE_MOTION_PULSE,   /* a bar filling and emptying over two seconds */
} UnfreezeMotionKind;

#define UNFREEZE_TYPE_MOTION_KIND (unfreeze_motion_kind_get_type ())
GType unfreeze_motion_kind_get_type (void) G_GNUC_CONST;

#define UNFREEZE_TYPE_MOTION (unfreeze_motion_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezeMotion, unfreeze_motion, UNFREEZE, MOTION, GtkWidget)

GtkWidget          *unfreeze_motion_new          (UnfreezeMotionKind  kind);
double              unfreeze_motion_get_position (UnfreezeMotion     *self,
                                                  gint64              frame_time_us);

G_END_DECLS
