/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One press of Run: its parameters, its clock, the spans each thread recorded, and its
 * outcome. The summary line, the status text, the timeline and the tests all read the run.
 *
 * The UI updates a mode may ask for (progress, rows, error) are offered here, each behind
 * the UI-thread guard, and forwarded to whoever shows them (the window) as signals on the
 * main thread.
 */
#define G_LOG_DOMAIN "Unfreeze-Run"

#include "config.h"

#include "unfreeze-run.h"

#include <glib/gi18n.h>
#include <langinfo.h>

#include "modes/unfreeze-mode-mainloop.h"
#include "unfreeze-stall-meter.h"
#include "unfreeze-ui-guard.h"
#include "unfreeze-verdict.h"

#define MAX_SPANS   8192
/* Spans live in pages allocated when first needed: most runs record a handful, and one
 * array of MAX_SPANS (512 KiB, mmap()ed and unmapped by malloc) cost every run more than
 * its query. */
#define SPAN_PAGE     256
#define N_SPAN_PAGES  (MAX_SPANS / SPAN_PAGE)

/* How often the run samples the process's threads and open connections for its peaks. */
#define SAMPLE_INTERVAL_MS 25

typedef struct
{
  UnfreezeSpan span;
  gint         begun;   /* atomic: the span's fields are written */
  gint         ended;   /* atomic: end_us is written */
} SpanSlot;

struct _UnfreezeRun
{
  GObject             parent_instance;

  const UnfreezeMode *mode;
  UnfreezeDatabase   *database;
  char               *ticker;
  double              delay;
  guint               count;
  guint               cpu_ms;         /* the analysis asked for, per query (0: none) */
  GCancellable       *cancellable;

  gint64              start_us;
  gint64              end_us;         /* the last query ended (0: not yet) */
  guint               n_holds;        /* the window is still putting the rows on screen */
  UnfreezeStallWatch *watch;
  gint64              longest_stall_us;
  gint64              frames_missed;
  gint64              stall_before_rows_us;
  gint64              apply_us;
  gboolean            queried;        /* at the finish: a query reached the server */
  guint               handler_span;
  guint               n_started;      /* queries whose start_query() was called */
  gint64              next_start_us;  /* when the next one's time comes (spaced starts) */
  guint               sample_id;
  gint64              last_sample_us;
  guint               threads_before;
  guint               threads_peak;
  guint               connections_peak;

  /* Main thread only. */
  UnfreezeRows       *rows;
  GArray             *inputs;         /* of UnfreezeInput */
  guint               n_done;
  guint               n_cancelled;
  guint               n_deadlocked;
  gint                n_preempted_calls; /* atomic: slow calls that did not block */
  GError             *error;
  gboolean            finished;
  UnfreezeRunResult   result;

  /* Any thread, lock-free. */
  char               *refusal;        /* atomic pointer: the first refusal */
  gint                n_refused;
  SpanSlot           *span_pages[N_SPAN_PAGES];   /* atomic pointers; NULL until needed */
  gint                n_spans;
  GThread            *threads[UNFREEZE_RUN_MAX_THREADS];
  GMutex              analysis_lock;  /* guards what follows: workers analyse too */
  gint64              cpu_us;         /* processor time spent analysing, all queries */
  gboolean            analysed;
  UnfreezeAnalysis    analysis;       /* the first query's */
};

enum {
  PROGRESS,
  ROWS,
  ERROR,
  REFUSED,
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (UnfreezeRun, unfreeze_run, G_TYPE_OBJECT)
G_DEFINE_QUARK (unfreeze-run-error-quark, unfreeze_run_error)

/* Timeline --------------------------------------------------------------------------- */

/* A small number for the calling thread, stable for the run: 0 is the UI thread. */
static guint
thread_slot (UnfreezeRun *self)
{
  GThread *me = g_thread_self ();

  for (guint i = 0; i < UNFREEZE_RUN_MAX_THREADS; i++)
    {
      GThread *t = g_atomic_pointer_get (&self->threads[i]);

      if (t == me)
        return i;
      /* If another thread wins the race for this empty slot, try the next one. */
      if (t == NULL && g_atomic_pointer_compare_and_exchange (&self->threads[i], NULL, me))
        return i;
    }

  return UNFREEZE_RUN_MAX_THREADS - 1;
}

static gint64
now_relative (UnfreezeRun *self)
{
  return g_get_monotonic_time () - self->start_us;
}

/* @end_us: -1 for a span that is still open. Every field is written before the slot is
 * published as begun. */
/* Slot @index, from any thread; with @create, its page is allocated if it is not yet (the
 * first thread to get there wins; a loser frees its page). NULL without @create when the
 * page does not exist: nothing was written there. */
static SpanSlot *
get_slot (UnfreezeRun *self,
          guint        index,
          gboolean     create)
{
  SpanSlot **page = &self->span_pages[index / SPAN_PAGE];
  SpanSlot *slots = g_atomic_pointer_get (page);

  if (slots == NULL && create)
    {
      SpanSlot *fresh = g_new0 (SpanSlot, SPAN_PAGE);

      if (g_atomic_pointer_compare_and_exchange (page, NULL, fresh))
        slots = fresh;
      else
        {
          g_free (fresh);
          slots = g_atomic_pointer_get (page);
        }
    }

  return slots != NULL ? &slots[index % SPAN_PAGE] : NULL;
}

static gboolean
slot_begun (UnfreezeRun *self,
            guint        index)
{
  SpanSlot *slot = get_slot (self, index, FALSE);

  return slot != NULL && g_atomic_int_get (&slot->begun);
}

static guint
add_span_at (UnfreezeRun      *self,
             UnfreezeSpanKind  kind,
             gint64            begin_us,
             gint64            end_us,
             const char       *label)
{
  const char *name;
  guint index;
  SpanSlot *slot;

  index = (guint) g_atomic_int_add (&self->n_spans, 1);
  if (index >= MAX_SPANS)
    return G_MAXUINT;

  slot = get_slot (self, index, TRUE);
  name = unfreeze_ui_guard_get_thread_name ();
  slot->span.kind = kind;
  slot->span.begin_us = begin_us;
  slot->span.end_us = end_us;
  slot->span.thread_id = thread_slot (self);
  slot->span.label = label;
  g_strlcpy (slot->span.thread_name, name, sizeof slot->span.thread_name);
  if (end_us >= 0)
    g_atomic_int_set (&slot->ended, 1);
  g_atomic_int_set (&slot->begun, 1);

  return index;
}

static guint
add_span (UnfreezeRun      *self,
          UnfreezeSpanKind  kind,
          gboolean          is_mark)
{
  gint64 now_us = now_relative (self);

  return add_span_at (self, kind, now_us, is_mark ? now_us : -1, NULL);
}

guint
unfreeze_run_begin_span (UnfreezeRun      *self,
                         UnfreezeSpanKind  kind)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), G_MAXUINT);

  return add_span (self, kind, FALSE);
}

void
unfreeze_run_end_span (UnfreezeRun *self,
                       guint        span)
{
  SpanSlot *slot;

  g_return_if_fail (UNFREEZE_IS_RUN (self));

  if (span >= MAX_SPANS)
    return;

  slot = get_slot (self, span, FALSE);
  g_assert (slot != NULL);
  if (g_atomic_int_get (&slot->ended))
    return;
  slot->span.end_us = now_relative (self);
  g_atomic_int_set (&slot->ended, 1);
}

/* A moment rather than a span: begin and end are the same time. */
void
unfreeze_run_mark (UnfreezeRun      *self,
                   UnfreezeSpanKind  kind)
{
  g_return_if_fail (UNFREEZE_IS_RUN (self));

  add_span (self, kind, TRUE);
}

/**
 * unfreeze_run_note_call:
 * @call: (not nullable): the call's name, a static string
 * @begin: the calling thread's clocks before the call: its wall time just before it, its
 *   counters then or earlier in the same stretch of work (unfreeze_call_clock_read()); the
 *   earlier they were read, the stricter the judgement
 *
 * Ends the timing of a call that should not block (the main-loop mode's calls into libpq).
 * One that took %UNFREEZE_RUN_BLOCKING_CALL_US or more because it waited or computed is
 * recorded as a %UNFREEZE_SPAN_BLOCKING_CALL span named @call, on the calling thread's lane.
 * One that was slow only because the thread was switched out (a busy machine) is counted,
 * not drawn: the stall graph shows what that cost.
 *
 * Returns: whether the call was recorded as blocking
 */
gboolean
unfreeze_run_note_call (UnfreezeRun             *self,
                        const char              *call,
                        const UnfreezeCallClock *begin)
{
  UnfreezeCallClock end;

  g_return_val_if_fail (UNFREEZE_IS_RUN (self), FALSE);
  g_return_val_if_fail (call != NULL, FALSE);
  g_return_val_if_fail (begin != NULL, FALSE);

  /* Most calls are quick: the thread's counters (system calls) only for a slow one. */
  if (g_get_monotonic_time () - begin->wall_us < UNFREEZE_RUN_BLOCKING_CALL_US)
    return FALSE;

  unfreeze_call_clock_read (&end);
  switch (unfreeze_call_clock_judge (begin, &end))
    {
    case UNFREEZE_CALL_QUICK:
      return FALSE;
    case UNFREEZE_CALL_PREEMPTED:
      g_atomic_int_inc (&self->n_preempted_calls);
      return FALSE;
    case UNFREEZE_CALL_WAITED:
    case UNFREEZE_CALL_COMPUTED:
    default:
      add_span_at (self, UNFREEZE_SPAN_BLOCKING_CALL, begin->wall_us - self->start_us,
                   end.wall_us - self->start_us, call);
      return TRUE;
    }
}

/* Calls that were slow only because the machine ran something else meanwhile. */
guint
unfreeze_run_get_n_preempted_calls (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);

  return (guint) g_atomic_int_get (&self->n_preempted_calls);
}

/**
 * unfreeze_run_dup_spans:
 *
 * Returns: (transfer full): a copy of the spans recorded so far; spans still open have
 *   end_us == -1.
 */
GArray *
unfreeze_run_dup_spans (UnfreezeRun *self)
{
  GArray *spans;
  guint n;

  g_return_val_if_fail (UNFREEZE_IS_RUN (self), NULL);

  n = MIN ((guint) g_atomic_int_get (&self->n_spans), (guint) MAX_SPANS);
  spans = g_array_sized_new (FALSE, FALSE, sizeof (UnfreezeSpan), n);
  for (guint i = 0; i < n; i++)
    {
      UnfreezeSpan copy;
      SpanSlot *slot;

      if (!slot_begun (self, i))
        continue;
      slot = get_slot (self, i, FALSE);
      copy = slot->span;
      if (!g_atomic_int_get (&slot->ended))
        copy.end_us = -1;
      g_array_append_val (spans, copy);
    }

  return spans;
}

/* UI updates ------------------------------------------------------------------------- */

static gboolean
emit_refused_cb (gpointer user_data)
{
  UnfreezeRun *self = user_data;

  g_signal_emit (self, signals[REFUSED], 0, self->refusal);

  return G_SOURCE_REMOVE;
}

/* The guard said no. The refusal is recorded on the worker's lane and reported to the
 * window properly, through the main loop: the app itself must stay correct. */
static gboolean
guard (UnfreezeRun *self,
       const char  *what)
{
  char *refusal = NULL;

  if (unfreeze_ui_guard_check (what, &refusal))
    return TRUE;

  unfreeze_run_mark (self, UNFREEZE_SPAN_REFUSED);
  g_atomic_int_inc (&self->n_refused);
  if (g_atomic_pointer_compare_and_exchange (&self->refusal, NULL, refusal))
    g_idle_add_full (G_PRIORITY_DEFAULT, emit_refused_cb, g_object_ref (self), g_object_unref);
  else
    g_free (refusal);

  return FALSE;
}

gboolean
unfreeze_run_show_progress (UnfreezeRun *self,
                            const char  *text)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), FALSE);

  if (!guard (self, "show progress"))
    return FALSE;

  g_signal_emit (self, signals[PROGRESS], 0, text);

  return TRUE;
}

/**
 * unfreeze_run_wants_rows:
 * @index: a query of the run, from 0
 *
 * Whether anything uses query @index's rows. The window shows the first query's
 * (unfreeze_run_show_rows()), and the analysis, when there is one, works on every query's.
 * The others ask the server for no rows at all (unfreeze_query_send()): with 200 queries at
 * once, moving 199 × 2,600 rows that nobody sees was most of the run's work, the server's
 * and the app's. Any thread.
 */
gboolean
unfreeze_run_wants_rows (UnfreezeRun *self,
                         guint        index)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), TRUE);

  return index == 0 || self->cpu_ms > 0;
}

/**
 * unfreeze_run_show_rows:
 * @index: the query whose rows these are
 * @rows: its rows, complete or still growing
 *
 * Puts the first query's rows on screen; any other query's are not shown (returns TRUE).
 * Called again with the same rows (more of them came), it does nothing more.
 *
 * Returns: FALSE when refused (not on the UI thread)
 */
gboolean
unfreeze_run_show_rows (UnfreezeRun  *self,
                        guint         index,
                        UnfreezeRows *rows)
{
  guint span;

  g_return_val_if_fail (UNFREEZE_IS_RUN (self), FALSE);
  g_return_val_if_fail (UNFREEZE_IS_ROWS (rows), FALSE);

  if (!guard (self, "show rows"))
    return FALSE;

  /* With many queries at once, the first query's rows are the ones on screen. */
  if (index != 0 || self->rows != NULL)
    return TRUE;

  /* Waiting and showing are two different costs: keep them apart. */
  if (self->watch != NULL)
    self->stall_before_rows_us = unfreeze_stall_meter_watch_peek (unfreeze_stall_meter_get_default (),
                                                                  self->watch);
  self->apply_us = g_get_monotonic_time ();
  span = unfreeze_run_begin_span (self, UNFREEZE_SPAN_APPLY);
  self->rows = g_object_ref (rows);
  g_signal_emit (self, signals[ROWS], 0, rows);
  unfreeze_run_end_span (self, span);
  self->apply_us = g_get_monotonic_time () - self->apply_us;

  return TRUE;
}

gboolean
unfreeze_run_show_error (UnfreezeRun  *self,
                         const GError *error)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), FALSE);
  g_return_val_if_fail (error != NULL, FALSE);

  if (!guard (self, "show error"))
    return FALSE;

  g_signal_emit (self, signals[ERROR], 0, error);

  return TRUE;
}

/* Peaks ------------------------------------------------------------------------------ */

/* At most one sample in this long, but at the start and the finish: starting 200 queries
 * samples after each one (a raw thread is born with each), and 200 reads of /proc cost
 * more than the queries' own work. A thread that lives shorter than this and the 25 ms
 * timer can be missed; the modes' threads live as long as their query. */
#define SAMPLE_MIN_GAP_US 1000

static void
sample_peaks_now (UnfreezeRun *self)
{
  self->last_sample_us = g_get_monotonic_time ();
  self->threads_peak = MAX (self->threads_peak, unfreeze_stall_meter_count_threads ());
  self->connections_peak = MAX (self->connections_peak,
                                unfreeze_database_get_n_connections (self->database));
}

static void
sample_peaks (UnfreezeRun *self)
{
  if (g_get_monotonic_time () - self->last_sample_us >= SAMPLE_MIN_GAP_US)
    sample_peaks_now (self);
}

static gboolean
sample_peaks_cb (gpointer user_data)
{
  sample_peaks (user_data);

  return G_SOURCE_CONTINUE;
}

/* Running ---------------------------------------------------------------------------- */

/* A mode whose start is dear (UnfreezeMode.start_in_turns) starts queries for this long per
 * turn of the main loop, at this priority: just after GTK's drawing (GDK_PRIORITY_REDRAW is
 * G_PRIORITY_HIGH_IDLE + 20), as the main-loop mode's socket work. */
#define START_BUDGET_US 4000
#define START_PRIORITY  (G_PRIORITY_HIGH_IDLE + 30)
/* Such a mode's statements with a server delay also go out spaced, as the main-loop mode's
 * do (unfreeze_mode_mainloop_get_send_spacing_us()): a query starts once its time is within
 * this of now (the timer ticks in whole milliseconds). */
#define START_SLACK_US  500

/* Whether a thread began a span of @kind (for QUERY: a query reached the server). */
static gboolean
any_span_of_kind (UnfreezeRun      *self,
                  UnfreezeSpanKind  kind)
{
  guint n = MIN ((guint) g_atomic_int_get (&self->n_spans), MAX_SPANS);

  for (guint i = 0; i < n; i++)
    if (slot_begun (self, i) && get_slot (self, i, FALSE)->span.kind == kind)
      return TRUE;

  return FALSE;
}

static void finish_run (UnfreezeRun *self);

static void
finish_now (UnfreezeRun *self)
{
  /* A "finished" handler may drop the last reference to the run. */
  g_object_ref (self);
  finish_run (self);
  g_object_unref (self);
}

static void
finish_run (UnfreezeRun *self)
{
  UnfreezeStallMeter *meter = unfreeze_stall_meter_get_default ();

  if (self->end_us == 0)
    self->end_us = g_get_monotonic_time ();
  /* -1 means no window was drawing: nothing could be missed. */
  self->frames_missed = MAX (unfreeze_stall_meter_watch_get_frames_missed (meter, self->watch), 0);
  self->longest_stall_us = unfreeze_stall_meter_watch_end (meter, g_steal_pointer (&self->watch));
  unfreeze_run_end_span (self, self->handler_span);
  self->queried = any_span_of_kind (self, UNFREEZE_SPAN_QUERY);
  sample_peaks_now (self);
  g_clear_handle_id (&self->sample_id, g_source_remove);

  if (self->error != NULL)
    self->result = UNFREEZE_RUN_RESULT_ERROR;
  else if (self->n_deadlocked > 0)
    self->result = UNFREEZE_RUN_RESULT_DEADLOCK;
  else if (self->n_cancelled > 0)
    self->result = UNFREEZE_RUN_RESULT_CANCELLED;
  else if (g_atomic_int_get (&self->n_refused) > 0)
    self->result = UNFREEZE_RUN_RESULT_REFUSED;
  else
    self->result = UNFREEZE_RUN_RESULT_OK;

  self->finished = TRUE;
  g_signal_emit (self, signals[FINISHED], 0);
}

/**
 * unfreeze_run_query_done:
 * @error: (transfer full) (nullable): why the query failed
 *
 * Main thread only: one query of the run is over. The run finishes with the last one.
 */
void
unfreeze_run_query_done (UnfreezeRun *self,
                         GError      *error)
{
  g_return_if_fail (UNFREEZE_IS_RUN (self));
  g_assert (unfreeze_ui_guard_is_ui_thread ());
  g_assert (!self->finished);

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->n_cancelled++;
  else if (error != NULL &&
           g_error_matches (error, UNFREEZE_RUN_ERROR, UNFREEZE_RUN_ERROR_DEADLOCK))
    self->n_deadlocked++;
  else if (error != NULL && self->error == NULL)
    self->error = g_steal_pointer (&error);
  g_clear_error (&error);

  sample_peaks (self);

  if (++self->n_done == self->count)
    {
      self->end_us = g_get_monotonic_time ();
      if (self->n_holds == 0)
        finish_now (self);
    }
}

/**
 * unfreeze_run_hold:
 *
 * Main thread only: the rows are not on screen yet (the window puts them in its table over
 * the next frames). The run does not finish, so its stall watch stays open, until
 * unfreeze_run_release(): showing the rows is part of the run. Its elapsed time still ends
 * with its last query.
 */
void
unfreeze_run_hold (UnfreezeRun *self)
{
  g_return_if_fail (UNFREEZE_IS_RUN (self));
  g_assert (unfreeze_ui_guard_is_ui_thread ());

  if (!self->finished)
    self->n_holds++;
}

/**
 * unfreeze_run_release:
 *
 * Main thread only: the end of an unfreeze_run_hold(); the run finishes now if its queries
 * are all over.
 */
void
unfreeze_run_release (UnfreezeRun *self)
{
  g_return_if_fail (UNFREEZE_IS_RUN (self));
  g_assert (unfreeze_ui_guard_is_ui_thread ());

  if (self->finished || self->n_holds == 0)
    return;

  if (--self->n_holds == 0 && self->n_done == self->count)
    finish_now (self);
}

/**
 * unfreeze_run_set_cpu_ms:
 * @cpu_ms: about how many milliseconds of computation on each query's rows (0: none)
 *
 * Before unfreeze_run_start(): the analysis each query's rows get (see
 * unfreeze_run_analyse()).
 */
void
unfreeze_run_set_cpu_ms (UnfreezeRun *self,
                         guint        cpu_ms)
{
  g_return_if_fail (UNFREEZE_IS_RUN (self));
  g_return_if_fail (self->start_us == 0);

  self->cpu_ms = cpu_ms;
}

/**
 * unfreeze_run_analyse:
 * @rows: a query's rows, complete: nobody adds to them any more
 *
 * The CPU-bound part of a query: analyses the closes in @rows for about
 * unfreeze_run_get_cpu_ms() milliseconds of processor time, on the calling thread, which
 * may be any. It is recorded as a %UNFREEZE_SPAN_COMPUTE span (the time it held the thread)
 * and its processor time is added to the run's computing time (cpu_ms); the first query's
 * result is kept for the status text. Cancelling the run stops it early, with no result.
 *
 * Returns: whether anything was computed (no analysis asked for, or no rows: nothing)
 */
gboolean
unfreeze_run_analyse (UnfreezeRun  *self,
                      UnfreezeRows *rows)
{
  UnfreezeAnalysis analysis;
  gboolean done;
  gint64 begin;
  guint span;

  g_return_val_if_fail (UNFREEZE_IS_RUN (self), FALSE);
  g_return_val_if_fail (UNFREEZE_IS_ROWS (rows), FALSE);

  if (self->cpu_ms == 0 || unfreeze_rows_get_n_rows (rows) == 0)
    return FALSE;

  begin = unfreeze_analysis_thread_cpu_us ();
  span = unfreeze_run_begin_span (self, UNFREEZE_SPAN_COMPUTE);
  done = unfreeze_analysis_run (rows, self->cpu_ms, self->cancellable, &analysis);
  unfreeze_run_end_span (self, span);

  g_mutex_lock (&self->analysis_lock);
  self->cpu_us += unfreeze_analysis_thread_cpu_us () - begin;
  if (done && !self->analysed)
    {
      self->analysis = analysis;
      self->analysed = TRUE;
    }
  g_mutex_unlock (&self->analysis_lock);

  return TRUE;
}

/* Spaced starts (a dear mode's statements with a server delay): whether the next query's
 * time has come. */
static gboolean
next_start_is_due (UnfreezeRun *self)
{
  return self->delay <= 0 || self->next_start_us <= g_get_monotonic_time () + START_SLACK_US;
}

/* Starts the queries not started yet: all of them, or, for a mode whose start is dear
 * (start_in_turns: a thread per query), as many as fit in START_BUDGET_US and, when the
 * statements make the server wait, only those whose time has come. Returns whether all are
 * started. */
static gboolean
start_queries (UnfreezeRun *self)
{
  gint64 deadline = g_get_monotonic_time () + START_BUDGET_US;

  while (self->n_started < self->count)
    {
      guint index = self->n_started;
      gint64 now;

      if (self->mode->start_in_turns && !next_start_is_due (self))
        break;

      self->n_started++;
      self->mode->start_query (self, index);
      sample_peaks (self);

      if (!self->mode->start_in_turns)
        continue;
      now = g_get_monotonic_time ();
      if (self->delay > 0)
        /* From the time this one was due, so that the timer's whole milliseconds do not
         * slow the pace; but a loop that came late does not make up for it in a burst. */
        self->next_start_us = MAX (self->next_start_us, now - START_SLACK_US) +
                              unfreeze_mode_mainloop_get_send_spacing_us (unfreeze_run_wants_rows (self, index));
      if (now >= deadline)
        break;
    }

  return self->n_started == self->count;
}

static gboolean
start_more_cb (gpointer user_data)
{
  UnfreezeRun *self = user_data;
  guint span;
  gboolean done;

  if (!next_start_is_due (self))
    return G_SOURCE_CONTINUE;   /* the timer is early */

  span = unfreeze_run_begin_span (self, UNFREEZE_SPAN_HANDLER);
  done = start_queries (self);
  unfreeze_run_end_span (self, span);
  return done ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

/**
 * unfreeze_run_start:
 *
 * Starts the run: calls the mode's start_query() for each query, in order. All in this
 * call, but for a mode whose start is dear (start_in_turns): making 200 threads in one
 * callback kept the window from drawing for 20-30 ms (each new thread also takes the core
 * from the window's thread for a moment as it starts), so such a mode gets START_BUDGET_US
 * per turn of the main loop, at a priority just after GTK's drawing, until all are started.
 */
void
unfreeze_run_start (UnfreezeRun *self)
{
  g_return_if_fail (UNFREEZE_IS_RUN (self));
  g_assert (unfreeze_ui_guard_is_ui_thread ());
  g_assert (self->start_us == 0);

  g_object_ref (self);

  self->threads_before = unfreeze_stall_meter_count_threads ();
  self->threads_peak = self->threads_before;
  self->connections_peak = unfreeze_database_get_n_connections (self->database);
  self->sample_id = g_timeout_add (SAMPLE_INTERVAL_MS, sample_peaks_cb, self);

  self->start_us = g_get_monotonic_time ();
  self->watch = unfreeze_stall_meter_watch_begin (unfreeze_stall_meter_get_default ());
  self->handler_span = unfreeze_run_begin_span (self, UNFREEZE_SPAN_HANDLER);

  if (!start_queries (self))
    {
      /* Spaced: a millisecond timer, each tick starting those whose time has come. */
      if (self->delay > 0)
        g_timeout_add_full (START_PRIORITY, 1, start_more_cb, g_object_ref (self), g_object_unref);
      else
        g_idle_add_full (START_PRIORITY, start_more_cb, g_object_ref (self), g_object_unref);
    }

  unfreeze_run_end_span (self, self->handler_span);

  g_object_unref (self);
}

void
unfreeze_run_cancel (UnfreezeRun *self)
{
  g_return_if_fail (UNFREEZE_IS_RUN (self));

  g_cancellable_cancel (self->cancellable);
}

/* Reading the outcome ---------------------------------------------------------------- */

const UnfreezeMode *
unfreeze_run_get_mode (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), NULL);
  return self->mode;
}

UnfreezeDatabase *
unfreeze_run_get_database (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), NULL);
  return self->database;
}

const char *
unfreeze_run_get_ticker (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), NULL);
  return self->ticker;
}

double
unfreeze_run_get_delay (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);
  return self->delay;
}

guint
unfreeze_run_get_count (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);
  return self->count;
}

GCancellable *
unfreeze_run_get_cancellable (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), NULL);
  return self->cancellable;
}

guint
unfreeze_run_get_cpu_ms (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);
  return self->cpu_ms;
}

/* The processor time really spent analysing rows, on every thread, all queries together. */
gint64
unfreeze_run_get_cpu_us (UnfreezeRun *self)
{
  gint64 cpu_us;

  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);

  g_mutex_lock (&self->analysis_lock);
  cpu_us = self->cpu_us;
  g_mutex_unlock (&self->analysis_lock);

  return cpu_us;
}

/**
 * unfreeze_run_get_analysis:
 * @analysis: (out caller-allocates): the first analysed query's result
 *
 * Returns: whether any query's rows were analysed yet
 */
gboolean
unfreeze_run_get_analysis (UnfreezeRun      *self,
                           UnfreezeAnalysis *analysis)
{
  gboolean analysed;

  g_return_val_if_fail (analysis != NULL, FALSE);
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), FALSE);

  g_mutex_lock (&self->analysis_lock);
  analysed = self->analysed;
  if (analysed)
    *analysis = self->analysis;
  g_mutex_unlock (&self->analysis_lock);

  return analysed;
}

gboolean
unfreeze_run_get_finished (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), FALSE);
  return self->finished;
}

UnfreezeRunResult
unfreeze_run_get_result (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), UNFREEZE_RUN_RESULT_NONE);
  return self->result;
}

const GError *
unfreeze_run_get_error (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), NULL);
  return self->error;
}

UnfreezeRows *
unfreeze_run_get_rows (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), NULL);
  return self->rows;
}

guint
unfreeze_run_get_n_rows (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);
  return self->rows != NULL ? unfreeze_rows_get_n_rows (self->rows) : 0;
}

guint
unfreeze_run_get_n_finished (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);
  return self->n_done;
}

guint
unfreeze_run_get_threads_before (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);
  return self->threads_before;
}

guint
unfreeze_run_get_threads_peak (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);
  return self->threads_peak;
}

guint
unfreeze_run_get_connections_peak (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);
  return self->connections_peak;
}

const char *
unfreeze_run_get_refusal (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), NULL);
  return g_atomic_pointer_get (&self->refusal);
}

gint64
unfreeze_run_get_elapsed_us (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);

  if (self->start_us == 0)
    return 0;

  return (self->finished ? self->end_us : g_get_monotonic_time ()) - self->start_us;
}

gint64
unfreeze_run_get_longest_stall_us (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);

  if (!self->finished && self->watch != NULL)
    return unfreeze_stall_meter_watch_peek (unfreeze_stall_meter_get_default (), self->watch);

  return self->longest_stall_us;
}

/* The longest stall before the first rows were shown (the wait for the server), and how
 * long showing them took on the main thread. Both 0 when no rows were shown. */
gint64
unfreeze_run_get_stall_before_rows_us (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);
  return self->stall_before_rows_us;
}

gint64
unfreeze_run_get_apply_us (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);
  return self->apply_us;
}

/* Frames the window could not draw during the run (0 without a window). */
gint64
unfreeze_run_get_frames_missed (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);

  if (!self->finished && self->watch != NULL)
    return MAX (unfreeze_stall_meter_watch_get_frames_missed (unfreeze_stall_meter_get_default (),
                                                              self->watch), 0);

  return self->frames_missed;
}

const char *
unfreeze_run_result_to_string (UnfreezeRunResult result)
{
  switch (result)
    {
    case UNFREEZE_RUN_RESULT_OK:        return "ok";
    case UNFREEZE_RUN_RESULT_ERROR:     return "error";
    case UNFREEZE_RUN_RESULT_REFUSED:   return "refused";
    case UNFREEZE_RUN_RESULT_CANCELLED: return "cancelled";
    case UNFREEZE_RUN_RESULT_DEADLOCK:  return "deadlock";
    case UNFREEZE_RUN_RESULT_NONE:
    default:                            return "running";
    }
}

/* 1234567 → "1,234,567" (or the locale's separator). */
char *
unfreeze_format_count (guint64 count)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, count);
  const char *separator = nl_langinfo (THOUSEP);
  GString *text = g_string_new (NULL);
  gsize len = strlen (digits);

  if (separator == NULL || *separator == '\0')
    separator = ",";

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (text, separator);
      g_string_append_c (text, digits[i]);
    }

  return g_string_free (text, FALSE);
}

/**
 * unfreeze_run_dup_summary_line:
 *
 * The one line printed after a run started from the command line: key=value pairs
 * separated by spaces, in a fixed order (documented in README.md; keep it stable). The
 * ticker is URI-escaped so the line always splits on spaces.
 */
char *
unfreeze_run_dup_summary_line (UnfreezeRun *self)
{
  g_autofree char *ticker = NULL;

  g_return_val_if_fail (UNFREEZE_IS_RUN (self), NULL);

  ticker = g_uri_escape_string (self->ticker, NULL, TRUE);

  return g_strdup_printf ("mode=%s ticker=%s rows=%u elapsed_ms=%" G_GINT64_FORMAT
                          " longest_stall_ms=%" G_GINT64_FORMAT " frames_missed=%" G_GINT64_FORMAT
                          " apply_ms=%" G_GINT64_FORMAT
                          " count=%u finished=%u threads_before=%u threads_peak=%u"
                          " connections_peak=%u cpu_ms=%" G_GINT64_FORMAT " inputs=%u"
                          " input_wait_max_ms=%" G_GINT64_FORMAT " result=%s",
                          self->mode->id,
                          ticker,
                          unfreeze_run_get_n_rows (self),
                          unfreeze_run_get_elapsed_us (self) / 1000,
                          unfreeze_run_get_longest_stall_us (self) / 1000,
                          unfreeze_run_get_frames_missed (self),
                          self->apply_us / 1000,
                          self->count,
                          self->n_done,
                          self->threads_before,
                          self->threads_peak,
                          self->connections_peak,
                          (unfreeze_run_get_cpu_us (self) + 500) / 1000,
                          unfreeze_run_get_n_inputs (self),
                          unfreeze_run_get_input_wait_max_us (self) / 1000,
                          unfreeze_run_result_to_string (self->result));
}

/**
 * unfreeze_run_note_input:
 * @kind: a key press or a click
 * @event_us: when it happened (the event's own time, on the monotonic clock)
 * @painted_us: the end of the first frame painted after GTK handled it
 *
 * Main thread only: an input made while the run went on, and how long the user waited for
 * the window to answer it (the desktop's counterpart of the web's Interaction to Next Paint).
 */
void
unfreeze_run_note_input (UnfreezeRun       *self,
                         UnfreezeInputKind  kind,
                         gint64             event_us,
                         gint64             painted_us)
{
  UnfreezeInput input = { kind, event_us, MAX (painted_us - event_us, 0) };

  g_return_if_fail (UNFREEZE_IS_RUN (self));
  g_return_if_fail (unfreeze_ui_guard_is_ui_thread ());

  if (self->inputs == NULL)
    self->inputs = g_array_new (FALSE, FALSE, sizeof (UnfreezeInput));
  g_array_append_val (self->inputs, input);
}

gint64
unfreeze_run_get_start_us (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);

  return self->start_us;
}

guint
unfreeze_run_get_n_inputs (UnfreezeRun *self)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);

  return self->inputs != NULL ? self->inputs->len : 0;
}

gint64
unfreeze_run_get_input_wait_max_us (UnfreezeRun *self)
{
  gint64 longest = 0;

  g_return_val_if_fail (UNFREEZE_IS_RUN (self), 0);

  for (guint i = 0; self->inputs != NULL && i < self->inputs->len; i++)
    longest = MAX (longest, g_array_index (self->inputs, UnfreezeInput, i).wait_us);

  return longest;
}

/**
 * unfreeze_run_get_inputs:
 * @n_inputs: (out): how many
 *
 * Returns: (transfer none) (array length=n_inputs) (nullable): the inputs so far, in the
 *   order they were painted
 */
const UnfreezeInput *
unfreeze_run_get_inputs (UnfreezeRun *self,
                         guint       *n_inputs)
{
  g_return_val_if_fail (UNFREEZE_IS_RUN (self), NULL);
  g_return_val_if_fail (n_inputs != NULL, NULL);

  *n_inputs = unfreeze_run_get_n_inputs (self);

  return self->inputs != NULL ? (const UnfreezeInput *) self->inputs->data : NULL;
}

/**
 * unfreeze_run_get_verdict_facts:
 * @facts: (out caller-allocates): what the run measured, for its verdict
 *
 * What unfreeze_verdict_dup_text() judges the run by.
 */
void
unfreeze_run_get_verdict_facts (UnfreezeRun          *self,
                                UnfreezeVerdictFacts *facts)
{
  g_return_if_fail (UNFREEZE_IS_RUN (self));
  g_return_if_fail (facts != NULL);

  facts->queried = self->queried;
  facts->longest_stall_us = unfreeze_run_get_longest_stall_us (self);
  facts->frames_missed = unfreeze_run_get_frames_missed (self);
  facts->rows_shown = self->rows != NULL;
  facts->stall_before_rows_us = self->stall_before_rows_us;
  facts->apply_us = self->apply_us;
  facts->n_inputs = unfreeze_run_get_n_inputs (self);
  facts->input_wait_max_us = unfreeze_run_get_input_wait_max_us (self);
  facts->input_kind = UNFREEZE_INPUT_KEY;
  for (guint i = 0; self->inputs != NULL && i < self->inputs->len; i++)
    {
      const UnfreezeInput *input = &g_array_index (self->inputs, UnfreezeInput, i);

      if (input->wait_us == facts->input_wait_max_us)
        {
          facts->input_kind = input->kind;
          break;
        }
    }
}

/* What came of the run, in one sentence (an error's message may end it with a full stop). */
static char *
dup_outcome (UnfreezeRun *self)
{
  g_autofree char *elapsed = NULL;
  g_autofree char *rows = NULL;

  elapsed = unfreeze_format_count (unfreeze_run_get_elapsed_us (self) / 1000);
  rows = unfreeze_format_count (unfreeze_run_get_n_rows (self));

  switch (self->result)
    {
    case UNFREEZE_RUN_RESULT_OK:
      if (self->count > 1)
        /* Translators: "50 queries finished for MSFT in 3,004 ms (1,234 rows each)" */
        return g_strdup_printf (_("%u queries finished for %s in %s ms (%s rows each)"),
                                self->count, self->ticker, elapsed, rows);
      /* Translators: "Loaded 1,234 rows for MSFT in 3,004 ms" */
      return g_strdup_printf (_("Loaded %s rows for %s in %s ms"), rows, self->ticker, elapsed);

    case UNFREEZE_RUN_RESULT_ERROR:
      return g_strdup_printf (_("Error after %s ms: %s"), elapsed, self->error->message);

    case UNFREEZE_RUN_RESULT_REFUSED:
      return g_strdup_printf (_("No rows shown after %s ms: a worker thread tried to update the "
                                "window directly, and the UI-thread guard refused"), elapsed);

    case UNFREEZE_RUN_RESULT_CANCELLED:
      if (self->count > 1)
        return g_strdup_printf (_("Cancelled after %s ms (%u of %u queries had finished)"),
                                elapsed, self->count - self->n_cancelled, self->count);
      return g_strdup_printf (_("Cancelled after %s ms"), elapsed);

    case UNFREEZE_RUN_RESULT_DEADLOCK:
      return g_strdup_printf (_("Deadlock after %s ms: the main thread waited for the worker, "
                                "and the worker for the main thread. The app's safety net, not "
                                "part of the lesson, ended the wait; without it the window would "
                                "stay frozen for good"), elapsed);

    case UNFREEZE_RUN_RESULT_NONE:
    default:
      return g_strdup_printf (_("Running for %s ms…"), elapsed);
    }
}

/* What the analysis found, in one sentence; NULL when there was none. */
static char *
dup_analysis (UnfreezeRun *self)
{
  UnfreezeAnalysis analysis;
  g_autofree char *closes = NULL;
  g_autofree char *cpu_ms = NULL;

  if (!unfreeze_run_get_analysis (self, &analysis))
    return NULL;

  closes = unfreeze_format_count (analysis.n_closes);
  cpu_ms = unfreeze_format_count ((unfreeze_run_get_cpu_us (self) + 500) / 1000);
  /* Translators: "Analysis of 2,600 closes: 20-day average 412.35, volatility 27.1 % a year
   * (502 ms of computing)" */
  return g_strdup_printf (_("Analysis of %s closes: 20-day average %.2f, volatility %.1f %% a year "
                            "(%s ms of computing)"),
                          closes, analysis.average_20, analysis.volatility * 100, cpu_ms);
}

/**
 * unfreeze_run_dup_status_text:
 *
 * The status line's text: what came of the run and, once it finished, the verdict on the
 * main loop (see unfreeze-verdict.c), joined so that no full stop is doubled. No verdict
 * while running, nor when nothing ran (see unfreeze_verdict_dup_text()).
 */
char *
unfreeze_run_dup_status_text (UnfreezeRun *self)
{
  g_autofree char *outcome = NULL;
  g_autofree char *verdict = NULL;
  g_autofree char *inputs = NULL;
  g_autofree char *analysis = NULL;
  GString *text;

  g_return_val_if_fail (UNFREEZE_IS_RUN (self), NULL);

  outcome = dup_outcome (self);
  analysis = dup_analysis (self);
  if (self->finished)
    {
      UnfreezeVerdictFacts facts;

      unfreeze_run_get_verdict_facts (self, &facts);
      verdict = unfreeze_verdict_dup_text (&facts);
      inputs = unfreeze_verdict_dup_input_text (&facts);
    }

  text = g_string_new (NULL);
  unfreeze_verdict_append_sentence (text, outcome);
  unfreeze_verdict_append_sentence (text, analysis);
  unfreeze_verdict_append_sentence (text, verdict);
  unfreeze_verdict_append_sentence (text, inputs);

  return g_string_free (text, FALSE);
}

/* The object ------------------------------------------------------------------------- */

UnfreezeRun *
unfreeze_run_new (const UnfreezeMode *mode,
                  UnfreezeDatabase   *database,
                  const char         *ticker,
                  double              delay_seconds,
                  guint               count)
{
  UnfreezeRun *self;

  g_return_val_if_fail (mode != NULL, NULL);
  g_return_val_if_fail (UNFREEZE_IS_DATABASE (database), NULL);
  g_return_val_if_fail (ticker != NULL, NULL);
  g_return_val_if_fail (count > 0, NULL);

  self = g_object_new (UNFREEZE_TYPE_RUN, NULL);
  self->mode = mode;
  self->database = g_object_ref (database);
  self->ticker = g_strdup (ticker);
  self->delay = MAX (delay_seconds, 0.0);
  self->count = count;

  return self;
}

static void
unfreeze_run_finalize (GObject *object)
{
  UnfreezeRun *self = (UnfreezeRun *)object;

  if (self->watch != NULL)
    unfreeze_stall_meter_watch_end (unfreeze_stall_meter_get_default (), self->watch);
  g_clear_handle_id (&self->sample_id, g_source_remove);
  g_clear_object (&self->database);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->rows);
  g_clear_pointer (&self->inputs, g_array_unref);
  g_clear_error (&self->error);
  g_clear_pointer (&self->ticker, g_free);
  g_clear_pointer (&self->refusal, g_free);
  g_mutex_clear (&self->analysis_lock);
  for (guint i = 0; i < N_SPAN_PAGES; i++)
    g_clear_pointer (&self->span_pages[i], g_free);

  G_OBJECT_CLASS (unfreeze_run_parent_class)->finalize (object);
}

static void
unfreeze_run_class_init (UnfreezeRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = unfreeze_run_finalize;

  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[ROWS] = g_signal_new ("rows", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 1, UNFREEZE_TYPE_ROWS);
  signals[ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[REFUSED] = g_signal_new ("refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
unfreeze_run_init (UnfreezeRun *self)
{
  self->cancellable = g_cancellable_new ();
  g_mutex_init (&self->analysis_lock);
  self->handler_span = G_MAXUINT;
  /* The run is made on the UI thread: it takes lane 0. */
  self->threads[0] = g_thread_self ();
}
