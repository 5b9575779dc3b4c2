/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The set-up every test program shares, in one place instead of a copy in each main().
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include "unfreeze-test.h"

#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "unfreeze-resources.h"
#include "unfreeze-ui-guard.h"

void
unfreeze_test_init (int    *argc,
                    char ***argv)
{
  unfreeze_ui_guard_init ();
  g_test_init (argc, argv, NULL);
  unfreeze_register_resource ();
}

void
unfreeze_test_init_display (int    *argc,
                            char ***argv)
{
  unfreeze_ui_guard_init ();
  gtk_test_init (argc, argv, NULL);
  adw_init ();
  gtk_source_init ();
  unfreeze_register_resource ();
}

char **
unfreeze_test_env_clear (const char * const *names,
                         guint               n_names)
{
  char **saved = g_new0 (char *, n_names);

  for (guint i = 0; i < n_names; i++)
    {
      saved[i] = g_strdup (g_getenv (names[i]));
      g_unsetenv (names[i]);
    }

  return saved;
}

void
unfreeze_test_env_restore (const char * const *names,
                           guint               n_names,
                           char              **saved)
{
  for (guint i = 0; i < n_names; i++)
    {
      if (saved[i] != NULL)
        g_setenv (names[i], saved[i], TRUE);
      else
        g_unsetenv (names[i]);
      g_free (saved[i]);
    }
  g_free (saved);
}

static const char * const libpq_vars[] = {
  "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE", "PGPASSWORD",
  "PGSERVICEFILE", "PGCONNECT_TIMEOUT",
};

void
unfreeze_test_unset_libpq_env (const char *home)
{
  g_autofree char *no_pgpass = g_build_filename (home, "no-pgpass", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (libpq_vars); i++)
    g_unsetenv (libpq_vars[i]);
  g_setenv ("PGPASSFILE", no_pgpass, TRUE);
}

char **
unfreeze_test_environ_no_libpq (char       **env,
                                const char  *home)
{
  g_autofree char *no_pgpass = g_build_filename (home, "no-pgpass", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (libpq_vars); i++)
    env = g_environ_unsetenv (env, libpq_vars[i]);

  return g_environ_setenv (env, "PGPASSFILE", no_pgpass, TRUE);
}

gboolean
unfreeze_test_timing_is_reliable (void)
{
#if defined (__SANITIZE_ADDRESS__) || defined (__SANITIZE_THREAD__)
  return FALSE;
#else
  return g_getenv ("UNFREEZE_TEST_NO_TIMING") == NULL;
#endif
}

void
unfreeze_test_send_query (UnfreezeRun *run)
{
  unfreeze_run_end_span (run, unfreeze_run_begin_span (run, UNFREEZE_SPAN_QUERY));
}

static gboolean
cancel_cb (gpointer user_data)
{
  UnfreezeRun *run = user_data;

  unfreeze_run_query_done (run, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     "Operation was cancelled"));

  return G_SOURCE_REMOVE;
}

static void
start_cancelled (UnfreezeRun *run,
                 guint        index)
{
  unfreeze_test_send_query (run);
  g_idle_add_full (G_PRIORITY_DEFAULT, cancel_cb, g_object_ref (run), g_object_unref);
}

const UnfreezeMode unfreeze_test_mode_cancelled = {
  "cancelled", "Test", "Test", NULL, NULL, TRUE, start_cancelled
};

void
unfreeze_test_iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
wake_up_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
unfreeze_test_iterate_until (UnfreezeTestDone done,
                             gpointer         data,
                             guint            timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, set_flag_cb, &timed_out);
  guint wake_up = g_timeout_add (20, wake_up_cb, NULL);

  while (!done (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_source_remove (wake_up);

  return done (data);
}

gboolean
unfreeze_test_flag_is_set (gpointer flag)
{
  return *(gboolean *) flag;
}

GtkWidget *
unfreeze_test_find_widget (GtkWidget  *widget,
                           GType       type,
                           const char *name)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (name == NULL || g_strcmp0 (gtk_widget_get_name (widget), name) == 0))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = unfreeze_test_find_widget (child, type, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

void
unfreeze_test_async_result_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}
