/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Your own server with a password, as a desktop app does it, against the fixture's server
 * with a role that must give one (scram-sha-256 over the Unix socket):
 *
 *  - the database says the server wants a password (none given) or refused the one given,
 *    and connects with one given in memory, in every mode (the main-loop mode's
 *    non-blocking connect too); ~/.pgpass (PGPASSFILE) keeps working without one;
 *  - a new connection applies at once: a run in flight ends on its old server, the next
 *    one goes to the new server, the window's subtitle names it, the old pool empties;
 *  - the real application: the password from the keyring (a private gnome-keyring-daemon
 *    on the test's session bus), else the dialog (a wrong password asks again, "Remember in
 *    keyring" stores the right one), Preferences applying a connection with a password;
 *  - the password never reaches GSettings, the status line, the message panel, the
 *    window's subtitle, the summary line or any log line.
 */
#define G_LOG_DOMAIN "Unfreeze-Test"

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unfreeze-application.h"
#include "unfreeze-mode.h"
#include "unfreeze-password-dialog.h"
#include "unfreeze-preferences-window.h"
#include "unfreeze-run.h"
#include "unfreeze-secret.h"
#include "unfreeze-test-fixture.h"
#include "unfreeze-test-process.h"
#include "unfreeze-test-run.h"
#include "unfreeze-test.h"
#include "unfreeze-window.h"

#define RIGHT_PASSWORD "right-pw-secret-93"
#define WRONG_PASSWORD "wrong-pw-secret-57"
#define TIMEOUT_MS     60000

static char *home;
static char *pw_conninfo;        /* the fixture's server, as the role that needs a password */
static GString *logged;          /* every log line of the program */
static GPid keyring_pid;         /* 0: no keyring here */

/* Logging: everything is kept, to look for the password in it ----------------------------- */

/* Debug messages included: the handler sees them all, whatever G_MESSAGES_DEBUG says. */
static void
log_handler_cb (const char     *log_domain,
                GLogLevelFlags  log_level,
                const char     *message,
                gpointer        user_data)
{
  g_string_append_printf (logged, "%s: %s\n", log_domain != NULL ? log_domain : "", message);
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    g_log_default_handler (log_domain, log_level, message, user_data);
}

static void
assert_no_password (const char *text)
{
  g_assert_nonnull (text);
  g_assert_null (strstr (text, RIGHT_PASSWORD));
  g_assert_null (strstr (text, WRONG_PASSWORD));
}

/* Waiting ------------------------------------------------------------------------------- */

static void
async_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
wait_result (GAsyncResult **result)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

  while (*result == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (*result);
}

static gboolean
prepare (UnfreezeDatabase  *database,
         GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  unfreeze_database_prepare_async (database, NULL, async_result_cb, &result);
  wait_result (&result);

  return unfreeze_database_prepare_finish (database, result, error);
}

static void
run_finished_cb (UnfreezeRun *run,
                 gboolean    *finished)
{
  *finished = TRUE;
}

static UnfreezeRun *
run_in_window (UnfreezeWindow *window,
               const char     *mode_id,
               double          delay,
               gboolean        wait)
{
  UnfreezeRun *run;
  gboolean finished = FALSE;

  /* The raw-thread mode's refusal and the deadlock mode's deadlock are their lessons, not
   * failures (see assert_run_ok()). */
  if (g_str_equal (mode_id, "thread"))
    g_test_expect_message ("Unfreeze-Guard", G_LOG_LEVEL_CRITICAL, "Cross-thread UI access*");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.mode", "s", mode_id));
  unfreeze_window_set_ticker (window, "MSFT");
  unfreeze_window_set_delay (window, delay);
  unfreeze_window_set_count (window, 1);
  run = unfreeze_window_start_run (window);
  g_assert_nonnull (run);
  g_object_ref (run);
  if (wait)
    {
      g_signal_connect (run, "finished", G_CALLBACK (run_finished_cb), &finished);
      finished = unfreeze_run_get_finished (run);
      g_assert_true (unfreeze_test_wait_for (&finished, TIMEOUT_MS));
      g_signal_handlers_disconnect_by_func (run, run_finished_cb, &finished);
    }

  return run;
}

static void
wait_finished (UnfreezeRun *run)
{
  gboolean finished = unfreeze_run_get_finished (run);
  gulong id = g_signal_connect (run, "finished", G_CALLBACK (run_finished_cb), &finished);

  g_assert_true (unfreeze_test_wait_for (&finished, TIMEOUT_MS));
  g_signal_handler_disconnect (run, id);
}

static void
assert_run_ok (UnfreezeRun *run,
               const char  *mode_id)
{
  const GError *error = unfreeze_run_get_error (run);
  g_autofree char *summary = unfreeze_run_dup_summary_line (run);

  g_test_message ("%s: %s", mode_id, summary);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (error != NULL ? error->message : NULL, ==, NULL);
  if (g_str_equal (mode_id, "thread"))
    g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_REFUSED);
  else if (g_str_equal (mode_id, "deadlock"))
    g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_DEADLOCK);
  else
    g_assert_cmpint (unfreeze_run_get_result (run), ==, UNFREEZE_RUN_RESULT_OK);
  assert_no_password (summary);
}

static const char *
window_subtitle (UnfreezeWindow *window)
{
  GtkWidget *title = unfreeze_test_find_widget (GTK_WIDGET (window), ADW_TYPE_WINDOW_TITLE, NULL);

  g_assert_nonnull (title);
  return adw_window_title_get_subtitle (ADW_WINDOW_TITLE (title));
}

/* What the window shows and says, and what was logged: no password anywhere. */
static void
assert_window_keeps_secret (UnfreezeWindow *window)
{
  g_autofree char *messages = unfreeze_window_dup_messages (window);

  assert_no_password (messages);
  assert_no_password (unfreeze_window_get_status_text (window));
  assert_no_password (window_subtitle (window));
  assert_no_password (logged->str);
}

/* The database ----------------------------------------------------------------------- */

static UnfreezeWindow *
window_new (UnfreezeDatabase *database)
{
  UnfreezeWindow *window = unfreeze_window_new (NULL, database);

  g_object_ref_sink (window);
  unfreeze_window_set_database_ready (window, NULL);
  gtk_window_present (GTK_WINDOW (window));

  return window;
}

static void
window_free (UnfreezeWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}

/* No password: the server asks for one, and the database says so (not just "could not
 * connect"), so that the app can ask. A wrong one given: refused. The right one: every mode
 * connects with it, the main loop's non-blocking connect too. */
static void
test_database_password (void)
{
  g_autoptr(UnfreezeDatabase) database = unfreeze_database_new (pw_conninfo);
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  const UnfreezeMode * const *modes;
  UnfreezeWindow *window;
  guint n_modes;

  unfreeze_database_set_big_tickers (database, FALSE);
  g_assert_false (prepare (database, &error));
  g_test_message ("no password: %s", error->message);
  g_assert_error (error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_NEEDS_PASSWORD);
  g_clear_error (&error);

  unfreeze_database_set_password (database, WRONG_PASSWORD);
  g_assert_false (prepare (database, &error));
  g_test_message ("wrong password: %s", error->message);
  g_assert_error (error, UNFREEZE_DATABASE_ERROR, UNFREEZE_DATABASE_ERROR_PASSWORD_REFUSED);
  assert_no_password (error->message);
  assert_no_password (unfreeze_database_get_status (database));
  g_clear_error (&error);

  unfreeze_database_set_password (database, RIGHT_PASSWORD);
  g_assert_true (prepare (database, &error));
  g_assert_no_error (error);
  description = unfreeze_database_dup_description (database);
  g_assert_nonnull (strstr (description, "user=pwuser"));
  assert_no_password (description);
  assert_no_password (unfreeze_database_get_status (database));

  window = window_new (database);
  modes = unfreeze_modes_get_all (&n_modes);
  for (guint i = 0; i < n_modes; i++)
    {
      g_autoptr(UnfreezeRun) run = NULL;

      /* A new connection each time: the pool's would hide how it connects. */
      unfreeze_database_retire (database);
      run = run_in_window (window, modes[i]->id, 0, TRUE);
      assert_run_ok (run, modes[i]->id);
    }
  assert_window_keeps_secret (window);
  window_free (window);
  unfreeze_database_shutdown (database);
}

/* ~/.pgpass (here PGPASSFILE) keeps working: no password given, none asked for. */
static void
test_pgpass (void)
{
  g_autofree char *pgpass = g_build_filename (home, "pgpass", NULL);
  g_autoptr(UnfreezeDatabase) database = unfreeze_database_new (pw_conninfo);
  g_autoptr(GError) error = NULL;
  g_autoptr(UnfreezeRun) run = NULL;
  UnfreezeWindow *window;

  g_assert_true (g_file_set_contents (pgpass, "*:*:*:pwuser:" RIGHT_PASSWORD "\n", -1, NULL));
  g_assert_cmpint (g_chmod (pgpass, 0600), ==, 0);
  g_setenv ("PGPASSFILE", pgpass, TRUE);

  unfreeze_database_set_big_tickers (database, FALSE);
  g_assert_true (prepare (database, &error));
  g_assert_no_error (error);
  window = window_new (database);
  run = run_in_window (window, "mainloop", 0, TRUE);
  assert_run_ok (run, "mainloop");
  assert_window_keeps_secret (window);

  window_free (window);
  unfreeze_database_shutdown (database);
  g_unsetenv ("PGPASSFILE");
  g_unlink (pgpass);
}

/* Another server while a run is in flight: the run ends on the old one, with its rows; the
 * old pool keeps nothing; the subtitle names the new server at once; the next run goes
 * there, with the password given. */
static void
test_switch_server (gconstpointer data)
{
  const char *mode_id = data;
  UnfreezeDatabase *old = unfreeze_database_new (unfreeze_test_fixture_get_conninfo ());
  g_autoptr(UnfreezeDatabase) new = unfreeze_database_new (pw_conninfo);
  g_autoptr(UnfreezeRun) run = NULL;
  g_autoptr(UnfreezeRun) next = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_autofree char *pw_sessions = NULL;
  UnfreezeWindow *window;

  unfreeze_database_set_big_tickers (old, FALSE);
  g_assert_true (prepare (old, &error));
  window = window_new (old);

  run = run_in_window (window, mode_id, 2, FALSE);
  g_assert_false (unfreeze_run_get_finished (run));

  unfreeze_database_set_big_tickers (new, FALSE);
  unfreeze_database_set_password (new, RIGHT_PASSWORD);
  unfreeze_window_set_database (window, new);
  unfreeze_database_retire (old);
  g_object_unref (old);     /* the run holds it still */

  description = unfreeze_database_dup_description (new);
  g_assert_cmpstr (window_subtitle (window), ==, description);

  wait_finished (run);
  /* Run waits until the new server is ready. */
  g_assert_null (unfreeze_window_start_run (window));
  assert_run_ok (run, mode_id);
  if (!g_str_equal (mode_id, "thread"))
    g_assert_cmpuint (unfreeze_run_get_n_rows (run), ==, unfreeze_test_expected_rows ("MSFT"));
  g_assert_cmpuint (unfreeze_database_get_n_connections (unfreeze_run_get_database (run)), ==, 0);

  g_assert_true (prepare (new, &error));
  g_assert_no_error (error);
  unfreeze_window_set_database_ready (window, NULL);
  next = run_in_window (window, mode_id, 0, TRUE);
  assert_run_ok (next, mode_id);
  g_assert_true (unfreeze_run_get_database (next) == new);
  pw_sessions = unfreeze_test_query_value ("SELECT count(*) FROM pg_stat_activity"
                                           " WHERE usename = 'pwuser' AND application_name = 'Unfreeze'");
  g_assert_cmpint (g_ascii_strtoll (pw_sessions, NULL, 10), >=, 1);
  assert_window_keeps_secret (window);

  window_free (window);
  unfreeze_database_shutdown (new);
}

/* The keyring ------------------------------------------------------------------------- */

/* A gnome-keyring-daemon of our own on the test's session bus, unlocked, with its keyrings
 * in the private home. FALSE when there is none to start or no session bus. */
static gboolean
keyring_start (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autofree char *daemon = g_find_program_in_path ("gnome-keyring-daemon");
  const char *argv[] = { daemon, "--foreground", "--unlock", "--components=secrets", NULL };
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  int stdin_fd = -1;

  if (bus == NULL || daemon == NULL)
    return FALSE;
  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
                                 G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &keyring_pid, &stdin_fd,
                                 NULL, NULL, NULL))
    return FALSE;
  /* The login keyring's password, on standard input; then end of file. */
  g_assert_cmpint (write (stdin_fd, "test", 4), ==, 4);
  close (stdin_fd);

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "NameHasOwner",
                                     g_variant_new ("(s)", "org.freedesktop.secrets"),
                                     G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
      gboolean owned = FALSE;

      if (reply != NULL)
        g_variant_get (reply, "(b)", &owned);
      if (owned)
        return TRUE;
      g_usleep (50 * 1000);
    }

  return FALSE;
}

static void
keyring_stop (void)
{
  if (keyring_pid == 0)
    return;

  kill (keyring_pid, SIGTERM);
  waitpid (keyring_pid, NULL, 0);
  g_spawn_close_pid (keyring_pid);
  keyring_pid = 0;
}

static char *
keyring_lookup (const char *conninfo)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *password;

  unfreeze_secret_lookup_async (conninfo, NULL, async_result_cb, &result);
  wait_result (&result);
  password = unfreeze_secret_lookup_finish (result, &error);
  g_assert_no_error (error);

  return password;
}

static void
keyring_store (const char *conninfo,
               const char *password)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  unfreeze_secret_store_async (conninfo, password, NULL, async_result_cb, &result);
  wait_result (&result);
  g_assert_true (unfreeze_secret_store_finish (result, &error));
  g_assert_no_error (error);
}

/* The real application, driven from its main loop -------------------------------------- */

typedef struct
{
  UnfreezeApplication *app;
  const char * const  *answers;     /* what to type into the password dialog, in turn */
  guint                n_asked;
  char                *last_body;   /* the dialog's text, the last time it asked */
  const char          *apply;       /* then, a connection to apply in Preferences */
  gboolean             applied;
  UnfreezeDatabase    *before_apply;
  gboolean             timed_out;
  gint64               deadline;
} Driver;

static UnfreezeWindow *
app_window (Driver *driver)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (driver->app)); l; l = l->next)
    if (UNFREEZE_IS_WINDOW (l->data))
      return l->data;

  return NULL;
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (window))
        return GTK_WINDOW (window);
    }

  return NULL;
}

static void
answer_dialog (Driver           *driver,
               AdwMessageDialog *dialog)
{
  GtkWidget *extra = adw_message_dialog_get_extra_child (dialog);
  GtkWidget *entry = unfreeze_test_find_widget (extra, GTK_TYPE_PASSWORD_ENTRY, UNFREEZE_PASSWORD_DIALOG_ENTRY);
  GtkWidget *remember = unfreeze_test_find_widget (extra, GTK_TYPE_CHECK_BUTTON, UNFREEZE_PASSWORD_DIALOG_REMEMBER);
  const char *answer = driver->answers != NULL ? driver->answers[driver->n_asked] : NULL;

  g_assert_nonnull (entry);
  g_assert_nonnull (remember);
  g_free (driver->last_body);
  driver->last_body = g_strdup (adw_message_dialog_get_body (dialog));
  g_test_message ("The dialog asks (%u): %s", driver->n_asked, driver->last_body);
  g_assert_nonnull (answer);
  driver->n_asked++;

  gtk_editable_set_text (GTK_EDITABLE (entry), answer);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (remember), TRUE);
  adw_message_dialog_response (dialog, UNFREEZE_PASSWORD_DIALOG_CONNECT);
  /* The dialog forgets what was typed, and goes. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  g_object_ref (dialog);
  while (gtk_widget_get_visible (GTK_WIDGET (dialog)))
    g_main_context_iteration (NULL, TRUE);
  g_object_unref (dialog);
}

/* Preferences, as the user does it: the connection row, with a password typed in, applied. */
static void
apply_in_preferences (Driver *driver)
{
  GtkWindow *preferences;
  GtkWidget *row;

  g_action_group_activate_action (G_ACTION_GROUP (driver->app), "preferences", NULL);
  preferences = find_toplevel (UNFREEZE_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  row = unfreeze_test_find_widget (GTK_WIDGET (preferences), ADW_TYPE_ENTRY_ROW, NULL);
  g_assert_nonnull (row);

  driver->before_apply = unfreeze_application_get_database (driver->app);
  gtk_editable_set_text (GTK_EDITABLE (row), driver->apply);
  g_signal_emit_by_name (row, "apply");
  driver->applied = TRUE;

  /* At once: another database, the subtitle names it, the setting has no password. */
  g_assert_true (unfreeze_application_get_database (driver->app) != driver->before_apply);
  g_assert_nonnull (strstr (window_subtitle (app_window (driver)), "dbname=unfreeze_pw_apply"));
  assert_no_password (gtk_editable_get_text (GTK_EDITABLE (row)));
  gtk_window_destroy (preferences);
}

static gboolean
drive_cb (gpointer user_data)
{
  Driver *driver = user_data;
  UnfreezeWindow *window = app_window (driver);
  GtkWindow *dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  UnfreezeDatabase *database = unfreeze_application_get_database (driver->app);

  if (g_get_monotonic_time () > driver->deadline)
    {
      driver->timed_out = TRUE;
      g_application_quit (G_APPLICATION (driver->app));
      return G_SOURCE_REMOVE;
    }

  if (dialog != NULL)
    {
      answer_dialog (driver, ADW_MESSAGE_DIALOG (dialog));
      return G_SOURCE_CONTINUE;
    }

  if (window == NULL || database == NULL || !unfreeze_database_get_prepared (database) ||
      !g_str_has_prefix (unfreeze_window_get_status_text (window), "Ready"))
    return G_SOURCE_CONTINUE;

  if (driver->apply != NULL && !driver->applied)
    {
      apply_in_preferences (driver);
      return G_SOURCE_CONTINUE;
    }

  assert_window_keeps_secret (window);
  g_application_quit (G_APPLICATION (driver->app));
  return G_SOURCE_REMOVE;
}

static GString *printed;

static void
print_cb (const char *text)
{
  g_string_append (printed, text);
}

static int
run_app (Driver      *driver,
         const char  *connection,
         gboolean     scripted)
{
  g_autofree char *connection_arg = g_strdup_printf ("--connection=%s", connection);
  char *argv[] = { (char *) "unfreeze", connection_arg, (char *) "--mode=gtask", (char *) "--delay=0",
                   (char *) "--run", (char *) "--quit-after-run", NULL };
  GPrintFunc old_print;
  guint id = 0;
  int status;

  driver->app = unfreeze_application_new ();
  driver->deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;
  printed = g_string_new (NULL);
  old_print = g_set_print_handler (print_cb);
  if (!scripted)
    id = g_timeout_add (50, drive_cb, driver);
  status = g_application_run (G_APPLICATION (driver->app), scripted ? 6 : 4, argv);
  g_set_print_handler (old_print);
  if (!scripted && !driver->timed_out && g_main_context_find_source_by_id (NULL, id) != NULL)
    g_source_remove (id);

  g_assert_false (driver->timed_out);
  g_clear_object (&driver->app);
  g_clear_pointer (&driver->last_body, g_free);

  return status;
}

/* The password is in the keyring: the app connects with it, nobody is asked; a scripted
 * run too, and its summary line does not show it. */
static void
test_app_keyring (void)
{
  Driver driver = { 0 };
  g_autofree char *line = NULL;

  if (keyring_pid == 0)
    {
      g_test_skip ("No gnome-keyring-daemon could be started on the session bus");
      return;
    }

  keyring_store (pw_conninfo, RIGHT_PASSWORD);
  g_assert_cmpint (run_app (&driver, pw_conninfo, FALSE), ==, 0);
  g_assert_cmpuint (driver.n_asked, ==, 0);

  g_assert_cmpint (run_app (&driver, pw_conninfo, TRUE), ==, 0);
  g_test_message ("%s", printed->str);
  g_assert_true (g_str_has_prefix (printed->str, "mode=gtask "));
  g_assert_nonnull (strstr (printed->str, " result=ok"));
  assert_no_password (printed->str);
  g_string_free (g_steal_pointer (&printed), TRUE);
  assert_no_password (logged->str);
}

/* Nothing in the keyring: the dialog asks; a wrong password is refused and it asks again,
 * saying so; the right one, with "Remember in keyring", connects and is kept there. Then
 * Preferences apply another connection with a password typed in: used at once, stored
 * without it. */
static void
test_app_dialog (void)
{
  static const char * const answers[] = { WRONG_PASSWORD, RIGHT_PASSWORD, NULL };
  g_autofree char *conninfo = g_strdup_printf ("%s dbname=unfreeze_pw_dialog", pw_conninfo);
  g_autofree char *apply = g_strdup_printf ("%s dbname=unfreeze_pw_apply password=%s",
                                            pw_conninfo, RIGHT_PASSWORD);
  g_autoptr(GSettings) settings = g_settings_new ("io.github.unfreeze.Unfreeze");
  g_autofree char *stored = NULL;
  g_autofree char *kept = NULL;
  Driver driver = { 0 };

  if (keyring_pid == 0)
    {
      g_test_skip ("No gnome-keyring-daemon could be started on the session bus");
      return;
    }

  unfreeze_test_exec_on (unfreeze_test_fixture_get_conninfo (), "CREATE DATABASE unfreeze_pw_dialog");
  unfreeze_test_exec_on (unfreeze_test_fixture_get_conninfo (), "CREATE DATABASE unfreeze_pw_apply");
  g_assert_null (keyring_lookup (conninfo));

  driver.answers = answers;
  driver.apply = apply;
  g_assert_cmpint (run_app (&driver, conninfo, FALSE), ==, 0);
  g_assert_cmpuint (driver.n_asked, ==, 2);
  g_assert_true (driver.applied);

  kept = keyring_lookup (conninfo);
  g_assert_cmpstr (kept, ==, RIGHT_PASSWORD);
  stored = g_settings_get_string (settings, "connection");
  g_test_message ("stored: %s", stored);
  g_assert_nonnull (strstr (stored, "unfreeze_pw_apply"));
  assert_no_password (stored);
  assert_no_password (logged->str);
  g_settings_reset (settings, "connection");
}

/* Preferences on their own: the stored string has no password; the signal hands it over. */
static void
connection_applied_cb (GtkWidget  *preferences,
                       const char *conninfo,
                       const char *password,
                       char      **got)
{
  got[0] = g_strdup (conninfo);
  got[1] = g_strdup (password);
}

static void
test_preferences (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.unfreeze.Unfreeze");
  GtkWidget *preferences = unfreeze_preferences_window_new (NULL, settings);
  GtkWidget *row = unfreeze_test_find_widget (preferences, ADW_TYPE_ENTRY_ROW, NULL);
  g_autofree char *stored = NULL;
  char *got[2] = { NULL, NULL };

  g_signal_connect (preferences, "connection-applied", G_CALLBACK (connection_applied_cb), got);
  gtk_editable_set_text (GTK_EDITABLE (row), "host=db.example.com user=alice password=" RIGHT_PASSWORD);
  g_signal_emit_by_name (row, "apply");

  stored = g_settings_get_string (settings, "connection");
  g_assert_cmpstr (stored, ==, "user='alice' host='db.example.com'");
  g_assert_cmpstr (got[0], ==, stored);
  g_assert_cmpstr (got[1], ==, RIGHT_PASSWORD);
  assert_no_password (gtk_editable_get_text (GTK_EDITABLE (row)));

  g_free (got[0]);
  g_free (got[1]);
  gtk_window_destroy (GTK_WINDOW (preferences));
  g_settings_reset (settings, "connection");
}

/* Set-up ------------------------------------------------------------------------------ */

/* The fixture's server: the role pwuser must give a password over the Unix socket. */
static void
require_password (void)
{
  const char *fixture = unfreeze_test_fixture_get_conninfo ();
  g_autofree char *hba_file = unfreeze_test_query_value ("SHOW hba_file");
  static const char hba[] =
    "# Written by test-password: one role needs a password, everyone else is trusted.\n"
    "local all pwuser scram-sha-256\n"
    "local all all trust\n";

  g_assert_true (g_file_set_contents (hba_file, hba, -1, NULL));
  unfreeze_test_exec_on (fixture, "CREATE ROLE pwuser LOGIN SUPERUSER PASSWORD '" RIGHT_PASSWORD "'");
  unfreeze_test_exec_on (fixture, "SELECT pg_reload_conf ()");
  pw_conninfo = g_strdup_printf ("%s user=pwuser", fixture);
}

int
main (int   argc,
      char *argv[])
{
  static const char * const switch_modes[] = { "thread", "gtask", "mainloop" };
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  int status;

  /* A private home: the keyring daemon keeps its files there, and no ~/.pgpass is read. */
  home = g_dir_make_tmp ("unfreeze-password-XXXXXX", &error);
  g_assert_no_error (error);
  data = g_build_filename (home, "data", NULL);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  unfreeze_test_unset_libpq_env (home);

  logged = g_string_new (NULL);
  unfreeze_test_init_display (&argc, &argv);
  g_log_set_default_handler (log_handler_cb, NULL);

  if (!unfreeze_test_fixture_setup (&error))
    {
      g_printerr ("SKIP: no PostgreSQL for this test: %s\n", error->message);
      return 77;
    }
  require_password ();
  if (!keyring_start ())
    keyring_stop ();

  g_test_add_func ("/unfreeze/Password/database", test_database_password);
  g_test_add_func ("/unfreeze/Password/pgpass", test_pgpass);
  for (guint i = 0; i < G_N_ELEMENTS (switch_modes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/unfreeze/Password/switch-server/%s", switch_modes[i]);

      g_test_add_data_func (path, switch_modes[i], test_switch_server);
    }
  g_test_add_func ("/unfreeze/Password/preferences", test_preferences);
  g_test_add_func ("/unfreeze/Password/app/keyring", test_app_keyring);
  g_test_add_func ("/unfreeze/Password/app/dialog", test_app_dialog);

  status = g_test_run ();

  keyring_stop ();
  unfreeze_test_fixture_teardown ();
  g_assert_true (unfreeze_test_remove_tree (home));
  g_free (home);
  g_free (pw_conninfo);
  g_string_free (logged, TRUE);

  return status;
}
