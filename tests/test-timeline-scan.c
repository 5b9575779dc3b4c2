/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The thread timeline's reading of a run (unfreeze-timeline-scan.c): spans made by hand, as
 * each mode records them, classified into lanes and styles. No display, no server.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include "unfreeze-test.h"
#include "unfreeze-timeline-scan.h"

#define MS(ms) ((gint64) ((ms) * 1000))
#define OPEN   (-1)

/* One span as a mode records it, and what the timeline should make of it. */
typedef struct
{
  guint                 thread_id;
  UnfreezeSpanKind      kind;
  double                begin_ms;
  double                end_ms;     /* OPEN: still going */
  UnfreezeTimelineStyle style;
  guint                 lane;
} SpanCase;

typedef struct
{
  const char     *name;
  const SpanCase *spans;
  guint           n_spans;
  double          now_ms;
  double          expected_end_ms;  /* while running; 0 once over */
  guint           n_lanes;
  double          busy_ms;          /* the UI thread held */
  guint           n_refused;
  double          x_max_ms;
  gboolean        waits_for;        /* a thread waited for another: the legend's arrows */
} ScanCase;

/* Blocking: the server's wait inside the Run handler held the UI thread. Overlaps count
 * once: the handler's time, which outlasts what ran inside it. */
static const SpanCase blocking[] = {
  { 0, UNFREEZE_SPAN_HANDLER, 0, 1010, UNFREEZE_TIMELINE_BUSY, 0 },
  { 0, UNFREEZE_SPAN_CONNECT, 1, 5, UNFREEZE_TIMELINE_BLOCKED, 0 },
  { 0, UNFREEZE_SPAN_QUERY, 5, 1005, UNFREEZE_TIMELINE_BLOCKED, 0 },
  /* Reading rows is work; shorter than a frame here. */
  { 0, UNFREEZE_SPAN_FETCH, 1005, 1008, UNFREEZE_TIMELINE_WORK, 0 },
  { 0, UNFREEZE_SPAN_APPLY, 1008, 1009, UNFREEZE_TIMELINE_APPLY, 0 },
};

/* A raw thread: the worker waits on its own lane; its update is refused (a mark); only
 * the UI thread's own spans count as its busy time. */
static const SpanCase thread[] = {
  { 0, UNFREEZE_SPAN_HANDLER, 0, 1, UNFREEZE_TIMELINE_WORK, 0 },
  { 1, UNFREEZE_SPAN_CONNECT, 1, 4, UNFREEZE_TIMELINE_CONNECT, 1 },
  { 1, UNFREEZE_SPAN_QUERY, 4, 1004, UNFREEZE_TIMELINE_QUERY, 1 },
  { 1, UNFREEZE_SPAN_REFUSED, 1005, 1005, UNFREEZE_TIMELINE_REFUSED, 1 },
  { 1, UNFREEZE_SPAN_HANDOFF, 1006, 1006, UNFREEZE_TIMELINE_HANDOFF, 1 },
  { 0, UNFREEZE_SPAN_IDLE, 1007, 1008, UNFREEZE_TIMELINE_IDLE, 0 },
};

/* The main-loop mode: a wait that outlives the callback it began in was asynchronous, and
 * the UI thread was free; a slow call into libpq held it; reading rows for more than a
 * frame held it too. Still running: the scale leaves room for the wait asked for. */
static const SpanCase mainloop[] = {
  { 0, UNFREEZE_SPAN_HANDLER, 0, 2, UNFREEZE_TIMELINE_WORK, 0 },
  { 0, UNFREEZE_SPAN_CONNECT, 1, 30, UNFREEZE_TIMELINE_CONNECT, 0 },
  { 0, UNFREEZE_SPAN_BLOCKING_CALL, 10, 13, UNFREEZE_TIMELINE_BLOCKING_CALL, 0 },
  { 0, UNFREEZE_SPAN_QUERY, 30, 1030, UNFREEZE_TIMELINE_QUERY, 0 },
  { 0, UNFREEZE_SPAN_FETCH, 1030, 1050, UNFREEZE_TIMELINE_BUSY, 0 },
  { 0, UNFREEZE_SPAN_APPLY, 1050, OPEN, UNFREEZE_TIMELINE_APPLY, 0 },
};

/* Sleep and hope, with workers: sleeping blocks the UI thread, not a worker. Workers get
 * lanes in the order they appear; thread ids past the last lane share it. */
static const SpanCase lanes[] = {
  { 3, UNFREEZE_SPAN_SLEEP, 0, 10, UNFREEZE_TIMELINE_SLEEP, 1 },
  { 0, UNFREEZE_SPAN_SLEEP, 1, 2001, UNFREEZE_TIMELINE_BLOCKED, 0 },
  { 2, UNFREEZE_SPAN_QUERY, 2, 3, UNFREEZE_TIMELINE_QUERY, 2 },
  { 3, UNFREEZE_SPAN_FETCH, 11, 12, UNFREEZE_TIMELINE_FETCH, 1 },
  { 300, UNFREEZE_SPAN_QUERY, 3, 4, UNFREEZE_TIMELINE_QUERY, 3 },
  { 400, UNFREEZE_SPAN_QUERY, 4, 5, UNFREEZE_TIMELINE_QUERY, 3 },
};

/* Wait for the worker: the UI thread waits for its worker (blocked, inside the handler),
 * the worker for the UI thread; the worker's message runs once the UI thread is free. */
static const SpanCase deadlock[] = {
  { 0, UNFREEZE_SPAN_HANDLER, 0, 3010, UNFREEZE_TIMELINE_BUSY, 0 },
  { 1, UNFREEZE_SPAN_CONNECT, 1, 4, UNFREEZE_TIMELINE_CONNECT, 1 },
  { 0, UNFREEZE_SPAN_WAIT_WORKER, 2, 3008, UNFREEZE_TIMELINE_BLOCKED, 0 },
  { 1, UNFREEZE_SPAN_QUERY, 4, 8, UNFREEZE_TIMELINE_QUERY, 1 },
  { 1, UNFREEZE_SPAN_WAIT_UI, 8, 3012, UNFREEZE_TIMELINE_WAIT_UI, 1 },
  { 0, UNFREEZE_SPAN_IDLE, 3011, 3012, UNFREEZE_TIMELINE_IDLE, 0 },
  { 1, UNFREEZE_SPAN_HANDOFF, 3012, 3012, UNFREEZE_TIMELINE_HANDOFF, 1 },
};

/* Computing: on the UI thread (the main-loop mode) it holds the thread, on a worker (the
 * offload mode) it does not; either way it is drawn as computing, not as a wait. */
static const SpanCase computing[] = {
  { 0, UNFREEZE_SPAN_QUERY, 0, 100, UNFREEZE_TIMELINE_QUERY, 0 },
  { 0, UNFREEZE_SPAN_COMPUTE, 100, 600, UNFREEZE_TIMELINE_COMPUTE, 0 },
  { 1, UNFREEZE_SPAN_COMPUTE, 600, 1100, UNFREEZE_TIMELINE_COMPUTE, 1 },
  { 1, UNFREEZE_SPAN_HANDOFF, 1100, 1100, UNFREEZE_TIMELINE_HANDOFF, 1 },
};

static const ScanCase scan_cases[] = {
  /* No spans yet: the UI thread has its lane all the same, and the scale is not empty. */
  { "empty", NULL, 0, 0, 0, 1, 0, 0, 1 },
  { "blocking", blocking, G_N_ELEMENTS (blocking), 1020, 0, 1, 1010, 0, 1020 },
  { "thread", thread, G_N_ELEMENTS (thread), 1010, 0, 2, 1 + 1, 1, 1010 },
  { "mainloop", mainloop, G_N_ELEMENTS (mainloop), 1060, 1500, 1, 2 + 3 + 30, 0, 1500 },
  { "lanes", lanes, G_N_ELEMENTS (lanes), 2002, 0, 4, 2000, 0, 2002 },
  { "deadlock", deadlock, G_N_ELEMENTS (deadlock), 3020, 0, 2, 3010 + 1, 0, 3020, TRUE },
  { "computing", computing, G_N_ELEMENTS (computing), 1110, 0, 2, 500, 0, 1110 },
};

static GArray *
make_spans (const ScanCase *c)
{
  GArray *spans = g_array_new (FALSE, TRUE, sizeof (UnfreezeSpan));

  for (guint i = 0; i < c->n_spans; i++)
    {
      const SpanCase *s = &c->spans[i];
      UnfreezeSpan span = { s->kind, MS (s->begin_ms), s->end_ms == OPEN ? -1 : MS (s->end_ms),
                            s->thread_id, { 0 }, NULL };

      g_snprintf (span.thread_name, sizeof span.thread_name, "thread-%u", s->thread_id);
      g_array_append_val (spans, span);
    }

  return spans;
}

static void
test_scan (gconstpointer data)
{
  const ScanCase *c = data;
  UnfreezeTimelineScan scan;
  guint styles_seen = 0;

  unfreeze_timeline_scan_init (&scan, make_spans (c), MS (c->now_ms), MS (c->expected_end_ms));

  for (guint i = 0; i < c->n_spans; i++)
    {
      const UnfreezeSpan *span = &g_array_index (scan.spans, UnfreezeSpan, i);

      g_test_message ("span %u", i);
      g_assert_cmpint (scan.styles[i], ==, c->spans[i].style);
      g_assert_cmpuint (unfreeze_timeline_scan_get_lane (&scan, span), ==, c->spans[i].lane);
      styles_seen |= 1u << c->spans[i].style;
    }
  if (c->waits_for)
    styles_seen |= 1u << UNFREEZE_TIMELINE_WAITS_FOR;

  g_assert_cmpuint (scan.n_lanes, ==, c->n_lanes);
  g_assert_cmpint (scan.busy_us, ==, MS (c->busy_ms));
  g_assert_cmpuint (scan.n_refused, ==, c->n_refused);
  g_assert_cmpuint (scan.styles_seen, ==, styles_seen);
  g_assert_cmpint (scan.end_us, ==, MS (c->now_ms));
  g_assert_cmpint (scan.x_max_us, ==, MS (c->x_max_ms));

  /* Lane 0 is the UI thread's, with no name of its own. */
  g_assert_cmpuint (scan.thread_of[0], ==, 0);
  g_assert_null (scan.name_of[0]);

  unfreeze_timeline_scan_clear (&scan);
  g_assert_null (scan.spans);
  g_assert_null (scan.styles);
}

/* Each lane knows its thread and its name; an open span ends at the scan's time. */
static void
test_lane_names (void)
{
  const ScanCase *c = &scan_cases[4];
  UnfreezeTimelineScan scan;

  g_assert_true (c->spans == lanes);
  unfreeze_timeline_scan_init (&scan, make_spans (c), MS (c->now_ms), 0);
  g_assert_cmpuint (scan.thread_of[1], ==, 3);
  g_assert_cmpuint (scan.thread_of[2], ==, 2);
  g_assert_cmpuint (scan.thread_of[3], ==, UNFREEZE_RUN_MAX_THREADS - 1);
  g_assert_cmpstr (scan.name_of[1], ==, "thread-3");
  g_assert_cmpstr (scan.name_of[2], ==, "thread-2");
  g_assert_cmpstr (scan.name_of[3], ==, "thread-300");
  unfreeze_timeline_scan_clear (&scan);

  c = &scan_cases[3];
  g_assert_true (c->spans == mainloop);
  unfreeze_timeline_scan_init (&scan, make_spans (c), MS (c->now_ms), 0);
  g_assert_cmpint (unfreeze_timeline_scan_span_end (&scan, &g_array_index (scan.spans,
                                                                            UnfreezeSpan, 5)),
                   ==, MS (c->now_ms));
  g_assert_cmpint (scan.x_max_us, ==, MS (c->now_ms));
  unfreeze_timeline_scan_clear (&scan);
}

static void
test_marks (void)
{
  for (UnfreezeTimelineStyle style = 0; style < UNFREEZE_TIMELINE_N_STYLES; style++)
    g_assert_cmpint (unfreeze_timeline_style_is_mark (style), ==,
                     style == UNFREEZE_TIMELINE_HANDOFF || style == UNFREEZE_TIMELINE_REFUSED);
}

int
main (int   argc,
      char *argv[])
{
  unfreeze_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (scan_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/unfreeze/TimelineScan/%s", scan_cases[i].name);

      g_test_add_data_func (path, &scan_cases[i], test_scan);
    }
  g_test_add_func ("/unfreeze/TimelineScan/lane-names", test_lane_names);
  g_test_add_func ("/unfreeze/TimelineScan/marks", test_marks);

  return g_test_run ();
}
