/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "unfreeze-chart.h"

G_BEGIN_DECLS

/* The picture's width: pixels in a PNG, px in an SVG. */
#define UNFREEZE_EXPORT_WIDTH 1600

#define UNFREEZE_TYPE_EXPORT (unfreeze_export_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezeExport, unfreeze_export, UNFREEZE, EXPORT, GObject)

UnfreezeExport *unfreeze_export_new       (GtkWidget       *widget);
void            unfreeze_export_add_title (UnfreezeExport  *self,
                                           const char      *text);
void            unfreeze_export_add_text  (UnfreezeExport  *self,
                                           const char      *text);
void            unfreeze_export_add_chart (UnfreezeExport  *self,
                                           const char      *caption,
                                           UnfreezeChart   *chart,
                                           int              height);
GskRenderNode  *unfreeze_export_render    (UnfreezeExport  *self,
                                           int             *width,
                                           int             *height);
gboolean        unfreeze_export_save      (UnfreezeExport  *self,
                                           const char      *path,
                                           GError         **error);
void            unfreeze_export_save_async (UnfreezeExport     *self,
                                            const char         *path,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean        unfreeze_export_save_finish (UnfreezeExport    *self,
                                             GAsyncResult      *result,
                                             GError           **error);

G_END_DECLS
