/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * UnfreezeMode: what every way of running the query offers the window, and the list of modes.
 */
#pragma once

#include "unfreeze-types.h"

G_BEGIN_DECLS

/* One way of running the query. Each mode lives in one short file under src/modes/ and is
 * all the window knows about it: a name, a few words, and "start this query". The list of
 * modes is made by the build from the list of mode files in src/meson.build. */
struct _UnfreezeMode
{
  const char *id;           /* "blocking", used by --mode= and the win.mode action */
  const char *title;        /* translatable, marked with N_() */
  const char *subtitle;     /* translatable, marked with N_() */
  const char *explanation;  /* translatable: what happens, what to watch, why, the fix */
  const char *lesson;       /* translatable: what the run just showed, and why */
  gboolean    can_cancel;

  /* Start query number @index of @run (0 ≤ index < unfreeze_run_get_count()). Called on the
   * main thread. However it runs, the mode must in the end call unfreeze_run_query_done()
   * on the main thread, exactly once for this index. */
  void      (*start_query) (UnfreezeRun *run,
                            guint        index);

  /* TRUE: start_query() is dear (it makes a thread), so the run calls it for as many
   * queries as fit in a few milliseconds, then lets the main loop draw before the next ones
   * (see unfreeze_run_start()). FALSE: all of them in one go, as the blocking mode must. */
  gboolean    start_in_turns;
};

const UnfreezeMode * const *unfreeze_modes_get_all        (guint              *n_modes);
const UnfreezeMode         *unfreeze_modes_lookup         (const char         *id);
char                       *unfreeze_modes_dup_ids        (const char         *separator);
const char                 *unfreeze_mode_get_source_path (const UnfreezeMode *mode);

void                        unfreeze_mode_lower_worker_priority (void);

G_END_DECLS
