/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The set-up every test program starts with, and helpers every test may use.
 */
#pragma once

#include <gtk/gtk.h>

#include "unfreeze-mode.h"
#include "unfreeze-run.h"

G_BEGIN_DECLS

/* What every test program does first: GLib's test framework (warnings and criticals are
 * fatal), this thread recorded as the UI thread for the guard, the app's resources. Needs
 * no display and no server. */
void   unfreeze_test_init           (int                *argc,
                                     char             ***argv);

/* The same for a test that shows widgets: GTK's test set-up (which needs a display),
 * libadwaita and GtkSourceView. */
void   unfreeze_test_init_display   (int                *argc,
                                     char             ***argv);

/* Unsets the @n_names environment variables @names, for a test that sets its own, and
 * returns their values for unfreeze_test_env_restore(), which puts them back. */
char **unfreeze_test_env_clear      (const char * const *names,
                                     guint               n_names);
void   unfreeze_test_env_restore    (const char * const *names,
                                     guint               n_names,
                                     char              **saved);

/* For a test that must reach only the servers it names: none of the PG* variables through
 * which libpq would pick a server, a password, a service or a timeout from outside, and
 * PGPASSFILE at a file that does not exist in @home, so no ~/.pgpass is read either. In
 * this process, or in the environment @env for a program it starts (returned). */
void   unfreeze_test_unset_libpq_env  (const char         *home);
char **unfreeze_test_environ_no_libpq (char              **env,
                                       const char         *home);

/* FALSE when a sanitizer or Valgrind checks this run: each allocation then costs many times
 * what it normally does, so an upper bound on a stall would measure the checker, not the code.
 * Such bounds are asserted only when this is TRUE; every other check always is. Set
 * UNFREEZE_TEST_NO_TIMING=1 to say so from outside (build-aux/test-valgrind.sh does). */
gboolean unfreeze_test_timing_is_reliable (void);

/* Runs the default main context for @ms milliseconds, as the app's main loop would. It
 * blocks in each iteration: something must wake it (the stall meter's heartbeat does, every
 * 10 ms), or it may sleep past the end. */
void   unfreeze_test_iterate_for    (guint               ms);

/* Runs the default main context until @done holds for @data or @timeout_ms passes; returns
 * whether @done holds. It sleeps between events rather than spinning (on a loaded machine a
 * spinning test takes the CPU the X server needs), and asks @done again at least every
 * 20 ms. */
typedef gboolean (*UnfreezeTestDone) (gpointer data);
gboolean unfreeze_test_iterate_until (UnfreezeTestDone    done,
                                      gpointer            data,
                                      guint               timeout_ms);

/* An UnfreezeTestDone for a gboolean: whether the one @flag points to is set. */
gboolean unfreeze_test_flag_is_set  (gpointer            flag);

/* A GAsyncReadyCallback that keeps a reference to @result in the GAsyncResult pointer
 * @user_data points to, for a test that iterates until it is set. */
void   unfreeze_test_async_result_cb (GObject           *object,
                                      GAsyncResult      *result,
                                      gpointer           user_data);

/* The first widget of @type under @widget (itself included), in depth-first order, and with
 * @name (gtk_widget_set_name()) when @name is not %NULL; %NULL if there is none. */
GtkWidget *unfreeze_test_find_widget (GtkWidget          *widget,
                                      GType               type,
                                      const char         *name);

/* For runs with fake modes: a query that reached the server (the span every real mode
 * opens once connected), and a mode whose queries reach it and are then cancelled from the
 * main loop (its id is "cancelled"), so that the run is still running until then. */
void   unfreeze_test_send_query     (UnfreezeRun        *run);
extern const UnfreezeMode unfreeze_test_mode_cancelled;

G_END_DECLS
