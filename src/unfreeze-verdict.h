/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one verdict on the main loop: thresholds, bands and their words (pure GLib).
 */
#pragma once

#include <glib.h>

#include "unfreeze-types.h"

G_BEGIN_DECLS

/* The thresholds every verdict of the app uses (graph colours, status line, message panel).
 * README.md ("What the status line and the graph say") cites their sources. */

/* One frame at 60 Hz (1/60 s, 16.7 ms): a longer stall misses a frame. */
#define UNFREEZE_VERDICT_FRAME_US      16667
/* A long task, as the W3C Long Tasks API defines it: 50 ms or more on the main thread. */
#define UNFREEZE_VERDICT_LONG_TASK_US  (50 * 1000)
/* A delay users perceive (RAIL: respond within 100 ms): the window visibly froze. */
#define UNFREEZE_VERDICT_PERCEIVED_US  (100 * 1000)

/* One level per band, in increasing order of badness. */
typedef enum
{
  UNFREEZE_VERDICT_SMOOTH,      /* no frame missed, no stall of a frame */
  UNFREEZE_VERDICT_STUTTER,     /* frames missed, stalls under 50 ms */
  UNFREEZE_VERDICT_LONG_TASK,   /* a stall of 50 ms or more */
  UNFREEZE_VERDICT_FROZEN,      /* a stall of 100 ms or more */
} UnfreezeVerdict;

/* What a run measured, for its verdict. */
typedef struct
{
  gboolean queried;               /* a query reached the server */
  gint64   longest_stall_us;
  gint64   frames_missed;         /* 0 (or less) when none, or no window was drawing */
  gboolean rows_shown;
  gint64   stall_before_rows_us;  /* the longest stall until the rows were shown */
  gint64   apply_us;              /* how long showing the rows took */
  guint    n_inputs;              /* key presses and clicks made during the run */
  gint64   input_wait_max_us;     /* the longest of their waits for the next frame */
  UnfreezeInputKind input_kind;   /* what the one that waited longest was */
} UnfreezeVerdictFacts;

UnfreezeVerdict  unfreeze_verdict_for_stall        (gint64                      stall_us);
UnfreezeVerdict  unfreeze_verdict_for_run          (gint64                      stall_us,
                                                    gint64                      frames_missed);
char            *unfreeze_verdict_dup_text         (const UnfreezeVerdictFacts *facts);
char            *unfreeze_verdict_dup_input_text   (const UnfreezeVerdictFacts *facts);
void             unfreeze_verdict_append_sentence  (GString                    *text,
                                                    const char                 *sentence);

G_END_DECLS
