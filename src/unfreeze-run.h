/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeRun: one press of Run, its spans for the timeline, the UI updates a mode may ask
 * for, and its outcome.
 */
#pragma once

#include <gio/gio.h>

#include "unfreeze-analysis.h"
#include "unfreeze-call-clock.h"
#include "unfreeze-database.h"
#include "unfreeze-mode.h"
#include "unfreeze-rows.h"
#include "unfreeze-types.h"
#include "unfreeze-verdict.h"

G_BEGIN_DECLS

typedef enum
{
  UNFREEZE_RUN_RESULT_NONE,        /* still running */
  UNFREEZE_RUN_RESULT_OK,
  UNFREEZE_RUN_RESULT_ERROR,
  UNFREEZE_RUN_RESULT_REFUSED,     /* the UI-thread guard refused an update */
  UNFREEZE_RUN_RESULT_CANCELLED,
  UNFREEZE_RUN_RESULT_DEADLOCK,    /* the main thread and a worker waited for each other */
} UnfreezeRunResult;

/* Errors a mode hands to unfreeze_run_query_done() that are an outcome of their own. */
#define UNFREEZE_RUN_ERROR (unfreeze_run_error_quark ())

typedef enum
{
  UNFREEZE_RUN_ERROR_DEADLOCK,     /* the query's threads waited for each other */
} UnfreezeRunError;

/* What a thread was doing, for the timeline. */
typedef enum
{
  UNFREEZE_SPAN_HANDLER,     /* main thread: the Run handler itself */
  UNFREEZE_SPAN_CONNECT,     /* connecting to the server */
  UNFREEZE_SPAN_QUERY,       /* waiting for the server's answer */
  UNFREEZE_SPAN_FETCH,       /* reading rows */
  UNFREEZE_SPAN_IDLE,        /* main thread: a callback handed over from a worker */
  UNFREEZE_SPAN_APPLY,       /* main thread: showing the rows */
  UNFREEZE_SPAN_SLEEP,       /* g_usleep() */
  UNFREEZE_SPAN_HANDOFF,     /* a mark: work handed to the main loop */
  UNFREEZE_SPAN_REFUSED,     /* a mark: the guard refused a UI update from this thread */
  UNFREEZE_SPAN_WAIT_WORKER, /* waiting for a worker thread to finish (.NET: Task.Wait) */
  UNFREEZE_SPAN_WAIT_UI,     /* a worker waiting for the main thread to run its hand-off
                              * (.NET: Dispatcher.Invoke) */
  UNFREEZE_SPAN_BLOCKING_CALL, /* a call into a library that should have returned at once,
                                * and took UNFREEZE_RUN_BLOCKING_CALL_US or more; label: its name */
  UNFREEZE_SPAN_COMPUTE,     /* computing on the rows (the analysis): CPU work, no waiting */
  UNFREEZE_N_SPAN_KINDS
} UnfreezeSpanKind;

/* A span's thread_id stays below this; the threads of a run past it share the last id. */
#define UNFREEZE_RUN_MAX_THREADS 256

typedef struct
{
  UnfreezeSpanKind kind;
  gint64           begin_us;   /* relative to the run's start */
  gint64           end_us;     /* equal to begin_us for marks; -1 while open */
  guint            thread_id;  /* small number per thread in this run; 0 is the UI thread */
  char             thread_name[16];
  const char      *label;      /* a static string, or NULL: what the span was (a call's name) */
} UnfreezeSpan;

/* A call that should return at once and takes this long, waiting or computing, holds the
 * thread for an eighth of a frame: the timeline shows it as a blocking call. */
#define UNFREEZE_RUN_BLOCKING_CALL_US UNFREEZE_CALL_SLOW_US

/* An input (key press, click) made while the run went on, and how long it waited. */
typedef struct
{
  UnfreezeInputKind kind;
  gint64            event_us;  /* monotonic time of the event, as the windowing system stamped it */
  gint64            wait_us;   /* from the event to the end of the first frame painted after GTK
                                * handled it */
} UnfreezeInput;

#define UNFREEZE_TYPE_RUN (unfreeze_run_get_type ())
G_DECLARE_FINAL_TYPE (UnfreezeRun, unfreeze_run, UNFREEZE, RUN, GObject)

GQuark               unfreeze_run_error_quark          (void);

UnfreezeRun         *unfreeze_run_new                  (const UnfreezeMode  *mode,
                                                        UnfreezeDatabase    *database,
                                                        const char          *ticker,
                                                        double               delay_seconds,
                                                        guint                count);
void                 unfreeze_run_set_cpu_ms           (UnfreezeRun         *self,
                                                        guint                cpu_ms);
void                 unfreeze_run_start                (UnfreezeRun         *self);
void                 unfreeze_run_hold                 (UnfreezeRun         *self);
void                 unfreeze_run_release              (UnfreezeRun         *self);
void                 unfreeze_run_cancel               (UnfreezeRun         *self);

/* What a mode reads. Any thread. */
const UnfreezeMode  *unfreeze_run_get_mode             (UnfreezeRun         *self);
UnfreezeDatabase    *unfreeze_run_get_database         (UnfreezeRun         *self);
const char          *unfreeze_run_get_ticker           (UnfreezeRun         *self);
double               unfreeze_run_get_delay            (UnfreezeRun         *self);
guint                unfreeze_run_get_count            (UnfreezeRun         *self);
GCancellable        *unfreeze_run_get_cancellable      (UnfreezeRun         *self);
guint                unfreeze_run_get_cpu_ms           (UnfreezeRun         *self);

/* Whether query @index's rows are used (any thread): the others ask for none. */
gboolean             unfreeze_run_wants_rows           (UnfreezeRun         *self,
                                                        guint                index);

/* The CPU work on a query's rows, where the mode continues after the query. Any thread. */
gboolean             unfreeze_run_analyse              (UnfreezeRun         *self,
                                                        UnfreezeRows        *rows);

/* The UI updates the window offers every mode. Each asks the UI-thread guard first: called
 * from another thread, it is reported and refused (and returns FALSE). */
gboolean             unfreeze_run_show_progress        (UnfreezeRun         *self,
                                                        const char          *text);
gboolean             unfreeze_run_show_rows            (UnfreezeRun         *self,
                                                        guint                index,
                                                        UnfreezeRows        *rows);
gboolean             unfreeze_run_show_error           (UnfreezeRun         *self,
                                                        const GError        *error);

/* The end of one query of the run: main thread only. @error may be NULL. */
void                 unfreeze_run_query_done           (UnfreezeRun         *self,
                                                        GError              *error);

/* The timeline. Any thread; lock-free. */
guint                unfreeze_run_begin_span           (UnfreezeRun         *self,
                                                        UnfreezeSpanKind     kind);
void                 unfreeze_run_end_span             (UnfreezeRun         *self,
                                                        guint                span);
void                 unfreeze_run_mark                 (UnfreezeRun         *self,
                                                        UnfreezeSpanKind     kind);
GArray              *unfreeze_run_dup_spans            (UnfreezeRun         *self);
gboolean             unfreeze_run_note_call            (UnfreezeRun         *self,
                                                        const char          *call,
                                                        const UnfreezeCallClock *begin);
guint                unfreeze_run_get_n_preempted_calls (UnfreezeRun        *self);

/* Inputs made during the run (UnfreezeInputMeter). Main thread only. */
void                 unfreeze_run_note_input           (UnfreezeRun         *self,
                                                        UnfreezeInputKind    kind,
                                                        gint64               event_us,
                                                        gint64               painted_us);
gint64               unfreeze_run_get_start_us         (UnfreezeRun         *self);
guint                unfreeze_run_get_n_inputs         (UnfreezeRun         *self);
gint64               unfreeze_run_get_input_wait_max_us (UnfreezeRun        *self);
const UnfreezeInput *unfreeze_run_get_inputs           (UnfreezeRun         *self,
                                                        guint               *n_inputs);

/* The outcome, once finished. */
gboolean             unfreeze_run_get_finished         (UnfreezeRun         *self);
UnfreezeRunResult    unfreeze_run_get_result           (UnfreezeRun         *self);
const GError        *unfreeze_run_get_error            (UnfreezeRun         *self);
UnfreezeRows        *unfreeze_run_get_rows             (UnfreezeRun         *self);
guint                unfreeze_run_get_n_rows           (UnfreezeRun         *self);
guint                unfreeze_run_get_n_finished       (UnfreezeRun         *self);
const char          *unfreeze_run_get_refusal          (UnfreezeRun         *self);
guint                unfreeze_run_get_threads_before   (UnfreezeRun         *self);
guint                unfreeze_run_get_threads_peak     (UnfreezeRun         *self);
guint                unfreeze_run_get_connections_peak (UnfreezeRun         *self);
gint64               unfreeze_run_get_elapsed_us       (UnfreezeRun         *self);
gint64               unfreeze_run_get_longest_stall_us (UnfreezeRun         *self);
gint64               unfreeze_run_get_frames_missed    (UnfreezeRun         *self);
gint64               unfreeze_run_get_stall_before_rows_us (UnfreezeRun     *self);
gint64               unfreeze_run_get_apply_us         (UnfreezeRun         *self);
gint64               unfreeze_run_get_cpu_us           (UnfreezeRun         *self);
gboolean             unfreeze_run_get_analysis         (UnfreezeRun         *self,
                                                        UnfreezeAnalysis    *analysis);
const char          *unfreeze_run_result_to_string     (UnfreezeRunResult    result);
char                *unfreeze_run_dup_summary_line     (UnfreezeRun         *self);
char                *unfreeze_run_dup_status_text      (UnfreezeRun         *self);
void                 unfreeze_run_get_verdict_facts    (UnfreezeRun         *self,
                                                        UnfreezeVerdictFacts *facts);

char                *unfreeze_format_count             (guint64              count);

G_END_DECLS
