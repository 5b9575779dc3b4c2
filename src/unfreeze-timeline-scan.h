/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The timeline's reading of a run's spans into lanes and styles (pure GLib).
 */
#pragma once

#include <glib.h>

#include "unfreeze-run.h"

G_BEGIN_DECLS

/* How a span is drawn; also the legend's entries. */
typedef enum
{
  UNFREEZE_TIMELINE_BLOCKED,         /* UI thread waiting inside a callback: could not draw */
  UNFREEZE_TIMELINE_BUSY,            /* UI thread running for a frame or more: could not draw */
  UNFREEZE_TIMELINE_WORK,            /* UI thread running, shorter than a frame */
  UNFREEZE_TIMELINE_CONNECT,
  UNFREEZE_TIMELINE_QUERY,
  UNFREEZE_TIMELINE_FETCH,
  UNFREEZE_TIMELINE_SLEEP,
  UNFREEZE_TIMELINE_IDLE,            /* a callback handed to the UI thread */
  UNFREEZE_TIMELINE_APPLY,           /* showing the rows */
  UNFREEZE_TIMELINE_HANDOFF,         /* a mark: work handed to the main loop */
  UNFREEZE_TIMELINE_REFUSED,         /* a mark: the guard refused a UI update */
  UNFREEZE_TIMELINE_BLOCKING_CALL,   /* a call that should not block, and did */
  UNFREEZE_TIMELINE_WAIT_UI,         /* a worker waiting for the UI thread */
  UNFREEZE_TIMELINE_WAITS_FOR,       /* no span: the arrows between two threads' waits */
  UNFREEZE_TIMELINE_COMPUTE,         /* computing on the rows: CPU work, not a wait */
  UNFREEZE_TIMELINE_N_STYLES
} UnfreezeTimelineStyle;

/* What one look at a run's spans found: each span's style, one lane per thread. */
typedef struct
{
  GArray     *spans;                                    /* of UnfreezeSpan, in order begun */
  guint8     *styles;                                   /* per span: UnfreezeTimelineStyle */
  gint64      end_us;                                   /* now, or the run's end */
  gint64      x_max_us;                                 /* the time at the right edge */
  guint       n_lanes;
  guint16     lane_of[UNFREEZE_RUN_MAX_THREADS];        /* thread id → lane + 1; 0: none */
  guint       thread_of[UNFREEZE_RUN_MAX_THREADS];      /* lane → thread id */
  const char *name_of[UNFREEZE_RUN_MAX_THREADS];        /* lane → thread name, inside spans */
  gint64      busy_us;                                  /* the UI thread, held by the run */
  guint       n_refused;
  guint       styles_seen;                              /* 1 << UnfreezeTimelineStyle */
} UnfreezeTimelineScan;

void     unfreeze_timeline_scan_init        (UnfreezeTimelineScan       *scan,
                                             GArray                     *spans,
                                             gint64                      end_us,
                                             gint64                      expected_end_us);
void     unfreeze_timeline_scan_clear       (UnfreezeTimelineScan       *scan);
guint    unfreeze_timeline_scan_get_lane    (const UnfreezeTimelineScan *scan,
                                             const UnfreezeSpan         *span);
gint64   unfreeze_timeline_scan_span_end    (const UnfreezeTimelineScan *scan,
                                             const UnfreezeSpan         *span);

gboolean unfreeze_timeline_style_is_mark    (UnfreezeTimelineStyle       style);

G_END_DECLS
