/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Measures how long the main loop stalls, and how many frames that cost.
 *
 * A high-priority timeout asks to run every 10 ms. When the main thread is busy (a blocking
 * query, a long handler), it cannot run; GLib timeouts do not catch up, so when the loop
 * comes back the heartbeat runs once, late by as long as the loop was stuck. That lateness
 * is the stall. It works with or without a display, allocates nothing per beat, and costs
 * one short wake-up every 10 ms.
 *
 * Each beat also records what the kernel says the main thread did since the beat before: how
 * long it ran, and how long it waited for a core while ready to run. A stall of 18 ms in
 * which the thread ran 3 ms and waited 15 ms for a core was the machine's (other processes,
 * or a virtual machine's host, had the cores), not the app's own work.
 *
 * With a window, the meter can also watch a widget's frame clock: a tick callback records
 * the gap between frames. A stuck loop draws no frames, so a 1 s stall is one 1 s gap, about
 * 60 frames missed at 60 Hz. A frame gap counts as missed frames only as far as the heartbeat
 * saw the loop stuck: a window that is hidden or covered gets no frames from the compositor
 * while its loop is perfectly free, and that is not the app's fault.
 *
 * Main thread only.
 */
#define G_LOG_DOMAIN "Unfreeze-Meter"

#include "config.h"

#include "unfreeze-stall-meter.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_SAMPLES       2048   /* about 20 s of beats */
#define N_FRAME_SAMPLES 1024   /* about 17 s of frames at 60 Hz */

struct _UnfreezeStallWatch
{
  gint64   begin_us;
  gint64   longest_us;
  gint64   frames_missed;      /* in gaps that ended while the watch ran */
  gboolean saw_frame_clock;    /* a frame clock was watched at some point of the watch */
};

/* How many recent frame gaps, seen while the main loop was free, say how often frames come. */
#define N_FREE_GAPS 9

/* One widget whose frame clock the meter watches. Several may be watched (one per window);
 * only one at a time, the source, counts frames, so that two windows do not count the same
 * stall twice. */
typedef struct
{
  UnfreezeStallMeter *meter;
  GtkWidget          *widget;          /* unowned: the tick callback goes with the widget */
  guint               tick_id;
  gulong              unmap_id;
  gint64              last_frame_us;   /* 0: no frame since the widget was (re)mapped */
  gint64              refresh_us;      /* the display's refresh interval, as it says */
  gint64              free_gaps[N_FREE_GAPS];  /* ring: gaps while the loop was free */
  guint               n_free_gaps;
  gint64              interval_us;     /* frames come this often when the loop is free */
} FrameClockWatch;

struct _UnfreezeStallMeter
{
  GObject              parent_instance;
  guint                heartbeat_id;
  gint64               last_beat_us;
  int                  schedstat_fd;  /* the main thread's /proc schedstat; -1: none */
  gint64               last_ran_ns;   /* its figures at the last beat; -1: unknown */
  gint64               last_queued_ns;
  UnfreezeStallSample *samples;       /* a ring of N_SAMPLES (too big for the instance) */
  guint                n_samples;     /* total ever recorded; the ring holds the last N_SAMPLES */
  GPtrArray           *watches;

  GPtrArray           *frame_clocks;  /* of FrameClockWatch */
  FrameClockWatch     *frame_source;  /* the one that counts frames, or NULL */
  gint64               stall_since_frame_us;   /* longest beat lateness since the last frame */
  UnfreezeFrameSample  frame_samples[N_FRAME_SAMPLES];
  guint                n_frame_samples;
};

G_DEFINE_FINAL_TYPE (UnfreezeStallMeter, unfreeze_stall_meter, G_TYPE_OBJECT)

/* How late a beat at @now_us is, when the previous one ran at @since_us. */
static gint64
late_between (gint64 since_us,
              gint64 now_us)
{
  gint64 late = now_us - since_us - UNFREEZE_STALL_METER_INTERVAL_MS * 1000;

  return MAX (late, 0);
}

/* A watch counts only what happened after it began. */
static gint64
watch_late (UnfreezeStallMeter *self,
            UnfreezeStallWatch *watch,
            gint64              now_us)
{
  return late_between (MAX (self->last_beat_us, watch->begin_us), now_us);
}

/* Frames missed in a gap between frames from @since_us to @until_us, while the loop was
 * seen stuck for @blocked_us, on a screen that shows a frame every @frame_us: a gap of n
 * frames is n - 1 missed. The gap is trusted only as far as the loop was stuck (plus the
 * frame it would have taken anyway). */
static gint64
frames_missed_in (gint64 since_us,
                  gint64 until_us,
                  gint64 blocked_us,
                  gint64 frame_us)
{
  gint64 gap = MIN (until_us - since_us, blocked_us + frame_us);
  gint64 frames;

  if (gap <= 0)
    return 0;

  frames = (gap + frame_us / 2) / frame_us;

  return MAX (frames - 1, 0);
}

/* The kernel's count of the main thread's time on a core and waiting for one, in
 * nanoseconds, from the file kept open; FALSE (and nothing set) if it cannot be read. One
 * pread() a beat: the file is made anew at offset 0. */
static gboolean
read_schedstat (UnfreezeStallMeter *self,
                gint64             *ran_ns,
                gint64             *queued_ns)
{
  char buffer[128];
  ssize_t n;
  char *end;
  gint64 ran;

  if (self->schedstat_fd < 0)
    return FALSE;

  n = pread (self->schedstat_fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0)
    return FALSE;
  buffer[n] = '\0';

  ran = g_ascii_strtoll (buffer, &end, 10);
  if (end == buffer)
    return FALSE;
  *ran_ns = ran;
  *queued_ns = g_ascii_strtoll (end, NULL, 10);

  return TRUE;
}

/* What the main thread did since the last beat (see UnfreezeStallSample). */
static void
sample_schedstat (UnfreezeStallMeter  *self,
                  UnfreezeStallSample *sample)
{
  gint64 ran_ns, queued_ns;

  sample->ran_us = -1;
  sample->queued_us = -1;
  if (!read_schedstat (self, &ran_ns, &queued_ns))
    {
      self->last_ran_ns = -1;
      return;
    }

  if (self->last_ran_ns >= 0)
    {
      sample->ran_us = MAX (ran_ns - self->last_ran_ns, 0) / 1000;
      sample->queued_us = MAX (queued_ns - self->last_queued_ns, 0) / 1000;
    }
  self->last_ran_ns = ran_ns;
  self->last_queued_ns = queued_ns;
}

static gboolean
heartbeat_cb (gpointer user_data)
{
  UnfreezeStallMeter *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 late = late_between (self->last_beat_us, now);
  UnfreezeStallSample *sample = &self->samples[self->n_samples % N_SAMPLES];

  sample->time_us = now;
  sample->late_us = late;
  sample_schedstat (self, sample);
  self->n_samples++;

  for (guint i = 0; i < self->watches->len; i++)
    {
      UnfreezeStallWatch *watch = g_ptr_array_index (self->watches, i);

      watch->longest_us = MAX (watch->longest_us, watch_late (self, watch, now));
    }

  self->stall_since_frame_us = MAX (self->stall_since_frame_us, late);
  self->last_beat_us = now;

  return G_SOURCE_CONTINUE;
}

/* Frame clock ------------------------------------------------------------------------ */

/* How often the compositor really gives the window a frame. The refresh interval the
 * display reports is not always it: Weston's headless output says 60 Hz and draws a window
 * at 25 to 30 (gaps of 18 and 32 ms in turn). So frames are counted in the mean of recent
 * gaps during which the loop was free (never shorter than the refresh interval); until there
 * are enough, in the refresh interval. */
/**
 * unfreeze_stall_meter_frame_interval:
 * @refresh_us: the refresh interval the display reports
 * @free_gaps_us: recent gaps between frames while the main loop was free
 * @n_free_gaps: how many, 0 or more
 *
 * Returns: how often the window gets a frame: the mean of @free_gaps_us once there are
 *   enough of them, never shorter than @refresh_us
 */
gint64
unfreeze_stall_meter_frame_interval (gint64        refresh_us,
                                     const gint64 *free_gaps_us,
                                     guint         n_free_gaps)
{
  gint64 sum = 0;

  if (n_free_gaps < N_FREE_GAPS)
    return refresh_us;

  for (guint i = 0; i < n_free_gaps; i++)
    sum += free_gaps_us[i];

  return MAX (refresh_us, sum / n_free_gaps);
}

static void
update_frame_interval (FrameClockWatch *clock_watch,
                       gint64           gap_us,
                       gint64           blocked_us)
{
  gint64 interval;

  if (blocked_us < clock_watch->refresh_us / 2)
    {
      clock_watch->free_gaps[clock_watch->n_free_gaps % N_FREE_GAPS] = gap_us;
      clock_watch->n_free_gaps++;
    }

  interval = unfreeze_stall_meter_frame_interval (clock_watch->refresh_us, clock_watch->free_gaps,
                                                  MIN (clock_watch->n_free_gaps, N_FREE_GAPS));

  if (ABS (clock_watch->interval_us - interval) > interval / 10)
    g_debug ("Frames counted every %" G_GINT64_FORMAT " us (display refresh interval %"
             G_GINT64_FORMAT " us)", interval, clock_watch->refresh_us);
  clock_watch->interval_us = interval;
}

static void
record_frame_gap (UnfreezeStallMeter *self,
                  FrameClockWatch    *clock_watch,
                  gint64              previous_us,
                  gint64              frame_us)
{
  UnfreezeFrameSample *sample = &self->frame_samples[self->n_frame_samples % N_FRAME_SAMPLES];
  gint64 blocked;

  sample->time_us = frame_us;
  sample->gap_us = frame_us - previous_us;
  self->n_frame_samples++;

  /* The heartbeat runs before the frame clock (higher priority), so it has normally seen the
   * stall already; the current lateness covers the case where it has not. */
  blocked = MAX (self->stall_since_frame_us,
                 late_between (self->last_beat_us, g_get_monotonic_time ()));

  update_frame_interval (clock_watch, frame_us - previous_us, blocked);
  for (guint i = 0; i < self->watches->len; i++)
    {
      UnfreezeStallWatch *watch = g_ptr_array_index (self->watches, i);

      watch->saw_frame_clock = TRUE;
      watch->frames_missed += frames_missed_in (MAX (previous_us, watch->begin_us),
                                                frame_us, blocked, clock_watch->interval_us);
    }

  self->stall_since_frame_us = 0;
}

static gboolean
frame_tick_cb (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       user_data)
{
  FrameClockWatch *clock_watch = user_data;
  UnfreezeStallMeter *self = clock_watch->meter;
  gint64 frame_us = gdk_frame_clock_get_frame_time (frame_clock);
  gint64 previous_us = clock_watch->last_frame_us;
  gint64 refresh_us = 0;

  clock_watch->last_frame_us = frame_us;

  if (self->frame_source == NULL)
    {
      self->frame_source = clock_watch;
      self->stall_since_frame_us = 0;
    }

  /* Frames are judged against the rate the window really gets them at (a compositor may
   * drive it at 60 Hz, 144 Hz or anything else; see update_frame_interval()), 60 Hz when
   * the display does not say. */
  gdk_frame_clock_get_refresh_info (frame_clock, frame_us, &refresh_us, NULL);
  if (refresh_us < 1000 || refresh_us > 100000)
    refresh_us = UNFREEZE_STALL_METER_FRAME_US;
  clock_watch->refresh_us = refresh_us;
  if (clock_watch->interval_us == 0)
    clock_watch->interval_us = refresh_us;

  if (self->frame_source == clock_watch && previous_us != 0 && frame_us > previous_us)
    record_frame_gap (self, clock_watch, previous_us, frame_us);

  return G_SOURCE_CONTINUE;
}

/* A hidden widget gets no frames: the gap until it shows again is no stall. Another watched
 * widget, if any, takes over counting. */
static void
frame_widget_unmap_cb (GtkWidget       *widget,
                       FrameClockWatch *clock_watch)
{
  UnfreezeStallMeter *self = clock_watch->meter;

  clock_watch->last_frame_us = 0;
  if (self->frame_source == clock_watch)
    self->frame_source = NULL;
}

/* The tick callback's destroy notify: runs when the widget is destroyed, or when the meter
 * removes the callback itself. */
static void
frame_clock_watch_free (gpointer data)
{
  FrameClockWatch *clock_watch = data;
  UnfreezeStallMeter *self = clock_watch->meter;

  if (self->frame_source == clock_watch)
    self->frame_source = NULL;
  g_ptr_array_remove_fast (self->frame_clocks, clock_watch);

  if (g_signal_handler_is_connected (clock_watch->widget, clock_watch->unmap_id))
    g_signal_handler_disconnect (clock_watch->widget, clock_watch->unmap_id);

  g_free (clock_watch);
}

/**
 * unfreeze_stall_meter_watch_frame_clock:
 * @widget: a widget, normally the window
 *
 * Records the gaps between @widget's frames (see unfreeze_stall_meter_get_frame_samples())
 * and counts frames missed in each watch, until @widget is destroyed. Watching the same
 * widget twice does nothing. One short callback per frame; nothing is allocated per frame.
 */
void
unfreeze_stall_meter_watch_frame_clock (UnfreezeStallMeter *self,
                                        GtkWidget          *widget)
{
  FrameClockWatch *clock_watch;

  g_return_if_fail (UNFREEZE_IS_STALL_METER (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  for (guint i = 0; i < self->frame_clocks->len; i++)
    {
      FrameClockWatch *existing = g_ptr_array_index (self->frame_clocks, i);

      if (existing->widget == widget)
        return;
    }

  clock_watch = g_new0 (FrameClockWatch, 1);
  clock_watch->meter = self;
  clock_watch->widget = widget;
  clock_watch->unmap_id = g_signal_connect (widget, "unmap",
                                            G_CALLBACK (frame_widget_unmap_cb), clock_watch);
  g_ptr_array_add (self->frame_clocks, clock_watch);
  clock_watch->tick_id = gtk_widget_add_tick_callback (widget, frame_tick_cb, clock_watch,
                                                       frame_clock_watch_free);
}

/* Copies up to @max_samples of the most recent frame gaps, oldest first. */
guint
unfreeze_stall_meter_get_frame_samples (UnfreezeStallMeter  *self,
                                        UnfreezeFrameSample *samples,
                                        guint                max_samples)
{
  guint n;
  guint first;

  g_return_val_if_fail (UNFREEZE_IS_STALL_METER (self), 0);

  n = MIN (MIN (max_samples, (guint) N_FRAME_SAMPLES), self->n_frame_samples);
  first = self->n_frame_samples - n;
  for (guint i = 0; i < n; i++)
    samples[i] = self->frame_samples[(first + i) % N_FRAME_SAMPLES];

  return n;
}

/* The object ------------------------------------------------------------------------- */

static void
unfreeze_stall_meter_dispose (GObject *object)
{
  UnfreezeStallMeter *self = (UnfreezeStallMeter *)object;

  /* Each removal frees its watch and takes it out of the array (from the end, so the rest
   * stay where they are). */
  for (guint i = self->frame_clocks->len; i > 0; i--)
    {
      FrameClockWatch *clock_watch = g_ptr_array_index (self->frame_clocks, i - 1);

      gtk_widget_remove_tick_callback (clock_watch->widget, clock_watch->tick_id);
    }

  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  if (self->schedstat_fd >= 0)
    {
      close (self->schedstat_fd);
      self->schedstat_fd = -1;
    }

  G_OBJECT_CLASS (unfreeze_stall_meter_parent_class)->dispose (object);
}

static void
unfreeze_stall_meter_finalize (GObject *object)
{
  UnfreezeStallMeter *self = (UnfreezeStallMeter *)object;

  g_clear_pointer (&self->watches, g_ptr_array_unref);
  g_clear_pointer (&self->frame_clocks, g_ptr_array_unref);
  g_clear_pointer (&self->samples, g_free);

  G_OBJECT_CLASS (unfreeze_stall_meter_parent_class)->finalize (object);
}

static void
unfreeze_stall_meter_class_init (UnfreezeStallMeterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = unfreeze_stall_meter_dispose;
  object_class->finalize = unfreeze_stall_meter_finalize;
}

static void
unfreeze_stall_meter_init (UnfreezeStallMeter *self)
{
  self->watches = g_ptr_array_new_with_free_func (g_free);
  self->frame_clocks = g_ptr_array_new ();
  self->samples = g_new0 (UnfreezeStallSample, N_SAMPLES);
  self->last_beat_us = g_get_monotonic_time ();
  /* This thread's, the main thread's: the meter is made there. Linux only; elsewhere the
   * samples say -1. */
  self->schedstat_fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  self->last_ran_ns = -1;
  read_schedstat (self, &self->last_ran_ns, &self->last_queued_ns);
  self->heartbeat_id = g_timeout_add_full (G_PRIORITY_HIGH,
                                           UNFREEZE_STALL_METER_INTERVAL_MS,
                                           heartbeat_cb, self, NULL);
}

/**
 * unfreeze_stall_meter_get_default:
 *
 * Returns: (transfer none): the meter watching the default main context, started on the
 *   first call and kept for the life of the process.
 */
UnfreezeStallMeter *
unfreeze_stall_meter_get_default (void)
{
  static UnfreezeStallMeter *meter;

  if (meter == NULL)
    meter = g_object_new (UNFREEZE_TYPE_STALL_METER, NULL);

  return meter;
}

/* How late the heartbeat is right now: non-zero while (or just after) the loop is stuck,
 * before the heartbeat has had a chance to run. */
gint64
unfreeze_stall_meter_get_current_late (UnfreezeStallMeter *self)
{
  g_return_val_if_fail (UNFREEZE_IS_STALL_METER (self), 0);

  return late_between (self->last_beat_us, g_get_monotonic_time ());
}

/* Copies up to @max_samples of the most recent samples, oldest first. */
guint
unfreeze_stall_meter_get_samples (UnfreezeStallMeter  *self,
                                  UnfreezeStallSample *samples,
                                  guint                max_samples)
{
  guint n;
  guint first;

  g_return_val_if_fail (UNFREEZE_IS_STALL_METER (self), 0);

  n = MIN (MIN (max_samples, (guint) N_SAMPLES), self->n_samples);
  first = self->n_samples - n;
  for (guint i = 0; i < n; i++)
    samples[i] = self->samples[(first + i) % N_SAMPLES];

  return n;
}

/* Watches ---------------------------------------------------------------------------- */

/* Starts tracking the longest stall from now on, e.g. for the length of one run. */
UnfreezeStallWatch *
unfreeze_stall_meter_watch_begin (UnfreezeStallMeter *self)
{
  UnfreezeStallWatch *watch;

  g_return_val_if_fail (UNFREEZE_IS_STALL_METER (self), NULL);

  watch = g_new0 (UnfreezeStallWatch, 1);
  watch->begin_us = g_get_monotonic_time ();
  watch->saw_frame_clock = self->frame_source != NULL;
  g_ptr_array_add (self->watches, watch);

  return watch;
}

/* The longest stall seen since @watch began, counting the one that may be going on now
 * (a blocking run ends before the heartbeat has run again). */
gint64
unfreeze_stall_meter_watch_peek (UnfreezeStallMeter *self,
                                 UnfreezeStallWatch *watch)
{
  g_return_val_if_fail (UNFREEZE_IS_STALL_METER (self), 0);
  g_return_val_if_fail (watch != NULL, 0);

  return MAX (watch->longest_us, watch_late (self, watch, g_get_monotonic_time ()));
}

/**
 * unfreeze_stall_meter_watch_get_frames_missed:
 *
 * Frames (at the display's refresh rate) the watched frame clock missed since @watch began,
 * counting the gap that may be going on now: a blocking run ends before the next frame. Call it before
 * unfreeze_stall_meter_watch_end().
 *
 * Returns: the frames missed, or -1 when no frame clock was watched during @watch (no
 *   window, or none shown).
 */
gint64
unfreeze_stall_meter_watch_get_frames_missed (UnfreezeStallMeter *self,
                                              UnfreezeStallWatch *watch)
{
  gint64 missed;

  g_return_val_if_fail (UNFREEZE_IS_STALL_METER (self), 0);
  g_return_val_if_fail (watch != NULL, 0);

  missed = watch->frames_missed;

  if (self->frame_source != NULL && self->frame_source->last_frame_us != 0)
    {
      gint64 now = g_get_monotonic_time ();
      gint64 blocked = MAX (self->stall_since_frame_us, late_between (self->last_beat_us, now));

      missed += frames_missed_in (MAX (self->frame_source->last_frame_us, watch->begin_us),
                                  now, blocked, self->frame_source->interval_us);
      return missed;
    }

  return watch->saw_frame_clock ? missed : -1;
}

/* Like peek, and frees @watch. */
gint64
unfreeze_stall_meter_watch_end (UnfreezeStallMeter *self,
                                UnfreezeStallWatch *watch)
{
  gint64 longest;

  g_return_val_if_fail (UNFREEZE_IS_STALL_METER (self), 0);
  g_return_val_if_fail (watch != NULL, 0);

  longest = unfreeze_stall_meter_watch_peek (self, watch);
  g_ptr_array_remove_fast (self->watches, watch);

  return longest;
}

/* Process ---------------------------------------------------------------------------- */

/* Opens @path once for the whole process and keeps it open: the descriptor plus one in @fd
 * (0: not opened yet), or G_MAXINT when it cannot be opened. Returns the descriptor or -1. */
static int
open_once (gsize      *fd,
           const char *path,
           int         flags)
{
  if (g_once_init_enter (fd))
    {
      int opened = open (path, flags | O_RDONLY | O_CLOEXEC);

      g_once_init_leave (fd, opened >= 0 ? (gsize) opened + 1 : G_MAXINT);
    }

  return *fd == G_MAXINT ? -1 : (int) *fd - 1;
}

static gsize stat_fd;

/**
 * unfreeze_stall_meter_count_threads_from_stat:
 *
 * unfreeze_stall_meter_count_threads()'s fallback, public for the tests: field 20
 * (num_threads) of /proc/self/stat, one small read of a file kept open, no allocation.
 *
 * Returns: the number of threads, or 0 where /proc is not available
 */
guint
unfreeze_stall_meter_count_threads_from_stat (void)
{
  char buffer[1024];
  const char *field;
  ssize_t len;
  guint number = 0;
  int fd;

  /* Opened once: opening the file costs three times what reading it does (6.4 against
   * 2.3 µs here). pread() needs no seek, so any thread may read at once. */
  fd = open_once (&stat_fd, "/proc/self/stat", 0);
  if (fd < 0)
    return 0;

  do
    len = pread (fd, buffer, sizeof buffer - 1, 0);
  while (len < 0 && errno == EINTR);

  if (len <= 0)
    return 0;
  buffer[len] = '\0';

  /* The command name (field 2) is in parentheses and may itself hold spaces and ')': the
   * fields after it start after the last ')'. There, field 3 is the first. */
  field = strrchr (buffer, ')');
  if (field == NULL)
    return 0;

  for (guint i = 3; i <= 20; i++)
    {
      field = strchr (field, ' ');
      if (field == NULL)
        return 0;
      field++;
    }

  number = (guint) g_ascii_strtoull (field, NULL, 10);

  return number;
}

static gsize task_fd;

/**
 * unfreeze_stall_meter_count_threads:
 *
 * The number of threads in this process right now. Cheap enough to call on every frame and
 * around every run: Linux gives the directory /proc/PID/task a link count of two plus the
 * process's threads, so this is one fstat() of a directory kept open, about 0.5 µs, with no
 * text made or parsed. Reading num_threads from /proc/self/stat, the fallback, costs about
 * 3 µs, more with many threads: the kernel sums every thread's CPU times to write that line.
 * In the main-loop mode's throughput runs, three such reads a run were 8 % of the window's
 * thread (bench/README.md, runs K).
 *
 * Returns: the number of threads, or 0 where /proc is not available
 */
guint
unfreeze_stall_meter_count_threads (void)
{
  int fd = open_once (&task_fd, "/proc/self/task", O_DIRECTORY);
  struct stat st;

  if (fd >= 0 && fstat (fd, &st) == 0 && st.st_nlink > 2)
    return (guint) (st.st_nlink - 2);

  return unfreeze_stall_meter_count_threads_from_stat ();
}
