/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real program as a test starts it: a private home, its environment and argument
 * vector, the summary line, the built-in server's processes, and the threads of this one;
 * and the same private directories for a built-in server a test runs in its own process.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include "unfreeze-test-process.h"

#include "unfreeze-local-server.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* A Wayland socket named relative to XDG_RUNTIME_DIR (as compositors set WAYLAND_DISPLAY)
 * is lost when a test gives the program a runtime directory of its own: name it by its full
 * path in @env instead. */
char **
unfreeze_test_environ_keep_wayland (char **env)
{
  const char *display = g_environ_getenv (env, "WAYLAND_DISPLAY");
  const char *runtime = g_environ_getenv (env, "XDG_RUNTIME_DIR");
  g_autofree char *path = NULL;

  if (display == NULL || g_path_is_absolute (display) || runtime == NULL)
    return env;

  path = g_build_filename (runtime, display, NULL);

  return g_environ_setenv (env, "WAYLAND_DISPLAY", path, TRUE);
}

char *
unfreeze_test_private_server_dirs (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp (tmpl, &error);
  g_autofree char *cache = NULL;
  g_autofree char *runtime = NULL;
  g_auto(GStrv) env = NULL;

  g_assert_no_error (error);
  cache = g_build_filename (dir, "cache", NULL);
  runtime = g_build_filename (dir, "run", NULL);
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);

  /* A Wayland socket named relative to the runtime directory that is about to change. */
  env = unfreeze_test_environ_keep_wayland (g_get_environ ());
  if (g_environ_getenv (env, "WAYLAND_DISPLAY") != NULL)
    g_setenv ("WAYLAND_DISPLAY", g_environ_getenv (env, "WAYLAND_DISPLAY"), TRUE);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);

  return g_steal_pointer (&dir);
}

char **
unfreeze_test_program_environ (const char *home)
{
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *cache = g_build_filename (home, "cache", NULL);
  g_autofree char *runtime = g_build_filename (home, "run", NULL);
  g_autofree char *config = g_build_filename (home, "config", NULL);
  static const char * const pg_vars[] = {
    "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE", "PGPASSWORD",
  };

  g_mkdir_with_parents (runtime, 0700);
  env = unfreeze_test_environ_keep_wayland (env);
  env = g_environ_setenv (env, "XDG_CACHE_HOME", cache, TRUE);
  env = g_environ_setenv (env, "XDG_RUNTIME_DIR", runtime, TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", config, TRUE);
  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "memory", TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (pg_vars); i++)
    env = g_environ_unsetenv (env, pg_vars[i]);

  return g_steal_pointer (&env);
}

GPtrArray *
unfreeze_test_program_argv (const char * const *args)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) g_getenv ("UNFREEZE_BINARY"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  return argv;
}

void
unfreeze_test_child_setup (gpointer user_data)
{
  pid_t test_pid = GPOINTER_TO_INT (user_data);

  signal (SIGINT, SIG_DFL);
  signal (SIGTERM, SIG_DFL);
  signal (SIGHUP, SIG_DFL);
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  /* The test may have ended between the fork and the line above. */
  if (test_pid != 0 && getppid () != test_pid)
    raise (SIGTERM);
}

GSubprocessLauncher *
unfreeze_test_launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (launcher, unfreeze_test_child_setup,
                                         GINT_TO_POINTER (getpid ()), NULL);

  return launcher;
}

int
unfreeze_test_run_program (char               **env,
                           const char * const  *args,
                           char               **out,
                           char               **err)
{
  g_autoptr(GPtrArray) argv = unfreeze_test_program_argv (args);
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT,
                unfreeze_test_child_setup, GINT_TO_POINTER (getpid ()),
                out, err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));

  return WEXITSTATUS (wait_status);
}

char *
unfreeze_test_summary_value (const char *out,
                             const char *key)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) pairs = NULL;

      if (!g_str_has_prefix (lines[i], "mode="))
        continue;
      pairs = g_strsplit (lines[i], " ", -1);
      for (guint j = 0; pairs[j] != NULL; j++)
        {
          if (g_str_has_prefix (pairs[j], key) && pairs[j][strlen (key)] == '=')
            return g_strdup (pairs[j] + strlen (key) + 1);
        }
    }

  return NULL;
}

char *
unfreeze_test_find_data_dir (const char *home)
{
  g_autofree char *parent = g_build_filename (home, "cache", "unfreeze", NULL);
  g_autoptr(GDir) entries = g_dir_open (parent, 0, NULL);
  const char *name;

  while (entries != NULL && (name = g_dir_read_name (entries)))
    {
      g_autofree char *path = g_build_filename (parent, name, NULL);
      g_autofree char *version = g_build_filename (path, "PG_VERSION", NULL);

      if (g_file_test (version, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&path);
    }

  return NULL;
}

GPid
unfreeze_test_postmaster_pid (const char *data_dir)
{
  g_autofree char *pid_file = g_build_filename (data_dir, "postmaster.pid", NULL);
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (pid_file, &contents, NULL, NULL))
    return 0;

  return (GPid) g_ascii_strtoll (contents, NULL, 10);
}

gboolean
unfreeze_test_process_alive (GPid pid)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *state;

  if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
    return FALSE;

  /* A zombie is dead, only not reaped yet (its parent was killed). */
  state = strrchr (stat, ')');
  return state == NULL || state[2] != 'Z';
}

/* Polls an outside process's state, with a deadline: there is nothing to wait on. */
gboolean
unfreeze_test_wait_until_dead (GPid  pid,
                               guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  while (unfreeze_test_process_alive (pid))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (20 * 1000);
    }

  return TRUE;
}

gboolean
unfreeze_test_remove_tree (const char *dir)
{
  unfreeze_remove_tree (dir);

  return !g_file_test (dir, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK);
}

/* The entries of /proc/self/task are thread ids, never reused this quickly. A new id is a
 * new thread, even if another (an idle pool thread timing out) went meanwhile. */
GHashTable *
unfreeze_test_dup_thread_ids (void)
{
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_hash_table_add (ids, g_strdup (name));

  return ids;
}

guint
unfreeze_test_count_new_threads (GHashTable *before)
{
  g_autoptr(GHashTable) now = unfreeze_test_dup_thread_ids ();
  GHashTableIter iter;
  gpointer id;
  guint n = 0;

  g_hash_table_iter_init (&iter, now);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    n += !g_hash_table_contains (before, id);

  return n;
}

char *
unfreeze_test_program_home_or_skip (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  char *home;

  if (!unfreeze_local_server_check_user (geteuid (), &error))
    {
      g_printerr ("SKIP: %s\n", error->message);
      exit (77);
    }
  g_assert_nonnull (g_getenv ("UNFREEZE_BINARY"));

  home = g_dir_make_tmp (tmpl, &error);
  g_assert_no_error (error);

  return home;
}
