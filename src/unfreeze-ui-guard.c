/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The UI-thread guard: the demo's own version of .NET's CheckForIllegalCrossThreadCalls.
 *
 * GTK has no such check. A widget call from another thread is not reported; it races with
 * the main loop and corrupts memory or crashes at random, often much later. To show the
 * mistake the same way every time, every UI update the window offers to the modes asks this
 * guard first, and the guard refuses updates that do not come from the UI thread.
 */
#define G_LOG_DOMAIN "Unfreeze-Guard"

#include "config.h"

#include "unfreeze-ui-guard.h"

#include <glib/gi18n.h>
#include <pthread.h>

static GThread *ui_thread;

/* Called first thing in main() (and in each test's main): GLib has no "is this the UI
 * thread?" call, so we remember which thread that is. */
void
unfreeze_ui_guard_init (void)
{
  ui_thread = g_thread_self ();
}

gboolean
unfreeze_ui_guard_is_ui_thread (void)
{
  g_assert (ui_thread != NULL);

  return g_thread_self () == ui_thread;
}

/* The calling thread's name, as unfreeze_ui_guard_get_thread_name() gives it. */
static char *
read_thread_name (void)
{
  char name[32] = { 0 };

  /* g_thread_new() names the OS thread; GLib has no getter for it, POSIX does. */
  if (pthread_getname_np (pthread_self (), name, sizeof name) != 0 || name[0] == '\0')
    return g_strdup_printf ("%p", (gpointer) g_thread_self ());

  if (unfreeze_ui_guard_is_ui_thread ())
    return g_strdup_printf ("%s (UI thread)", name);

  return g_strdup (name);
}

/**
 * unfreeze_ui_guard_get_thread_name:
 *
 * Returns: (transfer none): the calling thread's name, e.g. "pool-unfreeze", or
 *   "unfreeze (UI thread)"; read once per thread (asking the kernel is a system call, and
 *   a run records a few spans for every query)
 */
const char *
unfreeze_ui_guard_get_thread_name (void)
{
  static GPrivate cached = G_PRIVATE_INIT (g_free);
  char *name = g_private_get (&cached);

  if (name == NULL)
    {
      name = read_thread_name ();
      g_private_set (&cached, name);
    }

  return name;
}

char *
unfreeze_ui_guard_dup_thread_name (void)
{
  return g_strdup (unfreeze_ui_guard_get_thread_name ());
}

/**
 * unfreeze_ui_guard_check:
 * @what: the UI update that was attempted, e.g. "show rows"
 * @refusal: (out) (optional): the message given when the update is refused
 *
 * Returns: %TRUE when called on the UI thread, so the update may go ahead; otherwise
 *   reports the cross-thread access as a critical warning and returns %FALSE.
 */
gboolean
unfreeze_ui_guard_check (const char  *what,
                         char       **refusal)
{
  g_autofree char *thread_name = NULL;
  g_autofree char *message = NULL;

  if (unfreeze_ui_guard_is_ui_thread ())
    return TRUE;

  thread_name = unfreeze_ui_guard_dup_thread_name ();
  message = g_strdup_printf (_("Cross-thread UI access: %s from thread %s; GTK is not "
                               "thread-safe, hand the result to the main loop with g_idle_add()"),
                             what, thread_name);
  g_critical ("%s", message);

  if (refusal != NULL)
    *refusal = g_steal_pointer (&message);

  return FALSE;
}
