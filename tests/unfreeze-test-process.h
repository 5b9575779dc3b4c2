/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real program with a private home and inspects its processes.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The real program (UNFREEZE_BINARY), as a user or a script starts it, with a private home. */

/* For the main() of a test that starts the program: where the built-in server cannot run
 * (as root), says why and exits with 77, which meson counts as a skip; checks that
 * UNFREEZE_BINARY is set; returns a new private home made from @tmpl (g_dir_make_tmp()). */
char       *unfreeze_test_program_home_or_skip (const char     *tmpl);

/* The program's environment: its own XDG directories under @home, settings in memory and no
 * PG* variable that would pick a server (callers add what else they need). */
char      **unfreeze_test_program_environ   (const char          *home);
/* For a test that runs a built-in server of its own in this process: a new temporary
 * directory made from @tmpl (returned) holding its clusters (XDG_CACHE_HOME) and socket
 * directories (XDG_RUNTIME_DIR), a Wayland socket named by its full path. Call it before
 * anything asks GLib for these directories: it remembers the first answer. */
char       *unfreeze_test_private_server_dirs (const char       *tmpl);
/* @env with WAYLAND_DISPLAY named by its full path, so that the socket is found from any
 * runtime directory. */
char      **unfreeze_test_environ_keep_wayland (char              **env);
/* UNFREEZE_BINARY and then @args, NULL-terminated: an argument vector to spawn. */
GPtrArray  *unfreeze_test_program_argv      (const char * const  *args);
/* In the child before exec, for every program a test starts: SIGINT, SIGTERM and SIGHUP do
 * what they do by default (ignored signals survive exec), and the child gets SIGTERM when the
 * test ends, however it ends (a test killed for its time limit leaves no app behind). */
void        unfreeze_test_child_setup       (gpointer             user_data);
/* A launcher whose children get unfreeze_test_child_setup(). */
GSubprocessLauncher *unfreeze_test_launcher_new (GSubprocessFlags  flags);
/* Runs the program to its end in @env; returns its exit status. */
int         unfreeze_test_run_program       (char               **env,
                                             const char * const  *args,
                                             char               **out,
                                             char               **err);
/* The summary line's value for @key, or NULL. */
char       *unfreeze_test_summary_value     (const char          *out,
                                             const char          *key);

/* The built-in server's cluster under @home's cache directory, or NULL while there is none. */
char       *unfreeze_test_find_data_dir     (const char          *home);
/* The postmaster's pid from @data_dir's postmaster.pid; 0 when there is none. */
GPid        unfreeze_test_postmaster_pid    (const char          *data_dir);
/* FALSE for a process that is gone or a zombie. */
gboolean    unfreeze_test_process_alive     (GPid                 pid);
gboolean    unfreeze_test_wait_until_dead   (GPid                 pid,
                                             guint                timeout_ms);

/* Deletes @dir and all it holds; FALSE if that could not be run. */
gboolean    unfreeze_test_remove_tree       (const char          *dir);

/* This process's threads: a set of their ids (the entries of /proc/self/task). */
GHashTable *unfreeze_test_dup_thread_ids    (void);
/* How many threads there are now that are not in @before. */
guint       unfreeze_test_count_new_threads (GHashTable          *before);

G_END_DECLS
