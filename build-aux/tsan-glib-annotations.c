/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tells ThreadSanitizer about the synchronisation inside GLib, for build-aux/test-threads.sh.
 *
 * Our code is built with -fsanitize=thread; Debian's GLib is not. GLib's GMutex and GCond are
 * its own futex code (not pthread's, which TSan would see), and GObject's reference counts are
 * atomics inside libgobject. So TSan sees none of the hand-overs GLib makes between threads
 * (main thread -> GTask worker through the thread pool's queue, worker -> main thread through
 * a source attached to the main context, the last unref on another thread) and reports every
 * field a worker reads as a race. This library, loaded with LD_PRELOAD, wraps the GLib entry
 * points that other libraries and our code call, and reports each hand-over to TSan as a
 * release and an acquire (AnnotateHappensBefore/After) on the object that carries it, as an
 * instrumented GLib would:
 *
 *   GMutex        unlock releases the mutex, lock acquires it (and GCond waits do both)
 *   GObject       ref and unref are acquire-release on the object (they are atomic
 *                 read-modify-writes with full barriers), so finalize comes after every use
 *   GThreadPool   push releases the item, the worker acquires it before the pool's function
 *   GMainContext  attaching a source (g_source_attach, g_idle_add, g_timeout_add,
 *                 g_main_context_invoke) to the default context releases the context, whose
 *                 mutex the main loop takes before dispatching; the main loop acquires it after
 *                 each poll (a poll function of ours)
 *   GCancellable  cancelling releases the cancellable; seeing it cancelled acquires it
 *
 * No other synchronisation is invented: two threads that touch the same field of ours with
 * nothing of the above between them are still reported. Calls made inside libglib itself do
 * not pass through here (they are bound directly), which is why each hand-over is caught at
 * the public entry point the other side uses.
 *
 * It removes itself from LD_PRELOAD at load time, so that the programs the tests start
 * (PostgreSQL's initdb and postgres) never load it. Plain C, no GLib headers: it must not be
 * instrumented itself, and must not change GLib's behaviour in any way.
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

/* Under Valgrind, the same hand-overs go to Helgrind (its client requests cost nothing
 * elsewhere). */
#ifdef HAVE_HELGRIND
#include <valgrind/helgrind.h>
#endif

typedef int gboolean;
typedef void *gpointer;
typedef void (*GFunc) (gpointer data, gpointer user_data);
typedef gboolean (*GSourceFunc) (gpointer user_data);
typedef void (*GDestroyNotify) (gpointer data);
typedef int (*GPollFunc) (void *fds, unsigned int nfds, int timeout);

/* TSan's dynamic annotations, from libtsan, which the instrumented test program loads; weak so
 * that this library can be loaded (and do nothing) anywhere else. "Happens before" merges the
 * calling thread's clock into the address's (unlike __tsan_release(), which replaces it: with
 * several threads releasing the same object, the last would erase the others). */
extern void AnnotateHappensBefore (const char *file, int line, const volatile void *addr)
  __attribute__ ((weak));
extern void AnnotateHappensAfter (const char *file, int line, const volatile void *addr)
  __attribute__ ((weak));

static void
acquire (void *addr)
{
  if (addr == NULL)
    return;
  if (AnnotateHappensAfter != NULL)
    AnnotateHappensAfter (__FILE__, __LINE__, addr);
#ifdef HAVE_HELGRIND
  ANNOTATE_HAPPENS_AFTER (addr);
#endif
}

static void
release (void *addr)
{
  if (addr == NULL)
    return;
  if (AnnotateHappensBefore != NULL)
    AnnotateHappensBefore (__FILE__, __LINE__, addr);
#ifdef HAVE_HELGRIND
  ANNOTATE_HAPPENS_BEFORE (addr);
#endif
}

/* The real function of that name: the next definition after ours, in libglib/libgobject/libgio. */
#define REAL(name, type) \
  static __typeof__ (type) real_##name; \
  if (real_##name == NULL) \
    real_##name = (type) dlsym (RTLD_NEXT, #name)

__attribute__ ((constructor)) static void
forget_preload (void)
{
  unsetenv ("LD_PRELOAD");
}

/* GMutex, GCond ---------------------------------------------------------------------- */

void
g_mutex_lock (void *mutex)
{
  REAL (g_mutex_lock, void (*) (void *));
  real_g_mutex_lock (mutex);
  acquire (mutex);
}

gboolean
g_mutex_trylock (void *mutex)
{
  gboolean locked;
  REAL (g_mutex_trylock, gboolean (*) (void *));

  locked = real_g_mutex_trylock (mutex);
  if (locked)
    acquire (mutex);
  return locked;
}

void
g_mutex_unlock (void *mutex)
{
  REAL (g_mutex_unlock, void (*) (void *));
  release (mutex);
  real_g_mutex_unlock (mutex);
}

void
g_cond_wait (void *cond,
             void *mutex)
{
  REAL (g_cond_wait, void (*) (void *, void *));
  release (mutex);
  real_g_cond_wait (cond, mutex);
  acquire (mutex);
}

gboolean
g_cond_wait_until (void    *cond,
                   void    *mutex,
                   int64_t  end_time)
{
  gboolean signalled;
  REAL (g_cond_wait_until, gboolean (*) (void *, void *, int64_t));

  release (mutex);
  signalled = real_g_cond_wait_until (cond, mutex, end_time);
  acquire (mutex);
  return signalled;
}

/* GObject ---------------------------------------------------------------------------- */

gpointer
g_object_ref (gpointer object)
{
  REAL (g_object_ref, gpointer (*) (gpointer));
  release (object);
  acquire (object);
  return real_g_object_ref (object);
}

void
g_object_unref (gpointer object)
{
  REAL (g_object_unref, void (*) (gpointer));
  release (object);
  acquire (object);
  real_g_object_unref (object);
}

/* GThreadPool ------------------------------------------------------------------------ */

typedef struct
{
  GFunc    func;
  gpointer user_data;
} PoolFunc;

static void
pool_func_trampoline (gpointer data,
                      gpointer user_data)
{
  PoolFunc *pool_func = user_data;

  acquire (data);
  pool_func->func (data, pool_func->user_data);
}

static PoolFunc *
pool_func_new (GFunc    func,
               gpointer user_data)
{
  PoolFunc *pool_func = malloc (sizeof *pool_func);

  if (pool_func == NULL)
    abort ();
  /* Lives as long as the pool; pools here live as long as the process. */
  pool_func->func = func;
  pool_func->user_data = user_data;
  return pool_func;
}

gpointer
g_thread_pool_new (GFunc     func,
                   gpointer  user_data,
                   int       max_threads,
                   gboolean  exclusive,
                   void    **error)
{
  REAL (g_thread_pool_new, gpointer (*) (GFunc, gpointer, int, gboolean, void **));
  return real_g_thread_pool_new (pool_func_trampoline, pool_func_new (func, user_data),
                                 max_threads, exclusive, error);
}

gpointer
g_thread_pool_new_full (GFunc           func,
                        gpointer        user_data,
                        GDestroyNotify  item_free_func,
                        int             max_threads,
                        gboolean        exclusive,
                        void          **error)
{
  REAL (g_thread_pool_new_full,
        gpointer (*) (GFunc, gpointer, GDestroyNotify, int, gboolean, void **));
  return real_g_thread_pool_new_full (pool_func_trampoline, pool_func_new (func, user_data),
                                      item_free_func, max_threads, exclusive, error);
}

gboolean
g_thread_pool_push (gpointer   pool,
                    gpointer   data,
                    void     **error)
{
  REAL (g_thread_pool_push, gboolean (*) (gpointer, gpointer, void **));
  release (data);
  return real_g_thread_pool_push (pool, data, error);
}

/* GMainContext ----------------------------------------------------------------------- */

/* Stands for the default main context's mutex. */
static char default_context;

static int
poll_then_acquire (void         *fds,
                   unsigned int  nfds,
                   int           timeout)
{
  static GPollFunc g_poll_real;
  int n;

  if (g_poll_real == NULL)
    g_poll_real = (GPollFunc) dlsym (RTLD_DEFAULT, "g_poll");
  n = g_poll_real (fds, nfds, timeout);
  acquire (&default_context);
  return n;
}

static void
install_poll_func (void)
{
  gpointer (*context_default) (void) = (gpointer (*) (void)) dlsym (RTLD_DEFAULT, "g_main_context_default");
  void (*set_poll_func) (gpointer, GPollFunc) =
    (void (*) (gpointer, GPollFunc)) dlsym (RTLD_DEFAULT, "g_main_context_set_poll_func");

  if (context_default != NULL && set_poll_func != NULL)
    set_poll_func (context_default (), poll_then_acquire);
}

/* A source is about to reach @context (NULL: the default one). */
static void
attaching (gpointer context)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  static gpointer (*context_default) (void);

  pthread_once (&once, install_poll_func);
  if (context_default == NULL)
    context_default = (gpointer (*) (void)) dlsym (RTLD_DEFAULT, "g_main_context_default");
  if (context == NULL || context == context_default ())
    release (&default_context);
}

unsigned int
g_source_attach (gpointer source,
                 gpointer context)
{
  REAL (g_source_attach, unsigned int (*) (gpointer, gpointer));
  attaching (context);
  return real_g_source_attach (source, context);
}

unsigned int
g_idle_add (GSourceFunc function,
            gpointer    data)
{
  REAL (g_idle_add, unsigned int (*) (GSourceFunc, gpointer));
  attaching (NULL);
  return real_g_idle_add (function, data);
}

unsigned int
g_idle_add_full (int            priority,
                 GSourceFunc    function,
                 gpointer       data,
                 GDestroyNotify notify)
{
  REAL (g_idle_add_full, unsigned int (*) (int, GSourceFunc, gpointer, GDestroyNotify));
  attaching (NULL);
  return real_g_idle_add_full (priority, function, data, notify);
}

unsigned int
g_timeout_add (unsigned int interval,
               GSourceFunc  function,
               gpointer     data)
{
  REAL (g_timeout_add, unsigned int (*) (unsigned int, GSourceFunc, gpointer));
  attaching (NULL);
  return real_g_timeout_add (interval, function, data);
}

unsigned int
g_timeout_add_full (int            priority,
                    unsigned int   interval,
                    GSourceFunc    function,
                    gpointer       data,
                    GDestroyNotify notify)
{
  REAL (g_timeout_add_full,
        unsigned int (*) (int, unsigned int, GSourceFunc, gpointer, GDestroyNotify));
  attaching (NULL);
  return real_g_timeout_add_full (priority, interval, function, data, notify);
}

unsigned int
g_timeout_add_seconds (unsigned int interval,
                       GSourceFunc  function,
                       gpointer     data)
{
  REAL (g_timeout_add_seconds, unsigned int (*) (unsigned int, GSourceFunc, gpointer));
  attaching (NULL);
  return real_g_timeout_add_seconds (interval, function, data);
}

unsigned int
g_timeout_add_seconds_full (int            priority,
                            unsigned int   interval,
                            GSourceFunc    function,
                            gpointer       data,
                            GDestroyNotify notify)
{
  REAL (g_timeout_add_seconds_full,
        unsigned int (*) (int, unsigned int, GSourceFunc, gpointer, GDestroyNotify));
  attaching (NULL);
  return real_g_timeout_add_seconds_full (priority, interval, function, data, notify);
}

void
g_main_context_invoke (gpointer    context,
                       GSourceFunc function,
                       gpointer    data)
{
  REAL (g_main_context_invoke, void (*) (gpointer, GSourceFunc, gpointer));
  attaching (context);
  real_g_main_context_invoke (context, function, data);
}

void
g_main_context_invoke_full (gpointer       context,
                            int            priority,
                            GSourceFunc    function,
                            gpointer       data,
                            GDestroyNotify notify)
{
  REAL (g_main_context_invoke_full,
        void (*) (gpointer, int, GSourceFunc, gpointer, GDestroyNotify));
  attaching (context);
  real_g_main_context_invoke_full (context, priority, function, data, notify);
}

/* GCancellable ----------------------------------------------------------------------- */

void
g_cancellable_cancel (gpointer cancellable)
{
  REAL (g_cancellable_cancel, void (*) (gpointer));
  release (cancellable);
  real_g_cancellable_cancel (cancellable);
}

gboolean
g_cancellable_is_cancelled (gpointer cancellable)
{
  gboolean cancelled;
  REAL (g_cancellable_is_cancelled, gboolean (*) (gpointer));

  cancelled = real_g_cancellable_is_cancelled (cancellable);
  if (cancelled)
    acquire (cancellable);
  return cancelled;
}

gboolean
g_cancellable_set_error_if_cancelled (gpointer   cancellable,
                                      void     **error)
{
  gboolean cancelled;
  REAL (g_cancellable_set_error_if_cancelled, gboolean (*) (gpointer, void **));

  cancelled = real_g_cancellable_set_error_if_cancelled (cancellable, error);
  if (cancelled)
    acquire (cancellable);
  return cancelled;
}
