/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The thread timeline's reading of a run (pure GLib, for the timeline widget and its unit
 * test): one lane per thread, the UI thread first, then the workers in the order they
 * appeared; and for each span what it means, which is how it is drawn. On the UI thread the
 * same kind of span can mean different things: waiting for the server inside a callback
 * held the thread (blocked), while a wait that outlives the callback it began in was
 * asynchronous (the main-loop mode), and the thread was free.
 */
#define G_LOG_DOMAIN "Unfreeze-Timeline"

#include "config.h"

#include "unfreeze-timeline-scan.h"

#include <string.h>

#include "unfreeze-verdict.h"

/* How long a span lasted until now, if it is still open. */
static gint64
span_end (const UnfreezeSpan *span,
          gint64              now_us)
{
  return span->end_us >= 0 ? span->end_us : MAX (now_us, span->begin_us);
}

static gboolean
is_callback (const UnfreezeSpan *span)
{
  return span->kind == UNFREEZE_SPAN_HANDLER || span->kind == UNFREEZE_SPAN_IDLE;
}

/* @callback: the latest callback on the UI thread that began before @span, if any. Callbacks
 * on one thread run one after the other, so that is the only one that can hold @span. */
static UnfreezeTimelineStyle
style_for (const UnfreezeSpan *span,
           const UnfreezeSpan *callback,
           gint64              now_us)
{
  gboolean ui = span->thread_id == 0;
  gint64 length = span_end (span, now_us) - span->begin_us;
  UnfreezeTimelineStyle busy = length >= UNFREEZE_VERDICT_FRAME_US ? UNFREEZE_TIMELINE_BUSY
                                                                   : UNFREEZE_TIMELINE_WORK;
  gboolean inside = callback != NULL && span_end (callback, now_us) >= span_end (span, now_us);

  switch (span->kind)
    {
    case UNFREEZE_SPAN_HANDLER:
      return busy;
    case UNFREEZE_SPAN_CONNECT:
      return ui && inside ? UNFREEZE_TIMELINE_BLOCKED : UNFREEZE_TIMELINE_CONNECT;
    case UNFREEZE_SPAN_QUERY:
      return ui && inside ? UNFREEZE_TIMELINE_BLOCKED : UNFREEZE_TIMELINE_QUERY;
    case UNFREEZE_SPAN_FETCH:
      /* Reading rows is work, never a wait: on the UI thread it holds the thread. */
      return ui ? busy : UNFREEZE_TIMELINE_FETCH;
    case UNFREEZE_SPAN_SLEEP:
      return ui ? UNFREEZE_TIMELINE_BLOCKED : UNFREEZE_TIMELINE_SLEEP;
    case UNFREEZE_SPAN_IDLE:
      return UNFREEZE_TIMELINE_IDLE;
    case UNFREEZE_SPAN_APPLY:
      return UNFREEZE_TIMELINE_APPLY;
    case UNFREEZE_SPAN_HANDOFF:
      return UNFREEZE_TIMELINE_HANDOFF;
    case UNFREEZE_SPAN_REFUSED:
      return UNFREEZE_TIMELINE_REFUSED;
    case UNFREEZE_SPAN_BLOCKING_CALL:
      return UNFREEZE_TIMELINE_BLOCKING_CALL;
    case UNFREEZE_SPAN_WAIT_WORKER:
      /* Waiting for a worker holds the UI thread like any other wait. */
      return ui ? UNFREEZE_TIMELINE_BLOCKED : UNFREEZE_TIMELINE_SLEEP;
    case UNFREEZE_SPAN_WAIT_UI:
      return UNFREEZE_TIMELINE_WAIT_UI;
    case UNFREEZE_SPAN_COMPUTE:
      /* Busy, on whichever thread: on the UI thread it holds the window like a wait does. */
      return UNFREEZE_TIMELINE_COMPUTE;
    case UNFREEZE_N_SPAN_KINDS:
    default:
      return UNFREEZE_TIMELINE_WORK;
    }
}

/* Whether the UI thread was held (not just waiting asynchronously). */
static gboolean
style_holds_ui (UnfreezeTimelineStyle style)
{
  return style == UNFREEZE_TIMELINE_BLOCKED || style == UNFREEZE_TIMELINE_BUSY ||
         style == UNFREEZE_TIMELINE_WORK || style == UNFREEZE_TIMELINE_IDLE ||
         style == UNFREEZE_TIMELINE_APPLY || style == UNFREEZE_TIMELINE_BLOCKING_CALL ||
         style == UNFREEZE_TIMELINE_COMPUTE;
}

/* Marks are moments, drawn as symbols: everything else is a block of time. */
gboolean
unfreeze_timeline_style_is_mark (UnfreezeTimelineStyle style)
{
  return style == UNFREEZE_TIMELINE_HANDOFF || style == UNFREEZE_TIMELINE_REFUSED;
}

/**
 * unfreeze_timeline_scan_init:
 * @spans: (transfer full): the run's spans (unfreeze_run_dup_spans()), in the order begun
 * @end_us: the run's time now, or at its end; open spans end there
 * @expected_end_us: while running, the time the run should take (the wait it asked for);
 *   0 once it is over
 *
 * Classifies @spans into @scan; unfreeze_timeline_scan_clear() frees it.
 */
void
unfreeze_timeline_scan_init (UnfreezeTimelineScan *scan,
                             GArray               *spans,
                             gint64                end_us,
                             gint64                expected_end_us)
{
  const UnfreezeSpan *callback = NULL;
  gint64 busy_begin = 0;
  gint64 busy_end = -1;

  g_return_if_fail (scan != NULL);
  g_return_if_fail (spans != NULL);

  memset (scan, 0, sizeof *scan);
  scan->spans = spans;
  scan->styles = g_new0 (guint8, MAX (spans->len, 1));
  scan->end_us = end_us;

  /* Lane 0 is the UI thread, even before it has a span. */
  scan->n_lanes = 1;
  scan->lane_of[0] = 1;
  scan->thread_of[0] = 0;
  scan->name_of[0] = NULL;

  for (guint i = 0; i < spans->len; i++)
    {
      const UnfreezeSpan *span = &g_array_index (spans, UnfreezeSpan, i);
      guint thread = MIN (span->thread_id, UNFREEZE_RUN_MAX_THREADS - 1);
      UnfreezeTimelineStyle style;

      if (scan->lane_of[thread] == 0)
        {
          scan->lane_of[thread] = ++scan->n_lanes;
          scan->thread_of[scan->n_lanes - 1] = thread;
          scan->name_of[scan->n_lanes - 1] = span->thread_name;
        }

      style = style_for (span, thread == 0 ? callback : NULL, end_us);
      scan->styles[i] = style;
      scan->styles_seen |= 1u << style;
      if (style == UNFREEZE_TIMELINE_REFUSED)
        scan->n_refused++;
      /* A thread waiting for another: the timeline points from the wait to the other. */
      if (span->kind == UNFREEZE_SPAN_WAIT_WORKER || span->kind == UNFREEZE_SPAN_WAIT_UI)
        scan->styles_seen |= 1u << UNFREEZE_TIMELINE_WAITS_FOR;

      if (thread != 0)
        continue;
      if (is_callback (span))
        callback = span;

      /* The UI thread's spans come in the order they began: merging as we go gives the
       * time the thread was held, overlaps counted once. */
      if (!style_holds_ui (style))
        continue;
      if (span->begin_us > busy_end)
        {
          if (busy_end >= 0)
            scan->busy_us += busy_end - busy_begin;
          busy_begin = span->begin_us;
          busy_end = span_end (span, end_us);
        }
      else
        {
          busy_end = MAX (busy_end, span_end (span, end_us));
        }
    }
  if (busy_end >= 0)
    scan->busy_us += busy_end - busy_begin;

  /* While running, the scale leaves room for the wait the run asked for, so the spans grow
   * to the right instead of everything shrinking on every frame. */
  scan->x_max_us = MAX (end_us, 1000);
  scan->x_max_us = MAX (scan->x_max_us, expected_end_us);
}

void
unfreeze_timeline_scan_clear (UnfreezeTimelineScan *scan)
{
  g_clear_pointer (&scan->spans, g_array_unref);
  g_clear_pointer (&scan->styles, g_free);
}

/* The lane @span is drawn on. */
guint
unfreeze_timeline_scan_get_lane (const UnfreezeTimelineScan *scan,
                                 const UnfreezeSpan         *span)
{
  return scan->lane_of[MIN (span->thread_id, UNFREEZE_RUN_MAX_THREADS - 1)] - 1;
}

/* Where @span ends: its end, or the scan's time if it is still open. */
gint64
unfreeze_timeline_scan_span_end (const UnfreezeTimelineScan *scan,
                                 const UnfreezeSpan         *span)
{
  return span_end (span, scan->end_us);
}
