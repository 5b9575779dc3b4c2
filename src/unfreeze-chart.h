/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeChart: the abstract widget the stall graph and the timeline derive from, and the
 * drawing helpers they share.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* libadwaita's light style, window_fg_color and window_bg_color: an export's text and
 * ground, whatever the window's style (unfreeze_chart_snapshot_for_export()). */
#define UNFREEZE_CHART_LIGHT_FG "rgba(0,0,0,0.8)"
#define UNFREEZE_CHART_LIGHT_BG "#fafafa"

/* The room charts leave at the right of their time axis (marks at the very end, the last
 * time label), so that charts on one time scale line up. */
#define UNFREEZE_CHART_PLOT_END_MARGIN 10

#define UNFREEZE_TYPE_CHART (unfreeze_chart_get_type ())
G_DECLARE_DERIVABLE_TYPE (UnfreezeChart, unfreeze_chart, UNFREEZE, CHART, GtkWidget)

struct _UnfreezeChartClass
{
  GtkWidgetClass parent_class;

  /* Drops the text layouts the chart keeps: fonts or the theme changed, or it is going. */
  void     (*clear_layouts) (UnfreezeChart *self);
  /* Whether the chart wants a tick on every frame while it is on screen; %NULL: always. */
  gboolean (*wants_tick)    (UnfreezeChart *self);
  /* Once a frame while ticking. */
  void     (*tick)          (UnfreezeChart *self,
                             gint64         frame_time_us);
};

void         unfreeze_chart_update_ticking (UnfreezeChart     *self);
int          unfreeze_chart_get_width      (UnfreezeChart     *self);
int          unfreeze_chart_get_height     (UnfreezeChart     *self);
void         unfreeze_chart_snapshot_for_export (UnfreezeChart *self,
                                            GtkSnapshot       *snapshot,
                                            int                width,
                                            int                height);
PangoLayout *unfreeze_chart_ensure_layout  (UnfreezeChart     *self,
                                            PangoLayout      **layout,
                                            const char        *text);
void         unfreeze_chart_lookup_color   (UnfreezeChart     *self,
                                            const char        *name,
                                            const char        *fallback,
                                            GdkRGBA           *color);
void         unfreeze_chart_get_fg         (UnfreezeChart     *self,
                                            GdkRGBA           *color);

GdkRGBA      unfreeze_chart_with_alpha     (const GdkRGBA     *color,
                                            float              alpha);
void         unfreeze_chart_append_rect    (GtkSnapshot       *snapshot,
                                            const GdkRGBA     *color,
                                            double             x,
                                            double             y,
                                            double             width,
                                            double             height);
void         unfreeze_chart_append_layout  (GtkSnapshot       *snapshot,
                                            PangoLayout       *layout,
                                            const GdkRGBA     *color,
                                            double             x,
                                            double             y);

G_END_DECLS
