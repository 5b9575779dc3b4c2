/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The stall meter against a main loop blocked on purpose: the heartbeat reports the block
 * as one stall of about its length, an idle loop reports none, and a window's frame clock
 * counts the frames the block cost. No database; the frame clock part needs a display and
 * is skipped without one.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include <gtk/gtk.h>

#include "unfreeze-stall-meter.h"
#include "unfreeze-test.h"

#define N_SAMPLES 2048

static gboolean have_display;

typedef struct
{
  guint               block_ms;
  gboolean            compute;          /* busy on the CPU instead of asleep */
  gboolean            done;
  UnfreezeStallWatch *watch;            /* ended inside the block, like a blocking run */
  gint64              frames_in_block;
  gint64              stall_in_block;
} Block;

/* Dispatched by the main loop: the loop is stuck for as long as this sleeps, or computes. */
static gboolean
block_cb (gpointer user_data)
{
  Block *block = user_data;
  UnfreezeStallMeter *meter = unfreeze_stall_meter_get_default ();
  gint64 end = g_get_monotonic_time () + block->block_ms * 1000;
  volatile guint64 sum = 0;

  if (!block->compute)
    g_usleep (block->block_ms * 1000);
  else
    while (g_get_monotonic_time () < end)
      for (guint i = 0; i < 10000; i++)
        sum += i;

  if (block->watch != NULL)
    {
      block->frames_in_block = unfreeze_stall_meter_watch_get_frames_missed (meter, block->watch);
      block->stall_in_block = unfreeze_stall_meter_watch_end (meter, g_steal_pointer (&block->watch));
    }
  block->done = TRUE;

  return G_SOURCE_REMOVE;
}

static gint64
longest_sample_since (gint64 since_us)
{
  g_autofree UnfreezeStallSample *samples = g_new (UnfreezeStallSample, N_SAMPLES);
  guint n = unfreeze_stall_meter_get_samples (unfreeze_stall_meter_get_default (),
                                              samples, N_SAMPLES);
  gint64 longest = 0;

  for (guint i = 0; i < n; i++)
    if (samples[i].time_us >= since_us)
      longest = MAX (longest, samples[i].late_us);

  return longest;
}

/* Under a sanitizer the suites run side by side, each several times slower, on two cores: an
 * idle loop can wait that long to be scheduled at all (ASan: 136 ms seen in CI). The
 * heartbeat still has to see every block, and no idle loop may look stuck for half a second. */
static gint64
scheduling_slack_us (void)
{
  return unfreeze_test_timing_is_reliable () ? 0 : 450 * 1000;
}

static void
test_block (gconstpointer data)
{
  UnfreezeStallMeter *meter = unfreeze_stall_meter_get_default ();
  guint block_ms = GPOINTER_TO_UINT (data);
  Block block = { .block_ms = block_ms };
  UnfreezeStallWatch *watch;
  gint64 since;
  gint64 longest;
  gint64 longest_sample;

  unfreeze_test_iterate_for (100);
  since = g_get_monotonic_time ();
  watch = unfreeze_stall_meter_watch_begin (meter);

  g_timeout_add (20, block_cb, &block);
  unfreeze_test_iterate_for (block_ms + 200);
  g_assert_true (block.done);

  longest = unfreeze_stall_meter_watch_end (meter, watch);
  longest_sample = longest_sample_since (since);
  g_test_message ("blocked %u ms: watch %" G_GINT64_FORMAT " us, samples %" G_GINT64_FORMAT " us",
                  block_ms, longest, longest_sample);

  g_assert_cmpint (longest, >=, block_ms * 900);
  g_assert_cmpint (longest, <=, block_ms * 1200 + scheduling_slack_us ());
  g_assert_cmpint (longest_sample, >=, block_ms * 900);
  g_assert_cmpint (longest_sample, <=, block_ms * 1200 + scheduling_slack_us ());
}

/* A watch ended inside the block (before the heartbeat could run again) sees it too. */
static void
test_block_still_going (void)
{
  UnfreezeStallMeter *meter = unfreeze_stall_meter_get_default ();
  Block block = { .block_ms = 300 };

  unfreeze_test_iterate_for (100);
  block.watch = unfreeze_stall_meter_watch_begin (meter);
  g_timeout_add (20, block_cb, &block);
  unfreeze_test_iterate_for (500);

  g_assert_true (block.done);
  g_assert_cmpint (block.stall_in_block, >=, 300 * 900);
  g_assert_cmpint (block.stall_in_block, <=, 300 * 1200 + scheduling_slack_us ());
}

/* Blocks the loop as @block says, and returns the sample of the longest stall after. */
static UnfreezeStallSample
stall_of (Block *block)
{
  g_autofree UnfreezeStallSample *samples = g_new (UnfreezeStallSample, N_SAMPLES);
  UnfreezeStallSample longest = { 0, -1, -1, -1 };
  gint64 since;
  guint n;

  unfreeze_test_iterate_for (100);
  since = g_get_monotonic_time ();
  g_timeout_add (20, block_cb, block);
  unfreeze_test_iterate_for (block->block_ms + 200);
  g_assert_true (block->done);

  n = unfreeze_stall_meter_get_samples (unfreeze_stall_meter_get_default (), samples, N_SAMPLES);
  for (guint i = 0; i < n; i++)
    if (samples[i].time_us >= since && samples[i].late_us > longest.late_us)
      longest = samples[i];

  g_test_message ("%s %u ms: stall %" G_GINT64_FORMAT " us, ran %" G_GINT64_FORMAT
                  " us, waited for a core %" G_GINT64_FORMAT " us",
                  block->compute ? "computing" : "sleeping", block->block_ms,
                  longest.late_us, longest.ran_us, longest.queued_us);
  g_assert_cmpint (longest.late_us, >=, block->block_ms * 900);
  g_assert_cmpint (longest.ran_us, >=, 0);
  g_assert_cmpint (longest.queued_us, >=, 0);

  return longest;
}

/* What the kernel says the main thread did during a stall: a stall spent computing is time
 * the thread ran or waited for a core; a stall spent asleep (a call that waits) is neither. */
static void
test_stall_cause (void)
{
  Block busy = { .block_ms = 300, .compute = TRUE };
  Block asleep = { .block_ms = 300 };
  UnfreezeStallSample sample;

  if (!g_file_test ("/proc/thread-self/schedstat", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the kernel has no schedstat for threads");
      return;
    }

  /* Computing, the thread was on a core or waiting for one all along. */
  sample = stall_of (&busy);
  g_assert_cmpint (sample.ran_us + sample.queued_us, >=, 300 * 900);

  /* Asleep, it neither ran nor waited for a core for most of it. */
  sample = stall_of (&asleep);
  g_assert_cmpint (sample.ran_us + sample.queued_us, <, sample.late_us / 2);
}

static void
test_idle (void)
{
  UnfreezeStallMeter *meter = unfreeze_stall_meter_get_default ();
  g_autofree UnfreezeStallSample *samples = g_new (UnfreezeStallSample, N_SAMPLES);
  UnfreezeStallWatch *watch;
  gint64 since;
  gint64 longest;
  guint n_beats = 0;
  guint n;

  unfreeze_test_iterate_for (100);
  since = g_get_monotonic_time ();
  watch = unfreeze_stall_meter_watch_begin (meter);
  unfreeze_test_iterate_for (1000);
  longest = unfreeze_stall_meter_watch_end (meter, watch);

  n = unfreeze_stall_meter_get_samples (meter, samples, N_SAMPLES);
  for (guint i = 0; i < n; i++)
    if (samples[i].time_us >= since)
      n_beats++;
  g_test_message ("idle 1 s: longest %" G_GINT64_FORMAT " us over %u beats", longest, n_beats);

  /* The heartbeat did run (about 100 times), and never found the loop stuck. */
  g_assert_cmpuint (n_beats, >=, 50);
  g_assert_cmpuint (n_beats, <=, 110);
  g_assert_cmpint (longest, <, 50 * 1000 + scheduling_slack_us ());
  g_assert_cmpint (longest_sample_since (since), <, 50 * 1000 + scheduling_slack_us ());
}

/* Waits, doing nothing, until told to stop. (It used to wait on a GCancellable's source;
 * when the thread disposed of that source while the main thread was still inside
 * g_cancellable_cancel(), GLib 2.74 sometimes leaked it, and Valgrind failed the test.) */
static gpointer
parked_thread (gpointer data)
{
  GAsyncQueue *stop = data;

  g_free (g_async_queue_pop (stop));

  return NULL;
}

/* One entry a thread in /proc/self/task. */
static guint
count_task_entries (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

static void
test_count_threads (void)
{
  g_autoptr(GAsyncQueue) stop = g_async_queue_new ();
  GThread *thread;
  guint before = unfreeze_stall_meter_count_threads ();
  guint during;

  g_assert_cmpuint (before, >=, 1);

  thread = g_thread_new ("parked", parked_thread, stop);
  during = unfreeze_stall_meter_count_threads ();
  /* The link count of /proc/self/task, the fallback's num_threads and the directory's own
   * entries all say the same. */
  g_assert_cmpuint (unfreeze_stall_meter_count_threads_from_stat (), ==, during);
  g_assert_cmpuint (count_task_entries (), ==, during);
  g_async_queue_push (stop, g_strdup ("stop"));
  g_thread_join (thread);

  g_assert_cmpuint (during, ==, before + 1);
  g_assert_cmpuint (unfreeze_stall_meter_count_threads (), ==, before);
}

/* Frame clock ------------------------------------------------------------------------ */

static GtkWidget *
present_window (void)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 200, 100);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);

  return window;
}

/* Ends @watch; returns the frames it counted as missed, logged as @what's. */
static gint64
end_watch_frames_missed (UnfreezeStallMeter *meter,
                         UnfreezeStallWatch *watch,
                         const char         *what)
{
  gint64 missed = unfreeze_stall_meter_watch_get_frames_missed (meter, watch);

  unfreeze_stall_meter_watch_end (meter, watch);
  g_test_message ("%s: %" G_GINT64_FORMAT " frames missed", what, missed);

  return missed;
}

static void
test_frames_missed (void)
{
  UnfreezeStallMeter *meter = unfreeze_stall_meter_get_default ();
  UnfreezeFrameSample frames[1024];
  Block block = { .block_ms = 1000 };
  UnfreezeStallWatch *watch;
  GtkWidget *window;
  gint64 missed;
  gint64 longest_gap = 0;
  guint n;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  window = present_window ();
  unfreeze_stall_meter_watch_frame_clock (meter, window);
  unfreeze_stall_meter_watch_frame_clock (meter, window);   /* twice is once */
  unfreeze_test_iterate_for (300);

  /* An idle window ticks along with no frame missed. */
  watch = unfreeze_stall_meter_watch_begin (meter);
  unfreeze_test_iterate_for (500);
  missed = end_watch_frames_missed (meter, watch, "idle 500 ms");
  /* None, or a few on a busy machine; 30 would be the whole 500 ms. */
  g_assert_cmpint (missed, >=, 0);
  g_assert_cmpint (missed, <=, 15);

  n = unfreeze_stall_meter_get_frame_samples (meter, frames, G_N_ELEMENTS (frames));
  g_assert_cmpuint (n, >=, 10);

  /* One watch across the block, read afterwards; one ended inside it, as a blocking run's
   * end is. */
  watch = unfreeze_stall_meter_watch_begin (meter);
  block.watch = unfreeze_stall_meter_watch_begin (meter);
  g_timeout_add (20, block_cb, &block);
  unfreeze_test_iterate_for (1300);
  g_assert_true (block.done);

  missed = end_watch_frames_missed (meter, watch, "blocked 1000 ms");
  g_test_message ("%" G_GINT64_FORMAT " counted inside the block", block.frames_in_block);
  g_assert_cmpint (missed, >=, 30);
  g_assert_cmpint (missed, <=, 90);
  g_assert_cmpint (block.frames_in_block, >=, 30);
  g_assert_cmpint (block.frames_in_block, <=, 90);

  n = unfreeze_stall_meter_get_frame_samples (meter, frames, G_N_ELEMENTS (frames));
  for (guint i = 0; i < n; i++)
    longest_gap = MAX (longest_gap, frames[i].gap_us);
  g_assert_cmpint (longest_gap, >=, 900 * 1000);
  g_assert_cmpint (longest_gap, <=, 1300 * 1000);

  /* A hidden window draws nothing, and that costs no frames: the loop was free. */
  watch = unfreeze_stall_meter_watch_begin (meter);
  gtk_widget_set_visible (window, FALSE);
  unfreeze_test_iterate_for (500);
  gtk_widget_set_visible (window, TRUE);
  unfreeze_test_iterate_for (300);
  missed = end_watch_frames_missed (meter, watch, "hidden 500 ms");
  /* Showing the window again costs a frame or a few (more on a busy machine); counting the
   * time it was hidden would be 30 or more. */
  g_assert_cmpint (missed, >=, 0);
  g_assert_cmpint (missed, <=, 15);

  /* The watch on the window goes with it: afterwards there is no frame clock to count. */
  gtk_window_destroy (GTK_WINDOW (window));
  unfreeze_test_iterate_for (50);
  watch = unfreeze_stall_meter_watch_begin (meter);
  unfreeze_test_iterate_for (50);
  g_assert_cmpint (unfreeze_stall_meter_watch_get_frames_missed (meter, watch), ==, -1);
  unfreeze_stall_meter_watch_end (meter, watch);
}

/* Frames are counted in the interval the window really gets them at: the refresh interval
 * until enough gaps while the loop was free are known, then their mean, never less. Weston's
 * headless output reports 60 Hz and gives a window frames 18 and 32 ms apart in turn: counted
 * in 16.7 ms, a smooth GTask run there "missed" 15 to 32 frames. */
static void
test_frame_interval (void)
{
  static const gint64 weston[] = { 18000, 32000, 18000, 32000, 18000, 32000, 18000, 32000, 18000 };
  static const gint64 fast[] = { 7000, 7000, 7000, 7000, 7000, 7000, 7000, 7000, 7000 };

  g_assert_cmpint (unfreeze_stall_meter_frame_interval (16667, NULL, 0), ==, 16667);
  g_assert_cmpint (unfreeze_stall_meter_frame_interval (16667, weston, 4), ==, 16667);
  g_assert_cmpint (unfreeze_stall_meter_frame_interval (16667, weston, G_N_ELEMENTS (weston)), ==,
                   (5 * 18000 + 4 * 32000) / 9);
  g_assert_cmpint (unfreeze_stall_meter_frame_interval (6944, fast, G_N_ELEMENTS (fast)), ==, 7000);
  g_assert_cmpint (unfreeze_stall_meter_frame_interval (16667, fast, G_N_ELEMENTS (fast)), ==, 16667);
}

int
main (int   argc,
      char *argv[])
{
  unfreeze_test_init (&argc, &argv);
  have_display = gtk_init_check ();

  /* Started first, so that it has history before the first test. */
  unfreeze_stall_meter_get_default ();

  g_test_add_data_func ("/unfreeze/Meter/block/300", GUINT_TO_POINTER (300), test_block);
  g_test_add_data_func ("/unfreeze/Meter/block/1000", GUINT_TO_POINTER (1000), test_block);
  g_test_add_func ("/unfreeze/Meter/block-still-going", test_block_still_going);
  g_test_add_func ("/unfreeze/Meter/idle", test_idle);
  g_test_add_func ("/unfreeze/Meter/stall-cause", test_stall_cause);
  g_test_add_func ("/unfreeze/Meter/count-threads", test_count_threads);
  g_test_add_func ("/unfreeze/Meter/frames-missed", test_frames_missed);
  g_test_add_func ("/unfreeze/Meter/frame-interval", test_frame_interval);

  return g_test_run ();
}
