/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One verdict on how the main loop did, from the references: a stall up to one frame at
 * 60 Hz (16.7 ms) is smooth, one of 50 ms or more is a long task (W3C Long Tasks), one of
 * 100 ms or more is a delay users perceive (RAIL). A run is smooth only when it also missed
 * no frame. The stall graph colours its bars with these bands, and the run's status text
 * (status line, message panel) says them in words.
 *
 * The status text is built from sentences with unfreeze_verdict_append_sentence(), so a part
 * that already ends a sentence ("…it only guesses.") never gets a second full stop.
 *
 * Pure GLib: tested without a display or a server (tests/test-verdict.c).
 */
#define G_LOG_DOMAIN "Unfreeze-Verdict"

#include "config.h"

#include "unfreeze-verdict.h"

#include <glib/gi18n.h>

#include "unfreeze-run.h"

/* The band of one stall (a graph bar), whatever the frames did. */
UnfreezeVerdict
unfreeze_verdict_for_stall (gint64 stall_us)
{
  if (stall_us >= UNFREEZE_VERDICT_PERCEIVED_US)
    return UNFREEZE_VERDICT_FROZEN;
  if (stall_us >= UNFREEZE_VERDICT_LONG_TASK_US)
    return UNFREEZE_VERDICT_LONG_TASK;
  if (stall_us >= UNFREEZE_VERDICT_FRAME_US)
    return UNFREEZE_VERDICT_STUTTER;

  return UNFREEZE_VERDICT_SMOOTH;
}

/* The band of a run: its longest stall, and a missed frame is never smooth (the renderer
 * can miss one while the main loop kept its heartbeat). */
UnfreezeVerdict
unfreeze_verdict_for_run (gint64 stall_us,
                          gint64 frames_missed)
{
  UnfreezeVerdict verdict = unfreeze_verdict_for_stall (stall_us);

  if (frames_missed > 0)
    verdict = MAX (verdict, UNFREEZE_VERDICT_STUTTER);

  return verdict;
}

/* Over a frame, but no frame counted as missed: no window was drawing, or the freeze was
 * still going on when the run ended (the gap is counted when the next frame comes). */
static char *
dup_headline_without_frames (UnfreezeVerdict  verdict,
                             const char      *stall)
{
  switch (verdict)
    {
    case UNFREEZE_VERDICT_SMOOTH:
    case UNFREEZE_VERDICT_STUTTER:
      /* Translators: "Longest stall 20 ms: over a frame" (one frame at 60 Hz: 16.7 ms) */
      return g_strdup_printf (_("Longest stall %s ms: over a frame"), stall);

    case UNFREEZE_VERDICT_LONG_TASK:
      /* Translators: "Longest stall 52 ms: a long task" ("long task" as in the W3C Long
       * Tasks API: 50 ms or more on the main thread) */
      return g_strdup_printf (_("Longest stall %s ms: a long task"), stall);

    case UNFREEZE_VERDICT_FROZEN:
    default:
      /* Translators: "UI frozen for 2,004 ms" */
      return g_strdup_printf (_("UI frozen for %s ms"), stall);
    }
}

/* "3 frames missed, longest stall 52 ms: a long task", one sentence per band. */
static char *
dup_headline (UnfreezeVerdict verdict,
              gint64          stall_us,
              gint64          frames_missed)
{
  g_autofree char *stall = unfreeze_format_count (MAX (stall_us, 0) / 1000);
  g_autofree char *frames = unfreeze_format_count (MAX (frames_missed, 0));
  gulong n = (gulong) MAX (frames_missed, 0);

  if (n == 0 && verdict != UNFREEZE_VERDICT_SMOOTH)
    return dup_headline_without_frames (verdict, stall);

  switch (verdict)
    {
    case UNFREEZE_VERDICT_SMOOTH:
      /* Translators: "Smooth: no frame missed, longest stall 4 ms" */
      return g_strdup_printf (_("Smooth: no frame missed, longest stall %s ms"), stall);

    case UNFREEZE_VERDICT_STUTTER:
      /* Translators: "3 frames missed, longest stall 32 ms: a stutter"; the frames missed
       * first, then the longest stall in milliseconds */
      return g_strdup_printf (ngettext ("%s frame missed, longest stall %s ms: a stutter",
                                        "%s frames missed, longest stall %s ms: a stutter", n),
                              frames, stall);

    case UNFREEZE_VERDICT_LONG_TASK:
      /* Translators: "3 frames missed, longest stall 52 ms: a long task"; the frames missed
       * first, then the longest stall in milliseconds. "Long task" as in the W3C Long Tasks
       * API: 50 ms or more on the main thread */
      return g_strdup_printf (ngettext ("%s frame missed, longest stall %s ms: a long task",
                                        "%s frames missed, longest stall %s ms: a long task", n),
                              frames, stall);

    case UNFREEZE_VERDICT_FROZEN:
    default:
      /* Translators: "UI frozen for 2,004 ms (119 frames missed)"; the longest stall in
       * milliseconds first, then the frames missed */
      return g_strdup_printf (ngettext ("UI frozen for %s ms (%s frame missed)",
                                        "UI frozen for %s ms (%s frames missed)", n),
                              stall, frames);
    }
}

/* Waiting and showing the rows are two different lessons: when the wait was better than the
 * whole run, the rows cost the rest. */
static char *
dup_split (const UnfreezeVerdictFacts *facts)
{
  g_autofree char *waiting = NULL;
  g_autofree char *apply = NULL;

  if (!facts->rows_shown ||
      unfreeze_verdict_for_stall (facts->stall_before_rows_us) >=
      unfreeze_verdict_for_stall (facts->longest_stall_us))
    return NULL;

  waiting = unfreeze_format_count (MAX (facts->stall_before_rows_us, 0) / 1000);
  apply = unfreeze_format_count (MAX (facts->apply_us, 0) / 1000);

  /* Translators: "While waiting, the longest stall was 4 ms; showing the rows took 52 ms
   * on the main thread" */
  return g_strdup_printf (_("While waiting, the longest stall was %s ms; showing the rows "
                            "took %s ms on the main thread"), waiting, apply);
}

/**
 * unfreeze_verdict_dup_text:
 *
 * What the run did to the main loop, in one or two sentences without a final full stop.
 *
 * Returns: (nullable): the verdict, or %NULL when nothing ran (no query reached the server)
 *   and the attempt did not stall the main loop for a long task either. (A blocking connect
 *   that freezes the window is worth saying even when it fails.)
 */
char *
unfreeze_verdict_dup_text (const UnfreezeVerdictFacts *facts)
{
  UnfreezeVerdict verdict;
  g_autofree char *headline = NULL;
  g_autofree char *split = NULL;
  GString *text;

  g_return_val_if_fail (facts != NULL, NULL);

  verdict = unfreeze_verdict_for_run (facts->longest_stall_us, facts->frames_missed);
  if (!facts->queried && verdict < UNFREEZE_VERDICT_LONG_TASK)
    return NULL;

  headline = dup_headline (verdict, facts->longest_stall_us, facts->frames_missed);
  split = dup_split (facts);

  text = g_string_new (NULL);
  unfreeze_verdict_append_sentence (text, headline);
  unfreeze_verdict_append_sentence (text, split);

  return g_string_free (text, FALSE);
}

/**
 * unfreeze_verdict_dup_input_text:
 *
 * How long the user's own input waited during the run: the longest wait from a key press or
 * click to the first frame painted after it was handled. An input the window answers at
 * once is painted in the frame after it, so up to two frame intervals count as "within one
 * frame" (the next frame). Without a final full stop.
 *
 * Returns: (nullable): the sentence, or %NULL when no input was made during the run
 */
char *
unfreeze_verdict_dup_input_text (const UnfreezeVerdictFacts *facts)
{
  g_autofree char *wait = NULL;

  g_return_val_if_fail (facts != NULL, NULL);

  if (facts->n_inputs == 0)
    return NULL;

  if (facts->input_wait_max_us <= 2 * UNFREEZE_VERDICT_FRAME_US)
    return g_strdup (_("Your input was handled within one frame"));

  wait = unfreeze_format_count (facts->input_wait_max_us / 1000);
  if (facts->input_kind == UNFREEZE_INPUT_CLICK)
    /* Translators: "Your click waited 1,980 ms": from the click until the window showed
     * that it had handled it */
    return g_strdup_printf (_("Your click waited %s ms"), wait);

  /* Translators: "Your typing waited 1,980 ms": from the key press until the window showed
   * that it had handled it */
  return g_strdup_printf (_("Your typing waited %s ms"), wait);
}

/* Whether @text already ends a sentence. */
static gboolean
ends_sentence (const GString *text)
{
  const char *last;

  if (text->len == 0)
    return FALSE;

  last = g_utf8_find_prev_char (text->str, text->str + text->len);
  if (last == NULL)
    return FALSE;

  switch (g_utf8_get_char (last))
    {
    case '.':
    case '!':
    case '?':
    case 0x2026: /* … */
    case 0x3002: /* 。 */
    case 0xFF01: /* ！ */
    case 0xFF0E: /* ． */
    case 0xFF1F: /* ？ */
      return TRUE;
    default:
      return FALSE;
    }
}

/**
 * unfreeze_verdict_append_sentence:
 * @text: the text so far
 * @sentence: (nullable): the next sentence, with or without its full stop
 *
 * Appends @sentence to @text as a new sentence: after ". ", or only a space when @text
 * already ends one. Surrounding white space is dropped; %NULL or an empty @sentence adds
 * nothing.
 */
void
unfreeze_verdict_append_sentence (GString    *text,
                                  const char *sentence)
{
  g_autofree char *part = NULL;

  g_return_if_fail (text != NULL);

  if (sentence == NULL)
    return;

  part = g_strstrip (g_strdup (sentence));
  if (*part == '\0')
    return;

  while (text->len > 0 && g_ascii_isspace (text->str[text->len - 1]))
    g_string_truncate (text, text->len - 1);

  if (text->len > 0)
    g_string_append (text, ends_sentence (text) ? " " : ". ");
  g_string_append (text, part);
}
